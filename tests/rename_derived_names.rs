//! A table or column renamed with `renamed_from` takes the names derived from it along: its
//! CHECK (`max_length`), UNIQUE, foreign key, primary key and indexes are renamed to what a
//! fresh apply of the renamed design names them, never added a second time. Planning again
//! is empty, and the rollback gives back the catalog from before.
mod common;

use common::{TestDb, assert_success, cli, test_db};
use serde_json::{Value, json};

fn scratch(db: &TestDb) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-rename-derived-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Boards with a limited title, a unique code, an indexed score, a trigger field with its
/// own function and a relationship to lists (a foreign key and its index); system fields
/// add the key, `created_by`'s key and index.
fn boards() -> Value {
    json!({
        "tables": [{
            "name": "Boards",
            "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true,
                 "options": {"max_length": 100}},
                {"name": "code", "type": "singleLineText", "options": {"unique": true}},
                {"name": "score", "type": "number", "options": {"integer": true}},
                {"name": "stamp", "type": "trigger", "options": {"timing": "BEFORE",
                 "events": ["INSERT"], "body": "BEGIN RETURN NEW; END;"}}
            ],
            "indexes": [{"columns": ["score"]}]
        }, {
            "name": "Lists",
            "fields": [{"name": "label", "type": "singleLineText", "is_primary": true}]
        }],
        "relationships": [{"table": "boards", "name": "list", "target": "lists"}]
    })
}

/// `boards` renamed to `cards`.
fn rename_table(design: &mut Value) {
    let table = &mut design["tables"][0];
    table["name"] = "Cards".into();
    table["renamed_from"] = "boards".into();
    design["relationships"][0]["table"] = "cards".into();
}

/// `title`, `code` and `score` renamed, the index following `score`.
fn rename_columns(design: &mut Value) {
    let table = &mut design["tables"][0];
    for (field, new) in [(0, "heading"), (1, "slug"), (2, "points")] {
        let old = table["fields"][field]["name"].clone();
        table["fields"][field]["name"] = new.into();
        table["fields"][field]["renamed_from"] = old;
    }
    table["indexes"] = json!([{"columns": ["points"]}]);
}

/// The design without its `renamed_from`s: what a project made fresh from it looks like.
fn fresh(design: &Value) -> Value {
    let mut fresh = design.clone();
    let table = &mut fresh["tables"][0];
    table.as_object_mut().unwrap().remove("renamed_from");
    for field in table["fields"].as_array_mut().unwrap() {
        field.as_object_mut().unwrap().remove("renamed_from");
    }
    fresh
}

fn write(dir: &std::path::Path, name: &str, design: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path.display().to_string()
}

/// `inspect --json` without what differs between two databases of the same schema.
fn inspect(db: &TestDb) -> Value {
    let mut json = common::inspect_schema(db);
    json["flavour"]
        .as_object_mut()
        .expect("inspect has a flavour")
        .remove("database");
    json
}

/// The table's constraints as `(name, type)`, by name.
async fn constraints(db: &TestDb, table: &str) -> Vec<(String, String)> {
    db.query(
        "SELECT conname::text, contype::text FROM pg_constraint \
         WHERE conrelid = format('public.%I', $1::text)::regclass ORDER BY conname",
        &[&table],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// The table's indexes, by name.
async fn indexes(db: &TestDb, table: &str) -> Vec<String> {
    db.query(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
         AND tablename = $1 ORDER BY indexname",
        &[&table],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn pairs(names: &[(&str, &str)]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect()
}

/// Applies the base design, then `renamed` with its rollback saved; checks the renamed
/// table's constraints and indexes, that the catalog is the one a fresh apply of `renamed`
/// gives, that planning again is empty, and that the rollback restores the catalog.
async fn renames_derived_names(
    base: Value,
    renamed: Value,
    table: &str,
    want_constraints: &[(&str, &str)],
    want_indexes: &[&str],
) -> (String, String) {
    let db = test_db().await;
    let dir = scratch(&db);
    let base = write(&dir, "base.json", &base);
    assert_success(&cli(&db.url, &["apply", &base, "--yes"]));
    db.batch_execute(
        "INSERT INTO public.lists (label) VALUES ('l'); \
         INSERT INTO public.boards (title, code, score, list_id) \
         SELECT 'a', 'A', 1, id FROM public.lists",
    )
    .await
    .unwrap();
    let before = inspect(&db);

    let path = write(&dir, "renamed.json", &renamed);
    let down = dir.join("down.sql").display().to_string();
    assert_success(&cli(&db.url, &["plan", &path, "--down", "--out", &down]));
    let plan = cli(&db.url, &["plan", &path]);
    assert_success(&plan);
    let plan = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));

    assert_eq!(
        constraints(&db, table).await,
        pairs(want_constraints),
        "{plan}"
    );
    assert_eq!(indexes(&db, table).await, want_indexes, "{plan}");
    let again = cli(&db.url, &["plan", &path]);
    assert_success(&again);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "",
        "planning again is empty; the first plan was:\n{plan}"
    );

    let other = test_db().await;
    let fresh_path = write(&dir, "fresh.json", &fresh(&renamed));
    assert_success(&cli(&other.url, &["apply", &fresh_path, "--yes"]));
    assert_eq!(inspect(&db), inspect(&other), "{plan}");

    let text = std::fs::read_to_string(&down).unwrap();
    assert!(
        text.starts_with("-- schemaforge rollback · restores catalog fingerprint"),
        "{text}"
    );
    assert_success(&cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    ));
    assert_eq!(inspect(&db), before, "{text}");
    let rows = common::scalar(&db, "SELECT title || code || score FROM public.boards").await;
    assert_eq!(rows.as_deref(), Some("aA1"), "{text}");
    (plan, text)
}

#[tokio::test]
async fn a_renamed_table_renames_its_checks_keys_and_indexes() {
    let mut renamed = boards();
    rename_table(&mut renamed);
    let (plan, rollback) = renames_derived_names(
        boards(),
        renamed,
        "cards",
        &[
            ("cards_code_key", "u"),
            ("cards_created_by_fkey", "f"),
            ("cards_list_id_fkey", "f"),
            ("cards_pkey", "p"),
            ("cards_title_check", "c"),
        ],
        &[
            "cards_code_key",
            "cards_pkey",
            "idx_cards_created_by",
            "idx_cards_list_id",
            "idx_cards_score",
        ],
    )
    .await;
    // The trigger field's trigger and function follow, and fire once.
    for rename in [
        "ALTER TRIGGER \"boards_stamp_trigger\" ON \"public\".\"cards\" RENAME TO \"cards_stamp_trigger\"",
        "ALTER FUNCTION \"public\".\"boards_stamp_trigger_fn\"() RENAME TO \"cards_stamp_trigger_fn\"",
    ] {
        assert!(plan.contains(rename), "{rename} missing from {plan}");
    }
    assert!(!plan.contains("CREATE TRIGGER"), "{plan}");
    assert!(
        rollback.contains("RENAME TO \"boards_stamp_trigger\""),
        "{rollback}"
    );
}

#[tokio::test]
async fn renamed_columns_rename_their_checks_keys_and_indexes() {
    let mut renamed = boards();
    rename_columns(&mut renamed);
    renames_derived_names(
        boards(),
        renamed,
        "boards",
        &[
            ("boards_created_by_fkey", "f"),
            ("boards_heading_check", "c"),
            ("boards_list_id_fkey", "f"),
            ("boards_pkey", "p"),
            ("boards_slug_key", "u"),
        ],
        &[
            "boards_pkey",
            "boards_slug_key",
            "idx_boards_created_by",
            "idx_boards_list_id",
            "idx_boards_points",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_renamed_table_with_renamed_columns_renames_everything_derived() {
    let mut renamed = boards();
    rename_table(&mut renamed);
    rename_columns(&mut renamed);
    renames_derived_names(
        boards(),
        renamed,
        "cards",
        &[
            ("cards_created_by_fkey", "f"),
            ("cards_heading_check", "c"),
            ("cards_list_id_fkey", "f"),
            ("cards_pkey", "p"),
            ("cards_slug_key", "u"),
        ],
        &[
            "cards_pkey",
            "cards_slug_key",
            "idx_cards_created_by",
            "idx_cards_list_id",
            "idx_cards_points",
        ],
    )
    .await;
}

/// Soft delete's partial indexes are named after the table and its columns too; a CHECK,
/// an index and a trigger that change along with the rename are replaced under their new
/// names, and the rollback puts the old ones back under the old names.
#[tokio::test]
async fn renames_with_soft_delete_and_changed_options_roll_back() {
    let mut base = boards();
    base["tables"][0]["soft_delete"] = true.into();
    let mut renamed = base.clone();
    rename_table(&mut renamed);
    rename_columns(&mut renamed);
    let table = &mut renamed["tables"][0];
    table["fields"][0]["options"]["max_length"] = 200.into();
    table["indexes"] = json!([{"columns": ["points"], "where": "points > 0"}]);
    table["fields"][3]["options"]["events"] = json!(["INSERT", "UPDATE"]);
    let (plan, rollback) = renames_derived_names(
        base,
        renamed,
        "cards",
        &[
            ("cards_created_by_fkey", "f"),
            ("cards_heading_check", "c"),
            ("cards_list_id_fkey", "f"),
            ("cards_pkey", "p"),
            ("cards_slug_key", "u"),
        ],
        &[
            "cards_pkey",
            "cards_slug_key",
            "idx_cards_created_by",
            "idx_cards_created_by_not_deleted",
            "idx_cards_list_id",
            "idx_cards_points",
        ],
    )
    .await;
    for rename in [
        "RENAME CONSTRAINT \"boards_title_check\" TO \"cards_heading_check\"",
        "ALTER INDEX \"public\".\"idx_boards_score\" RENAME TO \"idx_cards_points\"",
        "ALTER INDEX \"public\".\"idx_boards_created_by_not_deleted\" RENAME TO \"idx_cards_created_by_not_deleted\"",
    ] {
        assert!(plan.contains(rename), "{rename} missing from {plan}");
    }
    // Replaced under the new names: dropped by the rollback, not renamed back.
    assert!(
        !rollback.contains("TO \"boards_title_check\""),
        "{rollback}"
    );
    assert!(!rollback.contains("TO \"idx_boards_score\""), "{rollback}");
    assert!(
        !rollback.contains("TO \"boards_stamp_trigger\""),
        "{rollback}"
    );
    assert!(
        rollback.contains("RENAME TO \"boards_stamp_trigger_fn\""),
        "{rollback}"
    );
    assert!(
        rollback.contains("RENAME TO \"idx_boards_created_by_not_deleted\""),
        "{rollback}"
    );
}
