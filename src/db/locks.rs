//! Finding who holds the locks schemaforge waited for: `pg_locks` joined with
//! `pg_stat_activity`. Asked after a lock timeout, when the waiting is over, so the question
//! is "who holds a lock that conflicts with what we needed", not `pg_blocking_pids` of a
//! wait that has ended.

use futures_util::{StreamExt, pin_mut};
use serde::Deserialize;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::sent;
use crate::catalog::rows::Oid;
use crate::catalog::{BlockingSession, LockedRelation};

/// Relation locks other sessions hold or wait for in this database, in the modes given, as
/// `(oid, schema, name, mode, granted, pid, application, user, xact seconds, state, query,
/// waits for)`. An index's lock is reported on its table.
const RELATION_LOCKS: &str = "SELECT json_agg(json_build_array(t.oid, n.nspname, t.relname, \
     l.mode, l.granted, l.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), \
     extract(epoch FROM date_trunc('second', now() - a.xact_start))::bigint, \
     coalesce(a.state, ''), left(coalesce(a.query, ''), 200), \
     CASE WHEN l.granted THEN '{}'::int[] ELSE pg_catalog.pg_blocking_pids(l.pid) END) \
     ORDER BY n.nspname, t.relname, l.pid) \
     FROM pg_catalog.pg_locks l \
     LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = l.relation \
     JOIN pg_catalog.pg_class t ON t.oid = coalesce(ix.indrelid, l.relation) \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace \
     LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
     WHERE l.locktype = 'relation' AND l.pid <> pg_catalog.pg_backend_pid() \
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
       AND $MODES";

#[derive(Deserialize)]
struct LockRow(
    Oid,
    String,
    String,
    String,
    bool,
    i32,
    String,
    String,
    Option<i64>,
    String,
    String,
    Vec<i32>,
);

/// The relations other sessions lock against a reader: `ACCESS EXCLUSIVE`, the only mode
/// that conflicts with the `ACCESS SHARE` the catalog's deparse functions take, whether
/// granted or still queued (a queued request blocks everyone behind it).
pub async fn exclusive_locks(
    client: &Client,
) -> Result<Vec<LockedRelation>, tokio_postgres::Error> {
    relation_locks(client, "l.mode = 'AccessExclusiveLock'").await
}

/// Every relation lock another session holds (granted) in this database: what a DDL
/// statement, which wants `ACCESS EXCLUSIVE` or close to it, may have waited for.
pub async fn held_locks(client: &Client) -> Result<Vec<LockedRelation>, tokio_postgres::Error> {
    relation_locks(
        client,
        "l.granted AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    )
    .await
}

async fn relation_locks(
    client: &Client,
    modes: &str,
) -> Result<Vec<LockedRelation>, tokio_postgres::Error> {
    let sql = RELATION_LOCKS.replace("$MODES", modes);
    let stream = sent::simple_query_raw(client, &sql).await?;
    pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(message) = stream.next().await {
        if let SimpleQueryMessage::Row(row) = message? {
            let Some(json) = row.get(0) else { continue };
            // A shape this code does not know is a bug here, not a reason to fail the
            // caller's error report: it then names no holder.
            let rows: Vec<LockRow> = serde_json::from_str(json).unwrap_or_default();
            out.extend(rows.into_iter().map(|r| LockedRelation {
                oid: r.0.0,
                schema: r.1,
                name: r.2,
                mode: r.3,
                waiting: !r.4,
                session: BlockingSession {
                    pid: r.5,
                    application_name: r.6,
                    user: r.7,
                    transaction_seconds: r.8,
                    state: r.9,
                    last_query: r.10,
                },
                waits_for: r.11,
            }));
        }
    }
    // One entry per relation and session: a session may hold several modes on one table.
    out.dedup_by(|a, b| a.oid == b.oid && a.session.pid == b.session.pid);
    Ok(out)
}

/// `oids` and every view or materialized view that reads from them, however indirectly:
/// printing a view's definition locks the relations it reads.
pub async fn with_dependent_views(
    client: &Client,
    oids: &[u32],
) -> Result<Vec<u32>, tokio_postgres::Error> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = oids.iter().map(u32::to_string).collect();
    let sql = format!(
        "WITH RECURSIVE dep(oid) AS ( \
           SELECT unnest('{{{}}}'::pg_catalog.oid[]) \
           UNION \
           SELECT r.ev_class FROM pg_catalog.pg_depend d \
           JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid \
           JOIN dep ON d.refobjid = dep.oid \
           WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass \
             AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
             AND r.ev_class <> d.refobjid) \
         SELECT oid::text FROM dep",
        list.join(",")
    );
    let mut out = Vec::new();
    for message in sent::simple_query(client, &sql).await? {
        if let SimpleQueryMessage::Row(row) = message
            && let Some(oid) = row.get(0).and_then(|v| v.parse().ok())
        {
            out.push(oid);
        }
    }
    Ok(out)
}

/// The locks a failed statement may have waited for: those on relations its text names
/// (schemaforge always writes names qualified and quoted), else every one held.
pub fn named_in(sql: &str, held: Vec<LockedRelation>) -> Vec<LockedRelation> {
    let named: Vec<LockedRelation> = held
        .iter()
        .filter(|l| sql.contains(&crate::sql::qualified(&l.schema, &l.name)))
        .cloned()
        .collect();
    if named.is_empty() { held } else { named }
}
