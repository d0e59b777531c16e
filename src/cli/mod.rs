//! The command line: clap definitions, dispatch and exit codes. Only this module and
//! `main.rs` write to stdout and stderr.

/// `say!("...")`: a formatted line on stderr that never panics.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::say_line(format_args!($($arg)*))
    };
}

mod apply;
mod catalog_read;
mod connections;
mod design;
mod erd;
mod export;
mod import;
mod inspect;
mod interrupt;
mod lint;
mod logs;
mod password_prompt;
mod plan;
mod planning;
mod sandbox;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::db::{ConnectTarget, Env, Session};
use crate::tui::picker::Pick;

/// Exit codes of SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// A database or runtime error; nothing was applied.
    Runtime = 1,
    /// Bad usage or an invalid design.
    Usage = 2,
    /// The live schema changed between plan and apply.
    Drift = 3,
    /// `lint` found error-level findings.
    LintErrors = 4,
    /// `apply --yes` refused a destructive plan without `--allow-destructive`.
    Destructive = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "schemaforge",
    version,
    about = "A terminal UI schema designer for PostgreSQL and Supabase-style projects",
    long_about = "Shows the schema a database already has, walks you through tables, fields, \
                  relations, row-level security and sample records, and applies it all as one \
                  transaction.\n\nConnection: --db URL, else DATABASE_URL, else the libpq \
                  variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE) and ~/.pgpass. \
                  Password: from the URL, PGPASSWORD or ~/.pgpass; when the server wants one \
                  that none of them gave, it is asked for on the terminal (not echoed, kept \
                  only in memory); -W asks before connecting."
)]
pub struct Cli {
    /// Connection URL or key=value string (default: DATABASE_URL, then the PG* variables).
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,

    /// A connection saved in config.toml (`schemaforge connections add NAME --db URL`).
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "db")]
    pub connection: Option<String>,

    /// Ask for the password on the terminal before connecting, as psql -W does (without it,
    /// schemaforge asks only when the server wants a password it was not given).
    #[arg(short = 'W', long, global = true)]
    pub password: bool,

    /// Run on a throwaway local PostgreSQL with the Supabase-compatible shim.
    #[arg(long, conflicts_with_all = ["db", "connection"])]
    pub sandbox: bool,

    /// A design file to open.
    #[arg(long, value_name = "FILE")]
    pub design: Option<PathBuf>,

    /// The colour theme: dark, light, high-contrast, or a file in <config dir>/themes/ (default: config.toml's, else dark).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Explain each phase on its pane, for someone new to databases (`w` toggles it).
    #[arg(long)]
    pub walkthrough: bool,

    /// How much goes to <data dir>/schemaforge.log (statements and their durations at debug).
    #[arg(long, global = true, value_enum, default_value_t = logs::LogLevel::Info, value_name = "LEVEL")]
    pub log_level: logs::LogLevel,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a throwaway local database, print its URL, and keep it until Ctrl-C.
    Sandbox,
    /// Show the schema the database has: tables, columns, keys, indexes, policies, triggers.
    Inspect(inspect::Args),
    /// Print the bundle that would bring the database to the design (or save it with --out).
    Plan(plan::Args),
    /// Apply a design, or a saved plan, in one transaction.
    Apply(apply::Args),
    /// Write the plan as a Supabase CLI migration (supabase/migrations/<timestamp>_….sql).
    Export(export::Args),
    /// Lint row-level security and schema hygiene, live or as a design would leave it.
    Lint(lint::Args),
    /// Print the live schema as a design file (--from-db), to edit and plan again.
    Design(design::Args),
    /// Draw the schema: the live one, a design, or the database as the design leaves it.
    Erd(erd::Args),
    /// Analyse a CSV file, propose a table (or map onto --into), create it and COPY the rows.
    Import(import::Args),
    /// Save named connections in config.toml (never their passwords), and list them.
    Connections {
        #[command(subcommand)]
        action: connections::Action,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Parses the command line, runs the command, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logs::install(cli.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            say!("cannot start the async runtime: {e}");
            return Exit::Runtime.into();
        }
    };
    let exit = runtime.block_on(run(cli));
    // A prompt abandoned by Ctrl-C leaves its reader blocked on stdin: don't wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    exit.into()
}

async fn run(cli: Cli) -> Exit {
    if cli.password && !password_prompt::can_ask() {
        say!("--password needs a terminal to ask on");
        return Exit::Usage;
    }
    password_prompt::ask_before_connecting(cli.password);
    let tui = TuiOptions {
        design: cli.design.clone(),
        theme: cli.theme.clone(),
        walkthrough: cli.walkthrough,
        draft_key: None,
    };
    let saved = match cli
        .connection
        .as_deref()
        .map(connections::connection_string)
    {
        Some(Ok(text)) => Some(text),
        Some(Err(exit)) => return exit,
        None => None,
    };
    let cli = Cli {
        db: saved.or(cli.db),
        ..cli
    };
    match cli.command {
        Some(Command::Sandbox) => sandbox::run().await,
        Some(Command::Inspect(args)) => inspect::run(cli.db.as_deref(), args).await,
        Some(Command::Plan(args)) => plan::run(cli.db.as_deref(), args).await,
        Some(Command::Apply(args)) => apply::run(cli.db.as_deref(), args).await,
        Some(Command::Export(args)) => export::run(cli.db.as_deref(), args).await,
        Some(Command::Lint(args)) => lint::run(cli.db.as_deref(), args).await,
        Some(Command::Design(args)) => design::run(cli.db.as_deref(), args).await,
        Some(Command::Erd(args)) => erd::run(cli.db.as_deref(), args).await,
        Some(Command::Import(args)) => import::run(cli.db.as_deref(), args).await,
        Some(Command::Connections { action }) => connections::run(cli.db.as_deref(), action),
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "schemaforge", &mut std::io::stdout());
            Exit::Success
        }
        None if cli.sandbox => sandbox::run_tui(&tui).await,
        None => interactive(cli.db.as_deref(), &tui).await,
    }
}

/// What the interactive program is started with.
#[derive(Debug, Clone, Default)]
pub(crate) struct TuiOptions {
    pub design: Option<PathBuf>,
    pub theme: Option<String>,
    pub walkthrough: bool,
    /// What the draft is kept under instead of the connection: the sandbox's connection
    /// changes every run (a new directory and port), its draft should not.
    pub draft_key: Option<String>,
}

async fn interactive(db: Option<&str>, options: &TuiOptions) -> Exit {
    // A bad theme, config or design file is reported before connecting.
    if let Err(e) = build_app(String::new(), options, false) {
        say!("{e}");
        return Exit::Usage;
    }
    let picked = match db {
        Some(_) => None,
        None => {
            let theme = load_theme(options).unwrap_or_default();
            match connections::pick_when_nowhere_to_connect(&theme).await {
                Ok(picked) => picked,
                Err(exit) => return exit,
            }
        }
    };
    let saved = match picked {
        Some(Pick::Sandbox) => return sandbox::run_tui(options).await,
        Some(Pick::Saved(name)) => match connections::connection_string(&name) {
            Ok(text) => Some(text),
            Err(exit) => return exit,
        },
        Some(Pick::Defaults) | None => None,
    };
    let db = saved.as_deref().or(db);
    let session = match open_session(db).await {
        Ok(session) => session,
        Err(exit) => return exit,
    };
    run_tui(session, options).await
}

/// The app for a connection: config.toml (theme, keys), `--theme`, `--walkthrough`,
/// `--design FILE`, and — without `--design` — the offer to resume this database's draft.
fn build_app(
    connection: String,
    options: &TuiOptions,
    drafts: bool,
) -> Result<crate::tui::App, String> {
    use crate::tui::{draft, keymap::Keymap};
    let config_dir = crate::config::config_dir();
    let config = crate::config::Config::load(config_dir.as_deref()).map_err(|e| e.to_string())?;
    let theme = load_theme(options)?;
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| e.to_string())?;
    let mut app = crate::tui::App::new(connection.clone(), theme, keymap);
    app.view.walkthrough = options.walkthrough;
    if drafts {
        let key = options.draft_key.as_deref().unwrap_or(&connection);
        app.draft_path = crate::config::data_dir().map(|d| draft::path(&d, key));
    }
    let draft_found = draft::open_on_start(&mut app);
    if let Some(file) = &options.design {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        // Parsed, not validated: a design with mistakes opens and shows them as findings.
        let (design, _) = crate::design::parse(&text).map_err(|diagnostics| {
            diagnostics
                .iter()
                .map(|d| format!("{}: {d}", file.display()))
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        crate::tui::opening::open_design(&mut app, design, file.clone(), draft_found);
    } else {
        crate::tui::opening::offer_draft(&mut app, draft_found);
    }
    Ok(app)
}

/// The theme `--theme` or config.toml names (dark by default), as `NO_COLOR` allows.
fn load_theme(options: &TuiOptions) -> Result<crate::tui::theme::Theme, String> {
    let config_dir = crate::config::config_dir();
    let config = crate::config::Config::load(config_dir.as_deref()).map_err(|e| e.to_string())?;
    let name = options
        .theme
        .clone()
        .or(config.theme)
        .unwrap_or_else(|| "dark".into());
    Ok(crate::tui::theme::Theme::load(&name, config_dir.as_deref())
        .map_err(|e| e.to_string())?
        .respecting_no_color(std::env::var_os("NO_COLOR").as_deref()))
}

pub(crate) async fn run_tui(session: Session, options: &TuiOptions) -> Exit {
    let app = match build_app(session.described.clone(), options, true) {
        Ok(app) => app,
        Err(e) => {
            say!("{e}");
            session.close().await;
            return Exit::Usage;
        }
    };
    match crate::tui::run(app, session).await {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            say!("{e}");
            Exit::Runtime
        }
        Err(e) => {
            say!("the terminal failed: {e}");
            Exit::Runtime
        }
    }
}

/// Resolves the connection from `--db` and the environment and connects, asking for the
/// password on the terminal when needed, reporting any failure on stderr (the error type
/// already names the target and the fix).
pub async fn open_session(db: Option<&str>) -> Result<Session, Exit> {
    let target = ConnectTarget::resolve(db, &Env::from_process()).map_err(|e| {
        say!("{e}");
        Exit::Usage
    })?;
    for note in &target.notes {
        say!("note: {note}");
    }
    password_prompt::connect(&target).await
}

/// A line on stderr for the user. A closed stderr (`2>&1 | head`) is not worth a panic.
///
/// Messages quote designs, names, statements and server errors, so control characters are
/// shown escaped here, at the one place stderr is written (line breaks and tabs kept).
pub fn say_line(message: std::fmt::Arguments<'_>) {
    let text = message.to_string();
    let shown = crate::safe_text::escape_keeping_layout(&text);
    let _ = writeln!(std::io::stderr().lock(), "schemaforge: {shown}");
}

/// [`print_stdout`] for JSON: on a terminal, controls inside its strings become JSON
/// escapes, so what is shown is still valid JSON with the same value.
pub fn print_json_stdout(json: &str) -> Exit {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        print_stdout(&crate::safe_text::json_for_terminal(json))
    } else {
        print_stdout(json)
    }
}

/// Writes to stdout, treating a closed pipe (`| head`) as success rather than a panic.
/// On a terminal control characters are shown escaped; a file or pipe gets the exact bytes.
pub fn print_stdout(text: &str) -> Exit {
    use std::io::IsTerminal;
    let mut out = std::io::stdout().lock();
    let shown = crate::safe_text::for_terminal(text, out.is_terminal());
    match out.write_all(shown.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            say!("cannot write output: {e}");
            Exit::Runtime
        }
    }
}
