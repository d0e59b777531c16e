//! Phase 1 lists a live view apart from the live tables ⏎ opens, marked `view`, and ⏎ on
//! it says what it is instead of opening it.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::catalog::TableKind;
use schemaforge::tui::view::{buffer_text, render};
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

#[test]
fn a_live_view_is_listed_apart_and_not_opened() {
    let mut catalog = tui_support::catalog();
    catalog.tables.push(schemaforge::catalog::Table {
        primary_key: None,
        indexes: vec![],
        ..tui_support::table_of_kind("public", "team_overview", TableKind::View)
    });
    for (width, height) in [(80, 24), (140, 40)] {
        let mut app = tui_support::app("dark", catalog.clone(), width, height);
        let tables = app.model.design.as_ref().unwrap().design.tables.len();
        press(&mut app, KeyCode::Char('1'));
        press(&mut app, KeyCode::Char('G'));
        let text = buffer_text(&render(&app, width, height));
        // The Tables pane only (the tree on the left lists the view too).
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("││").map_or("", |(_, pane)| pane))
            .collect();
        let live_rule = lines
            .iter()
            .position(|l| l.contains("live tables · ⏎ opens one for editing"))
            .expect(&text);
        let views_rule = lines
            .iter()
            .position(|l| l.contains("live views and others · not part of a design"))
            .expect(&text);
        let view_row = lines
            .iter()
            .position(|l| l.contains("team_overview"))
            .expect(&text);
        assert!(live_rule < views_rule && views_rule < view_row, "{text}");
        assert!(lines[view_row].contains("view"), "{text}");
        assert!(
            !lines[live_rule..views_rule]
                .iter()
                .any(|l| l.contains("team_overview")),
            "{text}"
        );

        press(&mut app, KeyCode::Enter);
        let design = &app.model.design.as_ref().unwrap().design;
        assert_eq!(design.tables.len(), tables, "a view is never opened");
        let message = app.view.message.clone().unwrap_or_default();
        assert!(
            message.contains("team_overview is a live view"),
            "{message}"
        );
    }
}
