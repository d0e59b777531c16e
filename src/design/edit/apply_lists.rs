//! Edits of the design's lists other than tables and fields: relationships, policies,
//! samples, and moving an item within any list.

use super::apply_tables::{check_position, table_mut};
use super::{Edit, EditError, Names};
use crate::design::model::{Design, Policy, Relationship, Samples};

pub(super) fn move_item<T>(
    items: &mut Vec<T>,
    from: usize,
    to: usize,
    what: &'static str,
) -> Result<(), EditError> {
    let len = items.len();
    for index in [from, to] {
        if index >= len {
            return Err(EditError::OutOfRange { what, index, len });
        }
    }
    let item = items.remove(from);
    items.insert(to, item);
    Ok(())
}

/// Refuses a relationship with the same holding table and name as another (not `except`):
/// both would make the same column.
fn check_relationship(
    design: &Design,
    except: Option<usize>,
    relationship: &Relationship,
) -> Result<(), EditError> {
    let clash = design.relationships.iter().enumerate().any(|(i, r)| {
        Some(i) != except && r.table == relationship.table && r.name == relationship.name
    });
    if clash {
        return Err(EditError::DuplicateName {
            what: "relationship",
            name: format!("{}.{}", relationship.table, relationship.name),
        });
    }
    Ok(())
}

pub(super) fn add_relationship(
    design: &mut Design,
    index: usize,
    relationship: Relationship,
    names: Names,
) -> Result<Edit, EditError> {
    check_position(index, design.relationships.len(), "relationships")?;
    if names.checked() {
        check_relationship(design, None, &relationship)?;
    }
    design.relationships.insert(index, relationship);
    Ok(Edit::RemoveRelationship { index })
}

pub(super) fn change_relationship(
    design: &mut Design,
    index: usize,
    relationship: Relationship,
    names: Names,
) -> Result<Edit, EditError> {
    if index >= design.relationships.len() {
        return Err(EditError::NoRelationship(index));
    }
    if names.checked() {
        check_relationship(design, Some(index), &relationship)?;
    }
    let old = std::mem::replace(&mut design.relationships[index], relationship);
    Ok(Edit::ChangeRelationship {
        index,
        relationship: old,
    })
}

fn check_policy(
    policies: &[Policy],
    except: Option<usize>,
    policy: &Policy,
) -> Result<(), EditError> {
    if policies
        .iter()
        .enumerate()
        .any(|(i, p)| Some(i) != except && p.name == policy.name)
    {
        return Err(EditError::DuplicateName {
            what: "policy",
            name: policy.name.clone(),
        });
    }
    Ok(())
}

pub(super) fn add_policy(
    design: &mut Design,
    table: usize,
    index: usize,
    policy: Policy,
    names: Names,
) -> Result<Edit, EditError> {
    let t = table_mut(design, table)?;
    check_position(index, t.rls_policies.len(), "policies")?;
    if names.checked() {
        check_policy(&t.rls_policies, None, &policy)?;
    }
    t.rls_policies.insert(index, policy);
    Ok(Edit::RemovePolicy { table, index })
}

pub(super) fn change_policy(
    design: &mut Design,
    table: usize,
    index: usize,
    policy: Policy,
    names: Names,
) -> Result<Edit, EditError> {
    let t = table_mut(design, table)?;
    if index >= t.rls_policies.len() {
        return Err(EditError::NoPolicy { table, index });
    }
    if names.checked() {
        check_policy(&t.rls_policies, Some(index), &policy)?;
    }
    let old = std::mem::replace(&mut t.rls_policies[index], policy);
    Ok(Edit::ChangePolicy {
        table,
        index,
        policy: old,
    })
}

pub(super) fn set_samples(
    design: &mut Design,
    key: String,
    samples: Option<Samples>,
    position: Option<usize>,
) -> Result<Edit, EditError> {
    let existing = design.samples.get_index_of(&key);
    match (existing, samples) {
        (Some(at), None) => {
            let (_, old) = design
                .samples
                .shift_remove_index(at)
                .expect("index just found");
            Ok(Edit::SetSamples {
                key,
                samples: Some(old),
                position: Some(at),
            })
        }
        (Some(at), Some(new)) => {
            let old = std::mem::replace(&mut design.samples[at], new);
            Ok(Edit::SetSamples {
                key,
                samples: Some(old),
                position: None,
            })
        }
        (None, None) => Ok(Edit::SetSamples {
            key,
            samples: None,
            position: None,
        }),
        (None, Some(new)) => {
            let len = design.samples.len();
            let at = position.unwrap_or(len);
            check_position(at, len, "samples")?;
            design.samples.shift_insert(at, key.clone(), new);
            Ok(Edit::SetSamples {
                key,
                samples: None,
                position: None,
            })
        }
    }
}
