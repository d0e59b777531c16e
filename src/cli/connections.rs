//! `schemaforge connections add|list` and `--connection NAME`: named connections kept in
//! config.toml, without their passwords.

use crate::config::{Config, config_dir};
use crate::connections::SavedConnection;
use crate::db::target::PasswordSource;
use crate::db::{ConnectTarget, Env};

use super::Exit;

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Save where --db (or DATABASE_URL, or the PG* variables) connects, as NAME; a password
    /// in the URL is not saved.
    Add {
        /// The name to use with --connection.
        name: String,
    },
    /// List the saved connections.
    List,
}

fn load() -> Result<Config, Exit> {
    Config::load(config_dir().as_deref()).map_err(|e| {
        say!("{e}");
        Exit::Usage
    })
}

/// The connection string of the saved connection `name`, for the usual resolver.
pub fn connection_string(name: &str) -> Result<String, Exit> {
    let config = load()?;
    match config.connection(name) {
        Some(saved) => Ok(saved.connection_string()),
        None => {
            let known: Vec<&str> = config.connections.iter().map(|c| c.name.as_str()).collect();
            if known.is_empty() {
                say!(
                    "no connection called {name:?}: config.toml has no saved connections \
                     (schemaforge connections add NAME --db URL)"
                );
            } else {
                say!("no connection called {name:?}; saved: {}", known.join(", "));
            }
            Err(Exit::Usage)
        }
    }
}

pub fn run(db: Option<&str>, action: Action) -> Exit {
    match action {
        Action::Add { name } => add(db, &name),
        Action::List => list(),
    }
}

fn add(db: Option<&str>, name: &str) -> Exit {
    let target = match ConnectTarget::resolve(db, &Env::from_process()) {
        Ok(target) => target,
        Err(e) => {
            say!("{e}");
            return Exit::Usage;
        }
    };
    let Some(dir) = config_dir() else {
        say!("no home directory: there is nowhere to keep config.toml");
        return Exit::Runtime;
    };
    let saved = SavedConnection::from_target(name, &target);
    match crate::connections::save(&dir, &saved) {
        Ok(path) => {
            say!(
                "saved connection {name:?} ({}) in {}",
                target.describe(),
                path.display()
            );
            if target.password_source == PasswordSource::ConnectionString {
                say!(
                    "the password in the connection string was not saved: put it in ~/.pgpass \
                     or PGPASSWORD, or type it when asked"
                );
            }
            Exit::Success
        }
        Err(e) => {
            say!("{e}");
            Exit::Usage
        }
    }
}

fn list() -> Exit {
    let config = match load() {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let lines: String = config
        .connections
        .iter()
        .map(|c| {
            let target = ConnectTarget::resolve(Some(&c.connection_string()), &Env::default())
                .map(|t| t.describe())
                .unwrap_or_else(|e| e.to_string());
            format!("{}\t{target}\n", c.name)
        })
        .collect();
    super::print_stdout(&lines)
}

/// Variables that name a connection the way `--db` would; with any of them set there is
/// somewhere to connect and the picker stays away.
const CONNECTION_VARIABLES: &[&str] = &[
    "DATABASE_URL",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGSERVICE",
];

/// With no --db, no connection variables, saved connections and a terminal, the TUI's
/// picker chooses one: its connection string, or `Exit::Success` when the user quits.
pub async fn pick_when_nowhere_to_connect() -> Result<Option<String>, Exit> {
    use std::io::IsTerminal;
    let set = |key: &&str| std::env::var_os(key).is_some_and(|v| !v.is_empty());
    if CONNECTION_VARIABLES.iter().any(set)
        || !std::io::stdin().is_terminal()
        || !std::io::stdout().is_terminal()
    {
        return Ok(None);
    }
    let config = load()?;
    if config.connections.is_empty() {
        return Ok(None);
    }
    let choices = config
        .connections
        .iter()
        .map(|c| crate::tui::picker::Choice {
            name: c.name.clone(),
            target: ConnectTarget::resolve(Some(&c.connection_string()), &Env::from_process())
                .map(|t| t.describe())
                .unwrap_or_else(|e| e.to_string()),
        })
        .collect();
    match crate::tui::picker::pick(choices).await {
        Ok(Some(name)) => connection_string(&name).map(Some),
        Ok(None) => Err(Exit::Success),
        Err(e) => {
            say!("the terminal failed: {e}");
            Err(Exit::Runtime)
        }
    }
}
