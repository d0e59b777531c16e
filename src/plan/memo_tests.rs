//! The catalog's memo of canonical forms must never hide a difference: after plans have
//! filled it, a changed default, CHECK or policy — on the design's side or the catalog's —
//! is still planned.

use serde_json::json;

use crate::catalog::{Catalog, Change};
use crate::design::{self, ResolvedDesign};

use super::{PlanSettings, plan};

fn design(default: bool, choices: &[&str], using: &str) -> ResolvedDesign {
    let text = json!({"tables": [{
        "name": "todos",
        "fields": [
            {"name": "title", "type": "singleLineText", "options": {"max_length": 80}},
            {"name": "status", "type": "singleSelect", "options": {"choices": choices}},
            {"name": "done", "type": "checkbox", "options": {"default": default}},
        ],
        "rls_policies": [{"name": "own", "operation": "ALL", "using_expression": using}],
    }]})
    .to_string();
    let (parsed, _) = design::parse(&text).expect("parses");
    design::resolve(&parsed).expect("resolves")
}

fn original() -> ResolvedDesign {
    design(false, &["open", "done"], "created_by = auth.uid()")
}

/// A Supabase-style catalog holding everything `original()` asks for, its memo filled by
/// planning against it.
fn applied() -> Catalog {
    let empty = crate::rls::lint::fixtures::supabase(Vec::new());
    let settings = PlanSettings::default();
    let created = plan(&original(), &empty, &settings).expect("plans");
    let catalog = empty.apply(&created.changes());
    for _ in 0..2 {
        let again = plan(&original(), &catalog, &settings).expect("plans");
        assert!(again.is_empty(), "{:#?}", again.steps);
    }
    assert!(!catalog.normalised.is_empty(), "the plans filled the memo");
    catalog
}

fn changes(design: &ResolvedDesign, catalog: &Catalog) -> Vec<Change> {
    plan(design, catalog, &PlanSettings::default())
        .expect("plans")
        .changes()
}

#[test]
fn a_changed_design_expression_is_planned_after_the_memo_is_filled() {
    let catalog = applied();
    let default = changes(
        &design(true, &["open", "done"], "created_by = auth.uid()"),
        &catalog,
    );
    assert!(
        default
            .iter()
            .any(|c| matches!(c, Change::SetDefault { column, default, .. }
                if column == "done" && default == "true")),
        "{default:#?}"
    );
    let choices = changes(
        &design(false, &["open", "done", "later"], "created_by = auth.uid()"),
        &catalog,
    );
    assert!(
        choices
            .iter()
            .any(|c| matches!(c, Change::AddConstraint { .. })),
        "{choices:#?}"
    );
    let policy = changes(
        &design(false, &["open", "done"], "created_by = auth.uid() OR true"),
        &catalog,
    );
    assert!(
        policy
            .iter()
            .any(|c| matches!(c, Change::AlterPolicy { policy, .. }
                if policy.using.as_deref().is_some_and(|u| u.contains("OR true")))),
        "{policy:#?}"
    );
    // And the original still plans empty against the same, now fuller, memo.
    assert!(changes(&original(), &catalog).is_empty());
}

#[test]
fn a_changed_catalog_expression_is_planned_though_its_copy_shares_the_memo() {
    let catalog = applied();
    let mut changed = catalog.clone();
    let table = changed
        .tables
        .iter_mut()
        .find(|t| t.name == "todos")
        .expect("the table was created");
    let column = table
        .columns
        .iter_mut()
        .find(|c| c.name == "done")
        .expect("the column was created");
    column.default = Some("true".into());
    let check = table
        .check_constraints
        .iter_mut()
        .find(|c| c.name == "todos_status_check")
        .expect("the check was created");
    check.definition = check.definition.replace("'done'", "'closed'");
    let policy = table.policies.iter_mut().find(|p| p.name == "own").unwrap();
    policy.using = Some("updated_by = (select auth.uid())".into());

    let planned = changes(&original(), &changed);
    assert!(
        planned
            .iter()
            .any(|c| matches!(c, Change::SetDefault { column, .. } if column == "done")),
        "{planned:#?}"
    );
    assert!(
        planned.iter().any(
            |c| matches!(c, Change::DropConstraint { name, .. } if name == "todos_status_check")
        ),
        "{planned:#?}"
    );
    assert!(
        planned
            .iter()
            .any(|c| matches!(c, Change::AlterPolicy { .. })),
        "{planned:#?}"
    );
    // The copy and the original share one memo, and the original still plans empty.
    assert!(changes(&original(), &catalog).is_empty());
}
