//! FNV-1a hashing for the short keys evaluation looks up most (fact paths, data categories):
//! hashing them is most of a lookup, and the keys come from the rulebook and the scenario's
//! own vocabulary-checked facts, not from an adversary choosing collisions.

use std::hash::Hasher;

/// The FNV-1a hasher (64 bits).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}
