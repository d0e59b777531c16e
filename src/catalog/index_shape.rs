//! What a live index is, read back from its `CREATE INDEX` text (as `pg_get_indexdef` prints
//! it, or as [`super::Catalog::apply`] writes it): unique or not, the method, the keys with
//! their order, the predicate. The planner compares a designed index with this, and
//! `design --from-db` turns a plain one back into the design's `indexes`.

use sqlparser::tokenizer::Token;

use crate::sql_tokens::{is_word, tokens};

/// A key column and its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeKey {
    pub column: String,
    pub descending: bool,
    pub nulls_first: bool,
}

/// An index whose keys are all plain columns, with nothing but an order on each (no
/// collation, operator class, INCLUDE, storage options or tablespace): what a design can say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexShape {
    pub unique: bool,
    pub method: String,
    pub keys: Vec<ShapeKey>,
    /// The predicate as printed, without the `WHERE`.
    pub predicate: Option<String>,
}

/// The shape of `definition`, or `None` when it says more than a design can.
pub fn index_shape(definition: &str) -> Option<IndexShape> {
    let all = tokens(definition).ok()?;
    let toks: Vec<(&Token, std::ops::Range<usize>)> = all
        .iter()
        .filter(|(t, _)| !matches!(t, Token::Whitespace(_)))
        .map(|(t, r)| (t, r.clone()))
        .collect();
    let word = |i: usize, w: &str| toks.get(i).is_some_and(|(t, _)| is_word(t, w));
    if !word(0, "create") {
        return None;
    }
    let unique = word(1, "unique");
    let using = toks.iter().position(|(t, _)| is_word(t, "using"))?;
    let method = match toks.get(using + 1)? {
        (Token::Word(w), _) => w.value.to_lowercase(),
        _ => return None,
    };
    if !matches!(toks.get(using + 2)?.0, Token::LParen) {
        return None;
    }
    let mut depth = 0usize;
    let mut keys = Vec::new();
    let mut current: Vec<&Token> = Vec::new();
    let mut i = using + 2;
    loop {
        let (token, _) = toks.get(i)?;
        match token {
            Token::LParen => {
                depth += 1;
                if depth > 1 {
                    return None; // an expression key
                }
            }
            Token::RParen => {
                keys.push(shape_key(&current)?);
                break;
            }
            Token::Comma => keys.push(shape_key(&std::mem::take(&mut current))?),
            other => current.push(other),
        }
        i += 1;
    }
    let predicate = match toks.get(i + 1) {
        None => None,
        Some((t, range)) if is_word(t, "where") => Some(definition[range.end..].trim().to_owned()),
        Some(_) => return None,
    };
    Some(IndexShape {
        unique,
        method,
        keys,
        predicate,
    })
}

/// The predicate of a partial index's definition (after its top-level `WHERE`), whatever its
/// keys are.
pub fn predicate(definition: &str) -> Option<&str> {
    let all = tokens(definition).ok()?;
    let mut depth = 0usize;
    for (token, range) in &all {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            t if depth == 0 && is_word(t, "where") => return Some(definition[range.end..].trim()),
            _ => {}
        }
    }
    None
}

fn shape_key(tokens: &[&Token]) -> Option<ShapeKey> {
    let (first, rest) = tokens.split_first()?;
    let Token::Word(column) = first else {
        return None;
    };
    let words: Vec<String> = rest
        .iter()
        .map(|t| match t {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (descending, nulls_first) = match words.join(" ").as_str() {
        "" | "ASC" | "ASC NULLS LAST" | "NULLS LAST" => (false, false),
        "NULLS FIRST" | "ASC NULLS FIRST" => (false, true),
        "DESC" | "DESC NULLS FIRST" => (true, true),
        "DESC NULLS LAST" => (true, false),
        _ => return None,
    };
    Some(ShapeKey {
        column: column.value.clone(),
        descending,
        nulls_first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(column: &str, descending: bool, nulls_first: bool) -> ShapeKey {
        ShapeKey {
            column: column.into(),
            descending,
            nulls_first,
        }
    }

    #[test]
    fn server_printed_definitions_are_read() {
        let s = index_shape(
            "CREATE UNIQUE INDEX idx_t_a ON public.t USING btree (a, \"Due date\" DESC, b DESC NULLS LAST, c NULLS FIRST) WHERE (deleted_at IS NULL)",
        )
        .unwrap();
        assert!(s.unique);
        assert_eq!(s.method, "btree");
        assert_eq!(
            s.keys,
            [
                key("a", false, false),
                key("Due date", true, true),
                key("b", true, false),
                key("c", false, true)
            ]
        );
        assert_eq!(s.predicate.as_deref(), Some("(deleted_at IS NULL)"));
        assert_eq!(
            predicate("CREATE INDEX i ON public.t USING btree (lower(a)) WHERE (b > 0)"),
            Some("(b > 0)")
        );
        assert_eq!(
            predicate("CREATE INDEX i ON public.t USING btree (a)"),
            None
        );
        let s = index_shape("CREATE INDEX \"i\" ON \"s\".\"t\" USING gin (\"tags\")").unwrap();
        assert_eq!((s.method.as_str(), s.unique), ("gin", false));
        assert_eq!(s.keys, [key("tags", false, false)]);
    }

    #[test]
    fn what_a_design_cannot_say_has_no_shape() {
        for definition in [
            "CREATE INDEX i ON public.t USING btree (lower(a))",
            "CREATE INDEX i ON public.t USING btree (a text_pattern_ops)",
            "CREATE INDEX i ON public.t USING btree (a COLLATE \"C\")",
            "CREATE INDEX i ON public.t USING btree (a) INCLUDE (b)",
            "CREATE INDEX i ON public.t USING gin (meta jsonb_path_ops)",
            "CREATE INDEX i ON public.t USING btree (a) WITH (fillfactor='70')",
            "CREATE INDEX i ON public.t USING btree ((a + b))",
        ] {
            assert_eq!(index_shape(definition), None, "{definition}");
        }
    }
}
