//! SQL tokens with their byte ranges in the source text, from sqlparser's PostgreSQL
//! tokenizer: strings, quoted names, comments and dollar-quoted bodies are understood, so
//! nothing built on this breaks on quoting.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

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
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let byte = |line: u64, column: u64| -> usize {
        let Some(&start) = line_starts.get((line as usize).saturating_sub(1)) else {
            return text.len();
        };
        text[start..]
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(text.len(), |(i, _)| start + i)
    };
    Ok(spanned
        .into_iter()
        .map(|t| {
            let range = byte(t.span.start.line, t.span.start.column)
                ..byte(t.span.end.line, t.span.end.column);
            (t.token, range)
        })
        .collect())
}

/// Whether a token is the unquoted keyword or name `word` (case-insensitive).
pub fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}
