//! The verification pipeline: parse, find the answer for the certificate, authorise the
//! responder, check the signature, the critical extensions, the nonce and the times.
//!
//! The profile's rules are numbered as in `docs/design.md`, where their table is. The order
//! is fixed: parse (rules 1 to 6); the certificate's issuer name against the issuer given; the
//! matching `SingleResponse`s (7, 8); the responder's authority (9) and the response signature
//! (10); critical extensions (11); the nonce (12); the times (13, 14). So an answer is only
//! ever reported after its signature has been checked, and a response that is wrong in several
//! ways reports the first of them in that order.
//!
//! Deliberately not enforced, and why:
//!
//! - The issuer's own certificate (its signature, validity, CA flag) is not checked: the caller
//!   vouches for it, having built the chain, and may hold only its name and key (an
//!   [`Issuer`] made from a trust anchor). (OpenSSL's test suite agrees: an issuer with a
//!   broken self-signature still verifies.)
//! - The delegated responder's own revocation status is not checked. RFC 6960 section
//!   4.2.2.2.1 leaves it to the CA (id-pkix-ocsp-nocheck says "do not check"); checking it would
//!   mean another OCSP query per response.
//! - Its keyUsage is not required to carry digitalSignature (mozilla::pkix does not require it
//!   either); the extension is understood, so a critical one does not refuse the certificate.
//! - `producedAt` is reported but not compared with `now` or with `thisUpdate`: RFC 6960 gives it
//!   no bearing on freshness, which `thisUpdate`/`nextUpdate` carry.
//! - Only the end-entity's status is checked; a chain's intermediates need their own answers.

use core::time::Duration;

use rustls_pki_types::{SignatureVerificationAlgorithm, UnixTime};

use crate::cert::Certificate;
use crate::der::{FromTlv, contents_of};
use crate::error::{Error, Structure};
use crate::extension::check_critical;
use crate::hash::{HashAlgorithm, sha1};
use crate::issuer::Issuer;
use crate::oid;
use crate::requests::ReqCert;
use crate::response::{
    BasicResponse, CertStatus, MAX_RESPONSE_LEN, OcspResponse, ResponderId, ResponseData,
    RevocationReason, SingleResponse,
};
use crate::signed::{SubjectPublicKeyInfo, verify_signed_data};

/// How a verified response's signer was authorised (RFC 6960 section 4.2.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponderAuthorization {
    /// The CA that issued the certificate signed the response itself.
    Issuer,
    /// A delegated responder signed it: a certificate embedded in the response, issued directly
    /// by the CA, carrying id-kp-OCSPSigning.
    Delegated,
    /// A responder the caller trusts locally signed it.
    Trusted,
}

impl ResponderAuthorization {
    /// `issuer`, `delegated` or `trusted`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Issuer => "issuer",
            Self::Delegated => "delegated",
            Self::Trusted => "trusted",
        }
    }
}

/// The verifier: the caller's algorithm policy, trusted responders and time tolerances.
///
/// A small `Copy` value; build it once and use it for every response. Every setting has a
/// secure default (the associated `DEFAULT_*` constants); a setting that weakens a check says
/// `dangerous` in its name.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::{Verifier, rustcrypto};
///
/// let verifier = Verifier::new(rustcrypto::ALL)
///     .with_clock_skew(Duration::from_secs(60))
///     .with_max_lifetime(Duration::from_secs(4 * 86_400));
/// # let _ = verifier;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Verifier<'p> {
    algorithms: &'p [&'p dyn SignatureVerificationAlgorithm],
    trusted_responders: &'p [Certificate<'p>],
    clock_skew: Duration,
    max_age: Duration,
    max_age_without_next_update: Duration,
    max_lifetime: Duration,
    accept_missing_nonce: bool,
    max_response_len: usize,
}

impl<'p> Verifier<'p> {
    /// The default clock skew tolerated on every time comparison: 5 minutes.
    pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

    /// The default largest age of `thisUpdate`, with or without `nextUpdate`: 7 days (the
    /// largest age Chromium accepts for a leaf's revocation information; BoringSSL refuses an
    /// older `thisUpdate` even when `nextUpdate` is later).
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

    /// The default largest age of a response without `nextUpdate`: 1 day (mozilla::pkix).
    pub const DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE: Duration = Duration::from_secs(24 * 60 * 60);

    /// The default largest `nextUpdate - thisUpdate`: 10 days (mozilla::pkix).
    pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(10 * 24 * 60 * 60);

    /// A verifier that accepts signatures made with `algorithms` (for example
    /// [`crate::rustcrypto::ALL`], or a rustls `CryptoProvider`'s
    /// `signature_verification_algorithms.all`), with the defaults: clock skew
    /// [`Verifier::DEFAULT_CLOCK_SKEW`], ages [`Verifier::DEFAULT_MAX_AGE`] and
    /// [`Verifier::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE`], lifetime
    /// [`Verifier::DEFAULT_MAX_LIFETIME`], no trusted responders, a missing nonce refused, a
    /// 64 KiB size cap.
    pub const fn new(algorithms: &'p [&'p dyn SignatureVerificationAlgorithm]) -> Self {
        Self {
            algorithms,
            trusted_responders: &[],
            clock_skew: Self::DEFAULT_CLOCK_SKEW,
            max_age: Self::DEFAULT_MAX_AGE,
            max_age_without_next_update: Self::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE,
            max_lifetime: Self::DEFAULT_MAX_LIFETIME,
            accept_missing_nonce: false,
            max_response_len: MAX_RESPONSE_LEN,
        }
    }

    /// Responders the caller trusts to answer for any certificate (RFC 6960 section 4.2.2.2:
    /// "Matching a local configuration of OCSP signing authority for the certificate in
    /// question"). They are identified by the responderID and only their key is used: the
    /// caller vouches for them, so neither their validity nor their extensions are checked.
    pub const fn with_trusted_responders(self, trusted: &'p [Certificate<'p>]) -> Self {
        Self {
            trusted_responders: trusted,
            ..self
        }
    }

    /// The clock skew tolerated between the caller's clock and the responder's, on every time
    /// comparison of rules 13 and 14.
    pub const fn with_clock_skew(self, clock_skew: Duration) -> Self {
        Self { clock_skew, ..self }
    }

    /// The largest age (`now - thisUpdate`) accepted, with or without `nextUpdate`.
    pub const fn with_max_age(self, max_age: Duration) -> Self {
        Self { max_age, ..self }
    }

    /// The largest age accepted for a response without `nextUpdate` (RFC 6960 section 4.2.2.1:
    /// "If nextUpdate is not set, the responder is indicating that newer revocation
    /// information is available all the time"). The smaller of this and
    /// [`Verifier::with_max_age`] applies.
    pub const fn with_max_age_without_next_update(self, max_age: Duration) -> Self {
        Self {
            max_age_without_next_update: max_age,
            ..self
        }
    }

    /// The largest `nextUpdate - thisUpdate` accepted. [`Duration::MAX`] lifts the cap.
    pub const fn with_max_lifetime(self, max_lifetime: Duration) -> Self {
        Self {
            max_lifetime,
            ..self
        }
    }

    /// Accepts a response that carries no nonce although the request carried one.
    ///
    /// Many responders behind caches ignore nonces (RFC 5019 section 2.2); a caller talking to
    /// one may choose this, knowing the answer may then be a replay of an older one still
    /// within its validity period. A nonce that is present but different is always refused.
    pub const fn dangerous_with_missing_nonce_accepted(self) -> Self {
        Self {
            accept_missing_nonce: true,
            ..self
        }
    }

    /// The size cap on encoded responses (default [`MAX_RESPONSE_LEN`], 64 KiB).
    pub const fn with_max_response_len(self, max_response_len: usize) -> Self {
        Self {
            max_response_len,
            ..self
        }
    }

    /// The allowed signature algorithms.
    #[cfg(feature = "rustls")]
    pub(crate) fn algorithms(&self) -> &'p [&'p dyn SignatureVerificationAlgorithm] {
        self.algorithms
    }

    /// The clock skew tolerated (the keeper of answers refuses any answer dated further
    /// ahead).
    #[cfg(all(feature = "rustls", feature = "http"))]
    pub(crate) fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The size cap on encoded responses.
    #[cfg(feature = "http")]
    pub(crate) fn max_response_len(&self) -> usize {
        self.max_response_len
    }

    /// Verifies a DER `OCSPResponse` about `cert`, issued by `issuer`, at `now`. `nonce` is
    /// the nonce the request carried (`None` for a stapled response, or a request without
    /// one): the response must echo it.
    ///
    /// Every profile rule is checked, in the order of the module documentation; the first
    /// broken rule is the error.
    pub fn verify<'r>(
        &self,
        response: &'r [u8],
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<VerifiedResponse<'r>, Error> {
        let response =
            OcspResponse::from_der_with_max_len(response, self.max_response_len)?.into_basic()?;
        self.verify_basic(&response, cert, issuer, nonce, now)
    }

    /// Like [`Verifier::verify`], for an already parsed `BasicOCSPResponse`.
    pub fn verify_basic<'r>(
        &self,
        response: &BasicResponse<'r>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<VerifiedResponse<'r>, Error> {
        // The caller must hand over the certificate's actual issuer: CertID matching and the
        // responder's authority both hang on it.
        if !issuer.is_issuer_of(cert) {
            return Err(Error::IssuerNameMismatch);
        }
        let data = response.response_data();
        let mut hashes = IssuerHashes::new(cert, issuer);
        let chosen = choose_single_response(data, cert, &mut hashes)?;
        let (responder, responder_validity) =
            self.authorize_and_check_signature(data.responder_id(), response, issuer, now)?;
        check_critical_extensions(data, cert, &mut hashes)?;

        // Profile rule 12. RFC 8954 section 2.1: "An OCSP responder that supports the Nonce
        // extension MUST accept a nonce ... and ... include ... the same nonce". When the
        // request carried none, a nonce in the response means nothing and is not looked at.
        if let Some(sent) = nonce {
            match data.nonce()? {
                Some(echoed) if echoed == sent => {}
                Some(_) => return Err(Error::NonceMismatch),
                None if self.accept_missing_nonce => {}
                None => return Err(Error::MissingNonce),
            }
        }

        if let Some(next_update) = chosen.next_update()
            && next_update < chosen.this_update()
        {
            return Err(Error::NextUpdateBeforeThisUpdate);
        }
        let answer = Answer {
            status: chosen.status(),
            this_update: chosen.this_update(),
            next_update: chosen.next_update(),
            produced_at: data.produced_at(),
            responder,
            responder_validity,
        };
        self.check_freshness(&answer, now)?;
        Ok(VerifiedResponse {
            answer,
            single_response: chosen,
        })
    }

    /// Profile rules 13 and 14 (and the delegated responder's validity, rule 9) on an answer
    /// verified earlier, at a new `now`: what a cache, a stapling server or a verdict cache
    /// re-checks before using an answer again. [`Verifier::verify`] ends with this same check.
    ///
    /// A permanent revocation passes whatever the time (rule 14: "a correctly signed revoked
    /// answer is reported as revoked even outside its window"); `good`, and a revocation with
    /// reason certificateHold (a temporary one, RFC 5280 section 5.3.1), must be fresh.
    pub fn check_freshness(&self, answer: &Answer, now: UnixTime) -> Result<(), Error> {
        if let Some(validity) = answer.responder_validity {
            validity.check(now)?;
        }
        if !must_be_fresh(answer.status) {
            return Ok(());
        }
        let secs = |duration: Duration| duration.as_secs();
        let (this_update, now_secs) = (answer.this_update.as_secs(), now.as_secs());
        let skew = secs(self.clock_skew);
        let next_update = answer.next_update.map(|t| t.as_secs());
        if let Some(next_update) = next_update
            && next_update.saturating_sub(this_update) > secs(self.max_lifetime)
        {
            return Err(Error::ResponseLifetimeTooLong);
        }
        if this_update > now_secs.saturating_add(skew) {
            return Err(Error::ResponseNotYetValid {
                time: now,
                not_before: answer.this_update,
            });
        }
        if let Some(next_update) = answer.next_update
            && now_secs > next_update.as_secs().saturating_add(skew)
        {
            return Err(Error::ResponseExpired {
                time: now,
                not_after: next_update,
            });
        }
        // BoringSSL: "this_update >= verify_time - max_age", nextUpdate or not; without
        // nextUpdate the stricter age applies (RFC 6960 section 4.2.2.1).
        let max_age = self.max_age_for(next_update.is_some());
        let oldest = this_update.saturating_add(secs(max_age));
        if now_secs > oldest.saturating_add(skew) {
            return Err(Error::ResponseTooOld {
                time: now,
                not_after: at(oldest),
            });
        }
        Ok(())
    }

    /// The last instant at which `answer` passes [`Verifier::check_freshness`] without the
    /// clock skew: the earliest of its `nextUpdate`, its `thisUpdate` plus the largest age
    /// allowed, and a delegated responder's `notAfter`. `None` for an answer that stays usable
    /// (a permanent revocation, or `unknown`). What a cache or a stapling server drops the
    /// answer at, and what a monitor counts down to.
    pub fn fresh_until(&self, answer: &Answer) -> Option<UnixTime> {
        let responder = answer.responder_validity.map(|v| v.not_after.as_secs());
        if !must_be_fresh(answer.status) {
            return responder.map(at);
        }
        let this_update = answer.this_update.as_secs();
        let max_age = self.max_age_for(answer.next_update.is_some());
        let oldest = this_update.saturating_add(max_age.as_secs());
        let next_update = answer.next_update.map(|t| t.as_secs());
        let until = [Some(oldest), next_update, responder]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(oldest);
        Some(at(until))
    }

    /// The largest age of `thisUpdate` accepted, with or without `nextUpdate` (also the
    /// stapler's limit for a permanent revocation, which [`Verifier::fresh_until`] leaves open).
    pub(crate) fn max_age_for(&self, has_next_update: bool) -> Duration {
        if has_next_update {
            self.max_age
        } else {
            self.max_age.min(self.max_age_without_next_update)
        }
    }

    /// Profile rules 9 and 10: finds who signed, checks they may, and checks the signature.
    fn authorize_and_check_signature(
        &self,
        responder_id: ResponderId<'_>,
        response: &BasicResponse<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
    ) -> Result<(ResponderAuthorization, Option<Validity>), Error> {
        let signed = response.signed_data();
        let check = |key| verify_signed_data(self.algorithms, key, signed);

        // (a) "the CA who issued the certificate in question".
        if identifies(
            responder_id,
            issuer.name(),
            issuer.subject_public_key_info(),
        ) {
            check(issuer.subject_public_key_info())?;
            return Ok((ResponderAuthorization::Issuer, None));
        }
        // (c) "Matches a local configuration of OCSP signing authority".
        if let Some(trusted) = self.trusted_responders.iter().find(|trusted| {
            identifies(
                responder_id,
                trusted.subject_contents(),
                trusted.subject_public_key_info(),
            )
        }) {
            check(trusted.subject_public_key_info())?;
            return Ok((ResponderAuthorization::Trusted, None));
        }
        // (b) "Includes a value of id-kp-OCSPSigning in an extended key usage extension and is
        // issued by the CA that issued the certificate in question".
        let mut first_error = None;
        for candidate in response.certs() {
            let candidate = candidate?;
            if !identifies(
                responder_id,
                candidate.subject_contents(),
                candidate.subject_public_key_info(),
            ) {
                continue;
            }
            match self.check_delegated(&candidate, issuer, now) {
                Ok(validity) => {
                    check(candidate.subject_public_key_info())?;
                    return Ok((ResponderAuthorization::Delegated, Some(validity)));
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(Error::ResponderNotFound))
    }

    /// The checks of profile rule 9(b) on one delegated responder certificate; returns its
    /// validity, which [`Verifier::check_freshness`] checks again on a later use of the
    /// answer. Costs at most one signature check, made last.
    fn check_delegated(
        &self,
        responder: &Certificate<'_>,
        issuer: &Issuer<'_>,
        now: UnixTime,
    ) -> Result<Validity, Error> {
        // Issued *directly* by the CA: its issuer is the CA's subject ...
        if !issuer.is_issuer_of(responder) {
            return Err(Error::ResponderNotIssuedByIssuer);
        }
        // RFC 6960 section 4.2.2.2: "OCSP signing delegation SHALL be designated by the
        // inclusion of id-kp-OCSPSigning in an extended key usage certificate extension". No
        // EKU, other purposes and anyExtendedKeyUsage do not designate it.
        if !responder.has_ocsp_signing() {
            return Err(Error::ResponderMissingOcspSigning);
        }
        // A CA certificate is not a responder certificate (mozilla::pkix refuses it as well).
        if responder.is_ca() {
            return Err(Error::ResponderIsCa);
        }
        let validity = Validity {
            not_before: responder.not_before(),
            not_after: responder.not_after(),
        };
        validity.check(now)?;
        // RFC 5280 section 4.2 for the responder's own certificate: an unknown critical
        // extension makes it unusable (id-pkix-ocsp-nocheck is understood).
        if responder.has_unknown_critical_extension() {
            return Err(Error::UnsupportedCriticalExtension(
                Structure::ResponderCertificate,
            ));
        }
        // ... and signed by the CA's key. The issuer's own signature is never checked: the
        // caller vouches for the issuer.
        match verify_signed_data(
            self.algorithms,
            issuer.subject_public_key_info(),
            responder.signed_data(),
        ) {
            Ok(()) => Ok(validity),
            Err(Error::InvalidSignature) => Err(Error::InvalidResponderCertSignature),
            Err(other) => Err(other),
        }
    }
}

/// What a verified response says about the certificate, and what it rests on.
///
/// A small `Copy` value, the same whether it came with the borrowed [`VerifiedResponse`] or the
/// owned [`crate::OwnedVerifiedResponse`]. Only the verifier makes one, so holding one is proof
/// the checks ran (at the `now` they ran with; [`Verifier::check_freshness`] re-checks the
/// times at another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    status: CertStatus,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    produced_at: UnixTime,
    responder: ResponderAuthorization,
    /// The delegated responder certificate's validity, for [`Verifier::check_freshness`].
    responder_validity: Option<Validity>,
}

impl Answer {
    /// The certificate's status: good, revoked (with time and reason) or unknown.
    pub fn status(&self) -> CertStatus {
        self.status
    }

    /// `thisUpdate` of the answer.
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// `nextUpdate` of the answer, when given.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// `producedAt` of the response.
    pub fn produced_at(&self) -> UnixTime {
        self.produced_at
    }

    /// How the signer was authorised.
    pub fn responder(&self) -> ResponderAuthorization {
        self.responder
    }

    /// How long after `now` the answer's `nextUpdate` is (zero once past it), when it has
    /// one: the number to watch to refresh a staple before clients refuse it.
    pub fn time_to_next_update(&self, now: UnixTime) -> Option<Duration> {
        let next_update = self.next_update?.as_secs();
        Some(Duration::from_secs(
            next_update.saturating_sub(now.as_secs()),
        ))
    }

    /// An answer with `status` and the given times, for other modules' unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests(
        status: CertStatus,
        this_update: UnixTime,
        next_update: Option<UnixTime>,
    ) -> Self {
        Self {
            status,
            this_update,
            next_update,
            produced_at: this_update,
            responder: ResponderAuthorization::Issuer,
            responder_validity: None,
        }
    }
}

/// A response that passed every check, borrowed: the [`Answer`], and the entry it came from.
#[derive(Clone, Debug)]
pub struct VerifiedResponse<'r> {
    answer: Answer,
    single_response: SingleResponse<'r>,
}

impl<'r> VerifiedResponse<'r> {
    /// The answer about the certificate.
    pub fn answer(&self) -> Answer {
        self.answer
    }

    /// The `SingleResponse` the answer came from (the strictest of those about the
    /// certificate): its `CertID`, and its extensions, such as a signed certificate timestamp
    /// list (RFC 6962 section 3.3).
    pub fn single_response(&self) -> &SingleResponse<'r> {
        &self.single_response
    }
}

/// A certificate's validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Validity {
    not_before: UnixTime,
    not_after: UnixTime,
}

impl Validity {
    /// A delegated responder's certificate must be valid at `now` (no skew: a certificate's
    /// window is the CA's word, not a clock reading).
    fn check(self, now: UnixTime) -> Result<(), Error> {
        if now < self.not_before {
            return Err(Error::ResponderNotYetValid {
                time: now,
                not_before: self.not_before,
            });
        }
        if now > self.not_after {
            return Err(Error::ResponderExpired {
                time: now,
                not_after: self.not_after,
            });
        }
        Ok(())
    }
}

/// Whether an answer with `status` must be fresh to count (profile rule 14): `good`, and a
/// revocation with reason certificateHold, which is temporary (RFC 5280 section 5.3.1). A
/// permanent revocation is reported whatever its window; `unknown` is refused by every policy
/// unless a caller accepts it on purpose, and its window is not the point.
fn must_be_fresh(status: CertStatus) -> bool {
    match status {
        CertStatus::Good => true,
        CertStatus::Revoked { reason, .. } => reason == Some(RevocationReason::CertificateHold),
        CertStatus::Unknown => false,
    }
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// Whether `id` names the holder of `name` (the contents of a subject `Name`) and `key`: byName
/// equals the name, or byKey equals the SHA-1 of the subjectPublicKey bits.
fn identifies(id: ResponderId<'_>, name: &[u8], key: &SubjectPublicKeyInfo<'_>) -> bool {
    match id {
        ResponderId::ByName(tlv) => contents_of(tlv) == Some(name),
        ResponderId::ByKey(hash) => sha1(key.public_key()) == *hash,
    }
}

/// Profile rules 7 and 8: the entry whose status wins among those about the certificate.
fn choose_single_response<'r>(
    data: &ResponseData<'r>,
    cert: &Certificate<'_>,
    hashes: &mut IssuerHashes<'_>,
) -> Result<SingleResponse<'r>, Error> {
    let mut chosen: Option<SingleResponse<'r>> = None;
    for_each_match(data, cert, hashes, |single| {
        // Rule 8: "revoked > unknown > good"; on a tie the first entry stays.
        let stricter = match &chosen {
            Some(current) => rank(single.status()) > rank(current.status()),
            None => true,
        };
        if stricter {
            chosen = Some(single);
        }
        Ok(())
    })?;
    chosen.ok_or(Error::NoMatchingResponse)
}

/// Profile rule 11, in one place: unknown critical extensions are refused in
/// `responseExtensions` (the nonce is understood) and in the `singleExtensions` of every entry
/// about the certificate (the CT SCT list is understood). Entries about other certificates are
/// not the caller's business. Runs after the signature check, so the entries it walks again
/// are signed, and the issuer hashes are already computed.
fn check_critical_extensions(
    data: &ResponseData<'_>,
    cert: &Certificate<'_>,
    hashes: &mut IssuerHashes<'_>,
) -> Result<(), Error> {
    check_critical(
        data.extensions(),
        Structure::ResponseExtensions,
        &[&oid::OCSP_NONCE],
    )?;
    for_each_match(data, cert, hashes, |single| {
        check_critical(
            single.extensions(),
            Structure::SingleExtensions,
            &[&oid::CT_SCT_LIST_OCSP],
        )
    })
}

/// Calls `f` with each `SingleResponse` whose `CertID` names `cert` (profile rule 7): the
/// serial (exact bytes), then the issuer name and key hashes with the `CertID`'s algorithm.
fn for_each_match<'r>(
    data: &ResponseData<'r>,
    cert: &Certificate<'_>,
    hashes: &mut IssuerHashes<'_>,
    mut f: impl FnMut(SingleResponse<'r>) -> Result<(), Error>,
) -> Result<(), Error> {
    for element in data.response_list().elements() {
        // The serial first: the cheap comparison rules out nearly every other entry before it
        // is parsed (again: the list was validated when the response was parsed).
        let element = element?;
        if SingleResponse::serial_of(&element)? != cert.serial() {
            continue;
        }
        let single = SingleResponse::from_tlv(element)?;
        // An unknown hash algorithm (or one this build leaves out) makes the entry not match.
        let Some(algorithm) = single.cert_id().hash_algorithm() else {
            continue;
        };
        if hashes
            .get(algorithm)
            .is_some_and(|expected| expected.matches(single.cert_id()))
        {
            f(single)?;
        }
    }
    Ok(())
}

fn rank(status: CertStatus) -> u8 {
    match status {
        CertStatus::Good => 0,
        CertStatus::Unknown => 1,
        CertStatus::Revoked { .. } => 2,
    }
}

/// The certificate's `CertID` with each hash algorithm this build computes, computed at most
/// once however many entries use it: the request module's [`ReqCert`], the same value a
/// request carries. (Only as many slots as algorithms supported: each is two digests, and
/// firmware keeps them on its stack.)
struct IssuerHashes<'c> {
    cert: &'c Certificate<'c>,
    issuer: &'c Issuer<'c>,
    computed: [Option<ReqCert<'c>>; HashAlgorithm::SUPPORTED],
}

impl<'c> IssuerHashes<'c> {
    fn new(cert: &'c Certificate<'c>, issuer: &'c Issuer<'c>) -> Self {
        Self {
            cert,
            issuer,
            computed: [None; HashAlgorithm::SUPPORTED],
        }
    }

    /// The `CertID` with `algorithm`; `None` for an algorithm this build cannot compute.
    fn get(&mut self, algorithm: HashAlgorithm) -> Option<&ReqCert<'c>> {
        let slot = self.computed.get_mut(algorithm.index())?;
        if slot.is_none() {
            *slot = ReqCert::new(self.cert, self.issuer, algorithm).ok();
        }
        slot.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;
    const THIS_UPDATE: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn answer(status: CertStatus, next_update: Option<u64>, responder: Option<u64>) -> Answer {
        Answer {
            status,
            this_update: at(THIS_UPDATE),
            next_update: next_update.map(at),
            produced_at: at(THIS_UPDATE),
            responder: ResponderAuthorization::Delegated,
            responder_validity: responder.map(|not_after| Validity {
                not_before: at(THIS_UPDATE - 365 * DAY),
                not_after: at(not_after),
            }),
        }
    }

    fn hold() -> CertStatus {
        CertStatus::Revoked {
            time: at(THIS_UPDATE - DAY),
            reason: Some(RevocationReason::CertificateHold),
        }
    }

    fn key_compromise() -> CertStatus {
        CertStatus::Revoked {
            time: at(THIS_UPDATE - DAY),
            reason: Some(RevocationReason::KeyCompromise),
        }
    }

    #[test]
    fn fresh_until_is_the_earliest_deadline() {
        let verifier = Verifier::new(&[]);
        // nextUpdate first.
        let good = answer(CertStatus::Good, Some(THIS_UPDATE + 4 * DAY), None);
        assert_eq!(verifier.fresh_until(&good), Some(at(THIS_UPDATE + 4 * DAY)));
        // The 7-day age before a 10-day nextUpdate.
        let long = answer(CertStatus::Good, Some(THIS_UPDATE + 10 * DAY), None);
        assert_eq!(verifier.fresh_until(&long), Some(at(THIS_UPDATE + 7 * DAY)));
        // Without nextUpdate, the day.
        let open = answer(CertStatus::Good, None, None);
        assert_eq!(verifier.fresh_until(&open), Some(at(THIS_UPDATE + DAY)));
        // The delegated responder's certificate expiring first.
        let responder = answer(
            CertStatus::Good,
            Some(THIS_UPDATE + 4 * DAY),
            Some(THIS_UPDATE + DAY),
        );
        assert_eq!(
            verifier.fresh_until(&responder),
            Some(at(THIS_UPDATE + DAY))
        );
        // A hold must be fresh; a permanent revocation stays, bounded by its responder only.
        let held = answer(hold(), Some(THIS_UPDATE + 4 * DAY), None);
        assert_eq!(verifier.fresh_until(&held), Some(at(THIS_UPDATE + 4 * DAY)));
        let revoked = answer(key_compromise(), Some(THIS_UPDATE + 4 * DAY), None);
        assert_eq!(verifier.fresh_until(&revoked), None);
        let revoked = answer(
            key_compromise(),
            Some(THIS_UPDATE + 4 * DAY),
            Some(THIS_UPDATE + DAY),
        );
        assert_eq!(verifier.fresh_until(&revoked), Some(at(THIS_UPDATE + DAY)));
    }

    #[test]
    fn check_freshness_at_a_later_time() {
        let verifier = Verifier::new(&[]);
        let skew = Verifier::DEFAULT_CLOCK_SKEW.as_secs();
        let good = answer(CertStatus::Good, Some(THIS_UPDATE + 4 * DAY), None);
        assert_eq!(
            verifier.check_freshness(&good, at(THIS_UPDATE + 4 * DAY + skew)),
            Ok(())
        );
        let late = at(THIS_UPDATE + 4 * DAY + skew + 1);
        assert_eq!(
            verifier.check_freshness(&good, late),
            Err(Error::ResponseExpired {
                time: late,
                not_after: at(THIS_UPDATE + 4 * DAY),
            })
        );
        // A kept answer whose delegated responder expired since: refused, whatever its status.
        let after = at(THIS_UPDATE + DAY + 1);
        for status in [CertStatus::Good, key_compromise(), hold()] {
            let kept = answer(status, Some(THIS_UPDATE + 4 * DAY), Some(THIS_UPDATE + DAY));
            assert_eq!(
                verifier.check_freshness(&kept, after),
                Err(Error::ResponderExpired {
                    time: after,
                    not_after: at(THIS_UPDATE + DAY),
                }),
                "{status:?}"
            );
        }
        // A stale hold is not reported as revoked; a stale permanent revocation is.
        let much_later = at(THIS_UPDATE + 30 * DAY);
        let held = answer(hold(), Some(THIS_UPDATE + 4 * DAY), None);
        assert!(matches!(
            verifier.check_freshness(&held, much_later),
            Err(Error::ResponseExpired { .. })
        ));
        let revoked = answer(key_compromise(), Some(THIS_UPDATE + 4 * DAY), None);
        assert_eq!(verifier.check_freshness(&revoked, much_later), Ok(()));
    }

    /// The defaults the documentation promises, each pinned, and each applied by `new`.
    #[test]
    fn defaults_are_the_documented_ones() {
        assert_eq!(Verifier::DEFAULT_CLOCK_SKEW, Duration::from_secs(300));
        assert_eq!(Verifier::DEFAULT_MAX_AGE, Duration::from_secs(7 * DAY));
        assert_eq!(
            Verifier::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE,
            Duration::from_secs(DAY)
        );
        assert_eq!(
            Verifier::DEFAULT_MAX_LIFETIME,
            Duration::from_secs(10 * DAY)
        );
        let verifier = Verifier::new(&[]);
        assert_eq!(verifier.max_response_len, MAX_RESPONSE_LEN);
        assert!(!verifier.accept_missing_nonce);
        assert!(verifier.trusted_responders.is_empty());
        // Each default at work: the skew, on both sides of the window.
        let good = answer(CertStatus::Good, Some(THIS_UPDATE + 4 * DAY), None);
        let early = at(THIS_UPDATE - 300);
        assert_eq!(verifier.check_freshness(&good, early), Ok(()));
        let too_early = at(THIS_UPDATE - 301);
        assert_eq!(
            verifier.check_freshness(&good, too_early),
            Err(Error::ResponseNotYetValid {
                time: too_early,
                not_before: at(THIS_UPDATE),
            })
        );
        // The age without nextUpdate: a day, plus the skew.
        let open = answer(CertStatus::Good, None, None);
        assert_eq!(
            verifier.check_freshness(&open, at(THIS_UPDATE + DAY + 300)),
            Ok(())
        );
        let late = at(THIS_UPDATE + DAY + 301);
        assert_eq!(
            verifier.check_freshness(&open, late),
            Err(Error::ResponseTooOld {
                time: late,
                not_after: at(THIS_UPDATE + DAY),
            })
        );
        // The age with nextUpdate: seven days, plus the skew.
        let long = answer(CertStatus::Good, Some(THIS_UPDATE + 10 * DAY), None);
        assert_eq!(
            verifier.check_freshness(&long, at(THIS_UPDATE + 7 * DAY + 300)),
            Ok(())
        );
        let late = at(THIS_UPDATE + 7 * DAY + 301);
        assert_eq!(
            verifier.check_freshness(&long, late),
            Err(Error::ResponseTooOld {
                time: late,
                not_after: at(THIS_UPDATE + 7 * DAY),
            })
        );
        // The lifetime: ten days exactly, not a second more.
        let over = answer(CertStatus::Good, Some(THIS_UPDATE + 10 * DAY + 1), None);
        assert_eq!(
            verifier.check_freshness(&over, at(THIS_UPDATE)),
            Err(Error::ResponseLifetimeTooLong)
        );
    }

    /// Each setter changes its own setting, and nothing else.
    #[test]
    fn every_setter_takes_effect() {
        let base = Verifier::new(&[]);
        let good = answer(CertStatus::Good, Some(THIS_UPDATE + 4 * DAY), None);
        let open = answer(CertStatus::Good, None, None);

        let no_skew = base.with_clock_skew(Duration::ZERO);
        assert_eq!(no_skew.clock_skew, Duration::ZERO);
        // What the server side reads (the keeper refuses answers dated further ahead).
        #[cfg(all(feature = "rustls", feature = "http"))]
        assert_eq!(
            (base.clock_skew(), no_skew.clock_skew()),
            (Duration::from_secs(300), Duration::ZERO)
        );
        assert_eq!(no_skew.check_freshness(&good, at(THIS_UPDATE)), Ok(()));
        assert!(matches!(
            no_skew.check_freshness(&good, at(THIS_UPDATE - 1)),
            Err(Error::ResponseNotYetValid { .. })
        ));

        let hour = base.with_max_age_without_next_update(Duration::from_secs(3600));
        assert_eq!(hour.max_age_without_next_update, Duration::from_secs(3600));
        assert_eq!(hour.max_age, Verifier::DEFAULT_MAX_AGE);
        assert_eq!(hour.check_freshness(&open, at(THIS_UPDATE + 3900)), Ok(()));
        assert!(matches!(
            hour.check_freshness(&open, at(THIS_UPDATE + 3901)),
            Err(Error::ResponseTooOld { .. })
        ));
        // The smaller of the two ages applies without nextUpdate.
        let day = base.with_max_age(Duration::from_secs(600));
        assert_eq!(day.max_age_for(false), Duration::from_secs(600));
        assert_eq!(day.max_age_for(true), Duration::from_secs(600));
        assert_eq!(base.max_age_for(false), Duration::from_secs(DAY));
        assert_eq!(base.max_age_for(true), Duration::from_secs(7 * DAY));

        let short = base.with_max_lifetime(Duration::from_secs(4 * DAY));
        assert_eq!(short.check_freshness(&good, at(THIS_UPDATE)), Ok(()));
        let shorter = base.with_max_lifetime(Duration::from_secs(4 * DAY - 1));
        assert_eq!(
            shorter.check_freshness(&good, at(THIS_UPDATE)),
            Err(Error::ResponseLifetimeTooLong)
        );

        let lenient = base.dangerous_with_missing_nonce_accepted();
        assert!(lenient.accept_missing_nonce && !base.accept_missing_nonce);
        let capped = base.with_max_response_len(1000);
        assert_eq!(capped.max_response_len, 1000);
        #[cfg(feature = "http")]
        assert_eq!(capped.max_response_len(), 1000);
        let trusted = [Certificate::from_der(crate::test_der::P256_CA).unwrap()];
        assert_eq!(
            base.with_trusted_responders(&trusted)
                .trusted_responders
                .len(),
            1
        );
    }

    /// A delegated responder's certificate is valid from its notBefore to its notAfter, both
    /// included, with no skew.
    #[test]
    fn responder_validity_includes_both_ends() {
        let validity = Validity {
            not_before: at(THIS_UPDATE),
            not_after: at(THIS_UPDATE + DAY),
        };
        for now in [THIS_UPDATE, THIS_UPDATE + 1, THIS_UPDATE + DAY] {
            assert_eq!(validity.check(at(now)), Ok(()), "{now}");
        }
        assert_eq!(
            validity.check(at(THIS_UPDATE - 1)),
            Err(Error::ResponderNotYetValid {
                time: at(THIS_UPDATE - 1),
                not_before: at(THIS_UPDATE),
            })
        );
        assert_eq!(
            validity.check(at(THIS_UPDATE + DAY + 1)),
            Err(Error::ResponderExpired {
                time: at(THIS_UPDATE + DAY + 1),
                not_after: at(THIS_UPDATE + DAY),
            })
        );
    }

    /// Responses made here and signed by the test PKI's P-256 CA, about its end-entity
    /// certificate: what the checks after the signature need to be reached.
    #[cfg(feature = "ecdsa")]
    mod signed {
        use super::*;
        use crate::test_der::{
            P256_CA, P256_EE, cert_id, extension, response_data, revoked, signed_by_p256_ca,
            single_response, tlv,
        };

        const GOOD: [u8; 2] = [0x80, 0x00];
        const UNKNOWN: [u8; 2] = [0x82, 0x00];
        const NOW: u64 = THIS_UPDATE + 60;

        fn verify_with(
            verifier: Verifier<'_>,
            singles: &[std::vec::Vec<u8>],
            extensions: &[std::vec::Vec<u8>],
            nonce: Option<&[u8]>,
        ) -> Result<Answer, Error> {
            let ca = Certificate::from_der(P256_CA).unwrap();
            let cert = Certificate::from_der(P256_EE).unwrap();
            let issuer = Issuer::from(&ca);
            let tbs = response_data(issuer.subject_public_key_info(), singles, extensions);
            let der = signed_by_p256_ca(&tbs);
            let response = BasicResponse::from_der(&der)?;
            let verified = verifier.verify_basic(&response, &cert, &issuer, nonce, at(NOW))?;
            // The entry the answer came from is the verified response's own.
            let (answer, single) = (verified.answer(), verified.single_response());
            assert_eq!(single.cert_id().serial(), cert.serial());
            assert_eq!(
                (single.status(), single.this_update(), single.next_update()),
                (answer.status(), answer.this_update(), answer.next_update())
            );
            Ok(answer)
        }

        fn verify(singles: &[std::vec::Vec<u8>]) -> Result<Answer, Error> {
            verify_with(Verifier::new(crate::rustcrypto::ECDSA), singles, &[], None)
        }

        fn about_the_certificate() -> std::vec::Vec<u8> {
            let ca = Certificate::from_der(P256_CA).unwrap();
            let cert = Certificate::from_der(P256_EE).unwrap();
            cert_id(&cert, &Issuer::from(&ca))
        }

        #[test]
        fn next_update_may_equal_this_update_but_not_precede_it() {
            let id = about_the_certificate();
            let same = single_response(&id, &GOOD, "20260101000000Z", Some("20260101000000Z"));
            let answer = verify(&[same]).unwrap();
            assert_eq!(answer.next_update(), Some(at(THIS_UPDATE)));
            assert_eq!(answer.responder(), ResponderAuthorization::Issuer);
            let before = single_response(&id, &GOOD, "20260101000000Z", Some("20251231235959Z"));
            assert_eq!(verify(&[before]), Err(Error::NextUpdateBeforeThisUpdate));
        }

        /// Rule 8: revoked > unknown > good, and among equals the first entry stays.
        #[test]
        fn the_strictest_then_the_first_answer_wins() {
            let id = about_the_certificate();
            let good = |this: &str| single_response(&id, &GOOD, this, Some("20260105000000Z"));
            let unknown = single_response(&id, &UNKNOWN, "20260101000000Z", None);
            let hold =
                single_response(&id, &revoked("20251201000000Z", 6), "20260101000000Z", None);
            let key = single_response(&id, &revoked("20251101000000Z", 1), "20260101000000Z", None);

            let first = verify(&[good("20260101000000Z"), good("20251231000000Z")]).unwrap();
            assert_eq!(first.this_update(), at(THIS_UPDATE));
            let first = verify(&[good("20251231000000Z"), good("20260101000000Z")]).unwrap();
            assert_eq!(first.this_update(), at(THIS_UPDATE - DAY));

            let status = |singles: &[std::vec::Vec<u8>]| verify(singles).map(|a| a.status());
            assert_eq!(
                status(&[good("20260101000000Z"), unknown.clone()]),
                Ok(CertStatus::Unknown)
            );
            assert_eq!(
                status(&[unknown.clone(), good("20260101000000Z")]),
                Ok(CertStatus::Unknown)
            );
            let key_compromise = CertStatus::Revoked {
                time: at(THIS_UPDATE - 61 * DAY),
                reason: Some(RevocationReason::KeyCompromise),
            };
            assert_eq!(status(&[unknown.clone(), key.clone()]), Ok(key_compromise));
            assert_eq!(
                status(&[key.clone(), good("20260101000000Z")]),
                Ok(key_compromise)
            );
            assert_eq!(status(&[key.clone(), hold.clone()]), Ok(key_compromise));
            assert!(matches!(
                status(&[hold, key]),
                Ok(CertStatus::Revoked {
                    reason: Some(RevocationReason::CertificateHold),
                    ..
                })
            ));
        }

        #[test]
        fn a_missing_nonce_is_refused_unless_the_caller_says_otherwise() {
            let id = about_the_certificate();
            let single = [single_response(
                &id,
                &GOOD,
                "20260101000000Z",
                Some("20260105000000Z"),
            )];
            let sent = [0x42; 16];
            let strict = Verifier::new(crate::rustcrypto::ECDSA);
            let lenient = strict.dangerous_with_missing_nonce_accepted();
            assert_eq!(
                verify_with(strict, &single, &[], Some(&sent)),
                Err(Error::MissingNonce)
            );
            assert!(verify_with(lenient, &single, &[], Some(&sent)).is_ok());
            // Present but different: refused either way; the same: accepted.
            let echo = |nonce: &[u8]| extension(&oid::OCSP_NONCE, false, &tlv(0x04, nonce));
            for verifier in [strict, lenient] {
                assert_eq!(
                    verify_with(verifier, &single, &[echo(&[0x43; 16])], Some(&sent)),
                    Err(Error::NonceMismatch)
                );
                assert!(verify_with(verifier, &single, &[echo(&sent)], Some(&sent)).is_ok());
            }
        }
    }
}
