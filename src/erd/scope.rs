//! Which tables a diagram of the live database draws.

use std::collections::BTreeSet;

use super::model::{Columns, Diagram, Selection};
use crate::catalog::Catalog;
use crate::design::managed_schemas::is_managed_schema;

/// The live schemas to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Drawn in full; empty means `public`. A managed schema (`auth`, `storage`, …) is never
    /// drawn in full: its tables appear only as stubs of what the drawn tables reference.
    pub schemas: Vec<String>,
    pub columns: Columns,
}

impl Scope {
    /// The schemas to draw, `public` when none is named, managed ones left out.
    pub fn schemas(&self) -> Vec<String> {
        let named = if self.schemas.is_empty() {
            vec!["public".to_owned()]
        } else {
            self.schemas.clone()
        };
        named
            .into_iter()
            .filter(|s| !is_managed_schema(s))
            .collect()
    }
}

/// Every table of the scope's schemas, as the database has them now.
pub fn live_diagram(catalog: &Catalog, scope: &Scope) -> Diagram {
    let schemas = scope.schemas();
    let tables: BTreeSet<(String, String)> = catalog
        .tables
        .iter()
        .filter(|t| schemas.contains(&t.schema))
        .map(|t| (t.schema.clone(), t.name.clone()))
        .collect();
    Diagram::build(&Selection {
        catalog,
        tables,
        home_schema: schemas.first().cloned().unwrap_or_else(|| "public".into()),
        before: None,
        columns: scope.columns,
    })
}
