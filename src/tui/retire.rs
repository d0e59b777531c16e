//! Freeing what an edit replaced — the previous analysis, plan, highlighted Preview and
//! drafts of a 100-table design are tens of thousands of small allocations — takes
//! milliseconds of the one frame an edit has. They are handed to a thread that only frees,
//! so the key's frame does not wait for it.

use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};

type Garbage = Box<dyn Send>;

/// Drops `value` on the freeing thread (or here, when that thread could not be started).
pub fn retire<T: Send + 'static>(value: T) {
    static BIN: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let (sender, receiver) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("schemaforge-free".into())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| sender)
    });
    match bin {
        Some(sender) => {
            // A send fails only when the thread is gone; the value then comes back to drop.
            let _ = sender.send(Box::new(value));
        }
        None => drop(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::Sender;
    use std::thread::ThreadId;

    /// Says on which thread it was dropped.
    struct Witness(Sender<ThreadId>);

    impl Drop for Witness {
        fn drop(&mut self) {
            let _ = self.0.send(std::thread::current().id());
        }
    }

    #[test]
    fn a_retired_value_is_dropped_on_another_thread() {
        let (sender, receiver) = channel();
        retire(Witness(sender));
        let dropped_on = receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the retired value was dropped");
        assert_ne!(dropped_on, std::thread::current().id());
    }
}
