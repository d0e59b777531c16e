//! The columns every designed table gets (SPEC.md "System fields and modelling rules"), as
//! data the planner emits and validation checks design fields against.

use super::field_types::PgType;

/// A column every designed table gets automatically (SPEC.md "System fields").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemField {
    pub db_name: &'static str,
    pub pg_type: PgType,
    pub nullable: bool,
    pub primary_key: bool,
    /// SQL expression of the default, if any.
    pub default_expression: Option<&'static str>,
    /// `(schema, table, column)` of the foreign key, if any; it is `ON DELETE SET NULL`.
    pub references: Option<(&'static str, &'static str, &'static str)>,
    /// Whether the column gets an index `idx_<table>_<column>`.
    pub indexed: bool,
    /// Maintained by the BEFORE UPDATE trigger (`updated_at`, `updated_by`).
    pub maintained_on_update: bool,
}

/// The system fields, in column order.
pub const SYSTEM_FIELDS: [SystemField; 5] = [
    SystemField {
        db_name: "id",
        pg_type: PgType::Uuid,
        nullable: false,
        primary_key: true,
        default_expression: Some("gen_random_uuid()"),
        references: None,
        indexed: false,
        maintained_on_update: false,
    },
    SystemField {
        db_name: "created_at",
        pg_type: PgType::Timestamptz,
        nullable: false,
        primary_key: false,
        default_expression: Some("now()"),
        references: None,
        indexed: false,
        maintained_on_update: false,
    },
    SystemField {
        db_name: "updated_at",
        pg_type: PgType::Timestamptz,
        nullable: false,
        primary_key: false,
        default_expression: Some("now()"),
        references: None,
        indexed: false,
        maintained_on_update: true,
    },
    SystemField {
        db_name: "created_by",
        pg_type: PgType::Uuid,
        nullable: true,
        primary_key: false,
        default_expression: Some("auth.uid()"),
        references: Some(("auth", "users", "id")),
        indexed: true,
        maintained_on_update: false,
    },
    SystemField {
        db_name: "updated_by",
        pg_type: PgType::Uuid,
        nullable: true,
        primary_key: false,
        default_expression: None,
        references: None,
        indexed: false,
        maintained_on_update: true,
    },
];

/// Whether a column name is one of the system fields.
pub fn is_system_field(db_name: &str) -> bool {
    SYSTEM_FIELDS.iter().any(|f| f.db_name == db_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_fields() {
        let names: Vec<_> = SYSTEM_FIELDS.iter().map(|f| f.db_name).collect();
        assert_eq!(
            names,
            ["id", "created_at", "updated_at", "created_by", "updated_by"]
        );
        assert!(SYSTEM_FIELDS[0].primary_key);
        assert_eq!(SYSTEM_FIELDS[3].references, Some(("auth", "users", "id")));
        assert!(SYSTEM_FIELDS[3].indexed);
        assert!(is_system_field("updated_by"));
        assert!(!is_system_field("title"));
    }
}
