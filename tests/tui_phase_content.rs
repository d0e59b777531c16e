//! What the phases show of the live database, driven by keys against a real PostgreSQL:
//! removing a live column's field (confirmed, and said to stay unless dropped), the live
//! policies the design does not model, phase 0's identity columns, views, enum types and
//! functions, and sample rows counted the way `schemaforge plan` counts them.

mod common;

use crossterm::event::KeyCode;
use schemaforge::design;
use schemaforge::tui::App;
use schemaforge::tui::app::{DesignState, Overlay, Phase};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::sample_load::{OwnerChoice, SampleRun};
use schemaforge::tui::theme::Theme;

use common::{scalar, test_db};
use tui_support::empty_app;

mod tui_support;

fn app_with(design_json: &str) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 140;
    app.view.height = 45;
    app.model.design = Some(DesignState {
        design: design::parse(design_json).expect("design parses").0,
        file: None,
    });
    app
}

/// Opens the only live table of `public` in phase 1 (`⏎` on it): the design holds it then.
async fn open_the_live_table(h: &mut Harness) {
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.design().tables.len(), 1, "{:?}", h.app.view.message);
}

fn field_index(h: &Harness, column: &str) -> usize {
    h.design().tables[0]
        .fields
        .iter()
        .position(|f| f.db_name() == column)
        .unwrap_or_else(|| panic!("no field for {column}: {:?}", h.design().tables[0].fields))
}

#[tokio::test]
async fn removing_a_live_columns_field_asks_and_says_the_column_stays_unless_dropped() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.teams (
             id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
             name text NOT NULL,
             legacy text
         );
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;
         INSERT INTO public.teams (name, legacy) VALUES ('a', 'old');",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    open_the_live_table(&mut h).await;
    let fields = h.design().tables[0].fields.len();
    h.key(KeyCode::Char('2'));
    for _ in 0..field_index(&h, "legacy") {
        h.key(KeyCode::Down);
    }

    // x asks first, naming the field and the live column that would stay.
    h.key(KeyCode::Char('x'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::ConfirmRemoveField(_))
    ));
    let dialog = h.screen(140, 45);
    assert!(
        dialog.contains("remove the field legacy from the design?")
            && dialog.contains("the column public.teams.legacy is live: it stays in the database")
            && dialog.contains("d drops it"),
        "{dialog}"
    );
    h.key(KeyCode::Char('n'));
    assert_eq!(h.design().tables[0].fields.len(), fields, "n keeps it");

    // The key column may leave the design but the design cannot drop it: d is not offered.
    h.key(KeyCode::Home);
    for _ in 0..field_index(&h, "id") {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('x'));
    let key_dialog = h.screen(140, 45);
    assert!(
        key_dialog.contains("the design cannot drop it")
            && !key_dialog.contains("removes and drops"),
        "{key_dialog}"
    );
    h.key(KeyCode::Char('d'));
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::ConfirmRemoveField(_))
    ));
    h.key(KeyCode::Esc);
    assert_eq!(h.design().tables[0].fields.len(), fields);
    h.key(KeyCode::Home);
    for _ in 0..field_index(&h, "legacy") {
        h.key(KeyCode::Down);
    }

    // y: out of the design, the column stays; the status and the Preview say so.
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    h.settle().await;
    assert_eq!(h.design().tables[0].fields.len(), fields - 1);
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("legacy left the design; its column stays in the database")
            && message.contains("public.teams.legacy"),
        "{message}"
    );
    h.key(KeyCode::Char('6'));
    let preview = h.screen(140, 45);
    assert!(
        preview.contains("nothing to do")
            && preview.contains("public.teams.legacy is not in the design: the column stays"),
        "{preview}"
    );

    // u, then x and d: the field goes and the design drops the column (one undo step).
    h.key(KeyCode::Char('u'));
    h.settle().await;
    assert_eq!(h.design().tables[0].fields.len(), fields);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('d'));
    h.settle().await;
    assert_eq!(h.design().tables[0].drop_columns, vec!["legacy".to_owned()]);
    let plan = &h.app.model.plan.as_ref().expect("a plan").bundle.text;
    assert!(plan.contains("DROP COLUMN \"legacy\""), "{plan}");
    h.key(KeyCode::Char('6'));
    assert!(!h.screen(140, 45).contains("is not in the design"));
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM information_schema.columns
              WHERE table_name = 'teams' AND column_name = 'legacy'"
        )
        .await
        .as_deref(),
        Some("0")
    );
    h.key(KeyCode::Char('u'));
    assert_eq!(h.design().tables[0].fields.len(), fields);
    assert!(
        h.design().tables[0].drop_columns.is_empty(),
        "one undo step"
    );
}

#[tokio::test]
async fn live_policies_the_design_does_not_model_show_in_phase_4() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.tasks (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), owner uuid);
         ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;
         CREATE POLICY \"Owners read\" ON public.tasks FOR SELECT TO authenticated
             USING (owner = auth.uid());
         CREATE POLICY \"Owners write\" ON public.tasks FOR UPDATE TO authenticated
             USING (owner = auth.uid());",
    )
    .await
    .unwrap();
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    open_the_live_table(&mut h).await;
    h.key(KeyCode::Char('4'));
    assert_eq!(h.design().tables[0].rls_policies.len(), 2);
    let modelled = h.screen(140, 45);
    assert!(!modelled.contains("not in the design"), "{modelled}");

    // Both out of the design: they stay on the table, and phase 4 shows them as live.
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('x'));
    h.settle().await;
    assert!(h.design().tables[0].rls_policies.is_empty());
    let screen = h.screen(140, 45);
    assert!(
        screen.contains("tasks · RLS on · 0 policies · 2 live only"),
        "{screen}"
    );
    assert!(!screen.contains("no policies yet"), "{screen}");
    for name in ["Owners read", "Owners write"] {
        assert!(screen.contains(name), "{name}:\n{screen}");
    }
    assert!(
        screen.contains("live only ─ not in the design; they stay")
            && screen.contains("permissive · live")
            && screen.contains("owner = auth.uid()"),
        "{screen}"
    );
    // The plan indeed leaves them: nothing to do.
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());
}

/// Selects the tree row labelled `label` (a schema or a relation).
fn select_row(h: &mut Harness, label: &str) {
    let at = h
        .app
        .view
        .tree
        .rows()
        .iter()
        .position(|r| r.label == label)
        .unwrap_or_else(|| panic!("no tree row {label}"));
    let delta = at as isize - h.app.view.tree.selected() as isize;
    h.app.view.tree.move_by(delta);
}

#[tokio::test]
async fn phase_0_shows_identity_views_enums_and_functions_as_inspect_does() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TYPE public.member_role AS ENUM ('owner', 'admin', 'member');
         CREATE TABLE public.teams (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             name text NOT NULL,
             role public.member_role NOT NULL DEFAULT 'member'
         );
         ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;
         CREATE VIEW public.team_overview WITH (security_invoker = true) AS
             SELECT id, name FROM public.teams;
         CREATE FUNCTION public.is_team_admin(team bigint) RETURNS boolean
             LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
             AS 'SELECT true';",
    )
    .await
    .unwrap();
    let mut h = Harness::start(app_with(r#"{"tables": []}"#), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('0'));
    assert_eq!(h.app.view.phase, Phase::Schema);
    let inspect = String::from_utf8(common::cli(&db.url, &["inspect"]).stdout).unwrap();

    select_row(&mut h, "public");
    let schema = h.screen(140, 45);
    assert!(
        schema.contains("1 table (1 with RLS) · 1 view · 1 enum type"),
        "the view is not counted as a table:\n{schema}"
    );
    assert!(
        schema.contains("member_role: owner, admin, member")
            && inspect.contains("enum public.member_role: owner, admin, member"),
        "{schema}\n{inspect}"
    );
    assert!(
        schema.contains("is_team_admin(team bigint) returns boolean · SECURITY DEFINER")
            && inspect.contains("is_team_admin(team bigint) returns boolean SECURITY DEFINER"),
        "{schema}\n{inspect}"
    );

    select_row(&mut h, "teams");
    let teams = h.screen(140, 45);
    assert!(
        teams.contains("generated always as identity")
            && inspect.contains("generated always as identity"),
        "{teams}"
    );

    select_row(&mut h, "team_overview");
    let view = h.screen(140, 45);
    assert!(
        view.contains("public.team_overview  view")
            && view.contains("security_invoker")
            && view.contains("runs with the caller's rights, so the base tables' RLS"),
        "{view}"
    );
    assert!(
        !view.contains("without RLS every role with a grant sees every row"),
        "{view}"
    );
    assert!(
        view.contains("definition") && view.contains("FROM public.teams;"),
        "its definition is shown:\n{view}"
    );
}

const SAMPLED: &str = r#"{
  "tables": [
    {
      "name": "Notes",
      "fields": [
        { "name": "title", "type": "singleLineText", "options": { "required": true }, "is_primary": true }
      ],
      "rls_enabled": true,
      "rls_policies": [
        { "name": "Own notes", "operation": "ALL", "using_expression": "created_by = auth.uid()" }
      ]
    }
  ],
  "samples": { "Notes": 25 }
}"#;

#[tokio::test]
async fn sample_rows_and_demo_users_are_counted_as_the_cli_counts_them() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-phase-content-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notes.json");
    std::fs::write(&file, SAMPLED).unwrap();
    let cli = common::cli(
        &db.url,
        &["plan", file.to_str().unwrap(), "--demo-users", "3"],
    );
    common::assert_success(&cli);
    let cli_bundle = String::from_utf8(cli.stdout).unwrap();
    let cli_summary = String::from_utf8(cli.stderr).unwrap();
    assert!(
        cli_summary.contains("· 25 rows · 3 demo users ·"),
        "{cli_summary}"
    );

    let mut app = app_with(SAMPLED);
    app.model.sample_run = SampleRun {
        seed: 1,
        owners: OwnerChoice::Generated(3),
    };
    let mut h = Harness::start(app, db.connect_again().await);
    h.settle().await;
    let plan = h.app.model.plan.as_ref().expect("a plan");
    assert_eq!(
        plan.bundle.text.trim_end(),
        cli_bundle.trim_end(),
        "the Preview's bundle is the CLI's"
    );
    assert!(
        plan.bundle.text.contains("\n-- sample rows ")
            && plan.bundle.text.contains("public.notes: 25 rows")
            && plan.bundle.text.contains("auth.users: 3 demo users"),
        "{}",
        plan.bundle.text
    );
    h.key(KeyCode::Char('6'));
    let preview = h.screen(140, 45);
    assert!(preview.contains("· 25 rows · 3 demo users ·"), "{preview}");

    h.key(KeyCode::Char('A'));
    let confirm = h.screen(140, 45);
    assert!(
        confirm.contains("3 demo users are inserted into auth.users"),
        "{confirm}"
    );
    h.key(KeyCode::Esc);
    h.apply_confirmed().await;
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(
        message.contains(", 25 sample rows and 3 demo users"),
        "{message}"
    );
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM public.notes")
            .await
            .as_deref(),
        Some("25")
    );
    std::fs::remove_dir_all(dir).unwrap();
}
