//! Diagnostics: every problem found in a design, with its JSON path, what is wrong and, when
//! a close match exists, what was probably meant.

use std::borrow::Cow;
use std::fmt;

use crate::safe_text::escape_controls;

/// Errors block planning; warnings are shown but do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
}

/// One finding about a design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    /// JSON path of the offending value, e.g. `tables[1].fields[0].type`; empty for the
    /// document as a whole (a JSON syntax error carries its line and column in the message).
    pub path: String,
    pub message: String,
    /// What to do instead, as a phrase: `did you mean "singleLineText"?`.
    pub suggestion: Option<String>,
}

/// Paths, messages and suggestions quote the design (names, keys, types, values); a design
/// is untrusted text, so every one is made terminal-safe here, once, whoever builds it.
fn shown(text: String) -> String {
    match escape_controls(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            path: shown(path.into()),
            message: shown(message.into()),
            suggestion: None,
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Adds a suggestion phrase.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(shown(suggestion.into()));
        self
    }

    /// Adds `did you mean "<closest>"?` when one of `candidates` is close to `input`.
    pub fn did_you_mean<'a>(
        self,
        input: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Diagnostic {
        match closest(input, candidates) {
            Some(found) => self.suggest(format!("did you mean \"{found}\"?")),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        if self.level == Level::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " — {suggestion}")?;
        }
        Ok(())
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// The candidate closest to `input`, if it is close enough to be a plausible typo: equal
/// ignoring case, or within an edit distance of about a third of the word (at least 1, at
/// most 3). Ties go to the candidate closer in case (`Todoz` → `Todos` over `todos`), then to
/// the earlier one, so the answer is deterministic.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = input.to_lowercase();
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    let mut best: Option<((usize, usize), &'a str)> = None;
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let folded = strsim::damerau_levenshtein(&wanted, &candidate.to_lowercase());
        let distance = (folded, strsim::damerau_levenshtein(input, candidate));
        if folded <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `prefix.key`, or `key` at the root.
pub(crate) fn key_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `prefix[index]`.
pub(crate) fn index_path(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_the_issue() {
        let d = Diagnostic::error(
            "tables[1].fields[0].type",
            "unknown type \"singleLinetext\"",
        )
        .did_you_mean("singleLinetext", ["number", "singleLineText"]);
        assert_eq!(
            d.to_string(),
            "tables[1].fields[0].type: unknown type \"singleLinetext\" — did you mean \"singleLineText\"?"
        );
        let w = Diagnostic::warning("tables[0]", "no primary field");
        assert_eq!(w.to_string(), "tables[0]: warning: no primary field");
        assert_eq!(Diagnostic::error("", "bad").to_string(), "bad");
    }

    #[test]
    fn quoted_input_cannot_reach_the_terminal_raw() {
        let d = Diagnostic::error(
            "samples.t\u{1b}[2J",
            "unknown type \"bogus\u{1b}]0;TITLE\u{7}\"",
        )
        .suggest("did you mean \"x\u{9b}\"?");
        let shown = d.to_string();
        assert!(
            !shown.chars().any(crate::safe_text::is_terminal_control),
            "{shown}"
        );
        assert!(shown.contains("bogus\\u{1b}]0;TITLE\\u{7}"), "{shown}");
    }

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(closest("colr", ["color", "name"]), Some("color"));
        assert_eq!(closest("select", ["SELECT", "INSERT"]), Some("SELECT"));
        assert_eq!(closest("projcts", ["todos", "projects"]), Some("projects"));
        assert_eq!(closest("zebra", ["todos", "projects"]), None);
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(closest("ab", ["xy"]), None);
    }
}
