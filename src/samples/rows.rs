//! The row streams: what a [`TableLoad`] computes each row from, and the iterator.
//!
//! Every column draws from a random stream of its own, keyed by `(schema, table, column)`:
//! adding a column changes no other column's values, and the follow-up of a cycle recomputes
//! exactly the foreign keys the first load left out.

use std::sync::Arc;

use rand::RngExt;
use serde_json::{Map, Value, json};

use super::TableLoad;
use super::ids::{Permutation, Pool, SampleRng, key, mix, rng, row_id};
use super::values::{FieldGen, demo_user};

/// How often an optional foreign key is left empty.
const NULL_LINK_RATIO: f64 = 0.15;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// A designed table: one cell per column.
    Table {
        key: u64,
        cells: Vec<Cell>,
        rows: RowSet,
    },
    /// A linking table: `(source id, target id[, created_by])`.
    Links(Links),
    /// Demo users: `(id, email, raw_user_meta_data)`.
    Users { key: u64 },
    /// A cycle's staging rows: `(id, value)` of one deferred foreign key.
    FollowUp {
        key: u64,
        id: Cell,
        value: Cell,
        rows: RowSet,
    },
}

/// Which rows of a designed table a load holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowSet {
    Count(u64),
    /// Explicit rows; `indices` are the rows of this group (positions in `rows`).
    Explicit {
        rows: Arc<Vec<Map<String, Value>>>,
        indices: Arc<Vec<usize>>,
    },
}

impl RowSet {
    pub fn len(&self) -> u64 {
        match self {
            RowSet::Count(n) => *n,
            RowSet::Explicit { indices, .. } => indices.len() as u64,
        }
    }

    /// The `k`-th row of the set: its index in the table, and the explicit values if any.
    fn row(&self, k: u64) -> (u64, Option<&Map<String, Value>>) {
        match self {
            RowSet::Count(_) => (k, None),
            RowSet::Explicit { rows, indices } => {
                let i = indices[k as usize];
                (i as u64, Some(&rows[i]))
            }
        }
    }
}

/// How one column gets its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// The row's id, computed from the table key and the row index.
    Id {
        table: u64,
    },
    /// `created_by`: one of the owners.
    Owner(Pool),
    Field(FieldGen),
    Foreign(ForeignGen),
    /// Only what an explicit row gives (a system timestamp, say).
    Given,
}

/// A many-to-one or one-to-one foreign key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ForeignGen {
    pub pool: Pool,
    pub nullable: bool,
    pub one_to_one: bool,
    /// The pool starts with this many rows of the table itself (a self-reference).
    pub self_rows: Option<u64>,
    pub permutation: Permutation,
}

impl ForeignGen {
    fn value(&self, seed: u64, rng: &mut SampleRng, i: u64) -> Value {
        let n = self.pool.len();
        if n == 0 {
            return Value::Null;
        }
        if let Some(own) = self.self_rows {
            return self.self_reference(seed, rng, i, own);
        }
        if self.nullable && rng.random_bool(NULL_LINK_RATIO) {
            return Value::Null;
        }
        let j = if self.one_to_one {
            if i >= n {
                return Value::Null;
            }
            self.permutation.apply(i)
        } else {
            rng.random_range(0..n)
        };
        Value::String(self.pool.get(seed, j))
    }

    /// A row points at an earlier row of its own table (a tree, not a tangle) or at an
    /// existing row; a required one-to-one self-reference has to close a ring.
    fn self_reference(&self, seed: u64, rng: &mut SampleRng, i: u64, own: u64) -> Value {
        let extra = self.pool.len() - own;
        if self.one_to_one {
            return match (self.nullable, own) {
                (true, _) if i > 0 && rng.random_bool(0.6) => {
                    Value::String(self.pool.get(seed, i - 1))
                }
                (true, _) | (false, 0) => Value::Null,
                (false, own) => Value::String(self.pool.get(seed, (i + 1) % own)),
            };
        }
        let candidates = i.min(own) + extra;
        if self.nullable && (candidates == 0 || rng.random_bool(NULL_LINK_RATIO)) {
            return Value::Null;
        }
        if candidates == 0 {
            // The very first row of a required self-reference: itself.
            return Value::String(self.pool.get(seed, i));
        }
        let j = rng.random_range(0..candidates);
        let j = if j < i.min(own) {
            j
        } else {
            own + (j - i.min(own))
        };
        Value::String(self.pool.get(seed, j))
    }
}

/// A many-to-many linking table's pairs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Links {
    pub key: u64,
    pub source: Pool,
    pub target: Pool,
    /// Source and target are the same table: a row does not link to itself.
    pub self_link: bool,
    pub max_per_row: u64,
    pub owner: Option<Pool>,
}

impl Links {
    fn count_rng(&self, seed: u64) -> SampleRng {
        rng(seed, mix(self.key ^ 1))
    }

    /// How many targets source row `s` links to (from its own stream, so the total can be
    /// counted without picking the targets).
    fn links_of(&self, rng: &mut SampleRng, s: u64) -> u64 {
        let available = self.target.len() - u64::from(self.self_link && s < self.target.len());
        let max = self.max_per_row.min(available);
        if max == 0 {
            return 0;
        }
        rng.random_range(0..=max)
    }

    /// The number of pairs, by running the count stream once.
    pub fn total(&self, seed: u64) -> u64 {
        let mut rng = self.count_rng(seed);
        (0..self.source.len())
            .map(|s| self.links_of(&mut rng, s))
            .sum()
    }
}

/// The iterator of [`TableLoad::rows`].
pub struct Rows<'a> {
    load: &'a TableLoad,
    next: u64,
    rngs: Vec<SampleRng>,
    links: LinkState,
}

#[derive(Default)]
struct LinkState {
    source: u64,
    targets: Vec<u64>,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(load: &'a TableLoad) -> Rows<'a> {
        let seed = load.seed;
        let stream = |column: &str| rng(seed, key(&[&load.schema, &load.table, column]));
        let rngs = match &load.source {
            Source::Table { .. } | Source::FollowUp { .. } => {
                load.columns.iter().map(|c| stream(&c.name)).collect()
            }
            Source::Links(links) => {
                vec![links.count_rng(seed), stream("\0pick"), stream("\0owner")]
            }
            Source::Users { .. } => vec![stream("\0users")],
        };
        Rows {
            load,
            next: 0,
            rngs,
            links: LinkState::default(),
        }
    }

    fn cell(&mut self, k: usize, cell: &Cell, i: u64, given: Option<&Map<String, Value>>) -> Value {
        let seed = self.load.seed;
        if let Some(v) = given.and_then(|m| m.get(&self.load.columns[k].name)) {
            return v.clone();
        }
        let rng = &mut self.rngs[k];
        match cell {
            Cell::Id { table } => Value::String(row_id(seed, *table, i)),
            Cell::Owner(pool) if pool.is_empty() => Value::Null,
            Cell::Owner(pool) => Value::String(pool.get(seed, rng.random_range(0..pool.len()))),
            Cell::Field(field) => field.value(rng, i),
            Cell::Foreign(fk) => fk.value(seed, rng, i),
            Cell::Given => Value::Null,
        }
    }

    fn next_link(&mut self, links: &Links) -> Option<Vec<Value>> {
        let seed = self.load.seed;
        while self.links.targets.is_empty() {
            if self.links.source >= links.source.len() {
                return None;
            }
            let s = self.links.source;
            let k = links.links_of(&mut self.rngs[0], s);
            let n = links.target.len();
            let mut picked: Vec<u64> = Vec::with_capacity(k as usize);
            while (picked.len() as u64) < k {
                let j = self.rngs[1].random_range(0..n);
                if !(picked.contains(&j) || links.self_link && j == s) {
                    picked.push(j);
                }
            }
            picked.reverse();
            self.links.targets = picked;
            self.links.source += 1;
        }
        let s = self.links.source - 1;
        let j = self.links.targets.pop()?;
        let mut row = vec![
            Value::String(links.source.get(seed, s)),
            Value::String(links.target.get(seed, j)),
        ];
        if let Some(owners) = &links.owner {
            row.push(match owners.len() {
                0 => Value::Null,
                n => Value::String(owners.get(seed, self.rngs[2].random_range(0..n))),
            });
        }
        Some(row)
    }
}

impl Iterator for Rows<'_> {
    type Item = Vec<Value>;

    fn next(&mut self) -> Option<Vec<Value>> {
        let load = self.load;
        if self.next >= load.row_count {
            return None;
        }
        let k = self.next;
        self.next += 1;
        match &load.source {
            Source::Table { cells, rows, .. } => {
                let (i, given) = rows.row(k);
                Some(
                    cells
                        .iter()
                        .enumerate()
                        .map(|(c, cell)| self.cell(c, cell, i, given))
                        .collect(),
                )
            }
            Source::FollowUp {
                id, value, rows, ..
            } => {
                let (i, given) = rows.row(k);
                Some(vec![
                    self.cell(0, id, i, given),
                    self.cell(1, value, i, given),
                ])
            }
            Source::Links(links) => self.next_link(links),
            Source::Users { key } => {
                let (name, email) = demo_user(&mut self.rngs[0], k);
                Some(vec![
                    Value::String(row_id(load.seed, *key, k)),
                    Value::String(email),
                    json!({"full_name": name, "sample": true}),
                ])
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.load.row_count - self.next) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Rows<'_> {}
