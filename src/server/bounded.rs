//! The one bounded map of the server side: answers, revocations, failures, tracked
//! certificates, in-flight fetches, paths and verdicts all live in one, each with its capacity
//! and its rule for what goes first when it is full.
//!
//! A rule ranks the entries; the lowest rank goes first, and among equal ranks the entry
//! stamped earliest (inserted, or last touched by [`Bounded::touch`]). First in first out is
//! the rank `()`; least recently used is `()` with every use touched; soonest to expire is the
//! expiry instant.

use std::collections::HashMap;
use std::hash::Hash;

use sha2::{Digest as _, Sha256};

/// A collision-resistant key for a sequence of byte strings (a chain, a certificate and its
/// staple): the SHA-256 of each one's length and bytes, so that the boundaries are hashed
/// too.
pub(crate) fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        let length = u64::try_from(part.len()).unwrap_or(u64::MAX);
        hasher.update(length.to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A map of at most `capacity` entries.
#[derive(Debug)]
pub(crate) struct Bounded<K, V> {
    map: HashMap<K, Stamped<V>>,
    capacity: usize,
    clock: u64,
}

#[derive(Debug)]
struct Stamped<V> {
    value: V,
    stamp: u64,
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            capacity,
            clock: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key).map(|stamped| &stamped.value)
    }

    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key).map(|stamped| &mut stamped.value)
    }

    /// The entry, stamped as just used (for the least recently used rule).
    pub(crate) fn touch(&mut self, key: &K) -> Option<&mut V> {
        self.clock = self.clock.wrapping_add(1);
        let clock = self.clock;
        self.map.get_mut(key).map(|stamped| {
            stamped.stamp = clock;
            &mut stamped.value
        })
    }

    /// Inserts or replaces `key`. A new key in a full map first removes the entry `rank` puts
    /// lowest (the earliest stamped among equals); with capacity 0 nothing is kept. Returns
    /// the entry removed to make room, if any.
    pub(crate) fn insert<R: Ord>(
        &mut self,
        key: K,
        value: V,
        rank: impl Fn(&V) -> R,
    ) -> Option<(K, V)> {
        if self.capacity == 0 {
            return None;
        }
        self.clock = self.clock.wrapping_add(1);
        let stamp = self.clock;
        if let Some(stamped) = self.map.get_mut(&key) {
            *stamped = Stamped { value, stamp };
            return None;
        }
        let evicted = if self.map.len() >= self.capacity {
            let victim = self
                .map
                .iter()
                .min_by(|(_, a), (_, b)| {
                    rank(&a.value)
                        .cmp(&rank(&b.value))
                        .then(a.stamp.cmp(&b.stamp))
                })
                .map(|(key, _)| key.clone());
            victim.and_then(|victim| {
                self.map
                    .remove(&victim)
                    .map(|stamped| (victim, stamped.value))
            })
        } else {
            None
        };
        self.map.insert(key, Stamped { value, stamp });
        evicted
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key).map(|stamped| stamped.value)
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.map
            .retain(|key, stamped| keep(key, &mut stamped.value));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter().map(|(key, stamped)| (key, &stamped.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out() {
        let mut map = Bounded::new(2);
        assert_eq!(map.insert(1, "a", |_| ()), None);
        assert_eq!(map.insert(2, "b", |_| ()), None);
        // A lookup does not count as a use under this rule.
        assert_eq!(map.get(&1), Some(&"a"));
        assert_eq!(map.insert(3, "c", |_| ()), Some((1, "a")));
        // Replacing a key evicts nothing, and renews its stamp.
        assert_eq!(map.insert(2, "B", |_| ()), None);
        assert_eq!(map.insert(4, "d", |_| ()), Some((3, "c")));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn least_recently_used() {
        let mut map = Bounded::new(2);
        map.insert(1, (), |_| ());
        map.insert(2, (), |_| ());
        assert!(map.touch(&1).is_some());
        assert_eq!(map.insert(3, (), |_| ()), Some((2, ())));
        assert!(map.touch(&9).is_none());
    }

    #[test]
    fn by_rank_then_age() {
        let mut map = Bounded::new(3);
        map.insert("late", 30, |v| *v);
        map.insert("soon", 10, |v| *v);
        map.insert("also soon", 10, |v| *v);
        // The lowest rank goes; of two equal, the older.
        assert_eq!(map.insert("new", 20, |v| *v), Some(("soon", 10)));
        assert_eq!(map.insert("newer", 40, |v| *v), Some(("also soon", 10)));
        assert_eq!(map.insert("newest", 50, |v| *v), Some(("new", 20)));
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn digests_hash_the_boundaries() {
        assert_ne!(digest([&b"ab"[..], b"c"]), digest([&b"a"[..], b"bc"]));
        assert_eq!(digest([&b"ab"[..], b"c"]), digest([&b"ab"[..], b"c"]));
        assert_ne!(digest([&b""[..]]), digest(core::iter::empty()));
    }

    #[test]
    fn changed_in_place_kept_by_a_rule_and_listed() {
        let mut map = Bounded::new(4);
        for key in 1..=4 {
            map.insert(key, key * 10, |_| ());
        }
        *map.get_mut(&2).expect("kept") += 1;
        assert_eq!(map.get(&2), Some(&21));
        assert_eq!(map.get_mut(&9), None);
        map.retain(|key, value| {
            *value += 1;
            key % 2 == 0
        });
        let mut listed: std::vec::Vec<(i32, i32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        listed.sort_unstable();
        assert_eq!(listed, [(2, 22), (4, 41)]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let mut map = Bounded::new(0);
        assert_eq!(map.insert(1, 1, |_| ()), None);
        assert_eq!(map.len(), 0);
        assert_eq!(map.get(&1), None);
    }
}
