//! schemaforge: a terminal UI schema designer for PostgreSQL and Supabase-style projects.
//!
//! The crate is a library with a thin binary on top, so the tests and benchmarks can reach
//! every part. Arrows point one way: `tui` and `cli` use `db` and the pure core (`analysis`,
//! `findings`, `catalog`, `design`, `plan`, `rls`, `samples`, …); only `db` talks to a server
//! (`tests/layers.rs` checks it).

pub mod analysis;
pub mod atomic_write;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod connections;
pub mod db;
pub mod design;
pub mod erd;
pub mod export;
pub mod findings;
pub mod from_catalog;
pub mod import;
pub mod lock_limit;
pub mod memo;
pub mod migration_lint;
pub mod plan;
pub mod rls;
pub mod safe_text;
pub mod samples;
pub mod server_error;
pub mod sql;
pub mod sql_tokens;
pub mod tui;
