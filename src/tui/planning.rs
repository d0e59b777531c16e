//! Design × catalog → what the screen shows: [`analyse`]'s plan, findings and bundle (the
//! same analysis the CLI prints), the highlighted bundle and the drafted objects for the
//! tree. Pure; `update` calls [`replan`] whenever the design or the catalog changes, so the
//! preview is always current.

use crate::analysis::{Analysis, analyse, analyse_live};
use crate::catalog::Catalog;
use crate::design::{RelationshipKind, ResolvedDesign, SYSTEM_FIELDS};

use super::app::{App, ApplyState, PlanView};
use super::highlight::highlight_cached;
use super::tree::{DraftColumn, DraftTable};

/// Re-analyses `app.model.design` against `app.model.catalog` and rebuilds the tree. The preview keeps
/// its scroll when the bundle text did not change.
pub fn replan(app: &mut App) {
    let analysis = match (&app.model.design, app.model.catalog.as_deref()) {
        (Some(state), catalog) => analyse(&state.design, catalog, &app.model.settings),
        // No design yet: the live database's findings, as `lint` without a design file.
        (None, Some(catalog)) => analyse_live(catalog),
        (None, None) => Analysis::default(),
    };
    replan_with(app, analysis);
}

/// [`replan`] with the analysis of `app.model.design` against `app.model.catalog` already
/// made (an editor made it to judge its form).
pub fn replan_with(app: &mut App, analysis: Analysis) {
    let old_plan = app.model.plan.take();
    let old_drafts = std::mem::take(&mut app.model.drafts);
    let catalog = app.model.catalog.clone();
    let old_analysis = std::mem::replace(&mut app.model.analysis, analysis);
    if let Some(resolved) = &app.model.analysis.resolved {
        app.model.drafts = drafts_of(resolved, catalog.as_deref());
    }
    // Moved, not copied: the plan of a large design is big, and this runs on every edit.
    if let (Some(mut plan), Some(mut bundle)) = (
        app.model.analysis.plan.take(),
        app.model.analysis.bundle.take(),
    ) {
        // A CSV proposed as a new table: the bundle says its rows load before COMMIT.
        let load = match (&app.model.csv_import, &app.model.design) {
            (Some(import), Some(state)) => {
                import.load(&state.design, catalog.as_deref()).map(|load| {
                    crate::import::report::copy_comment(
                        &load.schema,
                        &load.table,
                        load.mapping.columns().len(),
                        &import.proposal,
                        load.rejects.as_deref(),
                    )
                })
            }
            _ => None,
        };
        let sampled = attach_samples(app, &mut plan);
        if let Some(comment) = load {
            plan.imports.push(comment);
        }
        if sampled || !plan.imports.is_empty() {
            bundle = plan.bundle();
        }
        app.model.plan = Some(PlanView {
            summary: plan.summary(),
            lines: highlight_cached(&bundle, &mut app.model.highlights),
            bundle,
            plan,
        });
    }
    if app.model.plan.as_ref().is_some_and(|p| p.plan.is_empty()) {
        // Nothing to do: whatever the design names, the database has it; nothing is
        // marked new or changed in the tree.
        for d in &mut app.model.drafts {
            d.columns.iter_mut().for_each(|c| c.new = false);
            d.policies.clear();
        }
    }
    if old_plan.as_ref().map(|p| p.bundle.text.as_str())
        != app.model.plan.as_ref().map(|p| p.bundle.text.as_str())
    {
        app.view.preview.scroll = 0;
    }
    super::retire::retire((old_plan, old_drafts, old_analysis));
    app.view
        .tree
        .rebuild(app.model.tree_catalog(), &app.model.drafts);
}

/// Counts the sample rows an apply loads into `plan` (its summary and its `-- sample rows`
/// section), through [`crate::plan::Plan::attach_samples`] as `schemaforge plan` does: the
/// samples of the tables the plan creates, with the session's seed and owners. The rows
/// themselves are generated at apply time; a set that cannot be generated without the ids
/// live tables hold is left for the apply to report. True when `plan` changed.
fn attach_samples(app: &App, plan: &mut crate::plan::Plan) -> bool {
    let had = (plan.samples.len(), plan.demo_users, plan.sample_seed);
    plan.detach_samples();
    let pending = match (&app.model.analysis.resolved, &app.model.catalog) {
        (Some(resolved), Some(catalog)) => {
            super::sample_load::pending(resolved, catalog, app.model.sample_run)
        }
        _ => None,
    };
    if let Some(pending) = pending
        && let Ok(set) = crate::samples::generate(&pending.resolved, &pending.run.options(None))
    {
        plan.attach_samples(&set, pending.run.seed);
    }
    had != (plan.samples.len(), plan.demo_users, plan.sample_seed) || plan.sample_seed.is_some()
}

/// After the session's seed or owners changed: the plan's sample rows counted again.
pub fn recount_samples(app: &mut App) {
    let Some(mut view) = app.model.plan.take() else {
        return;
    };
    if attach_samples(app, &mut view.plan) {
        view.bundle = view.plan.bundle();
        view.summary = view.plan.summary();
        view.lines = highlight_cached(&view.bundle, &mut app.model.highlights);
    }
    app.model.plan = Some(view);
}

/// The last apply's outcome belongs to the plan it ran: once the plan changes (an edit, an
/// undo, a re-read) a failure, its `▶` mark and a dry run's result are dropped. A finished
/// apply stays through the re-read that follows it, and after an edit only while the plan
/// is still empty (the header then says `applied`).
pub fn forget_stale_outcome(app: &mut App, edited: bool) {
    let plan_empty = app.model.plan.as_ref().is_some_and(|p| p.plan.is_empty());
    let keep =
        matches!(app.apply, ApplyState::Succeeded { dry_run: false, .. } if plan_empty || !edited);
    if !keep {
        app.apply = ApplyState::Idle;
    }
}

/// The design's tables as the tree shows them: a new table with all its columns, or the
/// columns and policies a live table does not have yet.
pub fn drafts_of(resolved: &ResolvedDesign, catalog: Option<&Catalog>) -> Vec<DraftTable> {
    let schema = &resolved.schema;
    let mut drafts: Vec<DraftTable> = resolved
        .tables
        .iter()
        .map(|t| {
            let mut columns: Vec<(String, String)> = SYSTEM_FIELDS
                .iter()
                .filter(|_| t.system_fields)
                .map(|f| (f.db_name.to_owned(), f.pg_type.sql()))
                .collect();
            columns.extend(t.columns().map(|f| {
                (
                    f.db_name.clone(),
                    f.pg_type.as_ref().map(|p| p.sql()).unwrap_or_default(),
                )
            }));
            let policies = t.policies.iter().map(|p| p.name.clone()).collect();
            draft(catalog, schema, t.db_name.clone(), columns, policies)
        })
        .collect();
    for rel in &resolved.relationships {
        match &rel.kind {
            RelationshipKind::ForeignKey { column, .. } => {
                if let Some(d) = drafts.get_mut(rel.table) {
                    let live = catalog.and_then(|c| c.table(schema, &d.name));
                    d.columns.push(DraftColumn {
                        name: column.clone(),
                        data_type: "uuid".into(),
                        new: live.is_none_or(|t| t.column(column).is_none()),
                    });
                }
            }
            RelationshipKind::Linking {
                table,
                source_column,
                target_column,
                ..
            } => {
                let columns = [source_column, target_column]
                    .into_iter()
                    .map(|c| (c.clone(), "uuid".to_owned()))
                    .chain([
                        ("created_at".to_owned(), "timestamptz".to_owned()),
                        ("created_by".to_owned(), "uuid".to_owned()),
                    ])
                    .collect();
                drafts.push(draft(catalog, schema, table.clone(), columns, Vec::new()));
            }
        }
    }
    drafts
}

fn draft(
    catalog: Option<&Catalog>,
    schema: &str,
    name: String,
    columns: Vec<(String, String)>,
    policies: Vec<String>,
) -> DraftTable {
    let live = catalog.and_then(|c| c.table(schema, &name));
    DraftTable {
        schema: schema.to_owned(),
        exists: live.is_some(),
        columns: columns
            .into_iter()
            .map(|(column, data_type)| DraftColumn {
                new: live.is_none_or(|t| t.column(&column).is_none()),
                name: column,
                data_type,
            })
            .collect(),
        policies: policies
            .into_iter()
            .filter(|p| live.is_none_or(|t| t.policy(p).is_none()))
            .collect(),
        name,
    }
}
