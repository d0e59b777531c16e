//! Hostile and careless designs: managed schemas stay read-only, identifier-like options parse
//! strictly, names are visible text, expressions cannot comment out the statement around them,
//! one pass reports everything, and no message carries a raw control character.

use schemaforge::design::{self, Diagnostic};
use schemaforge::safe_text::is_terminal_control;
use serde_json::{Value, json};

/// Every diagnostic of a design that must not load, as the user reads it.
fn errors(design: Value) -> Vec<String> {
    let diagnostics = design::load(&design.to_string())
        .map(|(_, warnings)| panic!("expected errors, got only {warnings:?}"))
        .unwrap_err();
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::to_string)
        .collect()
}

fn has(errors: &[String], prefix: &str, needle: &str) -> bool {
    errors
        .iter()
        .any(|e| e.starts_with(prefix) && e.contains(needle))
}

fn title() -> Value {
    json!({"name": "title", "type": "singleLineText", "is_primary": true})
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_design_cannot_create_alter_or_drop_in_a_managed_schema() {
    // drop_columns on auth.users: once dropped auth.users.email
    let e = errors(serde_json::from_str(&fixture("auth_drop_email.json")).unwrap());
    assert!(
        has(
            &e,
            "schema: \"auth\" is managed",
            "never create, alter or drop"
        ),
        "{e:?}"
    );
    // a new table in auth
    let e = errors(json!({"schema": "auth", "tables": [{"name": "notes", "fields": [title()]}]}));
    assert!(has(&e, "schema:", "\"auth\" is managed"), "{e:?}");
    // pg_catalog: once planned CREATE SCHEMA "pg_catalog"
    for schema in [
        "pg_catalog",
        "storage",
        "realtime",
        "extensions",
        "vault",
        "pgsodium",
        "graphql",
        "graphql_public",
        "supabase_functions",
        "cron",
        "information_schema",
        "pg_toast",
        "AUTH",
    ] {
        let e = errors(json!({"schema": schema, "tables": []}));
        assert!(has(&e, "schema:", "is managed"), "{schema}: {e:?}");
    }
}

#[test]
fn managed_tables_can_be_referenced_but_not_given_keys_or_rows() {
    // A reference to auth.users (foreign key, policy) is fine.
    let ok = json!({"tables": [{"name": "notes", "fields": [title()], "rls_policies": [
        {"name": "own", "operation": "SELECT", "using_expression": "created_by = (select auth.uid())"}
    ]}], "relationships": [
        {"table": "notes", "name": "owner", "target": "auth.users"},
        {"table": "notes", "name": "readers", "target": "auth.users", "allow_multiple": true}
    ]});
    design::load(&ok.to_string()).unwrap_or_else(|e| panic!("{e:?}"));
    // Giving auth.users a foreign key column or sample rows is changing it.
    let e = errors(
        json!({"tables": [{"name": "notes", "fields": [title()]}], "relationships": [
        {"table": "auth.users", "name": "note", "target": "notes"}
    ], "samples": {"auth.users": 3, "storage.objects": [{"name": "x"}]}}),
    );
    assert!(
        has(&e, "relationships[0].table:", "\"auth\" is managed"),
        "{e:?}"
    );
    assert!(
        has(&e, "samples.auth.users:", "\"auth\" is managed"),
        "{e:?}"
    );
    assert!(
        has(&e, "samples.storage.objects:", "\"storage\" is managed"),
        "{e:?}"
    );
    // Linking tables land in the design's schema: a managed one is refused at `schema`.
    let e = errors(
        json!({"schema": "auth", "tables": [{"name": "notes", "fields": [title()]}],
        "relationships": [{"table": "notes", "name": "tags", "target": "public.tags", "allow_multiple": true}]}),
    );
    assert!(has(&e, "schema:", "is managed"), "{e:?}");
}

fn trigger(function: &str) -> Value {
    json!({"tables": [{"name": "notes", "fields": [title(),
        {"name": "hook", "type": "trigger", "options": {"timing": "AFTER", "events": ["INSERT"], "function": function}}
    ]}]})
}

#[test]
fn trigger_functions_parse_exactly_or_are_refused() {
    for function in [
        "public.f garbage here",
        "public.f(1,2)",
        "public.f(); drop table auth.users; --",
        "a.b.c",
        "f(",
    ] {
        let e = errors(trigger(function));
        assert!(
            has(
                &e,
                "tables[0].fields[1].options.function:",
                "cannot read the function"
            ),
            "{function}: {e:?}"
        );
    }
    let e = errors(trigger("public.f(1,2)"));
    assert!(
        has(
            &e,
            "tables[0].fields[1].options.function:",
            "string literals"
        ),
        "{e:?}"
    );
    for function in [
        "notify",
        "audit.log_change()",
        "\"My\"\"Fn\"",
        "public.f('a', 'it''s')",
    ] {
        design::load(&trigger(function).to_string())
            .unwrap_or_else(|e| panic!("{function}: {e:?}"));
    }
}

#[test]
fn trigger_arguments_reach_the_sql_as_literals() {
    let (d, _) = design::load(&trigger("Audit.Log('a', 'it''s')").to_string()).unwrap();
    let resolved = design::resolve(&d).unwrap();
    let design::FieldKind::Trigger(spec) = &resolved.tables[0]
        .fields
        .iter()
        .find(|f| matches!(f.kind, design::FieldKind::Trigger(_)))
        .unwrap()
        .kind
    else {
        unreachable!()
    };
    let design::TriggerAction::Function(f) = &spec.action else {
        panic!("{:?}", spec.action)
    };
    assert_eq!(f.call_sql("public"), "\"audit\".\"log\"('a', 'it''s')");
}

#[test]
fn roles_and_schemas_are_strict() {
    let e = errors(
        json!({"schema": "app\u{202e}", "tables": [{"name": "notes", "fields": [title()], "rls_policies": [
            {"name": "p", "operation": "SELECT", "using_expression": "true",
             "roles": ["authenticated", " anon", "x\u{1b}[2J", "authenticated", "r".repeat(64)]}
        ]}]}),
    );
    assert!(has(&e, "schema:", "U+202E"), "{e:?}");
    let e2 = errors(json!({"schema": " app", "tables": []}));
    assert!(has(&e2, "schema:", "spaces around it"), "{e2:?}");
    let roles = "tables[0].rls_policies[0].roles";
    assert!(
        has(&e, &format!("{roles}[1]:"), "spaces around it"),
        "{e:?}"
    );
    assert!(has(&e, &format!("{roles}[2]:"), "U+001B"), "{e:?}");
    assert!(has(&e, &format!("{roles}[3]:"), "listed twice"), "{e:?}");
    assert!(has(&e, &format!("{roles}[4]:"), "64 bytes"), "{e:?}");
    let e = errors(
        json!({"tables": [{"name": "notes", "fields": [title()]}], "relationships": [
            {"table": "notes", "name": "owner", "target": "auth\u{200b}.users"}
        ]}),
    );
    assert!(has(&e, "relationships[0].target:", "U+200B"), "{e:?}");
    for target in ["auth.users.id", "auth.", " auth.users", "auth. users"] {
        let e = errors(
            json!({"tables": [{"name": "notes", "fields": [title()]}], "relationships": [
                {"table": "notes", "name": "owner", "target": target}
            ]}),
        );
        assert!(
            has(&e, "relationships[0].target:", "not a valid schema.table"),
            "{target}: {e:?}"
        );
    }
}

#[test]
fn expressions_cannot_comment_out_the_rest_of_the_statement() {
    let e = errors(json!({"tables": [{"name": "notes", "fields": [title(),
        {"name": "total", "type": "formula", "options": {"expression": "1 --"}},
        {"name": "when", "type": "dateTime", "options": {"default": {"expression": "now() /* x */"}}}
    ], "rls_policies": [
        {"name": "a", "operation": "SELECT", "using_expression": "true --"},
        {"name": "b", "operation": "INSERT", "with_check_expression": "true -- x\n OR false"}
    ]}]}));
    assert!(
        has(
            &e,
            "tables[0].fields[1].options.expression:",
            "`--` comment"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "tables[0].fields[2].options.default:", "comment"),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].rls_policies[0].using_expression:",
            "`--` comment"
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].rls_policies[1].with_check_expression:",
            "`--` comment"
        ),
        "{e:?}"
    );
}

#[test]
fn names_must_be_visible_text() {
    let e = errors(json!({"tables": [
        {"name": "users", "db_name": "users", "fields": [title()]},
        {"name": "us\u{200d}ers", "db_name": "us\u{200d}ers", "fields": [title(),
            {"name": "a\u{7}b", "type": "number"},
            {"name": "c", "db_name": "c\u{202e}d", "type": "number"}
        ], "rls_policies": [{"name": "p\u{9b}", "operation": "SELECT", "using_expression": "true"}],
           "drop_columns": ["x\u{feff}"]}
    ], "relationships": [{"table": "users", "name": "own\u{2066}er", "target": "auth.users"}]}));
    assert!(has(&e, "tables[1].name:", "U+200D"), "{e:?}");
    assert!(has(&e, "tables[1].db_name:", "U+200D"), "{e:?}");
    assert!(
        has(
            &e,
            "tables[1].fields[1].name:",
            "U+0007, a control character"
        ),
        "{e:?}"
    );
    assert!(has(&e, "tables[1].fields[2].db_name:", "U+202E"), "{e:?}");
    assert!(
        has(&e, "tables[1].rls_policies[0].name:", "U+009B"),
        "{e:?}"
    );
    assert!(has(&e, "tables[1].drop_columns[0]:", "U+FEFF"), "{e:?}");
    assert!(has(&e, "relationships[0].name:", "U+2066"), "{e:?}");
    // The name itself is quoted escaped.
    assert!(has(&e, "tables[1].name:", "\"us\\u{200d}ers\""), "{e:?}");
}

#[test]
fn one_pass_reports_type_errors_and_range_errors_together() {
    let e = errors(json!({"tables": [{"name": "notes", "fields": [title(),
        {"name": "odd", "type": "bogus"},
        {"name": "stars", "type": "rating", "options": {"max": 1000}},
        {"name": "size", "type": "number", "options": {"precision": 2000}},
        {"name": "title", "type": "longText", "db_name": "t2"},
        {"name": "width", "type": "number", "options": {"scale": "2", "precision": 5000}}
    ]}]}));
    assert!(
        has(&e, "tables[0].fields[1].type:", "unknown type \"bogus\""),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].fields[2].options.max:",
            "from 1 to 100, found 1000"
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].fields[5].options.scale:",
            "expected a whole number"
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].fields[3].options.precision:",
            "from 1 to 1000"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "tables[0].fields[4].name:", "duplicate field name"),
        "{e:?}"
    );
    // Nothing is invented about the broken field or the removed value.
    assert!(
        !e.iter()
            .any(|m| m.starts_with("tables[0].fields[1].") && !m.contains("type")),
        "{e:?}"
    );
    // Options depend on each other: with one of them broken, the others of that field wait.
    assert!(
        !e.iter()
            .any(|m| m.starts_with("tables[0].fields[5].options.precision")),
        "{e:?}"
    );
    // Broken policies, lists and elements: the rest is still judged, nothing is invented.
    let e = errors(json!({"tables": [
        {"name": "notes", "fields": [title(), "not a field",
            {"name": "s", "type": "singleSelect", "options": {"choices": ["a", 3], "default": "zz"}},
            {"name": "c", "type": "currency", "options": {"currency_code": "eur", "bogus": {"x": 1}}}
        ], "rls_policies": [
            {"name": "p", "operation": "select"},
            {"name": "p", "operation": "SELECT", "using_expression": "true --"}
        ]},
        42,
        {"name": "more", "options": "x", "fields": [{"name": "n", "type": "number", "options": "wide"}]}
    ]}));
    assert!(
        has(&e, "tables[0].fields[1]:", "expected an object"),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].fields[2].options.choices[1]:",
            "expected a string"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "tables[0].fields[3].options.currency_code:", "ISO 4217"),
        "{e:?}"
    );
    assert!(
        has(&e, "tables[0].fields[3].options.bogus:", "unknown key"),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].rls_policies[0].operation:",
            "did you mean \"SELECT\""
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "tables[0].rls_policies[1].name:",
            "duplicate policy name"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "tables[0].rls_policies[1].using_expression:", "comment"),
        "{e:?}"
    );
    assert!(has(&e, "tables[1]:", "expected an object"), "{e:?}");
    assert!(has(&e, "tables[2].options:", "unknown key"), "{e:?}");
    assert!(
        has(&e, "tables[2].fields[0].options:", "expected an object"),
        "{e:?}"
    );
    assert!(
        !e.iter()
            .any(|m| m.contains("needs choices") || m.contains("zz")),
        "{e:?}"
    );
    // A bare table keeps its own paths.
    let e = errors(json!({"name": "notes", "fields": [title(),
        {"name": "odd", "type": "nubmer"},
        {"name": "stars", "type": "rating", "options": {"max": 0}}
    ]}));
    assert!(
        has(&e, "fields[1].type:", "did you mean \"number\""),
        "{e:?}"
    );
    assert!(has(&e, "fields[2].options.max:", "found 0"), "{e:?}");
}

#[test]
fn no_message_carries_a_raw_control_character() {
    let text = fixture("hostile_design.json");
    let diagnostics = design::load(&text).unwrap_err();
    let all: Vec<String> = diagnostics.iter().map(Diagnostic::to_string).collect();
    for message in &all {
        assert!(!message.chars().any(is_terminal_control), "{message:?}");
    }
    assert!(
        has(
            &all,
            "tables[0].fields[1].type:",
            "bogus\\u{1b}]0;TITLE\\u{7}"
        ),
        "{all:?}"
    );
    // The same file reports its other problems in the same pass.
    assert!(has(&all, "tables[0].name:", "U+200D"), "{all:?}");
    assert!(
        has(&all, "tables[0].fields[2].options.max:", "found 1000"),
        "{all:?}"
    );
    assert!(
        has(&all, "tables[0].fields[3].options.function:", "cannot read"),
        "{all:?}"
    );
    assert!(
        has(&all, "tables[0].fields[4].options.expression:", "comment"),
        "{all:?}"
    );
    assert!(
        has(&all, "tables[0].rls_policies[0].name:", "U+202E"),
        "{all:?}"
    );
    assert!(
        has(
            &all,
            "tables[0].rls_policies[0].using_expression:",
            "comment"
        ),
        "{all:?}"
    );
    assert!(
        has(&all, "tables[0].rls_policies[0].roles[1]:", "U+001B"),
        "{all:?}"
    );
    // Unknown keys and samples keys are user text in paths, escaped too.
    let e = errors(
        json!({"tables": [{"name": "t\u{1b}]0;x\u{7}", "fields": [title()], "col\u{1b}": 1}],
        "samples": {"n\u{1b}[2J": 2}}),
    );
    for message in &e {
        assert!(!message.chars().any(is_terminal_control), "{message:?}");
    }
}
