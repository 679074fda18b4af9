//! The mTLS verifier's figures in the Prometheus text format, through the server side's one
//! encoding path ([`crate::server::metrics`]), read from its snapshot at each scrape.

use core::fmt;
use std::string::String;
use std::sync::Arc;
use std::vec::Vec;

use prometheus_client::registry::Registry;

use super::OcspClientCertVerifier;
use crate::server::metrics::{self, Family, Figures, Value};

impl OcspClientCertVerifier {
    /// Appends the verifier's figures to `out`, in the Prometheus text format (version 0.0.4,
    /// [`crate::METRICS_CONTENT_TYPE`]): what a `/metrics` endpoint serves.
    ///
    /// | metric | type | labels | value |
    /// | --- | --- | --- | --- |
    /// | `ocsp_client_handshakes_total` | counter | `decision` (`accepted`, `rejected`) | handshakes whose chain the inner verifier accepted, by decision |
    /// | `ocsp_client_checks_total` | counter | `situation` (`good`, `revoked`, `unknown`, `no_answer`, `unusable`, `invalid`) | certificates checked, by situation |
    /// | `ocsp_client_answers_total` | counter | `source` (an [`AnswerSource::code`](super::AnswerSource::code) but `not_asked`) | certificates checked, by where the answer came from |
    /// | `ocsp_client_fetches_total` | counter | | fetches started |
    /// | `ocsp_client_prefetches_total` | counter | | of those, in the background |
    /// | `ocsp_client_requests_total` | counter | | HTTP requests sent to responders |
    /// | `ocsp_client_contradictions_total` | counter | | answers that contradicted a verified revocation |
    /// | `ocsp_client_observer_panics_total` | counter | | times the observer panicked (caught) |
    /// | `ocsp_client_fetches_in_flight` | gauge | | fetches running now |
    /// | `ocsp_client_cached_answers` | gauge | | answers kept now |
    /// | `ocsp_client_revocations_remembered` | gauge | | revoked certificates remembered now |
    /// | `ocsp_client_tracked_certificates` | gauge | | certificates tracked for prefetch now |
    /// | `ocsp_client_responders_down` | gauge | | responder origins remembered as failing now |
    pub fn encode_metrics(self: &Arc<Self>, out: &mut String) -> fmt::Result {
        metrics::encode(Scrape(Arc::clone(self)), out)
    }

    /// Adds the verifier's figures to an application's own `prometheus-client` registry, read
    /// at each scrape.
    pub fn register_metrics(self: &Arc<Self>, registry: &mut Registry) {
        metrics::register(Scrape(Arc::clone(self)), registry);
    }
}

struct Scrape(Arc<OcspClientCertVerifier>);

const CONTRADICTIONS: &str =
    "Answers that said good or unknown after a verified revocation: a responder is wrong.";

impl fmt::Debug for Scrape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scrape")
    }
}

impl Figures for Scrape {
    fn families(&self) -> Vec<Family> {
        let s = self.0.snapshot();
        let by = |name: &'static str, value: &str| std::vec![(name, String::from(value))];
        let mut handshakes = Family::counter(
            "ocsp_client_handshakes",
            "Handshakes whose chain the inner verifier accepted, by the OCSP decision.",
        );
        handshakes.push(by("decision", "accepted"), Value::Counter(s.accepted()));
        handshakes.push(by("decision", "rejected"), Value::Counter(s.rejected()));
        let mut checks = Family::counter(
            "ocsp_client_checks",
            "Certificates checked, by the situation the policy saw.",
        );
        for (situation, count) in [
            ("good", s.good()),
            ("revoked", s.revoked()),
            ("unknown", s.unknown()),
            ("no_answer", s.no_answer()),
            ("unusable", s.unusable()),
            ("invalid", s.invalid()),
        ] {
            checks.push(by("situation", situation), Value::Counter(count));
        }
        let mut sources = Family::counter(
            "ocsp_client_answers",
            "Certificates checked, by where the answer came from (or why there was none).",
        );
        for (source, count) in [
            ("cache", s.cache_hits()),
            ("fetch", s.fetched()),
            ("shared_fetch", s.shared_fetches()),
            ("budget_exhausted", s.budget_exhausted()),
            ("recent_failure", s.recent_failures()),
            ("fetch_failed", s.fetch_failures()),
            ("no_responder", s.no_responder()),
            ("responder_not_allowed", s.responder_not_allowed()),
            ("responder_busy", s.responder_busy()),
            ("overloaded", s.overloaded()),
        ] {
            sources.push(by("source", source), Value::Counter(count));
        }
        let mut families = std::vec![handshakes, checks, sources];
        for (name, help, value) in [
            ("ocsp_client_fetches", "Fetches started.", s.fetches()),
            (
                "ocsp_client_prefetches",
                "Fetches started in the background.",
                s.prefetches(),
            ),
            (
                "ocsp_client_requests",
                "HTTP requests sent to responders.",
                s.requests(),
            ),
            (
                "ocsp_client_contradictions",
                CONTRADICTIONS,
                s.contradictions(),
            ),
            (
                "ocsp_client_observer_panics",
                "Times the observer panicked (each caught).",
                s.observer_panics(),
            ),
        ] {
            families.push(Family::counter(name, help).of(Value::Counter(value)));
        }
        for (name, help, value) in [
            (
                "ocsp_client_fetches_in_flight",
                "Fetches running now.",
                s.in_flight(),
            ),
            (
                "ocsp_client_cached_answers",
                "Answers kept now.",
                s.cached(),
            ),
            (
                "ocsp_client_revocations_remembered",
                "Revoked certificates remembered now.",
                s.revocations(),
            ),
            (
                "ocsp_client_tracked_certificates",
                "Certificates tracked for prefetch now.",
                s.tracked(),
            ),
            (
                "ocsp_client_responders_down",
                "Responder origins remembered as failing now.",
                s.responders_down(),
            ),
        ] {
            families.push(Family::gauge(name, help).of(Value::count(value)));
        }
        families
    }
}
