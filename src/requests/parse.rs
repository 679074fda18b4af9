//! A strict, borrowed view of an `OCSPRequest`, for responders, tests and fuzzers.

use crate::der::tag::{BIT_STRING, INTEGER, SEQUENCE};
use crate::der::{Der, FromTlv, SequenceOf, Tlv, context, single};
use crate::error::{Error, Structure};
use crate::extension::{Extension, Extensions, extensions};
use crate::response::CertId;

/// A parsed `OCSPRequest`, borrowed from its DER encoding.
///
/// A responder (or a test, or a fuzzer) reads requests with this; the client side only
/// writes them with [`RequestBuilder`](super::RequestBuilder). Everything is checked when the view is built: strict
/// DER, no trailing bytes, version v1, a non-empty `requestList` of well-formed `CertID`s,
/// well-formed extensions. The `optionalSignature` is checked for shape only; its signature
/// is not verified.
#[derive(Clone, Debug)]
pub struct OcspRequest<'a> {
    tbs_request: &'a [u8],
    requestor_name: Option<&'a [u8]>,
    requests: SequenceOf<'a, SingleRequest<'a>>,
    request_count: usize,
    extensions: Extensions<'a>,
    signature: Option<&'a [u8]>,
}

impl<'a> OcspRequest<'a> {
    /// Parses an `OCSPRequest` with no bytes after it.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let contents = single(der, SEQUENCE, Structure::OcspRequest)?.value;
        let mut outer = Der::new(contents, Structure::OcspRequest);
        let tbs = outer.read_tlv(SEQUENCE)?;
        let signature = outer.optional(context(0, true))?;
        outer.finish()?;
        if let Some(explicit) = signature {
            // Signature ::= SEQUENCE { signatureAlgorithm AlgorithmIdentifier,
            //     signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
            let at = Structure::OcspRequest;
            let value = single(explicit, SEQUENCE, at)?.value;
            let mut der = Der::new(value, at);
            der.read(SEQUENCE)?;
            der.read(BIT_STRING)?;
            der.optional(context(0, true))?;
            der.finish()?;
        }

        let at = Structure::TbsRequest;
        let mut der = Der::new(tbs.value, at);
        // Only v1 is defined; an explicit `[0] INTEGER 0` is tolerated, as in responses.
        if let Some(explicit) = der.optional(context(0, true))? {
            let mut version = Der::new(explicit, at);
            if version.small_unsigned(INTEGER)? != 0 {
                return Err(Error::BadDer(at));
            }
            version.finish()?;
        }
        let requestor_name = match der.optional(context(1, true))? {
            Some(explicit) => Some(single_any(explicit, at)?),
            None => None,
        };
        let list = der.read(SEQUENCE)?;
        let (requests, request_count) = SequenceOf::validate(list, Structure::Request)?;
        if request_count == 0 {
            return Err(Error::EmptyRequestList);
        }
        let extensions = match der.optional(context(2, true))? {
            Some(explicit) => extensions(explicit, Structure::RequestExtensions, |_| Ok(()))?,
            None => Extensions::empty(),
        };
        der.finish()?;
        Ok(Self {
            tbs_request: tbs.raw,
            requestor_name,
            requests,
            request_count,
            extensions,
            signature,
        })
    }

    /// The exact DER bytes of the `tbsRequest`.
    pub fn tbs_request(&self) -> &'a [u8] {
        self.tbs_request
    }

    /// The whole encoding of the `requestorName` GeneralName, when present.
    pub fn requestor_name(&self) -> Option<&'a [u8]> {
        self.requestor_name
    }

    /// The `Request`s of the `requestList`, in order.
    pub fn requests(
        &self,
    ) -> impl Iterator<Item = Result<SingleRequest<'a>, Error>> + Clone + use<'a> {
        self.requests.clone()
    }

    /// How many `Request`s there are (at least one).
    pub fn request_count(&self) -> usize {
        self.request_count
    }

    /// `requestExtensions` (empty when absent).
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = Result<Extension<'a>, Error>> + Clone + use<'a> {
        self.extensions.clone()
    }

    /// Whether the request carries an `optionalSignature` (not verified by this crate).
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// The nonce the request carries: `Ok(None)` without a nonce extension, the nonce octets
    /// with one, and [`Error::InvalidNonce`] when its value is not exactly one OCTET STRING
    /// or it appears twice. (The length is not judged here: RFC 9654 lets responders accept
    /// up to 128 octets.)
    pub fn nonce(&self) -> Result<Option<&'a [u8]>, Error> {
        crate::extension::nonce(self.extensions())
    }
}

/// Reads the single element that makes up `bytes`, whatever its tag.
fn single_any(bytes: &[u8], at: Structure) -> Result<&[u8], Error> {
    let mut der = Der::new(bytes, at);
    let tlv = der.any()?;
    der.finish()?;
    Ok(tlv.raw)
}

/// One `Request` of a parsed request's `requestList`.
///
/// ```text
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug)]
pub struct SingleRequest<'a> {
    cert_id: CertId<'a>,
    extensions: Extensions<'a>,
}

impl<'a> SingleRequest<'a> {
    /// `reqCert`.
    pub fn cert_id(&self) -> &CertId<'a> {
        &self.cert_id
    }

    /// `singleRequestExtensions` (empty when absent).
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = Result<Extension<'a>, Error>> + Clone + use<'a> {
        self.extensions.clone()
    }
}

impl<'a> FromTlv<'a> for SingleRequest<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        let at = Structure::Request;
        let mut der = Der::new(tlv.value, at);
        if tlv.tag != SEQUENCE {
            return Err(der.bad());
        }
        let cert_id = CertId::parse(der.read(SEQUENCE)?)?;
        let extensions = match der.optional(context(0, true))? {
            Some(explicit) => extensions(explicit, Structure::SingleRequestExtensions, |_| Ok(()))?,
            None => Extensions::empty(),
        };
        der.finish()?;
        Ok(Self {
            cert_id,
            extensions,
        })
    }
}
