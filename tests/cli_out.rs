//! `--out` of `fetch` and `request`: `-` is stdout; a regular file is replaced atomically and
//! keeps its mode and owner; a symlink is written through; a FIFO (or any file that is not a
//! regular one) is refused, and left alone.

#![cfg(all(feature = "cli", unix))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;

use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::cli::{generated, json_of, run_within, scratch_dir, stderr, stdout};
use support::{Answer, Canned};

const NOW: &str = "2026-01-01T01:00:00Z";

fn good() -> Vec<u8> {
    std::fs::read(generated("responses/good-rsa-ca.der")).unwrap()
}

/// `fetch --out OUT` from a server answering the good vector, run in `dir`.
fn fetch(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let server = Canned::start(Answer::ocsp(&good()));
    let (cert, issuer, url) = (
        generated("pki/rsa-ee.pem"),
        generated("pki/rsa-ca.pem"),
        server.url(),
    );
    let mut args = vec![
        "fetch",
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--url",
        &url,
        "--at",
        NOW,
        "--no-nonce",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    run_within(&args, Some(dir), Duration::from_secs(60)).0
}

/// `request --out OUT`, run in `dir`.
fn request(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let (cert, issuer) = (generated("pki/rsa-ee.pem"), generated("pki/rsa-ca.pem"));
    let mut args = vec![
        "request", "--cert", &cert, "--issuer", &issuer, "--out", out,
    ];
    args.extend_from_slice(extra);
    run_within(&args, Some(dir), Duration::from_secs(60)).0
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_fifo_is_refused_and_left_alone() {
    let dir = scratch_dir("out-fifo");
    let fifo = dir.join("staple.der");
    mkfifo(&fifo);
    for output in [
        fetch(&dir, "staple.der", &[]),
        request(&dir, "staple.der", &[]),
    ] {
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        let stderr = stderr(&output);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(
                "staple.der: is a FIFO (named pipe), not a regular file: refusing to replace it"
            ),
            "{stderr}"
        );
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }
    let output = fetch(&dir, "staple.der", &["--json"]);
    assert_eq!(output.status.code(), Some(4));
    let json = json_of(&output);
    assert_eq!(json["error"]["code"], "output_error");
    assert_eq!(
        json["status"], "good",
        "the answer is still reported: {json}"
    );
    assert!(json["out"].is_null());
    // A directory too.
    std::fs::create_dir(dir.join("a-directory")).unwrap();
    let output = request(&dir, "a-directory", &[]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("is a directory, not a regular file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_symlink_is_written_through() {
    let dir = scratch_dir("out-symlink");
    std::fs::create_dir(dir.join("real")).unwrap();
    let target = dir.join("real/staple.der");
    std::fs::write(&target, b"old").unwrap();
    std::os::unix::fs::symlink("real/staple.der", dir.join("link.der")).unwrap();
    let output = fetch(&dir, "link.der", &["--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(dir.join("link.der"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), good());
    let json = json_of(&output);
    assert_eq!(
        json["out"],
        std::fs::canonicalize(&target)
            .unwrap()
            .display()
            .to_string()
    );
    assert_eq!(json["out_bytes"], good().len());
    // No temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.join("real")).unwrap().count(), 1);
}

#[test]
fn dash_is_stdout() {
    let dir = scratch_dir("out-dash");
    let output = fetch(&dir, "-", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, good(), "stdout carries the DER alone");
    assert!(stderr(&output).starts_with("good: the certificate is not revoked\n"));
    assert!(
        stderr(&output).contains("\n  saved:       to stdout ("),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("-").exists(), "no file named -");
    let output = request(&dir, "-", &["--url", "http://ocsp.example/", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout[0], 0x30, "DER on stdout");
    let json: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(json["out"], "-");
    assert!(!dir.join("-").exists());
}

#[test]
fn a_replaced_file_keeps_its_mode_and_owner() {
    let dir = scratch_dir("out-mode");
    let staple = dir.join("staple.der");
    std::fs::write(&staple, b"old").unwrap();
    std::fs::set_permissions(&staple, std::fs::Permissions::from_mode(0o640)).unwrap();
    // Another owner, where this test may give one (as root); the mode is checked either way.
    let owner = std::os::unix::fs::chown(&staple, Some(4242), Some(4243)).is_ok();
    let output = fetch(&dir, "staple.der", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!(
            "\n  saved:       staple.der ({} bytes)\n",
            good().len()
        )),
        "{}",
        stdout(&output)
    );
    let metadata = std::fs::metadata(&staple).unwrap();
    assert_eq!(std::fs::read(&staple).unwrap(), good());
    assert_eq!(metadata.permissions().mode() & 0o7777, 0o640);
    if owner {
        assert_eq!((metadata.uid(), metadata.gid()), (4242, 4243));
    }
    let output = request(&dir, "staple.der", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let metadata = std::fs::metadata(&staple).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o7777, 0o640);
    if owner {
        assert_eq!((metadata.uid(), metadata.gid()), (4242, 4243));
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
}
