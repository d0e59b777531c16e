//! The schema tree as a model: schemas → tables → columns, keys, indexes, policies and
//! triggers, over the live catalog plus the drafted design. Expand/collapse, the `/` filter
//! and the selection live here so they can be tested without a terminal; the widget only
//! draws the rows it is handed.
//!
//! The tree is flattened into the list of *visible* rows whenever its shape changes
//! (catalog, draft, expand, filter), so drawing and moving cost the height of the pane, not
//! the size of the database.

use std::collections::HashSet;

use crate::catalog::Catalog;

/// A table the design wants, as the tree shows it (computed from the resolved design).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftTable {
    pub schema: String,
    pub name: String,
    /// The live catalog already has the table; only some columns/policies are new.
    pub exists: bool,
    pub columns: Vec<DraftColumn>,
    /// Policies the design adds.
    pub policies: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftColumn {
    pub name: String,
    pub data_type: String,
    /// Not in the live table yet.
    pub new: bool,
}

/// What a row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Schema,
    Table,
    Column,
    Key,
    ForeignKey,
    Index,
    Policy,
    Trigger,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub depth: u8,
    pub kind: RowKind,
    pub label: String,
    /// Right-hand note: a type, `PK`, `managed`, `new`.
    pub detail: String,
    /// Drafted, not yet in the database.
    pub new: bool,
    /// In a Supabase-managed schema: shown dimmed, never designed in.
    pub managed: bool,
    /// `Some(expanded?)` for rows that have children.
    pub expanded: Option<bool>,
    pub schema: String,
    /// The table this row is or belongs to.
    pub table: Option<String>,
}

/// A node that can be expanded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum NodeId {
    Schema(String),
    Table(String, String),
}

#[derive(Clone, Debug, Default)]
pub struct Tree {
    rows: Vec<Row>,
    expanded: HashSet<NodeId>,
    /// Schemas the user collapsed (own schemas start expanded, managed ones collapsed).
    collapsed: HashSet<String>,
    filter: String,
    selected: usize,
    offset: usize,
}

impl Tree {
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    /// `(schema, table)` of the selected row, or of the table it belongs to.
    pub fn selected_table(&self) -> Option<(&str, &str)> {
        let row = self.selected_row()?;
        Some((row.schema.as_str(), row.table.as_deref()?))
    }

    /// Rebuilds the visible rows from the catalog and the drafted tables, keeping the
    /// selection on the same object when it is still there.
    pub fn rebuild(&mut self, catalog: Option<&Catalog>, drafts: &[DraftTable]) {
        let keep = self
            .selected_row()
            .map(|r| (r.schema.clone(), r.table.clone(), r.label.clone()));
        self.rows = self.build(catalog, drafts);
        self.selected = keep
            .and_then(|(schema, table, label)| {
                self.rows
                    .iter()
                    .position(|r| r.schema == schema && r.table == table && r.label == label)
                    .or_else(|| {
                        self.rows
                            .iter()
                            .position(|r| r.schema == schema && r.table == table)
                    })
            })
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }

    fn build(&self, catalog: Option<&Catalog>, drafts: &[DraftTable]) -> Vec<Row> {
        let needle = self.filter.to_lowercase();
        let matches = |schema: &str, table: &str| {
            needle.is_empty()
                || table.to_lowercase().contains(&needle)
                || format!("{schema}.{table}").to_lowercase().contains(&needle)
        };
        // Schemas: the user's own first (public leading), managed ones after, by name.
        let mut schemas: Vec<(String, bool)> = catalog
            .map(|c| {
                c.schemas
                    .iter()
                    .map(|s| (s.name.clone(), s.managed))
                    .collect()
            })
            .unwrap_or_default();
        for d in drafts {
            if !schemas.iter().any(|(s, _)| *s == d.schema) {
                schemas.push((d.schema.clone(), false));
            }
        }
        schemas.sort_by(|a, b| (a.1, a.0 != "public", &a.0).cmp(&(b.1, b.0 != "public", &b.0)));

        let mut rows = Vec::new();
        for (schema, managed) in schemas {
            let live: Vec<&crate::catalog::Table> = catalog
                .map(|c| c.tables_in(&schema).collect())
                .unwrap_or_default();
            let new_tables: Vec<&DraftTable> = drafts
                .iter()
                .filter(|d| d.schema == schema && !d.exists)
                .collect();
            let live_hits = live.iter().filter(|t| matches(&schema, &t.name)).count();
            let new_hits = new_tables
                .iter()
                .filter(|d| matches(&schema, &d.name))
                .count();
            if !needle.is_empty() && live_hits + new_hits == 0 {
                continue;
            }
            let open = if needle.is_empty() {
                !self.collapsed.contains(&schema)
                    && (!managed || self.expanded.contains(&NodeId::Schema(schema.clone())))
            } else {
                true
            };
            let count = live_hits + new_hits;
            rows.push(Row {
                depth: 0,
                kind: RowKind::Schema,
                label: schema.clone(),
                detail: if managed {
                    "managed".into()
                } else {
                    format!("{count}")
                },
                new: false,
                managed,
                expanded: Some(open),
                schema: schema.clone(),
                table: None,
            });
            if !open {
                continue;
            }
            for table in live.iter().filter(|t| matches(&schema, &t.name)) {
                let draft = drafts
                    .iter()
                    .find(|d| d.schema == schema && d.name == table.name);
                let open = self
                    .expanded
                    .contains(&NodeId::Table(schema.clone(), table.name.clone()));
                let changed = draft
                    .is_some_and(|d| d.columns.iter().any(|c| c.new) || !d.policies.is_empty());
                rows.push(Row {
                    depth: 1,
                    kind: RowKind::Table,
                    label: table.name.clone(),
                    detail: if catalog.is_some_and(|c| c.lock_on(&schema, &table.name).is_some()) {
                        // Another session held it locked past the lock timeout: listed by
                        // name, its details not read.
                        "locked".into()
                    } else if changed {
                        "changed".into()
                    } else if table.is_view() {
                        table.kind.label().into()
                    } else {
                        String::new()
                    },
                    new: false,
                    managed,
                    expanded: Some(open),
                    schema: schema.clone(),
                    table: Some(table.name.clone()),
                });
                if open {
                    live_children(&mut rows, table, draft, managed);
                }
            }
            for draft in new_tables.iter().filter(|d| matches(&schema, &d.name)) {
                let open = self
                    .expanded
                    .contains(&NodeId::Table(schema.clone(), draft.name.clone()));
                rows.push(Row {
                    depth: 1,
                    kind: RowKind::Table,
                    label: draft.name.clone(),
                    detail: "new".into(),
                    new: true,
                    managed: false,
                    expanded: Some(open),
                    schema: schema.clone(),
                    table: Some(draft.name.clone()),
                });
                if open {
                    draft_children(&mut rows, draft);
                }
            }
        }
        rows
    }

    fn node(&self) -> Option<NodeId> {
        let row = self.selected_row()?;
        match row.kind {
            RowKind::Schema => Some(NodeId::Schema(row.schema.clone())),
            RowKind::Table => Some(NodeId::Table(row.schema.clone(), row.table.clone()?)),
            _ => None,
        }
    }

    /// Expands the selected node; on a leaf or an open node, moves into it instead.
    /// Returns whether the rows must be rebuilt.
    pub fn expand(&mut self) -> bool {
        let Some(row) = self.selected_row() else {
            return false;
        };
        match row.expanded {
            Some(false) => {
                if let Some(node) = self.node() {
                    if let NodeId::Schema(s) = &node {
                        self.collapsed.remove(s);
                    }
                    self.expanded.insert(node);
                }
                true
            }
            Some(true) => {
                self.move_by(1);
                false
            }
            None => false,
        }
    }

    /// Collapses the selected node, or jumps to the parent of a child row.
    /// Returns whether the rows must be rebuilt.
    pub fn collapse(&mut self) -> bool {
        let Some(row) = self.selected_row() else {
            return false;
        };
        if row.expanded == Some(true) {
            match self.node() {
                Some(NodeId::Schema(s)) => {
                    self.expanded.remove(&NodeId::Schema(s.clone()));
                    self.collapsed.insert(s);
                }
                Some(node) => {
                    self.expanded.remove(&node);
                }
                None => {}
            }
            return true;
        }
        let depth = row.depth;
        if depth > 0
            && let Some(parent) = self.rows[..self.selected]
                .iter()
                .rposition(|r| r.depth < depth)
        {
            self.selected = parent;
            self.offset = self.offset.min(parent);
        }
        false
    }

    /// Sets the filter; the caller rebuilds.
    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_owned();
        self.selected = 0;
        self.offset = 0;
    }

    /// After a rebuild under a filter: put the selection on the first matching table.
    pub fn select_first_table(&mut self) {
        if let Some(i) = self.rows.iter().position(|r| r.kind == RowKind::Table) {
            self.selected = i;
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn home(&mut self) {
        self.selected = 0;
    }

    pub fn end(&mut self) {
        self.selected = self.rows.len().saturating_sub(1);
    }

    /// Moves the scroll offset so the selection is inside a window `height` rows tall.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = window_offset(self.offset, self.selected, height);
    }

    /// Scrolls the window by `delta` rows without moving the selection off screen.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let max = self.rows.len().saturating_sub(height);
        self.offset = self.offset.saturating_add_signed(delta).min(max);
        let bottom = self.offset + height.saturating_sub(1);
        self.selected = self.selected.clamp(self.offset, bottom.max(self.offset));
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// Selects the `index`-th row of the visible window (a mouse click).
    pub fn click(&mut self, index: usize, height: usize) -> bool {
        let offset = window_offset(self.offset, self.selected, height);
        let row = offset + index;
        if row < self.rows.len() {
            self.offset = offset;
            self.selected = row;
            true
        } else {
            false
        }
    }

    /// The rows a window `height` tall shows, and the index of the first.
    pub fn window(&self, height: usize) -> (usize, &[Row]) {
        let offset = window_offset(self.offset, self.selected, height);
        let end = (offset + height).min(self.rows.len());
        (offset, &self.rows[offset.min(end)..end])
    }
}

/// The first row of a `height`-row window that shows `selected`, moving as little as
/// possible from `offset`.
fn window_offset(offset: usize, selected: usize, height: usize) -> usize {
    if height == 0 {
        return selected;
    }
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}

fn child(kind: RowKind, label: String, detail: String, t: &Row) -> Row {
    Row {
        depth: 2,
        kind,
        label,
        detail,
        new: false,
        managed: t.managed,
        expanded: None,
        schema: t.schema.clone(),
        table: t.table.clone(),
    }
}

fn live_children(
    rows: &mut Vec<Row>,
    table: &crate::catalog::Table,
    draft: Option<&DraftTable>,
    managed: bool,
) {
    let parent = rows.last().expect("the table row was pushed").clone();
    let pk: &[String] = table
        .primary_key
        .as_ref()
        .map_or(&[], |k| k.columns.as_slice());
    for c in &table.columns {
        let mut detail = c.data_type.clone();
        if pk.contains(&c.name) {
            detail.push_str("  PK");
        }
        rows.push(child(RowKind::Column, c.name.clone(), detail, &parent));
    }
    if let Some(draft) = draft {
        for c in draft.columns.iter().filter(|c| c.new) {
            let mut row = child(
                RowKind::Column,
                c.name.clone(),
                c.data_type.clone(),
                &parent,
            );
            row.new = true;
            rows.push(row);
        }
    }
    for k in table.primary_key.iter().chain(&table.unique_constraints) {
        rows.push(child(
            RowKind::Key,
            k.name.clone(),
            k.columns.join(", "),
            &parent,
        ));
    }
    for fk in &table.foreign_keys {
        rows.push(child(
            RowKind::ForeignKey,
            fk.columns.join(", "),
            format!("→ {}.{}", fk.references_schema, fk.references_table),
            &parent,
        ));
    }
    for i in &table.indexes {
        rows.push(child(
            RowKind::Index,
            i.name.clone(),
            String::new(),
            &parent,
        ));
    }
    for p in &table.policies {
        rows.push(child(
            RowKind::Policy,
            p.name.clone(),
            p.command.sql().into(),
            &parent,
        ));
    }
    if let Some(draft) = draft {
        for p in &draft.policies {
            let mut row = child(RowKind::Policy, p.clone(), "new".into(), &parent);
            row.new = true;
            rows.push(row);
        }
    }
    for t in &table.triggers {
        rows.push(child(
            RowKind::Trigger,
            t.name.clone(),
            String::new(),
            &parent,
        ));
    }
    let _ = managed;
}

fn draft_children(rows: &mut Vec<Row>, draft: &DraftTable) {
    let parent = rows.last().expect("the table row was pushed").clone();
    for c in &draft.columns {
        let mut row = child(
            RowKind::Column,
            c.name.clone(),
            c.data_type.clone(),
            &parent,
        );
        row.new = true;
        rows.push(row);
    }
    for p in &draft.policies {
        let mut row = child(RowKind::Policy, p.clone(), "new".into(), &parent);
        row.new = true;
        rows.push(row);
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
