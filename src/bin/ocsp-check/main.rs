//! `ocsp-check`: verify OCSP responses from the command line, ask responders, check what a TLS
//! server staples, and lint certificates for OCSP.
//!
//! Exit status: 0 good, 1 revoked, 2 unknown, 3 the response is invalid or cannot be verified,
//! 4 usage or input error, 5 good but fewer than `--min-remaining` seconds left.

// The library forbids indexing, `as` and unwrapping on paths that see input bytes. The tool sees
// untrusted bytes too, from the network: responders' answers, TLS servers' handshakes and
// staples, and HTTP requests to `exporter`. It leaves their parsing to the library, rustls,
// ureq, httparse and http, indexes only where the length was checked just before (an OID's
// length in a response it describes, a pair from `windows(2)`), and uses `as` only to turn the
// `Exit` enum into its status byte.
#![allow(clippy::indexing_slicing, clippy::as_conversions)]

mod chain;
mod connect;
mod connections;
mod demo;
mod describe;
mod exporter;
mod fetch;
mod http_request;
mod input;
// The library's one Prometheus encoding path, as a module of the tool's own: the tool sees
// only the library's public API, and the encoder is not part of it.
#[path = "../../server/metrics.rs"]
#[allow(
    dead_code,
    reason = "the tool uses part of what the library's components use"
)]
mod families;
mod lint;
mod metrics;
mod output;
mod probe_cache;
mod report;
mod request;
mod show;
mod target_list;
mod targets;
mod time;
mod tls;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::verify::WithError as _;

/// Check OCSP (RFC 6960) strictly: responses, responders, TLS servers' staples, certificates.
#[derive(Debug, Parser)]
#[command(
    name = "ocsp-check",
    version,
    long_about = "\
Check OCSP (RFC 6960) strictly: verify a response, show it, build a request, ask a responder, \
check what a TLS server staples, and lint certificates for OCSP.

New here? `ocsp-check demo` runs a rustls client against its own loopback server stapling the \
shipped test vectors, under soft-fail and hard-fail, with no network and no setup.",
    after_help = "\
Exit status (every subcommand):
  0  good (tls: the connection is accepted; lint: no finding; demo: every row as documented)
  1  revoked
  2  unknown
  3  invalid or unverifiable (a refused response or staple, an unreachable responder, a lint finding)
  4  usage or input error (tls: no TLS connection could be made)
  5  good, but fewer than --min-remaining seconds before it stops being fresh (verify, fetch, tls)
With several servers (tls), the worst of theirs: 1 > 2 > 3 > 4 > 5 > 0.

Output: a short human summary on stdout, or exactly one JSON object with --json (its own keys for \
each subcommand, the same on every path, usage errors included; tls with several servers: one \
line, or one object, a server); --quiet prints nothing on stdout (the exit status is the \
answer); --prometheus (tls, verify, fetch) the Prometheus text format. An error that stops a \
command is one line on stderr, `error: ...` (with --json, the object's `error` carries it \
instead).

Inputs are read up to a cap, and refused past it: 64 KiB for a response (the profile's cap; 96 \
KiB of PEM text), 1 MiB for a certificate file, a bundle or a set of roots."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a response about a certificate: signature, responder, CertID, nonce and times.
    #[command(long_about = verify::LONG_ABOUT, after_help = verify::EXAMPLE)]
    Verify(verify::Args),
    /// Show everything in a response (without verifying it).
    #[command(long_about = show::LONG_ABOUT, after_help = show::EXAMPLE)]
    Show(show::Args),
    /// Build an OCSP request for a certificate: the DER, and the GET URL for its responder.
    #[command(long_about = request::LONG_ABOUT, after_help = request::EXAMPLE)]
    Request(request::Args),
    /// Ask the certificate's responder over HTTP, verify the answer, and save it for stapling.
    #[command(long_about = fetch::LONG_ABOUT, after_help = fetch::EXAMPLE)]
    Fetch(fetch::Args),
    /// Connect to a TLS server and judge its stapled OCSP response under a revocation policy.
    #[command(long_about = tls::LONG_ABOUT, after_help = tls::EXAMPLE)]
    Tls(tls::Args),
    /// Lint a certificate (or a PEM chain) for OCSP: AIA URL, must-staple, responder profile.
    #[command(long_about = lint::LONG_ABOUT, after_help = lint::EXAMPLE)]
    Lint(lint::Args),
    /// Serve Prometheus metrics about the staples of many servers, probed when scraped.
    #[command(long_about = exporter::LONG_ABOUT, after_help = exporter::EXAMPLE)]
    Exporter(exporter::Args),
    /// Watch the rustls adapter decide on good, revoked, stale and missing staples (no network).
    #[command(long_about = demo::LONG_ABOUT, after_help = demo::EXAMPLE)]
    Demo(demo::Args),
}

/// The exit statuses every subcommand follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Good = 0,
    Revoked = 1,
    Unknown = 2,
    Invalid = 3,
    Usage = 4,
    /// Good, but fewer than `--min-remaining` seconds before nextUpdate.
    Refresh = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error).into(),
    };
    match cli.command {
        Command::Verify(args) => verify::run(&args).into(),
        Command::Show(args) => show::run(&args).into(),
        Command::Request(args) => request::run(&args).into(),
        Command::Fetch(args) => fetch::run(&args).into(),
        Command::Tls(args) => tls::run(&args).into(),
        Command::Lint(args) => lint::run(&args).into(),
        Command::Exporter(args) => exporter::run(&args).into(),
        Command::Demo(args) => demo::run(&args).into(),
    }
}

/// What clap could not parse. Help and the version print as clap prints them (exit 0).
/// Otherwise, under `--json`, the subcommand's own JSON object with the error (and nothing on
/// stderr); without it, clap's message, whose first line is the one `error:` line.
fn usage_error(error: &clap::Error) -> Exit {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return Exit::Good;
    }
    let args: Vec<String> = std::env::args().skip(1).take_while(|a| a != "--").collect();
    let json = args.iter().any(|a| a == "--json");
    let subcommand = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    let json_of = |error: report::ErrorReport| -> Option<String> {
        Some(match subcommand? {
            "verify" => report::json(
                &verify::VerifyReport::failed(ocsp_verify::UnixTime::now()).with_error(error),
            ),
            "fetch" => report::json(
                &fetch::FetchReport::failed(ocsp_verify::UnixTime::now()).with_error(error),
            ),
            "show" => show::usage_json(error),
            "request" => request::usage_json(error),
            "tls" => tls::usage_json(error),
            "lint" => lint::usage_json(error),
            "demo" => demo::usage_json(error),
            _ => return None,
        })
    };
    let rendered = error.render().to_string();
    // clap's first line is `error: ...`; the rest is the usage and a pointer to --help.
    let first = rendered.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    match json
        .then(|| json_of(report::ErrorReport::new("usage_error", message)))
        .flatten()
    {
        Some(object) => println!("{object}"),
        None => {
            let _ = error.print();
        }
    }
    Exit::Usage
}
