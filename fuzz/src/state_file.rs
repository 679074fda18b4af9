//! `state_file`: a stapler built over a state directory whose file for `tls-server` holds the
//! fuzzer's bytes, as an earlier run (or anyone with write access to the directory) could have
//! left it. Building never fails over a state file, and whatever is stapled from it is an
//! answer that verifies now, `good` or `revoked`, about this certificate.
//!
//! Compiled by the fuzz crate (`src/lib.rs`) and, through `#[path]`, by the root crate's
//! `tests/fuzz_regressions.rs`; it uses only `ocsp_verify`, `rustls`, `sha2` and `std`.

// A panic is how a fuzz target reports a finding.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use core::time::Duration;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ocsp_verify::fetch::{HttpRequest, HttpResponse, Transport, TransportError, Unreachable};
use ocsp_verify::stapling::{StapledCertificate, Stapler};
use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime, Verifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::time_provider::TimeProvider;
use sha2::{Digest as _, Sha256};

const LEAF: &[u8] = include_bytes!("../../test-vectors/generated/pki/tls/tls-server.der");
const ISSUER: &[u8] = include_bytes!("../../test-vectors/generated/pki/tls/tls-int.der");
const KEY: &[u8] = include_bytes!("../../test-vectors/generated/pki/tls/tls-server.key");

/// 2026-01-01T01:00:00Z: the TLS test PKI and its responses are valid then.
fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200))
}

#[derive(Debug)]
struct Fixed;

impl TimeProvider for Fixed {
    fn current_time(&self) -> Option<UnixTime> {
        Some(now())
    }
}

/// Nothing is fetched: only the state file can give a staple.
#[derive(Debug)]
struct Refused;

impl Transport for Refused {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        Err(TransportError::Unreachable(Unreachable::Connect(
            "refused".into(),
        )))
    }
}

struct Setup {
    provider: Arc<CryptoProvider>,
    key: Arc<CertifiedKey>,
    dir: PathBuf,
    file: PathBuf,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
        let key = provider.key_provider.load_private_key(key).unwrap();
        let chain = vec![CertificateDer::from(LEAF), CertificateDer::from(ISSUER)];
        let dir = std::env::temp_dir().join(format!("ocsp-fuzz-state-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The stapler names a certificate's file by the SHA-256 of its DER.
        let name: String = Sha256::digest(LEAF)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let file = dir.join(format!("{name}.ocsp"));
        Setup {
            provider,
            key: Arc::new(CertifiedKey::new(chain, key)),
            dir,
            file,
        }
    })
}

/// Returns whether the bytes were stapled.
pub fn state_file(data: &[u8]) -> bool {
    let setup = setup();
    std::fs::write(&setup.file, data).unwrap();
    let stapler = Stapler::builder(Arc::clone(&setup.provider))
        .with_time_provider(Arc::new(Fixed))
        .with_transport(Arc::new(Refused))
        .with_state_dir(&setup.dir)
        .with_certificate(
            StapledCertificate::new(Arc::clone(&setup.key)).with_responder_url("http://ocsp.test/"),
        )
        .build()
        .expect("a state file never keeps a stapler from being built");
    let Some(answer) = stapler.snapshots()[0].answer() else {
        return false;
    };
    // Taken: it must verify now, about this certificate, and say good or revoked.
    let leaf = Certificate::from_der(LEAF).unwrap();
    let issuer = Certificate::from_der(ISSUER).unwrap();
    let verifier = Verifier::new(setup.provider.signature_verification_algorithms.all);
    let verified = verifier
        .verify(data, &leaf, &Issuer::from(&issuer), None, now())
        .expect("a stapled answer verifies");
    assert_eq!(verified.answer(), answer);
    assert!(
        matches!(
            answer.status(),
            CertStatus::Good | CertStatus::Revoked { .. }
        ),
        "stapled {:?}",
        answer.status()
    );
    assert!(answer.this_update().as_secs() <= now().as_secs() + 300);
    true
}
