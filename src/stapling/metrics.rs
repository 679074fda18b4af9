//! The stapler's figures in the Prometheus text format, through the server side's one encoding
//! path ([`crate::server::metrics`]), read from the snapshots at each scrape.

use core::fmt;
use std::string::String;
use std::sync::Arc;
use std::vec::Vec;

use prometheus_client::registry::Registry;

use super::Stapler;
use crate::response::CertStatus;
use crate::server::metrics::{self, Family, Figures, Value};

impl Stapler {
    /// Appends every figure of every certificate to `out`, in the Prometheus text format
    /// (version 0.0.4, [`crate::METRICS_CONTENT_TYPE`]), now: what a `/metrics` endpoint serves.
    ///
    /// | metric | type | labels | value |
    /// | --- | --- | --- | --- |
    /// | `ocsp_staple_status` | gauge | `certificate`, `status` (`good`, `revoked`, `none`) | 1 for the status stapled now, 0 for the others |
    /// | `ocsp_staple_must_staple` | gauge | `certificate` | 1 for a must-staple certificate |
    /// | `ocsp_staple_this_update_timestamp_seconds` | gauge | `certificate` | `thisUpdate` of the answer stapled |
    /// | `ocsp_staple_next_update_timestamp_seconds` | gauge | `certificate` | `nextUpdate` of the answer stapled |
    /// | `ocsp_staple_time_to_next_update_seconds` | gauge | `certificate` | seconds until that `nextUpdate` (0 once past) |
    /// | `ocsp_staple_stapled_until_timestamp_seconds` | gauge | `certificate` | when the staple is dropped unless refreshed |
    /// | `ocsp_staple_next_refresh_timestamp_seconds` | gauge | `certificate` | when the responder is asked next |
    /// | `ocsp_staple_fetches_total` | counter | `certificate` | times the responder was asked |
    /// | `ocsp_staple_fetch_failures_total` | counter | `certificate` | fetches whose answer was not taken |
    /// | `ocsp_staple_failures_in_a_row` | gauge | `certificate` | failures since the last success |
    /// | `ocsp_staple_contradictions_total` | counter | `certificate` | answers that contradicted a verified revocation |
    /// | `ocsp_staple_last_error_timestamp_seconds` | gauge | `certificate`, `error` (a [`StapleError::code`](super::StapleError::code)) | when the last answer not taken was refused |
    /// | `ocsp_staple_handshakes_total` | counter | `certificate`, `stapled` (`true`, `false`) | handshakes that got the certificate, with and without a staple |
    /// | `ocsp_stapler_ready` | gauge | | 1 when every must-staple certificate has a good staple |
    /// | `ocsp_stapler_observer_panics_total` | counter | | times the observer panicked (caught) |
    ///
    /// The answer-dependent gauges have no sample for a certificate with no staple.
    pub fn encode_metrics(self: &Arc<Self>, out: &mut String) -> fmt::Result {
        metrics::encode(Scrape(Arc::clone(self)), out)
    }

    /// Adds the stapler's figures to an application's own `prometheus-client` registry, read
    /// at each scrape.
    pub fn register_metrics(self: &Arc<Self>, registry: &mut Registry) {
        metrics::register(Scrape(Arc::clone(self)), registry);
    }
}

#[derive(Debug)]
struct Scrape(Arc<Stapler>);

impl Figures for Scrape {
    fn families(&self) -> Vec<Family> {
        let gauge = Family::gauge;
        let counter = Family::counter;
        let mut status = gauge(
            "ocsp_staple_status",
            "The status stapled now: 1 for it, 0 for the others (none: no staple).",
        );
        let mut must_staple = gauge(
            "ocsp_staple_must_staple",
            "1 when the certificate is must-staple (RFC 7633 status_request).",
        );
        let mut this_update = gauge(
            "ocsp_staple_this_update_timestamp_seconds",
            "thisUpdate of the answer stapled, in seconds since the Unix epoch.",
        );
        let mut next_update = gauge(
            "ocsp_staple_next_update_timestamp_seconds",
            "nextUpdate of the answer stapled, in seconds since the Unix epoch.",
        );
        let mut time_to_next_update = gauge(
            "ocsp_staple_time_to_next_update_seconds",
            "Seconds until the nextUpdate of the answer stapled (0 once past).",
        );
        let mut stapled_until = gauge(
            "ocsp_staple_stapled_until_timestamp_seconds",
            "When the staple is dropped unless refreshed, in seconds since the Unix epoch.",
        );
        let mut next_refresh = gauge(
            "ocsp_staple_next_refresh_timestamp_seconds",
            "When the responder is asked next, in seconds since the Unix epoch.",
        );
        let mut fetches = counter(
            "ocsp_staple_fetches",
            "Times the responder was asked for the certificate's status.",
        );
        let mut failures = counter(
            "ocsp_staple_fetch_failures",
            "Fetches whose answer was not taken (unreachable, nonsense, invalid, unknown, older).",
        );
        let mut in_a_row = gauge(
            "ocsp_staple_failures_in_a_row",
            "Fetches without an answer taken since the last one with.",
        );
        let mut contradictions = counter(
            "ocsp_staple_contradictions",
            "Answers that said good or unknown after a verified revocation: a responder is wrong.",
        );
        let mut last_error = gauge(
            "ocsp_staple_last_error_timestamp_seconds",
            "When the last answer not taken was refused, with why, in seconds since the Unix epoch.",
        );
        let mut handshakes = counter(
            "ocsp_staple_handshakes",
            "Handshakes that got the certificate, with and without a staple.",
        );

        for snapshot in self.0.snapshots() {
            let labels = std::vec![("certificate", String::from(snapshot.certificate()))];
            let stapled = match snapshot.status() {
                Some(CertStatus::Good) => "good",
                Some(CertStatus::Revoked { .. }) => "revoked",
                _ => "none",
            };
            status.one_of(&labels, "status", &["good", "revoked", "none"], stapled);
            must_staple.push(labels.clone(), Value::flag(snapshot.is_must_staple()));
            if let Some(time) = snapshot.this_update() {
                this_update.push(labels.clone(), Value::timestamp(time));
            }
            if let Some(time) = snapshot.next_update() {
                next_update.push(labels.clone(), Value::timestamp(time));
            }
            if let Some(remaining) = snapshot.time_to_next_update() {
                time_to_next_update.push(labels.clone(), Value::seconds(remaining.as_secs()));
            }
            if let Some(time) = snapshot.stapled_until() {
                stapled_until.push(labels.clone(), Value::timestamp(time));
            }
            next_refresh.push(labels.clone(), Value::timestamp(snapshot.next_refresh()));
            fetches.push(labels.clone(), Value::Counter(snapshot.fetches()));
            failures.push(labels.clone(), Value::Counter(snapshot.failures()));
            in_a_row.push(
                labels.clone(),
                Value::Gauge(i64::from(snapshot.failures_in_a_row())),
            );
            contradictions.push(labels.clone(), Value::Counter(snapshot.contradictions()));
            if let (Some(error), Some(time)) = (snapshot.last_error(), snapshot.last_error_time()) {
                let mut with_error = labels.clone();
                with_error.push(("error", String::from(error.code())));
                last_error.push(with_error, Value::timestamp(time));
            }
            for (stapled, count) in [
                ("true", snapshot.stapled_handshakes()),
                ("false", snapshot.unstapled_handshakes()),
            ] {
                let mut with_stapled = labels.clone();
                with_stapled.push(("stapled", String::from(stapled)));
                handshakes.push(with_stapled, Value::Counter(count));
            }
        }
        let mut ready = gauge(
            "ocsp_stapler_ready",
            "1 when every must-staple certificate has a good staple (or none is must-staple).",
        );
        ready.push(Vec::new(), Value::flag(self.0.ready()));
        let mut panics = counter(
            "ocsp_stapler_observer_panics",
            "Times the observer panicked (each caught; the stapler went on).",
        );
        panics.push(Vec::new(), Value::Counter(self.0.observer_panics()));
        std::vec![
            status,
            must_staple,
            this_update,
            next_update,
            time_to_next_update,
            stapled_until,
            next_refresh,
            fetches,
            failures,
            in_a_row,
            contradictions,
            last_error,
            handshakes,
            ready,
            panics,
        ]
    }
}
