//! Text from a design, a server or a user made safe to show on a terminal.
//!
//! A design file can hold any character; printed raw, ESC and friends let it retitle the
//! terminal or overwrite the clipboard (OSC 52). Everything that quotes user input on a
//! terminal goes through [`escape_controls`]; bytes written to files and pipes stay exact.

use std::borrow::Cow;

/// Whether `c` would be interpreted by a terminal rather than shown:
/// C0 controls, DEL and C1 controls.
pub fn is_terminal_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Characters that reorder or hide text without being visible themselves: bidirectional
/// overrides and isolates, zero-width spaces and joiners, the byte-order mark.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{061c}' | '\u{180e}'
    )
}

/// Shows control characters visibly (`\u{1b}`), keeping newlines and tabs when `keep_layout`
/// is set (multi-line SQL and messages), so nothing reaches the terminal as a command.
pub fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let needs = |c: char| {
        (is_terminal_control(c) && !(keep_layout && (c == '\n' || c == '\t')))
            || is_invisible_format(c)
    };
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for one-line text: names, values, messages quoted inside other text.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// [`escape`] for text whose line breaks and tabs matter: SQL, multi-line messages.
pub fn escape_keeping_layout(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Text bound for stdout: escaped (layout kept) when stdout is a terminal, exact bytes when
/// it is a file or a pipe, so `plan > bundle.sql` still holds what the design says.
pub fn for_terminal(text: &str, is_tty: bool) -> Cow<'_, str> {
    if is_tty {
        escape_keeping_layout(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// JSON bound for a terminal: serde leaves DEL, C1 controls and invisible format characters
/// raw inside strings; they become `\u00XX` escapes, which keep the JSON valid and equal.
/// Raw line breaks and tabs can only be the layout of pretty-printed JSON, and stay.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    let needs =
        |c: char| (is_terminal_control(c) && c != '\n' && c != '\t') || is_invisible_format(c);
    if !json.chars().any(needs) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if needs(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`-style name of a code point, for validation messages.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            escape_controls("todos ü 表"),
            Cow::Borrowed("todos ü 表")
        ));
    }

    #[test]
    fn osc_sequences_become_visible() {
        let hostile = "bogus\u{1b}]0;TITLE\u{7}\u{1b}]52;c;aGk=\u{7}";
        let shown = escape_controls(hostile);
        assert!(!shown.chars().any(is_terminal_control), "{shown}");
        assert!(shown.contains("\\u{1b}]0;TITLE\\u{7}"), "{shown}");
    }

    #[test]
    fn c1_del_and_bidi_are_escaped() {
        let shown = escape_controls("a\u{9b}b\u{7f}c\u{202e}d\u{200d}e");
        assert_eq!(shown, "a\\u{9b}b\\u{7f}c\\u{202e}d\\u{200d}e");
    }

    #[test]
    fn layout_is_kept_only_when_asked() {
        assert_eq!(escape_keeping_layout("a\n\tb\r"), "a\n\tb\\u{d}");
        assert_eq!(escape_controls("a\nb"), "a\\u{a}b");
    }

    #[test]
    fn stdout_is_escaped_only_on_a_terminal() {
        let sql = "COMMENT ON TABLE t IS 'a\u{1b}]52;c;aGk=\u{7}';\n";
        assert_eq!(for_terminal(sql, false), sql);
        let shown = for_terminal(sql, true);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
        assert!(shown.contains("\\u{1b}]52;c;aGk=\\u{7}';\n"), "{shown}");
    }

    #[test]
    fn json_for_a_terminal_stays_valid_and_equal() {
        let value = serde_json::json!({"name": "a\u{9b}b\u{7f}\u{202e}\u{1b}"});
        for json in [serde_json::to_string(&value).unwrap(), format!("{value:#}")] {
            let shown = json_for_terminal(&json);
            let raw = |c: char| (is_terminal_control(c) && c != '\n') || is_invisible_format(c);
            assert!(!shown.chars().any(raw), "{shown}");
            let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
            assert_eq!(back, value);
        }
    }

    #[test]
    fn code_points_are_named_in_hex() {
        assert_eq!(code_point('\u{202e}'), "U+202E");
    }
}
