//! Monitoring staple freshness: `ocsp-check tls` against several real `openssl
//! s_server -status_file` servers on loopback in one run (good, near its end, stale, revoked,
//! no staple, nobody listening), the exact line of each, the worst exit status, the JSON lines,
//! `--prometheus` checked by `promtool` and read back value by value, the exporter scraped over
//! HTTP, the alerting rules of the runbook, and the pool timed against one server at a time.
//!
//! These tests need `openssl` and `promtool` (Debian: openssl, prometheus) and fail, saying
//! so, without them.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

use common::cli::{
    ExporterProcess, SServer, dead_port, generated, http, http_get, json_of, parse_exposition,
    promtool, promtool_check_metrics, require, run, runbook_shows, scratch_dir, stdout, value_of,
};
use common::der_builder::{
    P256Key, Responder as ResponderId, ResponseData, Single, Status, cert_id,
};
use ocsp_verify::Certificate;

const NOW: &str = "2026-01-01T01:00:00Z";
const NOW_SECS: f64 = 1_767_229_200.0;

fn root() -> String {
    generated("pki/tls/tls-root.pem")
}

fn staple(name: &str) -> PathBuf {
    PathBuf::from(generated(&format!("responses/tls/tls-server-{name}.der")))
}

/// A good staple for `tls-server`, signed by `tls-int` like the shipped ones, but with only two
/// hours left at [`NOW`]: thisUpdate 2025-12-26T00:00:00Z, nextUpdate 2026-01-01T03:00:00Z
/// (within the verifier's seven-day age cap and ten-day lifetime cap).
fn near_expiry_staple(dir: &Path) -> PathBuf {
    let cert_der = std::fs::read(generated("pki/tls/tls-server.der")).unwrap();
    let issuer_der = std::fs::read(generated("pki/tls/tls-int.der")).unwrap();
    let cert = Certificate::from_der(&cert_der).unwrap();
    let issuer = Certificate::from_der(&issuer_der).unwrap();
    let this_update = common::secs("2025-12-26T00:00:00Z");
    let single = Single {
        cert_id: cert_id(&cert, &issuer, cert.serial()),
        status: Status::Good,
        this_update,
        next_update: Some(common::secs("2026-01-01T03:00:00Z")),
        extensions: None,
    };
    let data = ResponseData {
        responder: ResponderId::by_name(&issuer),
        produced_at: this_update,
        singles: vec![single.encode()],
        extensions: None,
    };
    let der = P256Key::load("tls/tls-int").respond(&data, &[]);
    let path = dir.join("tls-server-near-expiry.der");
    std::fs::write(&path, der).unwrap();
    path
}

/// The six servers of the lab, in the order of the targets file.
struct Lab {
    good: SServer,
    near: SServer,
    stale: SServer,
    revoked: SServer,
    none: SServer,
    unreachable: u16,
    dir: PathBuf,
}

impl Lab {
    fn start(name: &str) -> Self {
        require("openssl", &["version"], "openssl");
        let dir = scratch_dir(name);
        let near = near_expiry_staple(&dir);
        Self {
            good: SServer::start(Some(&staple("good"))),
            near: SServer::start(Some(&near)),
            stale: SServer::start(Some(&staple("stale"))),
            revoked: SServer::start(Some(&staple("revoked"))),
            none: SServer::start(None),
            unreachable: dead_port(),
            dir,
        }
    }

    fn unreachable(&self) -> String {
        format!("127.0.0.1:{}", self.unreachable)
    }

    /// `--targets` with the six, a comment and a blank line; every one named `localhost`.
    fn targets_file(&self) -> PathBuf {
        let path = self.dir.join("targets");
        let text = format!(
            "# the lab: one server a line, HOST:PORT SERVERNAME\n\
             {} localhost\n{} localhost   # two hours left\n\n{} localhost\n{} localhost\n\
             {} localhost\n{} localhost\n",
            self.good.target(),
            self.near.target(),
            self.stale.target(),
            self.revoked.target(),
            self.none.target(),
            self.unreachable()
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn tls(&self, args: &[&str]) -> Output {
        let root = root();
        let mut all = vec!["tls", "--ca", &root, "--at", NOW];
        all.extend_from_slice(args);
        run(&all)
    }
}

/// What the line of each of the lab's servers says, after `exit N  HOST:PORT (localhost): `.
fn expected_lines(lab: &Lab) -> Vec<String> {
    let line = |exit: u8, target: String, words: &str| {
        format!("exit {exit}  {target} (localhost): {words}")
    };
    vec![
        line(
            0,
            lab.good.target(),
            "accepted under hard-fail: the staple says good; nextUpdate 2026-01-08T00:00:00Z \
             (6d 23h left)",
        ),
        line(
            5,
            lab.near.target(),
            "accepted under hard-fail: the staple says good; nextUpdate 2026-01-01T03:00:00Z \
             (2h 0m left); 2h 0m left before it stops being fresh, less than --min-remaining \
             86400 (1d 0h): due for a refresh",
        ),
        line(
            3,
            lab.stale.target(),
            "refused under hard-fail: unusable staple: the response expired 7d 1h ago \
             (nextUpdate 2025-12-25T00:00:00Z)",
        ),
        line(
            1,
            lab.revoked.target(),
            "refused under hard-fail: the staple says revoked (keyCompromise); nextUpdate \
             2026-01-08T00:00:00Z (6d 23h left)",
        ),
        line(3, lab.none.target(), "refused under hard-fail: no staple"),
        line(
            4,
            lab.unreachable(),
            "no connection: the connection was refused (Connection refused (os error 111))",
        ),
    ]
}

#[test]
fn many_servers_in_one_run_one_line_each_and_the_worst_status() {
    let lab = Lab::start("monitor-lines");
    let targets = lab.targets_file();
    let output = lab.tls(&[
        "--targets",
        targets.to_str().unwrap(),
        "--min-remaining",
        "86400",
        "--concurrency",
        "4",
    ]);
    let text = stdout(&output);
    println!("{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, expected_lines(&lab), "{text}");
    // Revoked is the worst of 0, 5, 3, 1, 3, 4.
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stderr.is_empty(), "{}", common::cli::stderr(&output));

    // The worst, subset by subset: 1 > 2 > 3 > 4 > 5 > 0.
    let min = ["--min-remaining", "86400"];
    let with = |servers: &[String]| {
        let mut args: Vec<&str> = servers.iter().map(String::as_str).collect();
        args.extend(["--servername", "localhost"]);
        args.extend(min);
        lab.tls(&args).status.code()
    };
    assert_eq!(with(&[lab.good.target()]), Some(0));
    assert_eq!(with(&[lab.good.target(), lab.near.target()]), Some(5));
    assert_eq!(
        with(&[lab.near.target(), lab.unreachable(), lab.good.target()]),
        Some(4)
    );
    assert_eq!(
        with(&[lab.unreachable(), lab.stale.target(), lab.near.target()]),
        Some(3)
    );
    assert_eq!(
        with(&[lab.none.target(), lab.revoked.target(), lab.unreachable()]),
        Some(1)
    );
    // Without --min-remaining, two hours left is good.
    let output = lab.tls(&[&lab.near.target(), "--servername", "localhost"]);
    assert_eq!(output.status.code(), Some(0));

    // Two servers on the command line print one line each too; --quiet prints nothing.
    let output = lab.tls(&[
        &lab.good.target(),
        &lab.none.target(),
        "--servername",
        "localhost",
    ]);
    let expected = expected_lines(&lab);
    assert_eq!(
        stdout(&output),
        format!("{}\n{}\n", expected[0], expected[4])
    );
    assert_eq!(output.status.code(), Some(3));
    let output = lab.tls(&["--targets", targets.to_str().unwrap(), "--quiet"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn one_server_with_min_remaining_says_why_it_exits_5() {
    let lab = Lab::start("monitor-one");
    let output = lab.tls(&[
        &lab.near.target(),
        "--servername",
        "localhost",
        "--min-remaining",
        "86400",
    ]);
    assert_eq!(output.status.code(), Some(5));
    let text = stdout(&output);
    assert!(
        text.starts_with("accepted under hard-fail: the staple says good\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  nextUpdate:  2026-01-01T03:00:00Z (2h 0m left)\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\n  refresh:     2h 0m left before it stops being fresh, less than --min-remaining \
             86400 (1d 0h): due for a refresh\n"
        ),
        "{text}"
    );
    let json = json_of(&lab.tls(&[
        &lab.near.target(),
        "--servername",
        "localhost",
        "--min-remaining",
        "7200",
        "--json",
    ]));
    // Exactly 7200 left is not fewer than 7200.
    assert_eq!(json["exit"], 0);
    assert_eq!(json["fresh_until"], "2026-01-01T03:00:00Z");
    assert_eq!(json["seconds_left"], 7200);
}

#[test]
fn json_lines_one_object_per_server_in_order() {
    let lab = Lab::start("monitor-json");
    let targets = lab.targets_file();
    let output = lab.tls(&[
        "--targets",
        targets.to_str().unwrap(),
        "--min-remaining",
        "86400",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let objects: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let servers: Vec<&str> = objects
        .iter()
        .map(|o| o["server"].as_str().unwrap())
        .collect();
    assert_eq!(
        servers,
        [
            lab.good.target(),
            lab.near.target(),
            lab.stale.target(),
            lab.revoked.target(),
            lab.none.target(),
            lab.unreachable()
        ]
    );
    let field =
        |key: &str| -> Vec<serde_json::Value> { objects.iter().map(|o| o[key].clone()).collect() };
    use serde_json::{Value, json};
    assert_eq!(
        field("exit"),
        [json!(0), json!(5), json!(3), json!(1), json!(3), json!(4)]
    );
    assert_eq!(
        field("status"),
        [
            json!("good"),
            json!("good"),
            Value::Null,
            json!("revoked"),
            Value::Null,
            Value::Null
        ]
    );
    assert_eq!(
        field("seconds_left"),
        [
            json!(601_200),
            json!(7200),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );
    assert_eq!(
        field("seconds_until_next_update"),
        [
            json!(601_200),
            json!(7200),
            json!(-608_400),
            json!(601_200),
            Value::Null,
            Value::Null
        ]
    );
    assert_eq!(objects[2]["staple_error"]["code"], "response_expired");
    assert_eq!(objects[4]["error"]["code"], "no_staple");
    assert_eq!(objects[5]["error"]["code"], "connection_refused");
}

#[test]
fn prometheus_output_passes_promtool_and_reads_back() {
    let lab = Lab::start("monitor-prometheus");
    let targets = lab.targets_file();
    let output = lab.tls(&[
        "--targets",
        targets.to_str().unwrap(),
        "--min-remaining",
        "86400",
        "--prometheus",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    promtool_check_metrics(&text);
    let samples = parse_exposition(&text);
    let of = |target: &str, name: &str, extra: &[(&str, &str)]| {
        let mut labels = vec![("target", target), ("servername", "localhost")];
        labels.extend_from_slice(extra);
        value_of(&samples, name, &labels)
    };
    let (good, near, stale, revoked, none, unreachable) = (
        lab.good.target(),
        lab.near.target(),
        lab.stale.target(),
        lab.revoked.target(),
        lab.none.target(),
        lab.unreachable(),
    );
    let all = [&good, &near, &stale, &revoked, &none, &unreachable];
    // success, exit code: every target.
    let column =
        |name: &str| -> Vec<Option<f64>> { all.iter().map(|t| of(t, name, &[])).collect() };
    assert_eq!(
        column("ocsp_probe_success"),
        [
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(0.0)
        ]
    );
    assert_eq!(
        column("ocsp_probe_exit_code"),
        [
            Some(0.0),
            Some(5.0),
            Some(3.0),
            Some(1.0),
            Some(3.0),
            Some(4.0)
        ]
    );
    assert_eq!(
        column("ocsp_probe_checked_timestamp_seconds"),
        [Some(NOW_SECS); 6]
    );
    // The status: one 1 among six values; none for the unreachable one.
    for (target, said) in [
        (&good, "good"),
        (&near, "good"),
        (&stale, "stale"),
        (&revoked, "revoked"),
        (&none, "none"),
    ] {
        for status in ["good", "revoked", "unknown", "stale", "invalid", "none"] {
            assert_eq!(
                of(target, "ocsp_probe_status", &[("status", status)]),
                Some(f64::from(u8::from(status == said))),
                "{target} {status}"
            );
        }
    }
    assert_eq!(
        of(&unreachable, "ocsp_probe_status", &[("status", "none")]),
        None
    );
    // The verdict under the policy.
    for (target, accepted) in [
        (&good, true),
        (&near, true),
        (&stale, false),
        (&revoked, false),
        (&none, false),
    ] {
        let verdict = |v| {
            of(
                target,
                "ocsp_probe_verdict",
                &[("policy", "hard-fail"), ("verdict", v)],
            )
        };
        assert_eq!(
            verdict("accept"),
            Some(f64::from(u8::from(accepted))),
            "{target}"
        );
        assert_eq!(
            verdict("reject"),
            Some(f64::from(u8::from(!accepted))),
            "{target}"
        );
    }
    assert_eq!(
        column("ocsp_probe_must_staple"),
        [Some(0.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None]
    );
    // The times: seconds to nextUpdate (negative once past) and since thisUpdate.
    assert_eq!(
        column("ocsp_probe_time_to_next_update_seconds"),
        [
            Some(601_200.0),
            Some(7200.0),
            Some(-608_400.0),
            Some(601_200.0),
            None,
            None
        ]
    );
    assert_eq!(
        column("ocsp_probe_time_since_this_update_seconds"),
        [
            Some(3600.0),
            Some(522_000.0),
            Some(1_040_400.0),
            Some(3600.0),
            None,
            None
        ]
    );
    assert_eq!(
        column("ocsp_probe_next_update_timestamp_seconds"),
        [
            Some(1_767_830_400.0),
            Some(1_767_236_400.0),
            Some(1_766_620_800.0),
            Some(1_767_830_400.0),
            None,
            None
        ]
    );
    assert_eq!(
        column("ocsp_probe_fresh_until_timestamp_seconds"),
        [
            Some(1_767_830_400.0),
            Some(1_767_236_400.0),
            None,
            None,
            None,
            None
        ]
    );
    // What ssl_exporter users alert on too: stapled or not, producedAt, the revocation.
    assert_eq!(
        column("ocsp_probe_stapled"),
        [Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(0.0), None]
    );
    assert_eq!(
        column("ocsp_probe_produced_at_timestamp_seconds"),
        [
            Some(1_767_225_600.0),
            Some(1_766_707_200.0),
            Some(1_766_188_800.0),
            Some(1_767_225_600.0),
            None,
            None
        ]
    );
    assert_eq!(
        of(
            &revoked,
            "ocsp_probe_revocation_timestamp_seconds",
            &[("reason", "keyCompromise")]
        ),
        Some(1_748_779_200.0)
    );
    assert_eq!(
        samples
            .iter()
            .filter(|s| s.name == "ocsp_probe_revocation_timestamp_seconds")
            .count(),
        1
    );
    for target in all {
        let took = of(target, "ocsp_probe_duration_seconds", &[]).unwrap();
        assert!((0.0..10.0).contains(&took), "{target}: {took}");
    }
    // Nothing but these families.
    let mut names: Vec<&str> = samples.iter().map(|s| s.name.as_str()).collect();
    names.dedup();
    assert_eq!(
        names,
        [
            "ocsp_probe_success",
            "ocsp_probe_duration_seconds",
            "ocsp_probe_exit_code",
            "ocsp_probe_status",
            "ocsp_probe_verdict",
            "ocsp_probe_must_staple",
            "ocsp_probe_stapled",
            "ocsp_probe_produced_at_timestamp_seconds",
            "ocsp_probe_this_update_timestamp_seconds",
            "ocsp_probe_next_update_timestamp_seconds",
            "ocsp_probe_fresh_until_timestamp_seconds",
            "ocsp_probe_time_to_next_update_seconds",
            "ocsp_probe_time_since_this_update_seconds",
            "ocsp_probe_revocation_timestamp_seconds",
            "ocsp_probe_checked_timestamp_seconds",
        ]
    );
}

#[test]
fn verify_and_fetch_write_prometheus_too() {
    let (response, cert, issuer) = (
        generated("responses/good-p256-ca.der"),
        generated("pki/p256-ee.pem"),
        generated("pki/p256-ca.pem"),
    );
    let output = run(&[
        "verify",
        "--response",
        &response,
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--at",
        NOW,
        "--min-remaining",
        "700000",
        "--prometheus",
    ]);
    assert_eq!(output.status.code(), Some(5));
    let text = stdout(&output);
    promtool_check_metrics(&text);
    let samples = parse_exposition(&text);
    let labels = [("target", cert.as_str()), ("serial", "3001")];
    let of = |name: &str, extra: &[(&str, &str)]| {
        let mut all = labels.to_vec();
        all.extend_from_slice(extra);
        value_of(&samples, name, &all)
    };
    assert_eq!(of("ocsp_probe_success", &[]), Some(1.0));
    assert_eq!(of("ocsp_probe_exit_code", &[]), Some(5.0));
    assert_eq!(of("ocsp_probe_status", &[("status", "good")]), Some(1.0));
    assert_eq!(
        of("ocsp_probe_time_to_next_update_seconds", &[]),
        Some(601_200.0)
    );
    assert_eq!(of("ocsp_probe_must_staple", &[]), Some(0.0));
    assert_eq!(of("ocsp_probe_verdict", &[("verdict", "accept")]), None);

    // fetch from a responder that answers: the result is ok, the answer's figures are there.
    let responder =
        support::Canned::start(support::Answer::ocsp(&std::fs::read(&response).unwrap()));
    let output = run(&[
        "fetch",
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--url",
        &responder.url(),
        "--no-nonce",
        "--at",
        NOW,
        "--prometheus",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    promtool_check_metrics(&text);
    let samples = parse_exposition(&text);
    let of = |name: &str, extra: &[(&str, &str)]| {
        let mut all = labels.to_vec();
        all.extend_from_slice(extra);
        value_of(&samples, name, &all)
    };
    assert_eq!(of("ocsp_probe_success", &[]), Some(1.0));
    assert_eq!(of("ocsp_probe_exit_code", &[]), Some(0.0));
    assert_eq!(of("ocsp_probe_status", &[("status", "good")]), Some(1.0));
    assert_eq!(
        of(
            "ocsp_probe_fetch_result",
            &[("url", &responder.url()), ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        of("ocsp_probe_time_since_this_update_seconds", &[]),
        Some(3600.0)
    );

    // fetch from a responder nobody runs: no answer, the responder's result says why.
    let url = format!("http://127.0.0.1:{}/", dead_port());
    let output = run(&[
        "fetch",
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--url",
        &url,
        "--at",
        NOW,
        "--prometheus",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let text = stdout(&output);
    promtool_check_metrics(&text);
    let samples = parse_exposition(&text);
    let of = |name: &str, extra: &[(&str, &str)]| {
        let mut all = labels.to_vec();
        all.extend_from_slice(extra);
        value_of(&samples, name, &all)
    };
    assert_eq!(of("ocsp_probe_success", &[]), Some(0.0));
    assert_eq!(of("ocsp_probe_exit_code", &[]), Some(3.0));
    assert_eq!(
        of(
            "ocsp_probe_fetch_result",
            &[("url", &url), ("result", "responder_unreachable")]
        ),
        Some(1.0)
    );
    let took = of("ocsp_probe_fetch_duration_seconds", &[("url", &url)]).unwrap();
    assert!((0.0..10.0).contains(&took), "{took}");
    assert_eq!(of("ocsp_probe_status", &[("status", "good")]), None);
    // The one error line still goes to stderr.
    assert_eq!(common::cli::stderr(&output).lines().count(), 1);

    // An unreadable input: the probe failed, and says so.
    let output = run(&[
        "verify",
        "--response",
        "/no/such/file",
        "--cert",
        &cert,
        "--issuer",
        &issuer,
        "--prometheus",
    ]);
    assert_eq!(output.status.code(), Some(4));
    let samples = parse_exposition(&stdout(&output));
    assert_eq!(
        value_of(&samples, "ocsp_probe_success", &[("target", cert.as_str())]),
        Some(0.0)
    );
    // --prometheus excludes --json and --quiet.
    for other in ["--json", "--quiet"] {
        let output = run(&["tls", "127.0.0.1:1", "--prometheus", other]);
        assert_eq!(output.status.code(), Some(4), "{other}");
    }
}

/// `ocsp-check exporter` trusting the lab's root, at [`NOW`].
struct Exporter;

impl Exporter {
    fn start(args: &[&str]) -> ExporterProcess {
        let root = root();
        let mut all = vec!["--ca", &root, "--at", NOW];
        all.extend_from_slice(args);
        ExporterProcess::start(&all)
    }
}

#[test]
fn the_exporter_serves_metrics_and_probes_over_http() {
    let lab = Lab::start("monitor-exporter");
    let targets = lab.targets_file();
    let exporter = Exporter::start(&[
        "--targets",
        targets.to_str().unwrap(),
        "--min-remaining",
        "86400",
        "--timeout",
        "5",
    ]);
    let port = exporter.port;

    // /metrics: every target, as tls --prometheus writes them, and the probes counted.
    let (status, head, body) = http_get(port, "/metrics");
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
        "{head}"
    );
    promtool_check_metrics(&body);
    let samples = parse_exposition(&body);
    let of = |target: &str, name: &str, extra: &[(&str, &str)]| {
        let mut labels = vec![("target", target), ("servername", "localhost")];
        labels.extend_from_slice(extra);
        value_of(&samples, name, &labels)
    };
    assert_eq!(
        of(&lab.good.target(), "ocsp_probe_exit_code", &[]),
        Some(0.0)
    );
    assert_eq!(
        of(&lab.near.target(), "ocsp_probe_exit_code", &[]),
        Some(5.0)
    );
    assert_eq!(
        of(
            &lab.revoked.target(),
            "ocsp_probe_status",
            &[("status", "revoked")]
        ),
        Some(1.0)
    );
    assert_eq!(
        of(
            &lab.stale.target(),
            "ocsp_probe_time_to_next_update_seconds",
            &[]
        ),
        Some(-608_400.0)
    );
    assert_eq!(of(&lab.unreachable(), "ocsp_probe_success", &[]), Some(0.0));
    assert_eq!(
        of(&lab.good.target(), "ocsp_exporter_probes_total", &[]),
        Some(1.0)
    );
    // A second scrape within --cache-seconds (10) is served from the cache: no new probe.
    let (_, _, again) = http_get(port, "/metrics");
    let samples = parse_exposition(&again);
    assert_eq!(
        value_of(
            &samples,
            "ocsp_exporter_probes_total",
            &[("target", &lab.good.target())]
        ),
        Some(1.0)
    );

    // /probe: one listed target, its figures only.
    let (status, _, body) = http_get(
        port,
        &format!("/probe?target={}&servername=localhost", lab.none.target()),
    );
    assert_eq!(status, 200);
    promtool_check_metrics(&body);
    let samples = parse_exposition(&body);
    assert!(
        samples
            .iter()
            .all(|s| s.label("target") == Some(&lab.none.target())),
        "{body}"
    );
    assert_eq!(
        value_of(&samples, "ocsp_probe_status", &[("status", "none")]),
        Some(1.0)
    );
    // Percent-encoded, without the servername: the file's is used.
    let encoded = lab.revoked.target().replace(':', "%3A");
    let (status, _, body) = http_get(port, &format!("/probe?target={encoded}&module=ocsp"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        value_of(
            &parse_exposition(&body),
            "ocsp_probe_exit_code",
            &[("servername", "localhost")]
        ),
        Some(1.0)
    );

    // Refused: a target not in --targets (an open prober is an SSRF tool), or a listed one
    // under another name.
    let (status, _, body) = http_get(port, "/probe?target=127.0.0.1:22");
    assert_eq!(status, 403);
    assert!(body.contains("not in --targets"), "{body}");
    let (status, _, _) = http_get(
        port,
        &format!(
            "/probe?target={}&servername=evil.example",
            lab.good.target()
        ),
    );
    assert_eq!(status, 403);

    // Bad requests.
    for (path, expected) in [
        ("/probe", 400),
        ("/probe?target=", 400),
        ("/probe?target=http://example.com/", 400),
        ("/probe?target=%zz", 400),
        ("/nothing-here", 404),
        ("/", 200),
    ] {
        assert_eq!(http_get(port, path).0, expected, "{path}");
    }
    let (status, head, _) = http(
        port,
        b"POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(status, 405);
    assert!(head.contains("\r\nAllow: GET, HEAD\r\n"), "{head}");
    assert_eq!(http(port, b"NONSENSE\r\n\r\n").0, 400);
    assert_eq!(http(port, b"GET / SPDY/3\r\n\r\n").0, 400);
    let mut huge = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 20 * 1024));
    huge.extend_from_slice(b"\r\n\r\n");
    assert_eq!(http(port, &huge).0, 431);
    // HEAD: the head alone.
    let (status, head, body) = http(port, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!((status, body.as_str()), (200, ""), "{head}");

    // Still serving after all that.
    assert_eq!(http_get(port, "/metrics").0, 200);
}

#[test]
fn the_exporter_probes_any_target_only_when_told_to() {
    let lab = Lab::start("monitor-any");
    let listed = lab.dir.join("one-target");
    std::fs::write(&listed, format!("{} localhost\n", lab.good.target())).unwrap();
    let exporter = Exporter::start(&[
        "--targets",
        listed.to_str().unwrap(),
        "--allow-any-target",
        "--cache-seconds",
        "0",
    ]);
    let path = format!(
        "/probe?target={}&servername=localhost",
        lab.revoked.target()
    );
    let (status, _, body) = http_get(exporter.port, &path);
    assert_eq!(status, 200, "{body}");
    let samples = parse_exposition(&body);
    assert_eq!(
        value_of(&samples, "ocsp_probe_status", &[("status", "revoked")]),
        Some(1.0)
    );
    // --cache-seconds 0: every scrape probes.
    for expected in [1.0, 2.0] {
        let (_, _, body) = http_get(exporter.port, "/metrics");
        assert_eq!(
            value_of(&parse_exposition(&body), "ocsp_exporter_probes_total", &[]),
            Some(expected)
        );
    }
}

#[test]
fn the_exporter_refuses_to_start_on_bad_inputs() {
    let dir = scratch_dir("monitor-exporter-inputs");
    let bad = dir.join("bad-targets");
    std::fs::write(&bad, "127.0.0.1:4433 localhost\nhttps://example.com/\n").unwrap();
    let output = run(&[
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--targets",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(4));
    let stderr = common::cli::stderr(&output);
    assert!(
        stderr.contains("line 2: `https://example.com/` is a URL"),
        "{stderr}"
    );
    let output = run(&[
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--targets",
        "/no/such/file",
    ]);
    assert_eq!(output.status.code(), Some(4));
    // tls --targets: the same checks, before probing anything.
    let output = run(&["tls", "--targets", bad.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(json_of(&output)["error"]["code"], "input_error");
    let output = run(&["tls"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        common::cli::stderr(&output).contains("no server given"),
        "{}",
        common::cli::stderr(&output)
    );
    let output = run(&["tls", "127.0.0.1:1", "--concurrency", "0"]);
    assert_eq!(output.status.code(), Some(4));
}

#[test]
fn the_runbooks_alerting_rules_pass_promtool() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/");
    promtool(&["check", "rules", &format!("{docs}alerts.yml")]);
    // The runbook shows the same rules, word for word.
    runbook_shows("alerts.yml", "tests/cli_monitor.rs");
    promtool(&["test", "rules", &format!("{docs}alerts.test.yml")]);
}

/// The wall time of probing 50 loopback servers with the pool (16 at once) and one at a time
/// (`--concurrency 1`), in the same run; printed for the record (`--nocapture`), and both runs
/// must say the same.
#[test]
fn fifty_servers_pool_against_one_at_a_time() {
    require("openssl", &["version"], "openssl");
    let dir = scratch_dir("monitor-fifty");
    let servers: Vec<SServer> = (0..50)
        .map(|_| SServer::start(Some(&staple("good"))))
        .collect();
    let file = dir.join("targets");
    let text: String = servers
        .iter()
        .map(|s| format!("{} localhost\n", s.target()))
        .collect();
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let time = |concurrency: &str| {
        let started = Instant::now();
        let output = run(&[
            "tls",
            "--targets",
            file,
            "--ca",
            &root(),
            "--at",
            NOW,
            "--concurrency",
            concurrency,
        ]);
        let took = started.elapsed();
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        (took, stdout(&output))
    };
    // Warm up: the binary and s_server's pages in memory.
    let _ = time("16");
    let (serial, serial_lines) = time("1");
    let (pooled, pooled_lines) = time("16");
    assert_eq!(serial_lines, pooled_lines);
    assert_eq!(pooled_lines.lines().count(), 50);
    println!(
        "50 loopback servers: one at a time {serial:.2?}, pool of 16 {pooled:.2?} ({:.1}x)",
        serial.as_secs_f64() / pooled.as_secs_f64()
    );
}
