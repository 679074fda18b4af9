//! `ocsp-check show`: everything in a response, legible.

use std::path::PathBuf;

use ocsp_verify::views::{BasicResponse, Extension, OcspResponse, ResponderId, SingleResponse};
use ocsp_verify::{CertStatus, Certificate, Error, ResponseStatus};
use serde::Serialize;

use crate::Exit;
use crate::describe::{algorithm, dotted, hex, name, oid_name};
use crate::input;
use crate::report::{self, ErrorReport, Format};
use crate::time::rfc3339;

pub(crate) const LONG_ABOUT: &str = "\
Show everything in an OCSP response, without verifying it: the response status, the responder, \
producedAt, each SingleResponse (CertID, status, times, extensions), the response extensions \
(the nonce among them), the signature algorithm, and the embedded certificates' subjects, with \
names for distinguished names (RFC 4514) and OIDs. Like `openssl ocsp -resp_text`, but legible; \
--json for one JSON object.";

/// The example under `show --help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  ocsp-check show test-vectors/generated/responses/good-rsa-delegated.der

With --quiet nothing is printed and the exit status is the answer.

Exit status: 0 a successful response shown, 3 a response that does not parse or carries an \
error status, 4 an unreadable file (or one that holds something else, such as a certificate).";

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The OCSP response (DER, or PEM `OCSP RESPONSE`; at most 64 KiB).
    #[arg(value_name = "RESPONSE")]
    response: PathBuf,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status says whether the response parses and is
    /// successful. An unreadable file still prints one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
}

/// The JSON object `show` prints: the same keys whatever the response (null when absent).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Shown {
    response_status: Option<&'static str>,
    error: Option<ErrorReport>,
    responder_id: Option<ResponderIdShown>,
    produced_at: Option<String>,
    signature_algorithm: Option<String>,
    responses: Vec<SingleShown>,
    extensions: Vec<ExtensionShown>,
    nonce: Option<String>,
    certs: Vec<CertShown>,
}

#[derive(Debug, Serialize)]
struct ResponderIdShown {
    by_name: Option<String>,
    by_key: Option<String>,
}

#[derive(Debug, Serialize)]
struct CertIdShown {
    hash_algorithm: String,
    issuer_name_hash: String,
    issuer_key_hash: String,
    serial: String,
}

#[derive(Debug, Serialize)]
struct SingleShown {
    cert_id: CertIdShown,
    status: &'static str,
    revocation_time: Option<String>,
    revocation_reason: Option<&'static str>,
    this_update: String,
    next_update: Option<String>,
    extensions: Vec<ExtensionShown>,
}

#[derive(Debug, Serialize)]
struct ExtensionShown {
    id: String,
    name: Option<&'static str>,
    critical: bool,
    /// The extension's value, hex.
    value: String,
}

#[derive(Debug, Serialize)]
struct CertShown {
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    ocsp_signing: bool,
    ocsp_nocheck: bool,
    ca: bool,
}

/// The JSON of `show` when its arguments could not be used.
pub(crate) fn usage_json(error: ErrorReport) -> String {
    report::json(&Shown::failed(error))
}

/// Runs `show`. Exit status: 0 for a successful response shown, 3 for a response that does
/// not parse or carries an error status, 4 for an unreadable file.
pub(crate) fn run(args: &Args) -> Exit {
    let format = Format::of(args.json, args.quiet);
    let bytes = match input::response(&args.response) {
        Ok(bytes) => bytes,
        Err(error) => {
            let shown = Shown::failed(ErrorReport::new("input_error", error.to_string()));
            report::print(format, &shown, &[], false);
            report::error_line(format, &error);
            return Exit::Usage;
        }
    };
    let parsed = OcspResponse::from_der(&bytes);
    let shown = Shown::of(&parsed);
    report::print(format, &shown, &shown.lines(), false);
    match parsed.as_ref().map(OcspResponse::status) {
        Ok(ResponseStatus::Successful) => Exit::Good,
        _ => Exit::Invalid,
    }
}

impl Shown {
    fn failed(error: ErrorReport) -> Self {
        Self {
            error: Some(error),
            ..Self::default()
        }
    }

    /// What a parsed (or refused) response holds.
    fn of(parsed: &Result<OcspResponse<'_>, Error>) -> Self {
        let response = match parsed {
            Ok(response) => response,
            Err(error) => return Self::failed(ErrorReport::of(error)),
        };
        let status = Some(response.status().name());
        match response.basic() {
            Ok(basic) => Self {
                response_status: status,
                ..Self::basic(basic)
            },
            Err(error) => Self {
                response_status: status,
                ..Self::failed(ErrorReport::of(&error))
            },
        }
    }

    fn basic(basic: &BasicResponse<'_>) -> Self {
        let data = basic.response_data();
        let responder_id = match data.responder_id() {
            ResponderId::ByName(der) => ResponderIdShown {
                by_name: Some(name(der)),
                by_key: None,
            },
            ResponderId::ByKey(key) => ResponderIdShown {
                by_name: None,
                by_key: Some(hex(key)),
            },
        };
        let nonce = match data.nonce() {
            Ok(nonce) => nonce.map(hex),
            Err(error) => Some(format!("invalid ({error})")),
        };
        Self {
            response_status: None,
            error: None,
            responder_id: Some(responder_id),
            produced_at: Some(rfc3339(data.produced_at())),
            signature_algorithm: Some(algorithm(basic.signed_data().algorithm())),
            responses: data.responses().flatten().map(|s| single(&s)).collect(),
            extensions: data.extensions().flatten().map(|e| extension(&e)).collect(),
            nonce,
            certs: basic.certs().flatten().map(|c| cert(&c)).collect(),
        }
    }

    /// The human rendering.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let Some(status) = self.response_status else {
            if let Some(error) = &self.error {
                lines.push(format!("invalid: {} ({})", error.message, error.code));
            }
            return lines;
        };
        lines.push(format!("responseStatus: {status}"));
        if let Some(error) = &self.error {
            lines.push(format!("  {} ({})", error.message, error.code));
            return lines;
        }
        if let Some(responder) = &self.responder_id {
            lines.push(match (&responder.by_name, &responder.by_key) {
                (Some(by_name), _) => format!("responder:      byName {by_name}"),
                (_, by_key) => {
                    format!("responder:      byKey {}", by_key.as_deref().unwrap_or("?"))
                }
            });
        }
        let none = || "none".to_string();
        lines.push(format!(
            "producedAt:     {}",
            self.produced_at.clone().unwrap_or_else(none)
        ));
        lines.push(format!(
            "signature:      {}",
            self.signature_algorithm.clone().unwrap_or_else(none)
        ));
        lines.push(format!("responses:      {}", self.responses.len()));
        for (index, single) in self.responses.iter().enumerate() {
            let id = &single.cert_id;
            lines.push(format!(
                "  [{index}] serial {} ({} CertID, issuerNameHash {}, issuerKeyHash {})",
                id.serial, id.hash_algorithm, id.issuer_name_hash, id.issuer_key_hash
            ));
            let mut status = single.status.to_string();
            if let Some(time) = &single.revocation_time {
                status.push_str(&format!(" since {time}"));
            }
            if let Some(reason) = single.revocation_reason {
                status.push_str(&format!(", reason {reason}"));
            }
            lines.push(format!("      status:     {status}"));
            lines.push(format!("      thisUpdate: {}", single.this_update));
            lines.push(format!(
                "      nextUpdate: {}",
                single.next_update.clone().unwrap_or_else(none)
            ));
            for extension in &single.extensions {
                lines.push(format!("      extension:  {}", extension.line()));
            }
        }
        for extension in &self.extensions {
            lines.push(format!("extension:      {}", extension.line()));
        }
        lines.push(format!(
            "nonce:          {}",
            self.nonce.clone().unwrap_or_else(none)
        ));
        lines.push(format!("certs:          {}", self.certs.len()));
        for (index, cert) in self.certs.iter().enumerate() {
            let roles: Vec<&str> = [
                (cert.ocsp_signing, "OCSPSigning"),
                (cert.ocsp_nocheck, "ocsp-nocheck"),
                (cert.ca, "CA"),
            ]
            .into_iter()
            .filter_map(|(has, role)| has.then_some(role))
            .collect();
            lines.push(format!("  [{index}] {}", cert.subject));
            lines.push(format!("      issuer:     {}", cert.issuer));
            lines.push(format!(
                "      serial {}, valid {} to {}{}",
                cert.serial,
                cert.not_before,
                cert.not_after,
                if roles.is_empty() {
                    String::new()
                } else {
                    format!(", {}", roles.join(", "))
                }
            ));
        }
        lines
    }
}

impl ExtensionShown {
    fn line(&self) -> String {
        let id = self.name.map_or_else(|| self.id.clone(), str::to_string);
        let critical = if self.critical { " (critical)" } else { "" };
        // Long values (an SCT list runs to a kilobyte) are cut; --json has them whole.
        let shown = match self.value.get(..64) {
            Some(start) if self.value.len() > 64 => {
                format!("{start}... ({} bytes)", self.value.len() / 2)
            }
            _ => self.value.clone(),
        };
        format!("{id}{critical}: {shown}")
    }
}

fn single(single: &SingleResponse<'_>) -> SingleShown {
    let id = single.cert_id();
    let (status, revocation_time, revocation_reason) = match single.status() {
        CertStatus::Good => ("good", None, None),
        CertStatus::Unknown => ("unknown", None, None),
        CertStatus::Revoked { time, reason } => {
            ("revoked", Some(rfc3339(time)), reason.map(|r| r.name()))
        }
    };
    SingleShown {
        cert_id: CertIdShown {
            hash_algorithm: algorithm(id.hash_algorithm_der()),
            issuer_name_hash: hex(id.issuer_name_hash()),
            issuer_key_hash: hex(id.issuer_key_hash()),
            serial: hex(id.serial()),
        },
        status,
        revocation_time,
        revocation_reason,
        this_update: rfc3339(single.this_update()),
        next_update: single.next_update().map(rfc3339),
        extensions: single
            .extensions()
            .flatten()
            .map(|e| extension(&e))
            .collect(),
    }
}

fn extension(extension: &Extension<'_>) -> ExtensionShown {
    ExtensionShown {
        id: dotted(extension.id()),
        name: oid_name(extension.id()),
        critical: extension.is_critical(),
        value: hex(extension.value()),
    }
}

fn cert(cert: &Certificate<'_>) -> CertShown {
    CertShown {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        serial: hex(cert.serial()),
        not_before: rfc3339(cert.not_before()),
        not_after: rfc3339(cert.not_after()),
        ocsp_signing: cert.has_ocsp_signing(),
        ocsp_nocheck: cert.has_ocsp_nocheck(),
        ca: cert.is_ca(),
    }
}
