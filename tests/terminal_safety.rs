//! Nothing from a design reaches a terminal raw: errors on stderr and SQL on a terminal show
//! control characters escaped, while a pipe or a file gets the exact bytes.
mod common;

use common::test_db;

/// Sets the terminal title and overwrites the clipboard (OSC 0 and OSC 52) when printed raw.
const HOSTILE: &str = "\u{1b}]0;TITLE\u{7}\u{1b}]52;c;aGk=\u{7}";

fn scratch(name: &str, design: &serde_json::Value) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-terminal-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.json");
    std::fs::write(&file, design.to_string()).unwrap();
    file
}

fn has_raw_controls(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| *b == 0x1b || *b == 0x07)
}

/// Runs the binary with stdout and stderr on a pseudo-terminal (util-linux `script`).
fn on_a_terminal(url: &str, args: &[&str]) -> std::process::Output {
    let mut command = format!("'{}' --db '{url}'", env!("CARGO_BIN_EXE_schemaforge"));
    for arg in args {
        command.push_str(&format!(" '{arg}'"));
    }
    std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script")
}

fn todo_design(description: &str, default: &str) -> serde_json::Value {
    serde_json::json!({
        "tables": [{
            "name": "notes",
            "description": description,
            "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true,
                 "options": {"default": default}}
            ]
        }]
    })
}

#[tokio::test]
async fn a_hostile_field_type_is_shown_escaped_in_the_error() {
    let db = test_db().await;
    let design = serde_json::json!({
        "tables": [{
            "name": "notes",
            "fields": [{"name": "title", "type": format!("bogus{HOSTILE}"), "is_primary": true}]
        }]
    });
    let file = scratch("type", &design);
    let out = common::cli(&db.url, &["plan", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!has_raw_controls(&out.stderr), "{:?}", out.stderr);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bogus\\u{1b}]0;TITLE\\u{7}"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn sql_is_exact_on_a_pipe_and_escaped_on_a_terminal() {
    let db = test_db().await;
    let description = format!("before{HOSTILE}after");
    let default = format!("x{HOSTILE}y");
    let file = scratch("sql", &todo_design(&description, &default));
    let path = file.to_str().unwrap();

    let piped = common::cli(&db.url, &["plan", path]);
    common::assert_success(&piped);
    let sql = String::from_utf8(piped.stdout).unwrap();
    assert!(sql.contains(&description), "the pipe gets the exact bytes");
    assert!(sql.contains(&default), "the pipe gets the exact bytes");

    let out_file = file.with_file_name("saved.sql");
    let saved = common::cli(
        &db.url,
        &["plan", path, "--out", out_file.to_str().unwrap()],
    );
    common::assert_success(&saved);
    let saved = std::fs::read_to_string(&out_file).unwrap();
    assert!(saved.contains(&description) && saved.contains(&default));

    let shown = on_a_terminal(&db.url, &["plan", path]);
    assert_eq!(shown.status.code(), Some(0), "{shown:?}");
    assert!(
        !has_raw_controls(&shown.stdout),
        "{:?}",
        String::from_utf8_lossy(&shown.stdout)
    );
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("before\\u{1b}]0;TITLE\\u{7}"), "{text}");
    assert!(text.contains("BEGIN;"), "{text}");
}

#[tokio::test]
async fn a_server_error_quoting_a_hostile_default_is_escaped() {
    let db = test_db().await;
    let design = serde_json::json!({
        "tables": [{
            "name": "notes",
            "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true}
            ],
            "rls_enabled": true,
            "rls_policies": [{"name": "p", "operation": "SELECT",
                              "using_expression": format!("title = = 'x{HOSTILE}'")}]
        }]
    });
    let file = scratch("server", &design);
    let out = common::cli(&db.url, &["apply", file.to_str().unwrap(), "--yes"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        !has_raw_controls(&out.stderr),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!has_raw_controls(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("syntax error"), "{stderr}");
    assert!(stderr.contains("'x\\u{1b}]0;TITLE\\u{7}"), "{stderr}");
}
