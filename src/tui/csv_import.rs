//! A CSV file proposed as a new table in the TUI (phase 1, `I`): kept beside the design so
//! the Preview can name its COPY and the apply that creates the table can load the rows.

use std::path::PathBuf;

use crate::catalog::Catalog;
use crate::db::import_copy::CsvLoad;
use crate::design::Design;
use crate::design::names::{NameKind, derive_db_name};
use crate::import::Proposal;

/// A CSV file proposed as the design table `table`; its rows load when the plan creates it.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvImport {
    pub proposal: Proposal,
    pub table: String,
}

impl CsvImport {
    /// The load for the design as it is now: the table's fields as corrected, `None` once
    /// the table is gone from the design or already exists (the rows loaded with it).
    pub fn load(&self, design: &Design, catalog: Option<&Catalog>) -> Option<CsvLoad> {
        let table = &design.tables[design.find_table(&self.table)?];
        let name = table
            .db_name
            .clone()
            .unwrap_or_else(|| derive_db_name(&table.name, NameKind::Table));
        if catalog.is_some_and(|c| c.table(&design.schema, &name).is_some()) {
            return None;
        }
        Some(CsvLoad {
            path: PathBuf::from(&self.proposal.file),
            dialect: self.proposal.dialect,
            schema: design.schema.clone(),
            table: name,
            mapping: self.proposal.mapping(table),
            rejects: None,
        })
    }
}
