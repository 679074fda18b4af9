//! A verified response that owns its bytes, for callers that keep it: a cache, a server that
//! staples it, a fetcher that returns it.

use alloc::vec::Vec;

use rustls_pki_types::UnixTime;

use crate::cert::Certificate;
use crate::error::Error;
use crate::response::CertStatus;
use crate::verify::{ResponderAuthorization, VerifiedResponse, Verifier};

/// Why [`OwnedVerifiedResponse::verify_body`] refused a body.
#[cfg(feature = "http")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not an `OCSPResponse`: it does not parse.
    Malformed(Error),
    /// An `OCSPResponse` that carries an error status or does not verify.
    Invalid(Error),
}

/// A DER `OCSPResponse` together with what verifying it established.
///
/// Like [`crate::VerifiedResponse`], only verification makes one (the constructors verify the
/// bytes they are given), so holding one is proof the checks ran, at the `now` they ran with.
/// Unlike it, it owns the response bytes, so it can be stored, sent to another thread, cached
/// and stapled (see [`OwnedVerifiedResponse::der`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedVerifiedResponse {
    der: Vec<u8>,
    status: CertStatus,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    produced_at: UnixTime,
    responder: ResponderAuthorization,
}

impl OwnedVerifiedResponse {
    /// Verifies `der` with `verifier` (see [`Verifier::verify`] and
    /// [`Verifier::verify_with_nonce`]; `nonce` is what the request carried) and keeps it.
    pub fn verify(
        der: Vec<u8>,
        verifier: &Verifier<'_>,
        cert: &Certificate<'_>,
        issuer: &Certificate<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Self, Error> {
        let verified = match nonce {
            Some(nonce) => verifier.verify_with_nonce(&der, cert, issuer, nonce, now)?,
            None => verifier.verify(&der, cert, issuer, now)?,
        };
        let mut kept = Self::keep(&verified, Vec::new());
        kept.der = der;
        Ok(kept)
    }

    /// Like [`OwnedVerifiedResponse::verify`], parsing once and telling a body that is no
    /// `OCSPResponse` at all (`Err(Refused::Malformed)`, what a fetcher calls "the responder
    /// answered nonsense") from a response that does not verify (`Err(Refused::Invalid)`).
    #[cfg(feature = "http")]
    pub(crate) fn verify_body(
        der: Vec<u8>,
        max_len: usize,
        verifier: &Verifier<'_>,
        cert: &Certificate<'_>,
        issuer: &Certificate<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Self, Refused> {
        let response = crate::response::OcspResponse::from_der_with_max_len(&der, max_len)
            .map_err(Refused::Malformed)?;
        let basic = response.into_basic().map_err(Refused::Invalid)?;
        let verified = verifier
            .verify_basic(&basic, cert, issuer, nonce, now)
            .map_err(Refused::Invalid)?;
        let mut kept = Self::keep(&verified, Vec::new());
        kept.der = der;
        Ok(kept)
    }

    /// The owned value for `der`, which `verified` was established on.
    fn keep(verified: &VerifiedResponse<'_>, der: Vec<u8>) -> Self {
        Self {
            status: verified.status(),
            this_update: verified.this_update(),
            next_update: verified.next_update(),
            produced_at: verified.produced_at(),
            responder: verified.responder(),
            der,
        }
    }

    /// The DER `OCSPResponse`, exactly as received: what a TLS server staples.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER bytes, by value.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }

    /// The certificate's status.
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

    /// A value with the given fields and no bytes, for the cache's unit tests.
    #[cfg(all(test, feature = "std"))]
    pub(crate) fn for_tests(this_update: UnixTime, next_update: Option<UnixTime>) -> Self {
        Self {
            der: Vec::new(),
            status: CertStatus::Good,
            this_update,
            next_update,
            produced_at: this_update,
            responder: ResponderAuthorization::Issuer,
        }
    }
}
