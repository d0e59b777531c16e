//! The interactive program: state + messages + `update`, drawn by `view`, driven by `run`.
//!
//! Terminal events and the results of database work arrive on one channel; the screen is
//! drawn only when something changed, and drawing never waits for the database.

pub mod app;
pub mod keymap;
pub mod theme;
pub mod update;
pub mod view;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, EventStream};
use crossterm::execute;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::db::Session;

pub use app::App;
pub use update::{Effect, Message, update};

/// Runs the TUI on an open session until the user quits. The terminal is restored on
/// return, on error, and on panic (ratatui's hook).
pub async fn run(mut app: App, session: Session) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, &mut app, session).await;
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    session: Session,
) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let input = tx.clone();
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            if input.send(Message::Terminal(event)).is_err() {
                break;
            }
        }
    });
    let client = std::sync::Arc::new(session);
    {
        let tx = tx.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let message = match crate::db::server::server_info(&client.client).await {
                Ok(info) => Message::Server(info),
                Err(e) => Message::Failed(crate::db::server_error::describe(&e)),
            };
            let _ = tx.send(message);
        });
    }

    app.width = terminal.size()?.width;
    terminal.draw(|f| view::draw(f, app))?;
    while let Some(message) = rx.recv().await {
        let mut redraw = update(app, message).contains(&Effect::Redraw);
        // Take everything already waiting before drawing once.
        while let Ok(message) = rx.try_recv() {
            redraw |= update(app, message).contains(&Effect::Redraw);
        }
        if app.quit {
            break;
        }
        if redraw {
            terminal.draw(|f| view::draw(f, app))?;
        }
    }
    Ok(())
}
