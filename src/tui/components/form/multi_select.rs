//! Choosing several options in an order, each with a sort order: an index's key columns.
//! `↑↓` move, `Space` takes or leaves the option under the cursor (taken ones are numbered in
//! the order they were taken), `o` cycles its order (ASC, DESC, DESC NULLS LAST, NULLS FIRST).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::theme::{Role, Theme};

/// The orders an option cycles through, as written after it.
pub const ORDERS: [&str; 4] = ["", "DESC", "DESC NULLS LAST", "NULLS FIRST"];

#[derive(Clone, Debug, PartialEq)]
pub struct MultiSelect {
    /// Each option: its value and a description shown beside it.
    options: Vec<(String, String)>,
    /// The options taken, in key order, with an index into [`ORDERS`].
    chosen: Vec<(usize, usize)>,
    cursor: usize,
    rows: u16,
    required: Option<String>,
}

impl MultiSelect {
    pub fn new(options: Vec<(String, String)>) -> MultiSelect {
        MultiSelect {
            options,
            chosen: Vec::new(),
            cursor: 0,
            rows: 6,
            required: None,
        }
    }

    /// Rows shown at most (the list scrolls past them).
    pub fn rows(mut self, rows: u16) -> MultiSelect {
        self.rows = rows.max(1);
        self
    }

    /// Nothing taken is an error, with this message.
    pub fn required(mut self, message: impl Into<String>) -> MultiSelect {
        self.required = Some(message.into());
        self
    }

    /// Takes `value` (added as an option when it is none) with `order` (one of [`ORDERS`],
    /// case-insensitive; anything else is kept as ascending).
    pub fn take(mut self, value: &str, order: &str) -> MultiSelect {
        let at = match self.options.iter().position(|(v, _)| v == value) {
            Some(at) => at,
            None => {
                self.options.push((value.to_owned(), String::new()));
                self.options.len() - 1
            }
        };
        let order = ORDERS
            .iter()
            .position(|o| o.eq_ignore_ascii_case(order.trim()))
            .unwrap_or(0);
        if !self.chosen.iter().any(|(i, _)| *i == at) {
            self.chosen.push((at, order));
        }
        self
    }

    /// The options taken, in order, each with its order: `created_at DESC`.
    pub fn text(&self) -> String {
        self.chosen
            .iter()
            .map(|(i, o)| match ORDERS[*o] {
                "" => self.options[*i].0.clone(),
                order => format!("{} {order}", self.options[*i].0),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn error(&self) -> Option<String> {
        self.chosen
            .is_empty()
            .then(|| self.required.clone())
            .flatten()
    }

    pub fn height(&self) -> u16 {
        (self.options.len() as u16).clamp(1, self.rows)
    }

    /// Returns whether the choice changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        if self.options.is_empty()
            || key.kind == KeyEventKind::Release
            || key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        let n = self.options.len();
        match key.code {
            KeyCode::Up => self.cursor = (self.cursor + n - 1) % n,
            KeyCode::Down => self.cursor = (self.cursor + 1) % n,
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = n - 1,
            KeyCode::Char(' ') => {
                match self.chosen.iter().position(|(i, _)| *i == self.cursor) {
                    Some(at) => {
                        self.chosen.remove(at);
                    }
                    None => self.chosen.push((self.cursor, 0)),
                }
                return true;
            }
            KeyCode::Char('o') => {
                if let Some((_, order)) = self.chosen.iter_mut().find(|(i, _)| *i == self.cursor) {
                    *order = (*order + 1) % ORDERS.len();
                    return true;
                }
            }
            _ => {}
        }
        false
    }

    /// The first option drawn: the cursor stays in view.
    fn first_shown(&self) -> usize {
        let rows = self.height() as usize;
        self.cursor.saturating_sub(rows - 1)
    }

    /// A click on a row takes or leaves that option.
    pub(crate) fn on_click(&mut self, row: u16) -> bool {
        let at = self.first_shown() + row as usize;
        if at >= self.options.len() {
            return false;
        }
        self.cursor = at;
        self.on_key(&KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE))
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        if area.width == 0 {
            return;
        }
        if self.options.is_empty() {
            buf.set_stringn(
                area.x,
                area.y,
                "nothing to choose",
                area.width as usize,
                theme.style(Role::Dim),
            );
            return;
        }
        let width = area.width as usize;
        let first = self.first_shown();
        for (row, i) in (first..self.options.len())
            .take(self.height() as usize)
            .enumerate()
        {
            let (value, description) = &self.options[i];
            let taken = self.chosen.iter().position(|(c, _)| *c == i);
            let mark = match taken {
                Some(k) => format!("[{}]", k + 1),
                None => "[ ]".to_owned(),
            };
            let order = taken.map_or("", |k| ORDERS[self.chosen[k].1]);
            let text = format!("{mark} {value} {order}");
            let role = match (i == self.cursor && focused, taken.is_some()) {
                (true, _) => Role::Selected,
                (false, true) => Role::Accent,
                (false, false) => Role::Text,
            };
            let y = area.y + row as u16;
            buf.set_stringn(area.x, y, &text, width, theme.style(role));
            let used = text.chars().count() + 2;
            if used < width && !description.is_empty() {
                buf.set_stringn(
                    area.x + used as u16,
                    y,
                    description,
                    width - used,
                    theme.style(Role::Dim),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::key;

    fn columns() -> MultiSelect {
        MultiSelect::new(vec![
            ("id".into(), "uuid".into()),
            ("created_at".into(), "timestamptz".into()),
            ("title".into(), "text".into()),
        ])
        .required("choose at least one column")
    }

    #[test]
    fn options_are_taken_in_order_with_their_sort_order() {
        let mut m = columns();
        assert_eq!(m.error().as_deref(), Some("choose at least one column"));
        m.on_key(&key(KeyCode::Down));
        m.on_key(&key(KeyCode::Down));
        assert!(m.on_key(&key(KeyCode::Char(' '))));
        m.on_key(&key(KeyCode::Up));
        assert!(m.on_key(&key(KeyCode::Char(' '))));
        assert!(m.on_key(&key(KeyCode::Char('o'))));
        assert_eq!(m.text(), "title, created_at DESC");
        assert_eq!(m.error(), None);
        // Leaving one keeps the order of the others.
        m.on_key(&key(KeyCode::Down));
        m.on_key(&key(KeyCode::Char(' ')));
        assert_eq!(m.text(), "created_at DESC");
        assert!(
            !m.on_key(&key(KeyCode::Char('o'))),
            "o only orders a taken option"
        );
    }

    #[test]
    fn taken_values_are_kept_even_when_they_are_no_option() {
        let m = columns().take("created_at", "desc").take("Due date", "");
        assert_eq!(m.text(), "created_at DESC, Due date");
    }

    #[test]
    fn rows_show_the_mark_the_order_and_the_description() {
        let m = columns().take("created_at", "DESC");
        let theme = Theme::default();
        let area = Rect::new(0, 0, 40, 3);
        let mut buf = Buffer::empty(area);
        m.render(&mut buf, area, &theme, true);
        let row = |y: u16| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>();
        assert_eq!(row(0).trim_end(), "[ ] id   uuid");
        assert_eq!(row(1).trim_end(), "[1] created_at DESC  timestamptz");
    }
}
