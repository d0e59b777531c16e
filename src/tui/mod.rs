//! The interactive program. For now: a first screen that proves the stack end to end.

pub mod keymap;
pub mod theme;

use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::{DefaultTerminal, Frame};

use crate::db::server::ServerInfo;

/// Shows where schemaforge is connected until `q` (or Ctrl-C). The terminal is restored on
/// return, on error, and on panic (ratatui's hook).
pub async fn run_first_screen(described: &str, info: &ServerInfo) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let result = first_screen_loop(&mut terminal, described, info).await;
    ratatui::restore();
    result
}

async fn first_screen_loop(
    terminal: &mut DefaultTerminal,
    described: &str,
    info: &ServerInfo,
) -> std::io::Result<()> {
    let mut events = EventStream::new();
    terminal.draw(|f| draw_first_screen(f, described, info))?;
    while let Some(event) = events.next().await {
        match event? {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                let ctrl_c =
                    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                if key.code == KeyCode::Char('q') || ctrl_c {
                    return Ok(());
                }
            }
            Event::Resize(..) => {
                terminal.draw(|f| draw_first_screen(f, described, info))?;
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn draw_first_screen(frame: &mut Frame, described: &str, info: &ServerInfo) {
    let [main, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    let lines = vec![
        Line::from(vec![
            Span::raw("connected to  "),
            Span::raw(described.to_owned()),
        ]),
        Line::from(format!("server        PostgreSQL {}", info.version)),
        Line::from(format!("database      {}", info.database)),
        Line::from(format!("user          {}", info.user)),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" schemaforge ")),
        main,
    );
    frame.render_widget(Paragraph::new("q quit"), status);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    #[test]
    fn first_screen_shows_where_it_is_connected() {
        let info = ServerInfo {
            version: "15.8".into(),
            version_num: 150008,
            database: "app".into(),
            user: "alice".into(),
        };
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| draw_first_screen(f, "alice@db.example.com:5432/app", &info))
            .unwrap();
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        for expected in [
            "alice@db.example.com:5432/app",
            "PostgreSQL 15.8",
            "database      app",
            "user          alice",
            "q quit",
        ] {
            assert!(text.contains(expected), "missing {expected:?}");
        }
    }
}
