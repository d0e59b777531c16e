//! Design × Catalog → Plan → SQL. Pure: no connection, no screen.

pub mod bundle;

pub use bundle::{Bundle, BundleBuilder, Section, Statement};
