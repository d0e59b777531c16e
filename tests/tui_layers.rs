//! The files of `src/tui` import one way: no file imports another that (directly or
//! through others) imports it back. Read from the sources, so a new cycle fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `src/tui/components/help.rs` → `["components", "help"]`; `mod.rs` is its folder.
fn module_of(path: &Path, root: &Path) -> Vec<String> {
    let rel = path.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first segments a `use` line names under `base`: `super::{a, b::c}` → `a`, `b`.
fn named(rest: &str) -> Vec<String> {
    let rest = rest.trim().trim_end_matches(';');
    let inner = rest
        .strip_prefix('{')
        .map_or(rest, |r| r.trim_end_matches('}'));
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in inner.chars().chain([',']) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let first = item
                    .trim()
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                if !first.is_empty() {
                    out.push(first);
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    out
}

#[test]
fn no_file_of_the_tui_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let modules: BTreeSet<Vec<String>> = paths.iter().map(|p| module_of(p, &root)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for path in &paths {
        let me = module_of(path, &root);
        let is_mod = path.file_name().is_some_and(|n| n == "mod.rs");
        let parent: Vec<String> = if is_mod {
            me.clone()
        } else {
            me[..me.len() - 1].to_vec()
        };
        let text = std::fs::read_to_string(path).unwrap();
        // Every path into the tui, in `use` lines and inline (`super::mouse::on_mouse(..)`).
        let super_base = if is_mod {
            me[..me.len().saturating_sub(1)].to_vec()
        } else {
            parent.clone()
        };
        let mut names: Vec<(Vec<String>, String)> = Vec::new();
        for (prefix, base) in [("crate::tui::", Vec::new()), ("super::", super_base)] {
            for (at, _) in text.match_indices(prefix) {
                let rest = &text[at + prefix.len()..];
                if rest.starts_with('{') {
                    let end = rest.find('}').map_or(rest.len(), |e| e + 1);
                    for first in named(&rest[..end]) {
                        names.push((base.clone(), first));
                    }
                } else {
                    let ident: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push((base.clone(), ident));
                }
            }
        }
        for (base, first) in names {
            if first.is_empty() {
                // `use super::*;` is a test module inside the file reaching its own file.
                continue;
            }
            let mut target = base.clone();
            target.push(first);
            let target = if modules.contains(&target) {
                target
            } else {
                base
            };
            if target != me && modules.contains(&target) {
                edges.entry(me.clone()).or_default().insert(target);
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            let names: Vec<String> = cycle
                .iter()
                .map(|m| format!("tui::{}", m.join("::")))
                .collect();
            panic!("import cycle: {}", names.join(" → "));
        }
    }
    // The check sees the imports it is meant to see.
    assert!(edges[&vec!["update".to_owned()]].contains(&vec!["app".to_owned()]));
    assert!(
        edges[&vec!["components".to_owned(), "help".to_owned()]]
            .contains(&vec!["keymap".to_owned()])
    );
}
