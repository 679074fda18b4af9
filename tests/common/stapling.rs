//! What `tests/stapler.rs` and `benches/stapler.rs` share: manual clocks (wall and monotonic),
//! answers signed in the test, and a simulated CA that pre-signs answers, behind a
//! `Transport`, with a run of the stapler against it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocsp_verify::fetch::{
    Backoff, HttpRequest, HttpResponse, ManualMonotonicClock, RefreshSchedule, Transport,
    TransportError,
};
use ocsp_verify::stapling::{StapledCertificate, Stapler, StaplerBuilder};
use ocsp_verify::{CertStatus, Certificate, UnixTime};
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

/// A wall clock that moves only when told, shared by a stapler and a rustls client.
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

/// Both clocks a stapler reads: time passing moves both; a wall-clock jump moves only the
/// wall clock, as a real one does.
#[derive(Clone, Debug)]
pub struct Clocks {
    pub wall: ManualClock,
    pub mono: ManualMonotonicClock,
}

impl Clocks {
    pub fn starting_at(time: UnixTime) -> Self {
        Self {
            wall: ManualClock::starting_at(time),
            mono: ManualMonotonicClock::new(),
        }
    }

    pub fn now(&self) -> UnixTime {
        self.wall.now()
    }

    /// Time passes until `time`: both clocks move by the same amount.
    pub fn set(&self, time: UnixTime) {
        let now = self.now();
        assert!(time >= now, "time passes forward: {time:?} < {now:?}");
        self.mono
            .advance(Duration::from_secs(time.as_secs() - now.as_secs()));
        self.wall.set(time);
    }

    /// Time passes by `secs`.
    pub fn advance(&self, secs: u64) {
        self.set(at(self.now().as_secs() + secs));
    }

    /// The wall clock jumps to `time` (ahead or back); monotonic time does not move.
    pub fn jump_wall(&self, time: UnixTime) {
        self.wall.set(time);
    }

    /// A stapler builder on these clocks.
    pub fn stapler(&self, builder: StaplerBuilder) -> StaplerBuilder {
        builder
            .with_time_provider(Arc::new(self.wall.clone()))
            .with_monotonic_clock(Arc::new(self.mono.clone()))
    }
}

/// A backoff without jitter, so that every instant of a test is exact.
pub fn exact_backoff(initial: u64, max: u64) -> Backoff {
    Backoff::new(Duration::from_secs(initial), Duration::from_secs(max)).with_jitter_percent(0)
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

/// An HTTP 200 carrying an OCSP response, as a transport returns it.
pub fn ocsp_ok(body: Vec<u8>) -> HttpResponse {
    HttpResponse::new(200, Some("application/ocsp-response".into()), body)
}

/// A CA that pre-signs an answer about `tls-server` every `every` seconds from `epoch`, each
/// valid `validity` seconds, and hands out the latest: common practice (the CA/Browser
/// Forum's baseline requirements allow ten days; CAs re-sign well before). On the committed
/// TLS test PKI (`tls-int` signs for `tls-server`), as a [`Transport`] reading the test's
/// wall clock.
pub struct PreSigningCa {
    key: P256Key,
    issuer: Vec<u8>,
    cert: Vec<u8>,
    clock: ManualClock,
    epoch: u64,
    every: u64,
    validity: u64,
    /// `(now, thisUpdate)` of each fetch.
    log: Mutex<Vec<(u64, u64)>>,
}

impl PreSigningCa {
    pub fn new(clock: ManualClock, epoch: UnixTime, every: u64, validity: u64) -> Self {
        Self {
            key: P256Key::load("tls/tls-int"),
            issuer: super::read("generated/pki/tls/tls-int.der"),
            cert: super::read("generated/pki/tls/tls-server.der"),
            clock,
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

impl std::fmt::Debug for PreSigningCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreSigningCa")
            .field("every", &self.every)
            .field("validity", &self.validity)
            .finish_non_exhaustive()
    }
}

impl Transport for PreSigningCa {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let now = self.clock.now().as_secs();
        let this_update = self.epoch + (now - self.epoch) / self.every * self.every;
        self.log.lock().unwrap().push((now, this_update));
        let cert = Certificate::from_der(&self.cert).unwrap();
        let issuer = Certificate::from_der(&self.issuer).unwrap();
        Ok(ocsp_ok(craft(
            &cert,
            &issuer,
            der::Status::Good,
            at(this_update),
            Some(at(this_update + self.validity)),
            &self.key,
        )))
    }
}

/// `tls-server` with its chain and key (the committed TLS test PKI), with a responder URL
/// configured (the certificate names none; the transports here answer whatever is asked).
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

/// The responder URL the simulations configure (never dialled: their transports answer).
pub const SIMULATED_RESPONDER: &str = "http://ocsp.simulated.test/";

/// Runs a stapler for `tls-server` against a CA that signs seven-day answers every four days,
/// for `days` from 2026-01-01T00:00:00Z, calling `refresh_due` whenever it asks to be called.
/// Returns `(now, thisUpdate)` of every fetch relative to the start, and checks that a good
/// answer was stapled at every instant.
pub fn simulate(days: u64, schedule: RefreshSchedule, seed: u64) -> Vec<(u64, u64)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let epoch = at(1_767_225_600);
    let clocks = Clocks::starting_at(epoch);
    let ca = Arc::new(PreSigningCa::new(
        clocks.wall.clone(),
        epoch,
        4 * DAY,
        7 * DAY,
    ));
    let stapler = clocks
        .stapler(Stapler::builder(Arc::clone(&provider)))
        .with_transport(ca.clone())
        .with_schedule(schedule)
        .with_jitter_seed(seed)
        .with_certificate(
            StapledCertificate::new(tls_server(&provider)).with_responder_url(SIMULATED_RESPONDER),
        )
        .build()
        .unwrap();
    let end = epoch.as_secs() + days * DAY;
    let mut rounds = 0u32;
    while clocks.now().as_secs() <= end {
        // A few rounds a day at most: a schedule that asks to be called again at once fails
        // here rather than spinning.
        rounds += 1;
        assert!(
            rounds <= 16 * u32::try_from(days).unwrap(),
            "{rounds} rounds"
        );
        let next = stapler.refresh_due();
        let snapshots = stapler.snapshots();
        let now = clocks.now();
        assert_eq!(snapshots[0].status(), Some(CertStatus::Good), "at {now:?}");
        // Stapled without a gap until the next call.
        assert!(snapshots[0].stapled_until().unwrap().as_secs() > now.as_secs() + next.as_secs());
        clocks.advance(next.as_secs());
    }
    ca.fetches()
}
