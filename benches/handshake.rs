//! What the adapter adds to a TLS handshake: a full rustls handshake in memory (ring, ECDSA
//! P-256 chain, the server stapling a good response), with rustls' own `WebPkiServerVerifier`
//! and with `OcspStapleVerifier` around it, in the same run; and `verify_server_cert` alone,
//! which isolates the added work.
//!
//! The adapter runs twice: as configured by default, where a client reconnecting to the same
//! server finds the staple in the verdict cache (time checks and policy only), and with the
//! verdict cache off, where every handshake pays what a first one does (finding the issuer:
//! one signature check; verifying the response: parsing, CertID hashes, one signature check).
//!
//! ```text
//! cargo bench --bench handshake --features rustls
//! ```

// Benchmark code: a panic is a failed run, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// criterion_group! makes a public function without docs.
#![allow(missing_docs)]

#[path = "common/paired.rs"]
mod paired;
#[path = "../tests/tls/mod.rs"]
mod tls;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use ocsp_verify::{OcspStapleVerifier, Policy};
use rustls::ProtocolVersion;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::ServerName;
use tls::Server;

fn verifiers() -> [(&'static str, Arc<dyn ServerCertVerifier>); 3] {
    let adapter = |capacity| {
        OcspStapleVerifier::builder(
            tls::webpki_verifier(),
            tls::roots(),
            tls::provider(),
            Policy::hard_fail(),
        )
        .with_verdict_cache_capacity(capacity)
        .build()
        .unwrap()
    };
    [
        ("webpki", tls::webpki_verifier()),
        (
            "webpki+ocsp-verify",
            adapter(OcspStapleVerifier::DEFAULT_VERDICT_CACHE_CAPACITY),
        ),
        ("webpki+ocsp-verify/no-cache", adapter(0)),
    ]
}

fn handshakes(c: &mut Criterion) {
    let staple = tls::response("tls/tls-server-good");
    for (version, label) in [
        (ProtocolVersion::TLSv1_3, "tls13"),
        (ProtocolVersion::TLSv1_2, "tls12"),
    ] {
        let mut group = c.benchmark_group(format!("handshake/{label}"));
        let server = tls::server_config(Server::Intermediate, Some(staple.clone()), version);
        for (name, verifier) in verifiers() {
            let client = tls::client_config(verifier, version);
            // Both must succeed, or the comparison means nothing.
            let result = tls::handshake(client.clone(), server.clone());
            assert_eq!(result.client, Ok(()), "{name}");
            group.bench_function(name, |b| {
                b.iter(|| black_box(tls::handshake(client.clone(), server.clone())))
            });
        }
        group.finish();
    }
}

fn verify_server_cert(c: &mut Criterion) {
    let staple = tls::response("tls/tls-server-good");
    let chain = Server::Intermediate.chain();
    let (end_entity, intermediates) = chain.split_first().unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut group = c.benchmark_group("verify_server_cert");
    for (label, verifier) in verifiers() {
        verifier
            .verify_server_cert(end_entity, intermediates, &name, &staple, tls::now())
            .unwrap();
        group.bench_function(label, |b| {
            b.iter(|| {
                verifier
                    .verify_server_cert(
                        black_box(end_entity),
                        black_box(intermediates),
                        &name,
                        black_box(&staple),
                        tls::now(),
                    )
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// Criterion runs one benchmark after the other; on a machine shared with other builds the load
/// drifts between them. This runs the two verifiers in alternating batches instead and reports
/// the medians and the median of the paired differences, which drift affects far less.
fn paired_handshakes() {
    const ROUNDS: usize = 150;
    const BATCH: u32 = 8;
    let staple = tls::response("tls/tls-server-good");
    for (version, label) in [
        (ProtocolVersion::TLSv1_3, "tls13"),
        (ProtocolVersion::TLSv1_2, "tls12"),
    ] {
        let server = tls::server_config(Server::Intermediate, Some(staple.clone()), version);
        let [(_, webpki), (_, adapter), _] = verifiers();
        let clients = [
            tls::client_config(webpki, version),
            tls::client_config(adapter, version),
        ];
        let handshake = |client: &Arc<rustls::ClientConfig>| {
            black_box(tls::handshake(client.clone(), server.clone()));
        };
        let times = paired::alternate(
            ROUNDS,
            BATCH,
            || handshake(&clients[0]),
            || handshake(&clients[1]),
        );
        let (without, with, added) = (times.a, times.b, times.added);
        println!(
            "paired/{label}: webpki {without:.1} µs, webpki+ocsp-verify {with:.1} µs, \
             added {added:.1} µs ({:+.1}%), medians of {ROUNDS} alternating batches of {BATCH}",
            100.0 * added / without
        );
    }
}

criterion_group! {
    name = benches;
    // A 2-core machine shared with others: short runs, enough samples to see a difference of
    // a few per cent.
    config = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = handshakes, verify_server_cert
}

/// `count VERIFIER VERSION ITERATIONS`: a plain loop of handshakes, for instruction counts under
/// `valgrind --tool=callgrind` (repeatable on a shared machine, like `benches/counts.rs`).
/// VERIFIER is `webpki`, `webpki+ocsp-verify` or `webpki+ocsp-verify/no-cache`, VERSION
/// `tls13` or `tls12`.
fn count(verifier: &str, version: &str, iterations: &str) {
    let version = match version {
        "tls13" => ProtocolVersion::TLSv1_3,
        "tls12" => ProtocolVersion::TLSv1_2,
        other => panic!("unknown version {other}"),
    };
    let (_, verifier) = verifiers()
        .into_iter()
        .find(|(name, _)| *name == verifier)
        .expect("webpki, webpki+ocsp-verify or webpki+ocsp-verify/no-cache");
    let server = tls::server_config(
        Server::Intermediate,
        Some(tls::response("tls/tls-server-good")),
        version,
    );
    let client = tls::client_config(verifier, version);
    for _ in 0..iterations.parse::<u32>().unwrap() {
        let handshake = tls::handshake(client.clone(), server.clone());
        assert_eq!(black_box(handshake).client, Ok(()));
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if let [mode, verifier, version, iterations] = args.as_slice()
        && mode == "count"
    {
        count(verifier, version, iterations);
        return;
    }
    benches();
    // Skipped when criterion is asked for a subset (`cargo bench -- NAME`) or a list.
    if std::env::args().skip(1).all(|arg| arg == "--bench") {
        paired_handshakes();
    }
    Criterion::default().configure_from_args().final_summary();
}
