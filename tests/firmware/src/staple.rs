//! Everything that touches `ocsp-verify`: the verification and the refused cases. The rest of the firmware only sees plain values (`bool`, `&str`), so
//! that `baseline.rs`, which has the same functions without the library, links the same
//! harness: the size difference between the two images is the library's part.

use core::hint::black_box;
use core::time::Duration;

use ocsp_verify::pki_types::Der;
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{
    Answer, CertStatus, Certificate, Error, Issuer, SignatureVerificationAlgorithm, TrustAnchor,
    UnixTime, Verifier,
};

use crate::{CERT, ISSUER_NAME, ISSUER_SPKI, NOW, STAPLE, Verdict};

/// The staple's nextUpdate, 2026-01-08T00:00:00Z.
const NEXT_UPDATE: u64 = 1_767_830_400;
/// The verifier's default clock skew (`Verifier::DEFAULT_CLOCK_SKEW`), 5 minutes.
const SKEW: u64 = Verifier::DEFAULT_CLOCK_SKEW.as_secs();

/// The CA the device trusts, as a name and a key: what the firmware stores instead of the CA's
/// whole certificate, in the form `webpki-roots` stores its roots.
static ANCHOR: TrustAnchor<'static> = TrustAnchor {
    subject: Der::from_slice(ISSUER_NAME),
    subject_public_key_info: Der::from_slice(ISSUER_SPKI),
    name_constraints: None,
};

/// The one signature algorithm this device accepts: its PKI signs with ECDSA P-256 / SHA-256.
/// From the Cortex-M4 backend with the `cm4` feature, else the portable RustCrypto one.
#[cfg(feature = "cm4")]
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[ocsp_verify::cm4::ECDSA_P256_SHA256];
#[cfg(not(feature = "cm4"))]
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] =
    &[ocsp_verify::rustcrypto::ECDSA_P256_SHA256];

/// Verifies `staple` for the device's certificate against its trust anchor at `now_secs`
/// (seconds since the Unix epoch, from the device's trustworthy clock): the lines firmware
/// writes.
#[inline(never)]
pub fn verify_staple(staple: &[u8], now_secs: u64) -> Result<Answer, Error> {
    let cert = Certificate::from_der(CERT)?;
    let issuer = Issuer::from_trust_anchor(&ANCHOR)?;
    let now = UnixTime::since_unix_epoch(Duration::from_secs(now_secs));
    // A staple carries no nonce: `None`.
    let verified = Verifier::new(ALGORITHMS).verify(staple, &cert, &issuer, None, now)?;
    Ok(verified.answer())
}

/// The measured workload: one verification of the good staple at the fixed clock.
#[inline(never)]
pub fn verify_once() -> bool {
    matches!(
        verify_staple(black_box(&STAPLE), black_box(NOW)).map(|answer| answer.status()),
        Ok(CertStatus::Good)
    )
}

/// The verdicts of the four cases, each compared with the exact expected outcome.
pub fn verdicts() -> [Verdict; 4] {
    // 1. The staple at the fixed clock: good, with the nextUpdate it carries.
    let result = verify_staple(black_box(&STAPLE), black_box(NOW));
    let good = Verdict {
        name: "good-staple",
        got: outcome(&result),
        expected: "good",
        ok: matches!(&result, Ok(answer) if answer.status() == CertStatus::Good
            && answer.next_update().map(|t| t.as_secs()) == Some(NEXT_UPDATE)),
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
        ok: matches!(&result, Ok(answer) if answer.status() == CertStatus::Good),
    };

    // 4. ... and one second later it has expired: the error says when (nextUpdate) and at
    //    what time it was checked.
    let late = NEXT_UPDATE + SKEW + 1;
    let result = verify_staple(black_box(&STAPLE), black_box(late));
    let expired = Verdict {
        name: "expired-clock",
        got: outcome(&result),
        expected: "response_expired",
        ok: result
            == Err(Error::ResponseExpired {
                time: at(late),
                not_after: at(NEXT_UPDATE),
            }),
    };

    [good, tampered, edge, expired]
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// `good`, `revoked` or `unknown` for a verified answer, or the error's stable code.
fn outcome(result: &Result<Answer, Error>) -> &'static str {
    match result {
        Ok(answer) => match answer.status() {
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
