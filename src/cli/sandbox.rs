//! `schemaforge sandbox` and `schemaforge --sandbox`.

use crate::db::sandbox::Sandbox;
use crate::db::{self, ConnectTarget, Env};

use super::Exit;

/// The database a sandbox user designs in.
const DATABASE: &str = "postgres";

async fn start() -> Result<(Sandbox, String), Exit> {
    let sandbox = match tokio::task::spawn_blocking(Sandbox::start).await {
        Ok(Ok(sandbox)) => sandbox,
        Ok(Err(e)) => {
            say!("cannot start the sandbox: {e}");
            return Err(Exit::Runtime);
        }
        Err(e) => {
            say!("cannot start the sandbox: {e}");
            return Err(Exit::Runtime);
        }
    };
    match db::shim::prepare_sandbox_database(&sandbox, DATABASE).await {
        Ok(url) => Ok((sandbox, url)),
        Err(e) => {
            say!("{e}");
            Err(Exit::Runtime)
        }
    }
}

/// Prints the URL and keeps the cluster until Ctrl-C or SIGTERM, then removes it.
pub async fn run() -> Exit {
    let (sandbox, url) = match start().await {
        Ok(started) => started,
        Err(exit) => return exit,
    };
    if super::print_stdout(&format!("{url}\n")) != Exit::Success {
        return Exit::Runtime;
    }
    say!(
        "sandbox running (data in {}); Ctrl-C stops it and removes every file",
        sandbox.dir().display()
    );
    let outcome = wait_for_stop_signal().await;
    tokio::task::spawn_blocking(move || sandbox.stop())
        .await
        .ok();
    say!("sandbox stopped and removed");
    outcome
}

async fn wait_for_stop_signal() -> Exit {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hangup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        say!("cannot listen for signals");
        return Exit::Runtime;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = hangup.recv() => {}
    }
    Exit::Success
}

/// The TUI on a fresh sandbox, removed when the TUI ends.
/// The sandbox's draft key: one draft for every sandbox session, offered at the next start.
const SANDBOX_DRAFT: &str = "sandbox";

pub async fn run_tui(options: &super::TuiOptions) -> Exit {
    let (sandbox, url) = match start().await {
        Ok(started) => started,
        Err(exit) => return exit,
    };
    let target =
        ConnectTarget::resolve(Some(&url), &Env::default()).expect("the sandbox URL is valid");
    let exit = match db::connect(&target).await {
        Ok(session) => {
            let options = super::TuiOptions {
                draft_key: Some(SANDBOX_DRAFT.into()),
                ..options.clone()
            };
            super::run_tui(session, &options).await
        }
        Err(e) => {
            say!("{e}");
            Exit::Runtime
        }
    };
    tokio::task::spawn_blocking(move || sandbox.stop())
        .await
        .ok();
    exit
}
