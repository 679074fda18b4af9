//! Why a fetch failed, in three families the policy treats apart: nobody answered
//! ([`Unreachable`]), a responder answered nonsense ([`BadAnswer`]), or it answered with an OCSP
//! response that was refused (the core [`Error`]).

use core::time::Duration;
use std::string::String;

use crate::error::Error;
use crate::policy::Staple;
use crate::server::backoff::FailureKind;
use crate::server::keeper::Refusal;
use crate::verify::Answer;

/// Why a responder could not be reached: nothing it said is known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unreachable {
    /// The host name did not resolve.
    #[error("the host name does not resolve")]
    Dns,
    /// The TCP connection could not be made (refused, no route, ...).
    #[error("the connection failed: {0}")]
    Connect(String),
    /// The connect timeout or the fetch timeout ran out.
    #[error("timed out")]
    Timeout,
    /// The server reported an error of its own (HTTP 5xx).
    #[error("HTTP status {0} (a server error)")]
    ServerError(u16),
    /// The URL cannot be used to make a request.
    #[error("the URL cannot be used: {0}")]
    InvalidUrl(String),
    /// The connection broke, the transport panicked, or another transport error.
    #[error("transport error: {0}")]
    Transport(String),
}

/// How a responder's answer was not an OCSP response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadAnswer {
    /// An HTTP status other than 200 that is not a server error (redirects are not followed).
    #[error("HTTP status {0}, not 200")]
    Status(u16),
    /// The `Content-Type` is missing or is not `application/ocsp-response`.
    #[error("content type {0:?}, not application/ocsp-response")]
    ContentType(Option<String>),
    /// The body is longer than the size cap (reading stopped at the cap).
    #[error("the body is longer than {0} bytes")]
    TooLarge(usize),
    /// The body is not a DER `OCSPResponse`.
    #[error("the body is not an OCSP response: {0}")]
    Malformed(Error),
    /// What came back is not well-formed HTTP.
    #[error("malformed HTTP: {0}")]
    Protocol(String),
}

/// Why a verified answer was not kept, replacing the one kept for its `CertID` (see
/// [`super::ResponseCache::offer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotKept {
    /// Its `thisUpdate` is further ahead of now than the clock skew (any status, a
    /// revocation included).
    #[error("it is not valid yet: {0}")]
    NotYetValid(Error),
    /// It is older (by `thisUpdate`) than the answer kept: a replay, or a responder behind a
    /// stale cache.
    #[error(
        "it is older (thisUpdate {}) than the answer kept (thisUpdate {})",
        crate::display::Rfc3339(offered.this_update()),
        crate::display::Rfc3339(kept.this_update())
    )]
    Older {
        /// The answer offered.
        offered: Answer,
        /// The answer kept.
        kept: Answer,
    },
    /// It says `good` or `unknown` about a certificate whose permanent revocation was
    /// verified before: the responder contradicts itself. Revocation is one-way; the
    /// revocation stays.
    #[error(
        "the responder contradicts itself: it says {} after a verified revocation (thisUpdate {})",
        status_word(offered),
        crate::display::Rfc3339(revoked.this_update())
    )]
    Contradiction {
        /// The revocation kept.
        revoked: Answer,
        /// The answer offered.
        offered: Answer,
    },
}

/// `good`, `unknown`, or `revoked (on hold)`: what a contradiction of a revocation says.
pub(crate) fn status_word(answer: &Answer) -> &'static str {
    match answer.status() {
        crate::response::CertStatus::Good => "good",
        crate::response::CertStatus::Revoked { .. } => "revoked (on hold)",
        crate::response::CertStatus::Unknown => "unknown",
    }
}

impl NotKept {
    /// A stable snake_case name: `not_yet_valid`, `older`, `contradiction`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotYetValid(_) => "not_yet_valid",
            Self::Older { .. } => "older",
            Self::Contradiction { .. } => "contradiction",
        }
    }
}

impl From<Refusal> for NotKept {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotYetValid(error) => Self::NotYetValid(error),
            Refusal::NotNewer { offered, held } => Self::Older {
                offered,
                kept: held,
            },
            Refusal::Contradiction { held, offered } => Self::Contradiction {
                revoked: held,
                offered,
            },
        }
    }
}

/// Why fetching a response failed. `Clone`: one failure is handed to every handshake that
/// shared the fetch, and kept in reports.
///
/// The policy treats three families apart (see [`FetchError::failure_kind`]): *unreachable*
/// (no responder answered: DNS, connect, timeout, HTTP 5xx), *bad answer* (a responder
/// answered nonsense: wrong content type, oversize, another status, a body that is not an
/// OCSP response), and *invalid response* (a real OCSP response that did not verify, or that
/// says `tryLater` and the like, with the core [`Error`] inside).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The responder at `url` answered with something that is not an OCSP response.
    #[error("the OCSP responder at {url} answered nonsense: {reason}")]
    BadAnswer {
        /// The responder URL.
        url: String,
        /// What was wrong.
        reason: BadAnswer,
    },
    /// The request could not be built: the issuer given is not the certificate's
    /// ([`Error::IssuerNameMismatch`]) or the nonce is not 1 to 32 octets
    /// ([`Error::InvalidNonceLength`]).
    #[error("cannot build the OCSP request: {0}")]
    InvalidRequest(Error),
    /// The responder at `url` sent an OCSP response that was refused.
    #[error("the OCSP response from {url} was refused: {error}")]
    InvalidResponse {
        /// The responder URL.
        url: String,
        /// Why the verifier refused it.
        error: Error,
    },
    /// The certificate names no `http://` OCSP responder, and none is configured (or the
    /// responder policy ignores the certificate's).
    #[error("the certificate names no http:// OCSP responder, and none is configured")]
    NoResponderUrl,
    /// The certificate names responders, but the responder policy allows none of them.
    #[error("the responder policy allows none of the certificate's OCSP responders ({0})")]
    ResponderNotAllowed(String),
    /// Fetching failed recently (for this certificate, or its responder for any
    /// certificate); no request was sent.
    #[error("fetching failed recently ({kind}); not asking again for {}", crate::display::Elapsed(retry_in.as_secs()))]
    RecentFailure {
        /// What went wrong then.
        kind: FailureKind,
        /// How long until it is tried again.
        retry_in: Duration,
    },
    /// The responder at `url` already has as many requests running as it may: not asked.
    #[error("the OCSP responder at {url} is busy with other requests of this server")]
    ResponderBusy {
        /// The responder URL.
        url: String,
    },
    /// The responder at `url` could not be reached.
    #[error("the OCSP responder at {url} is unreachable: {reason}")]
    Unreachable {
        /// The responder URL.
        url: String,
        /// What failed.
        reason: Unreachable,
    },
}

impl FetchError {
    /// Which of the three failure families this is (remembered ones included), or `None` for
    /// the caller's own setup ([`FetchError::InvalidRequest`], [`FetchError::NoResponderUrl`],
    /// [`FetchError::ResponderNotAllowed`]) and for a responder left alone because it is busy.
    pub fn failure_kind(&self) -> Option<FailureKind> {
        match self {
            Self::BadAnswer { .. } => Some(FailureKind::BadAnswer),
            Self::InvalidResponse { error, .. } => Some(FailureKind::InvalidResponse(*error)),
            Self::RecentFailure { kind, .. } => Some(*kind),
            Self::Unreachable { .. } => Some(FailureKind::Unreachable),
            Self::InvalidRequest(_)
            | Self::NoResponderUrl
            | Self::ResponderNotAllowed(_)
            | Self::ResponderBusy { .. } => None,
        }
    }

    /// Whether no responder answered (now, or when the remembered failure happened).
    pub fn is_unreachable(&self) -> bool {
        self.failure_kind() == Some(FailureKind::Unreachable)
    }

    /// A stable snake_case name, for logs and metrics: `bad_answer`, `invalid_request`, the
    /// core [`Error::code`] of an invalid response (`invalid_signature`, `response_expired`,
    /// ...), `no_responder_url`, `responder_not_allowed`, `recent_failure`, `responder_busy`,
    /// `unreachable`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadAnswer { .. } => "bad_answer",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidResponse { error, .. } => error.code(),
            Self::NoResponderUrl => "no_responder_url",
            Self::ResponderNotAllowed(_) => "responder_not_allowed",
            Self::RecentFailure { .. } => "recent_failure",
            Self::ResponderBusy { .. } => "responder_busy",
            Self::Unreachable { .. } => "unreachable",
        }
    }
}

impl FetchError {
    /// An unreachable responder, for the tests of what handles failures.
    #[cfg(test)]
    pub(crate) fn unreachable_for_tests() -> Self {
        Self::Unreachable {
            url: "http://127.0.0.1:1/".into(),
            reason: Unreachable::Timeout,
        }
    }

    /// What a server that fetched for itself tells its [`crate::Policy`] when the fetch failed
    /// (see the table on [`crate::mtls::OcspClientCertVerifier`]): "no answer" for a responder
    /// that could not be asked or answered nonsense, an unusable answer for `tryLater` and a
    /// stale one, an invalid answer for every other refusal.
    pub(crate) fn as_staple(&self) -> Staple {
        match self {
            Self::InvalidResponse { error, .. } => staple_of_refusal(*error),
            // The caller's own setup (a hash algorithm this build lacks, ...): fail closed.
            Self::InvalidRequest(error) => Staple::Invalid(*error),
            Self::RecentFailure { kind, .. } => staple_of_failure(*kind),
            // Unreachable, nonsense, no URL, not allowed, busy: no answer.
            _ => Staple::Absent,
        }
    }
}

/// The policy's input for a failure remembered.
pub(crate) fn staple_of_failure(kind: FailureKind) -> Staple {
    match kind {
        FailureKind::InvalidResponse(error) => staple_of_refusal(error),
        _ => Staple::Absent,
    }
}

/// The policy's input for a response the verifier refused. RFC 6960 section 2.3:
/// internalError means "Internal error in issuer", the OCSP form of the HTTP 5xx the fetcher
/// already counts as unreachable: no answer. tryLater stays an unusable answer (which the
/// presets treat as no answer too); every other refusal is an invalid answer.
fn staple_of_refusal(error: Error) -> Staple {
    match error {
        Error::UnsuccessfulResponse(crate::error::ResponseStatus::InternalError) => Staple::Absent,
        error => Staple::Invalid(error),
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;
    use crate::cert::TlsFeatures;
    use crate::error::ResponseStatus;
    use crate::policy::{Policy, Verdict};

    fn unreachable() -> FetchError {
        FetchError::unreachable_for_tests()
    }

    fn refused(error: Error) -> FetchError {
        FetchError::InvalidResponse {
            url: "http://127.0.0.1:1/".into(),
            error,
        }
    }

    /// The client-certificate table (on `OcspClientCertVerifier` and in docs/mtls.md), for
    /// every way a fetch fails: the situation, and each preset's verdict.
    #[test]
    fn every_failed_fetch_has_its_row() {
        use Verdict::{Accept, Reject};
        let try_later = Error::UnsuccessfulResponse(ResponseStatus::TryLater);
        let internal = Error::UnsuccessfulResponse(ResponseStatus::InternalError);
        let unauthorized = Error::UnsuccessfulResponse(ResponseStatus::Unauthorized);
        let stale = Error::ResponseExpired {
            time: rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(2)),
            not_after: rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(1)),
        };
        let rows: [(FetchError, &str, Verdict, Verdict); 14] = [
            (unreachable(), "no_staple", Accept, Reject),
            (
                FetchError::BadAnswer {
                    url: String::new(),
                    reason: BadAnswer::Status(404),
                },
                "no_staple",
                Accept,
                Reject,
            ),
            (FetchError::NoResponderUrl, "no_staple", Accept, Reject),
            (
                FetchError::ResponderNotAllowed("http://10.0.0.1/".into()),
                "no_staple",
                Accept,
                Reject,
            ),
            (
                FetchError::ResponderBusy { url: String::new() },
                "no_staple",
                Accept,
                Reject,
            ),
            (refused(internal), "no_staple", Accept, Reject),
            (refused(try_later), "staple_unusable", Accept, Reject),
            (refused(stale), "staple_unusable", Accept, Reject),
            (
                refused(Error::InvalidSignature),
                "staple_invalid",
                Reject,
                Reject,
            ),
            (
                refused(Error::NoMatchingResponse),
                "staple_invalid",
                Reject,
                Reject,
            ),
            (refused(unauthorized), "staple_invalid", Reject, Reject),
            (
                FetchError::RecentFailure {
                    kind: FailureKind::InvalidResponse(Error::ResponderNotFound),
                    retry_in: Duration::from_secs(9),
                },
                "staple_invalid",
                Reject,
                Reject,
            ),
            (
                FetchError::RecentFailure {
                    kind: FailureKind::Unreachable,
                    retry_in: Duration::from_secs(9),
                },
                "no_staple",
                Accept,
                Reject,
            ),
            (
                FetchError::InvalidRequest(Error::UnsupportedHashAlgorithm),
                "staple_invalid",
                Reject,
                Reject,
            ),
        ];
        for (error, situation, soft, hard) in rows {
            let staple = error.as_staple();
            for (policy, verdict) in [(Policy::soft_fail(), soft), (Policy::hard_fail(), hard)] {
                let decision = policy.decide(&staple, TlsFeatures::NoneRequired);
                assert_eq!(decision.situation().code(), situation, "{error}");
                assert_eq!(decision.verdict(), verdict, "{error}, {policy:?}");
            }
        }
        // What the failure memory remembers decides as the failure did.
        assert_eq!(staple_of_failure(FailureKind::Unreachable), Staple::Absent);
        assert_eq!(staple_of_failure(FailureKind::BadAnswer), Staple::Absent);
        assert_eq!(
            staple_of_failure(FailureKind::InvalidResponse(internal)),
            Staple::Absent
        );
        assert_eq!(
            staple_of_failure(FailureKind::InvalidResponse(Error::InvalidSignature)),
            Staple::Invalid(Error::InvalidSignature)
        );
    }

    #[test]
    fn codes_and_families() {
        assert_eq!(unreachable().code(), "unreachable");
        assert!(unreachable().is_unreachable());
        assert_eq!(refused(Error::InvalidSignature).code(), "invalid_signature");
        assert_eq!(
            refused(Error::InvalidSignature).failure_kind(),
            Some(FailureKind::InvalidResponse(Error::InvalidSignature))
        );
        assert_eq!(FetchError::NoResponderUrl.failure_kind(), None);
        assert_eq!(
            FetchError::ResponderBusy { url: String::new() }.failure_kind(),
            None
        );
        assert_eq!(
            FetchError::ResponderNotAllowed(String::new()).code(),
            "responder_not_allowed"
        );
    }
}
