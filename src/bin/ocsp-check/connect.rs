//! One TLS handshake with rustls and the adapter (`OcspStapleVerifier`), over TCP, and what
//! happened: shared by `tls` (a real server) and `demo` (its own loopback server).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ocsp_verify::{OcspOutcome, OcspStapleVerifier, Policy, UnixTime};
use rustls::client::Resumption;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::time_provider::{DefaultTimeProvider, TimeProvider};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, DistinguishedName, ProtocolVersion,
    RootCertStore, ServerConfig, ServerConnection, SignatureScheme,
};

/// The roots the client trusts.
pub(crate) enum Roots {
    /// Root certificates read from `--ca` (or the demo's vectors).
    Certificates(Vec<CertificateDer<'static>>),
    /// The Mozilla roots of the `webpki-roots` crate, built in.
    WebPki,
}

/// A clock stopped at a given time (`--at`, and the demo's 2026-01-01T01:00:00Z).
#[derive(Debug)]
struct FixedTime(UnixTime);

impl TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.0)
    }
}

/// The ring provider: the one the `cli` feature builds rustls with.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What the server sent: its certificate, the intermediates, and the staple.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sent {
    pub(crate) end_entity: Vec<u8>,
    pub(crate) intermediates: Vec<Vec<u8>>,
    /// The stapled OCSP response; empty when none.
    pub(crate) staple: Vec<u8>,
}

/// The adapter, wrapped to remember what the server sent, so that the report can name the
/// certificate and judge the staple even when the chain was refused.
#[derive(Debug)]
struct Recorder {
    adapter: Arc<OcspStapleVerifier>,
    sent: Mutex<Option<Sent>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut slot) = self.sent.lock() {
            *slot = Some(Sent {
                end_entity: end_entity.to_vec(),
                intermediates: intermediates.iter().map(|der| der.to_vec()).collect(),
                staple: ocsp_response.to_vec(),
            });
        }
        self.adapter
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.adapter.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.adapter.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.adapter.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.adapter.root_hint_subjects()
    }
}

/// A rustls client whose certificate verifier is the adapter with `policy`.
pub(crate) struct Client {
    config: Arc<ClientConfig>,
    recorder: Arc<Recorder>,
    /// What the adapter's observer was told about the latest handshake.
    outcome: Arc<Mutex<Option<OcspOutcome>>>,
    /// The trust anchors, for judging a staple when the chain is refused.
    pub(crate) store: Arc<RootCertStore>,
}

impl Client {
    /// A client trusting `roots`, deciding with `policy`, at `at` (default: the system clock).
    pub(crate) fn new(roots: &Roots, policy: Policy, at: Option<UnixTime>) -> Result<Self, String> {
        let provider = provider();
        // The same trust anchors for the chain and for the staples: a staple for a certificate
        // issued directly by a root is checked against the root's name and key, whether the
        // root came from --ca or from webpki-roots.
        let store = match roots {
            Roots::Certificates(roots) => {
                let mut store = RootCertStore::empty();
                for root in roots {
                    store
                        .add(root.clone())
                        .map_err(|e| format!("cannot use the roots: {e}"))?;
                }
                store
            }
            Roots::WebPki => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        let store = Arc::new(store);
        let outcome = Arc::new(Mutex::new(None));
        let seen = outcome.clone();
        let adapter = OcspStapleVerifier::webpki_builder(store.clone(), provider.clone(), policy)
            .with_observer(move |latest| {
                if let Ok(mut slot) = seen.lock() {
                    *slot = Some(latest.clone());
                }
            })
            .build()
            .map_err(|e| format!("cannot use the roots: {e}"))?;
        let recorder = Arc::new(Recorder {
            adapter,
            sent: Mutex::new(None),
        });
        let time: Arc<dyn TimeProvider> = match at {
            Some(at) => Arc::new(FixedTime(at)),
            None => Arc::new(DefaultTimeProvider),
        };
        let mut config = ClientConfig::builder_with_details(provider, time)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot configure TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        // rustls does not call the verifier on a resumed session: every handshake a full one.
        config.resumption = Resumption::disabled();
        Ok(Self {
            config: Arc::new(config),
            recorder,
            outcome,
            store,
        })
    }

    /// Connects to the first of `addresses` that accepts, as `name`, and runs the handshake,
    /// all within `timeout`: one deadline for connecting, every read and every write, so that
    /// a server that sends a byte at a time cannot hold the client past it.
    /// Use a client for one handshake: the outcome reported is the adapter's latest.
    pub(crate) fn handshake(
        &self,
        addresses: &[SocketAddr],
        name: ServerName<'static>,
        timeout: Duration,
    ) -> Handshake {
        let deadline = Instant::now() + timeout;
        let mut handshake = Handshake {
            result: Err(Failure::Resolve("no address".into())),
            address: None,
            version: None,
            outcome: None,
            sent: None,
        };
        handshake.result = self.try_handshake(addresses, name, deadline, &mut handshake);
        handshake.outcome = self.outcome.lock().ok().and_then(|o| o.clone());
        handshake.sent = self.recorder.sent.lock().ok().and_then(|e| e.clone());
        handshake
    }

    fn try_handshake(
        &self,
        addresses: &[SocketAddr],
        name: ServerName<'static>,
        deadline: Instant,
        seen: &mut Handshake,
    ) -> Result<(), Failure> {
        let mut last = Failure::Resolve("no address".into());
        let mut stream = None;
        for address in addresses {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                last = Failure::Timeout;
                break;
            }
            match TcpStream::connect_timeout(address, remaining) {
                Ok(connected) => {
                    stream = Some((connected, *address));
                    break;
                }
                Err(error) => last = Failure::from_connect(&error),
            }
        }
        let (stream, address) = stream.ok_or(last)?;
        seen.address = Some(address);
        let mut stream = Deadline { stream, deadline };
        let mut connection =
            ClientConnection::new(self.config.clone(), name).map_err(Failure::Tls)?;
        while connection.is_handshaking() {
            let step = connection.complete_io(&mut stream);
            // Known from the ServerHello on, whether the rest succeeds or not.
            seen.version = connection.protocol_version();
            step.map_err(|e| Failure::from_handshake(&e))?;
        }
        // A polite close; the answer is known whatever happens now.
        connection.send_close_notify();
        let _ = connection.complete_io(&mut stream);
        Ok(())
    }
}

/// A stream whose every read and write ends by one deadline.
struct Deadline {
    stream: TcpStream,
    deadline: Instant,
}

impl Deadline {
    fn remaining(&self) -> io::Result<Duration> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the deadline passed",
            ));
        }
        Ok(remaining)
    }
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.remaining()?;
        self.stream.set_read_timeout(Some(remaining))?;
        self.stream.read(buf)
    }
}

impl Write for Deadline {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let remaining = self.remaining()?;
        self.stream.set_write_timeout(Some(remaining))?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// What one handshake gave.
pub(crate) struct Handshake {
    /// A completed handshake, or why there was none.
    pub(crate) result: Result<(), Failure>,
    /// The address the TCP connection was made to, if one was.
    pub(crate) address: Option<SocketAddr>,
    /// The TLS version, once the server chose one (also when the handshake then failed).
    pub(crate) version: Option<ProtocolVersion>,
    /// The adapter's decision: present when the inner verifier accepted the chain.
    pub(crate) outcome: Option<OcspOutcome>,
    /// What the server sent, when it got that far.
    pub(crate) sent: Option<Sent>,
}

/// Why there is no TLS connection.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The host name does not resolve.
    Resolve(String),
    /// The server refused the TCP connection.
    Refused(String),
    /// Connecting, or waiting for the server, took longer than the timeout.
    Timeout,
    /// Another connection or transport failure.
    Io(String),
    /// The TLS handshake failed: rustls' error, the adapter's refusal among them.
    Tls(rustls::Error),
}

impl Failure {
    fn from_connect(error: &io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::ConnectionRefused => Self::Refused(error.to_string()),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Self::Timeout,
            _ => Self::Io(error.to_string()),
        }
    }

    /// rustls' `complete_io` carries its own errors inside an `io::Error`.
    fn from_handshake(error: &io::Error) -> Self {
        if let Some(tls) = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Self::Tls(tls.clone());
        }
        match error.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Self::Timeout,
            io::ErrorKind::UnexpectedEof => {
                Self::Io("the server closed the connection during the handshake".into())
            }
            _ => Self::Io(error.to_string()),
        }
    }

    /// A stable snake_case name for `--json`.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Resolve(_) => "resolve_failed",
            Self::Refused(_) => "connection_refused",
            Self::Timeout => "timeout",
            Self::Io(_) => "connection_failed",
            Self::Tls(rustls::Error::InvalidCertificate(_)) => "certificate_rejected",
            Self::Tls(_) => "tls_handshake_failed",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Resolve(detail) => write!(f, "the host name does not resolve ({detail})"),
            Self::Refused(detail) => write!(f, "the connection was refused ({detail})"),
            Self::Timeout => f.write_str("timed out"),
            Self::Io(detail) => write!(f, "the connection failed ({detail})"),
            Self::Tls(error @ rustls::Error::InvalidCertificate(_)) => {
                write!(f, "the server's certificate was refused ({error})")
            }
            Self::Tls(error) => write!(f, "the TLS handshake failed ({error})"),
        }
    }
}

/// How long a loopback server waits for its one client before giving up by itself.
const LOOPBACK_WAIT: Duration = Duration::from_secs(30);

/// A loopback server for one connection, on its own thread (see [`serve_once`]).
pub(crate) struct LoopbackServer {
    pub(crate) address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Ends the server: it finishes the connection it accepted, or, when no client reached it
    /// (a loopback that is down), stops waiting at once.
    pub(crate) fn finish(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// A loopback server for one connection: presents `chain` and `key`, staples `ocsp` (nothing
/// when `None`). It polls for its client, so that it never waits past [`LoopbackServer::finish`]
/// or [`LOOPBACK_WAIT`] for one that cannot come.
pub(crate) fn serve_once(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ocsp: Option<Vec<u8>>,
) -> Result<LoopbackServer, String> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot configure the server: {e}"))?
        .with_no_client_auth();
    let mut config = match ocsp {
        Some(ocsp) => builder.with_single_cert_with_ocsp(chain, key, ocsp),
        None => builder.with_single_cert(chain, key),
    }
    .map_err(|e| format!("cannot configure the server: {e}"))?;
    config.send_tls13_tickets = 0;
    let config = Arc::new(config);
    let listen_error = |e: io::Error| format!("cannot listen on loopback: {e}");
    let listener = TcpListener::bind("127.0.0.1:0").map_err(listen_error)?;
    let address = listener.local_addr().map_err(listen_error)?;
    listener.set_nonblocking(true).map_err(listen_error)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let thread = thread::spawn(move || {
        let give_up = Instant::now() + LOOPBACK_WAIT;
        let mut stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if stopped.load(Ordering::SeqCst) || Instant::now() >= give_up {
                        return;
                    }
                    thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return,
            }
        };
        if stream.set_nonblocking(false).is_err() {
            return;
        }
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        let Ok(mut connection) = ServerConnection::new(config) else {
            return;
        };
        while connection.is_handshaking() {
            if connection.complete_io(&mut stream).is_err() {
                return;
            }
        }
        // Until the client's close_notify or end of stream.
        let _ = connection.complete_io(&mut stream);
    });
    Ok(LoopbackServer {
        address,
        stop,
        thread: Some(thread),
    })
}
