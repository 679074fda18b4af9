//! How the mTLS verifier obtains an answer about one certificate without making a handshake
//! wait more than it must.
//!
//! For one certificate, in this order:
//!
//! 1. the keeper ([`ResponseCache`]): an answer kept that is still fresh
//!    ([`crate::Verifier::check_freshness`]) is used, and so is a permanent revocation
//!    whatever its age; then a failure remembered for this `CertID`, while its backoff runs;
//! 2. the responder policy ([`ResponderPolicy`], per issuer or the default): which URLs may be
//!    asked. None at all is "no answer" at once;
//! 3. the responders' health: URLs whose origin failed lately are skipped; none left is "no
//!    answer" at once;
//! 4. single flight: a fetch running for the same `CertID` is joined ([`super::flight`]).
//!    Otherwise a slot is taken for the first responder's origin (waiting for one within the
//!    budget: a slow responder holds its own slots, not the others'), the keeper is looked at
//!    again (a fetch that ended meanwhile filled it), and a fetch starts.

use core::fmt;
use std::string::String;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::pki_types::{CertificateDer, TrustAnchor};
use ::rustls::time_provider::TimeProvider;
use rustls_pki_types::UnixTime;

use super::flight::{Flight, Job};
use super::outcome::{AnswerSource, ClientCertEvent, Counters, Obtained};
use super::prefetch::{PrefetchOptions, Tracked};
use crate::cert::Certificate;
use crate::fetch::{
    Busy, CacheLookup, FailureKind, FetchError, Fetcher, Origin, Priority, ResponderPolicy,
    Responders, ResponseCache, Transport,
};
use crate::issuer::Issuer;
use crate::policy::Staple;
use crate::requests::ReqCert;
use crate::server::backoff::{Failure, Jitter};
use crate::server::bounded::Bounded;
use crate::server::clock::MonotonicClock;
use crate::server::keeper::CertKey;
use crate::server::observe::Observer;
use crate::server::sync::Signal;
use crate::verify::Verifier;

/// A responder policy, and responders trusted locally, for the certificates of one issuer:
/// see [`super::IssuerResponder`].
pub(super) struct IssuerConfig {
    /// The issuer's subject Name contents.
    pub(super) name: Vec<u8>,
    /// The issuer's SubjectPublicKeyInfo contents.
    pub(super) spki: Vec<u8>,
    pub(super) policy: ResponderPolicy,
    pub(super) trusted: Arc<[CertificateDer<'static>]>,
}

impl IssuerConfig {
    /// Whether this is the configuration of `issuer`: its name and its key, both (a CA that
    /// shares a name, or a key, with a configured one is another CA).
    pub(super) fn is_for(&self, issuer: &Issuer<'_>) -> bool {
        self.name == issuer.name() && self.spki == issuer.subject_public_key_info_contents()
    }
}

/// The state shared by the verifier, its fetch threads and its prefetcher.
pub(super) struct Answers {
    pub(super) fetcher: Fetcher<'static>,
    pub(super) transport: Arc<dyn Transport>,
    pub(super) cache: Arc<ResponseCache>,
    pub(super) responders: Arc<Responders>,
    pub(super) issuers: Vec<IssuerConfig>,
    pub(super) default_policy: ResponderPolicy,
    /// The fetches running, by `CertID`: single flight. Bounded by the fetch slots, since each
    /// fetch holds one.
    pub(super) flights: Signal<std::collections::HashMap<CertKey, Arc<Flight>>>,
    /// Certificates seen, for the prefetcher (least recently seen first out).
    pub(super) tracked: Mutex<Bounded<CertKey, Tracked>>,
    pub(super) prefetch: PrefetchOptions,
    pub(super) time: Arc<dyn TimeProvider>,
    pub(super) mono: Arc<dyn MonotonicClock>,
    pub(super) jitter: Jitter,
    pub(super) counters: Counters,
    pub(super) observer: Observer<ClientCertEvent>,
}

/// One certificate's answer before any wait.
#[expect(
    clippy::large_enum_variant,
    reason = "one per certificate of a handshake's path, moved once: boxing saves nothing"
)]
pub(super) enum Pending {
    Ready(Obtained),
    Waiting {
        flight: Arc<Flight>,
        source: AnswerSource,
    },
}

impl Answers {
    pub(super) fn verifier(&self) -> Verifier<'static> {
        self.fetcher.verifier()
    }

    pub(super) fn issuer_config(&self, issuer: &Issuer<'_>) -> Option<&IssuerConfig> {
        self.issuers.iter().find(|config| config.is_for(issuer))
    }

    /// Steps 1 to 4 of the module documentation for `cert`, issued by `issuer`, at wall time
    /// `now`; waiting for a slot until `deadline` (`None`: not at all).
    pub(super) fn obtain(
        self: &Arc<Self>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
        deadline: Option<Instant>,
    ) -> Pending {
        let req_cert = match ReqCert::new(cert, issuer, self.fetcher.hash_algorithm()) {
            Ok(req_cert) => req_cert,
            Err(error) => return Pending::Ready(Obtained::not_asked(Staple::Invalid(error))),
        };
        let key = CertKey::of(&req_cert);
        let mono = self.mono.now();
        self.track(&key, cert, issuer, mono);
        if let Some(obtained) = self.cached(&key, now) {
            return Pending::Ready(obtained);
        }
        let (config, live, first) = match self.route(cert, issuer, mono) {
            Ok(route) => route,
            Err(obtained) => return Pending::Ready(obtained),
        };
        if let Some(flight) = self.flights.lock().get(&key) {
            return Pending::Waiting {
                flight: Arc::clone(flight),
                source: AnswerSource::SharedFetch,
            };
        }
        let slot = match deadline {
            Some(deadline) => {
                self.responders
                    .wait_slot(&first, Priority::Handshake, Some(deadline))
            }
            None => self.responders.try_slot(&first, Priority::Handshake),
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(Busy::Responder) => {
                return Pending::Ready(Obtained::no_answer(AnswerSource::ResponderBusy));
            }
            Err(Busy::All) => return Pending::Ready(Obtained::no_answer(AnswerSource::Overloaded)),
        };
        let job = Job::new(key, cert, issuer, &live, config, now, Priority::Handshake);
        self.start(job, slot, now)
    }

    /// Steps 2 and 3 for `cert`: the issuer's settings, the URLs that may be asked whose
    /// origin is not left alone, and the first one's origin; or "no answer" and why.
    #[expect(
        clippy::result_large_err,
        reason = "the error becomes `Pending::Ready` at once, as large: boxing saves nothing"
    )]
    pub(super) fn route<'c>(
        &'c self,
        cert: &Certificate<'c>,
        issuer: &Issuer<'_>,
        mono: Instant,
    ) -> Result<(Option<&'c IssuerConfig>, Vec<&'c str>, Origin), Obtained> {
        let config = self.issuer_config(issuer);
        let policy = config.map_or(&self.default_policy, |config| &config.policy);
        let urls = policy.urls_for(cert).map_err(|error| {
            let source = match error {
                FetchError::ResponderNotAllowed(_) => AnswerSource::ResponderNotAllowed,
                _ => AnswerSource::NoResponder,
            };
            let mut obtained = Obtained::no_answer(source);
            obtained.fetch_error = Some(error);
            obtained
        })?;
        let (live, down) = self.live(&urls, mono);
        match live.first().and_then(|url| Origin::of(url)) {
            Some(first) => Ok((config, live, first)),
            None => Err(Obtained::no_answer(AnswerSource::RecentFailure {
                kind: down.map_or(FailureKind::Unreachable, |f| f.kind),
                retry_in: down.map(|f| f.retry_in(mono)).unwrap_or_default(),
            })),
        }
    }

    /// What the keeper gives at `now`: a fresh answer (or a permanent revocation), or a
    /// failure remembered.
    pub(super) fn cached(&self, key: &CertKey, now: UnixTime) -> Option<Obtained> {
        match self.cache.lookup_key(key, now) {
            CacheLookup::Hit(response) => {
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
            CacheLookup::RecentFailure { kind, retry_in } => Some(Obtained {
                staple: crate::fetch::staple_of_failure(kind),
                answer: None,
                source: AnswerSource::RecentFailure { kind, retry_in },
                fetch_error: None,
            }),
            CacheLookup::Miss => None,
        }
    }

    /// The URLs whose origin is not left alone, and the failure of one that is (the soonest
    /// back).
    pub(super) fn live<'u>(
        &self,
        urls: &[&'u str],
        mono: Instant,
    ) -> (Vec<&'u str>, Option<Failure>) {
        let mut down: Option<Failure> = None;
        let live = urls
            .iter()
            .copied()
            .filter(
                |url| match Origin::of(url).and_then(|o| self.responders.down(&o, mono)) {
                    Some(failure) => {
                        down = Some(Failure::soonest(down, failure));
                        false
                    }
                    None => true,
                },
            )
            .collect();
        (live, down)
    }

    /// The issuer of a job, from its name and key.
    pub(super) fn anchor<'a>(name: &'a [u8], spki: &'a [u8]) -> TrustAnchor<'a> {
        TrustAnchor {
            subject: name.into(),
            subject_public_key_info: spki.into(),
            name_constraints: None,
        }
    }

    /// Waits until no fetch is running, for at most `timeout`; returns whether none is.
    pub(super) fn wait_idle(&self, timeout: core::time::Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        self.flights
            .wait_until(deadline, None, |flights| flights.is_empty())
            .1
    }

    pub(super) fn now(&self) -> Option<UnixTime> {
        self.time.current_time()
    }
}

impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answers")
            .field("fetcher", &self.fetcher)
            .field("cache", &self.cache)
            .field("issuers", &self.issuers.len())
            .field("default_policy", &self.default_policy)
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

/// A URL list as owned strings, for a job's thread.
pub(super) fn owned(urls: &[&str]) -> Vec<String> {
    urls.iter().map(|url| String::from(*url)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICA: &[u8] = include_bytes!("../../test-vectors/real-world/openssl/D1_Issuer_ICA.der");
    const ROOT: &[u8] = include_bytes!("../../test-vectors/real-world/openssl/D2_Issuer_Root.der");

    fn config(name: &Issuer<'_>, key: &Issuer<'_>) -> IssuerConfig {
        IssuerConfig {
            name: name.name().to_vec(),
            spki: key.subject_public_key_info_contents().to_vec(),
            policy: ResponderPolicy::new(),
            trusted: Arc::from(Vec::new()),
        }
    }

    #[test]
    fn an_issuer_configuration_is_for_its_name_and_key_both() {
        let (ica, root) = (
            Certificate::from_der(ICA).unwrap(),
            Certificate::from_der(ROOT).unwrap(),
        );
        let (ica, root) = (Issuer::from(&ica), Issuer::from(&root));
        assert_ne!(ica.name(), root.name());
        assert!(config(&ica, &ica).is_for(&ica));
        assert!(!config(&ica, &ica).is_for(&root));
        // The ICA's name with the root's key: neither.
        let crossed = config(&ica, &root);
        assert!(!crossed.is_for(&ica));
        assert!(!crossed.is_for(&root));
    }
}
