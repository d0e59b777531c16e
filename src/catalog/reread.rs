//! Re-reading only what an apply touched: which tables a plan's changes reach (and their
//! neighbours by foreign key), and how a catalog read with details for just those tables
//! takes the rest from the catalog read before.

use std::collections::BTreeSet;

use super::change::{Change, CommentOn, ConstraintDef};
use super::model::{Catalog, QualifiedName, Table};

/// `(schema, name)` of every table `changes` create or change, every table they refer to
/// by a new foreign key, and every table of `before` linked to one of those by a foreign
/// key either way (their constraint lists name the touched table).
pub fn touched_tables(changes: &[Change], before: &Catalog) -> Vec<(String, String)> {
    let mut touched: BTreeSet<(String, String)> = BTreeSet::new();
    let mut add = |t: &QualifiedName| {
        touched.insert((t.schema.clone(), t.name.clone()));
    };
    for change in changes {
        match change {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => {
                add(&def.table);
                for c in &def.constraints {
                    if let ConstraintDef::ForeignKey { references, .. } = c {
                        add(references);
                    }
                }
            }
            Change::AddConstraint { table, constraint } => {
                add(table);
                if let ConstraintDef::ForeignKey { references, .. } = constraint {
                    add(references);
                }
            }
            Change::AddColumn { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::EnableRls { table }
            | Change::CreatePolicy { table, .. }
            | Change::DropColumn { table, .. }
            | Change::DropPolicy { table, .. }
            | Change::Grant { table, .. }
            | Change::RevokeAll { table, .. } => add(table),
            Change::Comment { on, .. } => match on {
                CommentOn::Table(t) | CommentOn::Column { table: t, .. } => add(t),
            },
            Change::CreateView { view, .. } => add(view),
            Change::CreateTrigger(def) => add(&def.table),
            _ => {}
        }
    }
    let direct = touched.clone();
    for table in &before.tables {
        let key = (table.schema.clone(), table.name.clone());
        let refers_to_touched = table.foreign_keys.iter().any(|fk| {
            direct.contains(&(fk.references_schema.clone(), fk.references_table.clone()))
        });
        if refers_to_touched {
            touched.insert(key.clone());
        }
        if direct.contains(&key) {
            for fk in &table.foreign_keys {
                touched.insert((fk.references_schema.clone(), fk.references_table.clone()));
            }
        }
    }
    touched.into_iter().collect()
}

/// `fresh` was read with details only for `reread`; every other table takes its details
/// (columns, keys, constraints, indexes, policies, triggers, deparsed definitions) from
/// `before`, where it was read in full.
pub fn with_details_from(
    mut fresh: Catalog,
    before: &Catalog,
    reread: &[(String, String)],
) -> Catalog {
    let was_reread = |t: &Table| reread.iter().any(|(s, n)| *s == t.schema && *n == t.name);
    fresh.fingerprint_memo.forget();
    for table in &mut fresh.tables {
        if was_reread(table) {
            continue;
        }
        let Some(old) = before.table(&table.schema, &table.name) else {
            continue;
        };
        table.columns = old.columns.clone();
        table.primary_key = old.primary_key.clone();
        table.unique_constraints = old.unique_constraints.clone();
        table.check_constraints = old.check_constraints.clone();
        table.exclusion_constraints = old.exclusion_constraints.clone();
        table.foreign_keys = old.foreign_keys.clone();
        table.indexes = old.indexes.clone();
        table.policies = old.policies.clone();
        table.triggers = old.triggers.clone();
        table.view_definition = old.view_definition.clone();
        table.partition_key = old.partition_key.clone();
        table.partition_bound = old.partition_bound.clone();
    }
    fresh
}
