//! The form as a whole: focus order, confirm and cancel, values read back into an `Edit`,
//! errors shown where they were typed, clicks.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::test_keys::{alt, chars, ctrl, key};
use super::*;
use crate::design::Design;
use crate::design::edit::Edit;
use crate::tui::theme::Theme;

fn type_into(form: &mut Form, text: &str) {
    for k in chars(text) {
        assert_eq!(form.on_key(&k), FormOutcome::Stay);
    }
}

fn not_blank(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        Err("a name is required".into())
    } else {
        Ok(())
    }
}

fn table_form(name: &str) -> Form {
    Form::new("rename table")
        .field("name", "name", TextInput::new(name).validator(not_blank))
        .field("public", "public data", Toggle::new(false))
        .field("max", "max", NumberInput::new(Some(5)).min(1).max(10))
}

fn design() -> Design {
    serde_json::from_value(serde_json::json!({"tables": [
        {"name": "Todos", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]}
    ]}))
    .unwrap()
}

#[test]
fn tab_and_shift_tab_move_the_focus_around_and_wrap() {
    let mut form = table_form("Todos");
    assert_eq!(form.focused_id(), Some("name"));
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(form.focused_id(), Some("public"));
    form.on_key(&key(KeyCode::Tab));
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(form.focused_id(), Some("name"), "Tab wraps to the first");
    form.on_key(&key(KeyCode::BackTab));
    assert_eq!(
        form.focused_id(),
        Some("max"),
        "Shift-Tab wraps to the last"
    );
    form.on_key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT));
    assert_eq!(form.focused_id(), Some("public"));
    assert!(form.focus("name"));
    assert!(!form.focus("nope"));
}

#[test]
fn confirmed_values_become_one_edit_and_esc_changes_nothing() {
    let mut design = design();
    let before = design.clone();

    // Esc: whatever was typed, the design keeps the value it had before the form opened.
    let mut form = table_form(&design.tables[0].name);
    type_into(&mut form, "Items");
    assert_eq!(form.value_text("name").as_deref(), Some("TodosItems"));
    assert!(form.is_changed());
    assert_eq!(form.on_key(&key(KeyCode::Esc)), FormOutcome::Cancel);
    assert_eq!(design, before);

    // ⏎: the editor reads typed values back and builds its edit from them.
    let mut form = table_form(&design.tables[0].name);
    assert!(!form.is_changed());
    for _ in 0.."Todos".len() {
        form.on_key(&key(KeyCode::Backspace));
    }
    type_into(&mut form, "Tasks");
    form.on_key(&key(KeyCode::Tab));
    form.on_key(&key(KeyCode::Char(' ')));
    form.on_key(&key(KeyCode::Tab));
    form.on_key(&key(KeyCode::Backspace));
    type_into(&mut form, "8");
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Confirm);
    assert_eq!(form.value_bool("public"), Some(true));
    assert_eq!(form.value_number("max"), Some(8));
    assert_eq!(form.value_text("max").as_deref(), Some("8"));
    assert_eq!(form.value_bool("name"), None, "a text input is no toggle");
    let edit = Edit::RenameTable {
        table: 0,
        name: form.value_text("name").unwrap(),
        db_name: None,
    };
    let undo = edit.apply(&mut design).unwrap();
    assert_eq!(design.tables[0].name, "Tasks");
    undo.apply(&mut design).unwrap();
    assert_eq!(design, before);
}

#[test]
fn a_bad_input_refuses_the_confirm_and_gets_the_focus() {
    let mut form = table_form("");
    form.on_key(&key(KeyCode::Tab));
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(
        form.shown_error(0),
        None,
        "not typed into yet: no error shown"
    );
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Stay);
    assert_eq!(
        form.focused_id(),
        Some("name"),
        "the focus jumps to the bad input"
    );
    assert_eq!(form.shown_error(0).as_deref(), Some("a name is required"));
    type_into(&mut form, "x");
    assert_eq!(form.error("name"), None);
    // A number out of bounds is an error too, shown as soon as it is typed.
    form.on_key(&key(KeyCode::BackTab));
    type_into(&mut form, "0");
    assert_eq!(form.value_number("max"), Some(50));
    assert_eq!(form.shown_error(2).as_deref(), Some("between 1 and 10"));
    assert_eq!(form.on_key(&ctrl('s')), FormOutcome::Stay);
    form.on_key(&key(KeyCode::Backspace));
    assert_eq!(form.on_key(&ctrl('s')), FormOutcome::Confirm);
}

#[test]
fn the_editor_can_reject_a_value_until_it_changes() {
    let mut form = table_form("Todos");
    form.on_key(&key(KeyCode::Tab));
    form.reject("name", "a live table is already called todos");
    assert_eq!(form.focused_id(), Some("name"));
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Stay);
    assert_eq!(
        form.shown_error(0).as_deref(),
        Some("a live table is already called todos")
    );
    type_into(&mut form, "2");
    assert_eq!(form.shown_error(0), None);
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Confirm);
}

#[test]
fn in_the_expression_editor_enter_is_a_newline_and_alt_enter_confirms() {
    let mut form = Form::new("policy")
        .field("name", "name", TextInput::new("own rows"))
        .field("using", "using", ExpressionEditor::new("a = 1"));
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Stay);
    type_into(&mut form, "or b");
    assert_eq!(form.value_text("using").as_deref(), Some("a = 1\nor b"));
    assert_eq!(form.on_key(&alt(KeyCode::Enter)), FormOutcome::Confirm);
    assert_eq!(form.on_key(&ctrl('s')), FormOutcome::Confirm);
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(
        form.on_key(&key(KeyCode::Enter)),
        FormOutcome::Confirm,
        "⏎ confirms from a text input"
    );
}

#[test]
fn choices_pickers_and_set_text_read_back() {
    let mut form = Form::new("field")
        .field("name", "name", TextInput::new("Due date"))
        .field("db", "db name", TextInput::new("due_date"))
        .field(
            "on_delete",
            "on delete",
            ChoiceList::new(["cascade", "set null"], 0),
        )
        .field(
            "type",
            "type",
            Picker::new(vec![
                PickerEntry::new("date", "date", "a calendar day").note("date"),
                PickerEntry::new("dateTime", "dateTime", "a moment").note("timestamptz"),
            ]),
        );
    assert!(form.set_text("db", "when_due"));
    assert!(!form.set_text("on_delete", "x"));
    form.focus("on_delete");
    form.on_key(&key(KeyCode::Right));
    form.on_key(&key(KeyCode::Tab));
    type_into(&mut form, "tim");
    assert_eq!(form.value_text("db").as_deref(), Some("when_due"));
    assert_eq!(form.value_choice("on_delete"), Some(1));
    assert_eq!(form.value_text("on_delete").as_deref(), Some("set null"));
    assert_eq!(form.value_choice("type"), Some(1));
    assert_eq!(form.value_text("type").as_deref(), Some("dateTime"));
    type_into(&mut form, "q");
    assert_eq!(form.on_key(&key(KeyCode::Enter)), FormOutcome::Stay);
    assert_eq!(
        form.error("type").as_deref(),
        Some("nothing matches “timq”")
    );
}

#[test]
fn a_click_focuses_the_input_under_it() {
    let theme = Theme::default();
    let mut form = table_form("Todos");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| form.draw(f, &theme, f.area())).unwrap();
    let toggle = form.area_of("public").unwrap();
    assert!(toggle.width > 0 && toggle.height == 1, "{toggle:?}");
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // On the label: focus only.
    assert!(form.on_mouse(&click(toggle.x + 1, toggle.y)));
    assert_eq!(form.focused_id(), Some("public"));
    assert_eq!(form.value_bool("public"), Some(false));
    // On the box itself: a checkbox flips.
    let (x, _, _) = form.fields[1].input_at.get();
    form.on_mouse(&click(x as u16, toggle.y));
    assert_eq!(form.value_bool("public"), Some(true));
    assert!(!form.on_mouse(&click(0, 0)), "outside the form");
    assert_eq!(form.focused_id(), Some("public"));
}

#[test]
fn hints_follow_the_focused_input_and_a_form_can_cross_threads() {
    let mut form = Form::new("policy")
        .field("name", "name", TextInput::new(""))
        .field("using", "using", ExpressionEditor::new(""));
    assert_eq!(
        form.hints(),
        [("⏎", "confirm"), ("Tab", "next"), ("Esc", "cancel")]
    );
    form.on_key(&key(KeyCode::Tab));
    assert_eq!(form.hints()[0], ("Alt-⏎", "confirm"));
    assert!(form.hints().contains(&("⏎", "newline")));
    fn send<T: Send>(_: &T) {}
    send(&form);
}
