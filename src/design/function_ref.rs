//! A trigger field's `function`: exactly `name` or `schema.name`, each part bare or
//! double-quoted (PostgreSQL rules: bare names fold to lower case, `""` inside quotes is one
//! `"`), optionally followed by `()` or by string-literal arguments `('a', 'it''s')`.
//!
//! Anything else is refused rather than guessed at: `public.f garbage here` once became
//! `"garbage"."here"()` and `public.f(); drop table auth.users; --` became `"public"."f"()`.
//! PostgreSQL hands trigger arguments to the function as text, so only string literals are
//! taken; each is passed on through `sql::literal`.

use crate::safe_text::escape_controls;
use crate::sql::{literal, qualified};

use super::name_text::{unshowable, unshowable_message};
use super::names::MAX_IDENT_BYTES;

/// A parsed trigger function reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    /// `None` for a bare name: the design's schema.
    pub schema: Option<String>,
    pub name: String,
    /// The trigger arguments, as the function receives them (`TG_ARGV`).
    pub args: Vec<String>,
}

impl FunctionRef {
    /// `"schema"."name"('a', 'b')`, ready for `EXECUTE FUNCTION`.
    pub fn call_sql(&self, default_schema: &str) -> String {
        let schema = self.schema.as_deref().unwrap_or(default_schema);
        let args: Vec<String> = self.args.iter().map(|a| literal(a)).collect();
        format!("{}({})", qualified(schema, &self.name), args.join(", "))
    }
}

/// Why a function reference does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunctionRefError {
    #[error("the function name is empty")]
    Empty,
    #[error(
        "cannot read the function \"{shown}\" at character {at}: {problem}; write name, schema.name or schema.name('arg', …)",
        shown = escape_controls(.text)
    )]
    Syntax {
        text: String,
        at: usize,
        problem: String,
    },
    #[error("{0}")]
    Unshowable(String),
    #[error("the name \"{shown}\" is {bytes} bytes long; PostgreSQL would silently cut it to {MAX_IDENT_BYTES}", shown = escape_controls(.name))]
    TooLong { name: String, bytes: usize },
}

/// Parses a trigger function reference strictly (see the module doc).
pub fn parse_function_ref(text: &str) -> Result<FunctionRef, FunctionRefError> {
    if text.trim().is_empty() {
        return Err(FunctionRefError::Empty);
    }
    if let Some(problem) = unshowable(text) {
        return Err(FunctionRefError::Unshowable(unshowable_message(
            "the function",
            text,
            problem,
        )));
    }
    let mut p = Parser {
        text,
        chars: text.char_indices().collect(),
        pos: 0,
    };
    p.skip_spaces();
    let first = p.identifier()?;
    let (schema, name) = if p.eat('.') {
        (Some(first), p.identifier()?)
    } else {
        (None, first)
    };
    p.skip_spaces();
    let mut args = Vec::new();
    if p.eat('(') {
        p.skip_spaces();
        if !p.eat(')') {
            loop {
                args.push(p.string_literal()?);
                p.skip_spaces();
                if p.eat(')') {
                    break;
                }
                if !p.eat(',') {
                    return Err(p.error("expected `,` or `)` after an argument"));
                }
                p.skip_spaces();
            }
        }
        p.skip_spaces();
    }
    if p.pos < p.chars.len() {
        return Err(p.error("unexpected text after the function"));
    }
    for part in schema.iter().chain([&name]) {
        if part.len() > MAX_IDENT_BYTES {
            return Err(FunctionRefError::TooLong {
                name: part.clone(),
                bytes: part.len(),
            });
        }
    }
    Ok(FunctionRef { schema, name, args })
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn eat(&mut self, wanted: char) -> bool {
        if self.peek() == Some(wanted) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ') {
            self.pos += 1;
        }
    }

    fn error(&self, problem: &str) -> FunctionRefError {
        FunctionRefError::Syntax {
            text: self.text.to_owned(),
            at: self.pos + 1,
            problem: problem.to_owned(),
        }
    }

    /// A bare identifier (folded to lower case, as PostgreSQL does) or a quoted one.
    fn identifier(&mut self) -> Result<String, FunctionRefError> {
        match self.peek() {
            Some('"') => {
                self.pos += 1;
                let mut name = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("a quoted name is not closed")),
                        Some('"') if self.chars.get(self.pos + 1).map(|(_, c)| *c) == Some('"') => {
                            name.push('"');
                            self.pos += 2;
                        }
                        Some('"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            name.push(c);
                            self.pos += 1;
                        }
                    }
                }
                if name.is_empty() {
                    return Err(self.error("a quoted name is empty"));
                }
                Ok(name)
            }
            Some(c) if c == '_' || c.is_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self.peek()
                    && (c == '_' || c == '$' || c.is_alphanumeric())
                {
                    name.push(c.to_ascii_lowercase());
                    self.pos += 1;
                }
                Ok(name)
            }
            _ => Err(self.error("expected a name")),
        }
    }

    /// `'text'` with `''` for a quote inside.
    fn string_literal(&mut self) -> Result<String, FunctionRefError> {
        if !self.eat('\'') {
            return Err(self.error(
                "trigger arguments must be string literals such as 'value' (PostgreSQL passes them to the function as text)",
            ));
        }
        let mut value = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("a string argument is not closed")),
                Some('\'') if self.chars.get(self.pos + 1).map(|(_, c)| *c) == Some('\'') => {
                    value.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    return Ok(value);
                }
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> FunctionRef {
        parse_function_ref(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn names_with_and_without_schema_and_quotes() {
        assert_eq!(ok("notify").call_sql("app"), "\"app\".\"notify\"()");
        assert_eq!(
            ok("audit.log_change()").call_sql("public"),
            "\"audit\".\"log_change\"()"
        );
        assert_eq!(
            ok("Audit.logChange").call_sql("public"),
            "\"audit\".\"logchange\"()"
        );
        assert_eq!(
            ok("\"My.Schema\".\"F\"\"n\"()").call_sql("public"),
            "\"My.Schema\".\"F\"\"n\"()"
        );
        assert_eq!(ok(" public.f ( ) ").name, "f");
    }

    #[test]
    fn string_arguments_are_passed_as_literals() {
        let f = ok("public.f('a', 'it''s')");
        assert_eq!(f.args, ["a", "it's"]);
        assert_eq!(f.call_sql("x"), "\"public\".\"f\"('a', 'it''s')");
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "public.f garbage here",
            "public.f(1,2)",
            "public.f(); drop table auth.users; --",
            "public.f(",
            "public.f('a'",
            "public.f('a' 'b')",
            "a.b.c",
            "public.",
            ".f",
            "\"\"",
            "\"open",
            "f()()",
            "f -- comment",
            "f /* c */",
            "1f",
            "f(x)",
        ] {
            assert!(parse_function_ref(text).is_err(), "{text}");
        }
        assert_eq!(parse_function_ref("  "), Err(FunctionRefError::Empty));
        let e = parse_function_ref("public.f(1,2)").unwrap_err().to_string();
        assert!(e.contains("string literals"), "{e}");
        let e = parse_function_ref("f\u{1b}]0;x").unwrap_err().to_string();
        assert!(e.contains("U+001B") && !e.contains('\u{1b}'), "{e}");
        assert!(parse_function_ref(&"f".repeat(64)).is_err());
    }
}
