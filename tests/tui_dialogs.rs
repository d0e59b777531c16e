//! Popups driven like a user drives them, on the runtime the event loop uses: the resume
//! offer keeps the draft's real table count through unrelated keys; `--design FILE` and a
//! different draft ask which to keep and lose neither; error findings make the apply
//! confirmation name their count and ask once more.

mod common;

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use schemaforge::design::{self, Design};
use schemaforge::tui::App;
use schemaforge::tui::app::Overlay;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;
use schemaforge::tui::{draft, opening};

use common::test_db;

const TODOS: &str = include_str!("../assets/examples/todos.json");
const THREE_TABLES: &str = include_str!("../assets/examples/every_field_type.json");

fn parse(json: &str) -> Design {
    design::parse(json).expect("design parses").0
}

/// A temp dir of the test's own, with a draft path inside it.
fn draft_dir(name: &str) -> (PathBuf, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("schemaforge-dialogs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = draft::path(&dir, "postgres@localhost:5432/test");
    (dir, path)
}

fn app(draft_path: &Path) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    app.draft_path = Some(draft_path.to_owned());
    app
}

/// The design a draft file holds, if it reads as one.
fn loaded(path: &std::path::Path) -> Option<schemaforge::design::Design> {
    match draft::load(path) {
        draft::DraftLoad::Loaded(design) => Some(design),
        _ => None,
    }
}

#[tokio::test]
async fn unrelated_keys_leave_the_resume_offer_as_it_was() {
    let db = test_db().await;
    let (dir, path) = draft_dir("resume");
    draft::save_atomically(&path, &draft::text(&parse(THREE_TABLES))).unwrap();
    let mut a = app(&path);
    let saved = draft::open_on_start(&mut a);
    opening::offer_draft(&mut a, saved);
    let mut h = Harness::start(a, db.connect_again().await);
    h.settle().await;
    assert!(h.screen(120, 40).contains("with 3 tables"));
    // Keys the dialog does not take: moves, phases, help, delete, tab, a stray letter.
    for key in [
        KeyCode::Char('j'),
        KeyCode::Char('2'),
        KeyCode::Char('?'),
        KeyCode::Char('x'),
        KeyCode::Tab,
        KeyCode::Char('q'),
        KeyCode::Down,
    ] {
        h.key(key);
        let screen = h.screen(120, 40);
        assert!(
            screen.contains("with 3 tables"),
            "after {key:?} the offer still counts the draft's tables:\n{screen}"
        );
        assert!(!h.app.view.quit);
    }
    assert!(matches!(h.app.overlay(), Some(Overlay::ResumeDraft { .. })));
    h.key(KeyCode::Char('y'));
    h.settle().await;
    assert!(h.app.overlay().is_none());
    let design = &h.app.model.design.as_ref().expect("resumed").design;
    assert_eq!(design.tables.len(), 3);
    assert!(
        h.app
            .view
            .message
            .as_deref()
            .unwrap()
            .contains("draft resumed")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// An app opened with `--design file.json` (TODOS) while `draft` is saved for the database.
async fn open_with_draft(name: &str, saved: &str) -> (Harness, PathBuf, PathBuf, PathBuf) {
    let db = test_db().await;
    let (dir, path) = draft_dir(name);
    draft::save_atomically(&path, &draft::text(&parse(saved))).unwrap();
    let file = dir.join("file.json");
    std::fs::write(&file, TODOS).unwrap();
    let mut a = app(&path);
    let saved = draft::open_on_start(&mut a);
    opening::open_design(&mut a, parse(TODOS), file.clone(), saved);
    let mut h = Harness::start(a, db.connect_again().await);
    h.settle().await;
    (h, dir, path, file)
}

#[tokio::test]
async fn a_different_draft_is_not_overwritten_and_can_be_kept() {
    let (mut h, dir, path, file) = open_with_draft("keep", THREE_TABLES).await;
    let Some(Overlay::DraftOrFile(choice)) = h.app.overlay() else {
        panic!("asks which to keep: {:?}", h.app.overlay());
    };
    let aside = choice.aside.clone();
    // Starting autosaved nothing over the draft while the question is open.
    assert_eq!(loaded(&path), Some(parse(THREE_TABLES)));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Draft or file?"), "{screen}");
    assert!(screen.contains("keeps the draft"), "{screen}");
    h.key(KeyCode::Char('j'));
    assert!(matches!(h.app.overlay(), Some(Overlay::DraftOrFile { .. })));
    h.key(KeyCode::Char('y'));
    h.settle().await;
    assert!(h.app.overlay().is_none());
    let state = h.app.model.design.as_ref().unwrap();
    assert_eq!(state.design, parse(THREE_TABLES));
    assert_eq!(
        state.file, None,
        "the design is the draft now, not the file"
    );
    assert_eq!(loaded(&path), Some(parse(THREE_TABLES)));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        TODOS,
        "the file is untouched"
    );
    assert!(!aside.exists(), "nothing was moved aside");
    assert!(
        h.app
            .view
            .message
            .as_deref()
            .unwrap()
            .contains("kept the draft")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn using_the_file_moves_the_draft_aside_and_says_where() {
    let (mut h, dir, path, file) = open_with_draft("use", THREE_TABLES).await;
    let Some(Overlay::DraftOrFile(choice)) = h.app.overlay() else {
        panic!("asks which to keep: {:?}", h.app.overlay());
    };
    let aside = choice.aside.clone();
    h.key(KeyCode::Esc);
    h.settle().await;
    assert!(h.app.overlay().is_none());
    assert_eq!(
        h.app.model.design.as_ref().unwrap().file.as_deref(),
        Some(file.as_path())
    );
    assert_eq!(
        loaded(&path),
        Some(parse(TODOS)),
        "the file's design autosaves"
    );
    assert_eq!(
        loaded(&aside),
        Some(parse(THREE_TABLES)),
        "the earlier draft is kept, moved aside"
    );
    let message = h.app.view.message.clone().unwrap();
    assert!(message.contains(&aside.display().to_string()), "{message}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_same_design_in_draft_and_file_asks_nothing() {
    let (h, dir, path, _) = open_with_draft("same", TODOS).await;
    assert!(h.app.overlay().is_none());
    assert_eq!(loaded(&path), Some(parse(TODOS)));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn error_findings_are_named_and_need_an_explicit_yes() {
    let db = test_db().await;
    // Three live tables the API can reach with row-level security off: three error-level
    // findings of the linter, which plan and apply do not stop for.
    db.batch_execute(
        "CREATE TABLE public.open_a (id uuid PRIMARY KEY);
         CREATE TABLE public.open_b (id uuid PRIMARY KEY);
         CREATE TABLE public.open_c (id uuid PRIMARY KEY);",
    )
    .await
    .unwrap();
    let (dir, path) = draft_dir("errors");
    let mut a = app(&path);
    a.draft_path = None;
    a.model.design = Some(schemaforge::tui::app::DesignState {
        design: parse(TODOS),
        file: None,
    });
    let mut h = Harness::start(a, db.connect_again().await);
    h.settle().await;
    assert_eq!(
        h.app.error_count(),
        3,
        "{:?}",
        h.app.model.analysis.findings
    );
    h.keys("6A");
    let screen = h.screen(120, 40);
    assert!(screen.contains("3 errors"), "{screen}");
    h.keys("apply");
    h.key(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(screen.contains("3 errors: apply anyway?"), "{screen}");
    assert!(!h.app.applying(), "the word alone is not enough");
    h.key(KeyCode::Enter);
    assert!(!h.app.applying(), "Enter is not a yes");
    h.key(KeyCode::Char('n'));
    assert!(h.app.overlay().is_none() && !h.app.applying());
    h.keys("A");
    h.keys("apply");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    assert!(h.app.applying());
    h.settle().await;
    assert!(
        matches!(
            h.app.apply,
            schemaforge::tui::app::ApplyState::Succeeded { dry_run: false, .. }
        ),
        "{:?}",
        h.app.apply
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Ctrl-C quits whatever has the keyboard, even when the config moved `quit` elsewhere.
#[test]
fn ctrl_c_quits_while_typing_a_filter_and_in_a_dialog() {
    use crossterm::event::{Event, KeyEvent, KeyModifiers};
    use schemaforge::tui::components::confirm_delete::ConfirmDelete;
    let ctrl_c = || {
        schemaforge::tui::Message::Terminal(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )))
    };
    let new_app = || {
        let config =
            schemaforge::config::Config::parse("[keys.global]\nquit = [\"ctrl-q\"]\n", "c.toml")
                .unwrap();
        App::new(
            "u@h:1/d".into(),
            Theme::default(),
            Keymap::with_overrides(&config.keys).unwrap(),
        )
    };
    let mut app = new_app();
    app.view.filtering = true;
    schemaforge::tui::update(&mut app, ctrl_c());
    assert!(app.view.quit, "while typing a filter");
    let mut app = new_app();
    app.view
        .overlays
        .push(Overlay::ConfirmDelete(ConfirmDelete {
            table: "notes".into(),
        }));
    schemaforge::tui::update(&mut app, ctrl_c());
    assert!(app.view.quit, "in a dialog");
}
