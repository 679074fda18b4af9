//! The server side's background threads (the stapler's refresh thread, the mTLS prefetcher):
//! a named thread that runs rounds until it is stopped, sleeps between them on the monotonic
//! clock, survives a round that panics, and is stopped and joined when its handle is dropped.

use core::time::Duration;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use super::clock::later;
use super::sync::Signal;

/// A running background thread; stopping it waits for the round in progress to end.
#[derive(Debug)]
pub(crate) struct Worker {
    stop: Arc<Signal<bool>>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Spawns the thread `name`, which calls `round` until stopped or until `round` returns
    /// `None`, sleeping what it returns (at least `shortest`) in between. A round that panics
    /// is followed by `on_panic` and, `shortest` later, by the next round.
    pub(crate) fn spawn(
        name: &str,
        shortest: Duration,
        mut round: impl FnMut() -> Option<Duration> + Send + 'static,
        on_panic: impl Fn() + Send + 'static,
    ) -> io::Result<Self> {
        let stop = Arc::new(Signal::new(false));
        let stopped = Arc::clone(&stop);
        let handle = thread::Builder::new().name(name.into()).spawn(move || {
            loop {
                let wait = match catch_unwind(AssertUnwindSafe(&mut round)) {
                    Ok(Some(wait)) => wait.max(shortest),
                    Ok(None) => return,
                    Err(_) => {
                        on_panic();
                        shortest
                    }
                };
                if stopped.sleep_until(later(Instant::now(), wait), |stop| *stop) {
                    return;
                }
            }
        })?;
        Ok(Self {
            stop,
            handle: Some(handle),
        })
    }

    /// Stops the thread and waits for it; its result (`Err` if it panicked outside a round).
    pub(crate) fn stop(&mut self) -> thread::Result<()> {
        self.stop.update(|stopped| *stopped = true);
        self.handle.take().map_or(Ok(()), JoinHandle::join)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn rounds_go_on_after_a_panic_and_end_when_stopped() {
        let (rounds, panics) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let (counted, caught) = (Arc::clone(&rounds), Arc::clone(&panics));
        let mut worker = Worker::spawn(
            "test-worker",
            Duration::from_millis(1),
            move || {
                let round = counted.fetch_add(1, Ordering::SeqCst);
                assert_ne!(round, 1, "the second round panics");
                Some(Duration::ZERO)
            },
            move || {
                caught.fetch_add(1, Ordering::SeqCst);
            },
        )
        .unwrap();
        let started = Instant::now();
        while rounds.load(Ordering::SeqCst) < 4 && started.elapsed() < Duration::from_secs(10) {
            thread::sleep(Duration::from_millis(1));
        }
        worker.stop().unwrap();
        let after_stop = rounds.load(Ordering::SeqCst);
        assert!(after_stop >= 4);
        assert_eq!(panics.load(Ordering::SeqCst), 1);
        thread::sleep(Duration::from_millis(20));
        assert_eq!(
            rounds.load(Ordering::SeqCst),
            after_stop,
            "no round after stop"
        );
    }

    #[test]
    fn a_round_that_returns_none_ends_the_thread() {
        let mut worker = Worker::spawn("test-worker", Duration::ZERO, || None, || ()).unwrap();
        let handle = worker.handle.take().unwrap();
        handle.join().unwrap();
    }
}
