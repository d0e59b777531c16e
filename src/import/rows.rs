//! The rows of a CSV file as COPY text lines, converted by a [`Mapping`], one record at a
//! time: memory stays at one record whatever the file's size.

use std::io::Read;
use std::path::Path;

use super::convert::{Mapping, Target, escape_into};
use super::source::Dialect;

/// A cell the conversion refused: `FILE:line:column (field): value "…" is not <expected>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column} ({field}): {problem}")]
pub struct BadValue {
    pub file: String,
    /// The file line where the record starts (1-based, the header is line 1).
    pub line: u64,
    /// The CSV column (1-based).
    pub column: usize,
    pub field: String,
    /// `value "x" is not a number`, or `is empty, and the field is required`.
    pub problem: String,
}

/// Why a record could not become a row.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("{0}")]
    Bad(BadValue),
    #[error("{file}:{line}: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },
    #[error("cannot read {file}: {message}")]
    Read { file: String, message: String },
}

impl RowError {
    /// A record that can be set aside in a rejects file (the file itself is still readable).
    pub fn is_rejectable(&self) -> bool {
        !matches!(self, RowError::Read { .. })
    }

    pub fn line(&self) -> Option<u64> {
        match self {
            RowError::Bad(b) => Some(b.line),
            RowError::Malformed { line, .. } => Some(*line),
            RowError::Read { .. } => None,
        }
    }
}

/// A CSV file's records as COPY lines.
pub struct CopyLines {
    file: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    mapping: Mapping,
    /// The constants' part of every line, escaped once.
    constants: Vec<u8>,
}

impl CopyLines {
    pub fn open(path: &Path, dialect: &Dialect, mapping: Mapping) -> std::io::Result<CopyLines> {
        let mut constants = Vec::new();
        for (_, value) in &mapping.constants {
            constants.push(b'\t');
            escape_into(value, &mut constants);
        }
        Ok(CopyLines {
            file: path.display().to_string(),
            reader: dialect.reader(path)?,
            record: csv::ByteRecord::new(),
            mapping,
            constants,
        })
    }

    /// The record last read, as the file had it (for a rejects file).
    pub fn record(&self) -> &csv::ByteRecord {
        &self.record
    }

    /// Reads the next record and appends its COPY line to `out`. `None` at the end; on an
    /// error `out` is left as it was.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> Option<Result<(), RowError>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Some(Err(match e.kind() {
                    csv::ErrorKind::Io(io) => RowError::Read {
                        file: self.file.clone(),
                        message: io.to_string(),
                    },
                    _ => RowError::Malformed {
                        file: self.file.clone(),
                        line,
                        message: e.to_string(),
                    },
                }));
            }
        }
        let start = out.len();
        let result = self.encode(out);
        if result.is_err() {
            out.truncate(start);
        }
        Some(result)
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), RowError> {
        let line = self.record.position().map_or(0, |p| p.line());
        let width = self.mapping.targets.len();
        if self.record.len() != width
            && !(self.record.len() == 1 && width > 1 && self.record[0].is_empty())
        {
            return Err(RowError::Malformed {
                file: self.file.clone(),
                line,
                message: format!(
                    "the record has {} fields, the header {}",
                    self.record.len(),
                    width
                ),
            });
        }
        let mut first = true;
        for (index, target) in self.mapping.targets.iter().enumerate() {
            let Target::Column {
                field,
                conversion,
                required,
                ..
            } = target
            else {
                continue;
            };
            if !first {
                out.push(b'\t');
            }
            first = false;
            let raw = self.record.get(index).unwrap_or_default();
            let bad = |problem: String| {
                RowError::Bad(BadValue {
                    file: self.file.clone(),
                    line,
                    column: index + 1,
                    field: field.clone(),
                    problem,
                })
            };
            let cell = std::str::from_utf8(raw)
                .map_err(|_| bad("is not UTF-8 text (give --encoding latin1)".into()))?;
            match conversion.convert(cell) {
                Ok(Some(value)) => escape_into(&value, out),
                Ok(None) if *required => {
                    return Err(bad("is empty, and the field is required".into()));
                }
                Ok(None) => out.extend_from_slice(b"\\N"),
                Err(super::convert::Unreadable) => {
                    let shown: String = cell.chars().take(60).collect();
                    return Err(bad(format!(
                        "value {shown:?} is not {}",
                        conversion.expected()
                    )));
                }
            }
        }
        if first && !self.constants.is_empty() {
            out.extend_from_slice(&self.constants[1..]);
        } else {
            out.extend_from_slice(&self.constants);
        }
        out.push(b'\n');
        Ok(())
    }
}

/// The file line of the `n`th row sent (1-based, as the server's `COPY …, line n` counts),
/// read again from the start: a constraint failure on the server is named by its line
/// without keeping a line for every row sent.
pub fn line_of_sent_row(path: &Path, dialect: &Dialect, mapping: Mapping, n: u64) -> Option<u64> {
    let mut lines = CopyLines::open(path, dialect, mapping).ok()?;
    let mut sent = 0;
    let mut scratch = Vec::new();
    while let Some(result) = lines.next_into(&mut scratch) {
        scratch.clear();
        if result.is_ok() {
            sent += 1;
            if sent == n {
                return lines.record().position().map(|p| p.line());
            }
        }
    }
    None
}
