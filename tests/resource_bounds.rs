//! Resource bounds: a verification checks at most one signature per embedded certificate plus
//! one (the response's own), whatever the input. With at most 8 certificates (profile rule 6)
//! that is at most 9 signature checks, the dominant cost of any response.
//!
//! Counted with a `SignatureVerificationAlgorithm` wrapper around the RustCrypto algorithms,
//! over every verification case of both manifests, over every single-byte change of a
//! delegated response, and over a response built to reach the bound exactly.

// Verification needs both RustCrypto backends (the vectors are RSA and ECDSA signed).
#![cfg(all(feature = "ecdsa", feature = "rsa"))]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::der_builder::{P256Key, Responder, ResponseData, Single, Status, cert_id, unix};
use common::{hex, json, read, time};
use ocsp_verify::views::{MAX_CERTIFICATES, MAX_RESPONSE_LEN, OcspResponse};
use ocsp_verify::{
    Certificate, Error, Issuer, ResponderAuthorization, SignatureVerificationAlgorithm, Verifier,
    rustcrypto,
};
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature};

/// Counts the signature checks made through it.
#[derive(Debug)]
struct Counting<'c> {
    inner: &'static dyn SignatureVerificationAlgorithm,
    calls: &'c AtomicUsize,
}

impl SignatureVerificationAlgorithm for Counting<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.verify_signature(public_key, message, signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }
}

/// Wraps every algorithm of `set` so that it counts into `calls`.
fn counting<'c>(
    set: &'static [&'static dyn SignatureVerificationAlgorithm],
    calls: &'c AtomicUsize,
) -> Vec<Counting<'c>> {
    set.iter()
        .map(|inner| Counting {
            inner: *inner,
            calls,
        })
        .collect()
}

/// Embedded certificates of a response, 0 when it does not parse that far.
fn embedded(response: &[u8], max_len: usize) -> usize {
    OcspResponse::from_der_with_max_len(response, max_len)
        .ok()
        .and_then(|r| r.into_basic().ok())
        .map_or(0, |basic| basic.cert_count())
}

/// One verification, counted: (signature checks, embedded certificates, outcome).
struct Counted {
    checks: usize,
    certs: usize,
    result: Result<ResponderAuthorization, Error>,
}

#[allow(clippy::too_many_arguments)]
fn count(
    response: &[u8],
    cert: &[u8],
    issuer: &[u8],
    trusted: &[Vec<u8>],
    nonce: Option<&[u8]>,
    now: u64,
    sha1: bool,
    max_len: usize,
) -> Counted {
    let calls = AtomicUsize::new(0);
    let set = if sha1 {
        rustcrypto::ALL_WITH_LEGACY_SHA1
    } else {
        rustcrypto::ALL
    };
    let wrapped = counting(set, &calls);
    let algorithms: Vec<&dyn SignatureVerificationAlgorithm> = wrapped
        .iter()
        .map(|a| -> &dyn SignatureVerificationAlgorithm { a })
        .collect();
    let cert = Certificate::from_der(cert).unwrap();
    let issuer = Certificate::from_der(issuer).unwrap();
    let trusted: Vec<_> = trusted
        .iter()
        .map(|d| Certificate::from_der(d).unwrap())
        .collect();
    let verifier = Verifier::new(&algorithms)
        .with_trusted_responders(&trusted)
        .with_max_response_len(max_len);
    let now = unix(now);
    let result = verifier.verify(response, &cert, &Issuer::from(&issuer), nonce, now);
    Counted {
        checks: calls.load(Ordering::Relaxed),
        certs: embedded(response, max_len),
        result: result.map(|v| v.answer().responder()),
    }
}

fn assert_bounded(name: &str, counted: &Counted) {
    assert!(
        counted.checks <= counted.certs + 1,
        "{name}: {} signature checks with {} embedded certificates ({:?})",
        counted.checks,
        counted.certs,
        counted.result
    );
    // An accepted response had its own signature checked.
    if counted.result.is_ok() {
        assert!(
            counted.checks >= 1,
            "{name}: accepted without a signature check"
        );
    }
}

#[test]
fn every_vector_costs_at_most_one_check_per_certificate_plus_one() {
    let mut cases = 0;
    let mut most = 0;
    let generated = json("generated/manifest.json");
    for entry in generated.as_array().unwrap() {
        let file = |path: &serde_json::Value| read(format!("generated/{}", path.as_str().unwrap()));
        let trusted: Vec<_> = entry["trusted_responders"]
            .as_array()
            .unwrap()
            .iter()
            .map(file)
            .collect();
        let options = &entry["options"];
        let counted = count(
            &file(&entry["response"]),
            &file(&entry["cert"]),
            &file(&entry["issuer"]),
            &trusted,
            entry["nonce"].as_str().map(hex).as_deref(),
            time(entry["now"].as_str().unwrap()).as_secs(),
            options["allow_sha1"].as_bool().unwrap(),
            usize::try_from(options["max_response_size"].as_u64().unwrap()).unwrap(),
        );
        assert_bounded(entry["name"].as_str().unwrap(), &counted);
        most = most.max(counted.checks);
        cases += 1;
    }
    for entry in json("real-world/manifest.json").as_array().unwrap() {
        let response = read(format!("real-world/{}", entry["file"].as_str().unwrap()));
        for case in entry
            .get("verify")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let file =
                |path: &serde_json::Value| read(format!("real-world/{}", path.as_str().unwrap()));
            let trusted: Vec<_> = case["trusted_responders"]
                .as_array()
                .unwrap()
                .iter()
                .map(file)
                .collect();
            let counted = count(
                &response,
                &file(&case["cert"]),
                &file(&case["issuer"]),
                &trusted,
                case["nonce"].as_str().map(hex).as_deref(),
                time(case["now"].as_str().unwrap()).as_secs(),
                case["options"]["allow_sha1"].as_bool().unwrap(),
                MAX_RESPONSE_LEN,
            );
            assert_bounded(entry["file"].as_str().unwrap(), &counted);
            most = most.max(counted.checks);
            cases += 1;
        }
    }
    assert!(cases > 200, "only {cases} cases");
    println!("{cases} verification cases: at most {most} signature checks in one");
}

#[test]
fn every_single_byte_change_of_a_delegated_response_stays_bounded() {
    let response = read("generated/responses/good-p256-delegated.der");
    let cert = read("generated/pki/p256-ee.der");
    let issuer = read("generated/pki/p256-ca.der");
    let now = 1_767_229_200;
    let mut copy = response.clone();
    let mut changes = 0;
    for at in 0..response.len() {
        for value in [0x00, 0xFF, response[at] ^ 0x01, response[at] ^ 0x80] {
            if value == response[at] {
                continue;
            }
            copy[at] = value;
            let counted = count(&copy, &cert, &issuer, &[], None, now, false, 1 << 16);
            assert_bounded(
                &format!("good-p256-delegated with byte {at} = {value:#04x}"),
                &counted,
            );
            changes += 1;
        }
        copy[at] = response[at];
    }
    println!("{changes} changed responses stayed within the bound");
}

/// The worst case, built on purpose: eight embedded certificates that the responderID names,
/// the first seven with a broken signature (so each costs a check and is passed over), the
/// last one genuine: 7 + 1 checks for the certificates and 1 for the response, 9 = 8 + 1,
/// and the response is accepted. A ninth certificate is refused before any check.
#[test]
fn the_bound_is_reached_and_not_exceeded() {
    let ee_der = read("generated/pki/p256-ee.der");
    let ca_der = read("generated/pki/p256-ca.der");
    let responder_der = read("generated/pki/p256-responder.der");
    let ee = Certificate::from_der(&ee_der).unwrap();
    let ca = Certificate::from_der(&ca_der).unwrap();
    let responder = Certificate::from_der(&responder_der).unwrap();
    // The last byte is inside the certificate's ECDSA signature (an INTEGER's last octet):
    // flipping a bit there keeps the DER valid and breaks the signature.
    let mut broken = responder_der.clone();
    *broken.last_mut().unwrap() ^= 0x01;
    assert!(Certificate::from_der(&broken).is_ok());
    let data = ResponseData {
        responder: Responder::by_name(&responder),
        produced_at: 1_767_225_600,
        singles: vec![
            Single {
                cert_id: cert_id(&ee, &ca, ee.serial()),
                status: Status::Good,
                this_update: 1_767_225_600,
                next_update: Some(1_767_225_600 + 7 * 86_400),
                extensions: None,
            }
            .encode(),
        ],
        extensions: None,
    };
    let key = P256Key::load("p256-responder");
    let mut certs: Vec<&[u8]> = vec![&broken; MAX_CERTIFICATES - 1];
    certs.push(&responder_der);
    let response = key.respond(&data, &certs);
    let now = 1_767_229_200;
    let counted = count(&response, &ee_der, &ca_der, &[], None, now, false, 1 << 16);
    assert_eq!(counted.result, Ok(ResponderAuthorization::Delegated));
    assert_eq!(
        (counted.checks, counted.certs),
        (MAX_CERTIFICATES + 1, MAX_CERTIFICATES)
    );

    // All eight broken: eight checks, and the first failure is reported.
    let all_broken = key.respond(&data, &[broken.as_slice(); MAX_CERTIFICATES]);
    let counted = count(
        &all_broken,
        &ee_der,
        &ca_der,
        &[],
        None,
        now,
        false,
        1 << 16,
    );
    assert_eq!(counted.result, Err(Error::InvalidResponderCertSignature));
    assert_eq!(counted.checks, MAX_CERTIFICATES);

    // Nine: refused as the response is parsed, before any signature is looked at.
    let mut nine = certs.clone();
    nine.push(&responder_der);
    let too_many = key.respond(&data, &nine);
    let counted = count(&too_many, &ee_der, &ca_der, &[], None, now, false, 1 << 16);
    assert_eq!(counted.result, Err(Error::TooManyCertificates));
    assert_eq!(counted.checks, 0);
}
