//! When the stapler asks the responder again: half-way through an answer's validity window,
//! earlier by a random jitter, and after a failure with a bounded exponential backoff.
//!
//! Pure functions of the answer's times, `now` and a random draw, so that the unit tests below
//! (and the simulated week in `tests/stapler.rs`) pin every instant down.

use core::time::Duration;

use rustls_pki_types::UnixTime;

/// When the stapler refreshes an answer, and how it retries: a small `Copy` builder.
///
/// - After a new good or revoked answer is taken, the next fetch is **half-way through its
///   validity window** (`thisUpdate` to `nextUpdate`, or to the earlier instant at which the
///   verifier stops accepting it, see [`crate::Verifier::fresh_until`]). When that instant has
///   already passed (a responder that hands out pre-signed answers late in their window), or
///   when the responder answered with the answer already stapled (it has signed no newer one
///   yet), it is half-way through what remains. Without `nextUpdate`, it is
///   [`RefreshSchedule::with_interval_without_next_update`] later, and no later than half of
///   what remains.
/// - The delay is then shortened by a random fraction of up to
///   [`RefreshSchedule::with_jitter_percent`] of itself, so that a fleet of servers started
///   together does not ask the responder in lockstep, and never lengthened: a refresh is never
///   later than half-way.
/// - The delay is at least [`RefreshSchedule::with_min_interval`], so a responder that keeps
///   answering with an answer close to its end is not asked in a tight loop.
/// - After a failure (no answer, nonsense, an answer that does not verify, `unknown`, an older
///   answer), the next try is after a backoff that doubles with each failure in a row, from
///   the initial backoff to the maximum, with the same jitter. The answer served meanwhile
///   stays served while it is fresh.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::stapling::RefreshSchedule;
///
/// let schedule = RefreshSchedule::new()
///     .with_backoff(Duration::from_secs(30), Duration::from_secs(15 * 60))
///     .with_jitter_percent(10);
/// assert_eq!(schedule.max_backoff(), Duration::from_secs(15 * 60));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshSchedule {
    interval_without_next_update: Duration,
    min_interval: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter_percent: u8,
}

impl RefreshSchedule {
    /// How often an answer without `nextUpdate` is refreshed by default: every hour. (RFC 6960
    /// section 4.2.2.1: "If nextUpdate is not set, the responder is indicating that newer
    /// revocation information is available all the time"; the verifier accepts such an answer
    /// for a day.)
    pub const DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE: Duration = Duration::from_secs(60 * 60);

    /// The default shortest time between two fetches for one certificate after a success:
    /// 1 minute.
    pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(60);

    /// The default wait after a first failure: 1 minute.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(60);

    /// The default longest wait between two tries: 1 hour.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

    /// The default jitter: each delay is shortened by a random 0 to 20 per cent of itself, so a
    /// refresh lands between 40 and 50 per cent of an answer's window.
    pub const DEFAULT_JITTER_PERCENT: u8 = 20;

    /// The largest jitter accepted; larger values are taken as this.
    pub const MAX_JITTER_PERCENT: u8 = 50;

    /// The defaults: [`RefreshSchedule::DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE`],
    /// [`RefreshSchedule::DEFAULT_MIN_INTERVAL`], backoff from
    /// [`RefreshSchedule::DEFAULT_INITIAL_BACKOFF`] to [`RefreshSchedule::DEFAULT_MAX_BACKOFF`],
    /// [`RefreshSchedule::DEFAULT_JITTER_PERCENT`].
    pub const fn new() -> Self {
        Self {
            interval_without_next_update: Self::DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE,
            min_interval: Self::DEFAULT_MIN_INTERVAL,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            jitter_percent: Self::DEFAULT_JITTER_PERCENT,
        }
    }

    /// How long after it was taken an answer without `nextUpdate` is refreshed.
    pub const fn with_interval_without_next_update(self, interval: Duration) -> Self {
        Self {
            interval_without_next_update: interval,
            ..self
        }
    }

    /// The shortest time between two fetches for one certificate after a success.
    pub const fn with_min_interval(self, min_interval: Duration) -> Self {
        Self {
            min_interval,
            ..self
        }
    }

    /// The wait after a first failure, and the longest wait (the wait doubles with each
    /// failure in a row up to it). Waits are counted in whole seconds, at least one.
    pub const fn with_backoff(self, initial: Duration, max: Duration) -> Self {
        Self {
            initial_backoff: initial,
            max_backoff: max,
            ..self
        }
    }

    /// The jitter, in per cent of each delay (0 turns it off; at most
    /// [`RefreshSchedule::MAX_JITTER_PERCENT`]).
    pub const fn with_jitter_percent(self, jitter_percent: u8) -> Self {
        Self {
            jitter_percent,
            ..self
        }
    }

    /// The refresh interval for answers without `nextUpdate`.
    pub fn interval_without_next_update(&self) -> Duration {
        self.interval_without_next_update
    }

    /// The shortest time between two fetches after a success.
    pub fn min_interval(&self) -> Duration {
        self.min_interval
    }

    /// The wait after a first failure.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest wait between two tries.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The jitter in per cent, as it applies (at most [`RefreshSchedule::MAX_JITTER_PERCENT`]).
    pub fn jitter_percent(&self) -> u8 {
        self.jitter_percent.min(Self::MAX_JITTER_PERCENT)
    }

    /// The next refresh after an answer was taken at `now`: `this_update` and `next_update` are
    /// the answer's, `serve_until` the instant it stops being served, `newer` whether it is
    /// newer than the answer stapled before (or there was none). `draw` is a uniformly random
    /// number for the jitter.
    ///
    /// The same answer again must not aim at the same half-way point: the jitter made the
    /// fetch early, and half-way would come round again and again before the responder has
    /// anything new.
    pub(crate) fn after_success(
        &self,
        this_update: UnixTime,
        next_update: Option<UnixTime>,
        serve_until: UnixTime,
        now: UnixTime,
        newer: bool,
        draw: u32,
    ) -> UnixTime {
        let (now, until, this_update) =
            (now.as_secs(), serve_until.as_secs(), this_update.as_secs());
        let half_of_rest = until.saturating_sub(now) / 2;
        let half_way = this_update.saturating_add(until.saturating_sub(this_update) / 2);
        let delay = match next_update {
            Some(_) if newer && half_way > now => half_way.saturating_sub(now),
            Some(_) => half_of_rest,
            None => self
                .interval_without_next_update
                .as_secs()
                .min(half_of_rest),
        };
        let delay = self.jittered(delay, draw).max(self.min_interval.as_secs());
        at(now.saturating_add(delay))
    }

    /// The next try after the `failures_in_a_row`-th failure in a row (1 for the first) at
    /// `now`.
    pub(crate) fn after_failure(
        &self,
        failures_in_a_row: u32,
        now: UnixTime,
        draw: u32,
    ) -> UnixTime {
        let initial = self.initial_backoff.as_secs().max(1);
        let doublings = failures_in_a_row.saturating_sub(1).min(63);
        let backoff = initial
            .saturating_mul(1u64 << doublings)
            .min(self.max_backoff.as_secs().max(initial));
        let delay = self.jittered(backoff, draw).max(1);
        at(now.as_secs().saturating_add(delay))
    }

    /// `delay` shortened by `draw / 2^32` of the jitter fraction.
    fn jittered(&self, delay: u64, draw: u32) -> u64 {
        let cut = u128::from(delay) * u128::from(self.jitter_percent()) * u128::from(draw)
            / (100u128 << 32);
        delay.saturating_sub(u64::try_from(cut).unwrap_or(u64::MAX))
    }
}

impl Default for RefreshSchedule {
    fn default() -> Self {
        Self::new()
    }
}

/// The random draws for the jitter: SplitMix64, seeded from the process's random hash keys
/// unless a seed is given (for tests and simulations). Not cryptographic, and need not be.
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new(seed: Option<u64>) -> Self {
        use core::hash::BuildHasher as _;
        let seed = seed.unwrap_or_else(|| {
            std::collections::hash_map::RandomState::new().hash_one(0x6f63_7370u32)
        });
        Self(seed)
    }

    pub(crate) fn draw(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        u32::try_from(z >> 32).unwrap_or(u32::MAX)
    }
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    const DAY: u64 = 86_400;
    const T: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn t(offset: u64) -> UnixTime {
        at(T + offset)
    }

    fn exact() -> RefreshSchedule {
        RefreshSchedule::new().with_jitter_percent(0)
    }

    #[test]
    fn half_way_through_the_window() {
        let s = exact();
        // Fetched as it was signed: 3.5 days of a 7-day window.
        let next = s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(0), true, 0);
        assert_eq!(next, t(7 * DAY / 2));
        // Fetched a day after it was signed: still half-way through the window.
        let next = s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(DAY), true, u32::MAX);
        assert_eq!(next, t(7 * DAY / 2));
        // Past half-way (a pre-signed answer handed out late): half of what remains.
        let next = s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(5 * DAY), true, 0);
        assert_eq!(next, t(6 * DAY));
        // The same answer again, before half-way: half of what remains, not half-way again.
        let next = s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(3 * DAY), false, 0);
        assert_eq!(next, t(5 * DAY));
        // The window ends earlier than nextUpdate (the age cap, a responder's notAfter).
        let next = s.after_success(t(0), Some(t(10 * DAY)), t(4 * DAY), t(0), true, 0);
        assert_eq!(next, t(2 * DAY));
    }

    #[test]
    fn without_next_update_the_interval() {
        let s = exact();
        let next = s.after_success(t(0), None, t(DAY), t(0), true, 0);
        assert_eq!(next, t(3600));
        // Never later than half of what remains.
        let s = s.with_interval_without_next_update(Duration::from_secs(DAY));
        assert_eq!(
            s.after_success(t(0), None, t(DAY), t(0), true, 0),
            t(DAY / 2)
        );
    }

    #[test]
    fn never_sooner_than_the_minimum() {
        let s = exact();
        let next = s.after_success(t(0), Some(t(600)), t(600), t(590), true, 0);
        assert_eq!(next, t(590 + 60));
    }

    #[test]
    fn jitter_only_makes_it_earlier_and_by_at_most_its_share() {
        let s = RefreshSchedule::new(); // 20 %
        let half = 7 * DAY / 2;
        assert_eq!(
            s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(0), true, 0),
            t(half)
        );
        // The largest draw, (2^32 - 1) / 2^32, cuts just under a fifth.
        let earliest = s.after_success(t(0), Some(t(7 * DAY)), t(7 * DAY), t(0), true, u32::MAX);
        assert_eq!(earliest, t(half - half / 5 + 1));
        let mut jitter = Jitter::new(Some(1));
        let draws: Vec<u64> = (0..1000)
            .map(|_| {
                s.after_success(
                    t(0),
                    Some(t(7 * DAY)),
                    t(7 * DAY),
                    t(0),
                    true,
                    jitter.draw(),
                )
                .as_secs()
                    - T
            })
            .collect();
        assert!(draws.iter().all(|d| (half - half / 5..=half).contains(d)));
        // Spread over the whole range, not stuck at one end.
        let low = draws.iter().filter(|d| **d < half - half / 10).count();
        assert!((350..650).contains(&low), "{low}");
        // Capped at 50 %.
        assert_eq!(s.with_jitter_percent(200).jitter_percent(), 50);
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let s = exact().with_backoff(Duration::from_secs(60), Duration::from_secs(600));
        let delays: Vec<u64> = (1..=7)
            .map(|n| s.after_failure(n, t(0), 0).as_secs() - T)
            .collect();
        assert_eq!(delays, [60, 120, 240, 480, 600, 600, 600]);
        assert_eq!(s.after_failure(u32::MAX, t(0), 0), t(600));
        // With jitter: shorter, never longer.
        let s = s.with_jitter_percent(50);
        assert_eq!(s.after_failure(1, t(0), u32::MAX).as_secs() - T, 31);
        // A zero backoff still waits a second.
        let s = exact().with_backoff(Duration::ZERO, Duration::ZERO);
        assert_eq!(s.after_failure(3, t(0), 0), t(1));
    }

    #[test]
    fn seeded_draws_repeat() {
        let (mut a, mut b) = (Jitter::new(Some(7)), Jitter::new(Some(7)));
        for _ in 0..10 {
            assert_eq!(a.draw(), b.draw());
        }
        assert_ne!(Jitter::new(Some(1)).draw(), Jitter::new(Some(2)).draw());
    }
}
