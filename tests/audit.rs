//! The audit trail against a real PostgreSQL: two users change rows of an audited table
//! (one schemaforge creates, one it did not), each change is in the shared audit table with
//! who made it and the row before and after; only the readers the design names can read it,
//! nobody can write it; re-plan is empty; its rollback gives the catalog back.
mod common;

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::{Value, json};

const ALICE: &str = "11111111-1111-1111-1111-111111111111";
const BOB: &str = "22222222-2222-2222-2222-222222222222";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(db: &TestDb, name: &str, design: &Value) -> String {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-audit-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path.display().to_string()
}

/// A live table schemaforge did not create (bigint identity key), and a reviewer role.
async fn project(db: &TestDb) -> String {
    let auditor = format!("auditor_{}", db.name);
    db.batch_execute(&format!(
        "CREATE TABLE public.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
           amount numeric NOT NULL, owner uuid DEFAULT auth.uid()); \
         ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY \"own invoices\" ON public.invoices FOR ALL TO authenticated \
           USING (owner = (SELECT auth.uid())) WITH CHECK (owner = (SELECT auth.uid())); \
         GRANT ALL ON public.invoices TO authenticated; \
         CREATE ROLE \"{auditor}\" NOLOGIN; \
         INSERT INTO auth.users (id, email) VALUES ('{ALICE}', 'alice@example.com'), ('{BOB}', 'bob@example.com');"
    ))
    .await
    .unwrap();
    auditor
}

/// Notes (new, owner-only) and the live invoices, both audited; read by `readers`.
fn design(db: &TestDb, readers: &[&str]) -> Value {
    let out = cli(&db.url, &["design", "--from-db", "--tables", "invoices"]);
    assert_success(&out);
    let mut design: Value = serde_json::from_slice(&out.stdout).unwrap();
    design["tables"][0]["audit"] = true.into();
    design["tables"].as_array_mut().unwrap().push(json!({
        "name": "Notes", "audit": true,
        "fields": [{"name": "body", "type": "longText", "is_primary": true}],
        "rls_policies": [{"name": "own", "operation": "ALL",
                          "using_expression": "created_by = auth.uid()",
                          "with_check_expression": "created_by = auth.uid()"}]
    }));
    design["audit_readers"] = json!(readers);
    design
}

/// Runs `sql` as the signed-in user `user` (the shim's `auth.uid()` reads the JWT claims),
/// in a transaction of its own; an error rolls it back.
async fn as_user(db: &TestDb, user: &str, sql: &str) -> Result<(), String> {
    let claims = format!("{{\"sub\":\"{user}\",\"role\":\"authenticated\"}}");
    let result = db
        .batch_execute(&format!(
            "BEGIN; SET LOCAL ROLE authenticated; \
             SELECT set_config('request.jwt.claims', '{claims}', true); {sql}; COMMIT;"
        ))
        .await
        .map_err(|e| schemaforge::db::server_error::describe(&e));
    if result.is_err() {
        db.batch_execute("ROLLBACK").await.unwrap();
    }
    result
}

#[tokio::test]
async fn two_users_changes_are_recorded_and_only_the_readers_read_them() {
    let db = test_db().await;
    let auditor = project(&db).await;
    let path = write(&db, "audit.json", &design(&db, &[&auditor]));
    let out = cli(&db.url, &["apply", &path, "--yes"]);
    assert_success(&out);
    let out = cli(&db.url, &["plan", &path]);
    assert_success(&out);
    assert!(
        out.stdout.is_empty(),
        "re-plan is empty: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The live schema as a design says the same: audited tables, the readers, no audit_log.
    let out = cli(&db.url, &["design", "--from-db"]);
    assert_success(&out);
    let from_db: Value = serde_json::from_slice(&out.stdout).unwrap();
    let audited: Vec<&str> = from_db["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["audit"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(audited, ["invoices", "notes"], "{from_db:#}");
    assert!(
        !from_db["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "audit_log")
    );
    assert_eq!(from_db["audit_readers"], json!([auditor]));
    let again = write(&db, "from_db.json", &from_db);
    let out = cli(&db.url, &["plan", &again]);
    assert_success(&out);
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    as_user(
        &db,
        ALICE,
        "INSERT INTO public.notes (body) VALUES ('alice''s note'); \
                         INSERT INTO public.invoices (amount) VALUES (10)",
    )
    .await
    .unwrap();
    as_user(
        &db,
        BOB,
        "INSERT INTO public.notes (body) VALUES ('bob''s note'); \
                       UPDATE public.notes SET body = 'bob edited'; \
                       INSERT INTO public.invoices (amount) VALUES (20); \
                       DELETE FROM public.invoices",
    )
    .await
    .unwrap();

    // The readers see every change, with who made it and the values before and after.
    let trail = scalar(
        &db,
        &format!(
            "BEGIN; SET LOCAL ROLE \"{auditor}\"; \
             SELECT string_agg(format('%s %s %s %s→%s', table_name, operation, \
                    CASE changed_by WHEN '{ALICE}' THEN 'alice' WHEN '{BOB}' THEN 'bob' END, \
                    coalesce(old_values->>'body', old_values->>'amount', '-'), \
                    coalesce(new_values->>'body', new_values->>'amount', '-')), ' | ' ORDER BY id) \
             FROM public.audit_log"
        ),
    )
    .await;
    db.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        trail.as_deref(),
        Some(
            "notes INSERT alice -→alice's note | invoices INSERT alice -→10 | \
             notes INSERT bob -→bob's note | notes UPDATE bob bob's note→bob edited | \
             invoices INSERT bob -→20 | invoices DELETE bob 20→-"
        )
    );
    // Each row names the changed row by its key.
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM public.audit_log WHERE row_id IS NULL OR row_id = ''"
        )
        .await
        .as_deref(),
        Some("0")
    );

    // The users themselves can neither read nor write the trail.
    let read = as_user(&db, ALICE, "SELECT * FROM public.audit_log").await;
    assert!(read.is_err_and(|e| e.contains("permission denied")));
    let forge = as_user(
        &db,
        BOB,
        "INSERT INTO public.audit_log (table_schema, table_name, operation) VALUES ('public', 'notes', 'DELETE')",
    )
    .await;
    assert!(forge.is_err_and(|e| e.contains("permission denied")));
    // The writer runs with a pinned, empty search_path.
    assert_eq!(
        scalar(
            &db,
            "SELECT prosecdef::text || ' ' || array_to_string(proconfig, ',') FROM pg_proc WHERE proname = 'schemaforge_audit'"
        )
        .await
        .as_deref(),
        Some("true search_path=\"\"")
    );
}

#[tokio::test]
async fn changing_the_readers_is_planned_and_the_rollback_gives_the_catalog_back() {
    let db = test_db().await;
    let auditor = project(&db).await;
    let first = write(&db, "first.json", &design(&db, &[&auditor]));
    let before = cli(&db.url, &["inspect", "--json"]);
    let down = first.replace(".json", ".down.sql");
    assert_success(&cli(&db.url, &["plan", &first, "--down", "--out", &down]));
    assert_success(&cli(&db.url, &["apply", &first, "--yes"]));

    // Nobody reads it any more: the policy goes, and the reader's SELECT with it.
    let none = write(&db, "none.json", &design(&db, &[]));
    let plan = cli(&db.url, &["plan", &none]);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(sql.contains("DROP POLICY \"audit readers\""), "{sql}");
    assert_success(&cli(
        &db.url,
        &["apply", &none, "--yes", "--allow-destructive"],
    ));
    assert!(cli(&db.url, &["plan", &none]).stdout.is_empty());
    // And back.
    assert_success(&cli(&db.url, &["apply", &first, "--yes"]));
    assert!(cli(&db.url, &["plan", &first]).stdout.is_empty());

    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    // Roles belong to the cluster (other tests make theirs); the schema is the rest.
    let strip = |out: &std::process::Output| {
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for t in v["tables"].as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("row_estimate");
        }
        for key in ["roles", "role_memberships", "stats"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v
    };
    assert_eq!(
        strip(&cli(&db.url, &["inspect", "--json"])),
        strip(&before),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn the_audit_options_are_validated_with_their_paths() {
    let db = test_db().await;
    let bad = json!({
        "tables": [
            {"name": "Audit log", "fields": [{"name": "x", "type": "singleLineText"}]},
            {"name": "Plain", "audit": true, "system_fields": false,
             "fields": [{"name": "x", "type": "singleLineText"}]}
        ],
        "audit_readers": ["anon"]
    });
    let path = write(&db, "bad.json", &bad);
    let out = cli(&db.url, &["plan", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("audit_readers[0]") && err.contains("is everyone"),
        "{err}"
    );
    assert!(
        err.contains("tables[0].name") && err.contains("shared audit table"),
        "{err}"
    );
    assert!(
        err.contains("tables[1].audit") && err.contains("needs a key"),
        "{err}"
    );
}
