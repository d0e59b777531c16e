//! What every editing pane's list does the same way: where `J`/`K` move a row, and scrolling
//! so the selected row — however many lines it takes — stays on screen. Each pane draws its
//! lines with a map from line to row, and these work from that map.

use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::phase::Phase;

/// Where `J` (down) or `K` (up) moves row `index` of `count`; `None` at either end.
pub fn move_target(action: Action, index: usize, count: usize) -> Option<usize> {
    if action == Action::MoveUp {
        index.checked_sub(1)
    } else {
        (index + 1 < count).then_some(index + 1)
    }
}

/// Scrolls `phase`'s pane so every line of row `chosen` is on screen, with one line of
/// context above and below where there is room. `rows_at` maps each drawn line to its row.
pub fn keep_in_view(app: &mut App, phase: Phase, rows_at: &[Option<usize>], chosen: usize) {
    let Some(first) = rows_at.iter().position(|r| *r == Some(chosen)) else {
        return;
    };
    let last = rows_at
        .iter()
        .rposition(|r| *r == Some(chosen))
        .unwrap_or(first);
    let visible = layout::main_rows(app.view.width, app.view.height).max(3);
    let scroll = &mut app.view.scrolls[phase.index()];
    if last + 2 > *scroll + visible {
        *scroll = (last + 2).saturating_sub(visible);
    }
    if first < *scroll + 1 {
        *scroll = first.saturating_sub(1);
    }
}

/// A click on line `line` of `phase`'s pane (scroll included) selects the row drawn there.
pub fn select_at(app: &mut App, phase: Phase, rows_at: &[Option<usize>], line: usize) {
    if let Some(Some(row)) = rows_at.get(line) {
        app.view.selected[phase.index()] = *row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    #[test]
    fn moves_stop_at_the_ends() {
        assert_eq!(move_target(Action::MoveUp, 0, 3), None);
        assert_eq!(move_target(Action::MoveUp, 2, 3), Some(1));
        assert_eq!(move_target(Action::MoveDown, 1, 3), Some(2));
        assert_eq!(move_target(Action::MoveDown, 2, 3), None);
    }

    #[test]
    fn the_chosen_rows_lines_come_into_view() {
        let mut app = App::new("u@h:1/db".into(), Theme::default(), Keymap::default());
        app.view.height = 24;
        let visible = layout::main_rows(80, 24);
        // Row r takes lines 2r+1 and 2r+2 after a header line.
        let rows_at: Vec<Option<usize>> = std::iter::once(None)
            .chain((0..40).flat_map(|r| [Some(r), Some(r)]))
            .collect();
        keep_in_view(&mut app, Phase::Rls, &rows_at, 30);
        let scroll = app.scroll(Phase::Rls);
        assert!(scroll < 61 && 62 < scroll + visible, "{scroll}");
        keep_in_view(&mut app, Phase::Rls, &rows_at, 0);
        assert_eq!(app.scroll(Phase::Rls), 0);
    }
}
