//! The design document (SPEC.md "Design file"): what the user wants, as serde types.
//!
//! Serialising omits every value that equals its default, so a saved design stays as small as
//! the one the user wrote, and load → save → load gives an equal value. Unknown keys are
//! rejected (`deny_unknown_fields`), but [`super::load()`] finds them first on the raw JSON so
//! each one is reported with its JSON path and a suggestion instead of serde's bare message.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::field_types::{FieldType, OptionKey};

fn default_schema() -> String {
    "public".to_string()
}
fn is_public(schema: &str) -> bool {
    schema == "public"
}
fn yes() -> bool {
    true
}
fn is_true(value: &bool) -> bool {
    *value
}
fn is_false(value: &bool) -> bool {
    !*value
}

/// A whole design: the tables, the relationships added after them, and optional samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// The schema every designed table is created in.
    #[serde(default = "default_schema", skip_serializing_if = "is_public")]
    pub schema: String,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    /// Table (by `db_name` or `name`) → how many rows to generate, or explicit rows.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub samples: IndexMap<String, Samples>,
    /// Roles that may read the shared audit table (tables with `audit` write to it); the
    /// platform's own admin roles read it anyway. Empty: nobody else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_readers: Vec<String>,
    /// Supabase Storage buckets and their policies on `storage.objects`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<super::buckets::Bucket>,
    /// Aggregate views over designed tables, refreshed by hand or by `pg_cron`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materialized_views: Vec<super::materialized_views::MaterializedView>,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            schema: default_schema(),
            tables: Vec::new(),
            relationships: Vec::new(),
            samples: IndexMap::new(),
            audit_readers: Vec::new(),
            buckets: Vec::new(),
            materialized_views: Vec::new(),
        }
    }
}

/// A designed table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The human name shown in the UI.
    pub name: String,
    /// The PostgreSQL name; derived from `name` when absent (see [`super::names`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    /// Becomes the table comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub fields: Vec<Field>,
    /// On unless the user turns it off: SPEC.md wants RLS on every table that is not public
    /// reference data, so the safe value is the default.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub rls_enabled: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rls_policies: Vec<Policy>,
    /// Reference data readable by everyone; may go without RLS.
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_reference: bool,
    /// Columns to drop from the live table: the only way a design asks for a destructive
    /// change, so the planner marks those steps and the UI asks before running them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop_columns: Vec<String>,
    /// Live policies to drop; a policy of the same name in `rls_policies` is then created
    /// anew, which is how a changed policy is replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop_policies: Vec<String>,
    /// The live table's current name when the design renames it: a rename is only ever
    /// planned when said, never guessed from a drop and an add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// `false` for a table that has its own key and columns (one schemaforge did not make):
    /// no `id`, `created_at`, … and no updated-at trigger are added, and fields may use those
    /// names. Its key is the fields marked `primary_key`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub system_fields: bool,
    /// Indexes beyond the ones schemaforge adds by itself (`created_by`, relationship
    /// columns): for the columns queries filter and sort on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<TableIndex>,
    /// Every insert, update and delete is recorded in the shared audit table: who
    /// (`auth.uid()`), when, and the row before and after.
    #[serde(default, skip_serializing_if = "is_false")]
    pub audit: bool,
    /// Rows are deleted by setting `deleted_at`: the API roles stop seeing them, and their
    /// `DELETE` sets `deleted_at` instead of removing the row (see `plan::soft_delete`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub soft_delete: bool,
}

impl Table {
    /// A table with this name and no fields, RLS on.
    pub fn new(name: impl Into<String>) -> Table {
        Table {
            name: name.into(),
            db_name: None,
            description: None,
            fields: Vec::new(),
            rls_enabled: true,
            rls_policies: Vec::new(),
            public_reference: false,
            drop_columns: Vec::new(),
            drop_policies: Vec::new(),
            renamed_from: None,
            system_fields: true,
            indexes: Vec::new(),
            audit: false,
            soft_delete: false,
        }
    }
}

/// An index of a table. Named `idx_<table>_<columns>` unless `name` says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableIndex {
    /// Key columns in order (a field's `db_name` or `name`, a system field, a relationship's
    /// `<name>_id`), each optionally followed by `ASC`/`DESC` and `NULLS FIRST`/`NULLS LAST`.
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// A partial index's predicate (`deleted_at IS NULL`): the user's SQL expression.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMethod::is_btree")]
    pub method: IndexMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl TableIndex {
    pub fn new(columns: Vec<String>) -> TableIndex {
        TableIndex {
            columns,
            unique: false,
            predicate: None,
            method: IndexMethod::Btree,
            name: None,
        }
    }
}

/// The index access methods PostgreSQL ships with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexMethod {
    #[default]
    Btree,
    Hash,
    Gin,
    Gist,
    Brin,
    Spgist,
}

impl IndexMethod {
    pub const ALL: [IndexMethod; 6] = [
        IndexMethod::Btree,
        IndexMethod::Hash,
        IndexMethod::Gin,
        IndexMethod::Gist,
        IndexMethod::Brin,
        IndexMethod::Spgist,
    ];
    pub const NAMES: [&'static str; 6] = ["btree", "hash", "gin", "gist", "brin", "spgist"];

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|m| *m == self).unwrap_or(0)]
    }

    pub fn from_name(name: &str) -> Option<IndexMethod> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Self::ALL[i])
    }

    fn is_btree(&self) -> bool {
        *self == IndexMethod::Btree
    }
}

/// A designed (non-relational) field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "FieldOptions::is_empty")]
    pub options: FieldOptions,
    /// The display field of the table; `primary_field` is accepted as an alias (the seed uses
    /// both spellings).
    #[serde(default, alias = "primary_field", skip_serializing_if = "is_false")]
    pub is_primary: bool,
    /// The live column's current name when the design renames it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl Field {
    pub fn new(name: impl Into<String>, field_type: FieldType) -> Field {
        Field {
            name: name.into(),
            db_name: None,
            field_type,
            options: FieldOptions::default(),
            is_primary: false,
            renamed_from: None,
        }
    }
}

/// Every option any field type takes; which ones a type accepts is in
/// [`FieldType::accepted_options`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOptions {
    /// NOT NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// COMMENT ON COLUMN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// singleSelect / multiSelect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// attachment: the design bucket (`buckets[].id`) the files are stored in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// rating: the top of the scale (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// singleLineText: CHECK char_length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// number: numeric(precision, scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// number: bigint instead of numeric.
    #[serde(default, skip_serializing_if = "is_false")]
    pub integer: bool,
    /// formula: the generated column's SQL expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// formula: the type of its result (a stored field type; default singleLineText → text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<FieldType>,
    /// currency: ISO 4217 code, kept in the column comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// rollup / count / lookup: the name of the relationship to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// rollup / count / lookup: the table that holds that relationship when it is not this
    /// table (e.g. a project counting its todos goes `through` "todos").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
    /// rollup / lookup: the field of the related table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_field: Option<String>,
    /// rollup: how related values are combined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregate>,
    /// trigger: BEFORE or AFTER.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    /// trigger: which statements fire it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TriggerEvent>,
    /// trigger: ROW (default) or STATEMENT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<ForEach>,
    /// trigger: an existing function to call (`schema.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// trigger: a PL/pgSQL body for a function schemaforge creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// raw: the column's type exactly as PostgreSQL prints it (`bigint`, `public.mood`,
    /// `character varying(20)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_type: Option<String>,
    /// Part of the table's primary key (tables with `system_fields: false` only; several
    /// fields make a composite key, in field order).
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    /// raw: `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityKind>,
}

/// How an identity column generates its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityKind {
    #[serde(rename = "ALWAYS")]
    Always,
    #[serde(rename = "BY DEFAULT")]
    ByDefault,
}

impl IdentityKind {
    /// As written after `GENERATED`.
    pub fn sql(self) -> &'static str {
        match self {
            IdentityKind::Always => "ALWAYS",
            IdentityKind::ByDefault => "BY DEFAULT",
        }
    }
}

impl FieldOptions {
    pub fn is_empty(&self) -> bool {
        *self == FieldOptions::default()
    }

    /// The options that are set (a `false` flag or an empty list counts as unset).
    pub fn present(&self) -> Vec<OptionKey> {
        let set = [
            (OptionKey::Required, self.required),
            (OptionKey::Unique, self.unique),
            (OptionKey::Default, self.default.is_some()),
            (OptionKey::Description, self.description.is_some()),
            (OptionKey::Choices, !self.choices.is_empty()),
            (OptionKey::Max, self.max.is_some()),
            (OptionKey::MaxLength, self.max_length.is_some()),
            (OptionKey::Precision, self.precision.is_some()),
            (OptionKey::Scale, self.scale.is_some()),
            (OptionKey::Integer, self.integer),
            (OptionKey::Expression, self.expression.is_some()),
            (OptionKey::ResultType, self.result_type.is_some()),
            (OptionKey::CurrencyCode, self.currency_code.is_some()),
            (OptionKey::Relationship, self.relationship.is_some()),
            (OptionKey::Through, self.through.is_some()),
            (OptionKey::TargetField, self.target_field.is_some()),
            (OptionKey::Aggregate, self.aggregate.is_some()),
            (OptionKey::Timing, self.timing.is_some()),
            (OptionKey::Events, !self.events.is_empty()),
            (OptionKey::ForEach, self.for_each.is_some()),
            (OptionKey::Function, self.function.is_some()),
            (OptionKey::Body, self.body.is_some()),
            (OptionKey::SqlType, self.sql_type.is_some()),
            (OptionKey::PrimaryKey, self.primary_key),
            (OptionKey::Identity, self.identity.is_some()),
            (OptionKey::Bucket, self.bucket.is_some()),
        ];
        set.into_iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| k)
            .collect()
    }
}

/// A column default: a literal value, or raw SQL the user wrote.
///
/// In JSON a literal is written as itself (`false`, `"draft"`, `3`) and an expression as
/// `{"expression": "now()"}`. A literal JSON object that would look like an expression
/// (a json field defaulting to `{"expression": …}`) is written `{"literal": {…}}`; saving does
/// that wrapping by itself, so every value round-trips.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Literal(Value),
    Expression(String),
}

impl Serialize for DefaultValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DefaultValue::Expression(sql) => {
                let mut map = Map::new();
                map.insert("expression".into(), Value::String(sql.clone()));
                Value::Object(map).serialize(serializer)
            }
            DefaultValue::Literal(value) if needs_literal_wrapper(value) => {
                let mut map = Map::new();
                map.insert("literal".into(), value.clone());
                Value::Object(map).serialize(serializer)
            }
            DefaultValue::Literal(value) => value.serialize(serializer),
        }
    }
}

/// A literal that written as itself would read back as something else: an object that looks
/// like the wrapper, or `null` (which reads back as no default at all).
fn needs_literal_wrapper(value: &Value) -> bool {
    value.is_null()
        || value.as_object().is_some_and(|m| {
            m.len() == 1 && (m.contains_key("expression") || m.contains_key("literal"))
        })
}

impl<'de> Deserialize<'de> for DefaultValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if let Value::Object(map) = &value
            && map.len() == 1
        {
            if let Some(expr) = map.get("expression") {
                return match expr {
                    Value::String(sql) => Ok(DefaultValue::Expression(sql.clone())),
                    _ => Err(serde::de::Error::custom(
                        "a default expression must be a string of SQL",
                    )),
                };
            }
            if let Some(literal) = map.get("literal") {
                return Ok(DefaultValue::Literal(literal.clone()));
            }
        }
        Ok(DefaultValue::Literal(value))
    }
}

/// Rollup aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    ArrayAgg,
}

impl Aggregate {
    pub const NAMES: [&'static str; 6] = ["sum", "avg", "min", "max", "count", "array_agg"];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Timing {
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TriggerEvent {
    Insert,
    Update,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ForEach {
    Row,
    Statement,
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    Select,
    Insert,
    Update,
    Delete,
    All,
}

impl Operation {
    pub const NAMES: [&'static str; 5] = ["SELECT", "INSERT", "UPDATE", "DELETE", "ALL"];

    pub fn name(self) -> &'static str {
        match self {
            Operation::Select => "SELECT",
            Operation::Insert => "INSERT",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::All => "ALL",
        }
    }
}

fn default_roles() -> Vec<String> {
    vec!["authenticated".to_string()]
}
fn is_default_roles(roles: &[String]) -> bool {
    roles.len() == 1 && roles[0] == "authenticated"
}

/// A row-level security policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub operation: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check_expression: Option<String>,
    #[serde(default = "default_roles", skip_serializing_if = "is_default_roles")]
    pub roles: Vec<String>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub permissive: bool,
    /// The live policy's current name when the design renames it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl Policy {
    pub fn new(name: impl Into<String>, operation: Operation) -> Policy {
        Policy {
            name: name.into(),
            operation,
            using_expression: None,
            with_check_expression: None,
            roles: default_roles(),
            permissive: true,
            renamed_from: None,
        }
    }
}

/// A relationship, added after all tables exist (SPEC.md "Relationships").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relationship {
    /// The table that gets the foreign key (by `db_name` or `name`).
    pub table: String,
    /// The field name; the column is `<name>_id`.
    pub name: String,
    /// A designed table (by `db_name` or `name`) or a live one (`schema.table`).
    pub target: String,
    /// Many-to-many through a linking table.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_multiple: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub one_to_one: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cascade_delete: bool,
    /// The delete rule said outright; without it, `cascade_delete`, else RESTRICT when
    /// `required`, else SET NULL. Needed for an optional relationship that restricts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<OnDelete>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
}

/// What deleting a target row does to the rows pointing at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OnDelete {
    #[serde(rename = "cascade")]
    Cascade,
    #[serde(rename = "restrict")]
    Restrict,
    #[serde(rename = "set null")]
    SetNull,
}

impl OnDelete {
    /// The names `on_delete` takes, as written in a design.
    pub const NAMES: [&'static str; 3] = ["cascade", "set null", "restrict"];

    pub fn name(self) -> &'static str {
        match self {
            OnDelete::Cascade => "cascade",
            OnDelete::SetNull => "set null",
            OnDelete::Restrict => "restrict",
        }
    }
}

impl Relationship {
    /// The delete rule: `on_delete`, else the one `cascade_delete` and `required` imply.
    pub fn delete_rule(&self) -> OnDelete {
        match self.on_delete {
            Some(rule) => rule,
            None if self.cascade_delete => OnDelete::Cascade,
            None if self.required => OnDelete::Restrict,
            None => OnDelete::SetNull,
        }
    }
}

/// Samples for one table: a row count to generate, or explicit rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Samples {
    Count(u64),
    Rows(Vec<Map<String, Value>>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_filled_and_omitted_again() {
        let table: Table = serde_json::from_value(json!({"name": "T"})).unwrap();
        assert!(table.rls_enabled);
        assert!(!table.public_reference);
        assert_eq!(
            serde_json::to_value(&table).unwrap(),
            json!({"name": "T", "fields": []})
        );
        let policy: Policy =
            serde_json::from_value(json!({"name": "p", "operation": "SELECT"})).unwrap();
        assert_eq!(policy.roles, ["authenticated"]);
        assert!(policy.permissive);
        assert_eq!(
            serde_json::to_value(&policy).unwrap(),
            json!({"name": "p", "operation": "SELECT"})
        );
        let design: Design = serde_json::from_value(json!({})).unwrap();
        assert_eq!(design.schema, "public");
        assert_eq!(
            serde_json::to_value(&design).unwrap(),
            json!({"tables": []})
        );
    }

    #[test]
    fn primary_field_is_an_alias() {
        let field: Field = serde_json::from_value(
            json!({"name": "t", "type": "singleLineText", "primary_field": true}),
        )
        .unwrap();
        assert!(field.is_primary);
        assert_eq!(
            serde_json::to_value(&field).unwrap()["is_primary"],
            json!(true)
        );
    }

    #[test]
    fn defaults_literal_or_expression_round_trip() {
        for (json, expected) in [
            (json!(false), DefaultValue::Literal(json!(false))),
            (json!("draft"), DefaultValue::Literal(json!("draft"))),
            (
                json!({"expression": "now()"}),
                DefaultValue::Expression("now()".into()),
            ),
            (json!({"a": 1}), DefaultValue::Literal(json!({"a": 1}))),
            (
                json!({"literal": {"expression": "x"}}),
                DefaultValue::Literal(json!({"expression": "x"})),
            ),
            (json!({"literal": null}), DefaultValue::Literal(json!(null))),
        ] {
            let value: DefaultValue = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(value, expected);
            assert_eq!(serde_json::to_value(&value).unwrap(), json);
        }
        assert!(serde_json::from_value::<DefaultValue>(json!({"expression": 1})).is_err());
    }

    #[test]
    fn samples_are_counts_or_rows() {
        let s: IndexMap<String, Samples> =
            serde_json::from_value(json!({"a": 3, "b": [{"title": "x"}]})).unwrap();
        assert_eq!(s["a"], Samples::Count(3));
        assert!(matches!(&s["b"], Samples::Rows(rows) if rows.len() == 1));
    }

    #[test]
    fn options_report_what_is_present() {
        let o: FieldOptions =
            serde_json::from_value(json!({"required": true, "choices": ["a"], "unique": false}))
                .unwrap();
        assert_eq!(o.present(), vec![OptionKey::Required, OptionKey::Choices]);
    }
}
