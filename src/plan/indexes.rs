//! The designed indexes: created when missing, left alone when the live index of that name
//! says the same thing, dropped and created again when its definition changed.

use crate::catalog::change::{Change, IndexOptions};
use crate::catalog::index_shape::{IndexShape, index_shape};
use crate::design::{IndexMethod, ResolvedIndex};

use super::printed::same_printed_in;
use super::{Planner, Section, Step};

pub(super) fn plan_indexes(p: &mut Planner) {
    for table in &p.design.tables {
        let live = p.live(&table.db_name);
        for index in &table.indexes {
            let object = format!("{}.{}", p.object(&table.db_name), index.name);
            let existing = live.and_then(|l| l.index(&index.name));
            let create = Change::CreateIndex {
                table: p.qn(&table.db_name),
                name: index.name.clone(),
                columns: index.keys.iter().map(|k| k.column.clone()).collect(),
                options: options(index),
            };
            match existing {
                None => p.push(Step::new(Section::Indexes, object, create)),
                Some(have) if same_index(p, index, &have.definition) => {}
                Some(have) => {
                    p.note(format!(
                        "{object}: the index's definition changed (the database has: {}); it is \
                         dropped and created again inside the plan's transaction — CREATE INDEX \
                         CONCURRENTLY cannot run inside a transaction, so writes to the table wait \
                         while the index is built",
                        have.definition
                    ));
                    let drop = Change::DropIndex {
                        table: p.qn(&table.db_name),
                        name: index.name.clone(),
                    };
                    p.push(Step::new(Section::Indexes, object.clone(), drop).replacing());
                    p.push(Step::new(Section::Indexes, object, create));
                }
            }
        }
    }
}

fn options(index: &ResolvedIndex) -> IndexOptions {
    IndexOptions {
        unique: index.unique,
        method: (index.method != IndexMethod::Btree).then(|| index.method.name().to_owned()),
        orders: if index.keys.iter().any(|k| k.has_order()) {
            index
                .keys
                .iter()
                .map(|k| (k.descending, k.nulls_first))
                .collect()
        } else {
            Vec::new()
        },
        predicate: index.predicate.clone(),
    }
}

/// Whether the live definition is the designed index: same uniqueness, method, keys in order
/// with their order, and predicate (compared as the server prints expressions).
fn same_index(p: &Planner, index: &ResolvedIndex, definition: &str) -> bool {
    let Some(IndexShape {
        unique,
        method,
        keys,
        predicate,
    }) = index_shape(definition)
    else {
        return false;
    };
    let same_keys = keys.len() == index.keys.len()
        && keys.iter().zip(&index.keys).all(|(have, want)| {
            have.column == want.column
                && have.descending == want.descending
                && have.nulls_first == want.nulls_first
        });
    let same_predicate = match (&predicate, &index.predicate) {
        (None, None) => true,
        (Some(have), Some(want)) => same_printed_in(&p.catalog.normalised, have, want),
        _ => false,
    };
    unique == index.unique && method == index.method.name() && same_keys && same_predicate
}
