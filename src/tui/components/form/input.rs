//! Any input a form can hold, so the form treats them alike: keys, height, error, value.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{ChoiceList, ExpressionEditor, MultiSelect, NumberInput, Picker, TextInput, Toggle};
use crate::tui::theme::Theme;

#[derive(Clone, Debug, PartialEq)]
pub enum FormInput {
    Text(TextInput),
    Toggle(Toggle),
    Choice(ChoiceList),
    Number(NumberInput),
    Picker(Picker),
    Expression(ExpressionEditor),
    Multi(MultiSelect),
}

/// What an input holds, to tell whether the form changed anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    Bool(bool),
    Choice(Option<usize>),
}

macro_rules! from_input {
    ($($variant:ident($type:ty)),*) => {
        $(impl From<$type> for FormInput {
            fn from(input: $type) -> FormInput {
                FormInput::$variant(input)
            }
        })*
    };
}

from_input!(
    Text(TextInput),
    Toggle(Toggle),
    Choice(ChoiceList),
    Number(NumberInput),
    Picker(Picker),
    Expression(ExpressionEditor),
    Multi(MultiSelect)
);

impl FormInput {
    /// Rows it takes, not counting its error line.
    pub fn height(&self) -> u16 {
        match self {
            FormInput::Picker(p) => p.height(),
            FormInput::Expression(e) => e.height(),
            FormInput::Multi(m) => m.height(),
            _ => 1,
        }
    }

    /// Returns whether the value changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        match self {
            FormInput::Text(i) => i.on_key(key),
            FormInput::Toggle(i) => i.on_key(key),
            FormInput::Choice(i) => i.on_key(key),
            FormInput::Number(i) => i.on_key(key),
            FormInput::Picker(i) => i.on_key(key),
            FormInput::Expression(i) => i.on_key(key),
            FormInput::Multi(i) => i.on_key(key),
        }
    }

    pub fn on_paste(&mut self, text: &str) -> bool {
        match self {
            FormInput::Text(i) => i.on_paste(text),
            FormInput::Number(i) => i.on_paste(text),
            FormInput::Picker(i) => i.on_paste(text),
            FormInput::Expression(i) => i.on_paste(text),
            FormInput::Toggle(_) | FormInput::Choice(_) | FormInput::Multi(_) => false,
        }
    }

    /// A click at `(column, row)` inside the input, `width` columns wide.
    pub(crate) fn on_click(&mut self, column: u16, row: u16, width: u16) -> bool {
        match self {
            FormInput::Text(i) => {
                i.on_click(column);
                false
            }
            FormInput::Number(i) => {
                i.on_click(column);
                false
            }
            FormInput::Toggle(i) => i.on_click(),
            FormInput::Choice(i) => i.on_click(column, width),
            FormInput::Picker(i) => i.on_click(column, row),
            FormInput::Expression(i) => {
                i.on_click(column, row, width);
                false
            }
            FormInput::Multi(i) => i.on_click(row),
        }
    }

    pub fn error(&self) -> Option<String> {
        match self {
            FormInput::Text(i) => i.error(),
            FormInput::Number(i) => i.error(),
            FormInput::Picker(i) => i.error(),
            FormInput::Expression(i) => i.error(),
            FormInput::Multi(i) => i.error(),
            FormInput::Toggle(_) | FormInput::Choice(_) => None,
        }
    }

    pub(crate) fn value(&self) -> Value {
        match self {
            FormInput::Text(i) => Value::Text(i.text().to_owned()),
            FormInput::Number(i) => Value::Text(i.text().to_owned()),
            FormInput::Expression(i) => Value::Text(i.text()),
            FormInput::Multi(i) => Value::Text(i.text()),
            FormInput::Toggle(i) => Value::Bool(i.is_on()),
            FormInput::Choice(i) => Value::Choice(i.selected()),
            FormInput::Picker(i) => Value::Choice(i.selected_index()),
        }
    }

    /// The keys this input adds to the form's own: `(keys, what they do)`.
    pub(crate) fn hints(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            FormInput::Toggle(_) => &[("Space", "flip")],
            FormInput::Choice(_) => &[("←→", "choose")],
            FormInput::Number(_) => &[("↑↓", "step")],
            FormInput::Picker(_) => &[("↑↓", "choose"), ("type", "to filter")],
            FormInput::Expression(_) => &[("⏎", "newline")],
            FormInput::Multi(_) => &[("↑↓", "move"), ("Space", "take"), ("o", "order")],
            FormInput::Text(_) => &[],
        }
    }

    /// ⏎ is the input's own (a newline), not the form's confirm.
    pub(crate) fn takes_enter(&self) -> bool {
        matches!(self, FormInput::Expression(_))
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        match self {
            FormInput::Text(i) => i.render(buf, area, theme, focused),
            FormInput::Toggle(i) => i.render(buf, area, theme, focused),
            FormInput::Choice(i) => i.render(buf, area, theme, focused),
            FormInput::Number(i) => i.render(buf, area, theme, focused),
            FormInput::Picker(i) => i.render(buf, area, theme, focused),
            FormInput::Expression(i) => i.render(buf, area, theme, focused),
            FormInput::Multi(i) => i.render(buf, area, theme, focused),
        }
    }
}
