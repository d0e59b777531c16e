//! The form: a titled popup of labelled inputs, the focus among them, the keys that move
//! it, confirm or cancel, and the values an editor reads back to build its `Edit`.

use std::cell::Cell;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::FormOutcome;
use super::input::{FormInput, Value};
use crate::tui::theme::Role;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub id: String,
    pub label: String,
    pub input: FormInput,
    /// The value the form opened with, to tell whether anything changed.
    pub initial: Value,
    /// Typed into since the form opened: its errors show from then on.
    pub touched: bool,
    /// Refused by the editor after a confirm ([`Form::reject`]) until the input changes.
    pub rejected: Option<String>,
    /// Where the field was last drawn, clipped to the popup (empty when scrolled away).
    pub area: Cell<Rect>,
    /// The input's top-left on screen when last drawn (above the popup when scrolled
    /// past) and its width, so a click lands on what the user sees.
    pub input_at: Cell<(i32, i32, u16)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub(crate) title: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) focus: usize,
    /// A confirm was refused: every error shows, typed into or not.
    pub(crate) refused: bool,
    /// Columns asked for; `None` fits the screen (72, wider on a wide screen).
    pub(crate) width: Option<u16>,
    /// The first content row on screen; kept between frames so the view moves only as
    /// far as the focus needs.
    pub(crate) scroll: Cell<u16>,
    /// Lines under the inputs that are not about one input (what a linter says about the
    /// whole object as typed), each in its colour; wrapped to the popup.
    pub(crate) notes: Vec<(Role, String)>,
}

impl Form {
    pub fn new(title: impl Into<String>) -> Form {
        Form {
            title: title.into(),
            fields: Vec::new(),
            focus: 0,
            refused: false,
            width: None,
            scroll: Cell::new(0),
            notes: Vec::new(),
        }
    }

    /// Adds an input under `id` (what the value getters take), shown beside `label`
    /// (may be empty, e.g. a form that is just a picker). The first input has the focus.
    pub fn field(
        mut self,
        id: impl Into<String>,
        label: impl Into<String>,
        input: impl Into<FormInput>,
    ) -> Form {
        let input = input.into();
        self.fields.push(Field {
            id: id.into(),
            label: label.into(),
            initial: input.value(),
            input,
            touched: false,
            rejected: None,
            area: Cell::new(Rect::default()),
            input_at: Cell::new((0, 0, 0)),
        });
        self
    }

    /// The popup's width in columns (never wider than the screen). Unless told: 72, or
    /// three fifths of a wide screen, up to 100.
    pub fn width(mut self, width: u16) -> Form {
        self.width = Some(width.max(20));
        self
    }

    /// Replaces the notes shown under the inputs (see [`Form::notes`]).
    pub fn set_notes(&mut self, notes: Vec<(Role, String)>) {
        self.notes = notes;
    }

    /// The notes under the inputs, e.g. lint findings about the object being edited.
    pub fn notes(&self) -> &[(Role, String)] {
        &self.notes
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }

    /// The input under `id`, to read more than the value getters give.
    pub fn input(&self, id: &str) -> Option<&FormInput> {
        self.index(id).map(|i| &self.fields[i].input)
    }

    /// The input under `id`, to change it from outside (a value derived from another).
    pub fn input_mut(&mut self, id: &str) -> Option<&mut FormInput> {
        self.index(id).map(|i| &mut self.fields[i].input)
    }

    /// The ids in focus order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.id.as_str())
    }

    pub fn focused_id(&self) -> Option<&str> {
        self.fields.get(self.focus).map(|f| f.id.as_str())
    }

    /// Moves the focus to `id`; false when there is no such input.
    pub fn focus(&mut self, id: &str) -> bool {
        match self.index(id) {
            Some(i) => {
                self.focus = i;
                true
            }
            None => false,
        }
    }

    /// A text input's or expression's text, a number input's digits, the chosen option of
    /// a choice list, or the chosen entry's `value` in a picker.
    pub fn value_text(&self, id: &str) -> Option<String> {
        match self.input(id)? {
            FormInput::Text(i) => Some(i.text().to_owned()),
            FormInput::Number(i) => Some(i.text().to_owned()),
            FormInput::Expression(i) => Some(i.text()),
            FormInput::Multi(i) => Some(i.text()),
            FormInput::Choice(i) => i.selected_text().map(str::to_owned),
            FormInput::Picker(i) => i.selected_entry().map(|e| e.value.clone()),
            FormInput::Toggle(_) => None,
        }
    }

    /// A toggle's state.
    pub fn value_bool(&self, id: &str) -> Option<bool> {
        match self.input(id)? {
            FormInput::Toggle(t) => Some(t.is_on()),
            _ => None,
        }
    }

    /// The chosen index of a choice list, or of a picker (into the entries it was given).
    pub fn value_choice(&self, id: &str) -> Option<usize> {
        match self.input(id)? {
            FormInput::Choice(c) => c.selected(),
            FormInput::Picker(p) => p.selected_index(),
            _ => None,
        }
    }

    /// A number input's number (`None` when empty).
    pub fn value_number(&self, id: &str) -> Option<i64> {
        match self.input(id)? {
            FormInput::Number(n) => n.value(),
            _ => None,
        }
    }

    /// Replaces a text, number or expression input's text (e.g. a `db_name` derived
    /// from the name as it is typed); false when `id` is not one of those.
    pub fn set_text(&mut self, id: &str, text: &str) -> bool {
        match self.input_mut(id) {
            Some(FormInput::Text(i)) => i.set_text(text),
            Some(FormInput::Expression(i)) => i.set_text(text),
            Some(FormInput::Number(i)) => match text.parse() {
                Ok(v) => i.set_value(Some(v)),
                Err(_) if text.is_empty() => i.set_value(None),
                Err(_) => return false,
            },
            _ => return false,
        }
        true
    }

    /// What is wrong with the input now (the editor's rejection first), shown or not yet.
    pub fn error(&self, id: &str) -> Option<String> {
        let field = &self.fields[self.index(id)?];
        field.rejected.clone().or_else(|| field.input.error())
    }

    /// The error shown under field `i`: once it was typed into or a confirm was refused.
    pub(crate) fn shown_error(&self, i: usize) -> Option<String> {
        let field = &self.fields[i];
        field.rejected.clone().or_else(|| {
            (field.touched || self.refused)
                .then(|| field.input.error())
                .flatten()
        })
    }

    /// The editor refuses a confirmed form (say the design validator found the name
    /// taken): the message shows under `id`, which gets the focus, until it is changed.
    pub fn reject(&mut self, id: &str, message: impl Into<String>) {
        if let Some(i) = self.index(id) {
            self.fields[i].rejected = Some(message.into());
            self.focus = i;
        }
    }

    /// Whether any input differs from what the form opened with.
    pub fn is_changed(&self) -> bool {
        self.fields.iter().any(|f| f.input.value() != f.initial)
    }

    /// Where the input under `id` was last drawn (empty when it was scrolled out of view).
    pub fn area_of(&self, id: &str) -> Option<Rect> {
        self.index(id).map(|i| self.fields[i].area.get())
    }

    /// The keys that work now, `(keys, what they do)`: the form's own, then the focused
    /// input's. The form's footer shows them; an editor can put them in its status line.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let focused = self.fields.get(self.focus).map(|f| &f.input);
        let confirm = if focused.is_some_and(FormInput::takes_enter) {
            "Alt-⏎"
        } else {
            "⏎"
        };
        let mut hints = vec![(confirm, "confirm")];
        if self.fields.len() > 1 {
            hints.push(("Tab", "next"));
        }
        hints.push(("Esc", "cancel"));
        hints.extend(focused.map(FormInput::hints).unwrap_or_default());
        hints
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n > 0 {
            self.focus = if forward {
                (self.focus + 1) % n
            } else {
                (self.focus + n - 1) % n
            };
        }
    }

    /// Confirms when every input is valid; otherwise shows every error and focuses the
    /// first bad input.
    fn try_confirm(&mut self) -> FormOutcome {
        let first_bad = (0..self.fields.len()).find(|&i| {
            let f = &self.fields[i];
            f.rejected.is_some() || f.input.error().is_some()
        });
        match first_bad {
            Some(i) => {
                self.refused = true;
                self.focus = i;
                FormOutcome::Stay
            }
            None => FormOutcome::Confirm,
        }
    }

    fn changed(&mut self, i: usize) {
        self.fields[i].touched = true;
        self.fields[i].rejected = None;
    }

    pub fn on_key(&mut self, key: &KeyEvent) -> FormOutcome {
        if key.kind == KeyEventKind::Release {
            return FormOutcome::Stay;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        let takes_enter = self
            .fields
            .get(self.focus)
            .is_some_and(|f| f.input.takes_enter());
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Tab if !ctrl && !alt => self.move_focus(!shift),
            KeyCode::BackTab => self.move_focus(false),
            KeyCode::Char('s' | 'S') if ctrl && !alt => return self.try_confirm(),
            KeyCode::Enter if alt || ctrl || !takes_enter => return self.try_confirm(),
            _ => {
                let i = self.focus;
                if let Some(field) = self.fields.get_mut(i)
                    && field.input.on_key(key)
                {
                    self.changed(i);
                }
            }
        }
        FormOutcome::Stay
    }

    /// Bracketed paste goes into the focused input.
    pub fn on_paste(&mut self, text: &str) {
        let i = self.focus;
        if let Some(field) = self.fields.get_mut(i)
            && field.input.on_paste(text)
        {
            self.changed(i);
        }
    }

    /// A left click on an input focuses it (and acts on it: a toggle flips, a choice or a
    /// picker row is chosen, a text cursor moves). Returns whether the click hit the form.
    pub fn on_mouse(&mut self, mouse: &MouseEvent) -> bool {
        if mouse.kind != MouseEventKind::Down(MouseButton::Left) {
            return false;
        }
        let (x, y) = (mouse.column, mouse.row);
        let Some(i) = self.fields.iter().position(|f| {
            let a = f.area.get();
            x >= a.x && x < a.right() && y >= a.y && y < a.bottom()
        }) else {
            return false;
        };
        self.focus = i;
        let (ox, oy, width) = self.fields[i].input_at.get();
        let (column, row) = (x as i32 - ox, y as i32 - oy);
        let field = &mut self.fields[i];
        if column >= 0
            && row >= 0
            && column < width as i32
            && row < field.input.height() as i32
            && field.input.on_click(column as u16, row as u16, width)
        {
            self.changed(i);
        }
        true
    }
}
