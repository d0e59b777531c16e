//! Live tables with hand-written policies (tests/fixtures/from_db/supabase_policies.sql),
//! opened in the TUI against a real PostgreSQL: opening one plans nothing, an unrelated edit
//! plans only itself, and a policy the user does change is planned and counted.

mod common;
mod tui_support;

use crossterm::event::KeyCode;
use schemaforge::design::edit::Edit;
use schemaforge::plan::step::StepKind;
use schemaforge::tui::components::tables_pane::{TableRow, rows};
use schemaforge::tui::runtime::Harness;

use common::{TestDb, test_db};
use tui_support::empty_app;

async fn fixture_db() -> TestDb {
    let db = test_db().await;
    let sql = std::fs::read_to_string(format!(
        "{}/tests/fixtures/from_db/supabase_policies.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    db.batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}", schemaforge::db::server_error::describe(&e)));
    db
}

/// A fresh session with the live table `name` opened from phase 1.
async fn opened(db: &TestDb, name: &str) -> Harness {
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    let row = rows(&h.app)
        .iter()
        .position(|r| *r == TableRow::Live(name.into()))
        .unwrap_or_else(|| panic!("{name} is listed as a live table"));
    for _ in 0..row {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.design().tables.len(), 1, "{:?}", h.app.view.message);
    h
}

fn plan_text(h: &Harness) -> String {
    h.app.model.plan.as_ref().unwrap().bundle.text.clone()
}

fn step_kinds(h: &Harness) -> Vec<StepKind> {
    let plan = &h.app.model.plan.as_ref().unwrap().plan;
    plan.steps.iter().map(|s| s.kind).collect()
}

#[tokio::test]
async fn opening_each_live_table_and_adding_an_index_plans_only_the_index() {
    let db = fixture_db().await;
    for (table, column) in [
        ("profiles", "username"),
        ("teams", "name"),
        ("team_members", "user_id"),
        ("tasks", "team_id"),
    ] {
        let mut h = opened(&db, table).await;
        assert!(
            h.app.model.plan.as_ref().unwrap().plan.is_empty(),
            "{table}: opening it plans\n{}",
            plan_text(&h)
        );
        // Phase 2, `i`: the second column of the list taken, confirmed.
        h.keys("2i");
        h.key(KeyCode::Home);
        h.key(KeyCode::Down);
        h.key(KeyCode::Char(' '));
        h.key(KeyCode::Enter);
        h.settle().await;
        let text = plan_text(&h);
        // The PostgREST refresh follows any change.
        let kinds: Vec<StepKind> = step_kinds(&h)
            .into_iter()
            .filter(|k| *k != StepKind::Refresh)
            .collect();
        assert_eq!(
            kinds,
            [StepKind::CreateIndex],
            "{table}: only the index is planned\n{text}"
        );
        assert!(
            text.contains(&format!("CREATE INDEX \"idx_{table}_{column}\"")),
            "{table}:\n{text}"
        );
        assert!(!text.contains("POLICY"), "{table}:\n{text}");
        let summary = h.app.model.plan.as_ref().unwrap().summary.to_string();
        assert_eq!(summary, "1 index · 0 destructive steps", "{table}");
    }
}

#[tokio::test]
async fn a_changed_live_policy_is_planned_and_counted() {
    let db = fixture_db().await;
    let mut h = opened(&db, "teams").await;
    let design = h.design();
    let index = design.tables[0]
        .rls_policies
        .iter()
        .position(|p| p.name == "Owners manage teams")
        .expect("the policy is read");
    let mut policy = design.tables[0].rls_policies[index].clone();
    policy.roles = vec!["authenticated".into(), "anon".into()];
    let effects = schemaforge::tui::editing::apply(
        &mut h.app,
        Edit::ChangePolicy {
            table: 0,
            index,
            policy,
        },
        "changed",
    );
    h.runtime.perform(effects);
    h.settle().await;
    let text = plan_text(&h);
    assert!(step_kinds(&h).contains(&StepKind::AlterPolicy), "{text}");
    // Only the roles changed: the expression keeps its text and no WITH CHECK is added.
    assert!(
        text.contains(
            "ALTER POLICY \"Owners manage teams\" ON \"public\".\"teams\"\n  TO \"authenticated\", \"anon\"\n  USING ((owner_id = auth.uid()));"
        ),
        "{text}"
    );
    assert!(!text.contains("WITH CHECK"), "{text}");
    let summary = h.app.model.plan.as_ref().unwrap().summary.to_string();
    assert!(summary.contains("1 policy changed"), "{summary}");
    // The apply dialog says so too.
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    let screen = h.screen(140, 40);
    assert!(screen.contains("1 policy changed"), "{screen}");
    h.keys("apply");
    h.key(KeyCode::Enter);
    h.settle().await;
    let screen = h.screen(140, 40);
    assert!(
        matches!(
            h.app.apply,
            schemaforge::tui::app::ApplyState::Succeeded { dry_run: false, .. }
        ),
        "{:?}\n{}",
        h.app.apply,
        screen
    );
    assert!(
        h.app.model.plan.as_ref().unwrap().plan.is_empty(),
        "applied, nothing is left to do:\n{}",
        plan_text(&h)
    );
    assert_eq!(
        common::scalar(
            &db,
            "SELECT coalesce(with_check, '-') || ' ' || qual FROM pg_policies WHERE policyname = 'Owners manage teams'"
        )
        .await
        .as_deref(),
        Some("- (owner_id = auth.uid())")
    );
}
