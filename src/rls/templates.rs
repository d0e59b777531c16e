//! Policy templates: the secure patterns of the seeds, applied to a design table as plain
//! design data (policies, and for multi-tenancy tables and a relationship) that the user can
//! then edit and the planner plans like anything typed by hand.
//!
//! Every template relies only on `auth.uid()` — GoTrue's one dependable claim — and on
//! columns that always have a value: `created_by` defaults to `auth.uid()`, and `org_id` is
//! a required relationship, so no policy silently needs a field the client may leave out.

use crate::design::{
    DefaultValue, Design, Field, FieldType, Operation, Policy, Relationship, Table,
};
use crate::sql::{ident, qualified};

/// The templates a user picks from in phase 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// Each user reads and writes only the rows they created (`created_by`).
    OwnerOnly,
    /// Everyone, signed in or not, reads; owners write.
    PublicReadOwnerWrite,
    /// Signed-in users read; owners write.
    AuthenticatedReadOwnerWrite,
    /// Reference data: no RLS, read-only for anon and authenticated.
    PublicReference,
    /// Rows belong to an organisation; its members read and write them.
    Organization,
    /// RLS on; the user writes the policies.
    HandWritten,
}

impl Template {
    pub const ALL: [Template; 6] = [
        Template::OwnerOnly,
        Template::PublicReadOwnerWrite,
        Template::AuthenticatedReadOwnerWrite,
        Template::PublicReference,
        Template::Organization,
        Template::HandWritten,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Template::OwnerOnly => "owner only (created_by)",
            Template::PublicReadOwnerWrite => "public read, owner write",
            Template::AuthenticatedReadOwnerWrite => "signed-in read, owner write",
            Template::PublicReference => "public reference data (no RLS, read-only)",
            Template::Organization => "organisation membership",
            Template::HandWritten => "hand-written",
        }
    }

    /// Who can do what, in one line (the TUI's template picker shows it).
    pub fn description(self) -> &'static str {
        match self {
            Template::OwnerOnly => {
                "each signed-in user reads and writes only the rows they created"
            }
            Template::PublicReadOwnerWrite => {
                "everyone (even signed out) reads; only the row's creator changes it"
            }
            Template::AuthenticatedReadOwnerWrite => {
                "signed-in users read every row; only the row's creator changes it"
            }
            Template::PublicReference => {
                "RLS off: anyone reads through the API; only the server writes"
            }
            Template::Organization => {
                "members of the row's organisation read and write it (adds the membership tables)"
            }
            Template::HandWritten => "RLS on, the policies stay as they are: write your own",
        }
    }

    /// Its serialised name (`owner_only`): what a picker entry reads back.
    pub fn key(self) -> &'static str {
        match self {
            Template::OwnerOnly => "owner_only",
            Template::PublicReadOwnerWrite => "public_read_owner_write",
            Template::AuthenticatedReadOwnerWrite => "authenticated_read_owner_write",
            Template::PublicReference => "public_reference",
            Template::Organization => "organization",
            Template::HandWritten => "hand_written",
        }
    }
}

/// The tables the organisation template creates when the design lacks them.
pub const ORGANIZATIONS: &str = "organizations";
pub const ORGANIZATION_MEMBERS: &str = "organization_members";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the design has no table {0:?}")]
    NoSuchTable(String),
    #[error("{0} is part of the organisation pattern itself; pick another template for it")]
    OrganizationTable(String),
}

const OWNER: &str = "created_by = auth.uid()";

fn policy(name: &str, operation: Operation, using: Option<&str>, check: Option<&str>) -> Policy {
    Policy {
        using_expression: using.map(str::to_owned),
        with_check_expression: check.map(str::to_owned),
        ..Policy::new(name, operation)
    }
}

/// INSERT, UPDATE and DELETE for the row's creator — one policy per command, so a read
/// policy next to them never doubles up (`multiple_permissive_policies`).
fn owner_writes() -> Vec<Policy> {
    vec![
        policy(
            "Owners insert their rows",
            Operation::Insert,
            None,
            Some(OWNER),
        ),
        policy(
            "Owners update their rows",
            Operation::Update,
            Some(OWNER),
            Some(OWNER),
        ),
        policy(
            "Owners delete their rows",
            Operation::Delete,
            Some(OWNER),
            None,
        ),
    ]
}

/// The policies (and flags) of a template for a table, without touching anything else.
/// `Organization` needs the design around it: use [`apply`].
pub fn policies(template: Template, table: &str, schema: &str) -> Vec<Policy> {
    match template {
        Template::OwnerOnly => {
            let mut p = vec![policy(
                "Owners read their rows",
                Operation::Select,
                Some(OWNER),
                None,
            )];
            p.extend(owner_writes());
            p
        }
        Template::PublicReadOwnerWrite => {
            let mut read = policy("Anyone can read", Operation::Select, Some("true"), None);
            read.roles = vec!["anon".into(), "authenticated".into()];
            let mut p = vec![read];
            p.extend(owner_writes());
            p
        }
        Template::AuthenticatedReadOwnerWrite => {
            let mut p = vec![policy(
                "Signed-in users can read",
                Operation::Select,
                Some("true"),
                None,
            )];
            p.extend(owner_writes());
            p
        }
        Template::Organization => {
            let member = membership(schema, table);
            vec![
                policy("Members read", Operation::Select, Some(&member), None),
                policy(
                    "Members insert",
                    Operation::Insert,
                    None,
                    Some(&format!("{OWNER} AND {member}")),
                ),
                policy(
                    "Members update",
                    Operation::Update,
                    Some(&member),
                    Some(&member),
                ),
                policy("Members delete", Operation::Delete, Some(&member), None),
            ]
        }
        Template::PublicReference | Template::HandWritten => Vec::new(),
    }
}

/// `EXISTS (… organization_members …)`: the signed-in user belongs to the row's organisation.
fn membership(schema: &str, table: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM {} m WHERE m.org_id = {}.org_id AND m.user_id = auth.uid())",
        qualified(schema, ORGANIZATION_MEMBERS),
        ident(table)
    )
}

/// Applies a template to the design table `table` (by `db_name` or `name`): its policies
/// are replaced (hand-written keeps them), RLS and `public_reference` are set, and for the
/// organisation template the membership tables and the `org` relationship are added when
/// the design lacks them. Live tables of those names count as present when `known` says so.
pub fn apply(
    design: &mut Design,
    table: &str,
    template: Template,
    known: &dyn Fn(&str, &str) -> bool,
) -> Result<(), TemplateError> {
    let index = design
        .find_table(table)
        .ok_or_else(|| TemplateError::NoSuchTable(table.to_owned()))?;
    let db_name = design.tables[index].db_name().into_owned();
    let schema = design.schema.clone();
    if template == Template::Organization {
        if db_name == ORGANIZATIONS || db_name == ORGANIZATION_MEMBERS {
            return Err(TemplateError::OrganizationTable(db_name));
        }
        ensure_organization_tables(design, known);
        let has_org = design
            .relationships
            .iter()
            .any(|r| r.name == "org" && design.find_table(&r.table) == Some(index));
        if !has_org {
            design.relationships.push(Relationship {
                table: db_name.clone(),
                name: "org".into(),
                target: ORGANIZATIONS.into(),
                allow_multiple: false,
                one_to_one: false,
                cascade_delete: true,
                on_delete: None,
                required: true,
            });
        }
    }
    let t = &mut design.tables[index];
    t.public_reference = template == Template::PublicReference;
    t.rls_enabled = template != Template::PublicReference;
    if template != Template::HandWritten {
        t.rls_policies = policies(template, &db_name, &schema);
    }
    Ok(())
}

fn text_field(name: &str) -> Field {
    let mut f = Field::new(name, FieldType::SingleLineText);
    f.options.required = true;
    f.is_primary = true;
    f
}

/// `organizations` and `organization_members` (seed 001, "Multi-Tenancy"), unless the
/// design or the database has them.
fn ensure_organization_tables(design: &mut Design, known: &dyn Fn(&str, &str) -> bool) {
    let schema = design.schema.clone();
    let members = qualified(&schema, ORGANIZATION_MEMBERS);
    let missing =
        |design: &Design, name: &str| design.find_table(name).is_none() && !known(&schema, name);
    if missing(design, ORGANIZATIONS) {
        let mut t = Table::new("Organizations");
        t.db_name = Some(ORGANIZATIONS.into());
        t.fields = vec![text_field("name")];
        // Creators always see what they made; everyone else needs a membership (which the
        // server adds: see the membership table's policies below).
        let read = format!(
            "{OWNER} OR EXISTS (SELECT 1 FROM {members} m WHERE m.org_id = {}.id AND m.user_id = auth.uid())",
            ident(ORGANIZATIONS)
        );
        t.rls_policies = vec![
            policy(
                "Members read their organizations",
                Operation::Select,
                Some(&read),
                None,
            ),
            policy(
                "Signed-in users create organizations",
                Operation::Insert,
                None,
                Some(OWNER),
            ),
            policy(
                "Creators update their organizations",
                Operation::Update,
                Some(OWNER),
                Some(OWNER),
            ),
            policy(
                "Creators delete their organizations",
                Operation::Delete,
                Some(OWNER),
                None,
            ),
        ];
        design.tables.push(t);
    }
    if missing(design, ORGANIZATION_MEMBERS) {
        let mut t = Table::new("Organization members");
        t.db_name = Some(ORGANIZATION_MEMBERS.into());
        let mut role = Field::new("role", FieldType::SingleSelect);
        role.options.choices = vec!["admin".into(), "member".into()];
        role.options.default = Some(DefaultValue::Literal("member".into()));
        role.options.required = true;
        role.is_primary = true;
        t.fields = vec![role];
        // No policy here may read another table: `organizations` (and every tenant table)
        // reads this one, and PostgreSQL refuses a cycle of policies that contain
        // sub-selects ("infinite recursion detected in policy") — `(select auth.uid())` is
        // one, so even "creators add members" through `organizations` would close a cycle.
        // Each user therefore sees and may leave only their own memberships; memberships are
        // added by the server (service_role, SQL, an Edge Function handling invitations).
        t.rls_policies = vec![
            policy(
                "Members see their memberships",
                Operation::Select,
                Some("user_id = auth.uid()"),
                None,
            ),
            policy(
                "Members leave organizations",
                Operation::Delete,
                Some("user_id = auth.uid()"),
                None,
            ),
        ];
        design.tables.push(t);
        for (name, target) in [("org", ORGANIZATIONS), ("user", "auth.users")] {
            design.relationships.push(Relationship {
                table: ORGANIZATION_MEMBERS.into(),
                name: name.into(),
                target: target.into(),
                allow_multiple: false,
                one_to_one: false,
                cascade_delete: true,
                on_delete: None,
                required: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        serde_json::from_value(serde_json::json!({"tables": [
            {"name": "Projects", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}]}
        ]}))
        .unwrap()
    }

    #[test]
    fn owner_templates_produce_one_policy_per_command_on_created_by() {
        for template in [
            Template::OwnerOnly,
            Template::PublicReadOwnerWrite,
            Template::AuthenticatedReadOwnerWrite,
        ] {
            let mut d = design();
            apply(&mut d, "Projects", template, &|_, _| false).unwrap();
            let p = &d.tables[0].rls_policies;
            let ops: Vec<Operation> = p.iter().map(|p| p.operation).collect();
            assert_eq!(
                ops,
                [
                    Operation::Select,
                    Operation::Insert,
                    Operation::Update,
                    Operation::Delete
                ]
            );
            assert!(p[1..].iter().all(|p| {
                p.using_expression
                    .iter()
                    .chain(&p.with_check_expression)
                    .all(|e| e == OWNER)
            }));
            assert!(d.tables[0].rls_enabled && !d.tables[0].public_reference);
            assert!(crate::design::resolve(&d).is_ok(), "{template:?}");
        }
    }

    #[test]
    fn public_reference_turns_rls_off_by_explicit_choice() {
        let mut d = design();
        apply(&mut d, "projects", Template::PublicReference, &|_, _| false).unwrap();
        assert!(d.tables[0].public_reference && !d.tables[0].rls_enabled);
        assert!(d.tables[0].rls_policies.is_empty());
    }

    #[test]
    fn organization_adds_the_membership_tables_once() {
        let mut d = design();
        let known = |s: &str, t: &str| s == "auth" && t == "users";
        apply(&mut d, "Projects", Template::Organization, &known).unwrap();
        apply(&mut d, "Projects", Template::Organization, &known).unwrap();
        let names: Vec<String> = d.tables.iter().map(|t| t.db_name().into_owned()).collect();
        assert_eq!(names, ["projects", ORGANIZATIONS, ORGANIZATION_MEMBERS]);
        assert_eq!(d.relationships.len(), 3, "org + members' org and user");
        assert!(
            d.tables[0].rls_policies[0]
                .using_expression
                .as_deref()
                .unwrap()
                .contains(
                    "\"public\".\"organization_members\" m WHERE m.org_id = \"projects\".org_id"
                )
        );
        let resolved = crate::design::resolve_with_known_tables(&d, &known)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(resolved.tables.len(), 3);
        assert_eq!(
            apply(&mut d, ORGANIZATIONS, Template::Organization, &known),
            Err(TemplateError::OrganizationTable(ORGANIZATIONS.into()))
        );
        assert!(matches!(
            apply(&mut d, "nope", Template::OwnerOnly, &known),
            Err(TemplateError::NoSuchTable(_))
        ));
    }

    /// PostgreSQL refuses policy cycles ("infinite recursion detected in policy"): the
    /// membership table is read by every other policy, so none of its own may read a table.
    #[test]
    fn membership_policies_read_no_other_table() {
        let mut d = design();
        let known = |s: &str, t: &str| s == "auth" && t == "users";
        apply(&mut d, "Projects", Template::Organization, &known).unwrap();
        let members = d
            .tables
            .iter()
            .find(|t| t.db_name() == ORGANIZATION_MEMBERS)
            .unwrap();
        for p in &members.rls_policies {
            for e in p.using_expression.iter().chain(&p.with_check_expression) {
                let facts = crate::rls::analysis::analyze(e).unwrap();
                assert!(
                    facts
                        .columns
                        .iter()
                        .all(|c| c.scope == crate::rls::analysis::ColumnScope::Own),
                    "{}: {e}",
                    p.name
                );
            }
        }
    }

    #[test]
    fn existing_organization_tables_are_reused() {
        let mut d = design();
        let known = |s: &str, t: &str| (s, t) == ("auth", "users") || t.starts_with("organization");
        apply(&mut d, "Projects", Template::Organization, &known).unwrap();
        assert_eq!(d.tables.len(), 1);
        assert_eq!(d.relationships.len(), 1);
    }
}
