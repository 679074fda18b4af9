//! The digests the crate computes itself: `CertID` hashes and byKey responder ids. Output lives
//! on the stack.
//!
//! SHA-384 and SHA-512 `CertID`s need the SHA-512 core, which is a third of a firmware image's
//! code; the `certid-sha512` feature (on by default) links it. Without it, [`digest`] has no
//! value for them: a response entry hashed with either matches no certificate, as an unknown
//! algorithm does, and a request cannot be built with either.

use sha1::Sha1;
use sha2::{Digest as _, Sha256};
#[cfg(feature = "certid-sha512")]
use sha2::{Sha384, Sha512};

use crate::oid;

/// A hash algorithm a `CertID` may use (RFC 6960 section 4.1.1: "hashAlgorithm is the hash
/// algorithm used to generate the issuerNameHash and issuerKeyHash values").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1, the algorithm nearly every responder uses (and RFC 5019 requires).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384 (computed only with the `certid-sha512` feature).
    Sha384,
    /// SHA-512 (computed only with the `certid-sha512` feature).
    Sha512,
}

impl HashAlgorithm {
    /// Every algorithm, in the order of their index.
    pub(crate) const ALL: [Self; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// How many algorithms this build computes: the first `SUPPORTED` of [`HashAlgorithm::ALL`].
    pub(crate) const SUPPORTED: usize = if cfg!(feature = "certid-sha512") {
        4
    } else {
        2
    };

    /// Recognises the contents of an AlgorithmIdentifier: the OID followed by nothing or NULL.
    /// (The contents were checked to be an OID and at most one element when parsed.)
    pub(crate) fn from_algorithm_identifier(contents: &[u8]) -> Option<Self> {
        let [0x06, len, rest @ ..] = contents else {
            return None;
        };
        let (id, parameters) = rest.split_at_checked(usize::from(*len))?;
        if !matches!(parameters, [] | [0x05, 0x00]) {
            return None;
        }
        Self::ALL
            .into_iter()
            .find(|hash| hash.oid().as_bytes() == id)
    }

    pub(crate) fn oid(self) -> const_oid::ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// A distinct small number per algorithm, for tables indexed by algorithm.
    pub(crate) fn index(self) -> usize {
        match self {
            Self::Sha1 => 0,
            Self::Sha256 => 1,
            Self::Sha384 => 2,
            Self::Sha512 => 3,
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Whether this build computes the algorithm (SHA-384 and SHA-512 need the
    /// `certid-sha512` feature).
    pub fn is_supported(self) -> bool {
        matches!(self, Self::Sha1 | Self::Sha256) || cfg!(feature = "certid-sha512")
    }
}

/// The longest digest this build computes: 64 bytes (SHA-512) with `certid-sha512`, else 32
/// (SHA-256). Firmware without SHA-384/512 CertIDs keeps four digests on its stack, not four
/// times 64 bytes.
const MAX_DIGEST_LEN: usize = if cfg!(feature = "certid-sha512") {
    64
} else {
    32
};

/// A digest value of at most 64 bytes, kept inline (a `u8` length: firmware keeps several on
/// its stack). The bytes past `len` are always zero, so the derived comparisons and hash agree
/// with comparing the values.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Digest {
    bytes: [u8; MAX_DIGEST_LEN],
    len: u8,
}

impl Digest {
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn of(value: &[u8]) -> Self {
        let mut bytes = [0; MAX_DIGEST_LEN];
        for (dst, src) in bytes.iter_mut().zip(value) {
            *dst = *src;
        }
        Self {
            bytes,
            len: u8::try_from(value.len().min(MAX_DIGEST_LEN)).unwrap_or(0),
        }
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&crate::display::Hex(self.as_slice()), f)
    }
}

impl PartialEq<[u8]> for Digest {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

/// Hashes `data` with `algorithm`; `None` for an algorithm this build leaves out.
pub(crate) fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Option<Digest> {
    match algorithm {
        HashAlgorithm::Sha1 => Some(Digest::of(&Sha1::digest(data))),
        HashAlgorithm::Sha256 => Some(Digest::of(&Sha256::digest(data))),
        #[cfg(feature = "certid-sha512")]
        HashAlgorithm::Sha384 => Some(Digest::of(&Sha384::digest(data))),
        #[cfg(feature = "certid-sha512")]
        HashAlgorithm::Sha512 => Some(Digest::of(&Sha512::digest(data))),
        #[cfg(not(feature = "certid-sha512"))]
        HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => None,
    }
}

/// The SHA-1 of `data`: what a byKey `ResponderID` holds (RFC 6960 section 4.2.1).
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_known_values() {
        let abc = digest(HashAlgorithm::Sha1, b"abc").unwrap();
        let expected = [
            0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
            0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
        ];
        assert_eq!(abc.as_slice(), &expected);
        assert_eq!(sha1(b"abc"), expected);
        for algorithm in HashAlgorithm::ALL {
            match digest(algorithm, b"abc") {
                Some(value) => assert_eq!(value.as_slice().len(), algorithm.output_len()),
                None => assert!(!algorithm.is_supported()),
            }
            assert_eq!(HashAlgorithm::ALL[algorithm.index()], algorithm);
        }
        assert_eq!(
            HashAlgorithm::Sha512.is_supported(),
            cfg!(feature = "certid-sha512")
        );
    }

    #[test]
    fn digests_show_as_hex() {
        extern crate std;
        let abc = digest(HashAlgorithm::Sha1, b"abc").unwrap();
        assert_eq!(
            std::format!("{abc:?}"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
