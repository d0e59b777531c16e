//! What an INSERT probe sends: a row a client could really send, so the probe asks only what
//! the policies decide. Values come from the sample generator (valid for every type and
//! check), then from a row already in the table; the owner column — the one a policy
//! compares with `auth.uid()`, else `created_by` — is set to the user the row is for.

use serde_json::{Map, Value};
use sqlparser::tokenizer::{Token, Whitespace};

use crate::sql_tokens::{is_word, tokens};

/// The column the policies compare with `auth.uid()` (`user_id = (select auth.uid())`,
/// `auth.uid() = owner`), if one of `columns`; else `created_by` when the table has it.
pub fn owner_column<'a>(
    expressions: impl IntoIterator<Item = &'a str>,
    columns: &[String],
) -> Option<String> {
    let is_column = |name: &str| columns.iter().any(|c| c == name);
    for expression in expressions {
        if let Some(found) = compared_with_uid(expression).filter(|c| is_column(c)) {
            return Some(found);
        }
    }
    is_column("created_by").then(|| "created_by".to_owned())
}

/// The first column an expression compares with `auth.uid()`.
fn compared_with_uid(expression: &str) -> Option<String> {
    let all = tokens(expression).ok()?;
    let t: Vec<&Token> = all
        .iter()
        .map(|(token, _)| token)
        .filter(|token| {
            !matches!(
                token,
                Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab)
            )
        })
        .collect();
    let is_uid_call = |i: usize| {
        i + 4 < t.len()
            && is_word(t[i], "auth")
            && matches!(t[i + 1], Token::Period)
            && is_word(t[i + 2], "uid")
            && matches!(t[i + 3], Token::LParen)
            && matches!(t[i + 4], Token::RParen)
    };
    let word = |token: &Token| match token {
        Token::Word(w) => Some(w.value.clone()),
        _ => None,
    };
    for i in (0..t.len()).filter(|&i| is_uid_call(i)) {
        // Left: `col = (select auth.uid())`.
        let mut l = i;
        while l > 0 && (matches!(t[l - 1], Token::LParen) || is_word(t[l - 1], "select")) {
            l -= 1;
        }
        if l >= 2
            && matches!(t[l - 1], Token::Eq)
            && let Some(column) = word(t[l - 2])
        {
            return Some(column);
        }
        // Right: `(select auth.uid()) = tbl.col`.
        let mut r = i + 5;
        while r < t.len() && matches!(t[r], Token::RParen) {
            r += 1;
        }
        if r + 1 < t.len() && matches!(t[r], Token::Eq) {
            let mut c = r + 1;
            if c + 2 < t.len() && matches!(t[c + 1], Token::Period) {
                c += 2;
            }
            if let Some(column) = word(t[c]) {
                return Some(column);
            }
        }
    }
    None
}

/// The probe row as one JSON object: `generated` values first, then `existing` (a row of the
/// table the user sees, as JSON) for columns the generator did not fill, and the owner column
/// set to `owner` (JSON null for nobody, i.e. anon). The `references` (foreign-key columns)
/// keep the existing row's values: a row the user sees points where the user may write
/// (their organisation, their project), a generated reference points anywhere.
pub fn probe_row(
    generated: Option<&Map<String, Value>>,
    existing: Option<&str>,
    references: &[String],
    owner: Option<(&str, Option<&str>)>,
) -> Map<String, Value> {
    let mut row: Map<String, Value> = existing
        .and_then(|text| serde_json::from_str::<Map<String, Value>>(text).ok())
        .unwrap_or_default();
    for (column, value) in generated.into_iter().flatten() {
        let kept = references.contains(column) && row.get(column).is_some_and(|v| !v.is_null());
        if !kept {
            row.insert(column.clone(), value.clone());
        }
    }
    if let Some((column, user)) = owner {
        row.insert(
            column.to_owned(),
            user.map_or(Value::Null, |u| Value::String(u.to_owned())),
        );
    }
    row
}

/// The columns an UPDATE probe sets to generated values: those the generator filled that
/// the user would edit — not keys, unique, foreign-key, owner, identity or generated columns,
/// whose new values would ask about something other than the policies.
pub fn update_columns(
    generated: &Map<String, Value>,
    live: &crate::catalog::Table,
    owner: Option<&str>,
) -> Vec<String> {
    let keyed = |name: &str| {
        live.primary_key
            .iter()
            .chain(&live.unique_constraints)
            .any(|k| k.columns.iter().any(|c| c == name))
            || live
                .indexes
                .iter()
                .any(|i| (i.unique || i.primary) && i.columns.iter().any(|c| c == name))
            || live
                .foreign_keys
                .iter()
                .any(|k| k.columns.iter().any(|c| c == name))
    };
    live.columns
        .iter()
        .filter(|c| generated.contains_key(&c.name))
        .filter(|c| c.identity.is_none() && c.generated.is_none())
        .filter(|c| Some(c.name.as_str()) != owner && !keyed(&c.name))
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_owner_is_the_column_compared_with_the_uid() {
        let columns = cols(&["id", "user_id", "created_by"]);
        for expression in [
            "user_id = (select auth.uid())",
            "user_id = auth.uid()",
            "(SELECT auth.uid()) = user_id",
            "auth.uid() = t.user_id AND true",
        ] {
            assert_eq!(
                owner_column([expression], &columns).as_deref(),
                Some("user_id"),
                "{expression}"
            );
        }
        assert_eq!(
            owner_column(["true"], &columns).as_deref(),
            Some("created_by"),
            "created_by when no policy names an owner"
        );
        assert_eq!(owner_column(["author = auth.uid()"], &cols(&["id"])), None);
    }

    #[test]
    fn generated_values_win_and_the_owner_is_set_last() {
        let generated =
            json!({"title": "Write", "created_by": "x", "org_id": "o9", "tag_id": "t9"});
        let row = probe_row(
            generated.as_object(),
            Some(r#"{"title": "old", "done": true, "org_id": "o1", "tag_id": null}"#),
            &cols(&["org_id", "tag_id"]),
            Some(("created_by", Some("u1"))),
        );
        assert_eq!(
            Value::Object(row),
            json!({"title": "Write", "done": true, "created_by": "u1", "org_id": "o1", "tag_id": "t9"})
        );
        let anon = probe_row(None, None, &[], Some(("created_by", None)));
        assert_eq!(Value::Object(anon), json!({"created_by": null}));
    }
}
