//! The interactive program: state + messages + `update`, drawn by `view`, driven by `run`.
//!
//! Terminal events and the results of database work arrive on one channel; `update`
//! changes the state and returns effects; the [`runtime::Runtime`] starts the work those
//! ask for. The screen is drawn only when something changed, and drawing never waits for
//! the database.

pub mod app;
pub mod autosave;
pub mod components;
pub mod csv_import;
pub mod draft;
pub mod editing;
pub mod editors;
pub mod findings;
pub mod highlight;
pub mod job;
pub mod keymap;
pub mod last_simulation;
pub mod layout;
pub mod loading;
pub mod message;
pub mod mouse;
pub mod navigation;
pub mod opening;
pub mod osc52;
pub mod overlay;
pub mod phase;
pub mod picker;
pub mod picker_new;
pub mod planning;
pub mod retire;
pub mod rollback_view;
pub mod runtime;
pub mod sample_load;
pub mod simulating;
pub mod terminal;
pub mod theme;
pub mod tree;
pub mod update;
pub mod view;

use std::io::Write;
use std::sync::Arc;

use crossterm::event::EventStream;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::db::Session;

pub use app::App;
pub use message::{Effect, Message};
pub use update::update;

/// Runs the TUI on an open session until the user quits. The terminal is restored on
/// return, on error, on panic, and on SIGTERM/SIGHUP/SIGINT (see [`terminal`]).
pub async fn run(mut app: App, session: Session) -> std::io::Result<()> {
    let mut stop = terminal::StopSignals::listen()?;
    let mut screen = match terminal::enter() {
        Ok(screen) => screen,
        Err(e) => {
            terminal::leave();
            terminal::forget_panic_hook();
            return Err(e);
        }
    };
    let result = tokio::select! {
        result = event_loop(&mut screen, &mut app, session) => result,
        signal = stop.recv() => Err(terminal::stopped_by(signal)),
    };
    terminal::leave();
    terminal::forget_panic_hook();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    session: Session,
) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let input = tx.clone();
    let reader = tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            if input.send(Message::Terminal(event)).is_err() {
                break;
            }
        }
    });
    let mut runtime = runtime::Runtime::new(Arc::new(session), tx);

    let size = terminal.size()?;
    app.view.width = size.width;
    app.view.height = size.height;
    runtime.perform(update(app, Message::Start));
    terminal.draw(|f| view::draw(f, app))?;
    while let Some(message) = rx.recv().await {
        let mut redraw = runtime.perform(update(app, message));
        // Take everything already waiting before drawing once.
        while let Ok(message) = rx.try_recv() {
            redraw |= runtime.perform(update(app, message));
        }
        for text in runtime.clipboard.drain(..) {
            let mut out = std::io::stdout();
            let _ = out.write_all(osc52::sequence(&text).as_bytes());
            let _ = out.flush();
        }
        if app.view.quit {
            break;
        }
        if redraw {
            terminal.draw(|f| view::draw(f, app))?;
        }
    }
    reader.abort();
    Ok(())
}
