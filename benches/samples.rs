//! `cargo bench --bench samples`: loads about 200,000 sample rows across related tables
//! (projects ← todos, many-to-one; todos ↔ tags, many-to-many) into a sandbox with
//! `db::copy`, then the same number of rows per table with server-side
//! `INSERT … SELECT … FROM generate_series(…)`, and prints both times, their ratio, and the
//! peak memory of the process after a quarter-size load and after the full load (flat memory:
//! the two peaks should be about the same).
//!
//! A benchmark, not a test: it prints figures and fails only if something does not load.

use std::time::{Duration, Instant};

use schemaforge::db::copy::run_steps;
use schemaforge::db::sandbox::Sandbox;
use schemaforge::db::{ConnectTarget, Env, connect, shim};
use schemaforge::design::{ResolvedDesign, ResolvedSampleSpec, ResolvedSamples, load, resolve};
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

const SCHEMA: &str = r#"
CREATE TABLE public.projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid,
  name text NOT NULL CHECK (char_length(name) <= 120),
  budget numeric(19,4)
);
CREATE INDEX idx_projects_created_by ON public.projects (created_by);
CREATE TABLE public.todos (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid,
  title text NOT NULL,
  completed boolean NOT NULL DEFAULT false,
  due date,
  priority smallint CHECK (priority BETWEEN 0 AND 5),
  status text CHECK (status IN ('todo', 'doing', 'done')),
  project_id uuid NOT NULL REFERENCES public.projects (id) ON DELETE CASCADE
);
CREATE INDEX idx_todos_created_by ON public.todos (created_by);
CREATE INDEX idx_todos_project_id ON public.todos (project_id);
CREATE TABLE public.tags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid,
  label text NOT NULL UNIQUE
);
CREATE INDEX idx_tags_created_by ON public.tags (created_by);
CREATE TABLE public.todos_tags (
  todos_id uuid NOT NULL REFERENCES public.todos (id) ON DELETE CASCADE,
  tags_id uuid NOT NULL REFERENCES public.tags (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid DEFAULT auth.uid() REFERENCES auth.users (id),
  PRIMARY KEY (todos_id, tags_id)
);
CREATE INDEX idx_todos_tags_tags_id ON public.todos_tags (tags_id);
CREATE INDEX idx_todos_tags_created_by ON public.todos_tags (created_by);
"#;

const TRUNCATE: &str = "TRUNCATE public.todos_tags, public.todos, public.tags, public.projects";

/// `(projects, tags, todos)` for a target of about `total` rows: each todo links to 1.5 tags
/// on average, so todos are 40% of the rows and links about 60%.
fn counts(total: u64) -> (u64, u64, u64) {
    let projects = total / 100;
    let tags = total / 200;
    let todos = (total - projects - tags) * 2 / 5;
    (projects, tags, todos)
}

fn design(total: u64) -> ResolvedDesign {
    let (d, _) = load(DESIGN).expect("the bench design loads");
    let mut design = resolve(&d).expect("the bench design resolves");
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
        db.batch_execute(SCHEMA).await.expect("schema");
        let options = Options::with_seed(1);

        // Generation and encoding alone, no server.
        let set = samples::generate(&design(200_000), &options).expect("generate");
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
        let quarter = samples::generate(&design(50_000), &options).expect("generate");
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

        let server = server_side(
            db,
            per_table[0].1,
            per_table[1].1,
            per_table[2].1,
            per_table[3].1,
        )
        .await;
        let server_rows = count(db, "projects").await
            + count(db, "tags").await
            + count(db, "todos").await
            + count(db, "todos_tags").await;
        assert_eq!(server_rows, rows, "the same number of rows both ways");
        println!(
            "server-side INSERT … SELECT generate_series: {server_rows} rows in {server:.2?}"
        );
        println!(
            "ratio client / server: {:.2}× (target: within 3×)",
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
