//! Human names for what a response holds: distinguished names (RFC 4514, by x509-cert), OIDs
//! (const-oid's database), hex.

use std::fmt::Write as _;

use const_oid::ObjectIdentifier;
use const_oid::db::DB;
use x509_cert::der::Decode as _;
use x509_cert::name::Name;

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Dotted form of an OID's content bytes (`?` for a malformed one).
pub(crate) fn dotted(oid: &[u8]) -> String {
    ObjectIdentifier::from_bytes(oid).map_or_else(|_| "?".into(), |oid| oid.to_string())
}

/// The embedded SCT list of certificate transparency (RFC 6962 section 3.3), which OCSP
/// responses carry and const-oid's database (the RFCs of RFC 5280's family) does not name.
const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.5");

/// The name const-oid's database gives an OID (from the RFCs that define it), if any.
pub(crate) fn oid_name(oid: &[u8]) -> Option<&'static str> {
    let oid = ObjectIdentifier::from_bytes(oid).ok()?;
    if oid == SCT_LIST {
        return Some("signedCertificateTimestampList");
    }
    DB.by_oid(&oid)
}

/// The OID of an AlgorithmIdentifier's contents (the OID TLV first), named when known.
pub(crate) fn algorithm(contents: &[u8]) -> String {
    match contents {
        [0x06, len, rest @ ..] if usize::from(*len) <= rest.len() && *len < 0x80 => {
            let oid = &rest[..usize::from(*len)];
            oid_name(oid).map_or_else(|| dotted(oid), str::to_string)
        }
        _ => "?".into(),
    }
}

/// A distinguished name from its DER `Name`, as RFC 4514 writes it (`CN=...,O=...,C=...`).
pub(crate) fn name(der: &[u8]) -> String {
    match Name::from_der(der) {
        Ok(name) if name.is_empty() => "(empty)".into(),
        Ok(name) => name.to_string(),
        Err(_) => format!("<{}>", hex(der)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_names() {
        let nonce = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02];
        assert_eq!(dotted(&nonce), "1.3.6.1.5.5.7.48.1.2");
        assert_eq!(oid_name(&nonce), Some("id-pkix-ocsp-nonce"));
        assert_eq!(dotted(&[0x55, 0x1d, 0x25]), "2.5.29.37");
        assert_eq!(dotted(&[0x80]), "?");
        // C=XX, O=ocsp-verify test, CN=RSA Test CA
        let der = [
            0x30, 0x3e, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x58,
            0x58, 0x31, 0x19, 0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x10, b'o', b'c',
            b's', b'p', b'-', b'v', b'e', b'r', b'i', b'f', b'y', b' ', b't', b'e', b's', b't',
            0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0b, b'R', b'S', b'A',
            b' ', b'T', b'e', b's', b't', b' ', b'C', b'A',
        ];
        assert_eq!(name(&der), "CN=RSA Test CA,O=ocsp-verify test,C=XX");
        assert_eq!(name(&[0x30, 0x00]), "(empty)");
        // sha256WithRSAEncryption, NULL parameters
        let algorithm_der = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
        ];
        assert_eq!(algorithm(&algorithm_der), "sha256WithRSAEncryption");
    }
}
