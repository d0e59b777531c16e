//! The log file through the real binary: `--log-level debug` writes every statement with its
//! duration to `<data dir>/schemaforge.log`, never the password; `--log-level off` writes nothing.
mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{assert_success, cluster, test_db};

/// A home of the test's own, so the data directory (and its log) is the test's.
struct Home(PathBuf);

impl Home {
    fn new(label: &str) -> Home {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-logs-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn run(&self, args: &[&str], password: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schemaforge"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PG") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command
            .env("HOME", &self.0)
            .env("XDG_CONFIG_HOME", self.0.join("config"))
            .env("XDG_DATA_HOME", self.0.join("data"))
            .env("PGPASSWORD", password)
            .args(args)
            .output()
            .expect("run schemaforge")
    }

    fn log(&self) -> Option<String> {
        std::fs::read_to_string(self.0.join("data/schemaforge/schemaforge.log")).ok()
    }

    fn design(&self, table: &str) -> String {
        let file = self.0.join(format!("{table}.json"));
        std::fs::write(
            &file,
            serde_json::json!({"tables": [{"name": table, "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true}
            ]}]})
            .to_string(),
        )
        .unwrap();
        file.to_str().unwrap().to_owned()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn debug_logs_each_statement_with_its_duration_and_never_the_password() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("debug");
    let design = home.design("logged_notes");

    let out = home.run(
        &[
            "--log-level",
            "debug",
            "--db",
            &url,
            "apply",
            &design,
            "--yes",
        ],
        &password,
    );
    assert_success(&out);

    let log = home
        .log()
        .expect("the log file exists in the data directory");
    let created = log
        .lines()
        .find(|l| l.contains("CREATE TABLE") && l.contains("logged_notes"))
        .unwrap_or_else(|| panic!("the CREATE TABLE statement is logged:\n{log}"));
    assert!(created.contains("DEBUG"), "{created}");
    assert!(created.contains("duration_ms="), "{created}");
    assert!(created.contains("outcome=\"ok\""), "{created}");
    assert!(log.contains("connected"), "{log}");
    assert!(
        log.contains(&db.name),
        "the connect line names the database: {log}"
    );
    assert!(log.contains("bundle applied"), "{log}");
    assert!(log.contains("catalog batch"), "{log}");
    assert!(
        !log.contains(&password),
        "the password is never logged:\n{log}"
    );
    assert!(!log.contains('\u{1b}'), "no ANSI colours in the file");
}

#[tokio::test]
async fn log_level_off_writes_nothing() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("off");
    let design = home.design("unlogged_notes");

    let out = home.run(
        &[
            "--log-level",
            "off",
            "--db",
            &url,
            "apply",
            &design,
            "--yes",
        ],
        &password,
    );
    assert_success(&out);
    assert_eq!(home.log().unwrap_or_default(), "", "nothing is logged");
}
