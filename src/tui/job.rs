//! The one database job slot. The TUI has one connection and runs one thing on it at a
//! time; that rule is this type: a job starts only from `Idle`, gets a generation number,
//! and only a result carrying the current generation is taken. Anything older (a read that
//! was cancelled, then started again) is dropped. The runtime keeps the matching abort
//! handle and cancel token under the same generation.

use std::time::Instant;

/// What is running on the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Reading the live schema (at start, `r`, after an apply or drift).
    Reading,
    /// Applying the bundle in one transaction.
    Applying,
    /// Running the bundle and rolling it back.
    DryRun,
    /// The policy simulator: the bundle and every probe, rolled back.
    Simulating,
}

impl JobKind {
    /// For the status line: `reading the schema`, `applying`, `dry run`.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Reading => "reading the schema",
            JobKind::Applying => "applying",
            JobKind::DryRun => "dry run",
            JobKind::Simulating => "simulating",
        }
    }
}

/// A job under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    pub kind: JobKind,
    pub generation: u64,
    pub started: Instant,
    /// Statements done and in all (applies report progress; reads do not).
    pub statement: usize,
    pub total: usize,
    /// Esc was pressed: whatever comes back is the cancellation.
    pub cancelling: bool,
}

impl Running {
    /// `applying · statement 3 of 12`, as the preview and the status line show progress.
    pub fn progress(&self) -> String {
        if self.total == 0 {
            return self.kind.label().to_owned();
        }
        format!(
            "{} · statement {} of {}",
            self.kind.label(),
            self.statement,
            self.total
        )
    }
}

/// The slot: idle, or exactly one job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Job {
    running: Option<Running>,
    /// The last generation handed out; generations only grow.
    generation: u64,
}

/// Why a job could not start: the one that is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy(pub JobKind);

impl Job {
    pub fn running(&self) -> Option<&Running> {
        self.running.as_ref()
    }

    pub fn running_mut(&mut self) -> Option<&mut Running> {
        self.running.as_mut()
    }

    pub fn is_idle(&self) -> bool {
        self.running.is_none()
    }

    pub fn kind(&self) -> Option<JobKind> {
        self.running.as_ref().map(|r| r.kind)
    }

    /// Takes the slot for `kind` and returns the new job's generation.
    pub fn start(&mut self, kind: JobKind, total: usize) -> Result<u64, Busy> {
        if let Some(r) = &self.running {
            return Err(Busy(r.kind));
        }
        self.generation += 1;
        self.running = Some(Running {
            kind,
            generation: self.generation,
            started: Instant::now(),
            statement: 0,
            total,
            cancelling: false,
        });
        Ok(self.generation)
    }

    /// Whether a result tagged `generation` belongs to the running job.
    pub fn is_current(&self, generation: u64) -> bool {
        self.running
            .as_ref()
            .is_some_and(|r| r.generation == generation)
    }

    /// The running job ended (its result arrived, or it was aborted): the slot is free.
    pub fn finish(&mut self) -> Option<Running> {
        self.running.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_job_at_a_time_and_generations_only_grow() {
        let mut job = Job::default();
        let first = job.start(JobKind::Reading, 0).unwrap();
        assert_eq!(job.start(JobKind::Applying, 3), Err(Busy(JobKind::Reading)));
        assert!(job.is_current(first));
        job.finish();
        assert!(!job.is_current(first), "a finished job takes no results");
        let second = job.start(JobKind::Reading, 0).unwrap();
        assert!(second > first);
        assert!(!job.is_current(first), "an older generation is stale");
        assert!(job.is_current(second));
    }
}
