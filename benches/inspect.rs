//! `cargo bench --bench inspect`: `schemaforge inspect --json` against `pg_dump --schema-only`
//! on a synthetic Supabase-style schema of 1,000 and then 5,000 tables, in one run.
//!
//! It starts a throwaway cluster (the same as `schemaforge sandbox`), builds the schema on
//! the server in batches (see `tests/synthetic/mod.rs`: 15 columns, 0–2 foreign keys,
//! 3 CHECKs, 4 indexes, 4 policies and an `updated_at` trigger per table), then runs each
//! tool a few times with its output thrown away and reports the median wall time and the
//! peak resident memory. Cargo builds the release binary for benchmarks
//! (`CARGO_BIN_EXE_schemaforge`, `target/release/schemaforge`), so that is what is timed.
//! Peak memory comes from GNU time (`/usr/bin/time`, `apt-get install time`); without it
//! only wall times are shown.
//!
//! This is a benchmark, not a test: it reports and never fails because a machine is slow.

#[path = "../tests/synthetic/mod.rs"]
#[allow(dead_code)]
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};

const RUNS: usize = 3;
const SIZES: [usize; 2] = [1_000, 5_000];

struct Measured {
    wall: Duration,
    peak_rss_kb: Option<u64>,
}

/// Runs `program args` `RUNS` times; the median wall time and the largest peak RSS.
fn measure(program: &Path, args: &[&str]) -> Measured {
    let gnu_time = Path::new("/usr/bin/time");
    let mut walls = Vec::new();
    let mut peak = None;
    for _ in 0..RUNS {
        let rss_file =
            std::env::temp_dir().join(format!("schemaforge-bench-{}", std::process::id()));
        let mut cmd = if gnu_time.exists() {
            let mut c = Command::new(gnu_time);
            c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd.output().expect("run the tool");
        walls.push(start.elapsed());
        assert!(
            out.status.success(),
            "{} failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Ok(text) = std::fs::read_to_string(&rss_file) {
            if let Some(kb) = text
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok())
            {
                peak = Some(peak.map_or(kb, |p: u64| p.max(kb)));
            }
            let _ = std::fs::remove_file(&rss_file);
        }
    }
    walls.sort();
    Measured {
        wall: walls[RUNS / 2],
        peak_rss_kb: peak,
    }
}

fn mb(kb: Option<u64>) -> String {
    kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0))
        .unwrap_or_else(|| "n/a".into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let schemaforge = PathBuf::from(env!("CARGO_BIN_EXE_schemaforge"));
    let sandbox = tokio::task::spawn_blocking(Sandbox::start)
        .await
        .unwrap()
        .expect("start a sandbox cluster");
    let url = shim::prepare_sandbox_database(&sandbox, "bench")
        .await
        .expect("prepare the bench database");
    let pg_dump = sandbox.bin_dir.join("pg_dump");
    let target = ConnectTarget::resolve(Some(&url), &Env::default()).unwrap();
    let session = connect(&target).await.expect("connect");
    session
        .client
        .batch_execute(synthetic::PRELUDE)
        .await
        .unwrap();

    println!(
        "schemaforge inspect --json vs pg_dump --schema-only ({RUNS} runs each, median wall, max peak RSS)"
    );
    println!("binary: {}", schemaforge.display());
    let mut built = 0;
    for tables in SIZES {
        let setup = Instant::now();
        while built < tables {
            let count = synthetic::BATCH.min(tables - built);
            session
                .client
                .batch_execute(&synthetic::batch(built + 1, count))
                .await
                .unwrap_or_else(|e| panic!("{}", schemaforge::db::server_error::describe(&e)));
            built += count;
        }
        session.client.batch_execute("ANALYZE").await.unwrap();
        let setup = setup.elapsed();

        let read_start = Instant::now();
        let cat = schemaforge::db::catalog::read(&session.client)
            .await
            .expect("catalog read");
        let read_time = read_start.elapsed();

        let ours = measure(&schemaforge, &["inspect", "--json", "--db", &url]);
        let theirs = measure(
            &pg_dump,
            &["--schema-only", "--file", "/dev/null", "--dbname", &url],
        );
        let ratio = ours.wall.as_secs_f64() / theirs.wall.as_secs_f64();
        println!();
        println!(
            "{tables} tables ({} relations in the catalog; schema built in {:.1} s)",
            cat.tables.len(),
            setup.as_secs_f64()
        );
        println!(
            "  schemaforge inspect --json  {:>8.3} s  {:>10}",
            ours.wall.as_secs_f64(),
            mb(ours.peak_rss_kb)
        );
        println!(
            "  pg_dump --schema-only       {:>8.3} s  {:>10}",
            theirs.wall.as_secs_f64(),
            mb(theirs.peak_rss_kb)
        );
        println!(
            "  wall-time ratio (inspect / pg_dump): {:.1}%",
            ratio * 100.0
        );
        if let (Some(a), Some(b)) = (ours.peak_rss_kb, theirs.peak_rss_kb) {
            println!(
                "  peak-memory ratio (inspect / pg_dump): {:.1}%",
                a as f64 / b as f64 * 100.0
            );
        }
        println!(
            "  schemaforge::db::catalog::read in process: {:.3} s, {} round trip(s), {} statements",
            read_time.as_secs_f64(),
            cat.stats.round_trips,
            cat.stats.statements
        );
    }
    session.close().await;
    tokio::task::spawn_blocking(move || sandbox.stop())
        .await
        .ok();
}
