//! The catalog reader against a real PostgreSQL: every object kind round-trips into the
//! model, names survive quoting, the flavour is detected, and the fingerprint behaves.

mod common;

use common::test_db;
use schemaforge::catalog::{
    self, Catalog, FkAction, FunctionKind, Identity, PolicyCommand, TableKind,
};

async fn read(client: &tokio_postgres::Client) -> Catalog {
    schemaforge::db::catalog::read(client)
        .await
        .unwrap_or_else(|e| panic!("reading the catalog: {e}"))
}

async fn exec(client: &tokio_postgres::Client, sql: &str) {
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}\n{}", schemaforge::db::server_error::describe(&e)));
}

const OBJECTS: &str = r#"
CREATE SCHEMA "Sales Ünï";
COMMENT ON SCHEMA "Sales Ünï" IS 'where orders live';
CREATE TYPE "Sales Ünï"."Order Status" AS ENUM ('new', 'paid', 'shipped');
CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;

CREATE TABLE "Sales Ünï"."Customers" (
  region text NOT NULL,
  "Number" int NOT NULL,
  "émail" public.citext UNIQUE,
  PRIMARY KEY (region, "Number")
);
CREATE TABLE "Sales Ünï"."Order ""Items""" (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  region text NOT NULL,
  customer_no int NOT NULL,
  status "Sales Ünï"."Order Status" NOT NULL DEFAULT 'new',
  qty int NOT NULL CHECK (qty > 0),
  price numeric(12,2) NOT NULL DEFAULT 0,
  total numeric GENERATED ALWAYS AS (qty * price) STORED,
  seq serial,
  created_by uuid DEFAULT auth.uid(),
  CONSTRAINT "Order Items customer" FOREIGN KEY (region, customer_no)
    REFERENCES "Sales Ünï"."Customers" (region, "Number") ON DELETE CASCADE ON UPDATE RESTRICT,
  CONSTRAINT order_items_qty_price UNIQUE (customer_no, qty)
);
COMMENT ON TABLE "Sales Ünï"."Order ""Items""" IS 'lines of an order';
COMMENT ON COLUMN "Sales Ünï"."Order ""Items""".qty IS 'how many';
CREATE INDEX "Order Items by status" ON "Sales Ünï"."Order ""Items""" (status, price DESC);
CREATE UNIQUE INDEX order_items_lower_region ON "Sales Ünï"."Order ""Items""" (lower(region)) WHERE qty > 10;
ALTER TABLE "Sales Ünï"."Order ""Items""" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Sales Ünï"."Order ""Items""" FORCE ROW LEVEL SECURITY;
CREATE POLICY "Owners read" ON "Sales Ünï"."Order ""Items""" FOR SELECT TO authenticated, anon
  USING (created_by = (SELECT auth.uid()));
CREATE POLICY "no big orders" ON "Sales Ünï"."Order ""Items""" AS RESTRICTIVE FOR INSERT
  WITH CHECK (qty < 1000);
CREATE POLICY everyone ON "Sales Ünï"."Order ""Items""" USING (true);

CREATE FUNCTION "Sales Ünï".touch() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = '' AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION "Sales Ünï".add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE
  AS $$ SELECT a + b $$;
CREATE PROCEDURE "Sales Ünï".noop() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TRIGGER "Touch It" BEFORE UPDATE ON "Sales Ünï"."Order ""Items"""
  FOR EACH ROW EXECUTE FUNCTION "Sales Ünï".touch();
CREATE TRIGGER off_trigger AFTER INSERT ON "Sales Ünï"."Order ""Items"""
  FOR EACH ROW EXECUTE FUNCTION "Sales Ünï".touch();
ALTER TABLE "Sales Ünï"."Order ""Items""" DISABLE TRIGGER off_trigger;

CREATE TABLE "Sales Ünï".events (id bigint NOT NULL, at timestamptz NOT NULL, body text)
  PARTITION BY RANGE (at);
CREATE TABLE "Sales Ünï".events_2024 PARTITION OF "Sales Ünï".events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX events_at ON "Sales Ünï".events (at);

CREATE VIEW "Sales Ünï".big_orders WITH (security_invoker = true) AS
  SELECT id, qty FROM "Sales Ünï"."Order ""Items""" WHERE qty > 100;
CREATE VIEW "Sales Ünï".plain_view AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW "Sales Ünï".order_counts AS
  SELECT region, count(*) AS n FROM "Sales Ünï"."Order ""Items""" GROUP BY region;
CREATE INDEX order_counts_region ON "Sales Ünï".order_counts (region);
"#;

#[tokio::test]
async fn every_object_kind_round_trips_into_the_model() {
    let db = test_db().await;
    exec(&db, OBJECTS).await;
    let cat = read(&db).await;
    assert!(cat.unreadable.is_empty(), "{:?}", cat.unreadable);
    assert!(cat.warnings.is_empty(), "{:?}", cat.warnings);
    assert_eq!(cat.stats.round_trips, 1);

    let s = "Sales Ünï";
    let schema = cat.schema(s).expect("the schema");
    assert!(!schema.managed && schema.usage);
    assert_eq!(schema.comment.as_deref(), Some("where orders live"));

    // Enums and extensions.
    let status = cat.enum_type(s, "Order Status").expect("the enum");
    assert_eq!(status.labels, ["new", "paid", "shipped"]);
    assert_eq!(cat.extension("citext").expect("citext").schema, "public");

    // Columns: types, nullability, defaults, identity, generated, comments, unicode.
    let customers = cat.table(s, "Customers").expect("Customers");
    assert_eq!(customers.kind, TableKind::Table);
    let email = customers.column("émail").expect("unicode column");
    assert_eq!(email.data_type, "public.citext");
    assert!(email.nullable);
    let pk = customers
        .primary_key
        .as_ref()
        .expect("composite primary key");
    assert_eq!(pk.columns, ["region", "Number"]);
    assert_eq!(customers.unique_constraints.len(), 1);
    assert_eq!(customers.unique_constraints[0].columns, ["émail"]);

    let items = cat.table(s, "Order \"Items\"").expect("a name with quotes");
    assert_eq!(items.comment.as_deref(), Some("lines of an order"));
    let names: Vec<&str> = items.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "region",
            "customer_no",
            "status",
            "qty",
            "price",
            "total",
            "seq",
            "created_by"
        ]
    );
    let id = items.column("id").unwrap();
    assert_eq!(id.identity, Some(Identity::Always));
    assert!(!id.nullable && id.default.is_none());
    let status_col = items.column("status").unwrap();
    assert_eq!(status_col.data_type, "\"Sales Ünï\".\"Order Status\"");
    assert_eq!(
        status_col.default.as_deref(),
        Some("'new'::\"Sales Ünï\".\"Order Status\"")
    );
    assert_eq!(
        items.column("qty").unwrap().comment.as_deref(),
        Some("how many")
    );
    assert_eq!(items.column("price").unwrap().data_type, "numeric(12,2)");
    let total = items.column("total").unwrap();
    assert_eq!(total.generated.as_deref(), Some("((qty)::numeric * price)"));
    assert!(total.default.is_none());
    assert!(
        items
            .column("seq")
            .unwrap()
            .default
            .as_deref()
            .unwrap()
            .starts_with("nextval("),
        "serial default"
    );
    assert_eq!(
        items.column("created_by").unwrap().default.as_deref(),
        Some("auth.uid()")
    );

    // Keys and constraints.
    assert_eq!(items.primary_key.as_ref().unwrap().columns, ["id"]);
    let fk = items
        .foreign_key("Order Items customer")
        .expect("composite FK");
    assert_eq!(fk.columns, ["region", "customer_no"]);
    assert_eq!(
        (fk.references_schema.as_str(), fk.references_table.as_str()),
        (s, "Customers")
    );
    assert_eq!(fk.references_columns, ["region", "Number"]);
    assert_eq!(fk.on_delete, FkAction::Cascade);
    assert_eq!(fk.on_update, FkAction::Restrict);
    assert_eq!(items.check_constraints.len(), 1);
    assert_eq!(items.check_constraints[0].definition, "CHECK (qty > 0)");
    assert_eq!(items.unique_constraints[0].columns, ["customer_no", "qty"]);

    // Indexes.
    let by_status = items.index("Order Items by status").expect("index");
    assert_eq!(by_status.columns, ["status", "price"]);
    assert!(!by_status.unique && !by_status.primary);
    assert!(
        by_status.definition.contains("(status, price DESC)"),
        "{}",
        by_status.definition
    );
    let lower = items.index("order_items_lower_region").unwrap();
    assert!(lower.unique);
    assert_eq!(lower.columns, ["lower(region)"]);
    assert!(
        lower.definition.ends_with("WHERE (qty > 10)"),
        "{}",
        lower.definition
    );
    assert!(
        items
            .indexes
            .iter()
            .any(|i| i.primary && i.columns == ["id"])
    );

    // Row-level security and policies with roles.
    assert!(items.rls_enabled && items.rls_forced);
    assert!(!customers.rls_enabled);
    let read = items.policy("Owners read").unwrap();
    assert_eq!(read.command, PolicyCommand::Select);
    assert!(read.permissive);
    assert_eq!(read.roles, ["anon", "authenticated"]);
    assert_eq!(
        read.using.as_deref(),
        Some("(created_by = ( SELECT auth.uid() AS uid))")
    );
    assert_eq!(read.with_check, None);
    let big = items.policy("no big orders").unwrap();
    assert_eq!(big.command, PolicyCommand::Insert);
    assert!(!big.permissive);
    assert_eq!(big.roles, ["public"]);
    assert_eq!(big.with_check.as_deref(), Some("(qty < 1000)"));
    assert_eq!(
        items.policy("everyone").unwrap().command,
        PolicyCommand::All
    );

    // Triggers.
    let touch = items.trigger("Touch It").unwrap();
    assert_eq!(
        (touch.function_schema.as_str(), touch.function.as_str()),
        (s, "touch")
    );
    assert!(touch.enabled);
    assert!(
        touch
            .definition
            .starts_with("CREATE TRIGGER \"Touch It\" BEFORE UPDATE")
    );
    assert!(!items.trigger("off_trigger").unwrap().enabled);

    // Functions.
    let touch_fn = cat.functions_named(s, "touch").next().unwrap();
    assert!(touch_fn.security_definer);
    assert_eq!(touch_fn.search_path(), Some("\"\""));
    assert_eq!(touch_fn.result.as_deref(), Some("trigger"));
    assert_eq!(touch_fn.language, "plpgsql");
    let add = cat.functions_named(s, "add").next().unwrap();
    assert_eq!(add.signature(), "add(a integer, b integer)");
    assert!(!add.security_definer && add.search_path().is_none());
    assert_eq!(add.volatility, "i");
    assert_eq!(
        cat.functions_named(s, "noop").next().unwrap().kind,
        FunctionKind::Procedure
    );
    assert!(
        cat.functions
            .iter()
            .any(|f| f.extension.as_deref() == Some("citext")),
        "extension functions are marked"
    );

    // Partitioned tables.
    let events = cat.table(s, "events").unwrap();
    assert_eq!(events.kind, TableKind::PartitionedTable);
    assert_eq!(events.partition_key.as_deref(), Some("RANGE (at)"));
    let part = cat.table(s, "events_2024").unwrap();
    assert_eq!(part.kind, TableKind::Table);
    let parent = part.partition_of.as_ref().unwrap();
    assert_eq!(
        (parent.schema.as_str(), parent.name.as_str()),
        (s, "events")
    );
    assert!(
        part.partition_bound
            .as_deref()
            .unwrap()
            .starts_with("FOR VALUES FROM ('2024-01-01")
    );
    assert!(
        events
            .index("events_at")
            .unwrap()
            .definition
            .contains("ON ONLY")
    );

    // Views and materialized views.
    let big_orders = cat.table(s, "big_orders").unwrap();
    assert_eq!(big_orders.kind, TableKind::View);
    assert!(big_orders.security_invoker);
    assert!(
        big_orders
            .view_definition
            .as_deref()
            .unwrap()
            .contains("qty > 100")
    );
    assert_eq!(big_orders.columns.len(), 2);
    assert!(!cat.table(s, "plain_view").unwrap().security_invoker);
    let counts = cat.table(s, "order_counts").unwrap();
    assert_eq!(counts.kind, TableKind::MaterializedView);
    assert_eq!(counts.columns[1].data_type, "bigint");
    assert_eq!(counts.indexes[0].name, "order_counts_region");
}

#[tokio::test]
async fn system_schemas_are_skipped_and_supabase_ones_marked_managed() {
    let db = test_db().await;
    exec(
        &db,
        "CREATE TEMP TABLE scratch (x int); CREATE TABLE public.mine (x int)",
    )
    .await;
    let cat = read(&db).await;
    for s in &cat.schemas {
        assert!(
            !s.name.starts_with("pg_") && s.name != "information_schema",
            "{} should be skipped",
            s.name
        );
    }
    assert!(cat.tables.iter().all(|t| t.name != "scratch"));
    assert!(cat.tables.iter().all(|t| t.schema != "pg_catalog"));
    assert!(cat.schema("auth").unwrap().managed);
    assert!(cat.is_managed("auth"));
    assert!(!cat.schema("public").unwrap().managed);
    assert!(cat.table("public", "mine").is_some());
    assert!(
        cat.table("auth", "users").is_some(),
        "managed schemas are read"
    );
}

#[tokio::test]
async fn flavour_detects_supabase_and_apply_postgrest_permissions() {
    let db = test_db().await;
    let cat = read(&db).await;
    let f = &cat.flavour;
    assert!(f.supabase);
    assert!(f.has_apply_postgrest_permissions);
    assert!(f.server_version_num >= 150000, "{f:?}");
    assert!(
        f.server_version
            .starts_with(&(f.server_version_num / 10000).to_string())
    );
    assert_eq!(f.user, "postgres");
    assert_eq!(f.database, db.name);

    exec(&db, "DROP FUNCTION public.apply_postgrest_permissions()").await;
    assert!(!read(&db).await.flavour.has_apply_postgrest_permissions);
    exec(&db, "DROP FUNCTION auth.uid() CASCADE").await;
    let plain = read(&db).await;
    assert!(
        !plain.flavour.supabase,
        "auth.users without auth.uid() is not Supabase"
    );
}

#[tokio::test]
async fn round_trips_do_not_grow_with_the_table_count() {
    let db = test_db().await;
    let few = read(&db).await;
    let mut sql = String::new();
    for i in 0..80 {
        sql.push_str(&format!(
            "CREATE TABLE public.t{i} (id int PRIMARY KEY, v text CHECK (v <> ''));\
             CREATE POLICY p ON public.t{i} USING (true);"
        ));
    }
    exec(&db, &sql).await;
    let many = read(&db).await;
    assert_eq!(many.tables.len(), few.tables.len() + 80);
    assert_eq!(few.stats.round_trips, 1);
    assert_eq!(many.stats, few.stats, "same round trips and statements");
}

#[tokio::test]
async fn fingerprint_is_stable_and_follows_structure_not_row_counts() {
    let db = test_db().await;
    exec(
        &db,
        "CREATE TABLE public.notes (id int PRIMARY KEY, body text); \
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;",
    )
    .await;
    let first = catalog::fingerprint(&read(&db).await);
    let other_session = db.connect_again().await;
    let second = catalog::fingerprint(&read(&other_session.client).await);
    assert_eq!(first, second, "two reads, two sessions, one fingerprint");

    exec(
        &db,
        "INSERT INTO public.notes SELECT g, 'x' FROM generate_series(1, 500) g; ANALYZE public.notes;",
    )
    .await;
    let analysed = read(&db).await;
    assert_eq!(
        analysed.table("public", "notes").unwrap().row_estimate,
        Some(500)
    );
    assert_eq!(
        catalog::fingerprint(&analysed),
        first,
        "row estimates are not structure"
    );

    exec(&db, "ALTER TABLE public.notes ADD COLUMN title text").await;
    let altered = catalog::fingerprint(&read(&db).await);
    assert_ne!(altered, first, "a new column changes it");

    exec(&db, "CREATE POLICY mine ON public.notes USING (true)").await;
    let with_policy = catalog::fingerprint(&read(&db).await);
    assert_ne!(with_policy, altered, "a new policy changes it");

    exec(&db, "ALTER POLICY mine ON public.notes USING (id > 0)").await;
    assert_ne!(
        catalog::fingerprint(&read(&db).await),
        with_policy,
        "so does a changed USING"
    );
}

/// Plain-column index definitions are put together on the client; each must read exactly
/// as the server's `pg_get_indexdef` prints it.
#[tokio::test]
async fn index_definitions_match_pg_get_indexdef_word_for_word() {
    let db = test_db().await;
    exec(&db, OBJECTS).await;
    exec(
        &db,
        r#"CREATE SCHEMA "Idx";
           CREATE TABLE "Idx"."T" (
             "user" text, "Order" varchar(20), n int, d date, t tsvector, r int4range,
             "group" text COLLATE "C", j jsonb, id int PRIMARY KEY, b int, uu uuid UNIQUE
           );
           CREATE INDEX plain ON "Idx"."T" ("user");
           CREATE INDEX coll ON "Idx"."T" ("user" COLLATE "C", "group");
           CREATE INDEX coll_back ON "Idx"."T" ("group" COLLATE "default");
           CREATE INDEX pattern ON "Idx"."T" ("user" text_pattern_ops, "Order" varchar_pattern_ops);
           CREATE INDEX varchar_default ON "Idx"."T" ("Order");
           CREATE INDEX "Desc Idx" ON "Idx"."T" (n DESC, d DESC NULLS LAST, b NULLS FIRST, id ASC);
           CREATE INDEX incl ON "Idx"."T" (n) INCLUDE ("user", d);
           CREATE INDEX h ON "Idx"."T" USING hash (n);
           CREATE INDEX g ON "Idx"."T" USING gin (t);
           CREATE INDEX jp ON "Idx"."T" USING gin (j jsonb_path_ops);
           CREATE INDEX gi ON "Idx"."T" USING gist (r);
           CREATE INDEX br ON "Idx"."T" USING brin (d);
           CREATE INDEX sp ON "Idx"."T" USING spgist (r);
           CREATE INDEX ff ON "Idx"."T" (n) WITH (fillfactor = 70);
           CREATE UNIQUE INDEX nnd ON "Idx"."T" (b) NULLS NOT DISTINCT;
           CREATE UNIQUE INDEX expr ON "Idx"."T" (lower("user"), n) WHERE n > 0;
           ALTER TABLE "Idx"."T" ADD CONSTRAINT "T_b_n_key" UNIQUE (b, n);
           CREATE TABLE "Idx".p (k int, v text) PARTITION BY LIST (k);
           CREATE TABLE "Idx".p1 PARTITION OF "Idx".p FOR VALUES IN (1);
           CREATE INDEX p_v ON "Idx".p (v DESC);"#,
    )
    .await;
    let cat = read(&db).await;
    let rows = db
        .simple_query(
            "SELECT n.nspname, c.relname, ic.relname, pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
        )
        .await
        .unwrap();
    // The test session's search_path differs from the reader's; qualify as the reader does.
    let mut compared = 0;
    for row in rows.iter().filter_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
        _ => None,
    }) {
        let (schema, table, index) = (
            row.get(0).unwrap(),
            row.get(1).unwrap(),
            row.get(2).unwrap(),
        );
        let ours = cat
            .table(schema, table)
            .and_then(|t| t.index(index))
            .unwrap_or_else(|| panic!("{schema}.{table} index {index} missing"));
        let theirs = common::scalar(
            &db,
            &format!(
                "SET search_path = ''; SELECT pg_get_indexdef({})",
                schemaforge::sql::literal(&format!(
                    "{}.{}",
                    schemaforge::sql::ident(schema),
                    schemaforge::sql::ident(index)
                )) + "::regclass"
            ),
        )
        .await
        .unwrap();
        assert_eq!(ours.definition, theirs, "{schema}.{index}");
        assert!(row.get(3).is_some());
        compared += 1;
    }
    db.batch_execute("RESET search_path").await.unwrap();
    assert!(compared >= 30, "{compared} indexes compared");
}
