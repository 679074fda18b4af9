//! Requests against fixed, hand-checked bytes (always), against the openssl CLI's reading and
//! writing of them (failing with a message when openssl is absent), and in their GET form.

// Test code: a panic is a failed test. clippy.toml exempts `#[test]` functions from the
// restriction lints; this exempts the helpers beside them as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::fs;

use ocsp_verify::requests::{HttpMethod, OcspRequest, ReqCert, RequestBuilder, write_get_url};
use ocsp_verify::{Certificate, Error, HashAlgorithm, Issuer};

const CERT: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Cert_EE.der");
const ISSUER: &[u8] = include_bytes!("../test-vectors/real-world/openssl/ND1_Issuer_ICA.der");

/// Hex digits to bytes; whitespace is ignored, and so is the rest of a line after `--` (an
/// ASN.1 comment).
fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .lines()
        .flat_map(|line| line.split("--").next().unwrap_or("").bytes())
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| u8::from_str_radix(std::str::from_utf8(&[b]).unwrap(), 16).unwrap())
        .collect();
    digits
        .chunks(2)
        .map(|pair| pair[0] << 4 | pair[1])
        .collect()
}

fn encode(request: &RequestBuilder<'_>, nonce: Option<&[u8]>) -> Vec<u8> {
    let mut der = vec![0; request.encoded_len(nonce).unwrap()];
    let len = request.encode(nonce, &mut der).unwrap();
    assert_eq!(len, der.len());
    der
}

/// The hashes, as `openssl ocsp -issuer ND1_Issuer_ICA.pem -cert ND1_Cert_EE.pem -req_text`
/// prints them, and the serial, as `openssl x509 -serial` prints it.
const NAME_HASH_SHA1: &str = "48B60D38238DF8456E4EE5843EA394111802979F";
const KEY_HASH_SHA1: &str = "884451FF502A695E2D88F421BAD90CF2CECBEA7C";
const NAME_HASH_SHA256: &str = "590F5DCCF265DAA1150C06AD9E152805D4F6C5998C2347410BEF69B04E6780FB";
const KEY_HASH_SHA256: &str = "C2ACAF47857233CC9DE3585253A0A17742FCE565820762DF0B3E8EF3AEA6E9F3";
const SERIAL: &str = "22E1332220A048DF29B2BF9A31C29B07";

#[test]
fn fixed_bytes_without_nonce() {
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let expected = hex(&format!(
        "30 51                       -- OCSPRequest
           30 4f                     -- TBSRequest (no version, no requestorName)
             30 4d                   -- requestList
               30 4b                 -- Request
                 30 49               -- CertID
                   30 09             -- AlgorithmIdentifier
                     06 05 2b0e03021a  -- sha1
                     05 00             -- NULL
                   04 14 {NAME_HASH_SHA1}
                   04 14 {KEY_HASH_SHA1}
                   02 10 {SERIAL}"
    ));
    assert_eq!(encode(&RequestBuilder::new(&cert, &issuer), None), expected);
    // Byte for byte what `openssl ocsp -no_nonce -reqout` writes for the same pair.
    assert_eq!(
        expected,
        hex(
            "3051304f304d304b3049300906052b0e03021a0500041448b60d38238df8456e4ee5843ea39411\
             1802979f0414884451ff502a695e2d88f421bad90cf2cecbea7c021022e1332220a048df29b2bf\
             9a31c29b07"
        )
    );
}

#[test]
fn fixed_bytes_with_nonce_and_sha256() {
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let nonce: Vec<u8> = (0u8..32).collect();
    let expected = hex(&format!(
        "30 81 9b                    -- OCSPRequest
           30 81 98                  -- TBSRequest
             30 69                   -- requestList
               30 67                 -- Request
                 30 65               -- CertID
                   30 0d             -- AlgorithmIdentifier
                     06 09 608648016503040201  -- sha256
                     05 00                     -- NULL
                   04 20 {NAME_HASH_SHA256}
                   04 20 {KEY_HASH_SHA256}
                   02 10 {SERIAL}
             a2 2b                   -- requestExtensions [2] EXPLICIT
               30 29                 -- Extensions
                 30 27               -- Extension (not critical: the DEFAULT is left out)
                   06 09 2b0601050507300102  -- id-pkix-ocsp-nonce
                   04 1a                     -- extnValue
                     04 18                   -- Nonce ::= OCTET STRING
                       000102030405060708090a0b0c0d0e0f1011121314151617"
    ));
    let request = RequestBuilder::new(&cert, &issuer).with_hash_algorithm(HashAlgorithm::Sha256);
    assert_eq!(encode(&request, Some(&nonce[..24])), expected);

    // 32 octets push the lengths: contents grow by 8 octets each level.
    let expected = hex(&format!(
        "30 81 a3 30 81 a0 30 69 30 67 30 65 30 0d 06 09 608648016503040201 05 00
         04 20 {NAME_HASH_SHA256} 04 20 {KEY_HASH_SHA256} 02 10 {SERIAL}
         a2 33 30 31 30 2f 06 09 2b0601050507300102 04 22 04 20
         000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    ));
    assert_eq!(encode(&request, Some(&nonce)), expected);
}

#[test]
fn req_cert_agrees_with_openssl_hashes() {
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let sha1 = ReqCert::new(&cert, &issuer, HashAlgorithm::Sha1).unwrap();
    assert_eq!(sha1.issuer_name_hash(), hex(NAME_HASH_SHA1));
    assert_eq!(sha1.issuer_key_hash(), hex(KEY_HASH_SHA1));
    assert_eq!(sha1.serial(), hex(SERIAL));
    let sha256 = ReqCert::new(&cert, &issuer, HashAlgorithm::Sha256).unwrap();
    assert_eq!(sha256.issuer_name_hash(), hex(NAME_HASH_SHA256));
    assert_eq!(sha256.issuer_key_hash(), hex(KEY_HASH_SHA256));
    assert_ne!(sha1, sha256);
}

#[test]
fn get_form_of_a_real_request() {
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let der = encode(&RequestBuilder::new(&cert, &issuer), None);
    let mut url = [0u8; 256];
    let len = write_get_url("http://ocsp.comodoca.com", &der, &mut url).unwrap();
    // base64 of the DER (checked with `base64 -w0`), `+`, `/` and `=` percent-encoded.
    assert_eq!(
        std::str::from_utf8(&url[..len]).unwrap(),
        "http://ocsp.comodoca.com/MFEwTzBNMEswSTAJBgUrDgMCGgUABBRItg04I434RW5O5YQ%2Bo5QRGAKX\
         nwQUiERR%2F1AqaV4tiPQhutkM8s7L6nwCECLhMyIgoEjfKbK%2FmjHCmwc%3D"
    );
    assert_eq!(
        HttpMethod::for_request("http://ocsp.comodoca.com", &der),
        HttpMethod::Get
    );
    assert_eq!(
        write_get_url("http://ocsp.comodoca.com", &der, &mut url[..len - 1]),
        Err(Error::BufferTooSmall { needed: len })
    );
}

#[test]
fn openssl_reads_our_requests() {
    support::require_openssl("openssl_reads_our_requests");
    let dir = support::scratch_dir("reqin");
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let nonce: Vec<u8> = (0xA0u8..0xC0).collect();
    let cases = [
        (
            HashAlgorithm::Sha1,
            None,
            "sha1",
            NAME_HASH_SHA1,
            KEY_HASH_SHA1,
        ),
        (
            HashAlgorithm::Sha256,
            Some(&nonce[..]),
            "sha256",
            NAME_HASH_SHA256,
            KEY_HASH_SHA256,
        ),
    ];
    for (hash, nonce, name, name_hash, key_hash) in cases {
        let der = encode(
            &RequestBuilder::new(&cert, &issuer).with_hash_algorithm(hash),
            nonce,
        );
        let file = format!("request-{name}.der");
        fs::write(dir.join(&file), &der).unwrap();
        let text = support::openssl_stdout(&dir, &["ocsp", "-reqin", &file, "-req_text"]);
        assert!(text.contains("Version: 1 (0x0)"), "{text}");
        assert!(text.contains(&format!("Hash Algorithm: {name}")), "{text}");
        assert!(
            text.contains(&format!("Issuer Name Hash: {name_hash}")),
            "{text}"
        );
        assert!(
            text.contains(&format!("Issuer Key Hash: {key_hash}")),
            "{text}"
        );
        assert!(text.contains(&format!("Serial Number: {SERIAL}")), "{text}");
        match nonce {
            // openssl prints the extnValue: the inner OCTET STRING's TLV.
            Some(nonce) => {
                let tlv: String = [0x04, 0x20]
                    .iter()
                    .chain(nonce)
                    .map(|b| format!("{b:02X}"))
                    .collect();
                assert!(text.contains("OCSP Nonce"), "{text}");
                assert!(text.contains(&tlv), "{text}");
            }
            None => assert!(!text.contains("Request Extensions"), "{text}"),
        }
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn we_read_openssl_requests() {
    support::require_openssl("we_read_openssl_requests");
    let dir = support::scratch_dir("reqout");
    let vectors = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/real-world/openssl"
    );
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    for (digest, hash) in [
        ("-sha1", HashAlgorithm::Sha1),
        ("-sha256", HashAlgorithm::Sha256),
    ] {
        support::openssl(
            &dir,
            &[
                "ocsp",
                "-issuer",
                &format!("{vectors}/ND1_Issuer_ICA.pem"),
                digest,
                "-cert",
                &format!("{vectors}/ND1_Cert_EE.pem"),
                "-cert",
                &format!("{vectors}/ND1_Cert_EE.pem"),
                "-nonce",
                "-reqout",
                "request.der",
            ],
        );
        let der = fs::read(dir.join("request.der")).unwrap();
        let request = OcspRequest::from_der(&der).unwrap();
        assert_eq!(request.request_count(), 2);
        // openssl sends a 16-octet nonce.
        assert_eq!(request.nonce().unwrap().map(<[u8]>::len), Some(16));
        let expected = ReqCert::new(&cert, &issuer, hash).unwrap();
        for single in request.requests() {
            assert!(expected.matches(single.unwrap().cert_id()));
        }
        // Our encoder writes the same bytes for the same certificates and nonce.
        let nonce = request.nonce().unwrap().unwrap();
        let pairs = [(&cert, &issuer), (&cert, &issuer)];
        let ours = encode(
            &RequestBuilder::for_certificates(&pairs).with_hash_algorithm(hash),
            Some(nonce),
        );
        assert_eq!(ours, der);
    }
    let _ = fs::remove_dir_all(dir);
}

/// The requests `openssl ocsp` sent when the generated vectors were made (committed beside the
/// responses they got): we read them, and write the same bytes for the same certificate.
#[test]
fn committed_openssl_requests() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/generated");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(format!("{dir}/manifest.json")).unwrap()).unwrap();
    let cases: Vec<&serde_json::Value> = manifest
        .as_array()
        .or_else(|| manifest["cases"].as_array())
        .unwrap()
        .iter()
        .filter(|case| {
            case["name"]
                .as_str()
                .unwrap()
                .starts_with("openssl-responder-")
        })
        .collect();
    assert!(cases.len() >= 4, "{}", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let request = fs::read(format!("{dir}/responses/{name}.request.der")).unwrap();
        let cert = fs::read(format!("{dir}/{}", case["cert"].as_str().unwrap())).unwrap();
        let issuer = fs::read(format!("{dir}/{}", case["issuer"].as_str().unwrap())).unwrap();
        let (cert, issuer) = (
            Certificate::from_der(&cert).unwrap(),
            Issuer::from(&Certificate::from_der(&issuer).unwrap()),
        );
        let parsed = OcspRequest::from_der(&request).unwrap();
        assert_eq!(parsed.request_count(), 1, "{name}");
        let single = parsed.requests().next().unwrap().unwrap();
        let req_cert = ReqCert::new(&cert, &issuer, HashAlgorithm::Sha1).unwrap();
        assert!(req_cert.matches(single.cert_id()), "{name}");
        let nonce = parsed.nonce().unwrap();
        let expected = case["nonce"].as_str().map(hex);
        if let Some(expected) = &expected {
            assert_eq!(nonce, Some(&expected[..]), "{name}");
        }
        let ours = encode(&RequestBuilder::new(&cert, &issuer), nonce);
        assert_eq!(ours, request, "{name}");
    }
}

/// The request parser is a fuzz target's entry point: no input may panic it. Every single-bit
/// flip and every truncation of a real request is either refused or read, never a panic, and
/// so are arbitrary bytes.
#[test]
fn the_parser_never_panics() {
    let cert = Certificate::from_der(CERT).unwrap();
    let issuer = Issuer::from(&Certificate::from_der(ISSUER).unwrap());
    let nonce = [7u8; 32];
    let pairs = [(&cert, &issuer), (&cert, &issuer)];
    let der = encode(&RequestBuilder::for_certificates(&pairs), Some(&nonce));
    let mut flips = 0;
    for byte in 0..der.len() {
        for bit in 0..8 {
            let mut mutated = der.clone();
            mutated[byte] ^= 1 << bit;
            if let Ok(request) = OcspRequest::from_der(&mutated) {
                let _ = request.nonce();
                for single in request.requests() {
                    let _ = single.map(|s| s.cert_id().serial().len());
                }
            } else {
                flips += 1;
            }
        }
        assert!(OcspRequest::from_der(&der[..byte]).is_err());
    }
    // Flips in the framing are refused; those in a hash, the serial or the nonce still read.
    assert!(flips > 0 && flips < der.len() * 8, "{flips}");
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        if let Ok(request) = OcspRequest::from_der(&bytes) {
            let _ = request.nonce();
            let _ = request.requests().count();
        }
    }
}
