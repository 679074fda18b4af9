//! `ocsp-check verify` run as a binary: exit codes, JSON keys and values, human output.

#![cfg(feature = "cli")]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::cli::{generated, json_of, run, stdout};
use std::process::Output;

use serde_json::Value;

const NOW: &str = "2026-01-01T01:00:00Z";

/// Runs `verify` on the response of the manifest case named `case`, at the case's `now`
/// unless `extra` gives `--at`.
fn verify(case: &str, cert: &str, issuer: &str, extra: &[&str]) -> Output {
    let manifest = common::json("generated/manifest.json");
    let entry = manifest
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == case);
    let response = entry.map_or_else(
        || format!("responses/{case}.der"),
        |e| e["response"].as_str().unwrap().to_string(),
    );
    let now = entry
        .map_or(NOW, |e| e["now"].as_str().unwrap())
        .to_string();
    let (response, cert, issuer) = (
        generated(&response),
        generated(&format!("pki/{cert}")),
        generated(&format!("pki/{issuer}")),
    );
    let mut args = vec![
        "verify",
        "--response",
        &response,
        "--cert",
        &cert,
        "--issuer",
        &issuer,
    ];
    if !extra.contains(&"--at") {
        args.extend(["--at", &now]);
    }
    args.extend_from_slice(extra);
    run(&args)
}

const KEYS: [&str; 12] = [
    "status",
    "error",
    "this_update",
    "next_update",
    "produced_at",
    "responder",
    "revocation_time",
    "revocation_reason",
    "seconds_until_next_update",
    "checked_at",
    "serial",
    "response_serials",
];

/// The keys of the `error` object, in every report.
const ERROR_KEYS: [&str; 5] = ["code", "message", "time", "not_before", "not_after"];

fn assert_keys(value: &Value) {
    let object = value.as_object().unwrap();
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = KEYS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
}

#[test]
fn good_exits_0_with_the_full_json() {
    // PEM certificates, DER response.
    let output = verify("good-p256-ca", "p256-ee.pem", "p256-ca.pem", &["--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["status"], "good");
    assert_eq!(json["error"], Value::Null);
    assert_eq!(json["this_update"], "2026-01-01T00:00:00Z");
    assert_eq!(json["next_update"], "2026-01-08T00:00:00Z");
    assert_eq!(json["produced_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["responder"], "issuer");
    assert_eq!(json["revocation_time"], Value::Null);
    assert_eq!(json["revocation_reason"], Value::Null);
    assert_eq!(json["seconds_until_next_update"], 7 * 86_400 - 3600);
}

#[test]
fn good_human_summary() {
    let output = verify("good-rsa-delegated", "rsa-ee.der", "rsa-ca.der", &[]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines[0], "good: the certificate is not revoked");
    assert_eq!(lines[1], "  responder:   delegated");
    assert_eq!(
        lines[4],
        "  nextUpdate:  2026-01-08T00:00:00Z (6d 23h left)"
    );
}

#[test]
fn revoked_exits_1_with_time_and_reason() {
    let output = verify(
        "revoked-key-compromise",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["status"], "revoked");
    assert_eq!(json["revocation_time"], "2025-06-01T12:00:00Z");
    assert_eq!(json["revocation_reason"], "keyCompromise");

    let human = verify("revoked-key-compromise", "rsa-ee.der", "rsa-ca.der", &[]);
    let stdout = String::from_utf8(human.stdout).unwrap();
    assert_eq!(
        stdout.lines().next(),
        Some("revoked: since 2025-06-01T12:00:00Z, reason keyCompromise")
    );
}

#[test]
fn unknown_exits_2() {
    let output = verify("unknown-status", "rsa-ee.der", "rsa-ca.der", &["--json"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_of(&output)["status"], "unknown");
}

#[test]
fn invalid_exits_3_with_the_error_code() {
    for (response, code) in [
        ("r10-signature-bit-flipped", "invalid_signature"),
        ("r13-expired", "response_expired"),
        ("r07-serial-differs", "no_matching_response"),
        ("r02-status-3-tryLater", "responder_try_later"),
        ("r01-truncated", "bad_der"),
    ] {
        let output = verify(response, "rsa-ee.der", "rsa-ca.der", &["--json"]);
        assert_eq!(output.status.code(), Some(3), "{response}");
        let json = json_of(&output);
        assert_keys(&json);
        assert_eq!(json["status"], "invalid", "{response}");
        assert_eq!(json["error"]["code"], code, "{response}");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let human = verify("r10-signature-bit-flipped", "rsa-ee.der", "rsa-ca.der", &[]);
    assert_eq!(
        String::from_utf8(human.stdout).unwrap().trim(),
        "invalid: the response signature does not verify (invalid_signature)"
    );
}

#[test]
fn options_reach_the_verifier() {
    // --nonce: echoed, different, and absent from the response.
    let manifest = common::json("generated/manifest.json");
    let nonce = manifest
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "good-nonce")
        .and_then(|e| e["nonce"].as_str())
        .unwrap()
        .to_string();
    assert_eq!(
        verify(
            "good-nonce",
            "rsa-ee.der",
            "rsa-ca.der",
            &["--nonce", &nonce]
        )
        .status
        .code(),
        Some(0)
    );
    let other = verify(
        "good-nonce",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--nonce", "00ff", "--json"],
    );
    assert_eq!(json_of(&other)["error"]["code"], "nonce_mismatch");
    let missing = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--nonce", &nonce, "--json"],
    );
    assert_eq!(json_of(&missing)["error"]["code"], "missing_nonce");

    // --allow-sha1, which the refusal suggests
    let human = verify(
        "good-sha1-signature-allowed",
        "rsa-ee.der",
        "rsa-ca.der",
        &[],
    );
    assert_eq!(human.status.code(), Some(3));
    assert_eq!(
        stdout(&human).lines().collect::<Vec<_>>(),
        [
            "invalid: the signature algorithm is not among the allowed ones (unsupported_signature_algorithm)",
            "  hint:        if the responder signs with SHA-1, --allow-sha1 accepts it",
        ]
    );
    let sha1 = verify(
        "good-sha1-signature-allowed",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--json"],
    );
    assert_eq!(
        json_of(&sha1)["error"]["code"],
        "unsupported_signature_algorithm"
    );
    let allowed = verify(
        "good-sha1-signature-allowed",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--allow-sha1"],
    );
    assert_eq!(allowed.status.code(), Some(0));

    // --trusted-responder
    let trusted = generated("pki/trusted-responder.pem");
    let untrusted = verify(
        "good-trusted-responder",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--json"],
    );
    assert_eq!(json_of(&untrusted)["error"]["code"], "responder_not_found");
    let output = verify(
        "good-trusted-responder",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--trusted-responder", &trusted, "--json"],
    );
    assert_eq!(json_of(&output)["responder"], "trusted");

    // --skew and --max-age: a response 4 minutes ahead passes with the default skew only.
    let ahead = verify(
        "r13-this-update-within-skew",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--skew", "60", "--json"],
    );
    assert_eq!(json_of(&ahead)["error"]["code"], "response_not_yet_valid");
    for option in ["--max-age", "--max-age-without-next-update"] {
        let old = verify(
            "good-no-next-update",
            "rsa-ee.der",
            "rsa-ca.der",
            &[option, "60", "--json"],
        );
        assert_eq!(
            json_of(&old)["error"]["code"],
            "response_too_old",
            "{option}"
        );
    }
    // --max-age applies with nextUpdate too; --max-lifetime caps nextUpdate - thisUpdate.
    let old = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--max-age", "60", "--json"],
    );
    assert_eq!(json_of(&old)["error"]["code"], "response_too_old");
    let long = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--max-lifetime", "86400", "--json"],
    );
    assert_eq!(
        json_of(&long)["error"]["code"],
        "response_lifetime_too_long"
    );
    let json = json_of(&verify(
        "good-no-next-update",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--json"],
    ));
    assert_eq!(json["next_update"], Value::Null);
    assert_eq!(json["seconds_until_next_update"], Value::Null);

    // --at as unix seconds: one week later the response has expired.
    let later = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--at", "1768435200", "--json"],
    );
    assert_eq!(json_of(&later)["error"]["code"], "response_expired");
}

#[test]
fn usage_and_input_errors_exit_4() {
    let missing = verify("no-such-response", "rsa-ee.der", "rsa-ca.der", &[]);
    assert_eq!(missing.status.code(), Some(4));
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("cannot read the file")
    );

    // A response given where a certificate belongs.
    let response = generated("responses/good-rsa-ca.der");
    let not_a_cert = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &response,
        "--issuer",
        &response,
    ]);
    assert_eq!(not_a_cert.status.code(), Some(4));
    assert!(
        String::from_utf8(not_a_cert.stderr)
            .unwrap()
            .contains("not a usable certificate")
    );

    let json = verify("no-such-response", "rsa-ee.der", "rsa-ca.der", &["--json"]);
    assert_eq!(json.status.code(), Some(4));
    assert_eq!(json_of(&json)["error"]["code"], "input_error");

    assert_eq!(run(&["verify"]).status.code(), Some(4));
    assert_eq!(run(&["verify", "--bogus"]).status.code(), Some(4));
    let bad_time = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--at", "yesterday"],
    );
    assert_eq!(bad_time.status.code(), Some(4));
    let bad_nonce = verify(
        "good-rsa-ca",
        "rsa-ee.der",
        "rsa-ca.der",
        &["--nonce", "xyz"],
    );
    assert_eq!(bad_nonce.status.code(), Some(4));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn pem_responses_are_read() {
    use base64::Engine as _;
    let base64_lines = |der: &[u8]| {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        lines.join("\n")
    };
    let der = common::read("generated/responses/good-rsa-ca.der");
    let pem = format!(
        "-----BEGIN OCSP RESPONSE-----\n{}\n-----END OCSP RESPONSE-----\n",
        base64_lines(&der)
    );
    let dir = std::env::temp_dir().join(format!("ocsp-check-pem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("response.pem");
    std::fs::write(&path, pem).unwrap();
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let output = run(&[
        "verify",
        "--response",
        path.to_str().unwrap(),
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--at",
        NOW,
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn min_remaining_exits_5_for_a_good_answer_due_for_refresh() {
    // good-p256-ca: nextUpdate 2026-01-08T00:00:00Z, 601 200 seconds after the case's now.
    let output = verify(
        "good-p256-ca",
        "p256-ee.pem",
        "p256-ca.pem",
        &["--min-remaining", "601201"],
    );
    assert_eq!(output.status.code(), Some(5));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "good: the certificate is not revoked");
    assert_eq!(
        lines.last().unwrap(),
        &"  refresh:     6d 23h left, less than --min-remaining 601201 (6d 23h): fetch a new response"
    );
    // Exactly enough left: good.
    let output = verify(
        "good-p256-ca",
        "p256-ee.pem",
        "p256-ca.pem",
        &["--min-remaining", "601200", "--json"],
    );
    assert_eq!(output.status.code(), Some(0));
    // The JSON object is verify's, unchanged; the exit status says "refresh".
    let output = verify(
        "good-p256-ca",
        "p256-ee.pem",
        "p256-ca.pem",
        &["--min-remaining", "700000", "--json"],
    );
    assert_eq!(output.status.code(), Some(5));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["status"], "good");
    assert_eq!(json["seconds_until_next_update"], 601_200);
    // Only a good answer asks for a refresh: revoked stays 1.
    let output = verify(
        "revoked-key-compromise",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--min-remaining", "700000"],
    );
    assert_eq!(output.status.code(), Some(1));
    // Without nextUpdate, the deadline is thisUpdate + --max-age (1 day by default): 23 hours
    // left at the case's now.
    let output = verify(
        "good-no-next-update",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--min-remaining", "86400"],
    );
    assert_eq!(output.status.code(), Some(5));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("  refresh:     23h 0m left"), "{stdout}");
    let output = verify(
        "good-no-next-update",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--min-remaining", "3600"],
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn quiet_prints_nothing_but_input_errors() {
    for (case, cert, issuer, code) in [
        ("good-p256-ca", "p256-ee.pem", "p256-ca.pem", 0),
        ("revoked-key-compromise", "rsa-ee.pem", "rsa-ca.pem", 1),
        ("unknown-status", "rsa-ee.der", "rsa-ca.der", 2),
        ("r10-signature-bit-flipped", "rsa-ee.der", "rsa-ca.der", 3),
    ] {
        let output = verify(case, cert, issuer, &["--quiet"]);
        assert_eq!(output.status.code(), Some(code), "{case}");
        assert!(output.stdout.is_empty(), "{case}");
        assert!(output.stderr.is_empty(), "{case}");
    }
    let output = verify("good-p256-ca", "p256-ee.pem", "p256-ca.pem", &["-q"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    // An unreadable input still says why, on one line of stderr.
    let output = verify("no-such-response", "rsa-ee.der", "rsa-ca.der", &["--quiet"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    // --quiet and --json contradict each other.
    let output = verify(
        "good-p256-ca",
        "p256-ee.pem",
        "p256-ca.pem",
        &["--quiet", "--json"],
    );
    assert_eq!(output.status.code(), Some(4));
}

#[test]
fn an_expired_response_says_when() {
    // good-rsa-ca's nextUpdate is 2026-01-08T00:00:00Z; checked 3h 12m later.
    let at = "2026-01-08T03:12:00Z";
    let output = verify("good-rsa-ca", "rsa-ee.pem", "rsa-ca.pem", &["--at", at]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stdout(&output),
        "invalid: the response expired 3h 12m ago (nextUpdate 2026-01-08T00:00:00Z) \
         (response_expired)\n  producedAt:  2026-01-01T00:00:00Z\n  thisUpdate:  \
         2026-01-01T00:00:00Z (7d 3h ago)\n  nextUpdate:  2026-01-08T00:00:00Z (expired 3h 12m \
         ago)\n  checked at:  2026-01-08T03:12:00Z\n"
    );
    let output = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--at", at, "--json"],
    );
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["this_update"], "2026-01-01T00:00:00Z");
    assert_eq!(json["next_update"], "2026-01-08T00:00:00Z");
    assert_eq!(json["produced_at"], "2026-01-01T00:00:00Z");
    assert_eq!(json["seconds_until_next_update"], -(3 * 3600 + 12 * 60));
    assert_eq!(json["checked_at"], at);
    let error = json["error"].as_object().unwrap();
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = ERROR_KEYS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(json["error"]["code"], "response_expired");
    assert_eq!(json["error"]["time"], at);
    assert_eq!(json["error"]["not_after"], "2026-01-08T00:00:00Z");
    assert_eq!(json["error"]["not_before"], Value::Null);

    // Not yet valid: thisUpdate is in the future.
    let output = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--at", "2025-12-31T22:00:00Z"],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stdout(&output)
            .contains("\n  thisUpdate:  2026-01-01T00:00:00Z (2h 0m from now: not valid yet)\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn at_takes_now_and_says_why_a_time_is_refused() {
    let now = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--at", "now", "--json"],
    );
    assert_ne!(
        now.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&now.stderr)
    );
    for (at, words) in [
        ("1969-07-20T20:17:40Z", "is before 1970-01-01T00:00:00Z"),
        ("2026-02-30T00:00:00Z", "is not a date and time that exists"),
        (
            "yesterday",
            "is neither `now`, unix seconds, nor an RFC 3339 time",
        ),
    ] {
        let output = verify("good-rsa-ca", "rsa-ee.pem", "rsa-ca.pem", &["--at", at]);
        assert_eq!(output.status.code(), Some(4));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(words), "{at}: {stderr}");
    }
}

#[test]
fn nonces_with_colons_and_what_is_wrong_with_a_bad_one() {
    // A nonce given with colons, as openssl prints one, is read; the response has none.
    let output = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--nonce", "01:02:03:04:05:06:07:08", "--json"],
    );
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_of(&output)["error"]["code"], "missing_nonce");
    for (nonce, words) in [
        ("01:02:0", "5 hex digits: a nonce is whole bytes"),
        ("01-02", "`-` is not a hex digit"),
    ] {
        let output = verify(
            "good-rsa-ca",
            "rsa-ee.pem",
            "rsa-ca.pem",
            &["--nonce", nonce],
        );
        assert_eq!(output.status.code(), Some(4));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(words), "{nonce}: {stderr}");
    }
}

#[test]
fn usage_errors_under_json_print_the_object() {
    for args in [
        &["verify", "--json", "--bogus"][..],
        &["verify", "--json"],
        &[
            "verify",
            "--json",
            "--response",
            "r.der",
            "--cert",
            "c.pem",
            "--skew",
            "x",
        ],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(4), "{args:?}");
        let json = json_of(&output);
        assert_keys(&json);
        assert_eq!(json["status"], "invalid");
        assert_eq!(json["error"]["code"], "usage_error");
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // Without --json: clap's message, with one `error:` line.
    let output = run(&["verify", "--bogus"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
    // Each subcommand its own keys.
    let show = json_of(&run(&["show", "--json", "--bogus"]));
    assert!(
        show.get("response_status").is_some() && show.get("status").is_none(),
        "{show}"
    );
    let lint = json_of(&run(&["lint", "--json"]));
    assert!(lint.get("findings").is_some(), "{lint}");
    let tls = json_of(&run(&["tls", "--json"]));
    assert!(tls.get("tls_version").is_some(), "{tls}");
}

#[test]
fn durations_are_bounded() {
    let output = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--max-age", "9223372036854775807"],
    );
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("more than 100 years"), "{stderr}");
}

#[test]
fn min_remaining_near_the_end_says_so_plainly() {
    // 4 minutes past nextUpdate, still accepted within the 5-minute skew.
    let output = verify(
        "good-rsa-ca",
        "rsa-ee.pem",
        "rsa-ca.pem",
        &["--at", "2026-01-08T00:04:00Z", "--min-remaining", "3600"],
    );
    assert_eq!(output.status.code(), Some(5));
    let stdout = stdout(&output);
    assert!(
        stdout.contains(
            "\n  refresh:     no time left: it went stale 4m 0s ago and is accepted only within \
             the 5m 0s clock skew, less than --min-remaining 3600 (1h 0m): fetch a new response\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("-4m"), "{stdout}");
}
