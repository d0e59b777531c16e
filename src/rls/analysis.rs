//! What a policy expression does, read from its SQL tokens: which `auth.*()` and
//! `current_setting()` calls run per row, which JWT claims it reads, which columns it names
//! and in which table each must live. The linter judges these facts against the catalog.
//!
//! Tokens (not regular expressions) because policy text comes both from users and from
//! `pg_get_expr`, which reprints it as `( SELECT auth.uid() AS uid)`, adds `::text` casts
//! and drops schema names; quoting, strings and comments must never fool a rule.

use sqlparser::tokenizer::Token;

use crate::sql_tokens::{TokenError, is_word, tokens};

/// A table a column reference points into, as written (aliases already resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
}

/// A subquery's FROM list: each table with its alias.
type FromItems = Vec<(TableRef, Option<String>)>;

/// Where a column named in an expression must exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnScope {
    /// A bare name outside any subquery: the policy's own table.
    Own,
    /// `table.column` (or `alias.column`, resolved through a subquery's FROM list).
    Table(TableRef),
    /// A bare name inside a subquery: one of these tables, or the policy's own table.
    AnyOf(Vec<TableRef>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    pub column: String,
    pub scope: ColumnScope,
}

/// Everything the linter wants to know about one expression.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExprFacts {
    /// `auth.uid()`, `current_setting(...)`, … called without a `(select …)` around them,
    /// so PostgreSQL evaluates them once per row: written as `auth.uid()` / `current_setting()`.
    pub unwrapped_calls: Vec<String>,
    /// The first key read from the JWT: `auth.jwt() ->> 'org_id'`, `#>> '{app_metadata,x}'`,
    /// `current_setting('request.jwt.claim.org_id')`, `current_setting('request.jwt.claims')::jsonb -> 'x'`.
    pub jwt_claims: Vec<String>,
    /// Reads user-editable metadata: the `user_metadata` claim or `auth.users.raw_user_meta_data`.
    pub reads_user_metadata: bool,
    pub columns: Vec<ColumnRef>,
    /// The whole expression is the constant `true` (parentheses aside).
    pub always_true: bool,
    /// Calls `auth.uid()` (wrapped or not): the policy depends on who is signed in.
    pub uses_uid: bool,
}

/// Words that are never column names in an expression.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "between",
    "both",
    "by",
    "case",
    "cast",
    "collate",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "desc",
    "distinct",
    "else",
    "end",
    "escape",
    "except",
    "exists",
    "false",
    "filter",
    "first",
    "for",
    "from",
    "full",
    "group",
    "having",
    "ilike",
    "in",
    "inner",
    "intersect",
    "is",
    "isnull",
    "join",
    "last",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "nulls",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "partition",
    "right",
    "row",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unknown",
    "user",
    "using",
    "values",
    "when",
    "where",
    "with",
    "within",
];

/// Words that continue a type name after `::` (`timestamp with time zone`).
const TYPE_WORDS: &[&str] = &["with", "without", "time", "zone", "precision", "varying"];

fn word(token: &Token) -> Option<(String, bool)> {
    match token {
        Token::Word(w) => {
            let quoted = w.quote_style.is_some();
            let value = if quoted {
                w.value.clone()
            } else {
                w.value.to_lowercase()
            };
            Some((value, quoted))
        }
        _ => None,
    }
}

fn is_reserved(token: &Token) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none()
        && RESERVED.contains(&w.value.to_lowercase().as_str()))
}

fn string(token: &Token) -> Option<&str> {
    match token {
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => Some(s),
        _ => None,
    }
}

/// The token list without whitespace and comments, with each open parenthesis's match.
struct Stream {
    t: Vec<Token>,
    /// For every token, the indexes of the `(` that enclose it, outermost first.
    enclosing: Vec<Vec<usize>>,
    /// The open parentheses that start a subquery `( SELECT`.
    subqueries: Vec<usize>,
}

impl Stream {
    fn new(text: &str) -> Result<Stream, TokenError> {
        let t: Vec<Token> = tokens(text)?
            .into_iter()
            .map(|(t, _)| t)
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect();
        let mut stack: Vec<usize> = Vec::new();
        let mut enclosing = Vec::with_capacity(t.len());
        let mut subqueries = Vec::new();
        for (i, token) in t.iter().enumerate() {
            if matches!(token, Token::RParen) {
                stack.pop();
            }
            enclosing.push(stack.clone());
            if matches!(token, Token::LParen) {
                stack.push(i);
                if t.get(i + 1).is_some_and(|n| is_word(n, "select")) {
                    subqueries.push(i);
                }
            }
        }
        Ok(Stream {
            t,
            enclosing,
            subqueries,
        })
    }

    fn get(&self, i: usize) -> Option<&Token> {
        self.t.get(i)
    }

    fn before(&self, i: usize, back: usize) -> Option<&Token> {
        i.checked_sub(back).and_then(|j| self.t.get(j))
    }

    /// The dotted name starting at `i`: its words and the index after it.
    fn chain(&self, i: usize) -> (Vec<(String, bool)>, usize) {
        let mut words = Vec::new();
        let mut j = i;
        while let Some(w) = self.get(j).and_then(word) {
            words.push(w);
            if matches!(self.get(j + 1), Some(Token::Period))
                && self.get(j + 2).is_some_and(|t| word(t).is_some())
            {
                j += 2;
            } else {
                j += 1;
                break;
            }
        }
        (words, j)
    }

    /// Whether the call whose name starts at `i` sits directly in `(select …)`.
    fn wrapped(&self, i: usize) -> bool {
        self.before(i, 1).is_some_and(|t| is_word(t, "select"))
            && matches!(self.before(i, 2), Some(Token::LParen))
    }

    /// The index after the `)` closing the call whose `(` is at `open`.
    fn after_call(&self, open: usize) -> usize {
        let depth = self.enclosing[open].len();
        (open + 1..self.t.len())
            .find(|&j| matches!(self.t[j], Token::RParen) && self.enclosing[j].len() == depth)
            .map_or(self.t.len(), |j| j + 1)
    }

    /// The FROM items of the subquery opened at `open`: (table, alias), and the token
    /// indexes that are part of them (names, not column references).
    fn subquery_tables(&self, open: usize) -> (FromItems, Vec<usize>) {
        let mut items = Vec::new();
        let mut used = Vec::new();
        let mut expecting = false;
        let mut j = open + 1;
        while j < self.t.len() && self.enclosing[j].contains(&open) {
            if self.enclosing[j].last() != Some(&open) {
                j += 1;
                continue;
            }
            let token = &self.t[j];
            let starts = (is_word(token, "from")
                && !self.before(j, 1).is_some_and(|t| is_word(t, "distinct")))
                || is_word(token, "join");
            if starts || (expecting && matches!(token, Token::Comma)) {
                expecting = true;
                j += 1;
                if self
                    .get(j)
                    .is_some_and(|t| word(t).is_some() && !is_reserved(t))
                {
                    let (names, next) = self.chain(j);
                    used.extend(j..next);
                    let mut names: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
                    let name = names.pop().unwrap_or_default();
                    let schema = names.pop();
                    let mut k = next;
                    if self.get(k).is_some_and(|t| is_word(t, "as")) {
                        used.push(k);
                        k += 1;
                    }
                    let alias = match self.get(k) {
                        Some(t) if !is_reserved(t) => word(t).map(|(a, _)| {
                            used.push(k);
                            a
                        }),
                        _ => None,
                    };
                    items.push((TableRef { schema, name }, alias));
                    j = k;
                }
                continue;
            }
            if is_word(token, "where") || is_word(token, "on") {
                expecting = false;
            }
            j += 1;
        }
        (items, used)
    }
}

/// Reads the facts of one expression (once per text: the linter asks on every analysis).
pub fn analyze(expression: &str) -> Result<ExprFacts, TokenError> {
    thread_local! {
        static READ: crate::memo::Memo<Result<ExprFacts, TokenError>> = Default::default();
    }
    crate::memo::remembered(&READ, expression, read_facts)
}

fn read_facts(expression: &str) -> Result<ExprFacts, TokenError> {
    let s = Stream::new(expression)?;
    let mut facts = ExprFacts {
        always_true: {
            let core: Vec<&Token> =
                s.t.iter()
                    .filter(|t| !matches!(t, Token::LParen | Token::RParen))
                    .collect();
            core.len() == 1 && is_word(core[0], "true")
        },
        ..ExprFacts::default()
    };
    let mut scopes: Vec<(usize, FromItems)> = Vec::new();
    let mut not_columns: Vec<usize> = Vec::new();
    for &open in &s.subqueries {
        let (items, used) = s.subquery_tables(open);
        not_columns.extend(used);
        scopes.push((open, items));
    }
    let mut i = 0;
    while i < s.t.len() {
        let token = &s.t[i];
        if word(token).is_none() || matches!(s.before(i, 1), Some(Token::Period)) {
            i += 1;
            continue;
        }
        let (names, next) = s.chain(i);
        let lower: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        if lower.contains(&"raw_user_meta_data") {
            facts.reads_user_metadata = true;
        }
        // A call: `auth.uid()`, `current_setting('…')`, `coalesce(…)`.
        if matches!(s.get(next), Some(Token::LParen)) {
            let unquoted = names.iter().all(|(_, q)| !q);
            let end = s.after_call(next);
            if unquoted && lower.len() == 2 && lower[0] == "auth" {
                facts.uses_uid |= lower[1] == "uid";
                if !s.wrapped(i) {
                    facts.unwrapped_calls.push(format!("auth.{}()", lower[1]));
                }
                if lower[1] == "jwt" {
                    facts.jwt_claims.extend(claim_after(&s, end));
                }
            } else if unquoted && lower.last() == Some(&"current_setting") {
                if !s.wrapped(i) {
                    facts.unwrapped_calls.push("current_setting()".into());
                }
                let setting = s.get(next + 1).and_then(string).unwrap_or_default();
                if let Some(claim) = setting.strip_prefix("request.jwt.claim.") {
                    facts.jwt_claims.push(claim.to_owned());
                } else if setting == "request.jwt.claims" {
                    facts.jwt_claims.extend(claim_after(&s, end));
                }
            }
            i = next + 1;
            continue;
        }
        let skip = not_columns.contains(&i)
            || (names.len() == 1 && is_reserved(token))
            || matches!(s.before(i, 1), Some(Token::DoubleColon))
            || s.before(i, 1)
                .is_some_and(|t| is_word(t, "as") || is_word(t, "collate"))
            || (s
                .before(i, 1)
                .is_some_and(|t| TYPE_WORDS.iter().any(|w| is_word(t, w)))
                && TYPE_WORDS.iter().any(|w| is_word(token, w)))
            || (s.get(next).and_then(string).is_some() && names.len() == 1)
            || (matches!(s.before(i, 1), Some(Token::LParen))
                && s.before(i, 2).is_some_and(|t| is_word(t, "extract")))
            || matches!(s.get(next), Some(Token::Period)); // `t.*`
        if !skip {
            facts.columns.push(column_ref(&s, &scopes, i, names));
        }
        i = next;
    }
    facts.reads_user_metadata |= facts.jwt_claims.iter().any(|c| c == "user_metadata");
    Ok(facts)
}

fn column_ref(
    s: &Stream,
    scopes: &[(usize, FromItems)],
    i: usize,
    mut names: Vec<(String, bool)>,
) -> ColumnRef {
    let column = names.pop().map(|(n, _)| n).unwrap_or_default();
    // The subqueries around this token, innermost first.
    let around: Vec<&FromItems> = s.enclosing[i]
        .iter()
        .rev()
        .filter_map(|open| {
            scopes
                .iter()
                .find(|(o, _)| o == open)
                .map(|(_, items)| items)
        })
        .collect();
    let scope = match names.len() {
        0 if around.is_empty() => ColumnScope::Own,
        0 => ColumnScope::AnyOf(
            around
                .iter()
                .flat_map(|items| items.iter().map(|(t, _)| t.clone()))
                .collect(),
        ),
        _ => {
            let table = names.pop().map(|(n, _)| n).unwrap_or_default();
            let schema = names.pop().map(|(n, _)| n);
            let aliased = schema
                .is_none()
                .then(|| {
                    around.iter().find_map(|items| {
                        items
                            .iter()
                            .find(|(t, alias)| {
                                alias.as_deref() == Some(table.as_str())
                                    || (alias.is_none() && t.name == table)
                            })
                            .map(|(t, _)| t.clone())
                    })
                })
                .flatten();
            ColumnScope::Table(aliased.unwrap_or(TableRef {
                schema,
                name: table,
            }))
        }
    };
    ColumnRef { column, scope }
}

/// The claim read right after a JWT value ends at `j`: `->> 'x'`, `-> 'x'`, `#>> '{x,y}'`,
/// skipping the `)` of a `(select …)` wrapper, a printed `AS jwt` and `::jsonb` casts.
fn claim_after(s: &Stream, mut j: usize) -> Option<String> {
    loop {
        match s.get(j)? {
            Token::RParen => j += 1,
            t if is_word(t, "as") => j += 2,
            Token::DoubleColon => j += 2,
            _ => break,
        }
    }
    let key = s.get(j + 1).and_then(string)?;
    match s.get(j)? {
        Token::Arrow | Token::LongArrow => Some(key.to_owned()),
        Token::HashArrow | Token::HashLongArrow => key
            .trim_matches(|c| c == '{' || c == '}')
            .split(',')
            .next()
            .map(|k| k.trim().trim_matches('"').to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(c: &str) -> ColumnRef {
        ColumnRef {
            column: c.into(),
            scope: ColumnScope::Own,
        }
    }

    fn table(schema: Option<&str>, name: &str, c: &str) -> ColumnRef {
        ColumnRef {
            column: c.into(),
            scope: ColumnScope::Table(TableRef {
                schema: schema.map(str::to_owned),
                name: name.into(),
            }),
        }
    }

    #[test]
    fn bare_and_wrapped_calls() {
        let f = analyze("created_by = auth.uid() AND (select auth.role()) = 'x'").unwrap();
        assert_eq!(f.unwrapped_calls, ["auth.uid()"]);
        assert!(f.uses_uid);
        assert_eq!(f.columns, [own("created_by")]);
        let printed = analyze("(created_by = ( SELECT auth.uid() AS uid))").unwrap();
        assert!(printed.unwrapped_calls.is_empty());
        assert_eq!(printed.columns, [own("created_by")]);
        let setting = analyze("tenant = current_setting('app.tenant', true)").unwrap();
        assert_eq!(setting.unwrapped_calls, ["current_setting()"]);
        assert!(
            analyze("x = 'auth.uid()' -- auth.uid()")
                .unwrap()
                .unwrapped_calls
                .is_empty()
        );
    }

    #[test]
    fn jwt_claims_in_every_spelling() {
        for (text, claim) in [
            ("(auth.jwt() ->> 'org_id')::uuid = org_id", "org_id"),
            (
                "((( SELECT auth.jwt() AS jwt) ->> 'org_id'::text))::uuid = org_id",
                "org_id",
            ),
            (
                "(select auth.jwt()) -> 'app_metadata' ->> 'org'",
                "app_metadata",
            ),
            (
                "auth.jwt() #>> '{user_metadata,org}' = 'x'",
                "user_metadata",
            ),
            (
                "current_setting('request.jwt.claim.tenant', true) = x",
                "tenant",
            ),
            (
                "current_setting('request.jwt.claims', true)::jsonb ->> 'email' = x",
                "email",
            ),
        ] {
            assert_eq!(analyze(text).unwrap().jwt_claims, [claim], "{text}");
        }
        assert!(
            analyze("note ->> 'org_id' = 'x'")
                .unwrap()
                .jwt_claims
                .is_empty()
        );
        assert!(
            analyze("exists (select 1 from auth.users u where u.raw_user_meta_data ->> 'x' = 'y')")
                .unwrap()
                .reads_user_metadata
        );
    }

    #[test]
    fn columns_with_casts_keywords_and_literals() {
        let f = analyze(
            "status::text = 'open' AND due IS NOT NULL AND created_at > now() - interval '1 day' \
             AND \"Title\" LIKE 'a%' AND extract(epoch FROM created_at) > 0 AND x::timestamp with time zone < now()",
        )
        .unwrap();
        let names: Vec<&str> = f.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(
            names,
            ["status", "due", "created_at", "Title", "created_at", "x"]
        );
        assert!(analyze("(true)").unwrap().always_true);
        assert!(!analyze("true AND x").unwrap().always_true);
    }

    #[test]
    fn subquery_columns_resolve_through_aliases() {
        let f = analyze(
            "EXISTS (SELECT 1 FROM public.organization_members m WHERE m.org_id = projects.org_id \
             AND m.user_id = (select auth.uid()) AND role = 'admin')",
        )
        .unwrap();
        let members = TableRef {
            schema: Some("public".into()),
            name: "organization_members".into(),
        };
        assert_eq!(
            f.columns,
            [
                table(Some("public"), "organization_members", "org_id"),
                table(None, "projects", "org_id"),
                table(Some("public"), "organization_members", "user_id"),
                ColumnRef {
                    column: "role".into(),
                    scope: ColumnScope::AnyOf(vec![members]),
                },
            ]
        );
        assert!(f.unwrapped_calls.is_empty());
        // The server's reprint: no schema, no alias keyword, extra parentheses.
        let printed = analyze(
            "(EXISTS ( SELECT 1 FROM organization_members WHERE ((organization_members.org_id = projects.org_id) AND (organization_members.user_id = ( SELECT auth.uid() AS uid)))))",
        )
        .unwrap();
        assert_eq!(
            printed.columns[0],
            table(None, "organization_members", "org_id")
        );
        assert!(printed.unwrapped_calls.is_empty());
    }
}
