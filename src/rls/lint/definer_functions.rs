//! `anon_security_definer_function_executable` and
//! `authenticated_security_definer_function_executable`: a SECURITY DEFINER function runs
//! with its owner's rights, past every policy; an API role that may EXECUTE it can call it
//! through PostgREST (`/rest/v1/rpc/name`). A new function is executable by PUBLIC, so this
//! is the default unless someone revoked it.

use crate::catalog::{Catalog, Function, FunctionKind};

use super::{Finding, finding};

/// Trigger functions cannot be called directly, so no role reaches them through the API.
fn callable(f: &Function) -> bool {
    matches!(f.kind, FunctionKind::Function | FunctionKind::Procedure)
        && !matches!(f.result.as_deref(), Some("trigger" | "event_trigger"))
}

/// Whether `role`, or a role it inherits from, holds EXECUTE.
fn executable(catalog: &Catalog, f: &Function, role: &str) -> bool {
    catalog
        .roles_reaching(role)
        .iter()
        .any(|r| f.executable_by(r))
}

pub(super) fn definer_rules(catalog: &Catalog, out: &mut Vec<Finding>) {
    for f in &catalog.functions {
        if !f.security_definer
            || catalog.is_managed(&f.schema)
            || f.extension.is_some()
            || !callable(f)
        {
            continue;
        }
        let object = format!("{}.{}", f.schema, f.signature());
        let name = format!(
            "{}({})",
            crate::sql::qualified(&f.schema, &f.name),
            f.identity_args
        );
        for (rule, role, who) in [
            (
                "anon_security_definer_function_executable",
                "anon",
                "anyone with the public anon key",
            ),
            (
                "authenticated_security_definer_function_executable",
                "authenticated",
                "every signed-in user",
            ),
        ] {
            if !executable(catalog, f, role) {
                continue;
            }
            let through_public = f.executable_by("PUBLIC");
            out.push(finding(
                rule,
                object.clone(),
                format!(
                    "{object} is SECURITY DEFINER and {role} may execute it{}: {who} can call it through /rest/v1/rpc/{} and it runs with its owner's rights, past row-level security",
                    if through_public {
                        " (EXECUTE is granted to PUBLIC, the default for a new function)"
                    } else {
                        ""
                    },
                    f.name
                ),
                format!(
                    "REVOKE EXECUTE ON FUNCTION {name} FROM PUBLIC, {role}; grant it only to the roles that need it, or make it SECURITY INVOKER, or move it to a schema the API does not serve"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::{Grant, RoleMembership};

    fn rules(c: &crate::catalog::Catalog) -> Vec<&'static str> {
        lint(c, &LintContext::live())
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| r.contains("security_definer_function"))
            .collect()
    }

    fn grant(grantee: &str) -> Grant {
        Grant {
            grantee: grantee.into(),
            privilege: "EXECUTE".into(),
        }
    }

    fn definer(grantees: &[&str]) -> crate::catalog::Catalog {
        let mut f = function("public", "create_user", &["search_path=\"\""]);
        f.result = Some("uuid".into());
        f.security_definer = true;
        f.grants = grantees.iter().map(|g| grant(g)).collect();
        let mut c = catalog(vec![]);
        c.functions = vec![f];
        c
    }

    #[test]
    fn public_execute_reaches_both_api_roles() {
        assert_eq!(
            rules(&definer(&["PUBLIC", "postgres"])),
            [
                "anon_security_definer_function_executable",
                "authenticated_security_definer_function_executable"
            ]
        );
    }

    #[test]
    fn revoked_from_the_api_roles_is_clean() {
        assert!(rules(&definer(&["postgres", "service_role"])).is_empty());
    }

    #[test]
    fn a_grant_to_a_parent_role_reaches_its_inheriting_members() {
        let mut c = definer(&["postgres", "app_users"]);
        c.role_memberships.push(RoleMembership {
            member: "authenticated".into(),
            role: "app_users".into(),
            inherit: true,
        });
        assert_eq!(
            rules(&c),
            ["authenticated_security_definer_function_executable"]
        );
        c.role_memberships[0].inherit = false;
        assert!(rules(&c).is_empty());
    }

    #[test]
    fn invoker_and_trigger_functions_are_not_reported() {
        let mut c = definer(&["PUBLIC"]);
        c.functions[0].security_definer = false;
        assert!(rules(&c).is_empty());
        let mut c = definer(&["PUBLIC"]);
        c.functions[0].result = Some("trigger".into());
        assert!(rules(&c).is_empty());
    }
}
