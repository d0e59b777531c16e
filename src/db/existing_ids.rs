//! Reading the ids that already exist, so generated sample rows can point at live rows.

use std::collections::BTreeMap;

use tokio_postgres::{Client, SimpleQueryMessage};

use super::sent;
use crate::catalog::Catalog;
use crate::design::{ResolvedDesign, Target};
use crate::sql::{ident, qualified};

/// How many ids of one table are read at most.
pub const LIMIT: usize = 1000;

#[derive(Debug, thiserror::Error)]
#[error("reading ids of {schema}.{table} for sample rows: {message}")]
pub struct ExistingIdsError {
    pub schema: String,
    pub table: String,
    /// The server's words ([`super::server_error::describe`]).
    pub message: String,
}

/// Up to [`LIMIT`] ids of every live table a sampled row may point at: relationship targets
/// outside the design, designed tables that already exist, and `auth.users` for owners.
pub async fn existing_ids(
    client: &Client,
    catalog: &Catalog,
    resolved: &ResolvedDesign,
) -> Result<BTreeMap<(String, String), Vec<String>>, ExistingIdsError> {
    let mut wanted: Vec<(String, String)> = vec![("auth".into(), "users".into())];
    for rel in &resolved.relationships {
        wanted.push(match &rel.target {
            Target::External { schema, table } => (schema.clone(), table.clone()),
            Target::Designed { db_name, .. } => (resolved.schema.clone(), db_name.clone()),
        });
    }
    wanted.sort();
    wanted.dedup();
    let mut ids = BTreeMap::new();
    for (schema, table) in wanted {
        let Some(live) = catalog.table(&schema, &table) else {
            continue;
        };
        let Some([key]) = live.primary_key.as_ref().map(|k| k.columns.as_slice()) else {
            continue;
        };
        let sql = format!(
            "SELECT {}::text FROM {} ORDER BY 1 LIMIT {LIMIT}",
            ident(key),
            qualified(&schema, &table)
        );
        let rows = match sent::simple_query(client, &sql).await {
            Ok(rows) => rows,
            Err(e) => {
                return Err(ExistingIdsError {
                    message: super::server_error::describe(&e),
                    schema,
                    table,
                });
            }
        };
        let found: Vec<String> = rows
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .collect();
        if !found.is_empty() {
            ids.insert((schema, table), found);
        }
    }
    Ok(ids)
}
