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
//! For each size it also times, in process, the stages of reading: the names alone (what
//! the tree needs), the whole catalog, and the re-read after a one-table apply (the table
//! and its foreign-key neighbours); and, on a pseudo-terminal (`script`), how long
//! schemaforge's TUI and the peer TUI rainfrog (if `RAINFROG=/path/to/rainfrog` is set or it
//! is on PATH) take to show the first table name.
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

/// Median of `RUNS` timings of an async step.
async fn median<F, Fut, T>(mut step: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut walls = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(step().await);
        walls.push(start.elapsed());
    }
    walls.sort();
    walls[RUNS / 2]
}

/// How long a TUI takes, on a 160×50 pseudo-terminal, until `marker` is on its screen;
/// `None` if it never shows it within 30 s (or cannot be started).
fn time_to_screen(command: &str, marker: &str) -> Option<Duration> {
    use std::io::Read;
    let mut child = Command::new("script")
        .args([
            "-qfec",
            &format!("stty cols 160 rows 50; exec {command}"),
            "/dev/null",
        ])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    let mut out = child.stdout.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.as_bytes().to_vec();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(marker.len()).any(|w| w == marker.as_slice()) {
                let _ = tx.send(start.elapsed());
                return;
            }
        }
    });
    let shown = rx.recv_timeout(Duration::from_secs(30)).ok();
    let _ = child.kill();
    let _ = child.wait();
    shown
}

/// Median of `RUNS` [`time_to_screen`]s; `None` if any run never showed the marker.
fn median_to_screen(command: &str, marker: &str) -> Option<Duration> {
    let mut walls = Vec::new();
    for _ in 0..RUNS {
        walls.push(time_to_screen(command, marker)?);
    }
    walls.sort();
    Some(walls[RUNS / 2])
}

fn rainfrog() -> Option<PathBuf> {
    std::env::var_os("RAINFROG").map(PathBuf::from).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("rainfrog"))
                .find(|p| p.exists())
        })
    })
}

fn mb(kb: Option<u64>) -> String {
    kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0))
        .unwrap_or_else(|| "n/a".into())
}

/// The TUI's first read, in process: when the tree can be drawn (the names), when the
/// selected table's details are in, and when the catalog is complete; the one-piece read
/// after the names (as before staged loading) against the staged read.
async fn first_read(client: &tokio_postgres::Client) {
    use schemaforge::db::catalog::{ReadOptions, read_names, read_with};
    use schemaforge::db::staged_read::{Staged, read_staged};
    let options = ReadOptions::default();
    let mut one_piece = Vec::new();
    let mut staged = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(read_names(client, &options).await.unwrap());
        let tree = start.elapsed();
        std::hint::black_box(read_with(client, &options).await.unwrap());
        let whole = start.elapsed();
        one_piece.push((tree, whole, whole));

        // The tree selects the first table in name order; the TUI asks for it on the names.
        let (first, mut wanted) = tokio::sync::mpsc::unbounded_channel();
        first
            .send(Some(("public".to_owned(), "t1".to_owned())))
            .unwrap();
        let start = Instant::now();
        let (mut tree, mut selected) = (None, None);
        let catalog = read_staged(client, &options, &mut wanted, |stage| match stage {
            Staged::Names(_) => tree = Some(start.elapsed()),
            Staged::Details { progress, .. } => {
                if selected.is_none() && !progress.read_first.is_empty() {
                    selected = Some(start.elapsed());
                }
            }
        })
        .await
        .unwrap();
        let whole = start.elapsed();
        std::hint::black_box(catalog);
        staged.push((tree.unwrap(), selected.unwrap_or(whole), whole));
    }
    for (label, mut runs) in [
        ("names, then one piece (before)", one_piece),
        ("staged (after)               ", staged),
    ] {
        let mid = |f: fn(&(Duration, Duration, Duration)) -> Duration,
                   runs: &mut Vec<(Duration, Duration, Duration)>| {
            runs.sort_by_key(f);
            f(&runs[RUNS / 2]).as_secs_f64()
        };
        println!(
            "  first read, {label}: tree {:.3} s · selected table's details {:.3} s · complete {:.3} s",
            mid(|r| r.0, &mut runs),
            mid(|r| r.1, &mut runs),
            mid(|r| r.2, &mut runs)
        );
    }
}

/// The staged reads in process: names only, and the re-read after a one-table apply.
async fn stages(
    client: &tokio_postgres::Client,
    before: &schemaforge::catalog::Catalog,
    tables: usize,
) {
    use schemaforge::catalog::change::ColumnDef;
    use schemaforge::catalog::{Change, QualifiedName};
    use schemaforge::db::catalog::{ReadOptions, read_names, reread_tables};
    let options = ReadOptions::default();
    let names = median(|| read_names(client, &options)).await;
    println!(
        "  names only (schemas, tables, RLS flags, row estimates): {:.3} s",
        names.as_secs_f64()
    );
    let table = format!("t{}", tables / 2);
    let column = format!("added_{tables}");
    client
        .batch_execute(&format!(
            "ALTER TABLE public.{table} ADD COLUMN {column} int"
        ))
        .await
        .unwrap();
    let changes = vec![Change::AddColumn {
        table: QualifiedName {
            schema: "public".into(),
            name: table.clone(),
        },
        column: ColumnDef {
            name: column,
            sql_type: "int".into(),
            data_type: "integer".into(),
            default: None,
            generated: None,
            not_null: false,
            constraints: Vec::new(),
        },
    }];
    let touched = schemaforge::catalog::reread::touched_tables(&changes, before);
    // The catalog read before moves into the re-read (as in the TUI); the copy each run
    // starts from is made before its clock starts.
    let mut walls = Vec::new();
    let (mut kept_digests, mut scratch) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let kept = before.clone();
        // The TUI planned against the catalog before the apply: its fingerprint is taken.
        std::hint::black_box(schemaforge::catalog::fingerprint(&kept));
        let start = Instant::now();
        let merged = reread_tables(client, &options, kept, &touched)
            .await
            .unwrap();
        walls.push(start.elapsed());
        // Re-planning takes the merged catalog's fingerprint: the kept tables' digests
        // are reused; a copy remembers nothing and computes it from scratch.
        let start = Instant::now();
        let incremental = schemaforge::catalog::fingerprint(&merged);
        kept_digests.push(start.elapsed());
        let copy = merged.clone();
        let start = Instant::now();
        assert_eq!(schemaforge::catalog::fingerprint(&copy), incremental);
        scratch.push(start.elapsed());
        // Dropped off the clock: the TUI keeps the result.
        drop(std::hint::black_box(merged));
    }
    kept_digests.sort();
    scratch.sort();
    println!(
        "  fingerprint after the re-read: {:.3} s with the kept tables' digests, {:.3} s from scratch",
        kept_digests[RUNS / 2].as_secs_f64(),
        scratch[RUNS / 2].as_secs_f64()
    );
    walls.sort();
    let reread = walls[RUNS / 2];
    println!(
        "  re-read after a one-table apply ({} tables with neighbours): {:.3} s",
        touched.len(),
        reread.as_secs_f64()
    );
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
    // `SCHEMAFORGE_BENCH_SIZES=5000` runs one size only.
    let sizes: Vec<usize> = std::env::var("SCHEMAFORGE_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| SIZES.to_vec());
    for tables in sizes {
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
        first_read(&session.client).await;
        stages(&session.client, &cat, tables).await;
        // The first table in name order: both TUIs list tables sorted by name.
        let marker = "t1 ";
        let ours = median_to_screen(&format!("{} --db '{url}'", schemaforge.display()), marker);
        println!(
            "  schemaforge TUI: first table name on screen  {}",
            ours.map(|d| format!("{:.3} s", d.as_secs_f64()))
                .unwrap_or_else(|| "not seen in 30 s".into())
        );
        // The selected (first) table's primary key: in the detail pane once its details are in.
        let details = median_to_screen(
            &format!("{} --db '{url}'", schemaforge.display()),
            "t1_pkey",
        );
        println!(
            "  schemaforge TUI: selected table's details on screen  {}",
            details
                .map(|d| format!("{:.3} s", d.as_secs_f64()))
                .unwrap_or_else(|| "not seen in 30 s".into())
        );
        match rainfrog() {
            Some(peer) => {
                // rainfrog opens on the first schema in name order, `auth` (the shim's),
                // and lists its tables there: `sessions` is the first of them.
                let theirs = median_to_screen(
                    &format!("{} --url '{}'", peer.display(), sandbox.tcp_url("bench")),
                    "sessions",
                );
                println!(
                    "  rainfrog: first table list on screen         {}",
                    theirs
                        .map(|d| format!("{:.3} s", d.as_secs_f64()))
                        .unwrap_or_else(|| "not seen in 30 s".into())
                );
            }
            None => println!("  rainfrog: not installed (set RAINFROG=/path/to/rainfrog)"),
        }
    }
    session.close().await;
    tokio::task::spawn_blocking(move || sandbox.stop())
        .await
        .ok();
}
