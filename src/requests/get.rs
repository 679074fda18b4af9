//! The HTTP forms of a request (RFC 6960 Appendix A.1, RFC 5019 section 5) and the responder
//! URLs a certificate names.

use crate::cert::Certificate;
use crate::error::Error;

use super::{MAX_GET_URL_LEN, Writer};

/// The HTTP method to send a request with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET {url}/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest}`,
    /// which HTTP caches (and CDNs in front of responders) can answer.
    Get,
    /// `POST {url}` with `Content-Type: application/ocsp-request` and the DER as the body.
    Post,
}

impl HttpMethod {
    /// The method to use for `request_der` sent to `responder_url`: GET when the whole GET URL
    /// is shorter than [`MAX_GET_URL_LEN`] (255) bytes, else POST.
    ///
    /// RFC 6960 Appendix A.1: "To enable HTTP caching, small requests (that after encoding are
    /// less than 255 bytes) MAY be submitted using GET. If HTTP caching is not important or if
    /// the request is greater than 255 bytes, the request SHOULD be submitted using POST."
    /// The lightweight profile (RFC 5019 section 5) makes GET mandatory for small requests and
    /// counts the 255 bytes over the whole URL: scheme, host, path and the encoded request.
    /// This function counts them the same way, and keeps RFC 6960's "less than".
    pub fn for_request(responder_url: &str, request_der: &[u8]) -> Self {
        match get_url_len(responder_url, request_der) {
            Some(len) if len < MAX_GET_URL_LEN => Self::Get,
            _ => Self::Post,
        }
    }
}

/// The length of the GET URL [`write_get_url`] writes (`None` only on arithmetic overflow).
pub fn get_url_len(responder_url: &str, request_der: &[u8]) -> Option<usize> {
    let mut len = responder_url.len();
    if !responder_url.ends_with('/') {
        len = len.checked_add(1)?;
    }
    let mut ok = true;
    url_encoded_base64(request_der, |chunk| {
        match len.checked_add(chunk.len()) {
            Some(sum) => len = sum,
            None => ok = false,
        }
        Ok(())
    })
    .ok()?;
    ok.then_some(len)
}

/// Writes the RFC 6960 Appendix A.1 GET URL for `request_der` into `out` and returns its
/// length:
///
/// ```text
/// GET {url}/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest}
/// ```
///
/// The `/` is added only when `responder_url` does not already end with one. Base64 is the
/// standard alphabet with padding; its `+`, `/` and `=` are percent-encoded (`%2B`, `%2F`,
/// `%3D`), the other characters are unreserved in URLs. The output is ASCII whenever
/// `responder_url` is. [`Error::BufferTooSmall`] when `out` is shorter than
/// [`get_url_len`].
///
/// ```
/// use ocsp_verify::requests::write_get_url;
///
/// # fn main() -> Result<(), ocsp_verify::Error> {
/// let mut out = [0u8; 64];
/// let len = write_get_url("http://ocsp.example", &[0x30, 0x03, 0xfb, 0xff, 0x01], &mut out)?;
/// assert_eq!(&out[..len], b"http://ocsp.example/MAP7%2FwE%3D");
/// # Ok(())
/// # }
/// ```
pub fn write_get_url(
    responder_url: &str,
    request_der: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let needed = get_url_len(responder_url, request_der).unwrap_or(usize::MAX);
    if out.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let mut writer = Writer::new(out, needed);
    writer.bytes(responder_url.as_bytes())?;
    if !responder_url.ends_with('/') {
        writer.byte(b'/')?;
    }
    url_encoded_base64(request_der, |chunk| writer.bytes(chunk))?;
    Ok(writer.position())
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Feeds `emit` the URL-encoded base64 of `data`, a few bytes at a time.
pub(super) fn url_encoded_base64(
    data: &[u8],
    mut emit: impl FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    // `None` is the padding `=`.
    let mut put = |sextet: Option<u8>| -> Result<(), Error> {
        let symbol = match sextet {
            Some(value) => BASE64_ALPHABET
                .get(usize::from(value & 0x3F))
                .copied()
                .unwrap_or(b'A'),
            None => b'=',
        };
        url_encode(symbol, &mut emit)
    };
    for chunk in data.chunks(3) {
        match *chunk {
            [a, b, c] => {
                put(Some(a >> 2))?;
                put(Some((a << 4) | (b >> 4)))?;
                put(Some((b << 2) | (c >> 6)))?;
                put(Some(c))?;
            }
            [a, b] => {
                put(Some(a >> 2))?;
                put(Some((a << 4) | (b >> 4)))?;
                put(Some(b << 2))?;
                put(None)?;
            }
            [a] => {
                put(Some(a >> 2))?;
                put(Some(a << 4))?;
                put(None)?;
                put(None)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Percent-encodes the three base64 symbols that are not unreserved in a URL path segment.
fn url_encode(symbol: u8, emit: &mut impl FnMut(&[u8]) -> Result<(), Error>) -> Result<(), Error> {
    match symbol {
        b'+' => emit(b"%2B"),
        b'/' => emit(b"%2F"),
        b'=' => emit(b"%3D"),
        other => emit(&[other]),
    }
}

/// Whether `url` is one a plain HTTP client can fetch: its scheme is `http` (any case).
///
/// OCSP is meant to travel over plain HTTP: the response is signed, and fetching it over
/// HTTPS would need a revocation check of the responder's own TLS certificate. An `https://`
/// responder URL is not fetchable here; nor is an `ldap://` one.
pub fn is_http_url(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

/// The OCSP responder URLs of a certificate a plain HTTP client can fetch (`http://` URLs
/// from the id-ad-ocsp entries of its authorityInfoAccess extension), in the certificate's
/// order.
pub fn http_responder_urls<'a>(cert: &Certificate<'a>) -> impl Iterator<Item = &'a str> + use<'a> {
    cert.ocsp_urls().filter(|url| is_http_url(url))
}
