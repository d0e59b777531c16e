//! What the app opens with: `--design FILE`, this database's draft, or both. A draft is
//! never overwritten silently: when the file and the draft differ, the user chooses, and
//! the other one stays on disk.

use std::path::PathBuf;

use crate::design::Design;

use super::app::{App, DesignState, Overlay};
use super::components::draft_or_file::DraftOrFile;
use super::components::resume_draft::ResumeDraft;

/// Opens `design` from `file`. `saved` is this database's draft as [`super::draft::open_on_start`]
/// read it: when it differs, the app starts by asking which one to keep.
pub fn open_design(app: &mut App, design: Design, file: PathBuf, saved: Option<Design>) {
    if let Some(path) = app.draft_path.clone()
        && let Some(saved) = saved
        && saved != design
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        app.view
            .overlays
            .push(Overlay::DraftOrFile(DraftOrFile::new(
                path,
                saved,
                file.clone(),
                design.tables.len(),
                now,
            )));
    }
    app.model.design = Some(DesignState {
        design,
        file: Some(file),
    });
}

/// Without `--design`: an empty design for the connected database, and this database's
/// draft (`saved`, as read on start) offered to resume, if any.
pub fn offer_draft(app: &mut App, saved: Option<Design>) {
    app.model.design = Some(DesignState {
        design: Design::default(),
        file: None,
    });
    if let Some(path) = app.draft_path.clone()
        && let Some(saved) = saved
        && saved != Design::default()
    {
        app.view
            .overlays
            .push(Overlay::ResumeDraft(ResumeDraft::new(path, saved)));
    }
}
