//! Storage buckets read back: each row of `storage.buckets` with the policies on
//! `storage.objects` named after it, as templates where they are exactly a template's.

use crate::catalog::{Catalog, Policy as LivePolicy, StorageBucket};
use crate::design::{Bucket, BucketPolicy, BucketTemplate, Policy};
use crate::rls::expr::{same_expression, wrap_auth_calls};

pub(crate) fn buckets(catalog: &Catalog) -> Vec<Bucket> {
    if !catalog.has_storage() {
        return Vec::new();
    }
    let policies: &[LivePolicy] = catalog
        .table("storage", "objects")
        .map(|t| t.policies.as_slice())
        .unwrap_or_default();
    catalog
        .buckets
        .iter()
        .map(|row| bucket(row, policies))
        .collect()
}

fn bucket(row: &StorageBucket, policies: &[LivePolicy]) -> Bucket {
    let prefix = crate::design::buckets::policy_prefix(&row.id);
    let mut own: Vec<&LivePolicy> = policies
        .iter()
        .filter(|p| p.name.starts_with(&prefix))
        .collect();
    let mut entries = Vec::new();
    for template in BucketTemplate::ALL {
        let wanted = template.policies(&row.id);
        let found: Vec<usize> = wanted
            .iter()
            .filter_map(|w| own.iter().position(|l| is(w, l)))
            .collect();
        if found.len() == wanted.len() {
            own.retain(|l| !wanted.iter().any(|w| w.name == l.name));
            entries.push(BucketPolicy::Template(template));
        }
    }
    entries.extend(
        own.into_iter()
            .map(|l| BucketPolicy::Policy(super::security::policy(l))),
    );
    Bucket {
        id: row.id.clone(),
        public: row.public,
        file_size_limit: row.file_size_limit.and_then(|n| u64::try_from(n).ok()),
        allowed_mime_types: row.allowed_mime_types.clone().unwrap_or_default(),
        policies: entries,
    }
}

/// Whether the live policy is exactly the template's `wanted` as the planner creates it.
fn is(wanted: &Policy, live: &LivePolicy) -> bool {
    let wrapped = |e: &Option<String>| e.as_deref().map(|e| wrap_auth_calls(e).unwrap_or_default());
    let same = |a: Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => same_expression(&a, b),
        (None, None) => true,
        _ => false,
    };
    let mut roles = wanted.roles.clone();
    let mut have = live.roles.clone();
    roles.sort();
    have.sort();
    let live_check = live.with_check.clone().or_else(|| {
        matches!(live.command.sql(), "UPDATE" | "ALL")
            .then(|| live.using.clone())
            .flatten()
    });
    let check = wrapped(&wanted.with_check_expression).or_else(|| {
        matches!(wanted.operation.name(), "UPDATE" | "ALL")
            .then(|| wrapped(&wanted.using_expression))
            .flatten()
    });
    wanted.name == live.name
        && live.command.sql() == wanted.operation.name()
        && live.permissive == wanted.permissive
        && roles == have
        && same(wrapped(&wanted.using_expression), &live.using)
        && same(check, &live_check)
}
