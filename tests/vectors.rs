//! Every vector in `test-vectors/` is parsed and verified, and compared with the expectations
//! written beside it (`generated/manifest.json`, `real-world/manifest.json`).

// Verification needs both RustCrypto backends (the vectors are RSA and ECDSA signed).
#![cfg(all(feature = "ecdsa", feature = "rsa"))]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{algorithm_oid, error_json, hex, json, read, secs, time, to_hex};
use ocsp_verify::views::{MAX_RESPONSE_LEN, OcspResponse, ResponderId};
use ocsp_verify::{CertStatus, Certificate, Issuer, Policy, Staple, Verifier, rustcrypto};
use serde_json::Value;

/// Compares the parsed response at `path` with the manifest's `parse` object; returns the
/// differences.
fn check_parse(path: &str, bytes: &[u8], expected: &Value, max_len: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let mut differ = |what: &str, got: String, want: String| {
        if got != want {
            problems.push(format!("{path}: {what}: got {got}, want {want}"));
        }
    };
    let parsed = OcspResponse::from_der_with_max_len(bytes, max_len).and_then(|r| r.into_basic());
    if expected.get("error").is_some() {
        let got = match &parsed {
            Ok(_) => "Ok".to_string(),
            Err(e) => error_json(e).to_string(),
        };
        differ("parse error", got, expected.to_string());
        return problems;
    }
    let want_status = expected["response_status"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if want_status != "successful" {
        let got = OcspResponse::from_der_with_max_len(bytes, max_len).map(|r| r.status());
        let got = got.map_or("error", |status| status.name());
        differ("responseStatus", got.to_string(), want_status);
        return problems;
    }
    let basic = match parsed {
        Ok(basic) => basic,
        Err(e) => {
            problems.push(format!("{path}: does not parse: {e:?}"));
            return problems;
        }
    };
    let data = basic.response_data();
    // `version` is always v1 (0): the parser refuses any other, so there is nothing to read.
    differ("version", "0".into(), expected["version"].to_string());
    let responder = match data.responder_id() {
        ResponderId::ByName(name) => serde_json::json!({"by_name": to_hex(name)}),
        ResponderId::ByKey(key) => serde_json::json!({"by_key": to_hex(key)}),
    };
    differ(
        "responderID",
        responder.to_string(),
        expected["responder_id"].to_string(),
    );
    differ(
        "producedAt",
        data.produced_at().as_secs().to_string(),
        secs(expected["produced_at"].as_str().unwrap_or_default()).to_string(),
    );
    differ(
        "signatureAlgorithm",
        algorithm_oid(basic.signed_data().algorithm()),
        expected["signature_algorithm"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    differ(
        "certs",
        basic.cert_count().to_string(),
        expected["certs"].to_string(),
    );
    assert_eq!(basic.certs().count(), basic.cert_count());
    differ(
        "responseExtensions",
        data.extensions().count().to_string(),
        expected["response_extensions"].to_string(),
    );
    let nonce = match data.nonce() {
        Ok(Some(nonce)) => Value::String(to_hex(nonce)),
        Ok(None) => Value::Null,
        Err(e) => Value::String(format!("{e:?}")),
    };
    differ("nonce", nonce.to_string(), expected["nonce"].to_string());

    let want = expected["responses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    differ(
        "responses",
        data.response_count().to_string(),
        expected
            .get("response_count")
            .map(Value::to_string)
            .unwrap_or_else(|| want.len().to_string()),
    );
    for (index, (single, want)) in data.responses().zip(&want).enumerate() {
        let single = single.expect("validated at parse");
        let at = |field: &str| format!("responses[{index}].{field}");
        let id = single.cert_id();
        differ(
            &at("hash_algorithm"),
            algorithm_oid(id.hash_algorithm_der()),
            want["hash_algorithm"].as_str().unwrap_or_default().into(),
        );
        differ(
            &at("issuer_name_hash"),
            to_hex(id.issuer_name_hash()),
            want["issuer_name_hash"].as_str().unwrap_or_default().into(),
        );
        differ(
            &at("issuer_key_hash"),
            to_hex(id.issuer_key_hash()),
            want["issuer_key_hash"].as_str().unwrap_or_default().into(),
        );
        differ(
            &at("serial"),
            to_hex(id.serial()),
            want["serial"].as_str().unwrap_or_default().into(),
        );
        let (status, revocation_time, reason) = status_fields(single.status());
        differ(
            &at("status"),
            status.into(),
            want["status"].as_str().unwrap_or_default().into(),
        );
        differ(
            &at("revocation_time"),
            revocation_time.to_string(),
            want["revocation_time"]
                .as_str()
                .map(secs)
                .unwrap_or(0)
                .to_string(),
        );
        differ(
            &at("revocation_reason"),
            reason.to_string(),
            want["revocation_reason"].to_string(),
        );
        differ(
            &at("this_update"),
            single.this_update().as_secs().to_string(),
            secs(want["this_update"].as_str().unwrap_or_default()).to_string(),
        );
        differ(
            &at("next_update"),
            single
                .next_update()
                .map(|t| t.as_secs().to_string())
                .unwrap_or("null".into()),
            want["next_update"]
                .as_str()
                .map(|t| secs(t).to_string())
                .unwrap_or("null".into()),
        );
        differ(
            &at("extensions"),
            single.extensions().count().to_string(),
            want["extensions"].to_string(),
        );
    }
    problems
}

/// `(status name, revocation time or 0, reason as JSON)`.
fn status_fields(status: CertStatus) -> (&'static str, u64, Value) {
    match status {
        CertStatus::Good => ("good", 0, Value::Null),
        CertStatus::Unknown => ("unknown", 0, Value::Null),
        CertStatus::Revoked { time, reason } => (
            "revoked",
            time.as_secs(),
            reason.map(|r| Value::from(r.code())).unwrap_or(Value::Null),
        ),
    }
}

/// One verification case of either manifest.
struct Case<'a> {
    name: String,
    response: Vec<u8>,
    cert: Vec<u8>,
    issuer: Vec<u8>,
    trusted: Vec<Vec<u8>>,
    nonce: Option<Vec<u8>>,
    now: &'a str,
    options: &'a Value,
    expect: &'a Value,
    responder: Option<&'a str>,
    decision: Option<&'a Value>,
}

fn check_verify(case: &Case<'_>) -> Option<String> {
    let cert = Certificate::from_der(&case.cert).expect("cert parses");
    let issuer = Certificate::from_der(&case.issuer).expect("issuer parses");
    let trusted: Vec<_> = case
        .trusted
        .iter()
        .map(|der| Certificate::from_der(der).expect("trusted responder parses"))
        .collect();
    let option = |name: &str| {
        case.options
            .get(name)
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("{}: options.{name}", case.name))
    };
    let seconds = |name: &str| Duration::from_secs(option(name));
    let algorithms = if case.options.get("allow_sha1").and_then(Value::as_bool) == Some(true) {
        rustcrypto::ALL_WITH_LEGACY_SHA1
    } else {
        rustcrypto::ALL
    };
    let verifier = Verifier::new(algorithms)
        .with_trusted_responders(&trusted)
        .with_clock_skew(seconds("skew"))
        .with_max_age(seconds("max_age"))
        .with_max_age_without_next_update(seconds("max_age_without_next_update"))
        .with_max_lifetime(seconds("max_lifetime"))
        .with_max_response_len(usize::try_from(option("max_response_size")).expect("size"));
    let now = time(case.now);
    let nonce = case.nonce.as_deref();
    let outcome = verifier.verify(&case.response, &cert, &Issuer::from(&issuer), nonce, now);
    let got = match &outcome {
        Ok(verified) => {
            let (status, time, reason) = status_fields(verified.answer().status());
            let mut got = serde_json::json!({"status": status});
            // The revocation details are compared when the manifest states them.
            if case.expect.get("revocation_time").is_some() {
                got["revocation_time"] = Value::from(time);
            }
            if case.expect.get("revocation_reason").is_some() {
                got["revocation_reason"] = reason;
            }
            got
        }
        Err(error) => error_json(error),
    };
    let mut want = case.expect.clone();
    if let Some(time) = want.get("revocation_time").and_then(Value::as_str) {
        want["revocation_time"] = Value::from(secs(time));
    }
    if got != want {
        return Some(format!(
            "{}: got {got}, want {want} ({outcome:?})",
            case.name
        ));
    }
    if let (Ok(verified), Some(responder)) = (&outcome, case.responder)
        && verified.answer().responder().name() != responder
    {
        return Some(format!(
            "{}: responder {:?}, want {responder}",
            case.name,
            verified.answer().responder()
        ));
    }
    // What the policy makes of it, where the manifest says.
    if let Some(decision) = case.decision {
        let staple = Staple::from(outcome.map(|verified| verified.answer()));
        let features = cert.tls_features();
        let verdict = |policy: Policy| match policy.decide(&staple, features).is_accepted() {
            true => "accept",
            false => "reject",
        };
        let got = serde_json::json!({
            "tls_features": features.code(),
            "soft_fail": verdict(Policy::soft_fail()),
            "hard_fail": verdict(Policy::hard_fail()),
        });
        if &got != decision {
            return Some(format!("{}: decision {got}, want {decision}", case.name));
        }
    }
    None
}

fn report(problems: Vec<String>, checked: usize) {
    assert!(checked > 0, "no vectors were checked");
    assert!(
        problems.is_empty(),
        "{} of {checked} differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn generated_vectors_parse_as_expected() {
    let manifest = json("generated/manifest.json");
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in manifest.as_array().expect("array") {
        let path = format!(
            "generated/{}",
            entry["response"].as_str().expect("response")
        );
        let max_len = entry["options"]["max_response_size"]
            .as_u64()
            .map_or(MAX_RESPONSE_LEN, |n| usize::try_from(n).expect("size"));
        problems.extend(check_parse(&path, &read(&path), &entry["parse"], max_len));
        checked += 1;
    }
    report(problems, checked);
}

#[test]
fn generated_vectors_verify_as_expected() {
    let manifest = json("generated/manifest.json");
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in manifest.as_array().expect("array") {
        let file = |key: &str| read(format!("generated/{}", entry[key].as_str().expect(key)));
        let case = Case {
            name: entry["name"].as_str().expect("name").to_string(),
            response: file("response"),
            cert: file("cert"),
            issuer: file("issuer"),
            trusted: entry["trusted_responders"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| read(format!("generated/{}", p.as_str().expect("path"))))
                .collect(),
            nonce: entry["nonce"].as_str().map(hex),
            now: entry["now"].as_str().expect("now"),
            options: &entry["options"],
            expect: &entry["expect"],
            responder: entry.get("responder").and_then(Value::as_str),
            decision: entry.get("decision"),
        };
        problems.extend(check_verify(&case));
        checked += 1;
    }
    report(problems, checked);
}

#[test]
fn real_world_vectors_parse_as_expected() {
    let manifest = json("real-world/manifest.json");
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in manifest.as_array().expect("array") {
        let path = format!("real-world/{}", entry["file"].as_str().expect("file"));
        problems.extend(check_parse(
            &path,
            &read(&path),
            &entry["parse"],
            MAX_RESPONSE_LEN,
        ));
        checked += 1;
    }
    report(problems, checked);
}

#[test]
fn real_world_vectors_verify_as_expected() {
    let manifest = json("real-world/manifest.json");
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut openssl_verdicts = 0;
    for entry in manifest.as_array().expect("array") {
        let file = entry["file"].as_str().expect("file");
        for (index, case) in entry
            .get("verify")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let path =
                |value: &Value| read(format!("real-world/{}", value.as_str().expect("path")));
            // OpenSSL's own suite (test/recipes/80-test_ocsp.t) gives a verdict for its
            // vectors: 0 verified, 1 refused. Our stricter profile reaches the same verdict on
            // every one of them (the refusal's reason may differ: the expectation names ours,
            // and the manifest's note says why).
            if let Some(openssl) = case.get("openssl_verdict").and_then(Value::as_u64) {
                let ours = if case["expect"].get("status").is_some() {
                    0
                } else {
                    1
                };
                if ours != openssl {
                    problems.push(format!(
                        "{file}#{index}: OpenSSL's verdict is {openssl}, ours {ours}"
                    ));
                }
                openssl_verdicts += 1;
            }
            let case = Case {
                name: format!("{file}#{index}"),
                response: read(format!("real-world/{file}")),
                cert: path(&case["cert"]),
                issuer: path(&case["issuer"]),
                trusted: case["trusted_responders"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(path)
                    .collect(),
                nonce: case["nonce"].as_str().map(hex),
                now: case["now"].as_str().expect("now"),
                options: &case["options"],
                expect: &case["expect"],
                responder: case.get("responder").and_then(Value::as_str),
                decision: case.get("decision"),
            };
            problems.extend(check_verify(&case));
            checked += 1;
        }
    }
    assert_eq!(
        openssl_verdicts, 55,
        "the OpenSSL suite's 55 verdicts are all compared"
    );
    report(problems, checked);
}
