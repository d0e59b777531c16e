//! Row-level security: policy expressions, templates, the linter and the simulator.

pub mod analysis;
pub mod expr;
pub mod lint;
pub mod simulate;
pub mod templates;
