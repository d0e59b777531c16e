//! Asking for the password at the terminal, as psql does: when the server wants one that
//! neither the URL, PGPASSWORD nor ~/.pgpass gave, or first of all with `-W`. What is typed
//! is not echoed and lives only in this process's memory (never in output, logs or files).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::db::{self, ConnectTarget, PasswordProblem, Session};

use super::Exit;

/// Typed passwords tried before giving up, as many as `sudo` allows.
const ATTEMPTS: usize = 3;

/// `-W`: ask before the first attempt. Set once from the command line before any command
/// runs; every command connects through `open_session`, so one setting beats threading a
/// flag through each of them.
static ASK_FIRST: AtomicBool = AtomicBool::new(false);

pub fn ask_before_connecting(ask: bool) {
    ASK_FIRST.store(ask, Ordering::SeqCst);
}

/// Someone can be asked: stdin and stderr are both terminals (not a pipe, not CI).
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// What the terminal answered.
enum Answer {
    Typed(String),
    /// Just Enter, or Ctrl-D.
    Nothing,
    /// Ctrl-C.
    Interrupted,
    Failed(std::io::Error),
}

/// Connects to `target`, asking for the password when the server wants one and there is a
/// terminal to ask on (or before trying, with `-W`); at most [`ATTEMPTS`] typed passwords.
/// Every failure is reported on stderr here.
pub async fn connect(target: &ConnectTarget) -> Result<Session, Exit> {
    let untyped_failure = if ASK_FIRST.load(Ordering::SeqCst) {
        None
    } else {
        match db::connect(target).await {
            Ok(session) => return Ok(session),
            Err(e) if e.password == Some(PasswordProblem::Missing) && can_ask() => Some(e),
            Err(e) => {
                say!("{e}");
                return Err(Exit::Runtime);
            }
        }
    };
    let mut attempt = 1;
    loop {
        let typed = match ask(target).await {
            Answer::Typed(password) => password,
            Answer::Nothing => {
                match &untyped_failure {
                    Some(e) => say!("{e}"),
                    None => say!("no password typed: not connecting to {}", target.describe()),
                }
                return Err(Exit::Runtime);
            }
            Answer::Interrupted => {
                say!("cancelled at the password prompt");
                return Err(Exit::Runtime);
            }
            Answer::Failed(e) => {
                say!("cannot ask for the password on the terminal: {e}");
                if let Some(e) = &untyped_failure {
                    say!("{e}");
                }
                return Err(Exit::Runtime);
            }
        };
        match db::connect(&target.with_typed_password(&typed)).await {
            Ok(session) => return Ok(session),
            Err(e) if e.password == Some(PasswordProblem::Refused) && attempt < ATTEMPTS => {
                let left = ATTEMPTS - attempt;
                say!(
                    "{}: the password typed was refused; try again ({left} attempt{} left)",
                    e.reason,
                    if left == 1 { "" } else { "s" }
                );
                attempt += 1;
            }
            Err(e) => {
                say!("{e}");
                return Err(Exit::Runtime);
            }
        }
    }
}

/// `Password for user@host:port/database: ` on the terminal, the answer read without echo.
async fn ask(target: &ConnectTarget) -> Answer {
    let prompt = format!("Password for {}: ", target.describe());
    let read = tokio::task::spawn_blocking(move || read_hidden(&prompt)).await;
    match read {
        Ok(Ok(typed)) if typed.is_empty() => Answer::Nothing,
        Ok(Ok(typed)) => Answer::Typed(typed),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            // Ctrl-D ends nothing on the terminal's line: end it before the next message.
            let _ = writeln!(std::io::stderr());
            Answer::Nothing
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => Answer::Interrupted,
        Ok(Err(e)) => Answer::Failed(e),
        Err(e) => Answer::Failed(std::io::Error::other(e)),
    }
}

/// The prompt on the terminal (not stdout: that may be the JSON being piped), the answer
/// read by rpassword without echo.
///
/// The terminal's modes are put back afterwards, whatever happened.
///
/// rpassword reads in raw mode and, on Ctrl-C, raises SIGINT before it restores the
/// terminal: with the default action the process would die with echo off. While it reads,
/// SIGINT does nothing, so rpassword returns `Interrupted` and gives the terminal back.
fn read_hidden(prompt: &str) -> std::io::Result<String> {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    use nix::sys::termios::{LocalFlags, SetArg, SpecialCharacterIndices, tcgetattr, tcsetattr};
    extern "C" fn ignore(_: nix::libc::c_int) {}

    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let modes = tcgetattr(&tty)?;
    // The modes rpassword reads in, set before the prompt shows: keys typed the moment it
    // appears (Ctrl-C, Ctrl-D included) reach rpassword as they are, and none is echoed.
    let mut silent = modes.clone();
    silent
        .local_flags
        .remove(LocalFlags::ECHO | LocalFlags::ECHONL | LocalFlags::ICANON | LocalFlags::ISIG);
    silent.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    silent.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    tcsetattr(&tty, SetArg::TCSANOW, &silent)?;
    let quiet = SigAction::new(
        SigHandler::Handler(ignore),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing, which is async-signal-safe; the previous action
    // (the default, or tokio's handler) is put back as it was right after.
    let previous = unsafe { sigaction(Signal::SIGINT, &quiet) };
    let typed = tty
        .write_all(prompt.as_bytes())
        .and_then(|()| tty.flush())
        .and_then(|()| rpassword::read_password());
    if let Ok(previous) = previous {
        // SAFETY: restores exactly the action that was installed before.
        let _ = unsafe { sigaction(Signal::SIGINT, &previous) };
    }
    let _ = tcsetattr(&tty, SetArg::TCSANOW, &modes);
    typed
}
