//! SQL tokens with their byte ranges in the source text, from sqlparser's PostgreSQL
//! tokenizer: strings, quoted names, comments and dollar-quoted bodies are understood, so
//! nothing built on this breaks on quoting.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

/// A tokenizing failure at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TokenError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Every token of `text` with the byte range it covers.
pub fn tokens(text: &str) -> Result<Vec<(Token, Range<usize>)>, TokenError> {
    let spanned = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| TokenError {
            line: e.location.line,
            column: e.location.column,
            message: e.message,
        })?;
    // Token positions only move forward, so one cursor maps them all in a single pass.
    let mut cursor = Cursor {
        text,
        line: 1,
        column: 1,
        byte: 0,
    };
    Ok(spanned
        .into_iter()
        .map(|t| {
            let start = cursor.advance(t.span.start.line, t.span.start.column);
            let end = cursor.advance(t.span.end.line, t.span.end.column);
            (t.token, start..end)
        })
        .collect())
}

/// Walks the text from (line, column) positions — columns count characters — to bytes.
struct Cursor<'a> {
    text: &'a str,
    line: u64,
    column: u64,
    byte: usize,
}

impl Cursor<'_> {
    fn advance(&mut self, line: u64, column: u64) -> usize {
        while (self.line, self.column) < (line, column) {
            let Some(ch) = self.text[self.byte..].chars().next() else {
                break;
            };
            self.byte += ch.len_utf8();
            if ch == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

/// Whether a token is the unquoted keyword or name `word` (case-insensitive).
pub fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// Why a piece of user-written SQL is not one expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error("cannot read the expression: {0}")]
    Unreadable(#[from] TokenError),
    #[error("an expression cannot contain `;`")]
    Semicolon,
    #[error("the expression closes a parenthesis it did not open")]
    ClosesUnopened,
    #[error("the expression leaves a parenthesis open")]
    LeavesOpen,
    #[error(
        "an expression cannot contain a `--` comment: it would swallow the rest of the statement it is put into"
    )]
    LineComment,
    #[error("an expression cannot contain a `/* */` comment")]
    BlockComment,
    #[error("an expression cannot contain `,` outside parentheses")]
    TopLevelComma,
}

/// Checks that a piece of user-written SQL (a policy expression, a formula, a default) is one
/// expression: it must not end the statement it is put into (`;`) or close more parentheses
/// than it opens — either would let it run SQL of its own, even `COMMIT` — nor hold a comment,
/// which would swallow the closing parenthesis and whatever the planner puts after it. A `,`
/// outside any parentheses would add a column or an ALTER TABLE sub-command.
pub fn check_expression(text: &str) -> Result<(), ExpressionError> {
    thread_local! {
        static CHECKED: crate::memo::Memo<Result<(), ExpressionError>> = Default::default();
    }
    crate::memo::remembered(&CHECKED, text, check_uncached)
}

fn check_uncached(text: &str) -> Result<(), ExpressionError> {
    tokens(text)?;
    // Tokenised inside the parentheses the planner puts around it, so an operator that would
    // swallow the closing parenthesis (`&>` followed by `)`) is seen as it will be read.
    let tokens = tokens(&format!("({text})"))?;
    let last = tokens.len().saturating_sub(1);
    let mut depth = 0i32;
    for (i, (token, _)) in tokens.iter().enumerate() {
        match token {
            Token::SemiColon => return Err(ExpressionError::Semicolon),
            Token::Whitespace(Whitespace::SingleLineComment { .. }) => {
                return Err(ExpressionError::LineComment);
            }
            Token::Whitespace(Whitespace::MultiLineComment(_)) => {
                return Err(ExpressionError::BlockComment);
            }
            Token::Comma if depth == 1 => return Err(ExpressionError::TopLevelComma),
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                depth -= 1;
                if depth < 0 || (depth == 0 && i != last) {
                    return Err(ExpressionError::ClosesUnopened);
                }
            }
            _ => {}
        }
    }
    if depth != 0 || !matches!(tokens.get(last), Some((Token::RParen, _))) {
        return Err(ExpressionError::LeavesOpen);
    }
    Ok(())
}

/// Transaction control that must never appear inside a bundle, only at its two ends.
pub fn is_transaction_control(statement: &str) -> bool {
    let Ok(tokens) = tokens(statement) else {
        return false;
    };
    tokens
        .iter()
        .find(|(t, _)| !matches!(t, Token::Whitespace(_)))
        .is_some_and(|(t, _)| {
            [
                "begin",
                "start",
                "commit",
                "end",
                "rollback",
                "abort",
                "savepoint",
                "release",
                "prepare",
            ]
            .iter()
            .any(|w| is_word(t, w))
        })
}

/// Whether a statement holds more than one statement (a `;` outside strings and bodies).
pub fn has_statement_separator(statement: &str) -> bool {
    tokens(statement).map_or(true, |tokens| {
        tokens.iter().any(|(t, _)| matches!(t, Token::SemiColon))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_bytes_even_after_multibyte_characters_and_newlines() {
        let text = "SELECT 'ç'\n, \"Ω\" FROM t";
        let toks = tokens(text).unwrap();
        let words: Vec<&str> = toks
            .iter()
            .filter(|(t, _)| !matches!(t, Token::Whitespace(_)))
            .map(|(_, r)| &text[r.clone()])
            .collect();
        assert_eq!(words, ["SELECT", "'ç'", ",", "\"Ω\"", "FROM", "t"]);
    }

    #[test]
    fn a_long_single_line_maps_to_the_right_bytes() {
        let text = "x = 1 AND ".repeat(20_000) + "true";
        let toks = tokens(&text).unwrap();
        assert!(toks.len() > 100_000);
        let (last, range) = toks.last().unwrap();
        assert!(is_word(last, "true") && range.end == text.len());
    }

    #[test]
    fn expressions_cannot_break_out_of_their_statement() {
        assert!(check_expression("created_by = (select auth.uid())").is_ok());
        assert!(check_expression("note = 'a;b' AND x = $$;$$").is_ok());
        assert_eq!(
            check_expression("true); COMMIT; SELECT (1"),
            Err(ExpressionError::ClosesUnopened)
        );
        assert!(check_expression("true) OR (true").is_err());
        assert!(check_expression("(true").is_err());
        assert!(check_expression("true --").is_err());
        assert!(check_expression("true -- x\n AND false").is_err());
        assert!(check_expression("true /* x */").is_err());
        assert!(check_expression("true /* open").is_err());
        assert!(check_expression("note = '--' AND x = $$/*$$").is_ok());
        assert!(check_expression("0, DROP COLUMN created_by").is_err());
        assert!(check_expression("coalesce(a, b)").is_ok());
        assert!(is_transaction_control("  commit"));
        assert!(is_transaction_control("END"));
        assert!(!is_transaction_control("CREATE TABLE t (id int)"));
        assert!(has_statement_separator("SELECT 1; SELECT 2"));
        assert!(!has_statement_separator("SELECT ';'"));
    }
}
