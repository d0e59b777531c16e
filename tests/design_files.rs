//! Design files as a user writes them: the seed's Todos example (as a full design and as the
//! bare table object the seed shows), SPEC.md's example, a design using every field type,
//! and broken designs whose diagnostics must name the exact path and suggestion.

use schemaforge::design::{
    self, Check, DefaultValue, Design, FieldKind, FieldType, InputShape, Level, OnDelete, PgType,
    RelationshipKind, ResolvedSampleSpec, Target, TriggerAction,
};
use serde_json::json;

fn example(name: &str) -> String {
    let path = format!("{}/assets/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// load → save → load gives the same design.
fn assert_round_trips(design: &Design) {
    let saved = design::save(design);
    let (again, _) = design::load(&saved).unwrap_or_else(|e| panic!("reloading: {e:?}\n{saved}"));
    assert_eq!(&again, design);
    assert_eq!(design::save(&again), saved, "saving is stable");
}

fn errors(text: &str) -> Vec<String> {
    match design::load(text) {
        Ok((_, warnings)) => panic!("expected errors, got a design with {warnings:?}"),
        Err(diagnostics) => diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(ToString::to_string)
            .collect(),
    }
}

#[test]
fn seed_todos_design_loads_verbatim() {
    let (design, warnings) = design::load(&example("todos.json")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let todos = &design.tables[0];
    assert_eq!(todos.db_name(), "todos");
    assert_eq!(todos.primary_field().unwrap().1.name, "title");
    assert_eq!(todos.rls_policies[0].roles, ["authenticated"]);
    assert_round_trips(&design);

    let resolved = design::resolve(&design).unwrap();
    let table = &resolved.tables[0];
    assert_eq!(table.primary_field.as_deref(), Some("title"));
    let title = &table.fields[0];
    assert_eq!((title.pg_type, title.nullable), (Some(PgType::Text), false));
    let completed = &table.fields[1];
    assert_eq!(completed.pg_type, Some(PgType::Boolean));
    assert!(!completed.nullable, "checkbox is NOT NULL");
    assert_eq!(completed.default, Some(DefaultValue::Literal(json!(false))));
}

#[test]
fn seed_bare_table_object_loads_as_written() {
    // Decision: a bare table object (and a list of tables) is accepted input, because the
    // seed's example is one; it is wrapped into a design with that single table.
    let text = example("todos_table.json");
    let (design, shape) = design::parse(&text).unwrap();
    assert_eq!(shape, InputShape::Table);
    let (full, _) = design::load(&example("todos.json")).unwrap();
    assert_eq!(design, full);
    let (loaded, warnings) = design::load(&text).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(loaded, full);
}

#[test]
fn spec_example_loads_when_its_target_table_is_live() {
    let text = example("spec_example.json");
    // SPEC.md's example relates todos to "projects", which the example does not design: on
    // its own that is a dangling target...
    assert_eq!(
        errors(&text),
        [
            "relationships[0].target: unknown table \"projects\" — for a table that is not in this design, write it as schema.table"
        ]
    );
    // ...and fine once the catalog says public.projects exists.
    let known = |schema: &str, table: &str| schema == "public" && table == "projects";
    let (design, warnings) = design::load_with_known_tables(&text, &known).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(design.samples["todos"], design::Samples::Count(25));
    let resolved = design::resolve_with_known_tables(&design, &known).unwrap();
    let rel = &resolved.relationships[0];
    assert_eq!(
        rel.target,
        Target::External {
            schema: "public".into(),
            table: "projects".into()
        }
    );
    assert_eq!(
        rel.kind,
        RelationshipKind::ForeignKey {
            column: "project_id".into(),
            nullable: true,
            on_delete: OnDelete::Cascade,
            fkey: "todos_project_id_fkey".into(),
            index: "idx_todos_project_id".into(),
            unique_constraint: None,
        }
    );
    // saving drops only defaults ("schema": "public")
    let saved: serde_json::Value = serde_json::from_str(&design::save(&design)).unwrap();
    assert!(saved.get("schema").is_none());
    assert_eq!(saved["tables"][0]["db_name"], "todos");
}

#[test]
fn every_field_type_loads_resolves_and_round_trips() {
    let (design, warnings) = design::load(&example("every_field_type.json")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let used: std::collections::BTreeSet<FieldType> = design
        .tables
        .iter()
        .flat_map(|t| t.fields.iter().map(|f| f.field_type))
        .collect();
    assert_eq!(used.len(), FieldType::ALL.len(), "every type is used");
    assert_round_trips(&design);

    let resolved = design::resolve(&design).unwrap();
    let tasks = &resolved.tables[1];
    let field = |db: &str| {
        tasks
            .fields
            .iter()
            .find(|f| f.db_name == db)
            .unwrap_or_else(|| panic!("no field {db}"))
    };
    assert_eq!(field("estimate").pg_type.unwrap().sql(), "numeric(6,2)");
    assert_eq!(field("position").pg_type, Some(PgType::BigInt));
    assert_eq!(
        field("position").unique_constraint.as_deref(),
        Some("tasks_position_key")
    );
    assert_eq!(
        field("status").checks,
        [Check::InChoices(vec![
            "todo".into(),
            "doing".into(),
            "done".into()
        ])]
    );
    assert_eq!(
        field("status").check_constraint.as_deref(),
        Some("tasks_status_check")
    );
    assert_eq!(field("labels").pg_type, Some(PgType::TextArray));
    assert_eq!(field("priority").checks, [Check::Between(0, 10)]);
    assert_eq!(
        field("budget").comment.as_deref(),
        Some("Approved spend (currency: EUR)")
    );
    assert_eq!(
        field("reminder_at").default,
        Some(DefaultValue::Expression("now() + interval '1 day'".into()))
    );
    assert_eq!(
        field("metadata").default,
        Some(DefaultValue::Literal(
            json!({"expression": "stored as data"})
        ))
    );
    assert_eq!(
        field("title_length").kind,
        FieldKind::Generated {
            expression: "char_length(title)".into()
        }
    );
    let FieldKind::Trigger(stamp) = &field("stamp").kind else {
        panic!("stamp is a trigger")
    };
    assert_eq!(stamp.name, "tasks_stamp_trigger");
    assert!(
        matches!(&stamp.action, TriggerAction::Body { function, .. } if function == "tasks_stamp_trigger_fn")
    );
    assert_eq!(
        field("legacy_code").column_type(),
        Some((
            "character varying(20)".to_owned(),
            "character varying(20)".to_owned()
        )),
        "a raw field keeps its type"
    );
    assert!(field("legacy_code").checks.is_empty());
    assert_eq!(
        tasks.columns().count(),
        22,
        "lookup and triggers have no column"
    );
    assert_eq!(tasks.view.as_deref(), Some("tasks_view"));

    let projects = &resolved.tables[0];
    assert_eq!(projects.view.as_deref(), Some("projects_view"));
    assert_eq!(projects.primary_field.as_deref(), Some("name"));

    let linking = &resolved.relationships[3].kind;
    assert_eq!(
        linking,
        &RelationshipKind::Linking {
            table: "projects_tags".into(),
            source_column: "projects_id".into(),
            target_column: "tags_id".into(),
            source_fkey: "projects_tags_projects_id_fkey".into(),
            target_fkey: "projects_tags_tags_id_fkey".into(),
            pkey: "projects_tags_pkey".into(),
            target_index: "idx_projects_tags_tags_id".into(),
            created_by_fkey: "projects_tags_created_by_fkey".into(),
            created_by_index: "idx_projects_tags_created_by".into(),
        }
    );
    let RelationshipKind::ForeignKey {
        on_delete,
        unique_constraint,
        ..
    } = &resolved.relationships[2].kind
    else {
        panic!("parent is a foreign key")
    };
    assert_eq!(*on_delete, OnDelete::SetNull);
    assert_eq!(unique_constraint.as_deref(), Some("tasks_parent_id_key"));

    let rows = resolved
        .samples
        .iter()
        .find(|s| s.table == 1)
        .map(|s| &s.spec)
        .unwrap();
    let ResolvedSampleSpec::Rows(rows) = rows else {
        panic!("explicit rows")
    };
    let keys: Vec<&str> = rows[0].keys().map(String::as_str).collect();
    assert_eq!(keys, ["title", "status", "estimate", "labels", "priority"]);
}

/// One line per resolved object: what the planner will be handed, reviewable at a glance.
fn summary(resolved: &design::ResolvedDesign) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for t in &resolved.tables {
        let _ = writeln!(
            out,
            "table {} rls={} public={} primary={:?} view={:?}",
            t.db_name, t.rls_enabled, t.public_reference, t.primary_field, t.view
        );
        for f in &t.fields {
            let kind = match &f.kind {
                FieldKind::Column => "column".to_string(),
                FieldKind::Generated { expression } => format!("generated({expression})"),
                FieldKind::View(v) => format!(
                    "view(rel={} {:?} field={:?} agg={:?})",
                    v.relationship, v.direction, v.target_field, v.aggregate
                ),
                FieldKind::Trigger(tr) => format!(
                    "trigger({} {:?} {:?} {:?} {:?})",
                    tr.name, tr.timing, tr.events, tr.for_each, tr.action
                ),
            };
            let _ = writeln!(
                out,
                "  {} {} {} {}{}{} default={:?} checks={:?} {:?} comment={:?}",
                f.db_name,
                f.field_type,
                f.pg_type.map_or("-".to_string(), |p| p.sql()),
                kind,
                if f.nullable { "" } else { " NOT NULL" },
                f.unique_constraint
                    .as_ref()
                    .map_or(String::new(), |u| format!(" UNIQUE {u}")),
                f.default,
                f.checks,
                f.check_constraint,
                f.comment,
            );
        }
        for p in &t.policies {
            let _ = writeln!(
                out,
                "  policy {:?} {} {:?} using={:?} check={:?} permissive={}",
                p.name,
                p.operation.name(),
                p.roles,
                p.using_expression,
                p.with_check_expression,
                p.permissive
            );
        }
    }
    for r in &resolved.relationships {
        let _ = writeln!(
            out,
            "relationship {}.{} -> {:?}\n  {:?}",
            r.table_db_name, r.name, r.target, r.kind
        );
    }
    for s in &resolved.samples {
        let _ = writeln!(
            out,
            "samples {} {:?}",
            resolved.tables[s.table].db_name, s.spec
        );
    }
    out
}

#[test]
fn every_field_type_resolved_snapshot() {
    let (design, _) = design::load(&example("every_field_type.json")).unwrap();
    let resolved = design::resolve(&design).unwrap();
    insta::assert_snapshot!(summary(&resolved));
}

#[test]
fn bad_designs_name_the_path_and_suggest() {
    let cases: &[(serde_json::Value, &[&str])] = &[
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLinetext"}]}]}),
            &[
                "tables[0].fields[0].type: unknown type \"singleLinetext\" — did you mean \"singleLineText\"?",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "rls_enabeld": true, "fields": []}]}),
            &[
                "tables[0].rls_enabeld: unknown key \"rls_enabeld\" in table — did you mean \"rls_enabled\"?",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true}],
                   "rls_policies": [{"name": "p", "operation": "SELET", "using_expression": "true"}]}]}),
            &[
                "tables[0].rls_policies[0].operation: unknown value \"SELET\" — did you mean \"SELECT\"?",
            ],
        ),
        (
            json!({"tables": [{"name": "Projects", "fields": []}, {"name": "Todos", "fields": []}],
                   "relationships": [{"table": "todos", "name": "project", "target": "projetcs"}]}),
            &["relationships[0].target: unknown table \"projetcs\" — did you mean \"projects\"?"],
        ),
        (
            json!({"tables": [{"name": "Todos", "fields": []}], "samples": {"todo": 3}}),
            &["samples.todo: samples for unknown table \"todo\" — did you mean \"todos\"?"],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [
                {"name": "Due date", "type": "date"}, {"name": "due_date", "type": "date"}]}]}),
            &[
                "tables[0].fields[1].name: field \"due_date\" has the column name \"due_date\", which collides with tables[0].fields[0].name (\"Due date\")",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [
                {"name": "a", "type": "singleLineText", "is_primary": true},
                {"name": "b", "type": "singleLineText", "primary_field": true}]}]}),
            &[
                "tables[0].fields[1].is_primary: more than one primary field (also tables[0].fields[0]) — a table has exactly one primary field",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "s", "type": "singleSelect",
                   "options": {"choices": ["low", "high"], "default": "hgih"}, "is_primary": true}]}]}),
            &[
                "tables[0].fields[0].options.default: default \"hgih\" is not one of the choices — did you mean \"high\"?",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true}],
                   "rls_policies": [{"name": "p", "operation": "INSERT", "using_expression": "true"}]}]}),
            &[
                "tables[0].rls_policies[0].using_expression: an INSERT policy takes only a WITH CHECK expression, not USING — move the expression to \"with_check_expression\"",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true},
                   {"name": "Project ID", "type": "number"}]}],
                   "relationships": [{"table": "T", "name": "project", "target": "auth.users"}]}),
            &[
                "relationships[0].name: the relationship column \"project_id\" collides with tables[0].fields[1] (\"Project ID\")",
            ],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true}]},
                              {"name": "P", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true}]}],
                   "relationships": [{"table": "T", "name": "p", "target": "P", "required": true}],
                   "samples": {"T": [{"a": "x", "p_id": null}]}}),
            &["samples.T[0].p_id: the relationship \"p\" is required; it cannot be null"],
        ),
        (
            json!({"tables": [{"name": "T", "fields": [{"name": "a", "type": "singleLineText", "is_primary": true}]}],
                   "samples": {"T": [{"a": "x"}, {"b": "y"}]}}),
            &[
                "samples.T[1].b: sample row 1 of \"t\" has \"b\", which is not a field of the table — did you mean \"a\"?",
            ],
        ),
    ];
    for (design, expected) in cases {
        assert_eq!(errors(&design.to_string()), *expected, "for {design}");
    }
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let text = "{\n  \"tables\": [\n    {\"name\": \"T\",}\n  ]\n}\n";
    let e = design::load(text).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].path, "");
    assert!(
        e[0].message
            .starts_with("invalid JSON at line 3, column 18: "),
        "{}",
        e[0]
    );
}

#[test]
fn warnings_do_not_block_loading() {
    let text = json!({"tables": [{"name": "Users", "fields": [
        {"name": "id", "type": "singleLineText"},
        {"name": "Email", "type": "email"}
    ]}]})
    .to_string();
    let (design, warnings) = design::load(&text).unwrap();
    let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        shown[0].starts_with("tables[0]: warning: a \"users\" table duplicates what auth.users")
    );
    assert!(shown[1].starts_with("tables[0].fields[0]: warning: \"id\" is a system field"));
    assert!(shown[2].contains("using \"Email\" (tables[0].fields[1])"));
    let resolved = design::resolve(&design).unwrap();
    assert_eq!(
        resolved.tables[0].fields.len(),
        1,
        "the id field is dropped"
    );
    assert_eq!(resolved.tables[0].primary_field.as_deref(), Some("email"));
    assert_eq!(resolved.warnings.len(), 3);
}
