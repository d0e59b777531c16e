//! On start without `--design`: a draft for this database was found; resume it?
//! The table count is the draft's, kept in this popup's own state for as long as it is
//! open (unrelated keys leave it alone).

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::popup::dialog;
use super::{Outcome, plural};
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResumeDraft {
    pub path: PathBuf,
    pub tables: usize,
}

impl ResumeDraft {
    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::ResumeDraft(self.path.clone()),
            Some(Action::Cancel) => Outcome::SkipDraft,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        dialog(
            frame,
            theme,
            area,
            "Resume your draft?".into(),
            vec![
                Line::styled(
                    format!(
                        "a draft for this database with {} was saved at",
                        plural(self.tables, "table")
                    ),
                    theme.style(Role::Text),
                ),
                Line::styled(
                    self.path.display().to_string(),
                    theme.style(Role::Identifier),
                ),
                Line::styled(
                    "y / enter resumes it, n / esc starts without it",
                    theme.style(Role::Dim),
                ),
            ],
        );
    }
}
