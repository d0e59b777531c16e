//! Policy expressions, read as SQL tokens.

use sqlparser::tokenizer::Token;

use crate::sql_tokens::{TokenError, is_word, tokens};

/// The `auth` functions that read the request's JWT: constant within a statement.
pub const AUTH_FUNCTIONS: [&str; 4] = ["uid", "jwt", "role", "email"];

/// Wraps every bare `auth.uid()` (and `jwt`, `role`, `email`) as `(select auth.uid())`, so
/// PostgreSQL evaluates it once per statement instead of once per row. Calls already
/// wrapped are left alone; text inside strings, quoted names and comments is never touched.
pub fn wrap_auth_calls(expression: &str) -> Result<String, TokenError> {
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

/// Whether two expressions say the same thing once PostgreSQL's storage habits are ignored:
/// how it parenthesises, the `AS uid` it gives `(SELECT auth.uid())`, the `::text` casts it
/// adds to literals, and keyword case. Unsure means different.
pub fn same_expression(a: &str, b: &str) -> bool {
    match (normalized(a), normalized(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn normalized(expression: &str) -> Result<Vec<String>, TokenError> {
    let tokens: Vec<Token> = tokens(expression)?
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::LParen | Token::RParen))
        .collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if is_word(token, "as") && matches!(tokens.get(i + 1), Some(Token::Word(_))) {
            i += 2; // a column alias PostgreSQL added
            continue;
        }
        if matches!(token, Token::DoubleColon) {
            i += 2; // a cast and its type name
            while matches!(tokens.get(i), Some(Token::LBracket))
                && matches!(tokens.get(i + 1), Some(Token::RBracket))
            {
                i += 2; // text[]
            }
            continue;
        }
        out.push(match token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_lowercase(),
            other => other.to_string(),
        });
        i += 1;
    }
    Ok(out)
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
