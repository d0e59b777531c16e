//! Row-level security and privileges: RLS switched on, policies, and the grants that make a
//! plain PostgreSQL with the shim behave like Supabase.

use crate::catalog::{Change, Policy as LivePolicy, PolicyCommand, Table as LiveTable};
use crate::design::{Operation, Policy, RelationshipKind, ResolvedTable};
use crate::rls::expr::{same_expression_in, wrap_auth_calls};

use super::{PlanError, Planner, Section, Step};

const WRITE: [&str; 4] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

pub(super) fn plan_security(p: &mut Planner) {
    for (ti, table) in p.design.tables.iter().enumerate() {
        let name = table.db_name.as_str();
        let live = p.live(name);
        if table.rls_enabled && !table.public_reference {
            if !live.is_some_and(|l| l.rls_enabled) {
                enable_rls(p, name);
            }
        } else if live.is_some_and(|l| l.rls_enabled) {
            if table.rls_enabled {
                // Public reference data may go without RLS; having it on is not wrong.
                p.note(format!(
                    "{}: public reference data with row-level security on in the database; left on",
                    p.object(name)
                ));
            } else {
                let change = Change::DisableRls { table: p.qn(name) };
                p.push(Step::new(Section::Rls, p.object(name), change));
            }
        }
        let dropped = drop_policies(p, table, ti, live);
        for (pi, policy) in table.policies.iter().enumerate() {
            let path = format!("tables[{ti}].rls_policies[{pi}]");
            // A dropped policy is gone by the time this runs: create it as if new.
            let live = live.filter(|_| !dropped.contains(&policy.name));
            create_policy(p, name, policy, live, &path);
        }
        grants(p, table, live);
    }
    for rel in &p.design.relationships {
        if let RelationshipKind::Linking { table, .. } = &rel.kind {
            linking_security(p, table);
        }
    }
}

fn enable_rls(p: &mut Planner, table: &str) {
    let change = Change::EnableRls { table: p.qn(table) };
    p.push(Step::new(Section::Rls, p.object(table), change));
}

/// An expression with its `auth.*()` calls wrapped to run once per statement.
fn expression(p: &mut Planner, text: &str, path: &str) -> Option<String> {
    if let Err(e) = crate::sql_tokens::check_expression(text) {
        p.errors.push(PlanError {
            path: path.to_owned(),
            message: e.to_string(),
        });
        return None;
    }
    match wrap_auth_calls(text) {
        Ok(wrapped) => Some(wrapped),
        Err(e) => {
            p.errors.push(PlanError {
                path: path.to_owned(),
                message: format!("cannot read the expression: {e}"),
            });
            None
        }
    }
}

/// A policy's USING and WITH CHECK, as PostgreSQL takes them per operation.
type Expressions = (Option<String>, Option<String>);

/// `using` and `check` as PostgreSQL takes them per operation: INSERT only WITH CHECK;
/// SELECT and DELETE only USING; UPDATE and ALL both, the check defaulting to USING.
fn per_operation(
    operation: Operation,
    using: Option<String>,
    check: Option<String>,
) -> Expressions {
    match operation {
        Operation::Insert => (None, check.or(using)),
        Operation::Select | Operation::Delete => (using, None),
        Operation::Update | Operation::All => {
            let check = check.or_else(|| using.clone());
            (using, check)
        }
    }
}

/// The USING and WITH CHECK a new policy gets, `auth.*()` calls wrapped.
fn effective_expressions(p: &mut Planner, policy: &Policy, path: &str) -> Option<Expressions> {
    let using = match &policy.using_expression {
        Some(e) => Some(expression(p, e, &format!("{path}.using_expression"))?),
        None => None,
    };
    let check = match &policy.with_check_expression {
        Some(e) => Some(expression(p, e, &format!("{path}.with_check_expression"))?),
        None => None,
    };
    Some(per_operation(policy.operation, using, check))
}

/// The USING and WITH CHECK exactly as the design writes them.
fn written_expressions(policy: &Policy) -> Expressions {
    per_operation(
        policy.operation,
        policy.using_expression.clone(),
        policy.with_check_expression.clone(),
    )
}

fn roles(policy: &Policy) -> Vec<String> {
    if policy.roles.is_empty() {
        vec!["authenticated".to_owned()]
    } else {
        policy.roles.clone()
    }
}

/// A design policy exactly as PostgreSQL will hold it once created.
pub(super) fn live_policy(p: &mut Planner, policy: &Policy, path: &str) -> Option<LivePolicy> {
    let (using, with_check) = effective_expressions(p, policy, path)?;
    Some(LivePolicy {
        name: policy.name.clone(),
        command: match policy.operation {
            Operation::Select => PolicyCommand::Select,
            Operation::Insert => PolicyCommand::Insert,
            Operation::Update => PolicyCommand::Update,
            Operation::Delete => PolicyCommand::Delete,
            Operation::All => PolicyCommand::All,
        },
        permissive: policy.permissive,
        roles: roles(policy),
        using,
        with_check,
    })
}

/// How a live policy's expressions compare with the design's. A live expression says the same
/// as the design's when it matches the text as written or as schemaforge would create it
/// (calls wrapped): a policy read from the database, with bare `auth.uid()`, is not rewritten
/// only to wrap them — that stays the `auth_rls_initplan` lint's suggestion.
struct Comparison {
    using: bool,
    check: bool,
}

fn compare(p: &mut Planner, live: &LivePolicy, policy: &Policy, path: &str) -> Option<Comparison> {
    let wrapped = effective_expressions(p, policy, path)?;
    let written = written_expressions(policy);
    let forms = &p.catalog.normalised;
    let same = |live: &Option<String>, written: &Option<String>, wrapped: &Option<String>| {
        let one = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => same_expression_in(forms, a, b),
            (None, None) => true,
            _ => false,
        };
        one(live, written) || one(live, wrapped)
    };
    // UPDATE and ALL check new rows with USING when there is no WITH CHECK.
    let live_check = match policy.operation {
        Operation::Update | Operation::All => live.with_check.clone().or(live.using.clone()),
        _ => live.with_check.clone(),
    };
    Some(Comparison {
        using: same(&live.using, &written.0, &wrapped.0),
        check: same(&live_check, &written.1, &wrapped.1),
    })
}

/// Whether the live policy already is what the design defines (so replacing it is not needed).
pub(super) fn same_policy(
    p: &mut Planner,
    live: &crate::catalog::Policy,
    policy: &Policy,
    path: &str,
) -> bool {
    let Some(compared) = compare(p, live, policy, path) else {
        return false;
    };
    // Role names are case-sensitive; only the PUBLIC pseudo-role is spelled either way.
    let fold = |r: &String| {
        if r.eq_ignore_ascii_case("public") {
            "public".to_owned()
        } else {
            r.clone()
        }
    };
    let mut wanted: Vec<String> = roles(policy).iter().map(fold).collect();
    let mut have: Vec<String> = live.roles.iter().map(fold).collect();
    wanted.sort();
    have.sort();
    live.command.sql() == policy.operation.name()
        && live.permissive == policy.permissive
        && wanted == have
        && compared.using
        && compared.check
}

/// What `ALTER POLICY` sets for a policy the user changed: an expression that already says
/// what the design says keeps its live text, and a live UPDATE or ALL policy without WITH
/// CHECK keeps none while the design gives none, so only what changed is rewritten.
fn altered(p: &mut Planner, live: &LivePolicy, policy: &Policy, path: &str) -> Option<LivePolicy> {
    let mut wanted = live_policy(p, policy, path)?;
    let compared = compare(p, live, policy, path)?;
    if compared.using {
        wanted.using = live.using.clone();
    }
    let follows_using = matches!(policy.operation, Operation::Update | Operation::All);
    if follows_using && policy.with_check_expression.is_none() && live.with_check.is_none() {
        wanted.with_check = None;
    } else if compared.check && wanted.with_check.is_some() {
        wanted.with_check = match (&live.with_check, compared.using) {
            (Some(check), _) => Some(check.clone()),
            // The live check was its USING, which stays: it still is.
            (None, true) => None,
            (None, false) => live.using.clone(),
        };
    }
    Some(wanted)
}

pub(super) fn create_policy(
    p: &mut Planner,
    table: &str,
    policy: &Policy,
    live: Option<&LiveTable>,
    path: &str,
) {
    if let Some(existing) = live.and_then(|l| l.policy(&policy.name)) {
        if same_policy(p, existing, policy, path) {
            return;
        }
        let Some(wanted) = live_policy(p, policy, path) else {
            return;
        };
        let object = format!("{}.{}", p.object(table), policy.name);
        if existing.command == wanted.command && existing.permissive == wanted.permissive {
            let Some(wanted) = altered(p, existing, policy, path) else {
                return;
            };
            // Roles and expressions change in place; the policy never stops applying.
            let change = Change::AlterPolicy {
                table: p.qn(table),
                policy: wanted,
            };
            p.push(Step::new(Section::Policies, object, change));
            return;
        }
        // The command or kind of a policy cannot be altered: drop and create it again, in
        // the same transaction, so no moment goes without it.
        let drop = Change::DropPolicy {
            table: p.qn(table),
            name: policy.name.clone(),
        };
        p.push(Step::new(Section::Policies, object.clone(), drop).replacing());
        let change = Change::CreatePolicy {
            table: p.qn(table),
            policy: wanted,
        };
        p.push(Step::new(Section::Policies, object, change));
        return;
    }
    if let Some(policy) = live_policy(p, policy, path) {
        let object = format!("{}.{}", p.object(table), policy.name);
        let change = Change::CreatePolicy {
            table: p.qn(table),
            policy,
        };
        p.push(Step::new(Section::Policies, object, change));
    }
}

/// Drops the live policies the design names in `drop_policies` — unless the design defines a
/// policy of that name that the live one already matches. Returns the names dropped, which
/// are then created anew from the design.
fn drop_policies(
    p: &mut Planner,
    table: &ResolvedTable,
    ti: usize,
    live: Option<&LiveTable>,
) -> Vec<String> {
    let mut dropped = Vec::new();
    let Some(live) = live else { return dropped };
    for name in &table.drop_policies {
        let Some(existing) = live.policy(name) else {
            continue;
        };
        if let Some((pi, replacement)) = table
            .policies
            .iter()
            .enumerate()
            .find(|(_, d)| &d.name == name)
        {
            let path = format!("tables[{ti}].rls_policies[{pi}]");
            if same_policy(p, existing, replacement, &path) {
                continue;
            }
        }
        let change = Change::DropPolicy {
            table: p.qn(&table.db_name),
            name: name.clone(),
        };
        p.push(Step::new(
            Section::Policies,
            format!("{}.{name}", p.object(&table.db_name)),
            change,
        ));
        dropped.push(name.clone());
    }
    dropped
}

/// The privileges each API role needs on a table, from its policies.
pub(super) fn wanted_privileges(table: &ResolvedTable) -> Vec<(&'static str, Vec<&'static str>)> {
    if table.public_reference {
        return vec![("anon", vec!["SELECT"]), ("authenticated", vec!["SELECT"])];
    }
    let mut anon: Vec<&'static str> = Vec::new();
    for policy in &table.policies {
        if policy
            .roles
            .iter()
            .any(|r| r == "anon" || r.eq_ignore_ascii_case("public"))
        {
            let privileges: &[&'static str] = match policy.operation {
                Operation::All => &WRITE,
                Operation::Select => &["SELECT"],
                Operation::Insert => &["INSERT"],
                Operation::Update => &["SELECT", "UPDATE"],
                Operation::Delete => &["SELECT", "DELETE"],
            };
            for privilege in privileges {
                if !anon.contains(privilege) {
                    anon.push(privilege);
                }
            }
        }
    }
    anon.sort_by_key(|p| WRITE.iter().position(|w| w == p));
    let mut wanted = vec![("authenticated", WRITE.to_vec())];
    if !anon.is_empty() {
        wanted.push(("anon", anon));
    }
    wanted
}

fn grants(p: &mut Planner, table: &ResolvedTable, live: Option<&LiveTable>) {
    let name = table.db_name.as_str();
    if p.catalog.role("authenticated").is_none() || p.catalog.role("anon").is_none() {
        p.note(format!(
            "{}: the roles anon and authenticated do not exist (not a Supabase-style database); no grants",
            p.object(name)
        ));
        return;
    }
    if table.public_reference && live.is_none() {
        // Reference data is read-only for the API roles, whatever the default privileges say.
        let change = Change::RevokeAll {
            table: p.qn(name),
            roles: vec!["anon".into(), "authenticated".into()],
        };
        p.push(Step::new(Section::Grants, p.object(name), change));
    }
    // Roles missing the same privileges share one GRANT.
    let mut grants: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for (role, privileges) in wanted_privileges(table) {
        let missing: Vec<&str> = privileges
            .into_iter()
            .filter(|privilege| !live.is_some_and(|l| l.has_privilege(role, privilege)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        match grants
            .iter_mut()
            .find(|(privileges, _)| *privileges == missing)
        {
            Some((_, roles)) => roles.push(role),
            None => grants.push((missing, vec![role])),
        }
    }
    for (privileges, roles) in grants {
        let change = Change::Grant {
            table: p.qn(name),
            privileges: privileges.into_iter().map(str::to_owned).collect(),
            roles: roles.into_iter().map(str::to_owned).collect(),
        };
        p.push(Step::new(Section::Grants, p.object(name), change));
    }
}

/// Linking tables: RLS on, owners manage their own links, authenticated may use them.
fn linking_security(p: &mut Planner, table: &str) {
    let live = p.live(table);
    if !p.has_auth() {
        p.note(format!(
            "{}: no auth.uid() in this database, so the linking table gets no owner policy",
            p.object(table)
        ));
        return;
    }
    if !live.is_some_and(|l| l.rls_enabled) {
        enable_rls(p, table);
    }
    let policy = Policy {
        name: "Owners manage their links".into(),
        operation: Operation::All,
        using_expression: Some("created_by = auth.uid()".into()),
        with_check_expression: None,
        roles: vec!["authenticated".into()],
        permissive: true,
        renamed_from: None,
    };
    create_policy(p, table, &policy, live, &format!("linking table {table}"));
    if p.catalog.role("authenticated").is_some() {
        let missing: Vec<&str> = ["SELECT", "INSERT", "DELETE"]
            .into_iter()
            .filter(|privilege| !live.is_some_and(|l| l.has_privilege("authenticated", privilege)))
            .collect();
        if !missing.is_empty() {
            let change = Change::Grant {
                table: p.qn(table),
                privileges: missing.into_iter().map(str::to_owned).collect(),
                roles: vec!["authenticated".into()],
            };
            p.push(Step::new(Section::Grants, p.object(table), change));
        }
    }
}
