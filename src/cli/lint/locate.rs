//! Where in the design file a finding belongs: its JSON path and the line that path starts
//! on, so code review (SARIF, workflow annotations) can show it beside the design's text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::design::ResolvedDesign;
use crate::findings::Finding;

/// The design file of a `lint DESIGN.json` run.
pub struct DesignLocator {
    pub file: PathBuf,
    /// The line (1-based) each JSON path's value starts on: `tables[0].rls_policies[1]` → 12.
    lines: HashMap<String, usize>,
    /// `schema.table` of each design table, in the file's order, with its policies' names.
    tables: Vec<(String, Vec<String>)>,
}

impl DesignLocator {
    pub fn new(file: &Path, text: &str, resolved: Option<&ResolvedDesign>) -> DesignLocator {
        let tables = resolved
            .map(|r| {
                r.tables
                    .iter()
                    .map(|t| {
                        (
                            format!("{}.{}", r.schema, t.db_name),
                            t.policies.iter().map(|p| p.name.clone()).collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        DesignLocator {
            file: file.to_owned(),
            lines: value_lines(text),
            tables,
        }
    }

    /// The JSON path a finding points at: its own, or the design table (or policy) its
    /// object names — lint findings speak of `schema.table[.policy]`.
    pub fn json_path(&self, finding: &Finding) -> Option<String> {
        if let Some(path) = &finding.path {
            return Some(path.clone());
        }
        let object = finding.object.as_str();
        self.tables
            .iter()
            .enumerate()
            .find_map(|(i, (table, policies))| {
                let rest = object.strip_prefix(table.as_str())?;
                if rest.is_empty() {
                    return Some(format!("tables[{i}]"));
                }
                let thing = rest.strip_prefix('.')?;
                Some(match policies.iter().position(|p| p == thing) {
                    Some(k) => format!("tables[{i}].rls_policies[{k}]"),
                    None => format!("tables[{i}]"),
                })
            })
    }

    /// The line the path's value starts on, or its nearest enclosing value's.
    pub fn line(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return Some(*line);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

/// Every value's JSON path (`a.b[2].c`, the form design diagnostics use) and the line it
/// starts on. Best effort: text that is not JSON yields the paths read before it.
pub fn value_lines(text: &str) -> HashMap<String, usize> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        out: HashMap::new(),
    };
    let _ = scan.value(String::new());
    scan.out
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    out: HashMap<String, usize>,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self, path: String) -> Option<()> {
        self.space();
        self.out.entry(path.clone()).or_insert(self.line);
        match self.peek()? {
            b'{' => {
                self.at += 1;
                self.space();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(b':')?;
                    let child = if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    };
                    self.value(child)?;
                    self.space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.at += 1;
                self.space();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                let mut index = 0;
                loop {
                    self.value(format!("{path}[{index}]"))?;
                    index += 1;
                    self.space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// A string's text: escapes decoded enough to compare keys.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.at += 1;
                    match escaped {
                        b'u' => {
                            let hex =
                                std::str::from_utf8(self.bytes.get(self.at..self.at + 4)?).ok()?;
                            self.at += 4;
                            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)
                                .unwrap_or('\u{fffd}');
                            out.extend(c.to_string().bytes());
                        }
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        other => out.push(other),
                    }
                }
                b'\n' => {
                    self.line += 1;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_the_line_their_value_starts_on() {
        let text = "{\n  \"tables\": [\n    {\"name\": \"A\",\n     \"rls_policies\": [\n       {\"name\": \"p\"}\n     ]},\n    {\"name\": \"B \\\"x\\\"\"}\n  ],\n  \"samples\": {\"a\": 3}\n}\n";
        let lines = value_lines(text);
        assert_eq!(lines["tables"], 2);
        assert_eq!(lines["tables[0]"], 3);
        assert_eq!(lines["tables[0].rls_policies[0]"], 5);
        assert_eq!(lines["tables[0].rls_policies[0].name"], 5);
        assert_eq!(lines["tables[1].name"], 7);
        assert_eq!(lines["samples.a"], 9);
    }

    #[test]
    fn lint_objects_map_to_their_design_table_and_policy() {
        let text = r#"{"tables": [
            {"name": "Notes", "fields": [{"name": "Body", "type": "multiLineText"}]},
            {"name": "Todos", "fields": [{"name": "Title", "type": "singleLineText"}],
             "rls_policies": [{"name": "Mine, only", "operation": "ALL", "using_expression": "created_by = auth.uid()"}]}
        ]}"#;
        let (design, _) = crate::design::load(text).unwrap();
        let resolved = crate::design::resolve(&design).unwrap();
        let locator = DesignLocator::new(Path::new("d.json"), text, Some(&resolved));
        let finding = |object: &str| Finding {
            object: object.into(),
            ..Finding::from_plan_note("x")
        };
        assert_eq!(
            locator
                .json_path(&finding("public.todos.Mine, only"))
                .as_deref(),
            Some("tables[1].rls_policies[0]")
        );
        assert_eq!(locator.line("tables[1].rls_policies[0]"), Some(4));
        assert_eq!(
            locator.json_path(&finding("public.notes")).as_deref(),
            Some("tables[0]")
        );
        assert_eq!(
            locator.json_path(&finding("public.notes_idx")),
            None,
            "a prefix of a name is not the table"
        );
        assert_eq!(locator.json_path(&finding("auth.users")), None);
    }

    #[test]
    fn an_unknown_path_falls_back_to_the_value_around_it() {
        let text = "{\"tables\": [\n{\"name\": \"A\"}]}";
        let locator = DesignLocator::new(Path::new("d.json"), text, None);
        assert_eq!(locator.line("tables[0].fields[3].type"), Some(2));
        assert_eq!(locator.line("nothing"), None);
    }
}
