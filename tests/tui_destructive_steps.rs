//! Destructive steps said before they run, driven by keys against a real PostgreSQL: the
//! apply dialog names each drop and what it loses, and a live index asked about before it
//! leaves the design.

mod common;

use crossterm::event::KeyCode;
use schemaforge::tui::app::Overlay;
use schemaforge::tui::runtime::Harness;

use common::test_db;
use tui_support::empty_app;

mod tui_support;

/// Opens the only live table of `public` in phase 1 (`⏎` on it): the design holds it then.
async fn open_the_live_table(h: &mut Harness) {
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.design().tables.len(), 1, "{:?}", h.app.view.message);
}

#[tokio::test]
async fn the_apply_dialog_names_a_dropped_column_and_says_its_values_are_lost() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.profiles (
             id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
             avatar_url text
         );
         ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    open_the_live_table(&mut h).await;
    h.key(KeyCode::Char('2'));
    let at = h.design().tables[0]
        .fields
        .iter()
        .position(|f| f.db_name() == "avatar_url")
        .expect("a field for avatar_url");
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('d'));
    h.settle().await;
    assert_eq!(
        h.design().tables[0].drop_columns,
        vec!["avatar_url".to_owned()]
    );

    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    assert!(matches!(h.app.overlay(), Some(Overlay::ConfirmApply(_))));
    let dialog = h.screen(140, 45);
    assert!(
        dialog.contains("drops column public.profiles.avatar_url — its values are lost"),
        "{dialog}"
    );
    assert!(
        dialog.contains("1 column dropped") && !dialog.contains("other changes only"),
        "{dialog}"
    );
    h.key(KeyCode::Esc);
    assert!(h.app.overlay().is_none(), "esc goes back without applying");
}

#[tokio::test]
async fn removing_a_live_index_asks_and_says_the_index_stays() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.teams (
             id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
             name text NOT NULL
         );
         CREATE INDEX teams_name_idx ON public.teams (name);
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    open_the_live_table(&mut h).await;
    assert_eq!(
        h.design().tables[0].indexes.len(),
        1,
        "{:?}",
        h.design().tables[0]
    );
    h.key(KeyCode::Char('2'));
    // The index rows follow the field rows.
    for _ in 0..h.design().tables[0].fields.len() {
        h.key(KeyCode::Down);
    }

    // x asks first, naming the index and saying it stays in the database.
    h.key(KeyCode::Char('x'));
    assert!(
        matches!(h.app.overlay(), Some(Overlay::ConfirmRemoveIndex(_))),
        "{}",
        h.screen(140, 45)
    );
    let dialog = h.screen(140, 45);
    assert!(
        dialog.contains("remove the index teams_name_idx on (name) from the design?")
            && dialog.contains(
                "the index teams_name_idx on public.teams is live: it stays in the database"
            ),
        "{dialog}"
    );
    h.key(KeyCode::Char('n'));
    assert_eq!(h.design().tables[0].indexes.len(), 1, "n keeps it");

    // y: out of the design; the Preview says the index stays.
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    h.settle().await;
    assert!(h.design().tables[0].indexes.is_empty());
    h.key(KeyCode::Char('6'));
    let preview = h.screen(140, 45);
    assert!(
        preview.contains("nothing to do")
            && preview
                .contains("index teams_name_idx on public.teams is not in the design: it stays"),
        "{preview}"
    );
    h.key(KeyCode::Char('u'));
    h.settle().await;
    assert_eq!(h.design().tables[0].indexes.len(), 1, "u brings it back");
    assert!(!h.screen(140, 45).contains("is not in the design: it stays"));
}
