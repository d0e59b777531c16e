//! Each mapping rule on a hand-built catalog, and the promise behind them all: planning the
//! design read from a catalog against that same catalog has no steps.

use serde_json::json;

use super::design_from_catalog;
use crate::catalog::{
    Catalog, CheckConstraint, Column, FkAction, ForeignKey, Function, FunctionKind, Identity,
    Index, KeyConstraint, Policy, PolicyCommand, Schema, Table, TableKind, Trigger,
};
use crate::design::{FieldType, resolve_with_known_tables};
use crate::plan::{PlanSettings, plan};

fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        name: name.into(),
        position: 0,
        data_type: data_type.into(),
        nullable,
        default: None,
        identity: None,
        generated: None,
        comment: None,
    }
}

fn check(name: &str, definition: &str) -> CheckConstraint {
    CheckConstraint {
        name: name.into(),
        definition: definition.into(),
        validated: true,
    }
}

fn index(name: &str, columns: &[&str], definition: &str) -> Index {
    Index {
        name: name.into(),
        definition: definition.into(),
        unique: false,
        primary: false,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        invalid: false,
    }
}

fn key(name: &str, columns: &[&str]) -> KeyConstraint {
    KeyConstraint {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

/// A table keyed by a uuid `id` that has none of the other system fields.
fn table(name: &str, columns: Vec<Column>) -> Table {
    let mut t = Table::new("public", name, TableKind::Table);
    let mut id = column("id", "uuid", false);
    id.default = Some("gen_random_uuid()".into());
    t.columns = std::iter::once(id).chain(columns).collect();
    t.primary_key = Some(key(&format!("{name}_pkey"), &["id"]));
    t
}

fn catalog(mut tables: Vec<Table>) -> Catalog {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Catalog {
        schemas: vec![Schema {
            name: "public".into(),
            owner: "postgres".into(),
            managed: false,
            usage: true,
            comment: None,
        }],
        tables,
        ..Catalog::default()
    }
}

/// The design read from `catalog`, after asserting that it plans no steps against it.
fn read(catalog: &Catalog) -> (serde_json::Value, Vec<String>) {
    let read = design_from_catalog(catalog, "public", None);
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved = resolve_with_known_tables(&read.design, &known)
        .unwrap_or_else(|d| panic!("{d:?}\n{:#?}", read.design));
    let planned = plan(&resolved, catalog, &PlanSettings::default()).unwrap();
    assert!(
        planned.steps.is_empty(),
        "{}\n{}",
        planned.bundle().text,
        crate::design::save(&read.design)
    );
    (serde_json::to_value(&read.design).unwrap(), read.notes)
}

fn field(design: &serde_json::Value, name: &str) -> serde_json::Value {
    design["tables"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no field {name}: {design:#}"))
}

#[test]
fn a_text_check_of_choices_is_a_single_select() {
    let mut t = table("posts", vec![column("status", "text", false)]);
    t.columns[1].default = Some("'draft'::text".into());
    t.check_constraints.push(check(
        "posts_status_check",
        "CHECK ((status = ANY (ARRAY['draft'::text, 'live'::text])))",
    ));
    let (design, notes) = read(&catalog(vec![t]));
    assert_eq!(
        field(&design, "status"),
        json!({"name": "status", "type": "singleSelect", "is_primary": true,
               "options": {"required": true, "default": "draft", "choices": ["draft", "live"]}})
    );
    assert!(
        !notes.iter().any(|n| n.contains("posts_status_check")),
        "{notes:?}"
    );
}

#[test]
fn a_check_no_type_generates_keeps_the_column_raw_and_is_noted() {
    let mut t = table("posts", vec![column("title", "text", true)]);
    t.check_constraints.push(check(
        "posts_title_check",
        "CHECK ((char_length(title) >= 3))",
    ));
    let (design, notes) = read(&catalog(vec![t]));
    assert_eq!(field(&design, "title")["type"], "raw");
    assert_eq!(field(&design, "title")["options"]["sql_type"], "text");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("posts_title_check") && n.contains("left as it is")),
        "{notes:?}"
    );
}

#[test]
fn a_check_under_another_name_leaves_the_type_and_is_noted() {
    let mut t = table("posts", vec![column("status", "text", true)]);
    t.check_constraints.push(check(
        "status_is_known",
        "CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))",
    ));
    let (design, notes) = read(&catalog(vec![t]));
    assert_eq!(field(&design, "status")["type"], "singleLineText");
    assert!(
        notes.iter().any(|n| n.contains("status_is_known")),
        "{notes:?}"
    );
}

#[test]
fn limits_and_patterns_become_their_types() {
    let t = |name: &str, ty: &str, definition: &str| {
        let mut t = table("things", vec![column(name, ty, true)]);
        t.check_constraints
            .push(check(&format!("things_{name}_check"), definition));
        t
    };
    let cases = [
        (
            t(
                "tags",
                "text[]",
                "CHECK ((tags <@ ARRAY['x'::text, 'y'::text]))",
            ),
            "tags",
            json!({"name": "tags", "type": "multiSelect", "options": {"choices": ["x", "y"]}}),
        ),
        (
            t(
                "stars",
                "smallint",
                "CHECK (((stars >= 0) AND (stars <= 10)))",
            ),
            "stars",
            json!({"name": "stars", "type": "rating", "options": {"max": 10}}),
        ),
        (
            t(
                "files",
                "jsonb",
                "CHECK ((jsonb_typeof(files) = 'array'::text))",
            ),
            "files",
            json!({"name": "files", "type": "attachment"}),
        ),
        (
            t("name", "text", "CHECK ((char_length(name) <= 80))"),
            "name",
            json!({"name": "name", "type": "singleLineText", "is_primary": true, "options": {"max_length": 80}}),
        ),
        (
            t(
                "site",
                "text",
                "CHECK ((site ~* '^https?://[^\\s]+$'::text))",
            ),
            "site",
            json!({"name": "site", "type": "url", "is_primary": true}),
        ),
    ];
    for (table, name, expected) in cases {
        let (design, _) = read(&catalog(vec![table]));
        assert_eq!(field(&design, name), expected);
    }
}

#[test]
fn numbers_currency_and_booleans() {
    let mut price = column("price", "numeric(19,4)", true);
    price.comment = Some("List price (currency: EUR)".into());
    let mut done = column("done", "boolean", false);
    done.default = Some("false".into());
    let t = table(
        "items",
        vec![
            price,
            column("weight", "numeric(10,2)", true),
            column("count", "bigint", true),
            column("ratio", "numeric", true),
            done,
            column("maybe", "boolean", true),
            column("at", "timestamp with time zone", true),
        ],
    );
    let (design, _) = read(&catalog(vec![t]));
    assert_eq!(
        field(&design, "price"),
        json!({"name": "price", "type": "currency",
               "options": {"description": "List price", "currency_code": "EUR"}})
    );
    assert_eq!(
        field(&design, "weight")["options"],
        json!({"precision": 10, "scale": 2})
    );
    assert_eq!(field(&design, "count")["options"], json!({"integer": true}));
    assert_eq!(
        field(&design, "ratio"),
        json!({"name": "ratio", "type": "number"})
    );
    assert_eq!(
        field(&design, "done"),
        json!({"name": "done", "type": "checkbox"})
    );
    assert_eq!(
        field(&design, "maybe")["type"],
        "raw",
        "a nullable boolean is no checkbox"
    );
    assert_eq!(field(&design, "at")["type"], "dateTime");
}

#[test]
fn keys_of_its_own_and_identity() {
    let mut t = Table::new("public", "events", TableKind::Table);
    let mut id = column("id", "bigint", false);
    id.identity = Some(Identity::Always);
    t.columns = vec![id, column("kind", "text", false)];
    t.primary_key = Some(key("events_pkey", &["id"]));
    let (design, _) = read(&catalog(vec![t]));
    assert_eq!(design["tables"][0]["system_fields"], false);
    assert_eq!(
        field(&design, "id")["options"],
        json!({"required": true, "sql_type": "bigint", "primary_key": true, "identity": "ALWAYS"})
    );
}

#[test]
fn system_fields_are_recognised_and_not_emitted() {
    let mut t = Table::new("public", "todos", TableKind::Table);
    let mut columns = Vec::new();
    for f in &crate::design::SYSTEM_FIELDS {
        let mut c = column(f.db_name, &f.pg_type.format_type(), f.nullable);
        c.default = f
            .default_expression
            .filter(|d| !d.starts_with("auth."))
            .map(str::to_owned);
        columns.push(c);
    }
    columns.push(column("title", "text", false));
    t.columns = columns;
    t.primary_key = Some(key("todos_pkey", &["id"]));
    t.comment = Some("Things to do".into());
    t.triggers.push(Trigger {
        name: "set_updated_fields".into(),
        definition: "CREATE TRIGGER set_updated_fields BEFORE UPDATE ON public.todos FOR EACH ROW EXECUTE FUNCTION public.schemaforge_set_updated_fields()".into(),
        function_schema: "public".into(),
        function: "schemaforge_set_updated_fields".into(),
        enabled: true,
    });
    let mut c = catalog(vec![t]);
    c.functions.push(Function {
        schema: "public".into(),
        name: "schemaforge_set_updated_fields".into(),
        identity_args: String::new(),
        result: Some("trigger".into()),
        language: "plpgsql".into(),
        kind: FunctionKind::Function,
        security_definer: false,
        volatility: "v".into(),
        config: Vec::new(),
        extension: None,
        comment: None,
        grants: Vec::new(),
        body: None,
    });
    let (design, _) = read(&c);
    assert_eq!(
        design["tables"][0],
        json!({"name": "todos", "description": "Things to do", "rls_enabled": false,
               "fields": [{"name": "title", "type": "singleLineText", "is_primary": true,
                           "options": {"required": true}}]})
    );
}

fn fk(name: &str, column: &str, target: &str, on_delete: FkAction) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references_schema: "public".into(),
        references_table: target.into(),
        references_columns: vec!["id".into()],
        on_delete,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
        validated: true,
    }
}

#[test]
fn foreign_keys_become_relationships_only_when_the_model_makes_them() {
    let people = table("people", vec![column("name", "text", false)]);
    let mut tasks = table(
        "tasks",
        vec![
            column("owner_id", "uuid", true),
            column("boss_id", "uuid", false),
            column("checker_id", "uuid", true),
        ],
    );
    tasks.foreign_keys = vec![
        fk(
            "tasks_owner_id_fkey",
            "owner_id",
            "people",
            FkAction::SetNull,
        ),
        fk(
            "tasks_boss_id_fkey",
            "boss_id",
            "people",
            FkAction::Restrict,
        ),
        fk(
            "tasks_checker_id_fkey",
            "checker_id",
            "people",
            FkAction::NoAction,
        ),
    ];
    for c in ["owner_id", "boss_id", "checker_id"] {
        tasks
            .indexes
            .push(index(&format!("i_{c}"), &[c], "CREATE INDEX …"));
    }
    let (design, notes) = read(&catalog(vec![people, tasks]));
    assert_eq!(
        design["relationships"],
        json!([
            {"table": "tasks", "name": "owner", "target": "people"},
            {"table": "tasks", "name": "boss", "target": "people", "required": true}
        ])
    );
    let tasks = &design["tables"][1];
    assert_eq!(tasks["fields"][1]["name"], "checker_id");
    assert_eq!(tasks["fields"][1]["type"], "raw");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("tasks_checker_id_fkey") && n.contains("NO ACTION")),
        "{notes:?}"
    );
}

#[test]
fn policies_comments_and_defaults() {
    let mut t = table(
        "notes",
        vec![column("body", "text", true), column("at", "date", true)],
    );
    t.columns[1].comment = Some("The text".into());
    t.columns[2].default = Some("CURRENT_DATE".into());
    t.rls_enabled = true;
    t.policies.push(Policy {
        name: "own".into(),
        command: PolicyCommand::All,
        permissive: true,
        roles: vec!["authenticated".into()],
        using: Some("(body IS NOT NULL)".into()),
        with_check: Some("(body IS NOT NULL)".into()),
    });
    t.policies.push(Policy {
        name: "add".into(),
        command: PolicyCommand::Insert,
        permissive: false,
        roles: vec!["public".into()],
        using: None,
        with_check: Some("true".into()),
    });
    let (design, _) = read(&catalog(vec![t]));
    assert_eq!(
        design["tables"][0]["rls_policies"],
        json!([
            {"name": "own", "operation": "ALL", "using_expression": "(body IS NOT NULL)"},
            {"name": "add", "operation": "INSERT", "with_check_expression": "true",
             "roles": ["public"], "permissive": false}
        ])
    );
    assert_eq!(field(&design, "body")["options"]["description"], "The text");
    assert_eq!(
        field(&design, "at")["options"]["default"],
        json!({"expression": "CURRENT_DATE"})
    );
}

#[test]
fn indexes_views_and_unknown_tables_are_noted() {
    let mut t = table("notes", vec![column("body", "text", true)]);
    t.indexes.push(index(
        "notes_body_idx",
        &["body"],
        "CREATE INDEX notes_body_idx ON public.notes USING btree (body) WHERE (body IS NOT NULL)",
    ));
    t.indexes.push(index(
        "notes_lower_body_idx",
        &["lower(body)"],
        "CREATE INDEX notes_lower_body_idx ON public.notes USING btree (lower(body))",
    ));
    let view = Table::new("public", "notes_view", TableKind::View);
    let c = catalog(vec![t, view]);
    let only = ["notes".to_string(), "nope".to_string()];
    let read = design_from_catalog(&c, "public", Some(&only));
    assert_eq!(read.design.tables.len(), 1);
    assert_eq!(
        read.design.tables[0].fields[1].field_type,
        FieldType::SingleLineText
    );
    let notes = read.notes.join("\n");
    assert!(notes.contains("public.nope: no such table"), "{notes}");
    // A plain partial index is part of the design; an expression index is left alone.
    let indexes = &read.design.tables[0].indexes;
    assert_eq!(indexes.len(), 1);
    assert_eq!(indexes[0].columns, ["body"]);
    assert_eq!(indexes[0].name.as_deref(), Some("notes_body_idx"));
    assert_eq!(indexes[0].predicate.as_deref(), Some("(body IS NOT NULL)"));
    assert!(!notes.contains("notes_body_idx"), "{notes}");
    assert!(notes.contains("notes_lower_body_idx"), "{notes}");
    let all = design_from_catalog(&c, "public", None).notes.join("\n");
    assert!(all.contains("notes_view: a view"), "{all}");
}

#[test]
fn a_changed_raw_type_plans_a_type_change_and_keeps_the_check() {
    let mut t = table("scores", vec![column("points", "integer", true)]);
    t.check_constraints
        .push(check("scores_points_check", "CHECK ((points >= 0))"));
    let c = catalog(vec![t]);
    let mut read = design_from_catalog(&c, "public", None).design;
    let points = read.tables[0]
        .fields
        .iter_mut()
        .find(|f| f.name == "points")
        .unwrap();
    assert_eq!(points.field_type, FieldType::Raw);
    points.options.sql_type = Some("bigint".into());
    let resolved = resolve_with_known_tables(&read, &|_, _| true).unwrap();
    let planned = plan(&resolved, &c, &PlanSettings::default()).unwrap();
    let sql = planned.bundle().text;
    assert!(
        sql.contains("ALTER COLUMN \"points\" TYPE bigint USING \"points\"::bigint"),
        "{sql}"
    );
    assert!(!sql.contains("DROP CONSTRAINT"), "{sql}");
}
