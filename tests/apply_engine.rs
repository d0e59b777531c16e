//! The apply engine on hand-written bundles: one transaction, failures reported in full,
//! nothing left behind on failure, dry runs, drift refusal.
mod common;

use common::{scalar, test_db};
use schemaforge::db::apply::{ApplyError, DriftCheck, apply};
use schemaforge::plan::{Bundle, BundleBuilder, Section};
use tokio_postgres::Client;

fn bundle(statements: &[(Section, &str)]) -> Bundle {
    let mut b = BundleBuilder::new();
    b.push(Section::Transaction, "BEGIN", false);
    for (section, sql) in statements {
        b.push(*section, sql, false);
    }
    b.push(Section::Transaction, "COMMIT", false);
    b.finish()
}

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

async fn tables(client: &Client) -> String {
    scalar(
        client,
        "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r'",
    )
    .await
    .unwrap_or_default()
}

#[tokio::test]
async fn a_bundle_applies_in_one_transaction_and_reports_progress() {
    let db = test_db().await;
    let b = bundle(&[
        (
            Section::Tables,
            "CREATE TABLE public.a (id int PRIMARY KEY)",
        ),
        (
            Section::Tables,
            "CREATE TABLE public.b (a_id int REFERENCES public.a)",
        ),
    ]);
    let mut seen = Vec::new();
    let report = apply(&db, &b, false, None::<DriftCheck<NoCheck>>, |p| {
        seen.push(p.statement)
    })
    .await
    .unwrap();
    assert!(report.committed);
    assert_eq!(report.statements, 4);
    assert_eq!(seen, vec![1, 2, 3, 4]);
    assert_eq!(tables(&db).await, "a,b");
}

#[tokio::test]
async fn a_failing_statement_is_named_with_the_servers_words_and_nothing_stays() {
    let db = test_db().await;
    let b = bundle(&[
        (Section::Tables, "CREATE TABLE public.first (id int)"),
        (
            Section::Policies,
            "CREATE TABLE public.second (\n  id int,\n  n int DEFAULT nonexistent_fn()\n)",
        ),
    ]);
    let err = apply(&db, &b, false, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap_err();
    let ApplyError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err}");
    };
    assert_eq!(failure.index, 2);
    assert_eq!(failure.total, 4);
    assert_eq!(failure.code, "42883");
    assert!(
        failure.message.contains("nonexistent_fn"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("No function matches")
    );
    // The position points at the call, on the statement's third line.
    let (line, column) = failure.position.expect("the server gave a position");
    let bundle_line = b.text.lines().nth(line - 1).unwrap();
    assert!(
        bundle_line[column - 1..].starts_with("nonexistent_fn"),
        "{bundle_line:?} col {column}"
    );
    assert_eq!(line, failure.line + 2);
    let text = err.to_string();
    assert!(text.contains("statement 3 of 4"), "{text}");
    assert!(text.contains("nothing was applied"), "{text}");
    // The first table was rolled back with the rest, and the session is usable again.
    assert_eq!(tables(&db).await, "");
}

#[tokio::test]
async fn a_dry_run_runs_everything_and_keeps_nothing() {
    let db = test_db().await;
    let b = bundle(&[(Section::Tables, "CREATE TABLE public.kept_not (id int)")]);
    let report = apply(&db, &b, true, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap();
    assert!(!report.committed);
    assert_eq!(tables(&db).await, "");
    // A dry run still finds errors.
    let bad = bundle(&[(Section::Tables, "CREATE TABLE public.x (id nosuchtype)")]);
    assert!(matches!(
        apply(&db, &bad, true, None::<DriftCheck<NoCheck>>, |_| {}).await,
        Err(ApplyError::Statement(_))
    ));
}

#[tokio::test]
async fn drift_refuses_before_anything_runs() {
    let db = test_db().await;
    let b = bundle(&[(Section::Tables, "CREATE TABLE public.never (id int)")]);
    let check = DriftCheck {
        expected: "fingerprint-at-plan-time".to_owned(),
        current: async |_: &Client| Ok::<_, String>("fingerprint-now".to_owned()),
    };
    let err = apply(&db, &b, false, Some(check), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ApplyError::Drift { .. }), "{err}");
    assert_eq!(tables(&db).await, "");
    // A matching fingerprint lets it through.
    let check = DriftCheck {
        expected: "same".to_owned(),
        current: async |_: &Client| Ok::<_, String>("same".to_owned()),
    };
    apply(&db, &b, false, Some(check), |_| {}).await.unwrap();
    assert_eq!(tables(&db).await, "never");
}

#[tokio::test]
async fn a_bundle_that_is_not_one_transaction_is_refused() {
    let db = test_db().await;
    let mut b = BundleBuilder::new();
    b.push(Section::Tables, "CREATE TABLE public.loose (id int)", false);
    let err = apply(&db, &b.finish(), false, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ApplyError::NotOneTransaction(_)));
    assert_eq!(tables(&db).await, "");
}

#[tokio::test]
async fn a_statement_that_would_end_the_transaction_is_refused_and_nothing_stays() {
    let db = test_db().await;
    for sneaky in [
        "CREATE TABLE public.b (id int); COMMIT; CREATE TABLE public.c (id int)",
        "COMMIT",
        "END",
    ] {
        let b = bundle(&[
            (Section::Tables, "CREATE TABLE public.a (id int)"),
            (Section::Tables, sneaky),
            (Section::Tables, "CREATE TABLE public.d (id int)"),
        ]);
        let err = apply(&db, &b, true, None::<DriftCheck<NoCheck>>, |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApplyError::NotOneTransaction(_)),
            "{sneaky}: {err}"
        );
        assert_eq!(tables(&db).await, "", "{sneaky}: nothing was committed");
    }
    // A saved plan with a COMMIT in the middle is refused the same way.
    let saved = Bundle::parse("BEGIN;\nCREATE TABLE public.e (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE public.f (id int);\nCOMMIT;\n").unwrap();
    assert!(matches!(
        apply(&db, &saved, false, None::<DriftCheck<NoCheck>>, |_| {}).await,
        Err(ApplyError::NotOneTransaction(_))
    ));
    assert_eq!(tables(&db).await, "");
}
