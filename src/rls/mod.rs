//! Row-level security: policy expressions, templates, the linter and the simulator.

pub mod analysis;
pub mod expr;
pub mod lint;
pub mod probe_row;
pub mod simulate;
pub mod templates;
