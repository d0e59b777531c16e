//! `~/.pgpass` (or `PGPASSFILE`) lookup, with libpq's matching and escaping rules.

use std::path::Path;

/// One `hostname:port:database:username:password` line, split on unescaped colons.
fn fields(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => fields.last_mut()?.push(chars.next().unwrap_or('\\')),
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => fields.last_mut()?.push(ch),
        }
    }
    (fields.len() == 5).then_some(fields)
}

/// The password of the first line matching the connection, as libpq picks it.
///
/// `host` is `localhost` for Unix-socket connections, as libpq matches them.
pub fn find_password(
    contents: &str,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    let wanted = [host, port.as_str(), database, user];
    contents
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .filter_map(fields)
        .find(|f| {
            f.iter()
                .zip(wanted)
                .all(|(pattern, value)| pattern == "*" || pattern == value)
        })
        .map(|f| f[4].clone())
}

/// Why a passfile was not used, when it exists but libpq would refuse it too.
pub fn unusable_reason(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return Some(format!(
            "{} is not a plain file; it was ignored",
            path.display()
        ));
    }
    let mode = meta.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} has group or world access (mode {:o}); it was ignored — run chmod 0600 on it",
            path.display(),
            mode & 0o777
        )
    })
}

#[cfg(test)]
mod tests {
    use super::find_password;

    const FILE: &str = "# comment\n\
        db.example.com:5432:app:alice:first\n\
        *:*:app:bob:wild\\:card\n\
        localhost:6543:*:*:socket\n";

    #[test]
    fn first_matching_line_wins_and_wildcards_match() {
        assert_eq!(
            find_password(FILE, "db.example.com", 5432, "app", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(
            find_password(FILE, "elsewhere", 1, "app", "bob").as_deref(),
            Some("wild:card")
        );
        assert_eq!(
            find_password(FILE, "localhost", 6543, "x", "y").as_deref(),
            Some("socket")
        );
        assert_eq!(
            find_password(FILE, "db.example.com", 5433, "app", "alice"),
            None
        );
    }
}
