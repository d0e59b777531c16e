//! The connection picker: shown when schemaforge starts with nowhere to connect (no --db,
//! no DATABASE_URL, no PG* variables, no --sandbox) and config.toml has saved connections.
//! It runs before any session exists, so it is a small screen of its own.

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use super::terminal;

/// A saved connection as the picker lists it: its name and where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub name: String,
    pub target: String,
}

/// What a key did to the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Picked(String),
    Quit,
}

#[derive(Debug)]
pub struct Picker {
    pub choices: Vec<Choice>,
    pub selected: usize,
}

impl Picker {
    pub fn new(choices: Vec<Choice>) -> Picker {
        Picker {
            choices,
            selected: 0,
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let last = self.choices.len().saturating_sub(1);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = last,
            KeyCode::Enter => {
                if let Some(choice) = self.choices.get(self.selected) {
                    return Outcome::Picked(choice.name.clone());
                }
            }
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Quit,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Outcome::Quit;
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        let [list_area, help_area] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Min(3),
            ratatui::layout::Constraint::Length(1),
        ])
        .areas(area);
        let items: Vec<ListItem> = self
            .choices
            .iter()
            .map(|c| ListItem::new(Line::from(format!("{}  {}", c.name, c.target))))
            .collect();
        let list = List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Connect to (saved in config.toml) "),
            )
            .highlight_symbol("> ")
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED));
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(list, list_area, &mut state);
        frame.render_widget(
            Paragraph::new("↑/↓ choose · Enter connect · Esc quit"),
            help_area,
        );
    }
}

/// Shows the picker until a connection is picked (its name) or the user quits (`None`).
pub async fn pick(choices: Vec<Choice>) -> std::io::Result<Option<String>> {
    let mut stop = terminal::StopSignals::listen()?;
    let mut screen = match terminal::enter() {
        Ok(screen) => screen,
        Err(e) => {
            terminal::leave();
            terminal::forget_panic_hook();
            return Err(e);
        }
    };
    let mut picker = Picker::new(choices);
    let mut events = EventStream::new();
    let result = loop {
        if let Err(e) = screen.draw(|f| picker.draw(f)) {
            break Err(e);
        }
        let event = tokio::select! {
            event = events.next() => event,
            signal = stop.recv() => break Err(terminal::stopped_by(signal)),
        };
        match event {
            Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                match picker.key(key) {
                    Outcome::Stay => {}
                    Outcome::Picked(name) => break Ok(Some(name)),
                    Outcome::Quit => break Ok(None),
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => break Err(e),
            None => break Ok(None),
        }
    };
    terminal::leave();
    terminal::forget_panic_hook();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn picker() -> Picker {
        Picker::new(vec![
            Choice {
                name: "local".into(),
                target: "me@localhost:5432/dev".into(),
            },
            Choice {
                name: "prod".into(),
                target: "app@db.example.com:5432/main".into(),
            },
        ])
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn arrows_choose_and_enter_picks_the_name() {
        let mut p = picker();
        assert_eq!(p.key(press(KeyCode::Up)), Outcome::Stay);
        assert_eq!(p.selected, 0);
        p.key(press(KeyCode::Down));
        p.key(press(KeyCode::Down));
        assert_eq!(p.selected, 1, "stops at the last");
        assert_eq!(p.key(press(KeyCode::Enter)), Outcome::Picked("prod".into()));
        assert_eq!(p.key(press(KeyCode::Esc)), Outcome::Quit);
        assert_eq!(
            p.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Outcome::Quit
        );
        assert_eq!(
            Picker::new(vec![]).key(press(KeyCode::Enter)),
            Outcome::Stay
        );
    }

    #[test]
    fn the_picker_shows_every_connection_and_marks_the_chosen_one() {
        let mut p = picker();
        p.key(press(KeyCode::Char('j')));
        let mut terminal = Terminal::new(TestBackend::new(60, 8)).unwrap();
        terminal.draw(|f| p.draw(f)).unwrap();
        let text = super::super::view::buffer_text(terminal.backend().buffer());
        assert!(text.contains("Connect to"), "{text}");
        assert!(text.contains("  local  me@localhost:5432/dev"), "{text}");
        assert!(
            text.contains("> prod  app@db.example.com:5432/main"),
            "{text}"
        );
        assert!(text.contains("Enter connect"), "{text}");
    }
}
