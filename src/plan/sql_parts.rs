//! Pieces of SQL text the planner assembles: column definitions, checks, defaults, names.
//! Identifiers go through `sql::ident`, literals through `sql::literal`; the only raw text is
//! what the user wrote as an expression.

use serde_json::Value;

use crate::catalog::QualifiedName;
use crate::design::field_types::{EMAIL_PATTERN, PHONE_PATTERN, URL_PATTERN};
use crate::design::{Check, DefaultValue, PgType};
use crate::sql::{ident, literal};

/// `schema.name` as a user writes a reference to a function or table, resolved the way
/// PostgreSQL reads it: unquoted parts fold to lower case, quoted parts stay as written,
/// an argument list is dropped, and a bare name belongs to `default_schema`.
pub fn qualified_reference(reference: &str, default_schema: &str) -> String {
    reference_name(reference, default_schema).sql()
}

/// The schema and name a reference resolves to (see [`qualified_reference`]).
pub fn reference_name(reference: &str, default_schema: &str) -> QualifiedName {
    use sqlparser::tokenizer::Token;
    let mut parts: Vec<String> = Vec::new();
    if let Ok(tokens) = crate::sql_tokens::tokens(reference.trim()) {
        for (token, _) in tokens {
            match token {
                Token::Word(w) if w.quote_style.is_some() => parts.push(w.value),
                Token::Word(w) => parts.push(w.value.to_lowercase()),
                Token::LParen => break,
                _ => {}
            }
        }
    }
    match parts.as_slice() {
        [name] => QualifiedName::new(default_schema, name.as_str()),
        [.., schema, name] => QualifiedName::new(schema.as_str(), name.as_str()),
        [] => QualifiedName::new(default_schema, reference.trim()),
    }
}

/// A design default as SQL: literals quoted for the column type, expressions as written inside
/// parentheses, so an expression can never add a clause (`0 CONSTRAINT x CHECK (false)`) to
/// the column it goes into.
pub fn default_sql(default: &DefaultValue, pg_type: Option<&PgType>) -> String {
    match default {
        DefaultValue::Expression(expression) => format!("({expression})"),
        DefaultValue::Literal(value) => literal_for(value, pg_type),
    }
}

/// A JSON value as a literal of the column's type.
pub fn literal_for(value: &Value, pg_type: Option<&PgType>) -> String {
    match (value, pg_type) {
        (Value::Null, _) => "NULL".into(),
        (_, Some(PgType::Jsonb)) => format!("{}::jsonb", literal(&value.to_string())),
        (Value::Bool(b), _) => b.to_string(),
        // serde_json's numbers print as plain digits, sign, point and exponent.
        (Value::Number(n), _) => n.to_string(),
        (Value::String(s), _) => literal(s),
        (Value::Array(items), _) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => literal(s),
                    other => literal(&other.to_string()),
                })
                .collect();
            format!("ARRAY[{}]::text[]", items.join(", "))
        }
        (Value::Object(_), _) => format!("{}::jsonb", literal(&value.to_string())),
    }
}

/// One CHECK expression over `column`.
pub fn check_sql(check: &Check, column: &str) -> String {
    let col = ident(column);
    let list = |choices: &[String]| {
        choices
            .iter()
            .map(|c| literal(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match check {
        Check::MaxLength(n) => format!("char_length({col}) <= {n}"),
        Check::InChoices(choices) => format!("{col} IN ({})", list(choices)),
        Check::SubsetOf(choices) => format!("{col} <@ ARRAY[{}]::text[]", list(choices)),
        Check::JsonArray => format!("jsonb_typeof({col}) = 'array'"),
        Check::EmailPattern => format!("{col} ~* {}", literal(EMAIL_PATTERN)),
        Check::PhonePattern => format!("{col} ~ {}", literal(PHONE_PATTERN)),
        Check::HttpUrl => format!("{col} ~* {}", literal(URL_PATTERN)),
        Check::Between(min, max) => format!("{col} BETWEEN {min} AND {max}"),
    }
}

/// All checks of a column AND-ed into one constraint body.
pub fn checks_sql(checks: &[Check], column: &str) -> String {
    checks
        .iter()
        .map(|c| check_sql(c, column))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A role in a policy or grant: `public` is the PUBLIC pseudo-role, the rest are names.
pub fn role_sql(role: &str) -> String {
    if role.eq_ignore_ascii_case("public") {
        "PUBLIC".into()
    } else {
        ident(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals_follow_the_column_type() {
        assert_eq!(literal_for(&json!(false), Some(&PgType::Boolean)), "false");
        assert_eq!(literal_for(&json!(12.5), None), "12.5");
        assert_eq!(literal_for(&json!("it's"), Some(&PgType::Text)), "'it''s'");
        assert_eq!(
            literal_for(&json!(["a", "b'"]), Some(&PgType::TextArray)),
            "ARRAY['a', 'b''']::text[]"
        );
        assert_eq!(
            literal_for(&json!({"k": 1}), Some(&PgType::Jsonb)),
            "'{\"k\":1}'::jsonb"
        );
        assert_eq!(literal_for(&json!([]), Some(&PgType::Jsonb)), "'[]'::jsonb");
    }

    #[test]
    fn checks_quote_everything() {
        assert_eq!(
            check_sql(&Check::MaxLength(80), "title"),
            "char_length(\"title\") <= 80"
        );
        assert_eq!(
            check_sql(&Check::InChoices(vec!["low".into(), "it's".into()]), "p"),
            "\"p\" IN ('low', 'it''s')"
        );
        assert_eq!(
            check_sql(&Check::Between(0, 5), "r"),
            "\"r\" BETWEEN 0 AND 5"
        );
        assert_eq!(
            checks_sql(
                &[Check::MaxLength(3), Check::InChoices(vec!["a".into()])],
                "c"
            ),
            "char_length(\"c\") <= 3 AND \"c\" IN ('a')"
        );
    }

    #[test]
    fn references_are_quoted_per_part() {
        assert_eq!(
            qualified_reference("audit.log_change()", "public"),
            "\"audit\".\"log_change\""
        );
        assert_eq!(qualified_reference("notify", "app"), "\"app\".\"notify\"");
        assert_eq!(
            qualified_reference("Audit.logChange", "public"),
            "\"audit\".\"logchange\""
        );
        assert_eq!(
            qualified_reference("\"My.Schema\".\"Fn\"(int)", "public"),
            "\"My.Schema\".\"Fn\""
        );
        assert_eq!(role_sql("public"), "PUBLIC");
        assert_eq!(role_sql("authenticated"), "\"authenticated\"");
    }
}
