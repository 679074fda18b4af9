//! A borrowed view of an X.509 certificate with only what OCSP needs.

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::der::{Der, FromTlv, SequenceOf, Tlv, algorithm_identifier, context, name, single, tag};
use crate::error::{Error, Structure};
use crate::extension::{Extension, Extensions, extensions};
use crate::oid;
use crate::signed::{SignedData, SubjectPublicKeyInfo};
use crate::time::{generalized_time, utc_time};

/// A parsed X.509 certificate (RFC 5280 section 4.1), borrowed from its DER encoding.
///
/// ```text
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
///
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      validity             Validity,
///      subject              Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo,
///      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
///      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
///      extensions      [3]  EXPLICIT Extensions OPTIONAL }
/// ```
///
/// Everything is checked when the view is built; the accessors cannot fail. The view does not
/// judge whether the certificate is trustworthy: that is the caller's path validation.
#[derive(Clone, Debug)]
pub struct Certificate<'a> {
    der: &'a [u8],
    signed: SignedData<'a>,
    serial: &'a [u8],
    issuer: Tlv<'a>,
    subject: Tlv<'a>,
    spki: SubjectPublicKeyInfo<'a>,
    spki_contents: &'a [u8],
    not_before: UnixTime,
    not_after: UnixTime,
    extensions: Extensions<'a>,
    facts: ExtensionFacts<'a>,
}

/// What the crate learnt from a certificate's extensions.
#[derive(Clone, Copy, Debug, Default)]
struct ExtensionFacts<'a> {
    /// The contents of the extendedKeyUsage SEQUENCE, when present.
    extended_key_usage: Option<&'a [u8]>,
    ocsp_signing: bool,
    any_extended_key_usage: bool,
    /// `Some(cA)` when basicConstraints is present.
    ca: Option<bool>,
    ocsp_nocheck: bool,
    /// The TLS feature extension lists status_request (5).
    must_staple: bool,
    /// The TLS feature extension lists a feature other than status_request.
    unsupported_tls_feature: bool,
    /// The contents of the authorityInfoAccess SEQUENCE, when present.
    authority_info_access: Option<&'a [u8]>,
    unknown_critical_extension: bool,
}

impl<'a> Certificate<'a> {
    /// Parses a certificate from its DER encoding, with no bytes after it.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let tlv = single(der, tag::SEQUENCE, Structure::Certificate)?;
        Self::parse(tlv)
    }

    fn parse(tlv: Tlv<'a>) -> Result<Self, Error> {
        let mut outer = Der::new(tlv.value, Structure::Certificate);
        if tlv.tag != tag::SEQUENCE {
            return Err(outer.bad());
        }
        let tbs = outer.read_tlv(tag::SEQUENCE)?;
        let signature_algorithm = algorithm_identifier(&mut outer)?;
        let signature = outer.bit_string_octets()?;
        outer.finish()?;

        let at = Structure::TbsCertificate;
        let mut der = Der::new(tbs.value, at);
        let version = match der.optional(context(0, true))? {
            Some(explicit) => {
                let mut inner = Der::new(explicit, at);
                let version = inner.small_unsigned(tag::INTEGER)?;
                inner.finish()?;
                version
            }
            None => 0,
        };
        if version > 2 {
            return Err(Error::BadDer(at));
        }
        let serial = der.integer_bytes_lax()?;
        // RFC 5280 section 4.1.1.2: "This field MUST contain the same algorithm identifier as
        // the signature field in the sequence tbsCertificate."
        if algorithm_identifier(&mut der)? != signature_algorithm {
            return Err(Error::BadDer(Structure::Certificate));
        }
        let issuer = name(&mut der, at)?;
        let (not_before, not_after) = der.nested(tag::SEQUENCE, Structure::Validity, |v| {
            Ok((time(v)?, time(v)?))
        })?;
        let subject = name(&mut der, at)?;
        let spki_tlv = der.any()?;
        let spki = SubjectPublicKeyInfo::from_tlv(spki_tlv)?;
        der.optional(context(1, false))?;
        der.optional(context(2, false))?;
        let (extensions, facts) = match der.optional(context(3, true))? {
            Some(_) if version != 2 => return Err(Error::BadDer(at)),
            Some(explicit) => {
                let mut facts = ExtensionFacts::default();
                let mut seen = 0;
                let list = extensions(explicit, Structure::CertificateExtensions, |extension| {
                    facts.learn(extension, &mut seen)
                })?;
                (list, facts)
            }
            None => (Extensions::empty(), ExtensionFacts::default()),
        };
        der.finish()?;

        Ok(Self {
            der: tlv.raw,
            signed: SignedData {
                data: tbs.raw,
                algorithm: signature_algorithm,
                signature,
            },
            serial,
            issuer,
            subject,
            spki,
            spki_contents: spki_tlv.value,
            not_before,
            not_after,
            extensions,
            facts,
        })
    }

    /// The whole DER encoding.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The signed part: the exact `tbsCertificate` bytes, the signature algorithm and value.
    pub fn signed_data(&self) -> &SignedData<'a> {
        &self.signed
    }

    /// The content bytes of `serialNumber`, exactly as encoded (serials are compared as raw
    /// bytes, so a serial that is not minimally encoded is kept as it is).
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }

    /// The whole DER encoding of the issuer `Name`: what a `CertID`'s issuerNameHash hashes.
    pub fn issuer(&self) -> &'a [u8] {
        self.issuer.raw
    }

    /// The whole DER encoding of the subject `Name`.
    pub fn subject(&self) -> &'a [u8] {
        self.subject.raw
    }

    /// The contents of the issuer `Name` (without its SEQUENCE header), comparable with
    /// [`crate::Issuer::name`].
    pub(crate) fn issuer_contents(&self) -> &'a [u8] {
        self.issuer.value
    }

    /// The contents of the subject `Name` (without its SEQUENCE header).
    pub(crate) fn subject_contents(&self) -> &'a [u8] {
        self.subject.value
    }

    /// The subject's public key.
    pub fn subject_public_key_info(&self) -> &SubjectPublicKeyInfo<'a> {
        &self.spki
    }

    /// The contents of the `SubjectPublicKeyInfo` SEQUENCE (without its header).
    pub(crate) fn subject_public_key_info_contents(&self) -> &'a [u8] {
        self.spki_contents
    }

    /// `notBefore`.
    pub fn not_before(&self) -> UnixTime {
        self.not_before
    }

    /// `notAfter`.
    pub fn not_after(&self) -> UnixTime {
        self.not_after
    }

    /// Whether `now` is within `notBefore..=notAfter`.
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// All extensions, in order.
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = Result<Extension<'a>, Error>> + Clone + use<'a> {
        self.extensions.clone()
    }

    /// Whether an extendedKeyUsage extension is present.
    pub fn has_extended_key_usage(&self) -> bool {
        self.facts.extended_key_usage.is_some()
    }

    /// Whether the extendedKeyUsage extension lists id-kp-OCSPSigning itself.
    pub fn has_ocsp_signing(&self) -> bool {
        self.facts.ocsp_signing
    }

    /// Whether the extendedKeyUsage extension lists anyExtendedKeyUsage (which RFC 6960 does
    /// not accept in place of id-kp-OCSPSigning).
    pub fn has_any_extended_key_usage(&self) -> bool {
        self.facts.any_extended_key_usage
    }

    /// The `cA` flag of basicConstraints, or `None` when the extension is absent.
    pub fn basic_constraints_ca(&self) -> Option<bool> {
        self.facts.ca
    }

    /// Whether the certificate is a CA certificate (basicConstraints with cA TRUE).
    pub fn is_ca(&self) -> bool {
        self.facts.ca == Some(true)
    }

    /// Whether id-pkix-ocsp-nocheck is present (RFC 6960 section 4.2.2.2.1).
    pub fn has_ocsp_nocheck(&self) -> bool {
        self.facts.ocsp_nocheck
    }

    /// Whether the TLS feature extension lists `status_request` (RFC 7633, "must-staple").
    pub fn is_must_staple(&self) -> bool {
        self.facts.must_staple
    }

    /// What the TLS feature extension (RFC 7633) requires of a TLS connection with this
    /// certificate: the input a [`crate::Policy`] decides with.
    pub fn tls_features(&self) -> TlsFeatures {
        if self.facts.unsupported_tls_feature {
            TlsFeatures::Unsupported
        } else if self.facts.must_staple {
            TlsFeatures::StatusRequest
        } else {
            TlsFeatures::NoneRequired
        }
    }

    /// The id-ad-ocsp URLs of the authorityInfoAccess extension, in order.
    pub fn ocsp_urls(&self) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
        let list: SequenceOf<'a, AccessDescription<'a>> = SequenceOf::unchecked(
            self.facts.authority_info_access.unwrap_or(&[]),
            Structure::AuthorityInfoAccess,
        );
        // The list was validated when the certificate was parsed; an error cannot occur here,
        // and if it did, ending the iteration is the safe answer.
        list.map_while(Result::ok)
            .filter_map(|description| description.ocsp_url)
    }

    /// Whether a critical extension the crate does not understand is present.
    pub fn has_unknown_critical_extension(&self) -> bool {
        self.facts.unknown_critical_extension
    }
}

/// What a certificate's TLS feature extension (RFC 7633) requires of a TLS connection.
///
/// ```text
/// Features ::= SEQUENCE OF INTEGER
/// ```
///
/// RFC 7633 section 4.2.2: "a TLS client ... MUST treat a certificate with a TLS feature
/// extension as an invalid certificate if the features offered by the TLS server do not
/// contain all features present in both the client's ClientHello message and the TLS Feature
/// extension." The one feature an OCSP client can check is `status_request` (5), must-staple.
/// Any other (for example 17, `status_request_v2`, which rustls does not offer) cannot be
/// checked, so the [`crate::Policy`] fails closed on it, as mozilla::pkix does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsFeatures {
    /// No TLS feature extension, or an empty one: nothing is required.
    NoneRequired,
    /// Only `status_request` (5): must-staple. A good, fresh staple is required.
    StatusRequest,
    /// A feature other than `status_request`: a requirement this crate cannot check.
    Unsupported,
}

impl TlsFeatures {
    /// `none_required`, `status_request` or `unsupported`: stable names for logs and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoneRequired => "none_required",
            Self::StatusRequest => "status_request",
            Self::Unsupported => "unsupported",
        }
    }
}

impl<'a> TryFrom<&'a CertificateDer<'_>> for Certificate<'a> {
    type Error = Error;

    fn try_from(der: &'a CertificateDer<'_>) -> Result<Self, Error> {
        Self::from_der(der.as_ref())
    }
}

impl<'a> FromTlv<'a> for Certificate<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        Self::parse(tlv)
    }
}

/// A `Time` of a certificate's `Validity`: UTCTime or GeneralizedTime.
fn time(der: &mut Der<'_>) -> Result<UnixTime, Error> {
    let tlv = der.any()?;
    match tlv.tag {
        tag::UTC_TIME => utc_time(tlv.value, Structure::Validity),
        tag::GENERALIZED_TIME => generalized_time(tlv.value, Structure::Validity),
        _ => Err(Error::BadDer(Structure::Validity)),
    }
}

impl<'a> ExtensionFacts<'a> {
    /// Learns from one extension. `seen` has one bit per known extension, to refuse duplicates
    /// (RFC 5280 section 4.2: "A certificate MUST NOT include more than one instance of a
    /// particular extension").
    fn learn(&mut self, extension: &Extension<'a>, seen: &mut u16) -> Result<(), Error> {
        let Some(kind) = Known::of(extension.id()) else {
            self.unknown_critical_extension |= extension.is_critical();
            return Ok(());
        };
        let bit = 1u16 << kind.bit();
        if *seen & bit != 0 {
            return Err(Error::DuplicateExtension(Structure::CertificateExtensions));
        }
        *seen |= bit;
        self.apply(kind, extension.value())
    }

    fn apply(&mut self, kind: Known, value: &'a [u8]) -> Result<(), Error> {
        match kind {
            Known::ExtendedKeyUsage => {
                // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
                let at = Structure::ExtendedKeyUsage;
                let contents = single(value, tag::SEQUENCE, at)?.value;
                let mut der = Der::new(contents, at);
                if der.is_empty() {
                    return Err(Error::BadDer(at));
                }
                while !der.is_empty() {
                    let purpose = der.oid()?;
                    self.ocsp_signing |= purpose == oid::KP_OCSP_SIGNING.as_bytes();
                    self.any_extended_key_usage |=
                        purpose == oid::ANY_EXTENDED_KEY_USAGE.as_bytes();
                }
                self.extended_key_usage = Some(contents);
            }
            Known::BasicConstraints => {
                // BasicConstraints ::= SEQUENCE {
                //      cA                      BOOLEAN DEFAULT FALSE,
                //      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
                let at = Structure::BasicConstraints;
                let contents = single(value, tag::SEQUENCE, at)?.value;
                let mut der = Der::new(contents, at);
                let ca = match der.peek_tag() {
                    Some(tag::BOOLEAN) => der.boolean()?,
                    _ => false,
                };
                if !der.is_empty() {
                    der.read(tag::INTEGER)?;
                }
                der.finish()?;
                self.ca = Some(ca);
            }
            Known::OcspNocheck => {
                // RFC 6960 section 4.2.2.2.1: "the value of the extension SHALL be NULL".
                let at = Structure::CertificateExtensions;
                if !single(value, tag::NULL, at)?.value.is_empty() {
                    return Err(Error::BadDer(at));
                }
                self.ocsp_nocheck = true;
            }
            Known::TlsFeature => {
                // Features ::= SEQUENCE OF INTEGER; status_request is 5 (RFC 7633 section 6).
                let at = Structure::TlsFeature;
                let contents = single(value, tag::SEQUENCE, at)?.value;
                let mut der = Der::new(contents, at);
                while !der.is_empty() {
                    let feature = der.read(tag::INTEGER)?;
                    if feature.is_empty() {
                        return Err(Error::BadDer(at));
                    }
                    if feature == [5] {
                        self.must_staple = true;
                    } else {
                        self.unsupported_tls_feature = true;
                    }
                }
            }
            Known::AuthorityInfoAccess => {
                // AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
                let at = Structure::AuthorityInfoAccess;
                let contents = single(value, tag::SEQUENCE, at)?.value;
                let (_, count) = SequenceOf::<AccessDescription<'a>>::validate(contents, at)?;
                if count == 0 {
                    return Err(Error::BadDer(at));
                }
                self.authority_info_access = Some(contents);
            }
            // Understood, and without bearing on OCSP: their contents are not read.
            Known::KeyUsage
            | Known::SubjectAltName
            | Known::SubjectKeyIdentifier
            | Known::AuthorityKeyIdentifier
            | Known::CrlDistributionPoints
            | Known::CertificatePolicies => {}
        }
        Ok(())
    }
}

/// The extensions this crate understands: it either uses them or knows they do not bear on
/// OCSP (so that, critical, they do not make a responder certificate unusable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    ExtendedKeyUsage,
    BasicConstraints,
    OcspNocheck,
    TlsFeature,
    AuthorityInfoAccess,
    KeyUsage,
    SubjectAltName,
    SubjectKeyIdentifier,
    AuthorityKeyIdentifier,
    CrlDistributionPoints,
    CertificatePolicies,
}

impl Known {
    fn of(id: &[u8]) -> Option<Self> {
        Some(match id {
            // id-ce (2.5.29) arcs: one byte each.
            [0x55, 0x1D, arc] => match arc {
                14 => Self::SubjectKeyIdentifier,
                15 => Self::KeyUsage,
                17 => Self::SubjectAltName,
                19 => Self::BasicConstraints,
                31 => Self::CrlDistributionPoints,
                32 => Self::CertificatePolicies,
                35 => Self::AuthorityKeyIdentifier,
                37 => Self::ExtendedKeyUsage,
                _ => return None,
            },
            _ if id == oid::AUTHORITY_INFO_ACCESS.as_bytes() => Self::AuthorityInfoAccess,
            _ if id == oid::OCSP_NOCHECK.as_bytes() => Self::OcspNocheck,
            _ if id == oid::TLS_FEATURE.as_bytes() => Self::TlsFeature,
            _ => return None,
        })
    }

    /// A distinct bit number per extension, for duplicate detection.
    fn bit(self) -> u16 {
        match self {
            Self::ExtendedKeyUsage => 0,
            Self::BasicConstraints => 1,
            Self::OcspNocheck => 2,
            Self::TlsFeature => 3,
            Self::AuthorityInfoAccess => 4,
            Self::KeyUsage => 5,
            Self::SubjectAltName => 6,
            Self::SubjectKeyIdentifier => 7,
            Self::AuthorityKeyIdentifier => 8,
            Self::CrlDistributionPoints => 9,
            Self::CertificatePolicies => 10,
        }
    }
}

/// One `AccessDescription` of an authorityInfoAccess extension.
///
/// ```text
/// AccessDescription  ::=  SEQUENCE {
///         accessMethod          OBJECT IDENTIFIER,
///         accessLocation        GeneralName  }
/// ```
#[derive(Clone, Copy, Debug)]
struct AccessDescription<'a> {
    /// The URL, when this is an id-ad-ocsp description with a uniformResourceIdentifier.
    ocsp_url: Option<&'a str>,
}

impl<'a> FromTlv<'a> for AccessDescription<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        let mut der = Der::new(tlv.value, Structure::AuthorityInfoAccess);
        if tlv.tag != tag::SEQUENCE {
            return Err(der.bad());
        }
        let method = der.oid()?;
        let location = der.any()?;
        der.finish()?;
        // uniformResourceIdentifier [6] IA5String
        let ocsp_url = if method == oid::AD_OCSP.as_bytes() && location.tag == context(6, false) {
            if !location.value.is_ascii() {
                return Err(Error::BadDer(Structure::AuthorityInfoAccess));
            }
            core::str::from_utf8(location.value).ok()
        } else {
            None
        };
        Ok(Self { ocsp_url })
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn known_extensions_are_recognised_by_their_oids() {
        for (id, kind) in [
            (oid::SUBJECT_KEY_IDENTIFIER, Known::SubjectKeyIdentifier),
            (oid::KEY_USAGE, Known::KeyUsage),
            (oid::SUBJECT_ALT_NAME, Known::SubjectAltName),
            (oid::BASIC_CONSTRAINTS, Known::BasicConstraints),
            (oid::CRL_DISTRIBUTION_POINTS, Known::CrlDistributionPoints),
            (oid::CERTIFICATE_POLICIES, Known::CertificatePolicies),
            (oid::AUTHORITY_KEY_IDENTIFIER, Known::AuthorityKeyIdentifier),
            (oid::EXTENDED_KEY_USAGE, Known::ExtendedKeyUsage),
            (oid::AUTHORITY_INFO_ACCESS, Known::AuthorityInfoAccess),
            (oid::OCSP_NOCHECK, Known::OcspNocheck),
            (oid::TLS_FEATURE, Known::TlsFeature),
        ] {
            assert_eq!(Known::of(id.as_bytes()), Some(kind), "{id}");
        }
        // Other id-ce arcs (nameConstraints 30, policyConstraints 36) and other OIDs are not.
        assert_eq!(Known::of(&[0x55, 0x1D, 30]), None);
        assert_eq!(Known::of(&[0x55, 0x1D, 36]), None);
        assert_eq!(Known::of(oid::OCSP_NONCE.as_bytes()), None);
        let bits: std::collections::BTreeSet<_> = [
            Known::ExtendedKeyUsage,
            Known::BasicConstraints,
            Known::OcspNocheck,
            Known::TlsFeature,
            Known::AuthorityInfoAccess,
            Known::KeyUsage,
            Known::SubjectAltName,
            Known::SubjectKeyIdentifier,
            Known::AuthorityKeyIdentifier,
            Known::CrlDistributionPoints,
            Known::CertificatePolicies,
        ]
        .into_iter()
        .map(Known::bit)
        .collect();
        assert_eq!(bits.len(), 11);
    }

    use crate::test_der::{CertificateParts, extended_key_usage, extension, seq, tlv};

    const TBS: Structure = Structure::TbsCertificate;
    const UNKNOWN: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("1.2.3.4");

    fn parse(parts: &CertificateParts) -> Result<(), Error> {
        Certificate::from_der(&parts.encode()).map(|_| ())
    }

    fn with_extensions(list: &[&[u8]]) -> CertificateParts {
        CertificateParts {
            extensions: Some(list.iter().map(|e| e.to_vec()).collect()),
            ..CertificateParts::default()
        }
    }

    /// An extendedKeyUsage extension listing id-kp-OCSPSigning.
    fn ocsp_signing() -> std::vec::Vec<u8> {
        let purposes = extended_key_usage(&[&oid::KP_OCSP_SIGNING]);
        extension(&oid::EXTENDED_KEY_USAGE, false, &purposes)
    }

    #[test]
    fn only_a_v3_certificate_carries_extensions() {
        // RFC 5280 section 4.1.2.9: "This field MUST only appear if the version is 3".
        let eku = ocsp_signing();
        for (version, extensions, expected) in [
            (None, false, Ok(())),
            (Some(0), false, Ok(())),
            (Some(1), false, Ok(())),
            (Some(2), false, Ok(())),
            (Some(2), true, Ok(())),
            (None, true, Err(Error::BadDer(TBS))),
            (Some(0), true, Err(Error::BadDer(TBS))),
            (Some(1), true, Err(Error::BadDer(TBS))),
            (Some(3), false, Err(Error::BadDer(TBS))),
        ] {
            let parts = CertificateParts {
                version,
                extensions: extensions.then(|| std::vec![eku.clone()]),
                ..CertificateParts::default()
            };
            assert_eq!(
                parse(&parts),
                expected,
                "version {version:?}, extensions {extensions}"
            );
        }
    }

    #[test]
    fn validity_is_utc_time_or_generalized_time() {
        // RFC 5280 section 4.1.2.5: dates in 2050 or later are GeneralizedTime.
        let parts = CertificateParts {
            validity: [
                tlv(tag::UTC_TIME, b"491231235959Z"),
                tlv(tag::GENERALIZED_TIME, b"20500101000000Z"),
            ],
            ..CertificateParts::default()
        };
        let der = parts.encode();
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.not_before().as_secs(), 2_524_607_999);
        assert_eq!(cert.not_after().as_secs(), 2_524_608_000);
        // Any other type is malformed; a malformed time is an invalid one.
        for (not_after, expected) in [
            (tlv(tag::INTEGER, &[1]), Error::BadDer(Structure::Validity)),
            (
                tlv(tag::GENERALIZED_TIME, b"2050010100000Z"),
                Error::InvalidTime(Structure::Validity),
            ),
            (
                tlv(tag::UTC_TIME, b"5001010000Z"),
                Error::InvalidTime(Structure::Validity),
            ),
        ] {
            let parts = CertificateParts {
                validity: [tlv(tag::UTC_TIME, b"260101000000Z"), not_after],
                ..CertificateParts::default()
            };
            assert_eq!(parse(&parts), Err(expected));
        }
    }

    #[test]
    fn is_valid_at_includes_both_ends_of_the_window() {
        let der = CertificateParts::default().encode();
        let cert = Certificate::from_der(&der).unwrap();
        let (not_before, not_after) = (1_767_225_600, 1_798_761_599); // 2026-01-01, 2026-12-31T23:59:59Z
        assert_eq!(cert.not_before().as_secs(), not_before);
        assert_eq!(cert.not_after().as_secs(), not_after);
        let at = |secs| UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs));
        for (secs, valid) in [
            (not_before - 1, false),
            (not_before, true),
            (not_before + 1, true),
            (not_after - 1, true),
            (not_after, true),
            (not_after + 1, false),
        ] {
            assert_eq!(cert.is_valid_at(at(secs)), valid, "{secs}");
        }
    }

    #[test]
    fn a_known_extension_may_appear_once() {
        let eku = ocsp_signing();
        let leaf = extension(&oid::BASIC_CONSTRAINTS, true, &seq(&[]));
        let nocheck = extension(&oid::OCSP_NOCHECK, false, &[0x05, 0x00]);
        let key_usage = extension(&oid::KEY_USAGE, true, &[0x03, 0x02, 0x07, 0x80]);
        let policies = extension(&oid::CERTIFICATE_POLICIES, false, &seq(&[]));
        let duplicate = Err(Error::DuplicateExtension(Structure::CertificateExtensions));
        // Every known extension once, together: no duplicate.
        let all = [&eku[..], &leaf, &nocheck, &key_usage, &policies];
        let der = with_extensions(&all).encode();
        let cert = Certificate::from_der(&der).unwrap();
        assert!(cert.has_ocsp_signing() && cert.has_ocsp_nocheck());
        assert_eq!(cert.basic_constraints_ca(), Some(false));
        assert_eq!(cert.extensions().count(), 5);
        // Any of them twice, next to each other or apart: refused.
        for (index, twice) in all.iter().enumerate() {
            assert_eq!(
                parse(&with_extensions(&[twice, twice])),
                duplicate,
                "{index}"
            );
            let mut apart = all.to_vec();
            apart.push(twice);
            assert_eq!(parse(&with_extensions(&apart)), duplicate, "{index}");
        }
        // Unknown extensions are not counted: the same unknown OID twice passes.
        let unknown = extension(&UNKNOWN, false, &[0x05, 0x00]);
        assert_eq!(parse(&with_extensions(&[&unknown, &unknown])), Ok(()));
    }

    #[test]
    fn every_unknown_critical_extension_counts() {
        let critical = extension(&UNKNOWN, true, &[0x05, 0x00]);
        let plain = extension(&UNKNOWN, false, &[0x05, 0x00]);
        for (list, expected) in [
            (&[&plain[..]][..], false),
            (&[&critical[..]], true),
            (&[&critical[..], &critical], true),
            (&[&critical[..], &plain], true),
            (&[&plain[..], &critical], true),
        ] {
            let der = with_extensions(list).encode();
            let cert = Certificate::from_der(&der).unwrap();
            assert_eq!(
                cert.has_unknown_critical_extension(),
                expected,
                "{}",
                list.len()
            );
        }
    }

    #[test]
    fn only_ocsp_uris_are_ocsp_urls() {
        let ca_issuers = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
        let uri = |url: &str| tlv(context(6, false), url.as_bytes());
        let dns_name = tlv(context(2, false), b"ocsp.example");
        let aia = seq(&[
            &seq(&[
                &crate::test_der::oid(&ca_issuers),
                &uri("http://ca.example/ca.der"),
            ]),
            &seq(&[&crate::test_der::oid(&oid::AD_OCSP), &dns_name]),
            &seq(&[
                &crate::test_der::oid(&oid::AD_OCSP),
                &uri("http://ocsp.example"),
            ]),
            &seq(&[
                &crate::test_der::oid(&oid::AD_OCSP),
                &uri("ldap://ocsp.example"),
            ]),
        ]);
        let der = with_extensions(&[&extension(&oid::AUTHORITY_INFO_ACCESS, false, &aia)]).encode();
        let cert = Certificate::from_der(&der).unwrap();
        let urls: std::vec::Vec<_> = cert.ocsp_urls().collect();
        assert_eq!(urls, ["http://ocsp.example", "ldap://ocsp.example"]);
    }

    #[test]
    fn extended_key_usage_is_read_whole() {
        let read = |purposes: &[&const_oid::ObjectIdentifier]| {
            let eku = extension(
                &oid::EXTENDED_KEY_USAGE,
                false,
                &extended_key_usage(purposes),
            );
            let der = with_extensions(&[&eku]).encode();
            Certificate::from_der(&der).map(|cert| {
                (
                    cert.has_extended_key_usage(),
                    cert.has_ocsp_signing(),
                    cert.has_any_extended_key_usage(),
                )
            })
        };
        let server_auth = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
        let (ocsp, any) = (&oid::KP_OCSP_SIGNING, &oid::ANY_EXTENDED_KEY_USAGE);
        assert_eq!(read(&[ocsp]), Ok((true, true, false)));
        assert_eq!(read(&[ocsp, ocsp]), Ok((true, true, false)));
        assert_eq!(read(&[&server_auth, ocsp]), Ok((true, true, false)));
        assert_eq!(read(&[ocsp, &server_auth]), Ok((true, true, false)));
        assert_eq!(read(&[any]), Ok((true, false, true)));
        assert_eq!(read(&[any, any, &server_auth]), Ok((true, false, true)));
        assert_eq!(read(&[&server_auth]), Ok((true, false, false)));
        // SIZE (1..MAX).
        assert_eq!(read(&[]), Err(Error::BadDer(Structure::ExtendedKeyUsage)));
        let der = CertificateParts::default().encode();
        let cert = Certificate::from_der(&der).unwrap();
        assert!(!cert.has_extended_key_usage() && !cert.has_ocsp_signing());
    }
}
