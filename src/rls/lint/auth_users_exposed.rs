//! `auth_users_exposed`: a view or materialized view in a schema the API serves that reads
//! `auth.users` and that an API role may SELECT hands out user records (emails, phone
//! numbers, metadata) — a view runs as its owner unless it is `security_invoker`.

use crate::catalog::{Catalog, Table};

use super::references::references;
use super::{Finding, LintContext, api_readers, finding, table_object};

pub(super) fn auth_users_rules(
    catalog: &Catalog,
    context: &LintContext,
    table: &Table,
    out: &mut Vec<Finding>,
) {
    let Some(definition) = &table.view_definition else {
        return;
    };
    if !context.is_exposed(&table.schema) {
        return;
    }
    let reads_auth_users = references(definition).is_ok_and(|r| {
        r.relations
            .iter()
            .any(|n| n.schema.as_deref() == Some("auth") && n.name == "users")
    });
    let readers = api_readers(catalog, table);
    if !reads_auth_users || readers.is_empty() {
        return;
    }
    let object = table_object(table);
    out.push(finding(
        "auth_users_exposed",
        object.clone(),
        format!(
            "the {} {object} reads auth.users and {} may query it through the API: user records (emails, phones, metadata) leave the auth schema",
            table.kind.label(),
            readers.join(" and ")
        ),
        format!(
            "REVOKE SELECT ON {} FROM anon, authenticated; expose only the columns needed, from a public profiles table kept by a trigger",
            crate::sql::qualified(&table.schema, &table.name)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::{Grant, TableKind};

    fn found(definition: &str, grantee: &str) -> usize {
        let mut v = table("public", "user_emails");
        v.kind = TableKind::View;
        v.policies.clear();
        v.rls_enabled = false;
        v.security_invoker = true;
        v.view_definition = Some(definition.into());
        v.grants = vec![Grant {
            grantee: grantee.into(),
            privilege: "SELECT".into(),
        }];
        lint(&catalog(vec![v]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "auth_users_exposed")
            .count()
    }

    #[test]
    fn a_readable_view_over_auth_users_is_reported() {
        assert_eq!(
            found(" SELECT users.id, users.email FROM auth.users", "anon"),
            1
        );
    }

    #[test]
    fn other_views_and_unreadable_ones_are_not() {
        assert_eq!(found(" SELECT id FROM public.profiles", "anon"), 0);
        assert_eq!(found(" SELECT users.id FROM auth.users", "service_role"), 0);
    }
}
