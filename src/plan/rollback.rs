//! The rollback of a plan (`plan --down`, the Preview's rollback tab, exported `.down.sql`):
//! the inverse of every step, in reverse order. It removes exactly what the plan adds, puts
//! back what the plan changed as the catalog read it before, and leaves alone what the plan
//! did not touch. Where no inverse can give back what the plan takes (a dropped column's
//! values), a note says so and the rollback is marked not exact. Pure.

use std::collections::BTreeSet;

use crate::catalog::change::{ColumnDef, CommentOn, ConstraintDef, Restored};
use crate::catalog::{Catalog, Change, PolicyCommand, QualifiedName, Table};
use crate::sql::ident;

use super::bundle::{Bundle, BundleBuilder, Section};
use super::rollback_renames::PlanRenames;
use super::step::Step;
use super::{Plan, PlanSettings};

/// The first line of a rollback bundle that restores the catalog exactly.
pub const RESTORES_PREFIX: &str = "schemaforge rollback · restores catalog fingerprint ";
/// The first line of a rollback bundle that cannot (see its notes).
pub const NOT_EXACT_PREFIX: &str =
    "schemaforge rollback · not exact · undoes the plan made against catalog fingerprint ";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollback {
    /// In the order they run.
    pub steps: Vec<Step>,
    /// What the rollback cannot give back, and what it leaves on purpose.
    pub notes: Vec<String>,
    /// The fingerprint of the catalog the plan was made against: what an exact rollback,
    /// applied after the plan, leaves.
    pub restores: String,
    /// Applied after the plan, the catalog is again the one before it.
    pub exact: bool,
    pub settings: PlanSettings,
}

/// What a saved rollback's first line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedRollback {
    /// The fingerprint the catalog must have after it; `None` when it is not exact.
    pub restores: Option<String>,
}

/// The rollback header of a saved bundle, if it is one.
pub fn saved_rollback(text: &str) -> Option<SavedRollback> {
    let first = text.lines().next()?.strip_prefix("-- ")?;
    if let Some(fp) = first.strip_prefix(RESTORES_PREFIX) {
        return Some(SavedRollback {
            restores: Some(fp.trim().to_owned()),
        });
    }
    first
        .strip_prefix(NOT_EXACT_PREFIX)
        .map(|_| SavedRollback { restores: None })
}

impl Rollback {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// `BEGIN`, the plan's timeouts, the inverses in order, the API refresh, `COMMIT`.
    pub fn bundle(&self) -> Bundle {
        let mut b = BundleBuilder::new();
        let prefix = if self.exact {
            RESTORES_PREFIX
        } else {
            NOT_EXACT_PREFIX
        };
        b.comment(&format!("{prefix}{}", self.restores));
        for note in &self.notes {
            b.comment(&format!("note: {note}"));
        }
        self.settings.begin(&mut b);
        for step in &self.steps {
            b.push(step.section, &step.sql, step.destructive);
        }
        b.push(Section::Transaction, "COMMIT", false);
        b.finish()
    }
}

/// The rollback of `plan`, made against `before` (the catalog the plan was made against).
pub fn rollback(plan: &Plan, before: &Catalog) -> Rollback {
    let mut ordered: Vec<&Step> = plan.steps.iter().collect();
    ordered.sort_by_key(|s| s.section); // the order the bundle runs them in
    let created: BTreeSet<QualifiedName> = ordered
        .iter()
        .filter_map(|s| match &s.change {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => Some(def.table.clone()),
            Change::CreateView { view, .. } | Change::CreateMaterializedView { view, .. } => {
                Some(view.clone())
            }
            _ => None,
        })
        .collect();
    let renames = PlanRenames::of(&ordered);
    let mut inverter = Inverter {
        created: &created,
        renames_tables_or_columns: renames.renames_tables_or_columns(),
        notes: Vec::new(),
        exact: true,
    };
    let mut state = before.clone();
    let mut inverses: Vec<Vec<Step>> = Vec::new();
    let mut finally: Vec<Vec<Step>> = Vec::new();
    // What is put back as the server printed it before the plan names columns and tables by
    // their old names: it runs once the renames, the plan's first steps, are undone (see
    // `is_read_before`).
    let mut restores: Vec<Vec<Step>> = Vec::new();
    let mut refresh = None;
    for step in ordered {
        if let Change::RefreshApi { hook } = step.change {
            refresh = Some(hook);
        }
        let (last, now): (Vec<Change>, Vec<Change>) = inverter
            .inverse(&step.change, &state)
            .into_iter()
            .partition(|c| matches!(c, Change::DropFunction { .. } | Change::DropSchema { .. }));
        // A materialized view the plan replaces comes back whole (view, comment, index,
        // grants) once the plan's version is gone.
        let whole = matches!(step.change, Change::DropMaterializedView { .. });
        let (put_back, now): (Vec<Change>, Vec<Change>) =
            now.into_iter().partition(|c| whole || is_read_before(c));
        let steps = |changes: Vec<Change>| -> Vec<Step> {
            changes
                .into_iter()
                .map(|c| Step::new(step.section, step.object.clone(), c))
                .collect()
        };
        let put_back = put_back
            .into_iter()
            .map(|c| renames.in_old_names(c, before))
            .collect();
        inverses.push(steps(now));
        restores.push(steps(put_back));
        finally.push(steps(last));
        state.apply_one(&step.change);
    }
    // Functions and schemas go after everything: a trigger on a dropped table used the
    // function, the dropped tables were in the schema.
    finally.sort_by_key(|s| {
        s.first()
            .map(|s| matches!(s.change, Change::DropSchema { .. }))
    });
    // A policy, constraint or index the plan renames and changes is dropped under its new
    // name and put back under its old one: there is nothing left to rename back.
    let dropped = PlanRenames::dropped(inverses.iter().flatten());
    for group in &mut inverses {
        group.retain(|s| !PlanRenames::renames_back_a_dropped(&s.change, &dropped));
    }
    let mut steps: Vec<Step> = inverses
        .into_iter()
        .rev()
        .chain(restores.into_iter().rev())
        .chain(finally)
        .flatten()
        .collect();
    if let (false, Some(hook)) = (steps.is_empty(), refresh) {
        steps.push(Step::new(
            Section::Refresh,
            "postgrest",
            Change::RefreshApi { hook },
        ));
    }
    let mut notes = inverter.notes;
    if !created.is_empty() {
        let names: Vec<String> = created.iter().map(|q| q.name.clone()).collect();
        notes.insert(
            0,
            format!(
                "drops what the plan creates ({}), with every row written to it since",
                names.join(", ")
            ),
        );
    }
    for (table, rows) in &plan.samples {
        let kept = created
            .iter()
            .all(|q| format!("{}.{}", q.schema, q.name) != *table);
        if kept {
            notes.push(format!(
                "the {rows} sample rows the plan loads into {table} stay: a rollback removes \
                 structure, not rows in tables that existed before"
            ));
        }
    }
    Rollback {
        steps,
        notes,
        restores: plan.fingerprint.clone(),
        exact: inverter.exact,
        settings: plan.settings.clone(),
    }
}

struct Inverter<'a> {
    /// Tables and views the plan creates: dropping them takes their parts along.
    created: &'a BTreeSet<QualifiedName>,
    /// The plan renames tables or columns: a policy it changes is dropped, and put back as
    /// it was once they are renamed back, instead of altered back under the new names.
    renames_tables_or_columns: bool,
    notes: Vec<String>,
    exact: bool,
}

impl Inverter<'_> {
    fn lossy(&mut self, note: String) {
        self.exact = false;
        self.notes.push(note);
    }

    /// The changes that undo `change`, run in this order; `state` is the catalog just
    /// before `change`.
    fn inverse(&mut self, change: &Change, state: &Catalog) -> Vec<Change> {
        let table = |q: &QualifiedName| state.table(&q.schema, &q.name);
        if let Some(on) = change.table()
            && self.created.contains(on)
            && !creates(change, on)
            && !matches!(change, Change::DropMaterializedView { .. })
            && !links_new_tables(change, self.created)
        {
            // Gone with the table; a foreign key between new tables is dropped first so
            // the tables can be dropped in any order.
            return vec![];
        }
        match change {
            Change::CreateSchema { name } => vec![Change::DropSchema { name: name.clone() }],
            Change::GrantSchemaUsage { schema, roles } => {
                if !state.schemas.iter().any(|s| &s.name == schema) {
                    return vec![]; // a schema the plan creates: dropped with it
                }
                self.notes.push(format!(
                    "USAGE on schema {schema} granted to {} stays (whether they had it before is not read)",
                    roles.join(", ")
                ));
                vec![]
            }
            Change::CreateFunction(f) => {
                let existed = state
                    .functions_named(&f.function.schema, &f.function.name)
                    .next()
                    .is_some();
                if existed {
                    vec![]
                } else {
                    vec![Change::DropFunction {
                        function: f.function.clone(),
                    }]
                }
            }
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => vec![Change::DropTable {
                table: def.table.clone(),
            }],
            Change::CreateView { view, .. } => vec![Change::DropView { view: view.clone() }],
            Change::AddColumn { table: t, column } => {
                self.notes.push(format!(
                    "drops the column {}.{} the plan adds, with the values written to it since",
                    t.name, column.name
                ));
                vec![Change::DropColumn {
                    table: t.clone(),
                    column: column.name.clone(),
                }]
            }
            Change::AddConstraint {
                table: t,
                constraint,
            }
            | Change::AddConstraintNotValid {
                table: t,
                constraint,
            } => vec![Change::DropConstraint {
                table: t.clone(),
                name: constraint_name(constraint).to_owned(),
            }],
            Change::ValidateConstraint { .. }
            | Change::Precondition { .. }
            | Change::RefreshApi { .. } => vec![],
            Change::CreateIndex { table: t, name, .. } => vec![Change::DropIndex {
                table: t.clone(),
                name: name.clone(),
            }],
            // A designed index whose definition changed: the old one comes back as it was.
            Change::DropIndex { table: t, name } => {
                match table(t).and_then(|x| x.indexes.iter().find(|i| &i.name == name)) {
                    Some(old) => vec![Change::Restore {
                        table: t.clone(),
                        object: Restored::Index(old.clone()),
                    }],
                    None => vec![],
                }
            }
            Change::Comment { on, .. } | Change::RemoveComment { on } => {
                match previous_comment(state, on) {
                    Some(text) => vec![Change::Comment {
                        on: on.clone(),
                        text,
                    }],
                    None => vec![Change::RemoveComment { on: on.clone() }],
                }
            }
            Change::EnableRls { table: t } => {
                if table(t).is_some_and(|x| x.rls_enabled) {
                    vec![]
                } else {
                    vec![Change::DisableRls { table: t.clone() }]
                }
            }
            Change::DisableRls { table: t } => vec![Change::EnableRls { table: t.clone() }],
            Change::CreatePolicy { table: t, policy } => {
                let mut out = vec![Change::DropPolicy {
                    table: t.clone(),
                    name: policy.name.clone(),
                }];
                if let Some(old) =
                    table(t).and_then(|x| x.policies.iter().find(|p| p.name == policy.name))
                {
                    out.push(Change::CreatePolicy {
                        table: t.clone(),
                        policy: old.clone(),
                    });
                }
                out
            }
            Change::DropPolicy { table: t, name } => {
                match table(t).and_then(|x| x.policies.iter().find(|p| &p.name == name)) {
                    Some(old) => vec![Change::CreatePolicy {
                        table: t.clone(),
                        policy: old.clone(),
                    }],
                    None => vec![],
                }
            }
            Change::AlterPolicy { table: t, policy } => {
                match table(t).and_then(|x| x.policies.iter().find(|p| p.name == policy.name)) {
                    Some(old) if self.renames_tables_or_columns => vec![
                        Change::DropPolicy {
                            table: t.clone(),
                            name: policy.name.clone(),
                        },
                        Change::CreatePolicy {
                            table: t.clone(),
                            policy: old.clone(),
                        },
                    ],
                    Some(old) => {
                        let mut old = old.clone();
                        // A WITH CHECK cannot be taken away: where the policy had none, the
                        // USING it fell back to says the same.
                        if old.with_check.is_none()
                            && policy.with_check.is_some()
                            && matches!(old.command, PolicyCommand::Update | PolicyCommand::All)
                        {
                            old.with_check = old.using.clone();
                        }
                        vec![Change::AlterPolicy {
                            table: t.clone(),
                            policy: old,
                        }]
                    }
                    None => vec![],
                }
            }
            Change::DropColumn { table: t, column } => self.restore_column(state, t, column),
            Change::CreateTrigger(def) => {
                let mut out = vec![Change::DropTrigger {
                    table: def.table.clone(),
                    name: def.name.clone(),
                }];
                if let Some(old) =
                    table(&def.table).and_then(|x| x.triggers.iter().find(|tr| tr.name == def.name))
                {
                    out.push(Change::Restore {
                        table: def.table.clone(),
                        object: Restored::Trigger(old.clone()),
                    });
                }
                out
            }
            Change::DropTrigger { table: t, name } => {
                match table(t).and_then(|x| x.triggers.iter().find(|tr| &tr.name == name)) {
                    Some(old) => {
                        if !old.enabled {
                            self.lossy(format!(
                                "the trigger {name} on {} comes back enabled; it was disabled",
                                t.name
                            ));
                        }
                        vec![Change::Restore {
                            table: t.clone(),
                            object: Restored::Trigger(old.clone()),
                        }]
                    }
                    None => vec![],
                }
            }
            Change::AlterColumnType {
                table: t,
                column,
                narrowing,
                ..
            } => {
                let Some(old) = table(t).and_then(|x| x.column(column)) else {
                    return vec![];
                };
                if *narrowing {
                    self.notes.push(format!(
                        "{}.{} goes back to {}, but what the plan's narrower type cut off or refused stays lost",
                        t.name, column, old.data_type
                    ));
                } else {
                    self.notes.push(format!(
                        "{}.{} goes back to {}: the rollback fails if rows written since do not fit it",
                        t.name, column, old.data_type
                    ));
                }
                vec![Change::AlterColumnType {
                    table: t.clone(),
                    column: column.clone(),
                    sql_type: old.data_type.clone(),
                    data_type: old.data_type.clone(),
                    using: format!("{}::{}", ident(column), old.data_type),
                    narrowing: true,
                }]
            }
            Change::SetDefault {
                table: t, column, ..
            }
            | Change::DropDefault { table: t, column } => {
                match table(t)
                    .and_then(|x| x.column(column))
                    .and_then(|c| c.default.clone())
                {
                    Some(default) => vec![Change::SetDefault {
                        table: t.clone(),
                        column: column.clone(),
                        default,
                    }],
                    None => vec![Change::DropDefault {
                        table: t.clone(),
                        column: column.clone(),
                    }],
                }
            }
            Change::SetNotNull { table: t, column } => vec![Change::DropNotNull {
                table: t.clone(),
                column: column.clone(),
            }],
            Change::DropNotNull { table: t, column } => {
                self.notes.push(format!(
                    "{}.{} becomes NOT NULL again: the rollback fails if NULLs were written since",
                    t.name, column
                ));
                vec![Change::SetNotNull {
                    table: t.clone(),
                    column: column.clone(),
                }]
            }
            Change::DropConstraint { table: t, name } => {
                match table(t).and_then(|x| restored_constraint(x, name)) {
                    Some(object) => vec![Change::Restore {
                        table: t.clone(),
                        object,
                    }],
                    None => {
                        self.lossy(format!(
                        "the constraint {name} on {} is not restored: the catalog read before the plan does not describe it",
                        t.name
                    ));
                        vec![]
                    }
                }
            }
            Change::DropView { view } => match table(view) {
                Some(old) => {
                    if old.options != ["security_invoker=true"] {
                        self.lossy(format!(
                            "the view {} comes back with security_invoker = true; its options were {:?}",
                            view.name, old.options
                        ));
                    }
                    vec![Change::CreateView {
                        view: view.clone(),
                        query: old.view_definition.clone().unwrap_or_default(),
                    }]
                }
                None => vec![],
            },
            Change::RenameTable { table: t, to } => vec![Change::RenameTable {
                table: QualifiedName::new(&t.schema, to),
                to: t.name.clone(),
            }],
            Change::RenameColumn { table: t, from, to } => vec![Change::RenameColumn {
                table: t.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            Change::RenamePolicy { table: t, from, to } => vec![Change::RenamePolicy {
                table: t.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            Change::RenameConstraint { table: t, from, to } => vec![Change::RenameConstraint {
                table: t.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            Change::RenameIndex { table: t, from, to } => vec![Change::RenameIndex {
                table: t.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            Change::RenameTrigger { table: t, from, to } => vec![Change::RenameTrigger {
                table: t.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            Change::RenameFunction { function, to } => vec![Change::RenameFunction {
                function: QualifiedName::new(&function.schema, to),
                to: function.name.clone(),
            }],
            Change::Grant {
                table: t,
                privileges,
                roles,
            } => {
                let held = |role: &str, privilege: &str| {
                    table(t).is_some_and(|x| {
                        x.grants
                            .iter()
                            .any(|g| g.grantee == role && g.privilege == privilege)
                    })
                };
                roles
                    .iter()
                    .filter_map(|role| {
                        let new: Vec<String> = privileges
                            .iter()
                            .filter(|p| !held(role, p))
                            .cloned()
                            .collect();
                        (!new.is_empty()).then(|| Change::Revoke {
                            table: t.clone(),
                            privileges: new,
                            roles: vec![role.clone()],
                        })
                    })
                    .collect()
            }
            Change::RevokeAll { table: t, roles } => roles
                .iter()
                .filter_map(|role| {
                    let had: Vec<String> = table(t)?
                        .grants
                        .iter()
                        .filter(|g| &g.grantee == role)
                        .map(|g| g.privilege.clone())
                        .collect();
                    (!had.is_empty()).then(|| Change::Grant {
                        table: t.clone(),
                        privileges: had,
                        roles: vec![role.clone()],
                    })
                })
                .collect(),
            Change::CreateMaterializedView { view, .. } => {
                vec![Change::DropMaterializedView { view: view.clone() }]
            }
            Change::DropMaterializedView { view } => match table(view) {
                Some(old) => super::matviews::recreate(old, state),
                None => vec![],
            },
            Change::CommentMaterializedView { view, .. } => match table(view) {
                Some(old) => vec![Change::CommentMaterializedView {
                    view: view.clone(),
                    text: old.comment.clone().unwrap_or_default(),
                }],
                None => vec![],
            },
            Change::ScheduleJob { job } => match state.cron_job(&job.name) {
                Some(old) => vec![Change::ScheduleJob { job: old.clone() }],
                None => vec![Change::UnscheduleJob {
                    name: job.name.clone(),
                }],
            },
            Change::UnscheduleJob { name } => match state.cron_job(name) {
                Some(old) => vec![Change::ScheduleJob { job: old.clone() }],
                None => vec![],
            },
            Change::InsertBucket { bucket } => {
                self.notes.push(format!(
                    "deletes the bucket {} the plan inserts: the rollback fails if files were uploaded to it since",
                    bucket.id
                ));
                vec![Change::DeleteBucket {
                    id: bucket.id.clone(),
                }]
            }
            Change::UpdateBucket { bucket } => match state.bucket(&bucket.id) {
                Some(old) => vec![Change::UpdateBucket {
                    bucket: old.clone(),
                }],
                None => vec![],
            },
            Change::DeleteBucket { id } => match state.bucket(id) {
                Some(old) => vec![Change::InsertBucket {
                    bucket: old.clone(),
                }],
                None => vec![],
            },
            // Inverses themselves: a rollback of a rollback is a plan made again.
            Change::DropTable { .. }
            | Change::DropSchema { .. }
            | Change::DropFunction { .. }
            | Change::Revoke { .. }
            | Change::Restore { .. } => {
                self.lossy(format!("`{}` is not undone", super::render::sql(change)));
                vec![]
            }
        }
    }

    /// The column comes back empty and nullable: its values are gone with the plan.
    fn restore_column(&mut self, state: &Catalog, t: &QualifiedName, column: &str) -> Vec<Change> {
        let Some(old) = state
            .table(&t.schema, &t.name)
            .and_then(|x| x.column(column))
        else {
            return vec![];
        };
        self.lossy(format!(
            "the plan drops {}.{column} and its values: the rollback adds the column back empty \
             (nullable, at the end of the table), without the indexes and constraints that used it",
            t.name
        ));
        let mut out = vec![Change::AddColumn {
            table: t.clone(),
            column: ColumnDef {
                name: column.to_owned(),
                sql_type: old.data_type.clone(),
                data_type: old.data_type.clone(),
                default: None,
                generated: old.generated.clone(),
                not_null: false,
                constraints: Vec::new(),
            },
        }];
        // Set apart from the ADD, which would fill the existing rows with it.
        if let Some(default) = &old.default {
            out.push(Change::SetDefault {
                table: t.clone(),
                column: column.to_owned(),
                default: default.clone(),
            });
        }
        out
    }
}

/// Put back whole as the server printed it before the plan (an index, a trigger, a
/// constraint, a view, a policy), so its text uses the names of then; nothing the rollback
/// drops depends on it. A policy altered back stays in place: a column the rollback drops
/// may be used by the plan's version of it.
fn is_read_before(change: &Change) -> bool {
    matches!(
        change,
        Change::Restore { .. } | Change::CreateView { .. } | Change::CreatePolicy { .. }
    )
}

fn creates(change: &Change, table: &QualifiedName) -> bool {
    match change {
        Change::CreateTable(def) | Change::CreateLinkingTable(def) => &def.table == table,
        Change::CreateView { view, .. } | Change::CreateMaterializedView { view, .. } => {
            view == table
        }
        _ => false,
    }
}

/// A foreign key the plan adds to a table it creates, pointing at another one it creates.
fn links_new_tables(change: &Change, created: &BTreeSet<QualifiedName>) -> bool {
    match change {
        Change::AddConstraint {
            table,
            constraint: ConstraintDef::ForeignKey { references, .. },
        }
        | Change::AddConstraintNotValid {
            table,
            constraint: ConstraintDef::ForeignKey { references, .. },
        } => references != table && created.contains(references),
        _ => false,
    }
}

fn constraint_name(constraint: &ConstraintDef) -> &str {
    match constraint {
        ConstraintDef::PrimaryKey { name, .. }
        | ConstraintDef::ForeignKey { name, .. }
        | ConstraintDef::Check { name, .. }
        | ConstraintDef::Unique { name, .. } => name,
    }
}

fn previous_comment(state: &Catalog, on: &CommentOn) -> Option<String> {
    match on {
        CommentOn::Table(t) => state.table(&t.schema, &t.name)?.comment.clone(),
        CommentOn::Column { table, column } => state
            .table(&table.schema, &table.name)?
            .column(column)?
            .comment
            .clone(),
    }
}

pub(super) fn restored_constraint(table: &Table, name: &str) -> Option<Restored> {
    if let Some(c) = table.check_constraints.iter().find(|c| c.name == name) {
        return Some(Restored::Check(c.clone()));
    }
    if let Some(f) = table.foreign_keys.iter().find(|f| f.name == name) {
        return Some(Restored::ForeignKey(f.clone()));
    }
    if let Some(k) = table.unique_constraints.iter().find(|k| k.name == name) {
        return Some(Restored::Unique(k.clone()));
    }
    table
        .primary_key
        .as_ref()
        .filter(|k| k.name == name)
        .map(|k| Restored::PrimaryKey(k.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::design;

    fn resolved(value: serde_json::Value) -> design::ResolvedDesign {
        let (parsed, _) = design::parse(&value.to_string()).expect("parses");
        design::resolve(&parsed).expect("resolves")
    }

    fn supabase() -> Catalog {
        crate::rls::lint::fixtures::supabase(Vec::new())
    }

    fn two_related_tables(using: &str) -> design::ResolvedDesign {
        resolved(json!({
            "tables": [
                {"name": "projects", "fields": [{"name": "title", "type": "singleLineText"}],
                 "rls_policies": [{"name": "own", "operation": "ALL",
                                   "using_expression": using}]},
                {"name": "tasks", "fields": [{"name": "title", "type": "singleLineText"}]}
            ],
            "relationships": [{"table": "tasks", "name": "project", "target": "projects"}]
        }))
    }

    fn sql(rollback: &Rollback) -> Vec<String> {
        rollback.steps.iter().map(|s| s.sql.clone()).collect()
    }

    #[test]
    fn new_tables_go_whole_after_the_keys_between_them_and_helpers_last() {
        let before = supabase();
        let design = two_related_tables("created_by = (select auth.uid())");
        let plan = super::super::plan(&design, &before, &PlanSettings::default()).expect("plans");
        let rollback = rollback(&plan, &before);
        assert!(rollback.exact, "{:?}", rollback.notes);
        let sql = sql(&rollback);
        let at = |needle: &str| {
            sql.iter()
                .position(|s| s.contains(needle))
                .unwrap_or_else(|| panic!("{needle} in {sql:#?}"))
        };
        assert!(
            at("DROP CONSTRAINT \"tasks_project_id_fkey\"")
                < at("DROP TABLE \"public\".\"projects\"")
        );
        assert!(at("DROP TABLE \"public\".\"tasks\"") < at("DROP FUNCTION"));
        // The catalog had no `public`: the plan creates it, the rollback drops it last.
        assert!(at("DROP FUNCTION") < at("DROP SCHEMA \"public\""));
        // Their policies, indexes, triggers and grants go with them: nothing else is said.
        assert_eq!(sql.len(), 6, "{sql:#?}");
        assert!(sql[5].starts_with("NOTIFY pgrst"), "{sql:#?}");
        // Applied after the plan, the catalog is the one before it (structurally).
        let after = before.apply(&plan.changes());
        let back = after.apply(
            &rollback
                .steps
                .iter()
                .map(|s| s.change.clone())
                .collect::<Vec<_>>(),
        );
        assert!(
            back.tables.is_empty() && back.functions.is_empty(),
            "{back:#?}"
        );
    }

    #[test]
    fn changed_live_parts_are_put_back_as_they_were_read() {
        let empty = supabase();
        let design = two_related_tables("created_by = (select auth.uid())");
        let settings = PlanSettings::default();
        let first = super::super::plan(&design, &empty, &settings).expect("plans");
        let live = empty.apply(&first.changes());
        let changed = two_related_tables("true");
        let plan = super::super::plan(&changed, &live, &settings).expect("plans");
        assert!(!plan.is_empty());
        let rollback = rollback(&plan, &live);
        let sql = sql(&rollback);
        assert!(
            sql.iter().any(|s| s.starts_with("ALTER POLICY \"own\"")
                && s.contains("created_by = (select auth.uid())")),
            "{sql:#?}"
        );
        assert!(rollback.exact);
        let header = rollback.bundle().text;
        assert_eq!(
            saved_rollback(&header),
            Some(SavedRollback {
                restores: Some(plan.fingerprint.clone())
            })
        );
    }

    #[test]
    fn a_policy_changed_with_a_rename_is_dropped_before_it_is_undone_and_put_back_after() {
        let empty = supabase();
        let settings = PlanSettings::default();
        let board = |column: serde_json::Value, using: &str| {
            resolved(json!({"tables": [{
                "name": "boards",
                "fields": [{"name": "title", "type": "singleLineText"}, column],
                "rls_policies": [{"name": "own", "operation": "SELECT",
                                  "using_expression": using}]
            }]}))
        };
        let first = board(
            json!({"name": "keeper", "type": "raw", "options": {"sql_type": "uuid"}}),
            "keeper = (select auth.uid())",
        );
        let live = empty.apply(
            &super::super::plan(&first, &empty, &settings)
                .expect("plans")
                .changes(),
        );
        let renamed = board(
            json!({"name": "owner", "renamed_from": "keeper", "type": "raw",
                   "options": {"sql_type": "uuid"}}),
            "owner = (select auth.uid())",
        );
        let plan = super::super::plan(&renamed, &live, &settings).expect("plans");
        let rollback = rollback(&plan, &live);
        let sql = sql(&rollback);
        let at = |needle: &str| {
            sql.iter()
                .position(|s| s.contains(needle))
                .unwrap_or_else(|| panic!("{needle} in {sql:#?}"))
        };
        let rename = at("RENAME COLUMN \"owner\" TO \"keeper\"");
        assert!(at("DROP POLICY \"own\"") < rename, "{sql:#?}");
        let created = at("CREATE POLICY \"own\"");
        assert!(
            rename < created && sql[created].contains("keeper ="),
            "{sql:#?}"
        );
        assert!(
            !sql.iter().any(|s| s.starts_with("ALTER POLICY")),
            "{sql:#?}"
        );
        assert!(rollback.exact, "{:?}", rollback.notes);
    }
}
