//! Phase 1 · tables: the design's tables, then the live tables of its schema that the design
//! does not hold yet. `a` adds a table, `⏎`/`e` edits the selected one (a live one is opened
//! for editing), `x` removes a designed table, `J`/`K` reorder.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pad, rule};
use crate::design::Design;
use crate::design::edit::Edit;
use crate::tui::app::App;
use crate::tui::editing;
use crate::tui::editors;
use crate::tui::findings::{mark, named_line};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::message::Effect;
use crate::tui::navigation::delta;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

/// A row of the pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableRow {
    /// A table of the design, by index.
    Designed(usize),
    /// A live table of the design's schema that the design does not hold.
    Live(String),
    /// A live view (or partition, foreign table…) of the schema: listed apart, because it
    /// cannot become part of a design. `kind` is what it is (`view`).
    NotDesignable { name: String, kind: &'static str },
}

/// The rows, in order: designed tables, then the live ones not in the design.
pub fn rows(app: &App) -> Vec<TableRow> {
    let Some(state) = &app.model.design else {
        return Vec::new();
    };
    let d = &state.design;
    let mut rows: Vec<TableRow> = (0..d.tables.len()).map(TableRow::Designed).collect();
    if let Some(catalog) = app.model.tree_catalog() {
        let designed: Vec<String> = d.tables.iter().map(db_name).collect();
        let undesigned = || {
            catalog
                .tables
                .iter()
                .filter(|t| t.schema == d.schema && !designed.contains(&t.name))
        };
        let openable = |t: &crate::catalog::Table| {
            t.kind == crate::catalog::TableKind::Table && t.partition_of.is_none()
        };
        rows.extend(
            undesigned()
                .filter(|t| openable(t))
                .map(|t| TableRow::Live(t.name.clone())),
        );
        rows.extend(
            undesigned()
                .filter(|t| !openable(t))
                .map(|t| TableRow::NotDesignable {
                    name: t.name.clone(),
                    kind: if t.partition_of.is_some() {
                        "partition"
                    } else {
                        t.kind.label()
                    },
                }),
        );
    }
    rows
}

pub fn db_name(t: &crate::design::Table) -> String {
    t.db_name.clone().unwrap_or_else(|| {
        crate::design::names::derive_db_name(&t.name, crate::design::names::NameKind::Table)
    })
}

fn selected(app: &App) -> Option<TableRow> {
    rows(app)
        .get(app.view.selected[Phase::Tables.index()])
        .cloned()
}

pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = rows(app).len();
    let page = layout::main_rows(app.view.width, app.view.height).saturating_sub(2);
    if let Some(d) = delta(action, page) {
        let i = &mut app.view.selected[Phase::Tables.index()];
        *i = i.saturating_add_signed(d).min(count.saturating_sub(1));
        keep_in_view(app);
        return Vec::new();
    }
    match (action, selected(app)) {
        (Action::Add, _) => editors::table_form::open_add(app),
        (Action::Open | Action::Edit, Some(TableRow::Designed(i))) => {
            editors::table_form::open_edit(app, i)
        }
        (Action::Open | Action::Edit, Some(TableRow::Live(name))) => {
            return editors::open_live::open_live_table(app, &name);
        }
        (Action::Open | Action::Edit, Some(TableRow::NotDesignable { name, kind })) => {
            app.view.message = Some(format!(
                "{name} is a live {kind}: only tables can be opened into a design; it stays as it is"
            ));
        }
        (Action::AddIndex, Some(TableRow::Designed(i))) => editors::index_form::open(app, i, None),
        (Action::ImportCsv, _) => editors::csv_import::open(app),
        (Action::Delete, Some(TableRow::Designed(i))) => {
            let name = app
                .model
                .design
                .as_ref()
                .map(|s| s.design.tables[i].name.clone());
            if let Some(name) = name {
                app.view
                    .overlays
                    .push(crate::tui::app::Overlay::ConfirmDelete(
                        super::confirm_delete::ConfirmDelete { table: name },
                    ));
            }
        }
        (Action::Delete, Some(TableRow::Live(_) | TableRow::NotDesignable { .. })) => {
            app.view.message = Some(
                "schemaforge never drops live tables; only designed ones can be removed".into(),
            )
        }
        (Action::MoveUp | Action::MoveDown, Some(TableRow::Designed(i))) => {
            let tables = app
                .model
                .design
                .as_ref()
                .map_or(0, |s| s.design.tables.len());
            if let Some(to) = super::list_pane::move_target(action, i, tables) {
                app.view.selected[Phase::Tables.index()] = to;
                return editing::apply(app, Edit::MoveTable { from: i, to }, "moved");
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Which row each line of the pane shows, as drawn now (a click picks from it).
pub fn rows_at(app: &App) -> Vec<Option<usize>> {
    lines(app, app.view.body.get().width).1
}

/// Scrolls so the selected table is on screen.
fn keep_in_view(app: &mut App) {
    let rows_at = rows_at(app);
    let chosen = app.view.selected[Phase::Tables.index()];
    super::list_pane::keep_in_view(app, Phase::Tables, &rows_at, chosen);
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (lines, _) = lines(app, area.width);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll(Phase::Tables).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

/// The pane's lines (none wraps), and for each line the row drawn on it.
fn lines<'a>(app: &App, width: u16) -> (Vec<Line<'a>>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut rows_at = Vec::new();
    let Some(state) = &app.model.design else {
        return (out, rows_at);
    };
    let d: &Design = &state.design;
    let focused = app.view.focus == crate::tui::app::Focus::Main;
    let chosen = app.view.selected[Phase::Tables.index()];
    out.push(Line::styled(
        format!(
            "{} table{} designed in schema {}",
            d.tables.len(),
            if d.tables.len() == 1 { "" } else { "s" },
            d.schema
        ),
        app.theme.style(Role::Accent),
    ));
    let live = |name: &str| {
        app.model
            .catalog
            .as_ref()
            .is_some_and(|c| c.table(&d.schema, name).is_some())
    };
    let all = rows(app);
    // Names take a quarter of the pane each (at most 20), so the summary fits at 80 columns.
    let column = ((width as usize).saturating_sub(2) / 4).clamp(8, 20);
    if d.tables.is_empty() {
        out.push(Line::styled(
            "  no tables yet: a adds one (its name first)",
            app.theme.style(Role::Dim),
        ));
    }
    for (i, row) in all.iter().enumerate() {
        let here = focused && i == chosen;
        let marker = if here { "▸" } else { " " };
        let mut spans = match row {
            TableRow::Designed(t) => {
                let t = &d.tables[*t];
                let name = db_name(t);
                let exists = live(&name);
                vec![
                    Span::styled(
                        format!("{marker}{}", if exists { " " } else { "+" }),
                        app.theme.style(Role::New),
                    ),
                    Span::styled(pad(&t.name, column), app.theme.style(Role::Text)),
                    Span::styled(pad(&name, column), app.theme.style(Role::Identifier)),
                    Span::styled(
                        fit_rest(
                            width,
                            2 + 2 * column,
                            format!(
                                "{}{} · {}{}",
                                crate::tui::components::plural(t.fields.len(), "field"),
                                match t.indexes.len() {
                                    0 => String::new(),
                                    1 => " · 1 index".to_owned(),
                                    n => format!(" · {n} indexes"),
                                },
                                if t.public_reference {
                                    "public reference"
                                } else if t.rls_enabled {
                                    "RLS on"
                                } else {
                                    "RLS off"
                                },
                                if exists { " · live" } else { " · new" }
                            ),
                        ),
                        app.theme.style(Role::Dim),
                    ),
                ]
            }
            TableRow::Live(name) => {
                if i == d.tables.len() {
                    out.push(rule(
                        &app.theme,
                        "live tables · ⏎ opens one for editing",
                        width,
                    ));
                }
                vec![
                    Span::styled(format!("{marker} "), app.theme.style(Role::New)),
                    Span::styled(pad(name, 2 * column), app.theme.style(Role::Dim)),
                    Span::styled("live", app.theme.style(Role::Dim)),
                ]
            }
            TableRow::NotDesignable { name, kind } => {
                if !matches!(
                    all.get(i.wrapping_sub(1)),
                    Some(TableRow::NotDesignable { .. })
                ) {
                    out.push(rule(
                        &app.theme,
                        "live views and others · not part of a design",
                        width,
                    ));
                }
                vec![
                    Span::styled(format!("{marker} "), app.theme.style(Role::New)),
                    Span::styled(pad(name, 2 * column), app.theme.style(Role::Dim)),
                    Span::styled(*kind, app.theme.style(Role::Dim)),
                ]
            }
        };
        if here {
            for s in &mut spans {
                s.style = s.style.patch(app.theme.style(Role::Selected));
            }
        }
        rows_at.resize(out.len(), None);
        out.push(Line::from(spans));
        rows_at.push(Some(i));
        if let TableRow::Designed(t) = row {
            inline_findings(app, &format!("tables[{t}]"), None, width, &mut out);
        }
    }
    out.push(Line::styled(
        "a add · ⏎ edit · x remove · J/K move · u undo",
        app.theme.style(Role::Dim),
    ));
    super::matview_lines::lines(app, d, width, &mut out, |app, path, width, out| {
        inline_findings(app, path, None, width, out)
    });
    findings(app, Phase::Tables, width, &mut out);
    rows_at.resize(out.len(), None);
    (out, rows_at)
}

/// Whether a finding belongs to the object at `path` itself (not to one of its parts).
pub fn concerns(finding: &crate::findings::Finding, path: &str) -> bool {
    finding.path.as_deref().is_some_and(|p| {
        p.strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || (rest.starts_with('.') && !rest.contains('[')))
    })
}

/// The findings about the object at `path`, one line each under its row.
/// `phase`: only that phase's.
pub fn inline_findings<'a>(
    app: &App,
    path: &str,
    phase: Option<Phase>,
    width: u16,
    out: &mut Vec<Line<'a>>,
) {
    let wanted =
        |f: &&crate::findings::Finding| concerns(f, path) && phase.is_none_or(|p| f.phase == p);
    for f in app.model.analysis.findings.iter().filter(wanted) {
        let (mark, role) = mark(f.severity);
        let text = if f.remedy.is_empty() {
            format!("     {mark} {}", f.message)
        } else {
            format!("     {mark} {} — {}", f.message, f.remedy)
        };
        out.push(Line::styled(
            super::fit(&text, width as usize),
            app.theme.style(role),
        ));
    }
}

/// Whether a finding is shown under a row of phases 1–2 (and so not again at the bottom).
fn shown_inline(app: &App, finding: &crate::findings::Finding) -> bool {
    let Some(state) = &app.model.design else {
        return false;
    };
    let view = |v: usize| concerns(finding, &format!("materialized_views[{v}]"));
    (0..state.design.materialized_views.len()).any(view)
        || (0..state.design.tables.len()).any(|t| {
            concerns(finding, &format!("tables[{t}]"))
                || (0..state.design.tables[t].fields.len())
                    .any(|i| concerns(finding, &format!("tables[{t}].fields[{i}]")))
                || (0..state.design.tables[t].indexes.len())
                    .any(|i| concerns(finding, &format!("tables[{t}].indexes[{i}]")))
        })
}

/// The end of a list row, cut so the row never wraps (a click maps a line to a row).
pub fn fit_rest(width: u16, used: usize, text: String) -> String {
    super::fit(&text, (width as usize).saturating_sub(used))
}

/// The analysis' findings of `phase`, under a rule.
pub fn findings<'a>(app: &App, phase: Phase, width: u16, out: &mut Vec<Line<'a>>) {
    let findings: Vec<_> = app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| f.phase == phase && !shown_inline(app, f))
        .collect();
    if !findings.is_empty() {
        out.push(Line::raw(""));
        out.push(rule(&app.theme, "findings", width));
        for f in findings {
            let (mark, role) = mark(f.severity);
            out.push(Line::styled(
                format!(
                    " {mark} {}",
                    named_line(f, app.model.design.as_ref().map(|s| &s.design))
                ),
                app.theme.style(role),
            ));
        }
    }
}
