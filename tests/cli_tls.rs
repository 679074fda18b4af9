//! `ocsp-check tls` run as a binary against a rustls server on loopback that staples chosen
//! vectors: the verdict and exit status under soft-fail and hard-fail, the JSON keys, the human
//! lines, and a connection that cannot be made.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod tls;

use common::cli::{json_of, run, stdout};
use std::net::TcpListener;
use std::process::Output;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::{ProtocolVersion, ServerConfig, ServerConnection};
use serde_json::Value;
use tls::Server;

const NOW: &str = "2026-01-01T01:00:00Z";

fn root() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/generated/pki/tls/tls-root.pem"
    )
    .to_string()
}

/// A server for one connection on 127.0.0.1; returns its port and the thread.
fn serve(config: Arc<ServerConfig>) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut connection = ServerConnection::new(config).unwrap();
        while connection.is_handshaking() {
            if connection.complete_io(&mut stream).is_err() {
                return;
            }
        }
        let _ = connection.complete_io(&mut stream);
    });
    (port, thread)
}

/// Runs `ocsp-check tls` against a server presenting `server` and stapling `staple`.
fn tls(server: Server, staple: Option<&str>, extra: &[&str]) -> Output {
    tls_trusting(&root(), server, staple, extra)
}

/// [`tls`] with `--ca ROOT`.
fn tls_trusting(root: &str, server: Server, staple: Option<&str>, extra: &[&str]) -> Output {
    let config = tls::server_config(server, staple.map(tls::response), ProtocolVersion::TLSv1_3);
    let (port, thread) = serve(config);
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "tls",
        &target,
        "--servername",
        "localhost",
        "--ca",
        root,
        "--at",
        NOW,
    ];
    args.extend_from_slice(extra);
    let output = run(&args);
    thread.join().unwrap();
    output
}

const KEYS: [&str; 23] = [
    "server",
    "server_name",
    "address",
    "policy",
    "tls_version",
    "verdict",
    "situation",
    "stapled",
    "must_staple",
    "certificate",
    "status",
    "this_update",
    "next_update",
    "produced_at",
    "responder",
    "revocation_time",
    "revocation_reason",
    "seconds_until_next_update",
    "fresh_until",
    "seconds_left",
    "staple_error",
    "error",
    "exit",
];

fn assert_keys(json: &Value) {
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn good_staple_is_accepted_under_both_policies() {
    for policy in ["soft", "hard"] {
        let output = tls(
            Server::Intermediate,
            Some("tls/tls-server-good"),
            &["--policy", policy, "--json"],
        );
        assert_eq!(output.status.code(), Some(0), "{policy}");
        let json = json_of(&output);
        assert_keys(&json);
        assert_eq!(json["verdict"], "accept");
        assert_eq!(json["situation"], "good");
        assert_eq!(json["status"], "good");
        assert_eq!(json["stapled"], true);
        assert_eq!(json["must_staple"], false);
        assert_eq!(json["tls_version"], "TLSv1.3");
        assert_eq!(json["server_name"], "localhost");
        assert_eq!(json["responder"], "issuer");
        assert_eq!(json["this_update"], "2026-01-01T00:00:00Z");
        assert_eq!(json["next_update"], "2026-01-08T00:00:00Z");
        assert_eq!(json["seconds_until_next_update"], 601_200);
        assert_eq!(json["error"], Value::Null);
        assert_eq!(json["staple_error"], Value::Null);
        assert_eq!(
            json["certificate"]["subject"],
            "CN=localhost,O=ocsp-verify test,C=XX"
        );
    }
    let output = tls(Server::Intermediate, Some("tls/tls-server-good"), &[]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "accepted under hard-fail: the staple says good");
    assert!(
        lines[1].starts_with("  server:      localhost (127.0.0.1:"),
        "{text}"
    );
    assert!(lines[1].ends_with(", TLSv1.3"), "{text}");
    assert!(text.contains("\n  must-staple: no\n"), "{text}");
    assert!(text.contains("\n  staple:      good\n"), "{text}");
    assert!(
        text.contains("\n  nextUpdate:  2026-01-08T00:00:00Z (6d 23h left)\n"),
        "{text}"
    );
}

/// A server certificate issued directly by the root: its staple is judged against the root the
/// client trusts (its name and key, as a trust anchor), so no intermediate is needed.
#[test]
fn a_certificate_issued_by_the_root_is_judged_against_the_root() {
    let output = tls(
        Server::Direct,
        Some("tls/tls-server-direct-good"),
        &["--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let json = json_of(&output);
    assert_eq!(json["verdict"], "accept");
    assert_eq!(json["status"], "good");
    assert_eq!(json["responder"], "issuer");
    // The intermediate's staple for the same server is about another certificate.
    let output = tls(Server::Direct, Some("tls/tls-server-good"), &["--json"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        json_of(&output)["staple_error"]["code"],
        "no_matching_response"
    );
}

#[test]
fn revoked_staple_is_refused_with_exit_1() {
    for policy in ["soft", "hard"] {
        let output = tls(
            Server::Intermediate,
            Some("tls/tls-server-revoked"),
            &["--policy", policy, "--json"],
        );
        assert_eq!(output.status.code(), Some(1), "{policy}");
        let json = json_of(&output);
        assert_eq!(json["verdict"], "reject");
        assert_eq!(json["status"], "revoked");
        assert_eq!(json["revocation_reason"], "keyCompromise");
        assert_eq!(json["error"]["code"], "revoked");
    }
    let output = tls(Server::Intermediate, Some("tls/tls-server-revoked"), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .starts_with("refused under hard-fail: the staple says revoked (keyCompromise)\n")
    );
}

#[test]
fn unknown_staple_is_refused_with_exit_2() {
    let output = tls(
        Server::Intermediate,
        Some("tls/tls-server-unknown"),
        &["--policy", "soft", "--json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_of(&output)["error"]["code"], "unknown");
}

#[test]
fn no_staple_is_accepted_only_under_soft_fail() {
    let output = tls(Server::Intermediate, None, &["--policy", "soft", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_eq!(json["verdict"], "accept");
    assert_eq!(json["situation"], "no_staple");
    assert_eq!(json["stapled"], false);
    assert_eq!(json["status"], Value::Null);
    assert_eq!(json["error"], Value::Null);

    let output = tls(Server::Intermediate, None, &["--policy", "hard", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["verdict"], "reject");
    assert_eq!(json["error"]["code"], "no_staple");

    let output = tls(Server::Intermediate, None, &[]);
    assert_eq!(output.status.code(), Some(3));
    let text = stdout(&output);
    assert!(
        text.starts_with("refused under hard-fail: no staple\n"),
        "{text}"
    );
    assert!(text.contains("\n  staple:      none\n"), "{text}");
}

#[test]
fn stale_staple_is_taken_as_absent_under_soft_fail() {
    let output = tls(
        Server::Intermediate,
        Some("tls/tls-server-stale"),
        &["--policy", "soft", "--json"],
    );
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_eq!(json["situation"], "staple_unusable");
    assert_eq!(json["staple_error"]["code"], "response_expired");
    assert_eq!(json["error"], Value::Null);

    let output = tls(
        Server::Intermediate,
        Some("tls/tls-server-stale"),
        &["--policy", "hard", "--json"],
    );
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["error"]["code"], "response_expired");
    // The handshake got as far as the staple: the address and the version are known.
    assert!(
        json["address"].as_str().unwrap().starts_with("127.0.0.1:"),
        "{json}"
    );
    assert_eq!(json["tls_version"], "TLSv1.3");
    // When: the times the refused staple states, and those of the refusal.
    assert_eq!(json["this_update"], "2025-12-20T00:00:00Z");
    assert_eq!(json["next_update"], "2025-12-25T00:00:00Z");
    assert_eq!(json["seconds_until_next_update"], -(7 * 86_400 + 3600));
    assert_eq!(json["staple_error"]["not_after"], "2025-12-25T00:00:00Z");
    assert_eq!(json["staple_error"]["time"], NOW);

    let output = tls(Server::Intermediate, Some("tls/tls-server-stale"), &[]);
    let text = stdout(&output);
    assert!(
        text.contains("\n  nextUpdate:  2025-12-25T00:00:00Z (expired 7d 1h ago)\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  checked at:  2026-01-01T01:00:00Z\n"),
        "{text}"
    );
    assert!(text.contains(", TLSv1.3\n"), "{text}");
}

#[test]
fn a_refused_chain_still_has_its_staple_judged() {
    // The server's chain is fine, but --ca is an unrelated root: webpki refuses the chain,
    // the adapter never sees the staple; the tool judges it against the intermediate sent.
    let other_root = common::cli::generated("pki/rsa-ca.pem");
    let output = tls_trusting(
        &other_root,
        Server::Intermediate,
        Some("tls/tls-server-good"),
        &["--json"],
    );
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["error"]["code"], "certificate_rejected");
    assert_eq!(json["verdict"], Value::Null);
    assert_eq!(json["status"], "good");
    assert_eq!(json["stapled"], true);
    assert_eq!(json["next_update"], "2026-01-08T00:00:00Z");

    let output = tls_trusting(
        &other_root,
        Server::Intermediate,
        Some("tls/tls-server-revoked"),
        &[],
    );
    assert_eq!(output.status.code(), Some(4));
    let text = stdout(&output);
    assert!(
        text.starts_with("no connection: the server's certificate was refused"),
        "{text}"
    );
    assert!(text.contains("\n  staple:      revoked since "), "{text}");
    assert!(
        text.contains("(judged against the chain the server sent; the chain itself was refused)"),
        "{text}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the server's certificate was refused"),
        "{stderr}"
    );
}

#[test]
fn one_deadline_bounds_a_server_that_drips_bytes() {
    // A server that announces a 16 KiB handshake record, then sends one byte every 200 ms for
    // up to 30 seconds: each read returns in time, only a deadline for the whole
    // handshake ends it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dripper = thread::spawn(move || {
        use std::io::Write as _;
        let (mut stream, _) = listener.accept().unwrap();
        if stream.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]).is_err() {
            return;
        }
        for _ in 0..150 {
            thread::sleep(Duration::from_millis(200));
            if stream.write_all(&[0x00]).is_err() {
                return;
            }
        }
    });
    let target = format!("127.0.0.1:{port}");
    let (output, took) = common::cli::run_within(
        &["tls", &target, "--ca", &root(), "--timeout", "2", "--json"],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_eq!(json["error"]["code"], "timeout", "{json}");
    assert!(
        took < Duration::from_secs(10),
        "the handshake took {took:?}"
    );
    drop(dripper);
}

#[test]
fn timeouts_are_validated() {
    for (timeout, words) in [
        ("0", "a timeout of 0 seconds would give up before starting"),
        ("9223372036854775807", "more than the longest timeout"),
    ] {
        let output = run(&["tls", "127.0.0.1:9", "--timeout", timeout]);
        assert_eq!(output.status.code(), Some(4));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(words), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn forged_staple_is_refused_with_the_verifiers_code() {
    let output = tls(
        Server::Intermediate,
        Some("tls/tls-server-bad-signature"),
        &["--policy", "soft", "--json"],
    );
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["situation"], "staple_invalid");
    assert_eq!(json["error"]["code"], "invalid_signature");
}

#[test]
fn must_staple_without_staple_is_refused_under_soft_fail() {
    let output = tls(Server::MustStaple, None, &["--policy", "soft", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["must_staple"], true);
    assert_eq!(json["error"]["code"], "must_staple");

    let output = tls(Server::MustStaple, None, &["--policy", "soft"]);
    let text = stdout(&output);
    assert!(
        text.starts_with("refused under soft-fail: no staple; the certificate is must-staple\n"),
        "{text}"
    );
    assert!(text.contains("\n  must-staple: yes\n"), "{text}");
}

#[test]
fn quiet_prints_nothing() {
    let output = tls(Server::Intermediate, None, &["--quiet"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    assert!(output.stderr.is_empty());
}

#[test]
fn no_connection_exits_4() {
    // Refused: a port nothing listens on.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let target = format!("127.0.0.1:{port}");
    let output = run(&["tls", &target, "--ca", &root(), "--json"]);
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_keys(&json);
    assert_eq!(json["error"]["code"], "connection_refused");
    assert_eq!(json["verdict"], Value::Null);

    let output = run(&["tls", &target, "--ca", &root()]);
    assert_eq!(output.status.code(), Some(4));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with(&format!("error: {target}: the connection was refused")));
}

#[test]
fn a_chain_the_roots_refuse_exits_4() {
    // The server's chain lacks the intermediate: webpki refuses it before any OCSP check.
    let output = tls(
        Server::MissingIntermediate,
        Some("tls/tls-server-good"),
        &["--json"],
    );
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_eq!(json["error"]["code"], "certificate_rejected");
    assert_eq!(json["verdict"], Value::Null);
    // Nothing to judge the staple against: said so, not guessed.
    assert_eq!(json["stapled"], true);
    assert_eq!(json["status"], Value::Null);
    assert_eq!(json["staple_error"]["code"], "issuer_not_found");
    let output = tls(
        Server::MissingIntermediate,
        Some("tls/tls-server-good"),
        &[],
    );
    assert!(
        stdout(&output)
            .contains("\n  staple:      not judged: neither the certificates the server sent"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn usage_errors_exit_4() {
    assert_eq!(run(&["tls"]).status.code(), Some(4));
    assert_eq!(run(&["tls", "127.0.0.1:notaport"]).status.code(), Some(4));
    assert_eq!(
        run(&["tls", "127.0.0.1:1", "--policy", "lenient"])
            .status
            .code(),
        Some(4)
    );
    assert_eq!(
        run(&["tls", "127.0.0.1:1", "--ca", "/no/such/file"])
            .status
            .code(),
        Some(4)
    );
}
