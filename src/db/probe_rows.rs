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

use super::existing_ids::existing_ids;

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
