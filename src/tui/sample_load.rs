//! What the TUI's apply loads besides the bundle: the design's sample rows for the tables the
//! plan creates (as `schemaforge apply` does without `--samples-into-existing`), pointing at
//! the rows live tables already hold, generated with the default seed.

use std::sync::Arc;

use tokio_postgres::Client;

use crate::catalog::Catalog;
use crate::db::existing_ids::existing_ids;
use crate::design::ResolvedDesign;
use crate::samples::{Options, SampleSet, generate};

/// The seed of the rows the TUI loads and shows: `schemaforge apply`'s default, so the grid
/// and the CLI agree.
pub const SEED: u64 = 1;

/// The resolved design restricted to the samples to load, and the catalog it is planned on.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSamples {
    pub resolved: ResolvedDesign,
    pub catalog: Arc<Catalog>,
}

/// Effects are compared in tests; a design compares equal to itself (no NaN in it).
impl Eq for PendingSamples {}

/// The samples an apply of `resolved` on `catalog` loads: `None` when there are none.
pub fn pending(resolved: &ResolvedDesign, catalog: &Arc<Catalog>) -> Option<PendingSamples> {
    let mut resolved = resolved.clone();
    let schema = resolved.schema.clone();
    let tables = resolved.tables.clone();
    resolved
        .samples
        .retain(|s| catalog.table(&schema, &tables[s.table].db_name).is_none());
    (!resolved.samples.is_empty()).then(|| PendingSamples {
        resolved,
        catalog: catalog.clone(),
    })
}

/// Reads the existing ids the rows may point at and builds the (lazy) sample set.
pub async fn sample_set(client: &Client, pending: &PendingSamples) -> Result<SampleSet, String> {
    let existing = existing_ids(client, &pending.catalog, &pending.resolved)
        .await
        .map_err(|e| e.to_string())?;
    let options = Options {
        seed: SEED,
        existing,
        ..Options::default()
    };
    generate(&pending.resolved, &options).map_err(|e| e.to_string())
}
