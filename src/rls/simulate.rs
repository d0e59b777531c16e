//! The policy simulator — seed 001's "test your assumptions", run for real: inside one
//! transaction that is always rolled back, apply the bundle (and any sample rows), then for
//! one user and role really run SELECT, INSERT, UPDATE and DELETE on every table under
//! `SET LOCAL ROLE` and `request.jwt.claims`, each in a savepoint of its own, and report
//! what was allowed, what was denied and how many rows each statement reached.
//!
//! Nothing is left behind: the simulation never commits. This file is pure — the request,
//! the report, and the SQL of every probe; `db::simulate` runs them.

use crate::catalog::Catalog;
use crate::design::ResolvedDesign;
use crate::sql::{ident, literal, qualified};

/// The API role the probes run as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimRole {
    Anon,
    Authenticated,
}

impl SimRole {
    pub fn name(self) -> &'static str {
        match self {
            SimRole::Anon => "anon",
            SimRole::Authenticated => "authenticated",
        }
    }
}

/// Who is signed in (ignored for `anon`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimUser {
    /// An `auth.users` id.
    Existing(String),
    /// The `auth.users` row with this email.
    Email(String),
    /// A user created inside the simulation (and rolled back with it).
    Generated,
}

/// One side of a simulation: who is signed in, as which API role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub user: SimUser,
    pub role: SimRole,
}

impl Subject {
    /// The `anon` role (nobody signed in).
    pub fn anon() -> Subject {
        Subject {
            user: SimUser::Generated,
            role: SimRole::Anon,
        }
    }

    /// Signed in as `user`.
    pub fn user(user: SimUser) -> Subject {
        Subject {
            user,
            role: SimRole::Authenticated,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationRequest {
    /// The schemas whose tables are probed.
    pub schemas: Vec<String>,
    pub user: SimUser,
    pub role: SimRole,
    /// Statements run as the connecting role after the bundle: extra users, rows.
    pub setup: Vec<String>,
    /// The design's sample rows, loaded after the bundle and the setup with the simulated
    /// users as their owners, so each user has rows of their own to see (or not).
    pub samples: Option<SimulationSamples>,
}

/// The sample rows a simulation loads: what `apply` would load (the samples of the tables
/// the bundle creates), generated with the same seed, but owned by the simulated users.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationSamples {
    /// The resolved design, its samples restricted to the tables to load.
    pub resolved: ResolvedDesign,
    pub seed: u64,
}

/// Compared in tests; a resolved design compares equal to itself (no NaN in it).
impl Eq for SimulationSamples {}

impl SimulationSamples {
    /// The samples `apply` of `resolved` on `catalog` would load; `None` when there are none.
    pub fn for_new_tables(
        resolved: &ResolvedDesign,
        catalog: &Catalog,
        seed: u64,
    ) -> Option<SimulationSamples> {
        crate::samples::for_new_tables(resolved, catalog)
            .map(|resolved| SimulationSamples { resolved, seed })
    }
}

impl SimulationRequest {
    pub fn subject(&self) -> Subject {
        Subject {
            user: self.user.clone(),
            role: self.role,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The statement ran; `rows` says how many rows it saw or changed.
    Allowed,
    /// Refused by a privilege or a policy (SQLSTATE 42501).
    Denied,
    /// Failed for another reason (a constraint, no sample row to copy, …): see `message`.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Probe {
    pub outcome: Outcome,
    pub rows: u64,
    pub message: Option<String>,
}

impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.outcome {
            Outcome::Allowed => write!(
                f,
                "{} row{}",
                self.rows,
                if self.rows == 1 { "" } else { "s" }
            ),
            Outcome::Denied => write!(f, "denied"),
            Outcome::Failed => write!(f, "failed"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TableProbes {
    /// `schema.table`.
    pub table: String,
    /// All rows, as the connecting role sees them (RLS aside).
    pub total_rows: u64,
    pub select: Probe,
    /// The primary keys of the rows the user sees, for a table of at most
    /// [`SMALL_TABLE`] rows with a one-column key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_ids: Option<Vec<String>>,
    /// The column set to the user on insert (see `probe_row::owner_column`).
    pub owner_column: Option<String>,
    /// A generated row owned by the user (owner column NULL for anon).
    pub insert: Probe,
    /// The same row owned by someone else: an owner-only insert policy must deny it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_for_other: Option<Probe>,
    pub update: Probe,
    pub delete: Probe,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SimulationReport {
    pub role: SimRole,
    /// The `sub` claim the probes ran with; `None` for anon.
    pub user: Option<String>,
    /// The user's email, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub tables: Vec<TableProbes>,
}

impl SimulationReport {
    pub fn table(&self, name: &str) -> Option<&TableProbes> {
        self.tables.iter().find(|t| t.table == name)
    }

    /// Who the probes ran as: `alice@example.com (authenticated)`, `user <id> (…)`, `anon`.
    pub fn who(&self) -> String {
        match (&self.email, &self.user) {
            (Some(email), _) => format!("{email} ({})", self.role.name()),
            (None, Some(id)) => format!("user {id} ({})", self.role.name()),
            (None, None) => self.role.name().to_owned(),
        }
    }
}

/// Tables of at most this many rows list the ids each user sees.
pub const SMALL_TABLE: u64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("a bundle must start with BEGIN; and end with COMMIT;")]
    NotOneTransaction,
    #[error(
        "statement {index} of the bundle failed in the simulation: {message}\n  statement: {sql}"
    )]
    Bundle {
        index: usize,
        sql: String,
        message: String,
    },
    #[error("a setup statement failed: {message}\n  statement: {sql}")]
    Setup { sql: String, message: String },
    #[error("there is no user {0} in auth.users")]
    UnknownUser(String),
    #[error("the design's sample rows could not be loaded in the simulation: {0}")]
    Samples(String),
    #[error("the simulation needs at least one user")]
    NoSubject,
    #[error("the simulation failed: {0}")]
    Database(String),
}

/// Checks that a bundle's statements are one transaction (`BEGIN` … `COMMIT`).
pub fn check_one_transaction(statements: &[&str]) -> Result<(), SimulateError> {
    let n = statements.len();
    let is = |i: usize, w: &str| statements[i].eq_ignore_ascii_case(w);
    if n < 2 || !is(0, "BEGIN") || !is(n - 1, "COMMIT") {
        return Err(SimulateError::NotOneTransaction);
    }
    Ok(())
}

/// The id and email of an existing `auth.users` row, or no row.
pub fn existing_user_sql(id: &str) -> String {
    format!(
        "SELECT id::text, email::text FROM auth.users WHERE id::text = {}",
        literal(id)
    )
}

/// The id and email of the `auth.users` row with this email (case aside), or no row.
pub fn user_by_email_sql(email: &str) -> String {
    format!(
        "SELECT id::text, email::text FROM auth.users WHERE lower(email) = lower({}) LIMIT 1",
        literal(email)
    )
}

/// Creates a throwaway user (rolled back with the simulation) and returns its id and email.
pub const GENERATED_USER_SQL: &str = "INSERT INTO auth.users (id, email) VALUES (gen_random_uuid(), \
     'simulated-' || gen_random_uuid() || '@schemaforge.invalid') RETURNING id::text, email::text";

/// Opens a probe's savepoint and becomes the simulated role with its JWT claims.
pub fn prelude_sql(role: SimRole, user: Option<&str>) -> String {
    let claims = match user {
        Some(id) => serde_json::json!({"sub": id, "role": "authenticated", "aud": "authenticated"}),
        None => serde_json::json!({"role": "anon"}),
    };
    format!(
        "SAVEPOINT schemaforge_probe; SET LOCAL ROLE {}; SELECT set_config('request.jwt.claims', {}, true)",
        ident(role.name()),
        literal(&claims.to_string())
    )
}

/// Undoes a probe, and with it the `SET LOCAL ROLE`.
pub const END_PROBE_SQL: &str =
    "ROLLBACK TO SAVEPOINT schemaforge_probe; RELEASE SAVEPOINT schemaforge_probe";

/// The tables probed: plain and partitioned tables of the request's schemas.
pub fn tables_sql(schemas: &[String]) -> String {
    let schemas: Vec<String> = schemas.iter().map(|s| literal(s)).collect();
    format!(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN ({}) ORDER BY 1, 2",
        if schemas.is_empty() {
            "NULL".into()
        } else {
            schemas.join(", ")
        }
    )
}

/// The SQL of one table's probes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSql {
    /// `"schema"."table"`.
    pub q: String,
}

impl TableSql {
    pub fn new(schema: &str, name: &str) -> TableSql {
        TableSql {
            q: qualified(schema, name),
        }
    }

    pub fn count(&self) -> String {
        format!("SELECT count(*) FROM {}", self.q)
    }

    /// The columns a client must send on insert (no default, not generated or identity).
    pub fn insert_columns(&self) -> String {
        format!(
            "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = {}::regclass \
             AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.atthasdef \
             AND a.attgenerated = '' AND a.attidentity = '' ORDER BY a.attnum",
            literal(&self.q)
        )
    }

    /// One row as JSON, to copy on insert.
    pub fn sample(&self) -> String {
        format!("SELECT to_jsonb(x)::text FROM {} x LIMIT 1", self.q)
    }

    /// Inserts `sample` (a JSON row) through `columns` only.
    pub fn insert(&self, columns: &[String], sample: Option<&str>) -> String {
        let q = &self.q;
        if columns.is_empty() {
            return format!("INSERT INTO {q} DEFAULT VALUES");
        }
        let cols: Vec<String> = columns.iter().map(|c| ident(c)).collect();
        format!(
            "INSERT INTO {q} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{q}, {})",
            literal(sample.unwrap_or("{}")),
            cols = cols.join(", ")
        )
    }

    /// The column an update probe sets to itself (`updated_at` first).
    pub fn updatable_column(&self) -> String {
        format!(
            "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = {}::regclass \
             AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity = '' \
             ORDER BY a.attname <> 'updated_at', a.attnum LIMIT 1",
            literal(&self.q)
        )
    }

    /// Sets `columns` of every row the role may update to their values in `row` (JSON).
    pub fn update_to(&self, columns: &[String], row: &str) -> String {
        let cols: Vec<String> = columns.iter().map(|c| ident(c)).collect();
        format!(
            "UPDATE {q} SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{q}, {}))",
            literal(row),
            q = self.q,
            cols = cols.join(", ")
        )
    }

    pub fn update(&self, column: &str) -> String {
        let c = ident(column);
        format!("UPDATE {} SET {c} = {c}", self.q)
    }

    pub fn delete(&self) -> String {
        format!("DELETE FROM {}", self.q)
    }

    /// The keys of the rows the current role sees, comma-separated, in order.
    pub fn visible_ids(&self, key: &str) -> String {
        let k = ident(key);
        format!(
            "SELECT coalesce(string_agg({k}::text, ',' ORDER BY {k}::text), '') FROM {}",
            self.q
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_quote_names_and_literals() {
        let t = TableSql::new("app", "it's");
        assert_eq!(t.count(), "SELECT count(*) FROM \"app\".\"it's\"");
        assert_eq!(
            t.insert(&["a\"b".into()], Some("{\"x\": \"'\"}")),
            "INSERT INTO \"app\".\"it's\" (\"a\"\"b\") SELECT \"a\"\"b\" FROM \
             jsonb_populate_record(NULL::\"app\".\"it's\", '{\"x\": \"''\"}')"
        );
        assert!(check_one_transaction(&["BEGIN", "SELECT 1", "COMMIT"]).is_ok());
        assert!(check_one_transaction(&["SELECT 1"]).is_err());
        assert!(prelude_sql(SimRole::Anon, None).contains("'{\"role\":\"anon\"}'"));
    }
}
