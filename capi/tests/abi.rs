//! The exported functions called from Rust, against the Rust library they wrap: the same
//! bytes for a request and its URL, the same answer for a response.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::as_conversions
)]

use std::ffi::CStr;
use std::path::Path;
use std::ptr;

use ocsp_verify::requests::{RequestBuilder, write_get_url};
use ocsp_verify::{CertStatus, Certificate, HashAlgorithm, Issuer, UnixTime, Verifier, rustcrypto};
use ocsp_verify_c::{
    OCSP_POLICY_HARD_FAIL, OcspAnswer, OcspCertStatus, OcspDecision, OcspHashAlgorithm, OcspIssuer,
    OcspResult, OcspSituation, OcspVerdict, ocsp_decide, ocsp_request_encode, ocsp_request_get_url,
    ocsp_verify, ocsp_verify_version,
};

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../test-vectors")
            .join(relative),
    )
    .unwrap()
}

fn issuer_of(der: &[u8]) -> OcspIssuer {
    OcspIssuer {
        certificate: der.as_ptr(),
        certificate_len: der.len(),
        subject: ptr::null(),
        subject_len: 0,
        subject_public_key_info: ptr::null(),
        subject_public_key_info_len: 0,
    }
}

const NOW: u64 = 1_767_229_200;

#[test]
fn a_request_and_its_url_are_the_rust_library_s_bytes() {
    let cert = read("generated/pki/rsa-ee.der");
    let ca = read("generated/pki/rsa-ca.der");
    let nonce = [7u8; 32];
    let mut out = [0u8; 512];
    let mut written = 0usize;
    // SAFETY: every pointer points to its length of bytes; `out` is writable.
    let result = unsafe {
        ocsp_request_encode(
            cert.as_ptr(),
            cert.len(),
            &issuer_of(&ca),
            OcspHashAlgorithm::Sha256 as u32,
            nonce.as_ptr(),
            nonce.len(),
            out.as_mut_ptr(),
            out.len(),
            &mut written,
        )
    };
    assert_eq!(result, OcspResult::Ok);

    let (cert_view, ca_view) = (
        Certificate::from_der(&cert).unwrap(),
        Certificate::from_der(&ca).unwrap(),
    );
    let issuer = Issuer::from(&ca_view);
    let mut expected = [0u8; 512];
    let len = RequestBuilder::new(&cert_view, &issuer)
        .with_hash_algorithm(HashAlgorithm::Sha256)
        .encode(Some(&nonce), &mut expected)
        .unwrap();
    assert_eq!(&out[..written], &expected[..len]);

    let url = "http://ocsp.example/path";
    let mut text = [0u8; 512];
    let mut url_len = 0usize;
    // SAFETY: as above.
    let result = unsafe {
        ocsp_request_get_url(
            url.as_ptr().cast(),
            url.len(),
            out.as_ptr(),
            written,
            text.as_mut_ptr().cast(),
            text.len(),
            &mut url_len,
        )
    };
    assert_eq!(result, OcspResult::Ok);
    let mut expected_url = [0u8; 512];
    let expected_len = write_get_url(url, &expected[..len], &mut expected_url).unwrap();
    assert_eq!(&text[..url_len], &expected_url[..expected_len]);
    assert_eq!(text[url_len], 0, "NUL-terminated");
}

#[test]
fn an_answer_is_the_rust_verifier_s() {
    let response = read("generated/responses/revoked-key-compromise.der");
    let cert = read("generated/pki/rsa-ee.der");
    let ca = read("generated/pki/rsa-ca.der");
    let mut answer = filled_answer();
    // SAFETY: every pointer points to its length of bytes; `answer` is writable.
    let result = unsafe {
        ocsp_verify(
            response.as_ptr(),
            response.len(),
            cert.as_ptr(),
            cert.len(),
            &issuer_of(&ca),
            ptr::null(),
            0,
            NOW,
            ptr::null(),
            &mut answer,
        )
    };
    let cert_view = Certificate::from_der(&cert).unwrap();
    let ca_view = Certificate::from_der(&ca).unwrap();
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));
    let verified = Verifier::new(rustcrypto::ALL)
        .verify(&response, &cert_view, &Issuer::from(&ca_view), None, now)
        .unwrap()
        .answer();
    let CertStatus::Revoked { time, reason } = verified.status() else {
        panic!("the vector is a revocation");
    };
    assert_eq!(result, OcspResult::Ok);
    assert_eq!(answer.status, OcspCertStatus::Revoked);
    assert_eq!(answer.revocation_time, time.as_secs());
    assert_eq!(
        answer.revocation_reason as i32,
        i32::from(reason.unwrap().code())
    );
    assert_eq!(answer.this_update, verified.this_update().as_secs());
    assert_eq!(answer.produced_at, verified.produced_at().as_secs());
    assert_eq!(
        Some(answer.next_update),
        verified.next_update().map(|t| t.as_secs())
    );

    // Hard-fail on it: rejected, revoked.
    let mut decision = filled_decision();
    // SAFETY: as above.
    let result = unsafe {
        ocsp_decide(
            OCSP_POLICY_HARD_FAIL,
            response.as_ptr(),
            response.len(),
            cert.as_ptr(),
            cert.len(),
            &issuer_of(&ca),
            NOW,
            ptr::null(),
            &mut decision,
        )
    };
    assert_eq!(result, OcspResult::Ok);
    assert_eq!(decision.verdict, OcspVerdict::Reject);
    assert_eq!(decision.situation, OcspSituation::Revoked);
    assert_eq!(decision.answer, answer);
}

/// An answer with every field set to something the call must overwrite.
fn filled_answer() -> OcspAnswer {
    OcspAnswer {
        status: OcspCertStatus::Unknown,
        revocation_reason: ocsp_verify_c::OcspRevocationReason::AaCompromise,
        revocation_time: 1,
        this_update: 1,
        next_update: 1,
        produced_at: 1,
        responder: ocsp_verify_c::OcspResponder::Trusted,
        has_next_update: false,
        error_limit: 1,
    }
}

/// A decision with every field set to something the call must overwrite.
fn filled_decision() -> OcspDecision {
    OcspDecision {
        verdict: OcspVerdict::Accept,
        situation: OcspSituation::Good,
        staple_result: OcspResult::Unrecognized,
        tls_features: ocsp_verify_c::OcspTlsFeatures::Unsupported,
        rejected_for_tls_features: true,
        answer: filled_answer(),
    }
}

#[test]
fn the_version_is_the_crate_s() {
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(ocsp_verify_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
