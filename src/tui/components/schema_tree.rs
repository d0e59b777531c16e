//! The schema tree pane: moves, opens and filters [`crate::tui::tree::Tree`] (the model,
//! tested on its own) and draws only its visible window, so a 5,000-table schema costs the
//! same as a 5-table one.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, pad, pane_block};
use crate::tui::app::{App, Focus};
use crate::tui::keymap::{Action, Context};
use crate::tui::layout;
use crate::tui::navigation::{delta, selection_changed};
use crate::tui::theme::Role;
use crate::tui::tree::RowKind;

/// Movement and open/close keys while the tree has the keyboard.
pub fn on_action(app: &mut App, action: Action) {
    let rows = layout::tree_rows(app.view.width, app.view.height);
    match action {
        Action::Open => {
            if app.view.tree.expand() {
                app.view
                    .tree
                    .rebuild(app.model.tree_catalog(), &app.model.drafts);
            }
        }
        Action::Close => {
            if app.view.tree.collapse() {
                app.view
                    .tree
                    .rebuild(app.model.tree_catalog(), &app.model.drafts);
            }
        }
        Action::Top => app.view.tree.home(),
        Action::Bottom => app.view.tree.end(),
        _ => match delta(action, rows) {
            Some(d) => app.view.tree.move_by(d),
            None => return,
        },
    }
    app.view.tree.scroll_into_view(rows);
    if !matches!(action, Action::Open | Action::Close) {
        selection_changed(app);
    }
}

/// A key while the `/` filter is being typed: the input takes every key it does not bind.
pub fn on_filter_key(app: &mut App, key: KeyEvent) {
    let mut filter = app.view.tree.filter().to_owned();
    match app.keymap.action(Context::Input, &key) {
        Some(Action::Confirm) => app.view.filtering = false,
        Some(Action::Cancel) => {
            app.view.filtering = false;
            filter.clear();
        }
        _ => match key.code {
            KeyCode::Backspace => {
                filter.pop();
            }
            KeyCode::Char(c) => filter.push(c),
            _ => return,
        },
    }
    if filter != app.view.tree.filter() {
        app.view.tree.set_filter(&filter);
        app.view
            .tree
            .rebuild(app.model.tree_catalog(), &app.model.drafts);
        app.view.tree.select_first_table();
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let focused = app.view.focus == Focus::Tree;
    let filter = if app.view.filtering {
        format!("/{}▏", app.view.tree.filter())
    } else if app.view.tree.filter().is_empty() {
        "/ filter".into()
    } else {
        format!("/{}", app.view.tree.filter())
    };
    let block = pane_block(&app.theme, "Schema".into(), focused)
        .title_top(Line::styled(format!(" {filter} "), app.theme.style(Role::Dim)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    if app.model.tree_catalog().is_none() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "reading the live schema…",
                app.theme.style(Role::Dim),
            )),
            inner,
        );
        return;
    }
    let (offset, rows) = app.view.tree.window(inner.height as usize);
    if rows.is_empty() {
        let text = if app.view.tree.filter().is_empty() {
            "no tables yet".to_owned()
        } else {
            format!("nothing matches {:?}", app.view.tree.filter())
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, app.theme.style(Role::Dim))),
            inner,
        );
        return;
    }
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let marker = match row.expanded {
                Some(true) => "▾ ",
                Some(false) => "▸ ",
                None if row.new => "+ ",
                None => "  ",
            };
            let marker = if row.new && row.kind == RowKind::Table {
                "+ "
            } else {
                marker
            };
            let indent = "  ".repeat(row.depth as usize);
            let role = if row.new {
                Role::New
            } else if row.managed {
                Role::Managed
            } else if row.kind == RowKind::Schema {
                Role::Accent
            } else {
                Role::Text
            };
            let left = format!("{indent}{marker}{}", row.label);
            // The name first; the detail gets what is left, or a third when names are long.
            let detail_width = row.detail.chars().count().min(
                width
                    .saturating_sub(left.chars().count() + 1)
                    .max(width / 3),
            );
            let left_width = width.saturating_sub(detail_width + 1);
            let mut spans = vec![
                Span::styled(pad(&left, left_width), app.theme.style(role)),
                Span::raw(" "),
                Span::styled(
                    fit(&row.detail, detail_width),
                    app.theme.style(if row.new { Role::New } else { Role::Dim }),
                ),
            ];
            if offset + i == app.view.tree.selected() {
                let selected = app.theme.style(Role::Selected);
                for span in &mut spans {
                    span.style = span.style.patch(selected);
                }
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
