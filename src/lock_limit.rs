//! How many locks a plan's one transaction takes, against how many the server has room for.
//!
//! Every relation a transaction creates or changes is locked until `COMMIT`, each in an
//! entry of the server's shared lock table, which all sessions share. A bundle that needs
//! more entries than the table holds fails part-way with "out of shared memory" after all
//! the work before it; counting first says so before anything is sent.

use std::collections::BTreeSet;

use crate::catalog::change::{ColumnConstraint, ColumnDef, CommentOn, ConstraintDef, TableDef};
use crate::catalog::{Catalog, Change, LockTable, QualifiedName};
use crate::findings::{Finding, Phase, Severity, Source};

mod saved_plan;
pub use saved_plan::locks_in_statements;

/// The rule name of the finding.
pub const LOCK_LIMIT_RULE: &str = "lock_limit";

/// The lock-table entries `changes` take in one transaction, counted as PostgreSQL takes
/// them (one entry per locked object, whatever its modes): each table created or changed,
/// each index it builds (primary key, unique, plain), the TOAST table and its index a new
/// table with unbounded variable-length columns gets, each sequence a serial column
/// creates, each table a foreign key refers to, each schema created in, each role granted
/// to, and the transaction's own id.
pub fn locks_needed(changes: &[Change]) -> usize {
    let mut locked = BTreeSet::new();
    let mut table = |t: &QualifiedName| {
        locked.insert(format!("{}.{}", t.schema, t.name));
    };
    let mut extra: Vec<String> = vec!["#transaction".to_owned()];
    for change in changes {
        match change {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => {
                extra.push(format!("#schema:{}", def.table.schema));
            }
            Change::CreateView { view, .. } => extra.push(format!("#schema:{}", view.schema)),
            Change::Grant { roles, .. }
            | Change::RevokeAll { roles, .. }
            | Change::GrantSchemaUsage { roles, .. } => {
                extra.extend(roles.iter().map(|r| format!("#role:{r}")));
            }
            // `apply_postgrest_permissions()` grants to the API roles.
            Change::RefreshApi { hook: true } => extra
                .extend(["anon", "authenticated", "service_role"].map(|r| format!("#role:{r}"))),
            _ => {}
        }
        match change {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => {
                table(&def.table);
                extra.extend(created_table(def));
            }
            Change::AddColumn { table: t, column } => {
                table(t);
                let key = key(t);
                extra.extend(column_relations(&key, column));
                if toastable(&column.sql_type) {
                    extra.push(format!("{key}#toast"));
                    extra.push(format!("{key}#toast_index"));
                }
            }
            Change::AddConstraint {
                table: t,
                constraint,
            } => {
                table(t);
                extra.extend(constraint_relations(&key(t), constraint));
            }
            Change::CreateIndex { table: t, name, .. } => {
                table(t);
                extra.push(format!("{}.{name}", t.schema));
            }
            Change::Comment { on, .. } => match on {
                CommentOn::Table(t) | CommentOn::Column { table: t, .. } => table(t),
            },
            Change::CreateView { view, .. } => table(view),
            Change::EnableRls { table: t }
            | Change::CreatePolicy { table: t, .. }
            | Change::DropColumn { table: t, .. }
            | Change::DropIndex { table: t, .. }
            | Change::DropPolicy { table: t, .. }
            | Change::Grant { table: t, .. }
            | Change::RevokeAll { table: t, .. } => table(t),
            Change::CreateTrigger(def) => table(&def.table),
            _ => {}
        }
    }
    locked.extend(extra);
    locked.len()
}

fn key(t: &QualifiedName) -> String {
    format!("{}.{}", t.schema, t.name)
}

fn created_table(def: &TableDef) -> Vec<String> {
    let key = key(&def.table);
    let mut out = Vec::new();
    for column in &def.columns {
        out.extend(column_relations(&key, column));
    }
    for constraint in &def.constraints {
        out.extend(constraint_relations(&key, constraint));
    }
    if def.columns.iter().any(|c| toastable(&c.sql_type)) {
        out.push(format!("{key}#toast"));
        out.push(format!("{key}#toast_index"));
    }
    out
}

fn column_relations(table: &str, column: &ColumnDef) -> Vec<String> {
    let mut out = Vec::new();
    for constraint in &column.constraints {
        match constraint {
            ColumnConstraint::PrimaryKey { name } | ColumnConstraint::Unique { name } => {
                out.push(format!("{table}#index:{name}"));
            }
            ColumnConstraint::Check { .. } => {}
        }
    }
    let serial = column.sql_type.to_ascii_lowercase().contains("serial")
        || column
            .default
            .as_deref()
            .is_some_and(|d| d.contains("nextval("));
    if serial {
        out.push(format!("{table}#sequence:{}", column.name));
    }
    out
}

fn constraint_relations(table: &str, constraint: &ConstraintDef) -> Vec<String> {
    match constraint {
        ConstraintDef::PrimaryKey { name, .. } | ConstraintDef::Unique { name, .. } => {
            vec![format!("{table}#index:{name}")]
        }
        ConstraintDef::ForeignKey { references, .. } => vec![key(references)],
        ConstraintDef::Check { .. } => Vec::new(),
    }
}

/// Whether a column of this type makes PostgreSQL give a new table a TOAST table: a
/// variable-length type without a small length bound.
fn toastable(sql_type: &str) -> bool {
    let t = sql_type.trim().to_ascii_lowercase();
    if t.ends_with("[]") {
        return true;
    }
    let base = t.split('(').next().unwrap_or_default().trim();
    let unbounded = !t.contains('(');
    match base {
        "text" | "jsonb" | "json" | "bytea" | "xml" | "tsvector" | "tsquery" => true,
        "numeric" | "decimal" | "character varying" | "varchar" | "bit varying" => unbounded,
        _ => false,
    }
}

/// A finding when the plan's transaction would need more lock entries than the server's
/// whole shared lock table has: it would fail part-way with "out of shared memory".
pub fn finding(catalog: &Catalog, changes: &[Change]) -> Option<Finding> {
    beyond(locks_needed(changes), &catalog.lock_table?)
}

/// The finding when `needed` lock entries do not fit in the server's shared lock `table`
/// (a plan's count, or a saved plan's: [`locks_in_statements`]).
pub fn beyond(needed: usize, table: &LockTable) -> Option<Finding> {
    let table = *table;
    let needed = needed as i64;
    (needed > table.entries()).then(|| Finding {
        rule: LOCK_LIMIT_RULE.into(),
        severity: Severity::Error,
        object: String::new(),
        message: message(needed, &table),
        remedy: remedy(needed, &table),
        source: Source::Plan,
        phase: Phase::Preview,
        path: None,
    })
}

fn message(needed: i64, table: &LockTable) -> String {
    format!(
        "the plan's one transaction takes about {needed} locks (one per table, index, TOAST \
         table and other object it creates or changes), more than the {} entries this server's \
         shared lock table is sized for (max_locks_per_transaction {} × ({} server processes + \
         max_prepared_transactions {}), shared by every session); spare shared memory sometimes \
         fits a little more, but a transaction this size is likely to fail part-way with \
         \"out of shared memory\"",
        table.entries(),
        table.max_locks_per_transaction(),
        table.backends(),
        table.5
    )
}

fn remedy(needed: i64, table: &LockTable) -> String {
    let slots = (table.backends() + table.5).max(1);
    // Headroom for the locks other sessions hold meanwhile.
    let enough = (needed * 5 / 4 + slots - 1) / slots;
    format!(
        "raise max_locks_per_transaction to at least {enough} (postgresql.conf or ALTER SYSTEM, \
         then restart the server), or apply the design in parts (fewer tables per apply)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::change::{ColumnDef, TableDef};

    fn name(n: &str) -> QualifiedName {
        QualifiedName {
            schema: "public".into(),
            name: n.into(),
        }
    }

    fn column(n: &str, sql_type: &str, constraints: Vec<ColumnConstraint>) -> ColumnDef {
        ColumnDef {
            name: n.into(),
            sql_type: sql_type.into(),
            data_type: sql_type.into(),
            default: None,
            generated: None,
            not_null: false,
            constraints,
        }
    }

    fn new_table(n: &str) -> Change {
        Change::CreateTable(TableDef {
            table: name(n),
            columns: vec![
                column(
                    "id",
                    "uuid",
                    vec![ColumnConstraint::PrimaryKey {
                        name: format!("{n}_pkey"),
                    }],
                ),
                column("title", "text", Vec::new()),
            ],
            constraints: vec![ConstraintDef::ForeignKey {
                name: format!("{n}_parent_fkey"),
                columns: vec!["parent".into()],
                references: name("parents"),
                references_columns: vec!["id".into()],
                on_delete: crate::catalog::FkAction::Cascade,
            }],
        })
    }

    #[test]
    fn a_new_table_locks_itself_its_key_index_its_toast_and_what_it_refers_to() {
        // t, t_pkey, its TOAST table and TOAST index; parents, the schema and the
        // transaction once for both tables.
        assert_eq!(locks_needed(&[new_table("a")]), 7);
        assert_eq!(locks_needed(&[new_table("a"), new_table("b")]), 11);
        // Changes to one table count it once.
        let policy = Change::EnableRls { table: name("a") };
        assert_eq!(locks_needed(&[new_table("a"), policy]), 7);
    }

    #[test]
    fn only_unbounded_variable_length_types_get_a_toast_table() {
        for t in ["text", "jsonb", "numeric", "varchar", "text[]", "bytea"] {
            assert!(toastable(t), "{t}");
        }
        for t in [
            "uuid",
            "bigint",
            "boolean",
            "timestamptz",
            "varchar(20)",
            "numeric(10,2)",
        ] {
            assert!(!toastable(t), "{t}");
        }
    }

    #[test]
    fn the_limit_is_the_shared_lock_table_and_the_finding_names_the_setting() {
        // 10 × (5 + 3 + 1 + 8 + 10 + 0) = 270.
        let table = LockTable(10, 5, 3, 8, 10, 0);
        assert_eq!(table.entries(), 270);
        let catalog = Catalog {
            lock_table: Some(table),
            ..Catalog::default()
        };
        let few: Vec<Change> = (0..50).map(|i| new_table(&format!("t{i}"))).collect();
        assert!(finding(&catalog, &few).is_none(), "203 fit in 270");
        let many: Vec<Change> = (0..80).map(|i| new_table(&format!("t{i}"))).collect();
        let f = finding(&catalog, &many).expect("323 do not fit");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("about 323 locks"), "{}", f.message);
        assert!(f.message.contains("270 entries"), "{}", f.message);
        assert!(
            f.remedy
                .contains("max_locks_per_transaction to at least 15"),
            "{}",
            f.remedy
        );
        // Without the server's settings nothing is claimed.
        assert!(finding(&Catalog::default(), &many).is_none());
    }
}
