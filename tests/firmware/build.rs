//! Links with cortex-m-rt's `link.x` and this crate's `memory.x`, and takes the trust anchor
//! the firmware embeds out of the CA certificate of the generated vectors.
//!
//! The trust anchor is the CA's subject Name and SubjectPublicKeyInfo in the form
//! `rustls_pki_types::TrustAnchor` holds them (and webpki's `anchor_from_trusted_cert` makes):
//! the *value* of each SEQUENCE, without its tag and length. The library's own parser reads
//! them (`Issuer::name`, `Issuer::subject_public_key_info_contents`); they are written to
//! `$OUT_DIR` as `issuer-name.der` and `issuer-spki.der`.
//!
//! With the `differential` feature it also writes `$OUT_DIR/differential.rs`: the number of
//! generated cases (`OCSP_DIFFERENTIAL_CASES`, 1,000 unless set) and every generated vector
//! whose response is signed with ECDSA (all P-256 but one P-384), from the vectors' manifest,
//! for `src/differential.rs` to verify with both backends.

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

    differential::write(&manifest, &out);
}

#[cfg(feature = "differential")]
mod differential {
    use std::fmt::Write as _;
    use std::{env, fs, path::Path};

    const MANIFEST: &str = "../../test-vectors/generated/manifest.json";
    /// The default number of generated cases: what CI runs.
    const DEFAULT_CASES: u32 = 1_000;

    pub fn write(manifest_dir: &Path, out: &Path) {
        println!("cargo:rerun-if-changed={MANIFEST}");
        println!("cargo:rerun-if-env-changed=OCSP_DIFFERENTIAL_CASES");
        let cases = env::var("OCSP_DIFFERENTIAL_CASES")
            .map(|n| {
                n.parse::<u32>()
                    .expect("OCSP_DIFFERENTIAL_CASES is a number")
            })
            .unwrap_or(DEFAULT_CASES);

        let generated = manifest_dir.join("../../test-vectors/generated");
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(manifest_dir.join(MANIFEST)).expect("manifest"))
                .expect("manifest is JSON");
        let mut code = format!("const CASES: u32 = {cases};\n\nstatic VECTORS: &[Vector] = &[\n");
        for entry in manifest.as_array().expect("a list of cases") {
            let algorithm = entry["parse"]["signature_algorithm"].as_str().unwrap_or("");
            // ecdsa-with-SHA256/384/512 (1.2.840.10045.4.3.x).
            if !algorithm.starts_with("1.2.840.10045.4.3.") {
                continue;
            }
            let file = |name: &str| {
                let path = generated.join(name);
                println!("cargo:rerun-if-changed={}", path.display());
                format!("include_bytes!({:?})", path.display().to_string())
            };
            let text = |key: &str| entry[key].as_str().expect("a string field");
            let seconds = |key: &str| entry["options"][key].as_u64().expect("a number option");
            let trusted: Vec<String> = entry["trusted_responders"]
                .as_array()
                .expect("a list")
                .iter()
                .map(|name| file(name.as_str().expect("a file name")))
                .collect();
            let nonce = match entry["nonce"].as_str() {
                Some(hex) => format!("Some(&{:?})", hex_bytes(hex)),
                None => "None".to_owned(),
            };
            writeln!(
                code,
                "    Vector {{ name: {:?}, response: {}, cert: {}, issuer: {}, trusted: &[{}], \
                 nonce: {nonce}, now: {}, skew: {}, max_age: {}, \
                 max_age_without_next_update: {}, max_lifetime: {}, max_response_len: {} }},",
                text("name"),
                file(text("response")),
                file(text("cert")),
                file(text("issuer")),
                trusted.join(", "),
                seconds_since_epoch(text("now")),
                seconds("skew"),
                seconds("max_age"),
                seconds("max_age_without_next_update"),
                seconds("max_lifetime"),
                seconds("max_response_size"),
            )
            .expect("writing to a String");
        }
        code.push_str("];\n");
        fs::write(out.join("differential.rs"), code).expect("OUT_DIR is writable");
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` to seconds since the Unix epoch (days from the civil date).
    fn seconds_since_epoch(value: &str) -> u64 {
        assert!(
            value.len() == 20 && value.ends_with('Z'),
            "not UTC RFC 3339: {value}"
        );
        let n = |range: std::ops::Range<usize>| value[range].parse::<u64>().expect("digits");
        let (year, month, day) = (n(0..4), n(5..7), n(8..10));
        let (year, shifted_month) = if month <= 2 {
            (year - 1, month + 9)
        } else {
            (year, month - 3)
        };
        let era = year / 400;
        let year_of_era = year - era * 400;
        let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
    }
}

#[cfg(not(feature = "differential"))]
mod differential {
    pub fn write(_: &std::path::Path, _: &std::path::Path) {}
}
