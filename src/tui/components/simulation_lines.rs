//! The last policy simulation of one table, drawn under its policies in phase 4: for each
//! user (two side by side) whether select, insert, update and delete were allowed, denied or
//! failed, and which rows each one sees — so a policy and its effect are read together.
//! `s` runs it again; after an edit it says it is stale rather than show old answers as new.

use ratatui::text::{Line, Span};

use super::simulator::{brief, insert_cell, probe_cell, select_cell};
use super::{fit, pad, rule};
use crate::rls::simulate::{Outcome, SimulationReport, TableProbes};
use crate::tui::app::App;
use crate::tui::last_simulation::ran_on;
use crate::tui::theme::Role;

/// The rule the block starts with.
pub const TITLE: &str = "simulation · rolled back";
/// The lines of the block for two users without failures.
pub const HEIGHT: usize = 8;

/// The label column: `   select `.
const LABEL: usize = 10;
/// The widest a user's column gets.
const COLUMN: usize = 28;

/// The lines for `table` (`schema.table`), none wider than `width`.
pub fn lines<'a>(app: &App, table: &str, width: u16) -> Vec<Line<'a>> {
    let w = width as usize;
    let theme = &app.theme;
    let mut out = vec![Line::raw(""), rule(theme, TITLE, width)];
    let dim = |text: &str| Line::styled(fit(text, w), theme.style(Role::Dim));
    let Some(last) = &app.model.simulation else {
        out.push(dim("   s: every operation as two users, on the samples"));
        return out;
    };
    let probes: Vec<(&SimulationReport, Option<&TableProbes>)> =
        last.reports.iter().map(|r| (r, r.table(table))).collect();
    if probes.is_empty() {
        out.push(dim(if last.running {
            "   simulating…"
        } else {
            "   no run yet: s runs it"
        }));
    } else if probes.iter().all(|(_, t)| t.is_none()) {
        out.push(dim(&format!(
            "   {table} was not in the last run: s runs it again"
        )));
    } else {
        grid(app, &probes, w, &mut out);
    }
    let (text, role) = if last.running {
        ("simulating again…".to_owned(), Role::Warning)
    } else if let Some(e) = &last.error {
        (format!("✗ the last run failed: {e}"), Role::Danger)
    } else if last.is_stale(&ran_on(
        app.model.design.as_ref().map(|d| &d.design),
        app.model.sample_run,
    )) {
        (
            "stale: edited since this run · s runs it again".to_owned(),
            Role::Warning,
        )
    } else {
        ("s runs it again · S other users".to_owned(), Role::Dim)
    };
    if !probes.is_empty() || last.error.is_some() {
        out.push(Line::styled(
            fit(&format!("   {text}"), w),
            theme.style(role),
        ));
    }
    out
}

/// One column per user: a row per operation, then the rows each sees, then the server's
/// message of every probe that failed.
fn grid<'a>(
    app: &App,
    probes: &[(&SimulationReport, Option<&TableProbes>)],
    w: usize,
    out: &mut Vec<Line<'a>>,
) {
    let theme = &app.theme;
    let column = (w.saturating_sub(LABEL) / probes.len()).clamp(6, COLUMN);
    let mut header = vec![Span::raw(" ".repeat(LABEL))];
    for (report, _) in probes {
        header.push(Span::styled(
            format!("{} ", pad(&brief(report), column.saturating_sub(1))),
            theme.style(Role::Header),
        ));
    }
    out.push(Line::from(header));
    type Cell = fn(&TableProbes) -> (String, Role);
    let rows: [(&str, Cell); 5] = [
        ("select", select_cell),
        ("insert", insert_cell),
        ("update", |t| probe_cell(&t.update)),
        ("delete", |t| probe_cell(&t.delete)),
        ("sees", |t| (seen_ids(t), Role::Text)),
    ];
    for (label, cell) in rows {
        let mut spans = vec![Span::styled(
            format!("   {} ", pad(label, LABEL - 4)),
            theme.style(Role::Keyword),
        )];
        for (_, t) in probes {
            let (text, role) = t.map_or(("—".to_owned(), Role::Dim), cell);
            spans.push(Span::styled(
                format!("{} ", pad(&text, column.saturating_sub(1))),
                theme.style(role),
            ));
        }
        out.push(Line::from(spans));
    }
    for (report, t) in probes {
        let Some(t) = t else { continue };
        for (op, probe) in [
            ("select", &t.select),
            ("insert", &t.insert),
            ("update", &t.update),
            ("delete", &t.delete),
        ] {
            if let (Outcome::Failed, Some(message)) = (probe.outcome, &probe.message) {
                out.push(Line::styled(
                    fit(&format!("   ✗ {op} failed as {}:", brief(report)), w),
                    theme.style(Role::Danger),
                ));
                out.push(Line::styled(
                    fit(&format!("     {message}"), w),
                    theme.style(Role::Danger),
                ));
            }
        }
    }
}

/// The start of each visible row's key (small tables), else nothing to list.
fn seen_ids(t: &TableProbes) -> String {
    match (&t.select.outcome, &t.visible_ids) {
        (Outcome::Allowed, Some(ids)) if ids.is_empty() => "no rows".into(),
        (Outcome::Allowed, Some(ids)) => ids
            .iter()
            .map(|id| id.chars().take(4).collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
        (Outcome::Allowed, None) => match t.select.rows {
            1 => "1 row".into(),
            n => format!("{n} rows"),
        },
        _ => "—".into(),
    }
}
