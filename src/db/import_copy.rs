//! Loading a CSV file with `COPY … FROM STDIN`: a reader thread converts records to COPY
//! lines (see [`crate::import::rows`]) and hands over chunks of about [`super::copy::CHUNK_BYTES`]
//! through a small bounded channel, so reading overlaps sending and memory stays at a few
//! chunks whatever the row count.
//!
//! A cell the conversion refuses stops the load before the server sees it (the caller rolls
//! back), or, with a rejects file, is written there and the rest loads. A row the server
//! refuses (a unique or foreign key violation) is named by its file line, found by reading
//! the file again up to the row the server counted.

use std::path::PathBuf;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_postgres::Client;

use super::copy::CHUNK_BYTES;
use crate::import::{Dialect, Mapping, RowError, rows};
use crate::samples::copy_text::copy_statement;

/// A CSV file to load into a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLoad {
    pub path: PathBuf,
    pub dialect: Dialect,
    pub schema: String,
    pub table: String,
    pub mapping: Mapping,
    /// Where refused records go; `None`: the first one stops the load.
    pub rejects: Option<PathBuf>,
}

impl CsvLoad {
    /// `COPY "schema"."table" ("a", "b") FROM STDIN`.
    pub fn statement(&self) -> String {
        copy_statement(&self.schema, &self.table, &self.mapping.columns())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadReport {
    pub rows: u64,
    /// Records written to the rejects file.
    pub rejected: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Row(RowError),
    #[error("{}: the server refused the row{}: {message}", .file, .line.map(|l| format!(" on line {l}")).unwrap_or_default())]
    Server {
        file: String,
        line: Option<u64>,
        message: String,
    },
    #[error("cannot open {file}: {message}")]
    Open { file: String, message: String },
    #[error("cannot write the rejects file {file}: {message}")]
    Rejects { file: String, message: String },
    #[error("the connection failed while loading {file}: {message}")]
    Connection { file: String, message: String },
}

enum Chunk {
    Data(Bytes),
    Failed(LoadError),
    Done { rows: u64, rejected: u64 },
}

/// Streams the file into the table; the caller owns the transaction and rolls back on error.
pub async fn load_csv(client: &Client, load: &CsvLoad) -> Result<LoadReport, LoadError> {
    let file = load.path.display().to_string();
    let (sender, mut receiver) = mpsc::channel::<Chunk>(4);
    let reading = load.clone();
    let reader = tokio::task::spawn_blocking(move || read_chunks(&reading, &sender));
    let server_error = |e: tokio_postgres::Error| (e, file.clone());
    let result: Result<LoadReport, LoadError> = async {
        let mut sink = super::sent::copy_in(client, &load.statement())
            .await
            .map_err(server_error)
            .map_err(|(e, f)| plain_server_error(e, f))?;
        loop {
            match receiver.recv().await {
                Some(Chunk::Data(bytes)) => {
                    if let Err(e) = sink.send(bytes).await {
                        return Err(refused(load, e).await);
                    }
                }
                Some(Chunk::Failed(e)) => return Err(e),
                Some(Chunk::Done { rows, rejected }) => {
                    return match sink.finish().await {
                        Ok(_) => Ok(LoadReport { rows, rejected }),
                        Err(e) => Err(refused(load, e).await),
                    };
                }
                None => {
                    return Err(LoadError::Open {
                        file: file.clone(),
                        message: "the reader stopped".into(),
                    });
                }
            }
        }
    }
    .await;
    // Dropping the receiver stops a reader still going; its outcome is already known.
    drop(receiver);
    let _ = reader.await;
    result
}

fn plain_server_error(e: tokio_postgres::Error, file: String) -> LoadError {
    match e.as_db_error() {
        Some(_) => LoadError::Server {
            file,
            line: None,
            message: super::server_error::describe(&e),
        },
        None => LoadError::Connection {
            file,
            message: super::target::error_chain(&e),
        },
    }
}

/// The server's error for a row, with the row's file line (from `COPY t, line N` in the
/// error's context).
async fn refused(load: &CsvLoad, e: tokio_postgres::Error) -> LoadError {
    let file = load.path.display().to_string();
    let Some(db) = e.as_db_error() else {
        return plain_server_error(e, file);
    };
    let sent = db.where_().and_then(copy_line);
    let line = match sent {
        Some(n) => {
            let (path, dialect, mapping) = (load.path.clone(), load.dialect, load.mapping.clone());
            tokio::task::spawn_blocking(move || rows::line_of_sent_row(&path, &dialect, mapping, n))
                .await
                .ok()
                .flatten()
        }
        None => None,
    };
    LoadError::Server {
        file,
        line,
        message: super::server_error::describe(&e),
    }
}

/// `COPY items, line 5, column sku: "x"` → 5.
fn copy_line(context: &str) -> Option<u64> {
    let after = &context[context.find(", line ")? + 7..];
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The reader thread: records → COPY lines → chunks; refused records to the rejects file.
fn read_chunks(load: &CsvLoad, sender: &mpsc::Sender<Chunk>) {
    let file = load.path.display().to_string();
    let send = |chunk: Chunk| sender.blocking_send(chunk).is_ok();
    let mut lines = match rows::CopyLines::open(&load.path, &load.dialect, load.mapping.clone()) {
        Ok(lines) => lines,
        Err(e) => {
            send(Chunk::Failed(LoadError::Open {
                file,
                message: e.to_string(),
            }));
            return;
        }
    };
    let mut rejects = match &load.rejects {
        Some(path) => match Rejects::create(path, load) {
            Ok(r) => Some(r),
            Err(e) => {
                send(Chunk::Failed(e));
                return;
            }
        },
        None => None,
    };
    let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
    let (mut rows, mut rejected) = (0u64, 0u64);
    while let Some(result) = lines.next_into(&mut buf) {
        match result {
            Ok(()) => rows += 1,
            Err(e) => match rejects.as_mut() {
                Some(r) if e.is_rejectable() => {
                    if let Err(e) = r.write(&e, lines.record()) {
                        send(Chunk::Failed(e));
                        return;
                    }
                    rejected += 1;
                }
                _ => {
                    send(Chunk::Failed(LoadError::Row(e)));
                    return;
                }
            },
        }
        if buf.len() >= CHUNK_BYTES {
            let chunk = Bytes::from(std::mem::replace(
                &mut buf,
                Vec::with_capacity(CHUNK_BYTES + 4096),
            ));
            if !send(Chunk::Data(chunk)) {
                return;
            }
        }
    }
    if let Some(r) = rejects.as_mut()
        && let Err(e) = r.finish()
    {
        send(Chunk::Failed(e));
        return;
    }
    if !buf.is_empty() && !send(Chunk::Data(Bytes::from(buf))) {
        return;
    }
    send(Chunk::Done { rows, rejected });
}

/// The rejects file: CSV in the input's delimiter, `line` and `error` first, then the
/// record as the file had it.
struct Rejects {
    file: String,
    writer: csv::Writer<std::fs::File>,
}

impl Rejects {
    fn create(path: &std::path::Path, load: &CsvLoad) -> Result<Rejects, LoadError> {
        let file = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| LoadError::Rejects {
            file: file.clone(),
            message: e.to_string(),
        };
        let writer = csv::WriterBuilder::new()
            .delimiter(load.dialect.delimiter)
            .flexible(true)
            .from_path(path)
            .map_err(|e| fail(&e))?;
        let mut rejects = Rejects {
            file: file.clone(),
            writer,
        };
        let mut header = vec!["line".to_owned(), "error".to_owned()];
        if load.dialect.has_header
            && let Ok(mut reader) = load.dialect.reader(&load.path)
            && let Ok(h) = reader.headers()
        {
            header.extend(h.iter().map(str::to_owned));
        }
        rejects.writer.write_record(&header).map_err(|e| fail(&e))?;
        Ok(rejects)
    }

    fn write(&mut self, error: &RowError, record: &csv::ByteRecord) -> Result<(), LoadError> {
        let line = error.line().map(|l| l.to_string()).unwrap_or_default();
        let message = error.to_string();
        let mut out = csv::ByteRecord::new();
        out.push_field(line.as_bytes());
        out.push_field(message.as_bytes());
        for field in record {
            out.push_field(field);
        }
        self.writer
            .write_byte_record(&out)
            .map_err(|e| LoadError::Rejects {
                file: self.file.clone(),
                message: e.to_string(),
            })
    }

    fn finish(&mut self) -> Result<(), LoadError> {
        self.writer.flush().map_err(|e| LoadError::Rejects {
            file: self.file.clone(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_copy_line_is_read_from_the_context() {
        assert_eq!(
            super::copy_line("COPY items, line 5, column sku: \"x\""),
            Some(5)
        );
        assert_eq!(super::copy_line("COPY items, line 12"), Some(12));
        assert_eq!(super::copy_line("SQL function"), None);
    }
}
