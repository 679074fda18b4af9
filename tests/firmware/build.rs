//! Links with cortex-m-rt's `link.x` and this crate's `memory.x`, and extracts the trust anchor
//! the firmware embeds from the CA certificate of the generated vectors.
//!
//! The trust anchor is the CA's subject Name and SubjectPublicKeyInfo in the form
//! `rustls_pki_types::TrustAnchor` holds them (and webpki's `anchor_from_trusted_cert` makes):
//! the *value* of each SEQUENCE, without its tag and length. Written to `$OUT_DIR` as
//! `issuer-name.der` and `issuer-spki.der`; the firmware checks on the device that they are what
//! the library reads from the certificate.

use std::{env, fs, path::PathBuf};

const CA_CERT: &str = "../../test-vectors/generated/pki/p256-ca.der";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));

    // memory.x is found through the search path; link.x (cortex-m-rt) includes it.
    println!("cargo:rustc-link-search={}", manifest.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed={CA_CERT}");

    let der = fs::read(manifest.join(CA_CERT)).expect("the CA certificate of the vectors");
    let (name, spki) = trust_anchor(&der).expect("a DER certificate");
    fs::write(out.join("issuer-name.der"), name).expect("OUT_DIR is writable");
    fs::write(out.join("issuer-spki.der"), spki).expect("OUT_DIR is writable");
}

/// The values of `tbsCertificate.subject` and `tbsCertificate.subjectPublicKeyInfo`.
fn trust_anchor(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let (certificate, _) = tlv(cert, 0x30)?;
    let (mut tbs, _) = tlv(certificate, 0x30)?;
    // version [0] EXPLICIT, when present
    if tbs.first() == Some(&0xa0) {
        tbs = tlv(tbs, 0xa0)?.1;
    }
    let tbs = tlv(tbs, 0x02)?.1; // serialNumber
    let tbs = tlv(tbs, 0x30)?.1; // signature AlgorithmIdentifier
    let tbs = tlv(tbs, 0x30)?.1; // issuer
    let tbs = tlv(tbs, 0x30)?.1; // validity
    let (subject, tbs) = tlv(tbs, 0x30)?;
    let (spki, _) = tlv(tbs, 0x30)?;
    Some((subject, spki))
}

/// Splits one definite-length DER element with `tag` off the front of `input`: its value, and
/// what follows it.
fn tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, mut rest) = rest.split_first()?;
    let len = if len_byte < 0x80 {
        usize::from(len_byte)
    } else {
        let count = usize::from(len_byte & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0, |len, &b| (len << 8) | usize::from(b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}
