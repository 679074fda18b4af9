//! The one Prometheus encoding path: components describe their figures as [`Family`]s, read at
//! each scrape, and this writes them with `prometheus-client` in the text format (version
//! 0.0.4). The stapler and the mTLS verifier use it, and so does `ocsp-check` (its probes and
//! its exporter), which includes this file as a module of its own: the tool sees only the
//! library's public API, and this is not part of it.
//!
//! Names follow the Prometheus conventions: a prefix per component (`ocsp_staple_`,
//! `ocsp_client_`, `ocsp_probe_`, `ocsp_exporter_`), base units in the name (`_seconds`,
//! `_timestamp_seconds` for Unix times), counters named without `_total` here (the encoder
//! adds it), snake_case labels.
//!
//! Only external crates and `std` are named here, so that the file compiles in both crates.

use core::fmt;
use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use rustls_pki_types::UnixTime;

/// The `Content-Type` of what `Stapler::encode_metrics` and `OcspClientCertVerifier::encode_metrics`
/// write: the Prometheus text format, version 0.0.4.
pub const METRICS_CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// A value of a gauge or a counter.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value {
    Gauge(i64),
    /// A gauge with a fraction (a duration in seconds, say).
    #[allow(
        dead_code,
        reason = "ocsp-check's durations; the library's components count seconds"
    )]
    Float(f64),
    Counter(u64),
}

impl Value {
    /// A Unix time, as a gauge of seconds.
    pub(crate) fn timestamp(time: UnixTime) -> Self {
        Self::Gauge(i64::try_from(time.as_secs()).unwrap_or(i64::MAX))
    }

    /// A duration in whole seconds, as a gauge.
    pub(crate) fn seconds(secs: u64) -> Self {
        Self::Gauge(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// A count of things now, as a gauge.
    pub(crate) fn count(count: usize) -> Self {
        Self::Gauge(i64::try_from(count).unwrap_or(i64::MAX))
    }

    pub(crate) fn flag(on: bool) -> Self {
        Self::Gauge(i64::from(on))
    }
}

/// Labels of one sample.
pub(crate) type Labels = Vec<(&'static str, String)>;

/// One metric family and its samples.
#[derive(Clone, Debug)]
pub(crate) struct Family {
    name: &'static str,
    help: &'static str,
    kind: MetricType,
    samples: Vec<(Labels, Value)>,
}

impl Family {
    pub(crate) fn gauge(name: &'static str, help: &'static str) -> Self {
        Self {
            name,
            help,
            kind: MetricType::Gauge,
            samples: Vec::new(),
        }
    }

    /// A counter: `name` without `_total`, which the encoder adds.
    pub(crate) fn counter(name: &'static str, help: &'static str) -> Self {
        Self {
            name,
            help,
            kind: MetricType::Counter,
            samples: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, labels: Labels, value: Value) {
        self.samples.push((labels, value));
    }

    /// Whether it has no sample yet.
    #[allow(
        dead_code,
        reason = "ocsp-check leaves such families out; the library's components do not"
    )]
    pub(crate) fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The family with one sample without labels: a figure of the whole component.
    pub(crate) fn of(mut self, value: Value) -> Self {
        self.push(Vec::new(), value);
        self
    }

    /// One sample per value of `label`: 1 for `current`, 0 for the others.
    pub(crate) fn one_of(
        &mut self,
        labels: &Labels,
        label: &'static str,
        values: &[&'static str],
        current: &str,
    ) {
        for value in values {
            let mut all = labels.clone();
            all.push((label, String::from(*value)));
            self.push(all, Value::flag(*value == current));
        }
    }
}

/// Writes `families` (those without samples too: their HELP and TYPE say they exist).
fn write(families: &[Family], encoder: &mut DescriptorEncoder<'_>) -> fmt::Result {
    for family in families {
        let mut metric = encoder.encode_descriptor(family.name, family.help, None, family.kind)?;
        for (labels, value) in &family.samples {
            let pairs: Vec<(&str, &str)> = labels
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let mut sample = metric.encode_family(&pairs)?;
            write_value(&mut sample, *value)?;
        }
    }
    Ok(())
}

fn write_value(metric: &mut MetricEncoder<'_>, value: Value) -> fmt::Result {
    match value {
        Value::Gauge(value) => metric.encode_gauge(&value),
        Value::Float(value) => metric.encode_gauge(&value),
        Value::Counter(value) => metric.encode_counter::<NoLabelSet, u64, u64>(&value, None),
    }
}

/// Something whose figures are read at each scrape.
pub(crate) trait Figures: fmt::Debug + Send + Sync + 'static {
    fn families(&self) -> Vec<Family>;
}

/// Reads a component's figures at each scrape.
#[derive(Debug)]
struct Collected<F>(F);

impl<F: Figures> Collector for Collected<F> {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        write(&self.0.families(), &mut encoder)
    }
}

/// Adds a component's figures to an application's registry, read at each scrape.
pub(crate) fn register(figures: impl Figures, registry: &mut Registry) {
    registry.register_collector(Box::new(Collected(figures)));
}

/// A component's figures now, in the text format, appended to `out`.
pub(crate) fn encode(figures: impl Figures, out: &mut String) -> fmt::Result {
    let mut registry = Registry::default();
    register(figures, &mut registry);
    prometheus_client::encoding::prometheus_text::encode(out, &registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Two;

    impl Figures for Two {
        fn families(&self) -> Vec<Family> {
            let mut status = Family::gauge("x_status", "The status.");
            let labels = std::vec![("certificate", String::from("www"))];
            status.one_of(&labels, "status", &["good", "none"], "good");
            let mut count = Family::counter("x_fetches", "Fetches.");
            count.push(labels, Value::Counter(3));
            let empty = Family::gauge("x_empty_timestamp_seconds", "Nothing yet.");
            std::vec![status, count, empty]
        }
    }

    #[test]
    fn families_in_the_text_format() {
        let mut out = String::new();
        encode(Two, &mut out).unwrap();
        let expected = [
            "# HELP x_status The status.",
            "# TYPE x_status gauge",
            "x_status{certificate=\"www\",status=\"good\"} 1",
            "x_status{certificate=\"www\",status=\"none\"} 0",
            "# HELP x_fetches_total Fetches.",
            "# TYPE x_fetches_total counter",
            "x_fetches_total{certificate=\"www\"} 3",
            "# HELP x_empty_timestamp_seconds Nothing yet.",
            "# TYPE x_empty_timestamp_seconds gauge",
            "",
        ];
        assert_eq!(out, expected.join("\n"));
        let seven = UnixTime::since_unix_epoch(core::time::Duration::from_secs(7));
        assert!(matches!(Value::timestamp(seven), Value::Gauge(7)));
        assert!(matches!(Value::count(usize::MAX), Value::Gauge(i64::MAX)));
    }
}
