//! `Catalog::apply` is the database as a plan leaves it: planning the same design again
//! against the applied catalog finds nothing left to do, for every example design. Pure: no
//! server, the planner checked against its own typed changes.

mod tui_support;

use schemaforge::catalog::{Catalog, Role};
use schemaforge::design;
use schemaforge::plan::{PlanSettings, plan};

fn supabase() -> Catalog {
    let mut catalog = tui_support::catalog();
    for name in ["anon", "authenticated", "service_role"] {
        catalog.roles.push(Role {
            name: name.into(),
            can_login: false,
            bypass_rls: false,
            superuser: false,
        });
    }
    catalog
}

#[test]
fn replanning_against_the_applied_catalog_is_empty() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = design::parse(&text).expect("example parses").0;
        let before = supabase();
        let known = |s: &str, t: &str| before.table(s, t).is_some();
        let resolved = design::resolve_with_known_tables(&parsed, &known).expect("resolves");
        let first = plan(&resolved, &before, &PlanSettings::default()).expect("plans");
        assert!(!first.is_empty(), "{}", path.display());
        let after = before.apply(&first.changes());
        let again = plan(&resolved, &after, &PlanSettings::default()).expect("plans again");
        let left: Vec<&str> = again.steps.iter().map(|s| s.sql.as_str()).collect();
        assert!(left.is_empty(), "{}: {left:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 3);
}
