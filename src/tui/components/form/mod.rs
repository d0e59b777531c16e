//! The form toolkit every design editor builds on: small inputs (a text line, a toggle, a
//! choice, a number, a fuzzy picker, a SQL expression, several options in an order) gathered in a [`Form`] popup that
//! owns their state and answers each key with a [`FormOutcome`].
//!
//! Keys in a form, the same for every editor:
//! - typing goes into the focused input;
//! - `Tab` / `Shift-Tab` move focus to the next / previous input, wrapping around;
//! - `⏎` confirms — except in the expression editor, where it is a newline;
//! - `Alt-⏎` and `Ctrl-s` confirm from any input. Alt-⏎ rather than Ctrl-⏎ because a
//!   terminal without the kitty keyboard protocol sends Ctrl-⏎ as a plain carriage return,
//!   while Alt-⏎ arrives as `ESC CR`, which crossterm reports as Enter with ALT everywhere;
//! - `Esc` cancels: the form closes and nothing it was opened from changes.
//!
//! Confirming is refused while an input has a validation error: every error is then shown
//! under its input and the focus jumps to the first bad one. Errors of an input show as soon
//! as it has been typed into. A click focuses the input under the pointer.

mod choice_list;
mod container;
mod draw;
mod expression_editor;
mod fuzzy;
mod input;
mod line;
mod multi_select;
mod number_input;
mod picker;
mod text_input;
mod toggle;

use std::fmt;
use std::sync::Arc;

pub use choice_list::ChoiceList;
pub use container::Form;
pub use expression_editor::ExpressionEditor;
pub use input::FormInput;
pub use multi_select::MultiSelect;
pub use number_input::NumberInput;
pub use picker::{Picker, PickerEntry};
pub use text_input::TextInput;
pub use toggle::Toggle;

/// What a form asks for after a key; the editor carries it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormOutcome {
    /// The form stays open (an input, the focus or an error may have changed).
    Stay,
    /// Esc: close the form and change nothing.
    Cancel,
    /// Every input is valid: read the values and build the edit.
    Confirm,
}

/// A check of a text: `Err(message)` in words.
type Check = dyn Fn(&str) -> Result<(), String> + Send + Sync;

/// Checks a text as it is typed; `Err(message)` is shown under the input, in words.
#[derive(Clone)]
pub struct Validator(Arc<Check>);

impl Validator {
    pub fn new(check: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static) -> Validator {
        Validator(Arc::new(check))
    }

    pub fn check(&self, text: &str) -> Result<(), String> {
        (self.0)(text)
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Validator")
    }
}

/// Two validators are equal when they are the same closure (forms compare by value
/// otherwise; a popup stack compares its popups).
impl PartialEq for Validator {
    fn eq(&self, other: &Validator) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
pub(crate) mod test_keys {
    //! Key events for the widget tests.
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    pub fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    pub fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn alt(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::ALT)
    }

    pub fn chars(text: &str) -> Vec<KeyEvent> {
        text.chars().map(|c| key(KeyCode::Char(c))).collect()
    }
}

#[cfg(test)]
mod form_tests;
