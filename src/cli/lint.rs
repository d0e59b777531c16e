//! `schemaforge lint [DESIGN.json] [--json] [--simulate [--as USER] [--role ROLE] [--and-as USER]]`:
//! the RLS linter over the live database, or over the database as the design would leave
//! it; optionally followed by the policy simulator, for one user or two side by side, over
//! the design's sample rows.
//! Exit 4 when a finding is an error. `--format sarif|github` is for CI: a SARIF log for code
//! scanning, or workflow commands that annotate the pull request.

mod github;
mod locate;
mod sarif;

use std::path::PathBuf;

use locate::DesignLocator;

use crate::analysis::analyse_live;
use crate::db::simulate::simulate_side_by_side;
use crate::findings::{Finding, counts, has_errors};
use crate::rls::lint::LintContext;
use crate::rls::simulate::{
    Outcome, SimRole, SimUser, SimulationReport, SimulationRequest, SimulationSamples, Subject,
};

use super::Exit;
use super::planning::{BundleArgs, analyse_design};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Anon,
    Authenticated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A design file: lint the database as this design would leave it (nothing is applied).
    pub design: Option<PathBuf>,
    /// Print {"findings": [...]} (and "simulation" with --simulate) as JSON: `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// text, json, sarif (SARIF 2.1.0 for code scanning) or github (workflow annotations).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also run every table's SELECT/INSERT/UPDATE/DELETE as a user, in a transaction that
    /// is rolled back (with a design: after applying its bundle inside that transaction).
    #[arg(long)]
    pub simulate: bool,
    /// The auth.users id or email to simulate (default: a generated test user).
    #[arg(long = "as", value_name = "USER", requires = "simulate")]
    pub as_user: Option<String>,
    /// The API role to simulate.
    #[arg(long, value_enum, default_value = "authenticated")]
    pub role: RoleArg,
    /// A second user beside the first (an id, an email, `generated` or `anon`): which rows
    /// each one sees.
    #[arg(long = "and-as", value_name = "USER", requires = "simulate")]
    pub and_as: Option<String>,
    /// Seed of the design's sample rows the simulation loads (as `apply --seed`), owned by
    /// the simulated users.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "simulate")]
    pub seed: u64,
    /// Simulate without the design's sample rows.
    #[arg(long, requires = "simulate")]
    pub no_samples: bool,
    #[command(flatten)]
    pub bundle: BundleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let format = if args.json { Format::Json } else { args.format };
    let mut locator = None;
    let (session, findings, bundle, schemas, samples) = match &args.design {
        Some(file) => {
            let analysed = match analyse_design(db, file, &args.bundle.settings()).await {
                Ok(analysed) => analysed,
                Err(exit) => return exit,
            };
            let analysis = analysed.analysis;
            let text = std::fs::read_to_string(file).unwrap_or_default();
            locator = Some(DesignLocator::new(file, &text, analysis.resolved.as_ref()));
            if analysis.is_unplannable() {
                // The same findings the TUI shows; nothing to lint or simulate without a plan.
                analysed.session.close().await;
                let _ = print(&analysis.findings, &[], format, locator.as_ref());
                return Exit::Usage;
            }
            let bundle = analysis
                .bundle
                .filter(|_| analysis.plan.as_ref().is_some_and(|p| !p.is_empty()));
            let schemas = analysis
                .resolved
                .as_ref()
                .map(|r| LintContext::for_design(r).exposed_schemas)
                .unwrap_or_default();
            let samples = analysis.resolved.as_ref().and_then(|r| {
                SimulationSamples::for_new_tables(r, &analysed.catalog, args.seed)
                    .filter(|_| !args.no_samples)
            });
            (
                analysed.session,
                analysis.findings,
                bundle,
                schemas,
                samples,
            )
        }
        None => {
            let session = match super::open_session(db).await {
                Ok(session) => session,
                Err(exit) => return exit,
            };
            let catalog = match crate::db::catalog::read(&session.client).await {
                Ok(catalog) => catalog,
                Err(e) => {
                    say!("{e}");
                    return Exit::Runtime;
                }
            };
            let schemas = LintContext::live().exposed_schemas;
            (
                session,
                analyse_live(&catalog).findings,
                None,
                schemas,
                None,
            )
        }
    };
    let simulations = if args.simulate {
        let request = SimulationRequest {
            schemas,
            user: args.as_user.as_deref().map_or(SimUser::Generated, user_arg),
            role: match args.role {
                RoleArg::Anon => SimRole::Anon,
                RoleArg::Authenticated => SimRole::Authenticated,
            },
            setup: Vec::new(),
            samples,
        };
        let mut subjects = vec![request.subject()];
        subjects.extend(args.and_as.as_deref().map(subject_arg));
        match simulate_side_by_side(&session.client, bundle.as_ref(), &request, &subjects).await {
            Ok(reports) => reports,
            Err(e) => {
                say!("{e}");
                session.close().await;
                return Exit::Runtime;
            }
        }
    } else {
        Vec::new()
    };
    session.close().await;
    match print(&findings, &simulations, format, locator.as_ref()) {
        Exit::Success if has_errors(&findings) => Exit::LintErrors,
        other => other,
    }
}

/// `--as`/`--and-as`: an email when it has an `@`, else an `auth.users` id.
fn user_arg(text: &str) -> SimUser {
    if text.contains('@') {
        SimUser::Email(text.to_owned())
    } else {
        SimUser::Existing(text.to_owned())
    }
}

/// `--and-as`: `anon`, `generated`, or a user.
fn subject_arg(text: &str) -> Subject {
    match text {
        "anon" => Subject::anon(),
        "generated" => Subject::user(SimUser::Generated),
        other => Subject::user(user_arg(other)),
    }
}

/// The findings (and simulations) on stdout in `format`; the counts on stderr. JSON:
/// `simulation` is the first user's report, `simulations` every user's, in order. SARIF and
/// GitHub annotations hold findings only: a simulation goes to stderr as text beside them.
fn print(
    findings: &[Finding],
    simulations: &[SimulationReport],
    format: Format,
    design: Option<&DesignLocator>,
) -> Exit {
    let simulation_text = || {
        let mut text = String::new();
        for report in simulations {
            text.push_str(&render_simulation(report));
        }
        if let [a, b] = simulations {
            text.push_str(&render_side_by_side(a, b));
        }
        text
    };
    let printed = match format {
        Format::Json => {
            let mut out = serde_json::json!({ "findings": findings });
            if let Some(report) = simulations.first() {
                out["simulation"] = serde_json::to_value(report).unwrap_or_default();
                out["simulations"] = serde_json::to_value(simulations).unwrap_or_default();
            }
            super::print_json_stdout(&format!("{out:#}\n"))
        }
        Format::Text => super::print_stdout(&(render_findings(findings) + &simulation_text())),
        Format::Sarif => {
            let log = sarif::log(findings, design);
            super::print_json_stdout(&format!("{log:#}\n"))
        }
        Format::Github => super::print_stdout(&github::annotations(findings, design)),
    };
    if matches!(format, Format::Sarif | Format::Github) && !simulations.is_empty() {
        for line in simulation_text().lines() {
            say!("{line}");
        }
    }
    say!("{}", summary(findings));
    printed
}

fn summary(findings: &[Finding]) -> String {
    let (errors, warns, infos) = counts(findings);
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}: {}, {}, {infos} info",
        count(findings.len(), "finding", "findings"),
        count(errors, "error", "errors"),
        count(warns, "warning", "warnings"),
    )
}

/// One block per finding: level, rule and object; the message; the remedy.
pub fn render_findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{:<5}  {}  {}\n       {}\n",
            f.severity.label(),
            f.rule,
            f.object,
            f.message,
        ));
        if !f.remedy.is_empty() {
            out.push_str(&format!("       fix: {}\n", f.remedy));
        }
    }
    out
}

pub fn render_simulation(report: &SimulationReport) -> String {
    let who = report.who();
    let width = report
        .tables
        .iter()
        .map(|t| t.table.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "\nsimulation as {who}, rolled back\n{:<width$}  {:>5}  {:<8}  {:<8}  {:<8}  DELETE\n",
        "table", "rows", "SELECT", "INSERT", "UPDATE"
    );
    for t in &report.tables {
        out.push_str(&format!(
            "{:<width$}  {:>5}  {:<8}  {:<8}  {:<8}  {}\n",
            t.table,
            t.total_rows,
            t.select.to_string(),
            t.insert.to_string(),
            t.update.to_string(),
            t.delete
        ));
        for (op, probe) in [
            ("SELECT", &t.select),
            ("INSERT", &t.insert),
            ("UPDATE", &t.update),
            ("DELETE", &t.delete),
        ] {
            if let (Outcome::Failed, Some(message)) = (probe.outcome, &probe.message) {
                out.push_str(&format!("  {op} failed: {message}\n"));
            }
        }
        if let (Some(other), Some(owner)) = (&t.insert_for_other, &t.owner_column) {
            let said = match (other.outcome, &other.message) {
                (Outcome::Allowed, _) => "allowed".to_owned(),
                (_, Some(message)) => format!("{other}: {message}"),
                (_, None) => other.to_string(),
            };
            out.push_str(&format!("  INSERT with {owner} = another user: {said}\n"));
        }
    }
    out
}

/// Which rows each of two users sees, table by table (ids for small tables).
pub fn render_side_by_side(a: &SimulationReport, b: &SimulationReport) -> String {
    let mut out = format!("\nside by side: {} | {}\n", a.who(), b.who());
    for (ta, tb) in a.tables.iter().zip(&b.tables) {
        let sees = |t: &crate::rls::simulate::TableProbes| match (&t.select.outcome, &t.visible_ids)
        {
            (Outcome::Allowed, Some(ids)) if !ids.is_empty() => {
                format!("{} of {} ({})", t.select.rows, t.total_rows, ids.join(", "))
            }
            (Outcome::Allowed, _) => format!("{} of {}", t.select.rows, t.total_rows),
            _ => t.select.to_string(),
        };
        out.push_str(&format!("  {}: {} | {}\n", ta.table, sees(ta), sees(tb)));
    }
    out
}
