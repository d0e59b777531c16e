//! Opening a session, and turning a failed attempt into advice a person can act on.

use tokio::task::JoinHandle;
use tokio_postgres::error::SqlState;

use super::target::{ConnectTarget, PasswordSource, SslMode, error_chain};
use super::tls;

/// An open connection. Its connection task ends by itself once the client is dropped.
pub struct Session {
    pub client: tokio_postgres::Client,
    /// `user@host:port/database`, never with a password.
    pub described: String,
    task: JoinHandle<()>,
    tls: (SslMode, Option<std::path::PathBuf>),
    plain: bool,
}

/// Cancels whatever the session is running, over the same kind of channel (TLS or not) the
/// session itself uses; safe to move to another task.
pub struct Canceller {
    token: tokio_postgres::CancelToken,
    tls: (SslMode, Option<std::path::PathBuf>),
    /// A Unix socket or `sslmode=disable`: no TLS to negotiate (a socket path is no host name).
    plain: bool,
}

/// Why a cancel request did not reach the server.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("the cancel request failed: {0}")]
    Request(String),
    #[error("the cancel request failed: {0}")]
    Tls(#[from] tls::TlsError),
}

impl Canceller {
    /// Asks the server to cancel the running statement (`pg_cancel_backend` for this session).
    pub async fn cancel(&self) -> Result<(), CancelError> {
        let failed = |e: tokio_postgres::Error| CancelError::Request(error_chain(&e));
        if self.plain {
            return self
                .token
                .cancel_query(tokio_postgres::NoTls)
                .await
                .map_err(failed);
        }
        let connector = tls::connector(self.tls.0, self.tls.1.as_deref())?;
        self.token.cancel_query(connector).await.map_err(failed)
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("described", &self.described)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn canceller(&self) -> Canceller {
        Canceller {
            token: self.client.cancel_token(),
            tls: self.tls.clone(),
            plain: self.plain,
        }
    }

    /// Closes the session and waits until the server has seen it go, so the database can be
    /// dropped or used as a template right after.
    pub async fn close(self) {
        let Session { client, task, .. } = self;
        drop(client);
        let _ = task.await;
    }
}

/// A failed connection: where it tried, why, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("could not connect to {target}: {reason}{}", hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
pub struct ConnectError {
    pub target: String,
    pub reason: String,
    pub hint: Option<String>,
    /// Set when the failure was about the password, so a terminal can ask for one.
    pub password: Option<PasswordProblem>,
}

/// A connection that failed over its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    /// The server wants a password and none was given.
    Missing,
    /// The server refused the password given.
    Refused,
}

/// Connects, with `application_name = schemaforge` so a DBA can find the session.
pub async fn connect(target: &ConnectTarget) -> Result<Session, ConnectError> {
    let described = target.describe();
    let fail = |reason: String, hint: Option<String>| ConnectError {
        target: described.clone(),
        reason,
        hint,
        password: None,
    };
    let connector =
        tls::connector(target.ssl_mode, target.ssl_root_cert.as_deref()).map_err(|e| {
            fail(
                e.to_string(),
                Some("check sslrootcert / PGSSLROOTCERT".into()),
            )
        })?;
    let mut config = target.config.clone();
    config.ssl_mode(match target.ssl_mode {
        // libpq never negotiates TLS on a Unix socket, whatever sslmode says.
        _ if target.is_unix_socket() => tokio_postgres::config::SslMode::Disable,
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    });
    let started = std::time::Instant::now();
    let connected = config.connect(connector).await;
    // `described` is user@host:port/database: it never carries the password.
    let target_shown = super::redact::redact(&described);
    match &connected {
        Ok(_) => tracing::info!(
            server = target_shown.as_str(),
            duration_ms = super::log_sql::millis(started.elapsed()),
            "connected"
        ),
        Err(e) => tracing::info!(
            server = target_shown.as_str(),
            duration_ms = super::log_sql::millis(started.elapsed()),
            error = super::redact::redact(&e.to_string()).as_str(),
            "connection failed"
        ),
    }
    match connected {
        Ok((client, connection)) => {
            let task = tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok(Session {
                client,
                described,
                task,
                tls: (target.ssl_mode, target.ssl_root_cert.clone()),
                plain: target.is_unix_socket() || target.ssl_mode == SslMode::Disable,
            })
        }
        Err(err) => {
            let (reason, hint) = explain(&err, target);
            Err(ConnectError {
                password: password_problem(&err, target),
                ..fail(reason, hint)
            })
        }
    }
}

/// Whether `err` is about the password: none given where the server wants one, or one refused.
fn password_problem(
    err: &tokio_postgres::Error,
    target: &ConnectTarget,
) -> Option<PasswordProblem> {
    match err.as_db_error() {
        Some(db) if *db.code() == SqlState::INVALID_PASSWORD => {
            Some(match target.password_source {
                PasswordSource::None => PasswordProblem::Missing,
                _ => PasswordProblem::Refused,
            })
        }
        Some(_) => None,
        // tokio-postgres says so itself, before sending anything, when it has no password.
        None => error_chain(err)
            .to_lowercase()
            .contains("password missing")
            .then_some(PasswordProblem::Missing),
    }
}

/// A reason in the server's or the system's words, and a hint that names the fix.
fn explain(err: &tokio_postgres::Error, target: &ConnectTarget) -> (String, Option<String>) {
    if let Some(db) = err.as_db_error() {
        let reason = db.message().to_owned();
        let code = db.code();
        let hint = if *code == SqlState::INVALID_CATALOG_NAME {
            Some(format!(
                "create it with `createdb {0}` (or CREATE DATABASE), or name another database in the URL",
                target.database()
            ))
        } else if *code == SqlState::INVALID_PASSWORD {
            Some(match &target.password_source {
                PasswordSource::None => {
                    "this server wants a password: put it in ~/.pgpass, PGPASSWORD or the URL"
                        .into()
                }
                PasswordSource::ConnectionString => {
                    "the password in the connection string was refused".into()
                }
                PasswordSource::Environment => "the password in PGPASSWORD was refused".into(),
                PasswordSource::Passfile(p) => {
                    format!("the password from {} was refused", p.display())
                }
                PasswordSource::Prompt => "the password typed was refused".into(),
            })
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && reason.contains("no encryption")
        {
            Some("the server only accepts encrypted connections: add ?sslmode=require (hosted Supabase needs it)".into())
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            Some(
                "the server's pg_hba.conf or role settings refuse this user; check the user name"
                    .into(),
            )
        } else if *code == SqlState::TOO_MANY_CONNECTIONS {
            Some("the server is at max_connections; close idle sessions or use the pooler".into())
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            Some("the server is starting up or shutting down; try again in a moment".into())
        } else {
            db.hint().map(str::to_owned)
        };
        return (reason, hint);
    }

    let reason = error_chain(err);
    let lower = reason.to_lowercase();
    let hint = if lower.contains("password missing") {
        Some("this server wants a password: put it in ~/.pgpass, PGPASSWORD or the URL (postgres://user:PASSWORD@host/db)".into())
    } else if lower.contains("connection refused") || lower.contains("no such file or directory") {
        Some(format!(
            "no server is listening at {}:{}; is PostgreSQL running there, and is the port right? (`schemaforge sandbox` starts a local one)",
            target.host_label(),
            target.port()
        ))
    } else if lower.contains("server does not support tls") {
        Some("this server has no TLS; use sslmode=prefer or sslmode=disable for it".into())
    } else if lower.contains("certificate") || lower.contains("tls handshake") {
        Some("the server's certificate was not trusted: set sslrootcert to its CA file, or use sslmode=require to encrypt without verifying".into())
    } else if lower.contains("timeout") || lower.contains("timed out") {
        Some("nothing answered in time: check the host, the port and any firewall (PGCONNECT_TIMEOUT sets the limit)".into())
    } else if lower.contains("failed to lookup") || lower.contains("name or service not known") {
        Some(format!(
            "the host name {:?} could not be resolved",
            target.host_label()
        ))
    } else {
        None
    };
    (reason, hint)
}
