//! Design edits as data: every change the editor makes to a [`Design`] is an [`Edit`] value,
//! and applying one returns its exact inverse, so undo and redo ([`History`]) are two stacks
//! of edits and nothing else.
//!
//! Addressing: tables, fields, relationships and policies are addressed by their **index**
//! (their position in the design's lists). An index names one slot unambiguously even when a
//! half-edited design has duplicate or empty names, and an inverse that puts a value back at
//! the same index restores the list order exactly. Samples are keyed by the same string the
//! design file uses (a table's `db_name` or `name`), because that key is what the file stores.
//!
//! A table's names (`name`, `db_name`) are changed only by [`Edit::RenameTable`], which also
//! rewrites every reference to the table inside the design (relationships' `table` and
//! `target`, computed fields' `through`, sample keys); its inverse,
//! [`Edit::RestoreTableNames`], lists the rewritten references with their old text so undo
//! is exact even when several spellings pointed at the table.
//!
//! A failed edit leaves the design untouched: every edit checks before it changes anything,
//! and a [`Edit::Batch`] that fails part-way undoes what it already did.

mod apply_lists;
mod apply_tables;
mod history;
mod references;

#[cfg(test)]
pub(crate) mod arbitrary;
#[cfg(test)]
pub(crate) mod arbitrary_edits;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_props;

pub use history::History;
pub use references::Reference;

use super::model::{Design, Field, Policy, Relationship, Samples, Table, TableIndex};

/// One change to a design. Edits carry whole values (a complete [`Field`], [`Policy`], …) so
/// that the inverse of a change is simply the old value.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// The schema every designed table is created in.
    SetSchema {
        schema: String,
    },
    /// The roles that may read the shared audit table.
    SetAuditReaders {
        roles: Vec<String>,
    },
    /// The storage buckets, all of them (a bucket added, changed or removed).
    SetBuckets {
        buckets: Vec<super::buckets::Bucket>,
    },
    /// The aggregate views, all of them (a view added, changed or removed).
    SetMaterializedViews {
        views: Vec<super::materialized_views::MaterializedView>,
    },
    /// Inserts `table` at `index` (`index == tables.len()` appends).
    AddTable {
        index: usize,
        table: Table,
    },
    /// Removes the table only; references to it stay for validation to report (see
    /// [`Edit::remove_table_with_references`] for the cascading form).
    RemoveTable {
        index: usize,
    },
    MoveTable {
        from: usize,
        to: usize,
    },
    /// Sets a table's `name` and `db_name` and rewrites every reference to it.
    RenameTable {
        table: usize,
        name: String,
        db_name: Option<String>,
    },
    /// Sets a table's names and puts each listed reference back to the given text: the exact
    /// inverse of a rename.
    RestoreTableNames {
        table: usize,
        name: String,
        db_name: Option<String>,
        references: Vec<(Reference, String)>,
    },
    /// Every table property that is not a name or a list of fields / policies.
    ChangeTableProperties {
        table: usize,
        properties: TableProperties,
    },
    SetRls {
        table: usize,
        enabled: bool,
    },
    AddField {
        table: usize,
        index: usize,
        field: Field,
    },
    ChangeField {
        table: usize,
        index: usize,
        field: Field,
    },
    MoveField {
        table: usize,
        from: usize,
        to: usize,
    },
    RemoveField {
        table: usize,
        index: usize,
    },
    /// Marks exactly this field (or none) as the table's primary field.
    SetPrimaryField {
        table: usize,
        field: Option<usize>,
    },
    AddRelationship {
        index: usize,
        relationship: Relationship,
    },
    ChangeRelationship {
        index: usize,
        relationship: Relationship,
    },
    MoveRelationship {
        from: usize,
        to: usize,
    },
    RemoveRelationship {
        index: usize,
    },
    AddPolicy {
        table: usize,
        index: usize,
        policy: Policy,
    },
    ChangePolicy {
        table: usize,
        index: usize,
        policy: Policy,
    },
    MovePolicy {
        table: usize,
        from: usize,
        to: usize,
    },
    RemovePolicy {
        table: usize,
        index: usize,
    },
    /// Replaces a table's whole index list (adding, changing or removing one index is one
    /// such edit; the inverse puts the old list back).
    SetIndexes {
        table: usize,
        indexes: Vec<TableIndex>,
    },
    /// Sets (`Some`) or removes (`None`) the samples under `key`. A new key goes at
    /// `position` (the end when `None`); an existing key keeps its place.
    SetSamples {
        key: String,
        samples: Option<Samples>,
        position: Option<usize>,
    },
    /// Several edits as one step (one undo); all or nothing.
    Batch(Vec<Edit>),
    /// The inner edit without the duplicate-name checks. Inverses that put an old value back
    /// come wrapped in it: a design loaded with two fields of one name must still be able to
    /// undo the removal of one of them.
    Unchecked(Box<Edit>),
}

/// The properties [`Edit::ChangeTableProperties`] sets, all at once.
#[derive(Debug, Clone, PartialEq)]
pub struct TableProperties {
    pub description: Option<String>,
    pub rls_enabled: bool,
    pub public_reference: bool,
    pub drop_columns: Vec<String>,
    pub drop_policies: Vec<String>,
    pub system_fields: bool,
    pub audit: bool,
    pub soft_delete: bool,
}

impl TableProperties {
    /// The properties `table` has now.
    pub fn of(table: &Table) -> TableProperties {
        TableProperties {
            description: table.description.clone(),
            rls_enabled: table.rls_enabled,
            public_reference: table.public_reference,
            drop_columns: table.drop_columns.clone(),
            drop_policies: table.drop_policies.clone(),
            system_fields: table.system_fields,
            audit: table.audit,
            soft_delete: table.soft_delete,
        }
    }

    fn set_on(self, table: &mut Table) {
        table.description = self.description;
        table.rls_enabled = self.rls_enabled;
        table.public_reference = self.public_reference;
        table.drop_columns = self.drop_columns;
        table.drop_policies = self.drop_policies;
        table.system_fields = self.system_fields;
        table.audit = self.audit;
        table.soft_delete = self.soft_delete;
    }
}

/// Why an edit could not be applied. The design is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("there is no table {0}")]
    NoTable(usize),
    #[error("table {table} has no field {index}")]
    NoField { table: usize, index: usize },
    #[error("there is no relationship {0}")]
    NoRelationship(usize),
    #[error("table {table} has no policy {index}")]
    NoPolicy { table: usize, index: usize },
    #[error("the design has no {0}")]
    NoReference(Reference),
    #[error("position {index} is out of range for {what} (there are {len})")]
    OutOfRange {
        what: &'static str,
        index: usize,
        len: usize,
    },
    #[error("{what} \"{name}\" already exists")]
    DuplicateName { what: &'static str, name: String },
}

impl Edit {
    /// Applies the edit and returns its inverse: applying that to the changed design gives
    /// back the design as it was. On error the design is unchanged.
    pub fn apply(self, design: &mut Design) -> Result<Edit, EditError> {
        self.apply_checked(design, Names::Check)
    }

    fn apply_checked(self, design: &mut Design, names: Names) -> Result<Edit, EditError> {
        let inverse = self.apply_inner(design, names)?;
        Ok(if inverse.checks_names() {
            Edit::Unchecked(Box::new(inverse))
        } else {
            inverse
        })
    }

    /// Whether applying this edit refuses duplicate names.
    fn checks_names(&self) -> bool {
        matches!(
            self,
            Edit::AddTable { .. }
                | Edit::RenameTable { .. }
                | Edit::AddField { .. }
                | Edit::ChangeField { .. }
                | Edit::AddRelationship { .. }
                | Edit::ChangeRelationship { .. }
                | Edit::AddPolicy { .. }
                | Edit::ChangePolicy { .. }
        )
    }

    fn apply_inner(self, design: &mut Design, names: Names) -> Result<Edit, EditError> {
        match self {
            Edit::SetSchema { schema } => Ok(Edit::SetSchema {
                schema: std::mem::replace(&mut design.schema, schema),
            }),
            Edit::SetAuditReaders { roles } => Ok(Edit::SetAuditReaders {
                roles: std::mem::replace(&mut design.audit_readers, roles),
            }),
            Edit::SetBuckets { buckets } => Ok(Edit::SetBuckets {
                buckets: std::mem::replace(&mut design.buckets, buckets),
            }),
            Edit::SetMaterializedViews { views } => Ok(Edit::SetMaterializedViews {
                views: std::mem::replace(&mut design.materialized_views, views),
            }),
            Edit::AddTable { index, table } => apply_tables::add(design, index, table, names),
            Edit::RemoveTable { index } => apply_tables::remove(design, index),
            Edit::MoveTable { from, to } => {
                apply_lists::move_item(&mut design.tables, from, to, "tables")?;
                Ok(Edit::MoveTable { from: to, to: from })
            }
            Edit::RenameTable {
                table,
                name,
                db_name,
            } => references::rename(design, table, name, db_name, names),
            Edit::RestoreTableNames {
                table,
                name,
                db_name,
                references,
            } => references::restore(design, table, name, db_name, references),
            Edit::ChangeTableProperties { table, properties } => {
                let t = apply_tables::table_mut(design, table)?;
                let old = TableProperties::of(t);
                properties.set_on(t);
                Ok(Edit::ChangeTableProperties {
                    table,
                    properties: old,
                })
            }
            Edit::SetRls { table, enabled } => {
                let t = apply_tables::table_mut(design, table)?;
                let old = std::mem::replace(&mut t.rls_enabled, enabled);
                Ok(Edit::SetRls {
                    table,
                    enabled: old,
                })
            }
            Edit::AddField {
                table,
                index,
                field,
            } => apply_tables::add_field(design, table, index, field, names),
            Edit::ChangeField {
                table,
                index,
                field,
            } => apply_tables::change_field(design, table, index, field, names),
            Edit::MoveField { table, from, to } => {
                let t = apply_tables::table_mut(design, table)?;
                apply_lists::move_item(&mut t.fields, from, to, "fields")?;
                Ok(Edit::MoveField {
                    table,
                    from: to,
                    to: from,
                })
            }
            Edit::RemoveField { table, index } => {
                let t = apply_tables::table_mut(design, table)?;
                if index >= t.fields.len() {
                    return Err(EditError::NoField { table, index });
                }
                let field = t.fields.remove(index);
                Ok(Edit::AddField {
                    table,
                    index,
                    field,
                })
            }
            Edit::SetPrimaryField { table, field } => {
                apply_tables::set_primary(design, table, field)
            }
            Edit::AddRelationship {
                index,
                relationship,
            } => apply_lists::add_relationship(design, index, relationship, names),
            Edit::ChangeRelationship {
                index,
                relationship,
            } => apply_lists::change_relationship(design, index, relationship, names),
            Edit::MoveRelationship { from, to } => {
                apply_lists::move_item(&mut design.relationships, from, to, "relationships")?;
                Ok(Edit::MoveRelationship { from: to, to: from })
            }
            Edit::RemoveRelationship { index } => {
                if index >= design.relationships.len() {
                    return Err(EditError::NoRelationship(index));
                }
                let relationship = design.relationships.remove(index);
                Ok(Edit::AddRelationship {
                    index,
                    relationship,
                })
            }
            Edit::AddPolicy {
                table,
                index,
                policy,
            } => apply_lists::add_policy(design, table, index, policy, names),
            Edit::ChangePolicy {
                table,
                index,
                policy,
            } => apply_lists::change_policy(design, table, index, policy, names),
            Edit::MovePolicy { table, from, to } => {
                let t = apply_tables::table_mut(design, table)?;
                apply_lists::move_item(&mut t.rls_policies, from, to, "policies")?;
                Ok(Edit::MovePolicy {
                    table,
                    from: to,
                    to: from,
                })
            }
            Edit::RemovePolicy { table, index } => {
                let t = apply_tables::table_mut(design, table)?;
                if index >= t.rls_policies.len() {
                    return Err(EditError::NoPolicy { table, index });
                }
                let policy = t.rls_policies.remove(index);
                Ok(Edit::AddPolicy {
                    table,
                    index,
                    policy,
                })
            }
            Edit::SetIndexes { table, indexes } => {
                let t = apply_tables::table_mut(design, table)?;
                Ok(Edit::SetIndexes {
                    table,
                    indexes: std::mem::replace(&mut t.indexes, indexes),
                })
            }
            Edit::SetSamples {
                key,
                samples,
                position,
            } => apply_lists::set_samples(design, key, samples, position),
            Edit::Batch(edits) => apply_batch(design, edits, names),
            Edit::Unchecked(edit) => Ok(Edit::Unchecked(Box::new(
                edit.apply_checked(design, Names::Trust)?.unwrapped(),
            ))),
        }
    }

    /// A batch that removes table `index` together with the relationships that hold or point
    /// at it and its samples, so the design keeps no dangling reference. `None` when there is
    /// no such table.
    pub fn remove_table_with_references(design: &Design, index: usize) -> Option<Edit> {
        design.tables.get(index)?;
        let mut edits = Vec::new();
        for (ri, rel) in design.relationships.iter().enumerate().rev() {
            if design.find_table(&rel.table) == Some(index)
                || design.find_table(&rel.target) == Some(index)
            {
                edits.push(Edit::RemoveRelationship { index: ri });
            }
        }
        for key in design.samples.keys() {
            if design.find_table(key) == Some(index) {
                edits.push(Edit::SetSamples {
                    key: key.clone(),
                    samples: None,
                    position: None,
                });
            }
        }
        edits.push(Edit::RemoveTable { index });
        Some(Edit::Batch(edits))
    }
}

/// Whether an edit refuses duplicate names ([`Edit::Unchecked`] trusts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Names {
    Check,
    Trust,
}

impl Names {
    pub(super) fn checked(self) -> bool {
        self == Names::Check
    }
}

impl Edit {
    /// The edit inside any [`Edit::Unchecked`] wrapper.
    fn unwrapped(self) -> Edit {
        match self {
            Edit::Unchecked(inner) => inner.unwrapped(),
            other => other,
        }
    }
}

/// Applies `edits` in order; on a failure, undoes the ones already applied (in reverse) so
/// the design is as it was.
fn apply_batch(design: &mut Design, edits: Vec<Edit>, names: Names) -> Result<Edit, EditError> {
    let mut inverses = Vec::with_capacity(edits.len());
    for edit in edits {
        match edit.apply_checked(design, names) {
            Ok(inverse) => inverses.push(inverse),
            Err(error) => {
                for inverse in inverses.into_iter().rev() {
                    inverse
                        .apply(design)
                        .expect("the inverse of an edit just applied applies");
                }
                return Err(error);
            }
        }
    }
    inverses.reverse();
    Ok(Edit::Batch(inverses))
}
