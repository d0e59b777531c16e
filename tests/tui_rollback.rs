//! The Preview's rollback tab (`b`) against a real PostgreSQL: it shows what `plan --down`
//! prints for the same plan, and after the apply it keeps the rollback of what was applied,
//! which run through the CLI gives back the schema as it was.
mod common;

use crossterm::event::KeyCode;
use schemaforge::tui::App;
use schemaforge::tui::app::Phase;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::opening;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::{assert_success, cli, scalar, test_db};

const TODOS: &str = include_str!("../assets/examples/todos.json");

fn app_with_todos(dir: &std::path::Path) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    let file = dir.join("todos.json");
    std::fs::write(&file, TODOS).unwrap();
    let design = schemaforge::design::parse(TODOS).unwrap().0;
    opening::open_design(&mut app, design, file, None);
    app
}

#[tokio::test]
async fn the_rollback_tab_shows_what_plan_down_prints_and_survives_the_apply() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-tui-rollback-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = Harness::start(app_with_todos(&dir), db.connect_again().await);
    h.settle().await;

    h.key(KeyCode::Char('6'));
    assert_eq!(h.app.view.phase, Phase::Preview);
    h.key(KeyCode::Char('b'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("rollback ·"), "{screen}");
    assert!(screen.contains("✓ exact"), "{screen}");
    assert!(screen.contains("DROP TABLE"), "{screen}");

    // The same text as the CLI's, for the same plan against the same database.
    let down = cli(
        &db.url,
        &["plan", dir.join("todos.json").to_str().unwrap(), "--down"],
    );
    assert_success(&down);
    let shown = h.app.view.preview.rollback.as_ref().expect("a rollback");
    assert_eq!(shown.bundle.text, String::from_utf8_lossy(&down.stdout));
    let before = cli(&db.url, &["inspect", "--json"]);

    // Back to the plan, apply it; the tab then holds the rollback of what was applied.
    h.key(KeyCode::Char('b'));
    assert!(h.screen(120, 40).contains("CREATE TABLE"));
    h.apply_confirmed().await;
    h.key(KeyCode::Char('b'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("undoes the apply just made"), "{screen}");
    let text = h
        .app
        .view
        .preview
        .rollback
        .as_ref()
        .unwrap()
        .bundle
        .text
        .clone();

    // Run through the CLI, it gives back the schema from before the apply.
    let file = dir.join("down.sql");
    std::fs::write(&file, &text).unwrap();
    assert_success(&cli(
        &db.url,
        &[
            "apply",
            "--plan",
            file.to_str().unwrap(),
            "--yes",
            "--allow-destructive",
        ],
    ));
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'todos'"
        )
        .await
        .as_deref(),
        Some("0")
    );
    let after = cli(&db.url, &["inspect", "--json"]);
    let strip = |out: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if let Some(tables) = v["tables"].as_array_mut() {
            for t in tables {
                t.as_object_mut().unwrap().remove("row_estimate");
            }
        }
        v
    };
    assert_eq!(strip(&after), strip(&before));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A column renamed and a policy changed to use the new name: the tab shows the plan's
/// policy dropped before the rename is undone and the old one created after (the same
/// text as `plan --down`), and what it keeps after the apply gives the schema back.
#[tokio::test]
async fn the_rollback_tab_of_a_rename_undoes_it_after_the_policy_that_uses_it() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-tui-rollback-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let design = |owner: serde_json::Value, using: &str| {
        serde_json::json!({"tables": [{
            "name": "Boards",
            "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}, owner],
            "rls_policies": [{"name": "own", "operation": "SELECT", "using_expression": using}]
        }]})
        .to_string()
    };
    let base = dir.join("base.json");
    std::fs::write(
        &base,
        design(
            serde_json::json!({"name": "owner", "type": "raw", "options": {"sql_type": "uuid"}}),
            "owner = (select auth.uid())",
        ),
    )
    .unwrap();
    assert_success(&cli(&db.url, &["apply", base.to_str().unwrap(), "--yes"]));
    db.batch_execute("INSERT INTO public.boards (title) VALUES ('a')")
        .await
        .unwrap();
    let before = common::inspect_schema(&db);

    let renamed = design(
        serde_json::json!({"name": "owner_id", "renamed_from": "owner", "type": "raw",
                           "options": {"sql_type": "uuid"}}),
        "owner_id = (select auth.uid())",
    );
    let file = dir.join("renamed.json");
    std::fs::write(&file, &renamed).unwrap();
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    let parsed = schemaforge::design::parse(&renamed).unwrap().0;
    opening::open_design(&mut app, parsed, file.clone(), None);
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('b'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("DROP POLICY \"own\""), "{screen}");
    let shown = h.app.view.preview.rollback.as_ref().expect("a rollback");
    let down = cli(&db.url, &["plan", file.to_str().unwrap(), "--down"]);
    assert_success(&down);
    assert_eq!(shown.bundle.text, String::from_utf8_lossy(&down.stdout));
    let at = |needle: &str| {
        shown
            .bundle
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {}", shown.bundle.text))
    };
    let rename = at("RENAME COLUMN \"owner_id\" TO \"owner\"");
    assert!(at("DROP POLICY \"own\"") < rename);
    assert!(rename < at("CREATE POLICY \"own\""));

    h.key(KeyCode::Char('b'));
    h.apply_confirmed().await;
    h.key(KeyCode::Char('b'));
    let text = h
        .app
        .view
        .preview
        .rollback
        .as_ref()
        .unwrap()
        .bundle
        .text
        .clone();
    let saved = dir.join("down.sql");
    std::fs::write(&saved, &text).unwrap();
    assert_success(&cli(
        &db.url,
        &[
            "apply",
            "--plan",
            saved.to_str().unwrap(),
            "--yes",
            "--allow-destructive",
        ],
    ));
    assert_eq!(common::inspect_schema(&db), before, "{text}");
    assert_eq!(
        scalar(&db, "SELECT string_agg(title, ',') FROM public.boards")
            .await
            .as_deref(),
        Some("a")
    );
    std::fs::remove_dir_all(dir).unwrap();
}
