//! Passwords never reach the user's screen or the files schemaforge writes: malformed
//! connection strings (through the library and the real binary), and every command run
//! against a server that asks for a password.
mod common;

use common::{cluster, test_db};
use schemaforge::db::{ConnectTarget, Env, connect};

const PASSWORD: &str = "S3cr3t-Pw9";

/// What must never appear: the password, its distinctive halves, its percent-encoded form.
const NEEDLES: &[&str] = &["S3cr3t", "Pw9", "%53%33%63%72%33%74", "S3cr3t%2D"];

fn malformed() -> Vec<String> {
    let pw = PASSWORD;
    let encoded: String = pw.bytes().map(|b| format!("%{b:02X}")).collect();
    vec![
        format!("postgres//user:{pw}@host/db"),
        format!("postgresql//user:{pw}@host/db"),
        format!("postgres:/user:{pw}@host/db"),
        format!("mysql://user:{pw}@h/db"),
        format!("mongodb+srv://user:{pw}@cluster0.example.net/db"),
        format!("jdbc:postgresql://h/db?user=u&password={pw}"),
        pw.to_string(),
        format!("  {pw}  "),
        "postgres://u:S3cr3t@Pw9@127.0.0.1:1/db".into(),
        "postgres://u:S3cr3t@Pw9@127.0.0.1:1/db?sslmode=disable".into(),
        "postgres://u:S3cr3t%2DPw9@127.0.0.1:1/db".into(),
        format!("postgres://u:{encoded}@127.0.0.1:1/db"),
        format!("postgres://u:{pw}@127.0.0.1:notaport/db"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?sslmode=bogus"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?unknown_thing=1"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?{pw}"),
        format!("postgres://u:{pw}"),
        format!("postgres://u:{pw}/db"),
        "postgres://u:S3cr3t/Pw9@127.0.0.1:1/db".into(),
        "postgres://u:S3cr3t?Pw9@127.0.0.1:1/db".into(),
        "postgres://u:S3cr3t#Pw9@127.0.0.1:1/db".into(),
        "postgres://u:S3cr3t:Pw9@127.0.0.1:1/db".into(),
        "postgres://u:S3cr3t%zzPw9@127.0.0.1:1/db".into(),
        format!("postgres://u:{pw}@[::1/db"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?connect_timeout=abc"),
        format!("postgres://u:{pw}@127.0.0.1:1/db extra words"),
        format!("host=127.0.0.1 port=1 password={pw}"),
        format!("host=127.0.0.1 port=x password={pw}"),
        format!("host=127.0.0.1 password='{pw}"),
        "host=127.0.0.1 password = 'S3cr3t Pw9' port=bad".into(),
        format!("host=127.0.0.1 {pw}"),
        format!("host=127.0.0.1 password={pw} sslmode=nope"),
        format!("host=127.0.0.1 password={pw} bogus_key=1"),
        format!("host=127.0.0.1 {pw}=1"),
        format!("user:{pw}@host/db"),
        format!("u:{pw}@127.0.0.1"),
        format!("password={pw} port=1 host=127.0.0.1"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?sslmode=verify-ca"),
        format!("postgres://u:{pw}@127.0.0.1:1/db?sslrootcert=/nonexistent&sslmode=verify-full"),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for needle in NEEDLES {
        assert!(
            !text.contains(needle),
            "{what}: {needle:?} shown in:\n{text}"
        );
    }
}

#[tokio::test]
async fn malformed_connection_strings_never_show_the_password_in_the_library() {
    let strings = malformed();
    assert!(strings.len() >= 30);
    for text in &strings {
        match ConnectTarget::resolve(Some(text), &Env::default()) {
            Err(e) => assert_no_secret(text, &e.to_string()),
            Ok(target) => {
                assert_no_secret(text, &format!("{target:?} {}", target.describe()));
                assert_no_secret(text, &target.notes.join("\n"));
                if let Err(e) = connect(&target).await {
                    assert_no_secret(text, &e.to_string());
                }
            }
        }
    }
}

#[test]
fn malformed_connection_strings_never_show_the_password_through_the_binary() {
    let home =
        std::env::temp_dir().join(format!("schemaforge-secrets-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    for text in malformed() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("USER", "tester")
            .env("PGCONNECT_TIMEOUT", "2")
            .args(["inspect", "--db", &text])
            .output()
            .expect("run schemaforge");
        assert_ne!(out.status.code(), Some(0), "{text}");
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!shown.trim().is_empty(), "{text}: an error is shown");
        assert_no_secret(&text, &shown);
    }
}

#[test]
fn a_bare_password_is_called_not_a_connection_string() {
    let err = ConnectTarget::resolve(Some(PASSWORD), &Env::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("does not look like a connection string"),
        "{text}"
    );
    let err = ConnectTarget::resolve(Some("postgres://u:S3cr3t@Pw9@h/db"), &Env::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("%40"), "{err}");
    let err = ConnectTarget::resolve(Some("mysql://u:S3cr3t@h/db"), &Env::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("mysql:// URL is not a PostgreSQL"), "{err}");
}

/// Every command, against a server that asks for the password over TCP: what they print and
/// what they write holds no trace of it.
#[tokio::test]
async fn no_command_shows_or_writes_the_password() {
    let db = test_db().await;
    let role = format!("secret_{}", db.name);
    db.batch_execute(&format!(
        "CREATE ROLE \"{role}\" LOGIN SUPERUSER PASSWORD '{PASSWORD}'"
    ))
    .await
    .unwrap();
    let port = cluster().port();
    let url = format!(
        "postgres://{role}:{PASSWORD}@127.0.0.1:{port}/{}?sslmode=disable",
        db.name
    );
    let wrong = url.replace(PASSWORD, "Wr0ng-S3cr3t-Pw9");
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-secrets-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let examples = format!("{}/assets/examples", env!("CARGO_MANIFEST_DIR"));
    let todos = format!("{examples}/todos.json");
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&todos)
            .unwrap()
            .replace("created_by = auth.uid()", "created_by = = auth.uid()"),
    )
    .unwrap();
    let saved = dir.join("todos.plan");
    let export = dir.join("supabase");
    let (saved_s, export_s, broken_s) = (
        saved.to_str().unwrap(),
        export.to_str().unwrap(),
        broken.to_str().unwrap(),
    );

    let runs: Vec<(&str, Vec<&str>, Option<i32>)> = vec![
        ("connect + inspect", vec!["inspect"], Some(0)),
        ("failed connect", vec!["inspect"], None),
        ("inspect --json", vec!["inspect", "--json"], Some(0)),
        ("plan", vec!["plan", &todos], Some(0)),
        (
            "plan --out",
            vec!["plan", &todos, "--out", saved_s],
            Some(0),
        ),
        ("lint design", vec!["lint", &todos], None),
        ("export", vec!["export", &todos, "--out", export_s], Some(0)),
        ("failed apply", vec!["apply", broken_s, "--yes"], Some(1)),
        ("apply", vec!["apply", &todos, "--yes"], Some(0)),
        (
            "stale apply --plan",
            vec!["apply", "--plan", saved_s, "--yes"],
            Some(3),
        ),
        ("lint", vec!["lint"], None),
    ];
    for (what, args, expected) in runs {
        let target = if what == "failed connect" {
            &wrong
        } else {
            &url
        };
        let out = common::cli(target, &args);
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(code) = expected {
            assert_eq!(out.status.code(), Some(code), "{what}: {shown}");
        }
        if what == "failed connect" {
            assert!(shown.contains("password authentication failed"), "{shown}");
        }
        assert_no_secret(what, &shown);
        if !what.contains("connect") {
            continue;
        }
        // The same through DATABASE_URL instead of --db.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
            .env("DATABASE_URL", target)
            .args(["inspect"])
            .output()
            .unwrap();
        assert_no_secret(what, &String::from_utf8_lossy(&out.stderr));
    }
    // The harness's own TCP URL, with the sandbox superuser's random scram password.
    let superuser = cluster().superuser_password();
    for args in [vec!["inspect"], vec!["plan", todos.as_str()], vec!["lint"]] {
        let out = common::cli(&cluster().tcp_url(&db.name), &args);
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!shown.contains(superuser), "{args:?}: {shown}");
    }
    let mut written = vec![std::fs::read_to_string(&saved).unwrap()];
    for entry in std::fs::read_dir(export.join("migrations")).unwrap() {
        written.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert_eq!(written.len(), 2, "the plan file and one migration");
    for text in written {
        assert_no_secret("written file", &text);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
