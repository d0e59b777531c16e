//! A corpus of schemas written the way real Supabase projects are (auth hooks, Realtime
//! publications, storage policies, SECURITY DEFINER membership helpers, enums, partial
//! indexes, generated columns, views), in `tests/fixtures/corpus/`. Each is loaded into a
//! database of its own; `inspect --json` is compared object by object with what `pg_catalog`
//! says, and `lint` with the expected findings kept beside the schema (`NAME.expected`).
//!
//! After an intended change to the rules, `UPDATE_EXPECTED=1 cargo test --test corpus`
//! rewrites the expected files; review the diff.
mod common;

use common::{TestDb, assert_success, cli, test_db};
use serde_json::Value;
use tokio_postgres::SimpleQueryMessage;

const USER_SCHEMA: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
                           AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

async fn lines(db: &TestDb, sql: &str) -> Vec<String> {
    let sql = sql.replace("$USER_SCHEMA", USER_SCHEMA);
    let mut out: Vec<String> = db
        .simple_query(&sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or_default().to_owned()),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn each<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v[key].as_array().into_iter().flatten()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// One line per object and kind, from the JSON.
fn from_json(json: &Value, kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in each(json, "tables") {
        let name = format!("{}.{}", s(&t["schema"]), s(&t["name"]));
        match kind {
            "relations" => out.push(format!(
                "{name} {} rls={} forced={}",
                s(&t["kind"]),
                t["rls_enabled"],
                t["rls_forced"]
            )),
            "columns" => {
                for c in each(t, "columns") {
                    out.push(format!(
                        "{name}.{} | {} | null={} | default={} | generated={} | identity={}",
                        s(&c["name"]),
                        s(&c["type"]),
                        c["nullable"],
                        s(&c["default"]),
                        s(&c["generated"]),
                        s(&c["identity"])
                    ));
                }
            }
            "constraints" => {
                if let Some(pk) = t["primary_key"].as_object() {
                    out.push(format!("{name} {} p", s(&pk["name"])));
                }
                for u in each(t, "unique_constraints") {
                    out.push(format!("{name} {} u", s(&u["name"])));
                }
                for c in each(t, "check_constraints").chain(each(t, "exclusion_constraints")) {
                    out.push(format!("{name} {} {}", s(&c["name"]), s(&c["definition"])));
                }
                for f in each(t, "foreign_keys") {
                    let cols = |k: &str| {
                        f[k].as_array()
                            .unwrap()
                            .iter()
                            .map(s)
                            .collect::<Vec<_>>()
                            .join(",")
                    };
                    out.push(format!(
                        "{name} {} f ({}) -> {}.{}({}) {} {}",
                        s(&f["name"]),
                        cols("columns"),
                        s(&f["references_schema"]),
                        s(&f["references_table"]),
                        cols("references_columns"),
                        s(&f["on_delete"]),
                        s(&f["on_update"])
                    ));
                }
            }
            "indexes" => {
                for i in each(t, "indexes") {
                    out.push(format!(
                        "{name} {} | {}",
                        s(&i["name"]),
                        s(&i["definition"])
                    ));
                }
            }
            "policies" => {
                for p in each(t, "policies") {
                    let roles: Vec<String> = each(p, "roles").map(s).collect();
                    out.push(format!(
                        "{name} {} | {} | {} | {} | {} | {}",
                        s(&p["name"]),
                        if p["permissive"] == true {
                            "PERMISSIVE"
                        } else {
                            "RESTRICTIVE"
                        },
                        s(&p["command"]),
                        roles.join(","),
                        s(&p["using"]),
                        s(&p["with_check"])
                    ));
                }
            }
            "triggers" => {
                for tr in each(t, "triggers") {
                    out.push(format!(
                        "{name} {} | {}",
                        s(&tr["name"]),
                        s(&tr["definition"])
                    ));
                }
            }
            "views" if !t["view_definition"].is_null() => {
                out.push(format!("{name} | {}", s(&t["view_definition"])));
            }
            "grants" => {
                for g in each(t, "grants") {
                    out.push(format!(
                        "{name} {} {}",
                        s(&g["grantee"]),
                        s(&g["privilege"])
                    ));
                }
            }
            "replica_identity" => {
                if matches!(s(&t["kind"]).as_str(), "table" | "partitioned_table") {
                    let identity = match &t["replica_identity"] {
                        Value::String(v) => v.clone(),
                        Value::Null => "default".into(),
                        other => format!("index:{}", s(&other["index"])),
                    };
                    out.push(format!("{name} {identity}"));
                }
            }
            _ => {}
        }
    }
    match kind {
        "functions" => {
            for f in each(json, "functions") {
                let grantees = sorted(
                    each(f, "grants")
                        .filter(|g| g["privilege"] == "EXECUTE")
                        .map(|g| s(&g["grantee"]))
                        .collect(),
                );
                out.push(format!(
                    "{}.{}({}) definer={} | {}",
                    s(&f["schema"]),
                    s(&f["name"]),
                    s(&f["identity_args"]),
                    f["security_definer"],
                    grantees.join(",")
                ));
            }
        }
        "enums" => {
            for e in each(json, "enums") {
                let labels: Vec<String> = each(e, "labels").map(s).collect();
                out.push(format!(
                    "{}.{} {}",
                    s(&e["schema"]),
                    s(&e["name"]),
                    labels.join(",")
                ));
            }
        }
        "publications" => {
            for p in each(json, "publications") {
                let tables: Vec<String> = each(p, "tables")
                    .map(|t| format!("{}.{}", s(&t["schema"]), s(&t["name"])))
                    .collect();
                let ops: Vec<String> = each(p, "operations").map(s).collect();
                out.push(format!(
                    "{} {} {} {}",
                    s(&p["name"]),
                    p["all_tables"],
                    ops.join(","),
                    tables.join(",")
                ));
            }
        }
        _ => {}
    }
    sorted(out)
}

/// The same lines, from `pg_catalog` directly.
const CATALOG: &[(&str, &str)] = &[
    (
        "relations",
        "SELECT n.nspname || '.' || c.relname || ' ' || CASE c.relkind WHEN 'r' THEN 'table' \
           WHEN 'p' THEN 'partitioned_table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' \
           ELSE 'foreign_table' END || ' rls=' || c.relrowsecurity || ' forced=' || c.relforcerowsecurity \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA",
    ),
    (
        "columns",
        "SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' | ' \
           || format_type(a.atttypid, a.atttypmod) || ' | null=' || (NOT a.attnotnull) \
           || ' | default=' || CASE WHEN a.attgenerated = '' THEN coalesce(pg_get_expr(d.adbin, d.adrelid), '') ELSE '' END \
           || ' | generated=' || CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) ELSE '' END \
           || ' | identity=' || CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' ELSE '' END \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA",
    ),
    (
        "constraints",
        "SELECT n.nspname || '.' || c.relname || ' ' || co.conname || ' ' || CASE \
           WHEN co.contype IN ('p', 'u') THEN co.contype::text \
           WHEN co.contype = 'f' THEN 'f (' || (SELECT string_agg(a.attname, ',' ORDER BY k.i) \
               FROM unnest(co.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n) \
             || ') -> ' || fn.nspname || '.' || fc.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.i) \
               FROM unnest(co.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n) \
             || ') ' || CASE co.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' \
                 WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END \
             || ' ' || CASE co.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' \
                 WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END \
           ELSE pg_get_constraintdef(co.oid, true) END \
         FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class fc ON fc.oid = co.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
         WHERE co.contype IN ('p', 'u', 'c', 'f', 'x') AND $USER_SCHEMA",
    ),
    (
        "indexes",
        "SELECT n.nspname || '.' || c.relname || ' ' || ic.relname || ' | ' || pg_get_indexdef(i.indexrelid) \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'm', 'f') AND $USER_SCHEMA",
    ),
    (
        "policies",
        "SELECT p.schemaname || '.' || p.tablename || ' ' || p.policyname || ' | ' || p.permissive \
           || ' | ' || p.cmd || ' | ' || (SELECT string_agg(r, ',' ORDER BY r) FROM unnest(p.roles) r) \
           || ' | ' || coalesce(p.qual, '') || ' | ' || coalesce(p.with_check, '') \
         FROM pg_policies p",
    ),
    (
        "triggers",
        "SELECT n.nspname || '.' || c.relname || ' ' || t.tgname || ' | ' || pg_get_triggerdef(t.oid) \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal AND $USER_SCHEMA",
    ),
    (
        "views",
        "SELECT n.nspname || '.' || c.relname || ' | ' || pg_get_viewdef(c.oid, true) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND $USER_SCHEMA",
    ),
    (
        "grants",
        "SELECT DISTINCT n.nspname || '.' || c.relname || ' ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
           ELSE pg_get_userbyid(a.grantee) END || ' ' || a.privilege_type \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA",
    ),
    (
        "replica_identity",
        "SELECT n.nspname || '.' || c.relname || ' ' || CASE c.relreplident WHEN 'd' THEN 'default' \
           WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full' ELSE 'index:' || (SELECT ic.relname FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident) END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND $USER_SCHEMA",
    ),
    (
        "functions",
        "SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') definer=' \
           || p.prosecdef || ' | ' || coalesce((SELECT string_agg(g, ',' ORDER BY g) FROM ( \
             SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS g \
             FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a \
             WHERE a.privilege_type = 'EXECUTE') x), '') \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE $USER_SCHEMA",
    ),
    (
        "enums",
        "SELECT n.nspname || '.' || t.typname || ' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) \
           FROM pg_enum e WHERE e.enumtypid = t.oid) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND $USER_SCHEMA",
    ),
    (
        "publications",
        "SELECT p.pubname || ' ' || p.puballtables || ' ' || concat_ws(',', \
           CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END, \
           CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END) || ' ' \
           || coalesce((SELECT string_agg(t.schemaname || '.' || t.tablename, ',' ORDER BY t.schemaname, t.tablename) \
             FROM pg_publication_tables t WHERE t.pubname = p.pubname AND NOT p.puballtables), '') \
         FROM pg_publication p",
    ),
];

/// `level rule object`, one finding a line, as `lint --json` reports them.
fn lint_lines(url: &str) -> String {
    let out = cli(url, &["lint", "--json"]);
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut text = String::new();
    for f in each(&json, "findings") {
        text.push_str(&format!(
            "{} {} {}\n",
            s(&f["level"]),
            s(&f["rule"]),
            s(&f["object"])
        ));
    }
    text
}

async fn check(name: &str) {
    let sql = std::fs::read_to_string(dir().join(format!("{name}.sql"))).unwrap();
    let db = test_db().await;
    db.batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{name}: {}", schemaforge::db::server_error::describe(&e)));
    // Deparsed names are schema-qualified, as the catalog read prints them.
    db.batch_execute("SET search_path = ''").await.unwrap();

    let out = cli(&db.url, &["inspect", "--json"]);
    assert_success(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (kind, sql) in CATALOG {
        let expected = lines(&db, sql).await;
        assert!(
            !expected.is_empty() || matches!(*kind, "publications" | "triggers" | "views"),
            "{name}: the corpus should exercise {kind}"
        );
        assert_eq!(from_json(&json, kind), expected, "{name}: {kind}");
    }

    let got = lint_lines(&db.url);
    let path = dir().join(format!("{name}.expected"));
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECTED=1 writes it)", path.display()));
    assert_eq!(
        got,
        expected,
        "{name}: lint differs from {}",
        path.display()
    );
}

#[tokio::test]
async fn chat_app() {
    check("chat_app").await;
}

#[tokio::test]
async fn team_billing() {
    check("team_billing").await;
}

#[tokio::test]
async fn learning_app() {
    check("learning_app").await;
}

#[tokio::test]
async fn storage_files() {
    check("storage_files").await;
}

#[tokio::test]
async fn marketplace() {
    check("marketplace").await;
}
