//! `schemaforge sandbox` as a user runs it: a URL on stdout, a working database with the
//! shim, and nothing left behind however it ends.
mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{scalar, target};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use schemaforge::db::connect;
use schemaforge::db::sandbox::Sandbox;

struct Running {
    child: Child,
    url: String,
    dir: PathBuf,
    server_pid: i32,
}

/// Starts the real binary and reads its URL and data directory.
fn start_sandbox_command() -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .arg("sandbox")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the URL should come within seconds (took {:?})",
        started.elapsed()
    );
    let mut note = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut note)
        .unwrap();
    let dir = note
        .split("data in ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("stderr names the data directory: {note:?}"));
    let pid_file = std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap();
    let server_pid = pid_file.lines().next().unwrap().trim().parse().unwrap();
    Running {
        child,
        url: url.trim().to_owned(),
        dir,
        server_pid,
    }
}

fn alive(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_ok()
}

/// Waits for the directory and the server process to disappear.
fn assert_cleaned_up(dir: &std::path::Path, server_pid: i32, within: Duration) {
    let deadline = Instant::now() + within;
    while (dir.exists() || alive(server_pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dir.exists(), "{} should be removed", dir.display());
    assert!(
        !alive(server_pid),
        "the server (pid {server_pid}) should be stopped"
    );
}

async fn check_usable(url: &str) {
    assert!(
        url.starts_with("postgres://postgres@/postgres?host=/"),
        "{url}"
    );
    let session = connect(&target(url)).await.unwrap();
    let user = "11111111-2222-4333-8444-555555555555";
    session
        .client
        .batch_execute(&format!(
            "SET ROLE authenticated; SELECT set_config('request.jwt.claims', '{{\"sub\":\"{user}\"}}', false)"
        ))
        .await
        .unwrap();
    assert_eq!(
        scalar(&session.client, "SELECT auth.uid()")
            .await
            .as_deref(),
        Some(user)
    );
}

#[tokio::test]
async fn sigterm_stops_the_sandbox_and_removes_everything() {
    let mut running = start_sandbox_command();
    check_usable(&running.url).await;
    kill(Pid::from_raw(running.child.id() as i32), Signal::SIGTERM).unwrap();
    let status = running.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert_cleaned_up(&running.dir, running.server_pid, Duration::from_secs(5));
}

#[tokio::test]
async fn ctrl_c_stops_the_sandbox_and_removes_everything() {
    let mut running = start_sandbox_command();
    check_usable(&running.url).await;
    kill(Pid::from_raw(running.child.id() as i32), Signal::SIGINT).unwrap();
    let status = running.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert_cleaned_up(&running.dir, running.server_pid, Duration::from_secs(5));
}

#[tokio::test]
async fn a_killed_sandbox_is_cleaned_up_by_its_watcher() {
    let mut running = start_sandbox_command();
    assert!(alive(running.server_pid));
    running.child.kill().unwrap(); // SIGKILL: no destructor runs
    running.child.wait().unwrap();
    assert_cleaned_up(&running.dir, running.server_pid, Duration::from_secs(25));
}

#[test]
fn dropping_or_panicking_removes_the_cluster() {
    let sandbox = Sandbox::start().unwrap();
    let dir = sandbox.dir().to_owned();
    assert!(dir.join("data/PG_VERSION").exists());
    drop(sandbox);
    assert!(!dir.exists());

    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let sandbox = Sandbox::start().unwrap();
        tx.send(sandbox.dir().to_owned()).unwrap();
        panic!("something went wrong while the sandbox ran");
    })
    .join();
    assert!(outcome.is_err());
    let dir = rx.recv().unwrap();
    assert!(!dir.exists(), "unwinding removed {}", dir.display());
}

#[test]
fn missing_server_programs_name_the_package_to_install() {
    let out = Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .arg("sandbox")
        .env("SCHEMAFORGE_PG_BIN", "/nonexistent/postgresql/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut stderr = String::new();
    out.stderr.as_slice().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    assert!(stderr.contains("brew install postgresql"), "{stderr}");
    assert!(stderr.contains("/nonexistent/postgresql/bin"), "{stderr}");
    assert!(out.stdout.is_empty());
}
