//! `lint --format github`: one GitHub Actions workflow command per finding
//! (`::error file=…,line=…,title=…::message`), which the runner turns into annotations on the
//! pull request. Errors are `error`, warnings `warning`, infos `notice`.

use crate::findings::{Finding, Severity};

use super::locate::DesignLocator;

/// Every finding as a workflow command line.
pub fn annotations(findings: &[Finding], design: Option<&DesignLocator>) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&annotation(f, design));
        out.push('\n');
    }
    out
}

fn annotation(f: &Finding, design: Option<&DesignLocator>) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warn => "warning",
        Severity::Info => "notice",
    };
    let mut properties = Vec::new();
    if let Some(design) = design {
        properties.push(format!(
            "file={}",
            escape_property(&design.file.to_string_lossy())
        ));
        if let Some(line) = design.json_path(f).and_then(|p| design.line(&p)) {
            properties.push(format!("line={line}"));
        }
    }
    let title = if f.object.is_empty() {
        f.rule.clone()
    } else {
        format!("{} {}", f.rule, f.object)
    };
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = f.message.clone();
    if !f.remedy.is_empty() {
        message.push_str(&format!("\nfix: {}", f.remedy));
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// A command's message: `%`, CR and LF escaped, as the runner's toolkit does.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which would end it.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Phase, Source};

    fn finding(severity: Severity) -> Finding {
        Finding {
            rule: "rls_disabled_in_public".into(),
            severity,
            object: "public.a,b: c".into(),
            message: "100% open\r\nto all".into(),
            remedy: "enable RLS".into(),
            source: Source::Lint,
            phase: Phase::Rls,
            path: None,
        }
    }

    #[test]
    fn messages_and_properties_are_escaped() {
        let line = annotation(&finding(Severity::Error), None);
        assert_eq!(
            line,
            "::error title=rls_disabled_in_public public.a%2Cb%3A c::100%25 open%0D%0Ato all%0Afix: enable RLS"
        );
        assert!(annotation(&finding(Severity::Warn), None).starts_with("::warning "));
        assert!(annotation(&finding(Severity::Info), None).starts_with("::notice "));
    }

    #[test]
    fn design_findings_name_the_file_and_line() {
        let text = "{\"tables\": [\n{\"name\": \"A\"}]}";
        let design = DesignLocator::new(std::path::Path::new("db/a,b.json"), text, None);
        let mut f = finding(Severity::Warn);
        f.path = Some("tables[0].name".into());
        let line = annotation(&f, Some(&design));
        assert!(
            line.starts_with("::warning file=db/a%2Cb.json,line=2,title="),
            "{line}"
        );
    }
}
