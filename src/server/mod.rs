//! The parts the server side shares: each mechanism once, so that a fix lands in one place.
//!
//! | mechanism | where | used by |
//! | --- | --- | --- |
//! | answers by `CertID`, one-way revocation | [`keeper`] (behind [`crate::fetch::ResponseCache`]) | the fetch cache, the stapler, the mTLS verifier |
//! | failure memory with jittered backoff | [`backoff`] | per `CertID` in the cache; per responder origin in [`crate::fetch`]'s responder pool |
//! | when to refresh, and backing off when nothing newer comes | [`schedule`] | the stapler's refreshes, the mTLS prefetch |
//! | two clocks: wall time judges, monotonic time waits | [`clock`] | everything that schedules |
//! | bounded maps with a stated eviction rule | [`bounded`] | every map above, the path memo, the verdict cache |
//! | one deadline wait, locks that survive panics | [`sync`] | every thread and every wait |
//! | background threads that survive a panicking round, joined when dropped | [`worker`] | the stapler's refresh thread, the mTLS prefetcher |
//! | observers whose panics are caught and counted | [`observe`] | the stapler, the mTLS verifier, the rustls adapter |
//! | the Prometheus text encoding | [`metrics`] (feature `prometheus`) | the stapler, the mTLS verifier |
//!
//! Nothing here knows rustls, HTTP or files: the fetch path and the responder pool are in
//! [`crate::fetch`], the components above it.

// Each component uses the parts it needs; a build without all of them (the default one, with
// the fetch cache alone, or the rustls adapter without the server side) leaves some unused.
#![cfg_attr(not(feature = "stapler"), allow(dead_code, unused_imports))]

pub(crate) mod backoff;
pub(crate) mod bounded;
pub(crate) mod clock;
pub(crate) mod keeper;
#[cfg(feature = "prometheus")]
pub(crate) mod metrics;
pub(crate) mod observe;
pub(crate) mod schedule;
pub(crate) mod sync;
pub(crate) mod worker;
