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
//!   [`VerifiedResponse`], [`Answer`], [`OwnedVerifiedResponse`], [`Error`], [`Policy`], and
//!   the rustls adapter ([`OcspStapleVerifier`], feature `rustls`).
//! - [`views`]: borrowed, zero-copy views of every structure of a response.
//! - [`requests`]: requests encoded with no heap (so firmware can ask too), the RFC 5019 GET
//!   form, the responder URLs of a certificate, and a request parser.
//! - [`fetch`] (feature `std`; the fetcher with `http`): the one fetch path over a replaceable
//!   transport, the responder policy and fetch slots, the keeper of verified answers (one-way
//!   revocation), and what the server side schedules with (backoff, the refresh rule, the
//!   monotonic clock).
//! - `stapling` (feature `stapler`): a rustls certificate resolver that fetches, verifies,
//!   keeps, refreshes, saves and staples answers.
//! - `mtls` (features `rustls` and `http`): a rustls client-certificate verifier for mTLS
//!   servers.
//!
//! The project's design notes (the profile's rules with their defaults and errors, the layout,
//! the decisions and why) are in `docs/design.md` in the repository; the policy table is on
//! [`Policy`].
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
//! | `p256-cortex-m4` | no | `cm4`: ECDSA P-256 with the P256-Cortex-M4 assembly, for ARMv7E-M firmware (a twentieth of the instructions); only on `target_arch = "arm"`, built with `arm-none-eabi-gcc` |
//! | `rustls` | no | [`OcspStapleVerifier`], a rustls 0.23 `ServerCertVerifier` that checks stapled responses with the [`Policy`]; implies `std` |
//! | `http` | no | implies `std`; [`fetch::Fetcher`]: blocking fetch over plain HTTP with `ureq` (no TLS) |
//! | `stapler` | no | implies `rustls`, `http` and `prometheus`; `stapling::Stapler`, a rustls `ResolvesServerCert` that staples verified answers, refreshes them, keeps them on disk |
//! | `rustls` and `http` | no | [`mtls::OcspClientCertVerifier`], a rustls 0.23 `ClientCertVerifier` for mTLS servers that obtains the client certificate's status within a handshake budget (or never waiting), with a shared keeper of answers, per-responder fetch slots, single flight and prefetch |
//! | `prometheus` | with `stapler` | the stapler's and the mTLS verifier's figures in the Prometheus text format (`prometheus-client`) |
//! | `cli` | no | the `ocsp-check` command-line tool (a binary; adds nothing to the library's API) |
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
pub mod display;
mod error;
mod oid;
#[cfg(test)]
mod test_der;

mod hash;
mod time;

#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm"))]
pub mod cm4;
#[cfg(any(feature = "ecdsa", feature = "rsa"))]
pub mod rustcrypto;
mod signed;

mod cert;
mod extension;
mod issuer;

pub mod requests;
mod response;
pub mod views;

mod verify;

#[cfg(feature = "alloc")]
mod owned;
mod policy;

#[cfg(feature = "std")]
mod server;

#[cfg(feature = "rustls")]
mod chain;
#[cfg(feature = "std")]
pub mod fetch;
#[cfg(feature = "rustls")]
mod rustls;
#[cfg(feature = "stapler")]
pub mod stapling;

#[cfg(all(feature = "rustls", feature = "http"))]
pub mod mtls;

// The verification path.
pub use crate::cert::{Certificate, TlsFeatures};
pub use crate::error::{Error, ResponseStatus, Structure};
pub use crate::hash::HashAlgorithm;
pub use crate::issuer::Issuer;
#[cfg(feature = "alloc")]
pub use crate::owned::OwnedVerifiedResponse;
pub use crate::policy::{Decision, Policy, Situation, Staple, UnusableStaple, Verdict};
pub use crate::response::{CertStatus, RevocationReason};
#[cfg(feature = "rustls")]
pub use crate::rustls::{BuildError, OcspOutcome, OcspStapleVerifier, OcspStapleVerifierBuilder};
#[cfg(feature = "prometheus")]
pub use crate::server::metrics::METRICS_CONTENT_TYPE;
pub use crate::verify::{Answer, ResponderAuthorization, VerifiedResponse, Verifier};
pub use rustls_pki_types::{
    self as pki_types, CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};

/// The Rust snippets of the README and of `docs/`, compiled (and run) as doc tests, so that
/// none goes stale (`docs/stapling.md` and `docs/mtls.md` are the documentation of their
/// modules, tested there). They use the rustls adapter, the stapler and the mTLS verifier,
/// hence the feature; `.ci/docs.sh` checks that every block that is not Rust says what it is.
#[cfg(all(doctest, feature = "stapler"))]
mod documentation {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/c-api.md")]
    struct CApi;
    #[doc = include_str!("../docs/cli.md")]
    struct Cli;
    #[doc = include_str!("../docs/design.md")]
    struct Design;
    #[doc = include_str!("../docs/firmware.md")]
    struct Firmware;
    #[doc = include_str!("../docs/runbook.md")]
    struct Runbook;
}
