//! `schemaforge erd [--db URL] [DESIGN.json] [--format mermaid|dot|svg] [--schema S]`: the
//! entity–relationship diagram of the live schema, of a design, or of the database as the
//! design will leave it.
//!
//! - Only a database: every table of `--schema` (default `public`).
//! - Only a design (no `--db`, no `DATABASE_URL`): the design's tables, drawn without
//!   connecting; what it references outside itself (`auth.users`) as stubs.
//! - Both: the database after the design is applied — the design's tables and the live ones
//!   it points to, plus every table of each `--schema` given.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::erd::model::Columns;
use crate::erd::{Diagram, Format, Scope, design_diagram, live_diagram};

use super::{Exit, open_session};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A design file: draw the database as it will be after it (alone without a database).
    #[arg(value_name = "DESIGN.json")]
    pub design: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: FormatArg,
    /// A live schema to draw (repeatable); default: `public`, or only the design's tables.
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
    /// Which columns the boxes list.
    #[arg(long, value_enum, default_value = "all")]
    pub columns: ColumnsArg,
    /// Write the diagram here instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub lock: super::catalog_read::LockTimeout,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FormatArg {
    /// Mermaid `erDiagram` (GitHub renders it).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A self-contained SVG.
    Svg,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ColumnsArg {
    /// Every column.
    All,
    /// Primary, foreign and unique key columns.
    Keys,
}

impl Args {
    fn format(&self) -> Format {
        match self.format {
            FormatArg::Mermaid => Format::Mermaid,
            FormatArg::Dot => Format::Dot,
            FormatArg::Svg => Format::Svg,
        }
    }

    fn columns(&self) -> Columns {
        match self.columns {
            ColumnsArg::All => Columns::All,
            ColumnsArg::Keys => Columns::Keys,
        }
    }
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    for managed in args
        .schemas
        .iter()
        .filter(|s| crate::design::managed_schemas::is_managed_schema(s))
    {
        say!(
            "note: {managed:?} is managed by Supabase: its tables are drawn only as stubs of what other tables reference"
        );
    }
    let design = match &args.design {
        Some(file) => match read_design(file) {
            Ok(design) => Some(design),
            Err(exit) => return exit,
        },
        None => None,
    };
    let connect = db.is_some()
        || design.is_none()
        || std::env::var_os("DATABASE_URL").is_some_and(|v| !v.is_empty());
    let catalog = if connect {
        match read_catalog(db, &args).await {
            Ok(catalog) => Some(catalog),
            Err(exit) => return exit,
        }
    } else {
        None
    };
    let diagram = match diagram(design.as_ref(), catalog.as_ref(), &args) {
        Ok(diagram) => diagram,
        Err(exit) => return exit,
    };
    let text = diagram.render(args.format());
    match &args.out {
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => {
                say!(
                    "wrote the diagram of {} to {}",
                    crate::tui::components::plural(diagram.entities.len(), "table"),
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

fn read_design(file: &Path) -> Result<crate::design::Design, Exit> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        say!("cannot read {}: {e}", file.display());
        Exit::Usage
    })?;
    crate::design::parse(&text)
        .map(|(design, _)| design)
        .map_err(|diagnostics| {
            for d in diagnostics {
                say!("{}: {d}", file.display());
            }
            Exit::Usage
        })
}

async fn read_catalog(db: Option<&str>, args: &Args) -> Result<Catalog, Exit> {
    let session = open_session(db).await?;
    let catalog = super::catalog_read::read(&session, &args.lock).await;
    session.close().await;
    let catalog = catalog?;
    for missing in args.schemas.iter().filter(|s| catalog.schema(s).is_none()) {
        say!("note: there is no schema {missing:?} (or it is a system schema)");
    }
    for part in &catalog.unreadable {
        say!("warning: could not read {}: {}", part.object, part.reason);
    }
    Ok(catalog)
}

fn diagram(
    design: Option<&crate::design::Design>,
    catalog: Option<&Catalog>,
    args: &Args,
) -> Result<Diagram, Exit> {
    match (design, catalog) {
        (Some(design), catalog) => design_diagram(design, catalog, &args.schemas, args.columns())
            .map_err(|e| {
                let file = args.design.as_deref().unwrap_or(Path::new("design"));
                say!("{}: {e}", file.display());
                Exit::Usage
            }),
        (None, Some(catalog)) => Ok(live_diagram(
            catalog,
            &Scope {
                schemas: args.schemas.clone(),
                columns: args.columns(),
            },
        )),
        (None, None) => unreachable!("without a design the database is read"),
    }
}
