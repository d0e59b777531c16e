//! The catalog queries: one set-based `SELECT` per kind of object, each answering with one
//! row `(kind, json)` whose JSON the server builds with `json_agg`.
//!
//! Rows are JSON arrays, not objects: positional rows are about half the bytes, and serde
//! reads an array into a struct field by field (`rows.rs` keeps the order). None of these
//! use bind parameters, so they run over the simple-query protocol and through
//! transaction-mode poolers.
//!
//! Speed notes, measured at 5,000 tables: any deparse with a relation context
//! (`pg_get_expr(x, relid)`) opens the relation and builds its relcache entry, which costs
//! about 50–90 µs per table the first time in a session. Column defaults never refer to
//! columns, so they are deparsed with relid 0 and skip that; generated columns, policies
//! and CHECK constraints do refer to columns and need it.

/// Schemas schemaforge never shows: the system's own and the per-session temporary ones.
const USER_SCHEMA: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
                           AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

/// Every kind the reader asks for, in order, with its query.
pub fn all() -> Vec<(&'static str, String)> {
    all_skipping(&[])
}

/// [`all`], reading only the names of the relations in `locked` (and nothing that would
/// make the server open them): another session holds them locked, and a deparse with a
/// relation context (`pg_get_expr(x, relid)`, `pg_get_viewdef`, `pg_get_indexdef`, …) waits
/// for that lock.
pub fn all_skipping(locked: &[u32]) -> Vec<(&'static str, String)> {
    all_where_details(&unlocked(locked), "true", &unlocked(locked))
}

fn unlocked(locked: &[u32]) -> String {
    if locked.is_empty() {
        "true".to_owned()
    } else {
        let oids: Vec<String> = locked.iter().map(u32::to_string).collect();
        format!("c.oid <> ALL ('{{{}}}'::pg_catalog.oid[])", oids.join(","))
    }
}

/// [`all_skipping`] for only the named tables (`(schema, name)`): these relations with their
/// columns, constraints, indexes, policies and triggers, and the catalog-wide kinds (roles,
/// schemas, functions, …); no other relation, not even by name. What an apply touched is
/// re-read this way instead of the whole catalog (`reread::with_details_from` keeps the rest).
pub fn all_for_tables(tables: &[(String, String)], locked: &[u32]) -> Vec<(&'static str, String)> {
    if tables.is_empty() {
        return all_where_details("false", "false", &unlocked(locked));
    }
    // By oid, so the detail queries reach the rows through the catalogs' oid indexes
    // instead of filtering every row by name; `to_regclass` is null for a name that is gone.
    let oids: Vec<String> = tables
        .iter()
        .map(|(schema, name)| {
            format!(
                "pg_catalog.to_regclass({})",
                crate::sql::literal(&crate::sql::qualified(schema, name))
            )
        })
        .collect();
    let only = format!("c.oid = ANY (ARRAY[{}]::pg_catalog.oid[])", oids.join(", "));
    all_where_details(
        &format!("{only} AND {}", unlocked(locked)),
        &only,
        &unlocked(locked),
    )
}

/// The names only — schemas and relations with their RLS flag and row estimate — in one
/// cheap query each: nothing is deparsed, so no table is opened and no lock is waited for.
/// Enough to draw the tree.
pub fn names() -> Vec<(&'static str, String)> {
    vec![
        ("meta", META.to_owned()),
        ("schemas", with_filter(SCHEMAS)),
        ("relations", with_filter(RELATION_NAMES)),
    ]
}

/// The detail stages of a staged read, in the order they are read after [`names`]: what the
/// detail pane calls each while it loads, and its kinds. With the names' `meta` and
/// `schemas` they are [`all`]'s kinds, each once (`relations` again, now with its deparsed
/// parts), so the rows of one snapshot put together are what [`all`] reads.
pub const STAGES: &[(&str, &[&str])] = &[
    (
        "columns",
        &[
            "roles",
            "relations",
            "columns",
            "opclasses",
            "collations",
            "enums",
            "extensions",
            "memberships",
            "lock_table",
        ],
    ),
    ("keys", &["constraints"]),
    ("indexes", &["indexes", "replica_identity"]),
    ("policies", &["policies"]),
    ("triggers", &["triggers"]),
    (
        "functions",
        &[
            "functions",
            "function_acl",
            "publications",
            "buckets",
            "cron_jobs",
        ],
    ),
];

/// The queries of one of [`STAGES`]' kind lists, as [`all`] has them.
pub fn stage(kinds: &[&str]) -> Vec<(&'static str, String)> {
    all()
        .into_iter()
        .filter(|(k, _)| kinds.contains(k))
        .collect()
}

/// One table and its neighbours by foreign key, either way, as `[[schema, name], …]`: what
/// [`all_for_tables`] must read for that table's keys to name their targets.
pub fn with_neighbours(schema: &str, name: &str) -> String {
    let table = format!(
        "pg_catalog.to_regclass({})",
        crate::sql::literal(&crate::sql::qualified(schema, name))
    );
    format!(
        "SELECT 'neighbours', json_agg(json_build_array(n.nspname, c.relname)) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = {table} OR c.oid IN (SELECT co.confrelid FROM pg_catalog.pg_constraint co \
           WHERE co.contype = 'f' AND co.conrelid = {table} \
           UNION SELECT co.conrelid FROM pg_catalog.pg_constraint co \
           WHERE co.contype = 'f' AND co.confrelid = {table})"
    )
}

/// Every kind, the relations (and their replica identity) only where `relations` holds,
/// their details (and the deparse in `relations`) only where `details` holds (both SQL over
/// `c` and `n`). Bucket rows are catalog-wide: read unless `storage.buckets` is locked
/// (`unlocked`, over `c`).
fn all_where_details(
    details: &str,
    relations: &str,
    unlocked: &str,
) -> Vec<(&'static str, String)> {
    let (attoptions, attoptions_join) = if relations == "true" {
        ATTOPTIONS_ALL
    } else {
        ATTOPTIONS_EACH
    };
    let with_filter = |query: &str| {
        with_filter(query)
            .replace("$UNLOCKED", details)
            .replace("$RELATIONS", relations)
            .replace("$ATTOPTIONS_JOIN", attoptions_join)
            .replace("$ATTOPTIONS", attoptions)
    };
    vec![
        ("meta", META.to_owned()),
        ("roles", ROLES.to_owned()),
        ("schemas", with_filter(SCHEMAS)),
        ("relations", with_filter(RELATIONS)),
        ("columns", with_filter(COLUMNS)),
        ("constraints", with_filter(CONSTRAINTS)),
        ("opclasses", OPCLASSES.to_owned()),
        ("collations", COLLATIONS.to_owned()),
        ("indexes", with_filter(INDEXES)),
        ("policies", with_filter(POLICIES)),
        ("triggers", with_filter(TRIGGERS)),
        ("functions", with_filter(FUNCTIONS)),
        ("enums", with_filter(ENUMS)),
        ("extensions", EXTENSIONS.to_owned()),
        ("function_acl", with_filter(FUNCTION_ACL)),
        ("memberships", MEMBERSHIPS.to_owned()),
        ("publications", PUBLICATIONS.to_owned()),
        ("buckets", buckets().replace("$UNLOCKED", unlocked)),
        (
            "cron_jobs",
            super::cron::cron_jobs().replace("$UNLOCKED", unlocked),
        ),
        ("replica_identity", with_filter(REPLICA_IDENTITY)),
        ("lock_table", LOCK_TABLE.to_owned()),
    ]
}

fn with_filter(query: &str) -> String {
    query.replace("$USER_SCHEMA", USER_SCHEMA)
}

/// Opens the snapshot. `search_path = ''` makes every deparsed name schema-qualified (as
/// pg_dump prints them), so the text does not depend on the reading session's path.
pub const BEGIN: &str =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = ''";

pub const META: &str = "SELECT 'meta', json_build_array(current_setting('server_version'), \
     current_setting('server_version_num')::int, current_database(), current_user)";

/// The settings that size the server's shared lock table (see [`crate::catalog::LockTable`]).
pub const LOCK_TABLE: &str = "SELECT 'lock_table', json_build_array(\
     current_setting('max_locks_per_transaction')::int, current_setting('max_connections')::int, \
     current_setting('autovacuum_max_workers')::int, current_setting('max_worker_processes')::int, \
     current_setting('max_wal_senders')::int, current_setting('max_prepared_transactions')::int)";

/// The rows of a table that may not exist (`storage.buckets`, `cron.job`), as a JSON array
/// of `columns` arrays. A statement cannot name a table that may not exist, so `from` is run
/// by `query_to_xml` from a string, only where the catalog lists the table; the JSON travels
/// base64-encoded through the XML so no text in it is escaped, and is cut out of it by a
/// pattern rather than `xpath`, which only a server built with libxml has. `null` (no rows,
/// or no table) is none. A role that may not read the table reads none (the schema's
/// missing USAGE is already a warning). `columns`, `from` and `order` are schemaforge's own
/// SQL text, never a user's.
pub(crate) fn optional_table_rows(
    kind: &str,
    (schema, table): (&str, &str),
    columns: &str,
    from: &str,
    order: &str,
) -> String {
    let inner = crate::sql::literal(&format!(
        "SELECT pg_catalog.encode(pg_catalog.convert_to(pg_catalog.json_agg(\
         pg_catalog.json_build_array({columns}) ORDER BY {order})::text, 'UTF8'), 'base64') \
         AS j FROM {from}"
    ));
    let (kind, schema, table) = (
        crate::sql::literal(kind),
        crate::sql::literal(schema),
        crate::sql::literal(table),
    );
    format!(
        "SELECT {kind}, pg_catalog.convert_from(pg_catalog.decode(\
         NULLIF(pg_catalog.substring(pg_catalog.query_to_xml({inner}, false, true, '')::text, \
         '<j>([A-Za-z0-9+/=\\s]*)</j>'), ''), 'base64'), 'UTF8') \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = {schema} AND c.relname = {table} AND c.relkind IN ('r', 'p') \
           AND pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') \
           AND pg_catalog.has_table_privilege(c.oid, 'SELECT') AND $UNLOCKED"
    )
}

/// The rows of `storage.buckets`, when there is such a table.
fn buckets() -> String {
    optional_table_rows(
        "buckets",
        ("storage", "buckets"),
        "b.id, b.public, b.file_size_limit, b.allowed_mime_types",
        "storage.buckets b",
        "b.id",
    )
}

pub const ROLES: &str = "SELECT 'roles', json_agg(json_build_array(r.oid, r.rolname, \
     r.rolcanlogin, r.rolbypassrls, r.rolsuper)) FROM pg_catalog.pg_roles r";

const SCHEMAS: &str = "SELECT 'schemas', json_agg(json_build_array(n.oid, n.nspname, \
     pg_catalog.pg_get_userbyid(n.nspowner), pg_catalog.has_schema_privilege(n.oid, 'USAGE'), \
     d.description)) \
     FROM pg_catalog.pg_namespace n \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = n.oid \
       AND d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objsubid = 0 \
     WHERE $USER_SCHEMA";

const RELATIONS: &str = "SELECT 'relations', json_agg(json_build_array(c.oid, c.relnamespace, \
     c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner), c.relrowsecurity, \
     c.relforcerowsecurity, c.reltuples, c.reloptions, d.description, \
     CASE WHEN c.relispartition AND $UNLOCKED THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, \
     inh.inhparent, \
     CASE WHEN c.relkind = 'p' AND $UNLOCKED THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
     CASE WHEN c.relkind IN ('v', 'm') AND $UNLOCKED THEN pg_catalog.pg_get_viewdef(c.oid, true) END, \
     (SELECT json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
        ELSE pg_catalog.pg_get_userbyid(a.grantee) END, a.privilege_type)) \
      FROM pg_catalog.aclexplode(c.relacl) a))) \
     FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0 \
     LEFT JOIN pg_catalog.pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid \
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA AND $RELATIONS";

/// `RELATIONS` without anything that costs: the same positional row, deparsed parts null.
const RELATION_NAMES: &str = "SELECT 'relations', json_agg(json_build_array(c.oid, \
     c.relnamespace, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner), \
     c.relrowsecurity, c.relforcerowsecurity, c.reltuples, c.reloptions, NULL, NULL, NULL, NULL, \
     NULL, NULL)) \
     FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA";

const COLUMNS: &str = "SELECT 'columns', json_agg(json_build_array(a.attrelid, a.attnum, \
     a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
     pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END), \
     a.attidentity, a.attgenerated, d.description, a.atttypid, a.attcollation, pg_catalog.quote_ident(a.attname))) \
     FROM pg_catalog.pg_attribute a \
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum \
     WHERE a.attnum > 0 AND NOT a.attisdropped \
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND $USER_SCHEMA AND $UNLOCKED";

const CONSTRAINTS: &str = "SELECT 'constraints', json_agg(json_build_array(co.conrelid, \
     co.conname, co.contype, co.conkey, co.confrelid, co.confkey, co.confdeltype, \
     co.confupdtype, \
     CASE WHEN co.contype IN ('c', 'x') THEN pg_catalog.pg_get_constraintdef(co.oid, true) END, \
     co.condeferrable, co.condeferred, co.convalidated)) \
     FROM pg_catalog.pg_constraint co \
     JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE co.contype IN ('p', 'u', 'c', 'f', 'x') AND $USER_SCHEMA AND $UNLOCKED";

/// Index definitions are put together on the client (`index_def.rs`) for plain-column
/// indexes: `pg_get_indexdef` looks up each column's default operator class by scanning
/// `pg_opclass`, about 20–50 µs per index, which was a third of the whole read. The server
/// still prints the ones with expressions, a predicate, storage options, operator-class
/// options, an unusual access method, or a non-primary UNIQUE (for `NULLS NOT DISTINCT`,
/// a PostgreSQL 15 column this query avoids naming).
const INDEXES: &str = "SELECT 'indexes', json_agg(json_build_array(i.indrelid, ic.relname, \
     CASE WHEN i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR ic.reloptions IS NOT NULL \
       OR $ATTOPTIONS \
       OR am.amname NOT IN ('btree', 'hash', 'gist', 'gin', 'spgist', 'brin') \
       OR (i.indisunique AND NOT i.indisprimary) \
     THEN pg_catalog.pg_get_indexdef(i.indexrelid) END, \
     i.indisunique, i.indisprimary, i.indkey::pg_catalog.int2[], i.indnkeyatts, \
     CASE WHEN i.indexprs IS NOT NULL THEN ARRAY( \
       SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, false) \
       FROM pg_catalog.generate_series(1, i.indnkeyatts) k) END, \
     pg_catalog.quote_ident(ic.relname) || ' ON ' || CASE WHEN ic.relkind = 'I' THEN 'ONLY ' ELSE '' END \
       || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) \
       || ' USING ' || pg_catalog.quote_ident(am.amname), \
     am.amname, i.indclass::pg_catalog.oid[], \
     i.indcollation::pg_catalog.oid[], i.indoption::pg_catalog.int2[], i.indisvalid)) \
     FROM pg_catalog.pg_index i \
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
     JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     $ATTOPTIONS_JOIN \
     WHERE c.relkind IN ('r', 'p', 'm', 'f') AND $USER_SCHEMA AND $UNLOCKED";

/// Which indexes have column storage options, for the whole catalog: one pass over
/// `pg_attribute`, joined.
const ATTOPTIONS_ALL: (&str, &str) = (
    "ao.attrelid IS NOT NULL",
    "LEFT JOIN (SELECT DISTINCT attrelid FROM pg_catalog.pg_attribute \
     WHERE attoptions IS NOT NULL) ao ON ao.attrelid = i.indexrelid",
);

/// The same for a few tables' indexes: a look-up per index through `pg_attribute`'s index
/// (the pass over every column of the database took 50 ms at 5,000 tables).
const ATTOPTIONS_EACH: (&str, &str) = (
    "EXISTS (SELECT FROM pg_catalog.pg_attribute ao \
     WHERE ao.attrelid = i.indexrelid AND ao.attoptions IS NOT NULL)",
    "",
);

/// Operator classes and collations, to name the non-default ones in index definitions.
const OPCLASSES: &str = "SELECT 'opclasses', json_agg(json_build_array(oc.oid, \
     CASE WHEN n.nspname <> 'pg_catalog' THEN pg_catalog.quote_ident(n.nspname) || '.' ELSE '' END \
       || pg_catalog.quote_ident(oc.opcname), \
     oc.opcmethod, oc.opcintype, oc.opcdefault)) \
     FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_namespace n ON n.oid = oc.opcnamespace";

const COLLATIONS: &str = "SELECT 'collations', json_agg(json_build_array(co.oid, \
     CASE WHEN n.nspname <> 'pg_catalog' THEN pg_catalog.quote_ident(n.nspname) || '.' ELSE '' END \
       || pg_catalog.quote_ident(co.collname))) \
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace";

const POLICIES: &str = "SELECT 'policies', json_agg(json_build_array(p.polrelid, p.polname, \
     p.polcmd, p.polpermissive, p.polroles, pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
     pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))) \
     FROM pg_catalog.pg_policy p \
     JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE $USER_SCHEMA AND $UNLOCKED";

const TRIGGERS: &str = "SELECT 'triggers', json_agg(json_build_array(t.tgrelid, t.tgname, \
     pg_catalog.pg_get_triggerdef(t.oid), fn.nspname, p.proname, t.tgenabled <> 'D')) \
     FROM pg_catalog.pg_trigger t \
     JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid \
     JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace \
     WHERE NOT t.tgisinternal AND $USER_SCHEMA AND $UNLOCKED";

const FUNCTIONS: &str = "SELECT 'functions', json_agg(json_build_array(n.nspname, p.proname, \
     pg_catalog.pg_get_function_identity_arguments(p.oid), \
     CASE WHEN p.prokind IN ('f', 'w') THEN pg_catalog.pg_get_function_result(p.oid) END, \
     l.lanname, p.prokind, p.prosecdef, p.provolatile, p.proconfig, e.extname, d.description)) \
     FROM pg_catalog.pg_proc p \
     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
     JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
     LEFT JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
       AND dep.objid = p.oid AND dep.deptype = 'e' \
     LEFT JOIN pg_catalog.pg_extension e ON e.oid = dep.refobjid \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = p.oid \
       AND d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objsubid = 0 \
     WHERE $USER_SCHEMA";

const ENUMS: &str = "SELECT 'enums', json_agg(json_build_array(n.nspname, t.typname, \
     (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e \
      WHERE e.enumtypid = t.oid))) \
     FROM pg_catalog.pg_type t \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND $USER_SCHEMA";

pub const EXTENSIONS: &str = "SELECT 'extensions', json_agg(json_build_array(e.extname, \
     e.extversion, n.nspname)) \
     FROM pg_catalog.pg_extension e \
     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace";

/// Who may call each function, and the body of the ones whose names a `search_path` change
/// could resolve differently. A NULL ACL means the defaults (`acldefault`): EXECUTE for
/// PUBLIC and the owner, which is how most functions reach `anon`.
const FUNCTION_ACL: &str = "SELECT 'function_acl', json_agg(json_build_array(n.nspname, \
     p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), \
     (SELECT json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
        ELSE pg_catalog.pg_get_userbyid(a.grantee) END, a.privilege_type)) \
      FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a), \
     CASE WHEN l.lanname IN ('sql', 'plpgsql') AND p.prosrc <> '' THEN p.prosrc END)) \
     FROM pg_catalog.pg_proc p \
     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
     JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
     WHERE $USER_SCHEMA";

/// Role memberships; a member inherits its roles' privileges when it has `rolinherit`.
const MEMBERSHIPS: &str = "SELECT 'memberships', json_agg(json_build_array(\
     pg_catalog.pg_get_userbyid(m.member), pg_catalog.pg_get_userbyid(m.roleid), r.rolinherit)) \
     FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member";

/// Publications and the tables they name (expanded from `TABLES IN SCHEMA`; none listed for
/// `FOR ALL TABLES`).
const PUBLICATIONS: &str = "SELECT 'publications', json_agg(json_build_array(p.pubname, \
     p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, \
     (SELECT json_agg(json_build_array(pt.schemaname, pt.tablename)) \
      FROM pg_catalog.pg_publication_tables pt \
      WHERE pt.pubname = p.pubname AND NOT p.puballtables))) \
     FROM pg_catalog.pg_publication p";

/// Tables whose replica identity is not the default (the primary key).
const REPLICA_IDENTITY: &str = "SELECT 'replica_identity', json_agg(json_build_array(c.oid, \
     c.relreplident, (SELECT ic.relname FROM pg_catalog.pg_index i \
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
       WHERE i.indrelid = c.oid AND i.indisreplident))) \
     FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND c.relreplident <> 'd' AND $USER_SCHEMA AND $RELATIONS";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_stages_read_every_kind_once() {
        let mut staged: Vec<&str> = vec!["meta", "schemas"];
        for (_, kinds) in STAGES {
            staged.extend(kinds.iter());
        }
        let mut every: Vec<&str> = all().into_iter().map(|(k, _)| k).collect();
        let count = staged.len();
        staged.sort();
        staged.dedup();
        assert_eq!(count, staged.len(), "a kind read twice");
        every.sort();
        assert_eq!(staged, every);
        let names: Vec<&str> = names().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["meta", "schemas", "relations"]);
        let neighbours = with_neighbours("public", "it's");
        assert!(
            neighbours.contains("to_regclass('\"public\".\"it''s\"')"),
            "{neighbours}"
        );
    }

    #[test]
    fn every_query_is_filled_in_and_tagged_with_its_kind() {
        let only = all_for_tables(&[("public".into(), "it's".into())], &[]);
        for (kind, sql) in all()
            .into_iter()
            .chain(all_skipping(&[7, 8]))
            .chain(only)
            .chain(names())
        {
            assert!(
                !sql.contains("$UNLOCKED")
                    && !sql.contains("$RELATIONS")
                    && !sql.contains("$ATTOPTIONS"),
                "{kind}: lock filter not filled in"
            );
            assert!(
                !sql.contains("$USER_SCHEMA"),
                "{kind}: filter not filled in"
            );
            // Bucket rows arrive as JSON text decoded from the XML that carried it.
            let json = if kind == "buckets" || kind == "cron_jobs" {
                "pg_catalog.convert_from("
            } else {
                "json_"
            };
            assert!(
                sql.starts_with(&format!("SELECT '{kind}', {json}")),
                "{kind}: {sql}"
            );
            assert!(!sql.contains(';'), "{kind}: one statement each");
            assert!(!sql.contains("$1"), "{kind}: no bind parameters");
        }
        let skipping = all_skipping(&[7, 8]);
        let filtered = skipping
            .iter()
            .filter(|(_, sql)| sql.contains("c.oid <> ALL ('{7,8}'::pg_catalog.oid[])"))
            .count();
        assert_eq!(
            filtered, 8,
            "relations, the five detail kinds, the bucket rows and the cron jobs skip locked ones"
        );
    }
}
