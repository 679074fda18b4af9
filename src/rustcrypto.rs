//! Signature algorithms implemented with the RustCrypto crates (`p256`, `p384`, `ecdsa`,
//! `rsa`, `sha1`, `sha2`), for callers without a rustls `CryptoProvider`.
//!
//! The slices are what a caller passes as the allowed algorithms; the list *is* the algorithm
//! policy. SHA-1 signatures are only in the clearly named `*_WITH_LEGACY_SHA1` sets.

use core::fmt;

use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};

#[cfg(feature = "rsa")]
use crate::signed::MIN_RSA_MODULUS_BITS;
#[cfg(feature = "ecdsa")]
use crate::signed::fixed_signature;

/// `sha1WithRSAEncryption` with NULL parameters.
#[cfg(any(feature = "rsa", test))]
const RSA_PKCS1_SHA1: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);
/// `ecdsa-with-SHA1`, no parameters.
#[cfg(any(feature = "ecdsa", test))]
const ECDSA_SHA1: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]);

/// An ECDSA verifier for one curve `C` and one hash `H`. Generic rather than switched on
/// at run time, so that a firmware image that allows only P-256 with SHA-256 links neither
/// P-384 nor SHA-512.
#[cfg(feature = "ecdsa")]
struct Ecdsa<C, H> {
    name: &'static str,
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    _types: core::marker::PhantomData<fn() -> (C, H)>,
}

/// A curve: verifies a DER signature over a pre-hashed message with a SEC1 public key.
#[cfg(feature = "ecdsa")]
trait Curve {
    fn verify(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()>;
}

#[cfg(feature = "ecdsa")]
struct P256;
#[cfg(feature = "ecdsa")]
struct P384;

#[cfg(feature = "ecdsa")]
impl Curve for P256 {
    fn verify(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()> {
        use signature::hazmat::PrehashVerifier;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).ok()?;
        let mut fixed = [0u8; 64];
        fixed_signature(signature, &mut fixed)?;
        let signature = p256::ecdsa::Signature::from_slice(&fixed).ok()?;
        key.verify_prehash(prehash, &signature).ok()
    }
}

#[cfg(feature = "ecdsa")]
impl Curve for P384 {
    fn verify(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()> {
        use signature::hazmat::PrehashVerifier;
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key).ok()?;
        let mut fixed = [0u8; 96];
        fixed_signature(signature, &mut fixed)?;
        let signature = p384::ecdsa::Signature::from_slice(&fixed).ok()?;
        key.verify_prehash(prehash, &signature).ok()
    }
}

#[cfg(feature = "ecdsa")]
impl<C, H> fmt::Debug for Ecdsa<C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(feature = "ecdsa")]
impl<C: Curve, H: sha2::Digest> SignatureVerificationAlgorithm for Ecdsa<C, H> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        // The pre-hash is computed here, with the hash the algorithm names, not through the
        // crate's CertID hashes: a P-384 verifier needs SHA-384 whatever CertIDs a build
        // supports.
        C::verify(public_key, &H::digest(message), signature).ok_or(InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

macro_rules! ecdsa_algorithm {
    ($(#[$doc:meta])* $name:ident, $curve:ident, $hash:ty, $key_id:expr, $signature_id:expr) => {
        $(#[$doc])*
        #[cfg(feature = "ecdsa")]
        pub static $name: &dyn SignatureVerificationAlgorithm = &Ecdsa::<$curve, $hash> {
            name: stringify!($name),
            public_key_alg_id: $key_id,
            signature_alg_id: $signature_id,
            _types: core::marker::PhantomData,
        };
    };
}

ecdsa_algorithm!(
    /// ECDSA on P-256 with SHA-256.
    ECDSA_P256_SHA256, P256, sha2::Sha256, alg_id::ECDSA_P256, alg_id::ECDSA_SHA256
);
ecdsa_algorithm!(
    /// ECDSA on P-256 with SHA-384.
    ECDSA_P256_SHA384, P256, sha2::Sha384, alg_id::ECDSA_P256, alg_id::ECDSA_SHA384
);
ecdsa_algorithm!(
    /// ECDSA on P-384 with SHA-384.
    ECDSA_P384_SHA384, P384, sha2::Sha384, alg_id::ECDSA_P384, alg_id::ECDSA_SHA384
);
ecdsa_algorithm!(
    /// ECDSA on P-384 with SHA-256.
    ECDSA_P384_SHA256, P384, sha2::Sha256, alg_id::ECDSA_P384, alg_id::ECDSA_SHA256
);
ecdsa_algorithm!(
    /// Legacy: ECDSA on P-256 with SHA-1.
    ECDSA_P256_SHA1_LEGACY, P256, sha1::Sha1, alg_id::ECDSA_P256, ECDSA_SHA1
);
ecdsa_algorithm!(
    /// Legacy: ECDSA on P-384 with SHA-1.
    ECDSA_P384_SHA1_LEGACY, P384, sha1::Sha1, alg_id::ECDSA_P384, ECDSA_SHA1
);

/// The hash of an RSA signature.
#[cfg(feature = "rsa")]
#[derive(Clone, Copy)]
enum RsaHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// The RSA padding scheme.
#[cfg(feature = "rsa")]
#[derive(Clone, Copy)]
enum Padding {
    Pkcs1,
    Pss,
}

/// An RSA verifier for one padding and one hash, for moduli of 2048 to 8192 bits.
#[cfg(feature = "rsa")]
struct Rsa {
    name: &'static str,
    padding: Padding,
    hash: RsaHash,
    signature_alg_id: AlgorithmIdentifier,
}

#[cfg(feature = "rsa")]
impl fmt::Debug for Rsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(feature = "rsa")]
impl SignatureVerificationAlgorithm for Rsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        use rsa::traits::PublicKeyParts;
        use signature::Verifier;

        let key = rsa::PublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
        if key.size() * 8 < MIN_RSA_MODULUS_BITS {
            return Err(InvalidSignature);
        }
        macro_rules! verify {
            ($module:ident, $digest:ty) => {{
                let signature =
                    rsa::$module::Signature::try_from(signature).map_err(|_| InvalidSignature)?;
                rsa::$module::VerifyingKey::<$digest>::new(key).verify(message, &signature)
            }};
        }
        match (self.padding, self.hash) {
            (Padding::Pkcs1, RsaHash::Sha1) => verify!(pkcs1v15, sha1::Sha1),
            (Padding::Pkcs1, RsaHash::Sha256) => verify!(pkcs1v15, sha2::Sha256),
            (Padding::Pkcs1, RsaHash::Sha384) => verify!(pkcs1v15, sha2::Sha384),
            (Padding::Pkcs1, RsaHash::Sha512) => verify!(pkcs1v15, sha2::Sha512),
            (Padding::Pss, RsaHash::Sha256) => verify!(pss, sha2::Sha256),
            (Padding::Pss, RsaHash::Sha384) => verify!(pss, sha2::Sha384),
            (Padding::Pss, RsaHash::Sha512) => verify!(pss, sha2::Sha512),
            (Padding::Pss, RsaHash::Sha1) => return Err(InvalidSignature),
        }
        .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

macro_rules! rsa_algorithm {
    ($(#[$doc:meta])* $name:ident, $padding:ident, $hash:ident, $alg_id:expr) => {
        $(#[$doc])*
        #[cfg(feature = "rsa")]
        pub static $name: &dyn SignatureVerificationAlgorithm = &Rsa {
            name: stringify!($name),
            padding: Padding::$padding,
            hash: RsaHash::$hash,
            signature_alg_id: $alg_id,
        };
    };
}

rsa_algorithm!(
    /// RSA PKCS#1 v1.5 with SHA-256, 2048 to 8192 bits.
    RSA_PKCS1_2048_8192_SHA256, Pkcs1, Sha256, alg_id::RSA_PKCS1_SHA256
);
rsa_algorithm!(
    /// RSA PKCS#1 v1.5 with SHA-384, 2048 to 8192 bits.
    RSA_PKCS1_2048_8192_SHA384, Pkcs1, Sha384, alg_id::RSA_PKCS1_SHA384
);
rsa_algorithm!(
    /// RSA PKCS#1 v1.5 with SHA-512, 2048 to 8192 bits.
    RSA_PKCS1_2048_8192_SHA512, Pkcs1, Sha512, alg_id::RSA_PKCS1_SHA512
);
rsa_algorithm!(
    /// RSA-PSS with SHA-256 (MGF1 SHA-256, 32-byte salt), 2048 to 8192 bits.
    RSA_PSS_2048_8192_SHA256, Pss, Sha256, alg_id::RSA_PSS_SHA256
);
rsa_algorithm!(
    /// RSA-PSS with SHA-384 (MGF1 SHA-384, 48-byte salt), 2048 to 8192 bits.
    RSA_PSS_2048_8192_SHA384, Pss, Sha384, alg_id::RSA_PSS_SHA384
);
rsa_algorithm!(
    /// RSA-PSS with SHA-512 (MGF1 SHA-512, 64-byte salt), 2048 to 8192 bits.
    RSA_PSS_2048_8192_SHA512, Pss, Sha512, alg_id::RSA_PSS_SHA512
);
rsa_algorithm!(
    /// Legacy: RSA PKCS#1 v1.5 with SHA-1, 2048 to 8192 bits.
    RSA_PKCS1_2048_8192_SHA1_LEGACY, Pkcs1, Sha1, RSA_PKCS1_SHA1
);

/// The ECDSA algorithms: P-256 and P-384, each with SHA-256 and SHA-384.
#[cfg(feature = "ecdsa")]
pub static ECDSA: &[&dyn SignatureVerificationAlgorithm] = &[
    ECDSA_P256_SHA256,
    ECDSA_P256_SHA384,
    ECDSA_P384_SHA384,
    ECDSA_P384_SHA256,
];

/// The RSA algorithms: PKCS#1 v1.5 and PSS with SHA-256, SHA-384 and SHA-512.
#[cfg(feature = "rsa")]
pub static RSA: &[&dyn SignatureVerificationAlgorithm] = &[
    RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_2048_8192_SHA384,
    RSA_PKCS1_2048_8192_SHA512,
    RSA_PSS_2048_8192_SHA256,
    RSA_PSS_2048_8192_SHA384,
    RSA_PSS_2048_8192_SHA512,
];

/// Every non-legacy algorithm enabled by the crate's features: the default policy.
pub static ALL: &[&dyn SignatureVerificationAlgorithm] = &[
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA256,
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA384,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA384,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA384,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA512,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA384,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA512,
];

/// Only the legacy SHA-1 algorithms, for callers who must also accept SHA-1 signatures
/// (many old responders, and the OpenSSL test suite's 2012 responses, sign with SHA-1).
/// SHA-1 is broken for collision resistance: add these knowingly, after [`ALL`].
pub static LEGACY_SHA1: &[&dyn SignatureVerificationAlgorithm] = &[
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA1_LEGACY,
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA1_LEGACY,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA1_LEGACY,
];

/// [`ALL`] followed by [`LEGACY_SHA1`].
pub static ALL_WITH_LEGACY_SHA1: &[&dyn SignatureVerificationAlgorithm] = &[
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA256,
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA384,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA384,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA384,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA512,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA256,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA384,
    #[cfg(feature = "rsa")]
    RSA_PSS_2048_8192_SHA512,
    #[cfg(feature = "rsa")]
    RSA_PKCS1_2048_8192_SHA1_LEGACY,
    #[cfg(feature = "ecdsa")]
    ECDSA_P256_SHA1_LEGACY,
    #[cfg(feature = "ecdsa")]
    ECDSA_P384_SHA1_LEGACY,
];

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn legacy_sha1_is_only_in_the_legacy_sets() {
        for alg in ALL {
            assert_ne!(alg.signature_alg_id(), RSA_PKCS1_SHA1);
            assert_ne!(alg.signature_alg_id(), ECDSA_SHA1);
        }
        assert_eq!(ALL_WITH_LEGACY_SHA1.len(), ALL.len() + LEGACY_SHA1.len());
    }

    /// A CA's key, and the bytes and signature of a response it signed.
    type Vector = (std::vec::Vec<u8>, std::vec::Vec<u8>, std::vec::Vec<u8>);

    /// A response of the generated vectors and the key of the CA that signed it.
    fn signed_response(response: &[u8], ca: &[u8]) -> Vector {
        let basic = crate::response::OcspResponse::from_der(response)
            .unwrap()
            .into_basic()
            .unwrap();
        let signed = basic.signed_data();
        let ca = crate::cert::Certificate::from_der(ca).unwrap();
        let key = ca.subject_public_key_info().public_key();
        (
            key.to_vec(),
            signed.data().to_vec(),
            signed.signature().to_vec(),
        )
    }

    macro_rules! vector {
        ($response:literal, $ca:literal) => {
            signed_response(
                include_bytes!(concat!(
                    "../test-vectors/generated/responses/",
                    $response,
                    ".der"
                )),
                include_bytes!(concat!("../test-vectors/generated/pki/", $ca, ".der")),
            )
        };
    }

    /// Each backend verifies a real signature, and refuses it over other bytes, with another
    /// key, or truncated.
    fn accepts_exactly(
        algorithm: &dyn SignatureVerificationAlgorithm,
        (key, data, signature): Vector,
    ) {
        assert!(
            algorithm.verify_signature(&key, &data, &signature).is_ok(),
            "{algorithm:?}"
        );
        let mut other = data.clone();
        other[10] ^= 1;
        assert!(
            algorithm
                .verify_signature(&key, &other, &signature)
                .is_err()
        );
        let mut other_key = key.clone();
        let last = other_key.len() - 1;
        other_key[last] ^= 1;
        assert!(
            algorithm
                .verify_signature(&other_key, &data, &signature)
                .is_err()
        );
        let short = &signature[..signature.len() - 1];
        assert!(algorithm.verify_signature(&key, &data, short).is_err());
    }

    #[cfg(feature = "ecdsa")]
    #[test]
    fn ecdsa_verifies_and_refuses() {
        accepts_exactly(ECDSA_P256_SHA256, vector!("good-p256-ca", "p256-ca"));
        accepts_exactly(ECDSA_P384_SHA384, vector!("good-p384-ca", "p384-ca"));
        // The curve and the hash are the algorithm's own: the right signature under another
        // pairing fails.
        let (key, data, signature) = vector!("good-p384-ca", "p384-ca");
        for other in [ECDSA_P384_SHA256, ECDSA_P256_SHA384, ECDSA_P384_SHA1_LEGACY] {
            assert!(other.verify_signature(&key, &data, &signature).is_err());
        }
        assert_eq!(std::format!("{ECDSA_P256_SHA256:?}"), "ECDSA_P256_SHA256");
        assert_eq!(ECDSA_P384_SHA384.public_key_alg_id(), alg_id::ECDSA_P384);
        assert_eq!(ECDSA_P384_SHA384.signature_alg_id(), alg_id::ECDSA_SHA384);
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn rsa_verifies_and_refuses() {
        accepts_exactly(RSA_PKCS1_2048_8192_SHA256, vector!("good-rsa-ca", "rsa-ca"));
        accepts_exactly(
            RSA_PSS_2048_8192_SHA256,
            vector!("good-rsa-ca-pss", "rsa-ca"),
        );
        accepts_exactly(
            RSA_PKCS1_2048_8192_SHA1_LEGACY,
            vector!("good-rsa-sha1-signature", "rsa-ca"),
        );
        let (key, data, signature) = vector!("good-rsa-ca", "rsa-ca");
        for other in [RSA_PKCS1_2048_8192_SHA384, RSA_PSS_2048_8192_SHA256] {
            assert!(other.verify_signature(&key, &data, &signature).is_err());
        }
        // A correct signature by a 1,024-bit key is refused by the backend itself too, not
        // only by the verifier's key-size rule.
        let (key, data, signature) = vector!("r10-rsa-1024", "rsa1024-ca");
        assert!(
            RSA_PKCS1_2048_8192_SHA256
                .verify_signature(&key, &data, &signature)
                .is_err()
        );
        assert_eq!(
            std::format!("{RSA_PSS_2048_8192_SHA384:?}"),
            "RSA_PSS_2048_8192_SHA384"
        );
        assert_eq!(
            RSA_PSS_2048_8192_SHA384.public_key_alg_id(),
            alg_id::RSA_ENCRYPTION
        );
        assert_eq!(
            RSA_PSS_2048_8192_SHA384.signature_alg_id(),
            alg_id::RSA_PSS_SHA384
        );
    }
}
