//! Applies that meet on one database: they take turns on schemaforge's advisory lock, a
//! stale one is refused as drift (exit 3), a catalog race is drift rather than a raw error,
//! a held lock names its holder, and Ctrl-C rolls back and says so.
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{scalar, test_db};
use schemaforge::db::apply::{ApplyError, DriftCheck, apply, apply_lock_key};
use schemaforge::plan::{BundleBuilder, Section};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn example(name: &str) -> String {
    format!("{}/assets/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn spawn_apply(url: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", url, "apply", "--yes"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run schemaforge")
}

fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Two applies at once, `rounds` times on fresh databases: one applies, the other applies
/// too or is refused as drift — never a raw catalog error.
async fn race(first: &str, second: &str, rounds: usize) {
    for _ in 0..rounds {
        let db = test_db().await;
        let a = spawn_apply(&db.url, &[first]);
        let b = spawn_apply(&db.url, &[second]);
        let results = [finish(a), finish(b)];
        for (code, stderr) in &results {
            assert!(matches!(code, Some(0) | Some(3)), "{code:?}: {stderr}");
            for raw in ["duplicate key", "pg_proc", "pg_type", "already exists"] {
                if *code == Some(3) && raw == "already exists" {
                    continue;
                }
                assert!(!stderr.contains(raw), "{stderr}");
            }
            if *code == Some(3) {
                assert!(stderr.contains("run it again"), "{stderr}");
            }
        }
        assert!(
            results.iter().any(|(code, _)| *code == Some(0)),
            "{results:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_applies_of_different_designs_take_turns() {
    let notes = std::env::temp_dir().join(format!(
        "schemaforge-race-notes-{}.json",
        std::process::id()
    ));
    let design = serde_json::json!({
        "tables": [{"name": "notes", "fields": [{"name": "body", "type": "longText", "is_primary": true}]}]
    });
    std::fs::write(&notes, design.to_string()).unwrap();
    race(&example("todos.json"), notes.to_str().unwrap(), 5).await;
    std::fs::remove_file(notes).unwrap();
}

#[tokio::test]
async fn concurrent_applies_of_the_same_design_take_turns() {
    let todos = example("todos.json");
    race(&todos, &todos, 5).await;
}

#[tokio::test]
async fn a_held_lock_names_its_holder_after_the_lock_timeout() {
    let db = test_db().await;
    let holder = db.connect_again().await;
    holder
        .client
        .batch_execute(&format!(
            "SET application_name = 'other-tool'; SELECT pg_advisory_lock({})",
            apply_lock_key()
        ))
        .await
        .unwrap();
    let pid = scalar(&holder.client, "SELECT pg_backend_pid()::text")
        .await
        .unwrap();
    let started = Instant::now();
    let (code, stderr) = finish(spawn_apply(
        &db.url,
        &[&example("todos.json"), "--lock-timeout", "1s"],
    ));
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("pid {pid}")), "{stderr}");
    assert!(stderr.contains("\"other-tool\""), "{stderr}");
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None
    );
    holder.close().await;
    // Once it is free, the same apply goes through.
    let (code, stderr) = finish(spawn_apply(&db.url, &[&example("todos.json")]));
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn losing_a_race_on_a_catalog_object_is_drift() {
    let db = test_db().await;
    let other = db.connect_again().await;
    // Another tool creates the same function at the same moment, without schemaforge's lock.
    other
        .client
        .batch_execute(
            "BEGIN; CREATE FUNCTION public.raced() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        )
        .await
        .unwrap();
    let mut b = BundleBuilder::new();
    b.push(Section::Transaction, "BEGIN", false);
    b.push(
        Section::Helpers,
        "CREATE FUNCTION public.raced() RETURNS int LANGUAGE sql AS 'SELECT 2'",
        false,
    );
    b.push(Section::Transaction, "COMMIT", false);
    let bundle = b.finish();
    let applying = apply(&db, &bundle, false, None::<DriftCheck<NoCheck>>, |_| {});
    let committing = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        other.client.batch_execute("COMMIT").await.unwrap();
    };
    let (result, ()) = tokio::join!(applying, committing);
    let err = result.unwrap_err();
    assert!(matches!(err, ApplyError::Raced { .. }), "{err}");
    assert!(err.is_drift());
    let text = err.to_string();
    assert!(
        text.starts_with("the schema changed while applying: function \"raced\" already exists"),
        "{text}"
    );
}

#[tokio::test]
async fn ctrl_c_during_an_apply_rolls_back_and_says_so() {
    let db = test_db().await;
    let (code, stderr) = finish(spawn_apply(&db.url, &[&example("todos.json")]));
    assert_eq!(code, Some(0), "{stderr}");
    // A design that adds a column to todos, which another session is reading (ACCESS SHARE:
    // the catalog can be read and planned, the ALTER TABLE waits).
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-ctrlc-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("todos.json")).unwrap()).unwrap();
    design["tables"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "priority", "type": "number"}));
    let file = dir.join("todos_more.json");
    std::fs::write(&file, design.to_string()).unwrap();
    let locker = db.connect_again().await;
    locker
        .client
        .batch_execute("BEGIN; LOCK TABLE public.todos IN ACCESS SHARE MODE")
        .await
        .unwrap();

    let child = spawn_apply(&db.url, &[file.to_str().unwrap(), "--lock-timeout", "60s"]);
    let waiting = "SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'schemaforge' \
                   AND wait_event_type = 'Lock' AND datname = current_database()";
    let deadline = Instant::now() + Duration::from_secs(20);
    while scalar(&db, waiting).await.as_deref() != Some("1") {
        assert!(Instant::now() < deadline, "the apply never blocked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (code, stderr) = finish(child);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cancelled; nothing was applied"),
        "{stderr}"
    );
    locker.client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM information_schema.columns \
             WHERE table_name = 'todos' AND column_name = 'priority'"
        )
        .await
        .as_deref(),
        Some("0"),
        "nothing was applied"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
