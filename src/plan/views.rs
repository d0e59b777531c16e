//! Companion views `<table>_view WITH (security_invoker = true)` for rollup, count and lookup
//! fields: computed over a relationship, and RLS still applies to whoever reads them.

use crate::catalog::change::{Change, CommentOn};
use crate::design::{Aggregate, Direction, FieldKind, RelationshipKind, ViewColumn};
use crate::sql::ident;

use super::relations::referenced;
use super::{Planner, Section, Step};

fn aggregate_sql(aggregate: Option<Aggregate>) -> &'static str {
    match aggregate {
        Some(Aggregate::Sum) => "sum",
        Some(Aggregate::Avg) => "avg",
        Some(Aggregate::Min) => "min",
        Some(Aggregate::Max) => "max",
        Some(Aggregate::Count) => "count",
        Some(Aggregate::ArrayAgg) | None => "array_agg",
    }
}

/// The scalar subquery that computes one view column for the row `t`.
fn column_sql(p: &Planner, column: &ViewColumn) -> Option<String> {
    let rel = p.design.relationships.get(column.relationship)?;
    let target = referenced(p, rel, "").ok()?;
    let value = |alias: &str| match (&column.aggregate, &column.target_field) {
        (Some(Aggregate::Count), _) => "count(*)".to_owned(),
        (aggregate, Some(field)) => {
            format!("{}({alias}.{})", aggregate_sql(*aggregate), ident(field))
        }
        (aggregate, None) => format!("{}({alias}.\"id\")", aggregate_sql(*aggregate)),
    };
    let single = |alias: &str| match &column.target_field {
        Some(field) => format!("{alias}.{}", ident(field)),
        None => format!("{alias}.\"id\""),
    };
    Some(match (&rel.kind, column.direction) {
        (RelationshipKind::ForeignKey { column: fk, .. }, Direction::Forward) => {
            let picked = if column.aggregate.is_some() {
                value("r")
            } else {
                single("r")
            };
            format!(
                "(SELECT {picked} FROM {} AS r WHERE r.{} = t.{})",
                target.table.sql(),
                ident(&target.column),
                ident(fk)
            )
        }
        (RelationshipKind::ForeignKey { column: fk, .. }, Direction::Reverse) => format!(
            "(SELECT {} FROM {} AS o WHERE o.{} = t.\"id\")",
            value("o"),
            p.q(&rel.table_db_name),
            ident(fk)
        ),
        (
            RelationshipKind::Linking {
                table: link,
                source_column,
                target_column,
                ..
            },
            Direction::Forward,
        ) => format!(
            "(SELECT {} FROM {} AS l JOIN {} AS r ON r.{} = l.{} WHERE l.{} = t.\"id\")",
            value("r"),
            p.q(link),
            target.table.sql(),
            ident(&target.column),
            ident(target_column),
            ident(source_column)
        ),
        (
            RelationshipKind::Linking {
                table: link,
                source_column,
                target_column,
                ..
            },
            Direction::Reverse,
        ) => format!(
            "(SELECT {} FROM {} AS l JOIN {} AS o ON o.\"id\" = l.{} WHERE l.{} = t.\"id\")",
            value("o"),
            p.q(link),
            p.q(&rel.table_db_name),
            ident(source_column),
            ident(target_column)
        ),
    })
}

/// Companion views read their tables' columns, and PostgreSQL refuses to change the type of,
/// or drop, a column a view uses: when the plan does either, the companion views that exist
/// are dropped first and created again in the views section (they are schemaforge's own).
pub(super) fn drop_views_for_column_changes(p: &mut Planner) {
    let rewrites = p.steps.iter().any(|s| {
        matches!(
            s.change,
            Change::AlterColumnType { .. } | Change::DropColumn { .. }
        )
    });
    if !rewrites {
        return;
    }
    let views: Vec<String> = p
        .design
        .tables
        .iter()
        .filter_map(|t| t.view.clone())
        .filter(|v| p.live(v).is_some_and(|l| l.is_view()))
        .collect();
    let at = p
        .steps
        .iter()
        .position(|s| {
            matches!(
                s.change,
                Change::AlterColumnType { .. } | Change::DropColumn { .. }
            )
        })
        .unwrap_or(0);
    for (i, view) in views.into_iter().enumerate() {
        let change = Change::DropView { view: p.qn(&view) };
        let step = Step::new(Section::Tables, p.object(&view), change);
        p.steps.insert(at + i, step);
        p.recreated_views.push(view);
    }
}

pub(super) fn plan_views(p: &mut Planner) {
    for table in &p.design.tables {
        let Some(view) = &table.view else { continue };
        let columns: Vec<(&str, &ViewColumn)> = table
            .fields
            .iter()
            .filter_map(|f| match &f.kind {
                FieldKind::View(vc) => Some((f.db_name.as_str(), vc)),
                _ => None,
            })
            .collect();
        if let Some(live) = p.live(view).filter(|_| !p.recreated_views.contains(view)) {
            for (name, _) in &columns {
                if live.column(name).is_none() {
                    p.note(format!(
                        "{}: the view exists without the column {name}; replacing a view is not done automatically",
                        p.object(view)
                    ));
                }
            }
            continue;
        }
        let mut select = vec!["t.*".to_owned()];
        for (name, column) in &columns {
            if let Some(sql) = column_sql(p, column) {
                select.push(format!("{sql} AS {}", ident(name)));
            }
        }
        let change = Change::CreateView {
            view: p.qn(view),
            query: format!(
                "SELECT\n  {}\nFROM {} AS t",
                select.join(",\n  "),
                p.q(&table.db_name)
            ),
        };
        p.push(Step::new(Section::Views, p.object(view), change));
        for field in table
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::View(_)))
        {
            if let Some(comment) = field.comment.as_ref().filter(|c| !c.is_empty()) {
                let change = Change::Comment {
                    on: CommentOn::Column {
                        table: p.qn(view),
                        column: field.db_name.clone(),
                    },
                    text: comment.clone(),
                };
                p.push(Step::new(
                    Section::Views,
                    format!("{}.{}", p.object(view), field.db_name),
                    change,
                ));
            }
        }
        // Whoever may read the table may read its view (RLS still filters the rows).
        let readers: Vec<String> = super::security::wanted_privileges(table)
            .into_iter()
            .filter(|(_, privileges)| privileges.contains(&"SELECT"))
            .map(|(role, _)| role.to_owned())
            .collect();
        if p.catalog.role("authenticated").is_some() && !readers.is_empty() {
            let change = Change::Grant {
                table: p.qn(view),
                privileges: vec!["SELECT".into()],
                roles: readers,
            };
            p.push(Step::new(Section::Grants, p.object(view), change));
        }
    }
}
