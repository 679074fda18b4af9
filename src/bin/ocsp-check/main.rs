//! `ocsp-check`: verify OCSP responses from the command line.
//!
//! Exit status: 0 good, 1 revoked, 2 unknown, 3 the response is invalid or cannot be verified,
//! 4 usage or input error.

// The library forbids indexing, `as` and unwrapping on paths that see input bytes. The tool
// reads only small local files and arguments; where it indexes, the length was checked first.
#![allow(clippy::indexing_slicing, clippy::as_conversions)]

mod describe;
mod input;
mod show;
mod time;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check OCSP responses (RFC 6960) strictly: verify, show, and more.
///
/// Exit status: 0 good, 1 revoked, 2 unknown, 3 invalid or unverifiable, 4 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "ocsp-check", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a response about a certificate: signature, responder, CertID, nonce and times.
    Verify(verify::Args),
    /// Show everything in a response (without verifying it).
    Show(show::Args),
}

/// The exit statuses every subcommand follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Good = 0,
    Revoked = 1,
    Unknown = 2,
    Invalid = 3,
    Usage = 4,
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
    }
}
