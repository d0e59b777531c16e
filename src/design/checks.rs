//! CHECK constraints as data. The planner renders them to SQL (every literal through
//! `sql::literal`); validation and the sample generator evaluate them with
//! [`Check::accepts`], so a default or a sample row that the server would reject is caught
//! before anything is sent.

/// Regular expression of the email CHECK (POSIX, for `~*`): something@something.tld, no spaces.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";
/// Regular expression of the phone CHECK: digits, spaces and `+()-`, at least one digit.
pub const PHONE_PATTERN: &str = r"^[0-9 +()-]*[0-9][0-9 +()-]*$";
/// Regular expression of the url CHECK (case-insensitive): an http or https scheme.
pub const URL_PATTERN: &str = r"^https?://[^\s]+$";

/// A CHECK constraint as data; the planner names it `<table>_<column>_check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// `char_length(col) <= n`.
    MaxLength(u32),
    /// `col IN (choices…)`.
    InChoices(Vec<String>),
    /// `col <@ ARRAY[choices…]::text[]`.
    SubsetOf(Vec<String>),
    /// `jsonb_typeof(col) = 'array'`.
    JsonArray,
    /// `col ~* EMAIL_PATTERN`.
    EmailPattern,
    /// `col ~ PHONE_PATTERN`.
    PhonePattern,
    /// `col ~* URL_PATTERN`.
    HttpUrl,
    /// `col BETWEEN min AND max`.
    Between(i64, i64),
}

impl Check {
    /// Whether a JSON value satisfies the check, mirroring the SQL the planner renders; used
    /// to validate defaults and explicit sample rows before anything reaches the server.
    /// `null` always passes (a CHECK is not violated by NULL).
    pub fn accepts(&self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        if value.is_null() {
            return true;
        }
        match self {
            Check::MaxLength(n) => value
                .as_str()
                .is_some_and(|s| s.chars().count() <= *n as usize),
            Check::InChoices(choices) => value
                .as_str()
                .is_some_and(|s| choices.iter().any(|c| c == s)),
            Check::SubsetOf(choices) => value.as_array().is_some_and(|items| {
                items
                    .iter()
                    .all(|i| i.as_str().is_some_and(|s| choices.iter().any(|c| c == s)))
            }),
            Check::JsonArray => matches!(value, Value::Array(_)),
            Check::EmailPattern => value.as_str().is_some_and(looks_like_email),
            Check::PhonePattern => value.as_str().is_some_and(|s| {
                s.chars().any(|c| c.is_ascii_digit())
                    && s.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c))
            }),
            Check::HttpUrl => value.as_str().is_some_and(|s| {
                let lower = s.to_ascii_lowercase();
                let rest = lower
                    .strip_prefix("https://")
                    .or_else(|| lower.strip_prefix("http://"));
                rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
            }),
            Check::Between(min, max) => value.as_i64().is_some_and(|n| (*min..=*max).contains(&n)),
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain
            .rsplit_once('.')
            .is_some_and(|(host, tld)| !host.is_empty() && !tld.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_accept_what_the_sql_accepts() {
        assert!(Check::EmailPattern.accepts(&json!("a@b.io")));
        assert!(!Check::EmailPattern.accepts(&json!("a@b")));
        assert!(!Check::EmailPattern.accepts(&json!("a b@c.io")));
        assert!(Check::PhonePattern.accepts(&json!("+1 (555) 010-9999")));
        assert!(!Check::PhonePattern.accepts(&json!("call me")));
        assert!(Check::HttpUrl.accepts(&json!("HTTPS://example.com/x")));
        assert!(!Check::HttpUrl.accepts(&json!("ftp://example.com")));
        assert!(Check::Between(0, 5).accepts(&json!(5)));
        assert!(!Check::Between(0, 5).accepts(&json!(6)));
        assert!(Check::MaxLength(3).accepts(&json!("äöü")));
        assert!(!Check::MaxLength(3).accepts(&json!("abcd")));
        let abc = vec!["a".to_string(), "b".to_string()];
        assert!(Check::InChoices(abc.clone()).accepts(&json!("a")));
        assert!(!Check::InChoices(abc.clone()).accepts(&json!("c")));
        assert!(Check::SubsetOf(abc.clone()).accepts(&json!(["a", "b"])));
        assert!(!Check::SubsetOf(abc).accepts(&json!(["a", "c"])));
        assert!(Check::JsonArray.accepts(&json!([])));
        assert!(!Check::JsonArray.accepts(&json!({})));
        assert!(Check::JsonArray.accepts(&json!(null)));
    }
}
