//! The differential test of the library's two ECDSA P-256 backends on the device they are for:
//! RustCrypto's portable `p256` (`ocsp_verify::rustcrypto`, the reference) and P256-Cortex-M4
//! (`ocsp_verify::cm4`) must say the same of every input. Built with the `differential`
//! feature and run under QEMU by `.ci/firmware.sh`; it prints a line per kind of case, a line
//! per vector, and exits 0 only if every verdict agrees and every generated case got the
//! verdict its kind calls for.
//!
//! 1. Generated cases, made here with a fixed-seed generator: a key and a message at random,
//!    signed by RustCrypto (RFC 6979, so no random nonce is needed), and from each signature
//!    the valid case and the ways to spoil it that a backend could get wrong: a high `s`, the
//!    key compressed, compact or hybrid, a wrong message or key, a flipped bit, a truncated or
//!    extended DER, `r` or `s` zero or at least `n`, a key off the curve or with `x >= p`, the
//!    identity and malformed keys, and a signature whose `u1 G + u2 Q` is the point at
//!    infinity. How many: `OCSP_DIFFERENTIAL_CASES` at build time (1,000 unless set).
//! 2. Digests at the edges (`e` of `n` or more, all zeros, all ones, shorter and longer than
//!    32 bytes), through both libraries' pre-hashed APIs, since a SHA-256 output of `n` or
//!    more cannot be made on purpose.
//! 3. Every generated vector signed with ECDSA, verified whole by `Verifier` with each backend:
//!    the two results (answer or error) must be equal.

#![no_std]
#![no_main]

use core::time::Duration;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use ocsp_verify::{
    Certificate, Error, Issuer, SignatureVerificationAlgorithm, UnixTime, VerifiedResponse,
    Verifier, cm4, rustcrypto,
};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, Scalar};
use sha2::Digest as _;

/// One vector of `test-vectors/generated/manifest.json`, as build.rs writes it.
struct Vector {
    name: &'static str,
    response: &'static [u8],
    cert: &'static [u8],
    issuer: &'static [u8],
    trusted: &'static [&'static [u8]],
    nonce: Option<&'static [u8]>,
    now: u64,
    skew: u64,
    max_age: u64,
    max_age_without_next_update: u64,
    max_lifetime: u64,
    max_response_len: usize,
}

include!(concat!(env!("OUT_DIR"), "/differential.rs"));

mod faults;

/// The order of the P-256 group, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
/// The P-256 field prime, big-endian.
const P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

// ---------------------------------------------------------------------------------------------
// Generated cases.
// ---------------------------------------------------------------------------------------------

/// What a kind of case must get from RustCrypto (the reference): the generator's own check.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Accept,
    Reject,
    /// The compact encoding names the key only when its `y` is the smaller root.
    AcceptIf(bool),
}

/// The kinds of generated case, in the order they are made from each signature.
const KINDS: [&str; 16] = [
    "valid",
    "high-s",
    "key-compressed",
    "key-compressed-wrong-parity",
    "key-compact",
    "key-hybrid",
    "wrong-message",
    "wrong-key",
    "signature-bit-flipped",
    "signature-truncated",
    "signature-trailing-byte",
    "scalar-zero-or-at-least-n",
    "key-off-curve",
    "key-x-at-least-p",
    "key-identity-or-malformed",
    "sum-at-infinity",
];

/// Counts per kind: cases, RustCrypto's acceptances, agreements.
#[derive(Clone, Copy, Default)]
struct Tally {
    cases: u32,
    accepted: u32,
    agreed: u32,
    unexpected: u32,
}

/// SplitMix64: a small fixed-seed generator, so that every run makes the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// A growable byte string on the stack, large enough for any case's key, message or signature.
#[derive(Clone, Copy)]
struct Bytes {
    buf: [u8; 128],
    len: usize,
}

impl Bytes {
    fn from(data: &[u8]) -> Self {
        let mut out = Self {
            buf: [0; 128],
            len: data.len(),
        };
        out.buf[..data.len()].copy_from_slice(data);
        out
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// `ECDSA-Sig-Value` in DER for two 32-byte big-endian integers (minimal, positive).
fn der_signature(r: &[u8; 32], s: &[u8; 32]) -> Bytes {
    let mut body = Bytes::from(&[]);
    for value in [r, s] {
        let start = value.iter().position(|&b| b != 0).unwrap_or(31);
        let digits = &value[start..];
        let pad = digits[0] & 0x80 != 0;
        body.push(0x02);
        body.push((digits.len() + usize::from(pad)) as u8);
        if pad {
            body.push(0);
        }
        for &b in digits {
            body.push(b);
        }
    }
    let mut out = Bytes::from(&[0x30, body.len as u8]);
    for &b in body.as_slice() {
        out.push(b);
    }
    out
}

/// `a - b` on 256-bit big-endian integers (wrapping).
fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

/// `a + b` on 256-bit big-endian integers, or `None` when it overflows 2^256.
fn add(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let d = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = d as u8;
        carry = d >> 8;
    }
    (carry == 0).then_some(out)
}

fn small(value: u32) -> [u8; 32] {
    let mut out = [0; 32];
    out[28..].copy_from_slice(&value.to_be_bytes());
    out
}

/// One signed message, the material every case of one round is made from.
struct Signed {
    key: [u8; 65],
    message: Bytes,
    r: [u8; 32],
    s: [u8; 32],
    prehash: [u8; 32],
    secret: Scalar,
}

struct Backends {
    reference: &'static dyn SignatureVerificationAlgorithm,
    candidate: &'static dyn SignatureVerificationAlgorithm,
    name: &'static str,
}

const SHA256: Backends = Backends {
    reference: rustcrypto::ECDSA_P256_SHA256,
    candidate: cm4::ECDSA_P256_SHA256,
    name: "SHA-256",
};
const SHA384: Backends = Backends {
    reference: rustcrypto::ECDSA_P256_SHA384,
    candidate: cm4::ECDSA_P256_SHA384,
    name: "SHA-384",
};

fn sign(rng: &mut Rng, hash384: bool) -> Signed {
    let signing_key = loop {
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        if let Ok(key) = SigningKey::from_slice(&secret) {
            break key;
        }
    };
    let mut message = Bytes::from(&[]);
    for _ in 0..rng.below(100) {
        message.push(rng.next() as u8);
    }
    let digest: [u8; 48];
    let prehash: &[u8] = if hash384 {
        digest = sha2::Sha384::digest(message.as_slice()).into();
        &digest
    } else {
        let mut padded = [0u8; 48];
        padded[..32].copy_from_slice(&sha2::Sha256::digest(message.as_slice()));
        digest = padded;
        &digest[..32]
    };
    let signature: Signature = signing_key.sign_prehash(prehash).expect("signs");
    let bytes = signature.to_bytes();
    let key = signing_key.verifying_key().to_sec1_point(false);
    let mut leftmost = [0u8; 32];
    leftmost.copy_from_slice(&prehash[..32]);
    Signed {
        key: key.as_bytes().try_into().expect("65 bytes"),
        message,
        r: bytes[..32].try_into().expect("32 bytes"),
        s: bytes[32..].try_into().expect("32 bytes"),
        prehash: leftmost,
        secret: *signing_key.as_nonzero_scalar().as_ref(),
    }
}

/// The cases of one round, each as (kind, key, message, signature, expected verdict); `None`
/// where a round cannot make that kind (the first round has no other key).
fn cases(
    rng: &mut Rng,
    signed: &Signed,
    other_key: Option<&[u8; 65]>,
) -> [Option<(Bytes, Bytes, Bytes, Expect)>; 16] {
    let key = Bytes::from(&signed.key);
    let message = signed.message;
    let signature = der_signature(&signed.r, &signed.s);
    let (x, y) = (&signed.key[1..33], &signed.key[33..]);
    let y_odd = y[31] & 1 == 1;
    let y_array: [u8; 32] = y.try_into().expect("32 bytes");
    let y_is_smaller = y_array <= sub(&P, &y_array);
    let with_tag = |tag: u8, rest: &[&[u8]]| {
        let mut out = Bytes::from(&[tag]);
        for part in rest {
            for &b in *part {
                out.push(b);
            }
        }
        out
    };
    let case = |key: Bytes, message: Bytes, signature: Bytes, expect| {
        Some((key, message, signature, expect))
    };

    let high_s = der_signature(&signed.r, &sub(&N, &signed.s));
    let mut wrong_message = message;
    if wrong_message.len == 0 || rng.below(2) == 0 {
        wrong_message.push(rng.next() as u8);
    } else {
        let at = rng.below(wrong_message.len);
        wrong_message.buf[at] ^= 1 << rng.below(8);
    }
    let mut flipped = signature;
    let at = rng.below(flipped.len);
    flipped.buf[at] ^= 1 << rng.below(8);
    let mut truncated = signature;
    truncated.len = rng.below(signature.len);
    let mut trailing = signature;
    trailing.push(0);

    // r or s zero, n, r + n, s + n, or 2^256 - 1 (33 bytes in DER: too long for the field).
    let max = [0xff; 32];
    let zero = [0u8; 32];
    let out_of_range = match rng.below(8) {
        0 => der_signature(&zero, &signed.s),
        1 => der_signature(&signed.r, &zero),
        2 => der_signature(&N, &signed.s),
        3 => der_signature(&signed.r, &N),
        4 => der_signature(&add(&signed.r, &N).unwrap_or(N), &signed.s),
        5 => der_signature(&signed.r, &add(&signed.s, &N).unwrap_or(N)),
        6 => der_signature(&max, &signed.s),
        _ => der_signature(&signed.r, &max),
    };

    let mut off_curve = signed.key;
    off_curve[64] ^= 1 << rng.below(8);
    let x_at_least_p = add(&P, &small(rng.next() as u32)).expect("p + 2^32 < 2^256");
    let malformed_key = match rng.below(5) {
        0 => Bytes::from(&[0x00]),
        1 => Bytes::from(&signed.key[..64]),
        2 => {
            let mut long = key;
            long.push(0);
            long
        }
        3 => Bytes::from(&[]),
        _ => with_tag(if y_odd { 0x02 } else { 0x03 }, &[x, y]),
    };

    // u1 G + u2 Q = (e + r d) / s G, the point at infinity when r = -e / d (mod n).
    let infinity = {
        let e = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(signed.prehash));
        let inverse = Option::<Scalar>::from(signed.secret.invert()).expect("d is not zero");
        let r = -(e * inverse);
        let mut s_bytes = [0u8; 32];
        rng.fill(&mut s_bytes);
        let s = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(s_bytes));
        let (r, s): ([u8; 32], [u8; 32]) = (r.to_bytes().into(), s.to_bytes().into());
        (r != zero && s != zero).then(|| der_signature(&r, &s))
    };

    [
        case(key, message, signature, Expect::Accept),
        case(key, message, high_s, Expect::Accept),
        case(
            with_tag(if y_odd { 0x03 } else { 0x02 }, &[x]),
            message,
            signature,
            Expect::Accept,
        ),
        case(
            with_tag(if y_odd { 0x02 } else { 0x03 }, &[x]),
            message,
            signature,
            Expect::Reject,
        ),
        case(
            with_tag(0x05, &[x]),
            message,
            signature,
            Expect::AcceptIf(y_is_smaller),
        ),
        case(
            with_tag(if y_odd { 0x07 } else { 0x06 }, &[x, y]),
            message,
            signature,
            Expect::Reject,
        ),
        case(key, wrong_message, signature, Expect::Reject),
        other_key.and_then(|other| case(Bytes::from(other), message, signature, Expect::Reject)),
        case(key, message, flipped, Expect::Reject),
        case(key, message, truncated, Expect::Reject),
        case(key, message, trailing, Expect::Reject),
        case(key, message, out_of_range, Expect::Reject),
        case(Bytes::from(&off_curve), message, signature, Expect::Reject),
        case(
            with_tag(0x04, &[&x_at_least_p, y]),
            message,
            signature,
            Expect::Reject,
        ),
        case(malformed_key, message, signature, Expect::Reject),
        infinity.and_then(|signature| case(key, message, signature, Expect::Reject)),
    ]
}

/// Runs the generated cases; returns (cases, accepted, disagreements, unexpected verdicts).
fn generated(target: u32) -> (u32, u32, u32, u32) {
    let mut rng = Rng(0x6f63_7370_2d76_6572); // "ocsp-ver"
    let mut tallies = [Tally::default(); 16];
    let mut total = 0u32;
    let mut previous_key = None;
    let mut round = 0u32;
    let mut per_hash = [0u32; 2];
    while total < target {
        // One round in eight signs with SHA-384 (its leftmost 256 bits are the integer).
        let hash384 = round % 8 == 7;
        let backends = if hash384 { SHA384 } else { SHA256 };
        let signed = sign(&mut rng, hash384);
        for (kind, case) in cases(&mut rng, &signed, previous_key.as_ref())
            .into_iter()
            .enumerate()
        {
            let Some((key, message, signature, expect)) = case else {
                continue;
            };
            let reference = backends
                .reference
                .verify_signature(key.as_slice(), message.as_slice(), signature.as_slice())
                .is_ok();
            let candidate = backends
                .candidate
                .verify_signature(key.as_slice(), message.as_slice(), signature.as_slice())
                .is_ok();
            let expected = match expect {
                Expect::Accept => true,
                Expect::Reject => false,
                Expect::AcceptIf(condition) => condition,
            };
            let tally = &mut tallies[kind];
            tally.cases += 1;
            tally.accepted += u32::from(reference);
            tally.agreed += u32::from(reference == candidate);
            tally.unexpected += u32::from(reference != expected);
            if reference != candidate || reference != expected {
                hprintln!(
                    "case {} ({}, {}): rustcrypto {}, cm4 {}, expected {}: FAIL",
                    total,
                    KINDS[kind],
                    backends.name,
                    reference,
                    candidate,
                    expected
                );
            }
            total += 1;
            per_hash[usize::from(hash384)] += 1;
        }
        previous_key = Some(signed.key);
        round += 1;
    }
    let mut sums = (0, 0, 0, 0);
    for (kind, tally) in tallies.iter().enumerate() {
        hprintln!(
            "kind {}: {} cases, rustcrypto accepts {}, cm4 agrees on {}: {}",
            KINDS[kind],
            tally.cases,
            tally.accepted,
            tally.agreed,
            pass(tally.agreed == tally.cases && tally.unexpected == 0)
        );
        sums.0 += tally.cases;
        sums.1 += tally.accepted;
        sums.2 += tally.cases - tally.agreed;
        sums.3 += tally.unexpected;
    }
    hprintln!(
        "generated: {} signatures ({} cases with SHA-256, {} with SHA-384)",
        round,
        per_hash[0],
        per_hash[1]
    );
    sums
}

// ---------------------------------------------------------------------------------------------
// Digests at the edges, through the pre-hashed APIs.
// ---------------------------------------------------------------------------------------------

/// Returns (cases, disagreements).
fn digest_edges() -> (u32, u32) {
    let mut rng = Rng(0x6469_6765_7374_7321); // "digests!"
    let n_plus_one = add(&N, &small(1)).expect("fits");
    let mut random48 = [0u8; 48];
    rng.fill(&mut random48);
    let mut random64 = [0u8; 64];
    rng.fill(&mut random64);
    let edges: [(&str, &[u8]); 9] = [
        ("e = n", &N),
        ("e = n + 1", &n_plus_one),
        ("e = 2^256 - 1", &[0xff; 32]),
        ("e = p", &P),
        ("e = 0", &[0; 32]),
        ("e = 1", &small(1)),
        ("20-byte digest", &random64[..20]),
        ("48-byte digest", &random48),
        ("64-byte digest", &random64),
    ];
    let (mut cases, mut disagreements) = (0, 0);
    for (name, prehash) in edges {
        let signing_key = loop {
            let mut secret = [0u8; 32];
            rng.fill(&mut secret);
            if let Ok(key) = SigningKey::from_slice(&secret) {
                break key;
            }
        };
        let signature: Signature = signing_key.sign_prehash(prehash).expect("signs");
        let mut tampered = [0u8; 64];
        tampered.copy_from_slice(&signature.to_bytes());
        tampered[63] ^= 1;
        let key: VerifyingKey = *signing_key.verifying_key();
        let point = key.to_sec1_point(false);
        let cm4_key = p256_cortex_m4::PublicKey::from_sec1_bytes(point.as_bytes()).expect("key");
        for (bytes, expected) in [(signature.to_bytes().into(), true), (tampered, false)] {
            let bytes: [u8; 64] = bytes;
            let reference = Signature::from_slice(&bytes)
                .is_ok_and(|signature| key.verify_prehash(prehash, &signature).is_ok());
            let candidate = p256_cortex_m4::Signature::from_untagged_bytes(&bytes)
                .is_ok_and(|signature| cm4_key.verify_prehashed(prehash, &signature));
            cases += 1;
            let ok = reference == candidate && reference == expected;
            disagreements += u32::from(!ok);
            hprintln!(
                "digest {} ({}): rustcrypto {}, cm4 {}: {}",
                name,
                if expected { "signed" } else { "tampered" },
                reference,
                candidate,
                pass(ok)
            );
        }
    }
    (cases, disagreements)
}

// ---------------------------------------------------------------------------------------------
// The vectors, whole.
// ---------------------------------------------------------------------------------------------

fn verify_vector(
    vector: &Vector,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<ocsp_verify::Answer, Error> {
    // The ECDSA vectors name at most one locally trusted responder.
    let trusted = match vector.trusted {
        [] => None,
        [one] => Some(Certificate::from_der(one)?),
        _ => panic!("{}: more than one trusted responder", vector.name),
    };
    let cert = Certificate::from_der(vector.cert)?;
    let issuer = Certificate::from_der(vector.issuer)?;
    let seconds = Duration::from_secs;
    let verifier = Verifier::new(algorithms)
        .with_trusted_responders(trusted.as_slice())
        .with_clock_skew(seconds(vector.skew))
        .with_max_age(seconds(vector.max_age))
        .with_max_age_without_next_update(seconds(vector.max_age_without_next_update))
        .with_max_lifetime(seconds(vector.max_lifetime))
        .with_max_response_len(vector.max_response_len);
    let now = UnixTime::since_unix_epoch(seconds(vector.now));
    verifier
        .verify(
            vector.response,
            &cert,
            &Issuer::from(&issuer),
            vector.nonce,
            now,
        )
        .map(|verified: VerifiedResponse<'_>| verified.answer())
}

/// Returns (vectors, disagreements).
fn vectors() -> (u32, u32) {
    let mut disagreements = 0;
    for vector in VECTORS {
        let reference = verify_vector(vector, &[SHA256.reference, SHA384.reference]);
        let candidate = verify_vector(vector, &[SHA256.candidate, SHA384.candidate]);
        let ok = reference == candidate;
        disagreements += u32::from(!ok);
        let outcome = |result: &Result<ocsp_verify::Answer, Error>| match result {
            Ok(answer) => match answer.status() {
                ocsp_verify::CertStatus::Good => "good",
                ocsp_verify::CertStatus::Revoked { .. } => "revoked",
                ocsp_verify::CertStatus::Unknown => "unknown",
            },
            Err(error) => error.code(),
        };
        hprintln!(
            "vector {}: rustcrypto {}, cm4 {}: {}",
            vector.name,
            outcome(&reference),
            outcome(&candidate),
            pass(ok)
        );
    }
    (VECTORS.len() as u32, disagreements)
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

#[entry]
fn main() -> ! {
    hprintln!("differential: rustcrypto (reference) against cm4 on mps2-an386 (Cortex-M4F)");
    let (cases, accepted, disagreements, unexpected) = generated(CASES);
    hprintln!(
        "generated cases: {} ({} valid, {} invalid), {} agree, {} verdicts not the kind's: {}",
        cases,
        accepted,
        cases - accepted,
        cases - disagreements,
        unexpected,
        pass(disagreements == 0 && unexpected == 0 && cases >= CASES)
    );
    let (edge_cases, edge_disagreements) = digest_edges();
    hprintln!(
        "digest edges: {} cases, {} agree: {}",
        edge_cases,
        edge_cases - edge_disagreements,
        pass(edge_disagreements == 0)
    );
    let (vector_count, vector_disagreements) = vectors();
    hprintln!(
        "vectors: {} signed with ECDSA, {} agree: {}",
        vector_count,
        vector_count - vector_disagreements,
        pass(vector_disagreements == 0 && vector_count > 0)
    );
    if disagreements + unexpected + edge_disagreements + vector_disagreements == 0 {
        hprintln!("result: PASS");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!("result: FAIL");
        debug::exit(debug::EXIT_FAILURE);
    }
    #[allow(clippy::empty_loop)]
    loop {}
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}
