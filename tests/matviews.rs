//! Aggregate views against a real PostgreSQL: a materialized view with a time bucket, a
//! group-by column, count and sum gives the right rows; its unique index lets
//! `REFRESH … CONCURRENTLY` run; only the chosen readers may select; without pg_cron the plan
//! says how to refresh by hand; with a stand-in `cron` schema shaped like pg_cron's the plan
//! schedules one staggered job per view whose command refreshes for real; a changed
//! definition drops and recreates the view; re-plan is empty; the rollback gives the catalog
//! back; bad designs are refused with JSON paths.
mod common;

use common::{TestDb, assert_success, cli, scalar, test_db};
use serde_json::{Value, json};

/// pg_cron's shape, as far as schemaforge uses it: `cron.job` and `schedule` / `unschedule`
/// by job name (scheduling a name again replaces its job, as pg_cron does).
const CRON_STAND_IN: &str = r#"
CREATE SCHEMA cron;
CREATE TABLE cron.job (
  jobid bigserial PRIMARY KEY,
  schedule text NOT NULL,
  command text NOT NULL,
  nodename text NOT NULL DEFAULT 'localhost',
  nodeport int NOT NULL DEFAULT 5432,
  database text NOT NULL DEFAULT current_database(),
  username text NOT NULL DEFAULT current_user,
  active boolean NOT NULL DEFAULT true,
  jobname text UNIQUE
);
CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
LANGUAGE sql AS $$
  INSERT INTO cron.job (jobname, schedule, command) VALUES (job_name, schedule, command)
  ON CONFLICT (jobname) DO UPDATE SET schedule = EXCLUDED.schedule, command = EXCLUDED.command
  RETURNING jobid
$$;
CREATE FUNCTION cron.unschedule(job_name text) RETURNS boolean
LANGUAGE sql AS $$
  WITH gone AS (DELETE FROM cron.job WHERE jobname = job_name RETURNING 1)
  SELECT count(*) > 0 FROM gone
$$;
"#;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn scratch(db: &TestDb) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-matviews-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(db: &TestDb, name: &str, design: &Value) -> String {
    let path = scratch(db).join(name);
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path.display().to_string()
}

fn table() -> Value {
    json!({
        "name": "Todos",
        "fields": [
            {"name": "title", "type": "singleLineText", "is_primary": true},
            {"name": "status", "type": "singleLineText"},
            {"name": "amount", "type": "number"}
        ],
        "rls_policies": [{"name": "own", "operation": "ALL",
                          "using_expression": "created_by = auth.uid()",
                          "with_check_expression": "created_by = auth.uid()"}]
    })
}

fn design(views: Value) -> Value {
    json!({"tables": [table()], "materialized_views": views})
}

fn per_day(readers: Value, refresh: Value) -> Value {
    json!({
        "name": "Todos per day", "source": "todos", "group_by": ["status"],
        "time_bucket": {"field": "created_at", "unit": "day"},
        "aggregates": [{"function": "count"}, {"function": "sum", "field": "amount"}],
        "readers": readers, "refresh": refresh
    })
}

fn totals(refresh: Value) -> Value {
    json!({
        "name": "Status totals", "source": "todos", "group_by": ["status"],
        "aggregates": [{"function": "count"}, {"function": "max", "field": "amount"}],
        "refresh": refresh
    })
}

async fn rows(db: &TestDb, sql: &str) -> String {
    scalar(db, sql).await.unwrap_or_default()
}

const PER_DAY: &str = "SELECT string_agg(format('%s %s %s %s', day::date, status, count, sum_amount), ' | ' ORDER BY day, status) FROM public.todos_per_day";

/// Whether `role` may select from `relation` (a transaction of its own, rolled back).
async fn can_select(db: &TestDb, role: &str, relation: &str) -> bool {
    let ok = db
        .batch_execute(&format!(
            "BEGIN; SET LOCAL ROLE {role}; SELECT * FROM {relation}; ROLLBACK;"
        ))
        .await
        .is_ok();
    if !ok {
        db.batch_execute("ROLLBACK").await.unwrap();
    }
    ok
}

fn inspect(db: &TestDb) -> Value {
    common::inspect_schema(db)
}

#[tokio::test]
async fn a_view_aggregates_refreshes_concurrently_and_is_read_only_by_its_readers() {
    let db = test_db().await;
    let tables = write(&db, "tables.json", &json!({"tables": [table()]}));
    assert_success(&cli(&db.url, &["apply", &tables, "--yes"]));
    db.batch_execute(
        "INSERT INTO public.todos (title, status, amount, created_at) VALUES \
         ('a', 'open', 1.5, '2026-01-01 10:00+00'), ('b', 'open', 2, '2026-01-01 11:00+00'), \
         ('c', 'done', 4, '2026-01-01 12:00+00'), ('d', 'open', 8, '2026-01-02 09:00+00')",
    )
    .await
    .unwrap();

    let path = write(
        &db,
        "views.json",
        &design(json!([
            per_day(json!(["authenticated"]), Value::Null),
            totals(Value::Null)
        ])),
    );
    let plan = cli(&db.url, &["plan", &path]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    for expected in [
        "CREATE MATERIALIZED VIEW \"public\".\"todos_per_day\" AS\nSELECT\n  date_trunc('day', t.\"created_at\") AS \"day\",\n  t.\"status\" AS \"status\",\n  count(*) AS \"count\",\n  sum(t.\"amount\") AS \"sum_amount\"\nFROM \"public\".\"todos\" AS t\nGROUP BY 1, 2\nWITH DATA",
        "CREATE UNIQUE INDEX \"todos_per_day_group_key\" ON \"public\".\"todos_per_day\" (\"day\", \"status\")",
        "REVOKE ALL ON \"public\".\"todos_per_day\" FROM anon, authenticated",
        "GRANT SELECT ON \"public\".\"todos_per_day\" TO \"authenticated\"",
        "REVOKE ALL ON \"public\".\"status_totals\" FROM anon, authenticated",
    ] {
        assert!(sql.contains(expected), "{expected}\nmissing from\n{sql}");
    }
    assert!(
        !sql.contains("GRANT SELECT ON \"public\".\"status_totals\""),
        "{sql}"
    );
    assert!(!sql.contains("cron.schedule"), "{sql}");
    // The API role reads a copy that RLS no longer filters: the design says so.
    assert!(
        text(&plan).contains("bypasses row-level security"),
        "{}",
        text(&plan)
    );

    let apply = cli(&db.url, &["apply", &path, "--yes"]);
    assert_success(&apply);
    assert_eq!(
        rows(&db, PER_DAY).await,
        "2026-01-01 done 1 4 | 2026-01-01 open 2 3.5 | 2026-01-02 open 1 8"
    );
    assert_eq!(
        rows(&db, "SELECT string_agg(format('%s %s %s', status, count, max_amount), ' | ' ORDER BY status) FROM public.status_totals").await,
        "done 1 4 | open 3 8"
    );

    // New rows show after a concurrent refresh, which needs the unique index.
    db.batch_execute(
        "INSERT INTO public.todos (title, status, amount, created_at) VALUES \
         ('e', 'done', 16, '2026-01-02 10:00+00'), ('f', 'open', 0.5, '2026-01-01 23:00+00')",
    )
    .await
    .unwrap();
    db.batch_execute("REFRESH MATERIALIZED VIEW CONCURRENTLY public.todos_per_day")
        .await
        .unwrap();
    assert_eq!(
        rows(&db, PER_DAY).await,
        "2026-01-01 done 1 4 | 2026-01-01 open 3 4.0 | 2026-01-02 done 1 16 | 2026-01-02 open 1 8"
    );

    // Readers only: authenticated reads the view granted to it, anon reads neither.
    assert!(can_select(&db, "authenticated", "public.todos_per_day").await);
    assert!(!can_select(&db, "authenticated", "public.status_totals").await);
    assert!(!can_select(&db, "anon", "public.todos_per_day").await);
    assert!(!can_select(&db, "anon", "public.status_totals").await);

    let again = cli(&db.url, &["plan", &path]);
    assert_success(&again);
    assert!(
        again.stdout.is_empty(),
        "re-plan is empty: {}",
        text(&again)
    );

    // A refresh schedule without pg_cron: no job, and the statement to run by hand.
    let scheduled = write(
        &db,
        "scheduled.json",
        &design(json!([
            per_day(json!(["authenticated"]), json!("*/15 * * * *")),
            totals(Value::Null)
        ])),
    );
    let plan = cli(&db.url, &["plan", &scheduled]);
    assert_success(&plan);
    assert!(
        plan.stdout.is_empty(),
        "nothing to schedule: {}",
        text(&plan)
    );
    let said = text(&plan);
    assert!(
        said.contains("no pg_cron")
            && said.contains("REFRESH MATERIALIZED VIEW CONCURRENTLY \"public\".\"todos_per_day\""),
        "{said}"
    );

    // Readers changed: authenticated loses the view, the plan only revokes.
    let private = write(
        &db,
        "private.json",
        &design(json!([
            per_day(json!([]), Value::Null),
            totals(Value::Null)
        ])),
    );
    let plan = cli(&db.url, &["plan", &private]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("REVOKE ALL ON \"public\".\"todos_per_day\" FROM authenticated")
            && !sql.contains("CREATE MATERIALIZED VIEW"),
        "{sql}"
    );
    assert_success(&cli(&db.url, &["apply", &private, "--yes"]));
    assert!(!can_select(&db, "authenticated", "public.todos_per_day").await);
    let again = cli(&db.url, &["plan", &private]);
    assert!(
        again.stdout.is_empty(),
        "re-plan is empty: {}",
        text(&again)
    );
}

#[tokio::test]
async fn with_pg_cron_each_view_gets_a_staggered_job_and_the_rollback_gives_the_catalog_back() {
    let db = test_db().await;
    db.batch_execute(CRON_STAND_IN).await.unwrap();
    let tables = write(&db, "tables.json", &json!({"tables": [table()]}));
    assert_success(&cli(&db.url, &["apply", &tables, "--yes"]));
    db.batch_execute(
        "INSERT INTO public.todos (title, status, amount, created_at) VALUES \
         ('a', 'open', 1, '2026-01-01 10:00+00'), ('b', 'done', 2, '2026-01-01 11:00+00')",
    )
    .await
    .unwrap();
    let before = inspect(&db);
    let every_15 = json!("*/15 * * * *");
    let path = write(
        &db,
        "views.json",
        &design(json!([
            per_day(json!(["authenticated"]), every_15.clone()),
            totals(every_15.clone())
        ])),
    );
    let dir = scratch(&db);
    let down = dir.join("down.sql").display().to_string();
    assert_success(&cli(&db.url, &["plan", &path, "--down", "--out", &down]));
    let plan = cli(&db.url, &["plan", &path]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("SELECT cron.schedule('schemaforge refresh public.todos_per_day', '*/15 * * * *', 'REFRESH MATERIALIZED VIEW CONCURRENTLY \"public\".\"todos_per_day\"')"),
        "{sql}"
    );
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    let jobs = "SELECT string_agg(format('%s | %s | %s', jobname, schedule, command), E'\\n' ORDER BY jobname) FROM cron.job";
    assert_eq!(
        rows(&db, jobs).await,
        "schemaforge refresh public.status_totals | 7-59/15 * * * * | REFRESH MATERIALIZED VIEW CONCURRENTLY \"public\".\"status_totals\"\n\
         schemaforge refresh public.todos_per_day | */15 * * * * | REFRESH MATERIALIZED VIEW CONCURRENTLY \"public\".\"todos_per_day\""
    );
    // What pg_cron would run, run here: each command refreshes its view for real.
    db.batch_execute("INSERT INTO public.todos (title, status, amount) VALUES ('c', 'done', 5)")
        .await
        .unwrap();
    let commands = rows(
        &db,
        "SELECT string_agg(command, '; ' ORDER BY jobname) FROM cron.job",
    )
    .await;
    db.batch_execute(&commands).await.unwrap();
    assert_eq!(
        rows(&db, "SELECT string_agg(format('%s %s %s', status, count, max_amount), ' | ' ORDER BY status) FROM public.status_totals").await,
        "done 2 5 | open 1 1"
    );
    let again = cli(&db.url, &["plan", &path]);
    assert_success(&again);
    assert!(
        again.stdout.is_empty(),
        "re-plan is empty: {}",
        text(&again)
    );

    // `design --from-db` reads the views back, readers and (staggered) schedules included,
    // and planning that design changes nothing.
    let out = cli(&db.url, &["design", "--from-db"]);
    assert_success(&out);
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        read["materialized_views"],
        json!([
            {"name": "status_totals", "source": "todos", "group_by": ["status"],
             "aggregates": [{"function": "count"}, {"function": "max", "field": "amount"}],
             "refresh": "7-59/15 * * * *"},
            {"name": "todos_per_day", "source": "todos", "group_by": ["status"],
             "time_bucket": {"field": "created_at", "unit": "day"},
             "aggregates": [{"function": "count"}, {"function": "sum", "field": "amount"}],
             "readers": ["authenticated"], "refresh": "*/15 * * * *"}
        ]),
        "{read:#}"
    );
    let from_db = write(&db, "from-db.json", &read);
    let again = cli(&db.url, &["plan", &from_db]);
    assert_success(&again);
    assert!(
        again.stdout.is_empty(),
        "the design read back plans nothing: {}",
        text(&again)
    );

    // The rollback saved before the apply: views, indexes, grants and jobs gone.
    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    assert_eq!(inspect(&db), before, "{}", text(&out));
    assert_eq!(rows(&db, "SELECT count(*)::text FROM cron.job").await, "0");

    // Applied again, then a changed definition: dropped and created anew, job kept.
    assert_success(&cli(&db.url, &["apply", &path, "--yes"]));
    let mut changed = totals(every_15.clone());
    changed["aggregates"] = json!([{"function": "count"}, {"function": "avg", "field": "amount"}]);
    let changed_path = write(
        &db,
        "changed.json",
        &design(json!([
            per_day(json!(["authenticated"]), every_15),
            changed
        ])),
    );
    let before_change = inspect(&db);
    let down = dir.join("down-changed.sql").display().to_string();
    assert_success(&cli(
        &db.url,
        &["plan", &changed_path, "--down", "--out", &down],
    ));
    let plan = cli(&db.url, &["plan", &changed_path]);
    assert_success(&plan);
    let sql = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        sql.contains("DROP MATERIALIZED VIEW \"public\".\"status_totals\"")
            && sql.contains("avg(t.\"amount\") AS \"avg_amount\"")
            && !sql.contains("todos_per_day")
            && !sql.contains("cron.schedule"),
        "{sql}"
    );
    assert!(
        text(&plan).contains("dropped and created again"),
        "{}",
        text(&plan)
    );
    assert_success(&cli(
        &db.url,
        &["apply", &changed_path, "--yes", "--allow-destructive"],
    ));
    assert_eq!(
        rows(&db, "SELECT string_agg(format('%s %s', status, avg_amount::numeric(10,2)), ' | ' ORDER BY status) FROM public.status_totals").await,
        "done 3.50 | open 1.00"
    );
    let again = cli(&db.url, &["plan", &changed_path]);
    assert!(
        again.stdout.is_empty(),
        "re-plan is empty: {}",
        text(&again)
    );
    // Its rollback puts the old view back, as it was.
    let out = cli(
        &db.url,
        &["apply", "--plan", &down, "--yes", "--allow-destructive"],
    );
    assert_success(&out);
    assert_eq!(inspect(&db), before_change, "{}", text(&out));
}

#[tokio::test]
async fn bad_views_are_refused_with_json_paths() {
    let db = test_db().await;
    let path = write(
        &db,
        "bad.json",
        &design(json!([
            {"name": "a", "source": "todo", "group_by": ["status"], "aggregates": [{"function": "count"}]},
            {"name": "b", "source": "todos", "group_by": ["status"],
             "aggregates": [{"function": "sum", "field": "title"}], "refresh": "hourly"},
            {"name": "c", "source": "todos", "group_by": ["status"], "agregates": []}
        ])),
    );
    let out = cli(&db.url, &["plan", &path]);
    assert_ne!(out.status.code(), Some(0));
    let said = text(&out);
    for expected in [
        "materialized_views[2].agregates",
        "did you mean \"aggregates\"?",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    // With the shape right, the rules speak.
    let path = write(
        &db,
        "bad2.json",
        &design(json!([
            {"name": "a", "source": "todo", "group_by": ["status"], "aggregates": [{"function": "count"}]},
            {"name": "b", "source": "todos", "group_by": ["status"],
             "aggregates": [{"function": "sum", "field": "title"}], "refresh": "hourly"}
        ])),
    );
    let out = cli(&db.url, &["plan", &path]);
    assert_ne!(out.status.code(), Some(0));
    let said = text(&out);
    for expected in [
        "materialized_views[0].source",
        "did you mean \"todos\"?",
        "materialized_views[1].aggregates[0].field",
        "sum over \"title\"",
        "materialized_views[1].refresh",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    let tables = scalar(
        &db,
        "SELECT count(*)::text FROM pg_class WHERE relname = 'todos'",
    )
    .await;
    assert_eq!(tables.as_deref(), Some("0"), "nothing was sent");
}
