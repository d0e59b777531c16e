//! Assembling query rows into the [`Catalog`] model: pure, rows in and catalog out.

use std::collections::HashMap;

use super::model::*;
use super::rows::{IndexColumn, MetaRow, Oid, Rows};

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
            partition_bound: r.partition_bound,
            grants: grants(r.grants),
            ..Table::new(*schema, r.name, kind)
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
            invalid: !x.valid,
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

    for r in rows.replica_identity {
        let Some(&i) = slot.get(&r.rel) else { continue };
        tables[i].replica_identity = match (r.code.as_str(), r.index) {
            ("n", _) => ReplicaIdentity::Nothing,
            ("f", _) => ReplicaIdentity::Full,
            ("i", Some(index)) => ReplicaIdentity::Index(index),
            _ => ReplicaIdentity::Default,
        };
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

    // (schema, name, identity arguments) → (EXECUTE grants, body).
    type FunctionKey = (String, String, String);
    let mut acl: HashMap<FunctionKey, (Vec<Grant>, Option<String>)> = rows
        .function_acl
        .into_iter()
        .map(|a| {
            (
                (a.schema, a.name, a.identity_args),
                (grants(a.grants), a.body),
            )
        })
        .collect();
    let mut functions: Vec<Function> = rows
        .functions
        .into_iter()
        .map(|f| {
            let (grants, body) = acl
                .remove(&(f.schema.clone(), f.name.clone(), f.identity_args.clone()))
                .unwrap_or_default();
            (f, grants, body)
        })
        .map(|(f, grants, body)| Function {
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
            grants,
            body,
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

    let mut role_memberships: Vec<RoleMembership> = rows
        .memberships
        .into_iter()
        .map(|m| RoleMembership {
            member: m.member,
            role: m.role,
            inherit: m.inherit,
        })
        .collect();
    role_memberships.sort();

    let mut publications: Vec<Publication> = rows
        .publications
        .into_iter()
        .map(|p| {
            let operations = [
                (p.insert, "insert"),
                (p.update, "update"),
                (p.delete, "delete"),
                (p.truncate, "truncate"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, op)| op.to_owned())
            .collect();
            let mut tables: Vec<QualifiedName> = p
                .tables
                .unwrap_or_default()
                .into_iter()
                .map(|(schema, name)| QualifiedName { schema, name })
                .collect();
            tables.sort();
            Publication {
                name: p.name,
                all_tables: p.all_tables,
                operations,
                tables,
            }
        })
        .collect();
    publications.sort_by(|a, b| a.name.cmp(&b.name));

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
        role_memberships,
        publications,
        buckets: {
            let mut buckets = rows.buckets;
            buckets.sort_by(|a, b| a.id.cmp(&b.id));
            buckets
        },
        cron_jobs: {
            let mut jobs = rows.cron_jobs;
            jobs.sort_by(|a, b| a.name.cmp(&b.name));
            jobs
        },
        warnings,
        unreadable,
        locked: Vec::new(),
        lock_table: rows.lock_table,
        stats,
        normalised: Default::default(),
        fingerprint_memo: Default::default(),
    };
    detect_flavour(&mut catalog);
    catalog
}

/// What kind of server the catalog's tables and functions make it: a Supabase project (or
/// the shim) has `auth.users` and `auth.uid()`.
pub(crate) fn detect_flavour(catalog: &mut Catalog) {
    catalog.flavour.supabase = catalog
        .table("auth", "users")
        .is_some_and(|t| t.kind == TableKind::Table)
        && catalog.functions_named("auth", "uid").next().is_some();
    catalog.flavour.has_apply_postgrest_permissions = catalog
        .functions
        .iter()
        .any(|f| f.name == "apply_postgrest_permissions");
}

/// The ACL's entries as sorted grants (the model keeps every list sorted for the fingerprint).
fn grants(entries: Option<Vec<(String, String)>>) -> Vec<Grant> {
    let mut grants: Vec<Grant> = entries
        .unwrap_or_default()
        .into_iter()
        .map(|(grantee, privilege)| Grant { grantee, privilege })
        .collect();
    grants.sort();
    grants.dedup();
    grants
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as the server sends them (oids as strings), parsed and assembled.
    fn catalog() -> Catalog {
        let mut rows = Rows::default();
        let parts = [
            ("meta", r#"["15.8", 150008, "app", "alice"]"#),
            (
                "roles",
                r#"[["10", "postgres", true, true, true], ["20", "authenticated", false, false, false], ["30", "pg_monitor", false, false, false]]"#,
            ),
            (
                "schemas",
                r#"[["2200", "public", "postgres", true, null], ["99", "auth", "postgres", false, null]]"#,
            ),
            (
                "relations",
                r#"[
                ["501", "2200", "b", "r", "postgres", true, false, 42.4, null, "B table", null, null, null, null, [["authenticated", "SELECT"], ["PUBLIC", "SELECT"], ["authenticated", "SELECT"]]],
                ["500", "2200", "a", "r", "postgres", false, false, -1, null, null, null, null, null, null],
                ["600", "99", "users", "r", "postgres", false, false, 0, null, null, null, null, null, null]]"#,
            ),
            (
                "columns",
                r#"[
                ["501", 2, "a_id", "uuid", false, null, "", "", null, "2950", "0", "a_id"],
                ["501", 1, "x", "integer", true, "(a_id)", "", "s", null, "23", "0", "x"],
                ["500", 1, "id", "uuid", true, "gen_random_uuid()", "", "", "key", "2950", "0", "id"]]"#,
            ),
            (
                "constraints",
                r#"[["501", "b_a_fkey", "f", [2], "500", [1], "c", "a", null, false, false, true]]"#,
            ),
            (
                "policies",
                r#"[["501", "p", "r", true, ["20", "0"], "true", null]]"#,
            ),
            (
                "functions",
                r#"[["auth", "uid", "", "uuid", "sql", "f", false, "s", ["search_path=\"\""], null, null]]"#,
            ),
        ];
        for (kind, json) in parts {
            rows.absorb(kind, Some(json))
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
        rows.absorb("indexes", None).unwrap();
        assemble(rows, Vec::new(), ReadStats::default())
    }

    #[test]
    fn rows_become_a_sorted_joined_catalog() {
        let cat = catalog();
        let names: Vec<_> = cat
            .tables
            .iter()
            .map(|t| format!("{}.{}", t.schema, t.name))
            .collect();
        assert_eq!(names, ["auth.users", "public.a", "public.b"]);
        let b = cat.table("public", "b").unwrap();
        assert_eq!(b.row_estimate, Some(42));
        assert_eq!(cat.table("public", "a").unwrap().row_estimate, None);
        // Grants arrive unsorted and repeated; they come out sorted and once each.
        let grantees: Vec<_> = b.grants.iter().map(|g| g.grantee.as_str()).collect();
        assert_eq!(grantees, ["PUBLIC", "authenticated"]);
        assert!(
            b.has_privilege("anon", "SELECT"),
            "PUBLIC grants reach every role"
        );
        assert!(!b.has_privilege("authenticated", "INSERT"));
        assert!(cat.table("public", "a").unwrap().grants.is_empty());
        assert_eq!(b.columns[0].name, "x", "columns sorted by position");
        assert_eq!(b.columns[0].generated.as_deref(), Some("(a_id)"));
        assert_eq!(b.columns[0].default, None);
        let fk = &b.foreign_keys[0];
        assert_eq!(fk.columns, ["a_id"]);
        assert_eq!(
            (
                fk.references_table.as_str(),
                fk.references_columns[0].as_str()
            ),
            ("a", "id")
        );
        assert_eq!(fk.on_delete, FkAction::Cascade);
        assert_eq!(fk.on_update, FkAction::NoAction);
        assert_eq!(b.policies[0].roles, ["authenticated", "public"]);
        assert_eq!(b.policies[0].command, PolicyCommand::Select);
        assert_eq!(cat.roles.len(), 2, "pg_* roles are left out");
    }

    #[test]
    fn flavour_and_warnings_come_from_the_rows() {
        let cat = catalog();
        assert!(cat.flavour.supabase);
        assert!(!cat.flavour.has_apply_postgrest_permissions);
        assert_eq!(cat.flavour.server_version_num, 150008);
        assert!(cat.schema("auth").unwrap().managed);
        assert_eq!(cat.warnings.len(), 1);
        assert!(cat.warnings[0].starts_with("schema auth: role alice has no USAGE"));
        let only_public = cat.clone().restricted_to(&["public".to_owned()]);
        assert_eq!(only_public.tables.len(), 2);
        assert!(only_public.functions.is_empty());
    }
}
