//! Drafts: the design being edited autosaves, atomically, in
//! `data_dir()/drafts/<host_port_db>.json`, one per database, so a crash or a closed
//! terminal loses nothing. The file name comes from the redacted connection description
//! and the file holds only the design, so no password is ever written.

use std::path::{Path, PathBuf};

use crate::design::{self, Design};

/// `alice@db.example.com:5432/app` → `db.example.com_5432_app`: the user is dropped (a
/// draft belongs to the database), anything outside `[A-Za-z0-9._-]` becomes `_`.
pub fn file_name(connection: &str) -> String {
    let place = connection.rsplit_once('@').map_or(connection, |(_, p)| p);
    let mut name: String = place
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    name = name.trim_matches('.').to_owned();
    if name.is_empty() {
        name = "default".into();
    }
    format!("{name}.json")
}

/// Where the draft for `connection` lives under `data_dir`.
pub fn path(data_dir: &Path, connection: &str) -> PathBuf {
    data_dir.join("drafts").join(file_name(connection))
}

/// Writes `text` next to `path` and renames it into place: a reader sees the old file or
/// the new one, never half of one.
pub fn save_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// The saved draft, if there is a readable one.
pub fn load(path: &Path) -> Option<Design> {
    let text = std::fs::read_to_string(path).ok()?;
    design::parse(&text).ok().map(|(d, _)| d)
}

/// The text a draft file holds: the design, nothing else.
pub fn text(design: &Design) -> String {
    design::save(design)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_per_database_and_never_carry_the_user() {
        assert_eq!(
            file_name("alice@db.example.com:5432/app"),
            "db.example.com_5432_app.json"
        );
        assert_eq!(
            file_name("postgres@/tmp/sock dir:5432/my db"),
            "_tmp_sock_dir_5432_my_db.json"
        );
        assert_eq!(file_name("..@.."), "default.json");
    }

    #[test]
    fn saving_is_atomic_and_round_trips() {
        let dir = std::env::temp_dir().join(format!("schemaforge-draft-{}", std::process::id()));
        let path = path(&dir, "u@h:1/d");
        let design = design::parse(include_str!("../../assets/examples/todos.json"))
            .unwrap()
            .0;
        save_atomically(&path, &text(&design)).unwrap();
        assert_eq!(load(&path), Some(design));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
