//! Soft delete: a table's rows are deleted by setting `deleted_at`, and the API roles
//! (`anon`, `authenticated`) never see or touch such a row again.
//!
//! Three objects do it, each named so `design --from-db` recognises them:
//! - the restrictive policy [`SOFT_DELETE_POLICY`] `FOR ALL … USING (deleted_at IS NULL)
//!   WITH CHECK (true)`, AND-ed with whatever the table's own policies allow;
//! - the `BEFORE DELETE OR UPDATE` trigger [`SOFT_DELETE_TRIGGER`]: for a role under
//!   row-level security, a `DELETE` — and an `UPDATE` that sets `deleted_at` — becomes
//!   `UPDATE … SET deleted_at = now()` of that row, as the same user, and the statement itself
//!   skips the row. Without it, PostgREST's `PATCH` (`UPDATE … WHERE id = … RETURNING *`)
//!   would fail: a statement that reads the table checks the *new* row against the read
//!   policies too, and the new row is deleted. The trigger's own update names the row with
//!   `WHERE CURRENT OF`, which reads no column, so only the table's UPDATE policies judge it:
//!   whoever may update the row may soft-delete it, nobody else;
//! - the partial index over the rows that are not deleted, on the owner column (`created_by`)
//!   or the key, so the API's filtered queries stay on an index.
//!
//! Roles outside row-level security (the service role, `postgres`) still delete for real.

use crate::catalog::Table as LiveTable;
use crate::catalog::change::{Change, ColumnDef, FunctionDef, IndexOptions, TriggerDef};
use crate::catalog::index_shape::index_shape;
use crate::design::names::{SOFT_DELETE_COLUMN, SOFT_DELETE_POLICY, soft_delete_index};
use crate::design::{Operation, Policy, ResolvedTable};
use crate::sql::ident;

use super::printed::same_printed_in;
use super::triggers::same_trigger;
use super::{PlanError, Planner, Section, Step};

/// The trigger function every table with soft delete shares.
pub const SOFT_DELETE_FUNCTION: &str = "schemaforge_soft_delete";
/// The trigger on each such table.
pub const SOFT_DELETE_TRIGGER: &str = "soft_delete";
/// The rows the API may reach: the policy's USING and the partial index's predicate.
pub const NOT_DELETED: &str = "deleted_at IS NULL";
/// How `timestamptz` reads back from the catalog.
const TIMESTAMPTZ: &str = "timestamp with time zone";

/// What a `DELETE` does on a table with soft delete: the plan's note, the table form and the
/// README say the same.
pub const DELETE_NOTE: &str = "DELETE by anon and authenticated sets deleted_at instead (where \
    the table's UPDATE policies let them change the row), and the row disappears from their \
    reads; the service role and postgres still delete for real";

/// The `deleted_at` column: empty while the row lives.
pub fn column() -> ColumnDef {
    ColumnDef {
        name: SOFT_DELETE_COLUMN.into(),
        sql_type: "timestamptz".into(),
        data_type: TIMESTAMPTZ.into(),
        default: None,
        generated: None,
        not_null: false,
        constraints: Vec::new(),
    }
}

/// The columns the API finds a table's rows by: the owner column, else the key.
pub fn lookup_columns(table: &ResolvedTable) -> Vec<String> {
    if table.system_fields {
        vec!["created_by".into()]
    } else {
        table.primary_key.clone()
    }
}

/// The columns that name one row (the trigger's arguments).
fn key_columns(table: &ResolvedTable) -> Vec<String> {
    if table.system_fields {
        vec!["id".into()]
    } else {
        table.primary_key.clone()
    }
}

pub(super) fn plan_soft_delete(p: &mut Planner) {
    let mut function_needed = false;
    for (ti, table) in p.design.tables.iter().enumerate() {
        if table.soft_delete {
            function_needed = true;
            turn_on(p, table, ti);
        } else {
            turn_off(p, table);
        }
    }
    if function_needed {
        function(p);
    }
}

fn turn_on(p: &mut Planner, table: &ResolvedTable, ti: usize) {
    let name = table.db_name.as_str();
    let live = p.live(name);
    if let Some(live) = live {
        match live.column(SOFT_DELETE_COLUMN) {
            None => {
                let change = Change::AddColumn {
                    table: p.qn(name),
                    column: column(),
                };
                let object = format!("{}.{SOFT_DELETE_COLUMN}", p.object(name));
                p.push(Step::new(Section::Tables, object, change));
            }
            Some(c) if c.data_type != TIMESTAMPTZ => {
                p.errors.push(PlanError {
                    path: format!("tables[{ti}].soft_delete"),
                    message: format!(
                        "{}.{SOFT_DELETE_COLUMN} is {} in the database; soft delete needs it \
                         timestamptz",
                        p.object(name),
                        c.data_type
                    ),
                });
                return;
            }
            Some(_) => {}
        }
    }
    if trigger(p, table, live) {
        p.note(format!("{}: soft delete — {DELETE_NOTE}", p.object(name)));
    }
    policy(p, table, ti, live);
    index(p, table, live);
}

/// Creates the trigger unless the live one is the same; whether it was created.
fn trigger(p: &mut Planner, table: &ResolvedTable, live: Option<&LiveTable>) -> bool {
    let name = table.db_name.as_str();
    let change = Change::CreateTrigger(TriggerDef {
        table: p.qn(name),
        name: SOFT_DELETE_TRIGGER.into(),
        timing: "BEFORE".into(),
        // In the order `pg_get_triggerdef` prints them, so an existing trigger compares equal.
        events: vec!["DELETE".into(), "UPDATE".into()],
        for_each: "ROW".into(),
        function: p.qn(SOFT_DELETE_FUNCTION),
        arguments: key_columns(table),
    });
    let object = format!("{}.{SOFT_DELETE_TRIGGER}", p.object(name));
    if let Some(existing) = live.and_then(|l| l.trigger(SOFT_DELETE_TRIGGER)) {
        if same_trigger(&super::render::sql(&change), &existing.definition) {
            return false;
        }
        let drop = Change::DropTrigger {
            table: p.qn(name),
            name: SOFT_DELETE_TRIGGER.into(),
        };
        p.push(Step::new(Section::Triggers, object.clone(), drop).replacing());
    }
    p.push(Step::new(Section::Triggers, object, change));
    true
}

/// The restrictive policy, for the API roles this database has.
fn hiding_policy(p: &Planner) -> Policy {
    let mut roles: Vec<String> = ["anon", "authenticated"]
        .into_iter()
        .filter(|r| p.catalog.role(r).is_some())
        .map(str::to_owned)
        .collect();
    if roles.is_empty() {
        roles.push("public".into());
    }
    Policy {
        name: SOFT_DELETE_POLICY.into(),
        operation: Operation::All,
        using_expression: Some(NOT_DELETED.into()),
        // New rows are not judged by it: the soft delete's own update writes deleted_at.
        with_check_expression: Some("true".into()),
        roles,
        permissive: false,
        renamed_from: None,
    }
}

fn policy(p: &mut Planner, table: &ResolvedTable, ti: usize, live: Option<&LiveTable>) {
    let policy = hiding_policy(p);
    let path = format!("tables[{ti}].soft_delete");
    super::security::create_policy(p, &table.db_name, &policy, live, &path);
}

fn index(p: &mut Planner, table: &ResolvedTable, live: Option<&LiveTable>) {
    let name = table.db_name.as_str();
    let columns = lookup_columns(table);
    let index = soft_delete_index(name, &columns);
    let object = format!("{}.{index}", p.object(name));
    let create = Change::CreateIndex {
        table: p.qn(name),
        name: index.clone(),
        columns: columns.clone(),
        options: IndexOptions {
            predicate: Some(NOT_DELETED.into()),
            ..IndexOptions::default()
        },
    };
    match live.and_then(|l| l.index(&index)) {
        None => p.push(Step::new(Section::Indexes, object, create)),
        Some(have) if same_index(p, &columns, &have.definition) => {}
        Some(_) => {
            let drop = Change::DropIndex {
                table: p.qn(name),
                name: index.clone(),
            };
            p.push(Step::new(Section::Indexes, object.clone(), drop).replacing());
            p.push(Step::new(Section::Indexes, object, create));
        }
    }
}

/// Whether a live definition is the soft delete index on `columns`.
pub fn same_index_shape(
    normalised: &crate::catalog::normalised::Normalised,
    columns: &[String],
    definition: &str,
) -> bool {
    index_shape(definition).is_some_and(|shape| {
        !shape.unique
            && shape.method == "btree"
            && shape.keys.len() == columns.len()
            && shape
                .keys
                .iter()
                .zip(columns)
                .all(|(k, c)| &k.column == c && !k.descending && !k.nulls_first)
            && shape
                .predicate
                .is_some_and(|have| same_printed_in(normalised, &have, NOT_DELETED))
    })
}

fn same_index(p: &Planner, columns: &[String], definition: &str) -> bool {
    same_index_shape(&p.catalog.normalised, columns, definition)
}

/// Soft delete turned off on a live table that has it: the trigger, the policy and the index
/// go; `deleted_at` and its values stay (a column is only dropped through `drop_columns`).
fn turn_off(p: &mut Planner, table: &ResolvedTable) {
    let name = table.db_name.as_str();
    let Some(live) = p.live(name) else { return };
    let trigger = live
        .trigger(SOFT_DELETE_TRIGGER)
        .filter(|t| t.function == SOFT_DELETE_FUNCTION && t.function_schema == p.schema);
    let Some(trigger) = trigger else { return };
    let change = Change::DropTrigger {
        table: p.qn(name),
        name: trigger.name.clone(),
    };
    let object = format!("{}.{SOFT_DELETE_TRIGGER}", p.object(name));
    p.push(Step::new(Section::Triggers, object, change));
    let designed = table.policies.iter().any(|x| x.name == SOFT_DELETE_POLICY);
    if live.policy(SOFT_DELETE_POLICY).is_some() && !designed {
        let change = Change::DropPolicy {
            table: p.qn(name),
            name: SOFT_DELETE_POLICY.into(),
        };
        let object = format!("{}.{SOFT_DELETE_POLICY}", p.object(name));
        p.push(Step::new(Section::Policies, object, change));
    }
    let index = soft_delete_index(name, &lookup_columns(table));
    let designed = table.indexes.iter().any(|x| x.name == index);
    if live.index(&index).is_some() && !designed {
        let change = Change::DropIndex {
            table: p.qn(name),
            name: index.clone(),
        };
        p.push(Step::new(
            Section::Indexes,
            format!("{}.{index}", p.object(name)),
            change,
        ));
    }
    if live.column(SOFT_DELETE_COLUMN).is_some() {
        p.note(format!(
            "{}: soft delete off — DELETE removes rows again, and the rows {SOFT_DELETE_COLUMN} \
             marks as deleted are visible to the API roles again; the column {SOFT_DELETE_COLUMN} \
             is kept with its values (list it in drop_columns to drop it)",
            p.object(name)
        ));
    }
}

fn function(p: &mut Planner) {
    if p.catalog
        .functions_named(p.schema, SOFT_DELETE_FUNCTION)
        .next()
        .is_some()
    {
        return;
    }
    let column = ident(SOFT_DELETE_COLUMN);
    let body = format!(
        "$function$
DECLARE
  target refcursor;
  found_row integer;
  key_match text := '';
BEGIN
  -- Roles outside row-level security, and the update below, change rows as they ask.
  IF pg_trigger_depth() > 1 OR NOT row_security_active(TG_RELID) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'UPDATE' AND NOT (OLD.{column} IS NULL AND NEW.{column} IS NOT NULL) THEN
    RETURN NEW;
  END IF;
  -- The row, by its key (the trigger's arguments), through a cursor: UPDATE ... WHERE
  -- CURRENT OF reads no column, so the UPDATE policies judge it and the hiding policy does
  -- not refuse the deleted row it makes.
  FOR i IN 0 .. TG_NARGS - 1 LOOP
    key_match := key_match || CASE WHEN i > 0 THEN ' AND ' ELSE '' END
      || format('%I = ($1).%I', TG_ARGV[i], TG_ARGV[i]);
  END LOOP;
  OPEN target FOR EXECUTE format('SELECT 1 FROM %I.%I WHERE %s FOR UPDATE',
    TG_TABLE_SCHEMA, TG_TABLE_NAME, key_match) USING OLD;
  FETCH target INTO found_row;
  IF NOT FOUND THEN
    CLOSE target;
    RAISE EXCEPTION 'soft delete: the UPDATE policies of %.% do not let % set {SOFT_DELETE_COLUMN} on this row',
      TG_TABLE_SCHEMA, TG_TABLE_NAME, current_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  EXECUTE format('UPDATE %I.%I SET {column} = now() WHERE CURRENT OF %I',
    TG_TABLE_SCHEMA, TG_TABLE_NAME, target::text);
  CLOSE target;
  -- The statement itself leaves the row alone.
  RETURN NULL;
END
$function$"
    );
    let change = Change::CreateFunction(FunctionDef {
        function: p.qn(SOFT_DELETE_FUNCTION),
        or_replace: true,
        security_definer: false,
        returns: "trigger".into(),
        language: "plpgsql".into(),
        body,
    });
    p.push(Step::new(
        Section::Helpers,
        p.object(SOFT_DELETE_FUNCTION),
        change,
    ));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::{Catalog, Flavour};
    use crate::design;
    use crate::plan::{Plan, PlanSettings, StepKind, plan};

    fn planned(soft_delete: bool, catalog: &Catalog) -> Plan {
        let text = json!({"tables": [
            {"name": "todos", "soft_delete": soft_delete,
             "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
            {"name": "codes", "soft_delete": soft_delete, "system_fields": false,
             "fields": [{"name": "code", "type": "singleLineText", "options": {"primary_key": true}},
                        {"name": "region", "type": "singleLineText", "options": {"primary_key": true}}]}
        ]})
        .to_string();
        let (parsed, _) = design::parse(&text).expect("parses");
        let resolved = design::resolve(&parsed).expect("resolves");
        plan(&resolved, catalog, &PlanSettings::default()).expect("plans")
    }

    fn kinds(plan: &Plan) -> Vec<(StepKind, &str)> {
        plan.steps
            .iter()
            .filter(|s| s.kind != StepKind::Refresh)
            .map(|s| (s.kind, s.object.as_str()))
            .collect()
    }

    /// On, applied: planning again finds nothing; a composite key names the row by both
    /// columns; off: the trigger, policy and index go, the column stays, a note says so.
    #[test]
    fn on_replans_empty_and_off_drops_what_it_made() {
        let empty = Catalog {
            flavour: Flavour {
                supabase: true,
                ..Flavour::default()
            },
            ..Catalog::default()
        };
        let first = planned(true, &empty);
        let sql: Vec<&str> = first.steps.iter().map(|s| s.sql.as_str()).collect();
        assert!(
            sql.contains(&"CREATE TRIGGER \"soft_delete\" BEFORE DELETE OR UPDATE ON \"public\".\"codes\" FOR EACH ROW EXECUTE FUNCTION \"public\".\"schemaforge_soft_delete\"('code', 'region')"),
            "{sql:#?}"
        );
        assert!(
            sql.contains(&"CREATE INDEX \"idx_codes_code_region_not_deleted\" ON \"public\".\"codes\" (\"code\", \"region\") WHERE (deleted_at IS NULL)"),
            "{sql:#?}"
        );
        let functions = sql
            .iter()
            .filter(|s| s.contains("FUNCTION \"public\".\"schemaforge_soft_delete\"() RETURNS"))
            .count();
        assert_eq!(functions, 1, "one function for both tables");
        let catalog = empty.apply(&first.changes());
        let again = planned(true, &catalog);
        assert!(again.is_empty(), "{:#?}", kinds(&again));

        let off = planned(false, &catalog);
        assert_eq!(
            kinds(&off),
            [
                (StepKind::DropTrigger, "public.todos.soft_delete"),
                (StepKind::DropPolicy, "public.todos.Hide soft-deleted rows"),
                (
                    StepKind::DropIndex,
                    "public.todos.idx_todos_created_by_not_deleted"
                ),
                (StepKind::DropTrigger, "public.codes.soft_delete"),
                (StepKind::DropPolicy, "public.codes.Hide soft-deleted rows"),
                (
                    StepKind::DropIndex,
                    "public.codes.idx_codes_code_region_not_deleted"
                ),
            ]
        );
        let kept: Vec<&String> = off
            .notes
            .iter()
            .filter(|n| n.contains("is kept with its values"))
            .collect();
        assert_eq!(kept.len(), 2, "{:?}", off.notes);
        let after = catalog.apply(&off.changes());
        assert!(planned(false, &after).is_empty());
        // On again: only what went is made again (the column and the function stayed).
        let back = planned(true, &after);
        let back: Vec<StepKind> = kinds(&back).into_iter().map(|(k, _)| k).collect();
        assert!(!back.contains(&StepKind::AddColumn), "{back:?}");
    }
}
