//! The refresh path: one round of [`super::Stapler::refresh_due`] (serve again what is kept,
//! drop what ended, fetch what is due), reading back the state directory at start, saving,
//! and the refresh thread.

use core::time::Duration;
use std::io;
use std::string::String;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use super::entry::{Entry, window_start};
use super::report::{AnswerOrigin, StapleError, StapleEvent, StapleEventKind};
use super::state_dir::{self, Saved, StateFileProblem};
use super::{Stapler, one_round};
use crate::cert::Certificate;
use crate::error::Error;
use crate::fetch::{FetchError, Fetched, NotKept, Pool, Priority};
use crate::issuer::Issuer;
use crate::owned::OwnedVerifiedResponse;
use crate::response::CertStatus;
use crate::server::clock::{deadline_at, later};
use crate::server::keeper::{Offered, is_permanent_revocation};
use crate::server::sync::lock;
use crate::server::worker::Worker;
use crate::verify::Answer;

/// Events gathered during a round, told to the observer once the round is over.
type Events = Vec<StapleEvent>;

impl Stapler {
    /// One round: serve what is kept where its window covers now, fetch what is due (all of it
    /// with `force`). Returns how long until the next thing is due.
    pub(super) fn round(&self, force: bool) -> Duration {
        let mut events = Vec::new();
        let (now, mono) = {
            let _one_at_a_time = one_round(self);
            let (now, mono) = (self.now(), self.mono.now());
            for (index, entry) in self.entries.iter().enumerate() {
                self.sync(index, entry, now, mono, &mut events);
                let due = force || lock(&entry.state).next_attempt <= mono;
                if due {
                    self.refresh(index, entry, now, mono, &mut events);
                }
            }
            (now, mono)
        };
        if !events.is_empty() {
            self.notify_changed();
        }
        for event in &events {
            self.observer.emit(event);
        }
        self.next_due(now, mono)
    }

    /// How long from `mono` until the earliest refresh or end of a staple's window.
    fn next_due(&self, now: UnixTime, mono: Instant) -> Duration {
        self.entries
            .iter()
            .map(|entry| {
                let next = lock(&entry.state).next_attempt;
                match entry.stapled(now) {
                    Some((_, until)) => next.min(deadline_at(until, now, mono)),
                    None => next,
                }
            })
            .min()
            .map_or(crate::server::clock::FAR, |next| {
                next.saturating_duration_since(mono)
            })
    }

    /// Reports a staple that ended, or came back (a wall clock that returned into its
    /// window). The entry always holds what the keeper holds for it, with its window: every
    /// answer the keeper takes is stapled at once (`take`), one entry per certificate, so the
    /// staple is served whenever `now` is in that window, with nothing to copy here.
    fn sync(&self, index: usize, entry: &Entry, now: UnixTime, mono: Instant, events: &mut Events) {
        let live = entry.stapled(now);
        let mut state = lock(&entry.state);
        match (state.live, live) {
            (true, None) => {
                let not_after = entry.stapled_any_time().map_or(now, |(_, until)| until);
                events.push(event(entry, now, StapleEventKind::Expired { not_after }));
                // No staple: ask promptly, unless a failure is being waited out.
                let retry_at = self.failures.waiting(&index, mono).map(|f| f.retry_at);
                state.next_attempt = state.next_attempt.min(retry_at.unwrap_or(mono));
            }
            // Live again without a fetch: the wall clock came back into the window. (A staple
            // is only ever live at first after a load or a fetch, which report it themselves.)
            (false, Some((answer, _))) => {
                events.push(event(entry, now, taken(answer, AnswerOrigin::Kept, true)));
            }
            _ => {}
        }
        state.live = live.is_some();
    }

    /// Fetches, verifies and (if it is kept) staples and saves an answer for `entry`.
    fn refresh(
        &self,
        index: usize,
        entry: &Entry,
        now: UnixTime,
        mono: Instant,
        events: &mut Events,
    ) {
        {
            let mut state = lock(&entry.state);
            state.fetches = state.fetches.saturating_add(1);
        }
        // No lock is held while the transport talks to the responder.
        let fetched = match self.fetch(entry, now, mono) {
            Ok(fetched) => fetched,
            Err(error) => {
                return self.failed(index, entry, StapleError::Fetch(error), now, mono, events);
            }
        };
        let Fetched { url, response } = fetched;
        match self.admit(entry, response, now, mono) {
            Ok(Offered::Newer(response)) => {
                self.failures.succeeded(&index);
                lock(&entry.state).unchanged = 0;
                self.take(entry, &response, AnswerOrigin::Responder, now, events);
                self.save(entry, response.der(), now, events);
            }
            Ok(Offered::Unchanged(response)) => {
                self.failures.succeeded(&index);
                bump_unchanged(entry);
                self.take(entry, &response, AnswerOrigin::Responder, now, events);
            }
            Err(error @ StapleError::NotKept(NotKept::Older { .. })) => {
                // Nothing newer: not the responder's failure, but not taken either.
                self.failures.succeeded(&index);
                bump_unchanged(entry);
                self.refused(entry, error, now, events);
            }
            Err(StapleError::NotKept(NotKept::Contradiction { revoked, offered })) => {
                return self.contradiction(index, entry, revoked, offered, url, now, mono, events);
            }
            Err(error) => return self.failed(index, entry, error, now, mono, events),
        }
        self.schedule_after_answer(entry, now, mono);
    }

    /// What every verified answer goes through before it is stapled, fetched or read back:
    /// never `unknown` (a contradiction after a revocation), fresh for a while yet, and kept
    /// by the keeper (newer, not ahead of the clock, not contradicting a revocation).
    fn admit(
        &self,
        entry: &Entry,
        response: OwnedVerifiedResponse,
        now: UnixTime,
        mono: Instant,
    ) -> Result<Offered, StapleError> {
        let answer = response.answer();
        if answer.status() == CertStatus::Unknown {
            return Err(match self.keeper.get(&entry.key) {
                Some(kept) if is_permanent_revocation(&kept.response.answer()) => {
                    let revoked = kept.response.answer();
                    StapleError::NotKept(NotKept::Contradiction {
                        revoked,
                        offered: answer,
                    })
                }
                _ => StapleError::Unknown,
            });
        }
        let until = self.serve_until(&answer);
        if until <= now {
            let not_after = until;
            return Err(StapleError::Stale(Error::ResponseExpired {
                time: now,
                not_after,
            }));
        }
        let skew = self.verifier.clock_skew();
        self.keeper
            .offer(&entry.key, response, now, mono, skew)
            .map_err(|refusal| StapleError::NotKept(refusal.into()))
    }

    /// Asks the responders about `entry`'s certificate.
    fn fetch(&self, entry: &Entry, now: UnixTime, mono: Instant) -> Result<Fetched, FetchError> {
        // Both were read when the stapler was built; an error here cannot happen.
        let cert = Certificate::from_der(&entry.end_entity).map_err(FetchError::InvalidRequest)?;
        let issuer = Certificate::from_der(&entry.issuer).map_err(FetchError::InvalidRequest)?;
        let issuer = Issuer::from(&issuer);
        let urls = entry.responders.urls_for(&cert)?;
        let pool = Pool {
            responders: &self.responders,
            priority: Priority::Handshake,
            now: mono,
            first: None,
        };
        self.fetcher
            .with_verifier(self.verifier)
            .with_transport(&*self.transport)
            .fetch_from(&urls, &cert, &issuer, None, now, Some(pool))
    }

    /// Staples `response`, kept for `entry`, and tells.
    fn take(
        &self,
        entry: &Entry,
        response: &Arc<OwnedVerifiedResponse>,
        origin: AnswerOrigin,
        now: UnixTime,
        events: &mut Events,
    ) {
        let answer = response.answer();
        let from = window_start(&answer, self.verifier.clock_skew());
        let changed = entry.staple(response.der(), answer, from, self.serve_until(&answer));
        lock(&entry.state).live = entry.stapled(now).is_some();
        events.push(event(entry, now, taken(answer, origin, changed)));
    }

    /// The next refresh after an answer (newer, the same, or older) came back.
    fn schedule_after_answer(&self, entry: &Entry, now: UnixTime, mono: Instant) {
        let Some(kept) = self.keeper.get(&entry.key) else {
            return;
        };
        let answer = kept.response.answer();
        let mut state = lock(&entry.state);
        let delay = self.schedule.next(
            &answer,
            self.serve_until(&answer),
            now,
            state.unchanged,
            self.jitter.draw(),
        );
        state.next_attempt = later(mono, delay);
    }

    /// A refresh that gave no answer to keep: remembered, backed off, told.
    fn failed(
        &self,
        index: usize,
        entry: &Entry,
        error: StapleError,
        now: UnixTime,
        mono: Instant,
        events: &mut Events,
    ) {
        let failure = self.failures.failed(&index, (), mono);
        {
            let mut state = lock(&entry.state);
            state.next_attempt = failure.retry_at;
            state.failures = state.failures.saturating_add(1);
        }
        self.refused(entry, error, now, events);
    }

    fn refused(&self, entry: &Entry, error: StapleError, now: UnixTime, events: &mut Events) {
        {
            let mut state = lock(&entry.state);
            state.last_error = Some((now, error.clone()));
        }
        let stapled_until = entry.stapled(now).map(|(_, until)| until);
        events.push(event(
            entry,
            now,
            StapleEventKind::Refused {
                error,
                stapled_until,
            },
        ));
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the refresh's context, passed down"
    )]
    fn contradiction(
        &self,
        index: usize,
        entry: &Entry,
        revoked: Answer,
        offered: Answer,
        url: String,
        now: UnixTime,
        mono: Instant,
        events: &mut Events,
    ) {
        {
            let mut state = lock(&entry.state);
            state.contradictions = state.contradictions.saturating_add(1);
        }
        events.push(event(
            entry,
            now,
            StapleEventKind::Contradiction {
                revoked,
                offered,
                url,
            },
        ));
        let error = StapleError::NotKept(NotKept::Contradiction { revoked, offered });
        self.failed(index, entry, error, now, mono, events);
    }

    /// The instant a verified answer stops being stapled: the verifier's
    /// [`crate::Verifier::fresh_until`]; for a permanent revocation, which the verifier
    /// reports whatever its window (profile rule 14), the same limits a good answer has (its
    /// `nextUpdate` and the age cap), so that no expired answer is ever stapled.
    pub(super) fn serve_until(&self, answer: &Answer) -> UnixTime {
        let this_update = answer.this_update().as_secs();
        let age_cap = this_update.saturating_add(
            self.verifier
                .max_age_for(answer.next_update().is_some())
                .as_secs(),
        );
        let limits = [
            self.verifier.fresh_until(answer).map(|t| t.as_secs()),
            answer.next_update().map(|t| t.as_secs()),
            Some(age_cap),
        ];
        let until = limits.into_iter().flatten().min().unwrap_or(age_cap);
        UnixTime::since_unix_epoch(Duration::from_secs(until))
    }

    /// Writes a stapled answer to the state directory, if there is one, and clears out what
    /// interrupted writes left behind.
    fn save(&self, entry: &Entry, der: &[u8], now: UnixTime, events: &mut Events) {
        let (Some(dir), Some(path)) = (&self.state_dir, &entry.state_file) else {
            return;
        };
        let kind = match state_dir::write_atomically(dir, path, der) {
            Ok(Saved::Durable) => StapleEventKind::Saved { path: path.clone() },
            Ok(Saved::NotDurable(error)) => StapleEventKind::SavedNotDurable {
                path: path.clone(),
                error,
            },
            Err(error) => StapleEventKind::SaveFailed {
                path: path.clone(),
                error: error.kind(),
            },
        };
        events.push(event(entry, now, kind));
        self.remove_abandoned(now, events);
    }

    /// Removes temporary files interrupted writes left in the state directory.
    pub(super) fn remove_abandoned(&self, now: UnixTime, events: &mut Events) {
        let (Some(dir), Some(first)) = (&self.state_dir, self.entries.first()) else {
            return;
        };
        for path in state_dir::remove_abandoned(dir, std::time::SystemTime::now()) {
            events.push(event(
                first,
                now,
                StapleEventKind::TemporaryFileRemoved { path },
            ));
        }
    }

    /// Reads back the state file of `entry` (when the stapler is built).
    pub(super) fn load(&self, entry: &Entry, now: UnixTime, mono: Instant, events: &mut Events) {
        let Some(path) = &entry.state_file else {
            return;
        };
        let problem = |problem| StapleError::StateFile {
            path: path.clone(),
            problem,
        };
        let loaded = match state_dir::read(path, self.verifier.max_response_len()) {
            Ok(None) => return,
            Ok(Some(der)) => self.verify_loaded(entry, der, now, mono).map_err(problem),
            Err(error) => Err(problem(error)),
        };
        match loaded {
            Ok(response) => {
                self.take(entry, &response, AnswerOrigin::StateDir, now, events);
                // Refreshed promptly, not half-way through a window that started before the
                // server did.
                let delay = self.schedule.after_load(self.jitter.draw());
                lock(&entry.state).next_attempt = later(mono, delay);
            }
            Err(error) => self.refused(entry, error, now, events),
        }
    }

    /// The checks a fetched answer goes through, for one read from the state directory.
    fn verify_loaded(
        &self,
        entry: &Entry,
        der: Vec<u8>,
        now: UnixTime,
        mono: Instant,
    ) -> Result<Arc<OwnedVerifiedResponse>, StateFileProblem> {
        let cert = Certificate::from_der(&entry.end_entity).map_err(StateFileProblem::Invalid)?;
        let issuer = Certificate::from_der(&entry.issuer).map_err(StateFileProblem::Invalid)?;
        let response = self
            .verifier
            .verify_owned(der, &cert, &Issuer::from(&issuer), None, now)
            .map_err(StateFileProblem::Invalid)?;
        match self.admit(entry, response, now, mono) {
            Ok(offered) => Ok(Arc::clone(offered.response())),
            Err(StapleError::Stale(error)) => Err(StateFileProblem::Invalid(error)),
            Err(StapleError::NotKept(not_kept)) => Err(StateFileProblem::NotKept(not_kept)),
            Err(_) => Err(StateFileProblem::UnknownStatus),
        }
    }
}

fn bump_unchanged(entry: &Entry) {
    let mut state = lock(&entry.state);
    state.unchanged = state.unchanged.saturating_add(1);
}

fn event(entry: &Entry, time: UnixTime, kind: StapleEventKind) -> StapleEvent {
    StapleEvent {
        certificate: entry.label.clone(),
        time,
        kind,
    }
}

fn taken(answer: Answer, origin: AnswerOrigin, changed: bool) -> StapleEventKind {
    match answer.status() {
        CertStatus::Revoked { .. } => StapleEventKind::Revoked {
            answer,
            origin,
            changed,
        },
        _ => StapleEventKind::Good {
            answer,
            origin,
            changed,
        },
    }
}

/// The refresh thread of [`Stapler::spawn_refresh_thread`]: stops, and is joined, when shut
/// down or dropped.
///
/// Stopping waits for a fetch in progress to end (each is bounded by the fetcher's timeouts).
#[derive(Debug)]
pub struct RefreshThread(Worker);

impl RefreshThread {
    /// The shortest sleep between two rounds.
    const SHORTEST_WAIT: Duration = Duration::from_secs(1);

    /// The longest sleep: the clocks are read again at least this often, so that a wall
    /// clock that jumps, or a machine that slept, is noticed.
    const LONGEST_WAIT: Duration = Duration::from_secs(60);

    /// Stops the thread and waits for it.
    pub fn shutdown(mut self) -> std::thread::Result<()> {
        self.0.stop()
    }
}

impl Stapler {
    /// Runs [`Stapler::refresh_due`] on a thread of its own (named `ocsp-stapler`), each time
    /// something is due, and at least once a minute. A round that panics (a transport, say;
    /// the observer's panics are caught where it is called) is caught, counted
    /// ([`Stapler::round_panics`]) and followed by the next. Stops when the handle is shut
    /// down or dropped.
    pub fn spawn_refresh_thread(self: &Arc<Self>) -> io::Result<RefreshThread> {
        let (stapler, counted) = (Arc::clone(self), Arc::clone(self));
        let round = move || Some(stapler.refresh_due().min(RefreshThread::LONGEST_WAIT));
        let on_panic = move || {
            counted.round_panics.fetch_add(1, Ordering::Relaxed);
        };
        Worker::spawn(
            "ocsp-stapler",
            RefreshThread::SHORTEST_WAIT,
            round,
            on_panic,
        )
        .map(RefreshThread)
    }
}
