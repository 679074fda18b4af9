//! Every generated certificate is parsed and compared with `generated/certs.json`; the
//! real-world certificates all parse.

// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{algorithm_oid, json, read, secs, to_hex};
use ocsp_verify::{Certificate, CertificateDer};
use serde_json::{Value, json as object};

#[test]
fn generated_certificates_match_their_description() {
    let described = json("generated/certs.json");
    let described = described.as_array().expect("array");
    assert!(
        described.len() >= 30,
        "only {} certificates described",
        described.len()
    );
    let mut problems = Vec::new();
    for want in described {
        let path = want["path"].as_str().expect("path");
        let der = read(format!("generated/{path}"));
        // Through rustls-pki-types' CertificateDer, as a rustls user would hold it.
        let holder = CertificateDer::from(der.clone());
        let cert = Certificate::try_from(&holder).expect("parses");
        assert_eq!(cert.der(), der.as_slice());
        let got = object!({
            "path": path,
            "serial": to_hex(cert.serial()),
            "issuer": to_hex(cert.issuer()),
            "subject": to_hex(cert.subject()),
            "not_before": cert.not_before().as_secs(),
            "not_after": cert.not_after().as_secs(),
            "spki_algorithm": algorithm_oid(cert.subject_public_key_info().algorithm()),
            "has_any_eku": cert.has_any_extended_key_usage(),
            "ocsp_signing": cert.has_ocsp_signing(),
            "is_ca": cert.basic_constraints_ca(),
            "ocsp_nocheck": cert.has_ocsp_nocheck(),
            "must_staple": cert.is_must_staple(),
            "ocsp_urls": cert.ocsp_urls().collect::<Vec<_>>(),
            "unknown_critical_extension": cert.has_unknown_critical_extension(),
            "tls_features": cert.tls_features().code(),
        });
        let mut want = want.clone();
        for key in ["not_before", "not_after"] {
            want[key] = Value::from(secs(want[key].as_str().expect("time")));
        }
        let has_eku = !want["eku"].as_array().expect("eku").is_empty();
        assert_eq!(
            cert.has_extended_key_usage(),
            has_eku,
            "{path}: EKU presence"
        );
        want.as_object_mut().expect("object").remove("eku");
        // The features listed, as what they require of a client: nothing, status_request
        // (must-staple) alone, or something a client here cannot provide.
        let features: Vec<u64> = want["tls_features"]
            .as_array()
            .expect("tls_features")
            .iter()
            .map(|f| f.as_u64().expect("a feature number"))
            .collect();
        want["tls_features"] = Value::from(match features.as_slice() {
            [] => "none_required",
            list if list.iter().all(|&f| f == 5) => "status_request",
            _ => "unsupported",
        });
        if got != want {
            problems.push(format!("{path}:\n  got  {got}\n  want {want}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn real_world_certificates_parse() {
    // Every .der file that is neither a response listed in the manifest nor a request.
    let manifest = json("real-world/manifest.json");
    let responses: Vec<&str> = manifest
        .as_array()
        .expect("array")
        .iter()
        .map(|entry| entry["file"].as_str().expect("file"))
        .collect();
    let mut count = 0;
    for source in [
        "openssl",
        "golang-x-crypto",
        "pyca-cryptography",
        "rustcrypto-x509-ocsp",
    ] {
        let dir = common::vectors().join("real-world").join(source);
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let relative = format!("{source}/{name}");
            if !name.ends_with(".der") || name.contains("-req") || responses.contains(&&*relative) {
                continue;
            }
            let der = std::fs::read(&path).expect("read");
            Certificate::from_der(&der).unwrap_or_else(|e| panic!("{relative}: {e:?}"));
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} real-world certificates found");
}

#[test]
fn a_non_minimal_serial_is_kept_byte_for_byte() {
    let der = read("generated/pki/rsa-ee-nonminimal-serial.der");
    let cert = Certificate::from_der(&der).expect("parses");
    assert_eq!(cert.serial(), &[0x00, 0x10, 0x03]);
}

#[test]
fn trailing_bytes_after_a_certificate_are_refused() {
    let mut der = read("generated/pki/rsa-ee.der");
    der.push(0);
    assert_eq!(
        Certificate::from_der(&der).unwrap_err(),
        ocsp_verify::Error::TrailingData(ocsp_verify::Structure::Certificate)
    );
}
