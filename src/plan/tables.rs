//! Tables and their own columns (no relationships yet): created whole when new, completed
//! column by column and constraint by constraint when they exist.

use crate::catalog::Table as LiveTable;
use crate::design::names::{fkey_constraint, index_name, pkey_constraint};
use crate::design::{
    DefaultValue, FieldKind, PgType, ResolvedField, ResolvedTable, SYSTEM_FIELDS, SystemField,
};
use crate::sql::{ident, literal, qualified};

use super::sql_parts::{checks_sql, default_sql};
use super::{Planner, Section, Step, StepKind};

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
            if let Err(message) = crate::sql_tokens::check_expression(text) {
                p.errors.push(super::PlanError {
                    path: format!("tables[{ti}].fields (\"{}\").options.{key}", field.name),
                    message,
                });
            }
        }
    }
}

/// A system column's definition, without the foreign key (added as a table constraint).
fn system_column(p: &Planner, field: &SystemField) -> String {
    let mut def = format!("{} {}", ident(field.db_name), field.pg_type.sql());
    let default = match field.default_expression {
        Some(expr) if expr.starts_with("auth.") && !p.has_auth() => None,
        other => other,
    };
    if let Some(expr) = default {
        def.push_str(&format!(" DEFAULT {expr}"));
    }
    if !field.nullable {
        def.push_str(" NOT NULL");
    }
    def
}

/// A designed column's definition; `inline` adds its CHECK and UNIQUE constraints (for
/// ALTER TABLE ADD COLUMN).
fn field_column(field: &ResolvedField, inline: bool) -> String {
    let pg_type = field.pg_type.unwrap_or(PgType::Text);
    let mut def = format!("{} {}", ident(&field.db_name), pg_type.sql());
    if let FieldKind::Generated { expression } = &field.kind {
        def.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    } else if let Some(default) = &field.default {
        def.push_str(&format!(
            " DEFAULT {}",
            default_sql(default, field.pg_type.as_ref())
        ));
    }
    if !field.nullable {
        def.push_str(" NOT NULL");
    }
    if inline {
        if let Some(name) = &field.check_constraint {
            def.push_str(&format!(
                " CONSTRAINT {} CHECK ({})",
                ident(name),
                checks_sql(&field.checks, &field.db_name)
            ));
        }
        if let Some(name) = &field.unique_constraint {
            def.push_str(&format!(" CONSTRAINT {} UNIQUE", ident(name)));
        }
    }
    def
}

fn created_by_fkey(p: &Planner, table: &str) -> Option<String> {
    p.has_auth().then(|| {
        format!(
            "CONSTRAINT {} FOREIGN KEY (\"created_by\") REFERENCES {} (\"id\") ON DELETE SET NULL",
            ident(&fkey_constraint(table, "created_by")),
            qualified("auth", "users")
        )
    })
}

fn create_table(p: &mut Planner, table: &ResolvedTable) {
    let name = &table.db_name;
    let mut lines: Vec<String> = SYSTEM_FIELDS.iter().map(|f| system_column(p, f)).collect();
    let columns: Vec<&ResolvedField> = table.columns().collect();
    lines.extend(columns.iter().map(|f| field_column(f, false)));
    lines.push(format!(
        "CONSTRAINT {} PRIMARY KEY (\"id\")",
        ident(&pkey_constraint(name))
    ));
    lines.extend(created_by_fkey(p, name));
    for field in &columns {
        if let Some(check) = &field.check_constraint {
            lines.push(format!(
                "CONSTRAINT {} CHECK ({})",
                ident(check),
                checks_sql(&field.checks, &field.db_name)
            ));
        }
        if let Some(unique) = &field.unique_constraint {
            lines.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                ident(unique),
                ident(&field.db_name)
            ));
        }
    }
    let sql = format!("CREATE TABLE {} (\n  {}\n)", p.q(name), lines.join(",\n  "));
    let count = SYSTEM_FIELDS.len() + columns.len();
    p.push(Step::new(Section::Tables, StepKind::CreateTable, p.object(name), sql).counting(count));
    created_by_index(p, name, None);
}

/// `idx_<table>_created_by`: owner policies filter on it, so it must be fast.
fn created_by_index(p: &mut Planner, table: &str, live: Option<&LiveTable>) {
    if !p.has_auth() || live.is_some_and(|l| has_index_on(l, &["created_by"])) {
        return;
    }
    let index = index_name(table, &["created_by"]);
    let sql = format!(
        "CREATE INDEX {} ON {} (\"created_by\")",
        ident(&index),
        p.q(table)
    );
    p.push(Step::new(
        Section::Tables,
        StepKind::CreateIndex,
        format!("{}.{index}", p.object(table)),
        sql,
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
    let q = p.q(name);
    for column in &table.drop_columns {
        if live.column(column).is_some() {
            p.push(
                Step::new(
                    Section::Tables,
                    StepKind::DropColumn,
                    format!("{}.{column}", p.object(name)),
                    format!("ALTER TABLE {q} DROP COLUMN {}", ident(column)),
                )
                .destructive(),
            );
        }
    }
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
        let mut def = system_column(p, field);
        if field.primary_key {
            def.push_str(&format!(
                " CONSTRAINT {} PRIMARY KEY",
                ident(&pkey_constraint(name))
            ));
        }
        p.push(Step::new(
            Section::Tables,
            StepKind::AddColumn,
            format!("{}.{}", p.object(name), field.db_name),
            format!("ALTER TABLE {q} ADD COLUMN {def}"),
        ));
    }
    let fkey = fkey_constraint(name, "created_by");
    let created_by_has_fk = live
        .foreign_keys
        .iter()
        .any(|f| f.columns == ["created_by"]);
    if p.has_auth() && !created_by_has_fk && !has_constraint(live, &fkey) {
        p.push(Step::new(
            Section::Tables,
            StepKind::AddForeignKey,
            format!("{}.{fkey}", p.object(name)),
            format!(
                "ALTER TABLE {q} ADD {}",
                created_by_fkey(p, name).expect("has auth")
            ),
        ));
    }
    created_by_index(p, name, Some(live));

    for field in table.columns() {
        let object = format!("{}.{}", p.object(name), field.db_name);
        let Some(column) = live.column(&field.db_name) else {
            if !field.nullable && field.default.is_none() && live.row_estimate.unwrap_or(0) > 0 {
                p.note(format!(
                    "{object}: a required column with no default fails on a table that has rows; \
                     give it a default or add it optional first"
                ));
            }
            let def = field_column(field, true);
            p.push(Step::new(
                Section::Tables,
                StepKind::AddColumn,
                object,
                format!("ALTER TABLE {q} ADD COLUMN {def}"),
            ));
            continue;
        };
        if let Some(wanted) = field.pg_type
            && column.data_type != wanted.format_type()
        {
            p.note(format!(
                "{object}: is {} in the database, the design says {}; left as it is",
                column.data_type,
                wanted.format_type()
            ));
        }
        if !field.nullable && column.nullable {
            p.note(format!(
                "{object}: required in the design but nullable in the database; left as it is"
            ));
        }
        if let Some(check) = &field.check_constraint
            && !has_constraint(live, check)
        {
            p.push(Step::new(
                Section::Tables,
                StepKind::AddConstraint,
                format!("{}.{check}", p.object(name)),
                format!(
                    "ALTER TABLE {q} ADD CONSTRAINT {} CHECK ({})",
                    ident(check),
                    checks_sql(&field.checks, &field.db_name)
                ),
            ));
        }
        if let Some(unique) = &field.unique_constraint {
            let unique_elsewhere = live
                .unique_constraints
                .iter()
                .any(|k| k.columns == [field.db_name.as_str()]);
            if !unique_elsewhere && !has_constraint(live, unique) {
                p.push(Step::new(
                    Section::Tables,
                    StepKind::AddConstraint,
                    format!("{}.{unique}", p.object(name)),
                    format!(
                        "ALTER TABLE {q} ADD CONSTRAINT {} UNIQUE ({})",
                        ident(unique),
                        ident(&field.db_name)
                    ),
                ));
            }
        }
    }
}

/// COMMENT ON for the table and its columns, when the database says something else.
fn comments(p: &mut Planner, table: &ResolvedTable) {
    let name = table.db_name.as_str();
    let live = p.live(name);
    if let Some(description) = table.description.as_ref().filter(|d| !d.is_empty())
        && live.and_then(|l| l.comment.as_deref()) != Some(description.as_str())
    {
        let sql = format!("COMMENT ON TABLE {} IS {}", p.q(name), literal(description));
        p.push(Step::new(
            Section::Tables,
            StepKind::Comment,
            p.object(name),
            sql,
        ));
    }
    for field in table.columns() {
        let Some(comment) = field.comment.as_ref().filter(|c| !c.is_empty()) else {
            continue;
        };
        let current = live
            .and_then(|l| l.column(&field.db_name))
            .and_then(|c| c.comment.as_deref());
        if current != Some(comment.as_str()) {
            let sql = format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                p.q(name),
                ident(&field.db_name),
                literal(comment)
            );
            p.push(Step::new(
                Section::Tables,
                StepKind::Comment,
                format!("{}.{}", p.object(name), field.db_name),
                sql,
            ));
        }
    }
}
