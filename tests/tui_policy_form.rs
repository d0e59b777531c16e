//! Phase 4's policy form says what an empty WITH CHECK means for each command, and that a
//! WITH CHECK repeating USING is the same as leaving it empty (so the Preview not changing
//! is explained). No database: the catalog is built in memory.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
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

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn screen(app: &App) -> String {
    schemaforge::tui::view::render_text(app, 160, 45)
}

#[test]
fn the_with_check_placeholder_follows_the_command() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    // The example's policy is FOR ALL with USING only.
    keys(&mut app, "4");
    press(&mut app, KeyCode::Enter);
    let all = screen(&app);
    assert!(
        all.contains("with check rows it may write (empty: same as USING)"),
        "{all}"
    );
    assert!(!all.contains("(empty: none)"), "{all}");
    // The command: ALL → SELECT (Left four times), then INSERT, DELETE.
    press(&mut app, KeyCode::Tab);
    for _ in 0..4 {
        press(&mut app, KeyCode::Left);
    }
    assert!(screen(&app).contains("not used by SELECT (leave empty)"));
    press(&mut app, KeyCode::Right);
    let insert = screen(&app);
    assert!(
        insert.contains("rows it may add (required for INSERT)"),
        "{insert}"
    );
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert!(screen(&app).contains("not used by DELETE (leave empty)"));
    press(&mut app, KeyCode::Left);
    assert!(screen(&app).contains("(empty: same as USING)"), "UPDATE");
}

#[test]
fn a_with_check_equal_to_using_is_explained_in_the_form_and_on_confirm() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    let before = app.model.plan.as_ref().unwrap().bundle.text.clone();
    keys(&mut app, "4");
    press(&mut app, KeyCode::Enter);
    // name, command, roles, kind, using, with check.
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "created_by = auth.uid()");
    let form = screen(&app);
    assert!(
        form.contains("WITH CHECK repeats USING, the same as leaving it empty"),
        "{form}"
    );
    // The expression editor takes ⏎ for a new line: Tab back to the name, then ⏎.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let message = app.view.message.clone().unwrap_or_default();
    assert!(
        message.contains("changed") && message.contains("WITH CHECK repeats USING"),
        "{message}"
    );
    let design = &app.model.design.as_ref().unwrap().design;
    let policy = design
        .tables
        .iter()
        .flat_map(|t| &t.rls_policies)
        .find(|p| p.name == "User Access Own Todos")
        .unwrap();
    assert_eq!(
        policy.with_check_expression.as_deref(),
        Some("created_by = auth.uid()"),
        "what was typed is kept"
    );
    assert_eq!(
        app.model.plan.as_ref().unwrap().bundle.text,
        before,
        "the plan does not change"
    );
}
