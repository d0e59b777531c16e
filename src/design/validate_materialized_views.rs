//! The rules of `materialized_views`: a name that fits and clashes with no table or other
//! view, a source that is a designed table, group-by / bucket / aggregate columns of that
//! table with types their function takes, at least one key column (the unique index a
//! `CONCURRENTLY` refresh needs), distinct output columns, a five-field cron schedule, and a
//! warning when the API roles read a copy of rows that row-level security would hide.

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::indexes::find_column;
use super::materialized_views::{
    AggregateFunction, MaterializedView, is_time_type, resolve_view, source_columns,
};
use super::model::Design;
use super::names::{MAX_IDENT_BYTES, check_explicit};

pub(super) fn check_materialized_views(design: &Design, out: &mut Vec<Diagnostic>) {
    for (vi, view) in design.materialized_views.iter().enumerate() {
        let path = index_path("materialized_views", vi);
        check_name(design, vi, view, &path, out);
        check_columns(design, view, &path, out);
        check_readers(design, view, &path, out);
        if let Some(schedule) = &view.refresh
            && let Err(message) = check_schedule(schedule)
        {
            out.push(
                Diagnostic::error(key_path(&path, "refresh"), message)
                    .suggest("five cron fields, e.g. \"*/15 * * * *\" (every 15 minutes)"),
            );
        }
    }
}

fn check_name(
    design: &Design,
    vi: usize,
    view: &MaterializedView,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    if view.name.trim().is_empty() {
        out.push(Diagnostic::error(
            key_path(path, "name"),
            "a materialized view needs a name",
        ));
        return;
    }
    if let Some(db_name) = &view.db_name
        && let Err(e) = check_explicit(db_name)
    {
        out.push(Diagnostic::error(key_path(path, "db_name"), e.to_string()));
    }
    let db_name = view.view_db_name();
    let name_path = if view.db_name.is_some() {
        key_path(path, "db_name")
    } else {
        key_path(path, "name")
    };
    if let Some(ti) = design.tables.iter().position(|t| t.has_db_name(&db_name)) {
        out.push(Diagnostic::error(
            &name_path,
            format!("\"{db_name}\" is already the name of the table tables[{ti}]"),
        ));
    }
    if design.materialized_views[..vi]
        .iter()
        .any(|v| v.view_db_name() == db_name)
    {
        out.push(Diagnostic::error(
            &name_path,
            format!("materialized view \"{db_name}\" is designed twice"),
        ));
    }
    if db_name.len() + "_group_key".len() > MAX_IDENT_BYTES {
        out.push(Diagnostic::warning(
            &name_path,
            format!("\"{db_name}_group_key\" (its unique index) is cut to fit 63 bytes"),
        ));
    }
}

fn check_columns(design: &Design, view: &MaterializedView, path: &str, out: &mut Vec<Diagnostic>) {
    let Some((_, columns)) = source_columns(design, &view.source) else {
        let refs = design.table_references();
        out.push(
            Diagnostic::error(
                key_path(path, "source"),
                format!("the design has no table \"{}\"", view.source),
            )
            .did_you_mean(&view.source, refs.iter().map(String::as_str)),
        );
        return;
    };
    let names: Vec<&str> = columns.iter().map(|c| c.db_name.as_str()).collect();
    let unknown = |reference: &str, at: String| {
        Diagnostic::error(
            at,
            format!("table \"{}\" has no field \"{reference}\"", view.source),
        )
        .did_you_mean(reference, names.iter().copied())
    };
    if let Some(bucket) = &view.time_bucket {
        let at = key_path(&key_path(path, "time_bucket"), "field");
        match find_column(&columns, &bucket.field) {
            None => out.push(unknown(&bucket.field, at)),
            Some(c) if !is_time_type(&c.sql_type) => out.push(
                Diagnostic::error(
                    at,
                    format!(
                        "\"{}\" is {}; a time bucket needs a date or a date-time",
                        bucket.field, c.sql_type
                    ),
                )
                .suggest("pick created_at or a date / dateTime field"),
            ),
            Some(_) => {}
        }
    }
    let group_path = key_path(path, "group_by");
    for (gi, reference) in view.group_by.iter().enumerate() {
        let at = index_path(&group_path, gi);
        match find_column(&columns, reference) {
            None => out.push(unknown(reference, at)),
            Some(c) if matches!(c.sql_type.as_str(), "json") => out.push(Diagnostic::error(
                at,
                format!("\"{reference}\" is json, which cannot be grouped by"),
            )),
            Some(c) => {
                let same =
                    |r: &String| find_column(&columns, r).is_some_and(|o| o.db_name == c.db_name);
                if view.group_by[..gi].iter().any(same) {
                    out.push(Diagnostic::error(
                        at,
                        format!("\"{reference}\" is grouped by twice"),
                    ));
                }
            }
        }
    }
    if view.group_by.is_empty() && view.time_bucket.is_none() {
        out.push(
            Diagnostic::error(
                &group_path,
                "a materialized view needs a group-by field or a time bucket: its unique index (which a concurrent refresh needs) is built over them",
            )
            .suggest("group by a field, or add a time bucket"),
        );
    }
    let agg_path = key_path(path, "aggregates");
    if view.aggregates.is_empty() {
        out.push(Diagnostic::error(
            &agg_path,
            "a materialized view needs at least one aggregate (count, sum, avg, min, max)",
        ));
    }
    for (ai, aggregate) in view.aggregates.iter().enumerate() {
        let here = index_path(&agg_path, ai);
        let at = key_path(&here, "field");
        match &aggregate.field {
            None if aggregate.function != AggregateFunction::Count => {
                out.push(Diagnostic::error(
                    &here,
                    format!("{} needs a field", aggregate.function.key()),
                ));
            }
            None => {}
            Some(reference) => match find_column(&columns, reference) {
                None => out.push(unknown(reference, at)),
                Some(c) if !aggregate.function.accepts(&c.sql_type) => out.push(
                    Diagnostic::error(
                        at,
                        format!(
                            "{} over \"{reference}\" ({}) is not possible",
                            aggregate.function.key(),
                            c.sql_type
                        ),
                    )
                    .suggest(match aggregate.function {
                        AggregateFunction::Sum | AggregateFunction::Avg => {
                            "sum and avg take a number, currency, percent, rating or duration"
                        }
                        _ => "min and max take values with an order (not json or checkbox)",
                    }),
                ),
                Some(_) => {}
            },
        }
    }
    if let Some(resolved) = resolve_view(design, view) {
        for (i, column) in resolved.columns.iter().enumerate() {
            if resolved.columns[..i].iter().any(|c| c.name == column.name) {
                out.push(Diagnostic::error(
                    path,
                    format!("the view would have two columns named \"{}\"", column.name),
                ));
            }
        }
    }
}

/// Materialized views bypass row-level security: say so when the API roles read one built on
/// a table with RLS on.
fn check_readers(design: &Design, view: &MaterializedView, path: &str, out: &mut Vec<Diagnostic>) {
    let readers_path = key_path(path, "readers");
    for (ri, role) in view.readers.iter().enumerate() {
        if role.trim().is_empty() {
            out.push(Diagnostic::error(
                index_path(&readers_path, ri),
                "a reader is a role name",
            ));
        }
    }
    let api: Vec<&str> = view
        .readers
        .iter()
        .map(String::as_str)
        .filter(|r| matches!(*r, "anon" | "authenticated"))
        .collect();
    let source_has_rls = design
        .find_table(&view.source)
        .is_some_and(|ti| design.tables[ti].rls_enabled);
    if !api.is_empty() && source_has_rls {
        out.push(
            Diagnostic::warning(
                &readers_path,
                format!(
                    "{} reads the view, but a materialized view bypasses row-level security: its aggregates include rows the policies on \"{}\" hide from them",
                    api.join(" and "),
                    view.source
                ),
            )
            .suggest("grant it to a role that may see every row (e.g. service_role), or aggregate only what everyone may know"),
        );
    }
}

/// A pg_cron schedule: five fields of digits, `*`, `,`, `-`, `/` (or month / day names), or
/// pg_cron's `N seconds`.
pub fn check_schedule(schedule: &str) -> Result<(), String> {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if let [n, unit] = fields.as_slice()
        && n.parse::<u32>().is_ok_and(|n| (1..=59).contains(&n))
        && (*unit == "seconds" || *unit == "second")
    {
        return Ok(());
    }
    if fields.len() != 5 {
        return Err(format!(
            "\"{schedule}\" has {} fields; a cron schedule has 5 (minute hour day month weekday)",
            fields.len()
        ));
    }
    if let Some(bad) = fields.iter().find(|f| {
        !f.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))
    }) {
        return Err(format!("\"{bad}\" is not a cron field"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::design::validate;
    use serde_json::json;

    fn diagnostics(views: serde_json::Value) -> Vec<String> {
        let design = serde_json::from_value(json!({
            "tables": [{"name": "todos", "fields": [
                {"name": "title", "type": "singleLineText"},
                {"name": "amount", "type": "number"},
                {"name": "meta", "type": "json"}
            ]}],
            "materialized_views": views
        }))
        .unwrap();
        validate(&design).iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn rules_report_paths() {
        let found = diagnostics(json!([
            {"name": "a", "source": "todo", "group_by": ["title"], "aggregates": [{"function": "count"}]},
            {"name": "b", "source": "todos", "group_by": ["titel"],
             "time_bucket": {"field": "title", "unit": "day"},
             "aggregates": [{"function": "sum", "field": "title"}, {"function": "max", "field": "meta"},
                            {"function": "avg"}],
             "refresh": "every hour"},
            {"name": "todos", "source": "todos", "aggregates": []},
            {"name": "c", "source": "todos", "group_by": ["title"], "readers": ["authenticated"],
             "aggregates": [{"function": "count"}, {"function": "count"}]}
        ]));
        let has = |path: &str, text: &str| {
            assert!(
                found
                    .iter()
                    .any(|d| d.starts_with(path) && d.contains(text)),
                "{path} {text}: {found:#?}"
            )
        };
        has("materialized_views[0].source", "did you mean \"todos\"?");
        has(
            "materialized_views[1].group_by[0]",
            "did you mean \"title\"?",
        );
        has("materialized_views[1].time_bucket.field", "date-time");
        has(
            "materialized_views[1].aggregates[0].field",
            "sum over \"title\"",
        );
        has(
            "materialized_views[1].aggregates[1].field",
            "max over \"meta\"",
        );
        has("materialized_views[1].aggregates[2]", "avg needs a field");
        has("materialized_views[1].refresh", "5 (minute");
        has(
            "materialized_views[2].name",
            "already the name of the table",
        );
        has("materialized_views[2].group_by", "unique index");
        has("materialized_views[2].aggregates", "at least one aggregate");
        has("materialized_views[3]", "two columns named \"count\"");
        has(
            "materialized_views[3].readers: warning",
            "bypasses row-level security",
        );
    }

    #[test]
    fn schedules() {
        use super::check_schedule;
        assert!(check_schedule("*/15 * * * *").is_ok());
        assert!(check_schedule("3-59/15 0 * * mon-fri").is_ok());
        assert!(check_schedule("30 seconds").is_ok());
        assert!(check_schedule("* * *").is_err());
        assert!(check_schedule("* * * * ;").is_err());
    }
}
