//! Explicit sample rows, checked against the field types before anything is sent.
//!
//! `design::validate` already checks the rows of a design file; this check runs again on the
//! resolved design because rows may come from elsewhere (the Samples pane edits them), and a
//! bad value found here names the table, the row and the field instead of a COPY line number.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::SampleError;
use super::ids::is_uuid;
use crate::design::{FieldKind, FieldType, RelationshipKind, ResolvedDesign, SYSTEM_FIELDS};

/// Checks every explicit row of table `ti`: known columns, values of the right shape, the
/// field-type CHECKs, NOT NULL, and unique values unique among the rows.
pub(crate) fn validate_rows(
    design: &ResolvedDesign,
    ti: usize,
    rows: &[Map<String, Value>],
) -> Result<(), SampleError> {
    let table = &design.tables[ti];
    let error = |row: usize, field: &str, message: String| SampleError::InvalidValue {
        table: table.db_name.clone(),
        row,
        field: field.to_string(),
        message,
    };
    let foreign_keys: Vec<(&str, bool)> = design
        .relationships
        .iter()
        .filter(|r| r.table == ti)
        .filter_map(|r| match &r.kind {
            RelationshipKind::ForeignKey {
                column, nullable, ..
            } => Some((column.as_str(), *nullable)),
            RelationshipKind::Linking { .. } => None,
        })
        .collect();
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        for (column, value) in row {
            if let Some(field) = table.fields.iter().find(|f| f.db_name == *column) {
                if field.kind != FieldKind::Column {
                    return Err(error(
                        i,
                        column,
                        format!(
                            "a {} field is computed; it cannot be given a value",
                            field.field_type
                        ),
                    ));
                }
                if value.is_null() {
                    if !field.nullable {
                        return Err(error(i, column, "is required; it cannot be null".into()));
                    }
                    continue;
                }
                if let Some(expected) = shape_error(field.field_type, field.options.integer, value)
                {
                    return Err(error(
                        i,
                        column,
                        format!(
                            "value {value} does not fit a {} field: expected {expected}",
                            field.field_type
                        ),
                    ));
                }
                if let (Some(p), Some(n)) = (field.options.precision, value.as_f64()) {
                    let scale = field.options.scale.unwrap_or(0);
                    let int_digits = p.saturating_sub(scale);
                    if n.abs() >= 10f64.powi(int_digits as i32) {
                        return Err(error(
                            i,
                            column,
                            format!("value {value} does not fit numeric({p},{scale})"),
                        ));
                    }
                }
                if let Some(check) = field.checks.iter().find(|c| !c.accepts(value)) {
                    return Err(error(
                        i,
                        column,
                        format!("value {value} violates the {check:?} check"),
                    ));
                }
                if field.unique
                    && let Some(first) = seen.insert((column.as_str(), value.to_string()), i)
                {
                    return Err(error(
                        i,
                        column,
                        format!("is unique, but value {value} is also given in row {first}"),
                    ));
                }
            } else if let Some((_, nullable)) = foreign_keys.iter().find(|(c, _)| c == column) {
                match value {
                    Value::Null if *nullable => {}
                    Value::Null => {
                        return Err(error(i, column, "is required; it cannot be null".into()));
                    }
                    Value::String(s) if is_uuid(s) => {}
                    other => {
                        return Err(error(i, column, format!("value {other} is not a uuid")));
                    }
                }
            } else if let Some(system) = SYSTEM_FIELDS.iter().find(|s| s.db_name == column) {
                let ok = match (value, system.pg_type) {
                    (Value::Null, _) => system.nullable,
                    (Value::String(s), crate::design::PgType::Uuid) => is_uuid(s),
                    (Value::String(_), _) => true,
                    _ => false,
                };
                if !ok {
                    return Err(error(
                        i,
                        column,
                        format!("value {value} does not fit the system column {column}"),
                    ));
                }
                if column == "id" && seen.insert(("id", value.to_string()), i).is_some() {
                    return Err(error(i, column, format!("id {value} is given twice")));
                }
            } else {
                return Err(error(i, column, "is not a column of the table".into()));
            }
        }
        if let Some(field) = table.fields.iter().find(|f| {
            f.kind == FieldKind::Column
                && !f.nullable
                && f.default.is_none()
                && !row.contains_key(&f.db_name)
        }) {
            return Err(error(
                i,
                &field.db_name,
                "is required and has no default; the row must give it".into(),
            ));
        }
    }
    Ok(())
}

/// What a value of this type must look like, when `value` does not (the design's rule).
fn shape_error(t: FieldType, integer: bool, value: &Value) -> Option<&'static str> {
    t.expected_shape(integer, value)
}
