//! Phase 0 — what the database already has: the [`Catalog`] model, the queries that read
//! it, and its fingerprint.
//!
//! Everything here is pure: the model (`model.rs`), the queries' text (`queries.rs`), the
//! assembly of their rows into the model (`rows.rs`, `assemble.rs`), and [`Catalog::apply`].
//! Running the queries is `db::catalog`'s job.

pub(crate) mod assemble;
pub mod change;
mod cron;
mod fingerprint;
mod index_def;
pub mod index_shape;
mod locks;
mod model;
pub mod normalised;
pub(crate) mod queries;
mod renamed_text;
pub mod reread;
pub(crate) mod rows;

pub use change::Change;
pub use cron::CronJob;
pub use fingerprint::{FingerprintMemo, fingerprint};
pub use locks::{BlockingSession, LockedRelation, lock_advice};
pub use model::*;

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
