//! `update(state, message) -> effects`: the one place state changes.
//!
//! Keys become actions through the keymap; database results arrive as messages; anything
//! slow (reading the catalog, applying, saving the draft, writing to the clipboard) is
//! returned as an [`Effect`] for the runtime to carry out, whose result comes back as a
//! message. So `update` never waits, and tests can drive it with no terminal at all.

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use crate::db::apply::{ApplyError, ApplyReport};

use super::app::{App, ApplyState, DesignState, Focus, Overlay, Phase};
use super::autosave::autosave;
use super::components::confirm_apply::ConfirmApply;
use super::components::confirm_delete::ConfirmDelete;
use super::components::drift::Drift;
use super::components::help::Help;
use super::components::{Outcome, fields_pane, preview, schema_detail, schema_tree, tables_pane};
use super::editing;
use super::job::JobKind;
use super::keymap::{Action, Context};
use super::layout;
use super::message::{Effect, Message};
use super::navigation::{self, goto};
use super::planning::replan;
use super::tree::RowKind;
use crate::design::edit::Edit;

/// The status line while `r` reads the schema; replaced by the result when it arrives.
const READING: &str = "re-reading the live schema… (esc cancels)";

pub fn update(app: &mut App, message: Message) -> Vec<Effect> {
    let mut effects = match message {
        Message::Start => {
            replan(app);
            let mut effects: Vec<Effect> = read_catalog(app).into_iter().collect();
            effects.extend(autosave(app));
            effects
        }
        Message::Job(generation, result) => {
            if !app.job.is_current(generation) {
                // A cancelled job's late answer: a newer one (or none) owns the screen.
                return Vec::new();
            }
            return update(app, *result);
        }
        Message::Terminal(Event::Key(key)) if key.kind != KeyEventKind::Release => on_key(app, key),
        Message::Terminal(Event::Mouse(mouse)) => super::mouse::on_mouse(app, mouse),
        Message::Terminal(Event::Resize(width, height)) => {
            app.view.width = width;
            app.view.height = height;
            app.view
                .tree
                .scroll_into_view(layout::tree_rows(app.view.width, app.view.height));
            Vec::new()
        }
        Message::Terminal(Event::Paste(text)) => {
            if let Some(Overlay::Editor(editor)) = app.view.overlays.last_mut() {
                editor.form_mut().on_paste(&text);
            }
            Vec::new()
        }
        Message::Terminal(_) => return Vec::new(),
        Message::CatalogNames(names) => {
            // Only the first read draws from names: later ones keep the full catalog shown.
            if app.model.catalog.is_none() {
                app.model.names = Some(std::sync::Arc::new(*names));
                app.view
                    .tree
                    .rebuild(app.model.tree_catalog(), &app.model.drafts);
                if app
                    .view
                    .tree
                    .selected_row()
                    .is_none_or(|r| r.kind != RowKind::Table)
                {
                    app.view.tree.select_first_table();
                }
                app.model.loading = Some(super::app::Loading::start());
                app.view.message = super::loading::status(app);
                super::loading::answer_names(app).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        Message::CatalogDetails { catalog, progress } => {
            if app.model.catalog.is_none()
                && let Some(loading) = app.model.loading.as_mut()
            {
                loading.progress = progress;
                app.model.names = Some(std::sync::Arc::new(*catalog));
                app.view
                    .tree
                    .rebuild(app.model.tree_catalog(), &app.model.drafts);
                app.view.message = super::loading::status(app);
            }
            Vec::new()
        }
        Message::CatalogReread { tables, result } => {
            let merged = match (result, app.model.catalog.take()) {
                // The catalog shown moves into the merge (copied only if something else
                // still holds it).
                (Ok(fresh), Some(before)) => {
                    Ok(Box::new(crate::catalog::reread::with_details_from(
                        *fresh,
                        std::sync::Arc::unwrap_or_clone(before),
                        &tables,
                    )))
                }
                (other, before) => {
                    app.model.catalog = before;
                    other
                }
            };
            update(app, Message::Catalog(merged))
        }
        Message::Catalog(Ok(catalog)) => {
            app.job.finish();
            app.model.catalog = Some(std::sync::Arc::new(*catalog));
            app.model.names = None;
            if app.model.loading.take().is_some() {
                app.view.message = None;
            }
            replan(app);
            super::planning::forget_stale_outcome(app, false);
            if let Some(catalog) = app.model.catalog.clone() {
                for overlay in &mut app.view.overlays {
                    if let Overlay::ResumeDraft(offer) = overlay {
                        offer.planned_against(&catalog, &app.model.settings);
                    }
                }
            }
            let changes = app.changes();
            if let Some(m) = &mut app.view.message
                && let Some(done) = m.strip_suffix("; re-reading the schema")
            {
                *m = match changes {
                    0 => format!("{done}; the database now has everything in the design"),
                    1 => format!("{done}; 1 statement still planned"),
                    n => format!("{done}; {n} statements still planned"),
                };
            }
            if app.view.message.is_none() || app.view.message.as_deref() == Some(READING) {
                app.view.message = Some(format!(
                    "{} read",
                    crate::tui::components::plural(
                        app.model.catalog.as_ref().map_or(0, |c| c.tables.len()),
                        "table"
                    )
                ));
            }
            Vec::new()
        }
        Message::Catalog(Err(e)) => {
            app.job.finish();
            app.view.message = Some(format!("reading the schema failed: {e}"));
            Vec::new()
        }
        Message::ApplyProgress(p) => {
            if let Some(job) = app.job.running_mut() {
                job.statement = p.statement;
                job.total = p.total;
            }
            Vec::new()
        }
        Message::Applied { dry_run, result } => applied(app, dry_run, result),
        Message::Simulated(result) => super::simulating::simulated(app, result),
        Message::CancelSent(Ok(())) => {
            app.view.message = Some("cancel sent; the transaction rolls back".into());
            Vec::new()
        }
        Message::CancelSent(Err(e)) | Message::Failed(e) => {
            app.view.message = Some(e);
            Vec::new()
        }
        Message::DraftSaved(Ok(_)) => return Vec::new(),
        Message::DesignSaved(Ok(path)) => {
            if let Some(state) = &mut app.model.design {
                state.file = Some(path.clone());
            }
            app.view.message = Some(format!("saved to {}", path.display()));
            Vec::new()
        }
        Message::Exported(Ok(report)) => {
            app.view.message = Some(super::editors::export_form::done(&report));
            Vec::new()
        }
        Message::Exported(Err(e)) => {
            app.view.message = Some(format!("nothing exported: {e}"));
            Vec::new()
        }
        Message::DesignSaved(Err(e)) => {
            app.view.message = Some(format!("the design could not be saved: {e}"));
            Vec::new()
        }
        Message::DraftSaved(Err(e)) => {
            app.view.message = Some(format!("the draft could not be saved: {e}"));
            Vec::new()
        }
        Message::DraftReplaced(Ok(aside)) => {
            app.view.message = Some(format!("the earlier draft is kept at {}", aside.display()));
            Vec::new()
        }
        Message::DraftReplaced(Err(e)) => {
            app.view.message = Some(format!("the draft could not be moved aside: {e}"));
            Vec::new()
        }
    };
    effects.extend(super::loading::ask_for_selected(app));
    super::rollback_view::sync(app);
    effects.push(Effect::Redraw);
    effects
}

/// The action for a key: the focused context, then (for the tree in the preview phase)
/// the list keys, then the global ones.
fn lookup(app: &App, key: &KeyEvent) -> Option<Action> {
    let context = app.context();
    app.keymap.action(context, key).or_else(|| {
        (context == Context::Preview && app.view.focus == Focus::Tree)
            .then(|| app.keymap.action(Context::List, key))
            .flatten()
    })
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if super::keymap::is_ctrl_c(&key) {
        app.view.quit = true;
        return Vec::new();
    }
    if let Some(Overlay::Editor(_)) = app.view.overlays.last() {
        return super::editors::on_key(app, &key);
    }
    if let Some(Overlay::Simulator(_)) = app.view.overlays.last() {
        return super::simulating::on_key(app, &key);
    }
    if !app.view.overlays.is_empty() {
        return on_overlay_key(app, key);
    }
    if app.view.filtering {
        schema_tree::on_filter_key(app, key);
        return Vec::new();
    }
    match lookup(app, &key) {
        Some(action) => act(app, action),
        None => Vec::new(),
    }
}

/// The top popup handles the key in place; its outcome is carried out here.
fn on_overlay_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let context = app.context();
    let action = app.keymap.action(context, &key);
    let global = app.keymap.action(Context::Global, &key);
    let page = layout::main_rows(app.view.width, app.view.height);
    let Some(top) = app.view.overlays.last_mut() else {
        return Vec::new();
    };
    let outcome = match top {
        Overlay::Help(help) => help.on_key(action, global, page),
        Overlay::ConfirmApply(dialog) => {
            let outcome = dialog.on_key(action, &key);
            if outcome == Outcome::Stay && action == Some(Action::Confirm) && dialog.needs_word() {
                app.view.message = Some("type the word apply, then Enter (Esc goes back)".into());
            }
            outcome
        }
        Overlay::ConfirmDelete(dialog) => dialog.on_key(action),
        Overlay::ConfirmRemoveField(dialog) => dialog.on_key(action, &key),
        Overlay::ConfirmRemoveIndex(dialog) => dialog.on_key(action),
        Overlay::ResumeDraft(dialog) => dialog.on_key(action),
        Overlay::DraftOrFile(dialog) => dialog.on_key(action),
        Overlay::Drift(_) => Outcome::Close,
        Overlay::CsvProposal(p) => p.on_key(action),
        Overlay::Editor(_) | Overlay::Simulator(_) => Outcome::Stay,
    };
    if outcome == Outcome::Stay {
        return Vec::new();
    }
    let closed = app.view.overlays.pop();
    match outcome {
        Outcome::Stay | Outcome::Close => {}
        Outcome::Quit => app.view.quit = true,
        Outcome::Apply { errors } => {
            let effects = start_apply(app, false);
            if errors > 0 && app.applying() {
                app.view.message = Some(format!(
                    "applying past {errors} error finding{}…",
                    if errors == 1 { "" } else { "s" }
                ));
            }
            return effects;
        }
        Outcome::NotApplied => app.view.message = Some("not applied".into()),
        Outcome::RemoveTable(table) => {
            let edit = app.model.design.as_ref().and_then(|state| {
                let index = state.design.find_table(&table)?;
                Edit::remove_table_with_references(&state.design, index)
            });
            if let Some(edit) = edit {
                return editing::apply(
                    app,
                    edit,
                    format!("{table} removed from the design (u undoes)"),
                );
            }
        }
        Outcome::KeptTable | Outcome::KeptField => app.view.message = Some("kept".into()),
        Outcome::RemoveIndex { table, index } => {
            let row = &mut app.view.selected[Phase::Fields.index()];
            *row = row.saturating_sub(1);
            return super::editors::index_form::remove(app, table, index);
        }
        Outcome::RemoveField {
            table,
            index,
            drop_column,
        } => {
            if let Some(Overlay::ConfirmRemoveField(dialog)) = closed {
                return super::components::fields_pane::remove_field(
                    app,
                    &dialog,
                    table,
                    index,
                    drop_column,
                );
            }
        }
        Outcome::CorrectFields(table) => {
            app.view.selected[Phase::Tables.index()] = table;
            goto(app, Phase::Fields);
            app.view.message = Some(
                "correct the proposed fields: t changes a type, e edits, x removes (its column is then skipped)"
                    .into(),
            );
        }
        Outcome::ResumeDraft(path) => match super::draft::load(&path) {
            super::draft::DraftLoad::Loaded(design) => {
                app.model.design = Some(DesignState { design, file: None });
                app.model.history = Default::default();
                app.view.message = Some(format!("draft resumed from {}", path.display()));
                replan(app);
            }
            other => {
                app.view.message = Some(
                    other
                        .notice(&path)
                        .unwrap_or_else(|| format!("the draft at {} is gone", path.display())),
                )
            }
        },
        Outcome::SkipDraft => {
            // Moved aside, so the next autosave cannot overwrite what the user declined.
            let Some(Overlay::ResumeDraft(offer)) = closed else {
                return Vec::new();
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = super::components::draft_or_file::aside_path(&offer.path, now);
            app.view.message = Some(format!(
                "starting without the draft; it is kept at {}",
                aside.display()
            ));
            return vec![Effect::ReplaceDraft {
                path: offer.path,
                aside,
                text: None,
            }];
        }
        Outcome::KeepDraft | Outcome::UseFile => {
            let Some(Overlay::DraftOrFile(choice)) = closed else {
                return Vec::new();
            };
            if outcome == Outcome::KeepDraft {
                app.model.design = Some(DesignState {
                    design: *choice.draft,
                    file: None,
                });
                app.model.history = Default::default();
                app.view.message = Some(format!(
                    "kept the draft; {} stays as it is on disk",
                    choice.file.display()
                ));
                replan(app);
                return autosave(app).into_iter().collect();
            }
            let text = app
                .model
                .design
                .as_ref()
                .map(|s| super::draft::text(&s.design))
                .unwrap_or_default();
            app.view.message = Some(format!(
                "using {}; moving the draft to {}",
                choice.file.display(),
                choice.aside.display()
            ));
            return vec![Effect::ReplaceDraft {
                path: choice.draft_path,
                aside: choice.aside,
                text: Some(text),
            }];
        }
    }
    Vec::new()
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => app.view.quit = true,
        Action::Help => app.view.overlays.push(Overlay::Help(Help::default())),
        Action::NextPhase => goto(app, app.view.phase.next()),
        Action::PrevPhase => goto(app, app.view.phase.prev()),
        Action::PhaseSchema => goto(app, Phase::Schema),
        Action::PhaseTables => goto(app, Phase::Tables),
        Action::PhaseFields => goto(app, Phase::Fields),
        Action::PhaseRelations => goto(app, Phase::Relations),
        Action::PhaseRls => goto(app, Phase::Rls),
        Action::PhaseSamples => goto(app, Phase::Samples),
        Action::PhasePreview => goto(app, Phase::Preview),
        Action::FocusNext | Action::FocusPrev => {
            app.view.focus = match app.view.focus {
                Focus::Tree => Focus::Main,
                Focus::Main => Focus::Tree,
            }
        }
        Action::ToggleWalkthrough => {
            app.view.walkthrough = !app.view.walkthrough;
            app.view.message = Some(format!(
                "walkthrough {}",
                if app.view.walkthrough { "on" } else { "off" }
            ));
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom
        | Action::Open
        | Action::Close
        | Action::Add
        | Action::Delete
        | Action::Edit
        | Action::MoveUp
        | Action::MoveDown
        | Action::ChangeType
        | Action::TogglePrimary
        | Action::AddIndex
        | Action::ImportCsv
        | Action::Template
        | Action::ToggleRls => match (app.view.focus, app.view.phase) {
            (Focus::Main, Phase::Tables) => return tables_pane::on_action(app, action),
            (Focus::Main, Phase::Fields) => return fields_pane::on_action(app, action),
            (Focus::Main, Phase::Relations) => {
                return super::components::relations_pane::on_action(app, action);
            }
            (Focus::Main, Phase::Rls) => {
                return super::components::rls_pane::on_action(app, action);
            }
            (Focus::Main, Phase::Samples) => {
                return super::components::samples_pane::on_action(app, action);
            }
            (_, _) if action == Action::Add => {
                goto(app, Phase::Tables);
                return tables_pane::on_action(app, action);
            }
            (Focus::Tree, _) if action == Action::Delete => delete(app),
            (Focus::Tree, _) if action == Action::Edit => return open_from_tree(app),
            (Focus::Tree, _) => schema_tree::on_action(app, action),
            (Focus::Main, Phase::Preview) => preview::on_action(app, action),
            (Focus::Main, Phase::Schema) => schema_detail::on_action(app, action),
        },
        Action::NextTable => navigation::switch_table(app, 1),
        Action::PrevTable => navigation::switch_table(app, -1),
        Action::Simulate => return super::simulating::open(app),
        Action::SimulateAs => return super::simulating::choose(app),
        // Buckets are storage policies: phase 4 is their home.
        // Aggregate views are built over tables: phase 1 is their home.
        Action::MaterializedViews => {
            goto(app, Phase::Tables);
            return super::editors::matview_form::open(app);
        }
        Action::Buckets => {
            goto(app, Phase::Rls);
            return super::editors::bucket_form::open(app);
        }
        Action::Filter => {
            app.view.focus = Focus::Tree;
            app.view.filtering = true;
        }
        Action::Cancel => {
            if let Some(job) = app.job.running_mut() {
                let generation = job.generation;
                if job.kind == JobKind::Reading {
                    // Nothing to roll back but the read itself: the task is dropped now and
                    // the slot is free at once; a late answer is stale and dropped.
                    app.job.finish();
                    app.view.message = Some("schema read cancelled; r reads it again".into());
                    return vec![Effect::Cancel {
                        generation,
                        abort: true,
                    }];
                }
                // An apply reports how it ended (rolled back, or committed just before the
                // cancel landed): its task runs to the end.
                job.cancelling = true;
                app.view.message = Some("cancelling…".into());
                return vec![Effect::Cancel {
                    generation,
                    abort: false,
                }];
            }
            if !app.view.tree.filter().is_empty() {
                app.view.tree.set_filter("");
                app.view
                    .tree
                    .rebuild(app.model.tree_catalog(), &app.model.drafts);
            }
        }
        Action::Refresh => {
            if !app.job.is_idle() {
                app.view.message = Some("busy: the schema is re-read when this finishes".into());
            } else {
                let effects = read_catalog(app);
                app.view.message = Some(READING.into());
                return effects.into_iter().collect();
            }
        }
        Action::DryRun => return start_apply(app, true),
        Action::Apply => {
            if let Some(reason) = cannot_apply(app) {
                app.view.message = Some(reason);
            } else if let Some(plan) = &app.model.plan {
                app.view.overlays.push(Overlay::ConfirmApply(
                    ConfirmApply::new(
                        format!(
                            "{} · {}",
                            crate::tui::components::plural(
                                plan.bundle.statements.len(),
                                "statement"
                            ),
                            plan.summary
                        ),
                        plan.summary.destructive > 0,
                        &app.connection,
                        app.error_count(),
                    )
                    .with_demo_users(demo_users(app))
                    .with_losses(plan.plan.steps.iter().filter_map(|s| s.loss()).collect()),
                ));
            }
        }
        Action::Rollback => super::rollback_view::toggle(app),
        Action::Export => super::editors::export_form::open(app),
        Action::Copy if app.view.preview.show_rollback => match &app.view.preview.rollback {
            Some(r) => {
                app.view.message = Some(format!(
                    "copied the rollback: {} lines of SQL (OSC 52)",
                    r.lines.lines.len()
                ));
                return vec![Effect::Copy(r.bundle.text.clone())];
            }
            None => app.view.message = Some("nothing to copy: no rollback".into()),
        },
        Action::Copy => {
            if let Some(p) = &app.model.plan {
                app.view.message = Some(format!(
                    "copied {} lines of SQL (OSC 52)",
                    p.lines.lines.len()
                ));
                return vec![Effect::Copy(p.bundle.text.clone())];
            }
            app.view.message = Some("nothing to copy: no plan".into());
        }
        Action::Confirm => {}
        Action::Undo => return editing::undo(app),
        Action::Redo => return editing::redo(app),
        Action::Save => match editing::save(app) {
            Some(effects) => return effects,
            None => return save_as_dialog(app),
        },
        Action::SaveAs => return save_as_dialog(app),
    }
    Vec::new()
}

/// `e` on a table in the tree: a designed one opens its form, a live one is opened for
/// editing (its columns, relations and policies become the design's).
fn open_from_tree(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.view.tree.selected_row().cloned() else {
        return Vec::new();
    };
    if row.kind != RowKind::Table {
        return Vec::new();
    }
    if row.managed {
        app.view.message = Some(format!("{} is managed by Supabase: read-only", row.schema));
        return Vec::new();
    }
    let designed = app.model.design.as_ref().and_then(|s| {
        (s.design.schema == row.schema)
            .then(|| s.design.find_table(&row.label))
            .flatten()
    });
    goto(app, Phase::Tables);
    match designed {
        Some(i) => {
            app.view.selected[Phase::Tables.index()] = i;
            crate::tui::editors::table_form::open_edit(app, i);
            Vec::new()
        }
        None => crate::tui::editors::open_live::open_live_table_in(app, &row.schema, &row.label),
    }
}

/// Asks where to save the design.
fn save_as_dialog(app: &mut App) -> Vec<Effect> {
    if app.model.design.is_none() {
        app.view.message = Some("nothing to save: no design".into());
        return Vec::new();
    }
    super::editors::save_as::open(app);
    Vec::new()
}

/// Takes the job slot for a catalog read; `None` when something else runs.
fn read_catalog(app: &mut App) -> Option<Effect> {
    let generation = app.job.start(JobKind::Reading, 0).ok()?;
    Some(Effect::ReadCatalog {
        generation,
        lock_timeout: app.model.settings.lock_timeout.clone(),
        staged: app.model.catalog.is_none(),
    })
}

/// After an apply: re-read only the tables the plan touched and their neighbours by
/// foreign key; a full read when there is nothing to merge into.
fn reread_after_apply(app: &mut App) -> Option<Effect> {
    let (Some(catalog), Some(plan)) = (app.model.catalog.as_deref(), app.model.plan.as_ref())
    else {
        return read_catalog(app);
    };
    let tables = crate::catalog::reread::touched_tables(&plan.plan.changes(), catalog);
    let read = crate::catalog::reread::to_read(&tables, catalog);
    let generation = app.job.start(JobKind::Reading, 0).ok()?;
    Some(Effect::RereadTables {
        generation,
        lock_timeout: app.model.settings.lock_timeout.clone(),
        tables,
        read,
    })
}

/// `x`: drafted tables leave the design (after a yes); live objects are never dropped.
fn delete(app: &mut App) {
    let Some(row) = app.view.tree.selected_row() else {
        return;
    };
    if row.kind == RowKind::Table && row.new {
        app.view
            .overlays
            .push(Overlay::ConfirmDelete(ConfirmDelete {
                table: row.label.clone(),
            }));
    } else if row.managed {
        app.view.message = Some(format!("{} is managed by Supabase: read-only", row.schema));
    } else {
        app.view.message = Some(
            "schemaforge never drops live objects; only drafted (+) tables can be removed".into(),
        );
    }
}

/// The demo users an apply inserts into `auth.users`: the plan's count, or the owners
/// choice's when the rows load but could not be counted ahead (they need the live ids).
fn demo_users(app: &App) -> u64 {
    let counted = app.model.plan.as_ref().map_or(0, |p| p.plan.demo_users);
    let super::sample_load::OwnerChoice::Generated(n) = app.model.sample_run.owners else {
        return counted;
    };
    let loads = match (&app.model.analysis.resolved, &app.model.catalog) {
        (Some(resolved), Some(catalog)) => {
            super::sample_load::pending(resolved, catalog, app.model.sample_run).is_some()
        }
        _ => false,
    };
    if counted == 0 && loads {
        u64::from(n)
    } else {
        counted
    }
}

/// Why `d`/`A` cannot run now, if they cannot.
pub fn cannot_apply(app: &App) -> Option<String> {
    if app.applying() {
        return Some("an apply is already running (Esc cancels it)".into());
    }
    if app.model.loading.is_some() && app.model.catalog.is_none() {
        return Some("wait: details still loading; apply needs the whole live schema".into());
    }
    if app.reading() {
        return Some("wait: the live schema is being read".into());
    }
    match &app.model.plan {
        None if app.model.design.is_none() => Some("no design: open one with --design FILE".into()),
        None => Some("the design has errors; see the preview".into()),
        Some(p) if p.plan.is_empty() => {
            Some("nothing to do: the database has everything in the design".into())
        }
        Some(_) => None,
    }
}

fn start_apply(app: &mut App, dry_run: bool) -> Vec<Effect> {
    if let Some(reason) = cannot_apply(app) {
        app.view.message = Some(reason);
        return Vec::new();
    }
    let plan = app.model.plan.as_ref().expect("checked by cannot_apply");
    let kind = if dry_run {
        JobKind::DryRun
    } else {
        JobKind::Applying
    };
    let Ok(generation) = app.job.start(kind, plan.bundle.statements.len()) else {
        app.view.message = Some("busy: wait for the running job (esc cancels it)".into());
        return Vec::new();
    };
    app.apply = ApplyState::Idle;
    app.view.phase = Phase::Preview;
    app.view.message = Some(
        if dry_run {
            "dry run: running everything, then rolling back…"
        } else {
            "applying in one transaction…"
        }
        .into(),
    );
    let plan = app.model.plan.as_ref().expect("checked by cannot_apply");
    let samples = match (&app.model.analysis.resolved, &app.model.catalog) {
        (Some(resolved), Some(catalog)) => {
            super::sample_load::pending(resolved, catalog, app.model.sample_run).map(Box::new)
        }
        _ => None,
    };
    let csv = match (&app.model.csv_import, &app.model.design) {
        (Some(import), Some(state)) => import
            .load(&state.design, app.model.catalog.as_deref())
            .map(Box::new),
        _ => None,
    };
    vec![Effect::Apply {
        generation,
        bundle: plan.bundle.clone(),
        fingerprint: plan.plan.fingerprint.clone(),
        dry_run,
        samples,
        csv,
    }]
}

fn applied(app: &mut App, dry_run: bool, result: Result<ApplyReport, ApplyError>) -> Vec<Effect> {
    let cancelled = app.job.finish().is_some_and(|job| job.cancelling);
    match result {
        Ok(report) => {
            app.apply = ApplyState::Succeeded {
                dry_run,
                statements: report.statements,
                rows: report.rows,
                demo_users: report.demo_users,
                rejected: report.rejected,
                millis: report.elapsed.as_millis(),
            };
            let rows = format!(
                "{}{}",
                crate::samples::loaded_phrase(report.rows, report.demo_users),
                preview::set_aside(report.rejected, app.model.csv_import.as_ref())
            );
            if report.committed {
                app.view.message = Some(format!(
                    "applied {}{rows} in {} ms; re-reading the schema",
                    crate::tui::components::plural(report.statements, "statement"),
                    report.elapsed.as_millis()
                ));
                return reread_after_apply(app).into_iter().collect();
            }
            app.view.message = Some(format!(
                "dry run ok: {}{rows} ran in {} ms and were rolled back",
                crate::tui::components::plural(report.statements, "statement"),
                report.elapsed.as_millis()
            ));
        }
        Err(ApplyError::Statement(failure)) => {
            app.view.phase = Phase::Preview;
            app.view.focus = Focus::Main;
            if cancelled || (failure.code == "57014" && !failure.is_statement_timeout()) {
                app.apply = ApplyState::Error("cancelled: nothing was applied".into());
                app.view.message = Some("cancelled; the transaction was rolled back".into());
            } else {
                app.view.preview.scroll = failure.line.saturating_sub(3);
                app.view.message = Some(format!(
                    "statement {} failed: {}; nothing was applied",
                    failure.index + 1,
                    failure.message
                ));
                app.apply = ApplyState::Failed(failure);
            }
        }
        Err(ApplyError::Drift { expected, actual }) => {
            app.apply = ApplyState::Idle;
            app.view
                .overlays
                .push(Overlay::Drift(Drift { expected, actual }));
            app.view.message = Some("the live schema changed; nothing applied; re-reading".into());
            return read_catalog(app).into_iter().collect();
        }
        Err(_) if cancelled => {
            app.apply = ApplyState::Error("cancelled: nothing was applied".into());
            app.view.message = Some("cancelled; the transaction was rolled back".into());
        }
        Err(e) => {
            app.view.message = Some("apply failed; nothing was applied".into());
            app.apply = ApplyState::Error(e.to_string());
        }
    }
    Vec::new()
}
