//! Locks held by another session never hang schemaforge: catalog reads (inspect, the
//! TUI's load, the read before apply, the drift check inside apply) and the bundle's own
//! statements give up after the lock timeout, read what they can, and name the session
//! that holds the lock. Each test holds a real lock from a second session.
mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{TestDb, scalar, test_db};
use schemaforge::db::Session;
use schemaforge::db::apply::{ApplyError, DriftCheck, apply};
use schemaforge::db::catalog::{ReadOptions, read_in_transaction, read_with};
use schemaforge::plan::{BundleBuilder, Section};

/// Two tables, `held` with everything whose printing needs its lock (a CHECK, a generated
/// column, a policy, an expression index) and a view on it, and `free`, which nobody locks.
const SCHEMA: &str = "CREATE TABLE public.held (id int PRIMARY KEY, a int CHECK (a > 0), \
       b int GENERATED ALWAYS AS (a * 2) STORED); \
     ALTER TABLE public.held ENABLE ROW LEVEL SECURITY; \
     CREATE POLICY mine ON public.held USING (a > 1); \
     CREATE INDEX held_expr ON public.held ((a + 1)); \
     CREATE VIEW public.held_view AS SELECT id FROM public.held; \
     CREATE TABLE public.free (id int PRIMARY KEY, note text CHECK (note <> '')); \
     ALTER TABLE public.free ENABLE ROW LEVEL SECURITY; \
     CREATE POLICY open ON public.free USING (id > 0)";

/// A second session that holds `public.held` ACCESS EXCLUSIVE in an open transaction, as
/// a long migration or `VACUUM FULL` would; its pid.
async fn hold_exclusive(db: &TestDb) -> (Session, String) {
    db.hold_lock(
        "long_migration",
        "LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE",
    )
    .await
}

/// Runs the binary, killing it (and failing) if it has not finished in 30 s: without a
/// lock timeout it would wait as long as the lock is held, here for ever.
fn cli_bounded(url: &str, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", url])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run schemaforge");
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("schemaforge {args:?} still waiting after 30 s: it hangs on the lock");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

#[tokio::test]
async fn a_catalog_read_reads_around_a_locked_table_and_names_its_holder() {
    let db = test_db().await;
    db.batch_execute(SCHEMA).await.unwrap();
    let (_locker, pid) = hold_exclusive(&db).await;

    let started = Instant::now();
    let options = ReadOptions::with_lock_timeout("300ms");
    let read = read_with(&db, &options);
    let catalog = tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("the read hangs on the lock")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));

    // The rest is read in full.
    let free = catalog.table("public", "free").expect("free is read");
    assert_eq!(free.columns.len(), 2);
    assert_eq!(free.policies.len(), 1);
    assert_eq!(free.check_constraints.len(), 1);
    // The locked table is there by name, its details left out and its holder named.
    let held = catalog.table("public", "held").expect("held is listed");
    assert!(held.rls_enabled);
    assert!(held.columns.is_empty() && held.policies.is_empty());
    let lock = catalog.lock_on("public", "held").expect("held is marked");
    assert_eq!(lock.session.pid.to_string(), pid);
    assert_eq!(lock.session.application_name, "long_migration");
    assert_eq!(lock.mode, "AccessExclusiveLock");
    assert!(lock.session.last_query.contains("LOCK TABLE"), "{lock}");
    assert!(lock.session.transaction_seconds.is_some());
    // The view reading it cannot be printed either; it stays listed.
    assert!(catalog.table("public", "held_view").is_some());
    assert!(
        catalog
            .unreadable
            .iter()
            .any(|u| u.object.starts_with("public.held ") && u.reason.contains(&pid)),
        "{:?}",
        catalog.unreadable
    );
}

#[tokio::test]
async fn inspect_prints_the_rest_and_reports_the_lock() {
    let db = test_db().await;
    db.batch_execute(SCHEMA).await.unwrap();
    let (_locker, pid) = hold_exclusive(&db).await;

    let (out, took) = cli_bounded(&db.url, &["inspect", "--lock-timeout", "300ms"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(stdout.contains("Table public.free"), "{stdout}");
    assert!(stdout.contains("\"open\" PERMISSIVE"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "[locked] details not read: held AccessExclusiveLock by pid {pid}"
        )),
        "{stdout}"
    );
    for part in [
        format!("pid {pid}"),
        "\"long_migration\"".into(),
        "transaction open".into(),
        "LOCK TABLE public.held".into(),
        format!("pg_terminate_backend({pid})"),
    ] {
        assert!(stderr.contains(&part), "{part}: {stderr}");
    }
}

#[tokio::test]
async fn apply_lock_timeout_bounds_the_read_before_the_bundle() {
    let db = test_db().await;
    db.batch_execute(SCHEMA).await.unwrap();
    let (_locker, pid) = hold_exclusive(&db).await;
    let design = format!("{}/assets/examples/todos.json", env!("CARGO_MANIFEST_DIR"));

    let (out, took) = cli_bounded(
        &db.url,
        &["apply", "--yes", &design, "--lock-timeout", "1s"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(stderr.contains("cannot plan"), "{stderr}");
    assert!(stderr.contains(&format!("pid {pid}")), "{stderr}");
    assert!(stderr.contains("\"long_migration\""), "{stderr}");
    // Nothing was applied.
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM pg_tables WHERE tablename = 'todos'"
        )
        .await
        .as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn the_drift_check_inside_apply_gives_up_after_the_bundles_lock_timeout() {
    let db = test_db().await;
    db.batch_execute(SCHEMA).await.unwrap();
    let (_locker, pid) = hold_exclusive(&db).await;
    let mut b = BundleBuilder::new();
    b.push(Section::Transaction, "BEGIN", false);
    b.push(
        Section::Transaction,
        "SET LOCAL lock_timeout = '300ms'",
        false,
    );
    b.push(Section::Tables, "CREATE TABLE public.other (id int)", false);
    b.push(Section::Transaction, "COMMIT", false);
    let bundle = b.finish();
    let drift = DriftCheck {
        expected: "whatever".to_owned(),
        current: async |client: &tokio_postgres::Client| {
            read_in_transaction(client)
                .await
                .map(|c| schemaforge::catalog::fingerprint(&c))
        },
    };
    let applying = apply(&db, &bundle, false, Some(drift), |_| {});
    let err = tokio::time::timeout(Duration::from_secs(20), applying)
        .await
        .expect("the drift check hangs on the lock")
        .unwrap_err();
    assert!(matches!(err, ApplyError::DriftCheck(_)), "{err}");
    let text = err.to_string();
    assert!(text.contains("lock_timeout"), "{text}");
    assert!(text.contains(&format!("pid {pid}")), "{text}");
    assert!(text.contains("public.held"), "{text}");
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM pg_tables WHERE tablename = 'other'"
        )
        .await
        .as_deref(),
        Some("0")
    );
}

/// `todos.json` with one more column: applied on top of `todos.json`, one `ALTER TABLE`.
fn todos_with_priority(db: &TestDb) -> std::path::PathBuf {
    let example = format!("{}/assets/examples/todos.json", env!("CARGO_MANIFEST_DIR"));
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    design["tables"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "priority", "type": "number"}));
    let dir = std::env::temp_dir().join(format!("schemaforge-locks-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("todos_more.json");
    std::fs::write(&file, design.to_string()).unwrap();
    file
}

#[tokio::test]
async fn a_statement_waiting_on_a_lock_gives_up_and_names_the_blocking_session() {
    let db = test_db().await;
    let example = format!("{}/assets/examples/todos.json", env!("CARGO_MANIFEST_DIR"));
    let (out, _) = cli_bounded(&db.url, &["apply", "--yes", &example]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = todos_with_priority(&db);
    // A long report reads the table: the catalog can be read and planned (ACCESS SHARE),
    // the ALTER TABLE waits for the reader.
    let reader = db.connect_again().await;
    let pid = scalar(&reader.client, "SELECT pg_backend_pid()::text")
        .await
        .unwrap();
    reader
        .client
        .batch_execute(
            "SET application_name = 'monthly_report'; BEGIN; \
             SELECT count(*) FROM public.todos",
        )
        .await
        .unwrap();

    let (out, took) = cli_bounded(
        &db.url,
        &[
            "apply",
            "--yes",
            file.to_str().unwrap(),
            "--lock-timeout",
            "1s",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    for part in [
        "canceling statement due to lock timeout".to_owned(),
        "ALTER TABLE".into(),
        format!("blocked by: public.todos: held in mode AccessShareLock by pid {pid}"),
        "application_name \"monthly_report\"".into(),
        "idle in transaction".into(),
        "last query \"SET application_name = 'monthly_report'; BEGIN; SELECT count(*) FROM public.todos\"".into(),
        format!("what to do: wait for that transaction to finish and try again, or, if it is stuck (an idle transaction, a forgotten session), end it with SELECT pg_terminate_backend({pid})"),
        "nothing was applied".into(),
    ] {
        assert!(stderr.contains(&part), "{part}: {stderr}");
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM information_schema.columns WHERE column_name = 'priority'"
        )
        .await
        .as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn statement_timeout_says_which_statement_hit_it() {
    let db = test_db().await;
    let mut b = BundleBuilder::new();
    b.push(Section::Transaction, "BEGIN", false);
    b.push(
        Section::Transaction,
        "SET LOCAL statement_timeout = '200ms'",
        false,
    );
    b.push(Section::Tables, "CREATE TABLE public.quick (id int)", false);
    b.push(Section::Tables, "SELECT pg_sleep(5)", false);
    b.push(Section::Transaction, "COMMIT", false);
    let bundle = b.finish();
    type NoCheck = fn(&tokio_postgres::Client) -> std::future::Ready<Result<String, String>>;
    let err = apply(&db, &bundle, false, None::<DriftCheck<NoCheck>>, |_| {})
        .await
        .unwrap_err();
    let ApplyError::Statement(failure) = &err else {
        panic!("{err}");
    };
    assert!(failure.is_statement_timeout(), "{err}");
    assert_eq!(failure.index, 3);
    let text = err.to_string();
    assert!(text.contains("statement 4 of 5"), "{text}");
    assert!(
        text.contains(
            "what to do: statement 4 ran longer than statement_timeout; raise --statement-timeout"
        ),
        "{text}"
    );
    assert!(text.contains("statement: SELECT pg_sleep(5)"), "{text}");
}
