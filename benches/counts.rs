//! A plain loop over one measured operation, for instruction counts under
//! `valgrind --tool=callgrind` (see `benches/instructions.sh`). The machine this project is
//! measured on is shared and noisy; instruction counts are not, so they back the criterion
//! timings with ratios that repeat exactly.
//!
//! `cargo bench --bench counts -- OPERATION CASE ITERATIONS`, where OPERATION is one of
//! `parse`, `parse-x509-ocsp`, `verify-rustcrypto`, `floor-rustcrypto`, `verify-ring`,
//! `floor-ring`, and CASE a vector name of `test-vectors/generated/manifest.json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::hint::black_box;

use common::{Floor, RING, case};
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{Certificate, Issuer, Verifier, rustcrypto};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [operation, name, iterations] = args.as_slice() else {
        // A plain `cargo bench` runs this too, with no arguments: nothing to measure then.
        eprintln!(
            "counts: run by benches/instructions.sh (usage: counts OPERATION CASE ITERATIONS)"
        );
        return;
    };
    let iterations: usize = iterations.parse().unwrap();
    let name: &'static str = Box::leak(name.clone().into_boxed_str());
    let case = Box::leak(Box::new(case(name)));
    let max_len = 131_072;
    let cert = Certificate::from_der(&case.cert).unwrap();
    let issuer = Certificate::from_der(&case.issuer).unwrap();
    let basic = Box::leak(Box::new(
        OcspResponse::from_der_with_max_len(&case.response, max_len)
            .unwrap()
            .into_basic()
            .unwrap(),
    ));
    let rustcrypto_floor = Floor::new(case, rustcrypto::ALL, basic);
    let ring_floor = Floor::new(case, RING, basic);
    let verify = |algorithms| {
        let verifier = Verifier::new(algorithms).with_max_response_len(max_len);
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
        );
    };
    for _ in 0..iterations {
        match operation.as_str() {
            "parse" => {
                let response =
                    OcspResponse::from_der_with_max_len(black_box(&case.response), max_len)
                        .unwrap();
                black_box(response.into_basic().unwrap());
            }
            "parse-x509-ocsp" => {
                use der07::Decode;
                let response =
                    x509_ocsp::OcspResponse::from_der(black_box(&case.response)).unwrap();
                let bytes = response.response_bytes.unwrap();
                black_box(
                    x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap(),
                );
            }
            "verify-rustcrypto" => verify(rustcrypto::ALL),
            "verify-ring" => verify(RING),
            "floor-rustcrypto" => rustcrypto_floor.run(),
            "floor-ring" => ring_floor.run(),
            other => panic!("unknown operation {other}"),
        }
    }
}
