//! One finding type for everything the user should know about a design: validation
//! diagnostics, lint findings and plan notes. The CLI prints these (`lint --json`) and the TUI
//! shows the same list (stepper markers, status line, the Preview's findings), so the two
//! never disagree.

use serde::Serialize;

use crate::design::{Diagnostic, Level};
use crate::plan::PlanError;
use crate::rls::lint;

/// What produced a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Validation,
    Lint,
    Plan,
}

/// How bad a finding is; an error makes `schemaforge lint` exit 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warn,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warn",
            Severity::Info => "info",
        }
    }
}

/// Where a finding is fixed: the live schema, one of the five design phases, or the preview.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Schema,
    Tables,
    Fields,
    Relations,
    Rls,
    Samples,
    Preview,
}

/// One finding. Serialises as `lint --json`'s documented keys (`rule`, `level`, `object`,
/// `message`, `remedy`) plus `source`, `phase` and, when known, `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    #[serde(rename = "level")]
    pub severity: Severity,
    /// `schema.table[.thing]`, or the JSON path for a design diagnostic.
    pub object: String,
    pub message: String,
    pub remedy: String,
    pub source: Source,
    pub phase: Phase,
    /// The JSON path in the design file, when the finding points into it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The rule name of design validation diagnostics.
pub const DESIGN_RULE: &str = "design";
/// The rule name of planner errors (a design that cannot be planned against this database).
pub const PLAN_ERROR_RULE: &str = "plan_error";
/// The rule name of plan notes (differences left alone on purpose, and why).
pub const PLAN_NOTE_RULE: &str = "plan_note";

impl Finding {
    /// A design diagnostic, placed in the phase its JSON path belongs to.
    pub fn from_diagnostic(d: &Diagnostic) -> Finding {
        Finding {
            rule: DESIGN_RULE.into(),
            severity: match d.level {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warn,
            },
            object: d.path.clone(),
            message: d.message.clone(),
            remedy: d.suggestion.clone().unwrap_or_default(),
            source: Source::Validation,
            phase: phase_of_path(&d.path),
            path: (!d.path.is_empty()).then(|| d.path.clone()),
        }
    }

    /// A planner error: the design is valid but cannot be planned against this database.
    pub fn from_plan_error(e: &PlanError) -> Finding {
        let is_path = e.path.starts_with("tables")
            || e.path.starts_with("relationships")
            || e.path.starts_with("buckets")
            || e.path.starts_with("materialized_views");
        Finding {
            rule: PLAN_ERROR_RULE.into(),
            severity: Severity::Error,
            object: e.path.clone(),
            message: e.message.clone(),
            remedy: String::new(),
            source: Source::Plan,
            phase: phase_of_path(&e.path),
            path: is_path.then(|| e.path.clone()),
        }
    }

    /// A plan note (`object: what and why`).
    pub fn from_plan_note(note: &str) -> Finding {
        let (object, message) = note.split_once(": ").unwrap_or(("", note));
        Finding {
            rule: PLAN_NOTE_RULE.into(),
            severity: Severity::Info,
            object: object.to_owned(),
            message: message.to_owned(),
            remedy: String::new(),
            source: Source::Plan,
            phase: Phase::Preview,
            path: None,
        }
    }

    /// A lint finding, placed in the phase whose pane fixes it.
    pub fn from_lint(f: &lint::Finding) -> Finding {
        Finding {
            rule: f.rule.to_owned(),
            severity: match f.level {
                lint::Level::Error => Severity::Error,
                lint::Level::Warn => Severity::Warn,
                lint::Level::Info => Severity::Info,
            },
            object: f.object.clone(),
            message: f.message.clone(),
            remedy: f.remedy.clone(),
            source: Source::Lint,
            phase: phase_of_rule(f.rule),
            path: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message with its remedy, as one line for a list.
    pub fn text(&self) -> String {
        if self.remedy.is_empty() {
            self.message.clone()
        } else {
            format!("{} ({})", self.message, self.remedy)
        }
    }
}

/// `tables[0].fields[1].type` → Fields, `relationships[2]` → Relations, …
pub fn phase_of_path(path: &str) -> Phase {
    if path.starts_with("relationships") {
        Phase::Relations
    } else if path.starts_with("samples") {
        Phase::Samples
    } else if path.contains("rls_")
        || path.contains("public_reference")
        || path.starts_with("buckets")
    {
        Phase::Rls
    } else if path.contains(".fields") {
        Phase::Fields
    } else if path.starts_with("tables")
        || path.starts_with("schema")
        || path.starts_with("materialized_views")
    {
        Phase::Tables
    } else {
        Phase::Preview
    }
}

/// The phase whose pane fixes what a lint rule finds.
pub fn phase_of_rule(rule: &str) -> Phase {
    match rule {
        "unindexed_foreign_keys" => Phase::Relations,
        "no_primary_key" | "duplicate_index" => Phase::Tables,
        "function_search_path_mutable" => Phase::Schema,
        // Every other rule is about row-level security: RLS switches, policies, definer views.
        _ => Phase::Rls,
    }
}

/// `(errors, warnings, infos)`.
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    (
        count(Severity::Error),
        count(Severity::Warn),
        count(Severity::Info),
    )
}

pub fn phase_has_errors(findings: &[Finding], phase: Phase) -> bool {
    findings.iter().any(|f| f.phase == phase && f.is_error())
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_land_in_the_phase_that_fixes_them() {
        assert_eq!(phase_of_path("tables[0].fields[2].type"), Phase::Fields);
        assert_eq!(
            phase_of_path("tables[0].rls_policies[0].operation"),
            Phase::Rls
        );
        assert_eq!(phase_of_path("tables[1].name"), Phase::Tables);
        assert_eq!(phase_of_path("relationships[0].target"), Phase::Relations);
        assert_eq!(phase_of_path("samples.todos"), Phase::Samples);
        assert_eq!(phase_of_rule("rls_disabled_in_public"), Phase::Rls);
        assert_eq!(phase_of_rule("unindexed_foreign_keys"), Phase::Relations);
        let f = Finding::from_diagnostic(
            &Diagnostic::error("tables[0].fields[0].type", "unknown type")
                .suggest("did you mean \"date\"?"),
        );
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.path.as_deref(), Some("tables[0].fields[0].type"));
        assert!(phase_has_errors(std::slice::from_ref(&f), Phase::Fields));
        assert!(!phase_has_errors(std::slice::from_ref(&f), Phase::Rls));
        let note = Finding::from_plan_note("app.todos.title: required in the design; left");
        assert_eq!(note.object, "app.todos.title");
        assert_eq!(counts(&[f, note]), (1, 0, 1));
    }

    #[test]
    fn serialises_with_the_documented_lint_keys() {
        let f = Finding::from_plan_note("app.todos: something");
        let json = serde_json::to_value(&f).unwrap();
        for key in [
            "rule", "level", "object", "message", "remedy", "source", "phase",
        ] {
            assert!(json.get(key).is_some(), "{key} in {json}");
        }
        assert_eq!(json["level"], "info");
        assert_eq!(json["source"], "plan");
    }
}
