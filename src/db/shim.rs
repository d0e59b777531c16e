//! Installs the Supabase-compatible shim on a local database that has no `auth` schema.

use super::sent;
use tokio_postgres::{Client, SimpleQueryMessage};

/// The shim's SQL, shipped inside the binary.
pub const SHIM_SQL: &str = include_str!("../../assets/supabase_shim.sql");

/// Installs the shim in one transaction unless an `auth` schema is already there.
///
/// Returns whether it was installed. Only the sandbox and the test harness call this: a
/// hosted project already has the real thing.
pub async fn install_if_missing(client: &Client) -> Result<bool, tokio_postgres::Error> {
    let rows = sent::simple_query(
        client,
        "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'auth'",
    )
    .await?;
    let has_auth = rows
        .iter()
        .any(|m| matches!(m, SimpleQueryMessage::Row(r) if r.get(0) != Some("0")));
    if has_auth {
        return Ok(false);
    }
    sent::batch_execute(client, &format!("BEGIN;\n{SHIM_SQL}\nCOMMIT;")).await?;
    Ok(true)
}

/// Why a sandbox database could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Connect(#[from] super::ConnectError),
    #[error("setting up the sandbox database failed: {}", super::server_error::describe(.0))]
    Sql(#[from] tokio_postgres::Error),
}

/// Makes `database` in a sandbox ready to design in: created if missing, with the shim. Returns its URL.
pub async fn prepare_sandbox_database(
    sandbox: &super::sandbox::Sandbox,
    database: &str,
) -> Result<String, SetupError> {
    let env = super::Env::default();
    let admin_url = sandbox.url("postgres");
    let admin_target =
        super::ConnectTarget::resolve(Some(&admin_url), &env).expect("the sandbox URL is valid");
    let admin = super::connect(&admin_target).await?;
    if database != "postgres" {
        let exists = sent::simple_query(
            &admin.client,
            &format!(
                "SELECT 1 FROM pg_catalog.pg_database WHERE datname = {}",
                crate::sql::literal(database)
            ),
        )
        .await?
        .iter()
        .any(|m| matches!(m, SimpleQueryMessage::Row(_)));
        if !exists {
            let create = format!("CREATE DATABASE {}", crate::sql::ident(database));
            sent::batch_execute(&admin.client, &create).await?;
        }
    }
    admin.close().await;
    let url = sandbox.url(database);
    let target = super::ConnectTarget::resolve(Some(&url), &env).expect("the sandbox URL is valid");
    let session = super::connect(&target).await?;
    install_if_missing(&session.client).await?;
    session.close().await;
    Ok(url)
}
