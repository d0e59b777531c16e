//! Saved connections through the real binary: `connections add` keeps where to connect in
//! config.toml and never the password; `--connection NAME` connects with the password from
//! PGPASSWORD; no file schemaforge writes holds the password.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{assert_success, cluster, test_db};

/// A home of the test's own: config and data directories under it, no PG* variables.
struct Home(PathBuf);

impl Home {
    fn new(label: &str) -> Home {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-home-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn run(&self, args: &[&str], password: Option<&str>) -> Output {
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
            .args(args);
        if let Some(pw) = password {
            command.env("PGPASSWORD", pw);
        }
        command.output().expect("run schemaforge")
    }

    fn config_file(&self) -> PathBuf {
        self.0.join("config/schemaforge/config.toml")
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
        {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn a_saved_connection_connects_without_ever_storing_the_password() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    db.batch_execute("CREATE TABLE saved_here (id bigint PRIMARY KEY)")
        .await
        .unwrap();
    let home = Home::new("saved");

    let out = home.run(&["connections", "add", "work", "--db", &url], None);
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("password"),
        "says the password was not saved: {stderr}"
    );
    assert!(!stderr.contains(&password), "{stderr}");
    let config = std::fs::read_to_string(home.config_file()).unwrap();
    assert!(config.contains("[connections.work]"), "{config}");
    assert!(config.contains("127.0.0.1"), "{config}");
    assert!(config.contains(&db.name), "{config}");

    let list = home.run(&["connections", "list"], None);
    assert_success(&list);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.starts_with("work\t"), "{listed}");
    assert!(listed.contains(&db.name), "{listed}");

    let out = home.run(
        &["--connection", "work", "inspect", "--json"],
        Some(&password),
    );
    assert_success(&out);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("saved_here"), "{json}");

    // Without PGPASSWORD the server refuses: the password really is not in config.toml.
    let out = home.run(&["inspect", "--json", "--connection", "work"], None);
    assert_ne!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&password));

    let out = home.run(&["--connection", "nowhere", "inspect"], Some(&password));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nowhere") && stderr.contains("work"),
        "{stderr}"
    );

    assert_eq!(files_containing(&home.0, &password), Vec::<PathBuf>::new());
}

#[test]
fn a_broken_config_names_its_file_and_line_and_a_password_is_refused() {
    let home = Home::new("broken");
    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        home.config_file(),
        "[connections.work]\nhost = \"h\"\npassword = \"hunter2\"\n",
    )
    .unwrap();
    let out = home.run(&["--connection", "work", "inspect"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml:3:"), "{stderr}");
    assert!(
        stderr.contains("passwords never go in config.toml"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");

    std::fs::write(home.config_file(), "[connections.work]\nhots = \"h\"\n").unwrap();
    let out = home.run(&["connections", "list"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml:2:") && stderr.contains("hots"),
        "{stderr}"
    );
}

#[test]
fn the_readme_example_config_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### Saved connections").expect("the section")..];
    let start = section.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let config = schemaforge::config::Config::parse(example, "README.md").unwrap();
    let names: Vec<&str> = config.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["local", "prod"]);
    assert_eq!(
        config.connection("prod").unwrap().sslmode,
        Some(schemaforge::db::SslMode::VerifyFull)
    );
}
