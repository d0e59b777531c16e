//! A whole number: only digits go in (a minus sign too when `min` is below zero), ↑/↓ step
//! by one, and the bounds are checked as it is typed.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::line::LineEditor;
use crate::tui::theme::Theme;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberInput {
    line: LineEditor,
    min: Option<i64>,
    max: Option<i64>,
    required: bool,
    placeholder: String,
}

impl NumberInput {
    /// `None` starts empty (allowed unless [`required`](Self::required)).
    pub fn new(value: Option<i64>) -> NumberInput {
        NumberInput {
            line: LineEditor::new(&value.map(|v| v.to_string()).unwrap_or_default()),
            min: None,
            max: None,
            required: false,
            placeholder: String::new(),
        }
    }

    pub fn min(mut self, min: i64) -> NumberInput {
        self.min = Some(min);
        self
    }

    pub fn max(mut self, max: i64) -> NumberInput {
        self.max = Some(max);
        self
    }

    /// Empty is an error.
    pub fn required(mut self) -> NumberInput {
        self.required = true;
        self
    }

    pub fn placeholder(mut self, placeholder: impl Into<String>) -> NumberInput {
        self.placeholder = placeholder.into();
        self
    }

    /// The number typed, `None` when empty or not a number.
    pub fn value(&self) -> Option<i64> {
        self.line.text().parse().ok()
    }

    pub fn text(&self) -> &str {
        self.line.text()
    }

    pub fn set_value(&mut self, value: Option<i64>) {
        self.line
            .set_text(&value.map(|v| v.to_string()).unwrap_or_default());
    }

    fn negatives(&self) -> bool {
        self.min.is_some_and(|m| m < 0)
    }

    pub fn error(&self) -> Option<String> {
        let text = self.line.text();
        if text.is_empty() {
            return self.required.then(|| "a number is required".to_owned());
        }
        let Ok(value) = text.parse::<i64>() else {
            return Some(if text == "-" {
                "a number is required after the minus sign".to_owned()
            } else {
                "too large a number".to_owned()
            });
        };
        match (self.min, self.max) {
            (Some(min), Some(max)) if value < min || value > max => {
                Some(format!("between {min} and {max}"))
            }
            (Some(min), _) if value < min => Some(format!("at least {min}")),
            (_, Some(max)) if value > max => Some(format!("at most {max}")),
            _ => None,
        }
    }

    /// Returns whether the text changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if key.kind != KeyEventKind::Release && plain {
            let step = match key.code {
                KeyCode::Up => Some(1),
                KeyCode::Down => Some(-1),
                _ => None,
            };
            if let Some(step) = step {
                return self.step(step);
            }
        }
        // A lone 0 (a count not set yet) is replaced by the first digit typed, not led by it.
        if let KeyCode::Char(c @ '0'..='9') = key.code
            && plain
            && key.kind != KeyEventKind::Release
            && self.line.text() == "0"
            && self.line.cursor() == 1
        {
            self.line.set_text(&c.to_string());
            return c != '0';
        }
        let negatives = self.negatives();
        let at_start = self.line.cursor() == 0 && !self.line.text().starts_with('-');
        self.line.on_key(key, |c| {
            c.is_ascii_digit() || (c == '-' && negatives && at_start)
        })
    }

    /// One up or down, kept inside the bounds; from empty, starts at the nearest bound or 0.
    fn step(&mut self, by: i64) -> bool {
        let next = match self.value() {
            Some(v) => v.saturating_add(by),
            None => self
                .min
                .unwrap_or(0)
                .max(0)
                .min(self.max.unwrap_or(i64::MAX)),
        };
        let next = next
            .max(self.min.unwrap_or(i64::MIN))
            .min(self.max.unwrap_or(i64::MAX));
        let before = self.line.text().to_owned();
        self.set_value(Some(next));
        self.line.text() != before
    }

    pub fn on_paste(&mut self, text: &str) -> bool {
        self.line.paste(text, |c| c.is_ascii_digit())
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

    #[test]
    fn only_digits_go_in_and_bounds_are_checked() {
        let mut n = NumberInput::new(None).min(1).max(10);
        assert_eq!(n.error(), None, "empty is fine unless required");
        for k in chars("1a2-") {
            n.on_key(&k);
        }
        assert_eq!(n.text(), "12");
        assert_eq!(n.value(), Some(12));
        assert_eq!(n.error().as_deref(), Some("between 1 and 10"));
        n.on_key(&key(KeyCode::Backspace));
        assert_eq!(n.value(), Some(1));
        assert_eq!(n.error(), None);
        assert!(!n.on_key(&key(KeyCode::Down)));
        assert_eq!(n.value(), Some(1), "↓ stops at the minimum");
        for _ in 0..20 {
            n.on_key(&key(KeyCode::Up));
        }
        assert_eq!(n.value(), Some(10), "↑ stops at the maximum");
        let required = NumberInput::new(None).required();
        assert_eq!(required.error().as_deref(), Some("a number is required"));
        let mut big = NumberInput::new(None);
        for k in chars("99999999999999999999") {
            big.on_key(&k);
        }
        assert_eq!(big.error().as_deref(), Some("too large a number"));
        assert_eq!(big.value(), None);
    }

    #[test]
    fn a_lone_zero_is_replaced_by_the_first_digit() {
        let mut n = NumberInput::new(Some(0)).min(0);
        for k in chars("40") {
            n.on_key(&k);
        }
        assert_eq!(n.text(), "40", "not 040");
        let mut z = NumberInput::new(Some(0));
        assert!(!z.on_key(&chars("0")[0]));
        assert_eq!(z.text(), "0");
    }

    #[test]
    fn a_minus_sign_only_when_negatives_are_allowed() {
        let mut n = NumberInput::new(None).min(-5);
        for k in chars("-7") {
            n.on_key(&k);
        }
        assert_eq!(n.value(), Some(-7));
        assert_eq!(n.error().as_deref(), Some("at least -5"));
        let mut m = NumberInput::new(None).max(3);
        for k in chars("-4") {
            m.on_key(&k);
        }
        assert_eq!(m.value(), Some(4));
        assert_eq!(m.error().as_deref(), Some("at most 3"));
    }
}
