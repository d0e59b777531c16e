//! The real binary refuses what it must not run: a design that would change a managed schema
//! (exit 2, nothing sent) and, with `--yes` alone, a plan that drops something (exit 5).
mod common;

use common::{TestDb, scalar, test_db};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/assets/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A scratch directory of this test's own.
fn scratch(db: &TestDb) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-guards-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn has_column(db: &TestDb, schema: &str, table: &str, column: &str) -> bool {
    scalar(
        db,
        &format!(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = '{table}' AND column_name = '{column}'"
        ),
    )
    .await
    .as_deref()
        == Some("1")
}

#[tokio::test]
async fn a_design_in_auth_is_refused_and_auth_users_keeps_its_email() {
    let db = test_db().await;
    assert!(has_column(&db, "auth", "users", "email").await);
    let out = common::cli(
        &db.url,
        &[
            "apply",
            &fixture("auth_drop_email.json"),
            "--yes",
            "--allow-destructive",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("schema: \"auth\" is managed"), "{err}");
    assert!(has_column(&db, "auth", "users", "email").await, "{err}");
    assert_eq!(
        scalar(
            &db,
            "SELECT relrowsecurity::text FROM pg_class WHERE oid = 'auth.users'::regclass"
        )
        .await
        .as_deref(),
        Some("false"),
        "RLS on auth.users untouched"
    );

    for command in ["plan", "lint", "export"] {
        let out = common::cli(&db.url, &[command, &fixture("auth_drop_email.json")]);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        if command == "lint" {
            // lint reports the refusal as its finding, and nothing else.
            assert!(stdout.contains("\"auth\" is managed"), "lint: {stdout}");
            assert!(!stdout.contains("ALTER TABLE"), "lint: {stdout}");
        } else {
            assert!(
                stdout.is_empty(),
                "{command}: nothing printed but the error"
            );
            assert!(stderr(&out).contains("schema: \"auth\" is managed"));
        }
    }

    let dir = scratch(&db);
    let catalog = dir.join("pg_catalog.json");
    std::fs::write(
        &catalog,
        r#"{"schema": "pg_catalog", "tables": [{"name": "notes", "fields": [{"name": "t", "type": "singleLineText"}]}]}"#,
    )
    .unwrap();
    let out = common::cli(&db.url, &["plan", catalog.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no SQL printed");
    assert!(stderr(&out).contains("schema: \"pg_catalog\" is managed"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_hostile_trigger_function_is_a_validation_error() {
    let db = test_db().await;
    let dir = scratch(&db);
    let file = dir.join("trigger.json");
    std::fs::write(
        &file,
        serde_json::json!({"tables": [{"name": "notes", "fields": [
            {"name": "title", "type": "singleLineText", "is_primary": true},
            {"name": "hook", "type": "trigger", "options": {"timing": "AFTER", "events": ["INSERT"],
             "function": "public.f(); drop table auth.users; --"}}
        ]}]})
        .to_string(),
    )
    .unwrap();
    let out = common::cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("tables[0].fields[1].options.function"),
        "{err}"
    );
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.notes')::text").await,
        None
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn destructive_plans_need_allow_destructive_with_yes() {
    let db = test_db().await;
    let dir = scratch(&db);
    let run = |args: &[&str]| common::cli(&db.url, args);
    let first = dir.join("todos.json");
    std::fs::write(&first, example("todos.json")).unwrap();
    common::assert_success(&run(&["apply", first.to_str().unwrap(), "--yes"]));
    db.batch_execute("ALTER TABLE public.todos ADD COLUMN legacy text")
        .await
        .unwrap();

    let mut design: serde_json::Value = serde_json::from_str(&example("todos.json")).unwrap();
    design["tables"][0]["drop_columns"] = serde_json::json!(["legacy"]);
    let dropping = dir.join("drop.json");
    std::fs::write(&dropping, design.to_string()).unwrap();
    let dropping = dropping.to_str().unwrap();

    let out = run(&["apply", dropping, "--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("--allow-destructive"), "{err}");
    assert!(err.contains("DROP COLUMN \"legacy\""), "{err}");
    assert!(has_column(&db, "public", "todos", "legacy").await);

    // A saved plan is judged from its own statements.
    let saved = dir.join("drop.plan");
    common::assert_success(&run(&["plan", dropping, "--out", saved.to_str().unwrap()]));
    let out = run(&["apply", "--plan", saved.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("DROP COLUMN \"legacy\""));
    assert!(has_column(&db, "public", "todos", "legacy").await);
    // A dry run changes nothing, so it needs no permission.
    common::assert_success(&run(&["apply", dropping, "--yes", "--dry-run"]));
    assert!(has_column(&db, "public", "todos", "legacy").await);

    let out = run(&[
        "apply",
        "--plan",
        saved.to_str().unwrap(),
        "--yes",
        "--allow-destructive",
    ]);
    common::assert_success(&out);
    assert!(!has_column(&db, "public", "todos", "legacy").await);

    // From the design file too.
    db.batch_execute("ALTER TABLE public.todos ADD COLUMN legacy text")
        .await
        .unwrap();
    common::assert_success(&run(&["apply", dropping, "--yes", "--allow-destructive"]));
    assert!(!has_column(&db, "public", "todos", "legacy").await);
    std::fs::remove_dir_all(dir).unwrap();
}
