//! The request module's tests, compiled only as `#[cfg(test)] mod tests` of `mod.rs`: the encoder
//! against the parser, the GET form, the URLs.

extern crate std;

use super::encode::{Writer, length_len};
use super::get::url_encoded_base64;
use super::*;
use crate::der::tag::OCTET_STRING;
use crate::error::{Error, Structure};
use crate::hash::{HashAlgorithm, digest};
use crate::{Certificate, Issuer};

const CERT: &[u8] = include_bytes!("../../test-vectors/real-world/openssl/ND1_Cert_EE.der");
const ISSUER: &[u8] = include_bytes!("../../test-vectors/real-world/openssl/ND1_Issuer_ICA.der");

fn certs() -> (Certificate<'static>, Issuer<'static>) {
    (
        Certificate::from_der(CERT).unwrap(),
        Issuer::from(&issuer_cert()),
    )
}

fn issuer_cert() -> Certificate<'static> {
    Certificate::from_der(ISSUER).unwrap()
}

fn encode(request: &RequestBuilder<'_>, nonce: Option<&[u8]>) -> std::vec::Vec<u8> {
    let mut out = std::vec![0u8; request.encoded_len(nonce).unwrap()];
    let len = request.encode(nonce, &mut out).unwrap();
    assert_eq!(len, out.len());
    out
}

#[test]
fn length_fields() {
    for (len, expected) in [
        (0, 1),
        (0x7F, 1),
        (0x80, 2),
        (0xFF, 2),
        (0x100, 3),
        (0xFFFF, 3),
        (0x1_0000, 4),
        (0xFF_FFFF, 4),
        (0x100_0000, 5),
    ] {
        assert_eq!(length_len(len), Some(expected), "{len:#x}");
    }
    // Four length octets at most: a length that needs more has none.
    assert_eq!(length_len(0xFFFF_FFFF), Some(5));
    #[cfg(target_pointer_width = "64")]
    assert_eq!(length_len(0x1_0000_0000), None);
    assert_eq!(length_len(usize::MAX), None);
    let mut buffer = [0u8; 8];
    for (len, encoding) in [
        (5usize, &[0x04, 0x05][..]),
        (0x80, &[0x04, 0x81, 0x80]),
        (0x1234, &[0x04, 0x82, 0x12, 0x34]),
        (0x12_3456, &[0x04, 0x83, 0x12, 0x34, 0x56]),
        (0x1234_5678, &[0x04, 0x84, 0x12, 0x34, 0x56, 0x78]),
    ] {
        let mut writer = Writer::new(&mut buffer, 0);
        writer.header(OCTET_STRING, len).unwrap();
        let written = writer.position();
        assert_eq!(&buffer[..written], encoding);
    }
}

#[test]
fn round_trips_through_the_parser() {
    let (cert, issuer) = certs();
    for hash in HashAlgorithm::ALL.into_iter().filter(|h| h.is_supported()) {
        for nonce in [None, Some(&[7u8][..]), Some(&[0xA5; 32][..])] {
            let request = RequestBuilder::new(&cert, &issuer).with_hash_algorithm(hash);
            let der = encode(&request, nonce);
            let parsed = OcspRequest::from_der(&der).unwrap();
            assert_eq!(parsed.nonce().unwrap(), nonce);
            assert!(!parsed.is_signed());
            assert_eq!(parsed.requestor_name(), None);
            let single = parsed.requests().next().unwrap().unwrap();
            let expected = ReqCert::new(&cert, &issuer, hash).unwrap();
            assert!(expected.matches(single.cert_id()));
            assert_eq!(single.cert_id().serial(), cert.serial());
            // And the verifier's own CertID matching agrees (same hashes).
            assert_eq!(
                single.cert_id().issuer_key_hash(),
                digest(hash, issuer.subject_public_key_info().public_key())
                    .unwrap()
                    .as_slice()
            );
        }
    }
}

#[test]
fn several_certificates() {
    let (cert, issuer) = certs();
    let pairs = [(&cert, &issuer), (&cert, &issuer), (&cert, &issuer)];
    let der = encode(&RequestBuilder::for_certificates(&pairs), None);
    let parsed = OcspRequest::from_der(&der).unwrap();
    assert_eq!(parsed.request_count(), 3);
    assert_eq!(parsed.nonce().unwrap(), None);
    assert_eq!(
        RequestBuilder::for_certificates(&[]).encoded_len(None),
        Err(Error::EmptyRequestList)
    );
}

#[test]
fn typed_errors() {
    let (cert, issuer) = certs();
    let request = RequestBuilder::new(&cert, &issuer);
    let needed = request.encoded_len(None).unwrap();
    let mut small = std::vec![0u8; needed - 1];
    assert_eq!(
        request.encode(None, &mut small),
        Err(Error::BufferTooSmall { needed })
    );
    assert_eq!(
        request.encode(None, &mut []),
        Err(Error::BufferTooSmall { needed })
    );
    for bad in [&[][..], &[0u8; 33][..]] {
        assert_eq!(
            request.encode(Some(bad), &mut [0u8; 512]),
            Err(Error::InvalidNonceLength)
        );
    }
    // RFC 8954: 1 to 32 octets, both ends included.
    assert_eq!(
        (MIN_NONCE_LEN, MAX_NONCE_LEN, MAX_GET_URL_LEN),
        (1, 32, 255)
    );
    for good in [&[7u8][..], &[7u8; 32][..]] {
        let len = request.encode(Some(good), &mut [0u8; 512]).unwrap();
        assert_eq!(request.encoded_len(Some(good)), Ok(len));
    }
    // The issuer given is not the certificate's issuer.
    let issuer_cert = issuer_cert();
    assert_eq!(
        RequestBuilder::new(&issuer_cert, &issuer).encode(None, &mut [0u8; 512]),
        Err(Error::IssuerNameMismatch)
    );
    assert_eq!(
        ReqCert::new(&issuer_cert, &issuer, HashAlgorithm::Sha1),
        Err(Error::IssuerNameMismatch)
    );
    // A hash this build leaves out.
    let sha512 = request.with_hash_algorithm(HashAlgorithm::Sha512);
    if !cfg!(feature = "certid-sha512") {
        assert_eq!(
            sha512.encode(None, &mut [0u8; 512]),
            Err(Error::UnsupportedHashAlgorithm)
        );
        assert_eq!(
            ReqCert::new(&cert, &issuer, HashAlgorithm::Sha384),
            Err(Error::UnsupportedHashAlgorithm)
        );
    } else {
        assert!(sha512.encode(None, &mut [0u8; 512]).is_ok());
    }
}

#[test]
fn base64_matches_the_reference_vectors() {
    // RFC 4648 section 10, then URL-encoded.
    for (input, expected) in [
        ("", ""),
        ("f", "Zg%3D%3D"),
        ("fo", "Zm8%3D"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg%3D%3D"),
        ("fooba", "Zm9vYmE%3D"),
        ("foobar", "Zm9vYmFy"),
    ] {
        let mut out = std::string::String::new();
        url_encoded_base64(input.as_bytes(), |chunk| {
            out.push_str(core::str::from_utf8(chunk).unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(out, expected, "{input}");
    }
    let mut out = std::string::String::new();
    url_encoded_base64(&[0xFB, 0xFF, 0xBF], |chunk| {
        out.push_str(core::str::from_utf8(chunk).unwrap());
        Ok(())
    })
    .unwrap();
    assert_eq!(out, "%2B%2F%2B%2F");
}

#[test]
fn get_urls() {
    let der = [0x30, 0x03, 0xFB, 0xFF, 0x01];
    let mut out = [0u8; 64];
    for (url, expected) in [
        ("http://ocsp.example", "http://ocsp.example/MAP7%2FwE%3D"),
        ("http://ocsp.example/", "http://ocsp.example/MAP7%2FwE%3D"),
        ("http://h/ocsp", "http://h/ocsp/MAP7%2FwE%3D"),
    ] {
        let len = write_get_url(url, &der, &mut out).unwrap();
        assert_eq!(core::str::from_utf8(&out[..len]).unwrap(), expected);
        assert_eq!(get_url_len(url, &der), Some(len));
    }
    let needed = get_url_len("http://ocsp.example", &der).unwrap();
    assert_eq!(
        write_get_url("http://ocsp.example", &der, &mut out[..needed - 1]),
        Err(Error::BufferTooSmall { needed })
    );
    assert_eq!(
        write_get_url("http://ocsp.example", &der, &mut out[..needed]),
        Ok(needed)
    );
}

#[test]
fn method_follows_the_url_length() {
    let (cert, issuer) = certs();
    let der = encode(&RequestBuilder::new(&cert, &issuer), None);
    let url = "http://127.0.0.1:8080";
    let len = get_url_len(url, &der).unwrap();
    assert!(len < MAX_GET_URL_LEN, "{len}");
    assert_eq!(HttpMethod::for_request(url, &der), HttpMethod::Get);
    // Pad the URL so the GET URL is exactly 254, then 255 bytes long.
    let pad = MAX_GET_URL_LEN - 1 - len;
    let just_under = std::format!("{url}/{}", "a".repeat(pad - 1));
    assert_eq!(get_url_len(&just_under, &der), Some(MAX_GET_URL_LEN - 1));
    assert_eq!(HttpMethod::for_request(&just_under, &der), HttpMethod::Get);
    let at_limit = std::format!("{url}/{}", "a".repeat(pad));
    assert_eq!(get_url_len(&at_limit, &der), Some(MAX_GET_URL_LEN));
    assert_eq!(HttpMethod::for_request(&at_limit, &der), HttpMethod::Post);
    // A nonce makes the request longer: at the limit, it pushes the request over to POST.
    let nonce = [1u8; 32];
    let with_nonce = encode(&RequestBuilder::new(&cert, &issuer), Some(&nonce));
    assert!(get_url_len(&just_under, &with_nonce) > get_url_len(&just_under, &der));
    assert_eq!(
        HttpMethod::for_request(&just_under, &with_nonce),
        HttpMethod::Post
    );
}

#[test]
fn responder_urls_are_http_only() {
    assert!(is_http_url("http://ocsp.example"));
    assert!(is_http_url("HTTP://ocsp.example"));
    assert!(!is_http_url("https://ocsp.example"));
    assert!(!is_http_url("ldap://ocsp.example"));
    assert!(!is_http_url("http:/"));
    let (cert, _) = certs();
    let all: std::vec::Vec<_> = cert.ocsp_urls().collect();
    let http: std::vec::Vec<_> = http_responder_urls(&cert).collect();
    assert_eq!(all.iter().filter(|u| is_http_url(u)).count(), http.len());
    // The http:// ones of the id-ad-ocsp entries, in order, and only those.
    use crate::test_der::{CertificateParts, extension, oid, seq, tlv};
    let ocsp = |url: &str| seq(&[&oid(&crate::oid::AD_OCSP), &tlv(0x86, url.as_bytes())]);
    let aia = seq(&[
        &ocsp("http://a.example"),
        &ocsp("ldap://b.example"),
        &ocsp("HTTP://c.example/ocsp"),
        &ocsp("https://d.example"),
    ]);
    let der = CertificateParts {
        extensions: Some(std::vec![extension(
            &crate::oid::AUTHORITY_INFO_ACCESS,
            false,
            &aia
        )]),
        ..CertificateParts::default()
    }
    .encode();
    let cert = Certificate::from_der(&der).unwrap();
    let http: std::vec::Vec<_> = http_responder_urls(&cert).collect();
    assert_eq!(http, ["http://a.example", "HTTP://c.example/ocsp"]);
    let none = CertificateParts::default().encode();
    assert_eq!(
        http_responder_urls(&Certificate::from_der(&none).unwrap()).count(),
        0
    );
}

/// What a client never writes, a responder still reads: a requestorName, a signature, and
/// extensions on a single request.
#[test]
fn every_optional_field_is_read() {
    use crate::test_der::{cert_id, ecdsa_with_sha256, extension, seq, tlv};
    let (cert, issuer) = certs();
    let requestor = tlv(0x81, b"client@example"); // rfc822Name
    let single_extensions = tlv(
        0xA0,
        &seq(&[&extension(&crate::oid::OCSP_NOCHECK, false, &[5, 0])]),
    );
    let request = seq(&[&cert_id(&cert, &issuer), &single_extensions]);
    let tbs = seq(&[&tlv(0xA1, &requestor), &seq(&[&request])]);
    let signature = tlv(
        0xA0,
        &seq(&[&ecdsa_with_sha256(), &[0x03, 0x02, 0x00, 0x01]]),
    );
    let der = seq(&[&tbs, &signature]);
    let parsed = OcspRequest::from_der(&der).unwrap();
    assert_eq!(parsed.tbs_request(), &tbs[..]);
    assert_eq!(parsed.requestor_name(), Some(&requestor[..]));
    assert!(parsed.is_signed());
    assert_eq!(parsed.nonce(), Ok(None));
    let single = parsed.requests().next().unwrap().unwrap();
    let extensions: std::vec::Vec<_> = single.extensions().map(Result::unwrap).collect();
    assert_eq!(extensions.len(), 1);
    assert_eq!(extensions[0].id(), crate::oid::OCSP_NOCHECK.as_bytes());
    assert_eq!(single.cert_id().serial(), cert.serial());
    // Without them: none of them.
    let bare = seq(&[&seq(&[&seq(&[&seq(&[&cert_id(&cert, &issuer)])])])]);
    let parsed = OcspRequest::from_der(&bare).unwrap();
    assert_eq!(parsed.requestor_name(), None);
    assert!(!parsed.is_signed());
    assert_eq!(
        parsed
            .requests()
            .next()
            .unwrap()
            .unwrap()
            .extensions()
            .count(),
        0
    );
}

#[test]
fn parser_is_strict() {
    let (cert, issuer) = certs();
    let der = encode(&RequestBuilder::new(&cert, &issuer), None);
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(OcspRequest::from_der(&trailing).is_err());
    for cut in 0..der.len() {
        assert!(OcspRequest::from_der(&der[..cut]).is_err(), "{cut}");
    }
    // An empty requestList: 30 04 30 02 30 00.
    assert_eq!(
        OcspRequest::from_der(&[0x30, 0x04, 0x30, 0x02, 0x30, 0x00]).unwrap_err(),
        Error::EmptyRequestList
    );
    // Version v2 is refused, explicit v1 tolerated.
    // The SHA-1 request without nonce is short enough for one-byte lengths throughout:
    // 30 L 30 L' <requestList>.
    assert!(der.len() < 0x70);
    let with_version = |v: u8| {
        let mut tbs = std::vec![0xA0, 0x03, 0x02, 0x01, v];
        tbs.extend_from_slice(&der[4..]);
        let tbs_len = u8::try_from(tbs.len()).unwrap();
        let mut out = std::vec![0x30, tbs_len + 2, 0x30, tbs_len];
        out.extend_from_slice(&tbs);
        out
    };
    assert!(OcspRequest::from_der(&with_version(0)).is_ok());
    assert_eq!(
        OcspRequest::from_der(&with_version(1)).unwrap_err(),
        Error::BadDer(Structure::TbsRequest)
    );
}
