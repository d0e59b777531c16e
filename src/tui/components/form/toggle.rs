//! Yes or no: Space flips it.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toggle {
    on: bool,
    on_text: String,
    off_text: String,
}

impl Toggle {
    pub fn new(on: bool) -> Toggle {
        Toggle {
            on,
            on_text: "yes".into(),
            off_text: "no".into(),
        }
    }

    /// The words beside the box (`yes` / `no` unless told).
    pub fn texts(mut self, on: impl Into<String>, off: impl Into<String>) -> Toggle {
        self.on_text = on.into();
        self.off_text = off.into();
        self
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    pub fn set(&mut self, on: bool) {
        self.on = on;
    }

    /// Space flips; returns whether the value changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if key.kind != KeyEventKind::Release && plain && key.code == KeyCode::Char(' ') {
            self.on = !self.on;
            return true;
        }
        false
    }

    /// A click flips it, as on any checkbox.
    pub(crate) fn on_click(&mut self) -> bool {
        self.on = !self.on;
        true
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        let (mark, text) = if self.on {
            ("[✓]", &self.on_text)
        } else {
            ("[ ]", &self.off_text)
        };
        let mark_role = if focused {
            Role::Selected
        } else if self.on {
            Role::Accent
        } else {
            Role::Dim
        };
        Line::from(vec![
            Span::styled(mark, theme.style(mark_role)),
            Span::styled(format!(" {text}"), theme.style(Role::Text)),
        ])
        .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::{ctrl, key};

    #[test]
    fn space_flips_and_nothing_else_does() {
        let mut toggle = Toggle::new(false);
        assert!(toggle.on_key(&key(KeyCode::Char(' '))));
        assert!(toggle.is_on());
        assert!(!toggle.on_key(&key(KeyCode::Char('x'))));
        assert!(!toggle.on_key(&ctrl(' ')));
        assert!(toggle.is_on());
        assert!(toggle.on_key(&key(KeyCode::Char(' '))));
        assert!(!toggle.is_on());
    }
}
