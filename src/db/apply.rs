//! Running a bundle: one transaction, statement by statement, so a failure names the
//! statement, its line in the bundle, and the server's message, detail, hint and position.

use std::time::{Duration, Instant};

use tokio_postgres::Client;
use tokio_postgres::error::ErrorPosition;

use crate::plan::{Bundle, Section};
use crate::samples::SampleSet;

/// How far an apply has got; sent after each statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub statement: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyReport {
    pub statements: usize,
    pub elapsed: Duration,
    /// False for a dry run: everything ran, then rolled back.
    pub committed: bool,
    /// Sample rows loaded by a sample set ([`apply_with_samples`]).
    pub rows: u64,
}

/// The statement that failed and everything the server said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementFailure {
    /// 0-based index in the bundle's statements.
    pub index: usize,
    pub total: usize,
    /// 1-based line of the bundle where the statement starts.
    pub line: usize,
    pub sql: String,
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// The error position as a line and column of the bundle, when the server gave one.
    pub position: Option<(usize, usize)>,
    pub context: Option<String>,
}

impl std::fmt::Display for StatementFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "statement {} of {} (line {}) failed: {} (SQLSTATE {})",
            self.index + 1,
            self.total,
            self.line,
            self.message,
            self.code
        )?;
        if let Some(detail) = &self.detail {
            writeln!(f, "  detail: {detail}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  hint: {hint}")?;
        }
        if let Some((line, column)) = self.position {
            writeln!(f, "  at: line {line}, column {column}")?;
        }
        if let Some(context) = &self.context {
            writeln!(f, "  context: {context}")?;
        }
        write!(f, "  statement: {}", self.sql)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}\nnothing was applied: the transaction was rolled back")]
    Statement(Box<StatementFailure>),
    #[error(
        "the live schema changed since this plan was made (fingerprint {expected}, now {actual}); \
         nothing was applied — plan again"
    )]
    Drift { expected: String, actual: String },
    #[error("{0}")]
    NotOneTransaction(String),
    #[error("checking the live schema failed: {0}")]
    DriftCheck(String),
    #[error(
        "the connection failed during apply: {0}; the server rolls back an unfinished transaction"
    )]
    Connection(String),
    #[error(
        "the connection failed while committing: {0}\nthe outcome is unknown — the COMMIT may have \
         reached the server; re-read the schema (`schemaforge inspect`) before trying again"
    )]
    CommitUnknown(String),
    #[error("loading sample rows into {}: {}\nnothing was applied: the transaction was rolled back", .0.table, .0.message)]
    Samples(Box<super::copy::CopyError>),
}

/// What to compare before anything runs: the fingerprint the plan was made against, and how
/// to read the current one (inside the apply's transaction).
pub struct DriftCheck<F> {
    pub expected: String,
    pub current: F,
}

/// Applies `bundle` in one transaction; `dry_run` runs everything and rolls back.
///
/// The bundle must start with `BEGIN` and end with `COMMIT`. On any error the transaction
/// is rolled back, so the database is left as it was.
pub async fn apply<F>(
    client: &Client,
    bundle: &Bundle,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, String>,
{
    apply_with_samples(client, bundle, None, dry_run, drift, progress).await
}

/// [`apply`], and then — still inside the transaction, just before `COMMIT` — the sample
/// rows, streamed with `COPY` as they are generated.
pub async fn apply_with_samples<F>(
    client: &Client,
    bundle: &Bundle,
    samples: Option<&SampleSet>,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    mut progress: impl FnMut(Progress),
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, String>,
{
    let total = bundle.statements.len();
    let is = |i: usize, word: &str| bundle.statement_text(i).eq_ignore_ascii_case(word);
    if total < 2 || !is(0, "BEGIN") || !is(total - 1, "COMMIT") {
        return Err(ApplyError::NotOneTransaction(
            "a bundle must start with BEGIN; and end with COMMIT;".into(),
        ));
    }
    let started = Instant::now();
    run(client, bundle, 0).await?;
    // The bundle's own settings (SET LOCAL lock_timeout, …) come first, so the drift check
    // below cannot wait for a lock longer than the bundle allows.
    let mut first_work = 1;
    while first_work < total - 1 && bundle.statements[first_work].section == Section::Transaction {
        if let Err(e) = run(client, bundle, first_work).await {
            rollback(client).await;
            return Err(e);
        }
        first_work += 1;
    }
    if let Some(check) = drift {
        let actual = match (check.current)(client).await {
            Ok(actual) => actual,
            Err(e) => {
                rollback(client).await;
                return Err(ApplyError::DriftCheck(e));
            }
        };
        if actual != check.expected {
            rollback(client).await;
            return Err(ApplyError::Drift {
                expected: check.expected,
                actual,
            });
        }
    }
    progress(Progress {
        statement: first_work,
        total,
    });
    for index in first_work..total - 1 {
        if let Err(e) = run(client, bundle, index).await {
            rollback(client).await;
            return Err(e);
        }
        progress(Progress {
            statement: index + 1,
            total,
        });
    }
    let mut rows = 0;
    if let Some(set) = samples {
        match super::copy::run_steps(client, &set.steps).await {
            Ok(loaded) => rows = loaded,
            Err(e) => {
                rollback(client).await;
                return Err(ApplyError::Samples(Box::new(e)));
            }
        }
    }
    if dry_run {
        rollback(client).await;
    } else {
        // A statement error at COMMIT (a deferred constraint) rolled back; a lost
        // connection leaves the outcome unknown.
        match run(client, bundle, total - 1).await {
            Err(ApplyError::Connection(e)) => return Err(ApplyError::CommitUnknown(e)),
            other => other?,
        }
    }
    progress(Progress {
        statement: total,
        total,
    });
    Ok(ApplyReport {
        statements: total,
        elapsed: started.elapsed(),
        committed: !dry_run,
        rows,
    })
}

async fn rollback(client: &Client) {
    let _ = client.batch_execute("ROLLBACK").await;
}

/// One statement over the simple-query protocol (safe through transaction poolers).
async fn run(client: &Client, bundle: &Bundle, index: usize) -> Result<(), ApplyError> {
    let statement = &bundle.statements[index];
    let sql = bundle.statement_text(index);
    let at_an_end = index == 0 || index + 1 == bundle.statements.len();
    // One statement at a time, and the transaction is ours: text that would end it early
    // (a stray `;`, a COMMIT in the middle) is refused before it is sent.
    if let Some(data) = &statement.copy_data {
        return super::copy::copy_data(client, sql, &bundle.text[data.clone()])
            .await
            .map(|_| ())
            .map_err(|e| ApplyError::Samples(Box::new(e)));
    }
    if crate::sql_tokens::has_statement_separator(sql)
        || (!at_an_end && crate::sql_tokens::is_transaction_control(sql))
    {
        return Err(ApplyError::NotOneTransaction(format!(
            "statement {} (line {}) would end the bundle's transaction or run a second statement; nothing was applied",
            index + 1,
            statement.line
        )));
    }
    client
        .batch_execute(sql)
        .await
        .map_err(|err| match err.as_db_error() {
            Some(db) => {
                let position = match db.position() {
                    Some(ErrorPosition::Original(p)) => {
                        // The server counts characters from 1 within the statement it was sent.
                        let offset = sql
                            .char_indices()
                            .nth((*p as usize).saturating_sub(1))
                            .map_or(sql.len(), |(i, _)| i);
                        Some(bundle.line_column(statement.range.start + offset))
                    }
                    _ => None,
                };
                ApplyError::Statement(Box::new(StatementFailure {
                    index,
                    total: bundle.statements.len(),
                    line: statement.line,
                    sql: sql.to_owned(),
                    code: db.code().code().to_owned(),
                    message: db.message().to_owned(),
                    detail: db.detail().map(str::to_owned),
                    hint: db.hint().map(str::to_owned),
                    position,
                    context: db.where_().map(str::to_owned),
                }))
            }
            None => ApplyError::Connection(super::target::error_chain(&err)),
        })
}
