//! Soft delete against a real PostgreSQL, called as PostgREST calls it: two signed-in users,
//! a new table and a live one schemaforge did not create. A row the owner soft-deletes (an
//! `UPDATE … SET deleted_at = now() WHERE id = … RETURNING *`, or a `DELETE`) is gone for
//! both users and still there for the service role; nobody else can delete it; the partial
//! index exists; re-plan is empty; `design --from-db` says `soft_delete`; the linter finds
//! nothing in it; turning it off is planned and keeps the column; the rollback gives the
//! catalog back.
mod common;

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::{Value, json};
use tokio_postgres::SimpleQueryMessage;

const ALICE: &str = "11111111-1111-1111-1111-111111111111";
const BOB: &str = "22222222-2222-2222-2222-222222222222";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(db: &TestDb, name: &str, design: &Value) -> String {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-soft-delete-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path.display().to_string()
}

/// A live table schemaforge did not create (bigint identity key, its own owner column and
/// one owner policy for everything), with a row of Alice's; the two users.
async fn project(db: &TestDb) {
    db.batch_execute(&format!(
        "INSERT INTO auth.users (id, email) VALUES ('{ALICE}', 'alice@example.com'), ('{BOB}', 'bob@example.com'); \
         CREATE TABLE public.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
           amount numeric NOT NULL, owner uuid DEFAULT auth.uid()); \
         ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY \"own invoices\" ON public.invoices FOR ALL TO authenticated \
           USING (owner = (SELECT auth.uid())) WITH CHECK (owner = (SELECT auth.uid())); \
         GRANT ALL ON public.invoices TO authenticated; \
         INSERT INTO public.invoices (amount, owner) VALUES (10, '{ALICE}');"
    ))
    .await
    .unwrap();
}

/// The live invoices with soft delete turned on, and a new table of notes every signed-in
/// user reads and only the author changes (audited too).
fn design(db: &TestDb, soft_delete: bool) -> Value {
    let out = cli(&db.url, &["design", "--from-db", "--tables", "invoices"]);
    assert_success(&out);
    let mut design: Value = serde_json::from_slice(&out.stdout).unwrap();
    design["tables"][0]["soft_delete"] = soft_delete.into();
    design["tables"].as_array_mut().unwrap().push(json!({
        "name": "Notes", "soft_delete": soft_delete, "audit": true,
        "fields": [{"name": "body", "type": "longText", "is_primary": true}],
        "rls_policies": [
            {"name": "Signed-in users read", "operation": "SELECT", "using_expression": "true"},
            {"name": "Authors write", "operation": "INSERT",
             "with_check_expression": "created_by = auth.uid()"},
            {"name": "Authors change", "operation": "UPDATE",
             "using_expression": "created_by = auth.uid()"},
            {"name": "Authors delete", "operation": "DELETE",
             "using_expression": "created_by = auth.uid()"}
        ]
    }));
    design
}

/// Runs `sql` as the signed-in `user` the way PostgREST does (role `authenticated`, the JWT
/// claims in `request.jwt.claims`), in a transaction of its own. Returns how many rows each
/// statement returned (or the server's error, after rolling back).
async fn as_user(db: &TestDb, user: &str, sql: &str) -> Result<Vec<usize>, String> {
    let claims = format!("{{\"sub\":\"{user}\",\"role\":\"authenticated\"}}");
    let result = db
        .simple_query(&format!(
            "BEGIN; SET LOCAL ROLE authenticated; \
             SELECT set_config('request.jwt.claims', '{claims}', true); {sql}; COMMIT;"
        ))
        .await;
    match result {
        Ok(messages) => {
            let mut counts = Vec::new();
            let mut rows = 0;
            for m in messages {
                match m {
                    SimpleQueryMessage::Row(_) => rows += 1,
                    SimpleQueryMessage::CommandComplete(_) => {
                        counts.push(rows);
                        rows = 0;
                    }
                    _ => {}
                }
            }
            // BEGIN, SET, set_config … COMMIT: only the caller's statements.
            Ok(counts[3..counts.len() - 1].to_vec())
        }
        Err(e) => {
            db.batch_execute("ROLLBACK").await.unwrap();
            Err(schemaforge::db::server_error::describe(&e))
        }
    }
}

/// The note bodies `user` can read.
async fn bodies(db: &TestDb, user: &str) -> String {
    let claims = format!("{{\"sub\":\"{user}\",\"role\":\"authenticated\"}}");
    db.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE authenticated; \
         SELECT set_config('request.jwt.claims', '{claims}', true)"
    ))
    .await
    .unwrap();
    let read = scalar(
        db,
        "SELECT coalesce(string_agg(body, ',' ORDER BY body), '') FROM public.notes",
    )
    .await;
    db.batch_execute("ROLLBACK").await.unwrap();
    read.unwrap_or_default()
}

async fn note_id(db: &TestDb, body: &str) -> String {
    scalar(
        db,
        &format!("SELECT id::text FROM public.notes WHERE body = '{body}'"),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn two_users_soft_delete_as_postgrest_calls_it() {
    let db = test_db().await;
    project(&db).await;
    let path = write(&db, "soft_delete.json", &design(&db, true));
    let out = cli(&db.url, &["apply", &path, "--yes"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("DELETE by anon and authenticated sets deleted_at instead"),
        "the plan says what DELETE does now: {}",
        stderr(&out)
    );
    let out = cli(&db.url, &["plan", &path]);
    assert_success(&out);
    assert!(out.stdout.is_empty(), "re-plan is empty: {}", stdout(&out));

    // The partial index serves the API's lookups: the owner column, the key.
    let indexes = scalar(
        &db,
        "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes \
         WHERE indexname LIKE '%not_deleted'",
    )
    .await
    .unwrap();
    assert_eq!(
        indexes,
        "CREATE INDEX idx_invoices_id_not_deleted ON public.invoices USING btree (id) WHERE (deleted_at IS NULL)\n\
         CREATE INDEX idx_notes_created_by_not_deleted ON public.notes USING btree (created_by) WHERE (deleted_at IS NULL)"
    );

    as_user(
        &db,
        ALICE,
        "INSERT INTO public.notes (body) VALUES ('a1'), ('a2'), ('a3')",
    )
    .await
    .unwrap();
    as_user(&db, BOB, "INSERT INTO public.notes (body) VALUES ('b1')")
        .await
        .unwrap();
    assert_eq!(bodies(&db, BOB).await, "a1,a2,a3,b1");
    let (a1, a2, a3) = (
        note_id(&db, "a1").await,
        note_id(&db, "a2").await,
        note_id(&db, "a3").await,
    );

    // PostgREST's PATCH: the soft delete succeeds (no "new row violates row-level security").
    let patched = as_user(
        &db,
        ALICE,
        &format!("UPDATE public.notes SET deleted_at = now() WHERE id = '{a1}' RETURNING *"),
    )
    .await;
    assert_eq!(patched, Ok(vec![0]), "the row is gone from the answer too");
    assert_eq!(bodies(&db, ALICE).await, "a2,a3,b1");
    assert_eq!(bodies(&db, BOB).await, "a2,a3,b1");
    // PostgREST's DELETE does the same.
    let deleted = as_user(
        &db,
        ALICE,
        &format!("DELETE FROM public.notes WHERE id = '{a2}' RETURNING *"),
    )
    .await;
    assert_eq!(deleted, Ok(vec![0]));
    assert_eq!(bodies(&db, BOB).await, "a3,b1");

    // Bob can neither soft-delete nor delete Alice's note, nor bring hers back.
    let bob = as_user(
        &db,
        BOB,
        &format!(
            "UPDATE public.notes SET deleted_at = now() WHERE id = '{a3}' RETURNING *; \
             DELETE FROM public.notes WHERE id = '{a3}' RETURNING *"
        ),
    )
    .await;
    assert_eq!(bob, Ok(vec![0, 0]));
    assert_eq!(bodies(&db, ALICE).await, "a3,b1");
    // Alice cannot reach her deleted rows either, even without a WHERE clause.
    let undelete = as_user(
        &db,
        ALICE,
        "UPDATE public.notes SET deleted_at = NULL RETURNING *",
    )
    .await;
    assert_eq!(undelete, Ok(vec![1]), "only her live note a3 is changed");
    assert_eq!(bodies(&db, ALICE).await, "a3,b1");

    // The rows are still there, for the service role and postgres, with when they went.
    let kept = scalar(
        &db,
        "BEGIN; SET LOCAL ROLE service_role; \
         SELECT string_agg(body || ':' || (deleted_at IS NOT NULL)::text, ',' ORDER BY body) FROM public.notes",
    )
    .await;
    db.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(kept.as_deref(), Some("a1:true,a2:true,a3:false,b1:false"));
    // Who deleted it is recorded like any change: the update trigger ran as Alice.
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT updated_by::text FROM public.notes WHERE id = '{a1}'")
        )
        .await
        .as_deref(),
        Some(ALICE)
    );
    // With the audit trail on, a soft delete is recorded as the update it is, by Alice.
    assert_eq!(
        scalar(
            &db,
            &format!(
                "SELECT string_agg(operation || ' ' || changed_by || ' ' || (new_values->>'deleted_at' IS NOT NULL)::text, ',' ORDER BY id) \
                 FROM public.audit_log WHERE row_id IN ('{a1}', '{a2}') AND operation <> 'INSERT'"
            )
        )
        .await
        .as_deref(),
        Some(format!("UPDATE {ALICE} true,UPDATE {ALICE} true").as_str())
    );
    // The service role still deletes for real.
    db.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE service_role; DELETE FROM public.notes WHERE id = '{a1}'; COMMIT"
    ))
    .await
    .unwrap();
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM public.notes")
            .await
            .as_deref(),
        Some("3")
    );

    // The live table schemaforge did not create: its single FOR ALL owner policy lets Alice
    // soft-delete her invoice; Bob cannot.
    assert_eq!(
        as_user(&db, BOB, "DELETE FROM public.invoices RETURNING *").await,
        Ok(vec![0])
    );
    assert_eq!(
        as_user(
            &db,
            ALICE,
            "UPDATE public.invoices SET deleted_at = now() WHERE amount = 10 RETURNING *; \
             SELECT * FROM public.invoices"
        )
        .await,
        Ok(vec![0, 0])
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM public.invoices WHERE deleted_at IS NOT NULL"
        )
        .await
        .as_deref(),
        Some("1")
    );

    // The live schema as a design says the same, without the column, policy or index.
    let out = cli(&db.url, &["design", "--from-db"]);
    assert_success(&out);
    let from_db: Value = serde_json::from_slice(&out.stdout).unwrap();
    for table in from_db["tables"].as_array().unwrap() {
        assert_eq!(table["soft_delete"], true, "{table:#}");
        let text = table.to_string();
        assert!(!text.contains("deleted_at"), "{table:#}");
        assert!(!text.contains("soft-deleted"), "{table:#}");
    }
    assert!(!stderr(&out).contains("soft_delete"), "{}", stderr(&out));
    let again = write(&db, "from_db.json", &from_db);
    let out = cli(&db.url, &["plan", &again]);
    assert_success(&out);
    assert!(out.stdout.is_empty(), "{}", stdout(&out));

    // The linter finds nothing in what soft delete made, live or as the design leaves it.
    for args in [
        vec!["lint", "--json"],
        vec!["lint", path.as_str(), "--json"],
    ] {
        let out = cli(&db.url, &args);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{args:?}: {e}: {}", stderr(&out));
        });
        let findings = report["findings"].as_array().expect("a findings list");
        for finding in findings {
            let text = finding.to_string();
            for word in ["deleted", "soft", "not_deleted"] {
                assert!(!text.contains(word), "{args:?}: {finding:#}");
            }
        }
    }
}

#[tokio::test]
async fn turning_it_off_keeps_the_column_and_the_rollback_gives_the_catalog_back() {
    let db = test_db().await;
    project(&db).await;
    let on = write(&db, "on.json", &design(&db, true));
    let off = write(&db, "off.json", &design(&db, false));
    assert_success(&cli(&db.url, &["apply", &off, "--yes"]));
    let inspect = || {
        let out = cli(&db.url, &["inspect", "--json"]);
        assert_success(&out);
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for t in v["tables"].as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("row_estimate");
        }
        for key in ["roles", "role_memberships", "stats"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v
    };
    let before = inspect();
    let down = on.replace(".json", ".down.sql");
    assert_success(&cli(&db.url, &["plan", &on, "--down", "--out", &down]));

    // Turned on for two live tables: only what soft delete adds.
    let plan = stdout(&cli(&db.url, &["plan", &on]));
    for wanted in [
        "ALTER TABLE \"public\".\"notes\" ADD COLUMN \"deleted_at\" timestamptz",
        "ALTER TABLE \"public\".\"invoices\" ADD COLUMN \"deleted_at\" timestamptz",
        "CREATE INDEX \"idx_notes_created_by_not_deleted\"",
        "AS RESTRICTIVE",
        "CREATE TRIGGER \"soft_delete\" BEFORE DELETE OR UPDATE ON \"public\".\"invoices\"",
    ] {
        assert!(plan.contains(wanted), "{wanted} missing from {plan}");
    }
    assert!(!plan.contains("DROP"), "{plan}");
    assert_success(&cli(&db.url, &["apply", &on, "--yes"]));
    assert!(cli(&db.url, &["plan", &on]).stdout.is_empty());
    as_user(&db, ALICE, "DELETE FROM public.invoices")
        .await
        .unwrap();

    // Off again: the trigger, policy and index go; the column and its values stay, and the
    // plan says so.
    let out = cli(&db.url, &["plan", &off]);
    let plan = stdout(&out);
    for wanted in [
        "DROP TRIGGER \"soft_delete\" ON \"public\".\"notes\"",
        "DROP POLICY \"Hide soft-deleted rows\" ON \"public\".\"invoices\"",
        "DROP INDEX \"public\".\"idx_invoices_id_not_deleted\"",
    ] {
        assert!(plan.contains(wanted), "{wanted} missing from {plan}");
    }
    assert!(!plan.contains("DROP COLUMN"), "{plan}");
    assert!(
        stderr(&out).contains("the column deleted_at is kept with its values"),
        "{}",
        stderr(&out)
    );
    let refused = cli(&db.url, &["apply", &off, "--yes"]);
    assert!(
        !refused.status.success(),
        "dropping the policy is destructive"
    );
    assert_success(&cli(
        &db.url,
        &["apply", &off, "--yes", "--allow-destructive"],
    ));
    assert!(cli(&db.url, &["plan", &off]).stdout.is_empty());
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM public.invoices WHERE deleted_at IS NOT NULL"
        )
        .await
        .as_deref(),
        Some("1")
    );
    // DELETE deletes again.
    as_user(&db, ALICE, "DELETE FROM public.invoices")
        .await
        .unwrap();
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM public.invoices")
            .await
            .as_deref(),
        Some("0")
    );

    // The rollback saved before turning it on gives the catalog back, once the column it
    // added is empty of the table's rows again (it was added by that plan).
    assert_success(&cli(&db.url, &["apply", &on, "--yes"]));
    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    assert_eq!(inspect(), before, "{}", stderr(&out));
}

#[tokio::test]
async fn the_soft_delete_option_is_validated_with_its_paths() {
    let db = test_db().await;
    let bad = json!({"tables": [
        {"name": "Plain", "soft_delete": true, "system_fields": false,
         "fields": [{"name": "x", "type": "singleLineText"}]},
        {"name": "Countries", "soft_delete": true, "public_reference": true,
         "fields": [{"name": "name", "type": "singleLineText"},
                    {"name": "deleted_at", "type": "date"}]}
    ]});
    let path = write(&db, "bad.json", &bad);
    let out = cli(&db.url, &["plan", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for (path, words) in [
        ("tables[0].soft_delete", "needs a key (a primary_key field)"),
        (
            "tables[1].soft_delete",
            "needs row-level security turned on",
        ),
        ("tables[1].fields[1].name", "is the column soft_delete adds"),
    ] {
        assert!(err.contains(path) && err.contains(words), "{path}: {err}");
    }
}

#[tokio::test]
async fn the_simulator_counts_the_rows_a_soft_delete_reaches() {
    use schemaforge::db::simulate::simulate_side_by_side;
    use schemaforge::rls::simulate::{Outcome, SimRole, SimUser, SimulationRequest, Subject};

    let db = test_db().await;
    project(&db).await;
    let path = write(&db, "soft_delete.json", &design(&db, true));
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    as_user(
        &db,
        ALICE,
        "INSERT INTO public.notes (body) VALUES ('a1'), ('a2')",
    )
    .await
    .unwrap();
    as_user(&db, BOB, "INSERT INTO public.notes (body) VALUES ('b1')")
        .await
        .unwrap();
    let request = SimulationRequest {
        schemas: vec!["public".into()],
        user: SimUser::Generated,
        role: SimRole::Authenticated,
        setup: vec![],
        samples: None,
    };
    let reports = simulate_side_by_side(
        &db,
        None,
        &request,
        &[
            Subject::user(SimUser::Existing(ALICE.into())),
            Subject::user(SimUser::Existing(BOB.into())),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // Both read all three notes; each one's DELETE reaches their own rows only, and keeps them.
    for (report, own) in reports.iter().zip([2, 1]) {
        let notes = report.table("public.notes").expect("notes probed");
        assert_eq!(notes.select.rows, 3, "{notes:?}");
        assert_eq!(
            (notes.delete.outcome, notes.delete.rows),
            (Outcome::Allowed, own),
            "{notes:?}"
        );
        assert!(
            notes
                .delete
                .message
                .as_deref()
                .is_some_and(|m| m.contains("soft delete")),
            "{notes:?}"
        );
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM public.notes WHERE deleted_at IS NULL"
        )
        .await
        .as_deref(),
        Some("3"),
        "the simulation is rolled back"
    );
}
