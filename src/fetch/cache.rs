//! [`ResponseCache`]: the keeper of verified answers by `CertID` with its failure memory, as the
//! fetcher, the stapler and the mTLS verifier use it.

use core::fmt;
use core::time::Duration;
use std::sync::Arc;

use rustls_pki_types::UnixTime;

use super::error::NotKept;
use crate::owned::OwnedVerifiedResponse;
use crate::requests::ReqCert;
use crate::server::backoff::{Backoff, FailureKind, FailureMemory};
use crate::server::clock::{MonotonicClock, SystemMonotonicClock, later};
use crate::server::keeper::{CertKey, Keeper, Offered, is_permanent_revocation};
use crate::verify::Verifier;

/// The cache's settings: a small `Copy` builder.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::fetch::{Backoff, CacheOptions, ResponseCache};
///
/// let cache = ResponseCache::new(
///     CacheOptions::new()
///         .with_capacity(10_000)
///         .with_next_update_margin(Duration::from_secs(3600))
///         .with_failure_backoff(Backoff::new(Duration::from_secs(30), Duration::from_secs(600))),
/// );
/// assert!(cache.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheOptions {
    capacity: usize,
    revocation_capacity: usize,
    next_update_margin: Duration,
    no_next_update_ttl: Duration,
    clock_skew: Duration,
    failure_backoff: Backoff,
}

impl CacheOptions {
    /// The default number of answers a [`ResponseCache`] keeps: 1,000.
    pub const DEFAULT_CAPACITY: usize = 1_000;

    /// The default number of revoked `CertID`s remembered beyond their answers: 1,024.
    pub const DEFAULT_REVOCATION_CAPACITY: usize = 1_024;

    /// The default margin before `nextUpdate` at which a cached answer stops being served:
    /// 5 minutes, the verifier's default clock skew, so that a peer whose clock runs up to that
    /// much ahead still accepts an answer handed out at the last moment.
    pub const DEFAULT_NEXT_UPDATE_MARGIN: Duration = Duration::from_secs(5 * 60);

    /// How long an answer without `nextUpdate` is kept by default: 1 minute. (RFC 6960 section
    /// 4.2.2.1: "If nextUpdate is not set, the responder is indicating that newer revocation
    /// information is available all the time.")
    pub const DEFAULT_NO_NEXT_UPDATE_TTL: Duration = Duration::from_secs(60);

    /// The default failure backoff: 1 minute after a first failure, doubling to 5 minutes (as
    /// Firefox leaves a failed responder alone for 5 minutes).
    pub const DEFAULT_FAILURE_BACKOFF: Backoff =
        Backoff::new(Duration::from_secs(60), Duration::from_secs(5 * 60));

    /// The defaults: [`CacheOptions::DEFAULT_CAPACITY`] answers and
    /// [`CacheOptions::DEFAULT_REVOCATION_CAPACITY`] revocations, served until
    /// [`CacheOptions::DEFAULT_NEXT_UPDATE_MARGIN`] before their `nextUpdate` (or for
    /// [`CacheOptions::DEFAULT_NO_NEXT_UPDATE_TTL`] without one), the verifier's default clock
    /// skew, failures left alone for [`CacheOptions::DEFAULT_FAILURE_BACKOFF`].
    pub const fn new() -> Self {
        Self {
            capacity: Self::DEFAULT_CAPACITY,
            revocation_capacity: Self::DEFAULT_REVOCATION_CAPACITY,
            next_update_margin: Self::DEFAULT_NEXT_UPDATE_MARGIN,
            no_next_update_ttl: Self::DEFAULT_NO_NEXT_UPDATE_TTL,
            clock_skew: Verifier::DEFAULT_CLOCK_SKEW,
            failure_backoff: Self::DEFAULT_FAILURE_BACKOFF,
        }
    }

    /// The most answers kept (when full, the one whose `nextUpdate` comes soonest goes); 0
    /// keeps none.
    pub const fn with_capacity(self, capacity: usize) -> Self {
        Self { capacity, ..self }
    }

    /// The most revoked `CertID`s remembered beyond their answers (when full, the one looked
    /// up least recently goes).
    pub const fn with_revocation_capacity(self, revocation_capacity: usize) -> Self {
        Self {
            revocation_capacity,
            ..self
        }
    }

    /// How long before `nextUpdate` an answer stops being served from the cache.
    pub const fn with_next_update_margin(self, next_update_margin: Duration) -> Self {
        Self {
            next_update_margin,
            ..self
        }
    }

    /// How long an answer without `nextUpdate` is served from the cache, from when it was
    /// kept (measured on the monotonic clock).
    pub const fn with_no_next_update_ttl(self, no_next_update_ttl: Duration) -> Self {
        Self {
            no_next_update_ttl,
            ..self
        }
    }

    /// How far ahead of now an answer's `thisUpdate` may be (the verifier's skew; a
    /// revocation dated later is not kept).
    pub const fn with_clock_skew(self, clock_skew: Duration) -> Self {
        Self { clock_skew, ..self }
    }

    /// How long a failure is remembered: a backoff that grows with failures in a row.
    pub const fn with_failure_backoff(self, failure_backoff: Backoff) -> Self {
        Self {
            failure_backoff,
            ..self
        }
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The revocation capacity.
    pub fn revocation_capacity(&self) -> usize {
        self.revocation_capacity
    }

    /// The margin before `nextUpdate`.
    pub fn next_update_margin(&self) -> Duration {
        self.next_update_margin
    }

    /// How long an answer without `nextUpdate` is kept.
    pub fn no_next_update_ttl(&self) -> Duration {
        self.no_next_update_ttl
    }

    /// The clock skew.
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The failure backoff.
    pub fn failure_backoff(&self) -> Backoff {
        self.failure_backoff
    }
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// What [`ResponseCache::lookup`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheLookup {
    /// An answer that can be served: fresh until shortly before its `nextUpdate` (or kept
    /// less than the TTL, without one), or a permanent revocation, which is served whatever
    /// its age. Callers re-check it with [`Verifier::check_freshness`].
    Hit(Arc<OwnedVerifiedResponse>),
    /// Fetching failed recently; it is not tried again for `retry_in`.
    RecentFailure {
        /// What went wrong then.
        kind: FailureKind,
        /// How long until it is tried again.
        retry_in: Duration,
    },
    /// Nothing usable is known.
    Miss,
}

/// The keeper of verified answers by `CertID`, with its failure memory: bounded and
/// thread-safe, shared by every connection (and between the stapler, the mTLS verifier and
/// [`super::Fetcher::fetch_cached`]).
///
/// What it keeps, it keeps by three rules ([`ResponseCache::offer`]): never an answer dated
/// in the future, never an older answer over a newer one, and **never `good` or `unknown`
/// after a verified permanent revocation**: revocation is one-way, and a responder that says
/// otherwise contradicts itself. Revoked `CertID`s are remembered apart from the answers
/// (bounded by [`CacheOptions::with_revocation_capacity`]), beyond their answers' freshness.
///
/// Failures are remembered per `CertID` with a [`Backoff`]. Wall time (the `now` passed in)
/// only judges answers; the backoff and the TTL of answers without `nextUpdate` are measured
/// on a monotonic clock, so a wall clock that jumps neither strands a failure nor revives a
/// stale answer.
pub struct ResponseCache {
    options: CacheOptions,
    keeper: Keeper,
    failures: FailureMemory<CertKey>,
    clock: Arc<dyn MonotonicClock>,
}

impl ResponseCache {
    /// An empty cache with these settings, on the system's monotonic clock.
    pub fn new(options: CacheOptions) -> Self {
        Self {
            options,
            keeper: Keeper::new(options.capacity, options.revocation_capacity),
            failures: FailureMemory::new(options.failure_backoff, options.capacity, None),
            clock: Arc::new(SystemMonotonicClock),
        }
    }

    /// The same cache on another monotonic clock (for tests and simulations).
    pub fn with_monotonic_clock(self, clock: Arc<dyn MonotonicClock>) -> Self {
        Self { clock, ..self }
    }

    /// The settings.
    pub fn options(&self) -> &CacheOptions {
        &self.options
    }

    /// What is known about `req_cert`'s certificate at wall time `now`.
    pub fn lookup(&self, req_cert: &ReqCert<'_>, now: UnixTime) -> CacheLookup {
        self.lookup_key(&CertKey::of(req_cert), now)
    }

    /// Offers a verified answer about `req_cert`'s certificate, taken at wall time `now`, and
    /// returns the answer kept: this one if it is newer than the one kept (or the first); the
    /// one kept if this one has the same `thisUpdate`. Refused ([`NotKept`]) when its
    /// `thisUpdate` is further ahead than the clock skew, when it is older than the one kept,
    /// and when it is `good` or `unknown` after a verified permanent revocation. A taken answer
    /// clears the failure memory.
    pub fn offer(
        &self,
        req_cert: &ReqCert<'_>,
        response: OwnedVerifiedResponse,
        now: UnixTime,
    ) -> Result<Arc<OwnedVerifiedResponse>, NotKept> {
        self.offer_key(&CertKey::of(req_cert), response, now)
            .map(|offered| std::sync::Arc::clone(offered.response()))
            .map_err(NotKept::from)
    }

    /// The answer kept about `req_cert`'s certificate, whatever its age (a remembered
    /// revocation first).
    pub fn kept(&self, req_cert: &ReqCert<'_>) -> Option<Arc<OwnedVerifiedResponse>> {
        self.keeper
            .get(&CertKey::of(req_cert))
            .map(|kept| kept.response)
    }

    /// Remembers that fetching for `req_cert`'s certificate failed now: it is not tried again
    /// before the backoff, which grows with each failure in a row, has passed.
    pub fn failed(&self, req_cert: &ReqCert<'_>, kind: FailureKind) {
        self.failures
            .failed(&CertKey::of(req_cert), kind, self.clock.now());
    }

    /// Forgets the answer and the failures kept for `req_cert`'s certificate. A revocation
    /// remembered stays: revocation is one-way.
    pub fn remove(&self, req_cert: &ReqCert<'_>) {
        let key = CertKey::of(req_cert);
        self.keeper.remove_answer(&key);
        self.failures.succeeded(&key);
    }

    /// The number of answers kept.
    pub fn len(&self) -> usize {
        self.keeper.len()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of revoked `CertID`s remembered.
    pub fn revocations(&self) -> usize {
        self.keeper.revocations()
    }

    pub(crate) fn lookup_key(&self, key: &CertKey, now: UnixTime) -> CacheLookup {
        let mono = self.clock.now();
        if let Some(kept) = self.keeper.get(key) {
            let answer = kept.response.answer();
            let servable = is_permanent_revocation(&answer)
                || match answer.next_update() {
                    Some(next_update) => {
                        now.as_secs()
                            .saturating_add(self.options.next_update_margin.as_secs())
                            < next_update.as_secs()
                    }
                    None => kept
                        .kept_at
                        .is_some_and(|at| mono < later(at, self.options.no_next_update_ttl)),
                };
            if servable {
                return CacheLookup::Hit(kept.response);
            }
        }
        match self.failures.waiting(key, mono) {
            Some(failure) => CacheLookup::RecentFailure {
                kind: failure.kind,
                retry_in: failure.retry_in(mono),
            },
            None => CacheLookup::Miss,
        }
    }

    pub(crate) fn offer_key(
        &self,
        key: &CertKey,
        response: OwnedVerifiedResponse,
        now: UnixTime,
    ) -> Result<Offered, crate::server::keeper::Refusal> {
        let offered = self.keeper.offer(
            key,
            response,
            now,
            self.clock.now(),
            self.options.clock_skew,
        )?;
        self.failures.succeeded(key);
        Ok(offered)
    }

    pub(crate) fn failed_key(
        &self,
        key: &CertKey,
        kind: FailureKind,
    ) -> crate::server::backoff::Failure {
        self.failures.failed(key, kind, self.clock.now())
    }

    pub(crate) fn failure_key(&self, key: &CertKey) -> Option<crate::server::backoff::Failure> {
        self.failures.last(key)
    }

    pub(crate) fn kept_key(&self, key: &CertKey) -> Option<crate::server::keeper::Kept> {
        self.keeper.get(key)
    }
}

impl Default for ResponseCache {
    fn default() -> Self {
        Self::new(CacheOptions::default())
    }
}

impl fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseCache")
            .field("options", &self.options)
            .field("answers", &self.keeper.len())
            .field("revocations", &self.keeper.revocations())
            .field("clock", &self.clock)
            .finish()
    }
}

impl fmt::Display for CacheLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hit(_) => f.write_str("hit"),
            Self::RecentFailure { kind, retry_in } => write!(
                f,
                "recent failure: {kind} (retried in {})",
                crate::display::Elapsed(retry_in.as_secs())
            ),
            Self::Miss => f.write_str("miss"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::string::ToString;
    use std::vec::Vec;

    use super::*;
    use crate::cert::Certificate;
    use crate::error::Error;
    use crate::hash::HashAlgorithm;
    use crate::response::{CertStatus, RevocationReason};
    use crate::server::clock::ManualMonotonicClock;
    use crate::verify::Answer;

    const CERT: &[u8] = include_bytes!("../../test-vectors/real-world/openssl/ND1_Cert_EE.der");
    const ISSUER: &[u8] =
        include_bytes!("../../test-vectors/real-world/openssl/ND1_Issuer_ICA.der");
    const SECOND: Duration = Duration::from_secs(1);

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn req_cert(hash: HashAlgorithm) -> ReqCert<'static> {
        let cert = Certificate::from_der(CERT).unwrap();
        let issuer = Certificate::from_der(ISSUER).unwrap();
        ReqCert::new(&cert, &crate::Issuer::from(&issuer), hash).unwrap()
    }

    fn response(
        status: CertStatus,
        this_update: u64,
        next_update: Option<u64>,
    ) -> OwnedVerifiedResponse {
        OwnedVerifiedResponse::for_tests(Answer::for_tests(
            status,
            at(this_update),
            next_update.map(at),
        ))
    }

    fn good(this_update: u64, next_update: Option<u64>) -> OwnedVerifiedResponse {
        response(CertStatus::Good, this_update, next_update)
    }

    fn cache(options: CacheOptions) -> (ResponseCache, ManualMonotonicClock) {
        let clock = ManualMonotonicClock::new();
        (
            ResponseCache::new(options).with_monotonic_clock(Arc::new(clock.clone())),
            clock,
        )
    }

    fn hit(lookup: CacheLookup) -> Option<u64> {
        match lookup {
            CacheLookup::Hit(response) => Some(response.answer().this_update().as_secs()),
            _ => None,
        }
    }

    #[test]
    fn the_defaults() {
        let options = CacheOptions::default();
        assert_eq!(options.capacity(), 1_000);
        assert_eq!(options.revocation_capacity(), 1_024);
        assert_eq!(options.next_update_margin(), 300 * SECOND);
        assert_eq!(options.no_next_update_ttl(), 60 * SECOND);
        assert_eq!(options.clock_skew(), 300 * SECOND);
        assert_eq!(options.failure_backoff().initial(), 60 * SECOND);
        assert_eq!(options.failure_backoff().max(), 300 * SECOND);
        // Each setter sets its own field, and only it.
        let backoff = Backoff::new(7 * SECOND, 70 * SECOND);
        let set = options
            .with_capacity(3)
            .with_revocation_capacity(4)
            .with_next_update_margin(5 * SECOND)
            .with_no_next_update_ttl(6 * SECOND)
            .with_clock_skew(8 * SECOND)
            .with_failure_backoff(backoff);
        assert_eq!((set.capacity(), set.revocation_capacity()), (3, 4));
        assert_eq!(set.next_update_margin(), 5 * SECOND);
        assert_eq!(set.no_next_update_ttl(), 6 * SECOND);
        assert_eq!(set.clock_skew(), 8 * SECOND);
        assert_eq!(set.failure_backoff(), backoff);
    }

    #[test]
    fn counts_what_it_keeps() {
        let (cache, _) = cache(CacheOptions::new());
        assert_eq!((cache.len(), cache.is_empty()), (0, true));
        cache
            .offer(
                &req_cert(HashAlgorithm::Sha1),
                good(1_000, Some(2_000)),
                at(1_000),
            )
            .unwrap();
        cache
            .offer(
                &req_cert(HashAlgorithm::Sha256),
                good(1_000, Some(2_000)),
                at(1_000),
            )
            .unwrap();
        assert_eq!((cache.len(), cache.is_empty()), (2, false));
        assert_eq!(cache.revocations(), 0);
        assert_eq!(
            std::format!("{cache:?}"),
            std::format!(
                "ResponseCache {{ options: {:?}, answers: 2, revocations: 0, clock: {:?} }}",
                CacheOptions::new(),
                cache.clock
            )
        );
    }

    #[test]
    fn by_key_for_the_mtls_verifier() {
        let (cache, clock) = cache(CacheOptions::new());
        let id = req_cert(HashAlgorithm::Sha1);
        let key = CertKey::of(&id);
        assert!(cache.kept_key(&key).is_none());
        cache
            .offer(&id, good(1_000, Some(2_000)), at(1_000))
            .unwrap();
        let kept = cache.kept_key(&key).expect("kept");
        assert_eq!(kept.response.answer().this_update(), at(1_000));
        assert_eq!(kept.kept_at, Some(clock.now()));
        assert_eq!(cache.failure_key(&key), None);
        let failure = cache.failed_key(&key, FailureKind::Unreachable);
        assert_eq!(failure.in_a_row, 1);
        assert_eq!(cache.failure_key(&key), Some(failure));
    }

    #[test]
    fn lookups_read_as_words() {
        let failed = CacheLookup::RecentFailure {
            kind: FailureKind::Unreachable,
            retry_in: 90 * SECOND,
        };
        assert_eq!(
            failed.to_string(),
            "recent failure: no responder could be reached (retried in 1m 30s)"
        );
        assert_eq!(CacheLookup::Miss.to_string(), "miss");
        let (cache, _) = cache(CacheOptions::new());
        let id = req_cert(HashAlgorithm::Sha1);
        cache
            .offer(&id, good(1_000, Some(2_000)), at(1_000))
            .unwrap();
        assert_eq!(cache.lookup(&id, at(1_000)).to_string(), "hit");
    }

    #[test]
    fn served_until_next_update_minus_the_margin() {
        let (cache, _) = cache(CacheOptions::new().with_next_update_margin(100 * SECOND));
        let id = req_cert(HashAlgorithm::Sha1);
        cache
            .offer(&id, good(1_000, Some(2_000)), at(1_000))
            .unwrap();
        assert_eq!(hit(cache.lookup(&id, at(1_000))), Some(1_000));
        assert_eq!(hit(cache.lookup(&id, at(1_899))), Some(1_000));
        assert_eq!(cache.lookup(&id, at(1_900)), CacheLookup::Miss);
        // Kept, not served: a wall clock that comes back serves it again.
        assert_eq!(cache.len(), 1);
        assert_eq!(hit(cache.lookup(&id, at(1_500))), Some(1_000));
    }

    #[test]
    fn without_next_update_kept_for_the_ttl_on_the_monotonic_clock() {
        let (cache, clock) = cache(CacheOptions::new().with_no_next_update_ttl(30 * SECOND));
        let id = req_cert(HashAlgorithm::Sha1);
        cache.offer(&id, good(900, None), at(1_000)).unwrap();
        // Wall time moving does not age it ...
        assert_eq!(hit(cache.lookup(&id, at(9_000_000))), Some(900));
        // ... monotonic time does.
        clock.advance(29 * SECOND);
        assert_eq!(hit(cache.lookup(&id, at(1_029))), Some(900));
        clock.advance(SECOND);
        assert_eq!(cache.lookup(&id, at(1_030)), CacheLookup::Miss);
    }

    #[test]
    fn the_key_is_the_whole_cert_id() {
        let (cache, _) = cache(CacheOptions::new());
        let sha1 = req_cert(HashAlgorithm::Sha1);
        let sha256 = req_cert(HashAlgorithm::Sha256);
        cache
            .offer(&sha1, good(1_000, Some(100_000)), at(1_000))
            .unwrap();
        assert!(hit(cache.lookup(&sha1, at(1_001))).is_some());
        assert_eq!(cache.lookup(&sha256, at(1_001)), CacheLookup::Miss);
        let other = [0x01];
        assert_eq!(
            cache.lookup(&sha1.with_serial_for_tests(&other), at(1_001)),
            CacheLookup::Miss
        );
        cache.remove(&sha1);
        assert_eq!(cache.lookup(&sha1, at(1_001)), CacheLookup::Miss);
    }

    #[test]
    fn failures_back_off_on_the_monotonic_clock_whatever_the_wall_clock_does() {
        let backoff = Backoff::new(60 * SECOND, 240 * SECOND).with_jitter_percent(0);
        let (cache, clock) = cache(CacheOptions::new().with_failure_backoff(backoff));
        let id = req_cert(HashAlgorithm::Sha1);
        cache.failed(&id, FailureKind::Unreachable);
        let recent = |retry_in: u32| CacheLookup::RecentFailure {
            kind: FailureKind::Unreachable,
            retry_in: SECOND * retry_in,
        };
        // The wall clock a month ahead, then back: the failure is the same.
        assert_eq!(cache.lookup(&id, at(1_000 + 30 * 86_400)), recent(60));
        assert_eq!(cache.lookup(&id, at(1_000)), recent(60));
        clock.advance(59 * SECOND);
        assert_eq!(cache.lookup(&id, at(1_000)), recent(1));
        clock.advance(SECOND);
        assert_eq!(cache.lookup(&id, at(1_000)), CacheLookup::Miss);
        // A second failure in a row waits twice as long; an answer clears it all.
        cache.failed(&id, FailureKind::BadAnswer);
        assert!(matches!(
            cache.lookup(&id, at(1_000)),
            CacheLookup::RecentFailure { kind: FailureKind::BadAnswer, retry_in } if retry_in == 120 * SECOND
        ));
        cache
            .offer(&id, good(1_000, Some(9_000)), at(1_000))
            .unwrap();
        assert!(hit(cache.lookup(&id, at(1_000))).is_some());
        cache.remove(&id);
        assert_eq!(cache.lookup(&id, at(1_000)), CacheLookup::Miss);
    }

    #[test]
    fn a_revocation_is_served_whatever_its_age_and_never_undone() {
        let (cache, _) = cache(CacheOptions::new());
        let id = req_cert(HashAlgorithm::Sha1);
        let revoked = CertStatus::Revoked {
            time: at(500),
            reason: Some(RevocationReason::KeyCompromise),
        };
        cache
            .offer(&id, response(revoked, 1_000, Some(2_000)), at(1_000))
            .unwrap();
        assert_eq!(hit(cache.lookup(&id, at(50_000))), Some(1_000));
        let refused = cache.offer(&id, good(3_000, Some(9_000)), at(3_000));
        assert!(
            matches!(refused, Err(NotKept::Contradiction { revoked, offered })
            if revoked.this_update() == at(1_000) && offered.status() == CertStatus::Good)
        );
        assert_eq!(refused.unwrap_err().code(), "contradiction");
        // Not even removing it undoes it.
        cache.remove(&id);
        assert_eq!(hit(cache.lookup(&id, at(50_000))), Some(1_000));
        assert_eq!(cache.revocations(), 1);
        assert_eq!(cache.kept(&id).map(|r| r.answer().status()), Some(revoked));
    }

    #[test]
    fn older_and_future_answers_are_refused() {
        let (cache, _) = cache(CacheOptions::new().with_clock_skew(10 * SECOND));
        let id = req_cert(HashAlgorithm::Sha1);
        cache
            .offer(&id, good(2_000, Some(9_000)), at(2_000))
            .unwrap();
        assert!(matches!(
            cache.offer(&id, good(1_000, Some(9_000)), at(2_000)),
            Err(NotKept::Older { .. })
        ));
        assert_eq!(
            cache
                .offer(&id, good(2_011, Some(9_000)), at(2_000))
                .map(|_| ()),
            Err(NotKept::NotYetValid(Error::ResponseNotYetValid {
                time: at(2_000),
                not_before: at(2_011)
            }))
        );
        // The same thisUpdate: the kept one is returned.
        let kept = cache
            .offer(&id, good(2_000, Some(8_000)), at(2_000))
            .unwrap();
        assert_eq!(kept.answer().next_update(), Some(at(9_000)));
    }

    #[test]
    fn bounded_and_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ResponseCache>();
        let cache = Arc::new(ResponseCache::new(CacheOptions::new().with_capacity(64)));
        let base = req_cert(HashAlgorithm::Sha1);
        let serials: Arc<Vec<Vec<u8>>> = Arc::new((0..100u8).map(|n| std::vec![0x01, n]).collect());
        let threads: Vec<_> = (0..4u64)
            .map(|thread| {
                let (cache, serials) = (Arc::clone(&cache), Arc::clone(&serials));
                std::thread::spawn(move || {
                    let mut hits = 0u32;
                    for round in 0..500u64 {
                        let serial = &serials[usize::try_from((round * 7 + thread) % 100).unwrap()];
                        let id = base.with_serial_for_tests(serial);
                        let now = at(10_000 + round);
                        match cache.lookup(&id, now) {
                            CacheLookup::Hit(r) => {
                                assert!(r.answer().next_update().unwrap() > now);
                                hits += 1;
                            }
                            CacheLookup::RecentFailure { .. } => {}
                            CacheLookup::Miss if round % 3 == 0 => {
                                cache.failed(&id, FailureKind::Unreachable)
                            }
                            CacheLookup::Miss => {
                                let _ = cache.offer(&id, good(now.as_secs(), Some(20_000)), now);
                            }
                        }
                    }
                    hits
                })
            })
            .collect();
        let hits: u32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert!(hits > 0);
        assert!(cache.len() <= 64);
    }
}
