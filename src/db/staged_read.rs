//! Reading the catalog in stages, for the TUI: the names first (the tree is drawn from
//! them), then the details kind by kind ([`queries::STAGES`]), with the tables the user
//! selects read ahead of their kinds.
//!
//! Every stage runs in one REPEATABLE READ transaction kept open on the session's client,
//! so all of them see one snapshot, and the rows put together at the end are what
//! [`read_with`] reads: the same queries, the same snapshot rules. A read that meets a lock
//! or a missing privilege gives the staged read up and reads in one piece instead, which
//! knows how to read around both.

use std::time::Duration;

use futures_util::{StreamExt, pin_mut};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::catalog::{ReadError, ReadOptions, lacks_privilege, lock_timed_out, read_with};
use super::sent::{self, LoggedStream};
use crate::catalog::assemble::assemble;
use crate::catalog::queries;
use crate::catalog::reread::with_details_from;
use crate::catalog::rows::Rows;
use crate::catalog::{Catalog, ReadStats};

/// How long, after the names, the read waits for the table the user will look at first
/// (the TUI answers the names at once, with `None` when there is nothing to read first;
/// this only bounds a slow answer).
const FIRST_CHOICE_WAIT: Duration = Duration::from_millis(500);

/// Up to this many relations, each kind's report carries every table's details so far. Past
/// it, putting the whole catalog together again for each kind costs more than the read
/// itself (5,000 tables: 4.7 s to complete instead of 2.9 s), while the table the user looks
/// at is read ahead anyway: the reports carry the names and the tables read ahead only.
pub const SHOW_EACH_KIND_UP_TO: usize = 1_000;

/// What a staged read reports while it runs.
#[derive(Debug)]
pub enum Staged {
    /// Schemas and relations by name, nothing deparsed.
    Names(Catalog),
    /// Everything read so far put together, and which stages that is.
    Details {
        catalog: Catalog,
        progress: Progress,
    },
}

/// Which detail stages have arrived.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Stages read, in order ([`queries::STAGES`]' labels).
    pub arrived: Vec<&'static str>,
    /// Stages still to come.
    pub pending: Vec<&'static str>,
    /// `(schema, name)` of the tables read whole ahead of their kinds.
    pub read_first: Vec<(String, String)>,
    /// Whether the reports carry each arrived kind for every table, or (a big catalog, see
    /// [`SHOW_EACH_KIND_UP_TO`]) only the tables read ahead until the whole catalog is in.
    pub kinds_shown: bool,
}

impl Progress {
    pub fn start() -> Progress {
        Progress {
            arrived: Vec::new(),
            pending: queries::STAGES.iter().map(|(label, _)| *label).collect(),
            read_first: Vec::new(),
            kinds_shown: true,
        }
    }

    /// Whether a table's own details are all in (its kinds, or it was read ahead).
    pub fn has_details(&self, schema: &str, name: &str) -> bool {
        self.pending.is_empty()
            || self
                .read_first
                .iter()
                .any(|(s, n)| s == schema && n == name)
    }
}

/// The catalog, read in stages: `report` gets the names and then each stage's merged
/// catalog; `first` brings the tables to read ahead (the selected one), checked between
/// stages. Returns the complete catalog, equal to what [`read_with`] would have read.
pub async fn read_staged(
    client: &Client,
    options: &ReadOptions,
    first: &mut UnboundedReceiver<Option<(String, String)>>,
    mut report: impl FnMut(Staged),
) -> Result<Catalog, ReadError> {
    match staged(client, options, first, &mut report).await {
        Ok(catalog) => Ok(catalog),
        Err(ReadError::Query(e)) if lock_timed_out(&e) || lacks_privilege(&e) => {
            let _ = sent::batch_execute(client, "ROLLBACK").await;
            read_with(client, options).await
        }
        Err(e) => {
            let _ = sent::batch_execute(client, "ROLLBACK").await;
            Err(e)
        }
    }
}

/// What a staged read has so far.
struct Sofar {
    /// The rows of every stage read, in the one snapshot.
    rows: Rows,
    /// The tables read ahead (and their neighbours), put together.
    ahead: Option<Catalog>,
    /// The names, for the reports of a big catalog, which show no kind before the end.
    names: Option<Catalog>,
    progress: Progress,
    stats: ReadStats,
    /// A report being put together on the blocking pool while the next kind is read.
    assembling: Option<JoinHandle<Staged>>,
}

impl Sofar {
    /// What to put together for a report of the details so far (the tables read ahead
    /// taken whole from `ahead`): owned, to run off this task.
    fn snapshot(&self) -> impl FnOnce() -> Staged + Send + 'static {
        let shown = self.progress.kinds_shown;
        let rows = if shown {
            self.rows.clone()
        } else {
            Rows::default()
        };
        let names = if shown { None } else { self.names.clone() };
        let ahead = self.ahead.clone();
        let progress = self.progress.clone();
        move || {
            let now = match names {
                Some(names) => names,
                None => assemble(rows, Vec::new(), ReadStats::default()),
            };
            let catalog = match ahead {
                Some(ahead) => with_details_from(ahead, now, &progress.read_first),
                None => now,
            };
            Staged::Details { catalog, progress }
        }
    }

    /// Reports what was being put together, first, so reports keep their order.
    async fn flush(&mut self, report: &mut impl FnMut(Staged)) {
        if let Some(assembling) = self.assembling.take()
            && let Ok(staged) = assembling.await
        {
            report(staged);
        }
    }

    /// Reports the details so far once they are put together, on the blocking pool, so
    /// the read goes on meanwhile (the catalog is assembled again for each report).
    async fn report_soon(&mut self, report: &mut impl FnMut(Staged)) {
        self.flush(report).await;
        self.assembling = Some(tokio::task::spawn_blocking(self.snapshot()));
    }

    /// Reports the details so far now: the user is waiting for them.
    async fn report_now(&mut self, report: &mut impl FnMut(Staged)) {
        self.flush(report).await;
        report(self.snapshot()());
    }
}

async fn staged(
    client: &Client,
    options: &ReadOptions,
    first: &mut UnboundedReceiver<Option<(String, String)>>,
    report: &mut impl FnMut(Staged),
) -> Result<Catalog, ReadError> {
    let mut sofar = Sofar {
        rows: Rows::default(),
        ahead: None,
        names: None,
        progress: Progress::start(),
        stats: ReadStats::default(),
        assembling: None,
    };
    let names = queries::names();
    let stream = start(client, &options.begin(), &names, &mut sofar.stats).await?;
    absorb(stream, &mut sofar.rows).await?;
    let names = assemble(sofar.rows.clone(), Vec::new(), sofar.stats.clone());
    let any_table = !names.tables.is_empty();
    if names.tables.len() > SHOW_EACH_KIND_UP_TO {
        sofar.progress.kinds_shown = false;
        sofar.names = Some(names.clone());
    }
    report(Staged::Names(names));

    // The names are answered with the table the tree selects: read it before any kind.
    if any_table
        && let Ok(Some(Some(table))) = tokio::time::timeout(FIRST_CHOICE_WAIT, first.recv()).await
    {
        read_ahead(client, table, &mut sofar, report).await?;
    }
    read_asked(client, first, &mut sofar, report).await?;
    let stages = queries::STAGES;
    let mut next = Some(start(client, "", &queries::stage(stages[0].1), &mut sofar.stats).await?);
    for (i, (label, _)) in stages.iter().enumerate() {
        if let Some(stream) = next.take() {
            absorb(stream, &mut sofar.rows).await?;
        }
        sofar.progress.arrived.push(label);
        sofar.progress.pending.retain(|p| p != label);
        // Tables selected meanwhile come before the next kind…
        read_asked(client, first, &mut sofar, report).await?;
        // …which is sent before this one is put together, so the server reads while the
        // client assembles.
        if let Some((_, kinds)) = stages.get(i + 1) {
            next = Some(start(client, "", &queries::stage(kinds), &mut sofar.stats).await?);
        }
        if !sofar.progress.pending.is_empty() {
            sofar.report_soon(report).await;
        }
    }
    // The last report, if it is not ready, is overtaken by the whole catalog.
    if sofar
        .assembling
        .as_ref()
        .is_some_and(JoinHandle::is_finished)
    {
        sofar.flush(report).await;
    }
    sent::batch_execute(client, "COMMIT").await?;
    sofar.stats.round_trips += 1;
    sofar.stats.statements += 1;
    Ok(assemble(sofar.rows, Vec::new(), sofar.stats))
}

/// Sends `prefix` and the `kinds`' queries as one message; their answers stream back.
async fn start(
    client: &Client,
    prefix: &str,
    kinds: &[(&'static str, String)],
    stats: &mut ReadStats,
) -> Result<LoggedStream, ReadError> {
    let mut batch = prefix.to_owned();
    for (_, sql) in kinds {
        if !batch.is_empty() {
            batch.push_str(";\n");
        }
        batch.push_str(sql);
    }
    stats.round_trips += 1;
    stats.statements += kinds.len() as u32 + if prefix.is_empty() { 0 } else { 3 };
    Ok(sent::catalog_batch(client, batch.as_str()).await?)
}

/// Parses each `(kind, json)` row of `stream` into `rows` as it arrives.
async fn absorb(stream: LoggedStream, rows: &mut Rows) -> Result<(), ReadError> {
    pin_mut!(stream);
    while let Some(message) = stream.next().await {
        if let SimpleQueryMessage::Row(row) = message? {
            let kind = row.get(0).unwrap_or_default().to_owned();
            rows.absorb(&kind, row.get(1))
                .map_err(|source| ReadError::Parse { kind, source })?;
        }
    }
    Ok(())
}

/// Reads ahead the tables asked for since the last look.
async fn read_asked(
    client: &Client,
    first: &mut UnboundedReceiver<Option<(String, String)>>,
    sofar: &mut Sofar,
    report: &mut impl FnMut(Staged),
) -> Result<(), ReadError> {
    while let Ok(wanted) = first.try_recv() {
        if let Some(table) = wanted {
            read_ahead(client, table, sofar, report).await?;
        }
    }
    Ok(())
}

/// Reads `table` whole (with its foreign-key neighbours, to name its keys' targets), unless
/// its details are in already, and reports the merged catalog.
async fn read_ahead(
    client: &Client,
    table: (String, String),
    sofar: &mut Sofar,
    report: &mut impl FnMut(Staged),
) -> Result<(), ReadError> {
    if sofar.progress.has_details(&table.0, &table.1) {
        return Ok(());
    }
    let read = neighbours(client, &table.0, &table.1).await?;
    sofar.stats.round_trips += 1;
    sofar.stats.statements += 1;
    if read.is_empty() {
        return Ok(()); // not a relation of the snapshot (a drafted table, say)
    }
    let kinds = queries::all_for_tables(&read, &[]);
    let mut fresh = Rows::default();
    absorb(
        start(client, "", &kinds, &mut sofar.stats).await?,
        &mut fresh,
    )
    .await?;
    let fresh = assemble(fresh, Vec::new(), ReadStats::default());
    sofar.ahead = Some(match sofar.ahead.take() {
        None => fresh,
        Some(before) => with_details_from(fresh, before, std::slice::from_ref(&table)),
    });
    sofar.progress.read_first.push(table);
    sofar.report_now(report).await;
    Ok(())
}

/// `(schema, name)` of the table and its neighbours by foreign key; empty if it is gone.
async fn neighbours(
    client: &Client,
    schema: &str,
    name: &str,
) -> Result<Vec<(String, String)>, ReadError> {
    let stream = sent::simple_query_raw(client, &queries::with_neighbours(schema, name)).await?;
    pin_mut!(stream);
    let mut found = Vec::new();
    while let Some(message) = stream.next().await {
        if let SimpleQueryMessage::Row(row) = message?
            && let Some(json) = row.get(1)
        {
            found = serde_json::from_str(json).map_err(|source| ReadError::Parse {
                kind: "neighbours".into(),
                source,
            })?;
        }
    }
    Ok(found)
}
