//! The organisation template on real PostgreSQL, probed for what the isolation test does not
//! look at: every probe on every table, for the creator, a member, an outsider and anon.
//! A policy cycle between `organizations` and `organization_members` makes PostgreSQL fail
//! with "infinite recursion detected in policy" — no probe may fail that way (or any way
//! other than a policy or constraint saying no).
mod common;

use common::test_db;
use schemaforge::db::apply::{DriftCheck, apply};
use schemaforge::db::simulate::simulate;
use schemaforge::design::{self, Design};
use schemaforge::plan::{PlanSettings, plan};
use schemaforge::rls::simulate::{Outcome, SimRole, SimUser, SimulationRequest};
use schemaforge::rls::templates::{self, Template};
use tokio_postgres::Client;

type NoCheck = fn(&Client) -> std::future::Ready<Result<String, String>>;

const CREATOR: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const MEMBER: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
const OUTSIDER: &str = "cccccccc-0000-4000-8000-00000000000c";
const ORG: &str = "11111111-0000-4000-8000-000000000001";

#[tokio::test]
async fn no_probe_on_the_organisation_pattern_recurses() {
    let db = test_db().await;
    let mut d: Design = serde_json::from_value(serde_json::json!({"tables": [{
        "name": "Contacts",
        "fields": [{"name": "name", "type": "singleLineText", "is_primary": true}]
    }]}))
    .unwrap();
    let before = schemaforge::db::catalog::read(&db).await.unwrap();
    let known = |s: &str, t: &str| before.table(s, t).is_some();
    templates::apply(&mut d, "Contacts", Template::Organization, &known).unwrap();
    let resolved = design::resolve_with_known_tables(&d, &known).unwrap();
    let plan = plan(&resolved, &before, &PlanSettings::default()).unwrap();
    apply(
        &db,
        &plan.bundle(),
        false,
        None::<DriftCheck<NoCheck>>,
        |_| {},
    )
    .await
    .unwrap();
    // Memberships are the server's to add (the template gives clients no INSERT on them).
    db.batch_execute(&format!(
        "INSERT INTO auth.users (id, email) VALUES ('{CREATOR}', 'c@example.com'), \
           ('{MEMBER}', 'm@example.com'), ('{OUTSIDER}', 'o@example.com');
         INSERT INTO organizations (id, name, created_by) VALUES ('{ORG}', 'one', '{CREATOR}');
         INSERT INTO organization_members (org_id, user_id) VALUES ('{ORG}', '{CREATOR}'), ('{ORG}', '{MEMBER}');
         INSERT INTO contacts (name, org_id, created_by) VALUES ('x', '{ORG}', '{MEMBER}');"
    ))
    .await
    .unwrap();
    for (who, role) in [
        (Some(CREATOR), SimRole::Authenticated),
        (Some(MEMBER), SimRole::Authenticated),
        (Some(OUTSIDER), SimRole::Authenticated),
        (None, SimRole::Anon),
    ] {
        let request = SimulationRequest {
            schemas: vec!["public".into()],
            user: who.map_or(SimUser::Generated, |u| SimUser::Existing(u.into())),
            role,
            setup: vec![],
            samples: None,
        };
        let report = simulate(&db, None, &request).await.unwrap();
        for t in &report.tables {
            for (op, probe) in [
                ("SELECT", &t.select),
                ("INSERT", &t.insert),
                ("UPDATE", &t.update),
                ("DELETE", &t.delete),
            ] {
                let message = probe.message.as_deref().unwrap_or_default();
                assert!(
                    !message.contains("infinite recursion"),
                    "{who:?} {op} {}: {message}",
                    t.table
                );
            }
        }
        let members = report.table("public.organization_members").unwrap();
        if who.is_some() {
            // Each user sees (and may delete) only their own membership; nobody adds one.
            let own = usize::from(who != Some(OUTSIDER)) as u64;
            assert_eq!(members.select.rows, own, "{who:?}");
            assert_eq!(members.delete.rows, own, "{who:?}");
            assert_eq!(members.insert.outcome, Outcome::Denied, "{who:?}");
            // Creator and member both read the organisation and its contacts.
            let orgs = report.table("public.organizations").unwrap();
            assert_eq!(orgs.select.rows, own, "{who:?}");
            let contacts = report.table("public.contacts").unwrap();
            assert_eq!(contacts.select.rows, own, "{who:?}");
        }
    }
}
