//! The rows the catalog queries return.
//!
//! Each row struct lists its fields in the order its query's `json_build_array` puts them
//! (`queries.rs`); serde reads a JSON array into a struct positionally. `assemble.rs` turns
//! them into the model.

use serde::Deserialize;

/// An object id. PostgreSQL's JSON functions print `oid` values as strings (`"16384"`), so
/// this reads either a string or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Oid(pub u32);

impl<'de> Deserialize<'de> for Oid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Oid, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Oid;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an oid")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Oid, E> {
                u32::try_from(v).map(Oid).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Oid, E> {
                v.parse().map(Oid).map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct MetaRow {
    pub version: String,
    pub version_num: i32,
    pub database: String,
    pub user: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleRow {
    pub oid: Oid,
    pub name: String,
    pub login: bool,
    pub bypass_rls: bool,
    pub superuser: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SchemaRow {
    pub oid: Oid,
    pub name: String,
    pub owner: String,
    pub usage: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RelationRow {
    pub oid: Oid,
    pub schema_oid: Oid,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    pub reltuples: f64,
    pub options: Option<Vec<String>>,
    pub comment: Option<String>,
    pub partition_bound: Option<String>,
    pub parent_oid: Option<Oid>,
    pub partition_key: Option<String>,
    pub view_definition: Option<String>,
    #[serde(default)]
    pub grants: Option<Vec<(String, String)>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ColumnRow {
    pub rel: Oid,
    pub position: i16,
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub identity: String,
    pub generated: String,
    pub comment: Option<String>,
    pub type_oid: Oid,
    pub collation: Oid,
    /// `quote_ident(attname)`, for index definitions put together on the client.
    pub quoted: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ConstraintRow {
    pub rel: Oid,
    pub name: String,
    pub kind: String,
    pub keys: Option<Vec<i16>>,
    pub foreign_rel: Oid,
    pub foreign_keys: Option<Vec<i16>>,
    pub on_delete: String,
    pub on_update: String,
    pub definition: Option<String>,
    pub deferrable: bool,
    pub deferred: bool,
    pub validated: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct IndexRow {
    pub rel: Oid,
    pub name: String,
    /// `pg_get_indexdef`, for the indexes the client does not put together itself.
    pub definition: Option<String>,
    pub unique: bool,
    pub primary: bool,
    pub keys: Vec<i16>,
    pub key_count: i16,
    /// Every key column's text, present only when some key is an expression.
    pub key_texts: Option<Vec<String>>,
    /// `name ON [ONLY] schema.table USING method`, quoted by the server.
    pub head: String,
    pub method: String,
    pub classes: Vec<Oid>,
    pub collations: Vec<Oid>,
    pub options: Vec<i16>,
    /// `indisvalid`: false after a failed `CREATE INDEX CONCURRENTLY`.
    pub valid: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OpclassRow {
    pub oid: Oid,
    /// Quoted, and schema-qualified unless in `pg_catalog`.
    pub name: String,
    pub method: Oid,
    pub input_type: Oid,
    pub default: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CollationRow {
    pub oid: Oid,
    /// Quoted, and schema-qualified unless in `pg_catalog`.
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PolicyRow {
    pub rel: Oid,
    pub name: String,
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<Oid>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TriggerRow {
    pub rel: Oid,
    pub name: String,
    pub definition: String,
    pub function_schema: String,
    pub function: String,
    pub enabled: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct FunctionRow {
    pub schema: String,
    pub name: String,
    pub identity_args: String,
    pub result: Option<String>,
    pub language: String,
    pub kind: String,
    pub security_definer: bool,
    pub volatility: String,
    pub config: Option<Vec<String>>,
    pub extension: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ExtensionRow {
    pub name: String,
    pub version: String,
    pub schema: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct FunctionAclRow {
    pub schema: String,
    pub name: String,
    pub identity_args: String,
    pub grants: Option<Vec<(String, String)>>,
    pub body: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MembershipRow {
    pub member: String,
    pub role: String,
    pub inherit: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PublicationRow {
    pub name: String,
    pub all_tables: bool,
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    pub truncate: bool,
    pub tables: Option<Vec<(String, String)>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ReplicaIdentityRow {
    pub rel: Oid,
    pub code: String,
    pub index: Option<String>,
}

/// What an index definition needs to know about a column.
pub struct IndexColumn {
    pub type_oid: Oid,
    pub collation: Oid,
    pub quoted: String,
}

/// A row of `storage.buckets`.
#[derive(Debug, Deserialize)]
pub struct BucketRow {
    pub id: String,
    pub public: bool,
    pub file_size_limit: Option<i64>,
    pub allowed_mime_types: Option<Vec<String>>,
}

/// Everything the queries returned; a kind that could not be read stays empty.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    pub meta: Option<MetaRow>,
    pub roles: Vec<RoleRow>,
    pub schemas: Vec<SchemaRow>,
    pub relations: Vec<RelationRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub opclasses: Vec<OpclassRow>,
    pub collations: Vec<CollationRow>,
    pub policies: Vec<PolicyRow>,
    pub triggers: Vec<TriggerRow>,
    pub functions: Vec<FunctionRow>,
    pub enums: Vec<EnumRow>,
    pub extensions: Vec<ExtensionRow>,
    pub function_acl: Vec<FunctionAclRow>,
    pub memberships: Vec<MembershipRow>,
    pub publications: Vec<PublicationRow>,
    pub buckets: Vec<super::model::StorageBucket>,
    pub cron_jobs: Vec<super::cron::CronJob>,
    pub replica_identity: Vec<ReplicaIdentityRow>,
    pub lock_table: Option<super::model::LockTable>,
}

impl Rows {
    /// Parses one query's JSON into its kind. `null` (an empty `json_agg`) is no rows.
    pub fn absorb(&mut self, kind: &str, json: Option<&str>) -> Result<(), serde_json::Error> {
        fn list<T: serde::de::DeserializeOwned>(
            json: Option<&str>,
        ) -> Result<Vec<T>, serde_json::Error> {
            match json {
                Some(text) => Ok(serde_json::from_str::<Option<Vec<T>>>(text)?.unwrap_or_default()),
                None => Ok(Vec::new()),
            }
        }
        match kind {
            "meta" => self.meta = json.map(serde_json::from_str).transpose()?,
            "roles" => self.roles = list(json)?,
            "schemas" => self.schemas = list(json)?,
            "relations" => self.relations = list(json)?,
            "columns" => self.columns = list(json)?,
            "constraints" => self.constraints = list(json)?,
            "indexes" => self.indexes = list(json)?,
            "opclasses" => self.opclasses = list(json)?,
            "collations" => self.collations = list(json)?,
            "policies" => self.policies = list(json)?,
            "triggers" => self.triggers = list(json)?,
            "functions" => self.functions = list(json)?,
            "enums" => self.enums = list(json)?,
            "extensions" => self.extensions = list(json)?,
            "function_acl" => self.function_acl = list(json)?,
            "memberships" => self.memberships = list(json)?,
            "publications" => self.publications = list(json)?,
            "buckets" => {
                let rows: Vec<BucketRow> = list(json)?;
                self.buckets = rows
                    .into_iter()
                    .map(|r| super::model::StorageBucket {
                        id: r.id,
                        public: r.public,
                        file_size_limit: r.file_size_limit,
                        allowed_mime_types: r.allowed_mime_types,
                    })
                    .collect();
            }
            "cron_jobs" => {
                let rows: Vec<(String, String, String)> = list(json)?;
                self.cron_jobs = rows
                    .into_iter()
                    .map(|(name, schedule, command)| super::cron::CronJob {
                        name,
                        schedule,
                        command,
                    })
                    .collect();
            }
            "replica_identity" => self.replica_identity = list(json)?,
            "lock_table" => self.lock_table = json.map(serde_json::from_str).transpose()?,
            _ => {}
        }
        Ok(())
    }
}
