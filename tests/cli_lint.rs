//! `ocsp-check lint` run as a binary on the generated test PKI: clean certificates, each
//! responder-profile finding, a certificate without AIA, and chain order in bundles.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::cli::run;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// When the test PKI is valid.
const NOW: &str = "2026-01-01T01:00:00Z";

fn pki(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/generated/pki")
        .join(name)
        .display()
        .to_string()
}

/// `lint --cert pki/<cert> [--issuer pki/<issuer>] --json`: the exit status and the JSON.
fn lint(cert: &str, issuer: Option<&str>) -> (Option<i32>, Value) {
    let cert = if cert.starts_with('/') {
        cert.to_string()
    } else {
        pki(cert)
    };
    // At the vectors' time: the test certificates expire in 2035.
    let mut args = vec![
        "lint".to_string(),
        "--cert".into(),
        cert,
        "--json".into(),
        "--at".into(),
        NOW.into(),
    ];
    if let Some(issuer) = issuer {
        args.extend(["--issuer".into(), pki(issuer)]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line of JSON: {stdout}");
    (output.status.code(), serde_json::from_str(&stdout).unwrap())
}

/// The codes of the findings with `severity`.
fn codes(json: &Value, severity: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The codes of the errors and warnings.
fn problems(json: &Value) -> Vec<String> {
    let mut all = codes(json, "error");
    all.extend(codes(json, "warning"));
    all
}

fn bundle(name: &str, parts: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-lint");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.pem", std::process::id()));
    let pem: String = parts
        .iter()
        .map(|part| std::fs::read_to_string(pki(part)).unwrap())
        .collect();
    std::fs::write(&path, pem).unwrap();
    path
}

#[test]
fn clean_end_entity_and_responder() {
    let (code, json) = lint("rsa-ee.pem", Some("rsa-ca.pem"));
    assert_eq!(code, Some(0));
    assert_eq!(json["clean"], true);
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    assert_eq!(codes(&json, "info"), ["aia_ocsp_url", "must_staple_absent"]);
    assert_eq!(
        json["certificates"][0]["subject"],
        "CN=rsa-ee,O=ocsp-verify test,C=XX"
    );
    assert_eq!(json["certificates"][0]["serial"], "1001");
    for finding in json["findings"].as_array().unwrap() {
        let keys: Vec<&str> = finding
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["certificate", "code", "message", "severity"]);
        assert_eq!(finding["certificate"], 1);
    }

    let (code, json) = lint("rsa-responder.pem", Some("rsa-ca.pem"));
    assert_eq!(code, Some(0));
    assert!(problems(&json).is_empty(), "{json}");
    assert!(codes(&json, "info").contains(&"ocsp_responder".to_string()));

    // P-256 chain, and must-staple reported as information.
    let (code, json) = lint("tls/tls-server-muststaple.pem", Some("tls/tls-int.pem"));
    assert_eq!(code, Some(0));
    assert!(codes(&json, "info").contains(&"must_staple_present".to_string()));
}

#[test]
fn responder_profile_findings() {
    for (cert, expected) in [
        ("rsa-responder-noeku.pem", "responder_missing_ocsp_signing"),
        ("rsa-responder-anyeku.pem", "responder_missing_ocsp_signing"),
        (
            "rsa-responder-serverauth.pem",
            "responder_missing_ocsp_signing",
        ),
        ("rsa-responder-ca.pem", "responder_is_ca"),
        (
            "rsa-responder-critext.pem",
            "responder_unknown_critical_extension",
        ),
    ] {
        let (code, json) = lint(cert, Some("rsa-ca.pem"));
        assert_eq!(code, Some(3), "{cert}");
        assert_eq!(problems(&json), [expected], "{cert}");
        assert_eq!(json["clean"], false);
        assert_eq!(json["errors"], 1);
    }
    // The locally trusted responder has the EKU but not ocsp-nocheck: a warning, still a
    // finding. It is self-signed, so no AIA is expected.
    let (code, json) = lint("trusted-responder.pem", None);
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["responder_missing_nocheck"]);
    assert_eq!(json["warnings"], 1);
    // --responder lints an end-entity certificate as a responder certificate.
    let output = run(&[
        "lint",
        "--cert",
        &pki("rsa-ee.pem"),
        "--responder",
        "--json",
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        problems(&json),
        [
            "responder_missing_ocsp_signing",
            "responder_missing_nocheck"
        ]
    );
}

#[test]
fn issuer_name_and_signature() {
    let (code, json) = lint("rsa-ee.pem", Some("p256-ca.pem"));
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["issuer_name_mismatch"]);
    // Issued by a CA with rsa-ca's name and another key.
    let (code, json) = lint("rsa-responder-evil.pem", Some("rsa-ca.pem"));
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["issuer_signature_invalid"]);
}

#[test]
fn certificate_without_aia() {
    let (code, json) = lint("tls/tls-int.pem", Some("tls/tls-root.pem"));
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["aia_ocsp_missing"]);
    // A self-issued root needs none.
    let (code, json) = lint("tls/tls-root.pem", None);
    assert_eq!(code, Some(0));
    assert!(problems(&json).is_empty());
}

#[test]
fn bundles_in_order_reversed_and_with_an_impostor() {
    let good = bundle(
        "good",
        &["tls/tls-server.pem", "tls/tls-int.pem", "tls/tls-root.pem"],
    );
    let (code, json) = lint(good.to_str().unwrap(), None);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["certificates"].as_array().unwrap().len(), 3);

    let reversed = bundle(
        "reversed",
        &["tls/tls-root.pem", "tls/tls-int.pem", "tls/tls-server.pem"],
    );
    let (code, json) = lint(reversed.to_str().unwrap(), None);
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["chain_order", "chain_order"]);
    let first = &json["findings"][0];
    assert_eq!(first["certificate"], 1);
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("the bundle looks reversed"),
        "{first}"
    );

    let impostor = bundle(
        "impostor",
        &["tls/tls-server.pem", "tls/tls-int-impostor.pem"],
    );
    let (code, json) = lint(impostor.to_str().unwrap(), None);
    assert_eq!(code, Some(3));
    assert_eq!(problems(&json), ["chain_signature_invalid"]);
}

#[test]
fn human_output_and_quiet() {
    let output = run(&[
        "lint",
        "--cert",
        &pki("rsa-responder-noeku.pem"),
        "--issuer",
        &pki("rsa-ca.pem"),
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "certificate 1: CN=Responder without EKU,O=ocsp-verify test,C=XX (serial 2002)"
    );
    assert!(
        lines[1].starts_with(
            "  error    responder_missing_ocsp_signing: the extended key usage is absent"
        ),
        "{stdout}"
    );
    assert_eq!(*lines.last().unwrap(), "1 finding (1 error, 0 warnings)");

    let output = run(&["lint", "--cert", &pki("rsa-ee.pem"), "--at", NOW]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().last(), Some("clean: no findings"));

    let output = run(&[
        "lint",
        "--cert",
        &pki("rsa-responder-ca.pem"),
        "--quiet",
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn unreadable_input_exits_4() {
    let output = run(&["lint", "--cert", "/no/such/cert.pem"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1);
    assert!(stderr.starts_with("error: /no/such/cert.pem: cannot read the file"));
    // A response is not a certificate.
    let response = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/generated/responses/good-rsa-ca.der");
    let output = run(&["lint", "--cert", response.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(4));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["error"]["code"], "input_error");
    assert_eq!(run(&["lint"]).status.code(), Some(4));
}

#[test]
fn an_expired_or_not_yet_valid_responder_is_a_finding() {
    for (cert, code, words) in [
        ("rsa-responder-expired.pem", "responder_expired", "expired "),
        (
            "rsa-responder-notyetvalid.pem",
            "responder_not_yet_valid",
            "not valid for another ",
        ),
    ] {
        // At the vectors' time, and at the default time, now.
        for at in [&["--at", NOW][..], &[]] {
            let (cert_path, issuer) = (pki(cert), pki("rsa-ca.pem"));
            let mut args = vec!["lint", "--cert", &cert_path, "--json", "--issuer", &issuer];
            args.extend_from_slice(at);
            let output = run(&args);
            let json: Value = serde_json::from_slice(&output.stdout).unwrap();
            if at.is_empty() && code == "responder_not_yet_valid" {
                continue; // Valid from some date: only --at pins it.
            }
            assert_eq!(output.status.code(), Some(3), "{cert} {at:?}: {json}");
            assert_eq!(problems(&json), [code], "{json}");
            let message = json["findings"][0]["message"].as_str().unwrap();
            assert!(message.contains(words), "{message}");
            assert!(
                message.contains("clients refuse every response it signs"),
                "{message}"
            );
        }
    }
    // Inside its validity it is clean.
    let output = run(&[
        "lint",
        "--cert",
        &pki("rsa-responder-expired.pem"),
        "--at",
        "2025-01-01T00:00:00Z",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
