//! What each exported function does, on slices and references: no pointers and no `unsafe`
//! here. `ffi.rs` turns the C arguments into these inputs and writes the outputs back.

use core::time::Duration;

use ocsp_verify::pki_types::Der;
use ocsp_verify::requests::{RequestBuilder, get_url_len, write_get_url};
use ocsp_verify::{
    Answer, CertStatus, Certificate, Decision, Error, HashAlgorithm, Issuer, Policy,
    ResponderAuthorization, RevocationReason, SignatureVerificationAlgorithm, Situation, Staple,
    Structure, TlsFeatures, TrustAnchor, UnixTime, Verifier, rustcrypto,
};

use crate::result::{OcspResult, error_limit};
use crate::types::{
    OCSP_MAX_TRUSTED_RESPONDERS, OCSP_OPTION_ALLOW_LEGACY_SHA1,
    OCSP_OPTION_DANGEROUS_MISSING_NONCE_ACCEPTED, OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED,
    OCSP_POLICY_DANGEROUS_UNKNOWN_ACCEPTED, OCSP_POLICY_DANGEROUS_UNUSABLE_STAPLE_AS_ABSENT,
    OCSP_POLICY_HARD_FAIL, OCSP_POLICY_NO_STAPLE_REJECTED, OCSP_POLICY_UNUSABLE_STAPLE_REJECTED,
    OcspAnswer, OcspCertStatus, OcspDecision, OcspHashAlgorithm, OcspOptions, OcspResponder,
    OcspRevocationReason, OcspSituation, OcspTlsFeatures, OcspVerdict,
};

/// The signature algorithms of this build, followed by `$more`: P-256 with SHA-256 always;
/// P-384 and SHA-384 with the `p384` feature; RSA (PKCS#1 v1.5 and PSS, 2048 to 8192 bits) with
/// `rsa`. A firmware build without them links only P-256.
macro_rules! algorithms_and {
    ($($more:tt)*) => {
        &[
            rustcrypto::ECDSA_P256_SHA256,
            #[cfg(feature = "p384")]
            rustcrypto::ECDSA_P256_SHA384,
            #[cfg(feature = "p384")]
            rustcrypto::ECDSA_P384_SHA384,
            #[cfg(feature = "p384")]
            rustcrypto::ECDSA_P384_SHA256,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PKCS1_2048_8192_SHA256,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PKCS1_2048_8192_SHA384,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PKCS1_2048_8192_SHA512,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PSS_2048_8192_SHA256,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PSS_2048_8192_SHA384,
            #[cfg(feature = "rsa")]
            rustcrypto::RSA_PSS_2048_8192_SHA512,
            $($more)*
        ]
    };
}

/// The algorithm policy of every call.
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = algorithms_and!();

/// [`ALGORITHMS`] and the SHA-1 ones, for `OCSP_OPTION_ALLOW_LEGACY_SHA1`.
#[cfg(feature = "legacy-sha1")]
static ALGORITHMS_WITH_LEGACY_SHA1: &[&dyn SignatureVerificationAlgorithm] = algorithms_and!(
    rustcrypto::ECDSA_P256_SHA1_LEGACY,
    #[cfg(feature = "p384")]
    rustcrypto::ECDSA_P384_SHA1_LEGACY,
    #[cfg(feature = "rsa")]
    rustcrypto::RSA_PKCS1_2048_8192_SHA1_LEGACY,
);

/// The issuer as C gave it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum IssuerInput<'a> {
    /// A DER certificate.
    Certificate(&'a [u8]),
    /// A trust anchor: the whole DER `Name` and `SubjectPublicKeyInfo`.
    Anchor {
        subject: &'a [u8],
        subject_public_key_info: &'a [u8],
    },
}

/// The verifier's settings as C gave them, checked: the algorithms the flags ask for, and the
/// trusted responders' bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings<'a> {
    pub(crate) options: &'a OcspOptions,
    algorithms: &'static [&'static dyn SignatureVerificationAlgorithm],
    /// The trusted responders' DER certificates (only the first `trusted_count` are).
    #[cfg(feature = "trusted-responders")]
    trusted: [&'a [u8]; OCSP_MAX_TRUSTED_RESPONDERS],
    #[cfg(feature = "trusted-responders")]
    trusted_count: usize,
}

/// What `ocsp_options_default` writes: the Rust verifier's defaults.
pub(crate) const DEFAULT_OPTIONS: OcspOptions = OcspOptions {
    clock_skew: Verifier::DEFAULT_CLOCK_SKEW.as_secs(),
    max_age: Verifier::DEFAULT_MAX_AGE.as_secs(),
    max_age_without_next_update: Verifier::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE.as_secs(),
    max_lifetime: Verifier::DEFAULT_MAX_LIFETIME.as_secs(),
    max_response_len: ocsp_verify::views::MAX_RESPONSE_LEN,
    flags: 0,
    trusted_responders: core::ptr::null(),
    trusted_responder_count: 0,
};

impl<'a> Settings<'a> {
    /// The defaults, with no trusted responder.
    pub(crate) const DEFAULT: Settings<'static> = Settings {
        options: &DEFAULT_OPTIONS,
        algorithms: ALGORITHMS,
        #[cfg(feature = "trusted-responders")]
        trusted: [&[]; OCSP_MAX_TRUSTED_RESPONDERS],
        #[cfg(feature = "trusted-responders")]
        trusted_count: 0,
    };

    /// Checks `options` (unknown flags are refused, what this build leaves out is
    /// `OCSP_RESULT_NOT_SUPPORTED`), with the trusted responders' bytes: the first
    /// `options.trusted_responder_count` of `trusted`.
    pub(crate) fn new(
        options: &'a OcspOptions,
        #[cfg(feature = "trusted-responders")] trusted: [&'a [u8]; OCSP_MAX_TRUSTED_RESPONDERS],
    ) -> Result<Self, OcspResult> {
        let trusted_count = options.trusted_responder_count;
        if trusted_count > OCSP_MAX_TRUSTED_RESPONDERS {
            return Err(OcspResult::InvalidArgument);
        }
        if trusted_count > 0 && cfg!(not(feature = "trusted-responders")) {
            return Err(OcspResult::NotSupported);
        }
        Ok(Self {
            options,
            algorithms: algorithms(options.flags)?,
            #[cfg(feature = "trusted-responders")]
            trusted,
            #[cfg(feature = "trusted-responders")]
            trusted_count,
        })
    }

    /// The verifier the settings describe.
    fn verifier(&self) -> Verifier<'static> {
        let options = self.options;
        let verifier = Verifier::new(self.algorithms)
            .with_clock_skew(Duration::from_secs(options.clock_skew))
            .with_max_age(Duration::from_secs(options.max_age))
            .with_max_age_without_next_update(Duration::from_secs(
                options.max_age_without_next_update,
            ))
            .with_max_lifetime(Duration::from_secs(options.max_lifetime))
            .with_max_response_len(options.max_response_len);
        if options.flags & OCSP_OPTION_DANGEROUS_MISSING_NONCE_ACCEPTED != 0 {
            verifier.dangerous_with_missing_nonce_accepted()
        } else {
            verifier
        }
    }
}

const KNOWN_OPTIONS: u32 =
    OCSP_OPTION_ALLOW_LEGACY_SHA1 | OCSP_OPTION_DANGEROUS_MISSING_NONCE_ACCEPTED;

/// The algorithms the flags ask for.
fn algorithms(
    flags: u32,
) -> Result<&'static [&'static dyn SignatureVerificationAlgorithm], OcspResult> {
    if flags & !KNOWN_OPTIONS != 0 {
        return Err(OcspResult::InvalidArgument);
    }
    if flags & OCSP_OPTION_ALLOW_LEGACY_SHA1 == 0 {
        return Ok(ALGORITHMS);
    }
    #[cfg(feature = "legacy-sha1")]
    return Ok(ALGORITHMS_WITH_LEGACY_SHA1);
    #[cfg(not(feature = "legacy-sha1"))]
    Err(OcspResult::NotSupported)
}

/// Why a verification did not give an answer: the call's arguments, or the Rust library's
/// refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Arguments the boundary refuses (flags, lengths).
    Call(OcspResult),
    /// The library's refusal of the response, the certificate or the issuer.
    Library(Error),
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Self::Library(error)
    }
}

/// The contents of a DER SEQUENCE that is all of `der` (its tag `0x30`, a definite minimal
/// length), as pki-types' `TrustAnchor` holds a name and a key.
fn sequence_contents(der: &[u8], at: Structure) -> Result<&[u8], Error> {
    let bad = Error::BadDer(at);
    let [0x30, first, rest @ ..] = der else {
        return Err(bad);
    };
    let (len, contents) = match *first {
        short @ 0..=0x7f => (usize::from(short), rest),
        0x81 => match rest {
            [len @ 0x80..=0xff, contents @ ..] => (usize::from(*len), contents),
            _ => return Err(bad),
        },
        0x82 => match rest {
            [high @ 0x01..=0xff, low, contents @ ..] => {
                (usize::from(u16::from_be_bytes([*high, *low])), contents)
            }
            _ => return Err(bad),
        },
        // Names and keys are far shorter than 64 KiB.
        _ => return Err(bad),
    };
    if contents.len() != len {
        return Err(if contents.len() > len {
            Error::TrailingData(at)
        } else {
            bad
        });
    }
    Ok(contents)
}

/// The DER header of a SEQUENCE whose contents are `len` bytes long (below 64 KiB), and its
/// length.
fn sequence_header(len: usize) -> Option<([u8; 4], usize)> {
    let [high, low] = u16::try_from(len).ok()?.to_be_bytes();
    Some(match len {
        0..=0x7f => ([0x30, low, 0, 0], 2),
        0x80..=0xff => ([0x30, 0x81, low, 0], 3),
        _ => ([0x30, 0x82, high, low], 4),
    })
}

/// `ocsp_trust_anchor_from_certificate`: the whole DER subject Name and SubjectPublicKeyInfo
/// of `certificate`, as sub-slices of it.
pub(crate) fn trust_anchor_of(certificate: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let cert = Certificate::from_der(certificate)?;
    let contents = Issuer::from(&cert).subject_public_key_info_contents();
    // The SubjectPublicKeyInfo's contents are a sub-slice of `certificate`, right after their
    // SEQUENCE header, which DER makes the one encoding of their length: find it just before
    // them, and check it is there.
    let bad = Error::BadDer(Structure::SubjectPublicKeyInfo);
    let offset = contents
        .as_ptr()
        .addr()
        .checked_sub(certificate.as_ptr().addr())
        .ok_or(bad)?;
    let (header, header_len) = sequence_header(contents.len()).ok_or(bad)?;
    let start = offset.checked_sub(header_len).ok_or(bad)?;
    let end = offset.checked_add(contents.len()).ok_or(bad)?;
    if certificate.get(start..offset) != header.get(..header_len) {
        return Err(bad);
    }
    let spki = certificate.get(start..end).ok_or(bad)?;
    Ok((cert.subject(), spki))
}

/// The issuer, made from either form: the one place both are turned into an [`Issuer`]. An
/// `Issuer` borrows the `TrustAnchor` it is made from, which `anchor` keeps.
fn issuer_of<'a>(
    input: IssuerInput<'a>,
    anchor: &'a mut Option<TrustAnchor<'a>>,
) -> Result<Issuer<'a>, Error> {
    match input {
        IssuerInput::Certificate(der) => issuer_of_certificate(der),
        IssuerInput::Anchor {
            subject,
            subject_public_key_info,
        } => {
            let anchor = anchor.insert(TrustAnchor {
                subject: Der::from_slice(sequence_contents(subject, Structure::TrustAnchor)?),
                subject_public_key_info: Der::from_slice(sequence_contents(
                    subject_public_key_info,
                    Structure::SubjectPublicKeyInfo,
                )?),
                name_constraints: None,
            });
            Issuer::from_trust_anchor(anchor)
        }
    }
}

/// The issuer of a DER certificate: its name and key, which borrow the bytes (not the
/// certificate's view, which need not outlive this function).
fn issuer_of_certificate(der: &[u8]) -> Result<Issuer<'_>, Error> {
    Ok(Issuer::from(&Certificate::from_der(der)?))
}

/// One verification, as `ocsp_verify` and `ocsp_decide` make it.
pub(crate) struct Verification<'a> {
    pub(crate) response: &'a [u8],
    pub(crate) issuer: IssuerInput<'a>,
    pub(crate) nonce: Option<&'a [u8]>,
    pub(crate) now: u64,
    pub(crate) settings: &'a Settings<'a>,
}

impl Verification<'_> {
    /// Verifies the response about `cert`.
    pub(crate) fn run(&self, cert: &Certificate<'_>) -> Result<Answer, Error> {
        let mut anchor = None;
        let issuer = issuer_of(self.issuer, &mut anchor)?;
        let verifier = self.settings.verifier();
        #[cfg(feature = "trusted-responders")]
        if let trusted @ [first, ..] = self
            .settings
            .trusted
            .get(..self.settings.trusted_count)
            .unwrap_or_default()
        {
            return self.verify_trusting(verifier, cert, &issuer, first, trusted);
        }
        // Without the feature, `Settings::new` refuses trusted responders.
        self.verify(&verifier, cert, &issuer)
    }

    fn verify(
        &self,
        verifier: &Verifier<'_>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
    ) -> Result<Answer, Error> {
        let now = UnixTime::since_unix_epoch(Duration::from_secs(self.now));
        let verified = verifier.verify(self.response, cert, issuer, self.nonce, now)?;
        Ok(verified.answer())
    }

    /// With trusted responders: they are parsed into an array on the stack (no heap), in a
    /// frame of its own so that calls without them do not pay for it.
    #[cfg(feature = "trusted-responders")]
    #[inline(never)]
    fn verify_trusting(
        &self,
        verifier: Verifier<'_>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        first: &[u8],
        trusted: &[&[u8]],
    ) -> Result<Answer, Error> {
        let first = Certificate::from_der(first)?;
        let mut parsed: [Certificate<'_>; OCSP_MAX_TRUSTED_RESPONDERS] =
            core::array::from_fn(|_| first.clone());
        for (slot, der) in parsed.iter_mut().zip(trusted).skip(1) {
            *slot = Certificate::from_der(der)?;
        }
        let parsed = parsed.get(..trusted.len()).unwrap_or_default();
        self.verify(&verifier.with_trusted_responders(parsed), cert, issuer)
    }
}

/// `ocsp_verify`.
pub(crate) fn verify(
    certificate: &[u8],
    verification: &Verification<'_>,
) -> Result<Answer, Refusal> {
    if verification.nonce.is_some_and(<[u8]>::is_empty) {
        return Err(Refusal::Call(OcspResult::InvalidNonceLength));
    }
    let cert = Certificate::from_der(certificate)?;
    Ok(verification.run(&cert)?)
}

/// What C sees of a verification: the result code, and the answer, or for a refusal about a
/// time, the limit that was missed.
pub(crate) fn outcome(verified: &Result<Answer, Refusal>) -> (OcspResult, OcspAnswer) {
    let (result, error_limit) = match verified {
        Ok(answer) => return (OcspResult::Ok, answer_of(answer)),
        Err(Refusal::Call(result)) => (*result, 0),
        Err(Refusal::Library(error)) => (OcspResult::of(error), error_limit(error)),
    };
    (
        result,
        OcspAnswer {
            error_limit,
            ..OcspAnswer::NONE
        },
    )
}

/// What C sees of a verified answer.
fn answer_of(answer: &Answer) -> OcspAnswer {
    let (status, revocation_time, revocation_reason) = match answer.status() {
        CertStatus::Good => (OcspCertStatus::Good, 0, OcspRevocationReason::NotGiven),
        CertStatus::Unknown => (OcspCertStatus::Unknown, 0, OcspRevocationReason::NotGiven),
        CertStatus::Revoked { time, reason } => (
            OcspCertStatus::Revoked,
            time.as_secs(),
            reason.map_or(OcspRevocationReason::NotGiven, reason_of),
        ),
    };
    OcspAnswer {
        status,
        revocation_reason,
        revocation_time,
        this_update: answer.this_update().as_secs(),
        next_update: answer.next_update().map_or(0, |time| time.as_secs()),
        produced_at: answer.produced_at().as_secs(),
        responder: match answer.responder() {
            ResponderAuthorization::Issuer => OcspResponder::Issuer,
            ResponderAuthorization::Delegated => OcspResponder::Delegated,
            ResponderAuthorization::Trusted => OcspResponder::Trusted,
            // A kind of responder this version does not know: still a verified answer.
            _ => OcspResponder::None,
        },
        has_next_update: answer.next_update().is_some(),
        error_limit: 0,
    }
}

fn reason_of(reason: RevocationReason) -> OcspRevocationReason {
    match reason {
        RevocationReason::Unspecified => OcspRevocationReason::Unspecified,
        RevocationReason::KeyCompromise => OcspRevocationReason::KeyCompromise,
        RevocationReason::CaCompromise => OcspRevocationReason::CaCompromise,
        RevocationReason::AffiliationChanged => OcspRevocationReason::AffiliationChanged,
        RevocationReason::Superseded => OcspRevocationReason::Superseded,
        RevocationReason::CessationOfOperation => OcspRevocationReason::CessationOfOperation,
        RevocationReason::CertificateHold => OcspRevocationReason::CertificateHold,
        RevocationReason::RemoveFromCrl => OcspRevocationReason::RemoveFromCrl,
        RevocationReason::PrivilegeWithdrawn => OcspRevocationReason::PrivilegeWithdrawn,
        RevocationReason::AaCompromise => OcspRevocationReason::AaCompromise,
    }
}

const KNOWN_POLICY: u32 = OCSP_POLICY_HARD_FAIL
    | OCSP_POLICY_NO_STAPLE_REJECTED
    | OCSP_POLICY_UNUSABLE_STAPLE_REJECTED
    | OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED
    | OCSP_POLICY_DANGEROUS_UNUSABLE_STAPLE_AS_ABSENT
    | OCSP_POLICY_DANGEROUS_UNKNOWN_ACCEPTED;

/// The Rust library's [`Policy`] for the `OCSP_POLICY_*` bits: the preset, then each override
/// in the order of the bits. Unknown bits, and an override with its opposite, are refused.
pub(crate) fn policy_of(bits: u32) -> Result<Policy, OcspResult> {
    let has = |bit: u32| bits & bit != 0;
    let contradicts = (has(OCSP_POLICY_NO_STAPLE_REJECTED)
        && has(OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED))
        || (has(OCSP_POLICY_UNUSABLE_STAPLE_REJECTED)
            && has(OCSP_POLICY_DANGEROUS_UNUSABLE_STAPLE_AS_ABSENT));
    if bits & !KNOWN_POLICY != 0 || contradicts {
        return Err(OcspResult::InvalidArgument);
    }
    let mut policy = if has(OCSP_POLICY_HARD_FAIL) {
        Policy::hard_fail()
    } else {
        Policy::soft_fail()
    };
    if has(OCSP_POLICY_NO_STAPLE_REJECTED) {
        policy = policy.with_no_staple_rejected();
    }
    if has(OCSP_POLICY_UNUSABLE_STAPLE_REJECTED) {
        policy = policy.with_unusable_staple_rejected();
    }
    if has(OCSP_POLICY_DANGEROUS_NO_STAPLE_ACCEPTED) {
        policy = policy.dangerous_with_no_staple_accepted();
    }
    if has(OCSP_POLICY_DANGEROUS_UNUSABLE_STAPLE_AS_ABSENT) {
        policy = policy.dangerous_with_unusable_staple_as_absent();
    }
    if has(OCSP_POLICY_DANGEROUS_UNKNOWN_ACCEPTED) {
        policy = policy.dangerous_with_unknown_accepted();
    }
    Ok(policy)
}

/// `ocsp_decide`: the decision the rustls adapter makes for a handshake. An empty staple is
/// no staple (rustls passes an empty response when the server stapled none); a certificate
/// that does not parse is an invalid staple for a certificate without TLS features (the
/// adapter fails closed the same way). Bad options are the call's error, staple or not.
pub(crate) fn decide(
    policy: &Policy,
    certificate: &[u8],
    verification: &Verification<'_>,
) -> Result<OcspDecision, OcspResult> {
    let (staple, tls_features) = match Certificate::from_der(certificate) {
        Err(error) => (Staple::Invalid(error), TlsFeatures::NoneRequired),
        Ok(cert) => {
            let staple = if verification.response.is_empty() {
                Staple::Absent
            } else {
                Staple::from(verification.run(&cert))
            };
            (staple, cert.tls_features())
        }
    };
    Ok(decision_of(&policy.decide(&staple, tls_features), &staple))
}

fn decision_of(decision: &Decision, staple: &Staple) -> OcspDecision {
    let situation = decision.situation();
    let answer = match staple {
        Staple::Verified(answer) => answer_of(answer),
        Staple::Invalid(error) => outcome(&Err(Refusal::Library(*error))).1,
        Staple::Absent => OcspAnswer::NONE,
    };
    OcspDecision {
        verdict: if decision.is_accepted() {
            OcspVerdict::Accept
        } else {
            OcspVerdict::Reject
        },
        situation: match situation {
            Situation::Good => OcspSituation::Good,
            Situation::Revoked { .. } => OcspSituation::Revoked,
            Situation::Unknown => OcspSituation::Unknown,
            Situation::NoStaple => OcspSituation::NoStaple,
            Situation::StapleUnusable(_) => OcspSituation::StapleUnusable,
            // Every other refusal is an invalid staple, as the policy's own classifier says.
            _ => OcspSituation::StapleInvalid,
        },
        staple_result: situation
            .error()
            .map_or(OcspResult::Ok, |error| OcspResult::of(&error)),
        tls_features: match decision.tls_features() {
            TlsFeatures::NoneRequired => OcspTlsFeatures::NoneRequired,
            TlsFeatures::StatusRequest => OcspTlsFeatures::StatusRequest,
            // What this version does not know is a requirement it cannot check.
            _ => OcspTlsFeatures::Unsupported,
        },
        rejected_for_tls_features: decision.rejected_for_tls_features(),
        answer,
    }
}

/// The hash algorithm for an `OCSP_HASH_ALGORITHM_*` value.
#[expect(
    clippy::as_conversions,
    reason = "the discriminants of a repr(u32) enum"
)]
pub(crate) fn hash_algorithm_of(value: u32) -> Result<HashAlgorithm, OcspResult> {
    const SHA1: u32 = OcspHashAlgorithm::Sha1 as u32;
    const SHA256: u32 = OcspHashAlgorithm::Sha256 as u32;
    const SHA384: u32 = OcspHashAlgorithm::Sha384 as u32;
    const SHA512: u32 = OcspHashAlgorithm::Sha512 as u32;
    match value {
        SHA1 => Ok(HashAlgorithm::Sha1),
        SHA256 => Ok(HashAlgorithm::Sha256),
        SHA384 => Ok(HashAlgorithm::Sha384),
        SHA512 => Ok(HashAlgorithm::Sha512),
        _ => Err(OcspResult::InvalidArgument),
    }
}

/// `ocsp_request_encode`: the request's length, written into `out` when it fits.
pub(crate) fn encode_request(
    certificate: &[u8],
    issuer: IssuerInput<'_>,
    hash_algorithm: HashAlgorithm,
    nonce: Option<&[u8]>,
    out: &mut [u8],
) -> Result<usize, Refusal> {
    let cert = Certificate::from_der(certificate)?;
    let mut anchor = None;
    let issuer = issuer_of(issuer, &mut anchor)?;
    Ok(RequestBuilder::new(&cert, &issuer)
        .with_hash_algorithm(hash_algorithm)
        .encode(nonce, out)?)
}

/// `ocsp_request_get_url`: the URL and a NUL into `out`; the URL's length. When `out` is too
/// small, [`Error::BufferTooSmall`] says the size `out` needs (the URL and its NUL).
pub(crate) fn get_url(
    responder_url: &[u8],
    request: &[u8],
    out: &mut [u8],
) -> Result<usize, Refusal> {
    let invalid = Refusal::Call(OcspResult::InvalidArgument);
    let url = core::str::from_utf8(responder_url).map_err(|_| invalid)?;
    let needed = get_url_len(url, request)
        .and_then(|len| len.checked_add(1))
        .ok_or(invalid)?;
    let Some((nul, url_out)) = out.get_mut(..needed).and_then(<[u8]>::split_last_mut) else {
        return Err(Error::BufferTooSmall { needed }.into());
    };
    let written = write_get_url(url, request, url_out)?;
    *nul = 0;
    Ok(written)
}
