//! What the benchmarks share: the vectors, ring's algorithm list, and the floor (the bare
//! signature checks a verification cannot avoid).

#![allow(dead_code)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use ocsp_verify::views::BasicResponse;
use ocsp_verify::{Certificate, SignatureVerificationAlgorithm, UnixTime};
use sha1::{Digest, Sha1};

#[path = "../../tests/common/ring.rs"]
mod ring;
pub use ring::RING;

/// One vector of `test-vectors/generated/manifest.json`.
pub struct Case {
    pub name: &'static str,
    pub response: Vec<u8>,
    pub cert: Vec<u8>,
    pub issuer: Vec<u8>,
    pub now: UnixTime,
}

pub fn case(name: &'static str) -> Case {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/generated");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap();
    let read = |key: &str| std::fs::read(dir.join(entry[key].as_str().unwrap())).unwrap();
    let now = entry["now"].as_str().unwrap();
    assert_eq!(
        now, "2026-01-01T01:00:00Z",
        "{name}: the benches assume the common time"
    );
    Case {
        name,
        response: read("response"),
        cert: read("cert"),
        issuer: read("issuer"),
        now: UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200)),
    }
}

/// One signature check: the algorithm, the key, the message and the signature.
pub type Check<'a> = (
    &'a dyn SignatureVerificationAlgorithm,
    &'a [u8],
    &'a [u8],
    &'a [u8],
);

/// The floor: the signature checks the verification needs, made directly with the same
/// algorithm objects on bytes prepared outside the loop, plus the SHA-1 of the issuer's name
/// and key that CertID matching needs.
pub struct Floor<'a> {
    checks: Vec<Check<'a>>,
    issuer_name: &'a [u8],
    issuer_key: &'a [u8],
}

impl<'a> Floor<'a> {
    pub fn new(
        case: &'a Case,
        algorithms: &'a [&'a dyn SignatureVerificationAlgorithm],
        response: &'a BasicResponse<'a>,
    ) -> Self {
        let issuer = Box::leak(Box::new(Certificate::from_der(&case.issuer).unwrap()));
        let pick = |alg_id: &[u8], key_alg: &[u8]| {
            *algorithms
                .iter()
                .find(|a| {
                    a.signature_alg_id().as_ref() == alg_id
                        && a.public_key_alg_id().as_ref() == key_alg
                })
                .unwrap()
        };
        let signed = response.signed_data();
        let mut checks = Vec::new();
        // The delegated responder, when there is one: its certificate's signature by the CA,
        // then the response's signature by its key.
        let delegated = response
            .certs()
            .map(Result::unwrap)
            .find(|c| c.issuer() == issuer.subject() && c.has_ocsp_signing());
        let signer_spki = match delegated {
            Some(responder) => {
                let responder = Box::leak(Box::new(responder));
                let cert_signed = responder.signed_data();
                let spki = issuer.subject_public_key_info();
                checks.push((
                    pick(cert_signed.algorithm(), spki.algorithm()),
                    spki.public_key(),
                    cert_signed.data(),
                    cert_signed.signature(),
                ));
                *responder.subject_public_key_info()
            }
            None => *issuer.subject_public_key_info(),
        };
        checks.push((
            pick(signed.algorithm(), signer_spki.algorithm()),
            signer_spki.public_key(),
            signed.data(),
            signed.signature(),
        ));
        Self {
            checks,
            issuer_name: issuer.subject(),
            issuer_key: issuer.subject_public_key_info().public_key(),
        }
    }

    pub fn run(&self) {
        black_box(Sha1::digest(black_box(self.issuer_name)));
        black_box(Sha1::digest(black_box(self.issuer_key)));
        for (alg, key, message, signature) in &self.checks {
            alg.verify_signature(black_box(key), black_box(message), black_box(signature))
                .unwrap();
        }
    }
}

/// The main cases (benches/README.md): CA-signed RSA-2048 with the CA embedded, CA-signed P-256 (CA
/// embedded), delegated RSA-2048 (two signatures).
pub const MAIN_CASES: [&str; 3] = [
    "good-rsa-ca",
    "bench-p256-ca-embedded",
    "bench-rsa-delegated",
];
