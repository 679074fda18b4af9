//! Human names for what a response holds: distinguished names, OIDs, hex.

use std::fmt::Write as _;

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
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for byte in oid {
        value = match value.checked_mul(128) {
            Some(v) => v | u64::from(byte & 0x7F),
            None => return "?".into(),
        };
        if byte & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// A name for the OIDs an operator meets in OCSP responses and responder certificates.
pub(crate) fn oid_name(oid: &[u8]) -> Option<&'static str> {
    Some(match dotted(oid).as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.3.6.1.5.5.7.48.1.2" => "nonce",
        "1.3.6.1.5.5.7.48.1.3" => "crlId",
        "1.3.6.1.5.5.7.48.1.6" => "archiveCutoff",
        "1.3.6.1.5.5.7.48.1.7" => "serviceLocator",
        "1.3.6.1.4.1.11129.2.4.5" => "signedCertificateTimestampList",
        "2.5.29.21" => "reasonCode",
        "2.5.29.24" => "invalidityDate",
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        _ => return None,
    })
}

/// The OID of an AlgorithmIdentifier's contents, named when known.
pub(crate) fn algorithm(contents: &[u8]) -> String {
    match tlv(contents) {
        Some((0x06, oid, _)) => oid_name(oid).map_or_else(|| dotted(oid), str::to_string),
        _ => "?".into(),
    }
}

/// One TLV off the front of `input`: (tag, value, rest). Short and long definite lengths; the
/// library has already checked the encoding strictly, this only walks it.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(count);
        (
            len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    Some((tag, value, rest))
}

/// A distinguished name from its DER `Name`, in RFC 4514 order of appearance reversed to the
/// usual reading (`CN=..., O=..., C=...`).
pub(crate) fn name(der: &[u8]) -> String {
    let Some((0x30, mut rdns, _)) = tlv(der) else {
        return format!("<{}>", hex(der));
    };
    let mut parts = Vec::new();
    while let Some((0x31, mut set, rest)) = tlv(rdns) {
        rdns = rest;
        let mut attributes = Vec::new();
        while let Some((0x30, attribute, rest)) = tlv(set) {
            set = rest;
            let Some((0x06, oid, value)) = tlv(attribute) else {
                break;
            };
            let key = oid_name(oid).map_or_else(|| dotted(oid), str::to_string);
            let value = match tlv(value) {
                // PrintableString, UTF8String, IA5String, TeletexString, VisibleString
                Some((0x13 | 0x0C | 0x16 | 0x14 | 0x1A, text, _)) => {
                    String::from_utf8_lossy(text).into_owned()
                }
                // BMPString
                Some((0x1E, text, _)) => char::decode_utf16(
                    text.chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])),
                )
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect(),
                Some((_, other, _)) => format!("#{}", hex(other)),
                None => "?".into(),
            };
            attributes.push(format!("{key}={}", value.replace(',', "\\,")));
        }
        parts.push(attributes.join("+"));
    }
    parts.reverse();
    if parts.is_empty() {
        "(empty)".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_names() {
        assert_eq!(
            dotted(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02]),
            "1.3.6.1.5.5.7.48.1.2"
        );
        assert_eq!(dotted(&[0x55, 0x1d, 0x25]), "2.5.29.37");
        assert_eq!(dotted(&[0x88, 0x37]), "2.999");
        // C=XX, O=ocsp-verify test, CN=RSA Test CA
        let der = [
            0x30, 0x3e, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x58,
            0x58, 0x31, 0x19, 0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x10, b'o', b'c',
            b's', b'p', b'-', b'v', b'e', b'r', b'i', b'f', b'y', b' ', b't', b'e', b's', b't',
            0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0b, b'R', b'S', b'A',
            b' ', b'T', b'e', b's', b't', b' ', b'C', b'A',
        ];
        assert_eq!(name(&der), "CN=RSA Test CA, O=ocsp-verify test, C=XX");
        assert_eq!(name(&[0x30, 0x00]), "(empty)");
    }
}
