//! The only part of schemaforge that talks to a server: connecting, the sandbox, the shim.

pub mod apply;
pub mod catalog;
pub mod connect;
pub mod copy;
pub mod existing_ids;
pub mod import_copy;
pub mod locks;
pub mod log_sql;
pub mod pg_bin;
pub mod pgpass;
pub mod probe_rows;
pub mod redact;
pub mod sandbox;
pub mod sent;
pub mod server;
pub mod server_error;
pub mod shim;
pub mod simulate;
pub mod staged_read;
pub mod target;
mod tls;

pub use connect::{Canceller, ConnectError, PasswordProblem, Session, connect};
pub use target::{ConnectTarget, Env, SslMode};
