//! What the TUI's apply loads besides the bundle: the design's sample rows for the tables the
//! plan creates (as `schemaforge apply` does without `--samples-into-existing`), pointing at
//! the rows live tables already hold, with the session's seed and owners.

use std::sync::Arc;

use tokio_postgres::Client;

use crate::catalog::Catalog;
use crate::db::existing_ids::existing_ids;
use crate::design::ResolvedDesign;
use crate::samples::{Options, Owners, SampleSet, generate};

/// The seed the TUI starts with: `schemaforge apply`'s default, so the grid and the CLI agree.
pub const SEED: u64 = 1;

/// How the session's sample rows are generated: like `apply`'s `--seed` and `--demo-users`,
/// options of a run that hold for every table, not part of the design (the generator takes
/// them once for all tables), so they are set in the samples form but not saved or undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleRun {
    pub seed: u64,
    pub owners: OwnerChoice,
}

impl Default for SampleRun {
    fn default() -> Self {
        SampleRun {
            seed: SEED,
            owners: OwnerChoice::None,
        }
    }
}

/// Who owns the rows (`created_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerChoice {
    None,
    /// The users `auth.users` already holds (read when applying).
    Existing,
    /// This many demo users, inserted into `auth.users` first.
    Generated(u32),
}

impl SampleRun {
    /// The generator's options; `existing_users` are the ids of `auth.users`, when known.
    pub fn options(&self, existing_users: Option<Vec<String>>) -> Options {
        Options {
            seed: self.seed,
            owners: match self.owners {
                OwnerChoice::None => Owners::None,
                OwnerChoice::Existing => Owners::Existing(existing_users.unwrap_or_default()),
                OwnerChoice::Generated(n) => Owners::Generated(n),
            },
            ..Options::default()
        }
    }
}

/// The resolved design restricted to the samples to load, and the catalog it is planned on.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSamples {
    pub resolved: ResolvedDesign,
    pub catalog: Arc<Catalog>,
    pub run: SampleRun,
}

/// Effects are compared in tests; a design compares equal to itself (no NaN in it).
impl Eq for PendingSamples {}

/// The samples an apply of `resolved` on `catalog` loads: `None` when there are none.
pub fn pending(
    resolved: &ResolvedDesign,
    catalog: &Arc<Catalog>,
    run: SampleRun,
) -> Option<PendingSamples> {
    crate::samples::for_new_tables(resolved, catalog).map(|resolved| PendingSamples {
        resolved,
        catalog: catalog.clone(),
        run,
    })
}

/// Reads the existing ids the rows may point at and builds the (lazy) sample set.
pub async fn sample_set(client: &Client, pending: &PendingSamples) -> Result<SampleSet, String> {
    let existing = existing_ids(client, &pending.catalog, &pending.resolved)
        .await
        .map_err(|e| e.to_string())?;
    let users = existing
        .get(&("auth".to_string(), "users".to_string()))
        .cloned();
    let options = Options {
        existing,
        ..pending.run.options(users)
    };
    generate(&pending.resolved, &options).map_err(|e| e.to_string())
}
