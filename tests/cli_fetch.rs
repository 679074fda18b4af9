//! `ocsp-check request` and `ocsp-check fetch` run as binaries: the request and its GET URL,
//! and fetching from an in-test HTTP server answering with the shipped vectors, nonsense, or
//! nothing, and from a real `openssl ocsp` responder when the openssl CLI is there.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;

use common::cli::{generated, json_of, run, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use base64::Engine as _;
use ocsp_verify::requests::OcspRequest;
use ocsp_verify::{Certificate, Issuer, UnixTime, Verifier, rustcrypto};
use support::{Answer, Canned, GOOD_SERIAL, Pki, REVOKED_SERIAL, Responder};

const NOW: &str = "2026-01-01T01:00:00Z";

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(generated(&format!("responses/{name}.der"))).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-fetch");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// `fetch` about rsa-ee (issued by rsa-ca) from `url`, at the vectors' time.
fn fetch(url: &str, extra: &[&str]) -> Output {
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let mut args = vec![
        "fetch", "--cert", &cert, "--issuer", &issuer, "--url", url, "--at", NOW,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// `verify` of a vector about rsa-ee, for comparison.
fn verify(name: &str, extra: &[&str]) -> Output {
    let response = generated(&format!("responses/{name}.der"));
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let mut args = vec![
        "verify",
        "--response",
        &response,
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--at",
        NOW,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

// request

#[test]
fn request_prints_the_get_url_and_writes_the_der() {
    let out = scratch("request.der");
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let out_str = out.display().to_string();
    let output = run(&[
        "request", "--cert", &cert, "--issuer", &issuer, "--out", &out_str,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let der = std::fs::read(&out).unwrap();
    // The same request as `openssl ocsp` made for the committed vector (SHA-1, no nonce).
    assert_eq!(der, vector("openssl-responder-ca.request"));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(&der)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert_eq!(
        lines[0],
        format!("url:      http://127.0.0.1:8888/{encoded}")
    );
    assert_eq!(
        lines[1],
        "method:   GET (the URL is shorter than 255 bytes)"
    );
    assert_eq!(lines[2], "certID:   SHA-1, serial 1001");
    assert_eq!(
        lines[3],
        format!("request:  {out_str} ({} bytes, DER)", der.len())
    );
}

#[test]
fn request_with_nonce_and_sha256_in_json() {
    let (cert, issuer) = (generated("pki/p256-ee.pem"), generated("pki/p256-ca.pem"));
    let output = run(&[
        "request",
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--nonce",
        "--sha256",
        "--url",
        "http://ocsp.example/",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "error",
            "hash_algorithm",
            "method",
            "nonce",
            "out",
            "request",
            "responder",
            "serial",
            "url"
        ]
    );
    assert_eq!(json["hash_algorithm"], "SHA-256");
    assert_eq!(json["method"], "GET");
    assert_eq!(json["responder"], "http://ocsp.example/");
    assert!(
        json["url"]
            .as_str()
            .unwrap()
            .starts_with("http://ocsp.example/MIG")
    );
    let nonce = json["nonce"].as_str().unwrap();
    assert_eq!(nonce.len(), 64, "32 bytes in hex");
    let der = base64::engine::general_purpose::STANDARD
        .decode(json["request"].as_str().unwrap())
        .unwrap();
    let request = OcspRequest::from_der(&der).unwrap();
    let sent = request.nonce().unwrap().unwrap();
    assert_eq!(support_hex(sent), nonce);
    // Two requests, two nonces.
    let again = json_of(&run(&[
        "request", "--cert", &cert, "--issuer", &issuer, "--nonce", "--json",
    ]));
    assert_ne!(again["nonce"], json["nonce"]);
}

#[test]
fn request_too_long_for_get_says_post() {
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let url = format!("http://ocsp.example/{}", "long/".repeat(20));
    let output = run(&[
        "request", "--cert", &cert, "--issuer", &issuer, "--nonce", "--url", &url,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[1],
        format!(
            "method:   POST the DER to {url} with Content-Type application/ocsp-request (the \
             GET URL is 255 bytes or longer)"
        )
    );
}

fn support_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn request_input_errors_exit_4() {
    let (cert, ca) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    // Not the issuer.
    let p256 = generated("pki/p256-ca.pem");
    let output = run(&["request", "--cert", &cert, "--issuer", &p256, "--json"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(json_of(&output)["error"]["code"], "issuer_name_mismatch");
    // No AIA (a CA certificate about itself) and no --url.
    let output = run(&["request", "--cert", &ca, "--issuer", &ca]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).starts_with("error: the certificate names no http:// OCSP responder"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        run(&["request", "--cert", "/no/such", "--issuer", &ca])
            .status
            .code(),
        Some(4)
    );
}

// fetch from the in-test HTTP server

#[test]
fn fetch_prints_what_verify_prints() {
    let server = Canned::start(Answer::ocsp(&vector("good-rsa-ca")));
    // JSON: verify's object, and which URL answered and what was saved.
    let fetched = json_of(&fetch(&server.url(), &["--no-nonce", "--json"]));
    let mut verified = json_of(&verify("good-rsa-ca", &["--json"]));
    let object = verified.as_object_mut().unwrap();
    object.insert("url".into(), server.url().into());
    object.insert("out".into(), serde_json::Value::Null);
    object.insert("out_bytes".into(), serde_json::Value::Null);
    assert_eq!(fetched, verified);
    // Human: verify's lines, then where the answer came from.
    let fetched = fetch(&server.url(), &["--no-nonce"]);
    assert_eq!(fetched.status.code(), Some(0), "{}", stderr(&fetched));
    let verified = common::cli::stdout(&verify("good-rsa-ca", &[]));
    assert_eq!(
        common::cli::stdout(&fetched),
        format!("{verified}  fetched:     from {}\n", server.url())
    );
    // The request went by GET, under the responder URL.
    let requests = server.requests.lock().unwrap();
    assert!(
        requests[0].starts_with(b"GET /M"),
        "{:?}",
        &requests[0][..8]
    );
}

#[test]
fn fetch_saves_a_verified_response_for_stapling() {
    let good = vector("good-rsa-ca");
    let server = Canned::start(Answer::ocsp(&good));
    let out = scratch("staple.der");
    let out_str = out.display().to_string();
    let output = fetch(&server.url(), &["--no-nonce", "--out", &out_str, "--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), good);

    // A revoked answer verifies, is saved (replacing the good one), and exits 1.
    let revoked = vector("revoked-key-compromise");
    let server = Canned::start(Answer::ocsp(&revoked));
    let output = fetch(&server.url(), &["--no-nonce", "--out", &out_str, "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_of(&output)["status"], "revoked");
    assert_eq!(std::fs::read(&out).unwrap(), revoked);

    // A response that does not verify is not saved: the file keeps the last verified one.
    let server = Canned::start(Answer::ocsp(&vector("r10-signature-bit-flipped")));
    let output = fetch(&server.url(), &["--no-nonce", "--out", &out_str, "--json"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_of(&output)["error"]["code"], "invalid_signature");
    assert_eq!(std::fs::read(&out).unwrap(), revoked);
}

#[test]
fn fetch_sends_a_nonce_unless_told_not_to() {
    // The committed response carries no nonce: with the default nonce it is refused.
    let server = Canned::start(Answer::ocsp(&vector("good-rsa-ca")));
    let output = fetch(&server.url(), &["--json"]);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["error"]["code"], "missing_nonce");
    let output = fetch(&server.url(), &[]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        common::cli::stdout(&output).contains("\n  hint:        the responder ignores nonces"),
        "{}",
        common::cli::stdout(&output)
    );
    // The request carried a 32-byte nonce.
    let requests = server.requests.lock().unwrap();
    let line = String::from_utf8_lossy(&requests[0]);
    let path = line.split_whitespace().nth(1).unwrap();
    let encoded = path
        .trim_start_matches('/')
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=");
    let der = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let request = OcspRequest::from_der(&der).unwrap();
    assert_eq!(request.nonce().unwrap().map(<[u8]>::len), Some(32));
}

#[test]
fn min_remaining_asks_for_a_refresh() {
    let server = Canned::start(Answer::ocsp(&vector("good-rsa-ca")));
    // 601 200 seconds (6d 23h) remain at the vectors' time.
    let output = fetch(&server.url(), &["--no-nonce", "--min-remaining", "700000"]);
    assert_eq!(output.status.code(), Some(5));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("good: the certificate is not revoked\n"));
    // Just fetched: fetching again now would not help, and the words do not say to.
    assert!(
        stdout.contains(
            "\n  refresh:     6d 23h left, less than --min-remaining 700000 (8d 2h), although just \
             fetched: the responder's newest answer is already that close to its end\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("refresh now"), "{stdout}");
    let output = fetch(&server.url(), &["--no-nonce", "--min-remaining", "601200"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn unreachable_slow_and_nonsense_exit_3_with_a_code() {
    let dead = format!("http://127.0.0.1:{}/", support::dead_port());
    let output = fetch(&dead, &["--no-nonce", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let json = json_of(&output);
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["error"]["code"], "responder_unreachable");

    // Human: one line on stderr, even with --quiet.
    for extra in [&[][..], &["--quiet"]] {
        let mut args = vec!["--no-nonce"];
        args.extend_from_slice(extra);
        let output = fetch(&dead, &args);
        assert_eq!(output.status.code(), Some(3));
        assert!(output.stdout.is_empty());
        let stderr = stderr(&output);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: the OCSP responder at {dead} is unreachable"
            )),
            "{stderr}"
        );
    }

    let silent = Canned::start(Answer::Silent(Duration::from_secs(5)));
    let output = fetch(&silent.url(), &["--no-nonce", "--timeout", "1", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_of(&output)["error"]["code"], "responder_timeout");

    for (answer, code) in [
        (Answer::ocsp(b"<html>hello</html>"), "bad_der"),
        (
            Answer::http("200 OK", Some("text/html"), &vector("good-rsa-ca")),
            "bad_content_type",
        ),
        (Answer::http("404 Not Found", None, b""), "http_status"),
        (
            Answer::http("503 Service Unavailable", None, b""),
            "http_status",
        ),
        (
            Answer::Stream {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\r\n"
                    .to_vec(),
                total: 200_000,
            },
            "response_too_large",
        ),
        (
            Answer::Bytes(b"SSH-2.0-OpenSSH\r\n".to_vec()),
            "http_protocol",
        ),
    ] {
        let server = Canned::start(answer);
        let output = fetch(&server.url(), &["--no-nonce", "--json"]);
        assert_eq!(output.status.code(), Some(3), "{code}");
        let json = json_of(&output);
        assert_eq!(json["error"]["code"], code, "{json}");
        assert_eq!(json["status"], "invalid");
    }
}

#[test]
fn fetch_says_what_it_did() {
    let good = vector("good-rsa-ca");
    let server = Canned::start(Answer::ocsp(&good));
    let out = scratch("said.der");
    let out_str = out.display().to_string();
    let output = fetch(&server.url(), &["--no-nonce", "--out", &out_str]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = common::cli::stdout(&output);
    assert!(
        stdout.contains(&format!("\n  fetched:     from {}\n", server.url())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "\n  saved:       {out_str} ({} bytes)\n",
            good.len()
        )),
        "{stdout}"
    );
    let output = fetch(&server.url(), &["--no-nonce", "--out", &out_str, "--json"]);
    let json = json_of(&output);
    assert_eq!(json["url"], server.url());
    assert_eq!(json["out"], out_str);
    assert_eq!(json["out_bytes"], good.len());
}

#[test]
fn failures_are_named_plainly() {
    // An HTTP 500 is an answer from a failing server, not an unreachable one.
    let server = Canned::start(Answer::http("500 Internal Server Error", None, b""));
    let output = fetch(&server.url(), &["--no-nonce"]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert_eq!(
        text,
        format!(
            "error: the OCSP responder at {} answered HTTP 500 (a server error): it is up, but \
             could not answer\n",
            server.url()
        )
    );
    assert!(!text.contains("unreachable"), "{text}");
    // A content type, as it was sent.
    let server = Canned::start(Answer::http(
        "200 OK",
        Some("text/html"),
        &vector("good-rsa-ca"),
    ));
    let text = stderr(&fetch(&server.url(), &["--no-nonce"]));
    assert!(
        text.contains("answered with content type text/html, not application/ocsp-response"),
        "{text}"
    );
    assert!(!text.contains("Some("), "{text}");
    // An https:// URL is not a responder URL: a usage error, not an unreachable responder.
    let output = fetch("https://ocsp.example.com/", &["--no-nonce", "--json"]);
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_eq!(json["error"]["code"], "invalid_url");
    assert_eq!(
        json["serial"], "1001",
        "the certificate is named even when nothing was asked"
    );
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not an http:// URL")
    );
}

#[test]
fn timeouts_are_validated_not_overflowed() {
    for (timeout, words) in [
        ("0", "a timeout of 0 seconds would give up before starting"),
        ("9223372036854775807", "more than the longest timeout"),
    ] {
        let output = fetch("http://127.0.0.1:9/", &["--timeout", timeout]);
        assert_eq!(output.status.code(), Some(4));
        let text = stderr(&output);
        assert!(text.contains(words), "{text}");
        assert!(!text.contains("panicked"), "{text}");
    }
}

#[test]
fn fetch_usage_and_input_errors_exit_4() {
    let ca = generated("pki/rsa-ca.pem");
    // A certificate that names no responder, and no --url.
    let output = run(&["fetch", "--cert", &ca, "--issuer", &ca, "--json"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(json_of(&output)["error"]["code"], "no_responder_url");
    let output = fetch("http://127.0.0.1:1/", &["--bogus"]);
    assert_eq!(output.status.code(), Some(4));
    let output = run(&["fetch", "--cert", "/no/such", "--issuer", &ca, "--json"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(json_of(&output)["error"]["code"], "input_error");
}

// fetch from a real responder

#[test]
fn fetch_from_openssl_ocsp_with_a_nonce() {
    support::require_openssl("cli_fetch_from_openssl_ocsp");
    let pki = Pki::new("cli-fetch");
    let responder = Responder::start(&pki);
    let good = pki.leaf("good", GOOD_SERIAL, &[&responder.url()]);
    let revoked = pki.leaf("revoked", REVOKED_SERIAL, &[&responder.url()]);
    let ca = pki.dir.join("ca.pem").display().to_string();
    let write = |name: &str, der: &[u8]| {
        let path = pki.dir.join(name);
        std::fs::write(&path, der).unwrap();
        path.display().to_string()
    };
    let (good, revoked) = (write("good.der", &good), write("revoked.der", &revoked));
    let out = pki.dir.join("staple.der");
    let out_str = out.display().to_string();

    // The AIA URL, a fresh nonce, the system clock.
    let output = run(&[
        "fetch", "--cert", &good, "--issuer", &ca, "--out", &out_str, "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = json_of(&output);
    assert_eq!(json["status"], "good");
    assert_eq!(json["responder"], "delegated");
    // The saved staple verifies on its own.
    let staple = std::fs::read(&out).unwrap();
    let cert = std::fs::read(&good).unwrap();
    let issuer = pki.ca_der();
    Verifier::new(rustcrypto::ALL)
        .verify(
            &staple,
            &Certificate::from_der(&cert).unwrap(),
            &Issuer::from(&Certificate::from_der(&issuer).unwrap()),
            None,
            UnixTime::now(),
        )
        .unwrap();

    let output = run(&["fetch", "--cert", &revoked, "--issuer", &ca]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("revoked: since 2025-01-01T00:00:00Z, reason keyCompromise\n"));
}
