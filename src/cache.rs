//! A bounded, thread-safe cache of verified OCSP responses keyed by `CertID`, which also
//! remembers recent failures so that a busy client does not hammer a dead responder.
//!
//! Time comes from the caller, as everywhere in this crate: the cache never reads a clock.

use core::fmt;
use core::time::Duration;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::owned::OwnedVerifiedResponse;
use crate::request::ReqCert;

/// What kind of failure a [`ResponseCache`] remembers: the three the policy treats apart.
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

/// The cache's settings: a small `Copy` builder.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::fetch::{CacheOptions, ResponseCache};
///
/// let cache = ResponseCache::new(
///     CacheOptions::new()
///         .with_capacity(10_000)
///         .with_next_update_margin(Duration::from_secs(3600))
///         .with_failure_ttl(Duration::from_secs(60)),
/// );
/// assert!(cache.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheOptions {
    capacity: usize,
    next_update_margin: Duration,
    no_next_update_ttl: Duration,
    failure_ttl: Duration,
}

impl CacheOptions {
    /// The default number of entries a [`ResponseCache`] holds: 1,000.
    pub const DEFAULT_CAPACITY: usize = 1_000;

    /// The default margin before `nextUpdate` at which a cached response stops being served:
    /// 5 minutes, the verifier's default clock skew, so that a peer whose clock runs up to that
    /// much ahead still accepts a response handed out at the last moment.
    pub const DEFAULT_NEXT_UPDATE_MARGIN: Duration = Duration::from_secs(5 * 60);

    /// How long a response without `nextUpdate` is kept by default: 1 minute. (RFC 6960 section
    /// 4.2.2.1: "If nextUpdate is not set, the responder is indicating that newer revocation
    /// information is available all the time.")
    pub const DEFAULT_NO_NEXT_UPDATE_TTL: Duration = Duration::from_secs(60);

    /// How long a failure is remembered by default: 5 minutes, as Firefox does before it asks a
    /// responder that failed again.
    pub const DEFAULT_FAILURE_TTL: Duration = Duration::from_secs(5 * 60);

    /// The defaults: [`CacheOptions::DEFAULT_CAPACITY`] entries, responses kept until
    /// [`CacheOptions::DEFAULT_NEXT_UPDATE_MARGIN`] before their `nextUpdate` (or for
    /// [`CacheOptions::DEFAULT_NO_NEXT_UPDATE_TTL`] without one), failures remembered for
    /// [`CacheOptions::DEFAULT_FAILURE_TTL`].
    pub const fn new() -> Self {
        Self {
            capacity: Self::DEFAULT_CAPACITY,
            next_update_margin: Self::DEFAULT_NEXT_UPDATE_MARGIN,
            no_next_update_ttl: Self::DEFAULT_NO_NEXT_UPDATE_TTL,
            failure_ttl: Self::DEFAULT_FAILURE_TTL,
        }
    }

    /// The most entries (responses and failures together) the cache holds; 0 caches nothing.
    pub const fn with_capacity(self, capacity: usize) -> Self {
        Self { capacity, ..self }
    }

    /// How long before `nextUpdate` a response stops being served from the cache.
    pub const fn with_next_update_margin(self, next_update_margin: Duration) -> Self {
        Self {
            next_update_margin,
            ..self
        }
    }

    /// How long a response without `nextUpdate` is served from the cache, from when it was
    /// inserted.
    pub const fn with_no_next_update_ttl(self, no_next_update_ttl: Duration) -> Self {
        Self {
            no_next_update_ttl,
            ..self
        }
    }

    /// How long a failure is remembered; 0 remembers none.
    pub const fn with_failure_ttl(self, failure_ttl: Duration) -> Self {
        Self {
            failure_ttl,
            ..self
        }
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The margin before `nextUpdate`.
    pub fn next_update_margin(&self) -> Duration {
        self.next_update_margin
    }

    /// How long a response without `nextUpdate` is kept.
    pub fn no_next_update_ttl(&self) -> Duration {
        self.no_next_update_ttl
    }

    /// How long a failure is remembered.
    pub fn failure_ttl(&self) -> Duration {
        self.failure_ttl
    }
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// What the cache knows about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheLookup {
    /// A verified response still within its cache lifetime.
    Fresh(Arc<OwnedVerifiedResponse>),
    /// Fetching failed recently: do not ask again before `until`.
    RecentFailure {
        /// What went wrong.
        kind: FailureKind,
        /// When the failure will be forgotten.
        until: UnixTime,
    },
    /// Nothing usable: fetch.
    Miss,
}

/// A bounded cache of verified responses and recent failures, keyed by `CertID` (hash
/// algorithm, issuer name hash, issuer key hash and serial: see [`ReqCert`]).
///
/// - A verified response is served until its `nextUpdate` minus a margin, or, without
///   `nextUpdate`, for a short time after it was inserted (see [`CacheOptions`]). It is not
///   verified again when served: it was verified when it was made, and the margin keeps it
///   inside its validity window.
/// - A failure is remembered for a short time (5 minutes by default), so that a busy client
///   does not ask a dead responder for every connection.
/// - The size is bounded. When a new key arrives at a full cache, expired entries are dropped
///   first; if it is still full, the entry that **expires soonest** is evicted (the one that
///   would have been of use for the shortest time; recent failures usually go first). This
///   is a linear scan over the entries, paid only on inserting into a full cache, which
///   follows a network fetch.
/// - It is `Send + Sync` with a `&self` API: one `Mutex` inside, held only for map updates,
///   never across a fetch. Two threads that miss at the same time both fetch (there is no
///   request coalescing); the later insert wins.
///
/// Time comes from the caller (`now`), so tests use a fake clock.
///
/// The key says which certificate, not under which policy an answer was accepted: share one
/// cache only between callers that verify with the same [`crate::Verifier`] settings.
#[derive(Debug, Default)]
pub struct ResponseCache {
    options: CacheOptions,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Vec<u8>, Entry>,
    /// Insertion counter, to break ties between entries expiring in the same second.
    sequence: u64,
}

#[derive(Debug)]
struct Entry {
    slot: Slot,
    /// Unix seconds from which the entry is no longer served.
    expires_at: u64,
    sequence: u64,
}

#[derive(Debug)]
enum Slot {
    Response(Arc<OwnedVerifiedResponse>),
    Failure(FailureKind),
}

impl ResponseCache {
    /// An empty cache with `options`.
    pub fn new(options: CacheOptions) -> Self {
        Self {
            options,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// The cache's settings.
    pub fn options(&self) -> CacheOptions {
        self.options
    }

    /// What the cache knows about `req_cert` at `now`. An expired entry is dropped and
    /// reported as a miss.
    pub fn lookup(&self, req_cert: &ReqCert<'_>, now: UnixTime) -> CacheLookup {
        let key = key(req_cert);
        let now = now.as_secs();
        let mut entries = self.lock();
        let Some(entry) = entries.map.get(&key) else {
            return CacheLookup::Miss;
        };
        if entry.expires_at <= now {
            entries.map.remove(&key);
            return CacheLookup::Miss;
        }
        match &entry.slot {
            Slot::Response(response) => CacheLookup::Fresh(Arc::clone(response)),
            Slot::Failure(kind) => CacheLookup::RecentFailure {
                kind: *kind,
                until: seconds(entry.expires_at),
            },
        }
    }

    /// Keeps `response`, the verified answer about `req_cert`, and returns it shared.
    ///
    /// It replaces whatever the cache held for `req_cert`. A response whose cache lifetime
    /// is already over at `now` (its `nextUpdate` minus the margin has passed) is not kept.
    pub fn insert(
        &self,
        req_cert: &ReqCert<'_>,
        response: OwnedVerifiedResponse,
        now: UnixTime,
    ) -> Arc<OwnedVerifiedResponse> {
        let response = Arc::new(response);
        let expires_at = match response.answer().next_update() {
            Some(next_update) => next_update
                .as_secs()
                .saturating_sub(self.options.next_update_margin.as_secs()),
            None => now
                .as_secs()
                .saturating_add(self.options.no_next_update_ttl.as_secs()),
        };
        self.put(
            req_cert,
            Slot::Response(Arc::clone(&response)),
            expires_at,
            now,
        );
        response
    }

    /// Remembers that fetching the status of `req_cert` failed at `now`, for the failure
    /// lifetime of the options.
    pub fn insert_failure(&self, req_cert: &ReqCert<'_>, kind: FailureKind, now: UnixTime) {
        let expires_at = now
            .as_secs()
            .saturating_add(self.options.failure_ttl.as_secs());
        self.put(req_cert, Slot::Failure(kind), expires_at, now);
    }

    /// Forgets what the cache holds about `req_cert`.
    pub fn remove(&self, req_cert: &ReqCert<'_>) {
        self.lock().map.remove(&key(req_cert));
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.lock().map.clear();
    }

    /// The number of entries, expired ones included until they are dropped.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn put(&self, req_cert: &ReqCert<'_>, slot: Slot, expires_at: u64, now: UnixTime) {
        let now = now.as_secs();
        let key = key(req_cert);
        let mut entries = self.lock();
        if expires_at <= now || self.options.capacity == 0 {
            entries.map.remove(&key);
            return;
        }
        if !entries.map.contains_key(&key) && entries.map.len() >= self.options.capacity {
            entries.map.retain(|_, entry| entry.expires_at > now);
            while entries.map.len() >= self.options.capacity {
                let soonest = entries
                    .map
                    .iter()
                    .min_by_key(|(_, entry)| (entry.expires_at, entry.sequence))
                    .map(|(key, _)| key.clone());
                match soonest {
                    Some(soonest) => entries.map.remove(&soonest),
                    None => break,
                };
            }
        }
        entries.sequence = entries.sequence.wrapping_add(1);
        let sequence = entries.sequence;
        entries.map.insert(
            key,
            Entry {
                slot,
                expires_at,
                sequence,
            },
        );
    }

    /// The entries. A thread that panicked while holding the lock cannot have left them
    /// half-updated (every update is a single map operation), so a poisoned lock is used as
    /// it is.
    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The map key: one byte for the hash algorithm, then the two hashes (whose length the
/// algorithm fixes) and the serial. The client-certificate verifier keys its in-flight fetches
/// and its prefetch list the same way.
pub(crate) fn key(req_cert: &ReqCert<'_>) -> Vec<u8> {
    let algorithm = match req_cert.hash_algorithm() {
        HashAlgorithm::Sha1 => 1,
        HashAlgorithm::Sha256 => 2,
        HashAlgorithm::Sha384 => 3,
        HashAlgorithm::Sha512 => 4,
    };
    let name = req_cert.issuer_name_hash();
    let issuer_key = req_cert.issuer_key_hash();
    let serial = req_cert.serial();
    let mut key = Vec::with_capacity(
        1usize
            .saturating_add(name.len())
            .saturating_add(issuer_key.len())
            .saturating_add(serial.len()),
    );
    key.push(algorithm);
    key.extend_from_slice(name);
    key.extend_from_slice(issuer_key);
    key.extend_from_slice(serial);
    key
}

fn seconds(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

impl fmt::Display for CacheLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fresh(_) => f.write_str("fresh"),
            Self::RecentFailure { kind, .. } => write!(f, "recent failure: {kind}"),
            Self::Miss => f.write_str("miss"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::Certificate;

    const CERT: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Cert_EE.der");
    const ISSUER: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Issuer_ICA.der");

    fn at(secs: u64) -> UnixTime {
        seconds(secs)
    }

    fn req_cert(hash: HashAlgorithm) -> ReqCert<'static> {
        let cert = Certificate::from_der(CERT).unwrap();
        let issuer = Certificate::from_der(ISSUER).unwrap();
        ReqCert::new(&cert, &crate::Issuer::from(&issuer), hash).unwrap()
    }

    /// Keys that differ only in the serial, as many as needed.
    fn serials(count: u8) -> Vec<Vec<u8>> {
        (0..count).map(|n| std::vec![0x01, n]).collect()
    }

    fn with_serial<'a>(base: &ReqCert<'_>, serial: &'a [u8]) -> ReqCert<'a> {
        base.with_serial_for_tests(serial)
    }

    fn response(this_update: u64, next_update: Option<u64>) -> OwnedVerifiedResponse {
        OwnedVerifiedResponse::for_tests(crate::Answer::for_tests(
            crate::CertStatus::Good,
            at(this_update),
            next_update.map(at),
        ))
    }

    #[test]
    fn keeps_until_next_update_minus_margin() {
        let cache = ResponseCache::new(
            CacheOptions::new().with_next_update_margin(Duration::from_secs(100)),
        );
        let id = req_cert(HashAlgorithm::Sha1);
        cache.insert(&id, response(1_000, Some(2_000)), at(1_000));
        assert!(matches!(
            cache.lookup(&id, at(1_000)),
            CacheLookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(&id, at(1_899)),
            CacheLookup::Fresh(_)
        ));
        assert_eq!(cache.lookup(&id, at(1_900)), CacheLookup::Miss);
        // The expired entry was dropped on lookup.
        assert!(cache.is_empty());
        // A response inserted after its cache lifetime is not kept.
        cache.insert(&id, response(1_000, Some(2_000)), at(1_950));
        assert!(cache.is_empty());
    }

    #[test]
    fn the_key_is_the_whole_cert_id() {
        let cache = ResponseCache::default();
        let sha1 = req_cert(HashAlgorithm::Sha1);
        let sha256 = req_cert(HashAlgorithm::Sha256);
        cache.insert(&sha1, response(1_000, Some(100_000)), at(1_000));
        assert!(matches!(
            cache.lookup(&sha1, at(1_001)),
            CacheLookup::Fresh(_)
        ));
        assert_eq!(cache.lookup(&sha256, at(1_001)), CacheLookup::Miss);
        let other = [0x01];
        assert_eq!(
            cache.lookup(&with_serial(&sha1, &other), at(1_001)),
            CacheLookup::Miss
        );
        cache.remove(&sha1);
        assert_eq!(cache.lookup(&sha1, at(1_001)), CacheLookup::Miss);
    }

    #[test]
    fn without_next_update_kept_briefly() {
        let cache = ResponseCache::new(
            CacheOptions::new().with_no_next_update_ttl(Duration::from_secs(30)),
        );
        let id = req_cert(HashAlgorithm::Sha1);
        cache.insert(&id, response(900, None), at(1_000));
        assert!(matches!(
            cache.lookup(&id, at(1_029)),
            CacheLookup::Fresh(_)
        ));
        assert_eq!(cache.lookup(&id, at(1_030)), CacheLookup::Miss);
    }

    #[test]
    fn remembers_failures_for_five_minutes() {
        let cache = ResponseCache::default();
        let id = req_cert(HashAlgorithm::Sha1);
        cache.insert_failure(&id, FailureKind::Unreachable, at(1_000));
        assert_eq!(
            cache.lookup(&id, at(1_299)),
            CacheLookup::RecentFailure {
                kind: FailureKind::Unreachable,
                until: at(1_300)
            }
        );
        assert_eq!(cache.lookup(&id, at(1_300)), CacheLookup::Miss);
        // A response replaces a failure, and a failure a response.
        cache.insert_failure(&id, FailureKind::BadAnswer, at(2_000));
        cache.insert(&id, response(2_000, Some(9_000)), at(2_001));
        assert!(matches!(
            cache.lookup(&id, at(2_002)),
            CacheLookup::Fresh(_)
        ));
        let refused = FailureKind::InvalidResponse(Error::InvalidSignature);
        cache.insert_failure(&id, refused, at(2_003));
        assert!(matches!(
            cache.lookup(&id, at(2_004)),
            CacheLookup::RecentFailure { kind, .. } if kind == refused
        ));
        // A zero failure lifetime remembers nothing.
        let forgetful = ResponseCache::new(CacheOptions::new().with_failure_ttl(Duration::ZERO));
        forgetful.insert_failure(&id, FailureKind::Unreachable, at(1_000));
        assert_eq!(forgetful.lookup(&id, at(1_000)), CacheLookup::Miss);
    }

    #[test]
    fn bounded_evicting_the_soonest_to_expire() {
        let cache = ResponseCache::new(
            CacheOptions::new()
                .with_capacity(3)
                .with_next_update_margin(Duration::ZERO),
        );
        let base = req_cert(HashAlgorithm::Sha1);
        let serials = serials(5);
        let ids: Vec<ReqCert<'_>> = serials.iter().map(|s| with_serial(&base, s)).collect();
        cache.insert(&ids[0], response(0, Some(5_000)), at(100));
        cache.insert(&ids[1], response(0, Some(3_000)), at(100));
        cache.insert(&ids[2], response(0, Some(4_000)), at(100));
        assert_eq!(cache.len(), 3);
        // Full: the entry expiring soonest (ids[1], at 3,000) makes room.
        cache.insert(&ids[3], response(0, Some(6_000)), at(100));
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.lookup(&ids[1], at(200)), CacheLookup::Miss);
        for id in [&ids[0], &ids[2], &ids[3]] {
            assert!(matches!(cache.lookup(id, at(200)), CacheLookup::Fresh(_)));
        }
        // Replacing an existing key evicts nothing.
        cache.insert(&ids[0], response(0, Some(7_000)), at(100));
        assert_eq!(cache.len(), 3);
        // Expired entries go before any live one: at 4,500 ids[2] has expired.
        cache.insert_failure(&ids[4], FailureKind::Unreachable, at(4_500));
        assert_eq!(cache.len(), 3);
        assert!(matches!(
            cache.lookup(&ids[0], at(4_500)),
            CacheLookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(&ids[3], at(4_500)),
            CacheLookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(&ids[4], at(4_500)),
            CacheLookup::RecentFailure { .. }
        ));
        // Capacity 0 keeps nothing.
        let none = ResponseCache::new(CacheOptions::new().with_capacity(0));
        none.insert(&ids[0], response(0, Some(5_000)), at(100));
        assert!(none.is_empty());
    }

    #[test]
    fn shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ResponseCache>();
        assert_send_sync::<OwnedVerifiedResponse>();

        let cache = Arc::new(ResponseCache::new(CacheOptions::new().with_capacity(64)));
        let base = req_cert(HashAlgorithm::Sha1);
        let serials = Arc::new(serials(100));
        let threads: Vec<_> = (0..4u64)
            .map(|thread| {
                let cache = Arc::clone(&cache);
                let serials = Arc::clone(&serials);
                std::thread::spawn(move || {
                    let mut hits = 0u32;
                    for round in 0..500u64 {
                        let serial = &serials[usize::try_from((round * 7 + thread) % 100).unwrap()];
                        let id = with_serial(&base, serial);
                        let now = at(10_000 + round);
                        match cache.lookup(&id, now) {
                            CacheLookup::Fresh(r) => {
                                assert!(r.answer().next_update().unwrap() > now);
                                hits += 1;
                            }
                            CacheLookup::RecentFailure { until, .. } => assert!(until > now),
                            CacheLookup::Miss if round % 3 == 0 => {
                                cache.insert_failure(&id, FailureKind::Unreachable, now)
                            }
                            CacheLookup::Miss => {
                                cache.insert(&id, response(now.as_secs(), Some(20_000)), now);
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
