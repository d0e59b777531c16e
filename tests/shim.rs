mod common;

use common::{scalar, test_db};

#[tokio::test]
async fn auth_uid_reads_the_sub_claim_as_authenticated() {
    let db = test_db().await;
    let user = "5f0c8a2e-7d3b-4c1a-9e2f-0123456789ab";
    db.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE authenticated; \
         SELECT set_config('request.jwt.claims', '{{\"sub\": \"{user}\", \"role\": \"authenticated\", \"email\": \"a@example.com\"}}', true);"
    ))
    .await
    .unwrap();
    assert_eq!(
        scalar(&db, "SELECT auth.uid()").await.as_deref(),
        Some(user)
    );
    assert_eq!(
        scalar(&db, "SELECT auth.role()").await.as_deref(),
        Some("authenticated")
    );
    assert_eq!(
        scalar(&db, "SELECT auth.email()").await.as_deref(),
        Some("a@example.com")
    );
    assert_eq!(
        scalar(&db, "SELECT auth.jwt() ->> 'sub'").await.as_deref(),
        Some(user)
    );
    assert_eq!(
        scalar(&db, "SELECT current_user").await.as_deref(),
        Some("authenticated")
    );
    db.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn auth_uid_is_null_without_claims_and_reads_legacy_settings() {
    let db = test_db().await;
    assert_eq!(scalar(&db, "SELECT auth.uid()").await, None);
    db.batch_execute("SELECT set_config('request.jwt.claims', '', false)")
        .await
        .unwrap();
    assert_eq!(
        scalar(&db, "SELECT auth.uid()").await,
        None,
        "an empty setting counts as absent"
    );
    let user = "00000000-0000-4000-8000-000000000001";
    db.batch_execute(&format!(
        "SELECT set_config('request.jwt.claim.sub', '{user}', false)"
    ))
    .await
    .unwrap();
    assert_eq!(
        scalar(&db, "SELECT auth.uid()").await.as_deref(),
        Some(user)
    );
}

#[tokio::test]
async fn shim_has_roles_tables_and_search_path_pinned_functions() {
    let db = test_db().await;
    let roles = scalar(
        &db,
        "SELECT string_agg(rolname || ':' || rolbypassrls, ',' ORDER BY rolname) FROM pg_roles \
         WHERE rolname IN ('anon', 'authenticated', 'service_role')",
    )
    .await;
    assert_eq!(
        roles.as_deref(),
        Some("anon:false,authenticated:false,service_role:true")
    );
    let columns = scalar(
        &db,
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns \
         WHERE table_schema = 'auth' AND table_name = 'users'",
    )
    .await;
    assert_eq!(
        columns.as_deref(),
        Some("id,email,phone,raw_user_meta_data,raw_app_meta_data,created_at,updated_at")
    );
    assert_eq!(
        scalar(&db, "SELECT to_regclass('auth.sessions')::text")
            .await
            .as_deref(),
        Some("auth.sessions")
    );
    // Every shim function pins its search_path.
    let unpinned = scalar(
        &db,
        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE (n.nspname = 'auth' OR p.proname = 'apply_postgrest_permissions') \
         AND NOT coalesce(p.proconfig @> ARRAY['search_path=\"\"'], false)",
    )
    .await;
    assert_eq!(unpinned.as_deref(), Some("0"));
    // apply_postgrest_permissions() only notifies.
    assert_eq!(
        scalar(&db, "SELECT public.apply_postgrest_permissions()::text")
            .await
            .as_deref(),
        Some("")
    );
}

#[tokio::test]
async fn tables_created_in_public_are_granted_to_the_api_roles() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.things (id int)")
        .await
        .unwrap();
    let grants = scalar(
        &db,
        "SELECT string_agg(DISTINCT grantee, ',' ORDER BY grantee) FROM information_schema.role_table_grants \
         WHERE table_name = 'things' AND privilege_type = 'SELECT' AND grantee <> 'postgres'",
    )
    .await;
    assert_eq!(grants.as_deref(), Some("anon,authenticated,service_role"));
}

#[tokio::test]
async fn the_shim_is_not_installed_twice() {
    let db = test_db().await;
    let installed = schemaforge::db::shim::install_if_missing(&db)
        .await
        .unwrap();
    assert!(!installed, "auth already exists, so nothing is installed");
}
