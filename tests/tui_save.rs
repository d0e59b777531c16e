//! Saving the design from the TUI: a bare file name (the proposal `design.json`) saves in
//! the working directory and is remembered; `Ctrl-o` onto another existing file asks first.

mod common;
mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::tui::app::Overlay;
use schemaforge::tui::editors::Editor;
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;

use common::test_db;
use tui_support::empty_app;

fn ctrl(c: char) -> Message {
    Message::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

async fn with_a_table(db: &common::TestDb) -> Harness {
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.keys("1a");
    h.keys("Todos");
    h.key(KeyCode::Enter);
    h
}

/// The only test here that depends on the working directory.
#[tokio::test]
async fn a_bare_file_name_saves_in_the_working_directory_and_is_remembered() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-save-bare-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let mut h = with_a_table(&db).await;

    h.send(ctrl('s'));
    assert!(h.screen(100, 30).contains("design.json"));
    h.key(KeyCode::Enter);
    h.settle().await;
    let message = h.app.view.message.clone().unwrap_or_default();
    assert_eq!(message, "saved to design.json");
    assert!(dir.join("design.json").is_file());
    assert_eq!(
        h.app.model.design.as_ref().unwrap().file.as_deref(),
        Some(std::path::Path::new("design.json"))
    );
    // Remembered: the next Ctrl-s saves there without asking.
    h.keys("a");
    h.keys("Tags");
    h.key(KeyCode::Enter);
    h.send(ctrl('s'));
    assert!(h.app.overlay().is_none());
    h.settle().await;
    let text = std::fs::read_to_string(dir.join("design.json")).unwrap();
    assert!(text.contains("Tags"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn save_as_onto_another_existing_file_asks_first() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-save-over-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("other.json");
    std::fs::write(&other, "{\"keep\": true}").unwrap();
    let mut h = with_a_table(&db).await;
    // Findings name the table, not its position in the file.
    h.key(KeyCode::Char('6'));
    let preview = h.screen(160, 45);
    assert!(preview.contains("⚠ Todos: no primary field"), "{preview}");
    assert!(!preview.contains("tables[0]"), "{preview}");

    h.send(ctrl('o'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::SaveAs(_))
    ));
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.keys(other.to_str().unwrap());
    h.key(KeyCode::Enter);
    h.settle().await;
    let screen = h.screen(120, 30);
    assert!(
        screen.contains("other.json exists: Enter") && screen.contains("again replaces it"),
        "{screen}"
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "{\"keep\": true}");
    // The second Enter replaces it.
    h.key(KeyCode::Enter);
    h.settle().await;
    assert!(h.app.overlay().is_none());
    assert!(std::fs::read_to_string(&other).unwrap().contains("Todos"));
    // Its own file is saved over without a question.
    h.send(ctrl('o'));
    h.key(KeyCode::Enter);
    h.settle().await;
    assert!(h.app.overlay().is_none(), "{}", h.screen(120, 30));
    std::fs::remove_dir_all(&dir).unwrap();
}
