//! Storage buckets from phase 4, against a real PostgreSQL with the shim's storage schema: a
//! bucket made with the keyboard (`B`, the form, a template), undone and redone as one edit,
//! applied; the row and its policies are in the database; then its limit changed from the
//! picker, applied as an update, and the plan is empty again.
mod common;
mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use schemaforge::design::BucketTemplate;
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;

use common::{scalar, test_db};
use tui_support::empty_app;

#[tokio::test]
async fn a_bucket_is_made_in_phase_four_and_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    // B, id, (public stays off), size limit, MIME types, then the owner-folder template.
    h.key(KeyCode::Char('B'));
    h.keys("documents");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys("1048576");
    h.key(KeyCode::Tab);
    h.keys("application/pdf, image/*");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    let buckets = &h.design().buckets;
    assert_eq!(buckets.len(), 1, "{buckets:?}");
    assert_eq!(buckets[0].id, "documents");
    assert!(!buckets[0].public);
    assert_eq!(buckets[0].file_size_limit, Some(1048576));
    assert_eq!(
        buckets[0].allowed_mime_types,
        ["application/pdf", "image/*"]
    );
    assert_eq!(buckets[0].templates(), [BucketTemplate::OwnerFolder]);
    let screen = h.screen(120, 40);
    assert!(screen.contains("storage buckets · B edits"), "{screen}");
    assert!(screen.contains("documents  private · 1 MB"), "{screen}");

    // One edit: undo takes the bucket back whole, redo brings it again.
    h.key(KeyCode::Char('u'));
    assert!(h.design().buckets.is_empty());
    h.send(Message::Terminal(crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    )));
    assert_eq!(h.design().buckets.len(), 1);

    h.key(KeyCode::Char('6'));
    let preview = h.screen(120, 40);
    assert!(preview.contains("storage buckets"), "{preview}");
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT format('%s %s %s', public, file_size_limit, allowed_mime_types) FROM storage.buckets WHERE id = 'documents'"
        )
        .await
        .as_deref(),
        Some("f 1048576 {application/pdf,image/*}")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(policyname, ', ' ORDER BY policyname) FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects'"
        )
        .await
        .as_deref(),
        Some("documents: owner deletes, documents: owner reads, documents: owner updates, documents: owner uploads")
    );

    // The picker opens the bucket again; a new limit is applied as an update of its row.
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('B'));
    let picker = h.screen(120, 40);
    assert!(picker.contains("Storage buckets"), "{picker}");
    h.key(KeyCode::Enter); // documents, the first entry
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    for _ in 0..7 {
        h.key(KeyCode::Backspace);
    }
    h.keys("2097152");
    let form = h.screen(120, 40);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.design().buckets[0].file_size_limit,
        Some(2097152),
        "{form}"
    );
    assert_eq!(h.design().buckets.len(), 1);
    h.key(KeyCode::Char('6'));
    let preview = h.screen(160, 45);
    assert!(
        preview.contains("UPDATE \"storage\".\"buckets\""),
        "{preview}"
    );
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT file_size_limit::text FROM storage.buckets WHERE id = 'documents'"
        )
        .await
        .as_deref(),
        Some("2097152")
    );
    let after = h.screen(120, 40);
    assert!(
        after.contains("nothing to do: the database already has everything in the design"),
        "{after}"
    );
}
