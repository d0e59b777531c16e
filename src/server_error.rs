//! What a server said about a failed statement, as plain data: the core, the CLI and the TUI
//! can all carry and show it without knowing the driver. `db::server_error` fills it in.

use std::fmt;

/// Every field the server sent about an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServerError {
    /// `ERROR`, `FATAL`, …
    pub severity: String,
    pub message: String,
    /// The SQLSTATE, e.g. `42501`.
    pub code: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// `character 12`, or a position in an internal query.
    pub position: Option<String>,
    /// The context (`PL/pgSQL function … line 3`).
    pub context: Option<String>,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (SQLSTATE {})",
            self.severity, self.message, self.code
        )?;
        for (label, value) in [
            ("detail", &self.detail),
            ("hint", &self.hint),
            ("position", &self.position),
            ("where", &self.context),
        ] {
            if let Some(value) = value {
                write!(f, "\n  {label}: {value}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_shown_on_its_own_line() {
        let e = ServerError {
            severity: "ERROR".into(),
            message: "permission denied for table todos".into(),
            code: "42501".into(),
            hint: Some("ask the owner".into()),
            position: Some("character 15".into()),
            ..ServerError::default()
        };
        assert_eq!(
            e.to_string(),
            "ERROR: permission denied for table todos (SQLSTATE 42501)\n  \
             hint: ask the owner\n  position: character 15"
        );
    }
}
