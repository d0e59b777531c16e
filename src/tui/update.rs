//! `update(state, message) -> effects`: the one place state changes.
//!
//! Keys become actions through the keymap; database results arrive as messages; anything
//! slow (reading the catalog, applying, saving the draft, writing to the clipboard) is
//! returned as an [`Effect`] for the runtime to carry out, whose result comes back as a
//! message. So `update` never waits, and tests can drive it with no terminal at all.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};

use crate::catalog::Catalog;
use crate::db::apply::{ApplyError, ApplyReport, Progress};
use crate::plan::Bundle;

use super::app::{App, ApplyState, DesignState, Focus, Overlay, Phase};
use super::keymap::{Action, Context};
use super::layout;
use super::planning::replan;
use super::tree::RowKind;

/// Everything that can happen: terminal input and the results of work done elsewhere.
#[derive(Debug)]
pub enum Message {
    /// The program started: read the catalog, save an opened design.
    Start,
    Terminal(Event),
    Catalog(Result<Box<Catalog>, String>),
    ApplyProgress(Progress),
    Applied {
        dry_run: bool,
        result: Result<ApplyReport, ApplyError>,
    },
    /// The cancel request was sent (or could not be).
    CancelSent(Result<(), String>),
    DraftSaved(Result<PathBuf, String>),
    /// Background work failed; the text is for the status line.
    Failed(String),
}

/// Work `update` asks the runtime to do; its results come back as messages.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// The screen changed and must be drawn.
    Redraw,
    ReadCatalog,
    /// Run the bundle in one transaction, after checking the fingerprint.
    Apply {
        bundle: Bundle,
        fingerprint: String,
        dry_run: bool,
    },
    /// Cancel the running apply on the server (the transaction rolls back).
    CancelApply,
    SaveDraft {
        path: PathBuf,
        text: String,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
}

pub fn update(app: &mut App, message: Message) -> Vec<Effect> {
    let mut effects = match message {
        Message::Start => {
            app.reading = true;
            replan(app);
            let mut effects = vec![Effect::ReadCatalog];
            effects.extend(autosave(app));
            effects
        }
        Message::Terminal(Event::Key(key)) if key.kind != KeyEventKind::Release => on_key(app, key),
        Message::Terminal(Event::Mouse(mouse)) => super::mouse::on_mouse(app, mouse),
        Message::Terminal(Event::Resize(width, height)) => {
            app.width = width;
            app.height = height;
            app.tree
                .scroll_into_view(layout::tree_rows(app.width, app.height));
            Vec::new()
        }
        Message::Terminal(_) => return Vec::new(),
        Message::Catalog(Ok(catalog)) => {
            app.reading = false;
            app.catalog = Some(std::sync::Arc::new(*catalog));
            replan(app);
            let changes = app.changes();
            if let Some(m) = &mut app.message
                && let Some(done) = m.strip_suffix("; re-reading the schema")
            {
                *m = match changes {
                    0 => format!("{done}; the database now has everything in the design"),
                    n => format!("{done}; {n} changes still planned"),
                };
            }
            if app.message.is_none() {
                app.message = Some(format!(
                    "{} tables read",
                    app.catalog.as_ref().map_or(0, |c| c.tables.len())
                ));
            }
            Vec::new()
        }
        Message::Catalog(Err(e)) => {
            app.reading = false;
            app.message = Some(format!("reading the schema failed: {e}"));
            Vec::new()
        }
        Message::ApplyProgress(p) => {
            if let ApplyState::Running {
                statement, total, ..
            } = &mut app.apply
            {
                *statement = p.statement;
                *total = p.total;
            }
            Vec::new()
        }
        Message::Applied { dry_run, result } => applied(app, dry_run, result),
        Message::CancelSent(Ok(())) => {
            app.message = Some("cancel sent; the transaction rolls back".into());
            Vec::new()
        }
        Message::CancelSent(Err(e)) | Message::Failed(e) => {
            app.message = Some(e);
            Vec::new()
        }
        Message::DraftSaved(Ok(_)) => return Vec::new(),
        Message::DraftSaved(Err(e)) => {
            app.message = Some(format!("the draft could not be saved: {e}"));
            Vec::new()
        }
    };
    effects.push(Effect::Redraw);
    effects
}

/// The autosave of the design, when drafts are on.
fn autosave(app: &App) -> Option<Effect> {
    let path = app.draft_path.clone()?;
    let design = &app.design.as_ref()?.design;
    Some(Effect::SaveDraft {
        path,
        text: super::draft::text(design),
    })
}

/// The action for a key: the focused context, then (for the tree in the preview phase)
/// the list keys, then the global ones.
fn lookup(app: &App, key: &KeyEvent) -> Option<Action> {
    let context = app.context();
    app.keymap.action(context, key).or_else(|| {
        (context == Context::Preview && app.focus == Focus::Tree)
            .then(|| app.keymap.action(Context::List, key))
            .flatten()
    })
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if super::keymap::is_ctrl_c(&key) {
        app.quit = true;
        return Vec::new();
    }
    if app.overlay.is_some() {
        return on_overlay_key(app, key);
    }
    if app.filtering {
        return on_filter_key(app, key);
    }
    match lookup(app, &key) {
        Some(action) => act(app, action),
        None => Vec::new(),
    }
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut filter = app.tree.filter().to_owned();
    match app.keymap.action(Context::Input, &key) {
        Some(Action::Confirm) => app.filtering = false,
        Some(Action::Cancel) => {
            app.filtering = false;
            filter.clear();
        }
        _ => match key.code {
            KeyCode::Backspace => {
                filter.pop();
            }
            KeyCode::Char(c) => filter.push(c),
            _ => return Vec::new(),
        },
    }
    if filter != app.tree.filter() {
        app.tree.set_filter(&filter);
        app.tree.rebuild(app.catalog.as_deref(), &app.drafts);
        app.tree.select_first_table();
    }
    Vec::new()
}

fn on_overlay_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.action(app.context(), &key);
    let global = app.keymap.action(Context::Global, &key);
    let overlay = app.overlay.take().expect("checked by the caller");
    match overlay {
        Overlay::Help { scroll } => {
            let page = layout::main_rows(app.width, app.height).max(1);
            let scroll = match action {
                Some(Action::Down) => scroll + 1,
                Some(Action::Up) => scroll.saturating_sub(1),
                Some(Action::PageDown) => scroll + page,
                Some(Action::PageUp) => scroll.saturating_sub(page),
                _ => {
                    // Any other key closes the help; quit still quits.
                    app.quit = global == Some(Action::Quit);
                    return Vec::new();
                }
            };
            app.overlay = Some(Overlay::Help { scroll });
        }
        Overlay::ConfirmApply { mut typed } => match action {
            Some(Action::Cancel) => app.message = Some("not applied".into()),
            Some(Action::Confirm) if typed.trim() == "apply" => return start_apply(app, false),
            Some(Action::Confirm) => {
                app.message = Some("type the word apply, then Enter (Esc goes back)".into());
                app.overlay = Some(Overlay::ConfirmApply { typed });
            }
            _ => {
                match key.code {
                    KeyCode::Backspace => {
                        typed.pop();
                    }
                    KeyCode::Char(c) if typed.len() < 16 => typed.push(c),
                    _ => {}
                }
                app.overlay = Some(Overlay::ConfirmApply { typed });
            }
        },
        Overlay::ConfirmDelete { table } => match action {
            Some(Action::Confirm) => {
                if let Some(state) = &mut app.design {
                    remove_table(&mut state.design, &table);
                    app.message = Some(format!("{table} removed from the design"));
                }
                replan(app);
                return autosave(app).into_iter().collect();
            }
            Some(Action::Cancel) => app.message = Some("kept".into()),
            _ => app.overlay = Some(Overlay::ConfirmDelete { table }),
        },
        Overlay::ResumeDraft { path, .. } => match action {
            Some(Action::Confirm) => {
                if let super::draft::DraftLoad::Loaded(design) = super::draft::load(&path) {
                    app.design = Some(DesignState { design, file: None });
                    app.message = Some(format!("draft resumed from {}", path.display()));
                    replan(app);
                }
            }
            Some(Action::Cancel) => {
                app.message = Some("starting without the draft (it stays on disk)".into())
            }
            _ => app.overlay = Some(Overlay::ResumeDraft { path, tables: 0 }),
        },
        Overlay::Drift { .. } => {}
    }
    Vec::new()
}

pub(super) fn goto(app: &mut App, phase: Phase) {
    if app.phase != phase {
        app.main_scroll = 0;
    }
    app.phase = phase;
    app.focus = if phase == Phase::Schema {
        Focus::Tree
    } else {
        Focus::Main
    };
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let tree_rows = layout::tree_rows(app.width, app.height);
    let main_rows = layout::main_rows(app.width, app.height);
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::NextPhase => goto(app, app.phase.next()),
        Action::PrevPhase => goto(app, app.phase.prev()),
        Action::PhaseSchema => goto(app, Phase::Schema),
        Action::PhaseTables => goto(app, Phase::Tables),
        Action::PhaseFields => goto(app, Phase::Fields),
        Action::PhaseRelations => goto(app, Phase::Relations),
        Action::PhaseRls => goto(app, Phase::Rls),
        Action::PhaseSamples => goto(app, Phase::Samples),
        Action::PhasePreview => goto(app, Phase::Preview),
        Action::FocusNext | Action::FocusPrev => {
            app.focus = match app.focus {
                Focus::Tree => Focus::Main,
                Focus::Main => Focus::Tree,
            }
        }
        Action::ToggleWalkthrough => {
            app.walkthrough = !app.walkthrough;
            app.message = Some(format!(
                "walkthrough {}",
                if app.walkthrough { "on" } else { "off" }
            ));
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let page = if app.focus == Focus::Tree {
                tree_rows
            } else {
                main_rows
            };
            let delta: isize = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(page.max(1) as isize),
                Action::PageDown => page.max(1) as isize,
                Action::Top => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            if app.focus == Focus::Tree {
                match action {
                    Action::Top => app.tree.home(),
                    Action::Bottom => app.tree.end(),
                    _ => app.tree.move_by(delta),
                }
                app.tree.scroll_into_view(tree_rows);
                app.main_scroll = 0;
            } else {
                scroll_main(app, delta);
            }
        }
        Action::Open if app.focus == Focus::Tree => {
            if app.tree.expand() {
                app.tree.rebuild(app.catalog.as_deref(), &app.drafts);
            }
            app.tree.scroll_into_view(tree_rows);
        }
        Action::Close if app.focus == Focus::Tree => {
            if app.tree.collapse() {
                app.tree.rebuild(app.catalog.as_deref(), &app.drafts);
            }
            app.tree.scroll_into_view(tree_rows);
        }
        Action::Open | Action::Close => {}
        Action::Filter => {
            app.focus = Focus::Tree;
            app.filtering = true;
        }
        Action::Cancel => {
            if let ApplyState::Running { cancelling, .. } = &mut app.apply {
                *cancelling = true;
                app.message = Some("cancelling…".into());
                return vec![Effect::CancelApply];
            }
            if !app.tree.filter().is_empty() {
                app.tree.set_filter("");
                app.tree.rebuild(app.catalog.as_deref(), &app.drafts);
            }
        }
        Action::Refresh => {
            if app.applying() || app.reading {
                app.message = Some("busy: the schema is re-read when this finishes".into());
            } else {
                app.reading = true;
                app.message = Some("re-reading the live schema…".into());
                return vec![Effect::ReadCatalog];
            }
        }
        Action::Add => {
            app.message = Some(
                "adding tables, fields and policies comes with the phase editors; \
                 open a design with --design FILE"
                    .into(),
            )
        }
        Action::Delete => delete(app),
        Action::DryRun => return start_apply(app, true),
        Action::Apply => {
            if let Some(reason) = cannot_apply(app) {
                app.message = Some(reason);
            } else {
                app.overlay = Some(Overlay::ConfirmApply {
                    typed: String::new(),
                });
            }
        }
        Action::Copy => {
            if let Some(p) = &app.plan {
                app.message = Some(format!(
                    "copied {} lines of SQL (OSC 52)",
                    p.lines.lines.len()
                ));
                return vec![Effect::Copy(p.bundle.text.clone())];
            }
            app.message = Some("nothing to copy: no plan".into());
        }
        Action::Confirm => {}
    }
    Vec::new()
}

pub(super) fn scroll_main(app: &mut App, delta: isize) {
    if app.phase == Phase::Preview {
        let lines = app.plan.as_ref().map_or(0, |p| p.lines.lines.len());
        let rows = layout::main_rows(app.width, app.height);
        let max = lines.saturating_sub(rows.saturating_sub(2).max(1));
        app.preview.scroll = app.preview.scroll.saturating_add_signed(delta).min(max);
    } else {
        app.main_scroll = app.main_scroll.saturating_add_signed(delta).min(10_000);
    }
}

/// `x`: drafted tables leave the design (after a yes); live objects are never dropped.
fn delete(app: &mut App) {
    let Some(row) = app.tree.selected_row() else {
        return;
    };
    if row.kind == RowKind::Table && row.new {
        app.overlay = Some(Overlay::ConfirmDelete {
            table: row.label.clone(),
        });
    } else if row.managed {
        app.message = Some(format!("{} is managed by Supabase: read-only", row.schema));
    } else {
        app.message = Some(
            "schemaforge never drops live objects; only drafted (+) tables can be removed".into(),
        );
    }
}

/// Why `d`/`A` cannot run now, if they cannot.
fn cannot_apply(app: &App) -> Option<String> {
    if app.applying() {
        return Some("an apply is already running (Esc cancels it)".into());
    }
    if app.reading {
        return Some("wait: the live schema is being read".into());
    }
    match &app.plan {
        None if app.design.is_none() => Some("no design: open one with --design FILE".into()),
        None => Some("the design has errors; see the preview".into()),
        Some(p) if p.plan.is_empty() => {
            Some("nothing to do: the database has everything in the design".into())
        }
        Some(_) => None,
    }
}

fn start_apply(app: &mut App, dry_run: bool) -> Vec<Effect> {
    if let Some(reason) = cannot_apply(app) {
        app.message = Some(reason);
        return Vec::new();
    }
    let plan = app.plan.as_ref().expect("checked by cannot_apply");
    app.apply = ApplyState::Running {
        dry_run,
        statement: 0,
        total: plan.bundle.statements.len(),
        started: Instant::now(),
        cancelling: false,
    };
    app.phase = Phase::Preview;
    app.message = Some(
        if dry_run {
            "dry run: running everything, then rolling back…"
        } else {
            "applying in one transaction…"
        }
        .into(),
    );
    vec![Effect::Apply {
        bundle: plan.bundle.clone(),
        fingerprint: plan.plan.fingerprint.clone(),
        dry_run,
    }]
}

fn applied(app: &mut App, dry_run: bool, result: Result<ApplyReport, ApplyError>) -> Vec<Effect> {
    let cancelled = matches!(
        app.apply,
        ApplyState::Running {
            cancelling: true,
            ..
        }
    );
    match result {
        Ok(report) => {
            app.apply = ApplyState::Succeeded {
                dry_run,
                statements: report.statements,
                millis: report.elapsed.as_millis(),
            };
            if report.committed {
                app.message = Some(format!(
                    "applied {} statements in {} ms; re-reading the schema",
                    report.statements,
                    report.elapsed.as_millis()
                ));
                app.reading = true;
                return vec![Effect::ReadCatalog];
            }
            app.message = Some(format!(
                "dry run ok: {} statements ran in {} ms and were rolled back",
                report.statements,
                report.elapsed.as_millis()
            ));
        }
        Err(ApplyError::Statement(failure)) => {
            app.phase = Phase::Preview;
            app.focus = Focus::Main;
            if cancelled || failure.code == "57014" {
                app.apply = ApplyState::Error("cancelled: nothing was applied".into());
                app.message = Some("cancelled; the transaction was rolled back".into());
            } else {
                app.preview.scroll = failure.line.saturating_sub(3);
                app.message = Some(format!(
                    "statement {} failed: {}; nothing was applied",
                    failure.index + 1,
                    failure.message
                ));
                app.apply = ApplyState::Failed(failure);
            }
        }
        Err(ApplyError::Drift { expected, actual }) => {
            app.apply = ApplyState::Idle;
            app.overlay = Some(Overlay::Drift { expected, actual });
            app.message = Some("the live schema changed; nothing applied; re-reading".into());
            app.reading = true;
            return vec![Effect::ReadCatalog];
        }
        Err(_) if cancelled => {
            app.apply = ApplyState::Error("cancelled: nothing was applied".into());
            app.message = Some("cancelled; the transaction was rolled back".into());
        }
        Err(e) => {
            app.message = Some("apply failed; nothing was applied".into());
            app.apply = ApplyState::Error(e.to_string());
        }
    }
    Vec::new()
}

/// Removes a table from the design with the relationships and samples that refer to it,
/// so the design stays valid.
fn remove_table(design: &mut crate::design::Design, table: &str) {
    let Some(index) = design.find_table(table) else {
        return;
    };
    let refers = |d: &crate::design::Design, r: &str| d.find_table(r) == Some(index);
    let keep: Vec<bool> = design
        .relationships
        .iter()
        .map(|r| !refers(design, &r.table) && !refers(design, &r.target))
        .collect();
    let mut keep = keep.into_iter();
    design.relationships.retain(|_| keep.next().unwrap_or(true));
    let samples: Vec<String> = design
        .samples
        .keys()
        .filter(|k| refers(design, k))
        .cloned()
        .collect();
    for key in samples {
        design.samples.shift_remove(&key);
    }
    design.tables.remove(index);
}
