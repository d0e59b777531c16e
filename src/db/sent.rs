//! The one place statements leave for the server: each helper sends through the client and
//! logs the statement ([`super::log_sql`]: its first line, redacted, with duration, outcome,
//! rows and, for COPY, bytes). Bound parameters are never logged: they may be user data.
//!
//! Nothing else in `src/` calls the client's query methods (a test below reads the source
//! tree to keep it so): a statement cannot reach the server without its log line.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_util::{SinkExt, Stream};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, CopyInSink, Error, Row, SimpleQueryMessage, SimpleQueryStream};

use super::log_sql::{self, Facts, Outcome, first_line};

/// Bound parameters, as the client takes them.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Logs `sql` once it is done, if statement lines are wanted.
fn log(sql: &str, started: Instant, outcome: Outcome, facts: Facts) {
    if log_sql::enabled() {
        log_sql::statement(&first_line(sql), started.elapsed(), outcome, &facts);
    }
}

/// The SQLSTATE of a server error, for the log line.
fn code(error: &Error) -> Option<String> {
    error.code().map(|c| c.code().to_owned())
}

/// Rows a statement returned or changed: the server's count at each statement's end.
fn rows_of(message: &SimpleQueryMessage) -> u64 {
    match message {
        SimpleQueryMessage::CommandComplete(n) => *n,
        _ => 0,
    }
}

/// Awaits `sending` and logs `sql` with `facts`, the rows `rows` finds in an answer, and
/// for an error its SQLSTATE.
async fn timed<T>(
    sql: &str,
    mut facts: Facts,
    sending: impl Future<Output = Result<T, Error>>,
    rows: impl FnOnce(&T) -> Option<u64>,
) -> Result<T, Error> {
    let started = Instant::now();
    let result = sending.await;
    match &result {
        Ok(answer) => facts.rows = rows(answer),
        Err(e) => facts.code = code(e),
    }
    log(sql, started, Outcome::of(&result), facts);
    result
}

/// `Client::batch_execute`: statements over the simple-query protocol, no rows kept.
pub async fn batch_execute(client: &Client, sql: &str) -> Result<(), Error> {
    let sending = client.batch_execute(sql);
    timed(sql, Facts::default(), sending, |_| None).await
}

/// One statement of a bundle, logged with its position in it.
pub async fn bundle_statement(
    client: &Client,
    index: usize,
    total: usize,
    sql: &str,
) -> Result<(), Error> {
    let facts = Facts {
        position: Some((index + 1, total)),
        ..Facts::default()
    };
    timed(sql, facts, client.batch_execute(sql), |_| None).await
}

/// `Client::simple_query`: the answers collected.
pub async fn simple_query(client: &Client, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error> {
    let rows = |answer: &Vec<SimpleQueryMessage>| Some(answer.iter().map(rows_of).sum());
    timed(sql, Facts::default(), client.simple_query(sql), rows).await
}

/// [`simple_query`] of a statement that carries row values in its text (the simulator's
/// probes copy a visible row): logged with its string literals elided, as bound parameters
/// are never logged.
pub async fn simple_query_with_row_values(
    client: &Client,
    sql: &str,
) -> Result<Vec<SimpleQueryMessage>, Error> {
    let rows = |answer: &Vec<SimpleQueryMessage>| Some(answer.iter().map(rows_of).sum());
    let shown = log_sql::without_values(sql);
    timed(&shown, Facts::default(), client.simple_query(sql), rows).await
}

/// `Client::query` (extended protocol, bound parameters).
pub async fn query(client: &Client, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
    let rows = |answer: &Vec<Row>| Some(answer.len() as u64);
    timed(sql, Facts::default(), client.query(sql, params), rows).await
}

/// `Client::query_one`.
pub async fn query_one(client: &Client, sql: &str, params: Params<'_>) -> Result<Row, Error> {
    let sending = client.query_one(sql, params);
    timed(sql, Facts::default(), sending, |_| Some(1)).await
}

/// `Client::query_opt`.
pub async fn query_opt(
    client: &Client,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, Error> {
    let rows = |answer: &Option<Row>| Some(u64::from(answer.is_some()));
    timed(sql, Facts::default(), client.query_opt(sql, params), rows).await
}

/// `Client::execute`: the rows changed.
pub async fn execute(client: &Client, sql: &str, params: Params<'_>) -> Result<u64, Error> {
    let sending = client.execute(sql, params);
    timed(sql, Facts::default(), sending, |n| Some(*n)).await
}

/// The first line of `sql`, kept for a line logged later, only when lines are wanted.
fn shown_later(sql: &str) -> Option<String> {
    log_sql::enabled().then(|| first_line(sql))
}

/// A statement whose line is written when it ends, which is later than when it is sent:
/// written once, by [`Pending::end`] or, for one given up on, when dropped.
struct Pending {
    shown: Option<String>,
    started: Instant,
    facts: Facts,
    ended: bool,
}

impl Pending {
    fn new(sql: &str, facts: Facts) -> Pending {
        Pending {
            shown: shown_later(sql),
            started: Instant::now(),
            facts,
            ended: false,
        }
    }

    fn end(&mut self, outcome: Outcome) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        if let Some(shown) = &self.shown {
            log_sql::statement(shown, self.started.elapsed(), outcome, &self.facts);
        }
    }

    fn fail(&mut self, error: &Error) {
        self.facts.code = code(error);
        self.end(Outcome::Error);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.end(Outcome::Abandoned);
    }
}

/// `Client::simple_query_raw`: answers as they stream in. The line is written when the
/// stream ends (its duration runs until the last answer is read) or is dropped.
pub async fn simple_query_raw(client: &Client, sql: &str) -> Result<LoggedStream, Error> {
    stream(client, sql, Facts::default(), false).await
}

/// A catalog read's batch (`BEGIN …; SELECT …; COMMIT`), streamed as [`simple_query_raw`]:
/// labelled so, with its last line when that is another (how the batch ends) and the kinds
/// of rows it returned (each row's first value) instead of a row count.
pub async fn catalog_batch(client: &Client, sql: &str) -> Result<LoggedStream, Error> {
    let last_line = log_sql::enabled()
        .then(|| log_sql::last_line(sql))
        .filter(|last| *last != first_line(sql));
    let facts = Facts {
        label: Some("catalog batch"),
        last_line,
        ..Facts::default()
    };
    stream(client, sql, facts, true).await
}

async fn stream(
    client: &Client,
    sql: &str,
    facts: Facts,
    kinds: bool,
) -> Result<LoggedStream, Error> {
    let mut pending = Pending::new(sql, facts);
    match client.simple_query_raw(sql).await {
        Ok(stream) => Ok(LoggedStream {
            inner: Box::pin(stream),
            pending,
            rows: 0,
            kinds: kinds.then(Vec::new),
        }),
        Err(e) => {
            pending.fail(&e);
            Err(e)
        }
    }
}

/// A [`SimpleQueryStream`] that logs its statement when it ends.
pub struct LoggedStream {
    inner: Pin<Box<SimpleQueryStream>>,
    pending: Pending,
    rows: u64,
    /// The distinct first values of the rows, for a [`catalog_batch`].
    kinds: Option<Vec<String>>,
}

impl LoggedStream {
    fn record(&mut self, message: &SimpleQueryMessage) {
        self.rows += rows_of(message);
        let SimpleQueryMessage::Row(row) = message else {
            return;
        };
        if let (Some(kinds), Some(kind)) = (&mut self.kinds, row.get(0))
            && !kinds.iter().any(|k| k == kind)
        {
            kinds.push(kind.to_owned());
        }
    }

    fn settle(&mut self) {
        match &self.kinds {
            Some(kinds) => self.pending.facts.kinds = Some(kinds.join(",")),
            None => self.pending.facts.rows = Some(self.rows),
        }
    }
}

impl Stream for LoggedStream {
    type Item = Result<SimpleQueryMessage, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let polled = this.inner.as_mut().poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(message))) => this.record(message),
            Poll::Ready(Some(Err(e))) => {
                this.settle();
                this.pending.fail(e);
            }
            Poll::Ready(None) => {
                this.settle();
                this.pending.end(Outcome::Ok);
            }
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for LoggedStream {
    fn drop(&mut self) {
        if !self.pending.ended {
            self.settle();
        }
    }
}

/// `Client::copy_in`: a sink for COPY data whose line, written at [`CopyIn::finish`] (or
/// when a failed or abandoned COPY is given up), says the rows copied and the bytes sent.
pub async fn copy_in(client: &Client, sql: &str) -> Result<CopyIn, Error> {
    let mut pending = Pending::new(sql, Facts::default());
    match client.copy_in::<_, Bytes>(sql).await {
        Ok(sink) => Ok(CopyIn {
            sink: Box::pin(sink),
            pending,
            bytes: 0,
        }),
        Err(e) => {
            pending.fail(&e);
            Err(e)
        }
    }
}

/// An open `COPY … FROM STDIN`.
pub struct CopyIn {
    sink: Pin<Box<CopyInSink<Bytes>>>,
    pending: Pending,
    bytes: u64,
}

impl CopyIn {
    /// Sends one chunk of COPY text.
    pub async fn send(&mut self, chunk: Bytes) -> Result<(), Error> {
        self.bytes += chunk.len() as u64;
        let result = self.sink.send(chunk).await;
        if let Err(e) = &result {
            self.pending.facts.bytes = Some(self.bytes);
            self.pending.fail(e);
        }
        result
    }

    /// Ends the COPY; the server's count of rows copied.
    pub async fn finish(&mut self) -> Result<u64, Error> {
        let result = self.sink.as_mut().finish().await;
        self.pending.facts.bytes = Some(self.bytes);
        match &result {
            Ok(rows) => {
                self.pending.facts.rows = Some(*rows);
                self.pending.end(Outcome::Ok);
            }
            Err(e) => self.pending.fail(e),
        }
        result
    }
}

impl Drop for CopyIn {
    fn drop(&mut self) {
        self.pending.facts.bytes = Some(self.bytes);
    }
}

/// The test that keeps every statement going through here.
#[cfg(test)]
mod guard;
