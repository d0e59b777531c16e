//! Safe on tables that hold data. After the plan is made, every step on an existing table
//! learns its row estimate; risky steps get a precondition that fails with a message saying
//! what to do (instead of the server's raw error); and on large tables constraints take
//! PostgreSQL's online forms: `NOT VALID` then `VALIDATE`, and `NOT NULL` through a
//! validated CHECK, so the long scan runs under a lock that lets reads and writes go on.

use crate::catalog::change::{Change, ConstraintDef};
use crate::catalog::{Catalog, QualifiedName};
use crate::design::names::fit_identifier;
use crate::sql::ident;

use super::{Section, Step};

pub(super) fn guard(steps: Vec<Step>, catalog: &Catalog, large_table_rows: i64) -> Vec<Step> {
    let mut out = Vec::with_capacity(steps.len());
    for mut step in steps {
        let Some(table) = target(&step.change) else {
            out.push(step);
            continue;
        };
        let Some(live) = catalog.table(&table.schema, &table.name) else {
            out.push(step);
            continue;
        };
        step.on_existing_table = true;
        step.rows = live.row_estimate.filter(|n| *n >= 0);
        let large = step.rows.unwrap_or(0) >= large_table_rows;
        let object = format!("{}.{}", table.schema, table.name);
        match step.change.clone() {
            Change::SetNotNull { column, .. } => {
                out.push(precondition(
                    &step,
                    &table,
                    format!(
                        "SELECT count(*) FROM {} WHERE {} IS NULL",
                        table.sql(),
                        ident(&column)
                    ),
                    format!(
                        "% rows of {} have no {}; give them a value or a default first",
                        escape(&object),
                        escape(&column)
                    ),
                ));
                if large {
                    out.extend(not_null_online(step, &table, column));
                } else {
                    out.push(step);
                }
            }
            Change::AddConstraint {
                constraint: ConstraintDef::Unique { columns, .. },
                ..
            } => {
                let cols: Vec<String> = columns.iter().map(|c| ident(c)).collect();
                let list = cols.join(", ");
                out.push(precondition(
                    &step,
                    &table,
                    format!(
                        "SELECT count(*) FROM (SELECT {list} FROM {} WHERE ({list}) IS NOT NULL \
                         GROUP BY {list} HAVING count(*) > 1) AS d",
                        table.sql()
                    ),
                    format!(
                        "% values of {} occur more than once in {}; make them unique first",
                        escape(&columns.join(", ")),
                        escape(&object)
                    ),
                ));
                out.push(step);
            }
            Change::AddConstraint {
                constraint:
                    constraint @ (ConstraintDef::Check { .. } | ConstraintDef::ForeignKey { .. }),
                ..
            } if large => {
                out.extend(online(step, &table, constraint));
            }
            _ => out.push(step),
        }
    }
    out
}

/// The existing table an ALTER-like change works on: not one it creates or drops whole,
/// and not comments, grants or what the planner adds to guard a step.
fn target(change: &Change) -> Option<QualifiedName> {
    match change {
        Change::CreateTable(_)
        | Change::CreateLinkingTable(_)
        | Change::CreateView { .. }
        | Change::DropView { .. }
        | Change::CreateMaterializedView { .. }
        | Change::DropMaterializedView { .. }
        | Change::CommentMaterializedView { .. }
        | Change::DropTable { .. }
        | Change::Comment { .. }
        | Change::RemoveComment { .. }
        | Change::Grant { .. }
        | Change::RevokeAll { .. }
        | Change::Revoke { .. }
        | Change::Precondition { .. }
        | Change::Restore { .. } => None,
        other => other.table().cloned(),
    }
}

/// `%` is RAISE's placeholder: a name holding one must not take the count's place.
fn escape(text: &str) -> String {
    text.replace('%', "%%")
}

fn precondition(step: &Step, table: &QualifiedName, query: String, message: String) -> Step {
    let mut check = Step::new(
        step.section,
        step.object.clone(),
        Change::Precondition {
            table: table.clone(),
            query,
            message,
        },
    );
    check.rows = step.rows;
    check.on_existing_table = true;
    check
}

/// `ADD … NOT VALID` then `VALIDATE`.
fn online(step: Step, table: &QualifiedName, constraint: ConstraintDef) -> Vec<Step> {
    let name = match &constraint {
        ConstraintDef::Check { name, .. } | ConstraintDef::ForeignKey { name, .. } => name.clone(),
        _ => return vec![step],
    };
    let mut add = Step::new(
        step.section,
        step.object.clone(),
        Change::AddConstraintNotValid {
            table: table.clone(),
            constraint,
        },
    );
    add.rows = step.rows;
    add.on_existing_table = true;
    let mut validate = Step::new(
        step.section,
        step.object.clone(),
        Change::ValidateConstraint {
            table: table.clone(),
            name,
        },
    );
    validate.rows = step.rows;
    validate.on_existing_table = true;
    vec![add, validate]
}

/// `NOT NULL` on a large table: a `CHECK (col IS NOT NULL) NOT VALID`, validated, lets
/// `SET NOT NULL` skip its own scan; the helper check is dropped after.
fn not_null_online(step: Step, table: &QualifiedName, column: String) -> Vec<Step> {
    let name = fit_identifier(&format!("{}_{column}_not_null", table.name));
    let check = ConstraintDef::Check {
        name: name.clone(),
        expression: format!("{} IS NOT NULL", ident(&column)),
    };
    let rows = step.rows;
    let object = step.object.clone();
    let mut out = online(
        Step::new(
            Section::Tables,
            object.clone(),
            Change::SetNotNull {
                table: table.clone(),
                column,
            },
        ),
        table,
        check,
    );
    out.push(step);
    let mut drop = Step::new(
        Section::Tables,
        object,
        Change::DropConstraint {
            table: table.clone(),
            name,
        },
    )
    .replacing();
    drop.rows = rows;
    drop.on_existing_table = true;
    out.push(drop);
    out
}
