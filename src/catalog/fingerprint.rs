//! The catalog fingerprint: a SHA-256 over the catalog's structure, for drift detection.
//!
//! A saved plan carries the fingerprint of the catalog it was planned against; `apply`
//! re-reads the catalog and refuses when the fingerprint differs. So it must change with
//! any structural change and with nothing else: row estimates, how the read went, and the
//! server's minor version are left out. The model keeps every list sorted and has no hash
//! maps, so its JSON serialisation is canonical and the same in every process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::model::{Catalog, ReadStats, Table};

/// `sha256:` and 64 hex digits.
///
/// Worked out once per catalog and remembered in it: every plan carries it, and the designer
/// plans again against the same catalog on every edit.
pub fn fingerprint(catalog: &Catalog) -> String {
    let remembered = catalog
        .fingerprint_memo
        .whole
        .get_or_init(|| compute_with(catalog, Some(&catalog.fingerprint_memo.tables)))
        .clone();
    debug_assert_eq!(
        remembered,
        compute(catalog),
        "the catalog was changed in place after its fingerprint was taken; \
         call FingerprintMemo::forget where it is changed"
    );
    remembered
}

/// Each table's digest by schema and name, once taken.
type TableDigests = HashMap<String, HashMap<String, [u8; 32]>>;

/// The fingerprint a catalog remembers, and the digests of its tables it was made of. A
/// copy starts without them (a copy is made to be changed: `Catalog::apply`); code that
/// changes a catalog in place forgets them. A catalog made of another's tables, moved
/// unchanged (`reread::with_details_from`), keeps their digests
/// ([`FingerprintMemo::keeping_tables_except`]), so its fingerprint hashes only the rest.
#[derive(Default)]
pub struct FingerprintMemo {
    whole: OnceLock<String>,
    tables: Mutex<TableDigests>,
}

impl FingerprintMemo {
    pub fn forget(&mut self) {
        *self = FingerprintMemo::default();
    }

    /// The table digests, less those of `changed` (`(schema, name)`), for a catalog whose
    /// other tables are this one's, moved unchanged.
    pub fn keeping_tables_except(self, changed: &[(String, String)]) -> FingerprintMemo {
        let mut tables = self.tables.into_inner().unwrap_or_else(|e| e.into_inner());
        for (schema, name) in changed {
            if let Some(in_schema) = tables.get_mut(schema) {
                in_schema.remove(name);
            }
        }
        FingerprintMemo {
            whole: OnceLock::new(),
            tables: Mutex::new(tables),
        }
    }
}

impl Clone for FingerprintMemo {
    fn clone(&self) -> FingerprintMemo {
        FingerprintMemo::default()
    }
}

/// Not data: two catalogs are equal whatever their memos hold.
impl PartialEq for FingerprintMemo {
    fn eq(&self, _: &FingerprintMemo) -> bool {
        true
    }
}

impl std::fmt::Debug for FingerprintMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintMemo")
    }
}

/// The fingerprint from scratch, remembering nothing.
fn compute(catalog: &Catalog) -> String {
    compute_with(catalog, None)
}

/// SHA-256 over the catalog's structure without its tables (canonical JSON), then each
/// table's own digest in order: a table's digest can be kept while it is unchanged.
fn compute_with(catalog: &Catalog, memo: Option<&Mutex<TableDigests>>) -> String {
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, &structure_without_tables(catalog))
        .expect("the catalog serialises");
    let mut memo = memo.map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
    for table in &catalog.tables {
        let digest = match memo.as_deref_mut() {
            Some(memo) => match memo.get(&table.schema).and_then(|m| m.get(&table.name)) {
                Some(digest) => *digest,
                None => {
                    let digest = table_digest(table);
                    memo.entry(table.schema.clone())
                        .or_default()
                        .insert(table.name.clone(), digest);
                    digest
                }
            },
            None => table_digest(table),
        };
        hasher.0.update(digest);
    }
    let digest = hasher.0.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// One table's structure: everything but its row estimate.
fn table_digest(table: &Table) -> [u8; 32] {
    let mut structural = table.clone();
    structural.row_estimate = None;
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, &structural).expect("a table serialises");
    hasher.0.finalize().into()
}

/// What counts of everything but the tables: row estimates, how the read went, who read
/// and the server's minor version are left out.
fn structure_without_tables(catalog: &Catalog) -> Catalog {
    // Roles belong to the whole cluster: another application creating a login role is no
    // change to this schema. Only the roles the schema names — in policies and grants — and
    // the API roles plans depend on count.
    let named: std::collections::BTreeSet<&str> = catalog
        .tables
        .iter()
        .flat_map(|t| {
            let policy_roles = t
                .policies
                .iter()
                .flat_map(|p| p.roles.iter().map(String::as_str));
            policy_roles.chain(t.grants.iter().map(|g| g.grantee.as_str()))
        })
        .chain(["anon", "authenticated", "service_role"])
        .collect();
    let mut flavour = catalog.flavour.clone();
    flavour.server_version = String::new();
    flavour.server_version_num = 0;
    // Who reads is not what the schema is, nor which database holds it: a rollback or a
    // saved plan applies to the same schema in another database (a copy, a staging project).
    flavour.user = String::new();
    flavour.database = String::new();
    Catalog {
        flavour,
        schemas: catalog.schemas.clone(),
        tables: Vec::new(),
        functions: catalog.functions.clone(),
        enums: catalog.enums.clone(),
        extensions: catalog.extensions.clone(),
        roles: catalog
            .roles
            .iter()
            .filter(|r| named.contains(r.name.as_str()))
            .cloned()
            .collect(),
        role_memberships: catalog
            .role_memberships
            .iter()
            .filter(|m| named.contains(m.member.as_str()) || named.contains(m.role.as_str()))
            .cloned()
            .collect(),
        publications: catalog.publications.clone(),
        buckets: catalog.buckets.clone(),
        cron_jobs: catalog.cron_jobs.clone(),
        warnings: catalog.warnings.clone(),
        // What could not be read says how the read went, not what the schema is.
        unreadable: Vec::new(),
        locked: catalog.locked.clone(),
        lock_table: None,
        stats: ReadStats::default(),
        normalised: Default::default(),
        fingerprint_memo: FingerprintMemo::default(),
    }
}

/// Streams the serialisation into the hash instead of building the text first.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::*;

    fn sample() -> Catalog {
        Catalog {
            tables: vec![Table {
                owner: "postgres".into(),
                row_estimate: Some(10),
                rls_enabled: true,
                columns: vec![Column {
                    name: "id".into(),
                    position: 1,
                    data_type: "uuid".into(),
                    nullable: false,
                    default: Some("gen_random_uuid()".into()),
                    identity: None,
                    generated: None,
                    comment: None,
                }],
                ..Table::new("public", "todos", TableKind::Table)
            }],
            ..Catalog::default()
        }
    }

    #[test]
    fn unrelated_roles_do_not_count_but_the_roles_the_schema_names_do() {
        let role = |name: &str| Role {
            name: name.into(),
            can_login: true,
            bypass_rls: false,
            superuser: false,
        };
        let a = sample();
        let mut b = a.clone();
        b.roles.push(role("some_other_app"));
        b.flavour.user = "someone_else".into();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let mut c = a.clone();
        c.roles.push(role("authenticated"));
        assert_ne!(fingerprint(&a), fingerprint(&c), "the API roles count");
        let mut d = a.clone();
        d.roles.push(role("auditor"));
        d.tables[0].grants.push(Grant {
            grantee: "auditor".into(),
            privilege: "SELECT".into(),
        });
        let mut e = d.clone();
        e.roles[0].bypass_rls = true;
        assert_ne!(
            fingerprint(&d),
            fingerprint(&e),
            "a role the schema grants to counts"
        );
    }

    #[test]
    fn is_a_sha256_that_ignores_row_estimates_and_read_stats() {
        let a = sample();
        let fp = fingerprint(&a);
        assert!(fp.starts_with("sha256:") && fp.len() == 71, "{fp}");
        let mut b = a.clone();
        b.tables[0].row_estimate = Some(1_000_000);
        b.stats.round_trips = 7;
        b.flavour.server_version = "15.9".into();
        b.flavour.database = "a_copy".into();
        assert_eq!(fingerprint(&b), fp, "nor which database holds the schema");
    }

    #[test]
    fn changes_with_structure() {
        let a = sample();
        let mut b = a.clone();
        b.tables[0].columns[0].nullable = true;
        assert_ne!(fingerprint(&b), fingerprint(&a));
        let mut c = a.clone();
        c.tables[0].rls_enabled = false;
        assert_ne!(fingerprint(&c), fingerprint(&a));
        let mut d = a.clone();
        d.buckets.push(super::super::model::StorageBucket {
            id: "avatars".into(),
            public: true,
            file_size_limit: None,
            allowed_mime_types: None,
        });
        assert_ne!(
            fingerprint(&d),
            fingerprint(&a),
            "a storage bucket row counts"
        );
    }

    #[test]
    fn a_remembered_fingerprint_is_never_one_of_another_catalog() {
        let a = sample();
        let fp = fingerprint(&a);
        assert_eq!(
            fingerprint(&a),
            fp,
            "the same catalog, the same fingerprint"
        );
        // A copy changed after the original's fingerprint was taken has its own.
        let mut b = a.clone();
        b.tables[0].columns[0].default = Some("uuidv7()".into());
        assert_ne!(fingerprint(&b), fp);
        // Changed in place, and told so.
        let mut c = a.clone();
        let before = fingerprint(&c);
        c.tables[0].rls_enabled = false;
        c.fingerprint_memo.forget();
        assert_ne!(fingerprint(&c), before);
        assert_eq!(fingerprint(&c), compute(&c));
        // Narrowed to some schemas: no longer the fingerprint of the whole.
        let d = a.clone();
        let whole = fingerprint(&d);
        let narrowed = d.restricted_to(&["elsewhere".to_owned()]);
        assert_ne!(fingerprint(&narrowed), whole);
    }

    #[test]
    fn after_a_reread_only_the_reread_tables_are_hashed_again_and_the_result_is_the_same() {
        let mut before = sample();
        for name in ["alpha", "beta", "gamma"] {
            let mut t = before.tables[0].clone();
            t.name = name.into();
            before.tables.push(t);
        }
        before.tables.sort_by(|a, b| a.name.cmp(&b.name));
        let first = fingerprint(&before);
        assert_eq!(first, compute(&before));
        let digests = |c: &Catalog| -> usize {
            c.fingerprint_memo
                .tables
                .lock()
                .unwrap()
                .values()
                .map(HashMap::len)
                .sum()
        };
        assert_eq!(digests(&before), 4);
        // `beta` re-read with a column changed; the rest moved over with their digests.
        let mut fresh = before.clone();
        fresh.tables.retain(|t| t.name == "beta");
        fresh.tables[0].columns[0].nullable = true;
        let reread = [("public".to_owned(), "beta".to_owned())];
        let merged = crate::catalog::reread::with_details_from(fresh, before, &reread);
        assert_eq!(digests(&merged), 3, "beta's digest is forgotten");
        let after = fingerprint(&merged);
        assert_eq!(digests(&merged), 4);
        assert_ne!(after, first);
        // The same as from scratch, on a copy that remembers nothing.
        assert_eq!(after, compute(&merged.clone()));
        let mut changed_back = merged.clone();
        changed_back
            .tables
            .iter_mut()
            .find(|t| t.name == "beta")
            .unwrap()
            .columns[0]
            .nullable = false;
        assert_eq!(fingerprint(&changed_back), first);
    }

    #[test]
    fn is_the_same_in_every_process() {
        // A fixed input has a fixed digest: no per-process hash seed is involved.
        let empty = fingerprint(&Catalog::default());
        assert_eq!(empty, fingerprint(&Catalog::default()));
        let text = serde_json::to_string(&Catalog::default()).unwrap();
        let expected: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(empty, format!("sha256:{expected}"));
    }
}
