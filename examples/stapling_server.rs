//! A TLS server that staples OCSP answers it has verified: rustls (ring provider, TLS 1.2 and
//! 1.3) with the stapler as its certificate resolver.
//!
//! ```text
//! cargo run --example stapling_server --features stapler -- \
//!     --cert CHAIN.pem --key KEY.pem --listen 127.0.0.1:8443 [--url URL] [--state-dir DIR]
//! ```
//!
//! - `CHAIN.pem`: the server's certificate, then its issuer (the rest of the chain may follow).
//! - `KEY.pem`: its private key (PKCS#8, PKCS#1 or SEC1 PEM).
//! - `--url`: the `http://` responder to ask instead of the one the certificate names.
//! - `--state-dir`: where verified answers are kept, so that a restarted server staples from
//!   its first handshake even while the responder is down.
//!
//! Every request gets a short HTTP 200; `GET /metrics` gets the stapler's figures in the
//! Prometheus text format. Each staple event is logged on stderr. Try it with
//! `openssl s_client -connect ADDR -status` or `curl -k https://ADDR/metrics`.
//!
//! A must-staple certificate is served only once it has a good staple: the server waits for
//! one (up to a minute) before it listens.

use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ocsp_verify::METRICS_CONTENT_TYPE;
use ocsp_verify::stapling::{StapledCertificate, Stapler};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

const USAGE: &str = "usage: stapling_server --cert CHAIN.pem --key KEY.pem --listen ADDR \
                     [--url URL] [--state-dir DIR]";

/// The command line.
struct Args {
    cert: PathBuf,
    key: PathBuf,
    listen: String,
    url: Option<String>,
    state_dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let (mut cert, mut key, mut listen, mut url, mut state_dir) = (None, None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--cert" => cert = Some(PathBuf::from(value)),
            "--key" => key = Some(PathBuf::from(value)),
            "--listen" => listen = Some(value),
            "--url" => url = Some(value),
            "--state-dir" => state_dir = Some(PathBuf::from(value)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        cert: cert.ok_or("--cert is required")?,
        key: key.ok_or("--key is required")?,
        listen: listen.ok_or("--listen is required")?,
        url,
        state_dir,
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = CertificateDer::pem_file_iter(&args.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&args.key)?;
    let certified_key = Arc::new(CertifiedKey::from_der(chain, key, &provider)?);

    // The stapler: the chain, where to ask, where to keep answers, and a log line per event.
    let label = args
        .cert
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "server".into());
    let mut certificate = StapledCertificate::new(certified_key).with_label(label);
    if let Some(url) = args.url {
        certificate = certificate.with_responder_url(url);
    }
    let mut builder = Stapler::builder(Arc::clone(&provider))
        .with_certificate(certificate)
        .with_observer(|event| eprintln!("[ocsp] {event}"));
    if let Some(dir) = args.state_dir {
        builder = builder.with_state_dir(dir);
    }
    let stapler = builder.build()?;
    let _refresher = stapler.spawn_refresh_thread()?;
    if !stapler.ready() {
        eprintln!("[ocsp] waiting for a good staple for the must-staple certificate");
        if let Err(error) = stapler.wait_ready(Duration::from_secs(60)) {
            eprintln!("[ocsp] {error}: serving anyway; clients will refuse the certificate");
        }
    }

    // The TLS server, with the stapler as its certificate resolver.
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_cert_resolver(stapler.clone());
    let config = Arc::new(config);
    let listener = TcpListener::bind(&args.listen)?;
    eprintln!("listening on https://{}", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("accept: {error}");
                continue;
            }
        };
        let (config, stapler) = (Arc::clone(&config), Arc::clone(&stapler));
        thread::spawn(move || {
            if let Err(error) = serve(stream, config, &stapler) {
                eprintln!("connection: {error}");
            }
        });
    }
    Ok(())
}

/// One connection: the handshake, one request, one answer.
fn serve(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    stapler: &Arc<Stapler>,
) -> Result<(), Box<dyn Error>> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut tls = StreamOwned::new(ServerConnection::new(config)?, stream);
    // The request head, up to 8 KiB (the handshake happens on the first read).
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|four| four == b"\r\n\r\n") && head.len() < 8192 {
        let read = tls.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        head.extend_from_slice(buffer.get(..read).unwrap_or_default());
    }
    let request = String::from_utf8_lossy(&head);
    let (content_type, body) = if request.starts_with("GET /metrics ") {
        let mut text = String::new();
        stapler.encode_metrics(&mut text)?;
        (METRICS_CONTENT_TYPE, text)
    } else {
        (
            "text/plain; charset=utf-8",
            "ok: this server staples OCSP answers it has verified\n".to_string(),
        )
    };
    write!(
        tls,
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(())
}
