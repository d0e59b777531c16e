//! The form toolkit on screen: a form with every kind of input, an error shown under the
//! input it was typed into, and the type picker filtered by a query, at 80×24 and 160×45
//! (insta text snapshots), with every colour checked to come from the theme.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use schemaforge::design::{FieldOptions, FieldType};
use schemaforge::tui::components::form::{
    ChoiceList, ExpressionEditor, Form, FormOutcome, NumberInput, Picker, PickerEntry, TextInput,
    Toggle,
};
use schemaforge::tui::theme::{Role, Theme};
use schemaforge::tui::view::buffer_text;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn key(form: &mut Form, code: KeyCode) -> FormOutcome {
    form.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(form: &mut Form, text: &str) {
    for c in text.chars() {
        key(form, KeyCode::Char(c));
    }
}

/// The whole field-type catalogue, as the fields editor offers it.
fn field_types() -> Picker {
    Picker::new(
        FieldType::ALL
            .into_iter()
            .map(|t| {
                let entry = PickerEntry::new(t.name(), t.name(), t.description());
                match t.pg_type(&FieldOptions::default()) {
                    Some(pg) => entry.note(pg.sql()),
                    None => entry.note("no column"),
                }
            })
            .collect(),
    )
}

fn name_rule(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err("a field needs a name".into())
    } else if name.eq_ignore_ascii_case("id") {
        Err("id is a system field; choose another name".into())
    } else {
        Ok(())
    }
}

fn every_kind() -> Form {
    Form::new("new field · todos")
        .field(
            "name",
            "name",
            TextInput::new("")
                .placeholder("e.g. Due date")
                .validator(name_rule),
        )
        .field("required", "required", Toggle::new(true))
        .field(
            "on_delete",
            "on delete",
            ChoiceList::new(["cascade", "set null", "restrict", "no action"], 1),
        )
        .field(
            "max",
            "max",
            NumberInput::new(Some(5))
                .min(1)
                .max(10)
                .placeholder("1 – 10"),
        )
        .field(
            "type",
            "type",
            field_types().selected_value("singleLineText").rows(5),
        )
        .field(
            "check",
            "check",
            ExpressionEditor::new("length(title) > 0\n  and created_by = (select auth.uid())")
                .rows(3),
        )
}

fn draw(form: &Form, theme: &Theme, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| form.draw(f, theme, f.area())).unwrap();
    terminal.backend().buffer().clone()
}

/// How to build a screen under test.
type Make = fn() -> Form;

/// Each screen under test: a name and how to get there from a fresh form.
fn screens() -> Vec<(&'static str, Make)> {
    vec![
        ("form_every_kind", || {
            let mut form = every_kind();
            typed(&mut form, "Due date");
            form
        }),
        ("form_validation_error", || {
            let mut form = every_kind();
            typed(&mut form, "ID");
            key(&mut form, KeyCode::Tab);
            form
        }),
        ("form_picker_filtered", || {
            let mut form =
                Form::new("field type")
                    .width(76)
                    .field("type", "", field_types().rows(8));
            typed(&mut form, "dat");
            form
        }),
    ]
}

#[test]
fn forms_in_both_sizes() {
    let theme = Theme::default();
    for (name, make) in screens() {
        for (w, h) in SIZES {
            let buffer = draw(&make(), &theme, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), buffer_text(&buffer));
        }
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
fn every_colour_comes_from_the_theme_in_both_themes() {
    for theme_name in ["dark", "light"] {
        let theme = Theme::load(theme_name, None).unwrap();
        let allowed = palette(&theme);
        for (name, make) in screens() {
            for (w, h) in SIZES {
                let buffer = draw(&make(), &theme, w, h);
                for cell in buffer.content() {
                    assert!(
                        allowed.contains(&cell.fg) && allowed.contains(&cell.bg),
                        "{name} {w}x{h} in {theme_name}: {:?} on {:?} at {:?}",
                        cell.fg,
                        cell.bg,
                        cell.symbol()
                    );
                }
            }
        }
    }
}

fn find(buffer: &Buffer, needle: &str) -> (u16, u16) {
    let text = buffer_text(buffer);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{text}"));
    let x = line[..line.find(needle).unwrap()].chars().count();
    (x as u16, y as u16)
}

#[test]
fn the_error_sits_under_its_input_in_the_danger_role() {
    let theme = Theme::default();
    let (_, make) = screens().remove(1);
    let buffer = draw(&make(), &theme, 80, 24);
    let (input_x, input_y) = find(&buffer, "ID");
    let (error_x, error_y) = find(&buffer, "✗ id is a system field");
    assert_eq!((error_x, error_y), (input_x, input_y + 1));
    assert_eq!(
        buffer[(error_x, error_y)].fg,
        theme.style(Role::Danger).fg.unwrap()
    );
    // Highlighted SQL in the expression editor: keywords in the keyword role.
    let (x, y) = find(&buffer, "select");
    assert_eq!(buffer[(x, y)].fg, theme.style(Role::Keyword).fg.unwrap());
}

#[test]
fn a_form_taller_than_the_screen_scrolls_to_the_focused_input() {
    let theme = Theme::default();
    let mut form = Form::new("many");
    for i in 0..30 {
        form = form.field(
            format!("f{i}"),
            format!("field {i}"),
            TextInput::new(format!("value {i}")),
        );
    }
    let first = buffer_text(&draw(&form, &theme, 80, 24));
    assert!(
        first.contains("field 0") && !first.contains("field 29"),
        "{first}"
    );
    assert!(first.contains("↓ more"), "{first}");
    key(&mut form, KeyCode::BackTab);
    assert_eq!(form.focused_id(), Some("f29"));
    let last = buffer_text(&draw(&form, &theme, 80, 24));
    assert!(
        last.contains("▸ field 29") && !last.contains("field 0 "),
        "{last}"
    );
    assert!(last.contains("↑ more"), "{last}");
    let area = form.area_of("f29").unwrap();
    assert!(area.y < 23 && area.height == 1, "{area:?}");
    assert_eq!(
        form.area_of("f0").unwrap().height,
        0,
        "scrolled out of view"
    );
}

#[test]
fn tiny_screens_draw_without_panicking() {
    let theme = Theme::default();
    for (_, make) in screens() {
        for w in [1, 5, 10, 17, 23, 30, 41] {
            for h in [1, 3, 5, 9] {
                let _ = draw(&make(), &theme, w, h);
            }
        }
    }
}

#[test]
fn a_long_error_wraps_under_its_input_and_is_never_cut() {
    let message = "\"eur\" is not an ISO 4217 currency code — use three capital letters, e.g. \"EUR\" or \"USD\"";
    let theme = Theme::default();
    let make = || {
        let mut form = Form::new("currency").field(
            "code",
            "currency code",
            TextInput::new("").validator(move |_: &str| Err(message.to_owned())),
        );
        typed(&mut form, "eur");
        key(&mut form, KeyCode::Tab);
        form
    };
    for (w, h) in SIZES {
        let buffer = draw(&make(), &theme, w, h);
        let text = buffer_text(&buffer);
        let (input_x, input_y) = find(&buffer, "eur");
        let (error_x, error_y) = find(&buffer, "✗ \"eur\" is not");
        assert_eq!((error_x, error_y), (input_x, input_y + 1), "{text}");
        // Every word of it is on screen, in order, under the input.
        let under: String = text
            .lines()
            .skip(error_y as usize)
            .map(|l| l.chars().skip(error_x as usize).collect::<String>())
            .map(|l| l.trim_end_matches(['│', ' ']).to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squash(&under).contains(&squash(&format!("✗ {message}"))),
            "{w}x{h}:\n{text}"
        );
        assert!(!text.contains('…'), "{w}x{h}:\n{text}");
    }
}
