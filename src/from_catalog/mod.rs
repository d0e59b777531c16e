//! The live schema as a design (`schemaforge design --from-db`): the catalog turned back
//! into the design format, so a table that exists can be opened, edited and planned.
//!
//! Pure: a [`Catalog`] in, a [`Design`] and notes out. Every choice is made so that planning
//! the result against the same catalog is empty: a column becomes a catalogue type only when
//! it is exactly what the planner would create for that type (type, CHECK, default), else a
//! `raw` field that keeps its type; a foreign key becomes a relationship only when the
//! relationship model creates that very key; an index over plain columns becomes one of the
//! table's `indexes`. What the design format does not model (expression indexes, enum
//! definitions, grants, publications, other checks and triggers) is left as it is in the
//! database and listed in the notes.

mod buckets;
mod columns;
mod defaults;
mod indexes;
mod matviews;
mod relations;
mod security;
mod soft_delete;
mod system;
#[cfg(test)]
mod tests;

use crate::plan::audit::{AUDIT_FUNCTION, AUDIT_POLICY, AUDIT_TABLE, AUDIT_TRIGGER};
use std::collections::BTreeSet;

use crate::catalog::{Catalog, Table as LiveTable, TableKind};
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Design, Table};

/// A design read from the database, and what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct FromCatalog {
    pub design: Design,
    /// Things in the database the design does not describe; the plan leaves them alone.
    pub notes: Vec<String>,
}

/// The tables of `schema` (all, or the named ones) as a design.
pub fn design_from_catalog(
    catalog: &Catalog,
    schema: &str,
    tables: Option<&[String]>,
) -> FromCatalog {
    let mut notes = Vec::new();
    let mut chosen: Vec<&LiveTable> = Vec::new();
    let mut audit_readers = Vec::new();
    for live in catalog.tables_in(schema) {
        if tables.is_some_and(|names| !names.iter().any(|n| n == &live.name)) {
            continue;
        }
        if matviews::is_designed(live) {
            continue; // read back below, as one of `materialized_views`
        }
        if live.kind != TableKind::Table {
            notes.push(format!(
                "{schema}.{}: a {} is not part of a design; left as it is",
                live.name,
                live.kind.label()
            ));
            continue;
        }
        if live.partition_of.is_some() {
            notes.push(format!(
                "{schema}.{}: a partition; left as it is",
                live.name
            ));
            continue;
        }
        if live.name == AUDIT_TABLE
            && catalog
                .functions_named(schema, AUDIT_FUNCTION)
                .next()
                .is_some()
        {
            // Described by the tables' `audit` and the design's `audit_readers`.
            audit_readers = live
                .policies
                .iter()
                .find(|p| p.name == AUDIT_POLICY)
                .map(|p| p.roles.clone())
                .unwrap_or_default();
            continue;
        }
        if let Some(lock) = catalog.lock_on(schema, &live.name) {
            notes.push(format!(
                "{schema}.{}: locked by another session ({}) while reading; not in the design",
                live.name, lock.mode
            ));
            continue;
        }
        chosen.push(live);
    }
    for missing in tables.unwrap_or_default() {
        if catalog.table(schema, missing).is_none() {
            notes.push(format!("{schema}.{missing}: no such table"));
        }
    }
    let designed: BTreeSet<&str> = chosen.iter().map(|t| t.name.as_str()).collect();
    let mut ctx = Context {
        catalog,
        schema,
        designed,
        notes,
    };
    let linking = relations::linking_tables(&mut ctx, &chosen);
    let mut design = Design {
        schema: schema.to_owned(),
        ..Design::default()
    };
    if tables.is_none() {
        design.buckets = buckets::buckets(catalog);
    }
    if design_audits(&chosen, schema) {
        design.audit_readers = audit_readers;
    }
    for live in &chosen {
        if linking.iter().any(|l| l.table == live.name) {
            continue;
        }
        let (table, relationships) = convert_table(&mut ctx, live);
        design.tables.push(table);
        design.relationships.extend(relationships);
    }
    design
        .relationships
        .extend(linking.into_iter().map(|l| l.relationship));
    let sources: Vec<&str> = chosen.iter().map(|t| t.name.as_str()).collect();
    design.materialized_views =
        matviews::materialized_views(catalog, schema, &sources, &mut ctx.notes);
    enums_used(&mut ctx, &chosen);
    indexes::drop_refused(&mut design, &mut ctx.notes);
    FromCatalog {
        design,
        notes: ctx.notes,
    }
}

/// Whether a chosen table carries the audit trigger (then the readers belong in the design).
fn design_audits(chosen: &[&LiveTable], schema: &str) -> bool {
    chosen.iter().any(|t| {
        t.triggers.iter().any(|tr| {
            tr.name == AUDIT_TRIGGER
                && tr.function == AUDIT_FUNCTION
                && tr.function_schema == schema
        })
    })
}

/// What the conversion of every table shares.
pub(crate) struct Context<'a> {
    pub catalog: &'a Catalog,
    pub schema: &'a str,
    /// The tables being turned into design tables (by name, in `schema`).
    pub designed: BTreeSet<&'a str>,
    pub notes: Vec<String>,
}

impl Context<'_> {
    pub fn note(&mut self, table: &str, text: impl std::fmt::Display) {
        self.notes.push(format!("{}.{table}: {text}", self.schema));
    }

    /// How a design refers to a live table: by name when it is designed, else `schema.table`.
    pub fn reference(&self, schema: &str, table: &str) -> String {
        if schema == self.schema && self.designed.contains(table) {
            table.to_owned()
        } else {
            format!("{schema}.{table}")
        }
    }
}

fn convert_table(ctx: &mut Context, live: &LiveTable) -> (Table, Vec<crate::design::Relationship>) {
    let mut table = Table::new(live.name.clone());
    if derive_db_name(&live.name, NameKind::Table) != live.name {
        table.db_name = Some(live.name.clone());
    }
    table.description = live.comment.clone();
    let system = system::recognise(ctx, live);
    table.system_fields = system.is_some();
    let (relationships, fk_columns) = relations::foreign_keys(ctx, live, system.as_ref());
    table.fields = columns::fields(ctx, live, system.as_ref(), &fk_columns);
    security::rls(ctx, live, &mut table);
    security::triggers(ctx, live, &mut table);
    table.indexes = others(ctx, live, system.as_ref(), &relationships);
    soft_delete::recognise(ctx, live, &mut table);
    (table, relationships)
}

/// The table's plain indexes as the design's `indexes`, and notes for what a table has that
/// the design does not describe.
fn others(
    ctx: &mut Context,
    live: &LiveTable,
    system: Option<&system::System>,
    relationships: &[crate::design::Relationship],
) -> Vec<crate::design::TableIndex> {
    let mut designed = Vec::new();
    let name = live.name.as_str();
    let relationship_columns: Vec<String> = relationships
        .iter()
        .map(|r| crate::design::names::relationship_column(&r.name))
        .collect();
    for index in &live.indexes {
        let backs_constraint = index.primary
            || live.unique_constraints.iter().any(|k| k.name == index.name)
            || system.is_some_and(|s| s.created_by_index.as_deref() == Some(&index.name))
            || (index.columns.len() == 1
                && relationship_columns.contains(&index.columns[0])
                && !index.unique
                && !index.definition.contains(" WHERE "));
        if backs_constraint {
            continue;
        }
        match indexes::designed(live, system.is_some(), &relationship_columns, index) {
            Some(found) => designed.push(found),
            None => ctx.note(
                name,
                format!(
                    "index {} is not part of the design; left as it is ({})",
                    index.name, index.definition
                ),
            ),
        }
    }
    for c in &live.exclusion_constraints {
        ctx.note(
            name,
            format!(
                "exclusion constraint {} is not part of the design; left as it is",
                c.name
            ),
        );
    }
    if live.rls_forced {
        ctx.note(
            name,
            "FORCE ROW LEVEL SECURITY is not part of the design; left as it is",
        );
    }
    if !live.replica_identity.is_default() {
        ctx.note(
            name,
            format!(
                "REPLICA IDENTITY {} is not part of the design; left as it is",
                live.replica_identity.sql()
            ),
        );
    }
    for publication in &ctx.catalog.publications {
        if !publication.all_tables && publication.publishes(&live.schema, name) {
            let text = format!(
                "published by {}; publications are not part of the design",
                publication.name
            );
            ctx.note(name, text);
        }
    }
    designed
}

/// Enum types the design's raw fields use: their definitions stay in the database.
fn enums_used(ctx: &mut Context, tables: &[&LiveTable]) {
    let mut seen = BTreeSet::new();
    for table in tables {
        for column in &table.columns {
            let ty = column.data_type.trim_end_matches("[]");
            let found = ctx.catalog.enums.iter().find(|e| {
                ty == format!("{}.{}", e.schema, e.name) || (e.schema == "public" && ty == e.name)
            });
            if let Some(e) = found
                && seen.insert((e.schema.clone(), e.name.clone()))
            {
                ctx.notes.push(format!(
                    "{}.{}: enum type ({}) used by raw fields; its definition is not part of the design and is left as it is",
                    e.schema,
                    e.name,
                    e.labels.join(", ")
                ));
            }
        }
    }
}
