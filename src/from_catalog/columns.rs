//! Columns back to fields: a catalogue type when the column is exactly what the planner
//! creates for it (type, the CHECK named `<table>_<column>_check`, default), else a raw field
//! that keeps the column's type, default and checks as they are.

use crate::catalog::{Column, Identity, Table as LiveTable};
use crate::design::names::{NameKind, check_constraint, derive_db_name};
use crate::design::{
    Check, DefaultValue, Field, FieldOptions, FieldType, IdentityKind, OptionKey, Storage,
};
use crate::plan::printed::{check_body, checks_as_printed, same_printed};

use super::Context;
use super::defaults::{default_value, split_quoted};
use super::system::System;

/// The fields of `live`: every column but the system ones and those of relationships.
pub(crate) fn fields(
    ctx: &mut Context,
    live: &LiveTable,
    system: Option<&System>,
    relationship_columns: &[String],
) -> Vec<Field> {
    let mut fields = Vec::new();
    let mut used_checks = Vec::new();
    for column in &live.columns {
        if system.is_some() && crate::design::field_types::is_system_field(&column.name) {
            continue;
        }
        if relationship_columns.contains(&column.name) {
            continue;
        }
        let conventional = check_constraint(&live.name, &column.name);
        let check = live
            .check_constraints
            .iter()
            .find(|c| c.name == conventional);
        let unique = live
            .unique_constraints
            .iter()
            .any(|k| k.columns == [column.name.as_str()]);
        let typed = typed(column, check.map(|c| check_body(&c.definition)), unique);
        let mut field = match typed {
            Some((t, options)) => {
                if check.is_some() {
                    used_checks.push(conventional.clone());
                }
                Field {
                    options: with_common(t, options, column, unique),
                    ..Field::new(column.name.clone(), t)
                }
            }
            None => raw(ctx, live, column, unique),
        };
        if derive_db_name(&column.name, NameKind::Field) != column.name {
            field.db_name = Some(column.name.clone());
        }
        field.options.primary_key = system.is_none()
            && live
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns.contains(&column.name));
        fields.push(field);
    }
    key_order(live, &mut fields);
    if let Some(primary) = fields
        .iter_mut()
        .find(|f| f.field_type.is_text() && f.field_type.storage() == Storage::Column)
    {
        primary.is_primary = true;
    }
    for c in &live.check_constraints {
        if !used_checks.contains(&c.name) {
            ctx.note(
                &live.name,
                format!(
                    "CHECK {} is not part of the design; left as it is ({})",
                    c.name, c.definition
                ),
            );
        }
    }
    fields
}

/// A composite key's fields in key order (the design's key is its marked fields in order).
fn key_order(live: &LiveTable, fields: &mut [Field]) {
    let Some(key) = &live.primary_key else { return };
    let slots: Vec<usize> = (0..fields.len())
        .filter(|&i| fields[i].options.primary_key)
        .collect();
    let mut keyed: Vec<Field> = slots.iter().map(|&i| fields[i].clone()).collect();
    keyed.sort_by_key(|f| {
        key.columns
            .iter()
            .position(|c| Some(c.as_str()) == f.db_name.as_deref().or(Some(&f.name)))
    });
    for (slot, field) in slots.into_iter().zip(keyed) {
        fields[slot] = field;
    }
}

/// The options every column-backed type shares: required, unique, default, description.
fn with_common(t: FieldType, mut o: FieldOptions, column: &Column, unique: bool) -> FieldOptions {
    if t.accepts(OptionKey::Required) && t != FieldType::Checkbox {
        o.required = !column.nullable;
    }
    o.unique = unique;
    if o.description.is_none() && t != FieldType::Currency {
        o.description = column.comment.clone();
    }
    if let Some(printed) = &column.default {
        let pg_type = t.pg_type(&o);
        let value = match default_value(printed, pg_type) {
            DefaultValue::Literal(v) if !literal_fits(t, &o, &v) => {
                DefaultValue::Expression(printed.clone())
            }
            other => other,
        };
        let implied = t == FieldType::Checkbox && value == DefaultValue::Literal(false.into());
        if !implied {
            o.default = Some(value);
        }
    }
    o
}

fn literal_fits(t: FieldType, o: &FieldOptions, v: &serde_json::Value) -> bool {
    t.expected_shape(o.integer, v).is_none() && t.checks(o).iter().all(|c| c.accepts(v))
}

/// The catalogue type the planner would create this column as, with the options that give
/// its CHECK; `None` when there is none (the column becomes raw).
fn typed(column: &Column, check: Option<&str>, unique: bool) -> Option<(FieldType, FieldOptions)> {
    if column.identity.is_some() {
        return None;
    }
    if let Some(expression) = &column.generated {
        return formula(column, expression, check);
    }
    let o = FieldOptions::default;
    let ty = column.data_type.as_str();
    let candidates: Vec<(FieldType, FieldOptions)> = match ty {
        "text" => match check {
            None => vec![(FieldType::SingleLineText, o())],
            Some(body) => {
                let choices = split_quoted(body).unwrap_or_default();
                vec![
                    (FieldType::SingleSelect, FieldOptions { choices, ..o() }),
                    (
                        FieldType::SingleLineText,
                        FieldOptions {
                            max_length: last_number(body).and_then(|n| u32::try_from(n).ok()),
                            ..o()
                        },
                    ),
                    (FieldType::Email, o()),
                    (FieldType::Phone, o()),
                    (FieldType::Url, o()),
                ]
            }
        },
        "text[]" => vec![(
            FieldType::MultiSelect,
            FieldOptions {
                choices: check.and_then(split_quoted).unwrap_or_default(),
                ..o()
            },
        )],
        "numeric" => vec![(FieldType::Number, o())],
        "bigint" => vec![(
            FieldType::Number,
            FieldOptions {
                integer: true,
                ..o()
            },
        )],
        "smallint" => vec![(
            FieldType::Rating,
            FieldOptions {
                max: check.and_then(last_number),
                ..o()
            },
        )],
        "boolean" if !column.nullable && column.default.is_some() && !unique => {
            vec![(FieldType::Checkbox, o())]
        }
        "date" => vec![(FieldType::Date, o())],
        "timestamp with time zone" => vec![(FieldType::DateTime, o())],
        "interval" => vec![(FieldType::Duration, o())],
        "jsonb" if !unique => vec![(FieldType::Attachment, o()), (FieldType::Json, o())],
        "jsonb" => vec![(FieldType::Json, o())],
        _ => numeric_with_precision(column).into_iter().collect(),
    };
    let (t, mut options) = candidates
        .into_iter()
        .find(|(t, options)| matches_check(*t, options, &column.name, check))
        .filter(|(t, _)| !unique || t.accepts(OptionKey::Unique))?;
    if options.max == Some(crate::design::field_types::DEFAULT_RATING_MAX) {
        options.max = None;
    }
    Some((t, options))
}

/// Whether a type with these options has exactly the live CHECK (or none when there is none).
fn matches_check(t: FieldType, options: &FieldOptions, column: &str, live: Option<&str>) -> bool {
    let checks: Vec<Check> = t.checks(options);
    match live {
        None => checks.is_empty(),
        Some(body) => !checks.is_empty() && same_printed(&checks_as_printed(&checks, column), body),
    }
}

/// `numeric(p,s)`: a number with that precision, or a currency when it is `numeric(19,4)`
/// and the comment carries the currency code as the planner writes it.
fn numeric_with_precision(column: &Column) -> Option<(FieldType, FieldOptions)> {
    let args = column
        .data_type
        .strip_prefix("numeric(")?
        .strip_suffix(')')?;
    let (p, s) = args.split_once(',')?;
    let (p, s): (u32, u32) = (p.trim().parse().ok()?, s.trim().parse().ok()?);
    if (p, s) == (19, 4)
        && let Some(comment) = &column.comment
    {
        let (description, code) = match comment.strip_prefix("currency: ") {
            Some(code) => (None, code),
            None => {
                let (d, rest) = comment.rsplit_once(" (currency: ")?;
                (Some(d.to_owned()), rest.strip_suffix(')')?)
            }
        };
        if !code.is_empty() && !code.contains(char::is_whitespace) {
            return Some((
                FieldType::Currency,
                FieldOptions {
                    currency_code: Some(code.to_owned()),
                    description,
                    ..FieldOptions::default()
                },
            ));
        }
    }
    Some((
        FieldType::Number,
        FieldOptions {
            precision: Some(p),
            scale: (s > 0).then_some(s),
            ..FieldOptions::default()
        },
    ))
}

/// A generated column whose type is a formula's result type (and which may be null, as a
/// formula always may).
fn formula(
    column: &Column,
    expression: &str,
    check: Option<&str>,
) -> Option<(FieldType, FieldOptions)> {
    let result_type = match column.data_type.as_str() {
        "text" => None,
        "numeric" => Some(FieldType::Number),
        "boolean" => Some(FieldType::Checkbox),
        "date" => Some(FieldType::Date),
        "timestamp with time zone" => Some(FieldType::DateTime),
        "interval" => Some(FieldType::Duration),
        "jsonb" => Some(FieldType::Json),
        _ => return None,
    };
    (column.nullable && check.is_none() && column.default.is_none()).then(|| {
        (
            FieldType::Formula,
            FieldOptions {
                expression: Some(expression.to_owned()),
                result_type,
                ..FieldOptions::default()
            },
        )
    })
}

/// The last whole number in a printed CHECK (`char_length(x) <= 80`, `x <= 5`).
fn last_number(body: &str) -> Option<i64> {
    let digits: String = body
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// A column kept exactly: its type, NOT NULL, UNIQUE, default and comment; its checks stay.
fn raw(ctx: &mut Context, live: &LiveTable, column: &Column, unique: bool) -> Field {
    if column.generated.is_some() {
        ctx.note(
            &live.name,
            format!(
                "column {}: a generated column of type {} is not a formula the design can hold; \
                 kept as a raw field",
                column.name, column.data_type
            ),
        );
    }
    if column
        .default
        .as_deref()
        .is_some_and(|d| d.starts_with("nextval("))
    {
        ctx.note(
            &live.name,
            format!(
                "column {}: its sequence is not part of the design; left as it is",
                column.name
            ),
        );
    }
    Field {
        options: FieldOptions {
            sql_type: Some(column.data_type.clone()),
            required: !column.nullable,
            unique,
            default: column
                .default
                .as_ref()
                .map(|d| DefaultValue::Expression(d.clone())),
            description: column.comment.clone(),
            identity: column.identity.map(|i| match i {
                Identity::Always => IdentityKind::Always,
                Identity::ByDefault => IdentityKind::ByDefault,
            }),
            ..FieldOptions::default()
        },
        ..Field::new(column.name.clone(), FieldType::Raw)
    }
}
