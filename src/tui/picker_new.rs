//! The picker's "new connection" form: a name and where it leads, checked as typed the way
//! `schemaforge connections add` and `--db` read them.

use crate::db::target::PasswordSource;
use crate::db::{ConnectTarget, Env};
use crate::tui::components::form::{Form, TextInput};

/// What the form was confirmed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConnection {
    pub name: String,
    /// A URL or libpq `key=value` string; a password in it is left out when saved.
    pub url: String,
}

/// The form, refusing the names in `taken` as it is typed.
pub fn form(taken: Vec<String>) -> Form {
    Form::new("New connection")
        .field(
            "name",
            "name",
            TextInput::new("")
                .placeholder("used with --connection, e.g. staging")
                .validator(move |text| check_name(text.trim(), &taken)),
        )
        .field(
            "url",
            "connect to",
            TextInput::new("")
                .placeholder("postgres://user@host:5432/database?sslmode=require")
                .validator(|text| check_url(text.trim())),
        )
}

pub fn read(form: &Form) -> NewConnection {
    let text = |id: &str| form.value_text(id).unwrap_or_default().trim().to_owned();
    NewConnection {
        name: text("name"),
        url: text("url"),
    }
}

/// A name that can be typed after `--connection` unquoted, and is not saved yet.
fn check_name(name: &str, taken: &[String]) -> Result<(), String> {
    if name.is_empty() {
        return Err("type a name".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "{c:?} is not allowed: letters, digits, '-', '_' and '.'"
        ));
    }
    if taken.iter().any(|t| t == name) {
        return Err(format!("a connection called {name:?} is saved already"));
    }
    Ok(())
}

/// Where `--db` with this text would connect; the environment plays no part in what is saved.
fn check_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("type a URL, e.g. postgres://user@host/db".into());
    }
    let target = ConnectTarget::resolve(Some(url), &Env::default()).map_err(|e| e.to_string())?;
    if target.password_source == PasswordSource::ConnectionString {
        // Short enough to show whole under the input: ~/.pgpass and PGPASSWORD work too.
        return Err("leave the password out: it is asked for on connecting".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_and_new() {
        let taken = vec!["prod".to_owned()];
        assert!(check_name("staging-2", &taken).is_ok());
        assert!(check_name("", &taken).unwrap_err().contains("type a name"));
        assert!(check_name("my db", &taken).unwrap_err().contains("' '"));
        assert!(
            check_name("prod", &taken)
                .unwrap_err()
                .contains("saved already")
        );
    }

    #[test]
    fn urls_are_read_as_db_reads_them() {
        assert!(check_url("postgres://app@db.example.org:6543/main?sslmode=require").is_ok());
        assert!(check_url("host=db.example.org dbname=main").is_ok());
        assert!(check_url("").is_err());
        assert!(
            check_url("postgres://app:secret@db/main")
                .unwrap_err()
                .contains("leave the password out")
        );
        assert!(check_url("postgres://app@db/main?sslmode=sometimes").is_err());
    }
}
