//! One certificate the stapler staples for: what the handshake path serves, and the refresh
//! path's state.

use core::time::Duration;
use std::path::{Path, PathBuf};
use std::string::String;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::pki_types::CertificateDer;
use ::rustls::sign::CertifiedKey;
use rustls_pki_types::UnixTime;

use super::builder::{BuildError, StapledCertificate};
use super::report::{StapleError, StapleSnapshot};
use super::state_dir;
use crate::cert::Certificate;
use crate::display::Hex;
use crate::fetch::{Fetcher, ResponderPolicy};
use crate::issuer::Issuer;
use crate::requests::{ReqCert, http_responder_urls};
use crate::server::bounded::Bounded;
use crate::server::clock::wall_at;
use crate::server::keeper::CertKey;
use crate::server::sync::{lock, read, write};
use crate::verify::{Answer, Verifier};

/// At most this many other chains with the same end-entity (picked by the inner resolver)
/// have a stapled copy kept; the oldest copy goes first.
const MAX_COPIES: usize = 8;

pub(super) struct Entry {
    pub(super) label: String,
    /// As given: recognised by its address on the handshake path.
    pub(super) registered: Arc<CertifiedKey>,
    /// The chain and key without a staple.
    bare: Arc<CertifiedKey>,
    pub(super) end_entity: CertificateDer<'static>,
    pub(super) issuer: CertificateDer<'static>,
    /// The `CertID` answers are kept under.
    pub(super) key: CertKey,
    pub(super) responders: ResponderPolicy,
    /// The configured URL, else the certificate's first `http://` one: for snapshots.
    pub(super) shown_url: Option<String>,
    pub(super) serial: Vec<u8>,
    pub(super) must_staple: bool,
    pub(super) state_file: Option<PathBuf>,
    served: RwLock<Served>,
    /// Chains the inner resolver picked other than the registered one, stapled, by address.
    copies: Mutex<Bounded<usize, Copy>>,
    pub(super) state: Mutex<EntryState>,
    stapled_handshakes: AtomicU64,
    unstapled_handshakes: AtomicU64,
}

/// What the handshake path reads.
struct Served {
    /// The chain and key with the staple, and the answer stapled.
    stapled: Option<(Arc<CertifiedKey>, Answer)>,
    /// The window the staple is served in: `thisUpdate` less the clock skew, to its end.
    from: UnixTime,
    until: UnixTime,
    /// Bumped whenever the staple changes, so that copies made for another chain are
    /// remade.
    generation: u64,
}

/// A chain the inner resolver picked, and its copy with the staple of one generation (or
/// without a staple, the `bare` copy of a chain that carried its own).
struct Copy {
    /// Kept so that its address cannot be reused for another chain while the copy lives.
    _chosen: Arc<CertifiedKey>,
    generation: Option<u64>,
    copy: Arc<CertifiedKey>,
}

/// What the refresh path keeps.
pub(super) struct EntryState {
    /// When the responder is asked next (monotonic).
    pub(super) next_attempt: Instant,
    /// Refreshes in a row that brought nothing newer.
    pub(super) unchanged: u8,
    /// Whether the staple was being served at the last round (to report its end once, and
    /// its return).
    pub(super) live: bool,
    pub(super) last_error: Option<(UnixTime, StapleError)>,
    pub(super) fetches: u64,
    pub(super) failures: u64,
    pub(super) contradictions: u64,
}

impl Entry {
    /// Checks one chain and makes its entry.
    pub(super) fn build(
        certificate: StapledCertificate,
        verifier: &Verifier<'static>,
        fetcher: Fetcher<'static>,
        state_dir: Option<&Path>,
        now: UnixTime,
        mono: std::time::Instant,
    ) -> Result<Self, BuildError> {
        let StapledCertificate {
            certified_key,
            issuer,
            responders,
            label,
        } = certificate;
        let provisional = || label.clone().unwrap_or_default();
        let end_entity =
            certified_key
                .cert
                .first()
                .cloned()
                .ok_or_else(|| BuildError::EmptyChain {
                    label: provisional(),
                })?;
        let cert = Certificate::from_der(&end_entity).map_err(|error| BuildError::Certificate {
            label: provisional(),
            error,
        })?;
        let label = label.unwrap_or_else(|| std::format!("{}", Hex(cert.serial())));
        if let Some(url) = responders.invalid_entry() {
            let url = String::from(url);
            return Err(BuildError::InvalidResponderUrl { label, url });
        }
        let issuer = match issuer.or_else(|| certified_key.cert.get(1).cloned()) {
            Some(issuer) => issuer,
            None => return Err(BuildError::MissingIssuer { label }),
        };
        let issuer_cert = match Certificate::from_der(&issuer) {
            Ok(issuer_cert) => issuer_cert,
            Err(error) => return Err(BuildError::Issuer { label, error }),
        };
        let issuer_view = Issuer::from(&issuer_cert);
        if !issuer_view.issued(&cert, verifier.algorithms()) {
            return Err(BuildError::WrongIssuer { label });
        }
        let key = match ReqCert::new(&cert, &issuer_view, fetcher.hash_algorithm()) {
            Ok(req_cert) => CertKey::of(&req_cert),
            Err(error) => return Err(BuildError::Certificate { label, error }),
        };
        let responder_url = responders
            .urls()
            .first()
            .cloned()
            .or_else(|| http_responder_urls(&cert).next().map(String::from));
        let bare = if certified_key.ocsp.is_some() {
            let mut bare = CertifiedKey::clone(&certified_key);
            bare.ocsp = None;
            Arc::new(bare)
        } else {
            Arc::clone(&certified_key)
        };
        Ok(Self {
            label,
            serial: cert.serial().to_vec(),
            must_staple: cert.is_must_staple(),
            state_file: state_dir.map(|dir| state_dir::path_for(dir, &end_entity)),
            registered: certified_key,
            bare,
            end_entity,
            issuer,
            key,
            responders,
            shown_url: responder_url,
            served: RwLock::new(Served {
                stapled: None,
                from: now,
                until: now,
                generation: 0,
            }),
            copies: Mutex::new(Bounded::new(MAX_COPIES)),
            state: Mutex::new(EntryState {
                next_attempt: mono,
                unchanged: 0,
                live: false,
                last_error: None,
                fetches: 0,
                failures: 0,
                contradictions: 0,
            }),
            stapled_handshakes: AtomicU64::new(0),
            unstapled_handshakes: AtomicU64::new(0),
        })
    }

    /// What a handshake gets at `now`: `chosen` (the inner resolver's pick, or the registered
    /// chain) with the staple while `now` is in its window, else without.
    pub(super) fn serve(
        &self,
        chosen: Option<&Arc<CertifiedKey>>,
        now: UnixTime,
    ) -> Arc<CertifiedKey> {
        let chosen = chosen.unwrap_or(&self.registered);
        let stapled = {
            let served = read(&self.served);
            match &served.stapled {
                Some((stapled, _)) if served.from <= now && now < served.until => {
                    Some((Arc::clone(stapled), served.generation))
                }
                _ => None,
            }
        };
        let Some((stapled, generation)) = stapled else {
            self.unstapled_handshakes.fetch_add(1, Ordering::Relaxed);
            return if Arc::ptr_eq(chosen, &self.registered) {
                Arc::clone(&self.bare)
            } else if chosen.ocsp.is_some() {
                // Only answers the stapler verified are stapled.
                self.copy(chosen, None)
            } else {
                Arc::clone(chosen)
            };
        };
        self.stapled_handshakes.fetch_add(1, Ordering::Relaxed);
        if Arc::ptr_eq(chosen, &self.registered) {
            stapled
        } else {
            self.copy(chosen, Some((generation, &stapled)))
        }
    }

    /// `chosen` with the staple of `generation` (or with none), made once per generation.
    fn copy(
        &self,
        chosen: &Arc<CertifiedKey>,
        staple: Option<(u64, &Arc<CertifiedKey>)>,
    ) -> Arc<CertifiedKey> {
        let address = Arc::as_ptr(chosen).addr();
        let generation = staple.map(|(generation, _)| generation);
        let mut copies = lock(&self.copies);
        if let Some(copy) = copies.get(&address)
            && copy.generation == generation
        {
            return Arc::clone(&copy.copy);
        }
        let mut copy = CertifiedKey::clone(chosen);
        copy.ocsp = staple.and_then(|(_, stapled)| stapled.ocsp.clone());
        let copy = Arc::new(copy);
        copies.insert(
            address,
            Copy {
                _chosen: Arc::clone(chosen),
                generation,
                copy: Arc::clone(&copy),
            },
            |_| (),
        );
        copy
    }

    /// Staples `der` (the answer `answer`) for the window `from..until`; returns whether the
    /// staple's bytes changed.
    pub(super) fn staple(
        &self,
        der: &[u8],
        answer: Answer,
        from: UnixTime,
        until: UnixTime,
    ) -> bool {
        let changed = read(&self.served)
            .stapled
            .as_ref()
            .and_then(|(stapled, _)| stapled.ocsp.as_deref())
            != Some(der);
        // Built before the write lock is taken: the handshake path waits for an assignment.
        let stapled = changed.then(|| {
            let mut stapled = CertifiedKey::clone(&self.bare);
            stapled.ocsp = Some(der.to_vec());
            Arc::new(stapled)
        });
        let mut served = write(&self.served);
        match (stapled, &mut served.stapled) {
            (Some(stapled), slot) => {
                *slot = Some((stapled, answer));
                served.generation = served.generation.wrapping_add(1);
            }
            (None, Some((_, kept))) => *kept = answer,
            (None, None) => {}
        }
        served.from = from;
        served.until = until;
        changed
    }

    /// The answer stapled at `now`, and until when, if `now` is in its window.
    pub(super) fn stapled(&self, now: UnixTime) -> Option<(Answer, UnixTime)> {
        let served = read(&self.served);
        match &served.stapled {
            Some((_, answer)) if served.from <= now && now < served.until => {
                Some((*answer, served.until))
            }
            _ => None,
        }
    }

    /// The answer stapled whatever the time, and until when.
    pub(super) fn stapled_any_time(&self) -> Option<(Answer, UnixTime)> {
        let served = read(&self.served);
        served
            .stapled
            .as_ref()
            .map(|(_, answer)| (*answer, served.until))
    }

    pub(super) fn snapshot(
        &self,
        now: UnixTime,
        mono: Instant,
        failures_in_a_row: u32,
    ) -> StapleSnapshot {
        let state = lock(&self.state);
        StapleSnapshot {
            certificate: self.label.clone(),
            serial: self.serial.clone(),
            must_staple: self.must_staple,
            responder_url: self.shown_url.clone(),
            now,
            stapled: self.stapled(now),
            next_refresh: wall_at(state.next_attempt, now, mono),
            last_error: state.last_error.clone(),
            fetches: state.fetches,
            failures: state.failures,
            failures_in_a_row,
            contradictions: state.contradictions,
            stapled_handshakes: self.stapled_handshakes.load(Ordering::Relaxed),
            unstapled_handshakes: self.unstapled_handshakes.load(Ordering::Relaxed),
        }
    }
}

/// `thisUpdate` less `skew`: where a staple's window starts.
pub(super) fn window_start(answer: &Answer, skew: Duration) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(
        answer
            .this_update()
            .as_secs()
            .saturating_sub(skew.as_secs()),
    ))
}
