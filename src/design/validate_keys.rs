//! Tables that bring their own key (`system_fields: false`) and raw-type fields: what a
//! design opened from the database needs, checked so the planner never meets a key it cannot
//! create or a type it would paste into DDL unchecked.

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::field_types::FieldType;
use super::model::{Design, Field};

/// Checks keys, raw types and what a table without system fields cannot have.
pub(crate) fn check_keys(design: &Design, out: &mut Vec<Diagnostic>) {
    for (ti, table) in design.tables.iter().enumerate() {
        let tpath = index_path("tables", ti);
        for (fi, field) in table.fields.iter().enumerate() {
            let fpath = index_path(&key_path(&tpath, "fields"), fi);
            check_raw(field, &fpath, out);
            if field.options.primary_key && table.system_fields {
                out.push(
                    Diagnostic::error(
                        key_path(&key_path(&fpath, "options"), "primary_key"),
                        "this table's primary key is the system field \"id\"",
                    )
                    .suggest(
                        "set \"system_fields\": false on the table to give it a key of its own",
                    ),
                );
            }
        }
    }
    for (ri, rel) in design.relationships.iter().enumerate() {
        if !rel.allow_multiple {
            continue;
        }
        for end in [&rel.table, &rel.target] {
            if let Some(ti) = design.find_table(end)
                && !design.tables[ti].system_fields
            {
                out.push(Diagnostic::error(
                    key_path(&index_path("relationships", ri), "allow_multiple"),
                    format!(
                        "\"{end}\" has no system fields; a many-to-many linking table references \
                         the system \"id\" of both tables"
                    ),
                ));
            }
        }
    }
    for key in design.samples.keys() {
        let Some(ti) = design.find_table(key) else {
            continue;
        };
        let unknown = design.tables[ti].fields.iter().find(|f| {
            f.field_type == FieldType::Raw
                && f.options.required
                && f.options.default.is_none()
                && f.options.identity.is_none()
        });
        if let Some(field) = unknown {
            out.push(Diagnostic::error(
                key_path("samples", key),
                format!(
                    "\"{key}\" has the required raw field \"{}\" without a default; sample \
                     values cannot be made up for a raw type",
                    field.name
                ),
            ));
        }
        if !design.tables[ti].system_fields {
            out.push(Diagnostic::error(
                key_path("samples", key),
                format!(
                    "\"{key}\" has no system fields; sample rows are generated with the system \
                     \"id\" as their key"
                ),
            ));
        }
    }
}

fn check_raw(field: &Field, path: &str, out: &mut Vec<Diagnostic>) {
    if field.field_type != FieldType::Raw {
        return;
    }
    let at = key_path(&key_path(path, "options"), "sql_type");
    match &field.options.sql_type {
        None => out.push(
            Diagnostic::error(at, "a raw field needs its PostgreSQL type")
                .suggest("e.g. \"sql_type\": \"bigint\""),
        ),
        Some(t) if !is_type_name(t) => out.push(Diagnostic::error(
            at,
            format!(
                "{t:?} is not a type name: letters, digits, _ $ . , ( ) [ ] spaces and \
                 double-quoted names only"
            ),
        )),
        Some(_) => {}
    }
    if field.options.identity.is_some() && field.options.default.is_some() {
        out.push(Diagnostic::error(
            key_path(&key_path(path, "options"), "default"),
            "an identity column makes its own values; it cannot also have a default",
        ));
    }
}

/// A type as `format_type` prints it: names, dots, modifiers in parentheses, array brackets,
/// double-quoted names; nothing that could end or extend the statement it is written into.
pub fn is_type_name(text: &str) -> bool {
    let mut in_quotes = false;
    let mut depth = 0i32;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            c if c.is_alphanumeric() || "_$., []".contains(c) => {}
            _ => return false,
        }
    }
    !in_quotes && depth == 0 && !text.trim().is_empty() && !text.starts_with(' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(design: serde_json::Value) -> Vec<String> {
        let design: Design = serde_json::from_value(design).unwrap();
        let mut out = Vec::new();
        check_keys(&design, &mut out);
        out.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn type_names_are_checked() {
        for good in [
            "bigint",
            "character varying(20)",
            "public.mood",
            "numeric(10,2)[]",
            "public.\"My Type\"",
            "timestamp(3) with time zone",
        ] {
            assert!(is_type_name(good), "{good}");
        }
        for bad in [
            "",
            "int; drop table x",
            "text -- x",
            "(int",
            "\"open",
            "int)",
        ] {
            assert!(!is_type_name(bad), "{bad}");
        }
    }

    #[test]
    fn raw_fields_need_a_type_and_keys_need_no_system_fields() {
        let e = errors(json!({"tables": [{"name": "t", "fields": [
            {"name": "a", "type": "raw"},
            {"name": "b", "type": "raw", "options": {"sql_type": "int;", "primary_key": true}},
            {"name": "c", "type": "raw", "options": {"sql_type": "int", "identity": "ALWAYS", "default": 1}}
        ]}]}));
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains("needs its PostgreSQL type"));
        assert!(e[1].contains("not a type name"));
        assert!(e[2].contains("system field \"id\""));
        assert!(e[3].contains("identity column"));
        let ok = errors(
            json!({"tables": [{"name": "t", "system_fields": false, "fields": [
                {"name": "id", "type": "raw", "options": {"sql_type": "bigint", "primary_key": true}}
            ]}]}),
        );
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn tables_without_system_fields_have_no_samples_or_linking_tables() {
        let e = errors(json!({
            "tables": [
                {"name": "a", "system_fields": false, "fields": []},
                {"name": "b", "fields": []}
            ],
            "relationships": [{"table": "b", "name": "x", "target": "a", "allow_multiple": true}],
            "samples": {"a": 3}
        }));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("relationships[0].allow_multiple"));
        assert!(e[1].starts_with("samples.a"));
    }

    #[test]
    fn an_identity_column_is_not_a_raw_field_samples_cannot_fill() {
        let fields = |identity: bool| {
            let mut options = json!({"sql_type": "bigint", "required": true});
            if identity {
                options["identity"] = json!("ALWAYS");
            }
            json!({"tables": [{"name": "t", "fields": [
                {"name": "n", "type": "raw", "options": options}
            ]}], "samples": {"t": 3}})
        };
        assert!(
            errors(fields(true)).is_empty(),
            "{:?}",
            errors(fields(true))
        );
        let e = errors(fields(false));
        assert!(e.iter().any(|m| m.contains("cannot be made up")), "{e:?}");
    }
}
