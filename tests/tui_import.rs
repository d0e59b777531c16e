//! Phase 1's "new table from a CSV file" against a real PostgreSQL: the path completed with
//! Tab, the proposal shown with its evidence, a field removed in phase 2, the Preview naming
//! the COPY, and one apply creating the table with its rows.

mod common;
mod tui_support;

use crossterm::event::KeyCode;
use schemaforge::tui::app::{Overlay, Phase};
use schemaforge::tui::editors::Editor;
use schemaforge::tui::runtime::Harness;

use common::{scalar, test_db};
use tui_support::empty_app;

#[tokio::test]
async fn a_table_proposed_from_a_csv_is_corrected_and_applied_with_its_rows() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.keys("1I");
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::CsvPath(_))
    ));
    h.keys("tests/fixtures/csv/prod");
    h.key(KeyCode::Tab);
    let form = h.screen(120, 40);
    assert!(
        form.contains("tests/fixtures/csv/products_eu.csv"),
        "Tab completes the only match:\n{form}"
    );
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::CsvProposal(_))));
    let proposal = h.screen(160, 45);
    assert!(
        proposal.contains("UTF-8 with BOM, semicolon-separated"),
        "{proposal}"
    );
    assert!(proposal.contains("singleSelect"), "{proposal}");
    assert!(
        proposal.contains("100% of 7; whole numbers; 1 empty"),
        "{proposal}"
    );
    assert_eq!(h.design().tables[0].name, "products_eu");

    // Enter: on to phase 2, where the proposal is corrected: Notes (the last field) goes.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view.phase, Phase::Fields);
    for _ in 0..10 {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('x'));
    assert!(
        h.screen(160, 45)
            .contains("remove the field Notes (column notes) from the design?"),
        "x asks first, naming what goes"
    );
    h.key(KeyCode::Char('y'));
    let fields: Vec<&str> = h.design().tables[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert!(!fields.contains(&"Notes"), "{fields:?}");

    h.key(KeyCode::Char('6'));
    let bundle = &h.app.model.plan.as_ref().expect("a plan").bundle.text;
    assert!(
        bundle.contains(
            "-- COPY \"public\".\"products_eu\" (10 columns) FROM the CSV products_eu.csv (8 rows), before COMMIT"
        ),
        "{bundle}"
    );
    h.apply_confirmed().await;

    assert_eq!(
        scalar(&db, "SELECT count(*) FROM products_eu")
            .await
            .as_deref(),
        Some("8")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT price_eur::text FROM products_eu WHERE sku = 'P-001'"
        )
        .await
        .as_deref(),
        Some("1234.50")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'products_eu' AND column_name = 'notes'"
        )
        .await
        .as_deref(),
        Some("0"),
        "the removed field's column was skipped"
    );
}

/// Renaming the proposed table (phase 1) and a field (phase 2) keeps the CSV's rows going
/// into them: the column follows its field, and undoing the rename still loads it.
#[tokio::test]
async fn renamed_table_and_fields_keep_their_csv_columns() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.keys("1I");
    h.keys("tests/fixtures/csv/products_eu.csv");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert_eq!(h.design().tables[0].name, "products_eu");

    // Phase 1: the table becomes "products".
    h.key(KeyCode::Enter);
    for _ in 0..3 {
        h.key(KeyCode::Backspace);
    }
    h.key(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert_eq!(h.design().tables[0].name, "products", "{screen}");

    // Phase 2: "Price (€)" becomes "Unit price"; "Stock" becomes "Units", then back.
    h.key(KeyCode::Char('2'));
    h.keys("jj");
    h.key(KeyCode::Enter);
    for _ in 0.."Price (€)".chars().count() {
        h.key(KeyCode::Backspace);
    }
    h.keys("Unit price");
    h.key(KeyCode::Enter);
    h.keys("jj");
    h.key(KeyCode::Enter);
    for _ in 0.."Stock".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("Units");
    h.key(KeyCode::Enter);
    let screen = h.screen(120, 40);
    let names: Vec<&str> = h.design().tables[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert!(
        names.contains(&"Unit price") && names.contains(&"Units"),
        "{names:?}\n{screen}"
    );
    h.key(KeyCode::Char('u'));
    let names: Vec<&str> = h.design().tables[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert!(names.contains(&"Stock"), "undone: {names:?}");

    h.key(KeyCode::Char('6'));
    let bundle = &h.app.model.plan.as_ref().expect("a plan").bundle.text;
    assert!(
        bundle
            .contains("-- COPY \"public\".\"products\" (11 columns) FROM the CSV products_eu.csv"),
        "{bundle}"
    );
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT unit_price::text FROM products WHERE sku = 'P-001'"
        )
        .await
        .as_deref(),
        Some("1234.50")
    );
    assert_eq!(
        scalar(&db, "SELECT sum(stock)::text FROM products")
            .await
            .as_deref(),
        scalar(
            &db,
            "SELECT sum(stock)::text FROM products WHERE stock IS NOT NULL"
        )
        .await
        .as_deref(),
    );
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM products WHERE stock IS NOT NULL")
            .await
            .as_deref(),
        Some("7"),
        "the stock column loaded (one cell is empty in the file)"
    );
}

/// "bad rows: set aside" in the path form: a value past the sampled rows that does not fit
/// its field goes to `<file>.rejects.csv`, the rest loads, and the Preview and the message
/// say where.
#[tokio::test]
async fn bad_rows_set_aside_go_to_the_rejects_file_and_the_rest_loads() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-tui-rejects-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("readings.csv");
    let mut text = String::from("Sensor,Value\n");
    for i in 1..=10_050 {
        if i == 10_040 {
            text.push_str("s-10040,twelve\n");
        } else {
            text.push_str(&format!("s-{i},{}\n", i % 97));
        }
    }
    std::fs::write(&csv, text).unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;

    h.keys("1I");
    h.keys(csv.to_str().unwrap());
    // Tab: nothing left to complete, so on to "bad rows"; → chooses "set aside".
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    let form = h.screen(120, 40);
    assert!(form.contains("set aside in <file>.rejects.csv"), "{form}");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay(), Some(Overlay::CsvProposal(_))));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('6'));
    let rejects = dir.join("readings.rejects.csv");
    let bundle = &h.app.model.plan.as_ref().expect("a plan").bundle.text;
    assert!(
        bundle.contains(&format!("bad rows are set aside in {}", rejects.display())),
        "{bundle}"
    );
    h.apply_confirmed().await;
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(
        message.contains(&format!("1 bad row set aside in {}", rejects.display())),
        "{message}"
    );
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM readings")
            .await
            .as_deref(),
        Some("10049")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM readings WHERE sensor = 's-10040'"
        )
        .await
        .as_deref(),
        Some("0")
    );
    let set_aside = std::fs::read_to_string(&rejects).unwrap();
    assert!(set_aside.contains("s-10040,twelve"), "{set_aside}");
    std::fs::remove_dir_all(dir).unwrap();
}
