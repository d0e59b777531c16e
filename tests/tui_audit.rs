//! The audit trail from the table form, against a real PostgreSQL: switched on with the
//! keyboard, its readers typed, undone and redone as one edit, applied; the trigger and the
//! readers' policy are in the catalog.
mod common;
mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;

use common::{scalar, test_db};
use tui_support::empty_app;

#[tokio::test]
async fn audit_is_switched_on_in_the_table_form_and_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Payments");
    for _ in 0..5 {
        h.key(KeyCode::Tab); // db name, description, public reference, system fields, audit
    }
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Tab);
    h.keys("service_role");
    h.key(KeyCode::Enter);
    assert!(h.design().tables[0].audit, "{:?}", h.design().tables);
    assert_eq!(h.design().audit_readers, ["service_role"]);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Payments"), "{screen}");

    // One edit: undo takes back the table, its audit and the readers together.
    h.key(KeyCode::Char('u'));
    assert!(h.design().tables.is_empty());
    assert!(h.design().audit_readers.is_empty());
    h.send(Message::Terminal(crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    )));
    assert!(h.design().tables[0].audit);
    assert_eq!(h.design().audit_readers, ["service_role"]);

    h.key(KeyCode::Char('6'));
    let preview = h.screen(120, 40);
    assert!(preview.contains("audit_log"), "{preview}");
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.payments'::regclass AND NOT tgisinternal"
        )
        .await
        .as_deref(),
        Some("audit_changes,set_updated_fields")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT array_to_string(roles::text[], ',') FROM pg_policies WHERE tablename = 'audit_log' AND policyname = 'audit readers'"
        )
        .await
        .as_deref(),
        Some("service_role")
    );
}
