//! Everything that touches `ocsp-verify`: the verification, the refused cases and the trust
//! anchor's self-check. The rest of the firmware only sees plain values (`bool`, `&str`), so
//! that `baseline.rs`, which has the same functions without the library, links the same
//! harness: the size difference between the two images is the library's part.

use core::hint::black_box;
use core::time::Duration;

use ocsp_verify::{
    CertStatus, Certificate, Error, OcspResponse, SignatureVerificationAlgorithm, UnixTime,
    VerifiedResponse, Verifier, rustcrypto,
};

use crate::{CA_CERT, CERT, ISSUER_NAME, ISSUER_SPKI, NOW, STAPLE, Verdict};

/// The staple's nextUpdate, 2026-01-08T00:00:00Z.
const NEXT_UPDATE: u64 = 1_767_830_400;
/// The verifier's default clock skew (`ocsp_verify::DEFAULT_CLOCK_SKEW`), 5 minutes.
const SKEW: u64 = 300;

/// The one signature algorithm this device accepts: its PKI signs with ECDSA P-256 / SHA-256.
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[rustcrypto::ECDSA_P256_SHA256];

/// Verifies `staple` for the device's certificate against its trust anchor at `now_secs`
/// (seconds since the Unix epoch, from the device's trustworthy clock). This is the whole of
/// what a port changes when the issuer API changes.
#[inline(never)]
pub fn verify_staple(staple: &[u8], now_secs: u64) -> Result<VerifiedResponse<'_>, Error> {
    let cert = Certificate::from_der(CERT)?;
    // API: today the issuer is a whole certificate (CA_CERT). When `verify` takes a trust
    // anchor instead, this becomes
    //     let issuer = rustls_pki_types::TrustAnchor {
    //         subject: ISSUER_NAME.into(),
    //         subject_public_key_info: ISSUER_SPKI.into(),
    //         name_constraints: None,
    //     };
    // (with a `rustls-pki-types` dependency, unless ocsp-verify re-exports `TrustAnchor`),
    // and `verify(staple, &cert, &issuer, now)` stays as it is.
    let issuer = Certificate::from_der(CA_CERT)?;
    let now = UnixTime::since_unix_epoch(Duration::from_secs(now_secs));
    Verifier::new(ALGORITHMS).verify(staple, &cert, &issuer, now)
}

/// The measured workload: one verification of the good staple at the fixed clock.
#[inline(never)]
pub fn verify_once() -> bool {
    matches!(
        verify_staple(black_box(&STAPLE), black_box(NOW)).map(|v| v.status()),
        Ok(CertStatus::Good)
    )
}

/// Whether the embedded trust anchor is the CA certificate's subject and SPKI, as the library
/// reads them: each is the whole DER element there, so the anchor's value is its tail after a
/// short tag-and-length header.
// API: this check exists because today ISSUER_NAME/ISSUER_SPKI are not what verification uses.
// Once the issuer is given as a trust anchor built from them, the good-staple case proves them
// right, CA_CERT is no longer embedded, and this function (and its PASS on the "trust anchor:"
// line in main.rs) goes.
pub fn trust_anchor_matches() -> bool {
    let Ok(ca) = Certificate::from_der(CA_CERT) else {
        return false;
    };
    let is_value_of = |whole: &[u8], value: &[u8]| {
        whole.ends_with(value) && (2..=4).contains(&(whole.len() - value.len()))
    };
    is_value_of(ca.subject(), ISSUER_NAME)
        && is_value_of(ca.subject_public_key_info().der(), ISSUER_SPKI)
}

/// The verdicts of the four cases, each compared with the exact expected outcome.
pub fn verdicts() -> [Verdict; 4] {
    // 1. The staple at the fixed clock: good, with the nextUpdate it carries.
    let result = verify_staple(black_box(&STAPLE), black_box(NOW));
    let good = Verdict {
        name: "good-staple",
        got: outcome(&result),
        expected: "good",
        ok: matches!(&result, Ok(v) if v.status() == CertStatus::Good
            && v.next_update().map(|t| t.as_secs()) == Some(NEXT_UPDATE)),
    };

    // 2. One byte of the signature flipped: refused as an invalid signature (not as malformed
    //    DER, not as some other refusal).
    let mut tampered = STAPLE;
    let result = match signature_last_byte() {
        Some(at) => {
            if let Some(byte) = tampered.get_mut(at) {
                *byte ^= 0x01;
            }
            Some(verify_staple(black_box(&tampered), black_box(NOW)))
        }
        None => None,
    };
    let tampered = Verdict {
        name: "tampered-signature",
        got: result.as_ref().map_or("signature-not-found", outcome),
        expected: "invalid_signature",
        ok: matches!(result, Some(Err(Error::InvalidSignature))),
    };

    // 3. At exactly nextUpdate + skew the staple is still good (the bound is inclusive) ...
    let result = verify_staple(black_box(&STAPLE), black_box(NEXT_UPDATE + SKEW));
    let edge = Verdict {
        name: "skew-edge",
        got: outcome(&result),
        expected: "good",
        ok: matches!(&result, Ok(v) if v.status() == CertStatus::Good),
    };

    // 4. ... and one second later it has expired.
    let result = verify_staple(black_box(&STAPLE), black_box(NEXT_UPDATE + SKEW + 1));
    let expired = Verdict {
        name: "expired-clock",
        got: outcome(&result),
        expected: "response_expired",
        // API: `ResponseExpired` is a unit variant today and is getting the fields
        // `{ time, not_after }`. Rust accepts a braced pattern with `..` for a unit variant, so
        // this line compiles against both and need not change; once the fields exist, also
        // check them (`time` is NEXT_UPDATE + SKEW + 1; `not_after` NEXT_UPDATE or
        // NEXT_UPDATE + SKEW, whichever the library documents).
        #[allow(clippy::unneeded_struct_pattern)]
        ok: matches!(result, Err(Error::ResponseExpired { .. })),
    };

    [good, tampered, edge, expired]
}

/// `good`, `revoked` or `unknown` for a verified answer, or the error's stable code.
fn outcome(result: &Result<VerifiedResponse<'_>, Error>) -> &'static str {
    match result {
        Ok(verified) => match verified.status() {
            CertStatus::Good => "good",
            CertStatus::Revoked { .. } => "revoked",
            CertStatus::Unknown => "unknown",
        },
        Err(error) => error.code(),
    }
}

/// Where the last byte of the response's signature is in `STAPLE`, found with the library's
/// parser (the signature is a sub-slice of the input: views borrow it).
fn signature_last_byte() -> Option<usize> {
    let response = OcspResponse::from_der(&STAPLE).ok()?;
    let signature = response.basic().ok()?.signed_data().signature();
    let start = (signature.as_ptr() as usize).checked_sub(STAPLE.as_ptr() as usize)?;
    (start + signature.len()).checked_sub(1)
}
