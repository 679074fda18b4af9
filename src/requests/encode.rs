//! Encoding an `OCSPRequest` into a caller's buffer, with no heap.
//!
//! The writer is hand-written rather than the `der` crate's `Encode` over a `SliceWriter`. Both
//! were measured, encoding the same 122-byte request (SHA-1 CertID, 32-octet nonce) in a `no_std`
//! image for `thumbv7em-none-eabihf` (opt-level "z", LTO) on top of parse + P-256 verify: this
//! encoder adds 1,852 bytes of `.text`, the `der` one (derived `EncodeValue`s, `AnyRef` for the
//! serial so that its bytes stay exact) 4,240 bytes, 2,388 more, past the 2 KB a firmware image
//! could give it. `der`'s generic header and length encoding is the difference; the bytes the
//! two write were compared equal for every certificate of the test PKI.

use crate::cert::Certificate;
use crate::der::context;
use crate::der::tag::{NULL, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE};
use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::issuer::Issuer;
use crate::oid;

use super::cert_id::cert_id_contents_len;
use super::{MAX_NONCE_LEN, MIN_NONCE_LEN, ReqCert};

/// The certificates a request asks about.
#[derive(Clone, Copy, Debug)]
enum Subjects<'a> {
    One(&'a Certificate<'a>, &'a Issuer<'a>),
    Many(&'a [(&'a Certificate<'a>, &'a Issuer<'a>)]),
}

/// Builds a DER `OCSPRequest` into a caller's buffer, with no heap.
///
/// A small `Copy` value: the certificates to ask about (each with its issuer) and the `CertID`
/// hash algorithm (SHA-1 unless told otherwise, as RFC 5019 has clients use and every
/// responder understands). The nonce is not part of it: it is given to each
/// [`RequestBuilder::encode`], so that a builder kept for reuse never sends the same nonce
/// twice (RFC 8954: the caller supplies 1 to 32 fresh random octets, so this crate needs no
/// random number generator).
///
/// ```
/// use ocsp_verify::requests::{OcspRequest, RequestBuilder};
/// use ocsp_verify::{Certificate, HashAlgorithm, Issuer};
///
/// # fn main() -> Result<(), ocsp_verify::Error> {
/// let cert = Certificate::from_der(include_bytes!(
///     "../../test-vectors/real-world/openssl/ND1_Cert_EE.der"
/// ))?;
/// let issuer = Certificate::from_der(include_bytes!(
///     "../../test-vectors/real-world/openssl/ND1_Issuer_ICA.der"
/// ))?;
/// let issuer = Issuer::from(&issuer);
/// let nonce = [0x42; 32]; // fresh random bytes for each request
///
/// let request = RequestBuilder::new(&cert, &issuer).with_hash_algorithm(HashAlgorithm::Sha256);
/// let mut buffer = [0u8; 512];
/// let len = request.encode(Some(&nonce), &mut buffer)?;
/// assert_eq!(len, request.encoded_len(Some(&nonce))?);
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
}

impl<'a> RequestBuilder<'a> {
    /// A request about `cert`, issued by `issuer`, with a SHA-1 `CertID`.
    pub const fn new(cert: &'a Certificate<'a>, issuer: &'a Issuer<'a>) -> Self {
        Self {
            subjects: Subjects::One(cert, issuer),
            hash_algorithm: HashAlgorithm::Sha1,
        }
    }

    /// A request about several certificates, each given with its issuer, in one
    /// `requestList`. RFC 6960 allows it, but the lightweight profile (RFC 5019 section
    /// 2.1.1) has clients send one `Request` per `OCSPRequest`, so responders built to it may
    /// refuse or half-answer such a request: ask about one certificate at a time unless the
    /// responder is known to cope. An empty list is refused with [`Error::EmptyRequestList`]
    /// when encoding.
    pub const fn for_certificates(
        certificates: &'a [(&'a Certificate<'a>, &'a Issuer<'a>)],
    ) -> Self {
        Self {
            subjects: Subjects::Many(certificates),
            hash_algorithm: HashAlgorithm::Sha1,
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

    /// The exact length of the request [`RequestBuilder::encode`] writes with `nonce`.
    pub fn encoded_len(&self, nonce: Option<&[u8]>) -> Result<usize, Error> {
        self.check(nonce)?;
        let too_large = Error::BufferTooSmall { needed: usize::MAX };
        self.lengths(nonce)
            .ok_or(too_large)
            .map(|lengths| lengths.total)
    }

    /// Encodes the `OCSPRequest`, carrying `nonce` when given, into `out`, and returns the
    /// number of bytes written, which is [`RequestBuilder::encoded_len`].
    ///
    /// RFC 8954 section 2.1: "The value of the nonce MUST be generated using a
    /// cryptographically strong pseudorandom number generator ... Newer OCSP clients that
    /// support this document MUST use a length of 32 octets for the nonce". Use fresh random
    /// octets for every request.
    ///
    /// Errors: [`Error::BufferTooSmall`] (nothing useful is written then),
    /// [`Error::InvalidNonceLength`] for a nonce outside 1 to 32 octets,
    /// [`Error::EmptyRequestList`], [`Error::UnsupportedHashAlgorithm`], and
    /// [`Error::IssuerNameMismatch`] when a certificate's issuer Name is not its issuer's
    /// subject.
    pub fn encode(&self, nonce: Option<&[u8]>, out: &mut [u8]) -> Result<usize, Error> {
        self.check(nonce)?;
        let lengths = self
            .lengths(nonce)
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        if out.len() < lengths.total {
            return Err(Error::BufferTooSmall {
                needed: lengths.total,
            });
        }
        let mut writer = Writer::new(out, lengths.total);
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
        if let Some(nonce) = nonce {
            write_nonce_extensions(w, nonce)?;
        }
        if writer.position() != lengths.total {
            return Err(writer.overflow());
        }
        Ok(writer.position())
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
    fn check(&self, nonce: Option<&[u8]>) -> Result<(), Error> {
        if let Some(nonce) = nonce
            && !(MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len())
        {
            return Err(Error::InvalidNonceLength);
        }
        if !self.hash_algorithm.is_supported() {
            return Err(Error::UnsupportedHashAlgorithm);
        }
        let check_pair = |cert: &Certificate<'_>, issuer: &Issuer<'_>| {
            if issuer.is_issuer_of(cert) {
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
    fn lengths(&self, nonce: Option<&[u8]>) -> Option<Lengths> {
        let serial_lens = |serial: &[u8]| -> Option<usize> {
            // Request ::= SEQUENCE { reqCert CertID }
            tlv_len(tlv_len(cert_id_contents_len(
                self.hash_algorithm,
                serial.len(),
            )?)?)
        };
        let request_list_contents = match self.subjects {
            Subjects::One(cert, _) => serial_lens(cert.serial())?,
            Subjects::Many(list) => list.iter().try_fold(0usize, |sum, (cert, _)| {
                sum.checked_add(serial_lens(cert.serial())?)
            })?,
        };
        let extensions = match nonce {
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
pub(super) fn length_len(len: usize) -> Option<usize> {
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
pub(super) fn tlv_len(len: usize) -> Option<usize> {
    len.checked_add(length_len(len)?)?.checked_add(1)
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters NULL }`.
pub(super) fn algorithm_identifier_len(hash: HashAlgorithm) -> Option<usize> {
    tlv_len(tlv_len(hash.oid().as_bytes().len())?.checked_add(2)?)
}

pub(super) fn write_algorithm_identifier(
    out: &mut Writer<'_>,
    hash: HashAlgorithm,
) -> Result<(), Error> {
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
pub(crate) struct Writer<'o> {
    out: &'o mut [u8],
    position: usize,
    needed: usize,
}

impl<'o> Writer<'o> {
    /// A writer over `out`, for an output of `needed` bytes (reported if `out` is too short).
    pub(crate) fn new(out: &'o mut [u8], needed: usize) -> Self {
        Self {
            out,
            position: 0,
            needed,
        }
    }

    /// How many bytes have been written.
    pub(crate) fn position(&self) -> usize {
        self.position
    }

    pub(crate) fn overflow(&self) -> Error {
        Error::BufferTooSmall {
            needed: self.needed,
        }
    }

    pub(crate) fn byte(&mut self, byte: u8) -> Result<(), Error> {
        let error = self.overflow();
        *self.out.get_mut(self.position).ok_or(error)? = byte;
        self.position = self.position.checked_add(1).ok_or(error)?;
        Ok(())
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
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
    pub(crate) fn header(&mut self, tag: u8, len: usize) -> Result<(), Error> {
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

    pub(crate) fn tlv(&mut self, tag: u8, value: &[u8]) -> Result<(), Error> {
        self.header(tag, value.len())?;
        self.bytes(value)
    }
}
