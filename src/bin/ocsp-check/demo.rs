//! `ocsp-check demo`: the rustls adapter under soft-fail and hard-fail, against a loopback
//! server stapling the shipped vectors, with the policy table checked row by row.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ocsp_verify::{TlsFeatures, UnixTime, Verdict};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde::Serialize;

use crate::Exit;
use crate::connect::{Client, Failure, Handshake, Roots, serve_once};
use crate::report::{self, ErrorReport, Format};
use crate::time::rfc3339;
use crate::tls::PolicyName;

pub(crate) const LONG_ABOUT: &str = "\
The main job for a newcomer, with no network and no setup: start a rustls server on loopback \
that staples responses from the shipped test vectors, connect a rustls client that checks the \
staple with this crate's OcspStapleVerifier under soft-fail and then hard-fail, and print what \
each policy did with a good, a revoked, a stale and a forged staple, no staple, and no staple \
for a must-staple certificate, with the reason.

The test PKI and its responses are valid at 2026-01-01T01:00:00Z, so the client's clock is fixed \
there. The vectors are the source tree's test-vectors/generated, found from the current \
directory up (run it inside a checkout of ocsp-verify), or given with --vectors. Every row is checked against the documented policy table (the Policy docs, src/policy.rs): \
the demo fails, exit 3, if the adapter ever disagrees with it.";

pub(crate) const EXAMPLE: &str = "\
Example:
  cargo run --features cli --bin ocsp-check -- demo

Exit status: 0 every row as documented; 3 the adapter disagreed with the policy table; 4 the \
vectors cannot be found or read, or the client cannot reach the loopback server.";

/// Where the vectors are in a checkout, from its root.
const VECTORS: &str = "test-vectors/generated";

/// 2026-01-01T01:00:00Z: when the test PKI and its responses are valid.
const CLOCK_SECS: u64 = 1_767_229_200;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The generated test vectors (`pki/tls/` and `responses/tls/` are read) [default:
    /// test-vectors/generated in the current directory or the nearest parent that has it].
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status says whether every row was as documented.
    /// A disagreement or an unreadable vector still prints one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
}

/// One row of the table: what the server presents and staples, and what each policy must do.
struct Row {
    case: &'static str,
    /// `pki/tls/<server>.der` and `.key`, issued by `tls-int`.
    server: &'static str,
    /// `responses/tls/<staple>.der`, or no staple.
    staple: Option<&'static str>,
    soft_fail: Verdict,
    hard_fail: Verdict,
    /// `Situation::code()` of the adapter's decision.
    situation: &'static str,
}

const ACCEPT: Verdict = Verdict::Accept;
const REJECT: Verdict = Verdict::Reject;

/// The policy table of `src/policy.rs`, for the cases the demo shows.
const ROWS: [Row; 6] = [
    Row {
        case: "good",
        server: "tls-server",
        staple: Some("tls-server-good"),
        soft_fail: ACCEPT,
        hard_fail: ACCEPT,
        situation: "good",
    },
    Row {
        case: "revoked",
        server: "tls-server",
        staple: Some("tls-server-revoked"),
        soft_fail: REJECT,
        hard_fail: REJECT,
        situation: "revoked",
    },
    Row {
        case: "stale",
        server: "tls-server",
        staple: Some("tls-server-stale"),
        soft_fail: ACCEPT,
        hard_fail: REJECT,
        situation: "staple_unusable",
    },
    Row {
        case: "forged signature",
        server: "tls-server",
        staple: Some("tls-server-bad-signature"),
        soft_fail: REJECT,
        hard_fail: REJECT,
        situation: "staple_invalid",
    },
    Row {
        case: "no staple",
        server: "tls-server",
        staple: None,
        soft_fail: ACCEPT,
        hard_fail: REJECT,
        situation: "no_staple",
    },
    Row {
        case: "must-staple, no staple",
        server: "tls-server-muststaple",
        staple: None,
        soft_fail: REJECT,
        hard_fail: REJECT,
        situation: "no_staple",
    },
];

/// What one policy did with one row.
struct Seen {
    verdict: Option<Verdict>,
    situation: Option<&'static str>,
    reason: String,
    /// Why this differs from the table, if it does.
    mismatch: Option<String>,
}

/// The vectors: `--vectors`, or `test-vectors/generated` in the current directory or the
/// nearest parent that has it. An installed binary has no source tree beside it: then the
/// error says what to pass.
fn vectors(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(given) = given {
        return Ok(given.to_path_buf());
    }
    let here = std::env::current_dir().map_err(|e| format!("no current directory ({e})"))?;
    here.ancestors()
        .map(|dir| dir.join(VECTORS))
        .find(|candidate| candidate.join("pki/tls").is_dir())
        .ok_or_else(|| {
            format!(
                "no {VECTORS}/ in {} or any parent: run the demo inside a checkout of \
                 ocsp-verify, or give the vectors with --vectors DIR (the source's \
                 {VECTORS})",
                here.display()
            )
        })
}

/// Runs `demo`.
pub(crate) fn run(args: &Args) -> Exit {
    let format = Format::of(args.json, args.quiet);
    let stop = |message: String| {
        let report = DemoReport::failed(ErrorReport::new("demo_failed", message.clone()));
        report::print(format, &report, &[], false);
        report::error_line(format, &format!("demo: {message}"));
        Exit::Usage
    };
    let dir = match vectors(args.vectors.as_deref()) {
        Ok(dir) => dir,
        Err(message) => return stop(message),
    };
    let setup = match Setup::read(&dir) {
        Ok(setup) => setup,
        Err(message) => {
            return stop(format!(
                "{message} (the demo reads the generated test vectors; give their directory \
                 with --vectors DIR)"
            ));
        }
    };
    let results = match setup.run_all(None) {
        Ok(results) => results,
        Err(message) => return stop(message),
    };
    let all_match = results.iter().flatten().all(|seen| seen.mismatch.is_none());
    let mismatches: Vec<String> = ROWS
        .iter()
        .zip(&results)
        .flat_map(|(row, seen)| {
            ["soft-fail", "hard-fail"]
                .iter()
                .zip(seen)
                .filter_map(|(policy, one)| {
                    let mismatch = one.mismatch.as_ref()?;
                    Some(format!("`{}` under {policy}: {mismatch}", row.case))
                })
        })
        .collect();
    if !mismatches.is_empty() && format != Format::Json {
        eprintln!(
            "error: demo: the adapter disagrees with the documented policy table: {}",
            mismatches.join("; ")
        );
    }
    let report = DemoReport::new(&dir, &results, all_match);
    report::print(
        format,
        &report,
        &human_report(&dir, &results, all_match),
        false,
    );
    if all_match { Exit::Good } else { Exit::Invalid }
}

/// The certificates and keys the demo needs, read once.
struct Setup {
    dir: PathBuf,
    root: CertificateDer<'static>,
    intermediate: CertificateDer<'static>,
}

impl Setup {
    fn read(dir: &Path) -> Result<Self, String> {
        Ok(Self {
            dir: dir.to_path_buf(),
            root: CertificateDer::from(read(&dir.join("pki/tls/tls-root.der"))?),
            intermediate: CertificateDer::from(read(&dir.join("pki/tls/tls-int.der"))?),
        })
    }

    /// Every row under both policies. `connect_to` replaces the server's address for the
    /// client (the tests' way to make the loopback unreachable).
    fn run_all(&self, connect_to: Option<SocketAddr>) -> Result<Vec<Vec<Seen>>, String> {
        let mut results = Vec::new();
        for row in &ROWS {
            let mut seen = Vec::new();
            for policy in [PolicyName::Soft, PolicyName::Hard] {
                seen.push(self.run(row, policy, connect_to)?);
            }
            results.push(seen);
        }
        Ok(results)
    }

    /// One handshake: a server for `row`, a client with `policy`.
    fn run(
        &self,
        row: &Row,
        policy: PolicyName,
        connect_to: Option<SocketAddr>,
    ) -> Result<Seen, String> {
        let server =
            CertificateDer::from(read(&self.dir.join(format!("pki/tls/{}.der", row.server)))?);
        let key_path = self.dir.join(format!("pki/tls/{}.key", row.server));
        let key = PrivateKeyDer::from_pem_slice(&read(&key_path)?)
            .map_err(|e| format!("{}: not a private key ({e})", key_path.display()))?;
        let staple = match row.staple {
            Some(name) => Some(read(&self.dir.join(format!("responses/tls/{name}.der")))?),
            None => None,
        };
        let server = serve_once(vec![server, self.intermediate.clone()], key, staple)?;
        let clock = UnixTime::since_unix_epoch(Duration::from_secs(CLOCK_SECS));
        let roots = Roots::Certificates(vec![self.root.clone()]);
        let client = Client::new(&roots, policy.policy(), Some(clock))?;
        let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let address = connect_to.unwrap_or(server.address);
        let handshake = client.handshake(&[address], name, Duration::from_secs(10));
        // Stops the server at once when no client reached it.
        server.finish();
        if handshake.outcome.is_none()
            && let Err(
                failure @ (Failure::Resolve(_)
                | Failure::Refused(_)
                | Failure::Timeout
                | Failure::Io(_)),
            ) = &handshake.result
        {
            return Err(format!(
                "the client cannot reach the demo's own server on loopback at {address}: \
                 {failure} (is the loopback interface up?)"
            ));
        }
        let expected = match policy {
            PolicyName::Soft => row.soft_fail,
            PolicyName::Hard => row.hard_fail,
        };
        Ok(judge(row, expected, &handshake))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    crate::input::read_capped(path, crate::input::MAX_CERTIFICATE_FILE, "vector")
        .map_err(|e| e.to_string())
}

/// Compares what the adapter and the handshake did with the table.
fn judge(row: &Row, expected: Verdict, handshake: &Handshake) -> Seen {
    let Some(outcome) = &handshake.outcome else {
        let why = match &handshake.result {
            Err(failure) => failure.to_string(),
            Ok(_) => "the adapter was not consulted".into(),
        };
        return Seen {
            verdict: None,
            situation: None,
            reason: why.clone(),
            mismatch: Some(format!("no decision ({why})")),
        };
    };
    let decision = outcome.decision();
    let mut reason = decision.situation().to_string();
    reason.push_str(crate::tls::tls_feature_note(&decision));
    let mut problems = Vec::new();
    if decision.verdict() != expected {
        problems.push(format!(
            "expected {}, the adapter said {}",
            verdict_name(expected),
            verdict_name(decision.verdict())
        ));
    }
    if decision.situation().code() != row.situation {
        problems.push(format!(
            "expected the situation {}, got {}",
            row.situation,
            decision.situation().code()
        ));
    }
    if (decision.tls_features() == TlsFeatures::StatusRequest)
        != (row.server == "tls-server-muststaple")
    {
        problems.push("the certificate's must-staple extension was misread".into());
    }
    // The handshake must end as the decision says: connected when accepted, refused with the
    // adapter's error when rejected.
    match (&handshake.result, outcome.error()) {
        (Ok(_), None) => {}
        (Err(crate::connect::Failure::Tls(error)), Some(expected_error))
            if *error == expected_error => {}
        (Ok(_), Some(_)) => problems.push("the handshake went on after a rejection".into()),
        (Err(failure), _) => problems.push(format!("the handshake failed otherwise: {failure}")),
    }
    Seen {
        verdict: Some(decision.verdict()),
        situation: Some(decision.situation().code()),
        reason,
        mismatch: (!problems.is_empty()).then(|| problems.join("; ")),
    }
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "accept",
        Verdict::Reject => "reject",
    }
}

/// The vectors' directory, relative to the current directory when under it (as with `cargo
/// run` from the crate's root).
fn shown(vectors: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| vectors.strip_prefix(here).ok())
        .unwrap_or(vectors)
        .display()
        .to_string()
}

fn human_report(vectors: &Path, results: &[Vec<Seen>], all_match: bool) -> Vec<String> {
    let mut lines = vec![
        "A rustls client checks the OCSP staple of a rustls server on loopback with".to_string(),
        "OcspStapleVerifier, under soft-fail and under hard-fail.".to_string(),
        format!("Test PKI and staples: {}", shown(vectors)),
        format!(
            "Clock: fixed at {} (when the test PKI and its responses are valid).",
            rfc3339(UnixTime::since_unix_epoch(Duration::from_secs(CLOCK_SECS)))
        ),
        String::new(),
        format!(
            "{:<23} {:<25} {:<10} {:<10} reason",
            "case", "staple", "soft-fail", "hard-fail"
        ),
    ];
    for (row, seen) in ROWS.iter().zip(results) {
        let cell = |one: Option<&Seen>| {
            let word = one
                .and_then(|s| s.verdict)
                .map_or("-", verdict_name)
                .to_string();
            if one.is_some_and(|s| s.mismatch.is_some()) {
                format!("{word} (!)")
            } else {
                word
            }
        };
        let reason = seen.first().map(|s| s.reason.as_str()).unwrap_or_default();
        lines.push(format!(
            "{:<23} {:<25} {:<10} {:<10} {reason}",
            row.case,
            row.staple.unwrap_or("(none)"),
            cell(seen.first()),
            cell(seen.get(1)),
        ));
    }
    lines.push(String::new());
    if all_match {
        lines.extend(
            [
                "Every row is what the policy table documents (src/policy.rs):",
                "  soft-fail accepts no staple, and takes a stale staple as no staple;",
                "  hard-fail accepts only a good, fresh staple;",
                "  a must-staple certificate needs a good, fresh staple under both;",
                "  revoked and forged staples are refused under both.",
                "Next: `ocsp-check tls HOST` judges a real server's staple.",
            ]
            .map(String::from),
        );
    } else {
        lines.push(
            "MISMATCH: rows marked (!) differ from the documented policy table (see stderr)."
                .into(),
        );
    }
    lines
}

/// The JSON object `demo` prints.
#[derive(Debug, Serialize)]
struct DemoReport {
    clock: String,
    vectors: Option<String>,
    rows: Vec<RowShown>,
    matches: bool,
    error: Option<ErrorReport>,
}

#[derive(Debug, Serialize)]
struct RowShown {
    case: &'static str,
    certificate: String,
    staple: Option<String>,
    soft_fail: PolicyShown,
    hard_fail: PolicyShown,
    matches: bool,
}

#[derive(Debug, Serialize)]
struct PolicyShown {
    verdict: Option<&'static str>,
    expected: &'static str,
    situation: Option<&'static str>,
    reason: Option<String>,
    mismatch: Option<String>,
}

impl DemoReport {
    fn new(vectors: &Path, results: &[Vec<Seen>], all_match: bool) -> Self {
        let policy = |one: Option<&Seen>, expected: Verdict| PolicyShown {
            verdict: one.and_then(|s| s.verdict).map(verdict_name),
            expected: verdict_name(expected),
            situation: one.and_then(|s| s.situation),
            reason: one.map(|s| s.reason.clone()),
            mismatch: one.and_then(|s| s.mismatch.clone()),
        };
        Self {
            clock: rfc3339(UnixTime::since_unix_epoch(Duration::from_secs(CLOCK_SECS))),
            vectors: Some(shown(vectors)),
            rows: ROWS
                .iter()
                .zip(results)
                .map(|(row, seen)| RowShown {
                    case: row.case,
                    certificate: format!("pki/tls/{}.der", row.server),
                    staple: row.staple.map(|s| format!("responses/tls/{s}.der")),
                    soft_fail: policy(seen.first(), row.soft_fail),
                    hard_fail: policy(seen.get(1), row.hard_fail),
                    matches: seen.iter().all(|s| s.mismatch.is_none()),
                })
                .collect(),
            matches: all_match,
            error: None,
        }
    }

    fn failed(error: ErrorReport) -> Self {
        Self {
            clock: rfc3339(UnixTime::since_unix_epoch(Duration::from_secs(CLOCK_SECS))),
            vectors: None,
            rows: Vec::new(),
            matches: false,
            error: Some(error),
        }
    }
}

/// The JSON of `demo` when its arguments could not be used.
pub(crate) fn usage_json(error: ErrorReport) -> String {
    report::json(&DemoReport::failed(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    /// A client that cannot reach the loopback server (as when the loopback interface is
    /// down) ends the demo with an error at once: the server stops waiting for it.
    #[test]
    fn an_unreachable_loopback_server_ends_the_demo_promptly() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(VECTORS);
        let setup = Setup::read(&dir).unwrap();
        // A port nobody listens on: bound, then closed.
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let (send, receive) = mpsc::channel();
        let started = Instant::now();
        std::thread::spawn(move || {
            let _ = send.send(setup.run_all(Some(dead)).map(|_| ()));
        });
        let result = receive
            .recv_timeout(Duration::from_secs(20))
            .expect("the demo hangs when its client cannot connect");
        let message = result.unwrap_err();
        assert!(
            message.contains("cannot reach the demo's own server"),
            "{message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
}
