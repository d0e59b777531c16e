//! A CSV file's shape — encoding, delimiter, header — read from its first bytes, and a
//! reader that yields UTF-8 whatever the file's encoding, so the rest sees one kind of text.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// How many bytes are looked at to decide the encoding and the delimiter.
const SNIFF_BYTES: usize = 1 << 20;
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with the byte-order mark spreadsheets write; the mark is skipped.
    Utf8Bom,
    /// Latin-1 as Windows writes it (windows-1252: `€` is 0x80), converted to UTF-8.
    Latin1,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Latin1 => "Latin-1 (converted to UTF-8)",
        }
    }
}

/// What the sniffing decided; each part can be overridden on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub encoding: Encoding,
    pub delimiter: u8,
    pub has_header: bool,
}

impl Dialect {
    pub fn delimiter_label(&self) -> &'static str {
        match self.delimiter {
            b',' => "comma",
            b';' => "semicolon",
            b'\t' => "tab",
            b'|' => "pipe",
            _ => "other",
        }
    }

    /// A CSV reader over `path` in this dialect (quotes `"` doubled, as spreadsheets write).
    pub fn reader(&self, path: &Path) -> io::Result<csv::Reader<Box<dyn Read + Send>>> {
        let input = open(path, self.encoding)?;
        Ok(csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(self.has_header)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(input))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SniffError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error("{file} is empty")]
    Empty { file: String },
}

/// Reads the first megabyte of `path` and decides its dialect.
pub fn sniff(path: &Path) -> Result<Dialect, SniffError> {
    let read_error = |source| SniffError::Read {
        file: path.display().to_string(),
        source,
    };
    let mut head = Vec::with_capacity(64 * 1024);
    File::open(path)
        .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
        .map_err(read_error)?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SniffError::Empty {
            file: path.display().to_string(),
        });
    }
    let encoding = detect_encoding(&head, head.len() < SNIFF_BYTES);
    let text = decode_head(&head, encoding);
    let delimiter = detect_delimiter(&text);
    let has_header = detect_header(&text, delimiter);
    Ok(Dialect {
        encoding,
        delimiter,
        has_header,
    })
}

/// BOM first; then UTF-8 if the bytes are valid (a character cut at the end of the
/// sniffed bytes is fine); else Latin-1.
pub fn detect_encoding(head: &[u8], whole_file: bool) -> Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Bom;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Encoding::Utf8,
        Err(e) if e.error_len().is_none() && !whole_file => Encoding::Utf8,
        Err(_) => Encoding::Latin1,
    }
}

fn decode_head(head: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Utf8Bom => String::from_utf8_lossy(&head[3..]).into_owned(),
        Encoding::Utf8 => String::from_utf8_lossy(head).into_owned(),
        Encoding::Latin1 => encoding_rs::WINDOWS_1252.decode(head).0.into_owned(),
    }
}

/// The delimiter whose records most often have the first record's number of fields (more
/// than one); ties go to the one giving more fields.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for delimiter in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut first = None;
        let mut agreeing = 0;
        for record in reader.records().take(200) {
            let Ok(record) = record else { break };
            let width = *first.get_or_insert(record.len());
            if record.len() == width {
                agreeing += 1;
            }
        }
        let width = first.unwrap_or(0);
        if width > 1 && (agreeing > best.1 || (agreeing == best.1 && width > best.2)) {
            best = (delimiter, agreeing, width);
        }
    }
    best.0
}

/// A first record of non-empty cells none of which reads as a number, date or yes/no is a
/// header; a file of text only is taken to have one too (`--no-header` says otherwise).
pub fn detect_header(text: &str, delimiter: u8) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let Some(Ok(first)) = reader.records().next() else {
        return false;
    };
    first.iter().all(|cell| {
        let cell = cell.trim();
        !cell.is_empty() && !super::values::looks_typed(cell)
    })
}

/// The file as UTF-8 bytes: the BOM skipped, Latin-1 converted as it streams.
pub fn open(path: &Path, encoding: Encoding) -> io::Result<Box<dyn Read + Send>> {
    let mut file = BufReader::with_capacity(256 * 1024, File::open(path)?);
    Ok(match encoding {
        Encoding::Utf8 => Box::new(file),
        Encoding::Utf8Bom => {
            let mut bom = [0u8; 3];
            file.read_exact(&mut bom)?;
            Box::new(file)
        }
        Encoding::Latin1 => Box::new(Latin1Reader::new(file)),
    })
}

/// windows-1252 bytes in, UTF-8 out; each byte becomes at most three.
struct Latin1Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    /// Decoded bytes a too-small `read` buffer could not take yet.
    pending: Vec<u8>,
}

impl<R: Read> Latin1Reader<R> {
    fn new(inner: R) -> Self {
        Latin1Reader {
            inner,
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            raw: vec![0; 64 * 1024],
            pending: Vec::new(),
        }
    }
}

impl<R: Read> Read for Latin1Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        if buf.len() < 3 {
            let mut small = [0u8; 3];
            let n = self.read(&mut small)?;
            self.pending.extend_from_slice(&small[..n]);
            return self.read(buf);
        }
        let want = (buf.len() / 3).min(self.raw.len());
        let got = self.inner.read(&mut self.raw[..want])?;
        let (_, _, written, _) = self.decoder.decode_to_utf8(&self.raw[..got], buf, got == 0);
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_with_decimal_commas_are_semicolon_separated() {
        let text = "name;price;qty\nA;1,50;2\nB;12,25;3\nC;3;4\n";
        assert_eq!(detect_delimiter(text), b';');
        assert!(detect_header(text, b';'));
    }

    #[test]
    fn a_first_row_of_numbers_is_not_a_header() {
        assert!(!detect_header("1,2,3\n4,5,6\n", b','));
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), b'\t');
    }

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFa,b", true), Encoding::Utf8Bom);
        assert_eq!(detect_encoding("café".as_bytes(), true), Encoding::Utf8);
        assert_eq!(detect_encoding(b"caf\xE9", true), Encoding::Latin1);
    }

    #[test]
    fn latin1_streams_as_utf8() {
        let mut out = String::new();
        Latin1Reader::new(&b"caf\xE9 \x80"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "café €");
    }
}
