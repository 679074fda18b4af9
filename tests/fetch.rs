//! The `http` feature end to end: a real `openssl ocsp` responder on loopback, and a canned
//! HTTP server for the ways a responder can fail.

#![cfg(feature = "http")]
// Test code: a panic is a failed test. clippy.toml exempts `#[test]` functions from the
// restriction lints; this exempts the helpers beside them as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ocsp_verify::fetch::{
    Backoff, BadAnswer, CacheOptions, FailureKind, FetchError, FetchMethod, Fetcher,
    ManualMonotonicClock, ResponseCache, Unreachable,
};
use ocsp_verify::requests::{OcspRequest, RequestBuilder, write_get_url};
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{
    CertStatus, Certificate, Error, HashAlgorithm, Issuer, ResponderAuthorization, ResponseStatus,
    RevocationReason, UnixTime, Verifier, rustcrypto,
};
use support::{Answer, Canned, GOOD_SERIAL, Pki, REVOKED_SERIAL, Responder, UNKNOWN_SERIAL};

fn fetcher() -> Fetcher<'static> {
    Fetcher::new(Verifier::new(rustcrypto::ALL))
        .with_connect_timeout(Duration::from_secs(2))
        .with_timeout(Duration::from_secs(5))
}

fn later(now: UnixTime, secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(now.as_secs() + secs))
}

/// A PKI, a responder, and a good leaf whose AIA names the responder.
struct Setup {
    pki: Pki,
    responder: Responder,
    ca: Vec<u8>,
    good: Vec<u8>,
}

fn setup(name: &str) -> Setup {
    support::require_openssl(name);
    let pki = Pki::new(name);
    let responder = Responder::start(&pki);
    let good = pki.leaf("good", GOOD_SERIAL, &[&responder.url()]);
    Setup {
        ca: pki.ca_der(),
        pki,
        responder,
        good,
    }
}

/// A response from the real responder, fetched once, for the canned server to replay.
fn real_response(setup: &Setup, nonce: Option<&[u8]>) -> Vec<u8> {
    let cert = Certificate::from_der(&setup.good).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    fetcher()
        .fetch(&cert, &issuer, nonce, UnixTime::now())
        .unwrap()
        .into_der()
}

/// Always runs (no openssl needed): a committed response made by `openssl ocsp` for a request
/// with a nonce, served over HTTP, fetched and verified at the manifest's `now`.
#[test]
fn fetches_a_committed_openssl_response_over_http() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/generated");
    let read = |path: &str| std::fs::read(format!("{dir}/{path}")).unwrap();
    let response = read("responses/openssl-responder-delegated-nonce.der");
    let request = read("responses/openssl-responder-delegated-nonce.request.der");
    let (cert, issuer) = (read("pki/rsa-ee.der"), read("pki/rsa-ca.der"));
    let (cert, issuer) = (
        Certificate::from_der(&cert).unwrap(),
        Issuer::from(&Certificate::from_der(&issuer).unwrap()),
    );
    let nonce = OcspRequest::from_der(&request)
        .unwrap()
        .nonce()
        .unwrap()
        .unwrap()
        .to_vec();
    // The manifest verifies it one minute after it was produced.
    let produced_at = OcspResponse::from_der(&response)
        .unwrap()
        .basic()
        .unwrap()
        .response_data()
        .produced_at();
    let now = later(produced_at, 60);

    let server = Canned::start(Answer::ocsp(&response));
    let fetched = fetcher()
        .with_responder_url(Some(&server.url()))
        .fetch(&cert, &issuer, Some(&nonce), now)
        .unwrap();
    assert_eq!(fetched.answer().status(), CertStatus::Good);
    assert_eq!(
        fetched.answer().responder(),
        ResponderAuthorization::Delegated
    );
    assert_eq!(fetched.der(), &response[..]);
    // The request that went out was the same as openssl's but for the nonce octets: here
    // the same nonce, so the same bytes (the GET path decodes to them).
    let sent = server.requests.lock().unwrap()[0].clone();
    let line = String::from_utf8_lossy(&sent)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut url = [0u8; 512];
    let len = write_get_url("", &request, &mut url).unwrap();
    assert_eq!(
        line,
        format!("GET {} HTTP/1.1", std::str::from_utf8(&url[..len]).unwrap())
    );
    // A minute past nextUpdate plus the skew, the same bytes are refused as expired.
    let next_update = fetched.answer().next_update().unwrap();
    let error = fetcher()
        .with_responder_url(Some(&server.url()))
        .fetch(&cert, &issuer, Some(&nonce), later(next_update, 6 * 60))
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::InvalidResponse {
                error: Error::ResponseExpired { .. },
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn fetches_a_fresh_response_from_openssl_ocsp_with_a_nonce() {
    let setup = setup("real-responder");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let nonce: [u8; 32] = std::array::from_fn(|i| u8::try_from(i * 7 + 1).unwrap());

    for method in [FetchMethod::Auto, FetchMethod::Get, FetchMethod::Post] {
        for hash in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let now = UnixTime::now();
            let response = fetcher()
                .with_method(method)
                .with_hash_algorithm(hash)
                .fetch(&cert, &issuer, Some(&nonce), now)
                .unwrap_or_else(|e| panic!("{method:?} {hash:?}: {e}"));
            assert_eq!(response.answer().status(), CertStatus::Good);
            assert_eq!(
                response.answer().responder(),
                ResponderAuthorization::Delegated
            );
            // Fresh: made just now, valid for the responder's -nmin 60.
            let this_update = response.answer().this_update().as_secs();
            assert!(this_update.abs_diff(now.as_secs()) < 120, "{this_update}");
            let next_update = response.answer().next_update().unwrap().as_secs();
            assert_eq!(next_update - this_update, 60 * 60);
            // The bytes are kept, and they verify again with the same nonce.
            Verifier::new(rustcrypto::ALL)
                .verify(response.der(), &cert, &issuer, Some(&nonce), now)
                .unwrap();
        }
    }

    // Revoked and unknown answers come back as verified statuses, not errors.
    let revoked = setup
        .pki
        .leaf("revoked", REVOKED_SERIAL, &[&setup.responder.url()]);
    let revoked = Certificate::from_der(&revoked).unwrap();
    let response = fetcher()
        .fetch(&revoked, &issuer, Some(&nonce), UnixTime::now())
        .unwrap();
    assert!(matches!(
        response.answer().status(),
        CertStatus::Revoked {
            reason: Some(RevocationReason::KeyCompromise),
            ..
        }
    ));
    let unknown = setup
        .pki
        .leaf("unknown", UNKNOWN_SERIAL, &[&setup.responder.url()]);
    let unknown = Certificate::from_der(&unknown).unwrap();
    let response = fetcher()
        .fetch(&unknown, &issuer, Some(&nonce), UnixTime::now())
        .unwrap();
    assert_eq!(response.answer().status(), CertStatus::Unknown);
}

#[test]
fn tries_each_responder_url_in_order() {
    let setup = setup("url-order");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let dead = format!("http://127.0.0.1:{}/", support::dead_port());
    let failing = Canned::start(Answer::http("503 Service Unavailable", None, b""));
    let garbage = Canned::start(Answer::ocsp(b"not an OCSP response"));

    // Dead port, then an HTTP 503, then the real responder: the third answers.
    let leaf = setup.pki.leaf(
        "three-urls",
        GOOD_SERIAL,
        &[&dead, &failing.url(), &setup.responder.url()],
    );
    let cert = Certificate::from_der(&leaf).unwrap();
    let response = fetcher()
        .fetch(&cert, &issuer, None, UnixTime::now())
        .unwrap();
    assert_eq!(response.answer().status(), CertStatus::Good);
    assert_eq!(failing.request_count(), 1);

    // All fail: the error is the first responder that answered, not the silent ones.
    let leaf = setup.pki.leaf(
        "all-fail",
        GOOD_SERIAL,
        &[&dead, &garbage.url(), &failing.url()],
    );
    let cert = Certificate::from_der(&leaf).unwrap();
    let error = fetcher()
        .fetch(&cert, &issuer, None, UnixTime::now())
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::BadAnswer { url, reason: BadAnswer::Malformed(_) } if *url == garbage.url()
        ),
        "{error}"
    );
    // Only silence: the first URL's error.
    let leaf = setup
        .pki
        .leaf("silent", GOOD_SERIAL, &[&dead, &failing.url()]);
    let cert = Certificate::from_der(&leaf).unwrap();
    let error = fetcher()
        .fetch(&cert, &issuer, None, UnixTime::now())
        .unwrap_err();
    assert!(error.is_unreachable(), "{error}");
    assert!(
        matches!(&error, FetchError::Unreachable { url, reason: Unreachable::Connect(_) } if *url == dead),
        "{error}"
    );

    // No http:// URL at all.
    let leaf = setup.pki.leaf(
        "no-http",
        GOOD_SERIAL,
        &["https://127.0.0.1:1/", "ldap://127.0.0.1/"],
    );
    let cert = Certificate::from_der(&leaf).unwrap();
    assert!(matches!(
        fetcher().fetch(&cert, &issuer, None, UnixTime::now()),
        Err(FetchError::NoResponderUrl)
    ));
}

#[test]
fn the_timeout_holds() {
    let setup = setup("timeout");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let silent = Canned::start(Answer::Silent(Duration::from_secs(10)));
    let started = Instant::now();
    let error = fetcher()
        .with_timeout(Duration::from_millis(500))
        .with_responder_url(Some(&silent.url()))
        .fetch(&cert, &issuer, None, UnixTime::now())
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            &error,
            FetchError::Unreachable {
                reason: Unreachable::Timeout,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_unreachable());
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
}

#[test]
fn the_size_cap_holds() {
    let setup = setup("size-cap");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let now = UnixTime::now();
    let too_large = |error: &FetchError, cap: usize| matches!(error, FetchError::BadAnswer { reason: BadAnswer::TooLarge(c), .. } if *c == cap);

    // Declared too long: refused from the header.
    let declared = Canned::start(Answer::ocsp(&vec![0x30; 64 * 1024 + 1]));
    let error = fetcher()
        .with_responder_url(Some(&declared.url()))
        .fetch(&cert, &issuer, None, now)
        .unwrap_err();
    assert!(too_large(&error, 64 * 1024), "{error}");

    // No length given, 50 MiB streamed: reading stops at the cap, quickly.
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\
                 Connection: close\r\n\r\n"
        .to_vec();
    let streamed = Canned::start(Answer::Stream {
        head,
        total: 50 << 20,
    });
    let started = Instant::now();
    let error = fetcher()
        .with_responder_url(Some(&streamed.url()))
        .fetch(&cert, &issuer, None, now)
        .unwrap_err();
    assert!(too_large(&error, 64 * 1024), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The server could not push the 50 MiB: the client stopped reading and hung up.
    std::thread::sleep(Duration::from_millis(200));
    let written = streamed.written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(written < 50 << 20, "{written}");

    // Exactly at the cap is read (and then refused for what it is, not for its size).
    let at_cap = Canned::start(Answer::ocsp(&vec![0x30; 64 * 1024]));
    let error = fetcher()
        .with_responder_url(Some(&at_cap.url()))
        .fetch(&cert, &issuer, None, now)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::BadAnswer {
                reason: BadAnswer::Malformed(_),
                ..
            }
        ),
        "{error}"
    );

    // A smaller cap applies to real responses too.
    let error = fetcher()
        .with_max_response_len(100)
        .with_responder_url(Some(&setup.responder.url()))
        .fetch(&cert, &issuer, None, now)
        .unwrap_err();
    assert!(too_large(&error, 100), "{error}");
}

#[test]
fn unreachable_is_told_apart_from_nonsense() {
    let setup = setup("bad-answers");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let now = UnixTime::now();
    let good = real_response(&setup, None);
    let fetch = |answer: Answer| {
        let server = Canned::start(answer);
        fetcher()
            .with_responder_url(Some(&server.url()))
            .fetch(&cert, &issuer, None, now)
            .unwrap_err()
    };

    // Unreachable: connection refused, HTTP 5xx.
    let error = fetcher()
        .with_responder_url(Some(&format!("http://127.0.0.1:{}/", support::dead_port())))
        .fetch(&cert, &issuer, None, now)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::Unreachable {
                reason: Unreachable::Connect(_),
                ..
            }
        ),
        "{error}"
    );
    for status in ["500 Internal Server Error", "502 Bad Gateway"] {
        let error = fetch(Answer::http(status, Some("text/plain"), b"oops"));
        assert!(
            matches!(
                &error,
                FetchError::Unreachable {
                    reason: Unreachable::ServerError(5_00..=599),
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.failure_kind(), Some(FailureKind::Unreachable));
    }
    // A hung-up connection, before any answer.
    let error = fetch(Answer::Bytes(Vec::new()));
    assert!(error.is_unreachable(), "{error}");

    // Nonsense: each is a BadAnswer, never "unreachable".
    type Expected = fn(&BadAnswer) -> bool;
    let cases: Vec<(Answer, Expected)> =
        vec![
        (Answer::http("200 OK", Some("text/html"), &good), |r| {
            *r == BadAnswer::ContentType(Some("text/html".into()))
        }),
        (Answer::http("200 OK", None, &good), |r| {
            *r == BadAnswer::ContentType(None)
        }),
        (Answer::http("404 Not Found", Some("text/html"), b"no"), |r| {
            *r == BadAnswer::Status(404)
        }),
        (
            Answer::Bytes(
                b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n"
                    .to_vec(),
            ),
            |r| *r == BadAnswer::Status(302),
        ),
        (Answer::ocsp(b"garbage, not DER"), |r| {
            matches!(r, BadAnswer::Malformed(Error::BadDer(_)))
        }),
        (Answer::ocsp(&[&good[..], &[0]].concat()), |r| {
            matches!(r, BadAnswer::Malformed(Error::TrailingData(_)))
        }),
        (Answer::Bytes(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()), |r| {
            matches!(r, BadAnswer::Protocol(_))
        }),
    ];
    for (answer, expected) in cases {
        let error = fetch(answer);
        match &error {
            FetchError::BadAnswer { reason, .. } => assert!(expected(reason), "{error}"),
            other => panic!("not a bad answer: {other}"),
        }
        assert_eq!(error.failure_kind(), Some(FailureKind::BadAnswer));
        assert!(!error.is_unreachable());
    }
    // Content types are compared as media types: case and parameters do not matter.
    let server = Canned::start(Answer::http(
        "200 OK",
        Some("Application/OCSP-Response; charset=binary"),
        &good,
    ));
    fetcher()
        .with_responder_url(Some(&server.url()))
        .fetch(&cert, &issuer, None, now)
        .unwrap();

    // A real OCSP answer that refuses to answer (tryLater) is an invalid response: the
    // responder spoke OCSP.
    let error = fetch(Answer::ocsp(&[0x30, 0x03, 0x0A, 0x01, 0x03]));
    assert!(
        matches!(
            &error,
            FetchError::InvalidResponse {
                error: Error::UnsuccessfulResponse(ResponseStatus::TryLater),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.failure_kind(),
        Some(FailureKind::InvalidResponse(Error::UnsuccessfulResponse(
            ResponseStatus::TryLater
        )))
    );
}

#[test]
fn the_nonce_is_sent_and_checked() {
    let setup = setup("nonce");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let now = UnixTime::now();
    // A replayed response carrying another nonce is refused; one with none too.
    let replay = Canned::start(Answer::ocsp(&real_response(&setup, Some(&[1; 32]))));
    let error = fetcher()
        .with_responder_url(Some(&replay.url()))
        .fetch(&cert, &issuer, Some(&[2; 32]), now)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::InvalidResponse {
                error: Error::NonceMismatch,
                ..
            }
        ),
        "{error}"
    );
    let replay = Canned::start(Answer::ocsp(&real_response(&setup, None)));
    let error = fetcher()
        .with_responder_url(Some(&replay.url()))
        .fetch(&cert, &issuer, Some(&[2; 32]), now)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::InvalidResponse {
                error: Error::MissingNonce,
                ..
            }
        ),
        "{error}"
    );
    // The caller's nonce must be 1 to 32 octets; nothing is sent otherwise.
    let error = fetcher()
        .with_responder_url(Some(&replay.url()))
        .fetch(&cert, &issuer, Some(&[0; 33]), now)
        .unwrap_err();
    assert!(matches!(
        error,
        FetchError::InvalidRequest(Error::InvalidNonceLength)
    ));
    assert_eq!(replay.request_count(), 1);
    // The wrong issuer is the caller's mistake, found before anything is sent.
    let error = fetcher()
        .with_responder_url(Some(&replay.url()))
        .fetch(&cert, &Issuer::from(&cert), None, now)
        .unwrap_err();
    assert!(matches!(
        error,
        FetchError::InvalidRequest(Error::IssuerNameMismatch)
    ));
    assert_eq!(error.failure_kind(), None);
}

#[test]
fn get_and_post_on_the_wire() {
    let setup = setup("wire");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let good = real_response(&setup, None);
    let server = Canned::start(Answer::ocsp(&good));
    let nonce = [9u8; 16];
    let expected = {
        let request = RequestBuilder::new(&cert, &issuer);
        let mut der = vec![0; request.encoded_len(Some(&nonce)).unwrap()];
        request.encode(Some(&nonce), &mut der).unwrap();
        der
    };

    // Auto picks GET for a short URL: the path is the URL-encoded base64 of the DER.
    let error = fetcher()
        .with_responder_url(Some(&server.url()))
        .fetch(&cert, &issuer, Some(&nonce), UnixTime::now())
        .unwrap_err();
    // (The canned response carries no nonce.)
    assert!(matches!(
        error,
        FetchError::InvalidResponse {
            error: Error::MissingNonce,
            ..
        }
    ));
    let request = server.requests.lock().unwrap()[0].clone();
    let request = String::from_utf8(request).unwrap();
    let path = request
        .strip_prefix("GET /")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{request}"));
    let mut url = [0u8; 512];
    let len = write_get_url("", &expected, &mut url).unwrap();
    assert_eq!(format!("/{path}").as_bytes(), &url[..len]);
    assert!(!path.contains(['+', '=']) && !path.contains("/"));

    // POST carries the DER as the body, with the OCSP request media type.
    fetcher()
        .with_method(FetchMethod::Post)
        .with_responder_url(Some(&server.url()))
        .fetch(&cert, &issuer, None, UnixTime::now())
        .unwrap();
    let request = server.requests.lock().unwrap()[1].clone();
    let split = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let (head, body) = (
        String::from_utf8_lossy(&request[..split]).to_ascii_lowercase(),
        &request[split + 4..],
    );
    assert!(head.starts_with("post / http/1.1"), "{head}");
    assert!(
        head.contains("content-type: application/ocsp-request"),
        "{head}"
    );
    let parsed = OcspRequest::from_der(body).unwrap();
    assert_eq!(parsed.nonce().unwrap(), None);
    assert_eq!(parsed.request_count(), 1);
}

#[test]
fn the_cache_spares_the_responder() {
    let setup = setup("cache");
    let issuer = Issuer::from(&Certificate::from_der(&setup.ca).unwrap());
    let cert = Certificate::from_der(&setup.good).unwrap();
    let good = real_response(&setup, None);
    let server = Canned::start(Answer::ocsp(&good));
    let leaf = setup.pki.leaf("cached", GOOD_SERIAL, &[&server.url()]);
    let cert_via_canned = Certificate::from_der(&leaf).unwrap();
    // The replayed response names serial 0x1001, as does this leaf.
    assert_eq!(cert_via_canned.serial(), cert.serial());

    // A monotonic clock the test moves: the failure backoff is measured on it.
    let mono = ManualMonotonicClock::new();
    let backoff =
        Backoff::new(Duration::from_secs(60), Duration::from_secs(300)).with_jitter_percent(0);
    let cache = ResponseCache::new(CacheOptions::new().with_failure_backoff(backoff))
        .with_monotonic_clock(Arc::new(mono.clone()));
    let now = UnixTime::now();
    let first = fetcher()
        .fetch_cached(&cache, &cert_via_canned, &issuer, None, now)
        .unwrap();
    let second = fetcher()
        .fetch_cached(&cache, &cert_via_canned, &issuer, None, later(now, 60))
        .unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(server.request_count(), 1);
    // 56 minutes on, within 5 minutes of nextUpdate (-nmin 60): asked again. The canned
    // responder hands out the same answer: nothing newer, so the one kept is returned.
    let third = fetcher()
        .fetch_cached(&cache, &cert_via_canned, &issuer, None, later(now, 56 * 60))
        .unwrap();
    assert!(Arc::ptr_eq(&first, &third));
    assert_eq!(server.request_count(), 2);

    // A dead responder is asked once per backoff (a minute, then two), however often the
    // client asks, and whatever the wall clock says.
    let failing = Canned::start(Answer::http("500 Internal Server Error", None, b""));
    let leaf = setup.pki.leaf("dead", "4001", &[&failing.url()]);
    let dead_cert = Certificate::from_der(&leaf).unwrap();
    let error = fetcher()
        .fetch_cached(&cache, &dead_cert, &issuer, None, now)
        .unwrap_err();
    assert!(error.is_unreachable());
    let mut waited = 0;
    for (offset, retry_in) in [(1, 59), (58, 1)] {
        mono.advance(Duration::from_secs(offset));
        waited += offset;
        // The wall clock a day ahead changes nothing.
        let error = fetcher()
            .fetch_cached(
                &cache,
                &dead_cert,
                &issuer,
                None,
                later(now, 86_400 + waited),
            )
            .unwrap_err();
        assert_eq!(
            error,
            FetchError::RecentFailure {
                kind: FailureKind::Unreachable,
                retry_in: Duration::from_secs(retry_in),
            }
        );
        assert!(error.is_unreachable());
    }
    assert_eq!(failing.request_count(), 1);
    mono.advance(Duration::from_secs(1));
    let _ = fetcher().fetch_cached(&cache, &dead_cert, &issuer, None, now);
    assert_eq!(failing.request_count(), 2);
    // The second failure in a row: two minutes.
    assert!(matches!(
        fetcher().fetch_cached(&cache, &dead_cert, &issuer, None, now),
        Err(FetchError::RecentFailure { retry_in, .. }) if retry_in == Duration::from_secs(120)
    ));
}

#[test]
fn concurrent_fetches_share_one_cache() {
    let setup = setup("concurrent");
    let good = real_response(&setup, None);
    let server = Canned::start(Answer::ocsp(&good));
    let leaf = setup.pki.leaf("shared", GOOD_SERIAL, &[&server.url()]);
    let cache = Arc::new(ResponseCache::default());
    let ca = Arc::new(setup.ca.clone());
    let leaf = Arc::new(leaf);
    let now = UnixTime::now();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (cache, ca, leaf) = (Arc::clone(&cache), Arc::clone(&ca), Arc::clone(&leaf));
            std::thread::spawn(move || {
                let issuer = Issuer::from(&Certificate::from_der(&ca).unwrap());
                let cert = Certificate::from_der(&leaf).unwrap();
                for i in 0..25 {
                    let response = fetcher()
                        .fetch_cached(&cache, &cert, &issuer, None, later(now, i))
                        .unwrap();
                    assert_eq!(response.answer().status(), CertStatus::Good);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Threads that missed together each fetched; after that, all were served from the cache.
    let requests = server.request_count();
    assert!((1..=4).contains(&requests), "{requests}");
    assert_eq!(cache.len(), 1);
}
