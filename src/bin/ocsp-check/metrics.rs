//! `--prometheus`: what `tls`, `verify`, `fetch` and the exporter found, in the Prometheus text
//! format (version 0.0.4), written by `prometheus-client` (the crate the stapler's metrics use),
//! for node_exporter's textfile collector or a scrape of `ocsp-check exporter`.
//!
//! Names follow the Prometheus conventions, as the stapler's do: an `ocsp_probe_` prefix (the
//! stapler's are `ocsp_staple_`), base units in the name (`_seconds`, `_timestamp_seconds` for
//! Unix times), `_total` for counters, snake_case labels. Every sample carries `target` (for
//! `tls` the server as given, `HOST[:PORT]`; for `verify` and `fetch` the `--cert` path) and
//! the target's `servername` (`tls`) or `serial` (`verify`, `fetch`).
//!
//! The families, their labels and values are listed once, for the operators who read them, in
//! `docs/runbook.md` ("The metrics"); `tests/doc_commands.rs` fails when a family written here is
//! not listed there, or one listed there is never written.
//!
//! The families about the answer have no sample when there is no answer. The `_seconds`
//! figures relative to the check are those of the instant it ran: a textfile written by cron
//! ages with the file, so alerts use the `_timestamp_seconds` ones against `time()`.

use std::time::Duration;

use ocsp_verify::{Answer, CertStatus, UnixTime};

use crate::Exit;
use crate::families::{self, Family, Figures, Value};
use crate::time::seconds_between;

/// The `Content-Type` of what [`encode`] writes.
pub(crate) const CONTENT_TYPE: &str = families::METRICS_CONTENT_TYPE;

/// The values of `ocsp_probe_status`.
pub(crate) const STATUSES: [&str; 6] = ["good", "revoked", "unknown", "stale", "invalid", "none"];

/// What one probe found: the figures of one target.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    /// `target` and `servername` or `serial`, in that order.
    pub(crate) labels: Vec<(&'static str, String)>,
    pub(crate) success: bool,
    pub(crate) duration: Duration,
    pub(crate) exit: Exit,
    /// One of [`STATUSES`], when there is an answer (or its absence) to speak of.
    pub(crate) status: Option<&'static str>,
    /// The policy and whether it accepted (`tls`).
    pub(crate) verdict: Option<(&'static str, bool)>,
    pub(crate) must_staple: Option<bool>,
    /// Whether the server stapled a response (`tls`, once it got that far).
    pub(crate) stapled: Option<bool>,
    pub(crate) produced_at: Option<UnixTime>,
    pub(crate) this_update: Option<UnixTime>,
    pub(crate) next_update: Option<UnixTime>,
    pub(crate) fresh_until: Option<UnixTime>,
    /// revocationTime and the reason's name, of a verified revoked answer.
    pub(crate) revoked: Option<(UnixTime, Option<&'static str>)>,
    pub(crate) checked_at: UnixTime,
    pub(crate) fetch: Option<Fetch>,
    /// Probes of this target since the exporter started (exporter `/metrics` only).
    pub(crate) probes_total: Option<u64>,
}

impl Probe {
    /// A probe of `labels` with nothing found yet.
    pub(crate) fn new(labels: Vec<(&'static str, String)>, checked_at: UnixTime) -> Self {
        Self {
            labels,
            success: false,
            duration: Duration::ZERO,
            exit: Exit::Usage,
            status: None,
            verdict: None,
            must_staple: None,
            stapled: None,
            produced_at: None,
            this_update: None,
            next_update: None,
            fresh_until: None,
            revoked: None,
            checked_at,
            fetch: None,
            probes_total: None,
        }
    }
}

/// revocationTime and the reason's name of a revoked answer.
pub(crate) fn revocation(answer: &Answer) -> Option<(UnixTime, Option<&'static str>)> {
    match answer.status() {
        CertStatus::Revoked { time, reason } => Some((time, reason.map(|r| r.name()))),
        _ => None,
    }
}

/// What the responder did (`fetch`).
#[derive(Clone, Debug)]
pub(crate) struct Fetch {
    pub(crate) url: String,
    /// `ok`, or the error's code (`responder_unreachable`, `http_status`, `response_expired`...).
    pub(crate) result: String,
    pub(crate) duration: Duration,
}

/// The probes in the Prometheus text format.
pub(crate) fn encode(probes: &[Probe]) -> String {
    encode_with(probes, Vec::new())
}

/// The probes, then the families of `more`, in the Prometheus text format.
pub(crate) fn encode_with(probes: &[Probe], more: Vec<Family>) -> String {
    let mut families = probe_families(probes);
    // A probe's families with no sample (no answer to speak of) are left out.
    families.retain(|family| !family.is_empty());
    families.extend(more);
    let mut out = String::new();
    match families::encode(Scrape(families), &mut out) {
        Ok(()) => out,
        // Writing to a String cannot fail, and every name here is valid.
        Err(std::fmt::Error) => String::new(),
    }
}

/// The families of one scrape, made before it is encoded.
#[derive(Debug)]
struct Scrape(Vec<Family>);

impl Figures for Scrape {
    fn families(&self) -> Vec<Family> {
        self.0.clone()
    }
}

/// `probe`'s labels, and more.
fn labels(probe: &Probe, more: &[(&'static str, &str)]) -> families::Labels {
    let mut labels = probe.labels.clone();
    labels.extend(more.iter().map(|(name, value)| (*name, value.to_string())));
    labels
}

fn probe_families(probes: &[Probe]) -> Vec<Family> {
    let gauge = Family::gauge;
    let mut success = gauge(
        "ocsp_probe_success",
        "1 when the probe got to judge a staple or a response, 0 when it could not.",
    );
    let mut duration = gauge("ocsp_probe_duration_seconds", "How long the probe took.");
    let mut exit_code = gauge(
        "ocsp_probe_exit_code",
        "The exit status ocsp-check gives this target (0 good, 1 revoked, 2 unknown, 3 invalid, \
         stale or missing, 4 no connection or unusable input, 5 good but due for a refresh).",
    );
    let mut status = gauge(
        "ocsp_probe_status",
        "What the staple or response says: 1 for it, 0 for the others (stale: refused for its \
         times; invalid: refused for another reason; none: no staple).",
    );
    let mut verdict = gauge(
        "ocsp_probe_verdict",
        "The revocation policy's verdict on the connection: 1 for it, 0 for the other.",
    );
    let mut must_staple = gauge(
        "ocsp_probe_must_staple",
        "1 when the certificate is must-staple (RFC 7633 status_request).",
    );
    let mut stapled = gauge(
        "ocsp_probe_stapled",
        "1 when the server stapled an OCSP response (whatever it says), 0 when it stapled none.",
    );
    let mut produced_at = gauge(
        "ocsp_probe_produced_at_timestamp_seconds",
        "producedAt of the answer (when the responder signed it), in seconds since the Unix epoch.",
    );
    let mut this_update = gauge(
        "ocsp_probe_this_update_timestamp_seconds",
        "thisUpdate of the answer, in seconds since the Unix epoch.",
    );
    let mut next_update = gauge(
        "ocsp_probe_next_update_timestamp_seconds",
        "nextUpdate of the answer, in seconds since the Unix epoch.",
    );
    let mut fresh_until = gauge(
        "ocsp_probe_fresh_until_timestamp_seconds",
        "When the answer stops being fresh (nextUpdate, or earlier by the verifier's age cap), \
         in seconds since the Unix epoch.",
    );
    let mut to_next_update = gauge(
        "ocsp_probe_time_to_next_update_seconds",
        "Seconds from the check to nextUpdate (negative once past).",
    );
    let mut since_this_update = gauge(
        "ocsp_probe_time_since_this_update_seconds",
        "Seconds from thisUpdate to the check.",
    );
    let mut revocation = gauge(
        "ocsp_probe_revocation_timestamp_seconds",
        "revocationTime of a verified revoked answer, in seconds since the Unix epoch; the reason \
         as RFC 5280 names it (none when the answer gives none).",
    );
    let mut checked = gauge(
        "ocsp_probe_checked_timestamp_seconds",
        "When the check ran (its clock), in seconds since the Unix epoch.",
    );
    let mut fetch_result = gauge(
        "ocsp_probe_fetch_result",
        "The responder's result: 1 for it (ok, or why no verified answer came back).",
    );
    let mut fetch_duration = gauge(
        "ocsp_probe_fetch_duration_seconds",
        "How long asking the responder took.",
    );
    let mut probes_total = Family::counter(
        "ocsp_exporter_probes",
        "Probes of the target since the exporter started.",
    );

    for probe in probes {
        let own = || probe.labels.clone();
        success.push(own(), Value::flag(probe.success));
        duration.push(own(), Value::Float(probe.duration.as_secs_f64()));
        exit_code.push(own(), Value::Gauge(i64::from(probe.exit as u8)));
        if let Some(said) = probe.status {
            status.one_of(&own(), "status", &STATUSES, said);
        }
        if let Some((policy, accepted)) = probe.verdict {
            let chosen = if accepted { "accept" } else { "reject" };
            let with_policy = labels(probe, &[("policy", policy)]);
            verdict.one_of(&with_policy, "verdict", &["accept", "reject"], chosen);
        }
        if let Some(yes) = probe.must_staple {
            must_staple.push(own(), Value::flag(yes));
        }
        if let Some(yes) = probe.stapled {
            stapled.push(own(), Value::flag(yes));
        }
        if let Some(time) = probe.produced_at {
            produced_at.push(own(), Value::timestamp(time));
        }
        if let Some(time) = probe.this_update {
            this_update.push(own(), Value::timestamp(time));
            let since = seconds_between(time, probe.checked_at);
            since_this_update.push(own(), Value::Gauge(since));
        }
        if let Some(time) = probe.next_update {
            next_update.push(own(), Value::timestamp(time));
            let to = seconds_between(probe.checked_at, time);
            to_next_update.push(own(), Value::Gauge(to));
        }
        if let Some(time) = probe.fresh_until {
            fresh_until.push(own(), Value::timestamp(time));
        }
        if let Some((time, reason)) = probe.revoked {
            let reason = reason.unwrap_or("none");
            revocation.push(labels(probe, &[("reason", reason)]), Value::timestamp(time));
        }
        checked.push(own(), Value::timestamp(probe.checked_at));
        if let Some(fetch) = &probe.fetch {
            let url = labels(probe, &[("url", &fetch.url)]);
            let result = labels(probe, &[("url", &fetch.url), ("result", &fetch.result)]);
            fetch_result.push(result, Value::Gauge(1));
            fetch_duration.push(url, Value::Float(fetch.duration.as_secs_f64()));
        }
        if let Some(total) = probe.probes_total {
            probes_total.push(own(), Value::Counter(total));
        }
    }
    vec![
        success,
        duration,
        exit_code,
        status,
        verdict,
        must_staple,
        stapled,
        produced_at,
        this_update,
        next_update,
        fresh_until,
        to_next_update,
        since_this_update,
        revocation,
        checked,
        fetch_result,
        fetch_duration,
        probes_total,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_in_the_text_format() {
        let at = |secs| UnixTime::since_unix_epoch(Duration::from_secs(secs));
        let mut probe = Probe::new(
            vec![
                ("target", "a\"b\\c".into()),
                ("servername", "example.com".into()),
            ],
            at(1_767_229_200),
        );
        probe.success = true;
        probe.exit = Exit::Good;
        probe.status = Some("good");
        probe.next_update = Some(at(1_767_830_400));
        probe.probes_total = Some(3);
        probe.stapled = Some(true);
        probe.produced_at = Some(at(1_767_225_600));
        probe.revoked = Some((at(1_767_000_000), Some("keyCompromise")));
        let text = encode(&[probe]);
        for line in [
            "ocsp_probe_stapled{target=\"a\\\"b\\\\c\",servername=\"example.com\"} 1\n",
            "ocsp_probe_produced_at_timestamp_seconds{target=\"a\\\"b\\\\c\",servername=\"example.com\"} 1767225600\n",
            "ocsp_probe_revocation_timestamp_seconds{target=\"a\\\"b\\\\c\",servername=\"example.com\",reason=\"keyCompromise\"} 1767000000\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(
            text.contains(
                "ocsp_probe_status{target=\"a\\\"b\\\\c\",servername=\"example.com\",status=\"good\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "ocsp_probe_time_to_next_update_seconds{target=\"a\\\"b\\\\c\",servername=\"example.com\"} 601200\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("# TYPE ocsp_exporter_probes_total counter\n"),
            "{text}"
        );
        assert!(!text.contains("ocsp_probe_verdict"), "{text}");
    }
}
