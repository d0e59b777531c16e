//! Issue 5, item 1 — the planner renders policies, this checks the rendering against the
//! issue's rules on a real server: what PostgreSQL stored per operation (USING / WITH
//! CHECK), AS RESTRICTIVE, the default role, and every `auth.*()` call wrapped so it runs
//! once per statement. Reading the stored policies back (not the SQL text) is the point:
//! it is what the server will enforce.
mod common;

use common::test_db;
use schemaforge::catalog::{Policy, PolicyCommand};
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::design;
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::rls::analysis::analyze;
use schemaforge::rls::expr::same_expression;
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

const DESIGN: &str = r#"{"tables": [{"name": "Docs",
  "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}],
  "rls_policies": [
    {"name": "sel", "operation": "SELECT", "using_expression": "created_by = auth.uid()"},
    {"name": "ins", "operation": "INSERT", "with_check_expression": "(auth.jwt() ->> 'email') = auth.email()", "roles": ["anon", "authenticated"]},
    {"name": "upd", "operation": "UPDATE", "using_expression": "created_by = auth.uid()"},
    {"name": "upd both", "operation": "UPDATE", "using_expression": "created_by = auth.uid()", "with_check_expression": "auth.role() = 'authenticated'"},
    {"name": "del", "operation": "DELETE", "using_expression": "created_by = auth.uid()"},
    {"name": "all", "operation": "ALL", "using_expression": "created_by = auth.uid()"},
    {"name": "restrict", "operation": "SELECT", "using_expression": "title <> 'hidden'", "permissive": false}
  ]}]}"#;

/// (name, command, permissive, roles, USING, WITH CHECK).
type Expected = (
    &'static str,
    PolicyCommand,
    bool,
    &'static [&'static str],
    Option<&'static str>,
    Option<&'static str>,
);

fn find<'a>(policies: &'a [Policy], name: &str) -> &'a Policy {
    policies
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no policy {name} in {policies:#?}"))
}

fn same(stored: &Option<String>, wanted: Option<&str>) -> bool {
    match (stored, wanted) {
        (Some(s), Some(w)) => same_expression(s, w),
        (None, None) => true,
        _ => false,
    }
}

#[tokio::test]
async fn stored_policies_follow_the_issue_rules_per_operation() {
    let db = test_db().await;
    let before = schemaforge::db::catalog::read(&db).await.unwrap();
    let (parsed, _) = design::parse(DESIGN).unwrap();
    let known = |s: &str, t: &str| before.table(s, t).is_some();
    let resolved = design::resolve_with_known_tables(&parsed, &known).unwrap();
    let planned = plan(&resolved, &before, &PlanSettings::default()).unwrap();
    apply(
        &db,
        &planned.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", planned.bundle().text));
    let after = schemaforge::db::catalog::read(&db).await.unwrap();
    let docs = after.table("public", "docs").unwrap();
    assert!(docs.rls_enabled);
    const OWNER: &str = "created_by = (select auth.uid())";
    let owner = OWNER;
    // (name, command, permissive, roles, USING, WITH CHECK) as the server holds them.
    let expected: [Expected; 7] = [
        (
            "sel",
            PolicyCommand::Select,
            true,
            &["authenticated"],
            Some(owner),
            None,
        ),
        (
            "ins",
            PolicyCommand::Insert,
            true,
            &["anon", "authenticated"],
            None,
            Some("((select auth.jwt()) ->> 'email') = (select auth.email())"),
        ),
        // UPDATE and ALL with only USING get the same expression as WITH CHECK.
        (
            "upd",
            PolicyCommand::Update,
            true,
            &["authenticated"],
            Some(owner),
            Some(owner),
        ),
        (
            "upd both",
            PolicyCommand::Update,
            true,
            &["authenticated"],
            Some(owner),
            Some("(select auth.role()) = 'authenticated'"),
        ),
        (
            "del",
            PolicyCommand::Delete,
            true,
            &["authenticated"],
            Some(owner),
            None,
        ),
        (
            "all",
            PolicyCommand::All,
            true,
            &["authenticated"],
            Some(owner),
            Some(owner),
        ),
        (
            "restrict",
            PolicyCommand::Select,
            false,
            &["authenticated"],
            Some("title <> 'hidden'"),
            None,
        ),
    ];
    assert_eq!(docs.policies.len(), expected.len(), "{:#?}", docs.policies);
    for (name, command, permissive, roles, using, check) in expected {
        let p = find(&docs.policies, name);
        assert_eq!(p.command, command, "{name}");
        assert_eq!(p.permissive, permissive, "{name}");
        let mut have = p.roles.clone();
        have.sort();
        assert_eq!(have, roles, "{name}");
        assert!(same(&p.using, using), "{name}: USING {:?}", p.using);
        assert!(
            same(&p.with_check, check),
            "{name}: WITH CHECK {:?}",
            p.with_check
        );
        // Every auth.*() call is wrapped: nothing runs once per row.
        for e in p.using.iter().chain(&p.with_check) {
            assert!(
                analyze(e).unwrap().unwrapped_calls.is_empty(),
                "{name}: {e}"
            );
        }
    }
    // Re-planning finds the stored policies equal to the design's: nothing to do.
    let again = plan(&resolved, &after, &PlanSettings::default()).unwrap();
    assert!(again.is_empty(), "{}", again.bundle().text);
}

/// The design side of the same rules: a USING on INSERT, or a WITH CHECK on SELECT or
/// DELETE, is refused with the JSON path instead of being silently moved or dropped.
#[test]
fn misplaced_clauses_are_design_errors() {
    for (operation, key) in [
        ("INSERT", "using_expression"),
        ("SELECT", "with_check_expression"),
        ("DELETE", "with_check_expression"),
    ] {
        let text = format!(
            r#"{{"tables": [{{"name": "Docs", "fields": [{{"name": "t", "type": "singleLineText"}}],
               "rls_policies": [{{"name": "p", "operation": "{operation}", "{key}": "true"}}]}}]}}"#
        );
        let (parsed, _) = design::parse(&text).unwrap();
        let errors = design::resolve(&parsed).expect_err(operation);
        assert!(
            errors
                .iter()
                .any(|d| d.path == format!("tables[0].rls_policies[0].{key}")),
            "{operation}: {errors:?}"
        );
    }
}
