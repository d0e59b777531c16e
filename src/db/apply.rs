//! Running a bundle: one transaction, statement by statement, so a failure names the
//! statement, its line in the bundle, and the server's message, detail, hint and position.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio_postgres::Client;
use tokio_postgres::error::ErrorPosition;

use super::sent;
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
    /// Sample rows loaded by a sample set ([`apply_with_samples`]), or the rows of a CSV
    /// file ([`apply_with_csv`]).
    pub rows: u64,
    /// Of `rows`, the demo users inserted into `auth.users` (said apart from the rows).
    pub demo_users: u64,
    /// CSV records written to the rejects file instead.
    pub rejected: u64,
}

/// What [`apply_with_csv`] loads: the CSV file, after the design's sample rows if any.
#[derive(Clone, Copy)]
pub struct CsvRows<'a> {
    pub load: &'a super::import_copy::CsvLoad,
    pub samples: Option<&'a SampleSet>,
}

/// Rows loaded with COPY after the statements, before `COMMIT`.
#[derive(Clone, Copy)]
enum Loads<'a> {
    None,
    Samples(&'a SampleSet),
    /// A CSV file, after the design's sample rows (if any).
    Csv(&'a super::import_copy::CsvLoad, Option<&'a SampleSet>),
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
    /// On a lock timeout: the locks other sessions held on what the statement names.
    pub blocked_by: Vec<crate::catalog::LockedRelation>,
}

impl StatementFailure {
    /// `lock_timeout` ran out while the statement waited for a lock.
    pub fn is_lock_timeout(&self) -> bool {
        self.code == "55P03"
    }

    /// `statement_timeout` cancelled the statement (a user's cancel has the same SQLSTATE).
    pub fn is_statement_timeout(&self) -> bool {
        self.code == "57014" && self.message.contains("statement timeout")
    }

    /// What the user can do about a timeout, in one line; `None` for other failures.
    pub fn advice(&self) -> Option<String> {
        if self.is_lock_timeout() {
            return Some(if self.blocked_by.is_empty() {
                "another session held a lock this statement needs past lock_timeout (it had \
                 let go by the time schemaforge asked); try again, or raise --lock-timeout"
                    .to_owned()
            } else {
                crate::catalog::lock_advice(&self.blocked_by)
            });
        }
        self.is_statement_timeout().then(|| {
            format!(
                "statement {} ran longer than statement_timeout; raise --statement-timeout if it \
                 needs longer (on a big table, run it when the table is quiet)",
                self.index + 1
            )
        })
    }
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
        for lock in &self.blocked_by {
            writeln!(f, "  blocked by: {lock}")?;
        }
        if let Some(advice) = self.advice() {
            writeln!(f, "  what to do: {advice}")?;
        }
        write!(f, "  statement: {}", self.sql)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The sample rows could not be prepared (existing ids unreadable, a design the
    /// generator refuses); nothing was sent.
    #[error("sample rows: {0}\nnothing was applied")]
    SampleRows(String),
    #[error("{0}\nnothing was applied: the transaction was rolled back")]
    Statement(Box<StatementFailure>),
    #[error(
        "the live schema changed since this plan was made (fingerprint {expected}, now {actual}); \
         nothing was applied — plan again"
    )]
    Drift { expected: String, actual: String },
    /// A rollback that would not leave the catalog it promises: the schema changed since
    /// the plan it undoes (or that plan was never applied).
    #[error(
        "the rollback would not leave the schema as it was before the plan (fingerprint {expected}, \
         it would be {actual}): the schema changed since, or the plan was never applied; nothing \
         was applied — make a new plan instead"
    )]
    NotRestored { expected: String, actual: String },
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
    #[error("{0}\nnothing was loaded or created: the transaction was rolled back")]
    Csv(Box<super::import_copy::LoadError>),
    /// Another apply (or anyone holding schemaforge's advisory lock) kept the database past
    /// the lock timeout.
    #[error(
        "another session is applying to this database and holds schemaforge's lock{}; \
         waited for the lock timeout, nothing was applied — try again when it is done (or raise --lock-timeout)",
        .0.as_ref().map(|h| format!(": {h}")).unwrap_or_default()
    )]
    Busy(Option<LockHolder>),
    #[error("taking schemaforge's apply lock failed: {0}; nothing was applied")]
    Lock(String),
    #[error("cancelled; nothing was applied")]
    Cancelled,
    /// A catalog object the bundle creates appeared while it ran: a concurrent change, so
    /// the plan is stale.
    #[error(
        "the schema changed while applying: {object} already exists; nothing was applied — re-plan \
         (statement {statement} of {total}, SQLSTATE {code})"
    )]
    Raced {
        object: String,
        statement: usize,
        total: usize,
        code: String,
    },
}

impl ApplyError {
    /// Whether the schema changed under the apply (exit 3 on the command line).
    pub fn is_drift(&self) -> bool {
        matches!(
            self,
            ApplyError::Drift { .. } | ApplyError::NotRestored { .. } | ApplyError::Raced { .. }
        )
    }
}

/// Who holds schemaforge's advisory lock, from `pg_locks` and `pg_stat_activity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: String,
    pub user: String,
    /// When its transaction (or, outside one, its session) started, as the server prints it.
    pub since: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} (application_name {:?}, user {:?}, since {})",
            self.pid, self.application_name, self.user, self.since
        )
    }
}

/// The key of schemaforge's advisory lock: the first 8 bytes of SHA-256("schemaforge"), the
/// same in every version, so any two applies to one database take the same lock.
pub fn apply_lock_key() -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(b"schemaforge");
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Waits (up to the bundle's `lock_timeout`) for schemaforge's transaction-level advisory
/// lock, so concurrent applies to one database run one after the other.
async fn take_apply_lock(client: &Client) -> Result<(), ApplyError> {
    let sql = format!("SELECT pg_advisory_xact_lock({})", apply_lock_key());
    match sent::simple_query(client, &sql).await {
        Ok(_) => Ok(()),
        Err(err) => match err.as_db_error() {
            Some(db) if *db.code() == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE => {
                rollback(client).await;
                Err(ApplyError::Busy(lock_holder(client).await))
            }
            Some(db) => {
                let message = db.message().to_owned();
                rollback(client).await;
                Err(ApplyError::Lock(message))
            }
            None => Err(ApplyError::Connection(super::target::error_chain(&err))),
        },
    }
}

/// The session holding schemaforge's advisory lock on this database, if it still does.
pub async fn lock_holder(client: &Client) -> Option<LockHolder> {
    let key = apply_lock_key() as u64;
    let sql = format!(
        "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), \
                to_char(coalesce(a.xact_start, a.backend_start), 'YYYY-MM-DD HH24:MI:SS TZ') \
                  || ' (' || extract(epoch FROM date_trunc('second', now() - coalesce(a.xact_start, a.backend_start)))::bigint || ' s ago)' \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid::bigint = {} AND l.objid::bigint = {} AND l.objsubid = 1 \
         LIMIT 1",
        key >> 32,
        key & 0xffff_ffff
    );
    let rows = sent::simple_query(client, &sql).await.ok()?;
    rows.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(LockHolder {
            pid: r.get(0)?.parse().ok()?,
            application_name: r.get(1)?.to_owned(),
            user: r.get(2)?.to_owned(),
            since: r.get(3)?.to_owned(),
        }),
        _ => None,
    })
}

/// What to compare before anything runs: the fingerprint the plan was made against, and how
/// to read the current one (inside the apply's transaction; any displayable error).
pub struct DriftCheck<F> {
    pub expected: String,
    pub current: F,
}

/// Applies `bundle` in one transaction; `dry_run` runs everything and rolls back.
///
/// The bundle must start with `BEGIN` and end with `COMMIT`. On any error the transaction
/// is rolled back, so the database is left as it was.
pub async fn apply<F, E>(
    client: &Client,
    bundle: &Bundle,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    apply_with_samples(client, bundle, None, dry_run, drift, progress).await
}

/// [`apply`], and then — still inside the transaction, just before `COMMIT` — the sample
/// rows, streamed with `COPY` as they are generated.
pub async fn apply_with_samples<F, E>(
    client: &Client,
    bundle: &Bundle,
    samples: Option<&SampleSet>,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    let never = AtomicBool::new(false);
    apply_unless_stopped(client, bundle, samples, dry_run, drift, progress, &never).await
}

/// [`apply_with_samples`] that rolls back instead of running the next statement (or the
/// `COMMIT`) once `stop` is set: Ctrl-C between statements, where a cancel request to the
/// server would find nothing running.
pub async fn apply_unless_stopped<F, E>(
    client: &Client,
    bundle: &Bundle,
    samples: Option<&SampleSet>,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
    stop: &AtomicBool,
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    let checks = Checks {
        before: drift,
        before_commit: None::<DriftCheck<F>>,
    };
    let loads = samples.map_or(Loads::None, Loads::Samples);
    run_checked(client, bundle, loads, dry_run, checks, progress, stop).await
}

/// [`apply_unless_stopped`] that loads a CSV file into the table the bundle creates (or
/// one that exists) just before `COMMIT`: the table and its rows arrive together or not at all.
pub async fn apply_with_csv<F, E>(
    client: &Client,
    bundle: &Bundle,
    rows: CsvRows<'_>,
    dry_run: bool,
    drift: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
    stop: &AtomicBool,
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    let checks = Checks {
        before: drift,
        before_commit: None::<DriftCheck<F>>,
    };
    run_checked(
        client,
        bundle,
        Loads::Csv(rows.load, rows.samples),
        dry_run,
        checks,
        progress,
        stop,
    )
    .await
}

/// A saved rollback (`plan --down`): run, then — before `COMMIT` — the catalog must be
/// `restores.expected`, the one before the plan it undoes; otherwise nothing is applied.
pub async fn apply_restoring<F, E>(
    client: &Client,
    bundle: &Bundle,
    dry_run: bool,
    restores: Option<DriftCheck<F>>,
    progress: impl FnMut(Progress),
    stop: &AtomicBool,
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    let checks = Checks {
        before: None::<DriftCheck<F>>,
        before_commit: restores,
    };
    run_checked(client, bundle, Loads::None, dry_run, checks, progress, stop).await
}

/// Catalog checks around the statements: before the first, and after the last (before
/// `COMMIT`).
struct Checks<F, G> {
    before: Option<DriftCheck<F>>,
    before_commit: Option<DriftCheck<G>>,
}

async fn run_checked<F, E, G, H>(
    client: &Client,
    bundle: &Bundle,
    loads: Loads<'_>,
    dry_run: bool,
    checks: Checks<F, G>,
    mut progress: impl FnMut(Progress),
    stop: &AtomicBool,
) -> Result<ApplyReport, ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
    G: AsyncFnOnce(&Client) -> Result<String, H>,
    H: std::fmt::Display,
{
    let drift = checks.before;
    let stopped = async || {
        rollback(client).await;
        Err(ApplyError::Cancelled)
    };
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
    // Concurrent applies to one database take turns: the catalog check below then sees
    // whatever the one before committed.
    take_apply_lock(client).await?;
    if let Some(check) = drift {
        check_catalog(client, check, |expected, actual| ApplyError::Drift {
            expected,
            actual,
        })
        .await?;
    }
    progress(Progress {
        statement: first_work,
        total,
    });
    for index in first_work..total - 1 {
        if stop.load(Ordering::SeqCst) {
            return stopped().await;
        }
        if let Err(e) = run(client, bundle, index).await {
            rollback(client).await;
            return Err(name_the_blockers(client, e).await);
        }
        progress(Progress {
            statement: index + 1,
            total,
        });
    }
    let (mut rows, mut rejected) = (0, 0);
    let demo_users = match loads {
        Loads::Samples(set) | Loads::Csv(_, Some(set)) => set.demo_users(),
        Loads::None | Loads::Csv(_, None) => 0,
    };
    match loads {
        Loads::None => {}
        Loads::Samples(set) => match super::copy::run_steps(client, &set.steps).await {
            Ok(loaded) => rows = loaded,
            Err(e) => {
                rollback(client).await;
                return Err(ApplyError::Samples(Box::new(e)));
            }
        },
        Loads::Csv(load, samples) => {
            if let Some(set) = samples {
                match super::copy::run_steps(client, &set.steps).await {
                    Ok(loaded) => rows = loaded,
                    Err(e) => {
                        rollback(client).await;
                        return Err(ApplyError::Samples(Box::new(e)));
                    }
                }
            }
            match super::import_copy::load_csv(client, load).await {
                Ok(report) => (rows, rejected) = (rows + report.rows, report.rejected),
                Err(e) => {
                    rollback(client).await;
                    return Err(ApplyError::Csv(Box::new(e)));
                }
            }
        }
    }
    if let Some(check) = checks.before_commit {
        check_catalog(client, check, |expected, actual| ApplyError::NotRestored {
            expected,
            actual,
        })
        .await?;
    }
    if stop.load(Ordering::SeqCst) {
        return stopped().await;
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
    tracing::info!(
        statements = total,
        duration_ms = super::log_sql::millis(started.elapsed()),
        committed = !dry_run,
        rows,
        "bundle applied"
    );
    Ok(ApplyReport {
        statements: total,
        elapsed: started.elapsed(),
        committed: !dry_run,
        rows,
        demo_users,
        rejected,
    })
}

/// Reads the catalog's fingerprint inside the transaction; anything but `check.expected`
/// rolls back and becomes `differs(expected, actual)`.
async fn check_catalog<F, E>(
    client: &Client,
    check: DriftCheck<F>,
    differs: impl FnOnce(String, String) -> ApplyError,
) -> Result<(), ApplyError>
where
    F: AsyncFnOnce(&Client) -> Result<String, E>,
    E: std::fmt::Display,
{
    let actual = match (check.current)(client).await {
        Ok(actual) => actual,
        Err(e) => {
            rollback(client).await;
            return Err(ApplyError::DriftCheck(e.to_string()));
        }
    };
    if actual != check.expected {
        rollback(client).await;
        return Err(differs(check.expected, actual));
    }
    Ok(())
}

/// A statement that timed out waiting for a lock: asks (after the rollback, so our own
/// locks are gone) which sessions hold locks on the relations it names.
async fn name_the_blockers(client: &Client, error: ApplyError) -> ApplyError {
    match error {
        ApplyError::Statement(mut failure) if failure.is_lock_timeout() => {
            if let Ok(held) = super::locks::held_locks(client).await {
                failure.blocked_by = super::locks::named_in(&failure.sql, held);
            }
            ApplyError::Statement(failure)
        }
        other => other,
    }
}

async fn rollback(client: &Client) {
    let _ = sent::batch_execute(client, "ROLLBACK").await;
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
    let result = sent::bundle_statement(client, index, bundle.statements.len(), sql).await;
    result.map_err(|err| match err.as_db_error() {
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
            if let Some(object) = raced_object(db) {
                return ApplyError::Raced {
                    object,
                    statement: index + 1,
                    total: bundle.statements.len(),
                    code: db.code().code().to_owned(),
                };
            }
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
                blocked_by: Vec::new(),
            }))
        }
        None => ApplyError::Connection(super::target::error_chain(&err)),
    })
}

/// The object named by an error that means "someone created this first": a duplicate
/// schema, table, function or object, or a unique violation on a system catalog's index
/// (two sessions creating the same function or type at once).
fn raced_object(db: &tokio_postgres::error::DbError) -> Option<String> {
    use tokio_postgres::error::SqlState;
    let code = db.code();
    let duplicate = [
        SqlState::DUPLICATE_OBJECT,
        SqlState::DUPLICATE_TABLE,
        SqlState::DUPLICATE_FUNCTION,
        SqlState::DUPLICATE_SCHEMA,
    ];
    if duplicate.contains(code) {
        let message = db.message();
        return Some(
            message
                .strip_suffix(" already exists")
                .unwrap_or(message)
                .to_owned(),
        );
    }
    let on_catalog =
        db.schema() == Some("pg_catalog") || db.constraint().is_some_and(|c| c.starts_with("pg_"));
    if *code == SqlState::UNIQUE_VIOLATION && on_catalog {
        // `Key (proname, proargtypes, pronamespace)=(f, , 2200) already exists.`
        let name = db
            .detail()
            .and_then(|d| d.split_once(")=("))
            .and_then(|(_, values)| values.split([',', ')']).next())
            .filter(|v| !v.is_empty());
        let kind = match db.constraint() {
            Some(c) if c.starts_with("pg_proc") => "function",
            Some(c) if c.starts_with("pg_type") => "type",
            Some(c) if c.starts_with("pg_class") => "relation",
            Some(c) if c.starts_with("pg_namespace") => "schema",
            _ => "object",
        };
        return Some(match name {
            Some(name) => format!("{kind} {name:?}"),
            None => format!("a {kind}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    /// Every schemaforge version must take the same lock, or two versions would not wait
    /// for each other.
    #[test]
    fn the_apply_lock_key_never_changes() {
        assert_eq!(super::apply_lock_key(), -6_902_884_343_558_903_841);
    }
}
