//! `cargo bench --bench samples`: loads about 200,000 sample rows across related tables
//! (projects ← todos, many-to-one; todos ↔ tags, many-to-many) into a sandbox with
//! `db::copy`, then the same number of rows per table with server-side
//! `INSERT … SELECT … FROM generate_series(…)`, and prints both times, their ratio, and the
//! peak memory of the process after a quarter-size load and after the full load (flat memory:
//! the two peaks should be about the same).
//!
//! A benchmark, not a test: it prints figures and fails only if something does not load.

use std::time::{Duration, Instant};

use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::copy::run_steps;
use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};
use schemaforge::design::{self, ResolvedDesign, ResolvedSampleSpec, ResolvedSamples};
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::samples::{self, Options, SampleSet};
use tokio_postgres::Client;

const DESIGN: &str = r#"{
  "tables": [
    {"name": "Projects", "fields": [
      {"name": "Name", "type": "singleLineText", "options": {"required": true, "max_length": 120}},
      {"name": "Budget", "type": "currency"}
    ]},
    {"name": "Todos", "fields": [
      {"name": "Title", "type": "singleLineText", "options": {"required": true}},
      {"name": "Completed", "type": "checkbox"},
      {"name": "Due", "type": "date"},
      {"name": "Priority", "type": "rating"},
      {"name": "Status", "type": "singleSelect", "options": {"choices": ["todo", "doing", "done"]}}
    ]},
    {"name": "Tags", "fields": [
      {"name": "Label", "type": "singleLineText", "options": {"required": true, "unique": true}}
    ]}
  ],
  "relationships": [
    {"table": "todos", "name": "project", "target": "projects", "required": true, "cascade_delete": true},
    {"table": "todos", "name": "tags", "target": "tags", "allow_multiple": true}
  ]
}"#;

/// Each way is timed this many times, alternating, and the best time counts: the machine's
/// noise only ever adds time.
const ROUNDS: usize = 3;

const TRUNCATE: &str = "TRUNCATE public.todos_tags, public.todos, public.tags, public.projects";

/// `(projects, tags, todos)` for a target of about `total` rows: each todo links to 1.5 tags
/// on average, so todos are 40% of the rows and links about 60%.
fn counts(total: u64) -> (u64, u64, u64) {
    let projects = total / 100;
    let tags = total / 200;
    let todos = (total - projects - tags) * 2 / 5;
    (projects, tags, todos)
}

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

/// Creates the tables as `schemaforge apply` does (RLS, policies, indexes, triggers and all)
/// and returns the design resolved against the live catalog.
async fn create_tables(db: &Client) -> ResolvedDesign {
    let catalog = schemaforge::db::catalog::read(db).await.expect("catalog");
    let (parsed, _) = design::parse(DESIGN).expect("the bench design loads");
    let known = |s: &str, t: &str| catalog.table(s, t).is_some();
    let resolved = design::resolve_with_known_tables(&parsed, &known)
        .unwrap_or_else(|d| panic!("the bench design resolves: {d:?}"));
    let plan = plan(&resolved, &catalog, &PlanSettings::default()).expect("plan");
    apply(
        db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    resolved
}

fn design(base: &ResolvedDesign, total: u64) -> ResolvedDesign {
    let mut design = base.clone();
    let (projects, tags, todos) = counts(total);
    design.samples = [(0, projects), (1, todos), (2, tags)]
        .into_iter()
        .map(|(table, n)| ResolvedSamples {
            table,
            spec: ResolvedSampleSpec::Count(n),
        })
        .collect();
    design
}

/// `VmHWM` (peak resident set) and `VmRSS` of this process, in KiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

async fn client_side(db: &Client, set: &SampleSet) -> (u64, Duration) {
    db.batch_execute(TRUNCATE).await.expect("truncate");
    let started = Instant::now();
    db.batch_execute("BEGIN").await.expect("begin");
    let rows = run_steps(db, &set.steps)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.batch_execute("COMMIT").await.expect("commit");
    (rows, started.elapsed())
}

async fn server_side(db: &Client, projects: u64, tags: u64, todos: u64, links: u64) -> Duration {
    db.batch_execute(TRUNCATE).await.expect("truncate");
    let started = Instant::now();
    let sql = format!(
        "BEGIN;
         INSERT INTO public.projects (name, budget)
           SELECT 'Project ' || g, round((random() * 10000)::numeric, 2) FROM generate_series(1, {projects}) g;
         INSERT INTO public.tags (label) SELECT 'tag ' || g FROM generate_series(1, {tags}) g;
         INSERT INTO public.todos (title, completed, due, priority, status, project_id)
           SELECT 'Todo number ' || g, random() < 0.4, date '2020-01-01' + (g % 2000),
                  (g % 5) + 1, (ARRAY['todo','doing','done'])[1 + g % 3], p.a[1 + g % {projects}]
           FROM generate_series(1, {todos}) g, (SELECT array_agg(id) AS a FROM public.projects) p;
         INSERT INTO public.todos_tags (todos_id, tags_id)
           SELECT t.id, tg.a[1 + (t.n * 7 + k) % {tags}]
           FROM (SELECT id, row_number() OVER () AS n FROM public.todos) t,
                generate_series(0, 2) k,
                (SELECT array_agg(id) AS a FROM public.tags) tg
           LIMIT {links};
         COMMIT;"
    );
    db.batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}", schemaforge::db::server_error::describe(&e)));
    started.elapsed()
}

async fn count(db: &Client, table: &str) -> u64 {
    let row = db
        .query_one(&format!("SELECT count(*) FROM public.{table}"), &[])
        .await
        .expect("count");
    row.get::<_, i64>(0) as u64
}

fn main() {
    let sandbox = Sandbox::start().unwrap_or_else(|e| panic!("starting a sandbox: {e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let url = shim::prepare_sandbox_database(&sandbox, "bench")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let target = ConnectTarget::resolve(Some(&url), &Env::default()).expect("url");
        let session = connect(&target).await.expect("connect");
        let db = &session.client;
        let base = create_tables(db).await;
        let options = Options::with_seed(1);

        // Generation and encoding alone, no server.
        let set = samples::generate(&design(&base, 200_000), &options).expect("generate");
        let started = Instant::now();
        let bytes: usize = set
            .loads()
            .flat_map(|l| l.copy_lines())
            .map(|l| l.len())
            .sum();
        let encode = started.elapsed();
        println!(
            "generate + encode only: {} rows, {:.1} MiB of COPY text in {:.2?} ({:.0} rows/s)",
            set.total_rows(),
            bytes as f64 / 1048576.0,
            encode,
            set.total_rows() as f64 / encode.as_secs_f64()
        );

        let (hwm0, rss0) = memory();
        let quarter = samples::generate(&design(&base, 50_000), &options).expect("generate");
        let (rows_q, time_q) = client_side(db, &quarter).await;
        let (hwm_q, _) = memory();
        let (rows, client) = client_side(db, &set).await;
        let (hwm_full, rss_full) = memory();
        assert_eq!(rows, set.total_rows());
        let per_table = [
            ("projects", count(db, "projects").await),
            ("tags", count(db, "tags").await),
            ("todos", count(db, "todos").await),
            ("todos_tags", count(db, "todos_tags").await),
        ];
        println!("client-side COPY: {rows} rows in {client:.2?} ({:.0} rows/s); {per_table:?}",
            rows as f64 / client.as_secs_f64());
        println!("  (quarter size: {rows_q} rows in {time_q:.2?})");

        let (mut clients, mut servers) = (vec![client], Vec::new());
        for round in 0..ROUNDS {
            if round > 0 {
                clients.push(client_side(db, &set).await.1);
            }
            servers.push(
                server_side(
                    db,
                    per_table[0].1,
                    per_table[1].1,
                    per_table[2].1,
                    per_table[3].1,
                )
                .await,
            );
            let server_rows = count(db, "projects").await
                + count(db, "tags").await
                + count(db, "todos").await
                + count(db, "todos_tags").await;
            assert_eq!(server_rows, rows, "the same number of rows both ways");
        }
        let best = |times: &[Duration]| times.iter().min().copied().unwrap_or_default();
        let (client, server) = (best(&clients), best(&servers));
        println!(
            "client-side COPY, {ROUNDS} rounds: {clients:.2?} (best {client:.2?}, {:.0} rows/s)",
            rows as f64 / client.as_secs_f64()
        );
        println!(
            "server-side INSERT … SELECT generate_series, {ROUNDS} rounds: {servers:.2?} (best {server:.2?})"
        );
        println!(
            "ratio client / server (best of each): {:.2}× (target: within 3×)",
            client.as_secs_f64() / server.as_secs_f64()
        );
        println!(
            "memory: RSS {rss0} KiB before loading; peak {hwm0} KiB before, {hwm_q} KiB after \
             {rows_q} rows, {hwm_full} KiB after {rows} rows (growth from quarter to full: {} KiB); \
             RSS after: {rss_full} KiB",
            hwm_full as i64 - hwm_q as i64
        );
        session.close().await;
    });
}
