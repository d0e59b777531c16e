//! Phases 1–5 as data: what the user WANTS. The design document (serde), the field-type
//! catalogue, the identifier rules and validation with JSON-path diagnostics.
//!
//! Pure: everything here takes values and returns values. The planner starts from
//! [`resolve()`] (or [`resolve_with_known_tables`] with a closure over the live catalog), which
//! validates the design and hands back every derived name, type, default, check and
//! constraint name, so nothing downstream derives a name twice.
//!
//! - [`model`]: `Design`, `Table`, `Field`, `FieldOptions`, `Policy`, `Relationship`, `Samples`.
//! - [`field_types`]: SPEC.md's catalogue, `Check` as structured data, the system fields.
//! - [`names`]: `db_name` derivation and the constraint / index name helpers.
//! - [`mod@load`] / [`mod@validate`]: reading files and the rules, as [`Diagnostic`]s.
//! - [`mod@resolve`]: the planner's view.

mod access;
pub mod buckets;
mod checks;
pub mod diagnostics;
pub mod edit;
pub mod field_types;
pub mod function_ref;
pub mod indexes;
pub mod load;
pub mod managed_schemas;
pub mod materialized_views;
pub mod model;
pub mod name_text;
pub mod names;
pub mod reserved_words;
pub mod resolve;
mod shape_repair;
mod system_fields;
#[cfg(test)]
mod test_fixtures;
pub mod validate;
mod validate_audit;
mod validate_buckets;
mod validate_indexes;
mod validate_keys;
mod validate_materialized_views;
mod validate_options;
mod validate_refs;
mod validate_samples;
mod validate_soft_delete;

pub use buckets::{Bucket, BucketPolicy, BucketTemplate};
pub use diagnostics::{Diagnostic, Level, has_errors};
pub use field_types::{Check, FieldType, OptionKey, PgType, SYSTEM_FIELDS, Storage, SystemField};
pub use function_ref::{FunctionRef, FunctionRefError, parse_function_ref};
pub use load::{InputShape, load, load_with_known_tables, parse, save};
pub use model::{
    Aggregate, DefaultValue, Design, Field, FieldOptions, ForEach, IdentityKind, IndexMethod,
    Operation, Policy, Relationship, Samples, Table, TableIndex, Timing, TriggerEvent,
};
pub use resolve::{
    FieldKind, OnDelete, RelationshipKind, ResolvedDesign, ResolvedField, ResolvedIndex,
    ResolvedRelationship, ResolvedSampleSpec, ResolvedSamples, ResolvedTable, Target,
    TriggerAction, TriggerSpec, ViewColumn, resolve, resolve_with_known_tables,
};
pub use validate::{validate, validate_with_known_tables};
pub use validate_keys::is_type_name;
pub use validate_refs::Direction;
/// How a relationship's target and linking table are named, for the screens that show them.
pub(crate) use validate_refs::{TargetRef, linking_names, target_of};
pub use validate_samples::MAX_SAMPLE_COUNT;
