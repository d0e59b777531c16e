//! Comparing what the design asks for with what the catalog holds, through the server's
//! printed form. PostgreSQL stores defaults and CHECK bodies as trees and prints them back its
//! own way (`'draft'::text`, `'-3'::integer`, `(a >= 0) AND (a <= 5)` for a BETWEEN,
//! `= ANY (ARRAY[…])` for an IN list), so a design that was applied re-plans empty only when
//! both sides are brought to one canonical text first.

use sqlparser::ast::{DataType, Expr, UnaryOperator, Value, visit_expressions_mut};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::catalog::normalised::{Canonical, Form, Normalised};
use crate::design::Check;
use crate::design::field_types::{EMAIL_PATTERN, PHONE_PATTERN, URL_PATTERN};
use crate::sql::{ident, literal};

/// Whether two expressions are the same once printed by the server: parentheses, casts on
/// literals, quoting of lower-case identifiers and of numbers do not count.
pub fn same_printed(a: &str, b: &str) -> bool {
    compare(a, b, |text| canonical(text).map(Into::into))
}

/// [`same_printed`], with the canonical forms remembered in `forms` (the catalog's memo), so
/// each text is parsed once however many plans compare it.
pub fn same_printed_in(forms: &Normalised, a: &str, b: &str) -> bool {
    compare(a, b, |text| forms.form(Form::Printed, text, canonical))
}

fn compare(a: &str, b: &str, form: impl Fn(&str) -> Canonical) -> bool {
    // Most comparisons are of equal things; the quick form settles those without parsing.
    if quick(a) == quick(b) {
        return true;
    }
    match (form(a), form(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// The body of `CHECK (…)` as `pg_get_constraintdef` prints it, or the text itself.
pub fn check_body(definition: &str) -> &str {
    let text = definition.trim();
    text.strip_prefix("CHECK ")
        .map(|rest| rest.trim_end_matches(" NOT VALID"))
        .unwrap_or(text)
}

/// A design's checks on `column` written the way PostgreSQL prints them back, for comparing
/// with a live CHECK's body through [`same_printed`].
pub fn checks_as_printed(checks: &[Check], column: &str) -> String {
    let parts: Vec<String> = checks
        .iter()
        .flat_map(|c| check_as_printed(c, column))
        .collect();
    if parts.len() == 1 {
        return parts[0].clone();
    }
    parts
        .iter()
        .map(|p| format!("({p})"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// One check as AND-ed terms (a BETWEEN is two).
fn check_as_printed(check: &Check, column: &str) -> Vec<String> {
    let col = ident(column);
    let array = |choices: &[String]| {
        choices
            .iter()
            .map(|c| literal(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![match check {
        Check::MaxLength(n) => format!("char_length({col}) <= {n}"),
        Check::InChoices(choices) if choices.len() == 1 => {
            format!("{col} = {}", literal(&choices[0]))
        }
        Check::InChoices(choices) => format!("{col} = ANY (ARRAY[{}])", array(choices)),
        Check::SubsetOf(choices) => format!("{col} <@ ARRAY[{}]", array(choices)),
        Check::JsonArray => format!("jsonb_typeof({col}) = 'array'"),
        Check::EmailPattern => format!("{col} ~* {}", literal(EMAIL_PATTERN)),
        Check::PhonePattern => format!("{col} ~ {}", literal(PHONE_PATTERN)),
        Check::HttpUrl => format!("{col} ~* {}", literal(URL_PATTERN)),
        Check::Between(min, max) => {
            return vec![format!("{col} >= {min}"), format!("{col} <= {max}")];
        }
    }]
}

/// A cheap form for the common case: outside string literals, spaces, identifier quotes and
/// `::type` casts are dropped, then parentheses around the whole. Equal quick forms mean
/// equal expressions; unequal ones are compared by parsing.
fn quick(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    out.push(chars.next().unwrap_or('\''));
                } else {
                    in_string = false;
                }
            }
            continue;
        }
        match c {
            '\'' => {
                in_string = true;
                out.push(c);
            }
            '"' => {}
            c if c.is_whitespace() => {}
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                while chars
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '[' | ']'))
                {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    let mut text = out.as_str();
    while text.starts_with('(') && text.ends_with(')') && encloses(text) {
        text = &text[1..text.len() - 1];
    }
    text.to_owned()
}

/// Whether the first parenthesis of `text` closes at its very end (outside strings).
fn encloses(text: &str) -> bool {
    let mut depth = 0i32;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

fn canonical(text: &str) -> Option<String> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    let mut expr = parser.parse_expr().ok()?;
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return None;
    }
    let take = |e: &mut Box<Expr>| std::mem::replace(e.as_mut(), Expr::value(Value::Null));
    let _ = visit_expressions_mut(&mut expr, |e| {
        loop {
            match e {
                Expr::Nested(inner) => *e = take(inner),
                // `interval '1 day'` and `date '…'` print as `'1 day'::interval`.
                Expr::Interval(i)
                    if i.leading_field.is_none()
                        && i.last_field.is_none()
                        && i.leading_precision.is_none() =>
                {
                    *e = take(&mut i.value)
                }
                Expr::TypedString(t) => *e = Expr::value(t.value.value.clone()),
                // jsonb is stored parsed: the server prints its own spacing.
                Expr::Cast {
                    expr: inner,
                    data_type: DataType::JSONB,
                    ..
                } if matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_))) =>
                {
                    let Expr::Value(v) = inner.as_ref() else {
                        break;
                    };
                    let Value::SingleQuotedString(text) = &v.value else {
                        break;
                    };
                    let text = serde_json::from_str::<serde_json::Value>(text)
                        .map(|j| j.to_string())
                        .unwrap_or_else(|_| text.clone());
                    *e = Expr::value(Value::SingleQuotedString(text));
                }
                Expr::Cast { expr: inner, .. }
                    if matches!(
                        inner.as_ref(),
                        Expr::Value(_) | Expr::Array(_) | Expr::UnaryOp { .. }
                    ) =>
                {
                    *e = take(inner)
                }
                Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr: inner,
                } if matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..))) =>
                {
                    let Expr::Value(v) = inner.as_ref() else {
                        break;
                    };
                    let Value::Number(n, _) = &v.value else { break };
                    *e = Expr::value(Value::Number(format!("-{n}"), false));
                }
                Expr::Value(v) => {
                    if let Value::SingleQuotedString(s) = &v.value
                        && !s.is_empty()
                        && s.parse::<f64>().is_ok()
                        && s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
                    {
                        v.value = Value::Number(s.trim_start_matches('+').to_owned(), false);
                    }
                    break;
                }
                _ => break,
            }
        }
        match e {
            // With every written parenthesis gone, operands that are operations get one
            // each, so the grouping still shows: `(1 + 2) * 3` is not `1 + 2 * 3`.
            Expr::BinaryOp { left, right, .. } => {
                for side in [left, right] {
                    if matches!(side.as_ref(), Expr::BinaryOp { .. }) {
                        let inner = take(side);
                        **side = Expr::Nested(Box::new(inner));
                    }
                }
            }
            Expr::Identifier(id) => {
                if id.quote_style.is_none() {
                    id.value = id.value.to_lowercase();
                }
                id.quote_style = None;
            }
            Expr::CompoundIdentifier(ids) => {
                for id in ids.iter_mut() {
                    if id.quote_style.is_none() {
                        id.value = id.value.to_lowercase();
                    }
                    id.quote_style = None;
                }
            }
            Expr::Function(f) => {
                for part in f.name.0.iter_mut() {
                    if let sqlparser::ast::ObjectNamePart::Identifier(id) = part {
                        if id.quote_style.is_none() {
                            id.value = id.value.to_lowercase();
                        }
                        id.quote_style = None;
                    }
                }
            }
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    Some(expr.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compare_with_their_printed_form() {
        assert!(same_printed("'x'", "'x'::text"));
        assert!(same_printed("-3", "'-3'::integer"));
        assert!(same_printed("4", "'4'::bigint"));
        assert!(same_printed("(now())", "now()"));
        assert!(same_printed(
            "ARRAY['a', 'b']::text[]",
            "ARRAY['a'::text, 'b'::text]"
        ));
        assert!(same_printed("'[]'::jsonb", "'[]'::jsonb"));
        assert!(same_printed("('a' || 'b')", "('a'::text || 'b'::text)"));
        assert!(same_printed("CURRENT_DATE", "CURRENT_DATE"));
        assert!(same_printed(
            "(now() + interval '1 day')",
            "(now() + '1 day'::interval)"
        ));
        assert!(same_printed(
            r#"'{"expression":"stored as data"}'::jsonb"#,
            r#"'{"expression": "stored as data"}'::jsonb"#
        ));
        assert!(!same_printed(r#"'{"a":1}'::jsonb"#, r#"'{"a": 2}'::jsonb"#));
        assert!(!same_printed("false", "true"));
        assert!(!same_printed("'x'", "'y'::text"));
        assert!(!same_printed("-3", "'3'::integer"));
        assert!(!same_printed("'a b'", "'ab'::text"));
        assert!(!same_printed("(1 + 2) * 3", "(1 + (2 * 3))"));
        assert!(same_printed("(a) AND (b)", "((a) AND (b))"));
        assert!(!same_printed("(a) AND (b)", "(a) OR (b)"));
    }

    #[test]
    fn checks_compare_with_their_printed_form() {
        let live = |d: &str| check_body(d).to_owned();
        assert!(same_printed(
            &checks_as_printed(&[Check::InChoices(vec!["a".into(), "b".into()])], "h"),
            &live("CHECK ((h = ANY (ARRAY['a'::text, 'b'::text])))")
        ));
        assert!(same_printed(
            &checks_as_printed(&[Check::Between(0, 5)], "j"),
            &live("CHECK (((j >= 0) AND (j <= 5)))")
        ));
        assert!(same_printed(
            &checks_as_printed(
                &[Check::MaxLength(80), Check::InChoices(vec!["a".into()])],
                "s"
            ),
            &live("CHECK (((char_length(s) <= 80) AND (s = 'a'::text)))")
        ));
        assert!(!same_printed(
            &checks_as_printed(&[Check::InChoices(vec!["a".into(), "c".into()])], "h"),
            &live("CHECK ((h = ANY (ARRAY['a'::text, 'b'::text])))")
        ));
        assert!(!same_printed(
            &checks_as_printed(&[Check::MaxLength(81)], "i"),
            &live("CHECK ((char_length(i) <= 80))")
        ));
    }
}
