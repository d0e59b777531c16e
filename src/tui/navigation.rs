//! Moving between phases and scrolling the focused pane: shared by keys (`update`) and the
//! mouse, so both move the same way.

use super::app::{App, Focus};
use super::components::sql_rows;
use super::keymap::Action;
use super::layout;
use super::phase::Phase;

pub fn goto(app: &mut App, phase: Phase) {
    app.view.phase = phase;
    app.view.focus = if phase == Phase::Schema {
        Focus::Tree
    } else {
        Focus::Main
    };
}

/// Scrolls the current phase's pane; each pane keeps its own scroll.
pub fn scroll_main(app: &mut App, delta: isize) {
    if app.view.phase == Phase::Preview {
        let lines = match &app.view.preview.rollback {
            Some(r) if app.view.preview.show_rollback => Some(&r.lines),
            _ => app.model.plan.as_ref().map(|p| &p.lines),
        };
        let sql_max = match (lines, app.view.preview.sql_area.get()) {
            (None, _) => 0,
            (Some(lines), (width, height)) if width > 0 && height > 0 => {
                let text = (width as usize).saturating_sub(sql_rows::GUTTER);
                sql_rows::max_scroll(lines, text, height as usize)
            }
            // Not drawn yet: by lines, as if none wrapped.
            (Some(lines), _) => {
                let rows = layout::main_rows(app.view.width, app.view.height);
                lines
                    .lines
                    .len()
                    .saturating_sub(rows.saturating_sub(2).max(1))
            }
        };
        // The findings beside or below the plan scroll on once its SQL has ended.
        let max = if app.view.preview.show_rollback {
            sql_max
        } else {
            sql_max + app.view.preview.findings_overflow.get()
        };
        app.view.preview.scroll = app
            .view
            .preview
            .scroll
            .saturating_add_signed(delta)
            .min(max);
    } else {
        let scroll = &mut app.view.scrolls[app.view.phase.index()];
        *scroll = scroll.saturating_add_signed(delta).min(10_000);
    }
}

/// The tree's selection moved: the schema detail starts at its top.
pub fn selection_changed(app: &mut App) {
    app.view.scrolls[Phase::Schema.index()] = 0;
}

/// How far a movement key moves in a pane `page` rows high; `None` for other actions.
pub fn delta(action: Action, page: usize) -> Option<isize> {
    let page = page.max(1) as isize;
    Some(match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// The movement keys of a read-only pane of the main area: they scroll it.
pub fn scroll_pane(app: &mut App, action: Action) {
    if let Some(delta) = delta(action, layout::main_rows(app.view.width, app.view.height)) {
        scroll_main(app, delta);
    }
}

/// Phases 2–5 edit one table, phase 1's selection: `<` and `>` move it among the design's
/// tables (wrapping) without going back to phase 1; each phase's own row starts at the top.
pub fn switch_table(app: &mut App, step: isize) {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        return;
    };
    let count = design.tables.len();
    if count == 0 {
        app.view.message = Some("the design has no table yet: a adds one".into());
        return;
    }
    let tables = Phase::Tables.index();
    let from = app.view.selected[tables].min(count - 1);
    let to = (from as isize + step).rem_euclid(count as isize) as usize;
    let name = design.tables[to].name.clone();
    app.view.selected[tables] = to;
    for phase in [Phase::Fields, Phase::Relations, Phase::Rls, Phase::Samples] {
        app.view.selected[phase.index()] = 0;
        app.view.scrolls[phase.index()] = 0;
    }
    app.view.message = Some(format!("table {name} ({} of {count})", to + 1));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    #[test]
    fn each_pane_keeps_its_own_scroll() {
        let mut app = App::new("u@h:1/db".into(), Theme::default(), Keymap::default());
        goto(&mut app, Phase::Fields);
        scroll_pane(&mut app, Action::PageDown);
        let fields = app.scroll(Phase::Fields);
        assert!(fields > 0);
        assert_eq!(app.scroll(Phase::Schema), 0);
        goto(&mut app, Phase::Rls);
        assert_eq!(app.scroll(Phase::Rls), 0, "another pane starts at its top");
        scroll_pane(&mut app, Action::Down);
        goto(&mut app, Phase::Fields);
        assert_eq!(
            app.scroll(Phase::Fields),
            fields,
            "and the first kept its place"
        );
        assert_eq!(app.scroll(Phase::Rls), 1);
    }
}
