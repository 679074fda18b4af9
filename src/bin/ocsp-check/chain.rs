//! The certificate and its issuer, from `--cert` and `--issuer`: a single certificate each, a
//! fullchain bundle (`--cert fullchain.pem`, the issuer next), or an issuer bundle searched for
//! the certificate's real issuer. A bundle in the wrong order is an error, not a silent
//! mix-up.

use std::path::Path;

use ocsp_verify::{Certificate, rustcrypto};

use crate::describe::name;
use crate::input::{self, InputError, error};

/// The certificate asked about and its issuer, DER, both checked to parse.
pub(crate) struct Pair {
    pub(crate) cert: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
}

/// Reads `--cert` and `--issuer` (see the module docs).
pub(crate) fn cert_and_issuer(
    cert_path: &Path,
    issuer_path: Option<&Path>,
) -> Result<Pair, InputError> {
    let mut bundle = input::certificates(cert_path)?;
    check_order(cert_path, &bundle)?;
    let cert_der = bundle.remove(0);
    let Ok(cert) = Certificate::from_der(&cert_der) else {
        return Err(error(cert_path, "not a usable certificate"));
    };
    let issuer = match issuer_path {
        Some(path) => pick_issuer(&cert, input::certificates(path)?),
        None => {
            let Some(next) = bundle.into_iter().next() else {
                return Err(error(
                    cert_path,
                    "holds one certificate and --issuer is not given: give the issuer with \
                     --issuer, or a bundle with the issuer after the certificate (fullchain.pem)",
                ));
            };
            // check_order made sure the second certificate is the first's issuer by name.
            next
        }
    };
    Ok(Pair {
        cert: cert_der,
        issuer,
    })
}

/// A bundle lists the certificate first, then its issuer: the second certificate's subject is
/// the first's issuer. The other way round (`ca+ee.pem`) is reported as such.
fn check_order(path: &Path, bundle: &[Vec<u8>]) -> Result<(), InputError> {
    let [first, second, ..] = bundle else {
        return Ok(());
    };
    let (Ok(first), Ok(second)) = (Certificate::from_der(first), Certificate::from_der(second))
    else {
        return Ok(());
    };
    if first.issuer() == second.subject() {
        return Ok(());
    }
    if second.issuer() == first.subject() {
        return Err(error(
            path,
            format!(
                "the bundle is in the wrong order: certificate 1 ({}) issued certificate 2 ({}); \
                 list the certificate first, then its issuer, as in fullchain.pem",
                name(first.subject()),
                name(second.subject())
            ),
        ));
    }
    Err(error(
        path,
        format!(
            "certificate 2 of the bundle ({}) is not the issuer of certificate 1 (issued by {}): \
             a bundle lists the certificate first, then its issuer",
            name(second.subject()),
            name(first.issuer())
        ),
    ))
}

/// The certificate of `candidates` that issued `cert`: its subject is the certificate's issuer
/// name and, among several such (a re-keyed or cross-signed CA), its key verifies the
/// certificate's signature. When none has the name, the first: the verifier then says why it
/// does not match.
fn pick_issuer(cert: &Certificate<'_>, mut candidates: Vec<Vec<u8>>) -> Vec<u8> {
    let named: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, der)| {
            Certificate::from_der(der).is_ok_and(|issuer| issuer.subject() == cert.issuer())
        })
        .map(|(index, _)| index)
        .collect();
    let signed = named.iter().copied().find(|&index| {
        candidates
            .get(index)
            .and_then(|der| Certificate::from_der(der).ok())
            .is_some_and(|issuer| signed_by(cert, &issuer))
    });
    let index = signed.or(named.first().copied()).unwrap_or(0);
    candidates.swap_remove(index)
}

/// Whether `issuer`'s key verifies `cert`'s signature, under any algorithm this build knows.
pub(crate) fn signed_by(cert: &Certificate<'_>, issuer: &Certificate<'_>) -> bool {
    signature_verifies(cert, issuer) == Some(true)
}

/// `Some(true)` or `Some(false)`, or `None` when no supported algorithm matches the signature
/// and the key.
pub(crate) fn signature_verifies(cert: &Certificate<'_>, issuer: &Certificate<'_>) -> Option<bool> {
    let spki = issuer.subject_public_key_info();
    let signed = cert.signed_data();
    let algorithm = rustcrypto::ALL_WITH_LEGACY_SHA1.iter().find(|alg| {
        alg.signature_alg_id().as_ref() == signed.algorithm()
            && alg.public_key_alg_id().as_ref() == spki.algorithm()
    })?;
    Some(
        algorithm
            .verify_signature(spki.public_key(), signed.data(), signed.signature())
            .is_ok(),
    )
}
