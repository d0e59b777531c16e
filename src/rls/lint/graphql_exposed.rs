//! `pg_graphql_anon_table_exposed` and `pg_graphql_authenticated_table_exposed`: with
//! `pg_graphql` installed, every relation an API role may SELECT shows its name, columns and
//! relationships in `/graphql/v1` introspection, whatever its policies say about rows.
//! Informational: it lists what is discoverable so each can be confirmed as intended.

use crate::catalog::{Catalog, Table, TableKind};

use super::{Finding, can_select, finding, table_object};

pub(super) fn graphql_rules(catalog: &Catalog, table: &Table, out: &mut Vec<Finding>) {
    if catalog.extension("pg_graphql").is_none() || table.kind == TableKind::ForeignTable {
        return;
    }
    let object = table_object(table);
    for (rule, role, who) in [
        (
            "pg_graphql_anon_table_exposed",
            "anon",
            "anyone with the anon key",
        ),
        (
            "pg_graphql_authenticated_table_exposed",
            "authenticated",
            "every signed-in user",
        ),
    ] {
        if !can_select(catalog, table, role) {
            continue;
        }
        out.push(finding(
            rule,
            object.clone(),
            format!(
                "pg_graphql is installed and {role} may SELECT the {} {object}: {who} sees its name, columns and relationships through /graphql/v1 introspection, even where policies hide its rows",
                table.kind.label()
            ),
            format!(
                "if it should not be discoverable: REVOKE SELECT ON {} FROM {role}",
                crate::sql::qualified(&table.schema, &table.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::{Extension, Grant};

    fn found(graphql: bool) -> Vec<&'static str> {
        let mut t = table("public", "todos");
        t.grants.push(Grant {
            grantee: "anon".into(),
            privilege: "SELECT".into(),
        });
        let mut c = catalog(vec![t]);
        if graphql {
            c.extensions.push(Extension {
                name: "pg_graphql".into(),
                version: "1.5".into(),
                schema: "graphql".into(),
            });
        }
        lint(&c, &LintContext::live())
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| r.starts_with("pg_graphql"))
            .collect()
    }

    #[test]
    fn with_pg_graphql_readable_tables_are_listed() {
        assert_eq!(
            found(true),
            [
                "pg_graphql_anon_table_exposed",
                "pg_graphql_authenticated_table_exposed"
            ]
        );
    }

    #[test]
    fn without_pg_graphql_nothing_is() {
        assert!(found(false).is_empty());
    }
}
