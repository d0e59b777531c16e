//! `schemaforge export` is complete: its migration and `seed.sql`, run with plain `psql` on a
//! fresh database that has only the shim, leave the same catalog and the same rows as
//! `schemaforge apply` of the design; its rollback returns the catalog to the one before.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TestDb, scalar, test_db};

fn psql() -> PathBuf {
    schemaforge::db::pg_bin::find_bin_dir()
        .unwrap_or_else(|searched| panic!("no PostgreSQL binaries in {searched:?}"))
        .join("psql")
}

/// `psql -f FILE` the way a user runs it: stop at the first error; `single` wraps the file
/// in one transaction, as the Supabase CLI does with a migration.
fn run_psql(url: &str, file: &Path, single: bool) {
    let mut cmd = Command::new(psql());
    cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]);
    if single {
        cmd.arg("-1");
    }
    let out = cmd.arg("-f").arg(file).output().expect("run psql");
    assert_eq!(
        out.status.code(),
        Some(0),
        "psql -f {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `inspect --json` without what differs between two databases of the same schema: the
/// database's name, row estimates and the reader's statistics.
fn inspect(db: &TestDb) -> serde_json::Value {
    let out = common::cli(&db.url, &["inspect", "--json"]);
    common::assert_success(&out);
    let mut catalog: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("inspect --json is JSON");
    let object = catalog.as_object_mut().unwrap();
    object["flavour"]
        .as_object_mut()
        .unwrap()
        .remove("database");
    object.remove("stats");
    for table in object["tables"].as_array_mut().unwrap() {
        table.as_object_mut().unwrap().remove("row_estimate");
    }
    catalog
}

/// Compares two catalogs part by part, so a failure names the part that differs.
fn assert_same_catalog(left: &serde_json::Value, right: &serde_json::Value, what: &str) {
    let (l, r) = (left.as_object().unwrap(), right.as_object().unwrap());
    assert_eq!(
        l.keys().collect::<Vec<_>>(),
        r.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (key, value) in l {
        if let (Some(a), Some(b)) = (value.as_array(), r[key].as_array()) {
            assert_eq!(a.len(), b.len(), "{what}: {key}: {a:#?}\n{b:#?}");
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x, y, "{what}: {key}");
            }
        } else {
            assert_eq!(value, &r[key], "{what}: {key}");
        }
    }
}

/// Every table of `public` and `auth.users`: its row count and a digest of its ids.
async fn rows(db: &TestDb) -> Vec<(String, String)> {
    let tables = scalar(
        db,
        "SELECT string_agg(format('%I.%I', table_schema, table_name), ',' ORDER BY table_name) \
         FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .await
    .unwrap_or_default();
    let mut out = Vec::new();
    for table in tables
        .split(',')
        .filter(|t| !t.is_empty())
        .chain(["auth.users"])
    {
        // The ids and keys (uuid columns) of every row; timestamps differ by design.
        let keys = scalar(
            db,
            &format!(
                "SELECT string_agg(format('t.%I', attname), ', ' ORDER BY attnum) FROM pg_attribute \
                 WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped \
                 AND atttypid = 'uuid'::regtype"
            ),
        )
        .await
        .unwrap();
        let digest = format!(
            "md5(coalesce(string_agg(row({keys})::text, ',' ORDER BY row({keys})::text), ''))"
        );
        let value = scalar(
            db,
            &format!("SELECT count(*) || ' ' || {digest} FROM {table} AS t"),
        )
        .await
        .unwrap();
        out.push((table.to_owned(), value));
    }
    out
}

fn temp_dir(db: &TestDb, what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-export-seed-{what}-{}-{}",
        std::process::id(),
        db.name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// Exports `design` planned against a fresh shim-only database and runs the files there with
/// psql, applies the design with schemaforge on another, and compares. Returns the rows.
///
/// (The rollback's "restores" fingerprint names the database it was planned against, so the
/// export is planned against the database the files then run on.)
async fn export_equals_apply(design: &Path, options: &[&str]) -> (Vec<(String, String)>, String) {
    let exported = test_db().await;
    let applied = test_db().await;
    let dir = temp_dir(&exported, "out");
    let before = inspect(&exported);

    let mut args = vec![
        "export",
        design.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(options);
    let out = common::cli(&exported.url, &args);
    common::assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in rollbacks/, not migrations/"),
        "{stderr}"
    );

    let migration = only_file(&dir.join("migrations"));
    let sql = std::fs::read_to_string(&migration).unwrap();
    // A stock Supabase project has no shim: the refresh is the NOTIFY PostgREST listens for.
    assert!(!sql.contains("apply_postgrest_permissions"), "{sql}");
    assert!(sql.contains("NOTIFY pgrst, 'reload schema';"), "{sql}");
    run_psql(&exported.url, &migration, true);
    let seed = dir.join("seed.sql");
    let mut seed_text = String::new();
    if seed.exists() {
        let text = std::fs::read_to_string(&seed).unwrap();
        seed_text = text.clone();
        assert!(
            !text.contains("COPY "),
            "the Supabase CLI cannot run COPY … FROM stdin"
        );
        run_psql(&exported.url, &seed, false);
    }

    let mut args = vec!["apply", design.to_str().unwrap(), "--yes"];
    args.extend(options);
    common::assert_success(&common::cli(&applied.url, &args));

    assert_same_catalog(
        &inspect(&exported),
        &inspect(&applied),
        "the exported files build the catalog apply builds",
    );
    let exported_rows = rows(&exported).await;
    assert_eq!(exported_rows, rows(&applied).await, "and the same rows");
    let out = common::cli(&exported.url, &["plan", design.to_str().unwrap()]);
    assert!(out.stdout.is_empty(), "nothing left to plan");

    // The rollback, kept out of migrations/, returns the catalog to the one before.
    let down = dir
        .join("rollbacks")
        .join(only_file(&dir.join("migrations")).file_name().unwrap())
        .with_extension("down.sql");
    let text = std::fs::read_to_string(&down).unwrap();
    assert!(!text.contains("apply_postgrest_permissions"), "{text}");
    let out = common::cli(
        &exported.url,
        &[
            "apply",
            "--plan",
            down.to_str().unwrap(),
            "--yes",
            "--allow-destructive",
        ],
    );
    common::assert_success(&out);
    assert_same_catalog(
        &inspect(&exported),
        &before,
        "the rollback returns the catalog to the one before",
    );
    std::fs::remove_dir_all(dir).unwrap();
    (exported_rows, seed_text)
}

#[tokio::test]
async fn the_todos_design_exports_to_what_apply_builds() {
    let design = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/todos.json");
    let (rows, seed) = export_equals_apply(&design, &[]).await;
    assert!(rows.iter().any(|(t, _)| t == "public.todos"), "{rows:?}");
    assert!(
        seed.is_empty(),
        "a design without samples has no seed.sql: {seed}"
    );
}

#[tokio::test]
async fn a_design_with_relationships_and_samples_exports_its_rows_as_seed_sql() {
    let design = serde_json::json!({
        "tables": [
            {"name": "Projects", "fields": [{"name": "Name", "type": "singleLineText", "options": {"required": true, "unique": true}}]},
            {"name": "Todos", "fields": [
                {"name": "Title", "type": "singleLineText", "options": {"required": true, "max_length": 80}},
                {"name": "Status", "type": "singleSelect", "options": {"choices": ["open", "done"], "required": true}},
                {"name": "Labels", "type": "multiSelect", "options": {"choices": ["bug", "it's"]}},
                {"name": "Details", "type": "json"}
            ]},
            {"name": "Tags", "fields": [{"name": "Label", "type": "singleLineText", "options": {"unique": true}}]}
        ],
        "relationships": [
            {"table": "todos", "name": "project", "target": "projects", "required": true, "cascade_delete": true},
            {"table": "todos", "name": "parent", "target": "todos"},
            {"table": "projects", "name": "lead todo", "target": "todos"},
            {"table": "todos", "name": "tags", "target": "tags", "allow_multiple": true}
        ],
        "samples": {
            "projects": 4,
            "todos": [
                {"Title": "O'Brien's \"quoted\"\ttask", "Status": "open", "Labels": ["it's"], "Details": {"k": "v\\n"}},
                {"Title": "second", "Status": "done"}
            ],
            "tags": 6
        }
    });
    let scratch = test_db().await;
    let dir = temp_dir(&scratch, "design");
    let file = dir.join("board.json");
    std::fs::write(&file, design.to_string()).unwrap();

    let (rows, seed) = export_equals_apply(&file, &["--demo-users", "3"]).await;
    // Dependency order: the users, then projects before the todos that need one; the
    // projects' optional lead todo is set afterwards (the cycle's second half).
    let at = |text: &str| {
        seed.find(text)
            .unwrap_or_else(|| panic!("{text} in {seed}"))
    };
    assert!(at("INSERT INTO \"auth\".\"users\"") < at("INSERT INTO \"public\".\"projects\""));
    assert!(at("INSERT INTO \"public\".\"projects\"") < at("INSERT INTO \"public\".\"todos\""));
    assert!(seed.contains("UPDATE \"public\".\"projects\""), "{seed}");
    assert!(
        seed.starts_with("-- Generated by schemaforge") && seed.trim_end().ends_with("COMMIT;")
    );
    let count = |table: &str| {
        rows.iter()
            .find(|(t, _)| t == table)
            .map(|(_, v)| v.split(' ').next().unwrap().to_owned())
    };
    assert_eq!(count("public.projects").as_deref(), Some("4"), "{rows:?}");
    assert_eq!(count("public.todos").as_deref(), Some("2"), "{rows:?}");
    assert_eq!(count("public.tags").as_deref(), Some("6"), "{rows:?}");
    assert_eq!(count("auth.users").as_deref(), Some("3"), "{rows:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn plain_format_writes_one_file_that_builds_and_fills_in_one_transaction() {
    let planned_on = test_db().await;
    let target = test_db().await;
    let dir = temp_dir(&planned_on, "plain");
    let file = dir.join("board.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "tables": [{"name": "Notes", "fields": [{"name": "Title", "type": "singleLineText"}]}],
            "samples": {"notes": 7}
        })
        .to_string(),
    )
    .unwrap();
    let out_file = dir.join("notes.sql");
    let out = common::cli(
        &planned_on.url,
        &[
            "export",
            file.to_str().unwrap(),
            "--format",
            "plain",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    common::assert_success(&out);
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(
        text.contains("BEGIN;") && text.trim_end().ends_with("COMMIT;"),
        "{text}"
    );
    assert!(text.contains("INSERT INTO \"public\".\"notes\""), "{text}");
    run_psql(&target.url, &out_file, false);
    assert_eq!(
        scalar(&target, "SELECT count(*) FROM notes")
            .await
            .as_deref(),
        Some("7")
    );
    assert!(dir.join("notes.down.sql").exists());
    std::fs::remove_dir_all(dir).unwrap();
}
