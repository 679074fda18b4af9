//! The policy table (on `Policy`, src/policy.rs) over real TLS handshakes: a rustls server
//! staples a chosen response, a rustls client checks it with `OcspStapleVerifier` at
//! 2026-01-01T01:00:00Z.
//!
//! Every case runs under soft-fail and hard-fail, over TLS 1.2 and TLS 1.3, and asserts the
//! client's exact error, the alert the server receives, and the reason the observer is told.

#![cfg(feature = "rustls")]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod tls;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocsp_verify::{
    Error, OcspOutcome, OcspStapleVerifier, OcspStapleVerifierBuilder, Policy,
    ResponderAuthorization, ResponseStatus, RevocationReason, Situation, TlsFeatures, Verdict,
};
use rustls::{AlertDescription, CertificateError, ProtocolVersion};
use tls::Server;

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3];

/// What the client is expected to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Accept,
    /// `CertificateError::Revoked`; the server receives `certificate_revoked`.
    Revoked,
    /// `CertificateError::UnknownRevocationStatus`; the server receives `unknown_ca`.
    UnknownStatus,
    /// `CertificateError::InvalidOcspResponse`; the server receives
    /// `bad_certificate_status_response`.
    InvalidOcspResponse,
}

impl Expect {
    fn error(self) -> Option<(CertificateError, AlertDescription)> {
        match self {
            Self::Accept => None,
            Self::Revoked => Some((
                CertificateError::Revoked,
                AlertDescription::CertificateRevoked,
            )),
            Self::UnknownStatus => Some((
                CertificateError::UnknownRevocationStatus,
                AlertDescription::UnknownCA,
            )),
            Self::InvalidOcspResponse => Some((
                CertificateError::InvalidOcspResponse,
                AlertDescription::BadCertificateStatusResponse,
            )),
        }
    }
}

/// One row of the table: a server, what it staples, what each preset does, and the reason.
struct Case {
    server: Server,
    staple: Option<Vec<u8>>,
    soft_fail: Expect,
    hard_fail: Expect,
    situation: Situation,
}

/// The outcomes an observer saw, in order.
type Seen = Arc<Mutex<Vec<OcspOutcome>>>;

/// A verifier built by `builder`, with an observer that keeps every outcome.
fn observed(builder: OcspStapleVerifierBuilder) -> (Arc<OcspStapleVerifier>, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let verifier = builder
        .with_observer(move |outcome| log.lock().unwrap().push(outcome.clone()))
        .build()
        .unwrap();
    (verifier, seen)
}

/// An `OcspStapleVerifier` with `policy` over the test root, and the outcomes its observer saw.
fn verifier(policy: Policy) -> (Arc<OcspStapleVerifier>, Seen) {
    observed(OcspStapleVerifier::webpki_builder(
        tls::roots(),
        tls::provider(),
        policy,
    ))
}

/// Runs `case` under both presets and both TLS versions.
fn run(case: &Case) {
    for (policy, expect, preset) in [
        (Policy::soft_fail(), case.soft_fail, "soft-fail"),
        (Policy::hard_fail(), case.hard_fail, "hard-fail"),
    ] {
        for version in VERSIONS {
            let context = format!("{preset}, {version:?}");
            let verifier = verifier(policy);
            run_one(case, &verifier, version, expect, &context);
            assert_eq!(
                verifier.1.lock().unwrap().len(),
                1,
                "{context}: one outcome per handshake"
            );
        }
    }
}

/// One handshake; returns what the verifier decided.
fn run_one(
    case: &Case,
    (verifier, seen): &(Arc<OcspStapleVerifier>, Seen),
    version: ProtocolVersion,
    expect: Expect,
    context: &str,
) -> OcspOutcome {
    let server = tls::server_config(case.server, case.staple.clone(), version);
    let client = tls::client_config(verifier.clone(), version);
    let handshake = tls::handshake(client, server);
    match expect.error() {
        None => {
            assert_eq!(handshake.client, Ok(()), "{context}");
            assert_eq!(handshake.server, Ok(()), "{context}");
            assert_eq!(handshake.version, Some(version), "{context}");
        }
        Some((error, alert)) => {
            assert_eq!(
                handshake.client,
                Err(rustls::Error::InvalidCertificate(error)),
                "{context}"
            );
            assert_eq!(
                handshake.server,
                Err(rustls::Error::AlertReceived(alert)),
                "{context}"
            );
        }
    }
    let outcome = seen.lock().unwrap().last().cloned().expect("an outcome");
    assert_eq!(outcome.decision().situation(), case.situation, "{context}");
    let verdict = match expect {
        Expect::Accept => Verdict::Accept,
        _ => Verdict::Reject,
    };
    assert_eq!(outcome.decision().verdict(), verdict, "{context}");
    let certificate = tls::cert(match case.server {
        Server::MustStaple => "tls-server-muststaple",
        Server::Direct => "tls-server-direct",
        _ => "tls-server",
    });
    let certificate = ocsp_verify::Certificate::from_der(&certificate).unwrap();
    assert_eq!(outcome.serial(), Some(certificate.serial()), "{context}");
    assert_eq!(outcome.subject(), Some(certificate.subject()), "{context}");
    assert_eq!(outcome.error(), handshake.client.err(), "{context}");
    assert_eq!(outcome.stapled(), case.staple.is_some(), "{context}");
    assert_eq!(
        outcome.server_name(),
        &rustls::pki_types::ServerName::try_from("localhost").unwrap(),
        "{context}"
    );
    assert_eq!(outcome.now(), tls::now(), "{context}");
    outcome
}

fn staple(name: &str) -> Option<Vec<u8>> {
    Some(tls::response(name))
}

// Row 1: good and fresh.

#[test]
fn good_staple_is_accepted() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-good"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::Accept,
        situation: Situation::Good,
    });
}

#[test]
fn good_staple_reports_its_times() {
    let verifier = verifier(Policy::hard_fail());
    let case = Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-good"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::Accept,
        situation: Situation::Good,
    };
    let outcome = run_one(
        &case,
        &verifier,
        ProtocolVersion::TLSv1_3,
        Expect::Accept,
        "times",
    );
    let answer = outcome.answer().expect("a verified answer");
    assert_eq!(answer.this_update(), common::time("2026-01-01T00:00:00Z"));
    assert_eq!(
        answer.next_update(),
        Some(common::time("2026-01-08T00:00:00Z"))
    );
    assert_eq!(answer.produced_at(), common::time("2026-01-01T00:00:00Z"));
    assert_eq!(answer.responder(), ResponderAuthorization::Issuer);
    assert_eq!(
        answer.time_to_next_update(outcome.now()),
        Some(Duration::from_secs(7 * 86_400 - 3_600))
    );
    assert_eq!(answer.status(), ocsp_verify::CertStatus::Good);
    assert!(!outcome.from_cache());
    assert_eq!(outcome.to_string(), "accepted: the staple says good");
}

// Row 2: revoked.

#[test]
fn revoked_staple_is_rejected() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-revoked"),
        soft_fail: Expect::Revoked,
        hard_fail: Expect::Revoked,
        situation: Situation::Revoked {
            time: common::time("2025-06-01T12:00:00Z"),
            reason: Some(RevocationReason::KeyCompromise),
        },
    });
}

// Row 3: unknown.

#[test]
fn unknown_staple_is_rejected() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-unknown"),
        soft_fail: Expect::UnknownStatus,
        hard_fail: Expect::UnknownStatus,
        situation: Situation::Unknown,
    });
}

// Row 4: no staple, certificate not must-staple.

#[test]
fn no_staple_is_accepted_only_under_soft_fail() {
    run(&Case {
        server: Server::Intermediate,
        staple: None,
        soft_fail: Expect::Accept,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::NoStaple,
    });
}

// Row 5: stale, not yet valid, tryLater.

#[test]
fn stale_staple_is_accepted_as_absent_only_under_soft_fail() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-stale"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleUnusable(Error::ResponseExpired {
            time: tls::now(),
            not_after: common::time("2025-12-25T00:00:00Z"),
        }),
    });
}

#[test]
fn not_yet_valid_staple_is_accepted_as_absent_only_under_soft_fail() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-not-yet-valid"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleUnusable(Error::ResponseNotYetValid {
            time: tls::now(),
            not_before: common::time("2026-01-02T00:00:00Z"),
        }),
    });
}

#[test]
fn try_later_staple_is_accepted_as_absent_only_under_soft_fail() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("r02-status-3-tryLater"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleUnusable(Error::UnsuccessfulResponse(ResponseStatus::TryLater)),
    });
}

// Row 6: invalid in any other way.

#[test]
fn badly_signed_staple_is_rejected() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-bad-signature"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleInvalid(Error::InvalidSignature),
    });
}

#[test]
fn staple_for_another_certificate_is_rejected() {
    run(&Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-for-other"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleInvalid(Error::NoMatchingResponse),
    });
}

#[test]
fn malformed_staple_is_rejected() {
    // OCSPResponse { responseStatus successful } without responseBytes.
    run(&Case {
        server: Server::Intermediate,
        staple: Some(vec![0x30, 0x03, 0x0a, 0x01, 0x00]),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleInvalid(Error::MissingResponseBytes),
    });
}

// Row 7: must-staple without a good fresh staple.

#[test]
fn must_staple_without_staple_is_rejected() {
    run(&Case {
        server: Server::MustStaple,
        staple: None,
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::NoStaple,
    });
    let verifier = verifier(Policy::soft_fail());
    let case = Case {
        server: Server::MustStaple,
        staple: None,
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::NoStaple,
    };
    let outcome = run_one(
        &case,
        &verifier,
        ProtocolVersion::TLSv1_3,
        Expect::InvalidOcspResponse,
        "reason",
    );
    assert_eq!(
        outcome.decision().tls_features(),
        TlsFeatures::StatusRequest
    );
    assert!(outcome.decision().rejected_for_tls_features());
    assert_eq!(
        outcome.to_string(),
        "rejected: no staple; the certificate is must-staple"
    );
}

#[test]
fn must_staple_with_stale_staple_is_rejected() {
    run(&Case {
        server: Server::MustStaple,
        staple: staple("tls/tls-server-muststaple-stale"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleUnusable(Error::ResponseExpired {
            time: tls::now(),
            not_after: common::time("2025-12-25T00:00:00Z"),
        }),
    });
}

#[test]
fn must_staple_with_good_staple_is_accepted() {
    run(&Case {
        server: Server::MustStaple,
        staple: staple("tls/tls-server-muststaple-good"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::Accept,
        situation: Situation::Good,
    });
}

// Where the issuer is found.

#[test]
fn end_entity_issued_by_the_root_is_checked_against_the_root() {
    run(&Case {
        server: Server::Direct,
        staple: staple("tls/tls-server-direct-good"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::Accept,
        situation: Situation::Good,
    });
}

#[test]
fn end_entity_issued_by_the_root_refuses_the_intermediates_staple() {
    run(&Case {
        server: Server::Direct,
        staple: staple("tls/tls-server-good"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleInvalid(Error::NoMatchingResponse),
    });
}

#[test]
fn impostor_issuer_sent_by_the_server_is_not_taken_for_the_issuer() {
    // The impostor has the intermediate's name and its own key, and signed a good response
    // naming its own key. Taken as the issuer by name alone, it would vouch for the server.
    run(&Case {
        server: Server::WithImpostor,
        staple: staple("tls/tls-server-impostor-good"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleInvalid(Error::NoMatchingResponse),
    });
    // The real staple still verifies with the impostor in the chain.
    run(&Case {
        server: Server::WithImpostor,
        staple: staple("tls/tls-server-revoked"),
        soft_fail: Expect::Revoked,
        hard_fail: Expect::Revoked,
        situation: Situation::Revoked {
            time: common::time("2025-06-01T12:00:00Z"),
            reason: Some(RevocationReason::KeyCompromise),
        },
    });
}

#[test]
fn issuer_missing_from_the_adapters_roots_is_reported() {
    // The inner verifier trusts the root, the adapter was given no roots: a staple for a
    // certificate issued by the root cannot be checked, and a staple for one issued by the
    // intermediate the server sends still can.
    for (server, staple_name, situation, expect) in [
        (
            Server::Direct,
            "tls/tls-server-direct-good",
            Situation::StapleInvalid(Error::IssuerNotFound),
            Expect::InvalidOcspResponse,
        ),
        (
            Server::Intermediate,
            "tls/tls-server-good",
            Situation::Good,
            Expect::Accept,
        ),
    ] {
        for policy in [Policy::soft_fail(), Policy::hard_fail()] {
            let case = Case {
                server,
                staple: staple(staple_name),
                soft_fail: expect,
                hard_fail: expect,
                situation,
            };
            for version in VERSIONS {
                let verifier = observed(OcspStapleVerifier::builder(
                    tls::webpki_verifier(),
                    Arc::new(rustls::RootCertStore::empty()),
                    tls::provider(),
                    policy,
                ));
                run_one(
                    &case,
                    &verifier,
                    version,
                    expect,
                    &format!("{server:?}, {policy:?}, {version:?}"),
                );
            }
        }
    }
}

// The inner verifier decides first.

#[test]
fn inner_verifier_rejection_is_returned_unchanged() {
    for policy in [Policy::soft_fail(), Policy::hard_fail()] {
        for version in VERSIONS {
            let (verifier, seen) = verifier(policy);
            let server = tls::server_config(
                Server::MissingIntermediate,
                staple("tls/tls-server-good"),
                version,
            );
            let client = tls::client_config(verifier.clone(), version);
            let handshake = tls::handshake(client, server);
            assert_eq!(
                handshake.client,
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer
                ))
            );
            assert_eq!(
                handshake.server,
                Err(rustls::Error::AlertReceived(AlertDescription::UnknownCA))
            );
            assert!(seen.lock().unwrap().is_empty());
        }
    }
}

// Overrides.

#[test]
fn unknown_accepted_on_purpose_under_soft_fail() {
    let case = Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-unknown"),
        soft_fail: Expect::Accept,
        hard_fail: Expect::Accept,
        situation: Situation::Unknown,
    };
    for version in VERSIONS {
        let verifier = verifier(Policy::soft_fail().dangerous_with_unknown_accepted());
        run_one(
            &case,
            &verifier,
            version,
            Expect::Accept,
            "dangerous unknown",
        );
    }
}

#[test]
fn stale_staple_rejected_on_purpose_under_soft_fail() {
    let case = Case {
        server: Server::Intermediate,
        staple: staple("tls/tls-server-stale"),
        soft_fail: Expect::InvalidOcspResponse,
        hard_fail: Expect::InvalidOcspResponse,
        situation: Situation::StapleUnusable(Error::ResponseExpired {
            time: tls::now(),
            not_after: common::time("2025-12-25T00:00:00Z"),
        }),
    };
    for version in VERSIONS {
        let verifier = verifier(Policy::soft_fail().with_unusable_staple_rejected());
        run_one(
            &case,
            &verifier,
            version,
            Expect::InvalidOcspResponse,
            "unusable rejected",
        );
    }
}

// Direct calls: what no handshake reaches.

/// An inner verifier that accepts any chain, to reach the adapter with what rustls' own
/// verifier would refuse.
#[derive(Debug)]
struct AcceptAnyChain(
    Arc<rustls::client::WebPkiServerVerifier>,
    Vec<rustls::DistinguishedName>,
);

fn accept_any_chain() -> Arc<AcceptAnyChain> {
    let hint = rustls::DistinguishedName::from(b"a hint".to_vec());
    Arc::new(AcceptAnyChain(tls::webpki_verifier(), vec![hint]))
}

impl rustls::client::danger::ServerCertVerifier for AcceptAnyChain {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        vec![rustls::SignatureScheme::ECDSA_NISTP256_SHA256]
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        Some(&self.1)
    }
}

#[test]
fn unreadable_end_entity_fails_closed_as_bad_encoding() {
    use rustls::client::danger::ServerCertVerifier;

    for (policy, staple) in [
        (Policy::soft_fail(), Vec::new()),
        (Policy::soft_fail(), tls::response("tls/tls-server-good")),
        (Policy::hard_fail(), Vec::new()),
    ] {
        let inner = accept_any_chain();
        let (verifier, seen) = observed(OcspStapleVerifier::builder(
            inner,
            tls::roots(),
            tls::provider(),
            policy,
        ));
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let not_a_certificate = rustls::pki_types::CertificateDer::from(&[0x30, 0x00][..]);
        let result =
            verifier.verify_server_cert(&not_a_certificate, &[], &name, &staple, tls::now());
        assert_eq!(
            result.err(),
            Some(rustls::Error::InvalidCertificate(
                CertificateError::BadEncoding
            ))
        );
        let outcome = seen.lock().unwrap().last().cloned().unwrap();
        assert!(matches!(
            outcome.decision().situation(),
            Situation::StapleInvalid(Error::BadDer(_))
        ));
        assert_eq!(outcome.decision().verdict(), Verdict::Reject);
        assert_eq!((outcome.serial(), outcome.subject()), (None, None));
    }
}

#[test]
fn other_trait_methods_are_the_inner_verifiers() {
    use rustls::client::danger::ServerCertVerifier;

    let verifier = OcspStapleVerifier::builder(
        accept_any_chain(),
        tls::roots(),
        tls::provider(),
        Policy::hard_fail(),
    )
    .build()
    .unwrap();
    assert_eq!(
        verifier.supported_verify_schemes(),
        vec![rustls::SignatureScheme::ECDSA_NISTP256_SHA256]
    );
    let hints = verifier.root_hint_subjects().unwrap();
    assert_eq!(hints.len(), 1);
    assert_eq!(hints[0].as_ref(), b"a hint");
    assert!(!verifier.requires_raw_public_keys());
}

// The verdict cache.

#[test]
fn a_repeat_handshake_takes_the_answer_from_the_verdict_cache_and_checks_its_times_again() {
    use rustls::client::danger::ServerCertVerifier;

    let staple = tls::response("tls/tls-server-good");
    let chain = Server::Intermediate.chain();
    let (end_entity, intermediates) = chain.split_first().unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let check = |verifier: &OcspStapleVerifier, now| {
        verifier.verify_server_cert(end_entity, intermediates, &name, &staple, now)
    };
    let invalid = Err(rustls::Error::InvalidCertificate(
        CertificateError::InvalidOcspResponse,
    ));
    let (verifier, seen) = verifier(Policy::hard_fail());
    let last = || seen.lock().unwrap().last().cloned().unwrap();

    // The first handshake verifies; the second finds the same answer in the cache.
    assert!(check(&verifier, tls::now()).is_ok());
    assert!(!last().from_cache());
    let first = last().answer().unwrap();
    assert!(check(&verifier, tls::now()).is_ok());
    assert!(last().from_cache());
    assert_eq!(last().answer(), Some(first));
    assert_eq!(last().decision().situation(), Situation::Good);

    // A week later the cached answer is past its nextUpdate: the time checks run again on the
    // cached answer, and the staple is refused as stale.
    let later = common::time("2026-01-08T00:05:01Z");
    assert_eq!(check(&verifier, later).map(|_| ()), invalid);
    assert!(last().from_cache());
    assert_eq!(
        last().decision().situation(),
        Situation::StapleUnusable(Error::ResponseExpired {
            time: later,
            not_after: common::time("2026-01-08T00:00:00Z"),
        })
    );
    // A stale answer leaves the cache: the next handshake verifies the staple again.
    assert_eq!(check(&verifier, later).map(|_| ()), invalid);
    assert!(!last().from_cache());

    // Another staple for the same certificate is another entry: the revoked one is verified,
    // not taken for the good one.
    let revoked = tls::response("tls/tls-server-revoked");
    let result =
        verifier.verify_server_cert(end_entity, intermediates, &name, &revoked, tls::now());
    assert_eq!(
        result.map(|_| ()),
        Err(rustls::Error::InvalidCertificate(CertificateError::Revoked))
    );
    assert!(!last().from_cache());

    // With the cache off, every handshake verifies.
    let (verifier, seen) = observed(
        OcspStapleVerifier::webpki_builder(tls::roots(), tls::provider(), Policy::hard_fail())
            .with_verdict_cache_capacity(0),
    );
    for _ in 0..2 {
        assert!(check(&verifier, tls::now()).is_ok());
        assert!(!seen.lock().unwrap().last().unwrap().from_cache());
    }
}
