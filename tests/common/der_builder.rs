//! A small DER encoder for tests: builds OCSP responses field by field, so that property tests
//! can vary one field around a valid template and re-sign the result with a test key.
//!
//! It encodes what it is told, including what DER or RFC 6960 forbid (a reason code of 7, an
//! empty extension list, an explicit FALSE): deciding what is valid is the verifier's job, and
//! the tests' expectations say what it must decide.

use std::time::Duration;

use ocsp_verify::{Certificate, UnixTime};
use sha1::{Digest as _, Sha1};

/// A TLV with a minimal definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(length(content.len()));
    out.extend_from_slice(content);
    out
}

/// A minimal DER length.
pub fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![u8::try_from(len).unwrap()];
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut out = vec![0x80 | u8::try_from(bytes.len() - skip).unwrap()];
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// `SEQUENCE { parts... }`.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// `[n] EXPLICIT` (constructed context tag).
pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, content)
}

/// `[n] IMPLICIT` of a primitive type.
pub fn implicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0x80 | n, content)
}

pub fn octets(content: &[u8]) -> Vec<u8> {
    tlv(0x04, content)
}

/// A BIT STRING with no unused bits.
pub fn bits(content: &[u8]) -> Vec<u8> {
    let mut value = vec![0];
    value.extend_from_slice(content);
    tlv(0x03, &value)
}

pub fn boolean(value: bool) -> Vec<u8> {
    tlv(0x01, &[if value { 0xFF } else { 0x00 }])
}

/// A non-negative INTEGER or ENUMERATED (`tag`), minimally encoded.
pub fn unsigned(tag: u8, value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(tag, &content)
}

/// An OBJECT IDENTIFIER from its dotted form.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut content = Vec::new();
    let mut push = |mut arc: u64| {
        let mut groups = vec![u8::try_from(arc & 0x7F).unwrap()];
        arc >>= 7;
        while arc > 0 {
            groups.push(0x80 | u8::try_from(arc & 0x7F).unwrap());
            arc >>= 7;
        }
        content.extend(groups.iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    for arc in &arcs[2..] {
        push(*arc);
    }
    tlv(0x06, &content)
}

/// `YYYYMMDDHHMMSSZ` for unix seconds.
pub fn generalized_time(secs: u64) -> Vec<u8> {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let text = format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    );
    tlv(0x18, text.as_bytes())
}

/// Howard Hinnant's days-to-civil algorithm, for days since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

pub fn unix(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// id-pkix-ocsp-nonce.
pub const NONCE_OID: &str = "1.3.6.1.5.5.7.48.1.2";
/// The CT SCT list in an OCSP response.
pub const SCT_LIST_OID: &str = "1.3.6.1.4.1.11129.2.4.5";
/// id-pkix-ocsp-basic.
pub const OCSP_BASIC_OID: &str = "1.3.6.1.5.5.7.48.1.1";

/// `ecdsa-with-SHA256`, no parameters, as a whole AlgorithmIdentifier.
pub fn ecdsa_with_sha256() -> Vec<u8> {
    seq(&[&oid("1.2.840.10045.4.3.2")])
}

/// `sha1`, NULL parameters, as a whole AlgorithmIdentifier.
pub fn sha1_algorithm() -> Vec<u8> {
    seq(&[&oid("1.3.14.3.2.26"), &[0x05, 0x00]])
}

/// One `Extension`.
#[derive(Clone, Debug)]
pub struct Ext {
    pub oid: String,
    /// `None` leaves the DEFAULT out; `Some(false)` encodes it anyway (tolerated).
    pub critical: Option<bool>,
    /// The contents of `extnValue`.
    pub value: Vec<u8>,
}

impl Ext {
    pub fn encode(&self) -> Vec<u8> {
        let critical = self.critical.map(boolean).unwrap_or_default();
        seq(&[&oid(&self.oid), &critical, &octets(&self.value)])
    }

    pub fn is_critical(&self) -> bool {
        self.critical == Some(true)
    }
}

/// `[n] EXPLICIT Extensions`, or nothing when `list` is `None`.
pub fn extensions(n: u8, list: Option<&[Ext]>) -> Vec<u8> {
    match list {
        Some(list) => {
            let encoded: Vec<Vec<u8>> = list.iter().map(Ext::encode).collect();
            let parts: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
            explicit(n, &seq(&parts))
        }
        None => Vec::new(),
    }
}

/// `CertStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Good,
    Revoked { time: u64, reason: Option<u8> },
    Unknown,
}

impl Status {
    pub fn encode(self) -> Vec<u8> {
        match self {
            Status::Good => implicit(0, &[]),
            Status::Unknown => implicit(2, &[]),
            Status::Revoked { time, reason } => {
                let reason = reason
                    .map(|r| explicit(0, &unsigned(0x0A, u64::from(r))))
                    .unwrap_or_default();
                tlv(0xA1, &[generalized_time(time), reason].concat())
            }
        }
    }
}

/// `CertID` with a SHA-1 hash of `cert`'s issuer name and `issuer`'s key, and `serial` (the
/// INTEGER's content bytes).
pub fn cert_id(cert: &Certificate<'_>, issuer: &Certificate<'_>, serial: &[u8]) -> Vec<u8> {
    let name_hash = Sha1::digest(cert.issuer());
    let key_hash = Sha1::digest(issuer.subject_public_key_info().public_key());
    seq(&[
        &sha1_algorithm(),
        &octets(&name_hash),
        &octets(&key_hash),
        &tlv(0x02, serial),
    ])
}

/// One `SingleResponse`.
#[derive(Clone, Debug)]
pub struct Single {
    /// The whole `CertID` encoding.
    pub cert_id: Vec<u8>,
    pub status: Status,
    pub this_update: u64,
    pub next_update: Option<u64>,
    pub extensions: Option<Vec<Ext>>,
}

impl Single {
    pub fn encode(&self) -> Vec<u8> {
        let next_update = self
            .next_update
            .map(|t| explicit(0, &generalized_time(t)))
            .unwrap_or_default();
        seq(&[
            &self.cert_id,
            &self.status.encode(),
            &generalized_time(self.this_update),
            &next_update,
            &extensions(1, self.extensions.as_deref()),
        ])
    }
}

/// `ResponderID`.
#[derive(Clone, Debug)]
pub enum Responder {
    /// The whole Name TLV.
    ByName(Vec<u8>),
    /// SHA-1 of the key bits.
    ByKey(Vec<u8>),
}

impl Responder {
    pub fn by_name(cert: &Certificate<'_>) -> Self {
        Responder::ByName(cert.subject().to_vec())
    }

    pub fn by_key(cert: &Certificate<'_>) -> Self {
        Responder::ByKey(Sha1::digest(cert.subject_public_key_info().public_key()).to_vec())
    }

    pub fn encode(&self) -> Vec<u8> {
        match self {
            Responder::ByName(name) => explicit(1, name),
            Responder::ByKey(hash) => explicit(2, &octets(hash)),
        }
    }
}

/// `ResponseData`.
#[derive(Clone, Debug)]
pub struct ResponseData {
    pub responder: Responder,
    pub produced_at: u64,
    /// Encoded `SingleResponse`s.
    pub singles: Vec<Vec<u8>>,
    pub extensions: Option<Vec<Ext>>,
}

impl ResponseData {
    pub fn encode(&self) -> Vec<u8> {
        let singles: Vec<&[u8]> = self.singles.iter().map(Vec::as_slice).collect();
        seq(&[
            &self.responder.encode(),
            &generalized_time(self.produced_at),
            &seq(&singles),
            &extensions(1, self.extensions.as_deref()),
        ])
    }
}

/// `BasicOCSPResponse` from the encoded `tbsResponseData`, the whole signature
/// AlgorithmIdentifier, the signature and the certificates to embed.
pub fn basic_response(tbs: &[u8], algorithm: &[u8], signature: &[u8], certs: &[&[u8]]) -> Vec<u8> {
    let certs = if certs.is_empty() {
        Vec::new()
    } else {
        explicit(0, &seq(certs))
    };
    seq(&[tbs, algorithm, &bits(signature), &certs])
}

/// A successful `OCSPResponse` around a `BasicOCSPResponse`.
pub fn ocsp_response(basic: &[u8]) -> Vec<u8> {
    seq(&[
        &unsigned(0x0A, 0),
        &explicit(0, &seq(&[&oid(OCSP_BASIC_OID), &octets(basic)])),
    ])
}

/// An ECDSA P-256 key of the test PKI (`test-vectors/generated/pki/NAME.key`).
pub struct P256Key(p256::ecdsa::SigningKey);

impl P256Key {
    pub fn load(name: &str) -> Self {
        Self::from_pkcs8_pem(
            &String::from_utf8(super::read(format!("generated/pki/{name}.key"))).unwrap(),
        )
    }

    /// A key from PKCS#8 PEM (what `openssl req -newkey ec -nodes` writes).
    pub fn from_pkcs8_pem(pem: &str) -> Self {
        use p256::pkcs8::DecodePrivateKey;
        Self(p256::ecdsa::SigningKey::from_pkcs8_pem(pem).unwrap())
    }

    /// A key from its 32-byte scalar: a key nobody trusts, to forge with.
    pub fn from_scalar(scalar: &[u8; 32]) -> Self {
        Self(p256::ecdsa::SigningKey::from_slice(scalar).unwrap())
    }

    /// An ecdsa-with-SHA256 signature (DER `Ecdsa-Sig-Value`), deterministic (RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer;
        let signature: p256::ecdsa::Signature = self.0.sign(message);
        signature.to_der().as_bytes().to_vec()
    }

    /// The whole signed `OCSPResponse` for `data`, embedding `certs`.
    pub fn respond(&self, data: &ResponseData, certs: &[&[u8]]) -> Vec<u8> {
        let tbs = data.encode();
        let signature = self.sign(&tbs);
        ocsp_response(&basic_response(
            &tbs,
            &ecdsa_with_sha256(),
            &signature,
            certs,
        ))
    }
}
