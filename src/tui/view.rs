//! Draws the frame every phase shares: header, phase stepper, schema tree, the current
//! phase's pane, status line and overlays. Reads `&App`, changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Focus, Overlay, Phase};
use super::keymap::Context;
use super::theme::Role;

/// The schema tree's width for a terminal `width` columns wide: the same for drawing and
/// for mouse clicks.
pub fn tree_width(width: u16) -> u16 {
    (width * 3 / 10).clamp(24, 44).min(width / 2)
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let [header, stepper, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, app, header);
    draw_stepper(frame, app, stepper);
    let [tree, main] = Layout::horizontal([
        Constraint::Length(tree_width(area.width)),
        Constraint::Min(10),
    ])
    .areas(body);
    draw_tree(frame, app, tree);
    draw_main(frame, app, main);
    draw_status(frame, app, status);
    if app.overlay == Some(Overlay::Help) {
        draw_help(frame, app, area);
    }
}

fn pane_block<'a>(app: &App, title: &'a str, focused: bool) -> Block<'a> {
    let role = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    Block::bordered()
        .border_style(app.theme.style(role))
        .title(Span::styled(
            format!(" {title} "),
            app.theme.style(Role::Accent),
        ))
}

fn draw_header(frame: &mut Frame, app: &App, area: Rect) {
    let style = app.theme.style(Role::Header);
    let mut parts = vec!["schemaforge".to_owned(), app.connection.clone()];
    if let Some(server) = &app.server {
        parts.push(format!("PG {}", server.version));
    }
    let text = format!(" {} ", parts.join(" · "));
    frame.render_widget(Paragraph::new(Line::styled(text, style)).style(style), area);
}

fn draw_stepper(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans = vec![Span::raw(" ")];
    for phase in Phase::ALL {
        let role = if phase == app.phase {
            Role::PhaseCurrent
        } else {
            Role::Phase
        };
        spans.push(Span::styled(
            format!(" {} ", phase.label()),
            app.theme.style(role),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_tree(frame: &mut Frame, app: &App, area: Rect) {
    let block = pane_block(app, "Schema", app.focus == Focus::Tree);
    let text = Paragraph::new(Line::styled(
        "reading the live schema…",
        app.theme.style(Role::Dim),
    ))
    .block(block);
    frame.render_widget(text, area);
}

fn draw_main(frame: &mut Frame, app: &App, area: Rect) {
    let block = pane_block(app, app.phase.title(), app.focus == Focus::Main);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    if app.walkthrough {
        lines.push(Line::styled(
            app.phase.explanation(),
            app.theme.style(Role::Info),
        ));
        lines.push(Line::raw(""));
    }
    if let Some(server) = &app.server {
        lines.push(Line::styled(
            format!(
                "connected to {} · PostgreSQL {} · database {} as {}",
                app.connection, server.version, server.database, server.user
            ),
            app.theme.style(Role::Text),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let key_style = app.theme.style(Role::StatusKey);
    let text_style = app.theme.style(Role::Status);
    let mut spans = vec![Span::raw(" ")];
    for (key, description) in app.keymap.hints(app.context()) {
        spans.push(Span::styled(key, key_style));
        spans.push(Span::styled(format!(" {description}  "), text_style));
    }
    let [left, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(
            app.message
                .as_ref()
                .map_or(0, |m| m.chars().count() as u16 + 2),
        ),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    if let Some(message) = &app.message {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{message} "),
                app.theme.style(Role::Info),
            ))
            .right_aligned(),
            right,
        );
    }
}

/// Every key of the focused pane, then the global ones, straight from the keymap.
fn draw_help(frame: &mut Frame, app: &App, area: Rect) {
    let mut contexts = vec![app.context()];
    contexts.push(Context::Global);
    let mut lines = Vec::new();
    for context in contexts {
        lines.push(Line::styled(
            format!("{} keys", context.name()),
            app.theme.style(Role::Accent),
        ));
        for binding in app.keymap.bindings(context) {
            let keys: Vec<String> = binding.keys.iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", keys.join(" ")),
                    app.theme.style(Role::StatusKey),
                ),
                Span::styled(binding.description, app.theme.style(Role::Text)),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "any key closes this help",
        app.theme.style(Role::Dim),
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 64.min(area.width);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .style(app.theme.style(Role::Overlay))
            .block(pane_block(app, "help", true)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::db::server::ServerInfo;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;
    use crate::tui::update::{Message, update};

    fn app() -> App {
        let mut app = App::new(
            "alice@db.example.com:5432/app".into(),
            Theme::default(),
            Keymap::default(),
        );
        app.server = Some(ServerInfo {
            version: "15.8".into(),
            version_num: 150008,
            database: "app".into(),
            user: "alice".into(),
        });
        app
    }

    fn screen(app: &App, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| draw(f, app)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn press(app: &mut App, code: KeyCode) {
        update(
            app,
            Message::Terminal(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
        );
    }

    #[test]
    fn every_phase_is_named_on_the_first_screen_at_80_columns() {
        let text = screen(&app(), 80, 24);
        for phase in Phase::ALL {
            assert!(
                text.contains(phase.label()),
                "{} missing:\n{text}",
                phase.label()
            );
        }
        assert!(
            text.lines()
                .next()
                .unwrap()
                .contains("alice@db.example.com:5432/app · PG 15.8"),
            "{text}"
        );
        assert!(text.lines().last().unwrap().contains("q quit"), "{text}");
    }

    #[test]
    fn help_lists_the_focused_panes_keys_and_closes_on_any_key() {
        let mut app = app();
        press(&mut app, KeyCode::Char('?'));
        let text = screen(&app, 100, 40);
        assert!(
            text.contains("list keys") && text.contains("global keys"),
            "{text}"
        );
        assert!(
            text.contains("filter") && text.contains("previous phase"),
            "{text}"
        );
        press(&mut app, KeyCode::Char('x'));
        assert!(!screen(&app, 100, 40).contains("global keys"));
        assert!(!app.quit, "closing help does not act on the key");
    }

    #[test]
    fn phase_keys_move_and_walkthrough_explains() {
        let mut app = app();
        press(&mut app, KeyCode::Char(']'));
        assert_eq!(app.phase, Phase::Tables);
        press(&mut app, KeyCode::Char('4'));
        assert_eq!(app.phase, Phase::Rls);
        press(&mut app, KeyCode::Char('w'));
        let text = screen(&app, 120, 30);
        assert!(text.contains("auth.uid() only"), "{text}");
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
    }
}
