//! Verification runs in a small stack: no large arrays on the stack and no recursion on input.
//! A thread with a fixed stack overflows (and aborts the test binary) if that ever changes.

#![cfg(feature = "ecdsa")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime, Verifier, rustcrypto};

/// 16 KiB (the smallest thread stack glibc gives) in optimised builds; unoptimised frames are
/// several times larger, so debug builds get 64 KiB.
const STACK: usize = if cfg!(debug_assertions) {
    64 * 1024
} else {
    16 * 1024
};

fn verify_in_small_stack(
    response: &'static [u8],
    cert: &'static [u8],
    issuer: &'static [u8],
) -> CertStatus {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let cert = Certificate::from_der(cert).unwrap();
            let issuer = Certificate::from_der(issuer).unwrap();
            let now = UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200));
            Verifier::new(rustcrypto::ECDSA)
                .verify(response, &cert, &Issuer::from(&issuer), None, now)
                .unwrap()
                .answer()
                .status()
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn p256_verification_fits_a_small_stack() {
    let status = verify_in_small_stack(
        include_bytes!("../test-vectors/generated/responses/good-p256-delegated.der"),
        include_bytes!("../test-vectors/generated/pki/p256-ee.der"),
        include_bytes!("../test-vectors/generated/pki/p256-ca.der"),
    );
    assert_eq!(status, CertStatus::Good);
}

#[test]
fn a_thousand_single_responses_need_no_more_stack() {
    // Parsing walks lists iteratively; the response's size does not deepen the stack.
    let response: &'static [u8] =
        include_bytes!("../test-vectors/generated/responses/bench-singles-1000.der");
    let outcome = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            ocsp_verify::views::OcspResponse::from_der_with_max_len(response, 131_072)
                .unwrap()
                .into_basic()
                .unwrap()
                .response_data()
                .response_count()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome, 1000);
}
