//! Supabase Storage buckets (SPEC.md top-level `buckets`): rows of `storage.buckets` and the
//! policies on `storage.objects` that say who reads and uploads the files in each.
//!
//! `storage` is a managed schema: a design never creates, alters or drops anything there.
//! Buckets are the one way in, and they only ever insert or update a bucket's row and
//! create, alter or drop the bucket's own policies (named `<bucket id>: …`).

use serde::{Deserialize, Serialize};

use super::model::{Operation, Policy};

fn is_false(value: &bool) -> bool {
    !*value
}

/// One storage bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// The bucket's id, which is also its name and the first part of every file's path.
    pub id: String,
    /// Anyone with a file's URL may download it without a token (Supabase's public URLs).
    #[serde(default, skip_serializing_if = "is_false")]
    pub public: bool,
    /// Largest upload in bytes; none: the project's limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size_limit: Option<u64>,
    /// `image/png`, `image/*`; empty: any type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_mime_types: Vec<String>,
    /// Templates by name, or hand-written policies on `storage.objects`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<BucketPolicy>,
}

impl Bucket {
    pub fn new(id: impl Into<String>) -> Bucket {
        Bucket {
            id: id.into(),
            public: false,
            file_size_limit: None,
            allowed_mime_types: Vec::new(),
            policies: Vec::new(),
        }
    }

    /// The templates among its policies, in order.
    pub fn templates(&self) -> Vec<BucketTemplate> {
        self.policies
            .iter()
            .filter_map(|p| match p {
                BucketPolicy::Template(t) => Some(*t),
                BucketPolicy::Policy(_) => None,
            })
            .collect()
    }

    /// Every policy the bucket puts on `storage.objects`: templates expanded, in order.
    pub fn expanded_policies(&self) -> Vec<Policy> {
        self.policies
            .iter()
            .flat_map(|p| match p {
                BucketPolicy::Template(t) => t.policies(&self.id),
                BucketPolicy::Policy(p) => vec![p.clone()],
            })
            .collect()
    }

    /// The prefix of the names of the policies that belong to this bucket.
    pub fn policy_prefix(&self) -> String {
        policy_prefix(&self.id)
    }
}

/// `<bucket id>: `: policies on `storage.objects` named so belong to that bucket.
pub fn policy_prefix(bucket: &str) -> String {
    format!("{bucket}: ")
}

/// A template by its name (`"owner_folder"`) or a policy written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BucketPolicy {
    Template(BucketTemplate),
    Policy(Policy),
}

/// The storage policy patterns of the seeds (001: "Storage Policies").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketTemplate {
    /// Everyone, signed in or not, lists and downloads the bucket's files.
    PublicRead,
    /// Any signed-in user uploads into the bucket, anywhere in it.
    SignedInUpload,
    /// Each signed-in user reads, uploads, changes and deletes only the files under their
    /// own folder: `<user id>/…`.
    OwnerFolder,
}

impl BucketTemplate {
    pub const ALL: [BucketTemplate; 3] = [
        BucketTemplate::PublicRead,
        BucketTemplate::SignedInUpload,
        BucketTemplate::OwnerFolder,
    ];
    pub const NAMES: [&'static str; 3] = ["public_read", "signed_in_upload", "owner_folder"];

    /// Its name in a design file.
    pub fn key(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|t| *t == self).unwrap_or(0)]
    }

    pub fn from_key(key: &str) -> Option<BucketTemplate> {
        Self::NAMES
            .iter()
            .position(|n| *n == key)
            .map(|i| Self::ALL[i])
    }

    pub fn label(self) -> &'static str {
        match self {
            BucketTemplate::PublicRead => "public read",
            BucketTemplate::SignedInUpload => "signed-in upload",
            BucketTemplate::OwnerFolder => "owner folder",
        }
    }

    /// Who can do what, in one line.
    pub fn description(self) -> &'static str {
        match self {
            BucketTemplate::PublicRead => "everyone, even signed out, reads the bucket's files",
            BucketTemplate::SignedInUpload => "any signed-in user uploads anywhere in the bucket",
            BucketTemplate::OwnerFolder => "each user reads and writes only under <their user id>/",
        }
    }

    /// The template's policies for `bucket`, as design policies on `storage.objects`.
    pub fn policies(self, bucket: &str) -> Vec<Policy> {
        let in_bucket = format!("bucket_id = {}", crate::sql::literal(bucket));
        let own_folder = format!("{in_bucket} AND {OWNER_FOLDER}");
        let named = |what: &str, operation: Operation| {
            Policy::new(format!("{}{what}", policy_prefix(bucket)), operation)
        };
        match self {
            BucketTemplate::PublicRead => {
                let mut read = named("public read", Operation::Select);
                read.using_expression = Some(in_bucket);
                read.roles = vec!["anon".into(), "authenticated".into()];
                vec![read]
            }
            BucketTemplate::SignedInUpload => {
                let mut upload = named("signed-in upload", Operation::Insert);
                upload.with_check_expression = Some(in_bucket);
                vec![upload]
            }
            BucketTemplate::OwnerFolder => {
                let mut read = named("owner reads", Operation::Select);
                read.using_expression = Some(own_folder.clone());
                let mut upload = named("owner uploads", Operation::Insert);
                upload.with_check_expression = Some(own_folder.clone());
                let mut update = named("owner updates", Operation::Update);
                update.using_expression = Some(own_folder.clone());
                update.with_check_expression = Some(own_folder.clone());
                let mut delete = named("owner deletes", Operation::Delete);
                delete.using_expression = Some(own_folder);
                vec![read, upload, update, delete]
            }
        }
    }
}

/// The first folder of the file's path is the signed-in user's id.
pub const OWNER_FOLDER: &str = "(storage.foldername(name))[1] = auth.uid()::text";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_are_template_names_or_policies_and_round_trip() {
        let value = json!({
            "id": "avatars",
            "public": true,
            "file_size_limit": 1048576,
            "allowed_mime_types": ["image/png"],
            "policies": ["public_read", {"name": "avatars: admins delete", "operation": "DELETE", "using_expression": "true"}]
        });
        let bucket: Bucket = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(bucket.templates(), [BucketTemplate::PublicRead]);
        assert!(
            matches!(&bucket.policies[1], BucketPolicy::Policy(p) if p.name == "avatars: admins delete")
        );
        assert_eq!(serde_json::to_value(&bucket).unwrap(), value);
        assert_eq!(
            serde_json::to_value(Bucket::new("x")).unwrap(),
            json!({"id": "x"})
        );
    }

    #[test]
    fn owner_folder_scopes_every_command_to_the_bucket_and_the_users_folder() {
        let policies = BucketTemplate::OwnerFolder.policies("it's");
        assert_eq!(policies.len(), 4);
        for p in &policies {
            assert!(p.name.starts_with("it's: "), "{}", p.name);
            let text = p
                .using_expression
                .as_ref()
                .or(p.with_check_expression.as_ref())
                .unwrap();
            assert!(text.starts_with("bucket_id = 'it''s' AND "), "{text}");
            assert!(text.contains("auth.uid()::text"), "{text}");
        }
        let read = &BucketTemplate::PublicRead.policies("a")[0];
        assert_eq!(read.roles, ["anon", "authenticated"]);
    }

    #[test]
    fn keys_and_names_agree() {
        for t in BucketTemplate::ALL {
            assert_eq!(BucketTemplate::from_key(t.key()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.key()));
        }
    }
}
