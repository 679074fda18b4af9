//! The C types: what goes in (buffers, the issuer, the options, the constants of flags and
//! algorithms) and what comes out (the answer, the decision and their enums).
//!
//! Rules of the boundary, so that nothing C passes in can be an invalid Rust value:
//!
//! - What C passes in holds only integers and pointers (every bit pattern is valid); choices
//!   are `uint32_t` flags and constants, checked, never Rust enums.
//! - What comes out may be an enum: the library writes it, and C reads an integer of a fixed
//!   width (`repr(i32)`/`repr(u32)`), whatever the C compiler's enum size.
//! - Every output is written whole, once, at the end of a call, on every path: a structure
//!   the caller forgot to initialise never leaks stale values, and a failed call leaves the
//!   "nothing verified" values (`OCSP_CERT_STATUS_NONE`, `OCSP_VERDICT_REJECT`).

use core::ptr;

/// A byte string: `data` points to `len` bytes (or is NULL when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OcspBuffer {
    /// The first byte.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// The CA that issued the certificate: either its DER certificate, or a trust anchor (its
/// subject Name and SubjectPublicKeyInfo). Give exactly one form; leave the other's pointers
/// NULL and lengths 0.
///
/// The trust anchor's two fields are whole DER encodings, tag and length included (what
/// OpenSSL's `i2d_X509_NAME` and `i2d_PUBKEY` write, and mbedTLS's `subject_raw` and `pk_raw`
/// hold); `ocsp_trust_anchor_from_certificate` takes them out of a certificate.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OcspIssuer {
    /// The issuer's DER certificate, or NULL.
    pub certificate: *const u8,
    /// Its length in bytes, or 0.
    pub certificate_len: usize,
    /// The DER `Name` of the trust anchor's subject, or NULL.
    pub subject: *const u8,
    /// Its length in bytes, or 0.
    pub subject_len: usize,
    /// The DER `SubjectPublicKeyInfo` of the trust anchor, or NULL.
    pub subject_public_key_info: *const u8,
    /// Its length in bytes, or 0.
    pub subject_public_key_info_len: usize,
}

impl OcspIssuer {
    /// Every pointer NULL, every length 0.
    pub(crate) const EMPTY: Self = Self {
        certificate: ptr::null(),
        certificate_len: 0,
        subject: ptr::null(),
        subject_len: 0,
        subject_public_key_info: ptr::null(),
        subject_public_key_info_len: 0,
    };
}

/// The verifier's settings. Fill one with `ocsp_options_default` and change what you need;
/// pass NULL for the defaults. All times in seconds.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OcspOptions {
    /// Clock skew tolerated on every time comparison (default 300: 5 minutes).
    pub clock_skew: u64,
    /// Largest age of thisUpdate accepted (default 604800: 7 days).
    pub max_age: u64,
    /// Largest age of a response without nextUpdate (default 86400: 1 day).
    pub max_age_without_next_update: u64,
    /// Largest nextUpdate - thisUpdate (default 864000: 10 days); `UINT64_MAX` lifts the cap.
    pub max_lifetime: u64,
    /// Size cap on the encoded response, in bytes (default 65536).
    pub max_response_len: usize,
    /// `OCSP_OPTION_*` flags (default 0).
    pub flags: u32,
    /// Responders the caller trusts to answer for any certificate (RFC 6960 section 4.2.2.2):
    /// DER certificates, at most `OCSP_MAX_TRUSTED_RESPONDERS`; NULL when the count is 0. A
    /// build without the `trusted-responders` feature refuses them with
    /// `OCSP_RESULT_NOT_SUPPORTED`.
    pub trusted_responders: *const OcspBuffer,
    /// How many trusted responders (default 0).
    pub trusted_responder_count: usize,
}

/// Accept SHA-1 signatures too (legacy responders); needs the `legacy-sha1` build feature,
/// else `OCSP_RESULT_NOT_SUPPORTED`.
pub const OCSP_OPTION_ALLOW_LEGACY_SHA1: u32 = 1;
/// Accept a response without a nonce when one was sent (responders behind caches ignore
/// nonces); a different nonce is still refused. Weakens replay protection.
pub const OCSP_OPTION_DANGEROUS_MISSING_NONCE_ACCEPTED: u32 = 1 << 1;
/// The most trusted responders a call takes (they are parsed on the stack: no heap).
pub const OCSP_MAX_TRUSTED_RESPONDERS: usize = 4;

/// The hash a request's CertID uses (`uint32_t` arguments take these values).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspHashAlgorithm {
    /// SHA-1: what RFC 5019 has clients use and every responder understands.
    Sha1 = 1,
    /// SHA-256.
    Sha256 = 2,
    /// SHA-384 (needs the `certid-sha512` build feature).
    Sha384 = 3,
    /// SHA-512 (needs the `certid-sha512` build feature).
    Sha512 = 4,
}

/// Soft-fail: a missing staple, and a stale, not-yet-valid or tryLater one, are accepted;
/// revoked, unknown and invalid staples are rejected.
pub const OCSP_POLICY_SOFT_FAIL: u32 = 0;
/// Hard-fail: only a verified, fresh good staple is accepted.
pub const OCSP_POLICY_HARD_FAIL: u32 = 1;
/// Reject a connection whose server stapled nothing (a no-op under hard-fail).
pub const OCSP_POLICY_NO_STAPLE_REJECTED: u32 = 1 << 1;
/// Reject a stale, not-yet-valid or tryLater staple instead of treating it as absent.
pub const OCSP_POLICY_UNUSABLE_STAPLE_REJECTED: u32 = 1 << 2;
/// Accept a connection whose server stapled nothing (weakens hard-fail).
pub const OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED: u32 = 1 << 3;
/// Treat a stale, not-yet-valid or tryLater staple as absent (weakens hard-fail).
pub const OCSP_POLICY_DANGEROUS_UNUSABLE_STAPLE_AS_ABSENT: u32 = 1 << 4;
/// Accept a verified unknown answer (still rejected for a must-staple certificate).
pub const OCSP_POLICY_DANGEROUS_UNKNOWN_ACCEPTED: u32 = 1 << 5;

/// What a verified response says about the certificate.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspCertStatus {
    /// Nothing verified: the call failed (the zero value, so that a failed call never reads as
    /// good).
    None = 0,
    /// Not revoked, as far as the responder knows.
    Good = 1,
    /// Revoked (`revocation_time`, `revocation_reason`).
    Revoked = 2,
    /// The responder does not know the certificate.
    Unknown = 3,
}

/// `CRLReason` (RFC 5280 section 5.3.1), with its RFC values.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspRevocationReason {
    /// No reason given, or not revoked.
    NotGiven = -1,
    /// unspecified (0).
    Unspecified = 0,
    /// keyCompromise (1).
    KeyCompromise = 1,
    /// cACompromise (2).
    CaCompromise = 2,
    /// affiliationChanged (3).
    AffiliationChanged = 3,
    /// superseded (4).
    Superseded = 4,
    /// cessationOfOperation (5).
    CessationOfOperation = 5,
    /// certificateHold (6): temporary.
    CertificateHold = 6,
    /// removeFromCRL (8).
    RemoveFromCrl = 8,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn = 9,
    /// aACompromise (10).
    AaCompromise = 10,
}

/// Who signed a verified response (RFC 6960 section 4.2.2.2).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspResponder {
    /// Nothing verified.
    None = 0,
    /// The CA that issued the certificate.
    Issuer = 1,
    /// A delegated responder embedded in the response, issued directly by the CA.
    Delegated = 2,
    /// A responder the caller trusts (`ocsp_options.trusted_responders`).
    Trusted = 3,
}

/// What a verified response says, or, when the call failed, the one detail of the refusal.
/// Times are seconds since the Unix epoch.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcspAnswer {
    /// The certificate's status; `OCSP_CERT_STATUS_NONE` unless the call returned
    /// `OCSP_RESULT_OK`.
    pub status: OcspCertStatus,
    /// Why it was revoked, when it is and the response says.
    pub revocation_reason: OcspRevocationReason,
    /// When it was revoked (0 unless revoked).
    pub revocation_time: u64,
    /// thisUpdate.
    pub this_update: u64,
    /// nextUpdate, when `has_next_update`.
    pub next_update: u64,
    /// producedAt.
    pub produced_at: u64,
    /// Who signed the response.
    pub responder: OcspResponder,
    /// Whether the response has a nextUpdate.
    pub has_next_update: bool,
    /// When the call failed for a time (response expired, too old or not yet valid; delegated
    /// responder expired or not yet valid): the limit that was missed (nextUpdate, thisUpdate
    /// plus the largest age, thisUpdate, notAfter, notBefore). 0 otherwise.
    pub error_limit: u64,
}

impl OcspAnswer {
    /// Nothing verified.
    pub(crate) const NONE: Self = Self {
        status: OcspCertStatus::None,
        revocation_reason: OcspRevocationReason::NotGiven,
        revocation_time: 0,
        this_update: 0,
        next_update: 0,
        produced_at: 0,
        responder: OcspResponder::None,
        has_next_update: false,
        error_limit: 0,
    };
}

/// Go on with the connection, or refuse it.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspVerdict {
    /// Refuse the connection (the zero value: a failed call rejects).
    Reject = 0,
    /// Go on with the connection.
    Accept = 1,
}

/// What happened, as a row of the policy table: the reason for the verdict.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspSituation {
    /// No decision was made: the call failed.
    None = 0,
    /// A verified good answer, fresh now.
    Good = 1,
    /// A verified revoked answer.
    Revoked = 2,
    /// A verified unknown answer.
    Unknown = 3,
    /// The server stapled no response.
    NoStaple = 4,
    /// A staple correctly signed but stale or not yet valid, or the responder's tryLater.
    StapleUnusable = 5,
    /// A staple invalid in any other way (signature, responder, CertID, malformed).
    StapleInvalid = 6,
}

/// What the certificate's TLS feature extension (RFC 7633) requires.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspTlsFeatures {
    /// No TLS feature extension, or an empty one.
    NoneRequired = 0,
    /// status_request only: must-staple; a good, fresh staple is required.
    StatusRequest = 1,
    /// A feature this library cannot check: every connection is rejected.
    Unsupported = 2,
}

/// The policy's decision on a staple, with its reason.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcspDecision {
    /// Accept or reject; `OCSP_VERDICT_REJECT` whenever the call did not return
    /// `OCSP_RESULT_OK`.
    pub verdict: OcspVerdict,
    /// What happened.
    pub situation: OcspSituation,
    /// Why the staple was refused (`OCSP_SITUATION_STAPLE_UNUSABLE` and
    /// `OCSP_SITUATION_STAPLE_INVALID`), else `OCSP_RESULT_OK`.
    pub staple_result: crate::result::OcspResult,
    /// What the certificate's TLS feature extension requires.
    pub tls_features: OcspTlsFeatures,
    /// Whether the policy alone would have accepted and the certificate's TLS feature
    /// extension rejected (must-staple without a good staple, or a feature the client cannot
    /// satisfy).
    pub rejected_for_tls_features: bool,
    /// What the staple says, when it verified; its `error_limit` when it was refused for a time.
    pub answer: OcspAnswer,
}

impl OcspDecision {
    /// No decision: reject.
    pub(crate) const NONE: Self = Self {
        verdict: OcspVerdict::Reject,
        situation: OcspSituation::None,
        staple_result: crate::result::OcspResult::Ok,
        tls_features: OcspTlsFeatures::NoneRequired,
        rejected_for_tls_features: false,
        answer: OcspAnswer::NONE,
    };
}

/// A request goes as GET when its whole GET URL is shorter than this many bytes, else as a POST
/// of the DER (RFC 6960 Appendix A.1: "less than 255 bytes"; RFC 5019 section 5 counts the
/// whole URL).
pub const OCSP_MAX_GET_URL_LEN: usize = 255;
