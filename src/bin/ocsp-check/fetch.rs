//! `ocsp-check fetch`: ask the responder, verify the answer, save it for stapling.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ocsp_verify::fetch::{BadAnswer, FetchError, FetchMethod, Fetcher, Unreachable};
use ocsp_verify::requests::{http_responder_urls, is_http_url};
use ocsp_verify::{
    Answer, Certificate, Error, HashAlgorithm, Issuer, OwnedVerifiedResponse, UnixTime,
};
use serde::Serialize;

use crate::Exit;
use crate::chain::{self, Pair};
use crate::input::InputError;
use crate::metrics;
use crate::output::{self, Written};
use crate::report::{self, ErrorReport};
use crate::request::fresh_nonce;
use crate::verify::{Check, Options, VerifyReport, WithError, input_error};

pub(crate) const LONG_ABOUT: &str = "\
Ask the certificate's OCSP responder (the http:// URLs of its authorityInfoAccess, in order, or \
--url) over plain HTTP, with a fresh 32-byte nonce unless --no-nonce; verify the answer as \
`verify` does, with the nonce sent; print it as `verify` does (the same lines and JSON keys, \
and which URL answered); and with --out save it for a TLS server to staple, like OpenBSD's \
`ocspcheck -o`.

The response is saved only when it verified, whatever the status it gives: a revoked answer \
replaces an older good one, so that the server stops stapling `good` for a revoked certificate. \
The file is replaced atomically (written beside it, synced, then renamed), keeping its \
permissions and owner; a symlink is written through. --out refuses anything that is not a \
regular file (a FIFO, a device, a directory). --out - writes the DER to stdout, and the report \
to stderr.

A responder that cannot be reached, times out, or answers something that is not a valid \
response exits 3, with the reason as the JSON error code: responder_unreachable, \
responder_timeout, http_status, bad_content_type, response_too_large, http_protocol, a parse \
error of the body (bad_der, ...), or the verifier's code for a response that does not verify \
(missing_nonce, invalid_signature, response_expired, ...). A URL that is not http:// exits 4 \
(invalid_url). The request is sent by GET when the URL is shorter than 255 bytes, else by POST \
(RFC 5019); responses are read up to 64 KiB.";

pub(crate) const EXAMPLE: &str = "\
Examples:
  ocsp-check fetch --cert server.pem --issuer intermediate.pem --out /var/www/ocsp.der
  ocsp-check fetch --cert fullchain.pem --quiet --min-remaining 86400

Responders behind caches (RFC 5019) answer without a nonce: use --no-nonce for those.

Exit status: 0 good, 1 revoked, 2 unknown, 3 no valid response (unreachable, nonsense, or \
refused by the verifier), 4 usage or input error (no http:// responder URL: give --url; an \
--out that cannot be written), 5 good but fewer than --min-remaining seconds left.";

/// Arguments of `fetch`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The certificate to ask about (PEM or DER); a bundle with its issuer next
    /// (fullchain.pem) makes --issuer optional.
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER; from a bundle, the one that issued --cert)
    /// [default: the certificate after the first in --cert].
    #[arg(long, value_name = "PATH")]
    issuer: Option<PathBuf>,
    /// The responder to ask (an http:// URL) instead of those the certificate names
    /// (authorityInfoAccess).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Save the response, once verified, to this file (for a server to staple); `-` writes
    /// it to stdout.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Send no nonce and expect none (responders behind caches ignore nonces; a response
    /// without one may be a replay of an older answer still within its validity).
    #[arg(long = "no-nonce")]
    no_nonce: bool,
    /// Hash the CertID with SHA-256 instead of SHA-1 (not every responder understands it).
    #[arg(long)]
    sha256: bool,
    /// Seconds allowed for the whole exchange, every responder URL included (1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = crate::time::timeout)]
    timeout: Duration,
    #[command(flatten)]
    options: Options,
}

/// The JSON object `fetch` prints: `verify`'s keys, which URL answered, and what was saved.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FetchReport {
    #[serde(flatten)]
    verify: VerifyReport,
    /// The responder URL that answered (or, when none did, the one whose failure is reported).
    url: Option<String>,
    /// Where the response was saved (`-` for stdout), and how many bytes.
    out: Option<String>,
    out_bytes: Option<usize>,
}

impl WithError for FetchReport {
    fn with_error(&self, error: ErrorReport) -> Self {
        Self {
            verify: self.verify.with_error(error),
            ..self.clone()
        }
    }
}

impl FetchReport {
    pub(crate) fn failed(now: UnixTime) -> Self {
        Self {
            verify: VerifyReport::failed(now),
            url: None,
            out: None,
            out_bytes: None,
        }
    }
}

/// Runs `fetch`.
pub(crate) fn run(args: &Args) -> Exit {
    let options = &args.options;
    let format = options.format();
    let started = Instant::now();
    let now = options.at.unwrap_or_else(UnixTime::now);
    let to_stderr = args.out.as_deref().is_some_and(output::is_stdout);
    // `--prometheus`: the figures, where the report would go (stderr when stdout carries the
    // DER of `--out -`).
    let prometheus = |cert: &[u8], check: &Check<'_>, exit: Exit, fetch: Option<metrics::Fetch>| {
        if !options.prometheus {
            return;
        }
        let mut probe = options.metrics(&args.cert, cert, check);
        probe.exit = exit;
        probe.fetch = fetch;
        let text = metrics::encode(&[probe]);
        if to_stderr {
            eprint!("{text}");
        } else {
            report::stdout(&text);
        }
    };
    let unjudged = Check {
        started,
        now,
        outcome: None,
        when: None,
    };
    let (pair, trusted) = match read(args) {
        Ok(inputs) => inputs,
        Err(error) => {
            prometheus(&[], &unjudged, Exit::Usage, None);
            return input_error(format, &FetchReport::failed(now), &error);
        }
    };
    let serial = Certificate::from_der(&pair.cert)
        .ok()
        .map(|cert| crate::describe::hex(cert.serial()));
    let stop = |exit: Exit, error: ErrorReport, url: Option<&str>, took: Option<Duration>| {
        let mut report = FetchReport::failed(now).with_error(error.clone());
        report.url = url.map(str::to_string);
        report.verify.serial.clone_from(&serial);
        report::print(format, &report, &[], to_stderr);
        let fetch = url.zip(took).map(|(url, duration)| metrics::Fetch {
            url: url.to_string(),
            result: error.code.clone(),
            duration,
        });
        prometheus(&pair.cert, &unjudged, exit, fetch);
        report::error_line(format, &error.message);
        exit
    };
    let (Ok(cert), Ok(issuer)) = (
        Certificate::from_der(&pair.cert),
        Certificate::from_der(&pair.issuer),
    ) else {
        return stop(
            Exit::Usage,
            ErrorReport::new("input_error", "unreadable certificate"),
            None,
            None,
        );
    };
    let urls: Vec<String> = match &args.url {
        Some(url) if !is_http_url(url) => {
            let message = format!(
                "--url `{url}` is not an http:// URL: OCSP is asked over plain HTTP (RFC 6960 \
                 Appendix A; the answer is signed)"
            );
            return stop(
                Exit::Usage,
                ErrorReport::new("invalid_url", message),
                Some(url),
                None,
            );
        }
        Some(url) => vec![url.clone()],
        None => http_responder_urls(&cert).map(str::to_string).collect(),
    };
    if urls.is_empty() {
        let message = "the certificate names no http:// OCSP responder (authorityInfoAccess); \
                       give one with --url";
        return stop(
            Exit::Usage,
            ErrorReport::new("no_responder_url", message),
            None,
            None,
        );
    }
    let nonce = if args.no_nonce {
        None
    } else {
        match fresh_nonce() {
            Ok(nonce) => Some(nonce),
            Err(error) => {
                let message = format!("no random bytes for the nonce: {error}");
                return stop(
                    Exit::Usage,
                    ErrorReport::new("random_failed", message),
                    None,
                    None,
                );
            }
        }
    };
    let trusted: Vec<Certificate<'_>> = trusted
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let issuer = Issuer::from(&issuer);
    let ask = Ask {
        args,
        trusted: &trusted,
        cert: &cert,
        issuer: &issuer,
        nonce: nonce.as_ref().map(|n| &n[..]),
        now,
    };
    let asked = Instant::now();
    let (url, result) = ask.first_answer(&urls);
    let took = asked.elapsed();
    let fetched_as = |result: &str| metrics::Fetch {
        url: url.clone(),
        result: result.to_string(),
        duration: took,
    };

    match result {
        Ok(fetched) => {
            let answer = fetched.answer();
            let mut report = FetchReport {
                verify: VerifyReport::new(&Ok(answer), &pair.cert, fetched.der(), now),
                url: Some(url.clone()),
                out: None,
                out_bytes: None,
            };
            let saved = args
                .out
                .as_deref()
                .map(|out| output::write(out, fetched.der()));
            let mut lines = report.verify.human_lines(&Ok(answer));
            lines.push(format!("  fetched:     from {url}"));
            let exit = options.exit_status(&Ok(answer), now);
            match saved {
                Some(Ok(written)) => {
                    report.out = Some(written.shown());
                    report.out_bytes = Some(fetched.der().len());
                    lines.push(match written {
                        Written::Stdout => {
                            format!("  saved:       to stdout ({} bytes)", fetched.der().len())
                        }
                        Written::File(path) => {
                            format!(
                                "  saved:       {} ({} bytes)",
                                path.display(),
                                fetched.der().len()
                            )
                        }
                    });
                }
                Some(Err(error)) => {
                    report.verify.error = Some(ErrorReport::new(
                        "output_error",
                        format!("cannot save the response: {error}"),
                    ));
                    lines.push("  saved:       nothing (see the error)".into());
                    report::print(format, &report, &lines, to_stderr);
                    let check = Check {
                        outcome: Some(&Ok(answer)),
                        when: Some(&report.verify.when),
                        ..unjudged
                    };
                    prometheus(&pair.cert, &check, Exit::Usage, Some(fetched_as("ok")));
                    report::error_line(format, &format!("cannot save the response: {error}"));
                    return Exit::Usage;
                }
                None => {}
            }
            lines.extend(options.refresh_line(&Ok(answer), now, true));
            report::print(format, &report, &lines, to_stderr);
            let check = Check {
                outcome: Some(&Ok(answer)),
                when: Some(&report.verify.when),
                ..unjudged
            };
            prometheus(&pair.cert, &check, exit, Some(fetched_as("ok")));
            exit
        }
        Err(FetchError::InvalidResponse { error: refused, .. }) => {
            // The responder answered with an OCSP response that was refused: an answer,
            // printed as `verify` prints a refused response. The bytes are not kept by the
            // fetcher, so the times come from the error alone.
            let outcome: Result<Answer, Error> = Err(refused);
            let mut report = FetchReport::failed(now);
            report.verify = VerifyReport::new(&outcome, &pair.cert, &[], now);
            report.url = Some(url.clone());
            let mut lines = report.verify.human_lines(&outcome);
            lines.push(format!("  fetched:     from {url}"));
            if refused == Error::MissingNonce {
                lines.push(
                    "  hint:        the responder ignores nonces (a cache in front of it, RFC \
                     5019): try --no-nonce"
                        .into(),
                );
            }
            report::print(format, &report, &lines, to_stderr);
            let check = Check {
                outcome: Some(&outcome),
                when: Some(&report.verify.when),
                ..unjudged
            };
            let fetch = fetched_as(refused.code());
            prometheus(&pair.cert, &check, Exit::Invalid, Some(fetch));
            Exit::Invalid
        }
        Err(error) => {
            let (exit, code) = classify(&error);
            let error = ErrorReport::new(code, describe(&error));
            stop(exit, error, Some(&url), Some(took))
        }
    }
}

fn read(args: &Args) -> Result<(Pair, Vec<Vec<u8>>), InputError> {
    Ok((
        chain::cert_and_issuer(&args.cert, args.issuer.as_deref())?,
        args.options.trusted()?,
    ))
}

/// One fetch, URL by URL, so that the report can say which one answered.
struct Ask<'a> {
    args: &'a Args,
    trusted: &'a [Certificate<'a>],
    cert: &'a Certificate<'a>,
    issuer: &'a Issuer<'a>,
    nonce: Option<&'a [u8]>,
    now: UnixTime,
}

impl Ask<'_> {
    /// Asks each URL in turn, within one deadline for all: the first that gives a verified
    /// answer, else the failure of the first that answered at all (a responder's word says
    /// more than silence), else the first failure.
    fn first_answer(&self, urls: &[String]) -> (String, Result<OwnedVerifiedResponse, FetchError>) {
        let deadline = Instant::now() + self.args.timeout;
        let mut failures: Vec<(String, FetchError)> = Vec::new();
        for url in urls {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                failures.push((
                    url.clone(),
                    FetchError::Unreachable {
                        url: url.clone(),
                        reason: Unreachable::Timeout,
                    },
                ));
                continue;
            }
            let fetcher = Fetcher::new(
                self.args
                    .options
                    .verifier()
                    .with_trusted_responders(self.trusted),
            )
            .with_timeout(remaining)
            .with_connect_timeout(remaining.min(Duration::from_secs(5)))
            .with_method(FetchMethod::Auto)
            .with_hash_algorithm(if self.args.sha256 {
                HashAlgorithm::Sha256
            } else {
                HashAlgorithm::Sha1
            })
            .with_responder_url(Some(url));
            match fetcher.fetch(self.cert, self.issuer, self.nonce, self.now) {
                Ok(fetched) => return (url.clone(), Ok(fetched)),
                Err(error) => failures.push((url.clone(), error)),
            }
        }
        let index = failures
            .iter()
            .position(|(_, e)| !e.is_unreachable())
            .unwrap_or(0);
        if index < failures.len() {
            let (url, error) = failures.swap_remove(index);
            (url, Err(error))
        } else {
            (String::new(), Err(FetchError::NoResponderUrl))
        }
    }
}

/// The exit status and the stable JSON error code of a failed fetch.
fn classify(error: &FetchError) -> (Exit, &'static str) {
    match error {
        FetchError::Unreachable { reason, .. } => match reason {
            Unreachable::Timeout => (Exit::Invalid, "responder_timeout"),
            Unreachable::ServerError(_) => (Exit::Invalid, "http_status"),
            // A URL that cannot be used at all is the caller's (or the certificate's) mistake.
            Unreachable::InvalidUrl(_) => (Exit::Usage, "invalid_url"),
            _ => (Exit::Invalid, "responder_unreachable"),
        },
        FetchError::BadAnswer { reason, .. } => match reason {
            BadAnswer::Status(_) => (Exit::Invalid, "http_status"),
            BadAnswer::ContentType(_) => (Exit::Invalid, "bad_content_type"),
            BadAnswer::TooLarge(_) => (Exit::Invalid, "response_too_large"),
            BadAnswer::Malformed(error) => (Exit::Invalid, error.code()),
            BadAnswer::Protocol(_) => (Exit::Invalid, "http_protocol"),
            _ => (Exit::Invalid, "bad_answer"),
        },
        FetchError::InvalidResponse { error, .. } => (Exit::Invalid, error.code()),
        FetchError::InvalidRequest(error) => (Exit::Usage, error.code()),
        FetchError::NoResponderUrl => (Exit::Usage, "no_responder_url"),
        _ => (Exit::Invalid, "fetch_failed"),
    }
}

/// What went wrong, in plain words: a responder that answered is never called unreachable.
fn describe(error: &FetchError) -> String {
    match error {
        FetchError::Unreachable { url, reason } => match reason {
            Unreachable::ServerError(status) => format!(
                "the OCSP responder at {url} answered HTTP {status} (a server error): it is up, \
                 but could not answer"
            ),
            Unreachable::Timeout => format!("the OCSP responder at {url} did not answer in time"),
            Unreachable::InvalidUrl(why) => format!("`{url}` cannot be used as a URL: {why}"),
            Unreachable::Dns => {
                format!(
                    "the OCSP responder at {url} is unreachable: its host name does not resolve"
                )
            }
            other => format!("the OCSP responder at {url} is unreachable: {other}"),
        },
        FetchError::BadAnswer { url, reason } => match reason {
            BadAnswer::Status(status) => {
                format!("the OCSP responder at {url} answered HTTP {status}, not 200")
            }
            BadAnswer::ContentType(Some(content_type)) => format!(
                "the OCSP responder at {url} answered with content type {content_type}, not \
                 application/ocsp-response"
            ),
            BadAnswer::ContentType(None) => format!(
                "the OCSP responder at {url} answered with no content type, not \
                 application/ocsp-response"
            ),
            BadAnswer::TooLarge(cap) => format!(
                "the OCSP responder at {url} answered with a body longer than {cap} bytes, larger \
                 than any OCSP response"
            ),
            BadAnswer::Malformed(error) => format!(
                "the OCSP responder at {url} answered with a body that is not an OCSP response \
                 ({error})"
            ),
            other => format!("the OCSP responder at {url} answered nonsense: {other}"),
        },
        FetchError::InvalidRequest(Error::IssuerNameMismatch) => "--issuer is not the \
             certificate's issuer (its subject is not the certificate's issuer name)"
            .into(),
        other => other.to_string(),
    }
}
