//! The bounded summary the UI and the plan preview show: per load, its size and first rows.
//! It costs only the rows it shows: the streams are lazy.

use serde::Serialize;

use super::copy_text::display_value;
use super::{LoadKind, SampleSet};

/// The first rows of one load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TablePreview {
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
    /// How many rows the load inserts in all.
    pub total: u64,
    /// Up to the asked number of rows, each value in its type's text form; `None` is NULL.
    pub rows: Vec<Vec<Option<String>>>,
}

/// The first `per_table` rows of every load (staging loads of cycles are left out).
pub fn preview(set: &SampleSet, per_table: usize) -> Vec<TablePreview> {
    set.loads()
        .filter(|load| load.kind != LoadKind::FollowUp)
        .map(|load| TablePreview {
            schema: load.schema.clone(),
            table: load.table.clone(),
            columns: load.columns.iter().map(|c| c.name.clone()).collect(),
            total: load.row_count,
            rows: load
                .rows()
                .take(per_table)
                .map(|row| {
                    row.iter()
                        .zip(&load.columns)
                        .map(|(v, c)| display_value(v, c.pg_type))
                        .collect()
                })
                .collect(),
        })
        .collect()
}
