//! Client-certificate revocation for rustls servers (features `rustls` and `http`): a rustls
//! `ClientCertVerifier` that, once the inner verifier has accepted a client's chain, obtains an
//! OCSP answer about the client's certificate (from the cache, or from its responder within a
//! handshake budget) and applies a [`Policy`].
//!
//! The documentation a user reads (the lines a server adds, the policy table for client
//! certificates, the errors a refusal gives) is on [`OcspClientCertVerifier`]; this module is
//! private and its types are re-exported at the crate root.
//!
//! What happens in a handshake, in order, once the inner verifier has accepted the chain:
//!
//! 1. The path. The end-entity certificate's issuer is looked for among the intermediates the
//!    client sent, then among the roots: its subject must be the certificate's issuer Name
//!    **and** its key must verify the certificate's signature (a client may send any
//!    certificate along; one with the right name and its own key, taken as the issuer, would
//!    make its own OCSP answers look like the CA's). With [`RevocationDepth::WholeChain`] the
//!    same is done for each intermediate up to a trust anchor. The path is remembered per
//!    presented chain (the SHA-256 of its bytes), so a returning client costs no signature
//!    check.
//! 2. For each certificate of the path below the trust anchor, an answer: from the cache,
//!    the failure memory, a running fetch or a new one (`src/client_answers.rs` says how). All
//!    fetches start before the first wait.
//! 3. The handshake waits for its fetches until its budget, counted from the moment the inner
//!    verifier returned, has run out. A fetch still running then goes on and fills the cache,
//!    or the failure memory, for the next handshake.
//! 4. What was obtained becomes the policy's input: an answer verified and fresh at this
//!    handshake's `now`, no answer, or the verifier's refusal, sorted as the table on
//!    [`OcspClientCertVerifier`] says (`staple_of_fetch_error`).
//! 5. The policy decides for each certificate; the first refusal, nearest the end-entity,
//!    is the handshake's.
//!
//! Deliberately not done, and why:
//!
//! - No nonce is sent. Responders behind caches (RFC 5019) answer without one, which the
//!   verifier would refuse, and a cached answer is shared by many handshakes anyway; freshness
//!   rests on `thisUpdate` and `nextUpdate` (profile rule 13).
//! - The TLS feature extension (RFC 7633) is not applied to client certificates: it is a
//!   promise about what a TLS *server* presenting the certificate staples, and here the server
//!   fetches the status itself. [`TlsFeatures::NoneRequired`] is passed to the policy.
//! - rustls does not hand over the path the inner verifier built. It is found again by name
//!   and signature; with cross-signed intermediates it can differ from webpki's.
//! - Resumed sessions are not checked again: rustls does not call the verifier for them.

use core::fmt;
use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::string::ToString;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::client::danger::HandshakeSignatureValid;
use ::rustls::crypto::CryptoProvider;
use ::rustls::pki_types::{CertificateDer, UnixTime};
use ::rustls::server::WebPkiClientVerifier;
use ::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use ::rustls::time_provider::{DefaultTimeProvider, TimeProvider};
use ::rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};
use sha2::{Digest as _, Sha256};

use crate::cache::{self, FailureKind, ResponseCache};
use crate::cert::{Certificate, TlsFeatures};
use crate::client_answers::{
    AnswerSource, Answers, ClientCertSnapshot, Flight, FlightResult, IssuerConfig, IssuerResponder,
    Job, Obtained, PrefetchOptions, Start, Stop, lock, staple_of_fetch_error,
};
use crate::error::Error;
use crate::fetcher::{FetchError, Fetcher};
use crate::issuer::Issuer;
use crate::policy::{Decision, Policy, Situation, Staple};
use crate::request::{ReqCert, is_http_url};
use crate::rustls::BuildError;
use crate::verify::{Answer, Verifier};

/// What the application is told about every decision: see
/// [`OcspClientCertVerifierBuilder::with_observer`].
pub type ClientCertObserver = Arc<dyn Fn(&ClientCertOutcome) + Send + Sync>;

/// At most this many presented chains have their path remembered.
const PATH_MEMO_CAPACITY: usize = 1024;

/// A rustls `ClientCertVerifier` for servers that require client certificates (mTLS): once the
/// inner verifier has accepted the client's chain, it obtains an OCSP answer about the client's
/// certificate and applies a [`Policy`].
///
/// rustls' `WebPkiClientVerifier` checks revocation only against CRLs the server loaded. This
/// verifier wraps it (or any other inner verifier) and asks the certificate's OCSP responder,
/// with what a busy server needs around that:
///
/// - **a cache** of verified answers ([`ResponseCache`], shareable), so that a returning client
///   costs a lookup;
/// - **a handshake budget** ([`OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET`], 2 s): rustls
///   calls verifiers synchronously, so a fetch blocks the handshake; once the budget has run out
///   the policy decides as for an unreachable responder, and the fetch goes on in the
///   background to fill the cache (later handshakes do not wait for a fetch that has already
///   outlasted one budget);
/// - **failure memory**: a responder that just failed is not asked again for the cache's
///   failure lifetime (5 minutes by default), for any certificate;
/// - **single flight**: concurrent handshakes for the same certificate share one fetch;
/// - **prefetch**: certificates seen recently are refreshed in the background before their
///   cached answer expires ([`PrefetchOptions`]), so that steady-state handshakes never wait on
///   the network, and [`OcspClientCertVerifier::prefetch`] warms the cache for known clients;
/// - **responders per issuer** ([`IssuerResponder`]): a URL for a private CA whose certificates
///   name none, and responders trusted locally for that issuer's certificates;
/// - **depth**: the end-entity only by default, or every certificate below the trust anchor
///   ([`RevocationDepth`]).
///
/// Built like rustls' own verifiers and like [`crate::OcspStapleVerifier`]:
/// [`OcspClientCertVerifier::webpki_builder`] takes the `Arc<RootCertStore>` and
/// `Arc<CryptoProvider>` that `WebPkiClientVerifier::builder_with_provider` takes,
/// [`OcspClientCertVerifier::builder`] wraps any inner verifier, and `build()` returns an
/// `Arc`.
///
/// # What a server adds
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use ocsp_verify::Policy;
/// use ocsp_verify::mtls::OcspClientCertVerifier;
/// use rustls::pki_types::CertificateDer;
/// use rustls::{RootCertStore, ServerConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let mut client_roots = RootCertStore::empty();
/// client_roots.add(CertificateDer::from(
///     &include_bytes!("../test-vectors/generated/pki/tls/tls-root.der")[..],
/// ))?;
/// // The lines a server adds: the client-certificate verifier, with an explicit policy ...
/// let verifier =
///     OcspClientCertVerifier::webpki_builder(Arc::new(client_roots), provider.clone(), Policy::hard_fail())
///         .with_handshake_budget(Duration::from_secs(1))
///         .with_observer(|outcome| eprintln!("client certificate: {outcome}"))
///         .build()?;
/// // ... installed where `WebPkiClientVerifier` would be.
/// let config = ServerConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .with_client_cert_verifier(verifier.clone());
/// # let _ = config;
/// // Later, from a handler or a metrics endpoint:
/// let snapshot = verifier.snapshot();
/// assert_eq!(snapshot.handshakes, 0);
/// # Ok(())
/// # }
/// ```
///
/// # The policy for client certificates, and the errors
///
/// The same [`Policy`] as for staples, applied to what the server obtained itself. Which row a
/// fetched answer falls into (what "no answer" and "unusable" mean here):
///
/// | situation | soft-fail | hard-fail | `rustls::Error::InvalidCertificate(...)` | alert |
/// | --- | --- | --- | --- | --- |
/// | good and fresh | accept | accept | | |
/// | revoked | reject | reject | `Revoked` | `certificate_revoked` |
/// | unknown | reject | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | no answer: no responder URL; the responder unreachable (DNS, connect, timeout, HTTP 5xx, OCSP `internalError`) or answering something that is not OCSP (another HTTP status, content type, not DER, too large); the budget ran out; the responder failed recently; too many fetches in flight | accept | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | an unusable answer: stale (past `nextUpdate`, too old), not yet valid, or `tryLater` | accept (as no answer) | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | an invalid answer: a bad signature, an unauthorised responder (forged), an answer about another certificate (foreign), any other OCSP error status, and every other verifier [`Error`] | reject | reject | `InvalidOcspResponse` | `bad_certificate_status_response` |
/// | a client certificate this crate cannot read | reject | reject | `BadEncoding` | `bad_certificate` |
///
/// An unreachable responder is "no answer" because the client cannot do anything about it; an
/// answer that fails verification is refused by every policy because it is what an attacker
/// between the server and the responder, or a misconfigured responder, produces, and it
/// should be seen, not averaged away. The policy's overrides apply as for staples (for example
/// [`Policy::with_unusable_staple_rejected`]). The exact reason, with this crate's [`Error`] or
/// the [`FetchError`], is in the [`ClientCertOutcome`] given to the observer; errors of the
/// inner verifier are returned unchanged, and the observer is not called for them.
///
/// # Threads and time
///
/// Fetches run on threads of their own (one per certificate being fetched, bounded); a
/// background thread refreshes tracked certificates (unless [`PrefetchOptions::disabled`]).
/// The handshake's time is the `now` rustls passes; the prefetcher's comes from a rustls
/// `TimeProvider` ([`OcspClientCertVerifierBuilder::with_time_provider`]; by default rustls'
/// `DefaultTimeProvider`, the system clock, which a `ServerConfig` uses by default too).
///
/// In an async server, a handshake that misses the cache blocks its executor thread for up to
/// the budget: keep the budget short, and let prefetch keep the cache warm.
pub struct OcspClientCertVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    roots: Arc<RootCertStore>,
    policy: Policy,
    depth: RevocationDepth,
    budget: Duration,
    observer: Option<ClientCertObserver>,
    paths: PathMemo,
    answers: Arc<Answers>,
    stop: Arc<Stop>,
}

impl OcspClientCertVerifier {
    /// The default handshake budget: 2 seconds. Long enough for a responder on the same
    /// continent to answer a first handshake; short enough that a dead one costs a client far
    /// less than its own connect timeout. With the cache warm, handshakes do not wait at all.
    pub const DEFAULT_HANDSHAKE_BUDGET: Duration = Duration::from_secs(2);

    /// The default number of fetches running at once: 32.
    pub const DEFAULT_MAX_FETCHES_IN_FLIGHT: usize = 32;

    /// A builder around `inner`, which checks the chain (typically rustls'
    /// `WebPkiClientVerifier`).
    ///
    /// - `roots`: the trust anchors, the same the inner verifier trusts: a client certificate
    ///   issued directly by a root is asked about with the root as its issuer (only the roots'
    ///   names and keys are used).
    /// - `provider`: the rustls `CryptoProvider` whose `signature_verification_algorithms.all`
    ///   checks the responses and the certificates' signatures (to find their issuers);
    ///   [`OcspClientCertVerifierBuilder::with_fetcher`] can supply another verifier.
    /// - `policy`: soft-fail or hard-fail, the caller's explicit choice.
    pub fn builder(
        inner: Arc<dyn ClientCertVerifier>,
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> OcspClientCertVerifierBuilder {
        OcspClientCertVerifierBuilder::new(Some(inner), roots, provider, policy)
    }

    /// Like [`OcspClientCertVerifier::builder`], around a `WebPkiClientVerifier` that trusts
    /// `roots`, uses `provider` and requires a client certificate, built by
    /// [`OcspClientCertVerifierBuilder::build`]: the common case in one call.
    pub fn webpki_builder(
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> OcspClientCertVerifierBuilder {
        OcspClientCertVerifierBuilder::new(None, roots, provider, policy)
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The cache of answers (and of failures), as shared with
    /// [`OcspClientCertVerifierBuilder::with_cache`].
    pub fn cache(&self) -> &Arc<ResponseCache> {
        &self.answers.cache
    }

    /// Counters of what the verifier did since it was built, and its current state.
    pub fn snapshot(&self) -> ClientCertSnapshot {
        self.answers.snapshot()
    }

    /// Warms the cache for a client known in advance: finds the issuers of `chain` (the
    /// end-entity first, then intermediates, as a client would send it) among the chain and the
    /// roots, starts a background fetch for each certificate the depth covers whose cached
    /// answer is missing or near its end, and tracks them for refresh. Returns the number of
    /// fetches started; [`OcspClientCertVerifier::wait_for_fetches`] waits for them.
    ///
    /// The chain is not validated (no handshake is made): it only decides what is fetched,
    /// and answers are verified as always. The time is the verifier's clock's; a clock that
    /// gives no time starts nothing. Fails when the end-entity certificate cannot be read
    /// ([`Error::BadDer`] and the like) or an issuer is not found ([`Error::IssuerNotFound`]).
    pub fn prefetch(&self, chain: &[CertificateDer<'_>]) -> Result<usize, Error> {
        let Some((end_entity, intermediates)) = chain.split_first() else {
            return Ok(0);
        };
        let Some(now) = self.answers.clock.current_time() else {
            return Ok(0);
        };
        let end_entity = Certificate::from_der(end_entity)?;
        let parsed = parse_all(intermediates);
        let links = self.build_path(&end_entity, &parsed)?;
        let path = self.walk(&end_entity, &parsed, &links)?;
        let mut started = 0;
        for (cert, issuer) in &path {
            let req_cert = ReqCert::new(cert, issuer, self.answers.fetcher.hash_algorithm())?;
            let key = cache::key(&req_cert);
            self.answers.track(&key, cert, issuer, now);
            if self.answers.needs_refresh(&req_cert, now)
                && self
                    .answers
                    .start_prefetch(&key, cert, issuer, &req_cert, now)
            {
                started += 1;
            }
        }
        Ok(started)
    }

    /// Waits until no fetch is running (started by a handshake, the prefetcher or
    /// [`OcspClientCertVerifier::prefetch`]), for at most `timeout`; returns whether none is.
    pub fn wait_for_fetches(&self, timeout: Duration) -> bool {
        self.answers.wait_idle(timeout)
    }

    /// Obtains the answers and decides, for a chain the inner verifier accepted.
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
        started: Instant,
    ) -> ClientCertOutcome {
        let deadline = started.checked_add(self.budget);
        let certificate = match Certificate::from_der(end_entity) {
            Ok(certificate) => certificate,
            // Fail closed. This crate is stricter than webpki in places; no real certificate is
            // known to land here.
            Err(error) => {
                let check = CertificateCheck::unreadable(self.policy, error);
                return ClientCertOutcome::new(now, started, std::vec![check]);
            }
        };
        let parsed = parse_all(intermediates);
        let path = self
            .paths
            .get_or_build(end_entity.as_ref(), intermediates, || {
                self.build_path(&certificate, &parsed)
            })
            .and_then(|links| self.walk(&certificate, &parsed, &links));
        let path = match path {
            Ok(path) => path,
            Err(error) => {
                let check = CertificateCheck::not_asked(0, &certificate, self.policy, error);
                return ClientCertOutcome::new(now, started, std::vec![check]);
            }
        };
        // Every fetch starts before the first wait, so that they share the budget.
        let pending: Vec<Pending> = path
            .iter()
            .enumerate()
            .map(|(depth, (cert, issuer))| self.begin(depth, cert, issuer, now))
            .collect();
        let checks = pending
            .into_iter()
            .map(|pending| self.finish(pending, deadline, now))
            .collect();
        ClientCertOutcome::new(now, started, checks)
    }

    /// Looks in the cache, or starts or joins a fetch, for one certificate of the path.
    fn begin(
        &self,
        depth: usize,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
    ) -> Pending {
        Pending {
            depth,
            serial: cert.serial().to_vec(),
            subject: cert.subject().to_vec(),
            state: self.obtain(cert, issuer, now),
        }
    }

    fn obtain(&self, cert: &Certificate<'_>, issuer: &Issuer<'_>, now: UnixTime) -> PendingState {
        let answers = &self.answers;
        let req_cert = match ReqCert::new(cert, issuer, answers.fetcher.hash_algorithm()) {
            Ok(req_cert) => req_cert,
            Err(error) => return PendingState::Ready(Obtained::not_asked(Staple::Invalid(error))),
        };
        let key = cache::key(&req_cert);
        answers.track(&key, cert, issuer, now);
        if let Some(obtained) = answers.cached(answers.cache.lookup(&req_cert, now), now) {
            return PendingState::Ready(obtained);
        }
        let config = answers.issuer_config(issuer);
        let urls = answers.responder_urls(cert, config);
        if urls.is_empty() {
            return PendingState::Ready(Obtained::no_answer(AnswerSource::NoResponder));
        }
        let (live, until) = answers.live_urls(urls, now);
        if live.is_empty() {
            let kind = FailureKind::Unreachable;
            return PendingState::Ready(Obtained::no_answer(AnswerSource::RecentFailure {
                kind,
                until,
            }));
        }
        let job = || Job::new(key.clone(), cert, issuer, &live, config, now, false);
        match answers.start(&key, &req_cert, now, false, job) {
            Start::Ready(obtained) => PendingState::Ready(obtained),
            Start::Started(flight) => PendingState::Waiting {
                flight,
                source: AnswerSource::Fetch,
            },
            Start::Joined(flight) => PendingState::Waiting {
                flight,
                source: AnswerSource::SharedFetch,
            },
            Start::Overloaded => PendingState::Ready(Obtained::no_answer(AnswerSource::Overloaded)),
        }
    }

    /// Waits for a fetch, if one is pending, and decides.
    fn finish(
        &self,
        pending: Pending,
        deadline: Option<Instant>,
        now: UnixTime,
    ) -> CertificateCheck {
        let obtained = match pending.state {
            PendingState::Ready(obtained) => obtained,
            PendingState::Waiting { flight, source } => match flight.wait_until(deadline) {
                None => Obtained::no_answer(AnswerSource::BudgetExhausted),
                Some(FlightResult::Answer(response)) => {
                    // Verified at the `now` of the handshake that started the fetch; checked
                    // again at this one's.
                    let answer = response.answer();
                    let staple = match self.answers.verifier().check_freshness(&answer, now) {
                        Ok(()) => Staple::Verified(answer),
                        Err(error) => Staple::Invalid(error),
                    };
                    Obtained {
                        staple,
                        answer: Some(answer),
                        source,
                        fetch_error: None,
                    }
                }
                Some(FlightResult::Failed(error)) => Obtained {
                    staple: staple_of_fetch_error(&error),
                    answer: None,
                    source: error
                        .failure_kind()
                        .map_or(AnswerSource::NotAsked, AnswerSource::FetchFailed),
                    fetch_error: Some(error),
                },
            },
        };
        CertificateCheck {
            depth: pending.depth,
            certificate: Some(Arc::new(CertificateFacts {
                serial: pending.serial,
                subject: pending.subject,
            })),
            decision: self
                .policy
                .decide(&obtained.staple, TlsFeatures::NoneRequired),
            answer: obtained.answer,
            source: obtained.source,
            fetch_error: obtained.fetch_error,
        }
    }

    /// The issuers of the end-entity certificate and, with [`RevocationDepth::WholeChain`], of
    /// each intermediate up to a trust anchor.
    fn build_path(
        &self,
        end_entity: &Certificate<'_>,
        intermediates: &[Option<Certificate<'_>>],
    ) -> Result<Vec<IssuedBy>, Error> {
        let mut links = Vec::new();
        let mut used = std::vec![false; intermediates.len()];
        let mut current = end_entity.clone();
        // Each intermediate is used at most once, so the path has at most one link more than
        // there are intermediates.
        for _ in 0..=intermediates.len() {
            let link = self
                .find_issuer(&current, intermediates, &used)
                .ok_or(Error::IssuerNotFound)?;
            links.push(link);
            let IssuedBy::Intermediate(index) = link else {
                break;
            };
            if self.depth == RevocationDepth::EndEntity {
                break;
            }
            let (Some(flag), Some(Some(next))) = (used.get_mut(index), intermediates.get(index))
            else {
                return Err(Error::IssuerNotFound);
            };
            *flag = true;
            current = next.clone();
        }
        Ok(links)
    }

    /// The CA that issued `cert`: among the intermediates not used yet, then among the roots;
    /// its subject must be `cert`'s issuer Name and its key must verify `cert`'s signature.
    fn find_issuer(
        &self,
        cert: &Certificate<'_>,
        intermediates: &[Option<Certificate<'_>>],
        used: &[bool],
    ) -> Option<IssuedBy> {
        let algorithms = self.answers.verifier().algorithms();
        let issued = |issuer: &Issuer<'_>| issuer.issued(cert, algorithms);
        for (index, candidate) in intermediates.iter().enumerate() {
            let (Some(candidate), Some(false)) = (candidate, used.get(index)) else {
                continue;
            };
            let issuer = Issuer::from(candidate);
            if issued(&issuer) {
                // A client that sends a trust anchor along (its root, or a cross-signed copy
                // of one): the path ends there, as webpki's does.
                return Some(match self.root_index(&issuer) {
                    Some(root) => IssuedBy::Root(root),
                    None => IssuedBy::Intermediate(index),
                });
            }
        }
        self.roots
            .roots
            .iter()
            .enumerate()
            .find_map(|(index, anchor)| {
                let issuer = Issuer::from_trust_anchor(anchor).ok()?;
                issued(&issuer).then_some(IssuedBy::Root(index))
            })
    }

    /// The index of the root with this issuer's name and key.
    fn root_index(&self, issuer: &Issuer<'_>) -> Option<usize> {
        self.roots.roots.iter().position(|anchor| {
            anchor.subject.as_ref() == issuer.name()
                && anchor.subject_public_key_info.as_ref()
                    == issuer.subject_public_key_info_contents()
        })
    }

    /// The certificates of the path with their issuers, end-entity first.
    fn walk<'c>(
        &'c self,
        end_entity: &Certificate<'c>,
        intermediates: &[Option<Certificate<'c>>],
        links: &[IssuedBy],
    ) -> Result<Vec<(Certificate<'c>, Issuer<'c>)>, Error> {
        let mut path = Vec::with_capacity(links.len());
        let mut subject = end_entity.clone();
        for link in links {
            let (issuer, next) = match *link {
                IssuedBy::Intermediate(index) => {
                    let issuing = intermediates
                        .get(index)
                        .and_then(Option::as_ref)
                        .ok_or(Error::IssuerNotFound)?;
                    (Issuer::from(issuing), Some(issuing.clone()))
                }
                IssuedBy::Root(index) => {
                    let anchor = self.roots.roots.get(index).ok_or(Error::IssuerNotFound)?;
                    (Issuer::from_trust_anchor(anchor)?, None)
                }
            };
            path.push((subject, issuer));
            match next {
                Some(next) => subject = next,
                None => break,
            }
        }
        Ok(path)
    }
}

impl ClientCertVerifier for OcspClientCertVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, ::rustls::Error> {
        // The chain first: the status of a certificate nobody vouches for means nothing.
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        let outcome = self.check(end_entity, intermediates, now, Instant::now());
        let counters = &self.answers.counters;
        counters.record_handshake(outcome.decision().is_accepted());
        for check in outcome.checks() {
            counters.record_check(check.decision().situation(), check.source());
        }
        let error = outcome.error();
        if let Some(observer) = &self.observer {
            observer(&outcome);
        }
        match error {
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
}

impl Drop for OcspClientCertVerifier {
    /// Stops the prefetcher. Fetches still running end by themselves, within the fetcher's
    /// timeout.
    fn drop(&mut self) {
        self.stop.stop();
    }
}

impl fmt::Debug for OcspClientCertVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspClientCertVerifier")
            .field("inner", &self.inner)
            .field("roots", &self.roots.roots.len())
            .field("policy", &self.policy)
            .field("depth", &self.depth)
            .field("budget", &self.budget)
            .field("fetcher", &self.answers.fetcher)
            .field("issuers", &self.answers.issuers.len())
            .field("prefetch", &self.answers.prefetch)
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

/// Builds an [`OcspClientCertVerifier`]; made by [`OcspClientCertVerifier::builder`] or
/// [`OcspClientCertVerifier::webpki_builder`].
///
/// Defaults: a [`Fetcher`] with the provider's signature algorithms and [`Verifier::new`]'s
/// defaults (and the fetcher's own timeouts, which bound a fetch that goes on after the
/// budget), a new [`ResponseCache`] with the default [`crate::fetch::CacheOptions`] (its
/// failure lifetime is the failure memory's), no per-issuer responders,
/// [`RevocationDepth::EndEntity`], the handshake budget
/// [`OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET`],
/// [`OcspClientCertVerifier::DEFAULT_MAX_FETCHES_IN_FLIGHT`] fetches at once,
/// [`PrefetchOptions::new`], rustls' `DefaultTimeProvider`, no observer.
pub struct OcspClientCertVerifierBuilder {
    /// `None`: a `WebPkiClientVerifier` over the roots, made by `build`.
    inner: Option<Arc<dyn ClientCertVerifier>>,
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
    policy: Policy,
    fetcher: Fetcher<'static>,
    cache: Option<Arc<ResponseCache>>,
    issuers: Vec<IssuerResponder>,
    depth: RevocationDepth,
    budget: Duration,
    max_fetches_in_flight: usize,
    prefetch: PrefetchOptions,
    clock: Arc<dyn TimeProvider>,
    observer: Option<ClientCertObserver>,
}

impl OcspClientCertVerifierBuilder {
    fn new(
        inner: Option<Arc<dyn ClientCertVerifier>>,
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
        policy: Policy,
    ) -> Self {
        Self {
            inner,
            roots,
            fetcher: Fetcher::new(Verifier::new(
                provider.signature_verification_algorithms.all,
            )),
            provider,
            policy,
            cache: None,
            issuers: Vec::new(),
            depth: RevocationDepth::EndEntity,
            budget: OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET,
            max_fetches_in_flight: OcspClientCertVerifier::DEFAULT_MAX_FETCHES_IN_FLIGHT,
            prefetch: PrefetchOptions::new(),
            clock: Arc::new(DefaultTimeProvider),
            observer: None,
        }
    }

    /// The fetcher: its timeouts, size cap, method and `CertID` hash, and the [`Verifier`] that
    /// checks what it fetches (other algorithms, skew, ages). A responder URL set on it
    /// ([`Fetcher::with_responder_url`]) is asked for every certificate whose issuer has no
    /// [`IssuerResponder`] URL, instead of the certificate's own.
    pub fn with_fetcher(self, fetcher: Fetcher<'static>) -> Self {
        Self { fetcher, ..self }
    }

    /// The cache of answers and failures, for example one shared with other verifiers that
    /// check with the same [`Verifier`] settings. Its failure lifetime is how long a failed
    /// responder is left alone.
    pub fn with_cache(self, cache: Arc<ResponseCache>) -> Self {
        Self {
            cache: Some(cache),
            ..self
        }
    }

    /// A responder URL, or locally trusted responders, for the certificates of one issuer.
    /// Several can be given, one per issuer.
    pub fn with_issuer_responder(mut self, responder: IssuerResponder) -> Self {
        self.issuers.push(responder);
        self
    }

    /// Which certificates of the chain are checked.
    pub fn with_depth(self, depth: RevocationDepth) -> Self {
        Self { depth, ..self }
    }

    /// How long a handshake waits for its fetches, from when the inner verifier returned.
    /// [`Duration::ZERO`] never waits: a certificate not in the cache is "no answer", and a
    /// fetch starts in the background.
    pub fn with_handshake_budget(self, budget: Duration) -> Self {
        Self { budget, ..self }
    }

    /// The most fetches running at once; a handshake that would start one more gets "no
    /// answer" ([`AnswerSource::Overloaded`]).
    pub fn with_max_fetches_in_flight(self, max_fetches_in_flight: usize) -> Self {
        Self {
            max_fetches_in_flight,
            ..self
        }
    }

    /// What is tracked and refreshed in the background.
    pub fn with_prefetch(self, prefetch: PrefetchOptions) -> Self {
        Self { prefetch, ..self }
    }

    /// The clock of the prefetcher and of [`OcspClientCertVerifier::prefetch`]; give it the
    /// `TimeProvider` the `ServerConfig` uses.
    pub fn with_time_provider(self, clock: Arc<dyn TimeProvider>) -> Self {
        Self { clock, ..self }
    }

    /// Calls `observer` with the outcome of every handshake whose chain the inner verifier
    /// accepted, accepted or rejected, before the handshake goes on. It runs on the thread
    /// driving the handshake: keep it short (log, count, store).
    pub fn with_observer(
        self,
        observer: impl Fn(&ClientCertOutcome) + Send + Sync + 'static,
    ) -> Self {
        Self {
            observer: Some(Arc::new(observer)),
            ..self
        }
    }

    /// Builds the verifier and starts its prefetcher. Fails as `WebPkiClientVerifier`'s
    /// builder does (for [`OcspClientCertVerifier::webpki_builder`]), when an issuer's or a
    /// trusted responder's certificate cannot be read, when a responder URL is not `http://`,
    /// and when the prefetch thread cannot be started.
    pub fn build(self) -> Result<Arc<OcspClientCertVerifier>, BuildError> {
        let issuers = self
            .issuers
            .into_iter()
            .map(IssuerConfig::new)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(url) = self.fetcher.responder_url()
            && !is_http_url(url)
        {
            return Err(BuildError::InvalidResponderUrl(url.to_string()));
        }
        let inner = match self.inner {
            Some(inner) => inner,
            None => {
                WebPkiClientVerifier::builder_with_provider(Arc::clone(&self.roots), self.provider)
                    .build()
                    .map_err(BuildError::Inner)?
            }
        };
        let answers = Arc::new(Answers::new(
            self.fetcher,
            self.cache.unwrap_or_default(),
            issuers,
            self.max_fetches_in_flight,
            self.prefetch,
            self.clock,
        ));
        let stop = Arc::new(Stop::default());
        if self.prefetch.is_enabled() {
            answers
                .spawn_prefetcher(&stop)
                .map_err(BuildError::Prefetcher)?;
        }
        Ok(Arc::new(OcspClientCertVerifier {
            inner,
            roots: self.roots,
            policy: self.policy,
            depth: self.depth,
            budget: self.budget,
            observer: self.observer,
            paths: PathMemo::default(),
            answers,
            stop,
        }))
    }
}

impl fmt::Debug for OcspClientCertVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspClientCertVerifierBuilder")
            .field("inner", &self.inner)
            .field("roots", &self.roots.roots.len())
            .field("policy", &self.policy)
            .field("fetcher", &self.fetcher)
            .field("cache", &self.cache.is_some())
            .field("issuers", &self.issuers)
            .field("depth", &self.depth)
            .field("budget", &self.budget)
            .field("max_fetches_in_flight", &self.max_fetches_in_flight)
            .field("prefetch", &self.prefetch)
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

/// Which certificates of a client's chain [`OcspClientCertVerifier`] asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RevocationDepth {
    /// The client's own certificate only (the default), as webpki's
    /// `only_check_end_entity_revocation`. Intermediates are revoked rarely, and their
    /// responders are often the CA's offline-signed ones.
    #[default]
    EndEntity,
    /// Every certificate below the trust anchor: the end-entity and each intermediate of the
    /// path. Each needs an answer; their fetches run at the same time, within one budget.
    WholeChain,
}

/// The check of one certificate of a client's chain: part of a [`ClientCertOutcome`].
#[derive(Clone, Debug)]
pub struct CertificateCheck {
    depth: usize,
    /// `None` when the certificate could not be read.
    certificate: Option<Arc<CertificateFacts>>,
    decision: Decision,
    answer: Option<Answer>,
    source: AnswerSource,
    fetch_error: Option<Arc<FetchError>>,
}

#[derive(Debug)]
struct CertificateFacts {
    serial: Vec<u8>,
    subject: Vec<u8>,
}

impl CertificateCheck {
    fn unreadable(policy: Policy, error: Error) -> Self {
        Self {
            depth: 0,
            certificate: None,
            decision: policy.decide(&Staple::Invalid(error), TlsFeatures::NoneRequired),
            answer: None,
            source: AnswerSource::NotAsked,
            fetch_error: None,
        }
    }

    fn not_asked(depth: usize, cert: &Certificate<'_>, policy: Policy, error: Error) -> Self {
        Self {
            depth,
            certificate: Some(Arc::new(CertificateFacts {
                serial: cert.serial().to_vec(),
                subject: cert.subject().to_vec(),
            })),
            decision: policy.decide(&Staple::Invalid(error), TlsFeatures::NoneRequired),
            answer: None,
            source: AnswerSource::NotAsked,
            fetch_error: None,
        }
    }

    /// 0 for the client's own certificate, 1 for the intermediate that issued it, and so on.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The certificate's serial number (its content octets, as encoded), unless it could not
    /// be read.
    pub fn serial(&self) -> Option<&[u8]> {
        self.certificate.as_deref().map(|c| c.serial.as_slice())
    }

    /// The certificate's subject `Name` (DER), unless it could not be read.
    pub fn subject(&self) -> Option<&[u8]> {
        self.certificate.as_deref().map(|c| c.subject.as_slice())
    }

    /// The policy's decision about this certificate, with its reason.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The verified answer, when there is one (even if it was stale at this handshake: then
    /// the decision's situation says so).
    pub fn answer(&self) -> Option<Answer> {
        self.answer
    }

    /// Where the answer came from, or why there is none.
    pub fn source(&self) -> AnswerSource {
        self.source
    }

    /// How the fetch made for this handshake failed, when it did.
    pub fn fetch_error(&self) -> Option<&FetchError> {
        self.fetch_error.as_deref()
    }

    /// The error the handshake fails with if this check decides it, or `None` when accepted.
    fn error(&self) -> Option<::rustls::Error> {
        if self.decision.is_accepted() {
            return None;
        }
        let error = match self.decision.situation() {
            _ if self.certificate.is_none() => CertificateError::BadEncoding,
            Situation::Revoked { .. } => CertificateError::Revoked,
            // The status could not be established.
            Situation::StapleInvalid(Error::IssuerNotFound) => {
                CertificateError::UnknownRevocationStatus
            }
            Situation::StapleInvalid(_) => CertificateError::InvalidOcspResponse,
            // Unknown, no answer, an unusable answer.
            _ => CertificateError::UnknownRevocationStatus,
        };
        Some(::rustls::Error::InvalidCertificate(error))
    }
}

impl fmt::Display for CertificateCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.depth > 0 {
            write!(f, "the certificate at depth {}: ", self.depth)?;
        }
        match self.decision.situation() {
            Situation::Good => f.write_str("good")?,
            Situation::Revoked {
                reason: Some(reason),
                ..
            } => write!(f, "revoked ({})", reason.name())?,
            Situation::Revoked { reason: None, .. } => f.write_str("revoked")?,
            Situation::Unknown => f.write_str("unknown")?,
            Situation::NoStaple => f.write_str("no answer")?,
            Situation::StapleUnusable(error) => write!(f, "unusable answer: {error}")?,
            Situation::StapleInvalid(error) => write!(f, "invalid answer: {error}")?,
        }
        match (&self.source, &self.fetch_error) {
            (AnswerSource::FetchFailed(_), Some(error)) => {
                write!(f, " (the fetch failed: {error})")
            }
            (source, _) => write!(f, " ({source})"),
        }
    }
}

/// What [`OcspClientCertVerifier`] decided for one handshake, and why: given to the observer.
///
/// Its `Display` is one log line, e.g. `rejected: revoked (keyCompromise) (fetched)`.
#[derive(Clone, Debug)]
pub struct ClientCertOutcome {
    now: UnixTime,
    checks: Vec<CertificateCheck>,
    /// The check that decides: the first refusal, else the end-entity's.
    deciding: CertificateCheck,
    waited: Duration,
}

impl ClientCertOutcome {
    /// `checks` holds the end-entity's check at least.
    fn new(now: UnixTime, started: Instant, checks: Vec<CertificateCheck>) -> Self {
        let deciding = checks
            .iter()
            .find(|check| !check.decision.is_accepted())
            .or_else(|| checks.first())
            .cloned()
            // Never used: every caller passes a check.
            .unwrap_or_else(|| {
                CertificateCheck::unreadable(Policy::hard_fail(), Error::IssuerNotFound)
            });
        Self {
            now,
            checks,
            deciding,
            waited: started.elapsed(),
        }
    }

    /// The time of the check (rustls' time provider).
    pub fn now(&self) -> UnixTime {
        self.now
    }

    /// The decision for the handshake: the first refusal's, nearest the end-entity, else the
    /// end-entity's.
    pub fn decision(&self) -> Decision {
        self.deciding.decision
    }

    /// The check that decided the handshake.
    pub fn deciding(&self) -> &CertificateCheck {
        &self.deciding
    }

    /// Every certificate checked, the client's own first.
    pub fn checks(&self) -> &[CertificateCheck] {
        &self.checks
    }

    /// The client certificate's serial number, unless it could not be read.
    pub fn serial(&self) -> Option<&[u8]> {
        self.checks.first().and_then(CertificateCheck::serial)
    }

    /// The client certificate's subject `Name` (DER), unless it could not be read.
    pub fn subject(&self) -> Option<&[u8]> {
        self.checks.first().and_then(CertificateCheck::subject)
    }

    /// How long the check took, waiting for fetches included.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The error the handshake fails with, or `None` when it goes on.
    pub fn error(&self) -> Option<::rustls::Error> {
        self.deciding.error()
    }
}

impl fmt::Display for ClientCertOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.decision().is_accepted() {
            "accepted"
        } else {
            "rejected"
        };
        write!(f, "{verdict}: {}", self.deciding())
    }
}

/// One certificate's check, before any wait.
struct Pending {
    depth: usize,
    serial: Vec<u8>,
    subject: Vec<u8>,
    state: PendingState,
}

enum PendingState {
    Ready(Obtained),
    Waiting {
        flight: Arc<Flight>,
        source: AnswerSource,
    },
}

/// Who issued a certificate of the path: an intermediate the client sent, or a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IssuedBy {
    Intermediate(usize),
    Root(usize),
}

/// The paths found for presented chains, keyed by the SHA-256 of the chain, first in first
/// out. Finding a path costs a signature check per certificate; a returning client's is
/// looked up instead. The key covers every byte the client sent and the roots do not change,
/// so a remembered path is exactly the one that would be found again.
#[derive(Default)]
struct PathMemo {
    entries: Mutex<PathEntries>,
}

#[derive(Default)]
struct PathEntries {
    map: HashMap<[u8; 32], Arc<[IssuedBy]>>,
    order: VecDeque<[u8; 32]>,
}

impl PathMemo {
    fn get_or_build(
        &self,
        end_entity: &[u8],
        intermediates: &[CertificateDer<'_>],
        build: impl FnOnce() -> Result<Vec<IssuedBy>, Error>,
    ) -> Result<Arc<[IssuedBy]>, Error> {
        let mut hasher = Sha256::new();
        for der in core::iter::once(end_entity).chain(intermediates.iter().map(|d| d.as_ref())) {
            // Each certificate's length first, so that the boundaries are hashed too.
            let length = u64::try_from(der.len()).unwrap_or(u64::MAX);
            hasher.update(length.to_be_bytes());
            hasher.update(der);
        }
        let key: [u8; 32] = hasher.finalize().into();
        if let Some(links) = lock(&self.entries).map.get(&key) {
            return Ok(Arc::clone(links));
        }
        let links: Arc<[IssuedBy]> = Arc::from(build()?);
        let mut entries = lock(&self.entries);
        if entries.map.insert(key, Arc::clone(&links)).is_none() {
            entries.order.push_back(key);
        }
        while entries.map.len() > PATH_MEMO_CAPACITY {
            match entries.order.pop_front() {
                Some(oldest) => entries.map.remove(&oldest),
                None => break,
            };
        }
        Ok(links)
    }
}

fn parse_all<'a>(ders: &'a [CertificateDer<'_>]) -> Vec<Option<Certificate<'a>>> {
    ders.iter()
        .map(|der| Certificate::from_der(der).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{CertStatus, RevocationReason};

    fn der(name: &str) -> CertificateDer<'static> {
        let path = std::format!(
            "{}/test-vectors/generated/pki/tls/{name}.der",
            env!("CARGO_MANIFEST_DIR")
        );
        CertificateDer::from(std::fs::read(path).unwrap())
    }

    fn verifier(depth: RevocationDepth) -> Arc<OcspClientCertVerifier> {
        let mut roots = RootCertStore::empty();
        roots.add(der("tls-root")).unwrap();
        OcspClientCertVerifier::webpki_builder(
            Arc::new(roots),
            Arc::new(::rustls::crypto::ring::default_provider()),
            Policy::hard_fail(),
        )
        .with_prefetch(PrefetchOptions::disabled())
        .with_depth(depth)
        .build()
        .unwrap()
    }

    fn path(depth: RevocationDepth, leaf: &str, sent: &[&str]) -> Result<Vec<IssuedBy>, Error> {
        let verifier = verifier(depth);
        let leaf = der(leaf);
        let sent: Vec<_> = sent.iter().map(|name| der(name)).collect();
        let end_entity = Certificate::from_der(&leaf).unwrap();
        verifier.build_path(&end_entity, &parse_all(&sent))
    }

    #[test]
    fn issuers_are_found_by_name_and_signature() {
        use IssuedBy::{Intermediate, Root};
        use RevocationDepth::{EndEntity, WholeChain};
        // The impostor has the intermediate's name and another key: skipped.
        let sent = ["tls-int-impostor", "tls-int"];
        assert_eq!(
            path(EndEntity, "tls-server", &sent),
            Ok(std::vec![Intermediate(1)])
        );
        assert_eq!(
            path(WholeChain, "tls-server", &sent),
            Ok(std::vec![Intermediate(1), Root(0)])
        );
        // A client that sends the root along: the path ends at the trust anchor.
        assert_eq!(
            path(WholeChain, "tls-server", &["tls-int", "tls-root"]),
            Ok(std::vec![Intermediate(0), Root(0)])
        );
        // Issued by the root itself.
        assert_eq!(
            path(WholeChain, "tls-server-direct", &[]),
            Ok(std::vec![Root(0)])
        );
        // Only the impostor: no issuer.
        assert_eq!(
            path(EndEntity, "tls-server", &["tls-int-impostor"]),
            Err(Error::IssuerNotFound)
        );
    }

    #[test]
    fn refusals_map_to_rustls_errors() {
        let check = |staple: Staple, policy: Policy| CertificateCheck {
            depth: 0,
            certificate: Some(Arc::new(CertificateFacts {
                serial: std::vec![1],
                subject: std::vec![0x30, 0x00],
            })),
            decision: policy.decide(&staple, TlsFeatures::NoneRequired),
            answer: None,
            source: AnswerSource::Fetch,
            fetch_error: None,
        };
        let at = |secs| UnixTime::since_unix_epoch(Duration::from_secs(secs));
        let answer = |status| Answer::for_tests(status, at(1_000), Some(at(2_000)));
        let revoked = CertStatus::Revoked {
            time: at(500),
            reason: Some(RevocationReason::KeyCompromise),
        };
        let stale = Error::ResponseExpired {
            time: at(3_000),
            not_after: at(2_000),
        };
        let hard = Policy::hard_fail();
        let cases = [
            (Staple::Verified(answer(CertStatus::Good)), None),
            (
                Staple::Verified(answer(revoked)),
                Some(CertificateError::Revoked),
            ),
            (
                Staple::Verified(answer(CertStatus::Unknown)),
                Some(CertificateError::UnknownRevocationStatus),
            ),
            (
                Staple::Absent,
                Some(CertificateError::UnknownRevocationStatus),
            ),
            (
                Staple::Invalid(stale),
                Some(CertificateError::UnknownRevocationStatus),
            ),
            (
                Staple::Invalid(Error::InvalidSignature),
                Some(CertificateError::InvalidOcspResponse),
            ),
            (
                Staple::Invalid(Error::IssuerNotFound),
                Some(CertificateError::UnknownRevocationStatus),
            ),
        ];
        for (staple, expected) in cases {
            let error = check(staple, hard).error();
            assert_eq!(
                error,
                expected.map(::rustls::Error::InvalidCertificate),
                "{staple:?}"
            );
        }
        // Soft-fail accepts no answer and unusable answers; nothing else changes.
        assert_eq!(check(Staple::Absent, Policy::soft_fail()).error(), None);
        assert_eq!(
            check(Staple::Invalid(stale), Policy::soft_fail()).error(),
            None
        );
        // An unreadable certificate.
        let unreadable = CertificateCheck::unreadable(
            Policy::soft_fail(),
            Error::BadDer(crate::error::Structure::Certificate),
        );
        assert_eq!(
            unreadable.error(),
            Some(::rustls::Error::InvalidCertificate(
                CertificateError::BadEncoding
            ))
        );
    }

    #[test]
    fn outcomes_read_as_one_line() {
        let at = |secs| UnixTime::since_unix_epoch(Duration::from_secs(secs));
        let revoked = Answer::for_tests(
            CertStatus::Revoked {
                time: at(500),
                reason: Some(RevocationReason::KeyCompromise),
            },
            at(1_000),
            Some(at(2_000)),
        );
        let check = |depth, staple: Staple, source| CertificateCheck {
            depth,
            certificate: None,
            decision: Policy::soft_fail().decide(&staple, TlsFeatures::NoneRequired),
            answer: None,
            source,
            fetch_error: None,
        };
        let outcome = ClientCertOutcome::new(
            at(1_500),
            Instant::now(),
            std::vec![
                check(0, Staple::Absent, AnswerSource::BudgetExhausted),
                check(1, Staple::Verified(revoked), AnswerSource::Cache),
            ],
        );
        assert_eq!(
            outcome.to_string(),
            "rejected: the certificate at depth 1: revoked (keyCompromise) (from the cache)"
        );
        assert_eq!(outcome.deciding().depth(), 1);
        let outcome = ClientCertOutcome::new(
            at(1_500),
            Instant::now(),
            std::vec![check(0, Staple::Absent, AnswerSource::BudgetExhausted)],
        );
        assert_eq!(
            outcome.to_string(),
            "accepted: no answer (the handshake budget ran out; the fetch goes on in the \
             background)"
        );
    }
}
