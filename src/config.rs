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

/// `config.toml`: the theme and key overrides. Holds no connection secrets.
#[derive(Debug, Default, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The theme's name (`dark`, `light`, or a file in `<config_dir>/themes/`).
    pub theme: Option<String>,
    /// `[keys.<context>] <action> = ["key", ...]`.
    #[serde(default)]
    pub keys: crate::tui::keymap::Overrides,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// `<config_dir>/config.toml`, or the defaults when there is none; a broken file is an
    /// error naming it rather than silently ignored.
    pub fn load(dir: Option<&std::path::Path>) -> Result<Config, String> {
        let Some(path) = dir.map(|d| d.join("config.toml")) else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_files_set_theme_and_keys_and_reject_typos() {
        let c = Config::parse("theme = \"light\"\n[keys.global]\nquit = [\"ctrl-q\"]\n").unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.keys["global"]["quit"], vec!["ctrl-q".to_owned()]);
        assert!(
            Config::parse("theem = \"light\"")
                .unwrap_err()
                .contains("theem")
        );
        assert_eq!(Config::load(None).unwrap(), Config::default());
    }
}
