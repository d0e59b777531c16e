//! A designed column that already exists: every difference from the design becomes a step
//! (type, default, NOT NULL, UNIQUE, the CHECK from its options) or a note that says why
//! PostgreSQL cannot change it in place.

use crate::catalog::change::{Change, ConstraintDef};
use crate::catalog::{Column as LiveColumn, Table as LiveTable};
use crate::design::names::check_constraint;
use crate::design::{FieldKind, PgType, ResolvedField, ResolvedTable};
use crate::sql::ident;

use super::printed::{check_body, checks_as_printed, same_printed_in};
use super::sql_parts::{checks_sql, default_sql};
use super::{Planner, Section, Step};

/// Plans the differences between `field` and the live `column` of `live`.
pub(super) fn alter_column(
    p: &mut Planner,
    table: &ResolvedTable,
    live: &LiveTable,
    field: &ResolvedField,
    column: &LiveColumn,
) {
    let name = table.db_name.as_str();
    let object = format!("{}.{}", p.object(name), field.db_name);
    generated(p, &object, field, column);
    let mut column = column.clone();
    if column_type(p, name, &object, live, field, &column) {
        // The type change dropped the old default first; the design's is set after it.
        column.default = None;
    }
    let column = &column;
    default(p, name, &object, field, column);
    nullability(p, name, &object, field.nullable, column);
    unique(p, name, live, field);
    checks(p, name, live, field);
}

fn generated(p: &mut Planner, object: &str, field: &ResolvedField, column: &LiveColumn) {
    let wanted = match &field.kind {
        FieldKind::Generated { expression } => Some(expression.as_str()),
        _ => None,
    };
    let differs = match (wanted, column.generated.as_deref()) {
        (None, None) => false,
        (Some(a), Some(b)) => !same_printed_in(&p.catalog.normalised, a, b),
        _ => true,
    };
    if differs {
        p.note(format!(
            "{object}: the formula differs from the database's generated column; PostgreSQL 15 \
             cannot change a generated expression in place: list the field in drop_columns \
             and add it again"
        ));
    }
}

/// Whether every value of `from` fits in `to` (a widening: nothing can be lost or refused).
fn widens(from: &str, to: &PgType) -> bool {
    let to_text = to.format_type();
    match to {
        PgType::Text => true,
        PgType::BigInt => matches!(from, "smallint" | "integer"),
        PgType::Numeric {
            precision: None, ..
        } => from.starts_with("numeric") || matches!(from, "smallint" | "integer" | "bigint"),
        PgType::Numeric {
            precision: Some(p),
            scale,
        } => {
            let Some(args) = from
                .strip_prefix("numeric(")
                .and_then(|r| r.strip_suffix(')'))
            else {
                return false;
            };
            let mut parts = args.split(',').map(|s| s.trim().parse::<u32>().ok());
            let (Some(Some(fp)), fs) = (parts.next(), parts.next().flatten().unwrap_or(0)) else {
                return false;
            };
            let s = scale.unwrap_or(0);
            s >= fs && p - s >= fp - fs
        }
        _ => from == to_text,
    }
}

fn column_type(
    p: &mut Planner,
    table: &str,
    object: &str,
    live: &LiveTable,
    field: &ResolvedField,
    column: &LiveColumn,
) -> bool {
    identity(p, object, field, column);
    let Some((wanted_sql, wanted_printed)) = field.column_type() else {
        return false;
    };
    if column.data_type == wanted_printed {
        return false;
    }
    // A raw type is the user's own: whether it widens is not known, so it is taken as not.
    let narrowing = field
        .pg_type
        .is_none_or(|wanted| !widens(&column.data_type, &wanted));
    let rows = live
        .row_estimate
        .filter(|n| *n >= 0)
        .map_or("an unknown number of".to_owned(), |n| format!("about {n}"));
    p.note(format!(
        "{object}: {} → {}: ALTER COLUMN TYPE rewrites the table ({rows} rows) under an \
         ACCESS EXCLUSIVE lock{}",
        column.data_type,
        wanted_printed,
        if narrowing {
            "; values that do not fit the new type make the apply fail, and precision may be lost"
        } else {
            ""
        }
    ));
    // The old default may not cast to the new type (`0` to boolean): dropped first.
    let drop_default = column.default.is_some();
    if drop_default {
        let change = Change::DropDefault {
            table: p.qn(table),
            column: field.db_name.clone(),
        };
        p.push(Step::new(Section::Tables, object, change));
    }
    let change = Change::AlterColumnType {
        table: p.qn(table),
        column: field.db_name.clone(),
        using: format!("{}::{wanted_sql}", ident(&field.db_name)),
        sql_type: wanted_sql,
        data_type: wanted_printed,
        narrowing,
    };
    p.push(Step::new(Section::Tables, object, change));
    drop_default
}

/// An identity column (raw fields' `identity`) is not turned on or off by a plan.
fn identity(p: &mut Planner, object: &str, field: &ResolvedField, column: &LiveColumn) {
    use crate::catalog::Identity;
    use crate::design::IdentityKind;
    let live = column.identity.map(|i| match i {
        Identity::Always => IdentityKind::Always,
        Identity::ByDefault => IdentityKind::ByDefault,
    });
    if live != field.options.identity && !matches!(field.kind, FieldKind::Generated { .. }) {
        let say = |i: Option<IdentityKind>| {
            i.map_or("no identity".to_owned(), |i| {
                format!("GENERATED {} AS IDENTITY", i.sql())
            })
        };
        p.note(format!(
            "{object}: {} in the database, {} in the design; identity is not changed by a \
             plan: left as it is",
            say(live),
            say(field.options.identity)
        ));
    }
}

fn default(p: &mut Planner, table: &str, object: &str, field: &ResolvedField, column: &LiveColumn) {
    if matches!(field.kind, FieldKind::Generated { .. }) || column.identity.is_some() {
        return;
    }
    let wanted = field
        .default
        .as_ref()
        .map(|d| default_sql(d, field.pg_type.as_ref()));
    let change = match (wanted, column.default.as_deref()) {
        (None, None) => return,
        (Some(w), Some(l)) if same_printed_in(&p.catalog.normalised, &w, l) => return,
        (Some(default), _) => Change::SetDefault {
            table: p.qn(table),
            column: field.db_name.clone(),
            default,
        },
        (None, Some(_)) => Change::DropDefault {
            table: p.qn(table),
            column: field.db_name.clone(),
        },
    };
    p.push(Step::new(Section::Tables, object, change));
}

/// SET or DROP NOT NULL when the design's `required` differs from the column.
pub(super) fn nullability(
    p: &mut Planner,
    table: &str,
    object: &str,
    nullable: bool,
    column: &LiveColumn,
) {
    if nullable == column.nullable {
        return;
    }
    let (table, column) = (p.qn(table), column.name.clone());
    let change = if nullable {
        Change::DropNotNull { table, column }
    } else {
        Change::SetNotNull { table, column }
    };
    p.push(Step::new(Section::Tables, object, change));
}

/// Drops a single-column UNIQUE constraint the design no longer asks for (adding one is
/// done with the other constraints).
fn unique(p: &mut Planner, table: &str, live: &LiveTable, field: &ResolvedField) {
    if field.unique_constraint.is_some() {
        return;
    }
    let existing: Vec<String> = live
        .unique_constraints
        .iter()
        .filter(|k| k.columns == [field.db_name.as_str()])
        .map(|k| k.name.clone())
        .collect();
    for name in existing {
        let change = Change::DropConstraint {
            table: p.qn(table),
            name: name.clone(),
        };
        p.push(Step::new(
            Section::Tables,
            format!("{}.{name}", p.object(table)),
            change,
        ));
    }
}

/// Replaces the CHECK of a column whose options (choices, limits) changed, and drops it when
/// the design has none left (raw fields keep theirs). Only the constraint schemaforge names `<table>_<column>_check`
/// is touched; other checks on the column are the user's own.
fn checks(p: &mut Planner, table: &str, live: &LiveTable, field: &ResolvedField) {
    if field.field_type == crate::design::FieldType::Raw {
        // A raw field keeps the column as it is, checks included.
        return;
    }
    let conventional = check_constraint(table, &field.db_name);
    let name = field.check_constraint.as_ref().unwrap_or(&conventional);
    let Some(existing) = live.check_constraints.iter().find(|c| &c.name == name) else {
        return;
    };
    let object = format!("{}.{name}", p.object(table));
    let drop = Change::DropConstraint {
        table: p.qn(table),
        name: name.clone(),
    };
    if field.check_constraint.is_none() {
        p.push(Step::new(Section::Tables, object, drop));
        return;
    }
    // The live body is as the server prints it, or as written when the catalog is the
    // planner's own (`Catalog::apply`).
    let body = check_body(&existing.definition);
    let written = checks_sql(&field.checks, &field.db_name);
    let forms = &p.catalog.normalised;
    if same_printed_in(
        forms,
        &checks_as_printed(&field.checks, &field.db_name),
        body,
    ) || same_printed_in(forms, &written, body)
    {
        return;
    }
    p.push(Step::new(Section::Tables, object.clone(), drop).replacing());
    let add = Change::AddConstraint {
        table: p.qn(table),
        constraint: ConstraintDef::Check {
            name: name.clone(),
            expression: written,
        },
    };
    p.push(Step::new(Section::Tables, object, add));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_is_told_from_narrowing() {
        assert!(widens("integer", &PgType::BigInt));
        assert!(widens("character varying(20)", &PgType::Text));
        assert!(widens(
            "numeric(10,2)",
            &PgType::Numeric {
                precision: Some(12),
                scale: Some(2)
            }
        ));
        assert!(!widens(
            "numeric(10,2)",
            &PgType::Numeric {
                precision: Some(10),
                scale: Some(0)
            }
        ));
        assert!(!widens("text", &PgType::BigInt));
        assert!(!widens("bigint", &PgType::SmallInt));
        assert!(!widens("text", &PgType::Jsonb));
    }
}
