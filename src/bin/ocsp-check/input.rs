//! Reading certificates and responses from files, in PEM or DER.

use std::fmt;
use std::path::Path;

use base64::Engine as _;

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

fn error(path: &Path, problem: impl Into<String>) -> InputError {
    InputError {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// Reads a file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| error(path, format!("cannot read the file ({e})")))
}

/// The DER blocks of a PEM file with the given label, in order; `None` when the bytes are not
/// PEM at all (then they are taken as DER).
pub(crate) fn pem_blocks(bytes: &[u8], label: &str) -> Option<Result<Vec<Vec<u8>>, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    if !text.contains("-----BEGIN ") {
        return None;
    }
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else {
            return Some(Err(format!("a {label} PEM block has no END line")));
        };
        let body: String = after[..stop]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        match base64::engine::general_purpose::STANDARD.decode(body) {
            Ok(der) => blocks.push(der),
            Err(e) => {
                return Some(Err(format!(
                    "a {label} PEM block is not valid base64 ({e})"
                )));
            }
        }
        rest = &after[stop + end.len()..];
    }
    if blocks.is_empty() {
        return Some(Err(format!("PEM input without a {label} block")));
    }
    Some(Ok(blocks))
}

/// The certificates in a file's bytes: one DER certificate, or a PEM bundle (in order), each
/// checked to parse. Never empty.
pub(crate) fn certificates_in(bytes: Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
    let ders = match pem_blocks(&bytes, "CERTIFICATE") {
        Some(blocks) => blocks?,
        None => vec![bytes],
    };
    for der in &ders {
        ocsp_verify::Certificate::from_der(der)
            .map_err(|e| format!("not a usable certificate ({e})"))?;
    }
    Ok(ders)
}

/// The OCSP response in a file's bytes: DER, or the first PEM `OCSP RESPONSE` block.
pub(crate) fn response_in(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    match pem_blocks(&bytes, "OCSP RESPONSE") {
        Some(blocks) => Ok(blocks?.swap_remove(0)),
        None => Ok(bytes),
    }
}

/// Reads every certificate in a file: one DER certificate, or a PEM bundle (in order).
pub(crate) fn certificates(path: &Path) -> Result<Vec<Vec<u8>>, InputError> {
    certificates_in(read(path)?).map_err(|problem| error(path, problem))
}

/// Reads the first certificate of a file.
pub(crate) fn certificate(path: &Path) -> Result<Vec<u8>, InputError> {
    let mut all = certificates(path)?;
    Ok(all.swap_remove(0))
}

/// Reads an OCSP response: DER, or PEM with `-----BEGIN OCSP RESPONSE-----`.
pub(crate) fn response(path: &Path) -> Result<Vec<u8>, InputError> {
    response_in(read(path)?).map_err(|problem| error(path, problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_detection() {
        assert!(pem_blocks(b"\x30\x03\x0a\x01\x01", "CERTIFICATE").is_none());
        let pem = b"junk\n-----BEGIN OCSP RESPONSE-----\nMAMKAQE=\n-----END OCSP RESPONSE-----\n";
        let blocks = pem_blocks(pem, "OCSP RESPONSE").unwrap().unwrap();
        assert_eq!(blocks, vec![vec![0x30, 0x03, 0x0a, 0x01, 0x01]]);
        assert!(pem_blocks(pem, "CERTIFICATE").unwrap().is_err());
        let unterminated = b"-----BEGIN CERTIFICATE-----\nMAMKAQE=\n";
        assert!(pem_blocks(unterminated, "CERTIFICATE").unwrap().is_err());
    }
}
