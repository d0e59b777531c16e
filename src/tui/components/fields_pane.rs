//! Phase 2 · fields of the table selected in phase 1: the system fields greyed as automatic,
//! then the designed fields. `a` adds one (the type picker, then its options form), `⏎`/`e`
//! edits, `t` changes the type, `space` makes it the primary field, `x` removes, `J`/`K`
//! reorder. Below the fields, the table's indexes: `i` adds one, `⏎`/`e` on one edits it,
//! `x` removes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::tables_pane::{db_name, findings, fit_rest, inline_findings};
use super::{cell, pad};
use crate::design::edit::Edit;
use crate::design::{Field, SYSTEM_FIELDS};
use crate::tui::app::{App, Focus};
use crate::tui::editing;
use crate::tui::editors;
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::message::Effect;
use crate::tui::navigation::delta;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

fn field_count(app: &App) -> usize {
    match (app.current_table(), &app.model.design) {
        (Some(t), Some(state)) => state.design.tables[t].fields.len(),
        _ => 0,
    }
}

fn index_count(app: &App) -> usize {
    match (app.current_table(), &app.model.design) {
        (Some(t), Some(state)) => state.design.tables[t].indexes.len(),
        _ => 0,
    }
}

pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = field_count(app);
    let rows = count + index_count(app);
    let page = layout::main_rows(app.view.width, app.view.height).saturating_sub(3);
    if let Some(d) = delta(action, page) {
        let i = &mut app.view.selected[Phase::Fields.index()];
        *i = i.saturating_add_signed(d).min(rows.saturating_sub(1));
        keep_in_view(app);
        return Vec::new();
    }
    let Some(table) = app.current_table() else {
        app.view.message =
            Some("choose a designed table in phase 1 first (a adds one there)".into());
        return Vec::new();
    };
    let index = app.view.selected[Phase::Fields.index()];
    if action == Action::AddIndex {
        editors::index_form::open(app, table, None);
        return Vec::new();
    }
    if (count..rows).contains(&index) {
        return match action {
            Action::Open | Action::Edit => {
                editors::index_form::open(app, table, Some(index - count));
                Vec::new()
            }
            Action::Delete => {
                editors::index_form::confirm_removal(app, table, index - count);
                Vec::new()
            }
            Action::Add => {
                editors::field_form::open_type_picker(app, table, None);
                Vec::new()
            }
            _ => Vec::new(),
        };
    }
    let field = (index < count).then(|| {
        app.model
            .design
            .as_ref()
            .expect("a current table has a design")
            .design
            .tables[table]
            .fields[index]
            .clone()
    });
    match (action, field) {
        (Action::Add, _) => editors::field_form::open_type_picker(app, table, None),
        (Action::Open | Action::Edit, Some(_)) => editors::field_form::open_edit(app, table, index),
        (Action::ChangeType, Some(_)) => {
            editors::field_form::open_type_picker(app, table, Some(index))
        }
        (Action::TogglePrimary, Some(f)) => {
            let (field, done) = if f.is_primary {
                (None, format!("{} is no longer the primary field", f.name))
            } else {
                (Some(index), format!("{} is the primary field", f.name))
            };
            return editing::apply(app, Edit::SetPrimaryField { table, field }, done);
        }
        (Action::Delete, Some(f)) => confirm_removal(app, table, index, &f),
        (Action::MoveUp | Action::MoveDown, Some(_)) => {
            if let Some(to) = super::list_pane::move_target(action, index, count) {
                app.view.selected[Phase::Fields.index()] = to;
                return editing::apply(
                    app,
                    Edit::MoveField {
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

/// `x` on a field: the confirmation, naming the field, its column and whether that column is
/// live (it then stays in the database unless dropped, which is offered when the design can
/// drop it).
fn confirm_removal(app: &mut App, table: usize, index: usize, field: &Field) {
    let Some(state) = &app.model.design else {
        return;
    };
    let designed = &state.design.tables[table];
    let column = field.db_name().into_owned();
    let live_table = app
        .model
        .catalog
        .as_ref()
        .and_then(|c| c.table(&state.design.schema, &db_name(designed)))
        .filter(|live| live.column(&column).is_some())
        .map(|live| format!("{}.{}", live.schema, live.name));
    let drop_refused = live_table
        .as_ref()
        .and_then(|_| drop_refusal(&state.design, table, index, &column));
    app.view
        .overlays
        .push(crate::tui::app::Overlay::ConfirmRemoveField(
            super::confirm_remove_field::ConfirmRemoveField {
                table,
                index,
                field: field.name.clone(),
                column,
                live_table,
                drop_refused,
            },
        ));
}

/// The one edit that removes field `index` of `table`, and with `drop_column` also lists
/// `column` in the table's `drop_columns`.
fn removal(
    design: &crate::design::Design,
    table: usize,
    index: usize,
    drop_column: Option<&str>,
) -> Edit {
    let remove = Edit::RemoveField { table, index };
    match drop_column {
        None => remove,
        Some(column) => {
            let mut properties = crate::design::edit::TableProperties::of(&design.tables[table]);
            properties.drop_columns.push(column.to_owned());
            Edit::Batch(vec![
                remove,
                Edit::ChangeTableProperties { table, properties },
            ])
        }
    }
}

/// Why the design cannot drop `column` with the field (a system field, a relationship's
/// column…), in the validator's words; `None` when it can.
fn drop_refusal(
    design: &crate::design::Design,
    table: usize,
    index: usize,
    column: &str,
) -> Option<String> {
    let mut trial = design.clone();
    if let Err(e) = removal(design, table, index, Some(column)).apply(&mut trial) {
        return Some(e.to_string());
    }
    let path = format!("tables[{table}].drop_columns");
    crate::design::validate(&trial)
        .into_iter()
        .find(|d| d.level == crate::design::Level::Error && d.path.starts_with(&path))
        .map(|d| d.message)
}

/// The confirmed removal: the field leaves the design, and with `drop_column` its live column
/// joins the table's `drop_columns` (one edit, one undo). The status says what happens to
/// the column.
pub fn remove_field(
    app: &mut App,
    dialog: &super::confirm_remove_field::ConfirmRemoveField,
    table: usize,
    index: usize,
    drop_column: bool,
) -> Vec<Effect> {
    let Some(state) = &app.model.design else {
        return Vec::new();
    };
    if state.design.tables.get(table).is_none() {
        return Vec::new();
    }
    let dropping = drop_column && dialog.live_table.is_some() && dialog.drop_refused.is_none();
    let edit = removal(
        &state.design,
        table,
        index,
        dropping.then_some(dialog.column.as_str()),
    );
    let done = match &dialog.live_table {
        Some(live) if dropping => format!(
            "{} removed; the plan drops the column {live}.{} (drop_columns) · u undoes",
            dialog.field, dialog.column
        ),
        Some(live) => format!(
            "{} left the design; its column stays in the database ({live}.{}; u, then x and \
             d, drops it)",
            dialog.field, dialog.column
        ),
        None => format!("{} removed (u undoes)", dialog.field),
    };
    editing::apply(app, edit, done)
}

/// Which row each line of the pane shows, as drawn now (a click picks from it).
pub fn rows_at(app: &App) -> Vec<Option<usize>> {
    lines(app, app.view.body.get().width).1
}

/// Scrolls so the selected field is on screen.
fn keep_in_view(app: &mut App) {
    let rows_at = rows_at(app);
    let chosen = app.view.selected[Phase::Fields.index()];
    super::list_pane::keep_in_view(app, Phase::Fields, &rows_at, chosen);
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    frame.render_widget(
        Paragraph::new(lines(app, area.width).0)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll(Phase::Fields).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

/// The pane's lines (none wraps), and for each line the field drawn on it.
fn lines<'a>(app: &App, width: u16) -> (Vec<Line<'a>>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut rows_at = Vec::new();
    let (Some(t), Some(state)) = (app.current_table(), &app.model.design) else {
        out.push(Line::styled(
            "no table chosen: select a designed table in phase 1 (a adds one there)",
            app.theme.style(Role::Dim),
        ));
        findings(app, Phase::Fields, width, &mut out);
        return (out, rows_at);
    };
    let d = &state.design;
    let table = &d.tables[t];
    let live = app
        .model
        .catalog
        .as_ref()
        .and_then(|c| c.table(&d.schema, &db_name(table)));
    out.push(Line::styled(
        format!(
            "{} · {} field{}",
            table.name,
            table.fields.len(),
            if table.fields.len() == 1 { "" } else { "s" }
        ),
        app.theme.style(Role::Accent),
    ));
    // A table with its own key and columns (`system_fields: false`, as a live table opened
    // from the database is) gets none of the system fields.
    let mut system: Vec<&str> = if table.system_fields {
        SYSTEM_FIELDS.iter().map(|f| f.db_name).collect()
    } else {
        Vec::new()
    };
    if table.soft_delete {
        system.push("deleted_at (soft delete)");
    }
    let automatic = if system.is_empty() {
        "  automatic: none (the table has its own key and columns)".to_owned()
    } else {
        format!("  automatic: {}", system.join(", "))
    };
    // One line, whatever the width: a click maps the lines below it to fields.
    out.push(Line::styled(
        super::fit(&automatic, width as usize),
        app.theme.style(Role::Dim),
    ));
    out.push(Line::raw(""));
    if table.fields.is_empty() {
        out.push(Line::styled(
            "   no fields yet: a adds one (its type first, then its name)",
            app.theme.style(Role::Dim),
        ));
    }
    let focused = app.view.focus == Focus::Main;
    let chosen = app.view.selected[Phase::Fields.index()];
    let name_width = ((width as usize).saturating_sub(19) / 3).clamp(8, 20);
    for (i, f) in table.fields.iter().enumerate() {
        let column = f.db_name.clone().unwrap_or_else(|| {
            crate::design::names::derive_db_name(&f.name, crate::design::names::NameKind::Field)
        });
        let exists = live.is_some_and(|l| l.column(&column).is_some());
        let here = focused && i == chosen;
        let mut spans = vec![
            Span::styled(
                format!(
                    "{}{}{}",
                    if here { "▸" } else { " " },
                    if exists { " " } else { "+" },
                    if f.is_primary { "★ " } else { "  " }
                ),
                app.theme.style(Role::New),
            ),
            // Cut before the next column, so a long name never runs into its type.
            Span::styled(cell(&f.name, name_width), app.theme.style(Role::Identifier)),
            Span::styled(
                cell(f.field_type.name(), 15),
                app.theme.style(Role::Keyword),
            ),
            Span::styled(
                fit_rest(width, 4 + name_width + 15, summary(f)),
                app.theme.style(Role::Text),
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
        inline_findings(
            app,
            &format!("tables[{t}].fields[{i}]"),
            None,
            width,
            &mut out,
        );
    }
    index_lines(app, t, width, &mut out, &mut rows_at);
    out.push(Line::styled(
        super::fit(
            "a add · ⏎ edit · t type · space primary · x remove · J/K move · i index · u undo",
            width as usize,
        ),
        app.theme.style(Role::Dim),
    ));
    inline_findings(
        app,
        &format!("tables[{t}]"),
        Some(Phase::Fields),
        width,
        &mut out,
    );
    findings(app, Phase::Fields, width, &mut out);
    rows_at.resize(out.len(), None);
    (out, rows_at)
}

/// The table's indexes under its fields, each a row after the fields.
fn index_lines(
    app: &App,
    t: usize,
    width: u16,
    out: &mut Vec<Line<'_>>,
    rows_at: &mut Vec<Option<usize>>,
) {
    let Some(state) = &app.model.design else {
        return;
    };
    let table = &state.design.tables[t];
    let live = app
        .model
        .catalog
        .as_ref()
        .and_then(|c| c.table(&state.design.schema, &db_name(table)));
    let columns = crate::design::indexes::indexable_columns(&state.design, t);
    out.push(Line::styled(
        super::fit(
            &format!(
                "  indexes: {}",
                if table.indexes.is_empty() {
                    "none designed (i adds one)".to_owned()
                } else {
                    format!("{}", table.indexes.len())
                }
            ),
            width as usize,
        ),
        app.theme.style(Role::Dim),
    ));
    let focused = app.view.focus == Focus::Main;
    let chosen = app.view.selected[Phase::Fields.index()];
    for (xi, index) in table.indexes.iter().enumerate() {
        let row = table.fields.len() + xi;
        let here = focused && row == chosen;
        let name = crate::design::indexes::index_keys(&columns, index)
            .map(|keys| crate::design::indexes::designed_index_name(table, &keys, index));
        let exists = name
            .as_ref()
            .is_some_and(|n| live.is_some_and(|l| l.index(n).is_some()));
        let mut text = format!("({})", index.columns.join(", "));
        if index.unique {
            text.push_str(" unique");
        }
        if index.method != crate::design::IndexMethod::Btree {
            text.push_str(&format!(" {}", index.method.name()));
        }
        if let Some(w) = &index.predicate {
            text.push_str(&format!(" where {w}"));
        }
        let name = name.unwrap_or_default();
        let mut spans = vec![
            Span::styled(
                format!(
                    "{}{}  ",
                    if here { "▸" } else { " " },
                    if exists { " " } else { "+" }
                ),
                app.theme.style(Role::New),
            ),
            Span::styled(pad(&name, 28), app.theme.style(Role::Identifier)),
            Span::styled(fit_rest(width, 32, text), app.theme.style(Role::Text)),
        ];
        if here {
            for s in &mut spans {
                s.style = s.style.patch(app.theme.style(Role::Selected));
            }
        }
        rows_at.resize(out.len(), None);
        out.push(Line::from(spans));
        rows_at.push(Some(row));
        inline_findings(app, &format!("tables[{t}].indexes[{xi}]"), None, width, out);
    }
}

/// The options worth seeing in the list.
fn summary(f: &Field) -> String {
    let mut opts = Vec::new();
    if f.options.required {
        opts.push("required".to_owned());
    }
    if f.options.unique {
        opts.push("unique".to_owned());
    }
    if let Some(def) = &f.options.default {
        opts.push(format!(
            "default {}",
            editors::field_options::show_default(def)
        ));
    }
    if !f.options.choices.is_empty() {
        opts.push(format!("[{}]", f.options.choices.join(", ")));
    }
    if let Some(e) = &f.options.expression {
        opts.push(format!("= {e}"));
    }
    opts.join("  ")
}
