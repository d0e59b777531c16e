//! The Preview's rollback tab (`b`): the bundle that undoes the plan, the same one
//! `schemaforge plan --down` prints. After an apply the plan is empty, so the rollback of the
//! plan just applied is kept and shown as such — that is when it is wanted.

use crate::plan::rollback;

use super::app::{App, ApplyState, RollbackView};
use super::highlight::highlight;

/// `b` in the Preview: between the plan and its rollback.
pub fn toggle(app: &mut App) {
    app.view.preview.show_rollback = !app.view.preview.show_rollback;
    app.view.preview.scroll = 0;
    sync(app);
    app.view.message = Some(if app.view.preview.show_rollback {
        "the rollback: what undoes the plan once applied (b: back to the plan)".into()
    } else {
        "the plan".into()
    });
}

/// Keeps the rollback in step with the plan while the tab is shown.
pub fn sync(app: &mut App) {
    if !app.view.preview.show_rollback {
        return;
    }
    let just_applied = matches!(app.apply, ApplyState::Succeeded { dry_run: false, .. });
    let (Some(plan), Some(catalog)) = (&app.model.plan, &app.model.catalog) else {
        return;
    };
    let current = &mut app.view.preview.rollback;
    if plan.plan.is_empty() {
        match current {
            Some(view) if just_applied => view.after_apply = true,
            _ => *current = None,
        }
        return;
    }
    if current
        .as_ref()
        .is_some_and(|v| v.source == plan.bundle.text)
    {
        return;
    }
    let rollback = rollback(&plan.plan, catalog);
    let bundle = rollback.bundle();
    let lines = highlight(&bundle);
    *current = Some(Box::new(RollbackView {
        source: plan.bundle.text.clone(),
        after_apply: false,
        rollback,
        bundle,
        lines,
    }));
}
