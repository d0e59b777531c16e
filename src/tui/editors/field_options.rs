//! The options form of a field, as data: which inputs a field type gets (exactly the options
//! [`FieldType::accepted_options`] lists, so the form never offers an option the validator
//! rejects), what each input shows for a field, and how the typed text becomes the field's
//! options again. Parse errors name the input they come from; everything else is judged by
//! the design validator itself (see [`super::judge`]).

use serde_json::Value;

use crate::design::model::{
    Aggregate, DefaultValue, FieldOptions, ForEach, IdentityKind, Timing, TriggerEvent,
};
use crate::design::{Field, FieldType, OptionKey, Storage};

/// What kind of input an option is edited with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// On or off.
    Flag,
    /// One line of text.
    Text,
    /// A whole number (empty for none).
    Number,
    /// One of a fixed list; the first entry means "not set".
    Pick(&'static [&'static str]),
    /// Several lines: one entry per line.
    Lines,
    /// SQL over several lines, highlighted.
    Sql,
}

/// One input of a field's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionInput {
    pub key: OptionKey,
    pub label: &'static str,
    pub kind: InputKind,
    /// One line under the input.
    pub help: &'static str,
}

/// The value an input holds while the form is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputValue {
    Flag(bool),
    Text(String),
    Pick(usize),
}

const RESULT_TYPES: &[&str] = &[
    "(text)",
    "singleLineText",
    "number",
    "checkbox",
    "date",
    "dateTime",
    "json",
    "percent",
    "currency",
    "duration",
];
const AGGREGATES: &[&str] = &["(sum)", "sum", "avg", "min", "max", "count", "array_agg"];
const TIMINGS: &[&str] = &["(before)", "BEFORE", "AFTER"];
const FOR_EACH: &[&str] = &["(row)", "ROW", "STATEMENT"];
const IDENTITIES: &[&str] = &["(none)", "ALWAYS", "BY DEFAULT"];

/// The inputs of a field of type `t`, in the order the form shows them.
pub fn inputs(t: FieldType) -> Vec<OptionInput> {
    t.accepted_options().iter().map(|&k| input(t, k)).collect()
}

fn input(t: FieldType, key: OptionKey) -> OptionInput {
    use InputKind::*;
    let (label, kind, help) = match key {
        OptionKey::Required => ("required", Flag, "every row must have a value (NOT NULL)"),
        OptionKey::Unique => ("unique", Flag, "no two rows share a value"),
        OptionKey::Default => (
            "default",
            Text,
            match t {
                FieldType::MultiSelect => "choices separated by commas; = starts SQL",
                FieldType::Json | FieldType::Attachment => "JSON, e.g. [] or {}; = starts SQL",
                _ => "a value; = starts an SQL expression, e.g. = now()",
            },
        ),
        OptionKey::Description => ("description", Text, "the column comment"),
        OptionKey::Choices => ("choices", Lines, "one per line; Alt-↑/↓ reorders"),
        OptionKey::Max => ("max", Number, "the top of the scale (5 when empty)"),
        OptionKey::MaxLength => ("max length", Number, "characters at most (empty: no limit)"),
        OptionKey::Precision => ("precision", Number, "digits in all (empty: any)"),
        OptionKey::Scale => ("scale", Number, "digits after the point"),
        OptionKey::Integer => ("integer", Flag, "whole numbers only (bigint)"),
        OptionKey::Expression => ("expression", Sql, "SQL over this row's columns"),
        OptionKey::ResultType => ("result type", Pick(RESULT_TYPES), "the formula's type"),
        OptionKey::CurrencyCode => ("currency", Text, "ISO 4217 code, e.g. EUR"),
        OptionKey::Relationship => ("relationship", Text, "the relationship to follow"),
        OptionKey::Through => ("through", Text, "the table holding it, when not this one"),
        OptionKey::TargetField => ("target field", Text, "the field of the related table"),
        OptionKey::Aggregate => ("aggregate", Pick(AGGREGATES), "how values combine"),
        OptionKey::Timing => ("timing", Pick(TIMINGS), "before or after the change"),
        OptionKey::Events => ("events", Text, "INSERT, UPDATE, DELETE (commas)"),
        OptionKey::ForEach => ("for each", Pick(FOR_EACH), "once per row or per statement"),
        OptionKey::Function => ("function", Text, "an existing function, schema.name"),
        OptionKey::Body => ("body", Sql, "PL/pgSQL: BEGIN … RETURN NEW; END;"),
        OptionKey::SqlType => (
            "sql type",
            Text,
            "any PostgreSQL type, e.g. bigint or public.mood",
        ),
        OptionKey::PrimaryKey => (
            "primary key",
            Flag,
            "part of the key (tables without system fields)",
        ),
        OptionKey::Identity => ("identity", Pick(IDENTITIES), "generated numbers"),
        OptionKey::Bucket => ("bucket", Text, "the storage bucket the files go to"),
    };
    OptionInput {
        key,
        label,
        kind,
        help,
    }
}

/// What the input of `key` shows for `field` when the form opens.
pub fn value_of(field: &Field, key: OptionKey) -> InputValue {
    let o = &field.options;
    let text = |s: &Option<String>| InputValue::Text(s.clone().unwrap_or_default());
    let number = |n: Option<String>| InputValue::Text(n.unwrap_or_default());
    let pick = |list: &[&str], name: Option<&str>| {
        InputValue::Pick(
            name.and_then(|n| list.iter().position(|e| *e == n))
                .unwrap_or(0),
        )
    };
    match key {
        OptionKey::Required => InputValue::Flag(o.required),
        OptionKey::Unique => InputValue::Flag(o.unique),
        OptionKey::Integer => InputValue::Flag(o.integer),
        OptionKey::Default => {
            InputValue::Text(o.default.as_ref().map(show_default).unwrap_or_default())
        }
        OptionKey::Description => text(&o.description),
        OptionKey::Choices => InputValue::Text(o.choices.join("\n")),
        OptionKey::Max => number(o.max.map(|n| n.to_string())),
        OptionKey::MaxLength => number(o.max_length.map(|n| n.to_string())),
        OptionKey::Precision => number(o.precision.map(|n| n.to_string())),
        OptionKey::Scale => number(o.scale.map(|n| n.to_string())),
        OptionKey::Expression => text(&o.expression),
        OptionKey::ResultType => pick(RESULT_TYPES, o.result_type.map(FieldType::name)),
        OptionKey::CurrencyCode => text(&o.currency_code),
        OptionKey::Relationship => text(&o.relationship),
        OptionKey::Through => text(&o.through),
        OptionKey::TargetField => text(&o.target_field),
        OptionKey::Aggregate => pick(AGGREGATES, o.aggregate.map(aggregate_name)),
        OptionKey::Timing => pick(
            TIMINGS,
            o.timing.map(|t| match t {
                Timing::Before => "BEFORE",
                Timing::After => "AFTER",
            }),
        ),
        OptionKey::Events => InputValue::Text(
            o.events
                .iter()
                .map(|e| match e {
                    TriggerEvent::Insert => "INSERT",
                    TriggerEvent::Update => "UPDATE",
                    TriggerEvent::Delete => "DELETE",
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        OptionKey::ForEach => pick(
            FOR_EACH,
            o.for_each.map(|f| match f {
                ForEach::Row => "ROW",
                ForEach::Statement => "STATEMENT",
            }),
        ),
        OptionKey::Function => text(&o.function),
        OptionKey::Body => text(&o.body),
        OptionKey::SqlType => text(&o.sql_type),
        OptionKey::Bucket => text(&o.bucket),
        OptionKey::PrimaryKey => InputValue::Flag(o.primary_key),
        OptionKey::Identity => pick(
            IDENTITIES,
            o.identity.map(|i| match i {
                IdentityKind::Always => "ALWAYS",
                IdentityKind::ByDefault => "BY DEFAULT",
            }),
        ),
    }
}

fn aggregate_name(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Sum => "sum",
        Aggregate::Avg => "avg",
        Aggregate::Min => "min",
        Aggregate::Max => "max",
        Aggregate::Count => "count",
        Aggregate::ArrayAgg => "array_agg",
    }
}

/// A default as the user types it: SQL after `= `, a list of choices with commas, JSON for
/// JSON fields, else the value itself.
pub fn show_default(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Expression(sql) => format!("= {sql}"),
        DefaultValue::Literal(Value::String(s)) => s.clone(),
        DefaultValue::Literal(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        DefaultValue::Literal(other) => other.to_string(),
    }
}

/// Reads a typed default back for a field of type `t`.
pub fn parse_default(t: FieldType, text: &str) -> Result<Option<DefaultValue>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Some(sql) = trimmed.strip_prefix('=') {
        let sql = sql.trim();
        if sql.is_empty() {
            return Err("write the SQL expression after =".into());
        }
        return Ok(Some(DefaultValue::Expression(sql.to_owned())));
    }
    let literal = match t {
        FieldType::Number | FieldType::Rating | FieldType::Percent | FieldType::Currency => {
            let number: serde_json::Number = trimmed
                .parse::<i64>()
                .map(serde_json::Number::from)
                .ok()
                .or_else(|| {
                    trimmed
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                })
                .ok_or_else(|| format!("{trimmed:?} is not a number (= starts SQL)"))?;
            Value::Number(number)
        }
        FieldType::Checkbox => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Value::Bool(true),
            "false" | "no" | "off" => Value::Bool(false),
            _ => return Err("true or false".into()),
        },
        FieldType::MultiSelect => Value::Array(
            trimmed
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        FieldType::Json | FieldType::Attachment => {
            serde_json::from_str(trimmed).map_err(|e| format!("not JSON: {e} (= starts SQL)"))?
        }
        _ => Value::String(text.to_owned()),
    };
    Ok(Some(DefaultValue::Literal(literal)))
}

/// Sets option `key` of `options` from the input's value; the error is for that input.
pub fn set(
    t: FieldType,
    options: &mut FieldOptions,
    key: OptionKey,
    value: &InputValue,
) -> Result<(), String> {
    let text = match value {
        InputValue::Text(s) => s.as_str(),
        _ => "",
    };
    let flag = matches!(value, InputValue::Flag(true));
    let picked = |list: &[&'static str]| match value {
        InputValue::Pick(i) if *i > 0 => list.get(*i).copied(),
        _ => None,
    };
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    match key {
        OptionKey::Required => options.required = flag,
        OptionKey::Unique => options.unique = flag,
        OptionKey::Integer => options.integer = flag,
        OptionKey::Default => options.default = parse_default(t, text)?,
        OptionKey::Description => options.description = optional(text),
        OptionKey::Choices => {
            options.choices = text
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }
        OptionKey::Max => options.max = whole(text)?,
        OptionKey::MaxLength => options.max_length = whole(text)?,
        OptionKey::Precision => options.precision = whole(text)?,
        OptionKey::Scale => options.scale = whole(text)?,
        OptionKey::Expression => options.expression = optional(text),
        OptionKey::ResultType => {
            options.result_type = picked(RESULT_TYPES).and_then(FieldType::from_name)
        }
        OptionKey::CurrencyCode => options.currency_code = optional(text).map(|c| c.to_uppercase()),
        OptionKey::Relationship => options.relationship = optional(text),
        OptionKey::Through => options.through = optional(text),
        OptionKey::TargetField => options.target_field = optional(text),
        OptionKey::Aggregate => {
            options.aggregate = picked(AGGREGATES).map(|name| {
                serde_json::from_value(Value::String(name.to_owned())).expect("listed aggregates")
            })
        }
        OptionKey::Timing => {
            options.timing = picked(TIMINGS).map(|n| {
                if n == "AFTER" {
                    Timing::After
                } else {
                    Timing::Before
                }
            })
        }
        OptionKey::Events => {
            options.events = Vec::new();
            for word in text.split([',', ' ']).filter(|w| !w.is_empty()) {
                let event = match word.to_ascii_uppercase().as_str() {
                    "INSERT" => TriggerEvent::Insert,
                    "UPDATE" => TriggerEvent::Update,
                    "DELETE" => TriggerEvent::Delete,
                    _ => return Err(format!("{word:?} is not INSERT, UPDATE or DELETE")),
                };
                if !options.events.contains(&event) {
                    options.events.push(event);
                }
            }
        }
        OptionKey::ForEach => {
            options.for_each = picked(FOR_EACH).map(|n| {
                if n == "STATEMENT" {
                    ForEach::Statement
                } else {
                    ForEach::Row
                }
            })
        }
        OptionKey::Function => options.function = optional(text),
        OptionKey::Body => options.body = optional(text),
        OptionKey::SqlType => options.sql_type = optional(text),
        OptionKey::Bucket => options.bucket = optional(text),
        OptionKey::PrimaryKey => options.primary_key = flag,
        OptionKey::Identity => {
            options.identity = picked(IDENTITIES).map(|n| {
                if n == "ALWAYS" {
                    IdentityKind::Always
                } else {
                    IdentityKind::ByDefault
                }
            })
        }
    }
    Ok(())
}

fn whole<N: std::str::FromStr>(text: &str) -> Result<Option<N>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{text:?} is not a whole number"))
}

/// The PostgreSQL type a field of type `t` becomes with default options, for the picker.
pub fn pg_type_hint(t: FieldType) -> String {
    match t.storage() {
        Storage::View => "view column".into(),
        Storage::NoColumn => "trigger".into(),
        _ => t
            .pg_type(&FieldOptions::default())
            .map(|p| p.sql())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every type: what the form shows for a field, read back, is the field's options.
    #[test]
    fn every_option_of_every_type_reads_back_as_it_was() {
        let mut field = Field::new("x", FieldType::Number);
        field.options = FieldOptions {
            required: true,
            unique: true,
            default: Some(DefaultValue::Expression("now()".into())),
            description: Some("about".into()),
            choices: vec!["a".into(), "b c".into()],
            max: Some(10),
            max_length: Some(120),
            precision: Some(6),
            scale: Some(2),
            integer: true,
            expression: Some("a + b".into()),
            result_type: Some(FieldType::Number),
            currency_code: Some("EUR".into()),
            relationship: Some("project".into()),
            through: Some("tasks".into()),
            target_field: Some("Estimate".into()),
            aggregate: Some(Aggregate::ArrayAgg),
            timing: Some(Timing::After),
            events: vec![TriggerEvent::Insert, TriggerEvent::Delete],
            for_each: Some(ForEach::Statement),
            function: Some("public.f".into()),
            body: Some("BEGIN RETURN NEW; END;".into()),
            sql_type: Some("public.mood".into()),
            primary_key: true,
            identity: Some(IdentityKind::ByDefault),
            bucket: Some("uploads".into()),
        };
        for t in FieldType::ALL {
            field.field_type = t;
            let mut back = FieldOptions::default();
            for input in inputs(t) {
                set(t, &mut back, input.key, &value_of(&field, input.key)).unwrap();
            }
            for input in inputs(t) {
                assert_eq!(
                    value_of(
                        &Field {
                            options: back.clone(),
                            ..field.clone()
                        },
                        input.key
                    ),
                    value_of(&field, input.key),
                    "{t} {:?}",
                    input.key
                );
            }
            for key in back.present() {
                assert!(t.accepts(key), "{t} got {key:?}, which it does not accept");
            }
        }
    }

    #[test]
    fn defaults_are_typed_by_the_field_type() {
        let lit = |v: Value| Ok(Some(DefaultValue::Literal(v)));
        assert_eq!(
            parse_default(FieldType::Number, "1.5"),
            lit(serde_json::json!(1.5))
        );
        assert_eq!(
            parse_default(FieldType::Rating, "3"),
            lit(serde_json::json!(3))
        );
        assert_eq!(
            parse_default(FieldType::Checkbox, "yes"),
            lit(Value::Bool(true))
        );
        assert_eq!(
            parse_default(FieldType::MultiSelect, "bug, chore"),
            lit(serde_json::json!(["bug", "chore"]))
        );
        assert_eq!(
            parse_default(FieldType::DateTime, "= now() + interval '1 day'"),
            Ok(Some(DefaultValue::Expression(
                "now() + interval '1 day'".into()
            )))
        );
        assert_eq!(parse_default(FieldType::SingleLineText, "  "), Ok(None));
        assert!(
            parse_default(FieldType::Number, "many")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(
            parse_default(FieldType::Json, "{oops")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(parse_default(FieldType::Date, "=").is_err());
    }

    #[test]
    fn bad_numbers_and_events_name_what_is_wrong() {
        let mut o = FieldOptions::default();
        let t = FieldType::SingleLineText;
        let err = set(
            t,
            &mut o,
            OptionKey::MaxLength,
            &InputValue::Text("-3".into()),
        );
        assert!(err.unwrap_err().contains("whole number"));
        let err = set(
            FieldType::Trigger,
            &mut o,
            OptionKey::Events,
            &InputValue::Text("insert, upsert".into()),
        );
        assert!(err.unwrap_err().contains("upsert"));
    }

    #[test]
    fn the_picker_hint_is_the_column_type() {
        assert_eq!(pg_type_hint(FieldType::SingleLineText), "text");
        assert_eq!(pg_type_hint(FieldType::Checkbox), "boolean");
        assert_eq!(pg_type_hint(FieldType::Count), "view column");
        assert_eq!(pg_type_hint(FieldType::Trigger), "trigger");
    }
}
