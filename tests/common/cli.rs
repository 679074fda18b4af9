//! Running the `ocsp-check` binary from the CLI tests.

use std::process::{Command, Output};

use serde_json::Value;

/// Runs `ocsp-check` with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocsp-check"))
        .args(args)
        .output()
        .expect("runs")
}

/// The one JSON object a `--json` run prints: exactly one line on stdout.
pub fn json_of(output: &Output) -> Value {
    let stdout = stdout(output);
    assert_eq!(
        stdout.lines().count(),
        1,
        "exactly one line of JSON: {stdout}"
    );
    serde_json::from_str(&stdout).expect("JSON")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 on stdout")
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 on stderr")
}

/// A path under `test-vectors/generated/`, as the tool takes it.
pub fn generated(path: &str) -> String {
    super::vectors()
        .join("generated")
        .join(path)
        .display()
        .to_string()
}
