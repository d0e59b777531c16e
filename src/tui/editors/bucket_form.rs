//! Phase 4's storage buckets (`B`): a picker of the design's buckets and "new bucket", then
//! a bucket's form — id, public, file size limit, MIME types, and the policy templates on
//! `storage.objects` to give it (public read, signed-in upload, owner folder). Hand-written
//! policies of a bucket are kept as they are. Confirming is one `Edit::SetBuckets`, so `u`
//! undoes it whole; an emptied id removes the bucket.

use crate::design::edit::Edit;
use crate::design::{Bucket, BucketPolicy, BucketTemplate, Design};
use crate::tui::app::{App, Overlay};
use crate::tui::components::editor_popup::{BucketForm, Editor};
use crate::tui::components::form::{Form, NumberInput, Picker, PickerEntry, TextInput, Toggle};
use crate::tui::message::Effect;
use crate::tui::theme::Role;

/// What a template allows, short enough for the form at 80 columns.
fn short(t: BucketTemplate) -> &'static str {
    match t {
        BucketTemplate::PublicRead => "anyone reads its files",
        BucketTemplate::SignedInUpload => "signed-in users upload anywhere",
        BucketTemplate::OwnerFolder => "each user only under <user id>/",
    }
}

/// The picker's entry for a new bucket.
const NEW: &str = "+";

/// One line about a bucket: public or not, its limit, its types and its templates.
pub fn summary(bucket: &Bucket) -> String {
    let mut parts = vec![if bucket.public { "public" } else { "private" }.to_owned()];
    if let Some(limit) = bucket.file_size_limit {
        parts.push(size_text(limit));
    }
    if !bucket.allowed_mime_types.is_empty() {
        parts.push(bucket.allowed_mime_types.join(", "));
    }
    let templates: Vec<&str> = bucket.templates().iter().map(|t| t.label()).collect();
    if !templates.is_empty() {
        parts.push(templates.join(" + "));
    }
    let own = bucket.policies.len() - bucket.templates().len();
    if own > 0 {
        parts.push(format!(
            "{own} own polic{}",
            if own == 1 { "y" } else { "ies" }
        ));
    }
    if bucket.policies.is_empty() {
        parts.push("no policies".to_owned());
    }
    parts.join(" · ")
}

/// `52428800` → `50 MB`, `1500` → `1500 B`.
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MB && b % MB == 0 => format!("{} MB", b / MB),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

/// `B`: the picker when the design has buckets, else straight to a new bucket's form.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        app.view.message = Some("open or start a design first".into());
        return Vec::new();
    };
    if design.buckets.is_empty() {
        open_form(app, None);
        return Vec::new();
    }
    let mut entries: Vec<PickerEntry> = design
        .buckets
        .iter()
        .map(|b| PickerEntry::new(b.id.clone(), b.id.clone(), summary(b)))
        .collect();
    entries.push(PickerEntry::new(
        NEW,
        "+ new bucket",
        "files in Supabase Storage: a row of storage.buckets, policies on storage.objects",
    ));
    let form =
        Form::new("Storage buckets")
            .width(100)
            .field("bucket", "", Picker::new(entries).rows(6));
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::BucketPicker(form))));
    Vec::new()
}

/// The picker confirmed: the chosen bucket's form, or a new one's.
pub(super) fn picked(app: &mut App, form: &Form) {
    let chosen = form.value_text("bucket");
    app.view.overlays.pop();
    let index = app.model.design.as_ref().and_then(|s| {
        let id = chosen.as_deref()?;
        s.design.buckets.iter().position(|b| b.id == id)
    });
    open_form(app, index);
}

fn open_form(app: &mut App, index: Option<usize>) {
    let bucket = index
        .and_then(|i| app.model.design.as_ref()?.design.buckets.get(i).cloned())
        .unwrap_or_else(|| Bucket::new(""));
    let title = match index {
        Some(_) => format!("Bucket {} · empty id removes it", bucket.id),
        None => "New storage bucket".to_owned(),
    };
    let templates = bucket.templates();
    let has = |t: BucketTemplate| templates.contains(&t);
    let mut form = Form::new(title)
        .width(90)
        .field(
            "id",
            "id",
            TextInput::new(&bucket.id)
                .placeholder("e.g. avatars: also the first part of each path"),
        )
        .field(
            "public",
            "public",
            Toggle::new(bucket.public).texts(
                "yes: anyone with a file's URL downloads it",
                "no: downloads need a signed URL or a policy",
            ),
        )
        .field(
            "file_size_limit",
            "size limit",
            NumberInput::new(bucket.file_size_limit.map(|n| n as i64))
                .min(1)
                .placeholder("bytes (52428800 = 50 MB); empty: the project's limit"),
        )
        .field(
            "allowed_mime_types",
            "MIME types",
            TextInput::new(bucket.allowed_mime_types.join(", "))
                .placeholder("image/png, image/*, application/pdf (empty: any)"),
        );
    for t in BucketTemplate::ALL {
        form = form.field(
            t.key(),
            t.label(),
            Toggle::new(has(t)).texts(format!("yes: {}", short(t)), "no"),
        );
    }
    let kept: Vec<BucketPolicy> = bucket
        .policies
        .iter()
        .filter(|p| matches!(p, BucketPolicy::Policy(_)))
        .cloned()
        .collect();
    let mut notes = vec![(
        Role::Dim,
        "policies on storage.objects are named \"<id>: …\"; the owner folder is (storage.foldername(name))[1] = auth.uid()::text".to_owned(),
    )];
    if !kept.is_empty() {
        notes.push((
            Role::Info,
            format!("{} hand-written policies are kept as they are", kept.len()),
        ));
    }
    form.set_notes(notes);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Bucket(BucketForm {
            index,
            form,
            kept,
        }))));
}

/// The bucket the form describes (templates first, then the kept policies).
pub fn read(f: &BucketForm) -> Bucket {
    let form = &f.form;
    let mut policies: Vec<BucketPolicy> = BucketTemplate::ALL
        .into_iter()
        .filter(|t| form.value_bool(t.key()).unwrap_or(false))
        .map(BucketPolicy::Template)
        .collect();
    policies.extend(f.kept.iter().cloned());
    Bucket {
        id: form.value_text("id").unwrap_or_default().trim().to_owned(),
        public: form.value_bool("public").unwrap_or(false),
        file_size_limit: form
            .value_number("file_size_limit")
            .and_then(|n| u64::try_from(n).ok()),
        allowed_mime_types: form
            .value_text("allowed_mime_types")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        policies,
    }
}

/// The edit the form makes, where the bucket lands, and what the status line says.
pub fn edit(design: &Design, f: &BucketForm) -> (Edit, Option<usize>, String) {
    let bucket = read(f);
    let mut buckets = design.buckets.clone();
    let (at, done) = match (f.index, bucket.id.is_empty()) {
        (Some(i), true) if i < buckets.len() => {
            let gone = buckets.remove(i);
            (None, format!("bucket {} removed (u undoes)", gone.id))
        }
        (Some(i), false) if i < buckets.len() => {
            let done = format!("bucket {} changed", bucket.id);
            buckets[i] = bucket;
            (Some(i), done)
        }
        _ => {
            let done = format!("bucket {} added · B edits buckets", bucket.id);
            buckets.push(bucket);
            (Some(buckets.len() - 1), done)
        }
    };
    (Edit::SetBuckets { buckets }, at, done)
}
