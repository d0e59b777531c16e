//! A relationship that is optional and restricts deletes (`on_delete: "restrict"` without
//! `required`), against a real PostgreSQL: the foreign key restricts on a nullable column,
//! re-planning is empty, `design --from-db` reads the rule back, changing it on a live
//! foreign key is planned and applied, and a rule that contradicts the other keys is refused
//! with the JSON path that says it.
mod common;

use std::path::{Path, PathBuf};

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::{Value, json};

fn design(relationship: Value) -> Value {
    json!({
        "tables": [
            {"name": "Projects", "fields": [
                {"name": "name", "type": "singleLineText", "is_primary": true}]},
            {"name": "Todos", "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true}]}
        ],
        "relationships": [relationship]
    })
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(value).unwrap()).unwrap();
    file
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-on-delete-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `plan FILE`: stdout (the steps) and stderr.
fn plan(db: &TestDb, file: &Path) -> (String, String) {
    let out = cli(&db.url, &["plan", file.to_str().unwrap()]);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The foreign key of `todos.project_id`: its delete action and whether the column is
/// NOT NULL.
async fn rule(db: &TestDb) -> Option<String> {
    scalar(
        db,
        "SELECT c.confdeltype::text || ' ' || a.attnotnull::text FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.conrelid = 'public.todos'::regclass AND c.contype = 'f' AND a.attname = 'project_id'",
    )
    .await
}

#[tokio::test]
async fn an_optional_relationship_that_restricts_is_planned_applied_and_read_back() {
    let db = test_db().await;
    let dir = scratch();
    let file = write(
        &dir,
        "restrict.json",
        &design(
            json!({"table": "Todos", "name": "project", "target": "Projects",
                       "on_delete": "restrict"}),
        ),
    );
    assert_success(&cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]));
    assert_eq!(
        rule(&db).await.as_deref(),
        Some("r false"),
        "restrict, nullable"
    );
    let (steps, stderr) = plan(&db, &file);
    assert!(steps.is_empty(), "re-plan is empty: {steps}\n{stderr}");

    // design --from-db says it back, and that plans empty too.
    let read = dir.join("from-db.json");
    assert_success(&cli(
        &db.url,
        &["design", "--from-db", "--out", read.to_str().unwrap()],
    ));
    let back: Value = serde_json::from_str(&std::fs::read_to_string(&read).unwrap()).unwrap();
    let rel = &back["relationships"][0];
    assert_eq!(rel["on_delete"], "restrict", "{back:#}");
    assert_eq!(rel.get("required"), None, "{back:#}");
    let (steps, stderr) = plan(&db, &read);
    assert!(steps.is_empty(), "{steps}\n{stderr}");

    // A changed rule on the live foreign key is planned: dropped and added again.
    let cascade = write(
        &dir,
        "cascade.json",
        &design(
            json!({"table": "Todos", "name": "project", "target": "Projects",
                       "on_delete": "cascade"}),
        ),
    );
    let (steps, _) = plan(&db, &cascade);
    assert!(
        steps.contains("DROP CONSTRAINT") && steps.contains("ON DELETE CASCADE"),
        "{steps}"
    );
    assert_success(&cli(
        &db.url,
        &["apply", cascade.to_str().unwrap(), "--yes"],
    ));
    assert_eq!(rule(&db).await.as_deref(), Some("c false"));
    let (steps, _) = plan(&db, &cascade);
    assert!(steps.is_empty(), "{steps}");
    // And back to restrict.
    assert_success(&cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]));
    assert_eq!(rule(&db).await.as_deref(), Some("r false"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_rule_that_contradicts_the_other_keys_names_its_path() {
    let db = test_db().await;
    let dir = scratch();
    for (relationship, expected) in [
        (
            json!({"table": "Todos", "name": "project", "target": "Projects",
                   "cascade_delete": true, "on_delete": "restrict"}),
            "relationships[0].on_delete: on_delete \"restrict\" contradicts cascade_delete: true",
        ),
        (
            json!({"table": "Todos", "name": "project", "target": "Projects",
                   "required": true, "on_delete": "set null"}),
            "relationships[0].on_delete: on_delete \"set null\" cannot empty a required",
        ),
        (
            json!({"table": "Todos", "name": "project", "target": "Projects",
                   "on_delete": "nothing"}),
            "relationships[0].on_delete",
        ),
    ] {
        let file = write(&dir, "bad.json", &design(relationship));
        let out = cli(&db.url, &["plan", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // Consistent keys are fine: cascade said twice.
    let file = write(
        &dir,
        "both.json",
        &design(
            json!({"table": "Todos", "name": "project", "target": "Projects",
                       "cascade_delete": true, "on_delete": "cascade", "required": true}),
        ),
    );
    assert_success(&cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]));
    assert_eq!(rule(&db).await.as_deref(), Some("c true"));
    let _ = std::fs::remove_dir_all(&dir);
}
