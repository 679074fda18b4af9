//! Many servers in one run: the targets (from the command line and `--targets FILE`), the
//! bounded pool that probes them, and the one exit status of the run, the worst of theirs.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use crate::Exit;
use crate::input::{self, InputError};
use crate::target_list::{self, MAX_TARGETS_FILE};
pub(crate) use crate::target_list::{Target, split_host_port};

/// The default `--concurrency`: enough to hide the network's latency behind one another (16
/// servers 100 ms away take one round trip's time, not 16), few enough that the servers, the
/// firewalls and the resolver in between do not see a scan.
pub(crate) const DEFAULT_CONCURRENCY: usize = 16;

/// The largest `--concurrency`: one thread each.
pub(crate) const MAX_CONCURRENCY: usize = 256;

/// Parses `--concurrency`: 1 to 256.
pub(crate) fn concurrency(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n @ 1..=MAX_CONCURRENCY) => Ok(n),
        Ok(0) => Err("a concurrency of 0 would probe nothing; give 1 or more".into()),
        Ok(_) => Err(format!(
            "more than {MAX_CONCURRENCY} probes at once is a scan, not a check"
        )),
        Err(_) => Err(format!("`{value}` is not a whole number")),
    }
}

/// Reads a `--targets` file (see [`target_list::parse`]): at most
/// [`MAX_TARGETS_FILE`] bytes, every line checked; an error names the file and the line.
pub(crate) fn read_file(path: &Path) -> Result<Vec<Target>, InputError> {
    let bytes = input::read_capped(path, MAX_TARGETS_FILE, "targets file")?;
    target_list::parse(&bytes).map_err(|problem| input::error(path, problem))
}

/// How bad an exit status is, for the run's one status: the larger, the worse.
///
/// 1 (revoked) > 2 (unknown) > 3 (invalid, stale or missing staple) > 4 (no connection) >
/// 5 (good, due for a refresh) > 0 (good). The responder's signed word that a certificate is
/// revoked, or not known, makes every client refuse it whatever its policy, and only a new
/// certificate mends it: the first thing to page about. A staple refused under the policy makes
/// the clients that use it refuse now; mending the stapling mends it. A server that cannot be
/// reached says nothing about its staple (the outage is for other probes to report), so one
/// host down must not hide a revoked certificate on another. A staple due for a refresh is a
/// warning: nobody is refused yet.
pub(crate) fn severity(exit: Exit) -> u8 {
    match exit {
        Exit::Good => 0,
        Exit::Refresh => 1,
        Exit::Usage => 2,
        Exit::Invalid => 3,
        Exit::Unknown => 4,
        Exit::Revoked => 5,
    }
}

/// The worst of the exit statuses (see [`severity`]); 0 when there is none.
pub(crate) fn worst(exits: impl IntoIterator<Item = Exit>) -> Exit {
    exits
        .into_iter()
        .max_by_key(|exit| severity(*exit))
        .unwrap_or(Exit::Good)
}

/// Runs `work` on every item, at most `concurrency` at a time, each on a thread of the pool;
/// the results in the items' order.
pub(crate) fn pooled<T: Sync, R: Send>(
    items: &[T],
    concurrency: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = concurrency.clamp(1, MAX_CONCURRENCY).min(items.len());
    if workers <= 1 {
        return items.iter().map(&work).collect();
    }
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    if sender.send((index, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
    });
    drop(sender);
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    for (index, result) in receiver {
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(result);
        }
    }
    // Every index was taken by exactly one worker, and a worker that panicked has made the
    // scope panic above: every slot is filled.
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status() {
        use Exit::*;
        assert_eq!(worst([]), Good);
        assert_eq!(worst([Good, Refresh]), Refresh);
        assert_eq!(worst([Refresh, Usage, Good]), Usage);
        assert_eq!(worst([Usage, Invalid]), Invalid);
        assert_eq!(worst([Invalid, Unknown, Usage]), Unknown);
        assert_eq!(worst([Unknown, Revoked, Invalid, Usage, Refresh]), Revoked);
    }

    #[test]
    fn the_pool_keeps_the_order() {
        let items: Vec<u64> = (0..100).collect();
        for concurrency in [1, 3, 16, 256] {
            let doubled = pooled(&items, concurrency, |n| {
                thread::sleep(std::time::Duration::from_micros(100 - n));
                n * 2
            });
            assert_eq!(doubled, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(pooled(&[] as &[u8], 4, |n| *n).is_empty());
        assert!(concurrency("0").is_err());
        assert!(concurrency("257").is_err());
        assert_eq!(concurrency("8"), Ok(8));
    }
}
