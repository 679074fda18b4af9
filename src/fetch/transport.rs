//! How a request reaches a responder: the [`Transport`] trait, so that a server can fetch
//! through its own HTTP client (its proxy, its DNS, its runtime), and [`UreqTransport`], the
//! blocking default.

use core::fmt;
use core::time::Duration;
use std::string::String;
use std::vec::Vec;

use super::error::Unreachable;
use crate::requests::HttpMethod;

/// The media type of an OCSP request body (RFC 6960 Appendix A.1).
pub(crate) const OCSP_REQUEST_CONTENT_TYPE: &str = "application/ocsp-request";

/// The media type of an OCSP response body (RFC 6960 Appendix A.2).
pub(crate) const OCSP_RESPONSE_CONTENT_TYPE: &str = "application/ocsp-response";

/// Sends one OCSP request over HTTP and returns what came back.
///
/// The crate builds the request (GET with the request in the URL, or POST with it in the
/// body, RFC 6960 Appendix A.1), and judges what comes back (the status, the content type,
/// the size, then the response itself): a transport only carries bytes. It must
///
/// - send the request as given (for POST, with `Content-Type: application/ocsp-request`), and
///   not follow redirects;
/// - give up by the request's [`HttpRequest::timeout`] (and connect within its
///   [`HttpRequest::connect_timeout`]);
/// - read at most [`HttpRequest::max_response_len`] + 1 bytes of body, so that the crate can
///   tell a body at the cap from a longer one without reading it all.
///
/// It is called from the crate's own threads (the stapler's refresh thread, the mTLS
/// verifier's fetch threads) or from the task that calls `Stapler::refresh_due`, never from
/// a TLS handshake. An async application can therefore implement it by handing the request
/// to its runtime and blocking on the result (`tokio::runtime::Handle::block_on`); see
/// `examples/tokio_server.rs`. A panic in a transport is caught and reported as
/// [`Unreachable::Transport`]. Like rustls' own traits, it asks for `Debug`.
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `request`.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

/// One HTTP request to a responder, as a [`Transport`] sends it.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    pub(crate) method: HttpMethod,
    pub(crate) url: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_response_len: usize,
}

impl<'a> HttpRequest<'a> {
    /// GET or POST.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL to request: for GET, the responder's URL with the request appended (RFC 5019
    /// section 5); for POST, the responder's URL.
    pub fn url(&self) -> &'a str {
        self.url
    }

    /// The body: the DER request for POST, empty for GET.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `Content-Type` of the body: `application/ocsp-request` for POST, none for GET.
    pub fn content_type(&self) -> Option<&'static str> {
        match self.method {
            HttpMethod::Post => Some(OCSP_REQUEST_CONTENT_TYPE),
            HttpMethod::Get => None,
        }
    }

    /// The time allowed to connect.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The time allowed for the whole exchange, from the first DNS lookup to the last byte.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest body the crate accepts: read at most one byte more.
    pub fn max_response_len(&self) -> usize {
        self.max_response_len
    }
}

/// What a responder sent back, as a [`Transport`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl HttpResponse {
    /// A response with this status, `Content-Type` header (as sent, if any) and body (at most
    /// the request's cap plus one byte).
    pub fn new(status: u16, content_type: Option<String>, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` header, as sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// Why a [`Transport`] got no HTTP response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Nothing came back: see [`Unreachable`].
    #[error("{0}")]
    Unreachable(Unreachable),
    /// Something came back that is not HTTP.
    #[error("malformed HTTP: {0}")]
    Malformed(String),
}

/// The default [`Transport`]: a blocking request with `ureq` over plain HTTP (no TLS, no
/// gzip, no redirects; proxies named by the usual environment variables are used).
#[cfg(feature = "http")]
#[derive(Clone, Copy, Debug, Default)]
pub struct UreqTransport;

#[cfg(feature = "http")]
impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        use std::io::Read as _;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(request.timeout))
            .timeout_connect(Some(request.connect_timeout.min(request.timeout)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let sent = match request.method {
            HttpMethod::Get => agent.get(request.url).call(),
            HttpMethod::Post => agent
                .post(request.url)
                .header("Content-Type", OCSP_REQUEST_CONTENT_TYPE)
                .send(request.body),
        };
        let mut response = sent.map_err(classify)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        // The body of a 200 only, and at most one byte past the cap: enough for the crate to
        // tell "too large" from "at the cap" without reading the rest.
        let cap = request.max_response_len;
        let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
        let mut body = Vec::new();
        if status == 200 {
            let declared = response.body().content_length();
            let initial = declared
                .and_then(|len| usize::try_from(len).ok())
                .unwrap_or(4096)
                .min(cap.saturating_add(1));
            body.reserve(initial);
            response
                .body_mut()
                .as_reader()
                .take(limit)
                .read_to_end(&mut body)
                .map_err(|error| classify(ureq::Error::from(error)))?;
        }
        Ok(HttpResponse::new(status, content_type, body))
    }
}

/// Sorts a `ureq` error into "unreachable" and "answered nonsense".
#[cfg(feature = "http")]
fn classify(error: ureq::Error) -> TransportError {
    use std::io::ErrorKind;
    use std::string::ToString;
    let unreachable = TransportError::Unreachable;
    match error {
        ureq::Error::Timeout(_) => unreachable(Unreachable::Timeout),
        ureq::Error::HostNotFound => unreachable(Unreachable::Dns),
        ureq::Error::ConnectionFailed => unreachable(Unreachable::Connect(error.to_string())),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => unreachable(Unreachable::Timeout),
            ErrorKind::ConnectionRefused
            | ErrorKind::AddrNotAvailable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::HostUnreachable => unreachable(Unreachable::Connect(io.to_string())),
            _ => unreachable(Unreachable::Transport(io.to_string())),
        },
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            unreachable(Unreachable::InvalidUrl(error.to_string()))
        }
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::TooManyRedirects
        | ureq::Error::RedirectFailed => TransportError::Malformed(error.to_string()),
        other => unreachable(Unreachable::Transport(other.to_string())),
    }
}

impl fmt::Display for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} ({} bytes)", self.status, self.body.len())
    }
}
