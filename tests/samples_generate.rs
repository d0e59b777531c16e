//! Sample generation without a server: determinism, the checks of every field type, the
//! errors that name table, row and field, and the saved-plan text.

use std::collections::{BTreeMap, HashSet};

use schemaforge::design::{FieldKind, ResolvedDesign, ResolvedSampleSpec, ResolvedSamples, load};
use schemaforge::samples::{
    self, LoadKind, Options, Owners, SampleError, SampleSet, SampleStep, preview, write_steps,
};
use serde_json::json;

fn resolved(json: &str) -> ResolvedDesign {
    let (design, _) = load(json).unwrap_or_else(|d| panic!("{d:?}"));
    schemaforge::design::resolve(&design).unwrap_or_else(|d| panic!("{d:?}"))
}

fn every_field_type(counts: &[(&str, u64)]) -> ResolvedDesign {
    let mut design = resolved(include_str!("../assets/examples/every_field_type.json"));
    design.samples = counts
        .iter()
        .map(|(t, n)| ResolvedSamples {
            table: design.tables.iter().position(|x| x.db_name == *t).unwrap(),
            spec: ResolvedSampleSpec::Count(*n),
        })
        .collect();
    design
}

fn text(set: &SampleSet) -> String {
    let mut out = Vec::new();
    write_steps(&mut out, &set.steps).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_rows() {
    let design = every_field_type(&[("projects", 30), ("tasks", 200), ("tags", 10)]);
    let options = Options {
        seed: 42,
        owners: Owners::Generated(3),
        ..Options::default()
    };
    let a = text(&samples::generate(&design, &options).unwrap());
    let b = text(&samples::generate(&design, &options).unwrap());
    assert_eq!(a, b);
    let other = text(
        &samples::generate(
            &design,
            &Options {
                seed: 43,
                ..options
            },
        )
        .unwrap(),
    );
    assert_ne!(a, other);
    // A second pass over one load yields the same rows again.
    let set = samples::generate(&design, &Options::with_seed(1)).unwrap();
    let load = set.loads().find(|l| l.table == "tasks").unwrap();
    assert_eq!(
        load.copy_lines().collect::<Vec<_>>(),
        load.copy_lines().collect::<Vec<_>>()
    );
}

#[test]
fn generated_values_pass_every_check_and_unique_is_unique() {
    let design = every_field_type(&[("projects", 40), ("tasks", 2000), ("tags", 10)]);
    let set = samples::generate(&design, &Options::with_seed(9)).unwrap();
    for load in set.loads().filter(|l| l.kind == LoadKind::Generated) {
        let table = design
            .tables
            .iter()
            .find(|t| t.db_name == load.table)
            .unwrap();
        let mut seen: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
        let mut rows = 0;
        for row in load.rows() {
            rows += 1;
            for (value, column) in row.iter().zip(&load.columns) {
                let Some(field) = table.fields.iter().find(|f| f.db_name == column.name) else {
                    continue;
                };
                assert_eq!(field.kind, FieldKind::Column, "{}", column.name);
                assert!(
                    !value.is_null() || field.nullable,
                    "{}.{} is required",
                    load.table,
                    column.name
                );
                for check in &field.checks {
                    assert!(
                        check.accepts(value),
                        "{}: {value} fails {check:?}",
                        column.name
                    );
                }
                if field.unique && !value.is_null() {
                    assert!(
                        seen.entry(&field.db_name)
                            .or_default()
                            .insert(value.to_string()),
                        "{}.{} repeats {value}",
                        load.table,
                        column.name
                    );
                }
            }
        }
        assert_eq!(rows, load.row_count);
    }
    // Computed fields (formula, lookup, count…) and triggers are never given a value.
    let tasks = set.loads().find(|l| l.table == "tasks").unwrap();
    for name in ["title_length", "project_name", "notify"] {
        assert!(!tasks.column_names().contains(&name), "{name}");
    }
}

#[test]
fn explicit_rows_with_a_wrong_type_name_table_row_and_field() {
    let mut design = every_field_type(&[]);
    let tasks = design
        .tables
        .iter()
        .position(|t| t.db_name == "tasks")
        .unwrap();
    let rows = vec![
        json!({"title": "ok", "status": "todo"}),
        json!({"title": "bad", "status": "todo", "priority": "high"}),
    ];
    design.samples = vec![ResolvedSamples {
        table: tasks,
        spec: ResolvedSampleSpec::Rows(
            rows.into_iter()
                .map(|r| r.as_object().unwrap().clone())
                .collect(),
        ),
    }];
    let err = samples::generate(&design, &Options::default()).unwrap_err();
    assert_eq!(
        err,
        SampleError::InvalidValue {
            table: "tasks".into(),
            row: 1,
            field: "priority".into(),
            message: "value \"high\" does not fit a rating field: expected a whole number".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "sample row 1 of \"tasks\", field \"priority\": value \"high\" does not fit a rating field: expected a whole number"
    );
    // Out of the choices, a computed field, a missing required value.
    for (row, field) in [
        (json!({"title": "x", "status": "later"}), "status"),
        (
            json!({"title": "x", "status": "todo", "title_length": 3}),
            "title_length",
        ),
        (json!({"status": "todo"}), "title"),
        (json!({"title": "x", "priority": 11}), "priority"),
        (
            json!({"title": "x", "parent_id": "not-a-uuid"}),
            "parent_id",
        ),
    ] {
        design.samples[0].spec = ResolvedSampleSpec::Rows(vec![row.as_object().unwrap().clone()]);
        match samples::generate(&design, &Options::default()) {
            Err(SampleError::InvalidValue {
                field: f, row: 0, ..
            }) => assert_eq!(f, field),
            other => panic!("{row}: {other:?}"),
        }
    }
}

#[test]
fn the_design_loader_rejects_bad_explicit_rows_too() {
    let json = include_str!("../assets/examples/every_field_type.json")
        .replace("\"Priority\": 4", "\"Priority\": \"high\"");
    let errors = load(&json).and_then(|(d, _)| schemaforge::design::resolve(&d).map(|_| d));
    let text = format!("{:?}", errors.unwrap_err());
    assert!(text.contains("samples.Tasks[0].Priority"), "{text}");
}

#[test]
fn impossible_samples_are_explained() {
    let cycle = resolved(
        r#"{"tables": [{"name": "A", "fields": []}, {"name": "B", "fields": []}],
            "relationships": [
              {"table": "a", "name": "b", "target": "b", "required": true},
              {"table": "b", "name": "a", "target": "a", "required": true}],
            "samples": {"a": 3, "b": 3}}"#,
    );
    let err = samples::generate(&cycle, &Options::default()).unwrap_err();
    assert_eq!(
        err,
        SampleError::RequiredCycle {
            cycle: vec!["a.b_id".into(), "b.a_id".into(), "a".into()]
        }
    );
    assert!(err.to_string().contains("a.b_id → b.a_id → a"), "{err}");

    let no_target = resolved(
        r#"{"tables": [{"name": "A", "fields": []}, {"name": "B", "fields": []}],
            "relationships": [{"table": "a", "name": "b", "target": "b", "required": true}],
            "samples": {"a": 3}}"#,
    );
    let err = samples::generate(&no_target, &Options::default()).unwrap_err();
    assert!(
        matches!(err, SampleError::NoRowsToReference { ref table, ref column, .. } if table == "a" && column == "b_id")
    );
    // Existing rows of the target are enough.
    let options = Options {
        existing: [(
            ("public".to_string(), "b".to_string()),
            vec!["5d4c2f0e-0b0a-4c2e-9a57-1f1f9e1c0001".to_string()],
        )]
        .into(),
        ..Options::default()
    };
    let set = samples::generate(&no_target, &options).unwrap();
    let rows: Vec<_> = set.loads().next().unwrap().rows().collect();
    assert!(
        rows.iter()
            .all(|r| r[1] == json!("5d4c2f0e-0b0a-4c2e-9a57-1f1f9e1c0001"))
    );

    let one_to_one = resolved(
        r#"{"tables": [{"name": "A", "fields": []}, {"name": "B", "fields": []}],
            "relationships": [{"table": "a", "name": "b", "target": "b", "required": true, "one_to_one": true}],
            "samples": {"a": 5, "b": 4}}"#,
    );
    assert!(matches!(
        samples::generate(&one_to_one, &Options::default()),
        Err(SampleError::NotEnoughTargets {
            rows: 5,
            available: 4,
            ..
        })
    ));

    let rating = resolved(
        r#"{"tables": [{"name": "A", "fields": [{"name": "Stars", "type": "rating", "options": {"unique": true, "max": 3}}]}],
            "samples": {"a": 5}}"#,
    );
    assert_eq!(
        samples::generate(&rating, &Options::default()).unwrap_err(),
        SampleError::UniqueCapacity {
            table: "a".into(),
            field: "stars".into(),
            wanted: 5,
            possible: 4
        }
    );
}

#[test]
fn owners_are_null_unless_chosen() {
    let design = every_field_type(&[("projects", 10), ("tasks", 50)]);
    let set = samples::generate(&design, &Options::default()).unwrap();
    assert!(
        set.loads()
            .all(|l| !l.column_names().contains(&"created_by"))
    );
    assert!(set.loads().all(|l| l.kind != LoadKind::DemoUsers));

    let ids = vec![
        "11111111-1111-4111-8111-111111111111".to_string(),
        "22222222-2222-4222-8222-222222222222".to_string(),
    ];
    let options = Options {
        owners: Owners::Existing(ids.clone()),
        ..Options::default()
    };
    let set = samples::generate(&design, &options).unwrap();
    let tasks = set.loads().find(|l| l.table == "tasks").unwrap();
    let at = tasks
        .column_names()
        .iter()
        .position(|c| *c == "created_by")
        .unwrap();
    let owners: HashSet<String> = tasks
        .rows()
        .map(|r| r[at].as_str().unwrap().to_string())
        .collect();
    assert_eq!(owners, ids.into_iter().collect());

    let set = samples::generate(
        &design,
        &Options {
            owners: Owners::Generated(3),
            ..Options::default()
        },
    )
    .unwrap();
    let SampleStep::Copy(first) = &set.steps[0] else {
        panic!("demo users first")
    };
    assert_eq!(
        (first.schema.as_str(), first.table.as_str()),
        ("auth", "users")
    );
    let emails: HashSet<String> = first.rows().map(|r| r[1].to_string()).collect();
    assert_eq!(emails.len(), 3);
}

#[test]
fn dependency_order_and_linking_spread() {
    let design = every_field_type(&[("tasks", 300), ("tags", 20), ("projects", 30)]);
    let set = samples::generate(&design, &Options::with_seed(2)).unwrap();
    let order: Vec<&str> = set.loads().map(|l| l.table.as_str()).collect();
    let at = |t: &str| order.iter().position(|x| *x == t).unwrap();
    assert!(at("projects") < at("tasks"));
    assert!(at("tags") < at("projects_tags") && at("projects") < at("projects_tags"));
    let links = set.loads().find(|l| l.table == "projects_tags").unwrap();
    let pairs: Vec<(String, String)> = links
        .rows()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(pairs.len() as u64, links.row_count);
    let distinct: HashSet<_> = pairs.iter().collect();
    assert_eq!(distinct.len(), pairs.len(), "pairs are unique");
    let sources: HashSet<_> = pairs.iter().map(|p| &p.0).collect();
    let targets: HashSet<_> = pairs.iter().map(|p| &p.1).collect();
    assert!(
        sources.len() > 15 && targets.len() > 15,
        "{} {}",
        sources.len(),
        targets.len()
    );
}

#[test]
fn preview_is_bounded_and_readable() {
    let design = every_field_type(&[("projects", 5), ("tasks", 100_000)]);
    let set = samples::generate(&design, &Options::default()).unwrap();
    let started = std::time::Instant::now();
    let tables = preview(&set, 3);
    let tasks = tables.iter().find(|t| t.table == "tasks").unwrap();
    assert_eq!(tasks.total, 100_000);
    assert_eq!(tasks.rows.len(), 3);
    assert_eq!(tasks.rows[0].len(), tasks.columns.len());
    let labels = tasks.columns.iter().position(|c| c == "labels").unwrap();
    assert!(
        tasks
            .rows
            .iter()
            .any(|r| r[labels].as_deref().is_some_and(|v| v.starts_with('{')))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(serde_json::to_value(&tables).unwrap().is_array());
}

#[test]
fn saved_plan_text_is_pg_dump_style() {
    let design = every_field_type(&[("projects", 2)]);
    let set = samples::generate(&design, &Options::with_seed(4)).unwrap();
    let text = text(&set);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("COPY \"public\".\"projects\" (\"id\", \"name\""));
    assert!(lines[0].ends_with(") FROM STDIN;"));
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1].split('\t').count(),
        set.loads().next().unwrap().columns.len()
    );
    assert_eq!(lines[3], "\\.");
}
