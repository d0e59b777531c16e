//! The linter on a live database with seeded mistakes, and `schemaforge lint` end to end:
//! text and JSON output, exit codes 0 / 2 / 4, a design linted before apply, --simulate.
mod common;

use common::{TestDb, test_db};
use schemaforge::rls::lint::{Level, LintContext, lint};

const MISTAKES: &str = "
    CREATE TABLE public.open_notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text);
    CREATE TABLE public.notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid DEFAULT auth.uid(),
        org_id uuid NOT NULL
    );
    -- Indexed as policies need (rls_column_unindexed has tests of its own).
    CREATE INDEX ON public.notes (owner_id);
    CREATE INDEX ON public.notes (org_id);
    ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY bare_uid ON public.notes FOR SELECT TO authenticated USING (owner_id = auth.uid());
    CREATE POLICY org_claim ON public.notes FOR UPDATE TO authenticated
        USING (((select auth.jwt()) ->> 'org_id')::uuid = org_id);
";

async fn seeded() -> TestDb {
    let db = test_db().await;
    db.batch_execute(MISTAKES).await.unwrap();
    db
}

#[tokio::test]
async fn the_linter_finds_seeded_mistakes_in_a_live_database() {
    let db = seeded().await;
    let findings = lint(
        &schemaforge::db::catalog::read(&db).await.unwrap(),
        &LintContext::live(),
    );
    let got: Vec<(&str, Level, &str)> = findings
        .iter()
        .map(|f| (f.rule, f.level, f.object.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("rls_disabled_in_public", Level::Error, "public.open_notes"),
            ("auth_rls_initplan", Level::Warn, "public.notes.bare_uid"),
            ("invented_jwt_claim", Level::Warn, "public.notes.org_claim"),
        ],
        "{findings:#?}"
    );
    assert!(findings[2].message.contains("'org_id'"));
    assert!(
        findings[1]
            .remedy
            .contains("owner_id = ( SELECT auth.uid() AS uid)")
            || findings[1].remedy.contains("(select auth.uid())"),
        "{}",
        findings[1].remedy
    );
}

fn run(db: &TestDb, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", &db.url, "lint"])
        .args(args)
        .output()
        .unwrap()
}

fn temp_design(db: &TestDb, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "schemaforge-lint-{}-{}.json",
        std::process::id(),
        db.name
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn lint_command_exit_codes_text_and_json() {
    let db = seeded().await;
    let out = run(&db, &[]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("error  rls_disabled_in_public  public.open_notes\n"),
        "{text}"
    );
    assert!(text.contains("fix: ALTER TABLE \"public\".\"open_notes\" ENABLE ROW LEVEL SECURITY"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3 findings: 1 error, 2 warnings, 0 info")
    );

    let out = run(&db, &["--json"]);
    assert_eq!(out.status.code(), Some(4));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["findings"][0];
    assert_eq!(first["rule"], "rls_disabled_in_public");
    assert_eq!(first["level"], "error");
    assert_eq!(first["object"], "public.open_notes");
    assert!(first["message"].is_string() && first["remedy"].is_string());

    // Fix the error: exit 0 even though warnings remain.
    db.batch_execute("ALTER TABLE public.open_notes ENABLE ROW LEVEL SECURITY")
        .await
        .unwrap();
    let out = run(&db, &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["level"] != "error")
    );
}

#[tokio::test]
async fn lint_judges_a_design_before_it_is_applied() {
    let db = test_db().await;
    let bad = serde_json::json!({"tables": [{
        "name": "Notes",
        "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}],
        "rls_policies": [
            {"name": "by org", "operation": "SELECT", "using_expression": "org_id = (auth.jwt() ->> 'org_id')::uuid"},
            {"name": "meta", "operation": "UPDATE", "using_expression": "(auth.jwt() -> 'user_metadata' ->> 'admin') = 'true'"}
        ]
    }]});
    let file = temp_design(&db, &bad.to_string());
    let out = run(&db, &[file.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["object"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("policy_unknown_column", "public.notes.by org"),
        ("rls_references_user_metadata", "public.notes.meta"),
        ("invented_jwt_claim", "public.notes.by org"),
    ] {
        assert!(
            rules.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {rules:?}"
        );
    }
    assert_eq!(
        common::scalar(&db, "SELECT to_regclass('public.notes')::text").await,
        None,
        "lint applies nothing"
    );

    // An invalid design is exit 2.
    std::fs::write(
        &file,
        r#"{"tables": [{"name": "x", "fields": [{"name": "t", "type": "nope"}]}]}"#,
    )
    .unwrap();
    assert_eq!(run(&db, &[file.to_str().unwrap()]).status.code(), Some(2));

    // The todos example is clean, and the simulator runs its bundle without keeping it.
    let todos = std::fs::read_to_string(format!(
        "{}/assets/examples/todos.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    std::fs::write(&file, todos).unwrap();
    let out = run(
        &db,
        &[file.to_str().unwrap(), "--simulate", "--role", "anon"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("simulation as anon, rolled back"),
        "{stdout}"
    );
    assert!(stdout.contains("public.todos"), "{stdout}");
    let out = run(
        &db,
        &[
            file.to_str().unwrap(),
            "--simulate",
            "--as",
            "00000000-0000-4000-8000-000000000009",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unknown user is a runtime error"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no user 00000000-0000-4000-8000-000000000009")
    );
    assert_eq!(
        common::scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );
    std::fs::remove_file(file).unwrap();
}
