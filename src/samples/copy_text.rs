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
    fn statements_quote_identifiers() {
        assert_eq!(
            copy_statement("public", "to\"dos", &["id", "Title"]),
            "COPY \"public\".\"to\"\"dos\" (\"id\", \"Title\") FROM STDIN"
        );
    }
}
