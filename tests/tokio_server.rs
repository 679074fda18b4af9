//! `examples/tokio_server.rs` end to end: the stapler and the client-certificate verifier
//! behind tokio-rustls, fetching through the example's hyper transport, against real `openssl
//! ocsp` responders, with real TLS clients on loopback. The example's own code is compiled in
//! (its `build` and `run`), so what is tested is what `cargo run --example tokio_server` runs.

#![cfg(feature = "stapler")]
// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../examples/tokio_server.rs"]
#[allow(dead_code)]
mod example;
mod mtls_pki;
mod support;

use std::fs;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mtls_pki::{Client, GOOD, Pki, REVOKED, connect, provider, rustls_error, tls_stream};
use ocsp_verify::{CertStatus, OcspOutcome, OcspStapleVerifier, Policy};
use rustls::client::Resumption;
use rustls::{AlertDescription, ClientConfig};

/// The server certificate's serial, which the root's responder is taught to know as good.
const SERVER_SERIAL: &str = "6001";

/// A client that requires a good staple (hard-fail) and presents `client`'s chain; the
/// outcome of its staple check is kept.
fn client_config(
    pki: &Pki,
    client: &Client,
    seen: &Arc<Mutex<Option<OcspOutcome>>>,
) -> Arc<ClientConfig> {
    let log = Arc::clone(seen);
    let verifier = OcspStapleVerifier::webpki_builder(pki.roots(), provider(), Policy::hard_fail())
        .with_observer(move |outcome| *log.lock().unwrap() = Some(outcome.clone()))
        .build()
        .unwrap();
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(client.chain.clone(), client.key.clone_key())
        .unwrap();
    config.resumption = Resumption::disabled();
    Arc::new(config)
}

/// `client`'s chain (leaf, then intermediate) in one PEM file, for `--client`.
fn chain_file(pki: &Pki, client: &Client, name: &str) -> String {
    let mut pem = fs::read_to_string(&client.cert_pem).unwrap();
    pem.push_str(&fs::read_to_string(&client.chain_pem).unwrap());
    let path = pki.dir.join(name);
    fs::write(&path, pem).unwrap();
    path.display().to_string()
}

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited in vain for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn staples_and_checks_client_certificates_on_tokio_without_waiting_in_handshakes() {
    let pki = Pki::new("tokio-server");
    // The root's responder learns the server certificate (issued by the root) as good.
    let index = pki.dir.join("root-index.txt");
    let mut entries = fs::read_to_string(&index).unwrap();
    entries.push_str(&format!(
        "V\t301231235959Z\t\t{SERVER_SERIAL}\tunknown\t/CN=localhost\n"
    ));
    fs::write(&index, entries).unwrap();
    let url = pki.responder.url();
    let good = pki.client(GOOD[0], &pki.intermediate, &[&url]);
    let revoked = pki.client(REVOKED[0], &pki.intermediate, &[&url]);
    let newcomer = pki.client(GOOD[1], &pki.intermediate, &[&url]);
    let dir = pki.dir.display().to_string();
    let arguments = [
        "--cert",
        &format!("{dir}/server.pem"),
        "--key",
        &format!("{dir}/server.key"),
        "--issuer",
        &format!("{dir}/root.pem"),
        "--responder",
        &pki.root_responder.url(),
        "--client-ca",
        &format!("{dir}/root.pem"),
        "--listen",
        "127.0.0.1:0",
        "--policy",
        "hard",
        "--client",
        &chain_file(&pki, &good, "good-chain.pem"),
        "--client",
        &chain_file(&pki, &revoked, "revoked-chain.pem"),
    ];
    let options = example::Options::parse(arguments.iter().map(|a| a.to_string())).unwrap();
    assert!(options.hard_fail);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = example::build(&options, runtime.handle().clone()).unwrap();
    let (stapler, verifier) = (Arc::clone(&server.stapler), Arc::clone(&server.verifier));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(example::run(server, listener));

    // The staple arrives through the refresh task and the hyper transport; the known clients'
    // answers through the prefetch.
    eventually("the staple", || {
        stapler.snapshots()[0].status() == Some(CertStatus::Good)
    });
    assert!(verifier.wait_for_fetches(Duration::from_secs(30)));
    assert_eq!(verifier.snapshot().cached(), 2);

    // A known good client: accepted from the cache, and it got a good staple (the client
    // refuses a server without one).
    let seen = Arc::new(Mutex::new(None));
    let connected = connect(port, client_config(&pki, &good, &seen));
    let reply = connected.reply.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    let outcome = seen.lock().unwrap().take().unwrap();
    assert!(outcome.stapled());
    assert_eq!(outcome.decision().situation(), ocsp_verify::Situation::Good);

    // A known revoked client: refused from the cache, with the alert that says so.
    let refused = connect(port, client_config(&pki, &revoked, &seen));
    assert_eq!(
        refused.reply.unwrap_err(),
        rustls::Error::AlertReceived(AlertDescription::CertificateRevoked)
    );

    // A client nobody knew: the handshake does not wait for the network, so hard-fail refuses
    // it ("no answer") at once, and a fetch starts in the background; once it is in, the next
    // handshake is accepted.
    let started = Instant::now();
    let first = connect(port, client_config(&pki, &newcomer, &seen));
    assert_eq!(
        first.reply.unwrap_err(),
        rustls::Error::AlertReceived(AlertDescription::UnknownCA)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(verifier.wait_for_fetches(Duration::from_secs(30)));
    let second = connect(port, client_config(&pki, &newcomer, &seen));
    assert!(second.reply.unwrap().starts_with("HTTP/1.1 200 OK"));
    let snapshot = verifier.snapshot();
    assert_eq!(snapshot.budget_exhausted(), 1);
    assert_eq!((snapshot.accepted(), snapshot.rejected()), (2, 2));

    // Both components' figures on /metrics.
    let metrics = get_metrics(port, &pki, &good);
    for line in [
        "ocsp_staple_status{certificate=\"server\",status=\"good\"} 1",
        "ocsp_client_handshakes_total{decision=\"accepted\"} 3",
        "ocsp_client_handshakes_total{decision=\"rejected\"} 2",
        "ocsp_client_fetches_total 3",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing {line:?} in\n{metrics}"
        );
    }
    runtime.shutdown_timeout(Duration::from_secs(5));
}

/// `GET /metrics` over mTLS, as `client`.
fn get_metrics(port: u16, pki: &Pki, client: &Client) -> String {
    let seen = Arc::new(Mutex::new(None));
    let config = client_config(pki, client, &seen);
    let mut stream = tls_stream(port, config);
    stream.write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
    stream.flush().unwrap();
    let mut reply = String::new();
    if let Err(error) = stream.read_to_string(&mut reply) {
        panic!("{error}: {:?}", rustls_error(&error));
    }
    reply
}
