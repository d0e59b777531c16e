//! The preview: exactly `bundle.text` — the text apply sends — highlighted and scrollable,
//! with destructive statements in the danger role, the plan's notes and the findings
//! beside it, and the apply result above it (on failure the failing statement is marked
//! and the server's message, detail and hint shown).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::rule;
use super::sql_rows::{self, Marks};
use crate::tui::app::{App, ApplyState, PlanView};
use crate::tui::findings::{mark, named_line};
use crate::tui::job::JobKind;
use crate::tui::keymap::Action;
use crate::tui::navigation::scroll_pane;
use crate::tui::theme::Role;

/// Movement keys while this pane has the keyboard: it scrolls (its own scroll).
pub fn on_action(app: &mut App, action: Action) {
    scroll_pane(app, action);
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    if app.view.preview.show_rollback {
        return super::rollback_pane::draw(frame, app, area);
    }
    let Some(plan) = &app.model.plan else {
        app.view.preview.findings_overflow.set(0);
        let mut lines = vec![];
        if app.model.design.is_none() {
            lines.push(Line::styled(
                "no design loaded: nothing to preview. Start with --design FILE.",
                app.theme.style(Role::Dim),
            ));
        } else if app.model.catalog.is_none() {
            lines.push(Line::styled(
                match app.model.loading.as_ref().map(|l| &l.progress) {
                    Some(p) => format!(
                        "details still loading ({} of {} kinds read): planning as soon as the \
                         live schema has been read whole…",
                        p.arrived.len(),
                        p.arrived.len() + p.pending.len()
                    ),
                    None => "planning as soon as the live schema has been read…".to_owned(),
                },
                app.theme.style(Role::Dim),
            ));
        } else {
            lines.push(Line::styled(
                "the design cannot be planned yet:",
                app.theme.style(Role::Danger),
            ));
            for e in &app.plan_errors() {
                lines.push(Line::styled(
                    format!(" ✗ {e}"),
                    app.theme.style(Role::Danger),
                ));
            }
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    let status = status_lines(app, plan);
    let rest = super::status_above(frame, status, area);

    let wide = rest.width >= 90;
    let side = sql_rows::wrap_lines(
        side_lines(app, rest.width),
        if wide { 34 } else { rest.width as usize },
    );
    let (sql, notes) = if wide {
        // A column between them, so the SQL never runs into the findings.
        let [sql, notes] = Layout::horizontal([Constraint::Min(40), Constraint::Length(34)])
            .spacing(1)
            .areas(rest);
        (sql, notes)
    } else {
        let h = (side.len() as u16).min(rest.height / 3);
        let [sql, notes] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(rest);
        (sql, notes)
    };
    let overflow = side.len().saturating_sub(notes.height as usize);
    app.view.preview.findings_overflow.set(overflow);
    // Past the SQL's end the findings scroll on, so the last one can be read.
    let sql_max = sql_rows::max_scroll(
        &plan.lines,
        (sql.width as usize).saturating_sub(sql_rows::GUTTER).max(1),
        sql.height as usize,
    );
    let scroll = app.view.preview.scroll;
    draw_sql(frame, app, plan, sql, scroll.min(sql_max));
    let side_scroll = scroll.saturating_sub(sql_max).min(overflow);
    frame.render_widget(
        Paragraph::new(side).scroll((side_scroll.min(u16::MAX as usize) as u16, 0)),
        notes,
    );
}

fn status_lines<'a>(app: &App, plan: &PlanView) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if plan.plan.is_empty() {
        out.push(Line::styled(
            "nothing to do: the database already has everything in the design",
            app.theme.style(Role::Ok),
        ));
    } else {
        out.push(Line::styled(
            format!(
                "{} · {}",
                crate::tui::components::plural(plan.bundle.statements.len(), "statement"),
                plan.summary
            ),
            app.theme.style(if plan.summary.destructive > 0 {
                Role::Danger
            } else {
                Role::Text
            }),
        ));
    }
    kept_columns(app, &mut out);
    kept_indexes(app, &mut out);
    if let Some(job) = app.job.running()
        && job.kind != JobKind::Reading
    {
        out.push(Line::styled(
            format!("{} · esc cancels", job.progress()),
            app.theme.style(Role::Warning),
        ));
        return out;
    }
    match &app.apply {
        ApplyState::Idle => {}
        ApplyState::Succeeded {
            dry_run,
            statements,
            rows,
            demo_users,
            rejected,
            millis,
        } => out.push(Line::styled(
            if *dry_run {
                format!(
                    "✓ dry run: {statements} statements{}{} ran in {millis} ms, then rolled back",
                    crate::samples::loaded_phrase(*rows, *demo_users),
                    set_aside(*rejected, app.model.csv_import.as_ref())
                )
            } else {
                format!(
                    "✓ applied {statements} statements{}{} in one transaction in {millis} ms",
                    crate::samples::loaded_phrase(*rows, *demo_users),
                    set_aside(*rejected, app.model.csv_import.as_ref())
                )
            },
            app.theme.style(Role::Ok),
        )),
        ApplyState::Failed(f) => {
            out.push(Line::styled(
                format!(
                    "✗ statement {} of {} (line {}) failed: {} [{}]",
                    f.index + 1,
                    f.total,
                    f.line,
                    f.message,
                    f.code
                ),
                app.theme.style(Role::Danger),
            ));
            for (label, value) in [("detail", &f.detail), ("hint", &f.hint)] {
                if let Some(v) = value {
                    out.push(Line::styled(
                        format!("  {label}: {v}"),
                        app.theme.style(Role::Warning),
                    ));
                }
            }
            for lock in &f.blocked_by {
                out.push(Line::styled(
                    format!("  blocked by: {lock}"),
                    app.theme.style(Role::Warning),
                ));
            }
            if let Some(advice) = f.advice() {
                out.push(Line::styled(
                    format!("  what to do: {advice}"),
                    app.theme.style(Role::Warning),
                ));
            }
            out.push(Line::styled(
                "  nothing was applied: the transaction was rolled back",
                app.theme.style(Role::Dim),
            ));
        }
        ApplyState::Error(e) => out.push(Line::styled(
            format!("✗ {e}"),
            app.theme.style(Role::Danger),
        )),
    }
    out
}

/// Live columns the design neither models nor drops stay in the database: said under the
/// summary, so a field removed from a live table does not look like a dropped column.
fn kept_columns<'a>(app: &App, out: &mut Vec<Line<'a>>) {
    let (Some(resolved), Some(catalog)) =
        (&app.model.analysis.resolved, app.model.catalog.as_deref())
    else {
        return;
    };
    let kept = crate::plan::kept_columns::kept_columns(resolved, catalog);
    const SHOWN: usize = 3;
    for column in kept.iter().take(SHOWN) {
        out.push(Line::styled(
            format!("note: {}", column.note()),
            app.theme.style(Role::Warning),
        ));
    }
    if kept.len() > SHOWN {
        out.push(Line::styled(
            format!(
                "note: and {} more live columns the design leaves as they are",
                kept.len() - SHOWN
            ),
            app.theme.style(Role::Warning),
        ));
    }
}

/// Live indexes the design does not hold stay in the database: said like the kept columns,
/// so an index removed in phase 2 does not look dropped.
fn kept_indexes<'a>(app: &App, out: &mut Vec<Line<'a>>) {
    let (Some(state), Some(resolved), Some(catalog)) = (
        &app.model.design,
        &app.model.analysis.resolved,
        app.model.catalog.as_deref(),
    ) else {
        return;
    };
    let kept = crate::plan::kept_indexes::kept_indexes(&state.design, resolved, catalog);
    const SHOWN: usize = 3;
    for index in kept.iter().take(SHOWN) {
        out.push(Line::styled(
            format!("note: {}", index.note()),
            app.theme.style(Role::Warning),
        ));
    }
    if kept.len() > SHOWN {
        out.push(Line::styled(
            format!(
                "note: and {} more live indexes the design leaves as they are",
                kept.len() - SHOWN
            ),
            app.theme.style(Role::Warning),
        ));
    }
}

fn side_lines<'a>(app: &App, width: u16) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let width = width.min(34);
    out.push(rule(&app.theme, "findings", width));
    let findings = &app.model.analysis.findings;
    if findings.is_empty() {
        out.push(Line::styled("✓ no findings", app.theme.style(Role::Ok)));
    }
    // Exactly `schemaforge lint --json`'s list: errors, warnings, then notes.
    for f in findings {
        let (mark, role) = mark(f.severity);
        out.push(Line::styled(
            format!(
                "{mark} {}",
                named_line(f, app.model.design.as_ref().map(|s| &s.design))
            ),
            app.theme.style(role),
        ));
    }
    out
}

fn draw_sql(frame: &mut Frame, app: &App, plan: &PlanView, area: Rect, scroll: usize) {
    let failed = match &app.apply {
        ApplyState::Failed(f) => Some(f.as_ref()),
        _ => None,
    };
    app.view.preview.sql_area.set((area.width, area.height));
    let rows = sql_rows::rows(
        &app.theme,
        &plan.lines,
        scroll,
        area.width as usize,
        area.height as usize,
        |i| {
            let statement = plan.lines.statement.get(i).copied().flatten();
            let failing = failed.is_some_and(|f| statement == Some(f.index));
            let edited = statement.is_some_and(|s| app.view.preview.changed.contains(&s));
            Marks {
                mark: if failing {
                    Some(('▶', Role::Danger))
                } else if edited {
                    // What the last edit produced.
                    Some(('▌', Role::New))
                } else {
                    None
                },
                failing,
                error_at: failed
                    .and_then(|f| f.position)
                    .filter(|(line, _)| *line == i + 1)
                    .map(|(_, col)| col),
            }
        },
    );
    frame.render_widget(Paragraph::new(rows), area);
}

/// `, 3 bad rows set aside in data/orders.rejects.csv`, or nothing.
pub fn set_aside(rejected: u64, csv: Option<&crate::tui::csv_import::CsvImport>) -> String {
    match (rejected, csv.and_then(|c| c.rejects.as_ref())) {
        (0, _) | (_, None) => String::new(),
        (1, Some(file)) => format!(", 1 bad row set aside in {}", file.display()),
        (n, Some(file)) => format!(", {n} bad rows set aside in {}", file.display()),
    }
}
