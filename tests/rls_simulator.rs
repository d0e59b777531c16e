//! The policy simulator on real PostgreSQL: the seed's Todos insert proven for its owner and
//! refused for another user, a self-referencing policy's recursion error, two users side by
//! side each seeing only their rows, and nothing left behind by the rolled-back transaction.
mod common;

use common::{TestDb, scalar, test_db};
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::simulate::{simulate, simulate_side_by_side};
use schemaforge::design::{self, Design};
use schemaforge::plan::{Bundle, PlanSettings, plan};
use schemaforge::rls::simulate::{
    Outcome, SimRole, SimUser, SimulateError, SimulationRequest, SimulationSamples, Subject,
};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

const ALICE: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BOB: &str = "bbbbbbbb-0000-4000-8000-000000000002";

fn todos() -> Design {
    let text = std::fs::read_to_string(format!(
        "{}/assets/examples/todos.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn todos_bundle(db: &TestDb) -> Bundle {
    let before = schemaforge::db::catalog::read(db).await.unwrap();
    let resolved = design::resolve(&todos()).unwrap();
    plan(&resolved, &before, &PlanSettings::default())
        .unwrap()
        .bundle()
}

async fn two_users(db: &TestDb) {
    db.batch_execute(&format!(
        "INSERT INTO auth.users (id, email) VALUES ('{ALICE}', 'alice@example.com'), \
         ('{BOB}', 'bob@example.com')"
    ))
    .await
    .unwrap();
}

fn request() -> SimulationRequest {
    SimulationRequest {
        schemas: vec!["public".into()],
        user: SimUser::Generated,
        role: SimRole::Authenticated,
        setup: vec![],
        samples: None,
    }
}

/// Everything a simulation could leave: tables, users, rows.
async fn footprint(db: &TestDb) -> Vec<Option<String>> {
    vec![
        scalar(db, "SELECT to_regclass('public.todos')::text").await,
        scalar(db, "SELECT count(*)::text FROM auth.users").await,
        scalar(
            db,
            "SELECT count(*)::text FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace",
        )
        .await,
    ]
}

#[tokio::test]
async fn the_seed_todos_insert_is_allowed_for_its_owner_and_denied_for_another_user() {
    let db = test_db().await;
    two_users(&db).await;
    let before = footprint(&db).await;
    let bundle = todos_bundle(&db).await;
    let reports = simulate_side_by_side(
        &db,
        Some(&bundle),
        &request(),
        &[
            Subject::user(SimUser::Email("alice@example.com".into())),
            Subject::user(SimUser::Existing(BOB.into())),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (alice, bob) = (&reports[0], &reports[1]);
    assert_eq!(alice.user.as_deref(), Some(ALICE));
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    let todos = alice.table("public.todos").expect("todos probed");
    assert_eq!(todos.owner_column.as_deref(), Some("created_by"));
    assert_eq!(
        (todos.insert.outcome, todos.insert.rows),
        (Outcome::Allowed, 1),
        "{:?}",
        todos.insert
    );
    let for_bob = todos.insert_for_other.as_ref().expect("a row owned by Bob");
    assert_eq!(for_bob.outcome, Outcome::Denied, "{for_bob:?}");
    assert!(
        for_bob
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("new row violates row-level security policy"),
        "{for_bob:?}"
    );
    let bobs = bob.table("public.todos").unwrap();
    assert_eq!(bobs.insert.outcome, Outcome::Allowed);
    assert_eq!(
        bobs.insert_for_other.as_ref().map(|p| p.outcome),
        Some(Outcome::Denied),
        "Bob cannot insert a row owned by Alice"
    );
    // Anon owns nothing: its insert is refused.
    let anon = simulate(
        &db,
        Some(&bundle),
        &SimulationRequest {
            role: SimRole::Anon,
            ..request()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        anon.table("public.todos").unwrap().insert.outcome,
        Outcome::Denied
    );
    assert_eq!(footprint(&db).await, before, "the simulation left nothing");
}

#[tokio::test]
async fn a_self_referencing_policy_reports_the_recursion_error() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;
         GRANT SELECT, INSERT, UPDATE, DELETE ON public.teams TO authenticated;
         CREATE POLICY \"members see teams\" ON public.teams FOR ALL TO authenticated
           USING (EXISTS (SELECT 1 FROM public.teams t WHERE t.id = teams.id));
         INSERT INTO public.teams (name) VALUES ('one');",
    )
    .await
    .unwrap();
    let report = simulate(&db, None, &request()).await.unwrap();
    let teams = report.table("public.teams").unwrap();
    for (op, probe) in [("select", &teams.select), ("insert", &teams.insert)] {
        assert_eq!(probe.outcome, Outcome::Failed, "{op}: {probe:?}");
        assert!(
            probe
                .message
                .as_deref()
                .unwrap_or_default()
                .contains("infinite recursion detected in policy for relation \"teams\""),
            "{op}: {probe:?}"
        );
    }
    let out = common::cli(&db.url, &["lint", "--simulate"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("INSERT failed: infinite recursion detected in policy"),
        "{text}"
    );
}

#[tokio::test]
async fn two_users_each_see_only_their_own_rows() {
    let db = test_db().await;
    two_users(&db).await;
    let bundle = todos_bundle(&db).await;
    apply(&db, &bundle, false, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap();
    db.batch_execute(&format!(
        "INSERT INTO public.todos (id, title, created_by) VALUES \
         ('00000000-0000-4000-8000-00000000000a', 'a1', '{ALICE}'), \
         ('00000000-0000-4000-8000-00000000000b', 'a2', '{ALICE}'), \
         ('00000000-0000-4000-8000-00000000000c', 'b1', '{BOB}')"
    ))
    .await
    .unwrap();
    let before = footprint(&db).await;
    let reports = simulate_side_by_side(
        &db,
        None,
        &request(),
        &[
            Subject::user(SimUser::Existing(ALICE.into())),
            Subject::user(SimUser::Email("BOB@example.com".into())),
            Subject::anon(),
        ],
    )
    .await
    .unwrap();
    let seen = |i: usize| {
        let t = reports[i].table("public.todos").unwrap();
        (t.total_rows, t.select.rows, t.visible_ids.clone())
    };
    let id = |c: char| format!("00000000-0000-4000-8000-00000000000{c}");
    assert_eq!(seen(0), (3, 2, Some(vec![id('a'), id('b')])));
    assert_eq!(seen(1), (3, 1, Some(vec![id('c')])));
    assert_eq!(seen(2), (3, 0, Some(vec![])));
    // Each updates (title and completed set to generated values) and deletes only their own
    // rows, and nothing is really changed.
    assert_eq!(reports[0].table("public.todos").unwrap().update.rows, 2);
    assert_eq!(reports[1].table("public.todos").unwrap().update.rows, 1);
    assert_eq!(reports[2].table("public.todos").unwrap().update.rows, 0);
    assert_eq!(reports[0].table("public.todos").unwrap().delete.rows, 2);
    assert_eq!(reports[1].table("public.todos").unwrap().delete.rows, 1);
    assert_eq!(footprint(&db).await, before);
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(title, ',' ORDER BY title) FROM public.todos"
        )
        .await
        .as_deref(),
        Some("a1,a2,b1")
    );

    // The same from the command line, as text and as JSON.
    let out = common::cli(
        &db.url,
        &[
            "lint",
            "--simulate",
            "--as",
            "alice@example.com",
            "--and-as",
            BOB,
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "side by side: alice@example.com (authenticated) | bob@example.com (authenticated)\n  \
             public.todos: 2 of 3 ({}, {}) | 1 of 3 ({})",
            id('a'),
            id('b'),
            id('c')
        )),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::cli(
        &db.url,
        &[
            "lint",
            "--simulate",
            "--as",
            ALICE,
            "--and-as",
            "anon",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sims = json["simulations"].as_array().unwrap();
    assert_eq!(sims.len(), 2);
    assert_eq!(json["simulation"], sims[0]);
    assert_eq!(sims[1]["role"], "anon");
    let todos = |s: &serde_json::Value| {
        s["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "public.todos")
            .unwrap()
            .clone()
    };
    assert_eq!(todos(&sims[0])["select"]["rows"], 2);
    assert_eq!(todos(&sims[0])["insert"]["outcome"], "allowed");
    assert_eq!(todos(&sims[1])["select"]["rows"], 0);
    assert_eq!(footprint(&db).await, before);
}

#[tokio::test]
async fn a_failed_simulation_rolls_back_too() {
    let db = test_db().await;
    let before = footprint(&db).await;
    let bundle = todos_bundle(&db).await;
    let err = simulate_side_by_side(
        &db,
        Some(&bundle),
        &request(),
        &[
            Subject::user(SimUser::Generated),
            Subject::user(SimUser::Email("nobody@example.com".into())),
        ],
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SimulateError::UnknownUser(u) if u == "nobody@example.com"),
        "{err}"
    );
    // The bundle and the generated user were inside the transaction: gone.
    assert_eq!(footprint(&db).await, before);
    assert_eq!(
        scalar(&db, "SELECT (now() = statement_timestamp())::text")
            .await
            .as_deref(),
        Some("true"),
        "the connection is out of the transaction"
    );
}

/// The todos design with eight sample rows.
fn todos_with_samples() -> Design {
    let mut design = todos();
    design
        .samples
        .insert("Todos".into(), design::Samples::Count(8));
    design
}

/// The ids each report's user sees in `public.todos`, and how many rows there are.
fn todos_seen(report: &schemaforge::rls::simulate::SimulationReport) -> (u64, Vec<String>) {
    let t = report.table("public.todos").expect("todos probed");
    assert_eq!(t.select.outcome, Outcome::Allowed, "{t:?}");
    let ids = t.visible_ids.clone().expect("a small table lists its ids");
    assert_eq!(ids.len() as u64, t.select.rows);
    (t.total_rows, ids)
}

#[tokio::test]
async fn the_designs_sample_rows_are_owned_by_the_simulated_users_and_rolled_back() {
    let db = test_db().await;
    let before = footprint(&db).await;
    let catalog = schemaforge::db::catalog::read(&db).await.unwrap();
    let resolved = design::resolve(&todos_with_samples()).unwrap();
    let bundle = plan(&resolved, &catalog, &PlanSettings::default())
        .unwrap()
        .bundle();
    let samples = SimulationSamples::for_new_tables(&resolved, &catalog, 1);
    assert!(samples.is_some(), "todos is new, so its samples load");
    let reports = simulate_side_by_side(
        &db,
        Some(&bundle),
        &SimulationRequest {
            samples,
            ..request()
        },
        &[
            Subject::user(SimUser::Generated),
            Subject::user(SimUser::Generated),
            Subject::anon(),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (total_a, a) = todos_seen(&reports[0]);
    let (total_b, b) = todos_seen(&reports[1]);
    assert_eq!(
        (total_a, total_b),
        (8, 8),
        "the eight sample rows were loaded"
    );
    assert!(
        !a.is_empty() && !b.is_empty(),
        "each owns some: {a:?} {b:?}"
    );
    assert!(
        a.iter().all(|id| !b.contains(id)),
        "{a:?} and {b:?} overlap"
    );
    assert_eq!(a.len() + b.len(), 8, "every row belongs to one of the two");
    assert_eq!(
        todos_seen(&reports[2]).1,
        Vec::<String>::new(),
        "anon sees none"
    );
    // Their own rows only: each updates and deletes exactly the rows it sees.
    let todos = |i: usize| reports[i].table("public.todos").unwrap();
    assert_eq!(todos(0).update.rows, a.len() as u64);
    assert_eq!(todos(1).delete.rows, b.len() as u64);
    assert_eq!(footprint(&db).await, before, "nothing remains");

    // The command line loads the same rows (one code path), as two generated users.
    let file = std::env::temp_dir().join(format!("todos-samples-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string(&todos_with_samples()).unwrap()).unwrap();
    let out = common::cli(
        &db.url,
        &[
            "lint",
            file.to_str().unwrap(),
            "--simulate",
            "--and-as",
            "generated",
            "--json",
        ],
    );
    std::fs::remove_file(&file).ok();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let seen = |i: usize| -> Vec<String> {
        let t = json["simulations"][i]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "public.todos")
            .unwrap()
            .clone();
        assert_eq!(t["total_rows"], 8, "{t}");
        serde_json::from_value(t["visible_ids"].clone()).unwrap()
    };
    let (a, b) = (seen(0), seen(1));
    assert!(!a.is_empty() && !b.is_empty() && a.iter().all(|id| !b.contains(id)));
    assert_eq!(a.len() + b.len(), 8);
    assert_eq!(
        footprint(&db).await,
        before,
        "nothing remains after the CLI either"
    );
}

/// A many-to-many's linking table is probed with a pair of rows it does not link yet, so its
/// insert policy decides — not its primary key ("duplicate key" from a copied pair).
#[tokio::test]
async fn a_linking_tables_insert_probe_uses_a_pair_not_linked_yet() {
    let db = test_db().await;
    let design: Design = serde_json::from_value(serde_json::json!({
        "tables": [
            {"name": "Projects", "fields": [{"name": "Name", "type": "singleLineText", "is_primary": true}],
             "rls_policies": [{"name": "all", "operation": "ALL", "using_expression": "true",
                               "with_check_expression": "true"}]},
            {"name": "Tags", "fields": [{"name": "Label", "type": "singleLineText", "is_primary": true}],
             "rls_policies": [{"name": "all", "operation": "ALL", "using_expression": "true",
                               "with_check_expression": "true"}]}
        ],
        "relationships": [{"table": "Projects", "name": "tags", "target": "Tags", "allow_multiple": true}],
        "samples": {"Projects": 3, "Tags": 3}
    }))
    .unwrap();
    let catalog = schemaforge::db::catalog::read(&db).await.unwrap();
    let resolved = design::resolve(&design).unwrap();
    let bundle = plan(&resolved, &catalog, &PlanSettings::default())
        .unwrap()
        .bundle();
    let samples = SimulationSamples::for_new_tables(&resolved, &catalog, 1);
    let report = simulate(
        &db,
        Some(&bundle),
        &SimulationRequest {
            samples,
            ..request()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let link = report
        .tables
        .iter()
        .find(|t| t.table.contains("projects_tags") || t.table.contains("tags_projects"))
        .unwrap_or_else(|| panic!("the linking table is probed: {report:?}"));
    assert_ne!(link.insert.outcome, Outcome::Failed, "{:?}", link.insert);
    assert!(
        !link
            .insert
            .message
            .as_deref()
            .is_some_and(|m| m.contains("duplicate key")),
        "{:?}",
        link.insert
    );
}
