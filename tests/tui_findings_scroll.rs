//! The Preview's findings can be read to the end: below the SQL at 80×24 and beside it at
//! 140×40 (with a dry run's result above), `G`, `j` and `PgDn` scroll on past the SQL's end
//! until the last finding is on screen.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use schemaforge::tui::app::ApplyState;
use schemaforge::tui::findings::line;
use schemaforge::tui::view::render;
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

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The Preview pane's text from `column` on (to its right border), row after row, without
/// whitespace: a finding wrapped over several rows reads as one string.
fn pane_text(buffer: &Buffer, from_right: Option<u16>) -> String {
    let area = buffer.area;
    let row = |y: u16| -> String {
        (0..area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect()
    };
    let top = (0..area.height)
        .find(|y| row(*y).contains("┌ Preview"))
        .expect("the Preview pane is drawn");
    let left = row(top)
        .chars()
        .position(|c| c == '┌')
        .map(|_| {
            // The second `┌` on the row: the Preview's own border.
            let cells: Vec<String> = (0..area.width)
                .map(|x| buffer[(x, top)].symbol().to_owned())
                .collect();
            cells.iter().rposition(|c| c == "┌").unwrap() as u16 + 1
        })
        .unwrap();
    let right = area.width - 1;
    let left = from_right.map_or(left, |w| right - w);
    (top + 1..area.height - 1)
        .map(|y| {
            (left..right)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .map(|r| squeeze(&r))
        .collect()
}

fn last_finding(app: &App) -> String {
    let f = app
        .model
        .analysis
        .findings
        .last()
        .expect("the example has findings");
    squeeze(&line(f))
}

fn reaches_the_last_finding(width: u16, height: u16, more: usize, column: Option<u16>) {
    for keys in [
        vec![KeyCode::Char('G')],
        vec![KeyCode::PageDown; 20],
        vec![KeyCode::Char('j'); 200],
    ] {
        let mut app = tui_support::app("dark", tui_support::catalog(), width, height);
        assert!(app.model.analysis.findings.len() >= 2);
        // As many as a design with several tables of the same kind has.
        let first = app.model.analysis.findings[0].clone();
        for n in 0..more {
            let mut f = first.clone();
            f.message = format!("{} (table {n})", f.message);
            app.model.analysis.findings.push(f);
        }
        if more > 0 {
            // A dry run's result line above pushes the findings column down.
            app.apply = ApplyState::Succeeded {
                dry_run: true,
                statements: 16,
                rows: 25,
                demo_users: 0,
                rejected: 0,
                millis: 42,
            };
        }
        press(&mut app, KeyCode::Char('6'));
        let before = render(&app, width, height);
        let last = last_finding(&app);
        assert!(
            !pane_text(&before, column).contains(&last),
            "the last finding does not fit at first, or this proves nothing"
        );
        for key in &keys {
            press(&mut app, *key);
            render(&app, width, height);
        }
        let after = render(&app, width, height);
        let text = schemaforge::tui::view::buffer_text(&after);
        assert!(
            pane_text(&after, column).contains(&last),
            "{keys:?} at {width}x{height}: {last}\n{text}"
        );
    }
}

#[test]
fn the_last_finding_below_the_sql_scrolls_into_view_at_80x24() {
    reaches_the_last_finding(80, 24, 0, None);
}

#[test]
fn the_last_finding_beside_the_sql_scrolls_into_view_at_140x40_after_a_dry_run() {
    reaches_the_last_finding(140, 40, 6, Some(34));
}
