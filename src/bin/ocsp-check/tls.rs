//! `ocsp-check tls`: connect with rustls and the adapter, and judge the stapled response.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ocsp_verify::{
    Answer, CertStatus, Certificate, Decision, Error, Issuer, Policy, Situation, Staple,
    TlsFeatures, UnixTime, Verdict, Verifier,
};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ProtocolVersion, RootCertStore};
use serde::Serialize;

use crate::Exit;
use crate::connect::{Client, Failure, Handshake, Roots, Sent, provider};
use crate::describe::{hex, name};
use crate::input::{self, InputError};
use crate::metrics;
use crate::report::{self, ErrorReport, Format};
use crate::targets::{self, Target, split_host_port};
use crate::time::{self, next_update_note, parse, rfc3339, seconds_between, span};
use crate::verify::{Stated, When, is_about_time};

pub(crate) const LONG_ABOUT: &str = "\
Connect to a TLS server with rustls and this crate's OcspStapleVerifier, and judge the OCSP \
response the server staples (or its absence) under a revocation policy: like `openssl s_client \
-status`, but with a verdict. The chain is checked first (webpki, against --ca or the built-in \
Mozilla roots); then the staple: signature, responder, CertID, freshness, and the certificate's \
must-staple extension. When the chain is refused, the staple is still judged (against the \
issuer the server sent, or a root) and shown, as `openssl s_client -status` shows it; the \
refused chain decides the exit status.

The --timeout is one deadline for each server: resolving its name, connecting, and every read \
and write of the handshake. --min-remaining exits 5 when the staple is good but stops being fresh \
sooner than that: an alarm before clients see a stale staple.

Several servers, or --targets FILE (one `HOST[:PORT] [SERVERNAME]` a line, # comments), are \
probed --concurrency at a time; each prints one line (or one JSON object) in input order, and the \
run exits with the worst status: 1 > 2 > 3 > 4 > 5 > 0 (a revoked certificate is never hidden \
behind a server that is down). --prometheus writes the Prometheus text format instead.

Policies (the same as the library's Policy presets):
  hard  (default) only a verified, fresh `good` staple is accepted: \"does this server staple?\"
  soft  a missing, stale, not-yet-valid or tryLater staple is accepted as if absent; revoked,
        unknown and invalid staples are refused: \"would a soft-fail client connect?\"
A must-staple certificate (RFC 7633) needs a good, fresh staple under both.";

pub(crate) const EXAMPLE: &str = "\
Example (a public server, with the built-in roots and the system clock):
  ocsp-check tls example.com --policy soft

Several servers, alarmed a day before their staples go stale:
  ocsp-check tls --targets servers.txt --min-remaining 86400

Exit status: 0 the policy accepts the connection; 1 refused, the staple says revoked; 2 refused, \
the staple says unknown; 3 refused, the staple is invalid, stale or missing; 4 no TLS connection \
could be made (DNS, refused, timeout, a handshake failure unrelated to OCSP, a chain the roots \
do not accept) or a usage error; 5 accepted, but the staple is due for a refresh \
(--min-remaining). With several servers, the worst of theirs.";

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
        help = "The servers: HOST, HOST:PORT or [IPv6]:PORT; the port is 443 when not given"
    )]
    servers: Vec<String>,
    /// More servers, from a file: one `HOST[:PORT] [SERVERNAME]` a line, `#` comments and
    /// blank lines allowed (at most 1 MiB, 10,000 targets).
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// The name sent in SNI and checked against the certificate, for every server that does
    /// not name its own [default: its HOST].
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    #[command(flatten)]
    pub(crate) probe: ProbeOptions,
    /// Print exactly one JSON object on stdout (with several servers: one a line, in order).
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status is the answer. A connection that cannot be made
    /// and unusable inputs still print one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
    /// Print the Prometheus text format instead (for node_exporter's textfile collector).
    #[arg(long, conflicts_with_all = ["json", "quiet"])]
    prometheus: bool,
}

/// How every server is probed: by `tls` and by `exporter`.
#[derive(Debug, clap::Args)]
pub(crate) struct ProbeOptions {
    /// The roots to trust: a PEM bundle (or one DER certificate) [default: the Mozilla roots
    /// of the webpki-roots crate, built in].
    #[arg(long, value_name = "PATH")]
    ca: Option<PathBuf>,
    /// The revocation policy.
    #[arg(long, value_enum, default_value_t = PolicyName::Hard)]
    policy: PolicyName,
    /// The client's clock for the chain and the staple: `now`, unix seconds or RFC 3339
    /// [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse)]
    at: Option<UnixTime>,
    /// Seconds allowed for each server: resolving its name, connecting and the handshake (1
    /// to 3600).
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = time::timeout)]
    timeout: Duration,
    /// Exit 5 when the staple is good but fewer than SECONDS remain before it stops being
    /// fresh (its nextUpdate, or thisUpdate + the verifier's largest age if that comes first):
    /// an alarm before clients see a stale staple.
    #[arg(long = "min-remaining", value_name = "SECONDS", value_parser = time::seconds)]
    min_remaining: Option<u64>,
    /// How many servers are probed at once.
    #[arg(long, value_name = "N", default_value_t = targets::DEFAULT_CONCURRENCY,
        value_parser = targets::concurrency)]
    pub(crate) concurrency: usize,
}

impl ProbeOptions {
    /// The settings these options describe: the roots read, the client's options.
    pub(crate) fn settings(&self, servername: Option<String>) -> Result<Settings, InputError> {
        let roots = match &self.ca {
            Some(path) => Roots::Certificates(
                input::certificates(path)?
                    .into_iter()
                    .map(CertificateDer::from)
                    .collect(),
            ),
            None => Roots::WebPki,
        };
        Ok(Settings {
            roots,
            policy: self.policy,
            at: self.at,
            timeout: self.timeout,
            min_remaining: self.min_remaining,
            servername,
        })
    }
}

/// What every probe of a run shares.
pub(crate) struct Settings {
    roots: Roots,
    policy: PolicyName,
    at: Option<UnixTime>,
    timeout: Duration,
    min_remaining: Option<u64>,
    /// `--servername`: for the targets that name none.
    servername: Option<String>,
}

/// Runs `tls`.
pub(crate) fn run(args: &Args) -> Exit {
    let format = Format::of(args.json, args.quiet);
    let policy = args.probe.policy;
    let stop = |code: &str, message: String| {
        if !args.prometheus {
            let mut report = TlsReport::blank(
                args.servers.first().cloned().unwrap_or_default(),
                args.servername.clone(),
                policy.label(),
            );
            report.error = Some(ErrorReport::new(code, message.clone()));
            report::print(format, &report, &[], false);
        }
        report::error_line(format, &message);
        Exit::Usage
    };
    let mut targets: Vec<Target> = Vec::new();
    for server in &args.servers {
        if let Err(message) = split_host_port(server) {
            return stop("usage_error", message);
        }
        targets.push(Target {
            server: server.clone(),
            servername: None,
        });
    }
    if let Some(path) = &args.targets {
        match targets::read_file(path) {
            Ok(more) => targets.extend(more),
            Err(error) => return stop("input_error", error.to_string()),
        }
    }
    if targets.is_empty() {
        let message = match &args.targets {
            Some(path) => format!("{}: names no server", path.display()),
            None => "no server given: give HOST[:PORT], or --targets FILE".into(),
        };
        return stop("usage_error", message);
    }
    let settings = match args.probe.settings(args.servername.clone()) {
        Ok(settings) => settings,
        Err(error) => return stop("input_error", error.to_string()),
    };
    let single = targets.len() == 1 && args.targets.is_none();
    let probed = targets::pooled(&targets, args.probe.concurrency, |target| {
        probe(target, &settings)
    });
    let exit = targets::worst(probed.iter().map(|p| p.exit));
    if args.prometheus {
        let samples: Vec<metrics::Probe> = probed.iter().map(|p| p.metrics.clone()).collect();
        report::stdout(&metrics::encode(&samples));
        return exit;
    }
    if single {
        for one in &probed {
            report::print(format, &one.report, &one.lines, false);
            if let Some(failure) = &one.failure
                && format != Format::Json
            {
                eprintln!("error: {failure}");
            }
        }
        return exit;
    }
    for one in &probed {
        report::print(format, &one.report, std::slice::from_ref(&one.line), false);
    }
    exit
}

/// What probing one server gave: its exit status, its JSON object, its human lines (one
/// server), its one line (many), the `error:` line, and its figures for Prometheus.
pub(crate) struct Probed {
    pub(crate) exit: Exit,
    pub(crate) report: TlsReport,
    pub(crate) lines: Vec<String>,
    pub(crate) line: String,
    pub(crate) failure: Option<String>,
    pub(crate) metrics: metrics::Probe,
}

/// Probes one server: connects (one deadline for resolving, connecting and the handshake) and
/// judges what it staples.
pub(crate) fn probe(target: &Target, settings: &Settings) -> Probed {
    let started = Instant::now();
    let deadline = started + settings.timeout;
    let server_name = target
        .servername
        .clone()
        .or_else(|| settings.servername.clone())
        .unwrap_or_else(|| {
            split_host_port(&target.server).map_or_else(|_| target.server.clone(), |(h, _)| h)
        });
    let now = settings.at.unwrap_or_else(UnixTime::now);
    let mut probed = Probed::stopped(target, settings, &server_name, now);
    let stop = |mut probed: Probed, code: &str, message: String, prefixed: bool| {
        probed.report.error = Some(ErrorReport::new(code, message.clone()));
        probed.line = line(
            Exit::Usage,
            target,
            &server_name,
            &format!("no connection: {message}"),
        );
        probed.failure = Some(if prefixed {
            format!("{}: {message}", target.server)
        } else {
            message
        });
        probed.metrics.duration = started.elapsed();
        probed
    };
    let (host, port) = match split_host_port(&target.server) {
        Ok(parts) => parts,
        Err(message) => return stop(probed, "usage_error", message, false),
    };
    let Ok(name) = ServerName::try_from(server_name.clone()) else {
        let message = format!("`{server_name}` is not a valid server name");
        return stop(probed, "usage_error", message, false);
    };
    let client = match Client::new(&settings.roots, settings.policy.policy(), settings.at) {
        Ok(client) => client,
        Err(message) => return stop(probed, "usage_error", message, false),
    };
    probed.report.server_name = Some(server_name.clone());
    let addresses = match resolve(&host, port, deadline) {
        Ok(addresses) => addresses,
        Err(failure) => {
            let code = failure.code();
            return stop(probed, code, failure.to_string(), true);
        }
    };
    let remaining = deadline.saturating_duration_since(Instant::now());
    let handshake = client.handshake(&addresses, name, remaining.max(Duration::from_millis(1)));
    let now = settings.at.unwrap_or_else(UnixTime::now);
    let report = Report {
        target,
        settings,
        server_name: &server_name,
        handshake: &handshake,
        store: &client.store,
        now,
    };
    let mut probed = report.probed();
    probed.metrics.duration = started.elapsed();
    probed
}

impl Probed {
    /// Nothing known yet about `target`: exit 4.
    fn stopped(target: &Target, settings: &Settings, server_name: &str, now: UnixTime) -> Self {
        let report = TlsReport::blank(
            target.server.clone(),
            target
                .servername
                .clone()
                .or_else(|| settings.servername.clone()),
            settings.policy.label(),
        );
        Self {
            exit: Exit::Usage,
            report,
            lines: Vec::new(),
            line: String::new(),
            failure: None,
            metrics: metrics::Probe::new(labels(target, server_name), now),
        }
    }
}

/// The labels of a server's figures.
fn labels(target: &Target, server_name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("target", target.server.clone()),
        ("servername", server_name.to_string()),
    ]
}

/// The one line of a server among many: its exit status, the server and the name, and what
/// became of the connection and the staple.
fn line(exit: Exit, target: &Target, server_name: &str, words: &str) -> String {
    format!(
        "exit {}  {} ({server_name}): {words}",
        exit as u8, target.server
    )
}

/// The addresses of `host`, found by the deadline: an IP address at once; a name by the
/// system's resolver on a thread of its own, waited for until the deadline (the resolver has
/// no timeout of its own to give it; a thread still waiting then ends with the resolver).
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (sender, receiver) = mpsc::channel();
    let owned = host.to_string();
    thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            let found = (owned.as_str(), port)
                .to_socket_addrs()
                .map(|addresses| addresses.collect::<Vec<_>>());
            let _ = sender.send(found);
        })
        .map_err(|e| Failure::Resolve(format!("cannot start the resolver: {e}")))?;
    let wait = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(wait) {
        Ok(Ok(addresses)) if addresses.is_empty() => Err(Failure::Resolve("no address".into())),
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(error)) => Err(Failure::Resolve(error.to_string())),
        Err(_) => Err(Failure::Timeout),
    }
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

/// The JSON object `tls` prints: the same keys on every path (null when unknown).
#[derive(Debug, Serialize)]
pub(crate) struct TlsReport {
    server: String,
    server_name: Option<String>,
    /// The address the TCP connection was made to.
    address: Option<String>,
    policy: &'static str,
    tls_version: Option<String>,
    /// accept or reject: the policy's verdict (null when the chain was refused before it).
    verdict: Option<&'static str>,
    situation: Option<&'static str>,
    stapled: Option<bool>,
    must_staple: Option<bool>,
    certificate: Option<CertificateShown>,
    /// What the staple says: good, revoked, unknown (null when refused or absent).
    status: Option<&'static str>,
    this_update: Option<String>,
    next_update: Option<String>,
    produced_at: Option<String>,
    responder: Option<&'static str>,
    revocation_time: Option<String>,
    revocation_reason: Option<&'static str>,
    seconds_until_next_update: Option<i64>,
    /// When the staple stops being fresh (`Verifier::fresh_until`), and the seconds left until
    /// then: what `--min-remaining` is compared with (a verified staple only).
    fresh_until: Option<String>,
    seconds_left: Option<i64>,
    staple_error: Option<ErrorReport>,
    /// Why there is no connection: the chain refused, a network failure, or the policy's
    /// refusal.
    error: Option<ErrorReport>,
    /// The exit status for this server (with several, the run's is the worst of them).
    exit: u8,
}

#[derive(Debug, Serialize)]
struct CertificateShown {
    subject: String,
    issuer: String,
    serial: String,
}

impl TlsReport {
    fn blank(server: String, server_name: Option<String>, policy: &'static str) -> Self {
        Self {
            server,
            server_name,
            address: None,
            policy,
            tls_version: None,
            verdict: None,
            situation: None,
            stapled: None,
            must_staple: None,
            certificate: None,
            status: None,
            this_update: None,
            next_update: None,
            produced_at: None,
            responder: None,
            revocation_time: None,
            revocation_reason: None,
            seconds_until_next_update: None,
            fresh_until: None,
            seconds_left: None,
            staple_error: None,
            error: None,
            exit: Exit::Usage as u8,
        }
    }
}

/// The JSON of `tls` when its arguments could not be used.
pub(crate) fn usage_json(error: ErrorReport) -> String {
    let mut report = TlsReport::blank(String::new(), None, PolicyName::Hard.label());
    report.error = Some(error);
    report::json(&report)
}

/// What became of the staple: the adapter's decision when it was consulted, else the staple
/// judged here (the chain was refused before the adapter looked at it).
enum Judged {
    Decided(Decision, Option<Answer>),
    /// The staple judged here; `None` when no certificate the server sent, nor any root,
    /// issued the server's certificate (nothing to judge the staple against).
    ChainRefused(Option<Staple>, TlsFeatures),
    Nothing,
}

/// Why a staple could not be judged when the chain was refused.
const NO_ISSUER: &str = "not judged: neither the certificates the server sent nor the roots \
                         hold the issuer of its certificate";

struct Report<'a> {
    target: &'a Target,
    settings: &'a Settings,
    server_name: &'a str,
    handshake: &'a Handshake,
    store: &'a RootCertStore,
    now: UnixTime,
}

impl Report<'_> {
    fn judged(&self) -> Judged {
        if let Some(outcome) = &self.handshake.outcome {
            return Judged::Decided(outcome.decision(), outcome.answer());
        }
        match &self.handshake.sent {
            Some(sent) => match judge_staple(sent, self.store, self.now) {
                Some((staple, features)) => Judged::ChainRefused(staple, features),
                None => Judged::Nothing,
            },
            None => Judged::Nothing,
        }
    }

    fn policy(&self) -> &'static str {
        self.settings.policy.label()
    }

    fn exit(&self) -> Exit {
        match (&self.handshake.result, &self.handshake.outcome) {
            (_, Some(outcome)) if outcome.decision().verdict() == Verdict::Reject => {
                refusal_exit(outcome.decision().situation())
            }
            (Ok(()), Some(outcome)) if self.due(outcome.answer().as_ref()).is_some() => {
                Exit::Refresh
            }
            (Ok(()), Some(_)) => Exit::Good,
            // No decision (the chain was refused, or no connection), or the handshake failed
            // after the adapter accepted: no TLS connection either way.
            _ => Exit::Usage,
        }
    }

    /// When a verified answer stops being fresh, by the adapter's verifier (the library's
    /// defaults, as `OcspStapleVerifier` uses them).
    fn fresh_until(&self, answer: Option<&Answer>) -> Option<UnixTime> {
        Verifier::new(provider().signature_verification_algorithms.all).fresh_until(answer?)
    }

    /// For a good answer with fewer than `--min-remaining` seconds left before it stops being
    /// fresh: the seconds left, and the minimum.
    fn due(&self, answer: Option<&Answer>) -> Option<(i64, u64)> {
        let (answer, min) = (answer?, self.settings.min_remaining?);
        if answer.status() != CertStatus::Good {
            return None;
        }
        let left = self
            .fresh_until(Some(answer))
            .map_or(i64::MAX, |until| seconds_between(self.now, until));
        (left < i64::try_from(min).unwrap_or(i64::MAX)).then_some((left, min))
    }

    /// The line that says why the exit status is 5.
    fn refresh_words(&self, answer: Option<&Answer>) -> Option<String> {
        let (left, min) = self.due(answer)?;
        let left = if left >= 0 {
            format!("{} left", span(left.unsigned_abs()))
        } else {
            format!(
                "stale {} ago, within the clock skew",
                span(left.unsigned_abs())
            )
        };
        Some(format!(
            "{left} before it stops being fresh, less than --min-remaining {min} ({}): due for a \
             refresh",
            span(min)
        ))
    }

    /// The failure that stops the connection, when the policy did not refuse it: the `error:`
    /// line.
    fn failure(&self) -> Option<&Failure> {
        let failure = self.handshake.result.as_ref().err()?;
        match &self.handshake.outcome {
            Some(outcome) if outcome.decision().verdict() == Verdict::Reject => None,
            _ => Some(failure),
        }
    }

    fn probed(&self) -> Probed {
        let exit = self.exit();
        let judged = self.judged();
        let mut report = self.json(&judged);
        report.exit = exit as u8;
        let lines = if matches!(judged, Judged::Nothing) {
            Vec::new()
        } else {
            self.human_lines(&judged)
        };
        Probed {
            exit,
            line: line(exit, self.target, self.server_name, &self.one_line(&judged)),
            lines,
            failure: self
                .failure()
                .map(|failure| format!("{}: {failure}", self.target.server)),
            metrics: self.metrics(&judged, exit),
            report,
        }
    }

    /// What [`line()`] says after the server: the verdict and the reason, and the freshness of
    /// a verified staple, or why there is no connection.
    fn one_line(&self, judged: &Judged) -> String {
        match judged {
            Judged::Decided(decision, answer) => {
                let mut words = verdict_line(decision, self.policy());
                if let Some(answer) = answer {
                    match answer.next_update() {
                        Some(next) => words.push_str(&format!(
                            "; nextUpdate {} ({})",
                            rfc3339(next),
                            next_update_note(self.now, next)
                        )),
                        None => words.push_str("; no nextUpdate"),
                    }
                }
                if let Some(refresh) = self.refresh_words(answer.as_ref()) {
                    words.push_str("; ");
                    words.push_str(&refresh);
                }
                words
            }
            Judged::ChainRefused(staple, _) => {
                let chain = self
                    .failure()
                    .map_or_else(|| "refused".into(), ToString::to_string);
                let staple = match staple {
                    None => "not judged (no issuer)".to_string(),
                    Some(staple) => staple_words(&Situation::of(staple)),
                };
                format!("no connection: {chain}; staple: {staple}")
            }
            Judged::Nothing => format!(
                "no connection: {}",
                self.failure()
                    .map_or_else(|| "no TLS connection".into(), ToString::to_string)
            ),
        }
    }

    /// The figures of the probe, for `--prometheus` and the exporter.
    fn metrics(&self, judged: &Judged, exit: Exit) -> metrics::Probe {
        let mut probe = metrics::Probe::new(labels(self.target, self.server_name), self.now);
        probe.exit = exit;
        probe.stapled = self
            .handshake
            .sent
            .as_ref()
            .map(|sent| !sent.staple.is_empty());
        let (answer, situation, features) = match judged {
            Judged::Decided(decision, answer) => {
                probe.success = true;
                probe.verdict = Some((self.policy(), decision.verdict() == Verdict::Accept));
                (*answer, decision.situation(), decision.tls_features())
            }
            Judged::ChainRefused(Some(staple), features) => {
                let answer = match staple {
                    Staple::Verified(answer) => Some(*answer),
                    _ => None,
                };
                (answer, Situation::of(staple), *features)
            }
            Judged::ChainRefused(None, features) => {
                probe.must_staple = Some(*features == TlsFeatures::StatusRequest);
                return probe;
            }
            Judged::Nothing => return probe,
        };
        probe.must_staple = Some(features == TlsFeatures::StatusRequest);
        probe.status = Some(status_label(&situation));
        if let Some(when) = self.when(answer.as_ref(), &situation) {
            probe.produced_at = when.produced_at;
            probe.this_update = when.this_update;
            probe.next_update = when.next_update.flatten();
        }
        probe.revoked = answer.as_ref().and_then(metrics::revocation);
        probe.fresh_until = self.fresh_until(answer.as_ref());
        probe
    }

    fn certificate(&self) -> Option<CertificateShown> {
        let der = &self.handshake.sent.as_ref()?.end_entity;
        let cert = Certificate::from_der(der).ok()?;
        Some(CertificateShown {
            subject: name(cert.subject()),
            issuer: name(cert.issuer()),
            serial: hex(cert.serial()),
        })
    }

    fn stated(&self) -> Stated {
        let Some(sent) = &self.handshake.sent else {
            return Stated::default();
        };
        let serial = Certificate::from_der(&sent.end_entity)
            .map(|c| c.serial().to_vec())
            .unwrap_or_default();
        Stated::read(&sent.staple, &serial)
    }

    /// The staple's times: a verified answer's, or those a staple refused for its times
    /// states; none for a staple refused for another reason.
    fn when(&self, answer: Option<&Answer>, situation: &Situation) -> Option<When> {
        if let Some(answer) = answer {
            return Some(When {
                now: self.now,
                produced_at: Some(answer.produced_at()),
                this_update: Some(answer.this_update()),
                next_update: Some(answer.next_update()),
            });
        }
        if !situation.error().is_some_and(|e| is_about_time(&e)) {
            return None;
        }
        let stated = self.stated();
        Some(When {
            now: self.now,
            produced_at: stated.produced_at,
            this_update: stated.this_update,
            next_update: stated.this_update.map(|_| stated.next_update),
        })
    }

    fn human_lines(&self, judged: &Judged) -> Vec<String> {
        let mut lines = Vec::new();
        let (staple, answer, features, situation) = match judged {
            Judged::Decided(decision, answer) => {
                lines.push(verdict_line(decision, self.policy()));
                (
                    staple_words(&decision.situation()),
                    *answer,
                    decision.tls_features(),
                    decision.situation(),
                )
            }
            Judged::ChainRefused(staple, features) => {
                let chain = self
                    .failure()
                    .map_or_else(|| "refused".into(), ToString::to_string);
                lines.push(format!("no connection: {chain}"));
                let answer = match staple {
                    Some(Staple::Verified(answer)) => Some(*answer),
                    _ => None,
                };
                let situation = Situation::of(staple.as_ref().unwrap_or(&Staple::Absent));
                let words = match staple {
                    None => NO_ISSUER.to_string(),
                    Some(Staple::Absent) => "none".to_string(),
                    Some(_) => format!(
                        "{} (judged against the chain the server sent; the chain itself was \
                         refused)",
                        staple_words(&situation)
                    ),
                };
                (words, answer, *features, situation)
            }
            Judged::Nothing => return lines,
        };
        let address = self
            .handshake
            .address
            .map_or_else(|| self.target.server.clone(), |a| a.to_string());
        lines.push(format!(
            "  server:      {} ({address}){}",
            self.server_name,
            self.handshake
                .version
                .map(|v| format!(", {}", version_name(v)))
                .unwrap_or_default()
        ));
        if let Some(cert) = self.certificate() {
            lines.push(format!(
                "  certificate: {} (serial {})",
                cert.subject, cert.serial
            ));
            lines.push(format!("  issuer:      {}", cert.issuer));
        }
        lines.push(format!(
            "  must-staple: {}",
            if features == TlsFeatures::StatusRequest {
                "yes"
            } else {
                "no"
            }
        ));
        lines.push(format!("  staple:      {staple}"));
        if let Some(answer) = answer {
            lines.push(format!("  responder:   {}", answer.responder().name()));
        }
        if let Some(when) = self.when(answer.as_ref(), &situation) {
            lines.extend(when.lines());
        }
        if let Some(refresh) = self.refresh_words(answer.as_ref()) {
            lines.push(format!("  refresh:     {refresh}"));
        }
        lines
    }

    fn json(&self, judged: &Judged) -> TlsReport {
        let mut report = TlsReport::blank(
            self.target.server.clone(),
            self.target
                .servername
                .clone()
                .or_else(|| self.settings.servername.clone()),
            self.policy(),
        );
        report.server_name = Some(self.server_name.to_string());
        report.address = self.handshake.address.map(|a| a.to_string());
        report.tls_version = self.handshake.version.map(version_name);
        report.certificate = self.certificate();
        if let Some(failure) = self.failure() {
            report.error = Some(ErrorReport::new(failure.code(), failure.to_string()));
        }
        let (answer, situation, features) = match judged {
            Judged::Decided(decision, answer) => {
                report.verdict = Some(match decision.verdict() {
                    Verdict::Accept => "accept",
                    Verdict::Reject => "reject",
                });
                report.situation = Some(decision.situation().code());
                if decision.verdict() == Verdict::Reject {
                    // With the staple's times, when it was refused for them.
                    let mut error = decision
                        .situation()
                        .error()
                        .map_or_else(|| ErrorReport::new("", ""), |e| ErrorReport::of(&e));
                    error.code = refusal_code(decision).into();
                    error.message = decision.to_string();
                    report.error = Some(error);
                }
                (*answer, decision.situation(), decision.tls_features())
            }
            Judged::ChainRefused(None, features) => {
                report.stapled = Some(true);
                report.must_staple = Some(*features == TlsFeatures::StatusRequest);
                report.staple_error = Some(ErrorReport::new("issuer_not_found", NO_ISSUER));
                return report;
            }
            Judged::ChainRefused(Some(staple), features) => {
                let answer = match staple {
                    Staple::Verified(answer) => Some(*answer),
                    _ => None,
                };
                let situation = Situation::of(staple);
                report.situation = Some(situation.code());
                (answer, situation, *features)
            }
            Judged::Nothing => return report,
        };
        let stapled = self
            .handshake
            .sent
            .as_ref()
            .is_some_and(|s| !s.staple.is_empty());
        report.stapled = Some(stapled);
        report.must_staple = Some(features == TlsFeatures::StatusRequest);
        report.staple_error = situation.error().map(|e| ErrorReport::of(&e));
        if let Some(when) = self.when(answer.as_ref(), &situation) {
            report.this_update = when.this_update.map(rfc3339);
            report.next_update = when.next_update.flatten().map(rfc3339);
            report.produced_at = when.produced_at.map(rfc3339);
            report.seconds_until_next_update = when
                .next_update
                .flatten()
                .map(|next| seconds_between(self.now, next));
        }
        if let Some(until) = self.fresh_until(answer.as_ref()) {
            report.fresh_until = Some(rfc3339(until));
            report.seconds_left = Some(seconds_between(self.now, until));
        }
        if let Some(answer) = answer {
            report.status = Some(status_name(answer.status()));
            report.responder = Some(answer.responder().name());
            if let CertStatus::Revoked { time, reason } = answer.status() {
                report.revocation_time = Some(rfc3339(time));
                report.revocation_reason = reason.map(|r| r.name());
            }
        }
        report
    }
}

/// The staple the server sent, verified here with the ring provider's algorithms (the
/// adapter's), against the issuer among the intermediates the server sent, or a root: for a
/// chain the roots refused, when the adapter never looked at the staple. `None` when the
/// server's certificate cannot be read; no staple when no issuer was found to judge it by.
fn judge_staple(
    sent: &Sent,
    store: &RootCertStore,
    now: UnixTime,
) -> Option<(Option<Staple>, TlsFeatures)> {
    let cert = Certificate::from_der(&sent.end_entity).ok()?;
    let features = cert.tls_features();
    if sent.staple.is_empty() {
        return Some((Some(Staple::Absent), features));
    }
    let verifier = Verifier::new(provider().signature_verification_algorithms.all);
    let intermediates: Vec<Certificate<'_>> = sent
        .intermediates
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let from_chain = intermediates
        .iter()
        .map(Issuer::from)
        .find(|issuer| issuer.is_issuer_of(&cert));
    let from_roots = || {
        store
            .roots
            .iter()
            .filter_map(|anchor| Issuer::from_trust_anchor(anchor).ok())
            .find(|issuer| issuer.is_issuer_of(&cert))
    };
    let Some(issuer) = from_chain.or_else(from_roots) else {
        return Some((None, features));
    };
    let result: Result<Answer, Error> = verifier
        .verify(&sent.staple, &cert, &issuer, None, now)
        .map(|verified| verified.answer());
    Some((Some(Staple::from(result)), features))
}

/// The staple line's words for a situation: `good`, `revoked since ...`, `unusable: ...`.
fn staple_words(situation: &Situation) -> String {
    match situation {
        Situation::NoStaple => "none".to_string(),
        Situation::StapleUnusable(error) => format!("unusable: {error} ({})", error.code()),
        Situation::StapleInvalid(error) => format!("invalid: {error} ({})", error.code()),
        Situation::Revoked { time, reason } => format!(
            "revoked since {}{}",
            rfc3339(*time),
            reason
                .map(|r| format!(", reason {}", r.name()))
                .unwrap_or_default()
        ),
        other => other.status().map_or("?", status_name).to_string(),
    }
}

/// The `status` label of `ocsp_probe_status` for what a staple says.
fn status_label(situation: &Situation) -> &'static str {
    match situation {
        Situation::NoStaple => "none",
        Situation::StapleUnusable(error) | Situation::StapleInvalid(error) => {
            if is_about_time(error) {
                "stale"
            } else {
                "invalid"
            }
        }
        other => other.status().map_or("invalid", status_name),
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
