//! Soft delete from the table form, against a real PostgreSQL: switched on with the keyboard
//! for a new table, undone and redone as one edit, the Preview's note saying what DELETE does,
//! applied (column, trigger, policy and partial index in the catalog); switched off again, the
//! plan drops what soft delete made and says the column stays.
mod common;
mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;

use common::{scalar, test_db};
use tui_support::empty_app;

/// From the form's name, the soft delete toggle: db name, description, public reference,
/// system fields, audit, audit readers, soft delete.
const TABS_TO_SOFT_DELETE: usize = 7;

fn notes(h: &Harness) -> Vec<String> {
    h.app
        .model
        .plan
        .as_ref()
        .map(|p| p.plan.notes.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn soft_delete_is_switched_on_in_the_table_form_and_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Notes");
    for _ in 0..TABS_TO_SOFT_DELETE {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char(' '));
    let form = h.screen(120, 40);
    assert!(
        form.contains("DELETE sets deleted_at; API hides it"),
        "{form}"
    );
    h.key(KeyCode::Enter);
    assert!(h.design().tables[0].soft_delete, "{:?}", h.design().tables);

    // One edit: undo takes back the table with its soft delete, redo gives both back.
    h.key(KeyCode::Char('u'));
    assert!(h.design().tables.is_empty());
    h.send(Message::Terminal(crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    )));
    assert!(h.design().tables[0].soft_delete);

    // Phase 2 lists the column among the automatic ones.
    h.key(KeyCode::Char('2'));
    let fields = h.screen(160, 45);
    assert!(fields.contains("deleted_at (soft delete)"), "{fields}");
    // Phase 4 shows the policy soft delete adds beside the table's own.
    h.key(KeyCode::Char('4'));
    let rls = h.screen(160, 45);
    assert!(
        rls.contains("+ Hide soft-deleted rows · restrictive ALL for anon, authenticated"),
        "{rls}"
    );
    h.key(KeyCode::Char('6'));
    let bundle = &h.app.model.plan.as_ref().expect("a plan").bundle.text;
    assert!(
        bundle.contains(
            "CREATE POLICY \"Hide soft-deleted rows\" ON \"public\".\"notes\"\n  AS RESTRICTIVE"
        ),
        "{bundle}"
    );
    let preview = h.screen(160, 45);
    assert!(preview.contains("schemaforge_soft_delete"), "{preview}");
    assert!(
        notes(&h).iter().any(|n| n.contains(
            "public.notes: soft delete — DELETE by anon and authenticated sets deleted_at instead"
        )),
        "{:?}",
        notes(&h)
    );
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.notes'::regclass AND NOT tgisinternal"
        )
        .await
        .as_deref(),
        Some("set_updated_fields,soft_delete")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT permissive || ' ' || cmd || ' ' || qual FROM pg_policies WHERE tablename = 'notes' AND policyname = 'Hide soft-deleted rows'"
        )
        .await
        .as_deref(),
        Some("RESTRICTIVE ALL (deleted_at IS NULL)")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT format_type(atttypid, atttypmod) || ' ' || (NOT attnotnull)::text FROM pg_attribute WHERE attrelid = 'public.notes'::regclass AND attname = 'deleted_at'"
        )
        .await
        .as_deref(),
        Some("timestamp with time zone true")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_notes_created_by_not_deleted'"
        )
        .await
        .as_deref(),
        Some(
            "CREATE INDEX idx_notes_created_by_not_deleted ON public.notes USING btree (created_by) WHERE (deleted_at IS NULL)"
        )
    );
    let done = h.screen(160, 45);
    assert!(done.contains("nothing to do"), "re-plan is empty: {done}");

    // Off again, from the same form: the plan drops what soft delete made (destructive: the
    // policy goes) and says the column and its values stay.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('e'));
    for _ in 0..TABS_TO_SOFT_DELETE {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    assert!(!h.design().tables[0].soft_delete);
    let plan = &h.app.model.plan.as_ref().expect("a plan").plan;
    let dropped: Vec<(&str, bool)> = plan
        .steps
        .iter()
        .filter(|s| s.sql.starts_with("DROP"))
        .map(|s| (s.object.as_str(), s.destructive))
        .collect();
    assert_eq!(
        dropped,
        [
            ("public.notes.soft_delete", true),
            ("public.notes.Hide soft-deleted rows", true),
            ("public.notes.idx_notes_created_by_not_deleted", false)
        ]
    );
    assert!(
        notes(&h)
            .iter()
            .any(|n| n.contains("the column deleted_at is kept with its values")),
        "{:?}",
        notes(&h)
    );
}
