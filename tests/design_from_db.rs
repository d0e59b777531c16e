//! `schemaforge design --from-db` against a real PostgreSQL: every example design, once
//! applied, comes back as a design that plans empty against the same database and reads back
//! the same; and schemas schemaforge never made (tests/fixtures/from_db/*.sql) do too, with
//! the conversions a user would expect.
mod common;

use std::path::{Path, PathBuf};

use common::{TestDb, assert_success, cli, test_db};
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-from-db-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `design --from-db` into a file: its text, and stderr.
fn design_from_db(db: &TestDb, out: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["design", "--from-db", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = cli(&db.url, &args);
    assert_success(&run);
    (
        std::fs::read_to_string(out).unwrap(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// Plans `file` against the database: asserts nothing to do and no note claiming a difference.
fn assert_plans_empty(db: &TestDb, file: &Path) {
    let run = cli(&db.url, &["plan", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_success(&run);
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        run.stdout.is_empty(),
        "the design read from the database plans steps:\n{}\n--- design:\n{text}\n--- stderr:\n{stderr}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(stderr.contains("nothing to do"), "{stderr}");
    let notes: Vec<&str> = stderr.lines().filter(|l| l.contains("note:")).collect();
    assert!(notes.is_empty(), "notes: {notes:#?}\n--- design:\n{text}");
}

/// The round trip: read, plan empty, read again identical. Returns the design and notes.
fn round_trip(db: &TestDb, name: &str) -> (Value, String) {
    let dir = scratch(name);
    let first = dir.join("first.json");
    let (text, notes) = design_from_db(db, &first, &[]);
    assert_plans_empty(db, &first);
    let (again, _) = design_from_db(db, &dir.join("second.json"), &[]);
    assert_eq!(text, again, "design --from-db is not stable");
    (serde_json::from_str(&text).unwrap(), notes)
}

/// Applies an example (after `setup`, what it expects to exist) and round-trips it.
async fn example_round_trip(example: &str, setup: &str) -> Value {
    let db = test_db().await;
    db.batch_execute(setup).await.unwrap();
    let file = format!("{}/assets/examples/{example}", env!("CARGO_MANIFEST_DIR"));
    assert_success(&cli(&db.url, &["apply", &file, "--yes"]));
    round_trip(&db, example).0
}

#[tokio::test]
async fn todos_example_round_trips() {
    let design = example_round_trip("todos.json", "").await;
    let table = &design["tables"][0];
    assert_eq!(table["name"], "todos");
    assert!(table.get("system_fields").is_none(), "{table}");
}

#[tokio::test]
async fn todos_table_example_round_trips() {
    example_round_trip("todos_table.json", "").await;
}

#[tokio::test]
async fn spec_example_round_trips() {
    example_round_trip(
        "spec_example.json",
        "CREATE TABLE public.projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)",
    ).await;
}

#[tokio::test]
async fn every_field_type_example_round_trips() {
    let design = example_round_trip(
        "every_field_type.json",
        "CREATE FUNCTION public.notify_task_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ).await;
    let tasks = design["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "tasks")
        .unwrap();
    let field = |name: &str| {
        tasks["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name} in {tasks}"))
            .clone()
    };
    assert_eq!(field("status")["type"], "singleSelect");
    assert_eq!(
        field("status")["options"]["choices"],
        json!(["todo", "doing", "done"])
    );
    assert_eq!(field("labels")["type"], "multiSelect");
    assert_eq!(field("priority")["options"]["max"], 10);
    assert_eq!(field("title")["options"]["max_length"], 200);
    assert_eq!(field("budget")["type"], "currency");
    assert_eq!(field("budget")["options"]["currency_code"], "EUR");
    assert_eq!(field("files")["type"], "attachment");
    assert_eq!(field("contact_email")["type"], "email");
    assert_eq!(field("position")["options"]["integer"], true);
    let relationships = design["relationships"].as_array().unwrap();
    assert!(
        relationships
            .iter()
            .any(|r| r["name"] == "tags" && r["allow_multiple"] == true),
        "{relationships:#?}"
    );
    assert!(
        relationships
            .iter()
            .any(|r| r["name"] == "project" && r["cascade_delete"] == true && r["required"] == true)
    );
}
