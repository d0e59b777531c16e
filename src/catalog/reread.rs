//! Re-reading only what an apply touched: which tables a plan's changes reach (and their
//! neighbours by foreign key), and how a catalog read with details for just those tables
//! takes the rest from the catalog read before.

use std::collections::{BTreeSet, HashSet};

use super::change::{Change, ConstraintDef};
use super::locks::LockedRelation;
use super::model::{Catalog, QualifiedName, Unreadable};

/// `(schema, name)` of every table `changes` create or change, every table they refer to
/// by a new foreign key, and every table of `before` linked to one of those by a foreign
/// key either way (their constraint lists name the touched table).
pub fn touched_tables(changes: &[Change], before: &Catalog) -> Vec<(String, String)> {
    let mut touched: BTreeSet<(String, String)> = BTreeSet::new();
    let mut add = |t: &QualifiedName| {
        touched.insert((t.schema.clone(), t.name.clone()));
    };
    for change in changes {
        // Every change made on a table (its policies, defaults, RLS, renames…) touches it.
        if let Some(table) = change.table() {
            add(table);
        }
        match change {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => {
                for c in &def.constraints {
                    if let ConstraintDef::ForeignKey { references, .. } = c {
                        add(references);
                    }
                }
            }
            Change::AddConstraint { constraint, .. }
            | Change::AddConstraintNotValid { constraint, .. } => {
                if let ConstraintDef::ForeignKey { references, .. } = constraint {
                    add(references);
                }
            }
            Change::RenameTable { table, to } => {
                add(&QualifiedName {
                    schema: table.schema.clone(),
                    name: to.clone(),
                });
            }
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

/// What to read to re-read `tables`: they, and every table their foreign keys (in `before`)
/// refer to, whose names and columns the read needs to name those keys' targets. Only
/// `tables` are taken from the read ([`with_details_from`]).
pub fn to_read(tables: &[(String, String)], before: &Catalog) -> Vec<(String, String)> {
    let mut read: BTreeSet<(String, String)> = tables.iter().cloned().collect();
    for (schema, name) in tables {
        if let Some(table) = before.table(schema, name) {
            for fk in &table.foreign_keys {
                read.insert((fk.references_schema.clone(), fk.references_table.clone()));
            }
        }
    }
    read.into_iter().collect()
}

/// `fresh` was read for `reread` only ([`crate::catalog::queries::all_for_tables`]): the
/// result is `before` with those tables replaced by their fresh selves (added when new,
/// left out when gone), and everything catalog-wide (schemas, roles, functions, settings)
/// from `fresh`. `before` is taken by value so its tables move instead of being copied.
pub fn with_details_from(fresh: Catalog, before: Catalog, reread: &[(String, String)]) -> Catalog {
    let wanted: HashSet<(&str, &str)> = reread
        .iter()
        .map(|(s, n)| (s.as_str(), n.as_str()))
        .collect();
    let is_reread = |schema: &str, name: &str| wanted.contains(&(schema, name));
    let Catalog {
        flavour,
        schemas,
        tables: fresh_tables,
        functions,
        enums,
        extensions,
        roles,
        role_memberships,
        publications,
        buckets,
        cron_jobs,
        warnings,
        unreadable: fresh_unreadable,
        locked: fresh_locked,
        lock_table,
        stats,
        normalised: _,
        fingerprint_memo: _,
    } = fresh;
    let mut tables = before.tables;
    tables.retain(|t| !is_reread(&t.schema, &t.name));
    tables.extend(
        fresh_tables
            .into_iter()
            .filter(|t| is_reread(&t.schema, &t.name)),
    );
    tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    // Locks, and what they left unread: the fresh ones of the re-read tables, the earlier
    // ones of the rest (a table read only to name a key's target is kept from before).
    let mut locked: Vec<LockedRelation> = before
        .locked
        .into_iter()
        .filter(|l| !is_reread(&l.schema, &l.name))
        .chain(
            fresh_locked
                .into_iter()
                .filter(|l| is_reread(&l.schema, &l.name)),
        )
        .collect();
    locked.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    let reread_names: HashSet<String> = reread.iter().map(|(s, n)| format!("{s}.{n}")).collect();
    // `Some(of_a_reread_table)` for what a lock left unread, `None` for anything else.
    let lock_entry = |u: &Unreadable| {
        u.object
            .strip_suffix(LockedRelation::DETAILS)
            .map(|table| reread_names.contains(table))
    };
    let mut unreadable: Vec<Unreadable> = fresh_unreadable
        .into_iter()
        .filter(|u| lock_entry(u) != Some(false))
        .collect();
    unreadable.extend(
        before
            .unreadable
            .into_iter()
            .filter(|u| lock_entry(u) == Some(false)),
    );
    let mut merged = Catalog {
        flavour,
        schemas,
        tables,
        functions,
        enums,
        extensions,
        roles,
        role_memberships,
        publications,
        buckets,
        cron_jobs,
        warnings,
        unreadable,
        locked,
        lock_table,
        stats,
        // Keyed by text, so still right; planning against the result parses nothing twice.
        normalised: before.normalised,
        // The kept tables are moved unchanged: their digests still hold.
        fingerprint_memo: before.fingerprint_memo.keeping_tables_except(reread),
    };
    super::assemble::detect_flavour(&mut merged);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Policy, PolicyCommand};

    fn qn(name: &str) -> QualifiedName {
        QualifiedName {
            schema: "public".into(),
            name: name.into(),
        }
    }

    #[test]
    fn changes_to_a_tables_policies_defaults_and_name_touch_it() {
        let policy = Policy {
            name: "p".into(),
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["anon".into()],
            using: Some("true".into()),
            with_check: None,
        };
        let changes = [
            Change::AlterPolicy {
                table: qn("teams"),
                policy,
            },
            Change::DisableRls { table: qn("notes") },
            Change::RenameTable {
                table: qn("old"),
                to: "new".into(),
            },
        ];
        let touched = touched_tables(&changes, &Catalog::default());
        let names: Vec<&str> = touched.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["new", "notes", "old", "teams"]);
    }
}
