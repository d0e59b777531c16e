//! The linter on real-world Supabase shapes that it used to get wrong, each loaded from its
//! fixture in `tests/fixtures/lint/` into a database of its own: missed security-definer
//! functions, a search_path fix that broke working code, policies that recurse, OR branches,
//! non-API roles, access-token hooks and extensions in public.
mod common;

use common::{TestDb, scalar, test_db};
use schemaforge::catalog::Catalog;
use schemaforge::rls::lint::{Finding, LintContext, lint, search_path::fix_statement};

async fn loaded(fixture: &str) -> TestDb {
    let path = format!(
        "{}/tests/fixtures/lint/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let sql = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let db = test_db().await;
    db.batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{fixture}: {}", schemaforge::db::server_error::describe(&e)));
    db
}

async fn catalog(db: &TestDb) -> Catalog {
    schemaforge::db::catalog::read(db).await.unwrap()
}

fn findings(catalog: &Catalog, rule: &str) -> Vec<Finding> {
    lint(catalog, &LintContext::live())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

fn objects(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.object.as_str()).collect()
}

#[tokio::test]
async fn security_definer_functions_executable_by_the_api_roles_are_reported_and_shown() {
    let db = loaded("definer_exposed.sql").await;
    let cat = catalog(&db).await;
    let anon = findings(&cat, "anon_security_definer_function_executable");
    assert_eq!(objects(&anon), ["public.create_user(new_email text)"]);
    assert!(anon[0].message.contains("/rest/v1/rpc/create_user"));
    assert!(anon[0].remedy.starts_with(
        "REVOKE EXECUTE ON FUNCTION \"public\".\"create_user\"(new_email text) FROM PUBLIC, anon"
    ));
    let signed_in = findings(&cat, "authenticated_security_definer_function_executable");
    assert_eq!(
        objects(&signed_in),
        ["public.create_user(new_email text)", "public.my_email()"]
    );
    // The grants the linter judged are the server's: has_function_privilege agrees.
    for f in cat.functions.iter().filter(|f| f.schema == "public") {
        for role in ["anon", "authenticated", "service_role"] {
            let server = scalar(
                &db,
                &format!(
                    "SELECT has_function_privilege('{role}', p.oid, 'EXECUTE') \
                     FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace \
                     AND p.proname = '{}' \
                     AND pg_get_function_identity_arguments(p.oid) = '{}'",
                    f.name, f.identity_args
                ),
            )
            .await;
            let reached = cat.roles_reaching(role).iter().any(|r| f.executable_by(r));
            assert_eq!(
                server.as_deref() == Some("t"),
                reached,
                "{role} on {}",
                f.name
            );
        }
    }
    // Inspect shows who may call each function, as text and as JSON.
    let out = common::cli(&db.url, &["inspect", "--schema", "public"]);
    common::assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let create_user = text
        .split("create_user(new_email text)")
        .nth(1)
        .expect("create_user listed");
    let execute = create_user.lines().nth(1).unwrap_or_default();
    assert!(
        execute.contains("EXECUTE:") && execute.contains("PUBLIC") && execute.contains("anon"),
        "{execute}"
    );
    let out = common::cli(&db.url, &["inspect", "--json", "--schema", "public"]);
    common::assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let purge = json["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "purge_user")
        .expect("purge_user in the JSON");
    let grantees: Vec<&str> = purge["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grantee"].as_str().unwrap())
        .collect();
    assert!(grantees.contains(&"service_role"), "{grantees:?}");
    assert!(!grantees.contains(&"PUBLIC") && !grantees.contains(&"anon"));
}

#[tokio::test]
async fn every_suggested_search_path_fix_keeps_the_function_and_its_default_working() {
    let db = loaded("search_path_extension.sql").await;
    // As on Supabase, names in `extensions` resolve through the session's search_path.
    db.batch_execute("SET search_path = \"$user\", public, extensions")
        .await
        .unwrap();
    let cat = catalog(&db).await;
    let found = findings(&cat, "function_search_path_mutable");
    assert_eq!(
        objects(&found),
        [
            "public.invite_count()",
            "public.new_invite_code()",
            "public.qualified_code()"
        ]
    );
    let fix = |object: &str| {
        let f = found.iter().find(|f| f.object == object).unwrap();
        fix_statement(&f.remedy).to_owned()
    };
    assert!(
        fix("public.new_invite_code()").ends_with("SET search_path = \"extensions\""),
        "{}",
        fix("public.new_invite_code()")
    );
    assert!(fix("public.qualified_code()").ends_with("SET search_path = ''"));
    assert!(fix("public.invite_count()").ends_with("SET search_path = \"public\""));
    let unqualified = found
        .iter()
        .find(|f| f.object == "public.new_invite_code()")
        .unwrap();
    assert!(
        unqualified
            .remedy
            .contains("calls gen_random_bytes (extensions)"),
        "says why: {}",
        unqualified.remedy
    );

    // The old advice, '' everywhere, breaks the function and the column default.
    db.batch_execute("BEGIN; ALTER FUNCTION public.new_invite_code() SET search_path = ''")
        .await
        .unwrap();
    let broken = db
        .batch_execute("INSERT INTO public.invites DEFAULT VALUES")
        .await
        .expect_err("'' hides gen_random_bytes");
    assert!(
        broken
            .as_db_error()
            .is_some_and(|e| e.message().contains("gen_random_bytes")),
        "{broken:?}"
    );
    db.batch_execute("ROLLBACK").await.unwrap();

    // Every suggested fix applied; the functions and the default still work, even for a
    // caller whose own search_path finds nothing.
    for f in &found {
        db.batch_execute(fix_statement(&f.remedy))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", f.remedy));
    }
    db.batch_execute("SET search_path = ''").await.unwrap();
    for call in [
        "SELECT public.new_invite_code()",
        "SELECT public.qualified_code()",
        "SELECT public.invite_count()",
    ] {
        assert!(scalar(&db, call).await.is_some(), "{call}");
    }
    db.batch_execute("INSERT INTO public.invites DEFAULT VALUES")
        .await
        .expect("the column default still works");
    assert_eq!(
        scalar(&db, "SELECT public.invite_count()").await.as_deref(),
        Some("1")
    );
    let after = catalog(&db).await;
    assert!(findings(&after, "function_search_path_mutable").is_empty());
}

#[tokio::test]
async fn a_policy_that_reads_its_own_table_is_found_and_the_simulator_says_why() {
    use schemaforge::rls::simulate::{Outcome, SimRole, SimUser, SimulationRequest};
    let db = loaded("policy_recursion.sql").await;
    let cat = catalog(&db).await;
    let found = findings(&cat, "policy_recursion");
    assert_eq!(
        objects(&found),
        [
            "public.teams.owners see teams",
            "public.users.admins can read all users"
        ],
        "the SECURITY DEFINER helper on projects breaks the loop"
    );
    assert!(found[1].message.contains("reads public.users itself"));
    assert!(
        found[1]
            .message
            .contains("infinite recursion detected in policy")
    );
    assert!(
        found[0].message.contains("through a function"),
        "{}",
        found[0].message
    );
    let request = SimulationRequest {
        schemas: vec!["public".into()],
        user: SimUser::Generated,
        role: SimRole::Authenticated,
        setup: Vec::new(),
        samples: None,
    };
    let report = schemaforge::db::simulate::simulate(&db, None, &request)
        .await
        .unwrap();
    let users = report.table("public.users").expect("users probed");
    assert_eq!(users.select.outcome, Outcome::Failed);
    let message = users.select.message.as_deref().unwrap_or_default();
    assert!(
        message.contains("infinite recursion detected in policy"),
        "{message}"
    );
    // `lint --simulate` prints the server's reason beside the failed probe.
    let out = common::cli(&db.url, &["lint", "--simulate"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SELECT failed: infinite recursion detected in policy"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let projects = report.table("public.projects").unwrap();
    assert_eq!(projects.select.outcome, Outcome::Allowed);
}

#[tokio::test]
async fn or_branches_are_alternatives_for_client_fields() {
    let db = loaded("or_branches.sql").await;
    let cat = catalog(&db).await;
    assert!(
        findings(&cat, "policy_requires_client_field").is_empty(),
        "{:#?}",
        findings(&cat, "policy_requires_client_field")
    );
}

#[tokio::test]
async fn multiple_permissive_policies_ignores_the_auth_servers_role() {
    let db = loaded("auth_admin_policies.sql").await;
    let cat = catalog(&db).await;
    assert!(
        findings(&cat, "multiple_permissive_policies").is_empty(),
        "{:#?}",
        findings(&cat, "multiple_permissive_policies")
    );
    // An API role with two policies is still reported.
    db.batch_execute(
        "CREATE POLICY \"users read all roles\" ON public.user_roles FOR SELECT TO authenticated USING (true)",
    )
    .await
    .unwrap();
    let found = findings(&catalog(&db).await, "multiple_permissive_policies");
    assert_eq!(objects(&found), ["public.user_roles"]);
    assert!(!found[0].message.contains("supabase_auth_admin"));
}

#[tokio::test]
async fn an_access_token_hook_changes_what_invented_jwt_claim_says() {
    let db = loaded("access_token_hook.sql").await;
    let cat = catalog(&db).await;
    let found = findings(&cat, "invented_jwt_claim");
    assert_eq!(objects(&found), ["public.reports.admins read reports"]);
    assert!(
        found[0]
            .message
            .contains("public.custom_access_token_hook may add it"),
        "{}",
        found[0].message
    );
    assert!(!found[0].message.contains("does not issue (only"));
}

#[tokio::test]
async fn extensions_in_public_are_reported() {
    let db = loaded("extension_in_public.sql").await;
    let cat = catalog(&db).await;
    let found = findings(&cat, "extension_in_public");
    assert_eq!(objects(&found), ["extension pg_trgm"]);
    assert!(found[0].remedy.contains("SET SCHEMA extensions"));
}

/// A failed `CREATE UNIQUE INDEX CONCURRENTLY` leaves an invalid index: reported through the
/// real `lint`, and gone once the suggested `REINDEX` runs on clean data.
#[tokio::test]
async fn an_index_left_invalid_by_a_failed_concurrent_build_is_reported() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.events (id bigint PRIMARY KEY, kind text);
         ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
         INSERT INTO public.events VALUES (1, 'a'), (2, 'a');",
    )
    .await
    .unwrap();
    // Outside a transaction block, as CONCURRENTLY needs; it fails on the duplicate.
    assert!(
        db.batch_execute(
            "CREATE UNIQUE INDEX CONCURRENTLY events_kind_key ON public.events (kind)"
        )
        .await
        .is_err()
    );
    let cat = catalog(&db).await;
    let found = findings(&cat, "invalid_index");
    assert_eq!(objects(&found), ["public.events.events_kind_key"]);

    let out = common::cli(&db.url, &["lint", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"invalid_index"), "{rules:?}");

    db.batch_execute("DELETE FROM public.events WHERE id = 2")
        .await
        .unwrap();
    db.batch_execute(&found[0].remedy).await.unwrap();
    assert!(findings(&catalog(&db).await, "invalid_index").is_empty());
}
