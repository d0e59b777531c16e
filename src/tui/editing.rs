//! Changing the design from the TUI: every change is one [`Edit`] through the model's
//! [`History`](crate::design::edit::History), so undo and redo cover everything; after each
//! one the analysis runs again, the statements the change produced are marked for the
//! Preview, and the draft autosaves.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::design::edit::Edit;
use crate::design::{self, Design};

use super::app::{App, DesignState};
use super::message::Effect;
use super::planning::replan;

/// Applies `edit` to the design (an empty one when there is none yet); `done` says what
/// happened, for the status line. A refused edit changes nothing and says why.
pub fn apply(app: &mut App, edit: Edit, done: impl Into<String>) -> Vec<Effect> {
    let before = statement_texts(app);
    let design_before = design_for_csv(app);
    let state = app.model.design.get_or_insert_with(|| DesignState {
        design: Design::default(),
        file: None,
    });
    if let Err(e) = app.model.history.apply(&mut state.design, edit) {
        app.view.message = Some(format!("not changed: {e}"));
        return Vec::new();
    }
    follow_csv(app, design_before);
    app.view.message = Some(done.into());
    changed(app, &before)
}

/// [`apply`], with the analysis of the design as the edit leaves it already made.
pub fn apply_analysed(
    app: &mut App,
    edit: Edit,
    done: impl Into<String>,
    analysis: crate::analysis::Analysis,
) -> Vec<Effect> {
    let before = statement_texts(app);
    let design_before = design_for_csv(app);
    let state = app.model.design.get_or_insert_with(|| DesignState {
        design: Design::default(),
        file: None,
    });
    if let Err(e) = app.model.history.apply(&mut state.design, edit) {
        app.view.message = Some(format!("not changed: {e}"));
        return Vec::new();
    }
    follow_csv(app, design_before);
    app.view.message = Some(done.into());
    changed_with(app, &before, Some(analysis))
}

/// `u`: takes back the last edit.
pub fn undo(app: &mut App) -> Vec<Effect> {
    step(app, true)
}

/// `Ctrl-r`: puts back the last edit taken back.
pub fn redo(app: &mut App) -> Vec<Effect> {
    step(app, false)
}

fn step(app: &mut App, back: bool) -> Vec<Effect> {
    let before = statement_texts(app);
    let design_before = design_for_csv(app);
    let Some(state) = app.model.design.as_mut() else {
        app.view.message = Some("nothing to undo".into());
        return Vec::new();
    };
    let history = &mut app.model.history;
    let result = if back {
        history.undo(&mut state.design)
    } else {
        history.redo(&mut state.design)
    };
    let (left, word) = if back {
        (history.undo_len(), "undone")
    } else {
        (history.redo_len(), "redone")
    };
    match result {
        Ok(Some(_)) => {
            follow_csv(app, design_before);
            app.view.message = Some(format!(
                "{word} · {left} more to {}",
                if back { "undo" } else { "redo" }
            ));
            changed(app, &before)
        }
        Ok(None) => {
            app.view.message = Some(format!("nothing to {}", if back { "undo" } else { "redo" }));
            Vec::new()
        }
        Err(e) => {
            app.view.message = Some(format!(
                "cannot {}: {e}",
                if back { "undo" } else { "redo" }
            ));
            Vec::new()
        }
    }
}

/// `Ctrl-s`: writes the design to its file; `None` when it has none yet (the caller asks
/// for a path).
pub fn save(app: &mut App) -> Option<Vec<Effect>> {
    let state = app.model.design.as_ref()?;
    let path = state.file.clone()?;
    Some(save_as(app, path))
}

/// Writes the design to `path` (atomically, like the draft) and makes it the design's file.
pub fn save_as(app: &mut App, path: PathBuf) -> Vec<Effect> {
    let Some(state) = app.model.design.as_ref() else {
        app.view.message = Some("nothing to save: no design".into());
        return Vec::new();
    };
    vec![Effect::SaveDesign {
        path,
        text: design::save(&state.design),
    }]
}

/// The design before an edit, kept only while a CSV file waits to load into it.
fn design_for_csv(app: &App) -> Option<Design> {
    app.model.csv_import.as_ref()?;
    app.model.design.as_ref().map(|s| s.design.clone())
}

/// A CSV file waiting to load follows its table and fields through a rename.
fn follow_csv(app: &mut App, before: Option<Design>) {
    if let (Some(before), Some(csv), Some(state)) = (
        before,
        app.model.csv_import.as_mut(),
        app.model.design.as_ref(),
    ) {
        csv.follow(&before, &state.design);
    }
}

/// The statements of the current bundle, to tell which ones an edit added.
fn statement_texts(app: &App) -> HashSet<String> {
    app.model.plan.as_ref().map_or_else(HashSet::new, |p| {
        (0..p.bundle.statements.len())
            .map(|i| p.bundle.statement_text(i).to_owned())
            .collect()
    })
}

/// After the design changed: analyse again, mark the statements that are new, autosave.
fn changed(app: &mut App, before: &HashSet<String>) -> Vec<Effect> {
    changed_with(app, before, None)
}

fn changed_with(
    app: &mut App,
    before: &HashSet<String>,
    analysis: Option<crate::analysis::Analysis>,
) -> Vec<Effect> {
    match analysis {
        Some(analysis) => super::planning::replan_with(app, analysis),
        None => replan(app),
    }
    super::planning::forget_stale_outcome(app, true);
    app.view.preview.changed = app.model.plan.as_ref().map_or_else(Vec::new, |p| {
        (0..p.bundle.statements.len())
            .filter(|&i| {
                p.bundle.statements[i].section != crate::plan::Section::Transaction
                    && !before.contains(p.bundle.statement_text(i))
            })
            .collect()
    });
    // The Preview opens on what the edit produced.
    if let (Some(&first), Some(plan)) = (app.view.preview.changed.first(), &app.model.plan) {
        app.view.preview.scroll = plan.bundle.statements[first].line.saturating_sub(2);
    }
    super::autosave::autosave(app).into_iter().collect()
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
        assert_eq!(crate::tui::autosave::autosave(&app), None);
        let effects = apply(
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
        let effects = undo(&mut app);
        assert!(
            matches!(effects.as_slice(), [Effect::SaveDraft { text, .. }] if !text.contains("Todos"))
        );
    }
}
