//! Taking over the terminal and always giving it back: on quit, on error, on panic, and
//! when SIGTERM, SIGHUP or SIGINT arrives from outside (in raw mode Ctrl-C is a key, so a
//! SIGINT comes from `kill`, not from the keyboard). A user must never be left with a
//! shell in raw mode on the alternate screen.

use std::io::{Write, stdout};

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::DefaultTerminal;
use ratatui::prelude::CrosstermBackend;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// The signals that end the TUI politely. They are caught before the terminal is taken
/// over, so there is no moment when one of them kills the process with raw mode on.
pub struct StopSignals {
    term: Signal,
    hangup: Signal,
    interrupt: Signal,
}

impl StopSignals {
    pub fn listen() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for one of the signals and names it.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.hangup.recv() => "SIGHUP",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

/// The error `tui::run` returns when a signal ended the session (the terminal is restored
/// by then; the caller only reports it).
pub fn stopped_by(signal: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        format!("stopped by {signal}; the terminal is restored"),
    )
}

/// Raw mode, the alternate screen and mouse capture on; a panic hook that gives the
/// terminal back before the panic message is printed.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    ratatui::Terminal::new(CrosstermBackend::new(stdout()))
}

/// Everything [`enter`] turned on, off again, and the cursor shown. Safe to call twice;
/// every step is tried even when an earlier one fails.
pub fn leave() {
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture);
    let _ = execute!(out, LeaveAlternateScreen);
    let _ = execute!(out, Show);
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Puts the default panic hook back once the terminal is ours no more.
pub fn forget_panic_hook() {
    let _ = std::panic::take_hook();
}
