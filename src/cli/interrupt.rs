//! Ctrl-C during work on the server: ask the server to cancel, then wait for the work to
//! wind down (an apply rolls back), so the user is told what happened instead of nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::db::Canceller;

/// How the work ended.
pub enum Outcome<T> {
    /// It finished without Ctrl-C.
    Finished(T),
    /// Ctrl-C came; the work then ended with this (an apply usually with an error).
    Interrupted(T),
    /// Ctrl-C came and the work did not end in time; dropping the connection ends it.
    Abandoned,
}

/// Runs `work`; on Ctrl-C sets `stop` (checked between statements) and sends `canceller`'s
/// cancel request (for the statement running), again every half second, for up to 15 s.
pub async fn cancellable<T>(
    canceller: Canceller,
    stop: &AtomicBool,
    work: impl Future<Output = T>,
) -> Outcome<T> {
    let mut work = std::pin::pin!(work);
    tokio::select! {
        out = &mut work => return Outcome::Finished(out),
        Ok(()) = tokio::signal::ctrl_c() => {}
    }
    say!("cancelling…");
    stop.store(true, Ordering::SeqCst);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Err(e) = canceller.cancel().await {
            say!("{e}");
        }
        tokio::select! {
            out = &mut work => return Outcome::Interrupted(out),
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Outcome::Abandoned;
        }
    }
}
