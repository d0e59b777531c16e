//! `schemaforge import` against a real PostgreSQL: messy files are read and typed as a
//! person would (BOM, semicolons and decimal commas, Latin-1, quoted line breaks, mixed
//! date forms, empty cells), the rows arrive converted, and a bad value or a refused row
//! leaves nothing behind and names its line.
mod common;

use std::path::{Path, PathBuf};

use common::{TestDb, assert_success, cli, scalar, test_db};
use schemaforge::design::FieldType;
use schemaforge::import::{self, Encoding, Proposal};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csv")
        .join(name)
}

fn propose(path: &Path) -> Proposal {
    let dialect = import::sniff(path).expect("sniff");
    import::infer::propose(path, dialect, import::SAMPLE_ROWS).expect("propose")
}

/// The field proposed for the CSV column `header`.
fn field<'a>(p: &'a Proposal, header: &str) -> &'a schemaforge::design::Field {
    &p.columns
        .iter()
        .find(|c| c.header == header)
        .unwrap_or_else(|| panic!("no column {header}"))
        .field
}

async fn value(db: &TestDb, sql: &str) -> String {
    scalar(db, sql).await.unwrap_or_else(|| "NULL".into())
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_european_spreadsheet_is_typed_and_loaded() {
    let path = fixture("products_eu.csv");
    let p = propose(&path);
    assert_eq!(p.dialect.encoding, Encoding::Utf8Bom);
    assert_eq!(p.dialect.delimiter, b';');
    assert!(p.dialect.has_header && p.whole_file);
    assert_eq!(p.rows_sampled, 8);

    let sku = field(&p, "SKU");
    assert_eq!(sku.field_type, FieldType::SingleLineText);
    assert!(sku.options.required && sku.options.unique && sku.is_primary);
    let price = field(&p, "Price (€)");
    assert_eq!(price.field_type, FieldType::Number);
    assert!(!price.options.integer && price.options.required);
    assert_eq!(field(&p, "Discount").field_type, FieldType::Percent);
    let stock = field(&p, "Stock");
    assert!(
        stock.options.integer && !stock.options.required,
        "one cell is empty"
    );
    let category = field(&p, "Category");
    assert_eq!(category.field_type, FieldType::SingleSelect);
    assert_eq!(category.options.choices, ["Bakery", "Drinks"]);
    assert_eq!(field(&p, "Added on").field_type, FieldType::Date);
    assert_eq!(field(&p, "In stock").field_type, FieldType::Checkbox);
    assert_eq!(field(&p, "Supplier email").field_type, FieldType::Email);
    assert_eq!(field(&p, "Website").field_type, FieldType::Url);
    let notes = field(&p, "Notes");
    assert_eq!(notes.field_type, FieldType::LongText);
    assert!(!notes.options.required);
    let stock_evidence = &p.columns[4].evidence;
    assert_eq!(
        (stock_evidence.share().as_str(), stock_evidence.empty),
        ("100% of 7", 1)
    );

    let db = test_db().await;
    let out = cli(
        &db.url,
        &[
            "import",
            path.to_str().unwrap(),
            "--table",
            "Products",
            "--yes",
        ],
    );
    assert_success(&out);
    assert!(stderr(&out).contains("created public.products: 8 rows in one transaction"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("UTF-8 with BOM, semicolon-separated"),
        "{stdout}"
    );
    assert_eq!(value(&db, "SELECT count(*) FROM products").await, "8");
    assert_eq!(
        value(
            &db,
            "SELECT price_eur::text FROM products WHERE sku = 'P-001'"
        )
        .await,
        "1234.50"
    );
    assert_eq!(
        value(
            &db,
            "SELECT string_agg(added_on::text, ' ' ORDER BY sku) FROM products"
        )
        .await,
        "2024-03-01 2024-03-01 2024-03-15 2024-03-04 2024-04-05 2024-04-06 2024-04-30 2024-05-08"
    );
    assert_eq!(
        value(&db, "SELECT notes FROM products WHERE sku = 'P-002'").await,
        "Fresh daily;\nbaked at 5"
    );
    assert_eq!(
        value(&db, "SELECT notes FROM products WHERE sku = 'P-004'").await,
        "He said \"strong\""
    );
    assert_eq!(
        value(&db, "SELECT stock FROM products WHERE sku = 'P-002'").await,
        "NULL"
    );
    assert_eq!(
        value(&db, "SELECT count(*) FROM products WHERE in_stock").await,
        "5"
    );
    assert_eq!(
        value(&db, "SELECT sum(discount)::text FROM products").await,
        "45"
    );
    assert_eq!(
        value(&db, "SELECT name FROM products WHERE sku = 'P-001'").await,
        "Café crème"
    );
    // The proposal's constraints are real: the select's CHECK and the unique key.
    let refused = db
        .batch_execute("INSERT INTO products (sku, name, price_eur, discount, category, added_on, supplier_email, website) VALUES ('P-009', 'x', 1, 1, 'Toys', '2024-01-01', 'a@b.io', 'https://x.io')")
        .await;
    assert!(refused.is_err(), "Toys is not one of the choices");
}

#[tokio::test]
async fn a_latin1_file_with_phones_lists_amounts_and_digit_booleans() {
    let path = fixture("contacts_latin1.csv");
    let p = propose(&path);
    assert_eq!(p.dialect.encoding, Encoding::Latin1);
    assert_eq!(p.dialect.delimiter, b',');
    assert_eq!(field(&p, "phone").field_type, FieldType::Phone);
    assert_eq!(field(&p, "signed_up").field_type, FieldType::DateTime);
    let tags = field(&p, "tags");
    assert_eq!(tags.field_type, FieldType::MultiSelect);
    assert_eq!(tags.options.choices, ["blue", "green", "red"]);
    assert_eq!(field(&p, "is_vip").field_type, FieldType::Checkbox);
    let balance = field(&p, "balance");
    assert_eq!(balance.field_type, FieldType::Currency);
    assert_eq!(balance.options.currency_code.as_deref(), Some("USD"));

    let db = test_db().await;
    let out = cli(
        &db.url,
        &[
            "import",
            path.to_str().unwrap(),
            "--table",
            "contacts",
            "--yes",
        ],
    );
    assert_success(&out);
    assert_eq!(value(&db, "SELECT count(*) FROM contacts").await, "6");
    assert_eq!(
        value(&db, "SELECT city FROM contacts WHERE name = 'José Núñez'").await,
        "Málaga"
    );
    assert_eq!(
        value(
            &db,
            "SELECT tags::text FROM contacts WHERE name = 'José Núñez'"
        )
        .await,
        "{red,blue}"
    );
    assert_eq!(
        value(&db, "SELECT count(*) FROM contacts WHERE is_vip").await,
        "3"
    );
    assert_eq!(
        value(
            &db,
            "SELECT balance::text FROM contacts WHERE city = 'Izmir'"
        )
        .await,
        "-3.2500"
    );
    assert_eq!(
        value(
            &db,
            "SELECT signed_up AT TIME ZONE 'UTC' FROM contacts WHERE city = 'Köln'"
        )
        .await,
        "2024-03-02 09:00:00"
    );
}

/// 10,050 rows of whole numbers, one of them (on `bad_line`) a word: past the sample, so the
/// proposal says number and the load finds the word.
fn numbers_with_a_word(dir: &Path, bad_line: usize) -> PathBuf {
    let mut text = String::from("code,quantity\n");
    for line in 2..=10_051 {
        let quantity = if line == bad_line {
            "lots".to_owned()
        } else {
            (line % 97).to_string()
        };
        text.push_str(&format!("C{line},{quantity}\n"));
    }
    let path = dir.join("stock.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn a_bad_value_past_the_sample_leaves_nothing_and_names_its_line() {
    let dir = tempdir("bad");
    let path = numbers_with_a_word(&dir, 10_041);
    let p = propose(&path);
    assert!(!p.whole_file);
    assert!(field(&p, "quantity").options.integer);
    // Distinct in the sample is only a candidate when the sample is not the whole file.
    assert!(!field(&p, "code").options.unique);
    assert!(p.columns[0].evidence.unique_candidate);

    let db = test_db().await;
    let file = path.to_str().unwrap();
    let out = cli(&db.url, &["import", file, "--table", "stock", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = format!("{file}:10041:2 (quantity): value \"lots\" is not a whole number");
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was loaded or created"));
    assert_eq!(
        value(&db, "SELECT to_regclass('public.stock')::text").await,
        "NULL"
    );

    // With a rejects file, the rest loads and the bad row is set aside with its line.
    let rejects = dir.join("rejects.csv");
    let out = cli(
        &db.url,
        &[
            "import",
            file,
            "--table",
            "stock",
            "--yes",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert_success(&out);
    assert!(stderr(&out).contains("10049 rows"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 row with bad values written to"));
    assert_eq!(value(&db, "SELECT count(*) FROM stock").await, "10049");
    let written = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "line,error,code,quantity");
    assert!(lines[1].starts_with("10041,"), "{written}");
    assert!(lines[1].ends_with(",C10041,lots"), "{written}");
    assert_eq!(lines.len(), 2);
}

#[tokio::test]
async fn rows_go_into_an_existing_table_by_its_live_columns() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.orders (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id bigint NOT NULL UNIQUE,
            customer text NOT NULL,
            amount numeric(10,2),
            ordered_at timestamptz,
            shipped boolean NOT NULL DEFAULT false,
            source text)",
    )
    .await
    .unwrap();
    let path = fixture("orders_pipe.csv");
    let out = cli(
        &db.url,
        &[
            "import",
            path.to_str().unwrap(),
            "--into",
            "orders",
            "--set",
            "source=shop export",
            "--yes",
        ],
    );
    assert_success(&out);
    assert!(
        stderr(&out).contains("loaded into public.orders: 4 rows"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        value(&db, "SELECT sum(amount)::text FROM orders").await,
        "265.09"
    );
    assert_eq!(
        value(&db, "SELECT count(*) FROM orders WHERE shipped").await,
        "2"
    );
    assert_eq!(
        value(
            &db,
            "SELECT shipped::text FROM orders WHERE order_id = 1003"
        )
        .await,
        "false",
        "an empty checkbox cell is no"
    );
    assert_eq!(
        value(
            &db,
            "SELECT count(*) FROM orders WHERE source = 'shop export'"
        )
        .await,
        "4"
    );

    // A CSV column the table lacks is named, with the way out.
    let out = cli(
        &db.url,
        &[
            "import",
            fixture("duplicate_code.csv").to_str().unwrap(),
            "--into",
            "orders",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no column for \"code\", \"label\""),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_bad_value_for_a_live_column_names_its_line_and_loads_nothing() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.items (code text, quantity integer, price numeric)")
        .await
        .unwrap();
    let path = fixture("bad_number.csv");
    let file = path.to_str().unwrap();
    let out = cli(&db.url, &["import", file, "--into", "items", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "{file}:5:2 (quantity): value \"many\" is not a whole number"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(value(&db, "SELECT count(*) FROM items").await, "0");
}

#[tokio::test]
async fn a_row_the_server_refuses_is_named_by_its_file_line() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.codes (code text UNIQUE, label text)")
        .await
        .unwrap();
    let path = fixture("duplicate_code.csv");
    let file = path.to_str().unwrap();
    let out = cli(&db.url, &["import", file, "--into", "codes", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{file}: the server refused the row on line 4")),
        "{err}"
    );
    assert!(err.contains("duplicate key"), "{err}");
    assert_eq!(value(&db, "SELECT count(*) FROM codes").await, "0");
}

#[tokio::test]
async fn the_proposal_is_a_design_to_correct() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args([
            "import",
            fixture("orders_pipe.csv").to_str().unwrap(),
            "--proposal",
            "--skip",
            "Customer",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let design: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields = &design["tables"][0]["fields"];
    assert_eq!(design["tables"][0]["name"], "orders_pipe");
    let names: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Order ID", "Amount", "Ordered at", "Shipped"]);
    assert_eq!(fields[0]["type"], "number");
    assert_eq!(fields[0]["options"]["unique"], true);
    assert_eq!(fields[2]["type"], "dateTime");
    assert_eq!(fields[3]["type"], "checkbox");
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemaforge-import-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
