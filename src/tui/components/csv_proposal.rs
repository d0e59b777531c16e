//! The table proposed from a CSV file: how the file was read, then each column's field with
//! the evidence for its type. Enter goes on to correct the fields in phase 2.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Outcome;
use super::popup::dialog;
use crate::design::Table;
use crate::import::{Proposal, report};
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvProposal {
    pub title: String,
    pub summary: String,
    pub columns: Vec<String>,
    /// The designed table the proposal became.
    pub table: usize,
}

impl CsvProposal {
    pub fn new(proposal: &Proposal, table: &Table, index: usize) -> CsvProposal {
        CsvProposal {
            title: format!("Proposed from the CSV: {}", table.name),
            summary: report::summary(proposal),
            columns: report::column_lines(proposal, table),
            table: index,
        }
    }

    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::CorrectFields(self.table),
            Some(Action::Cancel) => Outcome::Close,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let width = area.width.saturating_sub(6) as usize;
        let fit = |text: &str| -> String {
            if text.chars().count() <= width {
                text.to_owned()
            } else {
                let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
                cut.push('…');
                cut
            }
        };
        let room = (area.height as usize).saturating_sub(8);
        let mut lines = vec![
            Line::styled(fit(&self.summary), theme.style(Role::Text)),
            Line::styled(
                fit("CSV column, field type, constraints; evidence (share that matched)"),
                theme.style(Role::Accent),
            ),
        ];
        for column in self.columns.iter().take(room) {
            lines.push(Line::styled(fit(column), theme.style(Role::Text)));
        }
        if self.columns.len() > room {
            lines.push(Line::styled(
                fit(&format!(
                    "… {} more columns (phase 2 lists them all)",
                    self.columns.len() - room
                )),
                theme.style(Role::Dim),
            ));
        }
        lines.push(Line::styled(
            fit("enter corrects the fields in phase 2 · esc keeps them · the rows load when you apply"),
            theme.style(Role::Dim),
        ));
        dialog(frame, theme, area, self.title.clone(), lines);
    }
}
