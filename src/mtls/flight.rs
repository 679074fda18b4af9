//! Single flight: one fetch per `CertID` at a time, on a thread of its own, that every
//! handshake asking meanwhile waits on (within its budget), and that fills the keeper or the
//! failure memory when it ends, whoever still waits.

use std::string::String;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;
use std::vec::Vec;

use ::rustls::pki_types::CertificateDer;
use rustls_pki_types::UnixTime;

use super::answers::{Answers, IssuerConfig, Pending, owned};
use super::outcome::{AnswerSource, ClientCertEvent, ClientCertEventKind, Counters};
use crate::cert::Certificate;
use crate::fetch::{
    FetchError, Fetched, HttpRequest, HttpResponse, Pool, Priority, Slot, Transport,
    TransportError, Unreachable,
};
use crate::issuer::Issuer;
use crate::owned::OwnedVerifiedResponse;
use crate::server::keeper::{CertKey, Offered, Refusal};
use crate::server::sync::Signal;
use crate::verify::Answer;

/// A fetch running for one `CertID`, which handshakes wait on.
///
/// Once one handshake has waited for it in vain (its budget ran out first), the fetch is
/// *overdue*: later handshakes do not wait for it at all, and decide at once as their budget
/// had run out, until it ends. A silent responder then costs one budget, not one per
/// handshake for as long as the fetcher's own timeout lets the fetch run.
#[derive(Default)]
pub(super) struct Flight {
    result: Signal<Option<FlightResult>>,
    overdue: AtomicBool,
}

#[derive(Clone, Debug)]
pub(super) enum FlightResult {
    Answer(Arc<OwnedVerifiedResponse>),
    Failed(FetchError),
}

/// What a fetch brought, for the prefetcher's schedule.
#[derive(Clone, Copy, Debug)]
pub(super) enum Brought {
    /// A newer answer, kept.
    Newer(Answer),
    /// The answer kept already, or an older one.
    Nothing(Answer),
    /// A contradiction of a revocation: the revocation stands, and nothing more is asked.
    Contradiction,
    /// A failure, remembered until `retry_at`.
    Failure(Option<Instant>),
}

impl Flight {
    fn finish(&self, result: FlightResult) {
        self.result.update(|slot| *slot = Some(result));
    }

    /// The result, once there is one; `None` if `deadline` comes first (`None` waits for it),
    /// or at once if the fetch is overdue.
    pub(super) fn wait_until(&self, deadline: Option<Instant>) -> Option<FlightResult> {
        let (result, done) = self.result.wait_until(deadline, None, |result| {
            result.is_some() || self.overdue.load(Ordering::Relaxed)
        });
        if !done {
            self.overdue.store(true, Ordering::Relaxed);
        }
        result.clone()
    }
}

/// What a fetch thread needs, owned.
pub(super) struct Job {
    pub(super) key: CertKey,
    cert: Vec<u8>,
    issuer_name: Vec<u8>,
    issuer_spki: Vec<u8>,
    urls: Vec<String>,
    trusted: Arc<[CertificateDer<'static>]>,
    now: UnixTime,
    priority: Priority,
}

impl Job {
    pub(super) fn new(
        key: CertKey,
        cert: &Certificate<'_>,
        issuer: &Issuer<'_>,
        urls: &[&str],
        config: Option<&IssuerConfig>,
        now: UnixTime,
        priority: Priority,
    ) -> Self {
        Self {
            key,
            cert: cert.der().to_vec(),
            issuer_name: issuer.name().to_vec(),
            issuer_spki: issuer.subject_public_key_info_contents().to_vec(),
            urls: owned(urls),
            trusted: config.map_or_else(|| Arc::from(Vec::new()), |c| Arc::clone(&c.trusted)),
            now,
            priority,
        }
    }
}

/// A transport that counts the requests it carries.
#[derive(Debug)]
struct Counting<'a> {
    inner: &'a dyn Transport,
    requests: &'a AtomicU64,
}

impl Transport for Counting<'_> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        Counters::bump(self.requests);
        self.inner.send(request)
    }
}

impl Answers {
    /// Starts `job` on a thread of its own, holding `slot`; or, if a fetch for the same
    /// `CertID` started or the keeper got an answer since the caller looked, gives that
    /// instead.
    pub(super) fn start(self: &Arc<Self>, job: Job, slot: Slot, now: UnixTime) -> Pending {
        let flight = {
            let mut flights = self.flights.lock();
            if let Some(flight) = flights.get(&job.key) {
                return Pending::Waiting {
                    flight: Arc::clone(flight),
                    source: AnswerSource::SharedFetch,
                };
            }
            if job.priority == Priority::Handshake
                && let Some(obtained) = self.cached(&job.key, now)
            {
                return Pending::Ready(obtained);
            }
            let flight = Arc::new(Flight::default());
            flights.insert(job.key.clone(), Arc::clone(&flight));
            flight
        };
        Counters::bump(&self.counters.fetches);
        if job.priority == Priority::Background {
            Counters::bump(&self.counters.prefetches);
        }
        let (answers, running) = (Arc::clone(self), Arc::clone(&flight));
        let key = job.key.clone();
        let spawned = std::thread::Builder::new()
            .name("ocsp-fetch".into())
            .spawn(move || answers.run(job, slot, &running));
        if let Err(error) = spawned {
            // Whoever joined meanwhile learns it too.
            flight.finish(FlightResult::Failed(FetchError::Unreachable {
                url: String::new(),
                reason: Unreachable::Transport(std::format!("no thread to fetch: {error}")),
            }));
            self.flights.update(|flights| flights.remove(&key));
        }
        Pending::Waiting {
            flight,
            source: AnswerSource::Fetch,
        }
    }

    /// A fetch thread: fetches, publishes the result, leaves the running fetches, and tells the
    /// prefetcher what it brought.
    fn run(&self, job: Job, slot: Slot, flight: &Flight) {
        let mono = self.mono.now();
        let (result, brought) = self.fetch(&job, slot, mono);
        // Out of the running fetches before the result is published: a handshake that comes
        // after finds the keeper filled (or the failure remembered), never a finished fetch
        // to join for an answer of another time.
        self.flights.update(|flights| flights.remove(&job.key));
        flight.finish(result);
        self.after_fetch(&job.key, brought, job.now, mono);
    }

    /// Asks the job's URLs in turn, and offers what verified to the keeper.
    fn fetch(&self, job: &Job, slot: Slot, mono: Instant) -> (FlightResult, Brought) {
        let failed = |error| (FlightResult::Failed(error), Brought::Failure(None));
        let cert = match Certificate::from_der(&job.cert) {
            Ok(cert) => cert,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let anchor = Self::anchor(&job.issuer_name, &job.issuer_spki);
        let issuer = match Issuer::from_trust_anchor(&anchor) {
            Ok(issuer) => issuer,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let trusted = match job
            .trusted
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(trusted) => trusted,
            Err(error) => return failed(FetchError::InvalidRequest(error)),
        };
        let transport = Counting {
            inner: &*self.transport,
            requests: &self.counters.requests,
        };
        let fetcher: crate::fetch::Fetcher<'_> = self.fetcher;
        let fetcher = fetcher
            .with_verifier(fetcher.verifier().with_trusted_responders(&trusted))
            .with_transport(&transport);
        let urls: Vec<&str> = job.urls.iter().map(String::as_str).collect();
        let pool = Pool {
            responders: &self.responders,
            priority: job.priority,
            now: mono,
            first: Some(slot),
        };
        match fetcher.fetch_from(&urls, &cert, &issuer, None, job.now, Some(pool)) {
            Ok(Fetched { url, response }) => self.offer(job, url, response),
            Err(error) => {
                let retry_at = match &error {
                    // Already remembered (per responder), or nobody's fault.
                    FetchError::RecentFailure { .. } | FetchError::ResponderBusy { .. } => None,
                    _ => error
                        .failure_kind()
                        .map(|kind| self.cache.failed_key(&job.key, kind).retry_at),
                };
                (FlightResult::Failed(error), Brought::Failure(retry_at))
            }
        }
    }

    /// Offers a verified answer to the keeper: what is kept is the result (a revocation
    /// stands against a contradiction; a newer answer kept stands against an older one).
    fn offer(
        &self,
        job: &Job,
        url: String,
        response: OwnedVerifiedResponse,
    ) -> (FlightResult, Brought) {
        match self.cache.offer_key(&job.key, response, job.now) {
            Ok(Offered::Newer(response)) => {
                let answer = response.answer();
                (FlightResult::Answer(response), Brought::Newer(answer))
            }
            Ok(Offered::Unchanged(response)) => {
                let answer = response.answer();
                (FlightResult::Answer(response), Brought::Nothing(answer))
            }
            Err(Refusal::NotNewer { held, .. }) => self.kept(job, url, Brought::Nothing(held)),
            Err(Refusal::Contradiction { held, offered }) => {
                Counters::bump(&self.counters.contradictions);
                let serial = Certificate::from_der(&job.cert)
                    .map(|cert| cert.serial().to_vec())
                    .unwrap_or_default();
                self.emit(&ClientCertEvent {
                    time: job.now,
                    kind: ClientCertEventKind::Contradiction {
                        serial,
                        revoked: held,
                        offered,
                        url: url.clone(),
                    },
                });
                self.kept(job, url, Brought::Contradiction)
            }
            Err(Refusal::NotYetValid(error)) => {
                let kind = crate::fetch::FailureKind::InvalidResponse(error);
                let retry_at = self.cache.failed_key(&job.key, kind).retry_at;
                (
                    FlightResult::Failed(FetchError::InvalidResponse { url, error }),
                    Brought::Failure(Some(retry_at)),
                )
            }
        }
    }

    /// What the keeper holds for `job` (the answer that stands against the one refused), as
    /// the fetch's result.
    fn kept(&self, job: &Job, url: String, brought: Brought) -> (FlightResult, Brought) {
        match self.cache.kept_key(&job.key) {
            Some(kept) => (FlightResult::Answer(kept.response), brought),
            // Evicted meanwhile: the answer refused is not given instead (and a revocation is
            // still remembered: nothing more is asked after a contradiction).
            None => {
                let error = crate::error::Error::NoMatchingResponse;
                let failed = FetchError::InvalidResponse { url, error };
                let brought = match brought {
                    Brought::Contradiction => Brought::Contradiction,
                    _ => Brought::Failure(None),
                };
                (FlightResult::Failed(failed), brought)
            }
        }
    }

    /// Tells the observer, counting its panics.
    pub(super) fn emit(&self, event: &ClientCertEvent) {
        let before = self.observer.panics();
        self.observer.emit(event);
        if self.observer.panics() > before {
            Counters::bump(&self.counters.observer_panics);
        }
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;

    fn unreachable() -> FetchError {
        FetchError::unreachable_for_tests()
    }

    #[test]
    fn a_flight_is_waited_for_until_the_deadline_only() {
        let flight = Arc::new(Flight::default());
        let started = Instant::now();
        let deadline = started.checked_add(Duration::from_millis(50));
        assert!(flight.wait_until(deadline).is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        // Overdue now: the next waiter does not wait, whatever its deadline.
        let started = Instant::now();
        assert!(
            flight
                .wait_until(started.checked_add(Duration::from_secs(10)))
                .is_none()
        );
        assert!(started.elapsed() < Duration::from_secs(5));

        let flight = Arc::new(Flight::default());
        let finishing = Arc::clone(&flight);
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            finishing.finish(FlightResult::Failed(unreachable()));
        });
        let result = flight.wait_until(Instant::now().checked_add(Duration::from_secs(10)));
        assert!(matches!(result, Some(FlightResult::Failed(error)) if error == unreachable()));
        thread.join().unwrap();
        // Once finished, every later wait returns at once, whatever the deadline.
        assert!(flight.wait_until(Some(Instant::now())).is_some());
    }
}
