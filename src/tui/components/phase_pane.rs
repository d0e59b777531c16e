//! Phase 5, read-only for now: the sample records the design asks for, and the findings that
//! belong to the phase. (Phases 1–4 have their editors: tables_pane, fields_pane,
//! relations_pane, rls_pane.)

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pad, rule};
use crate::design::{Design, Samples};
use crate::tui::app::App;
use crate::tui::findings::{line, mark};
use crate::tui::keymap::Action;
use crate::tui::navigation::scroll_pane;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

/// Movement keys while this pane has the keyboard: it scrolls (its own scroll).
pub fn on_action(app: &mut App, action: Action) {
    scroll_pane(app, action);
}

pub fn draw(frame: &mut Frame, app: &App, phase: Phase, area: Rect) {
    let lines = lines(app, phase, area.width);
    // Wrapped, not clipped: at 80 columns a finding or a relation must not lose its end.
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll(phase).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

fn lines<'a>(app: &App, phase: Phase, width: u16) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let Some(state) = &app.model.design else {
        out.push(Line::styled(
            "no design loaded: start with --design FILE (e.g. assets/examples/todos.json)",
            app.theme.style(Role::Dim),
        ));
        out.push(Line::styled(
            "the editors for this phase come next; the live schema is in phase 0",
            app.theme.style(Role::Dim),
        ));
        return out;
    };
    let d = &state.design;
    if phase == Phase::Samples {
        samples(app, d, &mut out);
    }
    let findings: Vec<_> = app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| f.phase == phase)
        .collect();
    if !findings.is_empty() {
        out.push(Line::raw(""));
        out.push(rule(&app.theme, "findings", width));
        for f in findings {
            let (mark, role) = mark(f.severity);
            out.push(Line::styled(
                format!(" {mark} {}", line(f)),
                app.theme.style(role),
            ));
        }
    }
    out
}

fn samples<'a>(app: &App, d: &Design, out: &mut Vec<Line<'a>>) {
    if d.samples.is_empty() {
        out.push(Line::styled(
            "no sample records in this design (optional)",
            app.theme.style(Role::Dim),
        ));
    }
    for (table, spec) in &d.samples {
        let what = match spec {
            Samples::Count(n) => format!("{n} generated rows"),
            Samples::Rows(rows) => format!("{} explicit rows", rows.len()),
        };
        out.push(Line::from(vec![
            Span::styled(
                format!(" {}", pad(table, 24)),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(what, app.theme.style(Role::Text)),
        ]));
    }
}
