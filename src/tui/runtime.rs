//! Carries out [`Effect`]s: database work on tokio tasks whose results come back as
//! messages on the loop's one channel, draft saves on the blocking pool, clipboard text
//! for the terminal. The event loop and the end-to-end tests use this same code; the tests
//! just feed keys in and wait for the tasks instead of reading a terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::catalog;
use crate::db::Session;
use crate::db::apply::{DriftCheck, apply};

use super::app::App;
use super::update::{Effect, Message, update};

pub struct Runtime {
    session: Arc<Session>,
    tx: UnboundedSender<Message>,
    /// Tasks started and not finished; a finished task has sent its last message.
    in_flight: Arc<AtomicUsize>,
    /// Clipboard text the loop still has to write to the terminal (OSC 52).
    pub clipboard: Vec<String>,
}

impl Runtime {
    pub fn new(session: Arc<Session>, tx: UnboundedSender<Message>) -> Runtime {
        Runtime {
            session,
            tx,
            in_flight: Arc::new(AtomicUsize::new(0)),
            clipboard: Vec::new(),
        }
    }

    /// Whether a task is still running.
    pub fn busy(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0
    }

    fn spawn(&self, work: impl Future<Output = Message> + Send + 'static) {
        let tx = self.tx.clone();
        let in_flight = self.in_flight.clone();
        in_flight.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let message = work.await;
            let _ = tx.send(message);
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }

    /// Starts the work `effects` ask for; returns whether the screen must be redrawn.
    pub fn perform(&mut self, effects: Vec<Effect>) -> bool {
        let mut redraw = false;
        for effect in effects {
            match effect {
                Effect::Redraw => redraw = true,
                Effect::ReadCatalog => {
                    let session = self.session.clone();
                    self.spawn(async move {
                        Message::Catalog(
                            crate::db::catalog::read(&session.client)
                                .await
                                .map(Box::new)
                                .map_err(|e| e.to_string()),
                        )
                    });
                }
                Effect::Apply {
                    bundle,
                    fingerprint,
                    dry_run,
                } => {
                    let session = self.session.clone();
                    let progress = self.tx.clone();
                    self.spawn(async move {
                        let drift = DriftCheck {
                            expected: fingerprint,
                            current: async |client: &tokio_postgres::Client| {
                                crate::db::catalog::read_in_transaction(client)
                                    .await
                                    .map(|c| catalog::fingerprint(&c))
                                    .map_err(|e| e.to_string())
                            },
                        };
                        let result = apply(&session.client, &bundle, dry_run, Some(drift), |p| {
                            let _ = progress.send(Message::ApplyProgress(p));
                        })
                        .await;
                        Message::Applied { dry_run, result }
                    });
                }
                Effect::CancelApply => {
                    let canceller = self.session.canceller();
                    self.spawn(async move { Message::CancelSent(canceller.cancel().await) });
                }
                Effect::SaveDraft { path, text } => {
                    self.spawn(async move {
                        let saved = tokio::task::spawn_blocking(move || {
                            super::draft::save_atomically(&path, &text)
                                .map(|()| path)
                                .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                        Message::DraftSaved(saved)
                    });
                }
                Effect::Copy(text) => {
                    self.clipboard.push(text);
                    redraw = true;
                }
            }
        }
        redraw
    }
}

/// Drives an [`App`] like the event loop does, without a terminal: keys in, effects run on
/// real tasks against a real database, messages fed back. For end-to-end tests.
pub struct Harness {
    pub app: App,
    pub runtime: Runtime,
    rx: UnboundedReceiver<Message>,
}

impl Harness {
    /// Starts the app (reads the catalog) on `session`.
    pub fn start(app: App, session: Session) -> Harness {
        let (tx, rx) = unbounded_channel();
        let mut harness = Harness {
            app,
            runtime: Runtime::new(Arc::new(session), tx),
            rx,
        };
        harness.send(Message::Start);
        harness
    }

    pub fn send(&mut self, message: Message) {
        let effects = update(&mut self.app, message);
        self.runtime.perform(effects);
    }

    pub fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.send(Message::Terminal(Event::Key(KeyEvent::new(
            code, modifiers,
        ))));
    }

    /// Types each character as a key press.
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Handles messages until every task has finished and nothing is queued.
    pub async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            while let Ok(message) = self.rx.try_recv() {
                self.send(message);
            }
            if !self.runtime.busy() && self.rx.is_empty() {
                return;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(message)) => self.send(message),
                Ok(None) => return,
                Err(_) => panic!("background work did not finish within 120 s"),
            }
        }
    }

    /// The screen as text, drawn into a test backend.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        self.app.width = width;
        self.app.height = height;
        super::view::render_text(&self.app, width, height)
    }
}
