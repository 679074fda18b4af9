#![doc = include_str!("../../docs/stapling.md")]
//!
//! ## How the module is built
//!
//! What an answer goes through before it is stapled, in this order: the fetch path
//! ([`crate::fetch::Fetcher`], over the configured [`Transport`]) asks the certificate's
//! responders in turn and verifies what comes back, once, at the stapler's wall time; then
//! `refresh.rs` refuses `unknown` and answers whose freshness has ended, and the keeper of
//! answers decides whether it replaces the one kept. `entry.rs` holds what the handshake path
//! serves, `builder.rs` checks the chains, `state_dir.rs` reads and writes the files,
//! `report.rs` says what happened, `metrics.rs` writes the figures.
//!
//! Deliberately not done, and why:
//!
//! - No nonce is sent: a staple is shared by every client, so a nonce proves nothing to them,
//!   and responders behind caches (RFC 5019) ignore it.
//! - "Not yet valid" is the verifier's judgement, with its clock skew (5 minutes by default):
//!   the tolerance clients apply too.
//! - Intermediates get no staple: rustls staples only the end-entity's status.
//! - An answer is not re-verified on every handshake: it was verified when it was taken, and
//!   only its times can change; they are checked on every handshake.

mod builder;
mod entry;
#[cfg(feature = "prometheus")]
mod metrics;
mod refresh;
mod report;
mod state_dir;

use core::fmt;
use core::time::Duration;
use std::collections::HashMap;
use std::path::PathBuf;
use std::string::String;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::server::{ClientHello, ResolvesServerCert};
use ::rustls::sign::CertifiedKey;
use ::rustls::time_provider::TimeProvider;
use rustls_pki_types::UnixTime;

use crate::fetch::{Fetcher, Responders, Transport};
use crate::response::CertStatus;
use crate::server::backoff::{FailureMemory, Jitter};
use crate::server::clock::MonotonicClock;
use crate::server::keeper::Keeper;
use crate::server::observe::Observer;
use crate::server::schedule::RefreshSchedule;
use crate::server::sync::{Signal, lock};
use crate::verify::Verifier;

pub use builder::{BuildError, StapledCertificate, StaplerBuilder};
use entry::Entry;
pub use refresh::RefreshThread;
pub use report::{
    AnswerOrigin, NotReady, StapleError, StapleEvent, StapleEventKind, StapleSnapshot,
};
pub use state_dir::StateFileProblem;

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
/// SNI, what is stapled and what never is, the refresh schedule, the state directory, servers
/// on an async runtime and the metrics are in the [module documentation](self).
pub struct Stapler {
    entries: Vec<Entry>,
    by_address: HashMap<usize, usize>,
    by_end_entity: HashMap<Vec<u8>, usize>,
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    verifier: Verifier<'static>,
    fetcher: Fetcher<'static>,
    transport: Arc<dyn Transport>,
    keeper: Keeper,
    /// Per entry (by index): failed refreshes in a row, and until when to wait.
    failures: FailureMemory<usize, ()>,
    responders: Arc<Responders>,
    time: Arc<dyn TimeProvider>,
    mono: Arc<dyn MonotonicClock>,
    schedule: RefreshSchedule,
    jitter: Jitter,
    state_dir: Option<PathBuf>,
    observer: Observer<StapleEvent>,
    /// Held by a refresh round for its whole run (I/O included): one round at a time. The
    /// handshake path never takes it.
    refreshing: Mutex<()>,
    /// Bumped whenever a staple changes, for [`Stapler::wait_ready`].
    changes: Signal<u64>,
    /// Refresh rounds that panicked (and were survived).
    round_panics: AtomicU64,
}

impl Stapler {
    /// A builder for a stapler that verifies answers with the signature algorithms of
    /// `provider` (the rustls `CryptoProvider` the server uses), with [`Verifier::new`]'s
    /// defaults; [`StaplerBuilder::with_verifier`] can give other settings.
    pub fn builder(provider: Arc<::rustls::crypto::CryptoProvider>) -> StaplerBuilder {
        StaplerBuilder::new(Verifier::new(
            provider.signature_verification_algorithms.all,
        ))
    }

    /// Does what is due now: serves again what is kept if the wall clock is (back) in its
    /// window, drops staples whose freshness has ended, and fetches, verifies, keeps, staples
    /// and saves a new answer for each certificate whose refresh is due (one after the other;
    /// each fetch is bounded by the fetcher's timeouts). Returns how long until something is
    /// due again: call again then (or sooner).
    ///
    /// It blocks while it talks to responders and writes files: an async runtime calls it from
    /// a blocking task (`spawn_blocking`). Calls from several threads take turns. The
    /// observer is called after the work, outside every lock.
    pub fn refresh_due(&self) -> Duration {
        self.round(false)
    }

    /// Like [`Stapler::refresh_due`], but asks the responders about every certificate now,
    /// whatever the schedule and the backoff say (an operator's "refresh now").
    pub fn refresh_now(&self) -> Duration {
        self.round(true)
    }

    /// Whether every must-staple certificate has a good staple now (by the stapler's clock).
    /// True when no certificate is must-staple.
    pub fn ready(&self) -> bool {
        self.pending(self.now()).is_empty()
    }

    /// Blocks until every must-staple certificate has a good staple ([`Stapler::ready`]), for
    /// at most `timeout` (real time). Someone must be fetching meanwhile: the refresh thread,
    /// or a task calling [`Stapler::refresh_due`].
    pub fn wait_ready(&self, timeout: Duration) -> Result<(), NotReady> {
        let deadline = Instant::now().checked_add(timeout);
        // Woken by every change; and once a second anyway, since the clock alone can make a
        // staple stale.
        let (changes, ready) =
            self.changes
                .wait_until(deadline, Some(Duration::from_secs(1)), |_| self.ready());
        drop(changes);
        if ready {
            Ok(())
        } else {
            Err(NotReady {
                pending: self.pending(self.now()),
            })
        }
    }

    /// Every certificate's staple now, in the order they were given.
    pub fn snapshots(&self) -> Vec<StapleSnapshot> {
        let (now, mono) = (self.now(), self.mono.now());
        self.entries
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let failures_in_a_row = self.failures.last(&index).map_or(0, |f| f.in_a_row);
                entry.snapshot(now, mono, failures_in_a_row)
            })
            .collect()
    }

    /// The stapler's wall clock, read now (the epoch if the time provider has no time).
    pub fn now(&self) -> UnixTime {
        self.time
            .current_time()
            .unwrap_or(UnixTime::since_unix_epoch(Duration::ZERO))
    }

    /// How many times the observer panicked (each caught; the stapler went on).
    pub fn observer_panics(&self) -> u64 {
        self.observer.panics()
    }

    /// How many refresh rounds panicked (each caught by the refresh thread, which went on).
    pub fn round_panics(&self) -> u64 {
        self.round_panics.load(Ordering::Relaxed)
    }

    /// The labels of the must-staple certificates without a good staple at `now`.
    fn pending(&self, now: UnixTime) -> Vec<String> {
        self.entries
            .iter()
            .filter(|entry| entry.must_staple)
            .filter(|entry| {
                !entry
                    .stapled(now)
                    .is_some_and(|(answer, _)| answer.status() == CertStatus::Good)
            })
            .map(|entry| entry.label.clone())
            .collect()
    }

    fn notify_changed(&self) {
        self.changes
            .update(|changes| *changes = changes.wrapping_add(1));
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
            let now = self.now();
            return self.entries.first().map(|entry| entry.serve(None, now));
        };
        let chosen = resolver.resolve(client_hello)?;
        match self.find(&chosen) {
            Some(entry) => Some(entry.serve(Some(&chosen), self.now())),
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
            .field("fetcher", &self.fetcher)
            .field("schedule", &self.schedule)
            .field("state_dir", &self.state_dir)
            .field("observer", &self.observer)
            .finish_non_exhaustive()
    }
}

/// A lock on the one-round-at-a-time mutex.
fn one_round(stapler: &Stapler) -> std::sync::MutexGuard<'_, ()> {
    lock(&stapler.refreshing)
}
