//! `ocsp_result`: what every call returns. One value per code of the Rust library's
//! `Error::code()`, with the same name, and the few codes of the C boundary itself; each with a
//! static name and message.
//!
//! The numbers are the C API's: they never change and are never reused. A new code of the Rust
//! library gets the next free number below 100, a line in [`OcspResult::of`] and a sample in
//! the tests (which fail until it has all three); the codes of the boundary start at 100.

use core::ffi::CStr;

use ocsp_verify::{Error, ResponseStatus};

/// The outcome of a call: `OCSP_RESULT_OK`, or why it failed.
///
/// The codes from 1 to 99 mirror the Rust library's `Error::code()` strings one for one (the
/// name of `OCSP_RESULT_BAD_DER` is `"bad_der"`): they say why a response, a certificate or a
/// request was refused. The codes from 100 are the C boundary's own: a NULL pointer, a bad
/// length or flag, something this build leaves out. `ocsp_result_name` and
/// `ocsp_result_message` give each code's name and a sentence, as static strings.
///
/// The type is `int32_t`, whatever the C compiler's enum size, so values cross the boundary
/// unchanged.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspResult {
    /// Success: the call did what it says.
    Ok = 0,
    /// The DER encoding of some structure is malformed (bad tag, non-minimal or indefinite
    /// length, truncated value, wrong type, or a field out of its allowed range).
    BadDer = 1,
    /// The output buffer is too small; the call's length output says how large it must be.
    BufferTooSmall = 2,
    /// A certificate lists the same known extension twice.
    DuplicateExtension = 3,
    /// A request asks about no certificate.
    EmptyRequestList = 4,
    /// The response carries no SingleResponse.
    EmptyResponseList = 5,
    /// A CertID hash has the wrong length for its hash algorithm.
    InvalidCertIdHash = 6,
    /// The response's nonce extension is malformed.
    InvalidNonce = 7,
    /// A nonce has a length that is not allowed (a request nonce is 1 to 32 octets; a nonce
    /// to verify is at least 1).
    InvalidNonceLength = 8,
    /// The delegated responder certificate's signature does not verify with the issuer's key.
    InvalidResponderCertSignature = 9,
    /// A revocation reason outside 0..=10, or the unused value 7.
    InvalidRevocationReason = 10,
    /// The response signature does not verify.
    InvalidSignature = 11,
    /// A time is not `YYYYMMDDHHMMSSZ`, names an impossible date, or one before 1970.
    InvalidTime = 12,
    /// The certificate's issuer name differs from the issuer's subject name: the wrong issuer
    /// was given.
    IssuerNameMismatch = 13,
    /// The certificate's issuer was not found.
    IssuerNotFound = 14,
    /// A nonce was sent and the response does not echo one.
    MissingNonce = 15,
    /// A successful response without responseBytes.
    MissingResponseBytes = 16,
    /// nextUpdate is earlier than thisUpdate.
    NextUpdateBeforeThisUpdate = 17,
    /// The response has no answer for this certificate.
    NoMatchingResponse = 18,
    /// The response's nonce differs from the request's.
    NonceMismatch = 19,
    /// The delegated responder certificate expired (`error_limit`: its notAfter).
    ResponderExpired = 20,
    /// The delegated responder certificate is a CA certificate.
    ResponderIsCa = 21,
    /// The delegated responder certificate lacks the OCSPSigning extended key usage.
    ResponderMissingOcspSigning = 22,
    /// The responder that signed the response is not known.
    ResponderNotFound = 23,
    /// The delegated responder certificate was not issued by the certificate's issuer.
    ResponderNotIssuedByIssuer = 24,
    /// The delegated responder certificate is not valid yet (`error_limit`: its notBefore).
    ResponderNotYetValid = 25,
    /// The response is past its nextUpdate plus the clock skew (`error_limit`: nextUpdate).
    ResponseExpired = 26,
    /// The response's validity period (nextUpdate - thisUpdate) is longer than allowed.
    ResponseLifetimeTooLong = 27,
    /// The response's thisUpdate is later than now plus the clock skew (`error_limit`:
    /// thisUpdate).
    ResponseNotYetValid = 28,
    /// The response is larger than the size cap.
    ResponseTooLarge = 29,
    /// The response's thisUpdate is older than allowed (`error_limit`: thisUpdate plus the
    /// largest age).
    ResponseTooOld = 30,
    /// The key that must verify the signature is an RSA key shorter than 2048 bits.
    RsaKeyTooSmall = 31,
    /// The response embeds more than 8 certificates.
    TooManyCertificates = 32,
    /// Bytes follow the end of a structure.
    TrailingData = 33,
    /// responseStatus is not one RFC 6960 defines (4, or above 6).
    UnknownResponseStatus = 34,
    /// An unsuccessful response that says `successful` (never produced by the verifier).
    UnsuccessfulResponse = 35,
    /// The responder answered malformedRequest.
    ResponderMalformedRequest = 36,
    /// The responder answered internalError.
    ResponderInternalError = 37,
    /// The responder answered tryLater.
    ResponderTryLater = 38,
    /// The responder answered sigRequired.
    ResponderSigRequired = 39,
    /// The responder answered unauthorized.
    ResponderUnauthorized = 40,
    /// A critical extension the library does not understand.
    UnsupportedCriticalExtension = 41,
    /// The CertID hash algorithm is not supported by this build.
    UnsupportedHashAlgorithm = 42,
    /// responseType is not id-pkix-ocsp-basic.
    UnsupportedResponseType = 43,
    /// ResponseData version is not v1.
    UnsupportedResponseVersion = 44,
    /// The signature algorithm is not among the allowed ones (or not in this build).
    UnsupportedSignatureAlgorithm = 45,
    /// A pointer argument that must not be NULL is NULL.
    NullPointer = 100,
    /// An argument is out of range: a length larger than `PTRDIFF_MAX` or past the end of the
    /// address space, a misaligned structure pointer, an unknown flag or constant,
    /// contradicting flags, an issuer given in both forms or in neither, too many trusted
    /// responders, an output buffer that overlaps an input, a URL that is not UTF-8.
    InvalidArgument = 101,
    /// The call asks for something this build of the library leaves out (legacy SHA-1
    /// signatures without the `legacy-sha1` feature, trusted responders without
    /// `trusted-responders`).
    NotSupported = 102,
    /// The Rust library refused with a reason this version of the C library has no code for
    /// (never returned while the tests pass: they check every code has one).
    Unrecognized = 103,
}

impl OcspResult {
    /// Every code, in the order of their numbers.
    pub(crate) const ALL: [Self; 50] = [
        Self::Ok,
        Self::BadDer,
        Self::BufferTooSmall,
        Self::DuplicateExtension,
        Self::EmptyRequestList,
        Self::EmptyResponseList,
        Self::InvalidCertIdHash,
        Self::InvalidNonce,
        Self::InvalidNonceLength,
        Self::InvalidResponderCertSignature,
        Self::InvalidRevocationReason,
        Self::InvalidSignature,
        Self::InvalidTime,
        Self::IssuerNameMismatch,
        Self::IssuerNotFound,
        Self::MissingNonce,
        Self::MissingResponseBytes,
        Self::NextUpdateBeforeThisUpdate,
        Self::NoMatchingResponse,
        Self::NonceMismatch,
        Self::ResponderExpired,
        Self::ResponderIsCa,
        Self::ResponderMissingOcspSigning,
        Self::ResponderNotFound,
        Self::ResponderNotIssuedByIssuer,
        Self::ResponderNotYetValid,
        Self::ResponseExpired,
        Self::ResponseLifetimeTooLong,
        Self::ResponseNotYetValid,
        Self::ResponseTooLarge,
        Self::ResponseTooOld,
        Self::RsaKeyTooSmall,
        Self::TooManyCertificates,
        Self::TrailingData,
        Self::UnknownResponseStatus,
        Self::UnsuccessfulResponse,
        Self::ResponderMalformedRequest,
        Self::ResponderInternalError,
        Self::ResponderTryLater,
        Self::ResponderSigRequired,
        Self::ResponderUnauthorized,
        Self::UnsupportedCriticalExtension,
        Self::UnsupportedHashAlgorithm,
        Self::UnsupportedResponseType,
        Self::UnsupportedResponseVersion,
        Self::UnsupportedSignatureAlgorithm,
        Self::NullPointer,
        Self::InvalidArgument,
        Self::NotSupported,
        Self::Unrecognized,
    ];

    /// The code of a Rust library error: the one whose name is `error.code()` (the tests
    /// check it for a sample of every code the library has).
    pub(crate) fn of(error: &Error) -> Self {
        match error {
            Error::BadDer(_) => Self::BadDer,
            Error::BufferTooSmall { .. } => Self::BufferTooSmall,
            Error::DuplicateExtension(_) => Self::DuplicateExtension,
            Error::EmptyRequestList => Self::EmptyRequestList,
            Error::EmptyResponseList => Self::EmptyResponseList,
            Error::InvalidCertIdHash => Self::InvalidCertIdHash,
            Error::InvalidNonce => Self::InvalidNonce,
            Error::InvalidNonceLength => Self::InvalidNonceLength,
            Error::InvalidResponderCertSignature => Self::InvalidResponderCertSignature,
            Error::InvalidRevocationReason => Self::InvalidRevocationReason,
            Error::InvalidSignature => Self::InvalidSignature,
            Error::InvalidTime(_) => Self::InvalidTime,
            Error::IssuerNameMismatch => Self::IssuerNameMismatch,
            Error::IssuerNotFound => Self::IssuerNotFound,
            Error::MissingNonce => Self::MissingNonce,
            Error::MissingResponseBytes => Self::MissingResponseBytes,
            Error::NextUpdateBeforeThisUpdate => Self::NextUpdateBeforeThisUpdate,
            Error::NoMatchingResponse => Self::NoMatchingResponse,
            Error::NonceMismatch => Self::NonceMismatch,
            Error::ResponderExpired { .. } => Self::ResponderExpired,
            Error::ResponderIsCa => Self::ResponderIsCa,
            Error::ResponderMissingOcspSigning => Self::ResponderMissingOcspSigning,
            Error::ResponderNotFound => Self::ResponderNotFound,
            Error::ResponderNotIssuedByIssuer => Self::ResponderNotIssuedByIssuer,
            Error::ResponderNotYetValid { .. } => Self::ResponderNotYetValid,
            Error::ResponseExpired { .. } => Self::ResponseExpired,
            Error::ResponseLifetimeTooLong => Self::ResponseLifetimeTooLong,
            Error::ResponseNotYetValid { .. } => Self::ResponseNotYetValid,
            Error::ResponseTooLarge => Self::ResponseTooLarge,
            Error::ResponseTooOld { .. } => Self::ResponseTooOld,
            Error::RsaKeyTooSmall => Self::RsaKeyTooSmall,
            Error::TooManyCertificates => Self::TooManyCertificates,
            Error::TrailingData(_) => Self::TrailingData,
            Error::UnknownResponseStatus(_) => Self::UnknownResponseStatus,
            Error::UnsuccessfulResponse(status) => match status {
                ResponseStatus::Successful => Self::UnsuccessfulResponse,
                ResponseStatus::MalformedRequest => Self::ResponderMalformedRequest,
                ResponseStatus::InternalError => Self::ResponderInternalError,
                ResponseStatus::TryLater => Self::ResponderTryLater,
                ResponseStatus::SigRequired => Self::ResponderSigRequired,
                ResponseStatus::Unauthorized => Self::ResponderUnauthorized,
            },
            Error::UnsupportedCriticalExtension(_) => Self::UnsupportedCriticalExtension,
            Error::UnsupportedHashAlgorithm => Self::UnsupportedHashAlgorithm,
            Error::UnsupportedResponseType => Self::UnsupportedResponseType,
            Error::UnsupportedResponseVersion => Self::UnsupportedResponseVersion,
            Error::UnsupportedSignatureAlgorithm => Self::UnsupportedSignatureAlgorithm,
            // A variant added after this version: the tests fail until it has a code.
            _ => Self::Unrecognized,
        }
    }

    /// The code with this number, if there is one.
    pub(crate) fn from_number(number: i32) -> Option<Self> {
        // `ALL` holds 0 to 45, then 100 to 103 (a test checks it).
        let index = match number {
            0..=45 => number,
            100..=103 => number - 54,
            _ => return None,
        };
        Self::ALL.get(usize::try_from(index).ok()?).copied()
    }

    /// The number C sees.
    #[cfg(test)]
    pub(crate) fn number(self) -> i32 {
        // A field-less `repr(i32)` enum: the cast is its discriminant, exactly.
        #[expect(
            clippy::as_conversions,
            reason = "the discriminant of a repr(i32) enum"
        )]
        let number = self as i32;
        number
    }

    /// The stable snake_case name: for codes below 100, the Rust library's `Error::code()`.
    pub(crate) fn name(self) -> &'static CStr {
        match self {
            Self::Ok => c"ok",
            Self::BadDer => c"bad_der",
            Self::BufferTooSmall => c"buffer_too_small",
            Self::DuplicateExtension => c"duplicate_extension",
            Self::EmptyRequestList => c"empty_request_list",
            Self::EmptyResponseList => c"empty_response_list",
            Self::InvalidCertIdHash => c"invalid_cert_id_hash",
            Self::InvalidNonce => c"invalid_nonce",
            Self::InvalidNonceLength => c"invalid_nonce_length",
            Self::InvalidResponderCertSignature => c"invalid_responder_cert_signature",
            Self::InvalidRevocationReason => c"invalid_revocation_reason",
            Self::InvalidSignature => c"invalid_signature",
            Self::InvalidTime => c"invalid_time",
            Self::IssuerNameMismatch => c"issuer_name_mismatch",
            Self::IssuerNotFound => c"issuer_not_found",
            Self::MissingNonce => c"missing_nonce",
            Self::MissingResponseBytes => c"missing_response_bytes",
            Self::NextUpdateBeforeThisUpdate => c"next_update_before_this_update",
            Self::NoMatchingResponse => c"no_matching_response",
            Self::NonceMismatch => c"nonce_mismatch",
            Self::ResponderExpired => c"responder_expired",
            Self::ResponderIsCa => c"responder_is_ca",
            Self::ResponderMissingOcspSigning => c"responder_missing_ocsp_signing",
            Self::ResponderNotFound => c"responder_not_found",
            Self::ResponderNotIssuedByIssuer => c"responder_not_issued_by_issuer",
            Self::ResponderNotYetValid => c"responder_not_yet_valid",
            Self::ResponseExpired => c"response_expired",
            Self::ResponseLifetimeTooLong => c"response_lifetime_too_long",
            Self::ResponseNotYetValid => c"response_not_yet_valid",
            Self::ResponseTooLarge => c"response_too_large",
            Self::ResponseTooOld => c"response_too_old",
            Self::RsaKeyTooSmall => c"rsa_key_too_small",
            Self::TooManyCertificates => c"too_many_certificates",
            Self::TrailingData => c"trailing_data",
            Self::UnknownResponseStatus => c"unknown_response_status",
            Self::UnsuccessfulResponse => c"unsuccessful_response",
            Self::ResponderMalformedRequest => c"responder_malformed_request",
            Self::ResponderInternalError => c"responder_internal_error",
            Self::ResponderTryLater => c"responder_try_later",
            Self::ResponderSigRequired => c"responder_sig_required",
            Self::ResponderUnauthorized => c"responder_unauthorized",
            Self::UnsupportedCriticalExtension => c"unsupported_critical_extension",
            Self::UnsupportedHashAlgorithm => c"unsupported_hash_algorithm",
            Self::UnsupportedResponseType => c"unsupported_response_type",
            Self::UnsupportedResponseVersion => c"unsupported_response_version",
            Self::UnsupportedSignatureAlgorithm => c"unsupported_signature_algorithm",
            Self::NullPointer => c"null_pointer",
            Self::InvalidArgument => c"invalid_argument",
            Self::NotSupported => c"not_supported",
            Self::Unrecognized => c"unrecognized",
        }
    }

    /// A sentence for logs. Where the Rust library's message names no detail (a structure, a
    /// time), it is that message word for word.
    pub(crate) fn message(self) -> &'static CStr {
        match self {
            Self::Ok => c"success",
            Self::BadDer => c"malformed DER",
            Self::BufferTooSmall => c"the output buffer is too small",
            Self::DuplicateExtension => c"duplicate extension in a certificate",
            Self::EmptyRequestList => c"the request asks about no certificate",
            Self::EmptyResponseList => c"the response carries no SingleResponse",
            Self::InvalidCertIdHash => c"a CertID hash has the wrong length for its hash algorithm",
            Self::InvalidNonce => c"the response's nonce extension is malformed",
            Self::InvalidNonceLength => c"a request nonce must be 1 to 32 octets long",
            Self::InvalidResponderCertSignature => {
                c"the delegated responder certificate's signature does not verify with the issuer's key"
            }
            Self::InvalidRevocationReason => c"invalid revocation reason",
            Self::InvalidSignature => c"the response signature does not verify",
            Self::InvalidTime => c"invalid time",
            Self::IssuerNameMismatch => {
                c"the certificate's issuer name differs from the issuer's subject name"
            }
            Self::IssuerNotFound => {
                c"the certificate's issuer was not found among the intermediates and trust anchors"
            }
            Self::MissingNonce => c"the request carried a nonce and the response does not echo one",
            Self::MissingResponseBytes => c"a successful response without responseBytes",
            Self::NextUpdateBeforeThisUpdate => c"nextUpdate is earlier than thisUpdate",
            Self::NoMatchingResponse => c"the response has no answer for this certificate",
            Self::NonceMismatch => c"the response's nonce differs from the request's",
            Self::ResponderExpired => c"the delegated responder certificate expired",
            Self::ResponderIsCa => c"the delegated responder certificate is a CA certificate",
            Self::ResponderMissingOcspSigning => {
                c"the delegated responder certificate lacks the OCSPSigning extended key usage"
            }
            Self::ResponderNotFound => c"the responder that signed the response is not known",
            Self::ResponderNotIssuedByIssuer => {
                c"the delegated responder certificate was not issued by the certificate's issuer"
            }
            Self::ResponderNotYetValid => c"the delegated responder certificate is not valid yet",
            Self::ResponseExpired => c"the response expired (past its nextUpdate)",
            Self::ResponseLifetimeTooLong => c"the response's validity period is longer than allowed",
            Self::ResponseNotYetValid => c"the response is not valid yet (its thisUpdate is ahead)",
            Self::ResponseTooLarge => c"the response is larger than the size cap",
            Self::ResponseTooOld => c"the response is too old (its thisUpdate is too long ago)",
            Self::RsaKeyTooSmall => c"RSA key shorter than 2048 bits",
            Self::TooManyCertificates => c"the response embeds more than 8 certificates",
            Self::TrailingData => c"trailing data after a structure",
            Self::UnknownResponseStatus => c"unknown responseStatus",
            Self::UnsuccessfulResponse => {
                c"the responder answered successful: the response has valid confirmations"
            }
            Self::ResponderMalformedRequest => {
                c"the responder answered malformedRequest: illegal confirmation request"
            }
            Self::ResponderInternalError => {
                c"the responder answered internalError: internal error in the issuer"
            }
            Self::ResponderTryLater => c"the responder answered tryLater: try again later",
            Self::ResponderSigRequired => {
                c"the responder answered sigRequired: the request must be signed"
            }
            Self::ResponderUnauthorized => {
                c"the responder answered unauthorized: request unauthorized"
            }
            Self::UnsupportedCriticalExtension => c"unsupported critical extension",
            Self::UnsupportedHashAlgorithm => {
                c"the CertID hash algorithm is not supported by this build"
            }
            Self::UnsupportedResponseType => {
                c"unsupported responseType (only id-pkix-ocsp-basic is defined)"
            }
            Self::UnsupportedResponseVersion => {
                c"unsupported ResponseData version (only v1 is defined)"
            }
            Self::UnsupportedSignatureAlgorithm => {
                c"the signature algorithm is not among the allowed ones"
            }
            Self::NullPointer => c"a pointer argument that must not be NULL is NULL",
            Self::InvalidArgument => c"an argument is out of range",
            Self::NotSupported => c"this build of the library leaves out what the call asks for",
            Self::Unrecognized => c"the library refused for a reason this version has no code for",
        }
    }
}

/// For an error about a time, the limit that was missed, in seconds since the Unix epoch:
/// nextUpdate, thisUpdate, thisUpdate plus the largest age, or the delegated responder's
/// notAfter or notBefore. 0 for every other error.
pub(crate) fn error_limit(error: &Error) -> u64 {
    match error {
        Error::ResponseExpired { not_after, .. }
        | Error::ResponseTooOld { not_after, .. }
        | Error::ResponderExpired { not_after, .. } => not_after.as_secs(),
        Error::ResponseNotYetValid { not_before, .. }
        | Error::ResponderNotYetValid { not_before, .. } => not_before.as_secs(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::collections::BTreeSet;
    use std::string::{String, ToString};
    use std::vec::Vec;
    use std::{format, fs};

    use ocsp_verify::{Structure, UnixTime};

    use super::*;

    /// The string literals of the Rust library's `Error::code()`, read from its source: every
    /// code a variant can have, including one added after this test was written.
    fn rust_codes() -> BTreeSet<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../src/error.rs");
        let source = fs::read_to_string(path).unwrap();
        let start = source
            .find("pub fn code(&self)")
            .expect("Error::code in src/error.rs");
        let body = &source[start..];
        let body = &body[..body.find("\n    }\n").expect("the end of Error::code")];
        // The literals of the code, not of its comments.
        body.lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .flat_map(|line| line.split('"').skip(1).step_by(2))
            .map(ToString::to_string)
            .collect()
    }

    fn names(results: impl IntoIterator<Item = OcspResult>) -> BTreeSet<String> {
        results
            .into_iter()
            .map(|result| result.name().to_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn every_rust_error_code_has_one_c_code_of_the_same_name() {
        let rust = rust_codes();
        assert!(rust.len() >= 45, "{rust:?}");
        let mirrored = names(
            OcspResult::ALL
                .into_iter()
                .filter(|r| (1..100).contains(&r.number())),
        );
        let missing: Vec<_> = rust.difference(&mirrored).collect();
        assert!(
            missing.is_empty(),
            "Error::code() strings without an OcspResult (add one, with the next number below \
             100, to capi/src/result.rs and regenerate the header): {missing:?}"
        );
        let stale: Vec<_> = mirrored.difference(&rust).collect();
        assert!(stale.is_empty(), "C codes no Rust error has: {stale:?}");
    }

    #[test]
    fn all_lists_every_variant_once_in_the_order_of_their_numbers() {
        // The variants as written in the enum, `Name = number,`.
        let source =
            fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/result.rs")).unwrap();
        let start = source.find("pub enum OcspResult {").unwrap();
        let body = &source[start..start + source[start..].find("\n}\n").unwrap()];
        let declared: Vec<(String, i32)> = body
            .lines()
            .filter_map(|line| {
                let (name, number) = line.trim().strip_suffix(',')?.split_once(" = ")?;
                Some((name.to_string(), number.parse().ok()?))
            })
            .collect();
        let listed: Vec<(String, i32)> = OcspResult::ALL
            .iter()
            .map(|result| (format!("{result:?}"), result.number()))
            .collect();
        assert_eq!(listed, declared);
        assert!(listed.windows(2).all(|pair| pair[0].1 < pair[1].1));
        for result in OcspResult::ALL {
            assert_eq!(OcspResult::from_number(result.number()), Some(result));
            assert!(!result.message().is_empty());
        }
        assert_eq!(
            names(OcspResult::ALL).len(),
            OcspResult::ALL.len(),
            "names are unique"
        );
        for number in [-1, 46, 99, 104, i32::MAX, i32::MIN] {
            assert_eq!(OcspResult::from_number(number), None);
        }
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs))
    }

    #[test]
    fn errors_map_to_their_code_with_the_library_s_own_words() {
        // Errors whose message names no detail: the C message is the Rust one, word for word.
        let plain = [
            Error::EmptyRequestList,
            Error::EmptyResponseList,
            Error::InvalidCertIdHash,
            Error::InvalidNonce,
            Error::InvalidNonceLength,
            Error::InvalidResponderCertSignature,
            Error::InvalidRevocationReason,
            Error::InvalidSignature,
            Error::IssuerNameMismatch,
            Error::IssuerNotFound,
            Error::MissingNonce,
            Error::MissingResponseBytes,
            Error::NextUpdateBeforeThisUpdate,
            Error::NoMatchingResponse,
            Error::NonceMismatch,
            Error::ResponderIsCa,
            Error::ResponderMissingOcspSigning,
            Error::ResponderNotFound,
            Error::ResponderNotIssuedByIssuer,
            Error::ResponseLifetimeTooLong,
            Error::ResponseTooLarge,
            Error::RsaKeyTooSmall,
            Error::TooManyCertificates,
            Error::UnsupportedHashAlgorithm,
            Error::UnsupportedResponseType,
            Error::UnsupportedResponseVersion,
            Error::UnsupportedSignatureAlgorithm,
            Error::UnsuccessfulResponse(ResponseStatus::MalformedRequest),
            Error::UnsuccessfulResponse(ResponseStatus::InternalError),
            Error::UnsuccessfulResponse(ResponseStatus::TryLater),
            Error::UnsuccessfulResponse(ResponseStatus::SigRequired),
            Error::UnsuccessfulResponse(ResponseStatus::Unauthorized),
            Error::UnsuccessfulResponse(ResponseStatus::Successful),
        ];
        for error in plain {
            let result = OcspResult::of(&error);
            assert_eq!(result.name().to_str().unwrap(), error.code());
            assert_eq!(
                result.message().to_str().unwrap(),
                error.to_string(),
                "{error:?}"
            );
            assert_eq!(error_limit(&error), 0);
        }
        // Errors with a detail: the code, and the time limit they carry.
        let detailed = [
            (Error::BadDer(Structure::CertId), 0),
            (Error::BufferTooSmall { needed: 3 }, 0),
            (
                Error::DuplicateExtension(Structure::CertificateExtensions),
                0,
            ),
            (Error::InvalidTime(Structure::ProducedAt), 0),
            (Error::TrailingData(Structure::OcspResponse), 0),
            (Error::UnknownResponseStatus(4), 0),
            (
                Error::UnsupportedCriticalExtension(Structure::SingleExtensions),
                0,
            ),
            (
                Error::ResponseExpired {
                    time: at(9),
                    not_after: at(5),
                },
                5,
            ),
            (
                Error::ResponseTooOld {
                    time: at(9),
                    not_after: at(6),
                },
                6,
            ),
            (
                Error::ResponderExpired {
                    time: at(9),
                    not_after: at(7),
                },
                7,
            ),
            (
                Error::ResponseNotYetValid {
                    time: at(1),
                    not_before: at(8),
                },
                8,
            ),
            (
                Error::ResponderNotYetValid {
                    time: at(1),
                    not_before: at(9),
                },
                9,
            ),
        ];
        for (error, limit) in detailed {
            let result = OcspResult::of(&error);
            assert_eq!(result.name().to_str().unwrap(), error.code());
            assert_ne!(result, OcspResult::Unrecognized);
            assert_eq!(error_limit(&error), limit, "{error:?}");
            // The C message is where the Rust one starts, or says the same in general words.
            assert!(!result.message().is_empty());
        }
        let covered: BTreeSet<String> = plain
            .iter()
            .chain(detailed.iter().map(|(error, _)| error))
            .map(|error| error.code().to_string())
            .collect();
        assert_eq!(covered, rust_codes(), "a sample for every code");
    }
}
