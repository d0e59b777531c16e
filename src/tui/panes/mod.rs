//! One file per pane. Each draws from `&App` into the area it is given.

pub mod design;
pub mod dialogs;
pub mod preview;
pub mod schema;
pub mod tree;

use ratatui::text::{Line, Span};

use super::app::App;
use super::theme::Role;

/// A section rule: `columns ─────────`.
pub fn rule<'a>(app: &App, title: &str, width: u16) -> Line<'a> {
    let fill = (width as usize).saturating_sub(title.chars().count() + 2);
    Line::from(vec![
        Span::styled(format!("{title} "), app.theme.style(Role::Accent)),
        Span::styled("─".repeat(fill), app.theme.style(Role::Border)),
    ])
}

/// `text` cut to `width` characters with an ellipsis.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else if width == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// `text` padded or cut to exactly `width` characters.
pub fn pad(text: &str, width: usize) -> String {
    format!("{:<width$}", fit(text, width))
}
