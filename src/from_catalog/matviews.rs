//! Aggregate views read back: the materialized views schemaforge made (their comment holds
//! their design), with the roles that may select them and their pg_cron schedule.

use crate::catalog::{Catalog, Table, TableKind};
use crate::design::materialized_views::{MaterializedView, refresh_job_name};
use crate::plan::matviews::COMMENT_PREFIX;

/// Roles whose privileges on a new view come from default privileges, not from a design.
const NOT_READERS: [&str; 2] = ["service_role", "postgres"];

/// A materialized view schemaforge made: its comment holds its design.
pub(crate) fn is_designed(live: &Table) -> bool {
    live.kind == TableKind::MaterializedView
        && live
            .comment
            .as_deref()
            .is_some_and(|c| c.starts_with(COMMENT_PREFIX))
}

/// The views in `schema` over one of `sources` (the tables read into the design).
pub(crate) fn materialized_views(
    catalog: &Catalog,
    schema: &str,
    sources: &[&str],
    notes: &mut Vec<String>,
) -> Vec<MaterializedView> {
    let mut out = Vec::new();
    for live in catalog
        .tables
        .iter()
        .filter(|t| t.schema == schema && t.kind == TableKind::MaterializedView)
    {
        let Some(json) = live
            .comment
            .as_deref()
            .and_then(|c| c.strip_prefix(COMMENT_PREFIX))
        else {
            continue; // noted with the other relations a design does not describe
        };
        let mut value: serde_json::Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(_) => {
                notes.push(format!(
                    "{schema}.{}: its comment no longer holds a design it can read; not in the design",
                    live.name
                ));
                continue;
            }
        };
        value["name"] = serde_json::Value::String(live.name.clone());
        let Ok(mut view) = serde_json::from_value::<MaterializedView>(value) else {
            continue;
        };
        if !sources.contains(&view.source.as_str()) {
            continue;
        }
        if view.view_db_name() != live.name {
            view.db_name = Some(live.name.clone());
        }
        let mut readers: Vec<String> = live
            .grants
            .iter()
            .filter(|g| g.privilege == "SELECT")
            .map(|g| g.grantee.clone())
            .filter(|r| *r != live.owner && !NOT_READERS.contains(&r.as_str()))
            .collect();
        readers.dedup();
        view.readers = readers;
        view.refresh = catalog
            .cron_job(&refresh_job_name(schema, &live.name))
            .map(|j| j.schedule.clone());
        out.push(view);
    }
    out
}
