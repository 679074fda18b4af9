//! Signed data, matching AlgorithmIdentifiers against the caller's algorithms, and the
//! RustCrypto implementations of rustls-pki-types' [`SignatureVerificationAlgorithm`].

use rustls_pki_types::SignatureVerificationAlgorithm;

use crate::cert::SubjectPublicKeyInfo;
use crate::der::{Der, tag};
use crate::error::{Error, Structure};
use crate::oid;

/// Bytes that were signed, kept exactly as received, with their signature.
///
/// ```text
/// tbs...               (the exact DER of the signed structure)
/// signatureAlgorithm   AlgorithmIdentifier,
/// signature            BIT STRING
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedData<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) algorithm: &'a [u8],
    pub(crate) signature: &'a [u8],
}

impl<'a> SignedData<'a> {
    /// The signed bytes (the whole DER of `tbsResponseData` or `tbsCertificate`).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The contents of the signature AlgorithmIdentifier (OID and parameters, without the
    /// outer SEQUENCE), comparable with rustls-pki-types' `AlgorithmIdentifier`.
    pub fn algorithm(&self) -> &'a [u8] {
        self.algorithm
    }

    /// The signature bits.
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }
}

/// The smallest RSA modulus accepted, in bits (profile rule 10).
pub const MIN_RSA_MODULUS_BITS: usize = 2048;

/// Verifies `signed` with the key in `spki`, using the first of `algorithms` whose signature
/// and public-key AlgorithmIdentifiers both match. Calls at most one algorithm, once.
pub(crate) fn verify_signed_data(
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    spki: &SubjectPublicKeyInfo<'_>,
    signed: &SignedData<'_>,
) -> Result<(), Error> {
    // Profile rule 10: "RSA keys shorter than 2048 bits are refused", whatever the backend.
    if let Some(bits) = rsa_modulus_bits(spki)?
        && bits < MIN_RSA_MODULUS_BITS
    {
        return Err(Error::RsaKeyTooSmall);
    }
    let algorithm = algorithms
        .iter()
        .find(|alg| {
            same_signature_algorithm(alg.signature_alg_id().as_ref(), signed.algorithm)
                && alg.public_key_alg_id().as_ref() == spki.algorithm()
        })
        .ok_or(Error::UnsupportedSignatureAlgorithm)?;
    algorithm
        .verify_signature(spki.public_key(), signed.data, signed.signature)
        .map_err(|_| Error::InvalidSignature)
}

/// Whether the signature AlgorithmIdentifier `received` is `expected`.
///
/// Byte equality, with one allowance. RFC 4055 section 5, for sha1WithRSAEncryption and
/// sha{256,384,512}WithRSAEncryption: "the parameters MUST be NULL. Implementations MUST
/// accept the parameters being absent as well as present." Real responders (the OpenSSL test
/// suite's GlobalSign responses among them) omit the NULL, so an RSA PKCS#1 v1.5 identifier
/// without parameters matches the same identifier with NULL.
fn same_signature_algorithm(expected: &[u8], received: &[u8]) -> bool {
    if expected == received {
        return true;
    }
    // 1.2.840.113549.1.1.{5, 11, 12, 13}, as a complete OID TLV.
    const RSA_PKCS1_PREFIX: [u8; 10] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    let is_rsa_pkcs1_without_parameters = match received.split_last() {
        Some((last, prefix)) => prefix == RSA_PKCS1_PREFIX && matches!(last, 5 | 11 | 12 | 13),
        None => false,
    };
    is_rsa_pkcs1_without_parameters && expected.strip_prefix(received) == Some(&[0x05, 0x00][..])
}

/// The modulus length in bits when `spki` holds an RSA key (rsaEncryption), else `None`.
///
/// ```text
/// RSAPublicKey ::= SEQUENCE {
///     modulus           INTEGER,  -- n
///     publicExponent    INTEGER   -- e
/// }
/// ```
fn rsa_modulus_bits(spki: &SubjectPublicKeyInfo<'_>) -> Result<Option<usize>, Error> {
    let mut algorithm = Der::new(spki.algorithm(), Structure::SubjectPublicKeyInfo);
    if algorithm.oid()? != oid::RSA_ENCRYPTION.as_bytes() {
        return Ok(None);
    }
    let bad = Error::BadDer(Structure::SubjectPublicKeyInfo);
    let mut outer = Der::new(spki.public_key(), Structure::SubjectPublicKeyInfo);
    let mut key = Der::new(outer.read(tag::SEQUENCE)?, Structure::SubjectPublicKeyInfo);
    outer.finish()?;
    let modulus = key.read(tag::INTEGER)?;
    key.read(tag::INTEGER)?;
    key.finish()?;
    // A positive INTEGER: a leading zero octet only before a high bit.
    let modulus = match modulus {
        [0x00, rest @ ..] => rest,
        other => other,
    };
    let (first, _) = modulus.split_first().ok_or(bad)?;
    if *first == 0 || modulus.len() > 2048 {
        return Err(bad);
    }
    let leading = usize::try_from(first.leading_zeros()).map_err(|_| bad)?;
    Ok(Some(modulus.len() * 8 - leading))
}

/// Signature algorithms implemented with the RustCrypto crates (`p256`, `p384`, `ecdsa`,
/// `rsa`, `sha1`, `sha2`), for callers without a rustls `CryptoProvider`.
///
/// The slices are what a caller passes as the allowed algorithms; the list *is* the algorithm
/// policy. SHA-1 signatures are only in the clearly named `*_WITH_LEGACY_SHA1` sets.
#[cfg(any(feature = "ecdsa", feature = "rsa"))]
pub mod rustcrypto {
    use core::fmt;

    use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, alg_id};

    use super::SignatureVerificationAlgorithm;
    #[cfg(feature = "ecdsa")]
    use crate::hash::digest;
    use crate::response::HashAlgorithm;

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

    /// A hash for ECDSA's pre-hash.
    #[cfg(feature = "ecdsa")]
    trait Prehash {
        const ALGORITHM: HashAlgorithm;
    }

    #[cfg(feature = "ecdsa")]
    struct P256;
    #[cfg(feature = "ecdsa")]
    struct P384;
    #[cfg(feature = "ecdsa")]
    struct Sha1;
    #[cfg(feature = "ecdsa")]
    struct Sha256;
    #[cfg(feature = "ecdsa")]
    struct Sha384;

    #[cfg(feature = "ecdsa")]
    impl Curve for P256 {
        fn verify(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()> {
            use signature::hazmat::PrehashVerifier;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).ok()?;
            let signature = p256::ecdsa::DerSignature::try_from(signature).ok()?;
            key.verify_prehash(prehash, &signature).ok()
        }
    }

    #[cfg(feature = "ecdsa")]
    impl Curve for P384 {
        fn verify(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()> {
            use signature::hazmat::PrehashVerifier;
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key).ok()?;
            let signature = p384::ecdsa::DerSignature::try_from(signature).ok()?;
            key.verify_prehash(prehash, &signature).ok()
        }
    }

    #[cfg(feature = "ecdsa")]
    impl Prehash for Sha1 {
        const ALGORITHM: HashAlgorithm = HashAlgorithm::Sha1;
    }
    #[cfg(feature = "ecdsa")]
    impl Prehash for Sha256 {
        const ALGORITHM: HashAlgorithm = HashAlgorithm::Sha256;
    }
    #[cfg(feature = "ecdsa")]
    impl Prehash for Sha384 {
        const ALGORITHM: HashAlgorithm = HashAlgorithm::Sha384;
    }

    #[cfg(feature = "ecdsa")]
    impl<C, H> fmt::Debug for Ecdsa<C, H> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.name)
        }
    }

    #[cfg(feature = "ecdsa")]
    impl<C: Curve, H: Prehash> SignatureVerificationAlgorithm for Ecdsa<C, H> {
        fn verify_signature(
            &self,
            public_key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            let prehash = digest(H::ALGORITHM, message);
            C::verify(public_key, prehash.as_slice(), signature).ok_or(InvalidSignature)
        }

        fn public_key_alg_id(&self) -> AlgorithmIdentifier {
            self.public_key_alg_id
        }

        fn signature_alg_id(&self) -> AlgorithmIdentifier {
            self.signature_alg_id
        }
    }

    macro_rules! ecdsa_algorithm {
        ($(#[$doc:meta])* $name:ident, $curve:ident, $hash:ident, $key_id:expr, $signature_id:expr) => {
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
        ECDSA_P256_SHA256, P256, Sha256, alg_id::ECDSA_P256, alg_id::ECDSA_SHA256
    );
    ecdsa_algorithm!(
        /// ECDSA on P-256 with SHA-384.
        ECDSA_P256_SHA384, P256, Sha384, alg_id::ECDSA_P256, alg_id::ECDSA_SHA384
    );
    ecdsa_algorithm!(
        /// ECDSA on P-384 with SHA-384.
        ECDSA_P384_SHA384, P384, Sha384, alg_id::ECDSA_P384, alg_id::ECDSA_SHA384
    );
    ecdsa_algorithm!(
        /// ECDSA on P-384 with SHA-256.
        ECDSA_P384_SHA256, P384, Sha256, alg_id::ECDSA_P384, alg_id::ECDSA_SHA256
    );
    ecdsa_algorithm!(
        /// Legacy: ECDSA on P-256 with SHA-1.
        ECDSA_P256_SHA1_LEGACY, P256, Sha1, alg_id::ECDSA_P256, ECDSA_SHA1
    );
    ecdsa_algorithm!(
        /// Legacy: ECDSA on P-384 with SHA-1.
        ECDSA_P384_SHA1_LEGACY, P384, Sha1, alg_id::ECDSA_P384, ECDSA_SHA1
    );

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
        hash: HashAlgorithm,
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
            if key.size() * 8 < super::MIN_RSA_MODULUS_BITS {
                return Err(InvalidSignature);
            }
            macro_rules! verify {
                ($module:ident, $digest:ty) => {{
                    let signature = rsa::$module::Signature::try_from(signature)
                        .map_err(|_| InvalidSignature)?;
                    rsa::$module::VerifyingKey::<$digest>::new(key).verify(message, &signature)
                }};
            }
            match (self.padding, self.hash) {
                (Padding::Pkcs1, HashAlgorithm::Sha1) => verify!(pkcs1v15, sha1::Sha1),
                (Padding::Pkcs1, HashAlgorithm::Sha256) => verify!(pkcs1v15, sha2::Sha256),
                (Padding::Pkcs1, HashAlgorithm::Sha384) => verify!(pkcs1v15, sha2::Sha384),
                (Padding::Pkcs1, HashAlgorithm::Sha512) => verify!(pkcs1v15, sha2::Sha512),
                (Padding::Pss, HashAlgorithm::Sha256) => verify!(pss, sha2::Sha256),
                (Padding::Pss, HashAlgorithm::Sha384) => verify!(pss, sha2::Sha384),
                (Padding::Pss, HashAlgorithm::Sha512) => verify!(pss, sha2::Sha512),
                (Padding::Pss, HashAlgorithm::Sha1) => return Err(InvalidSignature),
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
                hash: HashAlgorithm::$hash,
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
        use super::super::same_signature_algorithm;
        use super::*;

        #[test]
        fn rsa_pkcs1_parameters_may_be_absent_but_nothing_else_is_loosened() {
            let with_null = RSA_PKCS1_SHA1.as_ref();
            let (without_null, _) = with_null.split_at(with_null.len() - 2);
            assert!(same_signature_algorithm(with_null, without_null));
            let sha256 = alg_id::RSA_PKCS1_SHA256.as_ref();
            assert!(same_signature_algorithm(
                sha256,
                &sha256[..sha256.len() - 2]
            ));
            // Not for PSS, ECDSA, or other trailing bytes.
            let pss = alg_id::RSA_PSS_SHA256.as_ref();
            assert!(!same_signature_algorithm(pss, &pss[..11]));
            let ecdsa = alg_id::ECDSA_SHA256.as_ref();
            let mut ecdsa_null = ecdsa.to_vec();
            ecdsa_null.extend_from_slice(&[0x05, 0x00]);
            assert!(!same_signature_algorithm(&ecdsa_null, ecdsa));
            let mut other = without_null.to_vec();
            other.push(0x00);
            assert!(!same_signature_algorithm(with_null, &other));
        }

        #[test]
        fn legacy_sha1_is_only_in_the_legacy_sets() {
            for alg in ALL {
                assert_ne!(alg.signature_alg_id(), RSA_PKCS1_SHA1);
                assert_ne!(alg.signature_alg_id(), ECDSA_SHA1);
            }
            assert_eq!(ALL_WITH_LEGACY_SHA1.len(), ALL.len() + LEGACY_SHA1.len());
        }
    }
}
