//! The rows the catalog queries return, and their assembly into the [`Catalog`] model.
//!
//! Each row struct lists its fields in the order its query's `json_build_array` puts them
//! (`queries.rs`); serde reads a JSON array into a struct positionally. Assembly is pure:
//! rows in, catalog out, so it is unit-tested without a server.

use std::collections::HashMap;

use serde::Deserialize;

use super::model::*;

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

#[derive(Debug, Deserialize)]
pub struct MetaRow {
    pub version: String,
    pub version_num: i32,
    pub database: String,
    pub user: String,
}

#[derive(Debug, Deserialize)]
pub struct RoleRow {
    pub oid: Oid,
    pub name: String,
    pub login: bool,
    pub bypass_rls: bool,
    pub superuser: bool,
}

#[derive(Debug, Deserialize)]
pub struct SchemaRow {
    pub oid: Oid,
    pub name: String,
    pub owner: String,
    pub usage: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
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
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
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
}

#[derive(Debug, Deserialize)]
pub struct OpclassRow {
    pub oid: Oid,
    /// Quoted, and schema-qualified unless in `pg_catalog`.
    pub name: String,
    pub method: Oid,
    pub input_type: Oid,
    pub default: bool,
}

#[derive(Debug, Deserialize)]
pub struct CollationRow {
    pub oid: Oid,
    /// Quoted, and schema-qualified unless in `pg_catalog`.
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct PolicyRow {
    pub rel: Oid,
    pub name: String,
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<Oid>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TriggerRow {
    pub rel: Oid,
    pub name: String,
    pub definition: String,
    pub function_schema: String,
    pub function: String,
    pub enabled: bool,
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
pub struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct ExtensionRow {
    pub name: String,
    pub version: String,
    pub schema: String,
}

/// What an index definition needs to know about a column.
pub struct IndexColumn {
    pub type_oid: Oid,
    pub collation: Oid,
    pub quoted: String,
}

/// Everything the queries returned; a kind that could not be read stays empty.
#[derive(Debug, Default)]
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
            _ => {}
        }
        Ok(())
    }
}

fn table_kind(code: &str) -> TableKind {
    match code {
        "p" => TableKind::PartitionedTable,
        "v" => TableKind::View,
        "m" => TableKind::MaterializedView,
        "f" => TableKind::ForeignTable,
        _ => TableKind::Table,
    }
}

fn function_kind(code: &str) -> FunctionKind {
    match code {
        "p" => FunctionKind::Procedure,
        "a" => FunctionKind::Aggregate,
        "w" => FunctionKind::Window,
        _ => FunctionKind::Function,
    }
}

/// `security_invoker=true` and the other spellings PostgreSQL accepts for a true boolean.
fn option_is_true(options: &[String], name: &str) -> bool {
    options.iter().any(|o| {
        o.split_once('=').is_some_and(|(k, v)| {
            k == name && matches!(v.to_ascii_lowercase().as_str(), "true" | "on" | "1" | "yes")
        })
    })
}

/// Builds the catalog from the rows: joins by oid, maps column numbers and role oids to
/// names, sorts everything, and works out the flavour and the warnings.
pub fn assemble(rows: Rows, unreadable: Vec<Unreadable>, stats: ReadStats) -> Catalog {
    let role_names: HashMap<Oid, &str> = rows
        .roles
        .iter()
        .map(|r| (r.oid, r.name.as_str()))
        .collect();
    let schema_names: HashMap<Oid, &str> = rows
        .schemas
        .iter()
        .map(|s| (s.oid, s.name.as_str()))
        .collect();

    let mut tables: Vec<Table> = Vec::with_capacity(rows.relations.len());
    let mut slot: HashMap<Oid, usize> = HashMap::with_capacity(rows.relations.len());
    let mut parents: Vec<(usize, Oid)> = Vec::new();
    for r in rows.relations {
        let Some(schema) = schema_names.get(&r.schema_oid) else {
            continue;
        };
        let options = r.options.unwrap_or_default();
        let kind = table_kind(&r.kind);
        slot.insert(r.oid, tables.len());
        if let Some(parent) = r.parent_oid {
            parents.push((tables.len(), parent));
        }
        tables.push(Table {
            schema: (*schema).to_owned(),
            name: r.name,
            kind,
            owner: r.owner,
            comment: r.comment,
            row_estimate: (r.reltuples >= 0.0).then(|| r.reltuples.round() as i64),
            rls_enabled: r.rls_enabled,
            rls_forced: r.rls_forced,
            security_invoker: kind == TableKind::View
                && option_is_true(&options, "security_invoker"),
            options,
            view_definition: r.view_definition,
            partition_key: r.partition_key,
            partition_of: None,
            partition_bound: r.partition_bound,
            columns: Vec::new(),
            primary_key: None,
            unique_constraints: Vec::new(),
            check_constraints: Vec::new(),
            exclusion_constraints: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            policies: Vec::new(),
            triggers: Vec::new(),
        });
    }
    for (child, parent) in parents {
        if let Some(&p) = slot.get(&parent) {
            tables[child].partition_of = Some(QualifiedName {
                schema: tables[p].schema.clone(),
                name: tables[p].name.clone(),
            });
        }
    }

    let mut index_columns: HashMap<(Oid, i16), IndexColumn> =
        HashMap::with_capacity(rows.columns.len());
    for c in rows.columns {
        let Some(&i) = slot.get(&c.rel) else { continue };
        index_columns.insert(
            (c.rel, c.position),
            IndexColumn {
                type_oid: c.type_oid,
                collation: c.collation,
                quoted: c.quoted,
            },
        );
        let generated = c.generated == "s";
        tables[i].columns.push(Column {
            name: c.name,
            position: c.position,
            data_type: c.data_type,
            nullable: !c.not_null,
            default: if generated { None } else { c.default.clone() },
            identity: match c.identity.as_str() {
                "a" => Some(Identity::Always),
                "d" => Some(Identity::ByDefault),
                _ => None,
            },
            generated: if generated { c.default } else { None },
            comment: c.comment,
        });
    }
    for t in &mut tables {
        t.columns.sort_by_key(|c| c.position);
    }

    // Column numbers to names, per table, for keys and foreign keys.
    let name_of = |tables: &[Table], i: usize, n: i16| -> String {
        tables[i]
            .columns
            .iter()
            .find(|c| c.position == n)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("#{n}"))
    };
    for k in rows.constraints {
        let Some(&i) = slot.get(&k.rel) else { continue };
        let columns: Vec<String> = k
            .keys
            .unwrap_or_default()
            .iter()
            .map(|&n| name_of(&tables, i, n))
            .collect();
        match k.kind.as_str() {
            "p" => {
                tables[i].primary_key = Some(KeyConstraint {
                    name: k.name,
                    columns,
                })
            }
            "u" => tables[i].unique_constraints.push(KeyConstraint {
                name: k.name,
                columns,
            }),
            "c" | "x" => {
                let check = CheckConstraint {
                    name: k.name,
                    definition: k.definition.unwrap_or_default(),
                    validated: k.validated,
                };
                if k.kind == "c" {
                    tables[i].check_constraints.push(check);
                } else {
                    tables[i].exclusion_constraints.push(check);
                }
            }
            "f" => {
                let target = slot.get(&k.foreign_rel).copied();
                let references_columns = k
                    .foreign_keys
                    .unwrap_or_default()
                    .iter()
                    .map(|&n| match target {
                        Some(t) => name_of(&tables, t, n),
                        None => format!("#{n}"),
                    })
                    .collect();
                let (references_schema, references_table) = match target {
                    Some(t) => (tables[t].schema.clone(), tables[t].name.clone()),
                    None => (String::new(), format!("oid {}", k.foreign_rel.0)),
                };
                tables[i].foreign_keys.push(ForeignKey {
                    name: k.name,
                    columns,
                    references_schema,
                    references_table,
                    references_columns,
                    on_delete: FkAction::from_code(&k.on_delete),
                    on_update: FkAction::from_code(&k.on_update),
                    deferrable: k.deferrable,
                    initially_deferred: k.deferred,
                    validated: k.validated,
                });
            }
            _ => {}
        }
    }

    let index_def = super::index_def::Lookup::new(&rows.opclasses, &rows.collations);
    for mut x in rows.indexes {
        let Some(&i) = slot.get(&x.rel) else { continue };
        let texts = x.key_texts.take().unwrap_or_default();
        let columns = x
            .keys
            .iter()
            .take(x.key_count.max(0) as usize)
            .enumerate()
            .map(|(k, &n)| {
                if n == 0 {
                    texts.get(k).cloned().unwrap_or_default()
                } else {
                    name_of(&tables, i, n)
                }
            })
            .collect();
        let definition = match x.definition.take() {
            Some(def) => def,
            None => index_def.build(&x, &index_columns),
        };
        tables[i].indexes.push(Index {
            name: x.name,
            definition,
            unique: x.unique,
            primary: x.primary,
            columns,
        });
    }

    for p in rows.policies {
        let Some(&i) = slot.get(&p.rel) else { continue };
        let mut roles: Vec<String> = p
            .roles
            .iter()
            .map(|oid| match (oid.0, role_names.get(oid)) {
                (0, _) => "public".to_owned(),
                (_, Some(name)) => (*name).to_owned(),
                (n, None) => format!("oid {n}"),
            })
            .collect();
        roles.sort();
        tables[i].policies.push(Policy {
            name: p.name,
            command: PolicyCommand::from_code(&p.command),
            permissive: p.permissive,
            roles,
            using: p.using,
            with_check: p.with_check,
        });
    }

    for t in rows.triggers {
        let Some(&i) = slot.get(&t.rel) else { continue };
        tables[i].triggers.push(Trigger {
            name: t.name,
            definition: t.definition,
            function_schema: t.function_schema,
            function: t.function,
            enabled: t.enabled,
        });
    }

    for t in &mut tables {
        t.unique_constraints.sort_by(|a, b| a.name.cmp(&b.name));
        t.check_constraints.sort_by(|a, b| a.name.cmp(&b.name));
        t.exclusion_constraints.sort_by(|a, b| a.name.cmp(&b.name));
        t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.policies.sort_by(|a, b| a.name.cmp(&b.name));
        t.triggers.sort_by(|a, b| a.name.cmp(&b.name));
    }
    tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));

    let mut functions: Vec<Function> = rows
        .functions
        .into_iter()
        .map(|f| Function {
            schema: f.schema,
            name: f.name,
            identity_args: f.identity_args,
            result: f.result,
            language: f.language,
            kind: function_kind(&f.kind),
            security_definer: f.security_definer,
            volatility: f.volatility,
            config: f.config.unwrap_or_default(),
            extension: f.extension,
            comment: f.comment,
        })
        .collect();
    functions.sort_by(|a, b| {
        (&a.schema, &a.name, &a.identity_args).cmp(&(&b.schema, &b.name, &b.identity_args))
    });

    let mut schemas: Vec<Schema> = rows
        .schemas
        .into_iter()
        .map(|s| Schema {
            managed: super::is_managed_schema(&s.name),
            name: s.name,
            owner: s.owner,
            usage: s.usage,
            comment: s.comment,
        })
        .collect();
    schemas.sort_by(|a, b| a.name.cmp(&b.name));

    let mut enums: Vec<Enum> = rows
        .enums
        .into_iter()
        .map(|e| Enum {
            schema: e.schema,
            name: e.name,
            labels: e.labels.unwrap_or_default(),
        })
        .collect();
    enums.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));

    let mut extensions: Vec<Extension> = rows
        .extensions
        .into_iter()
        .map(|e| Extension {
            name: e.name,
            version: e.version,
            schema: e.schema,
        })
        .collect();
    extensions.sort_by(|a, b| a.name.cmp(&b.name));

    let mut roles: Vec<Role> = rows
        .roles
        .into_iter()
        .filter(|r| !r.name.starts_with("pg_"))
        .map(|r| Role {
            name: r.name,
            can_login: r.login,
            bypass_rls: r.bypass_rls,
            superuser: r.superuser,
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));

    let meta = rows.meta.unwrap_or(MetaRow {
        version: String::new(),
        version_num: 0,
        database: String::new(),
        user: String::new(),
    });
    let warnings = schemas
        .iter()
        .filter(|s| !s.usage)
        .map(|s| {
            format!(
                "schema {}: role {} has no USAGE on it; its objects are listed from the \
                 system catalog, but this role cannot query or change them",
                s.name, meta.user
            )
        })
        .collect();

    let mut catalog = Catalog {
        flavour: Flavour {
            supabase: false,
            has_apply_postgrest_permissions: false,
            server_version: meta.version,
            server_version_num: meta.version_num,
            database: meta.database,
            user: meta.user,
        },
        schemas,
        tables,
        functions,
        enums,
        extensions,
        roles,
        warnings,
        unreadable,
        stats,
    };
    catalog.flavour.supabase = catalog
        .table("auth", "users")
        .is_some_and(|t| t.kind == TableKind::Table)
        && catalog.functions_named("auth", "uid").next().is_some();
    catalog.flavour.has_apply_postgrest_permissions = catalog
        .functions
        .iter()
        .any(|f| f.name == "apply_postgrest_permissions");
    catalog
}
