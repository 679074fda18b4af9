//! `ocsp-check exporter`: a Prometheus exporter that probes the servers of `--targets` when it
//! is scraped: `/metrics` for all of them, `/probe?target=HOST:PORT[&servername=NAME]` for one,
//! as Prometheus' blackbox exporter does.
//!
//! The HTTP server is std's, and small on purpose: one thread a connection, at most
//! [`MAX_CONNECTIONS`] at once (more are told 503), a request head of at most
//! [`MAX_REQUEST_HEAD`] bytes read within [`READ_DEADLINE`] (a client that drips bytes is cut
//! off), no body read, `Connection: close` always. GET and HEAD only (405 otherwise), 404 for
//! an unknown path, 400 for a request or a query it cannot read, 403 for a `/probe` target that
//! is not in `--targets` (unless `--allow-any-target`): an exporter that connects anywhere it
//! is told to is a server-side request forgery tool, a port scanner for whoever can reach it.

use std::collections::HashMap;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::Exit;
use crate::metrics;
use crate::report;
use crate::targets::{self, Target};
use crate::tls::{self, ProbeOptions, Settings};

pub(crate) const LONG_ABOUT: &str = "\
Serve Prometheus metrics about the OCSP staples of the servers in --targets, probed when \
scraped (as `tls --prometheus` writes them): GET /metrics probes every target (in a pool of \
--concurrency, each within --timeout), GET /probe?target=HOST:PORT[&servername=NAME] probes one, \
as Prometheus' blackbox exporter does. Results are kept for --cache-seconds, shorter than a \
scrape interval, so that two Prometheus servers scraping the same exporter do not probe twice.

/probe only probes the targets listed in --targets (the same HOST[:PORT] as written there), \
and answers 403 for any other: an exporter that connects wherever a URL tells it to is a \
server-side request forgery tool (a port scanner of the exporter's network for anyone who can \
reach it). --allow-any-target lifts that, for an exporter only Prometheus can reach.

Keep --timeout below Prometheus' scrape_timeout (10 s by default): a target that does not \
answer holds the scrape for that long.";

pub(crate) const EXAMPLE: &str = "\
Example:
  ocsp-check exporter --listen 127.0.0.1:9916 --targets /etc/ocsp-check/targets --timeout 5
  curl -s http://127.0.0.1:9916/metrics
  curl -s 'http://127.0.0.1:9916/probe?target=example.com:443'

It prints one line on stdout once listening (`listening on http://ADDR/`), and runs until \
stopped. Exit status: 4 when it cannot start (the address, the targets, the roots).";

/// The most connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 32;

/// The most bytes of a request head (request line and headers).
pub(crate) const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// The time a client has to send its request head.
pub(crate) const READ_DEADLINE: Duration = Duration::from_secs(5);

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
    /// Let /probe probe any HOST:PORT it is given, not only those of --targets (see above: only
    /// where nobody but Prometheus can reach the exporter).
    #[arg(long = "allow-any-target")]
    allow_any_target: bool,
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
    let targets = match targets::read_file(&args.targets, |server| {
        tls::split_host_port(server).map(|_| ())
    }) {
        Ok(targets) => targets,
        Err(error) => return fail(error.to_string()),
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
        cache_for: Duration::from_secs(args.cache_seconds),
        allow_any_target: args.allow_any_target,
        cache: Mutex::new(HashMap::new()),
        refreshing: Mutex::new(()),
        connections: AtomicUsize::new(0),
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

/// A probe's figures and when they were taken.
struct Cached {
    at: Instant,
    probe: metrics::Probe,
    probes: u64,
}

struct Exporter {
    targets: Vec<Target>,
    settings: Settings,
    concurrency: usize,
    cache_for: Duration,
    allow_any_target: bool,
    cache: Mutex<HashMap<Target, Cached>>,
    /// Held by a `/metrics` scrape while it probes, so that two at once probe once.
    refreshing: Mutex<()>,
    connections: AtomicUsize,
}

/// A mutex's guard, poisoned or not: the data (figures) is valid either way.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts a connection while it is served.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An HTTP answer.
struct Response {
    status: u16,
    content_type: &'static str,
    body: String,
    allow: bool,
}

impl Response {
    fn text(status: u16, body: impl Into<String>) -> Self {
        let mut body = body.into();
        body.push('\n');
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
            allow: false,
        }
    }

    fn metrics(body: String) -> Self {
        Self {
            status: 200,
            content_type: metrics::CONTENT_TYPE,
            body,
            allow: false,
        }
    }

    fn write(&self, stream: &mut TcpStream, head_only: bool) {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "",
        };
        let allow = if self.allow {
            "Allow: GET, HEAD\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{allow}\
             Connection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        if !head_only {
            let _ = stream.write_all(self.body.as_bytes());
        }
        let _ = stream.flush();
    }
}

impl Exporter {
    fn accept(self: &Arc<Self>, mut stream: TcpStream) {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        if self.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            self.connections.fetch_sub(1, Ordering::SeqCst);
            Response::text(503, "too many connections at once").write(&mut stream, false);
            return;
        }
        let exporter = Arc::clone(self);
        let spawned = thread::Builder::new().name("http".into()).spawn(move || {
            let _slot = Slot(&exporter.connections);
            exporter.serve(stream);
        });
        if spawned.is_err() {
            self.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Reads one request, answers it, closes.
    fn serve(&self, mut stream: TcpStream) {
        let head = match read_head(&mut stream) {
            Ok(head) => head,
            Err(response) => {
                response.write(&mut stream, false);
                return;
            }
        };
        let mut parts = head.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            Response::text(400, "not an HTTP request line").write(&mut stream, false);
            return;
        };
        if !version.starts_with("HTTP/1.") {
            Response::text(400, "HTTP/1.0 or HTTP/1.1 only").write(&mut stream, false);
            return;
        }
        let head_only = method == "HEAD";
        let response = if method == "GET" || head_only {
            self.route(target)
        } else {
            Response {
                allow: true,
                ..Response::text(405, format!("{method}: only GET and HEAD"))
            }
        };
        response.write(&mut stream, head_only);
    }

    fn route(&self, target: &str) -> Response {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        match path {
            "/" => Response::text(
                200,
                format!(
                    "ocsp-check exporter: /metrics probes the {} targets of --targets, \
                     /probe?target=HOST:PORT[&servername=NAME] one of them",
                    self.targets.len()
                ),
            ),
            "/metrics" => Response::metrics(metrics::encode(&self.scrape())),
            "/probe" => match self.probe_query(query) {
                Ok(target) => Response::metrics(metrics::encode(&[self.probe(&target).0])),
                Err(response) => response,
            },
            _ => Response::text(404, format!("{path}: not found (try /metrics or /probe)")),
        }
    }

    /// The target of a `/probe` query, if it may be probed.
    fn probe_query(&self, query: &str) -> Result<Target, Response> {
        let bad = |message: String| Response::text(400, message);
        let (mut server, mut servername) = (None, None);
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value).map_err(bad)?;
            match key {
                "target" => server = Some(value),
                "servername" => servername = Some(value),
                // blackbox's `module`, and anything else: not ours to judge.
                _ => {}
            }
        }
        let server = server.ok_or_else(|| bad("/probe needs ?target=HOST:PORT".into()))?;
        tls::split_host_port(&server).map_err(bad)?;
        if let Some(name) = &servername
            && (name.is_empty() || name.len() > 253)
        {
            return Err(bad(format!("`{name}` is not a server name")));
        }
        let listed = self.targets.iter().find(|t| {
            t.server == server
                && servername
                    .as_ref()
                    .is_none_or(|n| t.servername.as_ref() == Some(n))
        });
        match (listed, self.allow_any_target) {
            (Some(listed), _) => Ok(Target {
                server,
                servername: servername.or_else(|| listed.servername.clone()),
            }),
            (None, true) => Ok(Target { server, servername }),
            (None, false) => Err(Response::text(
                403,
                format!(
                    "{server}{}: not in --targets; this exporter probes only those (an open \
                     prober is a request forgery tool; --allow-any-target lifts this)",
                    servername.map(|n| format!(" ({n})")).unwrap_or_default()
                ),
            )),
        }
    }

    /// One target's figures: from the cache while fresh, else probed now.
    fn probe(&self, target: &Target) -> (metrics::Probe, bool) {
        if let Some(cached) = self.cached(target) {
            return (cached, false);
        }
        let probe = tls::probe(target, &self.settings).metrics;
        (self.store(target, probe), true)
    }

    fn cached(&self, target: &Target) -> Option<metrics::Probe> {
        let cache = lock(&self.cache);
        let entry = cache.get(target)?;
        (entry.at.elapsed() < self.cache_for).then(|| with_total(entry))
    }

    fn store(&self, target: &Target, probe: metrics::Probe) -> metrics::Probe {
        let mut cache = lock(&self.cache);
        let probes = cache.get(target).map_or(0, |e| e.probes).saturating_add(1);
        let entry = Cached {
            at: Instant::now(),
            probe,
            probes,
        };
        let shown = with_total(&entry);
        cache.insert(target.clone(), entry);
        shown
    }

    /// Every target's figures, those not cached probed in the pool.
    fn scrape(&self) -> Vec<metrics::Probe> {
        let _one_at_a_time = lock(&self.refreshing);
        let cached: Vec<Option<metrics::Probe>> =
            self.targets.iter().map(|t| self.cached(t)).collect();
        let stale: Vec<&Target> = self
            .targets
            .iter()
            .zip(&cached)
            .filter(|(_, cached)| cached.is_none())
            .map(|(target, _)| target)
            .collect();
        let probed = targets::pooled(&stale, self.concurrency, |target| {
            tls::probe(target, &self.settings).metrics
        });
        let mut fresh = stale
            .iter()
            .zip(probed)
            .map(|(target, probe)| self.store(target, probe));
        cached
            .into_iter()
            .filter_map(|cached| cached.or_else(|| fresh.next()))
            .collect()
    }
}

/// The figures of a cache entry, with the count of its probes.
fn with_total(entry: &Cached) -> metrics::Probe {
    let mut probe = entry.probe.clone();
    probe.probes_total = Some(entry.probes);
    probe
}

/// The request line of a request whose head (up to the blank line) arrives within the
/// deadline and the size cap; the answer to give otherwise.
fn read_head(stream: &mut TcpStream) -> Result<String, Response> {
    let deadline = Instant::now() + READ_DEADLINE;
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            break;
        }
        if head.len() > MAX_REQUEST_HEAD {
            return Err(Response::text(
                431,
                format!("a request head is at most {MAX_REQUEST_HEAD} bytes"),
            ));
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Response::text(408, "the request took too long to arrive"));
        }
        let _ = stream.set_read_timeout(Some(remaining));
        match stream.read(&mut buffer) {
            Ok(0) => return Err(Response::text(400, "the request ended before its head did")),
            Ok(n) => head.extend_from_slice(buffer.get(..n).unwrap_or_default()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Response::text(408, "the request took too long to arrive"));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Response::text(400, "the request could not be read")),
        }
    }
    let text = String::from_utf8(head)
        .map_err(|_| Response::text(400, "the request head is not UTF-8"))?;
    let line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    Ok(line.to_string())
}

/// A query value with its `%XX` escapes (and `+` for a space) decoded.
fn percent_decode(value: &str) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut rest = value.bytes();
    while let Some(byte) = rest.next() {
        match byte {
            b'%' => {
                let digits = [rest.next(), rest.next()];
                let [Some(high), Some(low)] = digits else {
                    return Err(format!("`{value}`: a `%` without two hex digits"));
                };
                let hex = |digit: u8| char::from(digit).to_digit(16);
                let (Some(high), Some(low)) = (hex(high), hex(low)) else {
                    return Err(format!("`{value}`: a `%` without two hex digits"));
                };
                bytes.push(u8::try_from(high * 16 + low).unwrap_or(0));
            }
            b'+' => bytes.push(b' '),
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("`{value}` is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        assert_eq!(
            percent_decode("127.0.0.1%3A4433").unwrap(),
            "127.0.0.1:4433"
        );
        assert_eq!(percent_decode("%5B%3A%3A1%5D:443").unwrap(), "[::1]:443");
        assert_eq!(percent_decode("a+b").unwrap(), "a b");
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%ff").is_err());
        assert!(cache_seconds("3601").is_err());
        assert_eq!(cache_seconds("0"), Ok(0));
    }
}
