//! Live tables keyed by `auth.users(id)`: one row per user, the pattern Supabase documents
//! for per-user data (`profiles`). Validation, which sees only the design, warns that a
//! `profiles` table duplicates `auth.users`; a table the database already ties one-to-one to
//! `auth.users` does not, so that warning is dropped for it.

use crate::catalog::Catalog;
use crate::design::validate::is_auth_shadow_warning;
use crate::design::{Design, Diagnostic};

/// Whether `d` is the auth-shadow warning about a designed table whose live counterpart is
/// keyed by `auth.users(id)`.
pub(super) fn is_needless_auth_shadow(design: &Design, catalog: &Catalog, d: &Diagnostic) -> bool {
    if !is_auth_shadow_warning(d) {
        return false;
    }
    let Some(table) = table_index(&d.path).and_then(|i| design.tables.get(i)) else {
        return false;
    };
    keyed_by_auth_user(catalog, &design.schema, &table.db_name())
}

/// `tables[3]` → 3.
fn table_index(path: &str) -> Option<usize> {
    path.strip_prefix("tables[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// Whether the live table has a foreign key to `auth.users(id)` on one column that is its
/// primary key or unique on its own (no partial index: that allows several rows per user).
pub fn keyed_by_auth_user(catalog: &Catalog, schema: &str, name: &str) -> bool {
    let Some(table) = catalog.table(schema, name) else {
        return false;
    };
    let unique_alone = |column: &str| {
        let only = |columns: &[String]| columns.len() == 1 && columns[0] == column;
        table.primary_key.as_ref().is_some_and(|k| only(&k.columns))
            || table.unique_constraints.iter().any(|k| only(&k.columns))
            || table.indexes.iter().any(|i| {
                i.unique && !i.invalid && only(&i.columns) && !i.definition.contains(" WHERE ")
            })
    };
    table.foreign_keys.iter().any(|fk| {
        fk.references_schema == "auth"
            && fk.references_table == "users"
            && fk.references_columns.len() == 1
            && fk.references_columns[0] == "id"
            && fk.columns.len() == 1
            && unique_alone(&fk.columns[0])
    })
}
