//! Phase 4 · row-level security of the table selected in phase 1: whether RLS is on (`R`
//! turns it on or off; off is for public reference data only, and the warnings say so
//! under the header), then its policies, each with its command, roles, kind and its USING /
//! WITH CHECK expressions highlighted and wrapped, and under it what the validator and the
//! linter say about it. `T` replaces the policies with a template, `a` adds one, `⏎`/`e`
//! edits, `x` removes, `J`/`K` reorder. Under them, the last simulation of the table (`s`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, rule};
use crate::design::edit::Edit;
use crate::design::{Design, Policy};
use crate::findings::{Finding, Source};
use crate::tui::app::{App, Focus};
use crate::tui::editing;
use crate::tui::editors::policy_form;
use crate::tui::findings::mark;
use crate::tui::highlight::highlight_text;
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::message::Effect;
use crate::tui::navigation::delta;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

/// Where an expression starts on its line: `     with check  `.
const EXPRESSION_AT: usize = 17;

fn policy_count(app: &App) -> usize {
    match (app.current_table(), &app.model.design) {
        (Some(t), Some(state)) => state.design.tables[t].rls_policies.len(),
        _ => 0,
    }
}

pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = policy_count(app);
    let page = layout::main_rows(app.view.width, app.view.height).saturating_sub(4);
    if let Some(d) = delta(action, page / 3) {
        let i = &mut app.view.selected[Phase::Rls.index()];
        *i = i.saturating_add_signed(d).min(count.saturating_sub(1));
        keep_in_view(app);
        return Vec::new();
    }
    let Some(table) = app.current_table() else {
        app.view.message =
            Some("choose a designed table in phase 1 first (a adds one there)".into());
        return Vec::new();
    };
    let design = &app.model.design.as_ref().expect("a current table").design;
    let t = &design.tables[table];
    let index = app.view.selected[Phase::Rls.index()].min(count.saturating_sub(1));
    let policy = t.rls_policies.get(index).cloned();
    match (action, policy) {
        (Action::Add, _) => policy_form::open_add(app, table),
        (Action::Template, _) => policy_form::open_template(app, table),
        (Action::ToggleRls, _) => {
            let enabled = !t.rls_enabled;
            let done = match (enabled, t.public_reference) {
                (true, _) => format!("RLS on for {}: only what a policy allows", t.name),
                (false, true) => format!(
                    "RLS off for {}: public reference data, everyone reads it",
                    t.name
                ),
                (false, false) => format!(
                    "RLS off for {}: the anon key reads and changes every row (R: on again)",
                    t.name
                ),
            };
            return editing::apply(app, Edit::SetRls { table, enabled }, done);
        }
        (Action::Open | Action::Edit, Some(_)) => policy_form::open_edit(app, table, index),
        (Action::Delete, Some(p)) => {
            app.view.selected[Phase::Rls.index()] = index.min(count.saturating_sub(2));
            return editing::apply(
                app,
                Edit::RemovePolicy { table, index },
                format!("“{}” removed (u undoes)", p.name),
            );
        }
        (Action::MoveUp | Action::MoveDown, Some(_)) => {
            if let Some(to) = super::list_pane::move_target(action, index, count) {
                app.view.selected[Phase::Rls.index()] = to;
                return editing::apply(
                    app,
                    Edit::MovePolicy {
                        table,
                        from: index,
                        to,
                    },
                    "moved",
                );
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The width the pane was last drawn at (the terminal's before the first frame).
fn width(app: &App) -> u16 {
    match app.view.body.get().width {
        0 => app.view.width,
        w => w,
    }
}

/// Which row each line of the pane shows, as drawn now (a click picks from it).
pub fn rows_at(app: &App) -> Vec<Option<usize>> {
    lines(app, width(app)).1
}

/// Scrolls so every line of the selected policy is on screen.
fn keep_in_view(app: &mut App) {
    let chosen = app.view.selected[Phase::Rls.index()].min(policy_count(app).saturating_sub(1));
    let rows_at = rows_at(app);
    super::list_pane::keep_in_view(app, Phase::Rls, &rows_at, chosen);
}

/// After a simulation: scrolls the pane so its answer under the policies is in view (moving
/// the selection scrolls back to the policies).
pub fn show_simulation(app: &mut App) {
    let (lines, _) = lines(app, width(app));
    let Some(at) = lines.iter().position(|l| {
        l.spans
            .first()
            .is_some_and(|s| s.content.starts_with(super::simulation_lines::TITLE))
    }) else {
        return;
    };
    let page = layout::main_rows(app.view.width, app.view.height);
    let end = (at + super::simulation_lines::HEIGHT).min(lines.len());
    let scroll = &mut app.view.scrolls[Phase::Rls.index()];
    if at < *scroll || end > *scroll + page {
        *scroll = end.saturating_sub(page).min(at.saturating_sub(1));
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    frame.render_widget(
        Paragraph::new(lines(app, area.width).0)
            .scroll((app.scroll(Phase::Rls).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

/// `schema.table` as the linter names the table.
fn table_object(d: &Design, t: usize) -> String {
    format!("{}.{}", d.schema, d.tables[t].db_name())
}

/// Whether a finding is about table `t` as a whole, from phase 4's point of view.
fn about_table(d: &Design, t: usize, f: &Finding) -> bool {
    if f.phase != crate::findings::Phase::Rls {
        return false;
    }
    match (&f.path, f.source) {
        (_, Source::Lint) => f.object == table_object(d, t),
        (Some(p), _) => p
            .strip_prefix(&format!("tables[{t}]"))
            .is_some_and(|rest| rest.starts_with('.') && !rest.contains('[')),
        (None, _) => false,
    }
}

fn policy_path(t: usize, i: usize) -> String {
    format!("tables[{t}].rls_policies[{i}]")
}

fn policy_object(d: &Design, t: usize, p: &Policy) -> String {
    format!("{}.{}", table_object(d, t), p.name)
}

/// The pane's lines (none wider than `width`), and for each line the policy drawn on it.
fn lines<'a>(app: &App, width: u16) -> (Vec<Line<'a>>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut rows_at = Vec::new();
    let w = width as usize;
    let (Some(t), Some(state)) = (app.current_table(), &app.model.design) else {
        out.push(Line::styled(
            "no table chosen: select a designed table in phase 1 (a adds one there)",
            app.theme.style(Role::Dim),
        ));
        if let Some(state) = &app.model.design {
            bucket_lines(app, &state.design, width, &mut out);
        }
        others(app, None, width, &mut out);
        return (out, rows_at);
    };
    let d = &state.design;
    let table = &d.tables[t];
    let unmodelled = live_policies_not_designed(app, d, t);
    let status = match (table.rls_enabled, table.public_reference) {
        (true, _) => "RLS on",
        (false, true) => "RLS off · public reference data",
        (false, false) => "RLS off",
    };
    out.push(Line::styled(
        fit(
            &format!(
                "{} · {status} · {}",
                table.name,
                match (table.rls_policies.len(), unmodelled.len()) {
                    (1, 0) => "1 policy".to_owned(),
                    (n, 0) => format!("{n} policies"),
                    (n, live) => format!(
                        "{n} polic{} · {live} live only",
                        if n == 1 { "y" } else { "ies" }
                    ),
                }
            ),
            w,
        ),
        app.theme.style(Role::Accent),
    ));
    for f in app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| about_table(d, t, f))
    {
        finding_lines(app, f, width, &mut out);
    }
    out.push(Line::raw(""));
    if table.rls_policies.is_empty() && unmodelled.is_empty() {
        out.push(Line::styled(
            fit("   no policies yet: T picks a template, a adds one", w),
            app.theme.style(Role::Dim),
        ));
    }
    let focused = app.view.focus == Focus::Main;
    let chosen =
        app.view.selected[Phase::Rls.index()].min(table.rls_policies.len().saturating_sub(1));
    let name_width = (w.saturating_sub(4) / 3).clamp(12, 32);
    for (i, p) in table.rls_policies.iter().enumerate() {
        rows_at.resize(out.len(), None);
        let here = focused && i == chosen;
        let mut spans = vec![
            Span::styled(
                if here { " ▸ " } else { "   " },
                app.theme.style(Role::Accent),
            ),
            Span::styled(
                super::pad(&p.name, name_width),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(
                fit(
                    &format!(
                        " {:<6}  {}  {}",
                        p.operation.name(),
                        p.roles.join(", "),
                        if p.permissive {
                            "permissive"
                        } else {
                            "restrictive"
                        }
                    ),
                    w.saturating_sub(3 + name_width),
                ),
                app.theme.style(Role::Keyword),
            ),
        ];
        if here {
            for s in &mut spans {
                s.style = s.style.patch(app.theme.style(Role::Selected));
            }
        }
        out.push(Line::from(spans));
        for (label, expression) in [
            ("using", &p.using_expression),
            ("with check", &p.with_check_expression),
        ] {
            if let Some(e) = expression {
                expression_lines(app, label, e, width, &mut out);
            }
        }
        let (path, object) = (policy_path(t, i), policy_object(d, t, p));
        for f in app
            .model
            .analysis
            .findings
            .iter()
            .filter(|f| policy_form::concerns_policy(f, &path, &object))
        {
            finding_lines(app, f, width, &mut out);
        }
        rows_at.resize(out.len(), Some(i));
    }
    live_policy_lines(app, table, &unmodelled, width, &mut out);
    if table.soft_delete {
        // Made by the table's soft delete (phase 1), not one of its policies to edit.
        for text in [
            format!(
                "   + {} · restrictive ALL for anon, authenticated: USING (deleted_at IS NULL)",
                crate::design::names::SOFT_DELETE_POLICY
            ),
            "     soft delete (phase 1): DELETE sets deleted_at; deleted rows are out of reach"
                .to_owned(),
        ] {
            out.push(Line::styled(fit(&text, w), app.theme.style(Role::Dim)));
        }
    }
    out.push(Line::styled(
        fit("a add · T template · ⏎ edit · x remove · R RLS on/off", w),
        app.theme.style(Role::Dim),
    ));
    bucket_lines(app, d, width, &mut out);
    out.extend(super::simulation_lines::lines(
        app,
        &table_object(d, t),
        width,
    ));
    others(app, Some(t), width, &mut out);
    rows_at.resize(out.len(), None);
    (out, rows_at)
}

/// The live policies of the designed table `t` that the design does not model (no policy
/// of its name, none renamed from it, not the soft delete's): the plan leaves them on the
/// table (unless `drop_policies` names them), so they go on applying.
fn live_policies_not_designed<'c>(
    app: &'c App,
    d: &Design,
    t: usize,
) -> Vec<&'c crate::catalog::Policy> {
    let table = &d.tables[t];
    let live_name = table
        .renamed_from
        .clone()
        .unwrap_or_else(|| table.db_name().into_owned());
    let Some(live) = app
        .model
        .catalog
        .as_deref()
        .and_then(|c| c.table(&d.schema, &live_name))
    else {
        return Vec::new();
    };
    live.policies
        .iter()
        .filter(|p| {
            !table
                .rls_policies
                .iter()
                .any(|x| x.name == p.name || x.renamed_from.as_deref() == Some(p.name.as_str()))
        })
        .filter(|p| !(table.soft_delete && p.name == crate::design::names::SOFT_DELETE_POLICY))
        .collect()
}

/// The live policies the design does not model, after the designed ones: marked live, with
/// what the plan does with them (they stay, or `drop_policies` drops them).
fn live_policy_lines<'a>(
    app: &App,
    table: &crate::design::Table,
    live: &[&crate::catalog::Policy],
    width: u16,
    out: &mut Vec<Line<'a>>,
) {
    if live.is_empty() {
        return;
    }
    let w = width as usize;
    out.push(Line::styled(
        fit(
            &format!(
                "   live only ─ not in the design; {} stay{}",
                if live.len() == 1 { "it" } else { "they" },
                if live.len() == 1 { "s" } else { "" }
            ),
            w,
        ),
        app.theme.style(Role::Dim),
    ));
    let name_width = (w.saturating_sub(4) / 3).clamp(12, 32);
    for p in live {
        let dropped = table.drop_policies.iter().any(|d| d == &p.name);
        out.push(Line::from(vec![
            Span::styled("   ", app.theme.style(Role::Dim)),
            Span::styled(
                super::pad(&p.name, name_width),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(
                fit(
                    &format!(
                        " {:<6}  {}  {} · {}",
                        p.command.sql(),
                        p.roles.join(", "),
                        if p.permissive {
                            "permissive"
                        } else {
                            "restrictive"
                        },
                        if dropped {
                            "live · drop_policies drops it"
                        } else {
                            "live"
                        }
                    ),
                    w.saturating_sub(3 + name_width),
                ),
                app.theme
                    .style(if dropped { Role::Danger } else { Role::Dim }),
            ),
        ]));
        for (label, expression) in [("using", &p.using), ("with check", &p.with_check)] {
            if let Some(e) = expression {
                expression_lines(app, label, e, width, out);
            }
        }
    }
}

/// The design's storage buckets, one line each (their policies are on `storage.objects`,
/// not on the table): what `B` edits.
fn bucket_lines<'a>(app: &App, d: &Design, width: u16, out: &mut Vec<Line<'a>>) {
    if d.buckets.is_empty() {
        return;
    }
    let w = width as usize;
    out.push(Line::raw(""));
    out.push(rule(&app.theme, "storage buckets · B edits", width));
    let id_width = d
        .buckets
        .iter()
        .map(|b| b.id.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, 24);
    for b in &d.buckets {
        out.push(Line::from(vec![
            Span::styled(
                format!("   {}", super::pad(&b.id, id_width)),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(
                fit(
                    &format!("  {}", crate::tui::editors::bucket_form::summary(b)),
                    w.saturating_sub(3 + id_width),
                ),
                app.theme.style(Role::Dim),
            ),
        ]));
    }
}

/// `     using       created_by = auth.uid()`, highlighted, wrapped under itself.
fn expression_lines<'a>(app: &App, label: &str, text: &str, width: u16, out: &mut Vec<Line<'a>>) {
    let room = (width as usize).saturating_sub(EXPRESSION_AT).max(8);
    let mut first = true;
    let start = |first: &mut bool| -> Vec<Span<'a>> {
        let lead = if *first {
            format!("     {label:<11} ")
        } else {
            " ".repeat(EXPRESSION_AT)
        };
        *first = false;
        vec![Span::styled(lead, app.theme.style(Role::Dim))]
    };
    for source_line in highlight_text(text) {
        let mut spans = start(&mut first);
        let mut used = 0;
        for (piece, role) in source_line {
            let mut rest: Vec<char> = piece.chars().collect();
            // A token that fits on a line of its own is not split.
            if used > 0 && used + rest.len() > room && rest.len() <= room {
                out.push(Line::from(std::mem::replace(&mut spans, start(&mut first))));
                used = 0;
                if piece.trim().is_empty() {
                    continue;
                }
            }
            while !rest.is_empty() {
                if used == room {
                    out.push(Line::from(std::mem::replace(&mut spans, start(&mut first))));
                    used = 0;
                }
                let take = (room - used).min(rest.len());
                let chunk: String = rest.drain(..take).collect();
                used += take;
                spans.push(Span::styled(chunk, app.theme.style(role)));
            }
        }
        out.push(Line::from(spans));
    }
}

/// A finding under what it concerns, wrapped to the width.
fn finding_lines<'a>(app: &App, f: &Finding, width: u16, out: &mut Vec<Line<'a>>) {
    let (mark, role) = mark(f.severity);
    let text = if f.source == Source::Lint {
        // A lint remedy is SQL, too long here; `schemaforge lint` prints it.
        f.message.clone()
    } else {
        f.text()
    };
    for line in wrap(
        &format!("{mark} {text}"),
        (width as usize).saturating_sub(5),
    ) {
        out.push(Line::styled(format!("     {line}"), app.theme.style(role)));
    }
}

/// The phase's other findings (other tables, the live database), under a rule.
fn others<'a>(app: &App, table: Option<usize>, width: u16, out: &mut Vec<Line<'a>>) {
    let shown = |f: &Finding| {
        let (Some(t), Some(state)) = (table, &app.model.design) else {
            return false;
        };
        let d = &state.design;
        about_table(d, t, f)
            || d.tables[t].rls_policies.iter().enumerate().any(|(i, p)| {
                policy_form::concerns_policy(f, &policy_path(t, i), &policy_object(d, t, p))
            })
    };
    let rest: Vec<&Finding> = app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| f.phase == crate::findings::Phase::Rls && !shown(f))
        .collect();
    if rest.is_empty() {
        return;
    }
    out.push(Line::raw(""));
    out.push(rule(&app.theme, "other findings of this phase", width));
    for f in rest {
        let (mark, role) = mark(f.severity);
        for line in wrap(
            &format!(
                "{mark} {}",
                crate::tui::findings::named_line(f, app.model.design.as_ref().map(|s| &s.design))
            ),
            (width as usize).saturating_sub(1),
        ) {
            out.push(Line::styled(format!(" {line}"), app.theme.style(role)));
        }
    }
}

/// `text` broken between words into lines of at most `width` characters; continuation
/// lines are indented by two.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let used = line.chars().count();
        let started = !line.trim().is_empty();
        if started && used + 1 + word.chars().count() > width {
            out.push(std::mem::replace(&mut line, "  ".to_owned()));
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let tail: String = line.chars().skip(width).collect();
            out.push(head);
            line = format!("  {tail}");
        }
    }
    if !line.trim().is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "public.todos.Admins: the policy reads user_metadata, which every signed-in user can change about themselves";
        for width in [8, 20, 33, 80] {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{lines:?}"
            );
            let joined: String = lines.concat().split_whitespace().collect();
            let expected: String = text.split_whitespace().collect();
            assert_eq!(joined, expected);
        }
    }
}
