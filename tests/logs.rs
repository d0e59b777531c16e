//! The log file through the real binary: `--log-level debug` writes every statement with its
//! duration to `<data dir>/schemaforge.log` (bundle statements, COPY of sample rows and of a
//! CSV import, catalog reads and drift checks, the policy simulator's probes), never the
//! password; `--log-level off` writes nothing.
mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{assert_success, cluster, test_db};

/// A home of the test's own, so the data directory (and its log) is the test's.
struct Home(PathBuf);

impl Home {
    fn new(label: &str) -> Home {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-logs-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn run(&self, args: &[&str], password: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schemaforge"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PG") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command
            .env("HOME", &self.0)
            .env("XDG_CONFIG_HOME", self.0.join("config"))
            .env("XDG_DATA_HOME", self.0.join("data"))
            .env("PGPASSWORD", password)
            .args(args)
            .output()
            .expect("run schemaforge")
    }

    fn log(&self) -> Option<String> {
        std::fs::read_to_string(self.0.join("data/schemaforge/schemaforge.log")).ok()
    }

    fn design(&self, table: &str) -> String {
        self.write_design(
            table,
            serde_json::json!({"tables": [{"name": table, "fields": [
                {"name": "title", "type": "singleLineText", "is_primary": true}
            ]}]}),
        )
    }

    /// A one-table design with `rows` generated sample rows.
    fn design_with_samples(&self, table: &str, rows: u32) -> String {
        self.write_design(
            table,
            serde_json::json!({
                "tables": [{"name": table, "fields": [
                    {"name": "title", "type": "singleLineText", "is_primary": true}
                ]}],
                "samples": {table: rows}
            }),
        )
    }

    fn write_design(&self, table: &str, design: serde_json::Value) -> String {
        let file = self.0.join(format!("{table}.json"));
        std::fs::write(&file, design.to_string()).unwrap();
        file.to_str().unwrap().to_owned()
    }

    /// Runs `args` at debug level against `url`, which must succeed; the log so far.
    fn debug_run(&self, url: &str, args: &[&str], password: &str) -> String {
        let mut all = vec!["--log-level", "debug", "--db", url];
        all.extend_from_slice(args);
        let out = self.run(&all, password);
        assert_success(&out);
        self.log()
            .expect("the log file exists in the data directory")
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn debug_logs_each_statement_with_its_duration_and_never_the_password() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("debug");
    let design = home.design("logged_notes");

    let out = home.run(
        &[
            "--log-level",
            "debug",
            "--db",
            &url,
            "apply",
            &design,
            "--yes",
        ],
        &password,
    );
    assert_success(&out);

    let log = home
        .log()
        .expect("the log file exists in the data directory");
    let created = log
        .lines()
        .find(|l| l.contains("CREATE TABLE") && l.contains("logged_notes"))
        .unwrap_or_else(|| panic!("the CREATE TABLE statement is logged:\n{log}"));
    assert!(created.contains("DEBUG"), "{created}");
    assert!(created.contains("duration_ms="), "{created}");
    assert!(created.contains("outcome=\"ok\""), "{created}");
    assert!(log.contains("connected"), "{log}");
    assert!(
        log.contains(&db.name),
        "the connect line names the database: {log}"
    );
    assert!(log.contains("bundle applied"), "{log}");
    assert!(log.contains("catalog batch"), "{log}");
    assert!(
        !log.contains(&password),
        "the password is never logged:\n{log}"
    );
    assert!(!log.contains('\u{1b}'), "no ANSI colours in the file");
}

#[tokio::test]
async fn log_level_off_writes_nothing() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("off");
    let design = home.design("unlogged_notes");

    let out = home.run(
        &[
            "--log-level",
            "off",
            "--db",
            &url,
            "apply",
            &design,
            "--yes",
        ],
        &password,
    );
    assert_success(&out);
    assert_eq!(home.log().unwrap_or_default(), "", "nothing is logged");
}

/// Lines of the SQL log (`schemaforge::sql`, debug) holding every one of `parts`.
fn sql_lines<'a>(log: &'a str, parts: &[&str]) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.contains("DEBUG") && l.contains("schemaforge::sql"))
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect()
}

/// The first SQL line holding every one of `parts`, checked for its duration and outcome.
fn sql_line<'a>(log: &'a str, parts: &[&str]) -> &'a str {
    let line = sql_lines(log, parts)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("a statement line with {parts:?} is logged:\n{log}"));
    assert!(line.contains("duration_ms="), "{line}");
    assert!(line.contains("outcome=\"ok\""), "{line}");
    line
}

fn assert_clean(log: &str, password: &str) {
    assert!(
        !log.contains(password),
        "the password is never logged:\n{log}"
    );
    assert!(!log.contains('\u{1b}'), "no ANSI colours in the file");
}

#[tokio::test]
async fn debug_logs_the_copy_of_sample_rows_and_the_drift_check_of_an_apply() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("samples");
    let design = home.design_with_samples("sampled_notes", 7);

    let log = home.debug_run(&url, &["apply", &design, "--yes"], &password);

    let copy = sql_line(&log, &["COPY", "sampled_notes", "FROM STDIN"]);
    assert!(copy.contains("rows=7"), "the rows copied: {copy}");
    assert!(copy.contains("bytes="), "the bytes sent: {copy}");
    // The drift check reads the catalog inside the apply's transaction.
    let drift = sql_line(&log, &["catalog batch: SAVEPOINT schemaforge_catalog"]);
    assert!(drift.contains("kinds="), "{drift}");
    assert!(
        drift.contains("RELEASE SAVEPOINT schemaforge_catalog"),
        "how the batch ends: {drift}"
    );
    sql_line(&log, &["pg_advisory_xact_lock"]);
    assert_clean(&log, &password);
}

#[tokio::test]
async fn debug_logs_the_copy_of_a_csv_import() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("import");
    let csv = home.0.join("imported.csv");
    std::fs::write(&csv, "title,amount\nfirst,1\nsecond,2\nthird,3\n").unwrap();

    let log = home.debug_run(
        &url,
        &[
            "import",
            csv.to_str().unwrap(),
            "--table",
            "imported_rows",
            "--yes",
        ],
        &password,
    );

    let copy = sql_line(&log, &["COPY", "imported_rows", "FROM STDIN"]);
    assert!(copy.contains("rows=3"), "the rows copied: {copy}");
    assert!(copy.contains("bytes="), "{copy}");
    assert_clean(&log, &password);
}

#[tokio::test]
async fn debug_logs_the_catalog_read_of_plan_and_of_the_drift_check() {
    let db = test_db().await;
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("plan");
    let design = home.design("planned_notes");

    home.debug_run(&url, &["plan", &design], &password);
    let out = home.run(
        &[
            "--log-level",
            "debug",
            "--db",
            &url,
            "plan",
            &design,
            "--check",
        ],
        &password,
    );
    assert_eq!(out.status.code(), Some(3), "the design is not applied yet");
    let log = home.log().unwrap();

    let reads = sql_lines(
        &log,
        &["catalog batch: BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"],
    );
    assert_eq!(
        reads.len(),
        2,
        "plan and plan --check each read once:\n{log}"
    );
    for read in reads {
        assert!(read.contains("last_line=\"COMMIT\""), "{read}");
        assert!(read.contains("kinds="), "{read}");
        assert!(read.contains("duration_ms="), "{read}");
        assert!(read.contains("outcome=\"ok\""), "{read}");
    }
    assert_clean(&log, &password);
}

#[tokio::test]
async fn debug_logs_the_statements_of_a_policy_simulation() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.simulated_notes (id int PRIMARY KEY, body text);
         ALTER TABLE public.simulated_notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY \"anyone reads\" ON public.simulated_notes FOR SELECT USING (true);
         GRANT SELECT ON public.simulated_notes TO anon, authenticated;
         INSERT INTO public.simulated_notes VALUES (1, 'confidential-row-7');",
    )
    .await
    .unwrap();
    let sandbox = cluster();
    let password = sandbox.superuser_password().to_owned();
    let url = sandbox.tcp_url(&db.name);
    let home = Home::new("simulate");

    let log = home.debug_run(&url, &["lint", "--simulate", "--role", "anon"], &password);

    sql_line(&log, &["SET LOCAL ROLE \"anon\"", "set_config"]);
    let probe = sql_line(
        &log,
        &["SELECT count(*) FROM \"public\".\"simulated_notes\""],
    );
    assert!(probe.contains("rows="), "{probe}");
    sql_line(&log, &["ROLLBACK TO SAVEPOINT schemaforge_probe"]);
    // The probes that copy the visible row show its values elided, never the row.
    let inserts = sql_lines(&log, &["INSERT INTO \"public\".\"simulated_notes\"", "'…'"]);
    assert!(
        inserts.iter().any(|l| l.contains("code=\"42501\"")),
        "anon's INSERT is refused:\n{log}"
    );
    assert!(!log.contains("confidential-row-7"), "{log}");
    // The simulation's own transaction, always rolled back.
    sql_line(&log, &["schemaforge::sql: ROLLBACK duration_ms="]);
    assert_clean(&log, &password);
}
