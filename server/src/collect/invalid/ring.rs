//! The latest INVALID packets, numbered, for readers that poll or wait.
//!
//! One lock around a bounded queue: the writer holds it to push one
//! packet, a reader to copy out what it asked for. At the rule's rate
//! limit (tens of packets a second per chain) nobody waits on it.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use app::wire::invalid::{InvalidPacket, InvalidTotals};

pub struct InvalidRing {
    inner: Mutex<Inner>,
    /// Woken on every push, for [`InvalidRing::wait`].
    pushed: Condvar,
}

struct Inner {
    packets: VecDeque<InvalidPacket>,
    capacity: usize,
    totals: InvalidTotals,
}

impl InvalidRing {
    /// Keeps the latest `capacity` packets (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner: Mutex::new(Inner {
                packets: VecDeque::with_capacity(capacity),
                capacity,
                totals: InvalidTotals::default(),
            }),
            pushed: Condvar::new(),
        }
    }

    /// Numbers the packet (its `seq` is overwritten) and keeps it,
    /// pushing the oldest out if the ring is full.
    pub fn push(&self, mut p: InvalidPacket) {
        let mut inner = self.lock();
        inner.totals.received += 1;
        p.seq = inner.totals.received;
        if inner.packets.len() == inner.capacity {
            inner.packets.pop_front();
            inner.totals.dropped += 1;
        }
        inner.packets.push_back(p);
        drop(inner);
        self.pushed.notify_all();
    }

    /// The packets numbered after `seq`, oldest first. A reader that
    /// fell behind gets what is left: the first `seq` it sees is then
    /// more than one past the last it had.
    pub fn since(&self, seq: u64) -> Vec<InvalidPacket> {
        after(&self.lock(), seq)
    }

    /// [`InvalidRing::since`], waiting up to `timeout` for a packet if
    /// there is none yet.
    pub fn wait(&self, seq: u64, timeout: Duration) -> Vec<InvalidPacket> {
        let end = Instant::now() + timeout;
        let mut inner = self.lock();
        while inner.totals.received <= seq {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            inner = match self.pushed.wait_timeout(inner, left) {
                Ok((inner, _)) => inner,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        after(&inner, seq)
    }

    /// The latest `max` packets, oldest first.
    pub fn recent(&self, max: usize) -> Vec<InvalidPacket> {
        let inner = self.lock();
        let skip = inner.packets.len().saturating_sub(max);
        inner.packets.iter().skip(skip).cloned().collect()
    }

    pub fn totals(&self) -> InvalidTotals {
        self.lock().totals
    }

    /// `n` packets the kernel could not deliver.
    pub(super) fn lost(&self, n: u64) {
        self.lock().totals.lost += n;
    }

    pub(super) fn enobufs(&self) {
        self.lock().totals.enobufs += 1;
    }

    pub(super) fn decode_error(&self) {
        self.lock().totals.decode_errors += 1;
    }

    /// A panic elsewhere cannot leave the queue half changed: every
    /// change under the lock is one push or pop.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn after(inner: &Inner, seq: u64) -> Vec<InvalidPacket> {
    // Numbers grow by one along the queue.
    let start = inner.packets.partition_point(|p| p.seq <= seq);
    inner.packets.range(start..).cloned().collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use app::wire::invalid::Hook;
    use app::wire::Proto;

    use super::*;

    fn packet(mark: u32) -> InvalidPacket {
        InvalidPacket {
            seq: 0,
            at_ms: 0,
            family: 2,
            hook: Hook::Input,
            in_dev: None,
            out_dev: None,
            phys_in: None,
            phys_out: None,
            mark,
            proto: Proto::UDP,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            sport: Some(1),
            dport: Some(2),
            tcp_flags: None,
            tcp_seq: None,
            tcp_ack: None,
            tcp_window: None,
            icmp: None,
            len: 28,
        }
    }

    fn marks(packets: &[InvalidPacket]) -> Vec<u32> {
        packets.iter().map(|p| p.mark).collect()
    }

    #[test]
    fn numbers_packets_and_keeps_the_latest() {
        let ring = InvalidRing::new(3);
        for mark in 10..15 {
            ring.push(packet(mark));
        }
        let all = ring.since(0);
        assert_eq!(marks(&all), [12, 13, 14]);
        assert_eq!(all.iter().map(|p| p.seq).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(marks(&ring.since(4)), [14]);
        assert!(ring.since(5).is_empty());
        assert!(ring.since(u64::MAX).is_empty());
        assert_eq!(marks(&ring.recent(2)), [13, 14]);
        assert_eq!(marks(&ring.recent(10)), [12, 13, 14]);
        let totals = ring.totals();
        assert_eq!((totals.received, totals.dropped), (5, 2));
    }

    #[test]
    fn counts_what_never_reached_it() {
        let ring = InvalidRing::new(0);
        ring.push(packet(1));
        ring.push(packet(2));
        ring.lost(3);
        ring.enobufs();
        ring.decode_error();
        assert_eq!(marks(&ring.since(0)), [2]);
        assert_eq!(
            ring.totals(),
            InvalidTotals {
                received: 2,
                dropped: 1,
                lost: 3,
                enobufs: 1,
                decode_errors: 1,
            }
        );
    }

    #[test]
    fn wait_returns_on_a_push_or_at_the_timeout() {
        let ring = Arc::new(InvalidRing::new(8));
        assert!(ring.wait(0, Duration::from_millis(20)).is_empty());
        let writer = Arc::clone(&ring);
        let pusher = std::thread::spawn(move || writer.push(packet(7)));
        let got = ring.wait(0, Duration::from_secs(20));
        pusher.join().unwrap();
        assert_eq!(marks(&got), [7]);
    }
}
