//! The draft written after every change of the design, unless the user is still choosing
//! between drafts.

use super::app::{App, Overlay};
use super::message::Effect;

/// The autosave of the design, when drafts are on.
pub fn autosave(app: &App) -> Option<Effect> {
    if app
        .view
        .overlays
        .iter()
        .any(|o| matches!(o, Overlay::DraftOrFile(_) | Overlay::ResumeDraft(_)))
    {
        // The draft on disk is one of the choices: it is not overwritten before the answer.
        return None;
    }
    let path = app.draft_path.clone()?;
    let state = app.model.design.as_ref()?;
    let design = &state.design;
    let history = &app.model.history;
    if state.file.is_none()
        && *design == crate::design::Design::default()
        && !history.can_undo()
        && !history.can_redo()
    {
        // The empty design a session starts with: nothing to keep yet, and an empty draft
        // would only be offered back next time.
        return None;
    }
    Some(Effect::SaveDraft {
        path,
        text: super::draft::text(design),
    })
}
