//! The index editor in the TUI, driven by keys: `i` in phase 2 (or 1) opens the form, a
//! confirmation is one edit (undo, redo), an index row is edited with `e` and removed with
//! `x`, and a refused form changes nothing. No database: the catalog is built in memory.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::design::TableIndex;
use schemaforge::tui::app::Overlay;
use schemaforge::tui::{App, Message, update};

fn press(app: &mut App, code: KeyCode) {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(code, modifiers))),
    );
}

fn ctrl(app: &mut App, c: char) {
    update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        ))),
    );
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn indexes(app: &App) -> Vec<TableIndex> {
    app.model.design.as_ref().unwrap().design.tables[0]
        .indexes
        .clone()
}

/// In the columns list (id, created_at, updated_at, created_by, updated_by, title, …): the
/// option `at` taken, with `orders` presses of `o`.
fn take(app: &mut App, at: usize, orders: usize) {
    press(app, KeyCode::Home);
    for _ in 0..at {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Char(' '));
    for _ in 0..orders {
        press(app, KeyCode::Char('o'));
    }
}

fn form_open(app: &App) -> bool {
    matches!(app.view.overlays.last(), Some(Overlay::Editor(_)))
}

fn bundle(app: &App) -> String {
    app.model
        .plan
        .as_ref()
        .map(|p| p.bundle.text.clone())
        .unwrap_or_default()
}

#[test]
fn an_index_is_added_edited_removed_and_each_step_undone() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    keys(&mut app, "2i");
    assert!(form_open(&app));
    // Nothing taken: the form says so and stays.
    press(&mut app, KeyCode::Enter);
    assert!(form_open(&app));
    take(&mut app, 1, 1);
    press(&mut app, KeyCode::Enter);
    assert!(!form_open(&app));
    let added = TableIndex::new(vec!["created_at DESC".into()]);
    assert_eq!(indexes(&app), std::slice::from_ref(&added));
    assert!(
        bundle(&app).contains(
            "CREATE INDEX \"idx_todos_created_at\" ON \"public\".\"todos\" (\"created_at\" DESC);"
        ),
        "{}",
        bundle(&app)
    );
    keys(&mut app, "u");
    assert!(indexes(&app).is_empty());
    ctrl(&mut app, 'r');
    assert_eq!(indexes(&app), std::slice::from_ref(&added));

    // The index row is the last row of the pane: e edits it, unique on.
    keys(&mut app, "G");
    keys(&mut app, "e");
    assert!(form_open(&app));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    let unique = TableIndex {
        unique: true,
        ..added.clone()
    };
    assert_eq!(indexes(&app), std::slice::from_ref(&unique));
    assert!(bundle(&app).contains("CREATE UNIQUE INDEX \"idx_todos_created_at\""));
    keys(&mut app, "u");
    assert_eq!(
        indexes(&app),
        std::slice::from_ref(&added),
        "one undo, one change"
    );
    ctrl(&mut app, 'r');

    // x asks first (as for a field); y removes.
    keys(&mut app, "Gx");
    assert_eq!(indexes(&app), std::slice::from_ref(&unique), "x alone asks");
    keys(&mut app, "y");
    assert!(indexes(&app).is_empty());
    keys(&mut app, "u");
    assert_eq!(indexes(&app), [unique]);
}

#[test]
fn a_refused_index_stays_in_its_form_and_changes_nothing() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    // A GIN index on a text column is refused with the reason under the columns.
    keys(&mut app, "2i");
    take(&mut app, 5, 0);
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert!(form_open(&app));
    let Some(Overlay::Editor(editor)) = app.view.overlays.last() else {
        panic!("an editor");
    };
    assert!(
        editor
            .form()
            .error("columns")
            .unwrap_or_default()
            .contains("a gin index does not suit \"title\""),
        "{:?}",
        editor.form().error("columns")
    );
    press(&mut app, KeyCode::Esc);
    assert!(indexes(&app).is_empty());
}

#[test]
fn phase_one_adds_an_index_to_the_selected_table() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    keys(&mut app, "1");
    // Down to the designed table (live tables are listed too).
    for _ in 0..10 {
        keys(&mut app, "i");
        if form_open(&app) {
            break;
        }
        press(&mut app, KeyCode::Esc);
        keys(&mut app, "j");
    }
    assert!(
        form_open(&app),
        "i opens the index form on a designed table"
    );
    take(&mut app, 5, 0);
    press(&mut app, KeyCode::Enter);
    assert_eq!(indexes(&app), [TableIndex::new(vec!["title".into()])]);
    // Phase 1's row counts it; phase 2 lists it under the fields.
    let text = |app: &App| {
        schemaforge::tui::view::buffer_text(&schemaforge::tui::view::render(app, 160, 45))
    };
    assert!(
        text(&app).contains("2 fields · 1 index · RLS on"),
        "{}",
        text(&app)
    );
    keys(&mut app, "2");
    assert!(text(&app).contains("idx_todos_title"), "{}", text(&app));
}
