//! `ocsp-check lint`: the checks operators run in CI on the certificates OCSP depends on.

use std::path::PathBuf;

use ocsp_verify::requests::is_http_url;
use ocsp_verify::{Certificate, UnixTime};
use serde::Serialize;

use crate::Exit;
use crate::chain::signature_verifies;
use crate::describe::{hex, name};
use crate::input::{self, InputError};
use crate::report::{self, ErrorReport, Format};
use crate::time::{parse, rfc3339, span};

pub(crate) const LONG_ABOUT: &str = "\
Lint a certificate for OCSP, the checks operators run in CI before a certificate goes live:

  - its authorityInfoAccess names an OCSP responder with a well-formed http:// URL (a responder \
certificate and a self-issued root need none);
  - whether it is must-staple (TLS feature status_request, RFC 7633): reported as information;
  - an OCSP responder certificate (EKU id-kp-OCSPSigning, or id-pkix-ocsp-nocheck, or \
--responder): id-kp-OCSPSigning present, id-pkix-ocsp-nocheck present (RFC 6960 4.2.2.2.1), \
not a CA, no critical extension a client does not understand;
  - valid at --at (default now): not expired, not yet valid is an error (for a responder \
certificate, the verifier refuses every response it signs);
  - with --issuer: issued by it (issuer name and signature);
  - with a PEM bundle: in order, each certificate issued by the next (name and signature).

The first certificate of --cert is the one linted; the others are its chain. Each finding has a \
stable code and a severity: error and warning are findings (exit 3), info is not.";

pub(crate) const EXAMPLE: &str = "\
Example (a delegated responder certificate without the OCSPSigning EKU):
  ocsp-check lint --cert test-vectors/generated/pki/rsa-responder-noeku.pem \\
      --issuer test-vectors/generated/pki/rsa-ca.pem

Exit status: 0 clean (information only), 3 at least one error or warning, 4 an unreadable input.";

/// Arguments of `lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The certificate to lint (PEM or DER); a PEM bundle is its chain, leaf first.
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER): checks the issuer name and the signature.
    #[arg(long, value_name = "PATH")]
    issuer: Option<PathBuf>,
    /// Lint the certificate as a delegated OCSP responder certificate, whatever its EKU says.
    #[arg(long)]
    responder: bool,
    /// The time the certificate must be valid at: `now`, unix seconds or RFC 3339
    /// [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse)]
    at: Option<UnixTime>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status is the answer. An unreadable input still
    /// prints one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// One thing the lint found, about the certificate at `index` (from 0) in the bundle.
#[derive(Debug)]
struct Finding {
    code: &'static str,
    severity: Severity,
    index: usize,
    message: String,
}

/// Runs `lint`.
pub(crate) fn run(args: &Args) -> Exit {
    let format = Format::of(args.json, args.quiet);
    let bundle = match input::certificates(&args.cert) {
        Ok(bundle) => bundle,
        Err(error) => return input_error(format, &error),
    };
    let issuer = match args.issuer.as_deref().map(input::certificates).transpose() {
        Ok(issuer) => issuer.and_then(|mut all| (!all.is_empty()).then(|| all.swap_remove(0))),
        Err(error) => return input_error(format, &error),
    };
    // Every certificate was parsed when read.
    let certs: Vec<Certificate<'_>> = bundle
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let issuer = issuer
        .as_deref()
        .and_then(|der| Certificate::from_der(der).ok());
    let Some(cert) = certs.first() else {
        let error = input::error(&args.cert, "no certificate");
        return input_error(format, &error);
    };
    let now = args.at.unwrap_or_else(UnixTime::now);
    let mut findings = Vec::new();
    lint_certificate(cert, args.responder, &mut findings);
    lint_validity(cert, args.responder, now, &mut findings);
    if let Some(issuer) = &issuer {
        lint_issued_by(cert, issuer, &mut findings);
    }
    lint_chain(&certs, &mut findings);
    // Errors first, then warnings, then information; in the order found within each.
    findings.sort_by_key(|f| f.severity);

    let report = LintReport::new(&certs, &findings, now);
    report::print(format, &report, &human_report(&certs, &findings), false);
    if report.clean {
        Exit::Good
    } else {
        Exit::Invalid
    }
}

/// The JSON object `lint` prints.
#[derive(Debug, Serialize)]
struct LintReport {
    certificates: Vec<CertificateShown>,
    findings: Vec<FindingShown>,
    errors: usize,
    warnings: usize,
    clean: bool,
    /// The time the validity was checked at.
    checked_at: Option<String>,
    error: Option<ErrorReport>,
}

#[derive(Debug, Serialize)]
struct CertificateShown {
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
}

#[derive(Debug, Serialize)]
struct FindingShown {
    code: &'static str,
    severity: Severity,
    /// Counted from 1, as in the human output.
    certificate: usize,
    message: String,
}

impl LintReport {
    fn new(certs: &[Certificate<'_>], findings: &[Finding], now: UnixTime) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        Self {
            certificates: certs
                .iter()
                .map(|cert| CertificateShown {
                    subject: name(cert.subject()),
                    issuer: name(cert.issuer()),
                    serial: hex(cert.serial()),
                    not_before: rfc3339(cert.not_before()),
                    not_after: rfc3339(cert.not_after()),
                })
                .collect(),
            findings: findings
                .iter()
                .map(|f| FindingShown {
                    code: f.code,
                    severity: f.severity,
                    certificate: f.index + 1,
                    message: f.message.clone(),
                })
                .collect(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            clean: count(Severity::Error) + count(Severity::Warning) == 0,
            checked_at: Some(rfc3339(now)),
            error: None,
        }
    }

    fn failed(error: ErrorReport) -> Self {
        Self {
            certificates: Vec::new(),
            findings: Vec::new(),
            errors: 0,
            warnings: 0,
            clean: false,
            checked_at: None,
            error: Some(error),
        }
    }
}

/// The JSON of `lint` when its arguments could not be used.
pub(crate) fn usage_json(error: ErrorReport) -> String {
    report::json(&LintReport::failed(error))
}

/// One line on stderr, or the JSON object with the error and no findings.
fn input_error(format: Format, error: &InputError) -> Exit {
    let report = LintReport::failed(ErrorReport::new("input_error", error.to_string()));
    report::print(format, &report, &[], false);
    report::error_line(format, error);
    Exit::Usage
}

/// The certificate's validity at `now`: an expired or not yet valid certificate is an error
/// (a responder certificate's, because the verifier refuses every response it signs).
fn lint_validity(
    cert: &Certificate<'_>,
    as_responder: bool,
    now: UnixTime,
    findings: &mut Vec<Finding>,
) {
    let responder = as_responder || cert.has_ocsp_signing() || cert.has_ocsp_nocheck();
    let consequence = if responder {
        ": clients refuse every response it signs (responder_expired, responder_not_yet_valid)"
    } else {
        ""
    };
    let (not_before, not_after) = (cert.not_before(), cert.not_after());
    if now.as_secs() > not_after.as_secs() {
        finding(
            findings,
            if responder {
                "responder_expired"
            } else {
                "certificate_expired"
            },
            Severity::Error,
            0,
            format!(
                "expired {} ago (notAfter {}, checked at {}){consequence}",
                span(now.as_secs() - not_after.as_secs()),
                rfc3339(not_after),
                rfc3339(now)
            ),
        );
    } else if now.as_secs() < not_before.as_secs() {
        finding(
            findings,
            if responder {
                "responder_not_yet_valid"
            } else {
                "certificate_not_yet_valid"
            },
            Severity::Error,
            0,
            format!(
                "not valid for another {} (notBefore {}, checked at {}){consequence}",
                span(not_before.as_secs() - now.as_secs()),
                rfc3339(not_before),
                rfc3339(now)
            ),
        );
    }
}

fn finding(
    findings: &mut Vec<Finding>,
    code: &'static str,
    severity: Severity,
    index: usize,
    message: String,
) {
    findings.push(Finding {
        code,
        severity,
        index,
        message,
    });
}

/// The checks on the certificate itself.
fn lint_certificate(cert: &Certificate<'_>, as_responder: bool, findings: &mut Vec<Finding>) {
    // RFC 6960 section 4.2.2.2.1: id-pkix-ocsp-nocheck is for "the responder's certificate";
    // a certificate that carries it, or the OCSPSigning EKU, is meant to sign responses.
    let responder = as_responder || cert.has_ocsp_signing() || cert.has_ocsp_nocheck();
    let self_issued = cert.issuer() == cert.subject();

    let urls: Vec<&str> = cert.ocsp_urls().collect();
    if urls.is_empty() && !responder && !self_issued {
        finding(
            findings,
            "aia_ocsp_missing",
            Severity::Error,
            0,
            "no OCSP responder URL: the authorityInfoAccess extension has no id-ad-ocsp entry, \
             so clients and stapling servers cannot ask about this certificate"
                .into(),
        );
    }
    for url in &urls {
        match url_problem(url) {
            None => finding(
                findings,
                "aia_ocsp_url",
                Severity::Info,
                0,
                format!("OCSP responder: {url}"),
            ),
            Some((code, problem)) => finding(
                findings,
                code,
                Severity::Error,
                0,
                format!("OCSP responder URL `{url}`: {problem}"),
            ),
        }
    }

    if cert.is_must_staple() {
        finding(
            findings,
            "must_staple_present",
            Severity::Info,
            0,
            "must-staple: the TLS feature extension lists status_request (RFC 7633): clients \
             that honour it refuse the server unless it staples a good, fresh response"
                .into(),
        );
    } else {
        finding(
            findings,
            "must_staple_absent",
            Severity::Info,
            0,
            "not must-staple (no TLS feature status_request)".into(),
        );
    }

    if !responder {
        return;
    }
    finding(
        findings,
        "ocsp_responder",
        Severity::Info,
        0,
        "linted as a delegated OCSP responder certificate (RFC 6960 section 4.2.2.2)".into(),
    );
    if !cert.has_ocsp_signing() {
        let what = if cert.has_any_extended_key_usage() {
            "lists anyExtendedKeyUsage, which RFC 6960 does not accept in its place"
        } else if cert.has_extended_key_usage() {
            "lists other purposes only"
        } else {
            "is absent"
        };
        finding(
            findings,
            "responder_missing_ocsp_signing",
            Severity::Error,
            0,
            format!(
                "the extended key usage {what}: RFC 6960 section 4.2.2.2 requires \
                 id-kp-OCSPSigning, so clients refuse responses this certificate signs"
            ),
        );
    }
    if !cert.has_ocsp_nocheck() {
        finding(
            findings,
            "responder_missing_nocheck",
            Severity::Warning,
            0,
            "no id-pkix-ocsp-nocheck: RFC 6960 section 4.2.2.2.1 has CAs include it so that \
             clients trust the responder for its lifetime instead of checking its revocation \
             (the CA/Browser Forum requires it)"
                .into(),
        );
    }
    if cert.is_ca() {
        finding(
            findings,
            "responder_is_ca",
            Severity::Error,
            0,
            "basicConstraints says cA: a delegated responder must not be a CA certificate; \
             this crate's verifier refuses its responses"
                .into(),
        );
    }
    if cert.has_unknown_critical_extension() {
        finding(
            findings,
            "responder_unknown_critical_extension",
            Severity::Error,
            0,
            "a critical extension OCSP clients do not understand: RFC 5280 section 4.2 has \
             them reject the certificate, and so its responses"
                .into(),
        );
    }
}

/// Why an OCSP URL is not a well-formed `http://` URL with a host, with a stable code.
fn url_problem(url: &str) -> Option<(&'static str, String)> {
    if !is_http_url(url) {
        let scheme = url.split_once("://").map_or("none", |(scheme, _)| scheme);
        return Some((
            "aia_ocsp_not_http",
            format!(
                "the scheme is {scheme}, not http: OCSP is fetched over plain HTTP (RFC 6960 \
                 Appendix A; the response is signed, and an https responder's own \
                 certificate would need a revocation check)"
            ),
        ));
    }
    let malformed = |why: &str| Some(("aia_ocsp_malformed", why.to_string()));
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return malformed("it contains spaces, control or non-ASCII characters");
    }
    let rest = url.get(7..).unwrap_or_default();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return malformed("it carries user information before the host");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return malformed("an IPv6 host without its closing `]`"),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return malformed("it has no host");
    }
    let v6 = authority.starts_with('[');
    let host_ok = if v6 {
        host.chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        host.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-'])
    };
    if !host_ok {
        return malformed("the host is not a DNS name or an IP address");
    }
    if let Some(port) = port
        && !(port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0))
    {
        return malformed("the port is not a number from 1 to 65535");
    }
    None
}

/// `--issuer`: the name and the signature.
fn lint_issued_by(cert: &Certificate<'_>, issuer: &Certificate<'_>, findings: &mut Vec<Finding>) {
    if cert.issuer() != issuer.subject() {
        finding(
            findings,
            "issuer_name_mismatch",
            Severity::Error,
            0,
            format!(
                "not issued by --issuer: its issuer is {}, and --issuer is {}",
                name(cert.issuer()),
                name(issuer.subject())
            ),
        );
        return;
    }
    match signature_verifies(cert, issuer) {
        Some(true) => {}
        Some(false) => finding(
            findings,
            "issuer_signature_invalid",
            Severity::Error,
            0,
            format!(
                "--issuer ({}) has the right name, but its key does not verify the \
                 certificate's signature",
                name(issuer.subject())
            ),
        ),
        None => finding(
            findings,
            "issuer_signature_unchecked",
            Severity::Warning,
            0,
            "the signature cannot be checked: its algorithm, or --issuer's key type, is not \
             supported"
                .into(),
        ),
    }
}

/// A PEM bundle: each certificate issued by the next, by name and signature.
fn lint_chain(certs: &[Certificate<'_>], findings: &mut Vec<Finding>) {
    for (index, pair) in certs.windows(2).enumerate() {
        let (cert, next) = (&pair[0], &pair[1]);
        let (n, m) = (index + 1, index + 2);
        if cert.issuer() != next.subject() {
            let reversed = if next.issuer() == cert.subject() {
                " (the other way round: the bundle looks reversed)"
            } else {
                ""
            };
            finding(
                findings,
                "chain_order",
                Severity::Error,
                index,
                format!(
                    "certificate {n} of the bundle ({}) is not issued by certificate {m} \
                     ({}){reversed}: a bundle lists the certificate first, then each issuer in \
                     turn",
                    name(cert.subject()),
                    name(next.subject())
                ),
            );
            continue;
        }
        match signature_verifies(cert, next) {
            Some(true) => {}
            Some(false) => finding(
                findings,
                "chain_signature_invalid",
                Severity::Error,
                index,
                format!(
                    "certificate {m} ({}) has the name of certificate {n}'s issuer, but its \
                     key does not verify certificate {n}'s signature",
                    name(next.subject())
                ),
            ),
            None => finding(
                findings,
                "chain_signature_unchecked",
                Severity::Warning,
                index,
                format!(
                    "certificate {n}'s signature cannot be checked with certificate {m}'s key: \
                     the algorithm is not supported"
                ),
            ),
        }
    }
}

fn human_report(certs: &[Certificate<'_>], findings: &[Finding]) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, cert) in certs.iter().enumerate() {
        lines.push(format!(
            "certificate {}: {} (serial {})",
            index + 1,
            name(cert.subject()),
            hex(cert.serial())
        ));
    }
    for finding in findings {
        lines.push(format!(
            "  {:<8} {}: {}",
            finding.severity.name(),
            finding.code,
            finding.message
        ));
    }
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    lines.push(if errors + warnings == 0 {
        "clean: no findings".to_string()
    } else {
        format!(
            "{} finding{} ({errors} error{}, {warnings} warning{})",
            errors + warnings,
            plural(errors + warnings),
            plural(errors),
            plural(warnings)
        )
    });
    lines
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for good in [
            "http://ocsp.example.com",
            "http://ocsp.example.com/",
            "http://127.0.0.1:8888/",
            "HTTP://[2001:db8::1]:80/ocsp",
            "http://r3.o.lencr.org",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        for (bad, code) in [
            ("https://ocsp.example.com/", "aia_ocsp_not_http"),
            ("ldap://ocsp.example.com/", "aia_ocsp_not_http"),
            ("ocsp.example.com", "aia_ocsp_not_http"),
            ("http:///path", "aia_ocsp_malformed"),
            ("http://", "aia_ocsp_malformed"),
            ("http://exa mple.com/", "aia_ocsp_malformed"),
            ("http://user@example.com/", "aia_ocsp_malformed"),
            ("http://example.com:0/", "aia_ocsp_malformed"),
            ("http://example.com:http/", "aia_ocsp_malformed"),
            ("http://[::1/", "aia_ocsp_malformed"),
            ("http://exa_mple.com/", "aia_ocsp_malformed"),
        ] {
            assert_eq!(url_problem(bad).map(|(c, _)| c), Some(code), "{bad}");
        }
    }
}
