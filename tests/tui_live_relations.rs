//! Phase 3 on a hand-written schema: foreign keys no relationship of the design stands for
//! (keys to bigint identity columns, keys to auth.users) are listed as live, read-only, so
//! the phase never claims a schema full of them has none.

mod common;
mod tui_support;

use crossterm::event::KeyCode;
use schemaforge::tui::runtime::Harness;

use common::test_db;
use tui_support::{app_with_design_file, empty_app};

#[tokio::test]
async fn live_foreign_keys_the_design_does_not_model_are_listed() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.teams (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             owner_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
             name text NOT NULL);
         CREATE TABLE public.projects (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             team_id bigint NOT NULL REFERENCES public.teams (id) ON DELETE CASCADE,
             title text);
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;
         ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.key(KeyCode::Char('3'));
    let screen = h.screen(140, 40);
    assert!(
        screen.contains("live, not in the design · 2 foreign keys"),
        "{screen}"
    );
    assert!(
        screen.contains("projects.team_id → teams(id) · on delete cascade"),
        "{screen}"
    );
    assert!(
        screen.contains("teams.owner_id → auth.users(id) · on delete cascade"),
        "{screen}"
    );

    // Relationships of the design, once applied, are its own rows, not live ones.
    let design = r#"{
        "tables": [
            {"name": "Boards", "fields": [{"name": "Title", "type": "singleLineText", "is_primary": true}]},
            {"name": "Cards", "fields": [{"name": "Text", "type": "singleLineText", "is_primary": true}]}
        ],
        "relationships": [{"table": "Cards", "name": "board", "target": "Boards"}]
    }"#;
    let file = std::env::temp_dir().join(format!("schemaforge-live-rel-{}.json", db.name));
    let app = app_with_design_file(&file, design);
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('6'));
    let preview = h.screen(140, 40);
    assert!(preview.contains("CREATE TABLE"), "{preview}");
    h.apply_confirmed().await;
    h.settle().await;
    h.key(KeyCode::Char('3'));
    let screen = h.screen(140, 40);
    assert!(
        screen.contains("1 relationship in schema public"),
        "{screen}"
    );
    assert!(screen.contains("Cards.board"), "{screen}");
    assert!(screen.contains("2 foreign keys"), "{screen}");
    assert!(!screen.contains("cards.board_id →"), "{screen}");
    assert!(
        !screen.contains("created_by →"),
        "system fields are phase 2's: {screen}"
    );
    std::fs::remove_file(file).unwrap();
}

/// A live table opened in phase 1 has its own key and columns: phase 2 lists them and no
/// automatic system fields.
#[tokio::test]
async fn an_opened_live_table_has_no_automatic_fields() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.teams (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             name text NOT NULL);
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    assert_eq!(h.design().tables.len(), 1, "{}", h.screen(140, 40));
    h.key(KeyCode::Char('2'));
    let screen = h.screen(140, 40);
    assert!(
        screen.contains("automatic: none (the table has its own key and columns)"),
        "{screen}"
    );
    assert!(!screen.contains("created_by"), "{screen}");

    // Phase 5 does not offer generated rows the generator could not key.
    h.key(KeyCode::Char('5'));
    let screen = h.screen(140, 40);
    assert!(screen.contains("its own key: not generated"), "{screen}");
    h.key(KeyCode::Enter);
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(
        message.contains("no sample rows for a table with its own key"),
        "{message}"
    );
    assert!(h.design().samples.is_empty());
}
