//! `rls_policy_null_auth_disjunct`: a read policy with a top-level `OR` branch that is true
//! when an auth function returns NULL (`auth.uid() IS NULL OR owner_id = auth.uid()`) lets
//! every anonymous session read every row — almost always an inverted `IS NOT NULL AND`.

use crate::catalog::{PolicyCommand, Table};

use super::policies::or_branches;
use super::{Finding, applies_to, finding, table_object};

/// `auth.uid() IS NULL`, `(select auth.uid()) is null`, `NOT (auth.jwt() IS NOT NULL)`,
/// `current_setting('x', true) IS NULL`, with any spacing, parentheses or `AS` alias.
fn null_check(branch: &str) -> bool {
    // Spacing, parentheses, `SELECT` wrappers and `AS` aliases do not change the meaning.
    let mut s: String = branch
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect();
    s = s.replace("select", "");
    for alias in ["asuid", "asjwt", "asrole"] {
        s = s.replace(alias, "");
    }
    let nullable = |f: &str| {
        ["auth.uid", "auth.jwt", "auth.role"].contains(&f)
            || (f.starts_with("current_setting") && f.ends_with(",true"))
    };
    if let Some(f) = s
        .strip_prefix("not")
        .and_then(|r| r.strip_suffix("isnotnull"))
    {
        return nullable(f);
    }
    s.strip_suffix("isnull").is_some_and(nullable)
}

pub(super) fn null_auth_rules(table: &Table, out: &mut Vec<Finding>) {
    if !table.rls_enabled {
        return;
    }
    for p in &table.policies {
        let reaches_api = ["anon", "authenticated"]
            .iter()
            .any(|r| applies_to(&p.roles, r));
        if !p.permissive
            || !matches!(p.command, PolicyCommand::Select | PolicyCommand::All)
            || !reaches_api
        {
            continue;
        }
        let Some(using) = &p.using else { continue };
        let branches = or_branches(using);
        if branches.len() < 2 || !branches.iter().any(|b| null_check(b)) {
            continue;
        }
        out.push(finding(
            "rls_policy_null_auth_disjunct",
            format!("{}.{}", table_object(table), p.name),
            "the policy's USING has an OR branch that is true when the caller is not signed in (auth.uid() IS NULL …): every anonymous request reads every row".into(),
            "drop that branch, or write IS NOT NULL AND … if the check was meant for signed-in users only".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use super::null_check;
    use crate::catalog::PolicyCommand;

    fn found(using: &str) -> usize {
        let mut t = table("public", "posts");
        t.policies = vec![policy(
            "read",
            PolicyCommand::Select,
            &["public"],
            Some(using),
            None,
        )];
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "rls_policy_null_auth_disjunct")
            .count()
    }

    #[test]
    fn a_null_auth_branch_is_reported_in_every_spelling() {
        assert_eq!(found("auth.uid() IS NULL OR created_by = auth.uid()"), 1);
        assert_eq!(
            found(
                "((( SELECT auth.uid() AS uid) IS NULL) OR (created_by = ( SELECT auth.uid() AS uid)))"
            ),
            1
        );
        assert!(null_check("NOT (auth.jwt() IS NOT NULL)"));
        assert!(null_check(
            "current_setting('request.jwt.claims', true) IS NULL"
        ));
    }

    #[test]
    fn a_gated_check_is_fine() {
        assert_eq!(
            found("auth.uid() IS NOT NULL AND created_by = auth.uid()"),
            0
        );
        assert_eq!(
            found("created_by = auth.uid() AND (auth.uid() IS NULL OR true)"),
            0
        );
        assert_eq!(found("created_by = auth.uid() OR published"), 0);
    }
}
