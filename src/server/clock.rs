//! The two clocks of the server side, never mixed.
//!
//! - Wall time (`UnixTime`, from one rustls `TimeProvider`) only *judges* answers: thisUpdate,
//!   nextUpdate, a revocation's time.
//! - Monotonic time ([`MonotonicClock`], `Instant`) measures everything that *waits*: refresh
//!   deadlines, backoff, TTLs, budgets. A wall clock that jumps forward or back moves none of
//!   them.
//!
//! They meet in one place, [`deadline_at`]: a wall instant an answer names (half-way through
//! its window, say) becomes a monotonic deadline by the distance between the two clocks' now,
//! read together.

use core::fmt;
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Where the server side reads monotonic time: the operating system's (`Instant::now()`)
/// unless a test or a simulation drives it.
///
/// Only the schedules read it (when to refresh, when a failure is forgotten, how long an
/// answer without `nextUpdate` is kept); the waits themselves sleep in real time.
pub trait MonotonicClock: fmt::Debug + Send + Sync {
    /// The current instant. It never goes back.
    fn now(&self) -> Instant;
}

/// `Instant::now()`: the default [`MonotonicClock`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SystemMonotonicClock;

impl MonotonicClock for SystemMonotonicClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A monotonic clock that moves only when told: for tests and simulations that cover days
/// in milliseconds. Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualMonotonicClock {
    base: Instant,
    elapsed_nanos: Arc<AtomicU64>,
}

impl ManualMonotonicClock {
    /// A clock that starts at the real now and stays there until advanced.
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            elapsed_nanos: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Moves the clock forward by `by` (it never goes back).
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Default for ManualMonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl MonotonicClock for ManualMonotonicClock {
    fn now(&self) -> Instant {
        let elapsed = Duration::from_nanos(self.elapsed_nanos.load(Ordering::SeqCst));
        self.base.checked_add(elapsed).unwrap_or(self.base)
    }
}

#[cfg(feature = "stapler")]
/// The monotonic deadline of the wall instant `target`, given both clocks' now: `mono_now`
/// plus how far `target` is ahead of `wall_now` (no later than `mono_now` when it is past).
pub(crate) fn deadline_at(
    target: rustls_pki_types::UnixTime,
    wall_now: rustls_pki_types::UnixTime,
    mono_now: Instant,
) -> Instant {
    let ahead = target.as_secs().saturating_sub(wall_now.as_secs());
    later(mono_now, Duration::from_secs(ahead))
}

/// `instant + by`, or the farthest instant representable (about a hundred years ahead).
pub(crate) fn later(instant: Instant, by: Duration) -> Instant {
    instant
        .checked_add(by)
        .or_else(|| instant.checked_add(FAR))
        .unwrap_or(instant)
}

#[cfg(feature = "stapler")]
/// The wall instant of the monotonic `deadline`, for reports: `wall_now` plus how far
/// `deadline` is ahead of `mono_now`.
pub(crate) fn wall_at(
    deadline: Instant,
    wall_now: rustls_pki_types::UnixTime,
    mono_now: Instant,
) -> rustls_pki_types::UnixTime {
    let ahead = deadline.saturating_duration_since(mono_now);
    rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(
        wall_now.as_secs().saturating_add(ahead.as_secs()),
    ))
}

/// A hundred years: "never", as far as a schedule is concerned.
pub(crate) const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

#[cfg(all(test, feature = "stapler"))]
mod tests {
    use rustls_pki_types::UnixTime;

    use super::*;

    fn wall(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn never_is_a_hundred_years() {
        // 100 × 365 days: far enough that no schedule reaches it, near enough to add to any
        // Instant a platform gives.
        assert_eq!(FAR, Duration::from_secs(3_153_600_000));
        let now = Instant::now();
        assert_eq!(later(now, Duration::MAX), now + FAR);
        assert_eq!(
            later(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
    }

    #[test]
    fn wall_instants_become_monotonic_deadlines() {
        let mono = Instant::now();
        assert_eq!(
            deadline_at(wall(1_100), wall(1_000), mono),
            mono + Duration::from_secs(100)
        );
        // Past: now.
        assert_eq!(deadline_at(wall(900), wall(1_000), mono), mono);
        assert_eq!(
            wall_at(mono + Duration::from_secs(30), wall(1_000), mono),
            wall(1_030)
        );
        assert_eq!(
            wall_at(mono, wall(1_000), mono + Duration::from_secs(5)),
            wall(1_000)
        );
        // Overflow is the far future, not a panic.
        assert!(later(mono, Duration::MAX) > mono);
    }

    #[test]
    fn the_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualMonotonicClock::new();
        let other = clock.clone();
        let start = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), start);
        other.advance(Duration::from_secs(3600));
        assert_eq!(clock.now(), start + Duration::from_secs(3600));
    }
}
