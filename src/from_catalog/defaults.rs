//! A live default back to a design default: a literal when one prints back to exactly the
//! server's text, else the server's expression as it is.

use serde_json::Value;

use crate::design::{DefaultValue, PgType};
use crate::plan::printed::same_printed;
use crate::plan::sql_parts::default_sql;

/// The design default that plans to `printed` for a column of `pg_type` (`None`: raw).
pub(crate) fn default_value(printed: &str, pg_type: Option<PgType>) -> DefaultValue {
    literal(printed, pg_type)
        .filter(|value| same_printed(&default_sql(value, pg_type.as_ref()), printed))
        .unwrap_or_else(|| DefaultValue::Expression(printed.to_owned()))
}

fn literal(printed: &str, pg_type: Option<PgType>) -> Option<DefaultValue> {
    let pg_type = pg_type?;
    let text = printed.trim();
    let value = match pg_type {
        PgType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return None,
        },
        PgType::Text | PgType::Date | PgType::Timestamptz | PgType::Interval => {
            Value::String(quoted(text)?)
        }
        PgType::Numeric { .. } | PgType::BigInt | PgType::SmallInt => {
            let digits = quoted(text).unwrap_or_else(|| text.to_owned());
            let digits = digits.trim_start_matches('(').trim_end_matches(')');
            if let Ok(n) = digits.parse::<i64>() {
                Value::from(n)
            } else {
                let f: f64 = digits.parse().ok()?;
                serde_json::Number::from_f64(f).map(Value::Number)?
            }
        }
        PgType::Jsonb => serde_json::from_str(&quoted(text)?).ok()?,
        PgType::TextArray => {
            let inner = text
                .strip_prefix("ARRAY[")
                .and_then(|r| r.split_once(']'))
                .map(|(items, _)| items);
            match inner {
                Some(items) => Value::Array(
                    split_quoted(items)?
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                ),
                None if quoted(text).as_deref() == Some("{}") => Value::Array(Vec::new()),
                None => return None,
            }
        }
        PgType::Uuid => return None,
    };
    Some(DefaultValue::Literal(value))
}

/// `'it''s'::text` → `it's`: the first string literal, when it is the whole text (a cast
/// after it allowed).
pub(crate) fn quoted(text: &str) -> Option<String> {
    let rest = text.strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|(_, c)| *c) == Some('\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            let after = &rest[i + 1..];
            return (after.is_empty() || after.starts_with("::")).then_some(out);
        }
        out.push(c);
    }
    None
}

/// The string literals of a printed list (`'a'::text, 'b'::text`), in order.
pub(crate) fn split_quoted(items: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = items.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c != '\'') {
            chars.next();
        }
        if chars.next().is_none() {
            return Some(out);
        }
        let mut item = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    item.push('\'');
                }
                '\'' => break,
                c => item.push(c),
            }
        }
        out.push(item);
    }
}
