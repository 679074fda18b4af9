//! Signed data and public keys, and checking a signature with the caller's algorithms: the
//! AlgorithmIdentifiers are matched against rustls-pki-types' [`SignatureVerificationAlgorithm`]s,
//! whose list is the caller's algorithm policy. The implementations live elsewhere (the crate's
//! RustCrypto ones in `rustcrypto.rs`, or a rustls `CryptoProvider`'s).

use rustls_pki_types::SignatureVerificationAlgorithm;

#[cfg(any(
    feature = "ecdsa",
    all(feature = "p256-cortex-m4", target_arch = "arm")
))]
use crate::der::single;
use crate::der::{Der, Tlv, algorithm_identifier, tag};
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

/// A `SubjectPublicKeyInfo`, borrowed.
///
/// ```text
/// SubjectPublicKeyInfo  ::=  SEQUENCE  {
///      algorithm            AlgorithmIdentifier,
///      subjectPublicKey     BIT STRING  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubjectPublicKeyInfo<'a> {
    algorithm: &'a [u8],
    public_key: &'a [u8],
}

impl<'a> SubjectPublicKeyInfo<'a> {
    /// The contents of the `algorithm` AlgorithmIdentifier (OID and parameters, without the
    /// outer SEQUENCE), in the form rustls-pki-types' `AlgorithmIdentifier` uses.
    pub fn algorithm(&self) -> &'a [u8] {
        self.algorithm
    }

    /// The `subjectPublicKey` bits (the BIT STRING contents after the unused-bits octet).
    /// This is what an OCSP `issuerKeyHash` and a byKey `ResponderID` hash.
    pub fn public_key(&self) -> &'a [u8] {
        self.public_key
    }

    /// Parses a whole `SubjectPublicKeyInfo` element.
    pub(crate) fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        if tlv.tag != tag::SEQUENCE {
            return Err(Error::BadDer(Structure::SubjectPublicKeyInfo));
        }
        Self::from_contents(tlv.value)
    }

    /// Parses the contents of a `SubjectPublicKeyInfo` (without its SEQUENCE header), the form
    /// a pki-types `TrustAnchor` keeps.
    pub(crate) fn from_contents(contents: &'a [u8]) -> Result<Self, Error> {
        let mut der = Der::new(contents, Structure::SubjectPublicKeyInfo);
        let algorithm = algorithm_identifier(&mut der)?;
        let public_key = der.bit_string_octets()?;
        der.finish()?;
        Ok(Self {
            algorithm,
            public_key,
        })
    }
}

/// An ECDSA signature in strict DER, to the fixed `r || s` form `out` holds (each half the
/// field size, left-padded with zeros). `None` unless it is exactly one well-formed
/// `ECDSA-Sig-Value` with positive, minimally encoded integers that fit the field.
///
/// ```text
/// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }   -- RFC 3279 section 2.2.3
/// ```
///
/// Read with the crate's own DER reader rather than the `ecdsa` crate's `DerSignature`: that
/// one decodes through the `der` crate, which on a Cortex-M firmware image is 1.4 KB of code
/// the crate's reader already does (the firmware's code-size budget is 48 KiB). The rules are
/// the same, and `p256`/`p384` then refuse zero or out-of-range scalars. Both backends (the
/// RustCrypto one and the Cortex-M4 one) read signatures here, so that they accept the same
/// encodings.
#[cfg(any(
    feature = "ecdsa",
    all(feature = "p256-cortex-m4", target_arch = "arm")
))]
pub(crate) fn fixed_signature(signature: &[u8], out: &mut [u8]) -> Option<()> {
    let at = Structure::Signature;
    let mut der = Der::new(single(signature, tag::SEQUENCE, at).ok()?.value, at);
    let (r_out, s_out) = out.split_at_mut(out.len() / 2);
    for half in [r_out, s_out] {
        let value = match der.read(tag::INTEGER).ok()? {
            // A leading zero only before a high bit (minimal), and no negative value.
            [0x00, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => rest,
            value @ [first, ..] if first & 0x80 == 0 && *first != 0 => value,
            _ => return None,
        };
        let start = half.len().checked_sub(value.len())?;
        half.get_mut(start..)?.copy_from_slice(value);
    }
    der.finish().ok()
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

#[cfg(test)]
mod tests {
    extern crate std;

    use rustls_pki_types::alg_id;

    use super::*;

    #[test]
    fn rsa_pkcs1_parameters_may_be_absent_but_nothing_else_is_loosened() {
        // sha1WithRSAEncryption with NULL parameters.
        let with_null = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
        ];
        let (without_null, _) = with_null.split_at(with_null.len() - 2);
        assert!(same_signature_algorithm(&with_null, without_null));
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
        assert!(!same_signature_algorithm(&with_null, &other));
        // Only the four PKCS#1 v1.5 arcs (5, 11, 12, 13) of the PKCS#1 OID, and no OID that
        // merely ends in one of them.
        let mut arc_10 = without_null.to_vec();
        *arc_10.last_mut().unwrap() = 10;
        let arc_10_null = [&arc_10[..], &[0x05, 0x00]].concat();
        assert!(!same_signature_algorithm(&arc_10_null, &arc_10));
        let ends_in_5 = [0x06, 0x03, 0x55, 0x04, 0x05];
        let ends_in_5_null = [&ends_in_5[..], &[0x05, 0x00]].concat();
        assert!(!same_signature_algorithm(&ends_in_5_null, &ends_in_5));
    }

    fn rsa_bits(modulus_bits: usize) -> Result<Option<usize>, Error> {
        let spki = crate::test_der::rsa_spki(modulus_bits);
        let spki = SubjectPublicKeyInfo::from_tlv(Der::new(&spki, Structure::Signature).any()?)?;
        rsa_modulus_bits(&spki)
    }

    #[test]
    fn rsa_modulus_length_is_counted_to_the_bit() {
        // Whole octets with the top bit set (a leading zero octet in the INTEGER), and
        // lengths whose first octet has leading zero bits, around both limits.
        for bits in [
            8, 9, 15, 16, 1024, 2040, 2041, 2047, 2048, 2049, 2055, 2056, 4096, 16_383, 16_384,
        ] {
            assert_eq!(rsa_bits(bits), Ok(Some(bits)), "{bits} bits");
        }
        // The cap: a modulus of more than 2,048 octets (16,384 bits) is refused, as is an
        // empty one or one of only zero bits.
        let bad = Err(Error::BadDer(Structure::SubjectPublicKeyInfo));
        assert_eq!(rsa_bits(16_385), bad);
        assert_eq!(rsa_bits(16_392), bad);
        let rsa = crate::test_der::seq(&[&crate::test_der::oid(&oid::RSA_ENCRYPTION), &[5, 0]]);
        for modulus in [&[][..], &[0x00], &[0x00, 0x00, 0x80]] {
            let key = crate::test_der::seq(&[
                &crate::test_der::tlv(tag::INTEGER, modulus),
                &[0x02, 0x01, 0x03],
            ]);
            let spki = SubjectPublicKeyInfo {
                algorithm: &rsa[2..],
                public_key: &key,
            };
            assert_eq!(rsa_modulus_bits(&spki), bad, "{modulus:02x?}");
        }
        // A key that is not RSA has no modulus.
        let spki = crate::test_der::CertificateParts::default().spki;
        let spki =
            SubjectPublicKeyInfo::from_tlv(Der::new(&spki, Structure::Signature).any().unwrap());
        assert_eq!(rsa_modulus_bits(&spki.unwrap()), Ok(None));
    }

    #[test]
    fn rsa_keys_below_2048_bits_are_refused_before_any_algorithm_is_tried() {
        assert_eq!(MIN_RSA_MODULUS_BITS, 2048);
        let signed = SignedData {
            data: b"tbs",
            algorithm: alg_id::RSA_PKCS1_SHA256.as_ref(),
            signature: &[0x01],
        };
        let verify = |bits: usize| {
            let spki = crate::test_der::rsa_spki(bits);
            let tlv = Der::new(&spki, Structure::Signature).any().unwrap();
            // No algorithm at all: a key of an acceptable size gets as far as finding none.
            verify_signed_data(&[], &SubjectPublicKeyInfo::from_tlv(tlv).unwrap(), &signed)
        };
        assert_eq!(verify(1024), Err(Error::RsaKeyTooSmall));
        assert_eq!(verify(2047), Err(Error::RsaKeyTooSmall));
        assert_eq!(verify(2048), Err(Error::UnsupportedSignatureAlgorithm));
        assert_eq!(verify(2049), Err(Error::UnsupportedSignatureAlgorithm));
        assert_eq!(verify(16_384), Err(Error::UnsupportedSignatureAlgorithm));
        assert_eq!(
            verify(16_385),
            Err(Error::BadDer(Structure::SubjectPublicKeyInfo))
        );
    }

    #[cfg(feature = "ecdsa")]
    #[test]
    fn ecdsa_signatures_are_strict_der() {
        let read = |der: &[u8]| {
            let mut out = [0u8; 4];
            fixed_signature(der, &mut out).map(|()| out)
        };
        // r = 1, s = 0x80 (a leading zero before the high bit).
        assert_eq!(
            read(&[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]),
            Some([0, 1, 0, 0x80])
        );
        for bad in [
            &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80][..], // negative s
            &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01], // non-minimal r
            &[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01],     // zero r
            &[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01],     // truncated
            &[0x30, 0x08, 0x02, 0x03, 0x01, 0x02, 0x03, 0x02, 0x01, 0x01], // r too long
            &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00], // trailing byte
            &[0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00], // a third element
            &[0x30, 0x03, 0x02, 0x01, 0x01],                       // no s
        ] {
            assert_eq!(read(bad), None, "{bad:02x?}");
        }
    }
}
