//! A rustls client that checks the server's stapled OCSP response, against its own loopback
//! server: no network needed.
//!
//! ```text
//! cargo run --example rustls_client --features rustls -- [STAPLE] [soft|hard]
//! ```
//!
//! STAPLE is what the server staples: `good` (the default), `revoked`, `unknown`, `stale`,
//! `not-yet-valid`, `bad-signature`, `for-other`, `none`, `must-staple-none`,
//! `must-staple-stale`, `must-staple-good` or `direct-good` (a server certificate issued by the
//! root itself). The policy is hard-fail unless `soft` is given.
//!
//! The test PKI and its responses are valid at 2026-01-01T01:00:00Z, so both sides use a clock
//! stopped there. A real client keeps rustls' default clock (`ClientConfig::builder_with_provider`).

use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use ocsp_verify::display::Rfc3339;
use ocsp_verify::{OcspOutcome, OcspStapleVerifier, Policy};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::time_provider::TimeProvider;
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, StreamOwned,
};

const ROOT: &[u8] = include_bytes!("../test-vectors/generated/pki/tls/tls-root.der");
const INTERMEDIATE: &[u8] = include_bytes!("../test-vectors/generated/pki/tls/tls-int.der");

/// A server certificate with its key.
struct ServerCert {
    der: &'static [u8],
    key: &'static [u8],
    /// Issued by the intermediate (sent along), or directly by the root.
    by_intermediate: bool,
}

const SERVER: ServerCert = ServerCert {
    der: include_bytes!("../test-vectors/generated/pki/tls/tls-server.der"),
    key: include_bytes!("../test-vectors/generated/pki/tls/tls-server.key"),
    by_intermediate: true,
};
const MUST_STAPLE: ServerCert = ServerCert {
    der: include_bytes!("../test-vectors/generated/pki/tls/tls-server-muststaple.der"),
    key: include_bytes!("../test-vectors/generated/pki/tls/tls-server-muststaple.key"),
    by_intermediate: true,
};
const DIRECT: ServerCert = ServerCert {
    der: include_bytes!("../test-vectors/generated/pki/tls/tls-server-direct.der"),
    key: include_bytes!("../test-vectors/generated/pki/tls/tls-server-direct.key"),
    by_intermediate: false,
};

macro_rules! response {
    ($name:literal) => {
        Some(
            &include_bytes!(concat!(
                "../test-vectors/generated/responses/tls/",
                $name,
                ".der"
            ))[..],
        )
    };
}

/// What the server presents and staples, by name.
fn scenario(name: &str) -> Option<(&'static ServerCert, Option<&'static [u8]>)> {
    Some(match name {
        "good" => (&SERVER, response!("tls-server-good")),
        "revoked" => (&SERVER, response!("tls-server-revoked")),
        "unknown" => (&SERVER, response!("tls-server-unknown")),
        "stale" => (&SERVER, response!("tls-server-stale")),
        "not-yet-valid" => (&SERVER, response!("tls-server-not-yet-valid")),
        "bad-signature" => (&SERVER, response!("tls-server-bad-signature")),
        "for-other" => (&SERVER, response!("tls-server-for-other")),
        "none" => (&SERVER, None),
        "must-staple-none" => (&MUST_STAPLE, None),
        "must-staple-stale" => (&MUST_STAPLE, response!("tls-server-muststaple-stale")),
        "must-staple-good" => (&MUST_STAPLE, response!("tls-server-muststaple-good")),
        "direct-good" => (&DIRECT, response!("tls-server-direct-good")),
        _ => return None,
    })
}

/// 2026-01-01T01:00:00Z, when the test PKI and its responses are valid.
#[derive(Debug)]
struct TestClock;

impl TimeProvider for TestClock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            1_767_229_200,
        )))
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "good".into());
    let (policy, policy_name) = match args.next().as_deref() {
        Some("soft") => (Policy::soft_fail(), "soft-fail"),
        None | Some("hard") => (Policy::hard_fail(), "hard-fail"),
        Some(other) => return Err(format!("policy must be soft or hard, not {other:?}").into()),
    };
    let (cert, staple) = scenario(&name).ok_or_else(|| format!("unknown staple {name:?}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    // The server: one connection on a loopback port, in a thread.
    let mut chain = vec![CertificateDer::from(cert.der)];
    if cert.by_intermediate {
        chain.push(CertificateDer::from(INTERMEDIATE));
    }
    let key = PrivateKeyDer::from_pem_slice(cert.key)?;
    let server = ServerConfig::builder_with_details(provider.clone(), Arc::new(TestClock))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth();
    let server = Arc::new(match staple {
        Some(staple) => server.with_single_cert_with_ocsp(chain, key, staple.to_vec())?,
        None => server.with_single_cert(chain, key)?,
    });
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let server = thread::spawn(move || -> Result<(), String> {
        let (socket, _) = listener.accept().map_err(|e| e.to_string())?;
        let connection = ServerConnection::new(server).map_err(|e| e.to_string())?;
        let mut stream = StreamOwned::new(connection, socket);
        stream
            .write_all(b"hello from the loopback server\n")
            .map_err(|e| e.to_string())?;
        stream.conn.send_close_notify();
        stream.flush().map_err(|e| e.to_string())
    });

    // The client: the lines a rustls user adds are the verifier and its installation.
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(ROOT))?;
    let (sender, outcomes) = mpsc::channel();
    let verifier = OcspStapleVerifier::webpki_builder(Arc::new(roots), provider.clone(), policy)
        .with_observer(move |outcome| {
            println!("OCSP: {outcome}");
            // Kept for the report below; a server would log or count it.
            let _ = sender.send(outcome.clone());
        })
        .build()?;
    let config = ClientConfig::builder_with_details(provider, Arc::new(TestClock))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();

    println!("server {address} staples {name}; client policy {policy_name}");
    let connection = ClientConnection::new(Arc::new(config), ServerName::try_from("localhost")?)?;
    let mut stream = StreamOwned::new(connection, TcpStream::connect(address)?);
    let mut greeting = String::new();
    match stream.read_to_string(&mut greeting) {
        Ok(_) => print!(
            "connected over {:?}: {greeting}",
            stream.conn.protocol_version()
        ),
        Err(error) => println!("handshake failed: {error}"),
    }
    if let Ok(outcome) = outcomes.try_recv() {
        describe(&outcome);
    }
    // The server's side of a refused handshake is an alert: not an error of the example.
    if let Ok(Err(error)) = server.join() {
        println!("server: {error}");
    }
    Ok(())
}

/// What an application might log or export for monitoring.
fn describe(outcome: &OcspOutcome) {
    let decision = outcome.decision();
    println!("  reason:        {}", decision.situation().code());
    if let Some(error) = decision.situation().error() {
        println!("  error:         {} ({error})", error.code());
    }
    println!("  TLS features:  {}", decision.tls_features().code());
    if let Some(answer) = outcome.answer() {
        println!("  thisUpdate:    {}", Rfc3339::new(answer.this_update()));
        if let Some(next_update) = answer.next_update() {
            println!("  nextUpdate:    {}", Rfc3339::new(next_update));
        }
        if let Some(left) = answer.time_to_next_update(outcome.now()) {
            let hours = left.as_secs() / 3600;
            println!("  fresh for:     {}d {}h", hours / 24, hours % 24);
        }
    }
    if let Some(error) = outcome.error() {
        println!("  rustls error:  {error:?}");
    }
}
