//! The box every popup is drawn in: centred, sized to its text, cleared underneath.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::pane_block;
use crate::tui::theme::{Role, Theme};

/// A centred box sized to its text.
pub fn dialog(frame: &mut Frame, theme: &Theme, area: Rect, title: String, lines: Vec<Line>) {
    let width = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .max()
        .unwrap_or(20)
        .max(title.chars().count() as u16 + 6)
        .min(area.width.saturating_sub(2));
    // A line wider than the box wraps: count the rows it takes, so none is cut off.
    let text_width = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(text_width))
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let popup = centred(area, width, height + 1);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(theme.style(Role::Overlay))
            .block(pane_block(theme, title, true)),
        popup,
    );
}

pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    popup
}
