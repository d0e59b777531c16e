//! Names must be plain visible text.
//!
//! A name is shown in the tree, in messages and in printed SQL. A control character in it can
//! drive the terminal; a bidirectional override or a zero-width joiner makes two different
//! names look the same (`users` and `us\u{200d}ers`), so the user cannot tell which object a
//! step touches. Both are refused, with the code point named and the name shown escaped.

use crate::safe_text::{code_point, escape_controls, is_invisible_format, is_terminal_control};

use super::diagnostics::Diagnostic;

/// Why a name is not plain visible text: the first offending character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unshowable {
    Control(char),
    Invisible(char),
}

/// The first character of `text` that a name must not hold.
pub fn unshowable(text: &str) -> Option<Unshowable> {
    text.chars().find_map(|c| {
        if is_terminal_control(c) {
            Some(Unshowable::Control(c))
        } else if is_invisible_format(c) {
            Some(Unshowable::Invisible(c))
        } else {
            None
        }
    })
}

/// The message for a name that is not plain visible text; `what` is "table name", "role", ….
pub fn unshowable_message(what: &str, text: &str, problem: Unshowable) -> String {
    let shown = escape_controls(text);
    match problem {
        Unshowable::Control(c) => format!(
            "{what} \"{shown}\" contains {}, a control character; names must be visible text",
            code_point(c)
        ),
        Unshowable::Invisible(c) => format!(
            "{what} \"{shown}\" contains {}, an invisible formatting character (a bidirectional override or zero-width character) that makes names look alike; names must be visible text",
            code_point(c)
        ),
    }
}

/// Pushes an error at `path` when `text` is not plain visible text.
pub fn check_visible(path: &str, what: &str, text: &str, out: &mut Vec<Diagnostic>) {
    if let Some(problem) = unshowable(text) {
        out.push(Diagnostic::error(
            path,
            unshowable_message(what, text, problem),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_formatting_are_found() {
        assert_eq!(unshowable("todos ü 表"), None);
        assert_eq!(
            unshowable("us\u{200d}ers"),
            Some(Unshowable::Invisible('\u{200d}'))
        );
        assert_eq!(
            unshowable("a\u{1b}]0;x"),
            Some(Unshowable::Control('\u{1b}'))
        );
        assert_eq!(unshowable("a\nb"), Some(Unshowable::Control('\n')));
        let message = unshowable_message(
            "table name",
            "x\u{202e}y\u{1b}",
            Unshowable::Invisible('\u{202e}'),
        );
        assert!(message.contains("U+202E"), "{message}");
        assert!(message.contains("\"x\\u{202e}y\\u{1b}\""), "{message}");
        assert!(!message.chars().any(is_terminal_control));
    }
}
