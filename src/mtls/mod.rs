#![doc = include_str!("../../docs/mtls.md")]
//!
//! ## How the module is built
//!
//! What happens in a handshake, in order, once the inner verifier has accepted the chain:
//!
//! 1. The path (`src/chain.rs`). The end-entity certificate's issuer is looked for among the
//!    intermediates the client sent, then among the roots, by name **and** signature; with
//!    [`RevocationCheckDepth::Chain`] the same is done for each intermediate up to a trust
//!    anchor, trying cross-signed candidates in turn. The path is remembered per presented
//!    chain, so a returning client costs no signature check.
//! 2. For each certificate of the path below the trust anchor, an answer (`answers.rs`): from
//!    the keeper, the failure memory, a running fetch or a new one. All fetches start before
//!    the first wait.
//! 3. The handshake waits for its fetches (`flight.rs`) until its budget, counted from the
//!    moment the inner verifier returned, has run out. A fetch still running then goes on and
//!    fills the keeper, or the failure memory, for the next handshake.
//! 4. What was obtained becomes the policy's input, sorted as the table on
//!    [`OcspClientCertVerifier`] says; the policy decides for each certificate; the first
//!    refusal, nearest the end-entity, is the handshake's (`outcome.rs`).
//!
//! Meanwhile the prefetcher (`prefetch.rs`) refreshes the answers of certificates seen
//! recently, so that steady-state handshakes never wait on the network. Resumed sessions are
//! not checked again: rustls does not call the verifier for them.

mod answers;
mod builder;
mod flight;
#[cfg(feature = "prometheus")]
mod metrics;
mod outcome;
mod prefetch;

use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;
use std::vec::Vec;

use ::rustls::pki_types::{CertificateDer, UnixTime};
use ::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use ::rustls::{DistinguishedName, RootCertStore};

use crate::cert::Certificate;
use crate::chain;
use crate::error::Error;
use crate::fetch::ResponseCache;
use crate::policy::{Policy, Staple};
use crate::requests::ReqCert;
use crate::server::keeper::CertKey;
use answers::{Answers, Pending};
use flight::FlightResult;
use outcome::{CertificateFacts, Obtained};
use prefetch::Prefetcher;

pub use crate::chain::RevocationCheckDepth;
pub use builder::{BuildError, IssuerResponder, OcspClientCertVerifierBuilder};
pub use outcome::{
    AnswerSource, CertificateCheck, ClientCertEvent, ClientCertEventKind, ClientCertOutcome,
    ClientCertSnapshot,
};
pub use prefetch::PrefetchOptions;

/// Whether a handshake waits on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HandshakeWait {
    /// For its fetches (and a slot), up to this long.
    Budget(Duration),
    /// Never.
    CacheOnly,
}

/// A rustls `ClientCertVerifier` for servers that require client certificates (mTLS): once the
/// inner verifier has accepted the client's chain, it obtains an OCSP answer about the client's
/// certificate and applies a [`Policy`].
///
/// What it does around the fetch (the keeper, the handshake budget, failure memory, fetch
/// slots, single flight, prefetch, the responder policy, the depth) is in the [module
/// documentation](self).
///
/// Built like rustls' own verifiers: [`OcspClientCertVerifier::webpki_builder`] takes the
/// `Arc<RootCertStore>` and `Arc<CryptoProvider>` that
/// `WebPkiClientVerifier::builder_with_provider` takes, [`OcspClientCertVerifier::builder`]
/// wraps any inner verifier, and `build()` returns an `Arc`.
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
///     &include_bytes!("../../test-vectors/generated/pki/tls/tls-root.der")[..],
/// ))?;
/// // The lines a server adds: the client-certificate verifier, with an explicit policy ...
/// let verifier =
///     OcspClientCertVerifier::webpki_builder(Arc::new(client_roots), provider.clone(), Policy::hard_fail())
///         .with_handshake_budget(Duration::from_secs(1))
///         .with_observer(|event| eprintln!("client certificate: {event}"))
///         .build()?;
/// // ... installed where `WebPkiClientVerifier` would be.
/// let config = ServerConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .with_client_cert_verifier(verifier.clone());
/// # let _ = config;
/// // Later, from a handler or a metrics endpoint:
/// let snapshot = verifier.snapshot();
/// assert_eq!(snapshot.handshakes(), 0);
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
/// | revoked (now, or remembered) | reject | reject | `Revoked` | `certificate_revoked` |
/// | unknown | reject | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | no answer: no responder URL, or none the responder policy allows; the responder unreachable (DNS, connect, timeout, HTTP 5xx, OCSP `internalError`) or answering something that is not OCSP (another HTTP status, content type, not DER, too large); the budget ran out; the responder failed recently; its slots, or all, busy for the whole budget | accept | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | an unusable answer: stale (past `nextUpdate`, too old), not yet valid, or `tryLater` | accept (as no answer) | reject | `UnknownRevocationStatus` | `unknown_ca` |
/// | an invalid answer: a bad signature, an unauthorised responder (forged), an answer about another certificate (foreign), any other OCSP error status, and every other verifier [`Error`] | reject | reject | `InvalidOcspResponse` | `bad_certificate_status_response` |
/// | a client certificate this crate cannot read | reject | reject | `BadEncoding` | `bad_certificate` |
///
/// An unreachable responder is "no answer" because the client cannot do anything about it; an
/// answer that fails verification is refused by every policy because it is what an attacker
/// between the server and the responder, or a misconfigured responder, produces, and it
/// should be seen, not averaged away. The exact reason, with this crate's [`Error`] or the
/// [`crate::fetch::FetchError`], is in the [`ClientCertOutcome`] given to the observer; errors
/// of the inner verifier are returned unchanged, and the observer is not called for them.
///
/// # Threads and time
///
/// Fetches run on threads of their own (at most one per fetch slot); a background thread
/// refreshes tracked certificates (unless [`PrefetchOptions::disabled`]). The handshake's
/// wall time is the `now` rustls passes; the prefetcher's comes from a rustls `TimeProvider`
/// ([`OcspClientCertVerifierBuilder::with_time_provider`]); every delay, backoff and deadline
/// is measured on a monotonic clock.
#[derive(Debug)]
pub struct OcspClientCertVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    roots: Arc<RootCertStore>,
    policy: Policy,
    depth: RevocationCheckDepth,
    wait: HandshakeWait,
    paths: chain::PathMemo,
    answers: Arc<Answers>,
    /// Stopped and joined when the verifier is dropped.
    _prefetcher: Option<Prefetcher>,
}

impl OcspClientCertVerifier {
    /// The default handshake budget: 2 seconds. Long enough for a responder on the same
    /// continent to answer a first handshake; short enough that a dead one costs a client far
    /// less than its own connect timeout. With the keeper warm, handshakes do not wait at all.
    pub const DEFAULT_HANDSHAKE_BUDGET: Duration = Duration::from_secs(2);

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
        provider: Arc<::rustls::crypto::CryptoProvider>,
        policy: Policy,
    ) -> OcspClientCertVerifierBuilder {
        OcspClientCertVerifierBuilder::new(Some(inner), roots, provider, policy)
    }

    /// Like [`OcspClientCertVerifier::builder`], around a `WebPkiClientVerifier` that trusts
    /// `roots`, uses `provider` and requires a client certificate, built by
    /// [`OcspClientCertVerifierBuilder::build`]: the common case in one call.
    pub fn webpki_builder(
        roots: Arc<RootCertStore>,
        provider: Arc<::rustls::crypto::CryptoProvider>,
        policy: Policy,
    ) -> OcspClientCertVerifierBuilder {
        OcspClientCertVerifierBuilder::new(None, roots, provider, policy)
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The keeper of answers (and of failures), as shared with
    /// [`OcspClientCertVerifierBuilder::with_cache`].
    pub fn cache(&self) -> &Arc<ResponseCache> {
        &self.answers.cache
    }

    /// Counters of what the verifier did since it was built, and its current state.
    pub fn snapshot(&self) -> ClientCertSnapshot {
        let answers = &self.answers;
        answers.counters.snapshot(
            answers.flights.lock().len(),
            answers.cache.len(),
            answers.cache.revocations(),
            crate::server::sync::lock(&answers.tracked).len(),
            answers.responders.remembered(),
        )
    }

    /// Warms the keeper for a client known in advance: finds the issuers of `chain` (the
    /// end-entity first, then intermediates, as a client would send it) among the chain and the
    /// roots, starts a background fetch for each certificate the depth covers whose kept
    /// answer is missing or stale, and tracks them for refresh. Returns the number of fetches
    /// started; [`OcspClientCertVerifier::wait_for_fetches`] waits for them.
    ///
    /// The chain is not validated (no handshake is made): it only decides what is fetched,
    /// and answers are verified as always. The time is the verifier's clock's; a clock that
    /// gives no time starts nothing. Fails when the end-entity certificate cannot be read
    /// ([`Error::BadDer`] and the like) or an issuer is not found ([`Error::IssuerNotFound`]).
    pub fn prefetch(&self, chain: &[CertificateDer<'_>]) -> Result<usize, Error> {
        let Some((end_entity, intermediates)) = chain.split_first() else {
            return Ok(0);
        };
        let Some(now) = self.answers.now() else {
            return Ok(0);
        };
        let end_entity = Certificate::from_der(end_entity)?;
        let parsed = chain::parse_all(intermediates);
        let links = self.build_path(&end_entity, &parsed)?;
        let path = chain::walk(&end_entity, &parsed, &self.roots, &links)?;
        let mono = self.answers.mono.now();
        let mut started = 0;
        for (cert, issuer) in &path {
            let req_cert = ReqCert::new(cert, issuer, self.answers.fetcher.hash_algorithm())?;
            let key = CertKey::of(&req_cert);
            self.answers.track(&key, cert, issuer, mono);
            if self.answers.cached(&key, now).is_some() {
                continue;
            }
            if self.answers.start_prefetch(key, cert, issuer, now) {
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
        let deadline = match self.wait {
            HandshakeWait::Budget(budget) => started.checked_add(budget),
            HandshakeWait::CacheOnly => Some(started),
        };
        let certificate = match Certificate::from_der(end_entity) {
            Ok(certificate) => certificate,
            // Fail closed. This crate is stricter than webpki in places; no real certificate is
            // known to land here.
            Err(error) => return ClientCertOutcome::unreadable(now, self.policy, error),
        };
        let parsed = chain::parse_all(intermediates);
        let path = self
            .paths
            .get_or_build(end_entity.as_ref(), intermediates, || {
                self.build_path(&certificate, &parsed)
            })
            .and_then(|links| chain::walk(&certificate, &parsed, &self.roots, &links));
        let path = match path {
            Ok(path) => path,
            Err(error) => {
                let check = CertificateCheck::new(
                    0,
                    Some(CertificateFacts::of(&certificate)),
                    self.policy,
                    Obtained::not_asked(Staple::Invalid(error)),
                );
                return ClientCertOutcome::new(now, started.elapsed(), std::vec![check]);
            }
        };
        // Every fetch starts before the first wait, so that they share the budget.
        let pending: Vec<_> = path
            .iter()
            .map(|(cert, issuer)| {
                let obtained = self.answers.obtain(cert, issuer, now, deadline);
                (CertificateFacts::of(cert), obtained)
            })
            .collect();
        let checks = pending
            .into_iter()
            .enumerate()
            .map(|(depth, (facts, pending))| {
                let obtained = self.finish(pending, deadline, now);
                CertificateCheck::new(depth, Some(facts), self.policy, obtained)
            })
            .collect();
        ClientCertOutcome::new(now, started.elapsed(), checks)
    }

    /// Waits for a fetch, if one is pending.
    fn finish(&self, pending: Pending, deadline: Option<Instant>, now: UnixTime) -> Obtained {
        let (flight, source) = match pending {
            Pending::Ready(obtained) => return obtained,
            Pending::Waiting { flight, source } => (flight, source),
        };
        match flight.wait_until(deadline) {
            None => Obtained::no_answer(AnswerSource::BudgetExhausted),
            Some(FlightResult::Answer(response)) => {
                // Verified at the `now` of the handshake that started the fetch; checked again
                // at this one's.
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
                staple: error.as_staple(),
                answer: None,
                source: match &error {
                    crate::fetch::FetchError::ResponderBusy { .. } => AnswerSource::ResponderBusy,
                    error => error
                        .failure_kind()
                        .map_or(AnswerSource::NotAsked, AnswerSource::FetchFailed),
                },
                fetch_error: Some(error),
            },
        }
    }

    fn build_path(
        &self,
        end_entity: &Certificate<'_>,
        intermediates: &[Option<Certificate<'_>>],
    ) -> Result<Vec<chain::Link>, Error> {
        chain::build(
            end_entity,
            intermediates,
            &self.roots,
            self.answers.verifier().algorithms(),
            self.depth,
        )
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
        self.answers.counters.record(&outcome);
        let error = outcome.error();
        self.answers.emit(&ClientCertEvent {
            time: now,
            kind: ClientCertEventKind::Decided(outcome),
        });
        match error {
            None => Ok(verified),
            Some(error) => Err(error),
        }
    }

    crate::rustls::delegate_signature_checks!();
}
