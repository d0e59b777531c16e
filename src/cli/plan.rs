//! `schemaforge plan DESIGN.json [--out FILE]`: the bundle, on stdout or saved to a file.

use std::path::PathBuf;

use super::Exit;
use super::planning::{BundleArgs, SampleArgs, plan_design, plan_design_quietly, sample_set};
use crate::plan::Bundle;
use crate::samples::SampleSet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (JSON).
    pub design: PathBuf,
    /// Save the plan here instead of printing it; `apply --plan FILE` applies it later.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The rollback of the plan instead: what undoes it once applied (save it before you apply).
    #[arg(long)]
    pub down: bool,
    /// For a drift job: print nothing; exit 3 when the database differs from the design,
    /// 0 when it has everything the design asks for.
    #[arg(long, conflicts_with_all = ["out", "down"])]
    pub check: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
    #[command(flatten)]
    pub samples: SampleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    if args.check {
        return check(db, &args).await;
    }
    let mut planned = match plan_design(db, &args.design, &args.bundle.settings()).await {
        Ok(planned) => planned,
        Err(exit) => return exit,
    };
    let samples = match sample_set(&mut planned, &args.samples).await {
        Ok(samples) => samples,
        Err(exit) => return exit,
    };
    planned.session.close().await;
    if args.down {
        return down(&planned.plan, &planned.catalog, args.out.as_deref());
    }
    let plan = planned.plan;
    if plan.is_empty() && samples.is_none() {
        say!("nothing to do: the database already has everything the design asks for");
        return Exit::Success;
    }
    let bundle = plan.bundle();
    say!(
        "{} statements · {}",
        bundle.statements.len(),
        plan.summary()
    );
    match args.out {
        Some(path) => match write_saved_plan(&path, &bundle, samples.as_ref()) {
            Ok(()) => {
                say!(
                    "saved the plan to {} (apply it with `schemaforge apply --plan {}`)",
                    path.display(),
                    path.display()
                );
                Exit::Success
            }
            Err(e) => {
                say!("cannot write {}: {e}", path.display());
                Exit::Runtime
            }
        },
        None => super::print_stdout(&bundle.text),
    }
}

/// `plan --check`: silent; the exit code says whether the schema has drifted from the design.
/// Sample rows are no part of it: a database converged with the design may hold any rows.
/// A design that does not load, or no database, is still reported (exit 2, 1).
async fn check(db: Option<&str>, args: &Args) -> Exit {
    match plan_design_quietly(db, &args.design, &args.bundle.settings()).await {
        Ok(planned) => {
            planned.session.close().await;
            if planned.plan.is_empty() {
                Exit::Success
            } else {
                Exit::Drift
            }
        }
        Err(exit) => exit,
    }
}

/// `plan --down`: the rollback bundle, its notes on stderr.
fn down(
    plan: &crate::plan::Plan,
    before: &crate::catalog::Catalog,
    out: Option<&std::path::Path>,
) -> Exit {
    let rollback = crate::plan::rollback(plan, before);
    if rollback.is_empty() {
        say!("nothing to roll back: the plan changes nothing");
        return Exit::Success;
    }
    for note in &rollback.notes {
        say!("note: {note}");
    }
    let bundle = rollback.bundle();
    say!(
        "{} statements · {}",
        bundle.statements.len(),
        if rollback.exact {
            "applied after the plan, it leaves the schema exactly as it is now"
        } else {
            "not exact: see the notes"
        }
    );
    match out {
        Some(path) => match crate::atomic_write::write_atomically(path, &bundle.text) {
            Ok(()) => {
                say!(
                    "saved the rollback to {} (after the plan, run it with `schemaforge apply --plan {}`)",
                    path.display(),
                    path.display()
                );
                Exit::Success
            }
            Err(e) => {
                say!("cannot write {}: {e}", path.display());
                Exit::Runtime
            }
        },
        None => super::print_stdout(&bundle.text),
    }
}

/// A saved plan holds the rows themselves, pg_dump style, so `apply --plan` loads exactly
/// them: the bundle up to its COMMIT, the COPY blocks, then COMMIT. Written as it streams.
pub fn write_saved_plan(
    path: &std::path::Path,
    bundle: &Bundle,
    samples: Option<&SampleSet>,
) -> std::io::Result<()> {
    use std::io::Write;
    let commit = bundle
        .statements
        .last()
        .map_or(bundle.text.len(), |s| s.range.start);
    let temp = crate::atomic_write::temp_path(path);
    let result = (|| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temp)?);
        out.write_all(&bundle.text.as_bytes()[..commit])?;
        if let Some(set) = samples {
            crate::samples::write_steps(&mut out, &set.steps)?;
        }
        out.write_all(&bundle.text.as_bytes()[commit..])?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
