//! `cargo bench --bench plan`: how long planning takes for a 500-table design.
//!
//! Reads the catalog of a throwaway cluster once (not timed), then times `plan::plan` plus
//! rendering the bundle: first against the empty database (everything to create), then —
//! after applying the bundle — against the full one (every table exists, nothing to do), and
//! last with one property changed on every table (a default, a limit, choices, uniqueness or a
//! policy's expression), which is then applied and re-planned empty.
//! A benchmark, not a test: it reports and never fails because a machine is slow.

use std::time::{Duration, Instant};

use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};
use schemaforge::design::{self, ResolvedDesign};
use schemaforge::plan::{PlanSettings, plan};
use serde_json::json;

const TABLES: usize = 500;
const RUNS: usize = 30;

/// 500 tables of 10 fields of assorted types, a policy each, a many-to-one chain and a
/// many-to-many every tenth table; `changed`: one property differs on every table.
fn design(changed: bool) -> ResolvedDesign {
    let types = [
        (
            "title",
            "singleLineText",
            json!({"required": true, "max_length": 200}),
        ),
        ("notes", "multiLineText", json!({})),
        (
            "status",
            "singleSelect",
            json!({"choices": ["open", "done"], "default": "open"}),
        ),
        ("labels", "multiSelect", json!({"choices": ["a", "b", "c"]})),
        ("amount", "currency", json!({})),
        ("rating", "rating", json!({"max": 5})),
        ("due", "date", json!({})),
        ("done", "checkbox", json!({})),
        ("email", "email", json!({"unique": true})),
        ("meta", "json", json!({})),
    ];
    let tables: Vec<_> = (1..=TABLES)
        .map(|i| {
            let mut fields: Vec<_> = types
                .iter()
                .map(
                    |(name, kind, options)| json!({"name": name, "type": kind, "options": options}),
                )
                .collect();
            let mut using = "created_by = auth.uid()".to_owned();
            if changed {
                match i % 5 {
                    0 => fields[0]["options"]["max_length"] = json!(250),
                    1 => fields[2]["options"]["choices"] = json!(["open", "done", "later"]),
                    2 => fields[7]["options"]["default"] = json!(true),
                    3 => fields[8]["options"]["unique"] = json!(false),
                    _ => using = "created_by = auth.uid() OR updated_by = auth.uid()".to_owned(),
                }
            }
            json!({
                "name": format!("t{i}"),
                "fields": fields,
                "rls_policies": [{"name": "own", "operation": "ALL", "using_expression": using}]
            })
        })
        .collect();
    let mut relationships: Vec<_> = (2..=TABLES)
        .map(|i| json!({"table": format!("t{i}"), "name": "previous", "target": format!("t{}", i - 1)}))
        .collect();
    relationships.extend(
        (10..=TABLES)
            .step_by(10)
            .map(|i| json!({"table": format!("t{i}"), "name": "friends", "target": "t1", "allow_multiple": true})),
    );
    let text = json!({"tables": tables, "relationships": relationships}).to_string();
    let (parsed, _) = design::parse(&text).expect("the synthetic design parses");
    design::resolve(&parsed).expect("the synthetic design is valid")
}

fn time(resolved: &ResolvedDesign, catalog: &Catalog) -> (Duration, usize) {
    let settings = PlanSettings::default();
    let mut times = Vec::with_capacity(RUNS);
    let mut statements = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let planned = plan(resolved, catalog, &settings).expect("plans");
        let bundle = planned.bundle();
        times.push(start.elapsed());
        statements = if planned.is_empty() {
            0
        } else {
            bundle.statements.len()
        };
    }
    times.sort();
    (times[RUNS / 2], statements)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sandbox = Sandbox::start().expect("start a throwaway cluster");
    let url = shim::prepare_sandbox_database(&sandbox, "postgres")
        .await
        .expect("prepare it");
    let session = connect(&ConnectTarget::resolve(Some(&url), &Env::default()).unwrap())
        .await
        .unwrap();

    let start = Instant::now();
    let resolved = design(false);
    println!(
        "validating and resolving the {TABLES}-table design: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    let empty = schemaforge::db::catalog::read(&session.client)
        .await
        .unwrap();
    let (median, statements) = time(&resolved, &empty);
    println!(
        "plan + bundle, empty database:  median {:.2} ms over {RUNS} runs ({statements} statements)",
        median.as_secs_f64() * 1e3
    );

    let bundle = plan(&resolved, &empty, &PlanSettings::default())
        .unwrap()
        .bundle();
    type NoCheck = fn(&tokio_postgres::Client) -> std::future::Ready<Result<String, String>>;
    let applied = apply(
        &session.client,
        &bundle,
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .expect("the bundle applies");
    println!(
        "(applied it in {:.0} ms)",
        applied.elapsed.as_secs_f64() * 1e3
    );

    let full = schemaforge::db::catalog::read(&session.client)
        .await
        .unwrap();
    let (median, statements) = time(&resolved, &full);
    println!(
        "plan + bundle, after applying:  median {:.2} ms over {RUNS} runs ({statements} statements: nothing to do)",
        median.as_secs_f64() * 1e3
    );

    let changed = design(true);
    let (median, statements) = time(&changed, &full);
    println!(
        "plan + bundle, one property changed on every table:  median {:.2} ms over {RUNS} runs ({statements} statements)",
        median.as_secs_f64() * 1e3
    );
    let planned = plan(&changed, &full, &PlanSettings::default()).unwrap();
    let touched: std::collections::BTreeSet<&str> = planned
        .steps
        .iter()
        .filter_map(|s| s.object.split('.').nth(1))
        .collect();
    println!(
        "(the changes touch {} of the {TABLES} tables)",
        touched.len()
    );
    let bundle = planned.bundle();
    apply(
        &session.client,
        &bundle,
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .expect("the changes apply");
    let after = schemaforge::db::catalog::read(&session.client)
        .await
        .unwrap();
    let again = plan(&changed, &after, &PlanSettings::default()).unwrap();
    println!(
        "re-plan after applying the changes: {} steps",
        again.steps.len()
    );
}
