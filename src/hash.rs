//! The digests the crate computes itself: CertID hashes, byKey responder ids, and the
//! pre-hash of the RustCrypto ECDSA verifiers. Output lives on the stack.

use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use crate::response::HashAlgorithm;

/// A digest value of at most 64 bytes, kept inline. The bytes past `len` are always zero, so
/// the derived comparisons and hash agree with comparing the values.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Digest {
    bytes: [u8; 64],
    len: usize,
}

impl Digest {
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for byte in self.as_slice() {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl PartialEq<[u8]> for Digest {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

/// Hashes `data` with `algorithm`.
pub(crate) fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Digest {
    let mut out = Digest {
        bytes: [0; 64],
        len: algorithm.output_len(),
    };
    fn copy(out: &mut [u8; 64], value: &[u8]) {
        for (dst, src) in out.iter_mut().zip(value) {
            *dst = *src;
        }
    }
    match algorithm {
        HashAlgorithm::Sha1 => copy(&mut out.bytes, &Sha1::digest(data)),
        HashAlgorithm::Sha256 => copy(&mut out.bytes, &Sha256::digest(data)),
        HashAlgorithm::Sha384 => copy(&mut out.bytes, &Sha384::digest(data)),
        HashAlgorithm::Sha512 => copy(&mut out.bytes, &Sha512::digest(data)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_known_values() {
        let abc = digest(HashAlgorithm::Sha1, b"abc");
        assert_eq!(
            abc.as_slice(),
            &[
                0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
                0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d
            ]
        );
        for (algorithm, len) in [
            (HashAlgorithm::Sha256, 32),
            (HashAlgorithm::Sha384, 48),
            (HashAlgorithm::Sha512, 64),
        ] {
            assert_eq!(digest(algorithm, b"abc").as_slice().len(), len);
        }
    }
}
