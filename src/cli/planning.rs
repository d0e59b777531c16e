//! What `plan`, `apply`, `lint` and `export` share: read a design file, read the live
//! catalog, [`analyse`].

use std::path::Path;

use crate::analysis::{Analysis, analyse};
use crate::catalog;
use crate::db::Session;
use crate::db::existing_ids::existing_ids;
use crate::design;
use crate::findings::{Finding, Severity, Source};
use crate::plan::{Plan, PlanSettings};

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
            ..PlanSettings::default()
        }
    }
}

pub struct Planned {
    pub session: Session,
    pub plan: Plan,
    /// The catalog the plan was made against and the design it was made from.
    pub catalog: catalog::Catalog,
    pub resolved: design::ResolvedDesign,
}

/// A design file analysed against the live database.
pub struct Analysed {
    pub session: Session,
    pub catalog: catalog::Catalog,
    pub analysis: Analysis,
}

/// Validation diagnostics, planner errors and plan notes on stderr, as `file: level: …`.
/// Lint findings are `lint`'s to print.
pub(super) fn report(file: &Path, findings: &[Finding]) {
    report_some(file, findings, true);
}

/// `report`, with warnings and notes left out when `all` is false: only what makes a design
/// unusable (its errors) is said.
fn report_some(file: &Path, findings: &[Finding], all: bool) {
    for f in findings
        .iter()
        .filter(|f| all || f.severity == Severity::Error)
    {
        let at = |text: &str| {
            if f.object.is_empty() {
                text.to_owned()
            } else {
                format!("{}: {text}", f.object)
            }
        };
        match (f.source, f.severity) {
            (Source::Validation, Severity::Error) => {
                say!("{}: error: {}", file.display(), at(&suggested(f)))
            }
            (Source::Validation, _) => {
                say!("{}: warning: {}", file.display(), at(&suggested(f)))
            }
            (Source::Plan, Severity::Error) => {
                say!("{}: error: {}", file.display(), at(&suggested(f)))
            }
            (Source::Plan, _) => say!("note: {}", at(&suggested(f))),
            (Source::Lint, _) => {}
        }
    }
}

fn suggested(f: &Finding) -> String {
    if f.remedy.is_empty() {
        f.message.clone()
    } else {
        format!("{} — {}", f.message, f.remedy)
    }
}

/// Reads the design, connects, reads the catalog and analyses. A file that is not a design
/// at all is reported and exit 2 without a connection: a broken file never reaches the server.
pub async fn analyse_design(
    db: Option<&str>,
    file: &Path,
    settings: &PlanSettings,
) -> Result<Analysed, Exit> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        say!("cannot read {}: {e}", file.display());
        Exit::Usage
    })?;
    let (parsed, _) = design::parse(&text).map_err(|diagnostics| {
        let findings: Vec<Finding> = diagnostics.iter().map(Finding::from_diagnostic).collect();
        report(file, &findings);
        Exit::Usage
    })?;
    let session = open_session(db).await?;
    // The bundle's lock timeout bounds this read too: a table held locked by another
    // session must not stall `apply --lock-timeout 1s` before the bundle even starts.
    let options = crate::db::catalog::ReadOptions::with_lock_timeout(&settings.lock_timeout);
    let catalog = match crate::db::catalog::read_with(&session.client, &options).await {
        Ok(catalog) => catalog,
        Err(e) => {
            say!("{e}");
            session.close().await;
            return Err(Exit::Runtime);
        }
    };
    if !catalog.locked.is_empty() {
        // A plan against a table whose columns were not read would recreate them.
        say!(
            "cannot plan: another session kept {} locked past lock_timeout ({}), so {} not be read:",
            if catalog.locked.len() == 1 {
                "a table"
            } else {
                "tables"
            },
            settings.lock_timeout,
            if catalog.locked.len() == 1 {
                "its details could"
            } else {
                "their details could"
            }
        );
        for lock in &catalog.locked {
            say!("  {lock}");
        }
        say!("{}", catalog::lock_advice(&catalog.locked));
        session.close().await;
        return Err(Exit::Runtime);
    }
    for part in &catalog.unreadable {
        say!("warning: could not read {}: {}", part.object, part.reason);
    }
    let analysis = analyse(&parsed, Some(&catalog), settings);
    Ok(Analysed {
        session,
        catalog,
        analysis,
    })
}

/// Analyses the design and reports what the user should know on stderr; a design that does
/// not validate or plan is exit 2, and nothing is sent to the database for it.
pub async fn plan_design(
    db: Option<&str>,
    file: &Path,
    settings: &PlanSettings,
) -> Result<Planned, Exit> {
    plan_design_reporting(db, file, settings, true).await
}

/// [`plan_design`] that says only errors (for `plan --check`, which prints nothing else).
pub async fn plan_design_quietly(
    db: Option<&str>,
    file: &Path,
    settings: &PlanSettings,
) -> Result<Planned, Exit> {
    plan_design_reporting(db, file, settings, false).await
}

async fn plan_design_reporting(
    db: Option<&str>,
    file: &Path,
    settings: &PlanSettings,
    all: bool,
) -> Result<Planned, Exit> {
    let analysed = analyse_design(db, file, settings).await?;
    report_some(file, &analysed.analysis.findings, all);
    let Analysis { resolved, plan, .. } = analysed.analysis;
    match (resolved, plan) {
        (Some(resolved), Some(plan)) => Ok(Planned {
            session: analysed.session,
            plan,
            catalog: analysed.catalog,
            resolved,
        }),
        _ => {
            analysed.session.close().await;
            Err(Exit::Usage)
        }
    }
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
    let existing = existing_ids(&planned.session.client, &planned.catalog, &resolved)
        .await
        .map_err(|e| {
            say!("{e}");
            Exit::Runtime
        })?;
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
