//! Phase 0 — what the database already has: the [`Catalog`] model, the queries that read
//! it, and its fingerprint.
//!
//! The model (`model.rs`) and the assembly of query rows into it (`rows.rs`) are pure; only
//! [`read`] talks to a server, through a client it is handed.

mod assemble;
mod fingerprint;
mod index_def;
mod model;
mod queries;
mod read;
mod rows;

pub use fingerprint::fingerprint;
pub use model::*;
pub use read::{ReadError, end_abandoned_read, read, read_in_transaction};

/// Schemas Supabase manages: read and shown, but read-only in the designer.
///
/// Exact names, plus the families `graphql*`, `supabase_*` and `pgsodium*`.
pub fn is_managed_schema(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "auth",
        "storage",
        "realtime",
        "extensions",
        "vault",
        "net",
        "cron",
    ];
    EXACT.contains(&name)
        || name.starts_with("graphql")
        || name.starts_with("supabase_")
        || name.starts_with("pgsodium")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_schemas_follow_supabase() {
        for managed in [
            "auth",
            "storage",
            "realtime",
            "extensions",
            "graphql",
            "graphql_public",
            "vault",
            "supabase_functions",
            "supabase_migrations",
            "pgsodium",
            "pgsodium_masks",
            "net",
            "cron",
        ] {
            assert!(is_managed_schema(managed), "{managed}");
        }
        for own in ["public", "app", "Auth", "authz", "storage2", "crons"] {
            assert!(!is_managed_schema(own), "{own}");
        }
    }
}
