//! Mouse: a click focuses the pane under it and selects the tree row or the phase; the
//! wheel scrolls what is under the pointer. Areas come from `layout`, the same function
//! the view draws with, so clicks land where the user sees things.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::app::{App, Focus, Overlay};
use super::layout;
use super::message::Effect;
use super::navigation::{goto, scroll_main, selection_changed};

pub fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Effect> {
    if let Some(Overlay::Editor(_)) = app.view.overlays.last() {
        super::editors::on_mouse(app, &mouse);
        return Vec::new();
    }
    let areas = layout::areas(ratatui::layout::Rect::new(
        0,
        0,
        app.view.width,
        app.view.height,
    ));
    let (x, y) = (mouse.column, mouse.row);
    let in_tree = layout::contains(areas.tree, x, y);
    let tree_rows = layout::tree_rows(app.view.width, app.view.height);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if app.view.overlays.is_empty() => {
            if in_tree {
                app.view.focus = Focus::Tree;
                if y > areas.tree.y {
                    app.view
                        .tree
                        .click((y - areas.tree.y - 1) as usize, tree_rows);
                    selection_changed(app);
                }
            } else if layout::contains(areas.main, x, y) {
                app.view.focus = Focus::Main;
                let body = app.view.body.get();
                if layout::contains(body, x, y) {
                    let line = (y - body.y) as usize + app.scroll(app.view.phase);
                    click_row(app, line);
                }
            } else if layout::contains(areas.stepper, x, y)
                && let Some((phase, ..)) = layout::stepper_cells()
                    .into_iter()
                    .find(|(_, from, to)| x >= *from && x < *to)
            {
                goto(app, phase);
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if mouse.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            if let Some(Overlay::Help(help)) = app.view.overlays.last_mut() {
                help.scroll_by(delta);
            } else if in_tree {
                app.view.tree.scroll(delta, tree_rows);
            } else {
                scroll_main(app, delta);
            }
        }
        _ => return Vec::new(),
    }
    Vec::new()
}

/// A click on line `line` of the current phase's pane selects the row drawn there.
fn click_row(app: &mut App, line: usize) {
    use super::components::{
        fields_pane, list_pane, relations_pane, rls_pane, samples_pane, tables_pane,
    };
    use super::phase::Phase;
    let phase = app.view.phase;
    let rows_at = match phase {
        Phase::Tables => tables_pane::rows_at(app),
        Phase::Fields => fields_pane::rows_at(app),
        Phase::Relations => relations_pane::rows_at(app),
        Phase::Rls => rls_pane::rows_at(app),
        Phase::Samples => return samples_pane::click(app, line),
        Phase::Schema | Phase::Preview => return,
    };
    list_pane::select_at(app, phase, &rows_at, line);
}
