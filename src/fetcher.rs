//! Fetching OCSP responses over plain HTTP (RFC 6960 Appendix A, RFC 5019 section 5), with a
//! small blocking client: `ureq`, without TLS.
//!
//! The fetcher encodes a request, sends it by GET or POST to each of the certificate's
//! `http://` responder URLs in turn, reads at most the size cap, checks the content type,
//! verifies the answer (with the nonce it sent) and returns it with its bytes.

use core::time::Duration;
use std::io::Read as _;
use std::string::{String, ToString};
use std::sync::Arc;
use std::time::Instant;
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use crate::cache::{CacheLookup, FailureKind, ResponseCache};
use crate::cert::Certificate;
use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::issuer::Issuer;
use crate::owned::{OwnedVerifiedResponse, Refused};
use crate::request::{
    HttpMethod, ReqCert, RequestBuilder, get_url_len, http_responder_urls, write_get_url,
};
use crate::response::MAX_RESPONSE_LEN;
use crate::verify::Verifier;

/// The media type of an OCSP request body (RFC 6960 Appendix A.1).
pub const OCSP_REQUEST_CONTENT_TYPE: &str = "application/ocsp-request";

/// The media type of an OCSP response body (RFC 6960 Appendix A.2).
pub const OCSP_RESPONSE_CONTENT_TYPE: &str = "application/ocsp-response";

/// How the fetcher chooses between GET and POST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FetchMethod {
    /// GET when the whole GET URL is shorter than 255 bytes, POST otherwise
    /// ([`HttpMethod::for_request`], RFC 5019 section 5). The default.
    #[default]
    Auto,
    /// Always GET.
    Get,
    /// Always POST.
    Post,
}

/// Why a responder could not be reached: nothing it said is known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unreachable {
    /// The host name did not resolve.
    #[error("the host name does not resolve")]
    Dns,
    /// The TCP connection could not be made (refused, no route, ...).
    #[error("the connection failed: {0}")]
    Connect(String),
    /// The connect timeout or the fetch timeout ran out.
    #[error("timed out")]
    Timeout,
    /// The server reported an error of its own (HTTP 5xx).
    #[error("HTTP status {0} (a server error)")]
    ServerError(u16),
    /// The URL cannot be used to make a request.
    #[error("the URL cannot be used: {0}")]
    InvalidUrl(String),
    /// The connection broke, or another transport error.
    #[error("transport error: {0}")]
    Transport(String),
}

/// How a responder's answer was not an OCSP response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadAnswer {
    /// An HTTP status other than 200 that is not a server error (redirects are not followed).
    #[error("HTTP status {0}, not 200")]
    Status(u16),
    /// The `Content-Type` is missing or is not `application/ocsp-response`.
    #[error("content type {0:?}, not application/ocsp-response")]
    ContentType(Option<String>),
    /// The body is longer than the size cap (reading stopped at the cap).
    #[error("the body is longer than {0} bytes")]
    TooLarge(usize),
    /// The body is not a DER `OCSPResponse`.
    #[error("the body is not an OCSP response: {0}")]
    Malformed(Error),
    /// What came back is not well-formed HTTP.
    #[error("malformed HTTP: {0}")]
    Protocol(String),
}

/// Why fetching a response failed.
///
/// The policy treats three families apart (see [`FetchError::failure_kind`]): *unreachable*
/// (no responder answered: DNS, connect, timeout, HTTP 5xx), *bad answer* (a responder
/// answered nonsense: wrong content type, oversize, another status, a body that is not an
/// OCSP response), and *invalid response* (a real OCSP response that did not verify, or that
/// says `tryLater` and the like, with the core [`Error`] inside).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The responder at `url` answered with something that is not an OCSP response.
    #[error("the OCSP responder at {url} answered nonsense: {reason}")]
    BadAnswer {
        /// The responder URL.
        url: String,
        /// What was wrong.
        reason: BadAnswer,
    },
    /// The request could not be built: the issuer given is not the certificate's
    /// ([`Error::IssuerNameMismatch`]) or the nonce is not 1 to 32 octets
    /// ([`Error::InvalidNonceLength`]).
    #[error("cannot build the OCSP request: {0}")]
    InvalidRequest(#[source] Error),
    /// The responder at `url` sent an OCSP response that was refused.
    #[error("the OCSP response from {url} was refused: {error}")]
    InvalidResponse {
        /// The responder URL.
        url: String,
        /// Why the verifier refused it.
        #[source]
        error: Error,
    },
    /// The certificate names no `http://` OCSP responder.
    #[error("the certificate names no http:// OCSP responder")]
    NoResponderUrl,
    /// The cache remembers that fetching failed recently; no request was sent.
    #[error("fetching failed recently ({kind}); not asking again before {until:?}")]
    RecentFailure {
        /// What went wrong then.
        kind: FailureKind,
        /// When the failure will be forgotten.
        until: UnixTime,
    },
    /// The responder at `url` could not be reached.
    #[error("the OCSP responder at {url} is unreachable: {reason}")]
    Unreachable {
        /// The responder URL.
        url: String,
        /// What failed.
        reason: Unreachable,
    },
}

impl FetchError {
    /// Which of the three failure families this is (remembered ones included), or `None` for
    /// the caller's own mistakes ([`FetchError::InvalidRequest`],
    /// [`FetchError::NoResponderUrl`]).
    pub fn failure_kind(&self) -> Option<FailureKind> {
        match self {
            Self::BadAnswer { .. } => Some(FailureKind::BadAnswer),
            Self::InvalidResponse { error, .. } => Some(FailureKind::InvalidResponse(*error)),
            Self::RecentFailure { kind, .. } => Some(*kind),
            Self::Unreachable { .. } => Some(FailureKind::Unreachable),
            Self::InvalidRequest(_) | Self::NoResponderUrl => None,
        }
    }

    /// Whether no responder answered (now, or when the remembered failure happened).
    pub fn is_unreachable(&self) -> bool {
        self.failure_kind() == Some(FailureKind::Unreachable)
    }
}

/// A blocking OCSP fetcher: a small `Copy` builder holding the verifier and the HTTP limits.
///
/// [`Fetcher::fetch`] encodes a request for the certificate (SHA-1 `CertID` unless told
/// otherwise, and the nonce, if one is given), tries the certificate's `http://` responder
/// URLs in order, and returns the first response that verifies, owning its bytes. Each
/// attempt has a connect timeout; the whole fetch, every URL included, has a total timeout.
/// The body is read up to the size cap and no further; the `Content-Type` must be
/// `application/ocsp-response`; redirects are not followed; HTTP proxies named by the usual
/// environment variables are used.
///
/// A nonce proves the answer is fresh, but responders behind caches (RFC 5019 section 2.2)
/// ignore it; the verifier then refuses the answer unless it was built with
/// [`Verifier::dangerous_with_missing_nonce_accepted`]. The nonce is an argument of each fetch,
/// never a setting of the fetcher, so a fetcher kept for reuse cannot send one twice: pass
/// fresh random bytes every time.
///
/// ```no_run
/// use core::time::Duration;
/// use ocsp_verify::fetch::{FetchMethod, Fetcher, ResponseCache};
/// use ocsp_verify::{CertStatus, Certificate, Issuer, UnixTime, Verifier, rustcrypto};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let (cert_der, issuer_der) = (std::vec::Vec::new(), std::vec::Vec::new());
/// let cert = Certificate::from_der(&cert_der)?;
/// let issuer = Certificate::from_der(&issuer_der)?;
/// let issuer = Issuer::from(&issuer);
///
/// let fetcher = Fetcher::new(Verifier::new(rustcrypto::ALL))
///     .with_connect_timeout(Duration::from_secs(2))
///     .with_timeout(Duration::from_secs(5))
///     .with_method(FetchMethod::Auto);
///
/// let nonce: [u8; 32] = rand_bytes(); // fresh for each fetch
/// let response = fetcher.fetch(&cert, &issuer, Some(&nonce), UnixTime::now())?;
/// if response.answer().status() == CertStatus::Good {
///     staple(response.der());
/// }
///
/// // With a cache shared by every connection: fresh answers are reused until shortly
/// // before their nextUpdate, and a failure is not retried for 5 minutes.
/// let cache = ResponseCache::default();
/// let nonce: [u8; 32] = rand_bytes();
/// let response = fetcher.fetch_cached(&cache, &cert, &issuer, Some(&nonce), UnixTime::now())?;
/// # Ok(())
/// # }
/// # fn rand_bytes() -> [u8; 32] { [0; 32] }
/// # fn staple(_: &[u8]) {}
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fetcher<'a> {
    verifier: Verifier<'a>,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_len: usize,
    method: FetchMethod,
    hash_algorithm: HashAlgorithm,
    responder_url: Option<&'a str>,
}

impl<'a> Fetcher<'a> {
    /// The default time allowed to open the TCP connection to one responder: 5 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

    /// The default time allowed for a whole fetch, every responder URL included: 10 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A fetcher that verifies with `verifier`, with the defaults: connect timeout
    /// [`Fetcher::DEFAULT_CONNECT_TIMEOUT`], total timeout [`Fetcher::DEFAULT_TIMEOUT`],
    /// responses up to [`MAX_RESPONSE_LEN`] (64 KiB), [`FetchMethod::Auto`], SHA-1 `CertID`.
    pub const fn new(verifier: Verifier<'a>) -> Self {
        Self {
            verifier,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            max_response_len: MAX_RESPONSE_LEN,
            method: FetchMethod::Auto,
            hash_algorithm: HashAlgorithm::Sha1,
            responder_url: None,
        }
    }

    /// The time allowed to open the connection to one responder.
    pub const fn with_connect_timeout(self, connect_timeout: Duration) -> Self {
        Self {
            connect_timeout,
            ..self
        }
    }

    /// The time allowed for the whole fetch, from the first DNS lookup to the last byte of
    /// the body, across every responder URL tried.
    pub const fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// The largest response body read (and verified); a longer one is
    /// [`BadAnswer::TooLarge`], found out without reading past the cap.
    pub const fn with_max_response_len(self, max_response_len: usize) -> Self {
        Self {
            max_response_len,
            ..self
        }
    }

    /// GET, POST, or the RFC 5019 choice between them.
    pub const fn with_method(self, method: FetchMethod) -> Self {
        Self { method, ..self }
    }

    /// The `CertID` hash algorithm of the request (default SHA-1).
    pub const fn with_hash_algorithm(self, hash_algorithm: HashAlgorithm) -> Self {
        Self {
            hash_algorithm,
            ..self
        }
    }

    /// A responder to ask instead of those the certificate names, or `None` (the default) to
    /// ask those. RFC 6960 Appendix A.1: the URL "may be derived from the value of the
    /// authority information access extension in the certificate being checked for
    /// revocation, or other local configuration of the OCSP client". It must be an `http://`
    /// URL: anything else fails as [`Unreachable::InvalidUrl`] (no TLS here).
    pub const fn with_responder_url(self, responder_url: Option<&'a str>) -> Self {
        Self {
            responder_url,
            ..self
        }
    }

    /// The verifier that checks what is fetched: another algorithm policy, other time
    /// tolerances, or trusted responders for one fetch (the client-certificate verifier sets
    /// those per issuer this way).
    pub const fn with_verifier(self, verifier: Verifier<'a>) -> Self {
        Self { verifier, ..self }
    }

    /// The verifier that checks what is fetched.
    pub const fn verifier(&self) -> Verifier<'a> {
        self.verifier
    }

    /// The `CertID` hash algorithm of the requests: a cache keyed by `CertID` needs it.
    pub const fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }

    /// The responder asked instead of those the certificate names, if one was set.
    pub const fn responder_url(&self) -> Option<&'a str> {
        self.responder_url
    }

    /// Fetches and verifies the status of `cert`, issued by `issuer`, from the `http://`
    /// responders its authorityInfoAccess extension names, in order (or from the one given to
    /// [`Fetcher::with_responder_url`]). `nonce` (1 to 32 fresh random octets, or `None`) is
    /// sent and must come back; `now` is the time the verifier checks freshness against.
    ///
    /// The first response that verifies is returned. A responder that is unreachable,
    /// answers nonsense or answers with a response that does not verify is skipped for the
    /// next one. When all fail, the error is that of the first responder that answered (a
    /// responder's word is more telling than silence), else that of the first one tried.
    pub fn fetch(
        &self,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<OwnedVerifiedResponse, FetchError> {
        match self.responder_url {
            Some(url) => self.fetch_from_urls(core::iter::once(url), cert, issuer, nonce, now),
            None => self.fetch_from_urls(http_responder_urls(cert), cert, issuer, nonce, now),
        }
    }

    /// Like [`Fetcher::fetch`], through `cache`: a cached response still fresh under the
    /// verifier's rules ([`Verifier::check_freshness`]) is returned without a request; a
    /// failure remembered by the cache is returned as [`FetchError::RecentFailure`] without a
    /// request; otherwise the result of the fetch is remembered (the response, or the failure)
    /// and returned.
    ///
    /// The cache key is the request's `CertID` with this fetcher's hash algorithm.
    /// [`FetchError::InvalidRequest`] and [`FetchError::NoResponderUrl`], the caller's own
    /// mistakes, are not remembered.
    pub fn fetch_cached(
        &self,
        cache: &ResponseCache,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Arc<OwnedVerifiedResponse>, FetchError> {
        let req_cert =
            ReqCert::new(cert, issuer, self.hash_algorithm).map_err(FetchError::InvalidRequest)?;
        match cache.lookup(&req_cert, now) {
            CacheLookup::Fresh(response)
                if self
                    .verifier
                    .check_freshness(&response.answer(), now)
                    .is_ok() =>
            {
                return Ok(response);
            }
            CacheLookup::RecentFailure { kind, until } => {
                return Err(FetchError::RecentFailure { kind, until });
            }
            CacheLookup::Fresh(_) | CacheLookup::Miss => {}
        }
        match self.fetch(cert, issuer, nonce, now) {
            Ok(response) => Ok(cache.insert(&req_cert, response, now)),
            Err(error) => {
                if let Some(kind) = error.failure_kind() {
                    cache.insert_failure(&req_cert, kind, now);
                }
                Err(error)
            }
        }
    }

    fn fetch_from_urls<'u>(
        &self,
        urls: impl Iterator<Item = &'u str>,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<OwnedVerifiedResponse, FetchError> {
        let request = RequestBuilder::new(cert, issuer).with_hash_algorithm(self.hash_algorithm);
        let len = request
            .encoded_len(nonce)
            .map_err(FetchError::InvalidRequest)?;
        let mut der = std::vec![0u8; len];
        request
            .encode(nonce, &mut der)
            .map_err(FetchError::InvalidRequest)?;
        let verifier = self.verifier.with_max_response_len(self.max_response_len);

        let deadline = Instant::now().checked_add(self.timeout);
        let mut first_answer: Option<FetchError> = None;
        let mut first_silence: Option<FetchError> = None;
        for url in urls {
            let remaining = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => self.timeout,
            };
            let error = if remaining.is_zero() {
                FetchError::Unreachable {
                    url: url.to_string(),
                    reason: Unreachable::Timeout,
                }
            } else {
                match self.exchange(url, &der, remaining) {
                    Ok(body) => match accept(url, body, &verifier, cert, issuer, nonce, now) {
                        Ok(response) => return Ok(response),
                        Err(error) => error,
                    },
                    Err(error) => error,
                }
            };
            let slot = if error.is_unreachable() {
                &mut first_silence
            } else {
                &mut first_answer
            };
            slot.get_or_insert(error);
        }
        Err(first_answer
            .or(first_silence)
            .unwrap_or(FetchError::NoResponderUrl))
    }

    /// One HTTP exchange: sends the request, checks status and content type, and reads the
    /// body up to the cap.
    fn exchange(&self, url: &str, der: &[u8], remaining: Duration) -> Result<Vec<u8>, FetchError> {
        let unreachable = |reason| FetchError::Unreachable {
            url: url.to_string(),
            reason,
        };
        let bad = |reason| FetchError::BadAnswer {
            url: url.to_string(),
            reason,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(remaining))
            .timeout_connect(Some(self.connect_timeout.min(remaining)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let method = match self.method {
            FetchMethod::Auto => HttpMethod::for_request(url, der),
            FetchMethod::Get => HttpMethod::Get,
            FetchMethod::Post => HttpMethod::Post,
        };
        let sent = match method {
            HttpMethod::Get => {
                let len = get_url_len(url, der)
                    .ok_or_else(|| unreachable(Unreachable::InvalidUrl("too long".to_string())))?;
                let mut get_url = std::vec![0u8; len];
                write_get_url(url, der, &mut get_url)
                    .map_err(|error| unreachable(Unreachable::InvalidUrl(error.to_string())))?;
                let get_url = String::from_utf8(get_url)
                    .map_err(|error| unreachable(Unreachable::InvalidUrl(error.to_string())))?;
                agent.get(&get_url).call()
            }
            HttpMethod::Post => agent
                .post(url)
                .header("Content-Type", OCSP_REQUEST_CONTENT_TYPE)
                .send(der),
        };
        let mut response = sent.map_err(|error| classify(url, error))?;

        let status = response.status().as_u16();
        if (500..600).contains(&status) {
            return Err(unreachable(Unreachable::ServerError(status)));
        }
        if status != 200 {
            return Err(bad(BadAnswer::Status(status)));
        }
        // RFC 6960 Appendix A.2: "The Content-Type header has the value
        // "application/ocsp-response"." Media types are case-insensitive; parameters are
        // allowed and ignored.
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let media_type = content_type
            .as_deref()
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|media| media.eq_ignore_ascii_case(OCSP_RESPONSE_CONTENT_TYPE)) {
            return Err(bad(BadAnswer::ContentType(content_type)));
        }
        // A declared length over the cap is refused before reading anything.
        let cap = self.max_response_len;
        let declared = response.body().content_length();
        if declared.is_some_and(|len| u64::try_from(cap).is_ok_and(|cap| len > cap)) {
            return Err(bad(BadAnswer::TooLarge(cap)));
        }
        // Read one byte past the cap at most, to tell "exactly the cap" from "more".
        let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
        let initial = declared
            .and_then(|len| usize::try_from(len).ok())
            .unwrap_or(4096)
            .min(cap);
        let mut body = Vec::with_capacity(initial);
        response
            .body_mut()
            .as_reader()
            .take(limit)
            .read_to_end(&mut body)
            .map_err(|error| classify(url, ureq::Error::from(error)))?;
        if body.len() > cap {
            return Err(bad(BadAnswer::TooLarge(cap)));
        }
        Ok(body)
    }
}

/// Sorts a `ureq` error into "unreachable" and "answered nonsense".
fn classify(url: &str, error: ureq::Error) -> FetchError {
    use std::io::ErrorKind;
    let unreachable = |reason| FetchError::Unreachable {
        url: url.to_string(),
        reason,
    };
    let bad = |reason| FetchError::BadAnswer {
        url: url.to_string(),
        reason,
    };
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
        | ureq::Error::RedirectFailed => bad(BadAnswer::Protocol(error.to_string())),
        other => unreachable(Unreachable::Transport(other.to_string())),
    }
}

/// Checks that `body` is an OCSP response, then verifies it.
fn accept(
    url: &str,
    body: Vec<u8>,
    verifier: &Verifier<'_>,
    cert: &Certificate<'_>,
    issuer: &Issuer<'_>,
    nonce: Option<&[u8]>,
    now: UnixTime,
) -> Result<OwnedVerifiedResponse, FetchError> {
    // "Answered nonsense" (not an OCSPResponse at all) is told apart from "answered with a
    // response that does not verify"; the body is parsed once for both.
    verifier
        .verify_body(body, cert, issuer, nonce, now)
        .map_err(|refused| match refused {
            Refused::Malformed(error) => FetchError::BadAnswer {
                url: url.to_string(),
                reason: BadAnswer::Malformed(error),
            },
            Refused::Invalid(error) => FetchError::InvalidResponse {
                url: url.to_string(),
                error,
            },
        })
}
