//! One line of editable text on ratatui-textarea (cursor moves, word and line deletes,
//! undo), drawn by hand so every colour comes from the theme and the view follows the
//! cursor without keeping scroll state between frames.

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui_textarea::{CursorMove, Input, Key, TextArea};

use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug)]
pub(crate) struct LineEditor {
    area: TextArea<'static>,
}

impl Eq for LineEditor {}

impl PartialEq for LineEditor {
    fn eq(&self, other: &LineEditor) -> bool {
        self.text() == other.text() && self.cursor() == other.cursor()
    }
}

/// Newlines and tabs in a single line read as spaces.
fn flatten(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

impl LineEditor {
    /// The cursor starts at the end, ready to type on.
    pub fn new(text: &str) -> LineEditor {
        let mut area = TextArea::new(vec![flatten(text)]);
        area.move_cursor(CursorMove::End);
        LineEditor { area }
    }

    pub fn text(&self) -> &str {
        self.area.lines().first().map(String::as_str).unwrap_or("")
    }

    /// The cursor's position in characters.
    pub fn cursor(&self) -> usize {
        self.area.cursor().1
    }

    pub fn set_text(&mut self, text: &str) {
        *self = LineEditor::new(text);
    }

    /// Feeds one key; typed characters go in only when `accept` takes them, and keys that
    /// would start a new line are refused. Returns whether the text changed.
    pub fn on_key(&mut self, key: &KeyEvent, accept: impl Fn(char) -> bool) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let input = Input::from(*key);
        match input {
            Input {
                key: Key::Enter | Key::Tab | Key::Esc | Key::Null,
                ..
            }
            | Input {
                key: Key::Char('m'),
                ctrl: true,
                ..
            }
            | Input {
                key: Key::Char('\n' | '\r'),
                ..
            } => return false,
            Input {
                key: Key::Char(c),
                ctrl: false,
                alt: false,
                ..
            } if !accept(c) => return false,
            _ => {}
        }
        let before = self.text().to_owned();
        self.area.input(input);
        self.text() != before
    }

    /// Inserts pasted text at the cursor, keeping only what `accept` takes.
    pub fn paste(&mut self, text: &str, accept: impl Fn(char) -> bool) -> bool {
        let kept: String = flatten(text).chars().filter(|c| accept(*c)).collect();
        !kept.is_empty() && self.area.insert_str(kept)
    }

    /// Puts the cursor at character `column` (clamped to the text).
    pub fn set_cursor(&mut self, column: usize) {
        let column = column.min(self.text().chars().count());
        self.area.move_cursor(CursorMove::Jump(0, column as u16));
    }

    /// The text in one row of `area` (the placeholder when empty), shifted left just enough
    /// to keep the cursor on screen; the cursor cell in the selected role when `focused`.
    pub fn render(
        &self,
        buf: &mut Buffer,
        area: Rect,
        theme: &Theme,
        focused: bool,
        placeholder: &str,
    ) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let width = area.width as usize;
        let chars: Vec<char> = self.text().chars().collect();
        let cursor = self.cursor().min(chars.len());
        // Unfocused, the text reads from its start; focused, the view follows the cursor.
        let offset = if focused {
            (cursor + 1).saturating_sub(width)
        } else {
            0
        };
        if chars.is_empty() {
            buf.set_stringn(area.x, area.y, placeholder, width, theme.style(Role::Dim));
        } else {
            let shown: String = chars.iter().skip(offset).take(width).collect();
            buf.set_stringn(area.x, area.y, shown, width, theme.style(Role::Text));
        }
        if focused {
            let under = match chars.get(cursor) {
                Some(c) => *c,
                None if chars.is_empty() => placeholder.chars().next().unwrap_or(' '),
                None => ' ',
            };
            let x = area.x + (cursor - offset) as u16;
            buf.set_stringn(x, area.y, under.to_string(), 1, theme.style(Role::Selected));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::{chars, ctrl, key};
    use crossterm::event::KeyCode;

    #[test]
    fn typing_editing_and_refused_keys() {
        let mut line = LineEditor::new("ab");
        assert_eq!(line.cursor(), 2);
        for k in chars("cd") {
            assert!(line.on_key(&k, |_| true));
        }
        assert_eq!(line.text(), "abcd");
        assert!(line.on_key(&key(KeyCode::Backspace), |_| true));
        assert!(!line.on_key(&key(KeyCode::Left), |_| true));
        assert!(line.on_key(&key(KeyCode::Char('X')), |_| true));
        assert_eq!(line.text(), "abXc");
        // No way to a second line.
        assert!(!line.on_key(&key(KeyCode::Enter), |_| true));
        assert!(!line.on_key(&ctrl('m'), |_| true));
        assert!(!line.on_key(&key(KeyCode::Char('7')), |c| c.is_alphabetic()));
        assert_eq!(line.text(), "abXc");
        assert!(line.paste("1\n2", |_| true));
        assert_eq!(line.text(), "abX1 2c");
    }

    #[test]
    fn the_view_follows_the_cursor() {
        let theme = Theme::default();
        let mut buf = Buffer::empty(Rect::new(0, 0, 5, 1));
        let line = LineEditor::new("abcdefgh");
        line.render(&mut buf, Rect::new(0, 0, 5, 1), &theme, true, "");
        let text: String = (0..5).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(text, "efgh ");
        assert_eq!(buf[(4, 0)].style().bg, theme.style(Role::Selected).bg);
    }

    #[test]
    fn unfocused_text_reads_from_its_start() {
        let line = LineEditor::new("created_by = (select auth.uid())");
        let theme = Theme::default();
        let shown = |focused: bool| {
            let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
            line.render(&mut buf, Rect::new(0, 0, 12, 1), &theme, focused, "");
            (0..12)
                .map(|x| buf[(x, 0)].symbol().to_owned())
                .collect::<String>()
        };
        assert_eq!(shown(false), "created_by =");
        assert!(shown(true).starts_with("auth.uid())"), "{}", shown(true));
    }
}
