//! Policy expressions, read as SQL tokens.

use sqlparser::tokenizer::Token;

use crate::catalog::normalised::{Form, Normalised};

use crate::sql_tokens::{TokenError, is_word, tokens};

/// The `auth` functions that read the request's JWT: constant within a statement.
pub const AUTH_FUNCTIONS: [&str; 4] = ["uid", "jwt", "role", "email"];

/// Wraps every bare `auth.uid()` (and `jwt`, `role`, `email`) as `(select auth.uid())`, so
/// PostgreSQL evaluates it once per statement instead of once per row. Calls already
/// wrapped are left alone; text inside strings, quoted names and comments is never touched.
pub fn wrap_auth_calls(expression: &str) -> Result<String, TokenError> {
    thread_local! {
        static WRAPPED: crate::memo::Memo<Result<String, TokenError>> = Default::default();
    }
    crate::memo::remembered(&WRAPPED, expression, wrap_uncached)
}

fn wrap_uncached(expression: &str) -> Result<String, TokenError> {
    let tokens = tokens(expression)?;
    // Indexes of the tokens that matter (no whitespace or comments).
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].0, Token::Whitespace(_)))
        .collect();
    let mut out = String::with_capacity(expression.len() + 16);
    let mut copied = 0;
    for (k, &i) in significant.iter().enumerate() {
        let at = |offset: usize| significant.get(k + offset).map(|&j| &tokens[j].0);
        let is_call = is_word(&tokens[i].0, "auth")
            && matches!(at(1), Some(Token::Period))
            && at(2).is_some_and(|t| AUTH_FUNCTIONS.iter().any(|f| is_word(t, f)))
            && matches!(at(3), Some(Token::LParen))
            && matches!(at(4), Some(Token::RParen));
        if !is_call {
            continue;
        }
        let before = |back: usize| k.checked_sub(back).map(|b| &tokens[significant[b]].0);
        let wrapped = before(1).is_some_and(|t| is_word(t, "select"))
            && matches!(before(2), Some(Token::LParen));
        if wrapped {
            continue;
        }
        let start = tokens[i].1.start;
        let end = tokens[significant[k + 4]].1.end;
        out.push_str(&expression[copied..start]);
        out.push_str("(select ");
        out.push_str(&expression[start..end]);
        out.push(')');
        copied = end;
    }
    out.push_str(&expression[copied..]);
    Ok(out)
}

/// Whether two expressions say the same thing once PostgreSQL's storage habits are ignored.
///
/// Both sides are parsed into syntax trees, so grouping is kept exactly: only what the server
/// adds when it stores a policy is taken away — parentheses (the tree already holds the
/// grouping), `::text` on string literals, the `AS uid` it gives `(SELECT auth.uid())`, and the
/// case of unquoted names. Anything unsure compares as different.
pub fn same_expression(a: &str, b: &str) -> bool {
    match (canonical(a), canonical(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// [`same_expression`], with the canonical forms remembered in `forms` (the catalog's memo),
/// so each text is parsed once however many plans compare it.
pub fn same_expression_in(forms: &Normalised, a: &str, b: &str) -> bool {
    let form = |text| forms.form(Form::Policy, text, canonical);
    match (form(a), form(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn canonical(text: &str) -> Option<String> {
    use sqlparser::ast::{
        CastKind, DataType, Expr, ObjectNamePart, Value, visit_expressions_mut, visit_relations_mut,
    };
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    let mut expr = parser.parse_expr().ok()?;
    if parser.peek_token().token != Token::EOF {
        return None;
    }
    let _ = visit_expressions_mut(&mut expr, |e| {
        loop {
            match e {
                Expr::Nested(inner) => {
                    *e = std::mem::replace(inner.as_mut(), Expr::value(Value::Null))
                }
                Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: inner,
                    data_type: DataType::Text,
                    format: None,
                } if matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_))) =>
                {
                    *e = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                }
                _ => break,
            }
        }
        match e {
            Expr::Identifier(id) => plain(id),
            Expr::CompoundIdentifier(ids) => ids.iter_mut().for_each(plain),
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    // A table in a sub-select: the server prints it without `public.` (on the search path).
    let _ = visit_relations_mut(&mut expr, |name| {
        for part in name.0.iter_mut() {
            if let ObjectNamePart::Identifier(id) = part {
                plain(id);
            }
        }
        if name.0.len() == 2
            && matches!(&name.0[0], ObjectNamePart::Identifier(id) if id.value == "public" && id.quote_style.is_none())
        {
            name.0.remove(0);
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    let mut out = expr.to_string();
    for function in AUTH_FUNCTIONS {
        out = out.replace(
            &format!("auth.{function}() AS {function}"),
            &format!("auth.{function}()"),
        );
    }
    Some(out)
}

/// A name as the server compares it: unquoted names fold to lower case, and a quoted name
/// that needs no quotes (`"projects"`) is the same name unquoted.
fn plain(id: &mut sqlparser::ast::Ident) {
    if id.quote_style.is_none() {
        id.value = id.value.to_lowercase();
    }
    let mut chars = id.value.chars();
    let simple = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if simple {
        id.quote_style = None;
    }
}

#[cfg(test)]
mod tests {
    use super::{same_expression, wrap_auth_calls};

    #[test]
    fn stored_policies_compare_equal_to_what_was_written() {
        assert!(same_expression(
            "created_by = (select auth.uid())",
            "(created_by = ( SELECT auth.uid() AS uid))"
        ));
        assert!(same_expression(
            "status = 'open'",
            "(status = 'open'::text)"
        ));
        assert!(same_expression(
            "tags <@ ARRAY['a']",
            "(tags <@ ARRAY['a'::text])"
        ));
        assert!(!same_expression(
            "created_by = (select auth.uid())",
            "(updated_by = ( SELECT auth.uid() AS uid))"
        ));
        assert!(!same_expression("status = 'open'", "status = 'Open'"));
        assert!(!same_expression("x = 1", "x = 1 OR true"));
        // A sub-select as the organisation template writes it and as the server prints it.
        assert!(same_expression(
            "EXISTS (SELECT 1 FROM \"public\".\"organization_members\" m WHERE m.org_id = \"projects\".org_id AND m.user_id = (select auth.uid()))",
            "(EXISTS ( SELECT 1\n   FROM organization_members m\n  WHERE ((m.org_id = projects.org_id) AND (m.user_id = ( SELECT auth.uid() AS uid)))))"
        ));
        assert!(!same_expression(
            "EXISTS (SELECT 1 FROM app.members m)",
            "EXISTS (SELECT 1 FROM members m)"
        ));
        assert!(!same_expression("\"Owner\" = x", "owner = x"));
    }

    #[test]
    fn bare_calls_are_wrapped_once() {
        assert_eq!(
            wrap_auth_calls("created_by = auth.uid()").unwrap(),
            "created_by = (select auth.uid())"
        );
        assert_eq!(
            wrap_auth_calls("created_by = (select auth.uid())").unwrap(),
            "created_by = (select auth.uid())"
        );
        assert_eq!(
            wrap_auth_calls("(auth.jwt() ->> 'email') = email AND AUTH . UID ( ) IS NOT NULL")
                .unwrap(),
            "((select auth.jwt()) ->> 'email') = email AND (select AUTH . UID ( )) IS NOT NULL"
        );
    }

    #[test]
    fn strings_comments_and_other_functions_are_left_alone() {
        for text in [
            "note = 'auth.uid()'",
            "x = 1 -- auth.uid()",
            "\"auth\".uid() = created_by",
            "auth.uid_of(created_by)",
            "myauth.uid() = x",
        ] {
            assert_eq!(wrap_auth_calls(text).unwrap(), text);
        }
    }
}
