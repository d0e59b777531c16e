//! A few lines of SQL (a policy's `using`, a check, a default, a formula), highlighted as
//! it is typed with the same tokenizer and roles as the preview. ⏎ is a newline here; the
//! form confirms on Alt-⏎ or Ctrl-s.

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui_textarea::{CursorMove, Input, Key, TextArea};

use super::Validator;
use crate::sql_tokens::check_expression;
use crate::tui::highlight::highlight_text;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug)]
pub struct ExpressionEditor {
    area: TextArea<'static>,
    rows: u16,
    /// The first visible line.
    top: usize,
    placeholder: String,
    validator: Option<Validator>,
}

impl PartialEq for ExpressionEditor {
    fn eq(&self, other: &ExpressionEditor) -> bool {
        self.area.lines() == other.area.lines()
            && self.area.cursor() == other.area.cursor()
            && (self.rows, self.top) == (other.rows, other.top)
            && self.placeholder == other.placeholder
            && self.validator == other.validator
    }
}

/// Tabs become spaces so a column on screen is a column in the text.
fn untab(text: &str) -> String {
    text.replace('\t', "    ")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

impl ExpressionEditor {
    /// Starts with `text`, the cursor at its end.
    pub fn new(text: impl AsRef<str>) -> ExpressionEditor {
        let mut area = TextArea::new(
            untab(text.as_ref())
                .split('\n')
                .map(str::to_owned)
                .collect(),
        );
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        let mut editor = ExpressionEditor {
            area,
            rows: 3,
            top: 0,
            placeholder: String::new(),
            validator: None,
        };
        editor.follow();
        editor
    }

    /// Lines visible at once (3 unless told); longer text scrolls.
    pub fn rows(mut self, rows: u16) -> ExpressionEditor {
        self.rows = rows.max(1);
        self.follow();
        self
    }

    pub fn placeholder(mut self, placeholder: impl Into<String>) -> ExpressionEditor {
        self.placeholder = placeholder.into();
        self
    }

    /// Replaces the text shown while the editor is empty (it may depend on another input).
    pub fn set_placeholder(&mut self, placeholder: impl Into<String>) {
        self.placeholder = placeholder.into();
    }

    /// Checked on every change, e.g. `sql_tokens::check_expression`.
    pub fn validator(
        mut self,
        check: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static,
    ) -> ExpressionEditor {
        self.validator = Some(Validator::new(check));
        self
    }

    /// Checked to be one SQL expression ([`check_expression`]): what every expression the
    /// planner wraps in parentheses (a policy, a check, a default, a formula) must be.
    pub fn sql_expression(self) -> ExpressionEditor {
        self.validator(|text| check_expression(text).map_err(|e| e.to_string()))
    }

    /// The lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn set_text(&mut self, text: impl AsRef<str>) {
        let rebuilt = ExpressionEditor::new(text)
            .rows(self.rows)
            .placeholder(self.placeholder.clone());
        self.area = rebuilt.area;
        self.top = rebuilt.top;
    }

    /// `(line, column)` of the cursor, in characters.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }

    pub fn error(&self) -> Option<String> {
        self.validator.as_ref()?.check(&self.text()).err()
    }

    pub fn height(&self) -> u16 {
        self.rows
    }

    fn follow(&mut self) {
        let (line, _) = self.cursor();
        let rows = self.rows as usize;
        if line < self.top {
            self.top = line;
        } else if line >= self.top + rows {
            self.top = line + 1 - rows;
        }
    }

    /// Alt-↑ / Alt-↓: the cursor's line trades places with the one above / below (how a
    /// list of choices, one per line, is reordered). Returns whether anything moved.
    fn move_line(&mut self, up: bool) -> bool {
        let (line, column) = self.cursor();
        let mut lines = self.area.lines().to_vec();
        let other = match up {
            true if line > 0 => line - 1,
            false if line + 1 < lines.len() => line + 1,
            _ => return false,
        };
        lines.swap(line, other);
        let mut area = TextArea::new(lines);
        area.move_cursor(CursorMove::Jump(other as u16, column as u16));
        self.area = area;
        self.follow();
        true
    }

    /// Everything but Tab and Esc (the form's) edits the text; returns whether it changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let input = Input::from(*key);
        if matches!(input.key, Key::Tab | Key::Esc | Key::Null) {
            return false;
        }
        if input.alt && matches!(input.key, Key::Up | Key::Down) {
            return self.move_line(input.key == Key::Up);
        }
        let before = self.area.lines().to_vec();
        self.area.input(input);
        self.follow();
        self.area.lines() != before.as_slice()
    }

    pub fn on_paste(&mut self, text: &str) -> bool {
        let changed = self.area.insert_str(untab(text));
        self.follow();
        changed
    }

    /// The first visible column: the view shifts just enough to show the cursor.
    fn left(&self, width: u16) -> usize {
        (self.cursor().1 + 1).saturating_sub(width as usize)
    }

    /// A click puts the cursor under the pointer.
    pub(crate) fn on_click(&mut self, column: u16, row: u16, width: u16) {
        let line = (self.top + row as usize).min(self.area.lines().len().saturating_sub(1));
        let column =
            (self.left(width) + column as usize).min(self.area.lines()[line].chars().count());
        self.area
            .move_cursor(CursorMove::Jump(line as u16, column as u16));
        self.follow();
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let width = area.width as usize;
        // Unfocused, an expression reads from its start; focused, the view follows the cursor.
        let (left, top) = if focused {
            (self.left(area.width), self.top)
        } else {
            (0, 0)
        };
        let text = self.text();
        if text.is_empty() {
            buf.set_stringn(
                area.x,
                area.y,
                &self.placeholder,
                width,
                theme.style(Role::Dim),
            );
        }
        let lines = highlight_text(&text);
        let rows = area.height.min(self.rows) as usize;
        for (i, segments) in lines.iter().enumerate().skip(top).take(rows) {
            let y = area.y + (i - top) as u16;
            let mut column = 0usize;
            for (piece, role) in segments {
                let count = piece.chars().count();
                let visible_from = left.max(column);
                let visible_to = (left + width).min(column + count);
                if visible_from < visible_to {
                    let shown: String = piece
                        .chars()
                        .skip(visible_from - column)
                        .take(visible_to - visible_from)
                        .collect();
                    buf.set_stringn(
                        area.x + (visible_from - left) as u16,
                        y,
                        shown,
                        visible_to - visible_from,
                        theme.style(*role),
                    );
                }
                column += count;
            }
        }
        if focused {
            let (line, column) = self.cursor();
            if line >= self.top && line < self.top + rows {
                let under = self.area.lines()[line].chars().nth(column).unwrap_or(' ');
                buf.set_stringn(
                    area.x + (column - left) as u16,
                    area.y + (line - self.top) as u16,
                    under.to_string(),
                    1,
                    theme.style(Role::Selected),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::{chars, key};
    use crossterm::event::KeyCode;

    #[test]
    fn enter_is_a_newline_and_the_view_follows_the_cursor() {
        let mut editor = ExpressionEditor::new("").rows(2);
        for k in chars("a = 1") {
            editor.on_key(&k);
        }
        assert!(editor.on_key(&key(KeyCode::Enter)));
        for k in chars("and b") {
            editor.on_key(&k);
        }
        editor.on_key(&key(KeyCode::Enter));
        for k in chars("or c") {
            editor.on_key(&k);
        }
        assert_eq!(editor.text(), "a = 1\nand b\nor c");
        assert_eq!(editor.cursor(), (2, 4));
        assert_eq!(
            editor.top, 1,
            "two rows: the third line scrolls the first away"
        );
        assert!(
            !editor.on_key(&key(KeyCode::Tab)),
            "Tab belongs to the form"
        );
        editor.on_key(&key(KeyCode::Up));
        editor.on_key(&key(KeyCode::Up));
        assert_eq!(editor.top, 0);
    }

    #[test]
    fn sql_is_drawn_in_the_preview_roles() {
        let theme = Theme::default();
        let editor = ExpressionEditor::new("created_by = (select auth.uid())\n  or 'x' = 'y'")
            .sql_expression();
        assert_eq!(editor.error(), None);
        let area = Rect::new(0, 0, 40, 3);
        let mut buf = Buffer::empty(area);
        editor.render(&mut buf, area, &theme, false);
        let row = |y: u16| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>();
        assert_eq!(row(0).trim_end(), "created_by = (select auth.uid())");
        assert_eq!(row(1).trim_end(), "  or 'x' = 'y'");
        assert_eq!(buf[(0, 0)].fg, theme.style(Role::Identifier).fg.unwrap());
        assert_eq!(buf[(14, 0)].fg, theme.style(Role::Keyword).fg.unwrap());
        assert_eq!(buf[(5, 1)].fg, theme.style(Role::String).fg.unwrap());
        let mut broken = ExpressionEditor::new("a = 1").sql_expression();
        assert_eq!(broken.error(), None);
        broken.on_key(&key(KeyCode::Char(';')));
        assert_eq!(
            broken.error().as_deref(),
            Some("an expression cannot contain `;`")
        );
    }

    #[test]
    fn a_click_moves_the_cursor() {
        let mut editor = ExpressionEditor::new("one\ntwo\nthree");
        editor.on_click(1, 1, 20);
        assert_eq!(editor.cursor(), (1, 1));
        editor.on_click(30, 2, 20);
        assert_eq!(editor.cursor(), (2, 5), "past the end lands at the end");
    }

    #[test]
    fn alt_up_and_down_reorder_lines() {
        let mut choices = ExpressionEditor::new("todo\ndoing\ndone");
        let alt = |code| KeyEvent::new(code, crossterm::event::KeyModifiers::ALT);
        assert!(choices.on_key(&alt(KeyCode::Up)), "done moves above doing");
        assert_eq!(choices.text(), "todo\ndone\ndoing");
        assert_eq!(choices.cursor().0, 1, "the cursor stays on the moved line");
        assert!(choices.on_key(&alt(KeyCode::Up)));
        assert_eq!(choices.text(), "done\ntodo\ndoing");
        assert!(
            !choices.on_key(&alt(KeyCode::Up)),
            "the first line stays first"
        );
        assert!(choices.on_key(&alt(KeyCode::Down)));
        assert_eq!(choices.text(), "todo\ndone\ndoing");
    }
}
