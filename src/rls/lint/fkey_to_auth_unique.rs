//! `fkey_to_auth_unique`: a foreign key to a unique constraint of an `auth` table (not its
//! primary key) ties the user's schema to a constraint Supabase may change or drop in an
//! Auth upgrade, which then fails or takes the key with it.

use crate::catalog::{Catalog, Table};

use super::{Finding, finding, table_object};

pub(super) fn fkey_rules(catalog: &Catalog, table: &Table, out: &mut Vec<Finding>) {
    for fk in table
        .foreign_keys
        .iter()
        .filter(|fk| fk.references_schema == "auth")
    {
        let Some(target) = catalog.table(&fk.references_schema, &fk.references_table) else {
            continue;
        };
        let to_primary = target
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns == fk.references_columns);
        if to_primary {
            continue;
        }
        out.push(finding(
            "fkey_to_auth_unique",
            format!("{}.{}", table_object(table), fk.name),
            format!(
                "the foreign key {} references auth.{}({}), a unique constraint Supabase manages, not its primary key: an Auth upgrade may change it",
                fk.name,
                fk.references_table,
                fk.references_columns.join(", ")
            ),
            format!(
                "reference the primary key instead (auth.{}(id)), or drop the constraint: ALTER TABLE {} DROP CONSTRAINT {}",
                fk.references_table,
                crate::sql::qualified(&table.schema, &table.name),
                crate::sql::ident(&fk.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::KeyConstraint;

    fn found(columns: &[&str]) -> usize {
        let mut users = table("auth", "users");
        users.primary_key = Some(KeyConstraint {
            name: "users_pkey".into(),
            columns: vec!["id".into()],
        });
        let mut t = table("public", "profiles");
        let mut fk = foreign_key("profiles_user_fkey", "created_by", "users");
        fk.references_schema = "auth".into();
        fk.references_columns = columns.iter().map(|c| (*c).to_owned()).collect();
        t.foreign_keys = vec![fk];
        lint(&catalog(vec![users, t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "fkey_to_auth_unique")
            .count()
    }

    #[test]
    fn a_key_to_auth_users_email_is_reported() {
        assert_eq!(found(&["email"]), 1);
    }

    #[test]
    fn a_key_to_the_primary_key_is_fine() {
        assert_eq!(found(&["id"]), 0);
    }
}
