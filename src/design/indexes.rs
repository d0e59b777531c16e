//! A table's designed indexes: how a key (`"created_at DESC"`) is read, which columns a table
//! offers to index, and the name an index gets. Validation, resolution, the planner and the
//! TUI's index form all ask here, so they agree on every key and name.

use super::field_types::{FieldType, PgType, Storage};
use super::model::{Design, IndexMethod, Table, TableIndex};
use super::names::{index_name, relationship_column};
use super::system_fields::SYSTEM_FIELDS;

/// The sort orders a key may end with, as the design writes them.
pub const SORT_ORDERS: [&str; 8] = [
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "ASC NULLS FIRST",
    "ASC NULLS LAST",
    "DESC NULLS FIRST",
    "DESC NULLS LAST",
];

/// One key of an index: a column and its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    /// The column's name in the database.
    pub column: String,
    pub descending: bool,
    /// NULLs sort first: PostgreSQL's default is first for DESC, last for ASC.
    pub nulls_first: bool,
}

impl IndexKey {
    pub fn ascending(column: impl Into<String>) -> IndexKey {
        IndexKey {
            column: column.into(),
            descending: false,
            nulls_first: false,
        }
    }

    /// Whether the order differs from plain ascending (only btree keeps an order).
    pub fn has_order(&self) -> bool {
        self.descending || self.nulls_first
    }

    /// The order as the design writes it after the column (`""`, `"DESC"`, `"NULLS FIRST"`,
    /// `"DESC NULLS LAST"`): the shortest text that means it.
    pub fn order_text(&self) -> &'static str {
        match (self.descending, self.nulls_first) {
            (false, false) => "",
            (false, true) => "NULLS FIRST",
            (true, true) => "DESC",
            (true, false) => "DESC NULLS LAST",
        }
    }

    /// The key as a design writes it: `created_at`, `created_at DESC`.
    pub fn design_text(&self) -> String {
        match self.order_text() {
            "" => self.column.clone(),
            order => format!("{} {order}", self.column),
        }
    }
}

/// A key as written, split into the column reference and its order; `order` is the unparsed
/// tail when it is not one of [`SORT_ORDERS`] (the caller reports it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenKey<'a> {
    pub column: &'a str,
    pub order: Result<(bool, bool), &'a str>,
}

/// Splits `"b DESC"` into `b` and its order. The column is what is left once a known order
/// is taken off the end, so a column named with spaces still works. When the text ends with
/// words that are no order, the last one is returned as a bad order (`"b DECS"`) only when
/// `is_column` accepts what stands before it; otherwise the whole text is the column.
pub fn split_key<'a>(text: &'a str, is_column: &dyn Fn(&str) -> bool) -> WrittenKey<'a> {
    let trimmed = text.trim();
    for order in SORT_ORDERS.iter().rev() {
        let Some(head) = strip_suffix_words(trimmed, order) else {
            continue;
        };
        let descending = order.starts_with("DESC");
        let nulls_first = if order.ends_with("NULLS FIRST") {
            true
        } else if order.ends_with("NULLS LAST") {
            false
        } else {
            descending
        };
        return WrittenKey {
            column: head,
            order: Ok((descending, nulls_first)),
        };
    }
    if !is_column(trimmed)
        && let Some((head, tail)) = trimmed.rsplit_once(char::is_whitespace)
        && is_column(head.trim_end())
    {
        return WrittenKey {
            column: head.trim_end(),
            order: Err(tail),
        };
    }
    WrittenKey {
        column: trimmed,
        order: Ok((false, false)),
    }
}

/// `text` without `words` at its end (case-insensitive, any spacing), when there is a
/// column before them.
fn strip_suffix_words<'a>(text: &'a str, words: &str) -> Option<&'a str> {
    let mut rest = text;
    for word in words.split(' ').rev() {
        let cut = rest.len().checked_sub(word.len())?;
        if !rest.is_char_boundary(cut) || !rest[cut..].eq_ignore_ascii_case(word) {
            return None;
        }
        let before = &rest[..cut];
        if !before.ends_with(char::is_whitespace) {
            return None;
        }
        rest = before.trim_end();
    }
    (!rest.is_empty()).then_some(rest)
}

/// A column a table's index may use, with what decides which methods suit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexableColumn {
    pub db_name: String,
    /// The field's name when it is a designed field (keys may use either).
    pub field_name: Option<String>,
    /// The column type as DDL writes it (`jsonb`, `text[]`, a raw type).
    pub sql_type: String,
}

impl IndexableColumn {
    /// Whether a GIN index has a default operator class for this type: jsonb, arrays and
    /// tsvector (full-text search).
    pub fn suits_gin(&self) -> bool {
        let t = self.sql_type.trim().to_ascii_lowercase();
        t == "jsonb" || t.ends_with("[]") || t == "tsvector"
    }

    /// GiST and SP-GiST need a geometric, range, network or full-text type.
    pub fn suits_gist(&self) -> bool {
        let t = self.sql_type.trim().to_ascii_lowercase();
        t == "tsvector"
            || t.ends_with("range")
            || t.ends_with("multirange")
            || [
                "point", "box", "polygon", "circle", "inet", "cidr", "tsquery",
            ]
            .contains(&t.as_str())
    }
}

/// The columns of designed table `ti` an index may use: its fields with a column, the system
/// fields, and the columns of the relationships it holds (`<name>_id`).
pub fn indexable_columns(design: &Design, ti: usize) -> Vec<IndexableColumn> {
    let table = &design.tables[ti];
    let mut out = Vec::new();
    if table.system_fields {
        out.extend(SYSTEM_FIELDS.iter().map(|f| IndexableColumn {
            db_name: f.db_name.to_owned(),
            field_name: None,
            sql_type: f.pg_type.sql(),
        }));
    }
    for (_, field) in table.effective_fields() {
        if !matches!(
            field.field_type.storage(),
            Storage::Column | Storage::Generated
        ) {
            continue;
        }
        let sql_type = match field.field_type {
            FieldType::Raw => field.options.sql_type.clone().unwrap_or_default(),
            t => t.pg_type(&field.options).unwrap_or(PgType::Text).sql(),
        };
        out.push(IndexableColumn {
            db_name: field.db_name().into_owned(),
            field_name: Some(field.name.clone()),
            sql_type,
        });
    }
    if table.soft_delete {
        out.push(IndexableColumn {
            db_name: super::names::SOFT_DELETE_COLUMN.to_owned(),
            field_name: None,
            sql_type: PgType::Timestamptz.sql(),
        });
    }
    for (_, rel) in design.relationships_of(ti) {
        if rel.allow_multiple {
            continue;
        }
        out.push(IndexableColumn {
            db_name: relationship_column(&rel.name),
            field_name: None,
            sql_type: "uuid".into(),
        });
    }
    out
}

/// The column a key refers to: by column name first, then by field name.
pub fn find_column<'a>(
    columns: &'a [IndexableColumn],
    reference: &str,
) -> Option<&'a IndexableColumn> {
    columns.iter().find(|c| c.db_name == reference).or_else(|| {
        columns
            .iter()
            .find(|c| c.field_name.as_deref() == Some(reference))
    })
}

/// The keys of a designed index, with column references turned into column names; `None`
/// when a key names no column of the table or has a bad order (validation says which).
pub fn index_keys(columns: &[IndexableColumn], index: &TableIndex) -> Option<Vec<IndexKey>> {
    index
        .columns
        .iter()
        .map(|text| {
            let is_column = |c: &str| find_column(columns, c).is_some();
            let key = split_key(text, &is_column);
            let (descending, nulls_first) = key.order.ok()?;
            Some(IndexKey {
                column: find_column(columns, key.column)?.db_name.clone(),
                descending,
                nulls_first,
            })
        })
        .collect()
}

/// The index's name: the one given, else `idx_<table>_<col1>_<col2>…` (fitted to 63 bytes).
pub fn designed_index_name(table: &Table, keys: &[IndexKey], index: &TableIndex) -> String {
    match &index.name {
        Some(name) => name.clone(),
        None => {
            let columns: Vec<&str> = keys.iter().map(|k| k.column.as_str()).collect();
            index_name(&table.db_name(), &columns)
        }
    }
}

/// The names of the indexes schemaforge creates by itself, for every table at once:
/// `created_by`'s (system fields) and one per many-to-one relationship column, with what
/// makes each. Each relationship's table is looked up once, not once per table.
pub fn implicit_index_names(design: &Design) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for table in design.tables.iter().filter(|t| t.system_fields) {
        out.push((
            index_name(&table.db_name(), &["created_by"]),
            "the system field \"created_by\"".to_owned(),
        ));
    }
    for rel in &design.relationships {
        if rel.allow_multiple || rel.one_to_one {
            continue;
        }
        let Some(ti) = design.find_table(&rel.table) else {
            continue;
        };
        let column = relationship_column(&rel.name);
        out.push((
            index_name(&design.tables[ti].db_name(), &[&column]),
            format!("the relationship \"{}\"", rel.name),
        ));
    }
    out
}

/// The method's own word for the picker and the README: what it is good for.
pub fn method_description(method: IndexMethod) -> &'static str {
    match method {
        IndexMethod::Btree => "equality, ranges and sorting (the default)",
        IndexMethod::Hash => "equality only, one column",
        IndexMethod::Gin => "jsonb, arrays and full-text (tsvector)",
        IndexMethod::Gist => "geometric, range and full-text types",
        IndexMethod::Brin => "huge tables ordered by the column (e.g. append-only timestamps)",
        IndexMethod::Spgist => "points, ranges and text prefixes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &str) -> bool {
        false
    }

    #[test]
    fn keys_split_into_column_and_order() {
        let k = split_key("created_at DESC", &any);
        assert_eq!(k.column, "created_at");
        assert_eq!(k.order, Ok((true, true)));
        let k = split_key("  due date  desc  nulls last", &any);
        assert_eq!(k.column, "due date");
        assert_eq!(k.order, Ok((true, false)));
        let k = split_key("a NULLS FIRST", &any);
        assert_eq!(k.order, Ok((false, true)));
        assert_eq!(split_key("title", &any).order, Ok((false, false)));
        // A bad order is reported only when the rest is a column.
        let k = split_key("b DECS", &|c| c == "b");
        assert_eq!((k.column, k.order), ("b", Err("DECS")));
        let k = split_key("Due date", &|c| c == "b");
        assert_eq!((k.column, k.order), ("Due date", Ok((false, false))));
        // "DESC" alone is a column called DESC, not an order of nothing.
        assert_eq!(split_key("DESC", &any).column, "DESC");
    }

    #[test]
    fn orders_print_in_their_shortest_form() {
        let key = |descending, nulls_first| IndexKey {
            column: "c".into(),
            descending,
            nulls_first,
        };
        assert_eq!(key(false, false).design_text(), "c");
        assert_eq!(key(true, true).design_text(), "c DESC");
        assert_eq!(key(true, false).design_text(), "c DESC NULLS LAST");
        assert_eq!(key(false, true).design_text(), "c NULLS FIRST");
        for order in SORT_ORDERS {
            let written = format!("c {order}");
            let (descending, nulls_first) = split_key(&written, &any).order.unwrap();
            let shortest = key(descending, nulls_first).design_text();
            let again = split_key(&shortest, &any);
            assert_eq!(again.order, Ok((descending, nulls_first)), "{order}");
        }
    }

    #[test]
    fn gin_suits_jsonb_arrays_and_tsvector() {
        let col = |t: &str| IndexableColumn {
            db_name: "c".into(),
            field_name: None,
            sql_type: t.into(),
        };
        assert!(col("jsonb").suits_gin());
        assert!(col("text[]").suits_gin());
        assert!(col("tsvector").suits_gin());
        assert!(!col("text").suits_gin());
        assert!(!col("uuid").suits_gin());
        assert!(col("tstzrange").suits_gist());
        assert!(!col("text").suits_gist());
    }
}
