//! The layers point one way: the pure core never reaches up into `db`, `tui` or `cli`, and no
//! two core modules import each other. Read from the sources, so a new import that breaks
//! the rule fails here, whatever the compiler thinks of it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pure core (`config` is a front-end concern and not listed).
const CORE: [&str; 17] = [
    "analysis",
    "catalog",
    "design",
    "erd",
    "findings",
    "from_catalog",
    "import",
    "lock_limit",
    "memo",
    "migration_lint",
    "plan",
    "rls",
    "safe_text",
    "samples",
    "server_error",
    "sql",
    "sql_tokens",
];

/// What the core may never use.
const UPPER: [&str; 3] = ["db", "tui", "cli"];

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

/// `src/a/b.rs` → `[a, b]`; `src/a/mod.rs` → `[a]`; `src/lib.rs` → `[]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The source without comments (doc links name modules too).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level modules a file names: `crate::x`, `crate::{x, y::z}`, and `super::…`
/// chains that climb to the crate root.
fn top_level_references(module: &[String], text: &str) -> BTreeSet<String> {
    let text = code(text);
    let mut found = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `mycrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ => {}
                }
                if c != ',' || depth > 0 {
                    item.push(c);
                }
            }
            items.push(item);
            for item in items {
                let name = ident_at(item.trim());
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            found.insert(ident_at(rest));
        }
    }
    // `super::super::x` from `a::b` is the crate root's `x`.
    let mut rest = text.as_str();
    while let Some(at) = rest.find("super::") {
        let tail = &rest[at..];
        let mut depth = 0;
        let mut after = tail;
        while let Some(next) = after.strip_prefix("super::") {
            depth += 1;
            after = next;
        }
        if depth >= module.len() {
            let name = ident_at(after);
            if !name.is_empty() {
                found.insert(name);
            }
        }
        rest = &rest[at + "super::".len() * depth..];
    }
    found
}

/// Each top-level module and the top-level modules it references (itself excluded).
fn graph() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in files {
        let module = module_path(&src, &file);
        let Some(top) = module.first() else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        for target in top_level_references(&module, &text) {
            if &target != top {
                graph
                    .entry(top.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .push(file.strip_prefix(&src).unwrap().display().to_string());
            }
        }
    }
    graph
}

#[test]
fn the_core_never_imports_db_tui_or_cli() {
    let graph = graph();
    let mut wrong = Vec::new();
    for core in CORE {
        for (target, files) in graph.get(core).into_iter().flatten() {
            if UPPER.contains(&target.as_str()) {
                wrong.push(format!("{core} → {target} in {files:?}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the core reaches up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_core_modules_import_each_other() {
    let graph = graph();
    let uses = |a: &str, b: &str| graph.get(a).and_then(|t| t.get(b));
    let mut cycles = Vec::new();
    for (i, a) in CORE.iter().enumerate() {
        for b in &CORE[i + 1..] {
            if let (Some(ab), Some(ba)) = (uses(a, b), uses(b, a)) {
                cycles.push(format!("{a} → {b} in {ab:?}, {b} → {a} in {ba:?}"));
            }
        }
    }
    assert!(cycles.is_empty(), "cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_reader_sees_every_spelling_of_an_import() {
    let module = vec!["plan".to_owned(), "tables".to_owned()];
    let text = "use crate::{catalog::Table, db, sql::{ident, literal}};\n\
                use super::super::tui::App;\n\
                // crate::cli in a comment does not count\n\
                let x = crate::design::resolve(&d);";
    let found = top_level_references(&module, text);
    let want: BTreeSet<String> = ["catalog", "db", "sql", "tui", "design"]
        .map(String::from)
        .into();
    assert_eq!(found, want);
    // One `super` from `plan::tables` is `plan`, not the crate root.
    assert!(top_level_references(&module, "use super::db::X;").is_empty());
}
