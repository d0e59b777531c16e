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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::catalog::{Catalog, Flavour};
    use crate::design;
    use crate::plan::{Plan, PlanSettings, StepKind, plan};

    fn planned(indexes: Value, catalog: &Catalog) -> Plan {
        let text = json!({"tables": [{"name": "todos", "fields": [
            {"name": "title", "type": "singleLineText", "is_primary": true},
            {"name": "tags", "type": "multiSelect", "options": {"choices": ["a"]}}
        ], "indexes": indexes}]})
        .to_string();
        let (parsed, _) = design::parse(&text).expect("parses");
        let resolved = design::resolve(&parsed).expect("resolves");
        plan(&resolved, catalog, &PlanSettings::default()).expect("plans")
    }

    /// The catalog a plan leaves (`Catalog::apply`) holds each index so that planning again
    /// finds it the same; a changed one is dropped and created again, never anything else.
    #[test]
    fn applied_indexes_replan_empty_and_a_changed_one_is_replaced() {
        let empty = Catalog {
            flavour: Flavour {
                supabase: true,
                ..Flavour::default()
            },
            ..Catalog::default()
        };
        let indexes = json!([
            {"columns": ["created_at DESC NULLS LAST", "title"]},
            {"columns": ["title"], "unique": true, "where": "title <> ''"},
            {"columns": ["tags"], "method": "gin"}
        ]);
        let first = planned(indexes.clone(), &empty);
        let sql: Vec<&str> = first
            .steps
            .iter()
            .filter(|s| s.kind == StepKind::CreateIndex && s.object.contains("idx_todos_"))
            .map(|s| s.sql.as_str())
            .collect();
        assert!(sql.contains(
            &"CREATE INDEX \"idx_todos_created_at_title\" ON \"public\".\"todos\" (\"created_at\" DESC NULLS LAST, \"title\")"
        ), "{sql:#?}");
        assert!(sql.contains(
            &"CREATE UNIQUE INDEX \"idx_todos_title\" ON \"public\".\"todos\" (\"title\") WHERE (title <> '')"
        ), "{sql:#?}");
        let catalog = empty.apply(&first.changes());
        assert!(planned(indexes.clone(), &catalog).is_empty());

        let mut changed = indexes;
        changed[2]["method"] = json!("btree");
        let again = planned(changed, &catalog);
        let kinds: Vec<(StepKind, &str)> = again
            .steps
            .iter()
            .filter(|s| s.kind != StepKind::Refresh)
            .map(|s| (s.kind, s.object.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (StepKind::DropIndex, "public.todos.idx_todos_tags"),
                (StepKind::CreateIndex, "public.todos.idx_todos_tags")
            ]
        );
        let said: Vec<&String> = again
            .notes
            .iter()
            .filter(|n| n.contains("idx_todos_tags"))
            .collect();
        assert_eq!(said.len(), 1, "{:?}", again.notes);
        assert!(said[0].contains("CONCURRENTLY"));
    }
}
