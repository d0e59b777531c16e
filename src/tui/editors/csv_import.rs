//! Phase 1, `I`: a new table from a CSV file. The path form completes directory entries with
//! Tab; confirming it analyses the file, adds the proposed table to the design (one edit,
//! undone with `u`) and shows the evidence for each field's type; the fields are then
//! corrected in phase 2 like any others. The rows load with `COPY` in the apply that creates
//! the table, as the Preview says.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent};

use crate::design::Design;
use crate::design::edit::Edit;
use crate::import;
use crate::tui::app::{App, Overlay};
use crate::tui::components::csv_proposal::CsvProposal;
use crate::tui::components::form::{ChoiceList, Form, TextInput};
use crate::tui::csv_import::CsvImport;
use crate::tui::editing;
use crate::tui::message::Effect;
use crate::tui::theme::Role;

use super::Editor;

/// How many completions the form lists.
const SHOWN: usize = 8;

/// What a record that does not fit its field does at apply time.
const BAD_ROWS: [&str; 2] = ["stop the apply", "set aside in <file>.rejects.csv"];

pub fn open(app: &mut App) {
    let mut form = Form::new("New table from a CSV file")
        .field(
            "path",
            "CSV file",
            TextInput::new("").placeholder("a path; Tab completes, e.g. data/orders.csv"),
        )
        .field("bad_rows", "bad rows", ChoiceList::new(BAD_ROWS, 0));
    show_candidates(&mut form, "");
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::CsvPath(form))));
}

/// Tab completes the path (and moves on once there is nothing to complete); any other key
/// is the form's (and refreshes the list).
pub fn on_key(form: &mut Form, key: &KeyEvent) -> bool {
    if form.focused_id() != Some("path") {
        return false;
    }
    let text = form.value_text("path").unwrap_or_default();
    if key.code == KeyCode::Tab {
        let (completed, _) = complete(&text);
        if completed == text {
            // Nothing more to complete: Tab moves on to the next input, as in any form.
            return false;
        }
        form.set_text("path", &completed);
        show_candidates(form, &completed);
        return true;
    }
    let mut probe = form.clone();
    probe.on_key(key);
    let after = probe.value_text("path").unwrap_or_default();
    if after != text {
        show_candidates(form, &after);
        // The form takes the key itself (the caller passes it on).
    }
    false
}

fn show_candidates(form: &mut Form, text: &str) {
    let (_, candidates) = complete(text);
    let mut notes: Vec<(Role, String)> = candidates
        .iter()
        .take(SHOWN)
        .map(|c| (Role::Dim, format!("  {c}")))
        .collect();
    if candidates.len() > SHOWN {
        notes.push((Role::Dim, format!("  … {} more", candidates.len() - SHOWN)));
    }
    if candidates.is_empty() {
        notes.push((Role::Dim, "  no CSV file or directory starts so".into()));
    }
    form.set_notes(notes);
}

/// The directory entries `text` may continue to (directories with a `/`, then `.csv`,
/// `.tsv` and `.txt` files), and `text` completed as far as they agree.
pub fn complete(text: &str) -> (String, Vec<String>) {
    let (dir, prefix) = match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    };
    let listed = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(listed) else {
        return (text.to_owned(), Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            if e.path().is_dir() {
                return Some(format!("{name}/"));
            }
            let lower = name.to_ascii_lowercase();
            [".csv", ".tsv", ".txt"]
                .iter()
                .any(|ext| lower.ends_with(ext))
                .then_some(name)
        })
        .collect();
    names.sort_by(|a, b| b.ends_with('/').cmp(&a.ends_with('/')).then(a.cmp(b)));
    let common = names.iter().skip(1).fold(names.first().cloned(), |acc, n| {
        acc.map(|a| {
            a.chars()
                .zip(n.chars())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x)
                .collect()
        })
    });
    let completed = match common {
        Some(c) if c.len() > prefix.len() => format!("{dir}{c}"),
        _ => text.to_owned(),
    };
    (completed, names)
}

/// `data/orders.csv` → `data/orders.rejects.csv`: beside the file, where its owner looks.
pub fn rejects_path(csv: &Path) -> PathBuf {
    let stem = csv
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    csv.with_file_name(format!("{stem}.rejects.csv"))
}

/// Analyses the file; a file that cannot be read is refused under the path.
pub fn confirm(app: &mut App, design: &Design, form: &Form) -> Vec<Effect> {
    let text = form.value_text("path").unwrap_or_default();
    let path = PathBuf::from(text.trim());
    let refuse = |app: &mut App, message: String| {
        if let Some(Overlay::Editor(editor)) = app.view.overlays.last_mut() {
            editor.form_mut().reject("path", message);
        }
        Vec::new()
    };
    if text.trim().is_empty() {
        return refuse(app, "type the path of a CSV file".into());
    }
    if path.is_dir() {
        return refuse(app, "that is a directory: Tab lists its files".into());
    }
    let proposal = match import::sniff(&path)
        .map_err(|e| e.to_string())
        .and_then(|d| {
            import::infer::propose(&path, d, import::SAMPLE_ROWS).map_err(|e| e.to_string())
        }) {
        Ok(p) => p,
        Err(e) => return refuse(app, e),
    };
    let stem = path
        .file_stem()
        .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let mut name = stem.clone();
    let mut n = 2;
    while design.find_table(&name).is_some() {
        name = format!("{stem} {n}");
        n += 1;
    }
    let table = proposal.table(&name);
    let index = design.tables.len();
    app.view.overlays.pop();
    app.view
        .overlays
        .push(Overlay::CsvProposal(CsvProposal::new(
            &proposal, &table, index,
        )));
    let rejects = (form.value_choice("bad_rows") == Some(1)).then(|| rejects_path(&path));
    app.model.csv_import = Some(CsvImport::new(proposal, name.clone(), rejects));
    editing::apply(
        app,
        Edit::AddTable { index, table },
        format!("{name} proposed from the CSV · its rows load when you apply (u undoes)"),
    )
}

#[cfg(test)]
mod tests {
    use super::complete;

    #[test]
    fn paths_complete_to_the_entries_they_share() {
        let (text, names) = complete("tests/fixtures/csv/pro");
        assert_eq!(text, "tests/fixtures/csv/products_eu.csv");
        assert_eq!(names, ["products_eu.csv"]);
        let (text, names) = complete("tests/fixtures/cs");
        assert_eq!(text, "tests/fixtures/csv/");
        assert_eq!(names, ["csv/"]);
        let (_, names) = complete("tests/fixtures/csv/");
        assert!(names.len() >= 5, "{names:?}");
    }
}
