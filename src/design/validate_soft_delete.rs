//! The `soft_delete` option: what a table needs for it (a key to name the row, row-level
//! security to hide deleted rows) and the names it takes (`deleted_at`, its policy).

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::field_types::FieldType;
use super::model::{Design, Table};
use super::names::{SOFT_DELETE_COLUMN, SOFT_DELETE_POLICY};

pub(super) fn check_soft_delete(design: &Design, out: &mut Vec<Diagnostic>) {
    for (ti, table) in design.tables.iter().enumerate() {
        if table.soft_delete {
            check_table(table, &index_path("tables", ti), out);
        }
    }
}

fn check_table(table: &Table, tpath: &str, out: &mut Vec<Diagnostic>) {
    let option = key_path(tpath, "soft_delete");
    if table.public_reference || !table.rls_enabled {
        out.push(
            Diagnostic::error(
                option.clone(),
                "soft delete needs row-level security turned on",
            )
            .suggest(
                "its policy hides the deleted rows, and this table has row-level security off \
                 (public reference data or rls_enabled: false): turn it on, or leave soft_delete off",
            ),
        );
    }
    let keyless = !table.system_fields && !table.fields.iter().any(|f| f.options.primary_key);
    if keyless {
        out.push(
            Diagnostic::error(
                option.clone(),
                "soft delete needs a key (a primary_key field)",
            )
            .suggest(
                "the trigger finds the row again by its key, and this table has no system fields: \
                 mark its key field primary_key",
            ),
        );
    }
    for (fi, field) in table.effective_fields() {
        if !field.has_db_name(SOFT_DELETE_COLUMN) {
            continue;
        }
        let path = key_path(&index_path(&key_path(tpath, "fields"), fi), "name");
        let other_type = if field.field_type == FieldType::DateTime {
            String::new()
        } else {
            format!(" (this field is a {} field)", field.field_type.name())
        };
        out.push(
            Diagnostic::error(
                path,
                format!(
                    "\"{SOFT_DELETE_COLUMN}\" is the column soft_delete adds (timestamptz, empty \
                     until the row is deleted){other_type}"
                ),
            )
            .suggest("remove this field (soft_delete makes the column) or rename it"),
        );
    }
    for (ci, column) in table.drop_columns.iter().enumerate() {
        if column == SOFT_DELETE_COLUMN {
            out.push(
                Diagnostic::error(
                    index_path(&key_path(tpath, "drop_columns"), ci),
                    format!(
                        "\"{SOFT_DELETE_COLUMN}\" holds which rows are deleted while soft_delete \
                         is on"
                    ),
                )
                .suggest("turn soft_delete off first"),
            );
        }
    }
    for (pi, policy) in table.rls_policies.iter().enumerate() {
        if policy.name == SOFT_DELETE_POLICY {
            out.push(
                Diagnostic::error(
                    key_path(&index_path(&key_path(tpath, "rls_policies"), pi), "name"),
                    format!("\"{SOFT_DELETE_POLICY}\" is the policy soft_delete creates"),
                )
                .suggest("give this policy another name"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::design::{Design, validate};

    fn errors(table: serde_json::Value) -> Vec<(String, String)> {
        let design: Design = serde_json::from_value(json!({"tables": [table]})).unwrap();
        validate(&design)
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| (d.path, d.message))
            .collect()
    }

    #[test]
    fn a_plain_table_takes_soft_delete() {
        let e = errors(json!({"name": "todos", "soft_delete": true, "fields": [
            {"name": "title", "type": "singleLineText"}
        ]}));
        assert!(e.is_empty(), "{e:?}");
    }

    /// A design index may use the column soft delete adds (a purge job's `deleted_at`);
    /// without soft delete there is no such column.
    #[test]
    fn deleted_at_is_indexable_with_soft_delete_only() {
        let table = |on: bool| {
            json!({"name": "todos", "soft_delete": on,
                   "fields": [{"name": "title", "type": "singleLineText"}],
                   "indexes": [{"columns": ["deleted_at DESC"]}]})
        };
        assert!(errors(table(true)).is_empty(), "{:?}", errors(table(true)));
        let off = errors(table(false));
        assert!(
            off.iter()
                .any(|(p, _)| p.starts_with("tables[0].indexes[0]")),
            "{off:?}"
        );
    }

    #[test]
    fn refusals_name_their_paths() {
        let e = errors(
            json!({"name": "todos", "soft_delete": true, "public_reference": true,
                "system_fields": false,
                "fields": [
                    {"name": "title", "type": "singleLineText"},
                    {"name": "deleted_at", "type": "checkbox"}
                ],
                "drop_columns": ["deleted_at"],
                "rls_policies": [{"name": "Hide soft-deleted rows", "operation": "SELECT"}]
            }),
        );
        let paths: Vec<&str> = e.iter().map(|(p, _)| p.as_str()).collect();
        for wanted in [
            "tables[0].soft_delete",
            "tables[0].fields[1].name",
            "tables[0].drop_columns[0]",
            "tables[0].rls_policies[0].name",
        ] {
            assert!(paths.contains(&wanted), "{wanted} missing from {e:#?}");
        }
        let on_option: Vec<&String> = e
            .iter()
            .filter(|(p, _)| p == "tables[0].soft_delete")
            .map(|(_, m)| m)
            .collect();
        assert_eq!(on_option.len(), 2, "{e:#?}");
        assert!(
            on_option
                .iter()
                .any(|m| m.contains("row-level security turned on"))
        );
        assert!(on_option.iter().any(|m| m.contains("a key")));
        let field = e
            .iter()
            .find(|(p, _)| p == "tables[0].fields[1].name")
            .unwrap();
        assert!(field.1.contains("checkbox"), "{field:?}");
    }
}
