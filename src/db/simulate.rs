//! Runs the policy simulator (`rls::simulate` builds its SQL): one transaction, always rolled
//! back; every probe in a savepoint of its own. Every statement goes over the simple-query
//! protocol, so it also works through a transaction pooler.

use serde_json::{Map, Value};
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::catalog::Catalog;
use crate::plan::Bundle;
use crate::rls::probe_row::{owner_column, probe_row, update_columns};
use crate::rls::simulate::{
    END_PROBE_SQL, GENERATED_USER_SQL, Outcome, Probe, SMALL_TABLE, SimRole, SimUser,
    SimulateError, SimulationReport, SimulationRequest, SimulationSamples, Subject, TableProbes,
    TableSql, check_one_transaction, existing_user_sql, prelude_sql, tables_sql, user_by_email_sql,
};

use crate::samples::{self, Options, generate};

use super::copy::run_steps;
use super::existing_ids::existing_ids;
use super::probe_rows::generated_rows;
use super::sent;
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
    let mut reports = simulate_side_by_side(client, bundle, request, &[request.subject()]).await?;
    Ok(reports.remove(0))
}

/// The simulation for every one of `subjects` (the request's own user and role are not
/// used), in one transaction that is rolled back whatever happens: one report per subject,
/// in order, so two users can be compared side by side. Each user's "insert for another
/// owner" probe uses the next subject's user, else a generated one.
pub async fn simulate_side_by_side(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
    subjects: &[Subject],
) -> Result<Vec<SimulationReport>, SimulateError> {
    if subjects.is_empty() {
        return Err(SimulateError::NoSubject);
    }
    if let Some(b) = bundle {
        let statements: Vec<&str> = (0..b.statements.len())
            .map(|i| b.statement_text(i))
            .collect();
        check_one_transaction(&statements)?;
    }
    sent::batch_execute(client, "BEGIN")
        .await
        .map_err(database)?;
    let result = run(client, bundle, request, subjects).await;
    let _ = sent::batch_execute(client, "ROLLBACK").await;
    result
}

/// A resolved subject: the role, and the user's id and email when signed in.
struct Who {
    role: SimRole,
    id: Option<String>,
    email: Option<String>,
}

async fn run(
    client: &Client,
    bundle: Option<&Bundle>,
    request: &SimulationRequest,
    subjects: &[Subject],
) -> Result<Vec<SimulationReport>, SimulateError> {
    if let Some(b) = bundle {
        for index in 1..b.statements.len() - 1 {
            let sql = b.statement_text(index);
            sent::batch_execute(client, sql)
                .await
                .map_err(|e| SimulateError::Bundle {
                    index: index + 1,
                    sql: sql.to_owned(),
                    message: describe(&e),
                })?;
        }
    }
    for sql in &request.setup {
        sent::batch_execute(client, sql)
            .await
            .map_err(|e| SimulateError::Setup {
                sql: sql.clone(),
                message: describe(&e),
            })?;
    }
    let mut people = Vec::new();
    for subject in subjects {
        people.push(resolve_subject(client, subject).await?);
    }
    let catalog = crate::db::catalog::read_in_transaction(client)
        .await
        .map_err(|e| SimulateError::Database(e.to_string()))?;
    if let Some(samples) = &request.samples {
        let users: Vec<String> = people.iter().filter_map(|w| w.id.clone()).collect();
        load_samples(client, &catalog, samples, &users).await?;
    }
    let first_user = people.iter().find_map(|w| w.id.clone());
    let generated = generated_rows(client, &catalog, &request.schemas, first_user.as_deref()).await;
    let tables = rows(client, &tables_sql(&request.schemas))
        .await
        .map_err(database)?;
    let mut someone_else: Option<Option<String>> = None;
    let mut reports = Vec::new();
    for (i, who) in people.iter().enumerate() {
        let partner = people
            .iter()
            .skip(i + 1)
            .chain(people.iter().take(i))
            .find_map(|w| w.id.clone().filter(|id| Some(id) != who.id.as_ref()));
        let other = match partner {
            Some(id) => Some(id),
            None => {
                if someone_else.is_none() {
                    someone_else = Some(generated_user(client).await?);
                }
                someone_else.clone().flatten()
            }
        };
        let people_ids = Owners {
            own: who.id.as_deref(),
            other: other.as_deref(),
        };
        let prelude = prelude_sql(who.role, who.id.as_deref());
        let mut report = SimulationReport {
            role: who.role,
            user: who.id.clone(),
            email: who.email.clone(),
            tables: Vec::new(),
        };
        for row in &tables {
            let (schema, name) = (row[0].as_str(), row[1].as_str());
            let table = Table {
                schema,
                name,
                live: catalog.table(schema, name),
                generated: generated.get(&(schema.to_owned(), name.to_owned())),
            };
            report
                .tables
                .push(probe_table(client, &prelude, &table, &people_ids).await?);
        }
        reports.push(report);
    }
    Ok(reports)
}

/// Loads the design's sample rows as `apply` would, except that the rows' owners — and the
/// users rows such as memberships point at — are the simulated users, spread over them in
/// turn, so each one owns some of the rows.
async fn load_samples(
    client: &Client,
    catalog: &Catalog,
    wanted: &SimulationSamples,
    users: &[String],
) -> Result<(), SimulateError> {
    let failed = |e: String| SimulateError::Samples(e);
    let mut existing = existing_ids(client, catalog, &wanted.resolved)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let mut distinct: Vec<String> = Vec::new();
    for user in users {
        if !distinct.contains(user) {
            distinct.push(user.clone());
        }
    }
    let users = distinct;
    let owners = if users.is_empty() {
        samples::Owners::None
    } else {
        existing.insert(("auth".into(), "users".into()), users.clone());
        samples::Owners::Existing(users)
    };
    let options = Options {
        seed: wanted.seed,
        owners,
        existing,
        ..Options::default()
    };
    let set = generate(&wanted.resolved, &options).map_err(|e| failed(e.to_string()))?;
    run_steps(client, &set.steps)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(())
}

async fn resolve_subject(client: &Client, subject: &Subject) -> Result<Who, SimulateError> {
    let (id, email) = match (subject.role, &subject.user) {
        (SimRole::Anon, _) => (None, None),
        (SimRole::Authenticated, SimUser::Existing(id)) => {
            let found = first_row(client, &existing_user_sql(id))
                .await
                .map_err(database)?;
            let [id, email] = found.ok_or_else(|| SimulateError::UnknownUser(id.clone()))?;
            (Some(id), Some(email).filter(|e| !e.is_empty()))
        }
        (SimRole::Authenticated, SimUser::Email(email)) => {
            let found = first_row(client, &user_by_email_sql(email))
                .await
                .map_err(database)?;
            let [id, email] = found.ok_or_else(|| SimulateError::UnknownUser(email.clone()))?;
            (Some(id), Some(email))
        }
        (SimRole::Authenticated, SimUser::Generated) => {
            let [id, email] = first_row(client, GENERATED_USER_SQL)
                .await
                .map_err(database)?
                .ok_or_else(|| SimulateError::Database("no generated user".into()))?;
            (Some(id), Some(email))
        }
    };
    Ok(Who {
        role: subject.role,
        id,
        email,
    })
}

/// A throwaway user to own the "insert for another owner" row; `None` where `auth.users`
/// cannot take one (the probe is then left out).
async fn generated_user(client: &Client) -> Result<Option<String>, SimulateError> {
    sent::batch_execute(client, "SAVEPOINT schemaforge_other")
        .await
        .map_err(database)?;
    match first_row(client, GENERATED_USER_SQL).await {
        Ok(found) => {
            sent::batch_execute(client, "RELEASE SAVEPOINT schemaforge_other")
                .await
                .map_err(database)?;
            Ok(found.map(|[id, _]| id))
        }
        Err(_) => {
            sent::batch_execute(
                client,
                "ROLLBACK TO SAVEPOINT schemaforge_other; RELEASE SAVEPOINT schemaforge_other",
            )
            .await
            .map_err(database)?;
            Ok(None)
        }
    }
}

/// Whose rows the insert probes write: the user's own, and someone else's.
struct Owners<'a> {
    own: Option<&'a str>,
    other: Option<&'a str>,
}

/// A table to probe: its name, what the catalog says of it, its generated row.
struct Table<'a> {
    schema: &'a str,
    name: &'a str,
    live: Option<&'a crate::catalog::Table>,
    generated: Option<&'a Map<String, Value>>,
}

async fn probe_table(
    client: &Client,
    prelude: &str,
    table: &Table<'_>,
    owners: &Owners<'_>,
) -> Result<TableProbes, SimulateError> {
    let t = TableSql::new(table.schema, table.name);
    let total_rows = first(client, &t.count())
        .await
        .map_err(database)?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    // What a client sends on insert: the columns without a default, and the owner.
    let mut columns: Vec<String> = rows(client, &t.insert_columns())
        .await
        .map_err(database)?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let owner = table.live.and_then(|live| {
        let names: Vec<String> = live.columns.iter().map(|c| c.name.clone()).collect();
        let expressions = live
            .policies
            .iter()
            .flat_map(|p| [p.with_check.as_deref(), p.using.as_deref()])
            .flatten();
        owner_column(expressions, &names)
    });
    if let Some(o) = &owner
        && !columns.contains(o)
    {
        columns.push(o.clone());
    }
    // Values the generator did not make are copied from a row the user can see (else any).
    let visible = probe(client, prelude, &t.sample()).await?.1;
    let sample = match visible {
        Some(row) => Some(row),
        None => first(client, &t.sample()).await.map_err(database)?,
    };
    // Foreign keys keep a visible row's values (rows the user can reach), except those in
    // the primary key: a linking table's pair must be one it does not hold yet.
    let references: Vec<String> = table
        .live
        .map(|live| {
            let in_key = |c: &String| {
                live.primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.contains(c))
            };
            live.foreign_keys
                .iter()
                .flat_map(|k| k.columns.iter().cloned())
                .filter(|c| !in_key(c))
                .collect()
        })
        .unwrap_or_default();
    let row_for = |user: Option<&str>| {
        let row = probe_row(
            table.generated,
            sample.as_deref(),
            &references,
            owner.as_deref().map(|o| (o, user)),
        );
        t.insert(&columns, Some(&Value::Object(row).to_string()))
    };
    let updatable = first(client, &t.updatable_column())
        .await
        .map_err(database)?;
    let select = probe(client, prelude, &t.count()).await?;
    let select = Probe {
        rows: select.1.and_then(|v| v.parse().ok()).unwrap_or(0),
        ..select.0
    };
    let key = table
        .live
        .and_then(|live| live.primary_key.as_ref())
        .and_then(|k| match k.columns.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        });
    let visible_ids = match key {
        Some(k) if total_rows <= SMALL_TABLE && select.outcome == Outcome::Allowed => {
            let ids = probe(client, prelude, &t.visible_ids(&k)).await?.1;
            ids.map(|text| {
                text.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
        }
        _ => None,
    };
    let insert = probe(client, prelude, &row_for(owners.own)).await?.0;
    let insert_for_other = match (&owner, owners.other) {
        (Some(_), Some(other)) => Some(probe(client, prelude, &row_for(Some(other))).await?.0),
        _ => None,
    };
    // The update probe writes generated values where it can; when those fail for another
    // reason than the policies, a row set to itself asks the policies alone.
    let edited = match (table.generated, table.live) {
        (Some(generated), Some(live)) => update_columns(generated, live, owner.as_deref()),
        _ => Vec::new(),
    };
    let mut to_generated = None;
    if !edited.is_empty() {
        let row = Value::Object(probe_row(table.generated, None, &[], None)).to_string();
        to_generated = Some(probe(client, prelude, &t.update_to(&edited, &row)).await?.0);
    }
    let update = match (to_generated, updatable) {
        (Some(p), _) if p.outcome != Outcome::Failed => p,
        (_, Some(c)) => probe(client, prelude, &t.update(&c)).await?.0,
        (Some(p), None) => p,
        (None, None) => Probe {
            outcome: Outcome::Failed,
            rows: 0,
            message: Some("no column to update".into()),
        },
    };
    let delete = if has_soft_delete(table.live) {
        soft_delete_probe(client, prelude, &t, select.rows).await?
    } else {
        probe(client, prelude, &t.delete()).await?.0
    };
    Ok(TableProbes {
        table: format!("{}.{}", table.schema, table.name),
        total_rows,
        select,
        visible_ids,
        owner_column: owner,
        insert,
        insert_for_other,
        update,
        delete,
    })
}

/// Whether the table has schemaforge's soft delete trigger (its DELETE keeps the rows).
fn has_soft_delete(live: Option<&crate::catalog::Table>) -> bool {
    use crate::plan::soft_delete::{SOFT_DELETE_FUNCTION, SOFT_DELETE_TRIGGER};
    live.and_then(|l| l.trigger(SOFT_DELETE_TRIGGER))
        .is_some_and(|t| t.function == SOFT_DELETE_FUNCTION)
}

/// On a table with soft delete a DELETE reports no row even where it deletes: the rows it
/// reached are the ones the user no longer sees after it (of the `visible` before).
async fn soft_delete_probe(
    client: &Client,
    prelude: &str,
    t: &TableSql,
    visible: u64,
) -> Result<Probe, SimulateError> {
    let sql = format!("{}; {}", t.delete(), t.count());
    let (mut probe, after) = probe(client, prelude, &sql).await?;
    if probe.outcome == Outcome::Allowed {
        let after: u64 = after.and_then(|v| v.parse().ok()).unwrap_or(visible);
        probe.rows = visible.saturating_sub(after);
        probe.message = Some("soft delete: the rows get deleted_at and stay in the table".into());
    }
    Ok(probe)
}

/// Runs `sql` as the simulated user inside a savepoint that is then rolled back (which also
/// undoes the `SET LOCAL ROLE`). Returns the outcome and the first value of a returned row.
async fn probe(
    client: &Client,
    prelude: &str,
    sql: &str,
) -> Result<(Probe, Option<String>), SimulateError> {
    sent::batch_execute(client, prelude)
        .await
        .map_err(database)?;
    let result = sent::simple_query_with_row_values(client, sql).await;
    sent::batch_execute(client, END_PROBE_SQL)
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
    Ok(sent::simple_query(client, sql)
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
    Ok(sent::simple_query(client, sql)
        .await?
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        }))
}

/// The first two values of the first row, or no row.
async fn first_row(
    client: &Client,
    sql: &str,
) -> Result<Option<[String; 2]>, tokio_postgres::Error> {
    Ok(sent::simple_query(client, sql)
        .await?
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some([
                r.get(0).unwrap_or_default().to_owned(),
                r.get(1).unwrap_or_default().to_owned(),
            ]),
            _ => None,
        }))
}
