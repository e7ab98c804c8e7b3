//! `nft-floor`: the least work any reader of the whole ruleset must do.
//! Sends the dumps of nfscope's snapshot (the generation, tables, chains,
//! sets, objects, flowtables and rules, with nfscope's socket and
//! buffers) in the namespace it enters, and only receives: it reads each
//! message's header and touches nothing else. It skips the per-set
//! element dumps, which would need the sets' names decoded: with sets in
//! the ruleset, the floor is lower than it should be. With `--polls N`,
//! then N times the dumps of a counter poll (nfscope's, of the chains
//! that count), only received, and their mean time.

use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use nfscope::collect::nftables::decode::Message;
use nfscope::collect::nftables::socket::NftSocket;
use nfscope::collect::nftables::{counters, snapshot};

/// nf_tables message types (`NFT_MSG_GET*`).
const DUMPS: [u8; 6] = [1, 4, 10, 19, 23, 7];
const NFT_MSG_GETGEN: u8 = 16;

/// Read the ruleset of a namespace, doing as little as possible.
#[derive(Parser)]
struct Args {
    /// The network namespace (a name under /run/netns).
    #[arg(long)]
    netns: Option<String>,
    /// Counter polls to time after the dumps.
    #[arg(long, default_value_t = 0)]
    polls: u32,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args = Args::parse();
    if let Some(ns) = &args.netns {
        nfscope::netns::enter(ns)?;
    }
    let mut socket = NftSocket::open()?;
    let mut messages = 0u64;
    let mut count = |_: &Message| {
        messages += 1;
        Ok(())
    };
    socket
        .request("the generation", NFT_MSG_GETGEN, 0, false, &[], &mut count)
        .context("reading the generation")?;
    for kind in DUMPS {
        socket
            .request("a dump", kind, 0, true, &[], &mut count)
            .context("dumping the ruleset")?;
    }
    socket
        .request("the generation", NFT_MSG_GETGEN, 0, false, &[], &mut count)
        .context("reading the generation")?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    // Which chains count is nfscope's to know from its last snapshot:
    // read here untimed.
    let chains = counters::counted_chains(&snapshot::read(&mut socket)?);
    let polling = Instant::now();
    for _ in 0..args.polls {
        for dump in counters::dumps(&chains) {
            let read = socket.request(
                dump.what,
                dump.kind,
                dump.family,
                true,
                &dump.attrs,
                &mut count,
            );
            read.context("dumping counters")?;
        }
    }
    let poll_ms =
        polling.elapsed().as_secs_f64() * 1000.0 / f64::from(args.polls.max(1));
    println!("messages={messages} ms={ms:.1} poll_ms={poll_ms:.2}");
    Ok(())
}
