//! How the screen shows a [`Finding`] (the shared type of `crate::findings`): its mark and
//! colour, and its one-line text. The list itself is `app.model.analysis.findings`.

use crate::findings::{Finding, Severity, Source};

use super::theme::Role;

/// `✗` for errors, `⚠` for warnings, `·` for notes.
pub fn mark(severity: Severity) -> (&'static str, Role) {
    match severity {
        Severity::Error => ("✗", Role::Danger),
        Severity::Warn => ("⚠", Role::Warning),
        Severity::Info => ("·", Role::Info),
    }
}

/// `object: message`, with a design diagnostic's suggestion (a lint remedy is SQL, too long
/// for the list; `lint` prints it).
pub fn line(f: &Finding) -> String {
    let message = if f.source == Source::Validation && !f.remedy.is_empty() {
        format!("{} ({})", f.message, f.remedy)
    } else {
        f.message.clone()
    };
    if f.object.is_empty() {
        message
    } else {
        format!("{}: {message}", f.object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Diagnostic;

    #[test]
    fn a_diagnostic_keeps_its_suggestion_on_screen() {
        let f = Finding::from_diagnostic(
            &Diagnostic::error("tables[0].fields[0].type", "unknown type")
                .suggest("did you mean \"date\"?"),
        );
        assert_eq!(
            line(&f),
            "tables[0].fields[0].type: unknown type (did you mean \"date\"?)"
        );
        assert_eq!(mark(f.severity).0, "✗");
    }
}
