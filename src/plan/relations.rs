//! Relationships, after every table exists: foreign-key columns with their constraint and
//! index (plus UNIQUE for one-to-one), and linking tables for many-to-many.

use crate::catalog::change::{Change, ColumnDef, ConstraintDef, TableDef};
use crate::catalog::{FkAction, QualifiedName};
use crate::design::{OnDelete, RelationshipKind, ResolvedRelationship, Target};

use super::tables::{has_constraint, has_index_on};
use super::{PlanError, Planner, Section, Step};

/// Where a foreign key points: the qualified table, its key column and that column's type.
pub(super) struct Referenced {
    pub table: QualifiedName,
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
        Target::Designed { db_name, index } => {
            // A designed table that already exists is referenced through its real key.
            let live_key = p.live(db_name).and_then(|live| {
                let [column] = live.primary_key.as_ref()?.columns.as_slice() else {
                    return None;
                };
                Some((column.clone(), live.column(column)?.data_type.clone()))
            });
            let table = &p.design.tables[*index];
            let designed_key = || -> Result<(String, String), PlanError> {
                if table.system_fields {
                    return Ok(("id".into(), "uuid".into()));
                }
                // A table without system fields is referenced through its own one-column key.
                let key = table.columns().find(|f| f.options.primary_key);
                match (
                    table.primary_key.as_slice(),
                    key.and_then(|f| f.column_type()),
                ) {
                    ([column], Some((_, printed))) => Ok((column.clone(), printed)),
                    _ => Err(PlanError {
                        path: path.to_owned(),
                        message: format!(
                            "the target {db_name} has no one-column primary key to reference"
                        ),
                    }),
                }
            };
            let (column, pg_type) = match live_key {
                Some(key) => key,
                None => designed_key()?,
            };
            Ok(Referenced {
                table: p.qn(db_name),
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
                table: QualifiedName::new(schema, table),
                column: column.clone(),
                pg_type,
            })
        }
    }
}

fn on_delete_action(on_delete: OnDelete) -> FkAction {
    match on_delete {
        OnDelete::Cascade => FkAction::Cascade,
        OnDelete::Restrict => FkAction::Restrict,
        OnDelete::SetNull => FkAction::SetNull,
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
                let table = p.qn(holder);
                let schema = p.schema;
                let object = |name: &str| format!("{schema}.{holder}.{name}");
                let live = p.live(holder);
                let column_exists = live.is_some_and(|l| l.column(column).is_some());
                if !column_exists {
                    if !*nullable && live.is_some_and(|l| l.row_estimate.unwrap_or(0) > 0) {
                        p.note(format!(
                            "{}.{holder}.{column}: a required column with no default fails on a table that has rows; \
                             make the relationship optional, fill the column, then require it",
                            p.schema
                        ));
                    }
                    let change = Change::AddColumn {
                        table: table.clone(),
                        column: ColumnDef {
                            name: column.clone(),
                            sql_type: target.pg_type.clone(),
                            data_type: target.pg_type.clone(),
                            default: None,
                            generated: None,
                            not_null: !*nullable,
                            constraints: Vec::new(),
                        },
                    };
                    p.push(Step::new(Section::Relations, object(column), change));
                }
                if let Some(existing) = live.and_then(|l| l.column(column)) {
                    super::columns::nullability(p, holder, &object(column), *nullable, existing);
                }
                let live_fk = live.and_then(|l| {
                    l.foreign_keys
                        .iter()
                        .find(|f| f.columns == [column.as_str()])
                        .or_else(|| l.foreign_key(fkey))
                });
                let mut has_fk = live.is_some_and(|l| has_constraint(l, fkey)) || live_fk.is_some();
                if let Some(fk) = live_fk {
                    let same = fk.on_delete == on_delete_action(*on_delete)
                        && fk.references_schema == target.table.schema
                        && fk.references_table == target.table.name
                        && fk.references_columns == [target.column.as_str()];
                    if !same {
                        // A foreign key's behaviour cannot be altered: dropped and added again.
                        let change = Change::DropConstraint {
                            table: table.clone(),
                            name: fk.name.clone(),
                        };
                        p.push(Step::new(Section::Relations, object(&fk.name), change).replacing());
                        has_fk = false;
                    }
                }
                if !has_fk {
                    let change = Change::AddConstraint {
                        table: table.clone(),
                        constraint: ConstraintDef::ForeignKey {
                            name: fkey.clone(),
                            columns: vec![column.clone()],
                            references: target.table.clone(),
                            references_columns: vec![target.column.clone()],
                            on_delete: on_delete_action(*on_delete),
                        },
                    };
                    p.push(Step::new(Section::Relations, object(fkey), change));
                }
                if let Some(unique) = unique_constraint
                    && !live.is_some_and(|l| {
                        has_constraint(l, unique)
                            || l.unique_constraints
                                .iter()
                                .any(|k| k.columns == [column.as_str()])
                    })
                {
                    let change = Change::AddConstraint {
                        table: table.clone(),
                        constraint: ConstraintDef::Unique {
                            name: unique.clone(),
                            columns: vec![column.clone()],
                        },
                    };
                    p.push(Step::new(Section::Relations, object(unique), change));
                }
                // A UNIQUE constraint already indexes the column.
                let indexed =
                    unique_constraint.is_some() || live.is_some_and(|l| has_index_on(l, &[column]));
                if !indexed {
                    let change = Change::CreateIndex {
                        table,
                        name: index.clone(),
                        columns: vec![column.clone()],
                        options: Default::default(),
                    };
                    p.push(Step::new(Section::Relations, object(index), change));
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
    let auth = p.has_auth();
    let column =
        |name: &str, pg_type: &str, data_type: &str, default: Option<&str>, not_null| ColumnDef {
            name: name.to_owned(),
            sql_type: pg_type.to_owned(),
            data_type: data_type.to_owned(),
            default: default.map(str::to_owned),
            generated: None,
            not_null,
            constraints: Vec::new(),
        };
    let columns = vec![
        column(source_column, "uuid", "uuid", None, true),
        column(target_column, &target.pg_type, &target.pg_type, None, true),
        column(
            "created_at",
            "timestamptz",
            "timestamp with time zone",
            Some("now()"),
            true,
        ),
        column(
            "created_by",
            "uuid",
            "uuid",
            auth.then_some("auth.uid()"),
            false,
        ),
    ];
    let foreign_key =
        |name: &str, column: &str, references: QualifiedName, key: &str, on_delete| {
            ConstraintDef::ForeignKey {
                name: name.to_owned(),
                columns: vec![column.to_owned()],
                references,
                references_columns: vec![key.to_owned()],
                on_delete,
            }
        };
    let mut constraints = vec![
        ConstraintDef::PrimaryKey {
            name: pkey.clone(),
            columns: vec![source_column.clone(), target_column.clone()],
        },
        foreign_key(
            source_fkey,
            source_column,
            p.qn(&rel.table_db_name),
            "id",
            FkAction::Cascade,
        ),
        foreign_key(
            target_fkey,
            target_column,
            target.table.clone(),
            &target.column,
            FkAction::Cascade,
        ),
    ];
    if auth {
        constraints.push(foreign_key(
            created_by_fkey,
            "created_by",
            QualifiedName::new("auth", "users"),
            "id",
            FkAction::SetNull,
        ));
    }
    let object = p.object(table);
    let change = Change::CreateLinkingTable(TableDef {
        table: p.qn(table),
        columns,
        constraints,
    });
    p.push(Step::new(Section::LinkingTables, object.clone(), change));
    let change = Change::CreateIndex {
        table: p.qn(table),
        name: target_index.clone(),
        columns: vec![target_column.clone()],
        options: Default::default(),
    };
    p.push(Step::new(
        Section::LinkingTables,
        format!("{object}.{target_index}"),
        change,
    ));
    if auth {
        let change = Change::CreateIndex {
            table: p.qn(table),
            name: created_by_index.clone(),
            columns: vec!["created_by".into()],
            options: Default::default(),
        };
        p.push(Step::new(
            Section::LinkingTables,
            format!("{object}.{created_by_index}"),
            change,
        ));
    }
}
