//! Overlays: the help (every key of the focused pane, from the keymap; two columns when
//! wide, scrolling when short), the apply confirmation with the plan's summary, the delete
//! confirmation, the resume-draft offer and the drift notice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::view::pane_block;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help(frame, app, area, *scroll),
        Some(Overlay::ConfirmApply { typed }) => {
            let summary = app
                .plan
                .as_ref()
                .map(|p| format!("{} statements · {}", p.bundle.statements.len(), p.summary))
                .unwrap_or_default();
            let destructive = app.plan.as_ref().is_some_and(|p| p.summary.destructive > 0);
            let lines = vec![
                Line::styled(
                    summary,
                    app.theme.style(if destructive {
                        Role::Danger
                    } else {
                        Role::Text
                    }),
                ),
                Line::styled(
                    "one transaction: all of it lands, or none of it",
                    app.theme.style(Role::Dim),
                ),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("type ", app.theme.style(Role::Text)),
                    Span::styled("apply", app.theme.style(Role::StatusKey)),
                    Span::styled(
                        " to confirm, esc to go back:  ",
                        app.theme.style(Role::Text),
                    ),
                    Span::styled(format!("{typed}▏"), app.theme.style(Role::Accent)),
                ]),
            ];
            let (db, host) = app
                .connection
                .rsplit_once('/')
                .map_or(("", app.connection.as_str()), |(h, d)| (d, h));
            dialog(frame, app, area, format!("Apply to {db} on {host}"), lines);
        }
        Some(Overlay::ConfirmDelete { table }) => dialog(
            frame,
            app,
            area,
            "Remove from the design".into(),
            vec![
                Line::styled(
                    format!("remove the drafted table {table} (and its relations and samples)?"),
                    app.theme.style(Role::Text),
                ),
                Line::styled(
                    "nothing in the database changes; y / enter removes, n / esc keeps",
                    app.theme.style(Role::Dim),
                ),
            ],
        ),
        Some(Overlay::ResumeDraft { path, tables }) => dialog(
            frame,
            app,
            area,
            "Resume your draft?".into(),
            vec![
                Line::styled(
                    format!(
                        "a draft for this database with {} was saved at",
                        super::schema::plural(*tables, "table")
                    ),
                    app.theme.style(Role::Text),
                ),
                Line::styled(
                    path.display().to_string(),
                    app.theme.style(Role::Identifier),
                ),
                Line::styled(
                    "y / enter resumes it, n / esc starts without it",
                    app.theme.style(Role::Dim),
                ),
            ],
        ),
        Some(Overlay::Drift { expected, actual }) => dialog(
            frame,
            app,
            area,
            "The live schema changed".into(),
            vec![
                Line::styled(
                    "someone changed the database after this plan was made.",
                    app.theme.style(Role::Danger),
                ),
                Line::styled(
                    "nothing was applied. The schema is being re-read and the plan redone;",
                    app.theme.style(Role::Text),
                ),
                Line::styled(
                    "check the preview, then apply again.",
                    app.theme.style(Role::Text),
                ),
                Line::styled(
                    format!("fingerprint {} → {}", short(expected), short(actual)),
                    app.theme.style(Role::Dim),
                ),
                Line::styled("any key closes", app.theme.style(Role::Dim)),
            ],
        ),
    }
}

fn short(fingerprint: &str) -> &str {
    &fingerprint[..fingerprint.len().min(12)]
}

/// A centred box sized to its text.
fn dialog(frame: &mut Frame, app: &App, area: Rect, title: String, lines: Vec<Line>) {
    let width = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .max()
        .unwrap_or(20)
        .max(title.chars().count() as u16 + 6)
        .min(area.width.saturating_sub(2));
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = centred(area, width, height + 1);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(app.theme.style(Role::Overlay))
            .block(pane_block(app, title, true)),
        popup,
    );
}

fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    popup
}

fn key_lines<'a>(app: &App, context: Context) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        format!("{} keys", context.name()),
        app.theme.style(Role::Accent),
    )];
    for binding in app.keymap.bindings(context) {
        let keys: Vec<String> = binding.keys.iter().map(ToString::to_string).collect();
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<16}", keys.join(" ")),
                app.theme.style(Role::StatusKey),
            ),
            Span::styled(binding.description, app.theme.style(Role::Text)),
        ]));
    }
    lines
}

/// Every key of the focused pane, then the global ones, straight from the keymap.
fn help(frame: &mut Frame, app: &App, area: Rect, scroll: usize) {
    let own = key_lines(app, app.context());
    let global = key_lines(app, Context::Global);
    let two_columns = area.width >= 130;
    let column_width = 58u16;
    let (width, body_rows) = if two_columns {
        (column_width * 2 + 3, own.len().max(global.len()))
    } else {
        (column_width + 2, own.len() + 1 + global.len())
    };
    let height = (body_rows as u16 + 3).min(area.height.saturating_sub(2));
    let popup = centred(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(app, "help".into(), true);
    let inner = block.inner(popup);
    frame.render_widget(block.style(app.theme.style(Role::Overlay)), popup);
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let visible = body.height as usize;
    let max_scroll = body_rows.saturating_sub(visible);
    let scroll = scroll.min(max_scroll);
    let style = app.theme.style(Role::Overlay);
    if two_columns {
        let [left, right] =
            Layout::horizontal([Constraint::Length(column_width), Constraint::Min(1)]).areas(body);
        frame.render_widget(
            Paragraph::new(own).style(style).scroll((scroll as u16, 0)),
            left,
        );
        frame.render_widget(
            Paragraph::new(global)
                .style(style)
                .scroll((scroll as u16, 0)),
            right,
        );
    } else {
        let mut lines = own;
        lines.push(Line::raw(""));
        lines.extend(global);
        frame.render_widget(
            Paragraph::new(lines)
                .style(style)
                .scroll((scroll as u16, 0)),
            body,
        );
    }
    let more = if scroll < max_scroll {
        "↓ j/k scroll for more · any other key closes"
    } else {
        "any other key closes this help"
    };
    frame.render_widget(
        Paragraph::new(Line::styled(more, app.theme.style(Role::Dim))).style(style),
        footer,
    );
}
