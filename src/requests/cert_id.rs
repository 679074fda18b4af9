//! The `CertID` of a certificate: what a request asks about, and what the verifier looks for
//! among a response's answers.

use crate::cert::Certificate;
use crate::der::tag::{INTEGER, OCTET_STRING, SEQUENCE};
use crate::error::Error;
use crate::hash::{Digest, HashAlgorithm, digest};
use crate::issuer::Issuer;
use crate::response::CertId;

use super::encode::{Writer, algorithm_identifier_len, tlv_len, write_algorithm_identifier};

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
    /// subject (the request would ask about a certificate no responder knows), and with
    /// [`Error::UnsupportedHashAlgorithm`] for SHA-384 or SHA-512 in a build without the
    /// `certid-sha512` feature.
    pub fn new(
        cert: &Certificate<'a>,
        issuer: &Issuer<'_>,
        hash_algorithm: HashAlgorithm,
    ) -> Result<Self, Error> {
        if !issuer.is_issuer_of(cert) {
            return Err(Error::IssuerNameMismatch);
        }
        let hash = |data| digest(hash_algorithm, data).ok_or(Error::UnsupportedHashAlgorithm);
        Ok(Self {
            hash_algorithm,
            issuer_name_hash: hash(cert.issuer())?,
            issuer_key_hash: hash(issuer.subject_public_key_info().public_key())?,
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
    pub(super) fn encoded_len(&self) -> Option<usize> {
        tlv_len(self.contents_len()?)
    }

    fn contents_len(&self) -> Option<usize> {
        cert_id_contents_len(self.hash_algorithm, self.serial.len())
    }

    /// Writes the `CertID`.
    ///
    /// The AlgorithmIdentifier carries NULL parameters, as OpenSSL, Go's x/crypto/ocsp and
    /// NSS send them; the verifier accepts both NULL and absent parameters in responses.
    pub(super) fn write(&self, out: &mut Writer<'_>) -> Result<(), Error> {
        out.header(SEQUENCE, self.contents_len().ok_or(out.overflow())?)?;
        write_algorithm_identifier(out, self.hash_algorithm)?;
        out.tlv(OCTET_STRING, self.issuer_name_hash.as_slice())?;
        out.tlv(OCTET_STRING, self.issuer_key_hash.as_slice())?;
        out.tlv(INTEGER, self.serial)
    }
}

/// The length of a `CertID`'s contents for `hash` and a serial of `serial_len` octets, without
/// hashing anything.
pub(super) fn cert_id_contents_len(hash: HashAlgorithm, serial_len: usize) -> Option<usize> {
    let hash_value = tlv_len(hash.output_len())?;
    algorithm_identifier_len(hash)?
        .checked_add(hash_value)?
        .checked_add(hash_value)?
        .checked_add(tlv_len(serial_len)?)
}
