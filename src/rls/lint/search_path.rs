//! `function_search_path_mutable`: a function that does not pin its `search_path` resolves
//! names through the caller's, so a caller can make it call their own objects.
//!
//! The fix must never break working code: `search_path = ''` is offered only when every name
//! the body uses is schema-qualified or built in. When the body calls, reads or casts to an
//! object by its bare name (`gen_random_bytes(…)` from `pgcrypto` in `extensions`), the fix
//! pins the schemas those names resolve to today instead, and says which names need them.

use crate::catalog::{Catalog, Function, FunctionKind};

use super::references::{Name, references};
use super::{Finding, finding};

/// Why a fix pins these schemas (empty: `''` is safe).
struct Resolution {
    schemas: Vec<String>,
    because: Vec<String>,
}

/// The schemas that the body's bare names resolve to in the catalog, `public` first and
/// `extensions` next (Supabase's default order), then by name.
fn resolve(catalog: &Catalog, f: &Function) -> Resolution {
    let checkable = matches!(f.language.as_str(), "sql" | "plpgsql");
    let refs = match (&f.body, checkable) {
        // A SQL-standard body (`BEGIN ATOMIC`) is bound when created: no name is looked up.
        (None, true) => Some(Default::default()),
        (Some(body), true) => references(body).ok(),
        _ => None,
    };
    let Some(refs) = refs else {
        // A body schemaforge cannot read: keep what such functions most likely rely on.
        let schemas: Vec<String> = ["public", "extensions"]
            .into_iter()
            .filter(|s| catalog.schema(s).is_some())
            .map(str::to_owned)
            .collect();
        return Resolution {
            because: vec![format!(
                "a {} body that schemaforge cannot check",
                f.language
            )],
            schemas,
        };
    };
    let mut schemas: Vec<String> = Vec::new();
    let mut because: Vec<String> = Vec::new();
    let mut need = |name: &Name, found: Vec<String>, what: &str| {
        if found.is_empty() {
            return;
        }
        because.push(format!("{what} {} ({})", name.name, found.join(", ")));
        for s in found {
            if !schemas.contains(&s) {
                schemas.push(s);
            }
        }
    };
    let bare = |list: &[Name]| -> Vec<Name> {
        list.iter()
            .filter(|n| n.schema.is_none())
            .cloned()
            .collect()
    };
    for name in bare(&refs.calls) {
        let found = schemas_having(catalog, |s| {
            catalog.functions_named(s, &name.name).next().is_some()
        });
        need(&name, found, "calls");
    }
    for name in bare(&refs.relations) {
        let found = schemas_having(catalog, |s| catalog.table(s, &name.name).is_some());
        need(&name, found, "reads");
    }
    for name in bare(&refs.types) {
        let found = schemas_having(catalog, |s| catalog.enum_type(s, &name.name).is_some());
        need(&name, found, "casts to");
    }
    if !refs.operators.is_empty() {
        let from_extensions: Vec<String> = catalog
            .extensions
            .iter()
            .map(|e| e.schema.clone())
            .filter(|s| s != "pg_catalog")
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !from_extensions.is_empty() {
            because.push(format!(
                "uses the operator{} {}, which an extension in {} may define",
                if refs.operators.len() == 1 { "" } else { "s" },
                refs.operators.join(" "),
                from_extensions.join(", ")
            ));
            for s in from_extensions {
                if !schemas.contains(&s) {
                    schemas.push(s);
                }
            }
        }
    }
    because.dedup();
    schemas.sort_by_key(|s| match s.as_str() {
        "public" => (0, s.clone()),
        "extensions" => (1, s.clone()),
        _ => (2, s.clone()),
    });
    Resolution { schemas, because }
}

fn schemas_having(catalog: &Catalog, has: impl Fn(&str) -> bool) -> Vec<String> {
    catalog
        .schemas
        .iter()
        .filter(|s| has(&s.name))
        .map(|s| s.name.clone())
        .collect()
}

pub(super) fn function_rules(catalog: &Catalog, out: &mut Vec<Finding>) {
    for f in &catalog.functions {
        if catalog.is_managed(&f.schema)
            || f.extension.is_some()
            || !matches!(f.kind, FunctionKind::Function | FunctionKind::Procedure)
            || f.search_path().is_some()
        {
            continue;
        }
        let object = format!("{}.{}", f.schema, f.signature());
        let target = format!(
            "ALTER {} {}({})",
            if f.kind == FunctionKind::Procedure {
                "PROCEDURE"
            } else {
                "FUNCTION"
            },
            crate::sql::qualified(&f.schema, &f.name),
            f.identity_args
        );
        let resolution = resolve(catalog, f);
        let remedy = if resolution.schemas.is_empty() && resolution.because.is_empty() {
            format!(
                "{target} SET search_path = '' (every name it uses is schema-qualified or built in)"
            )
        } else {
            let path: Vec<String> = resolution
                .schemas
                .iter()
                .map(|s| crate::sql::ident(s))
                .collect();
            let path = if path.is_empty() {
                "''".to_owned()
            } else {
                path.join(", ")
            };
            format!(
                "{target} SET search_path = {path} — not '': it {}, which an empty search_path would not find; or qualify those names and pin ''",
                resolution.because.join(", ")
            )
        };
        out.push(finding(
            "function_search_path_mutable",
            object.clone(),
            format!(
                "{object} does not pin its search_path: a caller who sets one can make it call their own objects{}",
                if f.security_definer {
                    " with the owner's rights"
                } else {
                    ""
                }
            ),
            remedy,
        ));
    }
}

/// The statement a remedy starts with, up to the explanation: what a test can run.
pub fn fix_statement(remedy: &str) -> &str {
    remedy
        .split(" — ")
        .next()
        .unwrap_or(remedy)
        .split(" (every name")
        .next()
        .unwrap_or(remedy)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use super::*;
    use crate::catalog::Schema;

    fn with_function(body: &str, language: &str) -> Catalog {
        let mut c = catalog(vec![]);
        for name in ["public", "extensions"] {
            c.schemas.push(Schema {
                name: name.into(),
                owner: "postgres".into(),
                managed: name == "extensions",
                usage: true,
                comment: None,
            });
        }
        let mut pgcrypto = function("extensions", "gen_random_bytes", &[]);
        pgcrypto.extension = Some("pgcrypto".into());
        let mut f = function("public", "new_token", &[]);
        f.body = Some(body.into());
        f.language = language.into();
        c.functions = vec![pgcrypto, f];
        c
    }

    fn remedy(c: &Catalog) -> String {
        let found: Vec<Finding> = lint(c, &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "function_search_path_mutable")
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        found[0].remedy.clone()
    }

    #[test]
    fn qualified_bodies_get_the_empty_path() {
        let r = remedy(&with_function(
            "select encode(extensions.gen_random_bytes(16), 'hex')",
            "sql",
        ));
        assert_eq!(
            fix_statement(&r),
            "ALTER FUNCTION \"public\".\"new_token\"() SET search_path = ''"
        );
    }

    #[test]
    fn a_bare_extension_call_keeps_its_schema() {
        let r = remedy(&with_function(
            "select encode(gen_random_bytes(16), 'hex')",
            "sql",
        ));
        assert_eq!(
            fix_statement(&r),
            "ALTER FUNCTION \"public\".\"new_token\"() SET search_path = \"extensions\""
        );
        assert!(r.contains("calls gen_random_bytes (extensions)"), "{r}");
    }

    #[test]
    fn an_operator_an_extension_may_define_keeps_the_extension_schemas() {
        let mut c = with_function(
            "select extensions.similarity(a, b) from public.t where a % b",
            "sql",
        );
        c.extensions.push(crate::catalog::Extension {
            name: "pg_trgm".into(),
            version: "1.6".into(),
            schema: "extensions".into(),
        });
        let r = remedy(&c);
        assert!(
            fix_statement(&r).ends_with("SET search_path = \"extensions\""),
            "{r}"
        );
        assert!(r.contains("operator %"), "{r}");
    }

    #[test]
    fn an_unreadable_language_keeps_public_and_extensions() {
        let r = remedy(&with_function("return 1", "plv8"));
        assert_eq!(
            fix_statement(&r),
            "ALTER FUNCTION \"public\".\"new_token\"() SET search_path = \"public\", \"extensions\""
        );
        assert!(r.contains("plv8 body"), "{r}");
    }
}
