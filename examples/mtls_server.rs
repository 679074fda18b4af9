//! An mTLS server that requires a client certificate and checks its revocation status with
//! OCSP (`OcspClientCertVerifier`): it answers each request with the client's subject and the
//! OCSP outcome, and logs every decision (and every responder contradicting a revocation it
//! reported before) on stderr.
//!
//! ```text
//! cargo run --example mtls_server --features rustls,http -- \
//!     --cert CHAIN.pem --key KEY.pem --client-ca CA.pem --listen 127.0.0.1:8443 \
//!     --policy soft|hard [--url URL] [--check-chain]
//! ```
//!
//! - `--cert`, `--key`: the server's certificate chain and private key (PEM).
//! - `--client-ca`: the CA certificates client certificates must chain to (PEM, one or more).
//! - `--policy`: `soft` (no answer from the responder: accept) or `hard` (no good answer:
//!   reject).
//! - `--url`: ask this `http://` responder about every certificate, instead of the one its
//!   authorityInfoAccess names (for a private CA whose certificates name none, or to ask no
//!   URL a client certificate names).
//! - `--check-chain`: check the intermediates' status too, not only the client's certificate.
//!
//! Then, for example: `openssl s_client -connect 127.0.0.1:8443 -cert client.pem -key
//! client.key -cert_chain intermediate.pem -CAfile server-ca.pem`, or `curl --cert client.pem
//! --key client.key --cacert server-ca.pem https://localhost:8443/`.

use std::collections::HashMap;
use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ocsp_verify::Certificate;
use ocsp_verify::Policy;
use ocsp_verify::fetch::ResponderPolicy;
use ocsp_verify::mtls::{OcspClientCertVerifier, RevocationCheckDepth};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

const USAGE: &str = "usage: mtls_server --cert CHAIN.pem --key KEY.pem --client-ca CA.pem \
                     --listen ADDR --policy soft|hard [--url URL] [--check-chain]";

struct Options {
    cert: String,
    key: String,
    client_ca: String,
    listen: String,
    policy: Policy,
    url: Option<String>,
    check_chain: bool,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut cert, mut key, mut client_ca, mut listen, mut policy) = (None, None, None, None, None);
    let (mut url, mut check_chain) = (None, false);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--client-ca" => client_ca = Some(value()?),
            "--listen" => listen = Some(value()?),
            "--policy" => {
                policy = Some(match value()?.as_str() {
                    "soft" => Policy::soft_fail(),
                    "hard" => Policy::hard_fail(),
                    other => return Err(format!("--policy is soft or hard, not {other:?}")),
                })
            }
            "--url" => url = Some(value()?),
            "--check-chain" => check_chain = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let missing = |name: &str| format!("{name} is required\n{USAGE}");
    Ok(Options {
        cert: cert.ok_or_else(|| missing("--cert"))?,
        key: key.ok_or_else(|| missing("--key"))?,
        client_ca: client_ca.ok_or_else(|| missing("--client-ca"))?,
        listen: listen.ok_or_else(|| missing("--listen"))?,
        policy: policy.ok_or_else(|| missing("--policy"))?,
        url,
        check_chain,
    })
}

/// The last outcome for each client certificate (by serial), for the reply.
type Outcomes = Arc<Mutex<HashMap<Vec<u8>, String>>>;

fn main() -> Result<(), Box<dyn Error>> {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let chain = CertificateDer::pem_file_iter(&options.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&options.key)?;
    let mut client_roots = RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(&options.client_ca)? {
        client_roots.add(ca?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    // The lines a server adds: a client-certificate verifier with an explicit policy ...
    let outcomes: Outcomes = Arc::default();
    let log = Arc::clone(&outcomes);
    let mut builder = OcspClientCertVerifier::webpki_builder(
        Arc::new(client_roots),
        provider.clone(),
        options.policy,
    )
    .with_observer(move |event| {
        let Some(outcome) = event.outcome() else {
            // A responder contradicting a revocation: the revocation stands.
            eprintln!("mtls: {event}");
            return;
        };
        let subject = outcome.subject().map_or_else(|| "?".into(), common_name);
        eprintln!(
            "mtls: {subject}: {outcome} [{} ms]",
            outcome.waited().as_millis()
        );
        if let Some(serial) = outcome.serial() {
            let mut outcomes = log.lock().unwrap_or_else(|e| e.into_inner());
            if outcomes.len() > 10_000 {
                outcomes.clear();
            }
            outcomes.insert(serial.to_vec(), outcome.to_string());
        }
    });
    if options.check_chain {
        builder = builder.with_depth(RevocationCheckDepth::Chain);
    }
    if let Some(url) = options.url {
        // Checked by `build`: a URL that is not http:// is refused there.
        builder = builder.with_responder_policy(ResponderPolicy::new().with_url(url));
    }
    let verifier = builder.build()?;
    // ... installed where rustls' WebPkiClientVerifier would be.
    let config = Arc::new(
        ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier.clone())
            .with_single_cert(chain, key)?,
    );

    let listener = TcpListener::bind(&options.listen)?;
    eprintln!(
        "mtls: listening on {}, {}, client certificates required",
        listener.local_addr()?,
        if options.policy == Policy::hard_fail() {
            "hard-fail"
        } else {
            "soft-fail"
        }
    );
    for socket in listener.incoming() {
        let Ok(socket) = socket else { continue };
        let (config, outcomes, verifier) = (config.clone(), outcomes.clone(), verifier.clone());
        thread::spawn(move || {
            if let Err(error) = serve(config, socket, &outcomes) {
                eprintln!("mtls: connection failed: {error}");
            }
            let s = verifier.snapshot();
            eprintln!(
                "mtls: {} handshakes ({} accepted, {} rejected), {} cache hits, {} fetches",
                s.handshakes(),
                s.accepted(),
                s.rejected(),
                s.cache_hits(),
                s.fetches()
            );
        });
    }
    Ok(())
}

/// One connection: the handshake, one request, one answer with the client's subject and the
/// OCSP outcome (as HTTP if the request looks like HTTP).
fn serve(
    config: Arc<ServerConfig>,
    mut socket: TcpStream,
    outcomes: &Outcomes,
) -> Result<(), Box<dyn Error>> {
    socket.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut connection = ServerConnection::new(config)?;
    while connection.is_handshaking() {
        // On a refusal, complete_io has sent the alert (certificate_revoked, unknown_ca, ...).
        connection.complete_io(&mut socket)?;
    }
    let leaf = connection
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or("no client certificate")?
        .clone();
    let certificate = Certificate::from_der(&leaf)?;
    let subject = common_name(certificate.subject());
    let outcome = outcomes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(certificate.serial())
        .cloned()
        .unwrap_or_else(|| "no outcome recorded".into());

    let mut stream = StreamOwned::new(connection, socket);
    let mut request = String::new();
    BufReader::new(&mut stream).read_line(&mut request)?;
    let body = format!("subject: {subject}\nocsp: {outcome}\n");
    if request.starts_with("GET ") || request.starts_with("HEAD ") {
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )?;
    } else {
        stream.write_all(body.as_bytes())?;
    }
    stream.conn.send_close_notify();
    stream.flush()?;
    Ok(())
}

/// `CN=...` of a DER `Name`, found by the attribute's OID (2.5.4.3) and the string after it;
/// enough for a log line.
fn common_name(name: &[u8]) -> String {
    const CN: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    name.windows(CN.len())
        .position(|window| window == CN)
        .and_then(|at| name.get(at + CN.len()..))
        .and_then(|rest| match rest {
            [_tag, len, value @ ..] if usize::from(*len) <= value.len() && *len < 0x80 => {
                value.get(..usize::from(*len))
            }
            _ => None,
        })
        .map_or_else(
            || "(no CN)".into(),
            |cn| format!("CN={}", String::from_utf8_lossy(cn)),
        )
}
