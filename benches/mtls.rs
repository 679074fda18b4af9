//! What `OcspClientCertVerifier` adds to an mTLS handshake, over real parts: a PKI made with the
//! openssl CLI, a real `openssl ocsp` responder on loopback, full rustls handshakes in memory
//! (client and server together, ring, P-256, the client presenting a certificate issued by an
//! intermediate).
//!
//! 1. A warm cache against the inner verifier alone (`WebPkiClientVerifier`), criterion and a
//!    paired run in alternating batches (drift on a shared machine cancels out); target 1.05x.
//! 2. A dead responder under each policy: refused at once, and silent past the budget; with
//!    the failure memory (the default backoffs), and with every failure forgotten before the
//!    next handshake.
//! 3. The fetch count when 16 handshakes for one certificate arrive together.
//!
//! ```text
//! cargo bench --bench mtls --features rustls,http
//! benches/mtls-instructions.sh      # callgrind: instructions per handshake, warm vs webpki
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

#[path = "../tests/mtls_pki/mod.rs"]
mod mtls_pki;
#[path = "common/paired.rs"]
mod paired;
#[path = "../tests/support/mod.rs"]
mod support;
#[path = "../tests/tls/mod.rs"]
mod tls;

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use mtls_pki::{Client, Clock, GOOD, Pki, Relay, client_config, server_config};
use ocsp_verify::Policy;
use ocsp_verify::fetch::{Backoff, CacheOptions, ManualMonotonicClock, ResponseCache};
use ocsp_verify::mtls::{OcspClientCertVerifier, PrefetchOptions};
use rustls::ProtocolVersion;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;

struct Setup {
    pki: Pki,
    client: Client,
    clock: Arc<Clock>,
}

fn setup() -> Setup {
    let pki = Pki::new("bench");
    let url = pki.responder.url();
    let client = pki.client(GOOD[0], &pki.intermediate, &[&url]);
    Setup {
        pki,
        client,
        clock: Arc::new(Clock::default()),
    }
}

fn webpki(pki: &Pki) -> Arc<dyn ClientCertVerifier> {
    WebPkiClientVerifier::builder_with_provider(pki.roots(), mtls_pki::provider())
        .build()
        .unwrap()
}

/// The verifier around `webpki`, its cache warmed for the client.
fn warm(setup: &Setup, policy: Policy) -> Arc<OcspClientCertVerifier> {
    let verifier = OcspClientCertVerifier::builder(
        webpki(&setup.pki),
        setup.pki.roots(),
        mtls_pki::provider(),
        policy,
    )
    .with_prefetch(PrefetchOptions::disabled())
    .build()
    .unwrap();
    assert_eq!(verifier.prefetch(&setup.client.chain), Ok(1));
    assert!(verifier.wait_for_fetches(Duration::from_secs(10)));
    verifier
}

fn verifiers(setup: &Setup) -> [(&'static str, Arc<dyn ClientCertVerifier>); 2] {
    [
        ("webpki", webpki(&setup.pki)),
        ("webpki+ocsp-verify/warm", warm(setup, Policy::hard_fail())),
    ]
}

fn handshake_once(
    setup: &Setup,
    verifier: &Arc<dyn ClientCertVerifier>,
    version: ProtocolVersion,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let server = server_config(
        &setup.pki,
        Arc::clone(verifier),
        Arc::clone(&setup.clock),
        version,
    );
    let client = client_config(&setup.pki, &setup.client, version);
    let result = tls::handshake(client.clone(), server.clone());
    assert_eq!(result.server, Ok(()));
    assert_eq!(result.client, Ok(()));
    (client, server)
}

fn handshakes(c: &mut Criterion) {
    let setup = setup();
    for (version, label) in [
        (ProtocolVersion::TLSv1_3, "tls13"),
        (ProtocolVersion::TLSv1_2, "tls12"),
    ] {
        let mut group = c.benchmark_group(format!("mtls_handshake/{label}"));
        for (name, verifier) in verifiers(&setup) {
            let (client, server) = handshake_once(&setup, &verifier, version);
            group.bench_function(name, |b| {
                b.iter(|| black_box(tls::handshake(client.clone(), server.clone())))
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("verify_client_cert");
    let now = setup.clock.now();
    let (end_entity, intermediates) = setup.client.chain.split_first().unwrap();
    for (name, verifier) in verifiers(&setup) {
        verifier
            .verify_client_cert(end_entity, intermediates, now)
            .unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                verifier
                    .verify_client_cert(black_box(end_entity), black_box(intermediates), now)
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// The two verifiers in alternating batches: the medians, and the median of the paired
/// differences, which the load of a shared machine drifts far less.
fn paired(setup: &Setup) {
    const ROUNDS: usize = 120;
    const BATCH: u32 = 8;
    for (version, label) in [
        (ProtocolVersion::TLSv1_3, "tls13"),
        (ProtocolVersion::TLSv1_2, "tls12"),
    ] {
        let [(_, webpki), (_, ocsp)] = verifiers(setup);
        let pairs = [
            handshake_once(setup, &webpki, version),
            handshake_once(setup, &ocsp, version),
        ];
        let handshake =
            |(client, server): &(Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>)| {
                black_box(tls::handshake(client.clone(), server.clone()));
            };
        let times = paired::alternate(
            ROUNDS,
            BATCH,
            || handshake(&pairs[0]),
            || handshake(&pairs[1]),
        );
        let (without, with, added) = (times.a, times.b, times.added);
        println!(
            "paired/{label}: webpki {without:.1} µs, webpki+ocsp-verify (warm) {with:.1} µs, \
             added {added:.1} µs, ratio {:.3} (medians of {ROUNDS} alternating batches of {BATCH})",
            (without + added) / without
        );
    }
}

/// Handshake times with a dead responder, each policy: refused at once, and silent past the
/// budget; with the failure memory off (every handshake that finds no fetch running asks
/// again: failures are remembered for the shortest backoff, a second, and a manual monotonic
/// clock moves on by a second before each handshake) and on (the defaults).
fn dead_responder(setup: &Setup) {
    let budget = OcspClientCertVerifier::DEFAULT_HANDSHAKE_BUDGET;
    for responder in ["refused", "silent"] {
        for (policy, preset) in [
            (Policy::soft_fail(), "soft-fail"),
            (Policy::hard_fail(), "hard-fail"),
        ] {
            for memory in [false, true] {
                // A fresh responder for each run (the canned server stops after 30 s).
                let silent =
                    support::Canned::start(support::Answer::Silent(Duration::from_secs(20)));
                let url = match responder {
                    "refused" => format!("http://127.0.0.1:{}/", support::dead_port()),
                    _ => silent.url(),
                };
                let client = setup.pki.client(GOOD[1], &setup.pki.intermediate, &[&url]);
                let builder = OcspClientCertVerifier::builder(
                    webpki(&setup.pki),
                    setup.pki.roots(),
                    mtls_pki::provider(),
                    policy,
                )
                .with_prefetch(PrefetchOptions::disabled());
                let forgetful = ManualMonotonicClock::new();
                let verifier = if memory {
                    builder
                } else {
                    let second = Backoff::new(Duration::from_secs(1), Duration::from_secs(1))
                        .with_jitter_percent(0);
                    let cache =
                        ResponseCache::new(CacheOptions::new().with_failure_backoff(second))
                            .with_monotonic_clock(Arc::new(forgetful.clone()));
                    builder
                        .with_cache(Arc::new(cache))
                        .with_responder_backoff(second)
                        .with_monotonic_clock(Arc::new(forgetful.clone()))
                }
                .build()
                .unwrap();
                let server = server_config(
                    &setup.pki,
                    verifier.clone(),
                    Arc::clone(&setup.clock),
                    ProtocolVersion::TLSv1_3,
                );
                let config = client_config(&setup.pki, &client, ProtocolVersion::TLSv1_3);
                let samples = if responder == "silent" { 6 } else { 40 };
                let mut times = Vec::new();
                for _ in 0..samples {
                    if !memory {
                        forgetful.advance(Duration::from_secs(1));
                    }
                    let start = Instant::now();
                    let result = tls::handshake(config.clone(), server.clone());
                    times.push(start.elapsed().as_secs_f64() * 1e3);
                    assert_eq!(result.server.is_ok(), preset == "soft-fail");
                }
                let first = times.remove(0);
                println!(
                    "dead responder ({responder}), {preset}, failure memory {}: first handshake \
                     {first:.2} ms, the next {} median {:.3} ms, max {:.3} ms (budget {} ms; \
                     verdict {}; {} requests)",
                    if memory { "on" } else { "off" },
                    times.len(),
                    paired::median(times.clone()),
                    times.iter().copied().fold(0.0, f64::max),
                    budget.as_millis(),
                    if preset == "soft-fail" {
                        "accept"
                    } else {
                        "reject"
                    },
                    verifier.snapshot().requests()
                );
            }
        }
    }
}

/// 16 in-memory handshakes for one certificate at once, the responder answering after 300 ms.
fn concurrency(setup: &Setup) {
    let relay = Relay::start(setup.pki.responder.port, Duration::from_millis(300));
    let client = setup
        .pki
        .client(GOOD[2], &setup.pki.intermediate, &[&relay.url()]);
    let verifier = OcspClientCertVerifier::builder(
        webpki(&setup.pki),
        setup.pki.roots(),
        mtls_pki::provider(),
        Policy::hard_fail(),
    )
    .with_prefetch(PrefetchOptions::disabled())
    .build()
    .unwrap();
    let server = server_config(
        &setup.pki,
        verifier.clone(),
        Arc::clone(&setup.clock),
        ProtocolVersion::TLSv1_3,
    );
    let config = client_config(&setup.pki, &client, ProtocolVersion::TLSv1_3);
    let barrier = Arc::new(Barrier::new(16));
    let start = Instant::now();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (config, server, barrier) = (config.clone(), server.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                tls::handshake(config, server).server.is_ok()
            })
        })
        .collect();
    let accepted = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    let snapshot = verifier.snapshot();
    println!(
        "concurrency: 16 handshakes for one certificate in {:.0} ms, {accepted} accepted; \
         responder connections {}, fetches {}, fetched {}, shared {}, cache hits {}",
        start.elapsed().as_secs_f64() * 1e3,
        relay.connections(),
        snapshot.fetches(),
        snapshot.fetched(),
        snapshot.shared_fetches(),
        snapshot.cache_hits()
    );
}

criterion_group! {
    name = benches;
    // A 2-core machine shared with others: short runs, enough samples to see a few per cent.
    config = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = handshakes
}

/// `count VERIFIER VERSION ITERATIONS`: a plain loop of warm handshakes, for instruction counts
/// under `valgrind --tool=callgrind` (`benches/mtls-instructions.sh`). VERIFIER is `webpki` or
/// `webpki+ocsp-verify/warm`, VERSION `tls13` or `tls12`.
fn count(setup: &Setup, verifier: &str, version: &str, iterations: &str) {
    let version = match version {
        "tls13" => ProtocolVersion::TLSv1_3,
        "tls12" => ProtocolVersion::TLSv1_2,
        other => panic!("unknown version {other}"),
    };
    let (_, verifier) = verifiers(setup)
        .into_iter()
        .find(|(name, _)| *name == verifier)
        .expect("webpki or webpki+ocsp-verify/warm");
    let (client, server) = handshake_once(setup, &verifier, version);
    for _ in 0..iterations.parse::<u32>().unwrap() {
        let handshake = tls::handshake(client.clone(), server.clone());
        assert_eq!(black_box(handshake).server, Ok(()));
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
        count(&setup(), verifier, version, iterations);
        return;
    }
    benches();
    // Skipped when criterion is asked for a subset (`cargo bench -- NAME`) or a list.
    if std::env::args().skip(1).all(|arg| arg == "--bench") {
        let setup = setup();
        paired(&setup);
        dead_responder(&setup);
        concurrency(&setup);
    }
    Criterion::default().configure_from_args().final_summary();
}
