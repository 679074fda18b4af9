//! The rustls adapter (feature `rustls`): a `ServerCertVerifier` that checks the stapled OCSP
//! response after the chain, and applies a [`Policy`].
//!
//! The documentation a user reads, with the lines a rustls user adds and the errors a rejection
//! gives, is on [`OcspStapleVerifier`] (this module is private; the types are re-exported at
//! the crate root).

use core::fmt;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use ::rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use ::rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use ::rustls::crypto::CryptoProvider;
use ::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use ::rustls::{CertificateError, DistinguishedName, RootCertStore};

use crate::cert::{Certificate, TlsFeatures};
use crate::chain;
use crate::error::Error;
use crate::policy::{Decision, Policy, Situation, Staple, Verdict};
use crate::server::bounded::{Bounded, digest};
use crate::server::observe::Observer;
use crate::server::sync::lock;
use crate::verify::{Answer, Verifier};

/// The signature checks of a rustls verifier, passed to its inner verifier unchanged: the
/// same for this adapter and for the client-certificate verifier.
macro_rules! delegate_signature_checks {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &::rustls::pki_types::CertificateDer<'_>,
            dss: &::rustls::DigitallySignedStruct,
        ) -> Result<::rustls::client::danger::HandshakeSignatureValid, ::rustls::Error> {
            self.inner.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &::rustls::pki_types::CertificateDer<'_>,
            dss: &::rustls::DigitallySignedStruct,
        ) -> Result<::rustls::client::danger::HandshakeSignatureValid, ::rustls::Error> {
            self.inner.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> ::std::vec::Vec<::rustls::SignatureScheme> {
            self.inner.supported_verify_schemes()
        }

        fn requires_raw_public_keys(&self) -> bool {
            self.inner.requires_raw_public_keys()
        }
    };
}
#[cfg(feature = "http")]
pub(crate) use delegate_signature_checks;

/// The inner verifier a builder was given, or the one `webpki` builds (rustls' own, over the
/// roots): what the adapter's and the mTLS verifier's builders keep until `build`.
pub(crate) fn given_or<V: ?Sized>(
    given: Option<Arc<V>>,
    webpki: impl FnOnce() -> Result<Arc<V>, VerifierBuilderError>,
) -> Result<Arc<V>, VerifierBuilderError> {
    given.map_or_else(webpki, Ok)
}

/// The settings the stapler's and the mTLS verifier's builders take alike (from fields of the
/// same names): the two clocks, the transport, the jitter's seed, and the observer of the
/// component's events (`$event`, documented by the attributes given).
#[cfg(feature = "http")]
macro_rules! shared_setters {
    ($(#[$observer_doc:meta])* $event:ty) => {
        /// Where wall time comes from: it judges answers (`thisUpdate`, `nextUpdate`). Give it
        /// the `TimeProvider` the `ServerConfig` uses.
        pub fn with_time_provider(
            self,
            time: ::std::sync::Arc<dyn ::rustls::time_provider::TimeProvider>,
        ) -> Self {
            Self { time, ..self }
        }

        /// Where monotonic time comes from: it measures every delay, deadline, TTL and backoff.
        /// For tests and simulations ([`crate::fetch::ManualMonotonicClock`]).
        pub fn with_monotonic_clock(
            self,
            mono: ::std::sync::Arc<dyn $crate::fetch::MonotonicClock>,
        ) -> Self {
            Self { mono, ..self }
        }

        /// The transport that carries requests to responders: the application's own HTTP
        /// client (see [`crate::fetch::Transport`]); [`crate::fetch::UreqTransport`] by default.
        pub fn with_transport(
            self,
            transport: ::std::sync::Arc<dyn $crate::fetch::Transport>,
        ) -> Self {
            Self { transport, ..self }
        }

        /// The seed of the jitter's random draws, for reproducible schedules in tests and
        /// simulations (by default a random one).
        pub fn with_jitter_seed(self, seed: u64) -> Self {
            Self {
                jitter_seed: Some(seed),
                ..self
            }
        }

        $(#[$observer_doc])*
        ///
        /// It is called outside every lock; keep it short. A panic in it is caught and counted.
        pub fn with_observer(self, observer: impl Fn(&$event) + Send + Sync + 'static) -> Self {
            Self {
                observer: $crate::server::observe::Observer::new(Some(::std::sync::Arc::new(
                    observer,
                ))),
                ..self
            }
        }
    };
}
#[cfg(feature = "http")]
pub(crate) use shared_setters;

/// What the application is told about every decision: see
/// [`OcspStapleVerifierBuilder::with_observer`].
type OcspObserver = Arc<dyn Fn(&OcspOutcome) + Send + Sync>;

/// A rustls `ServerCertVerifier` that verifies the stapled OCSP response once the inner verifier
/// has accepted the chain, and applies a [`Policy`].
///
/// rustls asks every server for a staple (`status_request`) and hands it to the certificate
/// verifier, whose default, `WebPkiServerVerifier`, ignores it. This one wraps that verifier (or
/// any other): once the inner verifier has accepted the chain, it finds the end-entity
/// certificate's issuer (among the intermediates the server sent, then among the roots),
/// verifies the staple with this crate's [`Verifier`], using the signature algorithms of the
/// rustls `CryptoProvider` in use, and lets the policy decide.
///
/// Built like rustls' own verifiers: [`OcspStapleVerifier::webpki_builder`] takes the same
/// `Arc<RootCertStore>` and `Arc<CryptoProvider>` as `WebPkiServerVerifier::builder_with_provider`
/// (so `webpki-roots` and platform roots work, and staples for certificates issued directly by a
/// root are checked against the root's name and key), [`OcspStapleVerifier::builder`] wraps any
/// inner verifier, and `build()` returns an `Arc`.
///
/// # What a rustls user adds
///
/// ```
/// use std::sync::Arc;
///
/// use ocsp_verify::{OcspStapleVerifier, Policy};
/// use rustls::{ClientConfig, RootCertStore};
/// use rustls::pki_types::CertificateDer;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let mut roots = RootCertStore::empty();
/// roots.add(CertificateDer::from(
///     &include_bytes!("../test-vectors/generated/pki/tls/tls-root.der")[..],
/// ))?;
/// // The lines a rustls user adds: a verifier with the roots and an explicit policy ...
/// let verifier = OcspStapleVerifier::webpki_builder(Arc::new(roots), provider.clone(), Policy::hard_fail())
///     .with_observer(|outcome| eprintln!("OCSP for {:?}: {}", outcome.server_name(), outcome))
///     .build()?;
/// // ... installed in place of the default one.
/// let config = ClientConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .dangerous()
///     .with_custom_certificate_verifier(verifier)
///     .with_no_client_auth();
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
///
/// # Rejections, as rustls errors
///
/// | situation | `rustls::Error::InvalidCertificate(...)` | alert sent |
/// | --- | --- | --- |
/// | revoked | `CertificateError::Revoked` | `certificate_revoked` |
/// | unknown | `CertificateError::UnknownRevocationStatus` | `unknown_ca` |
/// | no staple, or an unusable one, where the policy or must-staple requires one | `CertificateError::InvalidOcspResponse` | `bad_certificate_status_response` |
/// | an invalid staple | `CertificateError::InvalidOcspResponse` | `bad_certificate_status_response` |
/// | a TLS feature the client cannot satisfy (RFC 7633) | `CertificateError::InvalidOcspResponse` | `bad_certificate_status_response` |
/// | an end-entity certificate this crate cannot read | `CertificateError::BadEncoding` | `bad_certificate` |
///
/// `InvalidOcspResponse` carries no detail: the exact reason, with this crate's [`Error`], is in
/// the [`OcspOutcome`] given to the observer. Errors of the inner verifier are returned
/// unchanged, and the observer is not called for them.
///
/// # A verdict cache
///
/// A client that reconnects to the same server gets the same staple. The adapter keeps a small
/// bounded cache (64 entries unless told otherwise), keyed by the SHA-256 of the end-entity
/// certificate and the staple, of the answers it verified; on a hit it re-applies only the
/// time checks ([`Verifier::check_freshness`]) and the policy. The issuer need not be found
/// again: the answer was verified against the issuer whose key signed this very end-entity
/// certificate. The inner verifier still checks the chain on every handshake.
///
/// # What it does not do
///
/// - It checks only the end-entity certificate's status: rustls passes no staple for the
///   intermediates (TLS 1.3 could carry them; rustls drops them).
/// - rustls does not call the verifier on a resumed session: the decision made on the full
///   handshake holds for the tickets it issued.
/// - It fetches nothing: with no staple it can only apply the policy.
/// - It is for X.509 certificates: an inner verifier that requires raw public keys (RFC 7250)
///   makes every end-entity "certificate" unreadable, and every handshake fail.
#[derive(Debug)]
pub struct OcspStapleVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    roots: Arc<RootCertStore>,
    verifier: Verifier<'static>,
    trusted_responders: Vec<CertificateDer<'static>>,
    policy: Policy,
    observer: Observer<OcspOutcome>,
    verdicts: VerdictCache,
}

impl OcspStapleVerifier {
    /// The default number of verified staples the verdict cache keeps: 64.
    pub const DEFAULT_VERDICT_CACHE_CAPACITY: usize = 64;

    /// A builder around `inner`, which checks the chain (typically rustls'
    /// `WebPkiServerVerifier`).
    ///
    /// - `roots`: the trust anchors, the same the inner verifier trusts. They are needed to
    ///   check staples for end-entity certificates issued directly by a root (the
    ///   intermediates come from the server); only their names and keys are used.
    /// - `provider`: the rustls `CryptoProvider` whose `signature_verification_algorithms.all`
    ///   checks the signatures of the responses and of the end-entity certificate (to find its
    ///   issuer); [`OcspStapleVerifierBuilder::with_verifier`] can supply others.
    /// - `policy`: soft-fail or hard-fail, the caller's explicit choice.
    pub fn builder(
        inner: Arc<dyn ServerCertVerifier>,
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> OcspStapleVerifierBuilder {
        OcspStapleVerifierBuilder::new(Some(inner), roots, &provider, policy)
    }

    /// Like [`OcspStapleVerifier::builder`], around a `WebPkiServerVerifier` that trusts
    /// `roots` and uses `provider`, built by [`OcspStapleVerifierBuilder::build`]: the common
    /// case in one call.
    pub fn webpki_builder(
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> OcspStapleVerifierBuilder {
        OcspStapleVerifierBuilder::new(None, roots, &provider, policy)
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Verifies the staple and decides, for a chain the inner verifier accepted.
    fn decide(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Judgement {
        // RFC 6066 section 8 lets a server asked for a staple send none, and rustls passes an
        // empty response then.
        let key = (!ocsp_response.is_empty()).then(|| VerdictCache::key(end_entity, ocsp_response));
        if let Some(key) = &key
            && let Some(entry) = self.verdicts.get(key)
        {
            let staple = match self.verifier.check_freshness(&entry.answer, now) {
                Ok(()) => Staple::Verified(entry.answer),
                Err(error) => {
                    self.verdicts.remove(key);
                    Staple::Invalid(error)
                }
            };
            return Judgement {
                decision: self.policy.decide(&staple, entry.certificate.tls_features),
                answer: Some(entry.answer),
                certificate: Some(Arc::clone(&entry.certificate)),
                from_cache: true,
            };
        }

        let end_entity = match Certificate::from_der(end_entity) {
            Ok(end_entity) => end_entity,
            // Fail closed: neither the certificate's TLS features nor a staple can be checked.
            // This crate is stricter than webpki in places; no real certificate is known to
            // land here.
            Err(error) => {
                return Judgement {
                    decision: self
                        .policy
                        .decide(&Staple::Invalid(error), TlsFeatures::NoneRequired),
                    answer: None,
                    certificate: None,
                    from_cache: false,
                };
            }
        };
        let certificate = Arc::new(CertificateFacts::of(&end_entity));
        let staple = match key {
            None => Staple::Absent,
            Some(key) => match self.verify_staple(&end_entity, intermediates, ocsp_response, now) {
                Ok(answer) => {
                    self.verdicts.insert(
                        key,
                        CachedVerdict {
                            answer,
                            certificate: Arc::clone(&certificate),
                        },
                    );
                    Staple::Verified(answer)
                }
                Err(error) => Staple::Invalid(error),
            },
        };
        Judgement {
            decision: self.policy.decide(&staple, certificate.tls_features),
            answer: match staple {
                Staple::Verified(answer) => Some(answer),
                _ => None,
            },
            certificate: Some(certificate),
            from_cache: false,
        }
    }

    /// The full check of a staple: the issuer, then the core verifier.
    fn verify_staple(
        &self,
        end_entity: &Certificate<'_>,
        intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<Answer, Error> {
        // The issuer among the intermediates the server sent, then among the roots, by name
        // and signature: the server may send any certificate along with the chain, and the
        // inner verifier ignores those that do not build a path.
        let sent = chain::parse_all(intermediates);
        let algorithms = self.verifier.algorithms();
        let depth = chain::RevocationCheckDepth::EndEntity;
        let links = chain::build(end_entity, &sent, &self.roots, algorithms, depth)?;
        let path = chain::walk(end_entity, &sent, &self.roots, &links)?;
        let (_, issuer) = path.first().ok_or(Error::IssuerNotFound)?;
        let trusted = self
            .trusted_responders
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?;
        self.verifier
            .with_trusted_responders(&trusted)
            .verify(ocsp_response, end_entity, issuer, None, now)
            .map(|verified| verified.answer())
    }
}

impl ServerCertVerifier for OcspStapleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, ::rustls::Error> {
        // The chain first: a staple about a certificate nobody vouches for means nothing.
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let judgement = self.decide(end_entity, intermediates, ocsp_response, now);
        let error = rustls_error(&judgement.decision, judgement.certificate.is_none());
        if self.observer.is_set() {
            self.observer.emit(&OcspOutcome {
                server_name: server_name.to_owned(),
                now,
                stapled: !ocsp_response.is_empty(),
                decision: judgement.decision,
                answer: judgement.answer,
                certificate: judgement.certificate,
                from_cache: judgement.from_cache,
            });
        }
        match error {
            None => Ok(verified),
            Some(error) => Err(error),
        }
    }

    delegate_signature_checks!();

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// Builds an [`OcspStapleVerifier`]; made by [`OcspStapleVerifier::builder`] or
/// [`OcspStapleVerifier::webpki_builder`].
///
/// Defaults: the provider's signature algorithms with [`Verifier::new`]'s defaults, no trusted
/// responders, no observer, a verdict cache of
/// [`OcspStapleVerifier::DEFAULT_VERDICT_CACHE_CAPACITY`] entries.
pub struct OcspStapleVerifierBuilder {
    /// The inner verifier given, or the `WebPkiServerVerifier` over the roots (or why it could
    /// not be built, told by `build`).
    inner: Result<Arc<dyn ServerCertVerifier>, VerifierBuilderError>,
    roots: Arc<RootCertStore>,
    verifier: Verifier<'static>,
    trusted_responders: Vec<CertificateDer<'static>>,
    policy: Policy,
    observer: Option<OcspObserver>,
    verdict_cache_capacity: usize,
}

impl OcspStapleVerifierBuilder {
    fn new(
        inner: Option<Arc<dyn ServerCertVerifier>>,
        roots: Arc<RootCertStore>,
        provider: &Arc<CryptoProvider>,
        policy: Policy,
    ) -> Self {
        let inner = given_or(inner, || {
            let webpki = WebPkiServerVerifier::builder_with_provider;
            let built: Arc<dyn ServerCertVerifier> =
                webpki(Arc::clone(&roots), Arc::clone(provider)).build()?;
            Ok(built)
        });
        Self {
            inner,
            roots,
            verifier: Verifier::new(provider.signature_verification_algorithms.all),
            trusted_responders: Vec::new(),
            policy,
            observer: None,
            verdict_cache_capacity: OcspStapleVerifier::DEFAULT_VERDICT_CACHE_CAPACITY,
        }
    }

    /// The verifier that checks staples: other signature algorithms (the list *is* the
    /// algorithm policy), another clock skew, other ages or caps. Trusted responders are set
    /// with [`OcspStapleVerifierBuilder::with_trusted_responders`]; nonces do not apply to
    /// staples.
    pub fn with_verifier(self, verifier: Verifier<'static>) -> Self {
        Self { verifier, ..self }
    }

    /// Responders the client trusts to answer for any certificate (RFC 6960 section 4.2.2.2,
    /// [`Verifier::with_trusted_responders`]), as their certificates.
    pub fn with_trusted_responders(self, trusted_responders: Vec<CertificateDer<'static>>) -> Self {
        Self {
            trusted_responders,
            ..self
        }
    }

    /// Calls `observer` with the outcome of every handshake whose chain the inner verifier
    /// accepted, accepted or rejected, before the handshake goes on. It runs on the thread
    /// driving the handshake: keep it short (log, count, store).
    pub fn with_observer(self, observer: impl Fn(&OcspOutcome) + Send + Sync + 'static) -> Self {
        Self {
            observer: Some(Arc::new(observer)),
            ..self
        }
    }

    /// How many verified staples the verdict cache keeps (0 turns it off).
    pub fn with_verdict_cache_capacity(self, capacity: usize) -> Self {
        Self {
            verdict_cache_capacity: capacity,
            ..self
        }
    }

    /// Builds the verifier. Fails as `WebPkiServerVerifier`'s builder does (for
    /// [`OcspStapleVerifier::webpki_builder`]), and when a trusted responder's certificate
    /// cannot be read.
    pub fn build(self) -> Result<Arc<OcspStapleVerifier>, BuildError> {
        for der in &self.trusted_responders {
            Certificate::from_der(der).map_err(BuildError::TrustedResponder)?;
        }
        let inner = self.inner.map_err(BuildError::Inner)?;
        Ok(Arc::new(OcspStapleVerifier {
            inner,
            roots: self.roots,
            verifier: self.verifier,
            trusted_responders: self.trusted_responders,
            policy: self.policy,
            observer: Observer::new(self.observer),
            verdicts: VerdictCache::new(self.verdict_cache_capacity),
        }))
    }
}

impl fmt::Debug for OcspStapleVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspStapleVerifierBuilder")
            .field("inner", &self.inner)
            .field("roots", &self.roots.roots.len())
            .field("verifier", &self.verifier)
            .field("trusted_responders", &self.trusted_responders.len())
            .field("policy", &self.policy)
            .field("observer", &self.observer.is_some())
            .field("verdict_cache_capacity", &self.verdict_cache_capacity)
            .finish_non_exhaustive()
    }
}

/// Why building a rustls adapter failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The inner `WebPkiServerVerifier` could not be built (for example, no roots).
    #[error("the webpki verifier cannot be built: {0}")]
    Inner(#[source] VerifierBuilderError),
    /// A trusted responder's certificate cannot be read.
    #[error("a trusted responder's certificate cannot be read: {0}")]
    TrustedResponder(#[source] Error),
}

/// What [`OcspStapleVerifier`] decided for one handshake, and why: given to the observer.
///
/// Its `Display` is one log line, e.g. `rejected: the staple says revoked (keyCompromise)`.
#[derive(Clone, Debug)]
pub struct OcspOutcome {
    server_name: ServerName<'static>,
    now: UnixTime,
    stapled: bool,
    decision: Decision,
    answer: Option<Answer>,
    certificate: Option<Arc<CertificateFacts>>,
    from_cache: bool,
}

impl OcspOutcome {
    /// The name the client connected to.
    pub fn server_name(&self) -> &ServerName<'static> {
        &self.server_name
    }

    /// The time of the check (rustls' time provider).
    pub fn now(&self) -> UnixTime {
        self.now
    }

    /// Whether the server stapled a response (valid or not).
    pub fn stapled(&self) -> bool {
        self.stapled
    }

    /// The policy's decision, with its reason.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The answer the staple gave, when it verified (even if it was stale at this handshake:
    /// then the decision's situation says so).
    pub fn answer(&self) -> Option<Answer> {
        self.answer
    }

    /// The end-entity certificate's serial number (its content octets, as encoded), unless the
    /// certificate could not be read.
    pub fn serial(&self) -> Option<&[u8]> {
        self.certificate.as_deref().map(|c| c.serial.as_slice())
    }

    /// The end-entity certificate's subject `Name` (DER), unless the certificate could not be
    /// read.
    pub fn subject(&self) -> Option<&[u8]> {
        self.certificate.as_deref().map(|c| c.subject.as_slice())
    }

    /// Whether the staple's answer came from the verdict cache (verified on an earlier
    /// handshake, its times checked again on this one).
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// The error the handshake fails with, or `None` when the staple was accepted.
    pub fn error(&self) -> Option<::rustls::Error> {
        rustls_error(&self.decision, self.certificate.is_none())
    }
}

impl fmt::Display for OcspOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.decision, f)
    }
}

/// The rustls error for a rejection; `None` when the decision accepts.
fn rustls_error(decision: &Decision, certificate_unreadable: bool) -> Option<::rustls::Error> {
    if decision.verdict() == Verdict::Accept {
        return None;
    }
    let error = match decision.situation() {
        _ if certificate_unreadable => CertificateError::BadEncoding,
        Situation::Revoked { .. } => CertificateError::Revoked,
        Situation::Unknown => CertificateError::UnknownRevocationStatus,
        // Also `Good`, rejected only for the certificate's TLS features.
        _ => CertificateError::InvalidOcspResponse,
    };
    Some(::rustls::Error::InvalidCertificate(error))
}

/// What one handshake's check came to, before it is reported.
struct Judgement {
    decision: Decision,
    answer: Option<Answer>,
    /// `None` when the end-entity certificate could not be read.
    certificate: Option<Arc<CertificateFacts>>,
    from_cache: bool,
}

/// What the outcome and the policy need of the end-entity certificate, kept so that a verdict
/// cache hit needs no parse.
#[derive(Debug)]
struct CertificateFacts {
    serial: Vec<u8>,
    subject: Vec<u8>,
    tls_features: TlsFeatures,
}

impl CertificateFacts {
    fn of(cert: &Certificate<'_>) -> Self {
        Self {
            serial: cert.serial().to_vec(),
            subject: cert.subject().to_vec(),
            tls_features: cert.tls_features(),
        }
    }
}

/// A verified staple, as the verdict cache keeps it.
#[derive(Clone, Debug)]
struct CachedVerdict {
    answer: Answer,
    certificate: Arc<CertificateFacts>,
}

/// The adapter's verdict cache: verified staples, keyed by the SHA-256 of the end-entity
/// certificate and the staple (a collision-resistant key: no other certificate and staple can
/// share an entry), first in first out.
#[derive(Debug)]
struct VerdictCache(Mutex<Bounded<[u8; 32], CachedVerdict>>);

impl VerdictCache {
    fn new(capacity: usize) -> Self {
        Self(Mutex::new(Bounded::new(capacity)))
    }

    fn key(end_entity: &[u8], staple: &[u8]) -> [u8; 32] {
        digest([end_entity, staple])
    }

    fn get(&self, key: &[u8; 32]) -> Option<CachedVerdict> {
        lock(&self.0).get(key).cloned()
    }

    fn insert(&self, key: [u8; 32], verdict: CachedVerdict) {
        lock(&self.0).insert(key, verdict, |_| ());
    }

    fn remove(&self, key: &[u8; 32]) {
        lock(&self.0).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;
    use crate::response::CertStatus;

    fn verdict(serial: u8) -> CachedVerdict {
        let at = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
        CachedVerdict {
            answer: Answer::for_tests(CertStatus::Good, at, None),
            certificate: Arc::new(CertificateFacts {
                serial: std::vec![serial],
                subject: Vec::new(),
                tls_features: TlsFeatures::NoneRequired,
            }),
        }
    }

    fn serial(cache: &VerdictCache, key: &[u8; 32]) -> Option<u8> {
        cache
            .get(key)
            .and_then(|v| v.certificate.serial.first().copied())
    }

    #[test]
    fn the_verdict_cache_is_bounded_first_in_first_out() {
        let cache = VerdictCache::new(2);
        let keys: Vec<[u8; 32]> = (0..3u8)
            .map(|n| VerdictCache::key(&[n], b"staple"))
            .collect();
        cache.insert(keys[0], verdict(0));
        cache.insert(keys[1], verdict(1));
        // Replacing an entry evicts nothing.
        cache.insert(keys[1], verdict(11));
        assert_eq!(serial(&cache, &keys[0]), Some(0));
        assert_eq!(serial(&cache, &keys[1]), Some(11));
        // A third entry evicts the oldest.
        cache.insert(keys[2], verdict(2));
        assert_eq!(serial(&cache, &keys[0]), None);
        assert_eq!(serial(&cache, &keys[2]), Some(2));
        cache.remove(&keys[1]);
        assert_eq!(serial(&cache, &keys[1]), None);
        assert_eq!(lock(&cache.0).len(), 1);
        // Capacity 0 keeps nothing.
        let off = VerdictCache::new(0);
        off.insert(keys[0], verdict(0));
        assert_eq!(serial(&off, &keys[0]), None);
    }

    #[test]
    fn the_key_separates_the_certificate_from_the_staple() {
        // Moving a byte across the boundary changes the key.
        assert_ne!(
            VerdictCache::key(b"ab", b"c"),
            VerdictCache::key(b"a", b"bc")
        );
        assert_eq!(
            VerdictCache::key(b"ab", b"c"),
            VerdictCache::key(b"ab", b"c")
        );
    }
}
