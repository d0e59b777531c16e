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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::edit::Edit;
    use crate::design::{Design, Table};
    use crate::tui::app::DesignState;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    #[test]
    fn the_empty_starting_design_is_not_saved_until_it_is_edited() {
        let mut app = App::new("u@h:1/db".into(), Theme::default(), Keymap::default());
        app.draft_path = Some(std::env::temp_dir().join("never-written.json"));
        app.model.design = Some(DesignState {
            design: Design::default(),
            file: None,
        });
        assert_eq!(autosave(&app), None);
        let effects = crate::tui::editing::apply(
            &mut app,
            Edit::AddTable {
                index: 0,
                table: Table::new("Todos"),
            },
            "added",
        );
        assert!(matches!(effects.as_slice(), [Effect::SaveDraft { .. }]));
        // Taking the table back leaves an empty design that is saved: the draft must not
        // keep the table.
        let effects = crate::tui::editing::undo(&mut app);
        assert!(
            matches!(effects.as_slice(), [Effect::SaveDraft { text, .. }] if !text.contains("Todos"))
        );
    }
}
