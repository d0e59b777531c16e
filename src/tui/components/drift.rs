//! The live schema changed after the plan was made: nothing was applied. Any key closes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::popup::dialog;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub expected: String,
    pub actual: String,
}

impl Drift {
    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        dialog(
            frame,
            theme,
            area,
            "The live schema changed".into(),
            vec![
                Line::styled(
                    "someone changed the database after this plan was made.",
                    theme.style(Role::Danger),
                ),
                Line::styled(
                    "nothing was applied. The schema is being re-read and the plan redone;",
                    theme.style(Role::Text),
                ),
                Line::styled(
                    "check the preview, then apply again.",
                    theme.style(Role::Text),
                ),
                Line::styled(
                    format!(
                        "fingerprint {} → {}",
                        short(&self.expected),
                        short(&self.actual)
                    ),
                    theme.style(Role::Dim),
                ),
                Line::styled("any key closes", theme.style(Role::Dim)),
            ],
        );
    }
}

fn short(fingerprint: &str) -> &str {
    &fingerprint[..fingerprint.len().min(12)]
}
