//! `--design FILE` while a different draft exists for this database: which one to keep?
//! Neither is lost: keeping the draft leaves the file as it is on disk; using the file
//! moves the draft aside (to [`DraftOrFile::aside`]) before the file's design autosaves.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::popup::dialog;
use super::{Outcome, plural};
use crate::design::Design;
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq)]
pub struct DraftOrFile {
    pub draft_path: PathBuf,
    pub draft: Box<Design>,
    pub file: PathBuf,
    pub file_tables: usize,
    /// Where the draft goes if the file is used.
    pub aside: PathBuf,
}

impl DraftOrFile {
    pub fn new(
        draft_path: PathBuf,
        draft: Design,
        file: PathBuf,
        file_tables: usize,
        now: u64,
    ) -> DraftOrFile {
        let aside = aside_path(&draft_path, now);
        DraftOrFile {
            draft_path,
            draft: Box::new(draft),
            file,
            file_tables,
            aside,
        }
    }

    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::KeepDraft,
            Some(Action::Cancel) => Outcome::UseFile,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let lines = vec![
            Line::styled(
                format!(
                    "a draft for this database ({}) differs from {} ({}):",
                    plural(self.draft.tables.len(), "table"),
                    self.file.display(),
                    plural(self.file_tables, "table"),
                ),
                theme.style(Role::Text),
            ),
            Line::styled(
                self.draft_path.display().to_string(),
                theme.style(Role::Identifier),
            ),
            Line::styled(
                "y / enter keeps the draft (the file stays as it is on disk)",
                theme.style(Role::Text),
            ),
            Line::styled(
                format!(
                    "n / esc uses the file; the draft is kept beside it as {}",
                    self.aside
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                ),
                theme.style(Role::Text),
            ),
        ];
        dialog(frame, theme, area, "Draft or file?".into(), lines);
    }
}

/// `…/drafts/h_5432_db.json` → `…/drafts/h_5432_db.replaced-<unix seconds>.json`.
pub fn aside_path(draft: &Path, now: u64) -> PathBuf {
    let stem = draft
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "draft".into());
    draft.with_file_name(format!("{stem}.replaced-{now}.json"))
}
