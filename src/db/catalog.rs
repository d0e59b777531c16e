//! Reading the catalog from a server: every query in one snapshot and, normally, one
//! round trip. The queries (`catalog::queries`) and the assembly of their rows into the
//! model (`catalog::assemble`) are pure; running them is this file's job.
//!
//! The whole read is one simple-query message (`BEGIN ...; SELECT ...; ...; COMMIT`), so
//! the number of round trips is one however many tables there are, and it works through
//! transaction-mode poolers. Each answer is parsed as it streams in and then dropped, so
//! only one kind's JSON text is held at a time.
//!
//! If a query fails (a hardened server may revoke SELECT on a system catalog), the read
//! starts again kind by kind, each behind a savepoint, and records what could not be read:
//! a fixed number of round trips, still independent of the table count.

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::{Client, SimpleQueryMessage};

use super::server_error::describe;
use crate::catalog::assemble::assemble;
use crate::catalog::queries;
use crate::catalog::rows::Rows;
use crate::catalog::{Catalog, ReadStats, Unreadable};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("reading the catalog failed: {}", describe(.0))]
    Query(#[from] tokio_postgres::Error),
    #[error("the catalog query for {kind} returned JSON schemaforge cannot read: {source}")]
    Parse {
        kind: String,
        source: serde_json::Error,
    },
}

/// Reads the whole catalog in one REPEATABLE READ READ ONLY transaction.
///
/// It opens and commits its own transaction, so call it outside one.
pub async fn read(client: &Client) -> Result<Catalog, ReadError> {
    let kinds = queries::all();
    let mut batch = String::from(queries::BEGIN);
    for (_, sql) in &kinds {
        batch.push_str(";\n");
        batch.push_str(sql);
    }
    batch.push_str(";\nCOMMIT");
    let mut stats = ReadStats {
        round_trips: 1,
        statements: kinds.len() as u32 + 3,
    };
    let mut rows = Rows::default();
    match run(client, &batch, &mut rows).await {
        Ok(()) => Ok(assemble(rows, Vec::new(), stats)),
        Err(ReadError::Query(e)) if lacks_privilege(&e) => {
            read_kind_by_kind(client, &kinds, &mut stats).await
        }
        Err(e) => Err(e),
    }
}

/// After a [`read`] was cancelled part-way (its future dropped, its query cancelled on the
/// server): ends the transaction it left open, failed or not, so the session is usable
/// again. Outside a transaction this is a no-op (the server only warns).
pub async fn end_abandoned_read(client: &Client) {
    let _ = client.batch_execute("ROLLBACK").await;
}

/// Reads the catalog inside the caller's open transaction, leaving no trace in it: a
/// savepoint scopes the `search_path` change, so the fingerprint matches a plain [`read`].
/// Used by apply to check for drift inside its own transaction.
pub async fn read_in_transaction(client: &Client) -> Result<Catalog, ReadError> {
    let kinds = queries::all();
    let mut batch = String::from("SAVEPOINT schemaforge_catalog; SET LOCAL search_path = ''");
    for (_, sql) in &kinds {
        batch.push_str(";\n");
        batch.push_str(sql);
    }
    batch.push_str(
        ";\nROLLBACK TO SAVEPOINT schemaforge_catalog; RELEASE SAVEPOINT schemaforge_catalog",
    );
    let mut stats = ReadStats {
        round_trips: 1,
        statements: kinds.len() as u32 + 4,
    };
    let mut rows = Rows::default();
    match run(client, &batch, &mut rows).await {
        Ok(()) => return Ok(assemble(rows, Vec::new(), stats)),
        Err(ReadError::Query(e)) if lacks_privilege(&e) => {}
        Err(e) => return Err(e),
    }
    // Some kind is unreadable for this role: the same kind-by-kind read as `read`, each
    // behind its own savepoint inside the outer one, so the caller's transaction survives.
    client
        .batch_execute("ROLLBACK TO SAVEPOINT schemaforge_catalog; SET LOCAL search_path = ''")
        .await?;
    let mut rows = Rows::default();
    let mut unreadable = Vec::new();
    for (kind, sql) in &kinds {
        stats.round_trips += 1;
        let step = format!("SAVEPOINT catalog_part; {sql}; RELEASE SAVEPOINT catalog_part");
        match run(client, &step, &mut rows).await {
            Ok(()) => {}
            Err(ReadError::Query(e)) if lacks_privilege(&e) => {
                unreadable.push(Unreadable {
                    object: (*kind).to_owned(),
                    reason: e
                        .as_db_error()
                        .map(|db| db.message().to_owned())
                        .unwrap_or_default(),
                });
                client
                    .batch_execute("ROLLBACK TO SAVEPOINT catalog_part")
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    client
        .batch_execute(
            "ROLLBACK TO SAVEPOINT schemaforge_catalog; RELEASE SAVEPOINT schemaforge_catalog",
        )
        .await?;
    Ok(assemble(rows, unreadable, stats))
}

/// The slow path: each kind behind a savepoint, so one unreadable kind spoils nothing else.
async fn read_kind_by_kind(
    client: &Client,
    kinds: &[(&'static str, String)],
    stats: &mut ReadStats,
) -> Result<Catalog, ReadError> {
    client
        .batch_execute(&format!("ROLLBACK; {}", queries::BEGIN))
        .await?;
    stats.round_trips += 1;
    stats.statements += 3;
    let mut rows = Rows::default();
    let mut unreadable = Vec::new();
    for (kind, sql) in kinds {
        let step = format!("SAVEPOINT catalog_part; {sql}; RELEASE SAVEPOINT catalog_part");
        stats.round_trips += 1;
        stats.statements += 3;
        match run(client, &step, &mut rows).await {
            Ok(()) => {}
            Err(ReadError::Query(e)) if lacks_privilege(&e) => {
                let reason = e
                    .as_db_error()
                    .map(|db| db.message().to_owned())
                    .unwrap_or_default();
                unreadable.push(Unreadable {
                    object: (*kind).to_owned(),
                    reason,
                });
                client
                    .batch_execute("ROLLBACK TO SAVEPOINT catalog_part")
                    .await?;
                stats.round_trips += 1;
                stats.statements += 1;
            }
            Err(e) => return Err(e),
        }
    }
    client.batch_execute("COMMIT").await?;
    stats.round_trips += 1;
    stats.statements += 1;
    Ok(assemble(rows, unreadable, stats.clone()))
}

/// Sends one simple-query message and parses each `(kind, json)` row as it arrives.
async fn run(client: &Client, sql: &str, rows: &mut Rows) -> Result<(), ReadError> {
    let stream = client.simple_query_raw(sql).await?;
    pin_mut!(stream);
    while let Some(message) = stream.next().await {
        if let SimpleQueryMessage::Row(row) = message? {
            let kind = row.get(0).unwrap_or_default().to_owned();
            rows.absorb(&kind, row.get(1))
                .map_err(|source| ReadError::Parse { kind, source })?;
        }
    }
    Ok(())
}

/// Only a missing privilege makes a part unreadable; anything else (a cancel, a lock
/// timeout, a lost connection) ends the read.
fn lacks_privilege(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
}
