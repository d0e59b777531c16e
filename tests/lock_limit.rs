//! A plan that needs more locks than the server's shared lock table holds is refused up
//! front — in `plan`'s notes and before `apply` sends anything — naming the setting to
//! raise, instead of failing part-way with "out of shared memory". The server here is
//! started small (max_locks_per_transaction 10), so a 400-table design exceeds it: without
//! the check, that apply fails at its 128th table with SQLSTATE 53200.

use std::time::Duration;

use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};

/// 10 × (max_connections 12 + autovacuum 3 + 1 + worker processes 8 + WAL senders 10
/// + prepared 0) = 340 lock entries.
const ENTRIES: &str = "the 340 entries";

fn design(tables: usize) -> String {
    let tables: Vec<_> = (1..=tables)
        .map(|i| {
            serde_json::json!({
                "name": format!("t{i}"),
                "fields": [
                    {"name": "title", "type": "singleLineText", "options": {"required": true}},
                    {"name": "notes", "type": "multiLineText", "options": {}}
                ]
            })
        })
        .collect();
    serde_json::json!({ "tables": tables }).to_string()
}

fn run(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", url])
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run schemaforge")
}

#[tokio::test]
async fn a_plan_beyond_the_lock_table_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start_with_settings(&[
        ("max_locks_per_transaction", "10"),
        ("max_connections", "12"),
    ])
    .expect("a small server");
    let url = shim::prepare_sandbox_database(&sandbox, "app")
        .await
        .expect("the app database");
    let dir = std::env::temp_dir().join(format!("schemaforge-lock-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    std::fs::write(&big, design(400)).unwrap();
    let small = dir.join("small.json");
    std::fs::write(&small, design(3)).unwrap();

    // plan: says so in its notes, with the setting to raise.
    let out = run(&url, &["plan", big.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("takes about 2006 locks"), "{stderr}");
    assert!(stderr.contains(ENTRIES), "{stderr}");
    assert!(
        stderr.contains("raise max_locks_per_transaction to at least"),
        "{stderr}"
    );

    // apply: refused before the bundle is sent; nothing created.
    let started = std::time::Instant::now();
    let out = run(&url, &["apply", "--yes", big.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        stderr.contains("not applied: the plan needs more locks"),
        "{stderr}"
    );
    assert!(!stderr.contains("SQLSTATE 53200"), "{stderr}");
    let target = ConnectTarget::resolve(Some(&url), &Env::default()).unwrap();
    let session = connect(&target).await.unwrap();
    let count = session
        .client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(count, 0, "nothing was applied");

    // A saved plan of the same design: its statements are counted (the same count as the
    // design's changes) and it is refused before anything is sent.
    let saved = dir.join("big.sql");
    let out = run(
        &url,
        &[
            "plan",
            big.to_str().unwrap(),
            "--out",
            saved.to_str().unwrap(),
        ],
    );
    assert!(saved.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&saved).unwrap();
    let bundle = schemaforge::plan::Bundle::parse(&text).unwrap();
    let statements = (0..bundle.statements.len()).map(|i| bundle.statement_text(i));
    assert_eq!(
        schemaforge::lock_limit::locks_in_statements(statements),
        2006
    );
    let started = std::time::Instant::now();
    let out = run(&url, &["apply", "--yes", "--plan", saved.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        stderr.contains("not applied: the plan needs more locks"),
        "{stderr}"
    );
    assert!(stderr.contains("takes about 2006 locks"), "{stderr}");
    assert!(stderr.contains(ENTRIES), "{stderr}");
    assert!(!stderr.contains("SQLSTATE 53200"), "{stderr}");

    // The count is what PostgreSQL takes: run the small plan's bundle without its COMMIT
    // and count this session's lock entries outside the fast path (relations and other
    // objects alike take entries of the shared table).
    let out = run(&url, &["plan", small.to_str().unwrap()]);
    let bundle = String::from_utf8_lossy(&out.stdout).into_owned();
    let open = bundle
        .trim_end()
        .strip_suffix("COMMIT;")
        .expect("ends with COMMIT");
    session.client.batch_execute(open).await.unwrap();
    let taken: i64 = session
        .client
        .query_one(
            "SELECT count(DISTINCT (locktype, relation, classid, objid, objsubid, transactionid::text)) \
             FROM pg_locks WHERE pid = pg_backend_pid() AND NOT fastpath",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    session.client.batch_execute("ROLLBACK").await.unwrap();
    let catalog = schemaforge::db::catalog::read(&session.client)
        .await
        .unwrap();
    let (parsed, _) = schemaforge::design::parse(&design(3)).unwrap();
    let analysis = schemaforge::analysis::analyse(&parsed, Some(&catalog), &Default::default());
    let changes = analysis.plan.unwrap().changes();
    let estimate = schemaforge::lock_limit::locks_needed(&changes);
    assert_eq!(
        estimate as i64, taken,
        "the count matches the entries PostgreSQL takes"
    );

    // A plan that fits applies as before, and so does a saved one.
    let out = run(&url, &["apply", "--yes", small.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let more = dir.join("more.json");
    std::fs::write(&more, design(5)).unwrap();
    let more_saved = dir.join("more.sql");
    let out = run(
        &url,
        &[
            "plan",
            more.to_str().unwrap(),
            "--out",
            more_saved.to_str().unwrap(),
        ],
    );
    assert!(
        more_saved.exists(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &url,
        &["apply", "--yes", "--plan", more_saved.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    session.close().await;
}
