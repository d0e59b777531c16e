//! `schemaforge lint [DESIGN.json] [--json] [--simulate [--as USER_ID] [--role ROLE]]`:
//! the RLS linter over the live database, or over the database as the design would leave
//! it; optionally followed by the policy simulator. Exit 4 when a finding is an error.

use std::path::PathBuf;

use crate::catalog;
use crate::rls::lint::{Finding, LintContext, has_errors, lint, lint_design};
use crate::rls::simulate::{SimRole, SimUser, SimulationReport, SimulationRequest, simulate};

use super::Exit;
use super::planning::{BundleArgs, plan_design};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Anon,
    Authenticated,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A design file: lint the database as this design would leave it (nothing is applied).
    pub design: Option<PathBuf>,
    /// Print {"findings": [...]} (and "simulation" with --simulate) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also run every table's SELECT/INSERT/UPDATE/DELETE as a user, in a transaction that
    /// is rolled back (with a design: after applying its bundle inside that transaction).
    #[arg(long)]
    pub simulate: bool,
    /// The auth.users id to simulate (default: a generated test user).
    #[arg(long = "as", value_name = "USER_ID", requires = "simulate")]
    pub as_user: Option<String>,
    /// The API role to simulate.
    #[arg(long, value_enum, default_value = "authenticated")]
    pub role: RoleArg,
    #[command(flatten)]
    pub bundle: BundleArgs,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let (session, findings, bundle, schemas) = match &args.design {
        Some(file) => {
            let planned = match plan_design(db, file, &args.bundle.settings()).await {
                Ok(planned) => planned,
                Err(exit) => return exit,
            };
            let findings = lint_design(&planned.catalog, &planned.resolved, &planned.plan);
            let bundle = (!planned.plan.is_empty()).then(|| planned.plan.bundle());
            let schemas = LintContext::for_design(&planned.resolved).exposed_schemas;
            (planned.session, findings, bundle, schemas)
        }
        None => {
            let session = match super::open_session(db).await {
                Ok(session) => session,
                Err(exit) => return exit,
            };
            let catalog = match catalog::read(&session.client).await {
                Ok(catalog) => catalog,
                Err(e) => {
                    say!("{e}");
                    return Exit::Runtime;
                }
            };
            let context = LintContext::live();
            let schemas = context.exposed_schemas.clone();
            (session, lint(&catalog, &context), None, schemas)
        }
    };
    let simulation = if args.simulate {
        let request = SimulationRequest {
            schemas,
            user: args
                .as_user
                .clone()
                .map_or(SimUser::Generated, SimUser::Existing),
            role: match args.role {
                RoleArg::Anon => SimRole::Anon,
                RoleArg::Authenticated => SimRole::Authenticated,
            },
            setup: Vec::new(),
        };
        match simulate(&session.client, bundle.as_ref(), &request).await {
            Ok(report) => Some(report),
            Err(e) => {
                say!("{e}");
                session.close().await;
                return Exit::Runtime;
            }
        }
    } else {
        None
    };
    session.close().await;
    let text = if args.json {
        let mut out = serde_json::json!({ "findings": findings });
        if let Some(report) = &simulation {
            out["simulation"] = serde_json::to_value(report).unwrap_or_default();
        }
        format!("{out:#}\n")
    } else {
        let mut text = render_findings(&findings);
        if let Some(report) = &simulation {
            text.push_str(&render_simulation(report));
        }
        text
    };
    let printed = if args.json {
        super::print_json_stdout(&text)
    } else {
        super::print_stdout(&text)
    };
    say!("{}", summary(&findings));
    match printed {
        Exit::Success if has_errors(&findings) => Exit::LintErrors,
        other => other,
    }
}

fn summary(findings: &[Finding]) -> String {
    let count = |level: &str| findings.iter().filter(|f| f.level.label() == level).count();
    format!(
        "{} finding{}: {} error, {} warn, {} info",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        count("error"),
        count("warn"),
        count("info")
    )
}

/// One block per finding: level, rule and object; the message; the remedy.
pub fn render_findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{:<5}  {}  {}\n       {}\n       fix: {}\n",
            f.level.label(),
            f.rule,
            f.object,
            f.message,
            f.remedy
        ));
    }
    out
}

pub fn render_simulation(report: &SimulationReport) -> String {
    let who = match &report.user {
        Some(id) => format!("user {id} ({})", report.role.name()),
        None => report.role.name().to_owned(),
    };
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
            ("INSERT", &t.insert),
            ("UPDATE", &t.update),
            ("DELETE", &t.delete),
        ] {
            if let (crate::rls::simulate::Outcome::Failed, Some(message)) =
                (probe.outcome, &probe.message)
            {
                out.push_str(&format!("  {op} failed: {message}\n"));
            }
        }
    }
    out
}
