//! The `?` popup: every key of the pane underneath, then the global ones, straight from the
//! keymap; two columns when wide, scrolling when short. Any other key closes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::popup::centred;
use super::{Outcome, pane_block};
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
        let own = key_lines(theme, keymap, beneath);
        let global = key_lines(theme, keymap, Context::Global);
        let two_columns = area.width >= 130;
        let column_width = 58u16;
        let (width, body_rows) = if two_columns {
            (column_width * 2 + 3, own.len().max(global.len()))
        } else {
            (column_width + 2, own.len() + 1 + global.len())
        };
        let height = (body_rows as u16 + 3).min(area.height.saturating_sub(2));
        let popup = centred(area, width, height);
        frame.render_widget(Clear, popup);
        let block = pane_block(theme, "help".into(), true);
        let inner = block.inner(popup);
        frame.render_widget(block.style(theme.style(Role::Overlay)), popup);
        let [body, footer] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let visible = body.height as usize;
        let max_scroll = body_rows.saturating_sub(visible);
        let scroll = self.scroll.min(max_scroll);
        let style = theme.style(Role::Overlay);
        if two_columns {
            let [left, right] =
                Layout::horizontal([Constraint::Length(column_width), Constraint::Min(1)])
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

fn key_lines<'a>(theme: &Theme, keymap: &Keymap, context: Context) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        format!("{} keys", context.name()),
        theme.style(Role::Accent),
    )];
    for binding in keymap.bindings(context) {
        let keys: Vec<String> = binding.keys.iter().map(ToString::to_string).collect();
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<16}", keys.join(" ")),
                theme.style(Role::StatusKey),
            ),
            Span::styled(binding.description, theme.style(Role::Text)),
        ]));
    }
    lines
}
