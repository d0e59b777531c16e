//! Phases 2–5 edit one table at a time: `<` and `>` move to the previous and next table of
//! the design without going back to phase 1. No database: the keys act on the design alone.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::tui::App;
use schemaforge::tui::app::Phase;
use schemaforge::tui::message::Message;
use schemaforge::tui::update::update;
use schemaforge::tui::view::render_text;

fn key(app: &mut App, code: KeyCode) {
    let _ = update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    );
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn current(app: &App) -> String {
    let i = app.current_table().expect("a table is selected");
    app.model.design.as_ref().unwrap().design.tables[i]
        .name
        .clone()
}

#[test]
fn angle_brackets_move_phases_2_to_5_among_the_tables_and_wrap() {
    let mut app = tui_support::empty_app();
    key(&mut app, KeyCode::Char('1'));
    for name in ["Projects", "Todos", "Tags"] {
        key(&mut app, KeyCode::Char('a'));
        keys(&mut app, name);
        key(&mut app, KeyCode::Enter);
    }
    key(&mut app, KeyCode::Home);
    assert_eq!(current(&app), "Projects");

    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(app.view.phase, Phase::Fields, "the phase stays");
    assert_eq!(current(&app), "Todos");
    assert_eq!(app.view.message.as_deref(), Some("table Todos (2 of 3)"));
    let screen = render_text(&app, 120, 40);
    assert!(
        screen.contains("Todos") && !screen.contains("Projects"),
        "{screen}"
    );

    key(&mut app, KeyCode::Char('4'));
    key(&mut app, KeyCode::Char('>'));
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(current(&app), "Projects", "wraps past the last table");
    key(&mut app, KeyCode::Char('<'));
    assert_eq!(current(&app), "Tags", "and back past the first");
    assert_eq!(app.view.phase, Phase::Rls);

    // Phase 1's selection is the same table.
    key(&mut app, KeyCode::Char('1'));
    assert_eq!(app.view.selected[Phase::Tables.index()], 2);
}

#[test]
fn without_tables_the_keys_say_how_to_add_one() {
    let mut app = tui_support::empty_app();
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(
        app.view.message.as_deref(),
        Some("the design has no table yet: a adds one")
    );
}
