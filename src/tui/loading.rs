//! The first read's details arriving kind by kind: what the App knows of them, what the
//! detail pane and the status line say about them, and asking the reader for the
//! selected table ahead of the rest.

use super::app::App;
use super::message::Effect;

/// The stages whose parts of this table have not arrived, as the detail pane names them;
/// empty when everything is in (or nothing is loading).
pub fn pending_for(app: &App, schema: &str, name: &str) -> Vec<&'static str> {
    let Some(loading) = app.model.loading.as_ref() else {
        return Vec::new();
    };
    let progress = &loading.progress;
    if progress.has_details(schema, name) {
        // Read ahead: only other tables' keys referring to it come with the keys stage.
        return if progress.pending.contains(&"keys") {
            vec!["keys of other tables referring to it"]
        } else {
            Vec::new()
        };
    }
    // A big catalog shows a table's kinds only once all are in (or it is read ahead).
    let stages = if progress.kinds_shown {
        progress.pending.clone()
    } else {
        [progress.arrived.as_slice(), progress.pending.as_slice()].concat()
    };
    stages
        .into_iter()
        .filter(|stage| *stage != "functions")
        .collect()
}

/// The detail pane's note: `still loading: policies, triggers…`.
pub fn note(pending: &[&str]) -> String {
    format!("still loading: {}…", pending.join(", "))
}

/// The status line while the details load: `5,000 tables · details 2 of 6 (keys next)`.
pub fn status(app: &App) -> Option<String> {
    let loading = app.model.loading.as_ref()?;
    let tables = app.model.names.as_ref().map_or(0, |n| n.tables.len());
    let p = &loading.progress;
    let all = p.arrived.len() + p.pending.len();
    Some(format!(
        "{tables} tables listed · details {} of {all} read{} (esc cancels)",
        p.arrived.len(),
        p.pending
            .first()
            .map(|next| format!(", {next} next"))
            .unwrap_or_default()
    ))
}

/// Asks the reader for the selected table's details next, when they have not arrived and
/// it has not been asked for them yet.
pub fn ask_for_selected(app: &mut App) -> Option<Effect> {
    if app.model.catalog.is_some() {
        return None;
    }
    let generation = app.job.running()?.generation;
    let (schema, name) = app.view.tree.selected_table()?;
    let (schema, name) = (schema.to_owned(), name.to_owned());
    app.model.names.as_ref()?.table(&schema, &name)?;
    let loading = app.model.loading.as_mut()?;
    let key = (schema, name);
    if loading.progress.has_details(&key.0, &key.1) || loading.asked.contains(&key) {
        return None;
    }
    loading.asked.push(key.clone());
    Some(Effect::ReadTableFirst {
        generation,
        table: Some(key),
    })
}

/// The answer to the names: the selected table to read first, or that there is none (a
/// drafted table, a schema row), so the reader goes on without waiting.
pub fn answer_names(app: &mut App) -> Option<Effect> {
    let generation = app.job.running()?.generation;
    ask_for_selected(app).or(Some(Effect::ReadTableFirst {
        generation,
        table: None,
    }))
}
