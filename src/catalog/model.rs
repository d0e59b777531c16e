//! The catalog model: what the database has, as plain serde values.
//!
//! Everything here is pure data with lookups; reading it from a server is `read.rs`'s job.
//! Lists are kept sorted by name (columns by position) so that two reads of the same
//! schema serialise to the same text, which the fingerprint relies on.

use serde::{Deserialize, Serialize};

/// Everything schemaforge knows about one database, read in one consistent snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub flavour: Flavour,
    pub schemas: Vec<Schema>,
    /// Tables, partitioned tables, views, materialized views and foreign tables.
    pub tables: Vec<Table>,
    pub functions: Vec<Function>,
    pub enums: Vec<Enum>,
    pub extensions: Vec<Extension>,
    /// Roles other than the built-in `pg_*` ones (policies name them).
    pub roles: Vec<Role>,
    /// Who is a member of whom (`GRANT authenticated TO app_user`): a policy or grant for a
    /// role reaches its members that inherit. Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_memberships: Vec<RoleMembership>,
    /// Publications (logical replication, Supabase Realtime's `supabase_realtime`). Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publications: Vec<Publication>,
    /// Rows of `storage.buckets` (Supabase Storage), by id; empty without a storage schema.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<StorageBucket>,
    /// Named rows of `cron.job` (pg_cron), by name; empty without a `cron.job` table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cron_jobs: Vec<super::cron::CronJob>,
    /// Things the reading role may see but not use, e.g. a schema without USAGE.
    pub warnings: Vec<String>,
    /// Parts of the catalog that could not be read at all, and the server's reason.
    pub unreadable: Vec<Unreadable>,
    /// Relations another session held locked past the lock timeout: listed by name, their
    /// details (columns, constraints, indexes, policies, triggers) not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<super::locks::LockedRelation>,
    /// How many locks the server has room for (not part of the fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_table: Option<LockTable>,
    /// How the catalog was read (not part of the fingerprint).
    pub stats: ReadStats,
    /// Canonical forms of expression texts met while planning against this catalog (a
    /// memo, not data: not serialised, compared or fingerprinted).
    #[serde(skip)]
    pub normalised: super::normalised::Normalised,
    /// Its fingerprint, once taken (not data; see `fingerprint`).
    #[serde(skip)]
    pub fingerprint_memo: super::fingerprint::FingerprintMemo,
}

/// The settings that size PostgreSQL's shared lock table. Every relation (and other object)
/// one transaction locks takes an entry until it ends, and the entries of all sessions share
/// one table; a transaction that needs more than is free fails with "out of shared memory".
///
/// Serialised as a positional array, as the catalog query sends it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockTable(
    /// `max_locks_per_transaction`
    pub i64,
    /// `max_connections`
    pub i64,
    /// `autovacuum_max_workers`
    pub i64,
    /// `max_worker_processes`
    pub i64,
    /// `max_wal_senders`
    pub i64,
    /// `max_prepared_transactions`
    pub i64,
);

impl LockTable {
    pub fn max_locks_per_transaction(&self) -> i64 {
        self.0
    }

    /// The server processes that get a share: PostgreSQL's `MaxBackends` (client
    /// connections, autovacuum workers and launcher, background workers, WAL senders).
    pub fn backends(&self) -> i64 {
        self.1 + self.2 + 1 + self.3 + self.4
    }

    /// Lock entries the shared table is sized for: `max_locks_per_transaction ×
    /// (MaxBackends + max_prepared_transactions)`, as `lock.c` sizes it. PostgreSQL's
    /// documentation rounds `MaxBackends` to `max_connections`; it is the floor of what one
    /// transaction can take when nothing else holds locks (spare shared memory may add a
    /// little).
    pub fn entries(&self) -> i64 {
        self.0 * (self.backends() + self.5)
    }
}

/// What kind of server this is; later phases choose SQL by it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flavour {
    /// `auth.users` and `auth.uid()` exist: a Supabase project or the shim.
    pub supabase: bool,
    /// `apply_postgrest_permissions()` exists, so the bundle ends by calling it.
    pub has_apply_postgrest_permissions: bool,
    /// `server_version`, e.g. `15.8`.
    pub server_version: String,
    /// `server_version_num`, e.g. `150008`.
    pub server_version_num: i32,
    pub database: String,
    /// The role the catalog was read as; privileges and warnings are relative to it.
    pub user: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStats {
    /// Client–server round trips the read took; it does not grow with the table count.
    pub round_trips: u32,
    /// SQL statements sent.
    pub statements: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// What could not be read, e.g. `policies`.
    pub object: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    pub owner: String,
    /// Supabase manages it (`auth`, `storage`, ...): read, shown, never designed in.
    pub managed: bool,
    /// The reading role has USAGE on it.
    pub usage: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
}

impl TableKind {
    /// The word psql's `\d` uses.
    pub fn label(self) -> &'static str {
        match self {
            TableKind::Table => "table",
            TableKind::PartitionedTable => "partitioned table",
            TableKind::View => "view",
            TableKind::MaterializedView => "materialized view",
            TableKind::ForeignTable => "foreign table",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub kind: TableKind,
    pub owner: String,
    pub comment: Option<String>,
    /// `pg_class.reltuples`: an estimate, absent before the first ANALYZE.
    pub row_estimate: Option<i64>,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// Storage options (`reloptions`), e.g. `security_invoker=true`.
    pub options: Vec<String>,
    /// Views only: `WITH (security_invoker = true)`, so RLS applies as the querying user.
    pub security_invoker: bool,
    /// Views and materialized views: the query.
    pub view_definition: Option<String>,
    /// Partitioned tables: `RANGE (created_at)`.
    pub partition_key: Option<String>,
    /// Partitions: the parent table.
    pub partition_of: Option<QualifiedName>,
    /// Partitions: `FOR VALUES FROM (...) TO (...)`.
    pub partition_bound: Option<String>,
    pub columns: Vec<Column>,
    pub primary_key: Option<KeyConstraint>,
    pub unique_constraints: Vec<KeyConstraint>,
    pub check_constraints: Vec<CheckConstraint>,
    pub exclusion_constraints: Vec<CheckConstraint>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
    pub policies: Vec<Policy>,
    pub triggers: Vec<Trigger>,
    /// Table privileges granted to roles (`PUBLIC` for everyone), from its ACL; sorted.
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// `REPLICA IDENTITY`: what an UPDATE or DELETE sends to subscribers (Realtime's old row).
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
}

/// `pg_class.relreplident`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key's columns.
    #[default]
    Default,
    Nothing,
    /// The whole old row.
    Full,
    /// The columns of the named unique index.
    Index(String),
}

impl ReplicaIdentity {
    /// Left out of the JSON (and so of the fingerprint) when it is the default.
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// As `ALTER TABLE … REPLICA IDENTITY` spells it.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".into(),
            ReplicaIdentity::Nothing => "NOTHING".into(),
            ReplicaIdentity::Full => "FULL".into(),
            ReplicaIdentity::Index(name) => format!("USING INDEX {}", crate::sql::ident(name)),
        }
    }
}

/// One privilege on a table held by one role, as `aclexplode` lists them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    pub grantee: String,
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES` or `TRIGGER`.
    pub privilege: String,
}

impl Table {
    /// A table with nothing in it yet: no columns, keys, policies or grants, RLS off.
    pub fn new(schema: impl Into<String>, name: impl Into<String>, kind: TableKind) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
            kind,
            owner: String::new(),
            comment: None,
            row_estimate: None,
            rls_enabled: false,
            rls_forced: false,
            options: Vec::new(),
            security_invoker: false,
            view_definition: None,
            partition_key: None,
            partition_of: None,
            partition_bound: None,
            columns: Vec::new(),
            primary_key: None,
            unique_constraints: Vec::new(),
            check_constraints: Vec::new(),
            exclusion_constraints: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            policies: Vec::new(),
            triggers: Vec::new(),
            grants: Vec::new(),
            replica_identity: ReplicaIdentity::Default,
        }
    }

    /// Whether `role` (or PUBLIC) holds `privilege` on this table directly.
    pub fn has_privilege(&self, role: &str, privilege: &str) -> bool {
        self.grants
            .iter()
            .any(|g| (g.grantee == role || g.grantee == "PUBLIC") && g.privilege == privilege)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name == name)
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    pub fn trigger(&self, name: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.name == name)
    }

    pub fn foreign_key(&self, name: &str) -> Option<&ForeignKey> {
        self.foreign_keys.iter().find(|f| f.name == name)
    }

    pub fn is_view(&self) -> bool {
        matches!(self.kind, TableKind::View | TableKind::MaterializedView)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// `pg_attribute.attnum`: the column's position.
    pub position: i16,
    /// As `format_type` prints it: `numeric(19,4)`, `timestamp with time zone`, `public.mood`.
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: bool,
    /// The default expression as the server prints it; never set for generated columns.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expression) STORED`: the expression.
    pub generated: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    #[serde(rename = "ALWAYS")]
    Always,
    #[serde(rename = "BY DEFAULT")]
    ByDefault,
}

/// A primary key or unique constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyConstraint {
    pub name: String,
    pub columns: Vec<String>,
}

/// A CHECK or EXCLUDE constraint, as `pg_get_constraintdef` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    pub name: String,
    pub definition: String,
    pub validated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub references_schema: String,
    pub references_table: String,
    pub references_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub validated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkAction {
    #[serde(rename = "NO ACTION")]
    NoAction,
    #[serde(rename = "RESTRICT")]
    Restrict,
    #[serde(rename = "CASCADE")]
    Cascade,
    #[serde(rename = "SET NULL")]
    SetNull,
    #[serde(rename = "SET DEFAULT")]
    SetDefault,
}

impl FkAction {
    /// From `pg_constraint.confdeltype`/`confupdtype`.
    pub fn from_code(code: &str) -> FkAction {
        match code {
            "r" => FkAction::Restrict,
            "c" => FkAction::Cascade,
            "n" => FkAction::SetNull,
            "d" => FkAction::SetDefault,
            _ => FkAction::NoAction,
        }
    }

    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    /// The full `CREATE INDEX` statement as `pg_get_indexdef` prints it.
    pub definition: String,
    pub unique: bool,
    pub primary: bool,
    /// Key columns in order; an expression key appears as its expression text.
    pub columns: Vec<String>,
    /// Left by a failed `CREATE INDEX CONCURRENTLY`: queries never use it, writes still
    /// maintain it (and a unique one still refuses duplicates).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    /// From `pg_policy.polcmd`.
    pub fn from_code(code: &str) -> PolicyCommand {
        match code {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        }
    }

    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    pub command: PolicyCommand,
    pub permissive: bool,
    /// Role names; `public` when the policy applies to everyone.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    /// The full `CREATE TRIGGER` statement as `pg_get_triggerdef` prints it.
    pub definition: String,
    pub function_schema: String,
    pub function: String,
    pub enabled: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub schema: String,
    pub name: String,
    /// `pg_get_function_identity_arguments`: what `DROP FUNCTION name(...)` needs.
    pub identity_args: String,
    /// `pg_get_function_result`, e.g. `trigger` or `SETOF uuid`.
    pub result: Option<String>,
    pub language: String,
    pub kind: FunctionKind,
    pub security_definer: bool,
    /// `i`, `s` or `v`: immutable, stable, volatile.
    pub volatility: String,
    /// `proconfig`: settings applied while it runs, e.g. `search_path=""`.
    pub config: Vec<String>,
    /// The extension it belongs to, if any.
    pub extension: Option<String>,
    pub comment: Option<String>,
    /// Who may call it: `EXECUTE` grants from its ACL, the implicit ones included (a new
    /// function is executable by `PUBLIC`); sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// `prosrc` for SQL and PL/pgSQL functions: what a changed `search_path` would resolve
    /// differently. `None` for other languages and for SQL-standard bodies, which are bound
    /// when created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl Function {
    /// `name(args)`: how psql's `\df` and `DROP FUNCTION` name it.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args)
    }

    /// Whether `role` (directly or through `PUBLIC`) may call it.
    pub fn executable_by(&self, role: &str) -> bool {
        self.grants
            .iter()
            .any(|g| (g.grantee == role || g.grantee == "PUBLIC") && g.privilege == "EXECUTE")
    }

    /// The pinned `search_path`, if the function sets one (SECURITY DEFINER functions should).
    pub fn search_path(&self) -> Option<&str> {
        self.config
            .iter()
            .find_map(|c| c.strip_prefix("search_path="))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub version: String,
    pub schema: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub can_login: bool,
    pub bypass_rls: bool,
    pub superuser: bool,
}

/// `member` belongs to `role`; with `inherit` it has `role`'s privileges and policies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleMembership {
    pub member: String,
    pub role: String,
    pub inherit: bool,
}

/// A row of `storage.buckets`: what a design's bucket is planned against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageBucket {
    pub id: String,
    pub public: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size_limit: Option<i64>,
    /// `None`: any type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_mime_types: Option<Vec<String>>,
}

impl Catalog {
    /// The `storage.buckets` table buckets are rows of, when the database has one.
    pub fn has_storage(&self) -> bool {
        self.table("storage", "buckets").is_some() && self.table("storage", "objects").is_some()
    }

    pub fn bucket(&self, id: &str) -> Option<&StorageBucket> {
        self.buckets.iter().find(|b| b.id == id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub name: String,
    /// `FOR ALL TABLES`.
    pub all_tables: bool,
    /// The operations it publishes: `insert`, `update`, `delete`, `truncate`.
    pub operations: Vec<String>,
    /// The tables it names (empty with `all_tables`); sorted.
    pub tables: Vec<QualifiedName>,
}

impl Publication {
    pub fn publishes(&self, schema: &str, name: &str) -> bool {
        self.all_tables
            || self
                .tables
                .iter()
                .any(|t| t.schema == schema && t.name == name)
    }
}

impl Catalog {
    /// The roles whose privileges and policies reach `role`: itself and, transitively, every
    /// role it is an inheriting member of.
    pub fn roles_reaching(&self, role: &str) -> Vec<String> {
        let mut reached = vec![role.to_owned()];
        let mut i = 0;
        while i < reached.len() {
            for m in &self.role_memberships {
                if m.inherit && m.member == reached[i] && !reached.contains(&m.role) {
                    reached.push(m.role.clone());
                }
            }
            i += 1;
        }
        reached
    }

    /// Whether `role` is one PostgREST switches to: `anon`, `authenticated`, or a role that
    /// inherits from one of them.
    pub fn is_api_role(&self, role: &str) -> bool {
        self.roles_reaching(role)
            .iter()
            .any(|r| r == "anon" || r == "authenticated")
    }

    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.name == name)
    }

    /// A table, view or materialized view by schema and exact (unquoted) name.
    ///
    /// Tables are sorted by (schema, name), so this is a binary search.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .binary_search_by(|t| (t.schema.as_str(), t.name.as_str()).cmp(&(schema, name)))
            .ok()
            .map(|i| &self.tables[i])
    }

    pub fn tables_in<'a>(&'a self, schema: &'a str) -> impl Iterator<Item = &'a Table> + 'a {
        self.tables.iter().filter(move |t| t.schema == schema)
    }

    pub fn functions_in<'a>(&'a self, schema: &'a str) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions.iter().filter(move |f| f.schema == schema)
    }

    /// Every overload of a function.
    pub fn functions_named<'a>(
        &'a self,
        schema: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions
            .iter()
            .filter(move |f| f.schema == schema && f.name == name)
    }

    pub fn enum_type(&self, schema: &str, name: &str) -> Option<&Enum> {
        self.enums
            .iter()
            .find(|e| e.schema == schema && e.name == name)
    }

    pub fn extension(&self, name: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.name == name)
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// Whether `schema` is Supabase-managed (read-only in the UI); unknown schemas are
    /// judged by name.
    pub fn is_managed(&self, schema: &str) -> bool {
        self.schema(schema)
            .map(|s| s.managed)
            .unwrap_or_else(|| super::is_managed_schema(schema))
    }

    /// The lock that kept this relation's details from being read, if one did.
    pub fn lock_on(&self, schema: &str, name: &str) -> Option<&super::locks::LockedRelation> {
        self.locked
            .iter()
            .find(|l| l.schema == schema && l.name == name)
    }

    /// Keeps only the named schemas and what lives in them; roles, extensions and the
    /// flavour stay. An empty list keeps everything.
    pub fn restricted_to(mut self, schemas: &[String]) -> Catalog {
        if schemas.is_empty() {
            return self;
        }
        let keep = |s: &String| schemas.contains(s);
        self.fingerprint_memo.forget();
        self.schemas.retain(|s| keep(&s.name));
        self.tables.retain(|t| keep(&t.schema));
        self.functions.retain(|f| keep(&f.schema));
        self.enums.retain(|e| keep(&e.schema));
        self.locked.retain(|l| keep(&l.schema));
        self
    }
}
