//! The client-certificate verifier when things go wrong: a wall clock that jumps, a silent
//! responder trying to take every fetch slot, a certificate naming a responder nobody should
//! ask, a responder that repeats itself, and a cross-signed chain whose first path leads
//! nowhere.
//!
//! Each test reproduces a defect the verifier once had (named in its comment) and asserts the
//! behaviour that replaced it, over real parts: a PKI made with the openssl CLI, real `openssl
//! ocsp` responders on loopback, real mTLS handshakes.

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

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use mtls_pki::{
    Client, Clock, GOOD, Pki, REVOKED, Relay, Seen, TlsServer, client_config, connect, observed,
    provider, server_config,
};
use ocsp_verify::fetch::{
    Backoff, CacheOptions, FailureKind, FetchSlots, Fetcher, RefreshSchedule, ResponderPolicy,
    ResponseCache,
};
use ocsp_verify::mtls::{
    AnswerSource, ClientCertOutcome, OcspClientCertVerifier, PrefetchOptions, RevocationCheckDepth,
};
use ocsp_verify::{CertStatus, Error, Policy, Situation, Verifier};
use rustls::client::Resumption;
use rustls::{CertificateError, ClientConfig, ProtocolVersion};
use support::{Answer, Canned};

const TLS13: ProtocolVersion = ProtocolVersion::TLSv1_3;
const MINUTE: u64 = 60;

/// The outcome of the last handshake.
fn last(seen: &Seen) -> ClientCertOutcome {
    seen.lock()
        .unwrap()
        .iter()
        .rev()
        .find_map(|event| event.outcome().cloned())
        .expect("a handshake's outcome")
}

/// One handshake of `client` (sending `chain`, or its own) against a fresh loopback server;
/// the server's result.
fn handshake(
    pki: &Pki,
    verifier: &Arc<OcspClientCertVerifier>,
    clock: &Arc<Clock>,
    client: &Client,
) -> Result<(), rustls::Error> {
    handshake_with(pki, verifier, clock, client_config(pki, client, TLS13))
}

fn handshake_with(
    pki: &Pki,
    verifier: &Arc<OcspClientCertVerifier>,
    clock: &Arc<Clock>,
    config: Arc<ClientConfig>,
) -> Result<(), rustls::Error> {
    let server = TlsServer::start(server_config(
        pki,
        verifier.clone(),
        Arc::clone(clock),
        TLS13,
    ));
    let _ = connect(server.port, config);
    server.next_result()
}

fn rejected(error: CertificateError) -> Result<(), rustls::Error> {
    Err(rustls::Error::InvalidCertificate(error))
}

/// Once: a handshake at T+30 d failed (the response expired at that time), and back at
/// T+10 min the failure was remembered until T+30 d+5 min: soft-fail accepted the certificate
/// unchecked for the whole jump, hard-fail locked the client out. Now the answer kept is used
/// again as soon as the clock is back in its window, and a failure is left alone for one
/// backoff of monotonic time, whatever the wall clock did.
#[test]
fn a_wall_clock_that_jumps_strands_no_failure_and_loses_no_answer() {
    let pki = Pki::new("hostile-jump");
    let clock = Arc::new(Clock::default());
    let url = pki.responder.url();
    let (seen_before, newcomer) = (
        pki.client(GOOD[0], &pki.intermediate, &[&url]),
        pki.client(GOOD[1], &pki.intermediate, &[&url]),
    );
    let backoff =
        Backoff::new(Duration::from_secs(60), Duration::from_secs(300)).with_jitter_percent(0);
    let cache = Arc::new(
        ResponseCache::new(CacheOptions::new().with_failure_backoff(backoff))
            .with_monotonic_clock(clock.monotonic()),
    );
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_cache(Arc::clone(&cache))
    });
    assert_eq!(handshake(&pki, &verifier, &clock, &seen_before), Ok(()));
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Fetch);

    // The wall clock jumps two days ahead (the test certificates live ten): every answer the
    // responder gives is expired at that time (hard-fail refuses), and each certificate's
    // failure is remembered.
    clock.jump_to(Duration::from_secs(2 * 24 * 3600));
    for client in [&seen_before, &newcomer] {
        assert_eq!(
            handshake(&pki, &verifier, &clock, client),
            rejected(CertificateError::UnknownRevocationStatus)
        );
        let outcome = last(&seen);
        assert!(
            matches!(
                outcome.decision().situation(),
                Situation::StapleUnusable(Error::ResponseExpired { .. })
            ),
            "{outcome}"
        );
    }
    assert_eq!(
        verifier.snapshot().requests(),
        3,
        "{:?}",
        seen.lock()
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );

    // Ten seconds later (monotonic) the clock is back, at T+10 min. The answer kept from T is
    // fresh again: accepted at once. The newcomer's failure waits out its backoff: 50 more
    // seconds, not a month.
    clock.jump_to(Duration::from_secs(10 * MINUTE - 10));
    clock.advance_to(Duration::from_secs(10 * MINUTE));
    assert_eq!(handshake(&pki, &verifier, &clock, &seen_before), Ok(()));
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Cache);
    assert_eq!(
        handshake(&pki, &verifier, &clock, &newcomer),
        rejected(CertificateError::UnknownRevocationStatus)
    );
    assert!(
        matches!(
            last(&seen).deciding().source(),
            AnswerSource::RecentFailure {
                kind: FailureKind::InvalidResponse(Error::ResponseExpired { .. }),
                retry_in
            } if retry_in == Duration::from_secs(50)
        ),
        "{}",
        last(&seen)
    );
    clock.advance_to(Duration::from_secs(10 * MINUTE + 50));
    assert_eq!(handshake(&pki, &verifier, &clock, &newcomer), Ok(()));
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Fetch);
    assert_eq!(verifier.snapshot().requests(), 4);
}

/// Once: 32 client certificates whose responder never answered held all 32 fetch slots, and
/// a *revoked* client whose own responder was healthy was then accepted under soft-fail ("not
/// asked: too many fetches running"). Now a responder origin gets its own few slots; one that
/// is silent keeps its own clients waiting, and nobody else.
#[test]
fn a_silent_responder_cannot_take_the_slots_a_healthy_one_needs() {
    let pki = Pki::new("hostile-slots");
    let clock = Arc::new(Clock::default());
    let silent = Relay::held(pki.responder.port);
    let slots = FetchSlots::new()
        .with_total(8)
        .with_per_responder(2)
        .with_reserved_for_handshakes(2);
    let (verifier, seen) = observed(&pki, &clock, Policy::soft_fail(), |b| {
        b.with_fetch_slots(slots)
            .with_handshake_budget(Duration::from_millis(500))
    });
    // Eight clients of the silent responder, at once.
    let stalled: Vec<Client> = GOOD
        .iter()
        .map(|serial| pki.client(serial, &pki.intermediate, &[&silent.url()]))
        .collect();
    let results: Vec<Result<(), rustls::Error>> = thread::scope(|scope| {
        let running: Vec<_> = stalled
            .iter()
            .map(|client| {
                let (pki, verifier, clock) = (&pki, &verifier, &clock);
                scope.spawn(move || handshake(pki, verifier, clock, client))
            })
            .collect();
        running.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Soft-fail: no answer, accepted. Two asked the silent responder (its two slots) and ran
    // out of budget; six found its slots busy for their whole budget.
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let snapshot = verifier.snapshot();
    assert_eq!(
        (
            snapshot.budget_exhausted(),
            snapshot.responder_busy(),
            snapshot.overloaded()
        ),
        (2, 6, 0)
    );
    assert_eq!(silent.connections(), 2);
    assert_eq!(snapshot.in_flight(), 2);

    // Meanwhile a revoked client of the healthy responder is asked about, and refused.
    let revoked = pki.client(REVOKED[0], &pki.intermediate, &[&pki.responder.url()]);
    assert_eq!(
        handshake(&pki, &verifier, &clock, &revoked),
        rejected(CertificateError::Revoked)
    );
    assert_eq!(last(&seen).deciding().source(), AnswerSource::Fetch);
    silent.release();
    assert!(verifier.wait_for_fetches(Duration::from_secs(10)));
}

/// Once: the server fetched from whatever `http://` URL a client certificate's AIA named
/// (loopback, link-local, internal hosts), with no way to restrict it short of replacing AIA
/// with one URL. Now a responder policy can allow only some origins: a certificate naming
/// another is not asked about at all.
#[test]
fn a_certificate_naming_a_responder_nobody_allowed_is_not_asked_about() {
    let pki = Pki::new("hostile-allowlist");
    let clock = Arc::new(Clock::default());
    // An internal service a client would like the server to call.
    let internal = Canned::start(Answer::http("200 OK", Some("text/plain"), b"secrets"));
    let policy = ResponderPolicy::new().allowing(pki.responder.url());
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_responder_policy(policy)
    });
    let forging = pki.client(GOOD[0], &pki.intermediate, &[&internal.url()]);
    assert_eq!(
        handshake(&pki, &verifier, &clock, &forging),
        rejected(CertificateError::UnknownRevocationStatus)
    );
    let outcome = last(&seen);
    assert_eq!(
        outcome.deciding().source(),
        AnswerSource::ResponderNotAllowed
    );
    assert_eq!(outcome.decision().situation(), Situation::NoStaple);
    assert_eq!(internal.request_count(), 0);
    // A certificate naming the allowed responder is asked about as usual.
    let honest = pki.client(GOOD[1], &pki.intermediate, &[&pki.responder.url()]);
    assert_eq!(handshake(&pki, &verifier, &clock, &honest), Ok(()));
    let snapshot = verifier.snapshot();
    assert_eq!(
        (snapshot.responder_not_allowed(), snapshot.requests()),
        (1, 1)
    );
}

/// Once: a responder that returned the same answer again was asked again every prefetch
/// interval for the whole refresh lead (19 requests in a second at a 50 ms interval; one per
/// 30 s per certificate at the default), in the slots handshakes need. Now the prefetch follows
/// the refresh rule: half-way, then half of what remains, at most three times per answer.
#[test]
fn prefetch_asks_a_responder_that_repeats_itself_three_times_per_answer() {
    let pki = Pki::new("hostile-repeat");
    let clock = Arc::new(Clock::default());
    let probe = pki.client(GOOD[0], &pki.intermediate, &[&pki.responder.url()]);
    // One real answer (valid an hour), handed out again and again.
    let answer = Fetcher::new(Verifier::new(
        provider().signature_verification_algorithms.all,
    ))
    .fetch(
        &ocsp_verify::Certificate::from_der(probe.leaf()).unwrap(),
        &ocsp_verify::Issuer::from(&ocsp_verify::Certificate::from_der(&pki.der("int")).unwrap()),
        None,
        clock.now(),
    )
    .unwrap();
    let next_update = answer.answer().next_update().unwrap().as_secs();
    let lifetime = next_update - answer.answer().this_update().as_secs();
    assert_eq!(lifetime, 60 * MINUTE);
    let repeating = Canned::start(Answer::ocsp(answer.der()));
    let client = pki.client(GOOD[0], &pki.intermediate, &[&repeating.url()]);
    let prefetch = PrefetchOptions::new()
        .with_interval(Duration::from_millis(10))
        .with_schedule(RefreshSchedule::new().with_jitter_percent(0));
    let (verifier, _) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_prefetch(prefetch)
    });
    assert_eq!(handshake(&pki, &verifier, &clock, &client), Ok(()));
    assert_eq!(repeating.request_count(), 1);

    // Through the answer's life, a minute at a time, letting the prefetcher look each time.
    let started = clock.now().as_secs();
    let mut asked_at = Vec::new();
    for minute in 1.. {
        let offset = minute * MINUTE;
        if started + offset >= next_update {
            break;
        }
        let before = repeating.request_count();
        clock.advance_to(Duration::from_secs(offset));
        thread::sleep(Duration::from_millis(40));
        assert!(verifier.wait_for_fetches(Duration::from_secs(5)));
        if repeating.request_count() > before {
            asked_at.push(minute);
        }
    }
    // Half-way (30 minutes from thisUpdate, give or take the seconds before the first
    // handshake), then half of what remains twice; nothing in the last quarter hour.
    assert_eq!(asked_at.len(), 3, "{asked_at:?}");
    assert!((29..=31).contains(&asked_at[0]), "{asked_at:?}");
    assert!((44..=46).contains(&asked_at[1]), "{asked_at:?}");
    assert!((51..=54).contains(&asked_at[2]), "{asked_at:?}");
    assert_eq!(repeating.request_count(), 4);
    assert_eq!(verifier.snapshot().prefetches(), 3);
}

/// Once: with the whole chain checked, the path was built with the first intermediate that
/// verified, never backtracking, so a valid cross-signed chain that webpki accepts was
/// refused. Now a dead end (an intermediate signed by an untrusted root) is left for the next
/// candidate.
#[test]
fn a_cross_signed_chain_is_followed_to_the_trusted_root() {
    let pki = Pki::new("hostile-cross");
    let clock = Arc::new(Clock::default());
    let (verifier, seen) = observed(&pki, &clock, Policy::hard_fail(), |b| {
        b.with_depth(RevocationCheckDepth::Chain)
    });
    let client = pki.client(GOOD[0], &pki.intermediate, &[&pki.responder.url()]);
    // The leaf, the intermediate as an untrusted root signed it, then as the trusted root did.
    let chain = vec![
        client.chain[0].clone(),
        pki.cross_signed_intermediate(),
        client.chain[1].clone(),
    ];
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(mtls_pki::versions(TLS13))
        .unwrap()
        .with_root_certificates(Arc::unwrap_or_clone(pki.roots()))
        .with_client_auth_cert(chain, client.key.clone_key())
        .unwrap();
    config.resumption = Resumption::disabled();
    assert_eq!(
        handshake_with(&pki, &verifier, &clock, Arc::new(config)),
        Ok(())
    );
    let outcome = last(&seen);
    let checks = outcome.checks();
    assert_eq!(checks.len(), 2, "{outcome}");
    for check in checks {
        assert_eq!(check.decision().situation(), Situation::Good, "{check}");
        assert_eq!(check.answer().map(|a| a.status()), Some(CertStatus::Good));
    }
    // The intermediate checked is the one the trusted root signed (serial 3001).
    assert_eq!(checks[1].serial(), Some(&[0x30, 0x01][..]));
}
