//! The real binary in a pseudo-terminal: whatever ends the TUI (a signal from outside,
//! Ctrl-C typed whatever the config says), the terminal is given back — the alternate
//! screen left, the cursor shown, mouse capture and raw mode off — and nothing the session
//! writes holds the password.

mod common;
mod pty_support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use common::{cluster, test_db};
use pty_support::{InPty, files, home};

#[tokio::test]
async fn every_stop_signal_restores_the_terminal() {
    let db = test_db().await;
    for signal in [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGINT] {
        let home = home("signal");
        let mut tui = InPty::start(&["--db", &db.url], &home);
        tui.wait_for_the_screen();
        let started = Instant::now();
        kill(Pid::from_raw(tui.child.id() as i32), signal).unwrap();
        let code = tui.exit_within(Duration::from_secs(5));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{signal} took {:?}",
            started.elapsed()
        );
        // Not killed by the signal (that would leave the terminal raw): it exits itself.
        assert_eq!(code, Some(1), "{signal}: {}", tui.text());
        tui.assert_restored();
        assert!(
            tui.text().contains(&format!("stopped by {signal}")),
            "{}",
            tui.text()
        );
        std::fs::remove_dir_all(home).unwrap();
    }
}

#[tokio::test]
async fn ctrl_c_typed_quits_even_when_the_config_moved_quit() {
    let db = test_db().await;
    let home = home("ctrl-c");
    std::fs::create_dir_all(home.join("config/schemaforge")).unwrap();
    std::fs::write(
        home.join("config/schemaforge/config.toml"),
        "[keys.global]\nquit = [\"ctrl-q\"]\n",
    )
    .unwrap();
    let mut tui = InPty::start(&["--db", &db.url], &home);
    tui.wait_for_the_screen();
    tui.type_bytes(b"\x03");
    assert_eq!(tui.exit_within(Duration::from_secs(5)), Some(0));
    tui.assert_restored();
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn a_config_without_a_quit_key_is_refused_with_its_line() {
    let home = home("lock-in");
    let config = home.join("config/schemaforge/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "theme = \"dark\"\n\n[keys.global]\nquit = []\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["--db", "postgresql://nobody@127.0.0.1:1/none"])
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:4: keys.global.quit = []: leaves quit without a key",
            config.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn a_broken_draft_is_moved_aside_and_the_tui_says_where() {
    let db = test_db().await;
    let home = home("broken-draft");
    let connection = common::target(&db.url).describe();
    let drafts = home.join("data/schemaforge/drafts");
    std::fs::create_dir_all(&drafts).unwrap();
    let draft = drafts.join(schemaforge::tui::draft::file_name(&connection));
    let truncated = &include_str!("../assets/examples/todos.json")[..200];
    std::fs::write(&draft, truncated).unwrap();
    let mut tui = InPty::start_wide(&["--db", &db.url], &home, 400);
    tui.wait_for_the_screen();
    let aside: Vec<PathBuf> = files(&drafts).into_iter().map(|(p, _)| p).collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.contains(".corrupt-"), "{name}");
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), truncated);
    tui.wait_for(&name);
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(10)), Some(0));
    tui.assert_restored();
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn a_tui_session_with_a_password_writes_it_nowhere() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    assert!(password.len() >= 8);
    let url = sandbox.tcp_url(&db.name);
    assert!(url.contains(&password), "the URL carries the password");
    let home = home("secrets");
    std::fs::create_dir_all(home.join("config/schemaforge")).unwrap();
    std::fs::write(
        home.join("config/schemaforge/config.toml"),
        "theme = \"light\"\n",
    )
    .unwrap();
    let design = home.join("todos.json");
    std::fs::write(&design, include_str!("../assets/examples/todos.json")).unwrap();
    let mut tui = InPty::start(&["--db", &url, "--design", design.to_str().unwrap()], &home);
    tui.wait_for_the_screen();
    // Walk the phases and the preview, then quit.
    tui.type_bytes(b"]]]]]]");
    tui.wait_for("todos");
    let drafts = home.join("data/schemaforge/drafts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while files(&home.join("data")).is_empty() {
        assert!(Instant::now() < deadline, "no draft was written");
        std::thread::sleep(Duration::from_millis(50));
    }
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(10)), Some(0));
    tui.assert_restored();

    let written = files(&home);
    assert!(
        written.iter().any(|(p, _)| p.starts_with(&drafts)),
        "the draft is under {}: {written:?}",
        drafts.display()
    );
    for (path, bytes) in &written {
        assert!(
            !String::from_utf8_lossy(bytes).contains(&password),
            "{} holds the password",
            path.display()
        );
        assert!(
            !path.to_string_lossy().contains(&password),
            "{} names the password",
            path.display()
        );
    }
    assert!(
        !tui.text().contains(&password),
        "the terminal was shown the password"
    );
    std::fs::remove_dir_all(home).unwrap();
}

/// Ctrl-C at `apply`'s prompt (before anything is sent) says so instead of dying silently.
#[tokio::test]
async fn ctrl_c_at_the_apply_prompt_says_nothing_was_applied() {
    let db = test_db().await;
    let home = home("apply-prompt");
    std::fs::create_dir_all(&home).unwrap();
    let design = home.join("notes.json");
    std::fs::write(
        &design,
        r#"{"tables": [{"name": "notes", "fields": [{"name": "body", "type": "singleLineText"}]}]}"#,
    )
    .unwrap();
    let mut apply = InPty::start(&["apply", "--db", &db.url, design.to_str().unwrap()], &home);
    apply.wait_for("type `apply`");
    apply.type_bytes(b"\x03");
    assert_eq!(
        apply.exit_within(Duration::from_secs(5)),
        Some(1),
        "{}",
        apply.text()
    );
    assert!(
        apply.text().contains("cancelled; nothing was applied"),
        "{}",
        apply.text()
    );
    let exists = common::scalar(&db, "SELECT to_regclass('public.notes')::text").await;
    assert_eq!(exists, None, "nothing was created");
    std::fs::remove_dir_all(home).unwrap();
}

/// Started with nowhere to connect, the TUI offers the saved connections; the picked one
/// connects with the password from ~/.pgpass, and neither config.toml nor the draft holds it.
#[tokio::test]
async fn the_picker_connects_to_a_saved_connection_and_stores_no_password() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = home("picker");
    let config_dir = home.join("config/schemaforge");
    let saved =
        schemaforge::connections::SavedConnection::from_target("work", &common::target(&url));
    schemaforge::connections::save(&config_dir, &saved).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:*:{password}\n")).unwrap();
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let design = home.join("todos.json");
    std::fs::write(&design, include_str!("../assets/examples/todos.json")).unwrap();

    let mut tui = InPty::start(&["--design", design.to_str().unwrap()], &home);
    // Words are drawn one cursor move apart.
    tui.wait_for("Connect");
    tui.wait_for("work");
    tui.wait_for("postgres@127.0.0.1");
    tui.type_bytes(b"\r");
    // The TUI proper: a second alternate screen, with its status line.
    tui.wait_for_screen(2, "quit", Duration::from_secs(60));
    tui.type_bytes(b"]]]]]]");
    tui.wait_for("todos");
    let deadline = Instant::now() + Duration::from_secs(30);
    while files(&home.join("data")).is_empty() {
        assert!(Instant::now() < deadline, "no draft was written");
        std::thread::sleep(Duration::from_millis(50));
    }
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(10)), Some(0));
    tui.assert_restored();

    let written = files(&home);
    assert!(written.iter().any(|(p, _)| p.ends_with("config.toml")));
    assert!(
        written
            .iter()
            .any(|(p, _)| p.starts_with(home.join("data")))
    );
    for (path, bytes) in written.iter().filter(|(p, _)| *p != pgpass) {
        assert!(
            !String::from_utf8_lossy(bytes).contains(&password),
            "{} holds the password",
            path.display()
        );
    }
    assert!(
        !tui.text().contains(&password),
        "the terminal was shown the password"
    );
    std::fs::remove_dir_all(home).unwrap();
}

/// With nothing saved, the picker still appears: a connection typed there is saved in
/// config.toml (without a password) and connects; the password comes from ~/.pgpass.
#[tokio::test]
async fn a_connection_typed_in_the_picker_is_saved_and_connects() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox
        .tcp_url(&db.name)
        .replace(&format!(":{password}@"), "@");
    let home = home("picker-new");
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:*:{password}\n")).unwrap();
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    let mut tui = InPty::start(&[], &home);
    tui.wait_for("sandbox");
    tui.wait_for("new connection");
    tui.type_bytes(b"n");
    tui.wait_for("New connection");
    tui.type_bytes(b"typed\t");
    tui.type_bytes(url.as_bytes());
    tui.type_bytes(b"\r");
    tui.wait_for("Enter connects");
    let config = std::fs::read_to_string(home.join("config/schemaforge/config.toml")).unwrap();
    assert!(config.contains("[connections.typed]"), "{config}");
    assert!(config.contains("host = \"127.0.0.1\""), "{config}");
    assert!(!config.contains(&password), "{config}");
    tui.type_bytes(b"\r");
    tui.wait_for_screen(2, "quit", Duration::from_secs(60));
    tui.wait_for(&db.name);
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(10)), Some(0));
    tui.assert_restored();
    std::fs::remove_dir_all(home).unwrap();
}

/// The picker's sandbox row starts the same throwaway PostgreSQL as `--sandbox`.
#[test]
fn the_picker_starts_the_sandbox() {
    let home = home("picker-sandbox");
    let mut tui = InPty::start(&[], &home);
    tui.wait_for("new connection");
    tui.type_bytes(b"j\r");
    tui.wait_for_screen(2, "auth", Duration::from_secs(120));
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(30)), Some(0));
    tui.assert_restored();
    std::fs::remove_dir_all(home).unwrap();
}

/// The sandbox is new each run (another directory, another port) but its draft is not:
/// what was designed in one `--sandbox` session is offered in the next.
#[test]
fn the_sandbox_offers_the_draft_of_the_last_sandbox_session() {
    let home = home("sandbox-draft");
    let mut tui = InPty::start(&["--sandbox"], &home);
    tui.wait_for_screen(1, "quit", Duration::from_secs(120));
    tui.type_bytes(b"1a");
    tui.wait_for("New table");
    tui.type_bytes(b"Projects\r");
    let drafts = home.join("data/schemaforge/drafts");
    std::fs::create_dir_all(&drafts).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !files(&drafts).iter().any(|(p, bytes)| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("sandbox"))
            && String::from_utf8_lossy(bytes).contains("Projects")
    }) {
        assert!(Instant::now() < deadline, "no sandbox draft was written");
        std::thread::sleep(Duration::from_millis(50));
    }
    tui.type_bytes(b"q");
    assert_eq!(tui.exit_within(Duration::from_secs(30)), Some(0));

    let mut again = InPty::start(&["--sandbox"], &home);
    again.wait_for_screen(1, "Resume your draft?", Duration::from_secs(120));
    again.type_bytes(b"\r");
    again.wait_for("projects");
    again.type_bytes(b"q");
    assert_eq!(again.exit_within(Duration::from_secs(30)), Some(0));
    std::fs::remove_dir_all(home).unwrap();
}
