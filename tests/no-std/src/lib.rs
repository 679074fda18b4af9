//! A `#![no_std]` consumer of `ocsp-verify`, built for `thumbv7em-none-eabihf` by `.ci/run`.
//!
//! If the core (parsing, and verifying with the RustCrypto ECDSA algorithms) needed `std` or
//! `alloc`, this crate would not build for that target: it has neither.

#![no_std]
#![forbid(unsafe_code)]

use ocsp_verify::requests::RequestBuilder;
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime, Verifier, rustcrypto};

/// A response from Go's x/crypto/ocsp test suite, to parse on the device.
static RESPONSE: &[u8] =
    include_bytes!("../../../test-vectors/real-world/golang-x-crypto/ocspResponseHex.der");

/// Parses the embedded response and returns how many answers it carries.
pub fn parse_embedded() -> Result<usize, ocsp_verify::Error> {
    let response = OcspResponse::from_der(RESPONSE)?;
    Ok(response.basic()?.response_data().response_count())
}

/// What firmware checking a stapled response does: verify it for its own certificate, with
/// the one algorithm its PKI uses (ECDSA P-256 with SHA-256). Returns `true` only for a good,
/// fresh answer signed by an authorised responder.
pub fn staple_is_good(staple: &[u8], cert: &[u8], issuer: &[u8], now_secs: u64) -> bool {
    let (Ok(cert), Ok(issuer)) = (Certificate::from_der(cert), Certificate::from_der(issuer))
    else {
        return false;
    };
    let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(now_secs));
    matches!(
        Verifier::new(&[rustcrypto::ECDSA_P256_SHA256])
            .verify(staple, &cert, &Issuer::from(&issuer), None, now)
            .map(|verified| verified.answer().status()),
        Ok(CertStatus::Good)
    )
}

/// What firmware without a staple does: write the OCSP request for its certificate into a
/// stack buffer, with a nonce from its own random source. Returns the length written.
pub fn encode_request(
    cert: &[u8],
    issuer: &[u8],
    nonce: &[u8; 32],
    out: &mut [u8],
) -> Option<usize> {
    let cert = Certificate::from_der(cert).ok()?;
    let issuer = Issuer::from(&Certificate::from_der(issuer).ok()?);
    RequestBuilder::new(&cert, &issuer)
        .encode(Some(nonce), out)
        .ok()
}
