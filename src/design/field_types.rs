//! The field-type catalogue of SPEC.md as data: each type's name, a one-line description for
//! the type picker, its PostgreSQL type, the options it accepts and its CHECK constraint.
//!
//! Checks are structured ([`Check`]), never SQL text: the planner renders them (quoting every
//! literal through `sql::literal`), the sample generator and default validation evaluate them
//! with [`Check::accepts`], and nobody parses SQL back.

use serde::{Deserialize, Serialize};

pub use super::checks::{Check, EMAIL_PATTERN, PHONE_PATTERN, URL_PATTERN};
pub use super::system_fields::{SYSTEM_FIELDS, SystemField, is_system_field};

/// A field type of the catalogue. The JSON names are SPEC.md's (`singleLineText`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldType {
    SingleLineText,
    MultiLineText,
    LongText,
    Number,
    SingleSelect,
    MultiSelect,
    Date,
    DateTime,
    Checkbox,
    Attachment,
    Email,
    Phone,
    Url,
    Duration,
    Rating,
    Currency,
    Percent,
    Json,
    Formula,
    Rollup,
    Count,
    Lookup,
    Trigger,
    /// A column of any PostgreSQL type, kept exactly (`sql_type`): what a live column becomes
    /// when it is not what the planner would create for a catalogue type.
    Raw,
}

/// Where a field's value lives: decides whether the planner adds a column, a generated
/// column, a column of the companion view, or only a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// An ordinary table column.
    Column,
    /// `GENERATED ALWAYS AS (expression) STORED`.
    Generated,
    /// A column of `<table>_view` (security_invoker), computed over a relationship.
    View,
    /// No column: a `CREATE TRIGGER`.
    NoColumn,
}

/// An option key of `FieldOptions`, named as in the design file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionKey {
    Required,
    Unique,
    Default,
    Description,
    Choices,
    Max,
    MaxLength,
    Precision,
    Scale,
    Integer,
    Expression,
    ResultType,
    CurrencyCode,
    Relationship,
    Through,
    TargetField,
    Aggregate,
    Timing,
    Events,
    ForEach,
    Function,
    Body,
    SqlType,
    PrimaryKey,
    Identity,
    Bucket,
}

impl OptionKey {
    pub const ALL: [OptionKey; 26] = [
        OptionKey::Required,
        OptionKey::Unique,
        OptionKey::Default,
        OptionKey::Description,
        OptionKey::Choices,
        OptionKey::Max,
        OptionKey::MaxLength,
        OptionKey::Precision,
        OptionKey::Scale,
        OptionKey::Integer,
        OptionKey::Expression,
        OptionKey::ResultType,
        OptionKey::CurrencyCode,
        OptionKey::Relationship,
        OptionKey::Through,
        OptionKey::TargetField,
        OptionKey::Aggregate,
        OptionKey::Timing,
        OptionKey::Events,
        OptionKey::ForEach,
        OptionKey::Function,
        OptionKey::Body,
        OptionKey::SqlType,
        OptionKey::PrimaryKey,
        OptionKey::Identity,
        OptionKey::Bucket,
    ];

    /// The key as written in the design file.
    pub fn name(self) -> &'static str {
        match self {
            OptionKey::Required => "required",
            OptionKey::Unique => "unique",
            OptionKey::Default => "default",
            OptionKey::Description => "description",
            OptionKey::Choices => "choices",
            OptionKey::Max => "max",
            OptionKey::MaxLength => "max_length",
            OptionKey::Precision => "precision",
            OptionKey::Scale => "scale",
            OptionKey::Integer => "integer",
            OptionKey::Expression => "expression",
            OptionKey::ResultType => "result_type",
            OptionKey::CurrencyCode => "currency_code",
            OptionKey::Relationship => "relationship",
            OptionKey::Through => "through",
            OptionKey::TargetField => "target_field",
            OptionKey::Aggregate => "aggregate",
            OptionKey::Timing => "timing",
            OptionKey::Events => "events",
            OptionKey::ForEach => "for_each",
            OptionKey::Function => "function",
            OptionKey::Body => "body",
            OptionKey::SqlType => "sql_type",
            OptionKey::PrimaryKey => "primary_key",
            OptionKey::Identity => "identity",
            OptionKey::Bucket => "bucket",
        }
    }
}

use OptionKey as O;

const COMMON: &[OptionKey] = &[O::Required, O::Unique, O::Default, O::Description];

/// A PostgreSQL column type, structured so the planner can both render it and compare it
/// with what the catalog reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgType {
    Text,
    TextArray,
    /// `numeric`, or `numeric(p,s)` when a precision is given.
    Numeric {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    BigInt,
    SmallInt,
    Boolean,
    Date,
    Timestamptz,
    Jsonb,
    Interval,
    Uuid,
}

impl PgType {
    /// The type as written in DDL (`numeric(19,4)`, `timestamptz`).
    pub fn sql(&self) -> String {
        match self {
            PgType::Text => "text".into(),
            PgType::TextArray => "text[]".into(),
            PgType::Numeric {
                precision: Some(p),
                scale,
            } => format!("numeric({p},{})", scale.unwrap_or(0)),
            PgType::Numeric { .. } => "numeric".into(),
            PgType::BigInt => "bigint".into(),
            PgType::SmallInt => "smallint".into(),
            PgType::Boolean => "boolean".into(),
            PgType::Date => "date".into(),
            PgType::Timestamptz => "timestamptz".into(),
            PgType::Jsonb => "jsonb".into(),
            PgType::Interval => "interval".into(),
            PgType::Uuid => "uuid".into(),
        }
    }

    /// The type as `format_type()` reports it in the catalog, so the planner can tell an
    /// existing column of the right type from one that differs.
    pub fn format_type(&self) -> String {
        match self {
            PgType::Timestamptz => "timestamp with time zone".into(),
            other => other.sql(),
        }
    }
}

/// The rating scale when `max` is not given.
pub const DEFAULT_RATING_MAX: i64 = 5;

impl FieldType {
    /// What a JSON value for a field of this type must look like, when `value` does not: the
    /// one rule for defaults and for sample rows written by hand.
    pub fn expected_shape(self, integer: bool, value: &serde_json::Value) -> Option<&'static str> {
        use serde_json::Value;
        match self {
            FieldType::SingleLineText
            | FieldType::MultiLineText
            | FieldType::LongText
            | FieldType::SingleSelect
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Url
            | FieldType::DateTime
            | FieldType::Duration
                if !value.is_string() =>
            {
                Some("a string")
            }
            FieldType::Date if !value.as_str().is_some_and(is_iso_date) => {
                Some("a date written YYYY-MM-DD")
            }
            FieldType::Number if integer && !(value.is_i64() || value.is_u64()) => {
                Some("a whole number")
            }
            FieldType::Number | FieldType::Currency | FieldType::Percent if !value.is_number() => {
                Some("a number")
            }
            FieldType::Rating if !value.is_i64() => Some("a whole number"),
            FieldType::Checkbox if !value.is_boolean() => Some("true or false"),
            FieldType::MultiSelect
                if !value
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string)) =>
            {
                Some("a list of strings")
            }
            _ => None,
        }
    }

    /// Every type, in the order of SPEC.md's table (the type picker shows them in this order).
    pub const ALL: [FieldType; 24] = [
        FieldType::SingleLineText,
        FieldType::MultiLineText,
        FieldType::LongText,
        FieldType::Number,
        FieldType::SingleSelect,
        FieldType::MultiSelect,
        FieldType::Date,
        FieldType::DateTime,
        FieldType::Checkbox,
        FieldType::Attachment,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Url,
        FieldType::Duration,
        FieldType::Rating,
        FieldType::Currency,
        FieldType::Percent,
        FieldType::Json,
        FieldType::Formula,
        FieldType::Rollup,
        FieldType::Count,
        FieldType::Lookup,
        FieldType::Trigger,
        FieldType::Raw,
    ];

    /// The name used in design files.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::SingleLineText => "singleLineText",
            FieldType::MultiLineText => "multiLineText",
            FieldType::LongText => "longText",
            FieldType::Number => "number",
            FieldType::SingleSelect => "singleSelect",
            FieldType::MultiSelect => "multiSelect",
            FieldType::Date => "date",
            FieldType::DateTime => "dateTime",
            FieldType::Checkbox => "checkbox",
            FieldType::Attachment => "attachment",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Duration => "duration",
            FieldType::Rating => "rating",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Json => "json",
            FieldType::Formula => "formula",
            FieldType::Rollup => "rollup",
            FieldType::Count => "count",
            FieldType::Lookup => "lookup",
            FieldType::Trigger => "trigger",
            FieldType::Raw => "raw",
        }
    }

    /// Looks a type up by its design-file name (exact, case-sensitive).
    pub fn from_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// One line for the type picker.
    pub fn description(self) -> &'static str {
        match self {
            FieldType::SingleLineText => "One line of text, optionally limited in length",
            FieldType::MultiLineText => "Paragraphs of plain text",
            FieldType::LongText => "Descriptions or rich text",
            FieldType::Number => "A number: exact decimal, fixed precision or integer",
            FieldType::SingleSelect => "One choice from a fixed list",
            FieldType::MultiSelect => "Any number of choices from a fixed list",
            FieldType::Date => "A calendar date",
            FieldType::DateTime => "A date and time, with time zone",
            FieldType::Checkbox => "Yes or no; never empty, false by default",
            FieldType::Attachment => "Files or media, as a JSON array of file descriptors",
            FieldType::Email => "An email address",
            FieldType::Phone => "A phone number",
            FieldType::Url => "A web address (http or https)",
            FieldType::Duration => "A length of time",
            FieldType::Rating => "A rating from 0 to a maximum (5 stars by default)",
            FieldType::Currency => "An amount of money, with its currency code",
            FieldType::Percent => "A percentage",
            FieldType::Json => "Arbitrary JSON data",
            FieldType::Formula => "A value calculated from other fields of the row",
            FieldType::Rollup => "An aggregate over related records",
            FieldType::Count => "The number of related records",
            FieldType::Lookup => "A field of a related record",
            FieldType::Trigger => "An action run when rows change (no column)",
            FieldType::Raw => "A column of any PostgreSQL type, kept exactly as written",
        }
    }

    /// Where the value lives.
    pub fn storage(self) -> Storage {
        match self {
            FieldType::Formula => Storage::Generated,
            FieldType::Rollup | FieldType::Count | FieldType::Lookup => Storage::View,
            FieldType::Trigger => Storage::NoColumn,
            _ => Storage::Column,
        }
    }

    /// Whether the type holds text (the candidates for an implicit primary field).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::SingleLineText
                | FieldType::MultiLineText
                | FieldType::LongText
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
                | FieldType::SingleSelect
        )
    }

    /// The options this type accepts; any other option on a field of this type is an error.
    pub fn accepted_options(self) -> &'static [OptionKey] {
        match self {
            FieldType::SingleLineText => &[
                O::Required,
                O::Unique,
                O::Default,
                O::Description,
                O::MaxLength,
            ],
            FieldType::Number => &[
                O::Required,
                O::Unique,
                O::Default,
                O::Description,
                O::Precision,
                O::Scale,
                O::Integer,
            ],
            FieldType::SingleSelect | FieldType::MultiSelect => &[
                O::Required,
                O::Unique,
                O::Default,
                O::Description,
                O::Choices,
            ],
            // always NOT NULL DEFAULT false: `required` is accepted (it changes nothing),
            // a unique boolean would allow two rows at most.
            FieldType::Checkbox => &[O::Required, O::Default, O::Description],
            FieldType::Attachment => &[O::Required, O::Default, O::Description, O::Bucket],
            FieldType::Rating => &[O::Required, O::Unique, O::Default, O::Description, O::Max],
            FieldType::Currency => &[
                O::Required,
                O::Unique,
                O::Default,
                O::Description,
                O::CurrencyCode,
            ],
            FieldType::Formula => &[O::Expression, O::ResultType, O::Unique, O::Description],
            FieldType::Rollup => &[
                O::Relationship,
                O::Through,
                O::TargetField,
                O::Aggregate,
                O::Description,
            ],
            FieldType::Count => &[O::Relationship, O::Through, O::Description],
            FieldType::Lookup => &[O::Relationship, O::Through, O::TargetField, O::Description],
            FieldType::Trigger => &[
                O::Timing,
                O::Events,
                O::ForEach,
                O::Function,
                O::Body,
                O::Description,
            ],
            FieldType::Raw => &[
                O::Required,
                O::Unique,
                O::Default,
                O::Description,
                O::SqlType,
                O::Identity,
            ],
            _ => COMMON,
        }
    }

    /// `primary_key` goes with every type that is a column of the table (it is only allowed
    /// on tables without system fields, which validation checks).
    pub fn accepts(self, key: OptionKey) -> bool {
        if key == OptionKey::PrimaryKey {
            return self.storage() == Storage::Column;
        }
        self.accepted_options().contains(&key)
    }

    /// The column type, given the field's options; `None` for view columns and triggers whose
    /// type the planner takes from the view's SELECT (count is always `bigint`).
    pub fn pg_type(self, options: &super::FieldOptions) -> Option<PgType> {
        Some(match self {
            FieldType::SingleLineText
            | FieldType::MultiLineText
            | FieldType::LongText
            | FieldType::SingleSelect
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Url => PgType::Text,
            FieldType::MultiSelect => PgType::TextArray,
            FieldType::Number if options.integer => PgType::BigInt,
            FieldType::Number => PgType::Numeric {
                precision: options.precision,
                scale: options.precision.map(|_| options.scale.unwrap_or(0)),
            },
            FieldType::Date => PgType::Date,
            FieldType::DateTime => PgType::Timestamptz,
            FieldType::Checkbox => PgType::Boolean,
            FieldType::Attachment | FieldType::Json => PgType::Jsonb,
            FieldType::Duration => PgType::Interval,
            FieldType::Rating => PgType::SmallInt,
            FieldType::Currency => PgType::Numeric {
                precision: Some(19),
                scale: Some(4),
            },
            FieldType::Percent => PgType::Numeric {
                precision: None,
                scale: None,
            },
            FieldType::Formula => {
                let result = options.result_type.unwrap_or(FieldType::SingleLineText);
                if result.storage() != Storage::Column {
                    return None;
                }
                return result.pg_type(&super::FieldOptions::default());
            }
            FieldType::Count => PgType::BigInt,
            FieldType::Rollup | FieldType::Lookup | FieldType::Trigger | FieldType::Raw => {
                return None;
            }
        })
    }

    /// The CHECK constraints of a field of this type with these options.
    pub fn checks(self, options: &super::FieldOptions) -> Vec<Check> {
        match self {
            FieldType::SingleLineText => options
                .max_length
                .map(Check::MaxLength)
                .into_iter()
                .collect(),
            FieldType::SingleSelect => vec![Check::InChoices(options.choices.clone())],
            FieldType::MultiSelect => vec![Check::SubsetOf(options.choices.clone())],
            FieldType::Attachment => vec![Check::JsonArray],
            FieldType::Email => vec![Check::EmailPattern],
            FieldType::Phone => vec![Check::PhonePattern],
            FieldType::Url => vec![Check::HttpUrl],
            FieldType::Rating => vec![Check::Between(0, options.max.unwrap_or(DEFAULT_RATING_MAX))],
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `YYYY-MM-DD` with a month and day in range.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::FieldOptions;
    use serde_json::json;

    #[test]
    fn names_round_trip_and_match_serde() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::from_name(t.name()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.name()));
            assert!(!t.description().is_empty());
        }
        assert_eq!(FieldType::from_name("singleLinetext"), None);
    }

    #[test]
    fn pg_types_follow_the_spec_table() {
        let none = FieldOptions::default();
        let pg = |t: FieldType, o: &FieldOptions| t.pg_type(o).map(|p| p.sql());
        assert_eq!(pg(FieldType::SingleLineText, &none).unwrap(), "text");
        assert_eq!(pg(FieldType::MultiSelect, &none).unwrap(), "text[]");
        assert_eq!(pg(FieldType::Number, &none).unwrap(), "numeric");
        let fixed = FieldOptions {
            precision: Some(10),
            scale: Some(2),
            ..Default::default()
        };
        assert_eq!(pg(FieldType::Number, &fixed).unwrap(), "numeric(10,2)");
        let int = FieldOptions {
            integer: true,
            ..Default::default()
        };
        assert_eq!(pg(FieldType::Number, &int).unwrap(), "bigint");
        assert_eq!(pg(FieldType::Currency, &none).unwrap(), "numeric(19,4)");
        assert_eq!(pg(FieldType::Rating, &none).unwrap(), "smallint");
        assert_eq!(pg(FieldType::Checkbox, &none).unwrap(), "boolean");
        assert_eq!(pg(FieldType::Attachment, &none).unwrap(), "jsonb");
        assert_eq!(pg(FieldType::Duration, &none).unwrap(), "interval");
        assert_eq!(pg(FieldType::DateTime, &none).unwrap(), "timestamptz");
        assert_eq!(
            PgType::Timestamptz.format_type(),
            "timestamp with time zone"
        );
        assert_eq!(pg(FieldType::Count, &none).unwrap(), "bigint");
        assert_eq!(pg(FieldType::Trigger, &none), None);
        let formula = FieldOptions {
            result_type: Some(FieldType::Number),
            ..Default::default()
        };
        assert_eq!(pg(FieldType::Formula, &formula).unwrap(), "numeric");
        assert_eq!(pg(FieldType::Formula, &none).unwrap(), "text");
    }

    #[test]
    fn checks_are_data() {
        let none = FieldOptions::default();
        assert_eq!(FieldType::Rating.checks(&none), vec![Check::Between(0, 5)]);
        assert_eq!(FieldType::SingleLineText.checks(&none), vec![]);
        let limited = FieldOptions {
            max_length: Some(80),
            ..Default::default()
        };
        assert_eq!(
            FieldType::SingleLineText.checks(&limited),
            vec![Check::MaxLength(80)]
        );
        assert_eq!(FieldType::Attachment.checks(&none), vec![Check::JsonArray]);
        assert_eq!(FieldType::Checkbox.checks(&none), vec![]);
    }

    #[test]
    fn options_per_type() {
        assert!(FieldType::SingleLineText.accepts(OptionKey::MaxLength));
        assert!(!FieldType::Checkbox.accepts(OptionKey::MaxLength));
        assert!(!FieldType::Checkbox.accepts(OptionKey::Unique));
        assert!(FieldType::Formula.accepts(OptionKey::Expression));
        assert!(!FieldType::Formula.accepts(OptionKey::Default));
        assert!(FieldType::Rollup.accepts(OptionKey::Aggregate));
        assert!(!FieldType::Count.accepts(OptionKey::Aggregate));
    }
}
