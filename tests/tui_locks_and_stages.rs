//! The TUI against a real database: a table another session holds locked is read around
//! (the rest shown, the table marked, its holder named in the detail pane); the names come
//! first and the tree is drawn from them while the details load; after an apply only the
//! touched tables are re-read; an apply blocked on a lock names the session.
mod common;

use std::time::Duration;

use crossterm::event::KeyCode;
use schemaforge::design;
use schemaforge::tui::App;
use schemaforge::tui::Message;
use schemaforge::tui::app::{ApplyState, DesignState};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::test_db;

fn app(design_json: Option<&str>) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 140;
    app.view.height = 40;
    app.model.settings.lock_timeout = "300ms".into();
    if let Some(json) = design_json {
        app.model.design = Some(DesignState {
            design: design::parse(json).expect("design parses").0,
            file: None,
        });
    }
    app
}

const TODOS: &str = include_str!("../assets/examples/todos.json");

#[tokio::test]
async fn a_locked_table_is_marked_and_the_rest_is_shown() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.held (id int PRIMARY KEY, a int CHECK (a > 0)); \
         CREATE TABLE public.free (id int PRIMARY KEY, note text)",
    )
    .await
    .unwrap();
    let (_locker, pid) = db
        .hold_lock(
            "vacuum_full",
            "LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE",
        )
        .await;

    let mut h = Harness::start(app(None), db.connect_again().await);
    tokio::time::timeout(Duration::from_secs(20), h.settle())
        .await
        .expect("the TUI's first read hangs on the lock");
    let catalog = h.app.model.catalog.clone().expect("the catalog is read");
    assert_eq!(catalog.table("public", "free").unwrap().columns.len(), 2);
    assert!(catalog.lock_on("public", "held").is_some());
    let held = h
        .app
        .view
        .tree
        .rows()
        .iter()
        .find(|r| r.label == "held")
        .expect("listed");
    assert_eq!(held.detail, "locked");

    h.keys("/held");
    h.key(KeyCode::Enter);
    let screen = h.screen(140, 40);
    assert!(screen.contains("details not read: locked"), "{screen}");
    assert!(screen.contains(&format!("pid {pid}")), "{screen}");
    assert!(screen.contains("vacuum_full"), "{screen}");
}

#[tokio::test]
async fn the_tree_is_drawn_from_the_names_before_the_details_arrive() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.orders (id int PRIMARY KEY, note text)")
        .await
        .unwrap();
    let mut h = Harness::start(app(None), db.connect_again().await);
    // The first message of the read is the names; nothing else has arrived yet.
    let generation = h.app.job.running().expect("reading").generation;
    let names = schemaforge::db::catalog::read_names(
        &db,
        &schemaforge::db::catalog::ReadOptions::default(),
    )
    .await
    .unwrap();
    h.send(Message::Job(
        generation,
        Box::new(Message::CatalogNames(Box::new(names))),
    ));
    assert!(h.app.model.catalog.is_none(), "not planned against names");
    assert!(h.app.view.tree.rows().iter().any(|r| r.label == "orders"));
    h.keys("/orders");
    h.key(KeyCode::Enter);
    let screen = h.screen(140, 40);
    assert!(screen.contains("still loading: columns"), "{screen}");
    h.settle().await;
    assert!(h.app.model.names.is_none());
    let screen = h.screen(140, 40);
    assert!(!screen.contains("still loading"), "{screen}");
    assert!(screen.contains("note"), "{screen}");
}

#[tokio::test]
async fn after_an_apply_only_the_touched_tables_are_read_again() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.untouched (id int PRIMARY KEY)")
        .await
        .unwrap();
    let mut h = Harness::start(app(Some(TODOS)), db.connect_again().await);
    h.settle().await;
    // The plan is applied (here directly, so the test can act between the apply and the
    // re-read), and something the plan does not touch changes behind the TUI's back: a
    // full re-read would see it, a re-read of the touched tables does not.
    let bundle = h.app.model.plan.as_ref().expect("a plan").bundle.clone();
    type NoCheck = fn(&tokio_postgres::Client) -> std::future::Ready<Result<String, String>>;
    let report = schemaforge::db::apply::apply(
        &db,
        &bundle,
        false,
        None::<schemaforge::db::apply::DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap();
    db.batch_execute("ALTER TABLE public.untouched ADD COLUMN unseen int")
        .await
        .unwrap();
    h.send(Message::Applied {
        dry_run: false,
        result: Ok(report),
    });
    assert!(h.app.reading(), "a re-read started");
    h.settle().await;
    let catalog = h.app.model.catalog.clone().unwrap();
    assert!(
        !catalog.table("public", "todos").unwrap().columns.is_empty(),
        "the applied table is read"
    );
    assert_eq!(
        catalog.table("public", "untouched").unwrap().columns.len(),
        1,
        "an untouched table keeps what was read before"
    );
    assert_eq!(h.app.changes(), 0, "the plan is empty against the re-read");
}

#[tokio::test]
async fn an_apply_blocked_on_a_lock_names_the_session_in_the_preview() {
    let db = test_db().await;
    let mut h = Harness::start(app(Some(TODOS)), db.connect_again().await);
    h.settle().await;
    // Auth's users table is what the todos' foreign key refers to: a long transaction
    // that wrote to it holds a lock the ALTER needs.
    let (_other, pid) = db
        .hold_lock(
            "batch_import",
            "LOCK TABLE auth.users IN SHARE ROW EXCLUSIVE MODE",
        )
        .await;
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    h.keys("apply");
    h.key(KeyCode::Enter);
    tokio::time::timeout(Duration::from_secs(30), h.settle())
        .await
        .expect("the apply hangs on the lock");
    let ApplyState::Failed(failure) = &h.app.apply else {
        panic!("{:?}", h.app.apply);
    };
    assert!(failure.is_lock_timeout(), "{failure}");
    let screen = h.screen(200, 60);
    assert!(screen.contains("blocked by: auth.users"), "{screen}");
    assert!(screen.contains(&format!("pid {pid}")), "{screen}");
    assert!(screen.contains("batch_import"), "{screen}");
    assert!(screen.contains("what to do"), "{screen}");
}
