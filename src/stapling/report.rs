//! What the stapler tells: why an answer was not taken, the events an observer receives, and
//! the per-certificate snapshot that the metrics are made of.

use core::fmt;
use core::time::Duration;
use std::path::PathBuf;
use std::string::String;
use std::vec::Vec;

use rustls_pki_types::UnixTime;

use super::state_dir::StateFileProblem;
use crate::display::Rfc3339;
use crate::error::Error;
use crate::fetch::{FetchError, NotKept, status_word};
use crate::response::CertStatus;
use crate::verify::Answer;

/// Why an answer was not taken. What was stapled before stays stapled while it is fresh.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StapleError {
    /// No verified answer came back: the responder could not be reached, answered nonsense,
    /// or answered with a response that did not verify (see [`FetchError`]).
    #[error("{0}")]
    Fetch(FetchError),
    /// The answer verified but was not kept: older than the one kept, dated in the future, or
    /// `good` after a verified revocation (see [`NotKept`]).
    #[error("the answer was not kept: {0}")]
    NotKept(NotKept),
    /// The answer verified, but its freshness has already ended: a revocation past its
    /// `nextUpdate` (the verifier reports a revocation whatever its age; a staple must be
    /// fresh).
    #[error("the answer is stale: {0}")]
    Stale(Error),
    /// A file of the state directory was ignored.
    #[error("the state file {} was ignored: {problem}", path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: StateFileProblem,
    },
    /// The responder says `unknown`: never stapled (every client policy refuses it, and it
    /// tells a client nothing it can use).
    #[error("the responder says the certificate's status is unknown")]
    Unknown,
}

impl StapleError {
    /// A stable snake_case name, for logs and the metrics' `error` label: the
    /// [`FetchError::code`] of a fetch that failed (`unreachable`, `bad_answer`, the core
    /// [`Error::code`] of an invalid response, ...), the [`NotKept::code`] of an answer not
    /// kept (`older`, `contradiction`, `not_yet_valid`), the [`Error::code`] of a stale one,
    /// `state_file`, `unknown_status`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Fetch(error) => error.code(),
            Self::NotKept(not_kept) => not_kept.code(),
            Self::Stale(error) => error.code(),
            Self::StateFile { .. } => "state_file",
            Self::Unknown => "unknown_status",
        }
    }
}

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnswerOrigin {
    /// Fetched from the responder.
    Responder,
    /// Read back from the state directory when the stapler was built.
    StateDir,
    /// Kept from before: the wall clock came back into its window after a jump.
    Kept,
}

/// Something that happened to one certificate's staple: what an observer receives (see
/// [`super::StaplerBuilder::with_observer`]).
///
/// Its `Display` is one log line, starting with the certificate's label.
#[derive(Clone, Debug)]
pub struct StapleEvent {
    pub(super) certificate: String,
    pub(super) time: UnixTime,
    pub(super) kind: StapleEventKind,
}

impl StapleEvent {
    /// The certificate's label (see [`super::StapledCertificate::with_label`]).
    pub fn certificate(&self) -> &str {
        &self.certificate
    }

    /// When it happened, by the stapler's wall clock.
    pub fn time(&self) -> UnixTime {
        self.time
    }

    /// What happened.
    pub fn kind(&self) -> &StapleEventKind {
        &self.kind
    }
}

/// What happened, in a [`StapleEvent`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StapleEventKind {
    /// A verified `good` answer is stapled. `changed` is false when the responder answered
    /// with the answer already stapled.
    Good {
        /// The answer.
        answer: Answer,
        /// Where it came from.
        origin: AnswerOrigin,
        /// Whether the staple changed.
        changed: bool,
    },
    /// A verified `revoked` answer is stapled: the certificate is revoked, clients will refuse
    /// it, and they must learn why. Replace the certificate.
    Revoked {
        /// The answer.
        answer: Answer,
        /// Where it came from.
        origin: AnswerOrigin,
        /// Whether the staple changed.
        changed: bool,
    },
    /// An answer was not taken. What was stapled before is still stapled until
    /// `stapled_until`, or nothing is stapled (`None`).
    Refused {
        /// Why.
        error: StapleError,
        /// Until when the previous answer is still stapled.
        stapled_until: Option<UnixTime>,
    },
    /// The responder said `good` or `unknown` after a permanent revocation it had signed:
    /// refused (revocation is one-way), and a sign that a responder is wrong.
    Contradiction {
        /// The revocation kept.
        revoked: Answer,
        /// The answer refused.
        offered: Answer,
        /// The responder that said it.
        url: String,
    },
    /// The stapled answer reached the end of its freshness (its `nextUpdate`, or an earlier
    /// limit) without a newer one, or the wall clock left its window: it is no longer
    /// stapled.
    Expired {
        /// The instant it stopped being stapled.
        not_after: UnixTime,
    },
    /// The stapled answer was written to the state directory.
    Saved {
        /// The file.
        path: PathBuf,
    },
    /// The stapled answer was written and renamed into place, but flushing the directory
    /// failed: the file is there, and may not survive a power loss.
    SavedNotDurable {
        /// The file.
        path: PathBuf,
        /// The I/O error's kind.
        error: std::io::ErrorKind,
    },
    /// Writing the stapled answer to the state directory failed; it is still stapled.
    SaveFailed {
        /// The file.
        path: PathBuf,
        /// The I/O error's kind.
        error: std::io::ErrorKind,
    },
    /// A temporary file left in the state directory by an interrupted write was removed.
    TemporaryFileRemoved {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for StapleEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.certificate)?;
        let origin = |origin: &AnswerOrigin| match origin {
            AnswerOrigin::Responder => "from the responder",
            AnswerOrigin::StateDir => "from the state directory",
            AnswerOrigin::Kept => "kept from before: the clock is back in its window",
        };
        match &self.kind {
            StapleEventKind::Good {
                answer,
                origin: from,
                changed,
            } => {
                let what = if *changed { "stapling" } else { "unchanged:" };
                write!(f, "{what} good ({}", origin(from))?;
                write_window(f, answer)?;
                f.write_str(")")
            }
            StapleEventKind::Revoked {
                answer,
                origin: from,
                ..
            } => {
                f.write_str("REVOKED: the certificate was revoked")?;
                write_revocation(f, answer)?;
                write!(
                    f,
                    "; stapling the revoked answer ({}) so that clients learn it: replace the \
                     certificate",
                    origin(from)
                )
            }
            StapleEventKind::Refused {
                error,
                stapled_until,
            } => {
                write!(f, "answer not taken: {error}; ")?;
                match stapled_until {
                    Some(until) => write!(
                        f,
                        "still stapling the previous answer until {}",
                        Rfc3339(*until)
                    ),
                    None => f.write_str("no staple"),
                }
            }
            StapleEventKind::Contradiction {
                revoked,
                offered,
                url,
            } => {
                let said = status_word(offered);
                write!(f, "RESPONDER CONTRADICTION: {url} says {said} (thisUpdate ")?;
                write!(f, "{}) after", Rfc3339(offered.this_update()))?;
                write_revocation(f, revoked)?;
                f.write_str("; the revocation stands: check the responder")
            }
            StapleEventKind::Expired { not_after } => write!(
                f,
                "the staple expired at {} without a newer answer: no staple",
                Rfc3339(*not_after)
            ),
            StapleEventKind::Saved { path } => write!(f, "saved to {}", path.display()),
            StapleEventKind::SavedNotDurable { path, error } => write!(
                f,
                "saved to {}, but flushing the directory failed ({error}): it may not survive a \
                 power loss",
                path.display()
            ),
            StapleEventKind::SaveFailed { path, error } => {
                write!(f, "could not save to {}: {error}", path.display())
            }
            StapleEventKind::TemporaryFileRemoved { path } => write!(
                f,
                "removed {}, left by an interrupted write",
                path.display()
            ),
        }
    }
}

fn write_window(f: &mut fmt::Formatter<'_>, answer: &Answer) -> fmt::Result {
    write!(f, ", thisUpdate {}", Rfc3339(answer.this_update()))?;
    match answer.next_update() {
        Some(next_update) => write!(f, ", nextUpdate {}", Rfc3339(next_update)),
        None => f.write_str(", no nextUpdate"),
    }
}

fn write_revocation(f: &mut fmt::Formatter<'_>, answer: &Answer) -> fmt::Result {
    if let CertStatus::Revoked { time, reason } = answer.status() {
        write!(f, " at {}", Rfc3339(time))?;
        if let Some(reason) = reason {
            write!(f, " ({})", reason.name())?;
        }
    }
    Ok(())
}

/// One certificate's staple at an instant: what [`super::Stapler::snapshots`] returns, and
/// what the metrics are made of.
#[derive(Clone, Debug)]
pub struct StapleSnapshot {
    pub(super) certificate: String,
    pub(super) serial: Vec<u8>,
    pub(super) must_staple: bool,
    pub(super) responder_url: Option<String>,
    pub(super) now: UnixTime,
    pub(super) stapled: Option<(Answer, UnixTime)>,
    pub(super) next_refresh: UnixTime,
    pub(super) last_error: Option<(UnixTime, StapleError)>,
    pub(super) fetches: u64,
    pub(super) failures: u64,
    pub(super) failures_in_a_row: u32,
    pub(super) contradictions: u64,
    pub(super) stapled_handshakes: u64,
    pub(super) unstapled_handshakes: u64,
}

impl StapleSnapshot {
    /// The certificate's label.
    pub fn certificate(&self) -> &str {
        &self.certificate
    }

    /// The end-entity certificate's serial number (its content octets, as encoded).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Whether the certificate is must-staple (RFC 7633 `status_request`).
    pub fn is_must_staple(&self) -> bool {
        self.must_staple
    }

    /// The responder asked: the URL configured for the certificate, else the first `http://`
    /// URL its authorityInfoAccess names; `None` when there is neither.
    pub fn responder_url(&self) -> Option<&str> {
        self.responder_url.as_deref()
    }

    /// The instant of the snapshot (wall time).
    pub fn now(&self) -> UnixTime {
        self.now
    }

    /// The answer stapled at [`StapleSnapshot::now`], if any (only `good` or `revoked`).
    pub fn answer(&self) -> Option<Answer> {
        self.stapled.map(|(answer, _)| answer)
    }

    /// The status stapled: `Some(Good)`, `Some(Revoked {..})`, or `None` for no staple.
    pub fn status(&self) -> Option<CertStatus> {
        self.answer().map(|answer| answer.status())
    }

    /// `thisUpdate` of the answer stapled.
    pub fn this_update(&self) -> Option<UnixTime> {
        self.answer().map(|answer| answer.this_update())
    }

    /// `nextUpdate` of the answer stapled.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.answer().and_then(|answer| answer.next_update())
    }

    /// How long until the stapled answer's `nextUpdate` (zero once past it).
    pub fn time_to_next_update(&self) -> Option<Duration> {
        self.answer()
            .and_then(|answer| answer.time_to_next_update(self.now))
    }

    /// The instant the stapled answer stops being stapled unless refreshed (its `nextUpdate`,
    /// or an earlier limit of the verifier: see [`crate::Verifier::fresh_until`]).
    pub fn stapled_until(&self) -> Option<UnixTime> {
        self.stapled.map(|(_, until)| until)
    }

    /// When the responder is asked next (the monotonic deadline, told in wall time as of
    /// [`StapleSnapshot::now`]).
    pub fn next_refresh(&self) -> UnixTime {
        self.next_refresh
    }

    /// Why the last answer not taken was not taken (a fetch that failed, an answer refused,
    /// or a state file that was ignored), whether or not a later one succeeded.
    pub fn last_error(&self) -> Option<&StapleError> {
        self.last_error.as_ref().map(|(_, error)| error)
    }

    /// When [`StapleSnapshot::last_error`] happened.
    pub fn last_error_time(&self) -> Option<UnixTime> {
        self.last_error.as_ref().map(|(time, _)| *time)
    }

    /// How many times the responder was asked.
    pub fn fetches(&self) -> u64 {
        self.fetches
    }

    /// How many of those gave no answer that was taken (nothing newer is not a failure).
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// How many of the latest fetches in a row gave no answer that was taken (0 after a
    /// success).
    pub fn failures_in_a_row(&self) -> u32 {
        self.failures_in_a_row
    }

    /// How many answers contradicted a verified revocation.
    pub fn contradictions(&self) -> u64 {
        self.contradictions
    }

    /// How many handshakes got this certificate with a staple.
    pub fn stapled_handshakes(&self) -> u64 {
        self.stapled_handshakes
    }

    /// How many handshakes got this certificate without a staple.
    pub fn unstapled_handshakes(&self) -> u64 {
        self.unstapled_handshakes
    }
}

/// Must-staple certificates without a good staple yet: the error of
/// [`super::Stapler::wait_ready`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no good staple yet for the must-staple certificate(s) {}", pending.join(", "))]
pub struct NotReady {
    pub(super) pending: Vec<String>,
}

impl NotReady {
    /// The labels of the must-staple certificates without a good staple.
    pub fn pending(&self) -> &[String] {
        &self.pending
    }
}
