//! Phases 1–5, read-only for now: what the loaded design has — tables, fields, relations,
//! policies, sample counts — and the findings that belong to the phase. The editors come
//! with their own issue; these panes already show the user what the design will do.

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
    let live = |name: &str| {
        app.model
            .catalog
            .as_ref()
            .is_some_and(|c| c.table(&d.schema, name).is_some())
    };
    match phase {
        Phase::Tables => tables(app, d, &live, &mut out),
        Phase::Fields => fields(app, d, width, &mut out),
        Phase::Rls => rls(app, d, width, &mut out),
        Phase::Samples => samples(app, d, &mut out),
        Phase::Schema | Phase::Relations | Phase::Preview => {}
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

fn db_name(t: &crate::design::Table) -> String {
    t.db_name.clone().unwrap_or_else(|| {
        crate::design::names::derive_db_name(&t.name, crate::design::names::NameKind::Table)
    })
}

fn tables<'a>(app: &App, d: &Design, live: &dyn Fn(&str) -> bool, out: &mut Vec<Line<'a>>) {
    out.push(Line::styled(
        format!(
            "{} table{} in schema {}",
            d.tables.len(),
            if d.tables.len() == 1 { "" } else { "s" },
            d.schema
        ),
        app.theme.style(Role::Accent),
    ));
    for t in &d.tables {
        let name = db_name(t);
        let exists = live(&name);
        out.push(Line::from(vec![
            Span::styled(if exists { "  " } else { "+ " }, app.theme.style(Role::New)),
            Span::styled(pad(&t.name, 20), app.theme.style(Role::Text)),
            Span::styled(pad(&name, 20), app.theme.style(Role::Identifier)),
            Span::styled(
                format!(
                    "{} fields · {}{}",
                    t.fields.len(),
                    if t.rls_enabled { "RLS on" } else { "RLS off" },
                    if exists { " · exists" } else { " · new" }
                ),
                app.theme.style(Role::Dim),
            ),
        ]));
    }
}

fn fields<'a>(app: &App, d: &Design, width: u16, out: &mut Vec<Line<'a>>) {
    for t in &d.tables {
        out.push(rule(&app.theme, &format!("{} · fields", t.name), width));
        out.push(Line::styled(
            "   id, created_at, updated_at, created_by, updated_by   automatic",
            app.theme.style(Role::Dim),
        ));
        for f in &t.fields {
            let mut opts = Vec::new();
            if f.options.required {
                opts.push("required".to_owned());
            }
            if f.options.unique {
                opts.push("unique".to_owned());
            }
            if let Some(def) = &f.options.default {
                opts.push(format!(
                    "= {}",
                    serde_json::to_string(def).unwrap_or_default()
                ));
            }
            if !f.options.choices.is_empty() {
                opts.push(format!("[{}]", f.options.choices.join(", ")));
            }
            out.push(Line::from(vec![
                Span::styled(
                    if f.is_primary { " ★ " } else { "   " },
                    app.theme.style(Role::Accent),
                ),
                Span::styled(pad(&f.name, 20), app.theme.style(Role::Identifier)),
                Span::styled(pad(f.field_type.name(), 16), app.theme.style(Role::Keyword)),
                Span::styled(opts.join("  "), app.theme.style(Role::Text)),
            ]));
        }
    }
}

fn rls<'a>(app: &App, d: &Design, width: u16, out: &mut Vec<Line<'a>>) {
    for t in &d.tables {
        let state = if t.public_reference {
            "public reference data"
        } else if t.rls_enabled {
            "RLS on"
        } else {
            "RLS off"
        };
        out.push(rule(&app.theme, &format!("{} · {state}", t.name), width));
        if t.rls_policies.is_empty() {
            out.push(Line::styled("   no policies", app.theme.style(Role::Dim)));
        }
        for p in &t.rls_policies {
            out.push(Line::from(vec![
                Span::styled(format!(" ▸ {}", p.name), app.theme.style(Role::Identifier)),
                Span::styled(
                    format!("   {}  {}", p.operation.name(), p.roles.join(", ")),
                    app.theme.style(Role::Keyword),
                ),
            ]));
            for (label, expr) in [
                ("using", &p.using_expression),
                ("with check", &p.with_check_expression),
            ] {
                if let Some(e) = expr {
                    out.push(Line::from(vec![
                        Span::styled(format!("     {label:<11} "), app.theme.style(Role::Dim)),
                        Span::styled(e.clone(), app.theme.style(Role::String)),
                    ]));
                }
            }
        }
    }
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
