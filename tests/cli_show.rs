//! `ocsp-check show` run as a binary.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::cli::json_of;
use std::process::{Command, Output};

use serde_json::Value;

fn show(path: &str, json: bool) -> Output {
    let path = common::vectors().join(path);
    let mut command = Command::new(env!("CARGO_BIN_EXE_ocsp-check"));
    command.arg("show").arg(path);
    if json {
        command.arg("--json");
    }
    command.output().unwrap()
}

#[test]
fn a_delegated_response_in_full() {
    let output = show("generated/responses/good-rsa-delegated.der", true);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_eq!(json["response_status"], "successful");
    assert_eq!(json["error"], Value::Null);
    assert_eq!(
        json["responder_id"]["by_name"],
        "CN=RSA Test OCSP Responder,O=ocsp-verify test,C=XX"
    );
    assert_eq!(json["produced_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["signature_algorithm"], "sha256WithRSAEncryption");
    let single = &json["responses"][0];
    assert_eq!(single["cert_id"]["hash_algorithm"], "id-sha1");
    assert_eq!(single["cert_id"]["serial"], "1001");
    assert_eq!(
        single["cert_id"]["issuer_name_hash"],
        "18dcfa2f17acd546e0d180231f8c1f59840dfc14"
    );
    assert_eq!(single["status"], "good");
    assert_eq!(single["this_update"], "2026-01-01T00:00:00Z");
    assert_eq!(single["next_update"], "2026-01-08T00:00:00Z");
    let cert = &json["certs"][0];
    assert_eq!(
        cert["subject"],
        "CN=RSA Test OCSP Responder,O=ocsp-verify test,C=XX"
    );
    assert_eq!(cert["issuer"], "CN=RSA Test CA,O=ocsp-verify test,C=XX");
    assert_eq!(cert["ocsp_signing"], true);
    assert_eq!(cert["ocsp_nocheck"], true);
    assert_eq!(cert["ca"], false);

    let human = String::from_utf8(show("generated/responses/good-rsa-delegated.der", false).stdout)
        .unwrap();
    let lines: Vec<_> = human.lines().collect();
    assert_eq!(lines[0], "responseStatus: successful");
    assert_eq!(
        lines[1],
        "responder:      byName CN=RSA Test OCSP Responder,O=ocsp-verify test,C=XX"
    );
    assert!(lines.contains(&"      status:     good"));
    assert!(lines.contains(&"certs:          1"));
}

#[test]
fn revocation_extensions_and_nonce() {
    let json = json_of(&show(
        "generated/responses/revoked-key-compromise.der",
        true,
    ));
    assert_eq!(json["responses"][0]["status"], "revoked");
    assert_eq!(
        json["responses"][0]["revocation_time"],
        "2025-06-01T12:00:00Z"
    );
    assert_eq!(json["responses"][0]["revocation_reason"], "keyCompromise");

    let json = json_of(&show(
        "real-world/pyca-cryptography/resp-sct-extension.der",
        true,
    ));
    assert_eq!(json["nonce"], "70f16949b63c2276ca06ac57b17643e0");
    assert_eq!(json["extensions"][0]["name"], "id-pkix-ocsp-nonce");
    assert_eq!(json["extensions"][0]["critical"], false);
    assert_eq!(
        json["responses"][0]["extensions"][0]["name"],
        "signedCertificateTimestampList"
    );
    assert_eq!(
        json["responder_id"]["by_name"],
        "CN=OCSP Responder Server Gold CA 2014 - G22,O=SwissSign AG,L=Glattbrugg,ST=ZH,C=CH"
    );

    let json = json_of(&show(
        "real-world/golang-x-crypto/ocspResponseHex.der",
        true,
    ));
    assert_eq!(
        json["responder_id"]["by_key"],
        "8a747faf85cdee95cd3d9cd0e24614f371351d27"
    );
    assert_eq!(json["certs"], serde_json::json!([]));
}

#[test]
fn error_statuses_and_malformed_responses_exit_3() {
    let output = show("generated/responses/r02-status-3-tryLater.der", true);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["response_status"], "tryLater");
    assert_eq!(json["error"]["code"], "responder_try_later");

    let output = show("generated/responses/r01-truncated.der", true);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["response_status"], Value::Null);
    assert_eq!(json["error"]["code"], "bad_der");

    let human = show("generated/responses/r01-truncated.der", false);
    assert_eq!(
        String::from_utf8(human.stdout).unwrap().trim(),
        "invalid: malformed DER in OCSPResponse (bad_der)"
    );
    assert_eq!(
        show("generated/responses/no-such-file.der", false)
            .status
            .code(),
        Some(4)
    );
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_status() {
    for (path, code) in [
        ("generated/responses/good-rsa-ca.der", 0),
        ("generated/responses/r01-truncated.der", 3),
        ("generated/responses/r02-status-3-tryLater.der", 3),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_ocsp-check"))
            .args(["show", "--quiet"])
            .arg(common::vectors().join(path))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(code), "{path}");
        assert!(output.stdout.is_empty(), "{path}");
        assert!(output.stderr.is_empty(), "{path}");
    }
    let both = Command::new(env!("CARGO_BIN_EXE_ocsp-check"))
        .args(["show", "--quiet", "--json"])
        .arg(common::vectors().join("generated/responses/good-rsa-ca.der"))
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(4));
}

#[test]
fn every_path_prints_the_same_keys() {
    let keys = |json: &Value| {
        let mut keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort_unstable();
        keys
    };
    let good = json_of(&show("generated/responses/good-rsa-delegated.der", true));
    let want = keys(&good);
    assert_eq!(want.len(), 9, "{want:?}");
    let dir = common::cli::scratch_dir("show-keys");
    let garbage = dir.join("garbage.der");
    std::fs::write(&garbage, b"\x30\x03\x02\x01").unwrap();
    let missing = dir.join("missing.der");
    for (path, code) in [
        (garbage.display().to_string(), 3),
        (missing.display().to_string(), 4),
        (
            common::vectors()
                .join("generated/responses/r02-status-3-tryLater.der")
                .display()
                .to_string(),
            3,
        ),
    ] {
        let output = common::cli::run(&["show", "--json", &path]);
        assert_eq!(output.status.code(), Some(code), "{path}");
        let json = json_of(&output);
        assert_eq!(keys(&json), want, "{path}: {json}");
        assert!(json["error"]["code"].is_string(), "{json}");
        assert!(output.stderr.is_empty(), "{path}");
    }
}
