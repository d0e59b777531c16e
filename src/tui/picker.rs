//! The connection picker: shown when schemaforge starts on a terminal with nowhere to connect
//! (no --db, no DATABASE_URL, no PG* variables, no --sandbox). It lists the connections saved
//! in config.toml, the PG defaults and a throwaway sandbox, and saves a new connection (`n`).
//! It runs before any session exists, so it is a small screen of its own.

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::components::form::{Form, FormOutcome};
use super::components::pane_block;
use super::picker_new::{self, NewConnection};
use super::terminal;
use super::theme::{Role, Theme};

/// A saved connection as the picker lists it: its name and where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub name: String,
    pub target: String,
}

/// Where the user chose to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// A connection saved in config.toml, by name.
    Saved(String),
    /// What libpq's defaults and the environment give (as with no --db at all).
    Defaults,
    /// A throwaway local PostgreSQL with the Supabase-compatible shim (`--sandbox`).
    Sandbox,
}

/// What a key did to the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Picked(Pick),
    /// The new-connection form was confirmed: save it, then [`Picker::saved`] or
    /// [`Picker::refused`].
    Save(NewConnection),
    Quit,
}

/// A line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Row {
    Saved(Choice),
    Defaults(String),
    Sandbox,
    New,
}

#[derive(Debug)]
pub struct Picker {
    rows: Vec<Row>,
    pub selected: usize,
    /// The new-connection form, while open.
    form: Option<Form>,
    /// What the last save said (where it was written, a password left out).
    message: Option<(Role, String)>,
}

impl Picker {
    /// `defaults` is where the PG defaults lead (`user@host:port/database`).
    pub fn new(choices: Vec<Choice>, defaults: String) -> Picker {
        let mut rows: Vec<Row> = choices.into_iter().map(Row::Saved).collect();
        rows.extend([Row::Defaults(defaults), Row::Sandbox, Row::New]);
        Picker {
            rows,
            selected: 0,
            form: None,
            message: None,
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Outcome::Quit;
        }
        if let Some(form) = &mut self.form {
            return match form.on_key(&key) {
                FormOutcome::Stay => Outcome::Stay,
                FormOutcome::Cancel => {
                    self.form = None;
                    Outcome::Stay
                }
                FormOutcome::Confirm => Outcome::Save(picker_new::read(form)),
            };
        }
        let last = self.rows.len().saturating_sub(1);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = last,
            KeyCode::Char('n') => self.open_form(),
            KeyCode::Enter => match self.rows.get(self.selected) {
                Some(Row::Saved(choice)) => {
                    return Outcome::Picked(Pick::Saved(choice.name.clone()));
                }
                Some(Row::Defaults(_)) => return Outcome::Picked(Pick::Defaults),
                Some(Row::Sandbox) => return Outcome::Picked(Pick::Sandbox),
                Some(Row::New) => self.open_form(),
                None => {}
            },
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Quit,
            _ => {}
        }
        Outcome::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(form) = &mut self.form {
            form.on_paste(text);
        }
    }

    fn open_form(&mut self) {
        let taken = self
            .rows
            .iter()
            .filter_map(|row| match row {
                Row::Saved(choice) => Some(choice.name.clone()),
                _ => None,
            })
            .collect();
        self.form = Some(picker_new::form(taken));
        self.message = None;
    }

    /// The new connection was saved: it joins the saved ones, selected, the form closes.
    pub fn saved(&mut self, choice: Choice, message: String) {
        let at = self
            .rows
            .iter()
            .position(|row| !matches!(row, Row::Saved(_)))
            .unwrap_or(self.rows.len());
        self.rows.insert(at, Row::Saved(choice));
        self.selected = at;
        self.form = None;
        self.message = Some((Role::Ok, message));
    }

    /// Saving failed: the reason shows under the input it is about; the form stays open.
    pub fn refused(&mut self, field: &str, reason: String) {
        if let Some(form) = &mut self.form {
            form.reject(field, reason);
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme) {
        let area = frame.area();
        let message_height = u16::from(self.message.is_some()) * 2;
        let [list_area, message_area, help_area] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(message_height),
            Constraint::Length(1),
        ])
        .areas(area);
        let items: Vec<ListItem> = self.rows.iter().map(|row| row_item(row, theme)).collect();
        let list = List::new(items)
            .block(pane_block(theme, " Connect to ".into(), true))
            .highlight_symbol("> ")
            .highlight_style(theme.style(Role::Selected));
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(list, list_area, &mut state);
        if let Some((role, text)) = &self.message {
            frame.render_widget(
                Paragraph::new(text.as_str())
                    .style(theme.style(*role))
                    .wrap(Wrap { trim: true }),
                message_area,
            );
        }
        frame.render_widget(
            Paragraph::new("↑/↓ choose · Enter connect · n new connection · Esc quit")
                .style(theme.style(Role::Dim)),
            help_area,
        );
        if let Some(form) = &self.form {
            form.draw(frame, theme, area);
        }
    }
}

fn row_item<'a>(row: &'a Row, theme: &Theme) -> ListItem<'a> {
    let (name, target, note) = match row {
        Row::Saved(c) => (c.name.as_str(), c.target.as_str(), ""),
        Row::Defaults(target) => (
            "defaults",
            target.as_str(),
            "  (PG* variables and libpq defaults)",
        ),
        Row::Sandbox => (
            "sandbox",
            "a throwaway local PostgreSQL",
            "  (Supabase-style, deleted on quit)",
        ),
        Row::New => (
            "new connection…",
            "",
            "  (saved in config.toml, never a password)",
        ),
    };
    ListItem::new(Line::from(vec![
        Span::styled(name, theme.style(Role::Accent)),
        Span::raw(if target.is_empty() { "" } else { "  " }),
        Span::styled(target, theme.style(Role::Text)),
        Span::styled(note, theme.style(Role::Dim)),
    ]))
}

/// Shows the picker until the user picks where to go (`None`: they quit). `save` writes a
/// new connection and returns how the list shows it and what to tell the user, or the input
/// at fault and why.
pub async fn pick(
    choices: Vec<Choice>,
    defaults: String,
    theme: &Theme,
    mut save: impl FnMut(&NewConnection) -> Result<(Choice, String), (String, String)>,
) -> std::io::Result<Option<Pick>> {
    let mut stop = terminal::StopSignals::listen()?;
    let mut screen = match terminal::enter() {
        Ok(screen) => screen,
        Err(e) => {
            terminal::leave();
            terminal::forget_panic_hook();
            return Err(e);
        }
    };
    let mut picker = Picker::new(choices, defaults);
    let mut events = EventStream::new();
    let result = loop {
        if let Err(e) = screen.draw(|f| picker.draw(f, theme)) {
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
                    Outcome::Picked(pick) => break Ok(Some(pick)),
                    Outcome::Save(new) => match save(&new) {
                        Ok((choice, message)) => picker.saved(choice, message),
                        Err((field, reason)) => picker.refused(&field, reason),
                    },
                    Outcome::Quit => break Ok(None),
                }
            }
            Some(Ok(Event::Paste(text))) => picker.on_paste(&text),
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
    use crate::tui::components::form::test_keys::{chars, key};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn picker() -> Picker {
        Picker::new(
            vec![
                Choice {
                    name: "local".into(),
                    target: "me@localhost:5432/dev".into(),
                },
                Choice {
                    name: "prod".into(),
                    target: "app@db.example.com:5432/main".into(),
                },
            ],
            "me@localhost:5432/me".into(),
        )
    }

    fn screen(p: &Picker) -> String {
        let mut terminal = Terminal::new(TestBackend::new(90, 16)).unwrap();
        terminal.draw(|f| p.draw(f, &Theme::default())).unwrap();
        super::super::view::buffer_text(terminal.backend().buffer())
    }

    #[test]
    fn arrows_choose_and_enter_picks_where_to_go() {
        let mut p = picker();
        assert_eq!(p.key(key(KeyCode::Up)), Outcome::Stay);
        assert_eq!(p.selected, 0);
        p.key(key(KeyCode::Down));
        assert_eq!(
            p.key(key(KeyCode::Enter)),
            Outcome::Picked(Pick::Saved("prod".into()))
        );
        p.key(key(KeyCode::Down));
        assert_eq!(p.key(key(KeyCode::Enter)), Outcome::Picked(Pick::Defaults));
        p.key(key(KeyCode::Down));
        assert_eq!(p.key(key(KeyCode::Enter)), Outcome::Picked(Pick::Sandbox));
        for _ in 0..5 {
            p.key(key(KeyCode::Down));
        }
        assert_eq!(p.selected, 4, "stops at the last row");
        assert_eq!(p.key(key(KeyCode::Esc)), Outcome::Quit);
        assert_eq!(
            p.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Outcome::Quit
        );
    }

    #[test]
    fn the_picker_lists_saved_connections_defaults_and_the_sandbox() {
        let mut p = picker();
        p.key(key(KeyCode::Char('j')));
        let text = screen(&p);
        assert!(text.contains("Connect to"), "{text}");
        assert!(text.contains("  local  me@localhost:5432/dev"), "{text}");
        assert!(
            text.contains("> prod  app@db.example.com:5432/main"),
            "{text}"
        );
        assert!(text.contains("defaults  me@localhost:5432/me"), "{text}");
        assert!(
            text.contains("sandbox  a throwaway local PostgreSQL"),
            "{text}"
        );
        assert!(text.contains("new connection…"), "{text}");
        assert!(text.contains("n new connection"), "{text}");
    }

    #[test]
    fn a_new_connection_is_typed_saved_and_selected() {
        let mut p = picker();
        p.key(key(KeyCode::Char('n')));
        assert!(screen(&p).contains("New connection"), "{}", screen(&p));
        for k in chars("staging") {
            p.key(k);
        }
        p.key(key(KeyCode::Tab));
        for k in chars("postgres://app@db.example.org/main?sslmode=require") {
            p.key(k);
        }
        let outcome = p.key(key(KeyCode::Enter));
        let Outcome::Save(new) = outcome else {
            panic!("no save: {outcome:?}\n{}", screen(&p));
        };
        assert_eq!(new.name, "staging");
        assert_eq!(
            new.url,
            "postgres://app@db.example.org/main?sslmode=require"
        );
        p.saved(
            Choice {
                name: "staging".into(),
                target: "app@db.example.org:5432/main".into(),
            },
            "saved \"staging\"".into(),
        );
        let text = screen(&p);
        assert!(!text.contains("New connection"), "the form closed: {text}");
        assert!(
            text.contains("> staging  app@db.example.org:5432/main"),
            "{text}"
        );
        assert!(text.contains("saved \"staging\""), "{text}");
        assert_eq!(
            p.key(key(KeyCode::Enter)),
            Outcome::Picked(Pick::Saved("staging".into()))
        );
    }

    #[test]
    fn a_refused_save_keeps_the_form_and_says_why() {
        let mut p = picker();
        p.key(key(KeyCode::End));
        p.key(key(KeyCode::Enter));
        for k in chars("other") {
            p.key(k);
        }
        p.key(key(KeyCode::Tab));
        for k in chars("postgres://x@h/d") {
            p.key(k);
        }
        assert!(matches!(p.key(key(KeyCode::Enter)), Outcome::Save(_)));
        p.refused("name", "config.toml cannot be written".into());
        let text = screen(&p);
        assert!(text.contains("New connection"), "{text}");
        assert!(text.contains("config.toml cannot be written"), "{text}");
        assert_eq!(
            p.key(key(KeyCode::Esc)),
            Outcome::Stay,
            "Esc closes the form"
        );
        assert!(!screen(&p).contains("New connection"));
    }
}
