//! Names derived from a table's or a column's name follow its rename: `<table>_pkey`,
//! `<table>_<column>_check`, `_key`, `_fkey`, `idx_<table>_<columns>` (with soft delete's
//! `…_not_deleted`), and a trigger field's `<table>_<field>_trigger` with its function. Without this, a renamed table keeps `boards_title_check` and the plan
//! adds `cards_title_check` next to it. Renamed, the table holds exactly the names a fresh
//! apply of the renamed design gives it, so the rest of the plan finds them in place.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, Change, QualifiedName, Table};
use crate::design::names::{
    check_constraint, fit_identifier, fkey_constraint, index_name, pkey_constraint,
    soft_delete_index, trigger_name, unique_constraint,
};

/// One table's renames in a plan: its name before (the same when only columns are
/// renamed), and its columns' old names by their new ones.
pub(super) struct RenamedTable {
    pub table: QualifiedName,
    pub old_name: String,
    pub old_columns: BTreeMap<String, String>,
}

impl RenamedTable {
    fn old_column<'a>(&'a self, new: &'a str) -> &'a str {
        self.old_columns.get(new).map_or(new, String::as_str)
    }

    fn old_columns(&self, new: &[String]) -> Vec<String> {
        new.iter().map(|c| self.old_column(c).to_owned()).collect()
    }
}

/// The constraint and index renames of `renamed`, whose table and columns `catalog` already
/// holds by their new names. A derived name is renamed only when nothing in the way holds
/// the new one: the plan then adds what is missing, as before.
pub(super) fn derived_renames(catalog: &Catalog, renamed: &RenamedTable) -> Vec<Change> {
    let Some(live) = catalog.table(&renamed.table.schema, &renamed.table.name) else {
        return Vec::new();
    };
    let (old, new) = (renamed.old_name.as_str(), renamed.table.name.as_str());
    // Keys and indexes share the schema's relation names; other constraints, the table's.
    let mut relations: BTreeSet<String> = catalog
        .tables
        .iter()
        .filter(|t| t.schema == renamed.table.schema)
        .flat_map(|t| {
            std::iter::once(t.name.clone()).chain(t.indexes.iter().map(|i| i.name.clone()))
        })
        .collect();
    let mut constraints: BTreeSet<String> = constraint_names(live).collect();
    let mut out = Vec::new();
    let mut rename = |from: &str, to: String, is_index: bool, is_relation: bool| {
        let taken = constraints.contains(&to) || (is_relation && relations.contains(&to));
        if from == to || taken {
            return;
        }
        if is_relation {
            relations.insert(to.clone());
        }
        if !is_index {
            constraints.insert(to.clone());
        }
        let (table, from) = (renamed.table.clone(), from.to_owned());
        out.push(if is_index {
            Change::RenameIndex { table, from, to }
        } else {
            Change::RenameConstraint { table, from, to }
        });
    };
    if let Some(key) = &live.primary_key
        && key.name == pkey_constraint(old)
    {
        rename(&key.name, pkey_constraint(new), false, true);
    }
    for key in &live.unique_constraints {
        if let [column] = key.columns.as_slice()
            && key.name == unique_constraint(old, renamed.old_column(column))
        {
            rename(&key.name, unique_constraint(new, column), false, true);
        }
    }
    for fk in &live.foreign_keys {
        if let [column] = fk.columns.as_slice()
            && fk.name == fkey_constraint(old, renamed.old_column(column))
        {
            rename(&fk.name, fkey_constraint(new, column), false, false);
        }
    }
    for check in &live.check_constraints {
        let column = live
            .columns
            .iter()
            .find(|c| check.name == check_constraint(old, renamed.old_column(&c.name)));
        if let Some(column) = column {
            rename(
                &check.name,
                check_constraint(new, &column.name),
                false,
                false,
            );
        }
    }
    for index in &live.indexes {
        let backs_a_key =
            index.primary || live.unique_constraints.iter().any(|k| k.name == index.name);
        if backs_a_key {
            continue;
        }
        let old_columns = renamed.old_columns(&index.columns);
        let columns: Vec<&str> = index.columns.iter().map(String::as_str).collect();
        let olds: Vec<&str> = old_columns.iter().map(String::as_str).collect();
        if index.name == index_name(old, &olds) {
            rename(&index.name, index_name(new, &columns), true, true);
        } else if index.name == soft_delete_index(old, &old_columns) {
            rename(
                &index.name,
                soft_delete_index(new, &index.columns),
                true,
                true,
            );
        }
    }
    trigger_fields(catalog, live, renamed, &mut out);
    out
}

/// A trigger field's trigger, `<table>_<field>_trigger`, and the function made for its body,
/// `<table>_<field>_trigger_fn`. A name cut to 63 bytes does not show its field, and stays.
fn trigger_fields(catalog: &Catalog, live: &Table, renamed: &RenamedTable, out: &mut Vec<Change>) {
    let (old, new) = (renamed.old_name.as_str(), renamed.table.name.as_str());
    let schema = renamed.table.schema.as_str();
    for trigger in &live.triggers {
        let Some(field) = trigger
            .name
            .strip_prefix(old)
            .and_then(|rest| rest.strip_prefix('_'))
            .and_then(|rest| rest.strip_suffix("_trigger"))
            .filter(|field| trigger_name(old, field) == trigger.name)
        else {
            continue;
        };
        let to = trigger_name(new, field);
        if to == trigger.name || live.triggers.iter().any(|t| t.name == to) {
            continue;
        }
        let (function, function_to) = (
            fit_identifier(&format!("{}_fn", trigger.name)),
            fit_identifier(&format!("{to}_fn")),
        );
        let own_function = trigger.function_schema == schema && trigger.function == function;
        if own_function
            && catalog
                .functions_named(schema, &function_to)
                .next()
                .is_none()
        {
            out.push(Change::RenameFunction {
                function: QualifiedName::new(schema, function),
                to: function_to,
            });
        }
        out.push(Change::RenameTrigger {
            table: renamed.table.clone(),
            from: trigger.name.clone(),
            to,
        });
    }
}

fn constraint_names(live: &Table) -> impl Iterator<Item = String> + '_ {
    live.check_constraints
        .iter()
        .map(|c| c.name.clone())
        .chain(live.foreign_keys.iter().map(|f| f.name.clone()))
        .chain(live.unique_constraints.iter().map(|k| k.name.clone()))
        .chain(live.primary_key.iter().map(|k| k.name.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::catalog::{Catalog, Change, Flavour};
    use crate::design;
    use crate::plan::{Plan, PlanSettings, plan};

    fn planned(design: &Value, catalog: &Catalog) -> Plan {
        let (parsed, _) = design::parse(&design.to_string()).expect("parses");
        let resolved = design::resolve(&parsed).expect("resolves");
        plan(&resolved, catalog, &PlanSettings::default()).expect("plans")
    }

    fn boards(table: &str, title: &str, renamed: bool) -> Value {
        let mut design = json!({"tables": [{"name": table, "fields": [
            {"name": title, "type": "singleLineText", "is_primary": true,
             "options": {"max_length": 10, "unique": true}}
        ], "indexes": [{"columns": [title]}]}]});
        if renamed {
            design["tables"][0]["renamed_from"] = "boards".into();
            design["tables"][0]["fields"][0]["renamed_from"] = "title".into();
        }
        design
    }

    /// Against the catalog a plan leaves, a renamed table and column plan only renames —
    /// of the table, the column and every name derived from them — and then nothing.
    #[test]
    fn a_rename_plans_only_renames_and_then_nothing() {
        let empty = Catalog {
            flavour: Flavour {
                supabase: true,
                ..Flavour::default()
            },
            ..Catalog::default()
        };
        let base = empty.apply(&planned(&boards("boards", "title", false), &empty).changes());
        let renamed = boards("cards", "heading", true);
        let first = planned(&renamed, &base);
        let renames: Vec<(String, String)> = first
            .changes()
            .into_iter()
            .filter_map(|c| match c {
                Change::RenameConstraint { from, to, .. }
                | Change::RenameIndex { from, to, .. } => Some((from, to)),
                Change::RenameTable { .. } | Change::RenameColumn { .. } => None,
                Change::RefreshApi { .. } => None,
                other => panic!("only renames: {other:?}"),
            })
            .collect();
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            renames,
            [
                pair("boards_pkey", "cards_pkey"),
                pair("boards_title_key", "cards_heading_key"),
                pair("boards_created_by_fkey", "cards_created_by_fkey"),
                pair("boards_title_check", "cards_heading_check"),
                pair("idx_boards_created_by", "idx_cards_created_by"),
                pair("idx_boards_title", "idx_cards_heading"),
            ]
        );
        let after = base.apply(&first.changes());
        let again = planned(&renamed, &after);
        assert!(again.is_empty(), "{:?}", again.steps);
    }
}
