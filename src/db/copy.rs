//! Bulk loading with `COPY … FROM STDIN`: rows stream to the server in chunks of about
//! [`CHUNK_BYTES`], so memory stays bounded whatever the row count, and a whole table costs
//! one round trip's worth of latency instead of one per row.
//!
//! The caller decides the transaction: inside the bundle's `BEGIN`/`COMMIT`, or on its own.

use bytes::{BufMut, BytesMut};
use tokio_postgres::Client;

use super::sent;
use crate::samples::{SampleStep, TableLoad, copy_text};

/// How much COPY data is gathered before it is sent.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// A load that failed, with the server's own words.
#[derive(Debug, thiserror::Error)]
#[error("loading sample rows into {table} failed after {rows_sent} rows were sent: {message}")]
pub struct CopyError {
    /// `schema.table` (the statement, for a saved plan's block).
    pub table: String,
    /// Rows (chunks, for a saved plan's block) handed to the connection before the failure;
    /// the server keeps none of them.
    pub rows_sent: u64,
    /// [`super::server_error::describe`] of the error: message, detail (which for a
    /// constraint violation names the row's values), hint, `where` (the COPY line).
    pub message: String,
    #[source]
    pub source: tokio_postgres::Error,
}

/// Streams `lines` (each one row of COPY text, ending in `\n`) into `schema.table`'s
/// `columns`. Returns the number of rows the server reports as copied.
pub async fn copy_rows<I>(
    client: &Client,
    schema: &str,
    table: &str,
    columns: &[&str],
    lines: I,
) -> Result<u64, CopyError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let statement = copy_text::copy_statement(schema, table, columns);
    stream(
        client,
        &statement,
        &format!("{schema}.{table}"),
        lines,
        |buf, line| buf.put_slice(line.as_ref().as_bytes()),
    )
    .await
}

/// Streams one sample load; each row is encoded into one reused line and copied straight
/// into the send buffer, so nothing is allocated per row beyond the row's values.
pub async fn copy_load(client: &Client, load: &TableLoad) -> Result<u64, CopyError> {
    let mut line = String::with_capacity(256);
    stream(
        client,
        &load.copy_statement(),
        &format!("{}.{}", load.schema, load.table),
        load.rows(),
        |buf, row| {
            line.clear();
            copy_text::encode_row(&row, &load.columns, &mut line);
            buf.put_slice(line.as_bytes());
        },
    )
    .await
}

/// Runs one COPY block of a saved plan ([`copy_text::split_copy_blocks`]): `statement` as
/// written in the file (`COPY … FROM stdin;`), `data` its lines without the closing `\.`.
pub async fn copy_data(client: &Client, statement: &str, data: &str) -> Result<u64, CopyError> {
    let statement = statement.trim().trim_end_matches(';');
    let chunks = data.as_bytes().chunks(CHUNK_BYTES);
    stream(client, statement, statement, chunks, |buf, chunk| {
        buf.put_slice(chunk)
    })
    .await
}

/// The one COPY loop: `write` appends an item's bytes; a chunk goes out whenever the buffer
/// passes [`CHUNK_BYTES`], so memory stays at about one chunk whatever the row count.
async fn stream<I, W>(
    client: &Client,
    statement: &str,
    table: &str,
    items: I,
    mut write: W,
) -> Result<u64, CopyError>
where
    I: IntoIterator,
    W: FnMut(&mut BytesMut, I::Item),
{
    let mut sent = 0u64;
    let fail = |sent: u64, e: tokio_postgres::Error| CopyError {
        table: table.to_string(),
        rows_sent: sent,
        message: super::server_error::describe(&e),
        source: e,
    };
    let mut sink = sent::copy_in(client, statement)
        .await
        .map_err(|e| fail(0, e))?;
    let mut buf = BytesMut::with_capacity(CHUNK_BYTES + 4096);
    for item in items {
        write(&mut buf, item);
        sent += 1;
        if buf.len() >= CHUNK_BYTES {
            let chunk = buf.split().freeze();
            sink.send(chunk).await.map_err(|e| fail(sent, e))?;
        }
    }
    if !buf.is_empty() {
        sink.send(buf.freeze()).await.map_err(|e| fail(sent, e))?;
    }
    sink.finish().await.map_err(|e| fail(sent, e))
}

/// Runs sample steps in order: SQL through the simple-query protocol, loads through COPY.
/// Returns the rows loaded into real tables (staging rows of cycles not counted).
pub async fn run_steps(client: &Client, steps: &[SampleStep]) -> Result<u64, CopyError> {
    let mut rows = 0;
    for step in steps {
        match step {
            SampleStep::Sql(sql) => {
                sent::batch_execute(client, sql)
                    .await
                    .map_err(|e| CopyError {
                        table: sql.clone(),
                        rows_sent: 0,
                        message: super::server_error::describe(&e),
                        source: e,
                    })?
            }
            SampleStep::Copy(load) => {
                let n = copy_load(client, load).await?;
                if load.kind != crate::samples::LoadKind::FollowUp {
                    rows += n;
                }
            }
        }
    }
    Ok(rows)
}
