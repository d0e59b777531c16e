//! Bulk loading with `COPY … FROM STDIN`: rows stream to the server in chunks of about
//! [`CHUNK_BYTES`], so memory stays bounded whatever the row count, and a whole table costs
//! one round trip's worth of latency instead of one per row.
//!
//! The caller decides the transaction: inside the bundle's `BEGIN`/`COMMIT`, or on its own.

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::SinkExt;
use tokio_postgres::Client;

use crate::samples::{SampleStep, TableLoad, copy_text};

/// How much COPY data is gathered before it is sent.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// A load that failed, with the server's own words.
#[derive(Debug, thiserror::Error)]
#[error("loading sample rows into {table} failed after {rows_sent} rows were sent: {message}")]
pub struct CopyError {
    /// `schema.table`.
    pub table: String,
    /// Rows handed to the connection before the failure (the server keeps none of them).
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
    let mut sent = 0u64;
    let fail = |sent: u64, e: tokio_postgres::Error| CopyError {
        table: format!("{schema}.{table}"),
        rows_sent: sent,
        message: super::server_error::describe(&e),
        source: e,
    };
    let sink = client
        .copy_in::<_, Bytes>(statement.as_str())
        .await
        .map_err(|e| fail(0, e))?;
    futures_util::pin_mut!(sink);
    let mut buf = BytesMut::with_capacity(CHUNK_BYTES + 4096);
    for line in lines {
        buf.put_slice(line.as_ref().as_bytes());
        sent += 1;
        if buf.len() >= CHUNK_BYTES {
            let chunk = buf.split().freeze();
            sink.send(chunk).await.map_err(|e| fail(sent, e))?;
        }
    }
    if !buf.is_empty() {
        sink.send(buf.freeze()).await.map_err(|e| fail(sent, e))?;
    }
    sink.as_mut().finish().await.map_err(|e| fail(sent, e))
}

/// Streams one sample load; rows are encoded straight into the send buffer.
pub async fn copy_load(client: &Client, load: &TableLoad) -> Result<u64, CopyError> {
    let columns = load.column_names();
    let mut line = String::with_capacity(256);
    let lines = load.rows().map(move |row| {
        line.clear();
        copy_text::encode_row(&row, &load.columns, &mut line);
        line.clone()
    });
    copy_rows(client, &load.schema, &load.table, &columns, lines).await
}

/// Runs sample steps in order: SQL through the simple-query protocol, loads through COPY.
/// Returns the rows loaded into real tables (staging rows of cycles not counted).
pub async fn run_steps(client: &Client, steps: &[SampleStep]) -> Result<u64, CopyError> {
    let mut rows = 0;
    for step in steps {
        match step {
            SampleStep::Sql(sql) => client.batch_execute(sql).await.map_err(|e| CopyError {
                table: sql.clone(),
                rows_sent: 0,
                message: super::server_error::describe(&e),
                source: e,
            })?,
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
