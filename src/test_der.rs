//! Unit tests' DER builder: certificates, keys and extensions put together field by field, so
//! that a module's tests can sit exactly on a boundary (a 2,047-bit RSA modulus, a version 1
//! certificate with extensions, a validity in 2050) without a fixture file for each.
//!
//! It encodes what it is told, valid or not: judging is the parser's job. Certificates are not
//! signed (the parsers never check); responses are, by the test PKI's P-256 CA, for the tests of
//! what comes after the signature check.

// The tests that use the request and response helpers need `std` (the request module's) or
// `ecdsa` (the verifier's); a build without them leaves those helpers unused.
#![cfg_attr(not(all(feature = "std", feature = "ecdsa")), allow(dead_code))]

extern crate std;

use std::vec::Vec;

use crate::oid;

/// A TLV with a minimal definite length (short form, or one to three length octets).
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = u32::try_from(content.len()).expect("a test value under 4 GiB");
    let octets = len.to_be_bytes();
    let skip = octets.iter().take_while(|b| **b == 0).count();
    let mut out = std::vec![tag];
    match len {
        0..0x80 => out.extend_from_slice(&octets[3..]),
        _ => {
            out.push(0x80 | u8::try_from(4 - skip).expect("at most four octets"));
            out.extend_from_slice(&octets[skip..]);
        }
    }
    out.extend_from_slice(content);
    out
}

/// `SEQUENCE { parts... }`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// An OBJECT IDENTIFIER element.
pub(crate) fn oid(id: &const_oid::ObjectIdentifier) -> Vec<u8> {
    tlv(0x06, id.as_bytes())
}

/// One `Extension` with `value` as the contents of its `extnValue` (criticality left to its
/// DEFAULT unless `critical`).
pub(crate) fn extension(id: &const_oid::ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    let critical: &[u8] = if critical { &[0x01, 0x01, 0xFF] } else { &[] };
    seq(&[&oid(id), critical, &tlv(0x04, value)])
}

/// The `ecdsa-with-SHA256` AlgorithmIdentifier (no parameters).
pub(crate) fn ecdsa_with_sha256() -> Vec<u8> {
    seq(&[&tlv(
        0x06,
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02],
    )])
}

/// An extendedKeyUsage value listing `purposes`.
pub(crate) fn extended_key_usage(purposes: &[&const_oid::ObjectIdentifier]) -> Vec<u8> {
    let encoded: Vec<Vec<u8>> = purposes.iter().map(|id| oid(id)).collect();
    tlv(0x30, &encoded.concat())
}

/// An RSA `SubjectPublicKeyInfo` (the whole SEQUENCE) whose modulus is `modulus_bits` long:
/// its top bit set, every other bit one, encoded as a positive INTEGER (with the leading zero
/// octet DER needs before a high bit). Exponent 65537.
pub(crate) fn rsa_spki(modulus_bits: usize) -> Vec<u8> {
    let len = modulus_bits.div_ceil(8);
    let mut modulus = std::vec![0xFF; len];
    let top_bits = modulus_bits - (len - 1) * 8;
    modulus[0] = u8::try_from((1u16 << top_bits) - 1).expect("at most eight bits");
    if modulus[0] & 0x80 != 0 {
        modulus.insert(0, 0x00);
    }
    let key = seq(&[&tlv(0x02, &modulus), &tlv(0x02, &[0x01, 0x00, 0x01])]);
    let mut bits = std::vec![0x00];
    bits.extend_from_slice(&key);
    seq(&[
        &seq(&[&oid(&oid::RSA_ENCRYPTION), &[0x05, 0x00]]),
        &tlv(0x03, &bits),
    ])
}

/// The parts of a certificate the parser reads, each settable.
#[derive(Clone, Debug)]
pub(crate) struct CertificateParts {
    /// The `[0] EXPLICIT` version's INTEGER value, or `None` to leave it to its DEFAULT (v1).
    pub(crate) version: Option<u8>,
    /// `notBefore` and `notAfter`, whole elements (UTCTime or GeneralizedTime).
    pub(crate) validity: [Vec<u8>; 2],
    /// The whole `SubjectPublicKeyInfo` element.
    pub(crate) spki: Vec<u8>,
    /// The extensions, each a whole `Extension`; `None` leaves out the `[3]` field.
    pub(crate) extensions: Option<Vec<Vec<u8>>>,
}

impl Default for CertificateParts {
    /// A v3 certificate valid through 2026 with a P-256 key and no extensions field.
    fn default() -> Self {
        let mut point = std::vec![0x04];
        point.extend_from_slice(&[0x11; 64]);
        let mut bits = std::vec![0x00];
        bits.extend_from_slice(&point);
        Self {
            version: Some(2),
            validity: [tlv(0x17, b"260101000000Z"), tlv(0x17, b"261231235959Z")],
            spki: seq(&[
                // id-ecPublicKey, secp256r1
                &seq(&[
                    &tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
                    &tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]),
                ]),
                &tlv(0x03, &bits),
            ]),
            extensions: None,
        }
    }
}

impl CertificateParts {
    /// The DER `Certificate`, with an ECDSA-with-SHA256 signature that signs nothing.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let algorithm = ecdsa_with_sha256();
        let name = seq(&[&tlv(
            0x31,
            &seq(&[&tlv(0x06, &[0x55, 0x04, 0x03]), &tlv(0x0C, b"test")]),
        )]);
        let version = self
            .version
            .map(|v| tlv(0xA0, &tlv(0x02, &[v])))
            .unwrap_or_default();
        let extensions = self
            .extensions
            .as_ref()
            .map(|list| tlv(0xA3, &tlv(0x30, &list.concat())))
            .unwrap_or_default();
        let tbs = seq(&[
            &version,
            &tlv(0x02, &[0x01]),
            &algorithm,
            &name,
            &seq(&[&self.validity[0], &self.validity[1]]),
            &name,
            &self.spki,
            &extensions,
        ]);
        seq(&[&tbs, &algorithm, &tlv(0x03, &[0x00, 0x01])])
    }
}

/// A GeneralizedTime element from its text, `YYYYMMDDHHMMSSZ`.
pub(crate) fn time(text: &str) -> Vec<u8> {
    tlv(0x18, text.as_bytes())
}

/// The SHA-1 `CertID` of `cert`, issued by `issuer`, as a response entry names it.
pub(crate) fn cert_id(cert: &crate::Certificate<'_>, issuer: &crate::Issuer<'_>) -> Vec<u8> {
    let sha1 = seq(&[&oid(&oid::SHA1), &[0x05, 0x00]]);
    let name_hash = crate::hash::sha1(cert.issuer());
    let key_hash = crate::hash::sha1(issuer.subject_public_key_info().public_key());
    seq(&[
        &sha1,
        &tlv(0x04, &name_hash),
        &tlv(0x04, &key_hash),
        &tlv(0x02, cert.serial()),
    ])
}

/// A `SingleResponse`: `status` is the whole `CertStatus` element (`[0x80, 0x00]` is good).
pub(crate) fn single_response(
    cert_id: &[u8],
    status: &[u8],
    this_update: &str,
    next_update: Option<&str>,
) -> Vec<u8> {
    let next_update = next_update.map(|t| tlv(0xA0, &time(t))).unwrap_or_default();
    seq(&[cert_id, status, &time(this_update), &next_update])
}

/// A `RevokedInfo` `CertStatus` with a reason.
pub(crate) fn revoked(time_text: &str, reason: u8) -> Vec<u8> {
    tlv(
        0xA1,
        &[time(time_text), tlv(0xA0, &[0x0A, 0x01, reason])].concat(),
    )
}

/// A `ResponseData` naming its signer by `key` (byKey), produced at 2026-01-01T00:00:00Z,
/// with `singles` and, when there are any, `extensions` (each a whole `Extension`).
pub(crate) fn response_data(
    key: &crate::views::SubjectPublicKeyInfo<'_>,
    singles: &[Vec<u8>],
    extensions: &[Vec<u8>],
) -> Vec<u8> {
    let by_key = tlv(0xA2, &tlv(0x04, &crate::hash::sha1(key.public_key())));
    let extensions = match extensions {
        [] => Vec::new(),
        list => tlv(0xA1, &tlv(0x30, &list.concat())),
    };
    seq(&[
        &by_key,
        &time("20260101000000Z"),
        &tlv(0x30, &singles.concat()),
        &extensions,
    ])
}

/// The test PKI's P-256 CA certificate, and its end-entity certificate.
pub(crate) const P256_CA: &[u8] = include_bytes!("../test-vectors/generated/pki/p256-ca.der");
pub(crate) const P256_EE: &[u8] = include_bytes!("../test-vectors/generated/pki/p256-ee.der");

/// A `BasicOCSPResponse` of `tbs` (a whole `ResponseData`) signed by the test PKI's P-256 CA
/// (ecdsa-with-SHA256, deterministic).
pub(crate) fn signed_by_p256_ca(tbs: &[u8]) -> Vec<u8> {
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::DecodePrivateKey;

    let pem = include_str!("../test-vectors/generated/pki/p256-ca.key");
    let key = p256::ecdsa::SigningKey::from_pkcs8_pem(pem).expect("the test PKI's key");
    let signature: p256::ecdsa::Signature = key.sign(tbs);
    let mut bits = std::vec![0x00];
    bits.extend_from_slice(signature.to_der().as_bytes());
    seq(&[tbs, &ecdsa_with_sha256(), &tlv(0x03, &bits)])
}
