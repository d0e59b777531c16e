//! The sample steps as plain SQL: `INSERT … VALUES` statements instead of COPY blocks.
//!
//! `psql -f` runs COPY blocks, but the Supabase CLI sends `supabase/seed.sql` statement by
//! statement and has no data stream to feed `COPY … FROM stdin`; INSERTs run everywhere.
//! Every value is a quoted literal in the column type's input syntax (the same text COPY
//! would carry): an `INSERT`'s `VALUES` rows take the types of the columns they go into, so
//! `'{"a"}'` lands as a `text[]` and `'2.5'` as a `numeric` without casts.

use std::io::{self, Write};

use super::copy_text::display_value;
use super::{SampleStep, TableLoad};
use crate::sql::{ident, literal, qualified};

/// Rows per `INSERT` statement: big enough to load quickly, small enough to read and diff.
pub const ROWS_PER_INSERT: u64 = 100;

/// Writes one load as `INSERT INTO … (…) VALUES (…), …;` statements. Returns the rows.
pub fn write_insert_block(out: &mut impl Write, load: &TableLoad) -> io::Result<u64> {
    let head = format!(
        "INSERT INTO {} ({}) VALUES",
        qualified(&load.schema, &load.table),
        load.columns
            .iter()
            .map(|c| ident(&c.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = 0;
    let mut line = String::with_capacity(256);
    for row in load.rows() {
        if rows % ROWS_PER_INSERT == 0 {
            if rows > 0 {
                out.write_all(b";\n")?;
            }
            writeln!(out, "{head}")?;
        } else {
            out.write_all(b",\n")?;
        }
        line.clear();
        line.push_str("  (");
        for (k, value) in row.iter().enumerate() {
            if k > 0 {
                line.push_str(", ");
            }
            let pg_type = load
                .columns
                .get(k)
                .map_or(crate::design::PgType::Text, |c| c.pg_type);
            match display_value(value, pg_type) {
                Some(text) => line.push_str(&literal(&text)),
                None => line.push_str("NULL"),
            }
        }
        line.push(')');
        out.write_all(line.as_bytes())?;
        rows += 1;
    }
    if rows > 0 {
        out.write_all(b";\n")?;
    }
    Ok(rows)
}

/// Writes every step as plain SQL: statements end in `;`, loads become INSERTs. Returns the
/// rows written.
pub fn write_insert_steps(out: &mut impl Write, steps: &[SampleStep]) -> io::Result<u64> {
    let mut rows = 0;
    for step in steps {
        match step {
            SampleStep::Sql(sql) => writeln!(out, "{sql};")?,
            SampleStep::Copy(load) => rows += write_insert_block(out, load)?,
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{Options, generate};

    fn resolved(json: &str) -> crate::design::ResolvedDesign {
        let (design, _) = crate::design::load(json).unwrap();
        crate::design::resolve(&design).unwrap()
    }

    #[test]
    fn loads_become_inserts_with_quoted_values_and_nulls() {
        let design = resolved(
            r#"{"tables": [{"name": "Notes", "fields": [
                {"name": "Title", "type": "singleLineText", "options": {"required": true}},
                {"name": "Tags", "type": "multiSelect", "options": {"choices": ["a", "b"]}},
                {"name": "Body", "type": "multiLineText"}
            ]}],
            "samples": {"Notes": [
                {"Title": "it's", "Tags": ["a"]},
                {"Title": "x", "Tags": ["a", "b"], "Body": "line\nbreak"}
            ]}}"#,
        );
        let set = generate(&design, &Options::with_seed(1)).unwrap();
        let mut out = Vec::new();
        let rows = write_insert_steps(&mut out, &set.steps).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(rows, 2, "{text}");
        assert!(
            text.contains("INSERT INTO \"public\".\"notes\" ("),
            "{text}"
        );
        assert!(text.contains("'it''s'"), "{text}");
        assert!(text.contains("'{\"a\",\"b\"}'"), "{text}");
        assert!(text.contains("'line\nbreak'"), "{text}");
        assert!(!text.contains("COPY"), "{text}");
        assert!(text.trim_end().ends_with(';'), "{text}");
    }

    #[test]
    fn long_loads_are_cut_into_statements_of_a_hundred_rows() {
        let design = resolved(
            r#"{"tables": [{"name": "Items", "fields": [{"name": "Name", "type": "singleLineText"}]}],
                "samples": {"Items": 250}}"#,
        );
        let set = generate(&design, &Options::with_seed(1)).unwrap();
        let mut out = Vec::new();
        assert_eq!(write_insert_steps(&mut out, &set.steps).unwrap(), 250);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("INSERT INTO").count(), 3, "{text}");
        assert_eq!(text.matches(";\n").count(), 3, "{text}");
    }
}
