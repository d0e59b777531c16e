//! Draws the frame every phase shares: header, phase stepper, schema tree, the current
//! phase's pane, status line and overlays. Reads `&App`, changes nothing; every style
//! comes from the theme by role.

use ratatui::Frame;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, ApplyState, Focus, Phase};
use super::components::{self, pane_block};
use super::job::JobKind;
use super::keymap::{Action, Hint};
use super::layout::{areas, stepper_cells};
use super::theme::Role;
use crate::findings::{counts, phase_has_errors};

pub use super::layout::tree_width;

pub fn draw(frame: &mut Frame, app: &App) {
    let a = areas(frame.area());
    draw_header(frame, app, a.header);
    draw_stepper(frame, app, a.stepper);
    components::schema_tree::draw(frame, app, a.tree);
    draw_main(frame, app, a.main);
    draw_status(frame, app, a.status);
    for overlay in &app.view.overlays {
        overlay.draw(
            frame,
            &app.theme,
            &app.keymap,
            app.pane_context(),
            frame.area(),
        );
    }
}

/// Renders a whole frame into a buffer of the given size (tests, benchmarks, snapshots).
pub fn render(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|f| draw(f, app))
        .expect("drawing into memory");
    terminal.backend().buffer().clone()
}

/// The frame as plain text, one line per row, trailing spaces trimmed.
pub fn render_text(app: &App, width: u16, height: u16) -> String {
    buffer_text(&render(app, width, height))
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn draw_header(frame: &mut Frame, app: &App, area: Rect) {
    let style = app.theme.style(Role::Header);
    let mut parts = vec!["schemaforge".to_owned(), app.connection.clone()];
    match &app.model.catalog {
        Some(c) => {
            parts.push(
                if c.flavour.supabase {
                    "supabase"
                } else {
                    "plain"
                }
                .into(),
            );
            // `15.8 (Debian 15.8-1)` → `15.8`: the packager's suffix is noise in a header.
            let version = c
                .flavour
                .server_version
                .split_whitespace()
                .next()
                .unwrap_or("");
            parts.push(format!("PG {version}"));
        }
        None => parts.push("reading the schema…".into()),
    }
    let right = match (&app.model.design, &app.model.plan) {
        (None, _) => "no design ".to_owned(),
        (Some(_), Some(p)) if p.plan.is_empty() => match app.apply {
            ApplyState::Succeeded { dry_run: false, .. } => "draft · applied ".into(),
            _ => "draft · nothing to do ".into(),
        },
        (Some(_), Some(_)) => {
            // The Preview's unit, so the two numbers agree.
            let n = app.changes();
            format!("draft · {n} statement{} ", if n == 1 { "" } else { "s" })
        }
        (Some(_), None) if app.model.analysis.is_unplannable() => "draft · has errors ".into(),
        (Some(_), None) => "draft ".into(),
    };
    let left = header_left(&parts, area.width as usize, right.chars().count());
    let [l, r] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(right.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::styled(left, style)).style(style), l);
    frame.render_widget(Paragraph::new(Line::styled(right, style)).style(style), r);
}

/// The header's left side, made to fit beside `right` with at least one space between:
/// on a narrow terminal the program's name goes first, then the server facts, and last the
/// connection is shortened in the middle (its end names the database) — never overwritten.
fn header_left(parts: &[String], width: usize, right: usize) -> String {
    let room = width.saturating_sub(right + 1);
    let joined = |p: &[String]| format!(" {} ", p.join(" · "));
    for keep in [parts.len(), parts.len().min(2)] {
        let text = joined(&parts[1..keep.max(1)]);
        let full = if keep == parts.len() {
            joined(parts)
        } else {
            text.clone()
        };
        if full.chars().count() <= room {
            return full;
        }
        if text.chars().count() <= room {
            return text;
        }
    }
    // Only the connection is left, and it is too long: keep its start and its end.
    let connection: Vec<char> = parts.get(1).map_or("", String::as_str).chars().collect();
    let budget = room.saturating_sub(3);
    if budget < 2 {
        return String::new();
    }
    let tail = budget * 2 / 3;
    let head = budget - tail - 1;
    let start: String = connection[..head.min(connection.len())].iter().collect();
    let end: String = connection[connection.len().saturating_sub(tail)..]
        .iter()
        .collect();
    format!(" {start}…{end} ")
}

fn draw_stepper(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans = vec![Span::raw(" ")];
    for (phase, ..) in stepper_cells() {
        let role = if phase == app.view.phase {
            Role::PhaseCurrent
        } else {
            Role::Phase
        };
        let style = app.theme.style(role);
        spans.push(Span::styled(format!(" {}", phase.label()), style));
        spans.push(if phase_has_errors(&app.model.analysis.findings, phase) {
            Span::styled("●", style.patch(app.theme.style(Role::PhaseError)))
        } else {
            Span::styled(" ", style)
        });
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_main(frame: &mut Frame, app: &App, area: Rect) {
    let title = match app.view.phase {
        Phase::Schema => match app.view.tree.selected_table() {
            Some((schema, table)) => format!("0 Schema · {schema}.{table}"),
            None => "0 Schema".into(),
        },
        phase => format!(
            "{} · {}",
            phase.label().trim_start_matches("▸ "),
            phase.title()
        ),
    };
    let block = pane_block(&app.theme, title, app.view.focus == Focus::Main);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body = if app.view.walkthrough {
        let text = app.view.phase.explanation();
        let lines = (text.chars().count() as u16 / inner.width.max(1) + 2).min(inner.height / 2);
        let [top, rest] =
            Layout::vertical([Constraint::Length(lines), Constraint::Min(1)]).areas(inner);
        frame.render_widget(
            Paragraph::new(Line::styled(text, app.theme.style(Role::Info)))
                .wrap(Wrap { trim: true }),
            top,
        );
        rest
    } else {
        inner
    };
    app.view.body.set(body);
    match app.view.phase {
        Phase::Schema => components::schema_detail::draw(frame, app, body),
        Phase::Preview => components::preview::draw(frame, app, body),
        Phase::Tables => components::tables_pane::draw(frame, app, body),
        Phase::Fields => components::fields_pane::draw(frame, app, body),
        Phase::Relations => components::relations_pane::draw(frame, app, body),
        Phase::Rls => components::rls_pane::draw(frame, app, body),
        Phase::Samples => components::samples_pane::draw(frame, app, body),
    }
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let key_style = app.theme.style(Role::StatusKey);
    let text_style = app.theme.style(Role::Status);
    let hints = status_hints(app);
    let width_of = |h: &Hint| h.key.chars().count() + h.label.chars().count() + 3;
    let all_hints: usize = hints.iter().map(width_of).sum::<usize>() + 1;

    let mut counts = String::new();
    let (errors, warnings, _) = counts_of(app);
    if errors + warnings > 0 {
        counts = format!(
            "· {errors} error{} · {warnings} warning{} ",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    let (message, message_role) = if let Some(job) = app.job.running()
        && job.kind != JobKind::Reading
    {
        (format!("{}  esc cancels ", job.progress()), Role::Warning)
    } else if let Some(message) = &app.view.message {
        (format!("{message} "), Role::Info)
    } else {
        (String::new(), Role::Info)
    };
    // The message gets what the hints leave; when that is not enough, up to two thirds of
    // the line but never the room of the main hints (quit, help and the phase's main
    // actions, like apply and dry run): past that it is shortened.
    let width = area.width as usize;
    let essential: usize = hints
        .iter()
        .filter(|h| matches!(h.action, Action::Quit | Action::Help) || MAIN.contains(&h.action))
        .map(width_of)
        .sum::<usize>()
        + 1;
    let budget = (width * 2 / 3)
        .min(width.saturating_sub(essential))
        .max(width.saturating_sub(all_hints));
    let counts_width = counts.chars().count().min(budget);
    // Cut before its trailing space, so a cut message still ends in `… `.
    let message = match message.strip_suffix(' ') {
        Some(text) if message.chars().count() > budget - counts_width => {
            let room = (budget - counts_width).saturating_sub(1);
            if room == 0 {
                String::new()
            } else {
                format!("{} ", components::fit(text, room))
            }
        }
        _ => message,
    };
    let mut right = Vec::new();
    if !message.is_empty() {
        right.push(Span::styled(message, app.theme.style(message_role)));
    }
    if !counts.is_empty() {
        let role = if errors > 0 {
            Role::Danger
        } else {
            Role::Warning
        };
        right.push(Span::styled(
            components::fit(&counts, counts_width),
            app.theme.style(role),
        ));
    }
    let right_width: u16 = right.iter().map(|s| s.width() as u16).sum();
    let [left, r] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(right_width)]).areas(area);
    let mut spans = vec![Span::raw(" ")];
    if app.view.filtering {
        spans.push(Span::styled("filter: ", text_style));
    }
    let shown = fitting_hints(&hints, (left.width as usize).saturating_sub(1), width_of);
    for hint in hints.iter().zip(shown).filter(|(_, s)| *s).map(|(h, _)| h) {
        spans.push(Span::styled(hint.key.clone(), key_style));
        spans.push(Span::styled(format!(" {}  ", hint.label), text_style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(Paragraph::new(Line::from(right)).right_aligned(), r);
}

/// The actions a phase is for: their hints stay when the line is short.
const MAIN: &[Action] = &[Action::Apply, Action::DryRun, Action::Add];

fn counts_of(app: &App) -> (usize, usize, usize) {
    counts(&app.model.analysis.findings)
}

/// The keymap's hints for what has the keyboard, without apply and dry run when they
/// cannot run now (nothing to do, no plan, a job running).
fn status_hints(app: &App) -> Vec<Hint> {
    let can_apply = super::update::cannot_apply(app).is_none();
    app.keymap
        .hints(app.context())
        .into_iter()
        .filter(|h| can_apply || !matches!(h.action, Action::Apply | Action::DryRun))
        .collect()
}

/// Which hints fit in `room` columns, shown in the keymap's order: quit and help, the main
/// actions, the pane's other keys, then the other global ones, each while it fits.
fn fitting_hints(hints: &[Hint], room: usize, width_of: impl Fn(&Hint) -> usize) -> Vec<bool> {
    let always = |h: &Hint| matches!(h.action, Action::Quit | Action::Help);
    let mut room = room.saturating_sub(
        hints
            .iter()
            .filter(|h| always(h))
            .map(&width_of)
            .sum::<usize>(),
    );
    let mut shown: Vec<bool> = hints.iter().map(always).collect();
    let passes: [&dyn Fn(&Hint) -> bool; 3] = [
        &|h: &Hint| MAIN.contains(&h.action),
        &|h: &Hint| h.own,
        &|_: &Hint| true,
    ];
    for pass in passes {
        for (i, hint) in hints.iter().enumerate() {
            if shown[i] || !pass(hint) {
                continue;
            }
            let w = width_of(hint);
            if w <= room {
                room -= w;
                shown[i] = true;
            }
        }
    }
    shown
}

#[cfg(test)]
mod header_tests {
    use super::header_left;

    #[test]
    fn the_header_never_runs_into_its_right_label() {
        let parts: Vec<String> = [
            "schemaforge",
            "postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
            "supabase",
            "PG 15.8",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let right = " no design ".chars().count();
        for width in [60, 80, 120, 200] {
            let left = header_left(&parts, width, right);
            assert!(
                left.chars().count() + right < width,
                "{width}: {left:?} leaves no space before the label"
            );
            assert!(left.ends_with(' '), "{width}: {left:?}");
        }
        let narrow = header_left(&parts, 80, right);
        assert!(
            narrow.contains('…') && narrow.trim_end().ends_with("/postgres"),
            "{narrow}"
        );
        assert!(header_left(&parts, 200, right).contains("schemaforge"));
    }
}
