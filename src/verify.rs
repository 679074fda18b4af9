//! The verification pipeline: parse, find the answer for the certificate, authorise the
//! responder, check the signature, the critical extensions, the nonce and the times.
//!
//! The order is fixed: parse (rules 1 to 6); the certificate's issuer name against the issuer
//! given; the matching `SingleResponse`s (7, 8); the responder's authority (9) and the response
//! signature (10); critical extensions (11); the nonce (12); the times (13, 14). So an answer is
//! only ever reported after its signature has been checked, and a response that is wrong in
//! several ways reports the first of them in that order.
//!
//! Deliberately not enforced, and why:
//!
//! - The issuer's own certificate (its signature, validity, CA flag) is not checked: the caller
//!   vouches for it, having built the chain. (OpenSSL's test suite agrees: an issuer with a
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
use crate::der::FromTlv;
use crate::error::{Error, Structure};
use crate::extension::Extensions;
use crate::hash::{Digest, digest};
use crate::oid;
use crate::response::{
    BasicResponse, CertStatus, HashAlgorithm, MAX_RESPONSE_LEN, OcspResponse, ResponderId,
    SingleResponse,
};
use crate::signature::verify_signed_data;

/// How a verified response's signer was authorised (RFC 6960 section 4.2.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// What to do when the caller sent a nonce and the response carries none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum MissingNonce {
    /// Refuse the response with [`Error::MissingNonce`] (the default).
    #[default]
    Refuse,
    /// Accept it. Many responders behind caches ignore nonces (RFC 5019 section 2.2); a caller
    /// talking to one may choose this, knowing the answer may then be a replay of an older one
    /// still within its validity period. A nonce that is present but different is always
    /// refused.
    DangerousAllow,
}

/// The verifier: the caller's algorithm policy, trusted responders and time tolerances.
///
/// A small `Copy` value; build it once and use it for every response.
///
/// ```
/// use core::time::Duration;
/// use ocsp_verify::{Verifier, rustcrypto};
///
/// let verifier = Verifier::new(rustcrypto::ALL)
///     .with_clock_skew(Duration::from_secs(60))
///     .with_max_lifetime(Some(Duration::from_secs(10 * 86_400)));
/// assert_eq!(verifier.clock_skew(), Duration::from_secs(60));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Verifier<'p> {
    algorithms: &'p [&'p dyn SignatureVerificationAlgorithm],
    trusted_responders: &'p [Certificate<'p>],
    clock_skew: Duration,
    max_age: Duration,
    max_lifetime: Option<Duration>,
    missing_nonce: MissingNonce,
    max_response_len: usize,
}

/// The default clock skew tolerated on `thisUpdate` and `nextUpdate`: 5 minutes.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// The default largest age of a response without `nextUpdate`: 1 day.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

impl<'p> Verifier<'p> {
    /// A verifier that accepts signatures made with `algorithms` (for example
    /// [`crate::rustcrypto::ALL`], or a rustls `CryptoProvider`'s
    /// `signature_verification_algorithms.all`), with the defaults: clock skew
    /// [`DEFAULT_CLOCK_SKEW`], max age [`DEFAULT_MAX_AGE`], no lifetime cap, no trusted
    /// responders, a missing nonce refused.
    pub const fn new(algorithms: &'p [&'p dyn SignatureVerificationAlgorithm]) -> Self {
        Self {
            algorithms,
            trusted_responders: &[],
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_age: DEFAULT_MAX_AGE,
            max_lifetime: None,
            missing_nonce: MissingNonce::Refuse,
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

    /// The clock skew tolerated between the caller's clock and the responder's.
    pub const fn with_clock_skew(self, clock_skew: Duration) -> Self {
        Self { clock_skew, ..self }
    }

    /// The largest age (`now - thisUpdate`) accepted for a response without `nextUpdate`.
    pub const fn with_max_age(self, max_age: Duration) -> Self {
        Self { max_age, ..self }
    }

    /// An optional cap on any response's `nextUpdate - thisUpdate`.
    pub const fn with_max_lifetime(self, max_lifetime: Option<Duration>) -> Self {
        Self {
            max_lifetime,
            ..self
        }
    }

    /// What to do when the caller sent a nonce and the response carries none.
    pub const fn with_missing_nonce(self, missing_nonce: MissingNonce) -> Self {
        Self {
            missing_nonce,
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
    pub fn algorithms(&self) -> &'p [&'p dyn SignatureVerificationAlgorithm] {
        self.algorithms
    }

    /// The clock skew.
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The max age of a response without `nextUpdate`.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The lifetime cap.
    pub fn max_lifetime(&self) -> Option<Duration> {
        self.max_lifetime
    }

    /// Verifies a DER `OCSPResponse` about `cert`, issued by `issuer`, at `now`, for a request
    /// that carried no nonce.
    pub fn verify<'r>(
        &self,
        response: &'r [u8],
        cert: &Certificate<'_>,
        issuer: &Certificate<'_>,
        now: UnixTime,
    ) -> Result<VerifiedResponse<'r>, Error> {
        let response =
            OcspResponse::from_der_with_max_len(response, self.max_response_len)?.into_basic()?;
        self.verify_basic(&response, cert, issuer, None, now)
    }

    /// Like [`Verifier::verify`], for a request that carried `nonce`: the response must echo it.
    pub fn verify_with_nonce<'r>(
        &self,
        response: &'r [u8],
        cert: &Certificate<'_>,
        issuer: &Certificate<'_>,
        nonce: &[u8],
        now: UnixTime,
    ) -> Result<VerifiedResponse<'r>, Error> {
        let response =
            OcspResponse::from_der_with_max_len(response, self.max_response_len)?.into_basic()?;
        self.verify_basic(&response, cert, issuer, Some(nonce), now)
    }

    /// Verifies an already parsed `BasicOCSPResponse`; `nonce` is what the request carried.
    pub fn verify_basic<'r>(
        &self,
        response: &BasicResponse<'r>,
        cert: &Certificate<'_>,
        issuer: &Certificate<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<VerifiedResponse<'r>, Error> {
        // The caller must hand over the certificate's actual issuer: CertID matching and the
        // responder's authority both hang on it.
        if cert.issuer() != issuer.subject() {
            return Err(Error::IssuerNameMismatch);
        }
        let data = response.response_data();
        let single = find_single_response(data.responses(), cert, issuer)?;
        let responder = self.authorize_and_check_signature(response, issuer, now)?;

        // Profile rule 11: unknown critical extensions are refused.
        check_critical(
            data.extensions(),
            Structure::ResponseExtensions,
            &[&oid::OCSP_NONCE],
        )?;
        if let Some(error) = single.extension_error {
            return Err(error);
        }
        let single = single.chosen;

        // Profile rule 12. RFC 8954 section 2.1: "An OCSP responder that supports the Nonce
        // extension MUST accept a nonce ... and ... include ... the same nonce". When the
        // request carried none, a nonce in the response means nothing and is not looked at.
        if let Some(sent) = nonce {
            match data.nonce()? {
                Some(echoed) if echoed == sent => {}
                Some(_) => return Err(Error::NonceMismatch),
                None if self.missing_nonce == MissingNonce::DangerousAllow => {}
                None => return Err(Error::MissingNonce),
            }
        }

        self.check_times(&single, now)?;

        Ok(VerifiedResponse {
            status: single.status(),
            this_update: single.this_update(),
            next_update: single.next_update(),
            produced_at: data.produced_at(),
            responder,
            serial: single.cert_id().serial(),
        })
    }

    /// Profile rules 9 and 10: finds who signed, checks they may, and checks the signature.
    fn authorize_and_check_signature(
        &self,
        response: &BasicResponse<'_>,
        issuer: &Certificate<'_>,
        now: UnixTime,
    ) -> Result<ResponderAuthorization, Error> {
        let responder_id = response.response_data().responder_id();
        let signed = response.signed_data();

        // (a) "Matches a local configuration of OCSP signing authority" is (c) below; first
        // "the CA who issued the certificate in question".
        if identifies(responder_id, issuer) {
            verify_signed_data(self.algorithms, issuer.subject_public_key_info(), signed)?;
            return Ok(ResponderAuthorization::Issuer);
        }
        // (c) A responder the caller trusts locally.
        if let Some(trusted) = self
            .trusted_responders
            .iter()
            .find(|t| identifies(responder_id, t))
        {
            verify_signed_data(self.algorithms, trusted.subject_public_key_info(), signed)?;
            return Ok(ResponderAuthorization::Trusted);
        }
        // (b) "Includes a value of id-kp-OCSPSigning in an extended key usage extension and is
        // issued by the CA that issued the certificate in question".
        let mut first_error = None;
        for candidate in response.certs() {
            let candidate = candidate?;
            if !identifies(responder_id, &candidate) {
                continue;
            }
            match self.check_delegated(&candidate, issuer, now) {
                Ok(()) => {
                    verify_signed_data(
                        self.algorithms,
                        candidate.subject_public_key_info(),
                        signed,
                    )?;
                    return Ok(ResponderAuthorization::Delegated);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(Error::ResponderNotFound))
    }

    /// The checks of profile rule 9(b) on one delegated responder certificate. Costs at most
    /// one signature check, made last.
    fn check_delegated(
        &self,
        responder: &Certificate<'_>,
        issuer: &Certificate<'_>,
        now: UnixTime,
    ) -> Result<(), Error> {
        // Issued *directly* by the CA: its issuer is the CA's subject ...
        if responder.issuer() != issuer.subject() {
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
        if now < responder.not_before() {
            return Err(Error::ResponderNotYetValid);
        }
        if now > responder.not_after() {
            return Err(Error::ResponderExpired);
        }
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
            Err(Error::InvalidSignature) => Err(Error::InvalidResponderCertSignature),
            other => other,
        }
    }

    /// Profile rules 13 and 14.
    fn check_times(&self, single: &SingleResponse<'_>, now: UnixTime) -> Result<(), Error> {
        let this_update = single.this_update().as_secs();
        let next_update = single.next_update().map(|t| t.as_secs());
        if let Some(next_update) = next_update
            && next_update < this_update
        {
            return Err(Error::NextUpdateBeforeThisUpdate);
        }
        // Rule 14: "A correctly signed revoked answer is reported as revoked even outside its
        // window; only good needs to be fresh." (An old revocation is still a revocation; an
        // unknown answer is refused by every policy anyway.)
        if single.status() != CertStatus::Good {
            return Ok(());
        }
        let now = now.as_secs();
        let skew = self.clock_skew.as_secs();
        if let (Some(cap), Some(next_update)) = (self.max_lifetime, next_update)
            && next_update - this_update > cap.as_secs()
        {
            return Err(Error::ResponseLifetimeTooLong);
        }
        if this_update > now.saturating_add(skew) {
            return Err(Error::ResponseNotYetValid);
        }
        let expires = match next_update {
            Some(next_update) => next_update.saturating_add(skew),
            // RFC 6960 section 4.2.2.1: "If nextUpdate is not set, the responder is indicating
            // that newer revocation information is available all the time." The caller's
            // max age bounds how long such an answer is used.
            None => this_update.saturating_add(self.max_age.as_secs()),
        };
        if now > expires {
            return Err(Error::ResponseExpired);
        }
        Ok(())
    }
}

/// A response that passed every check: the answer about the certificate, and what it rests on.
///
/// Only the verifier makes one, so holding one is proof the checks ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedResponse<'r> {
    status: CertStatus,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    produced_at: UnixTime,
    responder: ResponderAuthorization,
    serial: &'r [u8],
}

#[cfg(test)]
impl VerifiedResponse<'static> {
    /// A response with `status`, for the policy's unit tests, which need every status without
    /// a vector for each.
    pub(crate) fn for_tests(status: CertStatus) -> Self {
        let time = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
        Self {
            status,
            this_update: time,
            next_update: None,
            produced_at: time,
            responder: ResponderAuthorization::Issuer,
            serial: &[0x60, 0x02],
        }
    }
}

impl<'r> VerifiedResponse<'r> {
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

    /// The serial number the answer is about (the certificate's, byte for byte).
    pub fn serial(&self) -> &'r [u8] {
        self.serial
    }
}

/// Whether `id` names `cert`: byName equals its subject, or byKey equals the SHA-1 of its
/// subjectPublicKey bits.
fn identifies(id: ResponderId<'_>, cert: &Certificate<'_>) -> bool {
    match id {
        ResponderId::ByName(name) => name == cert.subject(),
        ResponderId::ByKey(hash) => {
            digest(
                HashAlgorithm::Sha1,
                cert.subject_public_key_info().public_key(),
            ) == *hash
        }
    }
}

/// The entry whose status wins among those about the certificate.
struct Matches<'r> {
    chosen: SingleResponse<'r>,
    /// The first problem found in any matching entry's extensions, reported once the
    /// signature has been checked.
    extension_error: Option<Error>,
}

/// Profile rules 7 and 8: the entries whose CertID names `cert`, and the strictest of them.
fn find_single_response<'r>(
    responses: crate::der::SequenceOf<'r, SingleResponse<'r>>,
    cert: &Certificate<'_>,
    issuer: &Certificate<'_>,
) -> Result<Matches<'r>, Error> {
    let mut hashes =
        IssuerHashes::new(cert.issuer(), issuer.subject_public_key_info().public_key());
    let mut chosen: Option<SingleResponse<'r>> = None;
    let mut extension_error = None;
    for element in responses.elements() {
        // The serial first: the cheap comparison rules out nearly every other entry before it
        // is parsed (again: the list was validated when the response was parsed).
        let element = element?;
        if SingleResponse::serial_of(&element)? != cert.serial() {
            continue;
        }
        let single = SingleResponse::from_tlv(element)?;
        let id = single.cert_id();
        // An unknown hash algorithm makes the entry not match (profile rule 7).
        let Some(algorithm) = id.hash_algorithm() else {
            continue;
        };
        let (name_hash, key_hash) = hashes.get(algorithm);
        if name_hash != *id.issuer_name_hash() || key_hash != *id.issuer_key_hash() {
            continue;
        }
        // Rule 11, for every entry about the certificate: the SCT list is understood.
        if let Err(error) = check_critical(
            single.extensions(),
            Structure::SingleExtensions,
            &[&oid::CT_SCT_LIST_OCSP],
        ) {
            extension_error.get_or_insert(error);
        }
        // Rule 8: "revoked > unknown > good"; on a tie the first entry stays.
        let stricter = match &chosen {
            Some(current) => rank(single.status()) > rank(current.status()),
            None => true,
        };
        if stricter {
            chosen = Some(single);
        }
    }
    match chosen {
        Some(chosen) => Ok(Matches {
            chosen,
            extension_error,
        }),
        None => Err(Error::NoMatchingResponse),
    }
}

fn rank(status: CertStatus) -> u8 {
    match status {
        CertStatus::Good => 0,
        CertStatus::Unknown => 1,
        CertStatus::Revoked { .. } => 2,
    }
}

/// The issuer's name and key hashed with each CertID algorithm at most once, however many
/// entries use it.
struct IssuerHashes<'c> {
    issuer_name: &'c [u8],
    issuer_key: &'c [u8],
    computed: [Option<(Digest, Digest)>; 4],
}

impl<'c> IssuerHashes<'c> {
    fn new(issuer_name: &'c [u8], issuer_key: &'c [u8]) -> Self {
        Self {
            issuer_name,
            issuer_key,
            computed: [None; 4],
        }
    }

    fn get(&mut self, algorithm: HashAlgorithm) -> (Digest, Digest) {
        let index = match algorithm {
            HashAlgorithm::Sha1 => 0,
            HashAlgorithm::Sha256 => 1,
            HashAlgorithm::Sha384 => 2,
            HashAlgorithm::Sha512 => 3,
        };
        let (name, key) = (self.issuer_name, self.issuer_key);
        let compute = || (digest(algorithm, name), digest(algorithm, key));
        match self.computed.get_mut(index) {
            Some(slot) => *slot.get_or_insert_with(compute),
            None => compute(),
        }
    }
}

/// Refuses a critical extension whose OID is not in `understood`.
fn check_critical(
    extensions: Extensions<'_>,
    at: Structure,
    understood: &[&const_oid::ObjectIdentifier],
) -> Result<(), Error> {
    for extension in extensions {
        let extension = extension?;
        if extension.is_critical() && !understood.iter().any(|id| id.as_bytes() == extension.id()) {
            return Err(Error::UnsupportedCriticalExtension(at));
        }
    }
    Ok(())
}
