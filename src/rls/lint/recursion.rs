//! `policy_recursion`: a policy that reads its own table — directly (`exists (select 1 from
//! users …)` on `users`), through a function that is not SECURITY DEFINER, or through a view
//! that applies the caller's policies — makes PostgreSQL expand the table's policies inside
//! themselves. Every query on the table then fails with "infinite recursion detected in
//! policy for relation …". A SECURITY DEFINER function owned by the table's owner breaks the
//! loop: the owner is not subject to the policies.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, Function, Policy, PolicyCommand, Table, TableKind};

use super::references::{Name, references};
use super::{Finding, finding, table_object};

type Key = (String, String);

fn key(t: &Table) -> Key {
    (t.schema.clone(), t.name.clone())
}

/// The schemas a bare name is looked up in: the pinned `search_path`, else the context's.
fn lookup_schemas(f: Option<&Function>, context_schema: &str) -> Vec<String> {
    if let Some(path) = f.and_then(Function::search_path) {
        let schemas: Vec<String> = path
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty() && s != "$user")
            .collect();
        return schemas;
    }
    let mut schemas = vec![context_schema.to_owned()];
    if context_schema != "public" {
        schemas.push("public".into());
    }
    schemas
}

struct Walker<'a> {
    catalog: &'a Catalog,
    /// Functions and views already followed, so mutual references end.
    seen: BTreeSet<String>,
}

impl<'a> Walker<'a> {
    fn tables(&self, name: &Name, schemas: &[String]) -> Option<&'a Table> {
        match &name.schema {
            Some(s) => self.catalog.table(s, &name.name),
            None => schemas
                .iter()
                .find_map(|s| self.catalog.table(s, &name.name)),
        }
    }

    fn functions(&self, name: &Name, schemas: &[String]) -> Vec<&'a Function> {
        let in_schema = |s: &str| -> Vec<&'a Function> {
            self.catalog
                .functions
                .iter()
                .filter(|f| f.schema == s && f.name == name.name)
                .collect()
        };
        match &name.schema {
            Some(s) => in_schema(s),
            None => schemas
                .iter()
                .map(|s| in_schema(s))
                .find(|found| !found.is_empty())
                .unwrap_or_default(),
        }
    }

    /// The tables whose policies apply when `sql` runs with bare names looked up in `schemas`.
    fn reads(&mut self, sql: &str, schemas: &[String], out: &mut BTreeSet<Key>) {
        let Ok(refs) = references(sql) else { return };
        for name in &refs.relations {
            let Some(t) = self.tables(name, schemas) else {
                continue;
            };
            if t.kind != TableKind::View {
                out.insert(key(t));
                continue;
            }
            let id = format!("view {}.{}", t.schema, t.name);
            if !self.seen.insert(id) {
                continue;
            }
            let Some(definition) = &t.view_definition else {
                continue;
            };
            let mut under = BTreeSet::new();
            self.reads(definition, std::slice::from_ref(&t.schema), &mut under);
            // A view without security_invoker reads as its owner, who is not subject to the
            // policies of the tables it owns.
            for u in under {
                let owner_bypasses = !t.security_invoker
                    && self
                        .catalog
                        .table(&u.0, &u.1)
                        .is_some_and(|base| base.owner == t.owner);
                if !owner_bypasses {
                    out.insert(u);
                }
            }
        }
        for name in &refs.calls {
            for f in self.functions(name, schemas) {
                if f.security_definer {
                    continue;
                }
                let Some(body) = &f.body else { continue };
                if !self
                    .seen
                    .insert(format!("function {}.{}", f.schema, f.signature()))
                {
                    continue;
                }
                let schemas = lookup_schemas(Some(f), &f.schema);
                self.reads(body, &schemas, out);
            }
        }
    }

    fn policy_reads(&mut self, table: &Table, policy: &Policy) -> BTreeSet<Key> {
        let mut out = BTreeSet::new();
        let schemas = lookup_schemas(None, &table.schema);
        for text in [&policy.using, &policy.with_check].into_iter().flatten() {
            self.seen.clear();
            self.reads(text, &schemas, &mut out);
        }
        out
    }

    /// The tables a query on `table` reads through its SELECT policies.
    fn select_reads(&mut self, table: &Table) -> BTreeSet<Key> {
        let mut out = BTreeSet::new();
        for p in table
            .policies
            .iter()
            .filter(|p| matches!(p.command, PolicyCommand::Select | PolicyCommand::All))
        {
            out.extend(self.policy_reads(table, p));
        }
        out
    }

    /// Every table reached from `start` by expanding the SELECT policies of each table with
    /// row-level security on.
    fn closure(&mut self, start: BTreeSet<Key>) -> BTreeSet<Key> {
        let mut reached = BTreeSet::new();
        let mut queue: Vec<Key> = start.into_iter().collect();
        while let Some(k) = queue.pop() {
            if !reached.insert(k.clone()) {
                continue;
            }
            if let Some(t) = self.catalog.table(&k.0, &k.1).filter(|t| t.rls_enabled) {
                queue.extend(self.select_reads(t));
            }
        }
        reached
    }
}

pub(super) fn recursion_rules(catalog: &Catalog, table: &Table, out: &mut Vec<Finding>) {
    if !table.rls_enabled || table.policies.is_empty() {
        return;
    }
    let mut walker = Walker {
        catalog,
        seen: BTreeSet::new(),
    };
    let own = key(table);
    let select = walker.select_reads(table);
    // Reading the table from inside a policy is harmless unless its SELECT policies loop.
    if !walker.closure(select).contains(&own) {
        return;
    }
    for policy in &table.policies {
        let reads = walker.policy_reads(table, policy);
        let schemas = lookup_schemas(None, &table.schema);
        let direct = [&policy.using, &policy.with_check]
            .into_iter()
            .flatten()
            .filter_map(|text| references(text).ok())
            .any(|r| {
                r.relations
                    .iter()
                    .any(|n| walker.tables(n, &schemas).is_some_and(|t| key(t) == own))
            });
        if !walker.closure(reads).contains(&own) {
            continue;
        }
        let object = format!("{}.{}", table_object(table), policy.name);
        let message = if direct {
            format!(
                "the policy reads {} itself: PostgreSQL applies the table's policies inside themselves and every query on it fails with \"infinite recursion detected in policy for relation \\\"{}\\\"\"",
                table_object(table),
                table.name
            )
        } else {
            format!(
                "the policy reads {} again, through a function that is not SECURITY DEFINER, a view or another table's policy: each read applies the policy once more, and every query on it fails (\"infinite recursion detected in policy\" or \"stack depth limit exceeded\")",
                table_object(table)
            )
        };
        out.push(finding(
            "policy_recursion",
            object,
            message,
            "move the lookup into a SECURITY DEFINER function with SET search_path = '' (owned by the table's owner, EXECUTE revoked from anon) and call it as (select fn()), or read a table the policy does not guard (e.g. a memberships table)".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};
    use crate::catalog::{Catalog, PolicyCommand, TableKind};

    fn recursive(c: &Catalog) -> Vec<String> {
        lint(c, &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "policy_recursion")
            .map(|f| f.object)
            .collect()
    }

    fn users(using: &str) -> Catalog {
        let mut t = table("public", "users");
        t.policies = vec![policy(
            "admins read all",
            PolicyCommand::Select,
            &["authenticated"],
            Some(using),
            None,
        )];
        catalog(vec![t])
    }

    #[test]
    fn a_policy_reading_its_own_table_recurses() {
        let c = users(
            "(EXISTS ( SELECT 1 FROM users u WHERE ((u.id = auth.uid()) AND (u.role = 'admin'::text))))",
        );
        assert_eq!(recursive(&c), ["public.users.admins read all"]);
    }

    #[test]
    fn through_an_invoker_function_it_recurses_and_through_a_definer_it_does_not() {
        let mut c = users("public.is_admin()");
        let mut f = function("public", "is_admin", &[]);
        f.result = Some("boolean".into());
        f.language = "sql".into();
        f.body = Some("select exists (select 1 from public.users where id = auth.uid())".into());
        c.functions = vec![f];
        assert_eq!(recursive(&c), ["public.users.admins read all"]);
        c.functions[0].security_definer = true;
        assert!(recursive(&c).is_empty());
    }

    #[test]
    fn through_an_invoker_view_it_recurses() {
        let mut c = users("(EXISTS ( SELECT 1 FROM public.admins a WHERE (a.id = auth.uid())))");
        let mut v = table("public", "admins");
        v.kind = TableKind::View;
        v.policies.clear();
        v.rls_enabled = false;
        v.security_invoker = true;
        v.view_definition =
            Some(" SELECT users.id FROM public.users WHERE users.role = 'admin'".into());
        c.tables.insert(0, v);
        assert_eq!(recursive(&c), ["public.users.admins read all"]);
        // Without security_invoker the view reads as its owner, who owns users too.
        c.tables[0].security_invoker = false;
        assert!(recursive(&c).is_empty());
    }

    #[test]
    fn an_insert_check_reading_the_table_is_fine_when_select_does_not_loop() {
        let mut t = table("public", "users");
        t.policies.push(policy(
            "one per user",
            PolicyCommand::Insert,
            &["authenticated"],
            None,
            Some("(NOT (EXISTS ( SELECT 1 FROM users u WHERE (u.id = auth.uid()))))"),
        ));
        assert!(recursive(&catalog(vec![t])).is_empty());
    }

    #[test]
    fn reading_another_table_is_not_recursion() {
        let c = users("(EXISTS ( SELECT 1 FROM public.todos t WHERE (t.created_by = auth.uid())))");
        let mut c2 = c.clone();
        c2.tables.push(table("public", "todos"));
        c2.tables
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        assert!(recursive(&c2).is_empty());
    }
}
