//! The planner against real PostgreSQL: golden bundles, apply, re-plan, isolation between
//! users, failures that leave nothing behind, hostile names, stale saved plans.
mod common;

use common::{TestDb, scalar, test_db};
use schemaforge::catalog::{self, Catalog};
use schemaforge::db::apply::{ApplyError, DriftCheck, apply};
use schemaforge::design::{self, ResolvedDesign};
use schemaforge::plan::{Plan, PlanSettings, plan};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/assets/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn resolve(db: &Client, text: &str) -> (ResolvedDesign, Catalog) {
    let catalog = schemaforge::db::catalog::read(db).await.unwrap();
    let (parsed, _) = design::parse(text).unwrap();
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved =
        design::resolve_with_known_tables(&parsed, &known).unwrap_or_else(|d| panic!("{d:?}"));
    (resolved, catalog)
}

async fn plan_text(db: &Client, text: &str) -> Plan {
    let (resolved, catalog) = resolve(db, text).await;
    plan(&resolved, &catalog, &PlanSettings::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The bundle without its first line (the fingerprint differs per database).
fn golden(plan: &Plan) -> String {
    plan.bundle().text.split_once('\n').unwrap().1.to_owned()
}

async fn apply_plan(db: &Client, plan: &Plan) {
    apply(
        db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", plan.bundle().text));
}

/// Applies a design, then checks that planning it again finds nothing to do.
async fn apply_and_replan(db: &TestDb, text: &str) -> Plan {
    let first = plan_text(db, text).await;
    apply_plan(db, &first).await;
    let again = plan_text(db, text).await;
    assert!(
        again.is_empty(),
        "re-plan after apply must be empty, got:\n{}",
        again.bundle().text
    );
    first
}

#[tokio::test]
async fn the_seed_todos_example_plans_applies_and_replans_empty() {
    let db = test_db().await;
    let plan = apply_and_replan(&db, &example("todos.json")).await;
    insta::assert_snapshot!("todos_bundle", golden(&plan));
    let columns = scalar(
        &db,
        "SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY ordinal_position) \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'todos'",
    )
    .await
    .unwrap();
    assert_eq!(
        columns,
        "id:uuid:NO,created_at:timestamp with time zone:NO,updated_at:timestamp with time zone:NO,\
         created_by:uuid:YES,updated_by:uuid:YES,title:text:NO,completed:boolean:NO"
    );
    let catalog = schemaforge::db::catalog::read(&db).await.unwrap();
    let todos = catalog.table("public", "todos").unwrap();
    assert!(todos.rls_enabled);
    assert_eq!(
        todos.policies[0].using.as_deref(),
        Some("(created_by = ( SELECT auth.uid() AS uid))")
    );
    assert!(todos.trigger("set_updated_fields").is_some());
    assert!(todos.index("idx_todos_created_by").is_some());
    assert_eq!(todos.foreign_keys[0].references_table, "users");
}

#[tokio::test]
async fn every_field_type_and_relationship_kind_applies_and_replans_empty() {
    let db = test_db().await;
    // The design calls an existing trigger function by name.
    db.batch_execute(
        "CREATE FUNCTION public.notify_task_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    )
    .await
    .unwrap();
    let plan = apply_and_replan(&db, &example("every_field_type.json")).await;
    insta::assert_snapshot!("every_field_type_bundle", golden(&plan));

    // The constraints are real: a bad status and a rating over its max are refused.
    let project = scalar(&db, "INSERT INTO projects (name) VALUES ('p') RETURNING id")
        .await
        .unwrap();
    let insert = |extra: &str| {
        format!("INSERT INTO tasks (title, project_id{extra}) VALUES ('t', '{project}'")
    };
    assert!(
        db.batch_execute(&format!("{}, 'nope')", insert(", status")))
            .await
            .is_err()
    );
    assert!(
        db.batch_execute(&format!("{}, 11)", insert(", priority")))
            .await
            .is_err()
    );
    assert!(
        db.batch_execute(&format!("{}, 'not an email')", insert(", contact_email")))
            .await
            .is_err()
    );
    db.batch_execute(&format!("{}, 'a@b.co')", insert(", contact_email")))
        .await
        .unwrap();
    // The formula is computed, and the companion view computes over the relationship.
    assert_eq!(
        scalar(&db, "SELECT title_length FROM tasks")
            .await
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        scalar(&db, "SELECT open_tasks FROM projects_view")
            .await
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        scalar(&db, "SELECT project_name FROM tasks_view")
            .await
            .as_deref(),
        Some("p")
    );
    // The public reference table is read-only for the API roles.
    let grants = scalar(
        &db,
        "SELECT string_agg(DISTINCT privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants \
         WHERE table_name = 'tags' AND grantee IN ('anon', 'authenticated')",
    )
    .await;
    assert_eq!(grants.as_deref(), Some("SELECT"));
}

#[tokio::test]
async fn an_existing_table_only_gets_what_is_missing() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.todos (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), title text NOT NULL, \
         completed int DEFAULT 0); INSERT INTO public.todos (title) VALUES ('keep me');",
    )
    .await
    .unwrap();
    let plan = plan_text(&db, &example("todos.json")).await;
    insta::assert_snapshot!("incremental_bundle", golden(&plan));
    // The design's boolean replaces the integer column's type: a narrowing, so the only
    // destructive step, with a note that the table is rewritten.
    let destructive: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.destructive)
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        destructive,
        [
            "ALTER TABLE \"public\".\"todos\" ALTER COLUMN \"completed\" TYPE boolean USING \"completed\"::boolean"
        ]
    );
    assert!(
        plan.notes.iter().any(|n| n.starts_with(
            "public.todos.completed: integer → boolean: ALTER COLUMN TYPE rewrites the table"
        )),
        "{:?}",
        plan.notes
    );
    apply_plan(&db, &plan).await;
    assert_eq!(
        scalar(&db, "SELECT title FROM todos").await.as_deref(),
        Some("keep me")
    );
    assert!(plan_text(&db, &example("todos.json")).await.is_empty());
}

async fn as_user(db: &Client, user: &str) {
    db.batch_execute(&format!(
        "RESET ROLE; SET ROLE authenticated; SELECT set_config('request.jwt.claims', '{{\"sub\":\"{user}\",\"role\":\"authenticated\"}}', false)"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn two_users_each_see_and_change_only_their_own_rows() {
    let db = test_db().await;
    apply_and_replan(&db, &example("todos.json")).await;
    let alice = "aaaaaaaa-0000-4000-8000-000000000001";
    let bob = "bbbbbbbb-0000-4000-8000-000000000002";
    db.batch_execute(&format!("INSERT INTO auth.users (id, email) VALUES ('{alice}', 'alice@example.com'), ('{bob}', 'bob@example.com')"))
        .await
        .unwrap();
    as_user(&db, alice).await;
    db.batch_execute("INSERT INTO todos (title) VALUES ('alice 1'), ('alice 2')")
        .await
        .unwrap();
    as_user(&db, bob).await;
    db.batch_execute("INSERT INTO todos (title) VALUES ('bob 1')")
        .await
        .unwrap();
    assert_eq!(
        scalar(&db, "SELECT string_agg(title, ',') FROM todos")
            .await
            .as_deref(),
        Some("bob 1")
    );
    // Bob can neither change nor delete Alice's rows, nor insert rows as Alice.
    db.batch_execute("UPDATE todos SET title = 'hacked' WHERE title LIKE 'alice%'")
        .await
        .unwrap();
    db.batch_execute("DELETE FROM todos WHERE title LIKE 'alice%'")
        .await
        .unwrap();
    let forged = db
        .batch_execute(&format!(
            "INSERT INTO todos (title, created_by) VALUES ('forged', '{alice}')"
        ))
        .await;
    assert!(
        forged.is_err(),
        "WITH CHECK stops writing rows owned by someone else"
    );
    as_user(&db, alice).await;
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(title, ',' ORDER BY title) FROM todos"
        )
        .await
        .as_deref(),
        Some("alice 1,alice 2")
    );
    db.batch_execute("UPDATE todos SET completed = true WHERE title = 'alice 1'")
        .await
        .unwrap();
    assert_eq!(
        scalar(
            &db,
            "SELECT updated_by::text FROM todos WHERE title = 'alice 1'"
        )
        .await
        .as_deref(),
        Some(alice),
        "the trigger records who changed the row"
    );
    // Not signed in: nothing.
    db.batch_execute("RESET ROLE; SET ROLE anon").await.unwrap();
    assert!(
        db.batch_execute("SELECT * FROM todos").await.is_err()
            || scalar(&db, "SELECT count(*) FROM todos").await.as_deref() == Some("0")
    );
}

#[tokio::test]
async fn a_broken_policy_fails_and_leaves_the_catalog_exactly_as_it_was() {
    let db = test_db().await;
    let design =
        example("todos.json").replace("created_by = auth.uid()", "created_by = = auth.uid()");
    let before = schemaforge::db::catalog::read(&db).await.unwrap();
    let plan = plan_text(&db, &design).await;
    let err = apply(
        &db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap_err();
    let ApplyError::Statement(failure) = &err else {
        panic!("{err}")
    };
    assert!(
        failure
            .sql
            .starts_with("CREATE POLICY \"User Access Own Todos\""),
        "{}",
        failure.sql
    );
    assert_eq!(failure.code, "42601");
    assert!(
        failure.message.contains("syntax error"),
        "{}",
        failure.message
    );
    assert!(failure.position.is_some());
    let after = schemaforge::db::catalog::read(&db).await.unwrap();
    assert_eq!(catalog::fingerprint(&before), catalog::fingerprint(&after));
    assert_eq!(
        serde_json::to_string(&before.tables).unwrap(),
        serde_json::to_string(&after.tables).unwrap()
    );
    assert_eq!(before.functions, after.functions);
}

#[tokio::test]
async fn hostile_names_are_created_exactly_as_named_and_nothing_else_runs() {
    let db = test_db().await;
    let long = "Ω".repeat(50); // 100 bytes: cut safely, never by the server
    let design = serde_json::json!({
        "tables": [{
            "name": "x\"; DROP TABLE auth.users; --",
            "db_name": "x\"; DROP TABLE auth.users; --",
            "fields": [
                {"name": "it's; --", "db_name": "it's; --", "type": "singleLineText", "is_primary": true,
                 "options": {"default": "'); DROP TABLE auth.users; --"}},
                {"name": long.clone(), "type": "number"}
            ],
            "rls_policies": [{"name": "p\"; --", "operation": "SELECT", "using_expression": "true"}]
        }]
    })
    .to_string();
    let plan = apply_and_replan(&db, &design).await;
    assert!(!plan.is_empty());
    let catalog = schemaforge::db::catalog::read(&db).await.unwrap();
    assert!(catalog.table("auth", "users").is_some(), "nothing else ran");
    let table = catalog
        .table("public", "x\"; DROP TABLE auth.users; --")
        .expect("created exactly as named");
    assert!(table.column("it's; --").is_some());
    assert!(table.policy("p\"; --").is_some());
    assert!(table.columns.iter().all(|c| c.name.len() <= 63));
    assert_eq!(
        table.column("it's; --").unwrap().default.as_deref(),
        Some("'''); DROP TABLE auth.users; --'::text")
    );
}

#[tokio::test]
async fn a_stale_saved_plan_is_refused_with_exit_3_and_a_fresh_one_applies() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-plan-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let design_file = dir.join("todos.json");
    std::fs::write(&design_file, example("todos.json")).unwrap();
    let saved = dir.join("todos.plan");
    let run = |args: &[&str]| common::cli(&db.url, args);
    let out = run(&[
        "plan",
        design_file.to_str().unwrap(),
        "--out",
        saved.to_str().unwrap(),
    ]);
    common::assert_success(&out);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.starts_with("-- schemaforge plan · catalog fingerprint sha256:"));

    db.batch_execute("CREATE TABLE public.someone_elses (id int)")
        .await
        .unwrap();
    let out = run(&["apply", "--plan", saved.to_str().unwrap(), "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("changed since this plan was made"));
    assert_eq!(
        scalar(&db, "SELECT to_regclass('public.todos')::text").await,
        None,
        "nothing applied"
    );

    let out = run(&[
        "plan",
        design_file.to_str().unwrap(),
        "--out",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["apply", "--plan", saved.to_str().unwrap(), "--yes"]);
    common::assert_success(&out);
    assert!(
        scalar(&db, "SELECT to_regclass('public.todos')::text")
            .await
            .is_some()
    );
    // Nothing left to do: no SQL on stdout, exit 0.
    let out = run(&["plan", design_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    // An invalid design is exit 2 and names the path.
    std::fs::write(
        &design_file,
        example("todos.json").replace("singleLineText", "singleLinetext"),
    )
    .unwrap();
    let out = run(&["plan", design_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tables[0].fields[0].type"), "{stderr}");
    assert!(
        stderr.contains("did you mean \"singleLineText\""),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn explicit_drops_are_destructive_steps_and_replanning_stays_empty() {
    let db = test_db().await;
    apply_and_replan(&db, &example("todos.json")).await;
    db.batch_execute("ALTER TABLE public.todos ADD COLUMN legacy text")
        .await
        .unwrap();

    // Listing a policy that already matches the design changes nothing.
    let mut design: serde_json::Value = serde_json::from_str(&example("todos.json")).unwrap();
    design["tables"][0]["drop_policies"] = serde_json::json!(["User Access Own Todos"]);
    assert!(plan_text(&db, &design.to_string()).await.is_empty());

    // A changed policy is replaced, an unwanted column dropped; both are marked destructive.
    design["tables"][0]["drop_columns"] = serde_json::json!(["legacy"]);
    design["tables"][0]["rls_policies"][0]["operation"] = serde_json::json!("SELECT");
    let text = design.to_string();
    let plan = plan_text(&db, &text).await;
    let destructive: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.destructive)
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        destructive,
        [
            "ALTER TABLE \"public\".\"todos\" DROP COLUMN \"legacy\"",
            "DROP POLICY \"User Access Own Todos\" ON \"public\".\"todos\""
        ]
    );
    assert_eq!(plan.summary().destructive, 2);
    assert!(plan.bundle().has_destructive_steps());
    apply_plan(&db, &plan).await;
    let catalog = schemaforge::db::catalog::read(&db).await.unwrap();
    let todos = catalog.table("public", "todos").unwrap();
    assert!(todos.column("legacy").is_none());
    assert_eq!(
        todos.policy("User Access Own Todos").unwrap().command.sql(),
        "SELECT"
    );
    assert!(
        plan_text(&db, &text).await.is_empty(),
        "the same design again: nothing to do"
    );
}

#[test]
fn drops_that_contradict_the_design_are_errors() {
    let mut design: serde_json::Value = serde_json::from_str(&example("todos.json")).unwrap();
    design["tables"][0]["drop_columns"] = serde_json::json!(["created_by", "title"]);
    let errors = design::load(&design.to_string()).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.starts_with("tables[0].drop_columns[0]: \"created_by\" is a system field")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.starts_with("tables[0].drop_columns[1]: \"title\" is also a field")),
        "{text:?}"
    );
}

#[test]
fn an_expression_that_tries_to_end_the_statement_is_refused_before_planning() {
    // Validation refuses it now, at the same path, before the planner or the server sees it.
    let design =
        example("todos.json").replace("created_by = auth.uid()", "true); COMMIT; SELECT (1");
    let errors = design::load(&design).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.starts_with("tables[0].rls_policies[0].using_expression: ")),
        "{text:?}"
    );
    let design = example("every_field_type.json").replace(
        "char_length(title)",
        "1) STORED, evil int GENERATED ALWAYS AS (1",
    );
    let errors = design::load(&design).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.path.ends_with(".options.expression")),
        "{errors:?}"
    );
}

#[test]
fn nul_bytes_and_drops_of_relationship_columns_are_named() {
    let mut design: serde_json::Value = serde_json::from_str(&example("todos.json")).unwrap();
    design["tables"][0]["description"] = serde_json::json!("before\u{0}after");
    let errors = design::parse(&design.to_string()).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "tables[0].description: contains a NUL byte (\\u0000), which PostgreSQL text cannot hold"
    );

    let text = example("every_field_type.json").replace(
        "\"name\": \"Tasks\",",
        "\"name\": \"Tasks\", \"drop_columns\": [\"project_id\"],",
    );
    let errors = design::load(&text).unwrap_err();
    assert!(
        errors.iter().any(|e| e
            .to_string()
            .contains("\"project_id\" is the column of one of this table's relationships")),
        "{errors:?}"
    );
}
