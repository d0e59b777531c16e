//! Hardening the expression check (`sql_tokens::check_expression`): it never panics, and an
//! expression it accepts cannot escape the place the planner puts it. Embedded in each
//! statement shape the planner renders (a policy's USING / WITH CHECK, a generated column, a
//! column default), the statement still tokenises — with the same sqlparser tokenizer — as
//! one statement with balanced parentheses, whose text after the expression is still real
//! tokens (not swallowed by a comment or a string) and with no extra comma at the
//! expression's level (no extra column or ALTER TABLE sub-command).

mod fuzz_support;

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge::rls::expr::wrap_auth_calls;
use schemaforge::sql_tokens::check_expression;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// The statement shapes of the planner, with `{}` where the expression goes.
const SHAPES: [(&str, &str); 3] = [
    (
        "policy",
        "CREATE POLICY \"p\" ON \"public\".\"t\"\n  AS PERMISSIVE\n  FOR ALL\n  TO authenticated\n  USING ({})\n  WITH CHECK (true)",
    ),
    (
        "policy check",
        "CREATE POLICY \"p\" ON \"public\".\"t\"\n  AS PERMISSIVE\n  FOR INSERT\n  TO authenticated\n  WITH CHECK ({})",
    ),
    (
        "generated column",
        "CREATE TABLE \"public\".\"t\" (\n  \"id\" uuid,\n  \"c\" text GENERATED ALWAYS AS ({}) STORED NOT NULL,\n  CONSTRAINT \"t_pkey\" PRIMARY KEY (\"id\")\n)",
    ),
];

/// The column default as the planner itself renders it (a default written as an expression,
/// in ADD COLUMN and in SET DEFAULT), with `{}` where the expression goes.
fn default_shapes() -> Vec<(&'static str, String)> {
    use schemaforge::catalog::QualifiedName;
    use schemaforge::catalog::change::{Change, ColumnDef};
    use schemaforge::design::DefaultValue;
    use schemaforge::plan::render;
    use schemaforge::plan::sql_parts::default_sql;
    let default = default_sql(&DefaultValue::Expression("{}".into()), None);
    let table = QualifiedName::new("public", "t");
    let column = ColumnDef {
        name: "c".into(),
        sql_type: "text".into(),
        data_type: "text".into(),
        default: Some(default.clone()),
        generated: None,
        not_null: true,
        constraints: Vec::new(),
    };
    vec![
        (
            "column default",
            render::sql(&Change::AddColumn {
                table: table.clone(),
                column,
            }),
        ),
        (
            "set default",
            render::sql(&Change::SetDefault {
                table,
                column: "c".into(),
                default,
            }),
        ),
    ]
}

/// Tokens without whitespace and comments.
fn significant(sql: &str) -> Option<Vec<Token>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect(),
    )
}

/// Paren depth at the hole of `shape`, and how many commas sit at that depth in all of it.
fn commas_at_depth(tokens: &[Token], depth_of_hole: i32) -> usize {
    let mut depth = 0;
    let mut commas = 0;
    for t in tokens {
        match t {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth -= 1,
            Token::Comma if depth == depth_of_hole => commas += 1,
            _ => {}
        }
    }
    commas
}

fn hole_depth(shape: &str) -> i32 {
    let before = &shape[..shape.find("{}").unwrap()];
    let tokens = significant(before).unwrap();
    tokens.iter().fold(0, |d, t| match t {
        Token::LParen | Token::LBracket => d + 1,
        Token::RParen | Token::RBracket => d - 1,
        _ => d,
    })
}

/// The check: never panics; when it accepts, every embedding stays in its place.
fn check_contained(expression: &str) -> Result<(), TestCaseError> {
    if check_expression(expression).is_err() {
        return Ok(());
    }
    let wrapped = wrap_auth_calls(expression)
        .map_err(|e| TestCaseError::fail(format!("accepted but cannot be wrapped: {e}")))?;
    let shapes: Vec<(&str, String)> = SHAPES
        .iter()
        .map(|(what, shape)| (*what, shape.to_string()))
        .chain(default_shapes())
        .collect();
    for text in [expression, wrapped.as_str()] {
        for (what, shape) in &shapes {
            let shape = shape.as_str();
            let sql = shape.replace("{}", text);
            let skeleton = significant(&shape.replace("{}", "")).unwrap();
            let after: Vec<Token> = significant(&shape[shape.find("{}").unwrap() + 2..]).unwrap();
            let Some(tokens) = significant(&sql) else {
                return Err(TestCaseError::fail(format!(
                    "{what}: accepted {text:?} but the statement does not tokenise:\n{sql}"
                )));
            };
            prop_assert!(
                !tokens.contains(&Token::SemiColon),
                "{}: accepted {:?} ends the statement:\n{}",
                what,
                text,
                sql
            );
            let mut depth = 0i32;
            for t in &tokens {
                match t {
                    Token::LParen | Token::LBracket => depth += 1,
                    Token::RParen | Token::RBracket => depth -= 1,
                    _ => {}
                }
                prop_assert!(
                    depth >= 0,
                    "{}: {:?} closes the statement's parenthesis:\n{}",
                    what,
                    text,
                    sql
                );
            }
            prop_assert_eq!(
                depth,
                0,
                "{}: {:?} leaves a parenthesis open:\n{}",
                what,
                text,
                sql
            );
            prop_assert!(
                tokens.ends_with(&after),
                "{}: the statement's text after {:?} is swallowed:\n{}",
                what,
                text,
                sql
            );
            let d = hole_depth(shape);
            // Inside parentheses an expression cannot add a clause (a CONSTRAINT, a
            // COLLATE, a REFERENCES) to the statement around it.
            prop_assert!(
                d >= 1,
                "{}: the expression is not inside parentheses:\n{}",
                what,
                shape
            );
            prop_assert_eq!(
                commas_at_depth(&tokens, d),
                commas_at_depth(&skeleton, d),
                "{}: {:?} adds a comma-separated item to the statement:\n{}",
                what,
                text,
                sql
            );
        }
    }
    Ok(())
}

/// Pieces that matter to quoting and nesting, glued together at random.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "'",
    "''",
    "\"",
    "\"\"",
    "$$",
    "$a$",
    "$1",
    "--",
    "\n",
    "/*",
    "*/",
    "E'",
    "\\'",
    "\\",
    "U&\"",
    "U&'",
    "\\0041",
    "UESCAPE",
    "B'",
    "X'",
    " ",
    "true",
    "1",
    "auth.uid()",
    "(select auth.uid())",
    "drop table x",
    "commit",
    "::text",
    "'a;b'",
    "-",
    "*",
    "/",
    "e",
    "$",
    "`",
    "\u{0}",
    "\r",
    "\u{a0}",
    "é",
    "🙂",
    "#",
    "@",
    "?",
    "{",
    "}",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(select(FRAGMENTS), 0..14).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn glued_fragments_never_escape(expression in fragments()) {
        check_contained(&expression)?;
    }

    #[test]
    fn arbitrary_strings_never_panic_nor_escape(expression in any::<String>()) {
        check_contained(&expression)?;
    }
}

/// Every line of every corpus file is an expression; each must keep the rule above. Lines
/// of `known_bug_*` files are listed in the README and skipped.
#[test]
fn expression_corpus() {
    let mut seen = 0;
    for (name, path) in fuzz_support::corpus_files("expressions") {
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            // `\n` in a corpus line stands for a newline inside the expression.
            let expression = line.replace("\\n", "\n");
            check_contained(&expression).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        }
    }
    assert!(seen >= 30, "the corpus holds {seen} expressions");
}
