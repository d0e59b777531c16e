//! `schemaforge inspect`: the catalog as a `\d`-like tree, or as JSON.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::catalog::{self, Catalog, Table};

use super::{Exit, open_session};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this schema (repeatable); default: every schema except the system ones.
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
    /// Print `{"tables": [...], ...}` instead of the tree.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lock: super::catalog_read::LockTimeout,
}

pub async fn run(db: Option<&str>, args: Args) -> Exit {
    let session = match open_session(db).await {
        Ok(session) => session,
        Err(exit) => return exit,
    };
    let catalog = super::catalog_read::read(&session, &args.lock).await;
    session.close().await;
    let catalog = match catalog {
        Ok(catalog) => catalog,
        Err(exit) => return exit,
    };
    for missing in args.schemas.iter().filter(|s| catalog.schema(s).is_none()) {
        say!("note: there is no schema {missing:?} (or it is a system schema)");
    }
    let catalog = catalog.restricted_to(&args.schemas);
    for warning in &catalog.warnings {
        say!("warning: {warning}");
    }
    for part in &catalog.unreadable {
        say!("warning: could not read {}: {}", part.object, part.reason);
    }
    if !catalog.locked.is_empty() {
        say!(
            "the rest of the catalog is shown; the tables marked [locked] are listed by name only"
        );
    }
    if args.json {
        write_json(&catalog)
    } else {
        super::print_stdout(&render_text(&catalog))
    }
}

/// Streams the JSON to stdout: at 5,000 tables the text is tens of megabytes, and building
/// it as one string first would double the peak memory.
fn write_json(catalog: &Catalog) -> Exit {
    use std::io::IsTerminal;
    let stdout = std::io::stdout().lock();
    if stdout.is_terminal() {
        // Read on screen, so small: escaped in one piece.
        return match serde_json::to_string(catalog) {
            Ok(json) => {
                drop(stdout);
                super::print_json_stdout(&format!("{json}\n"))
            }
            Err(e) => {
                say!("cannot write output: {e}");
                Exit::Runtime
            }
        };
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    let written = serde_json::to_writer(&mut out, catalog)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            say!("cannot write output: {e}");
            Exit::Runtime
        }
    }
}

/// The tree: one block per table, like psql's `\d`, managed schemas marked.
pub fn render_text(catalog: &Catalog) -> String {
    let mut out = String::new();
    let f = &catalog.flavour;
    let _ = writeln!(
        out,
        "{} on PostgreSQL {}{}{}",
        f.database,
        f.server_version,
        if f.supabase { " (Supabase-style)" } else { "" },
        if f.has_apply_postgrest_permissions {
            ", apply_postgrest_permissions()"
        } else {
            ""
        }
    );
    for schema in &catalog.schemas {
        let tables: Vec<&Table> = catalog.tables_in(&schema.name).collect();
        let _ = writeln!(
            out,
            "\nSchema {}{}{} — {} relation{}",
            schema.name,
            if schema.managed { " [managed]" } else { "" },
            if schema.usage { "" } else { " [no USAGE]" },
            tables.len(),
            if tables.len() == 1 { "" } else { "s" }
        );
        for table in tables {
            render_table(&mut out, catalog, table);
        }
        let enums: Vec<_> = catalog
            .enums
            .iter()
            .filter(|e| e.schema == schema.name)
            .collect();
        for e in enums {
            let _ = writeln!(
                out,
                "\n  enum {}.{}: {}",
                e.schema,
                e.name,
                e.labels.join(", ")
            );
        }
        let functions: Vec<_> = catalog
            .functions_in(&schema.name)
            .filter(|f| f.extension.is_none())
            .collect();
        if !functions.is_empty() {
            let _ = writeln!(out, "\n  Functions:");
            for func in functions {
                let _ = writeln!(
                    out,
                    "    {}{}{}{}",
                    func.signature(),
                    func.result
                        .as_deref()
                        .map(|r| format!(" returns {r}"))
                        .unwrap_or_default(),
                    if func.security_definer {
                        " SECURITY DEFINER"
                    } else {
                        ""
                    },
                    func.search_path()
                        .map(|p| format!(" search_path={p}"))
                        .unwrap_or_default()
                );
                let _ = writeln!(out, "      EXECUTE: {}", execute_grantees(func));
            }
        }
    }
    if !catalog.publications.is_empty() {
        let _ = writeln!(out, "\nPublications:");
        for p in &catalog.publications {
            let tables = if p.all_tables {
                "ALL TABLES".to_owned()
            } else if p.tables.is_empty() {
                "no tables".to_owned()
            } else {
                p.tables
                    .iter()
                    .map(|t| format!("{}.{}", t.schema, t.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(out, "  {} ({}): {tables}", p.name, p.operations.join(", "));
        }
    }
    if !catalog.extensions.is_empty() {
        let _ = writeln!(out, "\nExtensions:");
        for e in &catalog.extensions {
            let _ = writeln!(out, "  {} {} (schema {})", e.name, e.version, e.schema);
        }
    }
    out
}

fn render_table(out: &mut String, catalog: &Catalog, t: &Table) {
    let _ = writeln!(
        out,
        "\n  {} {}.{}",
        capitalise(t.kind.label()),
        t.schema,
        t.name
    );
    if let Some(lock) = catalog.lock_on(&t.schema, &t.name) {
        let _ = writeln!(
            out,
            "    [locked] details not read: {} {} by pid {}",
            if lock.waiting { "waited for" } else { "held" },
            lock.mode,
            lock.session.pid
        );
    }
    if let Some(comment) = &t.comment {
        let _ = writeln!(out, "    -- {comment}");
    }
    let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let type_width = t
        .columns
        .iter()
        .map(|c| c.data_type.len())
        .max()
        .unwrap_or(0);
    for c in &t.columns {
        let mut extra = String::new();
        if !c.nullable {
            extra.push_str(" not null");
        }
        if let Some(d) = &c.default {
            let _ = write!(extra, " default {d}");
        }
        if let Some(identity) = c.identity {
            let _ = write!(
                extra,
                " generated {} as identity",
                match identity {
                    catalog::Identity::Always => "always",
                    catalog::Identity::ByDefault => "by default",
                }
            );
        }
        if let Some(g) = &c.generated {
            let _ = write!(extra, " generated always as ({g}) stored");
        }
        let _ = writeln!(
            out,
            "    {:width$}  {:type_width$}{}",
            c.name, c.data_type, extra
        );
    }
    if let Some(def) = &t.view_definition {
        let _ = writeln!(
            out,
            "    View definition{}:",
            if t.security_invoker {
                " (security_invoker)"
            } else {
                ""
            }
        );
        for line in def.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    if let Some(key) = &t.partition_key {
        let _ = writeln!(out, "    Partition key: {key}");
    }
    if let (Some(parent), Some(bound)) = (&t.partition_of, &t.partition_bound) {
        let _ = writeln!(
            out,
            "    Partition of: {}.{} {bound}",
            parent.schema, parent.name
        );
    }
    if t.replica_identity != catalog::ReplicaIdentity::Default {
        let _ = writeln!(out, "    Replica identity: {}", t.replica_identity.sql());
    }
    if let Some(pk) = &t.primary_key {
        let _ = writeln!(
            out,
            "    Primary key: {} ({})",
            pk.name,
            pk.columns.join(", ")
        );
    }
    section(
        out,
        "Indexes",
        t.indexes.iter().map(|i| i.definition.clone()),
    );
    section(
        out,
        "Check constraints",
        t.check_constraints
            .iter()
            .chain(&t.exclusion_constraints)
            .map(|c| format!("{} {}", c.name, c.definition)),
    );
    section(
        out,
        "Unique constraints",
        t.unique_constraints
            .iter()
            .map(|u| format!("{} ({})", u.name, u.columns.join(", "))),
    );
    section(
        out,
        "Foreign keys",
        t.foreign_keys.iter().map(|fk| {
            format!(
                "{} ({}) REFERENCES {}.{}({}) ON DELETE {} ON UPDATE {}",
                fk.name,
                fk.columns.join(", "),
                fk.references_schema,
                fk.references_table,
                fk.references_columns.join(", "),
                fk.on_delete.sql(),
                fk.on_update.sql()
            )
        }),
    );
    if t.rls_enabled || !t.policies.is_empty() {
        let _ = writeln!(
            out,
            "    Row-level security: {}{}",
            if t.rls_enabled { "enabled" } else { "DISABLED" },
            if t.rls_forced { ", forced" } else { "" }
        );
    }
    section(
        out,
        "Policies",
        t.policies.iter().map(|p| {
            let mut line = format!(
                "{:?} {} FOR {} TO {}",
                p.name,
                if p.permissive {
                    "PERMISSIVE"
                } else {
                    "RESTRICTIVE"
                },
                p.command.sql(),
                p.roles.join(", ")
            );
            if let Some(u) = &p.using {
                let _ = write!(line, " USING ({u})");
            }
            if let Some(w) = &p.with_check {
                let _ = write!(line, " WITH CHECK ({w})");
            }
            line
        }),
    );
    section(
        out,
        "Triggers",
        t.triggers.iter().map(|tr| {
            format!(
                "{}{}",
                tr.definition,
                if tr.enabled { "" } else { " (disabled)" }
            )
        }),
    );
}

/// Who may call a function: the roles holding EXECUTE, `PUBLIC` meaning everyone.
fn execute_grantees(f: &catalog::Function) -> String {
    let grantees: Vec<&str> = f
        .grants
        .iter()
        .filter(|g| g.privilege == "EXECUTE")
        .map(|g| g.grantee.as_str())
        .collect();
    if grantees.is_empty() {
        "no one but superusers".into()
    } else {
        grantees.join(", ")
    }
}

fn section(out: &mut String, title: &str, lines: impl Iterator<Item = String>) {
    let mut lines = lines.peekable();
    if lines.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "    {title}:");
    for line in lines {
        let _ = writeln!(out, "      {line}");
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
