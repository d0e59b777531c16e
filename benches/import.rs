//! `cargo bench --bench import`: a 1,000,000-row, 12-column CSV loaded by `schemaforge
//! import` (analysis, CREATE TABLE and COPY in one transaction), then — into the same table,
//! emptied — by `psql \copy` and by `schemaforge import --into`, timed in the same run;
//! and the peak memory of `schemaforge import` at a tenth of the rows and at all of them
//! (flat memory: the two should be about the same).
//!
//! `SCHEMAFORGE_BENCH_ROWS=N` changes the row count. A benchmark, not a test: it prints
//! figures and fails only if something does not load.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{pg_bin, shim};

const HEADER: &str =
    "order_no,customer,email,price,quantity,ordered_on,shipped_at,paid,status,score,website,note";
const STATUSES: [&str; 5] = ["new", "paid", "packed", "shipped", "returned"];

/// `rows` records of 12 columns, as a shop's export would have them.
fn write_csv(path: &Path, rows: usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create the CSV"));
    writeln!(out, "{HEADER}").unwrap();
    for i in 1..=rows {
        writeln!(
            out,
            "{i},Customer {},user{}@example.com,{}.{:02},{},2024-{:02}-{:02},2024-{:02}-{:02} {:02}:{:02}:{:02},{},{},0.{:03},https://shop.example/p/{},\"note {i}, with a comma\"",
            i % 5000,
            i % 20000,
            i % 900 + 1,
            i % 100,
            i % 50 + 1,
            i % 12 + 1,
            i % 28 + 1,
            (i + 1) % 12 + 1,
            i % 28 + 1,
            i % 24,
            i % 60,
            (i * 7) % 60,
            if i % 3 == 0 { "true" } else { "false" },
            STATUSES[i % 5],
            i % 1000,
            i % 777,
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// Runs `program args` under `/usr/bin/time -v`: wall time and peak RSS (kB).
fn timed(program: &Path, args: &[&str]) -> (Duration, u64) {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
        .args(args)
        .output()
        .expect("run /usr/bin/time");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{stderr}",
        program.display()
    );
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (elapsed, rss)
}

fn psql(url: &str, command: &str) -> (Duration, u64) {
    let bin = pg_bin::find_bin_dir()
        .expect("PostgreSQL binaries")
        .join("psql");
    timed(
        &bin,
        &[
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            command,
        ],
    )
}

fn schemaforge(url: &str, args: &[&str]) -> (Duration, u64) {
    let mut all = vec!["--db", url, "import"];
    all.extend_from_slice(args);
    timed(Path::new(env!("CARGO_BIN_EXE_schemaforge")), &all)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let rows: usize = std::env::var("SCHEMAFORGE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("schemaforge-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("orders.csv");
    let small = dir.join("orders_tenth.csv");
    write_csv(&big, rows);
    write_csv(&small, rows / 10);
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    println!("{rows} rows, 12 columns, {:.1} MB", size as f64 / 1e6);

    let sandbox = Sandbox::start().expect("start a sandbox");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(shim::prepare_sandbox_database(&sandbox, "bench"))
        .expect("prepare the database");
    let url = sandbox.url("bench");
    let big_s = big.to_str().unwrap();
    let small_s = small.to_str().unwrap();

    let (_, rss_tenth) = schemaforge(&url, &[small_s, "--table", "orders_tenth", "--yes"]);
    let (t_create, rss_full) = schemaforge(&url, &[big_s, "--table", "orders", "--yes"]);
    let copy =
        format!("\\copy public.orders ({HEADER}) FROM '{big_s}' WITH (FORMAT csv, HEADER true)");
    let mut psql_times = Vec::new();
    let mut into_times = Vec::new();
    let mut rss_into = 0;
    for _ in 0..2 {
        psql(&url, "TRUNCATE public.orders");
        psql_times.push(psql(&url, &copy).0);
        psql(&url, "TRUNCATE public.orders");
        let (t, rss) = schemaforge(&url, &[big_s, "--into", "orders", "--yes"]);
        into_times.push(t);
        rss_into = rss_into.max(rss);
    }
    let t_psql = psql_times.iter().min().copied().unwrap();
    let t_into = into_times.iter().min().copied().unwrap();
    println!(
        "schemaforge import (analyse, CREATE TABLE, COPY): {}",
        secs(t_create)
    );
    println!(
        "schemaforge import --into the same table:       {} (best of 2)",
        secs(t_into)
    );
    println!(
        "psql \\copy into the same table:                 {} (best of 2)",
        secs(t_psql)
    );
    println!(
        "ratio to psql \\copy: {:.2}× (new table), {:.2}× (--into)",
        t_create.as_secs_f64() / t_psql.as_secs_f64(),
        t_into.as_secs_f64() / t_psql.as_secs_f64()
    );
    println!(
        "peak RSS of schemaforge import: {} kB at {} rows, {} kB at {rows} rows ({} kB with --into)",
        rss_tenth,
        rows / 10,
        rss_full,
        rss_into
    );
    let _ = std::fs::remove_dir_all(&dir);
}
