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

/// [`line`] with a design path's tables and fields named as the user named them
/// (`Todos.Title` for `tables[0].fields[1]`): a finding on screen says which table it means.
/// `lint` keeps the JSON path, which tools locate in the file.
pub fn named_line(f: &Finding, design: Option<&crate::design::Design>) -> String {
    let text = line(f);
    match (design, named_object(&f.object, design)) {
        (Some(_), Some(named)) => format!("{named}{}", &text[f.object.len()..]),
        _ => text,
    }
}

/// `tables[i]` or `tables[i].fields[j]` at the start of `object`, named; `None` when the
/// object is not such a path or the design has no such table.
fn named_object(object: &str, design: Option<&crate::design::Design>) -> Option<String> {
    let design = design?;
    let index = |text: &str, key: &str| -> Option<(usize, usize)> {
        let rest = text.strip_prefix(key)?.strip_prefix('[')?;
        let end = rest.find(']')?;
        Some((rest[..end].parse().ok()?, key.len() + end + 2))
    };
    let (t, used) = index(object, "tables")?;
    let table = design.tables.get(t)?;
    let mut named = table.name.clone();
    let mut rest = &object[used..];
    if let Some(after) = rest.strip_prefix('.')
        && let Some((fi, used)) = index(after, "fields")
        && let Some(field) = table.fields.get(fi)
    {
        named = format!("{named}.{}", field.name);
        rest = &after[used..];
    }
    Some(format!("{named}{rest}"))
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

    #[test]
    fn findings_name_the_tables_and_fields_they_are_about() {
        let design = crate::design::parse(
            r#"{"tables": [{"name": "Todos", "fields": [{"name": "Title", "type": "singleLineText"}]}]}"#,
        )
        .unwrap()
        .0;
        let on = |path: &str| Finding::from_diagnostic(&Diagnostic::warning(path, "look"));
        assert_eq!(named_line(&on("tables[0]"), Some(&design)), "Todos: look");
        assert_eq!(
            named_line(&on("tables[0].fields[0].options.max_length"), Some(&design)),
            "Todos.Title.options.max_length: look"
        );
        assert_eq!(
            named_line(&on("tables[5]"), Some(&design)),
            "tables[5]: look"
        );
        assert_eq!(
            named_line(&on("samples.todos"), Some(&design)),
            "samples.todos: look"
        );
        assert_eq!(named_line(&on("tables[0]"), None), "tables[0]: look");
    }
}
