//! The crate's one error type.

use core::fmt;

use rustls_pki_types::UnixTime;

use crate::display::{Elapsed, Rfc3339};

/// Why a response, a certificate or a verification was refused.
///
/// One `Copy` value per failure. Variants are sorted alphabetically; each names one reason a
/// caller would act on differently. Parse errors name the [`Structure`] in which the input went
/// wrong; time errors carry the time of the check and the deadline that was missed, so that a
/// log line can say how long ago a response expired. [`Error::code`] gives a stable name for
/// logs and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The DER encoding of the named structure is malformed (bad tag, non-minimal or indefinite
    /// length, truncated value, wrong type, or a field out of its allowed range).
    #[error("malformed DER in {0}")]
    BadDer(Structure),

    /// The output buffer is too small for what was to be written into it (an encoded request,
    /// a GET URL); `needed` is the length that would fit.
    #[error("the output buffer is too small: {needed} bytes are needed")]
    BufferTooSmall {
        /// The number of bytes the output needs.
        needed: usize,
    },

    /// The certificate lists the same known extension twice (RFC 5280 section 4.2).
    #[error("duplicate extension in {0}")]
    DuplicateExtension(Structure),

    /// A request asks about no certificate: its `requestList` is empty.
    #[error("the request asks about no certificate")]
    EmptyRequestList,

    /// The `responses` list of the `ResponseData` is empty (RFC 6960 section 4.2.1 requires one).
    #[error("the response carries no SingleResponse")]
    EmptyResponseList,

    /// The `CertID` that matched has a hash value whose length does not fit its hash algorithm.
    #[error("a CertID hash has the wrong length for its hash algorithm")]
    InvalidCertIdHash,

    /// The nonce extension of the response is not an OCTET STRING.
    #[error("the response's nonce extension is malformed")]
    InvalidNonce,

    /// The nonce to put in a request is not 1 to 32 octets long (RFC 8954 section 2.1).
    #[error("a request nonce must be 1 to 32 octets long")]
    InvalidNonceLength,

    /// The delegated responder certificate is not signed by the issuer's key.
    #[error(
        "the delegated responder certificate's signature does not verify with the issuer's key"
    )]
    InvalidResponderCertSignature,

    /// A revocation reason outside 0..=10, or the unused value 7.
    #[error("invalid revocation reason")]
    InvalidRevocationReason,

    /// The response signature does not verify with the responder's key.
    #[error("the response signature does not verify")]
    InvalidSignature,

    /// A time in the named structure is not `YYYYMMDDHHMMSSZ` (or, in certificates, the RFC 5280
    /// `UTCTime` form), or names an impossible date, or one before 1970.
    #[error("invalid time in {0}")]
    InvalidTime(Structure),

    /// The certificate's issuer Name is not the subject Name of the issuer given: the caller
    /// passed the wrong issuer.
    #[error("the certificate's issuer name differs from the issuer's subject name")]
    IssuerNameMismatch,

    /// The certificate's issuer is neither among the certificates the peer sent nor among the
    /// caller's trust anchors (matched by name and by the certificate's signature), so the
    /// response cannot be checked.
    #[error("the certificate's issuer was not found among the intermediates and trust anchors")]
    IssuerNotFound,

    /// The caller sent a nonce and the response carries none.
    #[error("the request carried a nonce and the response does not echo one")]
    MissingNonce,

    /// `responseStatus` is `successful` but there is no `responseBytes`.
    #[error("a successful response without responseBytes")]
    MissingResponseBytes,

    /// `nextUpdate` is earlier than `thisUpdate`.
    #[error("nextUpdate is earlier than thisUpdate")]
    NextUpdateBeforeThisUpdate,

    /// No `SingleResponse` in the response is about the certificate.
    #[error("the response has no answer for this certificate")]
    NoMatchingResponse,

    /// The response echoes a nonce other than the one the request carried.
    #[error("the response's nonce differs from the request's")]
    NonceMismatch,

    /// The delegated responder certificate expired (its `notAfter`) before `time`.
    #[error(
        "the delegated responder certificate expired {} ago (notAfter {})",
        Elapsed::between(*not_after, *time),
        Rfc3339(*not_after)
    )]
    ResponderExpired {
        /// The time of the check.
        time: UnixTime,
        /// The certificate's `notAfter`.
        not_after: UnixTime,
    },

    /// The delegated responder certificate is a CA certificate (basicConstraints cA=TRUE).
    #[error("the delegated responder certificate is a CA certificate")]
    ResponderIsCa,

    /// The delegated responder certificate lacks an explicit id-kp-OCSPSigning extended key
    /// usage (no EKU, other EKUs and anyExtendedKeyUsage are not enough).
    #[error("the delegated responder certificate lacks the OCSPSigning extended key usage")]
    ResponderMissingOcspSigning,

    /// The responderID identifies neither the issuer, nor a certificate embedded in the
    /// response, nor a responder the caller trusts.
    #[error("the responder that signed the response is not known")]
    ResponderNotFound,

    /// The delegated responder certificate was not issued directly by the certificate's issuer.
    #[error("the delegated responder certificate was not issued by the certificate's issuer")]
    ResponderNotIssuedByIssuer,

    /// The delegated responder certificate is not valid yet at `time` (before its `notBefore`).
    #[error(
        "the delegated responder certificate is not valid for another {} (notBefore {})",
        Elapsed::between(*time, *not_before),
        Rfc3339(*not_before)
    )]
    ResponderNotYetValid {
        /// The time of the check.
        time: UnixTime,
        /// The certificate's `notBefore`.
        not_before: UnixTime,
    },

    /// The response is past its `nextUpdate`, beyond the allowed clock skew.
    #[error(
        "the response expired {} ago (nextUpdate {})",
        Elapsed::between(*not_after, *time),
        Rfc3339(*not_after)
    )]
    ResponseExpired {
        /// The time of the check.
        time: UnixTime,
        /// The response's `nextUpdate`.
        not_after: UnixTime,
    },

    /// The response's `nextUpdate - thisUpdate` exceeds the verifier's lifetime cap (10 days
    /// unless the caller chose another).
    #[error("the response's validity period is longer than allowed")]
    ResponseLifetimeTooLong,

    /// The response's `thisUpdate` is later than `time` plus the allowed clock skew.
    #[error(
        "the response is not valid for another {} (thisUpdate {})",
        Elapsed::between(*time, *not_before),
        Rfc3339(*not_before)
    )]
    ResponseNotYetValid {
        /// The time of the check.
        time: UnixTime,
        /// The response's `thisUpdate`.
        not_before: UnixTime,
    },

    /// The encoded response is larger than the size cap (64 KiB unless the caller chose
    /// another).
    #[error("the response is larger than the size cap")]
    ResponseTooLarge,

    /// The response's `thisUpdate` is older than the verifier accepts, beyond the allowed clock
    /// skew: 7 days, or 1 day for a response without `nextUpdate`, unless the caller chose
    /// otherwise. `not_after` is `thisUpdate` plus that age.
    #[error(
        "the response became too old {} ago (its thisUpdate plus the largest age: {})",
        Elapsed::between(*not_after, *time),
        Rfc3339(*not_after)
    )]
    ResponseTooOld {
        /// The time of the check.
        time: UnixTime,
        /// `thisUpdate` plus the largest age accepted.
        not_after: UnixTime,
    },

    /// The key that must verify the signature is an RSA key shorter than 2048 bits.
    #[error("RSA key shorter than 2048 bits")]
    RsaKeyTooSmall,

    /// The response embeds more certificates than allowed (8).
    #[error("the response embeds more than 8 certificates")]
    TooManyCertificates,

    /// Bytes follow the end of the named structure.
    #[error("trailing data after {0}")]
    TrailingData(Structure),

    /// `responseStatus` is not one RFC 6960 defines (4, or above 6).
    #[error("unknown responseStatus {0}")]
    UnknownResponseStatus(u8),

    /// The responder answered with an error status instead of a response
    /// (`malformedRequest`, `internalError`, `tryLater`, `sigRequired` or `unauthorized`).
    #[error("the responder answered {}: {}", .0.name(), .0.meaning())]
    UnsuccessfulResponse(ResponseStatus),

    /// A critical extension the crate does not understand, in the named structure.
    #[error("unsupported critical extension in {0}")]
    UnsupportedCriticalExtension(Structure),

    /// A request was to be built with a `CertID` hash algorithm this build leaves out
    /// (SHA-384 and SHA-512 need the `certid-sha512` feature).
    #[error("the CertID hash algorithm is not supported by this build")]
    UnsupportedHashAlgorithm,

    /// `responseType` is not id-pkix-ocsp-basic.
    #[error("unsupported responseType (only id-pkix-ocsp-basic is defined)")]
    UnsupportedResponseType,

    /// `ResponseData.version` is not v1.
    #[error("unsupported ResponseData version (only v1 is defined)")]
    UnsupportedResponseVersion,

    /// No algorithm the caller allowed matches the signature algorithm and the key type.
    #[error("the signature algorithm is not among the allowed ones")]
    UnsupportedSignatureAlgorithm,
}

/// `OCSPResponseStatus` (RFC 6960 section 4.2.1).
///
/// ```text
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseStatus {
    /// `successful` (0).
    Successful,
    /// `malformedRequest` (1).
    MalformedRequest,
    /// `internalError` (2).
    InternalError,
    /// `tryLater` (3).
    TryLater,
    /// `sigRequired` (5).
    SigRequired,
    /// `unauthorized` (6).
    Unauthorized,
}

impl ResponseStatus {
    /// The status for its ENUMERATED value; 4 and anything above 6 are
    /// [`Error::UnknownResponseStatus`].
    pub(crate) fn from_code(code: u8) -> Result<Self, Error> {
        Ok(match code {
            0 => Self::Successful,
            1 => Self::MalformedRequest,
            2 => Self::InternalError,
            3 => Self::TryLater,
            5 => Self::SigRequired,
            6 => Self::Unauthorized,
            other => return Err(Error::UnknownResponseStatus(other)),
        })
    }

    /// The ENUMERATED value of the status.
    pub fn code(self) -> u8 {
        match self {
            Self::Successful => 0,
            Self::MalformedRequest => 1,
            Self::InternalError => 2,
            Self::TryLater => 3,
            Self::SigRequired => 5,
            Self::Unauthorized => 6,
        }
    }

    /// The name RFC 6960 gives the status, e.g. `tryLater`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Successful => "successful",
            Self::MalformedRequest => "malformedRequest",
            Self::InternalError => "internalError",
            Self::TryLater => "tryLater",
            Self::SigRequired => "sigRequired",
            Self::Unauthorized => "unauthorized",
        }
    }

    /// What the status means, in RFC 6960's words.
    fn meaning(self) -> &'static str {
        match self {
            Self::Successful => "the response has valid confirmations",
            Self::MalformedRequest => "illegal confirmation request",
            Self::InternalError => "internal error in the issuer",
            Self::TryLater => "try again later",
            Self::SigRequired => "the request must be signed",
            Self::Unauthorized => "request unauthorized",
        }
    }
}

/// The ASN.1 structure in which a parse error was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Structure {
    /// An `AlgorithmIdentifier`.
    AlgorithmIdentifier,
    /// The authorityInfoAccess extension of a certificate.
    AuthorityInfoAccess,
    /// The `BasicOCSPResponse`.
    BasicOcspResponse,
    /// The basicConstraints extension of a certificate.
    BasicConstraints,
    /// A `Certificate`.
    Certificate,
    /// The `certs` list of a `BasicOCSPResponse`.
    Certificates,
    /// A `CertID`.
    CertId,
    /// A `CertStatus`.
    CertStatus,
    /// The extendedKeyUsage extension of a certificate.
    ExtendedKeyUsage,
    /// An `Extension`.
    Extension,
    /// The extensions of a certificate.
    CertificateExtensions,
    /// The outer `OCSPRequest`.
    OcspRequest,
    /// The outer `OCSPResponse`.
    OcspResponse,
    /// The `producedAt` time.
    ProducedAt,
    /// The responder's certificate (a delegated or trusted responder).
    ResponderCertificate,
    /// The `ResponderID`.
    ResponderId,
    /// A `Request` of a request's `requestList`.
    Request,
    /// The `requestExtensions` of a `TBSRequest`.
    RequestExtensions,
    /// The `ResponseBytes`.
    ResponseBytes,
    /// The `ResponseData` (`tbsResponseData`).
    ResponseData,
    /// The `responseExtensions` of a `ResponseData`.
    ResponseExtensions,
    /// The `responses` list of a `ResponseData`.
    Responses,
    /// A `RevokedInfo`.
    RevokedInfo,
    /// The signature BIT STRING.
    Signature,
    /// The `singleRequestExtensions` of a `Request`.
    SingleRequestExtensions,
    /// A `SingleResponse`.
    SingleResponse,
    /// The `singleExtensions` of a `SingleResponse`.
    SingleExtensions,
    /// The `SubjectPublicKeyInfo` of a certificate.
    SubjectPublicKeyInfo,
    /// A `TBSCertificate`.
    TbsCertificate,
    /// A `TBSRequest`.
    TbsRequest,
    /// A trust anchor's subject name.
    TrustAnchor,
    /// The TLS feature extension (RFC 7633) of a certificate.
    TlsFeature,
    /// The `Validity` of a certificate.
    Validity,
}

impl fmt::Display for Structure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AlgorithmIdentifier => "AlgorithmIdentifier",
            Self::AuthorityInfoAccess => "the authorityInfoAccess extension",
            Self::BasicOcspResponse => "BasicOCSPResponse",
            Self::BasicConstraints => "the basicConstraints extension",
            Self::Certificate => "Certificate",
            Self::Certificates => "the certs list",
            Self::CertId => "CertID",
            Self::CertStatus => "CertStatus",
            Self::ExtendedKeyUsage => "the extendedKeyUsage extension",
            Self::Extension => "Extension",
            Self::CertificateExtensions => "the certificate extensions",
            Self::OcspRequest => "OCSPRequest",
            Self::OcspResponse => "OCSPResponse",
            Self::ProducedAt => "producedAt",
            Self::ResponderCertificate => "the responder certificate",
            Self::ResponderId => "ResponderID",
            Self::Request => "Request",
            Self::RequestExtensions => "requestExtensions",
            Self::ResponseBytes => "ResponseBytes",
            Self::ResponseData => "ResponseData",
            Self::ResponseExtensions => "responseExtensions",
            Self::Responses => "the responses list",
            Self::RevokedInfo => "RevokedInfo",
            Self::Signature => "the signature",
            Self::SingleRequestExtensions => "singleRequestExtensions",
            Self::SingleResponse => "SingleResponse",
            Self::SingleExtensions => "singleExtensions",
            Self::SubjectPublicKeyInfo => "SubjectPublicKeyInfo",
            Self::TbsCertificate => "TBSCertificate",
            Self::TbsRequest => "TBSRequest",
            Self::TrustAnchor => "the trust anchor's subject name",
            Self::TlsFeature => "the TLS feature extension",
            Self::Validity => "Validity",
        })
    }
}

impl Error {
    /// A stable snake_case name for the error, for logs and JSON output: one per variant, and
    /// one per status for [`Error::UnsuccessfulResponse`] (`responder_try_later`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadDer(_) => "bad_der",
            Self::BufferTooSmall { .. } => "buffer_too_small",
            Self::DuplicateExtension(_) => "duplicate_extension",
            Self::EmptyRequestList => "empty_request_list",
            Self::EmptyResponseList => "empty_response_list",
            Self::InvalidCertIdHash => "invalid_cert_id_hash",
            Self::InvalidNonce => "invalid_nonce",
            Self::InvalidNonceLength => "invalid_nonce_length",
            Self::InvalidResponderCertSignature => "invalid_responder_cert_signature",
            Self::InvalidRevocationReason => "invalid_revocation_reason",
            Self::InvalidSignature => "invalid_signature",
            Self::InvalidTime(_) => "invalid_time",
            Self::IssuerNameMismatch => "issuer_name_mismatch",
            Self::IssuerNotFound => "issuer_not_found",
            Self::MissingNonce => "missing_nonce",
            Self::MissingResponseBytes => "missing_response_bytes",
            Self::NextUpdateBeforeThisUpdate => "next_update_before_this_update",
            Self::NoMatchingResponse => "no_matching_response",
            Self::NonceMismatch => "nonce_mismatch",
            Self::ResponderExpired { .. } => "responder_expired",
            Self::ResponderIsCa => "responder_is_ca",
            Self::ResponderMissingOcspSigning => "responder_missing_ocsp_signing",
            Self::ResponderNotFound => "responder_not_found",
            Self::ResponderNotIssuedByIssuer => "responder_not_issued_by_issuer",
            Self::ResponderNotYetValid { .. } => "responder_not_yet_valid",
            Self::ResponseExpired { .. } => "response_expired",
            Self::ResponseLifetimeTooLong => "response_lifetime_too_long",
            Self::ResponseNotYetValid { .. } => "response_not_yet_valid",
            Self::ResponseTooLarge => "response_too_large",
            Self::ResponseTooOld { .. } => "response_too_old",
            Self::RsaKeyTooSmall => "rsa_key_too_small",
            Self::TooManyCertificates => "too_many_certificates",
            Self::TrailingData(_) => "trailing_data",
            Self::UnknownResponseStatus(_) => "unknown_response_status",
            // One code per status, so that logs keep telling "try later" from "unauthorized".
            Self::UnsuccessfulResponse(status) => match status {
                ResponseStatus::Successful => "unsuccessful_response",
                ResponseStatus::MalformedRequest => "responder_malformed_request",
                ResponseStatus::InternalError => "responder_internal_error",
                ResponseStatus::TryLater => "responder_try_later",
                ResponseStatus::SigRequired => "responder_sig_required",
                ResponseStatus::Unauthorized => "responder_unauthorized",
            },
            Self::UnsupportedCriticalExtension(_) => "unsupported_critical_extension",
            Self::UnsupportedHashAlgorithm => "unsupported_hash_algorithm",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::UnsupportedResponseVersion => "unsupported_response_version",
            Self::UnsupportedSignatureAlgorithm => "unsupported_signature_algorithm",
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::collections::BTreeSet;
    use std::string::ToString;

    use super::*;

    const STATUSES: [(u8, ResponseStatus, &str, &str); 6] = [
        (
            0,
            ResponseStatus::Successful,
            "successful",
            "unsuccessful_response",
        ),
        (
            1,
            ResponseStatus::MalformedRequest,
            "malformedRequest",
            "responder_malformed_request",
        ),
        (
            2,
            ResponseStatus::InternalError,
            "internalError",
            "responder_internal_error",
        ),
        (
            3,
            ResponseStatus::TryLater,
            "tryLater",
            "responder_try_later",
        ),
        (
            5,
            ResponseStatus::SigRequired,
            "sigRequired",
            "responder_sig_required",
        ),
        (
            6,
            ResponseStatus::Unauthorized,
            "unauthorized",
            "responder_unauthorized",
        ),
    ];

    #[test]
    fn response_statuses_keep_their_numbers_names_and_codes() {
        for (code, status, name, error_code) in STATUSES {
            assert_eq!(ResponseStatus::from_code(code), Ok(status));
            assert_eq!(status.code(), code);
            assert_eq!(status.name(), name);
            assert_eq!(Error::UnsuccessfulResponse(status).code(), error_code);
        }
        for code in [4, 7, 0x7F, 0xFF] {
            assert_eq!(
                ResponseStatus::from_code(code),
                Err(Error::UnknownResponseStatus(code))
            );
        }
        assert_eq!(
            Error::UnsuccessfulResponse(ResponseStatus::TryLater).to_string(),
            "the responder answered tryLater: try again later"
        );
        let meanings: BTreeSet<_> = STATUSES.iter().map(|(_, s, ..)| s.meaning()).collect();
        assert_eq!(meanings.len(), STATUSES.len());
        assert!(meanings.iter().all(|m| m.len() > 10), "{meanings:?}");
    }

    /// The codes are a stable interface (logs, JSON, metrics labels): each is pinned here, and
    /// they are all distinct.
    #[test]
    fn every_error_has_its_own_stable_code() {
        let at = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1));
        let s = Structure::Validity;
        let pinned = [
            (Error::BadDer(s), "bad_der"),
            (Error::BufferTooSmall { needed: 1 }, "buffer_too_small"),
            (Error::DuplicateExtension(s), "duplicate_extension"),
            (Error::EmptyRequestList, "empty_request_list"),
            (Error::EmptyResponseList, "empty_response_list"),
            (Error::InvalidCertIdHash, "invalid_cert_id_hash"),
            (Error::InvalidNonce, "invalid_nonce"),
            (Error::InvalidNonceLength, "invalid_nonce_length"),
            (
                Error::InvalidResponderCertSignature,
                "invalid_responder_cert_signature",
            ),
            (Error::InvalidRevocationReason, "invalid_revocation_reason"),
            (Error::InvalidSignature, "invalid_signature"),
            (Error::InvalidTime(s), "invalid_time"),
            (Error::IssuerNameMismatch, "issuer_name_mismatch"),
            (Error::IssuerNotFound, "issuer_not_found"),
            (Error::MissingNonce, "missing_nonce"),
            (Error::MissingResponseBytes, "missing_response_bytes"),
            (
                Error::NextUpdateBeforeThisUpdate,
                "next_update_before_this_update",
            ),
            (Error::NoMatchingResponse, "no_matching_response"),
            (Error::NonceMismatch, "nonce_mismatch"),
            (
                Error::ResponderExpired {
                    time: at,
                    not_after: at,
                },
                "responder_expired",
            ),
            (Error::ResponderIsCa, "responder_is_ca"),
            (
                Error::ResponderMissingOcspSigning,
                "responder_missing_ocsp_signing",
            ),
            (Error::ResponderNotFound, "responder_not_found"),
            (
                Error::ResponderNotIssuedByIssuer,
                "responder_not_issued_by_issuer",
            ),
            (
                Error::ResponderNotYetValid {
                    time: at,
                    not_before: at,
                },
                "responder_not_yet_valid",
            ),
            (
                Error::ResponseExpired {
                    time: at,
                    not_after: at,
                },
                "response_expired",
            ),
            (Error::ResponseLifetimeTooLong, "response_lifetime_too_long"),
            (
                Error::ResponseNotYetValid {
                    time: at,
                    not_before: at,
                },
                "response_not_yet_valid",
            ),
            (Error::ResponseTooLarge, "response_too_large"),
            (
                Error::ResponseTooOld {
                    time: at,
                    not_after: at,
                },
                "response_too_old",
            ),
            (Error::RsaKeyTooSmall, "rsa_key_too_small"),
            (Error::TooManyCertificates, "too_many_certificates"),
            (Error::TrailingData(s), "trailing_data"),
            (Error::UnknownResponseStatus(4), "unknown_response_status"),
            (
                Error::UnsupportedCriticalExtension(s),
                "unsupported_critical_extension",
            ),
            (
                Error::UnsupportedHashAlgorithm,
                "unsupported_hash_algorithm",
            ),
            (Error::UnsupportedResponseType, "unsupported_response_type"),
            (
                Error::UnsupportedResponseVersion,
                "unsupported_response_version",
            ),
            (
                Error::UnsupportedSignatureAlgorithm,
                "unsupported_signature_algorithm",
            ),
        ];
        let mut codes = BTreeSet::new();
        for (error, code) in pinned {
            assert_eq!(error.code(), code, "{error:?}");
            assert!(codes.insert(code), "{code} twice");
        }
        for (.., code) in STATUSES {
            assert!(codes.insert(code), "{code} twice");
        }
    }

    #[test]
    fn structures_are_named_in_messages() {
        assert_eq!(
            Error::BadDer(Structure::Validity).to_string(),
            "malformed DER in Validity"
        );
        assert_eq!(
            Error::TrailingData(Structure::CertificateExtensions).to_string(),
            "trailing data after the certificate extensions"
        );
        assert_eq!(
            Error::InvalidTime(Structure::ProducedAt).to_string(),
            "invalid time in producedAt"
        );
    }
}
