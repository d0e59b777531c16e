//! The renames a plan makes, seen from its rollback. A rollback renames back only after it
//! has undone everything the plan made under the new names; what it then puts back as read
//! before the plan must name tables, columns and policies as they were, which is what
//! [`PlanRenames::in_old_names`] gives.

use crate::catalog::change::Restored;
use crate::catalog::{Catalog, Change, QualifiedName};

use super::step::Step;

/// Table, column and policy renames of one plan, by their new names.
#[derive(Debug, Default)]
pub(super) struct PlanRenames {
    /// The table's new name, and its old one.
    tables: Vec<(QualifiedName, String)>,
    /// On the table by its new name: the policy's new name, and its old one.
    policies: Vec<(QualifiedName, String, String)>,
    columns: bool,
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

    /// Whether the rollback's `change`, a rename back of a policy, has nothing to rename:
    /// the plan's version of the policy is dropped by then, and the old one is created
    /// under its old name.
    pub(super) fn renames_a_dropped_policy(
        change: &Change,
        dropped: &[(QualifiedName, String)],
    ) -> bool {
        matches!(change, Change::RenamePolicy { table, from, .. }
            if dropped.iter().any(|(t, name)| t == table && name == from))
    }

    /// `change`, put back once the renames are undone, with the names of then: the table's
    /// old name, a policy's old name, a constraint as `before` describes it (its columns by
    /// their old names).
    pub(super) fn in_old_names(&self, change: Change, before: &Catalog) -> Change {
        match change {
            Change::Restore { table, object } => {
                let old = self.table(&table);
                let read = before
                    .table(&old.schema, &old.name)
                    .and_then(|t| super::rollback::restored_constraint(t, restored_name(&object)));
                let object = match (&object, read) {
                    (Restored::Index(_) | Restored::Trigger(_), _) | (_, None) => object,
                    (_, Some(read)) => read,
                };
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
