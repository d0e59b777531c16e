//! Sample rows against a real server: the tables of a design using every field type are
//! created (by a small test-only DDL writer that follows SPEC.md; the planner is not needed),
//! the samples are loaded with `db::copy`, and the server's constraints do the checking.

mod common;

use schemaforge::db::copy::{copy_rows, run_steps};
use schemaforge::design::field_types::{EMAIL_PATTERN, PHONE_PATTERN, URL_PATTERN};
use schemaforge::design::{
    Check, DefaultValue, FieldKind, OnDelete, PgType, RelationshipKind, ResolvedDesign,
    ResolvedSampleSpec, Target, load,
};
use schemaforge::samples::{self, Options, Owners, SampleSet};
use schemaforge::sql::{ident, literal, qualified};
use serde_json::Value;

use common::scalar;

/// The resolved design of a JSON text.
fn resolved(json: &str) -> ResolvedDesign {
    let (design, _) = load(json).unwrap_or_else(|d| panic!("{d:?}"));
    schemaforge::design::resolve(&design).unwrap_or_else(|d| panic!("{d:?}"))
}

fn every_field_type() -> ResolvedDesign {
    resolved(include_str!("../assets/examples/every_field_type.json"))
}

fn with_counts(mut design: ResolvedDesign, counts: &[(&str, u64)]) -> ResolvedDesign {
    design.samples.clear();
    for (table, n) in counts {
        let ti = design
            .tables
            .iter()
            .position(|t| t.db_name == *table)
            .unwrap();
        design.samples.push(schemaforge::design::ResolvedSamples {
            table: ti,
            spec: ResolvedSampleSpec::Count(*n),
        });
    }
    design
}

fn default_sql(value: &Value, pg: PgType) -> String {
    match (value, pg) {
        (_, PgType::Jsonb) => format!("{}::jsonb", literal(&value.to_string())),
        (Value::Array(items), _) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| literal(i.as_str().unwrap_or_default()))
                .collect();
            format!("ARRAY[{}]::text[]", items.join(", "))
        }
        (Value::String(s), _) => literal(s),
        (other, _) => other.to_string(),
    }
}

fn check_sql(check: &Check, col: &str) -> String {
    let col = ident(col);
    let list = |c: &[String]| c.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ");
    match check {
        Check::MaxLength(n) => format!("char_length({col}) <= {n}"),
        Check::InChoices(c) => format!("{col} IN ({})", list(c)),
        Check::SubsetOf(c) => format!("{col} <@ ARRAY[{}]::text[]", list(c)),
        Check::JsonArray => format!("jsonb_typeof({col}) = 'array'"),
        Check::EmailPattern => format!("{col} ~* {}", literal(EMAIL_PATTERN)),
        Check::PhonePattern => format!("{col} ~ {}", literal(PHONE_PATTERN)),
        Check::HttpUrl => format!("{col} ~* {}", literal(URL_PATTERN)),
        Check::Between(a, b) => format!("{col} BETWEEN {a} AND {b}"),
    }
}

/// The tables, columns, constraints and foreign keys SPEC.md describes (no RLS, views,
/// triggers or indexes: they do not constrain rows).
fn ddl(design: &ResolvedDesign) -> String {
    let s = &design.schema;
    let mut sql = String::new();
    for t in &design.tables {
        let mut cols = vec![
            "\"id\" uuid PRIMARY KEY DEFAULT gen_random_uuid()".to_string(),
            "\"created_at\" timestamptz NOT NULL DEFAULT now()".into(),
            "\"updated_at\" timestamptz NOT NULL DEFAULT now()".into(),
            "\"created_by\" uuid DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE SET NULL"
                .into(),
            "\"updated_by\" uuid".into(),
        ];
        for f in &t.fields {
            let Some(pg) = f.pg_type else { continue };
            let mut c = format!("{} {}", ident(&f.db_name), pg.sql());
            match &f.kind {
                FieldKind::Column => {}
                FieldKind::Generated { expression } => {
                    c.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
                    cols.push(c);
                    continue;
                }
                _ => continue,
            }
            if !f.nullable {
                c.push_str(" NOT NULL");
            }
            match &f.default {
                Some(DefaultValue::Literal(v)) => {
                    c.push_str(&format!(" DEFAULT {}", default_sql(v, pg)))
                }
                Some(DefaultValue::Expression(e)) => c.push_str(&format!(" DEFAULT {e}")),
                None => {}
            }
            if f.unique {
                c.push_str(" UNIQUE");
            }
            if !f.checks.is_empty() {
                let body: Vec<String> = f.checks.iter().map(|k| check_sql(k, &f.db_name)).collect();
                c.push_str(&format!(" CHECK ({})", body.join(" AND ")));
            }
            cols.push(c);
        }
        sql.push_str(&format!(
            "CREATE TABLE {} (\n  {}\n);\n",
            qualified(s, &t.db_name),
            cols.join(",\n  ")
        ));
    }
    let target_sql = |target: &Target| match target {
        Target::Designed { db_name, .. } => qualified(s, db_name),
        Target::External { schema, table } => qualified(schema, table),
    };
    for r in &design.relationships {
        match &r.kind {
            RelationshipKind::ForeignKey {
                column,
                nullable,
                on_delete,
                unique_constraint,
                ..
            } => sql.push_str(&format!(
                "ALTER TABLE {} ADD COLUMN {} uuid{} REFERENCES {} (id) ON DELETE {}{};\n",
                qualified(s, &r.table_db_name),
                ident(column),
                if *nullable { "" } else { " NOT NULL" },
                target_sql(&r.target),
                match on_delete {
                    OnDelete::Cascade => "CASCADE",
                    OnDelete::Restrict => "RESTRICT",
                    OnDelete::SetNull => "SET NULL",
                },
                if unique_constraint.is_some() {
                    " UNIQUE"
                } else {
                    ""
                },
            )),
            RelationshipKind::Linking {
                table,
                source_column,
                target_column,
                ..
            } => sql.push_str(&format!(
                "CREATE TABLE {} ({} uuid NOT NULL REFERENCES {} (id) ON DELETE CASCADE, \
                 {} uuid NOT NULL REFERENCES {} (id) ON DELETE CASCADE, \
                 created_at timestamptz NOT NULL DEFAULT now(), \
                 created_by uuid DEFAULT auth.uid() REFERENCES auth.users (id), \
                 PRIMARY KEY ({}, {}));\n",
                qualified(s, table),
                ident(source_column),
                qualified(s, &r.table_db_name),
                ident(target_column),
                target_sql(&r.target),
                ident(source_column),
                ident(target_column),
            )),
        }
    }
    sql
}

async fn count(db: &tokio_postgres::Client, sql: &str) -> u64 {
    scalar(db, sql).await.unwrap().parse().unwrap()
}

async fn load_all(db: &tokio_postgres::Client, design: &ResolvedDesign, set: &SampleSet) {
    db.batch_execute(&ddl(design))
        .await
        .unwrap_or_else(|e| panic!("{}", schemaforge::db::server_error::describe(&e)));
    db.batch_execute("BEGIN").await.unwrap();
    let loaded = run_steps(db, &set.steps)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.batch_execute("COMMIT").await.unwrap();
    assert_eq!(loaded, set.total_rows());
}

#[tokio::test]
async fn every_field_type_loads_with_zero_violations() {
    let db = common::test_db().await;
    let design = with_counts(
        every_field_type(),
        &[("projects", 60), ("tasks", 500), ("tags", 25)],
    );
    let options = Options {
        seed: 11,
        owners: Owners::Generated(4),
        ..Options::default()
    };
    let set = samples::generate(&design, &options).unwrap();
    load_all(&db, &design, &set).await;

    for ((schema, table), n) in set.counts() {
        let q = format!("SELECT count(*) FROM {}", qualified(&schema, &table));
        assert_eq!(count(&db, &q).await, n, "{schema}.{table}");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM public.tasks").await, 500);
    assert_eq!(count(&db, "SELECT count(*) FROM auth.users").await, 4);
    // Every task points at a project that exists (the FK is also enforced by the server).
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks t LEFT JOIN public.projects p ON p.id = t.project_id \
             WHERE p.id IS NULL"
        )
        .await,
        0
    );
    // The projects are really spread over, not all on one.
    assert!(count(&db, "SELECT count(DISTINCT project_id) FROM public.tasks").await > 30);
    // Linking pairs: unique, and a spread over many projects and tags.
    let link = "public.projects_tags";
    let pairs = count(&db, &format!("SELECT count(*) FROM {link}")).await;
    assert!(pairs > 40, "only {pairs} pairs");
    let columns: Vec<String> = set
        .loads()
        .find(|l| l.table == "projects_tags")
        .unwrap()
        .columns
        .iter()
        .map(|c| ident(&c.name))
        .collect();
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(DISTINCT ({}, {})) FROM {link}",
                columns[0], columns[1]
            )
        )
        .await,
        pairs
    );
    // Owners are spread over the demo users; the reviewer points at them too.
    assert!(count(&db, "SELECT count(DISTINCT created_by) FROM public.tasks").await >= 3);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE created_by IS NULL"
        )
        .await,
        0
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE reviewer_id IS NOT NULL"
        )
        .await
            > 0
    );
    // One-to-one self-reference: no parent twice, none pointing at itself.
    assert!(count(&db, "SELECT count(parent_id) FROM public.tasks").await > 100);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE parent_id = id"
        )
        .await,
        0
    );
    // Values of every type arrived: a unique integer sequence, arrays, json, intervals.
    assert_eq!(
        count(&db, "SELECT count(DISTINCT position) FROM public.tasks").await,
        500
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE cardinality(labels) > 0"
        )
        .await
            > 0
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE time_spent > interval '0'"
        )
        .await
            > 0
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE jsonb_array_length(files) > 0"
        )
        .await
            > 0
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE notes LIKE '%' || chr(10) || '%'"
        )
        .await
            > 0
    );
}

#[tokio::test]
async fn explicit_rows_load_as_given_with_defaults_for_the_rest() {
    let db = common::test_db().await;
    // The example's own samples: 5 projects, two explicit tasks giving different columns.
    let design = every_field_type();
    let set = samples::generate(&design, &Options::with_seed(3)).unwrap();
    load_all(&db, &design, &set).await;
    assert_eq!(count(&db, "SELECT count(*) FROM public.projects").await, 5);
    assert_eq!(count(&db, "SELECT count(*) FROM public.tasks").await, 2);
    assert_eq!(
        scalar(&db, "SELECT status || ' ' || estimate || ' ' || priority FROM public.tasks WHERE title = 'Write the spec'")
            .await
            .unwrap(),
        "doing 2.50 4"
    );
    // The second row gave no status: the column default applies.
    assert_eq!(
        scalar(&db, "SELECT status || ' ' || completed || ' ' || contact_email FROM public.tasks WHERE title = 'Fix the bug'")
            .await
            .unwrap(),
        "todo true dev@example.com"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM public.tasks WHERE project_id IS NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_cycle_is_loaded_in_two_steps() {
    let db = common::test_db().await;
    let design = resolved(
        r#"{"tables": [
            {"name": "Teams", "fields": [{"name": "Name", "type": "singleLineText", "options": {"required": true}}]},
            {"name": "People", "fields": [{"name": "Full name", "type": "singleLineText"}]}
        ],
        "relationships": [
            {"table": "people", "name": "team", "target": "teams", "required": true},
            {"table": "teams", "name": "lead", "target": "people", "one_to_one": true},
            {"table": "people", "name": "mentor", "target": "people"},
            {"table": "people", "name": "friends", "target": "people", "allow_multiple": true}
        ],
        "samples": {"teams": 20, "people": 300}}"#,
    );
    let set = samples::generate(&design, &Options::with_seed(5)).unwrap();
    load_all(&db, &design, &set).await;
    assert_eq!(count(&db, "SELECT count(*) FROM public.people").await, 300);
    assert_eq!(count(&db, "SELECT count(*) FROM public.teams").await, 20);
    let leads = count(&db, "SELECT count(lead_id) FROM public.teams").await;
    assert!(leads >= 10, "{leads} leads set by the follow-up");
    assert!(count(&db, "SELECT count(mentor_id) FROM public.people").await > 100);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM public.people_people WHERE people_id = friends_id"
        )
        .await,
        0,
        "no one is their own friend"
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM pg_catalog.pg_class WHERE relname LIKE 'schemaforge_samples_fix%'"
        )
        .await
            == 0,
        "the staging table is dropped"
    );
}

#[tokio::test]
async fn copy_rows_takes_plain_lines_and_reports_violations() {
    let db = common::test_db().await;
    db.batch_execute("CREATE TABLE public.t (a int PRIMARY KEY, b text[])")
        .await
        .unwrap();
    let n = copy_rows(
        &db,
        "public",
        "t",
        &["a", "b"],
        (0..100_000).map(|i| format!("{i}\t{{\"x\\\\\"y\",\"z\"}}\n")),
    )
    .await
    .unwrap();
    assert_eq!(n, 100_000);
    assert_eq!(
        scalar(&db, "SELECT b[1] FROM public.t WHERE a = 7")
            .await
            .unwrap(),
        "x\"y"
    );
    let err = copy_rows(&db, "public", "t", &["a"], ["1\n"])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("public.t"), "{err}");
    assert!(err.message.contains("duplicate key"), "{}", err.message);
}
