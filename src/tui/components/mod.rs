//! One component per pane or popup. A pane draws itself from `&App` and keeps its view
//! state (scroll, selection) in the app's view part; a popup owns its state, turns its keys
//! into an [`Outcome`] for `update` to carry out, and draws from its own state and the
//! theme. Nothing here imports `app` from this file, so `app` can hold the popups.

pub mod confirm_apply;
pub mod confirm_delete;
pub mod confirm_remove_field;
pub mod confirm_remove_index;
pub mod csv_proposal;
pub mod draft_or_file;
pub mod drift;
pub mod editor_popup;
pub mod fields_pane;
pub mod form;
pub mod help;
pub mod list_pane;
pub mod matview_lines;
pub mod popup;
pub mod preview;
pub mod relations_pane;
pub mod resume_draft;
pub mod rls_pane;
pub mod rollback_pane;
pub mod samples_pane;
pub mod schema_detail;
pub mod schema_tree;
pub mod simulation_lines;
pub mod simulator;
pub mod sql_rows;
pub mod tables_pane;

use std::path::PathBuf;

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::{Role, Theme};

/// What a popup asks for after a key; `update` carries it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The popup stays open (its own state may have changed).
    Stay,
    /// The popup closes, nothing else happens.
    Close,
    /// The popup closes and the program quits.
    Quit,
    /// Apply the plan; `errors` error-level findings were confirmed past.
    Apply { errors: usize },
    /// The confirmation was not given.
    NotApplied,
    /// Remove this drafted table from the design.
    RemoveTable(String),
    /// Kept the table.
    KeptTable,
    /// Remove this field from the design; `drop_column` also lists its live column in the
    /// table's `drop_columns`.
    RemoveField {
        table: usize,
        index: usize,
        drop_column: bool,
    },
    /// Kept the field.
    KeptField,
    /// Remove index `index` of designed table `table` from the design (a live index stays).
    RemoveIndex { table: usize, index: usize },
    /// Resume the draft saved at this path.
    ResumeDraft(PathBuf),
    /// Start without the draft (it stays on disk).
    SkipDraft,
    /// `--design FILE` and a different draft: keep the draft.
    KeepDraft,
    /// `--design FILE` and a different draft: use the file, the draft is moved aside.
    UseFile,
    /// The CSV proposal was read: correct the fields of this designed table in phase 2.
    CorrectFields(usize),
}

/// A section rule: `columns ─────────`.
pub fn rule<'a>(theme: &Theme, title: &str, width: u16) -> Line<'a> {
    let fill = (width as usize).saturating_sub(title.chars().count() + 2);
    Line::from(vec![
        Span::styled(format!("{title} "), theme.style(Role::Accent)),
        Span::styled("─".repeat(fill), theme.style(Role::Border)),
    ])
}

/// A bordered pane with its title; the border shows whether it has the keyboard.
pub fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let role = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    Block::bordered()
        .border_style(theme.style(role))
        .title(Span::styled(
            format!(" {title} "),
            theme.style(Role::Accent),
        ))
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

/// `text` broken between words into lines of at most `width` characters (a longer word
/// is cut).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                out.push(std::mem::take(&mut line));
                continue;
            }
            let rest = word.split_off(width);
            out.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `text` padded or cut to exactly `width` characters.
pub fn pad(text: &str, width: usize) -> String {
    format!("{:<width$}", fit(text, width))
}

/// A table column's cell: `text` cut (with `…`) so at least one space is left before the
/// next column, then padded to `width`.
pub fn cell(text: &str, width: usize) -> String {
    pad(&fit(text, width.saturating_sub(1)), width)
}

/// `1 table`, `2 tables`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Status lines drawn wrapped at the top of `area` (at most half of it); the rest below.
pub fn status_above(
    frame: &mut ratatui::Frame,
    status: Vec<Line>,
    area: ratatui::layout::Rect,
) -> ratatui::layout::Rect {
    use ratatui::layout::{Constraint, Layout};
    use ratatui::widgets::{Paragraph, Wrap};
    let rows: usize = status
        .iter()
        .map(|l| l.width().max(1).div_ceil(area.width.max(1) as usize))
        .sum();
    let [top, rest] = Layout::vertical([
        Constraint::Length((rows as u16).min(area.height / 2)),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(status).wrap(Wrap { trim: false }), top);
    rest
}
