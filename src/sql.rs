//! The one place identifiers and literals become SQL text.
//!
//! Every identifier schemaforge emits goes through [`ident`] and every literal through
//! [`literal`], so a hostile name can never end a statement early.

/// Quotes an identifier unconditionally: `my "table"` → `"my ""table"""`.
///
/// Always quoting keeps mixed case, reserved words and unicode exactly as named.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// Quotes a schema-qualified name: `public`, `todos` → `"public"."todos"`.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// Quotes a string literal in the standard-conforming form: `it's` → `'it''s'`.
///
/// Backslashes need no escaping with `standard_conforming_strings` on (the default since
/// PostgreSQL 9.1); a string holding a NUL byte cannot be sent at all and is cut there.
pub fn literal(value: &str) -> String {
    let value = value.split('\0').next().unwrap_or_default();
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted_and_doubled() {
        assert_eq!(ident("todos"), "\"todos\"");
        assert_eq!(ident("My \"Table\""), "\"My \"\"Table\"\"\"");
        assert_eq!(ident("a;DROP TABLE x;--"), "\"a;DROP TABLE x;--\"");
        assert_eq!(qualified("public", "Ünïcode"), "\"public\".\"Ünïcode\"");
    }

    #[test]
    fn literals_double_single_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("\\n"), "'\\n'");
        assert_eq!(literal("a\0b"), "'a'");
    }
}
