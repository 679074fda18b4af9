//! Property tests (proptest) and exhaustive mutation sweeps: no input panics; structure-aware
//! responses built around a valid template and re-signed are accepted exactly when the
//! profile (docs/design.md) allows; every bit flip in signed bytes is refused; long and deep inputs
//! cost linear time.

// Verification needs both RustCrypto backends (the vectors are RSA and ECDSA signed).
#![cfg(all(feature = "ecdsa", feature = "rsa"))]
// Test code: a panic is a failed test, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../fuzz/src/entry.rs"]
mod entry;

use std::time::{Duration, Instant};

use common::der_builder::*;
use common::read;
use ocsp_verify::views::OcspResponse;
use ocsp_verify::{
    CertStatus, Certificate, Error, Issuer, ResponderAuthorization, SignatureVerificationAlgorithm,
    Structure, VerifiedResponse, Verifier, rustcrypto,
};
use proptest::prelude::*;
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, alg_id};

/// 2026-01-01T00:00:00Z: thisUpdate and producedAt of the generated vectors.
const THIS_UPDATE: u64 = 1_767_225_600;
/// An hour later: their `now`.
const NOW: u64 = THIS_UPDATE + 3600;
const WEEK: u64 = 7 * 86_400;

/// The generated P-256 PKI: end entity, CA, delegated responder, and the two keys.
struct Pki {
    ee: Vec<u8>,
    ca: Vec<u8>,
    responder: Vec<u8>,
    ca_key: P256Key,
    responder_key: P256Key,
}

fn pki() -> Pki {
    Pki {
        ee: read("generated/pki/p256-ee.der"),
        ca: read("generated/pki/p256-ca.der"),
        responder: read("generated/pki/p256-responder.der"),
        ca_key: P256Key::load("p256-ca"),
        responder_key: P256Key::load("p256-responder"),
    }
}

/// The template: one good answer about p256-ee, thisUpdate 2026-01-01, nextUpdate a week later.
fn template(ee: &Certificate<'_>, ca: &Certificate<'_>, responder: Responder) -> ResponseData {
    ResponseData {
        responder,
        produced_at: THIS_UPDATE,
        singles: vec![
            Single {
                cert_id: cert_id(ee, ca, ee.serial()),
                status: Status::Good,
                this_update: THIS_UPDATE,
                next_update: Some(THIS_UPDATE + WEEK),
                extensions: None,
            }
            .encode(),
        ],
        extensions: None,
    }
}

#[test]
fn the_builder_reproduces_the_generated_p256_vectors() {
    let pki = pki();
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    let responder = Certificate::from_der(&pki.responder).unwrap();
    let by_ca = pki
        .ca_key
        .respond(&template(&ee, &ca, Responder::by_name(&ca)), &[]);
    assert_eq!(by_ca, read("generated/responses/good-p256-ca.der"));
    let delegated = pki.responder_key.respond(
        &template(&ee, &ca, Responder::by_name(&responder)),
        &[&pki.responder],
    );
    assert_eq!(
        delegated,
        read("generated/responses/good-p256-delegated.der")
    );
}

// ---------------------------------------------------------------------------------------------
// No input panics.
// ---------------------------------------------------------------------------------------------

/// Every DER file of `test-vectors/` (responses, certificates, requests), by relative path.
fn vector_files() -> Vec<(String, Vec<u8>)> {
    let root = common::vectors();
    let mut out = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "der") {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() > 250, "only {} vectors", out.len());
    out
}

/// Whether the file is an `OCSPResponse` (its first inner element is the ENUMERATED status).
fn is_response(der: &[u8]) -> bool {
    let inner = match der.get(1) {
        Some(len) if *len < 0x80 => 2,
        Some(len) => 2 + usize::from(len & 0x7F),
        None => return false,
    };
    der.first() == Some(&0x30) && der.get(inner) == Some(&0x0A)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1024)) {
        entry::parse_response(&data);
        entry::parse_certificate(&data);
        entry::parse_request(&data);
        entry::verify(&data);
    }

    /// Arbitrary bytes behind a plausible header get past the first length check.
    #[test]
    fn arbitrary_bytes_in_a_sequence_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let wrapped = seq(&[&data]);
        entry::parse_response(&wrapped);
        entry::parse_certificate(&wrapped);
        entry::parse_request(&wrapped);
        let response = seq(&[&unsigned(0x0A, 0), &explicit(0, &data)]);
        entry::parse_response(&response);
        entry::verify(&response);
    }
}

/// A strict DER parser accepts no proper prefix of a valid encoding: the outer length always
/// claims more than is there. So every truncation of a vector that parses is refused, not
/// merely survived; the truncations of the vectors that are refused on purpose (some of which
/// have a valid prefix, such as the one with a trailing byte) must only not panic.
#[test]
fn every_truncation_of_every_vector_is_refused() {
    let mut refused = 0usize;
    let mut survived = 0usize;
    for (name, der) in vector_files() {
        let response = is_response(&der);
        let parses = |bytes: &[u8]| {
            if response {
                OcspResponse::from_der_with_max_len(bytes, 1 << 20).is_ok()
            } else {
                Certificate::from_der(bytes).is_ok()
            }
        };
        let whole = parses(&der);
        for len in 0..der.len() {
            if whole {
                assert!(!parses(&der[..len]), "{name}[..{len}] parsed");
                refused += 1;
            } else {
                let _ = parses(&der[..len]);
                survived += 1;
            }
        }
    }
    eprintln!(
        "{refused} truncations of valid vectors refused, {survived} of invalid ones survived"
    );
}

/// The replacement values tried at every position: the extremes of a tag or length byte, and
/// the top and bottom bit flipped (every other single bit is flipped by the bit-flip sweeps
/// below, on two whole responses).
fn byte_changes(original: u8) -> impl Iterator<Item = u8> {
    [0x00, 0xFF, original ^ 0x80, original ^ 0x01]
        .into_iter()
        .filter(move |b| *b != original)
}

/// Runs `work` over `items` on two threads (the machine this must run on has two cores).
fn in_parallel<T: Sync>(items: &[T], work: impl Fn(&T) -> usize + Sync) -> usize {
    let (left, right) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| right.iter().map(&work).sum::<usize>());
        left.iter().map(&work).sum::<usize>() + other.join().unwrap()
    })
}

/// Every position of every real-world response and certificate, changed to each value of
/// [`byte_changes`], through both parsers and all their accessors (the fuzz entry points, which
/// also assert the views' invariants). The generated vectors get the same treatment from the
/// fuzzer's seeds; sweeping them here as well would take minutes in a debug build.
#[test]
fn every_single_byte_change_of_every_real_world_vector_parses_or_fails_cleanly() {
    let files: Vec<_> = vector_files()
        .into_iter()
        .filter(|(name, _)| name.starts_with("real-world"))
        .collect();
    let changed = in_parallel(&files, |(_, der)| {
        let response = is_response(der);
        let mut copy = der.clone();
        let mut changed = 0;
        for at in 0..der.len() {
            for value in byte_changes(der[at]) {
                copy[at] = value;
                if response {
                    entry::parse_response(&copy);
                } else {
                    // Certificates and requests both start with a SEQUENCE of a SEQUENCE:
                    // every such file goes through both parsers.
                    entry::parse_certificate(&copy);
                    entry::parse_request(&copy);
                }
                changed += 1;
            }
            copy[at] = der[at];
        }
        changed
    });
    eprintln!("{changed} single-byte changes parsed or refused without a panic");
}

/// A verification context of the real-world vectors: response, certificate, issuer, trusted
/// responders and time (unix seconds); SHA-1 signatures are allowed, as these need them.
struct RealCase {
    response: &'static str,
    cert: &'static str,
    issuer: &'static str,
    trusted: Option<&'static str>,
    now: u64,
}

/// Full verification of every single-byte change of three real-world responses (delegated,
/// issuer-signed, locally trusted): never a panic, and no change verifies except inside an
/// embedded certificate that plays no part (the locally trusted case embeds one).
#[test]
fn every_single_byte_change_of_real_responses_verifies_or_fails_cleanly() {
    let cases = [
        RealCase {
            response: "openssl/D1.der",
            cert: "openssl/D1_Cert_EE.der",
            issuer: "openssl/D1_Issuer_ICA.der",
            trusted: None,
            now: 1_350_991_536,
        },
        RealCase {
            response: "openssl/ND1.der",
            cert: "openssl/ND1_Cert_EE.der",
            issuer: "openssl/ND1_Issuer_ICA.der",
            trusted: None,
            now: 1_349_948_473,
        },
        RealCase {
            response: "golang-x-crypto/ocspResponseWithExtensionHex.der",
            cert: "golang-x-crypto/leafCertHex.der",
            issuer: "golang-x-crypto/issuerCertHex.der",
            trusted: Some("golang-x-crypto/responderCertHex.der"),
            now: 1_451_930_400,
        },
    ];
    let changed = in_parallel(&cases, |case| {
        let file = |path: &str| read(format!("real-world/{path}"));
        let (der, cert, issuer) = (file(case.response), file(case.cert), file(case.issuer));
        let trusted = case.trusted.map(file);
        let cert = Certificate::from_der(&cert).unwrap();
        let issuer = Certificate::from_der(&issuer).unwrap();
        let trusted: Vec<_> = trusted
            .iter()
            .map(|d| Certificate::from_der(d).unwrap())
            .collect();
        let verifier =
            Verifier::new(rustcrypto::ALL_WITH_LEGACY_SHA1).with_trusted_responders(&trusted);
        let now = unix(case.now);
        let original = verifier
            .verify(&der, &cert, &Issuer::from(&issuer), None, now)
            .unwrap();
        // The bytes of embedded certificates that play no part: all of them unless a delegated
        // responder signed (then its certificate is signed by the issuer). Nothing else may
        // change and still verify.
        let unused: Vec<std::ops::Range<usize>> =
            if original.answer().responder() == ResponderAuthorization::Delegated {
                Vec::new()
            } else {
                let basic = OcspResponse::from_der(&der).unwrap().into_basic().unwrap();
                basic
                    .certs()
                    .map(|c| {
                        let c = c.unwrap().der();
                        let start = der.windows(c.len()).position(|w| w == c).unwrap();
                        start..start + c.len()
                    })
                    .collect()
            };
        let mut copy = der.clone();
        let mut changed = 0;
        for at in 0..der.len() {
            for value in byte_changes(der[at]) {
                copy[at] = value;
                if let Ok(verified) =
                    verifier.verify(&copy, &cert, &Issuer::from(&issuer), None, now)
                {
                    assert!(
                        unused.iter().any(|r| r.contains(&at)),
                        "{}: byte {at} changed to {value:#04x} still verifies",
                        case.response
                    );
                    assert_eq!(verified.answer().status(), original.answer().status());
                    assert_eq!(
                        verified.answer().this_update(),
                        original.answer().this_update()
                    );
                }
                changed += 1;
            }
            copy[at] = der[at];
        }
        changed
    });
    eprintln!("{changed} changed responses verified without a panic");
}

// ---------------------------------------------------------------------------------------------
// Every bit flip in signed bytes is refused.
// ---------------------------------------------------------------------------------------------

/// Flips every bit of `der` in turn (two threads) and returns the positions whose flip the
/// verifier accepted.
fn accepted_bit_flips(der: &[u8], accepts: &(dyn Fn(&[u8]) -> bool + Sync)) -> Vec<usize> {
    let bits: Vec<usize> = (0..der.len() * 8).collect();
    let chunks: Vec<&[usize]> = bits.chunks(bits.len().div_ceil(2)).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut copy = der.to_vec();
                    let mut accepted = Vec::new();
                    for &bit in *chunk {
                        copy[bit / 8] ^= 1 << (bit % 8);
                        if accepts(&copy) {
                            accepted.push(bit);
                        }
                        copy[bit / 8] ^= 1 << (bit % 8);
                    }
                    accepted
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// Exhaustive: each of the 2,480 bits of the CA-signed P-256 vector and each of the 6,816 bits
/// of the delegated one (tbsResponseData, signature, and the responder certificate's signed
/// part, signature algorithm and signature) is flipped once; no flipped response verifies.
/// There is no unsigned byte in either: the outer envelope's every bit is structural (status,
/// tags, lengths, the responseType OID), so the sweep covers the whole file.
#[test]
fn every_bit_flip_of_a_p256_response_is_refused() {
    let pki = pki();
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    let verifier = Verifier::new(rustcrypto::ECDSA);
    for (name, responder) in [
        ("good-p256-ca", ResponderAuthorization::Issuer),
        ("good-p256-delegated", ResponderAuthorization::Delegated),
    ] {
        let der = read(format!("generated/responses/{name}.der"));
        let accepts = |bytes: &[u8]| {
            verifier
                .verify(bytes, &ee, &Issuer::from(&ca), None, unix(NOW))
                .is_ok()
        };
        let original = verifier
            .verify(&der, &ee, &Issuer::from(&ca), None, unix(NOW))
            .unwrap();
        assert_eq!(original.answer().responder(), responder);
        let accepted = accepted_bit_flips(&der, &accepts);
        assert!(
            accepted.is_empty(),
            "{name}: flips at bits {accepted:?} verified"
        );
        eprintln!("{name}: all {} bit flips refused", der.len() * 8);
    }
}

/// The same over a delegated RSA response of the real world (OpenSSL's D1, GlobalSign, SHA-1):
/// every bit of tbsResponseData, of the signature and of the embedded responder certificate.
#[test]
fn every_bit_flip_of_a_real_world_delegated_response_is_refused() {
    let der = read("real-world/openssl/D1.der");
    let cert = read("real-world/openssl/D1_Cert_EE.der");
    let issuer = read("real-world/openssl/D1_Issuer_ICA.der");
    let cert = Certificate::from_der(&cert).unwrap();
    let issuer = Certificate::from_der(&issuer).unwrap();
    let verifier = Verifier::new(rustcrypto::ALL_WITH_LEGACY_SHA1);
    let now = unix(1_350_991_536);
    let accepts = |bytes: &[u8]| {
        verifier
            .verify(bytes, &cert, &Issuer::from(&issuer), None, now)
            .is_ok()
    };
    let original = verifier
        .verify(&der, &cert, &Issuer::from(&issuer), None, now)
        .unwrap();
    assert_eq!(
        original.answer().responder(),
        ResponderAuthorization::Delegated
    );
    let accepted = accepted_bit_flips(&der, &accepts);
    assert!(
        accepted.is_empty(),
        "D1: flips at bits {accepted:?} verified"
    );
}

// ---------------------------------------------------------------------------------------------
// Structure-aware: responses built around the P-256 template, re-signed, verified against a
// model of the profile in docs/design.md.
// ---------------------------------------------------------------------------------------------

/// What a verification gave, reduced to what the models predict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted(Status, ResponderAuthorization),
    Refused(Error),
}

fn outcome(result: Result<VerifiedResponse<'_>, Error>) -> Outcome {
    match result {
        Ok(verified) => {
            let status = match verified.answer().status() {
                CertStatus::Good => Status::Good,
                CertStatus::Unknown => Status::Unknown,
                CertStatus::Revoked { time, reason } => Status::Revoked {
                    time: time.as_secs(),
                    reason: reason.map(|r| r.code()),
                },
            };
            Outcome::Accepted(status, verified.answer().responder())
        }
        Err(error) => Outcome::Refused(error),
    }
}

/// The verifier's time settings, as the models see them.
#[derive(Clone, Copy, Debug)]
struct Times {
    skew: u64,
    max_age: u64,
    max_age_without_next_update: u64,
    max_lifetime: u64,
}

impl Times {
    const DEFAULT: Self = Self {
        skew: 300,
        max_age: 7 * 86_400,
        max_age_without_next_update: 86_400,
        max_lifetime: 10 * 86_400,
    };

    fn verifier(self) -> Verifier<'static> {
        Verifier::new(rustcrypto::ECDSA)
            .with_clock_skew(Duration::from_secs(self.skew))
            .with_max_age(Duration::from_secs(self.max_age))
            .with_max_age_without_next_update(Duration::from_secs(self.max_age_without_next_update))
            .with_max_lifetime(Duration::from_secs(self.max_lifetime))
    }

    /// The largest age accepted for an answer with or without nextUpdate.
    fn max_age(self, has_next_update: bool) -> u64 {
        if has_next_update {
            self.max_age
        } else {
            self.max_age.min(self.max_age_without_next_update)
        }
    }
}

/// Profile rules 13 and 14, as the profile's table (docs/design.md) states them.
fn model_times(
    status: Status,
    this_update: u64,
    next_update: Option<u64>,
    now: u64,
    times: Times,
) -> Result<(), Error> {
    if let Some(next) = next_update
        && next < this_update
    {
        return Err(Error::NextUpdateBeforeThisUpdate);
    }
    // Rule 14: a good answer must be fresh, and so must a revocation on hold (reason 6); a
    // permanent revocation is reported whatever its window.
    let must_be_fresh = match status {
        Status::Good => true,
        Status::Revoked { reason, .. } => reason == Some(6),
        Status::Unknown => false,
    };
    if !must_be_fresh {
        return Ok(());
    }
    if let Some(next) = next_update
        && next - this_update > times.max_lifetime
    {
        return Err(Error::ResponseLifetimeTooLong);
    }
    if this_update > now + times.skew {
        return Err(Error::ResponseNotYetValid {
            time: unix(now),
            not_before: unix(this_update),
        });
    }
    if let Some(next) = next_update
        && now > next + times.skew
    {
        return Err(Error::ResponseExpired {
            time: unix(now),
            not_after: unix(next),
        });
    }
    let oldest = this_update + times.max_age(next_update.is_some());
    if now > oldest + times.skew {
        return Err(Error::ResponseTooOld {
            time: unix(now),
            not_after: unix(oldest),
        });
    }
    Ok(())
}

/// An offset in seconds that lands on and around the boundaries (the 5-minute skew, a day)
/// as often as far from them.
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3..=3i64,
        -310..=310i64,
        (-3..=3i64).prop_map(|d| 86_400 + d),
        -40 * 86_400..=40 * 86_400i64,
    ]
}

fn shifted(base: u64, by: i64) -> u64 {
    base.checked_add_signed(by).unwrap()
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        2 => Just(Status::Good),
        1 => Just(Status::Unknown),
        1 => (0..THIS_UPDATE, proptest::option::of(any::<u8>()))
            .prop_map(|(time, reason)| Status::Revoked { time, reason }),
    ]
}

fn times() -> impl Strategy<Value = Times> {
    (
        prop_oneof![Just(300u64), 0..=3600u64],
        prop_oneof![Just(7 * 86_400u64), 0..=14 * 86_400u64],
        prop_oneof![Just(86_400u64), 0..=7 * 86_400u64],
        prop_oneof![
            Just(10 * 86_400u64),
            0..=14 * 86_400u64,
            (-2..=2i64).prop_map(|d| shifted(WEEK, d)),
            Just(u64::MAX),
        ],
    )
        .prop_map(
            |(skew, max_age, max_age_without_next_update, max_lifetime)| Times {
                skew,
                max_age,
                max_age_without_next_update,
                max_lifetime,
            },
        )
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Integration tests have no lib.rs for proptest to store regressions beside; a failure
        // prints its minimal input, which becomes a plain test.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Random thisUpdate / nextUpdate / now triples, statuses and verifier settings: accepted
    /// exactly when rules 13 and 14 say so, with the exact error otherwise.
    #[test]
    fn freshness_follows_rules_13_and_14(
        this_offset in -30 * 86_400..=30 * 86_400i64,
        next_after in proptest::option::of(prop_oneof![offset(), (-3..=3i64).prop_map(|d| shifted(WEEK, d).cast_signed())]),
        now_from_next in any::<bool>(),
        now_offset in offset(),
        status in status(),
        times in times(),
    ) {
        let pki = pki();
        let ee = Certificate::from_der(&pki.ee).unwrap();
        let ca = Certificate::from_der(&pki.ca).unwrap();
        let this_update = shifted(THIS_UPDATE, this_offset);
        let next_update = next_after.map(|d| shifted(this_update, d));
        // `now` near thisUpdate, or near where the answer expires or grows too old.
        let anchor = match (now_from_next, next_update) {
            (true, Some(next)) if now_offset % 2 == 0 => next,
            (true, next) => this_update + times.max_age(next.is_some()),
            (false, _) => this_update,
        };
        let now = shifted(anchor, now_offset);
        let mut data = template(&ee, &ca, Responder::by_name(&ca));
        data.singles = vec![Single {
            cert_id: cert_id(&ee, &ca, ee.serial()),
            status,
            this_update,
            next_update,
            extensions: None,
        }.encode()];
        let response = pki.ca_key.respond(&data, &[]);
        let got = outcome(times.verifier().verify(&response, &ee, &Issuer::from(&ca), None, unix(now)));
        let expected = match reason_error(status) {
            Some(error) => Outcome::Refused(error),
            None => match model_times(status, this_update, next_update, now, times) {
                Ok(()) => Outcome::Accepted(status, ResponderAuthorization::Issuer),
                Err(error) => Outcome::Refused(error),
            },
        };
        prop_assert_eq!(got, expected);
    }

    /// Random statuses, revocation times and reason codes (all 256): rule 5 refuses 7 and
    /// anything above 10 as the response is parsed; every other answer comes back as signed.
    #[test]
    fn statuses_and_reasons_follow_rule_5(status in status()) {
        let pki = pki();
        let ee = Certificate::from_der(&pki.ee).unwrap();
        let ca = Certificate::from_der(&pki.ca).unwrap();
        let mut data = template(&ee, &ca, Responder::by_name(&ca));
        data.singles = vec![Single {
            cert_id: cert_id(&ee, &ca, ee.serial()),
            status,
            this_update: THIS_UPDATE,
            next_update: Some(THIS_UPDATE + WEEK),
            extensions: None,
        }.encode()];
        let response = pki.ca_key.respond(&data, &[]);
        let got = outcome(Times::DEFAULT.verifier().verify(&response, &ee, &Issuer::from(&ca), None, unix(NOW)));
        let expected = match reason_error(status) {
            Some(error) => Outcome::Refused(error),
            None => Outcome::Accepted(status, ResponderAuthorization::Issuer),
        };
        prop_assert_eq!(got, expected);
    }
}

/// Rule 5's parse error for a reason code, if the status carries a forbidden one.
fn reason_error(status: Status) -> Option<Error> {
    match status {
        Status::Revoked {
            reason: Some(code), ..
        } if code == 7 || code > 10 => Some(Error::InvalidRevocationReason),
        _ => None,
    }
}

/// An extension's value, and whether it is one well-formed OCTET STRING (what a nonce must be).
fn extension(oids: &'static [&'static str]) -> impl Strategy<Value = Ext> {
    let value = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(|v| octets(&v)),
        proptest::collection::vec(any::<u8>(), 0..16),
    ];
    (
        proptest::sample::select(oids),
        proptest::option::of(any::<bool>()),
        value,
    )
        .prop_map(|(oid, critical, value)| Ext {
            oid: oid.to_string(),
            critical,
            value,
        })
}

/// The OIDs extensions are drawn from: the two the profile understands, unknown ones, and a
/// certificate extension's OID (which means nothing in an OCSP response).
const EXTENSION_OIDS: &[&str] = &[
    NONCE_OID,
    SCT_LIST_OID,
    "1.2.3.4.5",
    "1.3.6.1.4.1.55555.1.99",
    "2.5.29.19",
];

fn extension_list() -> impl Strategy<Value = Option<Vec<Ext>>> {
    proptest::option::of(proptest::collection::vec(extension(EXTENSION_OIDS), 0..4))
}

/// Whether `value` is exactly one OCTET STRING with a minimal length (decided independently of
/// the library: short form only, which is all the strategy makes).
fn nonce_octets(value: &[u8]) -> Option<&[u8]> {
    match value {
        [0x04, len, rest @ ..] if usize::from(*len) == rest.len() && *len < 0x80 => Some(rest),
        _ => None,
    }
}

/// Rules 1, 11 and 12, in the order the verifier applies them (README of the real-world
/// vectors: extensions after the signature, then the nonce): an empty extension list is bad
/// DER; an unknown critical extension is refused (the nonce understood in
/// responseExtensions, the SCT list in the matching singleExtensions, neither elsewhere; the
/// other entry's extensions never matter); then the nonce, when one was sent.
fn model_extensions(
    response: Option<&[Ext]>,
    matching: Option<&[Ext]>,
    other: Option<&[Ext]>,
    sent: Option<&[u8]>,
) -> Result<(), Error> {
    if matching.is_some_and(<[Ext]>::is_empty) || other.is_some_and(<[Ext]>::is_empty) {
        return Err(Error::BadDer(Structure::SingleExtensions));
    }
    if response.is_some_and(<[Ext]>::is_empty) {
        return Err(Error::BadDer(Structure::ResponseExtensions));
    }
    let response = response.unwrap_or_default();
    if response
        .iter()
        .any(|e| e.is_critical() && e.oid != NONCE_OID)
    {
        return Err(Error::UnsupportedCriticalExtension(
            Structure::ResponseExtensions,
        ));
    }
    if matching
        .unwrap_or_default()
        .iter()
        .any(|e| e.is_critical() && e.oid != SCT_LIST_OID)
    {
        return Err(Error::UnsupportedCriticalExtension(
            Structure::SingleExtensions,
        ));
    }
    if let Some(sent) = sent {
        let nonces: Vec<&Ext> = response.iter().filter(|e| e.oid == NONCE_OID).collect();
        match nonces.as_slice() {
            [] => return Err(Error::MissingNonce),
            [nonce] => match nonce_octets(&nonce.value) {
                None => return Err(Error::InvalidNonce),
                Some(echoed) if echoed != sent => return Err(Error::NonceMismatch),
                Some(_) => {}
            },
            _ => return Err(Error::InvalidNonce),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// Random extensions with random criticality, in responseExtensions, in the matching
    /// SingleResponse and in another one, with or without a nonce sent (sometimes the very one
    /// the response carries): accepted exactly when rules 11 and 12 allow.
    #[test]
    fn extensions_follow_rules_11_and_12(
        response_extensions in extension_list(),
        matching_extensions in extension_list(),
        other in proptest::option::of(extension_list()),
        sent in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..16)),
        echo in any::<bool>(),
    ) {
        let pki = pki();
        let ee = Certificate::from_der(&pki.ee).unwrap();
        let ca = Certificate::from_der(&pki.ca).unwrap();
        let single = |serial: &[u8], extensions: Option<Vec<Ext>>| Single {
            cert_id: cert_id(&ee, &ca, serial),
            status: Status::Good,
            this_update: THIS_UPDATE,
            next_update: Some(THIS_UPDATE + WEEK),
            extensions,
        }.encode();
        let mut data = template(&ee, &ca, Responder::by_name(&ca));
        data.singles = vec![single(ee.serial(), matching_extensions.clone())];
        if let Some(other) = &other {
            data.singles.insert(0, single(&[0x7E, 0x57], other.clone()));
        }
        data.extensions = response_extensions.clone();
        // Sometimes send exactly what the response echoes.
        let echoed = response_extensions
            .iter()
            .flatten()
            .find(|e| e.oid == NONCE_OID)
            .and_then(|e| nonce_octets(&e.value));
        let sent = match (sent, echo, echoed) {
            (Some(_), true, Some(echoed)) => Some(echoed.to_vec()),
            (sent, _, _) => sent,
        };
        let response = pki.ca_key.respond(&data, &[]);
        let verifier = Times::DEFAULT.verifier();
        let result = match &sent {
            Some(nonce) => verifier.verify(&response, &ee, &Issuer::from(&ca), Some(nonce), unix(NOW)),
            None => verifier.verify(&response, &ee, &Issuer::from(&ca), None, unix(NOW)),
        };
        let expected = match model_extensions(
            response_extensions.as_deref(),
            matching_extensions.as_deref(),
            other.as_ref().and_then(|o| o.as_deref()),
            sent.as_deref(),
        ) {
            Ok(()) => Outcome::Accepted(Status::Good, ResponderAuthorization::Issuer),
            Err(error) => Outcome::Refused(error),
        };
        prop_assert_eq!(outcome(result), expected);
    }

    /// One to six SingleResponses, each about the certificate or about something else (another
    /// serial, another issuer key, a hash algorithm the profile does not know), with random
    /// statuses: the strictest answer about the certificate wins, the first among equals
    /// (rules 7 and 8); with none about it, NoMatchingResponse.
    #[test]
    fn the_strictest_matching_answer_wins_rule_8(
        entries in proptest::collection::vec(
            (0..4u8, prop_oneof![
                Just(Status::Good),
                Just(Status::Unknown),
                (0..10u8).prop_map(|r| Status::Revoked { time: THIS_UPDATE - 86_400, reason: Some(if r == 7 { 0 } else { r }) }),
            ]),
            1..=6,
        ),
    ) {
        let pki = pki();
        let ee = Certificate::from_der(&pki.ee).unwrap();
        let ca = Certificate::from_der(&pki.ca).unwrap();
        let other_ca = read("generated/pki/p384-ca.der");
        let other_ca = Certificate::from_der(&other_ca).unwrap();
        let mut data = template(&ee, &ca, Responder::by_name(&ca));
        data.singles = entries
            .iter()
            .map(|(kind, status)| {
                let cert_id = match kind {
                    0 | 1 => cert_id(&ee, &ca, ee.serial()),
                    2 => cert_id(&ee, &other_ca, ee.serial()),
                    _ => {
                        // SHA-224, which the profile does not know: the entry matches nothing.
                        let matching = cert_id(&ee, &ca, ee.serial());
                        let sha1 = sha1_algorithm();
                        let sha224 = seq(&[&oid("2.16.840.1.101.3.4.2.4"), &[0x05, 0x00]]);
                        let mut other = matching.clone();
                        let at = other.windows(sha1.len()).position(|w| w == sha1).unwrap();
                        other.splice(at..at + sha1.len(), sha224);
                        // Lengths grew by two: re-wrap the CertID contents.
                        let (_, contents) = split_header(&other);
                        seq(&[contents])
                    }
                };
                Single {
                    cert_id,
                    status: *status,
                    this_update: THIS_UPDATE,
                    next_update: Some(THIS_UPDATE + WEEK),
                    extensions: None,
                }
                .encode()
            })
            .collect();
        let response = pki.ca_key.respond(&data, &[]);
        let got = outcome(Times::DEFAULT.verifier().verify(&response, &ee, &Issuer::from(&ca), None, unix(NOW)));
        let rank = |s: &Status| match s {
            Status::Good => 0,
            Status::Unknown => 1,
            Status::Revoked { .. } => 2,
        };
        let mut winner: Option<Status> = None;
        for (kind, status) in &entries {
            if *kind <= 1 && winner.is_none_or(|w| rank(status) > rank(&w)) {
                winner = Some(*status);
            }
        }
        let expected = match winner {
            Some(status) => Outcome::Accepted(status, ResponderAuthorization::Issuer),
            None => Outcome::Refused(Error::NoMatchingResponse),
        };
        prop_assert_eq!(got, expected);
    }
}

/// The header and the contents of a TLV whose length fits in the short form or 0x81/0x82.
fn split_header(der: &[u8]) -> (&[u8], &[u8]) {
    let header = match der[1] {
        len if len < 0x80 => 2,
        len => 2 + usize::from(len & 0x7F),
    };
    der.split_at(header)
}

/// Who a property test makes sign, name and embed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Party {
    Ca,
    Responder,
    /// The end entity: issued by the CA, but without id-kp-OCSPSigning.
    EndEntity,
}

const PARTIES: [Party; 3] = [Party::Ca, Party::Responder, Party::EndEntity];

proptest! {
    #![proptest_config(config(256))]

    /// Random signer, responderID (byName or byKey of anyone) and embedded certificates (any
    /// subset, any order): the answer is accepted exactly when rule 9 authorises the named
    /// responder and rule 10's signature is that responder's.
    #[test]
    fn only_an_authorised_responder_is_accepted_rule_9(
        signer in proptest::sample::select(&PARTIES[..]),
        named in proptest::sample::select(&PARTIES[..]),
        by_key in any::<bool>(),
        embedded in proptest::sample::subsequence(&PARTIES[..], 0..=3).prop_shuffle(),
    ) {
        let pki = pki();
        let ee_key = P256Key::load("p256-ee");
        let ee = Certificate::from_der(&pki.ee).unwrap();
        let ca = Certificate::from_der(&pki.ca).unwrap();
        let responder = Certificate::from_der(&pki.responder).unwrap();
        let cert = |party: Party| match party {
            Party::Ca => &ca,
            Party::Responder => &responder,
            Party::EndEntity => &ee,
        };
        let der = |party: Party| match party {
            Party::Ca => pki.ca.as_slice(),
            Party::Responder => pki.responder.as_slice(),
            Party::EndEntity => pki.ee.as_slice(),
        };
        let id = if by_key { Responder::by_key(cert(named)) } else { Responder::by_name(cert(named)) };
        let data = template(&ee, &ca, id);
        let certs: Vec<&[u8]> = embedded.iter().map(|p| der(*p)).collect();
        let response = match signer {
            Party::Ca => pki.ca_key.respond(&data, &certs),
            Party::Responder => pki.responder_key.respond(&data, &certs),
            Party::EndEntity => ee_key.respond(&data, &certs),
        };
        let got = outcome(Times::DEFAULT.verifier().verify(&response, &ee, &Issuer::from(&ca), None, unix(NOW)));
        // Rule 9: (a) the issuer itself; (b) an embedded certificate the responderID names,
        // which must be a proper delegated responder; the signature then decides (rule 10).
        let expected = match named {
            Party::Ca if signer == Party::Ca => Outcome::Accepted(Status::Good, ResponderAuthorization::Issuer),
            Party::Ca => Outcome::Refused(Error::InvalidSignature),
            _ if !embedded.contains(&named) => Outcome::Refused(Error::ResponderNotFound),
            Party::EndEntity => Outcome::Refused(Error::ResponderMissingOcspSigning),
            Party::Responder if signer == Party::Responder => {
                Outcome::Accepted(Status::Good, ResponderAuthorization::Delegated)
            }
            Party::Responder => Outcome::Refused(Error::InvalidSignature),
        };
        prop_assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Long and deep inputs cost linear time.
// ---------------------------------------------------------------------------------------------

/// A signature algorithm that accepts every ECDSA P-256 SHA-256 signature without looking at
/// it, so that timing a verification times only parsing and matching, not the constant cost
/// of one ECDSA check.
#[derive(Debug)]
struct AcceptAnyP256;

impl SignatureVerificationAlgorithm for AcceptAnyP256 {
    fn verify_signature(&self, _: &[u8], _: &[u8], _: &[u8]) -> Result<(), InvalidSignature> {
        Ok(())
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P256
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA256
    }
}

/// The CPU time this thread has used. On Linux it is the scheduler's own account
/// (`/proc/thread-self/schedstat`), which time spent waiting for a core does not inflate, so
/// other work on the machine hardly disturbs the measurement; the kernel updates it at each
/// tick, so only intervals of tens of milliseconds are precise. Elsewhere, wall time.
fn thread_time() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_else(|| START.get_or_init(Instant::now).elapsed())
}

/// The CPU time `repetitions` runs of `work` take.
fn timed(repetitions: u32, work: &dyn Fn()) -> Duration {
    let start = thread_time();
    for _ in 0..repetitions {
        work();
    }
    thread_time() - start
}

/// Times `work(n)` for n = `base` and 8 × `base` and fails if the larger took more than 24
/// times as long: linear work gives about 8, quadratic about 64, so the factor is generous
/// against noise and still catches anything worse than linear. Each is repeated until the
/// small one takes 50 ms of CPU time; the two are timed in turns, three times each, and the
/// fastest of each counts.
fn assert_linear<'a>(what: &str, base: usize, work: &dyn Fn(usize) -> Box<dyn Fn() + 'a>) {
    let small = work(base);
    let large = work(8 * base);
    let mut repetitions = 1;
    while timed(repetitions, &*small) < Duration::from_millis(50) {
        repetitions *= 2;
    }
    let (mut t1, mut t8) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        t1 = t1.min(timed(repetitions, &*small));
        t8 = t8.min(timed(repetitions, &*large));
    }
    let ratio = t8.as_secs_f64() / t1.as_secs_f64();
    eprintln!(
        "{what}: n = {base}: {t1:?}, 8n: {t8:?} ({repetitions} runs), ratio {ratio:.1} \
         (linear 8, quadratic 64)"
    );
    assert!(
        ratio < 24.0,
        "{what}: 8x the input took {ratio:.1}x the time"
    );
}

/// `count` SingleResponses, all about the certificate (the worst case: each is compared in
/// full, its extensions checked and its status ranked), good, the last one revoked; and the
/// caller's nonce echoed among `extensions` unknown non-critical response extensions.
fn long_response(pki: &Pki, singles: usize, extensions: usize) -> Vec<u8> {
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    let mut data = template(&ee, &ca, Responder::by_name(&ca));
    let single = |status| {
        Single {
            cert_id: cert_id(&ee, &ca, ee.serial()),
            status,
            this_update: THIS_UPDATE,
            next_update: Some(THIS_UPDATE + WEEK),
            extensions: Some(vec![Ext {
                oid: SCT_LIST_OID.to_string(),
                critical: Some(true),
                value: octets(&[]),
            }]),
        }
        .encode()
    };
    data.singles = vec![single(Status::Good); singles - 1];
    data.singles.push(single(Status::Revoked {
        time: THIS_UPDATE,
        reason: None,
    }));
    let mut list: Vec<Ext> = (0..extensions)
        .map(|i| Ext {
            oid: format!("1.3.6.1.4.1.55555.{i}"),
            critical: Some(false),
            value: vec![],
        })
        .collect();
    list.push(Ext {
        oid: NONCE_OID.to_string(),
        critical: None,
        value: octets(b"nonce"),
    });
    data.extensions = Some(list);
    pki.ca_key.respond(&data, &[])
}

#[test]
fn many_single_responses_cost_linear_time() {
    let pki = pki();
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    let algorithms: &[&dyn SignatureVerificationAlgorithm] = &[&AcceptAnyP256];
    let verifier = Verifier::new(algorithms);
    // 8 x 64 SingleResponses of 126 bytes fill most of the 64 KiB cap.
    let largest = long_response(&pki, 8 * 64, 1);
    assert!(
        largest.len() > 60_000 && largest.len() <= 64 * 1024,
        "{}",
        largest.len()
    );
    assert_linear("SingleResponses", 64, &|n| {
        let response = long_response(&pki, n, 1);
        let (ee, ca) = (&ee, &ca);
        Box::new(move || {
            let verified =
                verifier.verify(&response, ee, &Issuer::from(ca), Some(b"nonce"), unix(NOW));
            assert!(matches!(
                verified.unwrap().answer().status(),
                CertStatus::Revoked { .. }
            ));
        })
    });
}

#[test]
fn many_extensions_cost_linear_time() {
    let pki = pki();
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    let algorithms: &[&dyn SignatureVerificationAlgorithm] = &[&AcceptAnyP256];
    let verifier = Verifier::new(algorithms);
    // 8 x 300 extensions of about 24 bytes: 57 KiB; the nonce is last, so found last.
    assert_linear("responseExtensions", 300, &|n| {
        let response = long_response(&pki, 1, n);
        assert!(response.len() <= 64 * 1024);
        let (ee, ca) = (&ee, &ca);
        Box::new(move || {
            let verified =
                verifier.verify(&response, ee, &Issuer::from(ca), Some(b"nonce"), unix(NOW));
            assert!(verified.is_ok());
        })
    });
}

/// Nesting costs nothing extra: the parser never descends into what it does not need (an
/// extension's value, an AlgorithmIdentifier's parameters), and refuses at the first wrong tag
/// or length; a Name with many RDNs is read once.
#[test]
fn deep_and_long_junk_costs_linear_time() {
    let nested = |depth: usize| {
        let mut der = vec![0x05, 0x00];
        for _ in 0..depth {
            der = seq(&[&der]);
        }
        der
    };
    // As the whole input, and as the value of an extension of a well-formed response.
    assert_linear("nested SEQUENCEs as a response", 1000, &|n| {
        let junk = nested(n);
        Box::new(move || assert!(OcspResponse::from_der(&junk).is_err()))
    });
    let pki = pki();
    let ee = Certificate::from_der(&pki.ee).unwrap();
    let ca = Certificate::from_der(&pki.ca).unwrap();
    assert_linear("nested SEQUENCEs in an extension", 1000, &|n| {
        let mut data = template(&ee, &ca, Responder::by_name(&ca));
        data.extensions = Some(vec![Ext {
            oid: "1.2.3.4".to_string(),
            critical: None,
            value: nested(n),
        }]);
        let response = pki.ca_key.respond(&data, &[]);
        assert!(response.len() <= 64 * 1024);
        Box::new(move || assert!(OcspResponse::from_der(&response).is_ok()))
    });
    // A responderID Name of many RDNs, which the parser does walk.
    assert_linear("RDNs in a responderID", 300, &|n| {
        let rdn = tlv(0x31, &seq(&[&oid("2.5.4.3"), &tlv(0x0C, b"x")]));
        let name = seq(&vec![rdn.as_slice(); n]);
        let mut data = template(&ee, &ca, Responder::ByName(name));
        data.extensions = None;
        let response = pki.ca_key.respond(&data, &[]);
        assert!(response.len() <= 64 * 1024);
        Box::new(move || assert!(OcspResponse::from_der(&response).is_ok()))
    });
}

/// Lengths that claim far more than is there (up to 2^64 - 1) are refused at once, whatever
/// the claimed size, and so are responses one byte over the cap, without being read.
#[test]
fn maximal_lengths_are_refused_at_once() {
    for header in [
        &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF][..],
        &[0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        &[
            0x30, 0x89, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ],
        &[0x30, 0x83, 0x01, 0x00, 0x00],
        &[0x30, 0xFF],
        &[0x30, 0x80],
    ] {
        let mut input = header.to_vec();
        input.extend([0x0A, 0x01, 0x00]);
        assert!(
            matches!(OcspResponse::from_der(&input), Err(Error::BadDer(_))),
            "{header:02x?}"
        );
        assert!(Certificate::from_der(&input).is_err());
        entry::verify(&input);
    }
    let over = vec![0x30; 64 * 1024 + 1];
    assert_eq!(
        OcspResponse::from_der(&over).unwrap_err(),
        Error::ResponseTooLarge
    );
}
