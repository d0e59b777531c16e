//! The Preview's rollback tab: the rollback bundle, highlighted and scrollable like the plan,
//! with whether it restores the schema exactly and its notes beside it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::rule;
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(view) = &app.view.preview.rollback else {
        let text = if app.model.plan.is_none() {
            "no plan yet: nothing to roll back (b: back to the plan)"
        } else {
            "nothing to roll back: the plan changes nothing (b: back to the plan)"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.style(Role::Dim))),
            area,
        );
        return;
    };
    let mut status = vec![Line::styled(
        format!(
            "rollback · {} · {}",
            crate::tui::components::plural(view.bundle.statements.len(), "statement"),
            if view.after_apply {
                "undoes the apply just made"
            } else {
                "undoes the plan once it is applied"
            }
        ),
        theme.style(Role::Warning),
    )];
    status.push(if view.rollback.exact {
        Line::styled(
            "✓ exact: applied after the plan, it leaves the schema as it was before (checked before its COMMIT)",
            theme.style(Role::Ok),
        )
    } else {
        Line::styled(
            "! not exact: some of what the plan changes cannot be given back (see the notes)",
            theme.style(Role::Danger),
        )
    });
    status.push(Line::styled(
        "y copies it · run it with `schemaforge apply --plan FILE` · b: back to the plan",
        theme.style(Role::Dim),
    ));
    let rest = super::status_above(frame, status, area);

    let mut side = vec![rule(theme, "notes", rest.width.min(34))];
    if view.rollback.notes.is_empty() {
        side.push(Line::styled("none", theme.style(Role::Dim)));
    }
    for note in &view.rollback.notes {
        side.push(Line::styled(format!("• {note}"), theme.style(Role::Text)));
    }
    let (sql, notes) = if rest.width >= 90 {
        let [sql, notes] = Layout::horizontal([Constraint::Min(40), Constraint::Length(34)])
            .spacing(1)
            .areas(rest);
        (sql, notes)
    } else {
        let h = (side.len() as u16 * 2).min(rest.height / 3);
        let [sql, notes] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(rest);
        (sql, notes)
    };
    app.view.preview.sql_area.set((sql.width, sql.height));
    let lines = super::sql_rows::rows(
        theme,
        &view.lines,
        app.view.preview.scroll,
        sql.width as usize,
        sql.height as usize,
        |_| super::sql_rows::Marks::default(),
    );
    frame.render_widget(Paragraph::new(lines), sql);
    frame.render_widget(Paragraph::new(side).wrap(Wrap { trim: false }), notes);
}
