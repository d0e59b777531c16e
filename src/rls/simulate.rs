//! The policy simulator — seed 001's "test your assumptions", run for real: inside one
//! transaction that is always rolled back, apply the bundle (and any sample rows), then for
//! one user and role really run SELECT, INSERT, UPDATE and DELETE on every table under
//! `SET LOCAL ROLE` and `request.jwt.claims`, each in a savepoint of its own, and report
//! what was allowed, what was denied and how many rows each statement reached.
//!
//! Nothing is left behind: the simulation never commits. Every statement goes over the
//! simple-query protocol, so it also works through a transaction pooler.

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::plan::Bundle;
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
    /// A user created inside the simulation (and rolled back with it).
    Generated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationRequest {
    /// The schemas whose tables are probed.
    pub schemas: Vec<String>,
    pub user: SimUser,
    pub role: SimRole,
    /// Statements run as the connecting role after the bundle: sample rows, extra users.
    pub setup: Vec<String>,
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
    pub insert: Probe,
    pub update: Probe,
    pub delete: Probe,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SimulationReport {
    pub role: SimRole,
    /// The `sub` claim the probes ran with; `None` for anon.
    pub user: Option<String>,
    pub tables: Vec<TableProbes>,
}

impl SimulationReport {
    pub fn table(&self, name: &str) -> Option<&TableProbes> {
        self.tables.iter().find(|t| t.table == name)
    }
}

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
    #[error("the simulation failed: {0}")]
    Database(String),
}

fn describe(e: &tokio_postgres::Error) -> String {
    crate::db::server_error::describe(e)
}

fn database(e: tokio_postgres::Error) -> SimulateError {
    SimulateError::Database(describe(&e))
}

/// Runs the simulation; the transaction is rolled back whatever happens.
pub async fn simulate(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
) -> Result<SimulationReport, SimulateError> {
    if let Some(b) = bundle {
        let n = b.statements.len();
        let is = |i: usize, w: &str| b.statement_text(i).eq_ignore_ascii_case(w);
        if n < 2 || !is(0, "BEGIN") || !is(n - 1, "COMMIT") {
            return Err(SimulateError::NotOneTransaction);
        }
    }
    client.batch_execute("BEGIN").await.map_err(database)?;
    let result = run(client, bundle, request).await;
    let _ = client.batch_execute("ROLLBACK").await;
    result
}

async fn run(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
) -> Result<SimulationReport, SimulateError> {
    if let Some(b) = bundle {
        for index in 1..b.statements.len() - 1 {
            let sql = b.statement_text(index);
            client
                .batch_execute(sql)
                .await
                .map_err(|e| SimulateError::Bundle {
                    index: index + 1,
                    sql: sql.to_owned(),
                    message: describe(&e),
                })?;
        }
    }
    for sql in &request.setup {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| SimulateError::Setup {
                sql: sql.clone(),
                message: describe(&e),
            })?;
    }
    let user = match (request.role, &request.user) {
        (SimRole::Anon, _) => None,
        (SimRole::Authenticated, SimUser::Existing(id)) => {
            let found = first(
                client,
                &format!(
                    "SELECT id::text FROM auth.users WHERE id::text = {}",
                    literal(id)
                ),
            )
            .await
            .map_err(database)?;
            Some(found.ok_or_else(|| SimulateError::UnknownUser(id.clone()))?)
        }
        (SimRole::Authenticated, SimUser::Generated) => first(
            client,
            "INSERT INTO auth.users (id, email) VALUES (gen_random_uuid(), \
             'simulated-' || gen_random_uuid() || '@schemaforge.invalid') RETURNING id::text",
        )
        .await
        .map_err(database)?,
    };
    let claims = match &user {
        Some(id) => serde_json::json!({"sub": id, "role": "authenticated", "aud": "authenticated"}),
        None => serde_json::json!({"role": "anon"}),
    };
    let prelude = format!(
        "SAVEPOINT schemaforge_probe; SET LOCAL ROLE {}; SELECT set_config('request.jwt.claims', {}, true)",
        ident(request.role.name()),
        literal(&claims.to_string())
    );
    let schemas: Vec<String> = request.schemas.iter().map(|s| literal(s)).collect();
    let tables = rows(
        client,
        &format!(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN ({}) ORDER BY 1, 2",
            if schemas.is_empty() { "NULL".into() } else { schemas.join(", ") }
        ),
    )
    .await
    .map_err(database)?;
    let mut report = SimulationReport {
        role: request.role,
        user,
        tables: Vec::new(),
    };
    for row in tables {
        let (schema, name) = (row[0].clone(), row[1].clone());
        report
            .tables
            .push(probe_table(client, &prelude, &schema, &name).await?);
    }
    Ok(report)
}

async fn probe_table(
    client: &Client,
    prelude: &str,
    schema: &str,
    name: &str,
) -> Result<TableProbes, SimulateError> {
    let q = qualified(schema, name);
    let count = |sql: String| async move {
        first(client, &sql)
            .await
            .map(|v| v.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0))
    };
    let total_rows = count(format!("SELECT count(*) FROM {q}"))
        .await
        .map_err(database)?;
    // What a client sends on insert: the columns without a default, copied from a row the
    // user can see (else any row), so the probe asks only what the policies decide.
    let columns = rows(
        client,
        &format!(
            "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = {}::regclass \
             AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.atthasdef \
             AND a.attgenerated = '' AND a.attidentity = '' ORDER BY a.attnum",
            literal(&q)
        ),
    )
    .await
    .map_err(database)?;
    let columns: Vec<String> = columns.into_iter().map(|r| ident(&r[0])).collect();
    let sample_sql = format!("SELECT to_jsonb(x)::text FROM {q} x LIMIT 1");
    let visible = probe(client, prelude, &sample_sql).await?.1;
    let sample = match visible {
        Some(row) => Some(row),
        None => first(client, &sample_sql).await.map_err(database)?,
    };
    let insert_sql = if columns.is_empty() {
        format!("INSERT INTO {q} DEFAULT VALUES")
    } else {
        format!(
            "INSERT INTO {q} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{q}, {})",
            literal(sample.as_deref().unwrap_or("{}")),
            cols = columns.join(", ")
        )
    };
    let updatable = first(
        client,
        &format!(
            "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = {}::regclass \
             AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity = '' \
             ORDER BY a.attname <> 'updated_at', a.attnum LIMIT 1",
            literal(&q)
        ),
    )
    .await
    .map_err(database)?;
    let select = probe(client, prelude, &format!("SELECT count(*) FROM {q}")).await?;
    let select = Probe {
        rows: select.1.and_then(|v| v.parse().ok()).unwrap_or(0),
        ..select.0
    };
    let insert = probe(client, prelude, &insert_sql).await?.0;
    let update = match updatable {
        Some(c) => {
            let c = ident(&c);
            probe(client, prelude, &format!("UPDATE {q} SET {c} = {c}"))
                .await?
                .0
        }
        None => Probe {
            outcome: Outcome::Failed,
            rows: 0,
            message: Some("no column to update".into()),
        },
    };
    let delete = probe(client, prelude, &format!("DELETE FROM {q}")).await?.0;
    Ok(TableProbes {
        table: format!("{schema}.{name}"),
        total_rows,
        select,
        insert,
        update,
        delete,
    })
}

/// Runs `sql` as the simulated user inside a savepoint that is then rolled back (which also
/// undoes the `SET LOCAL ROLE`). Returns the outcome and the first value of a returned row.
async fn probe(
    client: &Client,
    prelude: &str,
    sql: &str,
) -> Result<(Probe, Option<String>), SimulateError> {
    client.batch_execute(prelude).await.map_err(database)?;
    let result = client.simple_query(sql).await;
    client
        .batch_execute(
            "ROLLBACK TO SAVEPOINT schemaforge_probe; RELEASE SAVEPOINT schemaforge_probe",
        )
        .await
        .map_err(database)?;
    Ok(match result {
        Ok(messages) => {
            let mut rows = 0;
            let mut value = None;
            for m in messages {
                match m {
                    SimpleQueryMessage::CommandComplete(n) => rows = n,
                    SimpleQueryMessage::Row(r) if value.is_none() => {
                        value = r.get(0).map(str::to_owned)
                    }
                    _ => {}
                }
            }
            (
                Probe {
                    outcome: Outcome::Allowed,
                    rows,
                    message: None,
                },
                value,
            )
        }
        Err(e) => {
            let denied = e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE);
            (
                Probe {
                    outcome: if denied {
                        Outcome::Denied
                    } else {
                        Outcome::Failed
                    },
                    rows: 0,
                    message: Some(
                        e.as_db_error()
                            .map_or_else(|| describe(&e), |d| d.message().to_owned()),
                    ),
                },
                None,
            )
        }
    })
}

async fn rows(client: &Client, sql: &str) -> Result<Vec<Vec<String>>, tokio_postgres::Error> {
    Ok(client
        .simple_query(sql)
        .await?
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or_default().to_owned())
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

async fn first(client: &Client, sql: &str) -> Result<Option<String>, tokio_postgres::Error> {
    Ok(client
        .simple_query(sql)
        .await?
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        }))
}
