//! Building an [`OcspClientCertVerifier`]: its inner verifier, roots, policy, and how it
//! obtains answers.

use core::time::Duration;
use std::string::String;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use ::rustls::RootCertStore;
use ::rustls::client::VerifierBuilderError;
use ::rustls::crypto::CryptoProvider;
use ::rustls::pki_types::{CertificateDer, TrustAnchor};
use ::rustls::server::WebPkiClientVerifier;
use ::rustls::server::danger::ClientCertVerifier;
use ::rustls::time_provider::{DefaultTimeProvider, TimeProvider};

use super::answers::{Answers, IssuerConfig};
use super::outcome::{ClientCertEvent, Counters};
use super::prefetch::{PrefetchOptions, Prefetcher};
use super::{HandshakeWait, OcspClientCertVerifier};
use crate::cert::Certificate;
use crate::chain::{PathMemo, RevocationCheckDepth};
use crate::error::Error;
use crate::fetch::{
    Backoff, CacheOptions, FetchSlots, Fetcher, ResponderPolicy, Responders, ResponseCache,
    Transport, UreqTransport,
};
use crate::issuer::Issuer;
use crate::policy::Policy;
use crate::server::backoff::Jitter;
use crate::server::bounded::Bounded;
use crate::server::clock::{MonotonicClock, SystemMonotonicClock};
use crate::server::observe::Observer;
use crate::server::sync::Signal;
use crate::verify::Verifier;

/// The responders for the certificates of one issuer: which may be asked
/// ([`ResponderPolicy`]: a URL for a private CA whose certificates name none, an allowlist),
/// and responders trusted locally for them (RFC 6960 section 4.2.2.2: "a local configuration
/// of OCSP signing authority for the certificate in question").
///
/// ```
/// use ocsp_verify::fetch::ResponderPolicy;
/// use ocsp_verify::mtls::IssuerResponder;
/// use rustls::pki_types::CertificateDer;
///
/// let ca = CertificateDer::from(&include_bytes!("../../test-vectors/generated/pki/tls/tls-int.der")[..]);
/// let responder = IssuerResponder::new(ca)
///     .with_responder_policy(ResponderPolicy::new().with_url("http://ocsp.internal.example:8080/"));
/// # let _ = responder;
/// ```
#[derive(Clone, Debug)]
pub struct IssuerResponder {
    issuer: IssuerId,
    policy: ResponderPolicy,
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
        Self::of(IssuerId::Certificate(issuer))
    }

    /// For the certificates issued by the CA this trust anchor describes.
    pub fn from_trust_anchor(issuer: TrustAnchor<'static>) -> Self {
        Self::of(IssuerId::Anchor(issuer))
    }

    fn of(issuer: IssuerId) -> Self {
        let (policy, trusted_responders) = (ResponderPolicy::new(), Vec::new());
        Self {
            issuer,
            policy,
            trusted_responders,
        }
    }

    /// The `http://` responder to ask, instead of the URLs the certificates name (the same as
    /// a policy [`ResponderPolicy::with_url`]).
    pub fn with_url(self, url: impl Into<String>) -> Self {
        Self {
            policy: self.policy.with_url(url),
            ..self
        }
    }

    /// Which responders may be asked about this issuer's certificates.
    pub fn with_responder_policy(self, policy: ResponderPolicy) -> Self {
        Self { policy, ..self }
    }

    /// Responders trusted to answer for this issuer's certificates, as their certificates
    /// ([`Verifier::with_trusted_responders`]); only their names and keys are used.
    pub fn with_trusted_responders(self, trusted_responders: Vec<CertificateDer<'static>>) -> Self {
        Self {
            trusted_responders,
            ..self
        }
    }

    fn check(self) -> Result<IssuerConfig, BuildError> {
        let cert;
        let issuer = match &self.issuer {
            IssuerId::Certificate(der) => {
                cert = Certificate::from_der(der).map_err(BuildError::IssuerCertificate)?;
                Issuer::from(&cert)
            }
            IssuerId::Anchor(anchor) => {
                Issuer::from_trust_anchor(anchor).map_err(BuildError::IssuerCertificate)?
            }
        };
        let name = issuer.name().to_vec();
        let spki = issuer.subject_public_key_info_contents().to_vec();
        if let Some(entry) = self.policy.invalid_entry() {
            return Err(BuildError::InvalidResponderUrl(String::from(entry)));
        }
        for der in &self.trusted_responders {
            Certificate::from_der(der).map_err(BuildError::TrustedResponder)?;
        }
        Ok(IssuerConfig {
            name,
            spki,
            policy: self.policy,
            trusted: Arc::from(self.trusted_responders),
        })
    }
}

/// Why an mTLS verifier could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The inner `WebPkiClientVerifier` could not be built (for example, no roots).
    #[error("the webpki verifier cannot be built: {0}")]
    Inner(#[source] VerifierBuilderError),
    /// A configured responder URL or allowlist entry is not an `http://` URL.
    #[error("the OCSP responder URL {0:?} is not an http:// URL")]
    InvalidResponderUrl(String),
    /// The certificate of an issuer given a responder cannot be read.
    #[error("an issuer's certificate cannot be read: {0}")]
    IssuerCertificate(#[source] Error),
    /// The background thread that refreshes answers could not be started.
    #[error("the prefetch thread cannot be started: {0}")]
    Prefetcher(#[source] std::io::Error),
    /// A trusted responder's certificate cannot be read.
    #[error("a trusted responder's certificate cannot be read: {0}")]
    TrustedResponder(#[source] Error),
}

/// Builds an [`OcspClientCertVerifier`]; made by [`OcspClientCertVerifier::builder`] or
/// [`OcspClientCertVerifier::webpki_builder`].
///
/// Defaults: a [`Fetcher`] with the provider's signature algorithms and [`Verifier::new`]'s
/// defaults over [`UreqTransport`], a new [`ResponseCache`] with the default
/// [`CacheOptions`] (its failure backoff is the per-certificate one), the certificates' own
/// responders ([`ResponderPolicy::new`]) for every issuer, responder origins left alone after
/// failures by [`CacheOptions::DEFAULT_FAILURE_BACKOFF`], [`FetchSlots::new`],
/// [`RevocationCheckDepth::EndEntity`], the handshake budget
/// [`OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET`], [`PrefetchOptions::new`], rustls'
/// `DefaultTimeProvider` and the system's monotonic clock, no observer.
#[derive(Debug)]
pub struct OcspClientCertVerifierBuilder {
    /// The inner verifier given, or the `WebPkiClientVerifier` over the roots (or why it could
    /// not be built, told by `build`).
    inner: Result<Arc<dyn ClientCertVerifier>, VerifierBuilderError>,
    roots: Arc<RootCertStore>,
    policy: Policy,
    fetcher: Fetcher<'static>,
    transport: Arc<dyn Transport>,
    cache: Option<Arc<ResponseCache>>,
    issuers: Vec<IssuerResponder>,
    responders: ResponderPolicy,
    backoff: Backoff,
    slots: FetchSlots,
    depth: RevocationCheckDepth,
    wait: HandshakeWait,
    prefetch: PrefetchOptions,
    time: Arc<dyn TimeProvider>,
    mono: Arc<dyn MonotonicClock>,
    observer: Observer<ClientCertEvent>,
    jitter_seed: Option<u64>,
}

impl OcspClientCertVerifierBuilder {
    pub(super) fn new(
        inner: Option<Arc<dyn ClientCertVerifier>>,
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> Self {
        let inner = crate::rustls::given_or(inner, || {
            let webpki = WebPkiClientVerifier::builder_with_provider;
            let built: Arc<dyn ClientCertVerifier> =
                webpki(Arc::clone(&roots), Arc::clone(&provider)).build()?;
            Ok(built)
        });
        Self {
            inner,
            roots,
            fetcher: Fetcher::new(Verifier::new(
                provider.signature_verification_algorithms.all,
            )),
            policy,
            transport: Arc::new(UreqTransport),
            cache: None,
            issuers: Vec::new(),
            responders: ResponderPolicy::new(),
            backoff: CacheOptions::DEFAULT_FAILURE_BACKOFF,
            slots: FetchSlots::new(),
            depth: RevocationCheckDepth::EndEntity,
            wait: HandshakeWait::Budget(OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET),
            prefetch: PrefetchOptions::new(),
            time: Arc::new(DefaultTimeProvider),
            mono: Arc::new(SystemMonotonicClock),
            observer: Observer::new(None),
            jitter_seed: None,
        }
    }

    /// The fetcher: its timeouts, size cap, method and `CertID` hash, and the [`Verifier`] that
    /// checks what it fetches (other algorithms, skew, ages). A responder URL set on it
    /// ([`Fetcher::with_responder_url`]) is asked for every certificate whose issuer has no
    /// [`IssuerResponder`] (as [`OcspClientCertVerifierBuilder::with_responder_policy`] with
    /// that URL would).
    pub fn with_fetcher(self, fetcher: Fetcher<'static>) -> Self {
        Self { fetcher, ..self }
    }

    /// The keeper of answers and failures, for example one shared with other verifiers that
    /// check with the same [`Verifier`] settings. Its failure backoff is how long a
    /// certificate whose fetch failed is left alone.
    pub fn with_cache(self, cache: Arc<ResponseCache>) -> Self {
        Self {
            cache: Some(cache),
            ..self
        }
    }

    /// Which responders may be asked about certificates whose issuer has no
    /// [`IssuerResponder`]: by default, the URLs the certificates name. See
    /// [`ResponderPolicy`] for when those are attacker-controlled.
    pub fn with_responder_policy(self, responders: ResponderPolicy) -> Self {
        Self { responders, ..self }
    }

    /// Responders, or locally trusted responders, for the certificates of one issuer.
    /// Several can be given, one per issuer.
    pub fn with_issuer_responder(mut self, responder: IssuerResponder) -> Self {
        self.issuers.push(responder);
        self
    }

    /// How long a responder origin that failed (unreachable, nonsense, `internalError`,
    /// `tryLater`) is left alone, for every certificate.
    pub fn with_responder_backoff(self, backoff: Backoff) -> Self {
        Self { backoff, ..self }
    }

    /// How many requests run at once: in all, per responder origin, and kept for handshakes.
    pub fn with_fetch_slots(self, slots: FetchSlots) -> Self {
        Self { slots, ..self }
    }

    /// Which certificates of the chain are checked.
    pub fn with_depth(self, depth: RevocationCheckDepth) -> Self {
        Self { depth, ..self }
    }

    /// How long a handshake waits for its fetches (and for a fetch slot), from when the inner
    /// verifier returned. [`Duration::ZERO`] is the same as
    /// [`OcspClientCertVerifierBuilder::with_cache_only_handshakes`].
    pub fn with_handshake_budget(self, budget: Duration) -> Self {
        Self {
            wait: HandshakeWait::Budget(budget),
            ..self
        }
    }

    /// Handshakes never wait on the network: an answer comes from the cache (kept warm by the
    /// prefetcher and by fetches earlier handshakes started in the background), otherwise the
    /// policy decides as for "no answer", and a fetch starts in the background. The mode for
    /// servers on an async runtime, whose executor threads must not block.
    pub fn with_cache_only_handshakes(self) -> Self {
        Self {
            wait: HandshakeWait::CacheOnly,
            ..self
        }
    }

    /// What is tracked and refreshed in the background.
    pub fn with_prefetch(self, prefetch: PrefetchOptions) -> Self {
        Self { prefetch, ..self }
    }

    crate::rustls::shared_setters!(
        /// Calls `observer` with every [`ClientCertEvent`]: the outcome of every handshake
        /// whose chain the inner verifier accepted (on the thread driving the handshake, before
        /// it goes on), and responder contradictions (on the fetch thread). Handshakes judge
        /// answers at the time rustls passes them; the time provider is the prefetcher's.
        ClientCertEvent
    );

    /// Builds the verifier and starts its prefetcher. Fails as `WebPkiClientVerifier`'s
    /// builder does (for [`OcspClientCertVerifier::webpki_builder`]), when an issuer's or a
    /// trusted responder's certificate cannot be read, when a responder URL is not `http://`,
    /// and when the prefetch thread cannot be started.
    pub fn build(self) -> Result<Arc<OcspClientCertVerifier>, BuildError> {
        let issuers = self
            .issuers
            .into_iter()
            .map(IssuerResponder::check)
            .collect::<Result<Vec<_>, _>>()?;
        let mut default_policy = self.responders;
        if let Some(url) = self.fetcher.responder_url()
            && default_policy.urls().is_empty()
        {
            default_policy = default_policy.with_url(url);
        }
        if let Some(entry) = default_policy.invalid_entry() {
            return Err(BuildError::InvalidResponderUrl(String::from(entry)));
        }
        let inner = self.inner.map_err(BuildError::Inner)?;
        let cache = self.cache.unwrap_or_else(|| {
            let options = CacheOptions::new().with_clock_skew(self.fetcher.verifier().clock_skew());
            Arc::new(ResponseCache::new(options).with_monotonic_clock(Arc::clone(&self.mono)))
        });
        let answers = Arc::new(Answers {
            fetcher: self.fetcher,
            transport: self.transport,
            cache,
            responders: Responders::new(self.backoff, self.slots, self.jitter_seed),
            issuers,
            default_policy,
            flights: Signal::new(std::collections::HashMap::new()),
            tracked: Mutex::new(Bounded::new(self.prefetch.max_tracked())),
            prefetch: self.prefetch,
            time: self.time,
            mono: self.mono,
            jitter: Jitter::new(self.jitter_seed),
            counters: Counters::default(),
            observer: self.observer,
        });
        let prefetcher = if self.prefetch.is_enabled() {
            Some(Prefetcher::spawn(&answers).map_err(BuildError::Prefetcher)?)
        } else {
            None
        };
        Ok(Arc::new(OcspClientCertVerifier {
            inner,
            roots: self.roots,
            policy: self.policy,
            depth: self.depth,
            wait: self.wait,
            paths: PathMemo::new(),
            answers,
            _prefetcher: prefetcher,
        }))
    }
}
