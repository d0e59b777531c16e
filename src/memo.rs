//! Per-thread memos of pure functions of text. Every edit in the TUI analyses the whole
//! design again, and most of it is the same text as before (policy expressions, index
//! definitions, names): tokenizing and reading it once per thread keeps an edit of a
//! 100-table design within a frame. Only pure functions are memoised, so a remembered
//! answer is the answer; copies of it are handed out, never the memo itself.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::thread::LocalKey;

/// How many texts one memo holds before it starts again, so a long session typing
/// expressions cannot grow it without end.
const LIMIT: usize = 50_000;

/// The memo of one function: text → its answer.
pub type Memo<V> = RefCell<HashMap<String, V, BuildHasherDefault<Fnv>>>;

/// `compute(text)`, from `memo` when it was worked out before on this thread. `compute`
/// runs outside the memo's borrow, so it may itself use memos (even this one).
pub fn remembered<V: Clone + 'static>(
    memo: &'static LocalKey<Memo<V>>,
    text: &str,
    compute: impl FnOnce(&str) -> V,
) -> V {
    if let Some(found) = memo.with(|m| m.borrow().get(text).cloned()) {
        return found;
    }
    let value = compute(text);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= LIMIT {
            m.clear();
        }
        m.insert(text.to_owned(), value.clone());
    });
    value
}

/// [`remembered`] for answers read in place (a comparison, a length): nothing is copied on
/// a hit.
pub fn with_remembered<V: 'static, R>(
    memo: &'static LocalKey<Memo<V>>,
    text: &str,
    compute: impl FnOnce(&str) -> V,
    read: impl FnOnce(&V) -> R,
) -> R {
    let mut read = Some(read);
    let mut read_once = |v: &V| read.take().expect("read once")(v);
    if let Some(answer) = memo.with(|m| m.borrow().get(text).map(&mut read_once)) {
        return answer;
    }
    let value = compute(text);
    let answer = read_once(&value);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= LIMIT {
            m.clear();
        }
        m.insert(text.to_owned(), value);
    });
    answer
}

/// FNV-1a: the memos' keys are short names and expressions of the user's own design, so a
/// fast hash beats a DoS-resistant one.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static LENGTHS: Memo<usize> = Default::default();
        static CALLS: Cell<usize> = const { Cell::new(0) };
    }

    fn length(text: &str) -> usize {
        remembered(&LENGTHS, text, |t| {
            CALLS.with(|c| c.set(c.get() + 1));
            t.len()
        })
    }

    #[test]
    fn a_text_is_worked_out_once_and_answered_the_same() {
        assert_eq!(length("abc"), 3);
        assert_eq!(length("abc"), 3);
        assert_eq!(length("abcd"), 4);
        assert_eq!(
            CALLS.with(Cell::get),
            2,
            "the second abc came from the memo"
        );
        let doubled = with_remembered(&LENGTHS, "abc", |_| unreachable!(), |n| n * 2);
        assert_eq!(doubled, 6);
    }
}
