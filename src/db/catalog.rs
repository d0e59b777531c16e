//! Reading the catalog from a server: every query in one snapshot and, normally, one
//! round trip. The queries (`catalog::queries`) and the assembly of their rows into the
//! model (`catalog::assemble`) are pure; running them is this file's job.
//!
//! The whole read is one simple-query message (`BEGIN ...; SELECT ...; ...; COMMIT`), so
//! the number of round trips is one however many tables there are, and it works through
//! transaction-mode poolers. Each answer is parsed as it streams in and then dropped, so
//! only one kind's JSON text is held at a time.
//!
//! Every read runs with a `lock_timeout` ([`ReadOptions`]): the server's deparse functions
//! lock each table they print, so a table another session holds `ACCESS EXCLUSIVE` (a long
//! migration, `VACUUM FULL`) would otherwise stall the read for as long as it is held. On
//! a lock timeout the reader asks `pg_locks` who holds what, and reads again without
//! opening those relations (and the views that read them): their names stay, their details
//! are left out and listed in [`Catalog::locked`] with the session that holds them.
//!
//! If a query fails (a hardened server may revoke SELECT on a system catalog), the read
//! starts again kind by kind, each behind a savepoint, and records what could not be read:
//! a fixed number of round trips, still independent of the table count.

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::{Client, SimpleQueryMessage};

use super::sent;
use super::server_error::describe;
use crate::catalog::assemble::assemble;
use crate::catalog::queries;
use crate::catalog::rows::Rows;
use crate::catalog::{Catalog, LockTable, LockedRelation, ReadStats, Unreadable, lock_advice};

/// How long a catalog read waits for one lock before it reads around the locked table.
pub const DEFAULT_LOCK_TIMEOUT: &str = "3s";

/// How many times a read starts again around newly locked tables before it gives up.
const LOCK_RETRIES: usize = 3;

/// How a catalog read behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// `lock_timeout` for the read, in PostgreSQL's syntax (`3s`, `500ms`; `0` waits forever).
    pub lock_timeout: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            lock_timeout: DEFAULT_LOCK_TIMEOUT.to_owned(),
        }
    }
}

impl ReadOptions {
    pub fn with_lock_timeout(lock_timeout: &str) -> Self {
        ReadOptions {
            lock_timeout: lock_timeout.to_owned(),
        }
    }

    /// `BEGIN …; SET LOCAL search_path = ''; SET LOCAL lock_timeout = …`.
    pub(super) fn begin(&self) -> String {
        format!(
            "{}; SET LOCAL lock_timeout = {}",
            queries::BEGIN,
            crate::sql::literal(&self.lock_timeout)
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("reading the catalog failed: {}", describe(.0))]
    Query(#[from] tokio_postgres::Error),
    /// A lock timeout the reader could not read around (a system catalog locked, or the
    /// read inside apply's transaction, which must see everything or nothing).
    #[error(
        "reading the catalog waited past lock_timeout for a lock another session holds:\n{}\n{}",
        describe_locks(.0),
        lock_advice(.0)
    )]
    Locked(Vec<LockedRelation>),
    #[error("the catalog query for {kind} returned JSON schemaforge cannot read: {source}")]
    Parse {
        kind: String,
        source: serde_json::Error,
    },
}

/// Reads the whole catalog in one REPEATABLE READ READ ONLY transaction, with the default
/// [`ReadOptions`].
///
/// It opens and commits its own transaction, so call it outside one.
pub async fn read(client: &Client) -> Result<Catalog, ReadError> {
    read_with(client, &ReadOptions::default()).await
}

/// [`read`] with a lock timeout of the caller's choosing. Tables another session keeps
/// locked past it are read by name only and listed in [`Catalog::locked`].
pub async fn read_with(client: &Client, options: &ReadOptions) -> Result<Catalog, ReadError> {
    read_kinds(client, options, queries::all_skipping).await
}

/// Schemas and relation names (with RLS flags and row estimates) only: one cheap query per
/// kind that opens no table, enough to draw the tree while the details are read.
pub async fn read_names(client: &Client, options: &ReadOptions) -> Result<Catalog, ReadError> {
    read_kinds(client, options, |_| queries::names()).await
}

/// After an apply: reads `tables` (see [`crate::catalog::reread::touched_tables`]) and what
/// is catalog-wide; every other table is kept from `before`, moved, not copied.
pub async fn reread_tables(
    client: &Client,
    options: &ReadOptions,
    before: Catalog,
    tables: &[(String, String)],
) -> Result<Catalog, ReadError> {
    let read = crate::catalog::reread::to_read(tables, &before);
    let fresh = read_for_tables(client, options, &read).await?;
    Ok(crate::catalog::reread::with_details_from(
        fresh, before, tables,
    ))
}

/// `tables` with their details, and what is catalog-wide: the read half of
/// [`reread_tables`], for a caller that merges with
/// [`crate::catalog::reread::with_details_from`] itself.
pub async fn read_for_tables(
    client: &Client,
    options: &ReadOptions,
    tables: &[(String, String)],
) -> Result<Catalog, ReadError> {
    read_kinds(client, options, |locked| {
        queries::all_for_tables(tables, locked)
    })
    .await
}

/// The settings that size the server's shared lock table, alone: what a saved plan is
/// checked against before it is sent (`None` if the server does not say).
pub async fn read_lock_table(client: &Client) -> Result<Option<LockTable>, ReadError> {
    let mut rows = Rows::default();
    run(client, queries::LOCK_TABLE, &mut rows).await?;
    Ok(rows.lock_table)
}

/// One snapshot of the kinds `make` lists (given the relations to read around), read
/// around tables another session keeps locked.
async fn read_kinds(
    client: &Client,
    options: &ReadOptions,
    make: impl Fn(&[u32]) -> Vec<(&'static str, String)>,
) -> Result<Catalog, ReadError> {
    let mut locked: Vec<LockedRelation> = Vec::new();
    let mut skip: Vec<u32> = Vec::new();
    let mut stats = ReadStats::default();
    for _ in 0..=LOCK_RETRIES {
        let kinds = make(&skip);
        let mut batch = options.begin();
        for (_, sql) in &kinds {
            batch.push_str(";\n");
            batch.push_str(sql);
        }
        batch.push_str(";\nCOMMIT");
        stats.round_trips += 1;
        stats.statements += kinds.len() as u32 + 4;
        let mut rows = Rows::default();
        let result = match run(client, &batch, &mut rows).await {
            Ok(()) => Ok(assemble(rows, Vec::new(), stats.clone())),
            Err(ReadError::Query(e)) if lacks_privilege(&e) => {
                read_kind_by_kind(client, options, &kinds, &mut stats).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(catalog) => return Ok(with_locks(catalog, locked)),
            Err(ReadError::Query(e)) if lock_timed_out(&e) => {
                let _ = sent::batch_execute(client, "ROLLBACK").await;
                let now = super::locks::exclusive_locks(client).await?;
                let fresh: Vec<LockedRelation> =
                    now.into_iter().filter(|l| !skip.contains(&l.oid)).collect();
                if fresh.is_empty() {
                    // Nothing new to read around: the lock is gone (try again) or is on
                    // something the read cannot skip.
                    if locked.is_empty() && stats.round_trips > 1 {
                        return Err(ReadError::Query(e));
                    }
                    continue;
                }
                let oids: Vec<u32> = fresh.iter().map(|l| l.oid).collect();
                for oid in super::locks::with_dependent_views(client, &oids).await? {
                    if !skip.contains(&oid) {
                        skip.push(oid);
                    }
                }
                locked.extend(fresh);
            }
            Err(e) => return Err(e),
        }
    }
    Err(ReadError::Locked(locked))
}

/// Records the relations read by name only, as locks and as unreadable parts.
fn with_locks(mut catalog: Catalog, mut locked: Vec<LockedRelation>) -> Catalog {
    locked.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    catalog.fingerprint_memo.forget();
    for lock in &locked {
        catalog.unreadable.push(Unreadable {
            object: lock.unreadable_object(),
            reason: format!(
                "locked by another session past lock_timeout: {lock}; {}",
                lock_advice(std::slice::from_ref(lock))
            ),
        });
    }
    catalog.locked = locked;
    catalog
}

fn describe_locks(locked: &[LockedRelation]) -> String {
    if locked.is_empty() {
        return "  (the session holding it had let go by the time schemaforge asked)".to_owned();
    }
    locked
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// After a [`read`] was cancelled part-way (its future dropped, its query cancelled on the
/// server): ends the transaction it left open, failed or not, so the session is usable
/// again. Outside a transaction this is a no-op (the server only warns).
pub async fn end_abandoned_read(client: &Client) {
    let _ = sent::batch_execute(client, "ROLLBACK").await;
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
        Err(ReadError::Query(e)) if lock_timed_out(&e) => {
            return Err(locked_in_transaction(client, e).await);
        }
        Err(e) => return Err(e),
    }
    // Some kind is unreadable for this role: the same kind-by-kind read as `read`, each
    // behind its own savepoint inside the outer one, so the caller's transaction survives.
    sent::batch_execute(
        client,
        "ROLLBACK TO SAVEPOINT schemaforge_catalog; SET LOCAL search_path = ''",
    )
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
                sent::batch_execute(client, "ROLLBACK TO SAVEPOINT catalog_part").await?;
            }
            Err(ReadError::Query(e)) if lock_timed_out(&e) => {
                return Err(locked_in_transaction(client, e).await);
            }
            Err(e) => return Err(e),
        }
    }
    sent::batch_execute(
        client,
        "ROLLBACK TO SAVEPOINT schemaforge_catalog; RELEASE SAVEPOINT schemaforge_catalog",
    )
    .await?;
    Ok(assemble(rows, unreadable, stats))
}

/// A lock timeout inside the caller's transaction: it is aborted, so roll back to the
/// savepoint and ask who holds the lock (the caller's own transaction is the caller's).
async fn locked_in_transaction(client: &Client, e: tokio_postgres::Error) -> ReadError {
    let _ = sent::batch_execute(client, "ROLLBACK TO SAVEPOINT schemaforge_catalog").await;
    match super::locks::exclusive_locks(client).await {
        Ok(locked) => ReadError::Locked(locked),
        Err(_) => ReadError::Query(e),
    }
}

/// The slow path: each kind behind a savepoint, so one unreadable kind spoils nothing else.
async fn read_kind_by_kind(
    client: &Client,
    options: &ReadOptions,
    kinds: &[(&'static str, String)],
    stats: &mut ReadStats,
) -> Result<Catalog, ReadError> {
    sent::batch_execute(client, &format!("ROLLBACK; {}", options.begin())).await?;
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
                sent::batch_execute(client, "ROLLBACK TO SAVEPOINT catalog_part").await?;
                stats.round_trips += 1;
                stats.statements += 1;
            }
            Err(e) => return Err(e),
        }
    }
    sent::batch_execute(client, "COMMIT").await?;
    stats.round_trips += 1;
    stats.statements += 1;
    Ok(assemble(rows, unreadable, stats.clone()))
}

/// Sends one simple-query message and parses each `(kind, json)` row as it arrives.
async fn run(client: &Client, sql: &str, rows: &mut Rows) -> Result<(), ReadError> {
    let stream = sent::catalog_batch(client, sql).await?;
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

/// `lock_timeout` ran out (SQLSTATE 55P03).
pub(super) fn lock_timed_out(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE)
}

/// Only a missing privilege makes a part unreadable; anything else (a cancel, a lock
/// timeout, a lost connection) ends the read.
pub(super) fn lacks_privilege(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
}
