//! `ocsp-check verify`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ocsp_verify::views::OcspResponse;
use ocsp_verify::{
    Answer, CertStatus, Certificate, Error, Issuer, TlsFeatures, UnixTime, Verifier, rustcrypto,
};
use serde::Serialize;

use crate::Exit;
use crate::chain::{self, Pair};
use crate::describe::hex;
use crate::input::{self, InputError};
use crate::metrics;
use crate::report::{self, ErrorReport, Format};
use crate::time::{
    self, next_update_note, parse, rfc3339, seconds_between, span, this_update_note,
};

pub(crate) const LONG_ABOUT: &str = "\
Verify an OCSP response about a certificate, strictly (RFC 6960 and the profile of \
docs/design.md): the responder is the issuer, a delegated responder it issued with \
id-kp-OCSPSigning, or one given with --trusted-responder; the signature verifies; the CertID \
matches the certificate and its issuer; the nonce is echoed when --nonce is given; thisUpdate \
and nextUpdate are fresh at --at (or now), within --skew. Prints the status and the times, or \
why the response was refused together with the times the response states (as `openssl ocsp` \
does).

--cert may be a bundle with the issuer after the certificate (fullchain.pem): then --issuer \
can be left out. --issuer may be a bundle: the certificate's issuer is picked from it.";

/// The example under `verify --help`.
pub(crate) const EXAMPLE: &str = "\
Example (a shipped vector, at a time it is valid; add --json for one JSON object):
  ocsp-check verify --response test-vectors/generated/responses/good-p256-ca.der \\
      --cert test-vectors/generated/pki/p256-ee.pem \\
      --issuer test-vectors/generated/pki/p256-ca.pem --at 2026-01-01T01:00:00Z
  good: the certificate is not revoked
    responder:   issuer
    producedAt:  2026-01-01T00:00:00Z
    thisUpdate:  2026-01-01T00:00:00Z (1h 0m ago)
    nextUpdate:  2026-01-08T00:00:00Z (6d 23h left)
    checked at:  2026-01-01T01:00:00Z

In a cron job: `--quiet --min-remaining 86400` exits 5 when less than a day is left.

Exit status: 0 good, 1 revoked, 2 unknown, 3 invalid, 4 usage or input error, 5 good but \
fewer than --min-remaining seconds left.";

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The OCSP response (DER, or PEM `OCSP RESPONSE`; at most 64 KiB).
    #[arg(long, value_name = "PATH")]
    response: PathBuf,
    /// The certificate the response is about (PEM or DER); a bundle with its issuer next
    /// (fullchain.pem) makes --issuer optional.
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER; from a bundle, the one that issued --cert)
    /// [default: the certificate after the first in --cert].
    #[arg(long, value_name = "PATH")]
    issuer: Option<PathBuf>,
    /// The nonce the request carried, in hex (colons between bytes allowed); the response must
    /// echo it.
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
    /// Verification time: `now`, unix seconds or RFC 3339 [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse)]
    pub(crate) at: Option<UnixTime>,
    /// A responder certificate trusted to answer for any certificate (repeatable).
    #[arg(long = "trusted-responder", value_name = "PATH")]
    trusted_responders: Vec<PathBuf>,
    /// Clock skew tolerated on thisUpdate and nextUpdate.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = time::seconds)]
    skew: u64,
    /// Largest age (now - thisUpdate) of any response.
    #[arg(long = "max-age", value_name = "SECONDS", default_value_t = 7 * 86_400,
        value_parser = time::seconds)]
    max_age: u64,
    /// Largest age (now - thisUpdate) of a response without nextUpdate.
    #[arg(
        long = "max-age-without-next-update",
        value_name = "SECONDS",
        default_value_t = 86_400,
        value_parser = time::seconds
    )]
    max_age_without_next_update: u64,
    /// Largest validity period (nextUpdate - thisUpdate) of a response.
    #[arg(long = "max-lifetime", value_name = "SECONDS", default_value_t = 10 * 86_400,
        value_parser = time::seconds)]
    max_lifetime: u64,
    /// Also accept SHA-1 signatures (legacy responders).
    #[arg(long = "allow-sha1")]
    allow_sha1: bool,
    /// Exit 5 when the answer is good but fewer than SECONDS remain before it stops being fresh
    /// (its nextUpdate, or thisUpdate + the largest age if that comes first): good, but due
    /// for a refresh.
    #[arg(long = "min-remaining", value_name = "SECONDS", value_parser = time::seconds)]
    min_remaining: Option<u64>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print nothing on stdout: the exit status is the answer. Errors that stop the command
    /// before there is an answer (an unreadable input; for `fetch`, a responder that could not
    /// be asked) still print one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    pub(crate) quiet: bool,
    /// Print the Prometheus text format instead (for node_exporter's textfile collector): the
    /// status, the times, the exit status.
    #[arg(long, conflicts_with_all = ["json", "quiet"])]
    pub(crate) prometheus: bool,
}

impl Options {
    /// How the report is printed: under `--prometheus` not at all (the metrics are).
    pub(crate) fn format(&self) -> Format {
        Format::of(self.json, self.quiet || self.prometheus)
    }

    /// The figures of a check about `cert` (its DER; empty when it could not be read) named
    /// `target`, for `--prometheus`; `success` when a response was judged.
    pub(crate) fn metrics(&self, target: &Path, cert: &[u8], check: &Check<'_>) -> metrics::Probe {
        let certificate = Certificate::from_der(cert).ok();
        let serial = certificate
            .as_ref()
            .map(|c| hex(c.serial()))
            .unwrap_or_default();
        let mut probe = metrics::Probe::new(
            vec![("target", target.display().to_string()), ("serial", serial)],
            check.now,
        );
        probe.duration = check.started.elapsed();
        probe.must_staple = certificate
            .as_ref()
            .map(|c| c.tls_features() == TlsFeatures::StatusRequest);
        let Some(outcome) = check.outcome else {
            return probe;
        };
        probe.success = true;
        probe.exit = self.exit_status(outcome, check.now);
        probe.status = Some(match outcome {
            Ok(answer) => crate::tls::status_name(answer.status()),
            Err(error) if is_about_time(error) => "stale",
            Err(_) => "invalid",
        });
        if let Some(when) = check.when {
            probe.produced_at = when.produced_at;
            probe.this_update = when.this_update;
            probe.next_update = when.next_update.flatten();
        }
        probe.revoked = outcome.as_ref().ok().and_then(metrics::revocation);
        probe.fresh_until = outcome
            .as_ref()
            .ok()
            .and_then(|answer| self.verifier().fresh_until(answer));
        probe
    }

    /// Reads the trusted responders' files, in order.
    pub(crate) fn trusted(&self) -> Result<Vec<Vec<u8>>, InputError> {
        let mut trusted = Vec::new();
        for path in &self.trusted_responders {
            trusted.extend(input::certificates(path)?);
        }
        Ok(trusted)
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

    /// Seconds until the answer stops being fresh ([`Verifier::fresh_until`]), negative when
    /// that was in the past (an answer still accepted within the clock skew).
    fn seconds_left(&self, answer: &Answer, now: UnixTime) -> i64 {
        match self.verifier().fresh_until(answer) {
            Some(deadline) => seconds_between(now, deadline),
            None => i64::MAX,
        }
    }

    /// Whether a good answer has fewer than `--min-remaining` seconds left: the seconds left.
    fn due(&self, outcome: &Result<Answer, Error>, now: UnixTime) -> Option<(i64, u64)> {
        let (Ok(answer), Some(min)) = (outcome, self.min_remaining) else {
            return None;
        };
        if answer.status() != CertStatus::Good {
            return None;
        }
        let left = self.seconds_left(answer, now);
        (left < i64::try_from(min).unwrap_or(i64::MAX)).then_some((left, min))
    }

    /// The exit status for an outcome: 0 to 3 by the answer, and 5 for a good answer with
    /// less than `--min-remaining` left.
    pub(crate) fn exit_status(&self, outcome: &Result<Answer, Error>, now: UnixTime) -> Exit {
        if self.due(outcome, now).is_some() {
            return Exit::Refresh;
        }
        exit_status(outcome)
    }

    /// The line that says why the exit status is 5: `fetched` when the answer was just
    /// fetched (then refreshing now would not help: the responder's newest answer is short).
    pub(crate) fn refresh_line(
        &self,
        outcome: &Result<Answer, Error>,
        now: UnixTime,
        fetched: bool,
    ) -> Option<String> {
        let (left, min) = self.due(outcome, now)?;
        let wanted = format!("{min} ({})", span(min));
        let left_words = if left >= 0 {
            format!("{} left", span(left.unsigned_abs()))
        } else {
            format!(
                "no time left: it went stale {} ago and is accepted only within the {} clock \
                 skew",
                span(left.unsigned_abs()),
                span(self.skew)
            )
        };
        Some(if fetched {
            format!(
                "  refresh:     {left_words}, less than --min-remaining {wanted}, although just \
                 fetched: the responder's newest answer is already that close to its end"
            )
        } else {
            format!(
                "  refresh:     {left_words}, less than --min-remaining {wanted}: fetch a new response"
            )
        })
    }
}

/// What a check found, for [`Options::metrics`].
pub(crate) struct Check<'a> {
    pub(crate) started: Instant,
    pub(crate) now: UnixTime,
    /// The verifier's outcome, when a response was judged.
    pub(crate) outcome: Option<&'a Result<Answer, Error>>,
    pub(crate) when: Option<&'a When>,
}

/// Bytes given in hex. (A newtype: clap would read a bare `Vec<u8>` as many `u8` values.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hex(pub(crate) Vec<u8>);

/// Hex digits, two a byte, optionally with colons between the bytes (`01:ab:ff`, as openssl
/// prints them).
pub(crate) fn parse_hex(value: &str) -> Result<Hex, String> {
    let digits: String = value.trim().chars().filter(|c| *c != ':').collect();
    if let Some((position, bad)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "`{bad}` is not a hex digit (character {} of the digits); give the nonce as hex \
             digits, optionally with colons between bytes",
            position + 1
        ));
    }
    if digits.is_empty() {
        return Err("no hex digits".into());
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "{} hex digits: a nonce is whole bytes, two digits each",
            digits.len()
        ));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            digits
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| "not hex".to_string())
        })
        .collect::<Result<_, _>>()
        .map(Hex)
}

/// Runs `verify` and prints the outcome; returns the exit status.
pub(crate) fn run(args: &Args) -> Exit {
    let options = &args.options;
    let started = Instant::now();
    let now = options.at.unwrap_or_else(UnixTime::now);
    let inputs = match Inputs::read(args) {
        Ok(inputs) => inputs,
        Err(error) => {
            if options.prometheus {
                let check = Check {
                    started,
                    now,
                    outcome: None,
                    when: None,
                };
                report::stdout(&metrics::encode(&[options.metrics(
                    &args.cert,
                    &[],
                    &check,
                )]));
            }
            return input_error(options.format(), &VerifyReport::failed(now), &error);
        }
    };
    let outcome = verify(
        options,
        &inputs,
        args.nonce.as_ref().map(|Hex(n)| n.as_slice()),
        now,
    );
    let report = VerifyReport::new(&outcome, &inputs.pair.cert, &inputs.response, now);
    let mut lines = report.human_lines(&outcome);
    if matches!(outcome, Err(Error::UnsupportedSignatureAlgorithm)) && !options.allow_sha1 {
        // The usual cause: an older responder that still signs with SHA-1.
        lines.push(
            "  hint:        if the responder signs with SHA-1, --allow-sha1 accepts it".into(),
        );
    }
    lines.extend(options.refresh_line(&outcome, now, false));
    report::print(options.format(), &report, &lines, false);
    if options.prometheus {
        let check = Check {
            started,
            now,
            outcome: Some(&outcome),
            when: Some(&report.when),
        };
        let probe = options.metrics(&args.cert, &inputs.pair.cert, &check);
        report::stdout(&metrics::encode(&[probe]));
    }
    options.exit_status(&outcome, now)
}

fn verify(
    options: &Options,
    inputs: &Inputs,
    nonce: Option<&[u8]>,
    now: UnixTime,
) -> Result<Answer, Error> {
    let cert = Certificate::from_der(&inputs.pair.cert)?;
    let issuer = Certificate::from_der(&inputs.pair.issuer)?;
    let trusted = inputs
        .trusted
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()?;
    options
        .verifier()
        .with_trusted_responders(&trusted)
        .verify(&inputs.response, &cert, &Issuer::from(&issuer), nonce, now)
        .map(|verified| verified.answer())
}

/// The bytes read from the files.
struct Inputs {
    response: Vec<u8>,
    pair: Pair,
    trusted: Vec<Vec<u8>>,
}

impl Inputs {
    fn read(args: &Args) -> Result<Self, InputError> {
        Ok(Self {
            response: input::response(&args.response)?,
            pair: chain::cert_and_issuer(&args.cert, args.issuer.as_deref())?,
            trusted: args.options.trusted()?,
        })
    }
}

/// An input that cannot be used: the report with the error (JSON), or one line on stderr.
pub(crate) fn input_error<T: Serialize + WithError>(
    format: Format,
    empty: &T,
    error: &InputError,
) -> Exit {
    let report = empty.with_error(ErrorReport::new("input_error", error.to_string()));
    report::print(format, &report, &[], false);
    report::error_line(format, error);
    Exit::Usage
}

/// A report that can carry an error instead of an answer.
pub(crate) trait WithError: Sized {
    fn with_error(&self, error: ErrorReport) -> Self;
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

/// What the response says about the certificate, unverified: the times a refused response
/// states, shown beside the refusal (as `openssl ocsp` does), and the serials it answers for.
#[derive(Debug, Default)]
pub(crate) struct Stated {
    pub(crate) produced_at: Option<UnixTime>,
    pub(crate) this_update: Option<UnixTime>,
    pub(crate) next_update: Option<UnixTime>,
    pub(crate) serials: Option<Vec<String>>,
}

impl Stated {
    /// Reads `response`; the times are those of the answer whose serial is the certificate's.
    pub(crate) fn read(response: &[u8], serial: &[u8]) -> Self {
        let Ok(parsed) = OcspResponse::from_der(response) else {
            return Self::default();
        };
        let Ok(basic) = parsed.basic() else {
            return Self::default();
        };
        let data = basic.response_data();
        let mut stated = Self {
            produced_at: Some(data.produced_at()),
            serials: Some(Vec::new()),
            ..Self::default()
        };
        for single in data.responses().flatten() {
            if let Some(serials) = &mut stated.serials {
                serials.push(hex(single.cert_id().serial()));
            }
            if single.cert_id().serial() == serial && stated.this_update.is_none() {
                stated.this_update = Some(single.this_update());
                stated.next_update = single.next_update();
            }
        }
        stated
    }
}

/// The JSON object `verify` prints (and `fetch`, with a few keys more).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct VerifyReport {
    /// good, revoked, unknown or invalid.
    pub(crate) status: &'static str,
    pub(crate) error: Option<ErrorReport>,
    /// The times the response states: verified for an answer, as stated for a refusal.
    pub(crate) this_update: Option<String>,
    pub(crate) next_update: Option<String>,
    pub(crate) produced_at: Option<String>,
    pub(crate) responder: Option<&'static str>,
    pub(crate) revocation_time: Option<String>,
    pub(crate) revocation_reason: Option<&'static str>,
    pub(crate) seconds_until_next_update: Option<i64>,
    /// The time of the check.
    pub(crate) checked_at: String,
    /// The certificate's serial, and those the response answers for.
    pub(crate) serial: Option<String>,
    pub(crate) response_serials: Option<Vec<String>>,
    #[serde(skip)]
    pub(crate) when: When,
}

impl WithError for VerifyReport {
    fn with_error(&self, error: ErrorReport) -> Self {
        Self {
            error: Some(error),
            ..self.clone()
        }
    }
}

impl VerifyReport {
    /// No answer yet.
    pub(crate) fn failed(now: UnixTime) -> Self {
        Self {
            status: "invalid",
            error: None,
            this_update: None,
            next_update: None,
            produced_at: None,
            responder: None,
            revocation_time: None,
            revocation_reason: None,
            seconds_until_next_update: None,
            checked_at: rfc3339(now),
            serial: None,
            response_serials: None,
            when: When::at(now),
        }
    }

    /// The report of an outcome about `cert`, from `response`.
    pub(crate) fn new(
        outcome: &Result<Answer, Error>,
        cert: &[u8],
        response: &[u8],
        now: UnixTime,
    ) -> Self {
        let serial = Certificate::from_der(cert)
            .ok()
            .map(|c| c.serial().to_vec());
        let stated = Stated::read(response, serial.as_deref().unwrap_or_default());
        let mut report = Self::failed(now);
        report.serial = serial.as_deref().map(hex);
        report.response_serials = stated.serials.clone();
        match outcome {
            Ok(answer) => {
                let (status, time, reason) = match answer.status() {
                    CertStatus::Good => ("good", None, None),
                    CertStatus::Unknown => ("unknown", None, None),
                    CertStatus::Revoked { time, reason } => {
                        ("revoked", Some(rfc3339(time)), reason.map(|r| r.name()))
                    }
                };
                report.status = status;
                report.revocation_time = time;
                report.revocation_reason = reason;
                report.responder = Some(answer.responder().name());
                report.produced_at = Some(rfc3339(answer.produced_at()));
                report.this_update = Some(rfc3339(answer.this_update()));
                report.next_update = answer.next_update().map(rfc3339);
                report.seconds_until_next_update =
                    answer.next_update().map(|n| seconds_between(now, n));
                report.when = When {
                    now,
                    produced_at: Some(answer.produced_at()),
                    this_update: Some(answer.this_update()),
                    next_update: Some(answer.next_update()),
                };
            }
            Err(error) => {
                report.error = Some(ErrorReport::of(error));
                if !is_about_time(error) {
                    // The times of a response refused for another reason (a forged
                    // signature, another certificate's answer) are not worth repeating.
                    return report;
                }
                report.produced_at = stated.produced_at.map(rfc3339);
                report.this_update = stated.this_update.map(rfc3339);
                report.next_update = stated.next_update.map(rfc3339);
                report.seconds_until_next_update =
                    stated.next_update.map(|n| seconds_between(now, n));
                report.when = When {
                    now,
                    produced_at: stated.produced_at,
                    this_update: stated.this_update,
                    next_update: stated.this_update.map(|_| stated.next_update),
                };
            }
        }
        report
    }

    /// The human summary.
    pub(crate) fn human_lines(&self, outcome: &Result<Answer, Error>) -> Vec<String> {
        let mut lines = vec![match outcome {
            Ok(answer) => match answer.status() {
                CertStatus::Good => "good: the certificate is not revoked".to_string(),
                CertStatus::Unknown => {
                    "unknown: the responder does not know the certificate".into()
                }
                CertStatus::Revoked { time, reason } => format!(
                    "revoked: since {}{}",
                    rfc3339(time),
                    reason
                        .map(|r| format!(", reason {}", r.name()))
                        .unwrap_or_default()
                ),
            },
            Err(error) => format!("invalid: {error} ({})", error.code()),
        }];
        if let Ok(answer) = outcome {
            lines.push(format!("  responder:   {}", answer.responder().name()));
        }
        if outcome.as_ref().map_or_else(is_about_time, |_| true) {
            lines.extend(self.when.lines());
        }
        if let (Err(Error::NoMatchingResponse), Some(serials)) = (outcome, &self.response_serials) {
            lines.push(format!(
                "  certificate: serial {}",
                self.serial.as_deref().unwrap_or("?")
            ));
            lines.push(format!(
                "  response:    answers for serial{} {} (another certificate's response, or the \
                 wrong --issuer)",
                if serials.len() == 1 { "" } else { "s" },
                if serials.is_empty() {
                    "(none)".into()
                } else {
                    serials.join(", ")
                }
            ));
        }
        lines
    }
}

/// Whether a refusal is about the response's times: then the report shows them, as stated.
pub(crate) fn is_about_time(error: &Error) -> bool {
    matches!(
        error,
        Error::ResponseExpired { .. }
            | Error::ResponseNotYetValid { .. }
            | Error::ResponseTooOld { .. }
            | Error::ResponseLifetimeTooLong
            | Error::NextUpdateBeforeThisUpdate
    )
}

/// The times of a report, as times: for the human lines.
#[derive(Clone, Copy, Debug)]
pub(crate) struct When {
    pub(crate) now: UnixTime,
    pub(crate) produced_at: Option<UnixTime>,
    pub(crate) this_update: Option<UnixTime>,
    /// `None` when unknown, `Some(None)` when the answer has no nextUpdate.
    pub(crate) next_update: Option<Option<UnixTime>>,
}

impl When {
    pub(crate) fn at(now: UnixTime) -> Self {
        Self {
            now,
            produced_at: None,
            this_update: None,
            next_update: None,
        }
    }

    /// producedAt, thisUpdate and nextUpdate with what they mean at the time of the check
    /// ("expired 3h 12m ago"), then that time.
    pub(crate) fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(produced_at) = self.produced_at {
            lines.push(format!("  producedAt:  {}", rfc3339(produced_at)));
        }
        if let Some(this_update) = self.this_update {
            lines.push(format!(
                "  thisUpdate:  {} ({})",
                rfc3339(this_update),
                this_update_note(self.now, this_update)
            ));
        }
        match self.next_update {
            Some(Some(next)) => lines.push(format!(
                "  nextUpdate:  {} ({})",
                rfc3339(next),
                next_update_note(self.now, next)
            )),
            Some(None) => {
                lines.push("  nextUpdate:  none (newer information is always available)".into());
            }
            None => {}
        }
        lines.push(format!("  checked at:  {}", rfc3339(self.now)));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_nonces() {
        assert_eq!(parse_hex("00ff10").unwrap(), Hex(vec![0, 255, 16]));
        assert_eq!(parse_hex("00:FF:10").unwrap(), Hex(vec![0, 255, 16]));
        assert!(parse_hex("0").unwrap_err().contains("1 hex digits"));
        assert!(
            parse_hex("zz")
                .unwrap_err()
                .contains("`z` is not a hex digit")
        );
        assert!(parse_hex("01-02").unwrap_err().contains("`-`"));
        assert_eq!(parse_hex("").unwrap_err(), "no hex digits");
    }
}
