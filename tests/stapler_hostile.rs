//! The stapler when things go wrong, not only when they go right: wall clocks that jump both
//! ways, responders that lag, lie and contradict themselves, a state directory with traps in
//! it, callbacks that panic, and an inner resolver with a mind of its own.
//!
//! Each test reproduces a defect the stapler once had (named in its comment) and asserts the
//! behaviour that replaced it. No network and no openssl: the committed TLS test PKI
//! (`tls-int` signs for `tls-server`), answers signed in the test, a scripted transport, manual
//! clocks, and handshakes driven in memory.

#![cfg(feature = "stapler")]
// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;
mod tls;

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::der_builder::{self as der, P256Key};
use common::stapling::{
    Clocks, DAY, SIMULATED_RESPONDER, at, craft, exact_backoff, ocsp_ok, tls_server,
};
use ocsp_verify::fetch::{
    FetchError, HttpRequest, HttpResponse, NotKept, RefreshSchedule, Transport, TransportError,
    Unreachable,
};
use ocsp_verify::stapling::{
    AnswerOrigin, StapleError, StapleEvent, StapleEventKind, StapledCertificate, Stapler,
    StaplerBuilder, StateFileProblem,
};
use ocsp_verify::{CertStatus, Certificate, Error, RevocationReason, UnixTime};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, ProtocolVersion, ServerConfig, SignatureScheme};

/// 2026-01-01T01:00:00Z: the TLS test PKI is valid then.
fn t0() -> UnixTime {
    at(tls::NOW_SECS)
}

fn plus(time: UnixTime, secs: u64) -> UnixTime {
    at(time.as_secs() + secs)
}

const SECOND: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------------------------
// A responder the test scripts, and the answers it signs.

#[derive(Clone, Debug)]
enum Reply {
    Answer(Vec<u8>),
    Down,
    Panic,
}

/// A transport that answers what the test says, and counts the requests.
#[derive(Debug)]
struct Scripted {
    reply: Mutex<Reply>,
    requests: AtomicUsize,
}

impl Scripted {
    fn new(reply: Reply) -> Arc<Self> {
        Arc::new(Self {
            reply: Mutex::new(reply),
            requests: AtomicUsize::new(0),
        })
    }

    fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Transport for Scripted {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        // Taken out of the lock first: a panic here must not poison it.
        let reply = self.reply.lock().unwrap().clone();
        match reply {
            Reply::Answer(bytes) => Ok(ocsp_ok(bytes)),
            Reply::Down => Err(TransportError::Unreachable(Unreachable::Connect(
                "refused".into(),
            ))),
            Reply::Panic => panic!("the test's transport panics"),
        }
    }
}

/// An answer about `tls-server`, signed by `tls-int` (the CA itself).
fn answer(status: der::Status, this_update: UnixTime, validity: u64) -> Vec<u8> {
    let cert = tls::cert("tls-server");
    let ca = tls::cert("tls-int");
    craft(
        &Certificate::from_der(&cert).unwrap(),
        &Certificate::from_der(&ca).unwrap(),
        status,
        this_update,
        Some(plus(this_update, validity)),
        &P256Key::load("tls/tls-int"),
    )
}

fn good(this_update: UnixTime) -> Reply {
    Reply::Answer(answer(der::Status::Good, this_update, 7 * DAY))
}

fn revoked(this_update: UnixTime, reason: u8) -> Reply {
    let status = der::Status::Revoked {
        time: t0().as_secs() - DAY,
        reason: Some(reason),
    };
    Reply::Answer(answer(status, this_update, 7 * DAY))
}

const KEY_COMPROMISE: u8 = 1;
const SUPERSEDED: u8 = 4;

// ---------------------------------------------------------------------------------------------
// A stapler on the test's clocks and transport, recording its events.

struct Setup {
    clocks: Clocks,
    responder: Arc<Scripted>,
    events: Arc<Mutex<Vec<StapleEvent>>>,
}

impl Setup {
    fn new(reply: Reply) -> Self {
        Self {
            clocks: Clocks::starting_at(t0()),
            responder: Scripted::new(reply),
            events: Arc::default(),
        }
    }

    /// Without jitter, backoff from a minute to an hour: every instant exact.
    fn builder(&self) -> StaplerBuilder {
        let provider = tls::provider();
        let events = Arc::clone(&self.events);
        self.clocks
            .stapler(Stapler::builder(Arc::clone(&provider)))
            .with_transport(self.responder.clone())
            .with_schedule(RefreshSchedule::new().with_jitter_percent(0))
            .with_backoff(exact_backoff(60, 3600))
            .with_certificate(
                StapledCertificate::new(tls_server(&provider))
                    .with_label("www")
                    .with_responder_url(SIMULATED_RESPONDER),
            )
            .with_observer(move |event| events.lock().unwrap().push(event.clone()))
    }

    fn stapler(&self) -> Arc<Stapler> {
        self.builder().build().unwrap()
    }

    /// The events since the last call.
    fn events(&self) -> Vec<StapleEventKind> {
        std::mem::take(&mut *self.events.lock().unwrap())
            .into_iter()
            .map(|event| event.kind().clone())
            .collect()
    }
}

fn status(stapler: &Stapler) -> Option<CertStatus> {
    stapler.snapshots()[0].status()
}

fn this_update(stapler: &Stapler) -> Option<UnixTime> {
    stapler.snapshots()[0].this_update()
}

// ---------------------------------------------------------------------------------------------
// What a client receives: the chain and the staple, recorded by a verifier that accepts all.

#[derive(Debug, Default)]
struct Received {
    intermediates: Mutex<Option<usize>>,
    staple: Mutex<Option<Vec<u8>>>,
}

impl ServerCertVerifier for Received {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        ocsp_response: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.intermediates.lock().unwrap() = Some(intermediates.len());
        *self.staple.lock().unwrap() = Some(ocsp_response.to_vec());
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        tls::provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A full in-memory TLS 1.3 handshake with a server whose resolver is `resolver`: the
/// intermediates and the staple the client got (an empty staple: none).
fn received(resolver: Arc<dyn ResolvesServerCert>) -> (usize, Vec<u8>) {
    let server = ServerConfig::builder_with_details(tls::provider(), Arc::new(tls::FixedTime))
        .with_protocol_versions(tls::versions(ProtocolVersion::TLSv1_3))
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    let recorder = Arc::new(Received::default());
    let client = tls::client_config(recorder.clone(), ProtocolVersion::TLSv1_3);
    let handshake = tls::handshake(client, Arc::new(server));
    assert_eq!(handshake.client, Ok(()));
    let intermediates = recorder.intermediates.lock().unwrap().unwrap();
    let staple = recorder.staple.lock().unwrap().clone().unwrap();
    (intermediates, staple)
}

// ---------------------------------------------------------------------------------------------
// Clocks that jump.

/// Once: a good staple at T; the wall clock jumps to T+30 d (answers refused, staple dropped,
/// the next refresh set to T+30 d+60 s on the wall clock); back at T+1 h with a fresh answer
/// available there was no fetch for a whole maximum backoff and no staple. Now every delay is
/// monotonic: after the clock comes back, the kept answer is served again at once, and the
/// responder is asked within one backoff.
#[test]
fn a_wall_clock_that_jumps_ahead_and_back_strands_nothing() {
    let setup = Setup::new(good(t0()));
    let stapler = setup.stapler();
    stapler.refresh_due();
    assert_eq!(status(&stapler), Some(CertStatus::Good));
    let first = stapler.snapshots()[0].answer().unwrap();
    setup.events();

    // A month ahead, in an instant: the staple is past its nextUpdate, the answer the
    // responder gives (the same) is refused as expired, and the next try is one backoff away,
    // not a month.
    setup.clocks.jump_wall(plus(t0(), 30 * DAY));
    assert_eq!(stapler.refresh_due(), 60 * SECOND);
    let expired = Error::ResponseExpired {
        time: plus(t0(), 30 * DAY),
        not_after: plus(t0(), 7 * DAY),
    };
    assert_eq!(setup.events(), dropped_then_refused(expired));
    assert_eq!(status(&stapler), None);
    assert_eq!(setup.responder.requests(), 2);
    let (_, staple) = received(stapler.clone());
    assert!(staple.is_empty());

    // Ten seconds later the clock is corrected back to T+1h, and the CA has signed a newer
    // answer. The kept answer is fresh again: served at once, before any fetch.
    setup.clocks.mono.advance(10 * SECOND);
    setup.clocks.jump_wall(plus(t0(), 3600));
    setup.responder.set(good(plus(t0(), 3600)));
    assert_eq!(stapler.refresh_due(), 50 * SECOND);
    assert_eq!(
        setup.events(),
        [StapleEventKind::Good {
            answer: first,
            origin: AnswerOrigin::Kept,
            changed: true
        }]
    );
    assert_eq!(this_update(&stapler), Some(t0()));
    assert_eq!(setup.responder.requests(), 2);
    let (_, staple) = received(stapler.clone());
    assert_eq!(staple, answer(der::Status::Good, t0(), 7 * DAY));

    // Within one backoff of the failure, the responder is asked, and the newer answer taken.
    setup.clocks.advance(50);
    stapler.refresh_due();
    assert_eq!(setup.responder.requests(), 3);
    assert_eq!(this_update(&stapler), Some(plus(t0(), 3600)));
    assert!(matches!(
        &setup.events()[..],
        [StapleEventKind::Good {
            origin: AnswerOrigin::Responder,
            changed: true,
            ..
        }]
    ));
    let snapshot = &stapler.snapshots()[0];
    assert_eq!(snapshot.failures_in_a_row(), 0);
    // The next refresh half-way through the new answer's window, on the monotonic clock.
    assert_eq!(snapshot.next_refresh(), plus(t0(), 3600 + 7 * DAY / 2));
}

/// A wall clock that jumps *back* before the staple's thisUpdate: the staple is not served
/// (it is not valid yet at that time), the schedule does not move, and it is served again
/// when the clock is right.
#[test]
fn a_wall_clock_that_jumps_back_pauses_the_staple_not_the_schedule() {
    let setup = Setup::new(good(t0()));
    let stapler = setup.stapler();
    assert_eq!(stapler.refresh_due(), Duration::from_secs(7 * DAY / 2));
    setup.events();
    // A day back: the staple's window has not begun (past the 5-minute skew). Without a
    // staple the responder is asked at once; its answer is not valid yet at that time either,
    // and the next try is one backoff away.
    setup.clocks.jump_wall(at(t0().as_secs() - DAY));
    assert_eq!(stapler.refresh_due(), 60 * SECOND);
    let not_yet = Error::ResponseNotYetValid {
        time: at(t0().as_secs() - DAY),
        not_before: t0(),
    };
    assert_eq!(setup.events(), dropped_then_refused(not_yet));
    assert_eq!(status(&stapler), None);
    let (_, staple) = received(stapler.clone());
    assert!(staple.is_empty());
    // Back to the right time: served again at once, before the backoff ends.
    setup.clocks.jump_wall(t0());
    assert_eq!(stapler.refresh_due(), 60 * SECOND);
    assert_eq!(status(&stapler), Some(CertStatus::Good));
    assert_eq!(setup.responder.requests(), 2);
}

// ---------------------------------------------------------------------------------------------
// Responders that contradict themselves.

/// Once: a stapled keyCompromise revocation (thisUpdate T) was replaced by a CA-signed `good`
/// with thisUpdate T+60 s: a lagging or wrong responder replica un-revoked a certificate. Now
/// revocation is one-way: the good answer is a contradiction, reported and counted, and the
/// revocation stays stapled.
#[test]
fn a_verified_revocation_is_never_replaced_by_good_or_unknown() {
    let setup = Setup::new(revoked(t0(), KEY_COMPROMISE));
    let stapler = setup.stapler();
    stapler.refresh_due();
    let revocation = stapler.snapshots()[0].answer().unwrap();
    assert!(matches!(revocation.status(), CertStatus::Revoked { .. }));
    setup.events();

    for (offset, reply, said) in [
        (60, good(plus(t0(), 60)), CertStatus::Good),
        (
            120,
            Reply::Answer(answer(der::Status::Unknown, plus(t0(), 120), 7 * DAY)),
            CertStatus::Unknown,
        ),
    ] {
        setup.responder.set(reply);
        setup.clocks.set(plus(t0(), offset));
        stapler.refresh_now();
        match &setup.events()[..] {
            [
                StapleEventKind::Contradiction {
                    revoked,
                    offered,
                    url,
                },
                StapleEventKind::Refused {
                    error: StapleError::NotKept(NotKept::Contradiction { .. }),
                    stapled_until: Some(_),
                },
            ] => {
                assert_eq!(*revoked, revocation);
                assert_eq!(offered.status(), said);
                assert_eq!(offered.this_update(), plus(t0(), offset));
                assert_eq!(url, SIMULATED_RESPONDER);
            }
            other => panic!("{said:?}: {other:?}"),
        }
        assert_eq!(stapler.snapshots()[0].answer(), Some(revocation));
        let (_, staple) = received(stapler.clone());
        assert_eq!(
            staple,
            answer(
                der::Status::Revoked {
                    time: t0().as_secs() - DAY,
                    reason: Some(KEY_COMPROMISE)
                },
                t0(),
                7 * DAY
            )
        );
    }
    assert_eq!(stapler.snapshots()[0].contradictions(), 2);
    let mut metrics = String::new();
    stapler.encode_metrics(&mut metrics).unwrap();
    assert!(
        metrics.contains("ocsp_staple_contradictions_total{certificate=\"www\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "ocsp_staple_last_error_timestamp_seconds{certificate=\"www\",error=\"contradiction\"}"
        ),
        "{metrics}"
    );

    // A newer revocation (another reason) is taken: still revoked.
    setup.responder.set(revoked(plus(t0(), 180), SUPERSEDED));
    setup.clocks.set(plus(t0(), 180));
    stapler.refresh_now();
    assert!(matches!(
        stapler.snapshots()[0].status(),
        Some(CertStatus::Revoked {
            reason: Some(RevocationReason::Superseded),
            ..
        })
    ));

    // Past that revocation's window nothing is stapled (a staple must be fresh), and a good
    // answer is still refused.
    setup.responder.set(good(plus(t0(), 8 * DAY)));
    setup.clocks.set(plus(t0(), 8 * DAY));
    stapler.refresh_due();
    assert_eq!(status(&stapler), None);
    assert!(
        setup
            .events()
            .iter()
            .any(|event| matches!(event, StapleEventKind::Contradiction { .. }))
    );
    assert_eq!(stapler.snapshots()[0].contradictions(), 3);
}

/// Once: a CA-signed keyCompromise revocation with thisUpdate an hour ahead (not yet valid)
/// was stapled, and then pinned the entry: genuine answers were refused as "not newer" for a
/// week. Now no answer dated further ahead than the clock skew is kept, whatever it says.
#[test]
fn an_answer_from_the_future_is_refused_whatever_it_says_and_pins_nothing() {
    let setup = Setup::new(revoked(plus(t0(), 3600), KEY_COMPROMISE));
    let stapler = setup.stapler();
    assert_eq!(stapler.refresh_due(), 60 * SECOND);
    assert_eq!(
        setup.events(),
        [StapleEventKind::Refused {
            error: StapleError::NotKept(NotKept::NotYetValid(Error::ResponseNotYetValid {
                time: t0(),
                not_before: plus(t0(), 3600)
            })),
            stapled_until: None
        }]
    );
    assert_eq!(status(&stapler), None);
    // Exactly at the skew (5 minutes) it is valid; a genuine answer of now is taken.
    setup.responder.set(good(t0()));
    setup.clocks.advance(60);
    stapler.refresh_due();
    assert_eq!(status(&stapler), Some(CertStatus::Good));
    assert_eq!(this_update(&stapler), Some(t0()));
}

// ---------------------------------------------------------------------------------------------
// A responder that repeats itself.

/// The same answer again and again: the responder is asked at most three times in the
/// answer's lifetime, then left alone until the answer ends.
#[test]
fn a_responder_that_repeats_itself_is_asked_three_times_per_answer() {
    let setup = Setup::new(good(t0()));
    let stapler = setup.stapler();
    let mut waits = Vec::new();
    let end = t0().as_secs() + 7 * DAY;
    let mut wait = stapler.refresh_due();
    while setup.clocks.now().as_secs() + wait.as_secs() < end {
        waits.push(wait.as_secs());
        setup.clocks.advance(wait.as_secs());
        wait = stapler.refresh_due();
    }
    // The first fetch, then half-way, then half of what remains twice; then the end.
    assert_eq!(waits, [7 * DAY / 2, 7 * DAY / 4, 7 * DAY / 8]);
    assert_eq!(setup.responder.requests(), 4);
    assert_eq!(stapler.snapshots()[0].failures(), 0);
}

// ---------------------------------------------------------------------------------------------
// The state directory.

/// Once: a FIFO named like a state file made `build()` block forever, and symbolic links were
/// followed. Now only regular files are read, opened so that neither can trap it.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_in_the_state_directory_is_reported_not_followed() {
    let dir = support::scratch_dir("stapler-hostile-state");
    let setup = Setup::new(Reply::Down);
    // Learn the file's name from a first stapler's save.
    setup.responder.set(good(t0()));
    let first = setup.builder().with_state_dir(&dir).build().unwrap();
    first.refresh_due();
    let path = match &setup.events()[..] {
        [
            StapleEventKind::Good { .. },
            StapleEventKind::Saved { path },
        ] => path.clone(),
        other => panic!("{other:?}"),
    };
    drop(first);
    setup.responder.set(Reply::Down);

    // A FIFO in its place: build returns at once and says so.
    fs::remove_file(&path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let stapler = setup.builder().with_state_dir(&dir).build().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        setup.events(),
        [StapleEventKind::Refused {
            error: StapleError::StateFile {
                path: path.clone(),
                problem: StateFileProblem::NotRegularFile("FIFO")
            },
            stapled_until: None
        }]
    );
    assert_eq!(status(&stapler), None);

    // A link to a valid answer elsewhere: not followed, the target untouched.
    fs::remove_file(&path).unwrap();
    let elsewhere = dir.join("elsewhere.der");
    fs::write(&elsewhere, answer(der::Status::Good, t0(), 7 * DAY)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    let stapler = setup.builder().with_state_dir(&dir).build().unwrap();
    assert_eq!(
        setup.events(),
        [StapleEventKind::Refused {
            error: StapleError::StateFile {
                path: path.clone(),
                problem: StateFileProblem::NotRegularFile("symbolic link")
            },
            stapled_until: None
        }]
    );
    assert_eq!(status(&stapler), None);
    assert_eq!(
        fs::read(&elsewhere).unwrap(),
        answer(der::Status::Good, t0(), 7 * DAY)
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// Once: temporary files left by a crash were never removed. Now those a minute old are
/// removed when a stapler starts, and reported.
#[test]
fn temporary_files_a_crash_left_are_removed_at_start() {
    let dir = support::scratch_dir("stapler-hostile-temporary");
    let setup = Setup::new(Reply::Down);
    let name = format!(".{}.ocsp.999999.0.tmp", "ab".repeat(32));
    let left = dir.join(&name);
    let file = fs::File::create(&left).unwrap();
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(file);
    let young = dir.join(format!(".{}.ocsp.999999.1.tmp", "ab".repeat(32)));
    fs::write(&young, b"another stapler is writing this").unwrap();
    let _stapler = setup.builder().with_state_dir(&dir).build().unwrap();
    assert_eq!(
        setup.events(),
        [StapleEventKind::TemporaryFileRemoved { path: left.clone() }]
    );
    assert!(!left.exists());
    assert!(young.exists());
    fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Callbacks that panic, and the inner resolver's choice.

/// Once: an observer that panicked once killed the refresh thread silently, and the staples
/// then expired. Now the panic is caught and counted, and the thread goes on refreshing.
#[test]
fn the_refresh_thread_survives_a_panicking_observer_and_transport() {
    // Real clocks: answers valid for 4 seconds, refreshed every 2.
    let responder = Scripted::new(Reply::Panic);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = tls::provider();
    let (log, count) = (Arc::clone(&seen), Arc::clone(&calls));
    let stapler = Stapler::builder(Arc::clone(&provider))
        .with_transport(responder.clone())
        .with_schedule(RefreshSchedule::new().with_min_interval(SECOND))
        .with_backoff(exact_backoff(1, 1))
        .with_certificate(
            StapledCertificate::new(tls_server(&provider)).with_responder_url(SIMULATED_RESPONDER),
        )
        .with_observer(move |event| {
            // The first call panics.
            assert!(
                count.fetch_add(1, Ordering::SeqCst) > 0,
                "the observer's first panic"
            );
            log.lock().unwrap().push(event.to_string());
        })
        .build()
        .unwrap();
    let thread = stapler.spawn_refresh_thread().unwrap();
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited in vain for {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // The transport panics first: caught, a failure like any other.
    wait_for("a failure", &|| stapler.snapshots()[0].failures() >= 2);
    let error = stapler.snapshots()[0].last_error().cloned();
    assert_eq!(
        error,
        Some(StapleError::Fetch(FetchError::Unreachable {
            url: SIMULATED_RESPONDER.into(),
            reason: Unreachable::Transport("the transport panicked".into())
        }))
    );
    // Then answers that live four seconds: the thread staples them again and again.
    let fresh = || {
        let now = UnixTime::now();
        Reply::Answer(answer(der::Status::Good, now, 4))
    };
    responder.set(fresh());
    wait_for("a staple", &|| {
        responder.set(fresh());
        stapler.snapshots()[0].fetches() >= 4 && status(&stapler) == Some(CertStatus::Good)
    });
    assert_eq!(stapler.observer_panics(), 1);
    assert_eq!(stapler.round_panics(), 0);
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|line| line.contains("stapling good"))
    );
    thread.shutdown().unwrap();
}

/// An inner resolver that always picks one chain, whatever it is.
#[derive(Debug)]
struct Picks(Arc<CertifiedKey>);

impl ResolvesServerCert for Picks {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// Once: when the inner resolver picked a chain by its end-entity, the chain registered at
/// build was served instead of the one the resolver chose. Now the staple goes onto the very
/// chain the resolver picked.
#[test]
fn the_staple_goes_onto_the_chain_the_inner_resolver_chose() {
    let setup = Setup::new(good(t0()));
    let provider = tls::provider();
    // The same end-entity and key, with the root sent along too: another chain object.
    let key = provider
        .key_provider
        .load_private_key(tls::key("tls-server"))
        .unwrap();
    let chosen = Arc::new(CertifiedKey::new(
        vec![
            tls::cert("tls-server"),
            tls::cert("tls-int"),
            tls::cert("tls-root"),
        ],
        key,
    ));
    let stapler = setup
        .builder()
        .with_resolver(Arc::new(Picks(Arc::clone(&chosen))))
        .build()
        .unwrap();
    // Nothing stapled yet: the chosen chain, bare.
    assert_eq!(received(stapler.clone()), (2, Vec::new()));
    stapler.refresh_due();
    let staple = answer(der::Status::Good, t0(), 7 * DAY);
    for _ in 0..3 {
        assert_eq!(received(stapler.clone()), (2, staple.clone()));
    }
    // A newer answer replaces the staple on that chain too, not the copy made for the first.
    setup.clocks.set(plus(t0(), 3600));
    setup.responder.set(good(plus(t0(), 3600)));
    stapler.refresh_now();
    let newer = answer(der::Status::Good, plus(t0(), 3600), 7 * DAY);
    assert_eq!(received(stapler.clone()), (2, newer));
    // A chain the resolver picks that carries a staple of its own: only verified answers are
    // stapled, so with nothing verified it goes out bare.
    let key = provider
        .key_provider
        .load_private_key(tls::key("tls-server"))
        .unwrap();
    let mut own = CertifiedKey::new(vec![tls::cert("tls-server"), tls::cert("tls-int")], key);
    own.ocsp = Some(b"not verified".to_vec());
    let unverified = Setup::new(Reply::Down);
    let stapler = unverified
        .builder()
        .with_resolver(Arc::new(Picks(Arc::new(own))))
        .build()
        .unwrap();
    stapler.refresh_due();
    assert_eq!(received(stapler), (1, Vec::new()));
}

/// What a week-old staple's end reports when the clock has left its window: the staple
/// expired (at its nextUpdate, T+7 d), then the fetched answer was refused with `error`.
fn dropped_then_refused(error: Error) -> [StapleEventKind; 2] {
    [
        StapleEventKind::Expired {
            not_after: plus(t0(), 7 * DAY),
        },
        StapleEventKind::Refused {
            error: StapleError::Fetch(FetchError::InvalidResponse {
                url: SIMULATED_RESPONDER.into(),
                error,
            }),
            stapled_until: None,
        },
    ]
}
