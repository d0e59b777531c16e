//! How the TUI names and explains the phases of SPEC.md; a plain value every part of the
//! TUI can name without importing the app.

/// The phases of SPEC.md, in the stepper's order: the type findings are placed in, shown
/// here with the TUI's labels and walkthrough texts.
pub use crate::findings::Phase;

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Schema,
        Phase::Tables,
        Phase::Fields,
        Phase::Relations,
        Phase::Rls,
        Phase::Samples,
        Phase::Preview,
    ];

    /// As the stepper shows it: `0 Schema` … `▸ Preview`.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Schema => "0 Schema",
            Phase::Tables => "1 Tables",
            Phase::Fields => "2 Fields",
            Phase::Relations => "3 Relations",
            Phase::Rls => "4 RLS",
            Phase::Samples => "5 Samples",
            Phase::Preview => "▸ Preview",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Phase::Schema => "the live schema",
            Phase::Tables => "tables",
            Phase::Fields => "fields",
            Phase::Relations => "relations",
            Phase::Rls => "row-level security",
            Phase::Samples => "sample records",
            Phase::Preview => "preview and apply",
        }
    }

    /// What the phase is for, for someone new to databases (walkthrough mode).
    pub fn explanation(self) -> &'static str {
        match self {
            Phase::Schema => {
                "Always first: this is what the database already has. Look before you design — \
                 nothing here is changed until you apply, and managed schemas (auth, storage) are read-only."
            }
            Phase::Tables => {
                "Plan the data model: one table per kind of thing (todos, projects). Each has a human \
                 name and a db_name. Users live in auth.users: don't copy them; keep extra per-user data in \
                 a profiles table keyed by auth.users(id). a adds a table."
            }
            Phase::Fields => {
                "The non-relational fields of each table, each with a type. Exactly one is the primary \
                 (display) field. id, created_at, updated_at, created_by and updated_by are automatic. \
                 a adds a field: pick its type, then name it."
            }
            Phase::Relations => {
                "Links between tables come after all tables exist: many-to-one, one-to-one, or \
                 many-to-many through a linking table, with optional cascade delete."
            }
            Phase::Rls => {
                "Row-level security decides which rows each user sees. Every table gets it unless it is \
                 public reference data; policies use auth.uid() only, never invented JWT claims."
            }
            Phase::Samples => {
                "Optional sample records, generated per field type, respecting every constraint and \
                 relation — so you can see and test the schema right away."
            }
            Phase::Preview => {
                "Everything as SQL, exactly as it will run: one transaction, so it all lands or nothing \
                 does. Dry-run it first; apply asks before it changes anything."
            }
        }
    }

    pub fn next(self) -> Phase {
        let i = Phase::ALL.iter().position(|p| *p == self).expect("listed");
        Phase::ALL[(i + 1).min(Phase::ALL.len() - 1)]
    }

    /// The stepper's number key (`Preview` is 6).
    pub fn index(self) -> usize {
        Phase::ALL.iter().position(|p| *p == self).expect("listed")
    }

    pub fn prev(self) -> Phase {
        let i = Phase::ALL.iter().position(|p| *p == self).expect("listed");
        Phase::ALL[i.saturating_sub(1)]
    }
}
