//! A server error in full: message, detail, hint and position, never just "db error". The
//! description itself is the neutral [`ServerError`], usable by the core and front ends.

pub use crate::server_error::ServerError;

/// The server's own words for a failed statement, when the server sent any.
pub fn server_error(err: &tokio_postgres::Error) -> Option<ServerError> {
    let db = err.as_db_error()?;
    Some(ServerError {
        severity: db.severity().to_owned(),
        message: db.message().to_owned(),
        code: db.code().code().to_owned(),
        detail: db.detail().map(str::to_owned),
        hint: db.hint().map(str::to_owned),
        position: db.position().map(|position| match position {
            tokio_postgres::error::ErrorPosition::Original(p) => format!("character {p}"),
            tokio_postgres::error::ErrorPosition::Internal { position, query } => {
                format!("character {position} of internal query {query:?}")
            }
        }),
        context: db.where_().map(str::to_owned),
    })
}

/// The server's own words for a failed statement, with every field it sent.
pub fn describe(err: &tokio_postgres::Error) -> String {
    match server_error(err) {
        Some(e) => e.to_string(),
        None => super::target::error_chain(err),
    }
}
