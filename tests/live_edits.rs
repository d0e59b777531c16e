//! Changing what exists, against real PostgreSQL: every property of the design model is
//! changed, one after another, on an applied design. Each change must give a step that does
//! it (or a note that says why it cannot be done in place); after applying it, planning the
//! same design again must be empty.
mod common;

use common::{TestDb, test_db};
use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::design;
use schemaforge::plan::{Plan, PlanSettings, StepKind, plan};
use serde_json::{Value, json};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/assets/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut design: Value = serde_json::from_str(&text).unwrap();
    // Samples are not what this test is about; they would load again on every apply.
    design.as_object_mut().unwrap().remove("samples");
    design
}

async fn plan_design(db: &Client, design: &Value) -> Plan {
    let catalog: Catalog = schemaforge::db::catalog::read(db).await.unwrap();
    let (parsed, _) = design::parse(&design.to_string()).unwrap_or_else(|d| panic!("{d:?}"));
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved =
        design::resolve_with_known_tables(&parsed, &known).unwrap_or_else(|d| panic!("{d:?}"));
    plan(&resolved, &catalog, &PlanSettings::default()).unwrap_or_else(|e| panic!("{e:?}"))
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

fn table<'a>(design: &'a mut Value, name: &str) -> &'a mut Value {
    design["tables"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == name || t["db_name"] == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

fn field<'a>(design: &'a mut Value, table_name: &str, name: &str) -> &'a mut Value {
    table(design, table_name)["fields"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn options<'a>(design: &'a mut Value, table_name: &str, name: &str) -> &'a mut Value {
    let f = field(design, table_name, name);
    if f.get("options").is_none() {
        f["options"] = json!({});
    }
    &mut f["options"]
}

fn policy<'a>(design: &'a mut Value, table_name: &str, name: &str) -> &'a mut Value {
    table(design, table_name)["rls_policies"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

/// What a change must produce: steps of these kinds (with their destructiveness), or a note
/// containing this text.
enum Expect {
    Steps(&'static [(StepKind, bool)]),
    Note(&'static str),
}

type Mutation = (&'static str, fn(&mut Value), Expect);

fn mutations() -> Vec<Mutation> {
    use Expect::*;
    use StepKind::*;
    vec![
        (
            "default changed",
            |d| options(d, "Tasks", "Estimate")["default"] = json!(2.25),
            Steps(&[(AlterDefault, false)]),
        ),
        (
            "default removed",
            |d| {
                options(d, "Tasks", "Details")
                    .as_object_mut()
                    .unwrap()
                    .remove("default");
            },
            Steps(&[(AlterDefault, false)]),
        ),
        (
            "default added",
            |d| options(d, "Tasks", "Notes")["default"] = json!("none yet"),
            Steps(&[(AlterDefault, false)]),
        ),
        (
            "default as expression",
            |d| {
                options(d, "Tasks", "Due date")["default"] =
                    json!({"expression": "current_date + 7"})
            },
            Steps(&[(AlterDefault, false)]),
        ),
        (
            "checkbox default",
            |d| options(d, "Tasks", "Completed")["default"] = json!(true),
            Steps(&[(AlterDefault, false)]),
        ),
        (
            "required on",
            |d| options(d, "Tasks", "Weight")["required"] = json!(true),
            Steps(&[(AlterNullability, false)]),
        ),
        (
            "required off",
            |d| options(d, "Tasks", "Status")["required"] = json!(false),
            Steps(&[(AlterNullability, false)]),
        ),
        (
            "unique on",
            |d| options(d, "Tasks", "Link")["unique"] = json!(true),
            Steps(&[(AddConstraint, false)]),
        ),
        (
            "unique off",
            |d| options(d, "Tasks", "Position")["unique"] = json!(false),
            Steps(&[(DropConstraint, true)]),
        ),
        (
            "choices changed",
            |d| {
                options(d, "Tasks", "Status")["choices"] =
                    json!(["todo", "doing", "done", "won't do"])
            },
            Steps(&[(DropConstraint, false), (AddConstraint, false)]),
        ),
        (
            "multi choices changed",
            |d| options(d, "Tasks", "Labels")["choices"] = json!(["bug", "feature"]),
            Steps(&[(DropConstraint, false), (AddConstraint, false)]),
        ),
        (
            "max length changed",
            |d| options(d, "Tasks", "Title")["max_length"] = json!(300),
            Steps(&[(DropConstraint, false), (AddConstraint, false)]),
        ),
        (
            "rating max changed",
            |d| options(d, "Tasks", "Priority")["max"] = json!(5),
            Steps(&[(DropConstraint, false), (AddConstraint, false)]),
        ),
        (
            "limit removed",
            |d| {
                options(d, "Projects", "Name")
                    .as_object_mut()
                    .unwrap()
                    .remove("max_length");
            },
            Steps(&[(DropConstraint, true)]),
        ),
        (
            "precision widened",
            |d| options(d, "Tasks", "Estimate")["precision"] = json!(8),
            Steps(&[(AlterColumnType, false)]),
        ),
        (
            "type narrowed",
            |d| options(d, "Tasks", "Weight")["integer"] = json!(true),
            Steps(&[(AlterColumnType, true)]),
        ),
        (
            "field type changed",
            |d| field(d, "Tasks", "Contact phone")["type"] = json!("singleLineText"),
            Steps(&[(DropConstraint, true)]),
        ),
        (
            "field description changed",
            |d| options(d, "Tasks", "Title")["description"] = json!("What to do next"),
            Steps(&[(Comment, false)]),
        ),
        (
            "field description removed",
            |d| {
                options(d, "Tasks", "Title")
                    .as_object_mut()
                    .unwrap()
                    .remove("description");
            },
            Steps(&[(Comment, false)]),
        ),
        (
            "currency code changed",
            |d| options(d, "Tasks", "Budget")["currency_code"] = json!("USD"),
            Steps(&[(Comment, false)]),
        ),
        (
            "table description changed",
            |d| table(d, "Projects")["description"] = json!("Groups of tasks, by team"),
            Steps(&[(Comment, false)]),
        ),
        (
            "table description removed",
            |d| {
                table(d, "Projects")
                    .as_object_mut()
                    .unwrap()
                    .remove("description");
            },
            Steps(&[(Comment, false)]),
        ),
        (
            "relationship cascade off",
            |d| d["relationships"][0]["cascade_delete"] = json!(false),
            Steps(&[(DropConstraint, false), (AddForeignKey, false)]),
        ),
        (
            "relationship optional",
            |d| d["relationships"][0]["required"] = json!(false),
            Steps(&[(AlterNullability, false)]),
        ),
        (
            "relationship required",
            |d| d["relationships"][0]["required"] = json!(true),
            Steps(&[(AlterNullability, false)]),
        ),
        (
            "policy expression changed",
            |d| {
                policy(d, "Tasks", "Own tasks")["using_expression"] =
                    json!("created_by = auth.uid() OR updated_by = auth.uid()")
            },
            Steps(&[(AlterPolicy, false)]),
        ),
        (
            "policy roles changed",
            |d| policy(d, "Projects", "Read all projects")["roles"] = json!(["authenticated"]),
            Steps(&[(AlterPolicy, false)]),
        ),
        (
            "policy check changed",
            |d| {
                policy(d, "Tasks", "Insert own")["with_check_expression"] =
                    json!("created_by = auth.uid() AND title <> ''")
            },
            Steps(&[(AlterPolicy, false)]),
        ),
        (
            "policy command changed",
            |d| policy(d, "Projects", "Owners write")["operation"] = json!("UPDATE"),
            Steps(&[(DropPolicy, false), (CreatePolicy, false)]),
        ),
        (
            "policy made restrictive",
            |d| policy(d, "Projects", "Read all projects")["permissive"] = json!(false),
            Steps(&[(DropPolicy, false), (CreatePolicy, false)]),
        ),
        (
            "policy renamed",
            |d| {
                let p = policy(d, "Tasks", "Own tasks");
                p["name"] = json!("Owned tasks");
                p["renamed_from"] = json!("Own tasks");
            },
            Steps(&[(Rename, false)]),
        ),
        (
            "rls off",
            |d| table(d, "Projects")["rls_enabled"] = json!(false),
            Steps(&[(DisableRls, true)]),
        ),
        (
            "rls on",
            |d| table(d, "Projects")["rls_enabled"] = json!(true),
            Steps(&[(EnableRls, false)]),
        ),
        (
            "trigger events changed",
            |d| options(d, "Tasks", "Notify")["events"] = json!(["INSERT"]),
            Steps(&[(DropTrigger, false), (CreateTrigger, false)]),
        ),
        (
            "trigger timing changed",
            |d| options(d, "Tasks", "Notify")["timing"] = json!("BEFORE"),
            Steps(&[(DropTrigger, false), (CreateTrigger, false)]),
        ),
        (
            "formula changed",
            |d| options(d, "Tasks", "Title length")["expression"] = json!("char_length(title) + 1"),
            Note("cannot change a generated expression in place"),
        ),
        (
            "field renamed",
            |d| {
                let f = field(d, "Tasks", "Weight");
                f["name"] = json!("Mass");
                f["renamed_from"] = json!("weight");
            },
            Steps(&[(Rename, false)]),
        ),
        (
            "table renamed",
            |d| {
                let t = table(d, "Tags");
                t["name"] = json!("Labels");
                t["renamed_from"] = json!("tags");
                d["relationships"][3]["target"] = json!("labels");
            },
            Steps(&[(Rename, false)]),
        ),
        (
            "column dropped",
            |d| {
                table(d, "Tasks")["drop_columns"] = json!(["link"]);
                let fields = table(d, "Tasks")["fields"].as_array_mut().unwrap();
                fields.retain(|f| f["name"] != "Link");
            },
            Steps(&[(DropColumn, true)]),
        ),
    ]
}

#[tokio::test]
async fn every_property_of_an_applied_design_changes_and_replans_empty() {
    let db: TestDb = test_db().await;
    db.batch_execute(
        "CREATE FUNCTION public.notify_task_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    )
    .await
    .unwrap();
    let mut design = example("every_field_type.json");
    let first = plan_design(&db, &design).await;
    apply_plan(&db, &first).await;
    assert!(plan_design(&db, &design).await.is_empty());

    for (what, mutate, expect) in mutations() {
        mutate(&mut design);
        let plan = plan_design(&db, &design).await;
        let kinds: Vec<(StepKind, bool)> = plan
            .steps
            .iter()
            .filter(|s| s.kind != StepKind::Refresh)
            .map(|s| (s.kind, s.destructive))
            .collect();
        match expect {
            Expect::Steps(wanted) => {
                for step in wanted {
                    assert!(
                        kinds.contains(step),
                        "{what}: no {step:?} step in\n{}\nnotes: {:?}",
                        plan.bundle().text,
                        plan.notes
                    );
                }
            }
            Expect::Note(text) => assert!(
                plan.notes.iter().any(|n| n.contains(text)),
                "{what}: no note saying {text:?} in {:?}",
                plan.notes
            ),
        }
        apply_plan(&db, &plan).await;
        let again = plan_design(&db, &design).await;
        assert!(
            again.is_empty(),
            "{what}: re-plan after apply must be empty, got:\n{}",
            again.bundle().text
        );
    }
}
