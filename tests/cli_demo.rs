//! `ocsp-check demo` run as a binary: its table, its JSON, and that it fails loudly when the
//! adapter disagrees with the documented policy table.

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

/// The rows as the human table prints them: case, staple, soft-fail, hard-fail, reason.
const ROWS: [&str; 6] = [
    "good                    tls-server-good           accept     accept     the staple says good",
    "revoked                 tls-server-revoked        reject     reject     the staple says revoked (keyCompromise)",
    "stale                   tls-server-stale          accept     reject     unusable staple: the response expired 7d 1h ago (nextUpdate 2025-12-25T00:00:00Z)",
    "forged signature        tls-server-bad-signature  reject     reject     invalid staple: the response signature does not verify",
    "no staple               (none)                    accept     reject     no staple",
    "must-staple, no staple  (none)                    reject     reject     no staple; the certificate is must-staple",
];

#[test]
fn the_table_matches_the_policy() {
    let output = run(&["demo"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(
            &"Clock: fixed at 2026-01-01T01:00:00Z (when the test PKI and its responses are valid)."
        ),
        "{stdout}"
    );
    let header = lines
        .iter()
        .position(|line| line.starts_with("case "))
        .expect("a header");
    assert_eq!(
        lines[header],
        "case                    staple                    soft-fail  hard-fail  reason"
    );
    assert_eq!(&lines[header + 1..header + 7], &ROWS[..]);
    assert!(
        lines.contains(&"Every row is what the policy table documents (src/policy.rs):"),
        "{stdout}"
    );
}

#[test]
fn json_rows() {
    let output = run(&["demo", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["clock"], "2026-01-01T01:00:00Z");
    assert_eq!(json["matches"], true);
    let rows = json["rows"].as_array().unwrap();
    let summary: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|row| {
            assert_eq!(row["matches"], true);
            for policy in ["soft_fail", "hard_fail"] {
                assert_eq!(row[policy]["verdict"], row[policy]["expected"]);
                assert_eq!(row[policy]["mismatch"], Value::Null);
            }
            (
                row["case"].as_str().unwrap().to_string(),
                row["soft_fail"]["verdict"].as_str().unwrap().to_string(),
                row["hard_fail"]["verdict"].as_str().unwrap().to_string(),
                row["soft_fail"]["situation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("good", "accept", "accept", "good"),
        ("revoked", "reject", "reject", "revoked"),
        ("stale", "accept", "reject", "staple_unusable"),
        ("forged signature", "reject", "reject", "staple_invalid"),
        ("no staple", "accept", "reject", "no_staple"),
        ("must-staple, no staple", "reject", "reject", "no_staple"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(rows[0]["staple"], "responses/tls/tls-server-good.der");
    assert_eq!(rows[5]["certificate"], "pki/tls/tls-server-muststaple.der");
}

#[test]
fn quiet_is_quiet() {
    let output = run(&["demo", "--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

/// A copy of the TLS vectors in which the "good" staple is the revoked one.
fn tampered_vectors() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/generated");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-demo-tampered-{}", std::process::id()));
    for sub in ["pki/tls", "responses/tls"] {
        std::fs::create_dir_all(target.join(sub)).unwrap();
        for entry in std::fs::read_dir(source.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(sub).join(entry.file_name())).unwrap();
        }
    }
    std::fs::copy(
        source.join("responses/tls/tls-server-revoked.der"),
        target.join("responses/tls/tls-server-good.der"),
    )
    .unwrap();
    target
}

#[test]
fn a_disagreement_fails_loudly() {
    let vectors = tampered_vectors();
    let output = run(&["demo", "--vectors", vectors.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: demo: the adapter disagrees with the documented policy table: `good` under \
             soft-fail: expected accept, the adapter said reject"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("; `good` under hard-fail: "), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\ngood                    tls-server-good           reject (!)"),
        "{stdout}"
    );
    assert!(stdout.contains("MISMATCH"), "{stdout}");

    let output = run(&["demo", "--json", "--vectors", vectors.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["matches"], false);
    assert_eq!(json["rows"][0]["matches"], false);
    assert_eq!(json["rows"][1]["matches"], true);
}

#[test]
fn missing_vectors_exit_4() {
    let output = run(&["demo", "--vectors", "/no/such/dir"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--vectors DIR"), "{stderr}");
}

#[test]
fn the_vectors_are_found_from_the_current_directory_not_the_build_machine() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let help = run(&["demo", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(!help.contains(manifest), "{help}");
    assert!(
        help.contains("test-vectors/generated in the current directory"),
        "{help}"
    );

    // From the checkout (cargo test runs here): found, and shown relative.
    let output = run(&["demo"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\nTest PKI and staples: test-vectors/generated\n"),
        "{stdout}"
    );
    // From a subdirectory: found in the parent.
    let (output, _) = common::cli::run_within(
        &["demo", "--quiet"],
        Some(&Path::new(manifest).join("src")),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Elsewhere, as an installed binary is (outside the checkout, whose target/ holds the
    // scratch space): it says what to pass.
    let elsewhere = std::env::temp_dir().join(format!("ocsp-check-demo-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).unwrap();
    let (output, _) = common::cli::run_within(
        &["demo"],
        Some(&elsewhere),
        std::time::Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no test-vectors/generated/ in "),
        "{stderr}"
    );
    assert!(
        stderr.contains("give the vectors with --vectors DIR"),
        "{stderr}"
    );
    assert!(!stderr.contains(manifest), "{stderr}");
    let _ = std::fs::remove_dir_all(&elsewhere);
}

/// With the loopback interface down (a fresh network namespace, `unshare -n`, when this
/// machine allows one), the client cannot reach the demo's server: the demo must say so and
/// exit 4 at once, not wait for ever on a server blocked in accept. Where `unshare -n` is not
/// allowed, the binary's own test (`demo::tests`) covers the same path with a dead port.
#[test]
fn a_loopback_that_is_down_exits_4_promptly() {
    let allowed = std::process::Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        eprintln!(
            "unshare -n is not allowed here: the in-binary test \
             an_unreachable_loopback_server_ends_the_demo_promptly covers this path"
        );
        return;
    }
    let mut command = std::process::Command::new("unshare");
    command.args(["-n", env!("CARGO_BIN_EXE_ocsp-check"), "demo"]);
    let (output, took) = common::cli::run_command_within(
        command,
        Some(Path::new(env!("CARGO_MANIFEST_DIR"))),
        std::time::Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr
            .starts_with("error: demo: the client cannot reach the demo's own server on loopback"),
        "{stderr}"
    );
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}
