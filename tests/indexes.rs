//! Designed indexes against real PostgreSQL: single, composite, DESC, partial, unique and
//! GIN indexes are created as designed, re-plan empty, a changed one is dropped and created
//! again, and `design --from-db` gives them back so its plan is empty too.
mod common;

use common::{scalar, test_db};
use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::design::{self, Design};
use schemaforge::plan::{Plan, PlanSettings, StepKind, plan};
use serde_json::{Value, json};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn todos(partial_where: &str) -> Value {
    json!({
        "tables": [
            {"name": "Projects", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]},
            {"name": "Todos", "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true},
                {"name": "status", "type": "singleSelect", "options": {"choices": ["open", "done"]}},
                {"name": "tags", "type": "multiSelect", "options": {"choices": ["home", "work"]}},
                {"name": "meta", "type": "json"}
            ], "indexes": [
                {"columns": ["title"]},
                {"columns": ["project_id", "created_at DESC"]},
                {"columns": ["created_at DESC"]},
                {"columns": ["status"], "where": partial_where},
                {"columns": ["title", "project_id"], "unique": true, "name": "todos_title_per_project"},
                {"columns": ["tags"], "method": "gin"},
                {"columns": ["meta"], "method": "gin"}
            ]}
        ],
        "relationships": [{"table": "todos", "name": "project", "target": "projects"}]
    })
}

async fn catalog(db: &Client) -> Catalog {
    schemaforge::db::catalog::read(db).await.unwrap()
}

fn plan_design(design: &Design, catalog: &Catalog) -> Plan {
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved =
        design::resolve_with_known_tables(design, &known).unwrap_or_else(|d| panic!("{d:?}"));
    plan(&resolved, catalog, &PlanSettings::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

async fn plan_json(db: &Client, design: &Value) -> Plan {
    let (parsed, _) = design::parse(&design.to_string()).unwrap_or_else(|d| panic!("{d:?}"));
    plan_design(&parsed, &catalog(db).await)
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

async fn definitions(db: &Client) -> Vec<String> {
    scalar(
        db,
        "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes \
         WHERE schemaname = 'public' AND tablename = 'todos'",
    )
    .await
    .unwrap()
    .lines()
    .map(str::to_owned)
    .collect()
}

#[tokio::test]
async fn designed_indexes_are_created_replan_empty_change_and_round_trip() {
    let db = test_db().await;
    let first = plan_json(&db, &todos("status <> 'done'")).await;
    let bundle = first.bundle().text;
    // After the relationship columns they may use, before the linking tables and policies.
    let relations = bundle.find("-- relations").expect("a relations section");
    let indexes = bundle.find("-- indexes").expect("an indexes section");
    let policies = bundle
        .find("-- row-level security")
        .expect("an RLS section");
    assert!(relations < indexes && indexes < policies, "{bundle}");
    assert!(
        bundle.contains(
            "CREATE INDEX \"idx_todos_project_id_created_at\" ON \"public\".\"todos\" (\"project_id\", \"created_at\" DESC);"
        ),
        "{bundle}"
    );
    assert!(
        bundle.contains(
            "CREATE INDEX \"idx_todos_status\" ON \"public\".\"todos\" (\"status\") WHERE (status <> 'done');"
        ),
        "{bundle}"
    );
    apply_plan(&db, &first).await;

    let defs = definitions(&db).await;
    for expected in [
        "CREATE INDEX idx_todos_created_at ON public.todos USING btree (created_at DESC)",
        "CREATE INDEX idx_todos_created_by ON public.todos USING btree (created_by)",
        "CREATE INDEX idx_todos_meta ON public.todos USING gin (meta)",
        "CREATE INDEX idx_todos_project_id ON public.todos USING btree (project_id)",
        "CREATE INDEX idx_todos_project_id_created_at ON public.todos USING btree (project_id, created_at DESC)",
        "CREATE INDEX idx_todos_status ON public.todos USING btree (status) WHERE (status <> 'done'::text)",
        "CREATE INDEX idx_todos_tags ON public.todos USING gin (tags)",
        "CREATE INDEX idx_todos_title ON public.todos USING btree (title)",
        "CREATE UNIQUE INDEX todos_title_per_project ON public.todos USING btree (title, project_id)",
    ] {
        assert!(
            defs.iter().any(|d| d == expected),
            "missing {expected} in\n{}",
            defs.join("\n")
        );
    }
    let again = plan_json(&db, &todos("status <> 'done'")).await;
    assert!(again.is_empty(), "{}", again.bundle().text);

    // The unique index refuses a second todo of the same title in one project.
    db.batch_execute(
        "INSERT INTO projects (title) VALUES ('p'); \
         INSERT INTO todos (title, project_id) SELECT 't', id FROM projects;",
    )
    .await
    .unwrap();
    let twice = db
        .batch_execute("INSERT INTO todos (title, project_id) SELECT 't', id FROM projects")
        .await
        .unwrap_err();
    assert!(
        twice
            .as_db_error()
            .is_some_and(|e| e.constraint() == Some("todos_title_per_project")),
        "{twice:?}"
    );

    // A changed predicate: dropped and created again, said so, applied, then nothing to do.
    let changed = plan_json(&db, &todos("status = 'open'")).await;
    let kinds: Vec<StepKind> = changed
        .steps
        .iter()
        .filter(|s| s.kind != StepKind::Refresh)
        .map(|s| s.kind)
        .collect();
    assert_eq!(kinds, [StepKind::DropIndex, StepKind::CreateIndex]);
    assert!(!changed.steps[0].destructive);
    assert!(
        changed
            .notes
            .iter()
            .any(|n| n.contains("idx_todos_status") && n.contains("CONCURRENTLY")),
        "{:?}",
        changed.notes
    );
    apply_plan(&db, &changed).await;
    assert!(
        definitions(&db).await.iter().any(|d| d
            == "CREATE INDEX idx_todos_status ON public.todos USING btree (status) WHERE (status = 'open'::text)")
    );
    let again = plan_json(&db, &todos("status = 'open'")).await;
    assert!(again.is_empty(), "{}", again.bundle().text);

    // The live schema as a design gives the indexes back, and plans nothing.
    let live = catalog(&db).await;
    let from_db = schemaforge::from_catalog::design_from_catalog(&live, "public", None);
    let table = from_db
        .design
        .tables
        .iter()
        .find(|t| t.name == "todos")
        .expect("todos");
    let written: Vec<Value> = table
        .indexes
        .iter()
        .map(|i| serde_json::to_value(i).unwrap())
        .collect();
    assert_eq!(written.len(), 7, "{written:?}\n{:?}", from_db.notes);
    assert!(written.contains(&json!({"columns": ["created_at DESC"]})));
    assert!(written.contains(&json!({"columns": ["tags"], "method": "gin"})));
    assert!(written.contains(&json!({"columns": ["status"], "where": "(status = 'open'::text)"})));
    assert!(written.contains(
        &json!({"columns": ["title", "project_id"], "unique": true, "name": "todos_title_per_project"})
    ));
    assert!(
        !from_db.notes.iter().any(|n| n.contains("index")),
        "{:?}",
        from_db.notes
    );
    let round_trip = plan_design(&from_db.design, &live);
    assert!(round_trip.is_empty(), "{}", round_trip.bundle().text);
}

#[tokio::test]
async fn an_index_added_to_a_live_table_is_planned_alone() {
    let db = test_db().await;
    let mut design = todos("status <> 'done'");
    let wanted = std::mem::replace(&mut design["tables"][1]["indexes"], json!([]));
    apply_plan(&db, &plan_json(&db, &design).await).await;
    design["tables"][1]["indexes"] = json!([wanted[2]]);
    let added = plan_json(&db, &design).await;
    let creates: Vec<&str> = added
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::CreateIndex)
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        creates,
        ["CREATE INDEX \"idx_todos_created_at\" ON \"public\".\"todos\" (\"created_at\" DESC)"]
    );
    apply_plan(&db, &added).await;
    assert!(plan_json(&db, &design).await.is_empty());
}

/// `schemaforge lint` on a design (the same analysis the TUI shows) suggests an index for a
/// column a policy filters on, and is quiet once the design has it.
#[tokio::test]
async fn lint_suggests_an_index_for_a_policy_column() {
    let db = test_db().await;
    let mut design = json!({"tables": [{"name": "Notes", "fields": [
        {"name": "title", "type": "singleLineText", "is_primary": true},
        {"name": "owner_email", "type": "email"}
    ], "rls_policies": [{"name": "Mine by email", "operation": "SELECT",
        "using_expression": "owner_email = (select auth.email())"}]}]});
    let path = std::env::temp_dir().join(format!("schemaforge-index-lint-{}.json", db.name));
    let lint = |design: &Value| {
        std::fs::write(&path, design.to_string()).unwrap();
        let out = common::cli(&db.url, &["lint", "--json", path.to_str().unwrap()]);
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "rls_column_unindexed")
            .cloned()
            .collect::<Vec<Value>>()
    };
    let found = lint(&design);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["object"], "public.notes");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"Mine by email\" filters on public.notes.owner_email"),
        "{found:?}"
    );
    assert!(
        found[0]["remedy"]
            .as_str()
            .unwrap()
            .contains("{\"columns\": [\"owner_email\"]}")
    );
    design["tables"][0]["indexes"] = json!([{"columns": ["owner_email"]}]);
    assert_eq!(lint(&design), Vec::<Value>::new());
    let _ = std::fs::remove_file(&path);
}
