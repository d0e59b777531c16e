//! `schemaforge import FILE.csv [--table NAME | --into TABLE] [--yes]`: analyse the file,
//! propose a table (or map onto an existing one), then create it and COPY the rows in one
//! transaction.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::analysis::analyse;
use crate::catalog::{self, Catalog};
use crate::db::Session;
use crate::db::apply::{CsvRows, DriftCheck, apply_with_csv};
use crate::db::import_copy::CsvLoad;
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Design, Field, FieldType};
use crate::import::{self, Conversion, Dialect, Encoding, Mapping, Proposal, Target, report};
use crate::plan::Plan;

use super::planning::BundleArgs;
use super::{Exit, open_session};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EncodingArg {
    Utf8,
    Latin1,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file.
    pub file: PathBuf,
    /// Create a new table of this name (default: the file's name).
    #[arg(long, value_name = "NAME", conflicts_with = "into")]
    pub table: Option<String>,
    /// Load into this existing table (`table` or `schema.table`), by its live columns.
    #[arg(long, value_name = "TABLE")]
    pub into: Option<String>,
    /// The schema of the new table (or of --into without one).
    #[arg(long, value_name = "NAME", default_value = "public")]
    pub schema: String,
    /// Print the proposed design (JSON) and stop: correct it, apply it, then `--into`.
    #[arg(long, conflicts_with = "into")]
    pub proposal: bool,
    /// Leave this CSV column out (its header; repeatable).
    #[arg(long, value_name = "COLUMN")]
    pub skip: Vec<String>,
    /// Set a column the CSV does not have to this value on every row (repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub constants: Vec<String>,
    /// Write records with bad values here (with their line and the reason) and load the rest;
    /// without it, one bad value stops the import and nothing is loaded.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// The delimiter: `,` `;` `|` or `tab` (default: detected).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// The first row is data, not a header.
    #[arg(long)]
    pub no_header: bool,
    /// The file's encoding (default: detected).
    #[arg(long, value_enum)]
    pub encoding: Option<EncodingArg>,
    /// Run everything, then roll back: checks the import against the server, changes nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let dialect = match dialect(&args) {
        Ok(d) => d,
        Err(e) => {
            say!("{e}");
            return Exit::Usage;
        }
    };
    let proposal = match import::infer::propose(&args.file, dialect, import::SAMPLE_ROWS) {
        Ok(p) => p,
        Err(e) => {
            say!("{e}");
            return Exit::Usage;
        }
    };
    if let Some(unknown) = args
        .skip
        .iter()
        .find(|s| !proposal.columns.iter().any(|c| &c.header == *s))
    {
        say!(
            "--skip {unknown:?}: the file has no such column (its columns: {})",
            headers(&proposal)
        );
        return Exit::Usage;
    }
    let constants = match parse_constants(&args.constants) {
        Ok(c) => c,
        Err(e) => {
            say!("{e}");
            return Exit::Usage;
        }
    };
    match &args.into {
        Some(into) => run_into(db, &args, &proposal, into, &constants).await,
        None => run_new(db, &args, &proposal, &constants).await,
    }
}

fn headers(proposal: &Proposal) -> String {
    proposal
        .columns
        .iter()
        .map(|c| format!("{:?}", c.header))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dialect(args: &Args) -> Result<Dialect, String> {
    let mut d = import::sniff(&args.file).map_err(|e| e.to_string())?;
    if let Some(delimiter) = &args.delimiter {
        d.delimiter = match delimiter.as_str() {
            "," | "comma" => b',',
            ";" | "semicolon" => b';',
            "|" | "pipe" => b'|',
            "tab" | "\t" | "\\t" => b'\t',
            other => return Err(format!("--delimiter {other:?}: give , ; | or tab")),
        };
    }
    if args.no_header {
        d.has_header = false;
    }
    match args.encoding {
        Some(EncodingArg::Latin1) => d.encoding = Encoding::Latin1,
        Some(EncodingArg::Utf8) if d.encoding == Encoding::Latin1 => d.encoding = Encoding::Utf8,
        _ => {}
    }
    Ok(d)
}

fn parse_constants(items: &[String]) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|item| {
            item.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("--set {item:?}: write FIELD=VALUE"))
        })
        .collect()
}

/// A new table from the proposal: the table and its rows in one bundle.
async fn run_new(
    db: Option<&str>,
    args: &Args,
    proposal: &Proposal,
    constants: &[(String, String)],
) -> Exit {
    let name = args.table.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "imported".into())
    });
    let mut table = proposal.table(&name);
    table.fields.retain(|f| {
        !proposal
            .columns
            .iter()
            .any(|c| c.field.name == f.name && args.skip.contains(&c.header))
    });
    for (field, _) in constants {
        table
            .fields
            .push(Field::new(field, FieldType::SingleLineText));
    }
    let mut mapping = proposal.mapping(&table);
    mapping.constants = constants
        .iter()
        .map(|(f, v)| (derive_db_name(f, NameKind::Field), v.clone()))
        .collect();
    let design = Design {
        schema: args.schema.clone(),
        tables: vec![table.clone()],
        ..Design::default()
    };
    if args.proposal {
        return super::print_stdout(&crate::design::save(&design));
    }
    let mut text = report::summary(proposal);
    text.push_str(&format!(
        "\nproposed table {:?} ({}.{}):\n",
        name,
        args.schema,
        derive_db_name(&name, NameKind::Table)
    ));
    for line in report::column_lines(proposal, &table) {
        text.push_str(&format!("  {line}\n"));
    }
    if super::print_stdout(&text) != Exit::Success {
        return Exit::Runtime;
    }
    let (session, catalog) = match connect_and_read(db, args).await {
        Ok(pair) => pair,
        Err(exit) => return exit,
    };
    let db_name = table
        .db_name
        .clone()
        .unwrap_or_else(|| derive_db_name(&name, NameKind::Table));
    if catalog.table(&args.schema, &db_name).is_some() {
        say!(
            "{}.{db_name} already exists: load into it with --into {db_name}, or name a new table with --table",
            args.schema
        );
        session.close().await;
        return Exit::Usage;
    }
    let analysis = analyse(&design, Some(&catalog), &args.bundle.settings());
    super::planning::report(&args.file, &analysis.findings);
    let Some(plan) = analysis.plan.filter(|_| analysis.resolved.is_some()) else {
        say!(
            "not imported: the proposed table is not valid; correct it with --proposal and --into"
        );
        session.close().await;
        return Exit::Usage;
    };
    let load = CsvLoad {
        path: args.file.clone(),
        dialect: proposal.dialect,
        schema: args.schema.clone(),
        table: db_name,
        mapping,
        rejects: args.rejects.clone(),
    };
    load_with_plan(session, plan, &load, proposal, args, "created").await
}

/// An existing table: the CSV columns map to its live columns by name.
async fn run_into(
    db: Option<&str>,
    args: &Args,
    proposal: &Proposal,
    into: &str,
    constants: &[(String, String)],
) -> Exit {
    let (schema, table) = match into.split_once('.') {
        Some((s, t)) => (s.to_owned(), t.to_owned()),
        None => (args.schema.clone(), into.to_owned()),
    };
    let (session, catalog) = match connect_and_read(db, args).await {
        Ok(pair) => pair,
        Err(exit) => return exit,
    };
    let Some(live) = catalog.table(&schema, &table) else {
        say!("{schema}.{table} does not exist: leave out --into to create it from the file");
        session.close().await;
        return Exit::Usage;
    };
    let mapping = match into_mapping(proposal, live, &args.skip, constants) {
        Ok(m) => m,
        Err(e) => {
            say!("{e}");
            session.close().await;
            return Exit::Usage;
        }
    };
    let mut text = report::summary(proposal);
    text.push_str(&format!("\ninto {schema}.{table}:\n"));
    for (c, target) in proposal.columns.iter().zip(&mapping.targets) {
        let line = match target {
            Target::Column {
                column, conversion, ..
            } => format!("{} → {column} ({})", c.header, conversion.expected()),
            Target::Skip => format!("{} → (skipped)", c.header),
        };
        text.push_str(&format!("  {line}\n"));
    }
    if super::print_stdout(&text) != Exit::Success {
        return Exit::Runtime;
    }
    let design = Design {
        schema: schema.clone(),
        ..Design::default()
    };
    let analysis = analyse(&design, Some(&catalog), &args.bundle.settings());
    let Some(plan) = analysis.plan else {
        super::planning::report(&args.file, &analysis.findings);
        session.close().await;
        return Exit::Usage;
    };
    let load = CsvLoad {
        path: args.file.clone(),
        dialect: proposal.dialect,
        schema,
        table,
        mapping,
        rejects: args.rejects.clone(),
    };
    load_with_plan(session, plan, &load, proposal, args, "loaded into").await
}

/// CSV columns to the live columns of the same name (or the name its header derives to);
/// generated and identity-always columns are never written.
pub fn into_mapping(
    proposal: &Proposal,
    live: &catalog::Table,
    skip: &[String],
    constants: &[(String, String)],
) -> Result<Mapping, String> {
    let find = |name: &str| {
        live.columns.iter().find(|c| {
            c.generated.is_none()
                && c.identity != Some(catalog::Identity::Always)
                && (c.name == name || c.name == derive_db_name(name, NameKind::Field))
        })
    };
    let mut unmatched = Vec::new();
    let targets = proposal
        .columns
        .iter()
        .map(|c| {
            if skip.contains(&c.header) {
                return Target::Skip;
            }
            match find(&c.header) {
                Some(col) => Target::Column {
                    column: col.name.clone(),
                    field: col.name.clone(),
                    conversion: Conversion::for_live_type(&col.data_type, c.format),
                    required: !col.nullable && col.default.is_none() && col.identity.is_none(),
                },
                None => {
                    unmatched.push(format!("{:?}", c.header));
                    Target::Skip
                }
            }
        })
        .collect();
    if !unmatched.is_empty() {
        let columns: Vec<&str> = live.columns.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "{}.{} has no column for {} (its columns: {}); leave them out with --skip",
            live.schema,
            live.name,
            unmatched.join(", "),
            columns.join(", ")
        ));
    }
    let constants = constants
        .iter()
        .map(|(name, value)| {
            find(name)
                .map(|c| (c.name.clone(), value.clone()))
                .ok_or_else(|| {
                    format!(
                        "--set {name}: {}.{} has no such column",
                        live.schema, live.name
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Mapping { targets, constants })
}

async fn connect_and_read(db: Option<&str>, args: &Args) -> Result<(Session, Catalog), Exit> {
    let session = open_session(db).await?;
    let options = crate::db::catalog::ReadOptions::with_lock_timeout(&args.bundle.lock_timeout);
    match crate::db::catalog::read_with(&session.client, &options).await {
        Ok(catalog) => Ok((session, catalog)),
        Err(e) => {
            say!("{e}");
            session.close().await;
            Err(Exit::Runtime)
        }
    }
}

async fn load_with_plan(
    session: Session,
    mut plan: Plan,
    load: &CsvLoad,
    proposal: &Proposal,
    args: &Args,
    verb: &str,
) -> Exit {
    plan.imports.push(report::copy_comment(
        &load.schema,
        &load.table,
        load.mapping.columns().len(),
        proposal,
        load.rejects.as_deref(),
    ));
    let bundle = plan.bundle();
    if !args.yes && !args.dry_run {
        let text = bundle.text.clone();
        let described = session.described.clone();
        let go = tokio::task::spawn_blocking(move || confirm(&described, &text))
            .await
            .unwrap_or(false);
        if !go {
            session.close().await;
            return Exit::Usage;
        }
    }
    let current = async |client: &tokio_postgres::Client| {
        crate::db::catalog::read_in_transaction(client)
            .await
            .map(|c| catalog::fingerprint(&c))
    };
    let check = DriftCheck {
        expected: plan.fingerprint.clone(),
        current,
    };
    let stop = AtomicBool::new(false);
    let work = apply_with_csv(
        &session.client,
        &bundle,
        CsvRows {
            load,
            samples: None,
        },
        args.dry_run,
        Some(check),
        |_| {},
        &stop,
    );
    use super::interrupt::{Outcome, cancellable};
    let result = match cancellable(session.canceller(), &stop, work).await {
        Outcome::Finished(r) | Outcome::Interrupted(r) => r,
        Outcome::Abandoned => {
            say!(
                "cancelled; the connection is closed and the server rolls back: nothing was imported"
            );
            return Exit::Runtime;
        }
    };
    let exit = match result {
        Ok(report) => {
            let done = if report.committed {
                format!("{verb} {}.{}", load.schema, load.table)
            } else {
                format!(
                    "dry run: {verb} {}.{} and rolled back",
                    load.schema, load.table
                )
            };
            let rejected = match (&load.rejects, report.rejected) {
                (Some(file), n) if n > 0 => format!(
                    "; {n} row{} with bad values written to {}",
                    if n == 1 { "" } else { "s" },
                    file.display()
                ),
                _ => String::new(),
            };
            say!(
                "{done}: {} rows in one transaction in {} ms{rejected}",
                report.rows,
                report.elapsed.as_millis()
            );
            Exit::Success
        }
        Err(e) if e.is_drift() => {
            say!("{e}");
            Exit::Drift
        }
        Err(e) => {
            say!("{e}");
            Exit::Runtime
        }
    };
    session.close().await;
    exit
}

fn confirm(described: &str, bundle_text: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        say!(
            "not imported: confirmation needs a terminal; pass --yes to import without asking (or --dry-run)"
        );
        return false;
    }
    if super::print_stdout(bundle_text) != Exit::Success {
        return false;
    }
    say!("import into {described}: type `import` to go ahead, anything else to stop:");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let go = answer.trim() == "import";
    if !go {
        say!("not imported");
    }
    go
}
