//! What `update` takes and what it asks for: messages in (terminal input, results of work
//! done elsewhere), effects out (work for the runtime). Both are plain data, so `update`,
//! the mouse handler and the runtime share them without importing each other.

use std::path::PathBuf;

use crossterm::event::Event;

use crate::catalog::Catalog;
use crate::db::apply::{ApplyError, ApplyReport, Progress};
use crate::plan::Bundle;
use crate::rls::simulate::{SimulationReport, SimulationRequest, Subject};

/// Everything that can happen: terminal input and the results of work done elsewhere.
#[derive(Debug)]
pub enum Message {
    /// The program started: read the catalog, save an opened design.
    Start,
    Terminal(Event),
    /// A result of database job `generation`; taken only while that job is the one running.
    Job(u64, Box<Message>),
    Catalog(Result<Box<Catalog>, String>),
    /// The names read first (schemas, tables): enough for the tree while details load.
    CatalogNames(Box<Catalog>),
    /// More of the first read's details: everything read so far, and which kinds that is.
    CatalogDetails {
        catalog: Box<Catalog>,
        progress: crate::db::staged_read::Progress,
    },
    /// After an apply: every name, details only for `tables` (the rest are kept).
    CatalogReread {
        tables: Vec<(String, String)>,
        result: Result<Box<Catalog>, String>,
    },
    ApplyProgress(Progress),
    Applied {
        dry_run: bool,
        result: Result<ApplyReport, ApplyError>,
    },
    /// The policy simulator's reports, one per user (or why it failed).
    Simulated(Result<Vec<SimulationReport>, String>),
    /// The cancel request was sent (or could not be).
    CancelSent(Result<(), String>),
    DraftSaved(Result<PathBuf, String>),
    /// `Ctrl-s` wrote the design to this file (or could not).
    DesignSaved(Result<PathBuf, String>),
    /// The export's files were written (the report), or why not.
    Exported(Result<crate::export::Report, String>),
    /// The draft was moved aside (to the path) and the opened file's design saved instead.
    DraftReplaced(Result<PathBuf, String>),
    /// Background work failed; the text is for the status line.
    Failed(String),
}

/// Work `update` asks the runtime to do; its results come back as messages.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// The screen changed and must be drawn.
    Redraw,
    /// Read the live schema as job `generation`: staged (the names first, then the details
    /// kind by kind) when nothing is shown yet, else in one piece.
    ReadCatalog {
        generation: u64,
        /// How long a read waits for a lock before reading around the table.
        lock_timeout: String,
        staged: bool,
    },
    /// During staged read `generation`: read this table's details next (`None`: nothing to
    /// read first, go on with the kinds).
    ReadTableFirst {
        generation: u64,
        table: Option<(String, String)>,
    },
    /// Re-read, as job `generation`, the details of only these tables (what an apply
    /// touched and their foreign-key neighbours).
    RereadTables {
        generation: u64,
        lock_timeout: String,
        /// The tables to take from the read (`reread::touched_tables`).
        tables: Vec<(String, String)>,
        /// What to read for them (`reread::to_read`).
        read: Vec<(String, String)>,
    },
    /// Run the bundle in one transaction, after checking the fingerprint, as job `generation`.
    Apply {
        generation: u64,
        bundle: Bundle,
        fingerprint: String,
        dry_run: bool,
        /// The design's sample rows for the tables the plan creates, loaded before `COMMIT`.
        samples: Option<Box<super::sample_load::PendingSamples>>,
        /// A CSV file proposed as a table the plan creates: its rows, loaded before `COMMIT`.
        csv: Option<Box<crate::db::import_copy::CsvLoad>>,
    },
    /// Run the policy simulator as job `generation`: `bundle` (the design's, if any) and
    /// every probe for each of `subjects`, in one transaction that is rolled back.
    Simulate {
        generation: u64,
        bundle: Option<Bundle>,
        request: Box<SimulationRequest>,
        subjects: Vec<Subject>,
    },
    /// Cancel job `generation` on the server; `abort` also drops its task (reads: nothing
    /// to roll back but the read's own transaction, which the runtime ends).
    Cancel {
        generation: u64,
        abort: bool,
    },
    SaveDraft {
        path: PathBuf,
        text: String,
    },
    /// Move the draft at `path` to `aside`, then save `text` (if any) at `path`.
    ReplaceDraft {
        path: PathBuf,
        aside: PathBuf,
        text: Option<String>,
    },
    /// Write the design to its file (atomically); the answer is [`Message::DesignSaved`].
    SaveDesign {
        path: PathBuf,
        text: String,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Write the export's files; the answer is [`Message::Exported`].
    Export(Box<ExportJob>),
}

/// What an export is written from: the plan the Preview shows and what it was planned on.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub plan: crate::plan::Plan,
    pub catalog: std::sync::Arc<crate::catalog::Catalog>,
    pub resolved: crate::design::ResolvedDesign,
    pub request: crate::export::Request,
}

/// Effects are compared in tests; a design compares equal to itself (no NaN in it).
impl Eq for ExportJob {}
