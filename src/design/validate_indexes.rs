//! The rules of a table's `indexes`: keys that name real columns with a known order, a method
//! that suits them, a predicate the expression checker accepts, and names that fit and do not
//! clash with each other or with the indexes schemaforge makes by itself.

use std::collections::HashMap;

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::indexes::{
    SORT_ORDERS, designed_index_name, find_column, implicit_index_names, index_keys,
    indexable_columns, split_key,
};
use super::model::{Design, IndexMethod, TableIndex};
use super::name_text::check_visible;
use super::names::check_explicit;
use super::validate::check_sql_expression;

/// Checks every table's indexes; index names are checked across the design (PostgreSQL
/// keeps tables and indexes of a schema in one namespace).
pub(crate) fn check_indexes(design: &Design, out: &mut Vec<Diagnostic>) {
    if design.tables.iter().all(|t| t.indexes.is_empty()) {
        return;
    }
    let mut names: HashMap<String, String> = HashMap::new();
    for (ti, table) in design.tables.iter().enumerate() {
        names.insert(
            table.db_name().into_owned(),
            format!("the table tables[{ti}]"),
        );
    }
    for (name, what) in implicit_index_names(design) {
        names.entry(name).or_insert(what);
    }
    for (ti, table) in design.tables.iter().enumerate() {
        if table.indexes.is_empty() {
            continue;
        }
        let columns = indexable_columns(design, ti);
        let ipath = key_path(&index_path("tables", ti), "indexes");
        let mut definitions: Vec<(usize, String)> = Vec::new();
        for (xi, index) in table.indexes.iter().enumerate() {
            let path = index_path(&ipath, xi);
            check_one(index, &columns, &path, out);
            let Some(keys) = index_keys(&columns, index) else {
                continue;
            };
            let name = designed_index_name(table, &keys, index);
            let name_path = if index.name.is_some() {
                key_path(&path, "name")
            } else {
                key_path(&path, "columns")
            };
            if let Some(what) = names.get(&name) {
                let taken_by_implicit =
                    what.starts_with("the relationship") || what.starts_with("the system field");
                let mut d = Diagnostic::error(
                    &name_path,
                    format!("the index name \"{name}\" is already taken by {what}"),
                );
                d = if taken_by_implicit && index.name.is_none() {
                    d.suggest(format!(
                        "{what} is indexed already; remove this index, or give it a \"name\" if it differs"
                    ))
                } else {
                    d.suggest("give the index another \"name\"")
                };
                out.push(d);
            } else {
                names.insert(name, format!("{path} of table \"{}\"", table.name));
            }
            let definition = format!(
                "{:?} {} {} {:?}",
                keys,
                index.unique,
                index.method.name(),
                index.predicate.as_deref().map(str::trim)
            );
            if let Some((first, _)) = definitions.iter().find(|(_, d)| *d == definition) {
                out.push(Diagnostic::warning(
                    &path,
                    format!("the same index as {ipath}[{first}]; PostgreSQL would keep both up to date on every write"),
                ).suggest("remove one of them"));
            } else {
                definitions.push((xi, definition));
            }
        }
    }
}

fn check_one(
    index: &TableIndex,
    columns: &[super::indexes::IndexableColumn],
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let cpath = key_path(path, "columns");
    if index.columns.is_empty() {
        out.push(
            Diagnostic::error(&cpath, "an index needs at least one column")
                .suggest("e.g. \"columns\": [\"created_at DESC\"]"),
        );
    }
    let btree = index.method == IndexMethod::Btree;
    let mut seen: Vec<String> = Vec::new();
    for (ki, text) in index.columns.iter().enumerate() {
        let kpath = index_path(&cpath, ki);
        let is_column = |c: &str| find_column(columns, c).is_some();
        let key = split_key(text, &is_column);
        if key.column.is_empty() {
            out.push(Diagnostic::error(&kpath, "the column is empty"));
            continue;
        }
        let descending_or_nulls = match key.order {
            Ok((descending, nulls_first)) => descending || nulls_first,
            Err(bad) => {
                out.push(
                    Diagnostic::error(
                        &kpath,
                        format!(
                            "unknown sort order \"{bad}\"; a key is a column, optionally followed by ASC or DESC and NULLS FIRST or NULLS LAST"
                        ),
                    )
                    .did_you_mean(bad, SORT_ORDERS.iter().copied()),
                );
                false
            }
        };
        let Some(column) = find_column(columns, key.column) else {
            check_visible(&kpath, "the column", key.column, out);
            out.push(
                Diagnostic::error(
                    &kpath,
                    format!(
                        "\"{}\" is not a column of this table (its fields, system fields or relationship columns <name>_id)",
                        key.column
                    ),
                )
                .did_you_mean(
                    key.column,
                    columns
                        .iter()
                        .flat_map(|c| std::iter::once(c.db_name.as_str()).chain(c.field_name.as_deref())),
                ),
            );
            continue;
        };
        if seen.contains(&column.db_name) {
            out.push(Diagnostic::error(
                &kpath,
                format!("\"{}\" is in the index twice", column.db_name),
            ));
        }
        seen.push(column.db_name.clone());
        if descending_or_nulls && !btree {
            out.push(
                Diagnostic::error(
                    &kpath,
                    format!(
                        "a {} index keeps no sort order; only btree indexes do",
                        index.method.name()
                    ),
                )
                .suggest(format!("write just \"{}\"", key.column)),
            );
        }
        let unsuited = match index.method {
            IndexMethod::Gin => !column.suits_gin(),
            IndexMethod::Gist | IndexMethod::Spgist => !column.suits_gist(),
            _ => false,
        };
        if unsuited {
            let advice = if index.method == IndexMethod::Gin {
                "GIN indexes jsonb, arrays (multiSelect) and tsvector columns; use btree for this one"
            } else {
                "GiST and SP-GiST index geometric, range, network and tsvector columns; use btree for this one"
            };
            out.push(
                Diagnostic::error(
                    &kpath,
                    format!(
                        "a {} index does not suit \"{}\" ({})",
                        index.method.name(),
                        column.db_name,
                        column.sql_type
                    ),
                )
                .suggest(advice),
            );
        }
    }
    let mpath = key_path(path, "method");
    if index.unique && !btree {
        out.push(
            Diagnostic::error(
                &mpath,
                format!(
                    "a {} index cannot be unique; only btree indexes can",
                    index.method.name()
                ),
            )
            .suggest("use btree, or turn \"unique\" off"),
        );
    }
    if index.method == IndexMethod::Hash && index.columns.len() > 1 {
        out.push(
            Diagnostic::error(&mpath, "a hash index has exactly one column")
                .suggest("use btree for several columns"),
        );
    }
    if let Some(predicate) = &index.predicate {
        let wpath = key_path(path, "where");
        if predicate.trim().is_empty() {
            out.push(
                Diagnostic::error(&wpath, "the expression is empty")
                    .suggest("leave \"where\" out for an index over every row"),
            );
        } else {
            check_sql_expression(&wpath, predicate, out);
        }
    }
    if let Some(name) = &index.name {
        let npath = key_path(path, "name");
        if let Err(e) = check_explicit(name) {
            out.push(Diagnostic::error(
                &npath,
                e.to_string().replace("db_name", "the index name"),
            ));
        }
        check_visible(&npath, "the index name", name, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(indexes: serde_json::Value) -> Vec<String> {
        let design: Design = serde_json::from_value(json!({
            "tables": [
                {"name": "Projects", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
                {"name": "Todos", "fields": [
                    {"name": "title", "type": "singleLineText", "is_primary": true},
                    {"name": "Due date", "type": "date"},
                    {"name": "tags", "type": "multiSelect", "options": {"choices": ["a"]}},
                    {"name": "meta", "type": "json"}
                ], "indexes": indexes}
            ],
            "relationships": [{"table": "todos", "name": "project", "target": "projects"}]
        }))
        .unwrap();
        let mut out = Vec::new();
        check_indexes(&design, &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn good_indexes_pass() {
        let m = messages(json!([
            {"columns": ["created_at DESC"]},
            {"columns": ["Due date", "title"], "unique": true, "where": "due_date IS NOT NULL"},
            {"columns": ["project_id", "created_at DESC NULLS LAST"]},
            {"columns": ["tags"], "method": "gin"},
            {"columns": ["meta"], "method": "gin", "name": "todos_meta_gin"}
        ]));
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn every_problem_has_its_path() {
        let m = messages(json!([
            {"columns": []},
            {"columns": ["titel", "title DECS", "title"]},
            {"columns": ["title DESC"], "method": "gin", "unique": true},
            {"columns": ["due_date", "title"], "method": "hash"},
            {"columns": ["meta"], "where": "true; drop table x"},
            {"columns": ["meta"], "name": "x".repeat(64)},
            {"columns": ["project_id"]},
            {"columns": ["created_by"], "name": "projects"}
        ]));
        assert_eq!(
            m,
            [
                "tables[1].indexes[0].columns: an index needs at least one column — e.g. \"columns\": [\"created_at DESC\"]",
                "tables[1].indexes[1].columns[0]: \"titel\" is not a column of this table (its fields, system fields or relationship columns <name>_id) — did you mean \"title\"?",
                "tables[1].indexes[1].columns[1]: unknown sort order \"DECS\"; a key is a column, optionally followed by ASC or DESC and NULLS FIRST or NULLS LAST — did you mean \"DESC\"?",
                "tables[1].indexes[1].columns[2]: \"title\" is in the index twice",
                "tables[1].indexes[2].columns[0]: a gin index keeps no sort order; only btree indexes do — write just \"title\"",
                "tables[1].indexes[2].columns[0]: a gin index does not suit \"title\" (text) — GIN indexes jsonb, arrays (multiSelect) and tsvector columns; use btree for this one",
                "tables[1].indexes[2].method: a gin index cannot be unique; only btree indexes can — use btree, or turn \"unique\" off",
                "tables[1].indexes[3].method: a hash index has exactly one column — use btree for several columns",
                "tables[1].indexes[4].where: an expression cannot contain `;`",
                "tables[1].indexes[5].name: the index name is 64 bytes long; PostgreSQL would silently cut it to 63",
                "tables[1].indexes[6].columns: the index name \"idx_todos_project_id\" is already taken by the relationship \"project\" — the relationship \"project\" is indexed already; remove this index, or give it a \"name\" if it differs",
                "tables[1].indexes[7].name: the index name \"projects\" is already taken by the table tables[0] — give the index another \"name\"",
            ]
        );
    }

    #[test]
    fn duplicates_are_reported() {
        let m = messages(json!([
            {"columns": ["title"]},
            {"columns": ["title ASC"], "name": "other"},
            {"columns": ["title"]}
        ]));
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(
            m[0].starts_with(
                "tables[1].indexes[1]: warning: the same index as tables[1].indexes[0]"
            )
        );
        assert!(m[1].starts_with("tables[1].indexes[2].columns: the index name \"idx_todos_title\" is already taken by tables[1].indexes[0]"));
    }
}
