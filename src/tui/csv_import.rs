//! A CSV file proposed as a new table in the TUI (phase 1, `I`): kept beside the design so
//! the Preview can name its COPY and the apply that creates the table can load the rows.

use std::path::PathBuf;

use crate::catalog::Catalog;
use crate::db::import_copy::CsvLoad;
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Design, Field};
use crate::import::Proposal;

/// A CSV file proposed as the design table `table`; its rows load when the plan creates it.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvImport {
    pub proposal: Proposal,
    /// The design table's name now (followed through renames).
    pub table: String,
    /// For each CSV column, the field it loads into now (followed through renames).
    pub fields: Vec<Option<String>>,
    /// Where records that do not fit are set aside; `None`: the first one stops the apply.
    pub rejects: Option<PathBuf>,
}

impl CsvImport {
    /// The proposal as the design table `table`, each column loading into its proposed field.
    pub fn new(proposal: Proposal, table: String, rejects: Option<PathBuf>) -> CsvImport {
        let fields = proposal
            .columns
            .iter()
            .map(|c| Some(c.field.name.clone()))
            .collect();
        CsvImport {
            proposal,
            table,
            fields,
            rejects,
        }
    }

    /// After an edit (or its undo) turned `before` into `after`: a renamed table or field
    /// keeps its CSV column. A rename is a name gone at a position where a name that was
    /// not there before now stands, so moving fields around is not taken for one.
    pub fn follow(&mut self, before: &Design, after: &Design) {
        let Some(at) = before.find_table(&self.table) else {
            return;
        };
        if after.find_table(&self.table).is_none()
            && before.tables.len() == after.tables.len()
            && before.find_table(&after.tables[at].name).is_none()
        {
            self.table = after.tables[at].name.clone();
        }
        let Some(now) = after.find_table(&self.table) else {
            return;
        };
        let (old, new) = (&before.tables[at].fields, &after.tables[now].fields);
        if old.len() != new.len() {
            return;
        }
        let has = |fields: &[Field], name: &str| fields.iter().any(|f| f.name == name);
        for (was, is) in old.iter().zip(new) {
            if was.name != is.name && !has(new, &was.name) && !has(old, &is.name) {
                for name in self.fields.iter_mut().flatten() {
                    if *name == was.name {
                        *name = is.name.clone();
                    }
                }
            }
        }
    }

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
            mapping: self.proposal.mapping_to(table, &self.fields),
            rejects: self.rejects.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{FieldType, Table};

    fn design(table: &str, fields: &[&str]) -> Design {
        let mut t = Table::new(table);
        t.fields = fields
            .iter()
            .map(|f| Field::new(*f, FieldType::SingleLineText))
            .collect();
        Design {
            tables: vec![Table::new("Other"), t],
            ..Design::default()
        }
    }

    fn import() -> CsvImport {
        CsvImport {
            proposal: Proposal {
                file: "x.csv".into(),
                dialect: crate::import::source::Dialect {
                    encoding: crate::import::source::Encoding::Utf8,
                    delimiter: b',',
                    has_header: true,
                },
                columns: Vec::new(),
                rows_sampled: 0,
                whole_file: true,
            },
            table: "Items".into(),
            fields: vec![Some("A".into()), Some("B".into()), Some("C".into())],
            rejects: None,
        }
    }

    #[test]
    fn renames_are_followed_and_moves_are_not_taken_for_them() {
        let mut csv = import();
        let start = design("Items", &["A", "B", "C"]);
        let renamed = design("Goods", &["A", "Bee", "C"]);
        csv.follow(&start, &renamed);
        assert_eq!(csv.table, "Goods");
        assert_eq!(csv.fields[1].as_deref(), Some("Bee"));
        // Undo is the same change the other way.
        csv.follow(&renamed, &design("Goods", &["A", "B", "C"]));
        assert_eq!(csv.fields[1].as_deref(), Some("B"));
        // A move changes no mapping.
        csv.follow(
            &design("Goods", &["A", "B", "C"]),
            &design("Goods", &["C", "A", "B"]),
        );
        assert_eq!(
            csv.fields,
            vec![Some("A".into()), Some("B".into()), Some("C".into())]
        );
        // A removed field is not renamed into anything.
        csv.follow(
            &design("Goods", &["A", "B", "C"]),
            &design("Goods", &["A", "C"]),
        );
        assert_eq!(csv.fields[1].as_deref(), Some("B"));
    }
}
