//! Borrowed views of an OCSP response (RFC 6960 section 4.2).
//!
//! Every view is built by one pass over the input that checks all of it; afterwards the
//! accessors only slice and cannot fail, and the lazy lists only revisit bytes already checked.

use rustls_pki_types::UnixTime;

use crate::cert::Certificate;
use crate::der::{Der, FromTlv, SequenceOf, Tlv, algorithm_identifier, context, name, single, tag};
use crate::error::{Error, ResponseStatus, Structure};
use crate::extension::{Extension, Extensions, extensions};
use crate::hash::HashAlgorithm;
use crate::oid;
use crate::signed::SignedData;
use crate::time::read_generalized_time;

/// The largest encoded `OCSPResponse` accepted, in bytes.
///
/// Real responses are a few hundred bytes to a few KiB; a stapled response must fit in a TLS
/// handshake message (at most 16 MiB, in practice far less). The cap bounds the work any input
/// can cause.
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;

/// The most certificates a `BasicOCSPResponse` may embed in `certs`.
///
/// A response needs at most the delegated responder's certificate and perhaps its issuer; the
/// cap bounds the number of signature checks a response can cause.
pub const MAX_CERTIFICATES: usize = 8;

/// A parsed `OCSPResponse`.
///
/// ```text
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
///
/// ResponseBytes ::=       SEQUENCE {
///    responseType   OBJECT IDENTIFIER,
///    response       OCTET STRING }
/// ```
/// (RFC 6960 section 4.2.1.)
#[derive(Clone, Debug)]
pub struct OcspResponse<'a> {
    status: ResponseStatus,
    basic: Option<BasicResponse<'a>>,
}

impl<'a> OcspResponse<'a> {
    /// Parses an `OCSPResponse` with no bytes after it.
    ///
    /// A non-successful `responseStatus` parses (see [`OcspResponse::status`]); a status RFC 6960
    /// does not define is [`Error::UnknownResponseStatus`], and `successful` without
    /// `responseBytes` is [`Error::MissingResponseBytes`].
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        Self::from_der_with_max_len(der, MAX_RESPONSE_LEN)
    }

    /// Like [`OcspResponse::from_der`] with another size cap than [`MAX_RESPONSE_LEN`].
    ///
    /// The work a response causes is linear in its size; raise the cap only for responders
    /// known to answer with thousands of `SingleResponse`s.
    pub fn from_der_with_max_len(der: &'a [u8], max_len: usize) -> Result<Self, Error> {
        if der.len() > max_len {
            return Err(Error::ResponseTooLarge);
        }
        let at = Structure::OcspResponse;
        let contents = single(der, tag::SEQUENCE, at)?.value;
        let mut der = Der::new(contents, at);
        let status = ResponseStatus::from_code(der.small_unsigned(tag::ENUMERATED)?)?;
        let response_bytes = der.optional(context(0, true))?;
        der.finish()?;

        let basic = match (status, response_bytes) {
            (ResponseStatus::Successful, None) => return Err(Error::MissingResponseBytes),
            (ResponseStatus::Successful, Some(explicit)) => {
                Some(BasicResponse::from_response_bytes(explicit)?)
            }
            // "If the value of responseStatus is one of the error conditions, the
            // responseBytes field is not set."
            (_, Some(_)) => return Err(Error::BadDer(at)),
            (_, None) => None,
        };
        Ok(Self { status, basic })
    }

    /// The `responseStatus`.
    pub fn status(&self) -> ResponseStatus {
        self.status
    }

    /// The `BasicOCSPResponse` of a successful response, or
    /// [`Error::UnsuccessfulResponse`] with the status the responder answered.
    pub fn basic(&self) -> Result<&BasicResponse<'a>, Error> {
        self.basic
            .as_ref()
            .ok_or(Error::UnsuccessfulResponse(self.status))
    }

    /// Like [`OcspResponse::basic`], by value.
    pub fn into_basic(self) -> Result<BasicResponse<'a>, Error> {
        self.basic.ok_or(Error::UnsuccessfulResponse(self.status))
    }
}

/// A parsed `BasicOCSPResponse`.
///
/// ```text
/// BasicOCSPResponse       ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
/// (RFC 6960 section 4.2.1.)
#[derive(Clone, Debug)]
pub struct BasicResponse<'a> {
    data: ResponseData<'a>,
    signed: SignedData<'a>,
    certs: SequenceOf<'a, Certificate<'a>>,
    cert_count: usize,
}

impl<'a> BasicResponse<'a> {
    /// Parses the `[0] EXPLICIT ResponseBytes` contents.
    fn from_response_bytes(explicit: &'a [u8]) -> Result<Self, Error> {
        let at = Structure::ResponseBytes;
        let contents = single(explicit, tag::SEQUENCE, at)?.value;
        let mut der = Der::new(contents, at);
        // "For a basic OCSP responder, responseType will be id-pkix-ocsp-basic."
        if der.oid()? != oid::OCSP_BASIC.as_bytes() {
            return Err(Error::UnsupportedResponseType);
        }
        let response = der.read(tag::OCTET_STRING)?;
        der.finish()?;
        Self::parse(response)
    }

    /// Parses a DER `BasicOCSPResponse` with no bytes after it (for example one taken out of
    /// an `OCSPResponse` by other code), at most [`MAX_RESPONSE_LEN`] bytes long.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        if der.len() > MAX_RESPONSE_LEN {
            return Err(Error::ResponseTooLarge);
        }
        Self::parse(der)
    }

    fn parse(der: &'a [u8]) -> Result<Self, Error> {
        let at = Structure::BasicOcspResponse;
        let contents = single(der, tag::SEQUENCE, at)?.value;
        let mut der = Der::new(contents, at);
        let tbs = der.read_tlv(tag::SEQUENCE)?;
        let algorithm = algorithm_identifier(&mut der)?;
        let signature = der.bit_string_octets()?;
        let (certs, cert_count) = match der.optional(context(0, true))? {
            Some(explicit) => {
                let at = Structure::Certificates;
                let contents = single(explicit, tag::SEQUENCE, at)?.value;
                // Count before parsing, so that a response with many certificates is refused
                // before any of them costs anything.
                let mut framing = Der::new(contents, at);
                let mut count = 0usize;
                while !framing.is_empty() {
                    framing.any()?;
                    count = count.saturating_add(1);
                    if count > MAX_CERTIFICATES {
                        return Err(Error::TooManyCertificates);
                    }
                }
                SequenceOf::validate(contents, at)?
            }
            None => (SequenceOf::empty(), 0),
        };
        der.finish()?;
        Ok(Self {
            data: ResponseData::parse(tbs)?,
            signed: SignedData {
                data: tbs.raw,
                algorithm,
                signature,
            },
            certs,
            cert_count,
        })
    }

    /// The `tbsResponseData`.
    pub fn response_data(&self) -> &ResponseData<'a> {
        &self.data
    }

    /// The signed part: the exact `tbsResponseData` bytes, the signature algorithm and value.
    pub fn signed_data(&self) -> &SignedData<'a> {
        &self.signed
    }

    /// The certificates in `certs`, in order.
    pub fn certs(&self) -> impl Iterator<Item = Result<Certificate<'a>, Error>> + Clone + use<'a> {
        self.certs.clone()
    }

    /// How many certificates `certs` holds (at most [`MAX_CERTIFICATES`]).
    pub fn cert_count(&self) -> usize {
        self.cert_count
    }
}

/// A parsed `ResponseData`.
///
/// ```text
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
/// (RFC 6960 section 4.2.1.)
#[derive(Clone, Debug)]
pub struct ResponseData<'a> {
    der: &'a [u8],
    responder_id: ResponderId<'a>,
    produced_at: UnixTime,
    responses: SequenceOf<'a, SingleResponse<'a>>,
    response_count: usize,
    extensions: Extensions<'a>,
}

impl<'a> ResponseData<'a> {
    fn parse(tlv: Tlv<'a>) -> Result<Self, Error> {
        let at = Structure::ResponseData;
        let mut der = Der::new(tlv.value, at);
        // Only v1 is defined. DER forbids encoding the DEFAULT, but some responders do: an
        // explicit `[0] INTEGER 0` is tolerated (profile rule 3).
        if let Some(explicit) = der.optional(context(0, true))? {
            let mut version = Der::new(explicit, at);
            let value = version.small_unsigned(tag::INTEGER)?;
            version.finish()?;
            if value != 0 {
                return Err(Error::UnsupportedResponseVersion);
            }
        }
        let responder_id = ResponderId::parse(der.any()?)?;
        let produced_at = read_generalized_time(&mut der, Structure::ProducedAt)?;
        let responses = der.read(tag::SEQUENCE)?;
        let (responses, response_count) = SequenceOf::validate(responses, Structure::Responses)?;
        if response_count == 0 {
            return Err(Error::EmptyResponseList);
        }
        let extensions = match der.optional(context(1, true))? {
            Some(explicit) => extensions(explicit, Structure::ResponseExtensions, |_| Ok(()))?,
            None => Extensions::empty(),
        };
        der.finish()?;
        Ok(Self {
            der: tlv.raw,
            responder_id,
            produced_at,
            responses,
            response_count,
            extensions,
        })
    }

    /// The exact DER bytes of the `tbsResponseData`, as signed.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// `responderID`.
    pub fn responder_id(&self) -> ResponderId<'a> {
        self.responder_id
    }

    /// `producedAt`.
    pub fn produced_at(&self) -> UnixTime {
        self.produced_at
    }

    /// The `SingleResponse`s, in order.
    pub fn responses(
        &self,
    ) -> impl Iterator<Item = Result<SingleResponse<'a>, Error>> + Clone + use<'a> {
        self.responses.clone()
    }

    /// The `responses` list itself, for the verifier, which reads serials before parsing.
    pub(crate) fn response_list(&self) -> SequenceOf<'a, SingleResponse<'a>> {
        self.responses.clone()
    }

    /// How many `SingleResponse`s there are (at least one).
    pub fn response_count(&self) -> usize {
        self.response_count
    }

    /// `responseExtensions` (empty when absent).
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = Result<Extension<'a>, Error>> + Clone + use<'a> {
        self.extensions.clone()
    }

    /// The nonce the response carries (RFC 6960 section 4.4.1, RFC 8954).
    ///
    /// `Ok(None)` when there is no nonce extension, `Ok(Some(octets))` with the nonce's octets
    /// when there is one, and [`Error::InvalidNonce`] when the extension is malformed (its value
    /// is not exactly one OCTET STRING) or appears twice.
    pub fn nonce(&self) -> Result<Option<&'a [u8]>, Error> {
        crate::extension::nonce(self.extensions())
    }
}

/// `ResponderID`: how the response names its signer.
///
/// ```text
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
///
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
/// (RFC 6960 section 4.2.1; the module's tags are EXPLICIT.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponderId<'a> {
    /// The whole DER encoding of the responder's subject `Name`.
    ByName(&'a [u8]),
    /// The SHA-1 hash of the responder's `subjectPublicKey` bits (20 bytes).
    ByKey(&'a [u8]),
}

impl<'a> ResponderId<'a> {
    fn parse(tlv: Tlv<'a>) -> Result<Self, Error> {
        let at = Structure::ResponderId;
        let mut der = Der::new(tlv.value, at);
        let id = if tlv.tag == context(1, true) {
            Self::ByName(name(&mut der, at)?.raw)
        } else if tlv.tag == context(2, true) {
            let hash = der.read(tag::OCTET_STRING)?;
            if hash.len() != 20 {
                return Err(Error::BadDer(at));
            }
            Self::ByKey(hash)
        } else {
            return Err(Error::BadDer(at));
        };
        der.finish()?;
        Ok(id)
    }
}

/// A parsed `SingleResponse`: the answer about one certificate.
///
/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
/// (RFC 6960 section 4.2.1.)
#[derive(Clone, Debug)]
pub struct SingleResponse<'a> {
    cert_id: CertId<'a>,
    status: CertStatus,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    extensions: Extensions<'a>,
}

impl<'a> SingleResponse<'a> {
    /// `certID`.
    pub fn cert_id(&self) -> &CertId<'a> {
        &self.cert_id
    }

    /// `certStatus`.
    pub fn status(&self) -> CertStatus {
        self.status
    }

    /// `thisUpdate`.
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// `nextUpdate`, when present.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// `singleExtensions` (empty when absent).
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = Result<Extension<'a>, Error>> + Clone + use<'a> {
        self.extensions.clone()
    }
}

impl<'a> SingleResponse<'a> {
    /// The `serialNumber` of the `CertID` of an encoded `SingleResponse`, read without parsing
    /// the rest, so that entries about other certificates cost almost nothing.
    pub(crate) fn serial_of(tlv: &Tlv<'a>) -> Result<&'a [u8], Error> {
        let mut single = Der::new(tlv.value, Structure::SingleResponse);
        let mut cert_id = Der::new(single.read(tag::SEQUENCE)?, Structure::CertId);
        cert_id.any()?; // hashAlgorithm
        cert_id.any()?; // issuerNameHash
        cert_id.any()?; // issuerKeyHash
        cert_id.integer_bytes_lax()
    }
}

impl<'a> FromTlv<'a> for SingleResponse<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        let at = Structure::SingleResponse;
        let mut der = Der::new(tlv.value, at);
        if tlv.tag != tag::SEQUENCE {
            return Err(der.bad());
        }
        let cert_id = CertId::parse(der.read(tag::SEQUENCE)?)?;
        let status = CertStatus::parse(der.any()?)?;
        let this_update = read_generalized_time(&mut der, at)?;
        let next_update = match der.optional(context(0, true))? {
            Some(explicit) => {
                let mut inner = Der::new(explicit, at);
                let next_update = read_generalized_time(&mut inner, at)?;
                inner.finish()?;
                Some(next_update)
            }
            None => None,
        };
        let extensions = match der.optional(context(1, true))? {
            Some(explicit) => extensions(explicit, Structure::SingleExtensions, |_| Ok(()))?,
            None => Extensions::empty(),
        };
        der.finish()?;
        Ok(Self {
            cert_id,
            status,
            this_update,
            next_update,
            extensions,
        })
    }
}

/// A parsed `CertID`: which certificate a `SingleResponse` is about.
///
/// ```text
/// CertID          ::=     SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
/// (RFC 6960 section 4.1.1.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertId<'a> {
    hash_algorithm: Option<HashAlgorithm>,
    hash_algorithm_der: &'a [u8],
    issuer_name_hash: &'a [u8],
    issuer_key_hash: &'a [u8],
    serial: &'a [u8],
}

impl<'a> CertId<'a> {
    pub(crate) fn parse(contents: &'a [u8]) -> Result<Self, Error> {
        let at = Structure::CertId;
        let mut der = Der::new(contents, at);
        let hash_algorithm_der = algorithm_identifier(&mut der)?;
        let issuer_name_hash = der.read(tag::OCTET_STRING)?;
        let issuer_key_hash = der.read(tag::OCTET_STRING)?;
        let serial = der.integer_bytes_lax()?;
        der.finish()?;
        let hash_algorithm = HashAlgorithm::from_algorithm_identifier(hash_algorithm_der);
        // Profile rule 7: a hash of the wrong length for a known algorithm is malformed.
        if let Some(hash) = hash_algorithm
            && (issuer_name_hash.len() != hash.output_len()
                || issuer_key_hash.len() != hash.output_len())
        {
            return Err(Error::InvalidCertIdHash);
        }
        Ok(Self {
            hash_algorithm,
            hash_algorithm_der,
            issuer_name_hash,
            issuer_key_hash,
            serial,
        })
    }

    /// The hash algorithm, when it is one the crate knows (SHA-1, SHA-256, SHA-384, SHA-512
    /// with absent or NULL parameters). An entry with any other algorithm matches no
    /// certificate.
    pub fn hash_algorithm(&self) -> Option<HashAlgorithm> {
        self.hash_algorithm
    }

    /// The contents of the `hashAlgorithm` AlgorithmIdentifier, as encoded.
    pub fn hash_algorithm_der(&self) -> &'a [u8] {
        self.hash_algorithm_der
    }

    /// `issuerNameHash`.
    pub fn issuer_name_hash(&self) -> &'a [u8] {
        self.issuer_name_hash
    }

    /// `issuerKeyHash`.
    pub fn issuer_key_hash(&self) -> &'a [u8] {
        self.issuer_key_hash
    }

    /// The content bytes of `serialNumber`, exactly as encoded.
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }
}

/// `CertStatus` (RFC 6960 section 4.2.1).
///
/// ```text
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
///
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// "the certificate is not revoked" (as far as the responder knows).
    Good,
    /// The certificate is revoked.
    Revoked {
        /// `revocationTime`.
        time: UnixTime,
        /// `revocationReason`, when given.
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

impl CertStatus {
    fn parse(tlv: Tlv<'_>) -> Result<Self, Error> {
        if tlv.tag == context(0, false) && tlv.value.is_empty() {
            Ok(Self::Good)
        } else if tlv.tag == context(2, false) && tlv.value.is_empty() {
            Ok(Self::Unknown)
        } else if tlv.tag == context(1, true) {
            let at = Structure::RevokedInfo;
            let mut der = Der::new(tlv.value, at);
            let time = read_generalized_time(&mut der, at)?;
            let reason = match der.optional(context(0, true))? {
                Some(explicit) => {
                    let mut inner = Der::new(explicit, at);
                    let code = inner.small_unsigned(tag::ENUMERATED)?;
                    inner.finish()?;
                    Some(RevocationReason::from_code(code)?)
                }
                None => None,
            };
            der.finish()?;
            Ok(Self::Revoked { time, reason })
        } else {
            Err(Error::BadDer(Structure::CertStatus))
        }
    }
}

/// `CRLReason` (RFC 5280 section 5.3.1).
///
/// ```text
/// CRLReason ::= ENUMERATED {
///      unspecified             (0),
///      keyCompromise           (1),
///      cACompromise            (2),
///      affiliationChanged      (3),
///      superseded              (4),
///      cessationOfOperation    (5),
///      certificateHold         (6),
///           -- value 7 is not used
///      removeFromCRL           (8),
///      privilegeWithdrawn      (9),
///      aACompromise           (10) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl RevocationReason {
    /// Maps the ENUMERATED value; 7 and anything above 10 are [`Error::InvalidRevocationReason`].
    pub fn from_code(code: u8) -> Result<Self, Error> {
        Ok(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return Err(Error::InvalidRevocationReason),
        })
    }

    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }

    /// The name RFC 5280 gives the reason, e.g. `keyCompromise`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// A DER TLV with a short or long-form length.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = std::vec![tag];
        let len = u16::try_from(content.len()).unwrap();
        let [high, low] = len.to_be_bytes();
        match len {
            0..0x80 => out.push(low),
            0x80..0x100 => out.extend([0x81, low]),
            _ => out.extend([0x82, high, low]),
        }
        out.extend_from_slice(content);
        out
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    fn status_only(code: u8) -> Vec<u8> {
        tlv(0x30, &[0x0A, 0x01, code])
    }

    #[test]
    fn each_error_status_has_its_variant() {
        for (code, error) in [
            (
                1,
                Error::UnsuccessfulResponse(ResponseStatus::MalformedRequest),
            ),
            (
                2,
                Error::UnsuccessfulResponse(ResponseStatus::InternalError),
            ),
            (3, Error::UnsuccessfulResponse(ResponseStatus::TryLater)),
            (5, Error::UnsuccessfulResponse(ResponseStatus::SigRequired)),
            (6, Error::UnsuccessfulResponse(ResponseStatus::Unauthorized)),
        ] {
            let der = status_only(code);
            let response = OcspResponse::from_der(&der).unwrap();
            assert_eq!(response.status().code(), code);
            assert_eq!(response.basic().unwrap_err(), error);
        }
        for code in [4, 7, 0x7F] {
            assert_eq!(
                OcspResponse::from_der(&status_only(code)).unwrap_err(),
                Error::UnknownResponseStatus(code)
            );
        }
        assert_eq!(
            OcspResponse::from_der(&status_only(0)).unwrap_err(),
            Error::MissingResponseBytes
        );
    }

    #[test]
    fn outer_structure_is_strict() {
        let mut trailing = status_only(1);
        trailing.push(0);
        assert_eq!(
            OcspResponse::from_der(&trailing).unwrap_err(),
            Error::TrailingData(Structure::OcspResponse)
        );
        // An error status must not carry responseBytes.
        let with_bytes = tlv(
            0x30,
            &cat(&[&[0x0A, 0x01, 0x01], &tlv(0xA0, &tlv(0x30, &[]))]),
        );
        assert_eq!(
            OcspResponse::from_der(&with_bytes).unwrap_err(),
            Error::BadDer(Structure::OcspResponse)
        );
        // The status is an ENUMERATED, not an INTEGER.
        assert_eq!(
            OcspResponse::from_der(&tlv(0x30, &[0x02, 0x01, 0x01])).unwrap_err(),
            Error::BadDer(Structure::OcspResponse)
        );
        assert_eq!(
            OcspResponse::from_der(&[0x30, 0x80, 0x0A, 0x01, 0x01, 0x00, 0x00]).unwrap_err(),
            Error::BadDer(Structure::OcspResponse)
        );
        assert_eq!(
            OcspResponse::from_der(&[]).unwrap_err(),
            Error::BadDer(Structure::OcspResponse)
        );
    }

    #[test]
    fn size_cap() {
        let big = std::vec![0u8; MAX_RESPONSE_LEN + 1];
        assert_eq!(
            OcspResponse::from_der(&big).unwrap_err(),
            Error::ResponseTooLarge
        );
        assert_eq!(
            BasicResponse::from_der(&big).unwrap_err(),
            Error::ResponseTooLarge
        );
        assert_eq!(
            OcspResponse::from_der_with_max_len(&status_only(1), 4).unwrap_err(),
            Error::ResponseTooLarge
        );
        // The cap is inclusive: a response of exactly the cap parses.
        assert!(OcspResponse::from_der_with_max_len(&status_only(1), 5).is_ok());
        assert_eq!(MAX_RESPONSE_LEN, 65_536);
        let algorithm = crate::test_der::ecdsa_with_sha256();
        let basic_of_len = |len: usize| {
            let data = response_data(&[]);
            // 0x30 0x82 and 0x03 0x82, two length octets each, and the unused-bits octet.
            let signature = std::vec![0u8; len - 4 - data.len() - algorithm.len() - 4];
            let der = tlv(0x30, &cat(&[&data, &algorithm, &tlv(0x03, &signature)]));
            assert_eq!(der.len(), len);
            der
        };
        let at_cap = basic_of_len(MAX_RESPONSE_LEN);
        assert_eq!(BasicResponse::from_der(&at_cap).unwrap().cert_count(), 0);
        assert_eq!(
            BasicResponse::from_der(&basic_of_len(MAX_RESPONSE_LEN + 1)).unwrap_err(),
            Error::ResponseTooLarge
        );
    }

    /// At most eight embedded certificates: eight parse, nine are refused before any of them
    /// is parsed (the ninth here is not even a certificate).
    #[test]
    fn eight_certificates_at_most() {
        assert_eq!(MAX_CERTIFICATES, 8);
        let cert = crate::test_der::CertificateParts::default().encode();
        let basic = |certs: &[&[u8]]| {
            let data = response_data(&[]);
            let algorithm = crate::test_der::ecdsa_with_sha256();
            let certs = tlv(0xA0, &tlv(0x30, &certs.concat()));
            tlv(
                0x30,
                &cat(&[&data, &algorithm, &[0x03, 0x02, 0x00, 0x01], &certs]),
            )
        };
        let eight = basic(&[cert.as_slice(); 8]);
        let parsed = BasicResponse::from_der(&eight).unwrap();
        assert_eq!(parsed.cert_count(), 8);
        assert_eq!(parsed.certs().count(), 8);
        let mut nine = std::vec![cert.as_slice(); 8];
        nine.push(&[0x05, 0x00]);
        assert_eq!(
            BasicResponse::from_der(&basic(&nine)).unwrap_err(),
            Error::TooManyCertificates
        );
    }

    #[test]
    fn unknown_response_type() {
        // responseType 1.3.6.1.5.5.7.48.1.3 (not basic)
        let bytes = tlv(
            0x30,
            &cat(&[
                &tlv(0x06, &[0x2b, 6, 1, 5, 5, 7, 48, 1, 3]),
                &tlv(0x04, &[]),
            ]),
        );
        let der = tlv(0x30, &cat(&[&[0x0A, 0x01, 0x00], &tlv(0xA0, &bytes)]));
        assert_eq!(
            OcspResponse::from_der(&der).unwrap_err(),
            Error::UnsupportedResponseType
        );
    }

    fn gentime(value: &str) -> Vec<u8> {
        tlv(0x18, value.as_bytes())
    }

    fn cert_id(hash_len: usize) -> Vec<u8> {
        let sha1 = tlv(
            0x30,
            &cat(&[&tlv(0x06, &[0x2b, 0x0e, 0x03, 0x02, 0x1a]), &[0x05, 0x00]]),
        );
        tlv(
            0x30,
            &cat(&[
                &sha1,
                &tlv(0x04, &std::vec![1; hash_len]),
                &tlv(0x04, &[2; 20]),
                &tlv(0x02, &[0x10, 0x01]),
            ]),
        )
    }

    fn single(status: &[u8]) -> Result<SingleResponse<'_>, Error> {
        SingleResponse::from_tlv(Der::new(status, Structure::SingleResponse).any()?)
    }

    #[test]
    fn single_responses() {
        let good = tlv(
            0x30,
            &cat(&[&cert_id(20), &[0x80, 0x00], &gentime("20260101000000Z")]),
        );
        let parsed = single(&good).unwrap();
        assert_eq!(parsed.status(), CertStatus::Good);
        assert_eq!(parsed.cert_id().hash_algorithm(), Some(HashAlgorithm::Sha1));
        assert_eq!(parsed.cert_id().serial(), &[0x10, 0x01]);
        assert_eq!(parsed.this_update().as_secs(), 1_767_225_600);
        assert_eq!(parsed.next_update(), None);
        assert_eq!(parsed.extensions().count(), 0);

        // good is an empty [0] IMPLICIT NULL
        let good_with_content = tlv(
            0x30,
            &cat(&[
                &cert_id(20),
                &[0x80, 0x01, 0x00],
                &gentime("20260101000000Z"),
            ]),
        );
        assert_eq!(
            single(&good_with_content).unwrap_err(),
            Error::BadDer(Structure::CertStatus)
        );

        // A SHA-1 CertID with a 19-byte name hash.
        let short = tlv(
            0x30,
            &cat(&[&cert_id(19), &[0x80, 0x00], &gentime("20260101000000Z")]),
        );
        assert_eq!(single(&short).unwrap_err(), Error::InvalidCertIdHash);

        let revoked = |reason: u8| {
            let info = cat(&[
                &gentime("20250601120000Z"),
                &tlv(0xA0, &[0x0A, 0x01, reason]),
            ]);
            tlv(
                0x30,
                &cat(&[&cert_id(20), &tlv(0xA1, &info), &gentime("20260101000000Z")]),
            )
        };
        assert_eq!(
            single(&revoked(1)).unwrap().status(),
            CertStatus::Revoked {
                time: UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_748_779_200)),
                reason: Some(RevocationReason::KeyCompromise),
            }
        );
        assert_eq!(
            single(&revoked(7)).unwrap_err(),
            Error::InvalidRevocationReason
        );
        assert_eq!(
            single(&revoked(11)).unwrap_err(),
            Error::InvalidRevocationReason
        );

        let utc = tlv(
            0x30,
            &cat(&[&cert_id(20), &[0x80, 0x00], &tlv(0x17, b"260101000000Z")]),
        );
        assert_eq!(
            single(&utc).unwrap_err(),
            Error::InvalidTime(Structure::SingleResponse)
        );

        let next = tlv(
            0x30,
            &cat(&[
                &cert_id(20),
                &[0x82, 0x00],
                &gentime("20260101000000Z"),
                &tlv(0xA0, &gentime("20260108000000Z")),
            ]),
        );
        let parsed = single(&next).unwrap();
        assert_eq!(parsed.status(), CertStatus::Unknown);
        assert_eq!(
            parsed.next_update().map(|t| t.as_secs()),
            Some(1_767_830_400)
        );
    }

    #[test]
    fn revocation_reasons_round_trip() {
        for code in 0..=10u8 {
            match RevocationReason::from_code(code) {
                Ok(reason) => assert_eq!(reason.code(), code),
                Err(error) => {
                    assert_eq!(code, 7);
                    assert_eq!(error, Error::InvalidRevocationReason);
                }
            }
        }
        assert_eq!(RevocationReason::KeyCompromise.name(), "keyCompromise");
    }

    fn response_data(extensions: &[u8]) -> Vec<u8> {
        let responder = tlv(0xA2, &tlv(0x04, &[7; 20]));
        let single = tlv(
            0x30,
            &cat(&[&cert_id(20), &[0x80, 0x00], &gentime("20260101000000Z")]),
        );
        let mut parts = std::vec![responder, gentime("20260101000000Z"), tlv(0x30, &single)];
        if !extensions.is_empty() {
            parts.push(tlv(0xA1, &tlv(0x30, extensions)));
        }
        tlv(0x30, &parts.concat())
    }

    fn nonce_extension(value: &[u8]) -> Vec<u8> {
        let id = [0x2b, 6, 1, 5, 5, 7, 48, 1, 2];
        tlv(0x30, &cat(&[&tlv(0x06, &id), &tlv(0x04, value)]))
    }

    fn parse_data(der: &[u8]) -> Result<ResponseData<'_>, Error> {
        ResponseData::parse(Der::new(der, Structure::ResponseData).any()?)
    }

    #[test]
    fn nonce_absent_present_malformed() {
        let none = response_data(&[]);
        assert_eq!(parse_data(&none).unwrap().nonce(), Ok(None));
        assert!(
            matches!(parse_data(&none).unwrap().responder_id(), ResponderId::ByKey(k) if k == [7; 20])
        );

        let present = response_data(&nonce_extension(&tlv(0x04, &[9; 16])));
        assert_eq!(
            parse_data(&present).unwrap().nonce(),
            Ok(Some(&[9u8; 16][..]))
        );

        let raw = response_data(&nonce_extension(&[9; 16]));
        assert_eq!(parse_data(&raw).unwrap().nonce(), Err(Error::InvalidNonce));

        let twice = response_data(&cat(&[
            &nonce_extension(&tlv(0x04, &[9; 16])),
            &nonce_extension(&tlv(0x04, &[9; 16])),
        ]));
        assert_eq!(
            parse_data(&twice).unwrap().nonce(),
            Err(Error::InvalidNonce)
        );
    }

    #[test]
    fn response_data_rules() {
        // An empty responses list.
        let responder = tlv(0xA2, &tlv(0x04, &[7; 20]));
        let empty = tlv(
            0x30,
            &cat(&[&responder, &gentime("20260101000000Z"), &tlv(0x30, &[])]),
        );
        assert_eq!(parse_data(&empty).unwrap_err(), Error::EmptyResponseList);

        // byKey must be a 20-byte SHA-1.
        let short_key = tlv(0xA2, &tlv(0x04, &[7; 19]));
        let single = tlv(
            0x30,
            &cat(&[&cert_id(20), &[0x80, 0x00], &gentime("20260101000000Z")]),
        );
        let der = tlv(
            0x30,
            &cat(&[&short_key, &gentime("20260101000000Z"), &tlv(0x30, &single)]),
        );
        assert_eq!(
            parse_data(&der).unwrap_err(),
            Error::BadDer(Structure::ResponderId)
        );

        // Versions: v1 explicit tolerated, v2 refused.
        let versioned = |v: u8| {
            let mut inner = response_data(&[]);
            let contents = inner.split_off(2);
            tlv(0x30, &cat(&[&tlv(0xA0, &[0x02, 0x01, v]), &contents]))
        };
        assert!(parse_data(&versioned(0)).is_ok());
        assert_eq!(
            parse_data(&versioned(1)).unwrap_err(),
            Error::UnsupportedResponseVersion
        );

        // An empty responseExtensions SEQUENCE is malformed (SIZE (1..MAX)).
        let mut with_empty = response_data(&[]);
        let contents = with_empty.split_off(2);
        let der = tlv(0x30, &cat(&[&contents, &tlv(0xA1, &tlv(0x30, &[]))]));
        assert_eq!(
            parse_data(&der).unwrap_err(),
            Error::BadDer(Structure::ResponseExtensions)
        );
    }

    #[test]
    fn golang_response_fields() {
        let der = include_bytes!("../test-vectors/real-world/golang-x-crypto/ocspResponseHex.der");
        let basic = OcspResponse::from_der(der).unwrap().into_basic().unwrap();
        let data = basic.response_data();
        assert_eq!(data.produced_at().as_secs(), 1_636_295_153); // 2021-11-07T14:25:53Z
        assert_eq!(data.response_count(), 1);
        assert_eq!(basic.cert_count(), 0);
        let single = data.responses().next().unwrap().unwrap();
        assert_eq!(single.status(), CertStatus::Good);
        assert_eq!(single.this_update().as_secs(), 1_636_295_151);
        assert_eq!(
            single.next_update().map(|t| t.as_secs()),
            Some(1_636_896_350)
        );
        assert_eq!(basic.signed_data().data(), data.der());
    }
}
