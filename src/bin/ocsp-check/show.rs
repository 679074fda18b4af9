//! `ocsp-check show`: everything in a response, legible.

use std::path::PathBuf;

use ocsp_verify::views::{BasicResponse, Extension, OcspResponse, ResponderId, SingleResponse};
use ocsp_verify::{CertStatus, Certificate, Error, ResponseStatus};
use serde_json::{Value, json};

use crate::Exit;
use crate::describe::{algorithm, dotted, hex, name, oid_name};
use crate::input;
use crate::time::rfc3339;
use crate::verify::report_input_error;

pub(crate) const LONG_ABOUT: &str = "\
Show everything in an OCSP response, without verifying it: the response status, the responder, \
producedAt, each SingleResponse (CertID, status, times, extensions), the response extensions \
(the nonce among them), the signature algorithm, and the embedded certificates' subjects, with \
names for distinguished names and OIDs. Like `openssl ocsp -resp_text`, but legible; --json \
for one JSON object.";

/// The example under `show --help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  ocsp-check show test-vectors/generated/responses/good-rsa-delegated.der

With --quiet nothing is printed and the exit status is the answer.

Exit status: 0 a successful response shown, 3 a response that does not parse or carries an \
error status, 4 an unreadable file.";

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The OCSP response (DER, or PEM `OCSP RESPONSE`).
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

/// Runs `show`. Exit status: 0 for a successful response shown, 3 for a response that does
/// not parse or carries an error status, 4 for an unreadable file.
pub(crate) fn run(args: &Args) -> Exit {
    let bytes = match input::response(&args.response) {
        Ok(bytes) => bytes,
        Err(error) => return report_input_error(&error, args.json),
    };
    let parsed = OcspResponse::from_der(&bytes);
    let value = describe(&parsed);
    if args.quiet {
        // Nothing to print.
    } else if args.json {
        println!("{value}");
    } else {
        for line in human(&value) {
            println!("{line}");
        }
    }
    match parsed.as_ref().map(OcspResponse::status) {
        Ok(ResponseStatus::Successful) => Exit::Good,
        _ => Exit::Invalid,
    }
}

fn status_name(status: ResponseStatus) -> &'static str {
    match status {
        ResponseStatus::Successful => "successful",
        ResponseStatus::MalformedRequest => "malformedRequest",
        ResponseStatus::InternalError => "internalError",
        ResponseStatus::TryLater => "tryLater",
        ResponseStatus::SigRequired => "sigRequired",
        ResponseStatus::Unauthorized => "unauthorized",
    }
}

fn error_json(error: &Error) -> Value {
    json!({"code": error.code(), "message": error.to_string()})
}

/// The JSON description of a parsed (or refused) response.
pub(crate) fn describe(parsed: &Result<OcspResponse<'_>, Error>) -> Value {
    let response = match parsed {
        Ok(response) => response,
        Err(error) => return json!({"response_status": null, "error": error_json(error)}),
    };
    let mut value = json!({
        "response_status": status_name(response.status()),
        "error": null,
    });
    match response.basic() {
        Ok(basic) => {
            if let Value::Object(map) = &mut value
                && let Value::Object(more) = basic_json(basic)
            {
                map.extend(more);
            }
        }
        Err(error) => value["error"] = error_json(&error),
    }
    value
}

fn basic_json(basic: &BasicResponse<'_>) -> Value {
    let data = basic.response_data();
    let responder = match data.responder_id() {
        ResponderId::ByName(der) => json!({"by_name": name(der)}),
        ResponderId::ByKey(key) => json!({"by_key": hex(key)}),
    };
    let nonce = match data.nonce() {
        Ok(Some(nonce)) => json!(hex(nonce)),
        Ok(None) => Value::Null,
        Err(error) => json!({"invalid": error.to_string()}),
    };
    json!({
        "responder_id": responder,
        "produced_at": rfc3339(data.produced_at()),
        "signature_algorithm": algorithm(basic.signed_data().algorithm()),
        "responses": data.responses().flatten().map(|s| single_json(&s)).collect::<Vec<_>>(),
        "extensions": data.extensions().flatten().map(|e| extension_json(&e)).collect::<Vec<_>>(),
        "nonce": nonce,
        "certs": basic.certs().flatten().map(|c| cert_json(&c)).collect::<Vec<_>>(),
    })
}

fn single_json(single: &SingleResponse<'_>) -> Value {
    let id = single.cert_id();
    let (status, revocation_time, revocation_reason) = match single.status() {
        CertStatus::Good => ("good", None, None),
        CertStatus::Unknown => ("unknown", None, None),
        CertStatus::Revoked { time, reason } => {
            ("revoked", Some(rfc3339(time)), reason.map(|r| r.name()))
        }
    };
    json!({
        "cert_id": {
            "hash_algorithm": algorithm(id.hash_algorithm_der()),
            "issuer_name_hash": hex(id.issuer_name_hash()),
            "issuer_key_hash": hex(id.issuer_key_hash()),
            "serial": hex(id.serial()),
        },
        "status": status,
        "revocation_time": revocation_time,
        "revocation_reason": revocation_reason,
        "this_update": rfc3339(single.this_update()),
        "next_update": single.next_update().map(rfc3339),
        "extensions": single.extensions().flatten().map(|e| extension_json(&e)).collect::<Vec<_>>(),
    })
}

fn extension_json(extension: &Extension<'_>) -> Value {
    json!({
        "id": dotted(extension.id()),
        "name": oid_name(extension.id()),
        "critical": extension.is_critical(),
        "value": hex(extension.value()),
    })
}

fn cert_json(cert: &Certificate<'_>) -> Value {
    json!({
        "subject": name(cert.subject()),
        "issuer": name(cert.issuer()),
        "serial": hex(cert.serial()),
        "not_before": rfc3339(cert.not_before()),
        "not_after": rfc3339(cert.not_after()),
        "ocsp_signing": cert.has_ocsp_signing(),
        "ocsp_nocheck": cert.has_ocsp_nocheck(),
        "ca": cert.is_ca(),
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

fn extension_line(extension: &Value) -> String {
    let id = extension["name"]
        .as_str()
        .map_or_else(|| text(&extension["id"]), str::to_string);
    let critical = if extension["critical"] == true {
        " (critical)"
    } else {
        ""
    };
    let value = text(&extension["value"]);
    // Long values (an SCT list runs to a kilobyte) are cut; --json has them whole.
    let shown = match value.get(..64) {
        Some(start) if value.len() > 64 => format!("{start}... ({} bytes)", value.len() / 2),
        _ => value,
    };
    format!("{id}{critical}: {shown}")
}

/// The human rendering of [`describe`]'s value.
pub(crate) fn human(value: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    if value["response_status"].is_null() {
        lines.push(format!(
            "invalid: {} ({})",
            text(&value["error"]["message"]),
            text(&value["error"]["code"])
        ));
        return lines;
    }
    lines.push(format!(
        "responseStatus: {}",
        text(&value["response_status"])
    ));
    if !value["error"].is_null() {
        lines.push(format!(
            "  {} ({})",
            text(&value["error"]["message"]),
            text(&value["error"]["code"])
        ));
        return lines;
    }
    let responder = &value["responder_id"];
    lines.push(match responder.get("by_name") {
        Some(by_name) => format!("responder:      byName {}", text(by_name)),
        None => format!("responder:      byKey {}", text(&responder["by_key"])),
    });
    lines.push(format!("producedAt:     {}", text(&value["produced_at"])));
    lines.push(format!(
        "signature:      {}",
        text(&value["signature_algorithm"])
    ));
    let responses = value["responses"].as_array().cloned().unwrap_or_default();
    lines.push(format!("responses:      {}", responses.len()));
    for (index, single) in responses.iter().enumerate() {
        let id = &single["cert_id"];
        lines.push(format!(
            "  [{index}] serial {} ({} CertID, issuerNameHash {}, issuerKeyHash {})",
            text(&id["serial"]),
            text(&id["hash_algorithm"]),
            text(&id["issuer_name_hash"]),
            text(&id["issuer_key_hash"])
        ));
        let mut status = text(&single["status"]);
        if single["status"] == "revoked" {
            status.push_str(&format!(" since {}", text(&single["revocation_time"])));
            if !single["revocation_reason"].is_null() {
                status.push_str(&format!(", reason {}", text(&single["revocation_reason"])));
            }
        }
        lines.push(format!("      status:     {status}"));
        lines.push(format!(
            "      thisUpdate: {}",
            text(&single["this_update"])
        ));
        lines.push(format!(
            "      nextUpdate: {}",
            text(&single["next_update"])
        ));
        for extension in single["extensions"].as_array().into_iter().flatten() {
            lines.push(format!("      extension:  {}", extension_line(extension)));
        }
    }
    for extension in value["extensions"].as_array().into_iter().flatten() {
        lines.push(format!("extension:      {}", extension_line(extension)));
    }
    lines.push(format!("nonce:          {}", text(&value["nonce"])));
    let certs = value["certs"].as_array().cloned().unwrap_or_default();
    lines.push(format!("certs:          {}", certs.len()));
    for (index, cert) in certs.iter().enumerate() {
        let mut roles = Vec::new();
        if cert["ocsp_signing"] == true {
            roles.push("OCSPSigning");
        }
        if cert["ocsp_nocheck"] == true {
            roles.push("ocsp-nocheck");
        }
        if cert["ca"] == true {
            roles.push("CA");
        }
        lines.push(format!("  [{index}] {}", text(&cert["subject"])));
        lines.push(format!("      issuer:     {}", text(&cert["issuer"])));
        lines.push(format!(
            "      serial {}, valid {} to {}{}",
            text(&cert["serial"]),
            text(&cert["not_before"]),
            text(&cert["not_after"]),
            if roles.is_empty() {
                String::new()
            } else {
                format!(", {}", roles.join(", "))
            }
        ));
    }
    lines
}
