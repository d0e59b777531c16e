//! Field options: which options a type accepts, their ranges, and whether a literal value
//! (a default, or a value in an explicit sample row) fits the field.

use serde_json::Value;

use super::diagnostics::{Diagnostic, key_path};
use super::field_types::{Check, FieldType, OptionKey, Storage};
use super::function_ref::parse_function_ref;
use super::model::{DefaultValue, Field, FieldOptions};
use super::validate::check_sql_expression;

/// The widest `max_length` accepted (varchar's limit; anything longer is not a "line").
pub const MAX_LENGTH_LIMIT: u32 = 10_485_760;
/// The highest rating scale accepted.
pub const RATING_MAX_LIMIT: i64 = 100;

/// Checks the options of one field; `path` is the field's path.
pub(crate) fn check_options(field: &Field, path: &str, out: &mut Vec<Diagnostic>) {
    let t = field.field_type;
    let o = &field.options;
    let opath = key_path(path, "options");
    let at = |key: &str| key_path(&opath, key);

    for key in o.present() {
        if !t.accepts(key) {
            let accepted: Vec<_> = t.accepted_options().iter().map(|k| k.name()).collect();
            out.push(
                Diagnostic::error(
                    at(key.name()),
                    format!("option \"{}\" does not apply to {t} fields", key.name()),
                )
                .suggest(format!("{t} accepts: {}", accepted.join(", "))),
            );
        }
    }

    if t.accepts(OptionKey::MaxLength)
        && let Some(n) = o.max_length
        && !(1..=MAX_LENGTH_LIMIT).contains(&n)
    {
        out.push(Diagnostic::error(
            at("max_length"),
            format!("max_length must be from 1 to {MAX_LENGTH_LIMIT}, found {n}"),
        ));
    }
    if t == FieldType::Number {
        check_number(o, &at, out);
    }
    if matches!(t, FieldType::SingleSelect | FieldType::MultiSelect) {
        check_choices(o, &at, t, out);
    }
    if t == FieldType::Rating
        && let Some(max) = o.max
        && !(1..=RATING_MAX_LIMIT).contains(&max)
    {
        out.push(Diagnostic::error(
            at("max"),
            format!("a rating's max must be from 1 to {RATING_MAX_LIMIT}, found {max}"),
        ));
    }
    if t == FieldType::Currency
        && let Some(code) = &o.currency_code
        && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
    {
        out.push(
            Diagnostic::error(
                at("currency_code"),
                format!("\"{code}\" is not an ISO 4217 currency code"),
            )
            .suggest("use three capital letters, e.g. \"EUR\" or \"USD\""),
        );
    }
    if t == FieldType::Formula {
        check_formula(o, path, &at, out);
    }
    if t.storage() == Storage::View {
        require(o.relationship.as_deref(), &at("relationship"), t, out);
        if t != FieldType::Count {
            require(o.target_field.as_deref(), &at("target_field"), t, out);
        }
        if t == FieldType::Rollup && o.aggregate.is_none() {
            out.push(
                Diagnostic::error(at("aggregate"), "a rollup field needs an aggregate")
                    .suggest("one of sum, avg, min, max, count, array_agg"),
            );
        }
    }
    if t == FieldType::Trigger {
        check_trigger(o, &at, out);
    }
    if t.accepts(OptionKey::Default)
        && let Some(default) = &o.default
    {
        match default {
            DefaultValue::Expression(sql) if sql.trim().is_empty() => out.push(Diagnostic::error(
                at("default"),
                "the default expression is empty",
            )),
            DefaultValue::Expression(sql) => check_sql_expression(&at("default"), sql, out),
            DefaultValue::Literal(value) => {
                if let Some(d) = check_literal(field, value, &at("default"), "default") {
                    out.push(d);
                }
            }
        }
    }
}

fn require(value: Option<&str>, path: &str, t: FieldType, out: &mut Vec<Diagnostic>) {
    let key = path.rsplit('.').next().unwrap_or(path);
    if value.is_none_or(|v| v.trim().is_empty()) {
        out.push(Diagnostic::error(
            path,
            format!("a {t} field needs \"{key}\""),
        ));
    }
}

fn check_number(o: &FieldOptions, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    if let Some(p) = o.precision
        && !(1..=1000).contains(&p)
    {
        out.push(Diagnostic::error(
            at("precision"),
            format!("precision must be from 1 to 1000, found {p}"),
        ));
    }
    match (o.precision, o.scale) {
        (None, Some(_)) => out.push(
            Diagnostic::error(at("scale"), "scale needs a precision")
                .suggest("add \"precision\", e.g. 10 for numeric(10,2)"),
        ),
        (Some(p), Some(s)) if s > p => out.push(Diagnostic::error(
            at("scale"),
            format!("scale {s} is larger than precision {p}"),
        )),
        _ => {}
    }
    if o.integer && (o.precision.is_some() || o.scale.is_some()) {
        out.push(Diagnostic::error(
            at("integer"),
            "an integer number (bigint) takes no precision or scale",
        ));
    }
}

fn check_choices(
    o: &FieldOptions,
    at: &dyn Fn(&str) -> String,
    t: FieldType,
    out: &mut Vec<Diagnostic>,
) {
    if o.choices.is_empty() {
        out.push(
            Diagnostic::error(at("choices"), format!("a {t} field needs choices"))
                .suggest("add \"choices\": [\"…\", \"…\"]"),
        );
    }
    for (i, choice) in o.choices.iter().enumerate() {
        let path = format!("{}[{i}]", at("choices"));
        if choice.is_empty() {
            out.push(Diagnostic::error(path, "a choice must not be empty"));
        } else if o.choices[..i].contains(choice) {
            out.push(Diagnostic::error(
                path,
                format!("duplicate choice \"{choice}\""),
            ));
        }
    }
}

fn check_formula(
    o: &FieldOptions,
    path: &str,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Diagnostic>,
) {
    let expression_path = key_path(&key_path(path, "options"), "expression");
    match o.expression.as_deref() {
        Some(e) if !e.trim().is_empty() => check_sql_expression(&expression_path, e, out),
        _ => out.push(Diagnostic::error(
            expression_path,
            "a formula field needs an expression",
        )),
    }
    if let Some(result) = o.result_type
        && result.storage() != Storage::Column
    {
        out.push(Diagnostic::error(
            at("result_type"),
            format!("a formula cannot produce a {result} value; pick a stored type such as number"),
        ));
    }
}

fn check_trigger(o: &FieldOptions, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    if o.timing.is_none() {
        out.push(
            Diagnostic::error(at("timing"), "a trigger field needs a timing")
                .suggest("\"BEFORE\" or \"AFTER\""),
        );
    }
    if o.events.is_empty() {
        out.push(
            Diagnostic::error(at("events"), "a trigger field needs events")
                .suggest("e.g. [\"INSERT\", \"UPDATE\"]"),
        );
    }
    for (i, event) in o.events.iter().enumerate() {
        if o.events[..i].contains(event) {
            out.push(Diagnostic::error(
                format!("{}[{i}]", at("events")),
                "duplicate event",
            ));
        }
    }
    let blank = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
    match (&o.function, &o.body) {
        (None, None) => out.push(
            Diagnostic::error(at("function"), "a trigger field needs a function or a body")
                .suggest("name an existing function (\"schema.name\") or give a PL/pgSQL \"body\""),
        ),
        (Some(_), Some(_)) => out.push(Diagnostic::error(
            at("body"),
            "give either a function or a body, not both",
        )),
        _ if blank(&o.function) => out.push(Diagnostic::error(
            at("function"),
            "the function name is empty",
        )),
        _ if blank(&o.body) => out.push(Diagnostic::error(at("body"), "the body is empty")),
        (Some(function), None) => {
            if let Err(e) = parse_function_ref(function) {
                out.push(Diagnostic::error(at("function"), e.to_string()));
            }
        }
        _ => {}
    }
}

/// Whether a literal fits a field: the JSON kind its type stores and every CHECK of the type.
/// `what` names the value in the message ("default", "value").
pub(crate) fn check_literal(
    field: &Field,
    value: &Value,
    path: &str,
    what: &str,
) -> Option<Diagnostic> {
    if value.is_null() {
        return None;
    }
    let t = field.field_type;
    let expected = t.expected_shape(field.options.integer, value);
    if let Some(expected) = expected {
        return Some(Diagnostic::error(
            path,
            format!("{what} {value} does not fit a {t} field: expected {expected}"),
        ));
    }
    for check in t.checks(&field.options) {
        if check.accepts(value) {
            continue;
        }
        let d = Diagnostic::error(path, format!("{what} {value} {}", violation(&check)));
        return Some(match (&check, value.as_str()) {
            (Check::InChoices(choices), Some(s)) => {
                d.did_you_mean(s, choices.iter().map(String::as_str))
            }
            _ => d,
        });
    }
    None
}

fn violation(check: &Check) -> String {
    match check {
        Check::MaxLength(n) => format!("is longer than max_length {n}"),
        Check::InChoices(_) => "is not one of the choices".into(),
        Check::SubsetOf(_) => "holds a value that is not one of the choices".into(),
        Check::JsonArray => "is not a list".into(),
        Check::EmailPattern => "is not an email address".into(),
        Check::PhonePattern => "is not a phone number".into(),
        Check::HttpUrl => "is not an http(s) URL".into(),
        Check::Between(min, max) => format!("is not between {min} and {max}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(value: Value) -> Field {
        serde_json::from_value(value).unwrap()
    }

    fn messages(f: &Field) -> Vec<String> {
        let mut out = Vec::new();
        check_options(f, "f", &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn options_must_apply_to_the_type() {
        let f = field(
            json!({"name": "done", "type": "checkbox", "options": {"max_length": 3, "default": false}}),
        );
        assert_eq!(
            messages(&f),
            [
                "f.options.max_length: option \"max_length\" does not apply to checkbox fields — checkbox accepts: required, default, description"
            ]
        );
    }

    #[test]
    fn number_ranges() {
        let f = field(
            json!({"name": "n", "type": "number", "options": {"precision": 1001, "scale": 1002}}),
        );
        assert_eq!(
            messages(&f),
            [
                "f.options.precision: precision must be from 1 to 1000, found 1001",
                "f.options.scale: scale 1002 is larger than precision 1001",
            ]
        );
        let f =
            field(json!({"name": "n", "type": "number", "options": {"scale": 2, "integer": true}}));
        assert_eq!(messages(&f).len(), 2);
        let f = field(
            json!({"name": "n", "type": "number", "options": {"precision": 10, "scale": 2, "default": 3.5}}),
        );
        assert!(messages(&f).is_empty());
    }

    #[test]
    fn choices_are_required_and_unique() {
        let f = field(json!({"name": "s", "type": "singleSelect"}));
        assert_eq!(
            messages(&f),
            [
                "f.options.choices: a singleSelect field needs choices — add \"choices\": [\"…\", \"…\"]"
            ]
        );
        let f = field(
            json!({"name": "s", "type": "multiSelect", "options": {"choices": ["a", "b", "a", ""]}}),
        );
        assert_eq!(
            messages(&f),
            [
                "f.options.choices[2]: duplicate choice \"a\"",
                "f.options.choices[3]: a choice must not be empty",
            ]
        );
    }

    #[test]
    fn defaults_must_fit() {
        let cases = [
            (
                json!({"type": "checkbox", "options": {"default": "no"}}),
                "f.options.default: default \"no\" does not fit a checkbox field: expected true or false",
            ),
            (
                json!({"type": "singleSelect", "options": {"choices": ["open", "closed"], "default": "opne"}}),
                "f.options.default: default \"opne\" is not one of the choices — did you mean \"open\"?",
            ),
            (
                json!({"type": "number", "options": {"default": "3"}}),
                "f.options.default: default \"3\" does not fit a number field: expected a number",
            ),
            (
                json!({"type": "number", "options": {"integer": true, "default": 2.5}}),
                "f.options.default: default 2.5 does not fit a number field: expected a whole number",
            ),
            (
                json!({"type": "rating", "options": {"default": 6}}),
                "f.options.default: default 6 is not between 0 and 5",
            ),
            (
                json!({"type": "singleLineText", "options": {"max_length": 2, "default": "abc"}}),
                "f.options.default: default \"abc\" is longer than max_length 2",
            ),
            (
                json!({"type": "date", "options": {"default": "2024-13-01"}}),
                "f.options.default: default \"2024-13-01\" does not fit a date field: expected a date written YYYY-MM-DD",
            ),
            (
                json!({"type": "email", "options": {"default": "nobody"}}),
                "f.options.default: default \"nobody\" is not an email address",
            ),
            (
                json!({"type": "dateTime", "options": {"default": {"expression": " "}}}),
                "f.options.default: the default expression is empty",
            ),
        ];
        for (mut json, expected) in cases {
            json["name"] = json!("f");
            assert_eq!(messages(&field(json)), [expected]);
        }
        let ok = field(
            json!({"name": "d", "type": "dateTime", "options": {"default": {"expression": "now()"}}}),
        );
        assert!(messages(&ok).is_empty());
        let ok = field(
            json!({"name": "d", "type": "multiSelect", "options": {"choices": ["a"], "default": ["a"]}}),
        );
        assert!(messages(&ok).is_empty());
    }

    #[test]
    fn computed_fields_need_their_options() {
        let f = field(json!({"name": "f", "type": "formula"}));
        assert_eq!(
            messages(&f),
            ["f.options.expression: a formula field needs an expression"]
        );
        let f = field(json!({"name": "r", "type": "rollup"}));
        assert_eq!(
            messages(&f),
            [
                "f.options.relationship: a rollup field needs \"relationship\"",
                "f.options.target_field: a rollup field needs \"target_field\"",
                "f.options.aggregate: a rollup field needs an aggregate — one of sum, avg, min, max, count, array_agg",
            ]
        );
        let f = field(
            json!({"name": "t", "type": "trigger", "options": {"timing": "AFTER", "events": ["INSERT"], "function": "f", "body": "b"}}),
        );
        assert_eq!(
            messages(&f),
            ["f.options.body: give either a function or a body, not both"]
        );
    }

    #[test]
    fn currency_and_rating_ranges() {
        let f =
            field(json!({"name": "c", "type": "currency", "options": {"currency_code": "eur"}}));
        assert_eq!(messages(&f).len(), 1);
        let f = field(json!({"name": "r", "type": "rating", "options": {"max": 0}}));
        assert_eq!(
            messages(&f),
            ["f.options.max: a rating's max must be from 1 to 100, found 0"]
        );
    }
}
