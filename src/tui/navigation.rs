//! Moving between phases and scrolling the focused pane: shared by keys (`update`) and the
//! mouse, so both move the same way.

use super::app::{App, Focus};
use super::layout;
use super::phase::Phase;

pub fn goto(app: &mut App, phase: Phase) {
    app.phase = phase;
    app.focus = if phase == Phase::Schema {
        Focus::Tree
    } else {
        Focus::Main
    };
}

/// Scrolls the current phase's pane; each pane keeps its own scroll.
pub fn scroll_main(app: &mut App, delta: isize) {
    if app.phase == Phase::Preview {
        let lines = app.plan.as_ref().map_or(0, |p| p.lines.lines.len());
        let rows = layout::main_rows(app.width, app.height);
        let max = lines.saturating_sub(rows.saturating_sub(2).max(1));
        app.preview.scroll = app.preview.scroll.saturating_add_signed(delta).min(max);
    } else {
        let scroll = &mut app.scrolls[app.phase.index()];
        *scroll = scroll.saturating_add_signed(delta).min(10_000);
    }
}

/// The tree's selection moved: the schema detail starts at its top.
pub fn selection_changed(app: &mut App) {
    app.scrolls[Phase::Schema.index()] = 0;
}
