//! The analysis remembers what it read of the design's text from one run to the next
//! ([`crate::memo`]); it must say exactly what a first reading says. Over random sequences
//! of edits, the analysis made on a thread that analysed every earlier design equals the one
//! made on a fresh thread (empty memos), finding for finding and statement for statement.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use super::{Analysis, analyse};
use crate::catalog::{Catalog, PolicyCommand};
use crate::design::Design;
use crate::design::edit::arbitrary::design;
use crate::design::edit::arbitrary_edits::edit_seed;
use crate::plan::PlanSettings;
use crate::rls::lint::fixtures::{policy, supabase, table};

/// A Supabase-style database where some of the arbitrary designs' tables are live (so
/// they are planned as changes), with a policy that reads another table.
fn live() -> Catalog {
    let mut todos = table("public", "todos");
    todos.policies.push(policy(
        "members",
        PolicyCommand::Select,
        &["authenticated"],
        Some("exists (select 1 from projects p where p.created_by = auth.uid())"),
        None,
    ));
    supabase(vec![
        todos,
        table("public", "projects"),
        table("public", "tags"),
    ])
}

/// What a front end shows of an analysis, in a form that can be compared.
fn shown(a: &Analysis) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        a.findings.clone(),
        a.resolved.clone(),
        a.plan.clone(),
        a.bundle.as_ref().map(|b| b.text.clone()),
    )
}

fn afresh(design: &Design, catalog: &Catalog) -> Analysis {
    let (design, catalog) = (design.clone(), catalog.clone());
    std::thread::spawn(move || analyse(&design, Some(&catalog), &PlanSettings::default()))
        .join()
        .expect("the analysis does not panic")
}

/// A design that validates and plans against [`live`]: two of its tables are live, fields
/// of assorted types, policies that read other tables, relationships.
fn planned() -> Design {
    let fields = serde_json::json!([
        {"name": "title", "type": "singleLineText", "options": {"required": true, "max_length": 200}},
        {"name": "status", "type": "singleSelect", "options": {"choices": ["open", "done"], "default": "open"}},
        {"name": "price", "type": "currency"},
        {"name": "Owner Email", "type": "email", "options": {"unique": true}},
        {"name": "done", "type": "checkbox"}
    ]);
    let policies = serde_json::json!([
        {"name": "Own rows", "operation": "ALL", "using_expression": "created_by = auth.uid()"},
        {"name": "team members", "operation": "SELECT",
         "using_expression": "exists (select 1 from todos t where t.created_by = auth.uid()) or status = 'open'"}
    ]);
    let tables: Vec<_> = ["Projects", "Todos", "Invoices", "Comments"]
        .iter()
        .map(|name| serde_json::json!({"name": name, "fields": fields, "rls_policies": policies}))
        .collect();
    let text = serde_json::json!({
        "tables": tables,
        "relationships": [
            {"table": "todos", "name": "project", "target": "projects"},
            {"table": "comments", "name": "parent", "target": "todos"},
            {"table": "invoices", "name": "Customer", "target": "projects", "allow_multiple": true}
        ]
    })
    .to_string();
    crate::design::parse(&text).expect("the design parses").0
}

/// Starting designs: mostly one that plans, sometimes an arbitrary one (which often does
/// not validate, so validation is compared too).
fn start() -> BoxedStrategy<Design> {
    prop_oneof![3 => Just(planned()), 1 => design()].boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_remembered_reading_gives_the_analysis_a_fresh_one_gives(
        start in start(),
        seeds in prop::collection::vec(edit_seed(), 1..6),
    ) {
        let catalog = live();
        let settings = PlanSettings::default();
        let mut d = start;
        // Fills this thread's memos with the starting design's text.
        analyse(&d, Some(&catalog), &settings);
        for seed in seeds {
            let edit = seed.edit_for(&d);
            if edit.apply(&mut d).is_err() {
                continue;
            }
            let remembered = analyse(&d, Some(&catalog), &settings);
            prop_assert_eq!(shown(&remembered), shown(&afresh(&d, &catalog)));
        }
    }
}
