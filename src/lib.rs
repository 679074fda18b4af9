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
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | implies `alloc`; conveniences for hosted platforms |
//! | `alloc` | with `std` | only needed by the RSA backend |
//! | `ecdsa` | yes | RustCrypto ECDSA P-256 / P-384 verification (no heap) |
//! | `rsa` | yes | RustCrypto RSA PKCS#1 v1.5 and PSS verification (needs `alloc`) |
//! | `rustcrypto` | yes | both of the above |
//! | `rustls` | no | `OcspStapleVerifier`, a rustls 0.23 `ServerCertVerifier` that checks stapled responses with the [`Policy`]; implies `std` |
//!
//! The revocation [`Policy`] (soft-fail, hard-fail, must-staple) needs no feature and no heap.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod cert;
mod der;
mod error;
mod extension;
mod hash;
mod oid;
mod policy;
mod response;
#[cfg(feature = "rustls")]
mod rustls;
mod signature;
mod time;
mod verify;

pub use crate::cert::{Certificate, OcspUrls, SubjectPublicKeyInfo};
pub use crate::der::SequenceOf;
pub use crate::error::{Error, Structure};
pub use crate::extension::{Extension, Extensions};
pub use crate::policy::{Decision, Policy, Situation, Staple, UnusableStaple, Verdict};
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
