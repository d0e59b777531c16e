//! `inspect` shows what a Supabase project's Realtime and RPC surface depends on:
//! publications and their tables, each table's replica identity, and who may EXECUTE each
//! function — in the tree and in `--json`, checked object by object against `pg_catalog`.
mod common;

use common::{assert_success, cli, test_db};
use tokio_postgres::SimpleQueryMessage;

const SCHEMA: &str = "
    CREATE TABLE public.messages (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
    CREATE TABLE public.rooms (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
    CREATE UNIQUE INDEX rooms_name_key ON public.rooms (name);
    ALTER TABLE public.rooms ALTER COLUMN name SET NOT NULL;
    ALTER TABLE public.rooms REPLICA IDENTITY USING INDEX rooms_name_key;
    ALTER TABLE public.messages REPLICA IDENTITY FULL;
    CREATE TABLE public.audit (at timestamptz DEFAULT now());
    ALTER TABLE public.audit REPLICA IDENTITY NOTHING;
    CREATE PUBLICATION supabase_realtime FOR TABLE public.messages, public.rooms;
    CREATE PUBLICATION inserts_only FOR TABLE public.audit WITH (publish = 'insert');
    CREATE FUNCTION public.room_count() RETURNS bigint LANGUAGE sql STABLE SET search_path = ''
        AS $$ SELECT count(*) FROM public.rooms $$;
    CREATE FUNCTION public.server_only() RETURNS void LANGUAGE sql SET search_path = '' AS $$ SELECT $$;
    REVOKE EXECUTE ON FUNCTION public.server_only() FROM PUBLIC, anon, authenticated;
    GRANT EXECUTE ON FUNCTION public.server_only() TO service_role;
";

async fn rows(db: &tokio_postgres::Client, sql: &str) -> Vec<Vec<String>> {
    db.simple_query(sql)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or_default().to_owned())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn publications_replica_identity_and_execute_grants_match_pg_catalog() {
    let db = test_db().await;
    db.batch_execute(SCHEMA).await.unwrap();
    let out = cli(&db.url, &["inspect", "--json"]);
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // Publications: name, operations and tables, as pg_publication_tables lists them.
    let expected = rows(
        &db,
        "SELECT p.pubname, concat_ws(',', CASE WHEN p.pubinsert THEN 'insert' END, \
           CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END, \
           CASE WHEN p.pubtruncate THEN 'truncate' END), \
           coalesce((SELECT string_agg(t.schemaname || '.' || t.tablename, ',' ORDER BY 1) \
             FROM pg_publication_tables t WHERE t.pubname = p.pubname), '') \
         FROM pg_publication p ORDER BY 1",
    )
    .await;
    let got: Vec<Vec<String>> = json["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let list = |key: &str, f: &dyn Fn(&serde_json::Value) -> String| {
                p[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(f)
                    .collect::<Vec<_>>()
                    .join(",")
            };
            vec![
                p["name"].as_str().unwrap().to_owned(),
                list("operations", &|o| o.as_str().unwrap().to_owned()),
                list("tables", &|t| {
                    format!(
                        "{}.{}",
                        t["schema"].as_str().unwrap(),
                        t["name"].as_str().unwrap()
                    )
                }),
            ]
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(expected[1][2], "public.messages,public.rooms");

    // Replica identity of every table.
    let expected = rows(
        &db,
        "SELECT c.relname, CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' \
           WHEN 'f' THEN 'full' ELSE 'index:' || (SELECT ic.relname FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident) END \
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1",
    )
    .await;
    let got: Vec<Vec<String>> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["schema"] == "public" && t["kind"] == "table")
        .map(|t| {
            let identity = match &t["replica_identity"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "default".into(),
                other => format!("index:{}", other["index"].as_str().unwrap()),
            };
            vec![t["name"].as_str().unwrap().to_owned(), identity]
        })
        .collect();
    assert_eq!(got, expected);

    // EXECUTE grants of every function in public, defaults included.
    let expected = rows(
        &db,
        "SELECT p.proname, string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
           ELSE pg_get_userbyid(a.grantee) END, ',' ORDER BY 1) \
         FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a \
         WHERE p.pronamespace = 'public'::regnamespace AND a.privilege_type = 'EXECUTE' \
         GROUP BY p.proname ORDER BY 1",
    )
    .await;
    let mut got: Vec<Vec<String>> = json["functions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["schema"] == "public")
        .map(|f| {
            let mut grantees: Vec<String> = f["grants"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["privilege"] == "EXECUTE")
                .map(|g| g["grantee"].as_str().unwrap().to_owned())
                .collect();
            grantees.sort();
            vec![f["name"].as_str().unwrap().to_owned(), grantees.join(",")]
        })
        .collect();
    got.sort();
    let mut expected = expected;
    for row in &mut expected {
        let mut parts: Vec<&str> = row[1].split(',').collect();
        parts.sort();
        row[1] = parts.join(",");
    }
    assert_eq!(got, expected);

    // The tree says the same.
    let out = cli(&db.url, &["inspect", "--schema", "public"]);
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Replica identity: FULL",
        "Replica identity: USING INDEX \"rooms_name_key\"",
        "Replica identity: NOTHING",
        "supabase_realtime (insert, update, delete, truncate): public.messages, public.rooms",
        "inserts_only (insert): public.audit",
        "EXECUTE: postgres, service_role",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}
