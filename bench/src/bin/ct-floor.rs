//! `ct-floor`: the least work any conntrack reader must do. Sends the
//! same dump request as nfscope, with the same buffers, on a socket of the
//! namespace it enters itself (as nfscope does), and by default only
//! receives: it reads each message's header to find the end of the dump
//! and touches nothing else. `--walk` also walks every attribute with the
//! netlink crate's iterator, the least a decoder does: a second line, not
//! the floor.

use std::time::Instant;

use anyhow::{bail, Context};
use clap::Parser;
use netlink_packet_core::{
    NetlinkBuffer, NlasIterator, NLMSG_DONE, NLMSG_ERROR,
};
use nfscope::collect::conntrack::socket::DumpSocket;
use nfscope::collect::netlink::READ_SIZE;

/// Dump the conntrack table of a namespace, doing as little as possible.
#[derive(Parser)]
struct Args {
    /// The network namespace (a name under /run/netns).
    #[arg(long)]
    netns: Option<String>,
    /// Walk every attribute as well.
    #[arg(long)]
    walk: bool,
}

/// Counts of what the reader saw.
#[derive(Default)]
struct Seen {
    entries: u64,
    attrs: u64,
    /// Bytes received, or with `--walk` the sum of attribute lengths: a
    /// result, so that none of the work can be skipped by the optimizer.
    bytes: u64,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args = Args::parse();
    if let Some(ns) = &args.netns {
        nfscope::netns::enter(ns)?;
    }
    // nfscope's own request and buffers: the floor differs only in what
    // it does with the bytes.
    let socket = DumpSocket::request()?;
    let mut buf = Vec::with_capacity(READ_SIZE);
    let mut seen = Seen::default();
    loop {
        buf.clear();
        socket.recv(&mut buf).context("reading the dump")?;
        if seen.datagram(&buf, args.walk)? {
            break;
        }
    }
    println!(
        "entries={} attrs={} bytes={} ms={:.1}",
        seen.entries,
        seen.attrs,
        seen.bytes,
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

impl Seen {
    /// Goes through one datagram's messages; `true` once the dump is done.
    fn datagram(
        &mut self,
        datagram: &[u8],
        walk: bool,
    ) -> anyhow::Result<bool> {
        if !walk {
            self.bytes += datagram.len() as u64;
        }
        let mut rest = datagram;
        while !rest.is_empty() {
            let msg = NetlinkBuffer::new_checked(rest)
                .context("a malformed dump message")?;
            match msg.message_type() {
                NLMSG_DONE => return Ok(true),
                NLMSG_ERROR => bail!("the kernel refused the dump"),
                _ => {
                    self.entries += 1;
                    if walk {
                        // Attributes start after `struct nfgenmsg`.
                        let attrs = msg.payload().get(4..).unwrap_or_default();
                        self.attrs(attrs)?;
                    }
                }
            }
            let len = (msg.length() as usize).next_multiple_of(4);
            rest = rest.get(len..).unwrap_or_default();
        }
        Ok(false)
    }

    fn attrs(&mut self, attrs: &[u8]) -> anyhow::Result<()> {
        for nla in NlasIterator::new(attrs) {
            let nla = nla.context("a malformed attribute")?;
            self.attrs += 1;
            self.bytes += u64::from(nla.length());
            if nla.nested_flag() {
                self.attrs(nla.value())?;
            }
        }
        Ok(())
    }
}
