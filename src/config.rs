//! Where schemaforge keeps its files: configuration, drafts and logs, per the platform's
//! conventions (XDG on Linux). Nothing here ever holds a password.
//!
//! The key overrides are kept as plain data with the line each was written on; the TUI's
//! keymap checks them and names that line when one is wrong. This module knows nothing of
//! the TUI.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::Spanned;

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

/// A line of a configuration file, for messages: `~/.config/schemaforge/config.toml:7`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    /// 1-based.
    pub line: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Something written in the file, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub place: Place,
}

/// One `<action> = ["key", ...]` line under `[keys.<context>]`, unchecked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOverride {
    pub context: Written,
    pub action: Written,
    pub keys: Vec<Written>,
}

/// `config.toml`: the theme, key overrides and saved connections. Holds no secrets.
#[derive(Debug, Default, PartialEq)]
pub struct Config {
    /// The theme's name (`dark`, `light`, or a file in `<config_dir>/themes/`).
    pub theme: Option<String>,
    /// `[keys.<context>] <action> = ["key", ...]`, in the order of the file.
    pub keys: Vec<KeyOverride>,
    /// `[connections.<name>]`, sorted by name.
    pub connections: Vec<SavedConnection>,
}

pub use crate::connections::SavedConnection;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{place}: {message}")]
    Invalid { place: Place, message: String },
    #[error("cannot write {file}: {source}")]
    Write {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: a connection called {name:?} is already saved")]
    Exists { file: String, name: String },
}

/// `<action> = ["key", ...]` of one `[keys.<context>]` table, with spans.
type ActionKeys = BTreeMap<Spanned<String>, Vec<Spanned<String>>>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, ActionKeys>,
    #[serde(default)]
    connections: BTreeMap<Spanned<String>, crate::connections::RawConnection>,
}

/// The 1-based line holding byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl Config {
    /// Parses the text of a config file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let place = |offset: usize| Place {
            file: file.to_owned(),
            line: line_of(text, offset),
        };
        let raw: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            place: place(e.span().map_or(0, |s| s.start)),
            message: e.message().trim().to_owned(),
        })?;
        let written = |s: &Spanned<String>| Written {
            text: s.get_ref().clone(),
            place: place(s.span().start),
        };
        let mut keys: Vec<KeyOverride> = raw
            .keys
            .iter()
            .flat_map(|(context, actions)| {
                actions.iter().map(move |(action, keys)| KeyOverride {
                    context: written(context),
                    action: written(action),
                    keys: keys.iter().map(written).collect(),
                })
            })
            .collect();
        keys.sort_by_key(|k| k.action.place.line);
        let connections = raw
            .connections
            .into_iter()
            .map(|(name, table)| {
                let name = written(&name);
                table.check(name, &place)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Config {
            theme: raw.theme,
            keys,
            connections,
        })
    }

    /// The saved connection called `name`.
    pub fn connection(&self, name: &str) -> Option<&SavedConnection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// `<config_dir>/config.toml`, or the defaults when there is none; a broken file is an
    /// error naming it rather than silently ignored.
    pub fn load(dir: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = dir.map(|d| d.join("config.toml")) else {
            return Ok(Config::default());
        };
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { file, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_files_set_theme_and_keys_and_reject_typos() {
        let c = Config::parse(
            "theme = \"light\"\n[keys.global]\nquit = [\"ctrl-q\"]\n",
            "config.toml",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.keys.len(), 1);
        assert_eq!(c.keys[0].context.text, "global");
        assert_eq!(c.keys[0].action.text, "quit");
        assert_eq!(c.keys[0].action.place.line, 3);
        assert_eq!(c.keys[0].keys[0].text, "ctrl-q");
        let err = Config::parse("theme = \"light\"\ntheem = \"light\"", "config.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("config.toml:2: "), "{err}");
        assert!(err.contains("theem"), "{err}");
        assert_eq!(Config::load(None).unwrap(), Config::default());
    }

    #[test]
    fn every_key_remembers_its_line() {
        let text = "[keys.list]\nadd = [\n  \"a\",\n  \"+\",\n]\n\n[keys.global]\nhelp = [\"?\"]\n";
        let c = Config::parse(text, "c.toml").unwrap();
        let lines: Vec<(&str, usize, Vec<usize>)> = c
            .keys
            .iter()
            .map(|k| {
                (
                    k.action.text.as_str(),
                    k.action.place.line,
                    k.keys.iter().map(|w| w.place.line).collect(),
                )
            })
            .collect();
        assert_eq!(lines, vec![("add", 2, vec![3, 4]), ("help", 8, vec![8])]);
        assert_eq!(c.keys[0].keys[1].place.to_string(), "c.toml:4");
    }

    #[test]
    fn a_file_that_cannot_be_read_is_named() {
        let dir = std::env::temp_dir().join(format!("schemaforge-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("config.toml")).unwrap();
        let err = Config::load(Some(&dir)).unwrap_err().to_string();
        assert!(err.contains("config.toml"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
