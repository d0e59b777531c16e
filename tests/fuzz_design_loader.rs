//! Hardening the design loader: arbitrary JSON, mutated example designs, byte-mangled text
//! and a kept corpus never panic; every input either loads or is refused with diagnostics
//! whose JSON paths point into the document the user wrote.

mod fuzz_support;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Map, Value};

const EXAMPLES: [&str; 4] = [
    include_str!("../assets/examples/every_field_type.json"),
    include_str!("../assets/examples/spec_example.json"),
    include_str!("../assets/examples/todos.json"),
    include_str!("../assets/examples/todos_table.json"),
];

/// Keys the loader knows, so random objects reach deep into the walkers, plus strangers.
const KEYS: &[&str] = &[
    "schema",
    "tables",
    "relationships",
    "samples",
    "name",
    "db_name",
    "description",
    "fields",
    "rls_enabled",
    "rls_policies",
    "public_reference",
    "drop_columns",
    "drop_policies",
    "indexes",
    "columns",
    "where",
    "method",
    "type",
    "options",
    "is_primary",
    "primary_field",
    "required",
    "unique",
    "default",
    "choices",
    "max",
    "max_length",
    "precision",
    "scale",
    "integer",
    "expression",
    "result_type",
    "relationship",
    "through",
    "target_field",
    "aggregate",
    "timing",
    "events",
    "for_each",
    "function",
    "body",
    "operation",
    "using_expression",
    "with_check_expression",
    "roles",
    "permissive",
    "table",
    "target",
    "allow_multiple",
    "one_to_one",
    "cascade_delete",
    "literal",
    "todos",
    "Ωmega",
    "x y",
    "",
];

const STRINGS: &[&str] = &[
    "singleLineText",
    "number",
    "rollup",
    "SELECT",
    "ALL",
    "sum",
    "BEFORE",
    "INSERT",
    "ROW",
    "todos",
    "Todos",
    "auth.users",
    "public.todos",
    "",
    "\u{0}",
    "a\u{0}b",
    "\u{202e}evil",
    "\u{1b}]0;TITLE\u{7}",
    "🙂",
    "x\"y",
    "'; drop table x; --",
    "\u{feff}",
    "\u{ffff}",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        select(STRINGS).prop_map(|s| Value::String(s.to_string())),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// Whether every key of `value` reads back unambiguously from a path (paths do not quote
/// keys, so `a.b` as one key and as two are the same path).
fn plain_keys(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().all(plain_keys),
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| !k.is_empty() && !k.contains(['.', '[', ']']) && plain_keys(v)),
        _ => true,
    }
}

/// Follows a diagnostic path (`tables[0].fields[1].type`, `[2].name`, `` for the root)
/// through `value`; its last keys may name a required key (or object) missing from an object that exists. Keys in this suite hold no `.` or `[`, so the path reads unambiguously.
fn resolves(value: &Value, path: &str) -> bool {
    let mut here = value;
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let Some(close) = after.find(']') else {
                return false;
            };
            let Ok(i) = after[..close].parse::<usize>() else {
                return false;
            };
            match here.get(i) {
                Some(v) => here = v,
                None => return false,
            }
            rest = &after[close + 1..];
        } else {
            let rest_key = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_key.find(['.', '[']).unwrap_or(rest_key.len());
            // Paths show keys with control characters escaped, as every message does.
            let segment = &rest_key[..end];
            let found = here.as_object().and_then(|map| {
                map.iter()
                    .find(|(k, _)| schemaforge::safe_text::escape_controls(k) == segment)
                    .map(|(_, v)| v)
            });
            match found {
                Some(v) => here = v,
                // A required key that is missing is named where it belongs.
                None => return here.is_object() && !rest_key[end..].contains('['),
            }
            rest = &rest_key[end..];
        }
    }
    true
}

/// Loads `text` and checks the outcome: a design that saves and parses back equal, or
/// errors that each say something and name a path into the input (empty only for a JSON
/// syntax error or a document of the wrong kind).
fn check_loads_or_explains(text: &str) -> Result<(), TestCaseError> {
    match schemaforge::design::load(text) {
        Ok((design, _warnings)) => {
            let saved = schemaforge::design::save(&design);
            let (again, _) = schemaforge::design::parse(&saved)
                .map_err(|e| TestCaseError::fail(format!("saved design does not parse: {e:?}")))?;
            prop_assert_eq!(again, design);
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty(), "refused without a reason");
            let value: Option<Value> = serde_json::from_str(text).ok();
            for e in &errors {
                prop_assert!(!e.message.is_empty());
                match &value {
                    None => prop_assert!(
                        e.path.is_empty() && e.message.starts_with("invalid JSON at line "),
                        "a syntax error names its line and column: {e}"
                    ),
                    Some(v) if plain_keys(v) => prop_assert!(
                        resolves(v, &e.path),
                        "path {:?} is not in the input: {e}\n{text}",
                        e.path
                    ),
                    Some(_) => {}
                }
            }
        }
    }
    Ok(())
}

/// One mutation of a JSON tree at a node picked by `at` (pre-order).
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    RemoveKey,
    InsertKey(&'static str, Value),
    DuplicateItem,
    Wrap,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => json_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::RemoveKey),
        2 => (select(KEYS), json_value()).prop_map(|(k, v)| Mutation::InsertKey(k, v)),
        1 => Just(Mutation::DuplicateItem),
        1 => Just(Mutation::Wrap),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Applies `m` at node number `*n` (pre-order); returns true once applied.
fn mutate(v: &mut Value, n: &mut usize, m: &Mutation) -> bool {
    if *n == 0 {
        match m {
            Mutation::Replace(new) => *v = new.clone(),
            Mutation::RemoveKey => match v {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().next().cloned().unwrap_or_default();
                    map.shift_remove(&key);
                }
                Value::Array(items) if !items.is_empty() => {
                    items.pop();
                }
                _ => *v = Value::Null,
            },
            Mutation::InsertKey(k, new) => match v {
                Value::Object(map) => {
                    map.insert(k.to_string(), new.clone());
                }
                _ => *v = new.clone(),
            },
            Mutation::DuplicateItem => match v {
                Value::Array(items) if !items.is_empty() => items.push(items[0].clone()),
                _ => *v = Value::Array(vec![v.clone(), v.clone()]),
            },
            Mutation::Wrap => {
                let mut map = Map::new();
                map.insert("literal".into(), v.clone());
                *v = Value::Object(map);
            }
        }
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter_mut().any(|c| mutate(c, n, m)),
        Value::Object(map) => map.values_mut().any(|c| mutate(c, n, m)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_json_loads_or_names_a_path(value in json_value()) {
        check_loads_or_explains(&value.to_string())?;
        // The same value as a design document and as a bare table.
        let mut design = Map::new();
        design.insert("tables".into(), Value::Array(vec![value.clone()]));
        check_loads_or_explains(&Value::Object(design).to_string())?;
    }

    #[test]
    fn mutated_examples_load_or_name_a_path(
        example in select(&EXAMPLES[..]),
        mutations in prop::collection::vec((any::<Index>(), mutation()), 1..4),
    ) {
        let mut value: Value = serde_json::from_str(example).unwrap();
        for (at, m) in &mutations {
            let mut n = at.index(count_nodes(&value));
            mutate(&mut value, &mut n, m);
        }
        check_loads_or_explains(&value.to_string())?;
    }

    #[test]
    fn mangled_text_never_panics(
        example in select(&EXAMPLES[..]),
        cut in any::<Index>(),
        insert in prop::collection::vec(any::<char>(), 0..4),
    ) {
        let at = cut.index(example.len() + 1);
        let at = (0..=at).rev().find(|&i| example.is_char_boundary(i)).unwrap_or(0);
        let text: String = example[..at].chars().chain(insert).chain(example[at..].chars().skip(1)).collect();
        check_loads_or_explains(&text)?;
    }
}

/// Every file of the corpus: `ok_*` must load, `err_*` must be refused, and each must keep
/// the rules above. `known_bug_*` files are listed in the README and skipped.
#[test]
fn design_corpus() {
    let mut seen = 0;
    for (name, path) in fuzz_support::corpus_files("design") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            panic!("{name}: corpus files are UTF-8 (the CLI reads them as text)");
        };
        let outcome = schemaforge::design::load(&text);
        if name.starts_with("ok_") {
            assert!(outcome.is_ok(), "{name} should load: {outcome:?}");
        } else if name.starts_with("err_") {
            assert!(outcome.is_err(), "{name} should be refused");
        } else {
            panic!("{name}: corpus files are named ok_*, err_* or known_bug_*");
        }
        check_loads_or_explains(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
    }
    assert!(seen >= 15, "the corpus holds {seen} files");
}
