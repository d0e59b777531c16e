//! Fidelity: everything `pg_dump --schema-only` prints about tables, columns, foreign keys,
//! indexes, policies and triggers is also in `schemaforge inspect --json`.

mod common;
mod synthetic;

use std::collections::BTreeSet;

use common::test_db;

/// Splits `"My Schema".tbl` or `public."T"` into its unquoted parts; stops at the first
/// character that ends a name (space, `(`, `;`).
fn parse_qualified(text: &str) -> (Vec<String>, &str) {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let (part, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().map(|(_, n)| *n) == Some('"') {
                        out.push('"');
                        chars.next();
                    } else {
                        end = i + 1;
                        break;
                    }
                } else {
                    out.push(c);
                }
            }
            (out, &quoted[end..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            (rest[..end].to_owned(), &rest[end..])
        };
        parts.push(part);
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return (parts, after),
        }
    }
}

fn qualified(text: &str) -> (String, String) {
    let (parts, _) = parse_qualified(text);
    assert_eq!(parts.len(), 2, "expected schema.name in {text:?}");
    (parts[0].clone(), parts[1].clone())
}

fn name(text: &str) -> String {
    parse_qualified(text).0.remove(0)
}

/// What pg_dump printed, as (schema, table, object) triples.
#[derive(Default, Debug)]
struct Dumped {
    tables: BTreeSet<(String, String)>,
    columns: BTreeSet<(String, String, String)>,
    foreign_keys: BTreeSet<(String, String, String)>,
    indexes: BTreeSet<(String, String, String)>,
    index_definitions: BTreeSet<String>,
    policies: BTreeSet<(String, String, String)>,
    triggers: BTreeSet<(String, String, String)>,
    trigger_definitions: BTreeSet<String>,
}

fn parse_dump(dump: &str) -> Dumped {
    let mut d = Dumped::default();
    let lines: Vec<&str> = dump.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            let table = qualified(rest);
            d.tables.insert(table.clone());
            i += 1;
            while i < lines.len() && !lines[i].starts_with(')') {
                let col = lines[i].trim_start();
                if !col.starts_with("CONSTRAINT ") && !col.is_empty() {
                    d.columns
                        .insert((table.0.clone(), table.1.clone(), name(col)));
                }
                i += 1;
            }
        } else if let Some(rest) = line
            .strip_prefix("CREATE VIEW ")
            .or_else(|| line.strip_prefix("CREATE MATERIALIZED VIEW "))
        {
            d.tables.insert(qualified(rest));
        } else if let Some(rest) = line
            .strip_prefix("ALTER TABLE ONLY ")
            .or_else(|| line.strip_prefix("ALTER TABLE "))
        {
            let table = qualified(rest);
            if let Some(con) = lines
                .get(i + 1)
                .and_then(|next| next.trim_start().strip_prefix("ADD CONSTRAINT "))
            {
                let (parts, after) = parse_qualified(con);
                let after = after.trim_start();
                if after.starts_with("FOREIGN KEY") {
                    d.foreign_keys
                        .insert((table.0.clone(), table.1.clone(), parts[0].clone()));
                } else if after.starts_with("PRIMARY KEY") || after.starts_with("UNIQUE") {
                    // Printed as a constraint; its index has the same name.
                    d.indexes
                        .insert((table.0.clone(), table.1.clone(), parts[0].clone()));
                }
            }
        } else if line.starts_with("CREATE INDEX ") || line.starts_with("CREATE UNIQUE INDEX ") {
            let after_index = line.split_once("INDEX ").unwrap().1;
            let index = name(after_index);
            let on = after_index.split_once(" ON ").unwrap().1;
            let table = qualified(on.strip_prefix("ONLY ").unwrap_or(on));
            d.indexes.insert((table.0, table.1, index));
            d.index_definitions
                .insert(line.trim_end_matches(';').to_owned());
        } else if let Some(rest) = line.strip_prefix("CREATE POLICY ") {
            let (parts, after) = parse_qualified(rest);
            let table = qualified(after.strip_prefix(" ON ").unwrap());
            d.policies.insert((table.0, table.1, parts[0].clone()));
        } else if line.starts_with("CREATE TRIGGER ")
            || line.starts_with("CREATE CONSTRAINT TRIGGER ")
        {
            let after = line.split_once("TRIGGER ").unwrap().1;
            let trigger = name(after);
            let on = after.split_once(" ON ").unwrap().1;
            let table = qualified(on);
            d.triggers.insert((table.0, table.1, trigger));
            d.trigger_definitions
                .insert(line.trim_end_matches(';').to_owned());
        }
        i += 1;
    }
    d
}

fn missing<T: Ord + Clone + std::fmt::Debug>(dumped: &BTreeSet<T>, ours: &BTreeSet<T>) -> Vec<T> {
    dumped.difference(ours).cloned().collect()
}

#[tokio::test]
async fn inspect_json_holds_everything_pg_dump_prints() {
    let db = test_db().await;
    db.batch_execute(synthetic::PRELUDE).await.unwrap();
    for batch in synthetic::batches(40) {
        db.batch_execute(&batch).await.unwrap();
    }
    db.batch_execute(
        r#"CREATE SCHEMA "Mixed Case";
           CREATE TABLE "Mixed Case"."Ünïcode ""T""" (id int PRIMARY KEY, "Größe" text,
             t1 uuid REFERENCES public.t1 (id));
           CREATE INDEX "Mixed idx" ON "Mixed Case"."Ünïcode ""T""" ("Größe" DESC NULLS LAST);
           ALTER TABLE "Mixed Case"."Ünïcode ""T""" ENABLE ROW LEVEL SECURITY;
           CREATE POLICY "Read ""all""" ON "Mixed Case"."Ünïcode ""T""" FOR SELECT TO anon USING (true);
           CREATE TABLE public.log (id bigint, at date NOT NULL, t1 uuid REFERENCES public.t1 (id))
             PARTITION BY RANGE (at);
           CREATE TABLE public.log_2024 PARTITION OF public.log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
           CREATE INDEX log_at ON public.log (at);
           CREATE VIEW public.open_t1 WITH (security_invoker = true) AS SELECT id, title FROM public.t1 WHERE NOT done;
           CREATE MATERIALIZED VIEW public.t1_counts AS SELECT status, count(*) FROM public.t1 GROUP BY status;"#,
    )
    .await
    .unwrap();

    let sandbox = common::cluster();
    let dump = std::process::Command::new(sandbox.bin_dir.join("pg_dump"))
        .args(["--schema-only", "--no-owner", "--no-privileges", "--dbname"])
        .arg(&db.url)
        .output()
        .expect("run pg_dump");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dumped = parse_dump(&String::from_utf8(dump.stdout).unwrap());
    // The parser itself must have found things, or the comparison proves nothing.
    assert!(dumped.tables.len() >= 44, "{:?}", dumped.tables.len());
    assert!(dumped.columns.len() >= 40 * 15);
    assert!(dumped.foreign_keys.len() >= 40);
    assert!(dumped.indexes.len() >= 160);
    assert!(dumped.policies.len() >= 161);
    assert!(dumped.triggers.len() >= 40);
    assert!(
        dumped
            .tables
            .contains(&("Mixed Case".into(), "Ünïcode \"T\"".into()))
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(["inspect", "--json", "--db", &db.url])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run schemaforge inspect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let mut ours = Dumped::default();
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    for t in json["tables"].as_array().unwrap() {
        let (schema, table) = (text(&t["schema"]), text(&t["name"]));
        // The keys SPEC.md promises.
        for key in [
            "rls_enabled",
            "columns",
            "foreign_keys",
            "indexes",
            "policies",
            "triggers",
        ] {
            assert!(t.get(key).is_some(), "tables[].{key}");
        }
        ours.tables.insert((schema.clone(), table.clone()));
        let each = |list: &str, set: &mut BTreeSet<(String, String, String)>, keys: &[&str]| {
            for item in t[list].as_array().unwrap() {
                for key in keys {
                    assert!(item.get(*key).is_some(), "tables[].{list}[].{key}");
                }
                set.insert((schema.clone(), table.clone(), text(&item["name"])));
            }
        };
        each(
            "columns",
            &mut ours.columns,
            &["name", "type", "nullable", "default"],
        );
        each(
            "foreign_keys",
            &mut ours.foreign_keys,
            &[
                "columns",
                "references_schema",
                "references_table",
                "references_columns",
                "on_delete",
            ],
        );
        each("indexes", &mut ours.indexes, &["definition"]);
        each(
            "policies",
            &mut ours.policies,
            &["command", "roles", "using", "with_check"],
        );
        each("triggers", &mut ours.triggers, &["definition"]);
        for i in t["indexes"].as_array().unwrap() {
            ours.index_definitions.insert(text(&i["definition"]));
        }
        for tr in t["triggers"].as_array().unwrap() {
            ours.trigger_definitions.insert(text(&tr["definition"]));
        }
    }

    assert_eq!(
        missing(&dumped.tables, &ours.tables),
        Vec::<(String, String)>::new(),
        "tables"
    );
    assert_eq!(missing(&dumped.columns, &ours.columns), vec![], "columns");
    assert_eq!(
        missing(&dumped.foreign_keys, &ours.foreign_keys),
        vec![],
        "foreign keys"
    );
    assert_eq!(missing(&dumped.indexes, &ours.indexes), vec![], "indexes");
    assert_eq!(
        missing(&dumped.policies, &ours.policies),
        vec![],
        "policies"
    );
    assert_eq!(
        missing(&dumped.triggers, &ours.triggers),
        vec![],
        "triggers"
    );
    // Definitions are printed by the same server functions, so they match word for word.
    assert_eq!(
        missing(&dumped.index_definitions, &ours.index_definitions),
        Vec::<String>::new()
    );
    assert_eq!(
        missing(&dumped.trigger_definitions, &ours.trigger_definitions),
        Vec::<String>::new()
    );
}
