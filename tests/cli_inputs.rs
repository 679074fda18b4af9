//! `ocsp-check` and the files it is given: every read is capped (an endless pipe is refused in
//! bounded time and memory), a file that holds something else says what it holds, and
//! fullchain bundles give the issuer.

#![cfg(all(feature = "cli", unix))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::cli::{endless_fifo, generated, json_of, run, run_within, scratch_dir, stderr, stdout};

const NOW: &str = "2026-01-01T01:00:00Z";

/// An endless FIFO in a fresh directory, and a symlink to it beside it.
fn endless(test: &str) -> (String, String) {
    let dir = scratch_dir(test);
    let fifo = dir.join("endless");
    endless_fifo(&fifo, b'A');
    let link = dir.join("link-to-endless");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    (fifo.display().to_string(), link.display().to_string())
}

/// Runs the tool with `endless` in the place of one file argument, and checks that it stops at
/// the cap, quickly, with one error line and exit 4.
fn refuses_endless(args: &[&str], cap: &str) {
    let (output, took) = run_within(args, None, Duration::from_secs(30));
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(4), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(&format!("more than {cap}")),
        "{args:?}: {stderr}"
    );
    assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
}

#[test]
fn every_file_argument_is_read_up_to_a_cap() {
    let (response, cert, issuer) = (
        generated("responses/good-rsa-ca.der"),
        generated("pki/rsa-ee.pem"),
        generated("pki/rsa-ca.pem"),
    );
    let (r, c, i) = (response.as_str(), cert.as_str(), issuer.as_str());
    // `E` stands for the endless input; the cap each argument has.
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["verify", "--response", "E", "--cert", c, "--issuer", i],
            "96 KiB",
        ),
        (
            vec!["verify", "--response", r, "--cert", "E", "--issuer", i],
            "1 MiB",
        ),
        (
            vec!["verify", "--response", r, "--cert", c, "--issuer", "E"],
            "1 MiB",
        ),
        (
            vec![
                "verify",
                "--response",
                r,
                "--cert",
                c,
                "--issuer",
                i,
                "--trusted-responder",
                "E",
            ],
            "1 MiB",
        ),
        (vec!["show", "E"], "96 KiB"),
        (vec!["request", "--cert", "E", "--issuer", i], "1 MiB"),
        (vec!["request", "--cert", c, "--issuer", "E"], "1 MiB"),
        (
            vec![
                "fetch",
                "--cert",
                "E",
                "--issuer",
                i,
                "--url",
                "http://127.0.0.1:9/",
            ],
            "1 MiB",
        ),
        (
            vec![
                "fetch",
                "--cert",
                c,
                "--issuer",
                "E",
                "--url",
                "http://127.0.0.1:9/",
            ],
            "1 MiB",
        ),
        (
            vec![
                "fetch",
                "--cert",
                c,
                "--issuer",
                i,
                "--trusted-responder",
                "E",
                "--url",
                "http://127.0.0.1:9/",
            ],
            "1 MiB",
        ),
        (vec!["lint", "--cert", "E"], "1 MiB"),
        (vec!["lint", "--cert", c, "--issuer", "E"], "1 MiB"),
        (vec!["tls", "127.0.0.1:9", "--ca", "E"], "1 MiB"),
    ];
    for (number, (args, cap)) in cases.iter().enumerate() {
        // A FIFO, then a symlink to one: a fresh writer for each run.
        for via_link in [false, true] {
            let (fifo, link) = endless(&format!("endless-{number}-{via_link}"));
            let endless = if via_link { link } else { fifo };
            let mut args: Vec<&str> = args
                .iter()
                .map(|a| if *a == "E" { endless.as_str() } else { a })
                .collect();
            if args[0] == "verify" {
                args.extend(["--at", NOW]);
            }
            refuses_endless(&args, cap);
        }
    }
}

#[test]
fn a_response_over_the_profile_cap_is_refused_before_parsing() {
    let dir = scratch_dir("big-response");
    let big = dir.join("big.der");
    std::fs::write(&big, vec![0x30; 64 * 1024 + 1]).unwrap();
    let output = run(&["show", big.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_eq!(json["error"]["code"], "input_error");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("65536 bytes"),
        "{json}"
    );
}

#[test]
fn mix_ups_say_what_the_file_holds() {
    let (response, cert, issuer) = (
        generated("responses/good-rsa-ca.der"),
        generated("pki/rsa-ee.pem"),
        generated("pki/rsa-ca.pem"),
    );
    let verify = |r: &str, c: &str, i: &str| {
        run(&[
            "verify",
            "--response",
            r,
            "--cert",
            c,
            "--issuer",
            i,
            "--at",
            NOW,
        ])
    };
    // A certificate given as the response.
    let output = verify(&cert, &cert, &issuer);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("this is a certificate, not an OCSP response"),
        "{}",
        stderr(&output)
    );
    // The DER certificate too.
    let output = verify(&generated("pki/rsa-ee.der"), &cert, &issuer);
    assert!(stderr(&output).contains("this is a certificate, not an OCSP response"));
    // A response given as the certificate.
    let output = verify(&response, &response, &issuer);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("this is an OCSP response (give it to --response)"),
        "{}",
        stderr(&output)
    );
    // An OCSP request given as the response.
    let request = generated("responses/openssl-responder-ca.request.der");
    let output = verify(&request, &cert, &issuer);
    assert!(
        stderr(&output).contains("this is an OCSP request"),
        "{}",
        stderr(&output)
    );
    // An empty file, anywhere.
    let dir = scratch_dir("empty");
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let empty = empty.display().to_string();
    for output in [
        verify(&empty, &cert, &issuer),
        verify(&response, &empty, &issuer),
        run(&["show", &empty]),
        run(&["lint", "--cert", &empty]),
    ] {
        assert_eq!(output.status.code(), Some(4));
        assert!(
            stderr(&output).ends_with(": the file is empty\n"),
            "{}",
            stderr(&output)
        );
    }
    // A URL given to tls.
    let output = run(&["tls", "https://example.com/path"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("is a URL (https://): give the server as HOST or HOST:PORT, as in `ocsp-check tls example.com`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn no_matching_answer_shows_the_serials() {
    // A response about rsa-ee (serial 1001), checked against another certificate of the same
    // CA, the responder's (serial 2001).
    let output = run(&[
        "verify",
        "--response",
        &generated("responses/good-rsa-ca.der"),
        "--cert",
        &generated("pki/rsa-responder.pem"),
        "--issuer",
        &generated("pki/rsa-ca.pem"),
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stdout = stdout(&output);
    assert!(stdout.contains("(no_matching_response)"), "{stdout}");
    assert!(
        stdout.contains("\n  certificate: serial 2001\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  response:    answers for serial 1001 "),
        "{stdout}"
    );
}

/// A PEM file of the given certificates, in order.
fn bundle(dir: &Path, name: &str, parts: &[&str]) -> String {
    let text: String = parts
        .iter()
        .map(|part| std::fs::read_to_string(generated(&format!("pki/{part}.pem"))).unwrap())
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn fullchain_bundles_give_the_issuer() {
    let dir = scratch_dir("bundles");
    let response = generated("responses/good-rsa-ca.der");
    let fullchain = bundle(&dir, "fullchain.pem", &["rsa-ee", "rsa-ca"]);
    let reversed = bundle(&dir, "ca+ee.pem", &["rsa-ca", "rsa-ee"]);
    let issuers = bundle(&dir, "issuers.pem", &["p256-ca", "tls/tls-root", "rsa-ca"]);

    // --cert fullchain.pem: the next certificate is the issuer.
    let output = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &fullchain,
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // --issuer bundle: searched for the certificate's issuer.
    let output = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &generated("pki/rsa-ee.pem"),
        "--issuer",
        &issuers,
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // ca+ee.pem: the wrong order is detected, not used.
    let output = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &reversed,
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("the bundle is in the wrong order"),
        "{}",
        stderr(&output)
    );
    // One certificate and no --issuer: say what to give.
    let output = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &generated("pki/rsa-ee.pem"),
        "--at",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("--issuer is not given"),
        "{}",
        stderr(&output)
    );
    // request takes the same bundles.
    let output = run(&[
        "request",
        "--cert",
        &fullchain,
        "--url",
        "http://ocsp.example/",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
