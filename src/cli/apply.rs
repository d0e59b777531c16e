//! `schemaforge apply (DESIGN.json | --plan FILE) [--dry-run] [--yes]`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use crate::catalog;
use crate::db::Session;
use crate::db::apply::{ApplyError, DriftCheck, apply_with_samples};
use crate::plan::{Bundle, saved_fingerprint};

use super::planning::{BundleArgs, SampleArgs, plan_design, sample_set};
use super::{Exit, open_session};
use crate::samples::SampleSet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (JSON) to plan and apply.
    #[arg(required_unless_present = "plan", conflicts_with = "plan")]
    pub design: Option<PathBuf>,
    /// Apply exactly this saved plan (from `plan --out`); refused if the schema drifted.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Run everything, then roll back: checks the bundle against the server, changes nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
    #[command(flatten)]
    pub samples: SampleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let (session, bundle, fingerprint, summary, samples) = match &args.plan {
        Some(file) => {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    say!("cannot read {}: {e}", file.display());
                    return Exit::Usage;
                }
            };
            let Some(fingerprint) = saved_fingerprint(&text).map(str::to_owned) else {
                say!(
                    "{}: not a saved schemaforge plan (its first line holds no catalog fingerprint)",
                    file.display()
                );
                return Exit::Usage;
            };
            let bundle = match Bundle::parse(&text) {
                Ok(bundle) => bundle,
                Err(e) => {
                    say!("{}: {e}", file.display());
                    return Exit::Usage;
                }
            };
            let session = match open_session(db).await {
                Ok(session) => session,
                Err(exit) => return exit,
            };
            let summary = format!(
                "{} statements from {}",
                bundle.statements.len(),
                file.display()
            );
            (session, bundle, fingerprint, summary, None)
        }
        None => {
            let file = args
                .design
                .as_ref()
                .expect("clap requires a design without --plan");
            let mut planned = match plan_design(db, file, &args.bundle.settings()).await {
                Ok(planned) => planned,
                Err(exit) => return exit,
            };
            let samples = match sample_set(&mut planned, &args.samples).await {
                Ok(samples) => samples,
                Err(exit) => return exit,
            };
            if planned.plan.is_empty() && samples.is_none() {
                say!("nothing to do: the database already has everything the design asks for");
                planned.session.close().await;
                return Exit::Success;
            }
            let summary = planned.plan.summary().to_string();
            (
                planned.session,
                planned.plan.bundle(),
                planned.plan.fingerprint.clone(),
                summary,
                samples,
            )
        }
    };

    if !args.dry_run && !args.yes && !confirm(&session, &bundle, &summary) {
        session.close().await;
        return Exit::Usage;
    }
    let exit = run_bundle(
        &session,
        &bundle,
        samples.as_ref(),
        fingerprint,
        args.dry_run,
    )
    .await;
    session.close().await;
    exit
}

/// Shows the bundle and asks for `apply` on the terminal; refuses without a terminal.
fn confirm(session: &Session, bundle: &Bundle, summary: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        say!(
            "not applied: confirmation needs a terminal; pass --yes to apply without asking (or --dry-run)"
        );
        return false;
    }
    if super::print_stdout(&bundle.text) != Exit::Success {
        return false;
    }
    say!("apply to {}: {summary}", session.described);
    say!("type `apply` to go ahead, anything else to stop:");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let go = answer.trim() == "apply";
    if !go {
        say!("not applied");
    }
    go
}

async fn run_bundle(
    session: &Session,
    bundle: &Bundle,
    samples: Option<&SampleSet>,
    fingerprint: String,
    dry_run: bool,
) -> Exit {
    let drift = DriftCheck {
        expected: fingerprint,
        current: async |client: &tokio_postgres::Client| {
            crate::db::catalog::read_in_transaction(client)
                .await
                .map(|c| catalog::fingerprint(&c))
                .map_err(|e| e.to_string())
        },
    };
    match apply_with_samples(
        &session.client,
        bundle,
        samples,
        dry_run,
        Some(drift),
        |_| {},
    )
    .await
    {
        Ok(report) => {
            let verb = if report.committed {
                "applied"
            } else {
                "dry run: ran and rolled back"
            };
            let rows = if report.rows > 0 {
                format!(" and {} sample rows", report.rows)
            } else {
                String::new()
            };
            say!(
                "{verb} {} statements{rows} in one transaction in {} ms",
                report.statements,
                report.elapsed.as_millis()
            );
            Exit::Success
        }
        Err(e @ ApplyError::Drift { .. }) => {
            say!("{e}");
            Exit::Drift
        }
        Err(e) => {
            say!("{e}");
            Exit::Runtime
        }
    }
}
