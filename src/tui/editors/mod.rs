//! The design editors of phases 1 and 2: what their forms hold and how a confirmed form
//! becomes one [`Edit`](crate::design::edit::Edit). The forms are judged by the design
//! validator itself, on the design as the edit would leave it, so a form shows exactly the
//! errors `schemaforge lint` would report, under the input that caused them.

pub mod bucket_form;
pub mod csv_import;
pub mod export_form;
pub mod field_form;
pub mod field_options;
pub mod index_form;
pub mod matview_form;
pub mod open_live;
pub mod policy_form;
pub mod relation_form;
pub mod rls_template;
pub mod samples_form;
pub mod save_as;
pub mod table_form;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::design::edit::Edit;
use crate::design::{Design, FieldType, Level, validate_with_known_tables};
use crate::tui::app::{App, Overlay};
pub use crate::tui::components::editor_popup::Editor;
use crate::tui::components::form::FormOutcome;
use crate::tui::editing;
use crate::tui::message::Effect;
use crate::tui::theme::Role;

/// A key for the editor on top of the popups: the form takes it; a confirmed form becomes
/// one edit, or stays open with the validator's errors under the inputs they concern.
pub fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Editor(editor)) = app.view.overlays.last_mut() else {
        return Vec::new();
    };
    if let Editor::CsvPath(form) = editor.as_mut()
        && csv_import::on_key(form, key)
    {
        return Vec::new();
    }
    let outcome = editor.form_mut().on_key(key);
    if let Editor::Table(t) = editor.as_mut() {
        table_form::derive_placeholder(&mut t.form);
    }
    if let Editor::Relation(r) = editor.as_mut() {
        relation_form::after_key(r);
    }
    if let Editor::Rls(r) = editor.as_mut() {
        policy_form::after_key(r, &app.model);
    }
    if let Editor::Index(f) = editor.as_mut() {
        index_form::after_key(f, app.model.design.as_ref().map(|s| &s.design));
    }
    match outcome {
        FormOutcome::Stay => Vec::new(),
        FormOutcome::Cancel => {
            app.view.overlays.pop();
            app.view.message = Some("cancelled: nothing changed".into());
            Vec::new()
        }
        FormOutcome::Confirm => confirm(app),
    }
}

/// A click on the editor on top.
pub fn on_mouse(app: &mut App, mouse: &MouseEvent) -> bool {
    match app.view.overlays.last_mut() {
        Some(Overlay::Editor(editor)) => editor.form_mut().on_mouse(mouse),
        _ => false,
    }
}

fn confirm(app: &mut App) -> Vec<Effect> {
    let Some(Overlay::Editor(editor)) = app.view.overlays.last() else {
        return Vec::new();
    };
    let editor = editor.as_ref().clone();
    let design = app
        .model
        .design
        .as_ref()
        .map(|s| s.design.clone())
        .unwrap_or_default();
    match editor {
        Editor::Relation(r) => relation_form::confirm(app, &design, &r),
        Editor::Rls(r) => policy_form::confirm(app, &design, r),
        Editor::Index(f) => {
            let (edit, at) = index_form::edit(&design, &f);
            let path = format!("tables[{}].indexes[{at}]", f.table);
            if index_form_rejected(app, &design, &edit, &path) {
                return Vec::new();
            }
            let done = match f.index {
                None => "index added · i adds another".to_owned(),
                Some(_) => "index changed".to_owned(),
            };
            commit(app, &design, edit, &path, done, |_| {})
        }
        Editor::Samples(f) => {
            let (edit, done) = samples_form::edit(&design, &f);
            let path = format!("samples.{}", samples_form::key(&design, f.table));
            let run = samples_form::run(&f);
            commit(app, &design, edit, &path, done, move |app| {
                if app.model.sample_run != run {
                    app.model.sample_run = run;
                    crate::tui::planning::recount_samples(app);
                }
            })
        }
        Editor::BucketPicker(form) => {
            bucket_form::picked(app, &form);
            Vec::new()
        }
        Editor::Bucket(f) => {
            let (edit, at, done) = bucket_form::edit(&design, &f);
            let Some(at) = at else {
                // Removed: nothing of the form to judge.
                app.view.overlays.pop();
                return editing::apply(app, edit, done);
            };
            let path = format!("buckets[{at}]");
            if list_errors_rejected(app, &design, &edit, &path, "allowed_mime_types") {
                return Vec::new();
            }
            commit(app, &design, edit, &path, done, |_| {})
        }
        Editor::MatviewPicker(form) => {
            matview_form::picked(app, &form);
            Vec::new()
        }
        Editor::Matview { index, form } => {
            if let Some(message) = matview_form::aggregates_error(&form) {
                reject(app, "aggregates", message);
                return Vec::new();
            }
            let (edit, at, done) = matview_form::edit(&design, index, &form);
            let Some(at) = at else {
                // Removed: nothing of the form to judge.
                app.view.overlays.pop();
                return editing::apply(app, edit, done);
            };
            let path = format!("materialized_views[{at}]");
            for list in ["group_by", "aggregates", "readers"] {
                if list_errors_rejected(app, &design, &edit, &path, list) {
                    return Vec::new();
                }
            }
            commit(app, &design, edit, &path, done, |_| {})
        }
        Editor::SaveAs(form) => {
            let path = save_as::path(&form);
            let own = app.model.design.as_ref().and_then(|s| s.file.as_ref());
            if let Some(warning) = save_as::overwrite_warning(&form, &path, own) {
                if let Some(Overlay::Editor(editor)) = app.view.overlays.last_mut() {
                    editor.form_mut().set_notes(vec![(Role::Warning, warning)]);
                }
                return Vec::new();
            }
            app.view.overlays.pop();
            editing::save_as(app, path)
        }
        Editor::CsvPath(form) => csv_import::confirm(app, &design, &form),
        Editor::Export(form) => export_form::confirm(app, &form),
        Editor::TypePicker(picker) => {
            let chosen = picker
                .form
                .value_text("type")
                .and_then(|name| FieldType::from_name(&name));
            app.view.overlays.pop();
            let Some(t) = chosen else {
                return Vec::new();
            };
            match field_form::type_chosen(app, &picker, t) {
                Some(edit) => editing::apply(app, edit, format!("the type is now {t}")),
                None => Vec::new(),
            }
        }
        Editor::Table(t) => {
            let (edit, index) = table_form::edit(&design, &t);
            let name = t.form.value_text("name").unwrap_or_default();
            let done = match t.target {
                None => format!("{} added · 2 adds its fields", name.trim()),
                Some(_) => format!("{} changed", name.trim()),
            };
            commit(
                app,
                &design,
                edit,
                &format!("tables[{index}]"),
                done,
                |app| table_form::confirmed(app, index),
            )
        }
        Editor::Field(f) => match field_form::edit(&design, &f) {
            Err((id, message)) => {
                reject(app, &id, message);
                Vec::new()
            }
            Ok((edit, index)) => {
                let name = f.form.value_text("name").unwrap_or_default();
                let done = match f.field {
                    None => format!("{} added · a adds another", name.trim()),
                    Some(_) => format!("{} changed", name.trim()),
                };
                let path = format!("tables[{}].fields[{index}]", f.table);
                commit(app, &design, edit, &path, done, |app| {
                    field_form::confirmed(app, index)
                })
            }
        },
    }
}

/// Tries `edit` on a copy of `design`: when the validator has errors for the edited object's
/// inputs, the form stays open with them; otherwise the form closes and the edit is made.
fn commit(
    app: &mut App,
    design: &Design,
    edit: Edit,
    path: &str,
    done: String,
    after: impl FnOnce(&mut App),
) -> Vec<Effect> {
    // The analysis of the design as the edit leaves it: its validation errors are the
    // form's, and when there are none it is installed as it is (not computed twice).
    let analysis = match trial(app, design, &edit) {
        Ok(analysis) => analysis,
        Err(e) => {
            reject(app, "name", e.to_string());
            return Vec::new();
        }
    };
    let ids: Vec<String> = match app.view.overlays.last() {
        Some(Overlay::Editor(editor)) => editor.form().ids().map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let errors: Vec<InputError> = judge_findings(&analysis.findings, path)
        .into_iter()
        .filter(|e| ids.contains(&e.key))
        .collect();
    if !errors.is_empty() {
        for e in errors.iter().rev() {
            reject(app, &e.key, e.message.clone());
        }
        return Vec::new();
    }
    app.view.overlays.pop();
    let effects = editing::apply_analysed(app, edit, done, analysis);
    after(app);
    effects
}

/// The validator's errors inside the list `list` of the object at `path` (one text input
/// holds the whole list) go under that input; `true` when there were any.
fn list_errors_rejected(
    app: &mut App,
    design: &Design,
    edit: &Edit,
    path: &str,
    list: &str,
) -> bool {
    let mut trial = design.clone();
    if edit.clone().apply(&mut trial).is_err() {
        return false;
    }
    let inside = format!("{path}.{list}[");
    let errors: Vec<String> = validate_with_known_tables(&trial, &|_, _| false)
        .into_iter()
        .filter(|d| d.level == Level::Error && d.path.starts_with(&inside))
        .map(|d| match &d.suggestion {
            Some(s) => format!("{} ({s})", d.message),
            None => d.message.clone(),
        })
        .collect();
    let Some(first) = errors.first() else {
        return false;
    };
    // The object's other errors too, so the form shows everything at once.
    let ids: Vec<String> = match app.view.overlays.last() {
        Some(Overlay::Editor(editor)) => editor.form().ids().map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    for e in judge(&trial, path).into_iter().rev() {
        if ids.contains(&e.key) {
            reject(app, &e.key, e.message);
        }
    }
    reject(app, list, first.clone());
    true
}

/// The validator's errors inside an index (`columns[1]` included, which [`commit`] leaves to
/// the object's own lists) go under their inputs; `true` when there were any.
fn index_form_rejected(app: &mut App, design: &Design, edit: &Edit, path: &str) -> bool {
    let mut trial = design.clone();
    if edit.clone().apply(&mut trial).is_err() {
        return false;
    }
    let catalog = app.model.catalog.clone();
    let known = |s: &str, t: &str| catalog.as_ref().is_some_and(|c| c.table(s, t).is_some());
    let errors: Vec<(String, String)> = validate_with_known_tables(&trial, &known)
        .into_iter()
        .filter(|d| d.level == Level::Error)
        .filter_map(|d| {
            let rest = d.path.strip_prefix(path)?.strip_prefix('.')?;
            let mut message = d.message.clone();
            if let Some(s) = &d.suggestion {
                message.push_str(&format!(" ({s})"));
            }
            Some((index_form::input_of(rest).to_owned(), message))
        })
        .collect();
    for (key, message) in errors.iter().rev() {
        reject(app, key, message.clone());
    }
    !errors.is_empty()
}

/// Analyses the design as `edit` would leave it, leaving the design as it is. The edit is
/// made on the design itself and taken back with its inverse (which restores it exactly),
/// rather than on a copy: copying a large design costs more than the edit.
fn trial(
    app: &mut App,
    design: &Design,
    edit: &Edit,
) -> Result<crate::analysis::Analysis, crate::design::edit::EditError> {
    let model = &mut app.model;
    let Some(state) = model.design.as_mut() else {
        let mut trial = design.clone();
        edit.clone().apply(&mut trial)?;
        return Ok(crate::analysis::analyse(
            &trial,
            model.catalog.as_deref(),
            &model.settings,
        ));
    };
    debug_assert!(state.design == *design, "the form was made from the design");
    let inverse = edit.clone().apply(&mut state.design)?;
    let analysis =
        crate::analysis::analyse(&state.design, model.catalog.as_deref(), &model.settings);
    inverse
        .apply(&mut state.design)
        .expect("an edit's inverse applies to the design the edit left");
    Ok(analysis)
}

fn reject(app: &mut App, id: &str, message: String) {
    if let Some(Overlay::Editor(editor)) = app.view.overlays.last_mut() {
        editor.form_mut().reject(id, message);
    }
}

/// A validator message for one input of a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The key under the edited object: `name`, `db_name`, `options.max_length`; empty
    /// for the object as a whole.
    pub key: String,
    pub message: String,
}

/// [`judge`] over the findings of an analysis: its validation errors under `path`.
pub fn judge_findings(findings: &[crate::findings::Finding], path: &str) -> Vec<InputError> {
    findings
        .iter()
        .filter(|f| f.is_error() && f.source == crate::findings::Source::Validation)
        .filter_map(|f| {
            let key = key_under(f.path.as_deref().unwrap_or_default(), path)?;
            let mut message = f.message.clone();
            if !f.remedy.is_empty() {
                message.push_str(&format!(" ({})", f.remedy));
            }
            Some(InputError {
                key: key.to_owned(),
                message,
            })
        })
        .collect()
}

/// What follows `path` in `full` (`options.max_length`), when it names a key of the object
/// itself and not of one of its parts.
fn key_under<'a>(full: &'a str, path: &str) -> Option<&'a str> {
    let rest = full.strip_prefix(path)?;
    let key = match rest.strip_prefix('.') {
        Some(key) => key,
        None if rest.is_empty() => "",
        None => return None,
    };
    (!key.contains('[')).then_some(key)
}

/// The errors the validator finds in the object at `path` (`tables[2]`,
/// `tables[2].fields[0]`) of `design`, each keyed by what follows that path. Errors inside
/// the object's own lists (a table's fields) are not the table form's.
pub fn judge(design: &Design, path: &str) -> Vec<InputError> {
    judge_known(design, path, &|_, _| false)
}

/// [`judge`], with the live tables `known(schema, table)` a relationship may target by bare
/// name.
pub fn judge_known(
    design: &Design,
    path: &str,
    known: &dyn Fn(&str, &str) -> bool,
) -> Vec<InputError> {
    validate_with_known_tables(design, known)
        .into_iter()
        .filter(|d| d.level == Level::Error)
        .filter_map(|d| {
            let key = key_under(&d.path, path)?;
            let mut message = d.message.clone();
            if let Some(s) = &d.suggestion {
                message.push_str(&format!(" ({s})"));
            }
            Some(InputError {
                key: key.to_owned(),
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Field, FieldType, Table};

    #[test]
    fn errors_land_on_the_input_that_caused_them() {
        let mut design = Design::default();
        let mut table = Table::new("Todos");
        let mut title = Field::new("title", FieldType::SingleLineText);
        title.options.max_length = Some(0);
        table.fields.push(title);
        table.fields.push(Field::new("Title", FieldType::Checkbox));
        design.tables.push(table);
        let field = judge(&design, "tables[0].fields[0]");
        assert!(
            field
                .iter()
                .any(|e| e.key == "options.max_length" && e.message.contains("max_length")),
            "{field:?}"
        );
        // The table's form does not show its fields' errors.
        assert!(
            judge(&design, "tables[0]")
                .iter()
                .all(|e| !e.key.contains("options"))
        );
        assert!(judge(&design, "tables[1]").is_empty());
    }
}
