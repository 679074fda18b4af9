//! Parse and verify costs, each against its peer measured in the same run:
//!
//! - parse: ours against x509-ocsp's owned decode of the same bytes;
//! - verify: with the RustCrypto algorithms and with ring's (through rustls-webpki), each
//!   against the floor with the same backend: the bare signature check(s) plus the SHA-1 of
//!   the issuer name and key, nothing else;
//! - growth: verify for 1, 10, 100 and 1,000 SingleResponses (the asked one last) and for 1
//!   and 8 embedded certificates.
//!
//! `benches/README.md` holds the results as ratios.

// criterion_group! makes an undocumented public function.
#![allow(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ocsp_verify::{
    Certificate, OcspResponse, SignatureVerificationAlgorithm, UnixTime, Verifier, rustcrypto,
};
use sha1::{Digest, Sha1};

/// What rustls' ring provider lists in `signature_verification_algorithms.all`.
static RING: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// One vector of `test-vectors/generated/manifest.json`.
struct Case {
    name: &'static str,
    response: Vec<u8>,
    cert: Vec<u8>,
    issuer: Vec<u8>,
    now: UnixTime,
}

fn case(name: &'static str) -> Case {
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

/// The cases of the issue: CA-signed RSA-2048 with the CA embedded, CA-signed P-256 (CA
/// embedded), delegated RSA-2048 (two signatures).
const MAIN_CASES: [&str; 3] = [
    "good-rsa-ca",
    "bench-p256-ca-embedded",
    "bench-rsa-delegated",
];

fn parse(c: &mut Criterion) {
    for name in MAIN_CASES {
        let case = case(name);
        let mut group = c.benchmark_group(format!("parse/{}", case.name));
        group.bench_function("ocsp-verify", |b| {
            b.iter(|| {
                let response = OcspResponse::from_der(black_box(&case.response)).unwrap();
                black_box(response.into_basic().unwrap());
            })
        });
        group.bench_function("x509-ocsp", |b| {
            use der07::Decode;
            b.iter(|| {
                let response =
                    x509_ocsp::OcspResponse::from_der(black_box(&case.response)).unwrap();
                let bytes = response.response_bytes.unwrap();
                black_box(
                    x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap(),
                );
            })
        });
        group.finish();
    }
}

/// One signature check: the algorithm, the key, the message and the signature.
type Check<'a> = (
    &'a dyn SignatureVerificationAlgorithm,
    &'a [u8],
    &'a [u8],
    &'a [u8],
);

/// The floor: the signature checks the verification needs, made directly with the same
/// algorithm objects on bytes prepared outside the loop, plus the SHA-1 of the issuer's name
/// and key that CertID matching needs.
struct Floor<'a> {
    checks: Vec<Check<'a>>,
    issuer_name: &'a [u8],
    issuer_key: &'a [u8],
}

impl<'a> Floor<'a> {
    fn new(
        case: &'a Case,
        algorithms: &'a [&'a dyn SignatureVerificationAlgorithm],
        response: &'a ocsp_verify::BasicResponse<'a>,
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

    fn run(&self) {
        black_box(Sha1::digest(black_box(self.issuer_name)));
        black_box(Sha1::digest(black_box(self.issuer_key)));
        for (alg, key, message, signature) in &self.checks {
            alg.verify_signature(black_box(key), black_box(message), black_box(signature))
                .unwrap();
        }
    }
}

fn verify(c: &mut Criterion) {
    for name in MAIN_CASES {
        let case = Box::leak(Box::new(case(name)));
        let response = Box::leak(Box::new(
            OcspResponse::from_der(&case.response)
                .unwrap()
                .into_basic()
                .unwrap(),
        ));
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        for (backend, algorithms) in [("rustcrypto", rustcrypto::ALL), ("ring", RING)] {
            let mut group = c.benchmark_group(format!("verify/{}/{backend}", case.name));
            let verifier = Verifier::new(algorithms);
            group.bench_function("ocsp-verify", |b| {
                b.iter(|| {
                    black_box(
                        verifier
                            .verify(black_box(&case.response), &cert, &issuer, case.now)
                            .unwrap(),
                    )
                })
            });
            let floor = Floor::new(case, algorithms, response);
            group.bench_function("floor", |b| b.iter(|| floor.run()));
            group.finish();
        }
    }
}

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth/single-responses");
    for n in [1, 10, 100, 1000] {
        let case = case(match n {
            1 => "bench-singles-1",
            10 => "bench-singles-10",
            100 => "bench-singles-100",
            _ => "bench-singles-1000",
        });
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        let verifier = Verifier::new(rustcrypto::ALL).with_max_response_len(131_072);
        group.bench_with_input(BenchmarkId::new("verify", n), &case, |b, case| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(black_box(&case.response), &cert, &issuer, case.now)
                        .unwrap(),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("parse", n), &case, |b, case| {
            b.iter(|| {
                let response =
                    OcspResponse::from_der_with_max_len(black_box(&case.response), 131_072)
                        .unwrap();
                black_box(response.into_basic().unwrap())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("growth/embedded-certificates");
    for (n, name) in [(1, "good-rsa-ca"), (8, "bench-certs-8")] {
        let case = case(name);
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        let verifier = Verifier::new(rustcrypto::ALL);
        group.bench_with_input(BenchmarkId::new("verify", n), &case, |b, case| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(black_box(&case.response), &cert, &issuer, case.now)
                        .unwrap(),
                )
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = parse, verify, growth
}
criterion_main!(benches);
