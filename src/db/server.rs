//! What the server says about itself: shown in the header, used to choose features.

/// The facts a first screen needs about where it is connected.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ServerInfo {
    pub version: String,
    pub version_num: i32,
    pub database: String,
    pub user: String,
}

/// One simple-query round trip, so it works through transaction poolers too.
pub async fn server_info(
    client: &tokio_postgres::Client,
) -> Result<ServerInfo, tokio_postgres::Error> {
    let rows = super::sent::simple_query(
        client,
        "SELECT current_setting('server_version'), current_setting('server_version_num'), \
             current_database(), current_user",
    )
    .await?;
    let row = rows
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .expect("a SELECT without FROM returns one row");
    let text = |i: usize| row.get(i).unwrap_or_default().to_owned();
    Ok(ServerInfo {
        version: text(0)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        version_num: text(1).parse().unwrap_or_default(),
        database: text(2),
        user: text(3),
    })
}
