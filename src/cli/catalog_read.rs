//! Reading the live catalog for a command: the `--lock-timeout` option every reading command
//! takes, and the one way a read error is told.

use crate::catalog::Catalog;
use crate::db::Session;

use super::Exit;

/// `--lock-timeout`, for commands that read the catalog.
#[derive(Debug, clap::Args)]
pub struct LockTimeout {
    /// How long to wait for a table another session holds locked before reading around it
    /// (PostgreSQL syntax: `3s`, `500ms`; `0` waits forever).
    #[arg(long, value_name = "DURATION", default_value = crate::db::catalog::DEFAULT_LOCK_TIMEOUT)]
    pub lock_timeout: String,
}

/// The catalog, or the error said on stderr and the exit code (the session stays open).
pub async fn read(session: &Session, lock: &LockTimeout) -> Result<Catalog, Exit> {
    let options = crate::db::catalog::ReadOptions::with_lock_timeout(&lock.lock_timeout);
    crate::db::catalog::read_with(&session.client, &options)
        .await
        .map_err(|e| {
            say!("{e}");
            Exit::Runtime
        })
}
