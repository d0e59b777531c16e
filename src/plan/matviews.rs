//! Aggregate views (`materialized_views`): `CREATE MATERIALIZED VIEW … WITH DATA`, a unique
//! index over its group so `REFRESH … CONCURRENTLY` works, its readers (and nobody else of
//! the API roles: a materialized view bypasses row-level security), and a pg_cron job per
//! scheduled view when the database has pg_cron.
//!
//! The view's comment records its design as JSON; planning again compares that, so a view
//! that is what the design says is left alone, and one whose definition changed is dropped
//! and created again with its index and grants (a note says so).

use std::collections::BTreeMap;

use crate::catalog::change::IndexOptions;
use crate::catalog::{Change, CronJob, Grant, QualifiedName, Table as LiveTable, TableKind};
use crate::design::materialized_views::{OutputKind, ResolvedMaterializedView, refresh_job_name};
use crate::sql::{ident, literal};

use super::{PlanError, Planner, Section, Step};

/// The start of the comment schemaforge puts on the views it makes.
pub const COMMENT_PREFIX: &str = "Aggregate view kept by schemaforge. Design: ";

/// The roles of the API whose access a materialized view must not inherit by default.
const API_ROLES: [&str; 2] = ["anon", "authenticated"];

/// `SELECT … FROM source AS t GROUP BY 1, 2, …`.
pub fn query_sql(schema: &str, view: &ResolvedMaterializedView) -> String {
    let mut select = Vec::new();
    let mut keys = Vec::new();
    for (i, output) in view.columns.iter().enumerate() {
        let value = match &output.kind {
            OutputKind::Bucket { unit, column } => {
                keys.push((i + 1).to_string());
                format!("date_trunc({}, t.{})", literal(unit.key()), ident(column))
            }
            OutputKind::Group { column } => {
                keys.push((i + 1).to_string());
                format!("t.{}", ident(column))
            }
            OutputKind::Aggregate { function, column } => match column {
                Some(c) => format!("{}(t.{})", function.key(), ident(c)),
                None => format!("{}(*)", function.key()),
            },
        };
        select.push(format!("{value} AS {}", ident(&output.name)));
    }
    format!(
        "SELECT\n  {}\nFROM {} AS t\nGROUP BY {}",
        select.join(",\n  "),
        crate::sql::qualified(schema, &view.source_db_name),
        keys.join(", ")
    )
}

pub fn create_sql(view: &QualifiedName, query: &str) -> String {
    format!(
        "CREATE MATERIALIZED VIEW {} AS\n{}\nWITH DATA",
        view.sql(),
        query.trim_end().trim_end_matches(';')
    )
}

pub fn refresh_sql(view: &QualifiedName) -> String {
    format!("REFRESH MATERIALIZED VIEW CONCURRENTLY {}", view.sql())
}

pub fn schedule_sql(job: &CronJob) -> String {
    format!(
        "SELECT cron.schedule({}, {}, {})",
        literal(&job.name),
        literal(&job.schedule),
        literal(&job.command)
    )
}

pub fn unschedule_sql(name: &str) -> String {
    format!("SELECT cron.unschedule({})", literal(name))
}

/// The comment that records the view's design: source and outputs by column name.
pub fn design_comment(view: &ResolvedMaterializedView) -> String {
    let mut group_by = Vec::new();
    let mut bucket = serde_json::Value::Null;
    let mut aggregates = Vec::new();
    for output in &view.columns {
        match &output.kind {
            OutputKind::Bucket { unit, column } => {
                bucket = serde_json::json!({"field": column, "unit": unit.key()});
            }
            OutputKind::Group { column } => group_by.push(column.clone()),
            OutputKind::Aggregate { function, column } => aggregates.push(match column {
                Some(c) => serde_json::json!({"function": function.key(), "field": c}),
                None => serde_json::json!({"function": function.key()}),
            }),
        }
    }
    let mut design = serde_json::json!({
        "source": view.source_db_name,
        "group_by": group_by,
        "aggregates": aggregates,
    });
    if !bucket.is_null() {
        design["time_bucket"] = bucket;
    }
    format!("{COMMENT_PREFIX}{design}")
}

/// Minute fields for `count` views sharing `schedule`, spread over its period so they do not
/// all refresh in the same minute: `*/15` → `*/15`, `5-59/15`, `10-59/15`; a fixed minute `M`
/// → `M`, `M+20`, `M+40` (mod 60). Other minute fields (`*`, lists, ranges) stay as written.
pub fn staggered(schedule: &str, count: usize) -> Vec<String> {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let same = vec![schedule.to_owned(); count];
    if fields.len() != 5 || count < 2 {
        return same;
    }
    let minute = fields[0];
    let rest = fields[1..].join(" ");
    let (period, start) = if let Some(n) = minute.strip_prefix("*/") {
        match n.parse::<usize>() {
            Ok(n) if (2..=59).contains(&n) => (n, None),
            _ => return same,
        }
    } else if let Ok(m) = minute.parse::<usize>() {
        if m > 59 {
            return same;
        }
        (60, Some(m))
    } else {
        return same;
    };
    let step = (period / count).max(1);
    (0..count)
        .map(|k| {
            let offset = (k * step) % period;
            let field = match start {
                Some(m) => ((m + offset) % 60).to_string(),
                None if offset == 0 => minute.to_owned(),
                None => format!("{offset}-59/{period}"),
            };
            format!("{field} {rest}")
        })
        .collect()
}

/// Each view's schedule after staggering those that share one, by position in the design.
fn schedules(views: &[ResolvedMaterializedView]) -> Vec<Option<String>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, v) in views.iter().enumerate() {
        if let Some(s) = &v.refresh {
            groups.entry(s.as_str()).or_default().push(i);
        }
    }
    let mut out = vec![None; views.len()];
    for (schedule, members) in groups {
        for (i, s) in members.iter().zip(staggered(schedule, members.len())) {
            out[*i] = Some(s);
        }
    }
    out
}

pub(super) fn plan_materialized_views(p: &mut Planner) {
    let views = p.design.materialized_views.clone();
    let schedules = schedules(&views);
    let mut drops = Vec::new();
    for (vi, view) in views.iter().enumerate() {
        let path = format!("materialized_views[{vi}]");
        let name = p.qn(&view.db_name);
        for (ri, role) in view.readers.iter().enumerate() {
            if p.catalog.role(role).is_none() {
                p.errors.push(PlanError {
                    path: format!("{path}.readers[{ri}]"),
                    message: format!("this database has no role \"{role}\""),
                });
            }
        }
        let live = p.catalog.table(p.schema, &view.db_name);
        let comment = design_comment(view);
        let source = p.qn(&view.source_db_name);
        let source_changes = p.steps.iter().any(|s| {
            matches!(&s.change,
                Change::AlterColumnType { table, .. }
                | Change::DropColumn { table, .. }
                | Change::RenameColumn { table, .. } if *table == source)
        });
        let fresh = match live {
            Some(t) if t.kind != TableKind::MaterializedView => {
                p.errors.push(PlanError {
                    path: format!("{path}.name"),
                    message: format!(
                        "{}.{} is a {} already, not a materialized view",
                        p.schema,
                        view.db_name,
                        t.kind.label()
                    ),
                });
                continue;
            }
            Some(t)
                if !t
                    .comment
                    .as_deref()
                    .unwrap_or("")
                    .starts_with(COMMENT_PREFIX) =>
            {
                p.errors.push(PlanError {
                    path: format!("{path}.name"),
                    message: format!(
                        "the materialized view {}.{} was not made by schemaforge; name the design's view differently, or drop that one",
                        p.schema, view.db_name
                    ),
                });
                continue;
            }
            Some(t) if t.comment.as_deref() == Some(comment.as_str()) && !source_changes => false,
            Some(_) => {
                p.note(format!(
                    "{path}: {}.{} is dropped and created again with its index and grants (its definition {}); its rows are computed anew",
                    p.schema,
                    view.db_name,
                    if source_changes { "reads columns this plan changes" } else { "changed" }
                ));
                drops.push(
                    Step::new(
                        Section::Tables,
                        p.object(&view.db_name),
                        Change::DropMaterializedView { view: name.clone() },
                    )
                    .replacing(),
                );
                true
            }
            None => true,
        };
        let index = Change::CreateIndex {
            table: name.clone(),
            name: view.index_name.clone(),
            columns: view
                .columns
                .iter()
                .filter(|c| c.is_key())
                .map(|c| c.name.clone())
                .collect(),
            options: IndexOptions {
                unique: true,
                ..IndexOptions::default()
            },
        };
        let object = p.object(&view.db_name);
        if fresh {
            let create = Change::CreateMaterializedView {
                view: name.clone(),
                query: query_sql(p.schema, view),
            };
            p.push(Step::new(Section::MaterializedViews, &object, create));
            let comment = Change::CommentMaterializedView {
                view: name.clone(),
                text: comment,
            };
            p.push(Step::new(Section::MaterializedViews, &object, comment));
        }
        let has_index =
            !fresh && live.is_some_and(|t| t.indexes.iter().any(|i| i.name == view.index_name));
        if !has_index {
            let object = format!("{object}.{}", view.index_name);
            p.push(Step::new(Section::MaterializedViews, object, index));
        }
        grants(p, view, if fresh { None } else { live });
        schedule(p, &path, view, schedules[vi].as_deref());
    }
    // Before anything changes the columns the old views read.
    for (i, step) in drops.into_iter().enumerate() {
        p.steps.insert(i, step);
    }
    for live in p.catalog.tables.iter().filter(|t| {
        t.schema == p.schema
            && t.kind == TableKind::MaterializedView
            && t.comment
                .as_deref()
                .is_some_and(|c| c.starts_with(COMMENT_PREFIX))
    }) {
        if !views.iter().any(|v| v.db_name == live.name) {
            p.notes.push(format!(
                "{}.{}: a materialized view the design no longer names; left alone (drop it by hand if it is not needed)",
                live.schema, live.name
            ));
        }
    }
}

/// Only the readers may select; the API roles lose what default privileges gave them.
fn grants(p: &mut Planner, view: &ResolvedMaterializedView, live: Option<&LiveTable>) {
    let name = p.qn(&view.db_name);
    let object = p.object(&view.db_name);
    let held = |role: &str| -> Vec<&Grant> {
        live.map(|t| t.grants.iter().filter(|g| g.grantee == role).collect())
            .unwrap_or_default()
    };
    let revoke: Vec<String> = API_ROLES
        .iter()
        .filter(|r| p.catalog.role(r).is_some())
        .filter(|r| {
            live.is_none() || {
                let reader = view.readers.iter().any(|x| x == *r);
                held(r).iter().any(|g| !reader || g.privilege != "SELECT")
            }
        })
        .map(|r| (*r).to_owned())
        .collect();
    if !revoke.is_empty() {
        let change = Change::RevokeAll {
            table: name.clone(),
            roles: revoke.clone(),
        };
        p.push(Step::new(Section::Grants, &object, change));
    }
    let grant: Vec<String> = view
        .readers
        .iter()
        .filter(|r| p.catalog.role(r).is_some())
        .filter(|r| {
            live.is_none() || revoke.contains(r) || !held(r).iter().any(|g| g.privilege == "SELECT")
        })
        .cloned()
        .collect();
    if !grant.is_empty() {
        let change = Change::Grant {
            table: name,
            privileges: vec!["SELECT".into()],
            roles: grant,
        };
        p.push(Step::new(Section::Grants, object, change));
    }
}

fn schedule(p: &mut Planner, path: &str, view: &ResolvedMaterializedView, wanted: Option<&str>) {
    let name = p.qn(&view.db_name);
    let job_name = refresh_job_name(p.schema, &view.db_name);
    let command = refresh_sql(&name);
    if !p.catalog.has_cron() {
        if wanted.is_some() {
            p.note(format!(
                "{path}.refresh: this database has no pg_cron (no cron.job table, no cron.schedule), so no refresh is scheduled; refresh the view by hand or from your own scheduler with: {command}"
            ));
        }
        return;
    }
    let live = p.catalog.cron_job(&job_name);
    match wanted {
        Some(schedule) => {
            let job = CronJob {
                name: job_name,
                schedule: schedule.to_owned(),
                command,
            };
            if live != Some(&job) {
                let object = format!("cron.job.{}", job.name);
                p.push(Step::new(
                    Section::Schedules,
                    object,
                    Change::ScheduleJob { job },
                ));
            }
        }
        None if live.is_some() => {
            let object = format!("cron.job.{job_name}");
            p.push(Step::new(
                Section::Schedules,
                object,
                Change::UnscheduleJob { name: job_name },
            ));
        }
        None => {}
    }
}

/// A materialized view as the catalog read it, created again whole: for a rollback of a plan
/// that replaced it.
pub fn recreate(old: &LiveTable, catalog: &crate::catalog::Catalog) -> Vec<Change> {
    let view = QualifiedName::new(&old.schema, &old.name);
    let mut out = vec![Change::CreateMaterializedView {
        view: view.clone(),
        query: old.view_definition.clone().unwrap_or_default(),
    }];
    if let Some(text) = &old.comment {
        out.push(Change::CommentMaterializedView {
            view: view.clone(),
            text: text.clone(),
        });
    }
    for index in &old.indexes {
        out.push(Change::Restore {
            table: view.clone(),
            object: crate::catalog::change::Restored::Index(index.clone()),
        });
    }
    // What default privileges give a new view goes first; then exactly the old grants.
    let api: Vec<String> = API_ROLES
        .iter()
        .chain(["service_role"].iter())
        .filter(|r| catalog.role(r).is_some())
        .map(|r| (*r).to_owned())
        .collect();
    if !api.is_empty() {
        out.push(Change::RevokeAll {
            table: view.clone(),
            roles: api,
        });
    }
    let mut by_role: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for g in &old.grants {
        by_role
            .entry(g.grantee.as_str())
            .or_default()
            .push(g.privilege.clone());
    }
    for (role, privileges) in by_role {
        if role == old.owner {
            continue;
        }
        out.push(Change::Grant {
            table: view.clone(),
            privileges,
            roles: vec![role.to_owned()],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::staggered;

    #[test]
    fn shared_schedules_are_spread_over_their_period() {
        assert_eq!(
            staggered("*/15 * * * *", 3),
            ["*/15 * * * *", "5-59/15 * * * *", "10-59/15 * * * *"]
        );
        assert_eq!(staggered("0 * * * *", 2), ["0 * * * *", "30 * * * *"]);
        assert_eq!(
            staggered("50 3 * * *", 3),
            ["50 3 * * *", "10 3 * * *", "30 3 * * *"]
        );
        assert_eq!(staggered("* * * * *", 2), ["* * * * *", "* * * * *"]);
        assert_eq!(staggered("*/15 * * * *", 1), ["*/15 * * * *"]);
        // More views than minutes in the period: one minute apart, wrapping.
        assert_eq!(
            staggered("*/2 * * * *", 3),
            ["*/2 * * * *", "1-59/2 * * * *", "*/2 * * * *"]
        );
    }
}
