//! Phase 2's columns never run together: a field name longer than its column is cut with
//! `…`, leaving a space before the type, at 80 and 140 columns.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::design::{Field, FieldType};
use schemaforge::tui::view::{buffer_text, render};
use schemaforge::tui::{Message, update};

#[test]
fn a_long_field_name_is_cut_before_its_type() {
    for width in [80, 140] {
        let mut app = tui_support::app("dark", tui_support::catalog(), width, 30);
        let design = &mut app.model.design.as_mut().unwrap().design;
        for name in [
            "Title of the project",
            "Title of the project as the client sees it",
        ] {
            design.tables[0]
                .fields
                .push(Field::new(name, FieldType::SingleLineText));
        }
        update(
            &mut app,
            Message::Terminal(Event::Key(KeyEvent::new(
                KeyCode::Char('2'),
                KeyModifiers::NONE,
            ))),
        );
        let text = buffer_text(&render(&app, width, 30));
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("Title of"))
            .filter(|l| l.contains("singleLineText"))
            .collect();
        assert_eq!(rows.len(), 2, "{width}:\n{text}");
        for row in rows {
            let (name, _) = row.split_once("singleLineText").unwrap();
            assert!(name.ends_with(' '), "a space before the type: {row}");
            assert!(!row.contains("projectsingleLineText"), "{row}");
            assert!(name.contains('…') || name.contains("project "), "{row}");
        }
        assert!(text.contains('…'), "the longer name is cut:\n{text}");
    }
}
