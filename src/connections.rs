//! Named connections saved in `config.toml`: where to connect, never with what password.
//! Passwords come from `PGPASSWORD`, `~/.pgpass` or the prompt, as for `--db`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::config::{Config, ConfigError, Place, Written};
use crate::db::{ConnectTarget, SslMode};

/// One `[connections.<name>]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedConnection {
    pub name: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub sslmode: Option<SslMode>,
    pub sslrootcert: Option<PathBuf>,
}

/// A connection table as written; `password` is read only to refuse it with its line.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConnection {
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    database: Option<String>,
    sslmode: Option<Spanned<String>>,
    sslrootcert: Option<PathBuf>,
    password: Option<Spanned<toml::Value>>,
}

/// A connection table as written back, in the order a reader expects.
#[derive(serde::Serialize)]
struct WrittenConnection<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sslmode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sslrootcert: Option<String>,
}

#[derive(serde::Serialize)]
struct WrittenTables<'a> {
    connections: BTreeMap<&'a str, WrittenConnection<'a>>,
}

pub(crate) const NO_PASSWORDS: &str =
    "passwords never go in config.toml: use ~/.pgpass or PGPASSWORD";

impl RawConnection {
    /// The checked connection; `place` turns a byte offset into a line of the file.
    pub(crate) fn check(
        self,
        name: Written,
        place: &dyn Fn(usize) -> Place,
    ) -> Result<SavedConnection, ConfigError> {
        if let Some(password) = &self.password {
            return Err(ConfigError::Invalid {
                place: place(password.span().start),
                message: format!("connection {:?}: {NO_PASSWORDS}", name.text),
            });
        }
        if name.text.trim().is_empty() {
            return Err(ConfigError::Invalid {
                place: name.place,
                message: "a connection needs a name".into(),
            });
        }
        let sslmode = match &self.sslmode {
            Some(text) => Some(SslMode::parse(text.get_ref()).ok_or_else(|| {
                ConfigError::Invalid {
                    place: place(text.span().start),
                    message: format!(
                        "sslmode {:?} is not one of disable, prefer, require, verify-ca, verify-full",
                        text.get_ref()
                    ),
                }
            })?),
            None => None,
        };
        Ok(SavedConnection {
            name: name.text,
            host: self.host,
            port: self.port,
            user: self.user,
            database: self.database,
            sslmode,
            sslrootcert: self.sslrootcert,
        })
    }
}

impl SavedConnection {
    /// What `target` connects to, without its password.
    pub fn from_target(name: &str, target: &ConnectTarget) -> SavedConnection {
        SavedConnection {
            name: name.to_owned(),
            host: Some(target.host_label()),
            port: Some(target.port()),
            user: Some(target.user().to_owned()),
            database: Some(target.database().to_owned()),
            sslmode: Some(target.ssl_mode),
            sslrootcert: target.ssl_root_cert.clone(),
        }
    }

    /// A libpq `key=value` string for the resolver; what it leaves out comes from the
    /// environment as usual (PGPASSWORD, ~/.pgpass, PGUSER…).
    pub fn connection_string(&self) -> String {
        let quoted = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
        let mut pairs = Vec::new();
        if let Some(host) = &self.host {
            pairs.push(format!("host={}", quoted(host)));
        }
        if let Some(port) = self.port {
            pairs.push(format!("port={port}"));
        }
        if let Some(user) = &self.user {
            pairs.push(format!("user={}", quoted(user)));
        }
        if let Some(database) = &self.database {
            pairs.push(format!("dbname={}", quoted(database)));
        }
        if let Some(mode) = self.sslmode {
            pairs.push(format!("sslmode={}", mode.as_str()));
        }
        if let Some(cert) = &self.sslrootcert {
            pairs.push(format!(
                "sslrootcert={}",
                quoted(&cert.display().to_string())
            ));
        }
        pairs.join(" ")
    }

    /// This connection as a `[connections.<name>]` table of TOML.
    pub fn to_toml(&self) -> String {
        let table = WrittenConnection {
            host: self.host.as_deref(),
            port: self.port,
            user: self.user.as_deref(),
            database: self.database.as_deref(),
            sslmode: self.sslmode.map(SslMode::as_str),
            sslrootcert: self.sslrootcert.as_ref().map(|p| p.display().to_string()),
        };
        let tables = WrittenTables {
            connections: BTreeMap::from([(self.name.as_str(), table)]),
        };
        toml::to_string(&tables).unwrap_or_default()
    }
}

/// Appends `connection` to `<dir>/config.toml`, keeping the rest of the file as written.
/// Refuses a name already saved and a file that does not parse.
pub fn save(dir: &Path, connection: &SavedConnection) -> Result<PathBuf, ConfigError> {
    let path = dir.join("config.toml");
    let file = path.display().to_string();
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { file, source }),
    };
    let config = Config::parse(&existing, &file)?;
    if config.connection(&connection.name).is_some() {
        return Err(ConfigError::Exists {
            file,
            name: connection.name.clone(),
        });
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&connection.to_toml());
    // The new text must read back: a table that clashes with the file is not written.
    Config::parse(&text, &file)?;
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let temporary = dir.join("config.toml.new");
        std::fs::write(&temporary, &text)?;
        std::fs::rename(&temporary, &path)
    };
    write().map_err(|source| ConfigError::Write {
        file: file.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> String {
        Config::parse(text, "config.toml").unwrap_err().to_string()
    }

    #[test]
    fn connection_tables_are_read_with_every_field() {
        let text = "theme = \"dark\"\n\n[connections.prod]\nhost = \"db.example.com\"\nport = 6543\n\
                    user = \"app\"\ndatabase = \"main\"\nsslmode = \"verify-full\"\n\
                    sslrootcert = \"/etc/ssl/root.crt\"\n\n[connections.local]\ndatabase = \"dev\"\n";
        let c = Config::parse(text, "config.toml").unwrap();
        let prod = c.connection("prod").unwrap();
        assert_eq!(prod.host.as_deref(), Some("db.example.com"));
        assert_eq!(prod.port, Some(6543));
        assert_eq!(prod.user.as_deref(), Some("app"));
        assert_eq!(prod.database.as_deref(), Some("main"));
        assert_eq!(prod.sslmode, Some(SslMode::VerifyFull));
        assert_eq!(prod.sslrootcert, Some(PathBuf::from("/etc/ssl/root.crt")));
        let local = c.connection("local").unwrap();
        assert_eq!(
            (local.host.as_deref(), local.database.as_deref()),
            (None, Some("dev"))
        );
        assert_eq!(local.connection_string(), "dbname='dev'");
    }

    #[test]
    fn a_password_in_a_connection_is_refused_with_its_line() {
        let err = parse_error("[connections.prod]\nhost = \"h\"\npassword = \"hunter2\"\n");
        assert!(err.starts_with("config.toml:3: "), "{err}");
        assert!(err.contains("passwords never go in config.toml"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_line_and_key() {
        let err = parse_error("[connections.prod]\nhost = \"h\"\nhots = \"h\"\n");
        assert!(err.starts_with("config.toml:3: "), "{err}");
        assert!(err.contains("hots"), "{err}");
        let err = parse_error("[connections.prod]\n\nsslmode = \"sometimes\"\n");
        assert!(err.starts_with("config.toml:3: "), "{err}");
        assert!(err.contains("sslmode"), "{err}");
        let err = parse_error("[connections.prod]\nhost = \"h\"\nport = 99999\n");
        assert!(err.starts_with("config.toml:3: "), "{err}");
        assert!(err.contains("99999") || err.contains("u16"), "{err}");
    }

    #[test]
    fn a_connection_string_quotes_what_it_must() {
        let c = SavedConnection {
            name: "odd".into(),
            host: Some("/var/run/postgresql".into()),
            port: Some(5433),
            user: Some("o'brien".into()),
            database: Some("my db".into()),
            sslmode: Some(SslMode::Require),
            sslrootcert: None,
        };
        let target =
            ConnectTarget::resolve(Some(&c.connection_string()), &crate::db::Env::default())
                .unwrap();
        assert_eq!(target.user(), "o'brien");
        assert_eq!(target.database(), "my db");
        assert_eq!(target.port(), 5433);
        assert!(target.is_unix_socket());
        assert_eq!(target.ssl_mode, SslMode::Require);
    }

    #[test]
    fn saved_connections_round_trip_and_keep_the_file() {
        let dir = std::env::temp_dir().join(format!("schemaforge-conn-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), "theme = \"light\"").unwrap();
        let saved = SavedConnection {
            name: "staging db".into(),
            host: Some("db.example.com".into()),
            port: Some(5432),
            user: Some("app".into()),
            database: Some("main".into()),
            sslmode: Some(SslMode::VerifyCa),
            sslrootcert: Some(PathBuf::from("/etc/ssl/ca.pem")),
        };
        save(&dir, &saved).unwrap();
        let read = Config::load(Some(&dir)).unwrap();
        assert_eq!(read.theme.as_deref(), Some("light"));
        assert_eq!(read.connection("staging db"), Some(&saved));
        let again = save(&dir, &saved).unwrap_err().to_string();
        assert!(again.contains("already saved"), "{again}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
