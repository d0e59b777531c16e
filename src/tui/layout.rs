//! Where each part of the frame goes for a terminal size: one function used both to draw
//! and to map mouse clicks and scrolling back to panes, so they cannot disagree.

use ratatui::layout::{Constraint, Layout, Rect};

use super::phase::Phase;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub stepper: Rect,
    pub tree: Rect,
    pub main: Rect,
    pub status: Rect,
}

/// The schema tree's width for a terminal `width` columns wide.
pub fn tree_width(width: u16) -> u16 {
    (width * 3 / 10).clamp(24, 44).min(width / 2)
}

pub fn areas(area: Rect) -> Areas {
    let [header, stepper, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let [tree, main] = Layout::horizontal([
        Constraint::Length(tree_width(area.width)),
        Constraint::Min(10),
    ])
    .areas(body);
    Areas {
        header,
        stepper,
        tree,
        main,
        status,
    }
}

/// Rows of tree the tree pane shows (inside its border).
pub fn tree_rows(width: u16, height: u16) -> usize {
    areas(Rect::new(0, 0, width, height))
        .tree
        .height
        .saturating_sub(2) as usize
}

/// Rows of text the main pane shows (inside its border).
pub fn main_rows(width: u16, height: u16) -> usize {
    areas(Rect::new(0, 0, width, height))
        .main
        .height
        .saturating_sub(2) as usize
}

/// The stepper's cells with the columns they occupy: ` 0 Schema` and one more column for
/// the error mark `●` (or a space), so every phase fits in 80 columns.
pub fn stepper_cells() -> Vec<(Phase, u16, u16)> {
    let mut x = 1u16;
    Phase::ALL
        .iter()
        .map(|p| {
            let w = p.label().chars().count() as u16 + 2;
            let cell = (*p, x, x + w);
            x += w;
            cell
        })
        .collect()
}

pub fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}
