//! The whole journey in the TUI with the keyboard alone, against a real PostgreSQL, from an
//! empty database: two related tables (a many-to-one and a many-to-many), the owner-only
//! template on one and the organisation template on the other, sample rows, a simulation as
//! two users who each see only their own rows, the apply, and the catalog, the policies and
//! the row counts read back.

mod common;
mod tui_support;

use std::collections::BTreeSet;

use crossterm::event::KeyCode;
use schemaforge::design::Samples;
use schemaforge::rls::simulate::{Outcome, SimulationReport};
use schemaforge::tui::app::{Overlay, Phase};
use schemaforge::tui::components::simulator::Stage;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::sample_load::OwnerChoice;

use common::{scalar, test_db};
use tui_support::empty_app;

/// Phase 5: the selected table's sample count typed into its form (its first row count is 0).
fn samples(h: &mut Harness, count: &str) {
    h.key(KeyCode::Enter);
    h.key(KeyCode::Backspace);
    h.keys(count);
    h.key(KeyCode::Enter);
    assert!(h.app.overlay().is_none(), "{}", h.screen(120, 40));
}

/// The keys of the rows a user sees in `public.<table>` (all of them: the tables are small).
fn seen(report: &SimulationReport, table: &str) -> BTreeSet<String> {
    let t = report
        .table(&format!("public.{table}"))
        .unwrap_or_else(|| panic!("{table} probed"));
    assert_eq!(t.select.outcome, Outcome::Allowed, "{t:?}");
    let ids = t.visible_ids.clone().expect("a small table lists its keys");
    ids.into_iter().collect()
}

#[tokio::test]
async fn a_design_built_with_the_keyboard_is_simulated_as_two_users_and_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    // Phase 1: two tables.
    h.key(KeyCode::Char('1'));
    for name in ["Projects", "Todos"] {
        h.key(KeyCode::Char('a'));
        h.keys(name);
        h.key(KeyCode::Enter);
    }
    // Phase 3, from Todos: a many-to-one to Projects (the form's defaults), then a
    // many-to-many (the third kind: ← from the first).
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Left);
    h.key(KeyCode::Enter);
    let rels = &h.design().relationships;
    assert_eq!(rels.len(), 2, "{:?}", h.app.view.message);
    assert!(
        !rels[0].allow_multiple && rels[1].allow_multiple,
        "{rels:?}"
    );

    // Phase 4: Todos gets the owner-only template (the first); Projects, the previous table
    // (`<`), the organisation template, found by typing in the picker.
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('<'));
    h.key(KeyCode::Char('T'));
    h.keys("organisation");
    h.key(KeyCode::Enter);
    let d = h.design();
    let policies = |table: usize| -> Vec<&str> {
        d.tables[table]
            .rls_policies
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    };
    assert_eq!(d.tables[1].name, "Todos");
    assert_eq!(policies(1)[0], "Owners read their rows");
    assert_eq!(policies(0)[0], "Members read", "{:?}", h.app.view.message);
    let names: Vec<&str> = d.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["Projects", "Todos", "Organizations", "Organization members"],
        "the organisation template adds its two tables"
    );

    // Phase 5: rows for every table; two generated users own them. Memberships are drawn
    // at random from the seed: with seed 9 the two simulated users belong to different
    // organisations (with most seeds they share one, and then rightly see the same projects).
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Backspace);
    h.keys("4");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Left); // owners: generated users
    h.key(KeyCode::Tab);
    h.keys("2");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Backspace);
    h.keys("9");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.model.sample_run.owners, OwnerChoice::Generated(2));
    assert_eq!(h.app.model.sample_run.seed, 9);
    for count in ["6", "2", "2"] {
        h.key(KeyCode::Down);
        samples(&mut h, count);
    }
    let counts: Vec<(&str, &Samples)> = h
        .design()
        .samples
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    assert_eq!(
        counts,
        [
            ("projects", &Samples::Count(4)),
            ("todos", &Samples::Count(6)),
            ("organizations", &Samples::Count(2)),
            ("organization_members", &Samples::Count(2)),
        ]
    );

    // Phase 4, `s`: two generated users, side by side, on the sample rows.
    h.key(KeyCode::Char('4'));
    // A terminal where Projects' four policies fill the pane: the answer under them is
    // scrolled into view when it arrives.
    h.screen(100, 30);
    h.key(KeyCode::Char('s'));
    h.key(KeyCode::Enter); // a generated user, and another beside

    h.settle().await;
    let reports = match h.app.overlay() {
        Some(Overlay::Simulator(sim)) => match &sim.stage {
            Stage::Done(reports) => reports.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(reports.len(), 2);
    let screen = h.screen(120, 40);
    assert!(screen.contains("rows each sees"), "{screen}");
    for table in ["todos", "projects"] {
        let (a, b) = (seen(&reports[0], table), seen(&reports[1], table));
        let total = reports[0]
            .table(&format!("public.{table}"))
            .unwrap()
            .total_rows;
        assert!(
            !a.is_empty() && !b.is_empty(),
            "{table}: each user sees rows of their own: {a:?} {b:?}\n{screen}"
        );
        assert!(a.is_disjoint(&b), "{table}: {a:?} and {b:?} overlap");
        assert_eq!(
            (a.len() + b.len()) as u64,
            total,
            "{table}: every row is someone's"
        );
    }
    // The owner may insert a row of their own, not one owned by the other.
    let todos = reports[0].table("public.todos").unwrap();
    assert_eq!(todos.insert.outcome, Outcome::Allowed, "{todos:?}");
    assert_eq!(
        todos.insert_for_other.as_ref().map(|p| p.outcome),
        Some(Outcome::Denied)
    );
    // Closed, the pane keeps the selected table's part (Projects), in view.
    h.key(KeyCode::Esc);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("simulation · rolled back") && screen.contains("sees"),
        "{screen}"
    );
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None,
        "the simulation kept nothing"
    );

    // Preview, apply.
    h.key(KeyCode::Char('6'));
    assert_eq!(h.app.view.phase, Phase::Preview);
    h.apply_confirmed().await;
    let screen = h.screen(120, 40);
    let loaded = scalar(
        &db,
        "SELECT ((SELECT count(*) FROM projects) + (SELECT count(*) FROM todos)
                 + (SELECT count(*) FROM organizations) + (SELECT count(*) FROM organization_members)
                 + (SELECT count(*) FROM todos_projects))::text",
    )
    .await
    .unwrap();
    assert!(
        screen.contains(&format!(
            "statements, {loaded} sample rows and 2 demo users in one transaction"
        )),
        "the apply counts the sample rows it loaded ({loaded}) and says the users apart:\n{screen}"
    );
    let after = h.app.model.plan.as_ref().unwrap();
    assert!(
        after.plan.is_empty(),
        "re-plan is empty:\n{}",
        after.bundle.text
    );

    // The catalog: the tables, the foreign keys (with their delete rules) and the linking
    // table's key.
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
        )
        .await
        .as_deref(),
        Some("organization_members organizations projects todos todos_projects")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(fk, ', ' ORDER BY fk) FROM (
               SELECT conrelid::regclass || '.' || a.attname || ' → ' || confrelid::regclass
                      || ' ' || confdeltype::text AS fk
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
                  AND a.attname <> 'created_by') fks"
        )
        .await
        .as_deref(),
        Some(
            "organization_members.org_id → organizations c, \
             organization_members.user_id → auth.users c, \
             projects.org_id → organizations c, \
             todos.project_id → projects n, \
             todos_projects.projects_id → projects c, \
             todos_projects.todos_id → todos c"
        )
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
              WHERE conrelid = 'public.todos_projects'::regclass AND contype = 'p'"
        )
        .await
        .as_deref(),
        Some("PRIMARY KEY (todos_id, projects_id)")
    );
    // The policies, from pg_policies.
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(tablename || ' ' || cmd, ', ' ORDER BY tablename, cmd)
               FROM pg_policies WHERE schemaname = 'public' AND tablename IN ('todos', 'projects')"
        )
        .await
        .as_deref(),
        Some(
            "projects DELETE, projects INSERT, projects SELECT, projects UPDATE, \
             todos DELETE, todos INSERT, todos SELECT, todos UPDATE"
        )
    );
    assert!(
        scalar(
            &db,
            "SELECT qual FROM pg_policies WHERE tablename = 'projects' AND cmd = 'SELECT'"
        )
        .await
        .unwrap_or_default()
        .contains("organization_members")
    );
    // The row counts: the samples and the two demo users.
    assert_eq!(
        scalar(
            &db,
            "SELECT (SELECT count(*) FROM projects) || ' ' || (SELECT count(*) FROM todos) || ' '
                 || (SELECT count(*) FROM organizations) || ' '
                 || (SELECT count(*) FROM organization_members) || ' '
                 || (SELECT count(*) FROM auth.users)"
        )
        .await
        .as_deref(),
        Some("4 6 2 2 2")
    );
}
