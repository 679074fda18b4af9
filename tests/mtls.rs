//! `OcspClientCertVerifier` over real parts: a PKI made with the openssl CLI, real
//! `openssl ocsp` responders on loopback, real mTLS handshakes over loopback TCP with a rustls
//! client and with `openssl s_client -cert -key`.
//!
//! Each test asserts the exact error on both sides (the server's `CertificateError`, the alert
//! the client receives), the situation and the answer's source the observer is told, the
//! number of requests the responder saw, and, where a responder is slow or dead, that the
//! handshake took no longer than the budget allows. Without the openssl CLI every test here
//! fails.

#![cfg(all(feature = "rustls", feature = "http"))]
// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod mtls_pki;
mod support;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use mtls_pki::{
    Client, Clock, Connected, GOOD, Pki, REVOKED, Relay, Seen, TlsServer, UNKNOWN, client_config,
    connect, observed, s_client, server_config,
};
use ocsp_verify::fetch::{
    Backoff, BadAnswer, FailureKind, FetchError, Fetcher, RefreshSchedule, ResponseCache,
    Unreachable,
};
use ocsp_verify::mtls::{
    AnswerSource, BuildError, ClientCertEventKind, ClientCertOutcome, IssuerResponder,
    OcspClientCertVerifier, PrefetchOptions, RevocationCheckDepth,
};
use ocsp_verify::{
    CertStatus, Error, Policy, ResponderAuthorization, RevocationReason, Situation, UnixTime,
    Verifier,
};
use rustls::{AlertDescription, CertificateError, ProtocolVersion};
use support::{Answer, Canned};

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
const TLS13: ProtocolVersion = ProtocolVersion::TLSv1_3;
const POLICIES: [(Policy, &str); 2] = [
    (Policy::soft_fail(), "soft-fail"),
    (Policy::hard_fail(), "hard-fail"),
];

/// The revocation the responders report: 2025-01-01T00:00:00Z, keyCompromise.
const REVOKED_STATUS: CertStatus = CertStatus::Revoked {
    time: UnixTime::since_unix_epoch(Duration::from_secs(1_735_689_600)),
    reason: Some(RevocationReason::KeyCompromise),
};

/// The outcome of the last handshake decided, which must be the last event (no
/// contradiction after it).
fn last(seen: &Seen) -> ClientCertOutcome {
    let events = seen.lock().unwrap();
    let event = events.last().expect("an event");
    event
        .outcome()
        .cloned()
        .unwrap_or_else(|| panic!("not a handshake's outcome: {event}"))
}

/// The sources of every handshake's deciding check, in order.
fn sources(seen: &Seen) -> Vec<AnswerSource> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|event| event.outcome().expect("only outcomes").deciding().source())
        .collect()
}

/// The default failure backoff of the cache, which remembers a certificate's failed fetch:
/// 1 minute after a first failure, shortened by a random 0 to 20 per cent.
fn assert_default_first_backoff(source: AnswerSource, context: &str) {
    match source {
        AnswerSource::RecentFailure {
            kind: FailureKind::Unreachable,
            retry_in,
        } => assert!(
            (48..=60).contains(&retry_in.as_secs()),
            "{context}: {retry_in:?}"
        ),
        other => panic!("{context}: not a recent failure: {other:?}"),
    }
}

/// The source of an answer not asked for because its responder failed, for `retry_in`.
fn responder_down(secs: u64) -> AnswerSource {
    AnswerSource::RecentFailure {
        kind: FailureKind::Unreachable,
        retry_in: Duration::from_secs(secs),
    }
}

/// The verifier's handshakes, checks whose fetch failed, checks answered by the failure
/// memory, requests sent, and responder origins remembered as failing.
fn failure_counts(verifier: &OcspClientCertVerifier) -> (u64, u64, u64, u64, usize) {
    let s = verifier.snapshot();
    (
        s.handshakes(),
        s.fetch_failures(),
        s.recent_failures(),
        s.requests(),
        s.responders_down(),
    )
}

/// What a handshake is expected to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Accept,
    /// The server fails with `InvalidCertificate(error)`, the client receives its alert.
    Reject(Refusal),
}

/// The three errors a refusal gives here (`rustls::CertificateError` is not `Copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    Revoked,
    UnknownRevocationStatus,
    InvalidOcspResponse,
}

impl Refusal {
    fn error(self) -> CertificateError {
        match self {
            Self::Revoked => CertificateError::Revoked,
            Self::UnknownRevocationStatus => CertificateError::UnknownRevocationStatus,
            Self::InvalidOcspResponse => CertificateError::InvalidOcspResponse,
        }
    }

    fn alert(self) -> AlertDescription {
        match self {
            Self::Revoked => AlertDescription::CertificateRevoked,
            Self::UnknownRevocationStatus => AlertDescription::UnknownCA,
            Self::InvalidOcspResponse => AlertDescription::BadCertificateStatusResponse,
        }
    }

    /// How `openssl s_client` reports the alert.
    fn openssl_alert(self) -> &'static str {
        match self {
            Self::Revoked => "alert certificate revoked",
            Self::UnknownRevocationStatus => "alert unknown ca",
            Self::InvalidOcspResponse => "alert bad certificate status response",
        }
    }
}

use Refusal::{InvalidOcspResponse, Revoked, UnknownRevocationStatus};

/// One handshake of `client` against a fresh loopback server using `verifier`; asserts both
/// sides against `expect` and returns the client's view.
fn handshake(
    pki: &Pki,
    verifier: &Arc<OcspClientCertVerifier>,
    clock: &Arc<Clock>,
    client: &Client,
    version: ProtocolVersion,
    expect: Expect,
    context: &str,
) -> Connected {
    let server = TlsServer::start(server_config(
        pki,
        verifier.clone(),
        Arc::clone(clock),
        version,
    ));
    let connected = connect(server.port, client_config(pki, client, version));
    let server_side = server.next_result();
    check(&connected, server_side, expect, context);
    connected
}

fn check(
    connected: &Connected,
    server_side: Result<(), rustls::Error>,
    expect: Expect,
    context: &str,
) {
    match expect {
        Expect::Accept => {
            assert_eq!(server_side, Ok(()), "{context}");
            assert_eq!(connected.reply.as_deref(), Ok("hello client"), "{context}");
        }
        Expect::Reject(error) => {
            assert_eq!(
                server_side,
                Err(rustls::Error::InvalidCertificate(error.error())),
                "{context}"
            );
            assert_eq!(
                connected.reply,
                Err(rustls::Error::AlertReceived(error.alert())),
                "{context}"
            );
        }
    }
}

/// Asserts what the observer was told about the handshake it saw last.
fn assert_outcome(
    outcome: &ClientCertOutcome,
    client: &Client,
    expect: Expect,
    situation: &str,
    source: AnswerSource,
    context: &str,
) {
    assert_eq!(
        outcome.decision().situation().code(),
        situation,
        "{context}: {outcome}"
    );
    assert_eq!(outcome.deciding().source(), source, "{context}: {outcome}");
    assert_eq!(
        outcome.decision().is_accepted(),
        expect == Expect::Accept,
        "{context}: {outcome}"
    );
    assert_eq!(
        outcome.error(),
        match expect {
            Expect::Accept => None,
            Expect::Reject(error) => Some(rustls::Error::InvalidCertificate(error.error())),
        },
        "{context}"
    );
    assert_eq!(outcome.serial(), Some(&client.serial[..]), "{context}");
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Waits, at most 15 s, until `done` holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

// ----- good, revoked, unknown -----

#[test]
fn good_revoked_and_unknown_with_a_rustls_client() {
    let pki = Pki::new("status-rustls");
    let clock = Arc::new(Clock::default());
    let url = pki.responder.url();
    let good = pki.client(GOOD[0], &pki.intermediate, &[&url]);
    let revoked = pki.client(REVOKED[0], &pki.intermediate, &[&url]);
    let unknown = pki.client(UNKNOWN, &pki.intermediate, &[&url]);
    let cases = [
        (&good, Expect::Accept, "good", Some(CertStatus::Good)),
        (
            &revoked,
            Expect::Reject(Revoked),
            "revoked",
            Some(REVOKED_STATUS),
        ),
        (
            &unknown,
            Expect::Reject(UnknownRevocationStatus),
            "unknown",
            Some(CertStatus::Unknown),
        ),
    ];
    for (policy, preset) in POLICIES {
        for version in VERSIONS {
            for (client, expect, situation, status) in &cases {
                let context = format!("{preset}, {version:?}, {situation}");
                let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
                handshake(&pki, &verifier, &clock, client, version, *expect, &context);
                let outcome = last(&seen);
                assert_outcome(
                    &outcome,
                    client,
                    *expect,
                    situation,
                    AnswerSource::Fetch,
                    &context,
                );
                let answer = outcome.deciding().answer().expect("an answer");
                assert_eq!(Some(answer.status()), *status, "{context}");
                assert_eq!(answer.responder(), ResponderAuthorization::Delegated);
                assert_eq!(outcome.checks().len(), 1, "{context}: the end-entity only");
                let snapshot = verifier.snapshot();
                assert_eq!(
                    (
                        snapshot.handshakes(),
                        snapshot.fetches(),
                        snapshot.requests()
                    ),
                    (1, 1, 1),
                    "{context}"
                );
                // A keyCompromise revocation is remembered beyond its answer.
                assert_eq!(
                    snapshot.revocations(),
                    usize::from(*situation == "revoked"),
                    "{context}"
                );
            }
        }
    }
}

#[test]
fn good_revoked_and_unknown_with_openssl_s_client() {
    let pki = Pki::new("status-s-client");
    let clock = Arc::new(Clock::default());
    let url = pki.responder.url();
    let good = pki.client(GOOD[1], &pki.intermediate, &[&url]);
    let revoked = pki.client(REVOKED[1], &pki.intermediate, &[&url]);
    let unknown = pki.client(UNKNOWN, &pki.intermediate, &[&url]);
    let cases = [
        (&good, Expect::Accept, "good"),
        (&revoked, Expect::Reject(Revoked), "revoked"),
        (&unknown, Expect::Reject(UnknownRevocationStatus), "unknown"),
    ];
    for (policy, preset) in POLICIES {
        for version in VERSIONS {
            for (client, expect, situation) in &cases {
                let context = format!("s_client, {preset}, {version:?}, {situation}");
                let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
                let server = TlsServer::start(server_config(
                    &pki,
                    verifier.clone(),
                    Arc::clone(&clock),
                    version,
                ));
                let run = s_client(&pki, server.port, client, version == TLS13);
                let server_side = server.next_result();
                match expect {
                    Expect::Accept => {
                        assert_eq!(server_side, Ok(()), "{context}");
                        assert!(run.success, "{context}: {run:?}");
                        assert_eq!(run.stdout, "hello s_client", "{context}: {run:?}");
                    }
                    Expect::Reject(error) => {
                        assert_eq!(
                            server_side,
                            Err(rustls::Error::InvalidCertificate(error.error())),
                            "{context}"
                        );
                        assert!(!run.stdout.contains("hello"), "{context}: {run:?}");
                        assert!(
                            run.stderr.contains(error.openssl_alert()),
                            "{context}: {run:?}"
                        );
                    }
                }
                assert_outcome(
                    &last(&seen),
                    client,
                    *expect,
                    situation,
                    AnswerSource::Fetch,
                    &context,
                );
            }
        }
    }
}

// ----- responders that fail -----

#[test]
fn a_dead_responder_is_no_answer() {
    let pki = Pki::new("dead");
    let clock = Arc::new(Clock::default());
    let url = format!("http://127.0.0.1:{}/", support::dead_port());
    let client = pki.client(GOOD[0], &pki.intermediate, &[&url]);
    for (policy, preset, expect) in [
        (Policy::soft_fail(), "soft-fail", Expect::Accept),
        (
            Policy::hard_fail(),
            "hard-fail",
            Expect::Reject(UnknownRevocationStatus),
        ),
    ] {
        let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
        let connected = handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
        let outcome = last(&seen);
        let source = AnswerSource::FetchFailed(FailureKind::Unreachable);
        assert_outcome(&outcome, &client, expect, "no_staple", source, preset);
        assert!(
            matches!(
                outcome.deciding().fetch_error(),
                Some(FetchError::Unreachable {
                    reason: Unreachable::Connect(_),
                    ..
                })
            ),
            "{preset}: {outcome}"
        );
        // Refused at once: far within the default budget of 2 s.
        assert!(
            connected.elapsed < OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET,
            "{preset}: {:?}",
            connected.elapsed
        );

        // The same with openssl s_client.
        let server = TlsServer::start(server_config(
            &pki,
            verifier.clone(),
            Arc::clone(&clock),
            TLS13,
        ));
        let run = s_client(&pki, server.port, &client, true);
        let server_side = server.next_result();
        match expect {
            Expect::Accept => {
                assert_eq!(server_side, Ok(()), "{preset}");
                assert_eq!(run.stdout, "hello s_client", "{preset}: {run:?}");
            }
            Expect::Reject(error) => {
                let expected = Err(rustls::Error::InvalidCertificate(error.error()));
                assert_eq!(server_side, expected, "{preset}");
                assert!(
                    run.stderr.contains(error.openssl_alert()),
                    "{preset}: {run:?}"
                );
            }
        }
        assert!(
            run.elapsed < OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET,
            "{preset}: {:?}",
            run.elapsed
        );
        // The second handshake asked nobody: the failure is remembered.
        let outcome = last(&seen);
        assert_eq!(
            outcome.decision().situation(),
            Situation::NoStaple,
            "{preset}"
        );
        assert_default_first_backoff(outcome.deciding().source(), preset);
        assert_eq!(failure_counts(&verifier), (2, 1, 1, 1, 1), "{preset}");
    }
}

#[test]
fn a_silent_responder_costs_the_budget_once() {
    let pki = Pki::new("silent");
    let clock = Arc::new(Clock::default());
    let silent = Canned::start(Answer::Silent(Duration::from_secs(8)));
    let client = pki.client(GOOD[0], &pki.intermediate, &[&silent.url()]);
    let budget = Duration::from_millis(500);
    for (index, (policy, preset, expect)) in [
        (Policy::soft_fail(), "soft-fail", Expect::Accept),
        (
            Policy::hard_fail(),
            "hard-fail",
            Expect::Reject(UnknownRevocationStatus),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let (verifier, seen) = observed(&pki, &clock, policy, |b| b.with_handshake_budget(budget));
        let connected = handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
        let outcome = last(&seen);
        assert_outcome(
            &outcome,
            &client,
            expect,
            "no_staple",
            AnswerSource::BudgetExhausted,
            preset,
        );
        // The budget, and not much more: a handshake over loopback takes milliseconds.
        assert!(
            outcome.waited() >= budget,
            "{preset}: {:?}",
            outcome.waited()
        );
        assert!(
            connected.elapsed < budget + Duration::from_millis(700),
            "{preset}: {:?}",
            connected.elapsed
        );
        assert_eq!(silent.request_count(), index + 1, "{preset}");

        // While that fetch runs, another handshake does not wait for it again.
        let connected = handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
        let outcome = last(&seen);
        assert_eq!(
            outcome.deciding().source(),
            AnswerSource::BudgetExhausted,
            "{preset}"
        );
        assert!(
            connected.elapsed < budget,
            "{preset}: {:?}",
            connected.elapsed
        );
        assert_eq!(silent.request_count(), index + 1, "{preset}");

        // The fetch went on in the background until the fetcher's own timeout (3 s), and its
        // failure is remembered: the next handshake asks nobody and waits for nothing.
        assert!(
            verifier.wait_for_fetches(Duration::from_secs(10)),
            "{preset}"
        );
        let connected = handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
        let outcome = last(&seen);
        assert_default_first_backoff(outcome.deciding().source(), preset);
        assert_eq!(outcome.deciding().fetch_error(), None, "{preset}: no fetch");
        assert_eq!(outcome.decision().situation(), Situation::NoStaple);
        assert!(
            connected.elapsed < budget,
            "{preset}: {:?}",
            connected.elapsed
        );
        assert_eq!(
            silent.request_count(),
            index + 1,
            "{preset}: not asked again"
        );
        let snapshot = verifier.snapshot();
        assert_eq!(
            (
                snapshot.budget_exhausted(),
                snapshot.recent_failures(),
                snapshot.fetches(),
                snapshot.requests(),
                snapshot.in_flight()
            ),
            (2, 1, 1, 1, 0),
            "{preset}"
        );
    }
}

#[test]
fn a_failed_responder_is_left_alone_for_every_certificate() {
    let pki = Pki::new("failure-memory");
    let clock = Arc::new(Clock::default());
    let failing = Canned::start(Answer::http("503 Service Unavailable", None, b""));
    let first = pki.client(GOOD[0], &pki.intermediate, &[&failing.url()]);
    let second = pki.client(GOOD[1], &pki.intermediate, &[&failing.url()]);
    // The default responder backoff (1 minute doubling to 5), without its jitter.
    let backoff = Backoff::new(minutes(1), minutes(5)).with_jitter_percent(0);
    let (verifier, seen) = observed(&pki, &clock, Policy::soft_fail(), |b| {
        b.with_responder_backoff(backoff)
    });
    let accept = |client: &Client, context: &str| {
        handshake(
            &pki,
            &verifier,
            &clock,
            client,
            TLS13,
            Expect::Accept,
            context,
        )
    };
    accept(&first, "first");
    assert!(matches!(
        last(&seen).deciding().fetch_error(),
        Some(FetchError::Unreachable {
            reason: Unreachable::ServerError(503),
            ..
        })
    ));
    assert_eq!(failing.request_count(), 1);
    assert_eq!(verifier.snapshot().responders_down(), 1);
    // Another certificate, the same responder: not asked for the backoff (1 minute).
    let connected = accept(&second, "second");
    let outcome = last(&seen);
    assert_eq!(outcome.deciding().source(), responder_down(60), "{outcome}");
    assert_eq!(outcome.deciding().fetch_error(), None);
    assert_eq!(failing.request_count(), 1);
    assert!(connected.elapsed < Duration::from_millis(500));
    // 59 seconds on, a second is left.
    clock.advance_to(Duration::from_secs(59));
    accept(&second, "59 s on");
    assert_eq!(last(&seen).deciding().source(), responder_down(1));
    assert_eq!(failing.request_count(), 1);
    // A minute on, it is asked again; it fails again, and is left alone twice as long, for
    // the first certificate too (whose own failure, remembered for at most a minute, is over).
    clock.advance_to(minutes(1));
    accept(&second, "a minute on");
    assert_eq!(failing.request_count(), 2);
    assert_eq!(
        last(&seen).deciding().source(),
        AnswerSource::FetchFailed(FailureKind::Unreachable)
    );
    accept(&first, "the first again");
    assert_eq!(last(&seen).deciding().source(), responder_down(120));
    assert_eq!(failing.request_count(), 2);
    assert_eq!(failure_counts(&verifier), (5, 2, 3, 2, 1));
}

#[test]
fn garbage_from_the_responder_is_no_answer() {
    let pki = Pki::new("garbage");
    let clock = Arc::new(Clock::default());
    type Expected = fn(&BadAnswer) -> bool;
    let cases: [(Answer, Expected); 3] = [
        (Answer::ocsp(b"garbage, not DER"), |r| {
            matches!(r, BadAnswer::Malformed(Error::BadDer(_)))
        }),
        (
            Answer::http("404 Not Found", Some("text/html"), b"no"),
            |r| *r == BadAnswer::Status(404),
        ),
        (
            Answer::http("200 OK", Some("text/html"), b"<html>portal</html>"),
            |r| matches!(r, BadAnswer::ContentType(Some(_))),
        ),
    ];
    for (answer, expected) in cases {
        let server = Canned::start(answer);
        let client = pki.client(GOOD[0], &pki.intermediate, &[&server.url()]);
        for (policy, preset, expect) in [
            (Policy::soft_fail(), "soft-fail", Expect::Accept),
            (
                Policy::hard_fail(),
                "hard-fail",
                Expect::Reject(UnknownRevocationStatus),
            ),
        ] {
            let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
            let connected = handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
            let outcome = last(&seen);
            let source = AnswerSource::FetchFailed(FailureKind::BadAnswer);
            assert_outcome(&outcome, &client, expect, "no_staple", source, preset);
            match outcome.deciding().fetch_error() {
                Some(FetchError::BadAnswer { reason, .. }) => {
                    assert!(expected(reason), "{preset}: {reason}")
                }
                other => panic!("{preset}: not a bad answer: {other:?}"),
            }
            assert!(connected.elapsed < OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET);
        }
    }
}

#[test]
fn forged_and_foreign_answers_are_refused_by_every_policy() {
    let pki = Pki::new("forged");
    let clock = Arc::new(Clock::default());
    let provider = mtls_pki::provider();
    let algorithms = provider.signature_verification_algorithms.all;

    // Forged: the right CertID, signed by a responder the intermediate never authorised.
    let (rogue, rogue_cert) = pki.rogue_responder();
    let forged = pki.client(GOOD[0], &pki.intermediate, &[&rogue.url()]);
    // Foreign: the root's responder answers (as the root) about a certificate the
    // intermediate issued.
    let foreign_signer = pki.client(GOOD[1], &pki.intermediate, &[&pki.root_responder.url()]);
    // Foreign: a genuine answer about another certificate, replayed.
    let other = pki.client(GOOD[2], &pki.intermediate, &[&pki.responder.url()]);
    let other_cert = ocsp_verify::Certificate::from_der(other.leaf()).unwrap();
    let int = pki.der("int");
    let issuer = ocsp_verify::Issuer::from(&ocsp_verify::Certificate::from_der(&int).unwrap());
    let replayed = Fetcher::new(Verifier::new(algorithms))
        .fetch(&other_cert, &issuer, None, UnixTime::now())
        .unwrap()
        .into_der();
    let replay = Canned::start(Answer::ocsp(&replayed));
    let foreign = pki.client(GOOD[3], &pki.intermediate, &[&replay.url()]);

    for (client, error, name) in [
        (&forged, Error::ResponderNotIssuedByIssuer, "forged"),
        (
            &foreign_signer,
            Error::ResponderNotIssuedByIssuer,
            "foreign signer",
        ),
        (&foreign, Error::NoMatchingResponse, "foreign answer"),
    ] {
        for (policy, preset) in POLICIES {
            let context = format!("{name}, {preset}");
            let expect = Expect::Reject(InvalidOcspResponse);
            let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
            let connected = handshake(&pki, &verifier, &clock, client, TLS13, expect, &context);
            let outcome = last(&seen);
            let source = AnswerSource::FetchFailed(FailureKind::InvalidResponse(error));
            assert_outcome(&outcome, client, expect, "staple_invalid", source, &context);
            assert_eq!(
                outcome.decision().situation(),
                Situation::StapleInvalid(error),
                "{context}"
            );
            assert!(connected.elapsed < OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET);
        }
    }

    // The rogue responder, trusted locally for the intermediate's certificates, is not a
    // forger any more.
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_issuer_responder(
            IssuerResponder::new(pki.der("int")).with_trusted_responders(vec![rogue_cert]),
        )
    });
    handshake(
        &pki,
        &verifier,
        &clock,
        &forged,
        TLS13,
        Expect::Accept,
        "trusted",
    );
    let outcome = last(&seen);
    let answer = outcome.deciding().answer().unwrap();
    assert_eq!(answer.responder(), ResponderAuthorization::Trusted);
    assert_eq!(answer.status(), CertStatus::Good);
}

// ----- the cache, single flight, prefetch -----

#[test]
fn a_cached_answer_serves_the_next_handshake_and_an_expired_one_is_fetched_again() {
    let pki = Pki::new("cache");
    let clock = Arc::new(Clock::default());
    let relay = Relay::start(pki.responder.port, Duration::ZERO);
    let client = pki.client(GOOD[0], &pki.intermediate, &[&relay.url()]);
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| b);

    handshake(
        &pki,
        &verifier,
        &clock,
        &client,
        TLS13,
        Expect::Accept,
        "first",
    );
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Fetch);
    assert_eq!(relay.connections(), 1);
    let first = last(&seen).deciding().answer().unwrap();

    for minute in [0, 10, 54] {
        clock.advance_to(minutes(minute));
        let context = format!("{minute} minutes on");
        handshake(
            &pki,
            &verifier,
            &clock,
            &client,
            TLS13,
            Expect::Accept,
            &context,
        );
        let outcome = last(&seen);
        assert_eq!(
            outcome.deciding().source(),
            AnswerSource::Cache,
            "{context}"
        );
        assert_eq!(outcome.deciding().answer(), Some(first), "{context}");
        assert_eq!(relay.connections(), 1, "{context}: no fetch");
    }

    // The answer is valid for an hour; the cache stops serving it 5 minutes before.
    clock.advance_to(minutes(56));
    handshake(
        &pki,
        &verifier,
        &clock,
        &client,
        TLS13,
        Expect::Accept,
        "expired",
    );
    let outcome = last(&seen);
    assert_eq!(outcome.deciding().source(), AnswerSource::Fetch);
    assert_eq!(relay.connections(), 2);
    let snapshot = verifier.snapshot();
    assert_eq!(
        (
            snapshot.handshakes(),
            snapshot.cache_hits(),
            snapshot.fetches(),
            snapshot.cached()
        ),
        (5, 3, 2, 1)
    );
}

#[test]
fn sixteen_concurrent_handshakes_make_one_fetch() {
    let pki = Pki::new("single-flight");
    let clock = Arc::new(Clock::default());
    // The responder answers after 400 ms: every handshake arrives while the fetch runs.
    let relay = Relay::start(pki.responder.port, Duration::from_millis(400));
    let client = pki.client(GOOD[0], &pki.intermediate, &[&relay.url()]);
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| b);
    let server = TlsServer::start(server_config(
        &pki,
        verifier.clone(),
        Arc::clone(&clock),
        TLS13,
    ));
    let config = client_config(&pki, &client, TLS13);
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (config, barrier, port) = (config.clone(), Arc::clone(&barrier), server.port);
            thread::spawn(move || {
                barrier.wait();
                connect(port, config)
            })
        })
        .collect();
    for thread in threads {
        let connected = thread.join().unwrap();
        assert_eq!(connected.reply.as_deref(), Ok("hello client"));
        assert!(
            connected.elapsed < Duration::from_secs(2),
            "{:?}",
            connected.elapsed
        );
    }
    for _ in 0..16 {
        assert_eq!(server.next_result(), Ok(()));
    }
    assert_eq!(relay.connections(), 1, "one fetch");
    let snapshot = verifier.snapshot();
    assert_eq!((snapshot.fetches(), snapshot.requests()), (1, 1));
    assert_eq!(snapshot.handshakes(), 16);
    let sources = sources(&seen);
    let count = |source| sources.iter().filter(|s| **s == source).count();
    assert_eq!(count(AnswerSource::Fetch), 1, "{sources:?}");
    assert_eq!(
        count(AnswerSource::SharedFetch) + count(AnswerSource::Cache),
        15,
        "{sources:?}"
    );
    assert_eq!(
        (
            snapshot.fetched(),
            snapshot.shared_fetches() + snapshot.cache_hits()
        ),
        (1, 15)
    );
    // Nobody waited for a slot in vain.
    assert_eq!((snapshot.responder_busy(), snapshot.overloaded()), (0, 0));
}

#[test]
fn prefetch_warms_the_cache_and_keeps_it_warm() {
    let pki = Pki::new("prefetch");
    let clock = Arc::new(Clock::default());
    let relay = Relay::start(pki.responder.port, Duration::ZERO);
    let client = pki.client(GOOD[0], &pki.intermediate, &[&relay.url()]);
    // The default refresh schedule, without its jitter.
    let schedule = RefreshSchedule::new().with_jitter_percent(0);
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_prefetch(
            PrefetchOptions::new()
                .with_interval(Duration::from_millis(50))
                .with_schedule(schedule),
        )
        // Never waits: a handshake that is not served from the cache is refused.
        .with_cache_only_handshakes()
    });

    // A known client, warmed before it connects.
    assert_eq!(verifier.prefetch(&client.chain), Ok(1));
    assert!(verifier.wait_for_fetches(Duration::from_secs(10)));
    assert_eq!(relay.connections(), 1);
    handshake(
        &pki,
        &verifier,
        &clock,
        &client,
        TLS13,
        Expect::Accept,
        "warm",
    );
    let outcome = last(&seen);
    assert_eq!(outcome.deciding().source(), AnswerSource::Cache);
    let first = outcome.deciding().answer().unwrap();
    // openssl's answers are valid for an hour (its two readings of the time may straddle a
    // second).
    let validity = first.next_update().unwrap().as_secs() - first.this_update().as_secs();
    assert!((3600..=3601).contains(&validity), "{validity}");
    assert_eq!(relay.connections(), 1);
    // Warm already: nothing to start.
    assert_eq!(verifier.prefetch(&client.chain), Ok(0));

    // The refresh comes half-way through the answer's hour. 29 minutes on, it is not due:
    // the prefetcher looks (every 50 ms) and leaves it.
    clock.advance_to(minutes(29));
    thread::sleep(Duration::from_millis(500));
    let snapshot = verifier.snapshot();
    assert_eq!((snapshot.prefetches(), snapshot.fetches()), (1, 1));
    assert_eq!(relay.connections(), 1);
    // 31 minutes on, it is: the prefetcher fetches again, in the background.
    clock.advance_to(minutes(31));
    eventually("the background refresh", || {
        verifier.snapshot().prefetches() >= 2 && verifier.snapshot().in_flight() == 0
    });
    assert_eq!(relay.connections(), 2);
    handshake(
        &pki,
        &verifier,
        &clock,
        &client,
        TLS13,
        Expect::Accept,
        "refreshed",
    );
    let outcome = last(&seen);
    assert_eq!(outcome.deciding().source(), AnswerSource::Cache);
    let refreshed = outcome.deciding().answer().unwrap();
    // (A new answer; openssl may have made both within the same second, so the times may
    // be equal. The relay's count shows it was fetched.)
    assert!(refreshed.produced_at() >= first.produced_at());
    // Once: the next refresh is half-way through what remains of the answer, some 14 minutes on.
    thread::sleep(Duration::from_millis(500));
    assert_eq!(relay.connections(), 2);
    let snapshot = verifier.snapshot();
    assert_eq!(
        (
            snapshot.prefetches(),
            snapshot.fetches(),
            snapshot.tracked()
        ),
        (2, 2, 1)
    );

    // A cold certificate, never waited for: no answer, and a fetch in the background.
    let cold = pki.client(GOOD[1], &pki.intermediate, &[&relay.url()]);
    let expect = Expect::Reject(UnknownRevocationStatus);
    handshake(&pki, &verifier, &clock, &cold, TLS13, expect, "cold");
    assert_eq!(
        last(&seen).deciding().source(),
        AnswerSource::BudgetExhausted
    );
    assert!(verifier.wait_for_fetches(Duration::from_secs(10)));
    handshake(
        &pki,
        &verifier,
        &clock,
        &cold,
        TLS13,
        Expect::Accept,
        "warmed by the miss",
    );
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Cache);
    let snapshot = verifier.snapshot();
    assert_eq!(
        (
            snapshot.prefetches(),
            snapshot.fetches(),
            snapshot.tracked()
        ),
        (2, 3, 2)
    );
    assert_eq!(relay.connections(), 3);
}

#[test]
fn a_good_answer_after_a_verified_revocation_is_refused_and_reported() {
    let pki = Pki::new("contradiction");
    let clock = Arc::new(Clock::default());
    let client = pki.client(REVOKED[0], &pki.intermediate, &[&pki.responder.url()]);
    // Two verifiers keep their answers in one cache. The second asks through a relay that
    // holds its request: a lagging replica of the responder.
    let cache = Arc::new(ResponseCache::default().with_monotonic_clock(clock.monotonic()));
    let lagging = Relay::held(pki.responder.port);
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_cache(Arc::clone(&cache))
    });
    let (replica, replica_seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_cache(Arc::clone(&cache))
            .with_issuer_responder(IssuerResponder::new(pki.der("int")).with_url(lagging.url()))
    });
    assert_eq!(replica.prefetch(&client.chain), Ok(1));
    eventually("the replica's request", || lagging.connections() == 1);

    // The first verifier learns of the revocation.
    let expect = Expect::Reject(Revoked);
    handshake(&pki, &verifier, &clock, &client, TLS13, expect, "revoked");
    let outcome = last(&seen);
    assert_outcome(
        &outcome,
        &client,
        expect,
        "revoked",
        AnswerSource::Fetch,
        "revoked",
    );
    assert_eq!(cache.revocations(), 1);

    // Then the replica says good (the CA's database restored from an old backup, say).
    pki.reinstate(REVOKED[0]);
    lagging.release();
    assert!(replica.wait_for_fetches(Duration::from_secs(10)));
    let events = replica_seen.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    match events[0].kind() {
        ClientCertEventKind::Contradiction {
            serial,
            revoked,
            offered,
            url,
        } => {
            assert_eq!(serial, &client.serial);
            assert_eq!(revoked.status(), REVOKED_STATUS);
            assert_eq!(offered.status(), CertStatus::Good);
            assert_eq!(url, &lagging.url());
        }
        other => panic!("not a contradiction: {other:?}"),
    }
    assert_eq!(
        events[0].to_string(),
        format!(
            "RESPONDER CONTRADICTION: {} says good about serial {} after a verified \
             revocation; the revocation stands",
            lagging.url(),
            REVOKED[0]
        )
    );
    assert_eq!(events[0].outcome().map(ClientCertOutcome::decision), None);

    // The revocation stands, for both verifiers, and nobody asks again.
    for (verifier, seen, name) in [
        (&verifier, &seen, "first"),
        (&replica, &replica_seen, "replica"),
    ] {
        handshake(&pki, verifier, &clock, &client, TLS13, expect, name);
        assert_outcome(
            &last(seen),
            &client,
            expect,
            "revoked",
            AnswerSource::Cache,
            name,
        );
    }
    assert_eq!(lagging.connections(), 1);
    let snapshot = replica.snapshot();
    assert_eq!(
        (
            snapshot.handshakes(),
            snapshot.prefetches(),
            snapshot.requests(),
            snapshot.contradictions(),
            snapshot.revocations(),
            snapshot.observer_panics()
        ),
        (1, 1, 1, 1, 1, 0)
    );
    assert_eq!(verifier.snapshot().contradictions(), 0);

    #[cfg(feature = "prometheus")]
    {
        let mut text = String::new();
        replica.encode_metrics(&mut text).unwrap();
        for line in [
            "ocsp_client_handshakes_total{decision=\"rejected\"} 1",
            "ocsp_client_handshakes_total{decision=\"accepted\"} 0",
            "ocsp_client_checks_total{situation=\"revoked\"} 1",
            "ocsp_client_answers_total{source=\"cache\"} 1",
            "ocsp_client_fetches_total 1",
            "ocsp_client_prefetches_total 1",
            "ocsp_client_requests_total 1",
            "ocsp_client_contradictions_total 1",
            "ocsp_client_observer_panics_total 0",
            "ocsp_client_revocations_remembered 1",
            "ocsp_client_fetches_in_flight 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
        }
    }
}

// ----- depth, configured responders -----

#[test]
fn a_revoked_intermediate_with_chain_checking_on_and_off() {
    let pki = Pki::new("chain");
    let clock = Arc::new(Clock::default());
    let (revoked_int, revoked_int_responder) = pki.revoked_intermediate();
    let under_revoked = pki.client(GOOD[0], &revoked_int, &[&revoked_int_responder.url()]);
    let under_good = pki.client(GOOD[1], &pki.intermediate, &[&pki.responder.url()]);

    for (policy, preset) in POLICIES {
        // Off (the default): only the client's own certificate, which is good.
        let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
        handshake(
            &pki,
            &verifier,
            &clock,
            &under_revoked,
            TLS13,
            Expect::Accept,
            preset,
        );
        assert_eq!(last(&seen).checks().len(), 1);

        // On: the intermediate is revoked.
        let (verifier, seen) = observed(&pki, &clock, policy, |b| {
            b.with_depth(RevocationCheckDepth::Chain)
        });
        let expect = Expect::Reject(Revoked);
        handshake(
            &pki,
            &verifier,
            &clock,
            &under_revoked,
            TLS13,
            expect,
            preset,
        );
        let outcome = last(&seen);
        let codes: Vec<_> = outcome
            .checks()
            .iter()
            .map(|check| (check.depth(), check.decision().situation().code()))
            .collect();
        assert_eq!(codes, [(0, "good"), (1, "revoked")], "{preset}: {outcome}");
        assert_eq!(outcome.deciding().depth(), 1);
        assert_eq!(
            outcome.deciding().answer().map(|a| a.status()),
            Some(REVOKED_STATUS)
        );
        // Signed by the root itself.
        assert_eq!(
            outcome.deciding().answer().map(|a| a.responder()),
            Some(ResponderAuthorization::Issuer)
        );
        assert_eq!(
            outcome.to_string(),
            "rejected: the certificate at depth 1: revoked (keyCompromise) (fetched)"
        );
        assert_eq!(verifier.snapshot().revocations(), 1, "{preset}");

        // On, with a good intermediate: both checked, both good.
        handshake(
            &pki,
            &verifier,
            &clock,
            &under_good,
            TLS13,
            Expect::Accept,
            preset,
        );
        let outcome = last(&seen);
        assert_eq!(outcome.checks().len(), 2);
        assert!(
            outcome
                .checks()
                .iter()
                .all(|check| check.decision().situation() == Situation::Good)
        );
    }
}

#[test]
fn a_certificate_without_aia_is_asked_about_at_the_configured_responder() {
    let pki = Pki::new("no-aia");
    let clock = Arc::new(Clock::default());
    let client = pki.client(GOOD[0], &pki.intermediate, &[]);

    for (policy, preset, expect) in [
        (Policy::soft_fail(), "soft-fail", Expect::Accept),
        (
            Policy::hard_fail(),
            "hard-fail",
            Expect::Reject(UnknownRevocationStatus),
        ),
    ] {
        let (verifier, seen) = observed(&pki, &clock, policy, |b| b);
        handshake(&pki, &verifier, &clock, &client, TLS13, expect, preset);
        let outcome = last(&seen);
        let source = AnswerSource::NoResponder;
        assert_outcome(&outcome, &client, expect, "no_staple", source, preset);
        assert_eq!(
            outcome.deciding().fetch_error(),
            Some(&FetchError::NoResponderUrl),
            "{preset}"
        );
        assert_eq!(verifier.snapshot().requests(), 0, "{preset}");
    }

    let relay = Relay::start(pki.responder.port, Duration::ZERO);
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_issuer_responder(IssuerResponder::new(pki.der("int")).with_url(relay.url()))
    });
    handshake(
        &pki,
        &verifier,
        &clock,
        &client,
        TLS13,
        Expect::Accept,
        "configured",
    );
    let outcome = last(&seen);
    assert_outcome(
        &outcome,
        &client,
        Expect::Accept,
        "good",
        AnswerSource::Fetch,
        "configured",
    );
    assert_eq!(relay.connections(), 1);
    // Its Debug shows the configuration in use (one issuer configured), not the answers.
    let shown = format!("{verifier:?}");
    assert!(shown.contains("answers: Answers { fetcher: "), "{shown}");
    assert!(shown.contains(", cache: ResponseCache { "), "{shown}");
    assert!(shown.contains(", issuers: 1, default_policy: "), "{shown}");

    // A configured responder that is not http:// is refused when building.
    let error = OcspClientCertVerifier::webpki_builder(
        pki.roots(),
        mtls_pki::provider(),
        Policy::hard_fail(),
    )
    .with_issuer_responder(IssuerResponder::new(pki.der("int")).with_url("https://ocsp.test/"))
    .build()
    .unwrap_err();
    assert!(
        matches!(error, BuildError::InvalidResponderUrl(ref url) if url == "https://ocsp.test/"),
        "{error}"
    );
}

#[test]
fn the_inner_verifier_decides_first_and_alone_on_the_chain() {
    let pki = Pki::new("inner");
    let clock = Arc::new(Clock::default());
    // A client certificate from a CA the server does not trust: webpki refuses it, nobody is
    // asked, and the observer is not called. (The stranger's CAs have the same names as the
    // server's, so webpki finds the root by name and refuses the signature.)
    let other = Pki::new("inner-other");
    let stranger = other.client(GOOD[0], &other.intermediate, &[&other.responder.url()]);
    let (verifier, seen) = observed(&pki, &clock, Policy::soft_fail(), |b| b);
    let server = TlsServer::start(server_config(
        &pki,
        verifier.clone(),
        Arc::clone(&clock),
        TLS13,
    ));
    // The stranger trusts this server's root, to get as far as sending its certificate.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.der("root")).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(mtls_pki::provider())
        .with_protocol_versions(mtls_pki::versions(TLS13))
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(stranger.chain.clone(), stranger.key.clone_key())
        .unwrap();
    let connected = connect(server.port, Arc::new(config));
    assert_eq!(
        server.next_result(),
        Err(rustls::Error::InvalidCertificate(
            CertificateError::BadSignature
        ))
    );
    assert_eq!(
        connected.reply,
        Err(rustls::Error::AlertReceived(AlertDescription::DecryptError))
    );
    assert!(seen.lock().unwrap().is_empty());
    assert_eq!(verifier.snapshot().handshakes(), 0);
}
