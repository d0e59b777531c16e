//! Storage buckets against a real PostgreSQL with the shim's storage schema: a public bucket
//! and a private owner-folder bucket are inserted into `storage.buckets` with their policies
//! on `storage.objects`; two users and anon then upload and read as the policies say; a
//! changed limit is planned as an update; re-plan is empty; `design --from-db` reads the
//! buckets back; the rollback gives catalog and bucket rows back.
mod common;

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::{Value, json};

const ALICE: &str = "11111111-1111-1111-1111-111111111111";
const BOB: &str = "22222222-2222-2222-2222-222222222222";

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write(db: &TestDb, name: &str, design: &Value) -> String {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-buckets-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path.display().to_string()
}

fn design(documents_limit: u64) -> Value {
    json!({
        "tables": [{
            "name": "Reports",
            "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true},
                {"name": "file", "type": "attachment", "options": {"bucket": "documents"}}
            ],
            "rls_policies": [{"name": "own", "operation": "ALL",
                              "using_expression": "created_by = auth.uid()",
                              "with_check_expression": "created_by = auth.uid()"}]
        }],
        "buckets": [
            {"id": "documents", "file_size_limit": documents_limit,
             "allowed_mime_types": ["application/pdf"],
             "policies": ["owner_folder"]},
            {"id": "public-images", "public": true, "file_size_limit": 5242880,
             "allowed_mime_types": ["image/png", "image/jpeg"],
             "policies": ["public_read", "signed_in_upload"]}
        ]
    })
}

async fn users(db: &TestDb) {
    db.batch_execute(&format!(
        "INSERT INTO auth.users (id, email) VALUES ('{ALICE}', 'alice@example.com'), ('{BOB}', 'bob@example.com')"
    ))
    .await
    .unwrap();
}

/// Runs `sql` as `user` (a user id, or `None` for anon) in a transaction of its own; an
/// error rolls it back.
async fn as_user(db: &TestDb, user: Option<&str>, sql: &str) -> Result<(), String> {
    let (role, claims) = match user {
        Some(id) => (
            "authenticated",
            format!("{{\"sub\":\"{id}\",\"role\":\"authenticated\"}}"),
        ),
        None => ("anon", "{\"role\":\"anon\"}".to_owned()),
    };
    let result = db
        .batch_execute(&format!(
            "BEGIN; SET LOCAL ROLE {role}; \
             SELECT set_config('request.jwt.claims', '{claims}', true); {sql}; COMMIT;"
        ))
        .await
        .map_err(|e| schemaforge::db::server_error::describe(&e));
    if result.is_err() {
        db.batch_execute("ROLLBACK").await.unwrap();
    }
    result
}

/// What `user` sees of the objects: `bucket/name` in order.
async fn visible(db: &TestDb, user: Option<&str>) -> String {
    let (role, claims) = match user {
        Some(id) => (
            "authenticated",
            format!("{{\"sub\":\"{id}\",\"role\":\"authenticated\"}}"),
        ),
        None => ("anon", "{\"role\":\"anon\"}".to_owned()),
    };
    db.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE {role}; SELECT set_config('request.jwt.claims', '{claims}', true)"
    ))
    .await
    .unwrap();
    let seen = scalar(
        db,
        "SELECT coalesce(string_agg(bucket_id || '/' || name, ' ' ORDER BY bucket_id, name), '') FROM storage.objects",
    )
    .await
    .unwrap_or_default();
    db.batch_execute("ROLLBACK").await.unwrap();
    seen
}

fn upload(bucket: &str, name: &str) -> String {
    format!("INSERT INTO storage.objects (bucket_id, name) VALUES ('{bucket}', '{name}')")
}

#[tokio::test]
async fn buckets_are_rows_and_policies_that_two_users_and_anon_live_by() {
    let db = test_db().await;
    users(&db).await;
    let path = write(&db, "buckets.json", &design(10485760));
    let plan = cli(&db.url, &["plan", &path]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("INSERT INTO \"storage\".\"buckets\" (id, name, public, file_size_limit, allowed_mime_types)\nVALUES ('documents', 'documents', false, 10485760, ARRAY['application/pdf']::text[])"),
        "{sql}"
    );
    assert!(
        sql.contains("CREATE POLICY \"documents: owner uploads\" ON \"storage\".\"objects\""),
        "{sql}"
    );
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    let again = cli(&db.url, &["plan", &path]);
    assert_success(&again);
    assert!(
        again.stdout.is_empty(),
        "re-plan is empty: {}",
        text(&again)
    );

    // The rows, as Supabase's storage API reads them.
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(format('%s %s %s %s', id, public, file_size_limit, allowed_mime_types), ' | ' ORDER BY id) FROM storage.buckets"
        )
        .await
        .as_deref(),
        Some("documents f 10485760 {application/pdf} | public-images t 5242880 {image/png,image/jpeg}")
    );

    // Owner folders: each user writes only under their own id.
    as_user(
        &db,
        Some(ALICE),
        &upload("documents", &format!("{ALICE}/report.pdf")),
    )
    .await
    .unwrap();
    let into_bobs = as_user(
        &db,
        Some(ALICE),
        &upload("documents", &format!("{BOB}/forged.pdf")),
    )
    .await;
    assert!(
        into_bobs
            .as_ref()
            .is_err_and(|e| e.contains("row-level security")),
        "{into_bobs:?}"
    );
    as_user(
        &db,
        Some(BOB),
        &upload("documents", &format!("{BOB}/notes.pdf")),
    )
    .await
    .unwrap();
    let anon_upload = as_user(&db, None, &upload("documents", "x/y.pdf")).await;
    assert!(anon_upload.is_err(), "anon cannot upload");
    // Signed-in upload into the public bucket, anywhere in it.
    as_user(&db, Some(BOB), &upload("public-images", "banner.png"))
        .await
        .unwrap();
    let anon_public = as_user(&db, None, &upload("public-images", "spam.png")).await;
    assert!(
        anon_public.is_err(),
        "anon cannot upload to the public bucket either"
    );

    // Reading: each user their own documents and every public image; anon the public ones.
    assert_eq!(
        visible(&db, Some(ALICE)).await,
        format!("documents/{ALICE}/report.pdf public-images/banner.png")
    );
    assert_eq!(
        visible(&db, Some(BOB)).await,
        format!("documents/{BOB}/notes.pdf public-images/banner.png")
    );
    assert_eq!(visible(&db, None).await, "public-images/banner.png");
    // Bob cannot delete or move Alice's file either.
    as_user(
        &db,
        Some(BOB),
        "DELETE FROM storage.objects WHERE bucket_id = 'documents'",
    )
    .await
    .unwrap();
    assert_eq!(
        visible(&db, Some(ALICE)).await,
        format!("documents/{ALICE}/report.pdf public-images/banner.png")
    );

    // A new limit is an update of the row, nothing else.
    let bigger = write(&db, "bigger.json", &design(20971520));
    let plan = cli(&db.url, &["plan", &bigger]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("UPDATE \"storage\".\"buckets\" SET public = false, file_size_limit = 20971520, allowed_mime_types = ARRAY['application/pdf']::text[]\nWHERE id = 'documents'"),
        "{sql}"
    );
    assert!(!sql.contains("POLICY"), "{sql}");
    assert!(!sql.contains("INSERT INTO"), "{sql}");
    assert_success(&cli(&db.url, &["apply", &bigger, "--yes"]));
    assert_eq!(
        scalar(
            &db,
            "SELECT file_size_limit::text FROM storage.buckets WHERE id = 'documents'"
        )
        .await
        .as_deref(),
        Some("20971520")
    );
    assert!(cli(&db.url, &["plan", &bigger]).stdout.is_empty());

    // The live database as a design names the same buckets, and plans nothing.
    let out = cli(&db.url, &["design", "--from-db"]);
    assert_success(&out);
    let from_db: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        from_db["buckets"],
        design(20971520)["buckets"],
        "{from_db:#}"
    );
    let path = write(&db, "from_db.json", &from_db);
    let out = cli(&db.url, &["plan", &path]);
    assert_success(&out);
    assert!(out.stdout.is_empty(), "{}", text(&out));
}

#[tokio::test]
async fn the_rollback_deletes_the_inserted_buckets_and_restores_the_updated_ones() {
    let db = test_db().await;
    // A bucket made outside the design, which the design then changes.
    db.batch_execute(
        "INSERT INTO storage.buckets (id, name, public, file_size_limit) VALUES ('documents', 'documents', true, 1024)",
    )
    .await
    .unwrap();
    let path = write(&db, "buckets.json", &design(10485760));
    let before = cli(&db.url, &["inspect", "--json"]);
    assert_success(&before);
    let dir = std::path::Path::new(&path).parent().unwrap();
    let down = dir.join("down.sql").display().to_string();
    assert_success(&cli(&db.url, &["plan", &path, "--down", "--out", &down]));
    let down_sql = std::fs::read_to_string(&down).unwrap();
    assert!(
        down_sql.contains("DELETE FROM \"storage\".\"buckets\" WHERE id = 'public-images'"),
        "{down_sql}"
    );
    assert!(
        down_sql.contains("UPDATE \"storage\".\"buckets\" SET public = true, file_size_limit = 1024, allowed_mime_types = NULL"),
        "{down_sql}"
    );
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
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
    let after = cli(&db.url, &["inspect", "--json"]);
    assert_eq!(strip(&after), strip(&before), "{}", text(&out));
    assert_eq!(
        strip(&before)["buckets"],
        json!([{"id": "documents", "public": true, "file_size_limit": 1024}])
    );
}

#[tokio::test]
async fn a_policy_dropped_from_a_bucket_is_dropped_and_others_are_left_alone() {
    let db = test_db().await;
    // The platform's (or another tool's) policy on storage.objects: never the design's.
    db.batch_execute(
        "CREATE POLICY \"admins read everything\" ON storage.objects FOR SELECT TO service_role USING (true)",
    )
    .await
    .unwrap();
    let path = write(&db, "buckets.json", &design(10485760));
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    let mut fewer = design(10485760);
    fewer["buckets"][1]["policies"] = json!(["public_read"]);
    let fewer = write(&db, "fewer.json", &fewer);
    let plan = cli(&db.url, &["plan", &fewer]);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("DROP POLICY \"public-images: signed-in upload\" ON \"storage\".\"objects\""),
        "{sql}"
    );
    assert!(!sql.contains("admins read everything"), "{sql}");
    assert_success(&cli(
        &db.url,
        &["apply", &fewer, "--yes", "--allow-destructive"],
    ));
    assert!(cli(&db.url, &["plan", &fewer]).stdout.is_empty());
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM pg_policies WHERE schemaname = 'storage' AND policyname = 'admins read everything'")
            .await
            .as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn without_a_storage_schema_buckets_are_a_plan_error_naming_them() {
    let db = test_db().await;
    db.batch_execute("DROP SCHEMA storage CASCADE")
        .await
        .unwrap();
    let path = write(&db, "buckets.json", &design(10485760));
    let out = cli(&db.url, &["plan", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("buckets") && text(&out).contains("no Supabase Storage"),
        "{}",
        text(&out)
    );
    // Nothing was sent: the database has no buckets table to have changed.
    assert_eq!(
        scalar(&db, "SELECT to_regclass('storage.buckets')::text").await,
        None
    );
}

#[tokio::test]
async fn bucket_mistakes_are_validation_errors_with_paths() {
    let db = test_db().await;
    let mut bad = design(10485760);
    bad["buckets"][0]["policies"] = json!(["owner_foldr"]);
    bad["tables"][0]["fields"][1]["options"]["bucket"] = json!("document");
    let path = write(&db, "bad.json", &bad);
    let out = cli(&db.url, &["plan", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("buckets[0].policies[0]") && said.contains("did you mean \"owner_folder\"?"),
        "{said}"
    );
    // Storage itself stays out of reach of a design's schema.
    let storage = json!({"schema": "storage", "tables": [{"name": "files", "fields": []}]});
    let path = write(&db, "storage.json", &storage);
    let out = cli(&db.url, &["plan", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("managed by Supabase"), "{}", text(&out));
}

/// Another session holding `storage.buckets` locked never hangs the read: it gives up after
/// the lock timeout, names the table as locked, and reads everything else.
#[tokio::test]
async fn a_locked_buckets_table_is_read_around() {
    let db = test_db().await;
    db.batch_execute(
        "INSERT INTO storage.buckets (id, name) VALUES ('documents', 'documents'); \
         CREATE TABLE public.notes (id int PRIMARY KEY)",
    )
    .await
    .unwrap();
    let before = schemaforge::db::catalog::read(&db).await.unwrap();
    assert_eq!(before.buckets.len(), 1);
    let (holder, _pid) = db
        .hold_lock(
            "bucket_migration",
            "LOCK TABLE storage.buckets IN ACCESS EXCLUSIVE MODE",
        )
        .await;
    let started = std::time::Instant::now();
    let read = schemaforge::db::catalog::read_with(
        &db,
        &schemaforge::db::catalog::ReadOptions::with_lock_timeout("300ms"),
    )
    .await
    .expect("a read around the lock");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(read.buckets.is_empty(), "{:?}", read.buckets);
    assert!(
        read.locked
            .iter()
            .any(|l| l.schema == "storage" && l.name == "buckets"),
        "{:?}",
        read.locked
    );
    assert!(read.table("public", "notes").is_some());
    // Planning buckets against rows it could not read is refused, naming why.
    let design: schemaforge::design::Design = serde_json::from_value(design(1024)).unwrap();
    let resolved = schemaforge::design::resolve(&design).unwrap();
    let errors = schemaforge::plan::plan(&resolved, &read, &Default::default()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.path == "buckets" && e.message.contains("locked")),
        "{errors:?}"
    );
    holder.close().await;
}
