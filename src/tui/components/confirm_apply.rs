//! Apply asks first: the plan's summary and the word `apply` typed by the user. When the
//! analysis has error-level findings it names how many and asks once more, explicitly —
//! the TUI's side of the CLI's exit 4.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup::dialog;
use super::{Outcome, plural};
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmApply {
    pub typed: String,
    /// `12 statements · 3 tables …`, taken when the dialog opened.
    pub summary: String,
    pub destructive: bool,
    /// The database and the host it is on, for the title.
    pub database: String,
    pub host: String,
    /// Error-level findings of the analysis.
    pub errors: usize,
    /// `apply` was typed and there are errors: waiting for the explicit `y`.
    pub past_errors: bool,
    /// Demo users the apply inserts into `auth.users` (a table of Supabase's, said outright).
    pub demo_users: u64,
    /// What each destructive step loses, one a line (`drops column … — its values are lost`).
    pub losses: Vec<String>,
}

impl ConfirmApply {
    pub fn new(
        summary: String,
        destructive: bool,
        connection: &str,
        errors: usize,
    ) -> ConfirmApply {
        let (database, host) = connection
            .rsplit_once('/')
            .map_or(("", connection), |(h, d)| (d, h));
        ConfirmApply {
            typed: String::new(),
            summary,
            destructive,
            database: database.to_owned(),
            host: host.to_owned(),
            errors,
            past_errors: false,
            demo_users: 0,
            losses: Vec::new(),
        }
    }

    /// The apply also inserts this many demo users into `auth.users`.
    pub fn with_demo_users(mut self, demo_users: u64) -> ConfirmApply {
        self.demo_users = demo_users;
        self
    }

    /// The plan's destructive steps, said one a line under the summary.
    pub fn with_losses(mut self, losses: Vec<String>) -> ConfirmApply {
        self.losses = losses;
        self
    }

    /// `action` is the key in the input context (the word is typed).
    pub fn on_key(&mut self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        if self.past_errors {
            // Only an explicit `y` goes on; Enter alone does not.
            return match (action, key.code) {
                (_, KeyCode::Char('y')) => Outcome::Apply {
                    errors: self.errors,
                },
                (Some(Action::Cancel), _) | (_, KeyCode::Char('n')) => Outcome::NotApplied,
                _ => Outcome::Stay,
            };
        }
        match action {
            Some(Action::Cancel) => Outcome::NotApplied,
            Some(Action::Confirm) if self.typed.trim() == "apply" && self.errors > 0 => {
                self.past_errors = true;
                Outcome::Stay
            }
            Some(Action::Confirm) if self.typed.trim() == "apply" => Outcome::Apply { errors: 0 },
            Some(Action::Confirm) => Outcome::Stay,
            _ => {
                match key.code {
                    KeyCode::Backspace => {
                        self.typed.pop();
                    }
                    KeyCode::Char(c) if self.typed.len() < 16 => self.typed.push(c),
                    _ => {}
                }
                Outcome::Stay
            }
        }
    }

    /// The status-line hint after Enter without the word.
    pub fn needs_word(&self) -> bool {
        !self.past_errors && self.typed.trim() != "apply"
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let mut lines = vec![Line::styled(
            self.summary.clone(),
            theme.style(if self.destructive {
                Role::Danger
            } else {
                Role::Text
            }),
        )];
        for loss in &self.losses {
            lines.push(Line::styled(
                format!("  {}", crate::safe_text::escape_controls(loss)),
                theme.style(Role::Danger),
            ));
        }
        lines.push(Line::styled(
            "one transaction: all of it lands, or none of it",
            theme.style(Role::Dim),
        ));
        if self.demo_users > 0 {
            lines.push(Line::styled(
                format!(
                    "{} inserted into auth.users first: they own the sample rows",
                    match self.demo_users {
                        1 => "1 demo user is".to_owned(),
                        n => format!("{n} demo users are"),
                    }
                ),
                theme.style(Role::Warning),
            ));
        }
        if self.errors > 0 {
            lines.push(Line::styled(
                format!(
                    "the analysis has {}: `schemaforge lint` fails on them (exit 4)",
                    plural(self.errors, "error")
                ),
                theme.style(Role::Danger),
            ));
        }
        lines.push(Line::raw(""));
        if self.past_errors {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{}: apply anyway? ", plural(self.errors, "error")),
                    theme.style(Role::Danger),
                ),
                Span::styled("y", theme.style(Role::StatusKey)),
                Span::styled(" applies, ", theme.style(Role::Text)),
                Span::styled("n / esc", theme.style(Role::StatusKey)),
                Span::styled(" goes back", theme.style(Role::Text)),
            ]));
        } else {
            lines.push(Line::from(vec![
                Span::styled("type ", theme.style(Role::Text)),
                Span::styled("apply", theme.style(Role::StatusKey)),
                Span::styled(" to confirm, esc to go back:  ", theme.style(Role::Text)),
                Span::styled(format!("{}▏", self.typed), theme.style(Role::Accent)),
            ]));
        }
        dialog(
            frame,
            theme,
            area,
            format!("Apply to {} on {}", self.database, self.host),
            lines,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn typed(dialog: &mut ConfirmApply, word: &str) {
        for c in word.chars() {
            assert_eq!(dialog.on_key(None, &key(c)), Outcome::Stay);
        }
    }

    #[test]
    fn without_errors_the_word_applies() {
        let mut d = ConfirmApply::new("s".into(), false, "u@h:1/db", 0);
        assert_eq!(d.on_key(Some(Action::Confirm), &key('\n')), Outcome::Stay);
        typed(&mut d, "apply");
        assert_eq!(
            d.on_key(Some(Action::Confirm), &key('\n')),
            Outcome::Apply { errors: 0 }
        );
        assert_eq!((d.database.as_str(), d.host.as_str()), ("db", "u@h:1"));
    }

    #[test]
    fn errors_need_an_explicit_yes_after_the_word() {
        let mut d = ConfirmApply::new("s".into(), false, "u@h:1/db", 3);
        typed(&mut d, "apply");
        assert_eq!(d.on_key(Some(Action::Confirm), &key('\n')), Outcome::Stay);
        assert!(d.past_errors);
        // Enter again is not a yes.
        assert_eq!(d.on_key(Some(Action::Confirm), &key('\n')), Outcome::Stay);
        assert_eq!(d.on_key(None, &key('y')), Outcome::Apply { errors: 3 });
        let mut d = ConfirmApply::new("s".into(), false, "u@h:1/db", 3);
        typed(&mut d, "apply");
        d.on_key(Some(Action::Confirm), &key('\n'));
        assert_eq!(d.on_key(None, &key('n')), Outcome::NotApplied);
    }
}
