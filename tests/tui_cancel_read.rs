//! A catalog read blocked on a lock is cancelled with Esc: the UI keeps handling keys and
//! drawing frames while it waits, the server-side query really stops, the connection is
//! clean for the next job, and an answer from the cancelled generation is dropped.

mod common;

use std::time::Duration;

use crossterm::event::KeyCode;
use schemaforge::tui::App;
use schemaforge::tui::Message;
use schemaforge::tui::app::Phase;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::{scalar, test_db};

const WAITING: &str = "SELECT count(*) FROM pg_stat_activity \
     WHERE application_name = 'schemaforge' AND wait_event_type = 'Lock'";

#[tokio::test]
async fn esc_cancels_a_read_blocked_on_a_lock_and_its_late_answer_is_dropped() {
    let db = test_db().await;
    // A view: the catalog read prints its definition, and printing it takes a lock on it.
    db.batch_execute(
        "CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
         CREATE VIEW public.recent_notes AS SELECT id FROM public.notes",
    )
    .await
    .unwrap();
    let app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    let before = h.app.model.catalog.clone().expect("first read");
    assert!(before.table("public", "notes").is_some());

    let locker = db.connect_again().await;
    locker
        .client
        .batch_execute("BEGIN; LOCK TABLE public.recent_notes IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    h.key(KeyCode::Char('r'));
    assert!(h.app.reading());
    let stale = h.app.job.running().unwrap().generation;
    for _ in 0..100 {
        if scalar(&db, WAITING).await.as_deref() == Some("1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        scalar(&db, WAITING).await.as_deref(),
        Some("1"),
        "the read waits on the lock"
    );

    // Responsive while it waits: keys move between phases, frames are drawn.
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.view.phase, Phase::Fields);
    assert!(h.screen(100, 30).contains("2 Fields · fields"));
    h.key(KeyCode::Char('0'));
    assert_eq!(h.app.view.phase, Phase::Schema);
    assert!(h.app.reading(), "still reading");

    h.key(KeyCode::Esc);
    assert!(!h.app.reading(), "the slot is free at once");
    assert!(h.screen(100, 30).contains("schema read cancelled"));
    h.settle().await;
    assert_eq!(
        scalar(&db, WAITING).await.as_deref(),
        Some("0"),
        "the query was cancelled on the server, though the lock is still held"
    );

    // Something changes; the lock goes; a new read (a newer generation) shows it.
    db.batch_execute("CREATE TABLE public.later (id int PRIMARY KEY)")
        .await
        .unwrap();
    locker.client.batch_execute("ROLLBACK").await.unwrap();
    h.key(KeyCode::Char('r'));
    let current = h.app.job.running().unwrap().generation;
    assert!(current > stale);
    h.settle().await;
    let after = h.app.model.catalog.clone().expect("second read");
    assert!(
        after.table("public", "later").is_some(),
        "the connection was clean for the next read: {:?}",
        h.app.view.message
    );

    // The cancelled read's answer arriving now (the old catalog) is dropped, both while
    // the slot is idle and while a newer read runs.
    h.send(Message::Job(
        stale,
        Box::new(Message::Catalog(Ok(Box::new((*before).clone())))),
    ));
    assert!(
        h.app
            .model
            .catalog
            .as_ref()
            .unwrap()
            .table("public", "later")
            .is_some()
    );
    h.key(KeyCode::Char('r'));
    h.send(Message::Job(
        stale,
        Box::new(Message::Catalog(Ok(Box::new((*before).clone())))),
    ));
    assert!(
        h.app.reading(),
        "a stale answer does not end the running read"
    );
    h.settle().await;
    assert!(
        h.app
            .model
            .catalog
            .as_ref()
            .unwrap()
            .table("public", "later")
            .is_some()
    );
}
