//! ring's algorithms, taken from rustls-webpki's statics as a rustls `CryptoProvider` would
//! hand them over, work in the same slot as the crate's RustCrypto ones and reach the same
//! verdicts.

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

use common::ring::RING;
use common::{json, read, time, variant};
use ocsp_verify::{
    CertStatus, Certificate, Error, Issuer, SignatureVerificationAlgorithm, Verifier, rustcrypto,
};

fn verify_case(
    name: &str,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<CertStatus, Error> {
    let manifest = json("generated/manifest.json");
    let entry = manifest
        .as_array()
        .and_then(|all| all.iter().find(|e| e["name"] == name))
        .unwrap_or_else(|| panic!("no vector {name}"));
    let file = |key: &str| read(format!("generated/{}", entry[key].as_str().unwrap()));
    let (response, cert, issuer) = (file("response"), file("cert"), file("issuer"));
    let cert = Certificate::from_der(&cert).unwrap();
    let issuer = Certificate::from_der(&issuer).unwrap();
    let now = time(entry["now"].as_str().unwrap());
    Verifier::new(algorithms)
        .verify(&response, &cert, &Issuer::from(&issuer), None, now)
        .map(|verified| verified.answer().status())
}

#[test]
fn ring_and_rustcrypto_agree_on_good_responses() {
    for name in [
        "good-rsa-ca",
        "good-rsa-ca-pss",
        "good-p256-ca",
        "good-p384-ca",
        "good-rsa-delegated",
        "good-p256-delegated",
        "good-rsa-ca-bykey",
    ] {
        assert_eq!(
            verify_case(name, RING),
            Ok(CertStatus::Good),
            "{name} with ring"
        );
        assert_eq!(
            verify_case(name, rustcrypto::ALL),
            Ok(CertStatus::Good),
            "{name} with RustCrypto"
        );
    }
}

#[test]
fn ring_refuses_what_rustcrypto_refuses() {
    for (name, error) in [
        ("r10-signature-bit-flipped", Error::InvalidSignature),
        ("r10-ecdsa-signature-bit-flipped", Error::InvalidSignature),
        ("r10-tbs-changed-after-signing", Error::InvalidSignature),
        (
            "r10-sha1-signature-default",
            Error::UnsupportedSignatureAlgorithm,
        ),
        ("r10-rsa-1024", Error::RsaKeyTooSmall),
        ("r09-responder-evil", Error::InvalidResponderCertSignature),
    ] {
        assert_eq!(verify_case(name, RING), Err(error), "{name} with ring");
        assert_eq!(
            verify_case(name, rustcrypto::ALL),
            Err(error),
            "{name} with RustCrypto"
        );
    }
}

#[test]
fn an_empty_algorithm_list_refuses_everything() {
    let got = verify_case("good-p256-ca", &[]);
    assert_eq!(
        got.map_err(|e| variant(&e)),
        Err("UnsupportedSignatureAlgorithm".to_string())
    );
}
