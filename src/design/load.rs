//! Reading a design file: JSON syntax (with line and column), then the shape of the document
//! (unknown keys, unknown enum values, wrong kinds of values — all of them at once, each with
//! its JSON path and a suggestion), then serde, then the semantic rules of [`mod@super::validate`].
//!
//! The shape is checked on the raw `serde_json::Value` before serde sees it because serde
//! stops at the first problem and reports it without a path; a user fixing a file wants the
//! whole list.
//!
//! Accepted inputs: a full design object; a bare table object, exactly as the seed shows it
//! (recognised by having `fields` or `name` and none of the design's keys); or a list of
//! tables. Diagnostics about a bare table or a list use paths into the file the user wrote
//! (`fields[1].type`, `[0].fields[1].type`), not into the design it was wrapped into.

use serde_json::Value;

use super::buckets::BucketTemplate;
use super::diagnostics::{Diagnostic, has_errors, index_path, key_path};
use super::materialized_views::{AggregateFunction, BucketUnit};
use super::model::{Aggregate, Design, IndexMethod, OnDelete, Operation};
use super::shape_repair::errors_despite;
use super::validate::validate_with_known_tables;

/// What kind of JSON value a key takes.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    OptStr,
    Bool,
    OptUInt,
    OptInt,
    OptU64,
    StrList,
    /// A bucket's policies: template names or policy objects.
    BucketPolicies,
    OneOf(&'static [&'static str]),
    OptOneOf(&'static [&'static str]),
    ListOf(&'static [&'static str]),
    Any,
    Object(Walker),
    ListOfObjects(Walker),
    Samples,
}

type Walker = fn(&serde_json::Map<String, Value>, &str, &mut Vec<Diagnostic>);

/// Kept in step with `FieldType::ALL` by the `field_type_names_match` test.
const FIELD_TYPE_NAMES: [&str; 24] = [
    "singleLineText",
    "multiLineText",
    "longText",
    "number",
    "singleSelect",
    "multiSelect",
    "date",
    "dateTime",
    "checkbox",
    "attachment",
    "email",
    "phone",
    "url",
    "duration",
    "rating",
    "currency",
    "percent",
    "json",
    "formula",
    "rollup",
    "count",
    "lookup",
    "trigger",
    "raw",
];

const DESIGN_KEYS: &[(&str, Kind)] = &[
    ("schema", Kind::Str),
    ("tables", Kind::ListOfObjects(walk_table)),
    ("relationships", Kind::ListOfObjects(walk_relationship)),
    ("samples", Kind::Samples),
    ("audit_readers", Kind::StrList),
    ("buckets", Kind::ListOfObjects(walk_bucket)),
    (
        "materialized_views",
        Kind::ListOfObjects(walk_materialized_view),
    ),
];

const MATERIALIZED_VIEW_KEYS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("db_name", Kind::OptStr),
    ("source", Kind::Str),
    ("group_by", Kind::StrList),
    ("time_bucket", Kind::Object(walk_time_bucket)),
    ("aggregates", Kind::ListOfObjects(walk_view_aggregate)),
    ("readers", Kind::StrList),
    ("refresh", Kind::OptStr),
];

const TIME_BUCKET_KEYS: &[(&str, Kind)] = &[
    ("field", Kind::Str),
    ("unit", Kind::OneOf(&BucketUnit::NAMES)),
];

const VIEW_AGGREGATE_KEYS: &[(&str, Kind)] = &[
    ("function", Kind::OneOf(&AggregateFunction::NAMES)),
    ("field", Kind::OptStr),
];

const BUCKET_KEYS: &[(&str, Kind)] = &[
    ("id", Kind::Str),
    ("public", Kind::Bool),
    ("file_size_limit", Kind::OptU64),
    ("allowed_mime_types", Kind::StrList),
    ("policies", Kind::BucketPolicies),
];

const TABLE_KEYS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("db_name", Kind::OptStr),
    ("description", Kind::OptStr),
    ("fields", Kind::ListOfObjects(walk_field)),
    ("rls_enabled", Kind::Bool),
    ("rls_policies", Kind::ListOfObjects(walk_policy)),
    ("public_reference", Kind::Bool),
    ("drop_columns", Kind::StrList),
    ("drop_policies", Kind::StrList),
    ("renamed_from", Kind::OptStr),
    ("system_fields", Kind::Bool),
    ("indexes", Kind::ListOfObjects(walk_index)),
    ("audit", Kind::Bool),
    ("soft_delete", Kind::Bool),
];

const INDEX_KEYS: &[(&str, Kind)] = &[
    ("columns", Kind::StrList),
    ("unique", Kind::Bool),
    ("where", Kind::OptStr),
    ("method", Kind::OneOf(&IndexMethod::NAMES)),
    ("name", Kind::OptStr),
];

const FIELD_KEYS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("db_name", Kind::OptStr),
    ("type", Kind::OneOf(&FIELD_TYPE_NAMES)),
    ("options", Kind::Object(walk_options)),
    ("is_primary", Kind::Bool),
    ("primary_field", Kind::Bool),
    ("renamed_from", Kind::OptStr),
];

const OPTION_KEYS: &[(&str, Kind)] = &[
    ("required", Kind::Bool),
    ("unique", Kind::Bool),
    ("default", Kind::Any),
    ("description", Kind::OptStr),
    ("choices", Kind::StrList),
    ("max", Kind::OptInt),
    ("max_length", Kind::OptUInt),
    ("precision", Kind::OptUInt),
    ("scale", Kind::OptUInt),
    ("integer", Kind::Bool),
    ("expression", Kind::OptStr),
    ("result_type", Kind::OptOneOf(&FIELD_TYPE_NAMES)),
    ("currency_code", Kind::OptStr),
    ("relationship", Kind::OptStr),
    ("through", Kind::OptStr),
    ("target_field", Kind::OptStr),
    ("aggregate", Kind::OptOneOf(&Aggregate::NAMES)),
    ("timing", Kind::OptOneOf(&["BEFORE", "AFTER"])),
    ("events", Kind::ListOf(&["INSERT", "UPDATE", "DELETE"])),
    ("for_each", Kind::OptOneOf(&["ROW", "STATEMENT"])),
    ("function", Kind::OptStr),
    ("body", Kind::OptStr),
    ("sql_type", Kind::OptStr),
    ("primary_key", Kind::Bool),
    ("identity", Kind::OptOneOf(&["ALWAYS", "BY DEFAULT"])),
    ("bucket", Kind::OptStr),
];

const POLICY_KEYS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("operation", Kind::OneOf(&Operation::NAMES)),
    ("using_expression", Kind::OptStr),
    ("with_check_expression", Kind::OptStr),
    ("roles", Kind::StrList),
    ("permissive", Kind::Bool),
    ("renamed_from", Kind::OptStr),
];

const RELATIONSHIP_KEYS: &[(&str, Kind)] = &[
    ("table", Kind::Str),
    ("name", Kind::Str),
    ("target", Kind::Str),
    ("allow_multiple", Kind::Bool),
    ("one_to_one", Kind::Bool),
    ("cascade_delete", Kind::Bool),
    ("on_delete", Kind::OptOneOf(&OnDelete::NAMES)),
    ("required", Kind::Bool),
];

fn walk_table(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "table", TABLE_KEYS, &["name"], out);
}
fn walk_index(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "index", INDEX_KEYS, &["columns"], out);
}
fn walk_field(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "field", FIELD_KEYS, &["name", "type"], out);
}
fn walk_options(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "field options", OPTION_KEYS, &[], out);
}
fn walk_policy(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(
        map,
        path,
        "policy",
        POLICY_KEYS,
        &["name", "operation"],
        out,
    );
}
fn walk_relationship(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(
        map,
        path,
        "relationship",
        RELATIONSHIP_KEYS,
        &["table", "name", "target"],
        out,
    );
}
fn walk_bucket(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "bucket", BUCKET_KEYS, &["id"], out);
}
fn walk_materialized_view(
    map: &serde_json::Map<String, Value>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    walk_object(
        map,
        path,
        "materialized view",
        MATERIALIZED_VIEW_KEYS,
        &["name", "source"],
        out,
    );
}
fn walk_time_bucket(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(
        map,
        path,
        "time bucket",
        TIME_BUCKET_KEYS,
        &["field", "unit"],
        out,
    );
}
fn walk_view_aggregate(
    map: &serde_json::Map<String, Value>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    walk_object(
        map,
        path,
        "aggregate",
        VIEW_AGGREGATE_KEYS,
        &["function"],
        out,
    );
}
fn walk_design(map: &serde_json::Map<String, Value>, path: &str, out: &mut Vec<Diagnostic>) {
    walk_object(map, path, "design", DESIGN_KEYS, &[], out);
}

fn walk_object(
    map: &serde_json::Map<String, Value>,
    path: &str,
    what: &str,
    keys: &[(&str, Kind)],
    required: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    for key in required {
        if !map.contains_key(*key) {
            out.push(Diagnostic::error(
                path,
                format!("{what} is missing the required key \"{key}\""),
            ));
        }
    }
    for (key, value) in map {
        let here = key_path(path, key);
        match keys.iter().find(|(k, _)| k == key) {
            Some((_, kind)) => check_kind(value, *kind, &here, out),
            None => out.push(
                Diagnostic::error(&here, format!("unknown key \"{key}\" in {what}"))
                    .did_you_mean(key, keys.iter().map(|(k, _)| *k)),
            ),
        }
    }
}

fn check_kind(value: &Value, kind: Kind, path: &str, out: &mut Vec<Diagnostic>) {
    let mismatch = |expected: &str| {
        Diagnostic::error(
            path,
            format!("expected {expected}, found {}", describe(value)),
        )
    };
    match kind {
        Kind::Str if !value.is_string() => out.push(mismatch("a string")),
        Kind::OptStr if !value.is_string() && !value.is_null() => out.push(mismatch("a string")),
        Kind::Bool if !value.is_boolean() => out.push(mismatch("true or false")),
        Kind::OptUInt if !value.is_null() && value.as_u64().is_none_or(|n| n > u32::MAX as u64) => {
            out.push(mismatch("a whole number ≥ 0"))
        }
        Kind::OptInt if !value.is_null() && !value.is_i64() => out.push(mismatch("a whole number")),
        Kind::OptU64 if !value.is_null() && !value.is_u64() => {
            out.push(mismatch("a whole number ≥ 0"))
        }
        Kind::BucketPolicies => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let here = index_path(path, i);
                    match item {
                        Value::Object(map) => walk_policy(map, &here, out),
                        _ => check_one_of(item, &BucketTemplate::NAMES, &here, out),
                    }
                }
            }
            None => out.push(mismatch("a list of template names or policies")),
        },
        Kind::StrList => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        check_kind(item, Kind::Str, &index_path(path, i), out);
                    }
                }
            }
            None => out.push(mismatch("a list of strings")),
        },
        Kind::OneOf(names) => check_one_of(value, names, path, out),
        Kind::OptOneOf(names) if !value.is_null() => check_one_of(value, names, path, out),
        Kind::ListOf(names) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_one_of(item, names, &index_path(path, i), out);
                }
            }
            None => out.push(mismatch("a list")),
        },
        Kind::Object(walker) => match value.as_object() {
            Some(map) => walker(map, path, out),
            None => out.push(mismatch("an object")),
        },
        Kind::ListOfObjects(walker) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let here = index_path(path, i);
                    match item.as_object() {
                        Some(map) => walker(map, &here, out),
                        None => check_kind(item, Kind::Object(walker), &here, out),
                    }
                }
            }
            None => out.push(mismatch("a list")),
        },
        Kind::Samples => match value.as_object() {
            Some(map) => {
                for (table, spec) in map {
                    check_samples(spec, &key_path(path, table), out);
                }
            }
            None => out.push(mismatch("an object mapping table → count or rows")),
        },
        _ => {}
    }
}

fn check_one_of(value: &Value, names: &[&str], path: &str, out: &mut Vec<Diagnostic>) {
    let what = if std::ptr::eq(names, FIELD_TYPE_NAMES.as_slice()) {
        "type"
    } else {
        "value"
    };
    match value.as_str() {
        Some(s) if names.contains(&s) => {}
        Some(s) => out.push(
            Diagnostic::error(path, format!("unknown {what} \"{s}\""))
                .did_you_mean(s, names.iter().copied()),
        ),
        None => out.push(Diagnostic::error(
            path,
            format!(
                "expected one of {}, found {}",
                names.join(", "),
                describe(value)
            ),
        )),
    }
}

fn check_samples(value: &Value, path: &str, out: &mut Vec<Diagnostic>) {
    match value {
        Value::Number(n) if n.is_u64() => {}
        Value::Number(_) => out.push(Diagnostic::error(
            path,
            format!("sample count must be a whole number from 0 to 1000000, found {value}"),
        )),
        Value::Array(rows) => {
            for (i, row) in rows.iter().enumerate() {
                if !row.is_object() {
                    out.push(Diagnostic::error(
                        index_path(path, i),
                        format!("a sample row must be an object, found {}", describe(row)),
                    ));
                }
            }
        }
        other => out.push(Diagnostic::error(
            path,
            format!(
                "expected a row count or a list of rows, found {}",
                describe(other)
            ),
        )),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How the user's document was shaped; decides how paths are reported back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputShape {
    /// `{"tables": [...], ...}`.
    Design,
    /// A single table object, as in the seed.
    Table,
    /// `[table, table, ...]`.
    TableList,
}

impl InputShape {
    /// Maps a path into the wrapped design back to a path into the user's file.
    fn user_path(self, path: &str) -> String {
        match self {
            InputShape::Design => path.to_string(),
            InputShape::Table => match path.strip_prefix("tables[0]") {
                Some(rest) => rest.strip_prefix('.').unwrap_or(rest).to_string(),
                None => path.to_string(),
            },
            InputShape::TableList => path.strip_prefix("tables").unwrap_or(path).to_string(),
        }
    }
}

impl InputShape {
    /// Maps a path into the user's file to a path into the wrapped design.
    fn design_path(self, path: &str) -> String {
        match self {
            InputShape::Design => path.to_string(),
            InputShape::Table if path.is_empty() => "tables[0]".to_string(),
            InputShape::Table => format!("tables[0].{path}"),
            InputShape::TableList => format!("tables{path}"),
        }
    }
}

fn shape_of(value: &Value) -> Option<InputShape> {
    match value {
        Value::Array(_) => Some(InputShape::TableList),
        Value::Object(map) => {
            let design_key = DESIGN_KEYS.iter().any(|(k, _)| map.contains_key(*k));
            if !design_key && (map.contains_key("fields") || map.contains_key("name")) {
                Some(InputShape::Table)
            } else {
                Some(InputShape::Design)
            }
        }
        _ => None,
    }
}

/// Parses and checks the shape of a design file without the semantic rules: the design and
/// how the input was shaped, or every shape error.
/// A NUL byte cannot reach PostgreSQL inside text: say where it is rather than lose the rest.
fn find_nul_bytes(value: &Value, path: &str, out: &mut Vec<Diagnostic>) {
    match value {
        Value::String(s) if s.contains('\0') => {
            out.push(Diagnostic::error(
                path,
                "contains a NUL byte (\\u0000), which PostgreSQL text cannot hold",
            ));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul_bytes(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if key.contains('\0') {
                    out.push(Diagnostic::error(
                        path,
                        "a key contains a NUL byte (\\u0000)",
                    ));
                }
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                find_nul_bytes(item, &child, out);
            }
        }
        _ => {}
    }
}

pub fn parse(json_text: &str) -> Result<(Design, InputShape), Vec<Diagnostic>> {
    let value: Value = serde_json::from_str(json_text).map_err(|e| {
        vec![Diagnostic::error(
            "",
            format!(
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ),
        )]
    })?;
    let Some(shape) = shape_of(&value) else {
        return Err(vec![Diagnostic::error(
            "",
            format!(
                "expected a design object, a table object or a list of tables, found {}",
                describe(&value)
            ),
        )]);
    };
    let mut out = Vec::new();
    find_nul_bytes(&value, "", &mut out);
    match (&value, shape) {
        (Value::Object(map), InputShape::Design) => walk_design(map, "", &mut out),
        (Value::Object(map), InputShape::Table) => walk_table(map, "", &mut out),
        (list, _) => check_kind(list, Kind::ListOfObjects(walk_table), "", &mut out),
    }
    let design_value = match shape {
        InputShape::Design => value,
        InputShape::Table => serde_json::json!({ "tables": [value] }),
        InputShape::TableList => serde_json::json!({ "tables": value }),
    };
    if !out.is_empty() {
        // Everything else that can be judged now is reported in the same pass.
        let broken: Vec<String> = out.iter().map(|d| shape.design_path(&d.path)).collect();
        for mut d in errors_despite(&design_value, &broken) {
            d.path = shape.user_path(&d.path);
            out.push(d);
        }
        return Err(out);
    }
    // The walk above should have caught everything serde can object to; if it did not, serde
    // still reports a path.
    let design: Design = serde_path_to_error::deserialize(design_value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        vec![Diagnostic::error(
            shape.user_path(&path),
            e.into_inner().to_string(),
        )]
    })?;
    Ok((design, shape))
}

/// serde_json appends " at line X column Y" to its messages; we say it first instead.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// Parses and validates a design file: the design and its warnings, or every error (with the
/// warnings found alongside them).
pub fn load(json_text: &str) -> Result<(Design, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_with_known_tables(json_text, &|_, _| false)
}

/// [`load`], asking `known(schema, table)` about relationship targets outside the design
/// (see [`validate_with_known_tables`]).
pub fn load_with_known_tables(
    json_text: &str,
    known: &dyn Fn(&str, &str) -> bool,
) -> Result<(Design, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (design, shape) = parse(json_text)?;
    let mut diagnostics = validate_with_known_tables(&design, known);
    for d in &mut diagnostics {
        d.path = shape.user_path(&d.path);
    }
    if has_errors(&diagnostics) {
        Err(diagnostics)
    } else {
        Ok((design, diagnostics))
    }
}

/// Serialises a design for saving: pretty JSON, defaults omitted, a trailing newline.
pub fn save(design: &Design) -> String {
    let mut text = serde_json::to_string_pretty(design).expect("a design always serialises");
    text.push('\n');
    text
}

/// The option keys as written in design files; kept equal to `OptionKey::ALL` by a test.
pub fn option_key_names() -> impl Iterator<Item = &'static str> {
    OPTION_KEYS.iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::field_types::{FieldType, OptionKey};

    #[test]
    fn field_type_names_match() {
        let names: Vec<_> = FieldType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, FIELD_TYPE_NAMES);
        let keys: Vec<_> = OptionKey::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(keys, option_key_names().collect::<Vec<_>>());
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text)
            .expect_err("should fail")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let e = errors("{\n  \"tables\": [\n    {\"name\": }\n  ]\n}");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("invalid JSON at line 3, column 14: "),
            "{e:?}"
        );
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_path() {
        let e = errors(
            r#"{"tables": [{"name": "T", "feilds": [], "fields": [
                {"name": "a", "type": "singleLinetext", "options": {"max_lenght": 3}}
            ]}], "relationship": []}"#,
        );
        assert_eq!(
            e,
            [
                "tables[0].feilds: unknown key \"feilds\" in table — did you mean \"fields\"?",
                "tables[0].fields[0].type: unknown type \"singleLinetext\" — did you mean \"singleLineText\"?",
                "tables[0].fields[0].options.max_lenght: unknown key \"max_lenght\" in field options — did you mean \"max_length\"?",
                "relationship: unknown key \"relationship\" in design — did you mean \"relationships\"?",
            ]
        );
    }

    #[test]
    fn wrong_kinds_and_missing_keys() {
        let e = errors(
            r#"{"tables": [{"fields": [{"name": "a", "type": "number", "options": {"required": "yes", "precision": -1}}],
                "rls_policies": [{"name": "p", "operation": "select"}]}],
                "samples": {"T": -3, "U": ["x"]}}"#,
        );
        assert_eq!(
            e,
            [
                "tables[0]: table is missing the required key \"name\"",
                "tables[0].fields[0].options.required: expected true or false, found a string",
                "tables[0].fields[0].options.precision: expected a whole number ≥ 0, found a number",
                "tables[0].rls_policies[0].operation: unknown value \"select\" — did you mean \"SELECT\"?",
                "samples.T: sample count must be a whole number from 0 to 1000000, found -3",
                "samples.U[0]: a sample row must be an object, found a string",
            ]
        );
    }

    #[test]
    fn bare_tables_and_lists_are_accepted_with_their_own_paths() {
        let (design, shape) = parse(r#"{"name": "T", "fields": []}"#).unwrap();
        assert_eq!(shape, InputShape::Table);
        assert_eq!(design.tables[0].name, "T");
        assert_eq!(
            errors(r#"{"name": "T", "fields": [{"name": "a", "type": "nubmer"}]}"#),
            ["fields[0].type: unknown type \"nubmer\" — did you mean \"number\"?"]
        );
        assert_eq!(
            errors(r#"[{"name": "T", "fields": [{"name": "a", "type": "nubmer"}]}]"#),
            ["[0].fields[0].type: unknown type \"nubmer\" — did you mean \"number\"?"]
        );
        assert!(parse("42").is_err());
    }
}
