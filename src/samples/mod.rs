//! Phase 5: sample rows that respect every constraint and relation, as streams.
//!
//! [`generate`] is pure and deterministic: the same design, options and seed give the same
//! rows. It returns a [`SampleSet`]: the steps that load the samples, in dependency order.
//! Each [`SampleStep::Copy`] holds a [`TableLoad`] — a table, its column list and a row count —
//! whose rows are computed on demand by [`TableLoad::rows`] (or [`TableLoad::copy_lines`] in
//! PostgreSQL's COPY text format). Nothing is materialised: loading 200,000 rows keeps one
//! row in memory at a time, and the first rows for a preview cost only those rows.
//!
//! How the loads are shaped, and why:
//! - `id` is computed from the seed and the row index ([`ids::row_id`]), so a foreign key can
//!   point at a generated row without a list of ids being kept.
//! - Foreign keys pick from the sample rows of the target table plus any existing ids the
//!   caller hands in ([`Options::existing`]); one-to-one uses a permutation so no target is
//!   taken twice; linking tables get 0–`links_per_row` distinct targets per source row.
//! - A cycle between tables is broken at a nullable foreign key: that column is left out of
//!   the first load and set afterwards by a staging `COPY` and one `UPDATE … FROM`
//!   ([`SampleStep::Sql`] steps around a `Copy` into `pg_temp`). A cycle of required keys is
//!   an error naming it. A self-reference needs nothing special: the rows of one `COPY` are
//!   checked at the end of the statement, and rows only point at earlier rows anyway.
//! - Explicit rows are validated against the field types before anything is sent, and rows
//!   that give different sets of columns are loaded in separate groups, so a column a row
//!   leaves out gets its default.

mod build;
pub mod copy_text;
mod explicit;
pub mod ids;
pub mod insert_text;
mod preview;
mod rows;
mod values;

use std::collections::BTreeMap;

use crate::design::PgType;

pub use build::generate;
pub use copy_text::{
    SavedPart, UnterminatedCopy, encode_row, split_copy_blocks, write_copy_block, write_steps,
};
pub use insert_text::write_insert_steps;
pub use preview::{TablePreview, preview};
pub use rows::Rows;

/// `resolved` with only the samples of tables `catalog` does not hold yet: what an apply
/// loads (so applying twice never duplicates rows). `None` when no samples are left.
pub fn for_new_tables(
    resolved: &crate::design::ResolvedDesign,
    catalog: &crate::catalog::Catalog,
) -> Option<crate::design::ResolvedDesign> {
    let mut resolved = resolved.clone();
    let schema = resolved.schema.clone();
    let tables = &resolved.tables;
    let kept: Vec<_> = resolved
        .samples
        .iter()
        .filter(|s| catalog.table(&schema, &tables[s.table].db_name).is_none())
        .cloned()
        .collect();
    resolved.samples = kept;
    (!resolved.samples.is_empty()).then_some(resolved)
}

/// What an apply loaded, as the CLI and the TUI both say it after the statements:
/// ` and 25 sample rows`, `, 25 sample rows and 3 demo users`, or nothing. `rows` counts
/// everything loaded; the demo users among them are said apart.
pub fn loaded_phrase(rows: u64, demo_users: u64) -> String {
    let samples = rows.saturating_sub(demo_users);
    let rows_text = match samples {
        1 => "1 sample row".to_owned(),
        n => format!("{n} sample rows"),
    };
    let users_text = match demo_users {
        1 => "1 demo user".to_owned(),
        n => format!("{n} demo users"),
    };
    match (samples, demo_users) {
        (0, 0) => String::new(),
        (_, 0) => format!(" and {rows_text}"),
        (0, _) => format!(" and {users_text}"),
        _ => format!(", {rows_text} and {users_text}"),
    }
}

/// Who owns the sample rows (`created_by`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Owners {
    /// `created_by` stays NULL.
    #[default]
    None,
    /// Spread over these existing `auth.users` ids.
    Existing(Vec<String>),
    /// Generate this many demo users (rows for `auth.users`, loaded first) and spread the
    /// rows over them. Only for the sandbox, or when the user allows writing `auth.users`.
    Generated(u32),
}

/// What [`generate`] needs besides the design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub seed: u64,
    pub owners: Owners,
    /// Ids of rows that already exist, by `(schema, table)`: targets for foreign keys into
    /// live tables outside the design (e.g. `("auth", "users")`), or into designed tables
    /// that already hold rows.
    pub existing: BTreeMap<(String, String), Vec<String>>,
    /// The most targets one row of a many-to-many relationship links to (0 to this many).
    pub links_per_row: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0,
            owners: Owners::None,
            existing: BTreeMap::new(),
            links_per_row: 3,
        }
    }
}

impl Options {
    pub fn with_seed(seed: u64) -> Options {
        Options {
            seed,
            ..Options::default()
        }
    }
}

/// A column of a load and its type (the type decides the COPY text of a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub pg_type: PgType,
}

/// What a load fills, for the summary line of the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    /// Demo users for `auth.users`.
    DemoUsers,
    /// Rows of a designed table, generated from a count.
    Generated,
    /// Explicit rows of a designed table (one group of rows giving the same columns).
    Explicit,
    /// Pairs of a many-to-many linking table.
    Links,
    /// A staging table in `pg_temp` for the second half of a cycle.
    FollowUp,
}

/// Rows for one table, computed on demand.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLoad {
    pub schema: String,
    pub table: String,
    pub columns: Vec<Column>,
    /// Exactly how many rows [`TableLoad::rows`] yields.
    pub row_count: u64,
    pub kind: LoadKind,
    pub(crate) seed: u64,
    pub(crate) source: rows::Source,
}

impl TableLoad {
    /// The rows, one `Vec` of values per row in the order of [`TableLoad::columns`]. Each call
    /// starts again from the first row and yields the same rows.
    pub fn rows(&self) -> Rows<'_> {
        Rows::new(self)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The rows as lines of PostgreSQL's COPY text format, each ending in `\n`.
    pub fn copy_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.rows().map(|row| {
            let mut line = String::with_capacity(128);
            encode_row(&row, &self.columns, &mut line);
            line
        })
    }

    /// `COPY "schema"."table" ("a", "b") FROM STDIN` (no semicolon).
    pub fn copy_statement(&self) -> String {
        copy_text::copy_statement(&self.schema, &self.table, &self.column_names())
    }
}

/// One step of loading samples; run in order, inside the bundle's transaction or alone.
#[derive(Debug, Clone, PartialEq)]
pub enum SampleStep {
    /// Stream the rows with `COPY … FROM STDIN`.
    Copy(Box<TableLoad>),
    /// One SQL statement (no semicolon): the staging table and the `UPDATE` of a cycle.
    Sql(String),
}

/// Everything [`generate`] produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SampleSet {
    pub steps: Vec<SampleStep>,
}

impl SampleSet {
    /// The loads, in order.
    pub fn loads(&self) -> impl Iterator<Item = &TableLoad> {
        self.steps.iter().filter_map(|s| match s {
            SampleStep::Copy(load) => Some(load.as_ref()),
            SampleStep::Sql(_) => None,
        })
    }

    /// Rows that end up in real tables (the staging rows of follow-ups are not counted).
    pub fn total_rows(&self) -> u64 {
        self.loads()
            .filter(|l| l.kind != LoadKind::FollowUp)
            .map(|l| l.row_count)
            .sum()
    }

    /// Demo users inserted into `auth.users` before the rows (0 unless the owners are
    /// generated).
    pub fn demo_users(&self) -> u64 {
        self.loads()
            .filter(|l| l.kind == LoadKind::DemoUsers)
            .map(|l| l.row_count)
            .sum()
    }

    /// Rows of the design's tables: [`SampleSet::total_rows`] without the demo users, the
    /// number `plan`, the apply and the TUI all say (the users said apart).
    pub fn sample_rows(&self) -> u64 {
        self.total_rows() - self.demo_users()
    }

    /// Row counts per `(schema, table)`, summed over groups, in load order.
    pub fn counts(&self) -> Vec<((String, String), u64)> {
        self.counts_where(|_| true)
    }

    /// [`SampleSet::counts`] of the design's tables only (no demo users).
    pub fn table_counts(&self) -> Vec<((String, String), u64)> {
        self.counts_where(|l| l.kind != LoadKind::DemoUsers)
    }

    fn counts_where(&self, keep: impl Fn(&TableLoad) -> bool) -> Vec<((String, String), u64)> {
        let mut out: Vec<((String, String), u64)> = Vec::new();
        for load in self
            .loads()
            .filter(|l| l.kind != LoadKind::FollowUp && keep(l))
        {
            let key = (load.schema.clone(), load.table.clone());
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += load.row_count,
                None => out.push((key, load.row_count)),
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Why samples cannot be generated; every variant names the table (and row and field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("sample row {row} of \"{table}\", field \"{field}\": {message}")]
    InvalidValue {
        table: String,
        row: usize,
        field: String,
        message: String,
    },
    #[error(
        "\"{table}\".\"{column}\" is required, but \"{target}\" has no rows to point at: give it \
         samples, or pass the ids of its existing rows"
    )]
    NoRowsToReference {
        table: String,
        column: String,
        target: String,
    },
    #[error(
        "\"{table}\".\"{column}\" is a required one-to-one relationship: {rows} rows need {rows} \
         different rows of \"{target}\", which has {available}"
    )]
    NotEnoughTargets {
        table: String,
        column: String,
        target: String,
        rows: u64,
        available: u64,
    },
    #[error(
        "\"{table}\".\"{field}\" is unique, but it can take only {possible} different values \
         and {wanted} rows were asked for"
    )]
    UniqueCapacity {
        table: String,
        field: String,
        wanted: u64,
        possible: u64,
    },
    #[error("the existing id \"{id}\" given for {table} is not a uuid")]
    NotAUuid { table: String, id: String },
    #[error(
        "the required relationships {} form a cycle: no table can be filled first; make one of \
         them optional",
        .cycle.join(" → ")
    )]
    RequiredCycle { cycle: Vec<String> },
}
