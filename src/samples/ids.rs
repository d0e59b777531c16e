//! Deterministic identifiers and the pools foreign keys pick from.
//!
//! Ids are computed from `(seed, table, row index)` instead of being stored, so a foreign key
//! into a 200,000-row table costs one hash, not a 200,000-entry list: memory stays flat in
//! the row count, and any row's id can be recomputed by the follow-up updates of a cycle.

use std::sync::Arc;

use rand::SeedableRng;

/// The per-stream random generator: ChaCha8 is specified independently of the platform, so
/// the same seed gives the same rows everywhere (given the same `fake` version).
pub(crate) type SampleRng = rand::rngs::ChaCha8Rng;

/// SplitMix64's finaliser: a bijection on `u64` with good avalanche.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit key for a name (FNV-1a), so streams do not depend on declaration order.
pub(crate) fn key(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

/// A generator for one stream (a column of a table, a table's link counts…).
pub(crate) fn rng(seed: u64, stream: u64) -> SampleRng {
    SampleRng::seed_from_u64(mix(seed ^ mix(stream)))
}

const LOW62: u64 = (1 << 62) - 1;

/// The uuid (version 4 layout) of row `index` of the table with key `table`.
///
/// The low 62 bits are a bijection of the index (odd multiplier, xor-shift, offset, all
/// modulo 2^62), so two rows of one table never share an id; the rest only has to look random.
pub fn row_id(seed: u64, table: u64, index: u64) -> String {
    let salt = mix(seed ^ table);
    let mut low = index.wrapping_mul(0x2545_F491_4F6C_DD1D) & LOW62;
    low ^= low >> 29;
    low = low.wrapping_add(salt) & LOW62;
    low = low.wrapping_mul(0x9E37_79B9_7F4A_7C15 | 1) & LOW62;
    low ^= low >> 31;
    let high = mix(salt ^ index);
    let high = (high & !0xF000) | 0x4000; // version 4
    let low = low | (0b10 << 62); // RFC 4122 variant
    let hex = format!("{high:016x}{low:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Whether `s` is a uuid in the canonical text form.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The rows a foreign key may point at: the sample rows of a table (computed ids, or listed
/// ones for explicit rows) followed by existing ids handed in by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pool {
    /// `(table key, row count)` of generated rows whose ids are computed.
    pub generated: Option<(u64, u64)>,
    pub listed: Arc<Vec<String>>,
}

impl Pool {
    pub fn len(&self) -> u64 {
        self.generated.map_or(0, |(_, n)| n) + self.listed.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id at `index` (< `len()`).
    pub fn get(&self, seed: u64, index: u64) -> String {
        match self.generated {
            Some((table, n)) if index < n => row_id(seed, table, index),
            Some((_, n)) => self.listed[(index - n) as usize].clone(),
            None => self.listed[index as usize].clone(),
        }
    }
}

/// A bijection of `0..n` (an affine map with a multiplier coprime to `n`), so one-to-one
/// relationships can spread over their targets without remembering which were taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Permutation {
    n: u64,
    a: u64,
    b: u64,
}

impl Permutation {
    pub fn new(n: u64, salt: u64) -> Permutation {
        if n <= 1 {
            return Permutation { n, a: 1, b: 0 };
        }
        let mut a = (mix(salt) % n) | 1;
        while gcd(a, n) != 1 {
            a = (a + 2) % n;
            if a == 0 {
                a = 1;
            }
        }
        Permutation {
            n,
            a,
            b: mix(salt ^ 0x5bd1) % n,
        }
    }

    pub fn apply(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        ((u128::from(i % self.n) * u128::from(self.a) + u128::from(self.b)) % u128::from(self.n))
            as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn row_ids_are_uuids_distinct_and_stable() {
        let ids: HashSet<String> = (0..50_000).map(|i| row_id(7, key(&["t"]), i)).collect();
        assert_eq!(ids.len(), 50_000);
        assert!(ids.iter().all(|id| is_uuid(id)));
        let id = row_id(7, key(&["t"]), 3);
        assert_eq!(id, row_id(7, key(&["t"]), 3));
        assert_ne!(id, row_id(8, key(&["t"]), 3));
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]));
    }

    #[test]
    fn permutations_are_bijections() {
        for n in [1, 2, 3, 10, 12, 97, 1000] {
            let p = Permutation::new(n, 42);
            let seen: HashSet<u64> = (0..n).map(|i| p.apply(i)).collect();
            assert_eq!(seen.len() as u64, n, "n = {n}");
        }
    }

    #[test]
    fn pools_list_generated_then_existing() {
        let pool = Pool {
            generated: Some((key(&["a"]), 2)),
            listed: Arc::new(vec!["x".into()]),
        };
        assert_eq!(pool.len(), 3);
        assert_eq!(pool.get(1, 0), row_id(1, key(&["a"]), 0));
        assert_eq!(pool.get(1, 2), "x");
    }
}
