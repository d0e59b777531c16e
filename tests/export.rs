//! `schemaforge export`: the plan as a Supabase CLI migration that really migrates.
mod common;

use common::{scalar, test_db};

#[tokio::test]
async fn the_exported_migration_builds_the_design_and_then_nothing_is_left_to_do() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-export-{}-{}",
        std::process::id(),
        db.name
    ));
    let design = format!("{}/assets/examples/todos.json", env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| common::cli(&db.url, args);

    let out = run(&["export", &design, "--out", dir.to_str().unwrap()]);
    common::assert_success(&out);
    let files: Vec<_> = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.ends_with("_schemaforge_todos.sql") && name[..14].chars().all(|c| c.is_ascii_digit()),
        "{name}"
    );
    let sql = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!sql.contains("BEGIN;") && !sql.contains("COMMIT;"));
    assert!(sql.contains("CREATE TABLE \"public\".\"todos\""));

    // The Supabase CLI wraps each migration in a transaction; so does this.
    db.batch_execute(&format!("BEGIN;\n{sql}\nCOMMIT;"))
        .await
        .unwrap();
    assert!(
        scalar(&db, "SELECT to_regclass('public.todos')::text")
            .await
            .is_some()
    );
    let out = run(&["plan", &design]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "after the migration nothing is left to plan"
    );

    // Its rollback sits in rollbacks/ (not in migrations/, which the CLI would run), named
    // like the migration, and undoes it.
    let down = dir
        .join("rollbacks")
        .join(name.replace(".sql", ".down.sql"));
    let text = std::fs::read_to_string(&down).unwrap();
    assert!(
        text.starts_with("-- schemaforge rollback · restores"),
        "{text}"
    );
    let out = run(&[
        "apply",
        "--plan",
        down.to_str().unwrap(),
        "--yes",
        "--allow-destructive",
    ]);
    common::assert_success(&out);
    assert!(
        scalar(&db, "SELECT to_regclass('public.todos')::text")
            .await
            .is_none()
    );
    std::fs::remove_dir_all(dir).unwrap();
}
