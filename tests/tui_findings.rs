//! The TUI and `schemaforge lint --json` agree: the same design against the same database
//! gives the same findings, rule by rule, and the stepper marks the phases they belong to.

mod common;

use schemaforge::design;
use schemaforge::findings::{Severity, Source, counts, phase_has_errors};
use schemaforge::tui::App;
use schemaforge::tui::app::{DesignState, Phase};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;
use serde_json::Value;

use common::test_db;

/// Lint errors (a policy reading user metadata, one naming a column that does not exist),
/// warnings (an invented JWT claim, the same index twice, every signed-in user reading the
/// audit log) and plan notes (a live column whose type the design
/// changes: the note says the table is rewritten; what DELETE does on a table with soft
/// delete).
const DESIGN: &str = r#"{"tables": [
  {"name": "Notes",
   "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}],
   "rls_policies": [
     {"name": "by org", "operation": "SELECT",
      "using_expression": "org_id = (auth.jwt() ->> 'org_id')::uuid"},
     {"name": "meta", "operation": "UPDATE",
      "using_expression": "(auth.jwt() -> 'user_metadata' ->> 'admin') = 'true'"}
   ]},
  {"name": "Tasks", "audit": true, "soft_delete": true,
   "fields": [{"name": "title", "type": "singleLineText", "options": {"required": true},
               "is_primary": true}],
   "indexes": [{"columns": ["title"]}, {"columns": ["title"], "name": "tasks_title_again"}],
   "rls_policies": [
     {"name": "own tasks", "operation": "ALL", "using_expression": "created_by = auth.uid()"}
   ]},
  {"name": "Objects", "fields": [{"name": "path", "type": "singleLineText", "is_primary": true}]}
],
 "audit_readers": ["authenticated"],
 "buckets": [{"id": "files", "policies": ["owner_folder", "signed_in_upload"]}],
 "materialized_views": [{"name": "Task counts", "source": "tasks", "group_by": ["title"],
                         "aggregates": [{"function": "count"}], "readers": ["authenticated"]}]}"#;

/// A finding as both sides print it: every key `lint --json` has.
fn keyed(f: &Value) -> Vec<String> {
    [
        "source", "level", "rule", "phase", "object", "message", "remedy",
    ]
    .iter()
    .map(|k| f[k].as_str().unwrap_or_default().to_owned())
    .collect()
}

#[tokio::test]
async fn the_tui_shows_exactly_what_lint_json_reports() {
    let db = test_db().await;
    // A live table with RLS off (an error the linter sees in the database itself) and one
    // the design extends, whose `title` the design wants as text (a plan note: the type
    // change rewrites the table).
    db.batch_execute(
        "CREATE TABLE public.open_notes (id uuid PRIMARY KEY, body text);
         CREATE TABLE public.tasks (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), title varchar(20));",
    )
    .await
    .unwrap();

    let file = std::env::temp_dir().join(format!(
        "schemaforge-tui-findings-{}-{}.json",
        std::process::id(),
        db.name
    ));
    std::fs::write(&file, DESIGN).unwrap();
    let out = common::cli(&db.url, &["lint", file.to_str().unwrap(), "--json"]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: Vec<Vec<String>> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(keyed)
        .collect();

    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.model.design = Some(DesignState {
        design: design::parse(DESIGN).expect("design parses").0,
        file: None,
    });
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    let findings = &h.app.model.analysis.findings.clone();
    let tui: Vec<Vec<String>> = findings
        .iter()
        .map(|f| keyed(&serde_json::to_value(f).unwrap()))
        .collect();
    assert_eq!(tui, cli, "rule by rule, in the same order");

    // The design has all three kinds, from the linter and the planner.
    let has = |source: Source, severity: Severity, rule: &str| {
        findings
            .iter()
            .any(|f| f.source == source && f.severity == severity && f.rule == rule)
    };
    assert!(has(
        Source::Lint,
        Severity::Error,
        "rls_references_user_metadata"
    ));
    assert!(has(Source::Lint, Severity::Error, "policy_unknown_column"));
    assert!(has(Source::Lint, Severity::Error, "rls_disabled_in_public"));
    assert!(has(Source::Lint, Severity::Warn, "invented_jwt_claim"));
    let warned = |text: &str| {
        findings
            .iter()
            .any(|f| f.severity == Severity::Warn && f.message.contains(text))
    };
    assert!(warned("the same index as"), "{findings:#?}");
    assert!(warned("could read the audit log"), "{findings:#?}");
    assert!(
        warned("looks like a copy of Supabase Storage's storage.objects"),
        "{findings:#?}"
    );
    assert!(warned("other users' folders"), "{findings:#?}");
    // A materialized view the API reads: the design warns, and so does the linter once it
    // is there.
    assert!(warned("bypasses row-level security"), "{findings:#?}");
    assert!(
        has(Source::Lint, Severity::Warn, "materialized_view_in_api"),
        "{findings:#?}"
    );
    assert!(
        has(Source::Plan, Severity::Info, "plan_note"),
        "{findings:#?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "plan_note" && f.message.contains("soft delete — DELETE by anon")),
        "{findings:#?}"
    );
    // What soft delete makes raises nothing of its own.
    assert!(
        !findings.iter().any(|f| f.rule != "plan_note"
            && (f.object.contains("soft") || f.message.contains("deleted_at"))),
        "{findings:#?}"
    );

    // The stepper marks exactly the phases with errors (here RLS), and the status line
    // counts what lint counts.
    let screen = h.screen(160, 45);
    let stepper = screen.lines().nth(1).unwrap();
    assert!(phase_has_errors(findings, Phase::Rls));
    for phase in Phase::ALL {
        let marked = stepper.contains(&format!("{}●", phase.label()));
        assert_eq!(
            marked,
            phase_has_errors(findings, phase),
            "{phase:?} in {stepper}"
        );
    }
    let (errors, warnings, _) = counts(findings);
    let level = |l: &str| cli.iter().filter(|f| f[1] == l).count();
    assert_eq!((errors, warnings), (level("error"), level("warn")));
    assert!(
        screen.contains(&format!("· {errors} errors · {warnings} warning")),
        "{screen}"
    );

    // The Preview's list starts with the first finding lint prints.
    h.app.view.phase = Phase::Preview;
    let screen = h.screen(160, 45);
    let first = &findings[0];
    assert!(
        screen.contains(&format!("✗ {}", first.object)),
        "{first:?}\n{screen}"
    );
}

#[tokio::test]
async fn without_a_design_the_tui_shows_the_live_lint() {
    let db = test_db().await;
    db.batch_execute("CREATE TABLE public.open_notes (id uuid PRIMARY KEY, body text)")
        .await
        .unwrap();
    let out = common::cli(&db.url, &["lint", "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: Vec<Vec<String>> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(keyed)
        .collect();
    let app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    let tui: Vec<Vec<String>> = h
        .app
        .model
        .analysis
        .findings
        .iter()
        .map(|f| keyed(&serde_json::to_value(f).unwrap()))
        .collect();
    assert_eq!(tui, cli);
    assert!(tui.iter().any(|f| f[2] == "rls_disabled_in_public"));
    assert!(h.screen(160, 45).lines().nth(1).unwrap().contains("4 RLS●"));
}
