//! `cli_input`: how `ocsp-check` reads a file it is given, certificate or response, PEM or
//! DER, detected from the bytes. The tool's own module is compiled here by path, so the fuzzer
//! runs exactly the code the tool runs.

#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../src/bin/ocsp-check/input.rs"]
#[allow(dead_code)]
mod input;

use ocsp_verify::Certificate;

/// Reads `data` as a certificate file and as a response file.
pub fn cli_input(data: &[u8]) {
    if let Ok(certificates) = input::certificates_in(data.to_vec()) {
        assert!(
            !certificates.is_empty(),
            "a certificate file read as no certificate"
        );
        for der in &certificates {
            Certificate::from_der(der).expect("a certificate the reader returned does not parse");
        }
    }
    if let Ok(response) = input::response_in(data.to_vec()) {
        // DER is passed through untouched; PEM gives the decoded block, which can only be
        // shorter than the text it came from.
        assert!(response.len() <= data.len());
    }
}
