//! Locks that survive a panicking thread, and the one deadline wait of the server side.
//!
//! Every wait for "something changed, or a deadline passed" (a staple becoming ready, a fetch
//! ending, the fetches draining, a thread told to stop, a slot freed) is a [`Signal`]: a value
//! behind a mutex with a condition variable notified on every change. Waits measure real time
//! with `Instant`, so a wall clock that jumps moves none of them.

use core::time::Duration;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// Locks `mutex`. Every update under the server side's locks is a few assignments or one map
/// operation, which a panicking thread cannot leave half done in a way that matters (and no
/// callback runs under a lock), so a poisoned lock is used as it is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(feature = "stapler")]
/// Read-locks `lock` (poisoning ignored, as for [`lock`]).
pub(crate) fn read<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(feature = "stapler")]
/// Write-locks `lock` (poisoning ignored, as for [`lock`]).
pub(crate) fn write<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// A value that threads wait on: changed under its lock, every change notified.
#[derive(Debug, Default)]
pub(crate) struct Signal<T> {
    value: Mutex<T>,
    changed: Condvar,
}

impl<T> Signal<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            value: Mutex::new(value),
            changed: Condvar::new(),
        }
    }

    /// The value, locked (a reader that changes nothing need not notify).
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        lock(&self.value)
    }

    /// Changes the value and wakes every waiter.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        let result = change(&mut lock(&self.value));
        self.changed.notify_all();
        result
    }

    /// Waits until `ready` holds, or `deadline` passes (`None`: no deadline). With `poll`, the
    /// condition is also looked at that often, for conditions a clock alone can change.
    /// Returns the lock and whether `ready` held.
    pub(crate) fn wait_until(
        &self,
        deadline: Option<Instant>,
        poll: Option<Duration>,
        mut ready: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'_, T>, bool) {
        let mut value = lock(&self.value);
        loop {
            if ready(&mut value) {
                return (value, true);
            }
            let remaining = match deadline {
                Some(deadline) => {
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if remaining.is_zero() {
                        return (value, false);
                    }
                    Some(remaining)
                }
                None => None,
            };
            let wait = match (remaining, poll) {
                (Some(remaining), Some(poll)) => Some(remaining.min(poll)),
                (one, other) => one.or(other),
            };
            value = match wait {
                Some(wait) => self
                    .changed
                    .wait_timeout(value, wait)
                    .map(|(value, _)| value)
                    .unwrap_or_else(|poisoned| poisoned.into_inner().0),
                None => self
                    .changed
                    .wait(value)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }

    /// Sleeps until `deadline`, or until `stop` holds; returns whether it did.
    pub(crate) fn sleep_until(&self, deadline: Instant, stop: impl FnMut(&mut T) -> bool) -> bool {
        self.wait_until(Some(deadline), None, stop).1
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_wait_ends_at_its_deadline_or_at_the_change() {
        let signal = Arc::new(Signal::new(false));
        let started = Instant::now();
        let ready = signal
            .wait_until(started.checked_add(Duration::from_millis(30)), None, |v| *v)
            .1;
        assert!(!ready);
        assert!(started.elapsed() >= Duration::from_millis(30));

        let setter = Arc::clone(&signal);
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            setter.update(|v| *v = true);
        });
        let started = Instant::now();
        let ready = signal
            .wait_until(started.checked_add(Duration::from_secs(30)), None, |v| *v)
            .1;
        assert!(ready);
        assert!(started.elapsed() < Duration::from_secs(10));
        thread.join().unwrap();
        // Without a deadline, a condition already true returns at once.
        assert!(signal.wait_until(None, None, |v| *v).1);
    }

    #[test]
    fn polling_sees_a_condition_that_changes_without_a_notification() {
        let signal = Signal::new(());
        let until = Instant::now() + Duration::from_millis(40);
        let started = Instant::now();
        let ready = signal
            .wait_until(None, Some(Duration::from_millis(5)), |_| {
                Instant::now() >= until
            })
            .1;
        assert!(ready);
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
