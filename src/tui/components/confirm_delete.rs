//! `x` on a drafted table: remove it from the design? Nothing in the database changes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Outcome;
use super::popup::dialog;
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmDelete {
    pub table: String,
}

impl ConfirmDelete {
    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::RemoveTable(self.table.clone()),
            Some(Action::Cancel) => Outcome::KeptTable,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        dialog(
            frame,
            theme,
            area,
            "Remove from the design".into(),
            vec![
                Line::styled(
                    format!(
                        "remove the drafted table {} (and its relations and samples)?",
                        self.table
                    ),
                    theme.style(Role::Text),
                ),
                Line::styled(
                    "nothing in the database changes; y / enter removes, n / esc keeps",
                    theme.style(Role::Dim),
                ),
            ],
        );
    }
}
