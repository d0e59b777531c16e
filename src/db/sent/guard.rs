//! Reads the source tree: no file but [`super`] (and this test) may call the client's
//! sending methods, so a future statement cannot escape the log.

use std::path::{Path, PathBuf};

/// The client's methods that send a statement (or start a transaction, which does).
const SENDING: &[&str] = &[
    "batch_execute",
    "simple_query",
    "simple_query_raw",
    "query",
    "query_one",
    "query_opt",
    "query_raw",
    "query_scalar",
    "query_one_scalar",
    "query_opt_scalar",
    "query_typed",
    "query_typed_one",
    "query_typed_opt",
    "query_typed_raw",
    "execute",
    "execute_typed",
    "execute_raw",
    "prepare",
    "prepare_typed",
    "copy_in",
    "copy_out",
    "transaction",
    "build_transaction",
    "check_connection",
];

/// Calls by these names that are not the database client's, each with why.
const ALLOWED: &[(&str, &str)] = &[
    // The picker's own search text (`self.query()`), not a database call.
    ("src/tui/components/form/picker.rs", "query"),
];

/// `(line, method)` of every `.name(` / `Type::name(` / `.name::<…>(` call of a sending
/// method in `source`, comments left out.
fn sending_calls(source: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for &name in SENDING {
            let mut from = 0;
            while let Some(at) = code[from..].find(name) {
                let start = from + at;
                let end = start + name.len();
                from = end;
                let before = &code[..start];
                // `sent::name(` is this module's helper; `Client::name(` is the client's.
                let called_on = before.ends_with('.')
                    || (before.ends_with("::") && !before.ends_with("sent::"));
                let after = code[end..].trim_start();
                let is_call = after.starts_with('(') || after.starts_with("::<");
                let whole_word =
                    !code[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
                if called_on && is_call && whole_word {
                    found.push((number + 1, name));
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_scan_finds_calls_split_over_lines_and_turbofish_and_skips_fields() {
    let source = "client\n    .batch_execute(\"BEGIN\")\n\
                  let s = client.copy_in::<_, Bytes>(sql);\n\
                  self.query.text(); // client.query(x)\n\
                  tokio_postgres::Client::simple_query(&c, q);\n\
                  client.execute_later(); client.queryx(1);\n\
                  sent::batch_execute(client, sql); super::sent::query(c, q, &[]);";
    assert_eq!(
        sending_calls(source),
        [(2, "batch_execute"), (3, "copy_in"), (5, "simple_query")]
    );
}

/// Every statement goes through this module, so none escapes the log.
#[test]
fn nothing_else_in_src_sends_a_statement_directly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the source tree is found");
    let mut offenders = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "src/db/sent.rs" || relative.starts_with("src/db/sent/") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, name) in sending_calls(&source) {
            if !ALLOWED.contains(&(relative.as_str(), name)) {
                offenders.push(format!("{relative}:{line}: .{name}(…)"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "send statements through db::sent so they are logged:\n{}",
        offenders.join("\n")
    );
}
