//! The TUI against a real database: a table another session holds locked is read around
//! (the rest shown, the table marked, its holder named in the detail pane); the names come
//! first and the tree is drawn from them while the details load; after an apply only the
//! touched tables are re-read; an apply blocked on a lock names the session; the details
//! arrive kind by kind, the selected table's first, and add up to the one-piece read.
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

/// Two tables linked by a foreign key, each with a check, an index, a policy and a trigger,
/// and a third with none of them.
const SHOP: &str = "CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL \
       CHECK (length(name) > 0)); \
     CREATE TABLE public.orders (id int PRIMARY KEY, \
       customer_id int REFERENCES public.customers (id), note text CHECK (note <> '')); \
     CREATE INDEX orders_note ON public.orders (note); \
     CREATE INDEX customers_name ON public.customers (name); \
     ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY; \
     ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY; \
     CREATE POLICY orders_read ON public.orders FOR SELECT USING (customer_id > 0); \
     CREATE POLICY customers_read ON public.customers FOR SELECT USING (id > 0); \
     CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS \
       $$BEGIN RETURN NEW; END$$; \
     CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders \
       FOR EACH ROW EXECUTE FUNCTION public.touch(); \
     CREATE TRIGGER customers_touch BEFORE UPDATE ON public.customers \
       FOR EACH ROW EXECUTE FUNCTION public.touch(); \
     CREATE TABLE public.zebras (id int PRIMARY KEY, stripes int)";

/// Every kind of a table's details is in.
fn whole(t: &schemaforge::catalog::Table) -> bool {
    !t.columns.is_empty()
        && t.primary_key.is_some()
        && !t.check_constraints.is_empty()
        && !t.indexes.is_empty()
        && !t.policies.is_empty()
        && !t.triggers.is_empty()
}

#[tokio::test]
async fn the_details_arrive_kind_by_kind_with_the_selected_tables_first() {
    use schemaforge::db::catalog::{ReadOptions, read_with};
    use schemaforge::db::staged_read::{Staged, read_staged};
    let db = test_db().await;
    db.batch_execute(SHOP).await.unwrap();
    // The table selected when the names arrive, then one the selection moves to.
    let (first, mut wanted) = tokio::sync::mpsc::unbounded_channel();
    first
        .send(Some(("public".into(), "orders".into())))
        .unwrap();
    first
        .send(Some(("public".into(), "zebras".into())))
        .unwrap();
    let mut reports = Vec::new();
    let staged = read_staged(&db, &ReadOptions::default(), &mut wanted, |s| {
        reports.push(s)
    })
    .await
    .unwrap();

    // The merged catalog is the one-piece read's, apart from how the read went.
    let one_piece = read_with(&db, &ReadOptions::default()).await.unwrap();
    assert_eq!(
        schemaforge::catalog::fingerprint(&staged),
        schemaforge::catalog::fingerprint(&one_piece)
    );
    let mut same = staged.clone();
    same.stats = one_piece.stats.clone();
    assert_eq!(same, one_piece);
    assert!(staged.stats.round_trips > 2, "{:?}", staged.stats);

    let Staged::Names(names) = &reports[0] else {
        panic!("names first: {:?}", reports[0]);
    };
    let orders = names.table("public", "orders").expect("listed");
    assert!(orders.rls_enabled && orders.columns.is_empty());

    let stages = |i: usize| match &reports[i] {
        Staged::Details { catalog, progress } => (catalog, progress),
        other => panic!("details at {i}: {other:?}"),
    };
    // Then the selected table whole, before any kind, its key's target named…
    let (catalog, progress) = stages(1);
    assert!(progress.arrived.is_empty());
    assert_eq!(progress.read_first, [("public".into(), "orders".into())]);
    let orders = catalog.table("public", "orders").unwrap();
    assert!(whole(orders), "{orders:?}");
    assert_eq!(orders.foreign_keys[0].references_table, "customers");
    assert_eq!(orders.foreign_keys[0].references_columns, ["id"]);
    assert!(
        catalog
            .table("public", "customers")
            .unwrap()
            .columns
            .is_empty()
    );
    // …then the one the selection moved to…
    let (catalog, progress) = stages(2);
    assert!(progress.arrived.is_empty());
    assert_eq!(progress.read_first.len(), 2);
    assert_eq!(catalog.table("public", "zebras").unwrap().columns.len(), 2);
    // …then each kind in its turn, for every table, the tables read first kept whole.
    let labels: Vec<&str> = schemaforge::db::staged_read::Progress::start().pending;
    assert_eq!(
        labels,
        [
            "columns",
            "keys",
            "indexes",
            "policies",
            "triggers",
            "functions"
        ]
    );
    // The last stage is the result; the one before it is reported unless the result
    // overtakes it.
    let stage_reports = reports.len() - 3;
    assert!(
        stage_reports == labels.len() - 1 || stage_reports == labels.len() - 2,
        "{stage_reports} reports of kinds"
    );
    for (k, report) in reports[3..].iter().enumerate() {
        let Staged::Details { catalog, progress } = report else {
            panic!("{report:?}");
        };
        assert_eq!(progress.arrived, labels[..=k], "in order");
        assert!(whole(catalog.table("public", "orders").unwrap()));
        let customers = catalog.table("public", "customers").unwrap();
        let has = |label: &str| labels[..=k].contains(&label);
        assert_eq!(!customers.columns.is_empty(), has("columns"), "{k}");
        assert_eq!(customers.primary_key.is_some(), has("keys"), "{k}");
        assert_eq!(!customers.check_constraints.is_empty(), has("keys"), "{k}");
        assert_eq!(!customers.indexes.is_empty(), has("indexes"), "{k}");
        assert_eq!(!customers.policies.is_empty(), has("policies"), "{k}");
        assert_eq!(!customers.triggers.is_empty(), has("triggers"), "{k}");
    }
}

#[tokio::test]
async fn the_detail_pane_says_what_is_still_loading_and_the_selected_table_comes_first() {
    let db = test_db().await;
    db.batch_execute(SHOP).await.unwrap();
    let mut h = Harness::start(app(Some(TODOS)), db.connect_again().await);
    while h.app.model.names.is_none() {
        assert!(h.step().await, "the read ended without names");
    }
    // The names: the tree is drawn from them, the detail pane says what is coming, and
    // nothing can be applied yet.
    let selected = h
        .app
        .view
        .tree
        .selected_table()
        .map(|(s, n)| (s.to_owned(), n.to_owned()));
    let selected = selected.expect("a table is selected");
    let screen = h.screen(140, 40);
    assert!(!screen.contains("reading the live schema"), "{screen}");
    assert!(screen.contains(&selected.1), "{screen}");
    assert!(
        screen.contains("still loading: columns, keys, indexes, policies, triggers…"),
        "{screen}"
    );
    assert!(screen.contains("details 0 of 6 read"), "{screen}");
    h.key(KeyCode::Char('6'));
    let preview = h.screen(140, 40);
    assert!(
        preview.contains("details still loading (0 of 6"),
        "{preview}"
    );
    h.key(KeyCode::Char('A'));
    assert!(
        h.app
            .view
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("details still loading"),
        "{:?}",
        h.app.view.message
    );
    h.key(KeyCode::Char('0'));

    // The next message is the selected table, whole, before any kind.
    assert!(h.step().await);
    let progress = h
        .app
        .model
        .loading
        .as_ref()
        .expect("loading")
        .progress
        .clone();
    assert!(progress.arrived.is_empty(), "{progress:?}");
    assert_eq!(progress.read_first, std::slice::from_ref(&selected));

    // A table whose details have not arrived: the pane names what is missing.
    let other = if selected.1 == "orders" {
        "customers"
    } else {
        "orders"
    };
    h.keys(&format!("/{other}"));
    h.key(KeyCode::Enter);
    let mut seen_partial = false;
    let mut read_ahead = false;
    loop {
        let loading = h.app.model.loading.as_ref().map(|l| l.progress.clone());
        let screen = h.screen(140, 40);
        match loading {
            Some(p) if !p.has_details("public", other) => {
                let pending: Vec<&str> = p
                    .pending
                    .iter()
                    .copied()
                    .filter(|s| *s != "functions")
                    .collect();
                let note = format!("still loading: {}…", pending.join(", "));
                assert!(screen.contains(&note), "{note}\n{screen}");
                seen_partial = true;
            }
            Some(p) if p.pending.contains(&"keys") => {
                // Read ahead of the kinds: only the keys that refer to it are to come.
                assert!(
                    screen.contains("still loading: keys of other tables referring to it…"),
                    "{screen}"
                );
                read_ahead = true;
            }
            _ => assert!(!screen.contains("still loading"), "{screen}"),
        }
        if !h.step().await {
            break;
        }
    }
    assert!(seen_partial, "{other} was shown before its details arrived");
    assert!(
        read_ahead,
        "the selection's details were read before the keys stage"
    );
    assert!(h.app.model.loading.is_none() && h.app.model.names.is_none());
    let screen = h.screen(140, 40);
    assert!(screen.contains(&format!("{other}_read")), "{screen}");
    assert!(
        h.app.model.plan.is_some(),
        "planned once the catalog is whole"
    );
}

#[test]
fn the_names_are_answered_even_when_no_live_table_is_selected() {
    use schemaforge::tui::message::Effect;
    // Only a drafted table in the tree: nothing to read first, and the reader is told so
    // instead of waiting for a choice that never comes.
    let mut app = app(Some(TODOS));
    let effects = schemaforge::tui::update(&mut app, Message::Start);
    let Some(Effect::ReadCatalog {
        generation, staged, ..
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    assert!(staged, "the first read is staged");
    let generation = *generation;
    let effects = schemaforge::tui::update(
        &mut app,
        Message::Job(generation, Box::new(Message::CatalogNames(Box::default()))),
    );
    assert!(
        effects.contains(&Effect::ReadTableFirst {
            generation,
            table: None
        }),
        "{effects:?}"
    );
}

#[tokio::test]
async fn a_big_catalog_shows_only_the_tables_read_ahead_until_it_is_complete() {
    use schemaforge::db::catalog::{ReadOptions, read_with};
    use schemaforge::db::staged_read::{SHOW_EACH_KIND_UP_TO, Staged, read_staged};
    let db = test_db().await;
    db.batch_execute(&format!(
        "DO $$ BEGIN FOR i IN 1..{} LOOP
           EXECUTE format('CREATE TABLE public.t%s (id bigint PRIMARY KEY, title text)', i);
         END LOOP; END $$;",
        SHOW_EACH_KIND_UP_TO + 1
    ))
    .await
    .unwrap();
    let (first, mut wanted) = tokio::sync::mpsc::unbounded_channel();
    first.send(Some(("public".into(), "t7".into()))).unwrap();
    let mut reports = Vec::new();
    let staged = read_staged(&db, &ReadOptions::default(), &mut wanted, |s| {
        reports.push(s)
    })
    .await
    .unwrap();
    let one_piece = read_with(&db, &ReadOptions::default()).await.unwrap();
    assert_eq!(
        schemaforge::catalog::fingerprint(&staged),
        schemaforge::catalog::fingerprint(&one_piece)
    );
    assert!(matches!(reports[0], Staged::Names(_)));
    let details: Vec<_> = reports[1..]
        .iter()
        .map(|r| match r {
            Staged::Details { catalog, progress } => (catalog, progress),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(details.len() >= 2, "the table read ahead, then kinds");
    for (catalog, progress) in details {
        assert!(!progress.kinds_shown);
        // The selected table whole, every other by name only, whatever kinds arrived.
        assert_eq!(catalog.table("public", "t7").unwrap().columns.len(), 2);
        assert!(
            catalog.table("public", "t8").unwrap().columns.is_empty(),
            "{:?}",
            progress.arrived
        );
    }
}
