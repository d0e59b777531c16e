//! The names a piece of SQL (a policy expression, a function body, a view's query) reaches
//! by name: the relations it reads or writes, the functions it calls and the types it casts
//! to, each as written (schema-qualified or not). Read from tokens, so strings, comments and
//! quoted names never fool it; the rules resolve the names against the catalog.

use sqlparser::tokenizer::Token;

use crate::sql_tokens::{TokenError, is_word, tokens};

/// A name as written: `schema.name` or a bare `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    /// After `FROM`, `JOIN`, `INTO`, `UPDATE`, `TABLE`.
    pub relations: Vec<Name>,
    /// A name followed by `(`, keywords aside.
    pub calls: Vec<Name>,
    /// After `::`.
    pub types: Vec<Name>,
    /// Operators other than comparison, arithmetic, `||` and the JSON arrows, as written
    /// (`%`, `@@`, `<->`, …): an extension may define them, and they are looked up through
    /// the `search_path` like any name.
    pub operators: Vec<String>,
}

/// Whether a token is literal text, a name, punctuation or one of the core operators that
/// no extension needs to supply.
fn plain(token: &Token) -> bool {
    matches!(
        token,
        Token::Word(_)
            | Token::Number(..)
            | Token::Char(_)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::Placeholder(_)
            | Token::Comma
            | Token::Whitespace(_)
            | Token::Eq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::StringConcat
            | Token::LParen
            | Token::RParen
            | Token::Period
            | Token::Colon
            | Token::DoubleColon
            | Token::Assignment
            | Token::SemiColon
            | Token::LBracket
            | Token::RBracket
            | Token::Arrow
            | Token::LongArrow
            | Token::HashArrow
            | Token::HashLongArrow
            | Token::EOF
    )
}

/// Words followed by `(` that are syntax, not function calls.
const NOT_CALLS: &[&str] = &[
    "and",
    "any",
    "all",
    "array",
    "as",
    "case",
    "cast",
    "coalesce",
    "exists",
    "filter",
    "from",
    "greatest",
    "in",
    "into",
    "is",
    "join",
    "least",
    "not",
    "nullif",
    "on",
    "or",
    "over",
    "returning",
    "row",
    "select",
    "set",
    "some",
    "then",
    "values",
    "when",
    "where",
    "with",
    "else",
    "using",
    "format",
    "exception",
    "raise",
    "return",
    "perform",
    "execute",
    "if",
    "elsif",
    "loop",
    "while",
    "for",
    "by",
    "partition",
    "within",
    "distinct",
    "table",
    "of",
    "nowait",
    "skip",
];

const RELATION_BEFORE: &[&str] = &["from", "join", "into", "update", "table"];

/// A word token's value (unquoted words lower-cased, as PostgreSQL folds them).
fn word(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_lowercase()),
        Token::Word(w) => Some(w.value.clone()),
        _ => None,
    }
}

fn quoted(token: &Token) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_some())
}

/// Reads the names at `i` (`a` or `a.b`); returns the name and the index after it.
fn name_at(t: &[Token], i: usize) -> Option<(Name, usize)> {
    let first = word(t.get(i)?)?;
    if matches!(t.get(i + 1), Some(Token::Period))
        && let Some(second) = t.get(i + 2).and_then(word)
    {
        return Some((
            Name {
                schema: Some(first),
                name: second,
            },
            i + 3,
        ));
    }
    Some((
        Name {
            schema: None,
            name: first,
        },
        i + 1,
    ))
}

/// The names `text` reaches; worked out once per text (the linter asks again on every
/// analysis).
pub fn references(text: &str) -> Result<References, TokenError> {
    thread_local! {
        static READ: crate::memo::Memo<Result<References, TokenError>> = Default::default();
    }
    crate::memo::remembered(&READ, text, read_references)
}

fn read_references(text: &str) -> Result<References, TokenError> {
    let t: Vec<Token> = tokens(text)?
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut out = References::default();
    for token in &t {
        if !plain(token) {
            let text = token.to_string();
            if !out.operators.contains(&text) {
                out.operators.push(text);
            }
        }
    }
    let mut i = 0;
    while i < t.len() {
        let after_period = i > 0 && matches!(t[i - 1], Token::Period);
        if RELATION_BEFORE.iter().any(|w| is_word(&t[i], w)) {
            // `DELETE FROM ONLY x`, `INSERT INTO x`, `UPDATE x SET`.
            let mut j = i + 1;
            if t.get(j).is_some_and(|x| is_word(x, "only")) {
                j += 1;
            }
            // `FROM f(...)` reads a function's result, `INSERT INTO t(...)` a table.
            let reads = RELATION_BEFORE[..2].iter().any(|w| is_word(&t[i], w));
            if let Some((name, next)) = name_at(&t, j)
                && !NOT_CALLS.contains(&name.name.as_str())
                && !(reads && matches!(t.get(next), Some(Token::LParen)))
            {
                out.relations.push(name);
            }
        } else if matches!(t[i], Token::DoubleColon) {
            if let Some((name, next)) = name_at(&t, i + 1) {
                out.types.push(name);
                i = next;
                continue;
            }
        } else if !after_period
            && matches!(t[i], Token::Word(_))
            && let Some((name, next)) = name_at(&t, i)
            && matches!(t.get(next), Some(Token::LParen))
        {
            let syntax =
                name.schema.is_none() && !quoted(&t[i]) && NOT_CALLS.contains(&name.name.as_str());
            if !syntax {
                out.calls.push(name);
            }
            i = next;
            continue;
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Name]) -> Vec<String> {
        list.iter()
            .map(|n| match &n.schema {
                Some(s) => format!("{s}.{}", n.name),
                None => n.name.clone(),
            })
            .collect()
    }

    #[test]
    fn relations_calls_and_types_are_found_as_written() {
        let r = references(
            "select encode(extensions.gen_random_bytes(8), 'hex')::text from public.t \
             join members m on m.id = auth.uid() where x = 'from nowhere' -- from comments\n \
             and exists (select 1 from \"Users\" u) and v::mood = 'ok'",
        )
        .unwrap();
        assert_eq!(names(&r.relations), ["public.t", "members", "Users"]);
        assert_eq!(
            names(&r.calls),
            ["encode", "extensions.gen_random_bytes", "auth.uid"]
        );
        assert_eq!(names(&r.types), ["text", "mood"]);
        assert!(r.operators.is_empty(), "{:?}", r.operators);
        let r =
            references("select * from products where name % q or search @@ to_tsquery(q)").unwrap();
        assert_eq!(r.operators, ["%", "@@"]);
    }

    #[test]
    fn plpgsql_statements_name_their_targets() {
        let r = references(
            "begin insert into audit_log(x) values (gen_random_uuid()); \
             update only accounts set n = 1; delete from sessions; return new; end",
        )
        .unwrap();
        assert_eq!(names(&r.relations), ["audit_log", "accounts", "sessions"]);
        assert_eq!(names(&r.calls), ["audit_log", "gen_random_uuid"]);
    }
}
