//! PostgreSQL's COPY text format, one row at a time, and the saved-plan form of a load.
//!
//! Text format: columns separated by a tab, rows ended by a newline, `\N` for NULL, and a
//! backslash escaping backslash, tab, newline and carriage return inside a value. Values are
//! first written in the column type's input syntax (`{…}` for arrays, JSON text for jsonb,
//! `t`/`f` for booleans) and then escaped as a whole.
//!
//! A saved plan carries a load the way pg_dump does: the `COPY … FROM stdin;` statement, the
//! data lines, and a line holding only `\.` ([`write_copy_block`]). psql runs such a file as
//! it is; the data can never contain a line `\.` because every backslash in a value is escaped.

use std::io::{self, Write};

use serde_json::Value;

use super::{Column, SampleStep, TableLoad};
use crate::design::PgType;
use crate::sql::{ident, qualified};

/// `COPY "schema"."table" ("a", "b") FROM STDIN` (no semicolon).
pub fn copy_statement(schema: &str, table: &str, columns: &[&str]) -> String {
    let columns: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    format!(
        "COPY {} ({}) FROM STDIN",
        qualified(schema, table),
        columns.join(", ")
    )
}

/// Appends one row (values in column order) as a COPY text line, newline included.
pub fn encode_row(row: &[Value], columns: &[Column], out: &mut String) {
    for (k, value) in row.iter().enumerate() {
        if k > 0 {
            out.push('\t');
        }
        let pg_type = columns.get(k).map_or(PgType::Text, |c| c.pg_type);
        encode_value(value, pg_type, out);
    }
    out.push('\n');
}

/// Appends one value in COPY text form.
pub fn encode_value(value: &Value, pg_type: PgType, out: &mut String) {
    match (value, pg_type) {
        (Value::Null, _) => out.push_str("\\N"),
        (_, PgType::Jsonb) => escape_into(&value.to_string(), out),
        (Value::Bool(b), _) => out.push(if *b { 't' } else { 'f' }),
        (Value::Number(n), _) => out.push_str(&n.to_string()),
        (Value::String(s), _) => escape_into(s, out),
        (Value::Array(items), _) => escape_into(&array_literal(items), out),
        (Value::Object(_), _) => escape_into(&value.to_string(), out),
    }
}

/// A value in the column type's input syntax, unescaped: what a preview shows. `None` is NULL.
pub fn display_value(value: &Value, pg_type: PgType) -> Option<String> {
    Some(match (value, pg_type) {
        (Value::Null, _) => return None,
        (_, PgType::Jsonb) => value.to_string(),
        (Value::Bool(b), _) => if *b { "true" } else { "false" }.to_string(),
        (Value::Number(n), _) => n.to_string(),
        (Value::String(s), _) => s.clone(),
        (Value::Array(items), _) => array_literal(items),
        (Value::Object(_), _) => value.to_string(),
    })
}

/// `{"a","b \"c\""}`: every element quoted, `"` and `\` escaped, JSON null as NULL.
pub fn array_literal(items: &[Value]) -> String {
    let mut out = String::from("{");
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let text = match item {
            Value::Null => {
                out.push_str("NULL");
                continue;
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push('"');
        for ch in text.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
    }
    out.push('}');
    out
}

/// Escapes text for COPY: `\` `\t` `\n` `\r`; a NUL cannot be sent and is dropped.
fn escape_into(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

/// Writes a load the pg_dump way: `COPY … FROM stdin;`, the lines, `\.`. Returns the rows.
pub fn write_copy_block(out: &mut impl Write, load: &TableLoad) -> io::Result<u64> {
    writeln!(out, "{};", load.copy_statement())?;
    let mut rows = 0;
    let mut line = String::with_capacity(256);
    for row in load.rows() {
        line.clear();
        encode_row(&row, &load.columns, &mut line);
        out.write_all(line.as_bytes())?;
        rows += 1;
    }
    out.write_all(b"\\.\n")?;
    Ok(rows)
}

/// Writes every step: SQL statements end in `;`, loads are COPY blocks. Returns the rows.
pub fn write_steps(out: &mut impl Write, steps: &[SampleStep]) -> io::Result<u64> {
    let mut rows = 0;
    for step in steps {
        match step {
            SampleStep::Sql(sql) => writeln!(out, "{sql};")?,
            SampleStep::Copy(load) => rows += write_copy_block(out, load)?,
        }
    }
    Ok(rows)
}

/// A piece of a saved plan: SQL text for the statement splitter, or one COPY block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedPart<'a> {
    Sql(&'a str),
    Copy {
        /// The `COPY … FROM stdin;` line, without its newline.
        statement: &'a str,
        /// The data lines, each ending in `\n`, without the closing `\.` line.
        data: &'a str,
    },
}

/// `COPY "…" (…) FROM STDIN;` (either case of `stdin`, as pg_dump writes it in lower case).
fn is_copy_line(line: &str) -> bool {
    const END: &[u8] = b") FROM STDIN;";
    let b = line.as_bytes();
    line.starts_with("COPY \"")
        && b.len() > END.len()
        && b[b.len() - END.len()..].eq_ignore_ascii_case(END)
}

/// A COPY block of a saved plan that never reaches its `\.` line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: the COPY block that starts here has no closing \\. line")]
pub struct UnterminatedCopy {
    /// 1-based line of the `COPY` statement.
    pub line: usize,
}

/// Cuts a saved plan into SQL and the COPY blocks [`write_copy_block`] wrote, so the SQL can
/// go through the statement splitter (which could not tokenize data lines) and each block
/// through `db::copy::copy_data`. A block starts at a line of the exact form written here:
/// `COPY "…" (…) FROM stdin;` at the start of a line.
pub fn split_copy_blocks(text: &str) -> Result<Vec<SavedPart<'_>>, UnterminatedCopy> {
    let mut parts = Vec::new();
    let mut sql_start = 0;
    let mut offset = 0;
    let mut line_no = 0;
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        line_no += 1;
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if !is_copy_line(trimmed) {
            continue;
        }
        if sql_start < start {
            parts.push(SavedPart::Sql(&text[sql_start..start]));
        }
        let data_start = offset;
        let copy_line = line_no;
        loop {
            let Some(data_line) = lines.next() else {
                return Err(UnterminatedCopy { line: copy_line });
            };
            line_no += 1;
            let at = offset;
            offset += data_line.len();
            if data_line.trim_end_matches(['\n', '\r']) == "\\." {
                parts.push(SavedPart::Copy {
                    statement: trimmed,
                    data: &text[data_start..at],
                });
                break;
            }
        }
        sql_start = offset;
    }
    if sql_start < text.len() {
        parts.push(SavedPart::Sql(&text[sql_start..]));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(t: PgType) -> Column {
        Column {
            name: "c".into(),
            pg_type: t,
        }
    }

    #[test]
    fn values_escape_for_copy_text() {
        let mut out = String::new();
        encode_row(
            &[
                json!("a\tb\nc\\d\re\0"),
                Value::Null,
                json!(true),
                json!(12.5),
                json!(["x", "y \"z\"", "back\\slash", null]),
                json!({"k": "v\n"}),
                json!("just text"),
            ],
            &[
                col(PgType::Text),
                col(PgType::Text),
                col(PgType::Boolean),
                col(PgType::Numeric {
                    precision: None,
                    scale: None,
                }),
                col(PgType::TextArray),
                col(PgType::Jsonb),
                col(PgType::Jsonb),
            ],
            &mut out,
        );
        assert_eq!(
            out,
            "a\\tb\\nc\\\\d\\re\t\\N\tt\t12.5\t{\"x\",\"y \\\\\"z\\\\\"\",\"back\\\\\\\\slash\",NULL}\t{\"k\":\"v\\\\n\"}\t\"just text\"\n"
        );
    }

    #[test]
    fn arrays_quote_every_element() {
        assert_eq!(array_literal(&[]), "{}");
        assert_eq!(
            array_literal(&[json!("a,b"), json!("{c}")]),
            "{\"a,b\",\"{c}\"}"
        );
        assert_eq!(
            display_value(&json!(["a"]), PgType::TextArray).as_deref(),
            Some("{\"a\"}")
        );
        assert_eq!(display_value(&Value::Null, PgType::Text), None);
    }

    #[test]
    fn saved_plans_split_into_sql_and_copy_blocks() {
        let text = "BEGIN;\nCREATE TABLE t (a text);\n\
                    COPY \"public\".\"t\" (\"a\") FROM stdin;\nx\\ty\n\\N\n\\.\n\
                    COPY \"public\".\"t\" (\"a\") FROM STDIN;\n\\.\nCOMMIT;\n";
        let parts = split_copy_blocks(text).unwrap();
        assert_eq!(
            parts,
            vec![
                SavedPart::Sql("BEGIN;\nCREATE TABLE t (a text);\n"),
                SavedPart::Copy {
                    statement: "COPY \"public\".\"t\" (\"a\") FROM stdin;",
                    data: "x\\ty\n\\N\n",
                },
                SavedPart::Copy {
                    statement: "COPY \"public\".\"t\" (\"a\") FROM STDIN;",
                    data: "",
                },
                SavedPart::Sql("COMMIT;\n"),
            ]
        );
        let open = "BEGIN;\nCOPY \"s\".\"t\" (\"a\") FROM stdin;\nrow\n";
        assert_eq!(split_copy_blocks(open), Err(UnterminatedCopy { line: 2 }));
        // A data value that reads "\." is escaped, so it never closes a block early.
        let mut line = String::new();
        encode_row(
            &[Value::String("\\.".into())],
            &[col(PgType::Text)],
            &mut line,
        );
        assert_eq!(line, "\\\\.\n");
    }

    #[test]
    fn statements_quote_identifiers() {
        assert_eq!(
            copy_statement("public", "to\"dos", &["id", "Title"]),
            "COPY \"public\".\"to\"\"dos\" (\"id\", \"Title\") FROM STDIN"
        );
    }
}
