//! Exporting a plan as files a project keeps in git: a Supabase CLI migration with the
//! design's sample rows as `seed.sql` and the rollback beside them, or one plain `.sql` file.
//! `schemaforge export` and the TUI's Preview (`E`) both write through [`write_export`].
//!
//! The Supabase CLI runs each file of `supabase/migrations/` in its own transaction, so the
//! bundle's statements are written without its BEGIN/COMMIT; everything else — the timeouts,
//! the order — is the same text `apply` would run. Nothing written depends on the sandbox
//! shim: the PostgREST refresh is always `NOTIFY pgrst, 'reload schema'`, never the shim's
//! `apply_postgrest_permissions()` (a stock Supabase project has no such function).

mod seed;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::catalog::{Catalog, Change};
use crate::design::ResolvedDesign;
use crate::plan::{Bundle, Plan, Section, Step};
use crate::samples::{SampleError, SampleSet};

/// What is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// DIR/migrations/<timestamp>_<name>.sql, DIR/seed.sql, DIR/rollbacks/<…>.down.sql.
    Supabase,
    /// One file: the migration and the sample rows in one transaction, for `psql -f`; its
    /// rollback beside it as <file>.down.sql.
    Plain,
}

/// Where and how to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// supabase: the project folder (default ./supabase). plain: the file (default
    /// ./<timestamp>_<name>.sql).
    pub out: Option<PathBuf>,
    /// The migration's name as given (made one lower-case word by [`migration_name`]).
    pub name: Option<String>,
    /// The design file's stem: the default name is `schemaforge_<stem>`.
    pub design_stem: String,
    /// The design file's name, for the comment at the top of `seed.sql`.
    pub design_file: String,
    pub format: Format,
    /// Seed of the generated sample rows (the same seed gives the rows `apply --seed` loads).
    pub seed: u64,
    /// Demo users created in `auth.users` to own the rows; `None` leaves `created_by` NULL.
    pub demo_users: Option<u32>,
    /// Leave the samples out (no seed.sql).
    pub no_samples: bool,
}

/// What an export wrote, and what to tell the user about it, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub files: Vec<PathBuf>,
    pub lines: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("sample rows: {0}")]
    Samples(#[from] SampleError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes the export of `plan` (planned against `catalog`, from `resolved`) as `request`
/// asks. The sample rows are generated first, so a design whose samples cannot be generated
/// writes nothing.
pub fn write_export(
    plan: &Plan,
    catalog: &Catalog,
    resolved: &ResolvedDesign,
    request: &Request,
    now: SystemTime,
) -> Result<Report, ExportError> {
    let samples = seed::sample_rows(resolved, request)?;
    let mut plan = plan.clone();
    without_shim_hook(&mut plan.steps);
    let mut rollback = crate::plan::rollback(&plan, catalog);
    without_shim_hook(&mut rollback.steps);
    let name = migration_name(&request.design_stem, request.name.as_deref());
    let mut report = Report::default();
    let written = match request.format {
        Format::Supabase => {
            let dir = request
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from("supabase"));
            let files = SupabaseFiles {
                dir: &dir,
                name: &name,
                now,
            };
            write_supabase(
                &files,
                &plan,
                &rollback,
                samples.as_ref(),
                request,
                &mut report,
            )
        }
        Format::Plain => {
            let file = request
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(file_name(&name, now)));
            write_plain(
                &file,
                &plan,
                &rollback,
                samples.as_ref(),
                request,
                &mut report,
            )
        }
    };
    written.map_err(|(path, source)| ExportError::Write { path, source })?;
    Ok(report)
}

type WriteResult = Result<(), (PathBuf, std::io::Error)>;

fn write(path: &Path, text: &str, report: &mut Report) -> WriteResult {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .and_then(|()| crate::atomic_write::write_atomically(path, text))
        .map_err(|e| (path.to_owned(), e))?;
    report.files.push(path.to_owned());
    Ok(())
}

/// Where the Supabase layout goes.
struct SupabaseFiles<'a> {
    dir: &'a Path,
    name: &'a str,
    now: SystemTime,
}

/// The Supabase CLI layout: the migration, `seed.sql`, and the rollback in `rollbacks/`.
fn write_supabase(
    files: &SupabaseFiles,
    plan: &Plan,
    rollback: &crate::plan::Rollback,
    samples: Option<&SampleSet>,
    request: &Request,
    report: &mut Report,
) -> WriteResult {
    let SupabaseFiles { dir, name, now } = *files;
    if plan.is_empty() {
        report.lines.push(String::from(
            "nothing to do: the database already has everything the design asks for; no migration written"
        ));
    } else {
        let file = dir.join("migrations").join(file_name(name, now));
        write(&file, &migration_text(&plan.bundle()), report)?;
        report
            .lines
            .push(format!("wrote {} ({})", file.display(), plan.summary()));
        let down = down_path(&file);
        // Whole, with its BEGIN/COMMIT and header: `apply --plan` (or `psql -f`) runs it.
        write(&down, &rollback.bundle().text, report)?;
        report.lines.push(format!(
            "wrote its rollback {}{}",
            down.display(),
            exactness(rollback)
        ));
        report.lines.push(
            "  (in rollbacks/, not migrations/: the Supabase CLI runs every <digits>_<name>.sql \
             there, a .down.sql too, right after the migration it would undo)"
                .into(),
        );
        report.lines.push(format!(
            "  run it, once the migration is applied, with `schemaforge apply --plan {}` \
             (it checks that it restores the schema exactly)",
            down.display()
        ));
    }
    if let Some(set) = samples {
        let file = dir.join("seed.sql");
        let text = seed::seed_text(set, &request.design_file, request.seed, request.demo_users)
            .map_err(|e| (file.clone(), e))?;
        write(&file, &text, report)?;
        report.lines.push(format!(
            "wrote {} ({} sample rows; `supabase db reset` loads it after the migrations)",
            file.display(),
            set.total_rows()
        ));
    }
    Ok(())
}

/// One file: the bundle with its BEGIN/COMMIT and the sample INSERTs before COMMIT, so
/// `psql -f` builds and fills everything or nothing. The rollback goes beside it.
fn write_plain(
    file: &Path,
    plan: &Plan,
    rollback: &crate::plan::Rollback,
    samples: Option<&SampleSet>,
    request: &Request,
    report: &mut Report,
) -> WriteResult {
    if plan.is_empty() && samples.is_none() {
        report.lines.push(String::from(
            "nothing to do: the database already has everything the design asks for; nothing written"
        ));
        return Ok(());
    }
    let bundle = plan.bundle();
    let commit = bundle
        .statements
        .last()
        .map_or(bundle.text.len(), |s| s.range.start);
    let mut text = bundle.text[..commit].to_owned();
    if let Some(set) = samples {
        text.push_str(&seed::owners_comment(request.demo_users));
        let mut rows = Vec::new();
        crate::samples::write_insert_steps(&mut rows, &set.steps)
            .map_err(|e| (file.to_owned(), e))?;
        text.push_str(&String::from_utf8_lossy(&rows));
    }
    text.push_str(&bundle.text[commit..]);
    write(file, &text, report)?;
    report.lines.push(format!(
        "wrote {} ({}; one transaction: run it with `psql -v ON_ERROR_STOP=1 -f {}`)",
        file.display(),
        plan.summary(),
        file.display()
    ));
    if !plan.is_empty() {
        let down = file.with_file_name(
            file.file_name()
                .map(|n| {
                    let n = n.to_string_lossy();
                    format!("{}.down.sql", n.strip_suffix(".sql").unwrap_or(&n))
                })
                .unwrap_or_default(),
        );
        write(&down, &rollback.bundle().text, report)?;
        report.lines.push(format!(
            "wrote its rollback {}{}",
            down.display(),
            exactness(rollback)
        ));
    }
    Ok(())
}

fn exactness(rollback: &crate::plan::Rollback) -> String {
    if rollback.exact {
        String::new()
    } else {
        format!(" (not exact: {})", rollback.notes.join("; "))
    }
}

/// Replaces the shim's `apply_postgrest_permissions()` call with the NOTIFY every PostgREST
/// listens for: an export must run on a project that never had the shim.
fn without_shim_hook(steps: &mut [Step]) {
    for step in steps.iter_mut() {
        if let Change::RefreshApi { hook: true } = step.change {
            *step = Step::new(
                step.section,
                step.object.clone(),
                Change::RefreshApi { hook: false },
            );
        }
    }
}

/// `DIR/rollbacks/<migration name>.down.sql`: not in `migrations/`, where the Supabase CLI
/// would take any `<digits>_<name>.sql` — a rollback included — for a migration to run.
pub fn down_path(migration: &Path) -> PathBuf {
    let name = migration
        .file_name()
        .map(|n| n.to_string_lossy().replace(".sql", ".down.sql"))
        .unwrap_or_default();
    let dir = migration
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    dir.join("rollbacks").join(name)
}

/// `schemaforge_<design file name>`, or the name given, as one lower-case word of `[a-z0-9_]`.
pub fn migration_name(design_stem: &str, name: Option<&str>) -> String {
    let raw = match name {
        Some(name) => name.to_owned(),
        None => format!("schemaforge_{design_stem}"),
    };
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_');
    if name.is_empty() {
        "schemaforge".into()
    } else {
        name.into()
    }
}

/// `<UTC yyyymmddhhmmss>_<name>.sql`, as `supabase migration new` names them.
pub fn file_name(name: &str, now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}_{name}.sql",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The bundle's text without its BEGIN and COMMIT lines (the CLI adds the transaction).
pub fn migration_text(bundle: &Bundle) -> String {
    let mut text =
        String::from("-- Generated by schemaforge; the Supabase CLI runs it in one transaction.\n");
    let mut copied = 0;
    for (i, statement) in bundle.statements.iter().enumerate() {
        let is_edge = statement.section == Section::Transaction
            && (i == 0 || i + 1 == bundle.statements.len());
        if is_edge {
            text.push_str(&bundle.text[copied..statement.range.start]);
            // Skip the statement and its ";\n".
            copied = (statement.range.end + 2).min(bundle.text.len());
        }
    }
    text.push_str(&bundle.text[copied..]);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BundleBuilder;
    use std::time::Duration;

    #[test]
    fn migrations_are_named_like_the_supabase_cli_names_them() {
        let at = UNIX_EPOCH + Duration::from_secs(1_795_427_045); // 2026-11-23 09:44:05 UTC
        assert_eq!(
            file_name(&migration_name("My Todos", None), at),
            "20261123094405_schemaforge_my_todos.sql"
        );
        assert_eq!(
            file_name(&migration_name("x", Some("Add tags!")), at),
            "20261123094405_add_tags.sql"
        );
        assert_eq!(migration_name("x", Some("--")), "schemaforge");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn begin_and_commit_are_left_to_the_cli() {
        let mut b = BundleBuilder::new();
        b.comment("fingerprint");
        b.push(Section::Transaction, "BEGIN", false);
        b.push(Section::Transaction, "SET LOCAL lock_timeout = '5s'", false);
        b.push(Section::Tables, "CREATE TABLE t (id int)", false);
        b.push(Section::Transaction, "COMMIT", false);
        let text = migration_text(&b.finish());
        assert!(
            !text.contains("BEGIN;") && !text.contains("COMMIT;"),
            "{text}"
        );
        assert!(text.contains("SET LOCAL lock_timeout = '5s';\n"));
        assert!(text.contains("CREATE TABLE t (id int);\n"));
    }
}
