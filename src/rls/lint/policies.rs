//! Policy rules: what each policy expression does, read from its tokens
//! ([`crate::rls::analysis`]), judged against the table it guards and the rest of the catalog.

use crate::catalog::{Catalog, Policy, PolicyCommand, Table};
use crate::rls::analysis::{ColumnScope, ExprFacts, TableRef, analyze};
use crate::rls::expr::wrap_auth_calls;

use super::{Finding, applies_to, commands, finding, table_object};

/// The claims GoTrue puts in every access token that a policy may rely on (seed 001: "Do
/// NOT invent custom JWT claims"). `app_metadata` is set by the server only, so it is safe;
/// `user_metadata` is the user's own to edit and has a rule of its own.
pub const STANDARD_CLAIMS: [&str; 6] = ["sub", "role", "email", "aud", "exp", "app_metadata"];

const API_ROLES: [&str; 2] = ["anon", "authenticated"];
const COMMANDS: [PolicyCommand; 4] = [
    PolicyCommand::Select,
    PolicyCommand::Insert,
    PolicyCommand::Update,
    PolicyCommand::Delete,
];

pub(super) fn policy_rules(catalog: &Catalog, table: &Table, out: &mut Vec<Finding>) {
    multiple_permissive(catalog, table, out);
    for policy in &table.policies {
        let object = format!("{}.{}", table_object(table), policy.name);
        let read = |text: &Option<String>| text.as_deref().map(analyze).transpose();
        let (using, check) = match (read(&policy.using), read(&policy.with_check)) {
            (Ok(using), Ok(check)) => (using, check),
            (Err(e), _) | (_, Err(e)) => {
                out.push(finding(
                    "policy_unreadable",
                    object,
                    format!("the policy's expression cannot be read as SQL: {e}"),
                    "fix the expression; the server will refuse it too".into(),
                ));
                continue;
            }
        };
        let both: Vec<&ExprFacts> = using.iter().chain(check.iter()).collect();
        initplan(policy, &object, &both, out);
        always_true(policy, &object, using.as_ref(), check.as_ref(), out);
        claims(catalog, &object, &both, out);
        unknown_columns(catalog, table, &object, &both, out);
        client_fields(table, policy, &object, out);
    }
}

fn initplan(policy: &Policy, object: &str, facts: &[&ExprFacts], out: &mut Vec<Finding>) {
    let mut calls: Vec<&str> = facts
        .iter()
        .flat_map(|f| f.unwrapped_calls.iter().map(String::as_str))
        .collect();
    calls.sort_unstable();
    calls.dedup();
    if calls.is_empty() {
        return;
    }
    let rewritten = [&policy.using, &policy.with_check]
        .into_iter()
        .flatten()
        .filter_map(|e| wrap_auth_calls(e).ok())
        .collect::<Vec<_>>()
        .join("  /  ");
    out.push(finding(
        "auth_rls_initplan",
        object.to_owned(),
        format!(
            "{} evaluated once per row instead of once per statement: slow on large tables",
            calls.join(", ")
        ),
        format!("wrap each call in a sub-select, e.g. {rewritten}"),
    ));
}

fn always_true(
    policy: &Policy,
    object: &str,
    using: Option<&ExprFacts>,
    check: Option<&ExprFacts>,
    out: &mut Vec<Finding>,
) {
    let reached: Vec<&str> = API_ROLES
        .into_iter()
        .filter(|r| applies_to(&policy.roles, r))
        .collect();
    if reached.is_empty() {
        return;
    }
    let who = reached.join(" and ");
    let open_using = using.is_some_and(|u| u.always_true);
    let message = match policy.command {
        PolicyCommand::Update | PolicyCommand::Delete | PolicyCommand::All if open_using => {
            format!(
                "USING (true) on FOR {}: {who} may {} every row of the table",
                policy.command.sql(),
                match policy.command {
                    PolicyCommand::Delete => "delete",
                    PolicyCommand::Update => "change",
                    _ => "read, change and delete",
                }
            )
        }
        PolicyCommand::Insert if check.is_none_or(|c| c.always_true) => format!(
            "FOR INSERT with {}: {who} may insert any row, owned by anyone",
            if check.is_none() {
                "no WITH CHECK"
            } else {
                "WITH CHECK (true)"
            }
        ),
        _ => return,
    };
    out.push(finding(
        "rls_policy_always_true",
        object.to_owned(),
        message,
        "restrict it to the rows the user owns, e.g. created_by = (select auth.uid())".into(),
    ));
}

/// A custom access-token hook: a function shaped `(event jsonb) returns jsonb` that the
/// Auth server's role may execute. It can add any claim to the token.
fn access_token_hook(catalog: &Catalog) -> Option<String> {
    catalog
        .functions
        .iter()
        .find(|f| {
            f.result.as_deref() == Some("jsonb")
                && f.identity_args.split(',').count() == 1
                && f.identity_args.trim().ends_with("jsonb")
                && f.grants
                    .iter()
                    .any(|g| g.grantee == "supabase_auth_admin" && g.privilege == "EXECUTE")
        })
        .map(|f| format!("{}.{}", f.schema, f.name))
}

fn claims(catalog: &Catalog, object: &str, facts: &[&ExprFacts], out: &mut Vec<Finding>) {
    if facts.iter().any(|f| f.reads_user_metadata) {
        out.push(finding(
            "rls_references_user_metadata",
            object.to_owned(),
            "the policy trusts user_metadata, which every user can edit for themselves (supabase.auth.updateUser)".into(),
            "decide access from data the user cannot change: a membership table, or app_metadata set by the server".into(),
        ));
    }
    let mut invented: Vec<&str> = facts
        .iter()
        .flat_map(|f| f.jwt_claims.iter().map(String::as_str))
        .filter(|c| !STANDARD_CLAIMS.contains(c) && *c != "user_metadata")
        .collect();
    invented.sort_unstable();
    invented.dedup();
    let hook = if invented.is_empty() {
        None
    } else {
        access_token_hook(catalog)
    };
    for claim in invented {
        let (message, remedy) = match &hook {
            Some(hook) => (
                format!(
                    "the policy reads the JWT claim '{claim}', which GoTrue does not issue by itself; the custom access-token hook {hook} may add it, so the check depends on that hook being enabled in Auth and setting '{claim}' for every user (without it the check sees NULL)"
                ),
                format!(
                    "make sure {hook} always sets '{claim}' and is enabled for the project; a token issued before a change keeps the old value until it expires, so for access that can be revoked read it from a table instead"
                ),
            ),
            None => (
                format!(
                    "the policy reads the JWT claim '{claim}', which GoTrue does not issue (only {}): the check sees NULL",
                    STANDARD_CLAIMS.join(", ")
                ),
                format!(
                    "store '{claim}' as data (e.g. an organization_members table joined on (select auth.uid())) instead of expecting it in the token"
                ),
            ),
        };
        out.push(finding(
            "invented_jwt_claim",
            object.to_owned(),
            message,
            remedy,
        ));
    }
}

/// The table a reference means: the policy's own table by its bare name, else the catalog's
/// table in the given schema, the policy's schema, or `public`.
fn resolve<'a>(catalog: &'a Catalog, own: &'a Table, r: &TableRef) -> Option<&'a Table> {
    if r.name == own.name && r.schema.as_deref().is_none_or(|s| s == own.schema) {
        return Some(own);
    }
    match &r.schema {
        Some(schema) => catalog.table(schema, &r.name),
        None => catalog
            .table(&own.schema, &r.name)
            .or_else(|| catalog.table("public", &r.name)),
    }
}

fn unknown_columns(
    catalog: &Catalog,
    table: &Table,
    object: &str,
    facts: &[&ExprFacts],
    out: &mut Vec<Finding>,
) {
    let mut reported: Vec<String> = Vec::new();
    for reference in facts.iter().flat_map(|f| f.columns.iter()) {
        let c = reference.column.as_str();
        let (known, whose) = match &reference.scope {
            ColumnScope::Own => (table.column(c).is_some(), table_object(table)),
            ColumnScope::Table(r) => match resolve(catalog, table, r) {
                Some(t) => (t.column(c).is_some(), table_object(t)),
                None => continue,
            },
            ColumnScope::AnyOf(refs) => {
                let Some(tables) = refs
                    .iter()
                    .map(|r| resolve(catalog, table, r))
                    .collect::<Option<Vec<&Table>>>()
                else {
                    continue;
                };
                let known =
                    table.column(c).is_some() || tables.iter().any(|t| t.column(c).is_some());
                let names: Vec<String> = tables.iter().map(|t| table_object(t)).collect();
                (known, names.join(" or "))
            }
        };
        let key = format!("{whose}.{c}");
        if known || reported.contains(&key) {
            continue;
        }
        out.push(finding(
            "policy_unknown_column",
            object.to_owned(),
            format!("the policy reads the column {c}, which {whose} will not have"),
            format!("add the field {c} to the table, or correct the expression"),
        ));
        reported.push(key);
    }
}

/// The top-level `OR` branches of an expression (outer parentheses stripped): each is an
/// alternative way for a row to pass.
pub(super) fn or_branches(expression: &str) -> Vec<String> {
    thread_local! {
        static SPLIT: crate::memo::Memo<Vec<String>> = Default::default();
    }
    crate::memo::remembered(&SPLIT, expression, split_or_branches)
}

fn split_or_branches(expression: &str) -> Vec<String> {
    use sqlparser::tokenizer::Token;
    let Ok(tokens) = crate::sql_tokens::tokens(expression) else {
        return vec![expression.to_owned()];
    };
    let significant: Vec<&(Token, std::ops::Range<usize>)> = tokens
        .iter()
        .filter(|(t, _)| !matches!(t, Token::Whitespace(_)))
        .collect();
    // Strip parentheses that wrap the whole expression.
    let (mut lo, mut hi) = (0, significant.len());
    while hi >= lo + 2
        && matches!(significant[lo].0, Token::LParen)
        && matches!(significant[hi - 1].0, Token::RParen)
    {
        let mut depth = 0i32;
        let wraps = significant[lo..hi].iter().enumerate().all(|(k, (t, _))| {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            depth > 0 || k == hi - lo - 1
        });
        if !wraps {
            break;
        }
        lo += 1;
        hi -= 1;
    }
    let inner = &significant[lo..hi];
    let mut branches = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (k, (t, _)) in inner.iter().enumerate() {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            t if depth == 0 && crate::sql_tokens::is_word(t, "or") => {
                branches.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
    }
    branches.push((start, inner.len()));
    if branches.len() == 1 {
        return vec![expression.to_owned()];
    }
    branches
        .into_iter()
        .filter(|(a, b)| b > a)
        .map(|(a, b)| expression[inner[a].1.start..inner[b - 1].1.end].to_owned())
        .flat_map(|branch| or_branches(&branch))
        .collect()
}

fn client_fields(table: &Table, policy: &Policy, object: &str, out: &mut Vec<Finding>) {
    // The expression a new row is checked with on INSERT.
    let checked = match policy.command {
        PolicyCommand::Insert => policy.with_check.as_ref(),
        PolicyCommand::All => policy.with_check.as_ref().or(policy.using.as_ref()),
        _ => None,
    };
    let Some(checked) = checked else { return };
    // A column is required only if every alternative reads it: with `a = uid OR b = uid`
    // an insert that sets just one of them passes.
    let branches: Vec<ExprFacts> = match or_branches(checked)
        .iter()
        .map(|b| analyze(b))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(branches) => branches,
        Err(_) => return,
    };
    let own_columns = |facts: &ExprFacts| -> Vec<String> {
        facts
            .columns
            .iter()
            .filter(|reference| match &reference.scope {
                ColumnScope::Own => true,
                ColumnScope::Table(r) => {
                    r.name == table.name && r.schema.as_deref().is_none_or(|s| s == table.schema)
                }
                ColumnScope::AnyOf(_) => false,
            })
            .map(|reference| reference.column.clone())
            .collect()
    };
    let per_branch: Vec<Vec<String>> = branches.iter().map(own_columns).collect();
    let mut reported: Vec<&str> = Vec::new();
    for name in &per_branch[0] {
        if !per_branch.iter().all(|b| b.contains(name)) {
            continue;
        }
        let Some(column) = table.column(name) else {
            continue;
        };
        // A NOT NULL column must be sent anyway, and the client is told so plainly; the
        // trap is an optional column that only the policy needs.
        let optional = column.nullable
            && column.default.is_none()
            && column.generated.is_none()
            && column.identity.is_none();
        if optional && !reported.contains(&column.name.as_str()) {
            reported.push(&column.name);
            out.push(finding(
                "policy_requires_client_field",
                object.to_owned(),
                format!(
                    "the policy checks {} on insert, but the column is optional and has no default: a client that leaves it out gets \"new row violates row-level security policy\"",
                    column.name
                ),
                format!(
                    "give {} a default (e.g. DEFAULT auth.uid() for an owner column), make it required, or check another column",
                    column.name
                ),
            ));
        }
    }
}

/// Only the roles PostgREST queries as count (`anon`, `authenticated`, and roles that
/// inherit them), as Supabase's own linter does; a role that bypasses RLS never runs them.
fn multiple_permissive(catalog: &Catalog, table: &Table, out: &mut Vec<Finding>) {
    let mut roles: Vec<&str> = API_ROLES.to_vec();
    for policy in &table.policies {
        for role in &policy.roles {
            let bypasses = catalog
                .role(role)
                .is_some_and(|r| r.bypass_rls || r.superuser);
            if !role.eq_ignore_ascii_case("public")
                && !roles.contains(&role.as_str())
                && catalog.is_api_role(role)
                && !bypasses
            {
                roles.push(role);
            }
        }
    }
    // Policy sets that overlap → the (role, command) pairs where they do.
    let mut groups: Vec<(Vec<&str>, Vec<String>)> = Vec::new();
    for role in &roles {
        for command in COMMANDS {
            let names: Vec<&str> = table
                .policies
                .iter()
                .filter(|p| {
                    p.permissive
                        && applies_to(&p.roles, role)
                        && commands(p.command).contains(&command)
                })
                .map(|p| p.name.as_str())
                .collect();
            if names.len() < 2 {
                continue;
            }
            let pair = format!("{} by {role}", command.sql());
            match groups.iter_mut().find(|(n, _)| *n == names) {
                Some((_, pairs)) => pairs.push(pair),
                None => groups.push((names, vec![pair])),
            }
        }
    }
    for (names, pairs) in groups {
        out.push(finding(
            "multiple_permissive_policies",
            table_object(table),
            format!(
                "the permissive policies {} all apply to {}: PostgreSQL evaluates every one for every row",
                names.join(", "),
                pairs.join(", ")
            ),
            "combine them into one policy per role and command (OR the conditions), or split ALL into INSERT/UPDATE/DELETE".into(),
        ));
    }
}
