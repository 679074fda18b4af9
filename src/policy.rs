//! What a TLS client does with the answer: soft-fail and hard-fail, and must-staple.
//!
//! The verifier says whether a stapled response is genuine, fresh and about the certificate; the
//! policy turns that, and whether the certificate demands a staple, into accept or reject: the
//! table is on [`Policy`], the one copy of it.
//!
//! No heap and no `std`: a policy is three small enums, and a [`Decision`] is a `Copy` value
//! that carries the reason.

use core::fmt;

use rustls_pki_types::UnixTime;

use crate::cert::TlsFeatures;
use crate::error::{Error, ResponseStatus};
use crate::response::{CertStatus, RevocationReason};
use crate::verify::Answer;

/// What the client got from the server: the input of [`Policy::decide`].
///
/// A good answer can only come as an [`Answer`], which only the verifier makes: a status read
/// from an unverified response cannot reach the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Staple {
    /// The server stapled no response.
    Absent,
    /// The stapled response passed every check of the verifier.
    Verified(Answer),
    /// The stapled response was refused by the verifier, with this error.
    Invalid(Error),
}

impl From<Result<Answer, Error>> for Staple {
    fn from(result: Result<Answer, Error>) -> Self {
        match result {
            Ok(answer) => Self::Verified(answer),
            Err(error) => Self::Invalid(error),
        }
    }
}

/// What happened, as a row of the policy table: the reason a [`Decision`] carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Situation {
    /// A verified `good` answer, fresh at the time of the check.
    Good,
    /// A verified `revoked` answer.
    Revoked {
        /// `revocationTime`.
        time: UnixTime,
        /// `revocationReason`, when given.
        reason: Option<RevocationReason>,
    },
    /// A verified `unknown` answer.
    Unknown,
    /// The server stapled no response.
    NoStaple,
    /// The staple is correctly signed but not usable now, or the responder asked to try later:
    /// [`Error::ResponseExpired`], [`Error::ResponseTooOld`], [`Error::ResponseNotYetValid`] or
    /// [`Error::UnsuccessfulResponse`] with `tryLater`. Soft-fail treats it as if it were absent.
    StapleUnusable(Error),
    /// The staple is invalid in any other way: bad signature, unauthorised responder, no answer
    /// for this certificate, malformed, and every other [`Error`].
    StapleInvalid(Error),
}

impl Situation {
    /// Classifies what the client got.
    pub fn of(staple: &Staple) -> Self {
        match staple {
            Staple::Absent => Self::NoStaple,
            Staple::Verified(answer) => match answer.status() {
                CertStatus::Good => Self::Good,
                CertStatus::Revoked { time, reason } => Self::Revoked { time, reason },
                CertStatus::Unknown => Self::Unknown,
            },
            Staple::Invalid(
                error @ (Error::ResponseExpired { .. }
                | Error::ResponseTooOld { .. }
                | Error::ResponseNotYetValid { .. }
                | Error::UnsuccessfulResponse(ResponseStatus::TryLater)),
            ) => Self::StapleUnusable(*error),
            Staple::Invalid(error) => Self::StapleInvalid(*error),
        }
    }

    /// The verifier's error, for the two situations that have one.
    pub fn error(&self) -> Option<Error> {
        match self {
            Self::StapleUnusable(error) | Self::StapleInvalid(error) => Some(*error),
            _ => None,
        }
    }

    /// The certificate status of a verified staple, for the three situations that have one.
    pub fn status(&self) -> Option<CertStatus> {
        match *self {
            Self::Good => Some(CertStatus::Good),
            Self::Revoked { time, reason } => Some(CertStatus::Revoked { time, reason }),
            Self::Unknown => Some(CertStatus::Unknown),
            _ => None,
        }
    }

    /// A stable snake_case name, for logs and metrics: `good`, `revoked`, `unknown`,
    /// `no_staple`, `staple_unusable`, `staple_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Revoked { .. } => "revoked",
            Self::Unknown => "unknown",
            Self::NoStaple => "no_staple",
            Self::StapleUnusable(_) => "staple_unusable",
            Self::StapleInvalid(_) => "staple_invalid",
        }
    }
}

impl fmt::Display for Situation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Good => f.write_str("the staple says good"),
            Self::Revoked {
                reason: Some(reason),
                ..
            } => write!(f, "the staple says revoked ({})", reason.name()),
            Self::Revoked { reason: None, .. } => f.write_str("the staple says revoked"),
            Self::Unknown => f.write_str("the staple says unknown"),
            Self::NoStaple => f.write_str("no staple"),
            Self::StapleUnusable(error) => write!(f, "unusable staple: {error}"),
            Self::StapleInvalid(error) => write!(f, "invalid staple: {error}"),
        }
    }
}

/// Accept or reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Go on with the connection.
    Accept,
    /// Refuse the connection.
    Reject,
}

/// What to do with a staple that is [unusable](Situation::StapleUnusable) (stale, not yet
/// valid, tryLater).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnusableStaple {
    /// Decide as if the server had stapled nothing (soft-fail): a server whose cached response
    /// went stale is no worse than one that staples nothing.
    AsIfAbsent,
    /// Reject (hard-fail).
    Reject,
}

/// The revocation policy: soft-fail or hard-fail, with per-situation overrides.
///
/// A small `Copy` value. Start from one of the two presets, the caller's explicit choice; there
/// is no `Default`. A certificate whose TLS feature extension lists `status_request`
/// (must-staple, RFC 7633) needs a good fresh staple under every policy.
///
/// | situation | [`Policy::soft_fail`] | [`Policy::hard_fail`] |
/// | --- | --- | --- |
/// | good and fresh | accept | accept |
/// | revoked | reject | reject |
/// | unknown | reject | reject |
/// | no staple (certificate not must-staple) | accept | reject |
/// | staple stale, not yet valid, or tryLater | accept (as if absent) | reject |
/// | staple invalid in any other way (signature, responder, CertID, malformed) | reject | reject |
/// | must-staple certificate without a good fresh staple | reject | reject |
/// | TLS feature extension listing a feature the client cannot satisfy | reject | reject |
///
/// "Stale" covers every freshness error of the verifier: past `nextUpdate`
/// ([`Error::ResponseExpired`]) and a `thisUpdate` older than allowed
/// ([`Error::ResponseTooOld`]).
///
/// ```
/// use ocsp_verify::{Policy, Verdict};
///
/// let policy = Policy::soft_fail().with_unusable_staple_rejected();
/// assert_eq!(policy.no_staple(), Verdict::Accept);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    unknown: Verdict,
    no_staple: Verdict,
    unusable_staple: UnusableStaple,
}

impl Policy {
    /// Soft-fail: a missing staple, and a stale, not-yet-valid or tryLater one, are accepted (the
    /// latter as if absent); revoked, unknown and invalid staples are rejected.
    ///
    /// Right where the server may not staple (or its responder may be down) and a failed
    /// connection costs more than a revoked certificate missed for the lifetime of a stale
    /// staple. An attacker who can strip the staple defeats it: that is what must-staple and
    /// hard-fail are for.
    pub const fn soft_fail() -> Self {
        Self {
            unknown: Verdict::Reject,
            no_staple: Verdict::Accept,
            unusable_staple: UnusableStaple::AsIfAbsent,
        }
    }

    /// Hard-fail: only a verified, fresh `good` staple is accepted.
    ///
    /// Right where every server is known to staple (a private PKI, a service mesh).
    pub const fn hard_fail() -> Self {
        Self {
            unknown: Verdict::Reject,
            no_staple: Verdict::Reject,
            unusable_staple: UnusableStaple::Reject,
        }
    }

    /// Rejects a connection whose server stapled nothing (a no-op under hard-fail).
    pub const fn with_no_staple_rejected(self) -> Self {
        Self {
            no_staple: Verdict::Reject,
            ..self
        }
    }

    /// Rejects a stale, not-yet-valid or tryLater staple instead of treating it as absent: under
    /// soft-fail, a server that staples is then held to stapling a usable response.
    pub const fn with_unusable_staple_rejected(self) -> Self {
        Self {
            unusable_staple: UnusableStaple::Reject,
            ..self
        }
    }

    /// Accepts a connection whose server stapled nothing, as soft-fail does. Weakens hard-fail:
    /// an attacker who can strip the staple then hides a revocation.
    pub const fn dangerous_with_no_staple_accepted(self) -> Self {
        Self {
            no_staple: Verdict::Accept,
            ..self
        }
    }

    /// Treats a stale, not-yet-valid or tryLater staple as absent, as soft-fail does. Weakens
    /// hard-fail: a server can then replay an old response, made before a revocation, and be
    /// judged by the no-staple rule instead.
    pub const fn dangerous_with_unusable_staple_as_absent(self) -> Self {
        Self {
            unusable_staple: UnusableStaple::AsIfAbsent,
            ..self
        }
    }

    /// Accepts a verified `unknown` answer. Weakens both presets: RFC 6960 section 2.2 says
    /// unknown "indicates that the responder doesn't know about the certificate being
    /// requested", which for a certificate the CA issued is a sign of a misissued or forged
    /// one. Still rejected for a must-staple certificate, which needs `good`.
    pub const fn dangerous_with_unknown_accepted(self) -> Self {
        Self {
            unknown: Verdict::Accept,
            ..self
        }
    }

    /// The verdict on a verified `unknown` answer.
    pub const fn unknown(&self) -> Verdict {
        self.unknown
    }

    /// The verdict when the server stapled nothing.
    pub const fn no_staple(&self) -> Verdict {
        self.no_staple
    }

    /// What happens to a stale, not-yet-valid or tryLater staple.
    pub const fn unusable_staple(&self) -> UnusableStaple {
        self.unusable_staple
    }

    /// Decides on `staple` for a certificate whose TLS feature extension requires
    /// `tls_features` ([`crate::Certificate::tls_features`]).
    pub fn decide(&self, staple: &Staple, tls_features: TlsFeatures) -> Decision {
        let situation = Situation::of(staple);
        let by_policy = match situation {
            Situation::Good => Verdict::Accept,
            // RFC 6960 section 2.2: revoked "indicates that the certificate has been revoked,
            // either temporarily ... or permanently". No policy accepts it.
            Situation::Revoked { .. } => Verdict::Reject,
            Situation::Unknown => self.unknown,
            Situation::NoStaple => self.no_staple,
            Situation::StapleUnusable(_) => match self.unusable_staple {
                UnusableStaple::AsIfAbsent => self.no_staple,
                UnusableStaple::Reject => Verdict::Reject,
            },
            // RFC 6066 section 8: "Clients requesting an OCSP response and receiving an OCSP
            // response in a "CertificateStatus" message MUST check the OCSP response and abort
            // the handshake if the response is not satisfactory". Soft-fail departs from this
            // only for the unusable staples above; a staple that fails its checks is rejected
            // by every policy.
            Situation::StapleInvalid(_) => Verdict::Reject,
        };
        let certificate_forbids = match tls_features {
            TlsFeatures::NoneRequired => false,
            // RFC 7633, abstract: "Informing clients that an OCSP status response will always
            // be stapled permits an immediate failure in the case that the response is not
            // stapled." Only a good, fresh, verified staple satisfies a must-staple
            // certificate, whatever the policy would otherwise accept.
            TlsFeatures::StatusRequest => situation != Situation::Good,
            // RFC 7633 section 4.2.2: a client "MUST treat a certificate with a TLS feature
            // extension as an invalid certificate if the features offered by the TLS server do
            // not contain all features present in both the client's ClientHello message and
            // the TLS Feature extension". A feature this crate cannot check fails closed.
            TlsFeatures::Unsupported => true,
        };
        let rejected_for_tls_features = certificate_forbids && by_policy == Verdict::Accept;
        Decision {
            verdict: if certificate_forbids {
                Verdict::Reject
            } else {
                by_policy
            },
            situation,
            tls_features,
            rejected_for_tls_features,
        }
    }
}

/// The policy's answer, with its reason.
///
/// ```
/// use ocsp_verify::{Policy, Situation, Staple, TlsFeatures, Verdict};
///
/// let decision = Policy::soft_fail().decide(&Staple::Absent, TlsFeatures::StatusRequest);
/// assert_eq!(decision.verdict(), Verdict::Reject);
/// assert_eq!(decision.situation(), Situation::NoStaple);
/// assert!(decision.rejected_for_tls_features());
/// assert_eq!(
///     decision.to_string(),
///     "rejected: no staple; the certificate is must-staple"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    verdict: Verdict,
    situation: Situation,
    tls_features: TlsFeatures,
    rejected_for_tls_features: bool,
}

impl Decision {
    /// Accept or reject.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Whether the verdict is [`Verdict::Accept`].
    pub fn is_accepted(&self) -> bool {
        self.verdict == Verdict::Accept
    }

    /// What happened: the reason for the verdict, with the status or the verifier's error.
    pub fn situation(&self) -> Situation {
        self.situation
    }

    /// What the certificate's TLS feature extension requires (must-staple, or a feature this
    /// crate cannot check).
    pub fn tls_features(&self) -> TlsFeatures {
        self.tls_features
    }

    /// Whether the policy alone would have accepted, and the certificate's TLS feature
    /// extension rejected: must-staple without a good staple, or a feature the client cannot
    /// satisfy.
    pub fn rejected_for_tls_features(&self) -> bool {
        self.rejected_for_tls_features
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match self.verdict {
            Verdict::Accept => "accepted",
            Verdict::Reject => "rejected",
        };
        write!(f, "{verdict}: {}", self.situation)?;
        match self.tls_features {
            TlsFeatures::Unsupported => {
                f.write_str("; the certificate requires a TLS feature this client cannot provide")
            }
            TlsFeatures::StatusRequest if self.rejected_for_tls_features => {
                f.write_str("; the certificate is must-staple")
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use core::time::Duration;

    const SOFT: Policy = Policy::soft_fail();
    const HARD: Policy = Policy::hard_fail();
    const ACCEPT: Verdict = Verdict::Accept;
    const REJECT: Verdict = Verdict::Reject;
    const PLAIN: TlsFeatures = TlsFeatures::NoneRequired;
    const MUST_STAPLE: TlsFeatures = TlsFeatures::StatusRequest;

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn verified(status: CertStatus) -> Staple {
        Staple::Verified(Answer::for_tests(status, at(1_767_225_600), None))
    }

    fn revoked() -> CertStatus {
        CertStatus::Revoked {
            time: at(1_748_779_200),
            reason: Some(RevocationReason::KeyCompromise),
        }
    }

    fn expired() -> Error {
        Error::ResponseExpired {
            time: at(1_767_900_000),
            not_after: at(1_767_830_400),
        }
    }

    /// One staple per row of the table, with the situation it is.
    fn rows() -> [(&'static str, Staple, Situation); 11] {
        let revoked = revoked();
        let CertStatus::Revoked { time, reason } = revoked else {
            unreachable!()
        };
        let too_old = Error::ResponseTooOld {
            time: at(1_767_900_000),
            not_after: at(1_767_830_400),
        };
        let not_yet_valid = Error::ResponseNotYetValid {
            time: at(1_767_000_000),
            not_before: at(1_767_225_600),
        };
        let try_later = Error::UnsuccessfulResponse(ResponseStatus::TryLater);
        let internal_error = Error::UnsuccessfulResponse(ResponseStatus::InternalError);
        [
            ("good", verified(CertStatus::Good), Situation::Good),
            (
                "revoked",
                verified(revoked),
                Situation::Revoked { time, reason },
            ),
            ("unknown", verified(CertStatus::Unknown), Situation::Unknown),
            ("no staple", Staple::Absent, Situation::NoStaple),
            (
                "stale",
                Staple::Invalid(expired()),
                Situation::StapleUnusable(expired()),
            ),
            (
                "too old",
                Staple::Invalid(too_old),
                Situation::StapleUnusable(too_old),
            ),
            (
                "not yet valid",
                Staple::Invalid(not_yet_valid),
                Situation::StapleUnusable(not_yet_valid),
            ),
            (
                "tryLater",
                Staple::Invalid(try_later),
                Situation::StapleUnusable(try_later),
            ),
            (
                "bad signature",
                Staple::Invalid(Error::InvalidSignature),
                Situation::StapleInvalid(Error::InvalidSignature),
            ),
            (
                "for another certificate",
                Staple::Invalid(Error::NoMatchingResponse),
                Situation::StapleInvalid(Error::NoMatchingResponse),
            ),
            (
                "internalError",
                Staple::Invalid(internal_error),
                Situation::StapleInvalid(internal_error),
            ),
        ]
    }

    /// The policy table (on `Policy`, above), cell by cell: (row, soft-fail, hard-fail), for a
    /// certificate with no TLS feature, one that is must-staple, and one listing a feature the
    /// client cannot satisfy.
    #[test]
    fn every_cell_of_the_matrix() {
        let soft = [
            ACCEPT, REJECT, REJECT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, REJECT, REJECT, REJECT,
        ];
        let hard = [
            ACCEPT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT,
        ];
        for (index, (name, staple, situation)) in rows().into_iter().enumerate() {
            for (policy, expected, preset) in [(SOFT, soft, "soft"), (HARD, hard, "hard")] {
                let decision = policy.decide(&staple, PLAIN);
                assert_eq!(decision.verdict(), expected[index], "{preset}-fail, {name}");
                assert_eq!(decision.situation(), situation, "{preset}-fail, {name}");
                assert_eq!(decision.tls_features(), PLAIN);
                assert!(!decision.rejected_for_tls_features());

                // Must-staple: only good passes, under both presets.
                let decision = policy.decide(&staple, MUST_STAPLE);
                let want = if situation == Situation::Good {
                    ACCEPT
                } else {
                    REJECT
                };
                let context = std::format!("{preset}-fail, must-staple, {name}");
                assert_eq!(decision.verdict(), want, "{context}");
                assert_eq!(decision.situation(), situation);
                assert_eq!(decision.tls_features(), MUST_STAPLE);
                assert_eq!(
                    decision.rejected_for_tls_features(),
                    expected[index] == ACCEPT && situation != Situation::Good,
                    "{context}"
                );

                // A feature the client cannot satisfy: nothing passes, not even good.
                let decision = policy.decide(&staple, TlsFeatures::Unsupported);
                assert_eq!(
                    decision.verdict(),
                    REJECT,
                    "{preset}-fail, feature 17, {name}"
                );
                assert_eq!(decision.situation(), situation);
                assert_eq!(
                    decision.rejected_for_tls_features(),
                    expected[index] == ACCEPT
                );
            }
        }
    }

    #[test]
    fn every_other_error_is_an_invalid_staple() {
        for error in [
            Error::BadDer(crate::Structure::OcspResponse),
            Error::UnsupportedSignatureAlgorithm,
            Error::ResponderNotFound,
            Error::ResponseLifetimeTooLong,
            Error::UnsuccessfulResponse(ResponseStatus::Unauthorized),
            Error::IssuerNotFound,
            Error::ResponderExpired {
                time: at(2),
                not_after: at(1),
            },
        ] {
            let decision = SOFT.decide(&Staple::Invalid(error), PLAIN);
            assert_eq!(decision.situation(), Situation::StapleInvalid(error));
            assert_eq!(decision.verdict(), REJECT);
        }
    }

    #[test]
    fn overrides_change_only_their_own_row() {
        let unknown = verified(CertStatus::Unknown);
        let stale = Staple::Invalid(expired());

        let policy = SOFT.dangerous_with_unknown_accepted();
        assert_eq!(policy.decide(&unknown, PLAIN).verdict(), ACCEPT);
        assert_eq!(policy.decide(&unknown, MUST_STAPLE).verdict(), REJECT);
        assert!(
            policy
                .decide(&unknown, MUST_STAPLE)
                .rejected_for_tls_features()
        );
        assert_eq!(policy.decide(&verified(revoked()), PLAIN).verdict(), REJECT);

        let policy = SOFT.with_unusable_staple_rejected();
        assert_eq!(policy.decide(&stale, PLAIN).verdict(), REJECT);
        assert_eq!(policy.decide(&Staple::Absent, PLAIN).verdict(), ACCEPT);

        let policy = SOFT.with_no_staple_rejected();
        assert_eq!(policy, HARD.dangerous_with_unusable_staple_as_absent());
        // As if absent, and absent is now rejected.
        assert_eq!(policy.decide(&stale, PLAIN).verdict(), REJECT);

        let policy = HARD.dangerous_with_no_staple_accepted();
        assert_eq!(policy.decide(&Staple::Absent, PLAIN).verdict(), ACCEPT);
        assert_eq!(policy.decide(&stale, PLAIN).verdict(), REJECT);
        assert_eq!(policy.dangerous_with_unusable_staple_as_absent(), SOFT);
    }

    #[test]
    fn reasons_are_printable() {
        use std::string::ToString;

        let decision = HARD.decide(&verified(revoked()), PLAIN);
        assert_eq!(
            decision.to_string(),
            "rejected: the staple says revoked (keyCompromise)"
        );
        let decision = SOFT.decide(&Staple::Invalid(expired()), PLAIN);
        assert_eq!(
            decision.to_string(),
            "accepted: unusable staple: the response expired 19h 20m ago (nextUpdate \
             2026-01-08T00:00:00Z)"
        );
        assert_eq!(decision.situation().code(), "staple_unusable");
        assert_eq!(decision.situation().error(), Some(expired()));
        assert_eq!(decision.situation().status(), None);
        let decision = SOFT.decide(&verified(CertStatus::Good), TlsFeatures::Unsupported);
        assert_eq!(
            decision.to_string(),
            "rejected: the staple says good; the certificate requires a TLS feature this \
             client cannot provide"
        );
    }

    /// The presets and each override, read back through the getters.
    #[test]
    fn settings_read_back() {
        let read = |p: Policy| (p.unknown(), p.no_staple(), p.unusable_staple());
        use UnusableStaple::{AsIfAbsent, Reject};
        assert_eq!(read(SOFT), (REJECT, ACCEPT, AsIfAbsent));
        assert_eq!(read(HARD), (REJECT, REJECT, Reject));
        assert_eq!(
            read(SOFT.dangerous_with_unknown_accepted()),
            (ACCEPT, ACCEPT, AsIfAbsent)
        );
        assert_eq!(
            read(SOFT.with_no_staple_rejected()),
            (REJECT, REJECT, AsIfAbsent)
        );
        assert_eq!(
            read(SOFT.with_unusable_staple_rejected()),
            (REJECT, ACCEPT, Reject)
        );
        assert_eq!(
            read(HARD.dangerous_with_no_staple_accepted()),
            (REJECT, ACCEPT, Reject)
        );
        assert_eq!(
            read(HARD.dangerous_with_unusable_staple_as_absent()),
            (REJECT, REJECT, AsIfAbsent)
        );
    }

    #[test]
    fn situations_give_back_their_status_or_error() {
        for (name, staple, situation) in rows() {
            let verified = match staple {
                Staple::Verified(answer) => Some(answer.status()),
                _ => None,
            };
            assert_eq!(situation.status(), verified, "{name}");
            let error = match staple {
                Staple::Invalid(error) => Some(error),
                _ => None,
            };
            assert_eq!(situation.error(), error, "{name}");
        }
        let codes: std::collections::BTreeSet<_> = rows()
            .iter()
            .map(|(_, _, situation)| situation.code())
            .collect();
        assert_eq!(
            codes.into_iter().collect::<std::vec::Vec<_>>(),
            [
                "good",
                "no_staple",
                "revoked",
                "staple_invalid",
                "staple_unusable",
                "unknown"
            ]
        );
    }

    /// The must-staple note is there exactly when must-staple made the difference.
    #[test]
    fn decisions_say_when_must_staple_decided() {
        use std::string::ToString;

        let good = SOFT.decide(&verified(CertStatus::Good), MUST_STAPLE);
        assert_eq!(good.to_string(), "accepted: the staple says good");
        let absent = SOFT.decide(&Staple::Absent, MUST_STAPLE);
        assert_eq!(
            absent.to_string(),
            "rejected: no staple; the certificate is must-staple"
        );
        let absent = HARD.decide(&Staple::Absent, MUST_STAPLE);
        assert!(!absent.rejected_for_tls_features());
        assert_eq!(absent.to_string(), "rejected: no staple");
        assert_eq!(
            SOFT.decide(&verified(CertStatus::Unknown), PLAIN)
                .to_string(),
            "rejected: the staple says unknown"
        );
    }

    #[test]
    fn results_become_staples() {
        let staple: Staple = Err(Error::InvalidSignature).into();
        assert_eq!(staple, Staple::Invalid(Error::InvalidSignature));
        let answer = Answer::for_tests(CertStatus::Good, at(1), None);
        let staple: Staple = Ok(answer).into();
        assert_eq!(Situation::of(&staple), Situation::Good);
    }
}
