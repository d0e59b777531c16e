//! The state the screen is drawn from. Only `update` changes it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::db::apply::StatementFailure;
use crate::design::Design;
use crate::plan::{Bundle, Plan, PlanSettings, Summary};

use super::highlight::Highlighted;
use super::keymap::{Context, Keymap};
use super::theme::Theme;
use super::tree::{DraftTable, Tree};

/// The phases of SPEC.md, in the stepper's order (the type findings are placed in).
pub use crate::findings::Phase;

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Schema,
        Phase::Tables,
        Phase::Fields,
        Phase::Relations,
        Phase::Rls,
        Phase::Samples,
        Phase::Preview,
    ];

    /// As the stepper shows it: `0 Schema` … `▸ Preview`.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Schema => "0 Schema",
            Phase::Tables => "1 Tables",
            Phase::Fields => "2 Fields",
            Phase::Relations => "3 Relations",
            Phase::Rls => "4 RLS",
            Phase::Samples => "5 Samples",
            Phase::Preview => "▸ Preview",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Phase::Schema => "the live schema",
            Phase::Tables => "tables",
            Phase::Fields => "fields",
            Phase::Relations => "relations",
            Phase::Rls => "row-level security",
            Phase::Samples => "sample records",
            Phase::Preview => "preview and apply",
        }
    }

    /// What the phase is for, for someone new to databases (walkthrough mode).
    pub fn explanation(self) -> &'static str {
        match self {
            Phase::Schema => {
                "Always first: this is what the database already has. Look before you design — \
                 nothing here is changed until you apply, and managed schemas (auth, storage) are read-only."
            }
            Phase::Tables => {
                "Plan the data model: one table per kind of thing (todos, projects). Each has a human \
                 name and a db_name. Don't add users or profiles: auth.users already exists."
            }
            Phase::Fields => {
                "The non-relational fields of each table, each with a type. Exactly one is the primary \
                 (display) field. id, created_at, updated_at, created_by and updated_by are automatic."
            }
            Phase::Relations => {
                "Links between tables come after all tables exist: many-to-one, one-to-one, or \
                 many-to-many through a linking table, with optional cascade delete."
            }
            Phase::Rls => {
                "Row-level security decides which rows each user sees. Every table gets it unless it is \
                 public reference data; policies use auth.uid() only, never invented JWT claims."
            }
            Phase::Samples => {
                "Optional sample records, generated per field type, respecting every constraint and \
                 relation — so you can see and test the schema right away."
            }
            Phase::Preview => {
                "Everything as SQL, exactly as it will run: one transaction, so it all lands or nothing \
                 does. Dry-run it first; apply asks before it changes anything."
            }
        }
    }

    pub fn next(self) -> Phase {
        let i = Phase::ALL.iter().position(|p| *p == self).expect("listed");
        Phase::ALL[(i + 1).min(Phase::ALL.len() - 1)]
    }

    /// The stepper's number key (`Preview` is 6).
    pub fn index(self) -> usize {
        Phase::ALL.iter().position(|p| *p == self).expect("listed")
    }

    pub fn prev(self) -> Phase {
        let i = Phase::ALL.iter().position(|p| *p == self).expect("listed");
        Phase::ALL[i.saturating_sub(1)]
    }
}

/// Which pane has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Tree,
    Main,
}

/// A window over the panes; at most one at a time, and it takes the keyboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// Every key of the focused pane; scrolls when it does not fit.
    Help { scroll: usize },
    /// Apply asks first: the summary, and the word `apply` typed by the user.
    ConfirmApply { typed: String },
    /// `x` on a drafted table: remove it from the design?
    ConfirmDelete { table: String },
    /// A draft for this database was found on start: resume it?
    ResumeDraft { path: PathBuf, tables: usize },
    /// The live schema changed since the plan was made; nothing was applied.
    Drift { expected: String, actual: String },
}

/// The design being edited: where it came from, and its autosave file.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignState {
    pub design: Design,
    /// `--design FILE`, when opened from a file.
    pub file: Option<PathBuf>,
}

/// The current plan of the design against the catalog, and what the preview draws from it.
#[derive(Clone, Debug)]
pub struct PlanView {
    pub plan: Plan,
    /// Exactly what apply sends; the preview shows `bundle.text`.
    pub bundle: Bundle,
    pub summary: Summary,
    /// `bundle.text` split into lines of highlighted segments, computed once per plan.
    pub lines: Highlighted,
}

/// The apply state machine: idle → running → done / failed. Esc while running cancels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyState {
    Idle,
    Running {
        dry_run: bool,
        statement: usize,
        total: usize,
        started: Instant,
        /// Esc was pressed: whatever error comes back is the cancellation.
        cancelling: bool,
    },
    Succeeded {
        dry_run: bool,
        statements: usize,
        millis: u128,
    },
    /// A statement failed; the preview scrolls to it.
    Failed(Box<StatementFailure>),
    /// Anything else (connection lost, cancelled, drift-check error).
    Error(String),
}

/// The scroll state of the preview pane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PreviewState {
    pub scroll: usize,
}

pub struct App {
    /// `user@host:port/db`, never with a password.
    pub connection: String,
    /// The live schema; `None` until the first read arrives.
    pub catalog: Option<Arc<Catalog>>,
    /// A catalog read is under way.
    pub reading: bool,
    pub design: Option<DesignState>,
    pub settings: PlanSettings,
    /// The plan of the design; `None` without a design or while the plan has errors.
    pub plan: Option<PlanView>,
    /// The design analysed against the catalog: its findings are what the stepper (`●`), the
    /// status line and the Preview show — the same list `schemaforge lint --json` prints.
    pub analysis: Analysis,
    /// The design's tables as the tree shows them (drafted, or new parts of live ones).
    pub drafts: Vec<DraftTable>,
    pub tree: Tree,
    /// The tree's `/` filter is being typed.
    pub filtering: bool,
    pub preview: PreviewState,
    /// Scroll of the read-only phase panes and the detail pane.
    pub main_scroll: usize,
    pub apply: ApplyState,
    pub phase: Phase,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub walkthrough: bool,
    /// The last thing worth telling the user, shown in the status line.
    pub message: Option<String>,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Where the design autosaves (`data_dir()/drafts/<db>.json`); `None` disables drafts.
    pub draft_path: Option<PathBuf>,
    pub quit: bool,
    /// The terminal's size, kept so mouse clicks and scrolling map to the panes drawn.
    pub width: u16,
    pub height: u16,
}

impl App {
    pub fn new(connection: String, theme: Theme, keymap: Keymap) -> App {
        App {
            connection,
            catalog: None,
            reading: false,
            design: None,
            settings: PlanSettings::default(),
            plan: None,
            analysis: Analysis::default(),
            drafts: Vec::new(),
            tree: Tree::default(),
            filtering: false,
            preview: PreviewState::default(),
            main_scroll: 0,
            apply: ApplyState::Idle,
            phase: Phase::Schema,
            focus: Focus::Tree,
            overlay: None,
            walkthrough: false,
            message: None,
            theme,
            keymap,
            draft_path: None,
            quit: false,
            width: 80,
            height: 24,
        }
    }

    /// The key context of what has the keyboard now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::ConfirmApply { .. }) => return Context::Input,
            Some(Overlay::Help { .. }) => return Context::List,
            Some(_) => return Context::Dialog,
            None => {}
        }
        if self.filtering {
            return Context::Input;
        }
        match (self.phase, self.focus) {
            (_, Focus::Tree) => Context::List,
            (Phase::Preview, Focus::Main) => Context::Preview,
            (_, Focus::Main) => Context::List,
        }
    }

    pub fn applying(&self) -> bool {
        matches!(self.apply, ApplyState::Running { .. })
    }

    /// Steps the plan would run; 0 without a plan.
    pub fn changes(&self) -> usize {
        self.plan.as_ref().map_or(0, |p| p.plan.steps.len())
    }

    /// Why the design cannot be planned (validation or planner errors), for the preview.
    pub fn plan_errors(&self) -> Vec<String> {
        if !self.analysis.is_unplannable() {
            return Vec::new();
        }
        self.analysis
            .findings
            .iter()
            .filter(|f| f.is_error() && f.source != crate::findings::Source::Lint)
            .map(|f| {
                let mut text = f.message.clone();
                if !f.remedy.is_empty() {
                    text.push_str(&format!(" — {}", f.remedy));
                }
                if f.object.is_empty() {
                    text
                } else {
                    format!("{}: {text}", f.object)
                }
            })
            .collect()
    }
}
