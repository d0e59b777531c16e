//! Phase 1's aggregate views (`v`): a picker of the design's materialized views and "new
//! view", then a view's form — name, source table, group-by fields, time bucket, aggregates,
//! readers and refresh schedule — with what pg_cron can do here and the warning that a
//! materialized view bypasses row-level security. Confirming is one
//! `Edit::SetMaterializedViews`, so `u` undoes it whole; an emptied name removes the view.

use crate::design::Design;
use crate::design::edit::Edit;
use crate::design::materialized_views::{
    AggregateFunction, BucketUnit, MaterializedView, TimeBucket, ViewAggregate,
};
use crate::plan::matviews::refresh_sql;
use crate::tui::app::{App, Overlay};
use crate::tui::components::editor_popup::Editor;
use crate::tui::components::form::{ChoiceList, Form, Picker, PickerEntry, TextInput};
use crate::tui::message::Effect;
use crate::tui::theme::Role;

/// The picker's entry for a new view.
const NEW: &str = "+";

/// One line about a view: what it groups, what it computes, who reads it, when it refreshes.
pub fn summary(view: &MaterializedView) -> String {
    let mut keys: Vec<String> = Vec::new();
    if let Some(b) = &view.time_bucket {
        keys.push(format!("{} of {}", b.unit.key(), b.field));
    }
    keys.extend(view.group_by.iter().cloned());
    let mut parts = vec![format!("{} by {}", view.source, keys.join(", "))];
    parts.push(aggregates_text(&view.aggregates));
    parts.push(if view.readers.is_empty() {
        "no API readers".to_owned()
    } else {
        format!("read by {}", view.readers.join(", "))
    });
    parts.push(match &view.refresh {
        Some(s) => format!("refresh {s}"),
        None => "refreshed by hand".to_owned(),
    });
    parts.join(" · ")
}

/// `count, sum amount, max due_date`: how the form writes the aggregates.
pub fn aggregates_text(aggregates: &[ViewAggregate]) -> String {
    aggregates
        .iter()
        .map(|a| match &a.field {
            Some(f) => format!("{} {f}", a.function.key()),
            None => a.function.key().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The aggregates written `count, sum amount, avg(amount)`; an unknown function is the
/// error message.
pub fn parse_aggregates(text: &str) -> Result<Vec<ViewAggregate>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let cleaned = item.replace(['(', ')'], " ");
            let mut words = cleaned.split_whitespace();
            let function = words.next().unwrap_or_default().to_ascii_lowercase();
            let field = words.next().filter(|f| *f != "*").map(str::to_owned);
            let function = AggregateFunction::from_key(&function).ok_or_else(|| {
                format!(
                    "\"{item}\": the functions are {}",
                    AggregateFunction::NAMES.join(", ")
                )
            })?;
            Ok(ViewAggregate { function, field })
        })
        .collect()
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `v`: the picker when the design has views, else straight to a new view's form.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        app.view.message = Some("open or start a design first".into());
        return Vec::new();
    };
    if design.tables.is_empty() && design.materialized_views.is_empty() {
        app.view.message = Some("a materialized view aggregates a table: add one first (a)".into());
        return Vec::new();
    }
    if design.materialized_views.is_empty() {
        open_form(app, None);
        return Vec::new();
    }
    let mut entries: Vec<PickerEntry> = design
        .materialized_views
        .iter()
        .map(|v| PickerEntry::new(v.name.clone(), v.name.clone(), summary(v)))
        .collect();
    entries.push(PickerEntry::new(
        NEW,
        "+ new view",
        "counts, sums, averages of a table, grouped, kept as a materialized view",
    ));
    let form =
        Form::new("Materialized views")
            .width(100)
            .field("view", "", Picker::new(entries).rows(6));
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::MatviewPicker(form))));
    Vec::new()
}

/// The picker confirmed: the chosen view's form, or a new one's.
pub(super) fn picked(app: &mut App, form: &Form) {
    let chosen = form.value_text("view");
    app.view.overlays.pop();
    let index = app.model.design.as_ref().and_then(|s| {
        let name = chosen.as_deref()?;
        s.design
            .materialized_views
            .iter()
            .position(|v| v.name == name)
    });
    open_form(app, index);
}

fn open_form(app: &mut App, index: Option<usize>) {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        return;
    };
    let current = app.current_table();
    let tables: Vec<String> = design.tables.iter().map(|t| t.name.clone()).collect();
    let view = index
        .and_then(|i| design.materialized_views.get(i).cloned())
        .unwrap_or_else(|| {
            let source = current
                .and_then(|i| tables.get(i).cloned())
                .unwrap_or_default();
            MaterializedView::new("", source)
        });
    let source_at = design
        .find_table(&view.source)
        .unwrap_or_else(|| current.unwrap_or(0));
    let unit_at = view
        .time_bucket
        .as_ref()
        .and_then(|b| BucketUnit::ALL.iter().position(|u| *u == b.unit))
        .unwrap_or(2);
    let title = match index {
        Some(_) => format!("View {} · empty name removes it", view.name),
        None => "New materialized view".to_owned(),
    };
    let form_width = 96;
    let mut form = Form::new(title)
        .width(form_width)
        .field(
            "name",
            "name",
            TextInput::new(&view.name).placeholder("e.g. Todos per day"),
        )
        .field("source", "table", ChoiceList::new(tables, source_at))
        .field(
            "group_by",
            "group by",
            TextInput::new(view.group_by.join(", ")).placeholder("fields, e.g. status, owner"),
        )
        .field(
            "time_bucket.field",
            "time bucket",
            TextInput::new(
                view.time_bucket
                    .as_ref()
                    .map(|b| b.field.clone())
                    .unwrap_or_default(),
            )
            .placeholder("a date field, e.g. created_at (empty: none)"),
        )
        .field(
            "time_bucket.unit",
            "per",
            ChoiceList::new(BucketUnit::NAMES, unit_at),
        )
        .field(
            "aggregates",
            "aggregates",
            TextInput::new(aggregates_text(&view.aggregates))
                .placeholder("count, sum amount, avg amount, min x, max x"),
        )
        .field(
            "readers",
            "readers",
            TextInput::new(view.readers.join(", "))
                .placeholder("roles that may select it (empty: none)"),
        )
        .field(
            "refresh",
            "refresh",
            TextInput::new(view.refresh.clone().unwrap_or_default())
                .placeholder("cron, e.g. */15 * * * * (empty: by hand)"),
        );
    let cron = app.model.catalog.as_deref().map(|c| c.has_cron());
    let refresh = if view.name.trim().is_empty() {
        "REFRESH MATERIALIZED VIEW CONCURRENTLY <the view>".to_owned()
    } else {
        refresh_sql(&crate::catalog::QualifiedName::new(
            &design.schema,
            view.view_db_name(),
        ))
    };
    let cron_note = match cron {
        Some(true) => (
            Role::Info,
            "pg_cron is installed: a job per view runs the refresh on its schedule (minutes staggered when views share one)".to_owned(),
        ),
        Some(false) => (
            Role::Warning,
            format!("pg_cron is not installed here, so no refresh can be scheduled; refresh by hand: {refresh}"),
        ),
        None => (
            Role::Dim,
            "schedules need pg_cron: known once the database is read".to_owned(),
        ),
    };
    form.set_notes(vec![
        (
            Role::Warning,
            "a materialized view bypasses row-level security: readers see aggregates over every row".to_owned(),
        ),
        cron_note,
    ]);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Matview { index, form })));
}

/// The view the form describes; a bad aggregate list is `Err(message)`.
pub fn read(design: &Design, index: Option<usize>, form: &Form) -> MaterializedView {
    let text = |id: &str| form.value_text(id).unwrap_or_default().trim().to_owned();
    let source = form
        .value_choice("source")
        .and_then(|i| design.tables.get(i))
        .map(|t| t.db_name().into_owned())
        .unwrap_or_default();
    let bucket_field = text("time_bucket.field");
    let unit = form
        .value_choice("time_bucket.unit")
        .and_then(|i| BucketUnit::ALL.get(i).copied())
        .unwrap_or(BucketUnit::Day);
    let refresh = text("refresh");
    let kept = index.and_then(|i| design.materialized_views.get(i));
    MaterializedView {
        name: text("name"),
        db_name: kept.and_then(|v| v.db_name.clone()),
        source,
        group_by: list(&text("group_by")),
        time_bucket: (!bucket_field.is_empty()).then_some(TimeBucket {
            field: bucket_field,
            unit,
        }),
        aggregates: parse_aggregates(&text("aggregates")).unwrap_or_default(),
        readers: list(&text("readers")),
        refresh: (!refresh.is_empty()).then_some(refresh),
    }
}

/// The edit the form makes, where the view lands, and what the status line says.
pub fn edit(design: &Design, index: Option<usize>, form: &Form) -> (Edit, Option<usize>, String) {
    let view = read(design, index, form);
    let mut views = design.materialized_views.clone();
    let (at, done) = match (index, view.name.is_empty()) {
        (Some(i), true) if i < views.len() => {
            let gone = views.remove(i);
            (None, format!("view {} removed (u undoes)", gone.name))
        }
        (Some(i), false) if i < views.len() => {
            let done = format!("view {} changed", view.name);
            views[i] = view;
            (Some(i), done)
        }
        _ => {
            let done = format!("view {} added · v edits views", view.name);
            views.push(view);
            (Some(views.len() - 1), done)
        }
    };
    (Edit::SetMaterializedViews { views }, at, done)
}

/// A wrongly written aggregate list, before the validator sees a design without it.
pub fn aggregates_error(form: &Form) -> Option<String> {
    parse_aggregates(&form.value_text("aggregates").unwrap_or_default()).err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_are_written_as_function_and_field() {
        let parsed = parse_aggregates("count, sum amount, AVG(amount), count(*)").unwrap();
        assert_eq!(
            aggregates_text(&parsed),
            "count, sum amount, avg amount, count"
        );
        assert!(
            parse_aggregates("median amount")
                .unwrap_err()
                .contains("count, sum")
        );
    }
}
