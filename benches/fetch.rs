//! What the fetch path costs beyond the network round trip.
//!
//! Each step of `Fetcher::fetch` alone (request encoding, the GET URL, verification, a cache
//! hit), then whole fetches against a loopback HTTP server that answers with a committed
//! `openssl ocsp` response, next to the bare HTTP round trip to the same server (ureq with
//! nothing of ours, and a raw `TcpStream`). When the openssl CLI is present, also a fetch
//! from a live `openssl ocsp` responder, which signs each answer.
//!
//! `cargo bench --features http --bench fetch`

// Benchmark code: a panic is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
// criterion_group! makes an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ocsp_verify::fetch::{CacheLookup, Fetcher, ResponseCache};
use ocsp_verify::requests::{OcspRequest, ReqCert, RequestBuilder, write_get_url};
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{Certificate, HashAlgorithm, Issuer, UnixTime, Verifier, rustcrypto};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/generated");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{path}")).unwrap()
}

/// A loopback server that answers every connection with `response` as an OCSP response,
/// one connection at a time, until the process ends.
fn serve(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.len()
    )
    .into_bytes();
    answer.extend_from_slice(&response);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let _ = stream.write_all(&answer);
                    break;
                }
            }
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn bench(c: &mut Criterion) {
    // The P-256 chain with a delegated responder, answered by `openssl ocsp`; and the RSA one
    // with the request nonce echoed.
    let p256_response = read("responses/openssl-responder-p256-delegated.der");
    let (p256_cert, p256_issuer) = (read("pki/p256-ee.der"), read("pki/p256-ca.der"));
    let p256_cert = Certificate::from_der(&p256_cert).unwrap();
    let p256_issuer = Issuer::from(&Certificate::from_der(&p256_issuer).unwrap());
    let rsa_response = read("responses/openssl-responder-delegated-nonce.der");
    let rsa_request = read("responses/openssl-responder-delegated-nonce.request.der");
    let (rsa_cert, rsa_issuer) = (read("pki/rsa-ee.der"), read("pki/rsa-ca.der"));
    let rsa_cert = Certificate::from_der(&rsa_cert).unwrap();
    let rsa_issuer = Issuer::from(&Certificate::from_der(&rsa_issuer).unwrap());
    let rsa_nonce = OcspRequest::from_der(&rsa_request)
        .unwrap()
        .nonce()
        .unwrap()
        .unwrap()
        .to_vec();
    let produced = |der: &[u8]| {
        let at = OcspResponse::from_der(der)
            .unwrap()
            .basic()
            .unwrap()
            .response_data()
            .produced_at();
        UnixTime::since_unix_epoch(Duration::from_secs(at.as_secs() + 60))
    };
    let p256_now = produced(&p256_response);
    let rsa_now = produced(&rsa_response);
    let verifier = Verifier::new(rustcrypto::ALL);
    let nonce = [0x5A; 32];

    let mut steps = c.benchmark_group("steps");
    steps.bench_function("encode request (SHA-1, 32-octet nonce)", |b| {
        let request = RequestBuilder::new(&p256_cert, &p256_issuer);
        let mut out = [0u8; 256];
        b.iter(|| black_box(request.encode(Some(&nonce), black_box(&mut out)).unwrap()))
    });
    let mut der = [0u8; 256];
    let der_len = RequestBuilder::new(&p256_cert, &p256_issuer)
        .encode(Some(&nonce), &mut der)
        .unwrap();
    steps.bench_function("GET URL", |b| {
        let mut out = [0u8; 512];
        b.iter(|| {
            black_box(write_get_url("http://127.0.0.1:8080/", &der[..der_len], &mut out).unwrap())
        })
    });
    steps.bench_function("verify P-256 delegated", |b| {
        b.iter(|| {
            black_box(
                verifier
                    .verify(&p256_response, &p256_cert, &p256_issuer, None, p256_now)
                    .unwrap(),
            )
        })
    });
    steps.bench_function("verify RSA-2048 delegated + nonce", |b| {
        b.iter(|| {
            black_box(
                verifier
                    .verify(
                        &rsa_response,
                        &rsa_cert,
                        &rsa_issuer,
                        Some(&rsa_nonce),
                        rsa_now,
                    )
                    .unwrap(),
            )
        })
    });
    steps.bench_function("parse only (the fetcher's nonsense check)", |b| {
        b.iter(|| black_box(OcspResponse::from_der(&p256_response).unwrap()))
    });
    let cache = ResponseCache::default();
    let server = serve(p256_response.clone());
    let fetched = Fetcher::new(verifier)
        .with_responder_url(Some(&server))
        .fetch(&p256_cert, &p256_issuer, None, p256_now)
        .unwrap();
    let req_cert = ReqCert::new(&p256_cert, &p256_issuer, HashAlgorithm::Sha1).unwrap();
    cache.offer(&req_cert, fetched, p256_now).unwrap();
    steps.bench_function("cache hit (CertID hashes + lookup)", |b| {
        b.iter(|| {
            let id = ReqCert::new(&p256_cert, &p256_issuer, HashAlgorithm::Sha1).unwrap();
            match cache.lookup(&id, p256_now) {
                CacheLookup::Hit(response) => black_box(response),
                other => panic!("{other}"),
            }
        })
    });
    steps.finish();

    let mut loopback = c.benchmark_group("loopback");
    loopback.sample_size(200);
    let raw_server = serve(p256_response.clone());
    let raw_addr = raw_server
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    loopback.bench_function("raw TcpStream round trip", |b| {
        b.iter(|| {
            let mut stream = TcpStream::connect(&raw_addr).unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut out = Vec::with_capacity(4096);
            stream.read_to_end(&mut out).unwrap();
            black_box(out)
        })
    });
    let get_url = {
        let mut out = [0u8; 512];
        let len = write_get_url(&server, &der[..der_len], &mut out).unwrap();
        String::from_utf8(out[..len].to_vec()).unwrap()
    };
    loopback.bench_function("ureq GET round trip (nothing of ours)", |b| {
        b.iter(|| {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into();
            let mut response = agent.get(&get_url).call().unwrap();
            black_box(response.body_mut().read_to_vec().unwrap())
        })
    });
    let fetcher = Fetcher::new(verifier);
    loopback.bench_function("Fetcher::fetch (P-256)", |b| {
        b.iter(|| {
            black_box(
                fetcher
                    .with_responder_url(Some(&server))
                    .fetch(&p256_cert, &p256_issuer, None, p256_now)
                    .unwrap(),
            )
        })
    });
    let rsa_server = serve(rsa_response.clone());
    loopback.bench_function("Fetcher::fetch (RSA, nonce)", |b| {
        b.iter(|| {
            black_box(
                fetcher
                    .with_responder_url(Some(&rsa_server))
                    .fetch(&rsa_cert, &rsa_issuer, Some(&rsa_nonce), rsa_now)
                    .unwrap(),
            )
        })
    });
    let shared = Arc::new(ResponseCache::default());
    let fetcher = fetcher.with_responder_url(Some(&server));
    loopback.bench_function("Fetcher::fetch_cached, hit", |b| {
        fetcher
            .fetch_cached(&shared, &p256_cert, &p256_issuer, None, p256_now)
            .unwrap();
        b.iter(|| {
            black_box(
                fetcher
                    .fetch_cached(&shared, &p256_cert, &p256_issuer, None, p256_now)
                    .unwrap(),
            )
        })
    });
    loopback.finish();

    live_openssl(c);
}

/// A fetch from a live `openssl ocsp` responder, which signs every answer (ECDSA P-256 with
/// the generated delegated responder). Skipped without the openssl CLI.
fn live_openssl(c: &mut Criterion) {
    use std::process::{Command, Stdio};
    if Command::new("openssl").arg("version").output().is_err() {
        println!("skipping the live openssl responder: no openssl CLI");
        return;
    }
    let dir = std::env::temp_dir().join(format!("ocsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // p256-ee is serial 0x3001.
    std::fs::write(
        dir.join("index.txt"),
        "V\t351231235959Z\t\t3001\tunknown\t/CN=p256-ee\n",
    )
    .unwrap();
    let log = dir.join("log");
    let out = std::fs::File::create(&log).unwrap();
    let pki = format!("{DIR}/pki");
    let mut child = Command::new("openssl")
        .args(["ocsp", "-index", "index.txt", "-port", "0", "-nmin", "60"])
        .args(["-rsigner", &format!("{pki}/p256-responder.pem")])
        .args(["-rkey", &format!("{pki}/p256-responder.key")])
        .args(["-CA", &format!("{pki}/p256-ca.pem")])
        .current_dir(&dir)
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let mut port = None;
    for _ in 0..500 {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        port = text
            .lines()
            .find_map(|l| l.strip_prefix("ACCEPT "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.rsplit(':').next())
            .and_then(|p| p.parse::<u16>().ok());
        if port.is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let url = format!("http://127.0.0.1:{}/", port.unwrap());
    let (cert, issuer) = (read("pki/p256-ee.der"), read("pki/p256-ca.der"));
    let cert = Certificate::from_der(&cert).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(&issuer).unwrap());
    let nonce = [0x33; 32];
    let fetcher = Fetcher::new(Verifier::new(rustcrypto::ALL));
    let mut group = c.benchmark_group("live openssl ocsp");
    group.sample_size(50);
    group.bench_function("Fetcher::fetch with nonce", |b| {
        b.iter(|| {
            black_box(
                fetcher
                    .with_responder_url(Some(&url))
                    .fetch(&cert, &issuer, Some(&nonce), UnixTime::now())
                    .unwrap(),
            )
        })
    });
    group.finish();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
