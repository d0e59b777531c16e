//! What `plan`, `apply` and `lint` share: read a design file, read the live catalog, plan.

use std::path::Path;

use crate::catalog;
use crate::db::Session;
use crate::design::{self, Diagnostic, Level};
use crate::plan::{self, Plan, PlanSettings};

use super::{Exit, open_session};

/// Timeouts every command that builds a bundle accepts.
#[derive(Debug, Clone, clap::Args)]
pub struct BundleArgs {
    /// SET LOCAL lock_timeout for the bundle: how long a statement may wait for a lock.
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub lock_timeout: String,
    /// SET LOCAL statement_timeout for the bundle: how long one statement may run.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub statement_timeout: String,
}

impl BundleArgs {
    pub fn settings(&self) -> PlanSettings {
        PlanSettings {
            lock_timeout: self.lock_timeout.clone(),
            statement_timeout: self.statement_timeout.clone(),
        }
    }
}

pub struct Planned {
    pub session: Session,
    pub plan: Plan,
    /// The catalog the plan was made against and the design it was made from (`lint`
    /// merges them into the catalog the plan would leave).
    pub catalog: catalog::Catalog,
    pub resolved: design::ResolvedDesign,
}

fn report(file: &Path, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        say!("{}: {level}: {d}", file.display());
    }
}

/// Reads and validates the design, connects, reads the catalog and plans. Every failure is
/// reported on stderr and mapped to its exit code; nothing is sent to the database when
/// the design is invalid.
pub async fn plan_design(
    db: Option<&str>,
    file: &Path,
    settings: &PlanSettings,
) -> Result<Planned, Exit> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        say!("cannot read {}: {e}", file.display());
        Exit::Usage
    })?;
    // Syntax and shape first, without a connection: a broken file never reaches the server.
    let (parsed, _) = design::parse(&text).map_err(|diagnostics| {
        report(file, &diagnostics);
        Exit::Usage
    })?;
    let session = open_session(db).await?;
    let catalog = catalog::read(&session.client).await.map_err(|e| {
        say!("{e}");
        Exit::Runtime
    })?;
    for part in &catalog.unreadable {
        say!("warning: could not read {}: {}", part.object, part.reason);
    }
    let known = |schema: &str, table: &str| catalog.table(schema, table).is_some();
    let resolved = design::resolve_with_known_tables(&parsed, &known).map_err(|diagnostics| {
        report(file, &diagnostics);
        Exit::Usage
    })?;
    report(file, &resolved.warnings);
    let plan = plan::plan(&resolved, &catalog, settings).map_err(|errors| {
        for e in errors {
            say!("{}: error: {e}", file.display());
        }
        Exit::Usage
    })?;
    for note in &plan.notes {
        say!("note: {note}");
    }
    Ok(Planned {
        session,
        plan,
        catalog,
        resolved,
    })
}

/// Sample-row options of `plan` and `apply`.
#[derive(Debug, Clone, clap::Args)]
pub struct SampleArgs {
    /// Seed of the generated sample rows: the same seed gives the same rows.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Also generate N demo users in auth.users and spread the rows' owners over them
    /// (writes to auth.users: for sandboxes and test projects).
    #[arg(long, value_name = "N")]
    pub demo_users: Option<u32>,
    /// Load the design's samples into tables that already exist too (normally only tables
    /// this plan creates get them, so applying twice never duplicates rows).
    #[arg(long)]
    pub samples_into_existing: bool,
    /// Leave the design's samples out.
    #[arg(long)]
    pub no_samples: bool,
}

/// Generates the design's sample rows for this plan: for the tables it creates (or every
/// sampled table with `--samples-into-existing`), pointing foreign keys at generated rows or
/// at rows that already exist. Nothing is generated yet — rows stream when loaded.
pub async fn sample_set(
    planned: &mut Planned,
    args: &SampleArgs,
) -> Result<Option<crate::samples::SampleSet>, Exit> {
    if args.no_samples || planned.resolved.samples.is_empty() {
        return Ok(None);
    }
    let mut resolved = planned.resolved.clone();
    let schema = resolved.schema.clone();
    if !args.samples_into_existing {
        let catalog = &planned.catalog;
        resolved.samples.retain(|s| {
            catalog
                .table(&schema, &resolved.tables[s.table].db_name)
                .is_none()
        });
    }
    if resolved.samples.is_empty() {
        return Ok(None);
    }
    let existing = existing_ids(&planned.session, &planned.catalog, &resolved).await?;
    let options = crate::samples::Options {
        seed: args.seed,
        owners: match args.demo_users {
            Some(n) => crate::samples::Owners::Generated(n),
            None => crate::samples::Owners::None,
        },
        existing,
        ..crate::samples::Options::default()
    };
    let set = crate::samples::generate(&resolved, &options).map_err(|e| {
        say!("sample rows: {e}");
        Exit::Usage
    })?;
    planned.plan.attach_samples(&set, args.seed);
    Ok(Some(set))
}

/// Up to 1,000 ids of every live table a sampled row may point at: relationship targets
/// outside the design, designed tables that already exist, and `auth.users` for owners.
async fn existing_ids(
    session: &Session,
    catalog: &catalog::Catalog,
    resolved: &design::ResolvedDesign,
) -> Result<std::collections::BTreeMap<(String, String), Vec<String>>, Exit> {
    use crate::design::Target;
    let mut wanted: Vec<(String, String)> = vec![("auth".into(), "users".into())];
    for rel in &resolved.relationships {
        wanted.push(match &rel.target {
            Target::External { schema, table } => (schema.clone(), table.clone()),
            Target::Designed { db_name, .. } => (resolved.schema.clone(), db_name.clone()),
        });
    }
    wanted.sort();
    wanted.dedup();
    let mut ids = std::collections::BTreeMap::new();
    for (schema, table) in wanted {
        let Some(live) = catalog.table(&schema, &table) else {
            continue;
        };
        let Some([key]) = live.primary_key.as_ref().map(|k| k.columns.as_slice()) else {
            continue;
        };
        let sql = format!(
            "SELECT {}::text FROM {} ORDER BY 1 LIMIT 1000",
            crate::sql::ident(key),
            crate::sql::qualified(&schema, &table)
        );
        let rows = session.client.simple_query(&sql).await.map_err(|e| {
            say!(
                "reading ids of {schema}.{table} for sample rows: {}",
                crate::db::server_error::describe(&e)
            );
            Exit::Runtime
        })?;
        let found: Vec<String> = rows
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .collect();
        if !found.is_empty() {
            ids.insert((schema, table), found);
        }
    }
    Ok(ids)
}
