//! `x` on an index in phase 2: remove it from the design? A live index stays in the
//! database — the design has no way to drop an index — so the dialog names it and says so
//! before anything changes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Outcome;
use super::popup::dialog;
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmRemoveIndex {
    /// Index of the designed table and of the index in its list.
    pub table: usize,
    pub index: usize,
    /// The index's name in the database (given, or the one schemaforge derives).
    pub name: String,
    /// Its key columns, as the design lists them.
    pub columns: String,
    /// `schema.table` when the index is live (it then stays in the database).
    pub live_table: Option<String>,
}

impl ConfirmRemoveIndex {
    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::RemoveIndex {
                table: self.table,
                index: self.index,
            },
            Some(Action::Cancel) => Outcome::KeptField,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let keys = Line::from(vec![
            Span::styled("y / enter", theme.style(Role::StatusKey)),
            Span::styled(
                if self.live_table.is_some() {
                    " removes, index stays  "
                } else {
                    " removes  "
                },
                theme.style(Role::Text),
            ),
            Span::styled("n / esc", theme.style(Role::StatusKey)),
            Span::styled(" keeps", theme.style(Role::Text)),
        ]);
        let mut lines = vec![Line::styled(
            format!(
                "remove the index {} on ({}) from the design?",
                self.name, self.columns
            ),
            theme.style(Role::Text),
        )];
        match &self.live_table {
            Some(table) => {
                lines.push(Line::styled(
                    format!(
                        "the index {} on {table} is live: it stays in the database",
                        self.name
                    ),
                    theme.style(Role::Warning),
                ));
                lines.push(Line::styled(
                    "unless dropped by hand (DROP INDEX): the design cannot drop an index",
                    theme.style(Role::Warning),
                ));
            }
            None => lines.push(Line::styled(
                "it is not in the database yet: nothing there changes",
                theme.style(Role::Dim),
            )),
        }
        lines.push(Line::raw(""));
        lines.push(keys);
        dialog(frame, theme, area, "Remove an index".into(), lines);
    }
}
