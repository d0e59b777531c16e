//! `schemaforge connections add|list` and `--connection NAME`: named connections kept in
//! config.toml, without their passwords.

use crate::config::{Config, config_dir};
use crate::connections::SavedConnection;
use crate::db::target::PasswordSource;
use crate::db::{ConnectTarget, Env};
use crate::tui::picker::{Choice, Pick};
use crate::tui::picker_new::NewConnection;

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

/// With no --db, no connection variables and a terminal, the picker chooses where to go:
/// a saved connection (its connection string), the PG defaults, or the sandbox; a new
/// connection typed there is saved like `connections add`. `Exit::Success` when the user
/// quits; `None` when there is no terminal to ask on.
pub async fn pick_when_nowhere_to_connect(
    theme: &crate::tui::theme::Theme,
) -> Result<Option<Pick>, Exit> {
    use std::io::IsTerminal;
    let set = |key: &&str| std::env::var_os(key).is_some_and(|v| !v.is_empty());
    if CONNECTION_VARIABLES.iter().any(set)
        || !std::io::stdin().is_terminal()
        || !std::io::stdout().is_terminal()
    {
        return Ok(None);
    }
    let config = load()?;
    let env = Env::from_process();
    let choices = config
        .connections
        .iter()
        .map(|c| choice(&c.name, &c.connection_string(), &env))
        .collect();
    let defaults = ConnectTarget::resolve(None, &env)
        .map(|t| t.describe())
        .unwrap_or_else(|e| e.to_string());
    let save = |new: &NewConnection| save_new(new, &env);
    match crate::tui::picker::pick(choices, defaults, theme, save).await {
        Ok(Some(pick)) => Ok(Some(pick)),
        Ok(None) => Err(Exit::Success),
        Err(e) => {
            say!("the terminal failed: {e}");
            Err(Exit::Runtime)
        }
    }
}

fn choice(name: &str, connection_string: &str, env: &Env) -> Choice {
    Choice {
        name: name.to_owned(),
        target: ConnectTarget::resolve(Some(connection_string), env)
            .map(|t| t.describe())
            .unwrap_or_else(|e| e.to_string()),
    }
}

/// The picker's "new connection": saved as `connections add` saves, without a password.
/// On failure, the form's input at fault and why.
fn save_new(new: &NewConnection, env: &Env) -> Result<(Choice, String), (String, String)> {
    let target = ConnectTarget::resolve(Some(&new.url), &Env::default())
        .map_err(|e| ("url".to_owned(), e.to_string()))?;
    let Some(dir) = config_dir() else {
        return Err((
            "name".into(),
            "no home directory: there is nowhere to keep config.toml".into(),
        ));
    };
    let saved = SavedConnection::from_target(&new.name, &target);
    let path =
        crate::connections::save(&dir, &saved).map_err(|e| ("name".to_owned(), e.to_string()))?;
    let message = format!(
        "saved {:?}: Enter connects · written to {}",
        new.name,
        path.display()
    );
    Ok((choice(&new.name, &saved.connection_string(), env), message))
}
