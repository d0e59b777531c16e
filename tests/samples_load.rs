//! Sample rows against a real server: the tables of a design are created the way
//! `schemaforge apply` creates them (parse → catalog → resolve → plan → apply), the samples
//! are loaded with `db::copy`, and the server's constraints do the checking.

mod common;

use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::copy::{copy_data, copy_rows, run_steps};
use schemaforge::design::{self, ResolvedDesign, ResolvedSampleSpec};
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::samples::{self, Options, Owners, SampleSet, copy_text};
use schemaforge::sql::{ident, qualified};
use tokio_postgres::Client;

use common::scalar;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/assets/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Creates the tables of a design as `schemaforge apply` does and returns the resolved
/// design (resolved against the live catalog, so `auth.users` is a known target).
async fn create_tables(db: &Client, text: &str) -> ResolvedDesign {
    let catalog = schemaforge::db::catalog::read(db).await.unwrap();
    let (parsed, _) = design::parse(text).unwrap_or_else(|d| panic!("{d:?}"));
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved =
        design::resolve_with_known_tables(&parsed, &known).unwrap_or_else(|d| panic!("{d:?}"));
    let plan =
        plan(&resolved, &catalog, &PlanSettings::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let bundle = plan.bundle();
    apply(db, &bundle, false, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bundle.text));
    resolved
}

/// The tables of `every_field_type.json` (whose trigger calls an existing function).
async fn every_field_type(db: &Client) -> ResolvedDesign {
    db.batch_execute(
        "CREATE FUNCTION public.notify_task_change() RETURNS trigger LANGUAGE plpgsql \
         AS $$ BEGIN RETURN NULL; END $$",
    )
    .await
    .unwrap();
    create_tables(db, &example("every_field_type.json")).await
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

async fn count(db: &tokio_postgres::Client, sql: &str) -> u64 {
    scalar(db, sql).await.unwrap().parse().unwrap()
}

/// Loads every step in one transaction, as the bundle would.
async fn load_all(db: &Client, set: &SampleSet) {
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
        every_field_type(&db).await,
        &[("projects", 60), ("tasks", 500), ("tags", 25)],
    );
    let options = Options {
        seed: 11,
        owners: Owners::Generated(4),
        ..Options::default()
    };
    let set = samples::generate(&design, &options).unwrap();
    load_all(&db, &set).await;

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
    let design = every_field_type(&db).await;
    let set = samples::generate(&design, &Options::with_seed(3)).unwrap();
    load_all(&db, &set).await;
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
    let design = create_tables(
        &db,
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
    )
    .await;
    let set = samples::generate(&design, &Options::with_seed(5)).unwrap();
    load_all(&db, &set).await;
    assert_eq!(count(&db, "SELECT count(*) FROM public.people").await, 300);
    assert_eq!(count(&db, "SELECT count(*) FROM public.teams").await, 20);
    let leads = count(&db, "SELECT count(lead_id) FROM public.teams").await;
    assert!(leads >= 10, "{leads} leads set by the follow-up");
    assert!(count(&db, "SELECT count(mentor_id) FROM public.people").await > 100);
    // Every key points at a row that exists; one-to-one stays unique; pairs are unique and
    // spread over many people.
    for (sql, what) in [
        (
            "SELECT count(*) FROM public.people p LEFT JOIN public.people m ON m.id = p.mentor_id \
             WHERE p.mentor_id IS NOT NULL AND m.id IS NULL",
            "dangling mentors",
        ),
        (
            "SELECT count(*) FROM public.teams t LEFT JOIN public.people p ON p.id = t.lead_id \
             WHERE t.lead_id IS NOT NULL AND p.id IS NULL",
            "dangling leads",
        ),
        (
            "SELECT count(lead_id) - count(DISTINCT lead_id) FROM public.teams",
            "a person leading two teams",
        ),
        (
            "SELECT count(*) - count(DISTINCT (people_id, friends_id)) FROM public.people_people",
            "duplicate pairs",
        ),
    ] {
        assert_eq!(count(&db, sql).await, 0, "{what}");
    }
    assert!(
        count(
            &db,
            "SELECT count(DISTINCT people_id) FROM public.people_people"
        )
        .await
            > 150
    );
    assert!(
        count(
            &db,
            "SELECT count(DISTINCT friends_id) FROM public.people_people"
        )
        .await
            > 150
    );
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

/// Two tables pointing at each other (a cycle of optional keys), with awkward array values.
const CYCLE: &str = r#"{"tables": [
    {"name": "Teams", "fields": [{"name": "Name", "type": "singleLineText", "options": {"required": true, "unique": true}}]},
    {"name": "People", "fields": [{"name": "Bio", "type": "multiLineText"}, {"name": "Skills", "type": "multiSelect", "options": {"choices": ["a\\b", "c,d", "e\"f"]}}]}
  ],
  "relationships": [
    {"table": "people", "name": "team", "target": "teams"},
    {"table": "teams", "name": "lead", "target": "people", "one_to_one": true}
  ],
  "samples": {"teams": 15, "people": 400}}"#;

/// A digest of the rows, leaving out the timestamps the server fills in.
async fn digest(db: &Client) -> String {
    scalar(
        db,
        "SELECT md5((SELECT string_agg(concat_ws('|', id, name, lead_id), ',' ORDER BY id) FROM public.teams) \
         || (SELECT string_agg(concat_ws('|', id, team_id, bio, skills::text), ',' ORDER BY id) FROM public.people))",
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_saved_plan_with_copy_blocks_loads_the_same_rows() {
    let db = common::test_db().await;
    let design = create_tables(&db, CYCLE).await;
    let set = samples::generate(&design, &Options::with_seed(8)).unwrap();
    let mut text = b"BEGIN;\n".to_vec();
    samples::write_steps(&mut text, &set.steps).unwrap();
    text.extend_from_slice(b"COMMIT;\n");
    let text = String::from_utf8(text).unwrap();
    let parts = copy_text::split_copy_blocks(&text).unwrap();
    assert!(
        parts
            .iter()
            .any(|p| matches!(p, copy_text::SavedPart::Sql(s) if s.contains("UPDATE"))),
        "the cycle's follow-up is plain SQL"
    );
    let mut rows = 0;
    for part in parts {
        match part {
            copy_text::SavedPart::Sql(sql) => db.batch_execute(sql).await.unwrap(),
            copy_text::SavedPart::Copy { statement, data } => {
                rows += copy_data(&db, statement, data)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
            }
        }
    }
    // The staging rows of the cycle are copied too.
    let staged: u64 = set
        .loads()
        .filter(|l| l.kind == samples::LoadKind::FollowUp)
        .map(|l| l.row_count)
        .sum();
    assert!(staged > 0);
    assert_eq!(rows, set.total_rows() + staged);
    assert_eq!(count(&db, "SELECT count(*) FROM public.people").await, 400);
    assert_eq!(count(&db, "SELECT count(*) FROM public.teams").await, 15);
    assert!(count(&db, "SELECT count(lead_id) FROM public.teams").await > 5);
    assert!(count(&db, "SELECT count(team_id) FROM public.people").await > 200);
    // Values with backslashes, commas and quotes survive the file form.
    assert!(
        count(
            &db,
            "SELECT count(*) FROM public.people WHERE skills && ARRAY['a\\b', 'e\"f']"
        )
        .await
            > 0
    );
    // The file form and the direct load give the very same rows; another seed does not.
    let direct = common::test_db().await;
    create_tables(&direct, CYCLE).await;
    load_all(&direct, &set).await;
    assert_eq!(digest(&db).await, digest(&direct).await);
    let other = common::test_db().await;
    create_tables(&other, CYCLE).await;
    load_all(
        &other,
        &samples::generate(&design, &Options::with_seed(9)).unwrap(),
    )
    .await;
    assert_ne!(digest(&db).await, digest(&other).await);
}

/// The TUI runs loads on tokio tasks: the load future must be `Send`.
#[test]
fn loading_can_run_on_a_spawned_task() {
    fn assert_send<T: Send>(_: &T) {}
    fn check(client: &'static Client, set: &'static SampleSet) {
        assert_send(&run_steps(client, &set.steps));
        assert_send(&schemaforge::db::copy::copy_load(
            client,
            set.loads().next().unwrap(),
        ));
    }
    let _ = check;
}

#[tokio::test]
async fn a_required_one_to_one_self_reference_closes_a_ring() {
    let db = common::test_db().await;
    let design = create_tables(
        &db,
        r#"{"tables": [{"name": "Nodes", "fields": [{"name": "Label", "type": "singleLineText"}]}],
            "relationships": [{"table": "nodes", "name": "next", "target": "nodes", "one_to_one": true, "required": true}],
            "samples": {"nodes": 250}}"#,
    )
    .await;
    let set = samples::generate(&design, &Options::with_seed(1)).unwrap();
    load_all(&db, &set).await;
    assert_eq!(
        count(&db, "SELECT count(DISTINCT next_id) FROM public.nodes").await,
        250
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM public.nodes WHERE next_id = id").await,
        0
    );
}
