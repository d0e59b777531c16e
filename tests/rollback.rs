//! `plan --down`: saved before an apply, the rollback applied after it leaves the catalog
//! exactly as it was (`inspect --json` compared), on a Supabase-style schema schemaforge did
//! not create; a rollback that no longer fits the database applies nothing.
mod common;

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::Value;

/// A hand-written project: an enum, a bigint identity key, a foreign key to `auth.users`,
/// a partial index, a comment, policies, a security-definer helper, a publication, rows.
const PROJECT: &str = r#"
CREATE TYPE public.mood AS ENUM ('ok', 'meh');
CREATE TABLE public.boards (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  note text DEFAULT 'x',
  mood public.mood,
  owner_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.boards IS 'all boards';
CREATE INDEX boards_active ON public.boards (created_at DESC) WHERE note IS NULL;
ALTER TABLE public.boards ENABLE ROW LEVEL SECURITY;
CREATE POLICY "boards read" ON public.boards FOR SELECT TO authenticated
  USING (owner_id = (SELECT auth.uid()));
CREATE POLICY "boards old" ON public.boards FOR DELETE TO authenticated USING (false);
CREATE FUNCTION public.is_owner(p bigint) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = '' AS
  $$ SELECT EXISTS (SELECT 1 FROM public.boards WHERE id = p AND owner_id = auth.uid()) $$;
CREATE PUBLICATION board_changes FOR TABLE public.boards;
INSERT INTO public.boards (name) VALUES ('a'), ('b');
"#;

fn scratch(db: &TestDb) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-rollback-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn inspect(db: &TestDb) -> Value {
    common::inspect_schema(db)
}

/// The project's own table as a design (`design --from-db`), changed in every way a plan
/// can change a live table, plus a new related table (both with soft delete).
fn changed_design(db: &TestDb, dir: &std::path::Path) -> std::path::PathBuf {
    let out = cli(&db.url, &["design", "--from-db", "--tables", "boards"]);
    assert_success(&out);
    let mut design: Value = serde_json::from_slice(&out.stdout).unwrap();
    let table = &mut design["tables"][0];
    table["description"] = "every project".into();
    // Soft delete on a live table with rows: a column, a trigger, a policy, an index.
    table["soft_delete"] = true.into();
    for field in table["fields"].as_array_mut().unwrap() {
        match field["name"].as_str().unwrap() {
            "note" => {
                field["name"] = "remark".into();
                field["renamed_from"] = "note".into();
                field["options"]["default"] = "y".into();
            }
            "name" => field["options"]["max_length"] = 200.into(),
            _ => {}
        }
    }
    table["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "budget", "type": "number"}));
    let policies = table["rls_policies"].as_array_mut().unwrap();
    policies.retain(|p| p["name"] != "boards old");
    for p in policies.iter_mut() {
        if p["name"] == "boards read" {
            p["using_expression"] = "(owner_id = (select auth.uid())) OR budget > 0".into();
        }
    }
    policies.push(serde_json::json!({
        "name": "boards insert", "operation": "INSERT",
        "with_check_expression": "owner_id = (select auth.uid())"
    }));
    table["drop_policies"] = serde_json::json!(["boards old"]);
    // A new index, and the hand-made partial index with another predicate (dropped and
    // created again): the rollback puts the original back as the server printed it.
    let indexes = table["indexes"]
        .as_array_mut()
        .expect("from-db gives the index back");
    for index in indexes.iter_mut() {
        if index["name"] == "boards_active" {
            index["where"] = "remark IS NOT NULL".into();
        }
    }
    indexes.push(serde_json::json!({"columns": ["name"], "unique": true}));
    design["tables"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "Tasks",
            "fields": [{"name": "Title", "type": "singleLineText", "is_primary": true,
                        "options": {"required": true}}],
            "rls_enabled": true, "rls_policies": [], "soft_delete": true
        }));
    design["relationships"] = serde_json::json!([
        {"table": "Tasks", "name": "board", "target": "boards", "required": true,
         "cascade_delete": true}
    ]);
    let path = dir.join("changed.json");
    std::fs::write(&path, serde_json::to_string_pretty(&design).unwrap()).unwrap();
    path
}

/// Saves the rollback, applies the design, and returns the rollback's path.
fn apply_with_rollback(db: &TestDb, design: &str, dir: &std::path::Path) -> String {
    let down = dir.join("down.sql").display().to_string();
    let out = cli(&db.url, &["plan", design, "--down", "--out", &down]);
    assert_success(&out);
    let out = cli(&db.url, &["apply", design, "--yes", "--allow-destructive"]);
    assert_success(&out);
    down
}

#[tokio::test]
async fn every_change_to_a_live_table_rolls_back_to_the_same_catalog() {
    let db = test_db().await;
    db.batch_execute(PROJECT).await.unwrap();
    let dir = scratch(&db);
    let design = changed_design(&db, &dir);
    let before = inspect(&db);

    let down = apply_with_rollback(&db, design.to_str().unwrap(), &dir);
    let text = std::fs::read_to_string(&down).unwrap();
    assert!(
        text.starts_with("-- schemaforge rollback · restores catalog fingerprint sha256:"),
        "{text}"
    );
    assert_ne!(inspect(&db), before, "the plan changed something");
    for undone in [
        "DROP TRIGGER \"soft_delete\" ON \"public\".\"boards\"",
        "DROP POLICY \"Hide soft-deleted rows\" ON \"public\".\"boards\"",
        "DROP INDEX \"public\".\"idx_boards_id_not_deleted\"",
        "DROP FUNCTION \"public\".\"schemaforge_soft_delete\"",
    ] {
        assert!(text.contains(undone), "{undone} missing from {text}");
    }
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM public.boards")
            .await
            .as_deref(),
        Some("2")
    );

    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    assert_eq!(inspect(&db), before, "{}", stderr(&out));
    // The rows of the table that existed are still there.
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(name, ',' ORDER BY id) FROM public.boards"
        )
        .await
        .as_deref(),
        Some("a,b")
    );
}

#[tokio::test]
async fn every_example_design_rolls_back_to_the_same_catalog() {
    let db = test_db().await;
    db.batch_execute(PROJECT).await.unwrap();
    // The live table and trigger function the SPEC's example refers to.
    db.batch_execute(
        "CREATE TABLE public.projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL); \
         INSERT INTO public.projects (name) VALUES ('p'); \
         CREATE FUNCTION public.notify_task_change() RETURNS trigger LANGUAGE plpgsql \
         AS $$ BEGIN RETURN NULL; END $$",
    )
    .await
    .unwrap();
    let dir = scratch(&db);
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        let before = inspect(&db);
        let down = apply_with_rollback(&db, path.to_str().unwrap(), &dir);
        let out = cli(
            &db.url,
            &["apply", "--plan", &down, "--yes", "--allow-destructive"],
        );
        assert_success(&out);
        assert_eq!(inspect(&db), before, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 4);
}

#[tokio::test]
async fn a_rollback_that_no_longer_fits_applies_nothing() {
    let db = test_db().await;
    db.batch_execute(PROJECT).await.unwrap();
    let dir = scratch(&db);
    let design = changed_design(&db, &dir);
    let down = dir.join("down.sql").display().to_string();
    assert_success(&cli(
        &db.url,
        &["plan", design.to_str().unwrap(), "--down", "--out", &down],
    ));
    let rollback = ["apply", "--plan", &down, "--yes", "--allow-destructive"];

    // Before the plan is applied: its first statement has nothing to undo.
    let out = cli(&db.url, &rollback);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was applied"),
        "{}",
        stderr(&out)
    );

    // Applied, then changed by someone else: the rollback would not restore the catalog
    // from before, so it is refused as drift and its statements are rolled back.
    assert_success(&cli(
        &db.url,
        &[
            "apply",
            design.to_str().unwrap(),
            "--yes",
            "--allow-destructive",
        ],
    ));
    db.batch_execute("ALTER TABLE public.boards ADD COLUMN extra integer")
        .await
        .unwrap();
    let out = cli(&db.url, &rollback);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would not leave the schema as it was before the plan"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'tasks'"
        )
        .await
        .as_deref(),
        Some("1"),
        "nothing of the rollback was applied"
    );
}

#[tokio::test]
async fn a_dropped_column_is_a_rollback_that_says_it_is_not_exact() {
    let db = test_db().await;
    db.batch_execute(PROJECT).await.unwrap();
    let dir = scratch(&db);
    let out = cli(&db.url, &["design", "--from-db", "--tables", "boards"]);
    assert_success(&out);
    let mut design: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields = design["tables"][0]["fields"].as_array_mut().unwrap();
    fields.retain(|f| f["name"] != "note");
    design["tables"][0]["drop_columns"] = serde_json::json!(["note"]);
    let path = dir.join("drop.json");
    std::fs::write(&path, design.to_string()).unwrap();

    let out = cli(&db.url, &["plan", path.to_str().unwrap(), "--down"]);
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("-- schemaforge rollback · not exact"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("the plan drops boards.note and its values"),
        "{}",
        stderr(&out)
    );
    let down = dir.join("down.sql").display().to_string();
    std::fs::write(&down, text.as_bytes()).unwrap();
    assert_success(&cli(
        &db.url,
        &[
            "apply",
            path.to_str().unwrap(),
            "--yes",
            "--allow-destructive",
        ],
    ));
    assert_success(&cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    ));
    // The column is back, empty, with its type and default.
    assert_eq!(
        scalar(
            &db,
            "SELECT format('%s %s %s', data_type, column_default, (SELECT count(note) FROM public.boards)) \
             FROM information_schema.columns WHERE table_name = 'boards' AND column_name = 'note'"
        )
        .await
        .as_deref(),
        Some("text 'x'::text 0")
    );
}

#[tokio::test]
async fn a_rollback_with_yes_alone_is_refused_as_destructive() {
    let db = test_db().await;
    let dir = scratch(&db);
    let design = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/todos.json");
    let down = apply_with_rollback(&db, design, &dir);
    let out = cli(&db.url, &["apply", "--plan", &down, "--yes"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("DROP TABLE"), "{}", stderr(&out));
}

// Renames and what uses the renamed names: the rollback undoes what the plan made with
// the new names, renames back, then puts back what was read with the old ones.

/// The live tables every rename case starts from: boards with an owner column that a
/// policy, an index and a materialized view use, a score with its own index, and members
/// whose policy reads the boards.
fn owned_boards() -> Value {
    serde_json::json!({
        "tables": [{
            "name": "Boards",
            "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true},
                {"name": "owner", "type": "raw", "options": {"sql_type": "uuid"}},
                {"name": "score", "type": "number", "options": {"integer": true}}
            ],
            "rls_policies": [{"name": "own", "operation": "ALL",
                              "using_expression": "owner = (select auth.uid())",
                              "with_check_expression": "owner = (select auth.uid())"}],
            "indexes": [{"columns": ["owner"]}, {"columns": ["score"]}]
        }, {
            "name": "Members",
            "fields": [{"name": "note", "type": "singleLineText", "is_primary": true}],
            "rls_policies": [{"name": "board owners", "operation": "SELECT",
                              "using_expression": members_see("boards", "owner")}]
        }],
        "materialized_views": [{"name": "Boards per owner", "source": "boards",
                                "group_by": ["owner"], "aggregates": [{"function": "count"}]}]
    })
}

/// The members' policy: a board of the user's own exists.
fn members_see(boards: &str, owner: &str) -> String {
    format!("EXISTS (SELECT 1 FROM public.{boards} b WHERE b.{owner} = (select auth.uid()))")
}

/// Applies `owned_boards` and writes rows.
async fn boards_with_rows(db: &TestDb, dir: &std::path::Path) {
    let path = dir.join("base.json");
    std::fs::write(&path, owned_boards().to_string()).unwrap();
    assert_success(&cli(&db.url, &["apply", path.to_str().unwrap(), "--yes"]));
    db.batch_execute(
        "INSERT INTO public.boards (title, owner, score) VALUES \
         ('a', '00000000-0000-0000-0000-00000000000a', 1), ('b', NULL, 2)",
    )
    .await
    .unwrap();
}

/// Applies `changed` with its rollback saved, checks it changed the catalog, runs the
/// rollback, and checks the catalog is the one from before and the rows are still there
/// (read through `rows`, a query against the table as it was). Returns the rollback's text.
async fn rolls_back(db: &TestDb, dir: &std::path::Path, changed: &Value, rows: &str) -> String {
    let before = inspect(db);
    let path = dir.join("changed.json");
    std::fs::write(&path, changed.to_string()).unwrap();
    let down = apply_with_rollback(db, path.to_str().unwrap(), dir);
    let text = std::fs::read_to_string(&down).unwrap();
    assert_ne!(inspect(db), before, "the plan changed something");
    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    assert_eq!(inspect(db), before, "{text}");
    assert_eq!(
        scalar(db, rows).await.as_deref(),
        Some("a 00000000-0000-0000-0000-00000000000a 1|b  2"),
        "{text}"
    );
    text
}

const BOARD_ROWS: &str = "SELECT string_agg(format('%s %s %s', title, owner, score), '|' \
                          ORDER BY title) FROM public.boards";

#[tokio::test]
async fn a_renamed_column_used_by_a_changed_policy_index_and_view_rolls_back() {
    let db = test_db().await;
    let dir = scratch(&db);
    boards_with_rows(&db, &dir).await;
    let mut changed = owned_boards();
    let table = &mut changed["tables"][0];
    table["fields"][1] = serde_json::json!({"name": "owner_id", "renamed_from": "owner",
        "type": "raw", "options": {"sql_type": "uuid"}});
    table["rls_policies"][0]["using_expression"] =
        "owner_id = (select auth.uid()) OR score > 0".into();
    table["rls_policies"][0]["with_check_expression"] = "owner_id = (select auth.uid())".into();
    table["indexes"] = serde_json::json!([
        {"columns": ["owner_id"], "where": "owner_id IS NOT NULL"}, {"columns": ["score"]}
    ]);
    changed["materialized_views"][0]["group_by"] = serde_json::json!(["owner_id"]);
    // The members' policy names the column too: it follows the rename, and is changed on
    // top of it.
    changed["tables"][1]["rls_policies"][0]["using_expression"] =
        format!("{} AND note <> ''", members_see("boards", "owner_id")).into();
    let text = rolls_back(&db, &dir, &changed, BOARD_ROWS).await;
    // The plan's policies go before the column is renamed back, the old ones after.
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    let rename = at("RENAME COLUMN \"owner_id\" TO \"owner\"");
    assert!(at("DROP POLICY \"own\"") < rename, "{text}");
    assert!(rename < at("CREATE POLICY \"own\""), "{text}");
    assert!(at("DROP POLICY \"board owners\"") < rename, "{text}");
    assert!(rename < at("CREATE POLICY \"board owners\""), "{text}");
}

#[tokio::test]
async fn a_renamed_table_with_a_changed_policy_rolls_back() {
    let db = test_db().await;
    let dir = scratch(&db);
    boards_with_rows(&db, &dir).await;
    let mut changed = owned_boards();
    let table = &mut changed["tables"][0];
    table["name"] = "Cards".into();
    table["renamed_from"] = "boards".into();
    let policy = &mut table["rls_policies"][0];
    policy["name"] = "owner only".into();
    policy["renamed_from"] = "own".into();
    policy["using_expression"] = "owner = (select auth.uid()) OR score > 0".into();
    table["indexes"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"columns": ["title"], "unique": true}));
    changed["materialized_views"][0]["source"] = "cards".into();
    // The members' policy reads the boards by their name: it follows the rename, and is
    // changed on top of it.
    changed["tables"][1]["rls_policies"][0]["using_expression"] =
        format!("{} AND note <> ''", members_see("cards", "owner")).into();
    let text = rolls_back(&db, &dir, &changed, BOARD_ROWS).await;
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    let rename = at("ALTER TABLE \"public\".\"cards\" RENAME TO \"boards\"");
    // The plan's policy goes under its new name, before the table is renamed back; the old
    // one comes back after, under its old name, on the table by its old name.
    assert!(!text.contains("RENAME POLICY"), "{text}");
    assert!(
        at("DROP POLICY \"owner only\" ON \"public\".\"cards\"") < rename,
        "{text}"
    );
    assert!(
        rename < at("CREATE POLICY \"own\" ON \"public\".\"boards\""),
        "{text}"
    );
    assert!(at("DROP POLICY \"board owners\"") < rename, "{text}");
    assert!(rename < at("CREATE POLICY \"board owners\""), "{text}");
}

#[tokio::test]
async fn a_renamed_column_with_a_new_type_rolls_back() {
    let db = test_db().await;
    let dir = scratch(&db);
    boards_with_rows(&db, &dir).await;
    let mut changed = owned_boards();
    let table = &mut changed["tables"][0];
    table["fields"][2] = serde_json::json!({"name": "points", "renamed_from": "score",
        "type": "number"});
    table["indexes"] = serde_json::json!([{"columns": ["owner"]}, {"columns": ["points"]}]);
    let text = rolls_back(&db, &dir, &changed, BOARD_ROWS).await;
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    assert!(
        at("ALTER COLUMN \"points\" TYPE bigint") < at("RENAME COLUMN \"points\" TO \"score\""),
        "{text}"
    );
}

/// A foreign key on a renamed column itself cannot be designed (a relationship's column is
/// `<name>_id`, and a field of that name collides with it), so the keys are on what was
/// renamed: a renamed table with a renamed column gets a key to `auth.users`, and a new table
/// one to the renamed table.
#[tokio::test]
async fn renames_given_new_foreign_keys_roll_back() {
    let db = test_db().await;
    let dir = scratch(&db);
    boards_with_rows(&db, &dir).await;
    let mut changed = owned_boards();
    let table = &mut changed["tables"][0];
    table["name"] = "Cards".into();
    table["renamed_from"] = "boards".into();
    table["fields"][2] = serde_json::json!({"name": "points", "renamed_from": "score",
        "type": "number", "options": {"integer": true}});
    table["indexes"] = serde_json::json!([{"columns": ["owner"]}, {"columns": ["points"]}]);
    changed["tables"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "Tasks", "fields": [{"name": "title", "type": "singleLineText"}]
        }));
    changed["materialized_views"][0]["source"] = "cards".into();
    changed["tables"][1]["rls_policies"][0]["using_expression"] =
        members_see("cards", "owner").into();
    changed["relationships"] = serde_json::json!([
        {"table": "cards", "name": "keeper", "target": "auth.users"},
        {"table": "tasks", "name": "card", "target": "cards", "required": true}
    ]);
    let text = rolls_back(&db, &dir, &changed, BOARD_ROWS).await;
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    let rename = at("ALTER TABLE \"public\".\"cards\" RENAME TO \"boards\"");
    assert!(
        at("DROP CONSTRAINT \"cards_keeper_id_fkey\"") < rename,
        "{text}"
    );
    assert!(at("DROP TABLE \"public\".\"tasks\"") < rename, "{text}");
    assert!(
        at("RENAME COLUMN \"points\" TO \"score\"") < rename,
        "the column is renamed back on the table by its new name: {text}"
    );
}
