//! The semantic rules of a design (SPEC.md "Design file", "System fields and modelling
//! rules"): names and their uniqueness after derivation, primary fields, system fields,
//! policies. Relationships, computed fields and samples are in `validate_refs`.
//!
//! Validation never stops at the first problem: it returns every diagnostic, errors and
//! warnings, in document order.

use std::collections::HashMap;

use super::diagnostics::{Diagnostic, Level, index_path, key_path};
use super::field_types::{Storage, is_system_field};
use super::managed_schemas::is_managed_schema;
use super::model::{Design, Operation, Policy, Table};
use super::name_text::check_visible;
use super::names::{MAX_IDENT_BYTES, check_explicit};
use super::validate_options::check_options;
use super::{validate_refs, validate_samples};

/// Validates a design. Relationship targets that are neither designed tables nor written
/// `schema.table` are errors; use [`validate_with_known_tables`] to accept live tables.
pub fn validate(design: &Design) -> Vec<Diagnostic> {
    validate_with_known_tables(design, &|_, _| false)
}

/// Validates a design, asking `known(schema, table)` about relationship targets that are not
/// in the design — the planner passes a closure over the live catalog.
pub fn validate_with_known_tables(
    design: &Design,
    known: &dyn Fn(&str, &str) -> bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_schema(&design.schema, &mut out);
    check_tables(design, &mut out);
    super::validate_keys::check_keys(design, &mut out);
    validate_refs::check_relationships(design, known, &mut out);
    super::validate_indexes::check_indexes(design, &mut out);
    validate_refs::check_computed_fields(design, &mut out);
    validate_samples::check_samples(design, &mut out);
    super::validate_audit::check_audit(design, &mut out);
    super::validate_soft_delete::check_soft_delete(design, &mut out);
    super::validate_buckets::check_buckets(design, &mut out);
    super::validate_materialized_views::check_materialized_views(design, &mut out);
    out
}

/// The design's schema: a valid name, visible, and not one the platform owns (everything a
/// design creates, alters or drops lands in it, so this one check keeps tables, linking
/// tables, views, triggers, drops and sample rows out of `auth`, `pg_catalog`, …).
fn check_schema(schema: &str, out: &mut Vec<Diagnostic>) {
    if let Err(e) = check_explicit(schema) {
        out.push(Diagnostic::error(
            "schema",
            e.to_string().replace("db_name", "schema"),
        ));
    }
    check_visible("schema", "the schema", schema, out);
    if schema.trim() != schema {
        out.push(
            Diagnostic::error(
                "schema",
                format!("schema \"{schema}\" has spaces around it; schema names are exact"),
            )
            .suggest(format!("write \"{}\"", schema.trim())),
        );
    }
    if is_managed_schema(schema) {
        out.push(managed_schema_error("schema", schema));
    }
}

/// The error for a design that would change a schema the platform manages.
pub(crate) fn managed_schema_error(path: &str, schema: &str) -> Diagnostic {
    Diagnostic::error(
        path,
        format!(
            "\"{schema}\" is managed by Supabase or PostgreSQL; a design may refer to its tables (e.g. a relationship with target \"auth.users\") but never create, alter or drop anything in it"
        ),
    )
    .suggest("design your tables in \"public\" or a schema of your own")
}

/// The rules that look at one table at a time (names, fields, options, policies, drops) and
/// the schema, without following references between tables: what can still be checked while
/// other parts of the file are broken (see `load`).
pub(crate) fn validate_local(design: &Design) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_schema(&design.schema, &mut out);
    check_tables(design, &mut out);
    out
}

/// Where a name came from, for "collides with" messages: the path that names it, and the
/// path of the thing it names.
fn name_path(item: &str, explicit: bool) -> String {
    key_path(item, if explicit { "db_name" } else { "name" })
}

fn check_tables(design: &Design, out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_db_name: HashMap<String, usize> = HashMap::new();
    for (ti, table) in design.tables.iter().enumerate() {
        let tpath = index_path("tables", ti);
        if table.name.trim().is_empty() {
            out.push(Diagnostic::error(
                key_path(&tpath, "name"),
                "a table needs a name",
            ));
        }
        if let Some(explicit) = &table.db_name
            && let Err(e) = check_explicit(explicit)
        {
            out.push(Diagnostic::error(
                key_path(&tpath, "db_name"),
                e.to_string(),
            ));
        }
        check_visible(
            &key_path(&tpath, "name"),
            "the table name",
            &table.name,
            out,
        );
        if let Some(explicit) = &table.db_name {
            check_visible(&key_path(&tpath, "db_name"), "the db_name", explicit, out);
        }
        if let Some(&first) = by_name.get(table.name.as_str()) {
            out.push(Diagnostic::error(
                key_path(&tpath, "name"),
                format!(
                    "duplicate table name \"{}\" (also tables[{first}])",
                    table.name
                ),
            ));
        } else {
            by_name.insert(&table.name, ti);
        }
        let db_name = table.db_name().into_owned();
        if let Some(&first) = by_db_name.get(&db_name) {
            let other = &design.tables[first];
            out.push(Diagnostic::error(
                name_path(&tpath, table.db_name.is_some()),
                format!(
                    "table db_name \"{db_name}\" collides with {} (\"{}\")",
                    name_path(&index_path("tables", first), other.db_name.is_some()),
                    other.name
                ),
            ));
        } else {
            by_db_name.insert(db_name.clone(), ti);
        }
        if !keyed_by_auth_user(design, ti) {
            check_auth_shadow(&db_name, &tpath, out);
        }
        check_reserved("table", &db_name, &tpath, out);
        if !table.rls_enabled && !table.public_reference {
            out.push(
                Diagnostic::warning(
                    key_path(&tpath, "rls_enabled"),
                    format!(
                        "row-level security is off on \"{db_name}\", which is not marked public reference data"
                    ),
                )
                .suggest("turn rls_enabled on, or set \"public_reference\": true if everyone may read it"),
            );
        }
        check_fields(table, &tpath, out);
        check_policies(table, &tpath, out);
        check_drops(design, ti, table, &tpath, out);
    }
}

/// A drop must not contradict the rest of the design: no system field, no column the design
/// still defines, nothing twice.
fn check_drops(design: &Design, ti: usize, table: &Table, tpath: &str, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for (i, column) in table.drop_columns.iter().enumerate() {
        let path = format!("{}[{i}]", key_path(tpath, "drop_columns"));
        check_visible(&path, "the column", column, out);
        if super::field_types::is_system_field(column) {
            out.push(Diagnostic::error(
                path,
                format!("\"{column}\" is a system field; it cannot be dropped"),
            ));
        } else if table.fields.iter().any(|f| f.db_name() == column.as_str()) {
            out.push(Diagnostic::error(
                path,
                format!("\"{column}\" is also a field of this table; remove the field or the drop"),
            ));
        } else if design
            .relationships_of(ti)
            .any(|(_, r)| super::names::relationship_column(&r.name) == column.as_str())
        {
            out.push(Diagnostic::error(
                path,
                format!(
                    "\"{column}\" is the column of one of this table's relationships; remove the relationship or the drop"
                ),
            ));
        } else if !seen.insert(column.as_str()) {
            out.push(Diagnostic::error(
                path,
                format!("\"{column}\" is dropped twice"),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, policy) in table.drop_policies.iter().enumerate() {
        let path = format!("{}[{i}]", key_path(tpath, "drop_policies"));
        check_visible(&path, "the policy", policy, out);
        if !seen.insert(policy.as_str()) {
            out.push(Diagnostic::error(
                path,
                format!("policy \"{policy}\" is dropped twice"),
            ));
        }
    }
}

/// A name that is an SQL reserved word works (it is always quoted) but must be quoted in
/// every hand-written query too.
fn check_reserved(what: &str, db_name: &str, path: &str, out: &mut Vec<Diagnostic>) {
    if super::reserved_words::is_reserved(db_name) {
        out.push(
            Diagnostic::warning(
                path,
                format!("the {what} name \"{db_name}\" is an SQL reserved word: every hand-written query must quote it"),
            )
            .suggest(format!("a plural or a longer name, e.g. \"{db_name}s\"")),
        );
    }
}

/// Whether the design gives table `ti` a one-to-one relationship to `auth.users`: one row per
/// user, Supabase's documented way to keep per-user data, not a copy of `auth.users`.
fn keyed_by_auth_user(design: &Design, ti: usize) -> bool {
    design.relationships.iter().any(|r| {
        r.one_to_one
            && !r.allow_multiple
            && r.target.trim() == "auth.users"
            && design.find_table(&r.table) == Some(ti)
    })
}

/// Whether `d` is the warning that a table duplicates one of Supabase's auth tables (the
/// analysis drops it for a live table keyed by `auth.users(id)`).
pub fn is_auth_shadow_warning(d: &Diagnostic) -> bool {
    d.level == Level::Warning && d.message.contains(AUTH_SHADOW)
}

const AUTH_SHADOW: &str = "already provides";

/// SPEC.md: `users`, `profiles`, `sessions` beside Supabase's auth tables. A pure check: a
/// table the design relates one-to-one to `auth.users` is not warned about, and the
/// analysis, which knows the catalog, drops it for a live table keyed by `auth.users(id)`.
fn check_auth_shadow(db_name: &str, tpath: &str, out: &mut Vec<Diagnostic>) {
    let (auth, advice) = match db_name {
        "users" => (
            "auth.users",
            "refer to auth.users (e.g. a relationship with target \"auth.users\"); created_by already does",
        ),
        "profiles" => (
            "auth.users",
            "if you need per-user data, keep it small and key it by auth.users(id)",
        ),
        "sessions" => (
            "auth.sessions",
            "sessions are managed by auth; refer to auth.sessions instead",
        ),
        _ => return,
    };
    out.push(
        Diagnostic::warning(
            tpath,
            format!("a \"{db_name}\" table duplicates what {auth} {AUTH_SHADOW}"),
        )
        .suggest(advice),
    );
}

fn check_fields(table: &Table, tpath: &str, out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_db_name: HashMap<String, usize> = HashMap::new();
    let mut primaries: Vec<usize> = Vec::new();
    for (fi, field) in table.fields.iter().enumerate() {
        let fpath = index_path(&key_path(tpath, "fields"), fi);
        if field.name.trim().is_empty() {
            out.push(Diagnostic::error(
                key_path(&fpath, "name"),
                "a field needs a name",
            ));
        }
        if let Some(explicit) = &field.db_name
            && let Err(e) = check_explicit(explicit)
        {
            out.push(Diagnostic::error(
                key_path(&fpath, "db_name"),
                e.to_string(),
            ));
        }
        check_visible(
            &key_path(&fpath, "name"),
            "the field name",
            &field.name,
            out,
        );
        if let Some(explicit) = &field.db_name {
            check_visible(&key_path(&fpath, "db_name"), "the db_name", explicit, out);
        }
        let db_name = field.db_name().into_owned();
        check_reserved("column", &db_name, &fpath, out);
        if table.system_fields && is_system_field(&db_name) {
            out.push(
                Diagnostic::warning(
                    &fpath,
                    format!(
                        "\"{db_name}\" is a system field every table gets; this field is dropped"
                    ),
                )
                .suggest("remove it from the design"),
            );
            continue;
        }
        if let Some(&first) = by_name.get(field.name.as_str()) {
            out.push(Diagnostic::error(
                key_path(&fpath, "name"),
                format!(
                    "duplicate field name \"{}\" (also {tpath}.fields[{first}])",
                    field.name
                ),
            ));
        } else {
            by_name.insert(&field.name, fi);
        }
        if let Some(&first) = by_db_name.get(&db_name) {
            let other = &table.fields[first];
            out.push(Diagnostic::error(
                name_path(&fpath, field.db_name.is_some()),
                format!(
                    "field \"{}\" has the column name \"{db_name}\", which collides with {} (\"{}\")",
                    field.name,
                    name_path(
                        &index_path(&key_path(tpath, "fields"), first),
                        other.db_name.is_some()
                    ),
                    other.name
                ),
            ));
        } else {
            by_db_name.insert(db_name, fi);
        }
        check_options(field, &fpath, out);
        if field.is_primary {
            if field.field_type.storage() == Storage::View
                || field.field_type.storage() == Storage::NoColumn
            {
                out.push(Diagnostic::error(
                    key_path(&fpath, "is_primary"),
                    format!(
                        "a {} field cannot be the primary field: it has no column in the table",
                        field.field_type
                    ),
                ));
            }
            primaries.push(fi);
        }
    }
    let fields_path = key_path(tpath, "fields");
    match primaries.as_slice() {
        [] => match table.implicit_primary_field() {
            Some((i, f)) => out.push(
                Diagnostic::warning(
                    tpath,
                    format!(
                        "no primary field is marked; using \"{}\" ({fields_path}[{i}]), the first text field",
                        f.name
                    ),
                )
                .suggest("mark one field with \"is_primary\": true"),
            ),
            None => out.push(
                Diagnostic::warning(tpath, "no primary field is marked and there is no text field to use")
                    .suggest("add a text field and mark it with \"is_primary\": true"),
            ),
        },
        [_] => {}
        [first, rest @ ..] => {
            for i in rest {
                out.push(
                    Diagnostic::error(
                        key_path(&index_path(&fields_path, *i), "is_primary"),
                        format!("more than one primary field (also {fields_path}[{first}])"),
                    )
                    .suggest("a table has exactly one primary field"),
                );
            }
        }
    }
}

fn check_policies(table: &Table, tpath: &str, out: &mut Vec<Diagnostic>) {
    let ppath = key_path(tpath, "rls_policies");
    if !table.rls_enabled && !table.rls_policies.is_empty() {
        out.push(Diagnostic::warning(
            &ppath,
            "policies have no effect while rls_enabled is false",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (pi, policy) in table.rls_policies.iter().enumerate() {
        let path = index_path(&ppath, pi);
        check_policy(policy, &path, out);
        if let Some(&first) = seen.get(policy.name.as_str()) {
            out.push(Diagnostic::error(
                key_path(&path, "name"),
                format!(
                    "duplicate policy name \"{}\" (also {ppath}[{first}])",
                    policy.name
                ),
            ));
        } else {
            seen.insert(&policy.name, pi);
        }
    }
}

pub(crate) fn check_policy(policy: &Policy, path: &str, out: &mut Vec<Diagnostic>) {
    let name_path = key_path(path, "name");
    if policy.name.trim().is_empty() {
        out.push(Diagnostic::error(&name_path, "a policy needs a name"));
    } else if policy.name.len() > MAX_IDENT_BYTES {
        out.push(Diagnostic::error(
            &name_path,
            format!(
                "policy name is {} bytes long; PostgreSQL would silently cut it to {MAX_IDENT_BYTES}",
                policy.name.len()
            ),
        ));
    }
    check_visible(&name_path, "the policy name", &policy.name, out);
    let using_path = key_path(path, "using_expression");
    let check_path = key_path(path, "with_check_expression");
    for (expr, p) in [
        (&policy.using_expression, &using_path),
        (&policy.with_check_expression, &check_path),
    ] {
        match expr.as_deref() {
            Some(e) if e.trim().is_empty() => {
                out.push(Diagnostic::error(p, "the expression is empty"))
            }
            Some(e) => check_sql_expression(p, e, out),
            None => {}
        }
    }
    match policy.operation {
        Operation::Insert if policy.using_expression.is_some() => out.push(
            Diagnostic::error(
                &using_path,
                "an INSERT policy takes only a WITH CHECK expression, not USING",
            )
            .suggest("move the expression to \"with_check_expression\""),
        ),
        Operation::Select | Operation::Delete if policy.with_check_expression.is_some() => out
            .push(
                Diagnostic::error(
                    &check_path,
                    format!(
                        "a {} policy takes only a USING expression, not WITH CHECK",
                        policy.operation.name()
                    ),
                )
                .suggest("move the expression to \"using_expression\""),
            ),
        _ => {}
    }
    if policy.using_expression.is_none() && policy.with_check_expression.is_none() {
        out.push(Diagnostic::warning(
            path,
            "the policy has neither a using_expression nor a with_check_expression",
        ));
    }
    let roles_path = key_path(path, "roles");
    if policy.roles.is_empty() {
        out.push(
            Diagnostic::error(&roles_path, "a policy needs at least one role")
                .suggest("leave \"roles\" out for the default [\"authenticated\"]"),
        );
    }
    check_roles(&policy.roles, &roles_path, out);
}

/// Role names as a policy or the audit readers list them: exact, visible, listed once.
pub(crate) fn check_roles(roles: &[String], roles_path: &str, out: &mut Vec<Diagnostic>) {
    for (ri, role) in roles.iter().enumerate() {
        let role_path = index_path(roles_path, ri);
        if role.trim().is_empty() {
            out.push(Diagnostic::error(
                role_path,
                "a role name must not be empty",
            ));
        } else if role.len() > MAX_IDENT_BYTES {
            out.push(Diagnostic::error(
                role_path,
                format!(
                    "role name is {} bytes long; PostgreSQL would silently cut it to {MAX_IDENT_BYTES}",
                    role.len()
                ),
            ));
        } else if role.trim() != role {
            out.push(
                Diagnostic::error(
                    role_path,
                    format!("role \"{role}\" has spaces around it; role names are exact"),
                )
                .suggest(format!("write \"{}\"", role.trim())),
            );
        } else {
            check_visible(&role_path, "the role", role, out);
        }
        if roles[..ri].contains(role) {
            out.push(Diagnostic::error(
                index_path(roles_path, ri),
                format!("role \"{role}\" is listed twice"),
            ));
        }
    }
}

/// A piece of the user's SQL (policy expression, formula, default) must be one expression
/// that cannot end, comment out or break out of the statement it is put into; the server
/// must never be the first to notice.
pub(crate) fn check_sql_expression(path: &str, text: &str, out: &mut Vec<Diagnostic>) {
    if let Err(message) = crate::sql_tokens::check_expression(text) {
        out.push(Diagnostic::error(path, message.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(design: serde_json::Value) -> Vec<String> {
        let design: Design = serde_json::from_value(design).unwrap();
        validate(&design).iter().map(ToString::to_string).collect()
    }

    fn title() -> serde_json::Value {
        json!({"name": "title", "type": "singleLineText", "is_primary": true})
    }

    #[test]
    fn derived_names_collide() {
        let m = messages(json!({"tables": [{"name": "T", "fields": [
            title(),
            {"name": "Due date", "type": "date"},
            {"name": "due_date", "type": "date"}
        ]}]}));
        assert_eq!(
            m,
            [
                "tables[0].fields[2].name: field \"due_date\" has the column name \"due_date\", which collides with tables[0].fields[1].name (\"Due date\")"
            ]
        );
        let m = messages(json!({"tables": [
            {"name": "Order Items", "fields": [title()]},
            {"name": "x", "db_name": "order_items", "fields": [title()]}
        ]}));
        assert_eq!(
            m,
            [
                "tables[1].db_name: table db_name \"order_items\" collides with tables[0].name (\"Order Items\")"
            ]
        );
    }

    #[test]
    fn duplicate_names_and_primaries() {
        let m = messages(json!({"tables": [
            {"name": "T", "fields": [title(), {"name": "title", "type": "longText", "db_name": "t2", "is_primary": true}]},
            {"name": "T", "db_name": "t_b", "fields": [{"name": "n", "type": "number"}]}
        ]}));
        assert_eq!(
            m,
            [
                "tables[0].fields[1].name: duplicate field name \"title\" (also tables[0].fields[0])",
                "tables[0].fields[1].is_primary: more than one primary field (also tables[0].fields[0]) — a table has exactly one primary field",
                "tables[1].name: duplicate table name \"T\" (also tables[0])",
                "tables[1]: warning: no primary field is marked and there is no text field to use — add a text field and mark it with \"is_primary\": true",
            ]
        );
    }

    #[test]
    fn system_fields_are_dropped_and_primary_is_implicit() {
        let m = messages(json!({"tables": [{"name": "T", "fields": [
            {"name": "Created At", "type": "dateTime"},
            {"name": "n", "type": "number"},
            {"name": "label", "type": "singleLineText"}
        ]}]}));
        assert_eq!(
            m,
            [
                "tables[0].fields[0]: warning: \"created_at\" is a system field every table gets; this field is dropped — remove it from the design",
                "tables[0]: warning: no primary field is marked; using \"label\" (tables[0].fields[2]), the first text field — mark one field with \"is_primary\": true",
            ]
        );
    }

    #[test]
    fn a_profiles_table_one_to_one_with_auth_users_is_no_duplicate() {
        let shadow = |m: &[String]| m.iter().any(|m| m.contains("duplicates what auth.users"));
        // Supabase's pattern: one profile per user, tied to auth.users.
        let keyed = messages(json!({
            "tables": [{"name": "Profiles", "fields": [title()]}],
            "relationships": [{"table": "profiles", "name": "user", "target": "auth.users",
                               "one_to_one": true, "required": true, "cascade_delete": true}]
        }));
        assert!(!shadow(&keyed), "{keyed:?}");
        // A copy of the users with their own email and password, and no link: a duplicate.
        let copy = messages(json!({"tables": [{"name": "Profiles", "fields": [
            {"name": "email", "type": "email", "is_primary": true},
            {"name": "password", "type": "singleLineText"}
        ]}]}));
        assert!(shadow(&copy), "{copy:?}");
        // Many rows per user is not what keys a table by the user either.
        let many = messages(json!({
            "tables": [{"name": "Users", "fields": [title()]}],
            "relationships": [{"table": "users", "name": "account", "target": "auth.users"}]
        }));
        assert!(shadow(&many), "{many:?}");
    }

    #[test]
    fn auth_tables_and_rls_warnings() {
        let m = messages(json!({"tables": [
            {"name": "Users", "fields": [title()]},
            {"name": "Countries", "rls_enabled": false, "fields": [title()]},
            {"name": "Currencies", "rls_enabled": false, "public_reference": true, "fields": [title()]}
        ]}));
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with(
            "tables[0]: warning: a \"users\" table duplicates what auth.users already provides"
        ));
        assert!(m[1].starts_with("tables[1].rls_enabled: warning: row-level security is off"));
    }

    #[test]
    fn policy_rules() {
        let m = messages(
            json!({"tables": [{"name": "T", "fields": [title()], "rls_policies": [
                {"name": "ins", "operation": "INSERT", "using_expression": "true"},
                {"name": "sel", "operation": "SELECT", "using_expression": "true", "with_check_expression": "true"},
                {"name": "upd", "operation": "UPDATE", "using_expression": " ", "roles": []},
                {"name": "ins", "operation": "DELETE", "using_expression": "true"}
            ]}]}),
        );
        assert_eq!(
            m,
            [
                "tables[0].rls_policies[0].using_expression: an INSERT policy takes only a WITH CHECK expression, not USING — move the expression to \"with_check_expression\"",
                "tables[0].rls_policies[1].with_check_expression: a SELECT policy takes only a USING expression, not WITH CHECK — move the expression to \"using_expression\"",
                "tables[0].rls_policies[2].using_expression: the expression is empty",
                "tables[0].rls_policies[2].roles: a policy needs at least one role — leave \"roles\" out for the default [\"authenticated\"]",
                "tables[0].rls_policies[3].name: duplicate policy name \"ins\" (also tables[0].rls_policies[0])",
            ]
        );
    }

    #[test]
    fn explicit_names_are_checked() {
        let long = "x".repeat(64);
        let m = messages(json!({"tables": [{"name": "T", "db_name": long, "fields": [
            {"name": "a", "db_name": "", "type": "singleLineText", "is_primary": true}
        ]}]}));
        assert_eq!(
            m,
            [
                "tables[0].db_name: db_name is 64 bytes long; PostgreSQL would silently cut it to 63",
                "tables[0].fields[0].db_name: db_name must not be empty",
            ]
        );
    }
}
