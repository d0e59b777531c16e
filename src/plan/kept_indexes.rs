//! Live indexes of a designed table that the design does not hold: the plan leaves them in
//! the database (a design cannot drop an index), which a user who just removed an index in
//! phase 2 needs to be told, as for a removed field's column.

use crate::catalog::Catalog;
use crate::design::indexes::implicit_index_names;
use crate::design::{Design, ResolvedDesign};

/// One live index the design leaves alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptIndex {
    /// `schema.table`, as the live table is named now.
    pub table: String,
    pub index: String,
}

impl KeptIndex {
    /// What the preview says about it.
    pub fn note(&self) -> String {
        format!(
            "index {} on {} is not in the design: it stays in the database (the design cannot \
             drop an index; DROP INDEX it by hand if it should go)",
            self.index, self.table
        )
    }
}

/// The live indexes of `resolved`'s tables that no designed index, key, unique constraint or
/// index schemaforge makes by itself accounts for, in table and index order.
pub fn kept_indexes(
    design: &Design,
    resolved: &ResolvedDesign,
    catalog: &Catalog,
) -> Vec<KeptIndex> {
    let implicit: Vec<String> = implicit_index_names(design)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut out = Vec::new();
    for table in &resolved.tables {
        let live_name = table.renamed_from.as_deref().unwrap_or(&table.db_name);
        let Some(live) = catalog.table(&resolved.schema, live_name) else {
            continue;
        };
        let constraint = |name: &str| {
            live.primary_key.iter().any(|k| k.name == name)
                || live.unique_constraints.iter().any(|k| k.name == name)
                || live.exclusion_constraints.iter().any(|k| k.name == name)
        };
        for index in &live.indexes {
            let designed = table.indexes.iter().any(|i| i.name == index.name);
            if index.primary
                || designed
                || constraint(&index.name)
                || implicit.contains(&index.name)
            {
                continue;
            }
            out.push(KeptIndex {
                table: format!("{}.{}", resolved.schema, live_name),
                index: index.name.clone(),
            });
        }
    }
    out
}
