//! Building a [`Stapler`]: the certificates it staples for, and its settings.

use core::time::Duration;
use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::string::String;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use ::rustls::pki_types::CertificateDer;
use ::rustls::server::ResolvesServerCert;
use ::rustls::sign::CertifiedKey;
use ::rustls::time_provider::{DefaultTimeProvider, TimeProvider};
use rustls_pki_types::UnixTime;

use super::entry::Entry;
use super::{StapleEvent, Stapler};
use crate::fetch::{
    Backoff, FetchSlots, Fetcher, ResponderPolicy, Responders, Transport, UreqTransport,
};
use crate::server::backoff::{FailureMemory, Jitter};
use crate::server::clock::{MonotonicClock, SystemMonotonicClock};
use crate::server::keeper::Keeper;
use crate::server::observe::Observer;
use crate::server::schedule::RefreshSchedule;
use crate::server::sync::Signal;
use crate::verify::Verifier;

/// One certificate chain the stapler staples for, with its settings.
///
/// The chain and key are the `CertifiedKey` the server presents; the end-entity's issuer is
/// the next certificate of the chain unless [`StapledCertificate::with_issuer`] gives it (a
/// chain of one certificate issued directly by a root).
#[derive(Clone, Debug)]
pub struct StapledCertificate {
    pub(super) certified_key: Arc<CertifiedKey>,
    pub(super) issuer: Option<CertificateDer<'static>>,
    pub(super) responders: ResponderPolicy,
    pub(super) label: Option<String>,
}

impl StapledCertificate {
    /// The chain and key the server presents. An OCSP response it carries already is not
    /// used: only answers the stapler verified are stapled.
    pub fn new(certified_key: Arc<CertifiedKey>) -> Self {
        Self {
            certified_key,
            issuer: None,
            responders: ResponderPolicy::new(),
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
            responders: self.responders.with_url(url),
            ..self
        }
    }

    /// Which responders may be asked (see [`ResponderPolicy`]).
    pub fn with_responder_policy(self, responders: ResponderPolicy) -> Self {
        Self { responders, ..self }
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
pub enum BuildError {
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
    /// A responder URL or allowlist entry is not an `http://` URL.
    #[error("{label}: {url:?} is not an http:// URL")]
    InvalidResponderUrl {
        /// The certificate's label.
        label: String,
        /// The entry.
        url: String,
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

/// Builds a [`Stapler`]; made by [`Stapler::builder`].
///
/// Defaults: no certificate (at least one is needed), no inner resolver (every client gets
/// the first certificate), rustls' `DefaultTimeProvider` and the system's monotonic clock, a
/// [`Fetcher`] with its default timeouts over [`UreqTransport`], [`RefreshSchedule::new`],
/// failures backed off from 1 minute to 1 hour ([`StaplerBuilder::DEFAULT_BACKOFF`]), no
/// state directory, no observer, jitter drawn from a random seed.
#[derive(Debug)]
pub struct StaplerBuilder {
    verifier: Verifier<'static>,
    certificates: Vec<StapledCertificate>,
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    time: Arc<dyn TimeProvider>,
    mono: Arc<dyn MonotonicClock>,
    fetcher: Fetcher<'static>,
    transport: Arc<dyn Transport>,
    schedule: RefreshSchedule,
    backoff: Backoff,
    state_dir: Option<PathBuf>,
    observer: Observer<StapleEvent>,
    jitter_seed: Option<u64>,
}

impl StaplerBuilder {
    /// The default backoff after failed refreshes: 1 minute, doubling to 1 hour (the stapled
    /// answer stays served meanwhile while it is fresh).
    pub const DEFAULT_BACKOFF: Backoff =
        Backoff::new(Duration::from_secs(60), Duration::from_secs(60 * 60));

    pub(super) fn new(verifier: Verifier<'static>) -> Self {
        Self {
            verifier,
            certificates: Vec::new(),
            resolver: None,
            time: Arc::new(DefaultTimeProvider),
            mono: Arc::new(SystemMonotonicClock),
            fetcher: Fetcher::new(verifier),
            transport: Arc::new(UreqTransport),
            schedule: RefreshSchedule::new(),
            backoff: Self::DEFAULT_BACKOFF,
            state_dir: None,
            observer: Observer::new(None),
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

    /// The fetcher's settings: timeouts, size cap, GET or POST, `CertID` hash. (Answers are
    /// verified with the stapler's verifier, and carried by its transport.)
    pub fn with_fetcher(self, fetcher: Fetcher<'static>) -> Self {
        Self { fetcher, ..self }
    }

    /// When to refresh.
    pub fn with_schedule(self, schedule: RefreshSchedule) -> Self {
        Self { schedule, ..self }
    }

    /// How long to wait after failed refreshes (per certificate, and per responder).
    pub fn with_backoff(self, backoff: Backoff) -> Self {
        Self { backoff, ..self }
    }

    /// A directory where each answer taken is saved, and read back when a stapler is built
    /// (created if missing). One file per certificate, named by the SHA-256 of its DER.
    pub fn with_state_dir(self, dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: Some(dir.into()),
            ..self
        }
    }

    crate::rustls::shared_setters!(
        /// Calls `observer` with every [`StapleEvent`], from the thread that refreshes (or
        /// builds): log, count, alert ([`Stapler::observer_panics`] counts its panics).
        StapleEvent
    );

    /// Checks each chain (the end-entity and its issuer are readable, the issuer issued it),
    /// creates the state directory, removes what interrupted writes left in it, reads back
    /// what it holds, and builds the stapler. Nothing is fetched yet: the first
    /// [`Stapler::refresh_due`] fetches for every certificate without a fresh saved answer.
    pub fn build(self) -> Result<Arc<Stapler>, BuildError> {
        if self.certificates.is_empty() {
            return Err(BuildError::NoCertificates);
        }
        if let Some(dir) = &self.state_dir {
            std::fs::create_dir_all(dir).map_err(|error| BuildError::StateDir {
                path: dir.clone(),
                error,
            })?;
        }
        let now = self
            .time
            .current_time()
            .unwrap_or(UnixTime::since_unix_epoch(Duration::ZERO));
        let mono = self.mono.now();
        let mut entries = Vec::with_capacity(self.certificates.len());
        let mut by_address = HashMap::new();
        let mut by_end_entity = HashMap::new();
        for certificate in self.certificates {
            let entry = Entry::build(
                certificate,
                &self.verifier,
                self.fetcher,
                self.state_dir.as_deref(),
                now,
                mono,
            )?;
            let index = entries.len();
            if by_end_entity
                .insert(entry.end_entity.to_vec(), index)
                .is_some()
            {
                return Err(BuildError::DuplicateCertificate { label: entry.label });
            }
            by_address.insert(Arc::as_ptr(&entry.registered).addr(), index);
            entries.push(entry);
        }
        let count = entries.len();
        let stapler = Arc::new(Stapler {
            entries,
            by_address,
            by_end_entity,
            resolver: self.resolver,
            verifier: self.verifier,
            fetcher: self.fetcher,
            transport: self.transport,
            keeper: Keeper::new(count, count),
            failures: FailureMemory::new(self.backoff, count, self.jitter_seed),
            responders: Responders::new(self.backoff, FetchSlots::new(), self.jitter_seed),
            time: self.time,
            mono: self.mono,
            schedule: self.schedule,
            jitter: Jitter::new(self.jitter_seed),
            state_dir: self.state_dir,
            observer: self.observer,
            refreshing: Mutex::new(()),
            changes: Signal::new(0),
            round_panics: AtomicU64::new(0),
        });
        let mut events = Vec::new();
        stapler.remove_abandoned(now, &mut events);
        for entry in &stapler.entries {
            stapler.load(entry, now, mono, &mut events);
        }
        for event in &events {
            stapler.observer.emit(event);
        }
        Ok(stapler)
    }
}
