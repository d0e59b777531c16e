//! The password prompt through the real binary: on a terminal, a server that wants a password
//! none of URL, PGPASSWORD or ~/.pgpass gave is answered by asking, without echo, up to three
//! times; `-W` asks first; without a terminal nothing is asked; and what was typed is never
//! shown, logged or written anywhere.

mod common;
mod pty_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{cluster, test_db};
use pty_support::{ENTER_ALTERNATE_SCREEN, InPty, LEAVE_ALTERNATE_SCREEN, files, home};

const WRONG: &str = "not-the-password-42";

/// A database with one table, reachable over TCP where the server wants a password, and
/// its URL without one.
async fn password_server(table: &str) -> (common::TestDb, String, String) {
    let db = test_db().await;
    db.batch_execute(&format!("CREATE TABLE {table} (id bigint PRIMARY KEY)"))
        .await
        .unwrap();
    let sandbox = cluster();
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
        sandbox.port(),
        db.name
    );
    (db, url, sandbox.superuser_password().to_owned())
}

fn prompt_for(db: &common::TestDb) -> String {
    format!(
        "Password for postgres@127.0.0.1:{}/{}: ",
        cluster().port(),
        db.name
    )
}

/// Waits until `needle` has been written `times` times.
fn wait_for_count(pty: &mut InPty, needle: &str, times: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while pty.text().matches(needle).count() < times {
        if let Some(status) = pty.child.try_wait().unwrap() {
            panic!(
                "exited ({status}) before {needle:?} x{times}:\n{}",
                pty.text()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no {needle:?} x{times}:\n{}",
            pty.text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn log_of(home: &Path) -> String {
    std::fs::read_to_string(home.join("data/schemaforge/schemaforge.log")).unwrap_or_default()
}

/// Asserts no file under `home` holds `secret`, nor names it.
fn assert_written_nowhere(home: &Path, secret: &str) {
    for (path, bytes) in files(home) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "{} holds the password",
            path.display()
        );
        assert!(
            !path.to_string_lossy().contains(secret),
            "{}",
            path.display()
        );
    }
}

#[tokio::test]
async fn the_typed_password_connects_and_is_not_echoed() {
    let (db, url, password) = password_server("typed_here").await;
    let home = home("prompt-ok");
    let mut pty = InPty::start(&["--db", &url, "inspect", "--json"], &home);
    pty.wait_for(&prompt_for(&db));
    pty.type_bytes(format!("{password}\r").as_bytes());
    assert_eq!(
        pty.exit_within(Duration::from_secs(60)),
        Some(0),
        "{}",
        pty.text()
    );
    let text = pty.text();
    assert!(text.contains("\"typed_here\""), "the JSON arrived: {text}");
    assert!(!text.contains(&password), "the password was echoed: {text}");
    pty.assert_terminal_modes_restored();
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn a_refused_password_is_said_and_asked_again_and_never_logged() {
    let (db, url, password) = password_server("second_try").await;
    let home = home("prompt-retry");
    let args = ["--log-level", "debug", "--db", &url, "inspect", "--json"];
    let mut pty = InPty::start(&args, &home);
    pty.wait_for(&prompt_for(&db));
    pty.type_bytes(format!("{WRONG}\r").as_bytes());
    pty.wait_for("the password typed was refused; try again (2 attempts left)");
    wait_for_count(&mut pty, &prompt_for(&db), 2);
    pty.type_bytes(format!("{password}\r").as_bytes());
    assert_eq!(
        pty.exit_within(Duration::from_secs(60)),
        Some(0),
        "{}",
        pty.text()
    );
    let text = pty.text();
    assert!(text.contains("\"second_try\""), "{text}");
    assert!(!text.contains(&password) && !text.contains(WRONG), "{text}");

    let log = log_of(&home);
    assert!(
        log.contains("connection failed"),
        "the refusal is logged: {log}"
    );
    assert!(log.contains("connected"), "{log}");
    assert!(
        log.contains("schemaforge::sql"),
        "statements are logged: {log}"
    );
    assert_written_nowhere(&home, &password);
    assert_written_nowhere(&home, WRONG);
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn three_refused_passwords_end_with_the_connection_error() {
    let (db, url, _password) = password_server("never_reached").await;
    let home = home("prompt-3");
    let mut pty = InPty::start(&["--db", &url, "inspect", "--json"], &home);
    for attempt in 1..=3 {
        wait_for_count(&mut pty, &prompt_for(&db), attempt);
        pty.type_bytes(format!("{WRONG}\r").as_bytes());
    }
    assert_eq!(
        pty.exit_within(Duration::from_secs(60)),
        Some(1),
        "{}",
        pty.text()
    );
    let text = pty.text();
    assert_eq!(text.matches("Password for").count(), 3, "{text}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(
        text.contains("hint: the password typed was refused"),
        "{text}"
    );
    assert!(!text.contains(WRONG), "{text}");
    assert!(!text.contains("never_reached"), "{text}");
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn just_enter_gives_the_original_error() {
    let (db, url, _password) = password_server("not_asked_twice").await;
    let home = home("prompt-empty");
    let mut pty = InPty::start(&["--db", &url, "inspect", "--json"], &home);
    pty.wait_for(&prompt_for(&db));
    pty.type_bytes(b"\r");
    assert_eq!(
        pty.exit_within(Duration::from_secs(30)),
        Some(1),
        "{}",
        pty.text()
    );
    let text = pty.text();
    assert_eq!(text.matches("Password for").count(), 1, "{text}");
    assert!(
        text.contains("this server wants a password: put it in ~/.pgpass, PGPASSWORD or the URL"),
        "{text}"
    );
    std::fs::remove_dir_all(home).unwrap();
}

/// Ctrl-C at the prompt stops with a word, and gives the terminal its echo back; Ctrl-D
/// cancels like Enter.
#[tokio::test]
async fn ctrl_c_and_ctrl_d_at_the_prompt_cancel_and_restore_the_terminal() {
    let (db, url, _password) = password_server("interrupted").await;
    let home = home("prompt-ctrl-c");
    let mut pty = InPty::start(&["--db", &url, "inspect", "--json"], &home);
    pty.wait_for(&prompt_for(&db));
    pty.type_bytes(b"half\x03");
    assert_eq!(
        pty.exit_within(Duration::from_secs(10)),
        Some(1),
        "{}",
        pty.text()
    );
    assert!(
        pty.text().contains("cancelled at the password prompt"),
        "{}",
        pty.text()
    );
    pty.assert_terminal_modes_restored();

    let mut pty = InPty::start(&["--db", &url, "inspect", "--json"], &home);
    pty.wait_for(&prompt_for(&db));
    pty.type_bytes(b"\x04");
    assert_eq!(
        pty.exit_within(Duration::from_secs(10)),
        Some(1),
        "{}",
        pty.text()
    );
    assert!(
        pty.text().contains("hint: this server wants a password"),
        "{}",
        pty.text()
    );
    pty.assert_terminal_modes_restored();
    std::fs::remove_dir_all(home).unwrap();
}

/// The binary with plain pipes (as in CI), a home of its own and no PG* variables.
fn without_terminal(args: &[&str], home: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run schemaforge")
}

#[tokio::test]
async fn without_a_terminal_nothing_is_asked() {
    let (_db, url, _password) = password_server("piped").await;
    let home = home("prompt-pipes");
    let started = Instant::now();
    let out = without_terminal(&["--db", &url, "inspect", "--json"], &home);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("Password for"), "{stderr}");
    assert!(
        stderr.contains(
            "hint: this server wants a password: put it in ~/.pgpass, PGPASSWORD or the URL"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = without_terminal(&["-W", "--db", &url, "inspect", "--json"], &home);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--password needs a terminal to ask on"),
        "{stderr}"
    );
    std::fs::remove_dir_all(home).unwrap();
}

/// `-W` asks before connecting, and what is typed wins over ~/.pgpass (here a wrong one,
/// which alone would be refused).
#[tokio::test]
async fn dash_w_asks_before_any_attempt() {
    let (db, url, password) = password_server("asked_first").await;
    let home = home("prompt-w");
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:*:{WRONG}\n")).unwrap();
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let args = [
        "-W",
        "--log-level",
        "debug",
        "--db",
        &url,
        "inspect",
        "--json",
    ];
    let mut pty = InPty::start(&args, &home);
    pty.wait_for(&prompt_for(&db));
    assert!(
        log_of(&home).is_empty(),
        "nothing was tried before asking: {}",
        log_of(&home)
    );
    pty.type_bytes(format!("{password}\r").as_bytes());
    assert_eq!(
        pty.exit_within(Duration::from_secs(60)),
        Some(0),
        "{}",
        pty.text()
    );
    assert!(pty.text().contains("\"asked_first\""), "{}", pty.text());
    let log = log_of(&home);
    assert!(log.contains("connected"), "{log}");
    assert!(!log.contains("connection failed"), "{log}");
    assert!(!log.contains(&password), "{log}");
    std::fs::remove_dir_all(home).unwrap();
}

/// From the TUI's picker: the prompt is asked on the normal screen, after the picker left the
/// alternate one, and the TUI starts after; nothing under HOME holds the password.
#[tokio::test]
async fn the_picker_then_the_prompt_then_the_tui() {
    let (db, url, password) = password_server("picked").await;
    let home = home("prompt-picker");
    let saved =
        schemaforge::connections::SavedConnection::from_target("work", &common::target(&url));
    schemaforge::connections::save(&home.join("config/schemaforge"), &saved).unwrap();
    let mut tui = InPty::start(&[], &home);
    tui.wait_for("Connect");
    tui.wait_for("work");
    tui.wait_for("postgres@127.0.0.1");
    tui.type_bytes(b"\r");
    tui.wait_for(&prompt_for(&db));
    let text = tui.text();
    let left = text
        .rfind(LEAVE_ALTERNATE_SCREEN)
        .expect("the picker left its screen");
    assert!(left < text.find("Password for").unwrap(), "{text}");
    tui.type_bytes(format!("{password}\r").as_bytes());
    wait_for_count(&mut tui, ENTER_ALTERNATE_SCREEN, 2);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !after_last(&tui.text(), ENTER_ALTERNATE_SCREEN).contains("quit") {
        assert!(Instant::now() < deadline, "no TUI:\n{}", tui.text());
        std::thread::sleep(Duration::from_millis(20));
    }
    tui.type_bytes(b"q");
    assert_eq!(
        tui.exit_within(Duration::from_secs(10)),
        Some(0),
        "{}",
        tui.text()
    );
    tui.assert_restored();
    assert!(
        !tui.text().contains(&password),
        "the terminal was shown the password"
    );
    assert!(files(&home).iter().any(|(p, _)| p.ends_with("config.toml")));
    assert_written_nowhere(&home, &password);
    std::fs::remove_dir_all(home).unwrap();
}

fn after_last<'a>(text: &'a str, marker: &str) -> &'a str {
    text.rfind(marker).map_or("", |i| &text[i..])
}
