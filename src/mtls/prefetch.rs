//! Tracking the certificates seen in handshakes, and refreshing their answers in the
//! background, by the one refresh rule ([`RefreshSchedule`]): half-way through an answer's
//! window; when the responder brings nothing newer, half-way through what remains, at most
//! three times an answer; after a failure, when its backoff ends.
//!
//! The prefetcher is one thread, woken every interval, that holds only a weak reference: it
//! ends when the verifier is dropped. Its fetches take only the slots that handshakes do not
//! keep for themselves.

use core::time::Duration;
use std::io;
use std::sync::Arc;
use std::time::Instant;
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use super::answers::Answers;
use super::flight::{Brought, Job};
use crate::cert::Certificate;
use crate::fetch::Priority;
use crate::issuer::Issuer;
use crate::requests::ReqCert;
use crate::server::clock::{FAR, later};
use crate::server::keeper::{CertKey, is_permanent_revocation};
use crate::server::schedule::RefreshSchedule;
use crate::server::sync::lock;
use crate::server::worker::Worker;
use crate::verify::Answer;

/// The shortest time between two rounds of the prefetcher.
const MIN_PREFETCH_INTERVAL: Duration = Duration::from_millis(10);

/// What is tracked and refreshed in the background: a small `Copy` builder.
///
/// Every certificate checked in a handshake is tracked (up to `max_tracked`, the least recently
/// seen dropped first) for `window` after its last handshake. Every `interval` the prefetcher
/// refreshes, in the background, each tracked certificate whose refresh is due by the
/// [`RefreshSchedule`], or whose answer is missing or stale.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::mtls::PrefetchOptions;
///
/// let prefetch = PrefetchOptions::new()
///     .with_window(Duration::from_secs(6 * 3600))
///     .with_max_tracked(10_000);
/// assert_eq!(prefetch.interval(), PrefetchOptions::DEFAULT_INTERVAL);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefetchOptions {
    interval: Duration,
    window: Duration,
    max_tracked: usize,
    schedule: RefreshSchedule,
}

impl PrefetchOptions {
    /// How often the prefetcher looks for answers to refresh by default: every 30 seconds.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

    /// How long after its last handshake a certificate stays tracked by default: a day.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);

    /// How many certificates are tracked at most by default: 1,000.
    pub const DEFAULT_MAX_TRACKED: usize = 1_000;

    /// The defaults, with [`RefreshSchedule::new`].
    pub const fn new() -> Self {
        Self {
            interval: Self::DEFAULT_INTERVAL,
            window: Self::DEFAULT_WINDOW,
            max_tracked: Self::DEFAULT_MAX_TRACKED,
            schedule: RefreshSchedule::new(),
        }
    }

    /// No tracking and no prefetcher thread; [`super::OcspClientCertVerifier::prefetch`] still
    /// fetches (without tracking).
    pub const fn disabled() -> Self {
        Self {
            max_tracked: 0,
            ..Self::new()
        }
    }

    /// How often the prefetcher looks (at least every 10 ms).
    pub const fn with_interval(self, interval: Duration) -> Self {
        Self { interval, ..self }
    }

    /// How long after its last handshake a certificate stays tracked.
    pub const fn with_window(self, window: Duration) -> Self {
        Self { window, ..self }
    }

    /// How many certificates are tracked at most; 0 disables tracking and the prefetcher.
    pub const fn with_max_tracked(self, max_tracked: usize) -> Self {
        Self {
            max_tracked,
            ..self
        }
    }

    /// When tracked answers are refreshed.
    pub const fn with_schedule(self, schedule: RefreshSchedule) -> Self {
        Self { schedule, ..self }
    }

    /// The interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The most certificates tracked.
    pub fn max_tracked(&self) -> usize {
        self.max_tracked
    }

    /// The refresh schedule.
    pub fn schedule(&self) -> RefreshSchedule {
        self.schedule
    }

    pub(super) fn is_enabled(&self) -> bool {
        self.max_tracked > 0 && !self.window.is_zero()
    }
}

impl Default for PrefetchOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// A tracked certificate, with its issuer's name and key, and its schedule.
#[derive(Clone, Debug)]
pub(super) struct Tracked {
    cert: Arc<[u8]>,
    issuer_name: Arc<[u8]>,
    issuer_spki: Arc<[u8]>,
    last_seen: Instant,
    /// When to look again (monotonic).
    next_attempt: Instant,
    /// The answer the schedule was computed for (its `thisUpdate`), if any.
    scheduled_for: Option<UnixTime>,
    /// Refreshes in a row that brought nothing newer.
    unchanged: u8,
}

impl Answers {
    /// Tracks a certificate checked at monotonic `mono`, for the prefetcher.
    pub(super) fn track(
        &self,
        key: &CertKey,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        mono: Instant,
    ) {
        if !self.prefetch.is_enabled() {
            return;
        }
        let mut tracked = lock(&self.tracked);
        if let Some(entry) = tracked.touch(key) {
            entry.last_seen = mono;
            return;
        }
        let entry = Tracked {
            cert: Arc::from(cert.der()),
            issuer_name: Arc::from(issuer.name()),
            issuer_spki: Arc::from(issuer.subject_public_key_info_contents()),
            last_seen: mono,
            next_attempt: mono,
            scheduled_for: None,
            unchanged: 0,
        };
        tracked.insert(key.clone(), entry, |_| ());
    }

    /// Schedules the next refresh of `key` after a fetch (by a handshake or the prefetcher)
    /// brought `brought`.
    pub(super) fn after_fetch(
        &self,
        key: &CertKey,
        brought: Brought,
        now: UnixTime,
        mono: Instant,
    ) {
        let mut tracked = lock(&self.tracked);
        let Some(entry) = tracked.get_mut(key) else {
            return;
        };
        match brought {
            Brought::Newer(answer) => {
                entry.unchanged = 0;
                entry.next_attempt = self.next_refresh(&answer, now, mono, 0);
                entry.scheduled_for = Some(answer.this_update());
            }
            Brought::Nothing(answer) => {
                entry.unchanged = entry.unchanged.saturating_add(1);
                entry.next_attempt = self.next_refresh(&answer, now, mono, entry.unchanged);
                entry.scheduled_for = Some(answer.this_update());
            }
            // Revocation is one-way: nothing more to learn.
            Brought::Contradiction => entry.next_attempt = later(mono, FAR),
            Brought::Failure(Some(retry_at)) => entry.next_attempt = retry_at,
            // Not remembered (a responder down or busy): the next round looks again.
            Brought::Failure(None) => {}
        }
    }

    /// When to refresh `answer`, kept at `now`, after `unchanged` refreshes brought nothing.
    fn next_refresh(
        &self,
        answer: &Answer,
        now: UnixTime,
        mono: Instant,
        unchanged: u8,
    ) -> Instant {
        if is_permanent_revocation(answer) {
            return later(mono, FAR);
        }
        let Some(fresh_until) = self.verifier().fresh_until(answer) else {
            return later(mono, FAR);
        };
        let delay =
            self.prefetch
                .schedule
                .next(answer, fresh_until, now, unchanged, self.jitter.draw());
        later(mono, delay)
    }

    /// Starts a background fetch for `cert` if nothing is running for it and a slot is free;
    /// returns whether one started.
    pub(super) fn start_prefetch(
        self: &Arc<Self>,
        key: CertKey,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
    ) -> bool {
        if self.flights.lock().contains_key(&key) {
            return false;
        }
        let Ok((config, live, first)) = self.route(cert, issuer, self.mono.now()) else {
            return false;
        };
        let Ok(slot) = self.responders.try_slot(&first, Priority::Background) else {
            return false;
        };
        let job = Job::new(key, cert, issuer, &live, config, now, Priority::Background);
        matches!(
            self.start(job, slot, now),
            super::answers::Pending::Waiting {
                source: super::outcome::AnswerSource::Fetch,
                ..
            }
        )
    }

    /// One round of the prefetcher.
    fn prefetch_round(self: &Arc<Self>) {
        let (Some(now), mono) = (self.now(), self.mono.now()) else {
            return;
        };
        let window = self.prefetch.window;
        let due: Vec<(CertKey, Tracked)> = {
            let mut tracked = lock(&self.tracked);
            tracked.retain(|_, entry| mono.saturating_duration_since(entry.last_seen) <= window);
            tracked
                .iter()
                .filter(|(_, entry)| entry.next_attempt <= mono)
                .map(|(key, entry)| (key.clone(), entry.clone()))
                .collect()
        };
        for (key, entry) in due {
            let Ok(cert) = Certificate::from_der(&entry.cert) else {
                continue;
            };
            let anchor = Self::anchor(&entry.issuer_name, &entry.issuer_spki);
            let Ok(issuer) = Issuer::from_trust_anchor(&anchor) else {
                continue;
            };
            let Ok(req_cert) = ReqCert::new(&cert, &issuer, self.fetcher.hash_algorithm()) else {
                continue;
            };
            debug_assert_eq!(CertKey::of(&req_cert), key);
            if let Some(kept) = self.cache.kept_key(&key) {
                let answer = kept.response.answer();
                let fresh = self.verifier().check_freshness(&answer, now).is_ok();
                if fresh && entry.scheduled_for != Some(answer.this_update()) {
                    // An answer this schedule has not seen (kept by someone else sharing the
                    // cache, or before tracking began): schedule it, do not fetch now.
                    self.after_fetch(&key, Brought::Newer(answer), now, mono);
                    if lock(&self.tracked)
                        .get(&key)
                        .is_some_and(|e| e.next_attempt > mono)
                    {
                        continue;
                    }
                }
                if is_permanent_revocation(&answer) {
                    self.after_fetch(&key, Brought::Contradiction, now, mono);
                    continue;
                }
            }
            if let Some(failure) = self.cache.failure_key(&key).filter(|f| f.retry_at > mono) {
                self.after_fetch(&key, Brought::Failure(Some(failure.retry_at)), now, mono);
                continue;
            }
            self.start_prefetch(key, &cert, &issuer, now);
        }
    }
}

/// The prefetcher thread (holding only a weak reference: it ends when the verifier is
/// dropped), stopped and joined when dropped.
#[derive(Debug)]
pub(super) struct Prefetcher(
    #[expect(dead_code, reason = "held to stop the thread on drop")] Worker,
);

impl Prefetcher {
    pub(super) fn spawn(answers: &Arc<Answers>) -> io::Result<Self> {
        let (weak, interval) = (Arc::downgrade(answers), answers.prefetch.interval);
        let round = move || {
            weak.upgrade().map(|answers| {
                answers.prefetch_round();
                interval
            })
        };
        // A panic in one round (in a transport, say) is survived; the next round looks again.
        Worker::spawn("ocsp-prefetch", MIN_PREFETCH_INTERVAL, round, || ()).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefetch_options() {
        let options = PrefetchOptions::new();
        assert_eq!(options, PrefetchOptions::default());
        assert!(options.is_enabled());
        assert_eq!(options.max_tracked(), 1_000);
        assert_eq!(options.interval(), Duration::from_secs(30));
        assert_eq!(options.window(), Duration::from_secs(24 * 3600));
        assert_eq!(options.schedule(), RefreshSchedule::new());
        assert!(!PrefetchOptions::disabled().is_enabled());
        assert!(
            !PrefetchOptions::new()
                .with_window(Duration::ZERO)
                .is_enabled()
        );
    }
}
