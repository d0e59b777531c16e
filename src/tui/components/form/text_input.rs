//! A single line of text with a placeholder and a validator checked as it is typed.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Validator;
use super::line::LineEditor;
use crate::tui::theme::Theme;

#[derive(Clone, Debug, PartialEq)]
pub struct TextInput {
    line: LineEditor,
    placeholder: String,
    validator: Option<Validator>,
}

impl TextInput {
    /// Starts with `text`, the cursor at its end.
    pub fn new(text: impl AsRef<str>) -> TextInput {
        TextInput {
            line: LineEditor::new(text.as_ref()),
            placeholder: String::new(),
            validator: None,
        }
    }

    /// Shown dimmed while the input is empty.
    pub fn placeholder(mut self, placeholder: impl Into<String>) -> TextInput {
        self.placeholder = placeholder.into();
        self
    }

    /// Checked on every change; `Err(message)` is shown under the input.
    pub fn validator(
        mut self,
        check: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static,
    ) -> TextInput {
        self.validator = Some(Validator::new(check));
        self
    }

    pub fn text(&self) -> &str {
        self.line.text()
    }

    pub fn set_text(&mut self, text: impl AsRef<str>) {
        self.line.set_text(text.as_ref());
    }

    /// What is wrong with the text now, if anything.
    pub fn error(&self) -> Option<String> {
        self.validator.as_ref()?.check(self.text()).err()
    }

    /// Returns whether the text changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        self.line.on_key(key, |_| true)
    }

    pub fn on_paste(&mut self, text: &str) -> bool {
        self.line.paste(text, |_| true)
    }

    pub(crate) fn on_click(&mut self, column: u16) {
        self.line.set_cursor(column as usize);
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        self.line
            .render(buf, area, theme, focused, &self.placeholder);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::{chars, key};
    use crossterm::event::KeyCode;

    fn required_name() -> TextInput {
        TextInput::new("").placeholder("table name").validator(|s| {
            if s.trim().is_empty() {
                Err("a name is required".into())
            } else if s.len() > 10 {
                Err("at most 10 characters".into())
            } else {
                Ok(())
            }
        })
    }

    #[test]
    fn keys_in_text_and_validation_out() {
        let mut input = required_name();
        assert_eq!(input.error().as_deref(), Some("a name is required"));
        for k in chars("Todos") {
            assert!(input.on_key(&k));
        }
        assert_eq!(input.text(), "Todos");
        assert_eq!(input.error(), None);
        for k in chars(" and more") {
            input.on_key(&k);
        }
        assert_eq!(input.error().as_deref(), Some("at most 10 characters"));
        for _ in 0..9 {
            input.on_key(&key(KeyCode::Backspace));
        }
        assert_eq!(input.text(), "Todos");
        assert_eq!(input.error(), None);
    }

    #[test]
    fn the_placeholder_shows_while_empty() {
        let theme = Theme::default();
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        required_name().render(&mut buf, Rect::new(0, 0, 12, 1), &theme, false);
        let text: String = (0..12).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(text, "table name  ");
    }
}
