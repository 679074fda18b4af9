//! The exporter's probe results: one probe in flight per target, whoever asks (Go's
//! `singleflight`), results served again while fresh, and a bound on what is kept.
//!
//! - **Single flight**: the first request for a target with no fresh result probes it; every
//!   request for that target that comes while the probe runs (`/probe` or `/metrics`, from one
//!   Prometheus or several) waits for that probe and shares its result.
//! - **Freshness**: a result is served again for `--cache-seconds`, measured with [`Instant`].
//! - **Bound**: the targets of `--targets` keep one entry each (that file holds at most 10,000);
//!   other targets (`/probe` with `--allow-any-target`) keep at most `--cache-size` results.
//!   When a new one needs room, the oldest of those entries goes first (first in, first out);
//!   an entry whose probe is in flight is never dropped, so there can be more only while
//!   requests are being answered, by at most one per answering slot.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::targets::Target;

/// The default `--cache-size`.
pub(crate) const DEFAULT_CACHE_SIZE: usize = 1024;

/// The largest `--cache-size`.
pub(crate) const MAX_CACHE_SIZE: usize = 100_000;

/// Parses `--cache-size`: 1 to [`MAX_CACHE_SIZE`].
pub(crate) fn cache_size(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n @ 1..=MAX_CACHE_SIZE) => Ok(n),
        Ok(_) => Err(format!("from 1 to {MAX_CACHE_SIZE} results")),
        Err(_) => Err(format!("`{value}` is not a whole number")),
    }
}

enum State<R> {
    Flying,
    Ready { at: Instant, result: R },
}

struct Entry<R> {
    state: State<R>,
    /// Probes of the target so far, this one included once it is done.
    probes: u64,
    listed: bool,
}

struct Map<R> {
    entries: HashMap<Target, Entry<R>>,
    /// The unlisted targets, in the order their entries were made.
    unlisted: VecDeque<Target>,
}

/// Results by target (see the module's documentation).
pub(crate) struct ProbeCache<R> {
    map: Mutex<Map<R>>,
    /// Signalled whenever a probe ends.
    landed: Condvar,
    fresh_for: Duration,
    limit: usize,
}

/// A result and the number of probes of its target.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Counted<R> {
    pub(crate) result: R,
    pub(crate) probes: u64,
}

impl<R: Clone> ProbeCache<R> {
    /// A cache that serves a result again for `fresh_for`, and keeps at most `limit` results of
    /// unlisted targets.
    pub(crate) fn new(fresh_for: Duration, limit: usize) -> Self {
        Self {
            map: Mutex::new(Map {
                entries: HashMap::new(),
                unlisted: VecDeque::new(),
            }),
            landed: Condvar::new(),
            fresh_for,
            limit: limit.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Map<R>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entries kept now, listed or not, in flight or not.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// The result for `target`: a fresh one kept, the one of a probe in flight, or `probe`'s
    /// (this caller's probe, shared with those who come while it runs). `listed`: the target is
    /// one of `--targets`, whose entries are never dropped.
    pub(crate) fn get(
        &self,
        target: &Target,
        listed: bool,
        probe: impl FnOnce() -> R,
    ) -> Counted<R> {
        let mut map = self.lock();
        // Whether this caller waited for a probe: its result is the one to serve, however
        // short the freshness (`--cache-seconds 0` still shares a probe in flight).
        let mut waited = false;
        loop {
            match map.entries.get(target) {
                Some(Entry {
                    state: State::Ready { at, result },
                    probes,
                    ..
                }) if waited || at.elapsed() < self.fresh_for => {
                    return Counted {
                        result: result.clone(),
                        probes: *probes,
                    };
                }
                Some(Entry {
                    state: State::Flying,
                    ..
                }) => {
                    map = self
                        .landed
                        .wait(map)
                        .unwrap_or_else(PoisonError::into_inner);
                    waited = true;
                }
                _ => break,
            }
        }
        // Absent or stale: this caller probes.
        match map.entries.get_mut(target) {
            Some(entry) => entry.state = State::Flying,
            None => {
                if !listed {
                    self.make_room(&mut map);
                    map.unlisted.push_back(target.clone());
                }
                map.entries.insert(
                    target.clone(),
                    Entry {
                        state: State::Flying,
                        probes: 0,
                        listed,
                    },
                );
            }
        }
        drop(map);
        let mut flight = Flight {
            cache: self,
            target,
            landed: false,
        };
        let result = probe();
        flight.landed = true;
        let mut map = self.lock();
        let probes = match map.entries.get_mut(target) {
            Some(entry) => {
                entry.probes = entry.probes.saturating_add(1);
                entry.state = State::Ready {
                    at: Instant::now(),
                    result: result.clone(),
                };
                entry.probes
            }
            None => 1,
        };
        drop(map);
        self.landed.notify_all();
        Counted { result, probes }
    }

    /// Drops the oldest unlisted entries not in flight until a new one fits under the limit.
    fn make_room(&self, map: &mut Map<R>) {
        let mut looked = 0;
        while map.unlisted.len() >= self.limit && looked < map.unlisted.len() {
            let Some(oldest) = map.unlisted.pop_front() else {
                break;
            };
            let flying = map
                .entries
                .get(&oldest)
                .is_some_and(|entry| matches!(entry.state, State::Flying));
            if flying {
                map.unlisted.push_back(oldest);
                looked += 1;
            } else {
                map.entries.remove(&oldest);
            }
        }
    }
}

/// A probe in flight: if it never lands (its prober panicked), its entry goes, and those
/// waiting for it probe themselves.
struct Flight<'c, R: Clone> {
    cache: &'c ProbeCache<R>,
    target: &'c Target,
    landed: bool,
}

impl<R: Clone> Drop for Flight<'_, R> {
    fn drop(&mut self) {
        if self.landed {
            return;
        }
        let mut map = self.cache.lock();
        if let Some(entry) = map.entries.get(self.target)
            && matches!(entry.state, State::Flying)
        {
            let listed = entry.listed;
            map.entries.remove(self.target);
            if !listed {
                map.unlisted.retain(|t| t != self.target);
            }
        }
        drop(map);
        self.cache.landed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};
    use std::thread;

    fn target(n: usize) -> Target {
        Target {
            server: format!("t{n}.example:443"),
            servername: None,
        }
    }

    #[test]
    fn concurrent_requests_share_one_probe() {
        let cache = Arc::new(ProbeCache::new(Duration::ZERO, 8));
        let probes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(20));
        let results: Vec<_> = (0..20)
            .map(|_| {
                let (cache, probes, barrier) = (cache.clone(), probes.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    cache.get(&target(1), false, || {
                        probes.fetch_add(1, Ordering::SeqCst);
                        thread::sleep(Duration::from_millis(300));
                        "probed"
                    })
                })
            })
            .collect();
        for handle in results {
            assert_eq!(
                handle.join().unwrap(),
                Counted {
                    result: "probed",
                    probes: 1
                }
            );
        }
        assert_eq!(probes.load(Ordering::SeqCst), 1);
        // Not fresh (0 s): the next request probes again, and the count goes on.
        assert_eq!(cache.get(&target(1), false, || "again").probes, 2);
    }

    #[test]
    fn fresh_results_are_served_again() {
        let cache = ProbeCache::new(Duration::from_secs(3600), 8);
        assert_eq!(cache.get(&target(1), true, || 1).result, 1);
        assert_eq!(
            cache.get(&target(1), true, || 2),
            Counted {
                result: 1,
                probes: 1
            }
        );
    }

    #[test]
    fn unlisted_results_are_bounded_oldest_first() {
        let cache = ProbeCache::new(Duration::from_secs(3600), 3);
        for n in 0..5 {
            cache.get(&target(100), true, || 0);
            cache.get(&target(n), false, || n);
        }
        // 3 unlisted and the listed one.
        assert_eq!(cache.len(), 4);
        // 0 and 1 went first; 2, 3 and 4 are kept.
        assert_eq!(cache.get(&target(4), false, || 99).result, 4);
        assert_eq!(cache.get(&target(2), false, || 99).result, 2);
        assert_eq!(cache.get(&target(0), false, || 99).result, 99);
        assert_eq!(cache.len(), 4);
        assert_eq!(cache.get(&target(100), true, || 7).result, 0);
        for n in 0..10_000 {
            cache.get(&target(1000 + n), false, || n);
        }
        assert_eq!(cache.len(), 4);
    }

    #[test]
    fn a_probe_that_panics_lets_the_next_one_probe() {
        let cache = Arc::new(ProbeCache::new(Duration::from_secs(3600), 8));
        let panicked = {
            let cache = cache.clone();
            thread::spawn(move || cache.get(&target(1), false, || -> u8 { panic!("probe") })).join()
        };
        assert!(panicked.is_err());
        assert_eq!(cache.len(), 0);
        assert_eq!(
            cache.get(&target(1), false, || 5),
            Counted {
                result: 5,
                probes: 1
            }
        );
        assert_eq!(cache.size_check(), (1, 1));
    }

    impl<R: Clone> ProbeCache<R> {
        fn size_check(&self) -> (usize, usize) {
            let map = self.lock();
            (map.entries.len(), map.unlisted.len())
        }
    }
}
