//! `schemaforge design --from-db` against a real PostgreSQL: every example design, once
//! applied, comes back as a design that plans empty against the same database and reads back
//! the same; and schemas schemaforge never made (tests/fixtures/from_db/*.sql) do too, with
//! the conversions a user would expect.
mod common;

use std::path::{Path, PathBuf};

use common::{TestDb, assert_success, cli, test_db};
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("schemaforge-from-db-{}-{name}", std::process::id()));
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
    let _ = std::fs::remove_dir_all(&dir);
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
        relationships.iter().any(|r| r["name"] == "project"
            && r["cascade_delete"] == true
            && r["required"] == true)
    );
}

/// Loads a hand-written schema and round-trips it.
async fn fixture_round_trip(name: &str) -> (Value, String) {
    let db = test_db().await;
    let sql = std::fs::read_to_string(format!(
        "{}/tests/fixtures/from_db/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    db.batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{name}: {}", schemaforge::db::server_error::describe(&e)));
    round_trip(&db, name)
}

fn table<'a>(design: &'a Value, name: &str) -> &'a Value {
    design["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {design:#}"))
}

fn field<'a>(design: &'a Value, table_name: &str, name: &str) -> &'a Value {
    table(design, table_name)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {table_name}.{name} in {design:#}"))
}

fn relationship<'a>(design: &'a Value, table_name: &str, name: &str) -> Option<&'a Value> {
    design["relationships"]
        .as_array()?
        .iter()
        .find(|r| r["table"] == table_name && r["name"] == name)
}

#[tokio::test]
async fn hand_written_table_without_system_fields() {
    let (design, notes) = fixture_round_trip("notes_without_system_fields.sql").await;
    let notes_table = table(&design, "notes");
    assert_eq!(notes_table["system_fields"], false);
    assert_eq!(notes_table["rls_enabled"], false);
    assert_eq!(notes_table["description"], "Written by hand");
    assert_eq!(
        field(&design, "notes", "id"),
        &json!({"name": "id", "type": "raw", "options": {
            "required": true, "sql_type": "bigint", "primary_key": true, "identity": "ALWAYS"}})
    );
    let status = field(&design, "notes", "status");
    assert_eq!(status["type"], "singleSelect");
    assert_eq!(
        status["options"]["choices"],
        json!(["draft", "published", "archived"])
    );
    assert_eq!(status["options"]["default"], "draft");
    assert_eq!(field(&design, "notes", "feeling")["type"], "raw");
    assert_eq!(
        field(&design, "notes", "feeling")["options"]["sql_type"],
        "public.mood"
    );
    assert_eq!(
        field(&design, "notes", "body")["options"]["description"],
        "The text"
    );
    assert_eq!(field(&design, "notes", "pinned")["type"], "checkbox");
    let score = field(&design, "notes", "score");
    assert_eq!(
        score["type"], "raw",
        "an integer with its own CHECK stays raw"
    );
    assert_eq!(score["options"]["sql_type"], "integer");
    // A plain partial index is part of the design now, and plans nothing on the way back.
    assert_eq!(
        notes_table["indexes"],
        json!([{"columns": ["status"], "where": "(deleted_at IS NULL)", "name": "notes_live_idx"}])
    );
    assert!(!notes.contains("notes_live_idx"), "{notes}");
    assert!(notes.contains("notes_score_check"), "{notes}");
    assert!(notes.contains("public.mood: enum type"), "{notes}");
}

#[tokio::test]
async fn composite_keys_and_foreign_keys_the_model_cannot_hold() {
    let (design, notes) = fixture_round_trip("memberships_composite_key.sql").await;
    let members = table(&design, "memberships");
    assert_eq!(members["system_fields"], false);
    let keys: Vec<&str> = members["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["options"]["primary_key"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["user_id", "org_id"], "the key in key order");
    assert_eq!(
        field(&design, "memberships", "org_id")["options"]["integer"],
        true
    );
    assert_eq!(field(&design, "memberships", "user_id")["type"], "raw");
    assert!(relationship(&design, "memberships", "user").is_none());
    assert!(notes.contains("memberships_org_id_fkey"), "{notes}");
    assert!(notes.contains("the column is bigint"), "{notes}");
    assert!(notes.contains("part of the primary key"), "{notes}");
    assert_eq!(
        field(&design, "orgs", "name")["options"],
        json!({"required": true, "unique": true, "sql_type": "character varying(80)"})
    );
    assert_eq!(
        field(&design, "orgs", "id")["options"]["identity"],
        "BY DEFAULT"
    );
}

#[tokio::test]
async fn policies_that_call_security_definer_functions() {
    let (design, _) = fixture_round_trip("documents_definer_policies.sql").await;
    let docs = table(&design, "documents");
    assert!(docs.get("rls_enabled").is_none(), "RLS on is the default");
    let policies = docs["rls_policies"].as_array().unwrap();
    let by_name = |n: &str| policies.iter().find(|p| p["name"] == n).unwrap();
    assert_eq!(
        by_name("members read")["using_expression"],
        "public.is_team_member(team_id)"
    );
    assert_eq!(by_name("members write")["operation"], "ALL");
    assert!(
        by_name("members write")
            .get("with_check_expression")
            .is_none()
    );
    assert_eq!(by_name("anyone reads published")["roles"], json!(["anon"]));
    assert_eq!(by_name("no drafts for anon")["permissive"], false);
    let team = relationship(&design, "documents", "team").expect("team relationship");
    assert_eq!(team["cascade_delete"], true);
    assert_eq!(team["required"], true);
    assert_eq!(team["target"], "teams");
    assert_eq!(field(&design, "documents", "tags")["type"], "raw");
}

#[tokio::test]
async fn foreign_keys_with_each_delete_rule() {
    let (design, notes) = fixture_round_trip("tasks_fk_rules.sql").await;
    let rel = |n: &str| relationship(&design, "tasks", n);
    assert_eq!(
        rel("assignee").unwrap(),
        &json!({"table": "tasks", "name": "assignee", "target": "people"})
    );
    assert_eq!(rel("owner").unwrap()["required"], true);
    assert!(rel("owner").unwrap().get("cascade_delete").is_none());
    assert_eq!(rel("parent").unwrap()["cascade_delete"], true);
    assert!(
        rel("reviewer").is_none(),
        "NO ACTION is not a relationship's rule"
    );
    assert!(rel("helper").is_none(), "no index");
    assert_eq!(field(&design, "tasks", "reviewer_id")["type"], "raw");
    assert!(notes.contains("ON DELETE NO ACTION"), "{notes}");
    assert!(notes.contains("no index"), "{notes}");
    assert_eq!(field(&design, "tasks", "email")["type"], "email");
    assert_eq!(
        field(&design, "tasks", "estimate")["options"]["sql_type"],
        "numeric(6,2)",
        "a number with a CHECK of its own stays raw"
    );
}

#[tokio::test]
async fn a_linking_table_written_by_hand() {
    let (design, notes) = fixture_round_trip("posts_tags_by_hand.sql").await;
    let links = table(&design, "post_tags");
    assert_eq!(links["system_fields"], false);
    assert_eq!(
        field(&design, "post_tags", "post_id")["options"]["primary_key"],
        true
    );
    assert!(
        design["relationships"]
            .as_array()
            .is_none_or(|r| r.iter().all(|r| r.get("allow_multiple").is_none()))
    );
    assert_eq!(field(&design, "posts", "rating")["type"], "rating");
    assert!(
        field(&design, "posts", "rating")["options"]
            .get("max")
            .is_none()
    );
    assert_eq!(field(&design, "posts", "meta")["type"], "json");
    assert_eq!(
        field(&design, "posts", "meta")["options"]["default"],
        json!({})
    );
    assert_eq!(field(&design, "posts", "updated_at")["type"], "dateTime");
    assert!(notes.contains("trigger posts_touch"), "{notes}");
}

#[tokio::test]
async fn command_line_tables_stdout_and_exit_codes() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.a (id bigint PRIMARY KEY, n text); \
         CREATE TABLE public.b (id bigint PRIMARY KEY)",
    )
    .await
    .unwrap();
    let run = cli(&db.url, &["design", "--from-db", "--tables", "a,missing"]);
    assert_success(&run);
    let design: Value = serde_json::from_slice(&run.stdout).expect("a design on stdout");
    let names: Vec<&str> = design["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("note: public.missing: no such table"),
        "{stderr}"
    );

    let run = cli(&db.url, &["design", "--from-db", "--schema", "nope"]);
    assert_eq!(
        run.status.code(),
        Some(2),
        "an unknown schema is a usage error"
    );
    let run = cli(&db.url, &["design"]);
    assert_eq!(run.status.code(), Some(2), "--from-db is required");
    let help = cli(&db.url, &["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("design"));
}

/// The new keys on the way in: a design with a table of its own key, raw types and identity
/// creates exactly that, re-plans empty, and reads back as the same design.
#[tokio::test]
async fn a_design_without_system_fields_is_created_and_reads_back() {
    let db = test_db().await;
    db.batch_execute("CREATE TYPE public.mood AS ENUM ('happy', 'sad')")
        .await
        .unwrap();
    let design = json!({"tables": [
        {"name": "events", "system_fields": false, "rls_enabled": false, "fields": [
            {"name": "id", "type": "raw", "options": {"required": true, "sql_type": "bigint", "primary_key": true, "identity": "ALWAYS"}},
            {"name": "kind", "type": "singleSelect", "options": {"required": true, "choices": ["a", "b"]}, "is_primary": true},
            {"name": "feeling", "type": "raw", "options": {"sql_type": "public.mood"}}
        ]},
        {"name": "pairs", "system_fields": false, "rls_enabled": false, "fields": [
            {"name": "left_code", "type": "raw", "options": {"required": true, "sql_type": "character varying(8)", "primary_key": true}},
            {"name": "right_code", "type": "raw", "options": {"required": true, "sql_type": "character varying(8)", "primary_key": true}},
            {"name": "note", "type": "singleLineText", "is_primary": true}
        ]}
    ]});
    let dir = scratch("own-keys");
    let file = dir.join("design.json");
    std::fs::write(&file, design.to_string()).unwrap();
    let plan = cli(&db.url, &["plan", file.to_str().unwrap()]);
    assert_success(&plan);
    let bundle = String::from_utf8_lossy(&plan.stdout);
    assert!(
        bundle.contains("\"id\" bigint GENERATED ALWAYS AS IDENTITY"),
        "{bundle}"
    );
    assert!(
        bundle.contains("PRIMARY KEY (\"left_code\", \"right_code\")"),
        "{bundle}"
    );
    assert!(!bundle.contains("created_at"), "no system fields: {bundle}");
    assert!(
        !bundle.contains("set_updated_fields"),
        "no updated-at trigger: {bundle}"
    );
    assert_success(&cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]));
    assert_plans_empty(&db, &file);
    let (read, _) = round_trip(&db, "own-keys-read");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(read, design, "the design reads back as written");
}

/// Policies as people write them by hand (bare `auth.uid()`, `auth.jwt()` claims, helpers,
/// sub-selects, ALL with and without WITH CHECK, UPDATE with USING only): read back, they
/// plan nothing — schemaforge's wish to wrap the auth calls is a lint, not a rewrite.
#[tokio::test]
async fn hand_written_supabase_policies_plan_nothing() {
    let (design, _) = fixture_round_trip("supabase_policies.sql").await;
    let teams = table(&design, "teams")["rls_policies"].as_array().unwrap();
    let owners = teams
        .iter()
        .find(|p| p["name"] == "Owners manage teams")
        .unwrap();
    assert_eq!(owners["using_expression"], "(owner_id = auth.uid())");
    assert!(owners.get("with_check_expression").is_none());
}

/// A `profiles` table keyed by auth.users(id) is Supabase's documented pattern, not a copy of
/// auth.users: no warning from plan or lint. A `users` table with its own email and password
/// and no link to auth.users still gets one, said once as a warning.
#[tokio::test]
async fn only_a_real_copy_of_auth_users_is_warned_about() {
    let db = test_db().await;
    let sql = std::fs::read_to_string(format!(
        "{}/tests/fixtures/from_db/supabase_policies.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    db.batch_execute(&sql).await.unwrap();
    let dir = scratch("auth-shadow");
    let file = dir.join("design.json");
    let path = file.to_str().unwrap();
    design_from_db(&db, &file, &[]);
    let plan = cli(&db.url, &["plan", path]);
    assert_success(&plan);
    let lint = cli(&db.url, &["lint", path]);
    for out in [&plan, &lint] {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("duplicates what auth.users"), "{text}");
    }
    let lint_err = String::from_utf8_lossy(&lint.stderr);
    assert!(
        lint_err.contains(" warnings, ") || lint_err.contains(" 1 warning, "),
        "{lint_err}"
    );
    assert!(!lint_err.contains(" warn,"), "{lint_err}");

    db.batch_execute(
        "CREATE TABLE public.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                                    email text NOT NULL UNIQUE, password_hash text NOT NULL);
         ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;",
    )
    .await
    .unwrap();
    design_from_db(&db, &file, &[]);
    let plan = cli(&db.url, &["plan", path]);
    let stderr = String::from_utf8_lossy(&plan.stderr);
    let warned: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("duplicates what auth.users"))
        .collect();
    assert_eq!(warned.len(), 1, "{stderr}");
    assert!(
        warned[0].contains(": warning: tables[") && warned[0].contains("a \"users\" table"),
        "{stderr}"
    );
    assert_eq!(warned[0].matches("warning:").count(), 1, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
