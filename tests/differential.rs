//! Differential check against OpenSSL: whatever this crate accepts, `openssl ocsp` accepts
//! too, with the same status, except where OpenSSL knowingly differs ([`Exception`]: it reports
//! the first of several answers about the certificate, and cannot load a certificate with a
//! non-minimal serial). Where OpenSSL accepts and we refuse, OpenSSL is the laxer verifier
//! (freshness only a warning, critical extensions ignored, BER taken, no caps...): every such
//! case must be one of the documented [`OPENSSL_LAXER`] reasons, or the test fails.
//!
//! Runs on every verification case of both manifests and on 400 deterministic mutations:
//! P-256 responses built with random field values and signed with the test keys, bytes changed
//! inside tbsResponseData and re-signed (P-256 with the p256 crate, RSA with `openssl dgst`),
//! and raw bit flips without re-signing. Skipped, with a message, when the `openssl` command is
//! missing.
//!
//! OpenSSL is asked as the real-world README's harness asks it, plus `-issuer`/`-cert` for the
//! status lookup (and the CertID's digest): the issuer is the trust anchor (`-CAfile`,
//! `-partial_chain`) and a possible signer (`-verify_other`); responders the caller trusts are
//! `-VAfile`; `-no-CAstore` and `-no-CApath` keep the host's trust store out (with it, OpenSSL
//! would build chains through whatever roots the host trusts); `-attime` is the case's `now`.
//! `-partial_chain` matters: without it OpenSSL wants the issuer's own chain up to a root, and
//! checks the issuer's signature, which this crate never does (the caller vouches for the
//! issuer, as it is the caller's path validation that found it).

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

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::der_builder::*;
use common::{hex, json, read, time, variant};
use ocsp_verify::views::{MAX_RESPONSE_LEN, OcspResponse};
use ocsp_verify::{CertStatus, Certificate, HashAlgorithm, Issuer, Verifier, rustcrypto};

/// What a verifier said: accepted with a status, or refused (with our error's name).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Accepted(&'static str),
    Refused(String),
}

/// The caller's side of one verification: certificate, issuer, trust, time and options.
#[derive(Clone)]
struct Setup {
    cert: Vec<u8>,
    issuer: Vec<u8>,
    trusted: Vec<Vec<u8>>,
    nonce: Option<Vec<u8>>,
    now: u64,
    allow_sha1: bool,
    skew: u64,
    max_age: u64,
    max_age_without_next_update: u64,
    max_lifetime: u64,
    max_len: usize,
}

impl Setup {
    /// The verifier settings of a manifest case's `options`.
    fn apply(&mut self, options: &serde_json::Value) {
        let number = |key: &str| options[key].as_u64().unwrap();
        self.allow_sha1 = options["allow_sha1"].as_bool().unwrap();
        self.skew = number("skew");
        self.max_age = number("max_age");
        self.max_age_without_next_update = number("max_age_without_next_update");
        self.max_lifetime = number("max_lifetime");
        self.max_len = usize::try_from(number("max_response_size")).unwrap();
    }

    fn new(cert: Vec<u8>, issuer: Vec<u8>, now: u64) -> Self {
        Self {
            cert,
            issuer,
            trusted: Vec::new(),
            nonce: None,
            now,
            allow_sha1: false,
            skew: 300,
            max_age: 7 * 86_400,
            max_age_without_next_update: 86_400,
            max_lifetime: 10 * 86_400,
            max_len: MAX_RESPONSE_LEN,
        }
    }

    fn ours(&self, response: &[u8]) -> Verdict {
        let cert = Certificate::from_der(&self.cert).unwrap();
        let issuer = Certificate::from_der(&self.issuer).unwrap();
        let trusted: Vec<_> = self
            .trusted
            .iter()
            .map(|d| Certificate::from_der(d).unwrap())
            .collect();
        let algorithms = if self.allow_sha1 {
            rustcrypto::ALL_WITH_LEGACY_SHA1
        } else {
            rustcrypto::ALL
        };
        let verifier = Verifier::new(algorithms)
            .with_trusted_responders(&trusted)
            .with_clock_skew(Duration::from_secs(self.skew))
            .with_max_age(Duration::from_secs(self.max_age))
            .with_max_age_without_next_update(Duration::from_secs(self.max_age_without_next_update))
            .with_max_lifetime(Duration::from_secs(self.max_lifetime))
            .with_max_response_len(self.max_len);
        let now = unix(self.now);
        let result = verifier.verify(
            response,
            &cert,
            &Issuer::from(&issuer),
            self.nonce.as_deref(),
            now,
        );
        match result {
            Ok(verified) => Verdict::Accepted(status_name(verified.answer().status())),
            Err(error) => Verdict::Refused(variant(&error)),
        }
    }
}

fn status_name(status: CertStatus) -> &'static str {
    match status {
        CertStatus::Good => "good",
        CertStatus::Revoked { .. } => "revoked",
        CertStatus::Unknown => "unknown",
    }
}

/// PEM for a DER certificate (OpenSSL's trust-store options read PEM only).
fn pem(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in der.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(char::from(
                    ALPHABET[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()],
                ));
            } else {
                text.push('=');
            }
        }
    }
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Runs `openssl ocsp` in a scratch directory.
struct OpenSsl {
    dir: PathBuf,
    runs: usize,
    spent: Duration,
}

impl OpenSsl {
    fn available() -> bool {
        Command::new("openssl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("ocsp-verify-differential-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            dir,
            runs: 0,
            spent: Duration::ZERO,
        }
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// OpenSSL's verdict on `response` for `setup`: accepted when it prints "Response verify
    /// OK", exits 0 and reports a status for the certificate.
    fn verdict(&mut self, response: &[u8], setup: &Setup) -> Verdict {
        let response_path = self.file("response.der", response);
        let cert = self.file("cert.pem", pem(&setup.cert).as_bytes());
        let issuer = self.file("issuer.pem", pem(&setup.issuer).as_bytes());
        let mut command = Command::new("openssl");
        command
            .arg("ocsp")
            .arg("-respin")
            .arg(&response_path)
            // The digest option must come before -cert.
            .arg(certid_digest(response, &setup.cert, setup.max_len))
            .arg("-issuer")
            .arg(&issuer)
            .arg("-cert")
            .arg(&cert)
            .args(["-no_nonce", "-no-CAstore", "-no-CApath", "-partial_chain"])
            .arg("-attime")
            .arg(setup.now.to_string())
            .arg("-CAfile")
            .arg(&issuer)
            .arg("-verify_other")
            .arg(&issuer);
        if !setup.trusted.is_empty() {
            let trusted: String = setup.trusted.iter().map(|d| pem(d)).collect();
            command
                .arg("-VAfile")
                .arg(self.file("trusted.pem", trusted.as_bytes()));
        }
        let start = Instant::now();
        let output = command.output().expect("openssl runs");
        self.spent += start.elapsed();
        self.runs += 1;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let cert_prefix = format!("{}: ", cert.display());
        let status = stdout.lines().find_map(|line| {
            match line.strip_prefix(&cert_prefix).unwrap_or(line).trim() {
                "good" => Some("good"),
                "revoked" => Some("revoked"),
                "unknown" => Some("unknown"),
                _ => None,
            }
        });
        match status {
            Some(status) if output.status.success() && stderr.contains("Response verify OK") => {
                Verdict::Accepted(status)
            }
            _ => Verdict::Refused(
                stderr
                    .lines()
                    .chain(stdout.lines())
                    .find(|l| !l.trim().is_empty() && !l.contains("WARNING"))
                    .unwrap_or("(no output)")
                    .to_string(),
            ),
        }
    }
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `openssl ocsp` digest option that makes its request's CertID use the hash of the first
/// entry about the certificate (OpenSSL looks the status up by the whole CertID, hash
/// algorithm included, and builds SHA-1 CertIDs unless told otherwise).
fn certid_digest(response: &[u8], cert: &[u8], max_len: usize) -> &'static str {
    let cert = Certificate::from_der(cert).unwrap();
    let hash = OcspResponse::from_der_with_max_len(response, max_len)
        .ok()
        .and_then(|r| r.into_basic().ok())
        .and_then(|basic| {
            basic
                .response_data()
                .responses()
                .flatten()
                .find_map(|single| {
                    (single.cert_id().serial() == cert.serial())
                        .then(|| single.cert_id().hash_algorithm())
                        .flatten()
                })
        });
    match hash {
        Some(HashAlgorithm::Sha256) => "-sha256",
        Some(HashAlgorithm::Sha384) => "-sha384",
        Some(HashAlgorithm::Sha512) => "-sha512",
        _ => "-sha1",
    }
}

/// Where we accept and OpenSSL does not agree, on purpose. Each is recognised from the input
/// itself, not from its name, so that a mutation that meets the same difference is explained
/// the same way and anything else fails the test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Exception {
    FirstMatchingAnswer,
    NonMinimalSerialCertificate,
}

impl Exception {
    fn reason(self) -> &'static str {
        match self {
            Self::FirstMatchingAnswer => {
                "several SingleResponses are about the certificate: OpenSSL reports the first \
                 (OCSP_resp_find_status), the profile the strictest, revoked > unknown > good \
                 (rule 8)"
            }
            Self::NonMinimalSerialCertificate => {
                "the certificate's serialNumber INTEGER is not minimally encoded: OpenSSL 3.0 \
                 cannot load it at all, the profile compares serials as raw bytes (rule 7)"
            }
        }
    }
}

/// Which exception explains that we accepted `input` with `ours` and OpenSSL said `theirs`.
fn explain(input: &Input, ours: &Verdict, theirs: &Verdict) -> Option<Exception> {
    let cert = Certificate::from_der(&input.setup.cert).unwrap();
    if let Verdict::Refused(message) = theirs
        && message.contains("Could not read certificate")
        && matches!(cert.serial(), [0x00, next, ..] if *next < 0x80)
    {
        return Some(Exception::NonMinimalSerialCertificate);
    }
    let rank = |status: &str| {
        ["good", "unknown", "revoked"]
            .iter()
            .position(|s| *s == status)
    };
    let basic = OcspResponse::from_der_with_max_len(&input.response, input.setup.max_len)
        .ok()?
        .into_basic()
        .ok()?;
    let about: Vec<&'static str> = basic
        .response_data()
        .responses()
        .flatten()
        .filter(|single| single.cert_id().serial() == cert.serial())
        .map(|single| status_name(single.status()))
        .collect();
    if let (Verdict::Accepted(ours), Verdict::Accepted(theirs)) = (ours, theirs)
        && about.len() > 1
        && about.first() == Some(theirs)
        && rank(ours) > rank(theirs)
    {
        return Some(Exception::FirstMatchingAnswer);
    }
    None
}

/// Where OpenSSL accepts and we refuse: OpenSSL is laxer on these counts, and the profile is
/// strict on purpose. Keyed by our error; an error not listed here fails the test, since it
/// would be a difference nobody has looked at.
const OPENSSL_LAXER: &[(&str, &str)] = &[
    (
        "BadDer",
        "OpenSSL's decoder takes BER (an indefinite length, a BOOLEAN true that is not FF); \
         rule 1 wants DER",
    ),
    (
        "InvalidRevocationReason",
        "OpenSSL does not check the CRLReason value (7, above 10)",
    ),
    (
        "InvalidTime",
        "OpenSSL reads status times only for a freshness warning, so fractional seconds, an \
         offset, no Z, month 13 or 30 February do not stop it; rule 4 wants YYYYMMDDHHMMSSZ",
    ),
    (
        "IssuerNameMismatch",
        "OpenSSL's CertID takes the issuer name from the certificate itself and never \
         compares it with the issuer certificate's subject (OpenSSL's WSNIC_ issuers)",
    ),
    (
        "MissingNonce",
        "the harness runs -no_nonce: openssl cannot be told which nonce to expect",
    ),
    (
        "NonceMismatch",
        "the harness runs -no_nonce: openssl cannot be told which nonce to expect",
    ),
    (
        "NextUpdateBeforeThisUpdate",
        "OpenSSL checks freshness only as a warning (Status times invalid)",
    ),
    (
        "NoMatchingResponse",
        "OpenSSL compares only the OID of a CertID's hashAlgorithm; rule 7 lets only absent or \
         NULL parameters match",
    ),
    (
        "ResponderIsCa",
        "OpenSSL takes a CA certificate with OCSPSigning as a delegated responder; rule 9 \
         refuses it, as mozilla::pkix does",
    ),
    (
        "ResponseExpired",
        "OpenSSL checks freshness only as a warning, and against the real clock, not -attime",
    ),
    (
        "ResponseLifetimeTooLong",
        "OpenSSL has no cap on a response's lifetime",
    ),
    (
        "ResponseNotYetValid",
        "OpenSSL checks freshness only as a warning, and against the real clock, not -attime",
    ),
    (
        "ResponseTooOld",
        "OpenSSL checks a response's age only with -status_age, and then only as a warning",
    ),
    (
        "ResponseTooLarge",
        "OpenSSL has no size cap; rule 1 caps responses at 64 KiB",
    ),
    (
        "RsaKeyTooSmall",
        "OpenSSL 3.0 at security level 1 takes 1024-bit RSA; rule 10 wants 2048",
    ),
    (
        "TooManyCertificates",
        "OpenSSL has no cap on embedded certificates; rule 6 allows 8",
    ),
    (
        "TrailingData",
        "OpenSSL ignores bytes after the OCSPResponse and after the BasicOCSPResponse inside \
         ResponseBytes",
    ),
    (
        "UnsupportedCriticalExtension",
        "OpenSSL ignores critical extensions in responses",
    ),
    (
        "UnsupportedResponseVersion",
        "OpenSSL does not check ResponseData.version",
    ),
    (
        "UnsupportedSignatureAlgorithm",
        "OpenSSL takes MD5 and SHA-1 signatures, ECDSA with NULL parameters and PSS with any \
         salt length; here the caller's algorithm list is the policy, and SHA-1 is not in the \
         default one",
    ),
];

/// One input to compare on.
struct Input {
    name: String,
    response: Vec<u8>,
    setup: Setup,
}

fn manifest_inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    for entry in json("generated/manifest.json").as_array().unwrap() {
        let file = |path: &serde_json::Value| read(format!("generated/{}", path.as_str().unwrap()));
        let options = &entry["options"];
        let mut setup = Setup::new(
            file(&entry["cert"]),
            file(&entry["issuer"]),
            time(entry["now"].as_str().unwrap()).as_secs(),
        );
        setup.trusted = entry["trusted_responders"]
            .as_array()
            .unwrap()
            .iter()
            .map(file)
            .collect();
        setup.nonce = entry["nonce"].as_str().map(hex);
        setup.apply(options);
        inputs.push(Input {
            name: format!("generated/{}", entry["name"].as_str().unwrap()),
            response: file(&entry["response"]),
            setup,
        });
    }
    for entry in json("real-world/manifest.json").as_array().unwrap() {
        let file_name = entry["file"].as_str().unwrap();
        for (index, case) in entry
            .get("verify")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .enumerate()
        {
            let file =
                |path: &serde_json::Value| read(format!("real-world/{}", path.as_str().unwrap()));
            let mut setup = Setup::new(
                file(&case["cert"]),
                file(&case["issuer"]),
                time(case["now"].as_str().unwrap()).as_secs(),
            );
            setup.trusted = case["trusted_responders"]
                .as_array()
                .unwrap()
                .iter()
                .map(file)
                .collect();
            setup.nonce = case["nonce"].as_str().map(hex);
            setup.apply(&case["options"]);
            inputs.push(Input {
                name: format!("real-world/{file_name}#{index}"),
                response: read(format!("real-world/{file_name}")),
                setup,
            });
        }
    }
    inputs
}

/// SplitMix64: a small deterministic generator, so that every run compares the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const THIS_UPDATE: u64 = 1_767_225_600;
const NOW: u64 = THIS_UPDATE + 3600;

/// P-256 responses built from random field values around the template, signed with the test
/// keys: issuer-signed or delegated, byName or byKey, random statuses, reasons, times,
/// several entries, extensions of random criticality.
fn built_inputs(rng: &mut Rng, count: usize) -> Vec<Input> {
    let ee_der = read("generated/pki/p256-ee.der");
    let ca_der = read("generated/pki/p256-ca.der");
    let responder_der = read("generated/pki/p256-responder.der");
    let ee = Certificate::from_der(&ee_der).unwrap();
    let ca = Certificate::from_der(&ca_der).unwrap();
    let responder = Certificate::from_der(&responder_der).unwrap();
    let ca_key = P256Key::load("p256-ca");
    let responder_key = P256Key::load("p256-responder");
    let mut inputs = Vec::new();
    for index in 0..count {
        let status = |rng: &mut Rng| match rng.below(4) {
            0 | 1 => Status::Good,
            2 => Status::Unknown,
            _ => Status::Revoked {
                time: THIS_UPDATE - 86_400,
                reason: if rng.chance(3) {
                    None
                } else {
                    Some(u8::try_from(rng.below(12)).unwrap())
                },
            },
        };
        let extension = |rng: &mut Rng| Ext {
            oid: rng
                .pick(&[NONCE_OID, SCT_LIST_OID, "1.2.3.4.5"])
                .to_string(),
            critical: *rng.pick(&[None, Some(false), Some(true)]),
            value: octets(&[0x5A; 8]),
        };
        let extensions = |rng: &mut Rng| {
            (rng.chance(3)).then(|| (0..1 + rng.below(2)).map(|_| extension(rng)).collect())
        };
        let this_update = THIS_UPDATE - 3600 + u64::try_from(rng.below(3)).unwrap() * 3600;
        let mut singles = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let serial: &[u8] = if rng.chance(4) {
                &[0x7E, 0x57]
            } else {
                ee.serial()
            };
            singles.push(
                Single {
                    cert_id: cert_id(&ee, &ca, serial),
                    status: status(rng),
                    this_update,
                    next_update: (!rng.chance(4)).then_some(this_update + 7 * 86_400),
                    extensions: extensions(rng),
                }
                .encode(),
            );
        }
        let delegated = rng.chance(2);
        let named = if delegated { &responder } else { &ca };
        let data = ResponseData {
            responder: if rng.chance(2) {
                Responder::by_key(named)
            } else {
                Responder::by_name(named)
            },
            produced_at: this_update,
            singles,
            extensions: extensions(rng),
        };
        let response = if delegated {
            responder_key.respond(&data, &[&responder_der])
        } else {
            ca_key.respond(&data, &[])
        };
        inputs.push(Input {
            name: format!(
                "built #{index} ({})",
                if delegated { "delegated" } else { "issuer" }
            ),
            response,
            setup: Setup::new(ee_der.clone(), ca_der.clone(), NOW),
        });
    }
    inputs
}

/// Parts of a parsed response: tbsResponseData, the whole signature AlgorithmIdentifier, the
/// embedded certificates.
fn parts(response: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<Vec<u8>>) {
    let basic = OcspResponse::from_der(response)
        .unwrap()
        .into_basic()
        .unwrap();
    let signed = basic.signed_data();
    (
        signed.data().to_vec(),
        seq(&[signed.algorithm()]),
        basic.certs().map(|c| c.unwrap().der().to_vec()).collect(),
    )
}

/// Changes one to three bytes of `tbs` (not its outer header).
fn mutate(rng: &mut Rng, tbs: &[u8]) -> Vec<u8> {
    let mut tbs = tbs.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = 4 + rng.below(tbs.len() - 4);
        tbs[at] = match rng.below(3) {
            0 => tbs[at] ^ (1 << rng.below(8)),
            1 => u8::try_from(rng.below(256)).unwrap(),
            _ => tbs[at].wrapping_add(1),
        };
    }
    tbs
}

/// Bytes changed inside tbsResponseData, then signed again with the responder's key: only the
/// changed field can be the reason for a refusal.
fn resigned_inputs(rng: &mut Rng, openssl: &OpenSsl, p256: usize, rsa: usize) -> Vec<Input> {
    let mut inputs = Vec::new();
    let p256_templates = [
        ("good-p256-ca", "p256-ca"),
        ("good-p256-delegated", "p256-responder"),
    ];
    for index in 0..p256 {
        let (name, key) = p256_templates[index % 2];
        let (tbs, algorithm, certs) = parts(&read(format!("generated/responses/{name}.der")));
        let tbs = mutate(rng, &tbs);
        let signature = P256Key::load(key).sign(&tbs);
        let certs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        inputs.push(Input {
            name: format!("{name} re-signed #{index}"),
            response: ocsp_response(&basic_response(&tbs, &algorithm, &signature, &certs)),
            setup: Setup::new(
                read("generated/pki/p256-ee.der"),
                read("generated/pki/p256-ca.der"),
                NOW,
            ),
        });
    }
    let rsa_templates = [
        ("good-rsa-ca", "rsa-ca"),
        ("good-rsa-delegated", "rsa-responder"),
    ];
    for index in 0..rsa {
        let (name, key) = rsa_templates[index % 2];
        let (tbs, algorithm, certs) = parts(&read(format!("generated/responses/{name}.der")));
        let tbs = mutate(rng, &tbs);
        let tbs_path = openssl.file("tbs.der", &tbs);
        let key_path = common::vectors().join(format!("generated/pki/{key}.key"));
        let signed = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&key_path)
            .arg(&tbs_path)
            .output()
            .unwrap();
        assert!(signed.status.success(), "openssl dgst -sign failed");
        let certs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        inputs.push(Input {
            name: format!("{name} re-signed #{index}"),
            response: ocsp_response(&basic_response(&tbs, &algorithm, &signed.stdout, &certs)),
            setup: Setup::new(
                read("generated/pki/rsa-ee.der"),
                read("generated/pki/rsa-ca.der"),
                NOW,
            ),
        });
    }
    inputs
}

/// Raw byte changes of the vectors, not signed again.
fn raw_inputs(rng: &mut Rng, from: &[Input], count: usize) -> Vec<Input> {
    (0..count)
        .map(|index| {
            let original = rng.pick(from);
            let mut response = original.response.clone();
            let at = rng.below(response.len());
            response[at] ^= 1 << rng.below(8);
            Input {
                name: format!("{} with bit flipped at byte {at} (#{index})", original.name),
                response,
                setup: original.setup.clone(),
            }
        })
        .collect()
}

#[test]
fn what_we_accept_openssl_accepts() {
    assert!(
        OpenSsl::available(),
        "what_we_accept_openssl_accepts needs the openssl command-line tool, which is not \
         available: install openssl (Debian: apt-get install openssl)"
    );
    let started = Instant::now();
    let mut openssl = OpenSsl::new();
    let mut rng = Rng(0x0C5F_D1FF);
    let manifest = manifest_inputs();
    let mut inputs = Vec::new();
    inputs.extend(built_inputs(&mut rng, 150));
    inputs.extend(resigned_inputs(&mut rng, &openssl, 100, 50));
    inputs.extend(raw_inputs(&mut rng, &manifest, 100));
    let mutations = inputs.len();
    inputs.splice(0..0, manifest);

    let mut disagreements = Vec::new();
    let mut exceptions: BTreeMap<Exception, Vec<String>> = BTreeMap::new();
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let mut laxer: BTreeMap<String, usize> = BTreeMap::new();
    for input in &inputs {
        let ours = input.setup.ours(&input.response);
        let theirs = openssl.verdict(&input.response, &input.setup);
        let key = match (&ours, &theirs) {
            (Verdict::Accepted(a), Verdict::Accepted(b)) if a == b => "both accept, same status",
            (Verdict::Accepted(_), _) => "we accept, OpenSSL does not agree",
            (Verdict::Refused(_), Verdict::Accepted(_)) => "OpenSSL accepts, we refuse",
            (Verdict::Refused(_), Verdict::Refused(_)) => "both refuse",
        };
        *tally.entry(key).or_default() += 1;
        if let (Verdict::Refused(error), Verdict::Accepted(_)) = (&ours, &theirs) {
            *laxer.entry(error.clone()).or_default() += 1;
            if !OPENSSL_LAXER.iter().any(|(variant, _)| variant == error) {
                disagreements.push(format!(
                    "{}: OpenSSL accepts {theirs:?}, we refuse with {error}, and no reason for \
                     that is documented",
                    input.name
                ));
            }
        }
        if key != "we accept, OpenSSL does not agree" {
            continue;
        }
        match explain(input, &ours, &theirs) {
            Some(exception) => exceptions
                .entry(exception)
                .or_default()
                .push(input.name.clone()),
            None => disagreements.push(format!("{}: we {ours:?}, OpenSSL {theirs:?}", input.name)),
        }
    }

    println!(
        "{} inputs ({} manifest cases, {mutations} mutations), {} openssl runs in {:.1?} \
         ({:.1?} in all)",
        inputs.len(),
        inputs.len() - mutations,
        openssl.runs,
        openssl.spent,
        started.elapsed()
    );
    for (key, count) in &tally {
        println!("  {key}: {count}");
    }
    println!("  where OpenSSL accepts and we refuse (OpenSSL laxer, by our error):");
    for (error, count) in &laxer {
        let reason = OPENSSL_LAXER
            .iter()
            .find(|(v, _)| v == error)
            .map_or("?", |(_, r)| r);
        println!("    {error} ({count}): {reason}");
    }
    for (exception, names) in &exceptions {
        println!(
            "  exception {exception:?} ({}): {}",
            names.len(),
            exception.reason()
        );
        for name in names {
            println!("    {name}");
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} undocumented differences:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
