//! Samples: the tables they name, the size of a count, and explicit rows (keys that are
//! fields, values that fit, required values present).

use serde_json::Value;

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::field_types::{FieldType, SYSTEM_FIELDS, Storage};
use super::model::{Design, Field, Samples};
use super::names::relationship_column;
use super::validate::managed_schema_error;
use super::validate_options::check_literal;
use super::validate_refs::managed_schema_of;

/// The most sample rows one table may ask for.
pub const MAX_SAMPLE_COUNT: u64 = 1_000_000;

pub(crate) fn check_samples(design: &Design, out: &mut Vec<Diagnostic>) {
    let references = design.table_references();
    for (key, samples) in &design.samples {
        let path = key_path("samples", key);
        let Some(ti) = design.find_table(key) else {
            if let Some(schema) = managed_schema_of(key) {
                out.push(managed_schema_error(&path, schema));
                continue;
            }
            out.push(
                Diagnostic::error(&path, format!("samples for unknown table \"{key}\""))
                    .did_you_mean(key, references.iter().map(String::as_str)),
            );
            continue;
        };
        match samples {
            Samples::Count(n) if *n > MAX_SAMPLE_COUNT => out.push(Diagnostic::error(
                &path,
                format!("sample count must be from 0 to {MAX_SAMPLE_COUNT}, found {n}"),
            )),
            Samples::Count(_) => {}
            Samples::Rows(rows) => {
                for (i, row) in rows.iter().enumerate() {
                    check_required_values(design, ti, row, &index_path(&path, i), i, out);
                    for (column, value) in row {
                        if let Some(d) =
                            check_sample_value(design, ti, column, value, &index_path(&path, i), i)
                        {
                            out.push(d);
                        }
                    }
                }
            }
        }
    }
}

/// An explicit row must give every required field that has no default, and must not set a
/// required relationship to null. A required relationship left out is fine: the sample
/// generator fills foreign keys from rows of the target table.
fn check_required_values(
    design: &Design,
    ti: usize,
    row: &serde_json::Map<String, Value>,
    row_path: &str,
    row_index: usize,
    out: &mut Vec<Diagnostic>,
) {
    let table = &design.tables[ti];
    let given = |wanted: &str| {
        row.iter()
            .find(|(key, _)| match sample_column(design, ti, key) {
                Some(SampleColumn::Field(f)) => f.db_name() == wanted,
                Some(SampleColumn::Relationship(c)) => c == wanted,
                _ => false,
            })
            .map(|(_, v)| v)
    };
    for (_, f) in table.effective_fields() {
        let needs_value = f.options.required
            && f.options.default.is_none()
            && f.field_type.storage() == Storage::Column
            && f.field_type != FieldType::Checkbox;
        if needs_value && given(&f.db_name()).is_none_or(Value::is_null) {
            out.push(Diagnostic::error(
                row_path,
                format!(
                    "sample row {row_index} of \"{}\" gives no value for the required field \"{}\"",
                    table.db_name(),
                    f.name
                ),
            ));
        }
    }
    for (_, rel) in design.relationships_of(ti) {
        let column = relationship_column(&rel.name);
        if rel.required && !rel.allow_multiple && given(&column).is_some_and(Value::is_null) {
            out.push(Diagnostic::error(
                key_path(row_path, &column),
                format!(
                    "the relationship \"{}\" is required; it cannot be null",
                    rel.name
                ),
            ));
        }
    }
}

/// What a key of an explicit sample row refers to.
pub(crate) enum SampleColumn<'a> {
    Field(&'a Field),
    System(&'static str),
    Relationship(String),
}

/// Resolves a sample row key: a field (name or db_name), a system column, or a many-to-one
/// relationship (by name or by its `<name>_id` column).
pub(crate) fn sample_column<'a>(
    design: &'a Design,
    ti: usize,
    key: &str,
) -> Option<SampleColumn<'a>> {
    if let Some((_, f)) = design.tables[ti].find_field(key) {
        return Some(SampleColumn::Field(f));
    }
    if let Some(s) = SYSTEM_FIELDS.iter().find(|s| s.db_name == key) {
        return Some(SampleColumn::System(s.db_name));
    }
    design
        .relationships_of(ti)
        .filter(|(_, r)| !r.allow_multiple)
        .map(|(_, r)| relationship_column(&r.name))
        .find(|column| column == key || relationship_column(key) == *column)
        .map(SampleColumn::Relationship)
}

fn check_sample_value(
    design: &Design,
    ti: usize,
    key: &str,
    value: &Value,
    row_path: &str,
    row: usize,
) -> Option<Diagnostic> {
    let table = &design.tables[ti];
    let path = key_path(row_path, key);
    match sample_column(design, ti, key) {
        None => {
            let mut names: Vec<String> = table
                .effective_fields()
                .map(|(_, f)| f.name.clone())
                .collect();
            names.extend(
                design
                    .relationships_of(ti)
                    .filter(|(_, r)| !r.allow_multiple)
                    .map(|(_, r)| relationship_column(&r.name)),
            );
            Some(
                Diagnostic::error(
                    path,
                    format!(
                        "sample row {row} of \"{}\" has \"{key}\", which is not a field of the table",
                        table.db_name()
                    ),
                )
                .did_you_mean(key, names.iter().map(String::as_str)),
            )
        }
        Some(SampleColumn::Field(f)) if f.field_type.storage() != Storage::Column => {
            Some(Diagnostic::error(
                path,
                format!(
                    "\"{}\" is a {} field; it is computed and cannot be given a value",
                    f.name, f.field_type
                ),
            ))
        }
        Some(SampleColumn::Field(f)) => check_literal(f, value, &path, "value"),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::design::test_fixtures::{design, messages};

    #[test]
    fn samples_refer_to_tables_and_fields() {
        let d = design(json!({
            "relationships": [{"table": "todos", "name": "project", "target": "projects"}],
            "samples": {
                "todoz": 3,
                "projects": 2000000,
                "todos": [
                    {"title": "a", "estimate": 2, "project_id": null, "id": "00000000-0000-0000-0000-000000000001"},
                    {"titel": "b", "title": "c"},
                    {"estimate": "lots", "title": "d"},
                    {"estimate": 1}
                ]
            }
        }));
        assert_eq!(
            messages(&d),
            [
                "samples.todoz: samples for unknown table \"todoz\" — did you mean \"todos\"?",
                "samples.projects: sample count must be from 0 to 1000000, found 2000000",
                "samples.todos[1].titel: sample row 1 of \"todos\" has \"titel\", which is not a field of the table — did you mean \"title\"?",
                "samples.todos[2].estimate: value \"lots\" does not fit a number field: expected a number",
                "samples.todos[3]: sample row 3 of \"todos\" gives no value for the required field \"title\"",
            ]
        );
    }
}
