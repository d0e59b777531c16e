//! `schemaforge design --from-db [--schema S] [--tables a,b] [--out FILE]`: the live schema
//! as a design file (the `design::save` format), on stdout or in FILE; notes on stderr.

use std::path::PathBuf;

use super::{Exit, open_session};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read the design from the database (the only source there is today; required).
    #[arg(long, required = true)]
    pub from_db: bool,
    /// The schema to read.
    #[arg(long, value_name = "S", default_value = "public")]
    pub schema: String,
    /// Only these tables (comma-separated).
    #[arg(long, value_name = "a,b", value_delimiter = ',')]
    pub tables: Option<Vec<String>>,
    /// Write the design here instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub lock: super::catalog_read::LockTimeout,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let session = match open_session(db).await {
        Ok(session) => session,
        Err(exit) => return exit,
    };
    let catalog = super::catalog_read::read(&session, &args.lock).await;
    session.close().await;
    let catalog = match catalog {
        Ok(catalog) => catalog,
        Err(exit) => return exit,
    };
    if catalog.schema(&args.schema).is_none() {
        say!(
            "there is no schema {:?} (or it is a system schema)",
            args.schema
        );
        return Exit::Usage;
    }
    for part in &catalog.unreadable {
        say!("warning: could not read {}: {}", part.object, part.reason);
    }
    let tables: Option<Vec<String>> = args.tables.map(|names| {
        names
            .into_iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect()
    });
    let result =
        crate::from_catalog::design_from_catalog(&catalog, &args.schema, tables.as_deref());
    for note in &result.notes {
        say!("note: {note}");
    }
    let text = crate::design::save(&result.design);
    match args.out {
        Some(path) => match std::fs::write(&path, &text) {
            Ok(()) => {
                say!(
                    "wrote {} table{} to {}",
                    result.design.tables.len(),
                    if result.design.tables.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    path.display()
                );
                Exit::Success
            }
            Err(e) => {
                say!("cannot write {}: {e}", path.display());
                Exit::Runtime
            }
        },
        None => super::print_json_stdout(&text),
    }
}
