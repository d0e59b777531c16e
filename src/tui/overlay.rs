//! The popups that can sit over the panes, as a stack: the top one has the keyboard and
//! changes in place; closing one uncovers the next (a help opened over a dialog returns
//! to it).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::components::confirm_apply::ConfirmApply;
use super::components::confirm_delete::ConfirmDelete;
use super::components::confirm_remove_field::ConfirmRemoveField;
use super::components::confirm_remove_index::ConfirmRemoveIndex;
use super::components::csv_proposal::CsvProposal;
use super::components::draft_or_file::DraftOrFile;
use super::components::drift::Drift;
use super::components::editor_popup::Editor;
use super::components::help::Help;
use super::components::resume_draft::ResumeDraft;
use super::components::simulator::Simulator;
use super::keymap::{Context, Keymap};
use super::theme::Theme;

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    /// Every key of the focused pane; scrolls when it does not fit.
    Help(Help),
    /// Apply asks first: the summary, and the word `apply` typed by the user.
    ConfirmApply(ConfirmApply),
    /// `x` on a drafted table: remove it from the design?
    ConfirmDelete(ConfirmDelete),
    /// `x` on a field: remove it from the design (and drop its live column)?
    ConfirmRemoveField(ConfirmRemoveField),
    ConfirmRemoveIndex(ConfirmRemoveIndex),
    /// A draft for this database was found on start: resume it?
    ResumeDraft(ResumeDraft),
    /// `--design FILE` and a different draft for this database: which to keep?
    DraftOrFile(DraftOrFile),
    /// The live schema changed since the plan was made; nothing was applied.
    Drift(Drift),
    /// A design editor's form (a table, a field, its type, where to save).
    Editor(Box<Editor>),
    /// The policy simulator (phase 4, `s`): the users form, then the grid.
    Simulator(Box<Simulator>),
    /// The table proposed from a CSV file, with the evidence for each field's type.
    CsvProposal(CsvProposal),
}

impl Overlay {
    /// The key context while this popup has the keyboard.
    pub fn context(&self) -> Context {
        match self {
            Overlay::ConfirmApply(_) | Overlay::Editor(_) => Context::Input,
            Overlay::Help(_) => Context::List,
            Overlay::Simulator(s) if s.is_choosing() => Context::Input,
            _ => Context::Dialog,
        }
    }

    /// `beneath` is the key context of the focused pane (the help lists its keys).
    pub fn draw(
        &self,
        frame: &mut Frame,
        theme: &Theme,
        keymap: &Keymap,
        beneath: Context,
        area: Rect,
    ) {
        match self {
            Overlay::Help(help) => help.draw(frame, theme, keymap, beneath, area),
            Overlay::ConfirmApply(d) => d.draw(frame, theme, area),
            Overlay::ConfirmDelete(d) => d.draw(frame, theme, area),
            Overlay::ConfirmRemoveField(d) => d.draw(frame, theme, area),
            Overlay::ConfirmRemoveIndex(d) => d.draw(frame, theme, area),
            Overlay::ResumeDraft(d) => d.draw(frame, theme, area),
            Overlay::DraftOrFile(d) => d.draw(frame, theme, area),
            Overlay::Drift(d) => d.draw(frame, theme, area),
            Overlay::Editor(e) => e.form().draw(frame, theme, area),
            Overlay::Simulator(s) => s.draw(frame, theme, area),
            Overlay::CsvProposal(p) => p.draw(frame, theme, area),
        }
    }
}
