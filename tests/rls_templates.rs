//! Every RLS template applied to real PostgreSQL, then checked with the simulator as the
//! owner, as another user and as anon; the linter finds nothing to warn about in the result,
//! both before apply (merged view) and after (live catalog).
mod common;

use common::{TestDb, scalar, test_db};
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::simulate::simulate;
use schemaforge::design::{self, Design};
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::rls::lint::{Finding, Level, LintContext, lint, lint_design};
use schemaforge::rls::simulate::{Outcome, SimRole, SimUser, SimulationReport, SimulationRequest};
use schemaforge::rls::templates::{self, Template};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

const ALICE: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BOB: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const CAROL: &str = "cccccccc-0000-4000-8000-000000000003";

fn project_design() -> Design {
    serde_json::from_value(serde_json::json!({"tables": [{
        "name": "Projects",
        "fields": [{"name": "title", "type": "singleLineText", "options": {"required": true}, "is_primary": true}]
    }]}))
    .unwrap()
}

fn serious(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| f.level != Level::Info).collect()
}

/// Applies the templates, plans, checks the merged lint, applies, checks the live lint
/// (same findings as predicted), and adds the three users.
async fn build(db: &TestDb, mut design: Design, picks: &[(&str, Template)]) {
    let before = schemaforge::db::catalog::read(db).await.unwrap();
    let known = |s: &str, t: &str| before.table(s, t).is_some();
    for (table, template) in picks {
        templates::apply(&mut design, table, *template, &known).unwrap();
    }
    let resolved =
        design::resolve_with_known_tables(&design, &known).unwrap_or_else(|d| panic!("{d:?}"));
    let plan = plan(&resolved, &before, &PlanSettings::default()).unwrap();
    let predicted = lint_design(&before, &resolved, &plan.changes());
    assert!(
        serious(&predicted).is_empty(),
        "{:#?}\n{}",
        serious(&predicted),
        plan.bundle().text
    );
    apply(
        db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", plan.bundle().text));
    let after = schemaforge::db::catalog::read(db).await.unwrap();
    let live = lint(&after, &LintContext::for_design(&resolved));
    assert!(serious(&live).is_empty(), "{:#?}", serious(&live));
    let key = |f: &Finding| (f.rule, f.object.clone());
    assert_eq!(
        predicted.iter().map(key).collect::<Vec<_>>(),
        live.iter().map(key).collect::<Vec<_>>(),
        "the merged view predicts the live catalog's findings"
    );
    db.batch_execute(&format!(
        "INSERT INTO auth.users (id, email) VALUES ('{ALICE}', 'alice@example.com'), \
         ('{BOB}', 'bob@example.com'), ('{CAROL}', 'carol@example.com')"
    ))
    .await
    .unwrap();
}

async fn run_as(db: &TestDb, user: Option<&str>) -> SimulationReport {
    let request = SimulationRequest {
        schemas: vec!["public".into()],
        user: user.map_or(SimUser::Generated, |u| SimUser::Existing(u.into())),
        role: if user.is_some() {
            SimRole::Authenticated
        } else {
            SimRole::Anon
        },
        setup: vec![],
        samples: None,
    };
    simulate(db, None, &request)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// (SELECT rows, INSERT outcome, UPDATE rows or outcome, DELETE rows or outcome) as text.
/// The probes of `table` as its owner (Alice), as another user (Carol) and as anon.
async fn as_owner_other_anon(db: &TestDb, table: &str) -> [String; 3] {
    [
        row(&run_as(db, Some(ALICE)).await, table),
        row(&run_as(db, Some(CAROL)).await, table),
        row(&run_as(db, None).await, table),
    ]
}

fn row(report: &SimulationReport, table: &str) -> String {
    let t = report
        .table(table)
        .unwrap_or_else(|| panic!("{table} in {report:?}"));
    let show = |p: &schemaforge::rls::simulate::Probe| match p.outcome {
        Outcome::Allowed => p.rows.to_string(),
        Outcome::Denied => "denied".into(),
        Outcome::Failed => format!("failed: {}", p.message.clone().unwrap_or_default()),
    };
    format!(
        "select {} insert {} update {} delete {}",
        show(&t.select),
        show(&t.insert),
        show(&t.update),
        show(&t.delete)
    )
}

async fn two_projects(db: &TestDb) {
    db.batch_execute(&format!(
        "INSERT INTO projects (title, created_by) VALUES ('alice''s', '{ALICE}'), ('bob''s', '{BOB}')"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn owner_only() {
    let db = test_db().await;
    build(&db, project_design(), &[("Projects", Template::OwnerOnly)]).await;
    two_projects(&db).await;
    assert_eq!(
        as_owner_other_anon(&db, "public.projects").await,
        [
            "select 1 insert 1 update 1 delete 1",
            "select 0 insert 1 update 0 delete 0",
            "select 0 insert denied update 0 delete 0",
        ]
    );
    // The simulation left nothing behind.
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM projects")
            .await
            .as_deref(),
        Some("2")
    );
}

#[tokio::test]
async fn public_read_owner_write() {
    let db = test_db().await;
    build(
        &db,
        project_design(),
        &[("Projects", Template::PublicReadOwnerWrite)],
    )
    .await;
    two_projects(&db).await;
    assert_eq!(
        as_owner_other_anon(&db, "public.projects").await,
        [
            "select 2 insert 1 update 1 delete 1",
            "select 2 insert 1 update 0 delete 0",
            "select 2 insert denied update 0 delete 0",
        ],
        "anon holds Supabase's default privileges; the policies stop every write"
    );
}

#[tokio::test]
async fn authenticated_read_owner_write() {
    let db = test_db().await;
    build(
        &db,
        project_design(),
        &[("Projects", Template::AuthenticatedReadOwnerWrite)],
    )
    .await;
    two_projects(&db).await;
    assert_eq!(
        as_owner_other_anon(&db, "public.projects").await,
        [
            "select 2 insert 1 update 1 delete 1",
            "select 2 insert 1 update 0 delete 0",
            "select 0 insert denied update 0 delete 0",
        ]
    );
}

#[tokio::test]
async fn public_reference() {
    let db = test_db().await;
    let mut design = project_design();
    design.tables[0].name = "Countries".into();
    build(&db, design, &[("Countries", Template::PublicReference)]).await;
    db.batch_execute("INSERT INTO countries (title) VALUES ('France'), ('Japan')")
        .await
        .unwrap();
    for user in [Some(ALICE), Some(CAROL), None] {
        let report = run_as(&db, user).await;
        assert_eq!(
            row(&report, "public.countries"),
            "select 2 insert denied update denied delete denied",
            "{user:?}"
        );
    }
}

#[tokio::test]
async fn hand_written_policies_are_kept_and_work_as_written() {
    let db = test_db().await;
    let mut design = project_design();
    design.tables[0].rls_policies = vec![schemaforge::design::Policy {
        using_expression: Some("created_by = auth.uid()".into()),
        ..schemaforge::design::Policy::new("Owners read", schemaforge::design::Operation::Select)
    }];
    build(&db, design, &[("Projects", Template::HandWritten)]).await;
    two_projects(&db).await;
    let owner = run_as(&db, Some(BOB)).await;
    assert_eq!(
        row(&owner, "public.projects"),
        "select 1 insert denied update 0 delete 0"
    );
    let anon = run_as(&db, None).await;
    assert_eq!(
        row(&anon, "public.projects"),
        "select 0 insert denied update 0 delete 0"
    );
}

#[tokio::test]
async fn organization_membership_isolates_two_organizations() {
    let db = test_db().await;
    build(
        &db,
        project_design(),
        &[("Projects", Template::Organization)],
    )
    .await;
    let o1 = "11111111-0000-4000-8000-000000000001";
    let o2 = "22222222-0000-4000-8000-000000000002";
    db.batch_execute(&format!(
        "INSERT INTO organizations (id, name, created_by) VALUES ('{o1}', 'one', '{ALICE}'), ('{o2}', 'two', '{BOB}');
         INSERT INTO organization_members (org_id, user_id) VALUES ('{o1}', '{ALICE}'), ('{o2}', '{BOB}');
         INSERT INTO projects (title, org_id, created_by) VALUES ('one''s', '{o1}', '{ALICE}'), ('two''s', '{o2}', '{BOB}');"
    ))
    .await
    .unwrap();
    for member in [ALICE, BOB] {
        let report = run_as(&db, Some(member)).await;
        assert_eq!(
            row(&report, "public.projects"),
            "select 1 insert 1 update 1 delete 1",
            "{member}"
        );
        assert_eq!(report.table("public.organizations").unwrap().select.rows, 1);
        assert_eq!(
            report
                .table("public.organization_members")
                .unwrap()
                .select
                .rows,
            1
        );
    }
    // Carol belongs to no organisation: she sees nothing and cannot write into one.
    let outsider = run_as(&db, Some(CAROL)).await;
    assert_eq!(
        row(&outsider, "public.projects"),
        "select 0 insert denied update 0 delete 0"
    );
    assert_eq!(
        outsider.table("public.organizations").unwrap().select.rows,
        0
    );
    let anon = run_as(&db, None).await;
    assert_eq!(
        row(&anon, "public.projects"),
        "select 0 insert denied update 0 delete 0"
    );
    // Alice cannot move her project into Bob's organisation.
    db.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE authenticated; \
         SELECT set_config('request.jwt.claims', '{{\"sub\":\"{ALICE}\",\"role\":\"authenticated\"}}', true);"
    ))
    .await
    .unwrap();
    let err = db
        .batch_execute(&format!("UPDATE projects SET org_id = '{o2}'"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("row-level security") || format!("{err:?}").contains("42501"),
        "{err:?}"
    );
    db.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn a_schema_from_every_template_has_no_error_or_warn_findings() {
    let db = test_db().await;
    let design: Design = serde_json::from_value(serde_json::json!({"tables": [
        {"name": "Todos", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
        {"name": "Posts", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
        {"name": "Notes", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
        {"name": "Countries", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
        {"name": "Contacts", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]}
    ],
    "relationships": [{"table": "todos", "name": "tags", "target": "countries", "allow_multiple": true}]}))
    .unwrap();
    build(
        &db,
        design,
        &[
            ("Todos", Template::OwnerOnly),
            ("Posts", Template::PublicReadOwnerWrite),
            ("Notes", Template::AuthenticatedReadOwnerWrite),
            ("Countries", Template::PublicReference),
            ("Contacts", Template::Organization),
        ],
    )
    .await;
    // The simulator also runs the bundle itself, inside its rolled-back transaction.
    let fresh = test_db().await;
    let before = schemaforge::db::catalog::read(&fresh).await.unwrap();
    let mut design = project_design();
    templates::apply(&mut design, "Projects", Template::OwnerOnly, &|_, _| false).unwrap();
    let resolved = design::resolve(&design).unwrap();
    let plan = plan(&resolved, &before, &PlanSettings::default()).unwrap();
    let report = simulate(
        &fresh,
        Some(&plan.bundle()),
        &SimulationRequest {
            schemas: vec!["public".into()],
            user: SimUser::Generated,
            role: SimRole::Authenticated,
            setup: vec![],
            samples: None,
        },
    )
    .await
    .unwrap();
    assert!(report.user.is_some());
    assert_eq!(
        row(&report, "public.projects"),
        "select 0 insert 1 update 0 delete 0",
        "the probe row carries a generated title, so the owner's insert is proven"
    );
    assert_eq!(
        scalar(&fresh, "SELECT to_regclass('public.projects')::text").await,
        None,
        "rolled back"
    );
}
