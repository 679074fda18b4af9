//! One function per fuzz target. Each takes the fuzzer's bytes, must never panic on its own,
//! and asserts the invariants the crate promises about what it accepted: a panic here is a
//! finding, whether it comes from the library or from a broken promise.
//!
//! This file is compiled twice: by the fuzz crate (`src/lib.rs`) and, through `#[path]`, by
//! the root crate's `tests/fuzz_regressions.rs`. It may only use `ocsp_verify` and `std`.
//!
//! To add a target (`parse_request`, `cli_input`, ...): a `pub fn NAME(data: &[u8])` here, a
//! three-line `fuzz_targets/NAME.rs`, a `[[bin]]` in `Cargo.toml`, a `regressions/NAME/`
//! folder, its seeds in `seed.sh`, and one line in `tests/fuzz_regressions.rs`.

// A panic is how a fuzz target reports a finding, so the crate's restriction lints (there to
// keep panics off the paths that see input bytes) do not apply to this test code.
#![allow(clippy::expect_used, clippy::panic)]

use core::time::Duration;

use ocsp_verify::requests::OcspRequest;
use ocsp_verify::views::{BasicResponse, Extension, MAX_CERTIFICATES, OcspResponse, ResponderId};
use ocsp_verify::{
    CertStatus, Certificate, Error, Issuer, RevocationReason, UnixTime, Verifier, rustcrypto,
};

/// `parse_response`: both response parsers, then every accessor and every lazy list.
pub fn parse_response(data: &[u8]) {
    if let Ok(response) = OcspResponse::from_der(data) {
        let _ = response.status();
        if let Ok(basic) = response.basic() {
            walk_basic(basic);
        }
    }
    // A BasicOCSPResponse taken out of its envelope by other code is a second entry point.
    if let Ok(basic) = BasicResponse::from_der(data) {
        walk_basic(&basic);
    }
}

/// `parse_request`: the request parser (what a responder, or a test of one, reads), then every
/// accessor and the lazy list of requests.
pub fn parse_request(data: &[u8]) {
    if let Ok(request) = OcspRequest::from_der(data) {
        let mut count = 0usize;
        for single in request.requests() {
            let single = single.expect("a validated Request fails on iteration");
            let id = single.cert_id();
            if let Some(hash) = id.hash_algorithm() {
                assert_eq!(id.issuer_name_hash().len(), hash.output_len());
                assert_eq!(id.issuer_key_hash().len(), hash.output_len());
            }
            assert!(!id.serial().is_empty());
            count += 1;
        }
        assert_eq!(count, request.request_count());
        assert!(
            count > 0,
            "a request with an empty requestList was accepted"
        );
        let _ = (
            request.requestor_name(),
            request.is_signed(),
            request.nonce(),
        );
        assert_eq!(request.extensions().filter(Result::is_err).count(), 0);
    }
}

/// `parse_certificate`: the certificate view, then every accessor.
pub fn parse_certificate(data: &[u8]) {
    if let Ok(cert) = Certificate::from_der(data) {
        walk_certificate(&cert);
    }
}

fn walk_basic(basic: &BasicResponse<'_>) {
    let data = basic.response_data();
    let signed = basic.signed_data();
    assert_eq!(signed.data(), data.der());
    let _ = (signed.algorithm(), signed.signature());
    match data.responder_id() {
        ResponderId::ByName(name) => assert!(!name.is_empty()),
        ResponderId::ByKey(hash) => assert_eq!(hash.len(), 20),
    }
    let _ = data.produced_at();
    // Every list was validated when the view was built: iteration must meet no error, and
    // must yield as many elements as the view counted.
    let mut count = 0usize;
    for single in data.responses() {
        let single = single.expect("a validated SingleResponse fails on iteration");
        let id = single.cert_id();
        if let Some(hash) = id.hash_algorithm() {
            assert_eq!(id.issuer_name_hash().len(), hash.output_len());
            assert_eq!(id.issuer_key_hash().len(), hash.output_len());
        }
        assert!(!id.serial().is_empty());
        let _ = id.hash_algorithm_der();
        if let CertStatus::Revoked {
            reason: Some(reason),
            ..
        } = single.status()
        {
            assert!(reason.code() <= 10 && reason.code() != 7);
            let _ = reason.name();
        }
        let _ = (single.this_update(), single.next_update());
        walk_extensions(single.extensions());
        count += 1;
    }
    assert!(count >= 1);
    assert_eq!(count, data.response_count());
    walk_extensions(data.extensions());
    match data.nonce() {
        Ok(_) | Err(Error::InvalidNonce) => {}
        Err(other) => panic!("nonce() failed with {other:?}"),
    }
    let mut certs = 0usize;
    for cert in basic.certs() {
        let cert = cert.expect("a validated certificate fails on iteration");
        walk_certificate(&cert);
        certs += 1;
    }
    assert_eq!(certs, basic.cert_count());
    assert!(certs <= MAX_CERTIFICATES);
}

fn walk_certificate(cert: &Certificate<'_>) {
    let signed = cert.signed_data();
    let _ = (signed.data(), signed.algorithm(), signed.signature());
    assert!(!cert.serial().is_empty());
    let _ = (cert.issuer(), cert.subject(), cert.der());
    let spki = cert.subject_public_key_info();
    let _ = (spki.algorithm(), spki.public_key());
    let issuer = Issuer::from(cert);
    assert_eq!(
        issuer.is_issuer_of(cert),
        cert.issuer() == cert.subject(),
        "a certificate names itself as its issuer exactly when it is self-issued"
    );
    let _ = cert.is_valid_at(cert.not_before());
    let _ = (cert.has_extended_key_usage(), cert.has_ocsp_signing());
    let _ = (
        cert.has_any_extended_key_usage(),
        cert.basic_constraints_ca(),
    );
    let _ = (cert.is_ca(), cert.has_ocsp_nocheck(), cert.is_must_staple());
    let _ = cert.tls_features().code();
    let _ = cert.has_unknown_critical_extension();
    for url in cert.ocsp_urls() {
        assert!(url.is_ascii());
    }
    walk_extensions(cert.extensions());
}

fn walk_extensions<'a>(extensions: impl Iterator<Item = Result<Extension<'a>, Error>>) {
    for extension in extensions {
        let extension = extension.expect("a validated extension fails on iteration");
        let _ = (extension.id(), extension.is_critical(), extension.value());
    }
}

/// A certificate, its issuer, perhaps a responder the caller trusts, and a time at which a
/// genuine response about the certificate verifies. The `verify` target checks its input
/// against each context; a context whose certificate no `CertID` names costs nothing beyond
/// the parse, so more contexts cost little.
struct Context {
    cert: &'static [u8],
    issuer: &'static [u8],
    trusted: Option<&'static [u8]>,
    now: u64,
}

macro_rules! vector {
    ($path:literal) => {
        include_bytes!(concat!("../../test-vectors/", $path))
    };
}

/// 2026-01-01T01:00:00Z, the `now` of the generated vectors.
const GENERATED_NOW: u64 = 1_767_229_200;

const CONTEXTS: &[Context] = &[
    // The generated RSA PKI: issuer-signed, delegated, byKey, PSS, locally trusted responder,
    // and every broken variant of test-vectors/generated/.
    Context {
        cert: vector!("generated/pki/rsa-ee.der"),
        issuer: vector!("generated/pki/rsa-ca.der"),
        trusted: Some(vector!("generated/pki/trusted-responder.der")),
        now: GENERATED_NOW,
    },
    // ECDSA P-256, issuer-signed and delegated.
    Context {
        cert: vector!("generated/pki/p256-ee.der"),
        issuer: vector!("generated/pki/p256-ca.der"),
        trusted: None,
        now: GENERATED_NOW,
    },
    // ECDSA P-384.
    Context {
        cert: vector!("generated/pki/p384-ee.der"),
        issuer: vector!("generated/pki/p384-ca.der"),
        trusted: None,
        now: GENERATED_NOW,
    },
    // Signed by a delegated responder embedded in the response (RSA, SHA-1).
    Context {
        cert: vector!("real-world/openssl/D1_Cert_EE.der"),
        issuer: vector!("real-world/openssl/D1_Issuer_ICA.der"),
        trusted: None,
        now: 1_350_991_536,
    },
    // Signed by the issuer itself (RSA, SHA-1), no embedded certificate.
    Context {
        cert: vector!("real-world/openssl/ND1_Cert_EE.der"),
        issuer: vector!("real-world/openssl/ND1_Issuer_ICA.der"),
        trusted: None,
        now: 1_349_948_473,
    },
    // Signed by a responder the caller trusts; a revoked answer with singleExtensions.
    Context {
        cert: vector!("real-world/golang-x-crypto/leafCertHex.der"),
        issuer: vector!("real-world/golang-x-crypto/issuerCertHex.der"),
        trusted: Some(vector!("real-world/golang-x-crypto/responderCertHex.der")),
        now: 1_451_930_400,
    },
];

/// The nonce the `verify` target claims to have sent, in its second verification.
const NONCE: &[u8] = &[0x5A; 16];

/// `verify`: full verification of the input against each fixed context, at its fixed time,
/// with every algorithm the crate has (SHA-1 included, as the real-world vectors need it).
/// The seeds (`seed.sh`) hold a genuine, validly signed response for every context.
pub fn verify(data: &[u8]) {
    for context in CONTEXTS {
        verify_in(context, data);
    }
}

fn verify_in(context: &Context, data: &[u8]) {
    let cert = Certificate::from_der(context.cert).expect("fixed certificate");
    let issuer = Certificate::from_der(context.issuer).expect("fixed issuer");
    let issuer = Issuer::from(&issuer);
    let trusted_storage;
    let trusted: &[Certificate<'_>] = match context.trusted {
        Some(der) => {
            trusted_storage = [Certificate::from_der(der).expect("fixed trusted responder")];
            &trusted_storage
        }
        None => &[],
    };
    let verifier = Verifier::new(rustcrypto::ALL_WITH_LEGACY_SHA1).with_trusted_responders(trusted);
    let now = UnixTime::since_unix_epoch(Duration::from_secs(context.now));

    let result = verifier.verify(data, &cert, &issuer, None, now);
    if let Ok(verified) = &result {
        // What the verifier vouches for, checked independently of how it got there.
        assert_eq!(verified.single_response().cert_id().serial(), cert.serial());
        let answer = verified.answer();
        let must_be_fresh = match answer.status() {
            CertStatus::Good => true,
            CertStatus::Revoked { reason, .. } => reason == Some(RevocationReason::CertificateHold),
            CertStatus::Unknown => false,
        };
        if must_be_fresh {
            let skew = Verifier::DEFAULT_CLOCK_SKEW.as_secs();
            let this_update = answer.this_update().as_secs();
            assert!(this_update <= context.now + skew);
            let max_age = match answer.next_update() {
                Some(next) => {
                    assert!(next.as_secs() >= this_update);
                    assert!(
                        next.as_secs() - this_update <= Verifier::DEFAULT_MAX_LIFETIME.as_secs()
                    );
                    assert!(context.now <= next.as_secs() + skew);
                    Verifier::DEFAULT_MAX_AGE
                }
                None => Verifier::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE,
            };
            assert!(context.now <= this_update + max_age.as_secs() + skew);
        }
        // An answer re-checked at the time it was verified is still fresh.
        assert_eq!(verifier.check_freshness(&answer, now), Ok(()));
    }
    // Past the signature (accepted, or refused by a check that runs after it), the same
    // response with a nonce sent must be refused for the nonce alone, or accepted alike.
    let past_signature = matches!(
        result,
        Ok(_)
            | Err(Error::ResponseExpired { .. }
                | Error::ResponseTooOld { .. }
                | Error::ResponseNotYetValid { .. }
                | Error::ResponseLifetimeTooLong
                | Error::NextUpdateBeforeThisUpdate
                | Error::UnsupportedCriticalExtension(_))
    );
    if past_signature {
        let with_nonce = verifier.verify(data, &cert, &issuer, Some(NONCE), now);
        match (&result, &with_nonce) {
            (_, Err(Error::MissingNonce | Error::NonceMismatch | Error::InvalidNonce)) => {}
            (Ok(a), Ok(b)) => assert_eq!(a.answer(), b.answer()),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("without nonce {a:?}, with nonce {b:?}"),
        }
    }
}
