//! `Ctrl-s` the first time (or `Ctrl-o`): where to save the design. The path is checked as
//! it is typed; the file is written atomically, like the draft.

use std::path::{Path, PathBuf};

use crate::tui::app::{App, Overlay};
use crate::tui::components::form::{Form, TextInput};

use super::Editor;

/// The file to propose: the design's own, else `design.json` in the working directory.
fn proposal(app: &App) -> String {
    app.model
        .design
        .as_ref()
        .and_then(|s| s.file.clone())
        .unwrap_or_else(|| PathBuf::from("design.json"))
        .display()
        .to_string()
}

pub fn open(app: &mut App) {
    let form = Form::new("Save the design as").field(
        "path",
        "file",
        TextInput::new(proposal(app))
            .placeholder("a path, e.g. designs/app.json")
            .validator(|text| check(Path::new(text.trim()))),
    );
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::SaveAs(form))));
}

/// Whether a design can be written at `path`: a file name in a directory that exists.
fn check(path: &Path) -> Result<(), String> {
    if path.as_os_str().is_empty() {
        return Err("type a file name".into());
    }
    if path.is_dir() {
        return Err("that is a directory: add a file name".into());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("there is no directory {}", dir.display()));
    }
    Ok(())
}

/// What to say before replacing a file that is not the design's own, unless the form says
/// it already (for this very path): then the second Enter replaces it.
pub(super) fn overwrite_warning(form: &Form, path: &Path, own: Option<&PathBuf>) -> Option<String> {
    if !path.is_file() || own.is_some_and(|own| own == path) {
        return None;
    }
    let warning = format!("{} exists: Enter again replaces it", path.display());
    let said = form.notes().iter().any(|(_, note)| *note == warning);
    (!said).then_some(warning)
}

/// The path the confirmed form names.
pub(super) fn path(form: &Form) -> PathBuf {
    PathBuf::from(form.value_text("path").unwrap_or_default().trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_needs_a_file_name_in_a_directory_that_exists() {
        let dir = std::env::temp_dir();
        assert!(check(&dir.join("x.json")).is_ok());
        assert!(check(Path::new("x.json")).is_ok());
        assert!(check(&dir).unwrap_err().contains("directory"));
        assert!(
            check(&dir.join("no/such/dir/x.json"))
                .unwrap_err()
                .contains("no directory")
        );
        assert!(check(Path::new("")).is_err());
    }
}
