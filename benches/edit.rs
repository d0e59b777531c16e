//! `cargo bench --bench edit`: how long one confirmed edit takes to show its consequences,
//! for a 100-table design. The budget is one frame (16.7 ms at 60 Hz): the key that confirms
//! a form, the analysis run again (validation, plan, bundle, findings, highlighting) and the
//! next frame drawn.
//!
//! Against an empty database (everything is new) and against one that has half of the
//! design already (the other half planned as changes). Each timed edit follows others, as
//! in a session: what the analysis remembers of the design's text (`memo`) and the
//! Preview's highlighted statements are warm, and what the edit replaced is freed on another
//! thread. The breakdown times the parts one by one, highlighting without its cache. A
//! benchmark, not a test: it reports and never fails because a machine is slow.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::catalog::Catalog;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};
use schemaforge::design::{self, Design};
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::tui::app::DesignState;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::theme::Theme;
use schemaforge::tui::{App, Message, update, view};
use serde_json::json;

const TABLES: usize = 100;
const RUNS: usize = 40;

/// 100 tables of 8 fields of assorted types, a policy each, a many-to-one chain.
fn design(tables: usize) -> Design {
    let fields = json!([
        {"name": "title", "type": "singleLineText", "options": {"required": true, "max_length": 200}},
        {"name": "notes", "type": "multiLineText"},
        {"name": "status", "type": "singleSelect", "options": {"choices": ["open", "done"], "default": "open"}},
        {"name": "labels", "type": "multiSelect", "options": {"choices": ["a", "b"]}},
        {"name": "amount", "type": "currency"},
        {"name": "due", "type": "date"},
        {"name": "done", "type": "checkbox"},
        {"name": "email", "type": "email", "options": {"unique": true}}
    ]);
    let tables: Vec<_> = (1..=tables)
        .map(|i| {
            json!({
                "name": format!("t{i}"),
                "fields": fields,
                "rls_policies": [{"name": "own", "operation": "ALL", "using_expression": "created_by = auth.uid()"}]
            })
        })
        .collect();
    let relationships: Vec<_> = (2..=tables.len())
        .map(|i| json!({"table": format!("t{i}"), "name": "previous", "target": format!("t{}", i - 1)}))
        .collect();
    let text = json!({"tables": tables, "relationships": relationships}).to_string();
    design::parse(&text).expect("the synthetic design parses").0
}

fn key(app: &mut App, code: KeyCode) {
    update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    );
}

/// Times the Enter that confirms a new field's form plus the frame after it; the field is
/// taken back (undo) between runs, outside the timing.
fn time(catalog: &Catalog) -> (Duration, Duration, usize) {
    let mut app = App::new(
        "bench@localhost/bench".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 160;
    app.view.height = 45;
    app.model.design = Some(DesignState {
        design: design(TABLES),
        file: None,
    });
    update(&mut app, Message::Catalog(Ok(Box::new(catalog.clone()))));
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        for c in "2a".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        key(&mut app, KeyCode::Enter);
        for c in "extra".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        let start = Instant::now();
        key(&mut app, KeyCode::Enter);
        let frame = view::render(&app, 160, 45);
        times.push(start.elapsed());
        std::hint::black_box(frame);
        assert!(app.overlay().is_none(), "the form was confirmed");
        key(&mut app, KeyCode::Char('u'));
    }
    times.sort();
    let statements = app
        .model
        .plan
        .as_ref()
        .map_or(0, |p| p.bundle.statements.len());
    breakdown(&app, catalog);
    (times[RUNS / 2], times[RUNS - 1], statements)
}

/// Where the time of one edit goes (medians of 9 runs of each part).
fn breakdown(app: &App, catalog: &Catalog) {
    let design = &app.model.design.as_ref().unwrap().design;
    let settings = PlanSettings::default();
    let median = |f: &mut dyn FnMut()| {
        let mut t: Vec<Duration> = (0..9)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        t[4].as_secs_f64() * 1e3
    };
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved = design::resolve_with_known_tables(design, &known).unwrap();
    let planned = plan(&resolved, catalog, &settings).unwrap();
    let changes = planned.changes();
    let bundle = planned.bundle();
    println!(
        "  validate+resolve {:.1} ms · plan {:.1} ms · bundle {:.1} ms · lint {:.1} ms · migration lint {:.1} ms · highlight {:.1} ms · whole analysis {:.1} ms · draw {:.1} ms",
        median(&mut || drop(design::resolve_with_known_tables(design, &known))),
        median(&mut || drop(plan(&resolved, catalog, &settings))),
        median(&mut || drop(planned.bundle())),
        median(&mut || drop(schemaforge::rls::lint::lint_design(
            catalog, &resolved, &changes
        ))),
        median(&mut || drop(schemaforge::migration_lint::lint_plan(
            &planned, catalog, &settings
        ))),
        median(&mut || drop(schemaforge::tui::highlight::highlight(&bundle))),
        median(&mut || drop(schemaforge::analysis::analyse(
            design,
            Some(catalog),
            &settings
        ))),
        median(&mut || drop(view::render(app, 160, 45))),
    );
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
    let empty = schemaforge::db::catalog::read(&session.client)
        .await
        .unwrap();
    let (median, worst, statements) = time(&empty);
    println!(
        "{TABLES} tables, empty database: confirm + analyse + draw median {:.2} ms, worst {:.2} ms over {RUNS} edits ({statements} statements planned); one frame is 16.7 ms",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );

    // Half of the design applied: the other half is planned against live tables.
    let half = design::resolve(&design(TABLES / 2)).expect("valid");
    let bundle = plan(&half, &empty, &PlanSettings::default())
        .unwrap()
        .bundle();
    type NoCheck = fn(&tokio_postgres::Client) -> std::future::Ready<Result<String, String>>;
    apply(
        &session.client,
        &bundle,
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .expect("half the design applies");
    let half_live = Arc::new(
        schemaforge::db::catalog::read(&session.client)
            .await
            .unwrap(),
    );
    let (median, worst, statements) = time(&half_live);
    println!(
        "{TABLES} tables, half of them live: confirm + analyse + draw median {:.2} ms, worst {:.2} ms over {RUNS} edits ({statements} statements planned)",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}
