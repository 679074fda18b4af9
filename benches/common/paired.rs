//! Two workloads timed in alternating batches, for a ratio that the load of a shared machine
//! does not skew: criterion runs one benchmark after the other, and the load drifts between
//! them; here each round times a batch of each, the order alternating from round to round, and
//! the median of the paired differences is what drift affects least.

use std::time::Instant;

/// The medians over the rounds, in microseconds per call.
pub struct Paired {
    /// The first workload.
    pub a: f64,
    /// The second workload.
    pub b: f64,
    /// The median of the paired differences, `b - a`.
    pub added: f64,
}

/// Runs `a` and `b` each `batch` times per round, for `rounds` rounds.
pub fn alternate(rounds: usize, batch: u32, mut a: impl FnMut(), mut b: impl FnMut()) -> Paired {
    let time = |work: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..batch {
            work();
        }
        start.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
    };
    let (mut first, mut second, mut added) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (x, y) = if round % 2 == 0 {
            let x = time(&mut a);
            (x, time(&mut b))
        } else {
            let y = time(&mut b);
            (time(&mut a), y)
        };
        first.push(x);
        second.push(y);
        added.push(y - x);
    }
    Paired {
        a: median(first),
        b: median(second),
        added: median(added),
    }
}

/// The median (NaN for no values).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
