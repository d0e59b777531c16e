//! The `?` popup: every key of the pane underneath, then the global ones, straight from the
//! keymap; two columns when wide, scrolling when short. Any other key closes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::popup::centred;
use super::{Outcome, pane_block, wrap_words};
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::theme::{Role, Theme};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help {
    pub scroll: usize,
}

impl Help {
    /// Keys are looked up in the list context; `page` rows is one page.
    pub fn on_key(
        &mut self,
        action: Option<Action>,
        global: Option<Action>,
        page: usize,
    ) -> Outcome {
        let page = page.max(1);
        self.scroll = match action {
            Some(Action::Down) => self.scroll + 1,
            Some(Action::Up) => self.scroll.saturating_sub(1),
            Some(Action::PageDown) => self.scroll + page,
            Some(Action::PageUp) => self.scroll.saturating_sub(page),
            _ if global == Some(Action::Quit) => return Outcome::Quit,
            _ => return Outcome::Close,
        };
        Outcome::Stay
    }

    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = self.scroll.saturating_add_signed(delta);
    }

    /// `beneath` is the key context of the pane the help is about.
    pub fn draw(
        &self,
        frame: &mut Frame,
        theme: &Theme,
        keymap: &Keymap,
        beneath: Context,
        area: Rect,
    ) {
        // Inside the border, one column of margin on each side.
        let room = area.width.saturating_sub(4) as usize;
        let own_width = natural_width(keymap, beneath);
        let global_width = natural_width(keymap, Context::Global);
        let two_columns = area.width >= 130;
        let (own, global, body_rows, width, left_width) = if two_columns {
            // Each column as wide as its longest line, when both fit; otherwise the room is
            // shared and the longer descriptions wrap.
            let room = room.saturating_sub(GAP);
            // The pane's own keys first: the global list wraps before they do.
            let left = own_width.min(room.saturating_sub(global_width.min(40)));
            let right = global_width.min(room.saturating_sub(left));
            let own = key_lines(theme, keymap, beneath, left);
            let global = key_lines(theme, keymap, Context::Global, right);
            let rows = own.len().max(global.len());
            (own, global, rows, left + GAP + right, left)
        } else {
            let width = own_width.max(global_width).min(room);
            let own = key_lines(theme, keymap, beneath, width);
            let global = key_lines(theme, keymap, Context::Global, width);
            let rows = own.len() + 1 + global.len();
            (own, global, rows, width, width)
        };
        let height = (body_rows as u16 + 3).min(area.height.saturating_sub(2));
        let popup = centred(area, width as u16 + 4, height);
        frame.render_widget(Clear, popup);
        let block = pane_block(theme, "help".into(), true);
        let inner = block.inner(popup);
        frame.render_widget(block.style(theme.style(Role::Overlay)), popup);
        let [_, inner, _] = Layout::horizontal([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let [body, footer] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let visible = body.height as usize;
        let max_scroll = body_rows.saturating_sub(visible);
        let scroll = self.scroll.min(max_scroll);
        let style = theme.style(Role::Overlay);
        if two_columns {
            let [left, _, right] = Layout::horizontal([
                Constraint::Length(left_width as u16),
                Constraint::Length(GAP as u16),
                Constraint::Min(1),
            ])
            .areas(body);
            frame.render_widget(
                Paragraph::new(own).style(style).scroll((scroll as u16, 0)),
                left,
            );
            frame.render_widget(
                Paragraph::new(global)
                    .style(style)
                    .scroll((scroll as u16, 0)),
                right,
            );
        } else {
            let mut lines = own;
            lines.push(Line::raw(""));
            lines.extend(global);
            frame.render_widget(
                Paragraph::new(lines)
                    .style(style)
                    .scroll((scroll as u16, 0)),
                body,
            );
        }
        let more = if scroll < max_scroll {
            "↓ j/k scroll for more · any other key closes"
        } else {
            "any other key closes this help"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(more, theme.style(Role::Dim))).style(style),
            footer,
        );
    }
}

/// Columns between the two lists.
const GAP: usize = 3;

/// The keys of a binding as the help shows them: `PgDn Ctrl-d Space`.
fn keys_text(binding: &crate::tui::keymap::Binding) -> String {
    let keys: Vec<String> = binding.keys.iter().map(ToString::to_string).collect();
    keys.join(" ")
}

/// The key column of a context: its longest keys and a gap of two.
fn key_column(keymap: &Keymap, context: Context) -> usize {
    keymap
        .bindings(context)
        .map(|b| keys_text(b).chars().count())
        .max()
        .unwrap_or(0)
        + 2
}

/// The width a context's list takes with no description wrapped.
fn natural_width(keymap: &Keymap, context: Context) -> usize {
    let keys = 2 + key_column(keymap, context);
    keymap
        .bindings(context)
        .map(|b| keys + b.description.chars().count())
        .max()
        .unwrap_or(0)
        .max(context.name().chars().count() + 5)
}

/// A context's keys in `width` columns: a title, then each binding's keys in a column as
/// wide as the longest, a gap, and its description, wrapped under itself when too long.
fn key_lines<'a>(theme: &Theme, keymap: &Keymap, context: Context, width: usize) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        format!("{} keys", context.name()),
        theme.style(Role::Accent),
    )];
    let column = key_column(keymap, context);
    let indent = 2 + column;
    let room = width.saturating_sub(indent).max(12);
    for binding in keymap.bindings(context) {
        for (i, part) in wrap_words(binding.description, room)
            .into_iter()
            .enumerate()
        {
            let keys = if i == 0 {
                keys_text(binding)
            } else {
                String::new()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<column$}"), theme.style(Role::StatusKey)),
                Span::styled(part, theme.style(Role::Text)),
            ]));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn screen(width: u16, height: u16, beneath: Context) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| {
                Help::default().draw(f, &Theme::default(), &Keymap::default(), beneath, f.area())
            })
            .unwrap();
        crate::tui::view::buffer_text(terminal.backend().buffer())
    }

    #[test]
    fn keys_and_descriptions_never_touch_and_long_ones_are_whole() {
        let wide = screen(140, 45, Context::Preview);
        assert!(wide.contains("PgDn Ctrl-d Space  page down"), "{wide}");
        assert!(
            wide.contains("export: a Supabase migration + seed.sql + rollback, or one .sql"),
            "{wide}"
        );
        assert!(
            wide.contains("the rollback (what undoes the plan) / the plan"),
            "{wide}"
        );
        // At 80 columns the long ones wrap, and every word is still there.
        let narrow = screen(80, 60, Context::Preview);
        let text: String = narrow.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("PgDn Ctrl-d Space page down"), "{narrow}");
        for word in ["Supabase", "migration", "seed.sql", "rollback,", ".sql"] {
            assert!(narrow.contains(word), "{word} missing:\n{narrow}");
        }
        assert!(!narrow.contains('…'), "{narrow}");
    }

    #[test]
    fn moving_a_row_up_and_down_are_listed_together() {
        let list = screen(140, 60, Context::List);
        let row = |key: &str| {
            list.lines()
                .position(|l| l.contains(&format!("  {key}  ")))
                .unwrap_or_else(|| panic!("{key} not listed:\n{list}"))
        };
        assert_eq!(row("J").abs_diff(row("K")), 1, "{list}");
    }

    #[test]
    fn words_wrap_whole() {
        assert_eq!(
            wrap_words("export: a Supabase migration", 12),
            vec!["export: a", "Supabase", "migration"]
        );
        assert_eq!(wrap_words("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap_words("", 3), vec![""]);
    }
}
