//! What the stapler costs a server, in the same run against rustls alone:
//!
//! - handshakes (full, in memory, ring, ECDSA P-256 chain, a rustls client with its default
//!   `WebPkiServerVerifier`): rustls with one certificate and no staple (`bare`), rustls with a
//!   fixed staple (`static-staple`: the bytes on the wire alone), the stapler with nothing to
//!   staple (`stapler-none`: the resolver alone), and the stapler stapling (`stapler-staple`);
//! - `week`: the fetches of a simulated week against a CA that signs seven-day answers every
//!   four days, without jitter and with the default jitter over many seeds;
//! - `memory`: the bytes a stapled certificate holds.
//!
//! ```text
//! cargo bench --bench stapler --features stapler                # criterion, then paired batches
//! cargo bench --bench stapler --features stapler -- week        # the simulated week
//! cargo bench --bench stapler --features stapler -- memory      # bytes per certificate
//! benches/stapler-instructions.sh                               # callgrind counts
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

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "common/paired.rs"]
mod paired;
#[path = "../tests/tls/mod.rs"]
mod tls;

use std::alloc::System;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use common::stapling::{SIMULATED_RESPONDER, ocsp_ok, simulate, tls_server};
use criterion::{Criterion, criterion_group};
use ocsp_verify::fetch::{
    HttpRequest, HttpResponse, RefreshSchedule, Transport, TransportError, Unreachable,
};
use ocsp_verify::stapling::{StapledCertificate, Stapler};
use rustls::{ProtocolVersion, ServerConfig};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

// Counts bytes for `memory`; the same few atomic additions on every allocation for every
// variant of the other measurements.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A transport that answers with fixed bytes (or is refused, with none).
#[derive(Debug)]
struct Fixed(Option<Vec<u8>>);

impl Transport for Fixed {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        match &self.0 {
            Some(bytes) => Ok(ocsp_ok(bytes.clone())),
            None => Err(TransportError::Unreachable(Unreachable::Connect(
                "refused".into(),
            ))),
        }
    }
}

/// A stapler for `tls-server` at the TLS vectors' time, having fetched `staple`.
fn stapler(staple: Option<Vec<u8>>) -> Arc<Stapler> {
    let provider = tls::provider();
    let stapler = Stapler::builder(Arc::clone(&provider))
        .with_time_provider(Arc::new(tls::FixedTime))
        .with_transport(Arc::new(Fixed(staple.clone())))
        .with_certificate(
            StapledCertificate::new(tls_server(&provider)).with_responder_url(SIMULATED_RESPONDER),
        )
        .build()
        .unwrap();
    stapler.refresh_due();
    assert_eq!(stapler.snapshots()[0].answer().is_some(), staple.is_some());
    stapler
}

const SERVERS: [&str; 4] = ["bare", "static-staple", "stapler-none", "stapler-staple"];

fn server(name: &str, version: ProtocolVersion) -> Arc<ServerConfig> {
    let staple = tls::response("tls/tls-server-good");
    let with_resolver = |stapler: Arc<Stapler>| {
        let config = ServerConfig::builder_with_details(tls::provider(), Arc::new(tls::FixedTime))
            .with_protocol_versions(tls::versions(version))
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(stapler);
        Arc::new(config)
    };
    match name {
        "bare" => tls::server_config(tls::Server::Intermediate, None, version),
        "static-staple" => tls::server_config(tls::Server::Intermediate, Some(staple), version),
        "stapler-none" => with_resolver(stapler(None)),
        "stapler-staple" => with_resolver(stapler(Some(staple))),
        other => panic!("unknown server {other}"),
    }
}

fn client(version: ProtocolVersion) -> Arc<rustls::ClientConfig> {
    tls::client_config(tls::webpki_verifier(), version)
}

const VERSIONS: [(ProtocolVersion, &str); 2] = [
    (ProtocolVersion::TLSv1_3, "tls13"),
    (ProtocolVersion::TLSv1_2, "tls12"),
];

fn handshakes(c: &mut Criterion) {
    for (version, label) in VERSIONS {
        let mut group = c.benchmark_group(format!("stapler-handshake/{label}"));
        let client = client(version);
        for name in SERVERS {
            let server = server(name, version);
            let result = tls::handshake(client.clone(), server.clone());
            assert_eq!(result.client, Ok(()), "{name}");
            group.bench_function(name, |b| {
                b.iter(|| black_box(tls::handshake(client.clone(), server.clone())))
            });
        }
        group.finish();
    }
}

/// Alternating batches of two servers, for a ratio that load drift on a shared machine does
/// not skew: the medians, and the median of the paired differences.
fn paired() {
    const ROUNDS: usize = 150;
    const BATCH: u32 = 8;
    for (version, label) in VERSIONS {
        let client = client(version);
        for (base, other) in [
            ("bare", "stapler-staple"),
            ("static-staple", "stapler-staple"),
        ] {
            let servers = [server(base, version), server(other, version)];
            let handshake = |server: &Arc<ServerConfig>| {
                black_box(tls::handshake(client.clone(), server.clone()));
            };
            let times = paired::alternate(
                ROUNDS,
                BATCH,
                || handshake(&servers[0]),
                || handshake(&servers[1]),
            );
            let (without, with, added) = (times.a, times.b, times.added);
            println!(
                "paired/{label}: {base} {without:.1} µs, {other} {with:.1} µs, added \
                 {added:.1} µs ({:+.2}%), medians of {ROUNDS} alternating batches of {BATCH}",
                100.0 * added / without
            );
        }
    }
}

/// The fetches of a simulated week: the schedule without jitter, and the count with the
/// default jitter over 1,000 seeds.
fn week() {
    let days = |secs: u64| Duration::from_secs(secs).as_secs_f64() / 86_400.0;
    let float = |count: usize| f64::from(u32::try_from(count).unwrap());
    println!("7-day answers signed every 4 days, one week (days from the start):");
    let exact = simulate(7, RefreshSchedule::new().with_jitter_percent(0), 0);
    for (now, this_update) in &exact {
        println!(
            "  no jitter: fetch at {:5.2}, gets the answer signed at {:.0}",
            days(*now),
            days(*this_update)
        );
    }
    println!("  no jitter: {} fetches", exact.len());
    for seed in 1..=3 {
        let run = simulate(7, RefreshSchedule::new(), seed);
        let times: Vec<String> = run
            .iter()
            .map(|(now, _)| format!("{:.2}", days(*now)))
            .collect();
        println!(
            "  jitter 20 %, seed {seed}: fetches at {}",
            times.join(", ")
        );
    }
    let mut counts = std::collections::BTreeMap::new();
    let mut total = 0;
    for seed in 0..1000 {
        let fetches = simulate(7, RefreshSchedule::new(), seed).len();
        *counts.entry(fetches).or_insert(0) += 1;
        total += fetches;
    }
    println!(
        "  jitter 20 %, 1,000 seeds: {counts:?} (fetches: runs), mean {:.2} fetches a week",
        float(total) / 1000.0
    );
    let long = simulate(70, RefreshSchedule::new().with_jitter_percent(0), 0);
    println!(
        "  no jitter, 10 weeks: {} fetches ({:.2} a week)",
        long.len(),
        float(long.len()) / 10.0
    );
}

/// Bytes held: by the stapler for one certificate before and after its first staple, and by
/// each further certificate.
fn memory() {
    let held = |region: &Region<'_, System>| {
        let change = region.change();
        isize::try_from(change.bytes_allocated).unwrap()
            - isize::try_from(change.bytes_deallocated).unwrap()
            + change.bytes_reallocated
    };
    let provider = tls::provider();
    let staple = tls::response("tls/tls-server-good");
    let certificate = tls_server(&provider);
    let region = Region::new(GLOBAL);
    let stapler = Stapler::builder(Arc::clone(&provider))
        .with_time_provider(Arc::new(tls::FixedTime))
        .with_transport(Arc::new(Fixed(Some(staple.clone()))))
        .with_certificate(
            StapledCertificate::new(Arc::clone(&certificate))
                .with_label("tls-server")
                .with_responder_url(SIMULATED_RESPONDER),
        )
        .build()
        .unwrap();
    let built = held(&region);
    stapler.refresh_due();
    let stapled = held(&region);
    let chain: usize = certificate.cert.iter().map(|c| c.len()).sum();
    println!(
        "one certificate (chain {chain} bytes, response {} bytes), the CertifiedKey itself not \
         counted:",
        staple.len()
    );
    println!("  stapler built, nothing stapled yet: {built} bytes");
    println!(
        "  after the first staple: {stapled} bytes (+{} for the stapled copy of the chain and \
         the response)",
        stapled - built
    );
    let region = Region::new(GLOBAL);
    stapler.refresh_now();
    println!(
        "  a refresh with the same bytes: {} bytes more",
        held(&region)
    );
    drop(stapler);
    // Two certificates: the second one's share.
    let other = {
        let chain = vec![tls::cert("tls-server-muststaple"), tls::cert("tls-int")];
        let key = provider
            .key_provider
            .load_private_key(tls::key("tls-server-muststaple"))
            .unwrap();
        Arc::new(rustls::sign::CertifiedKey::new(chain, key))
    };
    let region = Region::new(GLOBAL);
    let one = Stapler::builder(Arc::clone(&provider))
        .with_time_provider(Arc::new(tls::FixedTime))
        .with_transport(Arc::new(Fixed(None)))
        .with_certificate(StapledCertificate::new(Arc::clone(&certificate)).with_label("a"))
        .build()
        .unwrap();
    let single = held(&region);
    drop(one);
    let region = Region::new(GLOBAL);
    let two = Stapler::builder(Arc::clone(&provider))
        .with_time_provider(Arc::new(tls::FixedTime))
        .with_transport(Arc::new(Fixed(None)))
        .with_certificate(StapledCertificate::new(Arc::clone(&certificate)).with_label("a"))
        .with_certificate(StapledCertificate::new(other).with_label("b"))
        .build()
        .unwrap();
    println!(
        "  a stapler with two certificates (unstapled) holds {} bytes; with one, {single}",
        held(&region)
    );
    drop(two);
}

criterion_group! {
    name = benches;
    // A 2-core machine shared with others: short runs, enough samples to see a difference of
    // a per cent or two.
    config = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = handshakes
}

/// `count SERVER VERSION ITERATIONS`: a plain loop of handshakes, for instruction counts under
/// `valgrind --tool=callgrind` (repeatable on a shared machine). SERVER is one of `bare`,
/// `static-staple`, `stapler-none`, `stapler-staple`; VERSION `tls13` or `tls12`.
fn count(name: &str, version: &str, iterations: &str) {
    let version = match version {
        "tls13" => ProtocolVersion::TLSv1_3,
        "tls12" => ProtocolVersion::TLSv1_2,
        other => panic!("unknown version {other}"),
    };
    let (client, server) = (client(version), server(name, version));
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
    match args.first().map(String::as_str) {
        Some("count") if args.len() == 4 => count(&args[1], &args[2], &args[3]),
        Some("week") => week(),
        Some("memory") => memory(),
        Some("paired") => paired(),
        _ => {
            benches();
            Criterion::default().configure_from_args().final_summary();
            paired();
        }
    }
}
