//! `schemaforge plan DESIGN.json [--out FILE]`: the bundle, on stdout or saved to a file.

use std::path::PathBuf;

use super::Exit;
use super::planning::{BundleArgs, plan_design};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (JSON).
    pub design: PathBuf,
    /// Save the plan here instead of printing it; `apply --plan FILE` applies it later.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub bundle: BundleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let planned = match plan_design(db, &args.design, &args.bundle.settings()).await {
        Ok(planned) => planned,
        Err(exit) => return exit,
    };
    planned.session.close().await;
    let plan = planned.plan;
    if plan.is_empty() {
        say!("nothing to do: the database already has everything the design asks for");
        return Exit::Success;
    }
    let text = plan.bundle().text;
    say!(
        "{} statements · {}",
        plan.bundle().statements.len(),
        plan.summary()
    );
    match args.out {
        Some(path) => match write_atomically(&path, &text) {
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
        None => super::print_stdout(&text),
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a plan.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
