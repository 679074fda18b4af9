//! `ocsp-check verify`.

use std::path::PathBuf;
use std::time::Duration;

use ocsp_verify::{Answer, CertStatus, Certificate, Error, Issuer, UnixTime, Verifier, rustcrypto};
use serde_json::{Value, json};

use crate::Exit;
use crate::input::{self, InputError};
use crate::time::{parse, rfc3339};

pub(crate) const LONG_ABOUT: &str = "\
Verify an OCSP response about a certificate, strictly (RFC 6960 and the profile in the README): \
the responder is the issuer, a delegated responder it issued with id-kp-OCSPSigning, or one \
given with --trusted-responder; the signature verifies; the CertID matches the certificate and \
its issuer; the nonce is echoed when --nonce is given; thisUpdate and nextUpdate are fresh at \
--at (or now), within --skew. Prints the status and the times, or why the response was refused.";

/// The example under `verify --help`.
pub(crate) const EXAMPLE: &str = "\
Example (a shipped vector, at a time it is valid; add --json for one JSON object):
  ocsp-check verify --response test-vectors/generated/responses/good-p256-ca.der \\
      --cert test-vectors/generated/pki/p256-ee.pem \\
      --issuer test-vectors/generated/pki/p256-ca.pem --at 2026-01-01T01:00:00Z
  good: the certificate is not revoked
    responder:   issuer
    producedAt:  2026-01-01T00:00:00Z
    thisUpdate:  2026-01-01T00:00:00Z
    nextUpdate:  2026-01-08T00:00:00Z (6d 23h left)

In a cron job: `--quiet --min-remaining 86400` exits 5 when less than a day is left.

Exit status: 0 good, 1 revoked, 2 unknown, 3 invalid, 4 usage or input error, 5 good but \
fewer than --min-remaining seconds left.";

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The OCSP response (DER, or PEM `OCSP RESPONSE`).
    #[arg(long, value_name = "PATH")]
    response: PathBuf,
    /// The certificate the response is about (PEM or DER).
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER).
    #[arg(long, value_name = "PATH")]
    issuer: PathBuf,
    /// The nonce the request carried, in hex; the response must echo it.
    // Listed after --at in the help, as before the options were shared with `fetch`: clap
    // numbers the arguments in order (this one 3, --at 4) and breaks ties by name.
    #[arg(long, value_name = "HEX", value_parser = parse_hex, display_order = 4)]
    nonce: Option<Hex>,
    #[command(flatten)]
    pub(crate) options: Options,
}

/// The options `verify` and `fetch` share: the verifier's settings and the output.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// Verification time: unix seconds or RFC 3339 [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse)]
    pub(crate) at: Option<UnixTime>,
    /// A responder certificate trusted to answer for any certificate (repeatable).
    #[arg(long = "trusted-responder", value_name = "PATH")]
    trusted_responders: Vec<PathBuf>,
    /// Clock skew tolerated on thisUpdate and nextUpdate.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    skew: u64,
    /// Largest age (now - thisUpdate) of any response.
    #[arg(long = "max-age", value_name = "SECONDS", default_value_t = 7 * 86_400)]
    max_age: u64,
    /// Largest age (now - thisUpdate) of a response without nextUpdate.
    #[arg(
        long = "max-age-without-next-update",
        value_name = "SECONDS",
        default_value_t = 86_400
    )]
    max_age_without_next_update: u64,
    /// Largest validity period (nextUpdate - thisUpdate) of a response.
    #[arg(long = "max-lifetime", value_name = "SECONDS", default_value_t = 10 * 86_400)]
    max_lifetime: u64,
    /// Also accept SHA-1 signatures (legacy responders).
    #[arg(long = "allow-sha1")]
    allow_sha1: bool,
    /// Exit 5 when the answer is good but fewer than SECONDS remain before it stops being fresh
    /// (its nextUpdate, or thisUpdate + the largest age if that comes first): good, but refresh
    /// now.
    #[arg(long = "min-remaining", value_name = "SECONDS")]
    min_remaining: Option<u64>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print nothing on stdout: the exit status is the answer. Errors that stop the command
    /// before there is an answer (an unreadable input; for `fetch`, a responder that could not
    /// be asked) still print one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    pub(crate) quiet: bool,
}

impl Options {
    /// Reads the trusted responders' files, in order.
    pub(crate) fn trusted(&self) -> Result<Vec<Vec<u8>>, InputError> {
        let mut trusted = Vec::new();
        for path in &self.trusted_responders {
            trusted.extend(input::certificates(path)?);
        }
        Ok(trusted)
    }

    /// Verifies `response` about `cert` (issued by `issuer`, both DER checked when read), with
    /// these options and the nonce the request carried.
    pub(crate) fn verify(
        &self,
        response: &[u8],
        cert: &[u8],
        issuer: &[u8],
        trusted: &[Vec<u8>],
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Answer, Error> {
        let cert = Certificate::from_der(cert)?;
        let issuer = Certificate::from_der(issuer)?;
        let trusted = trusted
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?;
        let verifier = self.verifier().with_trusted_responders(&trusted);
        verifier
            .verify(response, &cert, &Issuer::from(&issuer), nonce, now)
            .map(|verified| verified.answer())
    }

    /// The verifier these options describe (without trusted responders, which borrow).
    pub(crate) fn verifier(&self) -> Verifier<'static> {
        let algorithms = if self.allow_sha1 {
            rustcrypto::ALL_WITH_LEGACY_SHA1
        } else {
            rustcrypto::ALL
        };
        Verifier::new(algorithms)
            .with_clock_skew(Duration::from_secs(self.skew))
            .with_max_age(Duration::from_secs(self.max_age))
            .with_max_age_without_next_update(Duration::from_secs(self.max_age_without_next_update))
            .with_max_lifetime(Duration::from_secs(self.max_lifetime))
    }

    /// The exit status for an outcome: [`exit_status`], and 5 for a good answer with less than
    /// `--min-remaining` left.
    pub(crate) fn exit_status(&self, outcome: &Result<Answer, Error>, now: UnixTime) -> Exit {
        match (outcome, self.min_remaining) {
            (Ok(answer), Some(min)) if answer.status() == CertStatus::Good => {
                let left = self.seconds_left(answer, now);
                if left < i64::try_from(min).unwrap_or(i64::MAX) {
                    Exit::Refresh
                } else {
                    Exit::Good
                }
            }
            _ => exit_status(outcome),
        }
    }

    /// Seconds until the answer stops being fresh ([`Verifier::fresh_until`]).
    fn seconds_left(&self, answer: &Answer, now: UnixTime) -> i64 {
        match self.verifier().fresh_until(answer) {
            Some(deadline) => seconds_between(now, deadline),
            None => i64::MAX,
        }
    }

    /// Prints the outcome as `verify` does (human lines, one JSON object, or nothing under
    /// `--quiet`); returns the exit status.
    pub(crate) fn report(&self, outcome: &Result<Answer, Error>, now: UnixTime) -> Exit {
        let exit = self.exit_status(outcome, now);
        if self.quiet {
            return exit;
        }
        if self.json {
            println!("{}", json_object(outcome, now));
            return exit;
        }
        for line in human_lines(outcome, now) {
            println!("{line}");
        }
        if matches!(outcome, Err(Error::UnsupportedSignatureAlgorithm)) && !self.allow_sha1 {
            // The usual cause: an older responder that still signs with SHA-1.
            println!("  hint:        if the responder signs with SHA-1, --allow-sha1 accepts it");
        }
        if let (Exit::Refresh, Ok(answer), Some(min)) = (exit, outcome, self.min_remaining) {
            let left = self.seconds_left(answer, now);
            println!(
                "  refresh:     {} left, less than --min-remaining {min} ({}): refresh now",
                human_duration(left),
                human_duration(i64::try_from(min).unwrap_or(i64::MAX)),
            );
        }
        exit
    }
}

/// Bytes given in hex. (A newtype: clap would read a bare `Vec<u8>` as many `u8` values.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hex(pub(crate) Vec<u8>);

pub(crate) fn parse_hex(value: &str) -> Result<Hex, String> {
    let value = value.trim();
    if value.is_empty() || !value.len().is_multiple_of(2) {
        return Err("expected an even number of hex digits".into());
    }
    (0..value.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(value.get(i..i + 2).unwrap_or("zz"), 16)
                .map_err(|_| format!("`{value}` is not hex"))
        })
        .collect::<Result<_, _>>()
        .map(Hex)
}

/// Runs `verify` and prints the outcome; returns the exit status.
pub(crate) fn run(args: &Args) -> Exit {
    let options = &args.options;
    let inputs = match Inputs::read(args) {
        Ok(inputs) => inputs,
        Err(error) => return report_input_error(&error, options.json),
    };
    let now = options.at.unwrap_or_else(UnixTime::now);
    let outcome = options.verify(
        &inputs.response,
        &inputs.cert,
        &inputs.issuer,
        &inputs.trusted,
        args.nonce.as_ref().map(|Hex(nonce)| nonce.as_slice()),
        now,
    );
    options.report(&outcome, now)
}

/// The bytes read from the files.
struct Inputs {
    response: Vec<u8>,
    cert: Vec<u8>,
    issuer: Vec<u8>,
    trusted: Vec<Vec<u8>>,
}

impl Inputs {
    fn read(args: &Args) -> Result<Self, InputError> {
        let trusted = args.options.trusted()?;
        Ok(Self {
            response: input::response(&args.response)?,
            cert: input::certificate(&args.cert)?,
            issuer: input::certificate(&args.issuer)?,
            trusted,
        })
    }
}

/// The exit status for a verification outcome.
pub(crate) fn exit_status(outcome: &Result<Answer, Error>) -> Exit {
    match outcome {
        Ok(verified) => match verified.status() {
            CertStatus::Good => Exit::Good,
            CertStatus::Revoked { .. } => Exit::Revoked,
            CertStatus::Unknown => Exit::Unknown,
        },
        Err(_) => Exit::Invalid,
    }
}

/// The JSON object `verify --json` prints.
pub(crate) fn json_object(outcome: &Result<Answer, Error>, now: UnixTime) -> Value {
    match outcome {
        Ok(verified) => {
            let (status, revocation_time, revocation_reason) = match verified.status() {
                CertStatus::Good => ("good", None, None),
                CertStatus::Unknown => ("unknown", None, None),
                CertStatus::Revoked { time, reason } => {
                    ("revoked", Some(rfc3339(time)), reason.map(|r| r.name()))
                }
            };
            json!({
                "status": status,
                "error": null,
                "this_update": rfc3339(verified.this_update()),
                "next_update": verified.next_update().map(rfc3339),
                "produced_at": rfc3339(verified.produced_at()),
                "responder": verified.responder().name(),
                "revocation_time": revocation_time,
                "revocation_reason": revocation_reason,
                "seconds_until_next_update": verified.next_update().map(|n| seconds_between(now, n)),
            })
        }
        Err(error) => invalid_json(error.code(), &error.to_string()),
    }
}

pub(crate) fn invalid_json(code: &str, message: &str) -> Value {
    json!({
        "status": "invalid",
        "error": {"code": code, "message": message},
        "this_update": null,
        "next_update": null,
        "produced_at": null,
        "responder": null,
        "revocation_time": null,
        "revocation_reason": null,
        "seconds_until_next_update": null,
    })
}

/// `to - from` in seconds, negative when `to` is earlier.
pub(crate) fn seconds_between(from: UnixTime, to: UnixTime) -> i64 {
    let (from, to) = (from.as_secs(), to.as_secs());
    if to >= from {
        i64::try_from(to - from).unwrap_or(i64::MAX)
    } else {
        -i64::try_from(from - to).unwrap_or(i64::MAX)
    }
}

/// "6d 23h", "5h 2m", "42s", for the human summary.
pub(crate) fn human_duration(seconds: i64) -> String {
    let (sign, s) = if seconds < 0 {
        ("-", -seconds)
    } else {
        ("", seconds)
    };
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{sign}{d}d {h}h")
    } else if h > 0 {
        format!("{sign}{h}h {m}m")
    } else if m > 0 {
        format!("{sign}{m}m {}s", s % 60)
    } else {
        format!("{sign}{s}s")
    }
}

/// The lines of the human summary.
pub(crate) fn human_lines(outcome: &Result<Answer, Error>, now: UnixTime) -> Vec<String> {
    let verified = match outcome {
        Ok(verified) => verified,
        Err(error) => return vec![format!("invalid: {error} ({})", error.code())],
    };
    let mut lines = vec![match verified.status() {
        CertStatus::Good => "good: the certificate is not revoked".to_string(),
        CertStatus::Unknown => "unknown: the responder does not know the certificate".to_string(),
        CertStatus::Revoked { time, reason } => format!(
            "revoked: since {}{}",
            rfc3339(time),
            reason
                .map(|r| format!(", reason {}", r.name()))
                .unwrap_or_default()
        ),
    }];
    lines.push(format!("  responder:   {}", verified.responder().name()));
    lines.push(format!(
        "  producedAt:  {}",
        rfc3339(verified.produced_at())
    ));
    lines.push(format!(
        "  thisUpdate:  {}",
        rfc3339(verified.this_update())
    ));
    lines.push(match verified.next_update() {
        Some(next) => {
            let left = seconds_between(now, next);
            let when = if left >= 0 {
                format!("{} left", human_duration(left))
            } else {
                format!("passed {} ago", human_duration(-left))
            };
            format!("  nextUpdate:  {} ({when})", rfc3339(next))
        }
        None => "  nextUpdate:  none (newer information is always available)".to_string(),
    });
    lines
}

pub(crate) fn report_input_error(error: &InputError, json: bool) -> Exit {
    if json {
        println!("{}", invalid_json("input_error", &error.to_string()));
    } else {
        eprintln!("error: {error}");
    }
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_durations() {
        assert_eq!(parse_hex("00ff10").unwrap(), Hex(vec![0, 255, 16]));
        assert!(parse_hex("0").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("").is_err());
        assert_eq!(human_duration(7 * 86_400 - 3600), "6d 23h");
        assert_eq!(human_duration(3 * 3600 + 120), "3h 2m");
        assert_eq!(human_duration(-42), "-42s");
    }
}
