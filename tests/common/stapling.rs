//! What `tests/stapler.rs` and `benches/stapler.rs` share: a manual clock, answers signed in
//! the test, and a simulated CA that pre-signs answers, with a run of the stapler against it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocsp_verify::fetch::FetchError;
use ocsp_verify::stapling::{RefreshSchedule, ResponseSource, StapledCertificate, Stapler};
use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;
use rustls::sign::CertifiedKey;
use rustls::time_provider::TimeProvider;

use super::der_builder::{self as der, P256Key};

pub const DAY: u64 = 86_400;

pub fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// A clock that moves only when told, shared by a stapler and a rustls client.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    pub fn starting_at(time: UnixTime) -> Self {
        Self(Arc::new(AtomicU64::new(time.as_secs())))
    }

    pub fn now(&self) -> UnixTime {
        at(self.0.load(Ordering::SeqCst))
    }

    pub fn set(&self, time: UnixTime) {
        self.0.store(time.as_secs(), Ordering::SeqCst);
    }
}

impl TimeProvider for ManualClock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.now())
    }
}

/// An answer about `cert` signed by `key` in `ca`'s name.
pub fn craft(
    cert: &Certificate<'_>,
    ca: &Certificate<'_>,
    status: der::Status,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    key: &P256Key,
) -> Vec<u8> {
    let single = der::Single {
        cert_id: der::cert_id(cert, ca, cert.serial()),
        status,
        this_update: this_update.as_secs(),
        next_update: next_update.map(|t| t.as_secs()),
        extensions: None,
    };
    let data = der::ResponseData {
        responder: der::Responder::by_name(ca),
        produced_at: this_update.as_secs(),
        singles: vec![single.encode()],
        extensions: None,
    };
    key.respond(&data, &[])
}

/// A CA that pre-signs an answer every `every` seconds from `epoch`, each valid `validity`
/// seconds, and hands out the latest: common practice (the CA/Browser Forum's baseline
/// requirements allow ten days; CAs re-sign well before). On the committed TLS test PKI
/// (`tls-int` signs for `tls-server`).
pub struct PreSigningCa {
    key: P256Key,
    issuer: Vec<u8>,
    epoch: u64,
    every: u64,
    validity: u64,
    /// `(now, thisUpdate)` of each fetch.
    log: Mutex<Vec<(u64, u64)>>,
}

impl PreSigningCa {
    pub fn new(epoch: UnixTime, every: u64, validity: u64) -> Self {
        Self {
            key: P256Key::load("tls/tls-int"),
            issuer: super::read("generated/pki/tls/tls-int.der"),
            epoch: epoch.as_secs(),
            every,
            validity,
            log: Mutex::new(Vec::new()),
        }
    }

    /// `(now, thisUpdate)` of every fetch so far, relative to the epoch.
    pub fn fetches(&self) -> Vec<(u64, u64)> {
        let log = self.log.lock().unwrap();
        log.iter()
            .map(|(now, this)| (now - self.epoch, this - self.epoch))
            .collect()
    }
}

impl ResponseSource for PreSigningCa {
    fn fetch_response(
        &self,
        cert: &Certificate<'_>,
        _issuer: &Issuer<'_>,
        _responder_url: Option<&str>,
        now: UnixTime,
    ) -> Result<Vec<u8>, FetchError> {
        let now = now.as_secs();
        let this_update = self.epoch + (now - self.epoch) / self.every * self.every;
        self.log.lock().unwrap().push((now, this_update));
        let issuer = Certificate::from_der(&self.issuer).unwrap();
        Ok(craft(
            cert,
            &issuer,
            der::Status::Good,
            at(this_update),
            Some(at(this_update + self.validity)),
            &self.key,
        ))
    }
}

/// A source shared with the test that reads its log.
struct Shared(Arc<PreSigningCa>);

impl ResponseSource for Shared {
    fn fetch_response(
        &self,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        url: Option<&str>,
        now: UnixTime,
    ) -> Result<Vec<u8>, FetchError> {
        self.0.fetch_response(cert, issuer, url, now)
    }
}

/// `tls-server` with its chain and key (the committed TLS test PKI).
pub fn tls_server(provider: &rustls::crypto::CryptoProvider) -> Arc<CertifiedKey> {
    let chain = vec![
        CertificateDer::from(super::read("generated/pki/tls/tls-server.der")),
        CertificateDer::from(super::read("generated/pki/tls/tls-int.der")),
    ];
    let key =
        PrivateKeyDer::from_pem_file(super::vectors().join("generated/pki/tls/tls-server.key"))
            .unwrap();
    let key = provider.key_provider.load_private_key(key).unwrap();
    Arc::new(CertifiedKey::new(chain, key))
}

/// Runs a stapler for `tls-server` against a CA that signs seven-day answers every four days,
/// for `days` from 2026-01-01T00:00:00Z, calling `refresh_due` whenever it asks to be called.
/// Returns `(now, thisUpdate)` of every fetch relative to the start, and checks that a good
/// answer was stapled at every instant.
pub fn simulate(days: u64, schedule: RefreshSchedule, seed: u64) -> Vec<(u64, u64)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let epoch = at(1_767_225_600);
    let ca = Arc::new(PreSigningCa::new(epoch, 4 * DAY, 7 * DAY));
    let clock = ManualClock::starting_at(epoch);
    let stapler = {
        let clock = clock.clone();
        Stapler::builder(Arc::clone(&provider))
            .with_clock(move || clock.now())
            .with_source(Shared(Arc::clone(&ca)))
            .with_schedule(schedule)
            .with_jitter_seed(seed)
            .with_certificate(StapledCertificate::new(tls_server(&provider)))
            .build()
            .unwrap()
    };
    let end = epoch.as_secs() + days * DAY;
    let mut now = epoch;
    while now.as_secs() <= end {
        clock.set(now);
        let next = stapler.refresh_due(now);
        let snapshots = stapler.snapshots(now);
        assert_eq!(snapshots[0].status(), Some(CertStatus::Good), "at {now:?}");
        // Stapled without a gap until the next call.
        assert!(snapshots[0].stapled_until().unwrap() > next);
        now = next;
    }
    ca.fetches()
}
