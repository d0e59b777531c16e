//! Live columns of a designed table that the design neither models nor drops: the plan
//! leaves them as they are (a column is only dropped through `drop_columns`), which a user
//! who just removed a field from the design needs to be told.

use crate::catalog::Catalog;
use crate::design::{RelationshipKind, ResolvedDesign, SYSTEM_FIELDS};

/// One live column the design leaves alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptColumn {
    /// `schema.table`, as the live table is named now.
    pub table: String,
    pub column: String,
}

impl KeptColumn {
    /// What the preview says about it.
    pub fn note(&self) -> String {
        format!(
            "{}.{} is not in the design: the column stays in the database with its values \
             (list it in drop_columns to drop it)",
            self.table, self.column
        )
    }
}

/// The live columns of `design`'s tables that no field, system field, relationship, key or
/// drop accounts for, in table and column order.
pub fn kept_columns(design: &ResolvedDesign, catalog: &Catalog) -> Vec<KeptColumn> {
    let mut out = Vec::new();
    for (ti, table) in design.tables.iter().enumerate() {
        let live_name = table.renamed_from.as_deref().unwrap_or(&table.db_name);
        let Some(live) = catalog.table(&design.schema, live_name) else {
            continue;
        };
        let relationship_columns = design.relationships.iter().filter_map(|r| match &r.kind {
            RelationshipKind::ForeignKey { column, .. } if r.table == ti => Some(column.as_str()),
            _ => None,
        });
        let mut modelled: Vec<&str> = table
            .fields
            .iter()
            .flat_map(|f| [Some(f.db_name.as_str()), f.renamed_from.as_deref()])
            .flatten()
            .chain(relationship_columns)
            .chain(table.primary_key.iter().map(String::as_str))
            .chain(table.drop_columns.iter().map(String::as_str))
            .collect();
        if table.system_fields {
            modelled.extend(SYSTEM_FIELDS.iter().map(|f| f.db_name));
        }
        if table.soft_delete {
            modelled.push(crate::design::names::SOFT_DELETE_COLUMN);
        }
        for column in &live.columns {
            if !modelled.contains(&column.name.as_str()) {
                out.push(KeptColumn {
                    table: format!("{}.{}", design.schema, live_name),
                    column: column.name.clone(),
                });
            }
        }
    }
    out
}
