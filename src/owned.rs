//! A verified response that owns its bytes, for callers that keep it: a cache, a server that
//! staples it, a fetcher that returns it.

use alloc::vec::Vec;

use rustls_pki_types::UnixTime;

use crate::cert::Certificate;
use crate::error::Error;
use crate::issuer::Issuer;
#[cfg(feature = "http")]
use crate::response::OcspResponse;
use crate::verify::{Answer, Verifier};

/// A DER `OCSPResponse` together with the [`Answer`] verifying it established.
///
/// Made by [`Verifier::verify_owned`], so holding one is proof the checks ran (at the `now`
/// they ran with). Unlike [`crate::VerifiedResponse`] it owns the response bytes, so it can be
/// stored, sent to another thread, cached and stapled (see [`OwnedVerifiedResponse::der`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedVerifiedResponse {
    der: Vec<u8>,
    answer: Answer,
}

impl OwnedVerifiedResponse {
    /// The answer about the certificate.
    pub fn answer(&self) -> Answer {
        self.answer
    }

    /// The DER `OCSPResponse`, exactly as received: what a TLS server staples.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER bytes, by value.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }

    /// A value with `answer` and no bytes, for unit tests of what keeps these.
    #[cfg(test)]
    pub(crate) fn for_tests(answer: Answer) -> Self {
        Self {
            der: Vec::new(),
            answer,
        }
    }
}

impl Verifier<'_> {
    /// Like [`Verifier::verify`], for a response the caller keeps: the bytes move into the
    /// result, with the same arguments and the same checks.
    pub fn verify_owned(
        &self,
        response: Vec<u8>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<OwnedVerifiedResponse, Error> {
        let answer = self.verify(&response, cert, issuer, nonce, now)?.answer();
        Ok(OwnedVerifiedResponse {
            der: response,
            answer,
        })
    }

    /// Like [`Verifier::verify_owned`], parsing once and telling a body that is no
    /// `OCSPResponse` at all (`Err(Refused::Malformed)`, what a fetcher calls "the responder
    /// answered nonsense") from a response that does not verify (`Err(Refused::Invalid)`).
    #[cfg(feature = "http")]
    pub(crate) fn verify_body(
        &self,
        body: Vec<u8>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<OwnedVerifiedResponse, Refused> {
        let response = OcspResponse::from_der_with_max_len(&body, self.max_response_len())
            .map_err(Refused::Malformed)?;
        let basic = response.into_basic().map_err(Refused::Invalid)?;
        let answer = self
            .verify_basic(&basic, cert, issuer, nonce, now)
            .map_err(Refused::Invalid)?
            .answer();
        Ok(OwnedVerifiedResponse { der: body, answer })
    }
}

/// Why [`Verifier::verify_body`] refused a body.
#[cfg(feature = "http")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not an `OCSPResponse`: it does not parse.
    Malformed(Error),
    /// An `OCSPResponse` that carries an error status or does not verify.
    Invalid(Error),
}

#[cfg(test)]
#[cfg(feature = "ecdsa")]
mod tests {
    use core::time::Duration;

    use super::*;
    use crate::test_der::{P256_CA, P256_EE};

    const RESPONSE: &[u8] = include_bytes!("../test-vectors/generated/responses/good-p256-ca.der");

    fn now() -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200))
    }

    /// The test PKI's P-256 CA, its end-entity certificate, the CA as an issuer, a verifier.
    fn setup() -> (
        Certificate<'static>,
        Certificate<'static>,
        Issuer<'static>,
        Verifier<'static>,
    ) {
        let ca = Certificate::from_der(P256_CA).unwrap();
        let issuer = Issuer::from(&ca);
        let cert = Certificate::from_der(P256_EE).unwrap();
        (ca, cert, issuer, Verifier::new(crate::rustcrypto::ECDSA))
    }

    #[test]
    fn the_bytes_kept_are_the_bytes_verified() {
        let (ca, cert, issuer, verifier) = setup();
        let borrowed = verifier
            .verify(RESPONSE, &cert, &issuer, None, now())
            .unwrap();
        let owned = verifier
            .verify_owned(RESPONSE.to_vec(), &cert, &issuer, None, now())
            .unwrap();
        assert_eq!(owned.answer(), borrowed.answer());
        assert_eq!(owned.der(), RESPONSE);
        assert_eq!(owned.into_der(), RESPONSE);
        assert_eq!(
            verifier.verify_owned(RESPONSE.to_vec(), &ca, &issuer, None, now()),
            Err(Error::NoMatchingResponse)
        );
    }

    /// A body that is no response at all, and a response that does not verify, are told apart.
    #[cfg(feature = "http")]
    #[test]
    fn bodies_are_malformed_or_invalid() {
        let (ca, cert, issuer, verifier) = setup();
        let body = |der: &[u8]| der.to_vec();
        let owned = verifier
            .verify_body(body(RESPONSE), &cert, &issuer, None, now())
            .unwrap();
        assert_eq!(owned.der(), RESPONSE);
        let capped = verifier.with_max_response_len(RESPONSE.len() - 1);
        assert_eq!(
            capped.verify_body(body(RESPONSE), &cert, &issuer, None, now()),
            Err(Refused::Malformed(Error::ResponseTooLarge))
        );
        let exact = verifier.with_max_response_len(RESPONSE.len());
        assert!(
            exact
                .verify_body(body(RESPONSE), &cert, &issuer, None, now())
                .is_ok()
        );
        assert_eq!(
            verifier.verify_body(body(&RESPONSE[1..]), &cert, &issuer, None, now()),
            Err(Refused::Malformed(Error::BadDer(
                crate::Structure::OcspResponse
            )))
        );
        let try_later = [0x30, 0x03, 0x0A, 0x01, 0x03];
        assert_eq!(
            verifier.verify_body(body(&try_later), &cert, &issuer, None, now()),
            Err(Refused::Invalid(Error::UnsuccessfulResponse(
                crate::ResponseStatus::TryLater
            )))
        );
        assert_eq!(
            verifier.verify_body(body(RESPONSE), &ca, &issuer, None, now()),
            Err(Refused::Invalid(Error::NoMatchingResponse))
        );
    }
}
