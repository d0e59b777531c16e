//! Every pane in 80×24 and 160×45, as text snapshots (insta), and in both bundled themes
//! with every colour on screen checked to come from the theme.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use schemaforge::db::apply::{ApplyError, StatementFailure};
use schemaforge::tui::theme::{Role, Theme};
use schemaforge::tui::view::{buffer_text, render};
use schemaforge::tui::{App, Message, update};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn press(app: &mut App, code: KeyCode) {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(code, modifiers))),
    );
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// `B` in phase 4: a private `documents` bucket for PDFs, each user in their own folder.
fn add_documents_bucket(app: &mut App) {
    keys(app, "4B");
    keys(app, "documents");
    press(app, KeyCode::Tab);
    press(app, KeyCode::Tab);
    keys(app, "10485760");
    press(app, KeyCode::Tab);
    keys(app, "application/pdf");
    for _ in 0..3 {
        press(app, KeyCode::Tab);
    }
    keys(app, " ");
    press(app, KeyCode::Enter);
}

/// `v` in phase 1: todos counted per day and state, read by signed-in users.
fn add_todos_view(app: &mut App) {
    keys(app, "1v");
    keys(app, "Todos per day");
    press(app, KeyCode::Tab);
    press(app, KeyCode::Tab);
    keys(app, "completed");
    press(app, KeyCode::Tab);
    keys(app, "created_at");
    for _ in 0..3 {
        press(app, KeyCode::Tab);
    }
    keys(app, "authenticated");
    press(app, KeyCode::Enter);
}

/// How to get from the first screen to a screen under test.
type Setup = fn(&mut App);

/// Each screen: a name and the keys (or messages) that lead to it from the first screen.
fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("schema", |app| {
            keys(app, "jj");
            press(app, KeyCode::Enter);
        }),
        ("tables", |app| keys(app, "1")),
        ("fields", |app| keys(app, "2")),
        ("relations", |app| keys(app, "3")),
        ("rls", |app| keys(app, "4")),
        ("samples", |app| keys(app, "5")),
        ("samples_form", |app| {
            keys(app, "5");
            press(app, KeyCode::Enter);
        }),
        ("preview", |app| keys(app, "6")),
        ("preview_rollback", |app| keys(app, "6b")),
        ("walkthrough", |app| keys(app, "1w")),
        ("help", |app| keys(app, "?")),
        ("filter", |app| keys(app, "/pro")),
        ("confirm_apply", |app| {
            keys(app, "6A");
            keys(app, "app");
        }),
        ("csv_path", |app| {
            keys(app, "1I");
            keys(app, "tests/fixtures/csv/pro");
            press(app, KeyCode::Tab);
        }),
        ("csv_proposal", |app| {
            keys(app, "1I");
            keys(app, "tests/fixtures/csv/products_eu.csv");
            press(app, KeyCode::Enter);
        }),
        ("csv_preview", |app| {
            keys(app, "1I");
            keys(app, "tests/fixtures/csv/orders_pipe.csv");
            press(app, KeyCode::Enter);
            press(app, KeyCode::Esc);
            // The end of the bundle: the rows' COPY, before COMMIT.
            keys(app, "6G");
        }),
        ("table_form", |app| {
            keys(app, "1a");
            keys(app, "Project notes");
        }),
        ("table_form_refused", |app| {
            keys(app, "1a");
            keys(app, "todos");
            press(app, KeyCode::Enter);
        }),
        ("table_form_soft_delete", |app| {
            // Todos, soft delete switched on: the toggle says what DELETE does now.
            keys(app, "1e");
            for _ in 0..7 {
                press(app, KeyCode::Tab);
            }
            keys(app, " ");
        }),
        ("table_form_soft_delete_refused", |app| {
            // Public reference data has no row-level security to hide deleted rows with.
            keys(app, "1a");
            keys(app, "Countries");
            for _ in 0..3 {
                press(app, KeyCode::Tab);
            }
            keys(app, " ");
            for _ in 0..4 {
                press(app, KeyCode::Tab);
            }
            keys(app, " ");
            press(app, KeyCode::Enter);
        }),
        ("rls_template_picker", |app| keys(app, "4T")),
        ("matview_form", |app| {
            // A view of todos per day and state, read by signed-in users, every 15 minutes.
            keys(app, "1v");
            keys(app, "Todos per day");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            keys(app, "completed");
            press(app, KeyCode::Tab);
            keys(app, "created_at");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            keys(app, "authenticated");
            press(app, KeyCode::Tab);
            keys(app, "*/15 * * * *");
        }),
        ("matview_form_refused", |app| {
            // A time bucket over a text field, and no such aggregate function.
            keys(app, "1v");
            keys(app, "By title");
            for _ in 0..3 {
                press(app, KeyCode::Tab);
            }
            keys(app, "title");
            press(app, KeyCode::Enter);
        }),
        ("tables_matviews", |app| {
            add_todos_view(app);
        }),
        ("matview_picker", |app| {
            add_todos_view(app);
            keys(app, "v");
        }),
        ("bucket_form", |app| {
            // A new public bucket for images, readable by everyone.
            keys(app, "4B");
            keys(app, "avatars");
            press(app, KeyCode::Tab);
            keys(app, " ");
            press(app, KeyCode::Tab);
            keys(app, "5242880");
            press(app, KeyCode::Tab);
            keys(app, "image/png, image/jpeg");
            press(app, KeyCode::Tab);
            keys(app, " ");
        }),
        ("bucket_form_refused", |app| {
            keys(app, "4B");
            keys(app, "my files");
            for _ in 0..3 {
                press(app, KeyCode::Tab);
            }
            keys(app, "pdf");
            press(app, KeyCode::Enter);
        }),
        ("rls_buckets", |app| {
            // A private bucket with owner folders, then the picker over the buckets.
            add_documents_bucket(app);
        }),
        ("bucket_picker", |app| {
            add_documents_bucket(app);
            keys(app, "B");
        }),
        ("rls_policy_form", |app| {
            keys(app, "4");
            press(app, KeyCode::Enter);
        }),
        ("rls_policy_form_lint", |app| {
            keys(app, "4a");
            keys(app, "Admins edit");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Right);
            press(app, KeyCode::Right);
            for _ in 0..3 {
                press(app, KeyCode::Tab);
            }
            keys(app, "(auth.jwt() -> 'user_metadata' ->> 'admin') = 'true'");
        }),
        ("index_form", |app| {
            // project_id, then created_at DESC.
            keys(app, "2i");
            press(app, KeyCode::End);
            keys(app, " ");
            press(app, KeyCode::Home);
            press(app, KeyCode::Down);
            keys(app, " o");
        }),
        ("index_form_refused", |app| {
            // GIN on the text column title.
            keys(app, "2i");
            for _ in 0..5 {
                press(app, KeyCode::Down);
            }
            keys(app, " ");
            for _ in 0..3 {
                press(app, KeyCode::Tab);
            }
            press(app, KeyCode::Right);
            press(app, KeyCode::Right);
            press(app, KeyCode::Enter);
        }),
        ("fields_with_index", |app| {
            keys(app, "2i");
            press(app, KeyCode::Down);
            keys(app, " o");
            press(app, KeyCode::Enter);
        }),
        ("type_picker", |app| keys(app, "2a")),
        ("relation_form", |app| keys(app, "3a")),
        ("relations_diagram", |app| {
            // A many-to-many from todos to the live tags table: its linking table is drawn.
            keys(app, "3a");
            press(app, KeyCode::Tab);
            keys(app, "tags");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Left);
            press(app, KeyCode::Enter);
        }),
        ("type_picker_filtered", |app| {
            keys(app, "2a");
            keys(app, "dt");
        }),
        ("save_as", |app| {
            update(
                app,
                Message::Terminal(Event::Key(KeyEvent::new(
                    KeyCode::Char('s'),
                    KeyModifiers::CONTROL,
                ))),
            );
        }),
        ("simulator_form", |app| keys(app, "4s")),
        ("simulator", simulated),
        ("rls_simulation", |app| {
            simulated(app);
            press(app, KeyCode::Esc);
        }),
        ("rls_simulation_stale", |app| {
            simulated(app);
            press(app, KeyCode::Esc);
            // An edit after the run (the todos' sample count): the pane says its answers
            // are old.
            schemaforge::tui::editing::apply(
                app,
                schemaforge::design::edit::Edit::SetSamples {
                    key: "todos".into(),
                    samples: Some(schemaforge::design::Samples::Count(7)),
                    position: None,
                },
                "samples",
            );
            app.view.message = None;
        }),
        ("apply_failed", |app| {
            keys(app, "6");
            let plan = app.model.plan.as_ref().expect("a plan");
            let index = plan
                .bundle
                .statements
                .iter()
                .position(|s| {
                    plan.bundle
                        .statement_text(s_index(plan, s))
                        .contains("CREATE POLICY")
                })
                .expect("a policy statement");
            let statement = &plan.bundle.statements[index];
            let failure = StatementFailure {
                index,
                total: plan.bundle.statements.len(),
                line: statement.line,
                sql: plan.bundle.statement_text(index).to_owned(),
                code: "42601".into(),
                message: "syntax error at or near \"AND\"".into(),
                detail: None,
                hint: Some("check the policy expression".into()),
                position: Some((statement.line + 1, 3)),
                context: None,
                blocked_by: Vec::new(),
            };
            update(
                app,
                Message::Applied {
                    dry_run: false,
                    result: Err(ApplyError::Statement(Box::new(failure))),
                },
            );
            app.view.message = None;
        }),
    ]
}

/// Phase 4, `s`: two users chosen in the popup (user: generated; beside: a generated user),
/// and the job's answer, made here.
fn simulated(app: &mut App) {
    keys(app, "4s");
    press(app, KeyCode::Enter);
    update(app, Message::Simulated(Ok(simulation_reports())));
    app.view.message = None;
}

/// Two users' reports, as the simulator job would answer them.
fn simulation_reports() -> Vec<schemaforge::rls::simulate::SimulationReport> {
    use schemaforge::rls::simulate::{Outcome, Probe, SimRole, SimulationReport, TableProbes};
    let ok = |rows| Probe {
        outcome: Outcome::Allowed,
        rows,
        message: None,
    };
    let denied = || Probe {
        outcome: Outcome::Denied,
        rows: 0,
        message: Some("new row violates row-level security policy for table \"todos\"".into()),
    };
    let recursion = || Probe {
        outcome: Outcome::Failed,
        rows: 0,
        message: Some("infinite recursion detected in policy for relation \"teams\"".into()),
    };
    let user = |email: &str, id: &str, todos: Vec<&str>, projects: u64| SimulationReport {
        role: SimRole::Authenticated,
        user: Some(id.into()),
        email: Some(email.into()),
        tables: vec![
            TableProbes {
                table: "public.projects".into(),
                total_rows: 40,
                select: ok(projects),
                visible_ids: None,
                owner_column: Some("created_by".into()),
                insert: ok(1),
                insert_for_other: Some(denied()),
                update: ok(projects),
                delete: ok(projects),
            },
            TableProbes {
                table: "public.teams".into(),
                total_rows: 2,
                select: recursion(),
                visible_ids: None,
                owner_column: None,
                insert: recursion(),
                insert_for_other: None,
                update: recursion(),
                delete: recursion(),
            },
            TableProbes {
                table: "public.todos".into(),
                total_rows: 3,
                select: ok(todos.len() as u64),
                visible_ids: Some(todos.iter().map(|s| s.to_string()).collect()),
                owner_column: Some("created_by".into()),
                insert: ok(1),
                insert_for_other: Some(denied()),
                update: ok(todos.len() as u64),
                delete: ok(todos.len() as u64),
            },
        ],
    };
    vec![
        user(
            "alice@example.com",
            "aaaaaaaa-0000-4000-8000-000000000001",
            vec![
                "0a000000-0000-4000-8000-000000000001",
                "0b000000-0000-4000-8000-000000000002",
            ],
            12,
        ),
        user(
            "bob@example.com",
            "bbbbbbbb-0000-4000-8000-000000000002",
            vec!["0c000000-0000-4000-8000-000000000003"],
            0,
        ),
    ]
}

fn s_index(plan: &schemaforge::tui::app::PlanView, s: &schemaforge::plan::Statement) -> usize {
    plan.bundle
        .statements
        .iter()
        .position(|x| std::ptr::eq(x, s))
        .unwrap()
}

fn screen(theme: &str, name: &str, width: u16, height: u16) -> (App, Buffer) {
    let (_, setup) = screens()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("known screen");
    let mut app = tui_support::app(theme, tui_support::catalog(), width, height);
    setup(&mut app);
    let buffer = render(&app, width, height);
    (app, buffer)
}

#[test]
fn every_pane_in_both_sizes() {
    for (name, _) in screens() {
        for (w, h) in SIZES {
            let (_, buffer) = screen("dark", name, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), buffer_text(&buffer));
        }
    }
}

/// The options form of every field type: exactly the options the type accepts.
#[test]
fn the_options_form_of_every_field_type() {
    for t in schemaforge::design::FieldType::ALL {
        for (w, h) in SIZES {
            let mut app = tui_support::app("dark", tui_support::catalog(), w, h);
            keys(&mut app, "2a");
            keys(&mut app, t.name());
            press(&mut app, KeyCode::Enter);
            keys(&mut app, "Due");
            let text = buffer_text(&render(&app, w, h));
            assert!(
                text.contains(&format!("New {} field", t.name())),
                "{t}:\n{text}"
            );
            insta::assert_snapshot!(format!("field_form_{}_{w}x{h}", t.name()), text);
        }
    }
}

/// Warnings about a table or a field are shown under its row, in the warning colour.
#[test]
fn warnings_sit_under_the_row_they_concern() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 160, 45);
    keys(&mut app, "1a");
    keys(&mut app, "Order");
    press(&mut app, KeyCode::Enter);
    let buffer = render(&app, 160, 45);
    let text = buffer_text(&buffer);
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("+Order"))
        .expect(&text);
    assert!(
        lines[row + 1].contains("⚠")
            && lines[row + 1].contains("\"order\" is an SQL reserved word"),
        "{text}"
    );
    assert_eq!(
        cell_of(&buffer, "⚠ the table name").fg,
        tui_support::theme("dark").style(Role::Warning).fg.unwrap()
    );
    // The same warning is what `lint` reports for the design.
    assert!(
        app.model
            .analysis
            .findings
            .iter()
            .any(|f| f.message.contains("reserved word"))
    );
    keys(&mut app, "2a");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "user");
    press(&mut app, KeyCode::Enter);
    let text = buffer_text(&render(&app, 160, 45));
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("★ user "))
        .expect(&text);
    assert!(
        lines[row + 1].contains("the column name \"user\""),
        "{text}"
    );
}

/// A click on a row of phases 1 and 2 selects it, at both sizes.
#[test]
fn a_click_selects_the_row_under_it() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    for (w, h) in SIZES {
        let mut app = tui_support::app("dark", tui_support::catalog(), w, h);
        let click = |app: &mut App, needle: &str| {
            let text = buffer_text(&render(app, w, h));
            // In the pane, right of the tree's border.
            let (y, x) = text
                .lines()
                .enumerate()
                .find_map(|(y, l)| {
                    let pane = l.find("││")? + "││".len();
                    let at = l[pane..].find(needle)?;
                    Some((y, l[..pane + at].chars().count()))
                })
                .unwrap_or_else(|| panic!("{needle:?} not in the pane:\n{text}"));
            update(
                app,
                Message::Terminal(Event::Mouse(MouseEvent {
                    kind: MouseEventKind::Down(MouseButton::Left),
                    column: x as u16,
                    row: y as u16,
                    modifiers: KeyModifiers::NONE,
                })),
            );
        };
        keys(&mut app, "1");
        click(&mut app, "projects  ");
        let selected = app.view.selected[schemaforge::tui::app::Phase::Tables.index()];
        assert_eq!(selected, 2, "Todos, profiles, projects: {w}x{h}");
        click(&mut app, "Todos  ");
        assert_eq!(
            app.view.selected[schemaforge::tui::app::Phase::Tables.index()],
            0
        );
        keys(&mut app, "2");
        click(&mut app, "completed");
        assert_eq!(
            app.view.selected[schemaforge::tui::app::Phase::Fields.index()],
            1,
            "{w}x{h}"
        );
        click(&mut app, "title");
        assert_eq!(
            app.view.selected[schemaforge::tui::app::Phase::Fields.index()],
            0
        );
    }
}

fn palette(theme: &Theme) -> Vec<Color> {
    let mut colours = vec![Color::Reset];
    for role in Role::ALL {
        let style = theme.style(role);
        colours.extend(style.fg);
        colours.extend(style.bg);
    }
    colours
}

#[test]
fn every_colour_on_every_screen_comes_from_the_theme_in_both_themes() {
    let dark = tui_support::theme("dark");
    let light = tui_support::theme("light");
    for (name, _) in screens() {
        for (w, h) in SIZES {
            let (_, on_dark) = screen("dark", name, w, h);
            let (_, on_light) = screen("light", name, w, h);
            assert_eq!(
                buffer_text(&on_dark),
                buffer_text(&on_light),
                "{name}: the text does not depend on the theme"
            );
            for (theme, buffer) in [(&dark, &on_dark), (&light, &on_light)] {
                let allowed = palette(theme);
                for cell in buffer.content() {
                    assert!(
                        allowed.contains(&cell.fg) && allowed.contains(&cell.bg),
                        "{name} {w}x{h} in {}: {:?} on {:?} at {:?} is not a theme colour",
                        theme.name,
                        cell.fg,
                        cell.bg,
                        cell.symbol()
                    );
                }
            }
            let styles = |b: &Buffer| b.content().iter().map(|c| (c.fg, c.bg)).collect::<Vec<_>>();
            assert_ne!(
                styles(&on_dark),
                styles(&on_light),
                "{name}: themes look different"
            );
        }
    }
}

#[test]
fn the_high_contrast_theme_reaches_the_screen() {
    let theme = tui_support::theme("high-contrast");
    let allowed = palette(&theme);
    for (name, _) in screens() {
        let (_, buffer) = screen("high-contrast", name, 120, 36);
        for cell in buffer.content() {
            assert!(
                allowed.contains(&cell.fg) && allowed.contains(&cell.bg),
                "{name}: {:?} on {:?} at {:?} is not a high-contrast colour",
                cell.fg,
                cell.bg,
                cell.symbol()
            );
        }
    }
    let (_, tables) = screen("high-contrast", "tables", 120, 36);
    let selected = theme.style(Role::Selected);
    let text = buffer_text(&tables);
    let row = (0..tables.area.height)
        .find(|&y| {
            (0..tables.area.width).any(|x| {
                let cell = &tables[(x, y)];
                Some(cell.bg) == selected.bg && Some(cell.fg) == selected.fg
            })
        })
        .unwrap_or_else(|| panic!("no selected row in black on yellow:\n{text}"));
    let x = (0..tables.area.width)
        .find(|&x| tables[(x, row)].bg == selected.bg.unwrap())
        .unwrap();
    let cell = &tables[(x, row)];
    assert_eq!(
        (cell.fg, cell.bg),
        (Color::Rgb(0, 0, 0), Color::Rgb(255, 255, 0))
    );
    assert!(cell.modifier.contains(ratatui::style::Modifier::BOLD));
    let (_, preview) = screen("high-contrast", "preview", 120, 36);
    assert_eq!(
        cell_of(&preview, "CREATE TABLE").fg,
        Color::Rgb(0, 255, 255)
    );
}

fn cell_of<'a>(buffer: &'a Buffer, needle: &str) -> &'a ratatui::buffer::Cell {
    let text = buffer_text(buffer);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{text}"));
    let x = line[..line.find(needle).unwrap()].chars().count();
    &buffer[(x as u16, y as u16)]
}

#[test]
fn roles_land_where_they_belong() {
    let theme = tui_support::theme("dark");
    let (_, preview) = screen("dark", "preview", 160, 45);
    assert_eq!(
        cell_of(&preview, "CREATE TABLE").fg,
        theme.style(Role::Keyword).fg.unwrap()
    );
    assert_eq!(
        cell_of(&preview, "-- tables").fg,
        theme.style(Role::Comment).fg.unwrap()
    );
    let (_, schema) = screen("dark", "schema", 160, 45);
    assert_eq!(
        cell_of(&schema, "+ todos").fg,
        theme.style(Role::New).fg.unwrap()
    );
    assert_eq!(
        cell_of(&schema, "▸ auth").fg,
        theme.style(Role::Managed).fg.unwrap()
    );
    let (_, failed) = screen("dark", "apply_failed", 160, 45);
    assert_eq!(
        cell_of(&failed, "✗ statement").fg,
        theme.style(Role::Danger).fg.unwrap()
    );
}

#[test]
fn a_phase_with_errors_is_marked_in_the_stepper() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 80, 24);
    let design = &mut app.model.design.as_mut().unwrap().design;
    let duplicate = design.tables[0].fields[0].clone();
    design.tables[0].fields.push(duplicate);
    schemaforge::tui::planning::replan(&mut app);
    let buffer = render(&app, 80, 24);
    let text = buffer_text(&buffer);
    let stepper = text.lines().nth(1).unwrap();
    assert!(stepper.contains("2 Fields●"), "{stepper}");
    assert!(!stepper.contains("4 RLS●"), "{stepper}");
    assert_eq!(
        cell_of(&buffer, "●").fg,
        tui_support::theme("dark")
            .style(Role::PhaseError)
            .fg
            .unwrap()
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(" errors · 0 warnings"),
        "{text}"
    );
    assert!(app.model.plan.is_none() && !app.plan_errors().is_empty());
}

#[test]
fn the_help_scrolls_at_80x24_and_shows_everything_at_160x45() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 80, 24);
    keys(&mut app, "?");
    let first = buffer_text(&render(&app, 80, 24));
    assert!(first.contains("j/k scroll for more"), "{first}");
    for _ in 0..40 {
        press(&mut app, KeyCode::Down);
    }
    let last = buffer_text(&render(&app, 80, 24));
    assert!(last.contains("walkthrough on/off"), "{last}");
    assert!(!last.contains("j/k scroll for more"), "{last}");
    press(&mut app, KeyCode::Char('x'));
    assert!(app.overlay().is_none() && !app.view.quit);

    let (_, wide) = screen("dark", "help", 160, 45);
    let wide = buffer_text(&wide);
    assert!(
        wide.contains("list keys") && wide.contains("global keys"),
        "{wide}"
    );
    assert!(wide.contains("walkthrough on/off") && wide.contains("re-read the live schema"));
}

#[test]
fn five_thousand_tables_open_and_scroll_the_tree() {
    let mut app = tui_support::app("dark", tui_support::big_catalog(5000), 100, 30);
    let text = buffer_text(&render(&app, 100, 30));
    assert!(text.contains("table_00000"), "{text}");
    press(&mut app, KeyCode::End);
    let text = buffer_text(&render(&app, 100, 30));
    assert!(
        text.contains("storage"),
        "the last row is on screen:\n{text}"
    );
    keys(&mut app, "/04999");
    let text = buffer_text(&render(&app, 100, 30));
    assert!(
        text.contains("table_04999") && !text.contains("table_04998"),
        "{text}"
    );
}

#[test]
fn mouse_clicks_focus_and_select_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    use schemaforge::tui::app::{Focus, Phase};
    let mouse = |app: &mut App, kind, column, row| {
        update(
            app,
            Message::Terminal(Event::Mouse(MouseEvent {
                kind,
                column,
                row,
                modifiers: KeyModifiers::NONE,
            })),
        );
    };
    let mut app = tui_support::app("dark", tui_support::big_catalog(200), 100, 30);
    // Row 3 of the screen is the first row inside the tree (`public`); row 5 the second table.
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), 5, 5);
    assert_eq!(app.view.focus, Focus::Tree);
    assert_eq!(app.view.tree.selected_row().unwrap().label, "projects");
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), 60, 10);
    assert_eq!(app.view.focus, Focus::Main);
    // The stepper: a click on `4 RLS` goes there.
    let text = buffer_text(&render(&app, 100, 30));
    let x = text.lines().nth(1).unwrap().find("4 RLS").unwrap();
    let x = text.lines().nth(1).unwrap()[..x].chars().count() as u16;
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), x, 1);
    assert_eq!(app.view.phase, Phase::Rls);
    // The wheel over the tree scrolls it.
    mouse(&mut app, MouseEventKind::ScrollDown, 5, 10);
    mouse(&mut app, MouseEventKind::ScrollDown, 5, 10);
    let text = buffer_text(&render(&app, 100, 30));
    // Only the tree's column: the findings beside it name tables too.
    let tree: String = text
        .lines()
        .map(|l| l.chars().take(30).collect::<String>() + "\n")
        .collect();
    assert!(
        tree.contains("table_00026") && !tree.contains("table_00002"),
        "{text}"
    );
}

/// `public.projects` as a real-world table: a long column name, a partial and a GIN index,
/// a trigger with its events, a long multi-line policy, published to Realtime.
fn real_world_catalog() -> schemaforge::catalog::Catalog {
    use schemaforge::catalog::{Index, Publication, QualifiedName, ReplicaIdentity};
    let mut catalog = tui_support::catalog();
    let projects = catalog
        .tables
        .iter_mut()
        .find(|t| t.schema == "public" && t.name == "projects")
        .unwrap();
    projects.columns.push(tui_support::column(
        "notification_preferences_updated_at",
        5,
        "timestamp with time zone",
        true,
        None,
    ));
    projects.indexes.push(Index {
        name: "projects_live_idx".into(),
        definition: "CREATE INDEX projects_live_idx ON public.projects USING btree (created_at) WHERE (archived_at IS NULL)".into(),
        unique: false,
        primary: false,
        columns: vec!["created_at".into()],
        invalid: false,
    });
    projects.indexes.push(Index {
        name: "projects_search_idx".into(),
        definition:
            "CREATE INDEX projects_search_idx ON public.projects USING gin (name gin_trgm_ops)"
                .into(),
        unique: false,
        primary: false,
        columns: vec!["name".into()],
        invalid: false,
    });
    projects.triggers[0].definition = "CREATE TRIGGER projects_updated BEFORE UPDATE OF name, created_by ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated()".into();
    projects.policies[0].using = Some(
        "(EXISTS ( SELECT 1\n   FROM public.organization_members m\n  WHERE ((m.organization_id = projects.organization_id) AND (m.user_id = ( SELECT auth.uid() AS uid)) AND (m.role = ANY (ARRAY['owner'::text, 'admin'::text, 'deciding_condition'::text])))))".into(),
    );
    projects.replica_identity = ReplicaIdentity::Full;
    catalog.publications.push(Publication {
        name: "supabase_realtime".into(),
        all_tables: false,
        operations: vec!["insert".into(), "update".into(), "delete".into()],
        tables: vec![QualifiedName {
            schema: "public".into(),
            name: "projects".into(),
        }],
    });
    catalog
}

#[test]
fn the_schema_detail_shows_every_object_whole() {
    for (w, h) in SIZES {
        let mut app = tui_support::app("dark", real_world_catalog(), w, h);
        keys(&mut app, "jj");
        press(&mut app, KeyCode::Enter);
        let text = buffer_text(&render(&app, w, h));
        insta::assert_snapshot!(format!("schema_real_world_{w}x{h}"), text);
    }
    // At 80 columns, tall enough for the whole pane: every part is there, wrapped, not cut.
    let (w, h) = (80, 70);
    let mut app = tui_support::app("dark", real_world_catalog(), w, h);
    keys(&mut app, "jj");
    press(&mut app, KeyCode::Enter);
    let text = buffer_text(&render(&app, w, h));
    let detail: String = text
        .lines()
        .filter_map(|l| l.split("││").nth(1))
        .map(|l| l.trim_end_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "notification_preferences_updated_at",
        "where (archived_at IS NULL)",
        "using gin",
        "before update of name, created_by · for each row",
        "'deciding_condition'::text])))))",
        "→ auth.users(id) set null",
        "realtime",
        "replica identity full",
        "PK id",
    ] {
        assert!(detail.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn a_relationship_to_a_live_table_named_bare_is_edited_in_place() {
    let mut app = tui_support::app("dark", tui_support::catalog(), 80, 24);
    // The example's todos.project → projects (live, written bare): on delete becomes set null.
    keys(&mut app, "3e");
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay().is_none(), "{:?}", app.view.message);
    let rel = &app.model.design.as_ref().unwrap().design.relationships[0];
    assert_eq!(rel.target, "projects", "the target keeps its text");
    assert!(!rel.cascade_delete && !rel.required, "{rel:?}");
    let text = buffer_text(&render(&app, 80, 24));
    assert!(text.contains("on delete set null"), "{text}");
    assert!(
        app.model
            .plan
            .as_ref()
            .unwrap()
            .bundle
            .text
            .contains("ON DELETE SET NULL"),
        "the plan follows"
    );
}

#[test]
fn the_diagram_shows_live_foreign_keys_the_design_does_not_describe() {
    use schemaforge::catalog::{FkAction, ForeignKey};
    let mut catalog = tui_support::catalog();
    let profiles = catalog
        .tables
        .iter_mut()
        .find(|t| t.schema == "public" && t.name == "profiles")
        .expect("profiles");
    profiles.foreign_keys.push(ForeignKey {
        name: "profiles_pinned_todo_fkey".into(),
        columns: vec!["pinned_todo".into()],
        references_schema: "public".into(),
        references_table: "todos".into(),
        references_columns: vec!["id".into()],
        on_delete: FkAction::SetNull,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
        validated: true,
    });
    let mut app = tui_support::app("dark", catalog, 80, 24);
    keys(&mut app, "3");
    let text = buffer_text(&render(&app, 80, 24));
    assert!(
        text.contains("profiles.pinned_todo ─▶ todos.id")
            && text.contains("live · on delete set null"),
        "{text}"
    );
    assert_eq!(
        text.matches("project_id ─▶ projects.id").count(),
        1,
        "the design's own relationship once:\n{text}"
    );
}

/// While the first read's details arrive kind by kind: the tree is drawn from the names,
/// the detail pane shows what has arrived and says what has not, the status line counts.
#[test]
fn the_detail_pane_while_the_details_load() {
    use schemaforge::db::staged_read::Progress;
    let (w, h) = (80, 24);
    let mut app = App::new(
        "alice@db.example.com:5432/app".into(),
        tui_support::theme("dark"),
        schemaforge::tui::keymap::Keymap::default(),
    );
    app.view.width = w;
    app.view.height = h;
    update(&mut app, Message::Start);
    let whole = tui_support::catalog();
    let mut names = whole.clone();
    let mut partial = whole.clone();
    for t in &mut names.tables {
        let kept = schemaforge::catalog::Table::new(&t.schema, t.name.clone(), t.kind);
        *t = schemaforge::catalog::Table {
            rls_enabled: t.rls_enabled,
            ..kept
        };
    }
    for t in &mut partial.tables {
        t.policies.clear();
        t.triggers.clear();
    }
    update(&mut app, Message::CatalogNames(Box::new(names)));
    keys(&mut app, "jj");
    press(&mut app, KeyCode::Enter);
    let text = buffer_text(&render(&app, w, h));
    assert!(
        text.contains("still loading: columns, keys, indexes, policies,"),
        "{text}"
    );
    let mut progress = Progress::start();
    progress.arrived = progress.pending.drain(..3).collect();
    update(
        &mut app,
        Message::CatalogDetails {
            catalog: Box::new(partial),
            progress,
        },
    );
    let text = buffer_text(&render(&app, w, h));
    assert!(
        text.contains("still loading: policies, triggers…"),
        "{text}"
    );
    assert!(text.contains("details 3 of 6 read"), "{text}");
    insta::assert_snapshot!("schema_details_loading_80x24", text);
    // Complete: nothing is said to be loading any more.
    update(&mut app, Message::Catalog(Ok(Box::new(whole))));
    let text = buffer_text(&render(&app, w, h));
    assert!(!text.contains("loading"), "{text}");
}
