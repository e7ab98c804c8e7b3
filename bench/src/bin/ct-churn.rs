//! `ct-churn`: a steady stream of conntrack events in the network
//! namespace it runs in (start it with `ip netns exec`). It creates UDP
//! entries through ctnetlink at a set rate and deletes each one a moment
//! later, so that listeners hear a NEW and a DESTROY per entry, at a
//! rate no packet flood of a small machine reaches: the kernel does the
//! same bookkeeping, without the packets.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use bench::ctnl::{self, Flow, Protocols};
use clap::Parser;
use netlink_packet_core::{NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST};

/// Messages per send at most (see ct-fill).
const BATCH: u32 = 1000;
/// How often the pace is caught up with.
const TICK: Duration = Duration::from_millis(5);
const RCVBUF: usize = 4 << 20;

/// Create and delete conntrack entries at a steady rate.
#[derive(Parser)]
struct Args {
    /// Events per second to cause: half of them NEW, half DESTROY.
    #[arg(long, default_value_t = 50_000)]
    events_per_sec: u32,
    /// How long to keep it up, seconds.
    #[arg(long, default_value_t = 10)]
    secs: u32,
    /// How long each entry lives before it is deleted, ms.
    #[arg(long, default_value_t = 500)]
    life_ms: u64,
    /// Number of the first entry (see ct-fill).
    #[arg(long, default_value_t = 0)]
    first: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.events_per_sec >= 2, "at least two events per second");
    let per_sec = f64::from(args.events_per_sec / 2);
    let total = u32::try_from(
        u64::from(args.events_per_sec / 2) * u64::from(args.secs),
    )
    .context("too many entries")?;
    let end = args.first.checked_add(total).context("too many entries")?;
    let life = Duration::from_millis(args.life_ms);
    let socket = ctnl::open(RCVBUF)?;
    let started = Instant::now();
    let mut buf = Vec::with_capacity(BATCH as usize * 160);
    // Entries created and not yet deleted: (when, first, end), in order.
    let mut alive: VecDeque<(Instant, u32, u32)> = VecDeque::new();
    let (mut next, mut deleted, mut seq) = (args.first, 0u32, 0u32);
    // Whether the ACK of the very last message came.
    let mut acked = false;
    let mut send = |buf: &mut Vec<u8>, last: u32| -> anyhow::Result<()> {
        socket.send(buf, 0).context("sending a batch")?;
        buf.clear();
        acked |= ctnl::read_answers(&socket, last, false)?;
        Ok(())
    };
    while next < end || !alive.is_empty() {
        let now = Instant::now();
        let due = (now - started).as_secs_f64() * per_sec;
        let upto = end.min(args.first.saturating_add(due as u32));
        while next < upto {
            let batch_end = upto.min(next.saturating_add(BATCH));
            for i in next..batch_end {
                seq += 1;
                let flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
                let entry = Flow::numbered(i, Protocols::Udp);
                ctnl::push_create(&mut buf, &entry, 3600, flags, seq);
            }
            send(&mut buf, u32::MAX)?;
            alive.push_back((now, next, batch_end));
            next = batch_end;
        }
        while let Some(&(at, first, batch_end)) = alive.front() {
            if now < at + life {
                break;
            }
            alive.pop_front();
            let last_batch = next == end && alive.is_empty();
            for i in first..batch_end {
                seq += 1;
                // The very last asks for an ACK: every one before it is done.
                let ack = last_batch && i + 1 == batch_end;
                let flags = NLM_F_REQUEST | if ack { NLM_F_ACK } else { 0 };
                let entry = Flow::numbered(i, Protocols::Udp);
                ctnl::push_delete(&mut buf, &entry, flags, seq);
            }
            deleted += batch_end - first;
            send(&mut buf, if last_batch { seq } else { u32::MAX })?;
        }
        std::thread::sleep(TICK.saturating_sub(now.elapsed()));
    }
    if total > 0 && !acked {
        ctnl::read_answers(&socket, seq, true)?;
    }
    let took = started.elapsed();
    // Deletes start a life after creates, and go on a life after them:
    // the steady rate is that of the time minus one life.
    let steady = took.saturating_sub(life).as_secs_f64().max(1e-3);
    println!(
        "created={total} deleted={deleted} ms={} per_sec={:.0}",
        took.as_millis(),
        f64::from(total + deleted) / steady
    );
    Ok(())
}
