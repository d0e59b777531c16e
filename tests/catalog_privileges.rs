//! A role that cannot read everything still gets what it can see, and is told what it
//! could not read — by the library and by `schemaforge inspect`.

mod common;

use common::test_db;
use schemaforge::catalog;

/// `postgres://postgres@127.0.0.1:PORT/db?...` → the same URL for `role`.
fn url_as(url: &str, role: &str) -> String {
    url.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1)
}

#[tokio::test]
async fn a_role_without_usage_or_catalog_access_gets_the_rest_and_a_report() {
    let db = test_db().await;
    let role = format!("limited_{}", db.name);
    db.batch_execute(&format!(
        "CREATE ROLE {role} LOGIN;
         CREATE SCHEMA secret;
         CREATE TABLE secret.vault_items (id int PRIMARY KEY, v text);
         REVOKE ALL ON SCHEMA secret FROM PUBLIC;
         CREATE TABLE public.open_items (id int PRIMARY KEY, owner uuid);
         ALTER TABLE public.open_items ENABLE ROW LEVEL SECURITY;
         CREATE POLICY mine ON public.open_items USING (owner = auth.uid());"
    ))
    .await
    .unwrap();
    let limited_url = url_as(&db.url, &role);
    let limited = schemaforge::db::connect(&common::target(&limited_url))
        .await
        .expect("connect as the limited role");

    // 1. No USAGE on one schema: everything is read, and the schema is flagged.
    let cat = schemaforge::db::catalog::read(&limited.client)
        .await
        .expect("a partial read");
    assert_eq!(cat.flavour.user, role);
    let secret = cat.schema("secret").expect("the schema is still listed");
    assert!(!secret.usage);
    assert!(cat.schema("public").unwrap().usage);
    assert!(
        cat.warnings
            .iter()
            .any(|w| w.contains("schema secret") && w.contains("USAGE")),
        "{:?}",
        cat.warnings
    );
    let open = cat.table("public", "open_items").expect("public is read");
    assert_eq!(open.policies.len(), 1);
    assert!(cat.unreadable.is_empty());

    // 2. A system catalog it may not read: that kind is reported, the rest is still there.
    db.batch_execute(
        "REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC; \
         GRANT SELECT ON pg_catalog.pg_policy TO postgres;",
    )
    .await
    .unwrap();
    let cat = schemaforge::db::catalog::read(&limited.client)
        .await
        .expect("a partial read");
    assert_eq!(cat.unreadable.len(), 1, "{:?}", cat.unreadable);
    assert_eq!(cat.unreadable[0].object, "policies");
    assert!(
        cat.unreadable[0].reason.contains("permission denied"),
        "{:?}",
        cat.unreadable[0]
    );
    assert!(cat.stats.round_trips > 1, "the slow path was taken");
    let open = cat
        .table("public", "open_items")
        .expect("tables are still read");
    assert!(open.policies.is_empty());
    assert_eq!(open.columns.len(), 2);
    assert!(open.primary_key.is_some());
    assert!(cat.flavour.supabase, "functions were still read");
    // The session is usable afterwards: the read closed its transaction.
    assert_eq!(
        common::scalar(&limited.client, "SELECT 1").await.as_deref(),
        Some("1")
    );

    // 3. The command line says so on stderr and still prints the rest.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["inspect", "--json", "--db", &limited_url])
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run schemaforge inspect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not read policies"), "{stderr}");
    assert!(stderr.contains("schema secret"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let tables = json["tables"].as_array().unwrap();
    assert!(tables.iter().any(|t| t["name"] == "open_items"));

    limited.close().await;
    db.batch_execute("GRANT SELECT ON pg_catalog.pg_policy TO PUBLIC")
        .await
        .unwrap();
}

#[tokio::test]
async fn inside_a_transaction_an_unreadable_part_keeps_the_transaction_and_the_fingerprint() {
    let db = test_db().await;
    let role = format!("hardened_{}", db.name);
    db.batch_execute(&format!(
        "CREATE ROLE {role} LOGIN;
         CREATE TABLE public.things (id int PRIMARY KEY);
         REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC;"
    ))
    .await
    .unwrap();
    let session = schemaforge::db::connect(&common::target(&url_as(&db.url, &role)))
        .await
        .unwrap();
    let client = &session.client;
    let outside = schemaforge::db::catalog::read(client).await.unwrap();
    assert_eq!(outside.unreadable.len(), 1, "{:?}", outside.unreadable);
    client
        .batch_execute("BEGIN; CREATE TEMP TABLE marker (x int)")
        .await
        .unwrap();
    let inside = schemaforge::db::catalog::read_in_transaction(client)
        .await
        .unwrap();
    assert_eq!(inside.unreadable.len(), 1);
    assert_eq!(
        catalog::fingerprint(&inside),
        catalog::fingerprint(&outside)
    );
    // The caller's transaction is intact and its search_path untouched.
    assert_eq!(
        common::scalar(client, "SELECT count(*) FROM marker")
            .await
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        common::scalar(client, "SHOW search_path").await.as_deref(),
        Some("\"$user\", public")
    );
    client.batch_execute("ROLLBACK").await.unwrap();
}
