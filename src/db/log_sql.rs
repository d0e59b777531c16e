//! How statements sent to the server appear in the log file: one place, so every caller
//! shortens and redacts the same way (the log must never hold a password).

use std::time::Duration;

/// Long statements (a bundle's function bodies, catalog queries) are cut to this many characters.
const MAX_CHARS: usize = 200;

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
    super::redact::redact(&shown)
}

/// Milliseconds with a fraction: short statements are well under one.
pub fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

/// One bundle statement: its 1-based position, first line, duration and outcome.
pub fn bundle_statement(index: usize, total: usize, sql: &str, elapsed: Duration, ok: bool) {
    tracing::debug!(
        target: "schemaforge::sql",
        statement = index + 1,
        total,
        duration_ms = millis(elapsed),
        outcome = if ok { "ok" } else { "error" },
        "{}",
        first_line(sql)
    );
}

/// One catalog batch: the kinds of rows it returned and its duration.
pub fn catalog_batch(sql: &str, kinds: &[String], elapsed: Duration, ok: bool) {
    tracing::debug!(
        target: "schemaforge::sql",
        kinds = kinds.join(",").as_str(),
        duration_ms = millis(elapsed),
        outcome = if ok { "ok" } else { "error" },
        "catalog batch: {}",
        first_line(sql)
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
    fn first_line_masks_passwords() {
        let shown = first_line("-- postgres://me:hunter2@db/x password=hunter2");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
