//! The Preview's export (`E`) against a real PostgreSQL: the files it writes are exactly those
//! `schemaforge export` writes for the same design and database, in both formats.

mod common;
mod tui_support;

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use schemaforge::tui::App;
use schemaforge::tui::app::{Overlay, Phase};
use schemaforge::tui::editors::Editor;
use schemaforge::tui::runtime::Harness;

use common::{assert_success, cli, test_db};
use tui_support::app_with_design_file;

/// The Todos example with sample rows, so the export has a seed.sql.
fn design_text() -> String {
    let mut design: serde_json::Value =
        serde_json::from_str(include_str!("../assets/examples/todos.json")).unwrap();
    design["samples"] = serde_json::json!({ "todos": 6 });
    serde_json::to_string_pretty(&design).unwrap()
}

fn app_with_todos(dir: &Path) -> App {
    app_with_design_file(&dir.join("todos.json"), &design_text())
}

/// Every file under `dir`, by its path below `dir` with the timestamp of the migration's
/// name taken out (the two exports ran in different seconds), and its text.
fn exported(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut named: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let relative = p.strip_prefix(dir).unwrap().display().to_string();
            let without_time = relative
                .split('/')
                .map(|part| match part.split_once('_') {
                    Some((digits, rest))
                        if digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        format!("<time>_{rest}")
                    }
                    _ => part.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            (without_time, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    named.sort();
    named
}

fn clear(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Backspace);
    }
}

#[tokio::test]
async fn the_preview_exports_what_the_export_command_writes() {
    let db = test_db().await;
    let root = std::env::temp_dir().join(format!("schemaforge-tui-export-{}", db.name));
    let (tui_dir, cli_dir) = (root.join("tui"), root.join("cli"));
    std::fs::create_dir_all(&root).unwrap();
    let mut h = Harness::start(app_with_todos(&root), db.connect_again().await);
    h.settle().await;

    h.key(KeyCode::Char('6'));
    assert_eq!(h.app.view.phase, Phase::Preview);
    h.key(KeyCode::Char('E'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::Export(_))
    ));
    let form = h.screen(120, 40);
    assert!(form.contains("Export the plan"), "{form}");
    assert!(
        form.contains("schemaforge_todos"),
        "the name proposed: {form}"
    );
    assert!(form.contains("<to>/seed.sql"), "{form}");
    h.key(KeyCode::Tab);
    clear(&mut h, "supabase".len());
    h.keys(tui_dir.to_str().unwrap());
    // Two demo users own the rows.
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    clear(&mut h, 1);
    h.keys("2");
    h.key(KeyCode::Enter);
    h.settle().await;
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(message.starts_with("exported: "), "{message}");
    assert!(message.contains("seed.sql"), "{message}");

    let out = cli(
        &db.url,
        &[
            "export",
            root.join("todos.json").to_str().unwrap(),
            "--out",
            cli_dir.to_str().unwrap(),
            "--demo-users",
            "2",
        ],
    );
    assert_success(&out);
    let (from_tui, from_cli) = (exported(&tui_dir), exported(&cli_dir));
    let names: Vec<&str> = from_tui.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "migrations/<time>_schemaforge_todos.sql",
            "rollbacks/<time>_schemaforge_todos.down.sql",
            "seed.sql"
        ]
    );
    assert_eq!(
        from_tui, from_cli,
        "the TUI and the command write the same files"
    );
    let migration = &from_tui[0].1;
    assert!(
        migration.contains("CREATE TABLE \"public\".\"todos\""),
        "{migration}"
    );
    assert!(
        !migration.contains("BEGIN;"),
        "the Supabase CLI adds the transaction"
    );
    assert!(
        migration.contains("NOTIFY pgrst, 'reload schema'"),
        "{migration}"
    );
    let seed = &from_tui[2].1;
    assert!(seed.contains("INSERT INTO \"auth\".\"users\""), "{seed}");
    assert!(seed.contains("INSERT INTO \"public\".\"todos\""), "{seed}");

    // Plain: one file where the form says, its rollback beside it.
    let file = root.join("plain.sql");
    h.key(KeyCode::Char('E'));
    h.key(KeyCode::Right);
    h.key(KeyCode::Tab);
    clear(&mut h, "supabase".len());
    h.keys(file.to_str().unwrap());
    h.key(KeyCode::Enter);
    h.settle().await;
    let plain = std::fs::read_to_string(&file).unwrap();
    let out = cli(
        &db.url,
        &[
            "export",
            root.join("todos.json").to_str().unwrap(),
            "--format",
            "plain",
            "--out",
            root.join("plain-cli.sql").to_str().unwrap(),
        ],
    );
    assert_success(&out);
    assert_eq!(
        plain,
        std::fs::read_to_string(root.join("plain-cli.sql")).unwrap()
    );
    assert!(
        plain.starts_with("-- schemaforge plan") || plain.contains("BEGIN;"),
        "{plain}"
    );
    assert!(root.join("plain.down.sql").is_file());
    // Nothing was sent: the database is as it was.
    assert_eq!(
        common::scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );
    std::fs::remove_dir_all(root).unwrap();
}
