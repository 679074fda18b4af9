//! Replays every input saved under `fuzz/regressions/TARGET/` through the very function the
//! fuzz target calls (`fuzz/src/entry.rs`, included here by path), so that a crash the fuzzer
//! once found stays fixed under a plain `cargo test`. The seeds (every DER file in
//! `test-vectors/`) go through the same functions, so the entry points' own assertions are
//! exercised even while no crash has been saved.

// The `verify` target uses both RustCrypto backends.
#![cfg(all(feature = "ecdsa", feature = "rsa"))]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../fuzz/src/entry.rs"]
mod entry;

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, extension: Option<&str>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                pending.push(path);
            } else if !name.starts_with('.')
                && !name.ends_with(".md")
                && extension.is_none_or(|e| path.extension().is_some_and(|x| x == e))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs every saved input of `target` through `run`; returns how many there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = root().join("fuzz/regressions").join(target);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let files = files_under(&dir, None);
    for file in &files {
        let data = std::fs::read(file).expect("regression input");
        eprintln!("replaying {}", file.display());
        run(&data);
    }
    files.len()
}

/// Runs every DER file of `test-vectors/` through `run`.
fn seeds(run: fn(&[u8])) -> usize {
    let files = files_under(&root().join("test-vectors"), Some("der"));
    for file in &files {
        run(&std::fs::read(file).expect("vector"));
    }
    files.len()
}

#[test]
fn parse_response_regressions_replay() {
    let saved = replay("parse_response", entry::parse_response);
    let seeded = seeds(entry::parse_response);
    eprintln!("parse_response: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}

#[test]
fn parse_certificate_regressions_replay() {
    let saved = replay("parse_certificate", entry::parse_certificate);
    let seeded = seeds(entry::parse_certificate);
    eprintln!("parse_certificate: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}

#[test]
fn verify_regressions_replay() {
    let saved = replay("verify", entry::verify);
    let seeded = seeds(entry::verify);
    eprintln!("verify: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}

#[test]
fn parse_request_regressions_replay() {
    let saved = replay("parse_request", entry::parse_request);
    let seeded = seeds(entry::parse_request);
    eprintln!("parse_request: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}

/// The CLI's input reader, compiled by path as the fuzz target compiles it; needs the `cli`
/// feature for its pem-rfc7468 dependency.
#[cfg(feature = "cli")]
#[path = "../fuzz/src/cli_input.rs"]
mod cli_input;

#[cfg(feature = "cli")]
#[test]
fn cli_input_regressions_replay() {
    let saved = replay("cli_input", cli_input::cli_input);
    let pem = files_under(&root().join("test-vectors"), Some("pem"));
    for file in &pem {
        cli_input::cli_input(&std::fs::read(file).expect("vector"));
    }
    let seeded = seeds(cli_input::cli_input) + pem.len();
    eprintln!("cli_input: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}

/// The exporter's request parser and the `--targets` parser, compiled by path as the fuzz
/// targets compile them; they need the `cli` feature for httparse, http and percent-encoding.
#[cfg(feature = "cli")]
#[path = "../fuzz/src/exporter_input.rs"]
mod exporter_input;

/// Runs every committed seed of `target` (`fuzz/seeds/TARGET/`) through `run`.
#[cfg(feature = "cli")]
fn committed_seeds(target: &str, run: fn(&[u8])) -> usize {
    let files = files_under(&root().join("fuzz/seeds").join(target), None);
    for file in &files {
        run(&std::fs::read(file).expect("seed"));
    }
    files.len()
}

#[cfg(feature = "cli")]
#[test]
fn exporter_request_regressions_replay() {
    let saved = replay("exporter_request", exporter_input::exporter_request);
    let seeded = committed_seeds("exporter_request", exporter_input::exporter_request);
    eprintln!("exporter_request: {saved} saved inputs, {seeded} seeds");
    assert!(seeded >= 11);
}

#[cfg(feature = "cli")]
#[test]
fn targets_file_regressions_replay() {
    let saved = replay("targets_file", exporter_input::targets_file);
    let seeded = committed_seeds("targets_file", exporter_input::targets_file);
    eprintln!("targets_file: {saved} saved inputs, {seeded} seeds");
    assert!(seeded >= 5);
}

/// The stapler's state-directory loader, compiled by path as the fuzz target compiles it.
#[cfg(feature = "stapler")]
#[path = "../fuzz/src/state_file.rs"]
mod state_file;

#[cfg(feature = "stapler")]
#[test]
fn state_file_regressions_replay() {
    let saved = replay("state_file", |data| {
        state_file::state_file(data);
    });
    // Every response of the vectors as a state file: those about tls-server that verify are
    // stapled and checked again (the good and the revoked one); the rest are refused.
    let seeded = seeds(|data| {
        state_file::state_file(data);
    });
    let stapled: Vec<_> = ["good", "revoked", "stale", "bad-signature", "for-other"]
        .iter()
        .map(|name| {
            let path = root().join(format!(
                "test-vectors/generated/responses/tls/tls-server-{name}.der"
            ));
            state_file::state_file(&std::fs::read(path).expect("vector"))
        })
        .collect();
    assert_eq!(stapled, [true, true, false, false, false]);
    eprintln!("state_file: {saved} saved inputs, {seeded} seeds");
    assert!(seeded > 100);
}
