//! Drawing a form: a centred popup, labels in a column, each input beside its label and
//! its error under it. The inputs are drawn on a canvas as tall as all of them, and the
//! popup shows the window of it that holds the focused input, so any form fits 80×24.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

use super::container::Form;
use crate::tui::components::popup::centred;
use crate::tui::components::{fit, pane_block, wrap_words};
use crate::tui::theme::{Role, Theme};

/// Where each field sits on the canvas.
struct Placed {
    top: u16,
    height: u16,
    /// The error under the input, wrapped to the input's width (nothing is cut).
    error: Vec<String>,
}

impl Form {
    /// The label column: the focus marker, the longest label and a gap (none without labels).
    fn label_width(&self, inner_width: u16) -> u16 {
        let longest = self
            .fields
            .iter()
            .map(|f| f.label.chars().count() as u16)
            .max()
            .unwrap_or(0);
        if longest == 0 {
            0
        } else {
            (longest + 3).min(inner_width / 3)
        }
    }

    /// Each field's rows on a canvas whose inputs are `input_width` wide.
    fn place(&self, input_width: u16) -> (Vec<Placed>, u16) {
        let mut top = 0;
        let placed = (0..self.fields.len())
            .map(|i| {
                let error = self.shown_error(i).map_or_else(Vec::new, |e| {
                    wrap_words(&format!("✗ {e}"), input_width.max(8) as usize)
                });
                let height = self.fields[i].input.height() + error.len() as u16;
                let p = Placed { top, height, error };
                top += height;
                p
            })
            .collect();
        (placed, top)
    }

    /// The keys that work now, for the bottom border.
    fn footer(&self) -> String {
        let parts: Vec<String> = self
            .hints()
            .into_iter()
            .map(|(keys, what)| format!("{keys} {what}"))
            .collect();
        format!(" {} ", parts.join(" · "))
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let width = self
            .width
            .unwrap_or_else(|| (area.width / 5 * 3).clamp(72, 100))
            .min(area.width);
        // The canvas is the popup inside its border and one column of padding each side.
        let canvas_width = width.saturating_sub(4);
        let label_width = self.label_width(canvas_width);
        let (placed, fields_height) = self.place(canvas_width.saturating_sub(label_width));
        let notes = self.wrapped_notes(width.saturating_sub(4) as usize);
        let content_height = fields_height + notes.len() as u16;
        let popup = centred(area, width, content_height + 2);
        if popup.width < 6 || popup.height < 3 {
            return;
        }
        let view_height = popup.height - 2;
        let scroll = self.follow_focus(&placed, content_height, view_height);
        let mut block = pane_block(theme, self.title.clone(), true)
            .style(theme.style(Role::Overlay))
            .title_bottom(Span::styled(
                fit(&self.footer(), popup.width.saturating_sub(4) as usize),
                theme.style(Role::Dim),
            ));
        let more = match (scroll > 0, scroll + view_height < content_height) {
            (true, true) => " ↑↓ more ",
            (true, false) => " ↑ more ",
            (false, true) => " ↓ more ",
            (false, false) => "",
        };
        if !more.is_empty() {
            block = block.title(Line::styled(more, theme.style(Role::Dim)).right_aligned());
        }
        let inner = block.inner(popup);
        frame.render_widget(Clear, popup);
        frame.render_widget(block, popup);

        // Padding of one column on each side inside the border.
        let mut canvas = Buffer::empty(Rect::new(0, 0, canvas_width, content_height));
        canvas.set_style(canvas.area, theme.style(Role::Overlay));
        let input_x = label_width;
        let input_width = canvas_width.saturating_sub(label_width);
        for (i, (field, at)) in self.fields.iter().zip(&placed).enumerate() {
            let focused = i == self.focus;
            if label_width > 0 {
                let (marker, role) = if focused {
                    ("▸ ", Role::Accent)
                } else {
                    ("  ", Role::Text)
                };
                let label = format!(
                    "{marker}{}",
                    fit(&field.label, label_width.saturating_sub(3) as usize)
                );
                canvas.set_stringn(0, at.top, label, label_width as usize, theme.style(role));
            }
            let input_area = Rect::new(input_x, at.top, input_width, field.input.height());
            field.input.render(&mut canvas, input_area, theme, focused);
            for (row, text) in at.error.iter().enumerate() {
                canvas.set_stringn(
                    input_x,
                    at.top + field.input.height() + row as u16,
                    text,
                    input_width as usize,
                    theme.style(Role::Danger),
                );
            }
            // Where it landed on screen, for clicks.
            let origin_x = inner.x + 1;
            let first = at.top.max(scroll);
            let last = (at.top + at.height).min(scroll + view_height);
            field.area.set(if first < last {
                Rect::new(
                    origin_x,
                    inner.y + first - scroll,
                    canvas_width,
                    last - first,
                )
            } else {
                Rect::default()
            });
            field.input_at.set((
                (origin_x + input_x) as i32,
                inner.y as i32 + at.top as i32 - scroll as i32,
                input_width,
            ));
        }
        for (row, (role, text)) in notes.iter().enumerate() {
            canvas.set_stringn(
                0,
                fields_height + row as u16,
                text,
                canvas_width as usize,
                theme.style(*role),
            );
        }
        let buf = frame.buffer_mut();
        for y in 0..view_height.min(content_height.saturating_sub(scroll)) {
            for x in 0..canvas_width {
                buf[(inner.x + 1 + x, inner.y + y)] = canvas[(x, scroll + y)].clone();
            }
        }
    }

    /// The notes as lines of at most `width` characters, broken between words; a note's
    /// continuation lines are indented under its first.
    fn wrapped_notes(&self, width: usize) -> Vec<(Role, String)> {
        let mut out = Vec::new();
        if width < 4 {
            return out;
        }
        for (role, text) in &self.notes {
            let mut line = String::new();
            for word in text.split_whitespace() {
                let mut word: String = word.to_owned();
                loop {
                    let used = line.chars().count();
                    let started = !line.trim().is_empty();
                    let sep = usize::from(started);
                    if used + sep + word.chars().count() <= width {
                        if started {
                            line.push(' ');
                        }
                        line.push_str(&word);
                        break;
                    }
                    if started {
                        out.push((*role, std::mem::replace(&mut line, "  ".to_owned())));
                        continue;
                    }
                    // A word longer than a line: cut it.
                    let room = width.saturating_sub(used).max(1);
                    line.extend(word.chars().take(room));
                    word = word.chars().skip(room).collect();
                    out.push((*role, std::mem::replace(&mut line, "  ".to_owned())));
                    if word.is_empty() {
                        break;
                    }
                }
            }
            if !line.trim().is_empty() {
                out.push((*role, line));
            }
        }
        out
    }

    /// The first canvas row on screen: moved only as far as needed to show the whole
    /// focused field (its top when it is taller than the view).
    fn follow_focus(&self, placed: &[Placed], content_height: u16, view_height: u16) -> u16 {
        let mut scroll = self.scroll.get();
        if let Some(at) = placed.get(self.focus) {
            if at.top + at.height > scroll + view_height {
                scroll = (at.top + at.height).saturating_sub(view_height);
            }
            if at.top < scroll {
                scroll = at.top;
            }
        }
        scroll = scroll.min(content_height.saturating_sub(view_height));
        self.scroll.set(scroll);
        scroll
    }
}
