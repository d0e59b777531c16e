//! The state the screen is drawn from, in three parts: the model (design, catalog and what is
//! computed from them), the view (what only the screen needs) and the job slot. Only
//! `update` changes it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::db::apply::StatementFailure;
use crate::design::Design;
use crate::plan::{Bundle, Plan, PlanSettings, Summary};

use super::highlight::Highlighted;
use super::job::{Job, JobKind};
use super::keymap::{Context, Keymap};
pub use super::overlay::Overlay;
pub use super::phase::Phase;
use super::theme::Theme;
use super::tree::{DraftTable, Tree};

/// Which pane has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Tree,
    Main,
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

/// How the last apply or dry run ended; while one runs, [`App::job`] says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyState {
    Idle,
    Succeeded {
        dry_run: bool,
        statements: usize,
        /// Sample rows loaded with the bundle (0 when it had none), the demo users among them.
        rows: u64,
        demo_users: u64,
        /// CSV records set aside in the rejects file.
        rejected: u64,
        millis: u128,
    },
    /// A statement failed; the preview scrolls to it.
    Failed(Box<StatementFailure>),
    /// Anything else (connection lost, cancelled, drift-check error).
    Error(String),
}

/// The scroll state of the preview pane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreviewState {
    pub scroll: usize,
    /// The statements the last edit added or changed, marked in the gutter; switching to
    /// the Preview scrolls to the first.
    pub changed: Vec<usize>,
    /// The rollback tab is shown instead of the plan (`b`).
    pub show_rollback: bool,
    pub rollback: Option<Box<RollbackView>>,
    /// The SQL's area (width, height) as last drawn: scrolling stops where the last
    /// wrapped line is in view.
    pub sql_area: std::cell::Cell<(u16, u16)>,
    /// How many rows of the findings did not fit their area as last drawn: scrolling goes
    /// on past the SQL's end by that much, so the last finding can be brought into view.
    pub findings_overflow: std::cell::Cell<usize>,
}

/// The rollback tab's content (see `rollback_view`): the rollback of a plan, and the plan's
/// bundle text it was made from, so a different plan makes it stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollbackView {
    pub source: String,
    /// The plan it undoes has been applied.
    pub after_apply: bool,
    pub rollback: crate::plan::Rollback,
    pub bundle: Bundle,
    pub lines: Highlighted,
}

/// What the design work is about: the design and the live catalog it is planned against, and
/// everything computed from them. `analyse` and the plan are computed from it and drafts save
/// it; only `update` (through `planning::replan`) changes it.
#[derive(Default)]
pub struct Model {
    /// The live schema; `None` until the first read arrives.
    pub catalog: Option<Arc<Catalog>>,
    /// Names only (schemas, tables), read first, then with each kind of details merged in
    /// as it arrives: the tree and the detail pane are drawn from it until `catalog`
    /// arrives. Never planned against: it is not complete.
    pub names: Option<Arc<Catalog>>,
    /// Which kinds of details `names` has while the first read runs.
    pub loading: Option<Loading>,
    pub design: Option<DesignState>,
    pub settings: PlanSettings,
    /// The plan of the design; `None` without a design or while the plan has errors.
    pub plan: Option<PlanView>,
    /// The design analysed against the catalog: its findings are what the stepper (`●`), the
    /// status line and the Preview show — the same list `schemaforge lint --json` prints.
    /// Its plan and bundle are moved to [`Model::plan`] (so they are `None` here).
    pub analysis: Analysis,
    /// The design's tables as the tree shows them (drafted, or new parts of live ones).
    pub drafts: Vec<DraftTable>,
    /// The edits made to the design in this session, for undo and redo.
    pub history: crate::design::edit::History,
    /// The bundle's statements as last highlighted, so a replan tokenizes only new ones.
    pub highlights: super::highlight::HighlightCache,
    /// The seed and owners of the sample rows (set in phase 5's form).
    pub sample_run: super::sample_load::SampleRun,
    /// The last run of the policy simulator (phase 4 shows it beside the policies).
    pub simulation: Option<super::last_simulation::LastSimulation>,
    /// A CSV file whose rows load into the table proposed from it when the plan creates it.
    pub csv_import: Option<super::csv_import::CsvImport>,
}

/// While the first read's details load (`Model::catalog` is still `None`).
#[derive(Clone, Debug, Default)]
pub struct Loading {
    pub progress: crate::db::staged_read::Progress,
    /// Tables the reader has been asked to read ahead, so each is asked for once.
    pub asked: Vec<(String, String)>,
}

impl Loading {
    pub fn start() -> Loading {
        Loading {
            progress: crate::db::staged_read::Progress::start(),
            asked: Vec::new(),
        }
    }
}

impl Model {
    /// What the tree is drawn from: the catalog, or while it loads, the names read first.
    pub fn tree_catalog(&self) -> Option<&Catalog> {
        self.catalog.as_deref().or(self.names.as_deref())
    }
}

/// What only the screen needs: selection, scrolls, focus, popups, the status message and
/// the terminal's size. Nothing in it changes what is planned or saved.
pub struct View {
    pub tree: Tree,
    /// The tree's `/` filter is being typed.
    pub filtering: bool,
    pub preview: PreviewState,
    /// Each phase pane's own scroll (the schema detail's is `Phase::Schema`'s; the
    /// preview keeps its own in `preview`).
    pub scrolls: [usize; 7],
    /// Each editing pane's selected row (phase 1: a table of the design, then the live
    /// tables; phase 2: a field of phase 1's table).
    pub selected: [usize; 7],
    pub phase: Phase,
    pub focus: Focus,
    /// Popups, the top one last; it has the keyboard.
    pub overlays: Vec<Overlay>,
    pub walkthrough: bool,
    /// The last thing worth telling the user, shown in the status line.
    pub message: Option<String>,
    pub quit: bool,
    /// The terminal's size, kept so mouse clicks and scrolling map to the panes drawn.
    pub width: u16,
    pub height: u16,
    /// Where the current phase's pane was last drawn, so a click picks the row under it.
    pub body: std::cell::Cell<ratatui::layout::Rect>,
}

impl Default for View {
    fn default() -> View {
        View {
            tree: Tree::default(),
            filtering: false,
            preview: PreviewState::default(),
            scrolls: [0; 7],
            selected: [0; 7],
            phase: Phase::Schema,
            focus: Focus::Tree,
            overlays: Vec::new(),
            walkthrough: false,
            message: None,
            quit: false,
            width: 80,
            height: 24,
            body: Default::default(),
        }
    }
}

pub struct App {
    /// The design, the catalog and what is computed from them.
    pub model: Model,
    /// What only the screen needs.
    pub view: View,
    /// What runs on the one connection: idle, or one job with its generation.
    pub job: Job,
    /// How the last apply or dry run ended.
    pub apply: ApplyState,
    /// `user@host:port/db`, never with a password.
    pub connection: String,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Where the design autosaves (`data_dir()/drafts/<db>.json`); `None` disables drafts.
    pub draft_path: Option<PathBuf>,
}

impl App {
    pub fn new(connection: String, theme: Theme, keymap: Keymap) -> App {
        App {
            model: Model::default(),
            view: View::default(),
            job: Job::default(),
            apply: ApplyState::Idle,
            connection,
            theme,
            keymap,
            draft_path: None,
        }
    }

    /// The popup on top, which has the keyboard.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.view.overlays.last()
    }

    /// The key context of what has the keyboard now.
    pub fn context(&self) -> Context {
        match self.overlay() {
            Some(overlay) => overlay.context(),
            None => self.pane_context(),
        }
    }

    /// The key context of the focused pane, whatever popup is over it.
    pub fn pane_context(&self) -> Context {
        if self.view.filtering {
            return Context::Input;
        }
        match (self.view.phase, self.view.focus) {
            (_, Focus::Tree) => Context::List,
            (Phase::Preview, Focus::Main) => Context::Preview,
            (_, Focus::Main) => Context::List,
        }
    }

    pub fn applying(&self) -> bool {
        matches!(self.job.kind(), Some(JobKind::Applying | JobKind::DryRun))
    }

    pub fn reading(&self) -> bool {
        self.job.kind() == Some(JobKind::Reading)
    }

    /// The design table phases 2–4 edit: phase 1's selection, when it is a designed table.
    pub fn current_table(&self) -> Option<usize> {
        let design = &self.model.design.as_ref()?.design;
        let i = self.view.selected[Phase::Tables.index()];
        (i < design.tables.len()).then_some(i)
    }

    /// The scroll of a phase's pane.
    pub fn scroll(&self, phase: Phase) -> usize {
        self.view.scrolls[phase.index()]
    }

    /// Error-level findings of the analysis (what makes `schemaforge apply` exit 4).
    pub fn error_count(&self) -> usize {
        self.model
            .analysis
            .findings
            .iter()
            .filter(|f| f.is_error())
            .count()
    }

    /// Statements the plan would run (the unit the Preview counts); 0 without a plan or
    /// when it has nothing to do.
    pub fn changes(&self) -> usize {
        self.model
            .plan
            .as_ref()
            .filter(|p| !p.plan.is_empty())
            .map_or(0, |p| p.bundle.statements.len())
    }

    /// Why the design cannot be planned (validation or planner errors), for the preview.
    pub fn plan_errors(&self) -> Vec<String> {
        if !self.model.analysis.is_unplannable() {
            return Vec::new();
        }
        self.model
            .analysis
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
