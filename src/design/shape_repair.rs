//! One pass over a broken file: when the shape check finds errors (an unknown type, a string
//! where a number belongs), serde cannot build a design, yet the rules that do not depend on
//! the broken values can still run. Reporting them now means the user fixes everything in one
//! round instead of meeting the range errors only after the type errors are gone.
//!
//! A copy of the document is repaired: a bad optional value is removed; an element whose
//! identity is broken (its `name`, `type`, `operation`… or the element itself) is replaced by
//! a placeholder keeping its name. The per-table rules run on that copy, and every finding at
//! or under a repaired path is dropped, as are warnings (errors are what block the file).
//! References between tables (relationships, computed fields, samples) wait for a clean file:
//! judging them against placeholders would invent problems.

use serde_json::{Map, Value, json};

use super::diagnostics::Diagnostic;
use super::model::Design;
use super::validate::validate_local;

/// Keys whose bad value breaks the whole element they belong to.
const IDENTITY_KEYS: [&str; 5] = ["name", "type", "operation", "table", "target"];

/// The semantic errors that can be found despite `shape_errors` (paths into `design_value`,
/// the document already wrapped into a design). Empty when the copy cannot be repaired.
pub(crate) fn errors_despite(design_value: &Value, shape_errors: &[String]) -> Vec<Diagnostic> {
    let mut copy = design_value.clone();
    let Some(map) = copy.as_object_mut() else {
        return Vec::new();
    };
    map.remove("relationships");
    map.remove("samples");
    let mut suppressed: Vec<String> = vec!["relationships".into(), "samples".into()];
    for path in shape_errors {
        let Some(segments) = parse_path(path) else {
            return Vec::new();
        };
        if segments
            .first()
            .is_some_and(|s| matches!(s, Segment::Key(k) if k == "relationships" || k == "samples"))
        {
            continue;
        }
        let Some(repaired) = repair(&mut copy, &segments) else {
            return Vec::new();
        };
        suppressed.push(render(&segments[..dependents(&segments, repaired)]));
    }
    let Ok(design) = serde_json::from_value::<Design>(copy) else {
        return Vec::new();
    };
    validate_local(&design)
        .into_iter()
        .filter(|d| d.is_error() && !suppressed.iter().any(|s| within(&d.path, s)))
        .collect()
}

/// How much of the path to stay silent about. A field's options depend on each other (a
/// default is judged against the choices, a scale against the precision), so a bad value of a
/// known option silences the whole `options`; an unknown key or anything else only itself.
fn dependents(segments: &[Segment], repaired: usize) -> usize {
    let options = segments[..repaired]
        .iter()
        .position(|s| matches!(s, Segment::Key(k) if k == "options"));
    let known_option = match segments.get(options.map_or(usize::MAX, |i| i + 1)) {
        Some(Segment::Key(k)) => super::load::option_key_names().any(|known| known == k),
        _ => false,
    };
    match options {
        Some(i) if known_option => i + 1,
        _ => repaired,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// `tables[0].fields[1].type` → segments; `None` for a key that itself holds `.` or `[`.
fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    if path.is_empty() {
        return Some(segments);
    }
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_owned()));
        }
        while let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            segments.push(Segment::Index(after[..end].parse().ok()?));
            rest = &after[end + 1..];
        }
        if !rest.is_empty() || (key.is_empty() && part.is_empty()) {
            return None;
        }
    }
    Some(segments)
}

fn render(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(k) if out.is_empty() => out.push_str(k),
            Segment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Whether `path` is `prefix` or lies under it.
fn within(path: &str, prefix: &str) -> bool {
    path == prefix
        || (path.starts_with(prefix)
            && matches!(path.as_bytes().get(prefix.len()), Some(b'.' | b'[')))
        || prefix.is_empty()
}

fn get_mut<'a>(value: &'a mut Value, segments: &[Segment]) -> Option<&'a mut Value> {
    segments.iter().try_fold(value, |v, s| match s {
        Segment::Key(k) => v.as_object_mut()?.get_mut(k),
        Segment::Index(i) => v.as_array_mut()?.get_mut(*i),
    })
}

/// Repairs the value at `segments`; returns how many segments long the repaired path is
/// (everything under it is suppressed), or `None` when the path leads nowhere.
fn repair(root: &mut Value, segments: &[Segment]) -> Option<usize> {
    // The innermost list element on the path: the unit that is replaced when broken.
    let element = segments
        .iter()
        .rposition(|s| matches!(s, Segment::Index(_)))
        .map(|i| i + 1);
    let (last, parent) = segments.split_last()?;
    let broken_element = match last {
        Segment::Key(k) => IDENTITY_KEYS.contains(&k.as_str()),
        // a list item, or an element missing one of its required keys
        Segment::Index(_) => true,
    };
    let Some(end) = element.filter(|_| broken_element) else {
        // A bad optional value (or a bad top-level key): remove it.
        let Segment::Key(key) = last else {
            return None;
        };
        get_mut(root, parent)?.as_object_mut()?.remove(key);
        return Some(segments.len());
    };
    let list_key = match segments.get(end.checked_sub(2)?) {
        Some(Segment::Key(k)) => k.clone(),
        _ => return None,
    };
    let slot = get_mut(root, &segments[..end])?;
    match placeholder(&list_key, slot, end) {
        Some(replacement) => *slot = replacement,
        // A list of plain values (choices, roles, events): drop the whole list.
        None => {
            get_mut(root, &segments[..end - 2])?
                .as_object_mut()?
                .remove(&list_key);
            return Some(end - 1);
        }
    }
    Some(end)
}

/// A stand-in for a broken element of `list` that keeps its name (so duplicates among the
/// others are still found) and asks for nothing else.
fn placeholder(list: &str, broken: &Value, position: usize) -> Option<Value> {
    let empty = Map::new();
    let old = broken.as_object().unwrap_or(&empty);
    let name = old
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| format!("(broken {position})"), str::to_owned);
    let mut new = match list {
        "tables" => json!({"name": name}),
        "fields" => json!({"name": name, "type": "json"}),
        "rls_policies" => json!({"name": name, "operation": "ALL", "using_expression": "true"}),
        _ => return None,
    };
    for key in ["db_name", "is_primary"] {
        if let Some(v) = old.get(key).filter(|v| v.is_string() || v.is_boolean()) {
            new[key] = v.clone();
        }
    }
    Some(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_render() {
        let s = parse_path("tables[0].fields[12].options.choices[2]").unwrap();
        assert_eq!(render(&s), "tables[0].fields[12].options.choices[2]");
        assert_eq!(parse_path("[3].name").map(|s| s.len()), Some(2));
        assert!(parse_path("a.b[x]").is_none());
        assert!(within("tables[0].fields[1].name", "tables[0].fields[1]"));
        assert!(!within("tables[0].fields[10]", "tables[0].fields[1]"));
    }
}
