//! Phase 5 · samples: one row per designed table with its sample row count (0 = none);
//! `a`/`⏎`/`e` opens the count form. Below the list, the first rows that will be inserted
//! into the selected table, from the same generator `apply` uses with the same seed, regenerated whenever the design changes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{fit, pad, rule};
use crate::design::{Design, Samples};
use crate::samples::{LoadKind, TablePreview};
use crate::tui::app::App;
use crate::tui::editors::samples_form;
use crate::tui::findings::{mark, named_line};
use crate::tui::keymap::Action;
use crate::tui::message::Effect;
use crate::tui::navigation::delta;
use crate::tui::phase::Phase;
use crate::tui::sample_load::OwnerChoice;
use crate::tui::theme::Role;

/// How many rows of the selected table the grid shows.
const GRID_ROWS: usize = 5;
/// The widest a grid column gets: a uuid, whole.
const MAX_CELL: usize = 36;
/// The narrowest a column is squeezed to when the values do not all fit.
const MIN_CELL: usize = 8;

fn table_count(app: &App) -> usize {
    app.model
        .design
        .as_ref()
        .map_or(0, |s| s.design.tables.len())
}

/// The selected table (phase 5's own selection, clamped to the tables there are).
fn selected(app: &App) -> Option<usize> {
    let count = table_count(app);
    (count > 0).then(|| app.view.selected[Phase::Samples.index()].min(count - 1))
}

/// The sample row count of `table` as the design asks for it (explicit rows count too).
pub fn count_of(design: &Design, table: usize) -> u64 {
    let t = &design.tables[table];
    let key = t.db_name();
    match design.samples.get(key.as_ref()) {
        Some(Samples::Count(n)) => *n,
        Some(Samples::Rows(rows)) => rows.len() as u64,
        None => 0,
    }
}

/// Why a table with its own key gets no generated rows: the generator keys rows by the
/// system `id` (the design validator says the same of `samples` in a file).
const OWN_KEY: &str = "no sample rows for a table with its own key (no system id to key them by)";

/// The table has its own key and columns (`system_fields: false`, as an opened live table).
fn own_key(app: &App, table: usize) -> bool {
    app.model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(table))
        .is_some_and(|t| !t.system_fields)
}

pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = table_count(app);
    if let Some(d) = delta(action, 5) {
        let i = &mut app.view.selected[Phase::Samples.index()];
        *i = i.saturating_add_signed(d).min(count.saturating_sub(1));
        return Vec::new();
    }
    match (action, selected(app)) {
        (Action::Add | Action::Edit | Action::Open, Some(table)) if own_key(app, table) => {
            let name = app
                .model
                .design
                .as_ref()
                .map(|s| s.design.tables[table].name.clone())
                .unwrap_or_default();
            app.view.message = Some(format!("{name}: {OWN_KEY}"));
        }
        (Action::Add | Action::Edit | Action::Open, Some(table)) => samples_form::open(app, table),
        (Action::Add | Action::Edit | Action::Open, None) => {
            app.view.message = Some("no designed table yet: phase 1 adds one (a)".into());
        }
        _ => {}
    }
    Vec::new()
}

/// A click on line `line` selects the table drawn there (the list starts on line 1).
pub fn click(app: &mut App, line: usize) {
    if line >= 1 && line <= table_count(app) {
        app.view.selected[Phase::Samples.index()] = line - 1;
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    frame.render_widget(
        // Wrapped so a finding keeps its end; every other line is fitted to the width, so
        // the list's lines stay where `click` expects them.
        Paragraph::new(lines(app, area.width))
            .wrap(Wrap { trim: false })
            .scroll((app.scroll(Phase::Samples).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

fn lines<'a>(app: &App, width: u16) -> Vec<Line<'a>> {
    let w = width as usize;
    let mut out = Vec::new();
    let Some(state) = &app.model.design else {
        out.push(Line::styled(
            fit("no design loaded: phase 1 adds a table (a)", w),
            app.theme.style(Role::Dim),
        ));
        return out;
    };
    let d = &state.design;
    out.push(Line::styled(
        fit(" table                     rows · ⏎ sets the count", w),
        app.theme.style(Role::Dim),
    ));
    if d.tables.is_empty() {
        out.push(Line::styled(
            fit(" no designed table yet: phase 1 adds one (a)", w),
            app.theme.style(Role::Dim),
        ));
        return out;
    }
    let chosen = selected(app).unwrap_or(0);
    for (i, t) in d.tables.iter().enumerate() {
        let n = count_of(d, i);
        let what = match n {
            _ if !t.system_fields => "— its own key: not generated".to_string(),
            0 => "none".to_string(),
            n => format!("{n} rows"),
        };
        let text = fit(&format!(" {} {what}", pad(&t.name, 25)), w);
        let role = if i == chosen {
            Role::Selected
        } else {
            Role::Text
        };
        out.push(Line::styled(text, app.theme.style(role)));
    }
    let run = app.model.sample_run;
    let owners = match run.owners {
        OwnerChoice::None => "owners: none".to_string(),
        OwnerChoice::Existing => {
            "owners: existing users (created_by shows NULL until applied)".to_string()
        }
        OwnerChoice::Generated(n) => format!("owners: {n} generated users"),
    };
    out.push(Line::styled(
        fit(&format!(" seed {} · {owners}", run.seed), w),
        app.theme.style(Role::Dim),
    ));
    let table = &d.tables[chosen];
    out.push(rule(
        &app.theme,
        &format!("first rows of {}", table.name),
        width,
    ));
    match grid(app, chosen) {
        Ok(Some(preview)) => grid_lines(app, &preview, w, &mut out),
        Ok(None) => out.push(Line::styled(
            fit(" no sample rows: a sets a count", w),
            app.theme.style(Role::Dim),
        )),
        Err(message) => out.push(Line::styled(
            fit(&format!(" {message}"), w),
            app.theme.style(Role::Danger),
        )),
    }
    findings(app, width, &mut out);
    out
}

/// The findings that belong to phase 5, under a rule.
fn findings<'a>(app: &App, width: u16, out: &mut Vec<Line<'a>>) {
    let findings: Vec<_> = app
        .model
        .analysis
        .findings
        .iter()
        .filter(|f| f.phase == Phase::Samples)
        .collect();
    if findings.is_empty() {
        return;
    }
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

/// The first rows of `table` as the generator makes them, `None` when it gets none.
fn grid(app: &App, table: usize) -> Result<Option<TablePreview>, String> {
    let Some(resolved) = &app.model.analysis.resolved else {
        return Err(
            "the design has errors (see the findings): no rows until they are fixed".into(),
        );
    };
    let Some(t) = resolved.tables.get(table) else {
        return Ok(None);
    };
    if !resolved.samples.iter().any(|s| s.table == table) {
        return Ok(None);
    }
    // Every table's samples, so references find the rows of the tables they point at; when
    // another table's samples cannot be made, this table's alone may still be.
    let options = app.model.sample_run.options(None);
    let set = match crate::samples::generate(resolved, &options) {
        Ok(set) => set,
        Err(all) => {
            let mut only = resolved.clone();
            only.samples.retain(|s| s.table == table);
            crate::samples::generate(&only, &options).map_err(|_| all.to_string())?
        }
    };
    let first = set
        .loads()
        .filter(|l| l.kind != LoadKind::FollowUp && l.table == t.db_name)
        .map(|load| {
            let mut one = crate::samples::SampleSet::default();
            one.steps
                .push(crate::samples::SampleStep::Copy(Box::new(load.clone())));
            crate::samples::preview(&one, GRID_ROWS)
        })
        .next()
        .and_then(|p| p.into_iter().next());
    Ok(first)
}

/// Each column as wide as its widest value (up to [`MAX_CELL`]); when they do not fit in
/// `available`, the widest give way first, down to [`MIN_CELL`] (what is still too wide is
/// cut at the pane's edge).
fn column_widths(natural: &[usize], available: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = natural.iter().map(|&n| n.clamp(1, MAX_CELL)).collect();
    // One space after each column.
    let total = |widths: &[usize]| widths.iter().map(|w| w + 1).sum::<usize>();
    while total(&widths) > available {
        let Some((i, &widest)) = widths.iter().enumerate().max_by_key(|&(_, w)| *w) else {
            break;
        };
        if widest <= MIN_CELL {
            break;
        }
        widths[i] -= 1;
    }
    widths
}

fn grid_lines<'a>(app: &App, p: &TablePreview, w: usize, out: &mut Vec<Line<'a>>) {
    let value = |v: &Option<String>| v.as_deref().unwrap_or("NULL").to_owned();
    let natural: Vec<usize> = p
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            p.rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|v| value(v).chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let widths = column_widths(&natural, w.saturating_sub(1));
    let row_line = |cells: Vec<String>| {
        let line: String = cells
            .iter()
            .zip(&widths)
            .map(|(text, &width)| pad(&fit(text, width), width + 1))
            .collect();
        fit(&format!(" {line}"), w)
    };
    out.push(Line::styled(
        row_line(p.columns.clone()),
        app.theme.style(Role::Identifier),
    ));
    for row in &p.rows {
        out.push(Line::from(Span::styled(
            row_line(row.iter().map(value).collect()),
            app.theme.style(Role::Text),
        )));
    }
    out.push(Line::styled(
        fit(
            &format!(
                " {} in all, {}",
                crate::tui::components::plural(p.total as usize, "row"),
                crate::tui::components::plural(p.columns.len(), "column")
            ),
            w,
        ),
        app.theme.style(Role::Dim),
    ));
}

#[cfg(test)]
mod tests {
    use super::column_widths;

    #[test]
    fn columns_take_what_they_need_and_the_widest_give_way() {
        assert_eq!(column_widths(&[36, 5, 12], 100), vec![36, 5, 12]);
        assert_eq!(column_widths(&[60], 100), vec![36], "a uuid at most");
        // 36 + 5 + 12 + 3 spaces = 56 > 40: the uuid gives way first.
        assert_eq!(column_widths(&[36, 5, 12], 40), vec![20, 5, 12]);
        // Never under 8, whatever the room.
        assert_eq!(column_widths(&[36, 36], 10), vec![8, 8]);
    }
}
