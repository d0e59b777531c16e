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

/// `result`'s outcome, with the error's SQLSTATE added to `facts`.
fn ended<T>(result: &Result<T, Error>, mut facts: Facts) -> (Outcome, Facts) {
    if let Err(e) = result {
        facts.code = code(e);
    }
    (Outcome::of(result), facts)
}

/// Rows a statement returned or changed: the server's count at each statement's end.
fn rows_of(message: &SimpleQueryMessage) -> u64 {
    match message {
        SimpleQueryMessage::CommandComplete(n) => *n,
        _ => 0,
    }
}

fn rows_in(messages: &[SimpleQueryMessage]) -> u64 {
    messages.iter().map(rows_of).sum()
}

/// `Client::batch_execute`: statements over the simple-query protocol, no rows kept.
pub async fn batch_execute(client: &Client, sql: &str) -> Result<(), Error> {
    let started = Instant::now();
    let result = client.batch_execute(sql).await;
    let (outcome, facts) = ended(&result, Facts::default());
    log(sql, started, outcome, facts);
    result
}

/// One statement of a bundle, logged with its position in it.
pub async fn bundle_statement(
    client: &Client,
    index: usize,
    total: usize,
    sql: &str,
) -> Result<(), Error> {
    let started = Instant::now();
    let result = client.batch_execute(sql).await;
    let facts = Facts {
        position: Some((index + 1, total)),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
}

/// `Client::simple_query`: the answers collected, the row count logged.
pub async fn simple_query(client: &Client, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error> {
    let started = Instant::now();
    let result = client.simple_query(sql).await;
    let facts = Facts {
        rows: result.as_deref().ok().map(rows_in),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
}

/// `Client::query` (extended protocol, bound parameters).
pub async fn query(client: &Client, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
    let started = Instant::now();
    let result = client.query(sql, params).await;
    let facts = Facts {
        rows: result.as_ref().ok().map(|rows| rows.len() as u64),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
}

/// `Client::query_one`.
pub async fn query_one(client: &Client, sql: &str, params: Params<'_>) -> Result<Row, Error> {
    let started = Instant::now();
    let result = client.query_one(sql, params).await;
    let facts = Facts {
        rows: result.as_ref().ok().map(|_| 1),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
}

/// `Client::query_opt`.
pub async fn query_opt(
    client: &Client,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, Error> {
    let started = Instant::now();
    let result = client.query_opt(sql, params).await;
    let facts = Facts {
        rows: result.as_ref().ok().map(|row| u64::from(row.is_some())),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
}

/// `Client::execute`: the rows affected are logged.
pub async fn execute(client: &Client, sql: &str, params: Params<'_>) -> Result<u64, Error> {
    let started = Instant::now();
    let result = client.execute(sql, params).await;
    let facts = Facts {
        rows: result.as_ref().ok().copied(),
        ..Facts::default()
    };
    let (outcome, facts) = ended(&result, facts);
    log(sql, started, outcome, facts);
    result
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The client's methods that send a statement (or start a transaction, which does).
    const SENDING: &[&str] = &[
        "batch_execute",
        "simple_query",
        "simple_query_raw",
        "query",
        "query_one",
        "query_opt",
        "query_raw",
        "query_scalar",
        "query_one_scalar",
        "query_opt_scalar",
        "query_typed",
        "query_typed_one",
        "query_typed_opt",
        "query_typed_raw",
        "execute",
        "execute_typed",
        "execute_raw",
        "prepare",
        "prepare_typed",
        "copy_in",
        "copy_out",
        "transaction",
        "build_transaction",
        "check_connection",
    ];

    /// Calls by these names that are not the database client's, each with why.
    const ALLOWED: &[(&str, &str)] = &[
        // The picker's own search text (`self.query()`), not a database call.
        ("src/tui/components/form/picker.rs", "query"),
    ];

    /// `(line, method)` of every `.name(` / `Type::name(` / `.name::<…>(` call of a sending
    /// method in `source`, comments left out.
    fn sending_calls(source: &str) -> Vec<(usize, &'static str)> {
        let mut found = Vec::new();
        for (number, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for &name in SENDING {
                let mut from = 0;
                while let Some(at) = code[from..].find(name) {
                    let start = from + at;
                    let end = start + name.len();
                    from = end;
                    let before = &code[..start];
                    // `sent::name(` is this module's helper; `Client::name(` is the client's.
                    let called_on = before.ends_with('.')
                        || (before.ends_with("::") && !before.ends_with("sent::"));
                    let after = code[end..].trim_start();
                    let is_call = after.starts_with('(') || after.starts_with("::<");
                    let whole_word =
                        !code[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
                    if called_on && is_call && whole_word {
                        found.push((number + 1, name));
                    }
                }
            }
        }
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_scan_finds_calls_split_over_lines_and_turbofish_and_skips_fields() {
        let source = "client\n    .batch_execute(\"BEGIN\")\n\
                      let s = client.copy_in::<_, Bytes>(sql);\n\
                      self.query.text(); // client.query(x)\n\
                      tokio_postgres::Client::simple_query(&c, q);\n\
                      client.execute_later(); client.queryx(1);\n\
                      sent::batch_execute(client, sql); super::sent::query(c, q, &[]);";
        assert_eq!(
            sending_calls(source),
            [(2, "batch_execute"), (3, "copy_in"), (5, "simple_query")]
        );
    }

    /// Every statement goes through this module, so none escapes the log.
    #[test]
    fn nothing_else_in_src_sends_a_statement_directly() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        assert!(files.len() > 50, "the source tree is found");
        let mut offenders = Vec::new();
        for file in files {
            let relative = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if relative == "src/db/sent.rs" {
                continue;
            }
            let source = std::fs::read_to_string(&file).unwrap();
            for (line, name) in sending_calls(&source) {
                if !ALLOWED.contains(&(relative.as_str(), name)) {
                    offenders.push(format!("{relative}:{line}: .{name}(…)"));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "send statements through db::sent so they are logged:\n{}",
            offenders.join("\n")
        );
    }
}
