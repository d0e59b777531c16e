//! Tables and their own columns (no relationships yet): created whole when new, completed
//! column by column and constraint by constraint when they exist.

use crate::catalog::Table as LiveTable;
use crate::catalog::change::{
    Change, ColumnConstraint, ColumnDef, CommentOn, ConstraintDef, TableDef,
};
use crate::catalog::{FkAction, QualifiedName};
use crate::design::names::{fkey_constraint, index_name, pkey_constraint};
use crate::design::{
    DefaultValue, FieldKind, PgType, ResolvedField, ResolvedTable, SYSTEM_FIELDS, SystemField,
};

use super::sql_parts::{checks_sql, default_sql};
use super::{Planner, Section, Step};

pub(super) fn plan_tables(p: &mut Planner) {
    check_raw_sql(p);
    for table in &p.design.tables {
        match p.live(&table.db_name) {
            None => create_table(p, table),
            Some(live) => extend_table(p, table, live),
        }
        comments(p, table);
    }
}

/// Formulas and defaults marked as expressions are the user's own SQL: each must be one
/// expression, never something that ends the statement it goes into.
fn check_raw_sql(p: &mut Planner) {
    for (ti, table) in p.design.tables.iter().enumerate() {
        for field in &table.fields {
            let (text, key) = match (&field.kind, &field.default) {
                (FieldKind::Generated { expression }, _) => (expression, "expression"),
                (_, Some(DefaultValue::Expression(expression))) => (expression, "default"),
                _ => continue,
            };
            if let Err(e) = crate::sql_tokens::check_expression(text) {
                p.errors.push(super::PlanError {
                    path: format!("tables[{ti}].fields (\"{}\").options.{key}", field.name),
                    message: e.to_string(),
                });
            }
        }
    }
}

/// A system column's definition, without the foreign key (added as a table constraint).
fn system_column(p: &Planner, field: &SystemField) -> ColumnDef {
    let default = match field.default_expression {
        Some(expr) if expr.starts_with("auth.") && !p.has_auth() => None,
        other => other,
    };
    ColumnDef {
        name: field.db_name.to_owned(),
        sql_type: field.pg_type.sql(),
        data_type: field.pg_type.format_type(),
        default: default.map(str::to_owned),
        generated: None,
        not_null: !field.nullable,
        constraints: Vec::new(),
    }
}

/// A designed column's definition; `inline` adds its CHECK and UNIQUE constraints (for
/// ALTER TABLE ADD COLUMN).
fn field_column(field: &ResolvedField, inline: bool) -> ColumnDef {
    let (mut sql_type, data_type) = field
        .column_type()
        .unwrap_or_else(|| (PgType::Text.sql(), PgType::Text.format_type()));
    if let Some(identity) = field.options.identity {
        sql_type = format!("{sql_type} GENERATED {} AS IDENTITY", identity.sql());
    }
    let generated = match &field.kind {
        FieldKind::Generated { expression } => Some(expression.clone()),
        _ => None,
    };
    let default = match (&generated, &field.default) {
        (None, Some(default)) => Some(default_sql(default, field.pg_type.as_ref())),
        _ => None,
    };
    let mut constraints = Vec::new();
    if inline {
        if let Some(name) = &field.check_constraint {
            constraints.push(ColumnConstraint::Check {
                name: name.clone(),
                expression: checks_sql(&field.checks, &field.db_name),
            });
        }
        if let Some(name) = &field.unique_constraint {
            constraints.push(ColumnConstraint::Unique { name: name.clone() });
        }
    }
    ColumnDef {
        name: field.db_name.clone(),
        sql_type,
        data_type,
        default,
        generated,
        not_null: !field.nullable,
        constraints,
    }
}

/// `created_by` → `auth.users(id)`, on Supabase-style databases.
fn created_by_fkey(p: &Planner, table: &str) -> Option<ConstraintDef> {
    p.has_auth().then(|| ConstraintDef::ForeignKey {
        name: fkey_constraint(table, "created_by"),
        columns: vec!["created_by".into()],
        references: QualifiedName::new("auth", "users"),
        references_columns: vec!["id".into()],
        on_delete: FkAction::SetNull,
    })
}

fn create_table(p: &mut Planner, table: &ResolvedTable) {
    let name = &table.db_name;
    let mut columns_def: Vec<ColumnDef> = Vec::new();
    let mut constraints = Vec::new();
    if table.system_fields {
        columns_def.extend(SYSTEM_FIELDS.iter().map(|f| system_column(p, f)));
        constraints.push(ConstraintDef::PrimaryKey {
            name: pkey_constraint(name),
            columns: vec!["id".into()],
        });
        constraints.extend(created_by_fkey(p, name));
    } else if !table.primary_key.is_empty() {
        constraints.push(ConstraintDef::PrimaryKey {
            name: pkey_constraint(name),
            columns: table.primary_key.clone(),
        });
    }
    let columns: Vec<&ResolvedField> = table.columns().collect();
    columns_def.extend(columns.iter().map(|f| field_column(f, false)));
    if table.soft_delete {
        columns_def.push(super::soft_delete::column());
    }
    for field in &columns {
        if let Some(check) = &field.check_constraint {
            constraints.push(ConstraintDef::Check {
                name: check.clone(),
                expression: checks_sql(&field.checks, &field.db_name),
            });
        }
        if let Some(unique) = &field.unique_constraint {
            constraints.push(ConstraintDef::Unique {
                name: unique.clone(),
                columns: vec![field.db_name.clone()],
            });
        }
    }
    let change = Change::CreateTable(TableDef {
        table: p.qn(name),
        columns: columns_def,
        constraints,
    });
    p.push(Step::new(Section::Tables, p.object(name), change));
    if table.system_fields {
        created_by_index(p, name, None);
    }
}

/// `idx_<table>_created_by`: owner policies filter on it, so it must be fast.
fn created_by_index(p: &mut Planner, table: &str, live: Option<&LiveTable>) {
    if !p.has_auth() || live.is_some_and(|l| has_index_on(l, &["created_by"])) {
        return;
    }
    let index = index_name(table, &["created_by"]);
    let change = Change::CreateIndex {
        table: p.qn(table),
        name: index.clone(),
        columns: vec!["created_by".into()],
        options: Default::default(),
    };
    p.push(Step::new(
        Section::Tables,
        format!("{}.{index}", p.object(table)),
        change,
    ));
}

/// Whether some index of the live table starts with exactly these columns.
pub(super) fn has_index_on(live: &LiveTable, columns: &[&str]) -> bool {
    live.indexes.iter().any(|i| {
        i.columns.len() >= columns.len() && i.columns.iter().zip(columns).all(|(a, b)| a == b)
    })
}

/// Whether the live table has a constraint of any kind with this name.
pub(super) fn has_constraint(live: &LiveTable, name: &str) -> bool {
    live.primary_key.as_ref().is_some_and(|k| k.name == name)
        || live.unique_constraints.iter().any(|k| k.name == name)
        || live.check_constraints.iter().any(|c| c.name == name)
        || live.foreign_keys.iter().any(|f| f.name == name)
        || live.index(name).is_some()
}

fn extend_table(p: &mut Planner, table: &ResolvedTable, live: &LiveTable) {
    let name = table.db_name.as_str();
    for column in &table.drop_columns {
        if live.column(column).is_some() {
            let change = Change::DropColumn {
                table: p.qn(name),
                column: column.clone(),
            };
            p.push(Step::new(
                Section::Tables,
                format!("{}.{column}", p.object(name)),
                change,
            ));
        }
    }
    if table.system_fields {
        system_columns(p, name, live);
    } else {
        primary_key(p, table, live);
    }
    designed_columns(p, table, live);
}

/// A table without system fields keeps the key it has; a different one in the design is
/// reported, never swapped (dropping a primary key breaks every foreign key to it).
fn primary_key(p: &mut Planner, table: &ResolvedTable, live: &LiveTable) {
    let name = table.db_name.as_str();
    let have = live.primary_key.as_ref().map(|k| k.columns.clone());
    match have {
        Some(columns) if columns == table.primary_key => {}
        None if table.primary_key.is_empty() => {}
        None => {
            let change = Change::AddConstraint {
                table: p.qn(name),
                constraint: ConstraintDef::PrimaryKey {
                    name: pkey_constraint(name),
                    columns: table.primary_key.clone(),
                },
            };
            p.push(Step::new(
                Section::Tables,
                format!("{}.{}", p.object(name), pkey_constraint(name)),
                change,
            ));
        }
        Some(columns) => p.note(format!(
            "{}: the primary key is ({}) in the database and ({}) in the design; a primary key \
             is not replaced by a plan (foreign keys depend on it): left as it is",
            p.object(name),
            columns.join(", "),
            table.primary_key.join(", ")
        )),
    }
}

/// The system columns a live table lacks, `created_by`'s foreign key and its index.
fn system_columns(p: &mut Planner, name: &str, live: &LiveTable) {
    for field in &SYSTEM_FIELDS {
        if live.column(field.db_name).is_some() {
            continue;
        }
        if field.primary_key && live.primary_key.is_some() {
            p.note(format!(
                "{}: has a primary key other than \"id\"; no \"id\" column is added",
                p.object(name)
            ));
            continue;
        }
        let mut column = system_column(p, field);
        if field.primary_key {
            column.constraints.push(ColumnConstraint::PrimaryKey {
                name: pkey_constraint(name),
            });
        }
        let change = Change::AddColumn {
            table: p.qn(name),
            column,
        };
        p.push(Step::new(
            Section::Tables,
            format!("{}.{}", p.object(name), field.db_name),
            change,
        ));
    }
    let fkey = fkey_constraint(name, "created_by");
    let created_by_has_fk = live
        .foreign_keys
        .iter()
        .any(|f| f.columns == ["created_by"]);
    if let Some(constraint) = created_by_fkey(p, name)
        && !created_by_has_fk
        && !has_constraint(live, &fkey)
    {
        let change = Change::AddConstraint {
            table: p.qn(name),
            constraint,
        };
        p.push(Step::new(
            Section::Tables,
            format!("{}.{fkey}", p.object(name)),
            change,
        ));
    }
    created_by_index(p, name, Some(live));
}

fn designed_columns(p: &mut Planner, table: &ResolvedTable, live: &LiveTable) {
    let name = table.db_name.as_str();
    for field in table.columns() {
        let object = format!("{}.{}", p.object(name), field.db_name);
        let Some(column) = live.column(&field.db_name) else {
            if !field.nullable && field.default.is_none() && live.row_estimate.unwrap_or(0) > 0 {
                p.note(format!(
                    "{object}: a required column with no default fails on a table that has rows; \
                     give it a default or add it optional first"
                ));
            }
            let change = Change::AddColumn {
                table: p.qn(name),
                column: field_column(field, true),
            };
            p.push(Step::new(Section::Tables, object, change));
            continue;
        };
        super::columns::alter_column(p, table, live, field, column);
        if let Some(check) = &field.check_constraint
            && !has_constraint(live, check)
        {
            let change = Change::AddConstraint {
                table: p.qn(name),
                constraint: ConstraintDef::Check {
                    name: check.clone(),
                    expression: checks_sql(&field.checks, &field.db_name),
                },
            };
            p.push(Step::new(
                Section::Tables,
                format!("{}.{check}", p.object(name)),
                change,
            ));
        }
        if let Some(unique) = &field.unique_constraint {
            let unique_elsewhere = live
                .unique_constraints
                .iter()
                .any(|k| k.columns == [field.db_name.as_str()]);
            if !unique_elsewhere && !has_constraint(live, unique) {
                let change = Change::AddConstraint {
                    table: p.qn(name),
                    constraint: ConstraintDef::Unique {
                        name: unique.clone(),
                        columns: vec![field.db_name.clone()],
                    },
                };
                p.push(Step::new(
                    Section::Tables,
                    format!("{}.{unique}", p.object(name)),
                    change,
                ));
            }
        }
    }
}

/// COMMENT ON for the table and its columns, when the database says something else; a
/// comment the design no longer has is removed.
fn comments(p: &mut Planner, table: &ResolvedTable) {
    let name = table.db_name.as_str();
    let live = p.live(name);
    let wanted = table.description.as_ref().filter(|d| !d.is_empty());
    let current = live.and_then(|l| l.comment.as_deref());
    comment(
        p,
        CommentOn::Table(p.qn(name)),
        p.object(name),
        wanted,
        current,
    );
    for field in table.columns() {
        let wanted = field.comment.as_ref().filter(|c| !c.is_empty());
        let current = live
            .and_then(|l| l.column(&field.db_name))
            .and_then(|c| c.comment.as_deref());
        let on = CommentOn::Column {
            table: p.qn(name),
            column: field.db_name.clone(),
        };
        let object = format!("{}.{}", p.object(name), field.db_name);
        comment(p, on, object, wanted, current);
    }
}

fn comment(
    p: &mut Planner,
    on: CommentOn,
    object: String,
    wanted: Option<&String>,
    current: Option<&str>,
) {
    let change = match (wanted, current) {
        (Some(text), current) if current != Some(text.as_str()) => Change::Comment {
            on,
            text: text.clone(),
        },
        (None, Some(_)) => Change::RemoveComment { on },
        _ => return,
    };
    p.push(Step::new(Section::Tables, object, change));
}
