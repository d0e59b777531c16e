//! Phase 3 · relations: the design's relationships, one row each (source table.field →
//! target, kind, delete rule), with the findings about each under it; then the selected
//! relationship's table's corner of the ERD (`crate::erd`, as `schemaforge erd` draws the
//! database the plan leaves) in text — what it points to, what points to it, and the
//! linking tables of its many-to-many relationships. `a` adds, `⏎`/`e`
//! edits, `x` removes, `J`/`K` reorder.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::tables_pane::concerns;
use super::{fit, pad, rule};
use crate::design::edit::Edit;
use crate::design::{Design, Relationship, RelationshipKind, TargetRef, linking_names};
use crate::erd::{self, text::TextLine, text::neighbourhood};
use crate::tui::app::{App, Focus};
use crate::tui::editing;
use crate::tui::editors::relation_form::{self, KINDS, ON_DELETE, kind_of, on_delete_of};
use crate::tui::findings::{mark, named_line};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::message::Effect;
use crate::tui::navigation::delta;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

/// From this width the diagram stands beside the list instead of below it.
const SIDE_BY_SIDE: u16 = 110;

fn design(app: &App) -> Option<&Design> {
    app.model.design.as_ref().map(|s| &s.design)
}

fn count(app: &App) -> usize {
    design(app).map_or(0, |d| d.relationships.len())
}

fn selected(app: &App) -> usize {
    app.view.selected[Phase::Relations.index()]
}

/// The table the diagram shows: the selected relationship's source, else phase 1's table.
pub fn focus_table(app: &App) -> Option<usize> {
    let d = design(app)?;
    d.relationships
        .get(selected(app))
        .and_then(|r| d.find_table(&r.table))
        .or_else(|| app.current_table())
}

pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = count(app);
    let page = layout::main_rows(app.view.width, app.view.height).saturating_sub(3);
    if let Some(d) = delta(action, page) {
        let i = &mut app.view.selected[Phase::Relations.index()];
        *i = i.saturating_add_signed(d).min(count.saturating_sub(1));
        keep_in_view(app);
        return Vec::new();
    }
    let index = selected(app);
    let exists = index < count;
    match action {
        Action::Add => {
            let source = focus_table(app);
            relation_form::open_add(app, source);
        }
        Action::Open | Action::Edit if exists => relation_form::open_edit(app, index),
        Action::Delete if exists => {
            let rel = &design(app)
                .expect("a relationship has a design")
                .relationships[index];
            let done = format!("{}.{} removed (u undoes)", rel.table, rel.name);
            let effects = editing::apply(app, Edit::RemoveRelationship { index }, done);
            let i = &mut app.view.selected[Phase::Relations.index()];
            *i = (*i).min(count.saturating_sub(2));
            return effects;
        }
        Action::MoveUp | Action::MoveDown if exists => {
            if let Some(to) = super::list_pane::move_target(action, index, count) {
                app.view.selected[Phase::Relations.index()] = to;
                return editing::apply(app, Edit::MoveRelationship { from: index, to }, "moved");
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The width of the list: all of the pane, or the left part when the diagram is beside it.
fn list_width(width: u16) -> u16 {
    if width >= SIDE_BY_SIDE {
        width * 3 / 5
    } else {
        width
    }
}

/// Which row each line of the pane shows, as drawn now (a click picks from it).
pub fn rows_at(app: &App) -> Vec<Option<usize>> {
    lines(app, list_width(app.view.body.get().width.max(20))).1
}

/// Scrolls so the selected relationship is on screen.
fn keep_in_view(app: &mut App) {
    let rows_at = rows_at(app);
    let chosen = selected(app);
    super::list_pane::keep_in_view(app, Phase::Relations, &rows_at, chosen);
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let scroll = (
        app.scroll(Phase::Relations).min(u16::MAX as usize) as u16,
        0,
    );
    if area.width >= SIDE_BY_SIDE {
        let [left, gap, right] = Layout::horizontal([
            Constraint::Length(list_width(area.width)),
            Constraint::Length(1),
            Constraint::Min(10),
        ])
        .areas(area);
        let _ = gap;
        frame.render_widget(
            Paragraph::new(lines(app, left.width).0)
                .wrap(Wrap { trim: false })
                .scroll(scroll),
            left,
        );
        frame.render_widget(
            Paragraph::new(diagram(app, right.width)).wrap(Wrap { trim: false }),
            right,
        );
    } else {
        let mut all = lines(app, area.width).0;
        let below = diagram(app, area.width);
        if !below.is_empty() {
            all.push(Line::raw(""));
            all.extend(below);
        }
        frame.render_widget(
            Paragraph::new(all)
                .wrap(Wrap { trim: false })
                .scroll(scroll),
            area,
        );
    }
}

/// The kind as the list shows it: in words, or in short on a narrow pane.
fn kind_text(rel: &Relationship, width: u16) -> &'static str {
    let kind = kind_of(rel);
    if width >= 66 {
        KINDS[kind]
    } else {
        ["n:1", "1:1", "n:m"][kind]
    }
}

/// The delete rule (and whether the reference is required), or how a many-to-many links.
fn rule_text(d: &Design, rel: &Relationship, target: &TargetRef) -> String {
    if rel.allow_multiple {
        let source = d
            .find_table(&rel.table)
            .map(|i| d.tables[i].db_name().into_owned())
            .unwrap_or_else(|| rel.table.clone());
        let (link, ..) = linking_names(d, &source, rel, target);
        return format!("via {link}");
    }
    let rule = on_delete_of(rel);
    if rule == 0 && rel.required {
        "cascade, required".into()
    } else {
        ON_DELETE[rule].into()
    }
}

/// The list's lines (none wraps), and for each line the relationship drawn on it.
fn lines<'a>(app: &App, width: u16) -> (Vec<Line<'a>>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut rows_at = Vec::new();
    let Some(d) = design(app) else {
        out.push(Line::styled(
            "no design loaded: 1 then a starts one",
            app.theme.style(Role::Dim),
        ));
        live_foreign_keys(app, &Design::default(), width, &mut out);
        return (out, rows_at);
    };
    out.push(Line::styled(
        format!(
            "{} in schema {}",
            super::plural(d.relationships.len(), "relationship"),
            d.schema
        ),
        app.theme.style(Role::Accent),
    ));
    if d.relationships.is_empty() {
        out.push(Line::styled(
            fit(
                "  none yet: a adds one (from table, to table, kind)",
                width as usize,
            ),
            app.theme.style(Role::Dim),
        ));
    }
    let focused = app.view.focus == Focus::Main;
    let chosen = selected(app);
    let narrow = width < 66;
    let source_width = if narrow { 16 } else { 20 };
    let target_width = if narrow { 12 } else { 16 };
    let kind_width = if narrow { 4 } else { 13 };
    for (i, rel) in d.relationships.iter().enumerate() {
        let here = focused && i == chosen;
        let target = relation_form::resolve_target(app, d, &rel.target);
        let used = 2 + source_width + 3 + target_width + kind_width;
        let mut spans = vec![
            Span::styled(if here { "▸ " } else { "  " }, app.theme.style(Role::New)),
            Span::styled(
                pad(&format!("{}.{}", rel.table, rel.name), source_width),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(" → ", app.theme.style(Role::Dim)),
            Span::styled(pad(&rel.target, target_width), app.theme.style(Role::Text)),
            Span::styled(
                pad(kind_text(rel, width), kind_width),
                app.theme.style(Role::Keyword),
            ),
            Span::styled(
                fit(
                    &rule_text(d, rel, &target),
                    (width as usize).saturating_sub(used),
                ),
                app.theme.style(Role::Dim),
            ),
        ];
        if here {
            for s in &mut spans {
                s.style = s.style.patch(app.theme.style(Role::Selected));
            }
        }
        rows_at.resize(out.len(), None);
        out.push(Line::from(spans));
        rows_at.push(Some(i));
        super::tables_pane::inline_findings(
            app,
            &format!("relationships[{i}]"),
            None,
            width,
            &mut out,
        );
    }
    out.push(Line::styled(
        fit(
            "a add · ⏎ edit · x remove · J/K move · u undo",
            width as usize,
        ),
        app.theme.style(Role::Dim),
    ));
    live_foreign_keys(app, d, width, &mut out);
    other_findings(app, d, width, &mut out);
    rows_at.resize(out.len(), None);
    (out, rows_at)
}

/// The foreign keys of the schema's live tables that no relationship of the design stands
/// for (keys to `bigint` ids, keys written by hand), so the phase never says "0
/// relationships" of a schema full of them. System fields' keys to `auth.users` are phase
/// 2's automatic fields and are left out.
pub fn unmodelled_foreign_keys(app: &App, d: &Design) -> Vec<String> {
    use crate::design::RelationshipKind as Kind;
    let Some(catalog) = app.model.catalog.as_deref() else {
        return Vec::new();
    };
    let mut modelled: Vec<&str> = Vec::new();
    if let Some(resolved) = &app.model.analysis.resolved {
        for rel in &resolved.relationships {
            match &rel.kind {
                Kind::ForeignKey { fkey, .. } => modelled.push(fkey),
                Kind::Linking {
                    source_fkey,
                    target_fkey,
                    created_by_fkey,
                    ..
                } => modelled.extend([
                    source_fkey.as_str(),
                    target_fkey.as_str(),
                    created_by_fkey.as_str(),
                ]),
            }
        }
    }
    let system = ["created_by", "updated_by"];
    catalog
        .tables_in(&d.schema)
        .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
        .filter(|(_, fk)| !modelled.contains(&fk.name.as_str()))
        .filter(|(_, fk)| {
            !(fk.references_schema == "auth"
                && fk.columns.len() == 1
                && system.contains(&fk.columns[0].as_str()))
        })
        .map(|(t, fk)| {
            let target = if fk.references_schema == d.schema {
                fk.references_table.clone()
            } else {
                format!("{}.{}", fk.references_schema, fk.references_table)
            };
            format!(
                "{}.{} → {}({}) · on delete {}",
                t.name,
                fk.columns.join(", "),
                target,
                fk.references_columns.join(", "),
                fk.on_delete.sql().to_lowercase()
            )
        })
        .collect()
}

fn live_foreign_keys<'a>(app: &App, d: &Design, width: u16, out: &mut Vec<Line<'a>>) {
    let keys = unmodelled_foreign_keys(app, d);
    if keys.is_empty() {
        return;
    }
    out.push(rule(
        &app.theme,
        &format!(
            "live, not in the design · {}",
            super::plural(keys.len(), "foreign key")
        ),
        width,
    ));
    for key in keys {
        out.push(Line::styled(
            fit(&format!("  {key}"), width as usize),
            app.theme.style(Role::Managed),
        ));
    }
}

/// The phase's findings that are not about one relationship (those are under its row).
fn other_findings<'a>(app: &App, d: &Design, width: u16, out: &mut Vec<Line<'a>>) {
    let inline = |f: &crate::findings::Finding| {
        (0..d.relationships.len()).any(|i| concerns(f, &format!("relationships[{i}]")))
    };
    let findings: Vec<_> = app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| f.phase == Phase::Relations && !inline(f))
        .collect();
    if findings.is_empty() {
        return;
    }
    out.push(rule(&app.theme, "findings", width));
    for f in findings {
        let (mark, role) = mark(f.severity);
        out.push(Line::styled(
            fit(
                &format!(" {mark} {}", named_line(f, Some(d))),
                width as usize,
            ),
            app.theme.style(role),
        ));
    }
}

/// The diagram of the focus table's relations, fitted to `width`: its corner of the same
/// diagram `schemaforge erd` draws (the database as the plan leaves it), as text.
fn diagram<'a>(app: &App, width: u16) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let (Some(d), Some(t)) = (design(app), focus_table(app)) else {
        return out;
    };
    let me = d.tables[t].db_name().into_owned();
    let w = width as usize;
    out.push(rule(&app.theme, &format!("{me} · diagram"), width));
    let dim = |text: String| Line::styled(fit(&text, w), app.theme.style(Role::Dim));
    let Some(resolved) = &app.model.analysis.resolved else {
        out.push(dim("  drawn once the design has no errors".into()));
        return out;
    };
    let drawn = match (app.model.catalog.as_deref(), app.model.plan.as_ref()) {
        (Some(live), Some(view)) => Some(erd::from_design::neighbourhood_diagram(
            resolved, live, &view.plan,
        )),
        (None, _) => erd::design_diagram(d, None, &[], erd::model::Columns::Keys).ok(),
        (Some(_), None) => None,
    };
    let Some((diagram, focus)) = drawn.and_then(|g| {
        let focus = g.find(&d.schema, &me)?;
        Some((g, focus))
    }) else {
        out.push(dim("  drawn once the design can be planned".into()));
        return out;
    };
    // The design's own foreign keys, by (table, constraint); the rest are the database's.
    let designed_keys: Vec<(&str, &str)> = resolved
        .relationships
        .iter()
        .filter_map(|r| match &r.kind {
            RelationshipKind::ForeignKey { fkey, .. } => {
                Some((r.table_db_name.as_str(), fkey.as_str()))
            }
            RelationshipKind::Linking { .. } => None,
        })
        .collect();
    let designed = |r: &erd::Relationship| {
        let from = &diagram.entities[r.from];
        r.via.is_some()
            || from.schema == d.schema
                && designed_keys.contains(&(from.name.as_str(), r.name.as_str()))
    };
    // `from ─▶ to  what`, with `what` on a line of its own when the pane is narrow.
    let arrow = |from: String, to: String, what: String, out: &mut Vec<Line<'a>>| {
        let from = format!("  {from}");
        let head = from.chars().count() + 4 + to.chars().count();
        let mut spans = vec![
            Span::styled(from, app.theme.style(Role::Identifier)),
            Span::styled(" ─▶ ", app.theme.style(Role::Dim)),
            Span::styled(to, app.theme.style(Role::Text)),
        ];
        if head + 2 + what.chars().count() <= w {
            spans.push(Span::styled(
                format!("  {what}"),
                app.theme.style(Role::Dim),
            ));
            out.push(Line::from(spans));
        } else {
            out.push(Line::from(spans));
            out.push(Line::styled(
                fit(&format!("      {what}"), w),
                app.theme.style(Role::Dim),
            ));
        }
    };
    for line in neighbourhood(&diagram, focus, &designed) {
        match line {
            TextLine::Heading(text) => out.push(Line::styled(
                format!(" {text}"),
                app.theme.style(Role::Accent),
            )),
            TextLine::Arrow { from, to, what } => arrow(from, to, what, &mut out),
            TextLine::Link { name, new } => {
                let room = w.saturating_sub(name.chars().count() + 2);
                out.push(Line::from(vec![
                    Span::styled(format!("  {name}"), app.theme.style(Role::Identifier)),
                    Span::styled(
                        fit(
                            if new {
                                "  new: created as below"
                            } else {
                                "  exists"
                            },
                            room,
                        ),
                        app.theme.style(if new { Role::New } else { Role::Dim }),
                    ),
                ]));
            }
            TextLine::Detail(text) => out.push(dim(format!("    {text}"))),
            TextLine::Nothing(text) => out.push(dim(format!("  {text}: a adds one"))),
        }
    }
    out
}
