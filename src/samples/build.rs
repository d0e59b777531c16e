//! From a resolved design to the ordered load steps: which tables get rows, what each column
//! is computed from, the order foreign keys need, and how cycles are broken.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::explicit::validate_rows;
use super::ids::{Permutation, Pool, is_uuid, key, row_id};
use super::rows::{Cell, ForeignGen, Links, RowSet, Source};
use super::values::FieldGen;
use super::{Column, LoadKind, Options, Owners, SampleError, SampleSet, SampleStep, TableLoad};
use crate::design::{
    FieldKind, FieldType, PgType, RelationshipKind, ResolvedDesign, ResolvedSampleSpec,
    SYSTEM_FIELDS, Target,
};
use crate::sql::{ident, qualified};

/// Generates the sample rows of `design` (lazily: see [`TableLoad::rows`]).
///
/// Pure and deterministic: the same design and options give the same steps and rows.
/// Errors name the table, and the row and field where there is one.
pub fn generate(design: &ResolvedDesign, options: &Options) -> Result<SampleSet, SampleError> {
    Builder::new(design, options)?.build()
}

struct Builder<'a> {
    design: &'a ResolvedDesign,
    options: &'a Options,
    /// The sample rows of each designed table, if it gets any.
    rows: Vec<Option<RowSet>>,
    /// The ids a foreign key into each designed table may take.
    pools: Vec<Pool>,
    owners: Option<Pool>,
}

fn table_key(schema: &str, table: &str) -> u64 {
    key(&[schema, table])
}

impl<'a> Builder<'a> {
    fn new(design: &'a ResolvedDesign, options: &'a Options) -> Result<Builder<'a>, SampleError> {
        let seed = options.seed;
        let owners = match &options.owners {
            Owners::Existing(ids) => Some((&("auth".to_string(), "users".to_string()), ids)),
            _ => None,
        };
        // Only keys the design itself makes (designed tables' `id`) and `auth.users` ids are
        // uuids; a live table outside the design keeps its own key type (a `bigint` identity,
        // text…), and its ids go into the COPY in their text form, which the server parses.
        let uuid_keyed = |schema: &str, table: &str| {
            (schema, table) == ("auth", "users")
                || (schema == design.schema && design.tables.iter().any(|t| t.db_name == table))
        };
        let uuid_keyed_ids = options
            .existing
            .iter()
            .filter(|((schema, table), _)| uuid_keyed(schema, table))
            .chain(owners);
        for ((schema, table), ids) in uuid_keyed_ids {
            if let Some(id) = ids.iter().find(|id| !is_uuid(id)) {
                return Err(SampleError::NotAUuid {
                    table: format!("{schema}.{table}"),
                    id: id.clone(),
                });
            }
        }
        let mut rows: Vec<Option<RowSet>> = vec![None; design.tables.len()];
        for samples in &design.samples {
            rows[samples.table] = match &samples.spec {
                ResolvedSampleSpec::Count(0) => None,
                ResolvedSampleSpec::Count(n) => Some(RowSet::Count(*n)),
                ResolvedSampleSpec::Rows(given) if given.is_empty() => None,
                ResolvedSampleSpec::Rows(given) => {
                    validate_rows(design, samples.table, given)?;
                    Some(RowSet::Explicit {
                        rows: Arc::new(given.clone()),
                        indices: Arc::new((0..given.len()).collect()),
                    })
                }
            };
        }
        let pools = design
            .tables
            .iter()
            .zip(&rows)
            .map(|(table, set)| {
                let tk = table_key(&design.schema, &table.db_name);
                let mut listed = match set {
                    Some(RowSet::Explicit { rows, .. }) => rows
                        .iter()
                        .enumerate()
                        .map(|(i, row)| match row.get("id").and_then(Value::as_str) {
                            Some(id) => id.to_string(),
                            None => row_id(seed, tk, i as u64),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                listed.extend(existing(options, &design.schema, &table.db_name));
                Pool {
                    generated: match set {
                        Some(RowSet::Count(n)) => Some((tk, *n)),
                        _ => None,
                    },
                    listed: Arc::new(dedup(listed)),
                }
            })
            .collect();
        let owners = match &options.owners {
            Owners::None => None,
            Owners::Existing(ids) => Some(Pool {
                generated: None,
                listed: Arc::new(dedup(ids.clone())),
            }),
            Owners::Generated(n) => Some(Pool {
                generated: Some((table_key("auth", "users"), u64::from(*n))),
                listed: Arc::new(Vec::new()),
            }),
        };
        Ok(Builder {
            design,
            options,
            rows,
            pools,
            owners,
        })
    }

    /// The pool of a relationship's target.
    fn target_pool(&self, target: &Target) -> Pool {
        match target {
            Target::Designed { index, .. } => self.pools[*index].clone(),
            Target::External { schema, table } => {
                let mut listed: Vec<String> = existing(self.options, schema, table).collect();
                let mut generated = None;
                if (schema.as_str(), table.as_str()) == ("auth", "users")
                    && let Some(owners) = &self.owners
                {
                    generated = owners.generated;
                    listed.extend(owners.listed.iter().cloned());
                }
                Pool {
                    generated,
                    listed: Arc::new(dedup(listed)),
                }
            }
        }
    }

    fn build(self) -> Result<SampleSet, SampleError> {
        let (order, deferred) = self.order()?;
        let mut steps = Vec::new();
        if let Owners::Generated(n @ 1..) = self.options.owners {
            steps.push(SampleStep::Copy(Box::new(TableLoad {
                schema: "auth".into(),
                table: "users".into(),
                columns: vec![
                    column("id", PgType::Uuid),
                    column("email", PgType::Text),
                    column("raw_user_meta_data", PgType::Jsonb),
                ],
                row_count: u64::from(n),
                kind: LoadKind::DemoUsers,
                seed: self.options.seed,
                source: Source::Users {
                    key: table_key("auth", "users"),
                },
            })));
        }
        for &ti in &order {
            self.table_steps(ti, &deferred, &mut steps)?;
        }
        for (n, &ri) in deferred.iter().enumerate() {
            self.follow_up(ri, n, &mut steps)?;
        }
        for rel in &self.design.relationships {
            if let RelationshipKind::Linking {
                table,
                source_column,
                target_column,
                ..
            } = &rel.kind
            {
                self.links(
                    rel.table,
                    &rel.target,
                    table,
                    source_column,
                    target_column,
                    &mut steps,
                );
            }
        }
        Ok(SampleSet { steps })
    }

    /// The designed tables with rows, in an order where every foreign key points at a table
    /// already filled, and the relationships deferred to break cycles.
    fn order(&self) -> Result<(Vec<usize>, BTreeSet<usize>), SampleError> {
        let design = self.design;
        let loaded = |ti: usize| self.rows[ti].is_some();
        // (from, to, relationship, nullable)
        let edges: Vec<(usize, usize, usize, bool)> = design
            .relationships
            .iter()
            .enumerate()
            .filter_map(|(ri, rel)| match (&rel.kind, &rel.target) {
                (RelationshipKind::ForeignKey { nullable, .. }, Target::Designed { index, .. })
                    if *index != rel.table && loaded(rel.table) && loaded(*index) =>
                {
                    Some((rel.table, *index, ri, *nullable))
                }
                _ => None,
            })
            .collect();
        let mut deferred = BTreeSet::new();
        let mut done = vec![false; design.tables.len()];
        let mut order = Vec::new();
        let pending = |done: &[bool], deferred: &BTreeSet<usize>, ti: usize| {
            edges
                .iter()
                .filter(move |e| e.0 == ti && !done[e.1] && !deferred.contains(&e.2))
                .copied()
                .collect::<Vec<_>>()
        };
        loop {
            let mut progress = false;
            for ti in (0..design.tables.len()).filter(|&t| loaded(t)) {
                if !done[ti] && pending(&done, &deferred, ti).is_empty() {
                    done[ti] = true;
                    order.push(ti);
                    progress = true;
                }
            }
            let Some(start) = (0..design.tables.len()).find(|&t| loaded(t) && !done[t]) else {
                return Ok((order, deferred));
            };
            if progress {
                continue;
            }
            // Stalled: every table left waits on another one left, so walking the waits
            // from any of them runs into a cycle.
            let mut path: Vec<(usize, usize, usize, bool)> = Vec::new();
            let mut at = start;
            let cycle = loop {
                let edge = pending(&done, &deferred, at)[0];
                if let Some(p) = path.iter().position(|e| e.0 == edge.1) {
                    path.push(edge);
                    break path.split_off(p);
                }
                if edge.1 == start {
                    path.push(edge);
                    break path;
                }
                path.push(edge);
                at = edge.1;
            };
            match cycle.iter().find(|e| e.3) {
                Some(edge) => {
                    deferred.insert(edge.2);
                }
                None => {
                    let mut names: Vec<String> = cycle
                        .iter()
                        .map(|e| {
                            let column = match &design.relationships[e.2].kind {
                                RelationshipKind::ForeignKey { column, .. } => column.as_str(),
                                RelationshipKind::Linking { .. } => "",
                            };
                            format!("{}.{column}", design.tables[e.0].db_name)
                        })
                        .collect();
                    names.push(design.tables[cycle[0].0].db_name.clone());
                    return Err(SampleError::RequiredCycle { cycle: names });
                }
            }
        }
    }

    /// The foreign-key cell of relationship `ri` for rows of its table.
    fn foreign(&self, ri: usize) -> Result<(String, Cell), SampleError> {
        let rel = &self.design.relationships[ri];
        let RelationshipKind::ForeignKey {
            column,
            nullable,
            unique_constraint,
            ..
        } = &rel.kind
        else {
            unreachable!("only foreign keys are cells");
        };
        let table = &self.design.tables[rel.table].db_name;
        let pool = self.target_pool(&rel.target);
        let rows = self.rows[rel.table].as_ref().map_or(0, RowSet::len);
        let self_rows = match &rel.target {
            Target::Designed { index, .. } if *index == rel.table => {
                Some(pool.len() - pool.listed.len() as u64 + self.explicit_count(rel.table))
            }
            _ => None,
        };
        let target_name = match &rel.target {
            Target::Designed { db_name, .. } => db_name.clone(),
            Target::External { schema, table } => format!("{schema}.{table}"),
        };
        if !nullable && pool.is_empty() {
            return Err(SampleError::NoRowsToReference {
                table: table.clone(),
                column: column.clone(),
                target: target_name,
            });
        }
        let one_to_one = unique_constraint.is_some();
        if one_to_one && !nullable && self_rows.is_none() && rows > pool.len() {
            return Err(SampleError::NotEnoughTargets {
                table: table.clone(),
                column: column.clone(),
                target: target_name,
                rows,
                available: pool.len(),
            });
        }
        let salt = key(&[&self.design.schema, table, column]) ^ self.options.seed;
        Ok((
            column.clone(),
            Cell::Foreign(ForeignGen {
                permutation: Permutation::new(pool.len(), salt),
                pool,
                nullable: *nullable,
                one_to_one,
                self_rows,
            }),
        ))
    }

    fn explicit_count(&self, ti: usize) -> u64 {
        match &self.rows[ti] {
            Some(RowSet::Explicit { rows, .. }) => rows.len() as u64,
            _ => 0,
        }
    }

    /// The loads of one designed table: one for a count, one per column set for explicit rows.
    fn table_steps(
        &self,
        ti: usize,
        deferred: &BTreeSet<usize>,
        steps: &mut Vec<SampleStep>,
    ) -> Result<(), SampleError> {
        let design = self.design;
        let table = &design.tables[ti];
        let tk = table_key(&design.schema, &table.db_name);
        let set = self.rows[ti].as_ref().expect("ordered tables have rows");
        let mut auto: Vec<(Column, Cell)> =
            vec![(column("id", PgType::Uuid), Cell::Id { table: tk })];
        for (ri, rel) in design.relationships.iter().enumerate() {
            if rel.table == ti
                && matches!(rel.kind, RelationshipKind::ForeignKey { .. })
                && !deferred.contains(&ri)
            {
                let (name, cell) = self.foreign(ri)?;
                auto.push((column(&name, PgType::Uuid), cell));
            }
        }
        if let Some(owners) = &self.owners {
            auto.push((
                column("created_by", PgType::Uuid),
                Cell::Owner(owners.clone()),
            ));
        }
        let fields = table
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Column)
            .filter_map(|f| Some((column(&f.db_name, f.pg_type?), FieldGen::new(f))));
        match set {
            RowSet::Count(n) => {
                let mut cells = Vec::new();
                cells.push(auto.remove(0));
                // A raw type's values are unknown: its column is left out, so it gets its
                // default (an explicit NULL would override one).
                for (col, field) in fields.filter(|(_, f)| f.field_type != FieldType::Raw) {
                    if let Some(possible) = field.capacity().filter(|p| field.unique && p < n) {
                        return Err(SampleError::UniqueCapacity {
                            table: table.db_name.clone(),
                            field: field.column.clone(),
                            wanted: *n,
                            possible,
                        });
                    }
                    cells.push((col, Cell::Field(field)));
                }
                cells.extend(auto);
                steps.push(self.table_load(
                    tk,
                    &table.db_name,
                    cells,
                    set.clone(),
                    LoadKind::Generated,
                ));
            }
            RowSet::Explicit { rows, .. } => {
                let fields: Vec<(Column, FieldGen)> = fields.collect();
                for (given, indices) in groups(rows) {
                    let mut cells: Vec<(Column, Cell)> = Vec::new();
                    cells.push(auto[0].clone());
                    for (col, field) in &fields {
                        if given.contains(&col.name) {
                            cells.push((col.clone(), Cell::Field(field.clone())));
                        }
                    }
                    cells.extend(auto[1..].iter().cloned());
                    for system in SYSTEM_FIELDS.iter().filter(|s| given.contains(s.db_name)) {
                        if !cells.iter().any(|(c, _)| c.name == system.db_name) {
                            cells.push((column(system.db_name, system.pg_type), Cell::Given));
                        }
                    }
                    let subset = RowSet::Explicit {
                        rows: rows.clone(),
                        indices: Arc::new(indices),
                    };
                    steps.push(self.table_load(
                        tk,
                        &table.db_name,
                        cells,
                        subset,
                        LoadKind::Explicit,
                    ));
                }
            }
        }
        Ok(())
    }

    fn table_load(
        &self,
        tk: u64,
        table: &str,
        cells: Vec<(Column, Cell)>,
        rows: RowSet,
        kind: LoadKind,
    ) -> SampleStep {
        let (columns, cells) = cells.into_iter().unzip();
        SampleStep::Copy(Box::new(TableLoad {
            schema: self.design.schema.clone(),
            table: table.to_string(),
            columns,
            row_count: rows.len(),
            kind,
            seed: self.options.seed,
            source: Source::Table {
                key: tk,
                cells,
                rows,
            },
        }))
    }

    /// The second half of a cycle: stage `(id, fk)` in `pg_temp`, then one `UPDATE … FROM`.
    fn follow_up(
        &self,
        ri: usize,
        n: usize,
        steps: &mut Vec<SampleStep>,
    ) -> Result<(), SampleError> {
        let design = self.design;
        let rel = &design.relationships[ri];
        let table = &design.tables[rel.table].db_name;
        let tk = table_key(&design.schema, table);
        let rows = self.rows[rel.table]
            .clone()
            .expect("deferred keys are of loaded tables");
        let rows = match rows {
            RowSet::Explicit { rows, .. } => RowSet::Explicit {
                indices: Arc::new((0..rows.len()).collect()),
                rows,
            },
            count => count,
        };
        let (fk, cell) = self.foreign(ri)?;
        let staging = format!("schemaforge_samples_fix_{n}");
        let staged = qualified("pg_temp", &staging);
        steps.push(SampleStep::Sql(format!(
            "CREATE TEMPORARY TABLE {} (\"id\" uuid PRIMARY KEY, {} uuid)",
            ident(&staging),
            ident(&fk)
        )));
        steps.push(SampleStep::Copy(Box::new(TableLoad {
            schema: "pg_temp".into(),
            table: staging.clone(),
            columns: vec![column("id", PgType::Uuid), column(&fk, PgType::Uuid)],
            row_count: rows.len(),
            kind: LoadKind::FollowUp,
            seed: self.options.seed,
            source: Source::FollowUp {
                key: tk,
                id: Cell::Id { table: tk },
                value: cell,
                rows,
            },
        })));
        steps.push(SampleStep::Sql(format!(
            "UPDATE {} AS dst SET {col} = src.{col} FROM {staged} AS src \
             WHERE dst.\"id\" = src.\"id\" AND src.{col} IS NOT NULL",
            qualified(&design.schema, table),
            col = ident(&fk),
        )));
        steps.push(SampleStep::Sql(format!("DROP TABLE {staged}")));
        Ok(())
    }

    fn links(
        &self,
        ti: usize,
        target: &Target,
        linking: &str,
        source_column: &str,
        target_column: &str,
        steps: &mut Vec<SampleStep>,
    ) {
        let mut source = self.pools[ti].clone();
        // Only the new rows link; existing rows of the source table are left as they are.
        let explicit = self.explicit_count(ti) as usize;
        source.listed = Arc::new(source.listed[..explicit].to_vec());
        let target_pool = self.target_pool(target);
        if source.is_empty() || target_pool.is_empty() || self.options.links_per_row == 0 {
            return;
        }
        let mut columns = vec![
            column(source_column, PgType::Uuid),
            column(target_column, PgType::Uuid),
        ];
        if self.owners.is_some() {
            columns.push(column("created_by", PgType::Uuid));
        }
        let links = Links {
            key: table_key(&self.design.schema, linking),
            source,
            target: target_pool,
            self_link: matches!(target, Target::Designed { index, .. } if *index == ti),
            max_per_row: u64::from(self.options.links_per_row),
            owner: self.owners.clone(),
        };
        let row_count = links.total(self.options.seed);
        if row_count == 0 {
            return;
        }
        steps.push(SampleStep::Copy(Box::new(TableLoad {
            schema: self.design.schema.clone(),
            table: linking.to_string(),
            columns,
            row_count,
            kind: LoadKind::Links,
            seed: self.options.seed,
            source: Source::Links(links),
        })));
    }
}

fn column(name: &str, pg_type: PgType) -> Column {
    Column {
        name: name.to_string(),
        pg_type,
    }
}

fn existing<'o>(
    options: &'o Options,
    schema: &str,
    table: &str,
) -> impl Iterator<Item = String> + 'o {
    options
        .existing
        .get(&(schema.to_string(), table.to_string()))
        .into_iter()
        .flatten()
        .cloned()
}

fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Explicit rows grouped by the set of columns they give, in order of first appearance.
fn groups(rows: &[Map<String, Value>]) -> Vec<(BTreeSet<String>, Vec<usize>)> {
    let mut out: Vec<(BTreeSet<String>, Vec<usize>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let given: BTreeSet<String> = row.keys().cloned().collect();
        match out.iter_mut().find(|(g, _)| *g == given) {
            Some((_, indices)) => indices.push(i),
            None => out.push((given, vec![i])),
        }
    }
    out
}
