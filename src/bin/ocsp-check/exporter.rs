//! `ocsp-check exporter`: a Prometheus exporter that probes the servers of `--targets` when it
//! is scraped: `/metrics` for all of them, `/probe?target=HOST:PORT[&servername=NAME]` for one,
//! as Prometheus' blackbox exporter does.
//!
//! The HTTP server is std's, and small on purpose: one thread a connection, no body read,
//! `Connection: close` always. What it reads is parsed in `http_request` (head, target, `Host`,
//! query); how connections are kept so that idle ones cannot starve a scrape is in
//! `connections`; one probe per target at a time and the bounded results are in `probe_cache`.
//! The answers: 200; 400 for a request or a query it cannot read; 403 for a `/probe` target that
//! is not in `--targets` (unless `--allow-any-target`: an exporter that connects anywhere it is
//! told to is a server-side request forgery tool, a port scanner for whoever can reach it); 404
//! for an unknown path; 405 for a method other than GET and HEAD; 408 for a head that took too
//! long; 421 for a host this exporter does not answer for (DNS rebinding); 431 for a head too
//! large; 503 when every answering slot is taken, or to a waiting connection shed to make room;
//! 505 for an HTTP version other than 1.0 and 1.1.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use http::StatusCode;

use crate::Exit;
use crate::connections::{self, Gate, Waiter};
use crate::families::{Family, Value};
use crate::http_request::{self, Hosts, Refusal, Request};
use crate::metrics;
use crate::probe_cache::{self, ProbeCache};
use crate::report;
use crate::targets::{self, Target};
use crate::tls::{self, ProbeOptions, Settings};

pub(crate) const LONG_ABOUT: &str = "\
Serve Prometheus metrics about the OCSP staples of the servers in --targets, probed when \
scraped (as `tls --prometheus` writes them): GET /metrics probes every target (in a pool of \
--concurrency, each within --timeout), GET /probe?target=HOST:PORT[&servername=NAME] probes one, \
as Prometheus' blackbox exporter does. One probe of a target runs at a time: requests for a \
target being probed wait for that probe and share its result. Results are kept for \
--cache-seconds, shorter than a scrape interval, so that two Prometheus servers scraping the same \
exporter do not probe twice.

/probe only probes the targets listed in --targets (the same HOST[:PORT] as written there), \
and answers 403 for any other: an exporter that connects wherever a URL tells it to is a \
server-side request forgery tool (a port scanner of the exporter's network for anyone who can \
reach it). --allow-any-target lifts that, for an exporter only Prometheus can reach; the results \
of such targets are bounded by --cache-size.

Requests must name this exporter in their Host: its address as the client reached it (an IP \
literal), localhost when that address is a loopback one, or a name given with --allow-host; any \
other host is refused with 421 Misdirected Request. This is the defence against DNS rebinding, \
in which a web page in a browser on the same machine reads the exporter through a name it \
controls that resolves to the exporter's address. Scraped by a name (a DNS name, a Kubernetes \
service), name it with --allow-host.

Idle connections cannot starve a scrape: each has 3 s to send its request head; one address \
keeps at most 16 connections waiting for theirs, and a new one sheds the oldest rather than \
being refused; requests that arrive complete have 64 slots of their own.

Keep --timeout below Prometheus' scrape_timeout (10 s by default): a target that does not \
answer holds the scrape for that long.";

pub(crate) const EXAMPLE: &str = "\
Example:
  ocsp-check exporter --listen 127.0.0.1:9916 --targets /etc/ocsp-check/targets --timeout 5
  curl -s http://127.0.0.1:9916/metrics
  curl -s 'http://localhost:9916/probe?target=example.com:443'

  # Scraped as ocsp-exporter.internal:9916 from another machine:
  ocsp-check exporter --listen 0.0.0.0:9916 --targets /etc/ocsp-check/targets \\
      --allow-host ocsp-exporter.internal

It prints one line on stdout once listening (`listening on http://ADDR/`), and runs until \
stopped. Exit status: 4 when it cannot start (the address, the targets, the roots).";

/// The longest `--cache-seconds`: an hour.
const MAX_CACHE_SECONDS: u64 = 3600;

/// Arguments of `exporter`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The address to listen on, as IP:PORT (127.0.0.1:0 picks a free port and prints it).
    #[arg(long, value_name = "ADDR")]
    listen: SocketAddr,
    /// The servers to probe: one `HOST[:PORT] [SERVERNAME]` a line, `#` comments and blank
    /// lines allowed; /probe refuses any other.
    #[arg(long, value_name = "FILE")]
    targets: PathBuf,
    /// Seconds a probe's result is served again before the target is probed anew (0: every
    /// scrape probes).
    #[arg(long = "cache-seconds", value_name = "SECONDS", default_value_t = 10,
        value_parser = cache_seconds)]
    cache_seconds: u64,
    /// The most results kept for targets not in --targets (/probe with --allow-any-target);
    /// the oldest goes first. The targets of --targets keep theirs.
    #[arg(long = "cache-size", value_name = "N",
        default_value_t = probe_cache::DEFAULT_CACHE_SIZE, value_parser = probe_cache::cache_size)]
    cache_size: usize,
    /// Let /probe probe any HOST:PORT it is given, not only those of --targets (see above: only
    /// where nobody but Prometheus can reach the exporter).
    #[arg(long = "allow-any-target")]
    allow_any_target: bool,
    /// A host name (or address) requests may name in their Host besides the listening address
    /// (and localhost on loopback); repeat for several. Others get 421: the defence against DNS
    /// rebinding.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    #[command(flatten)]
    probe: ProbeOptions,
}

fn cache_seconds(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(seconds) if seconds <= MAX_CACHE_SECONDS => Ok(seconds),
        Ok(_) => Err(format!(
            "more than {MAX_CACHE_SECONDS} seconds (an hour): staples would be judged on old news"
        )),
        Err(_) => Err(format!("`{value}` is not a whole number of seconds")),
    }
}

/// Runs the exporter until the process is stopped; returns only when it cannot start.
pub(crate) fn run(args: &Args) -> Exit {
    let fail = |message: String| {
        eprintln!("error: {message}");
        Exit::Usage
    };
    let targets = match targets::read_file(&args.targets) {
        Ok(targets) => targets,
        Err(error) => return fail(error.to_string()),
    };
    let hosts = match Hosts::new(&args.allow_host) {
        Ok(hosts) => hosts,
        Err(message) => return fail(message),
    };
    let settings = match args.probe.settings(None) {
        Ok(settings) => settings,
        Err(error) => return fail(error.to_string()),
    };
    let listener = match TcpListener::bind(args.listen) {
        Ok(listener) => listener,
        Err(error) => return fail(format!("cannot listen on {}: {error}", args.listen)),
    };
    let address = listener.local_addr().unwrap_or(args.listen);
    report::stdout(&format!(
        "listening on http://{address}/ ({} targets; /metrics, /probe?target=HOST:PORT)\n",
        targets.len()
    ));
    let exporter = Arc::new(Exporter {
        targets,
        settings,
        concurrency: args.probe.concurrency,
        allow_any_target: args.allow_any_target,
        hosts,
        cache: ProbeCache::new(Duration::from_secs(args.cache_seconds), args.cache_size),
        cache_size: args.cache_size,
        gate: Gate::new(),
    });
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => exporter.accept(stream),
            // Out of file descriptors, or a connection reset before it was accepted: wait a
            // little rather than spin.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
    Exit::Usage
}

struct Exporter {
    targets: Vec<Target>,
    settings: Settings,
    concurrency: usize,
    allow_any_target: bool,
    hosts: Hosts,
    cache: ProbeCache<metrics::Probe>,
    cache_size: usize,
    gate: Arc<Gate<TcpStream>>,
}

/// An HTTP answer.
struct Response {
    status: StatusCode,
    content_type: &'static str,
    body: String,
}

impl Response {
    fn text(status: StatusCode, body: impl Into<String>) -> Self {
        let mut body = body.into();
        body.push('\n');
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }

    fn metrics(body: String) -> Self {
        Self {
            status: StatusCode::OK,
            content_type: metrics::CONTENT_TYPE,
            body,
        }
    }

    /// Writes the answer (its head only for HEAD) within [`connections::WRITE_DEADLINE`].
    fn write(&self, stream: &mut TcpStream, head_only: bool) {
        let mut extra = String::new();
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            extra.push_str("Allow: GET, HEAD\r\n");
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            extra.push_str("Retry-After: 1\r\n");
        }
        let mut bytes = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}\
             Connection: close\r\n\r\n",
            self.status.as_str(),
            self.status.canonical_reason().unwrap_or_default(),
            self.content_type,
            self.body.len()
        );
        if !head_only {
            bytes.push_str(&self.body);
        }
        let deadline = Instant::now() + connections::WRITE_DEADLINE;
        let _ = connections::write_by(stream, bytes.as_bytes(), deadline);
    }
}

impl From<Refusal> for Response {
    fn from(refusal: Refusal) -> Self {
        Self::text(refusal.status, refusal.message)
    }
}

impl Exporter {
    /// Counts a new connection as waiting (shedding an older one if need be) and serves it on
    /// a thread of its own.
    fn accept(self: &Arc<Self>, stream: TcpStream) {
        let accepted = Instant::now();
        let (Ok(peer), Ok(local), Ok(wake)) =
            (stream.peer_addr(), stream.local_addr(), stream.try_clone())
        else {
            return;
        };
        let waiter = self.gate.admit(peer.ip(), wake);
        let exporter = Arc::clone(self);
        // A thread that cannot start drops the connection, and its waiter gives up its place.
        let _ = thread::Builder::new().name("http".into()).spawn(move || {
            exporter.serve(stream, waiter, accepted, local);
        });
    }

    /// Reads one request, answers it, closes.
    fn serve(
        &self,
        mut stream: TcpStream,
        waiter: Waiter<TcpStream>,
        accepted: Instant,
        local: SocketAddr,
    ) {
        let deadline = accepted + connections::HEAD_DEADLINE;
        let request = match connections::read_head(&mut stream, deadline, &waiter) {
            Ok(request) => request,
            Err(refusal) => {
                Response::from(refusal).write(&mut stream, false);
                return;
            }
        };
        let _answering = match waiter.answer() {
            Ok(answering) => answering,
            Err(refusal) => {
                Response::from(refusal).write(&mut stream, request.head_only());
                return;
            }
        };
        let response = self
            .hosts
            .check(&request, local)
            .and_then(|()| http_request::check_method(&request))
            .map_or_else(Response::from, |()| self.route(&request));
        response.write(&mut stream, request.head_only());
    }

    fn route(&self, request: &Request) -> Response {
        match request.path.as_str() {
            "/" => Response::text(
                StatusCode::OK,
                format!(
                    "ocsp-check exporter: /metrics probes the {} targets of --targets, \
                     /probe?target=HOST:PORT[&servername=NAME] one of them",
                    self.targets.len()
                ),
            ),
            "/metrics" => {
                let probes = self.scrape();
                Response::metrics(metrics::encode_with(&probes, self.figures().families()))
            }
            "/probe" => match self.probe_query(request.query.as_deref().unwrap_or_default()) {
                Ok((target, listed)) => {
                    Response::metrics(metrics::encode(&[self.probe(&target, listed)]))
                }
                Err(refusal) => refusal.into(),
            },
            path => Response::text(
                StatusCode::NOT_FOUND,
                format!("{path}: not found (try /metrics or /probe)"),
            ),
        }
    }

    /// The target of a `/probe` query, if it may be probed, and whether it is listed.
    fn probe_query(&self, query: &str) -> Result<(Target, bool), Refusal> {
        let asked = http_request::probe_query(query)?;
        let listed = self.targets.iter().find(|t| {
            t.server == asked.server
                && asked
                    .servername
                    .as_ref()
                    .is_none_or(|n| t.servername.as_ref() == Some(n))
        });
        match (listed, self.allow_any_target) {
            (Some(listed), _) => Ok((listed.clone(), true)),
            (None, true) => Ok((asked, false)),
            (None, false) => Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!(
                    "{}{}: not in --targets; this exporter probes only those (an open prober is \
                     a request forgery tool; --allow-any-target lifts this)",
                    asked.server,
                    asked
                        .servername
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
            )),
        }
    }

    /// One target's figures: a fresh result, the result of the probe in flight, or a new probe.
    fn probe(&self, target: &Target, listed: bool) -> metrics::Probe {
        let counted = self.cache.get(target, listed, || {
            tls::probe(target, &self.settings).metrics
        });
        let mut probe = counted.result;
        probe.probes_total = Some(counted.probes);
        probe
    }

    /// Every target's figures, probed in the pool where no fresh result is kept.
    fn scrape(&self) -> Vec<metrics::Probe> {
        targets::pooled(&self.targets, self.concurrency, |target| {
            self.probe(target, true)
        })
    }

    fn figures(&self) -> ExporterFigures {
        ExporterFigures {
            cache_entries: self.cache.len(),
            cache_size: self.cache_size,
            waiting: self.gate.waiting(),
            shed: self.gate.shed_total(),
            refused: self.gate.refused_total(),
        }
    }
}

/// The exporter's own figures, on `/metrics` after the targets'.
#[derive(Debug)]
struct ExporterFigures {
    cache_entries: usize,
    cache_size: usize,
    waiting: usize,
    shed: u64,
    refused: u64,
}

impl ExporterFigures {
    /// The exporter's own families, after the probes'.
    fn families(&self) -> Vec<Family> {
        let gauges = [
            (
                "ocsp_exporter_cache_entries",
                "Probe results kept now (one per target of --targets, and at most --cache-size \
                 others).",
                self.cache_entries,
            ),
            (
                "ocsp_exporter_cache_size",
                "--cache-size: the most results kept for targets not in --targets.",
                self.cache_size,
            ),
            (
                "ocsp_exporter_connections_waiting",
                "Connections accepted that have not sent a complete request head yet.",
                self.waiting,
            ),
        ];
        let counters = [
            (
                "ocsp_exporter_connections_shed",
                "Waiting connections closed to make room for newer ones, since the start.",
                self.shed,
            ),
            (
                "ocsp_exporter_requests_refused",
                "Complete requests told 503, every answering slot being taken, since the start.",
                self.refused,
            ),
        ];
        let gauges = gauges.map(|(name, help, n)| Family::gauge(name, help).of(Value::count(n)));
        let counters =
            counters.map(|(name, help, n)| Family::counter(name, help).of(Value::Counter(n)));
        gauges.into_iter().chain(counters).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_settings() {
        assert!(cache_seconds("3601").is_err());
        assert_eq!(cache_seconds("0"), Ok(0));
        assert_eq!(probe_cache::cache_size("1"), Ok(1));
        assert!(probe_cache::cache_size("0").is_err());
        assert!(probe_cache::cache_size("100001").is_err());
    }

    #[test]
    fn answers_carry_canonical_reasons() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        Response::text(StatusCode::MISDIRECTED_REQUEST, "no").write(&mut server, false);
        Response::text(StatusCode::METHOD_NOT_ALLOWED, "no").write(&mut server, true);
        drop(server);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut client, &mut text).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 3\r\nConnection: close\r\n\r\nno\n\
             HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 3\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n"
        );
    }
}
