//! ECDSA P-256 on ARMv7E-M (Cortex-M4, M7, and the M33 with its DSP extension): Emil
//! Lundberg's P256-Cortex-M4 (assembly and C), through the `p256-cortex-m4` crate's safe API,
//! in the same [`SignatureVerificationAlgorithm`] slot as the portable `rustcrypto`
//! algorithms. Feature `p256-cortex-m4`; compiled only for
//! `target_arch = "arm"` (elsewhere the module does not exist, whatever the features).
//!
//! On QEMU's Cortex-M4 a verification takes about a twentieth of the instructions of the
//! portable RustCrypto arithmetic, in less code: `docs/firmware.md` in the repository has the
//! figures and why this implementation was chosen over the others.
//!
//! # The same verdicts as RustCrypto
//!
//! The verdicts are RustCrypto `p256`'s, input for input; a differential run under QEMU holds
//! the two together (`tests/firmware`). What each step does to get there:
//!
//! - The signature is read by the same strict DER reader as the RustCrypto backend's
//!   (`ECDSA-Sig-Value`, minimal positive INTEGERs of at most 32 bytes, nothing after it).
//! - `r` and `s` must be in `1..n`: P256-Cortex-M4's `p256_verify` checks both first, as
//!   `p256`'s `Signature::from_slice` does. A high `s` is accepted by both: ECDSA verification
//!   as specified does not normalise `s`.
//! - The public key is a SEC1 point, decoded by the rules of `p256`'s `from_sec1_bytes`:
//!   uncompressed (`04 || x || y`, both coordinates below `p`, on the curve), compressed
//!   (`02`/`03 || x`, `x` below `p` with a square root, the root of the parity the tag names)
//!   or compact (`05 || x`: the smaller of the two roots). The identity (`00`), the hybrid
//!   encodings P256-Cortex-M4 alone would take (`06`/`07`) and every other length or tag are
//!   refused. No key can be the point at infinity: every accepted encoding is affine.
//! - The digest is the algorithm's; both take its leftmost 256 bits as the integer `e` (SEC1
//!   section 4.1.4, step 5) and accept when `x(u1 G + u2 Q) mod n` is `r`.
//!
//! No `unsafe` here: `p256-cortex-m4`'s API is safe. Its own `unsafe` (the calls into the C and
//! assembly) is reached only with the lengths it expects: 65- or 33-byte points, 64-byte
//! signatures and a non-empty digest (it indexes the first byte of each).

use core::fmt;

use p256_cortex_m4::{PublicKey, Signature};
use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};

use crate::signed::fixed_signature;

/// ECDSA on P-256 with the hash `H`, verified by P256-Cortex-M4.
struct Cm4Ecdsa<H> {
    name: &'static str,
    signature_alg_id: AlgorithmIdentifier,
    _hash: core::marker::PhantomData<fn() -> H>,
}

impl<H> fmt::Debug for Cm4Ecdsa<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl<H: sha2::Digest> SignatureVerificationAlgorithm for Cm4Ecdsa<H> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        verify_prehash(public_key, &H::digest(message), signature).ok_or(InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P256
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

/// Verifies a DER `signature` over the digest `prehash` with the SEC1 `public_key`.
pub(crate) fn verify_prehash(public_key: &[u8], prehash: &[u8], signature: &[u8]) -> Option<()> {
    let key = public_key_from_sec1(public_key)?;
    let mut fixed = [0u8; 64];
    fixed_signature(signature, &mut fixed)?;
    // `from_untagged_bytes` converts r and s; their range (1..n) is checked by `p256_verify`
    // itself before anything else, whatever this conversion says.
    let signature = Signature::from_untagged_bytes(&fixed).ok()?;
    if prehash.is_empty() {
        return None;
    }
    key.verify_prehashed(prehash, &signature).then_some(())
}

/// A SEC1-encoded point, by the rules of `p256::PublicKey::from_sec1_bytes`. P256-Cortex-M4's
/// own decoder checks the range of the coordinates, that the point is on the curve, and
/// decompresses; it is given only the encodings `p256` takes with the lengths they must have.
fn public_key_from_sec1(public_key: &[u8]) -> Option<PublicKey> {
    match public_key {
        [0x04, rest @ ..] if rest.len() == 64 => PublicKey::from_sec1_bytes(public_key).ok(),
        [0x02 | 0x03, rest @ ..] if rest.len() == 32 => PublicKey::from_sec1_bytes(public_key).ok(),
        // Compact (draft-jivsov-ecc-compact): of the two points with this x, the one whose y
        // is the smaller integer, which is what `p256` decompacts to. Big-endian byte strings
        // of one length compare as the integers they encode.
        [0x05, x @ ..] if x.len() == 32 => {
            let mut compressed = [0x02; 33];
            compressed.get_mut(1..)?.copy_from_slice(x);
            let even = PublicKey::from_sec1_bytes(&compressed).ok()?;
            compressed[0] = 0x03;
            let odd = PublicKey::from_sec1_bytes(&compressed).ok()?;
            Some(if even.y() <= odd.y() { even } else { odd })
        }
        _ => None,
    }
}

macro_rules! cm4_algorithm {
    ($(#[$doc:meta])* $name:ident, $hash:ty, $signature_id:expr) => {
        $(#[$doc])*
        pub static $name: &dyn SignatureVerificationAlgorithm = &Cm4Ecdsa::<$hash> {
            name: stringify!($name),
            signature_alg_id: $signature_id,
            _hash: core::marker::PhantomData,
        };
    };
}

cm4_algorithm!(
    /// ECDSA on P-256 with SHA-256, on P256-Cortex-M4.
    ECDSA_P256_SHA256, sha2::Sha256, alg_id::ECDSA_SHA256
);
cm4_algorithm!(
    /// ECDSA on P-256 with SHA-384, on P256-Cortex-M4 (links the SHA-512 core).
    ECDSA_P256_SHA384, sha2::Sha384, alg_id::ECDSA_SHA384
);

/// Both P-256 algorithms: SHA-256 and SHA-384. The same algorithms as the P-256 half of
/// `rustcrypto::ECDSA`, for a device whose PKI signs only with P-256.
pub static ECDSA_P256: &[&dyn SignatureVerificationAlgorithm] =
    &[ECDSA_P256_SHA256, ECDSA_P256_SHA384];
