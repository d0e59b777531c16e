//! Schemas a design may refer to but never change.
//!
//! Supabase (and PostgreSQL itself) own these schemas: their tables, functions and policies
//! are created, migrated and relied upon by the platform. A design that creates a table in
//! `auth`, drops `auth.users.email` or turns on RLS there breaks sign-in for every user, and
//! `pg_catalog` / `information_schema` are the server's own. So a design may point a foreign
//! key or a policy at `auth.users`, but validation refuses anything that would create, alter
//! or drop an object in one of them. `storage` too: a design reaches it only through
//! `buckets`, which insert or update rows of `storage.buckets` and the buckets' own policies
//! on `storage.objects` (see `design::buckets`), never its tables or functions.
//!
//! This is the one list; validation and anything else that asks goes through
//! [`is_managed_schema`].

/// Managed schemas named exactly (compared without regard to ASCII case, so `"Auth"` is not a
/// way around the rule).
pub const MANAGED_SCHEMAS: [&str; 10] = [
    "auth",
    "storage",
    "realtime",
    "extensions",
    "vault",
    "pgsodium",
    "pgsodium_masks",
    "cron",
    "pg_catalog",
    "information_schema",
];

/// Prefixes of managed schema families: `graphql`, `graphql_public`, `supabase_functions`,
/// `supabase_migrations`, `pg_toast`, `pg_temp_3`, …
pub const MANAGED_SCHEMA_PREFIXES: [&str; 3] = ["graphql", "supabase_", "pg_"];

/// Whether a design must leave `schema` alone.
pub fn is_managed_schema(schema: &str) -> bool {
    let folded = schema.trim().to_ascii_lowercase();
    MANAGED_SCHEMAS.contains(&folded.as_str())
        || MANAGED_SCHEMA_PREFIXES
            .iter()
            .any(|prefix| folded.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supabase_and_system_schemas_are_managed() {
        for schema in [
            "auth",
            "AUTH",
            "storage",
            "realtime",
            "extensions",
            "vault",
            "pgsodium",
            "graphql",
            "graphql_public",
            "supabase_functions",
            "supabase_migrations",
            "cron",
            "pg_catalog",
            "pg_toast",
            "pg_temp_1",
            "information_schema",
        ] {
            assert!(is_managed_schema(schema), "{schema}");
        }
        for schema in ["public", "app", "authors", "my_storage", "pgx", "cronjobs"] {
            assert!(!is_managed_schema(schema), "{schema}");
        }
    }
}
