//! The Preview and the frame around it, driven like a user drives them against a real
//! PostgreSQL: a failure's banner and mark go with the plan that failed; the status line
//! offers apply and dry run exactly when they can run, at 80×24 too; the header counts
//! what the Preview counts; the tree's marks clear once nothing is left to do; opening a
//! live table names what stays outside the design; the resume offer says when the draft
//! was saved and whether the database already has it.

mod common;
mod tui_support;

use crossterm::event::KeyCode;
use schemaforge::design::edit::Edit;
use schemaforge::design::{self, Design, Field, FieldType, Table};
use schemaforge::tui::App;
use schemaforge::tui::app::{ApplyState, DesignState, Phase};
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::runtime::Harness;
use schemaforge::tui::theme::Theme;
use schemaforge::tui::{draft, editing, opening};

use common::test_db;

const TODOS: &str = include_str!("../assets/examples/todos.json");

fn parse(json: &str) -> Design {
    design::parse(json).expect("design parses").0
}

fn app(design: Option<Design>) -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        Theme::default(),
        Keymap::default(),
    );
    app.view.width = 80;
    app.view.height = 24;
    if let Some(design) = design {
        app.model.design = Some(DesignState { design, file: None });
    }
    app
}

/// The bottom row of the screen: the status line.
fn status_line(h: &mut Harness, width: u16, height: u16) -> String {
    h.screen(width, height)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

fn no_failure_shown(screen: &str) {
    assert!(!screen.contains("✗ statement"), "{screen}");
    assert!(!screen.contains('▶'), "{screen}");
}

#[tokio::test]
async fn a_failure_goes_with_the_plan_that_failed() {
    let db = test_db().await;
    let broken = TODOS.replace("created_by = auth.uid()", "created_by = = auth.uid()");
    let mut h = Harness::start(app(Some(parse(&broken))), db.connect_again().await);
    h.settle().await;
    let fail = |h: &mut Harness| {
        h.key(KeyCode::Char('6'));
        h.key(KeyCode::Char('A'));
        h.keys("apply");
        h.key(KeyCode::Enter);
    };
    fail(&mut h);
    h.settle().await;
    assert!(matches!(h.app.apply, ApplyState::Failed(_)));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("✗ statement") && screen.contains('▶'),
        "{screen}"
    );

    // A re-read (from the tree): the failure was about the schema as it was.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('r'));
    h.settle().await;
    no_failure_shown(&h.screen(120, 40));

    // An edit, then its undo: neither shows the old failure.
    fail(&mut h);
    h.settle().await;
    assert!(matches!(h.app.apply, ApplyState::Failed(_)));
    editing::apply(
        &mut h.app,
        Edit::AddTable {
            index: 1,
            table: Table::new("Notes"),
        },
        "added",
    );
    no_failure_shown(&h.screen(120, 40));
    h.key(KeyCode::Char('u'));
    assert_eq!(h.app.apply, ApplyState::Idle);
    no_failure_shown(&h.screen(120, 40));
}

#[tokio::test]
async fn apply_and_dry_run_are_offered_exactly_when_they_can_run() {
    let db = test_db().await;
    let mut h = Harness::start(app(Some(parse(TODOS))), db.connect_again().await);
    h.settle().await;
    h.key(KeyCode::Char('6'));
    assert_eq!(h.app.view.phase, Phase::Preview);
    for (width, height) in [(80, 24), (140, 40)] {
        let status = status_line(&mut h, width, height);
        assert!(
            status.contains("A apply") && status.contains("d dry run"),
            "{width}x{height}: {status}"
        );
    }

    // The header counts what the Preview counts.
    let statements = h.app.model.plan.as_ref().unwrap().bundle.statements.len();
    let screen = h.screen(80, 24);
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains(&format!("draft · {statements} statements")),
        "{header}"
    );
    assert!(
        screen.contains(&format!("{statements} statements ·")),
        "{screen}"
    );

    // After a dry run its message is shown, and apply is still offered beside it.
    h.key(KeyCode::Char('d'));
    h.settle().await;
    assert!(matches!(
        h.app.apply,
        ApplyState::Succeeded { dry_run: true, .. }
    ));
    let status = status_line(&mut h, 80, 24);
    assert!(
        status.contains("A apply") && status.contains("d dry run") && status.contains("dry run ok"),
        "{status}"
    );

    // Applied: nothing left to do, so neither is offered.
    h.apply_confirmed().await;
    for (width, height) in [(80, 24), (140, 40)] {
        let screen = h.screen(width, height);
        assert!(screen.contains("nothing to do"), "{screen}");
        let status = screen.lines().last().unwrap();
        assert!(
            !status.contains("A apply") && !status.contains("d dry run"),
            "{width}x{height}: {status}"
        );
    }
}

#[tokio::test]
async fn an_opened_live_table_names_what_stays_and_loses_its_mark_once_applied() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text);
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE INDEX notes_body_lower ON public.notes (lower(body));",
    )
    .await
    .expect("set-up");
    let mut h = Harness::start(app(None), db.connect_again().await);
    h.settle().await;
    schemaforge::tui::editors::open_live::open_live_table_in(&mut h.app, "public", "notes");
    let message = h.app.view.message.clone().unwrap_or_default();
    assert!(message.contains("index notes_body_lower"), "{message}");
    assert!(!message.contains("--from-db"), "{message}");

    let table = h.design().find_table("notes").expect("opened");
    editing::apply(
        &mut h.app,
        Edit::AddField {
            table,
            index: 2,
            field: Field::new("Title", FieldType::SingleLineText),
        },
        "added",
    );
    let tree_row = |h: &mut Harness| {
        h.screen(140, 40)
            .lines()
            .find(|l| l.contains("▸ notes") || l.contains("▾ notes"))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(tree_row(&mut h).contains("changed"), "{}", tree_row(&mut h));
    h.key(KeyCode::Char('6'));
    h.apply_confirmed().await;
    assert!(h.app.model.plan.as_ref().unwrap().plan.is_empty());
    let row = tree_row(&mut h);
    assert!(!row.contains("changed"), "{row}");
}

#[tokio::test]
async fn the_resume_offer_says_when_and_whether_the_draft_is_applied() {
    let db = test_db().await;
    let dir = std::env::temp_dir().join(format!("schemaforge-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = draft::path(&dir, "postgres@localhost:5432/test");
    draft::save_atomically(&path, &draft::text(&parse(TODOS))).unwrap();
    let offered = |session| {
        let mut a = app(None);
        a.view.width = 120;
        a.view.height = 40;
        a.draft_path = Some(path.clone());
        let saved = draft::open_on_start(&mut a);
        opening::offer_draft(&mut a, saved);
        Harness::start(a, session)
    };

    let mut h = offered(db.connect_again().await);
    h.settle().await;
    let screen = h.screen(120, 40);
    assert!(screen.contains("saved today at"), "{screen}");
    assert!(screen.contains("not applied yet"), "{screen}");
    assert!(
        !screen.contains(&dir.display().to_string()),
        "a time, not a path:\n{screen}"
    );

    // Resumed and applied, the same draft is offered as already applied.
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Char('6'));
    h.apply_confirmed().await;
    let mut again = offered(db.connect_again().await);
    again.settle().await;
    let screen = again.screen(120, 40);
    assert!(screen.contains("already applied"), "{screen}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The Preview's SQL rows read back into lines: numbered rows start a line, `↪` rows
/// continue it.
fn sql_lines_on_screen(screen: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for row in screen.lines() {
        let chars: Vec<char> = row.chars().collect();
        if chars.len() < 5 {
            continue;
        }
        let gutter: String = chars[..4].iter().collect();
        let text: String = chars[5..].iter().collect();
        if let Ok(n) = gutter.trim().parse::<usize>() {
            out.push((n, text));
        } else if gutter.trim() == "↪"
            && let Some((_, line)) = out.last_mut()
        {
            line.push_str(text.trim_start());
        }
    }
    out
}

#[test]
fn long_sql_lines_wrap_whole_and_never_touch_the_findings() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 80, 24);
    schemaforge::tui::navigation::goto(&mut app, Phase::Preview);
    let bundle = app.model.plan.as_ref().unwrap().bundle.text.clone();
    let bundle_lines: Vec<&str> = bundle.lines().collect();
    // Alone in a pane 60 wide (the findings go under it) and beside the findings at 120.
    for (width, height) in [(60u16, 60u16), (130, 80)] {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| schemaforge::tui::components::preview::draw(f, &app, f.area()))
            .unwrap();
        let screen = schemaforge::tui::view::buffer_text(terminal.backend().buffer());
        // Beside the findings, the SQL ends a column before them.
        let sql_only: String = screen
            .lines()
            .map(|row| {
                let cut: String = row
                    .chars()
                    .take((width as usize).saturating_sub(35))
                    .collect();
                format!("{}\n", cut.trim_end())
            })
            .collect();
        let shown = sql_lines_on_screen(if width >= 90 { &sql_only } else { &screen });
        assert!(shown.len() > 10, "{screen}");
        let mut wrapped = 0;
        for (n, text) in &shown {
            let want = bundle_lines[n - 1];
            if want.contains("───") {
                continue; // a section rule is cut at the edge
            }
            let squash = |s: &str| s.split_whitespace().collect::<String>();
            assert_eq!(squash(text), squash(want), "line {n} at {width}:\n{screen}");
            wrapped += usize::from(want.chars().count() > width as usize - 5);
        }
        assert!(wrapped > 0, "some line had to wrap at {width}:\n{screen}");
        if width >= 90 {
            for row in screen.lines() {
                let chars: Vec<char> = row.chars().collect();
                let gutter: String = chars.iter().take(4).collect();
                if gutter.trim().parse::<usize>().is_err() && gutter.trim() != "↪" {
                    continue; // the summary above spans the pane
                }
                let gap = (width as usize).saturating_sub(35);
                assert!(
                    chars.get(gap).is_none_or(|c| *c == ' '),
                    "the column before the findings is blank:\n{row}"
                );
            }
        }
    }
}

#[test]
fn apply_and_dry_run_stay_beside_a_long_message_at_80x24() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 80, 24);
    schemaforge::tui::navigation::goto(&mut app, Phase::Preview);
    app.view.message = Some(
        "dry run ok: 16 statements and 25 sample rows ran in 41 ms and were rolled back".into(),
    );
    let screen = schemaforge::tui::view::render_text(&app, 80, 24);
    let status = screen.lines().last().unwrap();
    assert!(
        status.contains("A apply") && status.contains("d dry run"),
        "{status}"
    );
    assert!(
        status.contains("dry run ok") && status.contains('…'),
        "{status}"
    );
    assert!(
        status.contains("q quit") && status.contains("? help"),
        "{status}"
    );
}
