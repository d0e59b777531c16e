//! The bundle: one text, and the statements inside it as spans of that text.
//!
//! The preview shows `text`; apply executes `text[statement.range]` one statement at a time.
//! Both read the same string, so what is shown is exactly what runs.

use std::ops::Range;

use sqlparser::tokenizer::Token;

/// The bundle's groups, in the order SPEC.md gives; each gets a comment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Transaction,
    Helpers,
    Tables,
    Relations,
    /// The designed indexes: after the relationship columns they may use.
    Indexes,
    LinkingTables,
    Views,
    /// Aggregate views (`materialized_views`) with their unique indexes: after the tables
    /// and columns they read.
    MaterializedViews,
    Rls,
    Policies,
    /// Storage buckets (rows of `storage.buckets`) and their policies on `storage.objects`.
    Storage,
    Triggers,
    Grants,
    /// pg_cron jobs refreshing the materialized views.
    Schedules,
    Refresh,
    Samples,
    /// Statements of a saved plan, whose groups are not known.
    Saved,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Transaction => "transaction",
            Section::Helpers => "helpers",
            Section::Tables => "tables",
            Section::Relations => "relations",
            Section::Indexes => "indexes",
            Section::LinkingTables => "linking tables",
            Section::Views => "views",
            Section::MaterializedViews => "materialized views",
            Section::Rls => "row-level security",
            Section::Policies => "policies",
            Section::Storage => "storage buckets",
            Section::Triggers => "triggers",
            Section::Grants => "grants",
            Section::Schedules => "scheduled refreshes",
            Section::Refresh => "PostgREST refresh",
            Section::Samples => "sample rows",
            Section::Saved => "saved plan",
        }
    }
}

/// One statement of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Statement {
    /// Byte range in [`Bundle::text`], without the terminating semicolon.
    pub range: Range<usize>,
    /// 1-based line of the bundle where it starts.
    pub line: usize,
    pub section: Section,
    /// Drops or rewrites something that exists: the UI shows it in red and asks first.
    pub destructive: bool,
    /// For a saved plan's `COPY … FROM stdin` block: the byte range of its data lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_data: Option<Range<usize>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Bundle {
    pub text: String,
    pub statements: Vec<Statement>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: u64,
        column: u64,
        message: String,
    },
    #[error("a bundle must be one transaction: it starts with BEGIN; and ends with COMMIT;")]
    NotOneTransaction,
}

impl Bundle {
    pub fn statement_text(&self, index: usize) -> &str {
        &self.text[self.statements[index].range.clone()]
    }

    /// The statements that do work, without BEGIN/COMMIT and the SET LOCAL settings.
    pub fn work_count(&self) -> usize {
        self.statements
            .iter()
            .filter(|s| s.section != Section::Transaction)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.work_count() == 0
    }

    pub fn has_destructive_steps(&self) -> bool {
        self.statements.iter().any(|s| s.destructive)
    }

    /// 1-based line and column (in characters) of a byte offset of the text.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// Splits a saved plan back into statements, with a real SQL tokenizer so semicolons
    /// inside strings, quoted names, comments and dollar-quoted bodies are left alone.
    pub fn parse(text: &str) -> Result<Bundle, BundleError> {
        // Sample rows travel as pg_dump-style COPY blocks, whose data lines are not SQL.
        let parts = crate::samples::split_copy_blocks(text).map_err(|e| BundleError::Syntax {
            line: e.line as u64,
            column: 1,
            message: e.to_string(),
        })?;
        let offset_of = |part: &str| part.as_ptr() as usize - text.as_ptr() as usize;
        let mut statements = Vec::new();
        let mut lines = LineCounter::default();
        for part in parts {
            match part {
                crate::samples::SavedPart::Sql(sql) => {
                    split_statements(text, offset_of(sql), sql, &mut lines, &mut statements)?;
                }
                crate::samples::SavedPart::Copy {
                    statement: copy,
                    data,
                } => {
                    let start = offset_of(copy);
                    let end = start + copy.trim_end().trim_end_matches(';').len();
                    let mut s = statement(&mut lines, text, start..end, Section::Samples);
                    let data_start = offset_of(data);
                    s.copy_data = Some(data_start..data_start + data.len());
                    statements.push(s);
                }
            }
        }
        let mut bundle = Bundle {
            text: text.to_owned(),
            statements,
        };
        let first = bundle
            .statements
            .first()
            .map(|_| bundle.statement_text(0).to_ascii_uppercase());
        let last = bundle
            .statements
            .len()
            .checked_sub(1)
            .map(|i| bundle.statement_text(i).to_ascii_uppercase());
        if first.as_deref() != Some("BEGIN") || last.as_deref() != Some("COMMIT") {
            return Err(BundleError::NotOneTransaction);
        }
        let count = bundle.statements.len();
        for (i, s) in bundle.statements.iter_mut().enumerate() {
            let upper = text[s.range.clone()].to_ascii_uppercase();
            if i == 0 || i + 1 == count || upper.starts_with("SET LOCAL") {
                s.section = Section::Transaction;
            } else if s.copy_data.is_some() {
                continue;
            }
            s.destructive = drops_or_truncates(&text[s.range.clone()]);
        }
        Ok(bundle)
    }
}

/// Whether a saved statement drops or truncates something: a `DROP` or `TRUNCATE` keyword
/// outside strings, quoted names and comments, however the statement is laid out. What cannot
/// be read counts as destructive, so `apply --yes` asks for `--allow-destructive`.
/// `DISABLE` (row-level security) and an `ALTER … TYPE` (which may narrow) count too: whether
/// a saved type change narrows cannot be told from its text.
fn drops_or_truncates(sql: &str) -> bool {
    use crate::sql_tokens::is_word;
    crate::sql_tokens::tokens(sql).map_or(true, |tokens| {
        let altering = tokens.iter().any(|(t, _)| is_word(t, "alter"));
        tokens.iter().any(|(token, _)| {
            is_word(token, "drop")
                || is_word(token, "truncate")
                || is_word(token, "disable")
                || (altering && is_word(token, "type"))
        })
    })
}

/// Splits one stretch of SQL (at `base` in `text`) into statements, with a real tokenizer.
fn split_statements(
    text: &str,
    base: usize,
    sql: &str,
    lines: &mut LineCounter,
    statements: &mut Vec<Statement>,
) -> Result<(), BundleError> {
    let tokens = crate::sql_tokens::tokens(sql).map_err(|e| {
        let line = text[..base].matches('\n').count() as u64 + e.line;
        BundleError::Syntax {
            line,
            column: e.column,
            message: e.message,
        }
    })?;
    let mut start: Option<usize> = None;
    let mut end = 0;
    for (token, range) in &tokens {
        match token {
            Token::Whitespace(_) => {}
            Token::SemiColon => {
                if let Some(s) = start.take() {
                    statements.push(statement(lines, text, base + s..base + end, Section::Saved));
                }
            }
            _ => {
                start.get_or_insert(range.start);
                end = range.end;
            }
        }
    }
    if let Some(s) = start {
        statements.push(statement(lines, text, base + s..base + end, Section::Saved));
    }
    Ok(())
}

/// Counts lines forward only, so giving every statement its line stays linear in the text.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    /// The 1-based line of `offset`; offsets must not go backwards.
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        self.line += text[self.offset..offset].matches('\n').count();
        self.offset = offset;
        self.line + 1
    }
}

fn statement(
    lines: &mut LineCounter,
    text: &str,
    range: Range<usize>,
    section: Section,
) -> Statement {
    let line = lines.line_at(text, range.start);
    Statement {
        range,
        line,
        section,
        destructive: false,
        copy_data: None,
    }
}

/// Writes a bundle: section headers, statements, and their spans, in one pass.
#[derive(Default)]
pub struct BundleBuilder {
    bundle: Bundle,
    section: Option<Section>,
    lines: LineCounter,
}

impl BundleBuilder {
    pub fn new() -> BundleBuilder {
        BundleBuilder::default()
    }

    /// A comment line, e.g. the saved plan's fingerprint header.
    pub fn comment(&mut self, text: &str) {
        for line in text.lines() {
            self.bundle.text.push_str("-- ");
            self.bundle.text.push_str(line);
            self.bundle.text.push('\n');
        }
    }

    /// Comment lines under `section`'s header (opening it when the section changes).
    pub fn section_comment(&mut self, section: Section, text: &str) {
        self.header(section);
        self.section = Some(section);
        self.comment(text);
    }

    fn header(&mut self, section: Section) {
        if self.section != Some(section) && section != Section::Transaction {
            let title = section.title();
            let rule = "─".repeat(72usize.saturating_sub(title.len()));
            self.bundle.text.push_str(&format!("\n-- {title} {rule}\n"));
        }
    }

    /// Adds a statement (without its semicolon) under `section`, opening the section's header
    /// when it changes.
    pub fn push(&mut self, section: Section, sql: &str, destructive: bool) {
        self.header(section);
        self.section = Some(section);
        let start = self.bundle.text.len();
        self.bundle
            .text
            .push_str(sql.trim_end_matches(';').trim_end());
        let end = self.bundle.text.len();
        self.bundle.text.push_str(";\n");
        self.bundle.statements.push(statement(
            &mut self.lines,
            &self.bundle.text,
            start..end,
            section,
        ));
        self.bundle
            .statements
            .last_mut()
            .expect("just pushed")
            .destructive = destructive;
    }

    pub fn finish(self) -> Bundle {
        self.bundle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let mut b = BundleBuilder::new();
        b.comment("schemaforge plan\nfingerprint abc");
        b.push(Section::Transaction, "BEGIN", false);
        b.push(Section::Transaction, "SET LOCAL lock_timeout = '5s'", false);
        b.push(
            Section::Helpers,
            "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$",
            false,
        );
        b.push(
            Section::Tables,
            "CREATE TABLE \"a;b\" (note text DEFAULT 'x;y' /* ; */)",
            false,
        );
        b.push(Section::Tables, "DROP TABLE \"old\"", true);
        b.push(Section::Transaction, "COMMIT", false);
        b.finish()
    }

    #[test]
    fn builder_spans_point_at_the_statements() {
        let bundle = sample();
        assert_eq!(bundle.statement_text(0), "BEGIN");
        assert!(bundle.statement_text(2).ends_with("END $body$"));
        assert_eq!(
            bundle.statements[3].line,
            bundle.line_column(bundle.statements[3].range.start).0
        );
        assert!(bundle.text.contains("\n-- tables ─"));
        assert_eq!(bundle.work_count(), 3);
        assert!(bundle.has_destructive_steps());
    }

    #[test]
    fn a_saved_bundle_splits_back_into_the_same_statements() {
        let bundle = sample();
        let parsed = Bundle::parse(&bundle.text).unwrap();
        let texts = |b: &Bundle| {
            (0..b.statements.len())
                .map(|i| b.statement_text(i).to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&parsed), texts(&bundle));
        let lines = |b: &Bundle| b.statements.iter().map(|s| s.line).collect::<Vec<_>>();
        assert_eq!(lines(&parsed), lines(&bundle));
        assert!(parsed.statements[4].destructive);
        assert!(!parsed.statements[3].destructive);
        assert!(drops_or_truncates("ALTER TABLE t\n  DROP COLUMN c"));
        assert!(drops_or_truncates("truncate t"));
        assert!(!drops_or_truncates("COMMENT ON TABLE t IS ' DROP '"));
        assert!(!drops_or_truncates("CREATE TABLE \"drop me\" (id int)"));
        assert_eq!(parsed.statements[1].section, Section::Transaction);
    }

    #[test]
    fn a_text_that_is_not_one_transaction_is_refused() {
        assert_eq!(
            Bundle::parse("CREATE TABLE t (id int);"),
            Err(BundleError::NotOneTransaction)
        );
        assert!(matches!(
            Bundle::parse("BEGIN; SELECT 'open;"),
            Err(BundleError::Syntax { .. })
        ));
    }

    #[test]
    fn line_column_counts_characters() {
        let bundle = Bundle {
            text: "ab\nçd;".into(),
            statements: vec![],
        };
        assert_eq!(bundle.line_column(0), (1, 1));
        assert_eq!(
            bundle.line_column(5),
            (2, 2),
            "ç is two bytes but one column"
        );
    }
}
