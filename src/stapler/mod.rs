//! The stapling server (feature `stapler`): a rustls `ResolvesServerCert` that fetches,
//! verifies, refreshes, persists and serves OCSP staples.
//!
//! The documentation a user reads, with the lines a server author adds, is on [`Stapler`]
//! (this module is private; the types are re-exported in `ocsp_verify::stapling`).
//!
//! What an answer goes through before it is stapled, in this order:
//!
//! 1. The source (by default a [`Fetcher`] over plain HTTP, which verifies too) returns a DER
//!    `OCSPResponse` for the certificate and its issuer.
//! 2. The core [`Verifier`] checks all of it (every rule of the profile: CertID, responder
//!    authorisation, signature, critical extensions, times) at the stapler's `now`, with no
//!    nonce (stapled answers carry none; responders behind caches ignore them).
//! 3. `unknown` is refused: no client policy accepts it.
//! 4. An answer whose freshness (the verifier's [`Verifier::fresh_until`], and for a permanent
//!    revocation also its `nextUpdate` and the age cap) has already ended is refused.
//! 5. An answer older (by `thisUpdate`) than the one stapled is refused: a replay, or a
//!    responder behind a stale cache.
//!
//! A refused answer leaves the stapled one in place while it is fresh. The stapled answer is
//! dropped at the end of its freshness, checked on the handshake path itself, so no late
//! refresh can make the server staple a stale answer.
//!
//! Deliberately not done, and why:
//!
//! - No nonce is sent: a staple is shared by every client, so a nonce proves nothing to them,
//!   and responders behind caches (RFC 5019) ignore it.
//! - "Not yet valid" is the verifier's judgement, with its clock skew (5 minutes by default):
//!   the tolerance clients apply too. A stapler built with a verifier without skew is strict.
//! - Intermediates get no staple: rustls staples only the end-entity's status.
//! - An answer is not re-verified on every handshake: it was verified when it was taken, and
//!   only its times can change; they are checked on every handshake.

mod metrics;
mod report;
mod schedule;
mod state_dir;

use core::fmt;
use core::time::Duration;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::string::String;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{
    Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use std::thread::{self, JoinHandle};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::crypto::CryptoProvider;
use ::rustls::server::{ClientHello, ResolvesServerCert};
use ::rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::cert::Certificate;
use crate::fetcher::{FetchError, Fetcher};
use crate::issuer::Issuer;
use crate::owned::OwnedVerifiedResponse;
use crate::response::CertStatus;
use crate::verify::{Answer, Verifier};

pub use metrics::METRICS_CONTENT_TYPE;
pub use report::{NotReady, Origin, StapleError, StapleEvent, StapleEventKind, StapleSnapshot};
pub use schedule::RefreshSchedule;
pub use state_dir::StateFileProblem;

use schedule::Jitter;

/// What the application is told about every staple event: see
/// [`StaplerBuilder::with_observer`].
pub type StapleObserver = Arc<dyn Fn(&StapleEvent) + Send + Sync>;

/// Where the stapler's time comes from: the operating system's clock ([`SystemClock`]) unless
/// a test or a simulation gives another. Any `Fn() -> UnixTime` is one.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> UnixTime;
}

impl<F> Clock for F
where
    F: Fn() -> UnixTime + Send + Sync,
{
    fn now(&self) -> UnixTime {
        self()
    }
}

/// The operating system's clock (`UnixTime::now()`): the stapler's default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// Where answers come from: a responder over plain HTTP (a [`Fetcher`], the default) or
/// anything else that produces a DER `OCSPResponse` (a test double, a shared cache, a sidecar).
///
/// The stapler verifies whatever a source returns, so a source need not.
pub trait ResponseSource: Send + Sync {
    /// A DER `OCSPResponse` about `cert`, issued by `issuer`: from `responder_url` when one is
    /// configured for the certificate, else from the responders the certificate names. `now`
    /// is the stapler's clock.
    fn fetch_response(
        &self,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        responder_url: Option<&str>,
        now: UnixTime,
    ) -> Result<Vec<u8>, FetchError>;
}

impl ResponseSource for Fetcher<'static> {
    /// [`Fetcher::fetch`] without a nonce, from `responder_url` when given.
    fn fetch_response(
        &self,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        responder_url: Option<&str>,
        now: UnixTime,
    ) -> Result<Vec<u8>, FetchError> {
        let fetcher: Fetcher<'_> = *self;
        let fetcher = match responder_url {
            Some(url) => fetcher.with_responder_url(Some(url)),
            None => fetcher,
        };
        fetcher
            .fetch(cert, issuer, None, now)
            .map(OwnedVerifiedResponse::into_der)
    }
}

/// One certificate chain the stapler staples for, with its settings.
///
/// The chain and key are the `CertifiedKey` the server presents; the end-entity's issuer is
/// the next certificate of the chain unless [`StapledCertificate::with_issuer`] gives it (a
/// chain of one certificate issued directly by a root).
#[derive(Clone, Debug)]
pub struct StapledCertificate {
    certified_key: Arc<CertifiedKey>,
    issuer: Option<CertificateDer<'static>>,
    responder_url: Option<String>,
    label: Option<String>,
}

impl StapledCertificate {
    /// The chain and key the server presents. An OCSP response it carries already is not
    /// used: only answers the stapler verified are stapled.
    pub fn new(certified_key: Arc<CertifiedKey>) -> Self {
        Self {
            certified_key,
            issuer: None,
            responder_url: None,
            label: None,
        }
    }

    /// The end-entity's issuer, when the chain does not carry it second.
    pub fn with_issuer(self, issuer: CertificateDer<'static>) -> Self {
        Self {
            issuer: Some(issuer),
            ..self
        }
    }

    /// A responder to ask instead of those the certificate names (an `http://` URL; RFC 6960
    /// Appendix A.1 allows "other local configuration of the OCSP client").
    pub fn with_responder_url(self, url: impl Into<String>) -> Self {
        Self {
            responder_url: Some(url.into()),
            ..self
        }
    }

    /// The name events, snapshots and metrics give the certificate (its `certificate`
    /// label); by default the serial number in hexadecimal.
    pub fn with_label(self, label: impl Into<String>) -> Self {
        Self {
            label: Some(label.into()),
            ..self
        }
    }
}

/// Why a stapler could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StaplerError {
    /// The end-entity certificate cannot be read.
    #[error("{label}: the end-entity certificate cannot be read: {error}")]
    Certificate {
        /// The certificate's label.
        label: String,
        /// Why.
        #[source]
        error: crate::Error,
    },
    /// The same end-entity certificate was given twice.
    #[error("{label}: the certificate was given twice")]
    DuplicateCertificate {
        /// The certificate's label.
        label: String,
    },
    /// The chain is empty.
    #[error("the certificate chain labelled {label:?} is empty")]
    EmptyChain {
        /// The certificate's label.
        label: String,
    },
    /// The issuer certificate cannot be read.
    #[error("{label}: the issuer certificate cannot be read: {error}")]
    Issuer {
        /// The certificate's label.
        label: String,
        /// Why.
        #[source]
        error: crate::Error,
    },
    /// The chain has no second certificate and no issuer was given.
    #[error("{label}: the chain does not carry the issuer; give it with_issuer")]
    MissingIssuer {
        /// The certificate's label.
        label: String,
    },
    /// No certificate was given.
    #[error("no certificate to staple for")]
    NoCertificates,
    /// The state directory cannot be created.
    #[error("the state directory {} cannot be created: {error}", path.display())]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        error: io::Error,
    },
    /// The issuer given (or the chain's second certificate) did not issue the end-entity
    /// certificate: its name is not the certificate's issuer, or its key does not verify the
    /// certificate's signature.
    #[error("{label}: the issuer given did not issue the certificate")]
    WrongIssuer {
        /// The certificate's label.
        label: String,
    },
}

/// A rustls `ResolvesServerCert` that staples verified OCSP answers: it wraps the server's own
/// certificate resolver (or serves one chain itself), fetches each certificate's status from
/// its responder, verifies it with this crate's [`Verifier`], and sets `CertifiedKey::ocsp` on
/// what the handshake gets.
///
/// # What a server author adds
///
/// ```no_run
/// use std::sync::Arc;
///
/// use ocsp_verify::stapling::{Stapler, StapledCertificate};
/// use rustls::ServerConfig;
/// use rustls::sign::CertifiedKey;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let (chain, key) = (vec![], rustls::pki_types::PrivateKeyDer::Pkcs8(vec![].into()));
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let certified_key = Arc::new(CertifiedKey::from_der(chain, key, &provider)?);
///
/// // The lines a server author adds: a stapler for the chain ...
/// let stapler = Stapler::builder(provider.clone())
///     .with_certificate(StapledCertificate::new(certified_key).with_label("www"))
///     .with_state_dir("/var/lib/myserver/ocsp") // optional: staple from the first handshake
///     .with_observer(|event| eprintln!("OCSP {event}"))
///     .build()?;
/// let refresher = stapler.spawn_refresh_thread()?; // or call refresh_due from a runtime
/// // ... as the certificate resolver.
/// let config = ServerConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .with_no_client_auth()
///     .with_cert_resolver(stapler.clone());
/// # let _ = (config, refresher);
/// # Ok(())
/// # }
/// ```
///
/// For SNI, give the resolver that picks a chain by name (rustls'
/// `ResolvesServerCertUsingSni`, or your own) to [`StaplerBuilder::with_resolver`], and each
/// of its chains to [`StaplerBuilder::with_certificate`]: the stapler asks the inner resolver,
/// recognises the chain it picked by its end-entity certificate, and hands out the same chain
/// and key with the staple. A chain it does not know is passed on untouched. Without an inner
/// resolver, every client gets the first certificate.
///
/// # What it staples
///
/// Only answers that verified (CertID, responder authorisation, signature, critical
/// extensions, times), that are `good` or `revoked`, no older than the answer stapled, and
/// still fresh: never `unknown`, never an answer about another certificate, never one that is
/// not yet valid or expired. A `revoked` answer is stapled (clients must learn it) and
/// reported as [`StapleEventKind::Revoked`]. The stapled answer is dropped at the end of its
/// freshness ([`Verifier::fresh_until`], normally its `nextUpdate`), checked on every
/// handshake.
///
/// # When it fetches
///
/// See [`RefreshSchedule`]: half-way through each answer's validity window, with jitter; on
/// failure, again after a bounded exponential backoff, keeping the stapled answer while it is
/// fresh. [`Stapler::refresh_due`] does what is due at a given time (an async runtime calls it
/// from a blocking task, at the instant it returns); [`Stapler::spawn_refresh_thread`] runs
/// it on a thread of its own, for plain `std` servers.
///
/// # Must-staple
///
/// [`Stapler::ready`] says whether every must-staple certificate (RFC 7633) has a good
/// staple; [`Stapler::wait_ready`] blocks until then, so a server can wait before it accepts
/// connections that clients would refuse.
///
/// # Persistence
///
/// With [`StaplerBuilder::with_state_dir`], each answer taken is written to the directory
/// atomically, and read back when the stapler is built: if it still verifies and is still
/// fresh, the server staples it from its first handshake, responder down or not. A file that
/// is corrupt, about another certificate or stale is ignored and reported.
///
/// # The handshake path
///
/// Serving a staple takes one read lock per handshake, held only to clone an `Arc`; a refresh
/// never holds it while it talks to the responder or the disk (it swaps the stapled
/// `CertifiedKey` in afterwards, under the write lock, for the time of an assignment).
///
/// # Observability
///
/// [`Stapler::snapshots`] (status, times, next refresh, last error, counts per certificate),
/// an observer for every [`StapleEvent`], and the same figures in the Prometheus text format
/// ([`Stapler::encode_metrics`], [`Stapler::register_metrics`]; the metric names are in the
/// `metrics` table of `docs/stapling.md`).
pub struct Stapler {
    entries: Vec<Entry>,
    by_address: HashMap<usize, usize>,
    by_end_entity: HashMap<Vec<u8>, usize>,
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    verifier: Verifier<'static>,
    source: Arc<dyn ResponseSource>,
    clock: Arc<dyn Clock>,
    schedule: RefreshSchedule,
    state_dir: Option<PathBuf>,
    observer: Option<StapleObserver>,
    jitter: Mutex<Jitter>,
    /// Held by [`Stapler::refresh_due`] for its whole run (I/O included): one refresh at a
    /// time. The handshake path never takes it.
    refreshing: Mutex<()>,
    /// Bumped and notified whenever a staple changes, for [`Stapler::wait_ready`].
    changes: Mutex<u64>,
    changed: Condvar,
}

/// One certificate chain the stapler staples for.
struct Entry {
    label: String,
    /// As given: recognised by its address on the handshake path.
    registered: Arc<CertifiedKey>,
    /// The chain and key without a staple.
    bare: Arc<CertifiedKey>,
    end_entity: CertificateDer<'static>,
    issuer: CertificateDer<'static>,
    /// The URL configured for the certificate.
    responder_url: Option<String>,
    /// The configured URL, else the certificate's first `http://` one: for snapshots.
    shown_url: Option<String>,
    serial: Vec<u8>,
    must_staple: bool,
    state_file: Option<PathBuf>,
    served: RwLock<Served>,
    state: Mutex<EntryState>,
    stapled_handshakes: AtomicU64,
    unstapled_handshakes: AtomicU64,
}

/// What the handshake path reads.
struct Served {
    /// The chain and key with the staple.
    stapled: Option<Arc<CertifiedKey>>,
    /// The instant the staple stops being served.
    until: UnixTime,
}

/// What the refresh path keeps.
struct EntryState {
    /// The answer stapled, and until when.
    current: Option<(Answer, UnixTime)>,
    next_refresh: UnixTime,
    last_error: Option<(UnixTime, StapleError)>,
    fetches: u64,
    failures: u64,
    failures_in_a_row: u32,
}

impl Stapler {
    /// A builder for a stapler that verifies answers with the signature algorithms of
    /// `provider` (the rustls `CryptoProvider` the server uses, as for the client-side
    /// adapter), with [`Verifier::new`]'s defaults; [`StaplerBuilder::with_verifier`] can give
    /// other settings.
    pub fn builder(provider: Arc<CryptoProvider>) -> StaplerBuilder {
        StaplerBuilder::new(Verifier::new(
            provider.signature_verification_algorithms.all,
        ))
    }

    /// Does what is due at `now`: drops staples whose freshness has ended, and fetches,
    /// verifies, staples and saves a new answer for each certificate whose refresh is due
    /// (one after the other; each fetch is bounded by the fetcher's timeouts). Returns the
    /// next instant something is due: call again then.
    ///
    /// It blocks while it talks to responders and writes files: an async runtime calls it from
    /// a blocking task (`spawn_blocking`). Calls from several threads take turns. The
    /// observer is called after the work, outside every lock.
    pub fn refresh_due(&self, now: UnixTime) -> UnixTime {
        let mut events = Vec::new();
        {
            let _one_at_a_time = lock(&self.refreshing);
            for entry in &self.entries {
                self.expire(entry, now, &mut events);
                if lock(&entry.state).next_refresh <= now {
                    self.refresh(entry, now, &mut events);
                }
            }
        }
        if !events.is_empty() {
            self.notify_changed();
        }
        self.emit(&events);
        self.next_due()
    }

    /// The next instant [`Stapler::refresh_due`] has something to do: the earliest refresh or
    /// end of freshness.
    pub fn next_due(&self) -> UnixTime {
        self.entries
            .iter()
            .map(|entry| {
                let state = lock(&entry.state);
                match state.current {
                    Some((_, until)) => state.next_refresh.min(until),
                    None => state.next_refresh,
                }
            })
            .min()
            .unwrap_or(UnixTime::since_unix_epoch(Duration::MAX))
    }

    /// Whether every must-staple certificate has a good staple now (by the stapler's clock).
    /// True when no certificate is must-staple.
    pub fn ready(&self) -> bool {
        self.pending(self.clock.now()).is_empty()
    }

    /// Blocks until every must-staple certificate has a good staple ([`Stapler::ready`]), for
    /// at most `timeout` (real time). Someone must be fetching meanwhile: the refresh thread,
    /// or a task calling [`Stapler::refresh_due`].
    pub fn wait_ready(&self, timeout: Duration) -> Result<(), NotReady> {
        let deadline = Instant::now().checked_add(timeout);
        let mut changes = lock(&self.changes);
        loop {
            let pending = self.pending(self.clock.now());
            if pending.is_empty() {
                return Ok(());
            }
            let remaining = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if remaining.is_zero() {
                return Err(NotReady { pending });
            }
            // Woken by every change; and once a second anyway, since the clock alone can make
            // a staple stale.
            changes = self
                .changed
                .wait_timeout(changes, remaining.min(Duration::from_secs(1)))
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }

    /// Every certificate's staple at `now`, in the order they were given.
    pub fn snapshots(&self, now: UnixTime) -> Vec<StapleSnapshot> {
        self.entries
            .iter()
            .map(|entry| {
                let state = lock(&entry.state);
                StapleSnapshot {
                    certificate: entry.label.clone(),
                    serial: entry.serial.clone(),
                    must_staple: entry.must_staple,
                    responder_url: entry.shown_url.clone(),
                    now,
                    stapled: state.current.filter(|(_, until)| now < *until),
                    next_refresh: state.next_refresh,
                    last_error: state.last_error.clone(),
                    fetches: state.fetches,
                    failures: state.failures,
                    failures_in_a_row: state.failures_in_a_row,
                    stapled_handshakes: entry.stapled_handshakes.load(Ordering::Relaxed),
                    unstapled_handshakes: entry.unstapled_handshakes.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    /// The stapler's clock, read now.
    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// Runs [`Stapler::refresh_due`] on a thread of its own (named `ocsp-stapler`), each time
    /// something is due by the stapler's clock, and at least once a minute (so that a clock
    /// that jumps, or a machine that slept, is noticed). Stops when the handle is shut down
    /// or dropped.
    pub fn spawn_refresh_thread(self: &Arc<Self>) -> io::Result<RefreshThread> {
        let stapler = Arc::clone(self);
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("ocsp-stapler".into())
            .spawn(move || {
                loop {
                    let next = stapler.refresh_due(stapler.clock.now());
                    let wait = next.as_secs().saturating_sub(stapler.clock.now().as_secs());
                    let wait = Duration::from_secs(wait)
                        .clamp(RefreshThread::SHORTEST_WAIT, RefreshThread::LONGEST_WAIT);
                    let (stopped, condvar) = &*signal;
                    let stopped = condvar
                        .wait_timeout_while(lock(stopped), wait, |stopped| !*stopped)
                        .map(|(guard, _)| guard)
                        .unwrap_or_else(|poisoned| poisoned.into_inner().0);
                    if *stopped {
                        break;
                    }
                }
            })?;
        Ok(RefreshThread {
            stop,
            handle: Some(handle),
        })
    }

    /// The labels of the must-staple certificates without a good staple at `now`.
    fn pending(&self, now: UnixTime) -> Vec<String> {
        self.entries
            .iter()
            .filter(|entry| entry.must_staple)
            .filter(|entry| {
                !matches!(
                    lock(&entry.state).current,
                    Some((answer, until)) if answer.status() == CertStatus::Good && now < until
                )
            })
            .map(|entry| entry.label.clone())
            .collect()
    }

    /// Drops the staple of `entry` if its freshness has ended at `now`.
    fn expire(&self, entry: &Entry, now: UnixTime, events: &mut Vec<StapleEvent>) {
        let mut state = lock(&entry.state);
        let Some((_, until)) = state.current else {
            return;
        };
        if now < until {
            return;
        }
        state.current = None;
        write(&entry.served).stapled = None;
        events.push(entry.event(now, StapleEventKind::Expired { not_after: until }));
    }

    /// Fetches, verifies and (if it is taken) staples and saves an answer for `entry`.
    fn refresh(&self, entry: &Entry, now: UnixTime, events: &mut Vec<StapleEvent>) {
        // No lock is held while the source talks to the responder.
        let fetched = self.fetch(entry, now);
        let mut state = lock(&entry.state);
        state.fetches = state.fetches.saturating_add(1);
        let taken = fetched.and_then(|response| self.take(&state, response, now));
        match taken {
            Ok((response, until)) => {
                let answer = response.answer();
                let newer = state
                    .current
                    .is_none_or(|(served, _)| answer.this_update() > served.this_update());
                let changed = entry.staple(response.der(), until);
                state.current = Some((answer, until));
                state.failures_in_a_row = 0;
                state.next_refresh = self.schedule.after_success(
                    answer.this_update(),
                    answer.next_update(),
                    until,
                    now,
                    newer,
                    self.draw(),
                );
                drop(state);
                events.push(entry.event(now, taken_event(answer, Origin::Responder, changed)));
                if changed {
                    self.save(entry, response.der(), now, events);
                }
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
                state.last_error = Some((now, error.clone()));
                state.next_refresh =
                    self.schedule
                        .after_failure(state.failures_in_a_row, now, self.draw());
                let stapled_until = state.current.map(|(_, until)| until);
                drop(state);
                events.push(entry.event(
                    now,
                    StapleEventKind::Refused {
                        error,
                        stapled_until,
                    },
                ));
            }
        }
    }

    /// Asks the source and verifies what it returns.
    fn fetch(&self, entry: &Entry, now: UnixTime) -> Result<OwnedVerifiedResponse, StapleError> {
        let invalid = |error| StapleError::InvalidResponse {
            url: entry.responder_url.clone(),
            error,
        };
        // Both were read when the stapler was built; an error here cannot happen.
        let cert = Certificate::from_der(&entry.end_entity).map_err(invalid)?;
        let issuer = Certificate::from_der(&entry.issuer).map_err(invalid)?;
        let issuer = Issuer::from(&issuer);
        let der =
            self.source
                .fetch_response(&cert, &issuer, entry.responder_url.as_deref(), now)?;
        self.verifier
            .verify_owned(der, &cert, &issuer, None, now)
            .map_err(invalid)
    }

    /// Steps 3 to 5 of the module documentation: whether a verified answer is stapled, and
    /// until when.
    fn take(
        &self,
        state: &EntryState,
        response: OwnedVerifiedResponse,
        now: UnixTime,
    ) -> Result<(OwnedVerifiedResponse, UnixTime), StapleError> {
        let answer = response.answer();
        if answer.status() == CertStatus::Unknown {
            return Err(StapleError::Unknown);
        }
        let until = self.serve_until(&answer);
        if until <= now {
            return Err(StapleError::InvalidResponse {
                url: None,
                error: crate::Error::ResponseExpired {
                    time: now,
                    not_after: until,
                },
            });
        }
        if let Some((served, _)) = state.current
            && answer.this_update() < served.this_update()
        {
            return Err(StapleError::NotNewer {
                this_update: answer.this_update(),
                served: served.this_update(),
            });
        }
        Ok((response, until))
    }

    /// The instant a verified answer stops being stapled: the verifier's
    /// [`Verifier::fresh_until`]; for a permanent revocation, which the verifier reports
    /// whatever its window (profile rule 14), the same limits a good answer has (its
    /// `nextUpdate` and the age cap), so that no expired answer is ever stapled.
    fn serve_until(&self, answer: &Answer) -> UnixTime {
        let this_update = answer.this_update().as_secs();
        let age_cap = this_update.saturating_add(
            self.verifier
                .max_age_for(answer.next_update().is_some())
                .as_secs(),
        );
        let limits = [
            self.verifier.fresh_until(answer).map(|t| t.as_secs()),
            answer.next_update().map(|t| t.as_secs()),
            Some(age_cap),
        ];
        let until = limits.into_iter().flatten().min().unwrap_or(age_cap);
        UnixTime::since_unix_epoch(Duration::from_secs(until))
    }

    /// Writes a stapled answer to the state directory, if there is one.
    fn save(&self, entry: &Entry, der: &[u8], now: UnixTime, events: &mut Vec<StapleEvent>) {
        let (Some(dir), Some(path)) = (&self.state_dir, &entry.state_file) else {
            return;
        };
        let kind = match state_dir::write_atomically(dir, path, der) {
            Ok(()) => StapleEventKind::Saved { path: path.clone() },
            Err(error) => StapleEventKind::SaveFailed {
                path: path.clone(),
                error: error.kind(),
            },
        };
        events.push(entry.event(now, kind));
    }

    /// Reads back the state file of `entry` at `now` (when the stapler is built).
    fn load(&self, entry: &Entry, now: UnixTime, events: &mut Vec<StapleEvent>) {
        let Some(path) = &entry.state_file else {
            return;
        };
        let problem = |problem| StapleError::StateFile {
            path: path.clone(),
            problem,
        };
        let loaded = match state_dir::read(path, self.verifier.max_response_len()) {
            Ok(None) => return,
            Ok(Some(der)) => self.verify_loaded(entry, der, now).map_err(problem),
            Err(error) => Err(problem(error)),
        };
        let mut state = lock(&entry.state);
        match loaded {
            Ok((response, until)) => {
                let answer = response.answer();
                entry.staple(response.der(), until);
                state.current = Some((answer, until));
                state.next_refresh = self.schedule.after_success(
                    answer.this_update(),
                    answer.next_update(),
                    until,
                    now,
                    true,
                    self.draw(),
                );
                events.push(entry.event(now, taken_event(answer, Origin::StateDir, true)));
            }
            Err(error) => {
                state.last_error = Some((now, error.clone()));
                events.push(entry.event(
                    now,
                    StapleEventKind::Refused {
                        error,
                        stapled_until: None,
                    },
                ));
            }
        }
    }

    /// The checks a fetched answer goes through, for one read from the state directory.
    fn verify_loaded(
        &self,
        entry: &Entry,
        der: Vec<u8>,
        now: UnixTime,
    ) -> Result<(OwnedVerifiedResponse, UnixTime), StateFileProblem> {
        let cert = Certificate::from_der(&entry.end_entity).map_err(StateFileProblem::Invalid)?;
        let issuer = Certificate::from_der(&entry.issuer).map_err(StateFileProblem::Invalid)?;
        let response = self
            .verifier
            .verify_owned(der, &cert, &Issuer::from(&issuer), None, now)
            .map_err(StateFileProblem::Invalid)?;
        let answer = response.answer();
        if answer.status() == CertStatus::Unknown {
            return Err(StateFileProblem::Unknown);
        }
        let until = self.serve_until(&answer);
        if until <= now {
            return Err(StateFileProblem::Invalid(crate::Error::ResponseExpired {
                time: now,
                not_after: until,
            }));
        }
        Ok((response, until))
    }

    fn draw(&self) -> u32 {
        lock(&self.jitter).draw()
    }

    fn notify_changed(&self) {
        let mut changes = lock(&self.changes);
        *changes = changes.wrapping_add(1);
        self.changed.notify_all();
    }

    fn emit(&self, events: &[StapleEvent]) {
        if let Some(observer) = &self.observer {
            for event in events {
                observer(event);
            }
        }
    }

    /// The managed certificate the inner resolver picked, if it is one.
    fn find(&self, chosen: &Arc<CertifiedKey>) -> Option<&Entry> {
        let index = match self.by_address.get(&Arc::as_ptr(chosen).addr()) {
            Some(index) => Some(index),
            None => chosen
                .cert
                .first()
                .and_then(|end_entity| self.by_end_entity.get(end_entity.as_ref())),
        };
        index.and_then(|index| self.entries.get(*index))
    }
}

impl ResolvesServerCert for Stapler {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(resolver) = &self.resolver else {
            return self
                .entries
                .first()
                .map(|entry| entry.serve(self.clock.now()));
        };
        let chosen = resolver.resolve(client_hello)?;
        match self.find(&chosen) {
            Some(entry) => Some(entry.serve(self.clock.now())),
            None => Some(chosen),
        }
    }

    fn only_raw_public_keys(&self) -> bool {
        self.resolver
            .as_ref()
            .is_some_and(|resolver| resolver.only_raw_public_keys())
    }
}

impl fmt::Debug for Stapler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stapler")
            .field(
                "certificates",
                &self.entries.iter().map(|e| &e.label).collect::<Vec<_>>(),
            )
            .field("resolver", &self.resolver)
            .field("verifier", &self.verifier)
            .field("schedule", &self.schedule)
            .field("state_dir", &self.state_dir)
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// What a handshake gets at `now`: the chain with the staple while it is fresh, else
    /// without.
    fn serve(&self, now: UnixTime) -> Arc<CertifiedKey> {
        let stapled = {
            let served = read(&self.served);
            match &served.stapled {
                Some(stapled) if now < served.until => Some(Arc::clone(stapled)),
                _ => None,
            }
        };
        match stapled {
            Some(stapled) => {
                self.stapled_handshakes.fetch_add(1, Ordering::Relaxed);
                stapled
            }
            None => {
                self.unstapled_handshakes.fetch_add(1, Ordering::Relaxed);
                Arc::clone(&self.bare)
            }
        }
    }

    /// Staples `der` until `until`; returns whether the bytes changed.
    fn staple(&self, der: &[u8], until: UnixTime) -> bool {
        let changed = read(&self.served)
            .stapled
            .as_ref()
            .and_then(|stapled| stapled.ocsp.as_deref())
            != Some(der);
        // Built before the write lock is taken: the handshake path waits for an assignment.
        let stapled = changed.then(|| {
            let mut stapled = CertifiedKey::clone(&self.bare);
            stapled.ocsp = Some(der.to_vec());
            Arc::new(stapled)
        });
        let mut served = write(&self.served);
        if let Some(stapled) = stapled {
            served.stapled = Some(stapled);
        }
        served.until = until;
        changed
    }

    fn event(&self, time: UnixTime, kind: StapleEventKind) -> StapleEvent {
        StapleEvent {
            certificate: self.label.clone(),
            time,
            kind,
        }
    }
}

fn taken_event(answer: Answer, origin: Origin, changed: bool) -> StapleEventKind {
    match answer.status() {
        CertStatus::Revoked { .. } => StapleEventKind::Revoked {
            answer,
            origin,
            changed,
        },
        _ => StapleEventKind::Good {
            answer,
            origin,
            changed,
        },
    }
}

/// Builds a [`Stapler`]; made by [`Stapler::builder`].
///
/// Defaults: no certificate (at least one is needed), no inner resolver (every client gets
/// the first certificate), the operating system's clock, a [`Fetcher`] with its default
/// timeouts verifying with the same verifier, [`RefreshSchedule::new`], no state directory,
/// no observer, jitter drawn from a random seed.
pub struct StaplerBuilder {
    verifier: Verifier<'static>,
    certificates: Vec<StapledCertificate>,
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    clock: Arc<dyn Clock>,
    source: Option<Arc<dyn ResponseSource>>,
    schedule: RefreshSchedule,
    state_dir: Option<PathBuf>,
    observer: Option<StapleObserver>,
    jitter_seed: Option<u64>,
}

impl StaplerBuilder {
    fn new(verifier: Verifier<'static>) -> Self {
        Self {
            verifier,
            certificates: Vec::new(),
            resolver: None,
            clock: Arc::new(SystemClock),
            source: None,
            schedule: RefreshSchedule::new(),
            state_dir: None,
            observer: None,
            jitter_seed: None,
        }
    }

    /// The verifier answers must pass: other signature algorithms (the list *is* the
    /// algorithm policy), trusted responders, another clock skew, other ages or caps.
    pub fn with_verifier(self, verifier: Verifier<'static>) -> Self {
        Self { verifier, ..self }
    }

    /// A certificate chain to staple for (call once per chain).
    pub fn with_certificate(mut self, certificate: StapledCertificate) -> Self {
        self.certificates.push(certificate);
        self
    }

    /// The server's own resolver (for SNI: rustls' `ResolvesServerCertUsingSni`, or any
    /// other), asked first on every handshake.
    pub fn with_resolver(self, resolver: Arc<dyn ResolvesServerCert>) -> Self {
        Self {
            resolver: Some(resolver),
            ..self
        }
    }

    /// The clock (for tests and simulations; the default reads the operating system's).
    pub fn with_clock(self, clock: impl Clock + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            ..self
        }
    }

    /// The fetcher that asks responders: timeouts, size cap, GET or POST, `CertID` hash.
    /// Its own verifier checks what it fetches too.
    pub fn with_fetcher(self, fetcher: Fetcher<'static>) -> Self {
        self.with_source(fetcher)
    }

    /// Another source of answers (see [`ResponseSource`]).
    pub fn with_source(self, source: impl ResponseSource + 'static) -> Self {
        Self {
            source: Some(Arc::new(source)),
            ..self
        }
    }

    /// When to refresh and how to retry.
    pub fn with_schedule(self, schedule: RefreshSchedule) -> Self {
        Self { schedule, ..self }
    }

    /// A directory where each answer taken is saved, and read back when a stapler is built
    /// (created if missing). One file per certificate, named by the SHA-256 of its DER.
    pub fn with_state_dir(self, dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: Some(dir.into()),
            ..self
        }
    }

    /// Calls `observer` with every [`StapleEvent`], from the thread that refreshes (or
    /// builds), outside every lock of the stapler: log, count, alert. Keep it short.
    pub fn with_observer(self, observer: impl Fn(&StapleEvent) + Send + Sync + 'static) -> Self {
        Self {
            observer: Some(Arc::new(observer)),
            ..self
        }
    }

    /// The seed of the jitter's random draws, for reproducible schedules in tests and
    /// simulations (by default a random one per stapler).
    pub fn with_jitter_seed(self, seed: u64) -> Self {
        Self {
            jitter_seed: Some(seed),
            ..self
        }
    }

    /// Checks each chain (the end-entity and its issuer are readable, the issuer issued it),
    /// creates the state directory and reads back what it holds, and builds the stapler.
    /// Nothing is fetched yet: the first [`Stapler::refresh_due`] fetches for every
    /// certificate without a fresh saved answer.
    pub fn build(self) -> Result<Arc<Stapler>, StaplerError> {
        if self.certificates.is_empty() {
            return Err(StaplerError::NoCertificates);
        }
        if let Some(dir) = &self.state_dir {
            std::fs::create_dir_all(dir).map_err(|error| StaplerError::StateDir {
                path: dir.clone(),
                error,
            })?;
        }
        let now = self.clock.now();
        let mut entries = Vec::with_capacity(self.certificates.len());
        let mut by_address = HashMap::new();
        let mut by_end_entity = HashMap::new();
        for certificate in self.certificates {
            let entry = entry(certificate, &self.verifier, self.state_dir.as_deref(), now)?;
            let index = entries.len();
            if by_end_entity
                .insert(entry.end_entity.to_vec(), index)
                .is_some()
            {
                return Err(StaplerError::DuplicateCertificate { label: entry.label });
            }
            by_address.insert(Arc::as_ptr(&entry.registered).addr(), index);
            entries.push(entry);
        }
        let source = match self.source {
            Some(source) => source,
            None => Arc::new(Fetcher::new(self.verifier)),
        };
        let stapler = Arc::new(Stapler {
            entries,
            by_address,
            by_end_entity,
            resolver: self.resolver,
            verifier: self.verifier,
            source,
            clock: self.clock,
            schedule: self.schedule,
            state_dir: self.state_dir,
            observer: self.observer,
            jitter: Mutex::new(Jitter::new(self.jitter_seed)),
            refreshing: Mutex::new(()),
            changes: Mutex::new(0),
            changed: Condvar::new(),
        });
        let mut events = Vec::new();
        for entry in &stapler.entries {
            stapler.load(entry, now, &mut events);
        }
        stapler.emit(&events);
        Ok(stapler)
    }
}

impl fmt::Debug for StaplerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaplerBuilder")
            .field("verifier", &self.verifier)
            .field("certificates", &self.certificates.len())
            .field("resolver", &self.resolver)
            .field("schedule", &self.schedule)
            .field("state_dir", &self.state_dir)
            .field("observer", &self.observer.is_some())
            .field("jitter_seed", &self.jitter_seed)
            .finish_non_exhaustive()
    }
}

/// Checks one chain and makes its entry.
fn entry(
    certificate: StapledCertificate,
    verifier: &Verifier<'static>,
    state_dir: Option<&Path>,
    now: UnixTime,
) -> Result<Entry, StaplerError> {
    let StapledCertificate {
        certified_key,
        issuer,
        responder_url,
        label,
    } = certificate;
    let provisional = || label.clone().unwrap_or_default();
    let end_entity =
        certified_key
            .cert
            .first()
            .cloned()
            .ok_or_else(|| StaplerError::EmptyChain {
                label: provisional(),
            })?;
    let cert = Certificate::from_der(&end_entity).map_err(|error| StaplerError::Certificate {
        label: provisional(),
        error,
    })?;
    let label = label.unwrap_or_else(|| hex(cert.serial()));
    let issuer = match issuer.or_else(|| certified_key.cert.get(1).cloned()) {
        Some(issuer) => issuer,
        None => return Err(StaplerError::MissingIssuer { label }),
    };
    let issuer_cert = match Certificate::from_der(&issuer) {
        Ok(issuer_cert) => issuer_cert,
        Err(error) => return Err(StaplerError::Issuer { label, error }),
    };
    if !Issuer::from(&issuer_cert).issued(&cert, verifier.algorithms()) {
        return Err(StaplerError::WrongIssuer { label });
    }
    let shown_url = responder_url.clone().or_else(|| {
        crate::request::http_responder_urls(&cert)
            .next()
            .map(String::from)
    });
    let serial = cert.serial().to_vec();
    let must_staple = cert.is_must_staple();
    let bare = if certified_key.ocsp.is_some() {
        let mut bare = CertifiedKey::clone(&certified_key);
        bare.ocsp = None;
        Arc::new(bare)
    } else {
        Arc::clone(&certified_key)
    };
    Ok(Entry {
        state_file: state_dir.map(|dir| state_dir::path_for(dir, &end_entity)),
        label,
        registered: certified_key,
        bare,
        end_entity,
        issuer,
        responder_url,
        shown_url,
        serial,
        must_staple,
        served: RwLock::new(Served {
            stapled: None,
            until: now,
        }),
        state: Mutex::new(EntryState {
            current: None,
            next_refresh: now,
            last_error: None,
            fetches: 0,
            failures: 0,
            failures_in_a_row: 0,
        }),
        stapled_handshakes: AtomicU64::new(0),
        unstapled_handshakes: AtomicU64::new(0),
    })
}

/// The refresh thread of [`Stapler::spawn_refresh_thread`]: stops, and is joined, when shut
/// down or dropped.
///
/// Stopping waits for a fetch in progress to end (each is bounded by the fetcher's timeouts).
#[derive(Debug)]
pub struct RefreshThread {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: Option<JoinHandle<()>>,
}

impl RefreshThread {
    /// The shortest sleep between two rounds: the clock counts whole seconds.
    const SHORTEST_WAIT: Duration = Duration::from_secs(1);

    /// The longest sleep: the clock is read again at least this often.
    const LONGEST_WAIT: Duration = Duration::from_secs(60);

    /// Stops the thread and waits for it; `Err` if it panicked (an observer that panicked).
    pub fn shutdown(mut self) -> thread::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> thread::Result<()> {
        let (stopped, condvar) = &*self.stop;
        *lock(stopped) = true;
        condvar.notify_all();
        match self.handle.take() {
            Some(handle) => handle.join(),
            None => Ok(()),
        }
    }
}

impl Drop for RefreshThread {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// A poisoned lock is used as it is: every update under these locks is a few assignments,
/// which a panic (in an observer, say: it is called outside them anyway) cannot leave half
/// done in a way that matters.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_in_hex() {
        assert_eq!(hex(&[0x10, 0x01, 0xab]), "1001ab");
        assert_eq!(hex(&[]), "");
    }
}
