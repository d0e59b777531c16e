//! Materialized views from phase 1, against a real PostgreSQL: a view made with the
//! keyboard (`v`, the form), undone and redone as one edit, applied; the view holds the
//! aggregates of the table's rows, refreshes concurrently and is read by its reader only;
//! a wrong aggregate is refused under its input; the picker opens the view again and a
//! changed definition is applied as a drop and create; the plan is empty after.
mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use schemaforge::design::materialized_views::{AggregateFunction, BucketUnit};
use schemaforge::tui::App;
use schemaforge::tui::app::DesignState;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;

use common::{assert_success, cli, scalar, test_db};

const DESIGN: &str = r#"{"tables": [{"name": "Orders", "fields": [
  {"name": "label", "type": "singleLineText", "is_primary": true},
  {"name": "status", "type": "singleLineText"},
  {"name": "total", "type": "number"}
]}]}"#;

fn app() -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    app.model.design = Some(DesignState {
        design: schemaforge::design::parse(DESIGN).expect("parses").0,
        file: None,
    });
    app
}

#[tokio::test]
async fn a_materialized_view_is_made_in_phase_one_and_applied() {
    let db = test_db().await;
    let mut h = Harness::start(app(), db.connect_again().await);
    h.settle().await;

    // v, name, (table: Orders), group by, time bucket, (per day), aggregates, readers.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('v'));
    let form = h.screen(120, 40);
    assert!(form.contains("New materialized view"), "{form}");
    assert!(
        form.contains("bypasses row-level security"),
        "the form says what a materialized view means for RLS: {form}"
    );
    assert!(
        form.contains("pg_cron is not installed here"),
        "the sandbox has no pg_cron: {form}"
    );
    h.keys("Orders per day");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys("status");
    h.key(KeyCode::Tab);
    h.keys("created_at");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys(", sum totl");
    h.key(KeyCode::Tab);
    h.keys("authenticated");
    h.key(KeyCode::Enter);
    // A field that does not exist: refused under the aggregates, with a suggestion.
    let refused = h.screen(120, 40);
    assert!(h.design().materialized_views.is_empty(), "{refused}");
    assert!(refused.contains("did you mean \"total\"?"), "{refused}");
    // The refused input has the focus.
    assert!(refused.contains("▸ aggregates"), "{refused}");
    for _ in 0.."totl".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("total");
    let form = h.screen(120, 40);
    h.key(KeyCode::Enter);
    let views = &h.design().materialized_views;
    assert_eq!(views.len(), 1, "{form}");
    let view = &views[0];
    assert_eq!(view.name, "Orders per day");
    assert_eq!(view.source, "orders");
    assert_eq!(view.group_by, ["status"]);
    let bucket = view.time_bucket.as_ref().unwrap();
    assert_eq!(
        (bucket.field.as_str(), bucket.unit),
        ("created_at", BucketUnit::Day)
    );
    assert_eq!(
        view.aggregates
            .iter()
            .map(|a| (a.function, a.field.clone()))
            .collect::<Vec<_>>(),
        [
            (AggregateFunction::Count, None),
            (AggregateFunction::Sum, Some("total".to_owned()))
        ]
    );
    assert_eq!(view.readers, ["authenticated"]);
    assert_eq!(view.refresh, None);
    let listed = h.screen(120, 40);
    assert!(listed.contains("materialized views · v edits"), "{listed}");
    assert!(
        listed.contains("Orders per day  orders by day of created_at, status"),
        "{listed}"
    );

    // One edit: undo takes the view back whole, redo brings it again.
    h.key(KeyCode::Char('u'));
    assert!(h.design().materialized_views.is_empty());
    h.send(Message::Terminal(crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    )));
    assert_eq!(h.design().materialized_views.len(), 1);

    h.key(KeyCode::Char('6'));
    let preview = h.screen(160, 45);
    assert!(preview.contains("CREATE MATERIALIZED VIEW"), "{preview}");
    h.apply_confirmed().await;
    db.batch_execute(
        "INSERT INTO public.orders (label, status, total, created_at) VALUES \
         ('a', 'paid', 10, '2026-03-01 08:00+00'), ('b', 'paid', 5, '2026-03-01 09:00+00'), \
         ('c', 'open', 7, '2026-03-02 09:00+00'); \
         REFRESH MATERIALIZED VIEW CONCURRENTLY public.orders_per_day",
    )
    .await
    .unwrap();
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(format('%s %s %s %s', day::date, status, count, sum_total), ' | ' ORDER BY day, status) FROM public.orders_per_day"
        )
        .await
        .as_deref(),
        Some("2026-03-01 paid 2 15 | 2026-03-02 open 1 7")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT format('%s %s', has_table_privilege('authenticated', 'public.orders_per_day', 'SELECT'), has_table_privilege('anon', 'public.orders_per_day', 'SELECT'))"
        )
        .await
        .as_deref(),
        Some("t f")
    );

    // The picker opens the view again; max instead of sum is a drop and create.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('v'));
    let picker = h.screen(120, 40);
    assert!(picker.contains("Materialized views"), "{picker}");
    h.key(KeyCode::Enter); // the view, the first entry
    for _ in 0..5 {
        h.key(KeyCode::Tab);
    }
    for _ in 0.."count, sum total".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("count, max total");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.design().materialized_views[0].aggregates[1].function,
        AggregateFunction::Max
    );
    h.key(KeyCode::Char('6'));
    let preview = h.screen(160, 45);
    assert!(
        preview.contains("DROP MATERIALIZED VIEW"),
        "the changed definition replaces the view: {preview}"
    );
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(format('%s %s', status, max_total), ' | ' ORDER BY day, status) FROM public.orders_per_day"
        )
        .await
        .as_deref(),
        Some("paid 10 | open 7")
    );
    let after = h.screen(120, 40);
    assert!(
        after.contains("nothing to do: the database already has everything in the design"),
        "{after}"
    );
    // The command line agrees: the design as the TUI left it plans nothing.
    let file = std::env::temp_dir().join(format!(
        "schemaforge-tui-matviews-{}-{}.json",
        std::process::id(),
        db.name
    ));
    std::fs::write(&file, schemaforge::design::save(h.design())).unwrap();
    let out = cli(&db.url, &["plan", file.to_str().unwrap()]);
    std::fs::remove_file(&file).unwrap();
    assert_success(&out);
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
