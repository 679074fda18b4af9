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
//! Verify a response about a certificate, issued by an [`Issuer`], at a time the caller
//! supplies:
//!
//! ```
//! # #[cfg(feature = "rustcrypto")] {
//! use core::time::Duration;
//! use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime, Verifier, rustcrypto};
//!
//! # let response = include_bytes!("../test-vectors/generated/responses/good-p256-ca.der");
//! # let cert = include_bytes!("../test-vectors/generated/pki/p256-ee.der");
//! # let issuer = include_bytes!("../test-vectors/generated/pki/p256-ca.der");
//! let cert = Certificate::from_der(cert)?;
//! let issuer = Issuer::from(&Certificate::from_der(issuer)?); // or from a TrustAnchor
//! let now = UnixTime::since_unix_epoch(Duration::from_secs(1_767_229_200)); // 2026-01-01T01:00Z
//!
//! let verified = Verifier::new(rustcrypto::ALL).verify(response, &cert, &issuer, None, now)?;
//! let answer = verified.answer();
//! assert_eq!(answer.status(), CertStatus::Good);
//! assert_eq!(answer.next_update().map(|t| t.as_secs()), Some(1_767_830_400));
//! # }
//! # Ok::<(), ocsp_verify::Error>(())
//! ```
//!
//! `None` is the nonce: a stapled response carries none; a caller who sent one in a request
//! passes it, and the response must echo it. Every way a response can be wrong is a variant of
//! [`Error`]; an [`Answer`] can only be made by the verifier. The algorithms passed to
//! [`Verifier::new`] are the algorithm policy: the crate's [`rustcrypto`] sets, or a rustls
//! `CryptoProvider`'s `signature_verification_algorithms.all`. What a TLS client then does with
//! the answer (soft-fail, hard-fail, must-staple) is a [`Policy`]; with the `rustls` feature,
//! [`OcspStapleVerifier`] does all of it during the handshake.
//!
//! Reading a response without verifying it (to show it, or to pick the part a caller needs):
//!
//! ```
//! use ocsp_verify::views::OcspResponse;
//! use ocsp_verify::{CertStatus, ResponseStatus};
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
//! # The API in groups
//!
//! - At the root, the verification path: [`Certificate`], [`Issuer`], [`Verifier`],
//!   [`VerifiedResponse`], [`Answer`], [`OwnedVerifiedResponse`], [`Error`], [`Policy`], the
//!   rustls adapter and, with `http` too, the client-certificate verifier for mTLS servers.
//! - [`views`]: borrowed, zero-copy views of every structure of a response.
//! - [`requests`]: requests encoded with no heap (so firmware can ask too), the RFC 5019 GET
//!   form, the responder URLs of a certificate, and a request parser.
//! - [`fetch`] (feature `std`; the fetcher with `http`): a blocking fetch over plain HTTP that
//!   verifies what it gets, and a bounded cache of verified answers.
//! - `stapling` (feature `stapler`): the server side, a rustls certificate resolver that
//!   fetches, verifies, refreshes, saves and staples answers, with Prometheus metrics.
//!
//! The project's design notes (the profile's rules, the policy table, the decisions and why)
//! are in `docs/design.md` in the repository.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | implies `alloc`; [`fetch::ResponseCache`] |
//! | `alloc` | with `std` | [`OwnedVerifiedResponse`]; needed by the RSA backend |
//! | `certid-sha512` | yes | CertIDs hashed with SHA-384 or SHA-512 (the SHA-512 core: a third of a firmware image) |
//! | `ecdsa` | yes | RustCrypto ECDSA P-256 / P-384 verification (no heap) |
//! | `rsa` | yes | RustCrypto RSA PKCS#1 v1.5 and PSS verification (needs `alloc`) |
//! | `rustcrypto` | yes | both of the above |
//! | `rustls` | no | [`OcspStapleVerifier`], a rustls 0.23 `ServerCertVerifier` that checks stapled responses with the [`Policy`]; implies `std` |
//! | `http` | no | implies `std`; [`fetch::Fetcher`]: blocking fetch over plain HTTP with `ureq` (no TLS) |
//! | `stapler` | no | implies `rustls` and `http`; `stapling::Stapler`, a rustls `ResolvesServerCert` that staples verified answers, refreshes them, keeps them on disk, and reports in the Prometheus text format (`prometheus-client`) |
//! | `rustls` and `http` | no | [`mtls::OcspClientCertVerifier`], a rustls 0.23 `ClientCertVerifier` for mTLS servers that fetches the client certificate's status within a handshake budget, with a cache, single flight and prefetch |
//!
//! The revocation [`Policy`] needs no feature and no heap; nor do requests.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The layers, bottom up (each module imports only from the ones above it in this list):
// DER, OIDs, errors and the calendar; hashes and ASN.1 times; signed data and keys, and the
// RustCrypto algorithms; extensions, certificates and issuers; response views and requests;
// the verifier; owned answers and the policy; the cache, the fetcher and the rustls adapter;
// the stapler, which builds on the fetcher; the client-certificate verifier, which uses
// all three.
mod calendar;
mod der;
mod error;
mod oid;
#[cfg(test)]
mod test_der;

mod hash;
mod time;

#[cfg(any(feature = "ecdsa", feature = "rsa"))]
pub mod rustcrypto;
mod signed;

mod cert;
mod extension;
mod issuer;

mod request;
mod response;

mod verify;

#[cfg(feature = "alloc")]
mod owned;
mod policy;

#[cfg(feature = "std")]
mod cache;
#[cfg(feature = "http")]
mod fetcher;
#[cfg(feature = "rustls")]
mod rustls;
#[cfg(feature = "stapler")]
mod stapler;

#[cfg(all(feature = "rustls", feature = "http"))]
mod client_answers;
#[cfg(all(feature = "rustls", feature = "http"))]
mod client_verifier;

// The verification path.
pub use crate::calendar::{Elapsed, Rfc3339};
pub use crate::cert::{Certificate, TlsFeatures};
pub use crate::error::{Error, ResponseStatus, Structure};
pub use crate::hash::HashAlgorithm;
pub use crate::issuer::Issuer;
#[cfg(feature = "alloc")]
pub use crate::owned::OwnedVerifiedResponse;
pub use crate::policy::{Decision, Policy, Situation, Staple, UnusableStaple, Verdict};
pub use crate::response::{CertStatus, RevocationReason};
#[cfg(feature = "rustls")]
pub use crate::rustls::{
    BuildError, OcspObserver, OcspOutcome, OcspStapleVerifier, OcspStapleVerifierBuilder,
};
pub use crate::verify::{Answer, ResponderAuthorization, VerifiedResponse, Verifier};
pub use rustls_pki_types::{
    self as pki_types, CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};

/// Reading responses without verifying them: borrowed, zero-copy views of every structure, for
/// showing a response, or taking it apart.
///
/// Every view is checked whole when it is built (profile rules 1 to 6), so its accessors
/// cannot fail; lists are lazy iterators over bytes already checked.
pub mod views {
    pub use crate::extension::Extension;
    pub use crate::response::{
        BasicResponse, CertId, MAX_CERTIFICATES, MAX_RESPONSE_LEN, OcspResponse, ResponderId,
        ResponseData, SingleResponse,
    };
    pub use crate::signed::{MIN_RSA_MODULUS_BITS, SignedData, SubjectPublicKeyInfo};
}

/// Asking a responder (RFC 6960 section 4.1 and Appendix A, RFC 5019): requests encoded with no
/// heap into a caller's buffer, the HTTP GET form, the responder URLs of a certificate, and a
/// strict view for reading a request.
pub mod requests {
    pub use crate::request::{
        HttpMethod, MAX_GET_URL_LEN, MAX_NONCE_LEN, MIN_NONCE_LEN, OcspRequest, ReqCert,
        RequestBuilder, SingleRequest, get_url_len, http_responder_urls, is_http_url,
        write_get_url,
    };
}

/// Fetching and keeping answers (feature `std`; the fetcher with feature `http`): a bounded,
/// thread-safe cache of verified answers keyed by `CertID`, and a blocking fetch over plain
/// HTTP that verifies what it gets.
#[cfg(feature = "std")]
pub mod fetch {
    pub use crate::cache::{CacheLookup, CacheOptions, FailureKind, ResponseCache};
    #[cfg(feature = "http")]
    pub use crate::fetcher::{
        BadAnswer, FetchError, FetchMethod, Fetcher, OCSP_REQUEST_CONTENT_TYPE,
        OCSP_RESPONSE_CONTENT_TYPE, Unreachable,
    };
}

/// Client certificates on a rustls server (features `rustls` and `http`): a
/// `ClientCertVerifier` for mTLS that obtains the status of each client certificate within a
/// handshake budget, with a cache, failure memory, single flight and prefetch, and applies a
/// [`Policy`].
#[cfg(all(feature = "rustls", feature = "http"))]
pub mod mtls {
    pub use crate::client_answers::{
        AnswerSource, ClientCertSnapshot, IssuerResponder, PrefetchOptions,
    };
    pub use crate::client_verifier::{
        CertificateCheck, ClientCertObserver, ClientCertOutcome, OcspClientCertVerifier,
        OcspClientCertVerifierBuilder, RevocationDepth,
    };
}

/// Stapling on a rustls server (feature `stapler`): a certificate resolver that fetches each
/// certificate's status from its responder, verifies it, staples it, refreshes it half-way
/// through its validity, keeps it on disk across restarts, and reports in the Prometheus text
/// format. Start at [`stapling::Stapler`].
#[cfg(feature = "stapler")]
pub mod stapling {
    pub use crate::stapler::{
        Clock, METRICS_CONTENT_TYPE, NotReady, Origin, RefreshSchedule, RefreshThread,
        ResponseSource, StapleError, StapleEvent, StapleEventKind, StapleObserver, StapleSnapshot,
        StapledCertificate, Stapler, StaplerBuilder, StaplerError, StateFileProblem, SystemClock,
    };
}
