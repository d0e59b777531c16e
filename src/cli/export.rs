//! `schemaforge export DESIGN.json [--out DIR] [--name NAME] [--format supabase|plain]`: the
//! plan as a Supabase CLI migration, the design's sample rows as `seed.sql`, and the rollback
//! (written by [`crate::export`], which the TUI's Preview uses too).

use std::path::PathBuf;
use std::time::SystemTime;

use crate::export::{ExportError, Request};

use super::Exit;
use super::planning::{BundleArgs, plan_design};

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// DIR/migrations/<timestamp>_<name>.sql, DIR/seed.sql, DIR/rollbacks/<…>.down.sql.
    Supabase,
    /// One file: the migration and the sample rows in one transaction, for `psql -f`; its
    /// rollback beside it as <file>.down.sql.
    Plain,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (JSON).
    pub design: PathBuf,
    /// supabase: the project folder (default ./supabase). plain: the file to write
    /// (default ./<timestamp>_<name>.sql).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// The migration's name, after its timestamp (default schemaforge_<design file name>).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Supabase)]
    pub format: Format,
    /// Seed of the generated sample rows: the same seed gives the same rows as `apply --seed`.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Create N demo users in auth.users in seed.sql and spread the rows' owners over them
    /// (otherwise created_by stays NULL).
    #[arg(long, value_name = "N")]
    pub demo_users: Option<u32>,
    /// Leave the design's samples out (no seed.sql).
    #[arg(long)]
    pub no_samples: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let planned = match plan_design(db, &args.design, &args.bundle.settings()).await {
        Ok(planned) => planned,
        Err(exit) => return exit,
    };
    planned.session.close().await;
    let name_of = |p: Option<&std::ffi::OsStr>| {
        p.map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let request = Request {
        out: args.out.clone(),
        name: args.name.clone(),
        design_stem: name_of(args.design.file_stem()),
        design_file: name_of(args.design.file_name()),
        format: match args.format {
            Format::Supabase => crate::export::Format::Supabase,
            Format::Plain => crate::export::Format::Plain,
        },
        seed: args.seed,
        demo_users: args.demo_users,
        no_samples: args.no_samples,
    };
    let exported = crate::export::write_export(
        &planned.plan,
        &planned.catalog,
        &planned.resolved,
        &request,
        SystemTime::now(),
    );
    match exported {
        Ok(report) => {
            for line in &report.lines {
                say!("{line}");
            }
            Exit::Success
        }
        Err(e @ ExportError::Samples(_)) => {
            say!("{e}");
            say!("(export with --no-samples to write the migration without seed.sql)");
            Exit::Usage
        }
        Err(e) => {
            say!("{e}");
            Exit::Runtime
        }
    }
}
