//! How statements sent to the server appear in the log file: one place, so every caller
//! shortens and redacts the same way (the log must never hold a password).

use std::time::Duration;

/// Long statements (a bundle's function bodies, catalog queries) are cut to this many characters.
const MAX_CHARS: usize = 200;

/// `sql` with every string literal shown as `'…'`: for statements whose text holds row
/// values. Text that does not tokenize is not shown at all.
pub fn without_values(sql: &str) -> String {
    use sqlparser::tokenizer::Token;
    let Ok(tokens) = crate::sql_tokens::tokens(sql) else {
        return "(a statement with row values; not shown)".into();
    };
    let mut shown = String::with_capacity(sql.len());
    let mut copied = 0;
    for (token, range) in tokens {
        if matches!(
            token,
            Token::SingleQuotedString(_)
                | Token::EscapedStringLiteral(_)
                | Token::NationalStringLiteral(_)
                | Token::DollarQuotedString(_)
        ) {
            shown.push_str(&sql[copied..range.start]);
            shown.push_str("'…'");
            copied = range.end;
        }
    }
    shown.push_str(&sql[copied..]);
    shown
}

/// The first non-blank line of `sql`, cut to [`MAX_CHARS`], with any password masked.
pub fn first_line(sql: &str) -> String {
    let line = sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let mut shown: String = line.chars().take(MAX_CHARS).collect();
    if line.chars().count() > MAX_CHARS {
        shown.push('…');
    }
    super::redact::redact(&mask_password_literals(&shown))
}

/// `PASSWORD 'secret'` (`CREATE ROLE`, `ALTER USER`, a user's own setup statement) →
/// `PASSWORD '********'`; a literal cut off by the line's end is masked to the end.
fn mask_password_literals(sql: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let after_key = from + found + "password".len();
        let literal = after_key + (sql[after_key..].len() - sql[after_key..].trim_start().len());
        from = after_key;
        if literal == after_key || !sql[literal..].starts_with('\'') {
            continue;
        }
        let mut end = sql.len();
        let mut quotes = sql[literal + 1..].char_indices().peekable();
        while let Some((i, c)) = quotes.next() {
            if c == '\'' {
                if quotes.peek().map(|&(_, next)| next) == Some('\'') {
                    quotes.next(); // '' is a quote inside the literal
                    continue;
                }
                end = literal + 1 + i + 1;
                break;
            }
        }
        out.push_str(&sql[copied..literal]);
        out.push_str("'********'");
        copied = end;
        from = end;
    }
    out.push_str(&sql[copied..]);
    out
}

/// The last non-blank line of `sql`, shortened and masked as [`first_line`]: how a batch
/// ends (`COMMIT`, `RELEASE SAVEPOINT …`).
pub fn last_line(sql: &str) -> String {
    let last = sql
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    first_line(last)
}

/// Milliseconds to the microsecond: short statements are well under one, and more digits
/// would be noise.
pub fn millis(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Where statement lines go: `RUST_LOG`-style filters and tests select them by it.
pub const TARGET: &str = "schemaforge::sql";

/// Whether statement lines are wanted at all: when not, nothing is shortened or redacted.
pub fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::DEBUG)
}

/// How a statement ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    /// Its answers (or its COPY) were dropped before the end: a cancelled read, a failed row.
    Abandoned,
}

impl Outcome {
    pub fn of<T, E>(result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Abandoned => "abandoned",
        }
    }
}

/// What a statement's line says besides its text, duration and outcome; each is left out
/// when unknown. Never a bound parameter or a row's values: they may be user data.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Put before the statement (`catalog batch: BEGIN …`).
    pub label: Option<&'static str>,
    /// A bundle statement's 1-based position and the bundle's length.
    pub position: Option<(usize, usize)>,
    /// Rows returned, affected or copied.
    pub rows: Option<u64>,
    /// COPY data sent.
    pub bytes: Option<u64>,
    /// How a batch of several lines ends.
    pub last_line: Option<String>,
    /// The kinds of catalog rows a batch returned.
    pub kinds: Option<String>,
    /// The server's SQLSTATE for an error (its message may quote user data).
    pub code: Option<String>,
}

/// One statement's line, `shown` being its [`first_line`].
pub fn statement(shown: &str, elapsed: Duration, outcome: Outcome, facts: &Facts) {
    tracing::debug!(
        target: TARGET,
        statement = facts.position.map(|p| p.0),
        total = facts.position.map(|p| p.1),
        rows = facts.rows,
        bytes = facts.bytes,
        last_line = facts.last_line.as_deref(),
        kinds = facts.kinds.as_deref(),
        code = facts.code.as_deref(),
        duration_ms = millis(elapsed),
        outcome = outcome.as_str(),
        "{}{}{}",
        facts.label.unwrap_or_default(),
        if facts.label.is_some() { ": " } else { "" },
        shown
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_skips_blank_lines_and_cuts_long_ones() {
        assert_eq!(
            first_line("\n  CREATE TABLE t (\n id int)"),
            "CREATE TABLE t ("
        );
        let long = "x".repeat(300);
        let shown = first_line(&long);
        assert_eq!(shown.chars().count(), MAX_CHARS + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn millis_keeps_microseconds() {
        assert_eq!(millis(Duration::from_nanos(317_775_123)), 317.775);
        assert_eq!(millis(Duration::from_nanos(1_499)), 0.001);
    }

    #[test]
    fn first_line_masks_passwords() {
        let shown = first_line("-- postgres://me:hunter2@db/x password=hunter2");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn first_line_masks_password_literals_of_role_statements() {
        assert_eq!(
            first_line("CREATE ROLE app LOGIN PASSWORD 'hun''ter2' VALID UNTIL 'infinity'"),
            "CREATE ROLE app LOGIN PASSWORD '********' VALID UNTIL 'infinity'"
        );
        assert_eq!(
            first_line("alter user app with encrypted password\t'cut off"),
            "alter user app with encrypted password\t'********'"
        );
        assert_eq!(
            first_line("SELECT password_hint, 'a' FROM t"),
            "SELECT password_hint, 'a' FROM t"
        );
    }

    #[test]
    fn row_values_are_elided() {
        let shown = without_values(
            "INSERT INTO t SELECT * FROM jsonb_populate_record(NULL::t, '{\"body\":\"secret\"}'), E'x\\n', $$y$$",
        );
        assert!(
            !shown.contains("secret") && !shown.contains("$$y$$"),
            "{shown}"
        );
        assert!(
            shown.starts_with("INSERT INTO t SELECT * FROM jsonb_populate_record(NULL::t, '…')"),
            "{shown}"
        );
        assert_eq!(
            without_values("SELECT 'a"),
            "(a statement with row values; not shown)"
        );
    }
}
