//! The audit trail: one shared table, `audit_log`, written by one trigger function on every
//! table with `audit`. The function runs as its owner (`SECURITY DEFINER`, `search_path`
//! pinned empty), so users can have their changes recorded without being able to write or
//! rewrite the trail; only `audit_readers` may read it.

use crate::catalog::change::{
    Change, ColumnConstraint, ColumnDef, ConstraintDef, FunctionDef, TableDef, TriggerDef,
};
use crate::catalog::{Policy, PolicyCommand, Table as LiveTable};
use crate::design::names::{check_constraint, pkey_constraint};
use crate::sql::{ident, qualified};

use super::triggers::same_trigger;
use super::{Planner, Section, Step};

pub use crate::design::names::AUDIT_TABLE;
/// The trigger function that writes it.
pub const AUDIT_FUNCTION: &str = "schemaforge_audit";
/// The trigger on each audited table.
pub const AUDIT_TRIGGER: &str = "audit_changes";
/// The policy that lets the readers read.
pub const AUDIT_POLICY: &str = "audit readers";

const API_ROLES: [&str; 2] = ["anon", "authenticated"];

pub(super) fn plan_audit(p: &mut Planner) {
    let audited: Vec<(String, Vec<String>)> = p
        .design
        .tables
        .iter()
        .filter(|t| t.audit)
        .map(|t| {
            let key = if t.system_fields {
                vec!["id".to_owned()]
            } else {
                t.primary_key.clone()
            };
            (t.db_name.clone(), key)
        })
        .collect();
    if audited.is_empty() {
        return;
    }
    let live = p.live(AUDIT_TABLE);
    if live.is_none() {
        create_table(p);
    } else if live.is_some_and(|l| !l.rls_enabled) {
        let change = Change::EnableRls {
            table: p.qn(AUDIT_TABLE),
        };
        p.push(Step::new(Section::Rls, p.object(AUDIT_TABLE), change));
    }
    readers_policy(p, live);
    grants(p, live);
    function(p);
    for (table, key) in audited {
        trigger(p, &table, key);
    }
}

fn create_table(p: &mut Planner) {
    let column = |name: &str, sql_type: &str, data_type: &str, not_null: bool| ColumnDef {
        name: name.into(),
        sql_type: sql_type.into(),
        data_type: data_type.into(),
        default: None,
        generated: None,
        not_null,
        constraints: Vec::new(),
    };
    let mut id = column("id", "bigint GENERATED ALWAYS AS IDENTITY", "bigint", true);
    id.constraints.push(ColumnConstraint::PrimaryKey {
        name: pkey_constraint(AUDIT_TABLE),
    });
    let mut operation = column("operation", "text", "text", true);
    operation.constraints.push(ColumnConstraint::Check {
        name: check_constraint(AUDIT_TABLE, "operation"),
        expression: format!(
            "{} = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text])",
            ident("operation")
        ),
    });
    let mut changed_at = column(
        "changed_at",
        "timestamptz",
        "timestamp with time zone",
        true,
    );
    changed_at.default = Some("now()".into());
    let def = TableDef {
        table: p.qn(AUDIT_TABLE),
        columns: vec![
            id,
            column("table_schema", "text", "text", true),
            column("table_name", "text", "text", true),
            column("row_id", "text", "text", false),
            operation,
            column("changed_by", "uuid", "uuid", false),
            changed_at,
            column("old_values", "jsonb", "jsonb", false),
            column("new_values", "jsonb", "jsonb", false),
        ],
        constraints: Vec::<ConstraintDef>::new(),
    };
    p.push(Step::new(
        Section::Tables,
        p.object(AUDIT_TABLE),
        Change::CreateTable(def),
    ));
    p.push(Step::new(
        Section::Tables,
        p.object(AUDIT_TABLE),
        Change::Comment {
            on: crate::catalog::change::CommentOn::Table(p.qn(AUDIT_TABLE)),
            text: "Every change to the tables with audit on: written by schemaforge_audit(), read by the audit readers".into(),
        },
    ));
    let change = Change::EnableRls {
        table: p.qn(AUDIT_TABLE),
    };
    p.push(Step::new(Section::Rls, p.object(AUDIT_TABLE), change));
}

/// `SELECT` for the readers, nothing for anyone else; no policy when nobody reads.
fn readers_policy(p: &mut Planner, live: Option<&LiveTable>) {
    let readers = p.design.audit_readers.clone();
    let existing = live.and_then(|l| l.policies.iter().find(|x| x.name == AUDIT_POLICY));
    let object = format!("{}.{AUDIT_POLICY}", p.object(AUDIT_TABLE));
    let policy = Policy {
        name: AUDIT_POLICY.into(),
        command: PolicyCommand::Select,
        permissive: true,
        roles: readers.clone(),
        using: Some("true".into()),
        with_check: None,
    };
    match existing {
        None if readers.is_empty() => {}
        None => p.push(Step::new(
            Section::Policies,
            object,
            Change::CreatePolicy {
                table: p.qn(AUDIT_TABLE),
                policy,
            },
        )),
        Some(_) if readers.is_empty() => p.push(Step::new(
            Section::Policies,
            object,
            Change::DropPolicy {
                table: p.qn(AUDIT_TABLE),
                name: AUDIT_POLICY.into(),
            },
        )),
        Some(live) => {
            let same_roles = {
                let (mut a, mut b) = (live.roles.clone(), readers.clone());
                a.sort();
                b.sort();
                a == b
            };
            if !same_roles || live.command != PolicyCommand::Select {
                p.push(Step::new(
                    Section::Policies,
                    object,
                    Change::AlterPolicy {
                        table: p.qn(AUDIT_TABLE),
                        policy,
                    },
                ));
            }
        }
    }
}

/// The API roles lose what the default privileges gave them; each reader gets `SELECT`.
fn grants(p: &mut Planner, live: Option<&LiveTable>) {
    let readers = p.design.audit_readers.clone();
    let present = |role: &str| p.catalog.role(role).is_some();
    let mut revoke: Vec<String> = API_ROLES
        .iter()
        .filter(|r| present(r))
        .filter(|r| match live {
            // New: whatever the default privileges grant is taken back.
            None => true,
            Some(l) => l.grants.iter().any(|g| {
                g.grantee == **r && !(readers.iter().any(|x| x == *r) && g.privilege == "SELECT")
            }),
        })
        .map(|r| r.to_string())
        .collect();
    revoke.sort();
    let revoked = revoke.clone();
    if !revoke.is_empty() {
        p.push(Step::new(
            Section::Grants,
            p.object(AUDIT_TABLE),
            Change::RevokeAll {
                table: p.qn(AUDIT_TABLE),
                roles: revoke,
            },
        ));
    }
    let missing: Vec<String> = readers
        .iter()
        .filter(|r| {
            revoked.contains(r)
                || !live.is_some_and(|l| {
                    l.grants
                        .iter()
                        .any(|g| &g.grantee == *r && g.privilege == "SELECT")
                })
        })
        .cloned()
        .collect();
    if !missing.is_empty() {
        p.push(Step::new(
            Section::Grants,
            p.object(AUDIT_TABLE),
            Change::Grant {
                table: p.qn(AUDIT_TABLE),
                privileges: vec!["SELECT".into()],
                roles: missing,
            },
        ));
    }
}

fn function(p: &mut Planner) {
    if p.catalog
        .functions_named(p.schema, AUDIT_FUNCTION)
        .next()
        .is_some()
    {
        return;
    }
    let who = if p.has_auth() { "auth.uid()" } else { "NULL" };
    let table = qualified(p.schema, AUDIT_TABLE);
    let body = format!(
        "$function$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  key_values text[] := ARRAY[]::text[];
BEGIN
  -- The trigger's arguments name the row's key columns.
  FOR i IN 0 .. TG_NARGS - 1 LOOP
    key_values := key_values || (coalesce(new_row, old_row) ->> TG_ARGV[i]);
  END LOOP;
  INSERT INTO {table} (table_schema, table_name, row_id, operation, changed_by, old_values, new_values)
  VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, array_to_string(key_values, ','), TG_OP, {who}, old_row, new_row);
  RETURN NULL;
END
$function$"
    );
    let change = Change::CreateFunction(FunctionDef {
        function: p.qn(AUDIT_FUNCTION),
        or_replace: true,
        security_definer: true,
        returns: "trigger".into(),
        language: "plpgsql".into(),
        body,
    });
    p.push(Step::new(
        Section::Helpers,
        p.object(AUDIT_FUNCTION),
        change,
    ));
}

fn trigger(p: &mut Planner, table: &str, key: Vec<String>) {
    let change = Change::CreateTrigger(TriggerDef {
        table: p.qn(table),
        name: AUDIT_TRIGGER.into(),
        timing: "AFTER".into(),
        // In the order `pg_get_triggerdef` prints them, so an existing trigger compares equal.
        events: vec!["INSERT".into(), "DELETE".into(), "UPDATE".into()],
        for_each: "ROW".into(),
        function: p.qn(AUDIT_FUNCTION),
        arguments: key,
    });
    let object = format!("{}.{AUDIT_TRIGGER}", p.object(table));
    if let Some(existing) = p.live(table).and_then(|l| l.trigger(AUDIT_TRIGGER)) {
        if same_trigger(&super::render::sql(&change), &existing.definition) {
            return;
        }
        let drop = Change::DropTrigger {
            table: p.qn(table),
            name: AUDIT_TRIGGER.into(),
        };
        p.push(Step::new(Section::Triggers, object.clone(), drop).replacing());
    }
    p.push(Step::new(Section::Triggers, object, change));
}
