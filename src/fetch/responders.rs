//! Which responders are asked, and how hard: the responder policy (configured URLs, an
//! allowlist, the certificate's own URLs or not), the health of each responder origin, and
//! the fetch slots per origin.
//!
//! A certificate's authorityInfoAccess is written by its CA. For a server's own certificate
//! that is the server's CA, and the stapler asks whatever it names. For *client* certificates
//! it is the word of every CA the server trusts, about a certificate the client chose: where a
//! CA copies extensions from certificate requests, or several partner CAs are trusted, the
//! URL is the client's choice, and asking it is a request-forgery path into the server's
//! network (loopback, link-local, internal hosts). [`ResponderPolicy`] restricts it: an
//! allowlist of responder origins or URLs, or no authorityInfoAccess at all.

use core::fmt;
use std::collections::HashMap;
use std::string::String;
use std::sync::Arc;
use std::time::Instant;
use std::vec::Vec;

use super::error::FetchError;
use crate::cert::Certificate;
use crate::requests::{http_responder_urls, is_http_url};
use crate::server::backoff::{Backoff, Failure, FailureKind, FailureMemory};
use crate::server::sync::Signal;

/// At most this many of a certificate's responder URLs are tried in one fetch.
pub(crate) const MAX_URLS_PER_FETCH: usize = 4;

/// At most this many responder origins are remembered as failing.
const MAX_ORIGINS_REMEMBERED: usize = 1024;

/// Which responders may be asked about a certificate.
///
/// By default, the `http://` URLs its authorityInfoAccess names (at most four, in order). A
/// configured URL ([`ResponderPolicy::with_url`]) is asked instead; an allowlist
/// ([`ResponderPolicy::allowing`]) keeps only the certificate's URLs it names;
/// [`ResponderPolicy::ignoring_aia`] never asks the certificate's URLs (then only configured
/// ones are asked). See the module documentation for when authorityInfoAccess is
/// attacker-controlled.
///
/// ```
/// use ocsp_verify::fetch::ResponderPolicy;
///
/// // Only the partner CA's responder, whatever a client certificate names.
/// let partner = ResponderPolicy::new().allowing("http://ocsp.partner.example");
/// // A private CA whose certificates name none.
/// let private = ResponderPolicy::new().with_url("http://ocsp.internal.example:8080/").ignoring_aia();
/// # let _ = (partner, private);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderPolicy {
    urls: Vec<String>,
    allowed: Vec<String>,
    use_aia: bool,
}

impl ResponderPolicy {
    /// The certificate's own `http://` responders, any of them.
    pub fn new() -> Self {
        Self {
            urls: Vec::new(),
            allowed: Vec::new(),
            use_aia: true,
        }
    }

    /// An `http://` responder to ask instead of those the certificate names (RFC 6960
    /// Appendix A.1 allows "other local configuration of the OCSP client"). Several are asked
    /// in the order given.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// Allows the certificate's responder URLs at this origin (`http://host[:port]`, any
    /// path) or, given with a path, this exact URL. Once one is allowed, only those allowed
    /// are asked.
    pub fn allowing(mut self, origin_or_url: impl Into<String>) -> Self {
        self.allowed.push(origin_or_url.into());
        self
    }

    /// Never asks the responders a certificate names: only those given with
    /// [`ResponderPolicy::with_url`].
    pub fn ignoring_aia(self) -> Self {
        Self {
            use_aia: false,
            ..self
        }
    }

    /// The URLs configured.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// The origins and URLs allowed.
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// Whether the certificate's own responders may be asked.
    pub fn uses_aia(&self) -> bool {
        self.use_aia
    }

    /// The first configured or allowed entry that is not an `http://` URL with a host.
    pub(crate) fn invalid_entry(&self) -> Option<&str> {
        self.urls
            .iter()
            .chain(&self.allowed)
            .find(|entry| Origin::of(entry).is_none())
            .map(String::as_str)
    }

    /// The URLs to ask about `cert`, in order.
    pub(crate) fn urls_for<'c>(
        &'c self,
        cert: &Certificate<'c>,
    ) -> Result<Vec<&'c str>, FetchError> {
        if !self.urls.is_empty() {
            return Ok(self
                .urls
                .iter()
                .map(String::as_str)
                .take(MAX_URLS_PER_FETCH)
                .collect());
        }
        if !self.use_aia {
            return Err(FetchError::NoResponderUrl);
        }
        let named: Vec<&str> = http_responder_urls(cert).collect();
        if named.is_empty() {
            return Err(FetchError::NoResponderUrl);
        }
        let urls: Vec<&str> = named
            .iter()
            .copied()
            .filter(|url| self.allows(url))
            .take(MAX_URLS_PER_FETCH)
            .collect();
        if urls.is_empty() {
            return Err(FetchError::ResponderNotAllowed(named.join(", ")));
        }
        Ok(urls)
    }

    fn allows(&self, url: &str) -> bool {
        if self.allowed.is_empty() {
            return true;
        }
        let origin = Origin::of(url);
        self.allowed.iter().any(|allowed| {
            if has_path(allowed) {
                allowed == url
            } else {
                origin.is_some() && Origin::of(allowed) == origin
            }
        })
    }
}

impl Default for ResponderPolicy {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether an `http://` URL names a path beyond `/`.
fn has_path(url: &str) -> bool {
    let rest = url.get("http://".len()..).unwrap_or_default();
    rest.find('/')
        .is_some_and(|slash| rest.len() > slash.saturating_add(1))
}

/// A responder's origin (RFC 6454: scheme, host, port; the scheme is always `http` here).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an `http://` URL; `None` for anything else.
    pub(crate) fn of(url: &str) -> Option<Self> {
        if !is_http_url(url) {
            return None;
        }
        let uri: http::Uri = url.parse().ok()?;
        let host = uri.host().filter(|host| !host.is_empty())?;
        Some(Self {
            host: host.to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(80),
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}:{}", self.host, self.port)
    }
}

/// How many requests may run at once: a small `Copy` builder.
///
/// - `total`: across every responder;
/// - `per_responder`: to one responder origin, so that one slow responder cannot take the
///   slots the others need;
/// - `reserved_for_handshakes`: of the total, what background work (prefetch) may not take,
///   so that a handshake can always ask.
///
/// ```
/// use ocsp_verify::fetch::FetchSlots;
///
/// let slots = FetchSlots::new().with_total(64).with_per_responder(8);
/// assert_eq!(slots.reserved_for_handshakes(), FetchSlots::DEFAULT_RESERVED_FOR_HANDSHAKES);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FetchSlots {
    total: usize,
    per_responder: usize,
    reserved_for_handshakes: usize,
}

impl FetchSlots {
    /// The default number of requests running at once: 32.
    pub const DEFAULT_TOTAL: usize = 32;

    /// The default number of requests to one responder origin at once: 4.
    pub const DEFAULT_PER_RESPONDER: usize = 4;

    /// The default number of slots only handshakes may take: 8.
    pub const DEFAULT_RESERVED_FOR_HANDSHAKES: usize = 8;

    /// The defaults.
    pub const fn new() -> Self {
        Self {
            total: Self::DEFAULT_TOTAL,
            per_responder: Self::DEFAULT_PER_RESPONDER,
            reserved_for_handshakes: Self::DEFAULT_RESERVED_FOR_HANDSHAKES,
        }
    }

    /// The most requests at once, across every responder.
    pub const fn with_total(self, total: usize) -> Self {
        Self { total, ..self }
    }

    /// The most requests at once to one responder origin.
    pub const fn with_per_responder(self, per_responder: usize) -> Self {
        Self {
            per_responder,
            ..self
        }
    }

    /// How many of the total only handshakes may take.
    pub const fn with_reserved_for_handshakes(self, reserved: usize) -> Self {
        Self {
            reserved_for_handshakes: reserved,
            ..self
        }
    }

    /// The most requests at once.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The most requests at once to one origin.
    pub fn per_responder(&self) -> usize {
        self.per_responder
    }

    /// The slots only handshakes may take.
    pub fn reserved_for_handshakes(&self) -> usize {
        self.reserved_for_handshakes
    }
}

impl Default for FetchSlots {
    fn default() -> Self {
        Self::new()
    }
}

/// Who asks: a handshake waiting for the answer, or background work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Priority {
    Handshake,
    Background,
}

/// The responders as this server sees them: which origins failed lately (and until when they
/// are left alone), and the slots in use.
#[derive(Debug)]
pub(crate) struct Responders {
    health: FailureMemory<Origin>,
    limits: FetchSlots,
    in_use: Signal<InUse>,
}

/// Why no slot was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Busy {
    /// The responder's origin has as many requests running as it may.
    Responder,
    /// Every slot open to this priority is taken.
    All,
}

#[derive(Debug, Default)]
struct InUse {
    total: usize,
    by_origin: HashMap<Origin, usize>,
}

impl Responders {
    pub(crate) fn new(backoff: Backoff, limits: FetchSlots, seed: Option<u64>) -> Arc<Self> {
        Arc::new(Self {
            health: FailureMemory::new(backoff, MAX_ORIGINS_REMEMBERED, seed),
            limits,
            in_use: Signal::new(InUse::default()),
        })
    }

    /// The failure of `origin` while it is left alone.
    pub(crate) fn down(&self, origin: &Origin, now: Instant) -> Option<Failure> {
        self.health.waiting(origin, now)
    }

    pub(crate) fn failed(&self, origin: &Origin, kind: FailureKind, now: Instant) {
        self.health.failed(origin, kind, now);
    }

    pub(crate) fn answered(&self, origin: &Origin) {
        self.health.succeeded(origin);
    }

    /// Takes a slot to ask `origin`, if one is free for `priority`.
    pub(crate) fn try_slot(
        self: &Arc<Self>,
        origin: &Origin,
        priority: Priority,
    ) -> Result<Slot, Busy> {
        self.wait_slot(origin, priority, Some(Instant::now()))
    }

    /// Takes a slot to ask `origin`, waiting for one to be freed until `deadline` (`None`:
    /// for as long as it takes). Slots are freed when requests end, each within its timeout.
    pub(crate) fn wait_slot(
        self: &Arc<Self>,
        origin: &Origin,
        priority: Priority,
        deadline: Option<Instant>,
    ) -> Result<Slot, Busy> {
        let limit = match priority {
            Priority::Handshake => self.limits.total,
            Priority::Background => self
                .limits
                .total
                .saturating_sub(self.limits.reserved_for_handshakes),
        };
        let per_origin = self.limits.per_responder;
        let busy = |in_use: &InUse| {
            if in_use.by_origin.get(origin).copied().unwrap_or(0) >= per_origin {
                Some(Busy::Responder)
            } else if in_use.total >= limit {
                Some(Busy::All)
            } else {
                None
            }
        };
        let (mut in_use, free) = self
            .in_use
            .wait_until(deadline, None, |in_use| busy(in_use).is_none());
        if !free {
            return Err(busy(&in_use).unwrap_or(Busy::All));
        }
        in_use.total = in_use.total.saturating_add(1);
        let count = in_use.by_origin.entry(origin.clone()).or_insert(0);
        *count = count.saturating_add(1);
        Ok(Slot {
            responders: Arc::clone(self),
            origin: origin.clone(),
        })
    }

    /// Requests running now.
    #[cfg(test)]
    fn in_use(&self) -> usize {
        self.in_use.lock().total
    }

    /// Origins remembered as failing (due or not).
    pub(crate) fn remembered(&self) -> usize {
        self.health.len()
    }

    fn release(&self, origin: &Origin) {
        self.in_use.update(|in_use| {
            in_use.total = in_use.total.saturating_sub(1);
            if let Some(count) = in_use.by_origin.get_mut(origin) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    in_use.by_origin.remove(origin);
                }
            }
        });
    }
}

/// A request slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    responders: Arc<Responders>,
    origin: Origin,
}

impl Slot {
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.responders.release(&self.origin);
    }
}

impl fmt::Display for ResponderPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.urls.is_empty(), self.use_aia, self.allowed.is_empty()) {
            (false, _, _) => write!(f, "ask {}", self.urls.join(", ")),
            (true, false, _) => f.write_str("ask nobody (authorityInfoAccess ignored, no URL)"),
            (true, true, true) => f.write_str("ask the certificate's responders"),
            (true, true, false) => {
                write!(
                    f,
                    "ask the certificate's responders among {}",
                    self.allowed.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;
    use std::string::ToString;

    use super::*;

    fn origin(url: &str) -> Origin {
        Origin::of(url).unwrap()
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin("http://OCSP.Example.com/a"),
            origin("http://ocsp.example.com:80/b")
        );
        assert_ne!(
            origin("http://ocsp.example.com/"),
            origin("http://ocsp.example.com:8080/")
        );
        assert_eq!(
            origin("http://[::1]:8080/").to_string(),
            "http://[::1]:8080"
        );
        assert_eq!(
            origin("http://127.0.0.1:9/x?y").to_string(),
            "http://127.0.0.1:9"
        );
        for bad in [
            "https://ocsp.example.com/",
            "ftp://x/",
            "http://",
            "not a url",
            "",
        ] {
            assert_eq!(Origin::of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_allowlist_matches_origins_or_exact_urls() {
        let policy = ResponderPolicy::new()
            .allowing("http://ocsp.partner.example")
            .allowing("http://10.0.0.1:8080/exact");
        assert!(policy.allows("http://ocsp.partner.example/any/path"));
        assert!(policy.allows("http://OCSP.partner.example:80/"));
        assert!(!policy.allows("http://ocsp.partner.example:8080/"));
        assert!(policy.allows("http://10.0.0.1:8080/exact"));
        assert!(!policy.allows("http://10.0.0.1:8080/other"));
        assert!(!policy.allows("http://169.254.169.254/latest/meta-data"));
        assert!(ResponderPolicy::new().allows("http://169.254.169.254/"));
        assert_eq!(policy.invalid_entry(), None);
        assert_eq!(
            ResponderPolicy::new()
                .allowing("https://x/")
                .invalid_entry(),
            Some("https://x/")
        );
        assert_eq!(
            ResponderPolicy::new()
                .with_url("ocsp.example")
                .invalid_entry(),
            Some("ocsp.example")
        );
    }

    #[test]
    fn slots_per_origin_total_and_reserve() {
        let limits = FetchSlots::new()
            .with_total(4)
            .with_per_responder(2)
            .with_reserved_for_handshakes(1);
        let responders = Responders::new(
            Backoff::new(Duration::from_secs(1), Duration::from_secs(1)),
            limits,
            None,
        );
        let (slow, other, third) = (
            origin("http://slow/"),
            origin("http://other/"),
            origin("http://third/"),
        );
        let a = responders.try_slot(&slow, Priority::Handshake).unwrap();
        let b = responders.try_slot(&slow, Priority::Background).unwrap();
        // The slow origin is full; another still gets slots.
        assert_eq!(
            responders.try_slot(&slow, Priority::Handshake).err(),
            Some(Busy::Responder)
        );
        let c = responders.try_slot(&other, Priority::Background).unwrap();
        // Three in use of four: the last is reserved for handshakes.
        assert_eq!(
            responders.try_slot(&third, Priority::Background).err(),
            Some(Busy::All)
        );
        let d = responders.try_slot(&third, Priority::Handshake).unwrap();
        assert_eq!(
            responders.try_slot(&third, Priority::Handshake).err(),
            Some(Busy::All)
        );
        assert_eq!(responders.in_use(), 4);
        drop(a);
        assert_eq!(responders.in_use(), 3);
        let e = responders.try_slot(&slow, Priority::Handshake).unwrap();
        assert_eq!(e.origin(), &slow);
        drop((b, c, d, e));
        assert_eq!(responders.in_use(), 0);
        assert!(responders.in_use.lock().by_origin.is_empty());
    }

    #[test]
    fn a_waiting_request_gets_the_slot_freed() {
        let limits = FetchSlots::new().with_total(1);
        let responders = Responders::new(
            Backoff::new(Duration::from_secs(1), Duration::from_secs(1)),
            limits,
            None,
        );
        let origin = origin("http://one/");
        let held = responders.try_slot(&origin, Priority::Handshake).unwrap();
        let started = Instant::now();
        // Nobody frees it: the wait ends at the deadline.
        let busy = responders.wait_slot(
            &origin,
            Priority::Handshake,
            Some(started + Duration::from_millis(30)),
        );
        assert_eq!(busy.err(), Some(Busy::All));
        assert!(started.elapsed() >= Duration::from_millis(30));
        let freeing = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            drop(held);
        });
        let slot = responders.wait_slot(
            &origin,
            Priority::Handshake,
            Some(Instant::now() + Duration::from_secs(30)),
        );
        assert!(slot.is_ok());
        freeing.join().unwrap();
    }

    #[test]
    fn a_failed_origin_is_down_for_its_backoff() {
        let responders = Responders::new(
            Backoff::new(Duration::from_secs(10), Duration::from_secs(10)).with_jitter_percent(0),
            FetchSlots::new(),
            None,
        );
        let (dead, t0) = (origin("http://dead/"), Instant::now());
        responders.failed(&dead, FailureKind::Unreachable, t0);
        assert!(
            responders
                .down(&dead, t0 + Duration::from_secs(9))
                .is_some()
        );
        assert!(
            responders
                .down(&dead, t0 + Duration::from_secs(10))
                .is_none()
        );
        assert!(responders.down(&origin("http://alive/"), t0).is_none());
        responders.answered(&dead);
        assert_eq!(responders.remembered(), 0);
    }
}
