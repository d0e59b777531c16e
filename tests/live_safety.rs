//! Changing tables that hold data: a failed precondition says what to do, large tables get
//! the online forms, and a destructive change is refused by `apply --yes`, applied with
//! `--allow-destructive`, and marked in the TUI's preview.
mod common;

use common::{scalar, test_db};
use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::design;
use schemaforge::plan::{Plan, PlanSettings, StepKind, plan};
use schemaforge::tui::App;
use schemaforge::tui::app::{DesignState, Phase};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;
use serde_json::json;
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn todos(required_title: bool, max_length: Option<u32>, rls: bool) -> String {
    let mut options = json!({"required": required_title});
    if let Some(n) = max_length {
        options["max_length"] = json!(n);
    }
    json!({"tables": [{
        "name": "Todos",
        "fields": [{"name": "title", "type": "singleLineText", "options": options, "is_primary": true}],
        "rls_enabled": rls,
        "rls_policies": [{"name": "own", "operation": "ALL", "using_expression": "created_by = auth.uid()"}]
    }]})
    .to_string()
}

async fn plan_with(db: &Client, text: &str, settings: &PlanSettings) -> Plan {
    let catalog: Catalog = schemaforge::db::catalog::read(db).await.unwrap();
    let (parsed, _) = design::parse(text).unwrap_or_else(|d| panic!("{d:?}"));
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved =
        design::resolve_with_known_tables(&parsed, &known).unwrap_or_else(|d| panic!("{d:?}"));
    plan(&resolved, &catalog, settings).unwrap_or_else(|e| panic!("{e:?}"))
}

async fn run(db: &Client, plan: &Plan) -> Result<(), String> {
    apply(
        db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[tokio::test]
async fn requiring_a_field_that_has_nulls_fails_with_what_to_do() {
    let db = test_db().await;
    let settings = PlanSettings::default();
    run(
        &db,
        &plan_with(&db, &todos(false, None, true), &settings).await,
    )
    .await
    .unwrap();
    db.batch_execute(
        "INSERT INTO public.todos (title) SELECT NULL FROM generate_series(1, 12); \
         INSERT INTO public.todos (title) VALUES ('kept')",
    )
    .await
    .unwrap();
    let plan = plan_with(&db, &todos(true, None, true), &settings).await;
    let err = run(&db, &plan).await.expect_err("the precondition fails");
    assert!(
        err.contains("12 rows of public.todos have no title; give them a value or a default first"),
        "{err}"
    );
    // Nothing changed: the column is still nullable and the rows are there.
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM public.todos")
            .await
            .as_deref(),
        Some("13")
    );
    // Once the rows have a value, the same plan goes through and re-plans empty.
    db.batch_execute("UPDATE public.todos SET title = 'filled' WHERE title IS NULL")
        .await
        .unwrap();
    let plan = plan_with(&db, &todos(true, None, true), &settings).await;
    run(&db, &plan).await.unwrap();
    assert!(
        plan_with(&db, &todos(true, None, true), &settings)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn large_tables_get_not_valid_then_validate() {
    let db = test_db().await;
    let settings = PlanSettings {
        large_table_rows: 10,
        ..PlanSettings::default()
    };
    run(
        &db,
        &plan_with(&db, &todos(false, None, true), &settings).await,
    )
    .await
    .unwrap();
    db.batch_execute(
        "INSERT INTO public.todos (title) SELECT 'row ' || i FROM generate_series(1, 50) AS i; \
         ANALYZE public.todos",
    )
    .await
    .unwrap();
    let design = todos(true, Some(40), true);
    let plan = plan_with(&db, &design, &settings).await;
    let text = plan.bundle().text;
    let kinds: Vec<StepKind> = plan.steps.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&StepKind::ValidateConstraint), "{text}");
    assert!(
        text.contains(
            "ADD CONSTRAINT \"todos_title_check\" CHECK (char_length(\"title\") <= 40) NOT VALID"
        ),
        "{text}"
    );
    assert!(
        text.contains("CHECK (\"title\" IS NOT NULL) NOT VALID"),
        "{text}"
    );
    assert!(
        text.contains("-- ACCESS EXCLUSIVE lock · scans the table · about 50 rows"),
        "{text}"
    );
    run(&db, &plan).await.unwrap();
    let again = plan_with(&db, &design, &settings).await;
    assert!(again.is_empty(), "{}", again.bundle().text);
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(conname || ':' || convalidated, ',' ORDER BY conname) FROM pg_constraint \
             WHERE conrelid = 'public.todos'::regclass AND contype = 'c'"
        )
        .await
        .as_deref(),
        Some("todos_title_check:true")
    );
}

#[tokio::test]
async fn turning_rls_off_is_destructive_everywhere() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-live-safety-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let on = dir.join("on.json");
    let off = dir.join("off.json");
    std::fs::write(&on, todos(false, None, true)).unwrap();
    std::fs::write(&off, todos(false, None, false)).unwrap();
    let cli = |args: &[&str]| common::cli(&db.url, args);
    common::assert_success(&cli(&["apply", on.to_str().unwrap(), "--yes"]));

    let out = cli(&["apply", off.to_str().unwrap(), "--yes"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("DISABLE ROW LEVEL SECURITY"), "{err}");
    let rls = "SELECT relrowsecurity::text FROM pg_class WHERE oid = 'public.todos'::regclass";
    assert_eq!(scalar(&db, rls).await.as_deref(), Some("true"));

    // The TUI's preview marks it before anything is applied.
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.model.design = Some(DesignState {
        design: design::parse(&todos(false, None, false)).unwrap().0,
        file: None,
    });
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    let view = h.app.model.plan.clone().expect("a plan");
    assert_eq!(view.summary.destructive, 1);
    assert!(
        view.bundle
            .statements
            .iter()
            .any(|s| s.destructive && view.bundle.text[s.range.clone()].contains("DISABLE")),
        "{}",
        view.bundle.text
    );
    h.app.view.phase = Phase::Preview;
    let screen = h.screen(160, 45);
    assert!(screen.contains("1 destructive step"), "{screen}");
    assert!(
        screen.contains("DESTRUCTIVE · ACCESS EXCLUSIVE lock"),
        "{screen}"
    );

    common::assert_success(&cli(&[
        "apply",
        off.to_str().unwrap(),
        "--yes",
        "--allow-destructive",
    ]));
    assert_eq!(scalar(&db, rls).await.as_deref(), Some("false"));
    std::fs::remove_dir_all(dir).unwrap();
}
