//! The heap, counted: parsing allocates nothing, and neither does parse + verify with ECDSA;
//! RSA verification (the `rsa` crate's big integers) allocates a bounded number of times per
//! signature check, whatever the response's size.
//!
//! A test binary of its own, with a counting global allocator (`stats_alloc`: the crate forbids
//! unsafe code, tests included, and a `GlobalAlloc` impl needs it). The counter is global, so
//! this file holds a single `#[test]` and prints nothing while it counts: nothing else in the
//! process allocates meanwhile.

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

use std::alloc::System;

use common::{json, read, time};
use ocsp_verify::views::{BasicResponse, OcspResponse};
use ocsp_verify::{
    CertStatus, Certificate, Issuer, SignatureVerificationAlgorithm, Verifier, rustcrypto,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap operations (allocations and reallocations) made while `work` runs.
fn heap_operations<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let region = Region::new(GLOBAL);
    let out = work();
    let change = region.change();
    (out, change.allocations + change.reallocations)
}

/// Reads every field of a parsed response, every list and every embedded certificate.
fn walk(basic: &BasicResponse<'_>) -> usize {
    let data = basic.response_data();
    let mut seen = data.der().len() + usize::from(data.nonce().is_ok());
    for single in data.responses() {
        let single = single.unwrap();
        seen += single.cert_id().serial().len() + single.extensions().count();
        seen += usize::from(matches!(single.status(), CertStatus::Good));
    }
    seen += data.extensions().count();
    for cert in basic.certs() {
        let cert = cert.unwrap();
        seen += cert.subject().len() + cert.extensions().count() + cert.ocsp_urls().count();
        seen += usize::from(cert.has_ocsp_signing() || cert.is_ca());
    }
    seen
}

/// One verification case of the generated manifest, with its files read in advance.
struct Case {
    name: String,
    response: Vec<u8>,
    cert: Vec<u8>,
    issuer: Vec<u8>,
    now: String,
    max_len: usize,
    good: bool,
}

fn generated_cases() -> Vec<Case> {
    let manifest = json("generated/manifest.json");
    manifest
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["trusted_responders"].as_array().unwrap().is_empty())
        .filter(|entry| entry["nonce"].is_null())
        // The cases verified with the default time settings (what `verify_counting` uses).
        .filter(|entry| {
            let options = &entry["options"];
            options["skew"] == 300
                && options["max_age"] == 604_800
                && options["max_age_without_next_update"] == 86_400
                && options["max_lifetime"] == 864_000
        })
        .map(|entry| {
            let file = |key: &str| read(format!("generated/{}", entry[key].as_str().unwrap()));
            Case {
                name: entry["name"].as_str().unwrap().to_string(),
                response: file("response"),
                cert: file("cert"),
                issuer: file("issuer"),
                now: entry["now"].as_str().unwrap().to_string(),
                max_len: usize::try_from(entry["options"]["max_response_size"].as_u64().unwrap())
                    .unwrap(),
                good: entry["expect"]["status"].as_str() == Some("good"),
            }
        })
        .collect()
}

/// Verifies `case` with `algorithms`; returns whether it was accepted and the heap operations.
fn verify_counting(
    case: &Case,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> (bool, usize) {
    let now = time(&case.now);
    heap_operations(|| {
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        Verifier::new(algorithms)
            .with_max_response_len(case.max_len)
            .verify(&case.response, &cert, &Issuer::from(&issuer), None, now)
            .is_ok()
    })
}

#[test]
fn heap_use_of_parsing_and_verification() {
    let mut report = Vec::new();

    // 1. Parsing every response vector, real-world and generated, and reading all of it,
    //    embedded certificates included: no heap at all.
    let mut responses: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in json("real-world/manifest.json").as_array().unwrap() {
        let file = format!("real-world/{}", entry["file"].as_str().unwrap());
        responses.push((file.clone(), read(&file)));
    }
    for case in generated_cases() {
        responses.push((case.name, case.response));
    }
    let mut parsed = 0;
    for (name, der) in &responses {
        let (seen, operations) = heap_operations(|| {
            OcspResponse::from_der_with_max_len(der, 1 << 20)
                .ok()
                .and_then(|r| r.into_basic().ok())
                .map(|basic| walk(&basic))
        });
        assert_eq!(operations, 0, "parsing {name} used the heap");
        parsed += usize::from(seen.is_some());
    }
    assert!(parsed > 150, "only {parsed} responses parsed");
    report.push(format!(
        "parse: {parsed} responses parsed and walked ({} files tried), 0 heap operations",
        responses.len()
    ));

    // 2. Parse + verify with ECDSA: every generated case signed with ECDSA (P-256 and P-384;
    //    issuer-signed, delegated, CA certificate embedded, the real openssl responder's, the
    //    TLS chain's; accepted and refused alike): no heap at all.
    let cases = generated_cases();
    let ecdsa: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            let issuer = Certificate::from_der(&c.issuer).unwrap();
            issuer
                .subject_public_key_info()
                .algorithm()
                .starts_with(&[0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01])
        })
        .collect();
    let mut accepted = 0;
    for case in &ecdsa {
        let (ok, operations) = verify_counting(case, rustcrypto::ECDSA);
        assert_eq!(
            operations, 0,
            "verifying {} with ECDSA used the heap",
            case.name
        );
        accepted += usize::from(ok);
    }
    assert!(accepted >= 8, "only {accepted} ECDSA cases verified");
    let p256 = ecdsa.iter().find(|c| c.name == "good-p256-ca").unwrap();
    assert!(p256.good && verify_counting(p256, rustcrypto::ECDSA).0);
    report.push(format!(
        "ECDSA parse + verify: {} cases ({accepted} accepted), 0 heap operations",
        ecdsa.len()
    ));

    // 3. RSA: the rsa crate works on heap-allocated big integers, so each RSA signature check
    //    allocates, a fixed number of times for a given key size: the count must not grow with
    //    the response (100 SingleResponses cost what one does), and a delegated response (two
    //    checks: the responder certificate, then the response) costs at most twice as much.
    let by_name = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    let count = |name: &str| {
        let (ok, operations) = verify_counting(by_name(name), rustcrypto::ALL);
        assert!(ok, "{name} does not verify");
        operations
    };
    let one_check = count("good-rsa-ca");
    let pss = count("good-rsa-ca-pss");
    let hundred_singles = count("bench-singles-100");
    let eight_certs = count("bench-certs-8");
    let two_checks = count("good-rsa-delegated");
    report.push(format!(
        "RSA parse + verify: PKCS#1 v1.5 {one_check}, PSS {pss}, 100 SingleResponses \
         {hundred_singles}, 8 embedded certificates {eight_certs} (one check each); delegated \
         (two checks) {two_checks} heap operations"
    ));
    assert!(
        one_check > 0,
        "the rsa crate allocates: a zero means the counter is broken"
    );
    assert_eq!(
        hundred_singles, one_check,
        "RSA heap use grows with the SingleResponses"
    );
    assert_eq!(
        eight_certs, one_check,
        "RSA heap use grows with unused certificates"
    );
    assert!(
        two_checks <= 2 * one_check,
        "{two_checks} > 2 x {one_check}"
    );
    // An absolute bound, so that a change in the rsa crate that multiplies its allocations is
    // noticed: with rsa 0.10.0, an RSA-2048 check made 48 heap operations (PKCS#1 v1.5) or 44
    // (PSS) when this was written: the key, the signature and the intermediate big integers.
    // 64 leaves room for version drift, not for a cost per byte or per entry (checked exactly
    // above).
    assert!(
        one_check <= 64 && pss <= 64,
        "{one_check} / {pss} heap operations per RSA check"
    );

    for line in report {
        println!("{line}");
    }
}
