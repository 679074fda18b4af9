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

use crate::cert::Certificate;
use crate::der::tag::{BIT_STRING, INTEGER, NULL, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE};
use crate::der::{Der, FromTlv, SequenceOf, Tlv, context, single};
use crate::error::{Error, Structure};
use crate::extension::{Extensions, extensions};
use crate::hash::{Digest, digest};
use crate::oid;
use crate::response::{CertId, HashAlgorithm};

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

/// The `CertID` a request carries for one certificate (its `reqCert`), computed from the
/// certificate and its issuer.
///
/// RFC 6960 section 4.1.1: "issuerNameHash is the hash of the issuer's distinguished name (DN).
/// The hash shall be calculated over the DER encoding of the issuer's name field in the
/// certificate being checked. issuerKeyHash is the hash of the issuer's public key. The hash
/// shall be calculated over the value (excluding tag and length) of the subject public key
/// field in the issuer's certificate. ... serialNumber is the serial number of the certificate
/// for which status is being requested."
///
/// The hashes live inline (no heap); the serial borrows the certificate's bytes, exactly as
/// they are encoded there. Two `ReqCert`s are equal when they name the same certificate with
/// the same hash algorithm, which makes one a fine cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReqCert<'a> {
    hash_algorithm: HashAlgorithm,
    issuer_name_hash: Digest,
    issuer_key_hash: Digest,
    serial: &'a [u8],
}

impl<'a> ReqCert<'a> {
    /// The `CertID` of `cert`, issued by `issuer`, hashed with `hash_algorithm`.
    ///
    /// Fails with [`Error::IssuerNameMismatch`] when `cert`'s issuer Name is not `issuer`'s
    /// subject: the request would ask about a certificate no responder knows.
    pub fn new(
        cert: &Certificate<'a>,
        issuer: &Certificate<'_>,
        hash_algorithm: HashAlgorithm,
    ) -> Result<Self, Error> {
        if cert.issuer() != issuer.subject() {
            return Err(Error::IssuerNameMismatch);
        }
        Ok(Self {
            hash_algorithm,
            issuer_name_hash: digest(hash_algorithm, cert.issuer()),
            issuer_key_hash: digest(
                hash_algorithm,
                issuer.subject_public_key_info().public_key(),
            ),
            serial: cert.serial(),
        })
    }

    /// `hashAlgorithm`.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }

    /// `issuerNameHash`.
    pub fn issuer_name_hash(&self) -> &[u8] {
        self.issuer_name_hash.as_slice()
    }

    /// `issuerKeyHash`.
    pub fn issuer_key_hash(&self) -> &[u8] {
        self.issuer_key_hash.as_slice()
    }

    /// The content bytes of `serialNumber`: the certificate's, byte for byte.
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }

    /// Whether a parsed `CertID` (of a response or a request) names the same certificate with
    /// the same hash algorithm.
    pub fn matches(&self, cert_id: &CertId<'_>) -> bool {
        cert_id.hash_algorithm() == Some(self.hash_algorithm)
            && cert_id.serial() == self.serial
            && self.issuer_name_hash == *cert_id.issuer_name_hash()
            && self.issuer_key_hash == *cert_id.issuer_key_hash()
    }

    /// The same `CertID` with another serial, for the cache's unit tests.
    #[cfg(all(test, feature = "std"))]
    pub(crate) fn with_serial_for_tests<'s>(&self, serial: &'s [u8]) -> ReqCert<'s> {
        ReqCert {
            hash_algorithm: self.hash_algorithm,
            issuer_name_hash: self.issuer_name_hash,
            issuer_key_hash: self.issuer_key_hash,
            serial,
        }
    }

    /// The length of the whole `CertID` TLV.
    fn encoded_len(&self) -> Option<usize> {
        tlv_len(self.contents_len()?)
    }

    fn contents_len(&self) -> Option<usize> {
        let hash = tlv_len(self.hash_algorithm.output_len())?;
        algorithm_identifier_len(self.hash_algorithm)?
            .checked_add(hash)?
            .checked_add(hash)?
            .checked_add(tlv_len(self.serial.len())?)
    }

    /// Writes the `CertID`.
    ///
    /// The AlgorithmIdentifier carries NULL parameters, as OpenSSL, Go's x/crypto/ocsp and
    /// NSS send them; the verifier accepts both NULL and absent parameters in responses.
    fn write(&self, out: &mut Writer<'_>) -> Result<(), Error> {
        out.header(SEQUENCE, self.contents_len().ok_or(out.overflow())?)?;
        write_algorithm_identifier(out, self.hash_algorithm)?;
        out.tlv(OCTET_STRING, self.issuer_name_hash.as_slice())?;
        out.tlv(OCTET_STRING, self.issuer_key_hash.as_slice())?;
        out.tlv(INTEGER, self.serial)
    }
}

/// The certificates a request asks about.
#[derive(Clone, Copy, Debug)]
enum Subjects<'a> {
    One(&'a Certificate<'a>, &'a Certificate<'a>),
    Many(&'a [(&'a Certificate<'a>, &'a Certificate<'a>)]),
}

/// Builds a DER `OCSPRequest` into a caller's buffer, with no heap.
///
/// A small `Copy` value: the certificates to ask about (each with its issuer), the `CertID`
/// hash algorithm (SHA-1 unless told otherwise, as RFC 5019 has clients use and every
/// responder understands) and an optional nonce (RFC 8954: the caller supplies 1 to 32 random octets,
/// so this crate needs no random number generator).
///
/// ```
/// use ocsp_verify::{Certificate, OcspRequest, RequestBuilder, HashAlgorithm};
///
/// # fn main() -> Result<(), ocsp_verify::Error> {
/// let cert = Certificate::from_der(include_bytes!(
///     "../test-vectors/real-world/openssl/ND1_Cert_EE.der"
/// ))?;
/// let issuer = Certificate::from_der(include_bytes!(
///     "../test-vectors/real-world/openssl/ND1_Issuer_ICA.der"
/// ))?;
/// let nonce = [0x42; 32]; // use fresh random bytes for each request
///
/// let request = RequestBuilder::new(&cert, &issuer)
///     .with_hash_algorithm(HashAlgorithm::Sha256)
///     .with_nonce(Some(&nonce));
/// let mut buffer = [0u8; 512];
/// let len = request.encode(&mut buffer)?;
/// assert_eq!(len, request.encoded_len()?);
///
/// // The bytes read back as a request for that certificate, with that nonce.
/// let parsed = OcspRequest::from_der(&buffer[..len])?;
/// assert_eq!(parsed.nonce()?, Some(&nonce[..]));
/// assert_eq!(parsed.request_count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RequestBuilder<'a> {
    subjects: Subjects<'a>,
    hash_algorithm: HashAlgorithm,
    nonce: Option<&'a [u8]>,
}

impl<'a> RequestBuilder<'a> {
    /// A request about `cert`, issued by `issuer`, with a SHA-1 `CertID` and no nonce.
    pub const fn new(cert: &'a Certificate<'a>, issuer: &'a Certificate<'a>) -> Self {
        Self {
            subjects: Subjects::One(cert, issuer),
            hash_algorithm: HashAlgorithm::Sha1,
            nonce: None,
        }
    }

    /// A request about several certificates, each given with its issuer, in one
    /// `requestList`. RFC 6960 allows it, but the lightweight profile (RFC 5019 section
    /// 2.1.1) has clients send one `Request` per `OCSPRequest`, so responders built to it may
    /// refuse or half-answer such a request: ask about one certificate at a time unless the
    /// responder is known to cope. An empty list is refused with [`Error::EmptyRequestList`]
    /// when encoding.
    pub const fn for_certificates(
        certificates: &'a [(&'a Certificate<'a>, &'a Certificate<'a>)],
    ) -> Self {
        Self {
            subjects: Subjects::Many(certificates),
            hash_algorithm: HashAlgorithm::Sha1,
            nonce: None,
        }
    }

    /// The `CertID` hash algorithm: SHA-1 by default, which the lightweight profile (RFC 5019
    /// section 2.1.1) has clients use and every responder understands; SHA-256 for responders
    /// that take it (RFC 9919, the profile's successor, recommends it over SHA-1).
    pub const fn with_hash_algorithm(self, hash_algorithm: HashAlgorithm) -> Self {
        Self {
            hash_algorithm,
            ..self
        }
    }

    /// The nonce to send, or `None` to send none.
    ///
    /// RFC 8954 section 2.1: "The value of the nonce MUST be generated using a
    /// cryptographically strong pseudorandom number generator ... Newer OCSP clients that
    /// support this document MUST use a length of 32 octets for the nonce". The length is
    /// checked when encoding: outside 1 to 32 octets is [`Error::InvalidNonceLength`].
    pub const fn with_nonce(self, nonce: Option<&'a [u8]>) -> Self {
        Self { nonce, ..self }
    }

    /// The `CertID` hash algorithm.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }

    /// The nonce the request carries.
    pub fn nonce(&self) -> Option<&'a [u8]> {
        self.nonce
    }

    /// The exact length of the encoded request.
    pub fn encoded_len(&self) -> Result<usize, Error> {
        self.check()?;
        let too_large = Error::BufferTooSmall { needed: usize::MAX };
        self.lengths().ok_or(too_large).map(|lengths| lengths.total)
    }

    /// Encodes the `OCSPRequest` into `out` and returns the number of bytes written, which
    /// is [`RequestBuilder::encoded_len`].
    ///
    /// Errors: [`Error::BufferTooSmall`] (nothing useful is written then),
    /// [`Error::InvalidNonceLength`], [`Error::EmptyRequestList`], and
    /// [`Error::IssuerNameMismatch`] when a certificate's issuer Name is not its issuer's
    /// subject.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        self.check()?;
        let lengths = self
            .lengths()
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        if out.len() < lengths.total {
            return Err(Error::BufferTooSmall {
                needed: lengths.total,
            });
        }
        let mut writer = Writer {
            out,
            position: 0,
            needed: lengths.total,
        };
        let w = &mut writer;
        w.header(SEQUENCE, lengths.tbs_request)?;
        w.header(SEQUENCE, lengths.tbs_request_contents)?;
        // version: DEFAULT v1, so absent (DER leaves defaults out). requestorName: absent.
        w.header(SEQUENCE, lengths.request_list_contents)?;
        self.for_each_req_cert(|req_cert| {
            let cert_id = req_cert.encoded_len().ok_or(w.overflow())?;
            w.header(SEQUENCE, cert_id)?;
            req_cert.write(w)
        })?;
        if let Some(nonce) = self.nonce {
            write_nonce_extensions(w, nonce)?;
        }
        if writer.position != lengths.total {
            return Err(writer.overflow());
        }
        Ok(writer.position)
    }

    /// Hands each of the request's `CertID`s to `f`, in order.
    fn for_each_req_cert(
        &self,
        mut f: impl FnMut(ReqCert<'a>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self.subjects {
            Subjects::One(cert, issuer) => f(ReqCert::new(cert, issuer, self.hash_algorithm)?),
            Subjects::Many(list) => {
                for (cert, issuer) in list {
                    f(ReqCert::new(cert, issuer, self.hash_algorithm)?)?;
                }
                Ok(())
            }
        }
    }

    /// The checks that do not depend on the output buffer.
    fn check(&self) -> Result<(), Error> {
        if let Some(nonce) = self.nonce
            && !(MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len())
        {
            return Err(Error::InvalidNonceLength);
        }
        let check_pair = |cert: &Certificate<'_>, issuer: &Certificate<'_>| {
            if cert.issuer() == issuer.subject() {
                Ok(())
            } else {
                Err(Error::IssuerNameMismatch)
            }
        };
        match self.subjects {
            Subjects::One(cert, issuer) => check_pair(cert, issuer),
            Subjects::Many([]) => Err(Error::EmptyRequestList),
            Subjects::Many(list) => list
                .iter()
                .try_for_each(|(cert, issuer)| check_pair(cert, issuer)),
        }
    }

    /// Every length the encoding needs, computed without hashing anything. `None` on an
    /// arithmetic overflow, which no real input reaches.
    fn lengths(&self) -> Option<Lengths> {
        let serial_lens = |serial: &[u8]| -> Option<usize> {
            // Request ::= SEQUENCE { reqCert CertID }
            let hash = tlv_len(self.hash_algorithm.output_len())?;
            let cert_id = algorithm_identifier_len(self.hash_algorithm)?
                .checked_add(hash)?
                .checked_add(hash)?
                .checked_add(tlv_len(serial.len())?)?;
            tlv_len(tlv_len(cert_id)?)
        };
        let request_list_contents = match self.subjects {
            Subjects::One(cert, _) => serial_lens(cert.serial())?,
            Subjects::Many(list) => list.iter().try_fold(0usize, |sum, (cert, _)| {
                sum.checked_add(serial_lens(cert.serial())?)
            })?,
        };
        let extensions = match self.nonce {
            Some(nonce) => nonce_extensions_len(nonce.len())?,
            None => 0,
        };
        let tbs_request_contents = tlv_len(request_list_contents)?.checked_add(extensions)?;
        let tbs_request = tlv_len(tbs_request_contents)?;
        Some(Lengths {
            total: tlv_len(tbs_request)?,
            tbs_request,
            tbs_request_contents,
            request_list_contents,
        })
    }
}

struct Lengths {
    total: usize,
    tbs_request: usize,
    tbs_request_contents: usize,
    request_list_contents: usize,
}

/// `[2]` constructed: `requestExtensions`.
const REQUEST_EXTENSIONS: u8 = context(2, true);

/// The length of a DER length field for `len`.
fn length_len(len: usize) -> Option<usize> {
    match len {
        0..0x80 => Some(1),
        0x80..0x100 => Some(2),
        0x100..0x1_0000 => Some(3),
        0x1_0000..0x100_0000 => Some(4),
        _ if u32::try_from(len).is_ok() => Some(5),
        _ => None,
    }
}

/// The length of a whole TLV (one-byte tag) whose value is `len` bytes long.
fn tlv_len(len: usize) -> Option<usize> {
    len.checked_add(length_len(len)?)?.checked_add(1)
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters NULL }`.
fn algorithm_identifier_len(hash: HashAlgorithm) -> Option<usize> {
    tlv_len(tlv_len(hash.oid().as_bytes().len())?.checked_add(2)?)
}

fn write_algorithm_identifier(out: &mut Writer<'_>, hash: HashAlgorithm) -> Result<(), Error> {
    let oid = hash.oid();
    let id = oid.as_bytes();
    let contents = tlv_len(id.len())
        .and_then(|len| len.checked_add(2))
        .ok_or(out.overflow())?;
    out.header(SEQUENCE, contents)?;
    out.tlv(OBJECT_IDENTIFIER, id)?;
    out.tlv(NULL, &[])
}

/// `requestExtensions [2] EXPLICIT Extensions` holding only the nonce extension.
///
/// RFC 8954 section 2.1: "the nonce will be identified by the object identifier
/// id-pkix-ocsp-nonce, while the extnValue is the value of the nonce" with
/// `Nonce ::= OCTET STRING(SIZE(1..32))`: the extnValue OCTET STRING wraps the DER of an
/// OCTET STRING holding the nonce octets. The extension is not marked critical (the DEFAULT
/// FALSE is left out), so a responder that ignores nonces still answers.
fn nonce_extension_contents_len(nonce_len: usize) -> Option<usize> {
    tlv_len(oid::OCSP_NONCE.as_bytes().len())?.checked_add(tlv_len(tlv_len(nonce_len)?)?)
}

fn nonce_extensions_len(nonce_len: usize) -> Option<usize> {
    tlv_len(tlv_len(tlv_len(nonce_extension_contents_len(nonce_len)?)?)?)
}

fn write_nonce_extensions(out: &mut Writer<'_>, nonce: &[u8]) -> Result<(), Error> {
    let extension = nonce_extension_contents_len(nonce.len()).ok_or(out.overflow())?;
    let extensions = tlv_len(extension).ok_or(out.overflow())?;
    let explicit = tlv_len(extensions).ok_or(out.overflow())?;
    out.header(REQUEST_EXTENSIONS, explicit)?;
    out.header(SEQUENCE, extensions)?;
    out.header(SEQUENCE, extension)?;
    out.tlv(OBJECT_IDENTIFIER, oid::OCSP_NONCE.as_bytes())?;
    out.header(OCTET_STRING, tlv_len(nonce.len()).ok_or(out.overflow())?)?;
    out.tlv(OCTET_STRING, nonce)
}

/// A cursor over the caller's buffer. The encoder checks the whole length before it writes,
/// so running out of room here is a bug; it is still an error, never a panic.
struct Writer<'o> {
    out: &'o mut [u8],
    position: usize,
    needed: usize,
}

impl Writer<'_> {
    fn overflow(&self) -> Error {
        Error::BufferTooSmall {
            needed: self.needed,
        }
    }

    fn byte(&mut self, byte: u8) -> Result<(), Error> {
        let error = self.overflow();
        *self.out.get_mut(self.position).ok_or(error)? = byte;
        self.position = self.position.checked_add(1).ok_or(error)?;
        Ok(())
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let error = self.overflow();
        let end = self.position.checked_add(bytes.len()).ok_or(error)?;
        self.out
            .get_mut(self.position..end)
            .ok_or(error)?
            .copy_from_slice(bytes);
        self.position = end;
        Ok(())
    }

    /// A tag and a DER length.
    fn header(&mut self, tag: u8, len: usize) -> Result<(), Error> {
        self.byte(tag)?;
        let len32 = u32::try_from(len).map_err(|_| self.overflow())?;
        let [b3, b2, b1, b0] = len32.to_be_bytes();
        match length_len(len) {
            Some(1) => self.byte(b0),
            Some(2) => self.bytes(&[0x81, b0]),
            Some(3) => self.bytes(&[0x82, b1, b0]),
            Some(4) => self.bytes(&[0x83, b2, b1, b0]),
            Some(5) => self.bytes(&[0x84, b3, b2, b1, b0]),
            _ => Err(self.overflow()),
        }
    }

    fn tlv(&mut self, tag: u8, value: &[u8]) -> Result<(), Error> {
        self.header(tag, value.len())?;
        self.bytes(value)
    }
}

/// The HTTP method to send a request with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET {url}/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest}`,
    /// which HTTP caches (and CDNs in front of responders) can answer.
    Get,
    /// `POST {url}` with `Content-Type: application/ocsp-request` and the DER as the body.
    Post,
}

impl HttpMethod {
    /// The method to use for `request_der` sent to `responder_url`: GET when the whole GET URL
    /// is shorter than [`MAX_GET_URL_LEN`] (255) bytes, else POST.
    ///
    /// RFC 6960 Appendix A.1: "To enable HTTP caching, small requests (that after encoding are
    /// less than 255 bytes) MAY be submitted using GET. If HTTP caching is not important or if
    /// the request is greater than 255 bytes, the request SHOULD be submitted using POST."
    /// The lightweight profile (RFC 5019 section 5) makes GET mandatory for small requests and
    /// counts the 255 bytes over the whole URL: scheme, host, path and the encoded request.
    /// This function counts them the same way, and keeps RFC 6960's "less than".
    pub fn for_request(responder_url: &str, request_der: &[u8]) -> Self {
        match get_url_len(responder_url, request_der) {
            Some(len) if len < MAX_GET_URL_LEN => Self::Get,
            _ => Self::Post,
        }
    }
}

/// The length of the GET URL [`write_get_url`] writes (`None` only on arithmetic overflow).
pub fn get_url_len(responder_url: &str, request_der: &[u8]) -> Option<usize> {
    let mut len = responder_url.len();
    if !responder_url.ends_with('/') {
        len = len.checked_add(1)?;
    }
    let mut ok = true;
    url_encoded_base64(request_der, |chunk| {
        match len.checked_add(chunk.len()) {
            Some(sum) => len = sum,
            None => ok = false,
        }
        Ok(())
    })
    .ok()?;
    ok.then_some(len)
}

/// Writes the RFC 6960 Appendix A.1 GET URL for `request_der` into `out` and returns its
/// length:
///
/// ```text
/// GET {url}/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest}
/// ```
///
/// The `/` is added only when `responder_url` does not already end with one. Base64 is the
/// standard alphabet with padding; its `+`, `/` and `=` are percent-encoded (`%2B`, `%2F`,
/// `%3D`), the other characters are unreserved in URLs. The output is ASCII whenever
/// `responder_url` is. [`Error::BufferTooSmall`] when `out` is shorter than
/// [`get_url_len`].
///
/// ```
/// use ocsp_verify::write_get_url;
///
/// # fn main() -> Result<(), ocsp_verify::Error> {
/// let mut out = [0u8; 64];
/// let len = write_get_url("http://ocsp.example", &[0x30, 0x03, 0xfb, 0xff, 0x01], &mut out)?;
/// assert_eq!(&out[..len], b"http://ocsp.example/MAP7%2FwE%3D");
/// # Ok(())
/// # }
/// ```
pub fn write_get_url(
    responder_url: &str,
    request_der: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let needed = get_url_len(responder_url, request_der).unwrap_or(usize::MAX);
    if out.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let mut writer = Writer {
        out,
        position: 0,
        needed,
    };
    writer.bytes(responder_url.as_bytes())?;
    if !responder_url.ends_with('/') {
        writer.byte(b'/')?;
    }
    url_encoded_base64(request_der, |chunk| writer.bytes(chunk))?;
    Ok(writer.position)
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Feeds `emit` the URL-encoded base64 of `data`, a few bytes at a time.
fn url_encoded_base64(
    data: &[u8],
    mut emit: impl FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    // `None` is the padding `=`.
    let mut put = |sextet: Option<u8>| -> Result<(), Error> {
        let symbol = match sextet {
            Some(value) => BASE64_ALPHABET
                .get(usize::from(value & 0x3F))
                .copied()
                .unwrap_or(b'A'),
            None => b'=',
        };
        url_encode(symbol, &mut emit)
    };
    for chunk in data.chunks(3) {
        match *chunk {
            [a, b, c] => {
                put(Some(a >> 2))?;
                put(Some((a << 4) | (b >> 4)))?;
                put(Some((b << 2) | (c >> 6)))?;
                put(Some(c))?;
            }
            [a, b] => {
                put(Some(a >> 2))?;
                put(Some((a << 4) | (b >> 4)))?;
                put(Some(b << 2))?;
                put(None)?;
            }
            [a] => {
                put(Some(a >> 2))?;
                put(Some(a << 4))?;
                put(None)?;
                put(None)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Percent-encodes the three base64 symbols that are not unreserved in a URL path segment.
fn url_encode(symbol: u8, emit: &mut impl FnMut(&[u8]) -> Result<(), Error>) -> Result<(), Error> {
    match symbol {
        b'+' => emit(b"%2B"),
        b'/' => emit(b"%2F"),
        b'=' => emit(b"%3D"),
        other => emit(&[other]),
    }
}

/// Whether `url` is one a plain HTTP client can fetch: its scheme is `http` (any case).
///
/// OCSP is meant to travel over plain HTTP: the response is signed, and fetching it over
/// HTTPS would need a revocation check of the responder's own TLS certificate. An `https://`
/// responder URL is not fetchable here; nor is an `ldap://` one.
pub fn is_http_url(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

/// The OCSP responder URLs of a certificate a plain HTTP client can fetch (`http://` URLs
/// from the id-ad-ocsp entries of its authorityInfoAccess extension), in the certificate's
/// order.
pub fn http_responder_urls<'a>(cert: &Certificate<'a>) -> impl Iterator<Item = &'a str> + use<'a> {
    cert.ocsp_urls().filter(|url| is_http_url(url))
}

/// A parsed `OCSPRequest`, borrowed from its DER encoding.
///
/// A responder (or a test, or a fuzzer) reads requests with this; the client side only
/// writes them with [`RequestBuilder`]. Everything is checked when the view is built: strict
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
    pub fn requests(&self) -> SequenceOf<'a, SingleRequest<'a>> {
        self.requests.clone()
    }

    /// How many `Request`s there are (at least one).
    pub fn request_count(&self) -> usize {
        self.request_count
    }

    /// `requestExtensions` (empty when absent).
    pub fn extensions(&self) -> Extensions<'a> {
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
    pub fn extensions(&self) -> Extensions<'a> {
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

#[cfg(test)]
#[cfg(feature = "std")]
mod tests {
    use super::*;

    const CERT: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Cert_EE.der");
    const ISSUER: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Issuer_ICA.der");

    fn certs() -> (Certificate<'static>, Certificate<'static>) {
        (
            Certificate::from_der(CERT).unwrap(),
            Certificate::from_der(ISSUER).unwrap(),
        )
    }

    fn encode(request: &RequestBuilder<'_>) -> std::vec::Vec<u8> {
        let mut out = std::vec![0u8; request.encoded_len().unwrap()];
        let len = request.encode(&mut out).unwrap();
        assert_eq!(len, out.len());
        out
    }

    #[test]
    fn length_fields() {
        for (len, expected) in [
            (0, 1),
            (0x7F, 1),
            (0x80, 2),
            (0xFF, 2),
            (0x100, 3),
            (0xFFFF, 3),
            (0x1_0000, 4),
            (0xFF_FFFF, 4),
            (0x100_0000, 5),
        ] {
            assert_eq!(length_len(len), Some(expected), "{len:#x}");
        }
        let mut buffer = [0u8; 8];
        for (len, encoding) in [
            (5usize, &[0x04, 0x05][..]),
            (0x80, &[0x04, 0x81, 0x80]),
            (0x1234, &[0x04, 0x82, 0x12, 0x34]),
            (0x12_3456, &[0x04, 0x83, 0x12, 0x34, 0x56]),
            (0x1234_5678, &[0x04, 0x84, 0x12, 0x34, 0x56, 0x78]),
        ] {
            let mut writer = Writer {
                out: &mut buffer,
                position: 0,
                needed: 0,
            };
            writer.header(OCTET_STRING, len).unwrap();
            let written = writer.position;
            assert_eq!(&buffer[..written], encoding);
        }
    }

    #[test]
    fn round_trips_through_the_parser() {
        let (cert, issuer) = certs();
        for hash in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            for nonce in [None, Some(&[7u8][..]), Some(&[0xA5; 32][..])] {
                let request = RequestBuilder::new(&cert, &issuer)
                    .with_hash_algorithm(hash)
                    .with_nonce(nonce);
                let der = encode(&request);
                let parsed = OcspRequest::from_der(&der).unwrap();
                assert_eq!(parsed.nonce().unwrap(), nonce);
                assert!(!parsed.is_signed());
                assert_eq!(parsed.requestor_name(), None);
                let single = parsed.requests().next().unwrap().unwrap();
                let expected = ReqCert::new(&cert, &issuer, hash).unwrap();
                assert!(expected.matches(single.cert_id()));
                assert_eq!(single.cert_id().serial(), cert.serial());
                // And the verifier's own CertID matching agrees (same hashes).
                assert_eq!(
                    single.cert_id().issuer_key_hash(),
                    digest(hash, issuer.subject_public_key_info().public_key()).as_slice()
                );
            }
        }
    }

    #[test]
    fn several_certificates() {
        let (cert, issuer) = certs();
        let pairs = [(&cert, &issuer), (&cert, &issuer), (&cert, &issuer)];
        let der = encode(&RequestBuilder::for_certificates(&pairs));
        let parsed = OcspRequest::from_der(&der).unwrap();
        assert_eq!(parsed.request_count(), 3);
        assert_eq!(parsed.nonce().unwrap(), None);
        assert_eq!(
            RequestBuilder::for_certificates(&[]).encoded_len(),
            Err(Error::EmptyRequestList)
        );
    }

    #[test]
    fn typed_errors() {
        let (cert, issuer) = certs();
        let request = RequestBuilder::new(&cert, &issuer);
        let needed = request.encoded_len().unwrap();
        let mut small = std::vec![0u8; needed - 1];
        assert_eq!(
            request.encode(&mut small),
            Err(Error::BufferTooSmall { needed })
        );
        assert_eq!(
            request.encode(&mut []),
            Err(Error::BufferTooSmall { needed })
        );
        for bad in [&[][..], &[0u8; 33][..]] {
            assert_eq!(
                request.with_nonce(Some(bad)).encode(&mut [0u8; 512]),
                Err(Error::InvalidNonceLength)
            );
        }
        // The issuer given is not the certificate's issuer.
        assert_eq!(
            RequestBuilder::new(&issuer, &issuer).encode(&mut [0u8; 512]),
            Err(Error::IssuerNameMismatch)
        );
        assert_eq!(
            ReqCert::new(&issuer, &issuer, HashAlgorithm::Sha1),
            Err(Error::IssuerNameMismatch)
        );
    }

    #[test]
    fn base64_matches_the_reference_vectors() {
        // RFC 4648 section 10, then URL-encoded.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg%3D%3D"),
            ("fo", "Zm8%3D"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg%3D%3D"),
            ("fooba", "Zm9vYmE%3D"),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut out = std::string::String::new();
            url_encoded_base64(input.as_bytes(), |chunk| {
                out.push_str(core::str::from_utf8(chunk).unwrap());
                Ok(())
            })
            .unwrap();
            assert_eq!(out, expected, "{input}");
        }
        let mut out = std::string::String::new();
        url_encoded_base64(&[0xFB, 0xFF, 0xBF], |chunk| {
            out.push_str(core::str::from_utf8(chunk).unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(out, "%2B%2F%2B%2F");
    }

    #[test]
    fn get_urls() {
        let der = [0x30, 0x03, 0xFB, 0xFF, 0x01];
        let mut out = [0u8; 64];
        for (url, expected) in [
            ("http://ocsp.example", "http://ocsp.example/MAP7%2FwE%3D"),
            ("http://ocsp.example/", "http://ocsp.example/MAP7%2FwE%3D"),
            ("http://h/ocsp", "http://h/ocsp/MAP7%2FwE%3D"),
        ] {
            let len = write_get_url(url, &der, &mut out).unwrap();
            assert_eq!(core::str::from_utf8(&out[..len]).unwrap(), expected);
            assert_eq!(get_url_len(url, &der), Some(len));
        }
        let needed = get_url_len("http://ocsp.example", &der).unwrap();
        assert_eq!(
            write_get_url("http://ocsp.example", &der, &mut out[..needed - 1]),
            Err(Error::BufferTooSmall { needed })
        );
    }

    #[test]
    fn method_follows_the_url_length() {
        let (cert, issuer) = certs();
        let der = encode(&RequestBuilder::new(&cert, &issuer));
        let url = "http://127.0.0.1:8080";
        let len = get_url_len(url, &der).unwrap();
        assert!(len < MAX_GET_URL_LEN, "{len}");
        assert_eq!(HttpMethod::for_request(url, &der), HttpMethod::Get);
        // Pad the URL so the GET URL is exactly 254, then 255 bytes long.
        let pad = MAX_GET_URL_LEN - 1 - len;
        let just_under = std::format!("{url}/{}", "a".repeat(pad - 1));
        assert_eq!(get_url_len(&just_under, &der), Some(MAX_GET_URL_LEN - 1));
        assert_eq!(HttpMethod::for_request(&just_under, &der), HttpMethod::Get);
        let at_limit = std::format!("{url}/{}", "a".repeat(pad));
        assert_eq!(get_url_len(&at_limit, &der), Some(MAX_GET_URL_LEN));
        assert_eq!(HttpMethod::for_request(&at_limit, &der), HttpMethod::Post);
        // A nonce makes the request longer: 32 octets push a SHA-256 request over.
        let nonce = [1u8; 32];
        let long = encode(
            &RequestBuilder::new(&cert, &issuer)
                .with_hash_algorithm(HashAlgorithm::Sha512)
                .with_nonce(Some(&nonce)),
        );
        assert_eq!(HttpMethod::for_request(url, &long), HttpMethod::Post);
    }

    #[test]
    fn responder_urls_are_http_only() {
        assert!(is_http_url("http://ocsp.example"));
        assert!(is_http_url("HTTP://ocsp.example"));
        assert!(!is_http_url("https://ocsp.example"));
        assert!(!is_http_url("ldap://ocsp.example"));
        assert!(!is_http_url("http:/"));
        let (cert, _) = certs();
        let all: std::vec::Vec<_> = cert.ocsp_urls().collect();
        let http: std::vec::Vec<_> = http_responder_urls(&cert).collect();
        assert_eq!(all.iter().filter(|u| is_http_url(u)).count(), http.len());
    }

    #[test]
    fn parser_is_strict() {
        let (cert, issuer) = certs();
        let der = encode(&RequestBuilder::new(&cert, &issuer));
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(OcspRequest::from_der(&trailing).is_err());
        for cut in 0..der.len() {
            assert!(OcspRequest::from_der(&der[..cut]).is_err(), "{cut}");
        }
        // An empty requestList: 30 04 30 02 30 00.
        assert_eq!(
            OcspRequest::from_der(&[0x30, 0x04, 0x30, 0x02, 0x30, 0x00]).unwrap_err(),
            Error::EmptyRequestList
        );
        // Version v2 is refused, explicit v1 tolerated.
        // The SHA-1 request without nonce is short enough for one-byte lengths throughout:
        // 30 L 30 L' <requestList>.
        assert!(der.len() < 0x70);
        let with_version = |v: u8| {
            let mut tbs = std::vec![0xA0, 0x03, 0x02, 0x01, v];
            tbs.extend_from_slice(&der[4..]);
            let tbs_len = u8::try_from(tbs.len()).unwrap();
            let mut out = std::vec![0x30, tbs_len + 2, 0x30, tbs_len];
            out.extend_from_slice(&tbs);
            out
        };
        assert!(OcspRequest::from_der(&with_version(0)).is_ok());
        assert_eq!(
            OcspRequest::from_der(&with_version(1)).unwrap_err(),
            Error::BadDer(Structure::TbsRequest)
        );
    }
}
