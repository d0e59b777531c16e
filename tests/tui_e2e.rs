//! The whole `App` driven by key presses against a real PostgreSQL: effects run on the
//! same runtime the event loop uses (catalog reads and applies on tokio tasks, results fed
//! back as messages), only the terminal is replaced by a test backend.

mod common;

use crossterm::event::KeyCode;
use schemaforge::design;
use schemaforge::tui::App;
use schemaforge::tui::app::{ApplyState, DesignState, Overlay, Phase};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::{scalar, test_db};

fn app(design_json: Option<&str>) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    if let Some(json) = design_json {
        app.model.design = Some(DesignState {
            design: design::parse(json).expect("design parses").0,
            file: None,
        });
    }
    app
}

const TODOS: &str = include_str!("../assets/examples/todos.json");

async fn notes_table(client: &tokio_postgres::Client) {
    client
        .batch_execute(
            "CREATE TABLE public.notes (
                 id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                 body text NOT NULL,
                 created_by uuid DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE SET NULL
             );
             ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
             CREATE POLICY \"Own notes\" ON public.notes FOR ALL TO authenticated
                 USING (created_by = auth.uid());
             CREATE TABLE public.aardvarks (id int PRIMARY KEY);",
        )
        .await
        .expect("set-up");
}

#[tokio::test]
async fn browse_to_a_table_and_see_its_policies() {
    let db = test_db().await;
    notes_table(&db).await;
    let mut h = Harness::start(app(None), db.connect_again().await);
    h.settle().await;
    let first = h.screen(120, 40);
    assert!(
        first.contains("aardvarks") && first.contains("notes"),
        "{first}"
    );
    assert!(
        first.contains("▸ auth") && first.contains("managed"),
        "{first}"
    );
    assert!(first.contains("supabase · PG "), "{first}");

    // The filter narrows to the table; Enter accepts; the detail shows the policy.
    h.keys("/note");
    h.key(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(!screen.contains("aardvarks"), "{screen}");
    assert_eq!(h.app.view.tree.selected_table(), Some(("public", "notes")));
    assert!(screen.contains("public.notes"), "{screen}");
    assert!(screen.contains("RLS on · 1 policy"), "{screen}");
    assert!(
        screen.contains("Own notes") && screen.contains("ALL  to authenticated"),
        "{screen}"
    );
    assert!(screen.contains("(created_by = auth.uid())"), "{screen}");
    assert!(screen.contains("→ auth.users(id) set null"), "{screen}");

    // Expanding the table lists the policy in the tree; `r` re-reads after a change.
    h.key(KeyCode::Char('l'));
    assert!(h.screen(120, 40).contains("Own notes"));
    db.batch_execute("CREATE POLICY \"Read all\" ON public.notes FOR SELECT TO anon USING (true)")
        .await
        .unwrap();
    h.key(KeyCode::Char('r'));
    h.settle().await;
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("Read all") && screen.contains("2 policies"),
        "{screen}"
    );

    h.key(KeyCode::Char('q'));
    assert!(h.app.view.quit);
}

#[tokio::test]
async fn preview_apply_see_the_result_and_quit() {
    let db = test_db().await;
    let mut h = Harness::start(app(Some(TODOS)), db.connect_again().await);
    h.settle().await;
    // The drafted table is in the tree, marked new.
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("+ todos") && screen.contains("new"),
        "{screen}"
    );

    h.key(KeyCode::Char('6'));
    assert_eq!(h.app.view.phase, Phase::Preview);
    let bundle = h.app.model.plan.as_ref().unwrap().bundle.text.clone();
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("CREATE TABLE \"public\".\"todos\"") || screen.contains("CREATE TABLE"),
        "{screen}"
    );
    assert!(screen.contains("BEGIN;"), "{screen}");
    // The preview is exactly the bundle: its first lines are on screen in order.
    for line in bundle.lines().take(4).filter(|l| !l.is_empty()) {
        let shown: String = line.chars().take(60).collect();
        assert!(screen.contains(&shown), "{shown:?} missing:\n{screen}");
    }

    // A dry run changes nothing.
    h.key(KeyCode::Char('d'));
    h.settle().await;
    assert!(
        matches!(h.app.apply, ApplyState::Succeeded { dry_run: true, .. }),
        "{:?}",
        h.app.apply
    );
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );

    // Apply asks first, and only the word `apply` goes ahead.
    h.key(KeyCode::Char('A'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::ConfirmApply { .. })
    ));
    assert!(
        h.screen(120, 40).contains("1 table"),
        "the summary is in the dialog"
    );
    h.keys("yes");
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay(), Some(Overlay::ConfirmApply { .. })),
        "yes is not apply"
    );
    for _ in 0..3 {
        h.key(KeyCode::Backspace);
    }
    h.keys("apply");
    h.key(KeyCode::Enter);
    assert!(h.app.applying());
    h.settle().await;
    assert!(
        matches!(h.app.apply, ApplyState::Succeeded { dry_run: false, .. }),
        "{:?}",
        h.app.apply
    );

    // The catalog was re-read: the table is live, the plan is empty, the header says so.
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM pg_policies WHERE tablename = 'todos'"
        )
        .await
        .as_deref(),
        Some("1")
    );
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());
    let screen = h.screen(120, 40);
    assert!(screen.contains("draft · applied"), "{screen}");
    assert!(screen.contains("nothing to do"), "{screen}");
    assert!(screen.contains("✓ applied"), "{screen}");
    assert!(!screen.contains("+ todos"), "todos is live now:\n{screen}");

    h.key(KeyCode::Char('q'));
    assert!(h.app.view.quit);
}

#[tokio::test]
async fn a_failing_statement_is_shown_in_the_preview_and_nothing_is_applied() {
    let db = test_db().await;
    let broken = TODOS.replace("created_by = auth.uid()", "created_by = = auth.uid()");
    let mut h = Harness::start(app(Some(&broken)), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    h.keys("apply");
    h.key(KeyCode::Enter);
    h.settle().await;
    let ApplyState::Failed(failure) = &h.app.apply else {
        panic!("{:?}", h.app.apply);
    };
    assert_eq!(failure.code, "42601");
    assert!(failure.sql.contains("CREATE POLICY"));
    let line = failure.line;
    // The preview scrolled to the failing statement.
    assert!(h.app.view.preview.scroll <= line && line <= h.app.view.preview.scroll + 10);
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("✗ statement") && screen.contains("syntax error"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{line:>4}▶CREATE POLICY")),
        "{screen}"
    );
    assert!(screen.contains("nothing was applied"), "{screen}");
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );
}

#[tokio::test]
async fn drift_stops_the_apply_with_a_dialog() {
    let db = test_db().await;
    let mut h = Harness::start(app(Some(TODOS)), db.connect_again().await);
    h.settle().await;
    // Someone else changes the schema after the plan was made.
    db.batch_execute("CREATE TABLE public.sneaky (id int)")
        .await
        .unwrap();
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    h.keys("apply");
    h.key(KeyCode::Enter);
    h.settle().await;
    assert!(
        matches!(h.app.overlay(), Some(Overlay::Drift { .. })),
        "{:?}",
        h.app.overlay()
    );
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("The live schema changed") && screen.contains("nothing was applied"),
        "{screen}"
    );
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );
    // The catalog was re-read, so the next plan is against the schema as it is now.
    h.key(KeyCode::Char('x'));
    assert!(h.app.overlay().is_none());
    assert!(h.screen(120, 40).contains("sneaky"));
}

#[tokio::test]
async fn esc_cancels_a_running_apply() {
    let db = test_db().await;
    notes_table(&db).await;
    // A design adding a column to `notes`, which another session keeps locked.
    let design = r#"{"tables": [{"name": "notes", "fields": [
        {"name": "body", "type": "singleLineText", "is_primary": true},
        {"name": "pinned", "type": "checkbox"}]}]}"#;
    let mut a = app(Some(design));
    a.model.settings.lock_timeout = "60s".into();
    let mut h = Harness::start(a, db.connect_again().await);
    h.settle().await;
    let locker = db.connect_again().await;
    locker
        .client
        .batch_execute("BEGIN; LOCK TABLE public.notes IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    h.keys("apply");
    h.key(KeyCode::Enter);
    if h.app.error_count() > 0 {
        // The linter's errors on this bare table are named; going past them takes a yes.
        h.key(KeyCode::Char('y'));
    }
    assert!(h.app.applying());
    // Wait until the apply is blocked on the lock, then press Esc.
    let waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemaforge' AND wait_event_type = 'Lock'";
    for _ in 0..100 {
        if scalar(&db, waiting).await.as_deref() == Some("1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        scalar(&db, waiting).await.as_deref(),
        Some("1"),
        "the apply waits on the lock"
    );
    h.key(KeyCode::Esc);
    h.settle().await;
    assert_eq!(
        h.app.apply,
        ApplyState::Error("cancelled: nothing was applied".into()),
        "{:?}",
        h.app.view.message
    );
    locker.client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'pinned'").await.as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn a_drafted_table_is_removed_after_a_yes_and_the_draft_is_saved() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-e2e-draft-{}", std::process::id()));
    let mut a = app(Some(TODOS));
    a.draft_path = Some(dir.join("drafts/x.json"));
    let mut h = Harness::start(a, db.connect_again().await);
    h.settle().await;
    let saved = std::fs::read_to_string(dir.join("drafts/x.json")).expect("autosaved on start");
    assert!(saved.contains("Todos") && !saved.contains("password"));
    // Select `todos` (public → aardvark-free db: the first table row) and press x.
    h.keys("/todos");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view.tree.selected_table(), Some(("public", "todos")));
    h.key(KeyCode::Char('x'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::ConfirmDelete { .. })
    ));
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.model.design.as_ref().unwrap().design.tables.len(), 1);
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    h.settle().await;
    assert!(
        h.app
            .model
            .design
            .as_ref()
            .unwrap()
            .design
            .tables
            .is_empty()
    );
    let saved = std::fs::read_to_string(dir.join("drafts/x.json")).unwrap();
    assert!(!saved.contains("Todos"), "{saved}");
    std::fs::remove_dir_all(dir).unwrap();
}
