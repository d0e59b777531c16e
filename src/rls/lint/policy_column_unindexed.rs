//! `rls_column_unindexed`: a column of the policy's own table that its USING filters on
//! (`created_by = (select auth.uid())`, `organization_id IN (select …)`) and that no index
//! starts with. PostgreSQL adds the policy to every query on the
//! table, so without an index each one reads the whole table; Supabase's advice for RLS
//! performance is to index exactly these columns.

use std::collections::BTreeMap;

use crate::catalog::Table;
use crate::rls::analysis::{ColumnScope, analyze};

use super::{Finding, finding, table_object};

pub(super) fn unindexed_policy_column_rules(table: &Table, out: &mut Vec<Finding>) {
    if !table.rls_enabled {
        return;
    }
    // column → the policies that filter on it.
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for policy in &table.policies {
        let Some(using) = &policy.using else {
            continue;
        };
        let Ok(facts) = analyze(using) else {
            continue;
        };
        for column in facts.columns {
            // Columns inside a subquery may be what it selects, not what it filters on.
            let own = match &column.scope {
                ColumnScope::Own => true,
                ColumnScope::Table(r) => {
                    r.name == table.name && r.schema.as_deref().is_none_or(|s| s == table.schema)
                }
                ColumnScope::AnyOf(_) => false,
            };
            if !own {
                continue;
            }
            let target = table;
            let Some(col) = target.column(&column.column) else {
                continue;
            };
            // An index on a yes/no column rarely helps: most rows share each value.
            if col.data_type == "boolean" || is_indexed(target, &column.column) {
                continue;
            }
            let names = used.entry(column.column.clone()).or_default();
            if !names.contains(&policy.name) {
                names.push(policy.name.clone());
            }
        }
    }
    for (column, policies) in used {
        let object = table_object(table);
        out.push(finding(
            "rls_column_unindexed",
            object.clone(),
            format!(
                "the polic{} {} filter{} on {object}.{column}, which no index starts with: every query on the table reads all of its rows",
                if policies.len() == 1 { "y" } else { "ies" },
                policies
                    .iter()
                    .map(|p| format!("\"{p}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                if policies.len() == 1 { "s" } else { "" },
            ),
            format!(
                "add {{\"columns\": [\"{column}\"]}} to the table's indexes (CREATE INDEX ON {} ({}))",
                crate::sql::qualified(&table.schema, &table.name),
                crate::sql::ident(&column)
            ),
        ));
    }
}

/// Whether some index (a primary key's and a unique constraint's included) starts with it,
/// or a partial index's predicate names it (`WHERE deleted_at IS NULL` serves
/// `deleted_at IS NULL` in a policy).
fn is_indexed(table: &Table, column: &str) -> bool {
    let in_predicate = |definition: &str| {
        crate::catalog::index_shape::predicate(definition)
            .and_then(|p| analyze(p).ok())
            .is_some_and(|facts| facts.columns.iter().any(|c| c.column == column))
    };
    table.indexes.iter().any(|i| {
        !i.invalid
            && (i.columns.first().is_some_and(|c| c == column) || in_predicate(&i.definition))
    }) || table
        .primary_key
        .as_ref()
        .is_some_and(|k| k.columns.first().is_some_and(|c| c == column))
        || table
            .unique_constraints
            .iter()
            .any(|k| k.columns.first().is_some_and(|c| c == column))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::PolicyCommand;

    fn found(tables: Vec<crate::catalog::Table>) -> Vec<(String, String)> {
        lint(&catalog(tables), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "rls_column_unindexed")
            .map(|f| (f.object, f.message))
            .collect()
    }

    #[test]
    fn the_owner_column_with_its_index_is_fine() {
        assert!(found(vec![table("public", "todos")]).is_empty());
    }

    #[test]
    fn an_owner_column_without_an_index_is_reported() {
        let mut t = table("public", "todos");
        t.indexes.retain(|i| i.name != "idx_todos_created_by");
        let f = found(vec![t]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "public.todos");
        assert!(
            f[0].1
                .contains("\"owner\" filters on public.todos.created_by"),
            "{f:?}"
        );
    }

    #[test]
    fn the_membership_column_is_reported() {
        let mut todos = table("public", "todos");
        todos.columns.push(column("organization_id", false, None));
        todos.policies = vec![policy(
            "members read",
            PolicyCommand::Select,
            &["authenticated"],
            Some(
                "(organization_id IN ( SELECT members.organization_id FROM members WHERE (members.user_id = ( SELECT auth.uid() AS uid))))",
            ),
            None,
        )];
        let mut members = table("public", "members");
        members.columns.push(column("organization_id", false, None));
        members.columns.push(column("user_id", false, None));
        let f = found(vec![todos.clone(), members.clone()]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "public.todos");
        assert!(
            f[0].1
                .contains("\"members read\" filters on public.todos.organization_id"),
            "{f:?}"
        );
        // Indexed where it is filtered: nothing to say.
        todos
            .indexes
            .push(index("i1", "public", "todos", "organization_id", false));
        assert!(found(vec![todos.clone(), members.clone()]).is_empty());
        // A partial index's predicate serves the same test in a policy.
        todos.policies[0].using = Some("(deleted_at IS NULL)".into());
        todos.columns.push(column("deleted_at", true, None));
        assert_eq!(found(vec![todos.clone(), members.clone()]).len(), 1);
        todos
            .indexes
            .push(index("i3", "public", "todos", "id", false));
        todos.indexes.last_mut().unwrap().definition =
            "CREATE INDEX i3 ON public.todos USING btree (id) WHERE (deleted_at IS NULL)".into();
        assert!(found(vec![todos, members]).is_empty());
    }
}
