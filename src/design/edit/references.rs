//! Renaming a table together with every reference to it, and the exact way back.
//!
//! A reference is any text in the design that names a designed table the way
//! [`Design::find_table`] reads it: relationships' `table` and `target`, a computed field's
//! `through`, and the keys of `samples`. A reference written with the table's `db_name`
//! follows the new `db_name`; one written with its `name` follows the new `name`; a
//! `schema.` prefix is kept.

use std::fmt;

use super::apply_tables::{check_table_names, table_identities, table_mut};
use super::{Edit, EditError, Names};
use crate::design::model::Design;

/// A place in the design that holds a reference to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `relationships[i].table`.
    RelationshipTable(usize),
    /// `relationships[i].target`.
    RelationshipTarget(usize),
    /// `tables[table].fields[field].options.through`.
    Through { table: usize, field: usize },
    /// The key of the `i`-th entry of `samples`.
    SampleKey(usize),
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::RelationshipTable(i) => write!(f, "relationships[{i}].table"),
            Reference::RelationshipTarget(i) => write!(f, "relationships[{i}].target"),
            Reference::Through { table, field } => {
                write!(f, "tables[{table}].fields[{field}].options.through")
            }
            Reference::SampleKey(i) => write!(f, "samples entry {i}"),
        }
    }
}

/// Every reference slot of the design with its text.
fn all_references(design: &Design) -> Vec<(Reference, String)> {
    let mut out = Vec::new();
    for (i, rel) in design.relationships.iter().enumerate() {
        out.push((Reference::RelationshipTable(i), rel.table.clone()));
        out.push((Reference::RelationshipTarget(i), rel.target.clone()));
    }
    for (ti, table) in design.tables.iter().enumerate() {
        for (fi, field) in table.fields.iter().enumerate() {
            if let Some(through) = &field.options.through {
                out.push((
                    Reference::Through {
                        table: ti,
                        field: fi,
                    },
                    through.clone(),
                ));
            }
        }
    }
    for (i, key) in design.samples.keys().enumerate() {
        out.push((Reference::SampleKey(i), key.clone()));
    }
    out
}

fn read(design: &Design, slot: &Reference) -> Option<String> {
    match *slot {
        Reference::RelationshipTable(i) => design.relationships.get(i).map(|r| r.table.clone()),
        Reference::RelationshipTarget(i) => design.relationships.get(i).map(|r| r.target.clone()),
        Reference::Through { table, field } => design
            .tables
            .get(table)?
            .fields
            .get(field)?
            .options
            .through
            .clone(),
        Reference::SampleKey(i) => design.samples.get_index(i).map(|(k, _)| k.clone()),
    }
}

/// Writes every `(slot, text)`; the slots were checked to exist and the sample keys not to
/// collide.
fn write_all(design: &mut Design, writes: Vec<(Reference, String)>) {
    let mut sample_keys: Vec<(usize, String)> = Vec::new();
    for (slot, text) in writes {
        match slot {
            Reference::RelationshipTable(i) => design.relationships[i].table = text,
            Reference::RelationshipTarget(i) => design.relationships[i].target = text,
            Reference::Through { table, field } => {
                design.tables[table].fields[field].options.through = Some(text)
            }
            Reference::SampleKey(i) => sample_keys.push((i, text)),
        }
    }
    if !sample_keys.is_empty() {
        let samples = std::mem::take(&mut design.samples);
        design.samples = samples
            .into_iter()
            .enumerate()
            .map(|(i, (key, value))| {
                let key = sample_keys
                    .iter()
                    .find(|(at, _)| *at == i)
                    .map_or(key, |(_, new)| new.clone());
                (key, value)
            })
            .collect();
    }
}

/// Checks that every slot exists and that the sample keys stay distinct after `writes`.
fn check_writes(design: &Design, writes: &[(Reference, String)]) -> Result<(), EditError> {
    for (slot, _) in writes {
        if read(design, slot).is_none() {
            return Err(EditError::NoReference(slot.clone()));
        }
    }
    let mut keys: Vec<&str> = design.samples.keys().map(String::as_str).collect();
    for (slot, text) in writes {
        if let Reference::SampleKey(i) = slot {
            keys[*i] = text;
        }
    }
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) {
            return Err(EditError::DuplicateName {
                what: "samples entry",
                name: key.to_string(),
            });
        }
    }
    Ok(())
}

pub(super) fn rename(
    design: &mut Design,
    table: usize,
    name: String,
    db_name: Option<String>,
    names: Names,
) -> Result<Edit, EditError> {
    let old = design.tables.get(table).ok_or(EditError::NoTable(table))?;
    if names.checked() {
        check_table_names(design, Some(table), &name, db_name.as_deref())?;
    }
    let [old_name, old_db] = table_identities(&old.name, old.db_name.as_deref());
    let [new_name, new_db] = table_identities(&name, db_name.as_deref());
    let prefix = format!("{}.", design.schema);
    let mut writes = Vec::new();
    let mut undo = Vec::new();
    for (slot, text) in all_references(design) {
        if design.find_table(&text) != Some(table) {
            continue;
        }
        let (kept, bare) = match text.strip_prefix(&prefix) {
            Some(bare) => (prefix.as_str(), bare),
            None => ("", text.as_str()),
        };
        let renamed = if bare == old_db {
            format!("{kept}{new_db}")
        } else if bare == old_name {
            format!("{kept}{new_name}")
        } else {
            continue;
        };
        if renamed != text {
            writes.push((slot.clone(), renamed));
            undo.push((slot, text));
        }
    }
    check_writes(design, &writes)?;
    let t = table_mut(design, table)?;
    let old_names = (
        std::mem::replace(&mut t.name, name),
        std::mem::replace(&mut t.db_name, db_name),
    );
    write_all(design, writes);
    Ok(Edit::RestoreTableNames {
        table,
        name: old_names.0,
        db_name: old_names.1,
        references: undo,
    })
}

pub(super) fn restore(
    design: &mut Design,
    table: usize,
    name: String,
    db_name: Option<String>,
    references: Vec<(Reference, String)>,
) -> Result<Edit, EditError> {
    if table >= design.tables.len() {
        return Err(EditError::NoTable(table));
    }
    check_writes(design, &references)?;
    let undo = references
        .iter()
        .map(|(slot, _)| (slot.clone(), read(design, slot).expect("slot checked")))
        .collect();
    let t = table_mut(design, table)?;
    let old_name = std::mem::replace(&mut t.name, name);
    let old_db = std::mem::replace(&mut t.db_name, db_name);
    write_all(design, references);
    Ok(Edit::RestoreTableNames {
        table,
        name: old_name,
        db_name: old_db,
        references: undo,
    })
}
