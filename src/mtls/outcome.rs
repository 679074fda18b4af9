//! What the mTLS verifier tells: where each answer came from, each certificate's check, the
//! handshake's outcome, the events an observer receives, and the counters of a snapshot.

use core::fmt;
use core::time::Duration;
use std::string::String;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::vec::Vec;

use ::rustls::CertificateError;
use rustls_pki_types::UnixTime;

use crate::cert::{Certificate, TlsFeatures};
use crate::display::{Elapsed, Hex};
use crate::error::Error;
use crate::fetch::{FailureKind, FetchError, status_word};
use crate::policy::{Decision, Policy, Situation, Staple};
use crate::verify::Answer;

/// Where the answer about a certificate came from, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerSource {
    /// The cache: fetched earlier, by a handshake, the prefetcher or
    /// [`super::OcspClientCertVerifier::prefetch`].
    Cache,
    /// Fetched during this handshake, within the budget.
    Fetch,
    /// Fetched during this handshake by a fetch a concurrent handshake had started.
    SharedFetch,
    /// No answer: the budget ran out first (or the handshakes never wait). The fetch goes on
    /// in the background.
    BudgetExhausted,
    /// No answer, or the answer remembered: fetching failed recently (for this certificate,
    /// or its responder for any certificate); not asked again for `retry_in`.
    RecentFailure {
        /// What went wrong then.
        kind: FailureKind,
        /// How long until it is asked again.
        retry_in: Duration,
    },
    /// The fetch failed, within the budget; [`CertificateCheck::fetch_error`] says how.
    FetchFailed(FailureKind),
    /// No answer: no `http://` responder URL, neither in the certificate nor configured.
    NoResponder,
    /// No answer: the certificate names responders the responder policy does not allow.
    ResponderNotAllowed,
    /// No answer: the certificate's responder already had as many requests running as it may,
    /// for the whole budget (a slow or saturated responder).
    ResponderBusy,
    /// No answer: every fetch slot was taken, for the whole budget.
    Overloaded,
    /// Nothing was asked: the certificate or its issuer could not be used.
    NotAsked,
}

impl AnswerSource {
    /// A stable snake_case name, for logs and metrics: `cache`, `fetch`, `shared_fetch`,
    /// `budget_exhausted`, `recent_failure`, `fetch_failed`, `no_responder`,
    /// `responder_not_allowed`, `responder_busy`, `overloaded`, `not_asked`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Fetch => "fetch",
            Self::SharedFetch => "shared_fetch",
            Self::BudgetExhausted => "budget_exhausted",
            Self::RecentFailure { .. } => "recent_failure",
            Self::FetchFailed(_) => "fetch_failed",
            Self::NoResponder => "no_responder",
            Self::ResponderNotAllowed => "responder_not_allowed",
            Self::ResponderBusy => "responder_busy",
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
            Self::RecentFailure { kind, retry_in } => write!(
                f,
                "not asked: {kind}, asked again in {}",
                Elapsed(retry_in.as_secs())
            ),
            Self::FetchFailed(kind) => write!(f, "the fetch failed: {kind}"),
            Self::NoResponder => f.write_str("no responder URL"),
            Self::ResponderNotAllowed => {
                f.write_str("not asked: the responder policy allows none of its responders")
            }
            Self::ResponderBusy => f.write_str("not asked: its responder is busy"),
            Self::Overloaded => f.write_str("not asked: every fetch slot is busy"),
            Self::NotAsked => f.write_str("not asked"),
        }
    }
}

/// What the outcome and the counters need of a certificate, kept so that a report needs no
/// parse.
#[derive(Debug)]
pub(super) struct CertificateFacts {
    pub(super) serial: Vec<u8>,
    pub(super) subject: Vec<u8>,
}

impl CertificateFacts {
    pub(super) fn of(cert: &Certificate<'_>) -> Arc<Self> {
        Arc::new(Self {
            serial: cert.serial().to_vec(),
            subject: cert.subject().to_vec(),
        })
    }
}

/// What was obtained about one certificate: the policy's input and its provenance.
#[derive(Clone, Debug)]
pub(super) struct Obtained {
    pub(super) staple: Staple,
    pub(super) answer: Option<Answer>,
    pub(super) source: AnswerSource,
    pub(super) fetch_error: Option<FetchError>,
}

impl Obtained {
    pub(super) fn no_answer(source: AnswerSource) -> Self {
        Self {
            staple: Staple::Absent,
            answer: None,
            source,
            fetch_error: None,
        }
    }

    pub(super) fn not_asked(staple: Staple) -> Self {
        Self {
            staple,
            answer: None,
            source: AnswerSource::NotAsked,
            fetch_error: None,
        }
    }
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
    fetch_error: Option<FetchError>,
}

impl CertificateCheck {
    pub(super) fn new(
        depth: usize,
        certificate: Option<Arc<CertificateFacts>>,
        policy: Policy,
        obtained: Obtained,
    ) -> Self {
        Self {
            depth,
            certificate,
            // The TLS feature extension (RFC 7633) is a promise about what a TLS *server*
            // presenting the certificate staples; it does not apply here.
            decision: policy.decide(&obtained.staple, TlsFeatures::NoneRequired),
            answer: obtained.answer,
            source: obtained.source,
            fetch_error: obtained.fetch_error,
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
        self.fetch_error.as_ref()
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

/// What [`super::OcspClientCertVerifier`] decided for one handshake, and why.
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
    pub(super) fn new(now: UnixTime, waited: Duration, checks: Vec<CertificateCheck>) -> Self {
        let deciding = checks
            .iter()
            .find(|check| !check.decision.is_accepted())
            .or_else(|| checks.first())
            .cloned()
            // Never used: every caller passes a check.
            .unwrap_or_else(|| {
                let refused = Obtained::not_asked(Staple::Invalid(Error::IssuerNotFound));
                CertificateCheck::new(0, None, Policy::hard_fail(), refused)
            });
        Self {
            now,
            checks,
            deciding,
            waited,
        }
    }

    /// The outcome for a certificate this crate cannot read: refused by every policy.
    pub(super) fn unreadable(now: UnixTime, policy: Policy, error: Error) -> Self {
        let check =
            CertificateCheck::new(0, None, policy, Obtained::not_asked(Staple::Invalid(error)));
        Self::new(now, Duration::ZERO, std::vec![check])
    }

    /// The time of the check (rustls' time provider).
    pub fn now(&self) -> UnixTime {
        self.now
    }

    /// The decision for the handshake: the first refusal's, nearest the end-entity, else the
    /// end-entity's.
    pub fn decision(&self) -> Decision {
        self.deciding().decision
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
        self.deciding().error()
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

/// Something the mTLS verifier did: what an observer receives (see
/// [`super::OcspClientCertVerifierBuilder::with_observer`]).
///
/// Its `Display` is one log line.
#[derive(Clone, Debug)]
pub struct ClientCertEvent {
    pub(super) time: UnixTime,
    pub(super) kind: ClientCertEventKind,
}

impl ClientCertEvent {
    /// When it happened, by the verifier's wall clock.
    pub fn time(&self) -> UnixTime {
        self.time
    }

    /// What happened.
    pub fn kind(&self) -> &ClientCertEventKind {
        &self.kind
    }

    /// The handshake's outcome, when this is one.
    pub fn outcome(&self) -> Option<&ClientCertOutcome> {
        match &self.kind {
            ClientCertEventKind::Decided(outcome) => Some(outcome),
            ClientCertEventKind::Contradiction { .. } => None,
        }
    }
}

/// What happened, in a [`ClientCertEvent`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ClientCertEventKind {
    /// A handshake whose chain the inner verifier accepted was decided, before it goes on.
    Decided(ClientCertOutcome),
    /// A responder said `good` or `unknown` about a certificate whose permanent revocation was
    /// verified before: refused (revocation is one-way), and a sign that a responder is wrong.
    Contradiction {
        /// The certificate's serial number.
        serial: Vec<u8>,
        /// The revocation kept.
        revoked: Answer,
        /// The answer refused.
        offered: Answer,
        /// The responder that said it.
        url: String,
    },
}

impl fmt::Display for ClientCertEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ClientCertEventKind::Decided(outcome) => fmt::Display::fmt(outcome, f),
            ClientCertEventKind::Contradiction {
                serial,
                offered,
                url,
                ..
            } => {
                f.write_str("RESPONDER CONTRADICTION: ")?;
                write!(
                    f,
                    "{url} says {} about serial {}",
                    status_word(offered),
                    Hex(serial)
                )?;
                f.write_str(" after a verified revocation; the revocation stands")
            }
        }
    }
}

/// Declares the verifier's counters once: the atomic `Counters`, the `ClientCertSnapshot`
/// that copies them, and one documented getter each.
macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The counters, bumped as things happen.
        #[derive(Debug, Default)]
        pub(super) struct Counters {
            $(pub(super) $name: AtomicU64,)*
        }

        /// Counters of what an [`super::OcspClientCertVerifier`] did since it was built, and
        /// its state now: [`super::OcspClientCertVerifier::snapshot`].
        ///
        /// Handshakes count once; the checks (one per certificate of the path) count by
        /// situation and by where the answer came from.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct ClientCertSnapshot {
            $($name: u64,)*
            in_flight: usize,
            cached: usize,
            revocations: usize,
            tracked: usize,
            responders_down: usize,
        }

        impl ClientCertSnapshot {
            $($(#[$doc])* pub fn $name(&self) -> u64 { self.$name })*

            /// Fetches running now.
            pub fn in_flight(&self) -> usize {
                self.in_flight
            }

            /// Answers in the cache now.
            pub fn cached(&self) -> usize {
                self.cached
            }

            /// Revoked certificates remembered now.
            pub fn revocations(&self) -> usize {
                self.revocations
            }

            /// Certificates tracked for prefetch now.
            pub fn tracked(&self) -> usize {
                self.tracked
            }

            /// Responder origins remembered as failing now (their backoff running or not).
            pub fn responders_down(&self) -> usize {
                self.responders_down
            }
        }

        impl Counters {
            pub(super) fn snapshot(
                &self,
                in_flight: usize,
                cached: usize,
                revocations: usize,
                tracked: usize,
                responders_down: usize,
            ) -> ClientCertSnapshot {
                ClientCertSnapshot {
                    $($name: self.$name.load(Ordering::Relaxed),)*
                    in_flight,
                    cached,
                    revocations,
                    tracked,
                    responders_down,
                }
            }
        }
    };
}

counters! {
    /// Handshakes whose chain the inner verifier accepted.
    handshakes,
    /// Of those, accepted.
    accepted,
    /// Of those, rejected.
    rejected,
    /// Checks with a good answer.
    good,
    /// Checks with a revoked answer.
    revoked,
    /// Checks with an unknown answer.
    unknown,
    /// Checks with no answer.
    no_answer,
    /// Checks with an unusable answer (stale, not yet valid, tryLater).
    unusable,
    /// Checks with an invalid answer (or a certificate that could not be checked).
    invalid,
    /// Checks answered from the cache.
    cache_hits,
    /// Checks answered by a fetch they started.
    fetched,
    /// Checks answered by a fetch a concurrent handshake started.
    shared_fetches,
    /// Checks whose budget ran out.
    budget_exhausted,
    /// Checks answered by the failure memory.
    recent_failures,
    /// Checks whose fetch failed within the budget.
    fetch_failures,
    /// Checks of certificates with no responder URL.
    no_responder,
    /// Checks of certificates whose responders the policy does not allow.
    responder_not_allowed,
    /// Checks not fetched because their responder was busy for the whole budget.
    responder_busy,
    /// Checks not fetched because every slot was busy for the whole budget.
    overloaded,
    /// Fetches started (by handshakes, the prefetcher and `prefetch`), each asking one or more
    /// responder URLs in turn.
    fetches,
    /// Of those, started by the prefetcher or `prefetch`.
    prefetches,
    /// HTTP requests sent to responders.
    requests,
    /// Answers refused because they contradicted a verified revocation.
    contradictions,
    /// Times the observer panicked (each caught).
    observer_panics,
}

impl Counters {
    pub(super) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// One handshake the inner verifier accepted, and what was decided.
    pub(super) fn record(&self, outcome: &ClientCertOutcome) {
        Self::bump(&self.handshakes);
        Self::bump(if outcome.decision().is_accepted() {
            &self.accepted
        } else {
            &self.rejected
        });
        for check in outcome.checks() {
            Self::bump(match check.decision().situation() {
                Situation::Good => &self.good,
                Situation::Revoked { .. } => &self.revoked,
                Situation::Unknown => &self.unknown,
                Situation::NoStaple => &self.no_answer,
                Situation::StapleUnusable(_) => &self.unusable,
                Situation::StapleInvalid(_) => &self.invalid,
            });
            let by_source = match check.source() {
                AnswerSource::Cache => Some(&self.cache_hits),
                AnswerSource::Fetch => Some(&self.fetched),
                AnswerSource::SharedFetch => Some(&self.shared_fetches),
                AnswerSource::BudgetExhausted => Some(&self.budget_exhausted),
                AnswerSource::RecentFailure { .. } => Some(&self.recent_failures),
                AnswerSource::FetchFailed(_) => Some(&self.fetch_failures),
                AnswerSource::NoResponder => Some(&self.no_responder),
                AnswerSource::ResponderNotAllowed => Some(&self.responder_not_allowed),
                AnswerSource::ResponderBusy => Some(&self.responder_busy),
                AnswerSource::Overloaded => Some(&self.overloaded),
                AnswerSource::NotAsked => None,
            };
            if let Some(counter) = by_source {
                Self::bump(counter);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;
    use std::string::ToString;

    use super::*;
    use crate::response::{CertStatus, RevocationReason};

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn facts() -> Option<Arc<CertificateFacts>> {
        Some(Arc::new(CertificateFacts {
            serial: std::vec![1],
            subject: std::vec![0x30, 0x00],
        }))
    }

    fn check(staple: Staple, policy: Policy, source: AnswerSource) -> CertificateCheck {
        let obtained = Obtained {
            staple,
            answer: None,
            source,
            fetch_error: None,
        };
        CertificateCheck::new(0, facts(), policy, obtained)
    }

    #[test]
    fn a_check_reports_what_it_was_given() {
        let answer = Answer::for_tests(CertStatus::Good, at(1_000), Some(at(2_000)));
        let failed = FetchError::NoResponderUrl;
        let obtained = Obtained {
            staple: Staple::Verified(answer),
            answer: Some(answer),
            source: AnswerSource::Fetch,
            fetch_error: Some(failed.clone()),
        };
        let certificate = Some(Arc::new(CertificateFacts {
            serial: std::vec![7, 8],
            subject: std::vec![0x30, 0x02, 0x31, 0x00],
        }));
        let check = CertificateCheck::new(2, certificate, Policy::hard_fail(), obtained);
        assert_eq!(check.depth(), 2);
        assert_eq!(check.serial(), Some(&[7, 8][..]));
        assert_eq!(check.subject(), Some(&[0x30, 0x02, 0x31, 0x00][..]));
        assert_eq!(check.answer(), Some(answer));
        assert_eq!(check.source(), AnswerSource::Fetch);
        assert_eq!(check.fetch_error(), Some(&failed));
        assert!(check.decision().is_accepted());
        let unread = CertificateCheck::new(
            0,
            None,
            Policy::hard_fail(),
            Obtained::no_answer(AnswerSource::Fetch),
        );
        assert_eq!((unread.serial(), unread.subject()), (None, None));
        assert_eq!((unread.answer(), unread.fetch_error()), (None, None));
    }

    #[test]
    fn refusals_map_to_rustls_errors() {
        let answer = |status| Answer::for_tests(status, at(1_000), Some(at(2_000)));
        let revoked = CertStatus::Revoked {
            time: at(500),
            reason: Some(RevocationReason::KeyCompromise),
        };
        let stale = Error::ResponseExpired {
            time: at(3_000),
            not_after: at(2_000),
        };
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
            let error = check(staple, Policy::hard_fail(), AnswerSource::Fetch).error();
            assert_eq!(
                error,
                expected.map(::rustls::Error::InvalidCertificate),
                "{staple:?}"
            );
        }
        // Soft-fail accepts no answer and unusable answers; nothing else changes.
        let soft = Policy::soft_fail();
        assert_eq!(
            check(Staple::Absent, soft, AnswerSource::Overloaded).error(),
            None
        );
        assert_eq!(
            check(Staple::Invalid(stale), soft, AnswerSource::Fetch).error(),
            None
        );
        // An unreadable certificate.
        let unreadable = ClientCertOutcome::unreadable(
            at(1),
            soft,
            Error::BadDer(crate::error::Structure::Certificate),
        );
        assert_eq!(
            unreadable.error(),
            Some(::rustls::Error::InvalidCertificate(
                CertificateError::BadEncoding
            ))
        );
        assert_eq!(unreadable.serial(), None);
    }

    #[test]
    fn outcomes_read_as_one_line_and_the_first_refusal_decides() {
        let revoked = Answer::for_tests(
            CertStatus::Revoked {
                time: at(500),
                reason: Some(RevocationReason::KeyCompromise),
            },
            at(1_000),
            Some(at(2_000)),
        );
        let soft = Policy::soft_fail();
        let mut deeper = check(Staple::Verified(revoked), soft, AnswerSource::Cache);
        deeper.depth = 1;
        let outcome = ClientCertOutcome::new(
            at(1_500),
            Duration::from_millis(7),
            std::vec![
                check(Staple::Absent, soft, AnswerSource::BudgetExhausted),
                deeper
            ],
        );
        assert_eq!(
            outcome.to_string(),
            "rejected: the certificate at depth 1: revoked (keyCompromise) (from the cache)"
        );
        assert_eq!(outcome.deciding().depth(), 1);
        assert_eq!(outcome.waited(), Duration::from_millis(7));
        assert_eq!(outcome.serial(), Some(&[1][..]));
        assert_eq!(outcome.subject(), Some(&[0x30, 0x00][..]));
        // An observer receives it as an event, which reads the same.
        let event = ClientCertEvent {
            time: at(1_500),
            kind: ClientCertEventKind::Decided(outcome.clone()),
        };
        assert_eq!(event.to_string(), outcome.to_string());
        assert_eq!(
            event.outcome().map(ClientCertOutcome::to_string),
            Some(outcome.to_string())
        );
        let contradiction = ClientCertEvent {
            time: at(1_600),
            kind: ClientCertEventKind::Contradiction {
                serial: std::vec![0x0a, 0xff],
                revoked,
                offered: Answer::for_tests(CertStatus::Good, at(1_600), None),
                url: "http://ocsp.test/".into(),
            },
        };
        assert_eq!(contradiction.time(), at(1_600));
        assert!(contradiction.outcome().is_none());
        assert_eq!(
            contradiction.to_string(),
            "RESPONDER CONTRADICTION: http://ocsp.test/ says good about serial 0aff after a \
             verified revocation; the revocation stands"
        );
        let outcome = ClientCertOutcome::new(
            at(1_500),
            Duration::ZERO,
            std::vec![check(Staple::Absent, soft, AnswerSource::BudgetExhausted)],
        );
        assert_eq!(
            outcome.to_string(),
            "accepted: no answer (the handshake budget ran out; the fetch goes on in the \
             background)"
        );
        let busy = check(Staple::Absent, soft, AnswerSource::ResponderBusy);
        assert_eq!(
            busy.to_string(),
            "no answer (not asked: its responder is busy)"
        );
        let waiting = AnswerSource::RecentFailure {
            kind: FailureKind::Unreachable,
            retry_in: Duration::from_secs(90),
        };
        assert_eq!(
            waiting.to_string(),
            "not asked: no responder could be reached, asked again in 1m 30s"
        );
        assert_eq!(waiting.code(), "recent_failure");
    }

    #[test]
    fn counters_follow_each_check() {
        let counters = Counters::default();
        let soft = Policy::soft_fail();
        let outcome = ClientCertOutcome::new(
            at(1),
            Duration::ZERO,
            std::vec![
                check(Staple::Absent, soft, AnswerSource::ResponderBusy),
                check(Staple::Absent, soft, AnswerSource::ResponderNotAllowed),
            ],
        );
        counters.record(&outcome);
        let snapshot = counters.snapshot(1, 2, 3, 4, 5);
        assert_eq!(
            (
                snapshot.handshakes(),
                snapshot.accepted(),
                snapshot.no_answer(),
                snapshot.responder_busy(),
                snapshot.responder_not_allowed()
            ),
            (1, 1, 2, 1, 1)
        );
        assert_eq!(
            (
                snapshot.in_flight(),
                snapshot.cached(),
                snapshot.revocations(),
                snapshot.tracked(),
                snapshot.responders_down()
            ),
            (1, 2, 3, 4, 5)
        );
    }
}
