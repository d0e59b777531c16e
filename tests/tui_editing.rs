//! Designing inside the TUI alone, against a real PostgreSQL: an empty design, the seed's
//! Todos table and its two fields typed with the keyboard, applied, and the catalog read
//! back; undo and redo of each step; saving the design to a file.

mod common;
mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use schemaforge::tui::app::{ApplyState, Overlay, Phase};
use schemaforge::tui::editors::Editor;
use schemaforge::tui::message::Message;
use schemaforge::tui::runtime::Harness;

use common::{scalar, test_db};
use tui_support::empty_app;

/// Counts the keys a person presses (name characters excluded by the caller).
struct Keys<'a> {
    h: &'a mut Harness,
    pressed: usize,
}

impl Keys<'_> {
    fn key(&mut self, code: KeyCode) {
        self.pressed += 1;
        self.h.key(code);
    }

    /// Typed characters that are not a name (a filter, a confirmation word): counted.
    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// A name: its characters are not counted as keystrokes.
    fn name(&mut self, text: &str) {
        self.h.keys(text);
    }
}

#[tokio::test]
async fn the_todos_table_typed_with_the_keyboard_alone_is_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    assert!(h.design().tables.is_empty());
    let mut k = Keys {
        h: &mut h,
        pressed: 0,
    };

    // Phase 1: a new table, its name first.
    k.key(KeyCode::Char('1'));
    k.key(KeyCode::Char('a'));
    assert!(matches!(
        k.h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::Table(_))
    ));
    k.name("Todos");
    assert!(
        k.h.screen(120, 40)
            .contains("todos  (derived from the name)"),
        "the db name is derived as the name is typed:\n{}",
        k.h.screen(120, 40)
    );
    k.key(KeyCode::Enter);
    assert_eq!(k.h.design().tables.len(), 1);
    assert_eq!(k.h.design().tables[0].name, "Todos");

    // Phase 2: a single line of text (the first type), required; then a checkbox.
    k.key(KeyCode::Char('2'));
    k.key(KeyCode::Char('a'));
    let picker = k.h.screen(120, 40);
    assert!(
        picker.contains("singleLineText") && picker.contains("One line of text"),
        "{picker}"
    );
    k.key(KeyCode::Enter);
    k.name("title");
    k.key(KeyCode::Tab); // primary field: already on for the first text field
    k.key(KeyCode::Tab); // required
    k.key(KeyCode::Char(' '));
    k.key(KeyCode::Enter);
    k.key(KeyCode::Char('a'));
    k.typed("check");
    k.key(KeyCode::Enter);
    k.name("completed");
    k.key(KeyCode::Enter);
    let fields = &k.h.design().tables[0].fields;
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert!(fields[0].is_primary && fields[0].options.required);
    assert_eq!(
        fields[1].field_type,
        schemaforge::design::FieldType::Checkbox
    );
    let screen = k.h.screen(120, 40);
    assert!(screen.contains("★ title"), "{screen}");

    // Preview and apply.
    k.key(KeyCode::Char('6'));
    assert_eq!(k.h.app.view.phase, Phase::Preview);
    assert!(
        !k.h.app.view.preview.changed.is_empty(),
        "the last edit's statements are marked"
    );
    k.key(KeyCode::Char('A'));
    k.typed("apply");
    k.key(KeyCode::Enter);
    k.h.settle().await;
    let pressed = k.pressed;
    assert!(
        matches!(h.app.apply, ApplyState::Succeeded { dry_run: false, .. }),
        "{:?}",
        h.app.apply
    );
    // 26 today: 1 a ⏎ · 2 a ⏎ ⇥ ⇥ ␣ ⏎ · a c h e c k ⏎ ⏎ · 6 A a p p l y ⏎.
    assert!(pressed < 30, "{pressed} keys for the Todos table");
    assert_eq!(
        scalar(
            &db,
            "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY column_name)
               FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'todos'
                AND column_name IN ('title', 'completed')"
        )
        .await
        .as_deref(),
        Some("completed boolean NO, title text NO")
    );
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());

    // Another session, from nothing: the live table is opened for editing, a field added.
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("live tables"), "{screen}");
    let row = schemaforge::tui::components::tables_pane::rows(&h.app)
        .iter()
        .position(|r| {
            *r == schemaforge::tui::components::tables_pane::TableRow::Live("todos".into())
        })
        .expect("todos is listed as a live table");
    for _ in 0..row {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let opened = &h.design().tables;
    assert_eq!(opened.len(), 1, "{:?}", h.app.view.message);
    assert!(
        opened[0]
            .fields
            .iter()
            .any(|f| f.name == "title" && f.options.required),
        "{opened:?}"
    );
    assert!(
        h.app.model.plan.as_ref().unwrap().plan.is_empty(),
        "an opened table plans nothing: {:?}",
        h.app.model.analysis.findings
    );
    let screen = h.screen(120, 40);
    assert!(
        screen.contains(" todos") && screen.contains("· live"),
        "{screen}"
    );
    h.key(KeyCode::Char('2'));
    let fields = h.screen(120, 40);
    assert!(
        fields.contains(" ★ title")
            && !fields.contains("+★ title")
            && !fields.contains("+  completed"),
        "the live columns are not new:\n{fields}"
    );
    h.key(KeyCode::Char('a'));
    h.keys("date");
    h.key(KeyCode::Enter);
    h.keys("Due date");
    h.key(KeyCode::Enter);
    let plan = &h.app.model.plan.as_ref().unwrap().bundle.text;
    assert!(plan.contains("ADD COLUMN \"due_date\" date"), "{plan}");
    assert!(!plan.contains("CREATE TABLE"), "{plan}");
    h.key(KeyCode::Char('6'));
    h.apply_confirmed().await;
    assert_eq!(
        scalar(
            &db,
            "SELECT data_type FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'todos' AND column_name = 'due_date'"
        )
        .await
        .as_deref(),
        Some("date")
    );
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());
}

#[tokio::test]
async fn every_confirmed_form_is_one_undo_step_and_esc_changes_nothing() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Projects");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.keys("Tasks");
    h.key(KeyCode::Esc);
    assert_eq!(h.design().tables.len(), 1, "esc cancels the form");
    assert!(h.app.overlay().is_none());

    // An invalid name keeps the form open with the message under the input.
    h.key(KeyCode::Char('a'));
    h.keys("projects");
    h.key(KeyCode::Enter);
    assert!(h.app.overlay().is_some(), "a duplicate is refused");
    assert!(
        h.screen(120, 40).contains("already has a table"),
        "{}",
        h.screen(120, 40)
    );
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Enter);
    h.keys("Name");
    h.key(KeyCode::Enter);
    assert_eq!(h.design().tables[0].fields.len(), 1);
    let with_field = h.design().clone();

    h.key(KeyCode::Char('u'));
    assert!(
        h.design().tables[0].fields.is_empty(),
        "undo takes the field back"
    );
    h.key(KeyCode::Char('u'));
    assert!(h.design().tables.is_empty(), "then the table");
    h.send(Message::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    ))));
    h.send(Message::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    ))));
    assert_eq!(*h.design(), with_field, "redo puts both back");
}

#[tokio::test]
async fn ctrl_s_asks_for_a_path_the_first_time_and_saves_pretty_json() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.json");
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Todos");
    h.key(KeyCode::Enter);
    let ctrl_s = || {
        Message::Terminal(Event::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        )))
    };
    h.send(ctrl_s());
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::SaveAs(_))
    ));
    // Replace the proposed path with ours.
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.keys(&path.display().to_string());
    h.key(KeyCode::Enter);
    h.settle().await;
    let text = std::fs::read_to_string(&path).expect("saved");
    assert_eq!(text, schemaforge::design::save(h.design()));
    assert!(text.contains("\n  \"tables\": ["), "pretty JSON:\n{text}");
    assert_eq!(
        h.app.model.design.as_ref().unwrap().file.as_deref(),
        Some(path.as_path())
    );

    // The second time it saves without asking.
    h.key(KeyCode::Char('a'));
    h.keys("Tags");
    h.key(KeyCode::Enter);
    h.send(ctrl_s());
    assert!(h.app.overlay().is_none());
    h.settle().await;
    assert!(std::fs::read_to_string(&path).unwrap().contains("Tags"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Phase 1 with two tables typed in: Projects, then Todos (selected).
fn two_tables(h: &mut Harness) {
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Projects");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.keys("Todos");
    h.key(KeyCode::Enter);
}

#[tokio::test]
async fn a_many_to_one_and_a_many_to_many_typed_in_phase_3_are_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    two_tables(&mut h);
    let mut k = Keys {
        h: &mut h,
        pressed: 0,
    };

    // Many-to-one: from the table chosen in phase 1 to the other one, required (restrict).
    k.key(KeyCode::Char('3'));
    k.key(KeyCode::Char('a'));
    assert!(matches!(
        k.h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::Relation(_))
    ));
    let form = k.h.screen(120, 40);
    assert!(
        form.contains("project  (the column is project_id)"),
        "the field name is suggested from the target:\n{form}"
    );
    for _ in 0..5 {
        k.key(KeyCode::Tab);
    }
    k.key(KeyCode::Char(' ')); // required: the delete rule becomes restrict
    k.key(KeyCode::Enter);
    let rels = &k.h.design().relationships;
    assert_eq!(rels.len(), 1, "{:?}", k.h.app.view.message);
    assert_eq!(
        (
            rels[0].table.as_str(),
            rels[0].name.as_str(),
            rels[0].target.as_str()
        ),
        ("todos", "project", "projects")
    );
    assert!(rels[0].required && !rels[0].cascade_delete && !rels[0].allow_multiple);

    // Many-to-many: the kind is the third choice (← from the first).
    k.key(KeyCode::Char('a'));
    k.key(KeyCode::Tab);
    k.key(KeyCode::Tab);
    k.key(KeyCode::Left);
    k.key(KeyCode::Enter);
    let screen = k.h.screen(120, 40);
    let rels = &k.h.design().relationships;
    assert_eq!(rels.len(), 2, "{:?}\n{screen}", k.h.app.view.message);
    assert!(rels[1].allow_multiple && !rels[1].required);
    let screen = k.h.screen(80, 24);
    assert!(
        screen.contains("todos_projects")
            && screen.contains("todos_id ─▶ todos.id")
            && screen.contains("projects_id ─▶ projects.id"),
        "the diagram shows the linking table as it will be created:\n{screen}"
    );
    assert!(
        screen.contains("project_id ─▶ projects.id"),
        "and what todos points to:\n{screen}"
    );

    k.key(KeyCode::Char('6'));
    k.key(KeyCode::Char('A'));
    k.typed("apply");
    k.key(KeyCode::Enter);
    k.h.settle().await;
    let pressed = k.pressed;
    assert!(
        matches!(h.app.apply, ApplyState::Succeeded { dry_run: false, .. }),
        "{:?}",
        h.app.apply
    );
    // 3 a ⇥⇥⇥⇥⇥ ␣ ⏎ · a ⇥ ⇥ ← ⏎ · 6 A a p p l y ⏎
    assert!(pressed <= 22, "{pressed} keys for two relationships");
    let foreign_keys = scalar(
        &db,
        "SELECT string_agg(conrelid::regclass || ' ' || conname || ' → ' || confrelid::regclass
                           || ' ' || confdeltype::text, ', ' ORDER BY conrelid::regclass::text, conname)
           FROM pg_constraint
          WHERE contype = 'f' AND confrelid IN ('public.todos'::regclass, 'public.projects'::regclass)",
    )
    .await
    .unwrap_or_default();
    assert_eq!(
        foreign_keys,
        "todos todos_project_id_fkey → projects r, \
         todos_projects todos_projects_projects_id_fkey → projects c, \
         todos_projects todos_projects_todos_id_fkey → todos c"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
              WHERE conrelid = 'public.todos_projects'::regclass AND contype = 'p'"
        )
        .await
        .as_deref(),
        Some("PRIMARY KEY (todos_id, projects_id)")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT is_nullable FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'todos' AND column_name = 'project_id'"
        )
        .await
        .as_deref(),
        Some("NO")
    );
    assert!(
        h.app.model.plan.as_ref().unwrap().plan.is_empty(),
        "{:?}",
        h.app.model.analysis.findings
    );
    // Applied, the diagram shows each relation once (the live foreign keys are the design's).
    h.key(KeyCode::Char('3'));
    let screen = h.screen(120, 40);
    assert_eq!(
        screen.matches("project_id ─▶ projects.id").count(),
        1,
        "{screen}"
    );
    assert!(
        screen.contains("todos_projects  exists") && !screen.contains("live · on delete"),
        "{screen}"
    );
}

#[tokio::test]
async fn relationships_are_edited_removed_and_undone_one_step_each() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    two_tables(&mut h);
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('a'));
    h.keys("owner project");
    h.key(KeyCode::Esc);
    assert!(h.design().relationships.is_empty(), "esc adds nothing");
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys("Parent project");
    h.key(KeyCode::Enter);
    let added = h.design().clone();
    assert_eq!(added.relationships[0].name, "Parent project");
    assert!(
        h.app
            .model
            .plan
            .as_ref()
            .unwrap()
            .bundle
            .text
            .contains("\"parent_project_id\""),
        "the column is <name>_id"
    );

    // Edit: one-to-one, on delete cascade.
    h.key(KeyCode::Char('e'));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    let changed = h.design().clone();
    let rel = &changed.relationships[0];
    assert!(rel.one_to_one && rel.cascade_delete, "{rel:?}");
    assert!(
        h.app
            .model
            .plan
            .as_ref()
            .unwrap()
            .bundle
            .text
            .contains("UNIQUE"),
        "one-to-one adds a UNIQUE constraint"
    );

    // A name whose column a field of the table already has is refused under the input.
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Enter);
    h.keys("Label id");
    h.key(KeyCode::Enter);
    let with_field = h.design().clone();
    assert_eq!(with_field.tables[1].fields.len(), 1);
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('e'));
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    h.keys("label");
    h.key(KeyCode::Enter);
    assert!(h.app.overlay().is_some(), "the collision is refused");
    let screen = h.screen(120, 40);
    assert!(screen.contains("collides"), "{screen}");
    h.key(KeyCode::Esc);
    assert_eq!(*h.design(), with_field);

    // A live table of another schema is offered, written schema.table.
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Tab);
    h.keys("auth.users");
    h.key(KeyCode::Enter);
    let to_users = h.design().relationships.last().cloned();
    assert_eq!(
        to_users
            .as_ref()
            .map(|r| (r.target.as_str(), r.name.as_str())),
        Some(("auth.users", "user")),
        "{:?}",
        h.app.view.message
    );
    let plan = &h.app.model.plan.as_ref().unwrap().bundle.text;
    assert!(
        plan.contains("\"user_id\"") && plan.contains("REFERENCES \"auth\".\"users\""),
        "{plan}"
    );
    h.key(KeyCode::Char('u'));
    assert_eq!(*h.design(), with_field);
    h.key(KeyCode::Home);

    h.key(KeyCode::Char('x'));
    assert!(h.design().relationships.is_empty());
    h.key(KeyCode::Char('u'));
    assert_eq!(*h.design(), with_field, "undo puts the relationship back");
    h.key(KeyCode::Char('u'));
    assert_eq!(*h.design(), changed, "then the field goes");
    h.key(KeyCode::Char('u'));
    assert_eq!(
        *h.design(),
        added,
        "one undo takes back the whole edit form"
    );
    let ctrl_r = || {
        Message::Terminal(Event::Key(KeyEvent::new(
            KeyCode::Char('r'),
            KeyModifiers::CONTROL,
        )))
    };
    h.send(ctrl_r());
    assert_eq!(*h.design(), changed, "redo");
}

fn alt_enter() -> Message {
    Message::Terminal(Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)))
}

/// Phase 4 with the keyboard alone: the owner-only template on a new table, one policy's
/// USING changed in the expression editor, applied, and read back from `pg_policies`.
#[tokio::test]
async fn a_template_chosen_and_a_policy_edited_with_the_keyboard_are_applied() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Todos");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('4'));
    assert!(
        h.screen(120, 40).contains("no policies yet"),
        "{}",
        h.screen(120, 40)
    );
    h.key(KeyCode::Char('T'));
    let picker = h.screen(120, 40);
    assert!(
        picker.contains("owner only") && picker.contains("organisation membership"),
        "{picker}"
    );
    h.key(KeyCode::Enter);
    let names: Vec<String> = h.design().tables[0]
        .rls_policies
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Owners read their rows",
            "Owners insert their rows",
            "Owners update their rows",
            "Owners delete their rows"
        ]
    );
    assert_eq!(
        h.app.model.history.undo_len(),
        2,
        "the template is one edit"
    );

    // ⏎ on the first policy: its form; Tab to USING, replace it.
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::Rls(_))
    ));
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    for _ in 0.."created_by = auth.uid()".len() {
        h.key(KeyCode::Backspace);
    }
    let started = std::time::Instant::now();
    h.keys("created_by = (select auth.uid())");
    let typing = started.elapsed();
    h.send(alt_enter());
    assert!(h.app.overlay().is_none(), "{}", h.screen(120, 40));
    assert_eq!(
        h.design().tables[0].rls_policies[0]
            .using_expression
            .as_deref(),
        Some("created_by = (select auth.uid())")
    );
    // The linter re-runs on every key typed into the form: it must keep up with typing.
    assert!(
        typing < std::time::Duration::from_secs(3),
        "32 keys with the lint re-run on each took {typing:?}"
    );
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("using       created_by = (select auth.uid())"),
        "{screen}"
    );

    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('A'));
    h.keys("apply");
    h.key(KeyCode::Enter);
    h.settle().await;
    assert!(
        matches!(h.app.apply, ApplyState::Succeeded { dry_run: false, .. }),
        "{:?} {:?}",
        h.app.apply,
        h.app.view.message
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*)::text FROM pg_policies WHERE schemaname = 'public' AND tablename = 'todos'"
        )
        .await
        .as_deref(),
        Some("4")
    );
    let qual = scalar(
        &db,
        "SELECT qual FROM pg_policies
          WHERE schemaname = 'public' AND tablename = 'todos' AND policyname = 'Owners read their rows'",
    )
    .await
    .unwrap_or_default();
    assert!(qual.contains("SELECT auth.uid()"), "{qual}");
    assert_eq!(
        scalar(
            &db,
            "SELECT relrowsecurity::text FROM pg_class WHERE oid = 'public.todos'::regclass"
        )
        .await
        .as_deref(),
        Some("true")
    );
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());
}

/// A policy that trusts `user_metadata`: the linter's error shows in the form as the
/// expression is typed, and under the policy's row in the pane once it is added.
#[tokio::test]
async fn a_lint_finding_sits_under_the_policy_it_concerns() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Notes");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('a'));
    h.keys("Admins edit");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Right); // UPDATE
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.keys("(auth.jwt() -> 'user_metadata' ->> 'admin') = 'true'");
    let form = h.screen(120, 40);
    assert!(
        form.contains("✗ the policy trusts user_metadata"),
        "the finding shows while typing:\n{form}"
    );
    h.send(alt_enter());
    assert!(h.app.overlay().is_none(), "{}", h.screen(120, 40));
    let policy = &h.design().tables[0].rls_policies[0];
    assert_eq!(
        (policy.name.as_str(), policy.operation),
        ("Admins edit", schemaforge::design::Operation::Update)
    );
    // One more, harmless, so the finding must sit under the right one.
    h.key(KeyCode::Char('a'));
    h.keys("Owners read");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys("created_by = (select auth.uid())");
    h.send(alt_enter());
    assert_eq!(h.design().tables[0].rls_policies.len(), 2);
    let screen = h.screen(120, 40);
    let lines: Vec<&str> = screen.lines().collect();
    let row = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
    };
    let (admins, owners, finding) = (
        row("Admins edit"),
        row("Owners read"),
        row("✗ the policy trusts user_metadata"),
    );
    assert!(admins < finding && finding < owners, "{screen}");
    assert!(
        h.app
            .model
            .analysis
            .findings
            .iter()
            .any(|f| f.rule == "rls_references_user_metadata"
                && f.object == "public.notes.Admins edit"),
        "{:?}",
        h.app.model.analysis.findings
    );
    // The finding's line belongs to the first policy: a click on it selects that policy.
    h.key(KeyCode::Down);
    assert_eq!(h.app.view.selected[Phase::Rls.index()], 1);
    let column = lines[finding].find('✗').unwrap();
    let column = lines[finding][..column].chars().count() as u16;
    h.send(Message::Terminal(Event::Mouse(
        crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column,
            row: finding as u16,
            modifiers: KeyModifiers::NONE,
        },
    )));
    assert_eq!(h.app.view.selected[Phase::Rls.index()], 0);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('K'));
    assert_eq!(h.design().tables[0].rls_policies[0].name, "Owners read");
    h.key(KeyCode::Char('x'));
    assert_eq!(h.design().tables[0].rls_policies.len(), 1);
    h.key(KeyCode::Char('u'));
    h.key(KeyCode::Char('u'));
    assert_eq!(h.design().tables[0].rls_policies[0].name, "Admins edit");

    // R turns RLS off: the warnings say what that means, under the table's header.
    h.key(KeyCode::Char('R'));
    assert!(!h.design().tables[0].rls_enabled);
    let screen = h.screen(120, 40);
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("Notes · RLS off · 2 policies"))
        .unwrap_or_else(|| panic!("{screen}"));
    let warning = lines
        .iter()
        .position(|l| l.contains("⚠ row-level security is off on \"notes\""))
        .unwrap_or_else(|| panic!("{screen}"));
    let admins = lines
        .iter()
        .position(|l| l.contains("Admins edit"))
        .unwrap();
    assert!(header < warning && warning < admins, "{screen}");
    h.key(KeyCode::Char('R'));
    assert!(h.design().tables[0].rls_enabled);
}

#[tokio::test]
async fn samples_set_in_phase_5_show_their_first_rows_are_applied_with_their_owners_and_undone() {
    let db = test_db().await;
    let mut h = Harness::start(empty_app(), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('a'));
    h.keys("Books");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Enter);
    h.keys("Title");
    h.key(KeyCode::Enter);

    // Phase 5: the table is listed with no samples; ⏎ opens the count, 5 confirms it.
    h.key(KeyCode::Char('5'));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("Books") && screen.contains("none"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.overlay(),
        Some(Overlay::Editor(e)) if matches!(**e, Editor::Samples(_))
    ));
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Char('5'));
    // Owners: two generated users; the seed stays.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Enter);
    assert!(h.app.overlay().is_none(), "{:?}", h.app.view.message);
    assert_eq!(
        h.app.model.sample_run.owners,
        schemaforge::tui::sample_load::OwnerChoice::Generated(2)
    );
    assert_eq!(
        h.design().samples.get("books"),
        Some(&schemaforge::design::Samples::Count(5))
    );
    let screen = h.screen(120, 40);
    assert!(screen.contains("5 rows"), "{screen}");
    // The grid: the columns and the first rows the generator makes.
    assert!(
        screen.contains("title") && screen.contains("5 rows in all"),
        "{screen}"
    );

    // Undo takes the samples back, redo puts them again.
    h.key(KeyCode::Char('u'));
    assert!(h.design().samples.is_empty(), "undo removes the samples");
    h.send(Message::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    ))));
    assert_eq!(
        h.design().samples.get("books"),
        Some(&schemaforge::design::Samples::Count(5))
    );

    // Applied: the table is created and holds the five rows.
    h.key(KeyCode::Char('6'));
    h.apply_confirmed().await;
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM books").await.as_deref(),
        Some("5")
    );
    // Owned by the two generated users, and by no one else.
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM auth.users")
            .await
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM books WHERE created_by IS NULL OR created_by NOT IN (SELECT id FROM auth.users)"
        )
        .await
        .as_deref(),
        Some("0")
    );
}
