//! Events per second over a sliding window of ticks.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(3);

#[derive(Default)]
pub struct Rate {
    /// (when, count) per tick; the front is the oldest.
    samples: VecDeque<(Instant, u64)>,
    pending: u64,
}

impl Rate {
    pub fn add(&mut self, n: u64) {
        self.pending += n;
    }

    /// Closes the current tick and returns the rate over the window.
    pub fn per_sec(&mut self) -> f64 {
        let now = Instant::now();
        self.samples
            .push_back((now, std::mem::take(&mut self.pending)));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > WINDOW)
        {
            self.samples.pop_front();
        }
        let total: u64 = self.samples.iter().map(|(_, n)| n).sum();
        let span = self
            .samples
            .front()
            .map_or(Duration::ZERO, |(t, _)| now.duration_since(*t))
            .max(Duration::from_millis(100));
        total as f64 / span.as_secs_f64()
    }
}
