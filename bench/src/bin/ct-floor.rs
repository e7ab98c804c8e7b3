//! `ct-floor`: the least work any conntrack reader must do. Sends the
//! same dump request as nfscope, with the same buffers, and only walks
//! the messages and their attributes, counting entries: no decoding into
//! values, no allocation per entry. Run it with `ip netns exec`.

use std::time::Instant;

use anyhow::{bail, Context};
use netlink_packet_core::{
    NetlinkBuffer, NlasIterator, NLMSG_DONE, NLMSG_ERROR,
};
use nfscope::collect::conntrack::socket::{DumpSocket, READ_SIZE};

/// Counts of what the walk saw.
#[derive(Default)]
struct Walk {
    entries: u64,
    attrs: u64,
    /// Sum of attribute lengths: the walk's result, so that none of it
    /// can be skipped by the optimizer.
    bytes: u64,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    // nfscope's own request and buffers: the floor differs only in what
    // it does with the bytes.
    let socket = DumpSocket::request()?;
    let mut buf = Vec::with_capacity(READ_SIZE);
    let mut walk = Walk::default();
    loop {
        buf.clear();
        socket.recv(&mut buf).context("reading the dump")?;
        if walk.datagram(&buf)? {
            break;
        }
    }
    println!(
        "entries={} attrs={} bytes={} ms={:.1}",
        walk.entries,
        walk.attrs,
        walk.bytes,
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

impl Walk {
    /// Walks one datagram; `true` once the dump is done.
    fn datagram(&mut self, datagram: &[u8]) -> anyhow::Result<bool> {
        let mut rest = datagram;
        while !rest.is_empty() {
            let msg = NetlinkBuffer::new_checked(rest)
                .context("a malformed dump message")?;
            match msg.message_type() {
                NLMSG_DONE => return Ok(true),
                NLMSG_ERROR => bail!("the kernel refused the dump"),
                _ => {
                    self.entries += 1;
                    // Attributes start after `struct nfgenmsg`.
                    let attrs = msg.payload().get(4..).unwrap_or_default();
                    self.attrs(attrs)?;
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
