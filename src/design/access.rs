//! Read-only questions about a design that several parts ask: effective names, the fields
//! that survive (system-field duplicates are dropped), the primary field, table lookup by
//! reference. Kept in one place so validation, resolution and the TUI agree.

use std::borrow::Cow;

use super::field_types::{Storage, is_system_field};
use super::model::{Design, Field, Relationship, Table};
use super::names::{NameKind, derive_db_name, derives_to};

impl Table {
    /// The PostgreSQL name: the explicit `db_name`, or one derived from `name`.
    pub fn db_name(&self) -> Cow<'_, str> {
        match &self.db_name {
            Some(explicit) => Cow::Borrowed(explicit),
            None => Cow::Owned(derive_db_name(&self.name, NameKind::Table)),
        }
    }

    /// `self.db_name() == db_name`, without deriving a copy of the name.
    pub fn has_db_name(&self, db_name: &str) -> bool {
        match &self.db_name {
            Some(explicit) => explicit == db_name,
            None => derives_to(&self.name, NameKind::Table, db_name),
        }
    }

    /// The fields that become part of the table, with their index in `fields`: a field whose
    /// column would be a system field (`id`, `created_at`, …) is dropped, as SPEC.md says.
    pub fn effective_fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !self.system_fields || !is_system_field(&f.db_name()))
    }

    /// The primary (display) field: the one marked `is_primary`, else the first text field
    /// with a column (validation warns when it has to choose). `None` when there is no
    /// candidate at all. With several marked, the first wins (validation reports an error).
    pub fn primary_field(&self) -> Option<(usize, &Field)> {
        self.effective_fields()
            .find(|(_, f)| f.is_primary)
            .or_else(|| self.implicit_primary_field())
    }

    /// The field chosen when none is marked.
    pub(crate) fn implicit_primary_field(&self) -> Option<(usize, &Field)> {
        self.effective_fields()
            .find(|(_, f)| f.field_type.is_text() && f.field_type.storage() == Storage::Column)
    }

    /// Finds a field by its `name` or its `db_name`.
    pub fn find_field(&self, reference: &str) -> Option<(usize, &Field)> {
        self.effective_fields()
            .find(|(_, f)| f.has_db_name(reference))
            .or_else(|| self.effective_fields().find(|(_, f)| f.name == reference))
    }
}

impl Field {
    /// The column name: the explicit `db_name`, or one derived from `name`.
    pub fn db_name(&self) -> Cow<'_, str> {
        match &self.db_name {
            Some(explicit) => Cow::Borrowed(explicit),
            None => Cow::Owned(derive_db_name(&self.name, NameKind::Field)),
        }
    }

    /// `self.db_name() == db_name`, without deriving a copy of the name.
    pub fn has_db_name(&self, db_name: &str) -> bool {
        match &self.db_name {
            Some(explicit) => explicit == db_name,
            None => derives_to(&self.name, NameKind::Field, db_name),
        }
    }
}

impl Design {
    /// Finds a designed table by `db_name` (preferred) or by `name`, as relationships and
    /// samples refer to tables.
    pub fn find_table(&self, reference: &str) -> Option<usize> {
        let reference = reference
            .strip_prefix(self.schema.as_str())
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(reference);
        self.tables
            .iter()
            .position(|t| t.has_db_name(reference))
            .or_else(|| self.tables.iter().position(|t| t.name == reference))
    }

    /// Every name a table can be referred to by, for suggestions (db_name first, so a tie
    /// suggests the canonical spelling).
    pub(crate) fn table_references(&self) -> Vec<String> {
        let mut names = Vec::new();
        for table in &self.tables {
            let db = table.db_name().into_owned();
            let differs = table.name != db;
            names.push(db);
            if differs {
                names.push(table.name.clone());
            }
        }
        names
    }

    /// The relationships held by table `index` (the table that gets the foreign key).
    pub fn relationships_of(&self, index: usize) -> impl Iterator<Item = (usize, &Relationship)> {
        self.relationships
            .iter()
            .enumerate()
            .filter(move |(_, r)| self.find_table(&r.table) == Some(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::FieldType;

    fn table() -> Table {
        let mut t = Table::new("Todo Items");
        t.fields = vec![
            Field::new("Created At", FieldType::DateTime),
            Field::new("done", FieldType::Checkbox),
            Field::new("Title", FieldType::SingleLineText),
            Field::new("Notes", FieldType::LongText),
        ];
        t
    }

    #[test]
    fn effective_fields_drop_system_duplicates() {
        let t = table();
        let names: Vec<_> = t
            .effective_fields()
            .map(|(i, f)| (i, f.name.as_str()))
            .collect();
        assert_eq!(names, [(1, "done"), (2, "Title"), (3, "Notes")]);
        assert_eq!(t.db_name(), "todo_items");
    }

    #[test]
    fn primary_field_is_marked_or_first_text() {
        let mut t = table();
        assert_eq!(t.primary_field().map(|(i, _)| i), Some(2));
        t.fields[3].is_primary = true;
        assert_eq!(t.primary_field().map(|(i, _)| i), Some(3));
        let empty = Table::new("x");
        assert!(empty.primary_field().is_none());
    }

    #[test]
    fn tables_are_found_by_db_name_or_name() {
        let mut d = Design::default();
        d.tables.push(table());
        assert_eq!(d.find_table("todo_items"), Some(0));
        assert_eq!(d.find_table("Todo Items"), Some(0));
        assert_eq!(d.find_table("public.todo_items"), Some(0));
        assert_eq!(d.find_table("todos"), None);
        assert_eq!(t_find(&d), Some((3, "Notes".to_string())));
    }

    fn t_find(d: &Design) -> Option<(usize, String)> {
        d.tables[0]
            .find_field("notes")
            .map(|(i, f)| (i, f.name.clone()))
    }
}
