//! `lint --format sarif`: the findings as a SARIF 2.1.0 log, which GitHub code scanning (and
//! other review tools) show beside the code. A finding about a design points at the design
//! file, at the line of its JSON path, and names the path as a logical location; a finding
//! about the live database has only a logical location: the object.

use serde_json::{Value, json};

use crate::findings::{Finding, Severity};

use super::locate::DesignLocator;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

/// The whole log: one run, its rules (those the findings use, in order of first use), its
/// results.
pub fn log(findings: &[Finding], design: Option<&DesignLocator>) -> Value {
    let mut rules: Vec<&Finding> = Vec::new();
    for f in findings {
        if !rules.iter().any(|r| r.rule == f.rule) {
            rules.push(f);
        }
    }
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|f| {
            json!({
                "id": f.rule,
                "name": f.rule,
                "shortDescription": {"text": rule_description(&f.rule)},
                "defaultConfiguration": {"level": level(default_severity(f))},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let rule_index = rules.iter().position(|r| r.rule == f.rule).unwrap_or(0);
            // The object is the logical location; the message stands alone.
            let mut text = f.message.clone();
            if !f.remedy.is_empty() {
                text.push_str(&format!("\nfix: {}", f.remedy));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [location(f, design)],
                "properties": {
                    "object": f.object,
                    "remedy": f.remedy,
                    "source": f.source,
                    "phase": f.phase,
                },
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "schemaforge",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_objects,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// The design file and line (with the JSON path as a logical location) when the finding
/// belongs to the design; else the database object, logically.
fn location(f: &Finding, design: Option<&DesignLocator>) -> Value {
    let object = if f.object.is_empty() {
        "database"
    } else {
        f.object.as_str()
    };
    let logical = json!({"fullyQualifiedName": object, "kind": "object"});
    let Some(design) = design else {
        return json!({"logicalLocations": [logical]});
    };
    let path = design.json_path(f);
    let mut physical = json!({"artifactLocation": {"uri": uri(&design.file)}});
    if let Some(line) = path.as_deref().and_then(|p| design.line(p)) {
        physical["region"] = json!({"startLine": line});
    }
    let mut logical_locations = vec![logical];
    if let Some(path) = path {
        logical_locations.insert(0, json!({"fullyQualifiedName": path, "kind": "element"}));
    }
    json!({"physicalLocation": physical, "logicalLocations": logical_locations})
}

/// A relative URI reference for a path as given: `/` separators, unsafe bytes escaped.
pub fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A lint rule's own level; validation and plan findings keep their own.
fn default_severity(f: &Finding) -> Severity {
    crate::rls::lint::RULES
        .iter()
        .find(|(rule, _)| *rule == f.rule)
        .map_or(f.severity, |(_, level)| match level {
            crate::rls::lint::Level::Error => Severity::Error,
            crate::rls::lint::Level::Warn => Severity::Warn,
            crate::rls::lint::Level::Info => Severity::Info,
        })
}

fn rule_description(rule: &str) -> String {
    match rule {
        crate::findings::DESIGN_RULE => "The design file is not valid".into(),
        crate::findings::PLAN_ERROR_RULE => {
            "The design cannot be planned against this database".into()
        }
        crate::findings::PLAN_NOTE_RULE => "What the plan will do that deserves a look".into(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_with_unsafe_bytes_escaped() {
        assert_eq!(
            uri(std::path::Path::new("db/my design#1.json")),
            "db/my%20design%231.json"
        );
    }
}
