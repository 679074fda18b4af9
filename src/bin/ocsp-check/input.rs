//! Reading certificates and responses from files, in PEM or DER, with a cap on every read and
//! a hint when a file holds something other than what the option wants.
//!
//! Self-contained (the library and std only): the fuzz target `cli_input` compiles this file by
//! path.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use ocsp_verify::pki_types::CertificateDer;
use ocsp_verify::pki_types::pem::{self, PemObject as _};
use ocsp_verify::requests::OcspRequest;
use ocsp_verify::views::{MAX_RESPONSE_LEN, OcspResponse};
use ocsp_verify::{Certificate, Error};

/// The most a response file may hold: 64 KiB of DER, the profile's cap, and room for the PEM
/// armour of that much (base64 is 4/3 the size, plus the lines).
pub(crate) const MAX_RESPONSE_FILE: u64 = 96 * 1024;

/// The most a certificate file may hold: a certificate, a chain, or a set of roots. One MiB
/// is four times the Mozilla root store as PEM.
pub(crate) const MAX_CERTIFICATE_FILE: u64 = 1024 * 1024;

/// Why an input could not be used: the file, and what was wrong with it.
#[derive(Debug)]
pub(crate) struct InputError {
    pub(crate) path: String,
    pub(crate) problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

pub(crate) fn error(path: &Path, problem: impl Into<String>) -> InputError {
    InputError {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// "64 KiB", "1 MiB".
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Reads at most `cap` bytes of a file; more is an error, found after reading `cap + 1`, so an
/// endless source (a pipe, a device) costs no more than that.
pub(crate) fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, InputError> {
    let file = std::fs::File::open(path)
        .map_err(|e| error(path, format!("cannot read the file ({e})")))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(error(path, "is a directory, not a file"));
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| error(path, format!("cannot read the file ({e})")))?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > cap) {
        return Err(error(
            path,
            format!(
                "more than {}: larger than any {what} this tool reads; stopped reading there",
                size(cap)
            ),
        ));
    }
    Ok(bytes)
}

/// What a file holds, when it is not what was wanted: for the hint in the error.
fn what_it_is(bytes: &[u8]) -> Option<&'static str> {
    if let Some(label) = pem_label(bytes) {
        return Some(match label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => "a certificate",
            "OCSP RESPONSE" => "an OCSP response",
            "OCSP REQUEST" => "an OCSP request",
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => "a certificate signing request",
            "X509 CRL" => "a certificate revocation list",
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                "a private key"
            }
            "PUBLIC KEY" => "a public key",
            _ => return None,
        });
    }
    if Certificate::from_der(bytes).is_ok() {
        Some("a certificate")
    } else if OcspResponse::from_der(bytes).is_ok() {
        Some("an OCSP response")
    } else if OcspRequest::from_der(bytes).is_ok() {
        Some("an OCSP request")
    } else {
        None
    }
}

/// The label of the first PEM block, if the bytes are PEM.
fn pem_label(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("-----BEGIN ")? + "-----BEGIN ".len();
    let label = text.get(start..)?.split("-----").next()?;
    Some(label.to_string())
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    pem_label(bytes).is_some()
}

/// The certificates in a file's bytes: one DER certificate, or every `CERTIFICATE` block of a
/// PEM file (in order), each checked to parse. Never empty.
pub(crate) fn certificates_in(bytes: Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".into());
    }
    let ders = if looks_like_pem(&bytes) {
        let blocks = CertificateDer::pem_slice_iter(&bytes)
            .map(|block| block.map(|der| der.to_vec()))
            .collect::<Result<Vec<_>, pem::Error>>()
            .map_err(|e| format!("not valid PEM ({e})"))?;
        if blocks.is_empty() {
            return Err(match what_it_is(&bytes) {
                Some("an OCSP response") => "this is an OCSP response, not a certificate (give it \
                                              to --response)"
                    .into(),
                Some(other) => format!("this is {other}, not a certificate (no CERTIFICATE block)"),
                None => "PEM without a CERTIFICATE block".into(),
            });
        }
        blocks
    } else {
        vec![bytes]
    };
    for (index, der) in ders.iter().enumerate() {
        if let Err(e) = Certificate::from_der(der) {
            let hint = match what_it_is(der) {
                Some("an OCSP response") => {
                    ": this is an OCSP response (give it to --response)".into()
                }
                Some(other) if other != "a certificate" => format!(": this is {other}"),
                _ => String::new(),
            };
            let what = if ders.len() > 1 {
                format!("certificate {} of the bundle is not usable", index + 1)
            } else {
                "not a usable certificate".into()
            };
            return Err(format!("{what} ({e}){hint}"));
        }
    }
    Ok(ders)
}

/// The OCSP response in a file's bytes: DER, or the first PEM `OCSP RESPONSE` block, at most
/// 64 KiB of DER. A file that holds something else says what it holds.
pub(crate) fn response_in(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".into());
    }
    let der = if looks_like_pem(&bytes) {
        pem_block(&bytes, "OCSP RESPONSE").ok_or_else(|| match what_it_is(&bytes) {
            Some(other) => format!(
                "this is {other}, not an OCSP response (no OCSP RESPONSE block){}",
                hint_for_response(other)
            ),
            None => "PEM without an OCSP RESPONSE block".into(),
        })??
    } else {
        bytes
    };
    if der.len() > MAX_RESPONSE_LEN {
        return Err(format!(
            "{} bytes: larger than any OCSP response this tool reads ({MAX_RESPONSE_LEN} bytes, \
             the profile's cap)",
            der.len()
        ));
    }
    // A response that does not parse is the verifier's to report; another kind of file is a
    // mix-up of the arguments.
    if let Err(error) = OcspResponse::from_der(&der)
        && !matches!(error, Error::UnsuccessfulResponse(_))
        && let Some(other) = what_it_is(&der).filter(|o| *o != "an OCSP response")
    {
        return Err(format!(
            "this is {other}, not an OCSP response{}",
            hint_for_response(other)
        ));
    }
    Ok(der)
}

fn hint_for_response(other: &str) -> &'static str {
    match other {
        "a certificate" => " (certificates go to --cert and --issuer)",
        "an OCSP request" => " (send it to the responder: its answer is the response)",
        _ => "",
    }
}

/// The DER of the first PEM block labelled `label`: `None` when there is none, an error when
/// it is not valid PEM (RFC 7468, by the pem-rfc7468 crate).
fn pem_block(bytes: &[u8], label: &str) -> Option<Result<Vec<u8>, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let Some(stop) = text.get(start..)?.find(&end) else {
        return Some(Err(format!("the {label} PEM block has no END line")));
    };
    let block = text.get(start..start + stop + end.len())?;
    Some(match pem_rfc7468::decode_vec(block.as_bytes()) {
        Ok((_, der)) => Ok(der),
        Err(e) => Err(format!("the {label} PEM block is not valid PEM ({e})")),
    })
}

/// Reads every certificate in a file: one DER certificate, or a PEM bundle (in order).
pub(crate) fn certificates(path: &Path) -> Result<Vec<Vec<u8>>, InputError> {
    let bytes = read_capped(path, MAX_CERTIFICATE_FILE, "certificate file")?;
    certificates_in(bytes).map_err(|problem| error(path, problem))
}

/// Reads an OCSP response: DER, or PEM with `-----BEGIN OCSP RESPONSE-----`.
pub(crate) fn response(path: &Path) -> Result<Vec<u8>, InputError> {
    let bytes = read_capped(path, MAX_RESPONSE_FILE, "OCSP response")?;
    response_in(bytes).map_err(|problem| error(path, problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE_PEM: &[u8] =
        b"junk\n-----BEGIN OCSP RESPONSE-----\nMAMKAQM=\n-----END OCSP RESPONSE-----\n";

    #[test]
    fn pem_and_mix_ups() {
        // tryLater: a response, PEM or DER.
        assert_eq!(
            response_in(RESPONSE_PEM.to_vec()).unwrap(),
            [0x30, 0x03, 0x0a, 0x01, 0x03]
        );
        assert_eq!(
            response_in(vec![0x30, 0x03, 0x0a, 0x01, 0x03])
                .unwrap()
                .len(),
            5
        );
        let no_cert = certificates_in(RESPONSE_PEM.to_vec()).unwrap_err();
        assert!(no_cert.contains("this is an OCSP response"), "{no_cert}");
        assert_eq!(
            certificates_in(b" \n".to_vec()).unwrap_err(),
            "the file is empty"
        );
        assert_eq!(response_in(Vec::new()).unwrap_err(), "the file is empty");
        let unterminated = b"-----BEGIN OCSP RESPONSE-----\nMAMKAQE=\n";
        assert!(
            response_in(unterminated.to_vec())
                .unwrap_err()
                .contains("no END line")
        );
        assert!(
            response_in(vec![0; MAX_RESPONSE_LEN + 1])
                .unwrap_err()
                .contains("cap")
        );
    }
}
