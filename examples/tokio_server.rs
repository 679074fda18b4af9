//! A TLS server on tokio (tokio-rustls) that staples its own certificate's OCSP status with the
//! `Stapler` and checks its clients' certificates with the `OcspClientCertVerifier`, both
//! fetching through the application's own async HTTP client (hyper) and never blocking an
//! executor thread on the network.
//!
//! ```text
//! cargo run --example tokio_server --features stapler -- \
//!     --cert CHAIN.pem --key KEY.pem --client-ca CA.pem --listen 127.0.0.1:8443 \
//!     [--issuer ISSUER.pem] [--responder URL] [--state-dir DIR] [--policy soft|hard] \
//!     [--client CLIENT.pem]...
//! ```
//!
//! - `--cert`, `--key`: the server's chain and key (PEM); `--issuer` its issuer when the chain
//!   does not carry it; `--responder` the `http://` responder for the server's own certificate
//!   when it names none; `--state-dir` where staples are kept across restarts.
//! - `--client-ca`: the CA certificates client certificates must chain to; `--policy` soft
//!   (the default) or hard; `--client` a client chain known in advance, whose status is
//!   fetched at start (repeat it for more).
//!
//! What runs where:
//!
//! - rustls calls verifiers and resolvers synchronously, on the executor thread driving the
//!   handshake. The stapler's resolver only reads memory; the client-certificate verifier is
//!   built with `with_cache_only_handshakes`, so a handshake takes answers from the cache
//!   (warmed at start for `--client`, then kept warm by prefetch) and otherwise decides as for
//!   "no answer" while a background fetch starts.
//! - Fetches run on the crate's own threads (the mTLS fetch threads) or in `spawn_blocking`
//!   (the stapler's refreshes), and go through [`HyperTransport`], which hands each request to
//!   this runtime and waits for it there: the application's client, its runtime, its DNS.
//! - `GET /metrics` answers both components' figures in the Prometheus text format; any other
//!   request, the client's subject.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use ocsp_verify::METRICS_CONTENT_TYPE;
use ocsp_verify::fetch::{HttpRequest, HttpResponse, Transport, TransportError, Unreachable};
use ocsp_verify::mtls::{ClientCertEventKind, OcspClientCertVerifier};
use ocsp_verify::requests::HttpMethod;
use ocsp_verify::stapling::{StapledCertificate, Stapler};
use ocsp_verify::{Certificate, Policy};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

const USAGE: &str = "usage: tokio_server --cert CHAIN.pem --key KEY.pem --client-ca CA.pem \
                     --listen ADDR [--issuer ISSUER.pem] [--responder URL] [--state-dir DIR] \
                     [--policy soft|hard] [--client CLIENT.pem]...";

/// The command line.
#[derive(Debug, Default)]
pub struct Options {
    /// `--cert`: the server's chain (PEM).
    pub cert: String,
    /// `--key`: its private key (PEM).
    pub key: String,
    /// `--client-ca`: the CAs client certificates chain to (PEM).
    pub client_ca: String,
    /// `--listen`: the address to listen on.
    pub listen: String,
    /// `--issuer`: the server certificate's issuer, when the chain lacks it (PEM).
    pub issuer: Option<String>,
    /// `--responder`: the responder for the server's own certificate.
    pub responder: Option<String>,
    /// `--state-dir`: where staples are kept across restarts.
    pub state_dir: Option<String>,
    /// `--policy hard` (else soft).
    pub hard_fail: bool,
    /// `--client`: client chains known in advance (PEM).
    pub clients: Vec<String>,
}

impl Options {
    /// Reads the command line (without the program's name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--cert" => options.cert = value()?,
                "--key" => options.key = value()?,
                "--client-ca" => options.client_ca = value()?,
                "--listen" => options.listen = value()?,
                "--issuer" => options.issuer = Some(value()?),
                "--responder" => options.responder = Some(value()?),
                "--state-dir" => options.state_dir = Some(value()?),
                "--client" => options.clients.push(value()?),
                "--policy" => {
                    options.hard_fail = match value()?.as_str() {
                        "soft" => false,
                        "hard" => true,
                        other => return Err(format!("--policy is soft or hard, not {other:?}")),
                    }
                }
                "-h" | "--help" => return Err(USAGE.into()),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        for (name, value) in [
            ("--cert", &options.cert),
            ("--key", &options.key),
            ("--client-ca", &options.client_ca),
            ("--listen", &options.listen),
        ] {
            if value.is_empty() {
                return Err(format!("{name} is required\n{USAGE}"));
            }
        }
        Ok(options)
    }
}

/// The application's own HTTP client as the crate's [`Transport`]: hyper, on this runtime.
///
/// The crate calls `send` from its own threads (never from a handshake), so handing the
/// request to the runtime and blocking until it is answered is what a transport may do.
#[derive(Debug)]
pub struct HyperTransport {
    runtime: tokio::runtime::Handle,
}

impl Transport for HyperTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let timeout = request.timeout();
        self.runtime
            .block_on(async { tokio::time::timeout(timeout, exchange(request)).await })
            .unwrap_or(Err(TransportError::Unreachable(Unreachable::Timeout)))
    }
}

/// One exchange over a fresh HTTP/1.1 connection: the request as given, the body read to the
/// crate's cap plus one byte.
async fn exchange(request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
    let transport = |error: &dyn std::fmt::Display| {
        TransportError::Unreachable(Unreachable::Transport(error.to_string()))
    };
    let uri: http::Uri = request.url().parse().map_err(|e: http::uri::InvalidUri| {
        TransportError::Unreachable(Unreachable::InvalidUrl(e.to_string()))
    })?;
    let host = uri.host().unwrap_or_default().to_string();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::time::timeout(
        request.connect_timeout(),
        TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| TransportError::Unreachable(Unreachable::Timeout))?
    .map_err(|e| TransportError::Unreachable(Unreachable::Connect(e.to_string())))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| transport(&e))?;
    tokio::spawn(connection);
    let method = match request.method() {
        HttpMethod::Get => http::Method::GET,
        HttpMethod::Post => http::Method::POST,
    };
    let authority = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(http::header::HOST, authority);
    if let Some(content_type) = request.content_type() {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    let outgoing = builder
        .body(Full::new(Bytes::copy_from_slice(request.body())))
        .map_err(|e| transport(&e))?;
    let mut response = sender
        .send_request(outgoing)
        .await
        .map_err(|e| TransportError::Malformed(e.to_string()))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(String::from);
    let cap = request.max_response_len().saturating_add(1);
    let mut body = Vec::new();
    while body.len() < cap {
        let Some(frame) = response.body_mut().frame().await else {
            break;
        };
        let frame = frame.map_err(|e| transport(&e))?;
        if let Ok(data) = frame.into_data() {
            let room = cap.saturating_sub(body.len());
            body.extend(data.iter().take(room));
        }
    }
    Ok(HttpResponse::new(status, content_type, body))
}

/// The server's parts, built from the options.
pub struct Server {
    /// Staples the server's own certificate.
    pub stapler: Arc<Stapler>,
    /// Checks client certificates.
    pub verifier: Arc<OcspClientCertVerifier>,
    /// The rustls configuration using both.
    pub config: Arc<ServerConfig>,
}

/// Builds the stapler and the client-certificate verifier on the runtime `runtime`.
pub fn build(options: &Options, runtime: tokio::runtime::Handle) -> Result<Server, Box<dyn Error>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let transport = Arc::new(HyperTransport { runtime });
    let chain = CertificateDer::pem_file_iter(&options.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&options.key)?;
    let certified = Arc::new(CertifiedKey::from_der(chain, key, &provider)?);
    let mut certificate = StapledCertificate::new(certified).with_label("server");
    if let Some(issuer) = &options.issuer {
        certificate = certificate.with_issuer(CertificateDer::from_pem_file(issuer)?);
    }
    if let Some(url) = &options.responder {
        certificate = certificate.with_responder_url(url.clone());
    }
    let mut stapler = Stapler::builder(provider.clone())
        .with_certificate(certificate)
        .with_transport(transport.clone())
        .with_observer(|event| eprintln!("tokio_server: staple: {event}"));
    if let Some(dir) = &options.state_dir {
        stapler = stapler.with_state_dir(dir);
    }
    let stapler = stapler.build()?;

    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(&options.client_ca)? {
        roots.add(ca?)?;
    }
    let policy = if options.hard_fail {
        Policy::hard_fail()
    } else {
        Policy::soft_fail()
    };
    let verifier =
        OcspClientCertVerifier::webpki_builder(Arc::new(roots), provider.clone(), policy)
            .with_transport(transport)
            // Never wait on the network in a handshake: this runs on an executor thread.
            .with_cache_only_handshakes()
            .with_observer(|event| match event.kind() {
                ClientCertEventKind::Decided(outcome) => {
                    eprintln!("tokio_server: client certificate: {outcome}")
                }
                _ => eprintln!("tokio_server: {event}"),
            })
            .build()?;
    for client in &options.clients {
        let chain = CertificateDer::pem_file_iter(client)?.collect::<Result<Vec<_>, _>>()?;
        verifier.prefetch(&chain)?;
    }
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier.clone())
        .with_cert_resolver(stapler.clone());
    Ok(Server {
        stapler,
        verifier,
        config: Arc::new(config),
    })
}

/// Serves on `listener` until the task is dropped: refreshes staples in the background, and
/// answers each connection.
pub async fn run(server: Server, listener: TcpListener) {
    let stapler = Arc::clone(&server.stapler);
    tokio::spawn(async move {
        loop {
            let refreshing = Arc::clone(&stapler);
            let wait = tokio::task::spawn_blocking(move || refreshing.refresh_due())
                .await
                .unwrap_or(Duration::from_secs(1));
            tokio::time::sleep(wait.clamp(Duration::from_secs(1), Duration::from_secs(60))).await;
        }
    });
    let acceptor = TlsAcceptor::from(Arc::clone(&server.config));
    let server = Arc::new(server);
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, server) = (acceptor.clone(), Arc::clone(&server));
        tokio::spawn(async move {
            if let Err(error) = answer(acceptor, socket, &server).await {
                eprintln!("tokio_server: connection: {error}");
            }
        });
    }
}

/// One connection: the handshake, one request line, one answer.
async fn answer(
    acceptor: TlsAcceptor,
    socket: TcpStream,
    server: &Server,
) -> Result<(), Box<dyn Error>> {
    let stream = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(socket)).await??;
    let subject = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|leaf| {
            Certificate::from_der(leaf)
                .ok()
                .map(|c| c.subject().to_vec())
        })
        .unwrap_or_default();
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_line(&mut line)).await??;
    let (content_type, body) = if line.starts_with("GET /metrics ") {
        let mut text = String::new();
        server.stapler.encode_metrics(&mut text)?;
        server.verifier.encode_metrics(&mut text)?;
        (METRICS_CONTENT_TYPE, text)
    } else {
        ("text/plain", format!("hello {}\n", hex(&subject)))
    };
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let stream = stream.get_mut();
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::main]
async fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let server = match build(&options, tokio::runtime::Handle::current()) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("tokio_server: {error}");
            std::process::exit(1);
        }
    };
    let listener = match TcpListener::bind(&options.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("tokio_server: {}: {error}", options.listen);
            std::process::exit(1);
        }
    };
    eprintln!(
        "tokio_server: listening on {}",
        listener
            .local_addr()
            .map_or_else(|e| e.to_string(), |a| a.to_string())
    );
    run(server, listener).await;
}
