//! A server error in full: message, detail, hint and position, never just "db error".

/// The server's own words for a failed statement, with every field it sent.
pub fn describe(err: &tokio_postgres::Error) -> String {
    let Some(db) = err.as_db_error() else {
        return super::target::error_chain(err);
    };
    let mut text = format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    );
    if let Some(detail) = db.detail() {
        text.push_str(&format!("\n  detail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("\n  hint: {hint}"));
    }
    if let Some(position) = db.position() {
        let at = match position {
            tokio_postgres::error::ErrorPosition::Original(p) => format!("character {p}"),
            tokio_postgres::error::ErrorPosition::Internal { position, query } => {
                format!("character {position} of internal query {query:?}")
            }
        };
        text.push_str(&format!("\n  position: {at}"));
    }
    if let Some(w) = db.where_() {
        text.push_str(&format!("\n  where: {w}"));
    }
    text
}
