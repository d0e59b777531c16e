//! One of a few options, all in one row: ←/→ move, Space steps on (wrapping).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceList {
    options: Vec<String>,
    selected: usize,
}

const GAP: usize = 2;

impl ChoiceList {
    /// `selected` is clamped to the options.
    pub fn new<S: Into<String>>(
        options: impl IntoIterator<Item = S>,
        selected: usize,
    ) -> ChoiceList {
        let options: Vec<String> = options.into_iter().map(Into::into).collect();
        let selected = selected.min(options.len().saturating_sub(1));
        ChoiceList { options, selected }
    }

    /// The index of the chosen option (`None` only when there are no options).
    pub fn selected(&self) -> Option<usize> {
        (!self.options.is_empty()).then_some(self.selected)
    }

    pub fn selected_text(&self) -> Option<&str> {
        self.options.get(self.selected).map(String::as_str)
    }

    pub fn options(&self) -> &[String] {
        &self.options
    }

    pub fn select(&mut self, index: usize) {
        if index < self.options.len() {
            self.selected = index;
        }
    }

    /// Returns whether the choice changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let n = self.options.len();
        if n == 0
            || key.kind == KeyEventKind::Release
            || key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        let before = self.selected;
        self.selected = match key.code {
            KeyCode::Left => (self.selected + n - 1) % n,
            KeyCode::Right | KeyCode::Char(' ') => (self.selected + 1) % n,
            KeyCode::Home => 0,
            KeyCode::End => n - 1,
            _ => self.selected,
        };
        self.selected != before
    }

    /// Where each option starts when drawn from `first` on, in columns.
    fn starts(&self, first: usize) -> Vec<usize> {
        let mut at = 0;
        self.options[first..]
            .iter()
            .map(|o| {
                let start = at;
                at += o.chars().count() + GAP;
                start
            })
            .collect()
    }

    /// The first option drawn: as early as possible with the chosen one still whole.
    fn first_shown(&self, width: usize) -> usize {
        (0..=self.selected)
            .find(|&first| {
                let lead = if first > 0 { GAP } else { 0 };
                let starts = self.starts(first);
                let end = starts[self.selected - first]
                    + self.options[self.selected].chars().count()
                    + lead;
                end <= width
            })
            .unwrap_or(self.selected)
    }

    /// A click on an option chooses it.
    pub(crate) fn on_click(&mut self, column: u16, width: u16) -> bool {
        if self.options.is_empty() {
            return false;
        }
        let first = self.first_shown(width as usize);
        let lead = if first > 0 { GAP } else { 0 };
        let column = column as usize;
        for (i, start) in self.starts(first).into_iter().enumerate() {
            let start = start + lead;
            let end = start + self.options[first + i].chars().count();
            if column >= start && column < end {
                let before = self.selected;
                self.selected = first + i;
                return self.selected != before;
            }
        }
        false
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        if self.options.is_empty() || area.width == 0 {
            return;
        }
        let width = area.width as usize;
        let first = self.first_shown(width);
        let mut x = 0usize;
        if first > 0 {
            buf.set_stringn(area.x, area.y, "…", 1, theme.style(Role::Dim));
            x = GAP;
        }
        for (i, option) in self.options.iter().enumerate().skip(first) {
            if x >= width {
                break;
            }
            let role = match (i == self.selected, focused) {
                (true, true) => Role::Selected,
                (true, false) => Role::Accent,
                _ => Role::Text,
            };
            buf.set_stringn(
                area.x + x as u16,
                area.y,
                option,
                width - x,
                theme.style(role),
            );
            x += option.chars().count() + GAP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::key;

    fn row(list: &ChoiceList, width: u16, focused: bool) -> String {
        let theme = Theme::default();
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 1));
        list.render(&mut buf, Rect::new(0, 0, width, 1), &theme, focused);
        (0..width).map(|x| buf[(x, 0)].symbol()).collect::<String>()
    }

    #[test]
    fn arrows_and_space_move_the_choice_around() {
        let mut list = ChoiceList::new(["cascade", "set null", "restrict"], 0);
        assert!(list.on_key(&key(KeyCode::Right)));
        assert_eq!(list.selected_text(), Some("set null"));
        assert!(list.on_key(&key(KeyCode::Char(' '))));
        assert!(list.on_key(&key(KeyCode::Char(' '))));
        assert_eq!(list.selected(), Some(0), "space wraps around");
        assert!(list.on_key(&key(KeyCode::Left)));
        assert_eq!(list.selected(), Some(2), "left wraps around");
        assert!(!list.on_key(&key(KeyCode::Char('x'))));
        assert!(list.on_key(&key(KeyCode::Home)));
        assert_eq!(list.selected(), Some(0));
        assert_eq!(ChoiceList::new(Vec::<String>::new(), 3).selected(), None);
    }

    #[test]
    fn a_narrow_row_keeps_the_choice_in_view_and_clicks_choose() {
        let mut list = ChoiceList::new(["alpha", "beta", "gamma", "delta"], 3);
        let shown = row(&list, 14, true);
        assert!(shown.contains("delta") && shown.starts_with('…'), "{shown}");
        assert_eq!(
            row(&list, 40, false).trim_end(),
            "alpha  beta  gamma  delta"
        );
        list.select(0);
        assert!(list.on_click(8, 40));
        assert_eq!(list.selected_text(), Some("beta"));
        assert!(!list.on_click(11, 40), "between options");
    }
}
