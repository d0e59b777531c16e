//! `extension_in_public`: an extension installed in `public` puts its functions, types and
//! tables in the schema the API serves, beside the user's own objects.

use crate::catalog::Catalog;

use super::{Finding, finding};

pub(super) fn extension_rules(catalog: &Catalog, out: &mut Vec<Finding>) {
    for e in catalog.extensions.iter().filter(|e| e.schema == "public") {
        out.push(finding(
            "extension_in_public",
            format!("extension {}", e.name),
            format!(
                "the extension {} is installed in public: its functions and types sit in the schema the API serves",
                e.name
            ),
            format!(
                "ALTER EXTENSION {} SET SCHEMA extensions (for an extension that cannot be moved: DROP EXTENSION and CREATE EXTENSION {} WITH SCHEMA extensions)",
                crate::sql::ident(&e.name),
                crate::sql::ident(&e.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::Extension;

    fn found(schema: &str) -> Vec<String> {
        let mut c = catalog(vec![]);
        c.extensions.push(Extension {
            name: "pg_trgm".into(),
            version: "1.6".into(),
            schema: schema.into(),
        });
        lint(&c, &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "extension_in_public")
            .map(|f| f.object)
            .collect()
    }

    #[test]
    fn an_extension_in_public_is_reported() {
        assert_eq!(found("public"), ["extension pg_trgm"]);
    }

    #[test]
    fn an_extension_in_its_own_schema_is_not() {
        assert!(found("extensions").is_empty());
    }
}
