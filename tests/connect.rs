//! Connecting as users do: from a URL, from the libpq variables, from a pgpass file, and the
//! error text when it fails.
mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use common::{cluster, scalar, target, test_db};
use schemaforge::db::target::PasswordSource;
use schemaforge::db::{ConnectTarget, Env, connect};

/// A login role with a password (the sandbox asks for one over TCP).
async fn password_user(db: &common::TestDb, name: &str, password: &str) {
    db.batch_execute(&format!(
        "CREATE ROLE {name} LOGIN PASSWORD '{password}';
         GRANT CONNECT ON DATABASE \"{}\" TO {name};",
        db.name
    ))
    .await
    .unwrap();
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemaforge-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn connects_from_a_url_and_names_itself_schemaforge() {
    let db = test_db().await;
    let session = connect(&target(&db.url)).await.unwrap();
    let app = scalar(
        &session.client,
        "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()",
    )
    .await;
    assert_eq!(app.as_deref(), Some("schemaforge"));
    assert_eq!(
        session.described,
        format!(
            "postgres@{}:{}/{}",
            cluster().dir().display(),
            cluster().port(),
            db.name
        )
    );
}

#[tokio::test]
async fn connects_from_the_libpq_environment_alone() {
    let db = test_db().await;
    password_user(&db, "env_user", "from env").await;
    let port = cluster().port().to_string();
    let env = Env::from_vars(
        [
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", port.as_str()),
            ("PGUSER", "env_user"),
            ("PGDATABASE", db.name.as_str()),
            ("PGPASSWORD", "from env"),
            ("PGSSLMODE", "disable"),
        ],
        None,
    );
    let target = ConnectTarget::resolve(None, &env).unwrap();
    assert_eq!(target.password_source, PasswordSource::Environment);
    let session = connect(&target).await.unwrap();
    assert_eq!(
        scalar(&session.client, "SELECT current_user")
            .await
            .as_deref(),
        Some("env_user")
    );
}

#[tokio::test]
async fn connects_with_the_password_from_pgpass() {
    let db = test_db().await;
    password_user(&db, "pgpass_user", "from:pgpass").await;
    let home = scratch_dir("pgpass-home");
    let passfile = home.join(".pgpass");
    std::fs::write(
        &passfile,
        format!(
            "# other servers first\nelsewhere:5432:*:*:wrong\n127.0.0.1:{}:*:pgpass_user:from\\:pgpass\n",
            cluster().port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = format!(
        "postgres://pgpass_user@127.0.0.1:{}/{}?sslmode=disable",
        cluster().port(),
        db.name
    );

    // ~/.pgpass through HOME
    let env = Env::from_vars(Vec::<(String, String)>::new(), Some(home.clone()));
    let target = ConnectTarget::resolve(Some(&url), &env).unwrap();
    assert_eq!(
        target.password_source,
        PasswordSource::Passfile(passfile.clone())
    );
    let session = connect(&target).await.unwrap();
    assert_eq!(
        scalar(&session.client, "SELECT current_user")
            .await
            .as_deref(),
        Some("pgpass_user")
    );

    // PGPASSFILE names another file
    let other = home.join("elsewhere.pgpass");
    std::fs::copy(&passfile, &other).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = Env::from_vars([("PGPASSFILE", other.to_str().unwrap())], None);
    let target = ConnectTarget::resolve(Some(&url), &env).unwrap();
    assert_eq!(
        target.password_source,
        PasswordSource::Passfile(other.clone())
    );
    connect(&target).await.unwrap();

    // A world-readable passfile is ignored, as libpq does, and the user is told why.
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
    let target = ConnectTarget::resolve(Some(&url), &env).unwrap();
    assert_eq!(target.password_source, PasswordSource::None);
    assert!(
        target.notes.iter().any(|n| n.contains("chmod 0600")),
        "{:?}",
        target.notes
    );
    std::fs::remove_dir_all(home).unwrap();
}

#[tokio::test]
async fn a_missing_or_wrong_password_says_where_to_put_it() {
    let db = test_db().await;
    password_user(&db, "needs_pw", "right").await;
    let base = format!("127.0.0.1:{}/{}?sslmode=disable", cluster().port(), db.name);

    let missing = connect(&target(&format!("postgres://needs_pw@{base}")))
        .await
        .unwrap_err();
    let text = missing.to_string();
    assert!(
        text.contains(&format!("needs_pw@127.0.0.1:{}", cluster().port())),
        "{text}"
    );
    assert!(text.contains("wants a password"), "{text}");
    assert!(text.contains("~/.pgpass"), "{text}");

    let wrong = connect(&target(&format!("postgres://needs_pw:hunter2@{base}")))
        .await
        .unwrap_err();
    let text = wrong.to_string();
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(
        text.contains("the password in the connection string was refused"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2"),
        "the password must never be shown: {text}"
    );
}

#[tokio::test]
async fn a_refused_connection_names_the_target_and_the_fix() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = connect(&target(&format!(
        "postgres://someone:secret@127.0.0.1:{port}/app"
    )))
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "could not connect to someone@127.0.0.1:{port}/app"
        )),
        "{text}"
    );
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    assert!(
        text.contains("no server is listening at 127.0.0.1"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}

#[tokio::test]
async fn tcp_needs_the_password_and_the_socket_is_the_only_trusted_door() {
    let sandbox = cluster();
    let no_password = format!(
        "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
        sandbox.port()
    );
    let err = connect(&target(&no_password))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wants a password"),
        "any local user can reach TCP, so it needs one: {err}"
    );
    connect(&target(&sandbox.tcp_url("postgres")))
        .await
        .unwrap();
    connect(&target(&sandbox.url("postgres"))).await.unwrap();
    assert!(
        !sandbox
            .url("postgres")
            .contains(sandbox.superuser_password())
    );
    // libpq negotiates no TLS on a Unix socket, whatever sslmode says.
    let required = sandbox
        .url("postgres")
        .replace("sslmode=disable", "sslmode=require");
    connect(&target(&required)).await.unwrap();
}

#[tokio::test]
async fn a_missing_database_suggests_creating_it() {
    let err = connect(&target(&cluster().url("no_such_db")))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("database \"no_such_db\" does not exist"),
        "{text}"
    );
    assert!(text.contains("createdb no_such_db"), "{text}");
}

#[tokio::test]
async fn requiring_tls_from_a_server_without_it_says_so() {
    let url = cluster()
        .tcp_url("postgres")
        .replace("sslmode=disable", "sslmode=require");
    let err = connect(&target(&url)).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("server does not support TLS"), "{text}");
    assert!(text.contains("sslmode=prefer"), "{text}");
    assert!(!text.contains(cluster().superuser_password()), "{text}");
    // prefer falls back to plain text on the same server
    let prefer = cluster()
        .tcp_url("postgres")
        .replace("sslmode=disable", "sslmode=prefer");
    connect(&target(&prefer)).await.unwrap();
}
