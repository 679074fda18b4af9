//! Parse and verify costs, each against its peer measured in the same run:
//!
//! - parse: ours against x509-ocsp's owned decode of the same bytes;
//! - verify: with the RustCrypto algorithms and with ring's (through rustls-webpki), each
//!   against the floor with the same backend: the bare signature check(s) plus the SHA-1 of
//!   the issuer name and key, nothing else;
//! - growth: verify for 1, 10, 100 and 1,000 SingleResponses (the asked one last) and for 1
//!   and 8 embedded certificates.
//!
//! `benches/README.md` holds the results as ratios.

// criterion_group! makes an undocumented public function.
#![allow(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

mod common;

use common::{Floor, MAIN_CASES, RING, case};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{Certificate, Issuer, Verifier, rustcrypto};

fn parse(c: &mut Criterion) {
    for name in MAIN_CASES {
        let case = case(name);
        let mut group = c.benchmark_group(format!("parse/{}", case.name));
        group.bench_function("ocsp-verify", |b| {
            b.iter(|| {
                let response = OcspResponse::from_der(black_box(&case.response)).unwrap();
                black_box(response.into_basic().unwrap());
            })
        });
        group.bench_function("x509-ocsp", |b| {
            use der07::Decode;
            b.iter(|| {
                let response =
                    x509_ocsp::OcspResponse::from_der(black_box(&case.response)).unwrap();
                let bytes = response.response_bytes.unwrap();
                black_box(
                    x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap(),
                );
            })
        });
        group.finish();
    }
}

fn verify(c: &mut Criterion) {
    for name in MAIN_CASES {
        let case = Box::leak(Box::new(case(name)));
        let response = Box::leak(Box::new(
            OcspResponse::from_der(&case.response)
                .unwrap()
                .into_basic()
                .unwrap(),
        ));
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        for (backend, algorithms) in [("rustcrypto", rustcrypto::ALL), ("ring", RING)] {
            let mut group = c.benchmark_group(format!("verify/{}/{backend}", case.name));
            let verifier = Verifier::new(algorithms);
            group.bench_function("ocsp-verify", |b| {
                b.iter(|| {
                    black_box(
                        verifier
                            .verify(
                                black_box(&case.response),
                                &cert,
                                &Issuer::from(&issuer),
                                None,
                                case.now,
                            )
                            .unwrap(),
                    )
                })
            });
            let floor = Floor::new(case, algorithms, response);
            group.bench_function("floor", |b| b.iter(|| floor.run()));
            group.finish();
        }
    }
}

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth/single-responses");
    for n in [1, 10, 100, 1000] {
        let case = case(match n {
            1 => "bench-singles-1",
            10 => "bench-singles-10",
            100 => "bench-singles-100",
            _ => "bench-singles-1000",
        });
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        let verifier = Verifier::new(rustcrypto::ALL).with_max_response_len(131_072);
        group.bench_with_input(BenchmarkId::new("verify", n), &case, |b, case| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(
                            black_box(&case.response),
                            &cert,
                            &Issuer::from(&issuer),
                            None,
                            case.now,
                        )
                        .unwrap(),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("parse", n), &case, |b, case| {
            b.iter(|| {
                let response =
                    OcspResponse::from_der_with_max_len(black_box(&case.response), 131_072)
                        .unwrap();
                black_box(response.into_basic().unwrap())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("growth/embedded-certificates");
    for (n, name) in [(1, "good-rsa-ca"), (8, "bench-certs-8")] {
        let case = case(name);
        let cert = Certificate::from_der(&case.cert).unwrap();
        let issuer = Certificate::from_der(&case.issuer).unwrap();
        let verifier = Verifier::new(rustcrypto::ALL);
        group.bench_with_input(BenchmarkId::new("verify", n), &case, |b, case| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(
                            black_box(&case.response),
                            &cert,
                            &Issuer::from(&issuer),
                            None,
                            case.now,
                        )
                        .unwrap(),
                )
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = parse, verify, growth
}
criterion_main!(benches);
