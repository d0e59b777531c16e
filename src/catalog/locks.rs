//! Who holds the locks schemaforge had to wait for: plain data, read by `db::locks` from
//! `pg_locks` and `pg_stat_activity`, shown by `inspect`, `apply` and the TUI.

use serde::{Deserialize, Serialize};

use crate::safe_text::escape_controls;

/// Another session, as `pg_stat_activity` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingSession {
    pub pid: i32,
    pub application_name: String,
    pub user: String,
    /// How long its transaction has been open, in seconds (`None`: not in a transaction).
    pub transaction_seconds: Option<i64>,
    /// `active`, `idle in transaction`, …
    pub state: String,
    /// Its most recent statement (cut to 200 characters).
    pub last_query: String,
}

impl std::fmt::Display for BlockingSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} (application_name \"{}\", user \"{}\", ",
            self.pid,
            escape_controls(&self.application_name),
            escape_controls(&self.user)
        )?;
        match self.transaction_seconds {
            Some(s) => write!(f, "transaction open {s} s")?,
            None => write!(f, "no open transaction")?,
        }
        write!(
            f,
            ", {}, last query \"{}\")",
            escape_controls(&self.state),
            escape_controls(&self.last_query)
        )
    }
}

/// A relation another session holds (or is queued for) in a mode that stops schemaforge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedRelation {
    pub schema: String,
    pub name: String,
    /// `AccessExclusiveLock`, … as `pg_locks` names it.
    pub mode: String,
    /// The session is itself still waiting for the lock; everyone after it in the queue
    /// waits too, so it blocks as surely as a holder.
    pub waiting: bool,
    pub session: BlockingSession,
    /// The sessions it waits for, when `waiting`.
    pub waits_for: Vec<i32>,
    /// The relation's oid: which rows the catalog read skips.
    #[serde(skip)]
    pub oid: u32,
}

impl LockedRelation {
    /// How [`crate::catalog::Catalog::unreadable`] names what a lock left unread, after
    /// `schema.name`.
    pub const DETAILS: &'static str = " (columns, constraints, indexes, policies, triggers)";

    /// This relation's entry in [`crate::catalog::Catalog::unreadable`].
    pub fn unreadable_object(&self) -> String {
        format!("{}.{}{}", self.schema, self.name, Self::DETAILS)
    }
}

impl std::fmt::Display for LockedRelation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}: {} {} by {}",
            escape_controls(&self.schema),
            escape_controls(&self.name),
            if self.waiting {
                "waited for in mode"
            } else {
                "held in mode"
            },
            self.mode,
            self.session
        )?;
        if self.waiting && !self.waits_for.is_empty() {
            let pids: Vec<String> = self.waits_for.iter().map(i32::to_string).collect();
            write!(f, ", which itself waits for pid {}", pids.join(", "))?;
        }
        Ok(())
    }
}

/// What to do about sessions that hold locks schemaforge needs.
pub fn lock_advice(locked: &[LockedRelation]) -> String {
    let mut pids: Vec<i32> = locked.iter().map(|l| l.session.pid).collect();
    pids.sort_unstable();
    pids.dedup();
    let first = pids.first().copied().unwrap_or_default();
    format!(
        "wait for {} to finish and try again, or, if it is stuck (an idle transaction, a \
         forgotten session), end it with SELECT pg_terminate_backend({first}); \
         --lock-timeout sets how long schemaforge waits",
        if pids.len() == 1 {
            "that transaction".to_owned()
        } else {
            format!("those transactions (pids {pids:?})")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locked() -> LockedRelation {
        LockedRelation {
            schema: "public".into(),
            name: "orders".into(),
            mode: "AccessExclusiveLock".into(),
            waiting: false,
            session: BlockingSession {
                pid: 42,
                application_name: "psql".into(),
                user: "alice".into(),
                transaction_seconds: Some(14),
                state: "idle in transaction".into(),
                last_query: "LOCK orders\n".into(),
            },
            waits_for: Vec::new(),
            oid: 1,
        }
    }

    #[test]
    fn a_lock_names_its_session_and_what_to_do() {
        let text = locked().to_string();
        for part in [
            "public.orders",
            "AccessExclusiveLock",
            "pid 42",
            "\"psql\"",
            "\"alice\"",
            "transaction open 14 s",
            "idle in transaction",
            "last query \"LOCK orders\\u{a}\")",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(lock_advice(&[locked()]).contains("pg_terminate_backend(42)"));
    }
}
