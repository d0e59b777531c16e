//! Phase 1's list of the design's materialized (aggregate) views, under the tables: one line
//! each with what it groups, computes, who reads it and when it refreshes (what `v` edits),
//! and the findings about each view under its line.

use ratatui::text::{Line, Span};

use super::{fit, pad, rule};
use crate::design::Design;
use crate::tui::app::App;
use crate::tui::editors::matview_form::summary;
use crate::tui::theme::Role;

/// The findings under a view's line: `findings(app, path, width, out)`, the tables pane's,
/// handed in so this file does not import the pane that imports it.
pub type InlineFindings<'a> = fn(&App, &str, u16, &mut Vec<Line<'a>>);

pub fn lines<'a>(
    app: &App,
    d: &Design,
    width: u16,
    out: &mut Vec<Line<'a>>,
    findings: InlineFindings<'a>,
) {
    if d.materialized_views.is_empty() {
        return;
    }
    let w = width as usize;
    out.push(Line::raw(""));
    out.push(rule(&app.theme, "materialized views · v edits", width));
    let name_width = d
        .materialized_views
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, 24);
    for (i, v) in d.materialized_views.iter().enumerate() {
        out.push(Line::from(vec![
            Span::styled(
                format!("   {}", pad(&v.name, name_width)),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(
                fit(
                    &format!("  {}", summary(v)),
                    w.saturating_sub(3 + name_width),
                ),
                app.theme.style(Role::Dim),
            ),
        ]));
        findings(app, &format!("materialized_views[{i}]"), width, out);
    }
}
