//! `ocsp-check exporter` as a server anyone who can reach its port can talk to: idle
//! connections that must not starve a scrape, concurrent requests for one target that must
//! share one probe, a result cache that stays bounded under many distinct targets, the `Host`
//! check against DNS rebinding, precise refusals of bad heads, and the recording rules that
//! give a team moving from ssl_exporter its old metric names.
//!
//! Each test binds its own loopback ports (the exporter's `--listen 127.0.0.1:0`, `openssl
//! s_server`, a counting relay). They need `openssl` and `promtool` (Debian: openssl,
//! prometheus) and fail, saying so, without them. Times and memory are printed for the record
//! (`--nocapture`), with generous bounds only where the exporter promises one.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::cli::{
    ExporterProcess, SServer, dead_port, generated, http, http_get, parse_exposition, promtool,
    promtool_check_metrics, require, run, runbook_shows, scratch_dir, stdout, value_of,
};

const NOW: &str = "2026-01-01T01:00:00Z";

fn root() -> String {
    generated("pki/tls/tls-root.pem")
}

fn staple(name: &str) -> PathBuf {
    PathBuf::from(generated(&format!("responses/tls/tls-server-{name}.der")))
}

/// A targets file of `lines` in a scratch directory of its own.
fn targets_file(name: &str, lines: &[String]) -> PathBuf {
    let path = scratch_dir(name).join("targets");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// The exporter trusting the lab's root, at [`NOW`], over `targets`.
fn exporter(targets: &std::path::Path, more: &[&str]) -> ExporterProcess {
    let root = root();
    let mut args = vec![
        "--ca",
        &root,
        "--at",
        NOW,
        "--targets",
        targets.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    ExporterProcess::start(&args)
}

/// A field of the exporter's `/proc/PID/status`, in KiB (`VmRSS`, `VmHWM`).
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|rest| rest.trim().strip_suffix(" kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// A connection to the exporter that sends nothing and is replaced when the exporter closes
/// it: what an attacker holding connections open does.
struct Idle {
    stream: TcpStream,
}

impl Idle {
    fn open(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nonblocking(true).unwrap();
        Self { stream }
    }

    /// Whether the exporter has answered or closed it (anything to read, or the end).
    fn closed(&mut self) -> bool {
        let mut bytes = [0u8; 64];
        match self.stream.read(&mut bytes) {
            // An answer (503 or 408), or the end of the stream: either way the exporter is
            // done with it.
            Ok(0 | 1..) => true,
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        }
    }
}

/// The exporter's answer to a GET, and how long it took.
fn timed_get(port: u16, path: &str) -> ((u16, String, String), Duration) {
    let started = Instant::now();
    let answer = http_get(port, path);
    (answer, started.elapsed())
}

#[test]
fn sixty_four_idle_connections_from_one_peer_do_not_starve_a_scrape() {
    require("openssl", &["version"], "openssl");
    let good = SServer::start(Some(&staple("good")));
    let targets = targets_file("exporter-idle", &[format!("{} localhost", good.target())]);
    let exporter = exporter(&targets, &["--cache-seconds", "0"]);
    let port = exporter.port;
    let baseline: Vec<Duration> = (0..5)
        .map(|_| {
            let ((status, _, _), took) = timed_get(port, "/metrics");
            assert_eq!(status, 200);
            took
        })
        .collect();

    // 64 connections from 127.0.0.1, the scraper's own address, never sending a byte; a thread
    // reopens every one the exporter closes, every 200 ms, for as long as the test scrapes.
    let mut idle: Vec<Idle> = (0..64).map(|_| Idle::open(port)).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let reopened = Arc::new(AtomicUsize::new(0));
    let attacker = {
        let (stop, reopened) = (Arc::clone(&stop), Arc::clone(&reopened));
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                for connection in &mut idle {
                    if connection.closed() {
                        *connection = Idle::open(port);
                        reopened.fetch_add(1, Ordering::SeqCst);
                    }
                }
                thread::sleep(Duration::from_millis(200));
            }
            idle.len()
        })
    };
    thread::sleep(Duration::from_millis(500));

    let mut took = Vec::new();
    for _ in 0..5 {
        let ((status, head, body), elapsed) = timed_get(port, "/metrics");
        assert_eq!(status, 200, "{head}\n{body}");
        let samples = parse_exposition(&body);
        let labels = [
            ("target", good.target()),
            ("servername", "localhost".into()),
        ];
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut all = labels.clone();
            all.extend_from_slice(extra);
            all
        };
        assert_eq!(value_of(&samples, "ocsp_probe_success", &labels), Some(1.0));
        assert_eq!(
            value_of(&samples, "ocsp_probe_exit_code", &labels),
            Some(0.0)
        );
        assert_eq!(
            value_of(&samples, "ocsp_probe_status", &with(&[("status", "good")])),
            Some(1.0)
        );
        // The exporter kept at most 16 of this address's connections waiting, and shed the
        // others to make room.
        let waiting = value_of(&samples, "ocsp_exporter_connections_waiting", &[]).unwrap();
        assert!(waiting <= 16.0, "{waiting} connections waiting");
        let shed = value_of(&samples, "ocsp_exporter_connections_shed_total", &[]).unwrap();
        assert!(shed >= 48.0, "{shed} shed");
        assert!(
            elapsed < Duration::from_secs(5),
            "the scrape took {elapsed:?}"
        );
        took.push(elapsed);
        thread::sleep(Duration::from_millis(300));
    }
    stop.store(true, Ordering::SeqCst);
    assert_eq!(attacker.join().unwrap(), 64);
    println!(
        "/metrics alone: {baseline:?}; with 64 idle connections from the same address \
         (reopened {} times): {took:?}",
        reopened.load(Ordering::SeqCst),
    );

    // A connection that sends nothing is told 408 once its 3 s are up; one shed to make room
    // is told 503 at once.
    let started = Instant::now();
    let (status, _, body) = http(port, b"");
    let waited = started.elapsed();
    assert_eq!(status, 408, "{body}");
    assert!(waited >= Duration::from_secs(3), "{waited:?}");
    println!("a silent connection is answered 408 after {waited:?}");
    let first = TcpStream::connect(("127.0.0.1", port)).unwrap();
    thread::sleep(Duration::from_millis(100));
    let _others: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let mut first = first;
    first
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut answer = String::new();
    first.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(answer.contains("\r\nRetry-After: 1\r\n"), "{answer}");
    assert!(answer.ends_with("closed without a request to make room: one address keeps at most 16 connections waiting\n"), "{answer}");
}

/// A loopback port that counts the connections it accepts; each it holds for `delay`, then
/// relays to `relay_to` (a real TLS server), or closes at once when there is none (a target
/// whose probes fail fast).
struct CountingTarget {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl CountingTarget {
    fn start(relay_to: Option<u16>, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let Some(server) = relay_to else {
                    continue;
                };
                thread::spawn(move || {
                    thread::sleep(delay);
                    let Ok(upstream) = TcpStream::connect(("127.0.0.1", server)) else {
                        return;
                    };
                    let pipe = |mut from: TcpStream, mut to: TcpStream| {
                        thread::spawn(move || {
                            let _ = std::io::copy(&mut from, &mut to);
                            let _ = to.shutdown(std::net::Shutdown::Write);
                        })
                    };
                    let a = pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
                    let b = pipe(upstream, client);
                    let _ = (a.join(), b.join());
                });
            }
        });
        Self { port, accepted }
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

#[test]
fn twenty_concurrent_requests_for_one_target_make_one_probe() {
    require("openssl", &["version"], "openssl");
    let good = SServer::start(Some(&staple("good")));
    let relay = CountingTarget::start(Some(good.port), Duration::from_millis(700));
    let targets = targets_file(
        "exporter-single-flight",
        &[format!("{} localhost", relay.target())],
    );
    // --cache-seconds 0: no result is served again, so only the single flight can spare the
    // target the other 19 connections.
    let exporter = exporter(&targets, &["--cache-seconds", "0"]);
    let port = exporter.port;
    let barrier = Arc::new(Barrier::new(20));
    let probe_path = format!("/probe?target={}", relay.target());
    let answers: Vec<_> = (0..20)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            // Half /probe, half /metrics: both share the one probe.
            let path = if i % 2 == 0 {
                probe_path.clone()
            } else {
                "/metrics".to_string()
            };
            thread::spawn(move || {
                barrier.wait();
                http_get(port, &path)
            })
        })
        .collect();
    for answer in answers {
        let (status, head, body) = answer.join().unwrap();
        assert_eq!(status, 200, "{head}\n{body}");
        let samples = parse_exposition(&body);
        let labels = [("target", relay.target())];
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut good_label = labels.clone();
        good_label.push(("status", "good"));
        assert_eq!(
            value_of(&samples, "ocsp_probe_status", &good_label),
            Some(1.0),
            "{body}"
        );
        assert_eq!(
            value_of(&samples, "ocsp_exporter_probes_total", &labels),
            Some(1.0),
            "{body}"
        );
    }
    let accepted = relay.accepted();
    println!(
        "20 concurrent requests (10 /probe, 10 /metrics) for one target: {accepted} connection(s) to it"
    );
    assert_eq!(accepted, 1);
    // Once that probe has landed, with --cache-seconds 0, the next request probes anew.
    let (status, _, body) = http_get(port, &probe_path);
    assert_eq!(status, 200);
    assert_eq!(
        value_of(&parse_exposition(&body), "ocsp_exporter_probes_total", &[]),
        Some(2.0)
    );
    assert_eq!(relay.accepted(), 2);
}

#[test]
fn ten_thousand_distinct_targets_keep_the_cache_bounded() {
    let closer = CountingTarget::start(None, Duration::ZERO);
    let port_of_target = closer.port;
    let targets = targets_file(
        "exporter-bounded",
        &[format!("127.0.0.1:{} listed.example", dead_port())],
    );
    // The default --cache-size (1024), with --allow-any-target.
    let exporter = exporter(&targets, &["--allow-any-target", "--timeout", "2"]);
    let (port, pid) = (exporter.port, exporter.pid());
    let before = memory_kib(pid, "VmRSS");
    let path = move |n: usize| {
        // Each a target of its own: the server name is part of what a target is.
        format!("/probe?target=127.0.0.1:{port_of_target}&servername=t{n}.example")
    };
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let next = Arc::clone(&next);
            thread::spawn(move || {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= 10_000 {
                        break;
                    }
                    let (status, _, body) = http_get(port, &path(n));
                    assert_eq!(status, 200, "{body}");
                    assert!(
                        body.contains(&format!("servername=\"t{n}.example\"")),
                        "{body}"
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let took = started.elapsed();
    let (rss, peak) = (memory_kib(pid, "VmRSS"), memory_kib(pid, "VmHWM"));
    // Every distinct target was probed once.
    assert_eq!(closer.accepted(), 10_000);
    let (status, _, body) = http_get(port, "/metrics");
    assert_eq!(status, 200);
    let samples = parse_exposition(&body);
    // 1024 results of the 10,000 others, and the listed target's.
    assert_eq!(
        value_of(&samples, "ocsp_exporter_cache_size", &[]),
        Some(1024.0)
    );
    assert_eq!(
        value_of(&samples, "ocsp_exporter_cache_entries", &[]),
        Some(1025.0)
    );
    // The oldest went first: the last target's result is served again, the first's is gone
    // and it is probed anew.
    assert_eq!(http_get(port, &path(9_999)).0, 200);
    assert_eq!(closer.accepted(), 10_000);
    assert_eq!(http_get(port, &path(0)).0, 200);
    assert_eq!(closer.accepted(), 10_001);
    let (status, _, body) = http_get(port, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(
        value_of(&parse_exposition(&body), "ocsp_exporter_cache_entries", &[]),
        Some(1025.0)
    );
    println!(
        "10,000 distinct /probe targets with --allow-any-target in {took:.1?}: VmRSS {before} KiB \
         before, {rss} KiB after (peak {peak} KiB), 1025 results kept"
    );
}

#[test]
fn the_host_must_be_this_exporter() {
    let targets = targets_file(
        "exporter-host",
        &[format!("127.0.0.1:{} localhost", dead_port())],
    );
    let exporter = exporter(&targets, &["--allow-host", "Exporter.Example"]);
    let port = exporter.port;
    let get = |host: &str| {
        let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
        http(port, head.as_bytes())
    };
    // The listening address (with its port, or none), localhost on loopback, a name given.
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
        format!("localhost:{port}"),
        "exporter.example".into(),
        "EXPORTER.example:443".into(),
    ] {
        let (status, head, body) = get(&host);
        assert_eq!(status, 200, "{host}: {head}\n{body}");
    }
    // A rebinding page names its own host; another port of this address is another server.
    for host in [
        format!("attacker.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.2".into(),
        format!("[::1]:{port}"),
    ] {
        let (status, head, body) = get(&host);
        assert_eq!(status, 421, "{host}: {head}\n{body}");
        assert!(
            head.starts_with("HTTP/1.1 421 Misdirected Request\r\n"),
            "{head}"
        );
        assert!(body.contains("DNS rebinding"), "{body}");
    }
    // The host of an absolute-form target is the one judged.
    let (status, _, _) = http(
        port,
        b"GET http://attacker.example/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert_eq!(status, 421);
    let absolute = format!("GET http://localhost:{port}/ HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(http(port, absolute.as_bytes()).0, 200);
    // Without Host: 400 in HTTP/1.1 (RFC 9112), answered in HTTP/1.0.
    assert_eq!(http(port, b"GET / HTTP/1.1\r\n\r\n").0, 400);
    assert_eq!(http(port, b"GET / HTTP/1.0\r\n\r\n").0, 200);
    assert_eq!(
        http(
            port,
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .0,
        400
    );
    // A name that is not one is refused at the start.
    let output = run(&[
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--targets",
        targets.to_str().unwrap(),
        "--allow-host",
        "not a name",
    ]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        common::cli::stderr(&output).contains("--allow-host `not a name` is not a server name")
    );
}

#[test]
fn bad_heads_get_precise_answers() {
    let targets = targets_file(
        "exporter-heads",
        &[format!("127.0.0.1:{} localhost", dead_port())],
    );
    let exporter = exporter(&targets, &[]);
    let port = exporter.port;
    let status_line = |request: &[u8]| {
        let (_, head, _) = http(port, request);
        head.lines().next().unwrap().to_string()
    };
    // 431: a head past 8 KiB, and one of too many fields.
    let mut huge = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 20 * 1024));
    huge.extend_from_slice(b"\r\n\r\n");
    assert_eq!(
        status_line(&huge),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let many = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
        "A: b\r\n".repeat(40)
    );
    assert_eq!(
        status_line(many.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // A head dripped a byte at a time is still judged on its whole: 431 at the cap.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut sent = 0;
    for byte in huge.iter().take(9000) {
        if stream.write_all(std::slice::from_ref(byte)).is_err() {
            break;
        }
        sent += 1;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 431 "),
        "after {sent} bytes: {answer}"
    );
    // 505 for HTTP/2 with prior knowledge, 400 for what is not HTTP, 405 with Allow.
    assert_eq!(
        status_line(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        "HTTP/1.1 505 HTTP Version Not Supported"
    );
    assert_eq!(status_line(b"NONSENSE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
    let (status, head, _) = http(port, b"DELETE /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(status, 405);
    assert!(head.contains("\r\nAllow: GET, HEAD\r\n"), "{head}");
    // Queries.
    for (path, expected) in [
        ("/probe?target=a&target=b", 400),
        ("/probe?target=%ff", 400),
        ("/probe?target=a+b", 400),
        ("/probe?target=127.0.0.1:0", 400),
        ("/probe?target=example.com&servername=a/b", 400),
        ("/probe?target=example.com", 403),
        ("/nothing", 404),
    ] {
        assert_eq!(http_get(port, path).0, expected, "{path}");
    }
}

/// The recording rules that give ssl_exporter's OCSP names to ours pass `promtool check
/// rules` and their unit tests, the runbook shows them word for word, and every metric of ours
/// they read is one `tls --prometheus` writes.
#[test]
fn the_ssl_exporter_recording_rules_pass_promtool_and_read_real_metrics() {
    require("openssl", &["version"], "openssl");
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/");
    promtool(&["check", "rules", &format!("{docs}ssl_exporter.rules.yml")]);
    promtool(&[
        "test",
        "rules",
        &format!("{docs}ssl_exporter.rules.test.yml"),
    ]);
    let text = runbook_shows("ssl_exporter.rules.yml", "tests/cli_exporter.rs");

    // Every ocsp_probe_* name the rules read, in a real exposition with a revoked staple.
    let (good, revoked) = (
        SServer::start(Some(&staple("good"))),
        SServer::start(Some(&staple("revoked"))),
    );
    let output = run(&[
        "tls",
        &good.target(),
        &revoked.target(),
        "--servername",
        "localhost",
        "--ca",
        &root(),
        "--at",
        NOW,
        "--prometheus",
    ]);
    let exposition = stdout(&output);
    promtool_check_metrics(&exposition);
    let written: Vec<String> = parse_exposition(&exposition)
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut read: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("ocsp_probe_"))
        .collect();
    read.sort_unstable();
    read.dedup();
    assert!(read.len() >= 6, "{read:?}");
    for name in read {
        assert!(
            written.iter().any(|w| w == name),
            "{name} is not written by tls --prometheus"
        );
    }
}
