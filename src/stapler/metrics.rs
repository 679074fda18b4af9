//! The stapler's figures in the Prometheus text format (version 0.0.4), written by
//! `prometheus-client`, the Prometheus project's Rust client: a collector that reads the
//! snapshots at each scrape, so the figures are those of the scrape's instant.
//!
//! Names follow the Prometheus conventions: an `ocsp_staple_` prefix, base units in the name
//! (`_seconds`, `_timestamp_seconds` for Unix times), `_total` for counters, one `certificate`
//! label with the certificate's label. The table is in `docs/stapling.md` and below.
//!
//! | metric | type | labels | value |
//! | --- | --- | --- | --- |
//! | `ocsp_staple_status` | gauge | `certificate`, `status` (`good`, `revoked`, `none`) | 1 for the status stapled now, 0 for the others |
//! | `ocsp_staple_must_staple` | gauge | `certificate` | 1 for a must-staple certificate |
//! | `ocsp_staple_this_update_timestamp_seconds` | gauge | `certificate` | `thisUpdate` of the answer stapled |
//! | `ocsp_staple_next_update_timestamp_seconds` | gauge | `certificate` | `nextUpdate` of the answer stapled |
//! | `ocsp_staple_time_to_next_update_seconds` | gauge | `certificate` | seconds until that `nextUpdate` (0 once past) |
//! | `ocsp_staple_stapled_until_timestamp_seconds` | gauge | `certificate` | when the staple is dropped unless refreshed |
//! | `ocsp_staple_next_refresh_timestamp_seconds` | gauge | `certificate` | when the responder is asked next |
//! | `ocsp_staple_fetches_total` | counter | `certificate` | times the responder was asked |
//! | `ocsp_staple_fetch_failures_total` | counter | `certificate` | fetches whose answer was not taken |
//! | `ocsp_staple_failures_in_a_row` | gauge | `certificate` | failures since the last success |
//! | `ocsp_staple_last_error_timestamp_seconds` | gauge | `certificate`, `error` (a [`super::StapleError::code`]) | when the last answer not taken was refused |
//! | `ocsp_staple_handshakes_total` | counter | `certificate`, `stapled` (`true`, `false`) | handshakes that got the certificate, with and without a staple |
//! | `ocsp_stapler_ready` | gauge | | 1 when every must-staple certificate has a good staple |
//!
//! The answer-dependent gauges have no sample for a certificate with no staple.

use core::fmt;
use std::boxed::Box;
use std::string::String;
use std::sync::Arc;
use std::vec::Vec;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use rustls_pki_types::UnixTime;

use super::{StapleSnapshot, Stapler};
use crate::response::CertStatus;

/// The `Content-Type` of [`Stapler::encode_metrics`]' output: the Prometheus text format,
/// version 0.0.4.
pub const METRICS_CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

impl Stapler {
    /// Appends every figure of every certificate to `out`, in the Prometheus text format
    /// (version 0.0.4, [`METRICS_CONTENT_TYPE`]), at the stapler's clock's now: what a
    /// `/metrics` endpoint serves.
    pub fn encode_metrics(self: &Arc<Self>, out: &mut String) -> fmt::Result {
        let mut registry = Registry::default();
        self.register_metrics(&mut registry);
        prometheus_client::encoding::prometheus_text::encode(out, &registry)
    }

    /// Adds the stapler's figures to an application's own `prometheus-client` registry, read
    /// at each scrape.
    pub fn register_metrics(self: &Arc<Self>, registry: &mut Registry) {
        registry.register_collector(Box::new(StaplerCollector(Arc::clone(self))));
    }
}

/// Reads the stapler's snapshots at each scrape.
#[derive(Debug)]
struct StaplerCollector(Arc<Stapler>);

impl Collector for StaplerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let now = self.0.now();
        let snapshots = self.0.snapshots(now);
        encode(&snapshots, self.0.ready(), &mut encoder)
    }
}

/// A value of a gauge or a counter.
enum Value {
    Gauge(i64),
    Counter(u64),
}

/// One sample: the certificate's label, the other labels, and the value.
type Sample<'s> = (&'s str, Vec<(&'static str, &'s str)>, Value);

/// One metric family: its name, help and type, and its samples.
struct Family<'s> {
    name: &'static str,
    help: &'static str,
    kind: MetricType,
    samples: Vec<Sample<'s>>,
}

fn encode(
    snapshots: &[StapleSnapshot],
    ready: bool,
    encoder: &mut DescriptorEncoder<'_>,
) -> fmt::Result {
    let gauge = |name, help| Family {
        name,
        help,
        kind: MetricType::Gauge,
        samples: Vec::new(),
    };
    let counter = |name, help| Family {
        name,
        help,
        kind: MetricType::Counter,
        samples: Vec::new(),
    };
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
    // prometheus-client adds the `_total` suffix of counters itself.
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
    let mut last_error = gauge(
        "ocsp_staple_last_error_timestamp_seconds",
        "When the last answer not taken was refused, with why, in seconds since the Unix epoch.",
    );
    let mut handshakes = counter(
        "ocsp_staple_handshakes",
        "Handshakes that got the certificate, with and without a staple.",
    );

    for snapshot in snapshots {
        let name = snapshot.certificate();
        let stapled = match snapshot.status() {
            Some(CertStatus::Good) => "good",
            Some(CertStatus::Revoked { .. }) => "revoked",
            _ => "none",
        };
        for value in ["good", "revoked", "none"] {
            let one = i64::from(value == stapled);
            status
                .samples
                .push((name, std::vec![("status", value)], Value::Gauge(one)));
        }
        let plain = |value| (name, Vec::new(), value);
        must_staple
            .samples
            .push(plain(Value::Gauge(i64::from(snapshot.is_must_staple()))));
        if let Some(time) = snapshot.this_update() {
            this_update.samples.push(plain(timestamp(time)));
        }
        if let Some(time) = snapshot.next_update() {
            next_update.samples.push(plain(timestamp(time)));
        }
        if let Some(remaining) = snapshot.time_to_next_update() {
            time_to_next_update
                .samples
                .push(plain(Value::Gauge(seconds(remaining.as_secs()))));
        }
        if let Some(time) = snapshot.stapled_until() {
            stapled_until.samples.push(plain(timestamp(time)));
        }
        next_refresh
            .samples
            .push(plain(timestamp(snapshot.next_refresh())));
        fetches
            .samples
            .push(plain(Value::Counter(snapshot.fetches())));
        failures
            .samples
            .push(plain(Value::Counter(snapshot.failures())));
        in_a_row
            .samples
            .push(plain(Value::Gauge(i64::from(snapshot.failures_in_a_row()))));
        if let (Some(error), Some(time)) = (snapshot.last_error(), snapshot.last_error_time()) {
            last_error
                .samples
                .push((name, std::vec![("error", error.code())], timestamp(time)));
        }
        for (label, count) in [
            ("true", snapshot.stapled_handshakes()),
            ("false", snapshot.unstapled_handshakes()),
        ] {
            handshakes
                .samples
                .push((name, std::vec![("stapled", label)], Value::Counter(count)));
        }
    }

    for family in [
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
        last_error,
        handshakes,
    ] {
        let mut metric = encoder.encode_descriptor(family.name, family.help, None, family.kind)?;
        for (certificate, labels, value) in &family.samples {
            let mut all = Vec::with_capacity(labels.len().saturating_add(1));
            all.push(("certificate", *certificate));
            all.extend(labels.iter().copied());
            write_value(&mut metric.encode_family(&all)?, value)?;
        }
    }
    let mut metric = encoder.encode_descriptor(
        "ocsp_stapler_ready",
        "1 when every must-staple certificate has a good staple (or none is must-staple).",
        None,
        MetricType::Gauge,
    )?;
    metric.encode_gauge(&i64::from(ready))
}

fn write_value(metric: &mut MetricEncoder<'_>, value: &Value) -> fmt::Result {
    match value {
        Value::Gauge(value) => metric.encode_gauge(value),
        Value::Counter(value) => metric.encode_counter::<NoLabelSet, u64, u64>(value, None),
    }
}

fn timestamp(time: UnixTime) -> Value {
    Value::Gauge(seconds(time.as_secs()))
}

fn seconds(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}
