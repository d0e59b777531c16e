//! `schemaforge apply (DESIGN.json | --plan FILE) [--dry-run] [--yes] [--allow-destructive]`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use crate::catalog;
use crate::db::Session;
use crate::db::apply::{DriftCheck, apply_restoring, apply_unless_stopped};
use crate::plan::{Bundle, saved_fingerprint, saved_rollback};

use super::planning::{BundleArgs, SampleArgs, plan_design, sample_set};
use super::{Exit, open_session};
use crate::samples::SampleSet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (JSON) to plan and apply.
    #[arg(required_unless_present = "plan", conflicts_with = "plan")]
    pub design: Option<PathBuf>,
    /// Apply exactly this saved plan (from `plan --out`, or a rollback from `plan --down --out`);
    /// refused if the schema drifted.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Run everything, then roll back: checks the bundle against the server, changes nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// With --yes: also run steps that drop or weaken something (refused otherwise, exit 5).
    #[arg(long)]
    pub allow_destructive: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
    #[command(flatten)]
    pub samples: SampleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    // Until the bundle starts, nothing has been sent that changes anything: Ctrl-C while
    // planning or at the prompt ends here with the same word as a cancelled apply.
    let prepared = tokio::select! {
        prepared = prepare(db, &args) => prepared,
        Ok(()) = tokio::signal::ctrl_c() => {
            say!("cancelled; nothing was applied");
            return Exit::Runtime;
        }
    };
    let Ready {
        session,
        bundle,
        check,
        samples,
    } = match prepared {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let exit = run_bundle(
        &session,
        &bundle,
        samples.as_ref(),
        check,
        args.dry_run,
        args.plan.is_none(),
    )
    .await;
    session.close().await;
    exit
}

/// A bundle the user has agreed to (or `--yes`/`--dry-run`), on an open session.
struct Ready {
    session: Session,
    bundle: Bundle,
    check: Check,
    samples: Option<SampleSet>,
}

/// How the catalog is checked around the statements.
enum Check {
    /// A plan: the catalog must still be the one it was made against (this fingerprint).
    Before(String),
    /// A rollback: afterwards the catalog must be this one (`None`: a rollback that says it
    /// is not exact, checked only by its statements).
    Restores(Option<String>),
}

/// Reads the saved plan or plans the design, and asks the user when that is wanted.
async fn prepare(db: Option<&str>, args: &Args) -> Result<Ready, Exit> {
    let (session, bundle, check, summary, samples) = match &args.plan {
        Some(file) => {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    say!("cannot read {}: {e}", file.display());
                    return Err(Exit::Usage);
                }
            };
            let check = match (saved_fingerprint(&text), saved_rollback(&text)) {
                (Some(fingerprint), _) => Check::Before(fingerprint.to_owned()),
                (None, Some(rollback)) => Check::Restores(rollback.restores),
                (None, None) => {
                    say!(
                        "{}: not a saved schemaforge plan (its first line holds no catalog fingerprint)",
                        file.display()
                    );
                    return Err(Exit::Usage);
                }
            };
            let bundle = match Bundle::parse(&text) {
                Ok(bundle) => bundle,
                Err(e) => {
                    say!("{}: {e}", file.display());
                    return Err(Exit::Usage);
                }
            };
            let session = match open_session(db).await {
                Ok(session) => session,
                Err(exit) => return Err(exit),
            };
            if let Err(exit) = check_lock_limit(&session, &bundle).await {
                session.close().await;
                return Err(exit);
            }
            let summary = format!(
                "{} statements from {}{}",
                bundle.statements.len(),
                file.display(),
                match check {
                    Check::Restores(None) => " (a rollback that is not exact: see its notes)",
                    Check::Restores(Some(_)) => " (a rollback)",
                    Check::Before(_) => "",
                }
            );
            (session, bundle, check, summary, None)
        }
        None => {
            let file = args
                .design
                .as_ref()
                .expect("clap requires a design without --plan");
            let mut planned = match plan_design(db, file, &args.bundle.settings()).await {
                Ok(planned) => planned,
                Err(exit) => return Err(exit),
            };
            if crate::lock_limit::finding(&planned.catalog, &planned.plan.changes()).is_some() {
                // Said above with the other findings; refused before anything is sent.
                say!("not applied: the plan needs more locks than the server has room for");
                planned.session.close().await;
                return Err(Exit::Runtime);
            }
            let samples = match sample_set(&mut planned, &args.samples).await {
                Ok(samples) => samples,
                Err(exit) => return Err(exit),
            };
            if planned.plan.is_empty() && samples.is_none() {
                say!("nothing to do: the database already has everything the design asks for");
                planned.session.close().await;
                return Err(Exit::Success);
            }
            // Each destructive step said as the TUI's apply dialog says it.
            let mut summary = planned.plan.summary().to_string();
            for loss in planned.plan.steps.iter().filter_map(|s| s.loss()) {
                summary.push_str("\n  ");
                summary.push_str(&crate::safe_text::escape_controls(&loss));
            }
            (
                planned.session,
                planned.plan.bundle(),
                Check::Before(planned.plan.fingerprint.clone()),
                summary,
                samples,
            )
        }
    };

    if args.yes && !args.dry_run && !args.allow_destructive && bundle.has_destructive_steps() {
        say!("{}", destructive_refusal(&bundle));
        session.close().await;
        return Err(Exit::Destructive);
    }
    if !args.dry_run && !args.yes && !ask(&session, &bundle, summary).await {
        session.close().await;
        return Err(Exit::Usage);
    }
    Ok(Ready {
        session,
        bundle,
        check,
        samples,
    })
}

/// A saved plan is checked against the server's shared lock table as a design's plan is
/// (see [`crate::lock_limit`]), counting the relations its statements lock: refused before
/// anything is sent when it does not fit.
async fn check_lock_limit(session: &Session, bundle: &Bundle) -> Result<(), Exit> {
    let table = match crate::db::catalog::read_lock_table(&session.client).await {
        Ok(Some(table)) => table,
        // Nothing to compare with: the server's own error stays the last word.
        Ok(None) => return Ok(()),
        Err(e) => {
            say!("{e}");
            return Err(Exit::Runtime);
        }
    };
    let statements = (0..bundle.statements.len()).map(|i| bundle.statement_text(i));
    let needed = crate::lock_limit::locks_in_statements(statements);
    match crate::lock_limit::beyond(needed, &table) {
        None => Ok(()),
        Some(f) => {
            say!("error: {} — {}", f.message, f.remedy);
            say!("not applied: the plan needs more locks than the server has room for");
            Err(Exit::Runtime)
        }
    }
}

/// [`confirm`] off the async threads, so Ctrl-C at the prompt is heard.
async fn ask(session: &Session, bundle: &Bundle, summary: String) -> bool {
    let described = session.described.clone();
    let text = bundle.text.clone();
    tokio::task::spawn_blocking(move || confirm(&described, &text, &summary))
        .await
        .unwrap_or(false)
}

/// Why `--yes` alone does not run a plan that drops or weakens something: each such
/// statement (first line, escaped), and the flag that allows it.
fn destructive_refusal(bundle: &Bundle) -> String {
    let steps: Vec<String> = bundle
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.destructive)
        .map(|(i, s)| {
            let text = bundle.statement_text(i);
            let first = text.lines().next().unwrap_or_default();
            format!(
                "  line {}: {}",
                s.line,
                crate::safe_text::escape_controls(first)
            )
        })
        .collect();
    format!(
        "not applied: the plan has {} destructive step{} (drops or weakens something):\n{}\npass --allow-destructive with --yes to run them",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" },
        steps.join("\n")
    )
}

/// Shows the bundle and asks for `apply` on the terminal; refuses without a terminal.
fn confirm(described: &str, bundle_text: &str, summary: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        say!(
            "not applied: confirmation needs a terminal; pass --yes to apply without asking (or --dry-run)"
        );
        return false;
    }
    if super::print_stdout(bundle_text) != Exit::Success {
        return false;
    }
    say!("apply to {described}: {summary}");
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
    check: Check,
    dry_run: bool,
    from_design: bool,
) -> Exit {
    use super::interrupt::{Outcome, cancellable};
    let current = async |client: &tokio_postgres::Client| {
        crate::db::catalog::read_in_transaction(client)
            .await
            .map(|c| catalog::fingerprint(&c))
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (before, restores) = match check {
        Check::Before(expected) => (Some(expected), None),
        Check::Restores(expected) => (None, Some(expected)),
    };
    let applying = async {
        match restores {
            Some(expected) => {
                let check = expected.map(|expected| DriftCheck { expected, current });
                apply_restoring(&session.client, bundle, dry_run, check, |_| {}, &stop).await
            }
            None => {
                let check = before.map(|expected| DriftCheck { expected, current });
                apply_unless_stopped(
                    &session.client,
                    bundle,
                    samples,
                    dry_run,
                    check,
                    |_| {},
                    &stop,
                )
                .await
            }
        }
    };
    let result = match cancellable(session.canceller(), &stop, applying).await {
        Outcome::Finished(result) => result,
        // A Ctrl-C that came too late to stop the COMMIT is reported as what it is: applied.
        Outcome::Interrupted(Ok(report)) => Ok(report),
        Outcome::Interrupted(Err(_)) => {
            say!("cancelled; nothing was applied");
            return Exit::Runtime;
        }
        Outcome::Abandoned => {
            say!(
                "cancelled; the server did not stop in time, so the connection is closed and \
                 the server rolls back: nothing was applied"
            );
            return Exit::Runtime;
        }
    };
    match result {
        Ok(report) => {
            let verb = if report.committed {
                "applied"
            } else {
                "dry run: ran and rolled back"
            };
            let rows = crate::samples::loaded_phrase(report.rows, report.demo_users);
            say!(
                "{verb} {} statements{rows} in one transaction in {} ms",
                report.statements,
                report.elapsed.as_millis()
            );
            Exit::Success
        }
        Err(e) if e.is_drift() => {
            say!("{e}");
            if from_design {
                say!(
                    "the schema changed while this apply planned or waited for another one; \
                     run it again to plan against the schema as it is now"
                );
            }
            Exit::Drift
        }
        Err(e) => {
            say!("{e}");
            Exit::Runtime
        }
    }
}
