//! The one way the server side tells the application what happened: an observer callback,
//! called outside every lock, whose panics are caught and counted so that no thread of this
//! crate (a refresh, a fetch, a handshake) dies of a callback.

use core::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// An application's callback for events of type `E`, as builders take it.
pub(crate) type Callback<E> = Arc<dyn Fn(&E) + Send + Sync>;

/// A callback of the application's, for events of type `E`.
pub(crate) struct Observer<E: ?Sized> {
    callback: Option<Callback<E>>,
    panics: AtomicU64,
}

impl<E: ?Sized> Observer<E> {
    pub(crate) fn new(callback: Option<Callback<E>>) -> Self {
        Self {
            callback,
            panics: AtomicU64::new(0),
        }
    }

    pub(crate) fn is_set(&self) -> bool {
        self.callback.is_some()
    }

    /// Calls the callback with `event`. A panic in it is caught and counted (the panic hook
    /// has already printed it); the caller goes on.
    pub(crate) fn emit(&self, event: &E) {
        if let Some(callback) = &self.callback
            && catch_unwind(AssertUnwindSafe(|| callback(event))).is_err()
        {
            self.panics.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many times the callback panicked.
    pub(crate) fn panics(&self) -> u64 {
        self.panics.load(Ordering::Relaxed)
    }
}

impl<E: ?Sized> fmt::Debug for Observer<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observer")
            .field("set", &self.is_set())
            .field("panics", &self.panics())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn a_panicking_callback_is_counted_and_the_caller_goes_on() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let observer: Observer<u32> = Observer::new(Some(Arc::new(move |n: &u32| {
            assert!(*n != 2, "the test's observer refuses 2");
            log.lock().unwrap().push(*n);
        })));
        for n in 1..=3 {
            observer.emit(&n);
        }
        assert_eq!(*seen.lock().unwrap(), [1, 3]);
        assert_eq!(observer.panics(), 1);
        let none: Observer<u32> = Observer::new(None);
        none.emit(&1);
        assert!(!none.is_set());
        assert_eq!(none.panics(), 0);
    }
}
