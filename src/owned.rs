//! A verified response that owns its bytes, for callers that keep it: a cache, a server that
//! staples it, a fetcher that returns it.

use alloc::vec::Vec;

use rustls_pki_types::UnixTime;

use crate::cert::Certificate;
use crate::error::Error;
use crate::response::CertStatus;
use crate::verify::{ResponderAuthorization, Verifier};

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
        Ok(Self {
            status: verified.status(),
            this_update: verified.this_update(),
            next_update: verified.next_update(),
            produced_at: verified.produced_at(),
            responder: verified.responder(),
            der,
        })
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
    #[cfg(test)]
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
