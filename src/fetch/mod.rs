//! Fetching and keeping answers (feature `std`; the fetcher with `http`): the one fetch path
//! ([`Fetcher`]) over a [`Transport`], the responder policy ([`ResponderPolicy`]) and the slots
//! responders may take ([`FetchSlots`]), the keeper of verified answers by `CertID`
//! ([`ResponseCache`]), and what the server side schedules with: [`Backoff`] after failures,
//! [`RefreshSchedule`] for answers kept, and the monotonic clock ([`MonotonicClock`]).

// The fetch path's pool and slots serve the stapler and the mTLS verifier.
#![cfg_attr(
    not(all(feature = "rustls", feature = "http")),
    allow(dead_code, unused_imports)
)]

mod cache;
mod error;
#[cfg(feature = "http")]
mod fetcher;
#[cfg(feature = "http")]
mod responders;
mod transport;

pub use crate::server::backoff::{Backoff, FailureKind};
pub use crate::server::clock::{ManualMonotonicClock, MonotonicClock};
pub use crate::server::schedule::RefreshSchedule;
pub use cache::{CacheLookup, CacheOptions, ResponseCache};
pub use error::{BadAnswer, FetchError, NotKept, Unreachable};
pub(crate) use error::{staple_of_failure, status_word};
#[cfg(feature = "http")]
pub use fetcher::{FetchMethod, Fetcher};
#[cfg(feature = "http")]
pub(crate) use fetcher::{Fetched, Pool};
#[cfg(feature = "http")]
pub(crate) use responders::{Busy, Origin, Priority, Responders, Slot};
#[cfg(feature = "http")]
pub use responders::{FetchSlots, ResponderPolicy};
#[cfg(feature = "http")]
pub use transport::UreqTransport;
pub use transport::{HttpRequest, HttpResponse, Transport, TransportError};
