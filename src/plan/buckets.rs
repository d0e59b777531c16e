//! Storage buckets: rows of `storage.buckets` inserted or updated, and each bucket's
//! policies on `storage.objects` created, altered or dropped — nothing else in `storage`.
//!
//! A bucket's policies are the ones named `<bucket id>: …`; the platform's own policies and
//! those of buckets the design does not name are never touched. A bucket the design drops is
//! left alone (deleting its row would take its files' rows with it): a note says so.

use crate::catalog::{Change, QualifiedName, StorageBucket, Table as LiveTable};
use crate::design::{Bucket, BucketPolicy, Policy};
use crate::sql::{literal, qualified};

use super::security::{live_policy, same_policy};
use super::{PlanError, Planner, Section, Step};

pub const STORAGE_SCHEMA: &str = "storage";

pub(super) fn plan_buckets(p: &mut Planner) {
    if p.design.buckets.is_empty() {
        return;
    }
    if !p.catalog.has_storage() {
        p.errors.push(PlanError {
            path: "buckets".into(),
            message: "this database has no Supabase Storage (storage.buckets and storage.objects), so it has nowhere to keep buckets".into(),
        });
        return;
    }
    if let Some(lock) = p.catalog.lock_on(STORAGE_SCHEMA, "buckets") {
        // Its rows were not read: planning would insert buckets that may be there.
        p.errors.push(PlanError {
            path: "buckets".into(),
            message: format!(
                "the bucket rows could not be read, another session holds the table locked ({lock}); plan again once it lets go"
            ),
        });
        return;
    }
    let objects = p.catalog.table(STORAGE_SCHEMA, "objects");
    for (bi, bucket) in p.design.buckets.iter().enumerate() {
        bucket_row(p, bucket);
        bucket_policies(p, bi, bucket, objects);
    }
    for live in &p.catalog.buckets {
        if !p.design.buckets.iter().any(|b| b.id == live.id) {
            p.note(format!(
                "storage.buckets.{}: a bucket the design does not name; left alone (deleting it would delete its files' rows)",
                live.id
            ));
        }
    }
}

/// The `storage.buckets` row a designed bucket is.
pub fn wanted_row(bucket: &Bucket) -> StorageBucket {
    StorageBucket {
        id: bucket.id.clone(),
        public: bucket.public,
        file_size_limit: bucket
            .file_size_limit
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        allowed_mime_types: (!bucket.allowed_mime_types.is_empty())
            .then(|| bucket.allowed_mime_types.clone()),
    }
}

fn bucket_row(p: &mut Planner, bucket: &Bucket) {
    let wanted = wanted_row(bucket);
    let change = match p.catalog.bucket(&bucket.id) {
        None => Change::InsertBucket { bucket: wanted },
        Some(live) if *live != wanted => Change::UpdateBucket { bucket: wanted },
        Some(_) => return,
    };
    p.push(Step::new(
        Section::Storage,
        format!("storage.buckets.{}", bucket.id),
        change,
    ));
}

/// Each expanded policy with the JSON path of the entry it comes from.
fn policies_with_paths(bi: usize, bucket: &Bucket) -> Vec<(Policy, String)> {
    bucket
        .policies
        .iter()
        .enumerate()
        .flat_map(|(pi, entry)| {
            let path = format!("buckets[{bi}].policies[{pi}]");
            let policies = match entry {
                BucketPolicy::Template(t) => t.policies(&bucket.id),
                BucketPolicy::Policy(policy) => vec![policy.clone()],
            };
            policies.into_iter().map(move |p| (p, path.clone()))
        })
        .collect()
}

fn bucket_policies(p: &mut Planner, bi: usize, bucket: &Bucket, objects: Option<&LiveTable>) {
    let table = QualifiedName::new(STORAGE_SCHEMA, "objects");
    let object = |name: &str| format!("storage.objects.{name}");
    let wanted = policies_with_paths(bi, bucket);
    let prefix = bucket.policy_prefix();
    if let Some(live) = objects {
        for old in live.policies.iter().filter(|x| x.name.starts_with(&prefix)) {
            if !wanted.iter().any(|(w, _)| w.name == old.name) {
                let change = Change::DropPolicy {
                    table: table.clone(),
                    name: old.name.clone(),
                };
                p.push(Step::new(Section::Storage, object(&old.name), change));
            }
        }
    }
    for (policy, path) in wanted {
        let existing = objects.and_then(|l| l.policy(&policy.name));
        if let Some(existing) = existing
            && same_policy(p, existing, &policy, &path)
        {
            continue;
        }
        let Some(live) = live_policy(p, &policy, &path) else {
            continue;
        };
        let change = match existing {
            Some(e) if e.command == live.command && e.permissive == live.permissive => {
                Change::AlterPolicy {
                    table: table.clone(),
                    policy: live,
                }
            }
            Some(_) => {
                let drop = Change::DropPolicy {
                    table: table.clone(),
                    name: policy.name.clone(),
                };
                p.push(Step::new(Section::Storage, object(&policy.name), drop).replacing());
                Change::CreatePolicy {
                    table: table.clone(),
                    policy: live,
                }
            }
            None => Change::CreatePolicy {
                table: table.clone(),
                policy: live,
            },
        };
        p.push(Step::new(Section::Storage, object(&policy.name), change));
    }
}

fn buckets_table() -> String {
    qualified(STORAGE_SCHEMA, "buckets")
}

fn limit_sql(bucket: &StorageBucket) -> String {
    bucket
        .file_size_limit
        .map_or_else(|| "NULL".to_owned(), |n| n.to_string())
}

fn mime_sql(bucket: &StorageBucket) -> String {
    match &bucket.allowed_mime_types {
        None => "NULL".to_owned(),
        Some(types) => format!(
            "ARRAY[{}]::text[]",
            types
                .iter()
                .map(|t| literal(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `INSERT INTO storage.buckets …`: the id is also the bucket's name, as Supabase makes them.
pub fn insert_sql(bucket: &StorageBucket) -> String {
    format!(
        "INSERT INTO {} (id, name, public, file_size_limit, allowed_mime_types)\nVALUES ({}, {}, {}, {}, {})",
        buckets_table(),
        literal(&bucket.id),
        literal(&bucket.id),
        bucket.public,
        limit_sql(bucket),
        mime_sql(bucket)
    )
}

pub fn update_sql(bucket: &StorageBucket) -> String {
    format!(
        "UPDATE {} SET public = {}, file_size_limit = {}, allowed_mime_types = {}\nWHERE id = {}",
        buckets_table(),
        bucket.public,
        limit_sql(bucket),
        mime_sql(bucket),
        literal(&bucket.id)
    )
}

pub fn delete_sql(id: &str) -> String {
    format!("DELETE FROM {} WHERE id = {}", buckets_table(), literal(id))
}
