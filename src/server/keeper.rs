//! The keeper of verified answers, per `CertID`: the one place that decides whether an answer
//! replaces the one kept. The stapler, the mTLS verifier and the fetch cache all keep their
//! answers here (through [`crate::fetch::ResponseCache`]).
//!
//! The rules an answer offered goes through, in this order:
//!
//! 1. **Not from the future.** `thisUpdate` must be at most the clock skew ahead of now, for
//!    every status: the verifier reports a signed permanent revocation whatever its window
//!    (profile rule 14), but one dated an hour ahead must not be kept, or it would refuse every
//!    genuine answer as older for as long as it lives.
//! 2. **Revocation is one-way.** Once a permanent revocation (any reason but
//!    certificateHold, which RFC 5280 section 5.3.1 makes temporary) has been kept for a
//!    `CertID`, no `good` or `unknown` answer replaces it, newer or not: that is a responder
//!    contradicting itself (a lagging replica, a wrong configuration, an attack), reported as
//!    [`Refusal::Contradiction`]. Revocations are also remembered apart from the answers, in a
//!    bounded memory of their own, so that they outlive the answers' freshness and eviction.
//! 3. **Never older.** An answer older (by `thisUpdate`) than the one kept is refused; one of
//!    the same `thisUpdate` leaves the kept one in place ("nothing newer").
//!
//! Both maps are bounded: answers drop the one whose `nextUpdate` comes soonest (stale ones
//! first), revocations the one least recently looked up.

use core::time::Duration;
use std::boxed::Box;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls_pki_types::UnixTime;

use super::bounded::Bounded;
use super::sync::lock;
use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::owned::OwnedVerifiedResponse;
use crate::requests::ReqCert;
use crate::response::{CertStatus, RevocationReason};
use crate::verify::Answer;

/// The key answers are kept by: the whole `CertID` (hash algorithm, both hashes, serial).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CertKey(Box<[u8]>);

impl CertKey {
    pub(crate) fn of(req_cert: &ReqCert<'_>) -> Self {
        let algorithm = match req_cert.hash_algorithm() {
            HashAlgorithm::Sha1 => 1,
            HashAlgorithm::Sha256 => 2,
            HashAlgorithm::Sha384 => 3,
            HashAlgorithm::Sha512 => 4,
        };
        let parts = [
            req_cert.issuer_name_hash(),
            req_cert.issuer_key_hash(),
            req_cert.serial(),
        ];
        let mut key = std::vec![algorithm];
        for part in parts {
            key.extend_from_slice(part);
        }
        Self(key.into_boxed_slice())
    }
}

/// An answer kept, with the monotonic instant it was kept at (answers without `nextUpdate`
/// are kept for a TTL from then); `None` for a revocation remembered after its answer was
/// dropped (a permanent revocation needs no TTL).
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    pub(crate) response: Arc<OwnedVerifiedResponse>,
    pub(crate) kept_at: Option<Instant>,
}

/// What an offer did.
#[derive(Clone, Debug)]
pub(crate) enum Offered {
    /// The answer is newer than the one kept (or the first): kept now.
    Newer(Arc<OwnedVerifiedResponse>),
    /// The same `thisUpdate` as the one kept, which stays.
    Unchanged(Arc<OwnedVerifiedResponse>),
}

impl Offered {
    pub(crate) fn response(&self) -> &Arc<OwnedVerifiedResponse> {
        match self {
            Self::Newer(response) | Self::Unchanged(response) => response,
        }
    }
}

/// Why an answer was not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `thisUpdate` is further ahead than the clock skew: rule 1.
    NotYetValid(Error),
    /// Older than the answer kept: rule 3.
    NotNewer {
        /// The answer offered.
        offered: Answer,
        /// The answer kept.
        held: Answer,
    },
    /// `good` or `unknown` after a permanent revocation: rule 2.
    Contradiction {
        /// The revocation kept.
        held: Answer,
        /// The answer offered.
        offered: Answer,
    },
}

/// Whether `answer` is a permanent revocation: revoked for any reason but certificateHold.
pub(crate) fn is_permanent_revocation(answer: &Answer) -> bool {
    matches!(
        answer.status(),
        CertStatus::Revoked { reason, .. } if reason != Some(RevocationReason::CertificateHold)
    )
}

/// Answers and revocations by `CertID`, both bounded.
#[derive(Debug)]
pub(crate) struct Keeper {
    answers: Mutex<Bounded<CertKey, Kept>>,
    revocations: Mutex<Bounded<CertKey, Arc<OwnedVerifiedResponse>>>,
}

impl Keeper {
    pub(crate) fn new(capacity: usize, revocation_capacity: usize) -> Self {
        Self {
            answers: Mutex::new(Bounded::new(capacity)),
            revocations: Mutex::new(Bounded::new(revocation_capacity)),
        }
    }

    /// Offers a verified answer at wall time `now` (monotonic `mono`), with the verifier's
    /// clock skew: the rules of the module documentation.
    pub(crate) fn offer(
        &self,
        key: &CertKey,
        response: OwnedVerifiedResponse,
        now: UnixTime,
        mono: Instant,
        skew: Duration,
    ) -> Result<Offered, Refusal> {
        let offered = response.answer();
        if offered.this_update().as_secs() > now.as_secs().saturating_add(skew.as_secs()) {
            return Err(Refusal::NotYetValid(Error::ResponseNotYetValid {
                time: now,
                not_before: offered.this_update(),
            }));
        }
        // One lock order everywhere: revocations, then answers.
        let mut revocations = lock(&self.revocations);
        let mut answers = lock(&self.answers);
        let held_revocation = revocations
            .touch(key)
            .map(|held| Arc::clone(held))
            .or_else(|| {
                answers
                    .get(key)
                    .map(|kept| Arc::clone(&kept.response))
                    .filter(|held| is_permanent_revocation(&held.answer()))
            });
        if let Some(held) = &held_revocation
            && !is_permanent_revocation(&offered)
        {
            return Err(Refusal::Contradiction {
                held: held.answer(),
                offered,
            });
        }
        let held = answers
            .get(key)
            .map(|kept| Arc::clone(&kept.response))
            .or(held_revocation);
        if let Some(held) = held {
            let (this, kept) = (offered.this_update(), held.answer().this_update());
            if this < kept {
                return Err(Refusal::NotNewer {
                    offered,
                    held: held.answer(),
                });
            }
            if this == kept {
                return Ok(Offered::Unchanged(held));
            }
        }
        let response = Arc::new(response);
        if is_permanent_revocation(&offered) {
            revocations.insert(key.clone(), Arc::clone(&response), |_| ());
        }
        let kept = Kept {
            response: Arc::clone(&response),
            kept_at: Some(mono),
        };
        answers.insert(key.clone(), kept, |kept| {
            let answer = kept.response.answer();
            answer.next_update().unwrap_or(answer.this_update())
        });
        Ok(Offered::Newer(response))
    }

    /// The answer kept for `key`: a remembered permanent revocation first, whatever its age.
    pub(crate) fn get(&self, key: &CertKey) -> Option<Kept> {
        let revocation = lock(&self.revocations)
            .touch(key)
            .map(|held| Arc::clone(held));
        let answers = lock(&self.answers);
        match revocation {
            Some(response) => Some(match answers.get(key) {
                // The same answer: its instant too.
                Some(kept) if Arc::ptr_eq(&kept.response, &response) => kept.clone(),
                _ => Kept {
                    response,
                    kept_at: None,
                },
            }),
            None => answers.get(key).cloned(),
        }
    }

    /// Forgets the answer kept for `key` (never a revocation).
    pub(crate) fn remove_answer(&self, key: &CertKey) {
        lock(&self.answers).remove(key);
    }

    /// The number of answers kept.
    pub(crate) fn len(&self) -> usize {
        lock(&self.answers).len()
    }

    /// The number of revocations remembered.
    pub(crate) fn revocations(&self) -> usize {
        lock(&self.revocations).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKEW: Duration = Duration::from_secs(300);

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn response(status: CertStatus, this_update: u64) -> OwnedVerifiedResponse {
        OwnedVerifiedResponse::for_tests(Answer::for_tests(
            status,
            at(this_update),
            Some(at(this_update + 86_400)),
        ))
    }

    fn revoked(reason: RevocationReason) -> CertStatus {
        CertStatus::Revoked {
            time: at(500),
            reason: Some(reason),
        }
    }

    fn key(serial: u8) -> CertKey {
        CertKey(std::vec![1, serial].into_boxed_slice())
    }

    fn offer(
        keeper: &Keeper,
        key: &CertKey,
        status: CertStatus,
        this_update: u64,
        now: u64,
    ) -> Result<Offered, Refusal> {
        keeper.offer(
            key,
            response(status, this_update),
            at(now),
            Instant::now(),
            SKEW,
        )
    }

    fn kept_this_update(keeper: &Keeper, key: &CertKey) -> Option<u64> {
        keeper
            .get(key)
            .map(|kept| kept.response.answer().this_update().as_secs())
    }

    #[test]
    fn newer_replaces_older_is_refused_same_is_unchanged() {
        let keeper = Keeper::new(8, 8);
        let k = key(1);
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 1_000, 1_000),
            Ok(Offered::Newer(_))
        ));
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 2_000, 2_000),
            Ok(Offered::Newer(_))
        ));
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 1_500, 2_000),
            Err(Refusal::NotNewer { .. })
        ));
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 2_000, 2_100),
            Ok(Offered::Unchanged(_))
        ));
        assert_eq!(kept_this_update(&keeper, &k), Some(2_000));
        // Good may follow unknown, and a hold: they are not permanent.
        let k = key(2);
        offer(&keeper, &k, CertStatus::Unknown, 1_000, 1_000).unwrap();
        offer(
            &keeper,
            &k,
            revoked(RevocationReason::CertificateHold),
            1_100,
            1_100,
        )
        .unwrap();
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 1_200, 1_200),
            Ok(Offered::Newer(_))
        ));
        assert_eq!(keeper.revocations(), 0);
    }

    #[test]
    fn a_kept_revocation_keeps_its_instant_and_the_count_is_of_answers() {
        let keeper = Keeper::new(8, 8);
        assert_eq!((keeper.len(), keeper.revocations()), (0, 0));
        let (a, b) = (key(1), key(2));
        let mono = Instant::now();
        keeper
            .offer(
                &a,
                response(revoked(RevocationReason::KeyCompromise), 1_000),
                at(1_000),
                mono,
                SKEW,
            )
            .unwrap();
        offer(&keeper, &b, CertStatus::Good, 1_000, 1_000).unwrap();
        assert_eq!((keeper.len(), keeper.revocations()), (2, 1));
        // The revocation is also the answer kept: served with the instant it was kept at.
        assert_eq!(keeper.get(&a).and_then(|kept| kept.kept_at), Some(mono));
        // Once the answer is forgotten, the revocation alone: no instant.
        keeper.remove_answer(&a);
        let held = keeper.get(&a).expect("a revocation is never forgotten");
        assert_eq!(held.kept_at, None);
        assert!(is_permanent_revocation(&held.response.answer()));
        assert_eq!((keeper.len(), keeper.revocations()), (1, 1));
    }

    #[test]
    fn the_future_is_refused_for_every_status_at_one_second_past_the_skew() {
        let keeper = Keeper::new(8, 8);
        let k = key(1);
        for status in [CertStatus::Good, revoked(RevocationReason::KeyCompromise)] {
            assert_eq!(
                offer(&keeper, &k, status, 1_301, 1_000).map(|_| ()),
                Err(Refusal::NotYetValid(Error::ResponseNotYetValid {
                    time: at(1_000),
                    not_before: at(1_301)
                }))
            );
        }
        assert!(keeper.get(&k).is_none());
        // Exactly at the skew is accepted.
        assert!(
            offer(
                &keeper,
                &k,
                revoked(RevocationReason::KeyCompromise),
                1_300,
                1_000
            )
            .is_ok()
        );
    }

    #[test]
    fn a_permanent_revocation_is_never_replaced_by_good_or_unknown() {
        let keeper = Keeper::new(8, 8);
        let k = key(1);
        offer(
            &keeper,
            &k,
            revoked(RevocationReason::KeyCompromise),
            1_000,
            1_000,
        )
        .unwrap();
        for status in [
            CertStatus::Good,
            CertStatus::Unknown,
            revoked(RevocationReason::CertificateHold),
        ] {
            let refused = offer(&keeper, &k, status, 9_000, 9_000);
            assert!(
                matches!(refused, Err(Refusal::Contradiction { held, offered })
                    if held.this_update() == at(1_000) && offered.status() == status),
                "{status:?}"
            );
        }
        // A newer revocation is taken.
        assert!(matches!(
            offer(
                &keeper,
                &k,
                revoked(RevocationReason::Superseded),
                2_000,
                2_000
            ),
            Ok(Offered::Newer(_))
        ));
        assert_eq!(kept_this_update(&keeper, &k), Some(2_000));
    }

    #[test]
    fn revocations_outlive_the_answers_and_are_bounded() {
        // Room for one answer and two revocations.
        let keeper = Keeper::new(1, 2);
        let (a, b, c) = (key(1), key(2), key(3));
        offer(
            &keeper,
            &a,
            revoked(RevocationReason::KeyCompromise),
            1_000,
            1_000,
        )
        .unwrap();
        // A good answer about b pushes a's answer out, not a's revocation.
        offer(&keeper, &b, CertStatus::Good, 1_000, 1_000).unwrap();
        assert_eq!(keeper.len(), 1);
        assert!(matches!(
            offer(&keeper, &a, CertStatus::Good, 5_000, 5_000),
            Err(Refusal::Contradiction { .. })
        ));
        assert!(
            keeper
                .get(&a)
                .is_some_and(|kept| is_permanent_revocation(&kept.response.answer()))
        );
        // Two more revocations, with a looked up in between: the least recently looked up
        // (c) makes room for d.
        offer(
            &keeper,
            &c,
            revoked(RevocationReason::KeyCompromise),
            1_000,
            1_000,
        )
        .unwrap();
        assert_eq!(keeper.revocations(), 2);
        let d = key(4);
        let _ = keeper.get(&a);
        offer(
            &keeper,
            &d,
            revoked(RevocationReason::KeyCompromise),
            1_000,
            1_000,
        )
        .unwrap();
        assert_eq!(keeper.revocations(), 2);
        assert!(keeper.get(&c).is_none(), "c was looked up least recently");
        assert!(keeper.get(&a).is_some());
        // Removing an answer never removes a revocation.
        keeper.remove_answer(&a);
        assert!(keeper.get(&a).is_some());
    }

    #[test]
    fn answers_are_bounded_dropping_the_soonest_next_update() {
        let keeper = Keeper::new(2, 0);
        offer(&keeper, &key(1), CertStatus::Good, 3_000, 3_000).unwrap();
        offer(&keeper, &key(2), CertStatus::Good, 1_000, 3_000).unwrap();
        offer(&keeper, &key(3), CertStatus::Good, 2_000, 3_000).unwrap();
        assert!(keeper.get(&key(2)).is_none());
        assert!(keeper.get(&key(1)).is_some() && keeper.get(&key(3)).is_some());
        // Without revocation memory, a revocation still blocks good while its answer is kept.
        let k = key(9);
        offer(
            &keeper,
            &k,
            revoked(RevocationReason::KeyCompromise),
            9_000,
            9_000,
        )
        .unwrap();
        assert!(matches!(
            offer(&keeper, &k, CertStatus::Good, 9_500, 9_500),
            Err(Refusal::Contradiction { .. })
        ));
    }

    #[test]
    fn keys_are_the_whole_cert_id() {
        let cert = crate::cert::Certificate::from_der(include_bytes!(
            "../../test-vectors/real-world/openssl/ND1_Cert_EE.der"
        ))
        .unwrap();
        let issuer = crate::cert::Certificate::from_der(include_bytes!(
            "../../test-vectors/real-world/openssl/ND1_Issuer_ICA.der"
        ))
        .unwrap();
        let issuer = crate::issuer::Issuer::from(&issuer);
        let sha1 = ReqCert::new(&cert, &issuer, HashAlgorithm::Sha1).unwrap();
        let sha256 = ReqCert::new(&cert, &issuer, HashAlgorithm::Sha256).unwrap();
        assert_ne!(CertKey::of(&sha1), CertKey::of(&sha256));
        assert_eq!(CertKey::of(&sha1), CertKey::of(&sha1));
        let other = [0x01];
        assert_ne!(
            CertKey::of(&sha1),
            CertKey::of(&sha1.with_serial_for_tests(&other))
        );
        assert_eq!(
            CertKey::of(&sha1).0.len(),
            1 + 20 + 20 + cert.serial().len()
        );
    }
}
