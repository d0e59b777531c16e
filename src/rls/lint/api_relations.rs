//! `materialized_view_in_api` and `foreign_table_in_api`: neither kind can have row-level
//! security, so an API role that may SELECT one reads every row of it.

use crate::catalog::{Catalog, Table, TableKind};

use super::{Finding, LintContext, api_readers, finding, table_object};

pub(super) fn api_relation_rules(
    catalog: &Catalog,
    context: &LintContext,
    table: &Table,
    out: &mut Vec<Finding>,
) {
    let rule = match table.kind {
        TableKind::MaterializedView => "materialized_view_in_api",
        TableKind::ForeignTable => "foreign_table_in_api",
        _ => return,
    };
    let readers = api_readers(catalog, table);
    if !context.is_exposed(&table.schema) || readers.is_empty() {
        return;
    }
    let object = table_object(table);
    out.push(finding(
        rule,
        object.clone(),
        format!(
            "the {} {object} is served by the API and {} may read it: it cannot have row-level security, so every row is visible",
            table.kind.label(),
            readers.join(" and ")
        ),
        format!(
            "REVOKE SELECT ON {} FROM anon, authenticated, or move it to a schema the API does not serve",
            crate::sql::qualified(&table.schema, &table.name)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::{Grant, TableKind};

    fn found(kind: TableKind, grantee: &str) -> Vec<&'static str> {
        let mut t = table("public", "stats");
        t.kind = kind;
        t.policies.clear();
        t.rls_enabled = false;
        t.grants = vec![Grant {
            grantee: grantee.into(),
            privilege: "SELECT".into(),
        }];
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| r.ends_with("_in_api"))
            .collect()
    }

    #[test]
    fn readable_materialized_views_and_foreign_tables_are_reported() {
        assert_eq!(
            found(TableKind::MaterializedView, "anon"),
            ["materialized_view_in_api"]
        );
        assert_eq!(
            found(TableKind::ForeignTable, "authenticated"),
            ["foreign_table_in_api"]
        );
    }

    #[test]
    fn unreadable_ones_and_plain_views_are_not() {
        assert!(found(TableKind::MaterializedView, "service_role").is_empty());
        assert!(found(TableKind::View, "anon").is_empty());
    }
}
