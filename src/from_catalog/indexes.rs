//! A live index as the design's `indexes` entry, when the design can say exactly what it is:
//! plain column keys with an order, unique or not, a method the design knows, a predicate.

use crate::catalog::index_shape::index_shape;
use crate::catalog::{Index, Table as LiveTable};
use crate::design::indexes::IndexKey;
use crate::design::names::index_name;
use crate::design::{IndexMethod, TableIndex};

/// The entry for `index`, or `None` (the caller notes it as left alone). An index whose name
/// is one schemaforge gives its own indexes (`created_by`'s, a relationship's) stays out too,
/// so the design never asks for a name twice.
pub(super) fn designed(
    live: &LiveTable,
    system_fields: bool,
    relationship_columns: &[String],
    index: &Index,
) -> Option<TableIndex> {
    if index.invalid {
        return None;
    }
    let shape = index_shape(&index.definition)?;
    let method = IndexMethod::from_name(&shape.method)?;
    if shape.keys.iter().any(|k| live.column(&k.column).is_none()) {
        return None;
    }
    if let Some(predicate) = &shape.predicate
        && crate::sql_tokens::check_expression(predicate).is_err()
    {
        return None;
    }
    let columns: Vec<&str> = shape.keys.iter().map(|k| k.column.as_str()).collect();
    let implicit = (system_fields && index.name == index_name(&live.name, &["created_by"]))
        || relationship_columns
            .iter()
            .any(|c| index.name == index_name(&live.name, &[c]));
    if implicit {
        return None;
    }
    let derived = index_name(&live.name, &columns);
    Some(TableIndex {
        columns: shape
            .keys
            .iter()
            .map(|k| {
                IndexKey {
                    column: k.column.clone(),
                    descending: k.descending,
                    nulls_first: k.nulls_first,
                }
                .design_text()
            })
            .collect(),
        unique: shape.unique,
        predicate: shape.predicate,
        method,
        name: (index.name != derived).then(|| index.name.clone()),
    })
}

/// Indexes validation refuses (a method that does not suit a column's type, a name another
/// object of the design has) leave the design again, with a note: the database keeps them.
pub(super) fn drop_refused(design: &mut crate::design::Design, notes: &mut Vec<String>) {
    let mut refused: Vec<(usize, usize, String)> = Vec::new();
    for d in crate::design::validate(design) {
        if !d.is_error() {
            continue;
        }
        let Some((ti, xi)) = index_of_path(&d.path) else {
            continue;
        };
        if !refused.iter().any(|(t, x, _)| (*t, *x) == (ti, xi)) {
            refused.push((ti, xi, d.message.clone()));
        }
    }
    refused.sort_by_key(|(t, x, _)| std::cmp::Reverse((*t, *x)));
    for (ti, xi, why) in refused {
        let table = &mut design.tables[ti];
        let index = table.indexes.remove(xi);
        notes.push(format!(
            "{}.{}: index on ({}) is not part of the design ({why}); left as it is",
            design.schema,
            table.db_name(),
            index.columns.join(", ")
        ));
    }
}

/// `tables[i].indexes[j]…` → `(i, j)`.
fn index_of_path(path: &str) -> Option<(usize, usize)> {
    let rest = path.strip_prefix("tables[")?;
    let (ti, rest) = rest.split_once(']')?;
    let rest = rest.strip_prefix(".indexes[")?;
    let (xi, _) = rest.split_once(']')?;
    Some((ti.parse().ok()?, xi.parse().ok()?))
}
