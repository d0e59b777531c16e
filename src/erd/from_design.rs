//! A design's diagram: the database as it will be once the design is applied.
//!
//! The design is planned against the live catalog (or, with no database, against a stand-in
//! holding only the tables it references, each keyed by `id uuid` as a designed table or
//! `auth.users` is) and the plan's changes are applied to that catalog
//! ([`Catalog::apply`]), so the drawing shows exactly what `apply` would leave — system
//! columns, foreign keys and linking tables included — and nothing is derived twice.
//!
//! Drawn in full: the design's tables, its linking tables, the live tables its relationships
//! point to outside managed schemas, and every table of the extra schemas asked for. Tables in
//! managed schemas (`auth.users`) and stand-ins are stubs.

use std::collections::BTreeSet;

use super::model::{Columns, Diagram, Selection};
use crate::catalog::{Catalog, Column, KeyConstraint, Table, TableKind};
use crate::design::managed_schemas::is_managed_schema;
use crate::design::{
    self, Design, Diagnostic, RelationshipKind, ResolvedDesign, Target, has_errors,
};
use crate::plan::{self, PlanError, PlanSettings};

#[derive(Debug, thiserror::Error)]
pub enum DesignDiagramError {
    #[error("the design has errors:\n{}", lines(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("the design cannot be planned:\n{}", .0.iter().map(|e| format!("{}: {}", e.path, e.message)).collect::<Vec<_>>().join("\n"))]
    Unplannable(Vec<PlanError>),
}

fn lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.level == design::Level::Error)
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The diagram of `design` applied to `live` (or to nothing but what it references).
/// `extra_schemas` are live schemas drawn whole beside it.
pub fn design_diagram(
    design: &Design,
    live: Option<&Catalog>,
    extra_schemas: &[String],
    columns: Columns,
) -> Result<Diagram, DesignDiagramError> {
    let (resolved, before) = resolve(design, live)?;
    let plan = plan::plan(&resolved, &before, &PlanSettings::default())
        .map_err(DesignDiagramError::Unplannable)?;
    let after = before.apply(&plan.changes());
    Ok(diagram_after(
        &resolved,
        &before,
        &after,
        extra_schemas,
        columns,
    ))
}

/// The diagram of a resolved design whose plan leaves `after` (from `before`): what the TUI,
/// which has both already, draws.
pub fn diagram_after(
    resolved: &ResolvedDesign,
    before: &Catalog,
    after: &Catalog,
    extra_schemas: &[String],
    columns: Columns,
) -> Diagram {
    let schema = &resolved.schema;
    let mut tables: BTreeSet<(String, String)> = BTreeSet::new();
    for t in &resolved.tables {
        tables.insert((schema.clone(), t.db_name.clone()));
    }
    for r in &resolved.relationships {
        if let RelationshipKind::Linking { table, .. } = &r.kind {
            tables.insert((schema.clone(), table.clone()));
        }
        if let Target::External { schema: s, table } = &r.target
            && !is_managed_schema(s)
            && before
                .table(s, table)
                .is_some_and(|t| !t.columns.is_empty() && !is_stand_in(t))
        {
            tables.insert((s.clone(), table.clone()));
        }
    }
    for t in &after.tables {
        if extra_schemas.contains(&t.schema) && !is_managed_schema(&t.schema) && !is_stand_in(t) {
            tables.insert((t.schema.clone(), t.name.clone()));
        }
    }
    Diagram::build(&Selection {
        catalog: after,
        tables,
        home_schema: schema.clone(),
        before: Some(before),
        columns,
    })
}

/// The diagram the TUI's relations phase draws from: the catalog `plan` leaves, restricted
/// to the design's tables, what they point to and the live tables that point to them (the
/// rest of a large catalog is not copied on every frame).
pub fn neighbourhood_diagram(
    resolved: &ResolvedDesign,
    live: &Catalog,
    plan: &crate::plan::Plan,
) -> Diagram {
    let schema = &resolved.schema;
    let mut near: BTreeSet<(String, String)> = BTreeSet::new();
    for t in &resolved.tables {
        near.insert((schema.clone(), t.db_name.clone()));
        if let Some(old) = &t.renamed_from {
            near.insert((schema.clone(), old.clone()));
        }
    }
    for r in &resolved.relationships {
        if let RelationshipKind::Linking { table, .. } = &r.kind {
            near.insert((schema.clone(), table.clone()));
        }
        if let Target::External { schema, table } = &r.target {
            near.insert((schema.clone(), table.clone()));
        }
    }
    let designed = near.clone();
    let points_here = |t: &Table| {
        t.foreign_keys.iter().any(|fk| {
            designed.contains(&(fk.references_schema.clone(), fk.references_table.clone()))
        })
    };
    let mut before = Catalog {
        flavour: live.flavour.clone(),
        schemas: live.schemas.clone(),
        ..Catalog::default()
    };
    before.tables = live
        .tables
        .iter()
        .filter(|t| near.contains(&(t.schema.clone(), t.name.clone())) || points_here(t))
        .cloned()
        .collect();
    // What the kept tables point to, so stubs get their key columns' types.
    let targets: BTreeSet<(String, String)> = before
        .tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .map(|fk| (fk.references_schema.clone(), fk.references_table.clone()))
        .collect();
    for (s, t) in &targets {
        if !before.tables.iter().any(|b| &b.schema == s && &b.name == t)
            && let Some(found) = live.table(s, t)
        {
            before.tables.push(found.clone());
        }
    }
    before
        .tables
        .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    let after = before.apply(&plan.changes());
    let mut tables: BTreeSet<(String, String)> = BTreeSet::new();
    for t in &after.tables {
        let key = (t.schema.clone(), t.name.clone());
        if (designed.contains(&key) || points_here(t)) && !is_managed_schema(&t.schema) {
            tables.insert(key);
        }
    }
    Diagram::build(&Selection {
        catalog: &after,
        tables,
        home_schema: schema.clone(),
        before: Some(&before),
        columns: Columns::Keys,
    })
}

/// The resolved design and the catalog it is planned on.
fn resolve(
    design: &Design,
    live: Option<&Catalog>,
) -> Result<(ResolvedDesign, Catalog), DesignDiagramError> {
    if let Some(live) = live {
        let known = |s: &str, t: &str| live.table(s, t).is_some();
        let resolved = design::resolve_with_known_tables(design, &known)
            .map_err(DesignDiagramError::Invalid)?;
        return Ok((resolved, live.clone()));
    }
    // No database: every bare target the design does not define is taken to exist.
    let resolved = design::resolve_with_known_tables(design, &|_, _| true)
        .map_err(DesignDiagramError::Invalid)?;
    if has_errors(&resolved.warnings) {
        return Err(DesignDiagramError::Invalid(resolved.warnings));
    }
    let mut stand_in = Catalog::default();
    stand_in.flavour.supabase = true;
    let mut targets: BTreeSet<(String, String)> = BTreeSet::new();
    targets.insert(("auth".into(), "users".into()));
    for r in &resolved.relationships {
        if let Target::External { schema, table } = &r.target {
            targets.insert((schema.clone(), table.clone()));
        }
    }
    stand_in.tables = targets
        .into_iter()
        .map(|(schema, name)| stand_in_table(&schema, &name))
        .collect();
    Ok((resolved, stand_in))
}

/// The comment that marks a table schemaforge made up to plan against.
const STAND_IN: &str = "schemaforge erd: stand-in";

fn is_stand_in(t: &Table) -> bool {
    t.comment.as_deref() == Some(STAND_IN)
}

/// A referenced table the design does not define, keyed by `id uuid`.
fn stand_in_table(schema: &str, name: &str) -> Table {
    let mut table = Table::new(schema, name, TableKind::Table);
    table.comment = Some(STAND_IN.into());
    table.columns.push(Column {
        name: "id".into(),
        position: 1,
        data_type: "uuid".into(),
        nullable: false,
        default: None,
        identity: None,
        generated: None,
        comment: None,
    });
    table.primary_key = Some(KeyConstraint {
        name: format!("{name}_pkey"),
        columns: vec!["id".into()],
    });
    table
}
