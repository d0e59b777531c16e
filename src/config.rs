//! Where schemaforge keeps its files: configuration, drafts and logs, per the platform's
//! conventions (XDG on Linux). Nothing here ever holds a password.

use std::path::PathBuf;

/// The platform directories for schemaforge, when the user has a home directory.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "schemaforge")
}

/// `config.toml` lives here (themes and key bindings are overridden from it).
pub fn config_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().to_path_buf())
}

/// Drafts and logs live here.
pub fn data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}
