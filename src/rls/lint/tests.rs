//! Every rule, positive and negative, on catalog values built by hand.

use super::fixtures::*;
use super::*;
use crate::catalog::{Grant, PolicyCommand, TableKind};

fn rules(catalog: &Catalog) -> Vec<(&'static str, String)> {
    lint(catalog, &LintContext::live())
        .into_iter()
        .map(|f| (f.rule, f.object))
        .collect()
}

fn only(catalog: &Catalog, rule: &str) -> Vec<Finding> {
    lint(catalog, &LintContext::live())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

fn with_policy(p: crate::catalog::Policy) -> Catalog {
    let mut t = table("public", "todos");
    t.policies = vec![p];
    catalog(vec![t])
}

#[test]
fn a_schemaforge_table_is_clean() {
    assert_eq!(rules(&catalog(vec![table("public", "todos")])), vec![]);
}

#[test]
fn rls_disabled_in_public() {
    let mut t = table("public", "todos");
    t.rls_enabled = false;
    t.policies.clear();
    let f = only(&catalog(vec![t.clone()]), "rls_disabled_in_public");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].level, Level::Error);
    assert_eq!(f[0].object, "public.todos");
    assert!(f[0].remedy.contains("ENABLE ROW LEVEL SECURITY"));
    // Not exposed, managed, marked as reference data, or read-only for the API: no finding.
    let mut private = t.clone();
    private.schema = "internal".into();
    let mut managed = t.clone();
    managed.schema = "auth".into();
    assert!(only(&catalog(vec![private, managed]), "rls_disabled_in_public").is_empty());
    let context = LintContext {
        public_reference: vec![QualifiedName {
            schema: "public".into(),
            name: "todos".into(),
        }],
        ..LintContext::live()
    };
    assert!(
        lint(&catalog(vec![t.clone()]), &context)
            .iter()
            .all(|f| f.rule != "rls_disabled_in_public")
    );
    let mut read_only = t;
    read_only.grants = ["anon", "authenticated"]
        .iter()
        .map(|r| Grant {
            grantee: (*r).into(),
            privilege: "SELECT".into(),
        })
        .collect();
    assert!(only(&catalog(vec![read_only]), "rls_disabled_in_public").is_empty());
}

#[test]
fn policy_exists_rls_disabled_and_rls_enabled_no_policy() {
    let mut off = table("internal", "a");
    off.rls_enabled = false;
    let f = only(&catalog(vec![off]), "policy_exists_rls_disabled");
    assert_eq!((f.len(), f[0].level), (1, Level::Error));
    let mut bare = table("public", "b");
    bare.policies.clear();
    let f = only(&catalog(vec![bare]), "rls_enabled_no_policy");
    assert_eq!((f.len(), f[0].level), (1, Level::Info));
    let clean = catalog(vec![table("public", "c")]);
    assert!(only(&clean, "policy_exists_rls_disabled").is_empty());
    assert!(only(&clean, "rls_enabled_no_policy").is_empty());
}

#[test]
fn auth_rls_initplan() {
    for (text, calls) in [
        ("created_by = auth.uid()", "auth.uid()"),
        (
            "tenant = current_setting('app.tenant')",
            "current_setting()",
        ),
        ("auth.role() = 'authenticated'", "auth.role()"),
    ] {
        let f = only(
            &with_policy(policy(
                "p",
                PolicyCommand::Select,
                &["authenticated"],
                Some(text),
                None,
            )),
            "auth_rls_initplan",
        );
        assert_eq!(f.len(), 1, "{text}");
        assert_eq!(f[0].object, "public.todos.p");
        assert!(f[0].message.starts_with(calls), "{}", f[0].message);
    }
    let f = only(
        &with_policy(policy(
            "p",
            PolicyCommand::Select,
            &["authenticated"],
            Some("created_by = auth.uid()"),
            None,
        )),
        "auth_rls_initplan",
    );
    assert!(f[0].remedy.contains("created_by = (select auth.uid())"));
    for text in [
        "created_by = (select auth.uid())",
        "created_by = ( SELECT auth.uid() AS uid)",
        "note = 'auth.uid()'",
    ] {
        let c = with_policy(policy(
            "p",
            PolicyCommand::Select,
            &["authenticated"],
            Some(text),
            None,
        ));
        assert!(only(&c, "auth_rls_initplan").is_empty(), "{text}");
    }
}

#[test]
fn multiple_permissive_policies() {
    let mut t = table("public", "todos");
    t.policies.push(policy(
        "read all",
        PolicyCommand::Select,
        &["public"],
        Some("true"),
        None,
    ));
    let f = only(&catalog(vec![t.clone()]), "multiple_permissive_policies");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("owner, read all"), "{}", f[0].message);
    assert!(f[0].message.contains("SELECT by authenticated"));
    assert!(
        !f[0].message.contains("by anon"),
        "the owner policy is not for anon"
    );
    // Restrictive, or for different commands or roles: fine.
    t.policies[1].permissive = false;
    assert!(only(&catalog(vec![t.clone()]), "multiple_permissive_policies").is_empty());
    t.policies[1].permissive = true;
    t.policies[0].command = PolicyCommand::Insert;
    assert!(only(&catalog(vec![t.clone()]), "multiple_permissive_policies").is_empty());
    t.policies[0].command = PolicyCommand::Select;
    t.policies[1].roles = vec!["anon".into()];
    assert!(only(&catalog(vec![t]), "multiple_permissive_policies").is_empty());
}

#[test]
fn rls_policy_always_true() {
    let open = [
        policy(
            "u",
            PolicyCommand::Update,
            &["authenticated"],
            Some("true"),
            None,
        ),
        policy("d", PolicyCommand::Delete, &["anon"], Some("(true)"), None),
        policy(
            "a",
            PolicyCommand::All,
            &["public"],
            Some("true"),
            Some("true"),
        ),
        policy("i", PolicyCommand::Insert, &["anon"], None, Some("true")),
        policy("n", PolicyCommand::Insert, &["authenticated"], None, None),
    ];
    for p in open {
        let name = p.name.clone();
        let f = only(&with_policy(p), "rls_policy_always_true");
        assert_eq!(f.len(), 1, "{name}");
        assert_eq!(f[0].level, Level::Warn);
    }
    let fine = [
        policy("read", PolicyCommand::Select, &["anon"], Some("true"), None),
        policy(
            "svc",
            PolicyCommand::Delete,
            &["service_role"],
            Some("true"),
            None,
        ),
        policy(
            "own",
            PolicyCommand::Insert,
            &["authenticated"],
            None,
            Some("created_by = (select auth.uid())"),
        ),
        policy(
            "own",
            PolicyCommand::Update,
            &["authenticated"],
            Some("created_by = (select auth.uid())"),
            Some("true"),
        ),
    ];
    for p in fine {
        let name = p.name.clone();
        assert!(
            only(&with_policy(p), "rls_policy_always_true").is_empty(),
            "{name}"
        );
    }
}

#[test]
fn rls_references_user_metadata() {
    for text in [
        "(auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'",
        "((( SELECT auth.jwt() AS jwt) -> 'user_metadata'::text) ->> 'org'::text) = 'x'",
        "exists (select 1 from auth.users u where u.id = (select auth.uid()) and u.raw_user_meta_data ->> 'admin' = 'true')",
    ] {
        let f = only(
            &with_policy(policy(
                "p",
                PolicyCommand::Select,
                &["authenticated"],
                Some(text),
                None,
            )),
            "rls_references_user_metadata",
        );
        assert_eq!(f.len(), 1, "{text}");
        assert_eq!(f[0].level, Level::Error);
    }
    let c = with_policy(policy(
        "p",
        PolicyCommand::Select,
        &["authenticated"],
        Some(
            "((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin' AND note = 'user_metadata'",
        ),
        None,
    ));
    assert!(only(&c, "rls_references_user_metadata").is_empty());
}

#[test]
fn invented_jwt_claim() {
    let mut t = table("public", "contacts");
    t.columns.push(column("org_id", false, None));
    t.policies = vec![policy(
        "org",
        PolicyCommand::Select,
        &["authenticated"],
        Some("((select auth.jwt()) ->> 'org_id')::uuid = org_id"),
        None,
    )];
    let f = only(&catalog(vec![t.clone()]), "invented_jwt_claim");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("'org_id'"));
    for standard in ["sub", "email", "role", "aud", "exp", "app_metadata"] {
        t.policies[0].using = Some(format!(
            "((select auth.jwt()) ->> '{standard}') IS NOT NULL"
        ));
        assert!(
            only(&catalog(vec![t.clone()]), "invented_jwt_claim").is_empty(),
            "{standard}"
        );
    }
    // A JSON column of the table is not the JWT.
    t.policies[0].using = Some("settings ->> 'org_id' = 'x'".into());
    assert!(only(&catalog(vec![t]), "invented_jwt_claim").is_empty());
}

#[test]
fn policy_unknown_column() {
    let mut members = table("public", "organization_members");
    members.columns.push(column("org_id", false, None));
    members.columns.push(column("user_id", false, None));
    let mut projects = table("public", "projects");
    projects.columns.push(column("org_id", false, None));
    let good = "EXISTS (SELECT 1 FROM public.organization_members m WHERE m.org_id = projects.org_id AND m.user_id = (select auth.uid()))";
    projects.policies = vec![policy(
        "org",
        PolicyCommand::Select,
        &["authenticated"],
        Some(good),
        None,
    )];
    let c = catalog(vec![members.clone(), projects.clone()]);
    assert!(only(&c, "policy_unknown_column").is_empty());
    for (text, column) in [
        ("owner_id = (select auth.uid())", "owner_id"),
        (
            "EXISTS (SELECT 1 FROM organization_members m WHERE m.organisation_id = projects.org_id)",
            "organisation_id",
        ),
        (
            "EXISTS (SELECT 1 FROM organization_members m WHERE m.org_id = projects.team_id)",
            "team_id",
        ),
        (
            "EXISTS (SELECT 1 FROM organization_members WHERE member = (select auth.uid()))",
            "member",
        ),
    ] {
        projects.policies[0].using = Some(text.into());
        let f = only(
            &catalog(vec![members.clone(), projects.clone()]),
            "policy_unknown_column",
        );
        assert_eq!(f.len(), 1, "{text}");
        assert!(f[0].message.contains(column), "{}", f[0].message);
        assert_eq!(f[0].level, Level::Error);
    }
    // A table the catalog does not know: not judged.
    projects.policies[0].using =
        Some("EXISTS (SELECT 1 FROM elsewhere e WHERE e.x = projects.org_id)".into());
    assert!(only(&catalog(vec![members, projects]), "policy_unknown_column").is_empty());
}

#[test]
fn policy_requires_client_field() {
    let mut t = table("public", "contacts");
    t.columns.push(column("owner_id", true, None));
    t.columns.push(column("org_id", false, None));
    t.policies = vec![policy(
        "insert own",
        PolicyCommand::Insert,
        &["authenticated"],
        None,
        Some("owner_id = (select auth.uid())"),
    )];
    let f = only(&catalog(vec![t.clone()]), "policy_requires_client_field");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("owner_id"));
    // A default, a required column, or a SELECT policy: fine.
    for text in ["created_by = (select auth.uid())", "org_id IS NOT NULL"] {
        t.policies[0].with_check = Some(text.into());
        assert!(only(&catalog(vec![t.clone()]), "policy_requires_client_field").is_empty());
    }
    t.policies[0] = policy(
        "read",
        PolicyCommand::Select,
        &["authenticated"],
        Some("owner_id = (select auth.uid())"),
        None,
    );
    assert!(only(&catalog(vec![t]), "policy_requires_client_field").is_empty());
}

#[test]
fn unindexed_foreign_keys_and_no_primary_key() {
    let mut t = table("public", "todos");
    t.columns.push(column("project_id", true, None));
    t.foreign_keys.push(foreign_key(
        "todos_project_id_fkey",
        "project_id",
        "projects",
    ));
    let f = only(&catalog(vec![t.clone()]), "unindexed_foreign_keys");
    assert_eq!((f.len(), f[0].level), (1, Level::Info));
    assert_eq!(f[0].object, "public.todos.todos_project_id_fkey");
    t.indexes.push(index(
        "idx_todos_project_id",
        "public",
        "todos",
        "project_id",
        false,
    ));
    assert!(only(&catalog(vec![t.clone()]), "unindexed_foreign_keys").is_empty());
    t.primary_key = None;
    let f = only(&catalog(vec![t]), "no_primary_key");
    assert_eq!((f.len(), f[0].level), (1, Level::Info));
}

#[test]
fn duplicate_index() {
    let mut t = table("public", "todos");
    let mut twin = index(
        "todos_created_by_idx",
        "public",
        "todos",
        "created_by",
        false,
    );
    twin.definition = "CREATE INDEX \"todos_created_by_idx\" ON \"public\".\"todos\" USING btree (\"created_by\")".into();
    t.indexes.push(twin);
    let f = only(&catalog(vec![t.clone()]), "duplicate_index");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].level, Level::Warn);
    assert!(f[0].message.contains("todos_created_by_idx"));
    // Unique vs not, or another column: different indexes.
    t.indexes[2].unique = true;
    t.indexes[2].definition =
        "CREATE UNIQUE INDEX todos_created_by_idx ON public.todos USING btree (created_by)".into();
    assert!(only(&catalog(vec![t.clone()]), "duplicate_index").is_empty());
    t.indexes[2] = index("x", "public", "todos", "created_at", false);
    assert!(only(&catalog(vec![t]), "duplicate_index").is_empty());
}

#[test]
fn security_definer_view() {
    let mut v = table("public", "todos_view");
    v.kind = TableKind::View;
    v.policies.clear();
    v.primary_key = None;
    let f = only(&catalog(vec![v.clone()]), "security_definer_view");
    assert_eq!((f.len(), f[0].level), (1, Level::Error));
    assert!(f[0].remedy.contains("security_invoker = true"));
    assert_eq!(
        rules(&catalog(vec![v.clone()])).len(),
        1,
        "no table rules on a view"
    );
    v.security_invoker = true;
    assert!(only(&catalog(vec![v.clone()]), "security_definer_view").is_empty());
    v.security_invoker = false;
    v.schema = "internal".into();
    assert!(only(&catalog(vec![v]), "security_definer_view").is_empty());
}

#[test]
fn function_search_path_mutable() {
    let mut c = catalog(vec![]);
    c.functions = vec![
        function("public", "loose", &[]),
        function("public", "pinned", &["search_path=\"\""]),
        function("auth", "uid", &[]),
    ];
    let mut from_extension = function("public", "gen_thing", &[]);
    from_extension.extension = Some("pgcrypto".into());
    c.functions.push(from_extension);
    let f = only(&c, "function_search_path_mutable");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].object, "public.loose()");
    assert_eq!(f[0].level, Level::Warn);
}

#[test]
fn policy_unreadable_and_ordering() {
    let mut t = table("public", "todos");
    t.policies = vec![policy(
        "p",
        PolicyCommand::Select,
        &["authenticated"],
        Some("note = 'unterminated"),
        None,
    )];
    t.rls_enabled = false;
    let all = lint(&catalog(vec![t]), &LintContext::live());
    assert!(all.iter().any(|f| f.rule == "policy_unreadable"));
    assert_eq!(all[0].level, Level::Error, "errors come first");
    assert!(has_errors(&all));
    assert!(RULES.iter().all(|(rule, _)| !rule.is_empty()));
}

#[test]
fn policy_requires_client_field_treats_or_branches_as_alternatives() {
    let mut t = table("public", "games");
    t.columns.push(column("player1_id", true, None));
    t.columns.push(column("player2_id", true, None));
    let check = |text: &str| {
        let mut t = t.clone();
        t.policies = vec![policy(
            "join",
            PolicyCommand::Insert,
            &["authenticated"],
            None,
            Some(text),
        )];
        only(&catalog(vec![t]), "policy_requires_client_field")
    };
    // As pg_get_expr prints it: either player may be the one inserting.
    assert!(
        check("((player1_id = ( SELECT auth.uid() AS uid)) OR (player2_id = ( SELECT auth.uid() AS uid)))")
            .is_empty()
    );
    // Both branches need player1_id: still required.
    let f =
        check("(player1_id = auth.uid()) OR (player1_id IS NOT NULL AND player2_id = auth.uid())");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("player1_id"));
    // OR inside a parenthesised AND operand is not a top-level alternative: player1_id
    // stays required.
    let f = check("player1_id = auth.uid() AND (player2_id IS NULL OR player2_id <> player1_id)");
    assert!(
        f.iter().any(|x| x.message.contains("checks player1_id")),
        "{f:#?}"
    );
}

#[test]
fn multiple_permissive_policies_counts_only_api_roles() {
    let mut t = table("public", "todos");
    for name in ["auth admin a", "auth admin b"] {
        t.policies.push(policy(
            name,
            PolicyCommand::Select,
            &["supabase_auth_admin"],
            Some("true"),
            None,
        ));
    }
    let mut c = catalog(vec![t]);
    assert!(only(&c, "multiple_permissive_policies").is_empty());
    // A role that inherits authenticated is an API role.
    c.role_memberships.push(crate::catalog::RoleMembership {
        member: "supabase_auth_admin".into(),
        role: "authenticated".into(),
        inherit: true,
    });
    let f = only(&c, "multiple_permissive_policies");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("SELECT by supabase_auth_admin"),
        "{}",
        f[0].message
    );
}

#[test]
fn invented_jwt_claim_names_the_access_token_hook() {
    let mut t = table("public", "contacts");
    t.columns.push(column("org_id", false, None));
    t.policies = vec![policy(
        "org",
        PolicyCommand::Select,
        &["authenticated"],
        Some("((select auth.jwt()) ->> 'org_id')::uuid = org_id"),
        None,
    )];
    let mut c = catalog(vec![t]);
    let mut hook = function("public", "custom_access_token_hook", &["search_path=\"\""]);
    hook.identity_args = "event jsonb".into();
    hook.result = Some("jsonb".into());
    c.functions = vec![hook];
    // Without the grant to the Auth server's role it is not a hook.
    let f = only(&c, "invented_jwt_claim");
    assert!(
        f[0].message.contains("does not issue (only"),
        "{}",
        f[0].message
    );
    c.functions[0].grants.push(Grant {
        grantee: "supabase_auth_admin".into(),
        privilege: "EXECUTE".into(),
    });
    let f = only(&c, "invented_jwt_claim");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message
            .contains("public.custom_access_token_hook may add it"),
        "{}",
        f[0].message
    );
    assert!(!f[0].message.contains("does not issue (only"));
}

#[test]
fn a_partial_index_does_not_cover_a_foreign_key() {
    let mut t = table("public", "messages");
    t.columns.push(column("room_id", false, None));
    t.foreign_keys = vec![foreign_key("messages_room_id_fkey", "room_id", "rooms")];
    let mut partial = index("messages_room_idx", "public", "messages", "room_id", false);
    partial.definition.push_str(" WHERE (deleted_at IS NULL)");
    t.indexes.push(partial);
    let f = only(&catalog(vec![t.clone()]), "unindexed_foreign_keys");
    assert_eq!(f.len(), 1, "{f:#?}");
    t.indexes.push(index(
        "messages_room_all_idx",
        "public",
        "messages",
        "room_id",
        false,
    ));
    assert!(only(&catalog(vec![t]), "unindexed_foreign_keys").is_empty());
}
