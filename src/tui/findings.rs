//! Findings the screen shows: the `●` on a phase in the stepper, the count in the status
//! line, the list beside the preview.
//!
//! This is the hook for `rls::lint` (written in parallel): its findings convert into
//! [`Finding`] with a phase; until then design validation fills the list, so a broken
//! design already marks the phase where it is broken.

use crate::design::{Diagnostic, Level};

use super::phase::Phase;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// The phase whose pane fixes it.
    pub phase: Phase,
    /// What it is about: a JSON path, a table, a policy.
    pub object: String,
    pub message: String,
}

impl Finding {
    /// A design diagnostic, placed in the phase its JSON path belongs to.
    pub fn from_diagnostic(d: &Diagnostic) -> Finding {
        let mut message = d.message.clone();
        if let Some(s) = &d.suggestion {
            message.push_str(&format!(" ({s})"));
        }
        Finding {
            severity: match d.level {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warning,
            },
            phase: phase_of_path(&d.path),
            object: d.path.clone(),
            message,
        }
    }
}

/// `tables[0].fields[1].type` → Fields, `relationships[2]` → Relations, …
pub fn phase_of_path(path: &str) -> Phase {
    if path.starts_with("relationships") {
        Phase::Relations
    } else if path.starts_with("samples") {
        Phase::Samples
    } else if path.contains("rls_") || path.contains("public_reference") {
        Phase::Rls
    } else if path.contains(".fields") {
        Phase::Fields
    } else if path.starts_with("tables") || path.starts_with("schema") {
        Phase::Tables
    } else {
        Phase::Preview
    }
}

/// `(errors, warnings)`.
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

pub fn phase_has_errors(findings: &[Finding], phase: Phase) -> bool {
    findings
        .iter()
        .any(|f| f.phase == phase && f.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_the_phase_that_fixes_them() {
        assert_eq!(phase_of_path("tables[0].fields[2].type"), Phase::Fields);
        assert_eq!(
            phase_of_path("tables[0].rls_policies[0].operation"),
            Phase::Rls
        );
        assert_eq!(phase_of_path("tables[1].name"), Phase::Tables);
        assert_eq!(phase_of_path("relationships[0].target"), Phase::Relations);
        assert_eq!(phase_of_path("samples.todos"), Phase::Samples);
        let f = Finding::from_diagnostic(
            &Diagnostic::error("tables[0].fields[0].type", "unknown type")
                .suggest("did you mean \"date\"?"),
        );
        assert_eq!(f.severity, Severity::Error);
        assert!(phase_has_errors(std::slice::from_ref(&f), Phase::Fields));
        assert!(!phase_has_errors(std::slice::from_ref(&f), Phase::Rls));
        assert_eq!(counts(&[f]), (1, 0));
    }
}
