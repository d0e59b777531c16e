//! `schemaforge apply` of a design with samples inserts exactly the requested counts, in the
//! bundle's transaction; applying again adds nothing; a saved plan carries the same rows.
mod common;

use common::{scalar, test_db};

fn design() -> String {
    serde_json::json!({
        "tables": [
            {"name": "Projects", "fields": [{"name": "Name", "type": "singleLineText", "options": {"required": true, "unique": true}}]},
            {"name": "Todos", "fields": [
                {"name": "Title", "type": "singleLineText", "options": {"required": true, "max_length": 80}},
                {"name": "Priority", "type": "rating", "options": {"max": 3}},
                {"name": "Status", "type": "singleSelect", "options": {"choices": ["open", "done"], "required": true}}
            ]},
            {"name": "Tags", "fields": [{"name": "Label", "type": "singleLineText", "options": {"unique": true}}]}
        ],
        "relationships": [
            {"table": "todos", "name": "project", "target": "projects", "required": true, "cascade_delete": true},
            {"table": "todos", "name": "tags", "target": "tags", "allow_multiple": true}
        ],
        "samples": {"projects": 12, "todos": 250, "tags": 8}
    })
    .to_string()
}

async fn counts(db: &tokio_postgres::Client) -> String {
    scalar(
        db,
        "SELECT (SELECT count(*) FROM projects) || ',' || (SELECT count(*) FROM todos) || ',' || (SELECT count(*) FROM tags) \
         || ',' || (SELECT count(*) FROM auth.users)",
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn apply_inserts_exactly_the_requested_counts_once() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-samples-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.json");
    std::fs::write(&file, design()).unwrap();
    let run = |args: &[&str]| common::cli(&db.url, args);
    let file = file.to_str().unwrap();

    // The preview names the counts; it does not print thousands of INSERTs.
    let out = run(&["plan", file]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--   public.todos: 250 rows"), "{text}");
    assert!(!text.contains("INSERT INTO"), "{text}");

    let out = run(&["apply", file, "--yes", "--demo-users", "4"]);
    common::assert_success(&out);
    assert_eq!(counts(&db).await, "12,250,8,4");
    let links: u64 = scalar(&db, "SELECT count(*) FROM todos_tags")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(links > 0, "many-to-many pairs were generated");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            ", {} sample rows and 4 demo users",
            12 + 250 + 8 + links
        )),
        "{stderr}"
    );
    let duplicate_pairs = scalar(
        &db,
        "SELECT count(*) - count(DISTINCT (todos_id, tags_id)) FROM todos_tags",
    )
    .await;
    assert_eq!(duplicate_pairs.as_deref(), Some("0"));
    let orphan_owners = scalar(&db, "SELECT count(*) FROM todos WHERE created_by IS NOT NULL AND created_by NOT IN (SELECT id FROM auth.users)").await;
    assert_eq!(orphan_owners.as_deref(), Some("0"));

    // Applying the same design again: nothing to do, no duplicated rows.
    let out = run(&["apply", file, "--yes", "--demo-users", "4"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
    assert_eq!(counts(&db).await, "12,250,8,4");

    // Into existing tables only when asked: the rows point at the rows already there.
    let out = run(&[
        "apply",
        file,
        "--yes",
        "--samples-into-existing",
        "--no-samples",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_saved_plan_carries_the_rows_and_a_failing_load_leaves_nothing() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-samples-saved-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.json");
    std::fs::write(&file, design()).unwrap();
    let saved = dir.join("design.plan");
    let run = |args: &[&str]| common::cli(&db.url, args);
    let out = run(&[
        "plan",
        file.to_str().unwrap(),
        "--seed",
        "7",
        "--out",
        saved.to_str().unwrap(),
    ]);
    common::assert_success(&out);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("COPY \"public\".\"todos\""));

    // Break one data line: the COPY fails, and the whole bundle rolls back.
    let broken = dir.join("broken.plan");
    let bad = text
        .replacen("\topen\t", "\tarchived\t", 1)
        .replacen("\tdone\t", "\tarchived\t", 1);
    assert_ne!(bad, text);
    std::fs::write(&broken, bad).unwrap();
    let out = run(&["apply", "--plan", broken.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("todos_status_check"), "{stderr}");
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );

    let out = run(&["apply", "--plan", saved.to_str().unwrap(), "--yes"]);
    common::assert_success(&out);
    assert_eq!(counts(&db).await, "12,250,8,0");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Rows that point at a live table use its existing keys, whatever their type: a `bigint`
/// identity key is as good a target as a uuid.
#[tokio::test]
async fn rows_pointing_at_a_live_bigint_keyed_table_use_its_existing_keys() {
    let db = test_db().await;
    db.session.client
        .batch_execute(
            "CREATE TABLE public.regions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
             INSERT INTO public.regions (name) VALUES ('north'), ('south'), ('east');",
        )
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-samples-bigint-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.json");
    let design = serde_json::json!({
        "tables": [{"name": "Shops", "fields": [{"name": "Name", "type": "singleLineText"}]}],
        "relationships": [{"table": "shops", "name": "region", "target": "public.regions", "required": true}],
        "samples": {"shops": 20}
    });
    std::fs::write(&file, design.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let run = |args: &[&str]| common::cli(&db.url, args);

    let out = run(&["plan", file]);
    common::assert_success(&out);
    let out = run(&["apply", file, "--yes"]);
    common::assert_success(&out);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM shops").await.as_deref(),
        Some("20")
    );
    let outside = scalar(
        &db,
        "SELECT count(*) FROM shops WHERE region_id NOT IN (SELECT id FROM regions)",
    )
    .await;
    assert_eq!(outside.as_deref(), Some("0"));
    let spread = scalar(&db, "SELECT count(DISTINCT region_id) FROM shops").await;
    assert!(spread.as_deref() > Some("1"), "{spread:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A nullable field with a default is never given an explicit NULL by the generated rows (it
/// would override the default): where a row leaves it empty it holds the default's value.
/// A raw field is left out of the load, so its own default applies.
#[tokio::test]
async fn generated_rows_leave_defaults_in_place_of_nulls() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-samples-defaults-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.json");
    let design = serde_json::json!({
        "tables": [{"name": "Tasks", "fields": [
            {"name": "Title", "type": "singleLineText", "options": {"required": true}},
            {"name": "Priority", "type": "number", "options": {"integer": true, "default": 3}},
            {"name": "Note", "type": "singleLineText"},
            {"name": "Code", "type": "raw", "options": {"sql_type": "text", "default": "n/a"}}
        ]}],
        "samples": {"tasks": 300}
    });
    std::fs::write(&file, design.to_string()).unwrap();
    let out = common::cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]);
    common::assert_success(&out);
    let count = |sql: &'static str| {
        let db = &db;
        async move { scalar(db, sql).await.unwrap() }
    };
    assert_eq!(count("SELECT count(*) FROM tasks").await, "300");
    assert_eq!(
        count("SELECT count(*) FROM tasks WHERE priority IS NULL").await,
        "0"
    );
    let threes: u64 = count("SELECT count(*) FROM tasks WHERE priority = 3")
        .await
        .parse()
        .unwrap();
    assert!(threes > 10, "{threes} rows hold the default");
    // A field without a default is still sometimes empty.
    assert_ne!(
        count("SELECT count(*) FROM tasks WHERE note IS NULL").await,
        "0"
    );
    assert_eq!(
        count("SELECT count(*) FROM tasks WHERE code IS DISTINCT FROM 'n/a'").await,
        "0"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
