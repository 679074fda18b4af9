//! How [`crate::mtls::OcspClientCertVerifier`] obtains answers without making handshakes wait more
//! than they must: the cache in front, the failure memory of responders, single flight, the
//! fetch threads, and the tracking and background refresh of certificates seen recently.
//!
//! For one certificate, a handshake asks [`Answers`] in this order:
//!
//! 1. the cache: a cached answer that is still fresh ([`Verifier::check_freshness`]) is used,
//!    and so is a failure the cache remembers (for this `CertID`);
//! 2. the responder URLs: the issuer's configured one ([`IssuerResponder`]), else the
//!    fetcher's, else the certificate's `http://` authorityInfoAccess URLs (at most four), less
//!    those that failed within the cache's failure lifetime (for any certificate). None at all,
//!    or none left, is "no answer" at once;
//! 3. single flight: a fetch running for the same `CertID` is joined. Otherwise, under the lock
//!    of the running fetches, the cache is looked at again (a fetch that ended meanwhile filled
//!    it before leaving), and a fetch starts on a thread of its own, at most `max_in_flight` at
//!    a time;
//! 4. the handshake waits for the fetch until its deadline ([`Flight::wait_until`]), unless
//!    the fetch has already outlasted another handshake's budget; the fetch does not depend on
//!    anyone waiting, and fills the cache or the failure memory when it ends, within the
//!    fetcher's own timeouts.
//!
//! A fetch tries the URLs in turn, as [`Fetcher::fetch`] does: the first answer that verifies
//! wins; a responder that is unreachable, answers nonsense, `internalError` or `tryLater` is
//! remembered as down; when all fail, the error of a responder that answered is kept over
//! silence. A refresh that fails leaves a fresh cached answer in place.
//!
//! The prefetcher is one thread, woken every interval, that holds only a weak reference: it
//! ends when the verifier is dropped. Every map here is bounded: the running fetches by
//! `max_in_flight`, the responders down by [`MAX_DOWN_RESPONDERS`], the tracked certificates by
//! [`PrefetchOptions::max_tracked`].

use core::fmt;
use core::time::Duration;
use std::collections::HashMap;
use std::string::{String, ToString};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::pki_types::{CertificateDer, Der, TrustAnchor, UnixTime};
use ::rustls::time_provider::TimeProvider;

use crate::cache::{CacheLookup, FailureKind, ResponseCache};
use crate::calendar::Rfc3339;
use crate::cert::Certificate;
use crate::error::{Error, ResponseStatus};
use crate::fetcher::{FetchError, Fetcher, Unreachable};
use crate::issuer::Issuer;
use crate::owned::OwnedVerifiedResponse;
use crate::policy::{Situation, Staple};
use crate::request::{ReqCert, http_responder_urls, is_http_url};
use crate::rustls::BuildError;
use crate::verify::{Answer, Verifier};

/// At most this many responder URLs of one certificate are tried in one fetch.
const MAX_URLS_PER_FETCH: usize = 4;

/// At most this many failed responder URLs are remembered.
const MAX_DOWN_RESPONDERS: usize = 256;

/// The shortest time between two rounds of the prefetcher.
const MIN_PREFETCH_INTERVAL: Duration = Duration::from_millis(10);

/// A responder for the certificates of one issuer: a URL to ask instead of the one the
/// certificates name (private CAs often name none), and responders trusted locally for them
/// (RFC 6960 section 4.2.2.2: "a local configuration of OCSP signing authority for the
/// certificate in question").
///
/// ```
/// use ocsp_verify::mtls::IssuerResponder;
/// use rustls::pki_types::CertificateDer;
///
/// let ca = CertificateDer::from(&include_bytes!("../test-vectors/generated/pki/tls/tls-int.der")[..]);
/// let responder = IssuerResponder::new(ca).with_url("http://ocsp.internal.example:8080/");
/// # let _ = responder;
/// ```
#[derive(Clone, Debug)]
pub struct IssuerResponder {
    issuer: IssuerId,
    url: Option<String>,
    trusted_responders: Vec<CertificateDer<'static>>,
}

#[derive(Clone, Debug)]
enum IssuerId {
    Certificate(CertificateDer<'static>),
    Anchor(TrustAnchor<'static>),
}

impl IssuerResponder {
    /// For the certificates issued by the CA with this certificate (its name and key; an
    /// intermediate a client sends, or a root).
    pub fn new(issuer: CertificateDer<'static>) -> Self {
        Self {
            issuer: IssuerId::Certificate(issuer),
            url: None,
            trusted_responders: Vec::new(),
        }
    }

    /// For the certificates issued by the CA this trust anchor describes.
    pub fn from_trust_anchor(issuer: TrustAnchor<'static>) -> Self {
        Self {
            issuer: IssuerId::Anchor(issuer),
            url: None,
            trusted_responders: Vec::new(),
        }
    }

    /// The `http://` responder to ask, instead of the URLs the certificates name.
    pub fn with_url(self, url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..self
        }
    }

    /// Responders trusted to answer for this issuer's certificates, as their certificates
    /// ([`Verifier::with_trusted_responders`]); only their names and keys are used.
    pub fn with_trusted_responders(self, trusted_responders: Vec<CertificateDer<'static>>) -> Self {
        Self {
            trusted_responders,
            ..self
        }
    }
}

/// What is tracked and refreshed in the background: a small `Copy` builder.
///
/// Every certificate checked in a handshake is tracked (up to `max_tracked`, the least recently
/// seen dropped first). Every `interval` the prefetcher fetches again, in the background, for
/// each certificate seen within `window` whose cached answer is missing or will stop being
/// served within `refresh_ahead` (at most half its validity, so that an answer valid for an
/// hour is refreshed after half an hour). A failed refresh leaves the cached answer in place
/// and is retried after the cache's failure lifetime.
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
    refresh_ahead: Duration,
    max_tracked: usize,
}

impl PrefetchOptions {
    /// How often the prefetcher looks for answers to refresh by default: every 30 seconds.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

    /// How long after its last handshake a certificate stays tracked by default: a day.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);

    /// How long before a cached answer stops being served it is refreshed by default: an hour
    /// (at most half the answer's validity).
    pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(3600);

    /// How many certificates are tracked at most by default: 1,000.
    pub const DEFAULT_MAX_TRACKED: usize = 1_000;

    /// The defaults.
    pub const fn new() -> Self {
        Self {
            interval: Self::DEFAULT_INTERVAL,
            window: Self::DEFAULT_WINDOW,
            refresh_ahead: Self::DEFAULT_REFRESH_AHEAD,
            max_tracked: Self::DEFAULT_MAX_TRACKED,
        }
    }

    /// No tracking and no prefetcher thread; [`OcspClientCertVerifier::prefetch`](crate::mtls::OcspClientCertVerifier::prefetch) still fetches
    /// (without tracking).
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

    /// How long before a cached answer stops being served it is refreshed (at most half its
    /// validity).
    pub const fn with_refresh_ahead(self, refresh_ahead: Duration) -> Self {
        Self {
            refresh_ahead,
            ..self
        }
    }

    /// How many certificates are tracked at most; 0 disables tracking and the prefetcher.
    pub const fn with_max_tracked(self, max_tracked: usize) -> Self {
        Self {
            max_tracked,
            ..self
        }
    }

    /// The interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The refresh lead.
    pub fn refresh_ahead(&self) -> Duration {
        self.refresh_ahead
    }

    /// The most certificates tracked.
    pub fn max_tracked(&self) -> usize {
        self.max_tracked
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.max_tracked > 0 && !self.window.is_zero()
    }
}

impl Default for PrefetchOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the answer about a certificate came from, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerSource {
    /// The cache: fetched earlier, by a handshake, the prefetcher or
    /// [`OcspClientCertVerifier::prefetch`](crate::mtls::OcspClientCertVerifier::prefetch).
    Cache,
    /// Fetched during this handshake, within the budget.
    Fetch,
    /// Fetched during this handshake by a fetch a concurrent handshake had started.
    SharedFetch,
    /// No answer: the budget ran out first. The fetch goes on in the background.
    BudgetExhausted,
    /// No answer, or the answer remembered: fetching failed recently (for this certificate,
    /// or its responder for any certificate); not asked again before `until`.
    RecentFailure {
        /// What went wrong then.
        kind: FailureKind,
        /// When the failure will be forgotten.
        until: UnixTime,
    },
    /// The fetch failed, within the budget; [`CertificateCheck::fetch_error`](crate::mtls::CertificateCheck::fetch_error) says how.
    FetchFailed(FailureKind),
    /// No answer: no `http://` responder URL, neither in the certificate nor configured.
    NoResponder,
    /// No answer: too many fetches were running to start another.
    Overloaded,
    /// Nothing was asked: the certificate or its issuer could not be used.
    NotAsked,
}

impl AnswerSource {
    /// A stable snake_case name, for logs and metrics: `cache`, `fetch`, `shared_fetch`,
    /// `budget_exhausted`, `recent_failure`, `fetch_failed`, `no_responder`, `overloaded`,
    /// `not_asked`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Fetch => "fetch",
            Self::SharedFetch => "shared_fetch",
            Self::BudgetExhausted => "budget_exhausted",
            Self::RecentFailure { .. } => "recent_failure",
            Self::FetchFailed(_) => "fetch_failed",
            Self::NoResponder => "no_responder",
            Self::Overloaded => "overloaded",
            Self::NotAsked => "not_asked",
        }
    }
}

impl fmt::Display for AnswerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cache => f.write_str("from the cache"),
            Self::Fetch => f.write_str("fetched"),
            Self::SharedFetch => f.write_str("fetched by a concurrent handshake"),
            Self::BudgetExhausted => {
                f.write_str("the handshake budget ran out; the fetch goes on in the background")
            }
            Self::RecentFailure { kind, until } => {
                write!(f, "not asked: {kind}, remembered until {}", Rfc3339(*until))
            }
            Self::FetchFailed(kind) => write!(f, "the fetch failed: {kind}"),
            Self::NoResponder => f.write_str("no responder URL"),
            Self::Overloaded => f.write_str("not asked: too many fetches running"),
            Self::NotAsked => f.write_str("not asked"),
        }
    }
}

/// Counters of what an [`OcspClientCertVerifier`](crate::mtls::OcspClientCertVerifier) did since it was built, and its state now:
/// [`OcspClientCertVerifier::snapshot`](crate::mtls::OcspClientCertVerifier::snapshot).
///
/// Handshakes count once; the checks (one per certificate of the path) count by situation and
/// by where the answer came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientCertSnapshot {
    /// Handshakes whose chain the inner verifier accepted.
    pub handshakes: u64,
    /// Of those, accepted.
    pub accepted: u64,
    /// Of those, rejected.
    pub rejected: u64,
    /// Checks with a good answer.
    pub good: u64,
    /// Checks with a revoked answer.
    pub revoked: u64,
    /// Checks with an unknown answer.
    pub unknown: u64,
    /// Checks with no answer.
    pub no_answer: u64,
    /// Checks with an unusable answer (stale, not yet valid, tryLater).
    pub unusable: u64,
    /// Checks with an invalid answer (or a certificate that could not be checked).
    pub invalid: u64,
    /// Checks answered from the cache.
    pub cache_hits: u64,
    /// Checks answered by a fetch they started.
    pub fetched: u64,
    /// Checks answered by a fetch a concurrent handshake started.
    pub shared_fetches: u64,
    /// Checks whose budget ran out.
    pub budget_exhausted: u64,
    /// Checks answered by the failure memory.
    pub recent_failures: u64,
    /// Checks whose fetch failed within the budget.
    pub fetch_failures: u64,
    /// Checks of certificates with no responder URL.
    pub no_responder: u64,
    /// Checks not fetched because too many fetches were running.
    pub overloaded: u64,
    /// Fetches started (by handshakes, the prefetcher and `prefetch`), each asking one or more
    /// responder URLs in turn.
    pub fetches: u64,
    /// Of those, started by the prefetcher or `prefetch`.
    pub prefetches: u64,
    /// HTTP requests sent to responders.
    pub requests: u64,
    /// Fetches running now.
    pub in_flight: usize,
    /// Entries in the cache now (answers and failures).
    pub cached: usize,
    /// Certificates tracked for prefetch now.
    pub tracked: usize,
}

/// The state shared by the verifier, its fetch threads and its prefetcher.
pub(crate) struct Answers {
    pub(crate) fetcher: Fetcher<'static>,
    pub(crate) cache: Arc<ResponseCache>,
    pub(crate) issuers: Vec<IssuerConfig>,
    max_in_flight: usize,
    /// The fetches running, by cache key: single flight.
    flights: Mutex<HashMap<Vec<u8>, Arc<Flight>>>,
    /// Notified whenever a fetch leaves `flights`.
    idle: Condvar,
    /// Responder URLs that failed, until when (Unix seconds).
    down: Mutex<HashMap<String, u64>>,
    /// Certificates seen, by cache key, for the prefetcher.
    tracked: Mutex<HashMap<Vec<u8>, Tracked>>,
    pub(crate) prefetch: PrefetchOptions,
    pub(crate) clock: Arc<dyn TimeProvider>,
    pub(crate) counters: Counters,
}

impl Answers {
    pub(crate) fn new(
        fetcher: Fetcher<'static>,
        cache: Arc<ResponseCache>,
        issuers: Vec<IssuerConfig>,
        max_in_flight: usize,
        prefetch: PrefetchOptions,
        clock: Arc<dyn TimeProvider>,
    ) -> Self {
        Self {
            fetcher,
            cache,
            issuers,
            max_in_flight,
            flights: Mutex::new(HashMap::new()),
            idle: Condvar::new(),
            down: Mutex::new(HashMap::new()),
            tracked: Mutex::new(HashMap::new()),
            prefetch,
            clock,
            counters: Counters::default(),
        }
    }

    /// Starts the prefetcher thread, which stops when `stop` says so or the answers are gone.
    pub(crate) fn spawn_prefetcher(self: &Arc<Self>, stop: &Arc<Stop>) -> std::io::Result<()> {
        let (weak, signal) = (Arc::downgrade(self), Arc::clone(stop));
        let interval = self.prefetch.interval().max(MIN_PREFETCH_INTERVAL);
        std::thread::Builder::new()
            .name("ocsp-prefetch".to_string())
            .spawn(move || prefetcher(&weak, &signal, interval))
            .map(drop)
    }

    /// Waits until no fetch is running, for at most `timeout`; returns whether none is.
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut flights = lock(&self.flights);
        loop {
            if flights.is_empty() {
                return true;
            }
            let remaining = remaining(deadline);
            if remaining.is_zero() {
                return false;
            }
            flights = match self.idle.wait_timeout(flights, remaining) {
                Ok((flights, _)) => flights,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    pub(crate) fn verifier(&self) -> Verifier<'static> {
        self.fetcher.verifier()
    }

    /// What a cache lookup gives, if it gives an answer or a remembered failure.
    pub(crate) fn cached(&self, lookup: CacheLookup, now: UnixTime) -> Option<Obtained> {
        match lookup {
            CacheLookup::Fresh(response) => {
                let answer = response.answer();
                // The cache serves until shortly before nextUpdate; the verifier's own limits
                // (the largest age) can end an answer sooner. Then it is fetched again.
                self.verifier().check_freshness(&answer, now).ok()?;
                Some(Obtained {
                    staple: Staple::Verified(answer),
                    answer: Some(answer),
                    source: AnswerSource::Cache,
                    fetch_error: None,
                })
            }
            CacheLookup::RecentFailure { kind, until } => Some(Obtained {
                staple: staple_of_failure(kind),
                answer: None,
                source: AnswerSource::RecentFailure { kind, until },
                fetch_error: None,
            }),
            CacheLookup::Miss => None,
        }
    }

    pub(crate) fn issuer_config(&self, issuer: &Issuer<'_>) -> Option<&IssuerConfig> {
        self.issuers.iter().find(|config| {
            config.name == issuer.name() && config.spki == issuer.subject_public_key_info_contents()
        })
    }

    /// Where to ask: the issuer's configured URL, else the fetcher's, else the certificate's.
    pub(crate) fn responder_urls<'u>(
        &'u self,
        cert: &Certificate<'u>,
        config: Option<&'u IssuerConfig>,
    ) -> Vec<&'u str> {
        if let Some(url) = config.and_then(|config| config.url.as_deref()) {
            return std::vec![url];
        }
        if let Some(url) = self.fetcher.responder_url() {
            return std::vec![url];
        }
        http_responder_urls(cert).take(MAX_URLS_PER_FETCH).collect()
    }

    /// The URLs not known to be down, and when the first of those down comes back.
    pub(crate) fn live_urls<'u>(
        &self,
        urls: Vec<&'u str>,
        now: UnixTime,
    ) -> (Vec<&'u str>, UnixTime) {
        let down = lock(&self.down);
        let mut back = u64::MAX;
        let live = urls
            .into_iter()
            .filter(|url| match down.get(*url) {
                Some(&until) if until > now.as_secs() => {
                    back = back.min(until);
                    false
                }
                _ => true,
            })
            .collect();
        (live, seconds(back))
    }

    /// Remembers that `url` failed at `now`, for the cache's failure lifetime.
    fn mark_down(&self, url: &str, now: UnixTime) {
        let ttl = self.cache.options().failure_ttl().as_secs();
        if ttl == 0 {
            return;
        }
        let now = now.as_secs();
        let mut down = lock(&self.down);
        if !down.contains_key(url) && down.len() >= MAX_DOWN_RESPONDERS {
            down.retain(|_, until| *until > now);
            if down.len() >= MAX_DOWN_RESPONDERS {
                let soonest = down
                    .iter()
                    .min_by_key(|(_, until)| **until)
                    .map(|(url, _)| url.clone());
                if let Some(soonest) = soonest {
                    down.remove(&soonest);
                }
            }
        }
        down.insert(url.to_string(), now.saturating_add(ttl));
    }

    fn forget_down(&self, url: &str) {
        lock(&self.down).remove(url);
    }

    /// Starts a fetch for `key`, or joins the one running. Under the lock of the running
    /// fetches, the cache is looked at again (unless `refresh`): a fetch that ended since the
    /// caller looked filled the cache before it left, so no second fetch starts for it.
    pub(crate) fn start(
        self: &Arc<Self>,
        key: &[u8],
        req_cert: &ReqCert<'_>,
        now: UnixTime,
        refresh: bool,
        job: impl FnOnce() -> Job,
    ) -> Start {
        let mut flights = lock(&self.flights);
        if let Some(flight) = flights.get(key) {
            return Start::Joined(Arc::clone(flight));
        }
        if !refresh && let Some(obtained) = self.cached(self.cache.lookup(req_cert, now), now) {
            return Start::Ready(obtained);
        }
        if flights.len() >= self.max_in_flight {
            return Start::Overloaded;
        }
        let job = job();
        let flight = Arc::new(Flight::default());
        flights.insert(job.key.clone(), Arc::clone(&flight));
        drop(flights);

        let (answers, running) = (Arc::clone(self), Arc::clone(&flight));
        let key = job.key.clone();
        let spawned = std::thread::Builder::new()
            .name("ocsp-fetch".to_string())
            .spawn(move || answers.run(&job, &running));
        match spawned {
            Ok(_) => {
                Counters::bump(&self.counters.fetches);
                Start::Started(flight)
            }
            Err(error) => {
                // Whoever joined meanwhile learns it too.
                flight.finish(FlightResult::Failed(Arc::new(FetchError::Unreachable {
                    url: String::new(),
                    reason: Unreachable::Transport(std::format!("no thread to fetch: {error}")),
                })));
                lock(&self.flights).remove(&key);
                self.idle.notify_all();
                Start::Overloaded
            }
        }
    }

    /// A fetch thread: fetches, publishes the result, leaves the running fetches.
    fn run(&self, job: &Job, flight: &Flight) {
        let result = self.fetch(job);
        flight.finish(result);
        lock(&self.flights).remove(&job.key);
        self.idle.notify_all();
    }

    /// Asks the job's URLs in turn; keeps the answer, or remembers the failure.
    fn fetch(&self, job: &Job) -> FlightResult {
        let failed = |error| FlightResult::Failed(Arc::new(error));
        let cert = match Certificate::from_der(&job.cert) {
            Ok(cert) => cert,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let anchor = TrustAnchor {
            subject: Der::from_slice(&job.issuer_name),
            subject_public_key_info: Der::from_slice(&job.issuer_spki),
            name_constraints: None,
        };
        let issuer = match Issuer::from_trust_anchor(&anchor) {
            Ok(issuer) => issuer,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let trusted = match job
            .trusted
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(trusted) => trusted,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let fetcher: Fetcher<'_> = self.fetcher;
        let fetcher = fetcher.with_verifier(fetcher.verifier().with_trusted_responders(&trusted));
        let req_cert = match ReqCert::new(&cert, &issuer, fetcher.hash_algorithm()) {
            Ok(req_cert) => req_cert,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };

        // As `Fetcher::fetch` does across URLs: the first answer wins; failing that, the word
        // of a responder that answered is more telling than silence.
        let (mut answered, mut silent) = (None, None);
        for url in &job.urls {
            let (live, until) = self.live_urls(std::vec![url.as_str()], job.now);
            if live.is_empty() {
                let kind = FailureKind::Unreachable;
                silent.get_or_insert(FetchError::RecentFailure { kind, until });
                continue;
            }
            Counters::bump(&self.counters.requests);
            match fetcher
                .with_responder_url(Some(url))
                .fetch(&cert, &issuer, None, job.now)
            {
                Ok(response) => {
                    self.forget_down(url);
                    return FlightResult::Answer(self.cache.insert(&req_cert, response, job.now));
                }
                Err(error) => {
                    if responder_failed(&error) {
                        self.mark_down(url, job.now);
                    }
                    let slot = if error.is_unreachable() {
                        &mut silent
                    } else {
                        &mut answered
                    };
                    slot.get_or_insert(error);
                }
            }
        }
        let error = answered.or(silent).unwrap_or(FetchError::NoResponderUrl);
        // A refresh that failed leaves a fresh answer in place; otherwise the failure is
        // remembered, so that the next handshakes do not ask again at once.
        if let Some(kind) = error.failure_kind()
            && !matches!(self.cache.lookup(&req_cert, job.now), CacheLookup::Fresh(_))
        {
            self.cache.insert_failure(&req_cert, kind, job.now);
        }
        if job.prefetch {
            self.retry_later(&job.key, job.now);
        }
        failed(error)
    }

    /// Tracks a certificate checked at `now`, for the prefetcher.
    pub(crate) fn track(
        &self,
        key: &[u8],
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
    ) {
        let capacity = self.prefetch.max_tracked;
        if !self.prefetch.is_enabled() {
            return;
        }
        let now = now.as_secs();
        let mut tracked = lock(&self.tracked);
        if let Some(entry) = tracked.get_mut(key) {
            entry.last_seen = entry.last_seen.max(now);
            return;
        }
        if tracked.len() >= capacity {
            let oldest = tracked
                .iter()
                .min_by_key(|(_, entry)| entry.last_seen)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                tracked.remove(&oldest);
            }
        }
        tracked.insert(
            key.to_vec(),
            Tracked {
                cert: Arc::from(cert.der()),
                issuer_name: Arc::from(issuer.name()),
                issuer_spki: Arc::from(issuer.subject_public_key_info_contents()),
                last_seen: now,
                retry_after: 0,
            },
        );
    }

    fn retry_later(&self, key: &[u8], now: UnixTime) {
        let ttl = self.cache.options().failure_ttl().as_secs();
        if let Some(entry) = lock(&self.tracked).get_mut(key) {
            entry.retry_after = now.as_secs().saturating_add(ttl);
        }
    }

    /// Whether the cached answer is missing or will stop being served within the refresh lead.
    pub(crate) fn needs_refresh(&self, req_cert: &ReqCert<'_>, now: UnixTime) -> bool {
        match self.cache.lookup(req_cert, now) {
            CacheLookup::Miss => true,
            CacheLookup::RecentFailure { .. } => false,
            CacheLookup::Fresh(response) => {
                let answer = response.answer();
                if self.verifier().check_freshness(&answer, now).is_err() {
                    return true;
                }
                // Without nextUpdate the cache keeps an answer briefly; it is fetched again on
                // a miss.
                let Some(next_update) = answer.next_update() else {
                    return false;
                };
                let margin = self.cache.options().next_update_margin().as_secs();
                let served_until = next_update.as_secs().saturating_sub(margin);
                let validity = next_update
                    .as_secs()
                    .saturating_sub(answer.this_update().as_secs());
                let lead = self.prefetch.refresh_ahead.as_secs().min(validity / 2);
                now.as_secs().saturating_add(lead) >= served_until
            }
        }
    }

    /// Starts a background fetch for a tracked or prefetched certificate; returns whether one
    /// started.
    pub(crate) fn start_prefetch(
        self: &Arc<Self>,
        key: &[u8],
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        req_cert: &ReqCert<'_>,
        now: UnixTime,
    ) -> bool {
        let config = self.issuer_config(issuer);
        let urls = self.responder_urls(cert, config);
        let (live, _) = self.live_urls(urls, now);
        if live.is_empty() {
            return false;
        }
        let job = || Job::new(key.to_vec(), cert, issuer, &live, config, now, true);
        match self.start(key, req_cert, now, true, job) {
            Start::Started(_) => {
                Counters::bump(&self.counters.prefetches);
                true
            }
            _ => false,
        }
    }

    /// One round of the prefetcher.
    fn refresh_due(self: &Arc<Self>) {
        let Some(now) = self.clock.current_time() else {
            return;
        };
        let window = self.prefetch.window.as_secs();
        let due: Vec<(Vec<u8>, Tracked)> = {
            let mut tracked = lock(&self.tracked);
            tracked.retain(|_, entry| now.as_secs().saturating_sub(entry.last_seen) <= window);
            tracked
                .iter()
                .filter(|(_, entry)| entry.retry_after <= now.as_secs())
                .map(|(key, entry)| (key.clone(), entry.clone()))
                .collect()
        };
        for (key, entry) in due {
            let Ok(cert) = Certificate::from_der(&entry.cert) else {
                continue;
            };
            let anchor = TrustAnchor {
                subject: Der::from_slice(&entry.issuer_name),
                subject_public_key_info: Der::from_slice(&entry.issuer_spki),
                name_constraints: None,
            };
            let Ok(issuer) = Issuer::from_trust_anchor(&anchor) else {
                continue;
            };
            let Ok(req_cert) = ReqCert::new(&cert, &issuer, self.fetcher.hash_algorithm()) else {
                continue;
            };
            if self.needs_refresh(&req_cert, now) {
                self.start_prefetch(&key, &cert, &issuer, &req_cert, now);
            }
        }
    }

    pub(crate) fn snapshot(&self) -> ClientCertSnapshot {
        // One lock at a time.
        let in_flight = lock(&self.flights).len();
        let cached = self.cache.len();
        let tracked = lock(&self.tracked).len();
        let c = &self.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ClientCertSnapshot {
            handshakes: read(&c.handshakes),
            accepted: read(&c.accepted),
            rejected: read(&c.rejected),
            good: read(&c.good),
            revoked: read(&c.revoked),
            unknown: read(&c.unknown),
            no_answer: read(&c.no_answer),
            unusable: read(&c.unusable),
            invalid: read(&c.invalid),
            cache_hits: read(&c.cache_hits),
            fetched: read(&c.fetched),
            shared_fetches: read(&c.shared_fetches),
            budget_exhausted: read(&c.budget_exhausted),
            recent_failures: read(&c.recent_failures),
            fetch_failures: read(&c.fetch_failures),
            no_responder: read(&c.no_responder),
            overloaded: read(&c.overloaded),
            fetches: read(&c.fetches),
            prefetches: read(&c.prefetches),
            requests: read(&c.requests),
            in_flight,
            cached,
            tracked,
        }
    }
}

/// The prefetcher thread: a round every `interval`, until the verifier is dropped.
fn prefetcher(answers: &Weak<Answers>, stop: &Stop, interval: Duration) {
    while !stop.sleep(interval) {
        let Some(answers) = answers.upgrade() else {
            return;
        };
        answers.refresh_due();
    }
}

/// A per-issuer configuration, checked.
pub(crate) struct IssuerConfig {
    /// The issuer's subject Name contents.
    name: Vec<u8>,
    /// The issuer's SubjectPublicKeyInfo contents.
    spki: Vec<u8>,
    url: Option<String>,
    trusted: Arc<[CertificateDer<'static>]>,
}

impl IssuerConfig {
    pub(crate) fn new(responder: IssuerResponder) -> Result<Self, BuildError> {
        let (name, spki) = match &responder.issuer {
            IssuerId::Certificate(der) => {
                let cert = Certificate::from_der(der).map_err(BuildError::IssuerCertificate)?;
                let issuer = Issuer::from(&cert);
                (
                    issuer.name().to_vec(),
                    issuer.subject_public_key_info_contents().to_vec(),
                )
            }
            IssuerId::Anchor(anchor) => {
                let issuer =
                    Issuer::from_trust_anchor(anchor).map_err(BuildError::IssuerCertificate)?;
                (
                    issuer.name().to_vec(),
                    issuer.subject_public_key_info_contents().to_vec(),
                )
            }
        };
        if let Some(url) = &responder.url
            && !is_http_url(url)
        {
            return Err(BuildError::InvalidResponderUrl(url.clone()));
        }
        for der in &responder.trusted_responders {
            Certificate::from_der(der).map_err(BuildError::TrustedResponder)?;
        }
        Ok(Self {
            name,
            spki,
            url: responder.url,
            trusted: Arc::from(responder.trusted_responders),
        })
    }
}

/// What a fetch thread needs, owned.
pub(crate) struct Job {
    key: Vec<u8>,
    cert: Vec<u8>,
    issuer_name: Vec<u8>,
    issuer_spki: Vec<u8>,
    urls: Vec<String>,
    trusted: Arc<[CertificateDer<'static>]>,
    now: UnixTime,
    /// Started by the prefetcher or `prefetch`: a failure delays the next attempt.
    prefetch: bool,
}

impl Job {
    pub(crate) fn new(
        key: Vec<u8>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        urls: &[&str],
        config: Option<&IssuerConfig>,
        now: UnixTime,
        prefetch: bool,
    ) -> Self {
        Self {
            key,
            cert: cert.der().to_vec(),
            issuer_name: issuer.name().to_vec(),
            issuer_spki: issuer.subject_public_key_info_contents().to_vec(),
            urls: urls.iter().map(|url| (*url).to_string()).collect(),
            trusted: config.map_or_else(|| Arc::from(Vec::new()), |c| Arc::clone(&c.trusted)),
            now,
            prefetch,
        }
    }
}

/// A fetch running for one `CertID`, which handshakes wait on.
///
/// Once one handshake has waited for it in vain (its budget ran out first), the fetch is
/// *overdue*: later handshakes do not wait for it at all, and decide at once as their budget
/// had run out, until it ends. A silent responder then costs one budget, not one per
/// handshake for as long as the fetcher's own timeout lets the fetch run.
#[derive(Default)]
pub(crate) struct Flight {
    result: Mutex<Option<FlightResult>>,
    done: Condvar,
    overdue: AtomicBool,
}

#[derive(Clone)]
pub(crate) enum FlightResult {
    Answer(Arc<OwnedVerifiedResponse>),
    Failed(Arc<FetchError>),
}

impl Flight {
    fn finish(&self, result: FlightResult) {
        *lock(&self.result) = Some(result);
        self.done.notify_all();
    }

    /// The result, once there is one; `None` if `deadline` comes first (`None` waits for it),
    /// or at once if the fetch is overdue.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> Option<FlightResult> {
        let mut result = lock(&self.result);
        loop {
            if let Some(result) = result.as_ref() {
                return Some(result.clone());
            }
            if self.overdue.load(Ordering::Relaxed) {
                return None;
            }
            result = match deadline {
                None => self
                    .done
                    .wait(result)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if remaining.is_zero() {
                        self.overdue.store(true, Ordering::Relaxed);
                        return None;
                    }
                    match self.done.wait_timeout(result, remaining) {
                        Ok((result, _)) => result,
                        Err(poisoned) => poisoned.into_inner().0,
                    }
                }
            };
        }
    }
}

pub(crate) enum Start {
    /// The cache had it after all.
    Ready(Obtained),
    Started(Arc<Flight>),
    Joined(Arc<Flight>),
    Overloaded,
}

/// What was obtained about a certificate: the policy's input and its provenance.
pub(crate) struct Obtained {
    pub(crate) staple: Staple,
    pub(crate) answer: Option<Answer>,
    pub(crate) source: AnswerSource,
    pub(crate) fetch_error: Option<Arc<FetchError>>,
}

impl Obtained {
    pub(crate) fn no_answer(source: AnswerSource) -> Self {
        Self {
            staple: Staple::Absent,
            answer: None,
            source,
            fetch_error: None,
        }
    }

    pub(crate) fn not_asked(staple: Staple) -> Self {
        Self {
            staple,
            answer: None,
            source: AnswerSource::NotAsked,
            fetch_error: None,
        }
    }
}

/// A tracked certificate, with its issuer's name and key.
#[derive(Clone)]
struct Tracked {
    cert: Arc<[u8]>,
    issuer_name: Arc<[u8]>,
    issuer_spki: Arc<[u8]>,
    /// Unix seconds of the last handshake.
    last_seen: u64,
    /// Unix seconds before which a failed refresh is not tried again.
    retry_after: u64,
}

/// Stops the prefetcher.
#[derive(Default)]
pub(crate) struct Stop {
    stopped: Mutex<bool>,
    signal: Condvar,
}

impl Stop {
    pub(crate) fn stop(&self) {
        *lock(&self.stopped) = true;
        self.signal.notify_all();
    }

    /// Sleeps for `period`, or until stopped; returns whether stopped.
    fn sleep(&self, period: Duration) -> bool {
        let deadline = Instant::now().checked_add(period);
        let mut stopped = lock(&self.stopped);
        loop {
            if *stopped {
                return true;
            }
            let remaining = remaining(deadline);
            if remaining.is_zero() {
                return false;
            }
            stopped = match self.signal.wait_timeout(stopped, remaining) {
                Ok((stopped, _)) => stopped,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    handshakes: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    good: AtomicU64,
    revoked: AtomicU64,
    unknown: AtomicU64,
    no_answer: AtomicU64,
    unusable: AtomicU64,
    invalid: AtomicU64,
    cache_hits: AtomicU64,
    fetched: AtomicU64,
    shared_fetches: AtomicU64,
    budget_exhausted: AtomicU64,
    recent_failures: AtomicU64,
    fetch_failures: AtomicU64,
    no_responder: AtomicU64,
    overloaded: AtomicU64,
    fetches: AtomicU64,
    prefetches: AtomicU64,
    requests: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// One handshake the inner verifier accepted, and what was decided.
    pub(crate) fn record_handshake(&self, accepted: bool) {
        Self::bump(&self.handshakes);
        Self::bump(if accepted {
            &self.accepted
        } else {
            &self.rejected
        });
    }

    /// One certificate's check: its situation, and where its answer came from.
    pub(crate) fn record_check(&self, situation: Situation, source: AnswerSource) {
        Self::bump(match situation {
            Situation::Good => &self.good,
            Situation::Revoked { .. } => &self.revoked,
            Situation::Unknown => &self.unknown,
            Situation::NoStaple => &self.no_answer,
            Situation::StapleUnusable(_) => &self.unusable,
            Situation::StapleInvalid(_) => &self.invalid,
        });
        let by_source = match source {
            AnswerSource::Cache => Some(&self.cache_hits),
            AnswerSource::Fetch => Some(&self.fetched),
            AnswerSource::SharedFetch => Some(&self.shared_fetches),
            AnswerSource::BudgetExhausted => Some(&self.budget_exhausted),
            AnswerSource::RecentFailure { .. } => Some(&self.recent_failures),
            AnswerSource::FetchFailed(_) => Some(&self.fetch_failures),
            AnswerSource::NoResponder => Some(&self.no_responder),
            AnswerSource::Overloaded => Some(&self.overloaded),
            AnswerSource::NotAsked => None,
        };
        if let Some(counter) = by_source {
            Self::bump(counter);
        }
    }
}

/// The policy's input for a fetch that failed (see the table on [`OcspClientCertVerifier`](crate::mtls::OcspClientCertVerifier)).
pub(crate) fn staple_of_fetch_error(error: &FetchError) -> Staple {
    match error {
        FetchError::InvalidResponse { error, .. } => staple_of_refusal(*error),
        // The caller's own setup (a hash algorithm this build lacks, ...): fail closed.
        FetchError::InvalidRequest(error) => Staple::Invalid(*error),
        FetchError::RecentFailure { kind, .. } => staple_of_failure(*kind),
        // Unreachable, nonsense, no URL: no answer.
        _ => Staple::Absent,
    }
}

/// The policy's input for a failure the cache remembers.
fn staple_of_failure(kind: FailureKind) -> Staple {
    match kind {
        FailureKind::InvalidResponse(error) => staple_of_refusal(error),
        FailureKind::Unreachable | FailureKind::BadAnswer => Staple::Absent,
    }
}

/// The policy's input for a response the verifier refused. RFC 6960 section 2.3:
/// internalError means "Internal error in issuer", the OCSP form of the HTTP 5xx the fetcher
/// already counts as unreachable: no answer. tryLater stays an unusable answer (which the
/// presets treat as no answer too); every other refusal is an invalid answer.
fn staple_of_refusal(error: Error) -> Staple {
    match error {
        Error::UnsuccessfulResponse(ResponseStatus::InternalError) => Staple::Absent,
        error => Staple::Invalid(error),
    }
}

/// Whether a fetch error says the responder itself is failing (for every certificate), as
/// opposed to a refusal of its answer about one certificate.
fn responder_failed(error: &FetchError) -> bool {
    match error.failure_kind() {
        Some(FailureKind::Unreachable | FailureKind::BadAnswer) => true,
        Some(FailureKind::InvalidResponse(Error::UnsuccessfulResponse(status))) => {
            matches!(
                status,
                ResponseStatus::InternalError | ResponseStatus::TryLater
            )
        }
        _ => false,
    }
}

pub(crate) fn remaining(deadline: Option<Instant>) -> Duration {
    match deadline {
        Some(deadline) => deadline.saturating_duration_since(Instant::now()),
        None => Duration::MAX,
    }
}

pub(crate) fn seconds(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// Every lock here guards a map or a slot updated by single operations: a thread that panicked
/// while holding one cannot have left it half-updated, so a poisoned lock is used as it is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, Verdict};

    fn at(secs: u64) -> UnixTime {
        seconds(secs)
    }

    fn unreachable() -> FetchError {
        FetchError::Unreachable {
            url: "http://127.0.0.1:1/".into(),
            reason: Unreachable::Timeout,
        }
    }

    fn refused(error: Error) -> FetchError {
        FetchError::InvalidResponse {
            url: "http://127.0.0.1:1/".into(),
            error,
        }
    }

    /// The client-certificate table (on `OcspClientCertVerifier` and in docs/mtls.md), for
    /// every way a fetch fails: the situation, and each preset's verdict.
    #[test]
    fn every_failed_fetch_has_its_row() {
        use Verdict::{Accept, Reject};
        let try_later = Error::UnsuccessfulResponse(ResponseStatus::TryLater);
        let internal = Error::UnsuccessfulResponse(ResponseStatus::InternalError);
        let unauthorized = Error::UnsuccessfulResponse(ResponseStatus::Unauthorized);
        let stale = Error::ResponseExpired {
            time: at(2),
            not_after: at(1),
        };
        let rows: [(FetchError, &str, Verdict, Verdict); 11] = [
            (unreachable(), "no_staple", Accept, Reject),
            (
                FetchError::BadAnswer {
                    url: String::new(),
                    reason: crate::fetcher::BadAnswer::Status(404),
                },
                "no_staple",
                Accept,
                Reject,
            ),
            (FetchError::NoResponderUrl, "no_staple", Accept, Reject),
            (refused(internal), "no_staple", Accept, Reject),
            (refused(try_later), "staple_unusable", Accept, Reject),
            (refused(stale), "staple_unusable", Accept, Reject),
            (
                refused(Error::InvalidSignature),
                "staple_invalid",
                Reject,
                Reject,
            ),
            (
                refused(Error::NoMatchingResponse),
                "staple_invalid",
                Reject,
                Reject,
            ),
            (refused(unauthorized), "staple_invalid", Reject, Reject),
            (
                FetchError::RecentFailure {
                    kind: FailureKind::InvalidResponse(Error::ResponderNotFound),
                    until: at(9),
                },
                "staple_invalid",
                Reject,
                Reject,
            ),
            (
                FetchError::InvalidRequest(Error::UnsupportedHashAlgorithm),
                "staple_invalid",
                Reject,
                Reject,
            ),
        ];
        for (error, situation, soft, hard) in rows {
            let staple = staple_of_fetch_error(&error);
            for (policy, verdict) in [(Policy::soft_fail(), soft), (Policy::hard_fail(), hard)] {
                let decision = policy.decide(&staple, crate::TlsFeatures::NoneRequired);
                assert_eq!(decision.situation().code(), situation, "{error}");
                assert_eq!(decision.verdict(), verdict, "{error}, {policy:?}");
            }
        }
        // What the cache remembers decides as the failure did.
        assert_eq!(staple_of_failure(FailureKind::Unreachable), Staple::Absent);
        assert_eq!(staple_of_failure(FailureKind::BadAnswer), Staple::Absent);
        assert_eq!(
            staple_of_failure(FailureKind::InvalidResponse(internal)),
            Staple::Absent
        );
        assert_eq!(
            staple_of_failure(FailureKind::InvalidResponse(Error::InvalidSignature)),
            Staple::Invalid(Error::InvalidSignature)
        );
    }

    #[test]
    fn a_responder_is_down_for_its_own_failures_only() {
        assert!(responder_failed(&unreachable()));
        assert!(responder_failed(&refused(Error::UnsuccessfulResponse(
            ResponseStatus::TryLater
        ))));
        assert!(responder_failed(&refused(Error::UnsuccessfulResponse(
            ResponseStatus::InternalError
        ))));
        // An answer about one certificate that does not verify says nothing about the others.
        assert!(!responder_failed(&refused(Error::InvalidSignature)));
        assert!(!responder_failed(&refused(Error::UnsuccessfulResponse(
            ResponseStatus::Unauthorized
        ))));
        assert!(!responder_failed(&FetchError::NoResponderUrl));
    }

    #[test]
    fn a_flight_is_waited_for_until_the_deadline_only() {
        let flight = Arc::new(Flight::default());
        let started = Instant::now();
        let deadline = started.checked_add(Duration::from_millis(50));
        assert!(flight.wait_until(deadline).is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        // Overdue now: the next waiter does not wait, whatever its deadline.
        let started = Instant::now();
        assert!(
            flight
                .wait_until(started.checked_add(Duration::from_secs(10)))
                .is_none()
        );
        assert!(started.elapsed() < Duration::from_secs(5));

        let flight = Arc::new(Flight::default());
        let finishing = Arc::clone(&flight);
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            finishing.finish(FlightResult::Failed(Arc::new(unreachable())));
        });
        let result = flight.wait_until(Instant::now().checked_add(Duration::from_secs(10)));
        assert!(matches!(result, Some(FlightResult::Failed(_))));
        thread.join().unwrap();
        // Once finished, every later wait returns at once, whatever the deadline.
        assert!(flight.wait_until(Some(Instant::now())).is_some());
    }

    #[test]
    fn stop_wakes_a_sleeping_prefetcher() {
        let stop = Arc::new(Stop::default());
        assert!(!stop.sleep(Duration::from_millis(10)));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            stopping.stop();
        });
        let started = Instant::now();
        assert!(stop.sleep(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(10));
        thread.join().unwrap();
    }

    #[test]
    fn prefetch_options() {
        let options = PrefetchOptions::new();
        assert_eq!(options, PrefetchOptions::default());
        assert!(options.is_enabled());
        assert_eq!(options.max_tracked(), 1_000);
        assert!(!PrefetchOptions::disabled().is_enabled());
        assert!(
            !PrefetchOptions::new()
                .with_window(Duration::ZERO)
                .is_enabled()
        );
    }
}
