//! Where to connect: `--db`, else `DATABASE_URL`, else the libpq environment and pgpass.
//!
//! tokio-postgres reads none of the `PG*` variables nor `.pgpass`, and it knows only three
//! `sslmode`s, so the libpq conventions are applied here, once, before connecting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_postgres::config::Host;

use super::pgpass;
use super::redact::redact;

/// libpq's `sslmode`, all five that matter over rustls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" | "allow" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the password came from, so errors can say which one was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    None,
    ConnectionString,
    Environment,
    Passfile(PathBuf),
    /// Typed at the terminal; it lives only in this process's memory.
    Prompt,
}

/// The process environment as the resolver sees it; tests pass their own.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            home: directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
        }
    }

    pub fn from_vars<I, K, V>(vars: I, home: Option<PathBuf>) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            home,
        }
    }

    fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn os_user(&self) -> Option<String> {
        self.var("USER").map(str::to_owned).or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.name)
        })
    }
}

/// A resolved connection: everything needed to connect, and to describe it without secrets.
#[derive(Clone)]
pub struct ConnectTarget {
    pub(crate) config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    pub ssl_root_cert: Option<PathBuf>,
    pub password_source: PasswordSource,
    /// Things the user should know but that did not stop resolution (an ignored passfile…).
    pub notes: Vec<String>,
}

impl std::fmt::Debug for ConnectTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectTarget")
            .field("target", &self.describe())
            .field("ssl_mode", &self.ssl_mode)
            .field("password_source", &self.password_source)
            .finish()
    }
}

/// A connection that cannot be resolved. The connection string itself is never part of the
/// message: a malformed one cannot be reliably redacted, and it may be a pasted password.
#[derive(Debug, thiserror::Error)]
#[error("invalid connection string ({origin}): {reason}")]
pub struct TargetError {
    /// Where the string came from: `--db`, `DATABASE_URL` or the `PG*` environment.
    pub origin: &'static str,
    pub reason: String,
}

/// Why a connection string's `key=value` form did not parse; says where, never what.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyValueError {
    #[error("expected '=' after word {0} (key=value pairs such as host=… dbname=…)")]
    MissingEquals(usize),
    #[error("the quoted value of word {0} has no closing quote")]
    Unterminated(usize),
}

/// Parameters libpq knows that tokio-postgres rejects; they are handled here instead.
const LIBPQ_ONLY: &[&str] = &["sslmode", "sslrootcert", "passfile", "application_name"];

impl ConnectTarget {
    /// Resolves `--db` (or `DATABASE_URL`) against the environment as libpq would.
    pub fn resolve(db: Option<&str>, env: &Env) -> Result<ConnectTarget, TargetError> {
        let (source, origin) = match db {
            Some(text) => (Some(text), "--db"),
            None => match env.var("DATABASE_URL") {
                Some(text) => (Some(text), "DATABASE_URL"),
                None => (None, "the PG* environment"),
            },
        };
        let (mut config, libpq) = match source {
            Some(text) => {
                parse_connection_string(text, env.var("PGPORT")).map_err(|reason| TargetError {
                    origin,
                    reason: scrub(&reason, text),
                })?
            }
            None => (tokio_postgres::Config::new(), HashMap::new()),
        };
        let invalid = |reason: String| TargetError {
            origin,
            reason: match source {
                Some(text) => scrub(&reason, text),
                None => reason,
            },
        };

        if config.get_hosts().is_empty() {
            let hosts = env.var("PGHOST").map(str::to_owned);
            match hosts {
                Some(hosts) => hosts.split(',').for_each(|h| add_host(&mut config, h)),
                None => {
                    let port = config
                        .get_ports()
                        .first()
                        .copied()
                        .or_else(|| env.var("PGPORT").and_then(|p| p.parse().ok()));
                    add_host(&mut config, &default_host(port.unwrap_or(5432)));
                }
            }
        }
        if config.get_ports().is_empty() {
            let port = match env.var("PGPORT") {
                Some(p) => p
                    .parse()
                    .map_err(|_| invalid(format!("PGPORT {p:?} is not a port number")))?,
                None => 5432,
            };
            config.port(port);
        }
        if config.get_user().is_none() {
            match env
                .var("PGUSER")
                .map(str::to_owned)
                .or_else(|| env.os_user())
            {
                Some(user) => config.user(&user),
                None => {
                    return Err(invalid(
                        "no user given and the OS user is unknown; set PGUSER".into(),
                    ));
                }
            };
        }
        if config.get_dbname().is_none() {
            let db = env
                .var("PGDATABASE")
                .map(str::to_owned)
                .unwrap_or_else(|| config.get_user().unwrap_or_default().to_owned());
            config.dbname(&db);
        }
        if config.get_connect_timeout().is_none() {
            let secs = env
                .var("PGCONNECT_TIMEOUT")
                .and_then(|s| s.parse().ok())
                .unwrap_or(10);
            config.connect_timeout(Duration::from_secs(secs));
        }
        config.application_name("schemaforge");

        let ssl_text = libpq
            .get("sslmode")
            .map(String::as_str)
            .or_else(|| env.var("PGSSLMODE"));
        let ssl_mode = match ssl_text {
            Some(text) => SslMode::parse(text).ok_or_else(|| {
                invalid(format!(
                    "sslmode {text:?} is not one of disable, prefer, require, verify-ca, verify-full"
                ))
            })?,
            None => SslMode::Prefer,
        };
        let ssl_root_cert = libpq
            .get("sslrootcert")
            .map(PathBuf::from)
            .or_else(|| env.var("PGSSLROOTCERT").map(PathBuf::from))
            .or_else(|| {
                let default = env.home.as_ref()?.join(".postgresql/root.crt");
                default.is_file().then_some(default)
            });

        let mut notes = Vec::new();
        let password_source = if config.get_password().is_some() {
            PasswordSource::ConnectionString
        } else if let Some(pw) = env.var("PGPASSWORD") {
            config.password(pw);
            PasswordSource::Environment
        } else {
            let passfile = libpq
                .get("passfile")
                .map(PathBuf::from)
                .or_else(|| env.var("PGPASSFILE").map(PathBuf::from))
                .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")));
            match passfile {
                Some(path) => match password_from_file(&config, &path, &mut notes) {
                    Some(pw) => {
                        config.password(pw);
                        PasswordSource::Passfile(path)
                    }
                    None => PasswordSource::None,
                },
                None => PasswordSource::None,
            }
        };

        Ok(ConnectTarget {
            config,
            ssl_mode,
            ssl_root_cert,
            password_source,
            notes,
        })
    }

    /// `user@host:port/database`, never with a password: safe for headers, logs and errors.
    pub fn describe(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.user(),
            self.host_label(),
            self.port(),
            self.database()
        )
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    /// The first host, as the user wrote it (a socket directory for Unix sockets).
    pub fn host_label(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    pub fn is_unix_socket(&self) -> bool {
        matches!(self.config.get_hosts().first(), Some(Host::Unix(_)))
    }

    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The same target with a password typed at the terminal, replacing any other.
    pub fn with_typed_password(&self, password: &str) -> ConnectTarget {
        let mut target = self.clone();
        target.config.password(password);
        target.password_source = PasswordSource::Prompt;
        target
    }
}

fn add_host(config: &mut tokio_postgres::Config, host: &str) {
    if host.starts_with('/') {
        config.host_path(host);
    } else {
        config.host(host);
    }
}

/// libpq's default: the Unix socket directory when a server listens there, else localhost.
fn default_host(port: u16) -> String {
    ["/var/run/postgresql", "/tmp"]
        .into_iter()
        .find(|dir| Path::new(dir).join(format!(".s.PGSQL.{port}")).exists())
        .unwrap_or("localhost")
        .to_owned()
}

fn password_from_file(
    config: &tokio_postgres::Config,
    path: &Path,
    notes: &mut Vec<String>,
) -> Option<String> {
    if !path.exists() {
        return None;
    }
    if let Some(reason) = pgpass::unusable_reason(path) {
        notes.push(reason);
        return None;
    }
    let contents = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    pgpass::find_password(
        &contents,
        &host,
        port,
        config.get_dbname().unwrap_or_default(),
        config.get_user().unwrap_or_default(),
    )
}

/// Splits off the parameters only libpq knows, then lets tokio-postgres parse the rest.
/// `env_port` (PGPORT) applies to URL hosts written without a port, as in libpq.
///
/// The error is a reason that quotes nothing of `text` but option names; the caller still
/// [`scrub`]s it.
fn parse_connection_string(
    text: &str,
    env_port: Option<&str>,
) -> Result<(tokio_postgres::Config, HashMap<String, String>), String> {
    let mut libpq = HashMap::new();
    let is_url = text.starts_with("postgres://") || text.starts_with("postgresql://");
    if let Some(reason) = shape_problem(text, is_url) {
        return Err(reason);
    }
    let with_ports = match env_port {
        Some(port) if is_url => fill_missing_ports(text, port),
        _ => text.to_owned(),
    };
    let text_with_ports = with_ports.as_str();
    let remaining = if is_url {
        // The query starts after the credentials (which end at the first `@`): a `?` inside a
        // password is not the start of parameters.
        let after_credentials = text_with_ports.find('@').map_or(0, |i| i + 1);
        let split = text_with_ports[after_credentials..]
            .find('?')
            .map(|i| text_with_ports.split_at(after_credentials + i))
            .map(|(base, query)| (base, &query[1..]));
        match split {
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        if LIBPQ_ONLY.contains(&key) {
                            libpq.insert(key.to_owned(), percent_decode(value));
                            false
                        } else {
                            !pair.is_empty()
                        }
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => text_with_ports.to_owned(),
        }
    } else {
        let pairs = key_value_pairs(text).map_err(|e| e.to_string())?;
        let mut kept = Vec::new();
        for (key, value) in pairs {
            if LIBPQ_ONLY.contains(&key.as_str()) {
                libpq.insert(key, value);
            } else {
                let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
                kept.push(format!("{key}='{escaped}'"));
            }
        }
        kept.join(" ")
    };
    let config = if remaining.trim().is_empty() {
        tokio_postgres::Config::new()
    } else {
        remaining.parse::<tokio_postgres::Config>().map_err(|e| {
            let reason = error_chain(&e);
            let reason = reason
                .strip_prefix("invalid connection string: ")
                .unwrap_or(&reason);
            unknown_options_unquoted(reason)
        })?
    };
    Ok((config, libpq))
}

/// Adds `:port` to every host of a URL written without one (tokio-postgres would assume 5432).
fn fill_missing_ports(url: &str, port: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let hosts_start = authority.rfind('@').map_or(0, |i| i + 1);
    let hosts = &authority[hosts_start..];
    if hosts.is_empty() {
        return url.to_owned();
    }
    let filled: Vec<String> = hosts
        .split(',')
        .map(|chunk| {
            let has_port = match chunk.strip_prefix('[') {
                Some(rest) => rest.contains("]:"),
                None => chunk.contains(':'),
            };
            if has_port {
                chunk.to_owned()
            } else {
                format!("{chunk}:{port}")
            }
        })
        .collect();
    format!(
        "{}{}{}{}",
        &url[..scheme_end],
        &authority[..hosts_start],
        filled.join(","),
        &url[authority_end..]
    )
}

/// What is wrong with the overall shape of a connection string, said without quoting it:
/// another database's URL, a URL without `://`, a pasted password, an unencoded `@`.
fn shape_problem(text: &str, is_url: bool) -> Option<String> {
    const EXPECTED: &str = "expected a postgres:// URL or key=value pairs such as host=… dbname=…";
    let trimmed = text.trim();
    if let Some((scheme, _)) = trimmed.split_once("://")
        && !is_url
        && !scheme.contains(['=', ' '])
    {
        let named = scheme.len() <= 16
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
        return Some(if named {
            format!("a {scheme}:// URL is not a PostgreSQL connection string; {EXPECTED}")
        } else {
            format!("this URL's scheme is not postgres:// or postgresql://; {EXPECTED}")
        });
    }
    if is_url {
        let after_scheme = &trimmed[trimmed.find("://").map_or(0, |i| i + 3)..];
        // The credentials end at the first `@`; a second one before the query means an
        // unencoded `@` in the user name or password, and the rest would be taken as the host.
        let first_at = after_scheme.find('@')?;
        let authority_end = after_scheme[first_at..]
            .find(['?', '#'])
            .map_or(after_scheme.len(), |i| first_at + i);
        if after_scheme[first_at + 1..authority_end].contains('@') {
            return Some(
                "the URL holds more than one '@': write an '@' inside the user name or password \
                 as %40 (the string is not shown, as it holds a password)"
                    .into(),
            );
        }
        return None;
    }
    if !trimmed.contains('=') {
        let lower = trimmed.to_ascii_lowercase();
        let hint = if lower.starts_with("postgres") {
            "it starts like a URL but lacks '://'"
        } else if trimmed.starts_with(['/', '.', '~']) {
            "a path is not a connection string (for a Unix socket directory write host=/path)"
        } else {
            "it is not shown, in case it is a password"
        };
        return Some(format!(
            "this does not look like a connection string ({hint}); {EXPECTED}"
        ));
    }
    None
}

/// tokio-postgres names an unknown option by its key; a key that is not a plain lower-case
/// word may be a pasted secret, so it is not repeated.
fn unknown_options_unquoted(reason: &str) -> String {
    let Some(start) = reason.find("unknown option `") else {
        return reason.to_owned();
    };
    let key_start = start + "unknown option `".len();
    let Some(len) = reason[key_start..].find('`') else {
        return reason.to_owned();
    };
    let key = &reason[key_start..key_start + len];
    if !key.is_empty() && key.len() <= 32 && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    {
        return reason.to_owned();
    }
    format!(
        "{}an unknown option{}",
        &reason[..start],
        &reason[key_start + len + 1..]
    )
}

/// Masks anything in `message` that could be the secret part of `text`: the URL password,
/// `password=` values, or the whole string when it might be a bare password, each also
/// percent-decoded and percent-encoded. The last guard before an error is shown.
pub fn scrub(message: &str, text: &str) -> String {
    let mut out = redact(message);
    for secret in secret_candidates(text) {
        let decoded = percent_decode(&secret);
        for form in [
            percent_encode_all(&secret),
            percent_encode_all(&decoded),
            secret.clone(),
            decoded,
        ] {
            if form.chars().count() >= 3 {
                out = out.replace(&form, "********");
            }
        }
    }
    out
}

/// The parts of a connection string that may be a password, however malformed it is.
fn secret_candidates(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let trimmed = text.trim();
    if !trimmed.contains("://") && !trimmed.contains('=') {
        found.push(trimmed.to_owned());
    }
    let after_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let credentials = match after_scheme.rfind('@') {
        Some(at) => &after_scheme[..at],
        None => after_scheme
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default(),
    };
    if let Some((_, password)) = credentials.split_once(':')
        && !password.chars().all(|c| c.is_ascii_digit())
    {
        found.push(password.to_owned());
        // Each piece between unencoded `@`s too: one of them may have been taken as the host.
        found.extend(password.split('@').map(str::to_owned));
    }
    let lower = trimmed.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("password") {
        let start = from + pos + "password".len();
        let value = trimmed[start..].trim_start_matches([' ', '=']);
        let value = value
            .strip_prefix('\'')
            .map_or(value, |quoted| quoted.split('\'').next().unwrap_or(quoted));
        let end = value.find([' ', '&']).unwrap_or(value.len());
        found.push(value[..end].to_owned());
        found.push(value.to_owned());
        from = start;
    }
    found.retain(|s| !s.trim().is_empty());
    // Longest first, so a shorter candidate never leaves part of a longer one behind.
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found
}

fn percent_encode_all(value: &str) -> String {
    value.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// `key=value key2='quoted value'` as libpq writes it.
fn key_value_pairs(text: &str) -> Result<Vec<(String, String)>, KeyValueError> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let word = pairs.len() + 1;
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(KeyValueError::MissingEquals(word));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(KeyValueError::Unterminated(word)),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error and all its causes on one line, without repeating a cause the parent printed.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    redact(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied(), None)
    }

    #[test]
    fn url_wins_and_env_fills_the_gaps() {
        let t = ConnectTarget::resolve(
            Some("postgres://alice:pw@db.example.com/app?sslmode=verify-full"),
            &env(&[("PGPORT", "6543"), ("PGUSER", "bob"), ("PGHOST", "other")]),
        )
        .unwrap();
        assert_eq!(t.describe(), "alice@db.example.com:6543/app");
        assert_eq!(t.ssl_mode, SslMode::VerifyFull);
        assert_eq!(t.password_source, PasswordSource::ConnectionString);
        assert!(!format!("{t:?}").contains("pw"));
    }

    #[test]
    fn a_typed_password_replaces_the_others_and_is_never_shown() {
        let t = ConnectTarget::resolve(
            Some("postgres://alice@h/app"),
            &env(&[("PGPASSWORD", "from-env")]),
        )
        .unwrap();
        let typed = t.with_typed_password("typed-secret");
        assert_eq!(typed.password_source, PasswordSource::Prompt);
        assert_eq!(typed.config.get_password(), Some(&b"typed-secret"[..]));
        assert_eq!(typed.describe(), t.describe());
        assert!(!format!("{typed:?}").contains("typed-secret"));
        assert_eq!(
            t.password_source,
            PasswordSource::Environment,
            "the original is kept"
        );
    }

    #[test]
    fn environment_alone_is_enough() {
        let t = ConnectTarget::resolve(
            None,
            &env(&[
                ("PGHOST", "h"),
                ("PGPORT", "5433"),
                ("PGUSER", "u"),
                ("PGDATABASE", "d"),
                ("PGPASSWORD", "secret"),
                ("PGSSLMODE", "require"),
            ]),
        )
        .unwrap();
        assert_eq!(t.describe(), "u@h:5433/d");
        assert_eq!(t.ssl_mode, SslMode::Require);
        assert_eq!(t.password_source, PasswordSource::Environment);
    }

    #[test]
    fn database_url_is_used_when_no_flag() {
        let t = ConnectTarget::resolve(None, &env(&[("DATABASE_URL", "postgresql://x@y:1/z")]))
            .unwrap();
        assert_eq!(t.describe(), "x@y:1/z");
    }

    #[test]
    fn key_value_strings_work_too() {
        let t = ConnectTarget::resolve(
            Some("host=h port=7 user='a b' dbname=d sslmode=disable"),
            &env(&[]),
        )
        .unwrap();
        assert_eq!(t.describe(), "a b@h:7/d");
        assert_eq!(t.ssl_mode, SslMode::Disable);
    }

    #[test]
    fn bad_sslmode_is_named_without_the_password() {
        let err =
            ConnectTarget::resolve(Some("postgres://u:topsecret@h/d?sslmode=always"), &env(&[]))
                .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("sslmode \"always\""), "{text}");
        assert!(!text.contains("topsecret"), "{text}");
    }

    #[test]
    fn pgport_fills_only_hosts_without_a_port() {
        assert_eq!(
            fill_missing_ports("postgres://u:p@a,b:7,[::1]/d?x=1", "9"),
            "postgres://u:p@a:9,b:7,[::1]:9/d?x=1"
        );
        assert_eq!(fill_missing_ports("postgres:///d", "9"), "postgres:///d");
    }

    #[test]
    fn a_question_mark_in_the_password_is_not_the_query() {
        let t = ConnectTarget::resolve(Some("postgres://u:p%3Fw@h/d?sslmode=require"), &env(&[]))
            .unwrap();
        assert_eq!(t.ssl_mode, SslMode::Require);
        assert_eq!(t.describe(), "u@h:5432/d");
    }

    #[test]
    fn scrub_masks_every_form_of_the_password() {
        let text = "postgres://u:p%40ss@w0rd@h/db";
        let message = "host p@ss@w0rd@h, p%40ss@w0rd and %70%40%73%73%40%77%30%72%64 and w0rd@h";
        let scrubbed = scrub(message, text);
        assert!(!scrubbed.contains("ss@w0rd"), "{scrubbed}");
        assert!(!scrubbed.contains("w0rd"), "{scrubbed}");
        assert_eq!(
            scrub("expected '=' near hunter22", "hunter22"),
            "expected '=' near ********"
        );
    }

    #[test]
    fn unknown_option_names_are_repeated_only_when_they_look_like_option_names() {
        assert_eq!(
            unknown_options_unquoted("unknown option `hots`"),
            "unknown option `hots`"
        );
        assert_eq!(
            unknown_options_unquoted("unknown option `Hunter-2`"),
            "an unknown option"
        );
    }

    #[test]
    fn key_value_errors_name_the_word_not_its_text() {
        assert_eq!(
            key_value_pairs("host=h hunter2"),
            Err(KeyValueError::MissingEquals(2))
        );
        assert_eq!(
            key_value_pairs("password='hunter2"),
            Err(KeyValueError::Unterminated(1))
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2Ftmp%2Fca.pem"), "/tmp/ca.pem");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
