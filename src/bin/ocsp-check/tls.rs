//! `ocsp-check tls`: connect with rustls and the adapter, and judge the stapled response.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use ocsp_verify::{
    CertStatus, Certificate, Decision, OcspOutcome, Policy, Situation, TlsFeatures, UnixTime,
    Verdict,
};
use rustls::ProtocolVersion;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

use crate::Exit;
use crate::connect::{Client, Failure, Handshake, Roots};
use crate::describe::{hex, name};
use crate::input;
use crate::time::{parse, rfc3339};
use crate::verify::{human_duration, seconds_between};

pub(crate) const LONG_ABOUT: &str = "\
Connect to a TLS server with rustls and this crate's OcspStapleVerifier, and judge the OCSP \
response the server staples (or its absence) under a revocation policy: like `openssl s_client \
-status`, but with a verdict. The chain is checked first (webpki, against --ca or the built-in \
Mozilla roots); then the staple: signature, responder, CertID, freshness, and the certificate's \
must-staple extension.

Policies (the same as the library's Policy presets):
  hard  (default) only a verified, fresh `good` staple is accepted: \"does this server staple?\"
  soft  a missing, stale, not-yet-valid or tryLater staple is accepted as if absent; revoked,
        unknown and invalid staples are refused: \"would a soft-fail client connect?\"
A must-staple certificate (RFC 7633) needs a good, fresh staple under both.";

pub(crate) const EXAMPLE: &str = "\
Example (a public server, with the built-in roots and the system clock):
  ocsp-check tls example.com --policy soft

Exit status: 0 the policy accepts the connection; 1 refused, the staple says revoked; 2 refused, \
the staple says unknown; 3 refused, the staple is invalid, stale or missing; 4 no TLS connection \
could be made (DNS, refused, timeout, a handshake failure unrelated to OCSP, a chain the roots \
do not accept) or a usage error.";

/// The revocation policy, as `--policy` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PolicyName {
    /// Soft-fail: no staple, or a stale one, is accepted; revoked, unknown, invalid are not.
    Soft,
    /// Hard-fail: only a verified, fresh `good` staple is accepted.
    Hard,
}

impl PolicyName {
    pub(crate) fn policy(self) -> Policy {
        match self {
            Self::Soft => Policy::soft_fail(),
            Self::Hard => Policy::hard_fail(),
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Soft => "soft-fail",
            Self::Hard => "hard-fail",
        }
    }
}

/// Arguments of `tls`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    // The help is an attribute, not a doc comment: rustdoc would read `[IPv6]` as a link.
    #[arg(
        value_name = "HOST[:PORT]",
        help = "The server: HOST, HOST:PORT or [IPv6]:PORT; the port is 443 when not given"
    )]
    server: String,
    /// The name sent in SNI and checked against the certificate [default: HOST].
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// The roots to trust: a PEM bundle (or one DER certificate) [default: the Mozilla roots
    /// of the webpki-roots crate, built in].
    #[arg(long, value_name = "PATH")]
    ca: Option<PathBuf>,
    /// The revocation policy.
    #[arg(long, value_enum, default_value_t = PolicyName::Hard)]
    policy: PolicyName,
    /// The client's clock for the chain and the staple: unix seconds or RFC 3339 [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse)]
    at: Option<UnixTime>,
    /// Seconds allowed to connect, and for each read and write.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status is the answer. A connection that cannot be made
    /// and unusable inputs still print one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
}

/// Runs `tls`.
pub(crate) fn run(args: &Args) -> Exit {
    let usage = |message: String| {
        if args.json {
            println!("{}", failure_json(args, "usage_error", &message));
        } else {
            eprintln!("error: {message}");
        }
        Exit::Usage
    };
    let (host, port) = match split_host_port(&args.server) {
        Ok(parts) => parts,
        Err(message) => return usage(message),
    };
    let server_name = args.servername.clone().unwrap_or_else(|| host.clone());
    let name = match ServerName::try_from(server_name.clone()) {
        Ok(name) => name,
        Err(_) => return usage(format!("`{server_name}` is not a valid server name")),
    };
    let roots = match &args.ca {
        Some(path) => match input::certificates(path) {
            Ok(ders) => Roots::Certificates(ders.into_iter().map(CertificateDer::from).collect()),
            Err(error) => {
                if args.json {
                    println!("{}", failure_json(args, "input_error", &error.to_string()));
                } else {
                    eprintln!("error: {error}");
                }
                return Exit::Usage;
            }
        },
        None => Roots::WebPki,
    };
    let client = match Client::new(&roots, args.policy.policy(), args.at) {
        Ok(client) => client,
        Err(message) => return usage(message),
    };
    let addresses: Vec<SocketAddr> = match (host.as_str(), port).to_socket_addrs() {
        Ok(addresses) => addresses.collect(),
        Err(error) => {
            let failure = Failure::Resolve(error.to_string());
            return report_failure(args, &server_name, &failure);
        }
    };
    let timeout = Duration::from_secs(args.timeout.max(1));
    let handshake = client.handshake(&addresses, name, timeout);
    let report = Report {
        args,
        server_name: &server_name,
        handshake: &handshake,
    };
    report.print()
}

/// `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT`, or a bare IPv6 address.
fn split_host_port(server: &str) -> Result<(String, u16), String> {
    let bad_port = |port: &str| format!("`{port}` is not a port number");
    if let Some(rest) = server.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{server}`: no closing `]`"))?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().map_err(|_| bad_port(port))?,
            None if after.is_empty() => 443,
            None => return Err(format!("`{server}` is not HOST[:PORT]")),
        };
        return Ok((host.to_string(), port));
    }
    match server.split_once(':') {
        // More than one colon and no brackets: an IPv6 address without a port.
        Some((_, rest)) if rest.contains(':') => Ok((server.to_string(), 443)),
        Some((host, port)) => Ok((host.to_string(), port.parse().map_err(|_| bad_port(port))?)),
        None if server.is_empty() => Err("no server given".into()),
        None => Ok((server.to_string(), 443)),
    }
}

fn report_failure(args: &Args, server_name: &str, failure: &Failure) -> Exit {
    if args.json {
        let mut value = failure_json(args, failure.code(), &failure.to_string());
        value["server_name"] = json!(server_name);
        println!("{value}");
    } else {
        eprintln!("error: {}: {failure}", args.server);
    }
    Exit::Usage
}

/// The JSON object when no connection was tried.
fn failure_json(args: &Args, code: &str, message: &str) -> Value {
    let mut value = empty_json(args);
    value["error"] = json!({"code": code, "message": message});
    value
}

fn empty_json(args: &Args) -> Value {
    json!({
        "server": args.server,
        "server_name": args.servername,
        "address": null,
        "policy": args.policy.label(),
        "tls_version": null,
        "verdict": null,
        "situation": null,
        "stapled": null,
        "must_staple": null,
        "certificate": null,
        "status": null,
        "this_update": null,
        "next_update": null,
        "produced_at": null,
        "responder": null,
        "revocation_time": null,
        "revocation_reason": null,
        "seconds_until_next_update": null,
        "staple_error": null,
        "error": null,
    })
}

/// `TLSv1.3`, `TLSv1.2`.
fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// The exit status for a decision that refused the connection.
pub(crate) fn refusal_exit(situation: Situation) -> Exit {
    match situation {
        Situation::Revoked { .. } => Exit::Revoked,
        Situation::Unknown => Exit::Unknown,
        _ => Exit::Invalid,
    }
}

/// A stable snake_case name for why the policy refused: `revoked`, `unknown`, `no_staple`,
/// `must_staple` (refused only because the certificate is must-staple), or the verifier's
/// code for an invalid or unusable staple.
pub(crate) fn refusal_code(decision: &Decision) -> &'static str {
    if decision.rejected_for_tls_features() {
        return match decision.tls_features() {
            TlsFeatures::StatusRequest => "must_staple",
            _ => "unsupported_tls_feature",
        };
    }
    match decision.situation() {
        Situation::Revoked { .. } => "revoked",
        Situation::Unknown => "unknown",
        Situation::StapleUnusable(error) | Situation::StapleInvalid(error) => error.code(),
        other => other.code(),
    }
}

/// What the certificate's TLS feature extension added to the verdict, as a clause for the
/// reason: must-staple, or a feature no client here can satisfy; empty otherwise.
pub(crate) fn tls_feature_note(decision: &Decision) -> &'static str {
    match decision.tls_features() {
        TlsFeatures::Unsupported => {
            "; the certificate requires a TLS feature this client cannot provide"
        }
        TlsFeatures::StatusRequest if decision.rejected_for_tls_features() => {
            "; the certificate is must-staple"
        }
        _ => "",
    }
}

/// The first line: the verdict, the policy, and the reason.
pub(crate) fn verdict_line(decision: &Decision, policy: &str) -> String {
    let verdict = match decision.verdict() {
        Verdict::Accept => "accepted",
        Verdict::Reject => "refused",
    };
    let mut line = format!("{verdict} under {policy}: {}", decision.situation());
    if let (Situation::StapleUnusable(_), Verdict::Accept) =
        (decision.situation(), decision.verdict())
    {
        line.push_str(" (taken as no staple)");
    }
    line.push_str(tls_feature_note(decision));
    line
}

struct Report<'a> {
    args: &'a Args,
    server_name: &'a str,
    handshake: &'a Handshake,
}

impl Report<'_> {
    fn exit(&self) -> Exit {
        match (&self.handshake.result, &self.handshake.outcome) {
            (_, Some(outcome)) if outcome.decision().verdict() == Verdict::Reject => {
                refusal_exit(outcome.decision().situation())
            }
            (Ok(_), Some(_)) => Exit::Good,
            // No decision (the chain was refused, or no connection), or the handshake failed
            // after the adapter accepted: no TLS connection either way.
            _ => Exit::Usage,
        }
    }

    fn print(&self) -> Exit {
        let exit = self.exit();
        if self.args.quiet {
            if exit == Exit::Usage
                && let Err(failure) = &self.handshake.result
            {
                eprintln!("error: {}: {failure}", self.args.server);
            }
            return exit;
        }
        if self.args.json {
            println!("{}", self.json());
            return exit;
        }
        match (&self.handshake.result, &self.handshake.outcome) {
            (Err(failure), None) => {
                eprintln!("error: {}: {failure}", self.args.server);
            }
            (Err(failure), Some(outcome)) if outcome.decision().verdict() == Verdict::Accept => {
                eprintln!("error: {}: {failure}", self.args.server);
            }
            _ => {
                for line in self.human_lines() {
                    println!("{line}");
                }
            }
        }
        exit
    }

    fn certificate(&self) -> Option<(String, String, String)> {
        let der = self.handshake.end_entity.as_deref()?;
        let cert = Certificate::from_der(der).ok()?;
        Some((
            name(cert.subject()),
            name(cert.issuer()),
            hex(cert.serial()),
        ))
    }

    fn human_lines(&self) -> Vec<String> {
        let Some(outcome) = &self.handshake.outcome else {
            return vec!["no decision: the adapter was not consulted".into()];
        };
        let decision = outcome.decision();
        let mut lines = vec![verdict_line(&decision, self.args.policy.label())];
        let (address, version) = match &self.handshake.result {
            Ok(connected) => (
                connected.address.to_string(),
                connected.version.map(version_name),
            ),
            Err(_) => (self.args.server.clone(), None),
        };
        lines.push(format!(
            "  server:      {} ({address}){}",
            self.server_name,
            version.map(|v| format!(", {v}")).unwrap_or_default()
        ));
        if let Some((subject, issuer, serial)) = self.certificate() {
            lines.push(format!("  certificate: {subject} (serial {serial})"));
            lines.push(format!("  issuer:      {issuer}"));
        }
        lines.push(format!(
            "  must-staple: {}",
            if decision.tls_features() == TlsFeatures::StatusRequest {
                "yes"
            } else {
                "no"
            }
        ));
        lines.extend(staple_lines(outcome));
        lines
    }

    fn json(&self) -> Value {
        let mut value = empty_json(self.args);
        value["server_name"] = json!(self.server_name);
        match &self.handshake.result {
            Ok(connected) => {
                value["address"] = json!(connected.address.to_string());
                value["tls_version"] = json!(connected.version.map(version_name));
            }
            Err(failure) => {
                value["error"] = json!({"code": failure.code(), "message": failure.to_string()});
            }
        }
        if let Some((subject, issuer, serial)) = self.certificate() {
            value["certificate"] = json!({"subject": subject, "issuer": issuer, "serial": serial});
        }
        let Some(outcome) = &self.handshake.outcome else {
            return value;
        };
        let decision = outcome.decision();
        value["verdict"] = json!(match decision.verdict() {
            Verdict::Accept => "accept",
            Verdict::Reject => "reject",
        });
        value["situation"] = json!(decision.situation().code());
        value["stapled"] = json!(outcome.stapled());
        value["must_staple"] = json!((decision.tls_features() == TlsFeatures::StatusRequest));
        value["status"] = json!(outcome.answer().map(|a| a.status()).map(status_name));
        if let Some(CertStatus::Revoked { time, reason }) = outcome.answer().map(|a| a.status()) {
            value["revocation_time"] = json!(rfc3339(time));
            value["revocation_reason"] = json!(reason.map(|r| r.name()));
        }
        value["this_update"] = json!(outcome.answer().map(|a| a.this_update()).map(rfc3339));
        value["next_update"] = json!(outcome.answer().and_then(|a| a.next_update()).map(rfc3339));
        value["produced_at"] = json!(outcome.answer().map(|a| a.produced_at()).map(rfc3339));
        value["responder"] = json!(outcome.answer().map(|a| a.responder()).map(|r| r.name()));
        value["seconds_until_next_update"] = json!(
            outcome
                .answer()
                .and_then(|a| a.next_update())
                .map(|next| seconds_between(outcome.now(), next))
        );
        if let Some(error) = decision.situation().error() {
            value["staple_error"] = json!({"code": error.code(), "message": error.to_string()});
        }
        if decision.verdict() == Verdict::Reject {
            value["error"] = json!({
                "code": refusal_code(&decision),
                "message": decision.to_string(),
            });
        }
        value
    }
}

/// `good`, `revoked`, `unknown`.
pub(crate) fn status_name(status: CertStatus) -> &'static str {
    match status {
        CertStatus::Good => "good",
        CertStatus::Revoked { .. } => "revoked",
        CertStatus::Unknown => "unknown",
    }
}

/// What the staple said, and how long it stays fresh.
fn staple_lines(outcome: &OcspOutcome) -> Vec<String> {
    let decision = outcome.decision();
    let mut lines = Vec::new();
    let staple = match decision.situation() {
        Situation::NoStaple => "none".to_string(),
        Situation::StapleUnusable(error) => format!("unusable: {error} ({})", error.code()),
        Situation::StapleInvalid(error) => format!("invalid: {error} ({})", error.code()),
        Situation::Revoked { time, reason } => format!(
            "revoked since {}{}",
            rfc3339(time),
            reason
                .map(|r| format!(", reason {}", r.name()))
                .unwrap_or_default()
        ),
        other => other.status().map_or("?", status_name).to_string(),
    };
    lines.push(format!("  staple:      {staple}"));
    if let Some(responder) = outcome.answer().map(|a| a.responder()) {
        lines.push(format!("  responder:   {}", responder.name()));
    }
    if let Some(produced_at) = outcome.answer().map(|a| a.produced_at()) {
        lines.push(format!("  producedAt:  {}", rfc3339(produced_at)));
    }
    if let Some(this_update) = outcome.answer().map(|a| a.this_update()) {
        lines.push(format!("  thisUpdate:  {}", rfc3339(this_update)));
    }
    match (
        outcome.answer().map(|a| a.this_update()),
        outcome.answer().and_then(|a| a.next_update()),
    ) {
        (Some(_), Some(next)) => {
            let left = seconds_between(outcome.now(), next);
            let when = if left >= 0 {
                format!("{} left", human_duration(left))
            } else {
                format!("passed {} ago", human_duration(-left))
            };
            lines.push(format!("  nextUpdate:  {} ({when})", rfc3339(next)));
        }
        (Some(_), None) => {
            lines.push("  nextUpdate:  none (newer information is always available)".into());
        }
        _ => {}
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        let ok = |s: &str| split_host_port(s).unwrap();
        assert_eq!(ok("example.com"), ("example.com".into(), 443));
        assert_eq!(ok("example.com:8443"), ("example.com".into(), 8443));
        assert_eq!(ok("127.0.0.1:4433"), ("127.0.0.1".into(), 4433));
        assert_eq!(ok("[::1]:4433"), ("::1".into(), 4433));
        assert_eq!(ok("[::1]"), ("::1".into(), 443));
        assert_eq!(ok("::1"), ("::1".into(), 443));
        assert!(split_host_port("example.com:https").is_err());
        assert!(split_host_port("[::1").is_err());
        assert!(split_host_port("").is_err());
    }
}
