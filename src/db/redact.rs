//! Hides passwords in anything that might be shown: URLs, key=value strings, error text.

const MASK: &str = "********";

/// Replaces every password in a connection string or in text that quotes one.
///
/// Handles `scheme://user:secret@host`, `password=secret` (key=value form and URL query
/// parameters), and quoted `password='se cret'`.
pub fn redact(text: &str) -> String {
    redact_key_values(&redact_userinfo(text))
}

/// `postgres://user:secret@host` → `postgres://user:********@host`, for every URL in `text`.
///
/// The credentials run to the last `@` of the URL, so a password holding `/`, `?`, `#`, `:`
/// or an unencoded `@` is still masked whole.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (before, after) = rest.split_at(pos + 3);
        out.push_str(before);
        let end_of_url = after.find(char::is_whitespace).unwrap_or(after.len());
        let url = &after[..end_of_url];
        // The last `@`: an unencoded `@` in a password must not leave its tail visible.
        match url.rfind('@') {
            Some(at) => {
                let userinfo = &url[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon + 1]);
                        out.push_str(MASK);
                    }
                    None => out.push_str(userinfo),
                }
                rest = &after[at..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// `password=secret` / `password='a b'` (also inside a URL query) → `password=********`.
fn redact_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("password") {
        let key_start = search_from + found;
        let mut i = key_start + "password".len();
        let bytes = text.as_bytes();
        let boundary_ok = key_start == 0 || !bytes[key_start - 1].is_ascii_alphanumeric();
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if !boundary_ok || i >= bytes.len() || bytes[i] != b'=' {
            search_from = key_start + 1;
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let value_end = value_end(bytes, i);
        out.push_str(&text[copied..i]);
        out.push_str(MASK);
        copied = value_end;
        search_from = value_end.max(key_start + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// End of a value starting at `start`: a quoted value runs to its closing quote, a bare one
/// to whitespace or `&`.
fn value_end(bytes: &[u8], start: usize) -> usize {
    if start < bytes.len() && bytes[start] == b'\'' {
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'\'' => return i + 1,
                _ => i += 1,
            }
        }
        return bytes.len();
    }
    let mut i = start;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'&' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            redact("postgres://app:s3cr%40t@db.example.com:5432/app"),
            "postgres://app:********@db.example.com:5432/app"
        );
        assert_eq!(
            redact("postgresql://app@host/db"),
            "postgresql://app@host/db"
        );
        assert_eq!(
            redact("tried postgres://u:p@h/d and postgresql://v:q@i/e"),
            "tried postgres://u:********@h/d and postgresql://v:********@i/e"
        );
    }

    #[test]
    fn key_value_and_query_passwords_are_masked() {
        assert_eq!(
            redact("host=h password=hunter2 user=u"),
            "host=h password=******** user=u"
        );
        assert_eq!(
            redact("host=h password = 'a b\\'c' user=u"),
            "host=h password = ******** user=u"
        );
        assert_eq!(
            redact("postgres://h/db?sslmode=require&password=x&user=u"),
            "postgres://h/db?sslmode=require&password=********&user=u"
        );
        assert_eq!(redact("no secrets here"), "no secrets here");
        assert_eq!(redact("passwordless=1"), "passwordless=1");
    }
}
