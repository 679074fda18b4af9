//! `ocsp-check`: verify OCSP responses from the command line, ask responders, check what a TLS
//! server staples, and lint certificates for OCSP.
//!
//! Exit status: 0 good, 1 revoked, 2 unknown, 3 the response is invalid or cannot be verified,
//! 4 usage or input error, 5 good but fewer than `--min-remaining` seconds left.

// The library forbids indexing, `as` and unwrapping on paths that see input bytes. The tool
// reads only small local files and arguments; where it indexes, the length was checked first.
#![allow(clippy::indexing_slicing, clippy::as_conversions)]

mod connect;
mod demo;
mod describe;
mod fetch;
mod input;
mod lint;
mod request;
mod show;
mod time;
mod tls;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
  5  good, but fewer than --min-remaining seconds before nextUpdate: refresh now (verify, fetch)

Output: a short human summary on stdout, or exactly one JSON object with --json; --quiet prints \
nothing on stdout (the exit status is the answer). Errors that stop a command are one line on \
stderr, `error: ...`."
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
        Err(error) => {
            let exit = match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Good
                }
                _ => Exit::Usage,
            };
            // clap prints help to stdout and errors to stderr itself.
            let _ = error.print();
            return exit.into();
        }
    };
    match cli.command {
        Command::Verify(args) => verify::run(&args).into(),
        Command::Show(args) => show::run(&args).into(),
        Command::Request(args) => request::run(&args).into(),
        Command::Fetch(args) => fetch::run(&args).into(),
        Command::Tls(args) => tls::run(&args).into(),
        Command::Lint(args) => lint::run(&args).into(),
        Command::Demo(args) => demo::run(&args).into(),
    }
}
