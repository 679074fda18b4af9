//! ring's signature algorithms, as rustls' ring provider lists them in
//! `signature_verification_algorithms.all` (taken from rustls-webpki's statics). Shared by the
//! tests and, by path, the benchmarks.

use ocsp_verify::SignatureVerificationAlgorithm;

/// What rustls' ring provider lists in `signature_verification_algorithms.all`.
pub static RING: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];
