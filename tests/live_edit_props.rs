//! Random sequences of edits to an applied design, against a real PostgreSQL: after every
//! edit the plan is applied and planning again is empty; at the end `design --from-db`'s
//! conversion gives back an equivalent design — the same columns with the same types,
//! nullability, uniqueness, defaults and checks, the same policies — and planning it is
//! empty too.

mod common;

use common::test_db;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::design::{self, Design, ResolvedDesign};
use schemaforge::from_catalog::design_from_catalog;
use schemaforge::plan::{Plan, PlanSettings, plan};
use serde_json::{Value, json};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

/// One change a user makes to a design that is already applied.
#[derive(Clone, Debug)]
enum Change {
    AddField { kind: usize, required: bool },
    ToggleRequired(usize),
    ToggleUnique(usize),
    SetDefault(usize, Option<u8>),
    MaxLength(Option<u16>),
    Choices(Vec<&'static str>),
    PolicyUsing(usize),
    AddPolicy,
    RenameField(usize),
    DropField(usize),
    Describe(usize, Option<String>),
}

const KINDS: &[(&str, &str)] = &[
    ("singleLineText", "{}"),
    ("number", r#"{"precision": 8, "scale": 2}"#),
    ("checkbox", "{}"),
    ("date", "{}"),
    ("rating", r#"{"max": 7}"#),
    ("email", "{}"),
    ("json", "{}"),
    ("multiSelect", r#"{"choices": ["a", "b"]}"#),
];

const USINGS: &[&str] = &[
    "created_by = auth.uid()",
    "created_by = auth.uid() OR updated_by = auth.uid()",
    "(select auth.uid()) = created_by",
];

fn change() -> impl Strategy<Value = Change> {
    let i = 0usize..6;
    prop_oneof![
        3 => (0..KINDS.len(), any::<bool>()).prop_map(|(kind, required)| Change::AddField { kind, required }),
        2 => i.clone().prop_map(Change::ToggleRequired),
        1 => i.clone().prop_map(Change::ToggleUnique),
        2 => (i.clone(), proptest::option::of(0u8..9)).prop_map(|(f, d)| Change::SetDefault(f, d)),
        1 => proptest::option::of(20u16..400).prop_map(Change::MaxLength),
        1 => proptest::sample::subsequence(vec!["low", "mid", "high", "urgent"], 1..4).prop_map(Change::Choices),
        1 => (0..USINGS.len()).prop_map(Change::PolicyUsing),
        1 => Just(Change::AddPolicy),
        1 => i.clone().prop_map(Change::RenameField),
        1 => i.clone().prop_map(Change::DropField),
        1 => (i, proptest::option::of("[a-z ]{1,12}")).prop_map(|(f, d)| Change::Describe(f, d)),
    ]
}

fn start() -> Value {
    json!({
        "tables": [{
            "name": "Tasks",
            "fields": [
                {"name": "title", "type": "singleLineText", "options": {"required": true, "max_length": 120}, "is_primary": true},
                {"name": "priority", "type": "singleSelect", "options": {"choices": ["low", "high"]}},
                {"name": "done", "type": "checkbox"}
            ],
            "rls_policies": [
                {"name": "Own tasks", "operation": "ALL", "using_expression": USINGS[0]}
            ]
        }]
    })
}

fn options(f: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !f["options"].is_object() {
        f["options"] = json!({});
    }
    f["options"].as_object_mut().unwrap()
}

/// Applies `change` to the design (as JSON, the way a user edits the file); `n` makes names
/// unique.
fn edit(design: &mut Value, change: &Change, n: usize) {
    let table = &mut design["tables"][0];
    let fields = table["fields"].as_array_mut().unwrap();
    let count = fields.len();
    let pick = |i: usize| i % count.max(1);
    match change {
        Change::AddField { kind, required } => {
            let (t, opts) = KINDS[*kind];
            let mut opts: Value = serde_json::from_str(opts).unwrap();
            if *required && t != "checkbox" {
                // A required column added to a table with rows needs a default; this one
                // is empty, which is what the planner checks.
                opts["required"] = json!(true);
            }
            fields.push(json!({"name": format!("f{n}"), "type": t, "options": opts}));
        }
        Change::ToggleRequired(i) => {
            let f = &mut fields[pick(*i)];
            if f["type"] != "checkbox" {
                let o = options(f);
                let now = o.get("required").and_then(Value::as_bool).unwrap_or(false);
                o.insert("required".into(), json!(!now));
            }
        }
        Change::ToggleUnique(i) => {
            let f = &mut fields[pick(*i)];
            if !matches!(
                f["type"].as_str(),
                Some("checkbox" | "json" | "multiSelect")
            ) {
                let o = options(f);
                let now = o.get("unique").and_then(Value::as_bool).unwrap_or(false);
                o.insert("unique".into(), json!(!now));
            }
        }
        Change::SetDefault(i, value) => {
            let f = &mut fields[pick(*i)];
            let default = match (f["type"].as_str(), value) {
                (_, None) => None,
                (Some("singleLineText"), Some(v)) => Some(json!(format!("t{v}"))),
                (Some("number" | "rating"), Some(v)) => Some(json!(v % 7)),
                (Some("checkbox"), Some(v)) => Some(json!(v % 2 == 0)),
                (Some("date"), Some(v)) => Some(json!(format!("2030-01-0{}", v % 9 + 1))),
                (Some("singleSelect"), Some(_)) => f["options"]["choices"].get(0).cloned(),
                _ => return,
            };
            let o = options(f);
            match default {
                Some(d) => o.insert("default".into(), d),
                None => o.remove("default"),
            };
        }
        Change::MaxLength(limit) => {
            // The first one-line text field (a drop or an added field may have moved it).
            if let Some(f) = fields.iter_mut().find(|f| f["type"] == "singleLineText") {
                let o = options(f);
                match limit {
                    Some(l) => o.insert("max_length".into(), json!(l)),
                    None => o.remove("max_length"),
                };
            }
        }
        Change::Choices(choices) => {
            if let Some(f) = fields.iter_mut().find(|f| f["type"] == "singleSelect") {
                let o = options(f);
                let keep_default = o
                    .get("default")
                    .is_none_or(|d| choices.iter().any(|c| d == c));
                if !keep_default {
                    o.remove("default");
                }
                o.insert("choices".into(), json!(choices));
            }
        }
        Change::PolicyUsing(u) => {
            table["rls_policies"][0]["using_expression"] = json!(USINGS[*u]);
        }
        Change::AddPolicy => {
            table["rls_policies"].as_array_mut().unwrap().push(json!({
                "name": format!("Read {n}"), "operation": "SELECT", "using_expression": "true"
            }));
        }
        Change::RenameField(i) => {
            let f = &mut fields[pick(*i)];
            let old = f["db_name"].as_str().map(str::to_owned).unwrap_or_else(|| {
                design::names::derive_db_name(
                    f["name"].as_str().unwrap(),
                    design::names::NameKind::Field,
                )
            });
            f["name"] = json!(format!("r{n}"));
            f["renamed_from"] = json!(old);
        }
        Change::DropField(i) => {
            if count > 1 {
                let gone = fields.remove(pick(*i));
                let db = design::names::derive_db_name(
                    gone["name"].as_str().unwrap(),
                    design::names::NameKind::Field,
                );
                let drops = table["drop_columns"]
                    .as_array_mut()
                    .map(|a| a.push(json!(db)));
                if drops.is_none() {
                    table["drop_columns"] = json!([db]);
                }
            }
        }
        Change::Describe(i, text) => {
            let f = &mut fields[pick(*i)];
            let o = options(f);
            match text {
                Some(t) => o.insert("description".into(), json!(t.trim().to_owned() + ".")),
                None => o.remove("description"),
            };
        }
    }
}

/// After an apply, `renamed_from` and `drop_columns` have done their work: the design the
/// user keeps no longer asks for them.
fn settle(design: &mut Value) {
    let table = &mut design["tables"][0];
    table.as_object_mut().unwrap().remove("drop_columns");
    for f in table["fields"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("renamed_from");
    }
}

fn resolved(design: &Design, catalog: &Catalog) -> ResolvedDesign {
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    design::resolve_with_known_tables(design, &known).unwrap_or_else(|d| panic!("{d:?}"))
}

fn plan_of(design: &Design, catalog: &Catalog) -> Plan {
    plan(
        &resolved(design, catalog),
        catalog,
        &PlanSettings::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// What a table is in the database, as far as a design decides it.
fn shape(design: &ResolvedDesign) -> Vec<String> {
    let mut out: Vec<String> = design
        .tables
        .iter()
        .flat_map(|t| {
            let columns = t.fields.iter().filter_map(move |f| {
                Some(format!(
                    "{}.{} {} null={} unique={} default={:?} checks={:?} comment={:?}",
                    t.db_name,
                    f.db_name,
                    f.pg_type.as_ref()?.sql(),
                    f.nullable,
                    f.unique,
                    f.default,
                    f.checks,
                    f.comment
                ))
            });
            // Expressions come back as the server prints them; that they mean the same is
            // what the two empty plans show.
            let policies = t.policies.iter().map(move |p| {
                format!(
                    "{} policy {} {:?} {:?} permissive={}",
                    t.db_name, p.name, p.operation, p.roles, p.permissive
                )
            });
            columns.chain(policies).collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

async fn run(db: &Client, changes: &[Change]) -> Result<(), TestCaseError> {
    let read = || async { schemaforge::db::catalog::read(db).await.unwrap() };
    let mut design = start();
    for (n, change) in std::iter::once(None)
        .chain(changes.iter().map(Some))
        .enumerate()
    {
        if let Some(change) = change {
            edit(&mut design, change, n);
        }
        let (parsed, _) = match design::parse(&design.to_string()) {
            Ok(p) => p,
            Err(d) => return Err(TestCaseError::fail(format!("{change:?}: {d:?}"))),
        };
        let catalog = read().await;
        let planned = plan_of(&parsed, &catalog);
        apply(
            db,
            &planned.bundle(),
            false,
            None::<DriftCheck<NoCheck>>,
            |_| {},
        )
        .await
        .map_err(|e| TestCaseError::fail(format!("{change:?}: {e}\n{}", planned.bundle().text)))?;
        settle(&mut design);
        let (parsed, _) = design::parse(&design.to_string()).unwrap();
        let again = plan_of(&parsed, &read().await);
        prop_assert!(
            again.is_empty(),
            "after {:?} the re-plan is not empty:\n{}",
            change,
            again.bundle().text
        );
    }
    let catalog = read().await;
    let (mine, _) = design::parse(&design.to_string()).unwrap();
    let from_db = design_from_catalog(&catalog, "public", Some(&["tasks".to_owned()])).design;
    let back = plan_of(&from_db, &catalog);
    prop_assert!(
        back.is_empty(),
        "design --from-db plans:\n{}",
        back.bundle().text
    );
    prop_assert_eq!(
        shape(&resolved(&from_db, &catalog)),
        shape(&resolved(&mine, &catalog))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_edits_apply_replan_empty_and_read_back_equivalent() {
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let strategy = prop::collection::vec(change(), 1..8);
    // Each case gets its own database; the cases run one after another on this runtime.
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |changes| {
            handle.block_on(async {
                let db = test_db().await;
                run(&db, &changes).await
            })
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
