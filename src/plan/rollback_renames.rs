//! The renames a plan makes, seen from its rollback. A rollback renames back only after it
//! has undone everything the plan made under the new names; what it then puts back as read
//! before the plan must name tables, columns, policies and what is named after them
//! (constraints, indexes, triggers) as they were, which is what
//! [`PlanRenames::in_old_names`] gives.

use crate::catalog::change::Restored;
use crate::catalog::{Catalog, Change, QualifiedName};

use super::step::Step;

/// Table, column and policy renames of one plan, and of the names derived from them, by
/// their new names.
#[derive(Debug, Default)]
pub(super) struct PlanRenames {
    /// The table's new name, and its old one.
    tables: Vec<(QualifiedName, String)>,
    /// On the table by its new name: the policy's new name, and its old one.
    policies: Vec<(QualifiedName, String, String)>,
    /// On the table by its new name: a constraint's, index's or trigger's new name, and its
    /// old one.
    derived: Vec<(QualifiedName, String, String)>,
    columns: bool,
}

/// What a rollback drops by name before it renames back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dropped {
    Policy,
    Constraint,
    Index,
    Trigger,
}

impl PlanRenames {
    pub(super) fn of(steps: &[&Step]) -> PlanRenames {
        let mut renames = PlanRenames::default();
        for step in steps {
            match &step.change {
                Change::RenameTable { table, to } => renames
                    .tables
                    .push((QualifiedName::new(&table.schema, to), table.name.clone())),
                Change::RenameColumn { .. } => renames.columns = true,
                Change::RenamePolicy { table, from, to } => {
                    renames
                        .policies
                        .push((table.clone(), to.clone(), from.clone()))
                }
                Change::RenameConstraint { table, from, to }
                | Change::RenameIndex { table, from, to }
                | Change::RenameTrigger { table, from, to } => {
                    renames
                        .derived
                        .push((table.clone(), to.clone(), from.clone()))
                }
                _ => {}
            }
        }
        renames
    }

    /// Whether the plan renames a table or a column: then what the server printed before
    /// it (a policy's expression) names what no longer exists until the rollback renames
    /// back.
    pub(super) fn renames_tables_or_columns(&self) -> bool {
        self.columns || !self.tables.is_empty()
    }

    /// The table's name before the plan.
    fn table(&self, new: &QualifiedName) -> QualifiedName {
        self.tables.iter().find(|(n, _)| n == new).map_or_else(
            || new.clone(),
            |(n, old)| QualifiedName::new(&n.schema, old),
        )
    }

    /// The policies, constraints, indexes and triggers the rollback's `steps` drop, by table.
    pub(super) fn dropped<'a>(
        steps: impl Iterator<Item = &'a Step>,
    ) -> Vec<(QualifiedName, String, Dropped)> {
        steps
            .filter_map(|s| match &s.change {
                Change::DropPolicy { table, name } => {
                    Some((table.clone(), name.clone(), Dropped::Policy))
                }
                Change::DropConstraint { table, name } => {
                    Some((table.clone(), name.clone(), Dropped::Constraint))
                }
                Change::DropIndex { table, name } => {
                    Some((table.clone(), name.clone(), Dropped::Index))
                }
                Change::DropTrigger { table, name } => {
                    Some((table.clone(), name.clone(), Dropped::Trigger))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether the rollback's `change`, a rename back of a policy, constraint, index or
    /// trigger, has nothing to rename: the plan's version is dropped by then, and the old
    /// one is put back under its old name.
    pub(super) fn renames_back_a_dropped(
        change: &Change,
        dropped: &[(QualifiedName, String, Dropped)],
    ) -> bool {
        let (table, from, kind) = match change {
            Change::RenamePolicy { table, from, .. } => (table, from, Dropped::Policy),
            Change::RenameConstraint { table, from, .. } => (table, from, Dropped::Constraint),
            Change::RenameIndex { table, from, .. } => (table, from, Dropped::Index),
            Change::RenameTrigger { table, from, .. } => (table, from, Dropped::Trigger),
            _ => return false,
        };
        dropped
            .iter()
            .any(|(t, name, k)| t == table && name == from && *k == kind)
    }

    /// A constraint's, index's or trigger's name before the plan, on the table by its new
    /// name.
    fn derived_name<'a>(&'a self, table: &QualifiedName, name: &'a str) -> &'a str {
        self.derived
            .iter()
            .find(|(t, new, _)| t == table && new == name)
            .map_or(name, |(_, _, old)| old.as_str())
    }

    /// `change`, put back once the renames are undone, with the names of then: the table's
    /// old name, a policy's old name, a constraint as `before` describes it (its columns by
    /// their old names).
    pub(super) fn in_old_names(&self, change: Change, before: &Catalog) -> Change {
        match change {
            Change::Restore { table, object } => {
                let old = self.table(&table);
                let name = self.derived_name(&table, restored_name(&object));
                let read = before
                    .table(&old.schema, &old.name)
                    .and_then(|t| match &object {
                        Restored::Trigger(_) => t
                            .triggers
                            .iter()
                            .find(|tr| tr.name == name)
                            .map(|tr| Restored::Trigger(tr.clone())),
                        Restored::Index(_) => t
                            .indexes
                            .iter()
                            .find(|i| i.name == name)
                            .map(|i| Restored::Index(i.clone())),
                        _ => super::rollback::restored_constraint(t, name),
                    });
                let object = read.unwrap_or(object);
                Change::Restore { table: old, object }
            }
            Change::CreatePolicy { table, mut policy } => {
                if let Some((_, _, old)) = self
                    .policies
                    .iter()
                    .find(|(t, new, _)| *t == table && *new == policy.name)
                {
                    policy.name = old.clone();
                }
                Change::CreatePolicy {
                    table: self.table(&table),
                    policy,
                }
            }
            other => other,
        }
    }
}

fn restored_name(object: &Restored) -> &str {
    match object {
        Restored::Check(c) => &c.name,
        Restored::ForeignKey(f) => &f.name,
        Restored::Unique(k) | Restored::PrimaryKey(k) => &k.name,
        Restored::Index(i) => &i.name,
        Restored::Trigger(t) => &t.name,
    }
}
