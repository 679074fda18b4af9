//! The one fetch path: encode a request, ask a certificate's responders in turn (skipping
//! those known to be down, within the slots each may use), judge the HTTP answer, verify the
//! response once, and tell the responders' health what happened. [`Fetcher`] is its public
//! face; the stapler and the mTLS verifier take the same path with their responder pool.

use core::time::Duration;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::{String, ToString};
use std::sync::Arc;
use std::time::Instant;
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use super::cache::{CacheLookup, ResponseCache};
use super::error::{BadAnswer, FetchError, NotKept, Unreachable};
use super::responders::{Origin, Priority, Responders, Slot};
use super::transport::{
    HttpRequest, OCSP_RESPONSE_CONTENT_TYPE, Transport, TransportError, UreqTransport,
};
use crate::cert::Certificate;
use crate::error::{Error, ResponseStatus};
use crate::hash::HashAlgorithm;
use crate::issuer::Issuer;
use crate::owned::{OwnedVerifiedResponse, Refused};
use crate::requests::{
    HttpMethod, ReqCert, RequestBuilder, get_url_len, http_responder_urls, write_get_url,
};
use crate::response::MAX_RESPONSE_LEN;
use crate::server::backoff::FailureKind;
use crate::verify::Verifier;

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

/// The default transport, for fetchers not given another.
static UREQ: UreqTransport = UreqTransport;

/// A blocking OCSP fetcher: a small `Copy` builder holding the verifier, the HTTP limits and
/// the transport.
///
/// [`Fetcher::fetch`] encodes a request for the certificate (SHA-1 `CertID` unless told
/// otherwise, and the nonce, if one is given), tries the certificate's `http://` responder
/// URLs in order, and returns the first response that verifies, owning its bytes. Each
/// attempt has a connect timeout; the whole fetch, every URL included, has a total timeout.
/// The body is read up to the size cap and no further; the status must be 200 (5xx counts as
/// unreachable) and the `Content-Type` `application/ocsp-response`; redirects are not
/// followed. The transport is [`UreqTransport`] unless [`Fetcher::with_transport`] gives
/// another.
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
/// // before their nextUpdate, and a failure is not retried before its backoff ends.
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
    transport: &'a dyn Transport,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_len: usize,
    method: FetchMethod,
    hash_algorithm: HashAlgorithm,
    responder_url: Option<&'a str>,
}

/// A fetch that verified: the response and the URL it came from.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) url: String,
    pub(crate) response: OwnedVerifiedResponse,
}

/// The responder pool a fetch goes through: whose health it reads and updates, whose slots
/// it takes, for whom, at which monotonic instant.
pub(crate) struct Pool<'p> {
    pub(crate) responders: &'p Arc<Responders>,
    pub(crate) priority: Priority,
    pub(crate) now: Instant,
    /// A slot taken before the fetch started (for its first URL's origin).
    pub(crate) first: Option<Slot>,
}

impl<'a> Fetcher<'a> {
    /// The default time allowed to open the TCP connection to one responder: 5 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

    /// The default time allowed for a whole fetch, every responder URL included: 10 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A fetcher that verifies with `verifier`, with the defaults: connect timeout
    /// [`Fetcher::DEFAULT_CONNECT_TIMEOUT`], total timeout [`Fetcher::DEFAULT_TIMEOUT`],
    /// responses up to [`MAX_RESPONSE_LEN`] (64 KiB), [`FetchMethod::Auto`], SHA-1 `CertID`,
    /// [`UreqTransport`].
    pub const fn new(verifier: Verifier<'a>) -> Self {
        Self {
            verifier,
            transport: &UREQ,
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
    /// tolerances, or trusted responders for one fetch.
    pub const fn with_verifier(self, verifier: Verifier<'a>) -> Self {
        Self { verifier, ..self }
    }

    /// The transport that carries requests: the application's own HTTP client, for example
    /// (see [`Transport`]).
    pub const fn with_transport(self, transport: &'a dyn Transport) -> Self {
        Self { transport, ..self }
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

    /// The connect timeout.
    pub const fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The total timeout.
    pub const fn timeout(&self) -> Duration {
        self.timeout
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
        let urls: Vec<&str> = match self.responder_url {
            Some(url) => std::vec![url],
            None => http_responder_urls(cert).collect(),
        };
        self.fetch_from(&urls, cert, issuer, nonce, now, None)
            .map(|fetched| fetched.response)
    }

    /// Like [`Fetcher::fetch`], through `cache`: an answer the cache keeps that is still
    /// fresh under the verifier's rules ([`Verifier::check_freshness`]; a permanent
    /// revocation always is) is returned without a request; a failure the cache remembers is
    /// returned as [`FetchError::RecentFailure`] without a request until its backoff ends;
    /// otherwise the result of the fetch is offered to the cache (or the failure remembered).
    ///
    /// What the cache keeps wins over what is fetched when they disagree
    /// ([`ResponseCache::offer`]): an answer older than the one kept, or a `good` after a
    /// verified revocation, returns the answer kept. The cache key is the request's `CertID`
    /// with this fetcher's hash algorithm. [`FetchError::InvalidRequest`],
    /// [`FetchError::NoResponderUrl`] and the like, the caller's own setup, are not
    /// remembered.
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
            CacheLookup::Hit(response)
                if self
                    .verifier
                    .check_freshness(&response.answer(), now)
                    .is_ok() =>
            {
                return Ok(response);
            }
            CacheLookup::RecentFailure { kind, retry_in } => {
                return Err(FetchError::RecentFailure { kind, retry_in });
            }
            CacheLookup::Hit(_) | CacheLookup::Miss => {}
        }
        let urls: Vec<&str> = match self.responder_url {
            Some(url) => std::vec![url],
            None => http_responder_urls(cert).collect(),
        };
        match self.fetch_from(&urls, cert, issuer, nonce, now, None) {
            Ok(Fetched { url, response }) => match cache.offer(&req_cert, response, now) {
                Ok(kept) => Ok(kept),
                Err(NotKept::NotYetValid(error)) => Err(FetchError::InvalidResponse { url, error }),
                Err(NotKept::Older { .. } | NotKept::Contradiction { .. }) => {
                    cache.kept(&req_cert).ok_or(FetchError::InvalidResponse {
                        url,
                        error: Error::NoMatchingResponse,
                    })
                }
            },
            Err(error) => {
                if let Some(kind) = error.failure_kind() {
                    cache.failed(&req_cert, kind);
                }
                Err(error)
            }
        }
    }

    /// The fetch path: asks `urls` in turn (through `pool`, when given: skipping origins that
    /// are down or busy, and telling it what happened).
    pub(crate) fn fetch_from(
        &self,
        urls: &[&str],
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        nonce: Option<&[u8]>,
        now: UnixTime,
        mut pool: Option<Pool<'_>>,
    ) -> Result<Fetched, FetchError> {
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
            let result = if remaining.is_zero() {
                Err(FetchError::Unreachable {
                    url: url.to_string(),
                    reason: Unreachable::Timeout,
                })
            } else {
                self.ask(url, &der, remaining, pool.as_mut())
                    .and_then(|body| accept(url, body, &verifier, cert, issuer, nonce, now))
            };
            if let (Some(pool), Some(origin)) = (&pool, Origin::of(url)) {
                match result
                    .as_ref()
                    .err()
                    .map(|error| (error, responder_failure(error)))
                {
                    // It answered: up, whatever it said about this certificate.
                    None | Some((FetchError::InvalidResponse { .. }, None)) => {
                        pool.responders.answered(&origin);
                    }
                    Some((_, Some(kind))) => pool.responders.failed(&origin, kind, pool.now),
                    Some((_, None)) => {}
                }
            }
            let error = match result {
                Ok(response) => {
                    return Ok(Fetched {
                        url: url.to_string(),
                        response,
                    });
                }
                Err(error) => error,
            };
            let silent = error.is_unreachable()
                || matches!(
                    error,
                    FetchError::RecentFailure { .. } | FetchError::ResponderBusy { .. }
                );
            let slot = if silent {
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

    /// One responder: its health and a slot (with a pool), then one HTTP exchange, judged up
    /// to the body.
    fn ask(
        &self,
        url: &str,
        der: &[u8],
        remaining: Duration,
        pool: Option<&mut Pool<'_>>,
    ) -> Result<Vec<u8>, FetchError> {
        let unreachable = |reason| FetchError::Unreachable {
            url: url.to_string(),
            reason,
        };
        let bad = |reason| FetchError::BadAnswer {
            url: url.to_string(),
            reason,
        };
        let _slot = match pool {
            None => None,
            Some(pool) => {
                let origin = Origin::of(url).ok_or_else(|| {
                    unreachable(Unreachable::InvalidUrl("not an http:// URL".into()))
                })?;
                if let Some(failure) = pool.responders.down(&origin, pool.now) {
                    return Err(FetchError::RecentFailure {
                        kind: failure.kind,
                        retry_in: failure.retry_in(pool.now),
                    });
                }
                let slot = match pool.first.take() {
                    Some(slot) if slot.origin() == &origin => Some(slot),
                    _ => pool.responders.try_slot(&origin, pool.priority).ok(),
                };
                let slot = slot.ok_or_else(|| FetchError::ResponderBusy {
                    url: url.to_string(),
                })?;
                Some(slot)
            }
        };
        let method = match self.method {
            FetchMethod::Auto => HttpMethod::for_request(url, der),
            FetchMethod::Get => HttpMethod::Get,
            FetchMethod::Post => HttpMethod::Post,
        };
        let get_url;
        let (target, body) = match method {
            HttpMethod::Get => {
                let len = get_url_len(url, der)
                    .ok_or_else(|| unreachable(Unreachable::InvalidUrl("too long".to_string())))?;
                let mut bytes = std::vec![0u8; len];
                write_get_url(url, der, &mut bytes)
                    .map_err(|error| unreachable(Unreachable::InvalidUrl(error.to_string())))?;
                get_url = String::from_utf8(bytes)
                    .map_err(|error| unreachable(Unreachable::InvalidUrl(error.to_string())))?;
                (get_url.as_str(), &[][..])
            }
            HttpMethod::Post => (url, der),
        };
        let request = HttpRequest {
            method,
            url: target,
            body,
            connect_timeout: self.connect_timeout.min(remaining),
            timeout: remaining,
            max_response_len: self.max_response_len,
        };
        let sent =
            catch_unwind(AssertUnwindSafe(|| self.transport.send(&request))).unwrap_or_else(|_| {
                Err(TransportError::Unreachable(Unreachable::Transport(
                    "the transport panicked".to_string(),
                )))
            });
        let response = sent.map_err(|error| match error {
            TransportError::Unreachable(reason) => unreachable(reason),
            TransportError::Malformed(what) => bad(BadAnswer::Protocol(what)),
        })?;
        let status = response.status();
        if (500..600).contains(&status) {
            return Err(unreachable(Unreachable::ServerError(status)));
        }
        if status != 200 {
            return Err(bad(BadAnswer::Status(status)));
        }
        // RFC 6960 Appendix A.2: "The Content-Type header has the value
        // "application/ocsp-response"." Media types are case-insensitive; parameters are
        // allowed and ignored.
        let media_type = response
            .content_type()
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|media| media.eq_ignore_ascii_case(OCSP_RESPONSE_CONTENT_TYPE)) {
            return Err(bad(BadAnswer::ContentType(
                response.content_type().map(String::from),
            )));
        }
        let body = response.into_body();
        if body.len() > self.max_response_len {
            return Err(bad(BadAnswer::TooLarge(self.max_response_len)));
        }
        Ok(body)
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

/// What a fetch error says about the responder itself (for every certificate), as opposed to
/// a refusal of its answer about one certificate: unreachable, nonsense, `internalError` and
/// `tryLater`.
pub(crate) fn responder_failure(error: &FetchError) -> Option<FailureKind> {
    match error {
        FetchError::Unreachable { .. } => Some(FailureKind::Unreachable),
        FetchError::BadAnswer { .. } => Some(FailureKind::BadAnswer),
        FetchError::InvalidResponse {
            error:
                error @ Error::UnsuccessfulResponse(
                    ResponseStatus::InternalError | ResponseStatus::TryLater,
                ),
            ..
        } => Some(FailureKind::InvalidResponse(*error)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(error: Error) -> FetchError {
        FetchError::InvalidResponse {
            url: "http://127.0.0.1:1/".into(),
            error,
        }
    }

    #[test]
    fn a_responder_is_down_for_its_own_failures_only() {
        let unreachable = FetchError::Unreachable {
            url: String::new(),
            reason: Unreachable::Timeout,
        };
        assert_eq!(
            responder_failure(&unreachable),
            Some(FailureKind::Unreachable)
        );
        let nonsense = FetchError::BadAnswer {
            url: String::new(),
            reason: BadAnswer::Status(404),
        };
        assert_eq!(responder_failure(&nonsense), Some(FailureKind::BadAnswer));
        for status in [ResponseStatus::TryLater, ResponseStatus::InternalError] {
            let error = Error::UnsuccessfulResponse(status);
            assert_eq!(
                responder_failure(&refused(error)),
                Some(FailureKind::InvalidResponse(error))
            );
        }
        // An answer about one certificate that does not verify says nothing about the others.
        assert_eq!(responder_failure(&refused(Error::InvalidSignature)), None);
        let unauthorized = Error::UnsuccessfulResponse(ResponseStatus::Unauthorized);
        assert_eq!(responder_failure(&refused(unauthorized)), None);
        assert_eq!(responder_failure(&FetchError::NoResponderUrl), None);
        let remembered = FetchError::RecentFailure {
            kind: FailureKind::Unreachable,
            retry_in: Duration::from_secs(1),
        };
        assert_eq!(responder_failure(&remembered), None);
    }
}
