//! Carries out [`Effect`]s: database work on tokio tasks whose results come back as
//! messages on the loop's one channel, draft saves on the blocking pool, clipboard text
//! for the terminal. The event loop and the end-to-end tests use this same code; the tests
//! just feed keys in and wait for the tasks instead of reading a terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{AbortHandle, JoinHandle};

use crate::catalog;
use crate::db::Session;
use crate::db::apply::{DriftCheck, apply_with_csv, apply_with_samples};
use crate::db::catalog::{ReadOptions, read_for_tables, read_with};
use crate::db::staged_read::{Staged, read_staged};

use super::app::App;
use super::message::{Effect, Message};
use super::update::update;

/// A table for a staged read to read ahead of its kinds, or `None`: nothing to read first.
type ReadFirst = Option<(String, String)>;

/// The task of the running database job, under the generation `update` gave it.
struct RunningTask {
    generation: u64,
    abort: AbortHandle,
}

pub struct Runtime {
    session: Arc<Session>,
    tx: UnboundedSender<Message>,
    /// Tasks started and not finished; a finished (or aborted) task has sent its last message.
    in_flight: Arc<AtomicUsize>,
    /// The one job on the connection, for Esc to cancel and abort.
    job: Option<RunningTask>,
    /// After an aborted read: ends the read's transaction; the next job waits for it.
    cleanup: Option<JoinHandle<()>>,
    /// Clipboard text the loop still has to write to the terminal (OSC 52).
    pub clipboard: Vec<String>,
    /// The staged read running as this generation, and where to send the tables it should
    /// read next.
    read_first: Option<(u64, UnboundedSender<ReadFirst>)>,
}

/// Counts a task as in flight until it ends or is aborted (dropped).
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn new(counter: &Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Runtime {
    pub fn new(session: Arc<Session>, tx: UnboundedSender<Message>) -> Runtime {
        Runtime {
            session,
            tx,
            in_flight: Arc::new(AtomicUsize::new(0)),
            job: None,
            cleanup: None,
            clipboard: Vec::new(),
            read_first: None,
        }
    }

    /// Whether a task is still running.
    pub fn busy(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0
    }

    fn spawn(&self, work: impl Future<Output = Message> + Send + 'static) -> AbortHandle {
        let tx = self.tx.clone();
        let counted = InFlight::new(&self.in_flight);
        tokio::spawn(async move {
            let _counted = counted;
            let message = work.await;
            let _ = tx.send(message);
        })
        .abort_handle()
    }

    /// Starts database job `generation`: it first waits for the clean-up of an aborted
    /// one, and its result comes back tagged with its generation.
    fn spawn_job(&mut self, generation: u64, work: impl Future<Output = Message> + Send + 'static) {
        let before = self.cleanup.take();
        let abort = self.spawn(async move {
            if let Some(cleanup) = before {
                let _ = cleanup.await;
            }
            Message::Job(generation, Box::new(work.await))
        });
        self.job = Some(RunningTask { generation, abort });
    }

    /// Esc: the server-side cancel for the running statement, and for reads the task is
    /// aborted too; the read's transaction is then ended so the connection is clean.
    fn cancel(&mut self, generation: u64, abort: bool) {
        if self.job.as_ref().is_none_or(|j| j.generation != generation) {
            return;
        }
        let canceller = self.session.canceller();
        if !abort {
            self.spawn(async move {
                Message::CancelSent(canceller.cancel().await.map_err(|e| e.to_string()))
            });
            return;
        }
        if let Some(task) = self.job.take() {
            task.abort.abort();
        }
        let session = self.session.clone();
        let counted = InFlight::new(&self.in_flight);
        self.cleanup = Some(tokio::spawn(async move {
            let _counted = counted;
            // The aborted read's query is still on the server (perhaps waiting on a lock):
            // cancel it, then end the transaction it leaves open. Requests on one client
            // run in order, so this lands before the next job's first statement.
            let _ = canceller.cancel().await;
            crate::db::catalog::end_abandoned_read(&session.client).await;
        }));
    }

    /// Starts the work `effects` ask for; returns whether the screen must be redrawn.
    pub fn perform(&mut self, effects: Vec<Effect>) -> bool {
        let mut redraw = false;
        for effect in effects {
            match effect {
                Effect::Redraw => redraw = true,
                Effect::ReadCatalog {
                    generation,
                    lock_timeout,
                    staged,
                } => {
                    let session = self.session.clone();
                    let tx = self.tx.clone();
                    let (first, mut wanted) = unbounded_channel();
                    self.read_first = staged.then_some((generation, first));
                    self.spawn_job(generation, async move {
                        let options = ReadOptions::with_lock_timeout(&lock_timeout);
                        let result = if staged {
                            read_staged(&session.client, &options, &mut wanted, |stage| {
                                let message = match stage {
                                    Staged::Names(names) => Message::CatalogNames(Box::new(names)),
                                    Staged::Details { catalog, progress } => {
                                        Message::CatalogDetails {
                                            catalog: Box::new(catalog),
                                            progress,
                                        }
                                    }
                                };
                                let _ = tx.send(Message::Job(generation, Box::new(message)));
                            })
                            .await
                        } else {
                            read_with(&session.client, &options).await
                        };
                        Message::Catalog(result.map(Box::new).map_err(|e| e.to_string()))
                    });
                }
                Effect::ReadTableFirst { generation, table } => {
                    if let Some((running, first)) = &self.read_first
                        && *running == generation
                    {
                        let _ = first.send(table);
                    }
                }
                Effect::RereadTables {
                    generation,
                    lock_timeout,
                    tables,
                    read,
                } => {
                    let session = self.session.clone();
                    self.spawn_job(generation, async move {
                        let options = ReadOptions::with_lock_timeout(&lock_timeout);
                        let result = read_for_tables(&session.client, &options, &read)
                            .await
                            .map(Box::new)
                            .map_err(|e| e.to_string());
                        Message::CatalogReread { tables, result }
                    });
                }
                Effect::Apply {
                    generation,
                    bundle,
                    fingerprint,
                    dry_run,
                    samples,
                    csv,
                } => {
                    let session = self.session.clone();
                    let progress = self.tx.clone();
                    self.spawn_job(generation, async move {
                        let set = match &samples {
                            None => None,
                            Some(pending) => {
                                match super::sample_load::sample_set(&session.client, pending).await
                                {
                                    Ok(set) => Some(set),
                                    Err(e) => {
                                        return Message::Applied {
                                            dry_run,
                                            result: Err(crate::db::apply::ApplyError::SampleRows(
                                                e,
                                            )),
                                        };
                                    }
                                }
                            }
                        };
                        let drift = DriftCheck {
                            expected: fingerprint,
                            current: async |client: &tokio_postgres::Client| {
                                crate::db::catalog::read_in_transaction(client)
                                    .await
                                    .map(|c| catalog::fingerprint(&c))
                                    .map_err(|e| e.to_string())
                            },
                        };
                        let report = |p| {
                            let _ = progress.send(Message::Job(
                                generation,
                                Box::new(Message::ApplyProgress(p)),
                            ));
                        };
                        let result = match csv {
                            Some(load) => {
                                let never = std::sync::atomic::AtomicBool::new(false);
                                apply_with_csv(
                                    &session.client,
                                    &bundle,
                                    crate::db::apply::CsvRows {
                                        load: &load,
                                        samples: set.as_ref(),
                                    },
                                    dry_run,
                                    Some(drift),
                                    report,
                                    &never,
                                )
                                .await
                            }
                            None => {
                                apply_with_samples(
                                    &session.client,
                                    &bundle,
                                    set.as_ref(),
                                    dry_run,
                                    Some(drift),
                                    report,
                                )
                                .await
                            }
                        };
                        Message::Applied { dry_run, result }
                    });
                }
                Effect::Simulate {
                    generation,
                    bundle,
                    request,
                    subjects,
                } => {
                    let session = self.session.clone();
                    self.spawn_job(generation, async move {
                        Message::Simulated(
                            crate::db::simulate::simulate_side_by_side(
                                &session.client,
                                bundle.as_ref(),
                                &request,
                                &subjects,
                            )
                            .await
                            .map_err(|e| e.to_string()),
                        )
                    });
                }
                Effect::Cancel { generation, abort } => self.cancel(generation, abort),
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
                Effect::Export(job) => {
                    self.spawn(async move {
                        let written = tokio::task::spawn_blocking(move || {
                            crate::export::write_export(
                                &job.plan,
                                &job.catalog,
                                &job.resolved,
                                &job.request,
                                std::time::SystemTime::now(),
                            )
                            .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                        Message::Exported(written)
                    });
                }
                Effect::SaveDesign { path, text } => {
                    self.spawn(async move {
                        let saved = tokio::task::spawn_blocking(move || {
                            super::draft::save_atomically(&path, &text)
                                .map(|()| path)
                                .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                        Message::DesignSaved(saved)
                    });
                }
                Effect::ReplaceDraft { path, aside, text } => {
                    self.spawn(async move {
                        let replaced = tokio::task::spawn_blocking(move || {
                            std::fs::rename(&path, &aside)
                                .and_then(|()| match &text {
                                    Some(text) => super::draft::save_atomically(&path, text),
                                    None => Ok(()),
                                })
                                .map(|()| aside)
                                .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                        Message::DraftReplaced(replaced)
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

    /// The design being edited (a test's way to read what the keys made).
    pub fn design(&self) -> &crate::design::Design {
        &self.app.model.design.as_ref().expect("a design").design
    }

    /// Applies from the Preview as a user does (`A`, the word `apply`, Enter), waits for the
    /// result, and panics with the apply's state unless it committed.
    pub async fn apply_confirmed(&mut self) {
        self.key(KeyCode::Char('A'));
        self.keys("apply");
        self.key(KeyCode::Enter);
        self.settle().await;
        assert!(
            matches!(
                self.app.apply,
                super::app::ApplyState::Succeeded { dry_run: false, .. }
            ),
            "{:?}",
            self.app.apply
        );
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
            // An aborted task ends without a message: look at `busy` again now and then.
            let wake = deadline.min(tokio::time::Instant::now() + Duration::from_millis(50));
            match tokio::time::timeout_at(wake, self.rx.recv()).await {
                Ok(Some(message)) => self.send(message),
                Ok(None) => return,
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    panic!("background work did not finish within 120 s")
                }
                Err(_) => {}
            }
        }
    }

    /// Waits for the next message from the background work and handles it; `false` when
    /// nothing is running and nothing is queued.
    pub async fn step(&mut self) -> bool {
        loop {
            if let Ok(message) = self.rx.try_recv() {
                self.send(message);
                return true;
            }
            if !self.runtime.busy() {
                return false;
            }
            if let Ok(Some(message)) =
                tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
            {
                self.send(message);
                return true;
            }
        }
    }

    /// The screen as text, drawn into a test backend.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        self.app.view.width = width;
        self.app.view.height = height;
        super::view::render_text(&self.app, width, height)
    }
}
