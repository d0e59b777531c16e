//! The policy simulator in the TUI, against a real PostgreSQL: phase 4, `s`, two users
//! chosen in the form, the design's bundle simulated in a rolled-back transaction, the grid
//! on screen, `s` runs it again, Esc closes, and nothing is left in the database.

mod common;

use crossterm::event::KeyCode;
use schemaforge::design;
use schemaforge::tui::App;
use schemaforge::tui::app::{DesignState, Overlay, Phase};
use schemaforge::tui::components::simulator::Stage;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::{scalar, test_db};

const TODOS: &str = include_str!("../assets/examples/todos.json");

fn app() -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    app.model.design = Some(DesignState {
        design: design::parse(TODOS).expect("design parses").0,
        file: None,
    });
    app
}

fn stage(h: &Harness) -> &Stage {
    match h.app.overlay() {
        Some(Overlay::Simulator(sim)) => &sim.stage,
        other => panic!("no simulator: {other:?}"),
    }
}

#[tokio::test]
async fn phase_4_s_simulates_two_users_and_shows_the_grid() {
    let db = test_db().await;
    db.batch_execute(
        "INSERT INTO auth.users (id, email) VALUES \
         ('aaaaaaaa-0000-4000-8000-000000000001', 'alice@example.com')",
    )
    .await
    .unwrap();
    let mut h = Harness::start(app(), db.connect_again().await);
    h.settle().await;

    // `s` outside phase 4 says where the simulator is.
    h.key(KeyCode::Char('s'));
    assert!(h.app.overlay().is_none());

    h.key(KeyCode::Char('4'));
    assert_eq!(h.app.view.phase, Phase::Rls);
    h.key(KeyCode::Char('s'));
    assert!(matches!(stage(&h), Stage::Choosing(_)));
    assert!(h.screen(120, 40).contains("Simulate as"));
    // user: existing email (← wraps to the last choice), alice; beside: anon (→ from a
    // generated user).
    h.key(KeyCode::Left);
    h.key(KeyCode::Tab);
    h.keys("alice@example.com");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert_eq!(stage(&h), &Stage::Running);
    h.settle().await;
    let Stage::Done(reports) = stage(&h) else {
        panic!("{:?}", stage(&h));
    };
    assert_eq!(reports.len(), 2);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Simulator · rolled back"), "{screen}");
    assert!(
        screen.contains("as alice@example.com (authenticated)"),
        "{screen}"
    );
    assert!(screen.contains("as anon"), "{screen}");
    assert!(
        screen.contains("todos") && screen.contains("allowed · not others'"),
        "the owner may insert her row, not someone else's:\n{screen}"
    );
    assert!(screen.contains("rows each sees"), "{screen}");

    // `s` runs it again with the same users; Esc closes.
    h.key(KeyCode::Char('s'));
    assert_eq!(stage(&h), &Stage::Running);
    h.settle().await;
    assert!(matches!(stage(&h), Stage::Done(r) if r.len() == 2));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    assert!(h.app.job.is_idle());
    // Phase 4's pane keeps the answer for its table, the two users side by side.
    let screen = h.screen(120, 40);
    assert!(screen.contains("simulation · rolled back"), "{screen}");
    assert!(
        screen.contains("alice@example.com") && screen.contains("anon"),
        "{screen}"
    );
    assert!(screen.contains("insert allowed · not others'"), "{screen}");
    // An edit makes it stale; `s` runs it again in the pane, without the popup.
    h.key(KeyCode::Char('R'));
    assert!(h.screen(120, 40).contains("stale: edited since this run"));
    h.key(KeyCode::Char('s'));
    assert!(h.app.overlay().is_none(), "no popup the second time");
    assert!(h.screen(120, 40).contains("simulating again…"));
    h.settle().await;
    let screen = h.screen(120, 40);
    assert!(!screen.contains("stale"), "{screen}");
    assert!(
        screen.contains("s runs it again · S other users"),
        "{screen}"
    );
    let last = h.app.model.simulation.as_ref().expect("kept");
    assert_eq!(last.reports.len(), 2);
    // `S` asks for other users.
    h.key(KeyCode::Char('S'));
    assert!(matches!(stage(&h), Stage::Choosing(_)));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none());
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None,
        "the design's bundle was rolled back"
    );
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM auth.users")
            .await
            .as_deref(),
        Some("1")
    );
}
