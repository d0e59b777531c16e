//! Edits of tables and their fields.

use super::{Edit, EditError, Names};
use crate::design::model::{Design, Field, Table};
use crate::design::names::{NameKind, derive_db_name};

pub(super) fn table_mut(design: &mut Design, table: usize) -> Result<&mut Table, EditError> {
    design
        .tables
        .get_mut(table)
        .ok_or(EditError::NoTable(table))
}

/// The names a table with this `name` and `db_name` answers to: its name and its db_name.
pub(super) fn table_identities(name: &str, db_name: Option<&str>) -> [String; 2] {
    let db = db_name.map_or_else(|| derive_db_name(name, NameKind::Table), str::to_string);
    [name.to_string(), db]
}

/// Refuses names another table (not `except`) already answers to, by name or db_name.
pub(super) fn check_table_names(
    design: &Design,
    except: Option<usize>,
    name: &str,
    db_name: Option<&str>,
) -> Result<(), EditError> {
    let wanted = table_identities(name, db_name);
    for (i, other) in design.tables.iter().enumerate() {
        if Some(i) == except {
            continue;
        }
        let taken = [other.name.clone(), other.db_name().into_owned()];
        if let Some(clash) = wanted.iter().find(|w| taken.contains(w)) {
            return Err(EditError::DuplicateName {
                what: "table",
                name: clash.clone(),
            });
        }
    }
    Ok(())
}

pub(super) fn add(
    design: &mut Design,
    index: usize,
    table: Table,
    names: Names,
) -> Result<Edit, EditError> {
    check_position(index, design.tables.len(), "tables")?;
    if names.checked() {
        check_table_names(design, None, &table.name, table.db_name.as_deref())?;
    }
    design.tables.insert(index, table);
    Ok(Edit::RemoveTable { index })
}

pub(super) fn remove(design: &mut Design, index: usize) -> Result<Edit, EditError> {
    if index >= design.tables.len() {
        return Err(EditError::NoTable(index));
    }
    let table = design.tables.remove(index);
    Ok(Edit::AddTable { index, table })
}

/// An insertion position: anything from 0 to `len` (appending).
pub(super) fn check_position(
    index: usize,
    len: usize,
    what: &'static str,
) -> Result<(), EditError> {
    if index > len {
        return Err(EditError::OutOfRange { what, index, len });
    }
    Ok(())
}

/// Refuses a field whose name or column another field of the table (not `except`) has.
fn check_field_names(table: &Table, except: Option<usize>, field: &Field) -> Result<(), EditError> {
    let column = field.db_name();
    for (i, other) in table.fields.iter().enumerate() {
        if Some(i) == except {
            continue;
        }
        if other.name == field.name || other.db_name() == column {
            let name = if other.name == field.name {
                field.name.clone()
            } else {
                column.into_owned()
            };
            return Err(EditError::DuplicateName {
                what: "field",
                name,
            });
        }
    }
    Ok(())
}

pub(super) fn add_field(
    design: &mut Design,
    table: usize,
    index: usize,
    field: Field,
    names: Names,
) -> Result<Edit, EditError> {
    let t = table_mut(design, table)?;
    check_position(index, t.fields.len(), "fields")?;
    if names.checked() {
        check_field_names(t, None, &field)?;
    }
    t.fields.insert(index, field);
    Ok(Edit::RemoveField { table, index })
}

pub(super) fn change_field(
    design: &mut Design,
    table: usize,
    index: usize,
    field: Field,
    names: Names,
) -> Result<Edit, EditError> {
    let t = table_mut(design, table)?;
    if index >= t.fields.len() {
        return Err(EditError::NoField { table, index });
    }
    if names.checked() {
        check_field_names(t, Some(index), &field)?;
    }
    let old = std::mem::replace(&mut t.fields[index], field);
    Ok(Edit::ChangeField {
        table,
        index,
        field: old,
    })
}

/// Marks exactly `field` (or none). The inverse marks the previous primary field again; when
/// several were marked (a design validation rejects, but one can load it), the inverse puts
/// back each changed field whole.
pub(super) fn set_primary(
    design: &mut Design,
    table: usize,
    field: Option<usize>,
) -> Result<Edit, EditError> {
    let t = table_mut(design, table)?;
    if let Some(index) = field
        && index >= t.fields.len()
    {
        return Err(EditError::NoField { table, index });
    }
    let marked: Vec<usize> = (0..t.fields.len())
        .filter(|&i| t.fields[i].is_primary)
        .collect();
    let before = t.fields.clone();
    for (i, f) in t.fields.iter_mut().enumerate() {
        f.is_primary = Some(i) == field;
    }
    if marked.len() <= 1 {
        return Ok(Edit::SetPrimaryField {
            table,
            field: marked.first().copied(),
        });
    }
    let restore = before
        .into_iter()
        .enumerate()
        .filter(|(i, f)| *f != t.fields[*i])
        .map(|(index, field)| {
            Edit::Unchecked(Box::new(Edit::ChangeField {
                table,
                index,
                field,
            }))
        })
        .collect();
    Ok(Edit::Batch(restore))
}
