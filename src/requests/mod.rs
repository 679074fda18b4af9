//! OCSP requests (RFC 6960 section 4.1): encoding one into a caller's buffer with no heap, the
//! HTTP GET form of RFC 6960 Appendix A.1 and RFC 5019, and a strict view for reading one.
//!
//! ```text
//! OCSPRequest ::= SEQUENCE {
//!     tbsRequest                  TBSRequest,
//!     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//!
//! TBSRequest ::= SEQUENCE {
//!     version             [0]     EXPLICIT Version DEFAULT v1,
//!     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
//!     requestList                 SEQUENCE OF Request,
//!     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
//!
//! Request ::= SEQUENCE {
//!     reqCert                     CertID,
//!     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
//!
//! CertID ::= SEQUENCE {
//!     hashAlgorithm       AlgorithmIdentifier,
//!     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//!     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//!     serialNumber        CertificateSerialNumber }
//! ```
//!
//! The encoder writes the smallest request every responder understands: version v1 left to its
//! DEFAULT, no `requestorName`, no signature, one `Request` per certificate with no
//! `singleRequestExtensions`, and `requestExtensions` only to carry a nonce.
//!
//! The module is split by concern: `cert_id` (the `CertID` a request carries, also what the
//! verifier matches responses with), `encode` (the encoder), `get` (the HTTP GET form and the
//! responder URLs) and `parse` (a strict view of a request).

mod cert_id;
mod encode;
mod get;
mod parse;
#[cfg(test)]
#[cfg(feature = "std")]
mod tests;

pub use cert_id::ReqCert;
pub use encode::RequestBuilder;
pub(crate) use encode::Writer;
pub use get::{HttpMethod, get_url_len, http_responder_urls, is_http_url, write_get_url};
pub use parse::{OcspRequest, SingleRequest};

/// The fewest octets a request nonce may have (RFC 8954 section 2.1).
pub const MIN_NONCE_LEN: usize = 1;

/// The most octets a request nonce may have (RFC 8954 section 2.1), and the length RFC 8954
/// tells clients to use.
///
/// RFC 9654 (2024) obsoletes RFC 8954 and raises the ceiling to 128 octets for environments
/// that need longer nonces. A nonce of 1 to 32 octets is acceptable under both, so a request
/// that stays within them suits responders built to either RFC.
pub const MAX_NONCE_LEN: usize = 32;

/// GET is used when the whole GET URL is shorter than this many bytes (RFC 5019 section 5).
pub const MAX_GET_URL_LEN: usize = 255;
