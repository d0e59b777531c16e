//! Relationships, after every table exists: foreign-key columns with their constraint and
//! index (plus UNIQUE for one-to-one), and linking tables for many-to-many.

use crate::design::{OnDelete, RelationshipKind, ResolvedRelationship, Target};
use crate::sql::{ident, qualified};

use super::tables::{has_constraint, has_index_on};
use super::{PlanError, Planner, Section, Step, StepKind};

/// Where a foreign key points: the qualified table, its key column and that column's type.
pub(super) struct Referenced {
    pub table: String,
    pub column: String,
    pub pg_type: String,
}

/// Resolves a relationship's target against the design and the catalog.
pub(super) fn referenced(
    p: &Planner,
    rel: &ResolvedRelationship,
    path: &str,
) -> Result<Referenced, PlanError> {
    match &rel.target {
        Target::Designed { db_name, .. } => {
            // A designed table that already exists is referenced through its real key.
            let live_key = p.live(db_name).and_then(|live| {
                let [column] = live.primary_key.as_ref()?.columns.as_slice() else {
                    return None;
                };
                Some((column.clone(), live.column(column)?.data_type.clone()))
            });
            let (column, pg_type) = live_key.unwrap_or_else(|| ("id".into(), "uuid".into()));
            Ok(Referenced {
                table: p.q(db_name),
                column,
                pg_type,
            })
        }
        Target::External { schema, table } => {
            let error = |message: String| PlanError {
                path: path.to_owned(),
                message,
            };
            let live = p.catalog.table(schema, table).ok_or_else(|| {
                error(format!(
                    "the target {schema}.{table} does not exist in the database"
                ))
            })?;
            let key = live.primary_key.as_ref().ok_or_else(|| {
                error(format!(
                    "the target {schema}.{table} has no primary key to reference"
                ))
            })?;
            let [column] = key.columns.as_slice() else {
                return Err(error(format!(
                    "the target {schema}.{table} has a composite primary key ({}); a relationship needs a single-column key",
                    key.columns.join(", ")
                )));
            };
            let pg_type = live
                .column(column)
                .map(|c| c.data_type.clone())
                .unwrap_or_else(|| "uuid".into());
            Ok(Referenced {
                table: qualified(schema, table),
                column: column.clone(),
                pg_type,
            })
        }
    }
}

fn on_delete_sql(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::SetNull => "SET NULL",
    }
}

pub(super) fn plan_relations(p: &mut Planner) {
    for (i, rel) in p.design.relationships.iter().enumerate() {
        let path = format!("relationships[{i}]");
        let target = match referenced(p, rel, &path) {
            Ok(target) => target,
            Err(e) => {
                p.errors.push(e);
                continue;
            }
        };
        match &rel.kind {
            RelationshipKind::ForeignKey {
                column,
                nullable,
                on_delete,
                fkey,
                index,
                unique_constraint,
            } => {
                let holder = rel.table_db_name.as_str();
                let q = p.q(holder);
                let schema = p.schema;
                let object = |name: &str| format!("{schema}.{holder}.{name}");
                let live = p.live(holder);
                let column_exists = live.is_some_and(|l| l.column(column).is_some());
                if !column_exists {
                    let not_null = if *nullable { "" } else { " NOT NULL" };
                    if !*nullable && live.is_some_and(|l| l.row_estimate.unwrap_or(0) > 0) {
                        p.note(format!(
                            "{}.{holder}.{column}: a required column with no default fails on a table that has rows; \
                             make the relationship optional, fill the column, then require it",
                            p.schema
                        ));
                    }
                    p.push(Step::new(
                        Section::Relations,
                        StepKind::AddColumn,
                        object(column),
                        format!(
                            "ALTER TABLE {q} ADD COLUMN {} {}{not_null}",
                            ident(column),
                            target.pg_type
                        ),
                    ));
                }
                let has_fk = live.is_some_and(|l| {
                    has_constraint(l, fkey)
                        || l.foreign_keys
                            .iter()
                            .any(|f| f.columns == [column.as_str()])
                });
                if !has_fk {
                    p.push(Step::new(
                        Section::Relations,
                        StepKind::AddForeignKey,
                        object(fkey),
                        format!(
                            "ALTER TABLE {q} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
                            ident(fkey),
                            ident(column),
                            target.table,
                            ident(&target.column),
                            on_delete_sql(*on_delete)
                        ),
                    ));
                }
                if let Some(unique) = unique_constraint
                    && !live.is_some_and(|l| {
                        has_constraint(l, unique)
                            || l.unique_constraints
                                .iter()
                                .any(|k| k.columns == [column.as_str()])
                    })
                {
                    p.push(Step::new(
                        Section::Relations,
                        StepKind::AddConstraint,
                        object(unique),
                        format!(
                            "ALTER TABLE {q} ADD CONSTRAINT {} UNIQUE ({})",
                            ident(unique),
                            ident(column)
                        ),
                    ));
                }
                // A UNIQUE constraint already indexes the column.
                let indexed =
                    unique_constraint.is_some() || live.is_some_and(|l| has_index_on(l, &[column]));
                if !indexed {
                    p.push(Step::new(
                        Section::Relations,
                        StepKind::CreateIndex,
                        object(index),
                        format!("CREATE INDEX {} ON {q} ({})", ident(index), ident(column)),
                    ));
                }
            }
            RelationshipKind::Linking { .. } => linking_table(p, rel, &target),
        }
    }
}

fn linking_table(p: &mut Planner, rel: &ResolvedRelationship, target: &Referenced) {
    let RelationshipKind::Linking {
        table,
        source_column,
        target_column,
        source_fkey,
        target_fkey,
        pkey,
        target_index,
        created_by_fkey,
        created_by_index,
    } = &rel.kind
    else {
        return;
    };
    if p.live(table).is_some() {
        return;
    }
    let source = p.q(&rel.table_db_name);
    let created_by_default = if p.has_auth() {
        " DEFAULT auth.uid()"
    } else {
        ""
    };
    let mut lines = vec![
        format!("{} uuid NOT NULL", ident(source_column)),
        format!("{} {} NOT NULL", ident(target_column), target.pg_type),
        "\"created_at\" timestamptz DEFAULT now() NOT NULL".to_owned(),
        format!("\"created_by\" uuid{created_by_default}"),
        format!(
            "CONSTRAINT {} PRIMARY KEY ({}, {})",
            ident(pkey),
            ident(source_column),
            ident(target_column)
        ),
        format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {source} (\"id\") ON DELETE CASCADE",
            ident(source_fkey),
            ident(source_column)
        ),
        format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE CASCADE",
            ident(target_fkey),
            ident(target_column),
            target.table,
            ident(&target.column)
        ),
    ];
    if p.has_auth() {
        lines.push(format!(
            "CONSTRAINT {} FOREIGN KEY (\"created_by\") REFERENCES {} (\"id\") ON DELETE SET NULL",
            ident(created_by_fkey),
            qualified("auth", "users")
        ));
    }
    let q = p.q(table);
    let object = p.object(table);
    p.push(
        Step::new(
            Section::LinkingTables,
            StepKind::CreateLinkingTable,
            object.clone(),
            format!("CREATE TABLE {q} (\n  {}\n)", lines.join(",\n  ")),
        )
        .counting(4),
    );
    p.push(Step::new(
        Section::LinkingTables,
        StepKind::CreateIndex,
        format!("{object}.{target_index}"),
        format!(
            "CREATE INDEX {} ON {q} ({})",
            ident(target_index),
            ident(target_column)
        ),
    ));
    if p.has_auth() {
        p.push(Step::new(
            Section::LinkingTables,
            StepKind::CreateIndex,
            format!("{object}.{created_by_index}"),
            format!(
                "CREATE INDEX {} ON {q} (\"created_by\")",
                ident(created_by_index)
            ),
        ));
    }
}
