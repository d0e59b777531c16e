//! CSV import, the pure part: sniffing a file's shape ([`source`]), proposing a table from a
//! sample of its rows ([`infer`]), and turning each record into a COPY line the way the
//! proposal decided ([`convert`], [`rows`]). No database and no screen: `db::import_copy`
//! streams the lines, `cli` and `tui` drive it.

pub mod convert;
pub mod infer;
pub mod report;
pub mod rows;
pub mod source;
pub mod values;

pub use convert::{Conversion, Mapping, Target};
pub use infer::{ColumnProposal, Evidence, Proposal, propose};
pub use rows::{BadValue, CopyLines, RowError};
pub use source::{Dialect, Encoding, SniffError, sniff};

/// How many records the analysis reads: enough to see the formats, never the whole file.
pub const SAMPLE_ROWS: usize = 10_000;
