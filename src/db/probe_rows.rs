//! Generated rows for the simulator's INSERT probes: each live table read back as a design
//! (`from_catalog`), given one sample row, and handed to the sample generator, which makes
//! valid values for every field type and check and points foreign keys at existing rows.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tokio_postgres::Client;

use crate::catalog::{Catalog, TableKind};
use crate::design::{Samples, resolve_with_known_tables};
use crate::from_catalog::design_from_catalog;
use crate::samples::{LoadKind, Options, Owners, generate};
use crate::sql::{ident, qualified};

use super::existing_ids::existing_ids;
use super::sent;

/// The seed of probe rows: not a seed sample rows are likely to use (`apply` defaults to 1),
/// so a probe row's unique values do not collide with the sample rows loaded before it.
const PROBE_SEED: u64 = 0x05ee_d0f9_20be;

/// One generated row (column → value) per `(schema, table)` of `schemas`. A table the
/// generator cannot serve (a type it does not know, a required reference with no row to point
/// at) is left out; its probe falls back to copying a row of the table.
pub async fn generated_rows(
    client: &Client,
    catalog: &Catalog,
    schemas: &[String],
    owner: Option<&str>,
) -> BTreeMap<(String, String), Map<String, Value>> {
    let mut out = BTreeMap::new();
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    for schema in schemas {
        let names: Vec<String> = catalog
            .tables_in(schema)
            .filter(|t| t.kind == TableKind::Table && t.partition_of.is_none())
            .map(|t| t.name.clone())
            .collect();
        for name in names {
            if is_linking(catalog, schema, &name) {
                // Generated keys would point at rows it may link already: a pair it does not.
                if let Some(row) = unlinked_pair(client, catalog, schema, &name).await {
                    out.insert((schema.clone(), name), row);
                }
                continue;
            }
            let mut design =
                design_from_catalog(catalog, schema, Some(std::slice::from_ref(&name))).design;
            let Some(table) = design.tables.first() else {
                continue;
            };
            let key = table.db_name.clone().unwrap_or_else(|| table.name.clone());
            design.samples.insert(key, Samples::Count(1));
            let Ok(resolved) = resolve_with_known_tables(&design, &known) else {
                continue;
            };
            let Ok(existing) = existing_ids(client, catalog, &resolved).await else {
                continue;
            };
            let options = Options {
                seed: PROBE_SEED,
                owners: owner.map_or(Owners::None, |o| Owners::Existing(vec![o.to_owned()])),
                existing,
                links_per_row: 0,
            };
            let Ok(set) = generate(&resolved, &options) else {
                continue;
            };
            let Some(load) = set
                .loads()
                .find(|l| l.kind == LoadKind::Generated && l.table == name)
            else {
                continue;
            };
            if let Some(values) = load.rows().next() {
                let row = load
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .zip(values)
                    .collect();
                out.insert((schema.clone(), name), row);
            }
        }
    }
    out
}

/// A table whose primary key is made of two or more single-column foreign keys.
fn is_linking(catalog: &Catalog, schema: &str, name: &str) -> bool {
    let Some(table) = catalog.table(schema, name) else {
        return false;
    };
    let Some(key) = &table.primary_key else {
        return false;
    };
    let referencing = |column: &String| {
        table
            .foreign_keys
            .iter()
            .any(|f| f.columns.len() == 1 && &f.columns[0] == column)
    };
    key.columns.len() >= 2 && key.columns.iter().all(referencing)
}

/// For a table whose columns are foreign keys (a linking table): one combination of
/// referenced keys the table does not hold yet, so an insert probe tests the policy rather
/// than the primary key.
async fn unlinked_pair(
    client: &Client,
    catalog: &Catalog,
    schema: &str,
    name: &str,
) -> Option<Map<String, Value>> {
    let table = catalog.table(schema, name)?;
    let keys: Vec<_> = table
        .foreign_keys
        .iter()
        .filter(|f| f.columns.len() == 1 && f.references_columns.len() == 1)
        .collect();
    if keys.len() < 2 {
        return None;
    }
    let mut select = Vec::new();
    let mut from = Vec::new();
    let mut linked = Vec::new();
    for (i, fk) in keys.iter().enumerate() {
        let alias = format!("t{i}");
        let target = format!("{alias}.{}", ident(&fk.references_columns[0]));
        select.push(format!("{target} AS {}", ident(&fk.columns[0])));
        from.push(format!(
            "{} {alias}",
            qualified(&fk.references_schema, &fk.references_table)
        ));
        linked.push(format!("l.{} = {target}", ident(&fk.columns[0])));
    }
    let sql = format!(
        "SELECT to_jsonb(x)::text FROM (SELECT {} FROM {} WHERE NOT EXISTS \
         (SELECT 1 FROM {} l WHERE {}) LIMIT 1) x",
        select.join(", "),
        from.join(" CROSS JOIN "),
        qualified(schema, name),
        linked.join(" AND ")
    );
    let row = sent::query_opt(client, sql.as_str(), &[]).await.ok()??;
    let text: String = row.get(0);
    match serde_json::from_str(&text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}
