//! Identifier rules: how a human name becomes a PostgreSQL name, and how derived object names
//! (constraints, indexes, linking tables, views) are built.
//!
//! PostgreSQL silently truncates identifiers longer than 63 bytes (`NAMEDATALEN - 1`), so two
//! long names that differ only at the end would quietly become the same object. Every name
//! produced here is therefore at most [`MAX_IDENT_BYTES`] bytes, and whenever a name has to be
//! cut, a short stable hash of the whole name is appended so the cut name stays distinct.
//! Everything here is a pure function: the planner calls the same functions and gets the
//! same names, so it never re-derives anything on its own.

/// The longest identifier PostgreSQL keeps without truncating it.
pub const MAX_IDENT_BYTES: usize = 63;

/// What a derived name is for; it picks the prefix used when a name would start with a digit
/// or comes out empty (`t_` for tables, `f_` for fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Table,
    Field,
}

impl NameKind {
    fn prefix(self) -> &'static str {
        match self {
            NameKind::Table => "t_",
            NameKind::Field => "f_",
        }
    }
}

/// Derives a `db_name` from a human name: ASCII transliteration, snake_case, no leading digit,
/// at most 63 bytes.
///
/// `"Due date"` → `due_date`, `"dueDate"` → `due_date`, `"Café Menü"` → `cafe_menu`,
/// `"2024 Sales"` → `t_2024_sales`. A name with no letters or digits at all (`"!!!"`, `"🙂"`
/// transliterates to words, but `"?"` does not) becomes the prefix plus a hash of the original,
/// so two such names still differ.
pub fn derive_db_name(name: &str, kind: NameKind) -> String {
    with_derived_db_name(name, kind, str::to_owned)
}

/// Whether `name` derives to `db_name`, without copying the derived name: tables and fields
/// are looked up by it for every reference on every analysis (each key press in an editor).
pub fn derives_to(name: &str, kind: NameKind, db_name: &str) -> bool {
    with_derived_db_name(name, kind, |derived| derived == db_name)
}

/// `read` of [`derive_db_name`]; the derivation is pure, so each name is worked out once per
/// thread.
fn with_derived_db_name<R>(name: &str, kind: NameKind, read: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static TABLES: crate::memo::Memo<String> = Default::default();
        static FIELDS: crate::memo::Memo<String> = Default::default();
    }
    let memo = match kind {
        NameKind::Table => &TABLES,
        NameKind::Field => &FIELDS,
    };
    crate::memo::with_remembered(memo, name, |n| derive_uncached(n, kind), |d| read(d))
}

fn derive_uncached(name: &str, kind: NameKind) -> String {
    let snake = snake_case(&deunicode::deunicode(name));
    let base = if snake.is_empty() {
        format!("{}{}", kind.prefix(), short_hash(name))
    } else if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{}{}", kind.prefix(), snake)
    } else {
        snake
    };
    fit_identifier(&base)
}

/// Splits ASCII text into lowercase words joined by `_`: separators are anything that is not
/// a letter or digit, plus camelCase boundaries (`dueDate`, `HTTPServer` → `http_server`).
fn snake_case(ascii: &str) -> String {
    let chars: Vec<char> = ascii.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // a new word starts at `aB` and at the last capital of `ABc`
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.join("_")
}

/// Makes any name fit in 63 bytes without losing its identity: a name that fits is returned
/// unchanged; a longer one is cut on a character boundary and gets `_` plus an 8-hex-digit
/// hash of the *whole* name, so two long names sharing a prefix stay distinct and the result
/// is the same on every run.
pub fn fit_identifier(name: &str) -> String {
    if name.len() <= MAX_IDENT_BYTES {
        return name.to_string();
    }
    let suffix = format!("_{}", short_hash(name));
    let mut cut = MAX_IDENT_BYTES - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = name[..cut].trim_end_matches('_');
    format!("{head}{suffix}")
}

/// Why an explicit `db_name` cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplicitNameError {
    Empty,
    TooLong { bytes: usize },
    NulByte,
}

impl std::fmt::Display for ExplicitNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplicitNameError::Empty => write!(f, "db_name must not be empty"),
            ExplicitNameError::TooLong { bytes } => write!(
                f,
                "db_name is {bytes} bytes long; PostgreSQL would silently cut it to {MAX_IDENT_BYTES}"
            ),
            ExplicitNameError::NulByte => write!(f, "db_name must not contain a NUL character"),
        }
    }
}

/// Checks an explicit `db_name`. Anything else is allowed (quotes, spaces, unicode, reserved
/// words): every identifier is quoted by `sql::ident`, so the name is created exactly as written.
pub fn check_explicit(db_name: &str) -> Result<(), ExplicitNameError> {
    if db_name.is_empty() {
        Err(ExplicitNameError::Empty)
    } else if db_name.contains('\0') {
        Err(ExplicitNameError::NulByte)
    } else if db_name.len() > MAX_IDENT_BYTES {
        Err(ExplicitNameError::TooLong {
            bytes: db_name.len(),
        })
    } else {
        Ok(())
    }
}

/// The column that holds a many-to-one / one-to-one relationship: `<name>_id`, where `name`
/// is derived like a field name (`"Project"` → `project_id`).
pub fn relationship_column(name: &str) -> String {
    let base = snake_case(&deunicode::deunicode(name));
    let base = if base.is_empty() {
        format!("f_{}", short_hash(name))
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{base}")
    } else {
        base
    };
    fit_identifier(&format!("{base}_id"))
}

/// CHECK constraint of a column: `<table>_<column>_check`.
pub fn check_constraint(table: &str, column: &str) -> String {
    fit_identifier(&format!("{table}_{column}_check"))
}

/// Foreign key constraint of a column: `<table>_<column>_fkey`.
pub fn fkey_constraint(table: &str, column: &str) -> String {
    fit_identifier(&format!("{table}_{column}_fkey"))
}

/// UNIQUE constraint of a column: `<table>_<column>_key` (PostgreSQL's own convention).
pub fn unique_constraint(table: &str, column: &str) -> String {
    fit_identifier(&format!("{table}_{column}_key"))
}

/// The shared table every table with `audit` writes to, in the design's schema: a name a
/// designed table cannot take.
pub const AUDIT_TABLE: &str = "audit_log";

/// The column a table with `soft_delete` gets: when the row was deleted, empty while it lives.
pub const SOFT_DELETE_COLUMN: &str = "deleted_at";

/// The restrictive policy that keeps soft-deleted rows out of the API roles' reach.
pub const SOFT_DELETE_POLICY: &str = "Hide soft-deleted rows";

/// The partial index of a table with `soft_delete`: the columns the API's queries look rows
/// up by, over the rows that are not deleted.
pub fn soft_delete_index(table: &str, columns: &[String]) -> String {
    let mut parts: Vec<&str> = columns.iter().map(String::as_str).collect();
    parts.push("not_deleted");
    index_name(table, &parts)
}

/// Primary key constraint: `<table>_pkey`.
pub fn pkey_constraint(table: &str) -> String {
    fit_identifier(&format!("{table}_pkey"))
}

/// Index over columns: `idx_<table>_<col1>_<col2>…`.
pub fn index_name(table: &str, columns: &[&str]) -> String {
    let mut name = format!("idx_{table}");
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    fit_identifier(&name)
}

/// Linking table of a many-to-many relationship: `<table>_<target>`.
pub fn linking_table(table: &str, target: &str) -> String {
    fit_identifier(&format!("{table}_{target}"))
}

/// Companion view holding rollup / count / lookup columns: `<table>_view`.
pub fn companion_view(table: &str) -> String {
    fit_identifier(&format!("{table}_view"))
}

/// Trigger of a trigger field: `<table>_<field>_trigger`.
pub fn trigger_name(table: &str, field: &str) -> String {
    fit_identifier(&format!("{table}_{field}_trigger"))
}

/// 8 hex digits of FNV-1a 64: stable across Rust versions and platforms (std's hasher is not
/// promised to be), which matters because the result ends up in database object names.
pub fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (hash ^ (hash >> 32)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_snake_case_ascii() {
        assert_eq!(derive_db_name("Todos", NameKind::Table), "todos");
        assert_eq!(derive_db_name("Due date", NameKind::Field), "due_date");
        assert_eq!(derive_db_name("due_date", NameKind::Field), "due_date");
        assert_eq!(derive_db_name("dueDate", NameKind::Field), "due_date");
        assert_eq!(
            derive_db_name("HTTPServer log", NameKind::Table),
            "http_server_log"
        );
        assert_eq!(
            derive_db_name("  Order--Items  ", NameKind::Table),
            "order_items"
        );
        assert_eq!(derive_db_name("Café Menü", NameKind::Table), "cafe_menu");
        assert_eq!(derive_db_name("Straße", NameKind::Field), "strasse");
        assert_eq!(derive_db_name("Москва", NameKind::Table), "moskva");
        assert_eq!(derive_db_name("v2Item", NameKind::Field), "v2_item");
    }

    #[test]
    fn leading_digits_and_empty_names_get_a_prefix() {
        assert_eq!(
            derive_db_name("2024 Sales", NameKind::Table),
            "t_2024_sales"
        );
        assert_eq!(derive_db_name("1st", NameKind::Field), "f_1st");
        let a = derive_db_name("?", NameKind::Field);
        let b = derive_db_name("!", NameKind::Field);
        assert!(a.starts_with("f_") && a.len() == 10, "{a}");
        assert_ne!(a, b);
        assert!(derive_db_name("", NameKind::Table).starts_with("t_"));
    }

    #[test]
    fn long_names_are_cut_to_63_bytes_and_stay_distinct() {
        let long_a = format!("{} alpha", "very long name ".repeat(6));
        let long_b = format!("{} beta", "very long name ".repeat(6));
        let a = derive_db_name(&long_a, NameKind::Table);
        let b = derive_db_name(&long_b, NameKind::Table);
        assert!(a.len() <= MAX_IDENT_BYTES && b.len() <= MAX_IDENT_BYTES);
        assert_ne!(a, b);
        assert_eq!(a, derive_db_name(&long_a, NameKind::Table), "deterministic");
        assert!(a.starts_with("very_long_name_very_long_name"));
    }

    #[test]
    fn fit_cuts_on_char_boundaries() {
        let name = "é".repeat(40); // 80 bytes
        let fitted = fit_identifier(&name);
        assert!(fitted.len() <= MAX_IDENT_BYTES);
        assert!(fitted.starts_with("éé"));
        assert_eq!(fit_identifier("short"), "short");
        let exactly = "a".repeat(63);
        assert_eq!(fit_identifier(&exactly), exactly);
        assert_ne!(fit_identifier(&"a".repeat(64)), "a".repeat(63));
    }

    #[test]
    fn explicit_names_are_checked_only_for_length_and_emptiness() {
        assert_eq!(check_explicit("My \"Table\"; --"), Ok(()));
        assert_eq!(check_explicit(""), Err(ExplicitNameError::Empty));
        assert_eq!(
            check_explicit(&"x".repeat(64)),
            Err(ExplicitNameError::TooLong { bytes: 64 })
        );
        assert_eq!(check_explicit("a\0b"), Err(ExplicitNameError::NulByte));
    }

    #[test]
    fn derived_object_names() {
        assert_eq!(check_constraint("todos", "title"), "todos_title_check");
        assert_eq!(
            fkey_constraint("todos", "project_id"),
            "todos_project_id_fkey"
        );
        assert_eq!(unique_constraint("todos", "title"), "todos_title_key");
        assert_eq!(index_name("todos", &["project_id"]), "idx_todos_project_id");
        assert_eq!(index_name("a", &["b", "c"]), "idx_a_b_c");
        assert_eq!(linking_table("posts", "tags"), "posts_tags");
        assert_eq!(companion_view("todos"), "todos_view");
        assert_eq!(relationship_column("Project"), "project_id");
        assert_eq!(relationship_column("Assigned To"), "assigned_to_id");
        let long = "t".repeat(60);
        let a = check_constraint(&long, "column_a");
        let b = check_constraint(&long, "column_b");
        assert!(a.len() <= MAX_IDENT_BYTES);
        assert_ne!(a, b);
    }

    #[test]
    fn short_hash_is_stable() {
        // pinned: these end up in database object names, so they must never change
        assert_eq!(short_hash(""), "4fd0bfc1");
        assert_eq!(short_hash("todos"), "a2dbbdd7");
        assert_eq!(short_hash("schemaforge"), "161ffe4d");
        assert_eq!(
            fit_identifier(&"x".repeat(70)),
            format!("{}_{}", "x".repeat(54), short_hash(&"x".repeat(70)))
        );
    }
}
