//! Links with cortex-m-rt's `link.x` and this crate's `memory.x`, and takes the trust anchor
//! the firmware embeds out of the CA certificate of the generated vectors.
//!
//! The trust anchor is the CA's subject Name and SubjectPublicKeyInfo in the form
//! `rustls_pki_types::TrustAnchor` holds them (and webpki's `anchor_from_trusted_cert` makes):
//! the *value* of each SEQUENCE, without its tag and length. The library's own parser reads
//! them (`Issuer::name`, `Issuer::subject_public_key_info_contents`); they are written to
//! `$OUT_DIR` as `issuer-name.der` and `issuer-spki.der`.

use std::{env, fs, path::PathBuf};

use ocsp_verify::{Certificate, Issuer};

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
    let ca = Certificate::from_der(&der).expect("a DER certificate");
    let anchor = Issuer::from(&ca);
    fs::write(out.join("issuer-name.der"), anchor.name()).expect("OUT_DIR is writable");
    fs::write(
        out.join("issuer-spki.der"),
        anchor.subject_public_key_info_contents(),
    )
    .expect("OUT_DIR is writable");
}
