//! The lock entries a saved plan's statements take, counted from their SQL: a saved plan
//! (`apply --plan FILE`) has no changes to count, only text, and may have been edited by
//! hand. The rules are those of [`super::locks_needed`], read off the statements the
//! planner writes: each table or view created, changed, commented, granted on or written
//! to; each index a statement builds (`CREATE INDEX`, a primary key, a unique or exclusion
//! constraint); each table a foreign key refers to; the TOAST table and its index of a
//! table given an unbounded variable-length column; each sequence a serial column creates;
//! each schema created in; each role granted to; and the transaction's own id.

use std::collections::BTreeSet;

use sqlparser::tokenizer::Token;

use crate::sql_tokens::{is_word, tokens};

/// The lock-table entries the statements take in one transaction. A statement the
/// tokenizer cannot read counts for nothing (the server will refuse it anyway).
pub fn locks_in_statements<'a>(statements: impl IntoIterator<Item = &'a str>) -> usize {
    let mut locked = BTreeSet::new();
    locked.insert("#transaction".to_owned());
    for (index, statement) in statements.into_iter().enumerate() {
        let Ok(all) = tokens(statement) else {
            continue;
        };
        let words: Vec<Token> = all
            .into_iter()
            .map(|(t, _)| t)
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect();
        Statement {
            tokens: &words,
            index,
            locked: &mut locked,
        }
        .count();
    }
    locked.len()
}

/// One statement's significant tokens, and the set its lock entries go into.
struct Statement<'a> {
    tokens: &'a [Token],
    /// The statement's position, to tell apart the indexes different statements build.
    index: usize,
    locked: &'a mut BTreeSet<String>,
}

impl Statement<'_> {
    fn word(&self, at: usize, word: &str) -> bool {
        self.tokens.get(at).is_some_and(|t| is_word(t, word))
    }

    /// The position after any of `words` (in any order) starting at `at`.
    fn skip(&self, mut at: usize, words: &[&str]) -> usize {
        while words.iter().any(|w| self.word(at, w)) {
            at += 1;
        }
        at
    }

    /// A possibly qualified name at `at`: its key (`schema.name`, parts as the server
    /// folds them) and the position after it.
    fn name(&self, at: usize) -> Option<(String, usize)> {
        let mut parts = vec![part(self.tokens.get(at)?)?];
        let mut next = at + 1;
        while matches!(self.tokens.get(next), Some(Token::Period))
            && let Some(p) = self.tokens.get(next + 1).and_then(part)
        {
            parts.push(p);
            next += 2;
        }
        Some((parts.join("."), next))
    }

    /// The position of the first `word` at parenthesis depth 0 from `at`.
    fn find(&self, at: usize, word: &str) -> Option<usize> {
        let mut depth = 0i32;
        for (i, t) in self.tokens.iter().enumerate().skip(at) {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ if depth == 0 && is_word(t, word) => return Some(i),
                _ => {}
            }
        }
        None
    }

    fn lock(&mut self, key: impl Into<String>) {
        self.locked.insert(key.into());
    }

    /// Locks the relation named at `at`; returns its key.
    fn relation(&mut self, at: usize) -> Option<String> {
        let (key, _) = self.name(at)?;
        self.lock(key.clone());
        Some(key)
    }

    fn schema_of(&mut self, key: &str) {
        if let Some((schema, _)) = key.rsplit_once('.') {
            self.lock(format!("#schema:{schema}"));
        }
    }

    fn count(mut self) {
        let head = match self.tokens.first() {
            Some(Token::Word(w)) if w.quote_style.is_none() => w.value.to_lowercase(),
            _ => return,
        };
        match head.as_str() {
            "create" => self.create(),
            "alter" => self.alter(),
            "comment" => self.comment(),
            "grant" | "revoke" => self.grant(),
            "drop" => self.drop(),
            "insert" if self.word(1, "into") => {
                self.relation(2);
            }
            "copy" | "update" => {
                self.relation(self.skip(1, &["only"]));
            }
            "delete" if self.word(1, "from") => {
                self.relation(self.skip(2, &["only"]));
            }
            "truncate" => self.names_until(self.skip(1, &["table", "only"]), &[]),
            "select"
                if self
                    .tokens
                    .iter()
                    .any(|t| is_word(t, "apply_postgrest_permissions")) =>
            {
                // `apply_postgrest_permissions()` grants to the API roles.
                for role in ["anon", "authenticated", "service_role"] {
                    self.lock(format!("#role:{role}"));
                }
            }
            _ => {}
        }
    }

    fn create(&mut self) {
        let at = self.skip(
            1,
            &[
                "or",
                "replace",
                "unlogged",
                "temporary",
                "temp",
                "global",
                "local",
                "recursive",
            ],
        );
        if self.word(at, "table") {
            let at = self.skip(at + 1, &["if", "not", "exists"]);
            if let Some((table, body)) = self.name(at) {
                self.lock(table.clone());
                self.schema_of(&table);
                self.table_body(&table, body, true);
            }
        } else if self.word(at, "unique") || self.word(at, "index") {
            let at = self.skip(
                at,
                &["unique", "index", "concurrently", "if", "not", "exists"],
            );
            let Some(on) = self.find(at, "on") else {
                return;
            };
            let table = self.relation(self.skip(on + 1, &["only"]));
            match (self.name(at), table) {
                (Some((index, _)), Some(table)) if at < on => {
                    // An index lives in its table's schema.
                    let schema = table.rsplit_once('.').map_or("", |(s, _)| s);
                    self.lock(format!("{schema}.{index}"));
                }
                _ => self.lock(format!("#index:{}", self.index)),
            }
        } else if self.word(at, "view")
            || self.word(at, "materialized")
            || self.word(at, "sequence")
        {
            let at = self.skip(
                at,
                &["materialized", "view", "sequence", "if", "not", "exists"],
            );
            if let Some(view) = self.relation(at) {
                self.schema_of(&view);
            }
        } else if self.word(at, "policy") || self.word(at, "trigger") || self.word(at, "constraint")
        {
            self.on_table(at);
        }
    }

    fn alter(&mut self) {
        if self.word(1, "table") {
            let at = self.skip(2, &["if", "exists", "only"]);
            if let Some((table, body)) = self.name(at) {
                self.lock(table.clone());
                self.table_body(&table, body, false);
            }
        } else if self.word(1, "policy") || self.word(1, "trigger") {
            self.on_table(1);
        } else if self.word(1, "view") || self.word(1, "index") || self.word(1, "sequence") {
            let at = self.skip(2, &["if", "exists"]);
            self.relation(at);
        }
    }

    /// `POLICY name ON table`, `TRIGGER name … ON table`: the table.
    fn on_table(&mut self, from: usize) {
        if let Some(on) = self.find(from, "on") {
            self.relation(self.skip(on + 1, &["only"]));
        }
    }

    fn comment(&mut self) {
        let at = 2;
        if self.word(at, "column") {
            // `table.column` or `schema.table.column`: the table.
            if let Some((key, _)) = self.name(at + 1)
                && let Some((table, _)) = key.rsplit_once('.')
            {
                self.lock(table.to_owned());
            }
        } else if ["table", "view", "index", "sequence"]
            .iter()
            .any(|w| self.word(at, w))
        {
            self.relation(at + 1);
        } else if self.word(at, "materialized") {
            self.relation(at + 2);
        } else if self.word(at, "policy") || self.word(at, "trigger") {
            self.on_table(at);
        }
    }

    fn grant(&mut self) {
        let Some(on) = self.find(1, "on") else {
            return;
        };
        let to = self
            .find(on, "to")
            .or_else(|| self.find(on, "from"))
            .unwrap_or(self.tokens.len());
        let objects = on + 1;
        let other_kind = [
            "schema",
            "function",
            "functions",
            "procedure",
            "routine",
            "sequence",
            "sequences",
            "database",
            "type",
            "domain",
            "language",
            "all",
            "foreign",
            "large",
            "tablespace",
            "parameter",
        ]
        .iter()
        .any(|w| self.word(objects, w));
        if !other_kind {
            self.names_until(self.skip(objects, &["table"]), &["to", "from"]);
        }
        let mut at = to + 1;
        while let Some((role, next)) = self.name(at) {
            if ["with", "granted", "cascade", "restrict"]
                .iter()
                .any(|w| self.word(at, w))
            {
                break;
            }
            self.lock(format!("#role:{role}"));
            if !matches!(self.tokens.get(next), Some(Token::Comma)) {
                break;
            }
            at = next + 1;
        }
    }

    fn drop(&mut self) {
        if ["table", "view", "index", "sequence"]
            .iter()
            .any(|w| self.word(1, w))
        {
            let at = self.skip(2, &["concurrently", "if", "exists"]);
            self.names_until(at, &["cascade", "restrict"]);
        } else if self.word(1, "materialized") {
            let at = self.skip(3, &["if", "exists"]);
            self.names_until(at, &["cascade", "restrict"]);
        } else if self.word(1, "policy") || self.word(1, "trigger") {
            self.on_table(1);
        }
    }

    /// A comma-separated list of relation names from `at`, up to one of `stop`.
    fn names_until(&mut self, mut at: usize, stop: &[&str]) {
        while let Some((key, next)) = self.name(at) {
            if stop.iter().any(|w| self.word(at, w)) {
                break;
            }
            self.lock(key);
            if !matches!(self.tokens.get(next), Some(Token::Comma)) {
                break;
            }
            at = next + 1;
        }
    }

    /// A `CREATE TABLE` body or `ALTER TABLE` actions from `at`: the indexes their keys
    /// build, the tables their foreign keys name, the TOAST table and the sequences their
    /// columns get.
    fn table_body(&mut self, table: &str, at: usize, created: bool) {
        let mut depth = 0i32;
        let mut indexes = 0;
        let mut toast = false;
        // Where a column definition starts: after `(` or `,` at depth 1 of CREATE TABLE,
        // after ADD [COLUMN] [IF NOT EXISTS] in ALTER TABLE.
        let mut column_at: Option<usize> = created.then_some(usize::MAX);
        let mut i = at;
        while i < self.tokens.len() {
            let t = &self.tokens[i];
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Comma if created && depth == 1 => column_at = Some(i + 1),
                Token::Comma if !created && depth == 0 => column_at = None,
                _ => {}
            }
            if created && depth == 1 && matches!(t, Token::LParen) && column_at == Some(usize::MAX)
            {
                column_at = Some(i + 1);
            }
            if !created && self.word(i, "add") {
                let next = self.skip(i + 1, &["column", "if", "not", "exists"]);
                let constraint = [
                    "constraint",
                    "primary",
                    "unique",
                    "check",
                    "foreign",
                    "exclude",
                ]
                .iter()
                .any(|w| self.word(i + 1, w));
                if !constraint {
                    column_at = Some(next);
                }
            }
            if column_at == Some(i) && !is_table_constraint(self.tokens, i) {
                toast |= super::toastable(&self.column_type(i + 1));
            }
            if (is_word(t, "primary") && self.word(i + 1, "key"))
                || is_word(t, "unique")
                || is_word(t, "exclude")
            {
                indexes += 1;
                self.lock(format!("{table}#index:{}:{indexes}", self.index));
            } else if is_word(t, "references") {
                self.relation(i + 1);
            } else if [
                "serial",
                "bigserial",
                "smallserial",
                "serial2",
                "serial4",
                "serial8",
            ]
            .iter()
            .any(|w| is_word(t, w))
                || is_word(t, "nextval")
            {
                self.lock(format!("{table}#sequence:{}:{i}", self.index));
            }
            i += 1;
        }
        if toast {
            self.lock(format!("{table}#toast"));
            self.lock(format!("{table}#toast_index"));
        }
    }

    /// A column's type as written from `at`: the words up to its first constraint.
    fn column_type(&self, at: usize) -> String {
        const ENDS: &[&str] = &[
            "default",
            "not",
            "null",
            "constraint",
            "primary",
            "unique",
            "check",
            "references",
            "generated",
            "collate",
            "compression",
            "storage",
        ];
        let mut out = String::new();
        let mut depth = 0i32;
        for t in &self.tokens[at.min(self.tokens.len())..] {
            let end = match t {
                Token::Comma | Token::RParen => depth == 0,
                _ => depth == 0 && ENDS.iter().any(|w| is_word(t, w)),
            };
            if end {
                break;
            }
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Word(_) if !out.is_empty() && !out.ends_with('(') => out.push(' '),
                _ => {}
            }
            out.push_str(&t.to_string());
        }
        out
    }
}

/// Whether a `CREATE TABLE` element starting at `at` is a table constraint, not a column.
fn is_table_constraint(tokens: &[Token], at: usize) -> bool {
    tokens.get(at).is_some_and(|t| {
        [
            "constraint",
            "primary",
            "unique",
            "check",
            "foreign",
            "exclude",
            "like",
        ]
        .iter()
        .any(|w| is_word(t, w))
    })
}

/// One part of a name as the server folds it: a quoted name as written, an unquoted one
/// in lower case.
fn part(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
        Token::Word(w) => Some(w.value.to_lowercase()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_table_its_keys_toast_foreign_table_schema_and_index() {
        let statements = [
            "BEGIN",
            "SET LOCAL lock_timeout = '5s'",
            "CREATE TABLE \"public\".\"t1\" (\n  \"id\" uuid DEFAULT gen_random_uuid() NOT NULL,\n  \"title\" text NOT NULL,\n  \"created_by\" uuid,\n  CONSTRAINT \"t1_pkey\" PRIMARY KEY (\"id\"),\n  CONSTRAINT \"t1_created_by_fkey\" FOREIGN KEY (\"created_by\") REFERENCES \"auth\".\"users\" (\"id\")\n)",
            "CREATE INDEX \"idx_t1_created_by\" ON \"public\".\"t1\" (\"created_by\")",
            "ALTER TABLE \"public\".\"t1\" ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY \"p\" ON \"public\".\"t1\" FOR ALL TO \"authenticated\" USING (true)",
            "COMMENT ON COLUMN \"public\".\"t1\".\"title\" IS 'x'",
            "GRANT SELECT, INSERT ON \"public\".\"t1\" TO \"authenticated\"",
            "COMMIT",
        ];
        // t1, its key's index, TOAST table and index, auth.users, schema public, the
        // created_by index, role authenticated, the transaction.
        assert_eq!(locks_in_statements(statements), 9);
    }

    #[test]
    fn bounded_types_get_no_toast_and_names_fold_as_the_server_folds_them() {
        let bounded = [
            "CREATE TABLE public.t (id bigint PRIMARY KEY, code varchar(20), n numeric(10,2) CHECK (n > 0::numeric))",
        ];
        // t, t's key index, schema, transaction.
        assert_eq!(locks_in_statements(bounded), 4);
        let same = [
            "ALTER TABLE public.T ADD COLUMN note text",
            "ALTER TABLE \"public\".\"t\" ENABLE ROW LEVEL SECURITY",
        ];
        // t, its TOAST table and index, transaction.
        assert_eq!(locks_in_statements(same), 4);
        let quoted = [
            "ALTER TABLE \"public\".\"T\" ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY",
        ];
        assert_eq!(locks_in_statements(quoted), 3, "\"T\" and t are two tables");
    }

    #[test]
    fn grants_lock_their_tables_and_roles_not_their_schemas() {
        let grants = [
            "GRANT USAGE ON SCHEMA app TO anon, authenticated",
            "GRANT SELECT ON TABLE app.a, app.b TO anon",
            "SELECT public.apply_postgrest_permissions()",
        ];
        // app.a, app.b, anon, authenticated, service_role, transaction.
        assert_eq!(locks_in_statements(grants), 6);
    }

    #[test]
    fn an_unreadable_statement_counts_for_nothing() {
        assert_eq!(locks_in_statements(["CREATE TABLE 'unterminated"]), 1);
    }
}
