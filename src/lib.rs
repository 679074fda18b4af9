//! Strict, zero-copy verification of OCSP responses (RFC 6960).
//!
//! `ocsp-verify` answers one question for a TLS client, a service mesh or a piece of firmware:
//! *is this signed OCSP answer about this certificate genuine, fresh and good?*
//!
//! The core is `no_std` and parses with no heap: views borrow the input bytes and check all of
//! them once, when built.
//!
//! # Quick start
//!
//! Verify a response about a certificate, at a time the caller supplies:
//!
//! ```
//! # #[cfg(feature = "rustcrypto")] {
//! use core::time::Duration;
//! use ocsp_verify::{CertStatus, Certificate, UnixTime, Verifier, rustcrypto};
//!
//! # let response = include_bytes!("../test-vectors/generated/responses/good-p256-ca.der");
//! # let cert = include_bytes!("../test-vectors/generated/pki/p256-ee.der");
//! # let issuer = include_bytes!("../test-vectors/generated/pki/p256-ca.der");
//! let cert = Certificate::from_der(cert)?;
//! let issuer = Certificate::from_der(issuer)?;
//! let now = UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200)); // 2026-01-01T01:00Z
//!
//! let verified = Verifier::new(rustcrypto::ALL).verify(response, &cert, &issuer, now)?;
//! assert_eq!(verified.status(), CertStatus::Good);
//! assert_eq!(verified.next_update().map(|t| t.as_secs()), Some(1_767_830_400));
//! # }
//! # Ok::<(), ocsp_verify::Error>(())
//! ```
//!
//! Every way a response can be wrong is a variant of [`Error`]; a [`VerifiedResponse`] can
//! only be made by the verifier. The algorithms passed to [`Verifier::new`] are the algorithm
//! policy: the crate's [`rustcrypto`] sets, or a rustls `CryptoProvider`'s
//! `signature_verification_algorithms.all`.
//!
//! Reading a response without verifying it (to show it, or to pick the part a caller needs):
//!
//! ```
//! use ocsp_verify::{CertStatus, OcspResponse, ResponseStatus};
//!
//! let der = include_bytes!("../test-vectors/real-world/golang-x-crypto/ocspResponseHex.der");
//! let response = OcspResponse::from_der(der)?;
//! assert_eq!(response.status(), ResponseStatus::Successful);
//! let basic = response.basic()?;
//! for single in basic.response_data().responses() {
//!     assert_eq!(single?.status(), CertStatus::Good);
//! }
//! # Ok::<(), ocsp_verify::Error>(())
//! ```
//!
//! # Asking a responder
//!
//! Without a staple, a client asks the responder itself (RFC 6960 Appendix A, RFC 5019):
//! [`RequestBuilder`] encodes an `OCSPRequest` into a caller's buffer with no heap (so
//! firmware can do it too), [`write_get_url`] and [`HttpMethod::for_request`] give the GET
//! form, and [`http_responder_urls`] the responders a certificate names. With the `http`
//! feature, `Fetcher` does all of it over plain HTTP, verifies the answer with the nonce it
//! sent and returns an [`OwnedVerifiedResponse`] that keeps the bytes for stapling;
//! [`ResponseCache`] keeps answers until shortly before their `nextUpdate` and remembers
//! failures for 5 minutes.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | implies `alloc`; [`ResponseCache`] |
//! | `alloc` | with `std` | [`OwnedVerifiedResponse`]; needed by the RSA backend |
//! | `ecdsa` | yes | RustCrypto ECDSA P-256 / P-384 verification (no heap) |
//! | `rsa` | yes | RustCrypto RSA PKCS#1 v1.5 and PSS verification (needs `alloc`) |
//! | `rustcrypto` | yes | both of the above |
//! | `rustls` | no | `OcspStapleVerifier`, a rustls 0.23 `ServerCertVerifier` that checks stapled responses with the [`Policy`]; implies `std` |
//! | `http` | no | implies `std`; `Fetcher`: blocking fetch over plain HTTP with `ureq` (no TLS) |
//!
//! The revocation [`Policy`] (soft-fail, hard-fail, must-staple) needs no feature and no heap;
//! nor do requests ([`RequestBuilder`], [`OcspRequest`]).

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
mod cache;
mod cert;
mod der;
mod error;
mod extension;
mod hash;
#[cfg(feature = "http")]
mod http;
mod oid;
#[cfg(feature = "alloc")]
mod owned;
mod policy;
mod request;
mod response;
#[cfg(feature = "rustls")]
mod rustls;
mod signature;
mod time;
mod verify;

#[cfg(feature = "std")]
pub use crate::cache::{
    CacheLookup, CacheOptions, DEFAULT_CACHE_CAPACITY, DEFAULT_FAILURE_TTL,
    DEFAULT_NEXT_UPDATE_MARGIN, DEFAULT_NO_NEXT_UPDATE_TTL, FailureKind, ResponseCache,
};
pub use crate::cert::{Certificate, OcspUrls, SubjectPublicKeyInfo};
pub use crate::der::SequenceOf;
pub use crate::error::{Error, Structure};
pub use crate::extension::{Extension, Extensions};
#[cfg(feature = "http")]
pub use crate::http::{
    BadAnswer, DEFAULT_CONNECT_TIMEOUT, DEFAULT_FETCH_TIMEOUT, FetchError, FetchMethod, Fetcher,
    OCSP_REQUEST_CONTENT_TYPE, OCSP_RESPONSE_CONTENT_TYPE, Unreachable,
};
#[cfg(feature = "alloc")]
pub use crate::owned::OwnedVerifiedResponse;
pub use crate::policy::{Decision, Policy, Situation, Staple, UnusableStaple, Verdict};
pub use crate::request::{
    HttpMethod, MAX_GET_URL_LEN, MAX_NONCE_LEN, MIN_NONCE_LEN, OcspRequest, ReqCert,
    RequestBuilder, SingleRequest, get_url_len, http_responder_urls, is_http_url, write_get_url,
};
pub use crate::response::{
    BasicResponse, CertId, CertStatus, HashAlgorithm, MAX_CERTIFICATES, MAX_RESPONSE_LEN,
    OcspResponse, ResponderId, ResponseData, ResponseStatus, RevocationReason, SingleResponse,
};
#[cfg(feature = "rustls")]
pub use crate::rustls::{OcspObserver, OcspOutcome, OcspStapleVerifier, OcspStapleVerifierBuilder};
#[cfg(any(feature = "ecdsa", feature = "rsa"))]
pub use crate::signature::rustcrypto;
pub use crate::signature::{MIN_RSA_MODULUS_BITS, SignedData};
pub use crate::time::Rfc3339;
pub use crate::verify::{
    DEFAULT_CLOCK_SKEW, DEFAULT_MAX_AGE, MissingNonce, ResponderAuthorization, VerifiedResponse,
    Verifier,
};
pub use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
