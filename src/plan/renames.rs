//! Renames, only where the design says `renamed_from`: a table, a column or a policy whose
//! live name is the old one. They run first, and the rest of the plan is made against the
//! catalog as they leave it, so nothing is dropped and added again under the new name.

use crate::catalog::{Catalog, Change, QualifiedName};
use crate::design::ResolvedDesign;

use super::derived_renames::{RenamedTable, derived_renames};
use super::{Section, Step};

/// The rename steps, the catalog they leave, and notes for renames that cannot be done.
pub(super) fn plan_renames(
    design: &ResolvedDesign,
    catalog: &Catalog,
) -> (Vec<Step>, Option<Catalog>, Vec<String>) {
    let schema = design.schema.as_str();
    let mut steps = Vec::new();
    let mut notes = Vec::new();
    for table in &design.tables {
        let Some(old) = &table.renamed_from else {
            continue;
        };
        let new = table.db_name.as_str();
        let step = rename(
            &mut notes,
            format!("{schema}.{old}"),
            new,
            catalog.table(schema, old).is_some(),
            catalog.table(schema, new).is_some(),
            Change::RenameTable {
                table: QualifiedName::new(schema, old.as_str()),
                to: new.to_owned(),
            },
        );
        steps.extend(step);
    }
    let tables_renamed = (!steps.is_empty()).then(|| apply(catalog, &steps));
    let current = tables_renamed.as_ref().unwrap_or(catalog);
    let before = steps.len();
    for table in &design.tables {
        let name = table.db_name.as_str();
        let Some(live) = current.table(schema, name) else {
            continue;
        };
        let qn = QualifiedName::new(schema, name);
        for field in table.columns() {
            if let Some(old) = &field.renamed_from {
                steps.extend(rename(
                    &mut notes,
                    format!("{schema}.{name}.{old}"),
                    &field.db_name,
                    live.column(old).is_some(),
                    live.column(&field.db_name).is_some(),
                    Change::RenameColumn {
                        table: qn.clone(),
                        from: old.clone(),
                        to: field.db_name.clone(),
                    },
                ));
            }
        }
        for policy in &table.policies {
            if let Some(old) = &policy.renamed_from {
                steps.extend(rename(
                    &mut notes,
                    format!("{schema}.{name}.{old}"),
                    &policy.name,
                    live.policy(old).is_some(),
                    live.policy(&policy.name).is_some(),
                    Change::RenamePolicy {
                        table: qn.clone(),
                        from: old.clone(),
                        to: policy.name.clone(),
                    },
                ));
            }
        }
    }
    let renamed = if steps.len() > before {
        Some(apply(catalog, &steps))
    } else {
        tables_renamed
    };
    let Some(renamed) = renamed else {
        return (steps, None, notes);
    };
    let derived: Vec<Step> = renamed_tables(&steps)
        .iter()
        .flat_map(|t| derived_renames(&renamed, t))
        .map(|change| {
            let object = match &change {
                Change::RenameConstraint { table, to, .. }
                | Change::RenameIndex { table, to, .. }
                | Change::RenameTrigger { table, to, .. } => {
                    format!("{}.{}.{to}", table.schema, table.name)
                }
                Change::RenameFunction { function, to } => format!("{}.{to}", function.schema),
                _ => unreachable!("derived renames are of constraints, indexes and triggers"),
            };
            Step::new(Section::Tables, object, change)
        })
        .collect();
    if derived.is_empty() {
        return (steps, Some(renamed), notes);
    }
    let renamed = apply(&renamed, &derived);
    steps.extend(derived);
    (steps, Some(renamed), notes)
}

/// The tables `steps` rename or rename columns of, by their new names.
fn renamed_tables(steps: &[Step]) -> Vec<RenamedTable> {
    let mut tables: Vec<RenamedTable> = Vec::new();
    for step in steps {
        let (table, old_name) = match &step.change {
            Change::RenameTable { table, to } => {
                (QualifiedName::new(&table.schema, to), table.name.clone())
            }
            Change::RenameColumn { table, .. } => (table.clone(), table.name.clone()),
            _ => continue,
        };
        let at = match tables.iter().position(|t| t.table == table) {
            Some(at) => at,
            None => {
                tables.push(RenamedTable {
                    table,
                    old_name,
                    old_columns: Default::default(),
                });
                tables.len() - 1
            }
        };
        if let Change::RenameColumn { from, to, .. } = &step.change {
            tables[at].old_columns.insert(to.clone(), from.clone());
        }
    }
    tables
}

fn apply(catalog: &Catalog, steps: &[Step]) -> Catalog {
    let changes: Vec<Change> = steps.iter().map(|s| s.change.clone()).collect();
    catalog.apply(&changes)
}

/// One rename when the old name exists and the new one does not; otherwise a note (or
/// nothing, when it was already renamed).
fn rename(
    notes: &mut Vec<String>,
    old_object: String,
    new: &str,
    old_exists: bool,
    new_exists: bool,
    change: Change,
) -> Option<Step> {
    match (old_exists, new_exists) {
        (true, false) => Some(Step::new(Section::Tables, old_object, change)),
        (true, true) => {
            notes.push(format!(
                "{old_object}: renamed_from names it, but \"{new}\" exists too; not renamed"
            ));
            None
        }
        (false, false) => {
            notes.push(format!(
                "{old_object}: renamed_from names it, but the database has no such object; \
                 \"{new}\" is created as new"
            ));
            None
        }
        (false, true) => None,
    }
}
