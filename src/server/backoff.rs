//! Failure memory: one bounded map per kind of key (a responder's origin, a certificate's
//! `CertID`) of what failed, how often in a row, and when to try again, with one jittered
//! exponential [`Backoff`].
//!
//! Every component that must not hammer what just failed asks one of these: the responder
//! pool (per origin: a responder down for one certificate is down for all), the cache and
//! the stapler (per `CertID`: an answer about one certificate that did not verify), and the
//! prefetcher through them. The instants are monotonic ([`super::clock`]): a wall clock that
//! jumps neither strands a failure for a month nor forgets it at once.

use core::fmt;
use core::hash::Hash;
use core::time::Duration;
use std::sync::Mutex;
use std::time::Instant;

use super::bounded::Bounded;
use super::clock::later;
use super::sync::lock;
use crate::error::Error;

/// What kind of failure is remembered: the three the policy treats apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FailureKind {
    /// No responder answered: the name did not resolve, the connection failed or timed out,
    /// or the server reported an error of its own (HTTP 5xx).
    #[error("no responder could be reached")]
    Unreachable,
    /// A responder answered, but not with an OCSP response: a status other than 200, the
    /// wrong content type, a body over the size cap, or bytes that are not an
    /// `OCSPResponse`.
    #[error("the responder answered with something that is not an OCSP response")]
    BadAnswer,
    /// A responder answered with an OCSP response that did not verify, or with a
    /// non-successful status such as `tryLater`.
    #[error("the responder's response was refused: {0}")]
    InvalidResponse(Error),
}

/// How long to leave alone what failed: a small `Copy` builder.
///
/// After the `n`-th failure in a row the wait is `initial × 2^(n-1)`, at most `max`, then
/// shortened by a random fraction of up to `jitter_percent` of itself (never lengthened), so
/// that servers started together do not retry in lockstep. Waits are whole seconds, at least
/// one.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::fetch::Backoff;
///
/// let backoff = Backoff::new(Duration::from_secs(30), Duration::from_secs(600)).with_jitter_percent(0);
/// assert_eq!(backoff.delay(1, 0), Duration::from_secs(30));
/// assert_eq!(backoff.delay(3, 0), Duration::from_secs(120));
/// assert_eq!(backoff.delay(9, 0), Duration::from_secs(600));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    jitter_percent: u8,
}

impl Backoff {
    /// The default jitter: each wait is shortened by a random 0 to 20 per cent of itself.
    pub const DEFAULT_JITTER_PERCENT: u8 = 20;

    /// The largest jitter accepted; larger values are taken as this.
    pub const MAX_JITTER_PERCENT: u8 = 50;

    /// Waits from `initial` doubling to `max`, with [`Backoff::DEFAULT_JITTER_PERCENT`].
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            jitter_percent: Self::DEFAULT_JITTER_PERCENT,
        }
    }

    /// The jitter, in per cent of each wait (0 turns it off; at most
    /// [`Backoff::MAX_JITTER_PERCENT`]).
    pub const fn with_jitter_percent(self, jitter_percent: u8) -> Self {
        Self {
            jitter_percent,
            ..self
        }
    }

    /// The wait after the first failure.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The longest wait.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The jitter in per cent, as it applies.
    pub fn jitter_percent(&self) -> u8 {
        self.jitter_percent.min(Self::MAX_JITTER_PERCENT)
    }

    /// The wait after the `failures_in_a_row`-th failure in a row (1 for the first), with
    /// `draw` a uniformly random `u32` for the jitter (0 cuts nothing).
    pub fn delay(&self, failures_in_a_row: u32, draw: u32) -> Duration {
        let initial = self.initial.as_secs().max(1);
        let doublings = failures_in_a_row.saturating_sub(1).min(63);
        let wait = initial
            .saturating_mul(1u64 << doublings)
            .min(self.max.as_secs().max(initial));
        Duration::from_secs(jittered(wait, self.jitter_percent(), draw).max(1))
    }
}

/// `delay` shortened by `draw / 2^32` of `percent` per cent of itself.
pub(crate) fn jittered(delay: u64, percent: u8, draw: u32) -> u64 {
    let cut = u128::from(delay) * u128::from(percent) * u128::from(draw) / (100u128 << 32);
    delay.saturating_sub(u64::try_from(cut).unwrap_or(u64::MAX))
}

/// The random draws for the jitter: SplitMix64, seeded from the process's random hash keys
/// unless a seed is given (for tests and simulations). Not cryptographic, and need not be.
#[derive(Debug)]
pub(crate) struct Jitter(Mutex<u64>);

impl Jitter {
    pub(crate) fn new(seed: Option<u64>) -> Self {
        use core::hash::BuildHasher as _;
        let seed = seed.unwrap_or_else(|| {
            std::collections::hash_map::RandomState::new().hash_one(0x6f63_7370u32)
        });
        Self(Mutex::new(seed))
    }

    pub(crate) fn draw(&self) -> u32 {
        let mut state = lock(&self.0);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        u32::try_from(z >> 32).unwrap_or(u32::MAX)
    }
}

/// A failure remembered: what it was, how many in a row, and until when to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failure<V = FailureKind> {
    pub(crate) kind: V,
    pub(crate) in_a_row: u32,
    pub(crate) retry_at: Instant,
}

impl<V> Failure<V> {
    /// How long until the next try, from `now` (zero once due).
    pub(crate) fn retry_in(&self, now: Instant) -> Duration {
        self.retry_at.saturating_duration_since(now)
    }

    /// Of `this` and `other`, the failure whose wait ends first (`this` when both end
    /// together): what to report when several responders are left alone.
    pub(crate) fn soonest(this: Option<Self>, other: Self) -> Self {
        match this {
            Some(this) if this.retry_at <= other.retry_at => this,
            _ => other,
        }
    }
}

/// What failed, per key, bounded: when full, the entry whose wait ends soonest goes first
/// (those already due before any still waiting), so the memory can only ever make something
/// be tried sooner, never later.
pub(crate) struct FailureMemory<K, V = FailureKind> {
    backoff: Backoff,
    jitter: Jitter,
    entries: Mutex<Bounded<K, Failure<V>>>,
}

impl<K: Hash + Eq + Clone, V: Copy> FailureMemory<K, V> {
    pub(crate) fn new(backoff: Backoff, capacity: usize, seed: Option<u64>) -> Self {
        Self {
            backoff,
            jitter: Jitter::new(seed),
            entries: Mutex::new(Bounded::new(capacity)),
        }
    }

    /// The failure of `key` while its wait lasts at `now`; `None` once it is due (or never
    /// failed).
    pub(crate) fn waiting(&self, key: &K, now: Instant) -> Option<Failure<V>> {
        lock(&self.entries)
            .get(key)
            .copied()
            .filter(|failure| failure.retry_at > now)
    }

    /// The failure of `key`, due or not (for reports: failures in a row).
    pub(crate) fn last(&self, key: &K) -> Option<Failure<V>> {
        lock(&self.entries).get(key).copied()
    }

    /// Remembers that `key` failed at `now`: one more in a row, and a wait after it.
    pub(crate) fn failed(&self, key: &K, kind: V, now: Instant) -> Failure<V> {
        let draw = self.jitter.draw();
        let mut entries = lock(&self.entries);
        let in_a_row = entries
            .get(key)
            .map_or(1, |failure| failure.in_a_row.saturating_add(1));
        let failure = Failure {
            kind,
            in_a_row,
            retry_at: later(now, self.backoff.delay(in_a_row, draw)),
        };
        entries.insert(key.clone(), failure, |failure| failure.retry_at);
        failure
    }

    /// Forgets `key`'s failures: it worked.
    pub(crate) fn succeeded(&self, key: &K) {
        lock(&self.entries).remove(key);
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}

impl<K, V> fmt::Debug for FailureMemory<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailureMemory")
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::format;
    use std::vec::Vec;

    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn backoff_doubles_up_to_the_maximum_and_jitter_only_shortens() {
        let exact = Backoff::new(60 * SECOND, 600 * SECOND).with_jitter_percent(0);
        let delays: Vec<u64> = (1..=7).map(|n| exact.delay(n, 0).as_secs()).collect();
        assert_eq!(delays, [60, 120, 240, 480, 600, 600, 600]);
        assert_eq!(exact.delay(u32::MAX, 0), 600 * SECOND);
        // The first failure counts as one even when told zero.
        assert_eq!(exact.delay(0, 0), 60 * SECOND);
        let jittery = exact.with_jitter_percent(50);
        assert_eq!(jittery.delay(1, u32::MAX), 31 * SECOND);
        assert_eq!(jittery.delay(1, 0), 60 * SECOND);
        // Capped at 50 %; a zero backoff still waits a second.
        assert_eq!(exact.with_jitter_percent(200).jitter_percent(), 50);
        assert_eq!(
            Backoff::new(Duration::ZERO, Duration::ZERO).delay(3, 0),
            SECOND
        );
        // The default jitter, pinned.
        assert_eq!(Backoff::new(SECOND, SECOND).jitter_percent(), 20);
    }

    #[test]
    fn jitter_spreads_over_its_whole_range() {
        let jitter = Jitter::new(Some(1));
        let cuts: Vec<u64> = (0..1000)
            .map(|_| 1000 - jittered(1000, 20, jitter.draw()))
            .collect();
        assert!(cuts.iter().all(|cut| *cut <= 200));
        let low = cuts.iter().filter(|cut| **cut < 100).count();
        assert!((350..650).contains(&low), "{low}");
        let (a, b) = (Jitter::new(Some(7)), Jitter::new(Some(7)));
        assert_eq!(a.draw(), b.draw());
        assert_ne!(Jitter::new(Some(1)).draw(), Jitter::new(Some(2)).draw());
    }

    #[test]
    fn jitter_is_splitmix64() {
        // The reference outputs of SplitMix64 from seed 0 (Steele, Lea and Flood 2014, and
        // every port since), top 32 bits: 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
        // 0x06c45d188009454f, 0xf88bb8a8724c81ec. A different mixer would still look random;
        // these pin it (the fourth is the first whose last xor-shift changes bit 32).
        let jitter = Jitter::new(Some(0));
        let draws: Vec<u32> = (0..4).map(|_| jitter.draw()).collect();
        assert_eq!(draws, [0xe220_a839, 0x6e78_9e6a, 0x06c4_5d18, 0xf88b_b8a8]);
    }

    #[test]
    fn failure_memory_debug_shows_its_backoff_not_its_keys() {
        let memory: FailureMemory<&str> =
            FailureMemory::new(Backoff::new(SECOND, 2 * SECOND), 4, Some(0));
        memory.failed(&"secret-key", FailureKind::Unreachable, Instant::now());
        let shown = format!("{memory:?}");
        assert!(
            shown.starts_with("FailureMemory { backoff: Backoff {"),
            "{shown}"
        );
        assert!(shown.ends_with(", .. }"), "{shown}");
        assert!(!shown.contains("secret-key"), "{shown}");
    }

    #[test]
    fn the_soonest_failure_is_the_one_whose_wait_ends_first() {
        let t0 = Instant::now();
        let failure = |kind, secs| Failure {
            kind,
            in_a_row: 1,
            retry_at: t0 + secs * SECOND,
        };
        let (soon, late) = (
            failure(FailureKind::Unreachable, 10),
            failure(FailureKind::BadAnswer, 20),
        );
        assert_eq!(Failure::soonest(None, late), late);
        assert_eq!(Failure::soonest(Some(late), soon), soon);
        assert_eq!(Failure::soonest(Some(soon), late), soon);
        // Ending together: the one already held.
        let also_soon = failure(FailureKind::BadAnswer, 10);
        assert_eq!(Failure::soonest(Some(soon), also_soon), soon);
    }

    #[test]
    fn a_failure_is_remembered_until_its_wait_ends_and_counts_in_a_row() {
        let memory: FailureMemory<&str> = FailureMemory::new(
            Backoff::new(10 * SECOND, 40 * SECOND).with_jitter_percent(0),
            8,
            Some(1),
        );
        let t0 = Instant::now();
        assert_eq!(memory.waiting(&"a", t0), None);
        let first = memory.failed(&"a", FailureKind::Unreachable, t0);
        assert_eq!((first.in_a_row, first.retry_at), (1, t0 + 10 * SECOND));
        assert_eq!(memory.waiting(&"a", t0 + 9 * SECOND), Some(first));
        assert_eq!(memory.waiting(&"a", t0 + 10 * SECOND), None);
        // Due, but the count stays: the next failure waits twice as long.
        let second = memory.failed(&"a", FailureKind::BadAnswer, t0 + 10 * SECOND);
        assert_eq!(second.in_a_row, 2);
        assert_eq!(second.retry_at, t0 + 30 * SECOND);
        assert_eq!(second.kind, FailureKind::BadAnswer);
        assert_eq!(second.retry_in(t0 + 25 * SECOND), 5 * SECOND);
        // Another key is another story.
        assert_eq!(memory.waiting(&"b", t0), None);
        memory.succeeded(&"a");
        assert_eq!(memory.last(&"a"), None);
    }

    #[test]
    fn bounded_dropping_the_soonest_due_first() {
        let memory: FailureMemory<u8> = FailureMemory::new(
            Backoff::new(10 * SECOND, 1000 * SECOND).with_jitter_percent(0),
            2,
            None,
        );
        let t0 = Instant::now();
        memory.failed(&1, FailureKind::Unreachable, t0); // due at 10
        memory.failed(&2, FailureKind::Unreachable, t0);
        memory.failed(&2, FailureKind::Unreachable, t0); // due at 20
        memory.failed(&3, FailureKind::Unreachable, t0); // evicts 1, due soonest
        assert_eq!(memory.len(), 2);
        assert_eq!(memory.last(&1), None);
        assert!(memory.last(&2).is_some() && memory.last(&3).is_some());
        // Capacity 0 remembers nothing.
        let none: FailureMemory<u8, ()> = FailureMemory::new(Backoff::new(SECOND, SECOND), 0, None);
        none.failed(&1, (), t0);
        assert_eq!(none.waiting(&1, t0), None);
    }
}
