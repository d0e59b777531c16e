//! The test harness: one throwaway cluster per test binary (the same code as
//! `schemaforge sandbox`), and a fresh database per test cloned from a template that already
//! holds the Supabase-compatible shim, so tests run in parallel and never share state.
#![allow(dead_code)]

use std::ops::Deref;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, Session, connect, shim};

const TEMPLATE: &str = "schemaforge_template";

static CLUSTER: OnceLock<Sandbox> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// The cluster of this test binary, started on first use. The sandbox's watcher removes it
/// when the test binary exits.
pub fn cluster() -> &'static Sandbox {
    CLUSTER.get_or_init(|| {
        let sandbox = Sandbox::start().unwrap_or_else(|e| panic!("starting the test cluster: {e}"));
        // The template is prepared on a runtime of its own: the caller may be inside one.
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime")
                        .block_on(shim::prepare_sandbox_database(&sandbox, TEMPLATE))
                        .unwrap_or_else(|e| panic!("preparing the template database: {e}"))
                })
                .join()
                .expect("template set-up thread")
        });
        sandbox
    })
}

/// A connection target for `url`, with an empty environment (no host `PG*` variables leak in).
pub fn target(url: &str) -> ConnectTarget {
    ConnectTarget::resolve(Some(url), &Env::default()).expect("valid URL")
}

/// A database of a test's own, with the shim installed, and a session on it.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub session: Session,
}

impl Deref for TestDb {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.session.client
    }
}

impl TestDb {
    /// Another session on the same database.
    pub async fn connect_again(&self) -> Session {
        connect(&target(&self.url))
            .await
            .expect("connect to the test database")
    }
}

/// Creates a fresh database from the template and connects to it.
pub async fn test_db() -> TestDb {
    let sandbox = cluster();
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let admin = connect(&target(&sandbox.url("postgres")))
        .await
        .expect("connect to the cluster");
    admin
        .client
        .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE {TEMPLATE}"))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "creating {name}: {}",
                schemaforge::db::server_error::describe(&e)
            )
        });
    admin.close().await;
    let url = sandbox.url(&name);
    let session = connect(&target(&url))
        .await
        .expect("connect to the test database");
    TestDb { name, url, session }
}

/// The first column of the first row of a simple query, as text.
pub async fn scalar(client: &tokio_postgres::Client, sql: &str) -> Option<String> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", schemaforge::db::server_error::describe(&e)))
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_owned)),
            _ => None,
        })
        .flatten()
}

/// Runs the real `schemaforge` binary against `url` with `args`, as a user would.
pub fn cli(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", url])
        .args(args)
        .output()
        .expect("run schemaforge")
}

/// Asserts a command exited 0, showing its stderr when it did not.
pub fn assert_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestDb {
    /// A second session, named `application`, that holds `lock` (`LOCK TABLE …`) in an open
    /// transaction, as a long migration or `VACUUM FULL` would; with its pid. The lock lasts
    /// as long as the returned session.
    pub async fn hold_lock(&self, application: &str, lock: &str) -> (Session, String) {
        let holder = self.connect_again().await;
        let pid = scalar(&holder.client, "SELECT pg_backend_pid()::text")
            .await
            .expect("a pid");
        holder
            .client
            .batch_execute(&format!(
                "SET application_name = {}; BEGIN; {lock}",
                schemaforge::sql::literal(application)
            ))
            .await
            .expect("take the lock");
        (holder, pid)
    }
}

/// `inspect --json` as a catalog to compare before and after: without what says how the read
/// went (row estimates, timings) and without the roles, which belong to the cluster other
/// tests share.
pub fn inspect_schema(db: &TestDb) -> serde_json::Value {
    let out = cli(&db.url, &["inspect", "--json"]);
    assert_success(&out);
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    strip_read_details(&mut json);
    for key in ["roles", "role_memberships"] {
        json.as_object_mut().unwrap().remove(key);
    }
    json
}

fn strip_read_details(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for key in ["row_estimate", "stats", "elapsed_ms"] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_read_details);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_read_details),
        _ => {}
    }
}
