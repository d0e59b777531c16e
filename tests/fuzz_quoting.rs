//! Identifier and literal quoting (`sql::ident`, `sql::literal`) round-trip arbitrary text
//! through a real PostgreSQL: a name quoted by schemaforge comes back from the server's
//! catalog byte for byte, and a quoted literal comes back as the same text.

mod common;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schemaforge::sql::{ident, literal};
use tokio_postgres::SimpleQueryMessage;

/// Names PostgreSQL keeps whole: no NUL (text cannot hold it), 1 to 63 bytes (NAMEDATALEN).
fn storable_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && !s.contains('\0')
}

const TRICKY: &[&str] = &[
    "\"",
    "\"\"",
    "'",
    "\\",
    " ",
    ";",
    "--",
    "/*",
    "*/",
    "$$",
    "U&",
    "E'",
    "\u{1b}",
    "\u{7f}",
    "\u{202e}",
    "\u{200d}",
    "\u{feff}",
    "🙂",
    "é",
    "ß",
    "İ",
    "\t",
    "\n",
    "\r",
    "drop table x",
    "SELECT",
    "public",
    ".",
    "%s",
    "$1",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(select(TRICKY), 1..8).prop_map(|p| p.concat()),
    ]
}

fn rows(messages: Vec<SimpleQueryMessage>) -> Vec<Option<String>> {
    messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_owned)),
            _ => None,
        })
        .collect()
}

fn fail(e: tokio_postgres::Error) -> TestCaseError {
    TestCaseError::fail(schemaforge::db::server_error::describe(&e))
}

#[test]
fn quoting_round_trips_through_the_server() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(common::test_db());
    rt.block_on(db.batch_execute("CREATE SCHEMA fuzz")).unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let names_checked = std::cell::Cell::new(0);
    runner
        .run(&text(), |s| {
            rt.block_on(async {
                // Literals: everything up to a NUL comes back exactly.
                let got = rows(
                    db.simple_query(&format!("SELECT {}", literal(&s)))
                        .await
                        .map_err(fail)?,
                );
                let sent = s.split('\0').next().unwrap();
                prop_assert_eq!(got, vec![Some(sent.to_string())]);
                if !storable_name(&s) {
                    return Ok(());
                }
                // An identifier as a column alias: the server names the column with it.
                let statement = db
                    .prepare(&format!("SELECT 1 AS {}", ident(&s)))
                    .await
                    .map_err(fail)?;
                prop_assert_eq!(statement.columns()[0].name(), s.as_str());
                // An identifier as a table name: pg_class stores exactly it.
                let got = rows(
                    db.simple_query(&format!(
                        "BEGIN; CREATE TABLE fuzz.{} (); \
                         SELECT relname FROM pg_class WHERE relnamespace = 'fuzz'::regnamespace; \
                         ROLLBACK",
                        ident(&s)
                    ))
                    .await
                    .map_err(fail)?,
                );
                prop_assert_eq!(got, vec![Some(s.clone())]);
                names_checked.set(names_checked.get() + 1);
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let names = names_checked.get();
    assert!(names > 100, "only {names} storable names tried");
}
