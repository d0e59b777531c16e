//! One of many, found by typing: the query filters and ranks the entries (the best match
//! first), ↑/↓ move through what is left. Each entry shows its label, a one-line
//! description and, on the right, an optional note (the PostgreSQL type a field becomes).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::fuzzy::{Ranked, rank};
use super::line::LineEditor;
use crate::tui::components::fit;
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickerEntry {
    /// What the editor reads back (`value_text`), e.g. `singleLineText`.
    pub value: String,
    pub label: String,
    pub description: String,
    pub note: Option<String>,
}

impl PickerEntry {
    pub fn new(
        value: impl Into<String>,
        label: impl Into<String>,
        description: impl Into<String>,
    ) -> PickerEntry {
        PickerEntry {
            value: value.into(),
            label: label.into(),
            description: description.into(),
            note: None,
        }
    }

    /// Shown at the right-hand end of the row.
    pub fn note(mut self, note: impl Into<String>) -> PickerEntry {
        self.note = Some(note.into());
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picker {
    entries: Vec<PickerEntry>,
    query: LineEditor,
    /// The entries the query lets through, best first.
    shown: Vec<Ranked>,
    /// Index into `shown`.
    selected: usize,
    /// The first visible row (index into `shown`).
    top: usize,
    rows: u16,
}

impl Picker {
    pub fn new(entries: Vec<PickerEntry>) -> Picker {
        let mut picker = Picker {
            entries,
            query: LineEditor::new(""),
            shown: Vec::new(),
            selected: 0,
            top: 0,
            rows: 6,
        };
        picker.refilter();
        picker
    }

    /// Starts on the entry whose value is `value` (editing an existing choice).
    pub fn selected_value(mut self, value: &str) -> Picker {
        if let Some(at) = self
            .shown
            .iter()
            .position(|r| self.entries[r.index].value == value)
        {
            self.selected = at;
        }
        self.follow();
        self
    }

    /// Chooses the first entry `pick` accepts, the query cleared so every entry is in view;
    /// false (and nothing changed) when none is accepted.
    pub fn choose_first(&mut self, pick: impl Fn(&PickerEntry) -> bool) -> bool {
        let Some(index) = self.entries.iter().position(pick) else {
            return false;
        };
        self.set_query("");
        if let Some(at) = self.shown.iter().position(|r| r.index == index) {
            self.selected = at;
        }
        self.follow();
        true
    }

    /// How many entries are visible at once (6 unless told).
    pub fn rows(mut self, rows: u16) -> Picker {
        self.rows = rows.max(1);
        self.follow();
        self
    }

    pub fn query(&self) -> &str {
        self.query.text()
    }

    pub fn set_query(&mut self, query: &str) {
        self.query.set_text(query);
        self.refilter();
    }

    /// The entries the query lets through, best first.
    pub fn matches(&self) -> impl Iterator<Item = &PickerEntry> {
        self.shown.iter().map(|r| &self.entries[r.index])
    }

    /// The chosen entry's index in the list given to [`Picker::new`].
    pub fn selected_index(&self) -> Option<usize> {
        self.shown.get(self.selected).map(|r| r.index)
    }

    pub fn selected_entry(&self) -> Option<&PickerEntry> {
        self.selected_index().map(|i| &self.entries[i])
    }

    pub fn error(&self) -> Option<String> {
        if self.entries.is_empty() {
            Some("nothing to choose from".into())
        } else if self.shown.is_empty() {
            Some(format!("nothing matches “{}”", self.query()))
        } else {
            None
        }
    }

    /// Rows taken in a form: the query line and the list.
    pub fn height(&self) -> u16 {
        1 + self.rows
    }

    fn refilter(&mut self) {
        let keep = self.selected_index();
        self.shown = rank(
            self.query.text(),
            self.entries
                .iter()
                .map(|e| (e.label.as_str(), e.description.as_str())),
        );
        // A blank query stays on the chosen entry; a typed one starts at the best match.
        self.selected = if self.query.text().trim().is_empty() {
            keep.and_then(|k| self.shown.iter().position(|r| r.index == k))
                .unwrap_or(0)
        } else {
            0
        };
        self.top = 0;
        self.follow();
    }

    /// Returns whether the chosen entry changed.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let before = self.selected_index();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let last = self.shown.len().saturating_sub(1);
        let page = self.rows as usize;
        let moved = match key.code {
            _ if key.kind == KeyEventKind::Release => return false,
            KeyCode::Up if plain => Some(self.selected.saturating_sub(1)),
            KeyCode::Down if plain => Some((self.selected + 1).min(last)),
            KeyCode::PageUp => Some(self.selected.saturating_sub(page)),
            KeyCode::PageDown => Some((self.selected + page).min(last)),
            _ => None,
        };
        match moved {
            Some(at) => {
                self.selected = at;
                self.follow();
            }
            None => {
                if self.query.on_key(key, |_| true) {
                    self.refilter();
                }
            }
        }
        self.selected_index() != before
    }

    pub fn on_paste(&mut self, text: &str) -> bool {
        let before = self.selected_index();
        if self.query.paste(text, |_| true) {
            self.refilter();
        }
        self.selected_index() != before
    }

    /// Scrolls the list just enough to show the chosen entry.
    fn follow(&mut self) {
        let rows = self.rows as usize;
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + rows {
            self.top = self.selected + 1 - rows;
        }
    }

    /// A click on a row chooses it; a click on the query line puts the cursor there.
    pub(crate) fn on_click(&mut self, column: u16, row: u16) -> bool {
        let before = self.selected_index();
        if row == 0 {
            self.query.set_cursor(column.saturating_sub(2) as usize);
        } else {
            let at = self.top + row as usize - 1;
            if at < self.shown.len() {
                self.selected = at;
            }
        }
        self.selected_index() != before
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, theme: &Theme, focused: bool) {
        if area.width < 4 || area.height == 0 {
            return;
        }
        let width = area.width as usize;
        let mut count = format!("{}/{}", self.shown.len(), self.entries.len());
        if count.len() as u16 + 6 > area.width {
            count.clear();
        }
        let count_width = count.chars().count() as u16;
        buf.set_stringn(area.x, area.y, "› ", 2, theme.style(Role::Accent));
        let query_width = area.width.saturating_sub(3 + count_width);
        self.query.render(
            buf,
            Rect::new(area.x + 2, area.y, query_width, 1),
            theme,
            focused,
            "type to filter",
        );
        buf.set_stringn(
            area.x + area.width - count_width,
            area.y,
            &count,
            count_width as usize,
            theme.style(Role::Dim),
        );
        let label_width = self
            .entries
            .iter()
            .map(|e| e.label.chars().count())
            .max()
            .unwrap_or(0)
            .min(width / 3);
        let note_width = self
            .entries
            .iter()
            .filter_map(|e| e.note.as_ref().map(|n| n.chars().count()))
            .max()
            .unwrap_or(0)
            .min(width / 4);
        let rows = area.height.saturating_sub(1).min(self.rows) as usize;
        for (line, ranked) in self.shown.iter().enumerate().skip(self.top).take(rows) {
            let y = area.y + 1 + (line - self.top) as u16;
            let entry = &self.entries[ranked.index];
            let chosen = line == self.selected;
            let on_row = |role: Role| -> Style {
                if chosen && focused {
                    theme.style(Role::Selected)
                } else {
                    theme.style(role)
                }
            };
            if chosen && focused {
                buf.set_style(
                    Rect::new(area.x, y, area.width, 1),
                    theme.style(Role::Selected),
                );
            }
            let marker = if chosen { "▸" } else { " " };
            buf.set_stringn(area.x, y, marker, 1, on_row(Role::Accent));
            // The label, with the characters the query matched in the accent role.
            let label = fit(&entry.label, label_width);
            for (i, c) in label.chars().enumerate() {
                let role = if ranked.label_hits.contains(&i) {
                    Role::Accent
                } else {
                    Role::Text
                };
                buf.set_stringn(area.x + 1 + i as u16, y, c.to_string(), 1, on_row(role));
            }
            let description_x = 1 + label_width + 2;
            let note_x = width.saturating_sub(note_width);
            let description_width = note_x.saturating_sub(description_x + 1);
            buf.set_stringn(
                area.x + description_x as u16,
                y,
                fit(&entry.description, description_width),
                description_width,
                on_row(Role::Dim),
            );
            if let Some(note) = &entry.note {
                buf.set_stringn(
                    area.x + note_x as u16,
                    y,
                    fit(note, note_width),
                    note_width,
                    on_row(Role::Info),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys::{chars, key};

    fn types() -> Picker {
        Picker::new(vec![
            PickerEntry::new("singleLineText", "singleLineText", "one line of text").note("text"),
            PickerEntry::new("multiLineText", "multiLineText", "paragraphs").note("text"),
            PickerEntry::new("number", "number", "numbers").note("numeric"),
            PickerEntry::new("singleSelect", "singleSelect", "one of a list").note("text + ✓"),
            PickerEntry::new("checkbox", "checkbox", "yes or no").note("boolean"),
        ])
        .rows(3)
    }

    #[test]
    fn typing_filters_best_first_and_arrows_move() {
        let mut picker = types().selected_value("number");
        assert_eq!(picker.selected_entry().unwrap().value, "number");
        for k in chars("sel") {
            picker.on_key(&k);
        }
        assert_eq!(picker.query(), "sel");
        assert_eq!(picker.selected_entry().unwrap().value, "singleSelect");
        picker.set_query("text");
        let values: Vec<&str> = picker.matches().map(|e| e.value.as_str()).collect();
        assert!(
            values.starts_with(&["singleLineText", "multiLineText"]),
            "{values:?}"
        );
        assert!(picker.on_key(&key(KeyCode::Down)));
        assert_eq!(picker.selected_entry().unwrap().value, "multiLineText");
        for _ in 0..10 {
            picker.on_key(&key(KeyCode::Down));
        }
        assert_eq!(
            picker.selected_index(),
            Some(picker.shown.last().unwrap().index)
        );
        for k in chars("zz") {
            picker.on_key(&k);
        }
        assert_eq!(picker.selected_index(), None);
        assert_eq!(picker.error().as_deref(), Some("nothing matches “textzz”"));
        picker.set_query("");
        assert_eq!(picker.matches().count(), 5);
        assert_eq!(picker.error(), None);
    }

    #[test]
    fn the_list_scrolls_to_the_choice_and_clicks_choose_rows() {
        let mut picker = types();
        for _ in 0..4 {
            picker.on_key(&key(KeyCode::Down));
        }
        assert_eq!(picker.top, 2, "three rows, the fifth entry chosen");
        assert!(picker.on_click(5, 1));
        assert_eq!(picker.selected_entry().unwrap().value, "number");
        let theme = Theme::default();
        let area = Rect::new(0, 0, 60, 4);
        let mut buf = Buffer::empty(area);
        picker.render(&mut buf, area, &theme, true);
        let row = |y: u16| (0..60).map(|x| buf[(x, y)].symbol()).collect::<String>();
        assert!(
            row(0).starts_with("› type to filter") && row(0).ends_with("5/5"),
            "{}",
            row(0)
        );
        assert!(
            row(1).starts_with("▸number"),
            "the list did not jump: {}",
            row(1)
        );
        assert!(
            row(1).starts_with("▸number") && row(1).trim_end().ends_with("numeric"),
            "{}",
            row(1)
        );
        assert_eq!(buf[(30, 1)].style().bg, theme.style(Role::Selected).bg);
    }
}
