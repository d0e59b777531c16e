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
