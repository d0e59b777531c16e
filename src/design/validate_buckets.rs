//! The storage rules: bucket ids, limits and MIME types, the bucket policies (each one named
//! `<bucket id>: …`, so the planner knows which policies on `storage.objects` are the
//! bucket's), attachment fields naming a bucket, and no home-made `buckets` / `objects`
//! tables next to Supabase's own.

use super::buckets::{Bucket, BucketPolicy, BucketTemplate};
use super::diagnostics::{Diagnostic, index_path, key_path};
use super::field_types::FieldType;
use super::model::Design;
use super::name_text::check_visible;
use super::names::{MAX_IDENT_BYTES, NameKind, derive_db_name};
use super::validate::check_policy;

/// The longest suffix a template adds to `<id>: `, so every policy name fits PostgreSQL's
/// identifier limit.
const LONGEST_TEMPLATE_SUFFIX: usize = "signed-in upload".len();
/// The longest bucket id whose template policy names still fit.
pub const MAX_BUCKET_ID_BYTES: usize = MAX_IDENT_BYTES - 2 - LONGEST_TEMPLATE_SUFFIX;

pub(super) fn check_buckets(design: &Design, out: &mut Vec<Diagnostic>) {
    for (bi, bucket) in design.buckets.iter().enumerate() {
        let path = index_path("buckets", bi);
        check_id(design, bi, bucket, &path, out);
        if bucket.file_size_limit == Some(0) {
            out.push(
                Diagnostic::error(
                    key_path(&path, "file_size_limit"),
                    "a limit of 0 bytes refuses every file",
                )
                .suggest("leave it out for the project's limit"),
            );
        }
        check_mime_types(bucket, &path, out);
        check_policies(bucket, &path, out);
    }
    check_attachment_buckets(design, out);
    check_storage_lookalikes(design, out);
}

fn check_id(design: &Design, bi: usize, bucket: &Bucket, path: &str, out: &mut Vec<Diagnostic>) {
    let id_path = key_path(path, "id");
    let id = bucket.id.as_str();
    if id.is_empty() {
        out.push(Diagnostic::error(&id_path, "a bucket needs an id"));
        return;
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        out.push(
            Diagnostic::error(
                &id_path,
                format!(
                    "bucket id \"{id}\" has {bad:?}; Supabase takes letters, digits, - _ and ."
                ),
            )
            .suggest(format!(
                "write \"{}\"",
                id.chars()
                    .map(
                        |c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                            c
                        } else {
                            '-'
                        }
                    )
                    .collect::<String>()
            )),
        );
        check_visible(&id_path, "the bucket id", id, out);
    }
    if id.len() > MAX_BUCKET_ID_BYTES {
        out.push(Diagnostic::error(
            &id_path,
            format!(
                "bucket id is {} bytes long; its policy names (\"{id}: signed-in upload\") must fit in {MAX_IDENT_BYTES}, so at most {MAX_BUCKET_ID_BYTES}",
                id.len()
            ),
        ));
    }
    if design.buckets[..bi].iter().any(|b| b.id == id) {
        out.push(Diagnostic::error(
            &id_path,
            format!("bucket \"{id}\" is designed twice"),
        ));
    }
}

fn check_mime_types(bucket: &Bucket, path: &str, out: &mut Vec<Diagnostic>) {
    let list = key_path(path, "allowed_mime_types");
    for (mi, mime) in bucket.allowed_mime_types.iter().enumerate() {
        let here = index_path(&list, mi);
        let well_formed = mime.split_once('/').is_some_and(|(kind, sub)| {
            let token = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
            };
            token(kind) && (sub == "*" || token(sub))
        });
        if !well_formed {
            out.push(
                Diagnostic::error(&here, format!("\"{mime}\" is not a MIME type"))
                    .suggest("write type/subtype, e.g. image/png, or image/* for every image"),
            );
        } else if bucket.allowed_mime_types[..mi].contains(mime) {
            out.push(Diagnostic::error(
                &here,
                format!("\"{mime}\" is listed twice"),
            ));
        }
    }
}

fn check_policies(bucket: &Bucket, path: &str, out: &mut Vec<Diagnostic>) {
    let list = key_path(path, "policies");
    let prefix = bucket.policy_prefix();
    let mut seen_templates: Vec<BucketTemplate> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (pi, entry) in bucket.policies.iter().enumerate() {
        let here = index_path(&list, pi);
        match entry {
            BucketPolicy::Template(t) => {
                if seen_templates.contains(t) {
                    out.push(Diagnostic::error(
                        &here,
                        format!("template \"{}\" is listed twice", t.key()),
                    ));
                }
                seen_templates.push(*t);
                names.extend(t.policies(&bucket.id).into_iter().map(|p| p.name));
            }
            BucketPolicy::Policy(policy) => {
                check_policy(policy, &here, out);
                if !policy.name.starts_with(&prefix) {
                    out.push(
                        Diagnostic::error(
                            key_path(&here, "name"),
                            format!(
                                "a bucket's policy is named after its bucket: \"{prefix}…\" (policies on storage.objects are shared by every bucket)"
                            ),
                        )
                        .suggest(format!("name it \"{prefix}{}\"", policy.name)),
                    );
                }
                if names.contains(&policy.name) {
                    out.push(Diagnostic::error(
                        key_path(&here, "name"),
                        format!("policy \"{}\" is defined twice in this bucket", policy.name),
                    ));
                }
                names.push(policy.name.clone());
            }
        }
    }
    if seen_templates.contains(&BucketTemplate::OwnerFolder)
        && seen_templates.contains(&BucketTemplate::SignedInUpload)
    {
        out.push(
            Diagnostic::warning(
                &list,
                "\"signed_in_upload\" lets any signed-in user upload anywhere in the bucket, other users' folders included: policies add up, so \"owner_folder\" no longer keeps uploads in the user's own folder",
            )
            .suggest("keep one of the two"),
        );
    }
    if bucket.public && bucket.policies.is_empty() {
        out.push(Diagnostic::warning(
            &list,
            "a public bucket serves its files to anyone with the URL, but without policies nobody can upload to it through the API",
        ).suggest("add \"signed_in_upload\" or \"owner_folder\""));
    }
}

/// An attachment field's `bucket` names a designed bucket.
fn check_attachment_buckets(design: &Design, out: &mut Vec<Diagnostic>) {
    let ids: Vec<&str> = design.buckets.iter().map(|b| b.id.as_str()).collect();
    for (ti, table) in design.tables.iter().enumerate() {
        for (fi, field) in table.fields.iter().enumerate() {
            let Some(bucket) = &field.options.bucket else {
                continue;
            };
            if field.field_type != FieldType::Attachment || ids.contains(&bucket.as_str()) {
                continue;
            }
            let path = format!("tables[{ti}].fields[{fi}].options.bucket");
            let message = if ids.is_empty() {
                format!("the design has no bucket \"{bucket}\" (it has no buckets)")
            } else {
                format!(
                    "the design has no bucket \"{bucket}\"; its buckets: {}",
                    ids.join(", ")
                )
            };
            let diagnostic = Diagnostic::error(path, message);
            out.push(if ids.is_empty() {
                diagnostic.suggest("add the bucket under \"buckets\", or leave \"bucket\" out")
            } else {
                diagnostic.did_you_mean(bucket, ids.iter().copied())
            });
        }
    }
}

/// Seed 001: "DON'T create your own buckets or objects tables in public schema".
fn check_storage_lookalikes(design: &Design, out: &mut Vec<Diagnostic>) {
    if design.schema != "public" {
        return;
    }
    for (ti, table) in design.tables.iter().enumerate() {
        let db_name = table
            .db_name
            .clone()
            .unwrap_or_else(|| derive_db_name(&table.name, NameKind::Table));
        if db_name == "buckets" || db_name == "objects" {
            out.push(
                Diagnostic::warning(
                    key_path(&index_path("tables", ti), "name"),
                    format!(
                        "public.{db_name} looks like a copy of Supabase Storage's storage.{db_name}: files uploaded through Supabase never land in it"
                    ),
                )
                .suggest(
                    "design a bucket under \"buckets\" (rows of storage.buckets, policies on storage.objects); keep a table of your own only for metadata, under another name",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::design::validate;
    use serde_json::json;

    fn diagnostics(design: serde_json::Value) -> Vec<String> {
        let design = serde_json::from_value(design).unwrap();
        validate(&design).iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn bucket_rules_report_paths() {
        let found = diagnostics(json!({
            "buckets": [
                {"id": "avatars", "allowed_mime_types": ["image/png", "png", "image/png"],
                 "policies": ["owner_folder", "signed_in_upload", "owner_folder",
                   {"name": "admins", "operation": "SELECT", "using_expression": "true"}]},
                {"id": "avatars", "file_size_limit": 0},
                {"id": "my files"}
            ]
        }));
        let has = |path: &str, text: &str| {
            assert!(
                found
                    .iter()
                    .any(|d| d.starts_with(path) && d.contains(text)),
                "{path} {text}: {found:#?}"
            )
        };
        has("buckets[0].allowed_mime_types[1]", "not a MIME type");
        has("buckets[0].allowed_mime_types[2]", "listed twice");
        has("buckets[0].policies[2]", "listed twice");
        has("buckets[0].policies: warning", "other users' folders");
        has("buckets[0].policies[3].name", "\"avatars: …\"");
        has("buckets[1].id", "designed twice");
        has("buckets[1].file_size_limit", "0 bytes");
        has("buckets[2].id", "write \"my-files\"");
    }

    #[test]
    fn attachment_buckets_must_exist_with_a_suggestion() {
        let found = diagnostics(json!({
            "tables": [{"name": "docs", "fields": [
                {"name": "file", "type": "attachment", "options": {"bucket": "uplods"}}
            ]}],
            "buckets": [{"id": "uploads", "policies": ["owner_folder"]}]
        }));
        assert!(
            found
                .iter()
                .any(|d| d.starts_with("tables[0].fields[0].options.bucket")
                    && d.contains("did you mean \"uploads\"?")),
            "{found:#?}"
        );
    }

    #[test]
    fn home_made_storage_tables_are_warned_about() {
        let found = diagnostics(json!({
            "tables": [{"name": "Buckets", "fields": []}, {"name": "objects", "fields": []}, {"name": "files", "fields": []}]
        }));
        assert_eq!(
            found
                .iter()
                .filter(|d| d.contains("warning: public."))
                .count(),
            2,
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|d| d.starts_with("tables[0].name: warning: public.buckets")),
            "{found:#?}"
        );
    }
}
