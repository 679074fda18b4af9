//! The one rule for when to ask a responder again about an answer kept: the stapler's
//! refreshes and the mTLS verifier's prefetches both follow it.
//!
//! Pure functions of the answer's times, the wall clock's now, how many refreshes in a row
//! brought nothing newer, and a random draw: the caller turns the delay into a monotonic
//! deadline ([`super::clock::deadline_at`]), so a wall clock that jumps cannot move it.

use core::time::Duration;

use rustls_pki_types::UnixTime;

use super::backoff::jittered;
use crate::verify::Answer;

/// When an answer kept is refreshed: a small `Copy` builder, shared by the stapler and the
/// mTLS verifier's prefetch.
///
/// - After a **newer** answer is taken, the next request is **half-way through its validity
///   window** (`thisUpdate` to the instant it stops being fresh: its `nextUpdate`, or earlier
///   by the verifier's age cap, see [`crate::Verifier::fresh_until`]). Past half-way already
///   (a responder that hands out pre-signed answers late in their window), it is half-way
///   through what remains. Without `nextUpdate`, it is
///   [`RefreshSchedule::with_interval_without_next_update`] later, and no later than half of
///   what remains.
/// - When a refresh brings **nothing newer** (the same answer again, or an older one), the
///   next is half-way through what remains; after
///   [`RefreshSchedule::with_max_unchanged_refreshes`] such refreshes in a row (3 by default),
///   the responder is not asked again until the answer stops being fresh. A responder that
///   keeps handing out one answer is thus asked at most that many times per answer lifetime.
/// - Each delay is shortened by a random fraction of up to
///   [`RefreshSchedule::with_jitter_percent`] of itself (never lengthened), so that a fleet
///   started together does not ask in lockstep, and is at least
///   [`RefreshSchedule::with_min_interval`].
/// - An answer read back from disk at start is refreshed promptly: after a random delay under
///   the minimum interval, not half-way through its window.
///
/// Failures are not its business: what failed waits out a [`crate::fetch::Backoff`], while the
/// answer kept stays in use as long as it is fresh.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::fetch::RefreshSchedule;
///
/// let schedule = RefreshSchedule::new()
///     .with_min_interval(Duration::from_secs(30))
///     .with_jitter_percent(10);
/// assert_eq!(schedule.max_unchanged_refreshes(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefreshSchedule {
    interval_without_next_update: Duration,
    min_interval: Duration,
    jitter_percent: u8,
    max_unchanged_refreshes: u8,
}

impl RefreshSchedule {
    /// How often an answer without `nextUpdate` is refreshed by default: every hour. (RFC 6960
    /// section 4.2.2.1: "If nextUpdate is not set, the responder is indicating that newer
    /// revocation information is available all the time"; the verifier accepts such an answer
    /// for a day.)
    pub const DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE: Duration = Duration::from_secs(60 * 60);

    /// The default shortest delay before a refresh: 1 minute.
    pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(60);

    /// The default jitter: each delay is shortened by a random 0 to 20 per cent of itself, so
    /// a refresh lands between 40 and 50 per cent of an answer's window.
    pub const DEFAULT_JITTER_PERCENT: u8 = 20;

    /// The default number of refreshes in a row that may bring nothing newer before the
    /// responder is left alone until the answer stops being fresh: 3.
    pub const DEFAULT_MAX_UNCHANGED_REFRESHES: u8 = 3;

    /// The largest jitter accepted; larger values are taken as this.
    pub const MAX_JITTER_PERCENT: u8 = 50;

    /// The defaults: [`RefreshSchedule::DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE`],
    /// [`RefreshSchedule::DEFAULT_MIN_INTERVAL`], [`RefreshSchedule::DEFAULT_JITTER_PERCENT`],
    /// [`RefreshSchedule::DEFAULT_MAX_UNCHANGED_REFRESHES`].
    pub const fn new() -> Self {
        Self {
            interval_without_next_update: Self::DEFAULT_INTERVAL_WITHOUT_NEXT_UPDATE,
            min_interval: Self::DEFAULT_MIN_INTERVAL,
            jitter_percent: Self::DEFAULT_JITTER_PERCENT,
            max_unchanged_refreshes: Self::DEFAULT_MAX_UNCHANGED_REFRESHES,
        }
    }

    /// How long after it was taken an answer without `nextUpdate` is refreshed.
    pub const fn with_interval_without_next_update(self, interval: Duration) -> Self {
        Self {
            interval_without_next_update: interval,
            ..self
        }
    }

    /// The shortest delay before a refresh.
    pub const fn with_min_interval(self, min_interval: Duration) -> Self {
        Self {
            min_interval,
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

    /// How many refreshes in a row may bring nothing newer before the responder is left alone
    /// until the answer stops being fresh (0: never refresh again before then).
    pub const fn with_max_unchanged_refreshes(self, max: u8) -> Self {
        Self {
            max_unchanged_refreshes: max,
            ..self
        }
    }

    /// The refresh interval for answers without `nextUpdate`.
    pub fn interval_without_next_update(&self) -> Duration {
        self.interval_without_next_update
    }

    /// The shortest delay before a refresh.
    pub fn min_interval(&self) -> Duration {
        self.min_interval
    }

    /// The jitter in per cent, as it applies (at most [`RefreshSchedule::MAX_JITTER_PERCENT`]).
    pub fn jitter_percent(&self) -> u8 {
        self.jitter_percent.min(Self::MAX_JITTER_PERCENT)
    }

    /// The refreshes in a row that may bring nothing newer.
    pub fn max_unchanged_refreshes(&self) -> u8 {
        self.max_unchanged_refreshes
    }

    /// The delay before the next refresh of `answer`, kept at `now` and fresh until
    /// `fresh_until`, after `unchanged` refreshes in a row that brought nothing newer (0 when
    /// it was just taken as newer). `draw` is a uniformly random number for the jitter.
    pub(crate) fn next(
        &self,
        answer: &Answer,
        fresh_until: UnixTime,
        now: UnixTime,
        unchanged: u8,
        draw: u32,
    ) -> Duration {
        let (now, until) = (now.as_secs(), fresh_until.as_secs());
        let remaining = until.saturating_sub(now);
        if unchanged >= self.max_unchanged_refreshes && unchanged > 0 {
            // Nothing new comes: ask again when the answer ends, not before.
            return Duration::from_secs(remaining.max(self.min_interval.as_secs()));
        }
        let this_update = answer.this_update().as_secs();
        let half_way = this_update.saturating_add(until.saturating_sub(this_update) / 2);
        let delay = match answer.next_update() {
            Some(_) if unchanged == 0 && half_way > now => half_way.saturating_sub(now),
            Some(_) => remaining / 2,
            None => self
                .interval_without_next_update
                .as_secs()
                .min(remaining / 2),
        };
        let delay = jittered(delay, self.jitter_percent(), draw).max(self.min_interval.as_secs());
        Duration::from_secs(delay)
    }

    #[cfg(feature = "stapler")]
    /// The delay before refreshing an answer read back from disk at start: random, under the
    /// minimum interval (at least a second).
    pub(crate) fn after_load(&self, draw: u32) -> Duration {
        let window = self.min_interval.as_secs().max(1);
        let delay = (u128::from(window) * u128::from(draw)) >> 32;
        Duration::from_secs(u64::try_from(delay).unwrap_or(window).max(1))
    }
}

impl Default for RefreshSchedule {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::response::CertStatus;
    use crate::server::backoff::Jitter;

    const DAY: u64 = 86_400;
    const T: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn t(offset: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(T + offset))
    }

    fn answer(this_update: u64, next_update: Option<u64>) -> Answer {
        Answer::for_tests(CertStatus::Good, t(this_update), next_update.map(t))
    }

    fn exact() -> RefreshSchedule {
        RefreshSchedule::new().with_jitter_percent(0)
    }

    fn secs(duration: Duration) -> u64 {
        duration.as_secs()
    }

    #[test]
    fn the_defaults() {
        let s = RefreshSchedule::default();
        assert_eq!(s.interval_without_next_update(), Duration::from_secs(3600));
        assert_eq!(s.min_interval(), Duration::from_secs(60));
        assert_eq!(s.jitter_percent(), 20);
        assert_eq!(s.max_unchanged_refreshes(), 3);
        assert_eq!(s.with_jitter_percent(200).jitter_percent(), 50);
    }

    #[test]
    fn half_way_through_the_window() {
        let s = exact();
        let week = answer(0, Some(7 * DAY));
        // Taken as it was signed: 3.5 days of a 7-day window.
        assert_eq!(secs(s.next(&week, t(7 * DAY), t(0), 0, 0)), 7 * DAY / 2);
        // Taken a day after it was signed: still half-way through the window.
        assert_eq!(
            secs(s.next(&week, t(7 * DAY), t(DAY), 0, u32::MAX)),
            7 * DAY / 2 - DAY
        );
        // Past half-way (a pre-signed answer handed out late): half of what remains.
        assert_eq!(secs(s.next(&week, t(7 * DAY), t(5 * DAY), 0, 0)), DAY);
        // Exactly half-way counts as past it: half of what remains, not the minimum.
        let even = answer(0, Some(8 * DAY));
        assert_eq!(secs(s.next(&even, t(8 * DAY), t(4 * DAY), 0, 0)), 2 * DAY);
        assert_eq!(secs(s.next(&even, t(8 * DAY), t(4 * DAY - 1), 0, 0)), 60);
        // The window ends earlier than nextUpdate (the age cap, a responder's notAfter).
        let long = answer(0, Some(10 * DAY));
        assert_eq!(secs(s.next(&long, t(4 * DAY), t(0), 0, 0)), 2 * DAY);
    }

    #[test]
    fn nothing_newer_halves_what_remains_then_waits_for_the_end() {
        let s = exact();
        let week = answer(0, Some(8 * DAY));
        let end = t(8 * DAY);
        // Taken at 0; the first refresh at 4 days brings the same answer: half of what
        // remains (2 days), then 1 day, then nothing until the end.
        assert_eq!(secs(s.next(&week, end, t(0), 0, 0)), 4 * DAY);
        assert_eq!(secs(s.next(&week, end, t(4 * DAY), 1, 0)), 2 * DAY);
        assert_eq!(secs(s.next(&week, end, t(6 * DAY), 2, 0)), DAY);
        assert_eq!(secs(s.next(&week, end, t(7 * DAY), 3, 0)), DAY);
        // Fewer allowed: the end at once after the first unchanged refresh.
        let once = s.with_max_unchanged_refreshes(1);
        assert_eq!(secs(once.next(&week, end, t(4 * DAY), 1, 0)), 4 * DAY);
        // Zero allowed still refreshes a newer answer half-way.
        let never = s.with_max_unchanged_refreshes(0);
        assert_eq!(secs(never.next(&week, end, t(0), 0, 0)), 4 * DAY);
    }

    #[test]
    fn three_requests_per_lifetime_when_the_responder_repeats_itself() {
        // A week-long answer, asked about whenever the rule says, the responder always
        // handing out the same one: count the requests before it ends.
        let s = RefreshSchedule::new();
        let jitter = Jitter::new(Some(3));
        let week = answer(0, Some(7 * DAY));
        let end = 7 * DAY;
        let (mut now, mut unchanged, mut requests) = (0u64, 0u8, 0u32);
        loop {
            now += secs(s.next(&week, t(end), t(now), unchanged, jitter.draw()));
            if now >= end {
                break;
            }
            requests += 1;
            unchanged += 1;
        }
        assert_eq!(requests, 3);
    }

    #[test]
    fn without_next_update_the_interval() {
        let s = exact();
        let open = answer(0, None);
        assert_eq!(secs(s.next(&open, t(DAY), t(0), 0, 0)), 3600);
        let s = s.with_interval_without_next_update(Duration::from_secs(DAY));
        assert_eq!(secs(s.next(&open, t(DAY), t(0), 0, 0)), DAY / 2);
    }

    #[test]
    fn never_sooner_than_the_minimum() {
        let s = exact();
        let short = answer(0, Some(600));
        assert_eq!(secs(s.next(&short, t(600), t(590), 0, 0)), 60);
        assert_eq!(secs(s.next(&short, t(600), t(590), 3, 0)), 60);
    }

    #[test]
    fn jitter_only_makes_it_earlier_and_by_at_most_its_share() {
        let s = RefreshSchedule::new(); // 20 %
        let week = answer(0, Some(7 * DAY));
        let half = 7 * DAY / 2;
        assert_eq!(secs(s.next(&week, t(7 * DAY), t(0), 0, 0)), half);
        assert_eq!(
            secs(s.next(&week, t(7 * DAY), t(0), 0, u32::MAX)),
            half - half / 5 + 1
        );
        let jitter = Jitter::new(Some(1));
        let delays: Vec<u64> = (0..1000)
            .map(|_| secs(s.next(&week, t(7 * DAY), t(0), 0, jitter.draw())))
            .collect();
        assert!(delays.iter().all(|d| (half - half / 5..=half).contains(d)));
    }

    #[test]
    #[cfg(feature = "stapler")]
    fn a_loaded_answer_is_refreshed_within_the_minimum_interval() {
        let s = exact();
        assert_eq!(secs(s.after_load(0)), 1);
        assert_eq!(secs(s.after_load(u32::MAX)), 59);
        assert_eq!(secs(s.after_load(u32::MAX / 2)), 29);
        let zero = s.with_min_interval(Duration::ZERO);
        assert_eq!(secs(zero.after_load(u32::MAX)), 1);
    }
}
