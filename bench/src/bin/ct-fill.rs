//! `ct-fill`: creates conntrack entries through ctnetlink in the network
//! namespace it runs in (start it with `ip netns exec`), many messages per
//! send, so that a table of 250k entries takes about a second to build.
//!
//! Entries are UDP, established TCP, or both in turn, from distinct source
//! ports of a few source addresses, and live an hour: the benchmark
//! measures a table that holds still.

use std::time::Instant;

use anyhow::Context;
use bench::ctnl::{self, Flow, Protocols};
use clap::Parser;
use netlink_packet_core::{NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST};

/// Messages per send: about 150 KB, under the default socket send buffer
/// (`wmem_default`, 208 KiB) that bounds one netlink send.
const BATCH: u32 = 1000;
/// Room for error answers between two drains.
const RCVBUF: usize = 4 << 20;

/// Create conntrack entries in the current network namespace.
#[derive(Parser)]
struct Args {
    /// Entries to create.
    #[arg(long)]
    count: u32,
    /// Number of the first entry: a later run that starts past an earlier
    /// one's entries adds to the table instead of colliding with it.
    #[arg(long, default_value_t = 0)]
    first: u32,
    /// Timeout of the entries, seconds.
    #[arg(long, default_value_t = 3600)]
    timeout: u32,
    /// Which protocols the entries are.
    #[arg(long, value_enum, default_value_t = Protocols::Mixed)]
    protocols: Protocols,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let end = args.first.checked_add(args.count).context("too many")?;
    let socket = ctnl::open(RCVBUF)?;
    let started = Instant::now();
    let mut buf = Vec::with_capacity(BATCH as usize * 160);
    let mut next = args.first;
    let mut acked = false;
    while next < end {
        let batch_end = end.min(next.saturating_add(BATCH));
        buf.clear();
        for i in next..batch_end {
            // Errors are always answered; only the last message asks for
            // an ACK, which says that every message before it was handled.
            let ack = if i + 1 == end { NLM_F_ACK } else { 0 };
            let flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | ack;
            let entry = Flow::numbered(i, args.protocols);
            ctnl::push_create(&mut buf, &entry, args.timeout, flags, i + 1);
        }
        socket.send(&buf, 0).context("sending a batch")?;
        // The kernel handles a send before it returns: drain its errors
        // now so they never overflow the receive buffer.
        acked |= ctnl::read_answers(&socket, end, false)?;
        next = batch_end;
    }
    if !acked && args.count > 0 {
        ctnl::read_answers(&socket, end, true)?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "created={} ms={:.0} per_sec={:.0}",
        args.count,
        secs * 1000.0,
        f64::from(args.count) / secs
    );
    Ok(())
}
