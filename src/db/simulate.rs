//! Runs the policy simulator (`rls::simulate` builds its SQL): one transaction, always rolled
//! back; every probe in a savepoint of its own. Every statement goes over the simple-query
//! protocol, so it also works through a transaction pooler.

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::plan::Bundle;
use crate::rls::simulate::{
    END_PROBE_SQL, GENERATED_USER_SQL, Outcome, Probe, SimRole, SimUser, SimulateError,
    SimulationReport, SimulationRequest, TableProbes, TableSql, check_one_transaction,
    existing_user_sql, prelude_sql, tables_sql,
};

use super::server_error::describe;

fn database(e: tokio_postgres::Error) -> SimulateError {
    SimulateError::Database(describe(&e))
}

/// Runs the simulation; the transaction is rolled back whatever happens.
pub async fn simulate(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
) -> Result<SimulationReport, SimulateError> {
    if let Some(b) = bundle {
        let statements: Vec<&str> = (0..b.statements.len())
            .map(|i| b.statement_text(i))
            .collect();
        check_one_transaction(&statements)?;
    }
    client.batch_execute("BEGIN").await.map_err(database)?;
    let result = run(client, bundle, request).await;
    let _ = client.batch_execute("ROLLBACK").await;
    result
}

async fn run(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
) -> Result<SimulationReport, SimulateError> {
    if let Some(b) = bundle {
        for index in 1..b.statements.len() - 1 {
            let sql = b.statement_text(index);
            client
                .batch_execute(sql)
                .await
                .map_err(|e| SimulateError::Bundle {
                    index: index + 1,
                    sql: sql.to_owned(),
                    message: describe(&e),
                })?;
        }
    }
    for sql in &request.setup {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| SimulateError::Setup {
                sql: sql.clone(),
                message: describe(&e),
            })?;
    }
    let user = match (request.role, &request.user) {
        (SimRole::Anon, _) => None,
        (SimRole::Authenticated, SimUser::Existing(id)) => {
            let found = first(client, &existing_user_sql(id))
                .await
                .map_err(database)?;
            Some(found.ok_or_else(|| SimulateError::UnknownUser(id.clone()))?)
        }
        (SimRole::Authenticated, SimUser::Generated) => {
            first(client, GENERATED_USER_SQL).await.map_err(database)?
        }
    };
    let prelude = prelude_sql(request.role, user.as_deref());
    let tables = rows(client, &tables_sql(&request.schemas))
        .await
        .map_err(database)?;
    let mut report = SimulationReport {
        role: request.role,
        user,
        tables: Vec::new(),
    };
    for row in tables {
        let (schema, name) = (row[0].clone(), row[1].clone());
        report
            .tables
            .push(probe_table(client, &prelude, &schema, &name).await?);
    }
    Ok(report)
}

async fn probe_table(
    client: &Client,
    prelude: &str,
    schema: &str,
    name: &str,
) -> Result<TableProbes, SimulateError> {
    let t = TableSql::new(schema, name);
    let total_rows = first(client, &t.count())
        .await
        .map_err(database)?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    // What a client sends on insert: the columns without a default, copied from a row the
    // user can see (else any row), so the probe asks only what the policies decide.
    let columns: Vec<String> = rows(client, &t.insert_columns())
        .await
        .map_err(database)?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let visible = probe(client, prelude, &t.sample()).await?.1;
    let sample = match visible {
        Some(row) => Some(row),
        None => first(client, &t.sample()).await.map_err(database)?,
    };
    let insert_sql = t.insert(&columns, sample.as_deref());
    let updatable = first(client, &t.updatable_column())
        .await
        .map_err(database)?;
    let select = probe(client, prelude, &t.count()).await?;
    let select = Probe {
        rows: select.1.and_then(|v| v.parse().ok()).unwrap_or(0),
        ..select.0
    };
    let insert = probe(client, prelude, &insert_sql).await?.0;
    let update = match updatable {
        Some(c) => probe(client, prelude, &t.update(&c)).await?.0,
        None => Probe {
            outcome: Outcome::Failed,
            rows: 0,
            message: Some("no column to update".into()),
        },
    };
    let delete = probe(client, prelude, &t.delete()).await?.0;
    Ok(TableProbes {
        table: format!("{schema}.{name}"),
        total_rows,
        select,
        insert,
        update,
        delete,
    })
}

/// Runs `sql` as the simulated user inside a savepoint that is then rolled back (which also
/// undoes the `SET LOCAL ROLE`). Returns the outcome and the first value of a returned row.
async fn probe(
    client: &Client,
    prelude: &str,
    sql: &str,
) -> Result<(Probe, Option<String>), SimulateError> {
    client.batch_execute(prelude).await.map_err(database)?;
    let result = client.simple_query(sql).await;
    client
        .batch_execute(END_PROBE_SQL)
        .await
        .map_err(database)?;
    Ok(match result {
        Ok(messages) => {
            let mut rows = 0;
            let mut value = None;
            for m in messages {
                match m {
                    SimpleQueryMessage::CommandComplete(n) => rows = n,
                    SimpleQueryMessage::Row(r) if value.is_none() => {
                        value = r.get(0).map(str::to_owned)
                    }
                    _ => {}
                }
            }
            (
                Probe {
                    outcome: Outcome::Allowed,
                    rows,
                    message: None,
                },
                value,
            )
        }
        Err(e) => {
            let denied = e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE);
            (
                Probe {
                    outcome: if denied {
                        Outcome::Denied
                    } else {
                        Outcome::Failed
                    },
                    rows: 0,
                    message: Some(
                        e.as_db_error()
                            .map_or_else(|| describe(&e), |d| d.message().to_owned()),
                    ),
                },
                None,
            )
        }
    })
}

async fn rows(client: &Client, sql: &str) -> Result<Vec<Vec<String>>, tokio_postgres::Error> {
    Ok(client
        .simple_query(sql)
        .await?
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or_default().to_owned())
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

async fn first(client: &Client, sql: &str) -> Result<Option<String>, tokio_postgres::Error> {
    Ok(client
        .simple_query(sql)
        .await?
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        }))
}
