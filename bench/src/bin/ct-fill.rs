//! `ct-fill`: creates conntrack entries through ctnetlink in the network
//! namespace it runs in (start it with `ip netns exec`), many messages per
//! send, so that a table of 250k entries takes about a second to build.
//!
//! Entries are UDP, established TCP, or both in turn, from distinct source
//! ports of a few source addresses, and live an hour: the benchmark
//! measures a table that holds still.

use std::io;
use std::net::Ipv4Addr;
use std::time::Instant;

use anyhow::{bail, Context};
use bench::ctnl::{self, Flow, Protocols, IPPROTO_TCP, IPPROTO_UDP};
use clap::Parser;
use netlink_packet_core::{
    NetlinkBuffer, NLMSG_ERROR, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL,
    NLM_F_REQUEST,
};
use netlink_sys::Socket;
use nfscope::collect::netlink::READ_SIZE;

/// Messages per send: about 150 KB, under the default socket send buffer
/// (`wmem_default`, 208 KiB) that bounds one netlink send.
const BATCH: u32 = 1000;
/// Source ports used per source address.
const PORTS: u32 = 60_000;
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
            let entry = flow(i, args.protocols);
            ctnl::push_create(&mut buf, &entry, args.timeout, flags, i + 1);
        }
        socket.send(&buf, 0).context("sending a batch")?;
        // The kernel handles a send before it returns: drain its errors
        // now so they never overflow the receive buffer.
        acked |= read_answers(&socket, end, false)?;
        next = batch_end;
    }
    if !acked && args.count > 0 {
        read_answers(&socket, end, true)?;
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

/// Entry number `i`: unique by protocol, source address and port.
fn flow(i: u32, protocols: Protocols) -> Flow {
    let tcp = match protocols {
        Protocols::Udp => false,
        Protocols::Tcp => true,
        Protocols::Mixed => i % 2 == 1,
    };
    Flow {
        proto: if tcp { IPPROTO_TCP } else { IPPROTO_UDP },
        src: Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 64, 0, 0)) + i / PORTS),
        dst: Ipv4Addr::new(10, 65, 0, 1),
        sport: u16::try_from(1024 + i % PORTS).expect("port fits"),
        dport: if tcp { 443 } else { 53 },
    }
}

/// Reads the kernel's answers and fails on the first error. Returns
/// whether the ACK of message `last_seq` came; with `until_ack`, blocks
/// until it does.
fn read_answers(
    socket: &Socket,
    last_seq: u32,
    until_ack: bool,
) -> anyhow::Result<bool> {
    let mut buf = Vec::with_capacity(READ_SIZE);
    loop {
        buf.clear();
        let flags = if until_ack { 0 } else { libc::MSG_DONTWAIT };
        match socket.recv(&mut buf, flags) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Ok(false)
            }
            Err(e) => return Err(e).context("reading answers"),
        }
        let mut rest = &buf[..];
        while !rest.is_empty() {
            let msg = NetlinkBuffer::new_checked(rest)
                .context("a malformed answer")?;
            let len = (msg.length() as usize).next_multiple_of(4);
            let seq = msg.sequence_number();
            if msg.message_type() == NLMSG_ERROR {
                let code = msg.payload().get(..4).context("short error")?;
                let code = i32::from_ne_bytes(code.try_into()?);
                if code != 0 {
                    let e = io::Error::from_raw_os_error(-code);
                    bail!("the kernel refused entry {}: {e}", seq - 1);
                }
                if seq == last_seq {
                    return Ok(true);
                }
            }
            rest = rest.get(len..).unwrap_or_default();
        }
    }
}
