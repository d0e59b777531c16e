//! `x` on a field in phase 2: remove it from the design? The dialog names what goes. A field
//! whose column is live leaves the column in the database (a column is only dropped through
//! the table's `drop_columns`), so the dialog says so and offers `d` to drop it as well.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Outcome;
use super::popup::dialog;
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmRemoveField {
    /// Index of the designed table and of the field in it.
    pub table: usize,
    pub index: usize,
    /// The field's name, as the design spells it.
    pub field: String,
    /// The column the field is in the database.
    pub column: String,
    /// `schema.table` when the column is live (it stays unless dropped).
    pub live_table: Option<String>,
    /// Why the design cannot drop the live column (then `d` is not offered).
    pub drop_refused: Option<String>,
}

impl ConfirmRemoveField {
    pub fn on_key(&self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        if key.code == KeyCode::Char('d') && self.can_drop() {
            return self.outcome(true);
        }
        match action {
            Some(Action::Confirm) => self.outcome(false),
            Some(Action::Cancel) => Outcome::KeptField,
            _ => Outcome::Stay,
        }
    }

    /// The column is live and the design can drop it.
    pub fn can_drop(&self) -> bool {
        self.live_table.is_some() && self.drop_refused.is_none()
    }

    fn outcome(&self, drop_column: bool) -> Outcome {
        Outcome::RemoveField {
            table: self.table,
            index: self.index,
            drop_column,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let text = |s: String| Line::styled(s, theme.style(Role::Text));
        let keys = |parts: &[(&str, &str)]| {
            Line::from(
                parts
                    .iter()
                    .flat_map(|(key, what)| {
                        [
                            Span::styled(key.to_string(), theme.style(Role::StatusKey)),
                            Span::styled(format!(" {what}  "), theme.style(Role::Text)),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let lines = match &self.live_table {
            None => vec![
                text(format!(
                    "remove the field {} (column {}) from the design?",
                    self.field, self.column
                )),
                Line::styled(
                    "it is not in the database yet: nothing there changes",
                    theme.style(Role::Dim),
                ),
                Line::raw(""),
                keys(&[("y / enter", "removes"), ("n / esc", "keeps")]),
            ],
            Some(table) => vec![
                text(format!("remove the field {} from the design?", self.field)),
                Line::styled(
                    format!(
                        "the column {table}.{} is live: it stays in the database with its values",
                        self.column
                    ),
                    theme.style(Role::Warning),
                ),
                Line::styled(
                    match &self.drop_refused {
                        None => "unless the design drops it (drop_columns): d drops it, \
                                 destroying its data"
                            .to_owned(),
                        Some(why) => format!("the design cannot drop it: {why}"),
                    },
                    theme.style(Role::Warning),
                ),
                Line::raw(""),
                if self.can_drop() {
                    keys(&[
                        ("y / enter", "removes, column stays"),
                        ("d", "removes and drops"),
                        ("n / esc", "keeps"),
                    ])
                } else {
                    keys(&[("y / enter", "removes, column stays"), ("n / esc", "keeps")])
                },
            ],
        };
        dialog(frame, theme, area, "Remove a field".into(), lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn dialog(live: bool) -> ConfirmRemoveField {
        ConfirmRemoveField {
            table: 1,
            index: 2,
            field: "Legacy".into(),
            column: "legacy".into(),
            live_table: live.then(|| "public.teams".into()),
            drop_refused: None,
        }
    }

    #[test]
    fn d_drops_only_a_live_column() {
        assert_eq!(
            dialog(true).on_key(None, &key('d')),
            Outcome::RemoveField {
                table: 1,
                index: 2,
                drop_column: true
            }
        );
        assert_eq!(dialog(false).on_key(None, &key('d')), Outcome::Stay);
        let refused = ConfirmRemoveField {
            drop_refused: Some("\"id\" is a system field; it cannot be dropped".into()),
            ..dialog(true)
        };
        assert_eq!(refused.on_key(None, &key('d')), Outcome::Stay);
        assert_eq!(
            dialog(false).on_key(Some(Action::Confirm), &key('y')),
            Outcome::RemoveField {
                table: 1,
                index: 2,
                drop_column: false
            }
        );
        assert_eq!(
            dialog(true).on_key(Some(Action::Cancel), &key('n')),
            Outcome::KeptField
        );
    }
}
