//! The rustls adapter (feature `rustls`): a `ServerCertVerifier` that checks the stapled OCSP
//! response after the chain, and applies a [`Policy`].
//!
//! rustls asks every server for a staple (`status_request`) and hands it to the certificate
//! verifier, whose default, `WebPkiServerVerifier`, ignores it. [`OcspStapleVerifier`] wraps
//! that verifier (or any other): once the inner verifier has accepted the chain, it finds the
//! end-entity certificate's issuer, verifies the staple with this crate's [`Verifier`], using
//! the signature algorithms of the rustls `CryptoProvider` in use, and lets the policy decide.
//!
//! The documentation a user reads, with the lines a rustls user adds and the errors a rejection
//! gives, is on [`OcspStapleVerifier`] (this module is private; the types are re-exported at
//! the crate root).

use core::fmt;
use core::time::Duration;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use ::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use ::rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use ::rustls::crypto::CryptoProvider;
use ::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use ::rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};

use crate::cert::Certificate;
use crate::error::Error;
use crate::policy::{Decision, Policy, Situation, Staple, Verdict};
use crate::response::CertStatus;
use crate::signature::verify_signed_data;
use crate::verify::{ResponderAuthorization, Verifier};

/// What the application is told about every decision: see
/// [`OcspStapleVerifierBuilder::with_observer`].
pub type OcspObserver = Arc<dyn Fn(&OcspOutcome) + Send + Sync>;

/// A rustls `ServerCertVerifier` that verifies the stapled OCSP response once the inner verifier
/// has accepted the chain, and applies a [`Policy`].
///
/// rustls asks every server for a staple (`status_request`) and hands it to the certificate
/// verifier, whose default, `WebPkiServerVerifier`, ignores it. This one wraps that verifier (or
/// any other): once the inner verifier has accepted the chain, it finds the end-entity
/// certificate's issuer, verifies the staple with this crate's [`Verifier`], using the signature
/// algorithms of the rustls `CryptoProvider` in use, and lets the policy decide.
///
/// Built with [`OcspStapleVerifier::builder`] (any inner verifier) or
/// [`OcspStapleVerifier::webpki_builder`] (rustls' `WebPkiServerVerifier` over the same roots).
///
/// # What a rustls user adds
///
/// ```
/// use std::sync::Arc;
///
/// use ocsp_verify::{OcspStapleVerifier, Policy};
/// use rustls::ClientConfig;
/// use rustls::pki_types::CertificateDer;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let roots = vec![CertificateDer::from(
///     &include_bytes!("../test-vectors/generated/pki/tls/tls-root.der")[..],
/// )];
/// // The lines a rustls user adds: a verifier with the roots and an explicit policy ...
/// let verifier = OcspStapleVerifier::webpki_builder(&roots, provider.clone(), Policy::hard_fail())?
///     .with_observer(|outcome| eprintln!("OCSP for {:?}: {}", outcome.server_name(), outcome))
///     .build()?;
/// // ... installed in place of the default one.
/// let config = ClientConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .dangerous()
///     .with_custom_certificate_verifier(Arc::new(verifier))
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
/// | an end-entity certificate this crate cannot read | `CertificateError::BadEncoding` | `bad_certificate` |
///
/// `InvalidOcspResponse` carries no detail: the exact reason, with this crate's [`Error`], is in
/// the [`OcspOutcome`] given to the observer and kept by [`OcspStapleVerifier::last_outcome`].
/// Errors of the inner verifier are returned unchanged, and the observer is not called for
/// them.
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
pub struct OcspStapleVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    roots: Vec<Root>,
    verifier: Verifier<'static>,
    policy: Policy,
    observer: Option<OcspObserver>,
    last_outcome: Mutex<Option<OcspOutcome>>,
}

/// A trust anchor kept as its whole certificate: `TrustAnchor` (and so `RootCertStore`) keeps
/// only the subject and the key, and the verifier works on certificate views. The subject is
/// copied out so that a handshake parses only the roots whose name matches.
struct Root {
    subject: Vec<u8>,
    der: CertificateDer<'static>,
}

impl OcspStapleVerifier {
    /// A builder around `inner`, which checks the chain (typically rustls'
    /// `WebPkiServerVerifier`).
    ///
    /// - `roots`: the trust anchors' certificates, the same the inner verifier trusts. They are
    ///   needed to check staples for end-entity certificates issued directly by a root (the
    ///   intermediates come from the server).
    /// - `provider`: the rustls `CryptoProvider` whose `signature_verification_algorithms.all`
    ///   checks the signatures of the responses and of the end-entity certificate (to find its
    ///   issuer); [`OcspStapleVerifierBuilder::with_verifier`] can supply others.
    /// - `policy`: soft-fail or hard-fail, the caller's explicit choice.
    pub fn builder(
        inner: Arc<dyn ServerCertVerifier>,
        roots: &[CertificateDer<'_>],
        provider: &CryptoProvider,
        policy: Policy,
    ) -> OcspStapleVerifierBuilder {
        OcspStapleVerifierBuilder {
            inner,
            roots: roots.iter().map(|root| root.clone().into_owned()).collect(),
            verifier: Verifier::new(provider.signature_verification_algorithms.all),
            policy,
            observer: None,
        }
    }

    /// Like [`OcspStapleVerifier::builder`], around a `WebPkiServerVerifier` that trusts `roots`
    /// and uses `provider`: the common case in one call.
    pub fn webpki_builder(
        roots: &[CertificateDer<'_>],
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> Result<OcspStapleVerifierBuilder, VerifierBuilderError> {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(roots.iter().map(|root| root.clone().into_owned()));
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
            .build()?;
        Ok(Self::builder(inner, roots, &provider, policy))
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The verifier's settings (algorithms, clock skew, max age, caps).
    pub fn verifier(&self) -> Verifier<'static> {
        self.verifier
    }

    /// The outcome of the latest handshake this verifier decided on, for monitoring (for
    /// example, how long the server's staple stays fresh). `None` before the first.
    pub fn last_outcome(&self) -> Option<OcspOutcome> {
        match self.last_outcome.lock() {
            Ok(last) => last.clone(),
            // A panicking observer runs outside the lock; a poisoned lock still holds a whole
            // outcome.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Verifies the staple and decides, for a chain the inner verifier accepted.
    fn decide(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> OcspOutcome {
        let mut response = None;
        let mut certificate_unreadable = false;
        let decision = match Certificate::from_der(end_entity) {
            Ok(end_entity) => {
                // RFC 6066 section 8 lets a server asked for a staple send none, and rustls
                // passes an empty response then.
                let staple = if ocsp_response.is_empty() {
                    Staple::Absent
                } else {
                    self.find_issuer(&end_entity, intermediates)
                        .and_then(|issuer| {
                            self.verifier
                                .verify(ocsp_response, &end_entity, &issuer, now)
                        })
                        .into()
                };
                if let Staple::Verified(verified) = &staple {
                    response = Some(ResponseFacts {
                        this_update: verified.this_update(),
                        next_update: verified.next_update(),
                        produced_at: verified.produced_at(),
                        responder: verified.responder(),
                    });
                }
                self.policy.decide(&staple, end_entity.is_must_staple())
            }
            // Fail closed: neither the certificate's must-staple extension nor a staple can be
            // checked. This crate is stricter than webpki in places; no real certificate is
            // known to land here.
            Err(error) => {
                certificate_unreadable = true;
                self.policy.decide(&Staple::Invalid(error), false)
            }
        };
        OcspOutcome {
            server_name: server_name.to_owned(),
            now,
            stapled: !ocsp_response.is_empty(),
            decision,
            response,
            certificate_unreadable,
        }
    }

    /// The certificate that issued `end_entity`: among the intermediates the server sent, then
    /// among the roots; its subject must be the end-entity's issuer Name and its key must
    /// verify the end-entity's signature.
    ///
    /// The name alone is not enough. The server may send any certificate along with the chain;
    /// the inner verifier ignores those that do not build a path, but one with the issuer's
    /// name and the attacker's key, taken as the issuer, would make the attacker's own OCSP
    /// response (signed by that key, naming that key in its CertID) look issued by the CA.
    fn find_issuer<'a>(
        &'a self,
        end_entity: &Certificate<'_>,
        intermediates: &'a [CertificateDer<'a>],
    ) -> Result<Certificate<'a>, Error> {
        let issued = |candidate: &Certificate<'_>| {
            candidate.subject() == end_entity.issuer()
                && verify_signed_data(
                    self.verifier.algorithms(),
                    candidate.subject_public_key_info(),
                    end_entity.signed_data(),
                )
                .is_ok()
        };
        let sent = intermediates
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok());
        let roots = self
            .roots
            .iter()
            .filter(|root| root.subject == end_entity.issuer())
            .filter_map(|root| Certificate::from_der(&root.der).ok());
        sent.chain(roots)
            .find(|candidate| issued(candidate))
            .ok_or(Error::IssuerNotFound)
    }

    fn report(&self, outcome: &OcspOutcome) {
        match self.last_outcome.lock() {
            Ok(mut last) => *last = Some(outcome.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(outcome.clone()),
        }
        if let Some(observer) = &self.observer {
            observer(outcome);
        }
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
        let outcome = self.decide(end_entity, intermediates, server_name, ocsp_response, now);
        self.report(&outcome);
        match outcome.error() {
            None => Ok(verified),
            Some(error) => Err(error),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, ::rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, ::rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

impl fmt::Debug for OcspStapleVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspStapleVerifier")
            .field("inner", &self.inner)
            .field("roots", &self.roots.len())
            .field("verifier", &self.verifier)
            .field("policy", &self.policy)
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

/// Builds an [`OcspStapleVerifier`]; made by [`OcspStapleVerifier::builder`] or
/// [`OcspStapleVerifier::webpki_builder`].
///
/// Defaults: the provider's signature algorithms with [`Verifier::new`]'s defaults (5 minutes
/// of clock skew, 1 day max age for a response without nextUpdate, no lifetime cap, 64 KiB
/// size cap), no observer.
pub struct OcspStapleVerifierBuilder {
    inner: Arc<dyn ServerCertVerifier>,
    roots: Vec<CertificateDer<'static>>,
    verifier: Verifier<'static>,
    policy: Policy,
    observer: Option<OcspObserver>,
}

impl OcspStapleVerifierBuilder {
    /// The verifier that checks staples: other signature algorithms (the list *is* the
    /// algorithm policy), another clock skew, max age or caps. Trusted responders need
    /// `'static` certificates; nonces do not apply to staples.
    pub fn with_verifier(self, verifier: Verifier<'static>) -> Self {
        Self { verifier, ..self }
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

    /// Builds the verifier; fails if a root certificate cannot be read.
    pub fn build(self) -> Result<OcspStapleVerifier, Error> {
        let roots = self
            .roots
            .into_iter()
            .map(|der| {
                let subject = Certificate::from_der(&der)?.subject().to_vec();
                Ok(Root { subject, der })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(OcspStapleVerifier {
            inner: self.inner,
            roots,
            verifier: self.verifier,
            policy: self.policy,
            observer: self.observer,
            last_outcome: Mutex::new(None),
        })
    }
}

impl fmt::Debug for OcspStapleVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspStapleVerifierBuilder")
            .field("inner", &self.inner)
            .field("roots", &self.roots.len())
            .field("verifier", &self.verifier)
            .field("policy", &self.policy)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// What [`OcspStapleVerifier`] decided for one handshake, and why: given to the observer and
/// kept as the [last outcome](OcspStapleVerifier::last_outcome).
///
/// Its `Display` is one log line, e.g. `rejected: the staple says revoked (keyCompromise)`.
#[derive(Clone, Debug)]
pub struct OcspOutcome {
    server_name: ServerName<'static>,
    now: UnixTime,
    stapled: bool,
    decision: Decision,
    response: Option<ResponseFacts>,
    certificate_unreadable: bool,
}

/// What a verified response said besides the status.
#[derive(Clone, Copy, Debug)]
struct ResponseFacts {
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    produced_at: UnixTime,
    responder: ResponderAuthorization,
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

    /// Accept or reject.
    pub fn verdict(&self) -> Verdict {
        self.decision.verdict()
    }

    /// The certificate status the staple gave, when it verified.
    pub fn status(&self) -> Option<CertStatus> {
        self.decision.situation().status()
    }

    /// `thisUpdate` of the staple, when it verified.
    pub fn this_update(&self) -> Option<UnixTime> {
        self.response.map(|r| r.this_update)
    }

    /// `nextUpdate` of the staple, when it verified and has one.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.response.and_then(|r| r.next_update)
    }

    /// `producedAt` of the staple, when it verified.
    pub fn produced_at(&self) -> Option<UnixTime> {
        self.response.map(|r| r.produced_at)
    }

    /// How the staple's signer was authorised, when it verified.
    pub fn responder(&self) -> Option<ResponderAuthorization> {
        self.response.map(|r| r.responder)
    }

    /// How long until the staple's `nextUpdate` (zero once past it), when it verified and has
    /// one: the number to watch to see a server's staple go stale before clients refuse it.
    pub fn time_to_next_update(&self) -> Option<Duration> {
        let next_update = self.next_update()?.as_secs();
        Some(Duration::from_secs(
            next_update.saturating_sub(self.now.as_secs()),
        ))
    }

    /// The error the handshake fails with, or `None` when the staple was accepted.
    pub fn error(&self) -> Option<::rustls::Error> {
        if self.decision.verdict() == Verdict::Accept {
            return None;
        }
        let error = match self.decision.situation() {
            _ if self.certificate_unreadable => CertificateError::BadEncoding,
            Situation::Revoked { .. } => CertificateError::Revoked,
            Situation::Unknown => CertificateError::UnknownRevocationStatus,
            // Also `Good`, which no policy rejects.
            _ => CertificateError::InvalidOcspResponse,
        };
        Some(::rustls::Error::InvalidCertificate(error))
    }
}

impl fmt::Display for OcspOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.decision, f)
    }
}
