//! The stapler (feature `stapler`) over real parts: a throwaway PKI made by the openssl CLI, a
//! real `openssl ocsp` responder on loopback behind a front whose behaviour each test switches
//! (forward, down, silent, slow, canned bytes), a rustls TLS server on loopback whose
//! certificate resolver is the stapler, and two real clients: a rustls client with this
//! crate's `OcspStapleVerifier`, and `openssl s_client -status`.
//!
//! Time is the test's: the stapler reads manual clocks (wall time, which the rustls client
//! reads too, and monotonic time), and each test moves them and calls `refresh_due` at the
//! instants it chooses, so nothing waits for a schedule. The tests that use openssl fail (they
//! do not skip) when the openssl CLI is missing.

#![cfg(feature = "stapler")]
// Test code: a panic is a failed test. clippy.toml exempts `#[test]` functions from the
// restriction lints; this exempts the helpers beside them as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::der_builder::{self as der, P256Key};
use common::stapling::{Clocks, DAY, at, craft, exact_backoff, simulate};
use ocsp_verify::fetch::{BadAnswer, FetchError, Fetcher, NotKept, RefreshSchedule, Unreachable};
use ocsp_verify::stapling::{
    AnswerOrigin as Origin, BuildError as StaplerError, StapleError, StapleEvent, StapleEventKind,
    StapledCertificate, Stapler, StaplerBuilder, StateFileProblem,
};
use ocsp_verify::{
    CertStatus, Certificate, Error, Issuer, METRICS_CONTENT_TYPE, OcspOutcome, OcspStapleVerifier,
    Policy, ResponderAuthorization, RevocationReason, Situation, Structure, UnixTime, Verifier,
};
use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::ResolvesServerCertUsingSni;
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, ClientConfig, ClientConnection, ProtocolVersion, RootCertStore, ServerConfig,
    ServerConnection,
};
use support::{GOOD_SERIAL, Pki, REVOKED_SERIAL, Responder, UNKNOWN_SERIAL};

/// A second serial the responder knows as good (added to the index by [`World::new`]).
const SECOND_GOOD_SERIAL: &str = "1004";

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3];

// ---------------------------------------------------------------------------------------------
// Time.

fn plus(time: UnixTime, secs: u64) -> UnixTime {
    at(time.as_secs() + secs)
}

fn minus(time: UnixTime, secs: u64) -> UnixTime {
    at(time.as_secs() - secs)
}

// ---------------------------------------------------------------------------------------------
// The world: PKI, responder, front, clock, and the clients.

fn require_openssl() {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        ok,
        "these tests need the openssl command-line tool (the Debian package `openssl`)"
    );
}

/// A leaf certificate for `NAME.test`, its chain and key.
struct Leaf {
    name: String,
    der: Vec<u8>,
    certified: Arc<CertifiedKey>,
}

impl Leaf {
    fn serial(&self) -> Vec<u8> {
        Certificate::from_der(&self.der).unwrap().serial().to_vec()
    }

    fn stapled(&self, label: &str) -> StapledCertificate {
        StapledCertificate::new(Arc::clone(&self.certified)).with_label(label)
    }
}

struct World {
    pki: Pki,
    responder: Responder,
    front: Front,
    clock: Clocks,
    provider: Arc<CryptoProvider>,
    events: Arc<Mutex<Vec<StapleEvent>>>,
}

impl World {
    fn new(name: &str) -> Self {
        require_openssl();
        let pki = Pki::new(name);
        let index = pki.dir.join("index.txt");
        let mut entries = fs::read_to_string(&index).unwrap();
        entries.push_str(&format!(
            "V\t301231235959Z\t\t{SECOND_GOOD_SERIAL}\tunknown\t/CN=beta.test\n"
        ));
        fs::write(&index, entries).unwrap();
        let responder = Responder::start(&pki);
        let front = Front::start(Mode::Forward(responder.port));
        Self {
            pki,
            front,
            responder,
            // A minute ahead of the real clock: the certificates the test makes next are
            // valid from the real now (and the real responder's answers too).
            clock: Clocks::starting_at(plus(UnixTime::now(), 60)),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            events: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A leaf for `NAME.test` (a server certificate) whose AIA names the front.
    fn leaf(&self, name: &str, serial: &str, extensions: &[&str]) -> Leaf {
        let san = format!("subjectAltName=DNS:{name}.test");
        let mut all = vec![san.as_str(), "extendedKeyUsage=serverAuth"];
        all.extend_from_slice(extensions);
        let der = self.pki.leaf_with(name, serial, &[&self.front.url()], &all);
        let key = PrivateKeyDer::from_pem_file(self.pki.dir.join(format!("{name}.key"))).unwrap();
        let key = self.provider.key_provider.load_private_key(key).unwrap();
        let chain = vec![
            CertificateDer::from(der.clone()),
            CertificateDer::from(self.pki.ca_der()),
        ];
        Leaf {
            name: format!("{name}.test"),
            der,
            certified: Arc::new(CertifiedKey::new(chain, key)),
        }
    }

    /// A stapler builder on the test's clocks, fetching with one-second timeouts, without
    /// jitter (so every instant is exact), recording every event.
    fn builder(&self) -> StaplerBuilder {
        let events = Arc::clone(&self.events);
        let fetcher = Fetcher::new(Verifier::new(
            self.provider.signature_verification_algorithms.all,
        ))
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(1));
        self.clock
            .stapler(Stapler::builder(Arc::clone(&self.provider)))
            .with_fetcher(fetcher)
            .with_schedule(RefreshSchedule::new().with_jitter_percent(0))
            .with_backoff(exact_backoff(60, 3600))
            .with_observer(move |event| events.lock().unwrap().push(event.clone()))
    }

    /// The events since the last call.
    fn events(&self) -> Vec<StapleEventKind> {
        std::mem::take(&mut *self.events.lock().unwrap())
            .into_iter()
            .map(|event| event.kind().clone())
            .collect()
    }

    /// A TLS 1.2 and 1.3 server on loopback whose resolver is `stapler`.
    fn serve(&self, stapler: &Arc<Stapler>) -> TlsServer {
        let config = ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(stapler.clone());
        TlsServer::start(Arc::new(config))
    }

    /// A full handshake with a rustls client that checks the staple with `policy`, on the
    /// test's clock.
    fn rustls(
        &self,
        server: &TlsServer,
        name: &str,
        version: ProtocolVersion,
        policy: Policy,
    ) -> Handshake {
        let seen: Arc<Mutex<Option<OcspOutcome>>> = Arc::new(Mutex::new(None));
        let log = Arc::clone(&seen);
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(self.pki.ca_der())).unwrap();
        let verifier =
            OcspStapleVerifier::webpki_builder(Arc::new(roots), Arc::clone(&self.provider), policy)
                .with_verdict_cache_capacity(0)
                .with_observer(move |outcome| *log.lock().unwrap() = Some(outcome.clone()))
                .build()
                .unwrap();
        let versions: &[&rustls::SupportedProtocolVersion] = match version {
            ProtocolVersion::TLSv1_2 => &[&rustls::version::TLS12],
            _ => &[&rustls::version::TLS13],
        };
        let mut config = ClientConfig::builder_with_details(
            Arc::clone(&self.provider),
            Arc::new(self.clock.wall.clone()),
        )
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
        config.resumption = Resumption::disabled();
        let name = ServerName::try_from(name.to_string()).unwrap();
        let mut connection = ClientConnection::new(Arc::new(config), name).unwrap();
        let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut error = None;
        while connection.is_handshaking() {
            if let Err(failure) = connection.complete_io(&mut socket) {
                error = Some(rustls_error(failure));
                break;
            }
        }
        if error.is_none() {
            assert_eq!(connection.protocol_version(), Some(version));
            connection.send_close_notify();
            let _ = connection.complete_io(&mut socket);
        }
        let outcome = seen.lock().unwrap().take();
        Handshake {
            outcome: outcome
                .unwrap_or_else(|| panic!("the verifier saw no chain to check: {error:?}")),
            error,
        }
    }

    /// `openssl s_client -status` against `server`, asking for `name`, with `version_flag`
    /// (`-tls1_2` or `-tls1_3`).
    fn s_client(&self, server: &TlsServer, name: &str, version_flag: &str) -> SClient {
        let connect = format!("127.0.0.1:{}", server.port);
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect", &connect, "-servername", name])
            .args(["-status", version_flag, "-CAfile", "ca.pem"])
            .current_dir(&self.pki.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // End of input: s_client closes the connection once the handshake is done.
        drop(child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("openssl s_client did not finish");
            }
            thread::sleep(Duration::from_millis(10));
        }
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let protocol = match version_flag {
            "-tls1_2" => "TLSv1.2",
            _ => "TLSv1.3",
        };
        assert!(
            stdout.contains(&format!("New, {protocol}, Cipher is")),
            "no {protocol} handshake:\n{stdout}"
        );
        assert!(
            stdout.contains("Verify return code: 0 (ok)"),
            "the chain did not verify:\n{stdout}"
        );
        let value = |prefix: &str| {
            stdout
                .lines()
                .find_map(|line| line.trim().strip_prefix(prefix))
                .map(|rest| rest.trim().to_string())
        };
        SClient {
            no_response: stdout.contains("OCSP response: no response sent"),
            response_status: value("OCSP Response Status:"),
            cert_status: value("Cert Status:"),
            output: stdout,
        }
    }

    /// What the real responder says about `leaf`, fetched directly.
    fn real_response(&self, leaf: &Leaf) -> Vec<u8> {
        let ca = self.pki.ca_der();
        let issuer = Issuer::from(&Certificate::from_der(&ca).unwrap());
        let cert = Certificate::from_der(&leaf.der).unwrap();
        Fetcher::new(Verifier::new(
            self.provider.signature_verification_algorithms.all,
        ))
        .with_responder_url(Some(&self.responder.url()))
        .fetch(&cert, &issuer, None, self.clock.now())
        .unwrap()
        .into_der()
    }

    /// An answer about `leaf` signed by `key` in the CA's name, with the given times.
    fn crafted(
        &self,
        leaf: &Leaf,
        status: der::Status,
        this_update: UnixTime,
        next_update: Option<UnixTime>,
        key: &P256Key,
    ) -> Vec<u8> {
        let ca = self.pki.ca_der();
        let ca = Certificate::from_der(&ca).unwrap();
        let cert = Certificate::from_der(&leaf.der).unwrap();
        craft(&cert, &ca, status, this_update, next_update, key)
    }

    fn ca_key(&self) -> P256Key {
        P256Key::from_pkcs8_pem(&fs::read_to_string(self.pki.dir.join("ca.key")).unwrap())
    }
}

fn rustls_error(error: io::Error) -> rustls::Error {
    let inner = error
        .into_inner()
        .unwrap_or_else(|| panic!("an I/O error, not a TLS one"));
    match inner.downcast::<rustls::Error>() {
        Ok(error) => *error,
        Err(other) => panic!("not a rustls error: {other}"),
    }
}

/// How a rustls handshake ended, and what the client's verifier decided.
struct Handshake {
    error: Option<rustls::Error>,
    outcome: OcspOutcome,
}

/// Accepted, with a staple that verified as good, whose thisUpdate is `this_update`.
#[track_caller]
fn assert_stapled_good(handshake: &Handshake, this_update: UnixTime) {
    assert_eq!(handshake.error, None);
    assert!(handshake.outcome.stapled());
    assert_eq!(handshake.outcome.decision().situation(), Situation::Good);
    let answer = handshake.outcome.answer().unwrap();
    assert_eq!(answer.status(), CertStatus::Good);
    assert_eq!(answer.this_update(), this_update);
}

/// Refused by a hard-fail client for having no staple.
#[track_caller]
fn assert_unstapled(handshake: &Handshake) {
    assert_eq!(
        handshake.error,
        Some(rustls::Error::InvalidCertificate(
            CertificateError::InvalidOcspResponse
        ))
    );
    assert!(!handshake.outcome.stapled());
    assert_eq!(
        handshake.outcome.decision().situation(),
        Situation::NoStaple
    );
}

/// What `openssl s_client -status` printed about the staple.
struct SClient {
    no_response: bool,
    response_status: Option<String>,
    cert_status: Option<String>,
    output: String,
}

impl SClient {
    #[track_caller]
    fn assert_status(&self, status: &str) {
        assert!(!self.no_response, "{}", self.output);
        assert_eq!(
            self.response_status.as_deref(),
            Some("successful (0x0)"),
            "{}",
            self.output
        );
        assert_eq!(self.cert_status.as_deref(), Some(status), "{}", self.output);
    }

    #[track_caller]
    fn assert_unstapled(&self) {
        assert!(self.no_response, "{}", self.output);
        assert_eq!(self.cert_status, None, "{}", self.output);
    }
}

fn only<T>(items: Vec<T>) -> T {
    assert_eq!(items.len(), 1);
    items.into_iter().next().unwrap()
}

/// An HTTP answer with `status`, a content type, and `body`.
fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn ocsp_http(body: &[u8]) -> Vec<u8> {
    http("200 OK", "application/ocsp-response", body)
}

// ---------------------------------------------------------------------------------------------
// The front: what the certificates' AIA names, switched between behaviours.

/// What the front does with each request.
#[derive(Clone, Debug)]
enum Mode {
    /// Passes it to the responder on this port, and its answer back.
    Forward(u16),
    /// Not listening: connections are refused.
    Down,
    /// Reads the request and says nothing.
    Silent,
    /// Like `Forward`, after this delay.
    Slow(Duration, u16),
    /// Answers these bytes.
    Canned(Vec<u8>),
}

/// A loopback HTTP front whose behaviour the test switches; it stops on drop.
struct Front {
    port: u16,
    mode: Arc<Mutex<(Mode, u64)>>,
    applied: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Front {
    fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let front = Self {
            port,
            mode: Arc::new(Mutex::new((mode, 0))),
            applied: Arc::new(AtomicU64::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (modes, applied, stop) = (
            Arc::clone(&front.mode),
            Arc::clone(&front.applied),
            Arc::clone(&front.stop),
        );
        thread::spawn(move || {
            let mut listener = Some(listener);
            listener.as_ref().unwrap().set_nonblocking(true).unwrap();
            let mut seen = 0;
            while !stop.load(Ordering::SeqCst) {
                let (mode, generation) = modes.lock().unwrap().clone();
                if generation != seen {
                    match (&mode, &listener) {
                        (Mode::Down, Some(_)) => listener = None,
                        (Mode::Down, None) => {}
                        (_, None) => {
                            let bound = TcpListener::bind(("127.0.0.1", port)).unwrap();
                            bound.set_nonblocking(true).unwrap();
                            listener = Some(bound);
                        }
                        (_, Some(_)) => {}
                    }
                    seen = generation;
                    applied.store(generation, Ordering::SeqCst);
                }
                match listener.as_ref().map(TcpListener::accept) {
                    Some(Ok((stream, _))) => {
                        let stop = Arc::clone(&stop);
                        thread::spawn(move || answer(stream, mode, &stop));
                    }
                    _ => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        front
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Switches the behaviour; returns once the front has switched.
    fn set(&self, mode: Mode) {
        let generation = {
            let mut current = self.mode.lock().unwrap();
            *current = (mode, current.1 + 1);
            current.1
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.applied.load(Ordering::SeqCst) < generation {
            assert!(Instant::now() < deadline, "the front did not switch");
            thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn answer(stream: TcpStream, mode: Mode, stop: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut stream = stream;
    let Some(request) = read_message(&mut stream) else {
        return;
    };
    let sleep = |length: Duration| {
        let until = Instant::now() + length;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10));
        }
    };
    let bytes = match mode {
        Mode::Forward(port) => forward(port, &request),
        Mode::Slow(delay, port) => {
            let bytes = forward(port, &request);
            sleep(delay);
            bytes
        }
        Mode::Silent => {
            sleep(Duration::from_secs(30));
            return;
        }
        Mode::Canned(bytes) => bytes,
        Mode::Down => return,
    };
    let _ = stream.write_all(&bytes);
}

/// One HTTP message: the head, and a body of the length it declares.
fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut reader = BufReader::new(stream);
    let mut message = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
        message.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    message.extend_from_slice(&body);
    Some(message)
}

fn forward(port: u16, request: &[u8]) -> Vec<u8> {
    let mut upstream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    upstream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    upstream.write_all(request).unwrap();
    read_message(&mut upstream).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The TLS server.

/// A rustls server on loopback; stops accepting on drop.
struct TlsServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl TlsServer {
    fn start(config: Arc<ServerConfig>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let config = Arc::clone(&config);
                        thread::spawn(move || serve_tls(stream, config));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self { port, stop }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One connection: the handshake, then waits for the client to close.
fn serve_tls(stream: TcpStream, config: Arc<ServerConfig>) {
    let mut stream = stream;
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut connection = ServerConnection::new(config).unwrap();
    while connection.is_handshaking() {
        if connection.complete_io(&mut stream).is_err() {
            return;
        }
    }
    let mut buffer = [0; 512];
    let _ = rustls::Stream::new(&mut connection, &mut stream).read(&mut buffer);
    connection.send_close_notify();
    let _ = connection.complete_io(&mut stream);
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn a_good_staple_is_served_from_the_first_handshake_after_the_fetch() {
    let w = World::new("stapler-good");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let stapler = w
        .builder()
        .with_certificate(good.stapled("good"))
        .build()
        .unwrap();
    let server = w.serve(&stapler);

    // Nothing fetched yet: no staple, which a hard-fail client refuses, and s_client notes.
    for version in VERSIONS {
        assert_unstapled(&w.rustls(&server, &good.name, version, Policy::hard_fail()));
    }
    w.s_client(&server, &good.name, "-tls1_3")
        .assert_unstapled();
    assert_eq!(w.events(), []);

    let now = w.clock.now();
    let due = stapler.refresh_due();
    let snapshot = only(stapler.snapshots());
    let answer = snapshot.answer().expect("a staple");
    let this_update = answer.this_update();
    let next_update = answer.next_update().unwrap();
    assert_eq!(answer.status(), CertStatus::Good);
    assert_eq!(answer.responder(), ResponderAuthorization::Delegated);
    // `openssl ocsp -nmin 60`: an hour.
    assert_eq!(next_update.as_secs() - this_update.as_secs(), 3600);
    // Half-way through it (this test's schedule has no jitter).
    assert_eq!(snapshot.next_refresh(), plus(this_update, 1800));
    assert_eq!(
        due,
        Duration::from_secs(this_update.as_secs() + 1800 - now.as_secs())
    );
    assert_eq!(snapshot.stapled_until(), Some(next_update));
    assert_eq!(
        snapshot.time_to_next_update(),
        Some(Duration::from_secs(next_update.as_secs() - now.as_secs()))
    );
    assert_eq!(
        (
            snapshot.fetches(),
            snapshot.failures(),
            snapshot.failures_in_a_row()
        ),
        (1, 0, 0)
    );
    assert_eq!(snapshot.last_error(), None);
    assert_eq!(snapshot.responder_url(), Some(w.front.url().as_str()));
    assert_eq!(snapshot.serial(), good.serial());
    assert_eq!(
        w.events(),
        [StapleEventKind::Good {
            answer,
            origin: Origin::Responder,
            changed: true
        }]
    );

    // The first handshakes after the fetch are stapled: both clients, both versions.
    for version in VERSIONS {
        assert_stapled_good(
            &w.rustls(&server, &good.name, version, Policy::hard_fail()),
            this_update,
        );
    }
    for flag in ["-tls1_2", "-tls1_3"] {
        w.s_client(&server, &good.name, flag).assert_status("good");
    }
    let snapshot = only(stapler.snapshots());
    assert_eq!(
        (
            snapshot.stapled_handshakes(),
            snapshot.unstapled_handshakes()
        ),
        (4, 3)
    );

    // Nothing is due before half-way; at half-way the answer is refreshed.
    w.clock.advance(60);
    assert_eq!(stapler.refresh_due(), due - Duration::from_secs(60));
    assert_eq!(only(stapler.snapshots()).fetches(), 1);
    w.clock.set(plus(this_update, 1800));
    let next_due = stapler.refresh_due();
    let snapshot = only(stapler.snapshots());
    let renewed = snapshot.answer().unwrap();
    assert_eq!(snapshot.fetches(), 2);
    assert_eq!(
        snapshot.next_refresh(),
        plus(w.clock.now(), next_due.as_secs())
    );
    if renewed.this_update() == this_update {
        // The responder (on the real clock, a few seconds on) signed with the same
        // thisUpdate: nothing newer, kept as it was, asked again half-way through what remains.
        assert_eq!(renewed, answer);
        assert_eq!(next_due, Duration::from_secs(900));
        assert_eq!(
            w.events(),
            [StapleEventKind::Good {
                answer,
                origin: Origin::Responder,
                changed: false
            }]
        );
    } else {
        assert!(renewed.this_update() > this_update);
        assert_eq!(
            w.events(),
            [StapleEventKind::Good {
                answer: renewed,
                origin: Origin::Responder,
                changed: true
            }]
        );
    }
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ),
        renewed.this_update(),
    );
}

#[test]
fn revoked_is_stapled_and_reported_unknown_is_not() {
    let w = World::new("stapler-revoked");
    let revoked = w.leaf("revoked", REVOKED_SERIAL, &[]);
    let unknown = w.leaf("unknown", UNKNOWN_SERIAL, &[]);
    let now = w.clock.now();

    // Revoked: stapled, so that clients learn it, and reported loudly.
    let stapler = w
        .builder()
        .with_certificate(revoked.stapled("revoked"))
        .build()
        .unwrap();
    stapler.refresh_due();
    let revocation = CertStatus::Revoked {
        time: at(1_735_689_600), // 2025-01-01T00:00:00Z, as index.txt says
        reason: Some(RevocationReason::KeyCompromise),
    };
    let events = w.events.lock().unwrap().clone();
    let event = only(events);
    match event.kind() {
        StapleEventKind::Revoked {
            answer,
            origin: Origin::Responder,
            changed: true,
        } => assert_eq!(answer.status(), revocation),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        event.to_string(),
        "revoked: REVOKED: the certificate was revoked at 2025-01-01T00:00:00Z (keyCompromise); \
         stapling the revoked answer (from the responder) so that clients learn it: replace \
         the certificate"
    );
    w.events();
    assert_eq!(only(stapler.snapshots()).status(), Some(revocation));
    let server = w.serve(&stapler);
    for version in VERSIONS {
        let handshake = w.rustls(&server, &revoked.name, version, Policy::hard_fail());
        assert_eq!(
            handshake.error,
            Some(rustls::Error::InvalidCertificate(CertificateError::Revoked))
        );
        assert!(handshake.outcome.stapled());
        assert_eq!(
            handshake.outcome.decision().situation(),
            Situation::Revoked {
                time: at(1_735_689_600),
                reason: Some(RevocationReason::KeyCompromise)
            }
        );
    }
    w.s_client(&server, &revoked.name, "-tls1_3")
        .assert_status("revoked");

    // Unknown: never stapled; retried after the backoff.
    let stapler = w
        .builder()
        .with_certificate(unknown.stapled("unknown"))
        .build()
        .unwrap();
    assert_eq!(stapler.refresh_due(), Duration::from_secs(60));
    assert_eq!(
        w.events(),
        [StapleEventKind::Refused {
            error: StapleError::Unknown,
            stapled_until: None
        }]
    );
    let snapshot = only(stapler.snapshots());
    assert_eq!(snapshot.status(), None);
    assert_eq!(snapshot.last_error(), Some(&StapleError::Unknown));
    assert_eq!(snapshot.last_error_time(), Some(now));
    assert_eq!((snapshot.fetches(), snapshot.failures()), (1, 1));
    // Another round before the retry is due serves nothing from what was kept either.
    assert_eq!(stapler.refresh_due(), Duration::from_secs(60));
    assert_eq!(w.events(), []);
    assert_eq!(only(stapler.snapshots()).status(), None);
    let server = w.serve(&stapler);
    for version in VERSIONS {
        assert_unstapled(&w.rustls(&server, &unknown.name, version, Policy::hard_fail()));
    }
    w.s_client(&server, &unknown.name, "-tls1_2")
        .assert_unstapled();
}

#[test]
fn forged_foreign_future_expired_or_older_answers_are_never_stapled() {
    let w = World::new("stapler-refused");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let revoked = w.leaf("revoked", REVOKED_SERIAL, &[]);
    let foreign = w.real_response(&revoked);
    let stapler = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_backoff(exact_backoff(10, 1000))
        .build()
        .unwrap();
    let server = w.serve(&stapler);
    stapler.refresh_due();
    let first = only(stapler.snapshots()).answer().unwrap();
    let (this_update, next_update) = (first.this_update(), first.next_update().unwrap());
    w.events();

    let (ca, forger) = (w.ca_key(), P256Key::from_scalar(&[7; 32]));
    let url = w.front.url();
    let invalid = |error| {
        StapleError::Fetch(FetchError::InvalidResponse {
            url: url.clone(),
            error,
        })
    };
    // Half-way, then each failure's backoff later: 10, 20, 40, 80, 160 seconds.
    let mut now = plus(this_update, 1800);
    let mut backoff = 10;
    type Case<'a> = (
        &'a str,
        Box<dyn Fn(UnixTime) -> (Vec<u8>, StapleError) + 'a>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "forged: the CA's name, another key",
            Box::new(|now| {
                let bytes = w.crafted(
                    &good,
                    der::Status::Good,
                    minus(now, 60),
                    Some(plus(now, 3600)),
                    &forger,
                );
                (bytes, invalid(Error::InvalidSignature))
            }),
        ),
        (
            "foreign: about another certificate",
            Box::new(|_| (foreign.clone(), invalid(Error::NoMatchingResponse))),
        ),
        (
            "future: thisUpdate an hour ahead",
            Box::new(|now| {
                let bytes = w.crafted(
                    &good,
                    der::Status::Good,
                    plus(now, 3600),
                    Some(plus(now, 7200)),
                    &ca,
                );
                let error = Error::ResponseNotYetValid {
                    time: now,
                    not_before: plus(now, 3600),
                };
                (bytes, invalid(error))
            }),
        ),
        (
            "expired: nextUpdate an hour ago",
            Box::new(|now| {
                let bytes = w.crafted(
                    &good,
                    der::Status::Good,
                    minus(now, 7200),
                    Some(minus(now, 3600)),
                    &ca,
                );
                let error = Error::ResponseExpired {
                    time: now,
                    not_after: minus(now, 3600),
                };
                (bytes, invalid(error))
            }),
        ),
        (
            "unknown",
            Box::new(|now| {
                let bytes = w.crafted(
                    &good,
                    der::Status::Unknown,
                    minus(now, 60),
                    Some(plus(now, 3600)),
                    &ca,
                );
                (bytes, StapleError::Unknown)
            }),
        ),
    ];
    for (failures, (case, make)) in (1..).zip(cases) {
        let (bytes, expected) = make(now);
        w.front.set(Mode::Canned(ocsp_http(&bytes)));
        w.clock.set(now);
        assert_eq!(
            stapler.refresh_due(),
            Duration::from_secs(backoff),
            "{case}"
        );
        assert_eq!(
            w.events(),
            [StapleEventKind::Refused {
                error: expected.clone(),
                stapled_until: Some(next_update)
            }],
            "{case}"
        );
        // The first answer is still what every handshake gets.
        let snapshot = only(stapler.snapshots());
        assert_eq!(snapshot.answer(), Some(first), "{case}");
        assert_eq!(snapshot.last_error(), Some(&expected), "{case}");
        assert_eq!(snapshot.failures_in_a_row(), failures, "{case}");
        assert_stapled_good(
            &w.rustls(
                &server,
                &good.name,
                ProtocolVersion::TLSv1_3,
                Policy::hard_fail(),
            ),
            this_update,
        );
        now = plus(now, backoff);
        backoff *= 2;
    }
    w.s_client(&server, &good.name, "-tls1_2")
        .assert_status("good");

    // Older than the answer stapled (a responder behind a stale cache): refused, but the
    // responder did answer: nothing newer, so half of what remains, not a backoff.
    let older = w.crafted(
        &good,
        der::Status::Good,
        minus(this_update, 60),
        Some(plus(this_update, 3000)),
        &ca,
    );
    w.front.set(Mode::Canned(ocsp_http(&older)));
    w.clock.set(now);
    let remaining = next_update.as_secs() - now.as_secs();
    assert_eq!(stapler.refresh_due(), Duration::from_secs(remaining / 2));
    match &w.events()[..] {
        [
            StapleEventKind::Refused {
                error: StapleError::NotKept(NotKept::Older { offered, kept }),
                stapled_until: Some(until),
            },
        ] => {
            assert_eq!(offered.this_update(), minus(this_update, 60));
            assert_eq!(*kept, first);
            assert_eq!(*until, next_update);
        }
        other => panic!("{other:?}"),
    }
    let snapshot = only(stapler.snapshots());
    assert_eq!(snapshot.answer(), Some(first));
    assert_eq!((snapshot.failures(), snapshot.failures_in_a_row()), (5, 0));

    // The responder is itself again: a newer answer replaces the first.
    w.front.set(Mode::Forward(w.responder.port));
    w.clock.advance(remaining / 2);
    stapler.refresh_due();
    let snapshot = only(stapler.snapshots());
    assert!(snapshot.this_update().unwrap() >= this_update);
    assert_eq!(snapshot.failures_in_a_row(), 0);
    assert_eq!(snapshot.failures(), 5);
    assert_eq!(snapshot.fetches(), 8);
}

#[test]
fn a_failing_responder_keeps_the_staple_until_next_update_then_none_until_it_is_back() {
    let w = World::new("stapler-down");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let stapler = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_backoff(exact_backoff(10, 100))
        .build()
        .unwrap();
    let server = w.serve(&stapler);
    stapler.refresh_due();
    let first = only(stapler.snapshots()).answer().unwrap();
    let (this_update, next_update) = (first.this_update(), first.next_update().unwrap());
    w.events();

    type Check = fn(&StapleError) -> bool;
    let cases: [(&str, Mode, Check); 5] = [
        ("down", Mode::Down, |error| {
            matches!(
                error,
                StapleError::Fetch(FetchError::Unreachable {
                    reason: Unreachable::Connect(_),
                    ..
                })
            )
        }),
        ("silent", Mode::Silent, |error| {
            matches!(
                error,
                StapleError::Fetch(FetchError::Unreachable {
                    reason: Unreachable::Timeout,
                    ..
                })
            )
        }),
        (
            "slow: three seconds, past the one-second timeout",
            Mode::Slow(Duration::from_secs(3), w.responder.port),
            |error| {
                matches!(
                    error,
                    StapleError::Fetch(FetchError::Unreachable {
                        reason: Unreachable::Timeout,
                        ..
                    })
                )
            },
        ),
        (
            "garbage",
            Mode::Canned(ocsp_http(b"garbage, not DER")),
            |error| {
                matches!(
                    error,
                    StapleError::Fetch(FetchError::BadAnswer {
                        reason: BadAnswer::Malformed(Error::BadDer(Structure::OcspResponse)),
                        ..
                    })
                )
            },
        ),
        (
            "HTTP 500",
            Mode::Canned(http("500 Internal Server Error", "text/plain", b"oops")),
            |error| {
                matches!(
                    error,
                    StapleError::Fetch(FetchError::Unreachable {
                        reason: Unreachable::ServerError(500),
                        ..
                    })
                )
            },
        ),
    ];
    let mut now = plus(this_update, 1800);
    for ((case, mode, check), backoff) in cases.into_iter().zip([10, 20, 40, 80, 100]) {
        w.front.set(mode);
        w.clock.set(now);
        let started = Instant::now();
        assert_eq!(
            stapler.refresh_due(),
            Duration::from_secs(backoff),
            "{case}"
        );
        // Silent and slow cost the fetch timeout, and not much more.
        assert!(started.elapsed() < Duration::from_secs(3), "{case}");
        match &w.events()[..] {
            [
                StapleEventKind::Refused {
                    error,
                    stapled_until: Some(until),
                },
            ] => {
                assert!(check(error), "{case}: {error}");
                assert_eq!(*until, next_update, "{case}");
                assert!(
                    error.to_string().contains(&w.front.url()),
                    "{case}: {error}"
                );
            }
            other => panic!("{case}: {other:?}"),
        }
        assert_stapled_good(
            &w.rustls(
                &server,
                &good.name,
                ProtocolVersion::TLSv1_2,
                Policy::hard_fail(),
            ),
            this_update,
        );
        now = plus(now, backoff);
    }
    assert_eq!(only(stapler.snapshots()).failures_in_a_row(), 5);

    // Still down. The staple is served until nextUpdate and not a second longer, whether or
    // not anyone calls refresh_due: the handshake path checks the time itself.
    w.front.set(Mode::Down);
    w.clock.set(minus(next_update, 1));
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ),
        this_update,
    );
    w.s_client(&server, &good.name, "-tls1_3")
        .assert_status("good");
    w.clock.set(next_update);
    for version in VERSIONS {
        assert_unstapled(&w.rustls(&server, &good.name, version, Policy::hard_fail()));
    }
    w.s_client(&server, &good.name, "-tls1_2")
        .assert_unstapled();
    stapler.refresh_due();
    match &w.events()[..] {
        [
            StapleEventKind::Expired { not_after },
            StapleEventKind::Refused {
                error: StapleError::Fetch(FetchError::Unreachable { .. }),
                stapled_until: None,
            },
        ] => assert_eq!(*not_after, next_update),
        other => panic!("{other:?}"),
    }
    let snapshot = only(stapler.snapshots());
    assert_eq!(snapshot.status(), None);
    assert!(!stapler.ready() || !snapshot.is_must_staple());

    // The responder comes back: restarted, with answers valid for two hours (the test's clock
    // is now an hour ahead of the real one, which the new answers start from).
    let back = Responder::start_with_validity(&w.pki, 120);
    w.front.set(Mode::Forward(back.port));
    let retry = snapshot.next_refresh();
    assert_eq!(retry, plus(next_update, 100));
    w.clock.set(retry);
    stapler.refresh_due();
    let snapshot = only(stapler.snapshots());
    let renewed = snapshot.answer().expect("stapled again");
    assert_eq!(renewed.status(), CertStatus::Good);
    assert!(renewed.this_update() > this_update);
    assert!(matches!(
        &w.events()[..],
        [StapleEventKind::Good {
            origin: Origin::Responder,
            changed: true,
            ..
        }]
    ));
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ),
        renewed.this_update(),
    );
    w.s_client(&server, &good.name, "-tls1_3")
        .assert_status("good");
}

#[test]
fn a_restarted_server_staples_from_its_first_handshake_with_the_responder_down() {
    let w = World::new("stapler-restart");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let dir = support::scratch_dir("stapler-state");
    let state = dir.join("ocsp");
    let first = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_state_dir(&state)
        .build()
        .unwrap();
    let now = w.clock.now();
    first.refresh_due();
    let answer = only(first.snapshots()).answer().unwrap();
    let path = match &w.events()[..] {
        [
            StapleEventKind::Good { .. },
            StapleEventKind::Saved { path },
        ] => path.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(path.parent(), Some(state.as_path()));
    // One file, no temporary left behind.
    assert_eq!(fs::read_dir(&state).unwrap().count(), 1);
    drop(first);

    // The responder goes down; the server restarts.
    w.front.set(Mode::Down);
    let second = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_state_dir(&state)
        .build()
        .unwrap();
    assert_eq!(
        w.events(),
        [StapleEventKind::Good {
            answer,
            origin: Origin::StateDir,
            changed: true
        }]
    );
    let server = w.serve(&second);
    // Its very first handshakes are stapled, before any refresh.
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ),
        answer.this_update(),
    );
    w.s_client(&server, &good.name, "-tls1_2")
        .assert_status("good");
    let snapshot = only(second.snapshots());
    assert_eq!(snapshot.fetches(), 0);
    // Refreshed promptly (within the schedule's minimum interval, at a random instant), not
    // half-way through a window that began before the restart.
    let prompt = snapshot.next_refresh();
    assert!(
        prompt > now && prompt < plus(now, 60),
        "{prompt:?} after {now:?}"
    );
    // Its first refresh fails; the saved answer stays.
    w.clock.set(prompt);
    second.refresh_due();
    assert!(matches!(
        &w.events()[..],
        [StapleEventKind::Refused {
            error: StapleError::Fetch(FetchError::Unreachable { .. }),
            stapled_until: Some(until),
        }] if *until == answer.next_update().unwrap()
    ));
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_2,
            Policy::hard_fail(),
        ),
        answer.this_update(),
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn state_files_that_do_not_verify_are_ignored_and_reported() {
    let w = World::new("stapler-state-files");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let revoked = w.leaf("revoked", REVOKED_SERIAL, &[]);
    let dir = support::scratch_dir("stapler-bad-state");
    let first = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_state_dir(&dir)
        .build()
        .unwrap();
    let start = w.clock.now();
    first.refresh_due();
    let answer = only(first.snapshots()).answer().unwrap();
    let next_update = answer.next_update().unwrap();
    let path = match &w.events()[..] {
        [
            StapleEventKind::Good { .. },
            StapleEventKind::Saved { path },
        ] => path.clone(),
        other => panic!("{other:?}"),
    };
    let saved = fs::read(&path).unwrap();
    drop(first);
    w.front.set(Mode::Down);

    // One signed digit of producedAt changed (the first GeneralizedTime of the response).
    let mut tampered = saved.clone();
    let produced_at = tampered
        .windows(2)
        .position(|pair| pair == [0x18, 0x0f])
        .unwrap();
    tampered[produced_at + 2 + 13] ^= 1;
    let unknown = w.crafted(
        &good,
        der::Status::Unknown,
        minus(start, 60),
        Some(plus(start, 3600)),
        &w.ca_key(),
    );
    let cases: Vec<(&str, Vec<u8>, UnixTime, StateFileProblem)> = vec![
        (
            "tampered",
            tampered,
            start,
            StateFileProblem::Invalid(Error::InvalidSignature),
        ),
        (
            "foreign",
            w.real_response(&revoked),
            start,
            StateFileProblem::Invalid(Error::NoMatchingResponse),
        ),
        (
            "corrupt",
            b"not an OCSP response".to_vec(),
            start,
            StateFileProblem::Invalid(Error::BadDer(Structure::OcspResponse)),
        ),
        (
            "truncated",
            saved[..saved.len() / 2].to_vec(),
            start,
            StateFileProblem::Invalid(Error::BadDer(Structure::OcspResponse)),
        ),
        (
            "oversized",
            vec![0x30; 64 * 1024 + 1],
            start,
            StateFileProblem::TooLarge(64 * 1024),
        ),
        ("unknown", unknown, start, StateFileProblem::UnknownStatus),
        (
            "stale: at nextUpdate",
            saved.clone(),
            next_update,
            StateFileProblem::Invalid(Error::ResponseExpired {
                time: next_update,
                not_after: next_update,
            }),
        ),
        (
            "stale: past nextUpdate and the clock skew",
            saved.clone(),
            plus(next_update, 3600),
            StateFileProblem::Invalid(Error::ResponseExpired {
                time: plus(next_update, 3600),
                not_after: next_update,
            }),
        ),
    ];
    for (case, bytes, now, problem) in cases {
        fs::write(&path, &bytes).unwrap();
        w.clock.set(now);
        let stapler = w
            .builder()
            .with_certificate(good.stapled("good"))
            .with_state_dir(&dir)
            .build()
            .unwrap();
        let expected = StapleError::StateFile {
            path: path.clone(),
            problem,
        };
        assert_eq!(
            w.events(),
            [StapleEventKind::Refused {
                error: expected.clone(),
                stapled_until: None
            }],
            "{case}"
        );
        let snapshot = only(stapler.snapshots());
        assert_eq!(snapshot.status(), None, "{case}");
        assert_eq!(snapshot.last_error(), Some(&expected), "{case}");
        // Due at once: the stapler asks the responder rather than wait.
        assert_eq!(snapshot.next_refresh(), now, "{case}");
        let server = w.serve(&stapler);
        assert_unstapled(&w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ));
    }
    // The good file, before its nextUpdate, is used (the wall clock back before it).
    fs::write(&path, &saved).unwrap();
    w.clock.jump_wall(minus(next_update, 1));
    let stapler = w
        .builder()
        .with_certificate(good.stapled("good"))
        .with_state_dir(&dir)
        .build()
        .unwrap();
    assert_eq!(only(stapler.snapshots()).answer(), Some(answer));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wait_ready_returns_once_the_must_staple_certificate_has_a_good_staple() {
    let w = World::new("stapler-must-staple");
    let strict = w.leaf("strict", GOOD_SERIAL, &["tlsfeature=status_request"]);
    assert!(Certificate::from_der(&strict.der).unwrap().is_must_staple());
    w.front.set(Mode::Down);
    let stapler = w
        .builder()
        .with_certificate(strict.stapled("strict"))
        .build()
        .unwrap();
    let server = w.serve(&stapler);
    assert!(!stapler.ready());
    let started = Instant::now();
    let error = stapler.wait_ready(Duration::from_millis(150)).unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(error.pending(), ["strict"]);
    let now = w.clock.now();
    stapler.refresh_due();
    assert!(!stapler.ready());
    // Without a staple even a soft-fail client refuses a must-staple certificate.
    let handshake = w.rustls(
        &server,
        &strict.name,
        ProtocolVersion::TLSv1_3,
        Policy::soft_fail(),
    );
    assert_eq!(
        handshake.error,
        Some(rustls::Error::InvalidCertificate(
            CertificateError::InvalidOcspResponse
        ))
    );

    // A waiter; then the responder is back and the retry staples.
    let waiter = {
        let stapler = Arc::clone(&stapler);
        thread::spawn(move || {
            let result = stapler.wait_ready(Duration::from_secs(30));
            let status = only(stapler.snapshots()).status();
            (result, Instant::now(), status)
        })
    };
    thread::sleep(Duration::from_millis(100));
    assert!(!waiter.is_finished());
    w.front.set(Mode::Forward(w.responder.port));
    let retry = plus(now, 60);
    w.clock.set(retry);
    let refreshing = Instant::now();
    stapler.refresh_due();
    let (result, returned, status) = waiter.join().unwrap();
    assert_eq!(result, Ok(()));
    assert!(returned >= refreshing);
    assert_eq!(status, Some(CertStatus::Good));
    assert!(stapler.ready());
    let this_update = only(stapler.snapshots()).this_update().unwrap();
    for policy in [Policy::soft_fail(), Policy::hard_fail()] {
        assert_stapled_good(
            &w.rustls(&server, &strict.name, ProtocolVersion::TLSv1_2, policy),
            this_update,
        );
    }
}

#[test]
fn the_refresh_thread_staples_and_stops_cleanly() {
    let w = World::new("stapler-thread");
    let strict = w.leaf("strict", GOOD_SERIAL, &["tlsfeature=status_request"]);
    let stapler = w
        .builder()
        .with_certificate(strict.stapled("strict"))
        .build()
        .unwrap();
    let thread = stapler.spawn_refresh_thread().unwrap();
    assert_eq!(stapler.wait_ready(Duration::from_secs(20)), Ok(()));
    let snapshot = only(stapler.snapshots());
    assert_eq!(snapshot.status(), Some(CertStatus::Good));
    assert_eq!(snapshot.fetches(), 1);
    let stopping = Instant::now();
    thread.shutdown().unwrap();
    assert!(stopping.elapsed() < Duration::from_secs(2));
}

#[test]
fn two_certificates_behind_sni_each_get_their_own_staple() {
    let w = World::new("stapler-sni");
    let alpha = w.leaf("alpha", GOOD_SERIAL, &[]);
    let beta = w.leaf("beta", SECOND_GOOD_SERIAL, &[]);
    // Served by the inner resolver, not stapled for.
    let gamma = w.leaf("gamma", "1005", &[]);
    let mut sni = ResolvesServerCertUsingSni::new();
    for leaf in [&alpha, &beta, &gamma] {
        sni.add(&leaf.name, CertifiedKey::clone(&leaf.certified))
            .unwrap();
    }
    let stapler = w
        .builder()
        .with_resolver(Arc::new(sni))
        .with_certificate(alpha.stapled("alpha"))
        .with_certificate(beta.stapled("beta"))
        .build()
        .unwrap();
    stapler.refresh_due();
    let snapshots = stapler.snapshots();
    assert_eq!(
        snapshots
            .iter()
            .map(|s| (s.certificate(), s.status()))
            .collect::<Vec<_>>(),
        [
            ("alpha", Some(CertStatus::Good)),
            ("beta", Some(CertStatus::Good))
        ]
    );
    let server = w.serve(&stapler);
    for (leaf, snapshot) in [(&alpha, &snapshots[0]), (&beta, &snapshots[1])] {
        assert_eq!(snapshot.serial(), leaf.serial());
        for version in VERSIONS {
            // The client checks the staple against the certificate it got: a staple about the
            // other certificate would be refused (NoMatchingResponse).
            let handshake = w.rustls(&server, &leaf.name, version, Policy::hard_fail());
            assert_stapled_good(&handshake, snapshot.this_update().unwrap());
            assert_eq!(handshake.outcome.serial(), Some(&leaf.serial()[..]));
        }
        w.s_client(&server, &leaf.name, "-tls1_3")
            .assert_status("good");
    }
    let handshake = w.rustls(
        &server,
        &gamma.name,
        ProtocolVersion::TLSv1_3,
        Policy::hard_fail(),
    );
    assert_unstapled(&handshake);
    assert_eq!(handshake.outcome.serial(), Some(&gamma.serial()[..]));
}

#[test]
fn metrics_in_the_prometheus_text_format() {
    let w = World::new("stapler-metrics");
    let good = w.leaf("good", GOOD_SERIAL, &[]);
    let stapler = w
        .builder()
        .with_certificate(good.stapled("good"))
        .build()
        .unwrap();
    let server = w.serve(&stapler);
    stapler.refresh_due();
    assert_stapled_good(
        &w.rustls(
            &server,
            &good.name,
            ProtocolVersion::TLSv1_3,
            Policy::hard_fail(),
        ),
        only(stapler.snapshots()).this_update().unwrap(),
    );
    let answer = only(stapler.snapshots()).answer().unwrap();
    let (this_update, next_update) = (
        answer.this_update().as_secs(),
        answer.next_update().unwrap().as_secs(),
    );
    w.front.set(Mode::Down);
    let half_way = at(this_update + 1800);
    w.clock.set(half_way);
    stapler.refresh_due();

    let mut text = String::new();
    stapler.encode_metrics(&mut text).unwrap();
    let now = half_way.as_secs();
    let expected = [
        "# HELP ocsp_staple_status The status stapled now: 1 for it, 0 for the others (none: no staple).".to_string(),
        "# TYPE ocsp_staple_status gauge".to_string(),
        r#"ocsp_staple_status{certificate="good",status="good"} 1"#.to_string(),
        r#"ocsp_staple_status{certificate="good",status="revoked"} 0"#.to_string(),
        r#"ocsp_staple_status{certificate="good",status="none"} 0"#.to_string(),
        r#"ocsp_staple_must_staple{certificate="good"} 0"#.to_string(),
        format!(r#"ocsp_staple_this_update_timestamp_seconds{{certificate="good"}} {this_update}"#),
        format!(r#"ocsp_staple_next_update_timestamp_seconds{{certificate="good"}} {next_update}"#),
        format!(
            r#"ocsp_staple_time_to_next_update_seconds{{certificate="good"}} {}"#,
            next_update - now
        ),
        format!(r#"ocsp_staple_stapled_until_timestamp_seconds{{certificate="good"}} {next_update}"#),
        format!(
            r#"ocsp_staple_next_refresh_timestamp_seconds{{certificate="good"}} {}"#,
            now + 60
        ),
        "# TYPE ocsp_staple_fetches_total counter".to_string(),
        r#"ocsp_staple_fetches_total{certificate="good"} 2"#.to_string(),
        r#"ocsp_staple_fetch_failures_total{certificate="good"} 1"#.to_string(),
        r#"ocsp_staple_failures_in_a_row{certificate="good"} 1"#.to_string(),
        r#"ocsp_staple_contradictions_total{certificate="good"} 0"#.to_string(),
        format!(
            r#"ocsp_staple_last_error_timestamp_seconds{{certificate="good",error="unreachable"}} {now}"#
        ),
        r#"ocsp_staple_handshakes_total{certificate="good",stapled="true"} 1"#.to_string(),
        r#"ocsp_staple_handshakes_total{certificate="good",stapled="false"} 0"#.to_string(),
        "# TYPE ocsp_stapler_ready gauge".to_string(),
        "ocsp_stapler_ready 1".to_string(),
        "ocsp_stapler_observer_panics_total 0".to_string(),
    ];
    for line in &expected {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    // Every sample is NAME{LABELS} VALUE or NAME VALUE, and every name is documented.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').unwrap();
        let name = name.split('{').next().unwrap();
        assert!(name.starts_with("ocsp_staple"), "{line}");
        value.parse::<i64>().unwrap();
        let docs = include_str!("../src/stapling/metrics.rs");
        assert!(
            docs.contains(&format!("`{name}`")),
            "{name} is not in the table of src/stapling/metrics.rs"
        );
    }
    assert_eq!(
        METRICS_CONTENT_TYPE,
        "text/plain; version=0.0.4; charset=utf-8"
    );

    // The same figures through an application's own registry.
    let mut registry = prometheus_client::registry::Registry::default();
    stapler.register_metrics(&mut registry);
    let mut own = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut own, &registry).unwrap();
    assert_eq!(own, text);
}

#[test]
fn chains_are_checked_when_the_stapler_is_built() {
    // No openssl needed: the committed TLS test PKI.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls =
        |name: &str| CertificateDer::from(common::read(format!("generated/pki/tls/{name}.der")));
    let key = |name: &str| {
        let path = common::vectors().join(format!("generated/pki/tls/{name}.key"));
        provider
            .key_provider
            .load_private_key(PrivateKeyDer::from_pem_file(path).unwrap())
            .unwrap()
    };
    let certified = |chain: Vec<CertificateDer<'static>>| {
        StapledCertificate::new(Arc::new(CertifiedKey::new(chain, key("tls-server"))))
    };
    let build = |certificates: Vec<StapledCertificate>| {
        certificates
            .into_iter()
            .fold(Stapler::builder(Arc::clone(&provider)), |b, c| {
                b.with_certificate(c)
            })
            .build()
    };
    assert!(matches!(build(vec![]), Err(StaplerError::NoCertificates)));
    // Labelled by the serial in hexadecimal unless given a label.
    let serial: String = Certificate::from_der(&tls("tls-server"))
        .unwrap()
        .serial()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert!(matches!(
        build(vec![certified(vec![tls("tls-server")])]),
        Err(StaplerError::MissingIssuer { label }) if label == serial
    ));
    // The issuer given must be the certificate's: its name, and its key.
    assert!(matches!(
        build(vec![certified(vec![tls("tls-server"), tls("tls-root")])]),
        Err(StaplerError::WrongIssuer { .. })
    ));
    assert!(matches!(
        build(vec![certified(vec![
            tls("tls-server"),
            tls("tls-int-impostor")
        ])]),
        Err(StaplerError::WrongIssuer { .. })
    ));
    // A chain of one, with the issuer given apart.
    build(vec![
        certified(vec![tls("tls-server")]).with_issuer(tls("tls-int")),
    ])
    .unwrap();
    assert!(matches!(
        build(vec![
            certified(vec![tls("tls-server"), tls("tls-int")]).with_label("a"),
            certified(vec![tls("tls-server"), tls("tls-int")]).with_label("b"),
        ]),
        Err(StaplerError::DuplicateCertificate { label }) if label == "b"
    ));
    assert!(matches!(
        build(vec![certified(vec![])]),
        Err(StaplerError::EmptyChain { .. })
    ));
    assert!(matches!(
        build(vec![certified(vec![
            CertificateDer::from(vec![0x30, 0x00]),
            tls("tls-int")
        ])]),
        Err(StaplerError::Certificate {
            error: Error::BadDer(_),
            ..
        })
    ));
    // A state directory that cannot be made.
    let scratch = support::scratch_dir("stapler-not-a-dir");
    let file = scratch.join("file");
    fs::write(&file, b"").unwrap();
    let error = Stapler::builder(Arc::clone(&provider))
        .with_certificate(certified(vec![tls("tls-server"), tls("tls-int")]))
        .with_state_dir(file.join("state"))
        .build()
        .unwrap_err();
    assert!(matches!(error, StaplerError::StateDir { .. }), "{error}");
    fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn a_simulated_week_of_seven_day_answers_signed_every_four_days() {
    // Without jitter: the first answer at once; half-way through it (3.5 days) the CA still
    // hands out the same one, so half of what remains (1.75 days) later; by then (5.25 days)
    // the CA has signed the next one (at 4 days), due for refresh half-way, at 7.5 days.
    let fetches = simulate(7, RefreshSchedule::new().with_jitter_percent(0), 0);
    let half = DAY / 2;
    assert_eq!(
        fetches,
        [(0, 0), (3 * DAY + half, 0), (5 * DAY + DAY / 4, 4 * DAY),]
    );
    // With the default jitter (up to 20 % earlier), three or four fetches a week.
    for seed in 0..20 {
        let fetches = simulate(7, RefreshSchedule::new(), seed);
        assert!((3..=4).contains(&fetches.len()), "{seed}: {fetches:?}");
        assert!(
            fetches.windows(2).all(|w| w[1].0 - w[0].0 >= DAY),
            "{seed}: {fetches:?}"
        );
    }
}
